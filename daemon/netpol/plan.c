// SPDX-License-Identifier: GPL-2.0-only
/*
 * A compiled plan: freeing it, and what the kernel decides on it for a new
 * connection (uapi/linux/nodeplane.h, NP_CMD_POLICY_SET): the class of an
 * address is that of its longest matching prefix (0 when none); the
 * source's egress check (when it is an endpoint isolated for egress) and
 * the destination's ingress check (when it is an endpoint isolated for
 * ingress and the source is not an address of this node) must both find
 * a rule of their direction for the peer's class (or any peer) whose
 * ports hold the protocol and destination port.
 */
#include <stdlib.h>
#include <string.h>

#include <linux/nodeplane.h>

#include "netpol/internal.h"

void np_netpol_plan_free(struct np_netpol_plan *plan)
{
	size_t i, j;

	if (!plan)
		return;
	for (i = 0; i < plan->n_endpoints; i++) {
		struct np_netpol_endpoint *ep = &plan->endpoints[i];

		for (j = 0; j < ep->n_rules; j++)
			free(ep->rules[j].ports);
		free(ep->rules);
		free(ep->name);
	}
	free(plan->endpoints);
	free(plan->prefixes);
	for (i = 0; i < plan->n_problems; i++)
		free(plan->problems[i]);
	free(plan->problems);
	memset(plan, 0, sizeof(*plan));
}

static uint32_t class_of(const struct np_netpol_plan *plan,
			 const struct np_addr *a)
{
	const struct np_netpol_prefix *best = NULL;
	size_t i;

	for (i = 0; i < plan->n_prefixes; i++) {
		const struct np_netpol_prefix *p = &plan->prefixes[i];

		if (np_cidr_contains(&p->cidr, a) &&
		    (!best || p->cidr.prefixlen > best->cidr.prefixlen))
			best = p;
	}
	return best ? best->cls : 0;
}

static const struct np_netpol_endpoint *
endpoint_of(const struct np_netpol_plan *plan, const struct np_addr *a)
{
	size_t lo = 0, hi = plan->n_endpoints;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int r = np_addr_cmp(a, &plan->endpoints[mid].addr);

		if (!r)
			return &plan->endpoints[mid];
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static bool ports_hold(const struct np_netpol_krule *r, uint8_t proto,
		       uint16_t dport)
{
	size_t i;

	if (!r->n_ports)
		return true;
	for (i = 0; i < r->n_ports; i++) {
		const struct np_netpol_kport *p = &r->ports[i];

		if (p->proto == proto &&
		    (!p->first || (dport >= p->first && dport <= p->last)))
			return true;
	}
	return false;
}

static bool check(const struct np_netpol_endpoint *ep, uint8_t dir,
		  uint32_t peer_cls, uint8_t proto, uint16_t dport)
{
	size_t i;

	for (i = 0; i < ep->n_rules; i++) {
		const struct np_netpol_krule *r = &ep->rules[i];

		if (r->dir == dir && (!r->cls || r->cls == peer_cls) &&
		    ports_hold(r, proto, dport))
			return true;
	}
	return false;
}

bool np_netpol_plan_allows(const struct np_netpol_plan *plan,
			   const struct np_addr *src, const struct np_addr *dst,
			   uint8_t proto, uint16_t dport, bool local_src)
{
	const struct np_netpol_endpoint *s = endpoint_of(plan, src);
	const struct np_netpol_endpoint *d = endpoint_of(plan, dst);

	if (s && (s->flags & NP_PEP_F_EGRESS) &&
	    !check(s, NP_POL_DIR_EGRESS, class_of(plan, dst), proto, dport))
		return false;
	if (d && (d->flags & NP_PEP_F_INGRESS) && !local_src &&
	    !check(d, NP_POL_DIR_INGRESS, class_of(plan, src), proto, dport))
		return false;
	return true;
}
