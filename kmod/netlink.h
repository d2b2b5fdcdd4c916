/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NP_NETLINK_H
#define _NP_NETLINK_H

#include <net/genetlink.h>

/*
 * genl_ops.internal_flags: what np_pre_doit() checks and resolves before a
 * doit runs (np_post_doit() undoes it).
 */
enum {
	NP_NL_F_OVERLAY = 1U << 0,	/* refused while disable=overlay */
	NP_NL_F_DEV = 1U << 1,		/* the IFINDEX attribute (required)
					 * names a nodeplane device, held
					 * in info->user_ptr[0] */
	NP_NL_F_LB = 1U << 2,		/* refused while servicelb and
					 * hostport are both disabled */
	NP_NL_F_POLICY = 1U << 3,	/* refused while disable=network-policy */
};

/* genlmsg_put() for the nodeplane family (replies, dumps and events). */
void *np_genl_put(struct sk_buff *skb, u32 portid, u32 seq, int flags, u8 cmd);

/* Has the netns a listener on the events group? */
bool np_genl_has_event_listeners(struct net *net);
/* Multicast @msg to the events group of @net (atomic context). */
void np_genl_event(struct net *net, struct sk_buff *msg);

int np_netlink_init(void);
void np_netlink_exit(void);

#endif /* _NP_NETLINK_H */
