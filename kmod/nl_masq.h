/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NP_NL_MASQ_H
#define _NP_NL_MASQ_H

#include <net/genetlink.h>

/* NP_CMD_MASQ_SET and NP_CMD_MASQ_GET handlers (np_genl_ops in netlink.c). */
int np_masq_set_doit(struct sk_buff *skb, struct genl_info *info);
int np_masq_get_doit(struct sk_buff *skb, struct genl_info *info);

#endif /* _NP_NL_MASQ_H */
