/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NP_NL_POLICY_H
#define _NP_NL_POLICY_H

#include <net/netlink.h>
#include <linux/nodeplane.h>

/* Request policies, one per command (replies are not validated here). */
extern const struct nla_policy np_info_get_policy[NP_INFO_A_MAX + 1];
extern const struct nla_policy np_overlay_set_policy[NP_OVERLAY_A_MAX + 1];
extern const struct nla_policy np_overlay_get_policy[NP_OVERLAY_A_MAX + 1];
extern const struct nla_policy np_peer_new_policy[NP_PEER_A_MAX + 1];
extern const struct nla_policy np_peer_del_policy[NP_PEER_A_MAX + 1];
extern const struct nla_policy np_peer_get_policy[NP_PEER_A_MAX + 1];
extern const struct nla_policy np_masq_set_policy[NP_MASQ_A_MAX + 1];
extern const struct nla_policy np_masq_get_policy[NP_MASQ_A_MAX + 1];
extern const struct nla_policy np_lbb_policy[NP_LBB_A_MAX + 1];
extern const struct nla_policy np_lb_set_policy[NP_LB_A_MAX + 1];
extern const struct nla_policy np_lb_del_policy[NP_LB_A_MAX + 1];
extern const struct nla_policy np_lb_get_policy[NP_LB_A_MAX + 1];
extern const struct nla_policy np_pport_policy[NP_PPORT_A_MAX + 1];
extern const struct nla_policy np_prule_policy[NP_PRULE_A_MAX + 1];
extern const struct nla_policy np_pep_policy[NP_PEP_A_MAX + 1];
extern const struct nla_policy np_pcls_policy[NP_PCLS_A_MAX + 1];
extern const struct nla_policy np_pol_set_policy[NP_POL_A_MAX + 1];
extern const struct nla_policy np_pol_get_policy[NP_POL_A_MAX + 1];

#endif /* _NP_NL_POLICY_H */
