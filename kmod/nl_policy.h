/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NP_NL_POLICY_H
#define _NP_NL_POLICY_H

#include <net/netlink.h>
#include <linux/nodeplane.h>

/* Request policies, one per command (replies are not validated here). */
extern const struct nla_policy np_info_get_policy[NP_INFO_A_MAX + 1];
/* overlay policies go here */
/* masquerade policies go here */

#endif /* _NP_NL_POLICY_H */
