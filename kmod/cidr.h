/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NP_CIDR_H
#define _NP_CIDR_H

#include <linux/types.h>
#include <net/netlink.h>
#include <linux/nodeplane.h>

#include "lpm.h"

/* An IPv4 or IPv6 prefix, host bits cleared. */
struct np_cidr {
	enum np_lpm_family family;
	u8 plen;
	u8 addr[16];		/* network order; IPv4 in the first 4 bytes */
};

extern const struct nla_policy np_cidr_policy[NP_CIDR_A_MAX + 1];

/*
 * Parse an NP_CIDR_A_* nest. Exactly one of ADDR4/ADDR6 and PREFIXLEN are
 * required; the prefix length must fit the family and host bits must be
 * zero. Every rejection sets an extack message and the bad attribute.
 */
int np_cidr_parse(const struct nlattr *nest, struct np_cidr *c,
		  struct netlink_ext_ack *extack);
/* Put @c as a nest of type @attrtype. */
int np_cidr_put(struct sk_buff *skb, int attrtype, const struct np_cidr *c);
bool np_cidr_contains(const struct np_cidr *c, enum np_lpm_family fam,
		      const u8 *addr);

#endif /* _NP_CIDR_H */
