/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The node's interface and public IP as K3s chooses them for flannel
 * (spec/overlay.md §2.4): the interface is flannel-iface, else the link of
 * the IPv4 default route (the IPv6 one in IPv6-only clusters); per family
 * the address is the first of that interface after sorting global before
 * link-local, permanent before dynamic, non-temporary before temporary,
 * deprecated and tentative addresses skipped. node-ip is not used (K3s
 * does not use it either).
 */
#ifndef _NP_PUBIP_H
#define _NP_PUBIP_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "config.h"
#include "overlay/rtnl.h"

struct np_pubip {
	uint32_t ifindex;
	char ifname[NP_IFNAME_LEN];
	uint32_t mtu;
	struct np_addr ip4;		/* family 0: none (or not wanted) */
	struct np_addr ip6;
};

/*
 * The first address of family in v[0..n) in the order above (ties keep
 * the kernel's order). 0, or -ENOENT when none qualifies. Pure.
 */
int np_pubip_pick(const struct np_ifaddr *v, size_t n, int family,
		  struct np_addr *out);

/*
 * Finds the interface, its MTU and the address of each family of the
 * cluster CIDR. An interface without an address of a wanted family is
 * not an error here: that family's address stays unset, and the caller
 * says what it cannot do without it.
 */
int np_pubip_gather(struct np_rtnl *rt, const struct np_config *cfg,
		    struct np_pubip *out, struct np_err *err);

#endif /* _NP_PUBIP_H */
