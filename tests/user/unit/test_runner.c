// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reconciler runner (daemon/reconcile/runner.c) with fake reconcilers
 * whose "kernel" is an array here, on the real model and event loop:
 * nothing applied before every kind read is synced; dirty keys coalesced
 * into one pass; deletes before creates; replace in place, or remove and
 * create when the table cannot; a failed item retried after a backoff
 * that doubles up to its cap while the rest is applied; a full resync
 * after the period repairs drift; a generation change or the nodeplane
 * family's return brings a full pass. Waits are for a state, with a
 * generous deadline; nothing asserts how long something took.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <linux/nodeplane.h>

#include "check.h"
#include "log.h"
#include "loop.h"
#include "model/model.h"
#include "nl/nl.h"
#include "reconcile/runner.h"

#define MAXI 32

struct item {
	unsigned int key;
	unsigned int val;
};

/* A fake reconciler and its kernel. */
struct fake {
	struct item want[MAXI];
	size_t nw;
	struct item kern[MAXI];
	size_t nk;
	char ops[1024];			/* "D1 A2 R3 !A4 " */
	int n_plan, n_dump, n_begin, n_end, n_family;
	unsigned int fail_key;		/* creates/replaces of it fail ... */
	int fail_left;			/* ... this many more times */
	uint64_t gen;
	bool saw_reloaded, saw_full, saw_all_dirty;
	char dirty[256];		/* keys of the last pass, "a,b" */
	unsigned int retry_ms[8];	/* pass->retry_ms seen by end */
	size_t n_retry;
	struct np_rc *rc;
};

static struct np_loop *lp;
static struct np_model *m;
static struct np_runner *runner;
static uint32_t fixed_rand;

/* ---- the fake kernel ---------------------------------------------------- */

/* Appends "<what><key> " to the log of operations. */
static void op(struct fake *f, const char *what, unsigned int key)
{
	size_t o = strlen(f->ops);

	snprintf(f->ops + o, sizeof(f->ops) - o, "%s%u ", what, key);
}

static struct item *kfind(struct fake *f, unsigned int key)
{
	size_t i;

	for (i = 0; i < f->nk; i++)
		if (f->kern[i].key == key)
			return &f->kern[i];
	return NULL;
}

static void kdel(struct fake *f, unsigned int key)
{
	struct item *x = kfind(f, key);

	if (x)
		*x = f->kern[--f->nk];
}

static bool failing(struct fake *f, unsigned int key)
{
	if (key != f->fail_key || f->fail_left <= 0)
		return false;
	f->fail_left--;
	return true;
}

static int k_create(void *ctx, const void *want, struct np_err *err)
{
	struct fake *f = ctx;
	const struct item *w = want;

	if (failing(f, w->key)) {
		op(f, "!A", w->key);
		return np_err_set(err, EBUSY, "item %u refused", w->key);
	}
	if (kfind(f, w->key))
		return np_err_set(err, EEXIST, "item %u exists", w->key);
	op(f, "A", w->key);
	f->kern[f->nk++] = *w;
	return 0;
}

static int k_replace(void *ctx, const void *cur, const void *want,
		     struct np_err *err)
{
	struct fake *f = ctx;
	const struct item *w = want;
	struct item *x = kfind(f, w->key);

	(void)cur;
	if (failing(f, w->key)) {
		op(f, "!R", w->key);
		return np_err_set(err, EBUSY, "item %u refused", w->key);
	}
	if (!x)
		return np_err_set(err, ENOENT, "item %u absent", w->key);
	op(f, "R", w->key);
	*x = *w;
	return 0;
}

static int k_remove(void *ctx, const void *cur, struct np_err *err)
{
	struct fake *f = ctx;
	const struct item *c = cur;

	(void)err;
	op(f, "D", c->key);
	kdel(f, c->key);
	return 0;
}

static int k_dump(void *ctx, void **items, size_t *n, struct np_err *err)
{
	struct fake *f = ctx;
	struct item *v = calloc(f->nk + 1, sizeof(*v));

	if (!v)
		return np_err_set(err, ENOMEM, "out of memory");
	memcpy(v, f->kern, f->nk * sizeof(*v));
	*items = v;
	*n = f->nk;
	f->n_dump++;
	return 0;
}

static int item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

static bool item_same(const void *want, const void *cur)
{
	return ((const struct item *)want)->val ==
	       ((const struct item *)cur)->val;
}

static const char *item_key(const void *item, char *buf, size_t len)
{
	snprintf(buf, len, "%u", ((const struct item *)item)->key);
	return buf;
}

static int plan(void *ctx, const struct np_rc_pass *pass, const void **want,
		size_t *n)
{
	struct fake *f = ctx;
	size_t i, o = 0;

	f->n_plan++;
	f->saw_full = pass->full;
	f->saw_all_dirty = pass->all_dirty;
	f->dirty[0] = '\0';
	for (i = 0; i < pass->n_dirty; i++)
		o += (size_t)snprintf(f->dirty + o, sizeof(f->dirty) - o,
				      "%s%s", i ? "," : "", pass->dirty[i]);
	qsort(f->want, f->nw, sizeof(f->want[0]), item_cmp);
	*want = f->want;
	*n = f->nw;
	return 0;
}

/* ---- the reconciler's ops ----------------------------------------------- */

static void notify(void *ctx, struct np_rc *rc, enum np_kind kind,
		   const void *old, const void *new_obj)
{
	const struct np_node *n = new_obj ? new_obj : old;

	(void)ctx;
	(void)kind;
	np_rc_mark(rc, n->meta.name);
}

static uint64_t generation(void *ctx)
{
	return ((struct fake *)ctx)->gen;
}

static bool family(void *ctx, const char *name, bool added)
{
	struct fake *f = ctx;

	f->n_family++;
	return added && !strcmp(name, "wireguard");
}

static int begin(void *ctx, struct np_rc_pass *pass)
{
	struct fake *f = ctx;

	f->n_begin++;
	if (pass->reloaded)
		f->saw_reloaded = true;
	return 0;
}

static void end(void *ctx, const struct np_rc_pass *pass)
{
	struct fake *f = ctx;

	f->n_end++;
	if (pass->counts.failed && f->n_retry < 8)
		f->retry_ms[f->n_retry++] = pass->retry_ms;
}

static const struct np_rc_table table_replace = {
	.name = "item", .size = sizeof(struct item), .cmp_key = item_cmp,
	.same = item_same, .key_str = item_key, .plan = plan, .dump = k_dump,
	.create = k_create, .replace = k_replace, .remove = k_remove,
};
static const struct np_rc_table table_no_replace = {
	.name = "item", .size = sizeof(struct item), .cmp_key = item_cmp,
	.same = item_same, .key_str = item_key, .plan = plan, .dump = k_dump,
	.create = k_create, .remove = k_remove,
};
static const struct np_rc_table *const tables_replace[] = { &table_replace };
static const struct np_rc_table *const tables_no_replace[] = {
	&table_no_replace
};

static const struct np_rc_ops ops_nodes = {
	.name = "fake", .kinds = 1U << NP_KIND_NODE, .notify = notify,
	.generation = generation, .family = family, .begin = begin,
	.end = end, .tables = tables_replace, .n_tables = 1,
};
static const struct np_rc_ops ops_two_kinds = {
	.name = "fake2",
	.kinds = 1U << NP_KIND_NODE | 1U << NP_KIND_SERVICE,
	.begin = begin, .end = end, .tables = tables_replace, .n_tables = 1,
};
static const struct np_rc_ops ops_no_replace = {
	.name = "fake3", .kinds = 1U << NP_KIND_NODE, .begin = begin,
	.end = end, .tables = tables_no_replace, .n_tables = 1,
};

/* ---- helpers -------------------------------------------------------------- */

static uint32_t rand_fixed(void)
{
	return fixed_rand;
}

static void setup(const struct np_runner_timing *tm)
{
	struct np_runner_deps d = { 0 };

	np_loop_new(&lp);
	m = np_model_new();
	d.lp = lp;
	d.model = m;
	d.timing = tm;
	d.rand = rand_fixed;
	np_runner_new(&d, &runner);
}

static void teardown(void)
{
	np_runner_free(runner);
	np_model_free(m);
	np_loop_free(lp);
	runner = NULL;
}

/* Timing for tests: no jitter unless asked, short delays, no resync. */
static const struct np_runner_timing quick = {
	.debounce_ms = 5, .resync_ms = 3600000, .resync_jitter_pct = 0,
	.retry_min_ms = 20, .retry_max_ms = 80, .retry_jitter_pct = 0,
};

static bool (*poll_pred)(struct fake *);
static struct fake *poll_f;
static struct np_timer t_poll, t_deadline;

static void on_poll(struct np_timer *t)
{
	if (poll_pred && poll_pred(poll_f))
		np_loop_stop(lp, 0);
	else
		np_timer_arm(lp, t, 2);
}

static void on_deadline(struct np_timer *t)
{
	(void)t;
	np_loop_stop(lp, 1);
}

/* Runs the loop until pred(f) holds (true) or ms passed (false). */
static bool run_until(bool (*pred)(struct fake *), struct fake *f,
		      unsigned int ms)
{
	poll_pred = pred;
	poll_f = f;
	t_poll.fire = on_poll;
	t_deadline.fire = on_deadline;
	np_timer_arm(lp, &t_poll, 0);
	np_timer_arm(lp, &t_deadline, ms);
	np_loop_run(lp);
	np_timer_cancel(lp, &t_poll);
	np_timer_cancel(lp, &t_deadline);
	return pred ? pred(f) : false;
}

/* Runs the loop for ms, whatever happens (to see that nothing does). */
static void run_for(unsigned int ms)
{
	run_until(NULL, NULL, ms);
}

/* The kernel holds exactly want. */
static bool converged(struct fake *f)
{
	size_t i;

	if (f->nk != f->nw)
		return false;
	for (i = 0; i < f->nw; i++) {
		struct item *x = kfind(f, f->want[i].key);

		if (!x || x->val != f->want[i].val)
			return false;
	}
	return true;
}

static int node(const char *name, const char *label)
{
	char buf[512], err[256];
	cJSON *j;
	int r;

	snprintf(buf, sizeof(buf),
		 "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{"
		 "\"name\":\"%s\",\"labels\":{\"x\":\"%s\"}}}", name, label);
	j = cJSON_Parse(buf);
	if (!j)
		return -EINVAL;
	r = np_model_upsert(m, NP_KIND_NODE, j, err, sizeof(err));
	cJSON_Delete(j);
	return r;
}

static void sync_nodes(void)
{
	np_model_sync_begin(m, NP_KIND_NODE);
	node("a", "0");
	np_model_sync_end(m, NP_KIND_NODE);
}

static void want(struct fake *f, const char *spec)
{
	unsigned int k, v;
	int used;

	f->nw = 0;
	while (sscanf(spec, " %u=%u%n", &k, &v, &used) == 2) {
		f->want[f->nw++] = (struct item){ k, v };
		spec += used;
	}
}

static void kern(struct fake *f, const char *spec)
{
	unsigned int k, v;
	int used;

	f->nk = 0;
	while (sscanf(spec, " %u=%u%n", &k, &v, &used) == 2) {
		f->kern[f->nk++] = (struct item){ k, v };
		spec += used;
	}
}

/* ---- the cases ------------------------------------------------------------ */

TEST(nothing_applied_before_every_kind_is_synced)
{
	static struct fake f;

	setup(&quick);
	want(&f, "1=1 2=1");
	kern(&f, "7=0");
	CHECK_INT(np_runner_add(runner, &ops_two_kinds, &f, &f.rc), 0);
	run_for(60);
	/* Nodes listed but Services not: still nothing */
	sync_nodes();
	run_for(60);
	CHECK_INT(f.n_begin + f.n_plan + f.n_dump, 0);
	CHECK_STR(f.ops, "");
	CHECK(np_rc_stats(f.rc)->waits > 0);
	CHECK_INT(np_rc_stats(f.rc)->passes, 0);
	/* the last kind synced: one full pass programs everything */
	np_model_sync_begin(m, NP_KIND_SERVICE);
	np_model_sync_end(m, NP_KIND_SERVICE);
	CHECK(run_until(converged, &f, 5000));
	CHECK_STR(f.ops, "D7 A1 A2 ");
	CHECK_INT(f.n_dump, 1);
	CHECK_INT(np_rc_stats(f.rc)->passes, 1);
	CHECK_INT(np_rc_stats(f.rc)->applied, 3);
	teardown();
}

static bool planned_twice(struct fake *f)
{
	return f->n_plan >= 2;
}

TEST(dirty_keys_coalesced_into_one_pass)
{
	static struct fake f;

	setup(&quick);
	want(&f, "1=1");
	sync_nodes();
	CHECK_INT(np_runner_add(runner, &ops_nodes, &f, &f.rc), 0);
	CHECK(run_until(converged, &f, 5000));
	CHECK_INT(f.n_plan, 1);
	CHECK(f.saw_all_dirty);
	/* a burst: b three times, c once, a once, within one debounce */
	CHECK_INT(node("b", "1"), 0);
	CHECK_INT(node("b", "2"), 0);
	CHECK_INT(node("c", "1"), 0);
	CHECK_INT(node("b", "3"), 0);
	CHECK_INT(node("a", "9"), 0);
	want(&f, "1=1 2=5");
	CHECK(run_until(planned_twice, &f, 5000));
	run_for(50);			/* no further pass comes */
	CHECK_INT(f.n_plan, 2);
	CHECK_STR(f.dirty, "a,b,c");
	CHECK(!f.saw_all_dirty);
	CHECK(!f.saw_full);
	CHECK_INT(f.n_dump, 1);		/* incremental: no dump */
	CHECK(converged(&f));
	CHECK_STR(f.ops, "A1 A2 ");
	teardown();
}

TEST(deletes_before_creates_and_replace_in_place)
{
	static struct fake f;

	setup(&quick);
	sync_nodes();
	kern(&f, "5=0 1=0 3=0 2=0");
	want(&f, "3=1 4=0 0=0");
	CHECK_INT(np_runner_add(runner, &ops_nodes, &f, &f.rc), 0);
	CHECK(run_until(converged, &f, 5000));
	CHECK_STR(f.ops, "D1 D2 D5 A0 R3 A4 ");
	CHECK_INT(np_rc_stats(f.rc)->applied, 6);
	teardown();
}

TEST(replace_without_in_place_is_remove_then_create)
{
	static struct fake f;

	setup(&quick);
	sync_nodes();
	kern(&f, "1=0 3=0");
	want(&f, "3=1 4=0");
	CHECK_INT(np_runner_add(runner, &ops_no_replace, &f, &f.rc), 0);
	CHECK(run_until(converged, &f, 5000));
	CHECK_STR(f.ops, "D1 D3 A3 A4 ");
	teardown();
}

static bool retried_once(struct fake *f)
{
	return converged(f) && np_rc_stats(f->rc)->retries >= 1;
}

TEST(failed_item_retried_after_backoff_rest_applied)
{
	static struct fake f;
	size_t n;
	const struct item *cur;

	setup(&quick);
	sync_nodes();
	want(&f, "1=0 2=0 3=0");
	f.fail_key = 2;
	f.fail_left = 1;
	CHECK_INT(np_runner_add(runner, &ops_nodes, &f, &f.rc), 0);
	CHECK(run_until(retried_once, &f, 5000));
	/* the first pass applied 1 and 3; the retry (full: a dump) only 2 */
	CHECK_STR(f.ops, "A1 !A2 A3 A2 ");
	CHECK_INT(f.n_dump, 2);
	CHECK_INT(np_rc_stats(f.rc)->failures, 1);
	CHECK_INT(np_rc_stats(f.rc)->retries, 1);
	CHECK_STR(np_rc_stats(f.rc)->last_error,
		  "item 2: item 2 refused (Device or resource busy)");
	/* the cur list is the kernel's */
	cur = np_rc_cur(f.rc, 0, &n);
	CHECK_INT(n, 3);
	CHECK_INT(cur[1].key, 2);
	teardown();
}

static bool five_failures(struct fake *f)
{
	return f->n_retry >= 5;
}

TEST(backoff_doubles_to_its_cap_with_jitter_and_resets)
{
	static struct fake f;
	struct np_runner_timing tm = quick;

	tm.retry_jitter_pct = 50;
	fixed_rand = 7;			/* +7 ms of jitter on each */
	setup(&tm);
	sync_nodes();
	want(&f, "1=0");
	f.fail_key = 1;
	f.fail_left = 5;
	CHECK_INT(np_runner_add(runner, &ops_nodes, &f, &f.rc), 0);
	CHECK(run_until(five_failures, &f, 10000));
	CHECK_INT(f.retry_ms[0], 27);
	CHECK_INT(f.retry_ms[1], 47);
	CHECK_INT(f.retry_ms[2], 87);
	CHECK_INT(f.retry_ms[3], 87);	/* capped at 80 (+ jitter) */
	CHECK_INT(f.retry_ms[4], 87);
	CHECK(run_until(converged, &f, 5000));
	/* a success resets it: the next failure starts again at 20 */
	f.fail_left = 1;
	want(&f, "1=1");
	CHECK_INT(node("b", "1"), 0);
	CHECK(run_until(retried_once, &f, 5000));
	CHECK(run_until(converged, &f, 5000));
	CHECK_INT(f.n_retry, 6);
	CHECK_INT(f.retry_ms[5], 27);
	fixed_rand = 0;
	teardown();
}

static bool dumped_again(struct fake *f)
{
	return f->n_dump >= 2 && converged(f);
}

TEST(full_resync_after_the_period_repairs_drift)
{
	static struct fake f;
	struct np_runner_timing tm = quick;

	tm.resync_ms = 150;
	tm.resync_jitter_pct = 10;
	fixed_rand = 3;
	setup(&tm);
	sync_nodes();
	want(&f, "1=0 2=0");
	CHECK_INT(np_runner_add(runner, &ops_nodes, &f, &f.rc), 0);
	CHECK(run_until(converged, &f, 5000));
	/* behind the runner's back: 2 gone, 9 added */
	kdel(&f, 2);
	f.kern[f.nk++] = (struct item){ 9, 0 };
	f.ops[0] = '\0';
	CHECK(run_until(dumped_again, &f, 5000));
	CHECK_STR(f.ops, "D9 A2 ");
	CHECK(f.saw_full);
	CHECK(np_rc_stats(f.rc)->full_passes >= 2);
	fixed_rand = 0;
	teardown();
}

static bool reloaded_and_converged(struct fake *f)
{
	return f->saw_reloaded && converged(f);
}

TEST(full_pass_after_a_generation_change)
{
	static struct fake f;

	setup(&quick);
	sync_nodes();
	want(&f, "1=0 2=0");
	CHECK_INT(np_runner_add(runner, &ops_nodes, &f, &f.rc), 0);
	CHECK(run_until(converged, &f, 5000));
	CHECK(!f.saw_reloaded);
	/* the module reloaded: its state gone, the generation moved; a
	 * Node event brings a pass, which must be full */
	f.nk = 0;
	f.gen++;
	f.ops[0] = '\0';
	CHECK_INT(node("b", "1"), 0);
	CHECK(run_until(reloaded_and_converged, &f, 5000));
	CHECK(f.saw_full);
	CHECK_INT(f.n_dump, 2);
	CHECK_STR(f.ops, "A1 A2 ");
	teardown();
}

TEST(full_pass_when_the_family_comes_back)
{
	static struct fake f;

	setup(&quick);
	sync_nodes();
	want(&f, "1=0");
	CHECK_INT(np_runner_add(runner, &ops_nodes, &f, &f.rc), 0);
	CHECK(run_until(converged, &f, 5000));
	f.nk = 0;			/* module away and back, no event */
	np_runner_family(runner, NODEPLANE_GENL_NAME, false, 0);
	run_for(30);
	CHECK_INT(f.n_dump, 1);		/* unregistered: nothing to do yet */
	np_runner_family(runner, NODEPLANE_GENL_NAME, true, 42);
	CHECK(run_until(converged, &f, 5000));
	CHECK_INT(f.n_dump, 2);
	/* another family: the reconciler decides (wireguard: full) */
	f.nk = 0;
	np_runner_family(runner, "wireguard", true, 43);
	CHECK(run_until(converged, &f, 5000));
	CHECK_INT(f.n_dump, 3);
	CHECK_INT(f.n_family, 1);	/* only non-nodeplane names */
	teardown();
}

TEST(registration_refuses_an_incomplete_table)
{
	static const struct np_rc_table bad = {
		.name = "item", .size = sizeof(struct item),
		.cmp_key = item_cmp, .same = item_same, .key_str = item_key,
		.plan = plan, .dump = k_dump, .create = k_create,
		/* no remove */
	};
	static const struct np_rc_table *const bad_tables[] = { &bad };
	static const struct np_rc_ops bad_ops = {
		.name = "bad", .kinds = 1U << NP_KIND_NODE,
		.tables = bad_tables, .n_tables = 1,
	};
	struct np_rc *rc = (void *)1;

	setup(&quick);
	CHECK_INT(np_runner_add(runner, &bad_ops, NULL, &rc), -EINVAL);
	CHECK(!rc);
	teardown();
}

int main(void)
{
	np_log_set_level(NP_LOG_ERROR);
	RUN(nothing_applied_before_every_kind_is_synced);
	RUN(dirty_keys_coalesced_into_one_pass);
	RUN(deletes_before_creates_and_replace_in_place);
	RUN(replace_without_in_place_is_remove_then_create);
	RUN(failed_item_retried_after_backoff_rest_applied);
	RUN(backoff_doubles_to_its_cap_with_jitter_and_resets);
	RUN(full_resync_after_the_period_repairs_drift);
	RUN(full_pass_after_a_generation_change);
	RUN(full_pass_when_the_family_comes_back);
	RUN(registration_refuses_an_incomplete_table);
	return check_summary();
}
