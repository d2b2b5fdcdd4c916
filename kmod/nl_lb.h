/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NP_NL_LB_H
#define _NP_NL_LB_H

#include <net/genetlink.h>

struct np_net;

int np_lb_set_doit(struct sk_buff *skb, struct genl_info *info);
int np_lb_del_doit(struct sk_buff *skb, struct genl_info *info);
int np_lb_get_doit(struct sk_buff *skb, struct genl_info *info);
int np_lb_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
/* Is servicelb or hostport enabled? Else says so in @extack. */
bool np_lb_nl_enabled(struct netlink_ext_ack *extack);
/* INFO: the LB counts and generation of @nn. */
void np_lb_nl_counts(struct np_net *nn, u32 *nfe, u32 *nbe, u32 *nranges,
		     u32 *nstaged, u64 *gen);

#endif /* _NP_NL_LB_H */
