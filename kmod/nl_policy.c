// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink request policies. Lengths, ranges and masks live here, not in the
 * handlers; attributes that only appear in replies are left NLA_UNSPEC so
 * strict validation rejects them in requests ("Unsupported attribute").
 */
#include "nl_policy.h"

const struct nla_policy np_info_get_policy[NP_INFO_A_MAX + 1] = {
	[NP_INFO_A_ABI_VERSION] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* overlay policies go here */

/* masquerade policies go here */
