// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reference evaluator (np_netpol_eval, netpol.md §2 and §5): one new
 * connection decided from the API objects in the model, with no classes,
 * no prefixes and no caching, and said in words for `nodeplanectl policy
 * trace`:
 *
 *   x/a: isolated for egress by x/allow-dns, x/deny-all; allowed by
 *     x/allow-dns egress rule 0 (to[1] ipBlock 10.0.0.0/8; ports[0] UDP/53)
 *   y/b: isolated for ingress by y/web; no ingress rule of these allows
 *     10.42.1.5 (x/a) on TCP/80
 *   y/b: not isolated for ingress
 *   y/b (10.42.2.7): on node n2, ingress not checked here
 *
 * Each side is checked here only when its pod is on this node; the
 * ingress check is skipped for a source that is an address of the node.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netpol/internal.h"

struct ev {
	const struct np_model *m;
	const char *node;
	const struct np_addr *src, *dst;
	uint8_t proto;
	uint16_t dport;
	bool node_src;
	FILE *f;
};

static const char *proto_str(uint8_t proto, char *buf, size_t len)
{
	const char *n = np_proto_name((enum np_proto)proto);

	if (n && *n && strcmp(n, "?"))
		return n;
	snprintf(buf, len, "protocol %u", proto);
	return buf;
}

/* --------------------------------------------------------- describing */

static void sel_words(FILE *f, const struct np_selector *s)
{
	const char *sep = "";
	size_t i, j;

	if (!s->n_match_labels && !s->n_exprs) {
		fputs("{}", f);
		return;
	}
	for (i = 0; i < s->n_match_labels; i++, sep = ",")
		fprintf(f, "%s%s=%s", sep, s->match_labels[i].key,
			s->match_labels[i].value);
	for (i = 0; i < s->n_exprs; i++, sep = ",") {
		const struct np_sel_expr *e = &s->exprs[i];

		switch (e->op) {
		case NP_SEL_EXISTS:
			fprintf(f, "%s%s", sep, e->key);
			continue;
		case NP_SEL_DOES_NOT_EXIST:
			fprintf(f, "%s!%s", sep, e->key);
			continue;
		case NP_SEL_IN:
		case NP_SEL_NOT_IN:
			break;
		}
		fprintf(f, "%s%s %s (", sep, e->key,
			e->op == NP_SEL_IN ? "in" : "notin");
		for (j = 0; j < e->n_values; j++)
			fprintf(f, "%s%s", j ? "," : "", e->values[j]);
		fputc(')', f);
	}
}

static void peer_words(FILE *f, const struct np_netpol_peer *pe)
{
	char buf[NP_CIDR_STRLEN];
	size_t i;

	if (pe->has_ipblock) {
		fprintf(f, "ipBlock %s", np_cidr_str(&pe->ipblock.cidr, buf,
						     sizeof(buf)));
		for (i = 0; i < pe->ipblock.n_except; i++)
			fprintf(f, "%s%s", i ? "," : " except ",
				np_cidr_str(&pe->ipblock.except[i], buf,
					    sizeof(buf)));
		return;
	}
	if (pe->has_ns_sel) {
		fputs("namespaceSelector ", f);
		sel_words(f, &pe->ns_sel);
	}
	if (pe->has_pod_sel) {
		fputs(pe->has_ns_sel ? " + podSelector " : "podSelector ", f);
		sel_words(f, &pe->pod_sel);
	}
}

static void port_words(FILE *f, const struct np_netpol_port *pp,
		       uint16_t dport)
{
	char pb[32];
	const char *p = proto_str(pp->proto, pb, sizeof(pb));

	if (pp->port.name)
		fprintf(f, "%s/%s (%u)", p, pp->port.name, dport);
	else if (!pp->port.num)
		fprintf(f, "every %s port", p);
	else if (pp->end_port)
		fprintf(f, "%s/%u-%u", p, pp->port.num, pp->end_port);
	else
		fprintf(f, "%s/%u", p, pp->port.num);
}

struct who_q {
	const char *node;
	const struct np_pod *actionable, *host, *other;
};

static int who_one(const void *obj, void *ctx)
{
	const struct np_pod *p = obj;
	struct who_q *q = ctx;
	const struct np_pod **slot;

	if (npc_pod_actionable(p))
		slot = &q->actionable;
	else if (p->host_network)
		slot = &q->host;
	else
		slot = &q->other;
	if (!*slot || npc_pod_pref(p, *slot) < 0)
		*slot = p;
	return 0;
}

/* "10.42.1.5 (x/a)" or "10.42.1.5". */
static void addr_words(FILE *f, const struct ev *e, const struct np_addr *a)
{
	struct who_q q = { .node = e->node };
	char buf[NP_ADDR_STRLEN];

	np_model_foreach_pod_with_ip(e->m, a, who_one, &q);
	fputs(np_addr_str(a, buf, sizeof(buf)), f);
	if (q.actionable)
		fprintf(f, " (%s/%s)", q.actionable->meta.ns,
			q.actionable->meta.name);
	else if (q.host)
		fprintf(f, " (hostNetwork pod %s/%s)", q.host->meta.ns,
			q.host->meta.name);
}

/* A side whose address is not an endpoint of this node. */
static void not_here(FILE *f, const struct ev *e, const struct np_addr *a,
		     const char *dir, bool is_src)
{
	struct who_q q = { .node = e->node };
	char buf[NP_ADDR_STRLEN];
	const char *as = np_addr_str(a, buf, sizeof(buf));

	np_model_foreach_pod_with_ip(e->m, a, who_one, &q);
	if (q.actionable) {
		fprintf(f, "%s/%s (%s): ", q.actionable->meta.ns,
			q.actionable->meta.name, as);
		if (q.actionable->node_name)
			fprintf(f, "on node %s", q.actionable->node_name);
		else
			fputs("on no node yet", f);
		fprintf(f, ", %s not checked here", dir);
	} else if (q.host) {
		fprintf(f, "%s/%s (%s): hostNetwork, not subject to policy",
			q.host->meta.ns, q.host->meta.name, as);
	} else if (is_src && e->node_src) {
		fprintf(f, "%s: an address of this node, no %s check", as, dir);
	} else if (q.other) {
		fprintf(f, "%s/%s (%s): %s, not subject to policy",
			q.other->meta.ns, q.other->meta.name, as,
			q.other->n_pod_ips && (q.other->phase == NP_POD_SUCCEEDED ||
					       q.other->phase == NP_POD_FAILED) ?
			"completed" : "not running");
	} else {
		fprintf(f, "%s: not a pod, no %s check here", as, dir);
	}
}

/* ------------------------------------------------------------ matching */

struct pod_q {
	const struct ev *e;
	const struct np_netpol_peer *pe;
	const char *pol_ns;
	const char *port_name;
	enum np_proto proto;
	uint16_t num;
};

static int peer_pod_one(const void *obj, void *ctx)
{
	const struct np_pod *p = obj;
	struct pod_q *q = ctx;

	if (!npc_pod_actionable(p))
		return 0;
	return npc_peer_names_pod(q->pe, q->pol_ns, p,
				  np_model_get(q->e->m, NP_KIND_NAMESPACE, "",
					       p->meta.ns));
}

/* Whether peer pe of a policy in pol_ns names address a. */
static bool peer_has(const struct ev *e, const struct np_netpol_peer *pe,
		     const char *pol_ns, const struct np_addr *a)
{
	struct pod_q q = { .e = e, .pe = pe, .pol_ns = pol_ns };

	if (pe->has_ipblock)
		return npc_ipblock_has(&pe->ipblock, a);
	return np_model_foreach_pod_with_ip(e->m, a, peer_pod_one, &q);
}

static int port_pod_one(const void *obj, void *ctx)
{
	const struct np_pod *p = obj;
	struct pod_q *q = ctx;

	return npc_pod_actionable(p) &&
	       npc_pod_has_port(p, q->port_name, q->proto, q->num);
}

/* Whether port entry pp admits the connection: a named port resolved on
 * pod (ingress) or on the pods at peer (egress). */
static bool port_has(const struct ev *e, const struct np_netpol_port *pp,
		     const struct np_pod *pod, const struct np_addr *peer)
{
	struct pod_q q = {
		.e = e, .port_name = pp->port.name, .proto = pp->proto,
		.num = e->dport,
	};

	if (!pp->port.name)
		return npc_port_admits(pp, e->proto, e->dport);
	if (pp->proto != e->proto || !npc_proto_known(pp->proto))
		return false;
	if (pod)
		return npc_pod_has_port(pod, pp->port.name, pp->proto, e->dport);
	return np_model_foreach_pod_with_ip(e->m, peer, port_pod_one, &q);
}

/* The first peer and port of rule r that admit the connection, or false. */
static bool rule_allows(const struct ev *e, const struct np_netpol_rule *r,
			const char *pol_ns, bool ingress,
			const struct np_pod *pod, long *peer_i, long *port_i)
{
	const struct np_addr *peer = ingress ? e->src : e->dst;
	size_t i;

	*peer_i = *port_i = -1;
	for (i = 0; i < r->n_peers; i++)
		if (peer_has(e, &r->peers[i], pol_ns, peer)) {
			*peer_i = (long)i;
			break;
		}
	if (r->n_peers && *peer_i < 0)
		return false;
	for (i = 0; i < r->n_ports; i++)
		if (port_has(e, &r->ports[i], ingress ? pod : NULL, peer)) {
			*port_i = (long)i;
			break;
		}
	return !r->n_ports || *port_i >= 0;
}

/* --------------------------------------------------------------- sides */

struct pols {
	const struct np_networkpolicy **v;
	size_t n, cap;
};

static int pol_one(const void *obj, void *ctx)
{
	struct pols *ps = ctx;

	if (ps->n == ps->cap) {
		size_t ncap = ps->cap ? ps->cap * 2 : 16;
		const struct np_networkpolicy **v = realloc(ps->v,
							    ncap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		ps->v = v;
		ps->cap = ncap;
	}
	ps->v[ps->n++] = obj;
	return 0;
}

static int pol_cmp(const void *pa, const void *pb)
{
	const struct np_networkpolicy *a =
		*(const struct np_networkpolicy *const *)pa;
	const struct np_networkpolicy *b =
		*(const struct np_networkpolicy *const *)pb;

	return strcmp(a->meta.name, b->meta.name);
}

/*
 * The check of pod (an endpoint of this node) in one direction: *ok
 * false when it is isolated and nothing allows the connection. 0 or
 * -ENOMEM.
 */
static int side(const struct ev *e, FILE *f, const struct np_pod *pod,
		bool ingress, bool *ok)
{
	unsigned int dirbit = ingress ? NP_POLICY_INGRESS : NP_POLICY_EGRESS;
	const char *dir = ingress ? "ingress" : "egress";
	const struct np_addr *peer = ingress ? e->src : e->dst;
	struct pols ps = { 0 };
	size_t i, j, n_iso = 0;
	char pb[32];
	int ret;

	*ok = true;
	ret = np_model_foreach(e->m, NP_KIND_NETWORKPOLICY, pod->meta.ns,
			       pol_one, &ps);
	if (ret) {
		free(ps.v);
		return ret;
	}
	npc_sort(ps.v, ps.n, sizeof(*ps.v), pol_cmp);
	fprintf(f, "%s/%s: ", pod->meta.ns, pod->meta.name);
	for (i = 0; i < ps.n; i++) {
		const struct np_networkpolicy *np = ps.v[i];

		if (!(npc_pol_isolates(np, pod) & dirbit))
			continue;
		if (n_iso++)
			fputs(", ", f);
		else
			fprintf(f, "isolated for %s by ", dir);
		fprintf(f, "%s/%s", np->meta.ns, np->meta.name);
		if (npc_pol_state(np) == NPC_POL_INVALID)
			fprintf(f, " (invalid: %s)", npc_invalid_why(np));
		else if (npc_pol_state(np) == NPC_POL_UNKNOWN)
			fputs(" (names a policy type this version does not "
			      "know)", f);
	}
	if (!n_iso) {
		fprintf(f, "not isolated for %s", dir);
		free(ps.v);
		return 0;
	}
	if (ingress && e->node_src) {
		fputs("; allowed: the source is an address of this node", f);
		free(ps.v);
		return 0;
	}
	for (i = 0; i < ps.n; i++) {
		const struct np_networkpolicy *np = ps.v[i];
		const struct np_netpol_rule *rules;
		size_t n;

		if (!(npc_pol_isolates(np, pod) & dirbit) ||
		    npc_pol_state(np) == NPC_POL_INVALID ||
		    !(np->policy_types & dirbit))
			continue;
		rules = ingress ? np->ingress : np->egress;
		n = ingress ? np->n_ingress : np->n_egress;
		for (j = 0; j < n; j++) {
			long pi, qi;

			if (!rule_allows(e, &rules[j], np->meta.ns, ingress,
					 pod, &pi, &qi))
				continue;
			fprintf(f, "; allowed by %s/%s %s rule %zu (",
				np->meta.ns, np->meta.name, dir, j);
			if (pi < 0) {
				fputs("any peer", f);
			} else {
				fprintf(f, "%s[%ld] ", ingress ? "from" : "to",
					pi);
				peer_words(f, &rules[j].peers[pi]);
			}
			if (qi < 0) {
				fputs("; any port)", f);
			} else {
				fprintf(f, "; ports[%ld] ", qi);
				port_words(f, &rules[j].ports[qi], e->dport);
				fputc(')', f);
			}
			free(ps.v);
			return 0;
		}
	}
	*ok = false;
	fprintf(f, "; no %s rule of %s allows ", dir,
		n_iso > 1 ? "these" : "it");
	addr_words(f, e, peer);
	fprintf(f, " on %s/%u", proto_str(e->proto, pb, sizeof(pb)), e->dport);
	free(ps.v);
	return 0;
}

/* One side's words into *out (allocated); *ok as side(). */
static int say(const struct ev *e, bool ingress, bool *ok, char **out)
{
	const struct np_addr *a = ingress ? e->dst : e->src;
	const struct np_pod *pod = npc_local_pod(e->m, e->node, a);
	size_t len;
	FILE *f;
	int ret = 0;

	*ok = true;
	*out = NULL;
	f = open_memstream(out, &len);
	if (!f)
		return -ENOMEM;
	if (pod)
		ret = side(e, f, pod, ingress, ok);
	else
		not_here(f, e, a, ingress ? "ingress" : "egress", !ingress);
	if (fclose(f) || ret) {
		free(*out);
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}

int np_netpol_eval(const struct np_model *m, const char *node,
		   const struct np_addr *src, const struct np_addr *dst,
		   uint8_t proto, uint16_t dport, bool node_src,
		   struct np_netpol_verdict *v)
{
	struct ev e = {
		.m = m, .node = node, .src = src, .dst = dst, .proto = proto,
		.dport = dport, .node_src = node_src,
	};
	bool eg_ok, in_ok;
	int ret;

	memset(v, 0, sizeof(*v));
	ret = say(&e, false, &eg_ok, &v->egress);
	if (!ret)
		ret = say(&e, true, &in_ok, &v->ingress);
	if (ret) {
		np_netpol_verdict_free(v);
		return ret;
	}
	v->allowed = eg_ok && in_ok;
	return 0;
}

void np_netpol_verdict_free(struct np_netpol_verdict *v)
{
	if (!v)
		return;
	free(v->egress);
	free(v->ingress);
	memset(v, 0, sizeof(*v));
}
