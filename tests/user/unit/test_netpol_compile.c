// SPDX-License-Identifier: GPL-2.0-only
/*
 * The compiled shape of NetworkPolicy (netpol.h): addresses that every
 * peer set treats alike share a class; excepts are longer prefixes of a
 * class of their own; named ports split a peer set per number; class ids
 * stay put when an unrelated policy changes, and a dropped id is reused
 * only by a later compile; an invalid policy isolates its namespace and
 * allows nothing; hostNetwork pods are neither endpoints nor peers; rules
 * merge per (direction, class).
 *
 * Then random clusters (namespaces, pods on this node and others in both
 * families, hostNetwork and completed ones, labels and named ports;
 * policies with selectors and expressions, ipBlocks with excepts, port
 * ranges, named ports, now and then an invalid one) where, for many
 * random connections, what the kernel would decide on the compiled plan
 * (np_netpol_plan_allows) must be what the reference evaluator says,
 * before and after a change compiled with the same classes.
 *
 *   test_netpol_compile --bench [POLICIES [CIDRS]]  times a compile
 */
#include <time.h>

#include "netpol_fix.h"

static void fresh_ids(void)
{
	np_netpol_classes_free(classes);
	classes = np_netpol_classes_new();
}

/* ---------------------------------------------------------- the shape */

TEST(classes_shared_by_equivalent_addresses)
{
	fresh();
	fresh_ids();
	CHECK_UP(ns("x", ""));
	CHECK_UP(ns("y", ""));
	CHECK_UP(pod("x", "a", "n1", "10.42.1.1", "'app':'a'", ""));
	CHECK_UP(pod("x", "b", "n1", "10.42.1.2,fd00::2", "'app':'b'", ""));
	CHECK_UP(pod("x", "c", "n2", "10.42.2.3", "'app':'b'", ""));
	CHECK_UP(pod("y", "d", "n2", "10.42.2.4", "'app':'b'", ""));
	CHECK_UP(pol("x", "p", "'podSelector':{'matchLabels':{'app':'a'}},"
		     "'ingress':[{'from':[{'podSelector':{'matchLabels':"
		     "{'app':'b'}}}],'ports':[{'port':80}]}]"));
	CHECK_STR(compiled(),
		  "10.42.1.2/32=1 10.42.2.3/32=1 fd00::2/128=1\n"
		  "10.42.1.1 x/a I- in:1[TCP/80]\n"
		  "10.42.1.2 x/b --\n"
		  "fd00::2 x/b --");
	/* A second peer set naming x/c only splits it off. */
	CHECK_UP(pol("x", "q", "'podSelector':{'matchLabels':{'app':'b'}},"
		     "'policyTypes':['Egress'],'egress':[{'to':[{'ipBlock':"
		     "{'cidr':'10.42.2.0/24'}}]}]"));
	CHECK_STR(compiled(),
		  "10.42.1.2/32=1 10.42.2.0/24=2 10.42.2.3/32=3 fd00::2/128=1\n"
		  "10.42.1.1 x/a I- in:1[TCP/80] in:3[TCP/80]\n"
		  "10.42.1.2 x/b -E eg:2[] eg:3[]\n"
		  "fd00::2 x/b -E eg:2[] eg:3[]");
}

TEST(excepts_are_longer_prefixes)
{
	fresh();
	fresh_ids();
	CHECK_UP(ns("x", ""));
	CHECK_UP(pod("x", "a", "n1", "10.42.1.1", "'app':'a'", ""));
	CHECK_UP(pod("x", "b", "n2", "10.1.0.5", "'app':'b'", ""));
	CHECK_UP(pod("x", "c", "n2", "10.3.0.1", "'app':'b'", ""));
	CHECK_UP(pol("x", "p", "'podSelector':{'matchLabels':{'app':'a'}},"
		     "'ingress':[{'from':[{'ipBlock':{'cidr':'10.0.0.0/8',"
		     "'except':['10.2.0.0/16','10.1.0.0/16']}}],'ports':"
		     "[{'port':80}]},{'from':[{'podSelector':{'matchLabels':"
		     "{'app':'b'}}}],'ports':[{'port':81}]}]"));
	/* 2 is the class of no peer set: the excepts' holes. */
	CHECK_STR(compiled(),
		  "10.0.0.0/8=1 10.1.0.0/16=2 10.1.0.5/32=3 10.2.0.0/16=2 "
		  "10.3.0.1/32=4\n"
		  "10.42.1.1 x/a I- in:1[TCP/80] in:3[TCP/81] "
		  "in:4[TCP/80-81]");
	/* The same block written with host bits and excepts reordered is
	 * the same peer set. */
	CHECK_UP(pol("x", "p2", "'podSelector':{'matchLabels':{'app':'a'}},"
		     "'ingress':[{'from':[{'ipBlock':{'cidr':'10.9.9.9/8',"
		     "'except':['10.1.0.0/16','10.2.0.0/16']}}],'ports':"
		     "[{'port':443}]}]"));
	CHECK_STR(compiled(),
		  "10.0.0.0/8=1 10.1.0.0/16=2 10.1.0.5/32=3 10.2.0.0/16=2 "
		  "10.3.0.1/32=4\n"
		  "10.42.1.1 x/a I- in:1[TCP/80 TCP/443] in:3[TCP/81] "
		  "in:4[TCP/80-81 TCP/443]");
}

TEST(named_ports_split_classes_per_number)
{
	fresh();
	fresh_ids();
	CHECK_UP(ns("x", ""));
	CHECK_UP(ns("y", ""));
	CHECK_UP(pod("x", "a", "n1", "10.42.1.1", "'app':'a'", ""));
	CHECK_UP(pod("x", "w1", "n1", "10.42.1.11", "'app':'web'",
		     "{'name':'http','containerPort':80}"));
	CHECK_UP(pod("x", "w2", "n1", "10.42.1.12", "'app':'web'",
		     "{'name':'http','containerPort':8080}"));
	CHECK_UP(pod("x", "w3", "n2", "10.42.2.13", "'app':'web'",
		     "{'name':'http','containerPort':80}"));
	CHECK_UP(pod("y", "w4", "n2", "10.42.2.14", "'app':'web'",
		     "{'name':'http','containerPort':80}"));
	CHECK_UP(pol("x", "out", "'podSelector':{'matchLabels':{'app':'a'}},"
		     "'policyTypes':['Egress'],'egress':[{'to':[{'podSelector':"
		     "{'matchLabels':{'app':'web'}}}],'ports':[{'port':'http'}]}]"));
	CHECK_UP(pol("x", "in", "'podSelector':{'matchLabels':{'app':'web'}},"
		     "'ingress':[{'ports':[{'port':'http'}]}]"));
	/* y/w4 has the port but is not a peer: a class of its own (3) that
	 * no rule names. */
	CHECK_STR(compiled(),
		  "10.42.1.11/32=1 10.42.1.12/32=2 10.42.2.13/32=1 "
		  "10.42.2.14/32=3\n"
		  "10.42.1.1 x/a -E eg:1[TCP/80] eg:2[TCP/8080]\n"
		  "10.42.1.11 x/w1 I- in:*[TCP/80]\n"
		  "10.42.1.12 x/w2 I- in:*[TCP/8080]");
}

TEST(class_ids_stable_when_an_unrelated_policy_changes)
{
	const char *a = "'podSelector':{},'ingress':[{'from':[{'ipBlock':"
			"{'cidr':'10.0.0.0/8','except':['10.1.0.0/16']}}]}]";

	fresh();
	fresh_ids();
	CHECK_UP(ns("x", ""));
	CHECK_UP(pod("x", "a", "n1", "10.42.1.1", "'app':'a'", ""));
	CHECK_UP(pol("x", "a", a));
	CHECK_UP(pol("x", "b", "'podSelector':{},'ingress':[{'from':"
		     "[{'ipBlock':{'cidr':'192.168.0.0/16'}}]}]"));
	CHECK_STR(compiled(),
		  "10.0.0.0/8=1 10.1.0.0/16=2 192.168.0.0/16=3\n"
		  "10.42.1.1 x/a I- in:1[] in:3[]");
	/* b changes: a's prefixes and rule keep 1 and 2; b's new block does
	 * not take 3, which b used until now. */
	CHECK_UP(pol("x", "b", "'podSelector':{},'ingress':[{'from':"
		     "[{'ipBlock':{'cidr':'172.16.0.0/12'}}]}]"));
	CHECK_STR(compiled(),
		  "10.0.0.0/8=1 10.1.0.0/16=2 172.16.0.0/12=4\n"
		  "10.42.1.1 x/a I- in:1[] in:4[]");
	/* The next compile may reuse 3. */
	CHECK_UP(pol("x", "c", "'podSelector':{},'ingress':[{'from':"
		     "[{'ipBlock':{'cidr':'203.0.113.0/24'}}]}]"));
	CHECK_STR(compiled(),
		  "10.0.0.0/8=1 10.1.0.0/16=2 172.16.0.0/12=4 203.0.113.0/24=3\n"
		  "10.42.1.1 x/a I- in:1[] in:3[] in:4[]");
	/* A pod label change that no selector reads changes nothing. */
	CHECK_UP(pod("x", "a", "n1", "10.42.1.1", "'app':'a','v':'2'", ""));
	CHECK_STR(compiled(),
		  "10.0.0.0/8=1 10.1.0.0/16=2 172.16.0.0/12=4 203.0.113.0/24=3\n"
		  "10.42.1.1 x/a I- in:1[] in:3[] in:4[]");
	/* Deleting b and c and compiling twice frees 3 and 4; a keeps its. */
	CHECK_INT(np_model_delete(m, NP_KIND_NETWORKPOLICY, "x", "b"), 0);
	CHECK_INT(np_model_delete(m, NP_KIND_NETWORKPOLICY, "x", "c"), 0);
	CHECK_STR(compiled(), "10.0.0.0/8=1 10.1.0.0/16=2\n"
		  "10.42.1.1 x/a I- in:1[]");
	CHECK_UP(pol("x", "d", "'podSelector':{},'ingress':[{'from':"
		     "[{'ipBlock':{'cidr':'198.51.100.0/24'}}]}]"));
	CHECK_STR(compiled(), "10.0.0.0/8=1 10.1.0.0/16=2 198.51.100.0/24=3\n"
		  "10.42.1.1 x/a I- in:1[] in:3[]");
}

TEST(invalid_policy_fails_closed)
{
	fresh();
	fresh_ids();
	CHECK_UP(ns("x", ""));
	CHECK_UP(ns("y", ""));
	CHECK_UP(pod("x", "a", "n1", "10.42.1.1", "'app':'a'", ""));
	CHECK_UP(pod("y", "b", "n1", "10.42.1.2", "'app':'b'", ""));
	CHECK_UP(pol("x", "open", "'podSelector':{'matchLabels':{'app':'a'}},"
		     "'ingress':[{'from':[{'ipBlock':{'cidr':'10.0.0.0/8'}}]}]"));
	CHECK(*pol("x", "bad", "'podSelector':{'matchLabels':{'app':'zz'}},"
		   "'ingress':[{'from':[{'ipBlock':{'cidr':'192.168.0.0/16',"
		   "'except':['10.0.0.0/24']}}]}]"));
	CHECK_STR(compiled(),
		  "10.0.0.0/8=1\n"
		  "10.42.1.1 x/a IE in:1[]\n"
		  "10.42.1.2 y/b --\n"
		  "problem: NetworkPolicy x/bad: spec.ingress[0].from[0].ipBlock."
		  "except[0]: 10.0.0.0/24 is not a strict subset of "
		  "192.168.0.0/16 (its namespace's pods isolated)");
}

TEST(host_network_pods_are_neither_endpoints_nor_peers)
{
	fresh();
	fresh_ids();
	CHECK_UP(ns("x", ""));
	CHECK_UP(pod("x", "a", "n1", "10.42.1.1", "'app':'a'", ""));
	CHECK_UP(pod_full("x", "h", "n1", "10.0.0.1", "'app':'b'", "", "Running",
			  true));
	CHECK_UP(pod_full("x", "h2", "n2", "10.0.0.2", "'app':'b'", "",
			  "Running", true));
	CHECK_UP(pod_full("x", "done", "n2", "10.42.2.9", "'app':'b'", "",
			  "Succeeded", false));
	CHECK_UP(pod("x", "b", "n2", "10.42.2.2", "'app':'b'", ""));
	CHECK_UP(pol("x", "p", "'podSelector':{},'ingress':[{'from':"
		     "[{'podSelector':{'matchLabels':{'app':'b'}}}]}]"));
	CHECK_STR(compiled(),
		  "10.42.2.2/32=1\n"
		  "10.42.1.1 x/a I- in:1[]");
}

TEST(rules_merge_per_direction_and_class)
{
	fresh();
	fresh_ids();
	CHECK_UP(ns("x", ""));
	CHECK_UP(pod("x", "a", "n1", "10.42.1.1", "'app':'a'",
		     "{'name':'http','containerPort':90}"));
	CHECK_UP(pod("x", "b", "n2", "10.42.2.2", "'app':'b'", ""));
	CHECK_UP(pol("x", "p", "'podSelector':{'matchLabels':{'app':'a'}},"
		     "'ingress':[{'from':[{'podSelector':{}}],'ports':[{'port':"
		     "80,'endPort':85},{'port':'http'},{'port':86,'endPort':88},"
		     "{'protocol':'UDP'},{'protocol':'UDP','port':53},"
		     "{'protocol':'SCTP','port':7}]},{'from':[{'podSelector':"
		     "{}}],'ports':[{'port':89}]}]"));
	CHECK_STR(compiled(),
		  "10.42.1.1/32=1 10.42.2.2/32=1\n"
		  "10.42.1.1 x/a I- in:1[TCP/80-90 UDP/any SCTP/7]");
	/* An any-peer, any-port rule makes the others moot. */
	CHECK_UP(pol("x", "all", "'podSelector':{},'ingress':[{}]"));
	CHECK_STR(compiled(),
		  "10.42.1.1/32=1 10.42.2.2/32=1\n"
		  "10.42.1.1 x/a I- in:*[]");
}

/* ------------------------------------------------------------- random */

static uint64_t rng;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static const char *pick(const char *const *v, size_t n)
{
	return v[rnd((uint32_t)n)];
}

#define PICK(v) pick(v, sizeof(v) / sizeof(v[0]))

struct sb {
	char b[16384];
	size_t n;
};

static void __attribute__((format(printf, 2, 3)))
sb_add(struct sb *s, const char *fmt, ...)
{
	va_list ap;

	if (s->n >= sizeof(s->b))
		return;
	va_start(ap, fmt);
	s->n += (size_t)vsnprintf(s->b + s->n, sizeof(s->b) - s->n, fmt, ap);
	va_end(ap);
}

#define MAX_ADDRS 64
static char addrs[MAX_ADDRS][64];
static size_t n_addrs;
static size_t local[MAX_ADDRS];		/* addresses of pods on NODE */
static size_t n_local;

static void addr_add(const char *a, bool on_node)
{
	if (n_addrs == MAX_ADDRS)
		return;
	if (on_node)
		local[n_local++] = n_addrs;
	snprintf(addrs[n_addrs++], sizeof(addrs[0]), "%s", a);
}

/* An address of the pool, half of the time one of a pod on NODE. */
static const char *rnd_addr(void)
{
	if (n_local && rnd(2))
		return addrs[local[rnd((uint32_t)n_local)]];
	return addrs[rnd((uint32_t)n_addrs)];
}

static const char *const nsnames[] = { "x", "y", "z" };

static void rnd_selector(struct sb *s, bool for_ns)
{
	static const char *const pod_exprs[] = {
		"{'key':'app','operator':'In','values':['a','b']}",
		"{'key':'app','operator':'NotIn','values':['a']}",
		"{'key':'tier','operator':'Exists'}",
		"{'key':'tier','operator':'DoesNotExist'}",
		"{'key':'tier','operator':'In','values':['db']}",
	};
	static const char *const ns_exprs[] = {
		"{'key':'team','operator':'In','values':['red']}",
		"{'key':'team','operator':'NotIn','values':['red']}",
		"{'key':'env','operator':'Exists'}",
		"{'key':'env','operator':'DoesNotExist'}",
		"{'key':'kubernetes.io/metadata.name','operator':'In',"
		"'values':['x','z']}",
	};
	static const char *const pod_ml[] = {
		"'app':'a'", "'app':'b'", "'app':'c'", "'tier':'web'",
		"'app':'a','tier':'db'",
	};
	static const char *const ns_ml[] = {
		"'team':'red'", "'team':'blue'", "'env':'prod'",
		"'kubernetes.io/metadata.name':'y'",
	};
	uint32_t k = rnd(10), i, n;

	sb_add(s, "{");
	if (k < 3) {
		/* {} */
	} else if (k < 6) {
		sb_add(s, "'matchLabels':{%s}", for_ns ? PICK(ns_ml) :
		       PICK(pod_ml));
	} else {
		if (k == 9)
			sb_add(s, "'matchLabels':{%s},", for_ns ? PICK(ns_ml) :
			       PICK(pod_ml));
		sb_add(s, "'matchExpressions':[");
		for (i = 0, n = 1 + rnd(2); i < n; i++)
			sb_add(s, "%s%s", i ? "," : "", for_ns ?
			       PICK(ns_exprs) : PICK(pod_exprs));
		sb_add(s, "]");
	}
	sb_add(s, "}");
}

static const char *const v4_blocks[] = {
	"10.0.0.0/8", "10.42.0.0/16", "10.42.1.0/24", "10.42.1.0/28",
	"10.42.2.0/24", "0.0.0.0/0", "192.0.2.0/24", "10.42.1.3/32",
	"10.42.1.0/25", "10.0.0.0/24",
};
static const char *const v6_blocks[] = {
	"fd00::/8", "fd00:42::/32", "fd00:42:1::/48", "fd00:42:1::/124",
	"fd00:42:2::/48", "::/0", "2001:db8::/32", "fd00:42:1::3/128",
	"fd00:42:1::/49", "fd00::/120",
};

/* An except strictly inside block: a longer prefix of an address of the
 * pool inside it (or, rarely, one outside: an invalid policy). */
static void rnd_except(struct sb *s, const struct np_cidr *block)
{
	unsigned int max = block->addr.family == AF_INET ? 32 : 128;
	struct np_cidr e;
	char buf[NP_CIDR_STRLEN];
	size_t tries;

	for (tries = 0; tries < 20; tries++) {
		struct np_addr a;

		if (np_addr_parse(addrs[rnd((uint32_t)n_addrs)], &a) ||
		    (!np_cidr_contains(block, &a) && rnd(40)))
			continue;
		if (block->prefixlen >= max)
			return;
		e.addr = a;
		e.prefixlen = (uint8_t)(block->prefixlen + 1 +
			rnd(max - block->prefixlen));
		if (rnd(3))
			np_cidr_network(&e, &e.addr);
		sb_add(s, "%s'%s'", s->b[s->n - 1] == '[' ? "" : ",",
		       np_cidr_str(&e, buf, sizeof(buf)));
		return;
	}
}

static void rnd_peer(struct sb *s)
{
	uint32_t k = rnd(8), i, n;

	sb_add(s, "{");
	if (k < 2) {
		sb_add(s, "'podSelector':");
		rnd_selector(s, false);
	} else if (k < 4) {
		sb_add(s, "'namespaceSelector':");
		rnd_selector(s, true);
	} else if (k < 5) {
		sb_add(s, "'namespaceSelector':");
		rnd_selector(s, true);
		sb_add(s, ",'podSelector':");
		rnd_selector(s, false);
	} else {
		const char *b = rnd(2) ? PICK(v4_blocks) : PICK(v6_blocks);
		struct np_cidr block;

		np_cidr_parse(b, &block);
		sb_add(s, "'ipBlock':{'cidr':'%s','except':[", b);
		for (i = 0, n = rnd(4) ? rnd(3) : 0; i < n; i++)
			rnd_except(s, &block);
		sb_add(s, "]}");
	}
	sb_add(s, "}");
}

static void rnd_ports(struct sb *s)
{
	static const char *const protos[] = {
		"", "'protocol':'TCP',", "'protocol':'UDP',",
		"'protocol':'SCTP',",
	};
	static const char *const names[] = { "http", "dns", "metrics" };
	static const unsigned int nums[] = { 53, 80, 81, 8080, 9090 };
	uint32_t i, n = 1 + rnd(3);

	sb_add(s, ",'ports':[");
	for (i = 0; i < n; i++) {
		uint32_t k = rnd(20);

		sb_add(s, "%s{%s", i ? "," : "",
		       k == 0 ? "'protocol':'ICMP'," : PICK(protos));
		if (k < 4)
			sb_add(s, "'port':'%s'", PICK(names));
		else if (k < 7) {
			unsigned int p = nums[rnd(5)];

			/* Now and then an invalid one: below the port. */
			sb_add(s, "'port':%u,'endPort':%u", p, rnd(15) ?
			       p + (rnd(2) ? 1 : 1000) : p - 1);
		}
		else if (k < 15)
			sb_add(s, "'port':%u", nums[rnd(5)]);
		else if (s->b[s->n - 1] == ',')
			s->n--;		/* protocol only */
		sb_add(s, "}");
	}
	sb_add(s, "]");
}

static void rnd_rules(struct sb *s, const char *key, const char *peers)
{
	uint32_t i, n = rnd(4), j, np;

	if (!rnd(3))
		return;
	sb_add(s, ",'%s':[", key);
	for (i = 0; i < n; i++) {
		sb_add(s, "%s{", i ? "," : "");
		np = rnd(3) ? 1 + rnd(3) : 0;
		if (np || rnd(2)) {
			sb_add(s, "'%s':[", peers);
			for (j = 0; j < np; j++) {
				if (j)
					sb_add(s, ",");
				rnd_peer(s);
			}
			sb_add(s, "]");
		} else {
			sb_add(s, "'x':0");	/* an unknown field */
		}
		if (rnd(5) < 3)
			rnd_ports(s);
		sb_add(s, "}");
	}
	sb_add(s, "]");
}

static void rnd_policy(const char *nsn, const char *name)
{
	static const char *const types[] = {
		"", ",'policyTypes':['Ingress']", ",'policyTypes':['Egress']",
		",'policyTypes':['Ingress','Egress']", "",
		",'policyTypes':['Egress','Ingress']",
	};
	struct sb s = { .n = 0 };

	sb_add(&s, "'podSelector':");
	rnd_selector(&s, false);
	sb_add(&s, "%s", rnd(30) ? PICK(types) :
	       ",'policyTypes':['Ingress','Other']");
	rnd_rules(&s, "ingress", "from");
	rnd_rules(&s, "egress", "to");
	pol(nsn, name, s.b);	/* an invalid one is stored as such */
}

static void rnd_pod(size_t i)
{
	static const char *const apps[] = { "'app':'a'", "'app':'b'",
					    "'app':'c'", "" };
	static const char *const tiers[] = { "'tier':'db'", "'tier':'web'" };
	static const char *const phases[] = {
		"Running", "Running", "Running", "Running", "Running",
		"Running", "Running", "Pending", "Succeeded", "Failed",
	};
	static const char *const pnames[] = { "http", "dns", "metrics", "" };
	static const char *const pprotos[] = { "TCP", "TCP", "UDP", "SCTP" };
	static const unsigned int nums[] = { 53, 80, 81, 8080, 9090 };
	char ips[128] = "", labels[128], v4a[32], v6a[48];
	struct sb ports = { .n = 0 };
	unsigned int node = rnd(5) < 3 ? 1 : 2 + rnd(2), k;
	bool host = !rnd(12);
	uint32_t fams = rnd(20), j, n;

	if (host) {
		snprintf(v4a, sizeof(v4a), "10.0.0.%u", node);
		snprintf(v6a, sizeof(v6a), "fd00::%u", node);
	} else {
		snprintf(v4a, sizeof(v4a), "10.42.%u.%zu", node, i + 1);
		snprintf(v6a, sizeof(v6a), "fd00:42:%u::%zx", node, i + 1);
	}
	if (fams < 6)
		snprintf(ips, sizeof(ips), "%s", v4a);
	else if (fams < 10)
		snprintf(ips, sizeof(ips), "%s", v6a);
	else if (fams < 19)
		snprintf(ips, sizeof(ips), "%s,%s", v4a, v6a);
	if (fams < 6 || fams >= 10)
		addr_add(v4a, node == 1);
	if (fams >= 6)
		addr_add(v6a, node == 1);
	k = rnd(4);
	snprintf(labels, sizeof(labels), "%s", apps[k]);
	if (!rnd(3))
		snprintf(labels + strlen(labels), sizeof(labels) - strlen(labels),
			 "%s%s", k < 3 ? "," : "", PICK(tiers));
	for (j = 0, n = rnd(4); j < n; j++)
		sb_add(&ports, "%s{'name':'%s','containerPort':%u,"
		       "'protocol':'%s'}", j ? "," : "", PICK(pnames),
		       nums[rnd(5)], PICK(pprotos));
	{
		char name[32], nodename[16];

		snprintf(name, sizeof(name), "p%zu", i);
		snprintf(nodename, sizeof(nodename), "n%u", node);
		pod_full(nsnames[rnd(3)], name, nodename, ips, labels,
			 ports.b, PICK(phases), host);
	}
}

static void rnd_cluster(void)
{
	static const char *const nslabels[] = {
		"", "'team':'red'", "'team':'blue'", "'team':'red','env':'prod'",
		"'env':'dev'",
	};
	size_t i, n;

	fresh();
	n_addrs = n_local = 0;
	addr_add("192.0.2.10", false);
	addr_add("10.99.0.1", false);
	addr_add("10.42.1.3", false);
	addr_add("2001:db8::10", false);
	addr_add("fd00:42:1::77", false);
	addr_add("10.0.0.1", false);
	addr_add("fd00::1", false);
	for (i = 0; i < 3; i++)
		if (rnd(8))
			ns(nsnames[i], PICK(nslabels));
	for (i = 0, n = 4 + rnd(12); i < n; i++)
		rnd_pod(i);
	for (i = 0, n = 1 + rnd(8); i < n; i++) {
		char name[32];

		snprintf(name, sizeof(name), "np%zu", i);
		rnd_policy(nsnames[rnd(3)], name);
	}
}

/* Plans are canonical: prefixes strictly sorted with host bits clear;
 * endpoints strictly sorted; rules strictly sorted by (dir, cls); ports
 * sorted and disjoint. "" or what is wrong. */
static const char *plan_canonical(const struct np_netpol_plan *p)
{
	size_t i, j, k;

	for (i = 0; i < p->n_prefixes; i++) {
		struct np_addr net;

		np_cidr_network(&p->prefixes[i].cidr, &net);
		if (!np_addr_eq(&net, &p->prefixes[i].cidr.addr))
			return "host bits in a prefix";
		if (!p->prefixes[i].cls || p->prefixes[i].cls > NP_POL_CLASS_MAX)
			return "prefix class out of range";
		if (i && np_cidr_cmp(&p->prefixes[i - 1].cidr,
				     &p->prefixes[i].cidr) >= 0)
			return "prefixes not strictly sorted";
	}
	for (i = 0; i < p->n_endpoints; i++) {
		const struct np_netpol_endpoint *ep = &p->endpoints[i];

		if (i && np_addr_cmp(&p->endpoints[i - 1].addr, &ep->addr) >= 0)
			return "endpoints not strictly sorted";
		for (j = 0; j < ep->n_rules; j++) {
			const struct np_netpol_krule *r = &ep->rules[j];

			if (j && (ep->rules[j - 1].dir > r->dir ||
				  (ep->rules[j - 1].dir == r->dir &&
				   ep->rules[j - 1].cls >= r->cls)))
				return "rules not strictly sorted";
			if (!(ep->flags & (r->dir == NP_POL_DIR_INGRESS ?
					   NP_PEP_F_INGRESS : NP_PEP_F_EGRESS)))
				return "a rule of a direction not isolated";
			for (k = 0; k < r->n_ports; k++) {
				const struct np_netpol_kport *a = &r->ports[k];

				if (a->first > a->last ||
				    (!a->first && a->last))
					return "a bad port range";
				if (k && (r->ports[k - 1].proto > a->proto ||
					  (r->ports[k - 1].proto == a->proto &&
					   (uint32_t)r->ports[k - 1].last + 1 >=
					   a->first)))
					return "ports not sorted and merged";
			}
		}
	}
	return "";
}

static const char *const qprotos[] = { "TCP", "UDP", "SCTP" };
static const unsigned int qports[] = { 53, 80, 81, 1000, 8080, 8081, 9090,
				       10000 };

/* Many random connections on the compiled plan against the evaluator;
 * "" or the first difference. */
static const char *judge_many(uint64_t seed, size_t scenario, int phase,
			      size_t queries)
{
	static char why[4096];
	struct np_netpol_plan plan;
	struct np_err err = { 0 };
	const char *canon;
	size_t q;

	if (np_netpol_compile(m, NODE, classes, &plan, &err)) {
		snprintf(why, sizeof(why), "seed %#llx scenario %zu: compile: "
			 "%s", (unsigned long long)seed, scenario, err.msg);
		return why;
	}
	canon = plan_canonical(&plan);
	if (*canon) {
		snprintf(why, sizeof(why), "seed %#llx scenario %zu: %s:\n%s",
			 (unsigned long long)seed, scenario, canon,
			 plan_str(&plan));
		np_netpol_plan_free(&plan);
		return why;
	}
	for (q = 0; q < queries; q++) {
		const char *src = rnd_addr();
		const char *dst = rnd_addr();
		const char *proto = PICK(qprotos);
		unsigned int port = qports[rnd(8)];
		bool node_src = !rnd(10);
		struct np_netpol_verdict v;
		struct np_addr s, d;
		bool allows;

		np_addr_parse(src, &s);
		np_addr_parse(dst, &d);
		if (np_netpol_eval(m, NODE, &s, &d, proto_num(proto),
				   (uint16_t)port, node_src, &v)) {
			snprintf(why, sizeof(why), "eval failed");
			np_netpol_plan_free(&plan);
			return why;
		}
		allows = np_netpol_plan_allows(&plan, &s, &d, proto_num(proto),
					       (uint16_t)port, node_src);
		if (allows != v.allowed) {
			snprintf(why, sizeof(why), "seed %#llx scenario %zu "
				 "phase %d: %s -> %s %s/%u%s: the plan %s, the "
				 "evaluator %s [egress: %s] [ingress: %s]\n%s",
				 (unsigned long long)seed, scenario, phase, src,
				 dst, proto, port, node_src ? " (node)" : "",
				 allows ? "allows" : "denies",
				 v.allowed ? "allows" : "denies", v.egress,
				 v.ingress, plan_str(&plan));
			np_netpol_verdict_free(&v);
			np_netpol_plan_free(&plan);
			return why;
		}
		np_netpol_verdict_free(&v);
	}
	np_netpol_plan_free(&plan);
	return "";
}

#define SCENARIOS 600
#define QUERIES 250

TEST(random_plans_decide_as_the_evaluator)
{
	uint64_t seed = 0x6e70632d73656564ULL;	/* "npc-seed" */
	const char *env = getenv("NP_NETPOL_SEED");
	size_t sc;

	if (env)
		seed = strtoull(env, NULL, 0);
	fresh_ids();			/* one set of classes for all */
	for (sc = 0; sc < SCENARIOS; sc++) {
		const char *why;
		char name[32];

		rng = seed + sc * 0x9e3779b97f4a7c15ULL;
		if (!rng)
			rng = 1;
		rnd_cluster();
		why = judge_many(seed, sc, 0, QUERIES);
		if (*why)
			CHECK_FAIL("%s", why);
		/* A change, compiled with the same classes. */
		snprintf(name, sizeof(name), "np%u", rnd(9));
		if (rnd(3))
			rnd_policy(nsnames[rnd(3)], name);
		else
			rnd_pod(rnd(16));
		why = judge_many(seed, sc, 1, QUERIES);
		if (*why)
			CHECK_FAIL("%s", why);
	}
}

/* ------------------------------------------------------------- bench */

/* n policies, each selecting the pods of one of 100 apps and allowing
 * cidrs random /24../32 blocks; prints the compile time. */
static int bench(size_t n, size_t cidrs)
{
	struct np_netpol_plan plan;
	struct np_err err = { 0 };
	struct timespec t0, t1;
	size_t i, j, runs;
	double best = 1e9;

	fresh();
	fresh_ids();
	rng = 42;
	ns("x", "");
	for (i = 0; i < 200; i++) {
		char name[32], ip[32], app[32];

		snprintf(name, sizeof(name), "p%zu", i);
		snprintf(ip, sizeof(ip), "10.42.%zu.%zu", i / 100, i % 100 + 1);
		snprintf(app, sizeof(app), "'app':'a%zu'", i % 100);
		pod("x", name, i % 2 ? "n2" : "n1", ip, app, "");
	}
	for (i = 0; i < n; i++) {
		struct sb s = { .n = 0 };
		char name[32];

		sb_add(&s, "'podSelector':{'matchLabels':{'app':'a%zu'}},"
		       "'ingress':[{'from':[", i % 100);
		for (j = 0; j < cidrs; j++)
			sb_add(&s, "%s{'ipBlock':{'cidr':'%u.%u.%u.0/%u'}}",
			       j ? "," : "", 11 + rnd(200), rnd(256), rnd(256),
			       24 + rnd(9));
		sb_add(&s, "],'ports':[{'port':%u}]}]", 1 + rnd(1000));
		snprintf(name, sizeof(name), "np%zu", i);
		if (*pol("x", name, s.b)) {
			fprintf(stderr, "bench: %s\n", fix_err);
			return 1;
		}
	}
	for (runs = 0; runs < 5; runs++) {
		double ms;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (np_netpol_compile(m, NODE, classes, &plan, &err)) {
			fprintf(stderr, "bench: %s\n", err.msg);
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
		     (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		if (ms < best)
			best = ms;
		printf("compile %zu policies x %zu cidrs: %.1f ms (%zu "
		       "prefixes, %zu endpoints)\n", n, cidrs, ms,
		       plan.n_prefixes, plan.n_endpoints);
		np_netpol_plan_free(&plan);
	}
	printf("best %.1f ms\n", best);
	np_model_free(m);
	m = NULL;
	np_netpol_classes_free(classes);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--bench"))
		return bench(argc > 2 ? strtoul(argv[2], NULL, 0) : 10000,
			     argc > 3 ? strtoul(argv[3], NULL, 0) : 10);
	RUN(classes_shared_by_equivalent_addresses);
	RUN(excepts_are_longer_prefixes);
	RUN(named_ports_split_classes_per_number);
	RUN(class_ids_stable_when_an_unrelated_policy_changes);
	RUN(invalid_policy_fails_closed);
	RUN(host_network_pods_are_neither_endpoints_nor_peers);
	RUN(rules_merge_per_direction_and_class);
	RUN(random_plans_decide_as_the_evaluator);
	np_netpol_verdict_free(&vd);
	np_model_free(m);
	np_netpol_classes_free(classes);
	return check_summary();
}
