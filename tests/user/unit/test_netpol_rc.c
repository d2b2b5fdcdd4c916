// SPDX-License-Identifier: GPL-2.0-only
/*
 * The NetworkPolicy reconciler (netpol/reconcile.h) on the real runner,
 * model and loop, with hand-built plans (a fake compiler) against a fake
 * kernel policy state: one transaction per pass holding only the
 * prefixes and endpoints that changed, nothing sent when nothing changed
 * (incremental and full passes, a kernel dump in another order and
 * spelling), nothing before the kinds are listed, a failed compile or a
 * stale generation leaving the kernel as it was until a retry converges,
 * `disable` removing everything in one transaction and then leaving the
 * runner, and the plan's problems logged once per change.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cjson/cJSON.h>
#include <linux/nodeplane.h>

#include "check.h"
#include "log.h"
#include "logcap.h"
#include "loop.h"
#include "netpol/reconcile.h"
#include "reconcile/runner.h"

static struct np_model *m;
static struct np_loop *lp;
static struct np_runner *runner;
static struct np_netpol_rc *nrc;

/* ------------------------------------------------------- fake kernel */

static struct np_pol_state kern;
static int n_set, n_dump;
static char last_txn[4096];	/* the last transaction, as text */
static bool kern_reverse;	/* dump in reverse order, rules split */

static void txn_str(const struct np_pol_txn *t)
{
	char a[NP_CIDR_STRLEN];
	size_t i, o = 0;

	last_txn[0] = '\0';
	for (i = 0; i < t->n_classes; i++)
		o += (size_t)snprintf(last_txn + o, sizeof(last_txn) - o,
				      "%s=%u ", np_cidr_str(&t->classes[i].cidr,
							    a, sizeof(a)),
				      t->classes[i].cls);
	for (i = 0; i < t->n_endpoints; i++)
		o += (size_t)snprintf(last_txn + o, sizeof(last_txn) - o,
				      "%s%s ", t->endpoints[i].flags &
				      NP_PEP_F_DELETE ? "-" : "+",
				      np_addr_str(&t->endpoints[i].addr, a,
						  sizeof(a)));
	if (o)
		last_txn[o - 1] = '\0';
}

static struct np_pol_endpoint *kfind(const struct np_addr *a)
{
	size_t i;

	for (i = 0; i < kern.n_endpoints; i++)
		if (np_addr_eq(&kern.endpoints[i].addr, a))
			return &kern.endpoints[i];
	return NULL;
}

static void kset_cls(const struct np_pol_class *c)
{
	size_t i;

	for (i = 0; i < kern.n_classes; i++) {
		if (np_pol_class_qcmp(&kern.classes[i], c))
			continue;
		if (c->cls)
			kern.classes[i].cls = c->cls;
		else
			kern.classes[i] = kern.classes[--kern.n_classes];
		return;
	}
	if (!c->cls)
		return;
	kern.classes = realloc(kern.classes,
			       (kern.n_classes + 1) * sizeof(*kern.classes));
	kern.classes[kern.n_classes++] = *c;
}

static void kset_ep(const struct np_pol_endpoint *e)
{
	struct np_pol_endpoint *x = kfind(&e->addr), copy;

	if (e->flags & NP_PEP_F_DELETE) {
		if (x) {
			np_pol_endpoint_clear(x);
			*x = kern.endpoints[--kern.n_endpoints];
		}
		return;
	}
	if (np_pol_endpoint_copy(&copy, e))
		abort();
	if (x) {
		np_pol_endpoint_clear(x);
		*x = copy;
		return;
	}
	kern.endpoints = realloc(kern.endpoints, (kern.n_endpoints + 1) *
				 sizeof(*kern.endpoints));
	kern.endpoints[kern.n_endpoints++] = copy;
}

static int k_set(void *ctx, const struct np_pol_txn *t, uint64_t expect,
		 uint64_t *gen, struct np_err *err)
{
	size_t i;

	(void)ctx;
	n_set++;
	txn_str(t);
	if (expect && expect != kern.generation)
		return np_err_set(err, ESTALE, "the generation moved");
	for (i = 0; i < t->n_classes; i++)
		kset_cls(&t->classes[i]);
	for (i = 0; i < t->n_endpoints; i++)
		kset_ep(&t->endpoints[i]);
	*gen = ++kern.generation;
	return 0;
}

/* A deep copy of the kernel, in its order (reversed, rules split and
 * out of order when kern_reverse), made canonical as np_nl_pol_dump does. */
static int k_dump(void *ctx, struct np_pol_state *out, struct np_err *err)
{
	size_t i, n;

	(void)ctx;
	(void)err;
	n_dump++;
	memset(out, 0, sizeof(*out));
	out->generation = kern.generation;
	out->classes = calloc(kern.n_classes + 1, sizeof(*out->classes));
	out->endpoints = calloc(kern.n_endpoints + 1, sizeof(*out->endpoints));
	for (i = 0; i < kern.n_classes; i++)
		out->classes[i] = kern.classes[kern_reverse ?
					       kern.n_classes - 1 - i : i];
	out->n_classes = kern.n_classes;
	for (i = 0; i < kern.n_endpoints; i++) {
		struct np_pol_endpoint *e = &out->endpoints[i];

		np_pol_endpoint_copy(e, &kern.endpoints[kern_reverse ?
					kern.n_endpoints - 1 - i : i]);
		n = e->n_rules;
		if (kern_reverse && n && e->rules[0].n_ports > 1) {
			/* one rule as two of the same (dir, cls), reversed */
			struct np_pol_rule *r = realloc(e->rules,
							(n + 1) * sizeof(*r));
			size_t half = r[0].n_ports / 2;

			e->rules = r;
			r[n] = r[0];
			r[n].ports = malloc(half * sizeof(*r[n].ports));
			memcpy(r[n].ports, r[0].ports, half * sizeof(*r[n].ports));
			r[n].n_ports = half;
			memmove(r[0].ports, r[0].ports + half,
				(r[0].n_ports - half) * sizeof(*r[0].ports));
			r[0].n_ports -= half;
			e->n_rules = n + 1;
		}
	}
	out->n_endpoints = kern.n_endpoints;
	return np_nl_pol_state_finish(out, err);
}

static void kern_free(void)
{
	np_pol_state_free(&kern);
	kern.generation = 1;
}

/* The kernel's state as text: "10.0.0.0/8=2 ... | 10.42.0.5 x/a I 3:tcp/80". */
static const char *kern_str(void)
{
	static char buf[4096];
	struct np_pol_state s;
	struct np_err err;
	char a[NP_CIDR_STRLEN], p[32];
	size_t i, r, k, o = 0;
	int saved = n_dump;
	bool rev = kern_reverse;

	kern_reverse = false;
	k_dump(NULL, &s, &err);
	kern_reverse = rev;
	n_dump = saved;
	buf[0] = '\0';
	for (i = 0; i < s.n_classes; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s=%u ",
				      np_cidr_str(&s.classes[i].cidr, a,
						  sizeof(a)), s.classes[i].cls);
	o += (size_t)snprintf(buf + o, sizeof(buf) - o, "|");
	for (i = 0; i < s.n_endpoints; i++) {
		const struct np_pol_endpoint *e = &s.endpoints[i];

		o += (size_t)snprintf(buf + o, sizeof(buf) - o, " %s %s %s%s",
				      np_addr_str(&e->addr, a, sizeof(a)),
				      e->name ? e->name : "-",
				      e->flags & NP_PEP_F_INGRESS ? "I" : "",
				      e->flags & NP_PEP_F_EGRESS ? "E" : "");
		for (r = 0; r < e->n_rules; r++) {
			o += (size_t)snprintf(buf + o, sizeof(buf) - o,
					      " %s%u:", e->rules[r].dir ?
					      "e" : "i", e->rules[r].cls);
			for (k = 0; k < e->rules[r].n_ports; k++)
				o += (size_t)snprintf(buf + o, sizeof(buf) - o,
						      "%s%s", k ? "," : "",
						      np_pol_port_str(&e->rules[r].ports[k],
								      p, sizeof(p)));
			if (!e->rules[r].n_ports)
				o += (size_t)snprintf(buf + o, sizeof(buf) - o,
						      "all");
		}
	}
	np_pol_state_free(&s);
	return buf;
}

/* ----------------------------------------------------- fake compiler */

#define MAXN 8
static struct np_netpol_prefix next_pfx[MAXN];
static size_t n_next_pfx;
static struct np_netpol_endpoint next_ep[MAXN];
static struct np_netpol_krule next_rules[MAXN][2];
static struct np_netpol_kport next_ports[MAXN][2][3];
static size_t n_next_ep;
static const char *next_problem;
static int compile_fails;
static int n_compile;
static int n_classes_live;

static struct np_netpol_classes *c_new(void)
{
	n_classes_live++;
	return (struct np_netpol_classes *)malloc(1);
}

static void c_free(struct np_netpol_classes *c)
{
	n_classes_live--;
	free(c);
}

static void p_free(struct np_netpol_plan *p)
{
	size_t i;

	free(p->prefixes);
	for (i = 0; i < p->n_endpoints; i++) {
		free(p->endpoints[i].name);
		free(p->endpoints[i].rules);
	}
	free(p->endpoints);
	for (i = 0; i < p->n_problems; i++)
		free(p->problems[i]);
	free(p->problems);
	memset(p, 0, sizeof(*p));
}

/* A shallow-enough copy of next_*: arrays the plan owns, ports shared. */
static int c_compile(const struct np_model *mm, const char *node,
		     struct np_netpol_classes *classes,
		     struct np_netpol_plan *plan, struct np_err *err)
{
	size_t i;

	(void)mm;
	(void)classes;
	n_compile++;
	memset(plan, 0, sizeof(*plan));
	if (strcmp(node, "a"))
		return np_err_set(err, EINVAL, "wrong node %s", node);
	if (compile_fails)
		return np_err_set(err, ENOMEM, "the fake compiler fails");
	plan->prefixes = calloc(MAXN, sizeof(*plan->prefixes));
	memcpy(plan->prefixes, next_pfx, n_next_pfx * sizeof(*next_pfx));
	plan->n_prefixes = n_next_pfx;
	plan->endpoints = calloc(MAXN, sizeof(*plan->endpoints));
	for (i = 0; i < n_next_ep; i++) {
		plan->endpoints[i] = next_ep[i];
		plan->endpoints[i].name = strdup(next_ep[i].name);
		plan->endpoints[i].rules = calloc(2, sizeof(struct np_netpol_krule));
		memcpy(plan->endpoints[i].rules, next_ep[i].rules,
		       next_ep[i].n_rules * sizeof(struct np_netpol_krule));
	}
	plan->n_endpoints = n_next_ep;
	if (next_problem) {
		plan->problems = calloc(1, sizeof(char *));
		plan->problems[0] = strdup(next_problem);
		plan->n_problems = 1;
	}
	return 0;
}

static void pfx(size_t i, const char *cidr, uint32_t cls)
{
	np_cidr_parse(cidr, &next_pfx[i].cidr);
	next_pfx[i].cls = cls;
}

/* Endpoint i: addr, name, flags, one ingress rule from cls on tcp/port
 * (port 0: no rule). */
static void ep(size_t i, const char *addr, const char *name,
	       unsigned int flags, uint32_t cls, uint16_t port)
{
	struct np_netpol_endpoint *e = &next_ep[i];

	memset(e, 0, sizeof(*e));
	np_addr_parse(addr, &e->addr);
	e->name = (char *)name;
	e->flags = flags;
	e->rules = next_rules[i];
	if (!port)
		return;
	next_ports[i][0][0] = (struct np_netpol_kport){ IPPROTO_TCP, port,
							port };
	next_ports[i][0][1] = (struct np_netpol_kport){ IPPROTO_UDP, 53, 53 };
	next_rules[i][0] = (struct np_netpol_krule){ NP_POL_DIR_INGRESS, cls,
						     next_ports[i][0], 2 };
	e->n_rules = 1;
}

/* ---------------------------------------------------------- harness */

static const struct np_runner_timing quick = {
	.debounce_ms = 2, .resync_ms = 3600000, .retry_min_ms = 20,
	.retry_max_ms = 80,
};

static void stop(struct np_timer *t)
{
	(void)t;
	np_loop_stop(lp, 0);
}

/* Every pass due within 60 ms runs. */
static void settle(void)
{
	struct np_timer t = { .fire = stop };

	np_timer_arm(lp, &t, 60);
	np_loop_run(lp);
}

static void sync_kinds(void)
{
	enum np_kind k;

	for (k = 0; k < NP_KIND_COUNT; k++) {
		np_model_sync_begin(m, k);
		np_model_sync_end(m, k);
	}
}

/* A model event of a kind netpol reads: a Namespace (re)labelled. */
static void touch(const char *label)
{
	char text[256], err[256];
	cJSON *j;

	snprintf(text, sizeof(text),
		 "{\"kind\":\"Namespace\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"x\",\"labels\":{\"t\":\"%s\"}}}",
		 label);
	j = cJSON_Parse(text);
	np_model_upsert(m, NP_KIND_NAMESPACE, j, err, sizeof(err));
	cJSON_Delete(j);
}

static void world(bool synced)
{
	struct np_runner_deps d;

	m = np_model_new();
	np_loop_new(&lp);
	d = (struct np_runner_deps){ .lp = lp, .model = m, .timing = &quick };
	np_runner_new(&d, &runner);
	kern_free();
	n_set = n_dump = n_compile = 0;
	compile_fails = 0;
	kern_reverse = false;
	next_problem = NULL;
	last_txn[0] = '\0';
	n_next_pfx = n_next_ep = 0;
	if (synced)
		sync_kinds();
}

static void world_end(void)
{
	np_netpol_rc_free(nrc);
	nrc = NULL;
	np_runner_free(runner);
	np_loop_free(lp);
	np_model_free(m);
	kern_free();
}

static int start(bool disabled)
{
	struct np_netpol_rc_deps d = {
		.lp = lp, .runner = runner, .model = m, .self = "a",
		.kernel = { .dump = k_dump, .set = k_set },
		.compiler = { .classes_new = c_new, .classes_free = c_free,
			      .compile = c_compile, .plan_free = p_free },
		.disabled = disabled,
	};

	return np_netpol_rc_new(&d, &nrc);
}

/* Three prefixes, three endpoints. */
static void plan1(void)
{
	pfx(0, "10.42.0.5/32", 1);
	pfx(1, "10.42.1.0/24", 2);
	pfx(2, "2001:db8::/64", 3);
	n_next_pfx = 3;
	ep(0, "10.42.0.5", "x/a", NP_PEP_F_INGRESS, 2, 80);
	ep(1, "10.42.0.6", "x/b", NP_PEP_F_INGRESS | NP_PEP_F_EGRESS, 0, 0);
	ep(2, "10.42.0.7", "y/c", NP_PEP_F_EGRESS, 1, 443);
	next_rules[2][0].dir = NP_POL_DIR_EGRESS;
	n_next_ep = 3;
}

#define KERN1 "10.42.0.5/32=1 10.42.1.0/24=2 2001:db8::/64=3 |" \
	" 10.42.0.5 x/a I i2:tcp/80,udp/53 10.42.0.6 x/b IE" \
	" 10.42.0.7 y/c E e1:tcp/443,udp/53"

/* ------------------------------------------------------------- tests */

TEST(first_pass_is_one_transaction_of_everything)
{
	world(true);
	plan1();
	CHECK_INT(start(false), 0);
	settle();
	CHECK_INT(n_set, 1);
	CHECK_STR(kern_str(), KERN1);
	CHECK_STR(last_txn, "10.42.0.5/32=1 10.42.1.0/24=2 2001:db8::/64=3 "
			    "+10.42.0.5 +10.42.0.6 +10.42.0.7");
	CHECK_INT(np_netpol_rc_counts(nrc)->commits, 1);
	CHECK_INT(np_netpol_rc_counts(nrc)->generation, 2);
	world_end();
	CHECK_INT(n_classes_live, 0);
}

TEST(nothing_sent_when_nothing_changed)
{
	world(true);
	plan1();
	CHECK_INT(start(false), 0);
	settle();
	CHECK_INT(n_set, 1);
	/* an incremental pass (a model event): planned, nothing sent */
	touch("1");
	settle();
	CHECK(n_compile >= 2);
	CHECK_INT(n_set, 1);
	/* a full pass reads the kernel in another order and spelling
	 * (rules split, reversed): still nothing */
	kern_reverse = true;
	np_netpol_rc_full(nrc);
	settle();
	CHECK(n_dump >= 2);
	CHECK_INT(n_set, 1);
	CHECK_STR(kern_str(), KERN1);
	world_end();
}

TEST(only_what_changed_is_sent)
{
	world(true);
	plan1();
	CHECK_INT(start(false), 0);
	settle();
	/* prefix 10.42.1.0/24 changes class, 2001:db8::/64 goes,
	 * 10.99.0.0/16 comes; x/a's rule changes, x/b goes, z/d comes,
	 * y/c stays as it was */
	pfx(1, "10.42.1.0/24", 4);
	pfx(2, "10.99.0.0/16", 5);
	ep(0, "10.42.0.5", "x/a", NP_PEP_F_INGRESS, 4, 8080);
	ep(1, "10.42.0.8", "z/d", NP_PEP_F_INGRESS, 5, 22);
	touch("2");
	settle();
	CHECK_INT(n_set, 2);
	CHECK_STR(last_txn, "2001:db8::/64=0 10.42.1.0/24=4 10.99.0.0/16=5 "
			    "-10.42.0.6 +10.42.0.5 +10.42.0.8");
	CHECK_STR(kern_str(), "10.42.0.5/32=1 10.42.1.0/24=4 10.99.0.0/16=5 |"
		  " 10.42.0.5 x/a I i4:tcp/8080,udp/53"
		  " 10.42.0.7 y/c E e1:tcp/443,udp/53"
		  " 10.42.0.8 z/d I i5:tcp/22,udp/53");
	CHECK_INT(np_netpol_rc_counts(nrc)->cls_set, 2);
	CHECK_INT(np_netpol_rc_counts(nrc)->cls_del, 1);
	CHECK_INT(np_netpol_rc_counts(nrc)->ep_set, 2);
	CHECK_INT(np_netpol_rc_counts(nrc)->ep_del, 1);
	world_end();
}

TEST(nothing_before_the_kinds_are_listed)
{
	world(false);
	plan1();
	CHECK_INT(start(false), 0);
	settle();
	CHECK_INT(n_compile, 0);
	CHECK_INT(n_dump, 0);
	CHECK_INT(n_set, 0);
	sync_kinds();
	settle();
	CHECK_INT(n_set, 1);
	CHECK_STR(kern_str(), KERN1);
	world_end();
}

TEST(failed_compile_keeps_the_kernel)
{
	world(true);
	plan1();
	CHECK_INT(start(false), 0);
	settle();
	n_next_ep = 0;		/* were it compiled: everything would open */
	n_next_pfx = 0;
	compile_fails = 1;
	log_start();
	touch("3");
	settle();
	CHECK_CONTAINS(log_stop("/nowhere"), "netpol: not converged: compiling the policies: the fake compiler fails (the kernel keeps what it holds)");
	CHECK_INT(n_set, 1);
	CHECK_STR(kern_str(), KERN1);
	CHECK(np_netpol_rc_stats(nrc)->failures >= 1);
	world_end();
}

TEST(stale_generation_reads_again_and_converges)
{
	struct np_pol_endpoint foreign = { .flags = NP_PEP_F_INGRESS };

	world(true);
	plan1();
	CHECK_INT(start(false), 0);
	settle();
	/* someone else commits an endpoint of its own */
	np_addr_parse("10.42.0.99", &foreign.addr);
	kset_ep(&foreign);
	kern.generation++;
	ep(0, "10.42.0.5", "x/a", NP_PEP_F_INGRESS, 2, 81);
	log_start();
	touch("4");
	settle();
	CHECK_CONTAINS(log_stop("/nowhere"), "(changed by someone else: read again)");
	CHECK_INT(np_netpol_rc_counts(nrc)->commit_failures, 1);
	/* the retry dumped: the foreign endpoint is not planned, it goes */
	CHECK_INT(n_set, 3);
	CHECK_STR(last_txn, "-10.42.0.99 +10.42.0.5");
	CHECK_STR(kern_str(), "10.42.0.5/32=1 10.42.1.0/24=2 2001:db8::/64=3 |"
		  " 10.42.0.5 x/a I i2:tcp/81,udp/53 10.42.0.6 x/b IE"
		  " 10.42.0.7 y/c E e1:tcp/443,udp/53");
	world_end();
}

TEST(disable_removes_everything_in_one_transaction_then_stops)
{
	world(true);
	plan1();
	CHECK_INT(start(false), 0);
	settle();
	np_netpol_rc_set_disabled(nrc, true);
	settle();
	CHECK_INT(n_set, 2);
	CHECK_STR(last_txn, "10.42.0.5/32=0 10.42.1.0/24=0 2001:db8::/64=0 "
			    "-10.42.0.5 -10.42.0.6 -10.42.0.7");
	CHECK_STR(kern_str(), "|");
	CHECK(np_netpol_rc_idle(nrc));
	CHECK(np_netpol_rc_stats(nrc) == NULL);
	/* off the runner: model events and time bring nothing */
	touch("5");
	settle();
	CHECK_INT(n_set, 2);
	/* on again: programmed again */
	np_netpol_rc_set_disabled(nrc, false);
	settle();
	CHECK_INT(n_set, 3);
	CHECK_STR(kern_str(), KERN1);
	CHECK(!np_netpol_rc_idle(nrc));
	world_end();
}

TEST(disabled_at_start_removes_leftovers_without_listing)
{
	world(false);		/* nothing listed: the off state reads none */
	plan1();
	CHECK_INT(start(false), 0);
	sync_kinds();
	settle();
	np_netpol_rc_free(nrc);
	nrc = NULL;
	n_set = 0;
	/* a new daemon, disabled, over what the last one left */
	np_model_free(m);
	m = np_model_new();
	np_runner_free(runner);
	{
		struct np_runner_deps d = { .lp = lp, .model = m,
					    .timing = &quick };
		np_runner_new(&d, &runner);
	}
	CHECK_INT(start(true), 0);
	settle();
	CHECK_INT(n_set, 1);
	CHECK_STR(kern_str(), "|");
	CHECK(np_netpol_rc_idle(nrc));
	/* an empty kernel: disabled again at the next start sends nothing */
	np_netpol_rc_free(nrc);
	CHECK_INT(start(true), 0);
	settle();
	CHECK_INT(n_set, 1);
	CHECK(np_netpol_rc_idle(nrc));
	world_end();
}

static int count(const char *s, const char *needle)
{
	int n = 0;

	while ((s = strstr(s, needle))) {
		n++;
		s++;
	}
	return n;
}

TEST(problems_logged_once_per_change)
{
	const char *l;

	world(true);
	plan1();
	next_problem = "NetworkPolicy x/bad: spec.podSelector: bad (its namespace's pods isolated)";
	log_start();
	CHECK_INT(start(false), 0);
	settle();
	touch("6");
	settle();
	l = log_stop("/nowhere");
	CHECK_CONTAINS(l, "netpol: NetworkPolicy x/bad: spec.podSelector: bad (its namespace's pods isolated)");
	CHECK_INT(count(l, "x/bad"), 1);	/* two passes, one line */
	next_problem = NULL;
	log_start();
	touch("7");
	settle();
	CHECK_CONTAINS(log_stop("/nowhere"), "netpol: no longer: NetworkPolicy x/bad");
	world_end();
}

int main(void)
{
	orig_stderr = dup(STDERR_FILENO);
	np_log_set_level(NP_LOG_INFO);
	RUN(first_pass_is_one_transaction_of_everything);
	RUN(nothing_sent_when_nothing_changed);
	RUN(only_what_changed_is_sent);
	RUN(nothing_before_the_kinds_are_listed);
	RUN(failed_compile_keeps_the_kernel);
	RUN(stale_generation_reads_again_and_converges);
	RUN(disable_removes_everything_in_one_transaction_then_stops);
	RUN(disabled_at_start_removes_leftovers_without_listing);
	RUN(problems_logged_once_per_change);
	return check_summary();
}
