// SPDX-License-Identifier: GPL-2.0-only
/*
 * The runner with a table of LB frontends (reconcile/lb_items.h), as the
 * servicelb and hostport reconcilers will use it, against a fake kernel
 * holding both owners' frontends: only the reconciler's own frontends are
 * diffed (the other owner's stay), deletes come first, a changed backend
 * set is replaced in place, an unchanged frontend is left alone, and the
 * cur list owns deep copies (built with AddressSanitizer: a frontend the
 * runner kept pointing into the plan's memory, freed twice, or leaked,
 * fails the test).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <netinet/in.h>

#include "check.h"
#include "log.h"
#include "loop.h"
#include "model/model.h"
#include "nl/nl.h"
#include "reconcile/lb_items.h"
#include "reconcile/runner.h"

/* The runner looks the family up again on its return; no module here. */
int np_nl_resolve(struct np_nl *nl, struct np_err *err)
{
	(void)nl;
	(void)err;
	return 0;
}

#define MAXF 16

static struct np_lb_frontend kern[MAXF];	/* the fake kernel */
static size_t nk;
static struct np_lb_frontend *want;		/* the plan: malloc'd */
static size_t nw;
static char ops[512];
static int n_dump;

static struct np_loop *lp;
static struct np_model *m;
static struct np_runner *runner;

static void logop(const char *what, const struct np_lb_frontend *fe)
{
	char k[64];
	size_t o = strlen(ops);

	snprintf(ops + o, sizeof(ops) - o, "%s %s ", what,
		 np_lb_key_str(fe, k, sizeof(k)));
}

static struct np_lb_frontend fe(uint8_t owner, uint8_t proto, uint16_t port,
				const char *backends)
{
	struct np_lb_frontend f = { .family = AF_INET, .proto = proto,
				    .port = port, .owner = owner };
	char addr[64];
	unsigned int bport;
	int used;

	f.backends = calloc(8, sizeof(*f.backends));
	while (f.backends &&
	       sscanf(backends, " %63[0-9.]:%u%n", addr, &bport, &used) == 2) {
		np_addr_parse(addr, &f.backends[f.n_backends].addr);
		f.backends[f.n_backends++].port = (uint16_t)bport;
		backends += used;
	}
	np_lb_frontend_canon(&f);
	return f;
}

static struct np_lb_frontend *kfind(const struct np_lb_frontend *key)
{
	size_t i;

	for (i = 0; i < nk; i++)
		if (!np_lb_frontend_cmp_key(&kern[i], key))
			return &kern[i];
	return NULL;
}

/* NP_CMD_LB_SET: creates or replaces in place (whatever the owner). */
static int k_set(void *ctx, const void *item, struct np_err *err)
{
	const struct np_lb_frontend *w = item;
	struct np_lb_frontend *x = kfind(w), copy;

	(void)ctx;
	if (np_lb_frontend_copy(&copy, w))
		return np_err_set(err, ENOMEM, "out of memory");
	logop(x ? "set(replace)" : "set(new)", w);
	if (x) {
		np_lb_frontend_clear(x);
		*x = copy;
	} else {
		kern[nk++] = copy;
	}
	return 0;
}

static int k_replace(void *ctx, const void *cur, const void *w,
		     struct np_err *err)
{
	(void)cur;
	return k_set(ctx, w, err);
}

static int k_del(void *ctx, const void *item, struct np_err *err)
{
	struct np_lb_frontend *x = kfind(item);

	(void)ctx;
	if (!x)
		return np_err_set(err, ENOENT, "no such frontend");
	logop("del", x);
	np_lb_frontend_clear(x);
	*x = kern[--nk];
	return 0;
}

/* NP_CMD_LB_GET: every owner's frontends, as np_nl_lb_dump returns them. */
static int k_dump(void *ctx, void **items, size_t *n, struct np_err *err)
{
	struct np_lb_list l = { calloc(nk + 1, sizeof(*l.v)), 0 };
	size_t i;

	(void)ctx;
	n_dump++;
	if (!l.v)
		return np_err_set(err, ENOMEM, "out of memory");
	for (i = 0; i < nk; i++)
		if (!np_lb_frontend_copy(&l.v[l.n], &kern[i]))
			l.n++;
	return np_rc_lb_take_owner(&l, NP_LB_OWNER_SERVICELB, items, n, err);
}

static int plan(void *ctx, const struct np_rc_pass *pass, const void **w,
		size_t *n)
{
	(void)ctx;
	(void)pass;
	qsort(want, nw, sizeof(*want), np_lb_frontend_qcmp);
	*w = want;
	*n = nw;
	return 0;
}

static const struct np_rc_table frontends = {
	.name = "frontend", NP_RC_LB_ITEMS,
	.plan = plan, .dump = k_dump, .create = k_set, .replace = k_replace,
	.remove = k_del,
};
static const struct np_rc_table *const tables[] = { &frontends };
static const struct np_rc_ops ops_slb = {
	.name = "servicelb", .kinds = 1U << NP_KIND_SERVICE,
	.tables = tables, .n_tables = 1,
};

static void want_free(void)
{
	size_t i;

	for (i = 0; i < nw; i++)
		np_lb_frontend_clear(&want[i]);
	free(want);
	want = NULL;
	nw = 0;
}

static void stop(struct np_timer *t)
{
	(void)t;
	np_loop_stop(lp, 0);
}

/* Every pass due within 100 ms runs (debounce 5 ms). */
static void run_a_while(void)
{
	struct np_timer t = { .fire = stop };

	np_timer_arm(lp, &t, 100);
	np_loop_run(lp);
}

static const struct np_runner_timing quick = {
	.debounce_ms = 5, .resync_ms = 3600000, .retry_min_ms = 20,
	.retry_max_ms = 80,
};

TEST(lb_frontends_own_owner_only_deletes_first_replace_in_place)
{
	struct np_runner_deps d = { 0 };
	struct np_rc *rc;
	size_t i, n;
	const struct np_lb_frontend *cur;
	const struct np_lb_frontend *hp;
	struct np_lb_frontend key;

	np_loop_new(&lp);
	m = np_model_new();
	d = (struct np_runner_deps){ .lp = lp, .model = m, .timing = &quick };
	CHECK_INT(np_runner_new(&d, &runner), 0);
	kern[nk++] = fe(NP_LB_OWNER_SERVICELB, IPPROTO_TCP, 80, "10.0.0.1:8080");
	kern[nk++] = fe(NP_LB_OWNER_SERVICELB, IPPROTO_TCP, 443, "10.0.0.1:8443");
	kern[nk++] = fe(NP_LB_OWNER_SERVICELB, IPPROTO_UDP, 53, "10.0.0.9:53");
	kern[nk++] = fe(NP_LB_OWNER_HOSTPORT, IPPROTO_TCP, 8080, "10.42.0.5:80");
	want = calloc(3, sizeof(*want));
	CHECK(want);
	want[nw++] = fe(NP_LB_OWNER_SERVICELB, IPPROTO_TCP, 8443, "10.0.0.3:1");
	want[nw++] = fe(NP_LB_OWNER_SERVICELB, IPPROTO_TCP, 443,
			"10.0.0.2:8443 10.0.0.1:8443");
	want[nw++] = fe(NP_LB_OWNER_SERVICELB, IPPROTO_TCP, 80, "10.0.0.1:8080");
	np_model_sync_begin(m, NP_KIND_SERVICE);
	np_model_sync_end(m, NP_KIND_SERVICE);
	CHECK_INT(np_runner_add(runner, &ops_slb, NULL, &rc), 0);
	run_a_while();
	CHECK_STR(ops, "del udp/53 set(replace) tcp/443 set(new) tcp/8443 ");
	CHECK_INT(n_dump, 1);
	/* the hostport frontend is there still, untouched */
	key = fe(NP_LB_OWNER_HOSTPORT, IPPROTO_TCP, 8080, "");
	hp = kfind(&key);
	np_lb_frontend_clear(&key);
	CHECK(hp);
	CHECK_INT(hp->n_backends, 1);
	CHECK_INT(nk, 4);

	/* the plan's memory is the reconciler's: freed and rebuilt, only
	 * tcp/80's backends changed; an incremental pass replaces it alone */
	want_free();
	want = calloc(3, sizeof(*want));
	CHECK(want);
	want[nw++] = fe(NP_LB_OWNER_SERVICELB, IPPROTO_TCP, 80, "10.0.0.7:8080");
	want[nw++] = fe(NP_LB_OWNER_SERVICELB, IPPROTO_TCP, 443,
			"10.0.0.1:8443 10.0.0.2:8443");
	want[nw++] = fe(NP_LB_OWNER_SERVICELB, IPPROTO_TCP, 8443, "10.0.0.3:1");
	ops[0] = '\0';
	np_rc_mark_all(rc);
	np_rc_kick(rc, 0);
	run_a_while();
	CHECK_STR(ops, "set(replace) tcp/80 ");
	CHECK_INT(n_dump, 1);
	cur = np_rc_cur(rc, 0, &n);
	CHECK_INT(n, 3);
	CHECK_INT(cur[0].port, 80);
	CHECK_INT(cur[0].n_backends, 1);
	CHECK_INT(cur[0].backends[0].addr.a[3], 7);
	CHECK_INT(cur[2].port, 8443);

	np_runner_free(runner);
	np_model_free(m);
	np_loop_free(lp);
	want_free();
	for (i = 0; i < nk; i++)
		np_lb_frontend_clear(&kern[i]);
	nk = 0;
}

int main(void)
{
	np_log_set_level(NP_LOG_ERROR);
	RUN(lb_frontends_own_owner_only_deletes_first_replace_in_place);
	return check_summary();
}
