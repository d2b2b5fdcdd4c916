// SPDX-License-Identifier: GPL-2.0-only
/*
 * np_netpol_compile(): the class map and this node's endpoints (see
 * netpol.h).
 *
 * 1. Peer sets. Every peer of every rule (of the types its policy has) of
 *    every valid policy in the cluster is interned by what it is: an
 *    ipBlock by its cidr and excepts, a selector peer by its selectors
 *    (and the policy's namespace when it has no namespaceSelector).
 *    Equal peers anywhere in the cluster are one peer set, computed once.
 *    A named port that some egress rule uses, (name, protocol), gives one
 *    more peer set per number it resolves to on some pod: "the pods whose
 *    port name/protocol is N". An egress rule's named port to peer set P
 *    becomes, per number N, the classes holding both P and that set.
 * 2. The class map (prefixes.c) from the peer sets' prefixes, and the
 *    inverse: which classes hold each peer set.
 * 3. Endpoints: this node's pods (one per address), isolated by the
 *    policies of their namespace that select them; each rule becomes one
 *    (direction, class) entry per class holding one of its peer sets (or
 *    class 0: any peer) with its ports, named ports resolved on the
 *    endpoint for ingress. Entries with the same (direction, class) merge,
 *    their port ranges sorted and joined.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/nodeplane.h>

#include "netpol/internal.h"
#include "nl/nl.h"

/* One (direction, class, port range) before merging; proto 0: every
 * protocol and port. */
struct ent {
	uint32_t cls;
	uint8_t dir;
	uint8_t proto;
	uint16_t first, last;
};

struct rule_ctx {
	const struct np_netpol_rule *r;
	uint32_t *ps;			/* a peer set per peer */
	bool cls_done, named_done;
	uint32_t *cls;			/* classes holding any of ps */
	size_t n_cls;
	struct ent *named;		/* egress: named ports per class */
	size_t n_named;
};

struct pol_ctx {
	const struct np_networkpolicy *np;
	enum npc_pol_state state;
	struct rule_ctx *in, *eg;	/* only for the policy's types */
};

struct want {				/* a named port some egress rule uses */
	const char *name;
	enum np_proto proto;
};

struct nport {				/* its peer set per number */
	const char *name;
	enum np_proto proto;
	uint16_t num;
	uint32_t ps;
};

struct kbuf {
	char *b;
	size_t n, cap;
	bool oom;
};

struct cc {
	const struct np_model *m;
	const char *node;
	struct np_netpol_classes *cl;
	struct np_netpol_plan *plan;

	const struct np_namespace **nss;	/* sorted by name */
	size_t n_ns;
	struct pol_ctx *pols;			/* sorted by namespace, name */
	size_t n_pols;
	struct npc_contrib *ctb;
	size_t n_ctb, cap_ctb;
	struct want *want;
	size_t n_want, cap_want;
	struct nport *nports;
	size_t n_nports, cap_nports;
	struct kbuf key;

	uint32_t *cof_off;		/* classes of peer set i: */
	uint32_t *cof;			/* cof[cof_off[i]..cof_off[i + 1]) */

	struct ent *tmp;		/* one endpoint's entries */
	size_t n_tmp, cap_tmp;
	size_t cap_problems;
};

static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	p = realloc(*arr, ncap * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

static int problem(struct cc *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int problem(struct cc *c, const char *fmt, ...)
{
	struct np_netpol_plan *plan = c->plan;
	va_list ap;
	char *s;
	int n;

	if (grow((void **)&plan->problems, &c->cap_problems, plan->n_problems,
		 sizeof(*plan->problems)))
		return -ENOMEM;
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	plan->problems[plan->n_problems++] = s;
	return 0;
}

/* ---------------------------------------------------------- the model */

static int ns_cmp(const void *pa, const void *pb)
{
	const struct np_namespace *a = *(const struct np_namespace *const *)pa;
	const struct np_namespace *b = *(const struct np_namespace *const *)pb;

	return strcmp(a->meta.name, b->meta.name);
}

static int pol_cmp(const void *pa, const void *pb)
{
	const struct pol_ctx *a = pa, *b = pb;
	int r = strcmp(a->np->meta.ns, b->np->meta.ns);

	return r ? r : strcmp(a->np->meta.name, b->np->meta.name);
}

/* The arrays are sized from the counts. */
static int collect_ns(const void *obj, void *ctx)
{
	struct cc *c = ctx;

	c->nss[c->n_ns++] = obj;
	return 0;
}

static int collect_pol(const void *obj, void *ctx)
{
	struct cc *c = ctx;

	c->pols[c->n_pols].np = obj;
	c->pols[c->n_pols++].state = npc_pol_state(obj);
	return 0;
}

static const struct np_namespace *ns_find(const struct cc *c, const char *name)
{
	size_t lo = 0, hi = c->n_ns;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int r = strcmp(name, c->nss[mid]->meta.name);

		if (!r)
			return c->nss[mid];
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int load_model(struct cc *c)
{
	size_t n_ns = np_model_count(c->m, NP_KIND_NAMESPACE);
	size_t n_pols = np_model_count(c->m, NP_KIND_NETWORKPOLICY);

	c->nss = calloc(n_ns + 1, sizeof(*c->nss));
	c->pols = calloc(n_pols + 1, sizeof(*c->pols));
	if (!c->nss || !c->pols)
		return -ENOMEM;
	np_model_foreach(c->m, NP_KIND_NAMESPACE, NULL, collect_ns, c);
	np_model_foreach(c->m, NP_KIND_NETWORKPOLICY, NULL, collect_pol, c);
	qsort(c->nss, c->n_ns, sizeof(*c->nss), ns_cmp);
	qsort(c->pols, c->n_pols, sizeof(*c->pols), pol_cmp);
	return 0;
}

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

	if (grow((void **)&c->ctb, &c->cap_ctb, c->n_ctb, sizeof(*c->ctb)))
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
		q.ns = ns_find(c, pol_ns);
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
			qsort(ex, n, sizeof(*ex), cidr_qcmp);
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
		if (grow((void **)&c->want, &c->cap_want, c->n_want,
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
		    problem(c, "NetworkPolicy %s/%s: %s[%zu].ports[%zu]: a "
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
		return problem(c, "NetworkPolicy %s/%s: %s (its namespace's "
			       "pods isolated)", np->meta.ns, np->meta.name,
			       npc_invalid_why(np));
	case NPC_POL_UNKNOWN:
		ret = problem(c, "NetworkPolicy %s/%s: policyTypes names a "
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
			if (grow((void **)&c->nports, &c->cap_nports,
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

static int nport_cmp(const void *pa, const void *pb)
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

static int classes_of_sets(struct cc *c, const uint32_t *used, size_t n_used)
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

static const uint32_t *classes_of(const struct cc *c, uint32_t ps, size_t *n)
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
static int rule_classes(struct cc *c, struct rule_ctx *rc)
{
	size_t total = 0, i, k, n;
	uint32_t *v;

	if (rc->cls_done)
		return 0;
	for (i = 0; i < rc->r->n_peers; i++) {
		classes_of(c, rc->ps[i], &n);
		total += n;
	}
	v = malloc((total + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = k = 0; i < rc->r->n_peers; i++) {
		const uint32_t *l = classes_of(c, rc->ps[i], &n);

		memcpy(v + k, l, n * sizeof(*v));
		k += n;
	}
	if (rc->r->n_peers > 1)
		qsort(v, k, sizeof(*v), u32_cmp);
	for (i = n = 0; i < k; i++)
		if (!n || v[n - 1] != v[i])
			v[n++] = v[i];
	rc->cls = v;
	rc->n_cls = n;
	rc->cls_done = true;
	return 0;
}

/* ------------------------------------------------------------ entries */

static int ent(struct cc *c, uint8_t dir, uint32_t cls, uint8_t proto,
	       uint16_t first, uint16_t last)
{
	struct ent *e;

	if (grow((void **)&c->tmp, &c->cap_tmp, c->n_tmp, sizeof(*c->tmp)))
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
	ret = rule_classes(c, rc);
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
		ret = rule_classes(c, rc);
	for (i = 0; !ret && i < r->n_ports; i++) {
		const struct np_netpol_port *pp = &r->ports[i];
		struct nport key = { .name = pp->port.name, .proto = pp->proto };
		size_t hi = c->n_nports;

		if (!pp->port.name || !npc_proto_known(pp->proto))
			continue;
		/* The first nport of (name, proto). */
		for (lo = 0; lo < hi;) {
			size_t mid = (lo + hi) / 2;

			if (nport_cmp(&c->nports[mid], &key) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; !ret && lo < c->n_nports &&
		       c->nports[lo].proto == pp->proto &&
		       !strcmp(c->nports[lo].name, pp->port.name); lo++) {
			size_t n;
			const uint32_t *l = classes_of(c, c->nports[lo].ps, &n);
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
		else
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

	qsort(c->tmp, c->n_tmp, sizeof(*c->tmp), ent_cmp);
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
		if (grow((void **)&cs->v, &cs->cap, cs->n, sizeof(*cs->v)))
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

static int endpoints(struct cc *c)
{
	struct np_netpol_plan *plan = c->plan;
	struct cands cs = { 0 };
	size_t i, n = 0;
	int ret;

	ret = np_model_foreach_pod_on_node(c->m, c->node, cand_pod, &cs);
	if (ret)
		goto out;
	qsort(cs.v, cs.n, sizeof(*cs.v), cand_cmp);
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

/* ------------------------------------------------------------ compile */

static void cc_free(struct cc *c)
{
	size_t i, j;

	for (i = 0; i < c->n_pols; i++) {
		struct pol_ctx *pc = &c->pols[i];

		for (j = 0; pc->in && j < pc->np->n_ingress; j++) {
			free(pc->in[j].ps);
			free(pc->in[j].cls);
			free(pc->in[j].named);
		}
		for (j = 0; pc->eg && j < pc->np->n_egress; j++) {
			free(pc->eg[j].ps);
			free(pc->eg[j].cls);
			free(pc->eg[j].named);
		}
		free(pc->in);
		free(pc->eg);
	}
	free(c->pols);
	free(c->nss);
	free(c->ctb);
	free(c->want);
	free(c->nports);
	free(c->key.b);
	free(c->cof_off);
	free(c->cof);
	free(c->tmp);
}

static int compile(struct cc *c)
{
	uint32_t *used = NULL;
	size_t n_used = 0, i;
	int ret;

	ret = load_model(c);
	for (i = 0; !ret && i < c->n_pols; i++)
		ret = policy_peer_sets(c, &c->pols[i]);
	if (!ret && c->n_want)
		ret = np_model_foreach(c->m, NP_KIND_POD, NULL, named_pod, c);
	if (ret)
		return ret;
	qsort(c->nports, c->n_nports, sizeof(*c->nports), nport_cmp);
	ret = npc_prefixes(c->cl, c->ctb, c->n_ctb, c->plan, &used, &n_used);
	if (!ret)
		ret = classes_of_sets(c, used, n_used);
	free(used);
	if (!ret)
		ret = endpoints(c);
	return ret;
}

int np_netpol_compile(const struct np_model *m, const char *node,
		      struct np_netpol_classes *classes,
		      struct np_netpol_plan *plan, struct np_err *err)
{
	struct cc c = {
		.m = m, .node = node, .cl = classes, .plan = plan,
	};
	int ret;

	memset(plan, 0, sizeof(*plan));
	npc_ids_begin(classes);
	ret = compile(&c);
	cc_free(&c);
	if (!ret) {
		npc_ids_commit(classes);
		return 0;
	}
	npc_ids_abort(classes);
	np_netpol_plan_free(plan);
	if (ret == -ENOSPC)
		return np_err_set(err, ENOMEM, "NetworkPolicy: more than %u "
				  "classes of addresses", NP_POL_CLASS_MAX);
	return np_err_set(err, ENOMEM, "NetworkPolicy: out of memory "
			  "compiling for node %s", node);
}
