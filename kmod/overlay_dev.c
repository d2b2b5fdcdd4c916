// SPDX-License-Identifier: GPL-2.0
/*
 * The "nodeplane" net_device: a flannel-compatible VXLAN device with an L3
 * heart. It is an Ethernet device (ether_setup, eth header_ops) so the
 * neighbour entries flannel programs still work, but transmit picks the
 * peer by the inner *destination IP* in an LPM table of pod CIDRs and
 * rewrites the inner MACs (destination: the peer's VTEP MAC; source: our
 * MAC of that family). It is IFF_NOARP: nothing is ever flooded, broadcast
 * and multicast frames are dropped, and a plain "dev np0" route needs no
 * neighbour entries. One device carries both families, each with its own
 * VTEP MAC (dev_addr is the IPv4 one) and underlay address.
 *
 * skb->mark is cleared before the outer route lookup and is not carried by
 * the outer packet (except as a VXLAN-GBP policy when GBP is on). A mark
 * set on the inner packet (kube-proxy's 0x4000 masquerade mark above all)
 * would otherwise steer the outer lookup and get the *encapsulated* packet
 * masqueraded: the double-NAT behind flannel's bad-checksum stalls (spec
 * overlay.md §1.8). The Linux vxlan driver keeps it; we do not.
 */
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/icmpv6.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <net/addrconf.h>
#include <net/icmp.h>
#include <net/ip_tunnels.h>
#include <net/ip6_route.h>
#include <net/ipv6_stubs.h>
#include <net/rtnetlink.h>
#include <net/udp_tunnel.h>
#include <linux/nodeplane.h>

#include "overlay.h"
#include "overlay_priv.h"
#include "params.h"
#include "vxlan_wire.h"

/* Beyond our own Ethernet header: outer L2, IPv6, UDP, VXLAN. */
#define OVL_HEADROOM (16 + NP_VXLAN_OVERHEAD6 - ETH_HLEN)

static const struct net_device_ops ovl_netdev_ops;

bool np_overlay_dev_is(const struct net_device *dev)
{
	return dev->netdev_ops == &ovl_netdev_ops;
}

/* ---- transmit ---------------------------------------------------------- */

/* Does the inner IP packet (or one of its GSO segments) exceed @mtu? */
static bool too_big(const struct sk_buff *skb, unsigned int mtu)
{
	if (skb_is_gso(skb))
		return !skb_gso_validate_network_len(skb, mtu);
	return skb->len - skb_network_offset(skb) > mtu;
}

/* Refuse an inner packet that cannot cross the underlay path in one piece. */
static bool refuse_too_big(struct sk_buff *skb, struct np_ovl_dev *od,
			   unsigned int mtu)
{
	if (skb->protocol == htons(ETH_P_IP)) {
		if (!(ip_hdr(skb)->frag_off & htons(IP_DF)) || !too_big(skb, mtu))
			return false;	/* without DF the outer packet fragments */
		skb_dst_update_pmtu_no_confirm(skb, mtu);
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
			      htonl(mtu));
	} else if (skb->protocol == htons(ETH_P_IPV6)) {
		if (!too_big(skb, mtu))
			return false;
		skb_dst_update_pmtu_no_confirm(skb, mtu);
		icmpv6_ndo_send(skb, ICMPV6_PKT_TOOBIG, 0, mtu);
	} else {
		return false;
	}
	np_overlay_count(od, NP_OVL_TX_TOO_BIG);
	return true;
}

static struct rtable *route4(struct np_ovl_dev *od, struct np_ovl_peer *peer,
			     __be32 saddr, __be16 sport, __be16 dport)
{
	struct flowi4 fl4;
	struct rtable *rt;
	__be32 cached;

	rt = dst_cache_get_ip4(&peer->dst_cache, &cached);
	if (rt) {
		if (cached == saddr)
			return rt;
		ip_rt_put(rt);
	}
	memset(&fl4, 0, sizeof(fl4));
	fl4.flowi4_proto = IPPROTO_UDP;
	fl4.daddr = peer->ep.ip4;
	fl4.saddr = saddr;	/* not a local address: -EINVAL */
	fl4.fl4_sport = sport;
	fl4.fl4_dport = dport;
	rt = ip_route_output_key(dev_net(od->dev), &fl4);
	if (IS_ERR(rt))
		return rt;
	if (rt->dst.dev == od->dev) {
		ip_rt_put(rt);
		return ERR_PTR(-ELOOP);
	}
	dst_cache_set_ip4(&peer->dst_cache, &rt->dst, saddr);
	return rt;
}

static struct dst_entry *route6(struct np_ovl_dev *od, struct sock *sk,
				struct np_ovl_peer *peer,
				const struct in6_addr *saddr, __be16 sport,
				__be16 dport)
{
	struct net *net = dev_net(od->dev);
	struct dst_entry *dst;
	struct in6_addr cached;
	struct flowi6 fl6;

	dst = dst_cache_get_ip6(&peer->dst_cache, &cached);
	if (dst) {
		if (ipv6_addr_equal(&cached, saddr))
			return dst;
		dst_release(dst);
	}
	/* IPv6 routing does not check the source: do it, as IPv4 does. */
	if (!ipv6_chk_addr(net, saddr, NULL, 0))
		return ERR_PTR(-EADDRNOTAVAIL);
	memset(&fl6, 0, sizeof(fl6));
	fl6.flowi6_proto = IPPROTO_UDP;
	fl6.daddr = peer->ep.ip6;
	fl6.saddr = *saddr;
	fl6.fl6_sport = sport;
	fl6.fl6_dport = dport;
	dst = ipv6_stub->ipv6_dst_lookup_flow(net, sk, &fl6, NULL);
	if (IS_ERR(dst))
		return dst;
	if (dst->dev == od->dev) {
		dst_release(dst);
		return ERR_PTR(-ELOOP);
	}
	dst_cache_set_ip6(&peer->dst_cache, dst, saddr);
	return dst;
}

/* Push the VXLAN header and prepare the UDP tunnel GSO. */
static int push_vxlan(struct sk_buff *skb, const struct np_ovl_cfg *cfg,
		      u32 mark)
{
	int err;

	err = iptunnel_handle_offloads(skb, SKB_GSO_UDP_TUNNEL_CSUM);
	if (err)
		return err;
	np_vxlan_encode(__skb_push(skb, NP_VXLAN_HLEN), cfg->vni,
			cfg->flags & NP_OVERLAY_F_GBP, mark);
	skb_set_inner_protocol(skb, htons(ETH_P_TEB));
	return 0;
}

static void set_macs(struct sk_buff *skb, const u8 *dst, const u8 *src)
{
	struct ethhdr *eth = eth_hdr(skb);

	if (dst)
		ether_addr_copy(eth->h_dest, dst);
	ether_addr_copy(eth->h_source, src);
}

/*
 * Encapsulate @skb (data at the inner Ethernet header) to @peer and send it;
 * consumes @skb. Called under RCU, from ndo_start_xmit or from the ARP/ND
 * responder (@set_dst false: the reply already names the asker's MAC).
 */
void np_overlay_xmit_peer(struct sk_buff *skb, struct np_ovl_dev *od,
			  struct np_ovl_peer *peer, bool set_dst)
{
	const struct np_ovl_cfg *cfg = rcu_dereference(od->cfg);
	struct np_ovl_sock *vs = rcu_dereference(od->vs);
	struct net_device *dev = od->dev;
	__be16 sport, dport = htons(cfg->port);
	u32 mark = skb->mark;
	int lo, hi;
	u8 tos, ttl;

	if (!vs)
		goto drop;
	inet_get_local_port_range(dev_net(dev), &lo, &hi);
	sport = udp_flow_src_port(dev_net(dev), skb, lo, hi, true);
	skb->mark = 0;	/* see the top of this file */

	if (peer->family == AF_INET) {
		struct rtable *rt;

		if (!cfg->has_local4) {
			np_overlay_count(od, NP_OVL_TX_NO_ROUTE);
			goto drop;
		}
		rt = route4(od, peer, cfg->local4, sport, dport);
		if (IS_ERR(rt)) {
			np_overlay_count(od, NP_OVL_TX_NO_ROUTE);
			goto drop;
		}
		if (refuse_too_big(skb, od,
				   dst_mtu(&rt->dst) - NP_VXLAN_OVERHEAD4) ||
		    skb_cow_head(skb, LL_RESERVED_SPACE(rt->dst.dev) +
				 rt->dst.header_len + sizeof(struct iphdr) +
				 sizeof(struct udphdr) + NP_VXLAN_HLEN)) {
			ip_rt_put(rt);
			goto drop;
		}
		set_macs(skb, set_dst ? peer->mac : NULL, cfg->mac);
		tos = ip_tunnel_ecn_encap(0, ip_hdr(skb), skb);
		ttl = ip4_dst_hoplimit(&rt->dst);
		if (push_vxlan(skb, cfg, mark)) {
			ip_rt_put(rt);
			goto drop;
		}
		udp_tunnel_xmit_skb(rt, vs->sock4->sk, skb, cfg->local4,
				    peer->ep.ip4, tos, ttl, 0, sport, dport,
				    false, false);
	} else {
		struct in6_addr saddr = cfg->local6, daddr = peer->ep.ip6;
		struct dst_entry *dst;

		if (!cfg->has_local6 || !vs->sock6) {
			np_overlay_count(od, NP_OVL_TX_NO_ROUTE);
			goto drop;
		}
		dst = route6(od, vs->sock6->sk, peer, &saddr, sport, dport);
		if (IS_ERR(dst)) {
			np_overlay_count(od, NP_OVL_TX_NO_ROUTE);
			goto drop;
		}
		if (refuse_too_big(skb, od, dst_mtu(dst) - NP_VXLAN_OVERHEAD6) ||
		    skb_cow_head(skb, LL_RESERVED_SPACE(dst->dev) +
				 dst->header_len + sizeof(struct ipv6hdr) +
				 sizeof(struct udphdr) + NP_VXLAN_HLEN)) {
			dst_release(dst);
			goto drop;
		}
		set_macs(skb, set_dst ? peer->mac : NULL, cfg->mac6);
		tos = ip_tunnel_ecn_encap(0, ip_hdr(skb), skb);
		ttl = ip6_dst_hoplimit(dst);
		skb_scrub_packet(skb, false);	/* IPv4 does it in iptunnel_xmit */
		if (push_vxlan(skb, cfg, mark)) {
			dst_release(dst);
			goto drop;
		}
		/* flow label 0; checksum always computed, 0 sent as 0xffff */
		udp_tunnel6_xmit_skb(dst, vs->sock6->sk, skb, dev, &saddr,
				     &daddr, tos, ttl, 0, sport, dport, false);
	}
	return;

drop:
	dev_core_stats_tx_dropped_inc(dev);
	kfree_skb(skb);
}

static netdev_tx_t ovl_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct np_ovl_dev *od = netdev_priv(dev);
	struct np_ovl_peer *peer = NULL;

	skb_reset_mac_header(skb);
	if (!pskb_may_pull(skb, ETH_HLEN))
		goto drop;
	skb_set_network_header(skb, ETH_HLEN);
	skb->protocol = eth_hdr(skb)->h_proto;
	/* No flooding: there is no one to flood to. */
	if (is_multicast_ether_addr(eth_hdr(skb)->h_dest))
		goto drop;

	rcu_read_lock();
	switch (ntohs(skb->protocol)) {
	case ETH_P_IP:
		if (pskb_network_may_pull(skb, sizeof(struct iphdr)))
			peer = np_overlay_peer_lookup(od, AF_INET,
						      &ip_hdr(skb)->daddr);
		break;
	case ETH_P_IPV6:
		if (pskb_network_may_pull(skb, sizeof(struct ipv6hdr)))
			peer = np_overlay_peer_lookup(od, AF_INET6,
						      &ipv6_hdr(skb)->daddr);
		break;
	case ETH_P_ARP:	/* only with "arp on": unicast, so by MAC */
		peer = np_overlay_peer_by_mac(od, eth_hdr(skb)->h_dest);
		if (peer && peer->family != AF_INET)
			peer = NULL;
		break;
	}
	if (!peer) {
		np_overlay_count(od, NP_OVL_TX_NO_PEER);
		rcu_read_unlock();
		goto drop;
	}
	np_overlay_xmit_peer(skb, od, peer, true);
	rcu_read_unlock();
	return NETDEV_TX_OK;

drop:
	dev_core_stats_tx_dropped_inc(dev);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

/* ---- device ------------------------------------------------------------ */

static int ovl_init(struct net_device *dev)
{
	struct np_ovl_dev *od = netdev_priv(dev);
	struct np_ovl_cfg *cfg;
	int err = -ENOMEM;

	od->dev = dev;
	od->nn = np_pernet(dev_net(dev));
	np_lpm_init(&od->cidrs, &od->nn->lock, &od->nn->overlay.ncidrs,
		    np_limits.max_cidrs);
	get_random_bytes(&od->peer_key, sizeof(od->peer_key));

	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL_ACCOUNT);
	if (!cfg)
		goto out;
	cfg->vni = NP_VXLAN_VNI_DEFAULT;
	cfg->port = NP_VXLAN_PORT;
	ether_addr_copy(cfg->mac, dev->dev_addr);
	eth_random_addr(cfg->mac6);
	/* Random or not, it is the address: udev must not rewrite it. */
	dev->addr_assign_type = NET_ADDR_SET;

	dev->tstats = __netdev_alloc_pcpu_stats(struct pcpu_sw_netstats,
						GFP_KERNEL_ACCOUNT);
	if (!dev->tstats)
		goto err_cfg;
	od->pcpu = __netdev_alloc_pcpu_stats(struct np_ovl_pcpu,
					     GFP_KERNEL_ACCOUNT);
	if (!od->pcpu)
		goto err_tstats;
	err = gro_cells_init(&od->gro_cells, dev);
	if (err)
		goto err_pcpu;
	RCU_INIT_POINTER(od->cfg, cfg);
	return 0;

err_pcpu:
	free_percpu(od->pcpu);
err_tstats:
	free_percpu(dev->tstats);
err_cfg:
	kfree(cfg);
out:
	return err;
}

/*
 * Unregistering (closed already): the device is dead to writers and its
 * peers go. Its configuration and counters stay for whoever still holds
 * the device (a netlink request that looked it up): ovl_destruct frees them.
 */
static void ovl_uninit(struct net_device *dev)
{
	struct np_ovl_dev *od = netdev_priv(dev);
	struct np_net *nn = od->nn;

	mutex_lock(&nn->lock);
	od->dead = true;
	np_overlay_peer_flush(od);
	if (!hlist_unhashed(&od->node)) {
		hlist_del_init(&od->node);
		WRITE_ONCE(nn->overlay.ndevs, nn->overlay.ndevs - 1);
	}
	nn->overlay.gen++;
	mutex_unlock(&nn->lock);

	gro_cells_destroy(&od->gro_cells);
}

/* priv_destructor: the last reference is gone (or register failed). */
static void ovl_destruct(struct net_device *dev)
{
	struct np_ovl_dev *od = netdev_priv(dev);

	kfree_rcu(rcu_dereference_protected(od->cfg, true), rcu);
	free_percpu(od->pcpu);
	free_percpu(dev->tstats);
}

static int ovl_open(struct net_device *dev)
{
	struct np_ovl_dev *od = netdev_priv(dev);
	const struct np_ovl_cfg *cfg = np_overlay_cfg(od);

	return np_overlay_sock_attach(od, cfg->port, cfg->vni, NULL);
}

static int ovl_stop(struct net_device *dev)
{
	np_overlay_sock_detach(netdev_priv(dev));
	return 0;
}

/* Publish @cfg (RTNL and the netns mutex held) and free the old one later. */
static void cfg_replace(struct np_ovl_dev *od, struct np_ovl_cfg *cfg)
{
	struct np_ovl_cfg *old = np_overlay_cfg(od);

	rcu_assign_pointer(od->cfg, cfg);
	kfree_rcu(old, rcu);
}

/* "ip link set np0 address ..." changes the IPv4 VTEP MAC. */
static int ovl_set_mac_address(struct net_device *dev, void *p)
{
	struct np_ovl_dev *od = netdev_priv(dev);
	struct sockaddr *sa = p;
	struct np_ovl_cfg *cfg;
	int err;

	err = eth_prepare_mac_addr_change(dev, p);
	if (err)
		return err;
	cfg = kmemdup(np_overlay_cfg(od), sizeof(*cfg), GFP_KERNEL_ACCOUNT);
	if (!cfg)
		return -ENOMEM;
	ether_addr_copy(cfg->mac, sa->sa_data);
	mutex_lock(&od->nn->lock);
	if (od->dead) {
		mutex_unlock(&od->nn->lock);
		kfree(cfg);
		return -ENODEV;
	}
	cfg_replace(od, cfg);
	eth_commit_mac_addr_change(dev, p);
	mutex_unlock(&od->nn->lock);
	return 0;
}

static const struct net_device_ops ovl_netdev_ops = {
	.ndo_init = ovl_init,
	.ndo_uninit = ovl_uninit,
	.ndo_open = ovl_open,
	.ndo_stop = ovl_stop,
	.ndo_start_xmit = ovl_xmit,
	.ndo_get_stats64 = dev_get_tstats64,
	.ndo_set_mac_address = ovl_set_mac_address,
	.ndo_validate_addr = eth_validate_addr,
};

static void ovl_get_drvinfo(struct net_device *dev,
			    struct ethtool_drvinfo *info)
{
	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
	strscpy(info->version, NP_VERSION, sizeof(info->version));
}

static const struct ethtool_ops ovl_ethtool_ops = {
	.get_drvinfo = ovl_get_drvinfo,
	.get_link = ethtool_op_get_link,
};

static struct device_type ovl_type = {
	.name = "nodeplane",
};

#define OVL_FEATURES (NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_FRAGLIST | \
		      NETIF_F_RXCSUM | NETIF_F_GSO_SOFTWARE)

static void ovl_setup(struct net_device *dev)
{
	ether_setup(dev);
	eth_hw_addr_random(dev);
	dev->netdev_ops = &ovl_netdev_ops;
	dev->ethtool_ops = &ovl_ethtool_ops;
	dev->needs_free_netdev = true;
	dev->priv_destructor = ovl_destruct;
	SET_NETDEV_DEVTYPE(dev, &ovl_type);

	/* Sockets, peers and counters are per netns: the device stays put. */
	dev->features |= NETIF_F_LLTX | NETIF_F_NETNS_LOCAL | OVL_FEATURES;
	dev->hw_features |= OVL_FEATURES;
	dev->vlan_features = OVL_FEATURES;
	netif_keep_dst(dev);	/* the inner route, for PMTU and ICMP */
	dev->priv_flags |= IFF_NO_QUEUE | IFF_LIVE_ADDR_CHANGE;
	dev->priv_flags &= ~IFF_TX_SKB_SHARING;
	dev->flags |= IFF_NOARP;

	dev->mtu = NP_VXLAN_MTU_DEFAULT;
	dev->min_mtu = ETH_MIN_MTU;
	/* The real limit is per path: checked per packet (refuse_too_big). */
	dev->max_mtu = IP_MAX_MTU - NP_VXLAN_OVERHEAD4;
	dev->needed_headroom = OVL_HEADROOM;
}

static int ovl_validate(struct nlattr *tb[], struct nlattr *data[],
			struct netlink_ext_ack *extack)
{
	if (tb[IFLA_ADDRESS]) {
		if (nla_len(tb[IFLA_ADDRESS]) != ETH_ALEN) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
					    "the address must be 6 bytes (Ethernet)");
			return -EINVAL;
		}
		if (!is_valid_ether_addr(nla_data(tb[IFLA_ADDRESS]))) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
					    "the address must be unicast and non-zero");
			return -EADDRNOTAVAIL;
		}
	}
	return 0;
}

static int ovl_newlink(struct net *src_net, struct net_device *dev,
		       struct nlattr *tb[], struct nlattr *data[],
		       struct netlink_ext_ack *extack)
{
	struct np_ovl_dev *od = netdev_priv(dev);
	struct np_net *nn = np_pernet(dev_net(dev));
	int err;

	/* ndevs changes under RTNL (held here) and the netns mutex */
	if (READ_ONCE(nn->overlay.ndevs) >= np_limits.max_devices) {
		NL_SET_ERR_MSG_MOD(extack,
				   "too many nodeplane devices in this network namespace (module parameter max_devices)");
		return -ENOSPC;
	}
	err = register_netdevice(dev);
	if (err)
		return err;
	mutex_lock(&nn->lock);
	hlist_add_head(&od->node, &nn->overlay.devs);
	WRITE_ONCE(nn->overlay.ndevs, nn->overlay.ndevs + 1);
	nn->overlay.gen++;
	mutex_unlock(&nn->lock);
	return 0;
}

static void ovl_dellink(struct net_device *dev, struct list_head *head)
{
	unregister_netdevice_queue(dev, head);
}

struct rtnl_link_ops np_overlay_link_ops __read_mostly = {
	.kind = "nodeplane",
	.priv_size = sizeof(struct np_ovl_dev),
	.setup = ovl_setup,
	.validate = ovl_validate,
	.newlink = ovl_newlink,
	.dellink = ovl_dellink,
};

/* ---- configuration (NP_CMD_OVERLAY_SET / _GET) ------------------------- */

int np_overlay_configure(struct np_ovl_dev *od, const struct np_ovl_change *ch,
			 struct netlink_ext_ack *extack)
{
	struct net_device *dev = od->dev;
	struct np_ovl_cfg *cfg;
	bool new_mac;
	int err;

	ASSERT_RTNL();
	if (od->dead) {	/* written under RTNL too */
		NL_SET_ERR_MSG_MOD(extack, "the device is being deleted");
		return -ENODEV;
	}
	cfg = kmemdup(np_overlay_cfg(od), sizeof(*cfg), GFP_KERNEL_ACCOUNT);
	if (!cfg)
		return -ENOMEM;
	if (ch->set & NP_OVL_SET_VNI)
		cfg->vni = ch->cfg.vni;
	if (ch->set & NP_OVL_SET_PORT)
		cfg->port = ch->cfg.port;
	if (ch->set & NP_OVL_SET_LOCAL4) {
		cfg->has_local4 = ch->cfg.has_local4;
		cfg->local4 = ch->cfg.local4;
	}
	if (ch->set & NP_OVL_SET_LOCAL6) {
		cfg->has_local6 = ch->cfg.has_local6;
		cfg->local6 = ch->cfg.local6;
	}
	if (ch->set & NP_OVL_SET_MAC)
		ether_addr_copy(cfg->mac, ch->cfg.mac);
	if (ch->set & NP_OVL_SET_MAC6)
		ether_addr_copy(cfg->mac6, ch->cfg.mac6);
	if (ch->set & NP_OVL_SET_FLAGS)
		cfg->flags = ch->cfg.flags;

	/* Everything that can fail comes first, nothing is undone after. */
	new_mac = !ether_addr_equal(cfg->mac, dev->dev_addr);
	if (new_mac) {
		err = dev_pre_changeaddr_notify(dev, cfg->mac, extack);
		if (err)
			goto err_cfg;
	}
	if (netif_running(dev)) {
		err = np_overlay_sock_attach(od, cfg->port, cfg->vni, extack);
		if (err)
			goto err_cfg;
	}

	mutex_lock(&od->nn->lock);
	cfg_replace(od, cfg);
	if (new_mac) {
		eth_hw_addr_set(dev, cfg->mac);
		dev->addr_assign_type = NET_ADDR_SET;
	}
	mutex_unlock(&od->nn->lock);
	if (new_mac)
		call_netdevice_notifiers(NETDEV_CHANGEADDR, dev);
	return 0;

err_cfg:
	kfree(cfg);
	return err;
}

static void sum_counters(struct np_ovl_dev *od, u64 *sum)
{
	u64 v[__NP_OVL_COUNTERS];
	unsigned int start, i;
	int cpu;

	memset(sum, 0, sizeof(v));
	for_each_possible_cpu(cpu) {
		const struct np_ovl_pcpu *p = per_cpu_ptr(od->pcpu, cpu);

		do {
			start = u64_stats_fetch_begin(&p->syncp);
			for (i = 0; i < __NP_OVL_COUNTERS; i++)
				v[i] = u64_stats_read(&p->c[i]);
		} while (u64_stats_fetch_retry(&p->syncp, start));
		for (i = 0; i < __NP_OVL_COUNTERS; i++)
			sum[i] += v[i];
	}
}

static int fill_stats(struct sk_buff *skb, struct np_ovl_dev *od)
{
	struct rtnl_link_stats64 ts = {};
	u64 c[__NP_OVL_COUNTERS];
	struct nlattr *nest;
	unsigned int i;

	dev_fetch_sw_netstats(&ts, od->dev->tstats);
	sum_counters(od, c);
	nest = nla_nest_start(skb, NP_OVERLAY_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, NP_OSTAT_A_TX_PACKETS, ts.tx_packets,
			      NP_OSTAT_A_PAD) ||
	    nla_put_u64_64bit(skb, NP_OSTAT_A_TX_BYTES, ts.tx_bytes,
			      NP_OSTAT_A_PAD) ||
	    nla_put_u64_64bit(skb, NP_OSTAT_A_RX_PACKETS, ts.rx_packets,
			      NP_OSTAT_A_PAD) ||
	    nla_put_u64_64bit(skb, NP_OSTAT_A_RX_BYTES, ts.rx_bytes,
			      NP_OSTAT_A_PAD))
		goto cancel;
	BUILD_BUG_ON(NP_OSTAT_A_TX_NO_PEER + __NP_OVL_COUNTERS - 1 !=
		     NP_OSTAT_A_RX_BAD_SRC);
	for (i = 0; i < __NP_OVL_COUNTERS; i++)
		if (nla_put_u64_64bit(skb, NP_OSTAT_A_TX_NO_PEER + i, c[i],
				      NP_OSTAT_A_PAD))
			goto cancel;
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* The NP_OVERLAY_A_* of a device (netns mutex held, device not dead). */
int np_overlay_fill(struct sk_buff *skb, struct np_ovl_dev *od)
{
	const struct np_ovl_cfg *cfg = np_overlay_cfg(od);

	lockdep_assert_held(&od->nn->lock);
	if (nla_put_u32(skb, NP_OVERLAY_A_IFINDEX, od->dev->ifindex) ||
	    nla_put_string(skb, NP_OVERLAY_A_IFNAME, od->dev->name) ||
	    nla_put_u32(skb, NP_OVERLAY_A_VNI, cfg->vni) ||
	    nla_put_u16(skb, NP_OVERLAY_A_PORT, cfg->port) ||
	    (cfg->has_local4 &&
	     nla_put_in_addr(skb, NP_OVERLAY_A_LOCAL4, cfg->local4)) ||
	    (cfg->has_local6 &&
	     nla_put_in6_addr(skb, NP_OVERLAY_A_LOCAL6, &cfg->local6)) ||
	    nla_put(skb, NP_OVERLAY_A_MAC, ETH_ALEN, cfg->mac) ||
	    nla_put(skb, NP_OVERLAY_A_MAC6, ETH_ALEN, cfg->mac6) ||
	    nla_put_u32(skb, NP_OVERLAY_A_FLAGS, cfg->flags) ||
	    nla_put_u32(skb, NP_OVERLAY_A_PEERS, od->npeers))
		return -EMSGSIZE;
	return fill_stats(skb, od);
}

/* ---- module ------------------------------------------------------------ */

static bool ovl_registered;

int np_overlay_init(void)
{
	int err;

	if (!(np_params_features() & NP_FEATURE_F_OVERLAY))
		return 0;	/* disable=overlay: no link kind */
	err = rtnl_link_register(&np_overlay_link_ops);
	if (err)
		return err;
	ovl_registered = true;
	return 0;
}

void np_overlay_exit(void)
{
	if (!ovl_registered)
		return;
	/* Deletes every nodeplane device, in every netns. */
	rtnl_link_unregister(&np_overlay_link_ops);
	/* GRO and encap_rcv callers that found a released socket. */
	synchronize_net();
	ovl_registered = false;
}
