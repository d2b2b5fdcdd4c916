// SPDX-License-Identifier: GPL-2.0-only
/*
 * The NetworkPolicy reconciler on the runner (netpol/reconcile.h): begin
 * compiles the plan and converts it into the two tables' wanted lists
 * (prefixes, canonical endpoints); the runner diffs each table against
 * the kernel's dump (full passes) or what the last pass left; the tables'
 * operations only collect the differences; commit sends them as one
 * NP_CMD_POLICY_SET transaction expecting the generation last seen.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/nodeplane.h>

#include "log.h"
#include "loop.h"
#include "netpol/reconcile.h"
#include "reconcile/runner.h"

#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))

struct np_netpol_rc {
	struct np_loop *lp;
	struct np_runner *runner;
	struct np_rc *rc;		/* NULL: off the runner (idle) */
	struct np_model *model;
	char *self;
	struct np_pol_kernel kernel;
	struct np_netpol_rc_compiler cc;
	struct np_netpol_classes *classes;
	bool disabled;
	bool idle;
	struct np_timer t_leave;

	/* this pass: the plan and the tables' wanted lists (valid to end) */
	struct np_netpol_plan plan;
	bool have_plan;
	struct np_pol_class *want_cls;
	size_t n_want_cls;
	struct np_pol_endpoint *want_eps;
	size_t n_want_eps;
	/* a dump of this pass, shared by the two tables */
	struct np_pol_state dumped;
	bool dump_cls, dump_eps;	/* its part not yet taken */
	/* the transaction being collected (shallow: want's and keys) */
	struct np_pol_class *tx_cls;
	size_t n_tx_cls;
	struct np_pol_endpoint *tx_eps;
	size_t n_tx_eps;
	unsigned int cls_set, cls_del, ep_set, ep_del;

	char **problems;		/* the last plan's, sorted */
	size_t n_problems;
	struct np_netpol_rc_counts counts;
};

/* ---- the kernel through netlink --------------------------------------- */

static int nl_dump(void *ctx, struct np_pol_state *out, struct np_err *err)
{
	return np_nl_pol_dump(ctx, out, err);
}

static int nl_set(void *ctx, const struct np_pol_txn *txn, uint64_t expect,
		  uint64_t *gen, struct np_err *err)
{
	return np_nl_pol_set(ctx, txn, expect, gen, err);
}

static uint64_t nl_gen(void *ctx)
{
	return np_nl_generation(ctx);
}

void np_pol_kernel_nl(struct np_nl *nl, struct np_pol_kernel *out)
{
	*out = (struct np_pol_kernel){ .dump = nl_dump, .set = nl_set,
				       .generation = nl_gen, .ctx = nl };
}

/* ---- the wanted lists --------------------------------------------------- */

static void want_free(struct np_netpol_rc *n)
{
	size_t i;

	for (i = 0; i < n->n_want_eps; i++)
		np_pol_endpoint_clear(&n->want_eps[i]);
	free(n->want_eps);
	free(n->want_cls);
	n->want_eps = NULL;
	n->want_cls = NULL;
	n->n_want_eps = n->n_want_cls = 0;
	if (n->have_plan)
		n->cc.plan_free(&n->plan);
	n->have_plan = false;
	memset(&n->plan, 0, sizeof(n->plan));
}

static int convert_endpoint(struct np_pol_endpoint *out,
			    const struct np_netpol_endpoint *in)
{
	size_t r, p;

	memset(out, 0, sizeof(*out));
	out->addr = in->addr;
	out->flags = in->flags & (NP_PEP_F_INGRESS | NP_PEP_F_EGRESS);
	if (in->name && in->name[0] && !(out->name = strdup(in->name)))
		return -ENOMEM;
	if (in->n_rules &&
	    !(out->rules = calloc(in->n_rules, sizeof(*out->rules))))
		return -ENOMEM;
	for (r = 0; r < in->n_rules; r++) {
		const struct np_netpol_krule *k = &in->rules[r];
		struct np_pol_rule *o = &out->rules[r];

		o->dir = k->dir;
		o->cls = k->cls;
		out->n_rules = r + 1;
		if (!k->n_ports)
			continue;
		o->ports = calloc(k->n_ports, sizeof(*o->ports));
		if (!o->ports)
			return -ENOMEM;
		for (p = 0; p < k->n_ports; p++)
			o->ports[p] = (struct np_pol_port){
				k->ports[p].proto, k->ports[p].first,
				k->ports[p].last };
		o->n_ports = k->n_ports;
	}
	return np_pol_endpoint_canon(out);
}

/* The plan into the tables' lists, sorted by key. 0 or -ENOMEM. */
static int want_build(struct np_netpol_rc *n)
{
	const struct np_netpol_plan *pl = &n->plan;
	size_t i;

	n->want_cls = calloc(pl->n_prefixes + 1, sizeof(*n->want_cls));
	n->want_eps = calloc(pl->n_endpoints + 1, sizeof(*n->want_eps));
	if (!n->want_cls || !n->want_eps)
		return -ENOMEM;
	for (i = 0; i < pl->n_prefixes; i++)
		n->want_cls[i] = (struct np_pol_class){ pl->prefixes[i].cidr,
							pl->prefixes[i].cls };
	n->n_want_cls = pl->n_prefixes;
	for (i = 0; i < pl->n_endpoints; i++) {
		int r = convert_endpoint(&n->want_eps[i], &pl->endpoints[i]);

		n->n_want_eps = i + 1;
		if (r)
			return r;
	}
	/* the compiler sorts; the runner refuses a list out of order */
	qsort(n->want_cls, n->n_want_cls, sizeof(*n->want_cls),
	      np_pol_class_qcmp);
	qsort(n->want_eps, n->n_want_eps, sizeof(*n->want_eps),
	      np_pol_endpoint_qcmp);
	return 0;
}

static int strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has(char *const *v, size_t n, const char *s)
{
	return n && bsearch(&s, v, n, sizeof(*v), strp_cmp);
}

static void problems_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Logs the plan's problems that are new, and those gone; keeps them. */
static void problems_report(struct np_netpol_rc *n)
{
	const struct np_netpol_plan *pl = &n->plan;
	char **now = calloc(pl->n_problems + 1, sizeof(*now));
	size_t i, k = 0;

	if (!now)
		return;		/* reported at the next plan */
	for (i = 0; i < pl->n_problems; i++)
		if (pl->problems[i] && (now[k] = strdup(pl->problems[i])))
			k++;
	qsort(now, k, sizeof(*now), strp_cmp);
	for (i = 0; i < k; i++)
		if (!has(n->problems, n->n_problems, now[i]) &&
		    (!i || strcmp(now[i - 1], now[i])))
			np_log_warning("netpol: %s", now[i]);
	for (i = 0; i < n->n_problems; i++)
		if (!has(now, k, n->problems[i]))
			np_log_info("netpol: no longer: %s", n->problems[i]);
	problems_free(n->problems, n->n_problems);
	n->problems = now;
	n->n_problems = k;
}

/* ---- the pass ------------------------------------------------------------ */

static void tx_clear(struct np_netpol_rc *n)
{
	free(n->tx_cls);
	free(n->tx_eps);
	n->tx_cls = NULL;
	n->tx_eps = NULL;
	n->n_tx_cls = n->n_tx_eps = 0;
	n->cls_set = n->cls_del = n->ep_set = n->ep_del = 0;
}

static int begin(void *ctx, struct np_rc_pass *pass)
{
	struct np_netpol_rc *n = ctx;
	struct np_err err;
	int r;

	want_free(n);
	tx_clear(n);
	np_pol_state_free(&n->dumped);
	n->dump_cls = n->dump_eps = false;
	if (pass->reloaded)
		n->counts.generation = 0;
	if (n->disabled)
		return 0;	/* nothing wanted: everything goes */
	np_err_clear(&err);
	r = n->cc.compile(n->model, n->self, n->classes, &n->plan, &err);
	if (r) {
		snprintf(pass->why, sizeof(pass->why),
			 "compiling the policies: %.180s (the kernel keeps what it holds)",
			 err.msg[0] ? err.msg : strerror(-r));
		return NP_RC_FAIL;
	}
	n->have_plan = true;
	problems_report(n);
	if (want_build(n)) {
		snprintf(pass->why, sizeof(pass->why),
			 "out of memory converting the plan (the kernel keeps what it holds)");
		return NP_RC_FAIL;
	}
	return 0;
}

/* One dump per pass for both tables. */
static int dump_once(struct np_netpol_rc *n, bool cls, struct np_err *err)
{
	int r;

	if (cls ? n->dump_cls : n->dump_eps)
		return 0;
	np_pol_state_free(&n->dumped);
	r = n->kernel.dump(n->kernel.ctx, &n->dumped, err);
	if (r == -EOPNOTSUPP) {
		/* the module has network-policy disabled: it holds none */
		np_pol_state_free(&n->dumped);
		np_err_clear(err);
		r = 0;
	}
	if (r)
		return r;
	n->counts.generation = n->dumped.generation;
	n->dump_cls = n->dump_eps = true;
	return 0;
}

/* Hands the dumped array of one table to the runner (it frees it). */
static int take(void **items, size_t *nitems, void **arr, size_t *narr)
{
	*items = *arr;
	*nitems = *narr;
	*arr = NULL;
	*narr = 0;
	return 0;
}

static int tx_add_cls(struct np_netpol_rc *n, const struct np_cidr *c,
		      uint32_t cls)
{
	struct np_pol_class *v = realloc(n->tx_cls,
					 (n->n_tx_cls + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	n->tx_cls = v;
	v[n->n_tx_cls++] = (struct np_pol_class){ *c, cls };
	return 0;
}

static int tx_add_ep(struct np_netpol_rc *n, const struct np_pol_endpoint *e)
{
	struct np_pol_endpoint *v = realloc(n->tx_eps,
					    (n->n_tx_eps + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	n->tx_eps = v;
	v[n->n_tx_eps++] = *e;	/* shallow: want's arrays, alive to end */
	return 0;
}

static int oom(struct np_err *err)
{
	return np_err_set(err, ENOMEM, "out of memory collecting the transaction");
}

/* ---- table: class map prefixes ------------------------------------------ */

static bool cls_same(const void *want, const void *cur)
{
	const struct np_pol_class *a = want, *b = cur;

	return a->cls == b->cls;
}

static const char *cls_key(const void *item, char *buf, size_t len)
{
	return np_cidr_str(&((const struct np_pol_class *)item)->cidr, buf,
			   len);
}

static int cls_plan(void *ctx, const struct np_rc_pass *pass,
		    const void **want, size_t *nw)
{
	struct np_netpol_rc *n = ctx;

	(void)pass;
	*want = n->want_cls;
	*nw = n->n_want_cls;
	return 0;
}

static int cls_dump(void *ctx, void **items, size_t *ni, struct np_err *err)
{
	struct np_netpol_rc *n = ctx;
	int r = dump_once(n, true, err);

	if (r)
		return r;
	n->dump_cls = false;
	return take(items, ni, (void **)&n->dumped.classes,
		    &n->dumped.n_classes);
}

static int cls_create(void *ctx, const void *want, struct np_err *err)
{
	struct np_netpol_rc *n = ctx;
	const struct np_pol_class *c = want;

	if (tx_add_cls(n, &c->cidr, c->cls))
		return oom(err);
	n->cls_set++;
	return 0;
}

static int cls_replace(void *ctx, const void *cur, const void *want,
		       struct np_err *err)
{
	(void)cur;
	return cls_create(ctx, want, err);
}

static int cls_remove(void *ctx, const void *cur, struct np_err *err)
{
	struct np_netpol_rc *n = ctx;

	if (tx_add_cls(n, &((const struct np_pol_class *)cur)->cidr, 0))
		return oom(err);
	n->cls_del++;
	return 0;
}

static void cls_log(void *ctx, const char *what, const void *item)
{
	const struct np_pol_class *c = item;
	char k[NP_CIDR_STRLEN];

	(void)ctx;
	np_log_debug("netpol: prefix %s class %" PRIu32 " %s (staged)",
		     np_cidr_str(&c->cidr, k, sizeof(k)), c->cls, what);
}

/* ---- table: endpoints ----------------------------------------------------- */

static bool ep_same(const void *want, const void *cur)
{
	return np_pol_endpoint_same(want, cur);
}

static const char *ep_key(const void *item, char *buf, size_t len)
{
	return np_addr_str(&((const struct np_pol_endpoint *)item)->addr, buf,
			   len);
}

static int ep_copy(void *dst, const void *src)
{
	return np_pol_endpoint_copy(dst, src);
}

static void ep_clear(void *item)
{
	np_pol_endpoint_clear(item);
}

static int ep_plan(void *ctx, const struct np_rc_pass *pass,
		   const void **want, size_t *nw)
{
	struct np_netpol_rc *n = ctx;

	(void)pass;
	*want = n->want_eps;
	*nw = n->n_want_eps;
	return 0;
}

static int ep_dump(void *ctx, void **items, size_t *ni, struct np_err *err)
{
	struct np_netpol_rc *n = ctx;
	int r = dump_once(n, false, err);

	if (r)
		return r;
	n->dump_eps = false;
	return take(items, ni, (void **)&n->dumped.endpoints,
		    &n->dumped.n_endpoints);
}

static int ep_create(void *ctx, const void *want, struct np_err *err)
{
	struct np_netpol_rc *n = ctx;

	if (tx_add_ep(n, want))
		return oom(err);
	n->ep_set++;
	return 0;
}

static int ep_replace(void *ctx, const void *cur, const void *want,
		      struct np_err *err)
{
	(void)cur;
	return ep_create(ctx, want, err);
}

static int ep_remove(void *ctx, const void *cur, struct np_err *err)
{
	struct np_netpol_rc *n = ctx;
	struct np_pol_endpoint del = {
		.addr = ((const struct np_pol_endpoint *)cur)->addr,
		.flags = NP_PEP_F_DELETE,
	};

	if (tx_add_ep(n, &del))
		return oom(err);
	n->ep_del++;
	return 0;
}

static void ep_log(void *ctx, const char *what, const void *item)
{
	const struct np_pol_endpoint *e = item;
	char k[NP_ADDR_STRLEN];

	(void)ctx;
	np_log_debug("netpol: endpoint %s (%s) %s (staged, %zu rules)",
		     np_addr_str(&e->addr, k, sizeof(k)),
		     e->name ? e->name : "-", what, e->n_rules);
}

/* ---- commit and end ------------------------------------------------------- */

static int commit(void *ctx, struct np_rc_pass *pass)
{
	struct np_netpol_rc *n = ctx;
	struct np_pol_txn txn = { n->tx_cls, n->n_tx_cls, n->tx_eps,
				  n->n_tx_eps };
	struct np_err err;
	uint64_t gen = 0;
	int r;

	if (!n->n_tx_cls && !n->n_tx_eps)
		return 0;	/* nothing changed: nothing sent */
	np_err_clear(&err);
	r = n->kernel.set(n->kernel.ctx, &txn, n->counts.generation, &gen,
			  &err);
	if (r) {
		n->counts.commit_failures++;
		n->counts.generation = 0;	/* read it again */
		snprintf(pass->why, sizeof(pass->why),
			 "transaction (%zu prefixes, %zu endpoints): %.150s%s",
			 n->n_tx_cls, n->n_tx_eps,
			 err.msg[0] ? err.msg : strerror(-r),
			 r == -ESTALE ? " (changed by someone else: read again)" : "");
		return r;
	}
	n->counts.commits++;
	n->counts.generation = gen;
	n->counts.cls_set = n->cls_set;
	n->counts.cls_del = n->cls_del;
	n->counts.ep_set = n->ep_set;
	n->counts.ep_del = n->ep_del;
	np_log_info("netpol: committed generation %" PRIu64 ": prefixes %u set, %u removed; endpoints %u set, %u removed",
		    gen, n->cls_set, n->cls_del, n->ep_set, n->ep_del);
	return 0;
}

static void on_leave(struct np_timer *t)
{
	struct np_netpol_rc *n = container_of(t, struct np_netpol_rc, t_leave);

	if (!n->disabled || !n->rc)
		return;
	np_runner_remove(n->runner, n->rc);
	n->rc = NULL;
	n->idle = true;
	want_free(n);
	tx_clear(n);
	np_log_info("netpol: disabled: nothing left in the kernel, stopped");
}

static void end(void *ctx, const struct np_rc_pass *pass)
{
	struct np_netpol_rc *n = ctx;

	/* the runner is in its pass: leave it from the loop */
	if (n->disabled && !pass->counts.failed)
		np_timer_arm(n->lp, &n->t_leave, 0);
}

static uint64_t generation(void *ctx)
{
	struct np_netpol_rc *n = ctx;

	return n->kernel.generation ? n->kernel.generation(n->kernel.ctx) : 0;
}

static const struct np_rc_table cls_table = {
	.name = "prefix", .size = sizeof(struct np_pol_class),
	.cmp_key = np_pol_class_qcmp, .same = cls_same, .key_str = cls_key,
	.plan = cls_plan, .dump = cls_dump, .create = cls_create,
	.replace = cls_replace, .remove = cls_remove, .log = cls_log,
};

static const struct np_rc_table ep_table = {
	.name = "endpoint", .size = sizeof(struct np_pol_endpoint),
	.cmp_key = np_pol_endpoint_qcmp, .same = ep_same, .key_str = ep_key,
	.copy = ep_copy, .clear = ep_clear,
	.plan = ep_plan, .dump = ep_dump, .create = ep_create,
	.replace = ep_replace, .remove = ep_remove, .log = ep_log,
};

static const struct np_rc_table *const tables[] = { &cls_table, &ep_table };

static const struct np_rc_ops on_ops = {
	.name = "netpol", .kinds = NP_NETPOL_KINDS,
	.generation = generation, .begin = begin, .commit = commit,
	.end = end, .tables = tables, .n_tables = 2,
};

/* Off: reads nothing (no barrier), plans nothing, removes everything. */
static const struct np_rc_ops off_ops = {
	.name = "netpol", .kinds = 0,
	.generation = generation, .begin = begin, .commit = commit,
	.end = end, .tables = tables, .n_tables = 2,
};

/* ---- life ------------------------------------------------------------------ */

static int join(struct np_netpol_rc *n)
{
	n->idle = false;
	return np_runner_add(n->runner, n->disabled ? &off_ops : &on_ops, n,
			     &n->rc);
}

int np_netpol_rc_new(const struct np_netpol_rc_deps *d,
		     struct np_netpol_rc **out)
{
	struct np_netpol_rc *n;
	int r;

	*out = NULL;
	if (!d->lp || !d->runner || !d->model || !d->self || !d->self[0] ||
	    !d->kernel.dump || !d->kernel.set || !d->compiler.classes_new ||
	    !d->compiler.classes_free || !d->compiler.compile ||
	    !d->compiler.plan_free)
		return -EINVAL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->lp = d->lp;
	n->runner = d->runner;
	n->model = d->model;
	n->kernel = d->kernel;
	n->cc = d->compiler;
	n->disabled = d->disabled;
	n->t_leave.fire = on_leave;
	n->self = strdup(d->self);
	n->classes = n->cc.classes_new();
	r = n->self && n->classes ? join(n) : -ENOMEM;
	if (r) {
		np_netpol_rc_free(n);
		return r;
	}
	if (n->disabled)
		np_log_info("netpol: disabled: what a previous run left is removed");
	*out = n;
	return 0;
}

void np_netpol_rc_set_disabled(struct np_netpol_rc *n, bool disabled)
{
	if (n->disabled == disabled)
		return;
	np_log_info("netpol: %s", disabled ?
		    "disabled: removing every endpoint and prefix" :
		    "enabled");
	np_timer_cancel(n->lp, &n->t_leave);
	if (n->rc)
		np_runner_remove(n->runner, n->rc);
	n->rc = NULL;
	n->disabled = disabled;
	if (join(n) < 0)
		np_log_error("netpol: cannot join the runner: out of memory");
}

bool np_netpol_rc_idle(const struct np_netpol_rc *n)
{
	return n->idle;
}

void np_netpol_rc_full(struct np_netpol_rc *n)
{
	if (n->rc)
		np_rc_full(n->rc);
}

void np_netpol_rc_free(struct np_netpol_rc *n)
{
	if (!n)
		return;
	np_timer_cancel(n->lp, &n->t_leave);
	if (n->rc)
		np_runner_remove(n->runner, n->rc);
	want_free(n);
	tx_clear(n);
	np_pol_state_free(&n->dumped);
	problems_free(n->problems, n->n_problems);
	if (n->classes)
		n->cc.classes_free(n->classes);
	free(n->self);
	free(n);
}

const struct np_netpol_rc_counts *
np_netpol_rc_counts(const struct np_netpol_rc *n)
{
	return &n->counts;
}

const struct np_rc_stats *np_netpol_rc_stats(const struct np_netpol_rc *n)
{
	return n->rc ? np_rc_stats(n->rc) : NULL;
}
