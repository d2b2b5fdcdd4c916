/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/user/unit/netpol_fix.h: fixtures for the NetworkPolicy compiler
 * tests: API objects written as JSON (with ' for ") upserted into a fresh
 * model, connections judged both by the reference evaluator and by the
 * compiled plan (which must agree), and plans printed as text:
 *
 *   10.42.1.0/24=1 10.42.1.4/32=2
 *   10.42.1.1 x/a I- in:1[TCP/80] in:*[UDP/53]
 *
 * prefixes as cidr=class; endpoints as address, name, isolation (I
 * ingress, E egress, - not), rules dir:class (* any peer) [ports] ([]
 * every protocol and port; TCP/any every TCP port).
 */
#ifndef _NP_NETPOL_FIX_H
#define _NP_NETPOL_FIX_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/nodeplane.h>

#include "check.h"
#include "model/model.h"
#include "model_up.h"
#include "netpol/netpol.h"
#include "nl/nl.h"

#define FIX static __attribute__((unused))
#define NODE "n1"

static struct np_model *m;
static char fix_err[2048];
static struct np_netpol_verdict vd;
static struct np_netpol_classes *classes;

FIX void fresh(void)
{
	np_model_free(m);
	m = np_model_new();
	np_netpol_verdict_free(&vd);
	if (!classes)
		classes = np_netpol_classes_new();
	fix_err[0] = '\0';
}

/* Upserts the object written by fmt (' read as "); "" or the error. */
static const char *__attribute__((format(printf, 2, 3)))
up(enum np_kind kind, const char *fmt, ...)
{
	char text[16384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return np_test_upsert(m, kind, text, fix_err, sizeof(fix_err));
}

/* A Namespace; labels are JSON members. */
FIX const char *ns(const char *name, const char *labels)
{
	return up(NP_KIND_NAMESPACE,
		  "{'kind':'Namespace','apiVersion':'v1','metadata':{'name':"
		  "'%s','labels':{%s}}}", name, labels);
}

/* The podIPs list members of "a,b". */
static void ips_json(const char *ips, char *out, size_t len)
{
	char copy[256], *tok, *save = NULL;
	size_t o = 0;

	snprintf(copy, sizeof(copy), "%s", ips);
	out[0] = '\0';
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		o += (size_t)snprintf(out + o, len - o, "%s{'ip':'%s'}",
				      o ? "," : "", tok);
}

/* A pod in full: ips "a,b" (or ""), labels and ports (container port
 * objects) JSON members, phase, hostNetwork. */
FIX const char *pod_full(const char *nsn, const char *name, const char *node,
			 const char *ips, const char *labels,
			 const char *ports, const char *phase, bool host)
{
	char ipj[512];

	ips_json(ips, ipj, sizeof(ipj));
	return up(NP_KIND_POD,
		  "{'kind':'Pod','apiVersion':'v1','metadata':{'namespace':"
		  "'%s','name':'%s','labels':{%s}},'spec':{'nodeName':'%s',"
		  "'hostNetwork':%s,'containers':[{'name':'c','ports':[%s]}]},"
		  "'status':{'phase':'%s','podIPs':[%s]}}",
		  nsn, name, labels, node, host ? "true" : "false", ports,
		  phase, ipj);
}

/* A running pod. */
FIX const char *pod(const char *nsn, const char *name, const char *node,
		    const char *ips, const char *labels, const char *ports)
{
	return pod_full(nsn, name, node, ips, labels, ports, "Running", false);
}

/* A NetworkPolicy; spec is the JSON object's members. */
FIX const char *pol(const char *nsn, const char *name, const char *spec)
{
	return up(NP_KIND_NETWORKPOLICY,
		  "{'kind':'NetworkPolicy','apiVersion':'networking.k8s.io/v1',"
		  "'metadata':{'namespace':'%s','name':'%s'},'spec':{%s}}",
		  nsn, name, spec);
}

static uint8_t proto_num(const char *p)
{
	if (!strcmp(p, "UDP"))
		return 17;
	if (!strcmp(p, "SCTP"))
		return 132;
	return 6;
}

/* ------------------------------------------------------------ judging */

/*
 * A new connection src -> dst as node NODE enforces it: 'A' allowed,
 * 'D' denied, by the evaluator (its words in vd) and by the compiled plan
 * alike; '!' when they disagree, 'E' on an error (both in fix_err).
 */
FIX char conn_full(const char *src, const char *dst, const char *proto,
		   unsigned int port, bool node_src)
{
	struct np_netpol_plan plan;
	struct np_err err = { 0 };
	struct np_addr s, d;
	bool compiled;

	np_netpol_verdict_free(&vd);
	fix_err[0] = '\0';
	if (np_addr_parse(src, &s) || np_addr_parse(dst, &d)) {
		snprintf(fix_err, sizeof(fix_err), "bad address");
		return 'E';
	}
	if (np_netpol_eval(m, NODE, &s, &d, proto_num(proto), (uint16_t)port,
			   node_src, &vd)) {
		snprintf(fix_err, sizeof(fix_err), "eval failed");
		return 'E';
	}
	if (np_netpol_compile(m, NODE, classes, &plan, &err)) {
		snprintf(fix_err, sizeof(fix_err), "compile: %s", err.msg);
		return 'E';
	}
	compiled = np_netpol_plan_allows(&plan, &s, &d, proto_num(proto),
					 (uint16_t)port, node_src);
	np_netpol_plan_free(&plan);
	if (compiled != vd.allowed) {
		snprintf(fix_err, sizeof(fix_err), "the plan %s it",
			 compiled ? "allows" : "denies");
		return '!';
	}
	return vd.allowed ? 'A' : 'D';
}

#define EXPECT_FULL(want, src, dst, proto, port, node_src) do {	\
	char got_ = conn_full(src, dst, proto, port, node_src);		\
	if (got_ != (want))						\
		CHECK_FAIL("%s -> %s %s/%u: %c, expected %c (%s) "	\
			   "[egress: %s] [ingress: %s]", src, dst, proto, \
			   (unsigned int)(port), got_, want, fix_err,	\
			   vd.egress, vd.ingress);			\
} while (0)

#define EXPECT(want, src, dst, proto, port) \
	EXPECT_FULL(want, src, dst, proto, port, false)

#define CHECK_UP(expr) CHECK_STR(expr, "")

/* ------------------------------------------------------ printing plans */

static void kport_str(const struct np_netpol_kport *p, char *buf, size_t len)
{
	const char *n = p->proto == 6 ? "TCP" : p->proto == 17 ? "UDP" :
			p->proto == 132 ? "SCTP" : "?";

	if (!p->first)
		snprintf(buf, len, "%s/any", n);
	else if (p->first == p->last)
		snprintf(buf, len, "%s/%u", n, p->first);
	else
		snprintf(buf, len, "%s/%u-%u", n, p->first, p->last);
}

/* The plan as text (see the top); a static buffer. */
FIX const char *plan_str(const struct np_netpol_plan *plan)
{
	static char out[65536];
	char a[NP_CIDR_STRLEN], pb[48];
	size_t o = 0, i, j, k;

#define P(...) (o += (size_t)snprintf(out + o, o < sizeof(out) ? \
				      sizeof(out) - o : 0, __VA_ARGS__))
	out[0] = '\0';
	for (i = 0; i < plan->n_prefixes; i++)
		P("%s%s=%u", i ? " " : "",
		  np_cidr_str(&plan->prefixes[i].cidr, a, sizeof(a)),
		  plan->prefixes[i].cls);
	for (i = 0; i < plan->n_endpoints; i++) {
		const struct np_netpol_endpoint *ep = &plan->endpoints[i];

		P("%s%s %s %c%c", o ? "\n" : "",
		  np_addr_str(&ep->addr, a, sizeof(a)), ep->name,
		  ep->flags & NP_PEP_F_INGRESS ? 'I' : '-',
		  ep->flags & NP_PEP_F_EGRESS ? 'E' : '-');
		for (j = 0; j < ep->n_rules; j++) {
			const struct np_netpol_krule *r = &ep->rules[j];

			if (r->cls)
				P(" %s:%u[", r->dir == NP_POL_DIR_INGRESS ?
				  "in" : "eg", r->cls);
			else
				P(" %s:*[", r->dir == NP_POL_DIR_INGRESS ?
				  "in" : "eg");
			for (k = 0; k < r->n_ports; k++) {
				kport_str(&r->ports[k], pb, sizeof(pb));
				P("%s%s", k ? " " : "", pb);
			}
			P("]");
		}
	}
	for (i = 0; i < plan->n_problems; i++)
		P("%sproblem: %s", o ? "\n" : "", plan->problems[i]);
#undef P
	return out;
}

/* Plans are canonical: prefixes strictly sorted with host bits clear;
 * endpoints strictly sorted; rules strictly sorted by (dir, cls); ports
 * sorted and disjoint. "" or what is wrong. */
FIX const char *plan_canonical(const struct np_netpol_plan *p)
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

/* Compiles model mo for NODE with the shared classes; the plan as text,
 * or "compile failed: ..." */
FIX const char *compiled_of(const struct np_model *mo)
{
	static char failed[512];
	struct np_netpol_plan plan;
	struct np_err err = { 0 };
	const char *s;

	if (np_netpol_compile(mo, NODE, classes, &plan, &err)) {
		snprintf(failed, sizeof(failed), "compile failed: %s", err.msg);
		return failed;
	}
	s = plan_str(&plan);
	np_netpol_plan_free(&plan);
	return s;
}

FIX const char *compiled(void)
{
	return compiled_of(m);
}

#endif /* _NP_NETPOL_FIX_H */
