// SPDX-License-Identifier: GPL-2.0
/*
 * NP_CMD_OVERLAY_SET/GET and NP_CMD_PEER_NEW/DEL/GET: configuration of the
 * nodeplane devices of the caller's netns and of their peers. Policies are
 * in nl_policy.c; every rejection carries an extack message.
 */
#include <linux/etherdevice.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <linux/nodeplane.h>

#include "netlink.h"
#include "cidr.h"
#include "nl_overlay.h"
#include "overlay.h"
#include "overlay_priv.h"
#include "params.h"

/* For dumps: np_pre_doit() checks the doits (NP_NL_F_OVERLAY). */
static bool overlay_enabled(struct netlink_ext_ack *extack)
{
	if (np_params_features() & NP_FEATURE_F_OVERLAY)
		return true;
	NL_SET_ERR_MSG_MOD(extack,
			   "overlay disabled by the disable= module parameter");
	return false;
}

/* Is @attr missing? Then say so with @msg (a literal) in extack. */
#define missing(info, attr, msg) ({					\
	bool __miss = GENL_REQ_ATTR_CHECK(info, attr);			\
									\
	if (__miss)							\
		NL_SET_ERR_MSG_MOD((info)->extack, msg);		\
	__miss;								\
})

/* The nodeplane device named by @attr in @net; holds a reference. */
static struct net_device *ovl_dev_get(struct net *net,
				      const struct nlattr *attr,
				      struct netlink_ext_ack *extack)
{
	struct net_device *dev = dev_get_by_index(net, nla_get_u32(attr));

	if (!dev) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "not a nodeplane device: no such ifindex in this network namespace");
		return NULL;
	}
	if (!np_overlay_dev_is(dev)) {
		dev_put(dev);
		NL_SET_ERR_MSG_ATTR(extack, attr, "not a nodeplane device");
		return NULL;
	}
	return dev;
}

/*
 * For np_pre_doit() (NP_NL_F_DEV): the device the IFINDEX attribute of a
 * @cmd request names; returns a reference, dropped by np_post_doit().
 */
struct net_device *np_overlay_nl_dev_get(struct genl_info *info, u8 cmd)
{
	struct net_device *dev;
	bool miss;

	BUILD_BUG_ON((int)NP_OVERLAY_A_IFINDEX != (int)NP_PEER_A_IFINDEX);
	if (cmd == NP_CMD_OVERLAY_GET)
		miss = missing(info, NP_OVERLAY_A_IFINDEX,
			       "missing NP_OVERLAY_A_IFINDEX (or ask for a dump)");
	else if (cmd == NP_CMD_OVERLAY_SET)
		miss = missing(info, NP_OVERLAY_A_IFINDEX,
			       "missing NP_OVERLAY_A_IFINDEX (the nodeplane device)");
	else
		miss = missing(info, NP_PEER_A_IFINDEX,
			       "missing NP_PEER_A_IFINDEX (the nodeplane device)");
	if (miss)
		return ERR_PTR(-EINVAL);
	dev = ovl_dev_get(genl_info_net(info), info->attrs[NP_PEER_A_IFINDEX],
			  info->extack);
	return dev ?: ERR_PTR(-ENODEV);
}

/* ---- NP_CMD_OVERLAY_SET ------------------------------------------------ */

static int parse_mac(const struct nlattr *a, u8 *mac,
		     struct netlink_ext_ack *extack)
{
	if (!is_valid_ether_addr(nla_data(a))) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "a VTEP MAC must be unicast and non-zero");
		return -EINVAL;
	}
	ether_addr_copy(mac, nla_data(a));
	return 0;
}

static int parse_change(struct nlattr **tb, struct np_ovl_change *ch,
			struct netlink_ext_ack *extack)
{
	struct nlattr *a;
	int err;

	a = tb[NP_OVERLAY_A_VNI];
	if (a) {
		ch->set |= NP_OVL_SET_VNI;
		ch->cfg.vni = nla_get_u32(a);
	}
	a = tb[NP_OVERLAY_A_PORT];
	if (a) {
		ch->set |= NP_OVL_SET_PORT;
		ch->cfg.port = nla_get_u16(a);
	}
	a = tb[NP_OVERLAY_A_LOCAL4];
	if (a) {
		ch->set |= NP_OVL_SET_LOCAL4;
		ch->cfg.has_local4 = nla_len(a) != 0;
		if (ch->cfg.has_local4) {
			ch->cfg.local4 = nla_get_in_addr(a);
			if (ipv4_is_zeronet(ch->cfg.local4) ||
			    ipv4_is_multicast(ch->cfg.local4) ||
			    ipv4_is_lbcast(ch->cfg.local4)) {
				NL_SET_ERR_MSG_ATTR(extack, a,
						    "the IPv4 underlay address must be unicast (send it empty to clear it)");
				return -EINVAL;
			}
		}
	}
	a = tb[NP_OVERLAY_A_LOCAL6];
	if (a) {
		ch->set |= NP_OVL_SET_LOCAL6;
		ch->cfg.has_local6 = nla_len(a) != 0;
		if (ch->cfg.has_local6) {
			ch->cfg.local6 = nla_get_in6_addr(a);
			if (ipv6_addr_any(&ch->cfg.local6) ||
			    ipv6_addr_is_multicast(&ch->cfg.local6) ||
			    ipv6_addr_v4mapped(&ch->cfg.local6)) {
				NL_SET_ERR_MSG_ATTR(extack, a,
						    "the IPv6 underlay address must be unicast IPv6 (send it empty to clear it)");
				return -EINVAL;
			}
		}
	}
	a = tb[NP_OVERLAY_A_MAC];
	if (a) {
		ch->set |= NP_OVL_SET_MAC;
		err = parse_mac(a, ch->cfg.mac, extack);
		if (err)
			return err;
	}
	a = tb[NP_OVERLAY_A_MAC6];
	if (a) {
		ch->set |= NP_OVL_SET_MAC6;
		err = parse_mac(a, ch->cfg.mac6, extack);
		if (err)
			return err;
	}
	a = tb[NP_OVERLAY_A_FLAGS];
	if (a) {
		/* plain u32 in the policy: the ABI wants -EOPNOTSUPP here */
		ch->set |= NP_OVL_SET_FLAGS;
		ch->cfg.flags = nla_get_u32(a);
		if (ch->cfg.flags & ~(u32)__NP_OVERLAY_F_ALL) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "unknown flag bits in NP_OVERLAY_A_FLAGS");
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

int np_overlay_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net_device *dev = info->user_ptr[0];
	struct np_ovl_change ch = {};
	int err;

	err = parse_change(info->attrs, &ch, info->extack);
	if (err)
		return err;

	rtnl_lock();
	if (dev->reg_state != NETREG_REGISTERED) {
		NL_SET_ERR_MSG_MOD(info->extack, "the device is being deleted");
		err = -ENODEV;
	} else {
		err = np_overlay_configure(netdev_priv(dev), &ch, info->extack);
	}
	rtnl_unlock();
	return err;
}

/* ---- NP_CMD_OVERLAY_GET ------------------------------------------------ */

static int overlay_msg(struct sk_buff *msg, struct np_ovl_dev *od, u32 portid,
		       u32 seq, int flags, struct netlink_callback *cb)
{
	void *hdr;

	hdr = np_genl_put(msg, portid, seq, flags, NP_CMD_OVERLAY_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (np_overlay_fill(msg, od)) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

/*
 * GET and dumps take RTNL around the netns mutex (the order of writers):
 * a device's name changes under RTNL only.
 */
int np_overlay_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct np_ovl_dev *od = netdev_priv(info->user_ptr[0]);
	struct np_net *nn = od->nn;
	struct sk_buff *msg;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	rtnl_lock();
	mutex_lock(&nn->lock);
	if (od->dead) {
		NL_SET_ERR_MSG_MOD(info->extack, "the device is being deleted");
		err = -ENODEV;
	} else {
		err = overlay_msg(msg, od, info->snd_portid, info->snd_seq,
				  0, NULL);
	}
	mutex_unlock(&nn->lock);
	rtnl_unlock();
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/* cb->args[0]: devices already sent. An IFINDEX in the request filters. */
int np_overlay_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *di = genl_dumpit_info(cb);
	const struct nlattr *only = di->attrs[NP_OVERLAY_A_IFINDEX];
	struct np_net *nn = np_pernet(sock_net(skb->sk));
	struct np_ovl_dev *od;
	long idx = 0;
	int err = 0;

	if (!overlay_enabled(cb->extack))
		return -EOPNOTSUPP;
	rtnl_lock();
	mutex_lock(&nn->lock);
	cb->seq = nn->overlay.gen + 1;	/* never 0: 0 disables the check */
	hlist_for_each_entry(od, &nn->overlay.devs, node) {
		if (only && od->dev->ifindex != nla_get_u32(only))
			continue;
		if (idx++ < cb->args[0])
			continue;
		err = overlay_msg(skb, od, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, NLM_F_MULTI, cb);
		if (err)
			break;
		cb->args[0]++;
	}
	mutex_unlock(&nn->lock);
	rtnl_unlock();
	/* A full skb ends this round; the dump goes on in the next one. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}

/* ---- NP_CMD_PEER_NEW / _DEL -------------------------------------------- */

static int parse_peer(struct genl_info *info, struct np_ovl_peer **peerp)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **tb = info->attrs;
	struct np_ovl_peer *peer;
	const struct nlattr *a;
	unsigned int n = 0, i;
	int rem, err;
	int family;

	if (missing(info, NP_PEER_A_MAC, "missing NP_PEER_A_MAC (the peer's VTEP MAC)"))
		return -EINVAL;
	if (!tb[NP_PEER_A_ENDPOINT4] && !tb[NP_PEER_A_ENDPOINT6]) {
		NL_SET_ERR_MSG_MOD(extack,
				   "missing NP_PEER_A_ENDPOINT4 or NP_PEER_A_ENDPOINT6 (the peer's underlay address)");
		return -EINVAL;
	}
	if (tb[NP_PEER_A_ENDPOINT4] && tb[NP_PEER_A_ENDPOINT6]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NP_PEER_A_ENDPOINT6],
				    "a peer has one endpoint: a dual-stack node is two peers with two MACs");
		return -EINVAL;
	}
	if (missing(info, NP_PEER_A_CIDR, "missing NP_PEER_A_CIDR (the peer's pod CIDRs)"))
		return -EINVAL;
	if (!is_valid_ether_addr(nla_data(tb[NP_PEER_A_MAC]))) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NP_PEER_A_MAC],
				    "the peer MAC must be unicast and non-zero");
		return -EINVAL;
	}
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem)
		if (nla_type(a) == NP_PEER_A_CIDR)
			n++;
	if (n > NP_OVL_PEER_MAX_CIDRS) {
		NL_SET_ERR_MSG_MOD(extack, "too many CIDRs for one peer (at most 64)");
		return -E2BIG;
	}

	peer = np_overlay_peer_alloc(n);
	if (!peer)
		return -ENOMEM;
	ether_addr_copy(peer->mac, nla_data(tb[NP_PEER_A_MAC]));
	a = tb[NP_PEER_A_ENDPOINT4];
	if (a) {
		peer->family = AF_INET;
		peer->ep.ip4 = nla_get_in_addr(a);
		if (ipv4_is_zeronet(peer->ep.ip4) ||
		    ipv4_is_multicast(peer->ep.ip4) ||
		    ipv4_is_lbcast(peer->ep.ip4)) {
			NL_SET_ERR_MSG_ATTR(extack, a, "the endpoint must be a unicast address");
			err = -EINVAL;
			goto err_free;
		}
	} else {
		a = tb[NP_PEER_A_ENDPOINT6];
		peer->family = AF_INET6;
		peer->ep.ip6 = nla_get_in6_addr(a);
		if (ipv6_addr_any(&peer->ep.ip6) ||
		    ipv6_addr_is_multicast(&peer->ep.ip6) ||
		    ipv6_addr_v4mapped(&peer->ep.ip6)) {
			NL_SET_ERR_MSG_ATTR(extack, a, "the endpoint must be a unicast IPv6 address");
			err = -EINVAL;
			goto err_free;
		}
	}
	family = peer->family == AF_INET ? NP_LPM_V4 : NP_LPM_V6;

	n = 0;
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(a) != NP_PEER_A_CIDR)
			continue;
		err = np_cidr_parse(a, &peer->cidrs[n], extack);
		if (err)
			goto err_free;
		if (peer->cidrs[n].family != family) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "CIDR address family differs from the endpoint's");
			err = -EINVAL;
			goto err_free;
		}
		for (i = 0; i < n; i++) {
			if (peer->cidrs[i].plen == peer->cidrs[n].plen &&
			    !memcmp(peer->cidrs[i].addr, peer->cidrs[n].addr,
				    sizeof(peer->cidrs[n].addr))) {
				NL_SET_ERR_MSG_ATTR(extack, a, "duplicate CIDR");
				err = -EINVAL;
				goto err_free;
			}
		}
		n++;
	}
	*peerp = peer;
	return 0;

err_free:
	np_overlay_peer_free(peer);
	return err;
}

/* Is @mac one of @od's own VTEP MACs? (netns mutex held) */
static bool is_own_mac(struct np_ovl_dev *od, const u8 *mac)
{
	const struct np_ovl_cfg *cfg = np_overlay_cfg(od);

	return ether_addr_equal(mac, cfg->mac) ||
	       ether_addr_equal(mac, cfg->mac6);
}

int np_peer_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct np_ovl_dev *od = netdev_priv(info->user_ptr[0]);
	struct np_net *nn = od->nn;
	struct np_ovl_peer *peer;
	int err;

	err = parse_peer(info, &peer);
	if (err)
		return err;
	mutex_lock(&nn->lock);
	if (od->dead) {
		/* uninit ran: no more peers (and its peers are gone) */
		NL_SET_ERR_MSG_MOD(info->extack, "the device is being deleted");
		np_overlay_peer_free(peer);
		err = -ENODEV;
	} else if (is_own_mac(od, peer->mac)) {
		/* frames to it would come back to us and be dropped as loops */
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[NP_PEER_A_MAC],
				    "the peer MAC is one of this device's own VTEP MACs");
		np_overlay_peer_free(peer);
		err = -EINVAL;
	} else {
		err = np_overlay_peer_replace(od, peer, info->extack);	/* owns peer */
	}
	mutex_unlock(&nn->lock);
	return err;
}

int np_peer_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct np_ovl_dev *od = netdev_priv(info->user_ptr[0]);
	struct np_net *nn = od->nn;
	int err;

	if (missing(info, NP_PEER_A_MAC, "missing NP_PEER_A_MAC (the peer to delete)"))
		return -EINVAL;
	mutex_lock(&nn->lock);
	if (od->dead) {
		NL_SET_ERR_MSG_MOD(info->extack, "the device is being deleted");
		err = -ENODEV;
	} else {
		err = np_overlay_peer_del(od, nla_data(info->attrs[NP_PEER_A_MAC]));
		if (err)
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[NP_PEER_A_MAC],
					    "no peer with this MAC on the device");
	}
	mutex_unlock(&nn->lock);
	return err;
}

/* ---- NP_CMD_PEER_GET (dump) -------------------------------------------- */

/* cb->args: [0] ifindex, [1] hash bucket, [2] peers sent from it */
int np_peer_get_start(struct netlink_callback *cb)
{
	const struct genl_dumpit_info *di = genl_dumpit_info(cb);
	const struct nlattr *a = di->attrs[NP_PEER_A_IFINDEX];
	struct net_device *dev;

	if (!overlay_enabled(cb->extack))
		return -EOPNOTSUPP;
	if (!a) {
		NL_SET_ERR_MSG_MOD(cb->extack,
				   "missing NP_PEER_A_IFINDEX (whose peers to dump)");
		return -EINVAL;
	}
	dev = ovl_dev_get(sock_net(cb->skb->sk), a, cb->extack);
	if (!dev)
		return -ENODEV;
	cb->args[0] = dev->ifindex;
	dev_put(dev);
	return 0;
}

struct peer_dump {
	struct netlink_callback *cb;
};

static int peer_msg(struct sk_buff *skb, struct np_ovl_dev *od,
		    const struct np_ovl_peer *peer, void *arg)
{
	struct peer_dump *pd = arg;
	unsigned int i;
	void *hdr;

	hdr = np_genl_put(skb, NETLINK_CB(pd->cb->skb).portid,
			  pd->cb->nlh->nlmsg_seq, NLM_F_MULTI, NP_CMD_PEER_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(pd->cb, hdr);
	if (nla_put_u32(skb, NP_PEER_A_IFINDEX, od->dev->ifindex) ||
	    nla_put(skb, NP_PEER_A_MAC, ETH_ALEN, peer->mac) ||
	    (peer->family == AF_INET ?
	     nla_put_in_addr(skb, NP_PEER_A_ENDPOINT4, peer->ep.ip4) :
	     nla_put_in6_addr(skb, NP_PEER_A_ENDPOINT6, &peer->ep.ip6)))
		goto cancel;
	for (i = 0; i < peer->ncidrs; i++)
		if (np_cidr_put(skb, NP_PEER_A_CIDR, &peer->cidrs[i]))
			goto cancel;
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

int np_peer_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct np_net *nn = np_pernet(sock_net(skb->sk));
	struct peer_dump pd = {
		.cb = cb,
	};
	unsigned int bucket = cb->args[1], skip = cb->args[2];
	struct net_device *dev;
	struct np_ovl_dev *od;
	int err;

	dev = dev_get_by_index(sock_net(skb->sk), cb->args[0]);
	if (!dev || !np_overlay_dev_is(dev)) {
		dev_put(dev);
		return -ENODEV;	/* deleted during the dump */
	}
	od = netdev_priv(dev);
	mutex_lock(&nn->lock);
	/*
	 * The netns generation, not a per-device one: a device deleted and
	 * created again with the same ifindex must not pass for the same.
	 */
	cb->seq = nn->overlay.gen + 1;
	err = od->dead ? -ENODEV :
	      np_overlay_peer_dump(skb, od, &bucket, &skip, peer_msg, &pd);
	mutex_unlock(&nn->lock);
	dev_put(dev);
	cb->args[1] = bucket;
	cb->args[2] = skip;
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}
