/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NP_NETLINK_H
#define _NP_NETLINK_H

#include <net/genetlink.h>

/* genlmsg_put() for the nodeplane family (replies, dumps and events). */
void *np_genl_put(struct sk_buff *skb, u32 portid, u32 seq, int flags, u8 cmd);

int np_netlink_init(void);
void np_netlink_exit(void);

#endif /* _NP_NETLINK_H */
