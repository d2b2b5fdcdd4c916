// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ServiceLB reconciler on the runner (reconcile.h), and what it shares
 * with the hostPort one (rc_common.h): the frontend table filtered by
 * owner, the kernel through netlink, the reports sent once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/nodeplane.h>

#include "log.h"
#include "reconcile/lb_items.h"
#include "servicelb/rc_common.h"

/* ------------------------------------------------------------ string set */

void np_strset_free(struct np_strset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

int np_strset_add(struct np_strset *s, const char *str)
{
	char **v;
	char *dup = strdup(str);

	if (!dup)
		return -ENOMEM;
	v = realloc(s->v, (s->n + 1) * sizeof(*v));
	if (!v) {
		free(dup);
		return -ENOMEM;
	}
	s->v = v;
	s->v[s->n++] = dup;
	return 0;
}

static int strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void np_strset_finish(struct np_strset *s)
{
	size_t i, o = 0;

	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), strp_cmp);
	for (i = 0; i < s->n; i++) {
		if (o && !strcmp(s->v[o - 1], s->v[i]))
			free(s->v[i]);
		else
			s->v[o++] = s->v[i];
	}
	s->n = o;
}

bool np_strset_has(const struct np_strset *s, const char *str)
{
	return s->n && bsearch(&str, s->v, s->n, sizeof(*s->v), strp_cmp);
}

/* ----------------------------------------------------------- the kernel */

static int nl_dump(void *ctx, struct np_lb_list *out, struct np_err *err)
{
	return np_nl_lb_dump(ctx, out, err);
}

static int nl_set(void *ctx, const struct np_lb_frontend *fe,
		  struct np_err *err)
{
	return np_nl_lb_set(ctx, fe, 0, NULL, err);
}

static int nl_del(void *ctx, const struct np_lb_frontend *fe,
		  struct np_err *err)
{
	return np_nl_lb_del(ctx, fe, 0, NULL, err);
}

static uint64_t nl_gen(void *ctx)
{
	return np_nl_generation(ctx);
}

void np_lb_kernel_nl(struct np_nl *nl, struct np_lb_kernel *out)
{
	*out = (struct np_lb_kernel){ .dump = nl_dump, .set = nl_set,
				      .del = nl_del, .generation = nl_gen,
				      .ctx = nl };
}

/* ------------------------------------------------------------ the table */

int np_lb_rc_dump(void *ctx, void **items, size_t *n, struct np_err *err)
{
	struct np_lb_rc_common *c = ctx;
	struct np_lb_list l = { 0 };
	int r = c->kernel.dump(c->kernel.ctx, &l, err);

	if (r == -EOPNOTSUPP) {
		/* the module has servicelb and hostport disabled: it holds
		 * no frontend of either owner */
		np_lb_list_free(&l);
		np_err_clear(err);
		*items = NULL;
		*n = 0;
		return 0;
	}
	if (r) {
		np_lb_list_free(&l);
		return r;
	}
	return np_rc_lb_take_owner(&l, c->owner, items, n, err);
}

int np_lb_rc_set(void *ctx, const void *want, struct np_err *err)
{
	struct np_lb_rc_common *c = ctx;

	return c->kernel.set(c->kernel.ctx, want, err);
}

/* NP_CMD_LB_SET replaces a frontend of the same key atomically. */
int np_lb_rc_replace(void *ctx, const void *cur, const void *want,
		     struct np_err *err)
{
	(void)cur;
	return np_lb_rc_set(ctx, want, err);
}

/* Whether c's peer believes it holds the key of fe. */
static bool peer_holds(const struct np_lb_rc_common *c,
		       const struct np_lb_frontend *fe)
{
	const struct np_lb_frontend *cur;
	size_t n = 0;

	if (!c->peer || !c->peer->rc)
		return false;
	cur = np_rc_cur(c->peer->rc, 0, &n);
	return n && bsearch(fe, cur, n, sizeof(*cur), np_rc_lb_cmp);
}

int np_lb_rc_del(void *ctx, const void *cur, struct np_err *err)
{
	struct np_lb_rc_common *c = ctx;
	char key[128];
	int r;

	if (peer_holds(c, cur)) {
		np_log_debug("%s: frontend %s now held by %s: not deleted",
			     c->name, np_rc_lb_key(cur, key, sizeof(key)),
			     c->peer->name);
		return 0;
	}
	r = c->kernel.del(c->kernel.ctx, cur, err);
	return r == -ENOENT ? 0 : r;
}

void np_lb_rc_log(void *ctx, const char *what, const void *item)
{
	struct np_lb_rc_common *c = ctx;
	const struct np_lb_frontend *fe = item;
	char key[128];

	np_log_info("%s: frontend %s %s (%zu backends)", c->name,
		    np_rc_lb_key(item, key, sizeof(key)), what, fe->n_backends);
}

uint64_t np_lb_rc_generation(void *ctx)
{
	struct np_lb_rc_common *c = ctx;

	return c->kernel.generation ? c->kernel.generation(c->kernel.ctx) : 0;
}

int np_lb_rc_common_init(struct np_lb_rc_common *c, const char *name,
			 uint8_t owner, const struct np_lb_rc_deps *d)
{
	if (!d->runner || !d->model || !d->self || !d->self[0] ||
	    !d->kernel.dump || !d->kernel.set || !d->kernel.del)
		return -EINVAL;
	c->name = name;
	c->owner = owner;
	c->model = d->model;
	c->runner = d->runner;
	c->kernel = d->kernel;
	c->sink = d->sink;
	c->disabled = d->disabled;
	c->self = strdup(d->self);
	c->route_localnet = strdup(d->route_localnet ? d->route_localnet :
				   NP_LB_ROUTE_LOCALNET);
	return c->self && c->route_localnet ? 0 : -ENOMEM;
}

void np_lb_rc_common_clear(struct np_lb_rc_common *c)
{
	if (c->peer)
		c->peer->peer = NULL;
	c->peer = NULL;
	if (c->rc)
		np_runner_remove(c->runner, c->rc);
	c->rc = NULL;
	np_lb_list_free(&c->want);
	np_strset_free(&c->reported);
	free(c->self);
	c->self = NULL;
	free(c->route_localnet);
	c->route_localnet = NULL;
}

int np_lb_rc_begin(void *ctx, struct np_rc_pass *pass)
{
	struct np_lb_rc_common *c = ctx;
	char v[8] = "";
	FILE *f;

	(void)pass;
	if (c->disabled || !c->route_localnet[0])
		return 0;
	f = fopen(c->route_localnet, "r");
	if (!f)
		return 0;		/* no cni0 yet: no pod to reach */
	if (!fgets(v, sizeof(v), f))
		v[0] = '\0';
	fclose(f);
	if (v[0] == '1')
		return 0;
	f = fopen(c->route_localnet, "w");
	if (f) {
		bool bad = fputs("1\n", f) == EOF;

		if (fclose(f) == EOF || bad)
			f = NULL;
	}
	if (!f) {
		np_log_warning("%s: %s: %s (127.0.0.1:hostPort will not reach pods)",
			       c->name, c->route_localnet, strerror(errno));
		return 0;
	}
	np_log_info("%s: %s set to 1 (127.0.0.1:port to pods, as portmap)",
		    c->name, c->route_localnet);
	return 0;
}

/* ------------------------------------------------------------- reports */

static void report_one(struct np_lb_rc_common *c, struct np_strset *now,
		       enum np_kind kind, const struct np_meta *m,
		       const char *reason, const char *note, int *ret)
{
	char key[1536];

	snprintf(key, sizeof(key), "%s %s/%s %s\t%s", np_kind_name(kind),
		 m->ns ? m->ns : "", m->name, m->uid ? m->uid : "", note);
	if (np_strset_add(now, key) < 0) {
		*ret = -ENOMEM;
		return;
	}
	if (np_strset_has(&c->reported, key))
		return;
	np_log_warning("%s: %s %s/%s: %s: %s", c->name, np_kind_name(kind),
		       m->ns ? m->ns : "", m->name, reason, note);
	if (c->sink.event)
		c->sink.event(c->sink.ctx, kind, m, true, reason, "Reconcile",
			      note);
}

int np_lb_rc_report(struct np_lb_rc_common *c, const struct np_slb_report *rep,
		    enum np_kind loser)
{
	struct np_strset now = { 0 };
	char text[1024];
	int ret = 0;
	size_t i;

	for (i = 0; i < rep->n_conflicts && !ret; i++) {
		const struct np_port_conflict *pc = &rep->conflicts[i];

		if (pc->loser_kind != loser)
			continue;
		np_port_conflict_str(pc, c->self, text, sizeof(text));
		report_one(c, &now, loser, pc->loser, NP_SLB_REASON_CONFLICT,
			   text, &ret);
	}
	for (i = 0; i < rep->n_unserved && !ret; i++)
		report_one(c, &now, NP_KIND_SERVICE, rep->unserved[i].svc,
			   NP_SLB_REASON_INVALID, rep->unserved[i].why, &ret);
	if (ret) {
		np_strset_free(&now);
		return ret;
	}
	np_strset_finish(&now);
	np_strset_free(&c->reported);
	c->reported = now;
	return 0;
}

/* ------------------------------------------------------------ servicelb */

struct np_slb_rc {
	struct np_lb_rc_common c;	/* first: the table's ctx */
	/* "ns/name\t[ips]" of the statuses written (or logged) and not yet
	 * seen in the model, so each change is written once */
	struct np_strset pending;
	/* "ns/name\tuid\t+" (or "-") of the finalizer writes sent and not
	 * yet seen in the model */
	struct np_strset fin_pending;
	bool was_writer;
};

static int slb_plan(void *ctx, const struct np_rc_pass *pass,
		    const void **want, size_t *n)
{
	struct np_slb_rc *s = ctx;
	struct np_slb_report rep = { 0 };
	int ret;

	(void)pass;
	np_lb_list_free(&s->c.want);
	*want = NULL;
	*n = 0;
	if (s->c.disabled) {
		np_strset_free(&s->c.reported);
		return 0;
	}
	ret = np_slb_plan(s->c.model, s->c.self, &s->c.want, &rep);
	if (ret)
		return ret;
	ret = np_lb_rc_report(&s->c, &rep, NP_KIND_SERVICE);
	np_slb_report_free(&rep);
	if (ret) {
		np_lb_list_free(&s->c.want);
		return ret;
	}
	*want = s->c.want.v;
	*n = s->c.want.n;
	return 0;
}

struct status_walk {
	struct np_slb_rc *s;
	bool writer;
	bool applied;			/* the pass removed what it had to */
	struct np_strset next;
	struct np_strset fin_next;
};

/*
 * Asks for the finalizer write of svc (add or remove) unless one was sent
 * and not seen back. 1: asked now, 0: already pending, -ENOMEM; a write
 * refused before any I/O is logged (not retried until svc changes).
 */
static int finalizer_write(struct status_walk *w,
			   const struct np_service *svc, bool add)
{
	struct np_slb_rc *s = w->s;
	char key[1536];
	int r;

	snprintf(key, sizeof(key), "%s/%s\t%s\t%c", svc->meta.ns,
		 svc->meta.name, svc->meta.uid ? svc->meta.uid : "",
		 add ? '+' : '-');
	if (np_strset_add(&w->fin_next, key) < 0)
		return -ENOMEM;
	if (np_strset_has(&s->fin_pending, key))
		return 0;
	r = s->c.sink.finalizer(s->c.sink.ctx, svc, add);
	if (r < 0) {
		np_log_warning("servicelb: Service %s/%s: finalizer %s not %s: %s",
			       svc->meta.ns, svc->meta.name, NP_LB_FINALIZER,
			       add ? "added" : "removed", strerror(-r));
		return 0;
	}
	np_log_info("servicelb: Service %s/%s: finalizer %s %s",
		    svc->meta.ns, svc->meta.name, NP_LB_FINALIZER,
		    add ? "added" : "removed");
	return 1;
}

static bool slb_alive(const char *node, void *ctx)
{
	struct np_slb_rc *s = ctx;

	return s->c.sink.alive(s->c.sink.ctx, node);
}

static int status_one(const struct np_service *svc,
		      const struct np_slb_status *st, void *ctx)
{
	struct status_walk *w = ctx;
	struct np_slb_rc *s = w->s;
	const char *type, *reason;
	char ips[1024], key[1536], msg[1400];
	int r;

	if (w->writer && s->c.sink.finalizer && !svc->lb_finalizer) {
		/* the finalizer first: the status once it is seen */
		r = finalizer_write(w, svc, true);
		return r < 0 ? r : 0;
	}
	if (np_slb_status_current(svc, st))
		return 0;
	np_slb_status_str(st, ips, sizeof(ips));
	snprintf(key, sizeof(key), "%s/%s\t%s", svc->meta.ns, svc->meta.name,
		 ips);
	if (np_strset_add(&w->next, key) < 0)
		return -ENOMEM;
	if (np_strset_has(&s->pending, key))
		return 0;		/* written, not seen back yet */
	np_slb_status_event(svc, st, &type, &reason, msg, sizeof(msg));
	if (!w->writer) {
		np_log_info("servicelb: Service %s/%s: status.loadBalancer.ingress %s (not written: %s)",
			    svc->meta.ns, svc->meta.name, ips,
			    s->c.sink.status_writer ? "not the leader" :
						      "manifests mode");
		return 0;
	}
	r = s->c.sink.status ? s->c.sink.status(s->c.sink.ctx, svc, st) : 0;
	if (r < 0) {
		/* refused before any I/O (a name or address the client will
		 * not send): not retried until the status changes; the write
		 * queue retries what failed on the way */
		np_log_warning("servicelb: Service %s/%s: status %s not written: %s",
			       svc->meta.ns, svc->meta.name, ips, strerror(-r));
		return 0;
	}
	np_log_info("servicelb: Service %s/%s: status.loadBalancer.ingress %s",
		    svc->meta.ns, svc->meta.name, ips);
	if (s->c.sink.event)
		s->c.sink.event(s->c.sink.ctx, NP_KIND_SERVICE, &svc->meta,
				!strcmp(type, "Warning"), reason,
				"EnsureLoadBalancer", msg);
	return 0;
}

/*
 * The upstream controller's needsCleanup: svc holds the finalizer and is
 * being deleted, or (valid) no longer wants a load balancer of ours. An
 * invalid Service's type is unknown: only its deletion counts.
 */
static bool needs_cleanup(const struct np_service *svc)
{
	if (!svc->lb_finalizer)
		return false;
	if (svc->terminating)
		return true;
	return !svc->meta.invalid &&
	       (svc->type != NP_SVC_LOAD_BALANCER || svc->lb_class);
}

/* The cleanup of one Service (see reconcile.h). */
static int cleanup_one(const void *obj, void *ctx)
{
	const struct np_service *svc = obj;
	struct status_walk *w = ctx;
	struct np_slb_rc *s = w->s;
	struct np_slb_status none = { 0 };
	char key[1536];
	int r;

	if (!needs_cleanup(svc) || !w->applied)
		return 0;
	/* a type change clears the status as upstream does; with a
	 * loadBalancerClass the status is the other controller's */
	if (!svc->terminating && !svc->meta.invalid &&
	    svc->type != NP_SVC_LOAD_BALANCER && svc->n_lb_ingress) {
		snprintf(key, sizeof(key), "%s/%s\t[]", svc->meta.ns,
			 svc->meta.name);
		if (np_strset_add(&w->next, key) < 0)
			return -ENOMEM;
		if (!np_strset_has(&s->pending, key) && s->c.sink.status &&
		    s->c.sink.status(s->c.sink.ctx, svc, &none) == 0)
			np_log_info("servicelb: Service %s/%s: no longer ours: status.loadBalancer cleared",
				    svc->meta.ns, svc->meta.name);
	}
	r = finalizer_write(w, svc, false);
	if (r > 0 && s->c.sink.event)
		s->c.sink.event(s->c.sink.ctx, NP_KIND_SERVICE, &svc->meta,
				false, "DeletedLoadBalancer",
				"EnsureLoadBalancerDeleted",
				"Deleted load balancer");
	return r < 0 ? r : 0;
}

/* The status of every wanted Service, and the finalizers, after the
 * tables. */
static void slb_end(void *ctx, const struct np_rc_pass *pass)
{
	struct np_slb_rc *s = ctx;
	struct status_walk w = { .s = s };
	int r;

	if (s->c.disabled)
		return;
	w.writer = s->c.sink.status_writer &&
		   s->c.sink.status_writer(s->c.sink.ctx);
	w.applied = !pass->counts.failed;
	if (w.writer != s->was_writer) {
		/* a new leader writes anew */
		np_strset_free(&s->pending);
		np_strset_free(&s->fin_pending);
	}
	s->was_writer = w.writer;
	if (s->c.sink.status_writer && !w.writer) {
		/* in API mode only the leader speaks of the status */
		np_strset_free(&s->pending);
		np_strset_free(&s->fin_pending);
		return;
	}
	r = np_slb_status_all(s->c.model, s->c.sink.alive ? slb_alive : NULL,
			      s, status_one, &w);
	if (!r && w.writer && s->c.sink.finalizer)
		r = np_model_foreach(s->c.model, NP_KIND_SERVICE, NULL,
				     cleanup_one, &w);
	if (r) {
		np_log_warning("servicelb: status: %s", strerror(-r));
		np_strset_free(&w.next);
		np_strset_free(&w.fin_next);
		np_rc_kick(s->c.rc, 1000);	/* out of memory: again soon */
		return;
	}
	np_strset_finish(&w.next);
	np_strset_free(&s->pending);
	s->pending = w.next;
	np_strset_finish(&w.fin_next);
	np_strset_free(&s->fin_pending);
	s->fin_pending = w.fin_next;
}

static const struct np_rc_table slb_frontends = {
	.name = "frontend", NP_RC_LB_ITEMS,
	.plan = slb_plan, .dump = np_lb_rc_dump, .create = np_lb_rc_set,
	.replace = np_lb_rc_replace, .remove = np_lb_rc_del,
	.log = np_lb_rc_log,
};
static const struct np_rc_table *const slb_tables[] = { &slb_frontends };

static const struct np_rc_ops slb_ops = {
	.name = "servicelb",
	.kinds = NP_SLB_KINDS,
	.generation = np_lb_rc_generation,
	.begin = np_lb_rc_begin,
	.end = slb_end,
	.tables = slb_tables,
	.n_tables = 1,
};

int np_slb_rc_new(const struct np_lb_rc_deps *d, struct np_slb_rc **out)
{
	struct np_slb_rc *s = calloc(1, sizeof(*s));
	int r;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	r = np_lb_rc_common_init(&s->c, "servicelb", NP_LB_OWNER_SERVICELB, d);
	if (!r)
		r = np_runner_add(d->runner, &slb_ops, s, &s->c.rc);
	if (r) {
		np_slb_rc_free(s);
		return r;
	}
	if (s->c.disabled)
		np_log_info("servicelb: disabled: frontends a previous run left are removed");
	*out = s;
	return 0;
}

void np_slb_rc_set_disabled(struct np_slb_rc *s, bool disabled)
{
	if (s->c.disabled == disabled)
		return;
	s->c.disabled = disabled;
	np_strset_free(&s->pending);
	np_strset_free(&s->fin_pending);
	np_log_info("servicelb: %s", disabled ?
		    "disabled: removing its frontends" : "enabled");
	np_rc_full(s->c.rc);
}

void np_lb_rc_pair(struct np_slb_rc *s, struct np_hostport_rc *h)
{
	struct np_lb_rc_common *a = (struct np_lb_rc_common *)s;
	struct np_lb_rc_common *b = (struct np_lb_rc_common *)h;

	if (a)
		a->peer = b;
	if (b)
		b->peer = a;
}

void np_slb_rc_status_kick(struct np_slb_rc *s)
{
	np_rc_mark_all(s->c.rc);
	np_rc_kick(s->c.rc, 0);
}

void np_slb_rc_free(struct np_slb_rc *s)
{
	if (!s)
		return;
	np_lb_rc_common_clear(&s->c);
	np_strset_free(&s->pending);
	np_strset_free(&s->fin_pending);
	free(s);
}

const struct np_rc_stats *np_slb_rc_stats(const struct np_slb_rc *s)
{
	return np_rc_stats(s->c.rc);
}
