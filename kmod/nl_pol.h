/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NP_NL_POL_H
#define _NP_NL_POL_H

#include <net/genetlink.h>

struct net;
struct np_pol_ep;

int np_pol_set_doit(struct sk_buff *skb, struct genl_info *info);
int np_pol_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
/* Is network-policy enabled? Else says so in @extack. */
bool np_pol_nl_enabled(struct netlink_ext_ack *extack);
/* NP_CMD_POLICY_DROP to the netns's event listeners (atomic context). */
void np_pol_nl_drop_event(struct net *net, const struct np_pol_ep *ep, u8 dir,
			  u8 fam, const u8 *saddr, const u8 *daddr, u8 proto,
			  u16 sport, u16 dport, u32 suppressed);

#endif /* _NP_NL_POL_H */
