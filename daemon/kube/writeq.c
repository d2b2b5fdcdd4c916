// SPDX-License-Identifier: GPL-2.0-only
/*
 * The write queue (see writeq.h). One entry per key with a pending write,
 * a write in flight, or a backoff still running; entries wait in FIFO
 * order of when they became pending (a coalesced write keeps its place).
 * One timer runs dispatch(): it starts what the in-flight cap, the token
 * bucket and each key's backoff allow, and re-arms for the earliest moment
 * something else may start.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/kube_int.h"
#include "kube/writeq.h"
#include "log.h"

#define KEY_MAX	512

struct write {
	char *method, *path, *ctype, *body;
	np_kube_writeq_fn done, conflict;
	void *ctx;
};

struct entry {
	char *key;
	struct write *pending;		/* the latest desired write */
	struct write *sent;		/* the write in flight */
	struct np_kube_call *call;	/* ... its request */
	unsigned int failures;		/* in a row: the backoff exponent */
	uint64_t due_ms;		/* not sent again before */
	struct np_kube_writeq *q;
	struct entry *prev, *next;	/* all entries, FIFO of pending */
};

struct np_kube_writeq {
	struct np_kube *k;
	struct np_kube_writeq_opts o;
	struct entry *head, *tail;
	unsigned int inflight;
	double tokens;
	uint64_t tokens_ms;		/* when tokens was last refilled */
	struct np_timer timer;
	struct np_kube_writeq_stats stats;
};

static const struct np_kube_writeq_opts defaults = {
	.backoff_min_ms = 500,
	.backoff_max_ms = 60000,
	.max_inflight = 4,
	.qps = 10,
	.burst = 20,
};

#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))

static void write_free(struct write *w)
{
	if (!w)
		return;
	free(w->method);
	free(w->path);
	free(w->ctype);
	free(w->body);
	free(w);
}

static void unlink_entry(struct np_kube_writeq *q, struct entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		q->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		q->tail = e->prev;
	e->prev = e->next = NULL;
}

static void append_entry(struct np_kube_writeq *q, struct entry *e)
{
	e->prev = q->tail;
	e->next = NULL;
	if (q->tail)
		q->tail->next = e;
	else
		q->head = e;
	q->tail = e;
}

static void entry_free(struct np_kube_writeq *q, struct entry *e)
{
	unlink_entry(q, e);
	if (e->call) {
		np_kube_call_cancel(e->call);
		q->stats.inflight = --q->inflight;
	}
	write_free(e->pending);
	write_free(e->sent);
	free(e->key);
	free(e);
}

/* An entry with nothing left to do (and no backoff running) goes. */
static void entry_gc(struct np_kube_writeq *q, struct entry *e)
{
	if (!e->pending && !e->call &&
	    (!e->failures || e->due_ms <= np_now_ms()))
		entry_free(q, e);
}

static struct entry *find(const struct np_kube_writeq *q, const char *key)
{
	struct entry *e;

	for (e = q->head; e; e = e->next)
		if (!strcmp(e->key, key))
			return e;
	return NULL;
}

static uint64_t backoff_ms(struct np_kube_writeq *q, unsigned int failures)
{
	uint64_t d = q->o.backoff_min_ms;

	while (--failures && d < q->o.backoff_max_ms)
		d *= 2;
	if (d > q->o.backoff_max_ms)
		d = q->o.backoff_max_ms;
	return kube_jitter(q->k, d);
}

static void refill(struct np_kube_writeq *q, uint64_t now)
{
	q->tokens += (double)(now - q->tokens_ms) * q->o.qps / 1000.0;
	if (q->tokens > q->o.burst)
		q->tokens = q->o.burst;
	q->tokens_ms = now;
}

static void dispatch(struct np_kube_writeq *q);

static void kick(struct np_kube_writeq *q)
{
	np_timer_arm(q->k->lp, &q->timer, 0);
}

/* Whether an answer is worth sending the same write again for. */
static bool retryable(long status)
{
	return status == 0 || status == 408 || status == 429 ||
	       (status >= 500 && status != 501);
}

static void write_result(void *ctx, const struct np_kube_result *res)
{
	struct entry *e = ctx;
	struct np_kube_writeq *q = e->q;
	struct write *w = e->sent;
	uint64_t now = np_now_ms();
	char key[KEY_MAX + 1];

	e->call = NULL;
	e->sent = NULL;
	q->stats.inflight = --q->inflight;
	/* Callbacks may put or forget any key, this one included: e is
	 * looked up again after them. They must not free the queue. */
	snprintf(key, sizeof(key), "%s", e->key);
	if (!res->err) {
		q->stats.ok++;
		e->failures = 0;
		e->due_ms = 0;
		if (w->done)
			w->done(w->ctx, key, res);
	} else if (res->conflict && w->conflict) {
		q->stats.conflicts++;
		e->failures++;
		e->due_ms = now + backoff_ms(q, e->failures);
		np_log_info("kube: %s: %s; reading it again", e->key,
			    res->err);
		w->conflict(w->ctx, key, res);
	} else if (retryable(res->status)) {
		e->failures++;
		e->due_ms = now + backoff_ms(q, e->failures);
		np_log_warning("kube: %s: %s; again in %llu ms", e->key,
			       res->err,
			       (unsigned long long)(e->due_ms - now));
		if (!e->pending) {
			q->stats.retried++;
			e->pending = w;
			w = NULL;
		} else {
			q->stats.coalesced++;
		}
	} else {
		if (res->conflict)
			q->stats.conflicts++;
		q->stats.failed++;
		e->failures = 0;
		e->due_ms = 0;
		np_log_warning("kube: %s: %s", e->key, res->err);
		if (w->done)
			w->done(w->ctx, key, res);
	}
	write_free(w);
	e = find(q, key);
	if (e)
		entry_gc(q, e);
	kick(q);
}

/* Starts e's pending write. false if it could not even start: its done
 * callback ran, and may have changed any entry. */
static bool send_entry(struct np_kube_writeq *q, struct entry *e)
{
	struct write *w = e->pending;
	struct np_kube_result res = { .reason = "" };
	char err[1024], key[KEY_MAX + 1];

	e->pending = NULL;
	e->sent = w;
	e->call = np_kube_request(q->k, w->method, w->path, w->ctype, w->body,
				  write_result, e, err, sizeof(err));
	q->stats.sent++;
	if (e->call) {
		q->inflight++;
		q->stats.inflight = q->inflight;
		if (q->inflight > q->stats.inflight_max)
			q->stats.inflight_max = q->inflight;
		/* Sent: to the back of the line for its next write. */
		unlink_entry(q, e);
		append_entry(q, e);
		return true;
	}
	/* Could not even start (out of memory): a final failure. */
	np_log_error("kube: %s: %s", e->key, err);
	e->sent = NULL;
	q->stats.failed++;
	res.err = err;
	snprintf(key, sizeof(key), "%s", e->key);
	if (w->done)
		w->done(w->ctx, key, &res);
	write_free(w);
	return false;
}

static void dispatch(struct np_kube_writeq *q)
{
	uint64_t now = np_now_ms(), wake = UINT64_MAX;
	struct entry *e, *next;

	refill(q, now);
	for (e = q->head; e; e = next) {
		next = e->next;
		if (!e->pending || e->call)
			continue;
		if (e->due_ms > now) {
			if (e->due_ms < wake)
				wake = e->due_ms;
			continue;
		}
		if (q->inflight >= q->o.max_inflight)
			break;		/* a completion kicks us */
		if (q->tokens < 1.0) {
			uint64_t t = now + (uint64_t)((1.0 - q->tokens) *
						      1000.0 / q->o.qps) + 1;

			if (t < wake)
				wake = t;
			break;
		}
		q->tokens -= 1.0;
		if (!send_entry(q, e)) {
			/* The list may have changed under us: again from the
			 * start, from the loop. */
			kick(q);
			return;
		}
	}
	for (e = q->head; e; e = next) {
		next = e->next;
		entry_gc(q, e);
	}
	if (wake != UINT64_MAX)
		np_timer_arm(q->k->lp, &q->timer, wake > now ? wake - now : 0);
}

static void timer_fire(struct np_timer *t)
{
	dispatch(container_of(t, struct np_kube_writeq, timer));
}

int np_kube_writeq_new(struct np_kube *k,
		       const struct np_kube_writeq_opts *opts,
		       struct np_kube_writeq **out)
{
	struct np_kube_writeq *q = calloc(1, sizeof(*q));

	if (!q)
		return -ENOMEM;
	q->k = k;
	q->o = defaults;
	if (opts) {
#define OPT(f) if (opts->f) q->o.f = opts->f
		OPT(backoff_min_ms);
		OPT(backoff_max_ms);
		OPT(max_inflight);
		OPT(qps);
		OPT(burst);
#undef OPT
	}
	if (q->o.backoff_max_ms < q->o.backoff_min_ms)
		q->o.backoff_max_ms = q->o.backoff_min_ms;
	q->tokens = q->o.burst;
	q->tokens_ms = np_now_ms();
	q->timer.fire = timer_fire;
	*out = q;
	return 0;
}

void np_kube_writeq_free(struct np_kube_writeq *q)
{
	if (!q)
		return;
	while (q->head)
		entry_free(q, q->head);
	np_timer_cancel(q->k->lp, &q->timer);
	free(q);
}

static char *dup_or_null(const char *s, bool *oom)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*oom = true;
	return d;
}

int np_kube_writeq_put(struct np_kube_writeq *q, const char *key,
		       const char *method, const char *path,
		       const char *content_type, const char *body,
		       np_kube_writeq_fn done, np_kube_writeq_fn conflict,
		       void *ctx)
{
	struct write *w;
	struct entry *e;
	bool oom = false;

	if (!key || !*key || strlen(key) > KEY_MAX || !method || !path ||
	    !np_kube_path_ok(path) ||
	    (strcmp(method, "POST") && strcmp(method, "PUT") &&
	     strcmp(method, "PATCH") && strcmp(method, "DELETE"))) {
		np_log_error("kube: write queue: key \"%s\", %s %s: not a "
			     "write", key ? key : "(null)",
			     method ? method : "(null)",
			     path ? path : "(null)");
		return -EINVAL;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->method = dup_or_null(method, &oom);
	w->path = dup_or_null(path, &oom);
	w->ctype = dup_or_null(content_type, &oom);
	w->body = dup_or_null(body, &oom);
	w->done = done;
	w->conflict = conflict;
	w->ctx = ctx;
	if (oom) {
		write_free(w);
		return -ENOMEM;
	}
	e = find(q, key);
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e || !(e->key = strdup(key))) {
			free(e);
			write_free(w);
			return -ENOMEM;
		}
		e->q = q;
		append_entry(q, e);
	}
	if (e->pending) {
		q->stats.coalesced++;
		write_free(e->pending);
	} else if (!e->call) {
		/* Newly pending: to the back of the line. */
		unlink_entry(q, e);
		append_entry(q, e);
	}
	e->pending = w;
	kick(q);
	return 0;
}

void np_kube_writeq_forget(struct np_kube_writeq *q, const char *key)
{
	struct entry *e = find(q, key);

	if (e)
		entry_free(q, e);
}

bool np_kube_writeq_busy(const struct np_kube_writeq *q, const char *key)
{
	const struct entry *e = find(q, key);

	return e && (e->pending || e->call);
}

bool np_kube_writeq_idle(const struct np_kube_writeq *q)
{
	const struct entry *e;

	for (e = q->head; e; e = e->next)
		if (e->pending || e->call)
			return false;
	return true;
}

const struct np_kube_writeq_stats *
np_kube_writeq_stats(const struct np_kube_writeq *q)
{
	return &q->stats;
}
