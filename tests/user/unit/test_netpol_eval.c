// SPDX-License-Identifier: GPL-2.0-only
/*
 * The NetworkPolicy semantics, case by case (../shared/spec/netpol.md §2
 * and §6, kube-router's refinements of §3.3 and §5), on node n1, over
 * IPv4 and IPv6: every connection is judged by the reference evaluator
 * and by the plan the compiler builds for n1, which must agree (the
 * fixture fails a case where they differ), and the evaluator's words are
 * checked where they say which policy isolated a side and which rule let
 * the connection through.
 *
 * The cluster (every pod dual-stack; ports http TCP/80 (x/b: 8080),
 * alt TCP/81, dns UDP/53):
 *
 *   namespace x {team: blue}     y {team: red}     z (no labels)
 *   n1: x/a {app: a, role: web}  x/b {app: b, tier: db}
 *       y/a {app: a}             z/c {app: c}
 *   n2: x/c {app: c}             y/b {app: b}
 *   outside: 192.0.2.10 / 2001:db8::10; n1's own address 10.0.0.1 / fd00::1
 */
#include "netpol_fix.h"

static int fam;

enum who { XA, XB, XC, YA, YB, ZC, EXT, NODEIP, HOSTNET, DONE, N_WHO };

static const char *const v4[N_WHO] = {
	"10.42.1.1", "10.42.1.2", "10.42.2.3", "10.42.1.4", "10.42.2.5",
	"10.42.1.6", "192.0.2.10", "10.0.0.1", "10.0.0.2", "10.42.1.9",
};
static const char *const v6[N_WHO] = {
	"fd00:42:1::1", "fd00:42:1::2", "fd00:42:2::3", "fd00:42:1::4",
	"fd00:42:2::5", "fd00:42:1::6", "2001:db8::10", "fd00::1", "fd00::2",
	"fd00:42:1::9",
};

/* The address of w in the family under test. */
static const char *A(enum who w)
{
	return fam == 6 ? v6[w] : v4[w];
}

/* One of two texts by family. */
static const char *F(const char *four, const char *six)
{
	return fam == 6 ? six : four;
}

#define PORTS(http) "{'name':'http','containerPort':" #http "}," \
	"{'name':'alt','containerPort':81}," \
	"{'name':'dns','containerPort':53,'protocol':'UDP'}"

static char ipbuf[N_WHO][64];

static const char *both(enum who w)
{
	snprintf(ipbuf[w], sizeof(ipbuf[w]), "%s,%s", v4[w], v6[w]);
	return ipbuf[w];
}

/* The cluster at the top; "" or the first error. */
static const char *cluster(void)
{
	const char *r;

	fresh();
#define TRY(x) do { r = (x); if (*r) return r; } while (0)
	TRY(ns("x", "'team':'blue'"));
	TRY(ns("y", "'team':'red'"));
	TRY(ns("z", ""));
	TRY(pod("x", "a", "n1", both(XA), "'app':'a','role':'web'", PORTS(80)));
	TRY(pod("x", "b", "n1", both(XB), "'app':'b','tier':'db'", PORTS(8080)));
	TRY(pod("x", "c", "n2", both(XC), "'app':'c'", PORTS(80)));
	TRY(pod("y", "a", "n1", both(YA), "'app':'a'", PORTS(80)));
	TRY(pod("y", "b", "n2", both(YB), "'app':'b'", PORTS(80)));
	TRY(pod("z", "c", "n1", both(ZC), "'app':'c'", PORTS(80)));
#undef TRY
	return "";
}

/* Both families of a case. */
#define BOTH(name)							\
	static void name(void);						\
	TEST(name##_v4) { fam = 4; name(); }				\
	TEST(name##_v6) { fam = 6; name(); }				\
	static void name(void)

/* ------------------------------------------------------------ §2.1 */

BOTH(no_policy_everything_open)
{
	CHECK_UP(cluster());
	EXPECT('A', A(XA), A(XB), "TCP", 80);
	CHECK_STR(vd.egress, "x/a: not isolated for egress");
	CHECK_STR(vd.ingress, "x/b: not isolated for ingress");
	EXPECT('A', A(EXT), A(ZC), "SCTP", 9);
	EXPECT('A', A(XA), A(EXT), "UDP", 53);
}

/* §6: a deny-all in x affects only x; y->y and x->y are untouched. */
BOTH(deny_all_ingress_isolates_only_its_namespace)
{
	char want[256];

	CHECK_UP(cluster());
	CHECK_UP(pol("x", "deny", "'podSelector':{}"));
	EXPECT('D', A(YA), A(XA), "TCP", 80);
	snprintf(want, sizeof(want), "x/a: isolated for ingress by x/deny; "
		 "no ingress rule of it allows %s (y/a) on TCP/80", A(YA));
	CHECK_STR(vd.ingress, want);
	CHECK_STR(vd.egress, "y/a: not isolated for egress");
	EXPECT('D', A(XB), A(XA), "TCP", 80);
	EXPECT('D', A(EXT), A(XB), "UDP", 53);
	EXPECT('A', A(XA), A(YA), "TCP", 80);	/* x -> y */
	EXPECT('A', A(ZC), A(YA), "TCP", 80);	/* z -> y */
	EXPECT('A', A(XA), A(EXT), "TCP", 443);	/* x's egress is open */
}

/* §2.1: policyTypes defaulting (the API server's, as the decoder
 * applies it): egress rules without policyTypes isolate both ways. */
BOTH(policy_types_defaulting)
{
	CHECK_UP(cluster());
	CHECK_UP(pol("x", "eg", "'podSelector':{'matchLabels':{'app':'a'}},"
		     "'egress':[{'to':[{'podSelector':{}}]}]"));
	EXPECT('D', A(XB), A(XA), "TCP", 80);	/* ingress isolated too */
	CHECK_CONTAINS(vd.ingress, "isolated for ingress by x/eg");
	EXPECT('A', A(XA), A(XB), "TCP", 8080);	/* egress rule to x */
	CHECK_STR(vd.egress, "x/a: isolated for egress by x/eg; allowed by "
		  "x/eg egress rule 0 (to[0] podSelector {}; any port)");
	EXPECT('D', A(XA), A(YA), "TCP", 80);	/* not to y */
	/* Explicit [Egress] with no rules: egress deny-all, ingress open. */
	CHECK_UP(pol("x", "eg", "'podSelector':{'matchLabels':{'app':'a'}},"
		     "'policyTypes':['Egress']"));
	EXPECT('D', A(XA), A(YA), "TCP", 80);
	EXPECT('A', A(YA), A(XA), "TCP", 80);
	CHECK_STR(vd.ingress, "x/a: not isolated for ingress");
}

/* §2.5: ingress: [{}] allows all; a rule without from allows every
 * source, pods or not. */
BOTH(empty_rule_and_missing_from)
{
	CHECK_UP(cluster());
	CHECK_UP(pol("x", "all", "'podSelector':{},'ingress':[{}]"));
	EXPECT('A', A(EXT), A(XA), "SCTP", 7);
	CHECK_STR(vd.ingress, "x/a: isolated for ingress by x/all; allowed "
		  "by x/all ingress rule 0 (any peer; any port)");
	CHECK_UP(pol("x", "all", "'podSelector':{},'ingress':[{'ports':"
		     "[{'port':80}]}]"));
	EXPECT('A', A(EXT), A(XA), "TCP", 80);
	EXPECT('A', A(YA), A(XA), "TCP", 80);
	EXPECT('D', A(EXT), A(XA), "TCP", 81);
	EXPECT('D', A(EXT), A(XA), "UDP", 80);
}

/* ------------------------------------------------------------ §2.2 */

/* A -> B needs A's egress and B's ingress (upstream "denying of egress
 * traffic on the client side"). */
BOTH(egress_and_ingress_both_needed)
{
	CHECK_UP(cluster());
	CHECK_UP(pol("x", "no-egress", "'podSelector':{},"
		     "'policyTypes':['Egress']"));
	CHECK_UP(pol("y", "open", "'podSelector':{},'ingress':[{}]"));
	EXPECT('D', A(XA), A(YA), "TCP", 80);
	CHECK_CONTAINS(vd.egress, "isolated for egress by x/no-egress; no "
		       "egress rule of it allows");
	CHECK_CONTAINS(vd.ingress, "allowed by y/open ingress rule 0");
	CHECK_UP(pol("x", "no-egress", "'podSelector':{},"
		     "'policyTypes':['Egress'],'egress':[{}]"));
	CHECK_UP(pol("y", "open", "'podSelector':{}"));
	EXPECT('D', A(XA), A(YA), "TCP", 80);
	CHECK_CONTAINS(vd.egress, "allowed by x/no-egress egress rule 0");
	CHECK_UP(pol("y", "open", "'podSelector':{},'ingress':[{}]"));
	EXPECT('A', A(XA), A(YA), "TCP", 80);
}

/* §6 stacked policies widen; rules are OR-ed; ports bind to their rule. */
BOTH(stacked_policies_and_ports_bound_to_rules)
{
	CHECK_UP(cluster());
	CHECK_UP(pol("x", "p1", "'podSelector':{'matchLabels':{'app':'a'}},"
		     "'ingress':[{'from':[{'podSelector':{'matchLabels':"
		     "{'app':'b'}}}],'ports':[{'port':80}]},{'from':"
		     "[{'podSelector':{'matchLabels':{'app':'c'}}}],'ports':"
		     "[{'port':81}]}]"));
	EXPECT('A', A(XB), A(XA), "TCP", 80);
	EXPECT('D', A(XB), A(XA), "TCP", 81);	/* 81 is app=c's */
	EXPECT('A', A(XC), A(XA), "TCP", 81);
	CHECK_STR(vd.ingress, "x/a: isolated for ingress by x/p1; allowed by "
		  "x/p1 ingress rule 1 (from[0] podSelector app=c; ports[0] "
		  "TCP/81)");
	EXPECT('D', A(XC), A(XA), "TCP", 80);
	EXPECT('D', A(YA), A(XA), "TCP", 80);
	CHECK_UP(pol("x", "p2", "'podSelector':{'matchLabels':{'role':"
		     "'web'}},'ingress':[{'from':[{'namespaceSelector':"
		     "{'matchLabels':{'team':'red'}}}]}]"));
	EXPECT('A', A(YA), A(XA), "TCP", 80);	/* widened by p2 */
	CHECK_STR(vd.ingress, "x/a: isolated for ingress by x/p1, x/p2; "
		  "allowed by x/p2 ingress rule 0 (from[0] namespaceSelector "
		  "team=red; any port)");
	EXPECT('A', A(XB), A(XA), "TCP", 80);	/* p1 still counts */
	EXPECT('D', A(ZC), A(XA), "TCP", 80);
	/* Deleting p1 leaves p2 only; deleting p2 opens x/a again. */
	CHECK_INT(np_model_delete(m, NP_KIND_NETWORKPOLICY, "x", "p1"), 0);
	EXPECT('D', A(XB), A(XA), "TCP", 80);
	CHECK_INT(np_model_delete(m, NP_KIND_NETWORKPOLICY, "x", "p2"), 0);
	EXPECT('A', A(XB), A(XA), "TCP", 80);
}

/* A single policy of both types selecting both ends (supp-both-types):
 * x/a's egress rule does not open x/b's ingress. */
BOTH(both_types_one_policy_both_ends)
{
	CHECK_UP(cluster());
	CHECK_UP(pol("x", "both", "'podSelector':{},'policyTypes':"
		     "['Ingress','Egress'],'egress':[{}]"));
	EXPECT('D', A(XA), A(XB), "TCP", 8080);
	CHECK_CONTAINS(vd.egress, "allowed by x/both egress rule 0");
	CHECK_CONTAINS(vd.ingress, "isolated for ingress by x/both; no "
		       "ingress rule");
	EXPECT('A', A(XA), A(YA), "TCP", 80);
}

/* ------------------------------------------------------------ §2.3 */

/* §6: podSelector {} as a peer is the policy's own namespace only. */
BOTH(pod_selector_peer_is_own_namespace)
{
	CHECK_UP(cluster());
	CHECK_UP(pol("x", "own", "'podSelector':{'matchLabels':{'app':'a'}},"
		     "'ingress':[{'from':[{'podSelector':{}}]}]"));
	EXPECT('A', A(XB), A(XA), "TCP", 80);
	EXPECT('A', A(XC), A(XA), "TCP", 80);	/* x/c on n2, same ns */
	EXPECT('D', A(YA), A(XA), "TCP", 80);
	EXPECT('D', A(ZC), A(XA), "TCP", 80);
	EXPECT('D', A(EXT), A(XA), "TCP", 80);
}

/* §6: namespaceSelector {} is every namespace, the policy's own too. */
BOTH(namespace_selector_empty_is_every_namespace)
{
	CHECK_UP(cluster());
	CHECK_UP(pol("x", "pods", "'podSelector':{},'ingress':[{'from':"
		     "[{'namespaceSelector':{}}]}]"));
	EXPECT('A', A(XB), A(XA), "TCP", 80);
	EXPECT('A', A(YA), A(XA), "TCP", 80);
	EXPECT('A', A(YB), A(XA), "TCP", 80);
	EXPECT('A', A(ZC), A(XB), "TCP", 80);
	EXPECT('D', A(EXT), A(XA), "TCP", 80);	/* not a pod */
	EXPECT('D', A(NODEIP), A(XA), "TCP", 80);	/* node, not as node */
}

/* §2.3: both selectors in one entry AND, in two entries OR. */
BOTH(selectors_and_in_one_entry_or_in_two)
{
	CHECK_UP(cluster());
	CHECK_UP(pol("x", "and", "'podSelector':{'matchLabels':{'app':'a'}},"
		     "'ingress':[{'from':[{'namespaceSelector':{'matchLabels':"
		     "{'team':'red'}},'podSelector':{'matchLabels':{'app':"
		     "'a'}}}]}]"));
	EXPECT('A', A(YA), A(XA), "TCP", 80);
	CHECK_CONTAINS(vd.ingress, "(from[0] namespaceSelector team=red + "
		       "podSelector app=a; any port)");
	EXPECT('D', A(YB), A(XA), "TCP", 80);	/* red, app=b */
	EXPECT('D', A(XB), A(XA), "TCP", 80);	/* x is not red */
	CHECK_UP(pol("x", "and", "'podSelector':{'matchLabels':{'app':'a'}},"
		     "'ingress':[{'from':[{'namespaceSelector':{'matchLabels':"
		     "{'team':'red'}}},{'podSelector':{'matchLabels':{'app':"
		     "'b'}}}]}]"));
	EXPECT('A', A(YA), A(XA), "TCP", 80);
	EXPECT('A', A(YB), A(XA), "TCP", 80);
	EXPECT('A', A(XB), A(XA), "TCP", 80);	/* app=b in x */
	EXPECT('D', A(XC), A(XA), "TCP", 80);
	EXPECT('D', A(ZC), A(XA), "TCP", 80);
}

/* §2.3: matchExpressions; NotIn also matches a pod without the key. */
BOTH(match_expressions)
{
	CHECK_UP(cluster());
	CHECK_UP(pol("x", "e", "'podSelector':{'matchExpressions':[{'key':"
		     "'role','operator':'Exists'}]},'ingress':[{'from':"
		     "[{'podSelector':{'matchExpressions':[{'key':'tier',"
		     "'operator':'NotIn','values':['db']}]}}]}]"));
	EXPECT('D', A(XB), A(XA), "TCP", 80);	/* tier=db */
	EXPECT('A', A(XC), A(XA), "TCP", 80);	/* no tier: NotIn matches */
	CHECK_CONTAINS(vd.ingress, "podSelector tier notin (db)");
	EXPECT('A', A(XA), A(XB), "TCP", 8080);	/* x/b has no role */
	CHECK_UP(pol("x", "e", "'podSelector':{'matchExpressions':[{'key':"
		     "'app','operator':'In','values':['a','b']}]},'ingress':"
		     "[{'from':[{'podSelector':{'matchExpressions':[{'key':"
		     "'tier','operator':'DoesNotExist'}]}},{'podSelector':"
		     "{'matchExpressions':[{'key':'tier','operator':'Exists'},"
		     "{'key':'app','operator':'In','values':['x']}]}}]}]"));
	EXPECT('A', A(XC), A(XA), "TCP", 80);	/* no tier */
	CHECK_CONTAINS(vd.ingress, "(from[0] podSelector !tier; any port)");
	EXPECT('A', A(XA), A(XB), "TCP", 8080);
	EXPECT('D', A(XB), A(XA), "TCP", 80);	/* tier, not app in (x) */
	EXPECT('D', A(YA), A(XA), "TCP", 80);	/* other namespace */
	EXPECT('A', A(YA), A(ZC), "TCP", 80);	/* z/c: app=c, not selected */
}

/* The namespace label kubernetes.io/metadata.name is the name, even when
 * the object does not carry it (the API server always sets it). */
BOTH(namespace_name_label)
{
	CHECK_UP(cluster());
	CHECK_UP(pol("x", "by-name", "'podSelector':{},'ingress':[{'from':"
		     "[{'namespaceSelector':{'matchLabels':{"
		     "'kubernetes.io/metadata.name':'z'}}}]}]"));
	EXPECT('A', A(ZC), A(XA), "TCP", 80);
	EXPECT('D', A(YA), A(XA), "TCP", 80);
	EXPECT('D', A(XB), A(XA), "TCP", 80);
}

/* §2.3 ipBlock with except; §6 ipBlocks match pod addresses. */
BOTH(ip_block_with_except)
{
	char spec[512];

	CHECK_UP(cluster());
	snprintf(spec, sizeof(spec), "'podSelector':{'matchLabels':{'app':"
		 "'a'}},'ingress':[{'from':[{'ipBlock':{'cidr':'%s','except':"
		 "['%s']}}]}]", F("10.42.1.0/24", "fd00:42:1::/64"),
		 F("10.42.1.4/32", "fd00:42:1::4/128"));
	CHECK_UP(pol("x", "block", spec));
	EXPECT('A', A(XB), A(XA), "TCP", 80);
	CHECK_CONTAINS(vd.ingress, F("(from[0] ipBlock 10.42.1.0/24 except "
				     "10.42.1.4/32; any port)",
				     "(from[0] ipBlock fd00:42:1::/64 except "
				     "fd00:42:1::4/128; any port)"));
	EXPECT('A', A(ZC), A(XA), "TCP", 80);	/* any namespace */
	EXPECT('D', A(YA), A(XA), "TCP", 80);	/* the except */
	EXPECT('D', A(YB), A(XA), "TCP", 80);	/* outside */
	EXPECT('D', A(EXT), A(XA), "TCP", 80);
	/* Egress ipBlock to the outside, the other family never matching. */
	snprintf(spec, sizeof(spec), "'podSelector':{'matchLabels':{'app':"
		 "'b'}},'policyTypes':['Egress'],'egress':[{'to':[{'ipBlock':"
		 "{'cidr':'%s'}}]}]", F("192.0.2.0/24", "2001:db8::/32"));
	CHECK_UP(pol("x", "out", spec));
	EXPECT('A', A(XB), A(EXT), "TCP", 443);
	EXPECT('D', A(XB), F(v6[EXT], v4[EXT]), "TCP", 443);
	EXPECT('D', A(XB), A(ZC), "TCP", 80);
}

/* Two policies' blocks overlap with an except (supp-ipblock-except-
 * overlap-two-policies): the union wins. */
BOTH(ip_block_except_overlap_across_policies)
{
	char spec[512];

	CHECK_UP(cluster());
	snprintf(spec, sizeof(spec), "'podSelector':{'matchLabels':{'app':"
		 "'a'}},'ingress':[{'from':[{'ipBlock':{'cidr':'%s','except':"
		 "['%s']}}]}]", F("10.42.0.0/16", "fd00:42::/32"),
		 F("10.42.1.0/24", "fd00:42:1::/64"));
	CHECK_UP(pol("x", "wide", spec));
	EXPECT('D', A(XB), A(XA), "TCP", 80);
	EXPECT('A', A(YB), A(XA), "TCP", 80);
	snprintf(spec, sizeof(spec), "'podSelector':{'matchLabels':{'app':"
		 "'a'}},'ingress':[{'from':[{'ipBlock':{'cidr':'%s'}}]}]",
		 F("10.42.1.2/32", "fd00:42:1::2/128"));
	CHECK_UP(pol("x", "narrow", spec));
	EXPECT('A', A(XB), A(XA), "TCP", 80);
	CHECK_CONTAINS(vd.ingress, "allowed by x/narrow ingress rule 0");
	EXPECT('D', A(YA), A(XA), "TCP", 80);
	EXPECT('A', A(YB), A(XA), "TCP", 80);
}

/* ------------------------------------------------------------ §2.4 */

/* A protocol alone is every port of it; an SCTP- or UDP-only policy still
 * isolates TCP (tcp-sctp-policy-*, tcp-udp-policy-not-tcp); no ports is
 * every protocol and port. */
BOTH(protocols_and_ports)
{
	CHECK_UP(cluster());
	CHECK_UP(pol("x", "udp", "'podSelector':{'matchLabels':{'app':'a'}},"
		     "'ingress':[{'ports':[{'protocol':'UDP'}]}]"));
	EXPECT('A', A(YA), A(XA), "UDP", 53);
	CHECK_CONTAINS(vd.ingress, "(any peer; ports[0] every UDP port)");
	EXPECT('A', A(YA), A(XA), "UDP", 9999);
	EXPECT('D', A(YA), A(XA), "TCP", 80);
	EXPECT('D', A(YA), A(XA), "SCTP", 80);
	CHECK_UP(pol("x", "udp", "'podSelector':{'matchLabels':{'app':'a'}},"
		     "'ingress':[{'ports':[{'protocol':'SCTP','port':80}]}]"));
	EXPECT('A', A(YA), A(XA), "SCTP", 80);
	EXPECT('D', A(YA), A(XA), "TCP", 80);
	EXPECT('D', A(YA), A(XA), "SCTP", 81);
	/* A port without protocol is TCP. */
	CHECK_UP(pol("x", "udp", "'podSelector':{'matchLabels':{'app':'a'}},"
		     "'ingress':[{'ports':[{'port':80}]}]"));
	EXPECT('A', A(YA), A(XA), "TCP", 80);
	EXPECT('D', A(YA), A(XA), "UDP", 80);
	/* Peers without ports: every protocol and port. */
	CHECK_UP(pol("x", "udp", "'podSelector':{'matchLabels':{'app':'a'}},"
		     "'ingress':[{'from':[{'podSelector':{}}]}]"));
	EXPECT('A', A(XB), A(XA), "SCTP", 5000);
	EXPECT('A', A(XB), A(XA), "UDP", 1);
}

/* endPort: an inclusive range. */
BOTH(end_port_range)
{
	CHECK_UP(cluster());
	CHECK_UP(pol("x", "range", "'podSelector':{},'ingress':[{'ports':"
		     "[{'port':8000,'endPort':8080}]}]"));
	EXPECT('A', A(YA), A(XA), "TCP", 8000);
	EXPECT('A', A(YA), A(XA), "TCP", 8080);
	CHECK_CONTAINS(vd.ingress, "ports[0] TCP/8000-8080)");
	EXPECT('A', A(YA), A(XA), "TCP", 8042);
	EXPECT('D', A(YA), A(XA), "TCP", 7999);
	EXPECT('D', A(YA), A(XA), "TCP", 8081);
	EXPECT('D', A(YA), A(XA), "UDP", 8000);
}

/* Named ingress ports resolve on the target pod, with the protocol of the
 * entry (default TCP; tcp-ingress-named-port); one name, different
 * numbers on different pods. */
BOTH(named_port_ingress)
{
	CHECK_UP(cluster());
	CHECK_UP(pol("x", "named", "'podSelector':{},'ingress':[{'ports':"
		     "[{'port':'http'}]}]"));
	EXPECT('A', A(YA), A(XA), "TCP", 80);
	CHECK_CONTAINS(vd.ingress, "ports[0] TCP/http (80))");
	EXPECT('D', A(YA), A(XA), "TCP", 8080);
	EXPECT('D', A(YA), A(XA), "UDP", 80);	/* http is TCP */
	EXPECT('A', A(YA), A(XB), "TCP", 8080);	/* x/b's http */
	EXPECT('D', A(YA), A(XB), "TCP", 80);
	/* A name bound to the wrong protocol resolves to nothing. */
	CHECK_UP(pol("x", "named", "'podSelector':{},'ingress':[{'ports':"
		     "[{'port':'http','protocol':'UDP'},{'port':'dns'}]}]"));
	EXPECT('D', A(YA), A(XA), "TCP", 80);
	EXPECT('D', A(YA), A(XA), "UDP", 80);
	EXPECT('D', A(YA), A(XA), "TCP", 53);	/* dns is UDP */
	EXPECT('D', A(YA), A(XA), "UDP", 53);
	CHECK_UP(pol("x", "named", "'podSelector':{},'ingress':[{'ports':"
		     "[{'port':'dns','protocol':'UDP'}]}]"));
	EXPECT('A', A(YA), A(XA), "UDP", 53);
}

/* Named egress ports resolve on the destination pod, in any namespace;
 * never on a destination that is not a pod. */
BOTH(named_port_egress)
{
	char spec[512];

	CHECK_UP(cluster());
	CHECK_UP(pol("x", "named", "'podSelector':{'matchLabels':{'app':'a'}},"
		     "'policyTypes':['Egress'],'egress':[{'to':[{'podSelector':"
		     "{}}],'ports':[{'port':'http'}]}]"));
	EXPECT('A', A(XA), A(XB), "TCP", 8080);
	CHECK_CONTAINS(vd.egress, "(to[0] podSelector {}; ports[0] TCP/http "
		       "(8080))");
	EXPECT('D', A(XA), A(XB), "TCP", 80);
	EXPECT('A', A(XA), A(XC), "TCP", 80);
	EXPECT('D', A(XA), A(YA), "TCP", 80);	/* not in the peers */
	/* No peers: any pod whose http is the port; no outside address. */
	CHECK_UP(pol("x", "named", "'podSelector':{'matchLabels':{'app':'a'}},"
		     "'policyTypes':['Egress'],'egress':[{'ports':[{'port':"
		     "'http'}]}]"));
	EXPECT('A', A(XA), A(YA), "TCP", 80);
	EXPECT('A', A(XA), A(YB), "TCP", 80);
	EXPECT('A', A(XA), A(XB), "TCP", 8080);
	EXPECT('D', A(XA), A(XB), "TCP", 80);
	EXPECT('D', A(XA), A(EXT), "TCP", 80);
	/* An ipBlock peer with a named port: pods inside the block only. */
	snprintf(spec, sizeof(spec), "'podSelector':{'matchLabels':{'app':"
		 "'a'}},'policyTypes':['Egress'],'egress':[{'to':[{'ipBlock':"
		 "{'cidr':'%s'}}],'ports':[{'port':'alt'}]}]",
		 F("0.0.0.0/0", "::/0"));
	CHECK_UP(pol("x", "named", spec));
	EXPECT('A', A(XA), A(YB), "TCP", 81);
	EXPECT('D', A(XA), A(EXT), "TCP", 81);
	EXPECT('D', A(XA), A(YB), "TCP", 80);
}

/* ------------------------------------------- §2.6, §3.3, §5: the edges */

/* hostNetwork pods are never selected, and pod peers never name them;
 * only ipBlocks do. */
BOTH(host_network_pods)
{
	char spec[512];

	CHECK_UP(cluster());
	CHECK_UP(ns("kube-system", ""));
	CHECK_UP(pod_full("x", "h", "n1", A(NODEIP), "'app':'a'", PORTS(80),
			  "Running", true));
	CHECK_UP(pod_full("kube-system", "h2", "n2", A(HOSTNET), "'app':'b'",
			  PORTS(80), "Running", true));
	CHECK_UP(pol("x", "deny", "'podSelector':{},'policyTypes':"
		     "['Ingress','Egress']"));
	/* x/h (hostNetwork on n1) is not subject to x/deny. */
	EXPECT('A', A(NODEIP), A(YA), "TCP", 80);
	CHECK_CONTAINS(vd.egress, "hostNetwork, not subject to policy");
	CHECK_UP(pol("x", "deny", "'podSelector':{},'ingress':[{'from':"
		     "[{'namespaceSelector':{}}]}]"));
	EXPECT('D', A(HOSTNET), A(XA), "TCP", 80);
	CHECK_CONTAINS(vd.ingress, "(hostNetwork pod kube-system/h2)");
	snprintf(spec, sizeof(spec), "'podSelector':{},'ingress':[{'from':"
		 "[{'ipBlock':{'cidr':'%s'}}]}]",
		 F("10.0.0.0/24", "fd00::/120"));
	CHECK_UP(pol("x", "deny", spec));
	EXPECT('A', A(HOSTNET), A(XA), "TCP", 80);
}

/* Succeeded or Failed pods, and pods without addresses, are not peers;
 * a Pending pod with an address is. */
BOTH(completed_pods_are_not_peers)
{
	CHECK_UP(cluster());
	CHECK_UP(pod_full("x", "done", "n2", A(DONE), "'app':'b'", "",
			  "Succeeded", false));
	CHECK_UP(pol("x", "from-b", "'podSelector':{'matchLabels':{'app':"
		     "'a'}},'ingress':[{'from':[{'podSelector':{'matchLabels':"
		     "{'app':'b'}}}]}]"));
	EXPECT('D', A(DONE), A(XA), "TCP", 80);
	CHECK_UP(pod_full("x", "done", "n2", A(DONE), "'app':'b'", "",
			  "Failed", false));
	EXPECT('D', A(DONE), A(XA), "TCP", 80);
	CHECK_UP(pod_full("x", "done", "n2", A(DONE), "'app':'b'", "",
			  "Pending", false));
	EXPECT('A', A(DONE), A(XA), "TCP", 80);
	/* A completed pod of n1 is no endpoint: not isolated. */
	CHECK_UP(pod_full("x", "done", "n1", A(DONE), "'app':'a'", "",
			  "Succeeded", false));
	EXPECT('A', A(EXT), A(DONE), "TCP", 80);
	CHECK_CONTAINS(vd.ingress, "completed, not subject to policy");
}

/* The node itself always reaches its pods (kube-router's LOCAL source);
 * no ipBlock except takes that back. */
BOTH(node_source_allowed_at_ingress)
{
	CHECK_UP(cluster());
	CHECK_UP(pol("x", "deny", "'podSelector':{}"));
	EXPECT_FULL('A', A(NODEIP), A(XA), "TCP", 80, true);
	CHECK_STR(vd.ingress, "x/a: isolated for ingress by x/deny; allowed: "
		  "the source is an address of this node");
	CHECK_CONTAINS(vd.egress, "an address of this node, no egress check");
	EXPECT('D', A(NODEIP), A(XA), "TCP", 80);	/* not said local */
	/* The egress check of a pod to the node still applies. */
	CHECK_UP(pol("x", "deny", "'podSelector':{},'policyTypes':"
		     "['Egress']"));
	EXPECT('D', A(XA), A(NODEIP), "TCP", 10250);
}

/* A side on another node is not checked here. */
BOTH(remote_side_not_checked_here)
{
	char want[256];

	CHECK_UP(cluster());
	CHECK_UP(pol("x", "deny", "'podSelector':{},'policyTypes':"
		     "['Ingress','Egress']"));
	EXPECT('A', A(YA), A(XC), "TCP", 80);
	snprintf(want, sizeof(want), "x/c (%s): on node n2, ingress not "
		 "checked here", A(XC));
	CHECK_STR(vd.ingress, want);
	EXPECT('A', A(XC), A(YA), "TCP", 80);
	snprintf(want, sizeof(want), "x/c (%s): on node n2, egress not "
		 "checked here", A(XC));
	CHECK_STR(vd.egress, want);
	EXPECT('D', A(XA), A(XC), "TCP", 80);	/* x/a's egress, here */
	CHECK_CONTAINS(vd.egress, "x/a: isolated for egress by x/deny");
}

/* A policy the model holds as invalid isolates its namespace both ways
 * and allows nothing itself; other policies still allow. */
BOTH(invalid_policy_fails_closed)
{
	CHECK_UP(cluster());
	CHECK(*pol("x", "bad", "'podSelector':{'matchLabels':{'app':'zz'}},"
		   "'ingress':[{'ports':[{'port':90,'endPort':80}]}]"));
	EXPECT('D', A(YA), A(XB), "TCP", 80);
	CHECK_CONTAINS(vd.ingress, "x/b: isolated for ingress by x/bad "
		       "(invalid: ");
	EXPECT('D', A(XA), A(YA), "TCP", 80);
	CHECK_CONTAINS(vd.egress, "isolated for egress by x/bad (invalid:");
	EXPECT('A', A(YA), A(ZC), "TCP", 80);	/* other namespaces */
	CHECK_UP(pol("x", "open", "'podSelector':{},'ingress':[{}]"));
	EXPECT('A', A(YA), A(XB), "TCP", 80);
	CHECK_CONTAINS(vd.ingress, "isolated for ingress by x/bad (invalid: ");
	CHECK_CONTAINS(vd.ingress, "), x/open; allowed by x/open ingress "
		       "rule 0");
	EXPECT('D', A(XA), A(YA), "TCP", 80);
	/* Made valid, it no longer isolates what it does not select. */
	CHECK_UP(pol("x", "bad", "'podSelector':{'matchLabels':{'app':"
		     "'zz'}},'ingress':[{'ports':[{'port':80,'endPort':90}]}]"));
	EXPECT('A', A(XA), A(YA), "TCP", 80);
}

/* A policy type or a port protocol this version does not know: the
 * selected pods are isolated both ways, the unknown entry admits
 * nothing. */
BOTH(unknown_types_fail_closed)
{
	CHECK_UP(cluster());
	CHECK_UP(pol("x", "future", "'podSelector':{'matchLabels':{'app':"
		     "'a'}},'policyTypes':['Ingress','Forward'],'ingress':"
		     "[{}]"));
	EXPECT('A', A(YA), A(XA), "TCP", 80);
	EXPECT('D', A(XA), A(YA), "TCP", 80);
	CHECK_CONTAINS(vd.egress, "x/future (names a policy type this "
		       "version does not know)");
	EXPECT('A', A(XB), A(YA), "TCP", 80);	/* not selected */
	CHECK_UP(pol("x", "future", "'podSelector':{'matchLabels':{'app':"
		     "'a'}},'ingress':[{'ports':[{'protocol':'ICMP'}]}]"));
	EXPECT('D', A(YA), A(XA), "TCP", 80);
	EXPECT('A', A(XA), A(YA), "TCP", 80);
}

/* §2.3: label changes of pods and namespaces count. */
BOTH(label_changes)
{
	CHECK_UP(cluster());
	CHECK_UP(pol("x", "p", "'podSelector':{'matchLabels':{'app':'a'}},"
		     "'ingress':[{'from':[{'podSelector':{'matchLabels':"
		     "{'app':'b'}}},{'namespaceSelector':{'matchLabels':"
		     "{'team':'red'}}}]}]"));
	EXPECT('A', A(XB), A(XA), "TCP", 80);
	EXPECT('A', A(YA), A(XA), "TCP", 80);
	EXPECT('D', A(ZC), A(XA), "TCP", 80);
	CHECK_UP(pod("x", "b", "n1", both(XB), "'app':'q'", PORTS(8080)));
	EXPECT('D', A(XB), A(XA), "TCP", 80);
	CHECK_UP(ns("y", "'team':'blue'"));
	EXPECT('D', A(YA), A(XA), "TCP", 80);
	CHECK_UP(ns("z", "'team':'red'"));
	EXPECT('A', A(ZC), A(XA), "TCP", 80);
	/* The target becomes unselected. */
	CHECK_UP(pod("x", "a", "n1", both(XA), "'app':'c'", PORTS(80)));
	EXPECT('A', A(XB), A(XA), "TCP", 80);
	CHECK_STR(vd.ingress, "x/a: not isolated for ingress");
}

int main(void)
{
	RUN(no_policy_everything_open_v4);
	RUN(no_policy_everything_open_v6);
	RUN(deny_all_ingress_isolates_only_its_namespace_v4);
	RUN(deny_all_ingress_isolates_only_its_namespace_v6);
	RUN(policy_types_defaulting_v4);
	RUN(policy_types_defaulting_v6);
	RUN(empty_rule_and_missing_from_v4);
	RUN(empty_rule_and_missing_from_v6);
	RUN(egress_and_ingress_both_needed_v4);
	RUN(egress_and_ingress_both_needed_v6);
	RUN(stacked_policies_and_ports_bound_to_rules_v4);
	RUN(stacked_policies_and_ports_bound_to_rules_v6);
	RUN(both_types_one_policy_both_ends_v4);
	RUN(both_types_one_policy_both_ends_v6);
	RUN(pod_selector_peer_is_own_namespace_v4);
	RUN(pod_selector_peer_is_own_namespace_v6);
	RUN(namespace_selector_empty_is_every_namespace_v4);
	RUN(namespace_selector_empty_is_every_namespace_v6);
	RUN(selectors_and_in_one_entry_or_in_two_v4);
	RUN(selectors_and_in_one_entry_or_in_two_v6);
	RUN(match_expressions_v4);
	RUN(match_expressions_v6);
	RUN(namespace_name_label_v4);
	RUN(namespace_name_label_v6);
	RUN(ip_block_with_except_v4);
	RUN(ip_block_with_except_v6);
	RUN(ip_block_except_overlap_across_policies_v4);
	RUN(ip_block_except_overlap_across_policies_v6);
	RUN(protocols_and_ports_v4);
	RUN(protocols_and_ports_v6);
	RUN(end_port_range_v4);
	RUN(end_port_range_v6);
	RUN(named_port_ingress_v4);
	RUN(named_port_ingress_v6);
	RUN(named_port_egress_v4);
	RUN(named_port_egress_v6);
	RUN(host_network_pods_v4);
	RUN(host_network_pods_v6);
	RUN(completed_pods_are_not_peers_v4);
	RUN(completed_pods_are_not_peers_v6);
	RUN(node_source_allowed_at_ingress_v4);
	RUN(node_source_allowed_at_ingress_v6);
	RUN(remote_side_not_checked_here_v4);
	RUN(remote_side_not_checked_here_v6);
	RUN(invalid_policy_fails_closed_v4);
	RUN(invalid_policy_fails_closed_v6);
	RUN(unknown_types_fail_closed_v4);
	RUN(unknown_types_fail_closed_v6);
	RUN(label_changes_v4);
	RUN(label_changes_v6);
	np_netpol_verdict_free(&vd);
	np_model_free(m);
	np_netpol_classes_free(classes);
	return check_summary();
}
