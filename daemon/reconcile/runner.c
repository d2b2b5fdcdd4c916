// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reconciler runner (runner.h): one model subscription fanned out to
 * the registered reconcilers, and per reconciler three timers (the
 * debounced pass, the jittered resync, the retry), the dirty keys, the
 * generation last programmed, the sync barrier and the pass around the
 * tables (table.c applies each table).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/nodeplane.h>

#include "log.h"
#include "nl/nl.h"
#include "reconcile/internal.h"

#define ALL_KINDS ((1U << NP_KIND_COUNT) - 1)

static const struct np_runner_timing defaults = {
	.debounce_ms = 20, .resync_ms = 60000, .resync_jitter_pct = 10,
	.retry_min_ms = 1000, .retry_max_ms = 30000, .retry_jitter_pct = 20,
};

/* ---- timers ------------------------------------------------------------- */

static unsigned int jitter(const struct np_runner *r, unsigned int ms,
			   unsigned int pct, bool both_ways)
{
	uint64_t span = (uint64_t)ms * pct / 100;
	uint64_t x;

	if (!span)
		return ms;
	x = (r->rand ? r->rand() : (uint32_t)random()) % (both_ways ?
							   2 * span + 1 :
							   span + 1);
	return (unsigned int)(both_ways ? ms - span + x : ms + x);
}

static void schedule(struct np_rc *rc, unsigned int ms)
{
	struct np_runner *r = rc->r;

	/* an armed pass is not pushed back by more events (debounce, not
	 * postponement); a pass wanted at once is not held */
	if (np_timer_armed(&rc->t_pass) && ms)
		return;
	np_timer_arm(r->lp, &rc->t_pass, ms);
}

static void arm_resync(struct np_rc *rc)
{
	struct np_runner *r = rc->r;

	np_timer_arm(r->lp, &rc->t_resync,
		     jitter(r, r->tm.resync_ms, r->tm.resync_jitter_pct, true));
}

/* The next retry delay: the backoff doubled (capped), plus jitter. */
static unsigned int backoff(struct np_rc *rc)
{
	const struct np_runner_timing *tm = &rc->r->tm;

	rc->retry_ms = rc->retry_ms ? rc->retry_ms * 2 : tm->retry_min_ms;
	if (rc->retry_ms > tm->retry_max_ms)
		rc->retry_ms = tm->retry_max_ms;
	return jitter(rc->r, rc->retry_ms, tm->retry_jitter_pct, false);
}

static void retry_in(struct np_rc *rc, unsigned int ms)
{
	rc->full_due = true;
	rc->all_dirty = true;
	np_timer_arm(rc->r->lp, &rc->t_retry, ms);
}

/* ---- dirty keys --------------------------------------------------------- */

static void dirty_clear(struct np_rc *rc)
{
	struct np_hnode *n = np_hmap_first(&rc->dirty), *next;

	while (n) {
		next = np_hmap_next(&rc->dirty, n);
		np_hmap_del(&rc->dirty, n);
		free(container_of(n, struct dirty_key, h));
		n = next;
	}
}

void np_rc_mark(struct np_rc *rc, const char *key)
{
	size_t len = strlen(key);
	struct dirty_key *d;

	if (rc->all_dirty || np_hmap_find(&rc->dirty, key, len))
		return;
	d = malloc(sizeof(*d) + len + 1);
	if (!d) {
		rc->all_dirty = true;	/* the key is lost: plan everything */
		return;
	}
	memcpy(d->key, key, len + 1);
	d->h.key = d->key;
	d->h.klen = len;
	if (np_hmap_add(&rc->dirty, &d->h)) {
		free(d);
		rc->all_dirty = true;
	}
}

void np_rc_mark_all(struct np_rc *rc)
{
	rc->all_dirty = true;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The dirty keys, sorted, into *keys (pointers into rc->dirty's nodes,
 * which the caller frees with keys_free). */
static struct dirty_key **keys_take(struct np_rc *rc, size_t *n)
{
	struct dirty_key **v;
	struct np_hnode *h;
	size_t i = 0;

	*n = 0;
	if (!rc->dirty.n)
		return NULL;
	v = calloc(rc->dirty.n, sizeof(*v));
	if (!v) {
		rc->all_dirty = true;
		dirty_clear(rc);
		return NULL;
	}
	for (h = np_hmap_first(&rc->dirty); h; h = np_hmap_next(&rc->dirty, h))
		v[i++] = container_of(h, struct dirty_key, h);
	for (size_t k = 0; k < i; k++)
		np_hmap_del(&rc->dirty, &v[k]->h);
	*n = i;
	return v;
}

/* ---- one pass ----------------------------------------------------------- */

/* "" when every kind of rc is synced, else the waiting message. */
static bool barrier(struct np_rc *rc, char *why, size_t len)
{
	size_t o = 0;
	unsigned int k;

	why[0] = '\0';
	for (k = 0; k < NP_KIND_COUNT; k++) {
		if (!(rc->ops->kinds & (1U << k)) ||
		    np_model_synced(rc->r->model, (enum np_kind)k))
			continue;
		o += (size_t)snprintf(why + o, o < len ? len - o : 0, "%s%ss",
				      o ? ", " : "waiting for the first complete list of ",
				      np_kind_name((enum np_kind)k));
	}
	return !why[0];
}

static void pass(struct np_rc *rc, bool retry)
{
	const struct np_rc_ops *ops = rc->ops;
	struct np_rc_pass p;
	struct dirty_key **keys = NULL;
	const char **names = NULL;
	char why[NP_RC_WHY_LEN];
	size_t nk = 0, i;
	uint64_t g;
	int r;

	if (rc->in_pass)
		return;
	if (!barrier(rc, why, sizeof(why))) {
		rc->st.waits++;
		if (strcmp(why, rc->wait_why)) {
			np_log_info("%s: %s", ops->name, why);
			snprintf(rc->wait_why, sizeof(rc->wait_why), "%s", why);
		}
		return;		/* the first sync notifies: a pass then */
	}
	rc->wait_why[0] = '\0';
	memset(&p, 0, sizeof(p));
	if (ops->generation) {
		g = ops->generation(rc->ctx);
		if (g != rc->gen) {
			p.reloaded = true;
			rc->gen = g;
		}
	}
	p.full = rc->full_due || p.reloaded;
	p.all_dirty = rc->all_dirty || p.full;
	p.started_ms = np_now_ms();
	rc->full_due = false;
	rc->all_dirty = false;
	keys = keys_take(rc, &nk);
	if (nk) {
		names = calloc(nk, sizeof(*names));
		if (!names) {
			p.all_dirty = true;
		} else {
			for (i = 0; i < nk; i++)
				names[i] = keys[i]->key;
			qsort(names, nk, sizeof(*names), str_cmp);
			p.dirty = names;
			p.n_dirty = nk;
		}
	}
	if (retry)
		rc->st.retries++;
	rc->st.passes++;
	if (p.full)
		rc->st.full_passes++;
	rc->in_pass = true;

	r = ops->begin ? ops->begin(rc->ctx, &p) : 0;
	if (r == NP_RC_WAIT) {
		rc->st.waits++;
		rc->full_due = rc->full_due || p.full;
		rc->all_dirty = true;
		goto out;
	}
	if (r) {
		unsigned int ms = backoff(rc);

		rc->st.failures++;
		snprintf(rc->st.last_error, sizeof(rc->st.last_error), "%s",
			 p.why[0] ? p.why : "failed before the tables");
		if (p.why[0])
			np_log_warning("%s: not converged: %s; retrying in %u ms",
				       ops->name, p.why, ms);
		retry_in(rc, ms);
		goto out;
	}
	for (i = 0; i < ops->n_tables; i++)
		np_rc_table_pass(rc, i, &p);
	if (ops->commit && ops->commit(rc->ctx, &p)) {
		/* nothing of the pass reached the kernel: cur is a guess */
		p.counts.failed++;
		rc->st.failures++;
		snprintf(rc->st.last_error, sizeof(rc->st.last_error), "%s",
			 p.why[0] ? p.why : "commit failed");
		np_log_warning("%s: not committed: %s", ops->name,
			       rc->st.last_error);
		for (i = 0; i < ops->n_tables; i++)
			np_rc_cur_forget(ops->tables[i], &rc->cur[i]);
	}
	if (p.counts.failed)
		p.retry_ms = backoff(rc);
	if (ops->end)
		ops->end(rc->ctx, &p);
	if (p.counts.failed) {
		retry_in(rc, p.retry_ms);
	} else {
		rc->retry_ms = 0;
		np_timer_cancel(rc->r->lp, &rc->t_retry);
	}
	if (rc->first_event_ms)
		np_log_debug("%s: pass done %llu ms after the first event",
			     ops->name,
			     (unsigned long long)(np_now_ms() - rc->first_event_ms));
	rc->first_event_ms = 0;
	np_log_debug("%s: pass %llu%s: %u added, %u changed, %u removed, %u failed",
		     ops->name, (unsigned long long)rc->st.passes,
		     p.full ? " (full)" : "", p.counts.created,
		     p.counts.replaced, p.counts.deleted, p.counts.failed);
out:
	rc->in_pass = false;
	free(names);
	for (i = 0; i < nk; i++)
		free(keys[i]);
	free(keys);
	/* the module went or came back during this pass: again, in full */
	if (ops->generation && ops->generation(rc->ctx) != rc->gen) {
		rc->full_due = true;
		schedule(rc, 0);
	}
}

/* ---- events ------------------------------------------------------------- */

static void on_pass(struct np_timer *t)
{
	pass(container_of(t, struct np_rc, t_pass), false);
}

static void on_resync(struct np_timer *t)
{
	struct np_rc *rc = container_of(t, struct np_rc, t_resync);

	arm_resync(rc);
	rc->full_due = true;
	pass(rc, false);
}

static void on_retry(struct np_timer *t)
{
	struct np_rc *rc = container_of(t, struct np_rc, t_retry);

	rc->full_due = true;
	pass(rc, true);
}

static void on_model(void *ctx, enum np_kind kind, const void *old,
		     const void *new_obj)
{
	struct np_runner *r = ctx;
	struct np_rc *rc;

	for (rc = r->list; rc; rc = rc->next) {
		if (!(rc->ops->kinds & (1U << kind)))
			continue;
		if ((!old && !new_obj) || !rc->ops->notify)
			rc->all_dirty = true;
		else
			rc->ops->notify(rc->ctx, rc, kind, old, new_obj);
		if (!rc->first_event_ms)
			rc->first_event_ms = np_now_ms();
		schedule(rc, r->tm.debounce_ms);
	}
}

void np_rc_kick(struct np_rc *rc, unsigned int ms)
{
	schedule(rc, ms);
}

void np_rc_full(struct np_rc *rc)
{
	rc->full_due = true;
	rc->all_dirty = true;
	schedule(rc, 0);
}

void np_runner_full_all(struct np_runner *r)
{
	struct np_rc *rc;

	for (rc = r->list; rc; rc = rc->next)
		np_rc_full(rc);
}

void np_runner_family(struct np_runner *r, const char *name, bool added,
		      uint16_t id)
{
	bool ours = !strcmp(name, NODEPLANE_GENL_NAME);
	char e[NP_ERR_MSG_LEN + 64];
	struct np_err err;
	struct np_rc *rc;

	if (ours && !added)
		np_log_warning("runner: generic netlink family %s unregistered (module unloaded): its state is gone until it is loaded again",
			       name);
	if (ours && added) {
		np_log_info("runner: generic netlink family %s registered (id %u): full pass",
			    name, id);
		np_err_clear(&err);
		if (r->nl && np_nl_resolve(r->nl, &err) < 0)
			np_log_warning("runner: %s",
				       np_err_str(&err, e, sizeof(e)));
	}
	for (rc = r->list; rc; rc = rc->next) {
		bool full = ours && added;

		if (!ours && rc->ops->family &&
		    rc->ops->family(rc->ctx, name, added))
			full = true;
		if (full) {
			rc->full_due = true;
			rc->all_dirty = true;
			schedule(rc, r->tm.debounce_ms);
		}
	}
}

/* ---- registration ------------------------------------------------------- */

static bool table_ok(const struct np_rc_table *t)
{
	return t->name && t->size && t->cmp_key && t->same && t->key_str &&
	       t->plan && t->dump && t->create && t->remove;
}

int np_runner_add(struct np_runner *r, const struct np_rc_ops *ops, void *ctx,
		  struct np_rc **out)
{
	struct np_rc *rc, **pp;
	size_t i;

	*out = NULL;
	if (!ops->name || (ops->n_tables && !ops->tables))
		return -EINVAL;
	for (i = 0; i < ops->n_tables; i++)
		if (!ops->tables[i] || !table_ok(ops->tables[i]))
			return -EINVAL;
	rc = calloc(1, sizeof(*rc));
	if (!rc)
		return -ENOMEM;
	rc->cur = calloc(ops->n_tables + 1, sizeof(*rc->cur));
	if (!rc->cur) {
		free(rc);
		return -ENOMEM;
	}
	rc->r = r;
	rc->ops = ops;
	rc->ctx = ctx;
	rc->t_pass.fire = on_pass;
	rc->t_resync.fire = on_resync;
	rc->t_retry.fire = on_retry;
	rc->full_due = true;
	rc->all_dirty = true;
	rc->gen = ops->generation ? ops->generation(ctx) : 0;
	for (pp = &r->list; *pp; pp = &(*pp)->next)
		;
	*pp = rc;
	schedule(rc, 0);
	arm_resync(rc);
	*out = rc;
	return 0;
}

void np_runner_remove(struct np_runner *r, struct np_rc *rc)
{
	struct np_rc **pp;
	size_t i;

	if (!rc)
		return;
	for (pp = &r->list; *pp; pp = &(*pp)->next) {
		if (*pp == rc) {
			*pp = rc->next;
			break;
		}
	}
	np_timer_cancel(r->lp, &rc->t_pass);
	np_timer_cancel(r->lp, &rc->t_resync);
	np_timer_cancel(r->lp, &rc->t_retry);
	for (i = 0; i < rc->ops->n_tables; i++)
		np_rc_cur_forget(rc->ops->tables[i], &rc->cur[i]);
	free(rc->cur);
	dirty_clear(rc);
	np_hmap_free(&rc->dirty);
	free(rc);
}

int np_runner_new(const struct np_runner_deps *d, struct np_runner **out)
{
	const struct np_runner_timing *tm = d->timing ? d->timing : &defaults;
	struct np_runner *r;
	int ret;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->lp = d->lp;
	r->model = d->model;
	r->nl = d->nl;
	r->rand = d->rand;
	r->tm = *tm;
#define DEF(f) if (!r->tm.f) r->tm.f = defaults.f
	DEF(debounce_ms);
	DEF(resync_ms);
	DEF(retry_min_ms);
	DEF(retry_max_ms);
#undef DEF
	ret = np_model_subscribe(r->model, ALL_KINDS, on_model, r);
	if (ret) {
		free(r);
		return ret;
	}
	*out = r;
	return 0;
}

void np_runner_free(struct np_runner *r)
{
	if (!r)
		return;
	while (r->list)
		np_runner_remove(r, r->list);
	np_model_unsubscribe(r->model, on_model, r);
	free(r);
}

const struct np_rc_stats *np_rc_stats(const struct np_rc *rc)
{
	return &rc->st;
}

const void *np_rc_cur(const struct np_rc *rc, size_t t, size_t *n)
{
	*n = rc->cur[t].n;
	return rc->cur[t].v;
}
