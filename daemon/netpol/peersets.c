// SPDX-License-Identifier: GPL-2.0-only
/*
 * Peer sets (step 1 of compile.c): every peer of every rule of the types
 * its policy has, of every valid policy in the cluster, interned by what
 * it is (an ipBlock by its network and sorted excepts, a selector peer by
 * its selectors and, without a namespaceSelector, the policy's
 * namespace), its prefixes contributed the first time a compile meets
 * it; the named-port sets ("the pods whose port name/protocol is N") for
 * the names egress rules use; and, once the class map is built, which
 * classes hold each peer set.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/nodeplane.h>

#include "netpol/internal.h"

/* ------------------------------------------------------ peer set keys */

static void kb_put(struct kbuf *k, const void *p, size_t n)
{
	if (k->oom)
		return;
	if (k->n + n > k->cap) {
		size_t ncap = (k->n + n) * 2 + 64;
		char *b = realloc(k->b, ncap);

		if (!b) {
			k->oom = true;
			return;
		}
		k->b = b;
		k->cap = ncap;
	}
	memcpy(k->b + k->n, p, n);
	k->n += n;
}

static void kb_u32(struct kbuf *k, uint32_t v)
{
	kb_put(k, &v, sizeof(v));
}

static void kb_str(struct kbuf *k, const char *s)
{
	size_t n = strlen(s);

	kb_u32(k, (uint32_t)n);
	kb_put(k, s, n);
}

static void kb_cidr(struct kbuf *k, const struct np_cidr *cidr)
{
	struct np_addr net;

	np_cidr_network(cidr, &net);
	kb_u32(k, (uint32_t)net.family);
	kb_put(k, net.a, sizeof(net.a));
	kb_u32(k, cidr->prefixlen);
}

static void kb_selector(struct kbuf *k, const struct np_selector *s)
{
	size_t i, j;

	kb_u32(k, (uint32_t)s->n_match_labels);
	for (i = 0; i < s->n_match_labels; i++) {
		kb_str(k, s->match_labels[i].key);
		kb_str(k, s->match_labels[i].value);
	}
	kb_u32(k, (uint32_t)s->n_exprs);
	for (i = 0; i < s->n_exprs; i++) {
		kb_str(k, s->exprs[i].key);
		kb_u32(k, s->exprs[i].op);
		kb_u32(k, (uint32_t)s->exprs[i].n_values);
		for (j = 0; j < s->exprs[i].n_values; j++)
			kb_str(k, s->exprs[i].values[j]);
	}
}

static int cidr_qcmp(const void *a, const void *b)
{
	return np_cidr_cmp(a, b);
}

/* ------------------------------------------------------ contributions */

static int contrib(struct cc *c, const struct np_cidr *cidr, uint32_t ps,
		   bool minus)
{
	struct npc_contrib *t;

	if (npc_grow((void **)&c->ctb, &c->cap_ctb, c->n_ctb, sizeof(*c->ctb)))
		return -ENOMEM;
	t = &c->ctb[c->n_ctb++];
	np_cidr_network(cidr, &t->net.addr);
	t->net.prefixlen = cidr->prefixlen;
	t->ps = ps;
	t->minus = minus;
	return 0;
}

static int contrib_pod(struct cc *c, const struct np_pod *p, uint32_t ps)
{
	size_t i;
	int ret;

	for (i = 0; i < p->n_pod_ips; i++) {
		struct np_cidr host = {
			.addr = p->pod_ips[i],
			.prefixlen = p->pod_ips[i].family == AF_INET ? 32 : 128,
		};

		ret = contrib(c, &host, ps, false);
		if (ret)
			return ret;
	}
	return 0;
}

struct sel_q {
	struct cc *c;
	const struct np_netpol_peer *pe;
	const char *pol_ns;
	const struct np_namespace *ns;
	uint32_t ps;
};

static int sel_pod(const void *obj, void *ctx)
{
	const struct np_pod *p = obj;
	struct sel_q *q = ctx;

	if (!npc_pod_actionable(p) ||
	    !npc_peer_names_pod(q->pe, q->pol_ns, p, q->ns))
		return 0;
	return contrib_pod(q->c, p, q->ps);
}

/* The pods (or the block) of a fresh peer set. */
static int peer_extent(struct cc *c, const struct np_netpol_peer *pe,
		       const char *pol_ns, uint32_t ps)
{
	struct sel_q q = { .c = c, .pe = pe, .pol_ns = pol_ns, .ps = ps };
	size_t i;
	int ret;

	if (pe->has_ipblock) {
		ret = contrib(c, &pe->ipblock.cidr, ps, false);
		for (i = 0; !ret && i < pe->ipblock.n_except; i++)
			ret = contrib(c, &pe->ipblock.except[i], ps, true);
		return ret;
	}
	if (!pe->has_ns_sel) {
		q.ns = npc_ns_find(c, pol_ns);
		return np_model_foreach(c->m, NP_KIND_POD, pol_ns, sel_pod, &q);
	}
	for (i = 0; i < c->n_ns; i++) {
		if (!npc_ns_match(&pe->ns_sel, c->nss[i]))
			continue;
		q.ns = c->nss[i];
		ret = np_model_foreach(c->m, NP_KIND_POD, c->nss[i]->meta.name,
				       sel_pod, &q);
		if (ret)
			return ret;
	}
	return 0;
}

static int peer_key(struct cc *c, const struct np_netpol_peer *pe,
		    const char *pol_ns)
{
	struct kbuf *k = &c->key;

	k->n = 0;
	if (pe->has_ipblock) {
		struct np_cidr *ex = NULL;
		size_t n = pe->ipblock.n_except, i;

		kb_put(k, "B", 1);
		kb_cidr(k, &pe->ipblock.cidr);
		if (n) {
			ex = malloc(n * sizeof(*ex));
			if (!ex)
				return -ENOMEM;
			for (i = 0; i < n; i++) {
				np_cidr_network(&pe->ipblock.except[i],
						&ex[i].addr);
				ex[i].prefixlen = pe->ipblock.except[i].prefixlen;
			}
			npc_sort(ex, n, sizeof(*ex), cidr_qcmp);
		}
		for (i = 0; i < n; i++)
			if (!i || np_cidr_cmp(&ex[i - 1], &ex[i]))
				kb_cidr(k, &ex[i]);
		free(ex);
	} else {
		kb_put(k, "S", 1);
		kb_u32(k, (uint32_t)(pe->has_pod_sel | pe->has_ns_sel << 1));
		if (!pe->has_ns_sel)
			kb_str(k, pol_ns);
		else
			kb_selector(k, &pe->ns_sel);
		if (pe->has_pod_sel)
			kb_selector(k, &pe->pod_sel);
	}
	return k->oom ? -ENOMEM : 0;
}

static int want_named(struct cc *c, const struct np_netpol_rule *r)
{
	size_t i, j;

	for (i = 0; i < r->n_ports; i++) {
		const struct np_netpol_port *pp = &r->ports[i];

		if (!pp->port.name || !npc_proto_known(pp->proto))
			continue;
		for (j = 0; j < c->n_want; j++)
			if (c->want[j].proto == pp->proto &&
			    !strcmp(c->want[j].name, pp->port.name))
				break;
		if (j < c->n_want)
			continue;
		if (npc_grow((void **)&c->want, &c->cap_want, c->n_want,
			 sizeof(*c->want)))
			return -ENOMEM;
		c->want[c->n_want].name = pp->port.name;
		c->want[c->n_want++].proto = pp->proto;
	}
	return 0;
}

static int port_problems(struct cc *c, const struct np_networkpolicy *np,
			 const char *dir, size_t ri,
			 const struct np_netpol_rule *r)
{
	size_t i;

	for (i = 0; i < r->n_ports; i++)
		if (!npc_proto_known(r->ports[i].proto) &&
		    npc_problem(c, "NetworkPolicy %s/%s: %s[%zu].ports[%zu]: a "
			    "protocol this version does not know (the entry "
			    "matches nothing)", np->meta.ns, np->meta.name,
			    dir, ri, i))
			return -ENOMEM;
	return 0;
}

static int rules_peer_sets(struct cc *c, struct pol_ctx *pc, bool ingress)
{
	const struct np_networkpolicy *np = pc->np;
	const struct np_netpol_rule *rules = ingress ? np->ingress : np->egress;
	size_t n = ingress ? np->n_ingress : np->n_egress, i, j;
	struct rule_ctx *rc;
	int ret;

	rc = calloc(n + 1, sizeof(*rc));
	if (!rc)
		return -ENOMEM;
	if (ingress)
		pc->in = rc;
	else
		pc->eg = rc;
	for (i = 0; i < n; i++) {
		const struct np_netpol_rule *r = &rules[i];

		rc[i].r = r;
		ret = port_problems(c, np, ingress ? "ingress" : "egress", i, r);
		if (!ret && !ingress)
			ret = want_named(c, r);
		if (ret)
			return ret;
		if (!r->n_peers)
			continue;
		rc[i].ps = calloc(r->n_peers, sizeof(*rc[i].ps));
		if (!rc[i].ps)
			return -ENOMEM;
		for (j = 0; j < r->n_peers; j++) {
			bool fresh;

			ret = peer_key(c, &r->peers[j], np->meta.ns);
			if (!ret)
				ret = npc_ps_get(c->cl, c->key.b, c->key.n,
						 &rc[i].ps[j], &fresh);
			if (!ret && fresh)
				ret = peer_extent(c, &r->peers[j], np->meta.ns,
						  rc[i].ps[j]);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int policy_peer_sets(struct cc *c, struct pol_ctx *pc)
{
	const struct np_networkpolicy *np = pc->np;
	int ret = 0;

	switch (pc->state) {
	case NPC_POL_INVALID:
		return npc_problem(c, "NetworkPolicy %s/%s: %s (its namespace's "
			       "pods isolated)", np->meta.ns, np->meta.name,
			       npc_invalid_why(np));
	case NPC_POL_UNKNOWN:
		ret = npc_problem(c, "NetworkPolicy %s/%s: policyTypes names a "
			      "type this version does not know (the pods it "
			      "selects isolated both ways)", np->meta.ns,
			      np->meta.name);
		break;
	case NPC_POL_OK:
		break;
	}
	if (!ret && (np->policy_types & NP_POLICY_INGRESS))
		ret = rules_peer_sets(c, pc, true);
	if (!ret && (np->policy_types & NP_POLICY_EGRESS))
		ret = rules_peer_sets(c, pc, false);
	return ret;
}

/* The named-port peer sets: "pods whose port name/proto is num". */
static int named_pod(const void *obj, void *ctx)
{
	const struct np_pod *p = obj;
	struct cc *c = ctx;
	size_t i, j;
	int ret;

	if (!npc_pod_actionable(p))
		return 0;
	for (i = 0; i < p->n_ports; i++) {
		const struct np_container_port *cp = &p->ports[i];
		struct kbuf *k = &c->key;
		uint32_t ps;
		bool fresh;

		if (!cp->name[0] || !npc_proto_known(cp->proto))
			continue;
		for (j = 0; j < c->n_want; j++)
			if (c->want[j].proto == cp->proto &&
			    !strcmp(c->want[j].name, cp->name))
				break;
		if (j == c->n_want)
			continue;
		k->n = 0;
		kb_put(k, "P", 1);
		kb_u32(k, cp->proto);
		kb_u32(k, cp->container_port);
		kb_str(k, cp->name);
		if (k->oom)
			return -ENOMEM;
		ret = npc_ps_get(c->cl, k->b, k->n, &ps, &fresh);
		if (ret)
			return ret;
		if (fresh) {
			if (npc_grow((void **)&c->nports, &c->cap_nports,
				 c->n_nports, sizeof(*c->nports)))
				return -ENOMEM;
			c->nports[c->n_nports].name = c->want[j].name;
			c->nports[c->n_nports].proto = cp->proto;
			c->nports[c->n_nports].num = cp->container_port;
			c->nports[c->n_nports++].ps = ps;
		}
		ret = contrib_pod(c, p, ps);
		if (ret)
			return ret;
	}
	return 0;
}

int npc_nport_cmp(const void *pa, const void *pb)
{
	const struct nport *a = pa, *b = pb;
	int r = strcmp(a->name, b->name);

	if (r)
		return r;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	return (a->num > b->num) - (a->num < b->num);
}

/* ------------------------------------------------- classes of a set */

int npc_classes_of_sets(struct cc *c, const uint32_t *used, size_t n_used)
{
	uint32_t lim = npc_ps_limit(c->cl), *fill;
	size_t i, j, total = 0;

	c->cof_off = calloc((size_t)lim + 1, sizeof(*c->cof_off));
	fill = calloc((size_t)lim + 1, sizeof(*fill));
	if (!c->cof_off || !fill) {
		free(fill);
		return -ENOMEM;
	}
	for (i = 0; i < n_used; i++) {
		size_t n;
		const uint32_t *sig = npc_cls_sig(c->cl, used[i], &n);

		for (j = 0; j < n; j++)
			c->cof_off[sig[j] + 1]++;
		total += n;
	}
	for (i = 0; i < lim; i++)
		c->cof_off[i + 1] += c->cof_off[i];
	c->cof = malloc((total + 1) * sizeof(*c->cof));
	if (!c->cof) {
		free(fill);
		return -ENOMEM;
	}
	memcpy(fill, c->cof_off, ((size_t)lim + 1) * sizeof(*fill));
	for (i = 0; i < n_used; i++) {
		size_t n;
		const uint32_t *sig = npc_cls_sig(c->cl, used[i], &n);

		for (j = 0; j < n; j++)
			c->cof[fill[sig[j]]++] = used[i];
	}
	free(fill);
	return 0;
}

const uint32_t *npc_classes_of(const struct cc *c, uint32_t ps, size_t *n)
{
	*n = c->cof_off[ps + 1] - c->cof_off[ps];
	return c->cof + c->cof_off[ps];
}

static int u32_cmp(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	return (a > b) - (a < b);
}

/* The classes holding any peer set of a rule (with peers), once. */
int npc_rule_classes(struct cc *c, struct rule_ctx *rc)
{
	size_t total = 0, i, k, n;
	uint32_t *v;

	if (rc->cls_done)
		return 0;
	for (i = 0; i < rc->r->n_peers; i++) {
		npc_classes_of(c, rc->ps[i], &n);
		total += n;
	}
	v = malloc((total + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = k = 0; i < rc->r->n_peers; i++) {
		const uint32_t *l = npc_classes_of(c, rc->ps[i], &n);

		if (n)
			memcpy(v + k, l, n * sizeof(*v));
		k += n;
	}
	if (rc->r->n_peers > 1)
		npc_sort(v, k, sizeof(*v), u32_cmp);
	for (i = n = 0; i < k; i++)
		if (!n || v[n - 1] != v[i])
			v[n++] = v[i];
	rc->cls = v;
	rc->n_cls = n;
	rc->cls_done = true;
	return 0;
}

int npc_peer_sets(struct cc *c)
{
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < c->n_pols; i++)
		ret = policy_peer_sets(c, &c->pols[i]);
	if (!ret && c->n_want)
		ret = np_model_foreach(c->m, NP_KIND_POD, NULL, named_pod, c);
	if (!ret)
		npc_sort(c->nports, c->n_nports, sizeof(*c->nports),
			 npc_nport_cmp);
	return ret;
}
