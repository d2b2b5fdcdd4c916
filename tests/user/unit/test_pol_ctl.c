// SPDX-License-Identifier: GPL-2.0-only
/*
 * nodeplanectl policy without a module: the words of `policy set` (one
 * transaction of class entries and endpoints), their errors, the pretty
 * and script output of `policy show`, and the script output replayed
 * through the `policy set` parser to the same state.
 */
#include <errno.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/nodeplane.h>

#include "check.h"
#include "ctlrun.h"

struct parsed {
	struct np_pol_class *cls;
	size_t n_cls;
	struct np_pol_endpoint *eps;
	size_t n_eps;
	uint64_t gen;
};

static void parsed_free(struct parsed *p)
{
	size_t i;

	for (i = 0; i < p->n_eps; i++)
		np_pol_endpoint_clear(&p->eps[i]);
	free(p->eps);
	free(p->cls);
	memset(p, 0, sizeof(*p));
}

/* Parses the words of line (after "policy set"); errors into *err. */
static int parse(const char *line, struct parsed *p, char **err)
{
	char *buf = strdup(line), *argv[64];
	struct cap c;
	int argc, r;

	argc = buf[0] ? split_words(buf, ' ', argv, 64) : 0;
	memset(p, 0, sizeof(*p));
	cap_open(&c, true);
	r = np_ctl_policy_set_parse(&c.ctl, argc, argv, &p->cls, &p->n_cls,
				    &p->eps, &p->n_eps, &p->gen);
	cap_close(&c);
	*err = c.err;
	free(c.out);
	free(buf);
	return r;
}

TEST(set_words)
{
	struct parsed p;
	char *err, buf[64];

	CHECK_INT(parse("generation 7 class 10.42.0.5/32=3,10.0.0.0/8=0 "
			"endpoint 10.42.0.5 name x/web isolated ingress "
			"rule ingress:3:tcp/80,udp/53-54;egress:any:all "
			"rule ingress:3:tcp/81 endpoint fd00::1 delete "
			"class 2001:db8::/32=16777215", &p, &err), 0);
	CHECK_STR(err, "");
	free(err);
	CHECK_INT(p.gen, 7);
	CHECK_INT(p.n_cls, 3);
	CHECK_STR(np_cidr_str(&p.cls[1].cidr, buf, sizeof(buf)), "10.0.0.0/8");
	CHECK_INT(p.cls[1].cls, 0);
	CHECK_INT(p.cls[2].cls, NP_POL_CLASS_MAX);
	CHECK_INT(p.n_eps, 2);
	CHECK_STR(p.eps[0].name, "x/web");
	CHECK_INT(p.eps[0].flags, NP_PEP_F_INGRESS);
	/* canonical: the two ingress rules of class 3 merged, 80-81 joined */
	CHECK_INT(p.eps[0].n_rules, 2);
	CHECK_INT(p.eps[0].rules[0].dir, NP_POL_DIR_INGRESS);
	CHECK_INT(p.eps[0].rules[0].cls, 3);
	CHECK_INT(p.eps[0].rules[0].n_ports, 2);
	CHECK_STR(np_pol_port_str(&p.eps[0].rules[0].ports[0], buf, sizeof(buf)),
		  "tcp/80-81");
	CHECK_STR(np_pol_port_str(&p.eps[0].rules[0].ports[1], buf, sizeof(buf)),
		  "udp/53-54");
	CHECK_INT(p.eps[0].rules[1].dir, NP_POL_DIR_EGRESS);
	CHECK_INT(p.eps[0].rules[1].cls, 0);
	CHECK_INT(p.eps[0].rules[1].n_ports, 0);
	CHECK_INT(p.eps[1].addr.family, AF_INET6);
	CHECK_INT(p.eps[1].flags, NP_PEP_F_DELETE);
	parsed_free(&p);
}

TEST(set_errors)
{
	static const struct {
		const char *words, *err;
	} cases[] = {
		{ "", "policy set: nothing to set (class or endpoint)" },
		{ "bogus 1", "policy set: unknown word 'bogus'" },
		{ "name x/y", "policy set: unknown word 'name'" },
		{ "class 10.0.0.1/8=1", "policy set: class \"10.0.0.1/8\": host bits set" },
		{ "class 10.0.0.0/8=16777216", "policy set: class \"10.0.0.0/8=16777216\": expected CIDR=CLASS[,CIDR=CLASS...] (CLASS 0..16777215)" },
		{ "class 10.0.0.0/8", "policy set: class \"10.0.0.0/8\": expected CIDR=CLASS" },
		{ "endpoint 10.0.0.300", "policy set: endpoint \"10.0.0.300\": expected an IPv4 or IPv6 address" },
		{ "endpoint 10.0.0.1 isolated both", "policy set: isolated \"both\": expected ingress, egress, ingress,egress or none" },
		{ "endpoint 10.0.0.1 rule ingress:0:all", "policy set: rule \"ingress:0:all\": expected DIR:PEER:PORTS" },
		{ "endpoint 10.0.0.1 rule in:1:all", "policy set: rule \"in:1:all\": expected" },
		{ "endpoint 10.0.0.1 rule egress:any:icmp", "policy set: rule \"egress:any:icmp\": expected" },
		{ "endpoint 10.0.0.1 rule egress:any:tcp/90-80", "policy set: rule \"egress:any:tcp/90-80\": expected" },
		{ "endpoint 10.0.0.1 rule egress:any:tcp/0", "policy set: rule \"egress:any:tcp/0\": expected" },
		{ "endpoint 10.0.0.1 rule egress:any:tcp,", "policy set: rule \"egress:any:tcp,\": expected" },
		{ "endpoint 10.0.0.1 rule ;", "policy set: rule \";\": empty rule" },
		{ "endpoint 10.0.0.1 name a name b", "policy set: 'name' given twice" },
		{ "endpoint 10.0.0.1 delete name a", "policy set: 'delete' takes no name, isolated or rule" },
		{ "endpoint 10.0.0.1 name a delete", "policy set: 'delete' takes no name, isolated or rule" },
		{ "endpoint 10.0.0.1 rule", "policy set: 'rule' needs a value" },
		{ "generation 0 class 10.0.0.0/8=1", "policy set: generation \"0\": expected a number from 1" },
	};
	struct parsed p;
	size_t i;
	char *err;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *w = cases[i].words;
		int r = parse(w, &p, &err);

		if (r != -1) {
			free(err);
			CHECK_FAIL("\"%s\" parsed", w);
		}
		if (!strstr(err, cases[i].err)) {
			char e[512];

			snprintf(e, sizeof(e), "%s", err);
			free(err);
			CHECK_FAIL("\"%s\": \"%s\" lacks \"%s\"", w, e,
				   cases[i].err);
		}
		free(err);
	}
}

/* A state: two prefixes, two endpoints (one with counters). */
static void sample(struct np_pol_state *st)
{
	struct parsed p;
	char *err;

	if (parse("class 10.42.1.0/24=2,10.42.0.9/32=2,fd00::/64=7 "
		  "endpoint 10.42.0.5 name x/web isolated ingress "
		  "rule ingress:2:tcp/80,udp/53 rule egress:7:sctp "
		  "endpoint 10.42.0.6 isolated ingress,egress", &p, &err))
		abort();
	free(err);
	memset(st, 0, sizeof(*st));
	st->generation = 9;
	st->classes = p.cls;
	st->n_classes = p.n_cls;
	st->endpoints = p.eps;
	st->n_endpoints = p.n_eps;
	st->endpoints[0].stats_have = 0xf;
	st->endpoints[0].stats[0] = 4;
	st->endpoints[0].stats[1] = 2;
	if (np_nl_pol_state_finish(st, &(struct np_err){ 0 }))
		abort();
}

static char *show(const struct np_pol_state *st, bool script)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	np_ctl_policy_print(f, st, script);
	fclose(f);
	return buf;
}

TEST(show_script_lines)
{
	struct np_pol_state st;
	char *s;

	sample(&st);
	s = show(&st, true);
	CHECK_STR(s,
		  "policy\tset\tclass\t10.42.0.9/32=2,10.42.1.0/24=2,fd00::/64=7\n"
		  "policy\tset\tendpoint\t10.42.0.5\tname\tx/web\tisolated\tingress\t"
		  "rule\tingress:2:tcp/80,udp/53;egress:7:sctp\n"
		  "policy\tset\tendpoint\t10.42.0.6\tisolated\tingress,egress\n");
	free(s);
	np_pol_state_free(&st);
}

TEST(show_pretty)
{
	struct np_pol_state st;
	char *s;

	sample(&st);
	s = show(&st, false);
	CHECK_STR(s,
		  "generation 9\n"
		  "class map  3 prefixes (2 IPv4, 1 IPv6), 2 classes\n"
		  "  class 2        10.42.0.9/32, 10.42.1.0/24\n"
		  "  class 7        fd00::/64\n"
		  "endpoints  2\n"
		  "\n"
		  "10.42.0.5  x/web\n"
		  "  isolated   ingress\n"
		  "  rules      ingress 1, egress 1\n"
		  "    ingress from class 2: tcp/80, udp/53\n"
		  "    egress to class 7: sctp\n"
		  "  counters   ingress_allowed 4, ingress_dropped 2, egress_allowed 0, egress_dropped 0\n"
		  "\n"
		  "10.42.0.6  -\n"
		  "  isolated   ingress,egress\n"
		  "  rules      ingress 0, egress 0\n");
	free(s);
	np_pol_state_free(&st);
	memset(&st, 0, sizeof(st));
	s = show(&st, false);
	CHECK_STR(s, "generation 0\nclass map  empty\nendpoints  0\n");
	free(s);
}

/* Applies one parsed line to st as the module would (a transaction). */
static void apply(struct np_pol_state *st, struct parsed *p)
{
	size_t i;

	st->classes = realloc(st->classes, (st->n_classes + p->n_cls + 1) *
			      sizeof(*st->classes));
	for (i = 0; i < p->n_cls; i++)
		st->classes[st->n_classes++] = p->cls[i];
	st->endpoints = realloc(st->endpoints, (st->n_endpoints + p->n_eps + 1) *
				sizeof(*st->endpoints));
	for (i = 0; i < p->n_eps; i++)
		st->endpoints[st->n_endpoints++] = p->eps[i];
	free(p->cls);
	free(p->eps);
	memset(p, 0, sizeof(*p));
}

TEST(show_script_replays_to_the_same_state)
{
	struct np_pol_state st, back = { 0 };
	struct parsed p;
	char *s, *line, *save = NULL, *err;
	size_t i, nlines = 0;

	sample(&st);
	/* 2,500 prefixes: the class map takes three lines */
	st.classes = realloc(st.classes, 2503 * sizeof(*st.classes));
	for (i = 0; i < 2500; i++) {
		struct np_pol_class *c = &st.classes[st.n_classes++];

		np_cidr_parse("10.100.0.0/32", &c->cidr);
		c->cidr.addr.a[2] = (uint8_t)(i >> 8);
		c->cidr.addr.a[3] = (uint8_t)i;
		c->cls = (uint32_t)(i % 40 + 10);
	}
	CHECK_INT(np_nl_pol_state_finish(&st, &(struct np_err){ 0 }), 0);
	s = show(&st, true);
	for (line = strtok_r(s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *w = line, *t;

		nlines++;
		CHECK(!strncmp(line, "policy\tset\t", 11));
		for (t = w; *t; t++)	/* the parse() helper splits at spaces */
			if (*t == '\t')
				*t = ' ';
		if (parse(w + 11, &p, &err)) {
			char e[256];

			snprintf(e, sizeof(e), "%s", err);
			free(err);
			CHECK_FAIL("%.80s: %s", w, e);
		}
		free(err);
		apply(&back, &p);
	}
	CHECK_INT(nlines, 3 + 2);
	CHECK_INT(np_nl_pol_state_finish(&back, &(struct np_err){ 0 }), 0);
	CHECK_INT(back.n_classes, st.n_classes);
	for (i = 0; i < st.n_classes; i++)
		CHECK(!np_pol_class_qcmp(&back.classes[i], &st.classes[i]) &&
		      back.classes[i].cls == st.classes[i].cls);
	CHECK_INT(back.n_endpoints, st.n_endpoints);
	for (i = 0; i < st.n_endpoints; i++)
		CHECK(np_pol_endpoint_same(&back.endpoints[i], &st.endpoints[i]));
	free(s);
	np_pol_state_free(&st);
	np_pol_state_free(&back);
}

TEST(policy_command_words)
{
	struct ctlres r;

	r = ctl_run("policy", NULL);
	CHECK_INT(r.status, 1);
	CHECK_CONTAINS(r.err, "policy: missing command (show, set or trace)");
	ctlres_free(&r);
	r = ctl_run("policy", "flush", NULL);
	CHECK_INT(r.status, 1);
	CHECK_CONTAINS(r.err, "policy: unknown command 'flush'");
	ctlres_free(&r);
	/* trace needs the cluster loader, which only nodeplanectl links */
	r = ctl_run("policy", "trace", "10.0.0.1", "10.0.0.2", "tcp", "80",
		    NULL);
	CHECK_INT(r.status, 1);
	CHECK_STR(r.err, "nodeplanectl: policy trace: not available in this build\n");
	ctlres_free(&r);
	r = ctl_run("policy", "show", "extra", NULL);
	CHECK_INT(r.status, 1);
	CHECK_CONTAINS(r.err, "policy show: unexpected argument 'extra'");
	ctlres_free(&r);
	r = ctl_run("policy", "--help", NULL);
	CHECK_INT(r.status, 0);
	CHECK_CONTAINS(r.out, "trace SRC DST PROTO PORT [config FILE]");
	ctlres_free(&r);
}

int main(void)
{
	RUN(set_words);
	RUN(set_errors);
	RUN(show_script_lines);
	RUN(show_pretty);
	RUN(show_script_replays_to_the_same_state);
	RUN(policy_command_words);
	return check_summary();
}
