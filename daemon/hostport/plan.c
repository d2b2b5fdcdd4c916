// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hostPort frontends of this node (see hostport.h): portmap's
 * mappings as kernel frontends, after the port claims shared with
 * ServiceLB.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/nodeplane.h>

#include "hostport/hostport.h"
#include "servicelb/claims.h"
#include "servicelb/lblist.h"

bool np_hostport_pod_served(const struct np_pod *pod)
{
	if (pod->meta.invalid || pod->host_network || !pod->n_pod_ips)
		return false;
	return pod->phase == NP_POD_RUNNING || pod->phase == NP_POD_PENDING;
}

static bool proto_known(enum np_proto p)
{
	return p == NP_PROTO_TCP || p == NP_PROTO_UDP || p == NP_PROTO_SCTP;
}

/* An earlier port of pod with the same hostIP, protocol and hostPort. */
static bool dup_port(const struct np_pod *pod, size_t i)
{
	const struct np_container_port *a = &pod->ports[i];
	size_t j;

	for (j = 0; j < i; j++) {
		const struct np_container_port *b = &pod->ports[j];

		if (b->host_port == a->host_port && b->proto == a->proto &&
		    np_addr_eq(&b->host_ip, &a->host_ip))
			return true;
	}
	return false;
}

static int pod_frontends(const struct np_pod *pod, struct np_lblist *b)
{
	size_t i, f;

	for (i = 0; i < pod->n_ports; i++) {
		const struct np_container_port *cp = &pod->ports[i];

		if (!cp->host_port || !proto_known(cp->proto) ||
		    dup_port(pod, i))
			continue;
		for (f = 0; f < pod->n_pod_ips; f++) {
			const struct np_addr *ip = &pod->pod_ips[f];
			struct np_lb_frontend *fe;
			size_t cap = 0;

			if (cp->host_ip.family &&
			    cp->host_ip.family != ip->family)
				continue;
			fe = np_lblist_add(b);
			if (!fe)
				return -ENOMEM;
			fe->family = ip->family;
			fe->proto = (uint8_t)cp->proto;
			fe->port = cp->host_port;
			fe->local = cp->host_ip;
			fe->owner = NP_LB_OWNER_HOSTPORT;
			fe->flags = NP_LB_F_HAIRPIN;
			if (ip->family == AF_INET && !cp->host_ip.family)
				fe->flags |= NP_LB_F_LOCALHOST;
			if (np_lblist_add_backend(fe, &cap, ip,
						  cp->container_port,
						  NP_LBB_F_LOCAL |
						  NP_LBB_F_READY))
				return -ENOMEM;
		}
	}
	return 0;
}

int np_hostport_plan(const struct np_model *m, const char *self,
		     bool with_servicelb, struct np_lb_list *out,
		     struct np_slb_report *rep)
{
	struct np_node_claims claims = { 0 };
	struct np_slb_svcs svcs;
	struct np_lblist b = { 0 };
	size_t i;
	int ret;

	out->v = NULL;
	out->n = 0;
	if (rep)
		memset(rep, 0, sizeof(*rep));
	if (with_servicelb) {
		ret = np_slb_svcs_build(m, &svcs);
		if (ret)
			return ret;
	} else {
		memset(&svcs, 0, sizeof(svcs));
	}
	ret = np_node_claims_build(m, self, np_model_node(m, self), &svcs,
				   &claims);
	for (i = 0; !ret && i < claims.n; i++) {
		const struct np_claimant *c = &claims.v[i];

		if (c->kind != NP_KIND_POD || !c->won ||
		    !np_hostport_pod_served(c->obj))
			continue;
		ret = pod_frontends(c->obj, &b);
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
		return ret;
	}
	np_lblist_finish(&b);
	*out = b.l;
	return 0;
}
