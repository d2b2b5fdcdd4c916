// SPDX-License-Identifier: GPL-2.0-only
/*
 * Endpoints and their rules (step 3 of compile.c): this node's pods, one
 * per address (npc_pod_pref among pods sharing one), isolated by the
 * policies of their namespace that select them; each rule of those
 * becomes one entry per class holding one of its peer sets (class 0
 * without peers) and port range, named ports resolved on the endpoint for
 * ingress and per number on the peers for egress; entries merge per
 * (direction, class), their ranges sorted and joined, and an any-peer
 * any-port rule makes the others of its direction moot.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/nodeplane.h>

#include "netpol/internal.h"

/* ------------------------------------------------------------ entries */

static int ent(struct cc *c, uint8_t dir, uint32_t cls, uint8_t proto,
	       uint16_t first, uint16_t last)
{
	struct ent *e;

	if (npc_grow((void **)&c->tmp, &c->cap_tmp, c->n_tmp, sizeof(*c->tmp)))
		return -ENOMEM;
	e = &c->tmp[c->n_tmp++];
	e->dir = dir;
	e->cls = cls;
	e->proto = proto;
	e->first = first;
	e->last = last;
	return 0;
}

/* An entry per class of the rule (or class 0 without peers). */
static int ents_per_class(struct cc *c, struct rule_ctx *rc, uint8_t dir,
			  uint8_t proto, uint16_t first, uint16_t last)
{
	size_t i;
	int ret;

	if (!rc->r->n_peers)
		return ent(c, dir, 0, proto, first, last);
	ret = npc_rule_classes(c, rc);
	for (i = 0; !ret && i < rc->n_cls; i++)
		ret = ent(c, dir, rc->cls[i], proto, first, last);
	return ret;
}

/* Numeric and protocol-only ports; named ones when on is given (ingress:
 * resolved on the endpoint's pod). */
static int rule_ports(struct cc *c, struct rule_ctx *rc, uint8_t dir,
		      const struct np_pod *on)
{
	const struct np_netpol_rule *r = rc->r;
	size_t i, j;
	int ret = 0;

	if (!r->n_ports)
		return ents_per_class(c, rc, dir, 0, 0, 0);
	for (i = 0; !ret && i < r->n_ports; i++) {
		const struct np_netpol_port *pp = &r->ports[i];

		if (!npc_proto_known(pp->proto))
			continue;
		if (pp->port.name) {
			for (j = 0; on && !ret && j < on->n_ports; j++)
				if (on->ports[j].proto == pp->proto &&
				    !strcmp(on->ports[j].name, pp->port.name))
					ret = ents_per_class(c, rc, dir,
						pp->proto,
						on->ports[j].container_port,
						on->ports[j].container_port);
		} else if (pp->port.num) {
			ret = ents_per_class(c, rc, dir, pp->proto,
					     pp->port.num, pp->end_port ?
					     pp->end_port : pp->port.num);
		} else {
			ret = ents_per_class(c, rc, dir, pp->proto, 0, 65535);
		}
	}
	return ret;
}

/* Intersection of two sorted lists into out; returns its size. */
static size_t isect(const uint32_t *a, size_t na, const uint32_t *b,
		    size_t nb, uint32_t *out)
{
	size_t i = 0, j = 0, o = 0;

	while (i < na && j < nb) {
		if (a[i] < b[j])
			i++;
		else if (a[i] > b[j])
			j++;
		else
			out[o++] = a[i++], j++;
	}
	return o;
}

/*
 * An egress rule's named ports, the same for every endpoint: per number
 * N a port resolves to on some pod, the classes holding that number's
 * peer set (and, with peers, one of the rule's peer sets).
 */
static int egress_named(struct cc *c, struct rule_ctx *rc)
{
	const struct np_netpol_rule *r = rc->r;
	size_t save = c->n_tmp, i, lo, k;
	uint32_t *buf = NULL;
	int ret = 0;

	if (rc->named_done)
		return 0;
	if (r->n_peers)
		ret = npc_rule_classes(c, rc);
	for (i = 0; !ret && i < r->n_ports; i++) {
		const struct np_netpol_port *pp = &r->ports[i];
		struct nport key = { .name = pp->port.name, .proto = pp->proto };
		size_t hi = c->n_nports;

		if (!pp->port.name || !npc_proto_known(pp->proto))
			continue;
		/* The first nport of (name, proto). */
		for (lo = 0; lo < hi;) {
			size_t mid = (lo + hi) / 2;

			if (npc_nport_cmp(&c->nports[mid], &key) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; !ret && lo < c->n_nports &&
		       c->nports[lo].proto == pp->proto &&
		       !strcmp(c->nports[lo].name, pp->port.name); lo++) {
			size_t n;
			const uint32_t *l = npc_classes_of(c, c->nports[lo].ps, &n);
			uint32_t *nb;

			if (r->n_peers) {
				nb = realloc(buf, (n + 1) * sizeof(*buf));
				if (!nb) {
					ret = -ENOMEM;
					break;
				}
				buf = nb;
				n = isect(l, n, rc->cls, rc->n_cls, buf);
				l = buf;
			}
			for (k = 0; !ret && k < n; k++)
				ret = ent(c, NP_POL_DIR_EGRESS, l[k], pp->proto,
					  c->nports[lo].num, c->nports[lo].num);
		}
	}
	free(buf);
	if (!ret) {
		size_t n = c->n_tmp - save;

		rc->named = malloc((n + 1) * sizeof(*rc->named));
		if (!rc->named)
			ret = -ENOMEM;
		else if (n)
			memcpy(rc->named, c->tmp + save, n * sizeof(*rc->named));
		rc->n_named = n;
		rc->named_done = !ret;
	}
	c->n_tmp = save;
	return ret;
}

static int rule_ents(struct cc *c, struct rule_ctx *rc, bool ingress,
		     const struct np_pod *pod)
{
	size_t i;
	int ret;

	if (ingress)
		return rule_ports(c, rc, NP_POL_DIR_INGRESS, pod);
	ret = rule_ports(c, rc, NP_POL_DIR_EGRESS, NULL);
	if (!ret && rc->r->n_ports)
		ret = egress_named(c, rc);
	for (i = 0; !ret && i < rc->n_named; i++)
		ret = ent(c, rc->named[i].dir, rc->named[i].cls,
			  rc->named[i].proto, rc->named[i].first,
			  rc->named[i].last);
	return ret;
}

/* ------------------------------------------------ merging into rules */

static int ent_cmp(const void *pa, const void *pb)
{
	const struct ent *a = pa, *b = pb;

	if (a->dir != b->dir)
		return a->dir < b->dir ? -1 : 1;
	if (a->cls != b->cls)
		return a->cls < b->cls ? -1 : 1;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	return (a->last > b->last) - (a->last < b->last);
}

/* The merged ports of entries v[0..n) (one (dir, cls), sorted). */
static int merge_ports(const struct ent *v, size_t n,
		       struct np_netpol_krule *kr)
{
	size_t i, o = 0;

	if (v[0].proto == 0)
		return 0;		/* every protocol and port */
	kr->ports = malloc(n * sizeof(*kr->ports));
	if (!kr->ports)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct np_netpol_kport *last = o ? &kr->ports[o - 1] : NULL;

		if (last && last->proto == v[i].proto &&
		    (uint32_t)v[i].first <= (uint32_t)last->last + 1) {
			if (v[i].last > last->last)
				last->last = v[i].last;
			continue;
		}
		kr->ports[o].proto = v[i].proto;
		kr->ports[o].first = v[i].first;
		kr->ports[o++].last = v[i].last;
	}
	for (i = 0; i < o; i++)
		if (kr->ports[i].first == 0 && kr->ports[i].last == 65535)
			kr->ports[i].last = 0;
	kr->n_ports = o;
	return 0;
}

static int endpoint_rules(struct cc *c, struct np_netpol_endpoint *ep)
{
	size_t i, g, n_groups = 0;
	bool all[2] = { false, false };
	int ret;

	npc_sort(c->tmp, c->n_tmp, sizeof(*c->tmp), ent_cmp);
	for (i = 0; i < c->n_tmp; i = g) {
		for (g = i; g < c->n_tmp && c->tmp[g].dir == c->tmp[i].dir &&
		     c->tmp[g].cls == c->tmp[i].cls; g++)
			;
		if (!c->tmp[i].cls && !c->tmp[i].proto)
			all[c->tmp[i].dir] = true;
		if (c->tmp[i].cls && all[c->tmp[i].dir])
			continue;
		n_groups++;
	}
	if (!n_groups)
		return 0;
	ep->rules = calloc(n_groups, sizeof(*ep->rules));
	if (!ep->rules)
		return -ENOMEM;
	for (i = 0; i < c->n_tmp; i = g) {
		struct np_netpol_krule *kr;

		for (g = i; g < c->n_tmp && c->tmp[g].dir == c->tmp[i].dir &&
		     c->tmp[g].cls == c->tmp[i].cls; g++)
			;
		if (c->tmp[i].cls && all[c->tmp[i].dir])
			continue;
		kr = &ep->rules[ep->n_rules++];
		kr->dir = c->tmp[i].dir;
		kr->cls = c->tmp[i].cls;
		ret = merge_ports(&c->tmp[i], g - i, kr);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---------------------------------------------------------- endpoints */

struct cand {
	struct np_addr addr;
	const struct np_pod *pod;
};

struct cands {
	struct cand *v;
	size_t n, cap;
};

static int cand_pod(const void *obj, void *ctx)
{
	const struct np_pod *p = obj;
	struct cands *cs = ctx;
	size_t i;

	if (!npc_pod_actionable(p))
		return 0;
	for (i = 0; i < p->n_pod_ips; i++) {
		if (npc_grow((void **)&cs->v, &cs->cap, cs->n, sizeof(*cs->v)))
			return -ENOMEM;
		cs->v[cs->n].addr = p->pod_ips[i];
		cs->v[cs->n++].pod = p;
	}
	return 0;
}

static int cand_cmp(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;
	int r = np_addr_cmp(&a->addr, &b->addr);

	return r ? r : npc_pod_pref(a->pod, b->pod);
}

static int endpoint(struct cc *c, const struct cand *cd,
		    struct np_netpol_endpoint *ep)
{
	const struct np_pod *p = cd->pod;
	size_t lo = 0, hi = c->n_pols, i, j;
	int ret = 0;

	ep->addr = cd->addr;
	if (asprintf(&ep->name, "%s/%s", p->meta.ns, p->meta.name) < 0) {
		ep->name = NULL;
		return -ENOMEM;
	}
	if (strlen(ep->name) > NP_PEP_NAME_MAX)
		ep->name[NP_PEP_NAME_MAX] = '\0';
	/* The policies of the pod's namespace. */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(c->pols[mid].np->meta.ns, p->meta.ns) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	c->n_tmp = 0;
	for (i = lo; !ret && i < c->n_pols &&
	     !strcmp(c->pols[i].np->meta.ns, p->meta.ns); i++) {
		struct pol_ctx *pc = &c->pols[i];
		const struct np_networkpolicy *np = pc->np;
		unsigned int iso = npc_pol_isolates(np, p);

		if (iso & NP_POLICY_INGRESS)
			ep->flags |= NP_PEP_F_INGRESS;
		if (iso & NP_POLICY_EGRESS)
			ep->flags |= NP_PEP_F_EGRESS;
		if (!iso || pc->state == NPC_POL_INVALID)
			continue;
		for (j = 0; !ret && pc->in && j < np->n_ingress; j++)
			ret = rule_ents(c, &pc->in[j], true, p);
		for (j = 0; !ret && pc->eg && j < np->n_egress; j++)
			ret = rule_ents(c, &pc->eg[j], false, p);
	}
	if (!ret)
		ret = endpoint_rules(c, ep);
	return ret;
}

int npc_endpoints(struct cc *c)
{
	struct np_netpol_plan *plan = c->plan;
	struct cands cs = { 0 };
	size_t i, n = 0;
	int ret;

	ret = np_model_foreach_pod_on_node(c->m, c->node, cand_pod, &cs);
	if (ret)
		goto out;
	npc_sort(cs.v, cs.n, sizeof(*cs.v), cand_cmp);
	for (i = 0; i < cs.n; i++)
		if (!n || !np_addr_eq(&cs.v[n - 1].addr, &cs.v[i].addr))
			cs.v[n++] = cs.v[i];
	plan->endpoints = calloc(n + 1, sizeof(*plan->endpoints));
	if (!plan->endpoints) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; !ret && i < n; i++) {
		ret = endpoint(c, &cs.v[i], &plan->endpoints[i]);
		plan->n_endpoints = i + 1;
	}
out:
	free(cs.v);
	return ret;
}

