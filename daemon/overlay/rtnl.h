/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Links, addresses and routes through rtnetlink (libnl-route-3), as the
 * overlay reconciler needs them. Synchronous calls on one socket; errors
 * fill struct np_err with the kernel's extack text where it sends one.
 *
 * Routes nodeplaned installs carry protocol NP_RTPROT, so that after a
 * restart a dump finds exactly ours (and nobody else's) to diff against.
 */
#ifndef _NP_RTNL_H
#define _NP_RTNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "nl/nl.h"		/* struct np_err */

/* rtm_protocol of nodeplaned's routes (RTPROT_* values up to 99 are
 * taken or reserved in /etc/iproute2/rt_protos; "np" = 0x6e70 >> 8). */
#define NP_RTPROT 110

struct np_rtnl;

int np_rtnl_open(struct np_rtnl **out, struct np_err *err);
void np_rtnl_close(struct np_rtnl *rt);

/* ifindex of name; -ENODEV when there is none. */
int np_rtnl_link_index(struct np_rtnl *rt, const char *name,
		       uint32_t *ifindex, struct np_err *err);
/* MTU of ifindex. */
int np_rtnl_link_mtu(struct np_rtnl *rt, uint32_t ifindex, uint32_t *mtu,
		     struct np_err *err);
/*
 * Makes sure a link name of kind ("nodeplane", "wireguard") exists, with
 * mtu (0: leave it), and is up. A link of that name and another kind is an
 * error (-EEXIST, "np0: exists and is a vxlan link, not nodeplane"): it is
 * never deleted behind the user's back. An existing link of the right kind
 * is kept as it is (never recreated: traffic keeps flowing).
 */
int np_rtnl_link_ensure(struct np_rtnl *rt, const char *name,
			const char *kind, uint32_t mtu, uint32_t *ifindex,
			struct np_err *err);
/* Deletes link name if it exists (0 also when there is none). */
int np_rtnl_link_del(struct np_rtnl *rt, const char *name, struct np_err *err);

/*
 * Makes the global (non-link-local) addresses of ifindex exactly want[]
 * (prefix lengths as given): adds the missing ones first, then removes
 * the others.
 */
int np_rtnl_addr_sync(struct np_rtnl *rt, uint32_t ifindex,
		      const struct np_cidr *want, size_t n, struct np_err *err);

/* One address of an interface, for the choice of the public IP. */
struct np_ifaddr {
	struct np_cidr addr;
	uint32_t ifindex;
	bool link_local;	/* scope link (fe80::/10, 169.254/16) */
	bool permanent;		/* IFA_F_PERMANENT (IPv6), always for IPv4 */
	bool temporary;		/* IFA_F_TEMPORARY (privacy address) */
	bool deprecated;	/* IFA_F_DEPRECATED */
	bool tentative;		/* IFA_F_TENTATIVE or IFA_F_DADFAILED */
};

/* Every address of ifindex (0: of every link) of family (AF_UNSPEC: both),
 * in the kernel's order. *out is malloc'd. */
int np_rtnl_addr_list(struct np_rtnl *rt, uint32_t ifindex, int family,
		      struct np_ifaddr **out, size_t *n, struct np_err *err);
/* The link of the default route of family in the main table (lowest
 * metric); -ENETUNREACH when there is none. */
int np_rtnl_default_link(struct np_rtnl *rt, int family, uint32_t *ifindex,
			 struct np_err *err);

/* One route of ours, main table. */
struct np_route {
	struct np_cidr dst;
	struct np_addr gw;	/* family 0: none (a device route) */
	uint32_t ifindex;
	bool onlink;		/* RTNH_F_ONLINK */
};

/* Routes with protocol NP_RTPROT of family (AF_UNSPEC: both), main table.
 * *out is malloc'd. */
int np_rtnl_route_list(struct np_rtnl *rt, int family, struct np_route **out,
		       size_t *n, struct np_err *err);
/* Creates or replaces the route to r->dst (NLM_F_REPLACE), protocol
 * NP_RTPROT; scope link for a device route, universe with a gateway. */
int np_rtnl_route_replace(struct np_rtnl *rt, const struct np_route *r,
			  struct np_err *err);
/* Deletes our route to r->dst (0 also when it is gone already). */
int np_rtnl_route_del(struct np_rtnl *rt, const struct np_route *r,
		      struct np_err *err);

#endif /* _NP_RTNL_H */
