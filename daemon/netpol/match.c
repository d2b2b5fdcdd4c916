// SPDX-License-Identifier: GPL-2.0-only
/*
 * The NetworkPolicy API's predicates (docs: ../shared/spec/netpol.md §2,
 * §3.3 where kube-router refines it): which pods count, which policies
 * select them, which pods a peer names, ipBlocks, named ports. The
 * compiler and the reference evaluator both call these, so they cannot
 * read an object differently.
 */
#include <string.h>

#include "netpol/internal.h"

bool npc_pod_actionable(const struct np_pod *p)
{
	return !p->meta.invalid && !p->host_network && p->n_pod_ips &&
	       p->phase != NP_POD_SUCCEEDED && p->phase != NP_POD_FAILED;
}

bool npc_pod_on(const struct np_pod *p, const char *node)
{
	return p->node_name && !strcmp(p->node_name, node);
}

int npc_pod_pref(const struct np_pod *a, const struct np_pod *b)
{
	bool ra = a->phase == NP_POD_RUNNING, rb = b->phase == NP_POD_RUNNING;
	int r;

	if (ra != rb)
		return ra ? -1 : 1;
	r = strcmp(a->meta.ns, b->meta.ns);
	return r ? r : strcmp(a->meta.name, b->meta.name);
}

struct local_q {
	const char *node;
	const struct np_pod *best;
};

static int local_one(const void *obj, void *ctx)
{
	const struct np_pod *p = obj;
	struct local_q *q = ctx;

	if (npc_pod_actionable(p) && npc_pod_on(p, q->node) &&
	    (!q->best || npc_pod_pref(p, q->best) < 0))
		q->best = p;
	return 0;
}

const struct np_pod *npc_local_pod(const struct np_model *m, const char *node,
				   const struct np_addr *a)
{
	struct local_q q = { .node = node };

	np_model_foreach_pod_with_ip(m, a, local_one, &q);
	return q.best;
}

/* ------------------------------------------------ namespace selectors */

static const char *ns_label(const char *key, const void *ctx)
{
	const struct np_namespace *ns = ctx;

	if (!strcmp(key, NPC_NS_NAME_LABEL))
		return ns->meta.name;
	return np_meta_label(&ns->meta, key);
}

bool npc_ns_match(const struct np_selector *s, const struct np_namespace *ns)
{
	if (ns->meta.invalid)
		return false;
	return np_selector_match_fn(s, ns_label, ns);
}

/* ----------------------------------------------------------- policies */

enum npc_pol_state npc_pol_state(const struct np_networkpolicy *np)
{
	if (np->meta.invalid)
		return NPC_POL_INVALID;
	if (np->policy_types & NP_POLICY_UNKNOWN)
		return NPC_POL_UNKNOWN;
	return NPC_POL_OK;
}

const char *npc_invalid_why(const struct np_networkpolicy *np)
{
	const char *w = np->meta.invalid_why;
	size_t nn = strlen(np->meta.ns), n = strlen(np->meta.name);

	if (!w || !*w)
		return "cannot be read";
	/* The decoder's text names the object: do not say it twice. */
	if (!strncmp(w, "NetworkPolicy ", 14) &&
	    !strncmp(w + 14, np->meta.ns, nn) && w[14 + nn] == '/' &&
	    !strncmp(w + 15 + nn, np->meta.name, n) &&
	    !strncmp(w + 15 + nn + n, ": ", 2))
		return w + 17 + nn + n;
	return w;
}

unsigned int npc_pol_isolates(const struct np_networkpolicy *np,
			      const struct np_pod *p)
{
	switch (npc_pol_state(np)) {
	case NPC_POL_INVALID:
		return NP_POLICY_INGRESS | NP_POLICY_EGRESS;
	case NPC_POL_UNKNOWN:
		if (!np_selector_match(&np->pod_selector, p->meta.labels,
				       p->meta.n_labels))
			return 0;
		return NP_POLICY_INGRESS | NP_POLICY_EGRESS;
	case NPC_POL_OK:
		break;
	}
	if (!np_selector_match(&np->pod_selector, p->meta.labels,
			       p->meta.n_labels))
		return 0;
	return np->policy_types & (NP_POLICY_INGRESS | NP_POLICY_EGRESS);
}

bool npc_peer_names_pod(const struct np_netpol_peer *pe, const char *pol_ns,
			const struct np_pod *q, const struct np_namespace *qns)
{
	if (pe->has_ipblock)
		return false;
	if (pe->has_ns_sel) {
		if (!qns || !npc_ns_match(&pe->ns_sel, qns))
			return false;
	} else if (strcmp(q->meta.ns, pol_ns)) {
		return false;
	}
	return !pe->has_pod_sel ||
	       np_selector_match(&pe->pod_sel, q->meta.labels,
				 q->meta.n_labels);
}

bool npc_ipblock_has(const struct np_ipblock *b, const struct np_addr *a)
{
	size_t i;

	if (!np_cidr_contains(&b->cidr, a))
		return false;
	for (i = 0; i < b->n_except; i++)
		if (np_cidr_contains(&b->except[i], a))
			return false;
	return true;
}

/* -------------------------------------------------------------- ports */

bool npc_pod_has_port(const struct np_pod *p, const char *name,
		      enum np_proto proto, uint16_t num)
{
	size_t i;

	for (i = 0; i < p->n_ports; i++) {
		const struct np_container_port *cp = &p->ports[i];

		if (cp->proto == proto && cp->container_port == num &&
		    !strcmp(cp->name, name))
			return true;
	}
	return false;
}

bool npc_port_admits(const struct np_netpol_port *pp, uint8_t proto,
		     uint16_t dport)
{
	uint16_t last;

	if (!npc_proto_known(pp->proto) || pp->proto != proto)
		return false;
	if (!pp->port.num)
		return !pp->port.name;
	last = pp->end_port ? pp->end_port : pp->port.num;
	return dport >= pp->port.num && dport <= last;
}
