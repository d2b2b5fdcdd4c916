/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NP_NL_OVERLAY_H
#define _NP_NL_OVERLAY_H

#include <net/genetlink.h>

/*
 * NP_CMD_OVERLAY_* and NP_CMD_PEER_* handlers (np_genl_ops in netlink.c).
 * The doits that take a device find it, held, in info->user_ptr[0].
 */
struct net_device *np_overlay_nl_dev_get(struct genl_info *info, u8 cmd);
int np_overlay_set_doit(struct sk_buff *skb, struct genl_info *info);
int np_overlay_get_doit(struct sk_buff *skb, struct genl_info *info);
int np_overlay_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int np_peer_new_doit(struct sk_buff *skb, struct genl_info *info);
int np_peer_del_doit(struct sk_buff *skb, struct genl_info *info);
int np_peer_get_start(struct netlink_callback *cb);
int np_peer_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);

#endif /* _NP_NL_OVERLAY_H */
