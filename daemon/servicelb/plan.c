// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ServiceLB frontends of this node (see np_slb_plan in servicelb.h):
 * Services that self serves, one frontend per family and port, backends
 * from the EndpointSlices, canonical and sorted by key.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/nodeplane.h>

#include "servicelb/claims.h"
#include "servicelb/lblist.h"

void np_slb_report_free(struct np_slb_report *r)
{
	if (!r)
		return;
	free(r->conflicts);
	free(r->unserved);
	memset(r, 0, sizeof(*r));
}

/* ------------------------------------------------------------ Services */

static bool proto_known(enum np_proto p)
{
	return p == NP_PROTO_TCP || p == NP_PROTO_UDP || p == NP_PROTO_SCTP;
}

static bool usable(const struct np_endpoint *e)
{
	return e->n_addrs && (e->ready || (e->serving && e->terminating));
}

struct local_q {
	const char *self;
};

static int slice_has_local(const void *obj, void *ctx)
{
	const struct np_endpointslice *sl = obj;
	const struct local_q *q = ctx;
	size_t i;

	if (sl->meta.invalid)
		return 0;
	for (i = 0; i < sl->n_endpoints; i++)
		if (usable(&sl->endpoints[i]) && sl->endpoints[i].node_name &&
		    !strcmp(sl->endpoints[i].node_name, q->self))
			return 1;
	return 0;
}

struct backends_q {
	const struct np_service_port *sp;
	int family;
	const char *self;
	bool local_only;
	struct np_lb_frontend *fe;
	size_t cap;
};

static int slice_backends(const void *obj, void *ctx)
{
	const struct np_endpointslice *sl = obj;
	struct backends_q *q = ctx;
	enum np_slice_addr_type want = q->family == AF_INET ? NP_SLICE_IPV4 :
		NP_SLICE_IPV6;
	const struct np_endpoint_port *ep = NULL;
	size_t i;
	int ret;

	if (sl->meta.invalid || sl->addr_type != want)
		return 0;
	for (i = 0; i < sl->n_ports && !ep; i++)
		if (sl->ports[i].port && sl->ports[i].proto == q->sp->proto &&
		    !strcmp(sl->ports[i].name, q->sp->name))
			ep = &sl->ports[i];
	if (!ep)
		return 0;
	for (i = 0; i < sl->n_endpoints; i++) {
		const struct np_endpoint *e = &sl->endpoints[i];
		bool local = e->node_name && !strcmp(e->node_name, q->self);
		uint32_t flags;

		if (!usable(e) || e->addrs[0].family != q->family)
			continue;
		if (q->local_only && !local)
			continue;
		flags = e->ready ? NP_LBB_F_READY : NP_LBB_F_TERMINATING;
		if (local)
			flags |= NP_LBB_F_LOCAL;
		/* kube-proxy uses an endpoint's first address only. */
		ret = np_lblist_add_backend(q->fe, &q->cap, &e->addrs[0],
					    ep->port, flags);
		if (ret)
			return ret;
	}
	return 0;
}

static bool is_default_any(const struct np_cidr *c)
{
	return c->prefixlen == 0;
}

/*
 * The source ranges of family for s into fe: 0 with fe->ranges set (or
 * none: any source); 1 when the family is closed (ranges are set, none of
 * this family); -ENOMEM.
 */
static int family_ranges(const struct np_service *s, int family,
			 struct np_lb_frontend *fe)
{
	size_t i, n = 0;

	if (!s->n_lb_source_ranges ||
	    (s->n_lb_source_ranges == 1 &&
	     s->lb_source_ranges[0].addr.family == AF_INET &&
	     is_default_any(&s->lb_source_ranges[0])))
		return 0;	/* unset, or K3s's exact "0.0.0.0/0": any */
	for (i = 0; i < s->n_lb_source_ranges; i++) {
		if (s->lb_source_ranges[i].addr.family != family)
			continue;
		if (is_default_any(&s->lb_source_ranges[i]))
			return 0;
		n++;
	}
	if (!n)
		return 1;
	fe->ranges = calloc(n, sizeof(*fe->ranges));
	if (!fe->ranges)
		return -ENOMEM;
	for (i = 0; i < s->n_lb_source_ranges; i++) {
		const struct np_cidr *c = &s->lb_source_ranges[i];
		struct np_cidr *r;

		if (c->addr.family != family)
			continue;
		r = &fe->ranges[fe->n_ranges++];
		np_cidr_network(c, &r->addr);
		r->prefixlen = c->prefixlen;
	}
	return 0;
}

/* An earlier port of s with the same protocol and number. */
static bool dup_port(const struct np_service *s, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (s->ports[j].proto == s->ports[i].proto &&
		    s->ports[j].port == s->ports[i].port)
			return true;
	return false;
}

static int service_frontends(const struct np_model *m,
			     const struct np_service *s, const char *self,
			     struct np_lblist *b)
{
	bool local = s->external_traffic_policy == NP_TRAFFIC_LOCAL;
	struct local_q lq = { self };
	size_t f, i;
	int ret;

	if (local && !np_model_foreach_slice_of_service(m, s->meta.ns,
							s->meta.name,
							slice_has_local, &lq))
		return 0;	/* Local with no usable endpoint here */
	for (f = 0; f < s->n_ip_families; f++) {
		int family = s->ip_families[f];

		for (i = 0; i < s->n_ports; i++) {
			const struct np_service_port *sp = &s->ports[i];
			struct backends_q q = { .sp = sp, .family = family,
						.self = self,
						.local_only = local };
			struct np_lb_frontend *fe;

			if (!proto_known(sp->proto) || dup_port(s, i))
				continue;
			fe = np_lblist_add(b);
			if (!fe)
				return -ENOMEM;
			fe->family = family;
			fe->proto = (uint8_t)sp->proto;
			fe->port = sp->port;
			fe->owner = NP_LB_OWNER_SERVICELB;
			fe->flags = NP_LB_F_HAIRPIN |
				(local ? NP_LB_F_LOCAL_ONLY :
				 NP_LB_F_MASQ_REMOTE);
			if (family == AF_INET)
				fe->flags |= NP_LB_F_LOCALHOST;
			if (s->session_affinity == NP_AFFINITY_CLIENT_IP)
				fe->affinity = s->affinity_timeout <
					NP_LB_AFFINITY_MAX ?
					s->affinity_timeout :
					NP_LB_AFFINITY_MAX;
			ret = family_ranges(s, family, fe);
			if (ret == 1) {
				/* The family is closed: not served. */
				np_lb_frontend_clear(fe);
				b->l.n--;
				continue;
			}
			if (ret)
				return ret;
			q.fe = fe;
			ret = np_model_foreach_slice_of_service(m, s->meta.ns,
								s->meta.name,
								slice_backends,
								&q);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int add_unserved(struct np_slb_report *rep, const struct np_slb_svc *p)
{
	struct np_slb_unserved *v;

	v = realloc(rep->unserved, (rep->n_unserved + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	rep->unserved = v;
	v[rep->n_unserved].svc = &p->svc->meta;
	memcpy(v[rep->n_unserved].why, p->why, sizeof(p->why));
	rep->n_unserved++;
	return 0;
}

int np_slb_plan(const struct np_model *m, const char *self,
		struct np_lb_list *out, struct np_slb_report *rep)
{
	const struct np_node *n = np_model_node(m, self);
	struct np_node_claims claims = { 0 };
	struct np_slb_svcs svcs;
	struct np_lblist b = { 0 };
	size_t i;
	int ret;

	out->v = NULL;
	out->n = 0;
	if (rep)
		memset(rep, 0, sizeof(*rep));
	ret = np_slb_svcs_build(m, &svcs);
	if (ret)
		return ret;
	ret = np_node_claims_build(m, self, n, &svcs, &claims);
	for (i = 0; !ret && i < svcs.n; i++) {
		const struct np_slb_svc *p = &svcs.v[i];

		if (!p->servable) {
			if (rep)
				ret = add_unserved(rep, p);
			continue;
		}
		if (np_slb_eligible(p, n, svcs.allow_list) != NP_SLB_ELIGIBLE ||
		    !np_node_claims_won(&claims, p->svc))
			continue;
		ret = service_frontends(m, p->svc, self, &b);
	}
	if (!ret && rep) {
		rep->conflicts = claims.conflicts;
		rep->n_conflicts = claims.n_conflicts;
		claims.conflicts = NULL;
		claims.n_conflicts = 0;
	}
	np_node_claims_free(&claims);
	np_slb_svcs_free(&svcs);
	if (ret) {
		np_lb_list_free(&b.l);
		np_slb_report_free(rep);
		return ret;
	}
	np_lblist_finish(&b);
	*out = b.l;
	return 0;
}
