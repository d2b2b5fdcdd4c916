// SPDX-License-Identifier: GPL-2.0
/*
 * NP_CMD_MASQ_SET / NP_CMD_MASQ_GET: the masquerade configuration of the
 * caller's netns, replaced as a whole (kmod/masq.c does the rest). Both
 * are refused while disable=overlay (NP_NL_F_OVERLAY, netlink.c).
 */
#include <linux/slab.h>
#include <net/genetlink.h>
#include <linux/nodeplane.h>

#include "netlink.h"
#include "cidr.h"
#include "masq.h"
#include "nl_masq.h"
#include "pernet.h"

/*
 * NP_MASQ_A_FLAGS is a plain NLA_U32 in the policy: NLA_POLICY_MASK answers
 * -EINVAL ("reserved bit set") in 6.1, and the ABI promises -EOPNOTSUPP for
 * unknown flag bits so that callers can probe.
 */
static int parse_flags(struct genl_info *info, u32 *flags)
{
	const struct nlattr *a = info->attrs[NP_MASQ_A_FLAGS];

	*flags = a ? nla_get_u32(a) : 0;
	if (*flags & ~(u32)__NP_MASQ_F_ALL) {
		NL_SET_ERR_MSG_ATTR(info->extack, a,
				    "unknown flag bits in NP_MASQ_A_FLAGS");
		return -EOPNOTSUPP;
	}
	return 0;
}

/* Every NP_MASQ_A_CIDR of the request, at most one per family. */
static int parse_cidrs(struct genl_info *info, struct np_masq_config *cfg)
{
	const struct nlattr *a;
	struct np_cidr c;
	int rem, err;

	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(a) != NP_MASQ_A_CIDR)
			continue;
		err = np_cidr_parse(a, &c, info->extack);
		if (err)
			return err;
		if (cfg->has[c.family]) {
			if (c.family == NP_LPM_V4)
				NL_SET_ERR_MSG_ATTR(info->extack, a,
						    "more than one IPv4 cluster CIDR");
			else
				NL_SET_ERR_MSG_ATTR(info->extack, a,
						    "more than one IPv6 cluster CIDR");
			return -EINVAL;
		}
		cfg->cidr[c.family] = c;
		cfg->has[c.family] = true;
	}
	return 0;
}

int np_masq_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct np_net *nn = np_pernet(net);
	struct np_masq_config *cfg;
	int err;

	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL_ACCOUNT);
	if (!cfg)
		return -ENOMEM;
	err = parse_flags(info, &cfg->flags);
	if (!err)
		err = parse_cidrs(info, cfg);
	if (err)
		goto err_free;

	if (!cfg->has[NP_LPM_V4] && !cfg->has[NP_LPM_V6]) {
		/* no cluster CIDR: masquerade off, the hooks go */
		kfree(cfg);
		cfg = NULL;
	} else {
		err = np_masq_notifiers_get();
		if (err) {
			NL_SET_ERR_MSG_MOD(info->extack,
					   "cannot register nf_nat's masquerade notifiers");
			goto err_free;
		}
	}

	mutex_lock(&nn->lock);
	err = np_masq_replace(net, cfg, info->extack);	/* owns cfg */
	mutex_unlock(&nn->lock);
	return err;

err_free:
	kfree(cfg);
	return err;
}

static int fill_config(struct sk_buff *msg, const struct np_masq_config *cfg)
{
	int fam;

	for (fam = 0; fam < __NP_LPM_FAMILIES; fam++)
		if (cfg->has[fam] &&
		    np_cidr_put(msg, NP_MASQ_A_CIDR, &cfg->cidr[fam]))
			return -EMSGSIZE;
	return nla_put_u32(msg, NP_MASQ_A_FLAGS, cfg->flags);
}

int np_masq_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct np_net *nn = np_pernet(genl_info_net(info));
	struct np_masq_config cfg;
	struct sk_buff *msg;
	void *hdr;

	np_masq_snapshot(nn, &cfg);

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = np_genl_put(msg, info->snd_portid, info->snd_seq, 0,
			  NP_CMD_MASQ_GET);
	if (!hdr || fill_config(msg, &cfg)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}
