// SPDX-License-Identifier: GPL-2.0
/*
 * The "nodeplane" generic-netlink family: per-op strict policies, extack on
 * every rejection, all state per network namespace.
 */
#include <linux/module.h>
#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <linux/nodeplane.h>

#include "masq.h"
#include "netlink.h"
#include "nl_lb.h"
#include "nl_masq.h"
#include "nl_overlay.h"
#include "nl_pol.h"
#include "nl_policy.h"
#include "params.h"
#include "pernet.h"

static struct genl_family np_genl_family;

void *np_genl_put(struct sk_buff *skb, u32 portid, u32 seq, int flags, u8 cmd)
{
	return genlmsg_put(skb, portid, seq, &np_genl_family, flags, cmd);
}

/*
 * Before every doit: count the request, refuse what a disabled feature
 * owns, and resolve and hold the device of the ops that take one.
 */
static int np_pre_doit(const struct genl_ops *ops, struct sk_buff *skb,
		       struct genl_info *info)
{
	struct net_device *dev;

	atomic64_inc(&np_pernet(genl_info_net(info))->requests);
	info->user_ptr[0] = NULL;
	if ((ops->internal_flags & NP_NL_F_OVERLAY) &&
	    !(np_params_features() & NP_FEATURE_F_OVERLAY)) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "overlay disabled by the disable= module parameter");
		return -EOPNOTSUPP;
	}
	if ((ops->internal_flags & NP_NL_F_POLICY) &&
	    !np_pol_nl_enabled(info->extack))
		return -EOPNOTSUPP;
	if ((ops->internal_flags & NP_NL_F_LB) &&
	    !np_lb_nl_enabled(info->extack))
		return -EOPNOTSUPP;
	if (ops->internal_flags & NP_NL_F_DEV) {
		dev = np_overlay_nl_dev_get(info, ops->cmd);
		if (IS_ERR(dev))
			return PTR_ERR(dev);
		info->user_ptr[0] = dev;
	}
	return 0;
}

static void np_post_doit(const struct genl_ops *ops, struct sk_buff *skb,
			 struct genl_info *info)
{
	if (info->user_ptr[0])
		dev_put(info->user_ptr[0]);
}

static int fill_counts(struct sk_buff *msg, struct np_net *nn)
{
	u32 lb_fe, lb_be, lb_ranges, lb_staged, pcls, peps, prules;
	struct nlattr *nest;
	u64 gen, pgen;

	np_lb_nl_counts(nn, &lb_fe, &lb_be, &lb_ranges, &lb_staged, &gen);
	np_pol_counts(nn, &pcls, &peps, &prules, &pgen);
	nest = nla_nest_start(msg, NP_INFO_A_COUNTS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(msg, NP_COUNT_A_REQUESTS,
			      atomic64_read(&nn->requests), NP_COUNT_A_PAD) ||
	    nla_put_u32(msg, NP_COUNT_A_OVERLAY_DEVICES,
			np_overlay_ndevs(&nn->overlay)) ||
	    nla_put_u32(msg, NP_COUNT_A_OVERLAY_PEERS,
			np_overlay_npeers(&nn->overlay)) ||
	    nla_put_u32(msg, NP_COUNT_A_MASQ_CIDRS, np_masq_cidr_count(nn)) ||
	    nla_put_u32(msg, NP_COUNT_A_LB_FRONTENDS, lb_fe) ||
	    nla_put_u32(msg, NP_COUNT_A_LB_BACKENDS, lb_be) ||
	    nla_put_u32(msg, NP_COUNT_A_LB_RANGES, lb_ranges) ||
	    nla_put_u32(msg, NP_COUNT_A_LB_STAGED, lb_staged) ||
	    nla_put_u32(msg, NP_COUNT_A_POL_CLASSES, pcls) ||
	    nla_put_u32(msg, NP_COUNT_A_POL_ENDPOINTS, peps) ||
	    nla_put_u32(msg, NP_COUNT_A_POL_RULES, prules)) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/* The sizing module parameters, NP_INFO_A_LIMITS. */
static int fill_limits(struct sk_buff *msg)
{
	struct nlattr *nest;

	nest = nla_nest_start(msg, NP_INFO_A_LIMITS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(msg, NP_LIMIT_A_DEVICES, np_limits.max_devices) ||
	    nla_put_u32(msg, NP_LIMIT_A_PEERS, np_limits.max_peers) ||
	    nla_put_u32(msg, NP_LIMIT_A_CIDRS, np_limits.max_cidrs) ||
	    nla_put_u32(msg, NP_LIMIT_A_LB_FRONTENDS, np_limits.max_frontends) ||
	    nla_put_u32(msg, NP_LIMIT_A_LB_BACKENDS, np_limits.max_backends) ||
	    nla_put_u32(msg, NP_LIMIT_A_LB_RANGES, np_limits.max_ranges) ||
	    nla_put_u32(msg, NP_LIMIT_A_POL_CLASSES,
			np_limits.max_policy_prefixes) ||
	    nla_put_u32(msg, NP_LIMIT_A_POL_ENDPOINTS,
			np_limits.max_policy_endpoints) ||
	    nla_put_u32(msg, NP_LIMIT_A_POL_RULES,
			np_limits.max_policy_rules)) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

static int np_info_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct np_net *nn = np_pernet(genl_info_net(info));
	u32 pcls, peps, prules;
	struct sk_buff *msg;
	u64 pgen;
	void *hdr;

	np_pol_counts(nn, &pcls, &peps, &prules, &pgen);
	if (GENL_REQ_ATTR_CHECK(info, NP_INFO_A_ABI_VERSION)) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "missing NP_INFO_A_ABI_VERSION (the ABI version the caller speaks)");
		return -EINVAL;
	}

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = np_genl_put(msg, info->snd_portid, info->snd_seq, 0,
			  NP_CMD_INFO_GET);
	if (!hdr)
		goto nla_put_failure;
	if (nla_put_u32(msg, NP_INFO_A_ABI_VERSION, NODEPLANE_GENL_VERSION) ||
	    nla_put_string(msg, NP_INFO_A_VERSION, NP_VERSION) ||
	    nla_put_u32(msg, NP_INFO_A_FEATURES,
			np_params_features() & NP_FEATURES_IMPLEMENTED) ||
	    fill_counts(msg, nn) ||
	    nla_put_u32(msg, NP_INFO_A_DISABLED,
			~np_params_features() & __NP_FEATURE_F_ALL) ||
	    fill_limits(msg) ||
	    nla_put_u64_64bit(msg, NP_INFO_A_GENERATION,
			      READ_ONCE(nn->lb.generation), NP_INFO_A_PAD) ||
	    nla_put_u64_64bit(msg, NP_INFO_A_POLICY_GENERATION, pgen,
			      NP_INFO_A_PAD))
		goto nla_put_failure;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nla_put_failure:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static const struct genl_ops np_genl_ops[] = {
	{
		.cmd = NP_CMD_INFO_GET,
		.doit = np_info_get_doit,
		.policy = np_info_get_policy,
		.maxattr = NP_INFO_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NP_CMD_OVERLAY_SET,
		.doit = np_overlay_set_doit,
		.policy = np_overlay_set_policy,
		.maxattr = NP_OVERLAY_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
		.internal_flags = NP_NL_F_OVERLAY | NP_NL_F_DEV,
	},
	{
		.cmd = NP_CMD_OVERLAY_GET,
		.doit = np_overlay_get_doit,
		.dumpit = np_overlay_get_dumpit,
		.policy = np_overlay_get_policy,
		.maxattr = NP_OVERLAY_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
		.internal_flags = NP_NL_F_OVERLAY | NP_NL_F_DEV,
	},
	{
		.cmd = NP_CMD_PEER_NEW,
		.doit = np_peer_new_doit,
		.policy = np_peer_new_policy,
		.maxattr = NP_PEER_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
		.internal_flags = NP_NL_F_OVERLAY | NP_NL_F_DEV,
	},
	{
		.cmd = NP_CMD_PEER_DEL,
		.doit = np_peer_del_doit,
		.policy = np_peer_del_policy,
		.maxattr = NP_PEER_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
		.internal_flags = NP_NL_F_OVERLAY | NP_NL_F_DEV,
	},
	{
		.cmd = NP_CMD_PEER_GET,
		.start = np_peer_get_start,
		.dumpit = np_peer_get_dumpit,
		.policy = np_peer_get_policy,
		.maxattr = NP_PEER_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
		.internal_flags = NP_NL_F_OVERLAY,
	},
	{
		.cmd = NP_CMD_MASQ_SET,
		.doit = np_masq_set_doit,
		.policy = np_masq_set_policy,
		.maxattr = NP_MASQ_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
		.internal_flags = NP_NL_F_OVERLAY,
	},
	{
		.cmd = NP_CMD_MASQ_GET,
		.doit = np_masq_get_doit,
		.policy = np_masq_get_policy,
		.maxattr = NP_MASQ_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
		.internal_flags = NP_NL_F_OVERLAY,
	},
	{
		.cmd = NP_CMD_LB_SET,
		.doit = np_lb_set_doit,
		.policy = np_lb_set_policy,
		.maxattr = NP_LB_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
		.internal_flags = NP_NL_F_LB,
	},
	{
		.cmd = NP_CMD_LB_DEL,
		.doit = np_lb_del_doit,
		.policy = np_lb_del_policy,
		.maxattr = NP_LB_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
		.internal_flags = NP_NL_F_LB,
	},
	{
		.cmd = NP_CMD_LB_GET,
		.doit = np_lb_get_doit,
		.dumpit = np_lb_get_dumpit,
		.policy = np_lb_get_policy,
		.maxattr = NP_LB_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
		.internal_flags = NP_NL_F_LB,
	},
	{
		.cmd = NP_CMD_POLICY_SET,
		.doit = np_pol_set_doit,
		.policy = np_pol_set_policy,
		.maxattr = NP_POL_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
		.internal_flags = NP_NL_F_POLICY,
	},
	{
		.cmd = NP_CMD_POLICY_GET,
		.dumpit = np_pol_get_dumpit,
		.policy = np_pol_get_policy,
		.maxattr = NP_POL_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
		.internal_flags = NP_NL_F_POLICY,
	},
};

/* NP_CMD_POLICY_DROP notifications; joining needs CAP_NET_ADMIN. */
static const struct genl_multicast_group np_genl_mcgrps[] = {
	{ .name = NODEPLANE_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

static struct genl_family np_genl_family __ro_after_init = {
	.name = NODEPLANE_GENL_NAME,
	.version = NODEPLANE_GENL_VERSION,
	.netnsok = true,
	.parallel_ops = true,
	.pre_doit = np_pre_doit,
	.post_doit = np_post_doit,
	.ops = np_genl_ops,
	.n_ops = ARRAY_SIZE(np_genl_ops),
	.mcgrps = np_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(np_genl_mcgrps),
	.module = THIS_MODULE,
};

bool np_genl_has_event_listeners(struct net *net)
{
	return genl_has_listeners(&np_genl_family, net, 0);
}

void np_genl_event(struct net *net, struct sk_buff *msg)
{
	genlmsg_multicast_netns(&np_genl_family, net, msg, 0, 0, GFP_ATOMIC);
}

int np_netlink_init(void)
{
	return genl_register_family(&np_genl_family);
}

void np_netlink_exit(void)
{
	genl_unregister_family(&np_genl_family);
}
