// SPDX-License-Identifier: GPL-2.0
/*
 * Overlay receive side: one UDP tunnel socket pair (IPv4 wildcard, IPv6
 * v6only) per netns and port, shared by the up devices that use the port
 * and found by VNI; the strict checks of a stock receiver (spec overlay.md
 * §1.12, in vxlan_wire.c), GRO, and the ARP/ND answers a stock node gives.
 *
 * With NP_OVERLAY_F_RX_SRC_CHECK a frame must also come from the peer that
 * owns its inner source: the outer source is the endpoint of the peer whose
 * pod CIDRs hold the inner IPv4/IPv6 source (for ARP requests and Neighbour
 * Solicitations: the sender address, or the sender's VTEP MAC, see
 * sender_from_peer()); anything else is dropped and counted in rx_bad_src. GRO
 * merges only frames with the same outer and inner addresses, so checking
 * the merged packet once checks every segment.
 */
#include <linux/etherdevice.h>
#include <linux/inetdevice.h>
#include <linux/slab.h>
#include <net/addrconf.h>
#include <net/gro.h>
#include <net/ip_tunnels.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>
#include <linux/nodeplane.h>

#include "overlay_priv.h"
#include "vxlan_wire.h"

/* UDP + VXLAN, what encap_rcv pulls before the inner Ethernet header. */
#define OUTER_UDP_VXLAN (sizeof(struct udphdr) + NP_VXLAN_HLEN)
/* Room to encapsulate a reply built here. */
#define REPLY_HEADROOM (LL_MAX_HEADER + NP_VXLAN_OVERHEAD6)

static const enum np_ovl_counter verdict_counter[] = {
	[NP_VXLAN_BAD_HEADER] = NP_OVL_RX_BAD_HEADER,
	[NP_VXLAN_BAD_VNI] = NP_OVL_RX_BAD_VNI,
	[NP_VXLAN_BAD_MAC] = NP_OVL_RX_BAD_MAC,
	[NP_VXLAN_LOOP] = NP_OVL_RX_LOOP,
	[NP_VXLAN_BAD_CSUM] = NP_OVL_RX_BAD_CSUM,
	[NP_VXLAN_BAD_INNER] = NP_OVL_RX_BAD_INNER,
};

static void count_verdict(struct np_ovl_dev *od, enum np_vxlan_verdict v)
{
	np_overlay_count(od, verdict_counter[v]);
	dev_core_stats_rx_dropped_inc(od->dev);
}

/*
 * The outer source address: the outer IP header is at @nh bytes from
 * skb->head (pulls and reallocations keep that offset).
 */
static const void *outer_saddr(const struct sk_buff *skb, int family, int nh)
{
	if (family == AF_INET)
		return &((const struct iphdr *)(skb->head + nh))->saddr;
	return &((const struct ipv6hdr *)(skb->head + nh))->saddr;
}

/*
 * NP_OVERLAY_F_RX_SRC_CHECK for a frame whose inner source is @src (and,
 * for ARP and ND, whose sender VTEP MAC is @mac): true when it comes from
 * the peer that owns the source; a refusal is counted.
 *
 * ARP and ND (spec overlay.md §1.12): stock flannel and nodeplane never
 * originate them over the overlay, but a Linux node that did would ask
 * from its device's address (the network address of its pod CIDR, inside
 * the CIDR) or, for a packet it forwards, from an address outside it (an
 * IPv6 link-local address, or for ARP another local address), always with
 * its own VTEP MAC; the answer goes to the peer with that MAC. So the
 * sender is accepted by its address or by its MAC.
 */
static bool sender_from_peer(struct np_ovl_dev *od, const struct sk_buff *skb,
			     int family, int nh, const void *src,
			     const u8 *mac)
{
	if (np_overlay_peer_sent(od, family, src, mac,
				 outer_saddr(skb, family, nh)))
		return true;
	np_overlay_count(od, NP_OVL_RX_BAD_SRC);
	dev_core_stats_rx_dropped_inc(od->dev);
	return false;
}

/* The check when the device has it on; off, it costs this test of the flag. */
static __always_inline bool sender_ok(struct np_ovl_dev *od,
				      const struct np_ovl_cfg *cfg,
				      const struct sk_buff *skb, int family,
				      int nh, const void *src, const u8 *mac)
{
	return !(cfg->flags & NP_OVERLAY_F_RX_SRC_CHECK) ||
	       sender_from_peer(od, skb, family, nh, src, mac);
}

/* ARP request for one of the device's IPv4 addresses: unicast reply. */
static void answer_arp(struct np_ovl_dev *od, const struct np_ovl_cfg *cfg,
		       struct sk_buff *skb, int nh)
{
	struct in_device *in_dev;
	const struct in_ifaddr *ifa;
	struct np_ovl_peer *peer;
	struct sk_buff *reply;
	__be32 sip, tip;
	u8 sha[ETH_ALEN];
	bool ours = false;

	if (!np_vxlan_arp_request(skb, &sip, &tip, sha))
		return;
	if (!sender_ok(od, cfg, skb, AF_INET, nh, &sip, sha))
		return;
	in_dev = __in_dev_get_rcu(od->dev);
	if (!in_dev)
		return;
	in_dev_for_each_ifa_rcu(ifa, in_dev) {
		if (ifa->ifa_local == tip) {
			ours = true;
			break;
		}
	}
	if (!ours)
		return;
	peer = np_overlay_peer_by_mac(od, sha);
	if (!peer || peer->family != AF_INET)
		peer = np_overlay_peer_lookup(od, AF_INET, &sip);
	if (!peer) {
		np_overlay_count(od, NP_OVL_TX_NO_PEER);
		return;
	}
	reply = np_vxlan_arp_reply_create(tip, cfg->mac, sip, sha,
					  REPLY_HEADROOM);
	if (!reply)
		return;
	reply->dev = od->dev;
	np_overlay_xmit_peer(reply, od, peer, false);
}

/* Neighbour Solicitation for one of the device's IPv6 addresses. */
static void answer_ns(struct np_ovl_dev *od, const struct np_ovl_cfg *cfg,
		      struct sk_buff *skb, int nh)
{
	struct in6_addr saddr, target;
	struct inet6_dev *idev;
	struct np_ovl_peer *peer;
	struct sk_buff *reply;
	u8 dmac[ETH_ALEN];
	bool router;

	if (!np_vxlan_ns_parse(skb, &saddr, &target))
		return;
	ether_addr_copy(dmac, eth_hdr(skb)->h_source);
	if (!sender_ok(od, cfg, skb, AF_INET6, nh, &saddr, dmac))
		return;
	if (!ipv6_chk_addr(dev_net(od->dev), &target, od->dev, 0))
		return;
	peer = np_overlay_peer_by_mac(od, dmac);
	if (!peer || peer->family != AF_INET6)
		peer = np_overlay_peer_lookup(od, AF_INET6, &saddr);
	if (!peer) {
		np_overlay_count(od, NP_OVL_TX_NO_PEER);
		return;
	}
	idev = __in6_dev_get(od->dev);
	router = idev && idev->cnf.forwarding;
	reply = np_vxlan_na_create(&target, cfg->mac6, &saddr, dmac, router,
				   REPLY_HEADROOM);
	if (!reply)
		return;
	reply->dev = od->dev;
	np_overlay_xmit_peer(reply, od, peer, false);
}

/* encap_rcv: called under RCU with skb->data at the outer UDP header. */
static int ovl_udp_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct np_ovl_sock *vs = rcu_dereference_sk_user_data(sk);
	int family = sk->sk_family;
	const struct np_ovl_cfg *cfg = NULL;
	struct np_ovl_dev *od = NULL, *it;
	enum np_vxlan_verdict v;
	u8 hdr[NP_VXLAN_HLEN];
	u32 mark = 0;
	u8 outer_ds;
	int nh;

	if (!vs || !pskb_may_pull(skb, OUTER_UDP_VXLAN))
		goto drop;
	memcpy(hdr, udp_hdr(skb) + 1, sizeof(hdr));

	/* The device whose VNI (and GBP setting) accepts this header. */
	hlist_for_each_entry_rcu(it, &vs->devs, sock_node) {
		cfg = rcu_dereference(it->cfg);
		if (np_vxlan_decode(hdr, cfg->vni, cfg->flags & NP_OVERLAY_F_GBP,
				    &mark) == NP_VXLAN_OK) {
			od = it;
			break;
		}
	}
	if (!od) {
		/* Nobody's: count it on each device, by its own reason. */
		hlist_for_each_entry_rcu(it, &vs->devs, sock_node) {
			cfg = rcu_dereference(it->cfg);
			count_verdict(it, np_vxlan_decode(hdr, cfg->vni,
							  cfg->flags & NP_OVERLAY_F_GBP,
							  &mark));
		}
		goto drop;
	}
	if (!np_vxlan_udp_csum_ok(family, udp_hdr(skb)->check)) {
		count_verdict(od, NP_VXLAN_BAD_CSUM);
		goto drop;
	}

	/* The outer header stays at the same offset from skb->head. */
	nh = skb_network_header(skb) - skb->head;
	if (__iptunnel_pull_header(skb, OUTER_UDP_VXLAN, htons(ETH_P_TEB),
				   false, false)) {
		count_verdict(od, NP_VXLAN_BAD_INNER);
		goto drop;
	}
	skb_reset_mac_header(skb);	/* the inner one from now on */
	v = np_vxlan_classify_inner(skb, family, cfg->mac, cfg->mac6);
	switch (v) {
	case NP_VXLAN_OK:
		break;
	case NP_VXLAN_ARP:
		answer_arp(od, cfg, skb, nh);
		consume_skb(skb);
		return 0;
	case NP_VXLAN_ND:
		answer_ns(od, cfg, skb, nh);
		consume_skb(skb);
		return 0;
	default:
		count_verdict(od, v);
		goto drop;
	}

	skb->protocol = eth_type_trans(skb, od->dev);
	skb_postpull_rcsum(skb, eth_hdr(skb), ETH_HLEN);
	/* eth_type_trans compares with dev_addr only; mac6 is ours too. */
	skb->pkt_type = PACKET_HOST;
	skb_reset_network_header(skb);
	if (!pskb_inet_may_pull(skb)) {
		count_verdict(od, NP_VXLAN_BAD_INNER);
		goto drop;
	}
	if (!sender_ok(od, cfg, skb, family, nh, family == AF_INET ?
		       (const void *)&ip_hdr(skb)->saddr :
		       (const void *)&ipv6_hdr(skb)->saddr, NULL))
		goto drop;
	if (family == AF_INET)
		outer_ds = ((struct iphdr *)(skb->head + nh))->tos;
	else
		outer_ds = ipv6_get_dsfield((struct ipv6hdr *)(skb->head + nh));
	if (np_vxlan_ecn_decap(skb, outer_ds)) {
		count_verdict(od, NP_VXLAN_BAD_INNER);
		goto drop;
	}
	/* The inner packet starts clean; only a GBP policy travels in. */
	skb->mark = mark;

	if (unlikely(!(od->dev->flags & IFF_UP))) {
		dev_core_stats_rx_dropped_inc(od->dev);
		goto drop;
	}
	dev_sw_netstats_rx_add(od->dev, skb->len);
	gro_cells_receive(&od->gro_cells, skb);
	return 0;

drop:
	kfree_skb(skb);
	return 0;
}

/*
 * ICMP errors about our outer packets (quoted with the transport header at
 * their UDP header): ours if a device on the socket has the quoted VNI.
 * Claiming them lets the UDP layer record the underlay PMTU, which the
 * per-packet check then uses.
 */
static int ovl_udp_err_lookup(struct sock *sk, struct sk_buff *skb)
{
	struct np_ovl_sock *vs = rcu_dereference_sk_user_data(sk);
	struct np_ovl_dev *od;
	const u8 *hdr;

	if (!vs || !pskb_may_pull(skb, skb_transport_offset(skb) +
				  OUTER_UDP_VXLAN))
		return -EINVAL;
	hdr = skb_transport_header(skb) + sizeof(struct udphdr);
	hlist_for_each_entry_rcu(od, &vs->devs, sock_node)
		if (np_vxlan_hdr_vni(hdr) == rcu_dereference(od->cfg)->vni)
			return 0;
	return -ENOENT;
}

/*
 * GRO: aggregate only well-formed plain or GBP headers that are identical;
 * everything else is flushed to encap_rcv, which checks and counts it.
 */
static struct sk_buff *ovl_gro_receive(struct sock *sk, struct list_head *head,
				       struct sk_buff *skb)
{
	unsigned int off = skb_gro_offset(skb);
	struct sk_buff *pp = NULL, *p;
	const u8 *vh;
	int flush = 1;

	if (!rcu_dereference_sk_user_data(sk))
		goto out;
	vh = skb_gro_header(skb, off + NP_VXLAN_HLEN, off);
	if (!vh || !(vh[0] & NP_VXLAN_FLAG_I) || vh[7])
		goto out;
	skb_gro_postpull_rcsum(skb, vh, NP_VXLAN_HLEN);
	list_for_each_entry(p, head, list) {
		if (!NAPI_GRO_CB(p)->same_flow)
			continue;
		if (memcmp(p->data + off, vh, NP_VXLAN_HLEN))
			NAPI_GRO_CB(p)->same_flow = 0;
	}
	skb_gro_pull(skb, NP_VXLAN_HLEN);
	pp = call_gro_receive(eth_gro_receive, head, skb);
	flush = 0;
out:
	skb_gro_flush_final(skb, pp, flush);
	return pp;
}

static int ovl_gro_complete(struct sock *sk, struct sk_buff *skb, int nhoff)
{
	return eth_gro_complete(skb, nhoff + NP_VXLAN_HLEN);
}

static struct socket *sock_open(struct net *net, int family, u16 port,
				struct np_ovl_sock *vs)
{
	struct udp_tunnel_sock_cfg tcfg = {
		.sk_user_data = vs,
		.encap_type = 1,
		.encap_rcv = ovl_udp_rcv,
		.encap_err_lookup = ovl_udp_err_lookup,
		.gro_receive = ovl_gro_receive,
		.gro_complete = ovl_gro_complete,
	};
	struct udp_port_cfg ucfg = {
		.family = family,
		.local_udp_port = htons(port),
		/* zero IPv6 checksums reach ovl_udp_rcv, to be counted */
		.use_udp6_rx_checksums = false,
		.ipv6_v6only = 1,
	};
	struct socket *sock;
	int err;

	err = udp_sock_create(net, &ucfg, &sock);
	if (err)
		return ERR_PTR(err);
	udp_allow_gso(sock->sk);
	setup_udp_tunnel_sock(net, sock, &tcfg);
	return sock;
}

static void vs_close(struct np_ovl_sock *vs)
{
	/* udp_tunnel_sock_release() waits for readers of sk_user_data. */
	if (vs->sock6)
		udp_tunnel_sock_release(vs->sock6);
	udp_tunnel_sock_release(vs->sock4);
	kfree(vs);
}

static struct np_ovl_sock *vs_get(struct net *net, u16 port,
				    struct netlink_ext_ack *extack)
{
	struct np_overlay_net *on = &np_pernet(net)->overlay;
	struct np_ovl_sock *vs;
	struct socket *s;

	ASSERT_RTNL();
	hlist_for_each_entry(vs, &on->socks, node) {
		if (vs->port == port) {
			vs->users++;
			return vs;
		}
	}
	vs = kzalloc(sizeof(*vs), GFP_KERNEL_ACCOUNT);
	if (!vs)
		return ERR_PTR(-ENOMEM);
	vs->port = port;
	vs->users = 1;
	s = sock_open(net, AF_INET, port, vs);
	if (IS_ERR(s)) {
		NL_SET_ERR_MSG_MOD(extack, "cannot bind the IPv4 UDP port (in use?)");
		kfree(vs);
		return ERR_CAST(s);
	}
	vs->sock4 = s;
	s = sock_open(net, AF_INET6, port, vs);
	if (IS_ERR(s) && PTR_ERR(s) != -EAFNOSUPPORT) {
		NL_SET_ERR_MSG_MOD(extack, "cannot bind the IPv6 UDP port (in use?)");
		vs_close(vs);
		return ERR_CAST(s);
	}
	if (!IS_ERR(s))
		vs->sock6 = s;
	hlist_add_head(&vs->node, &on->socks);
	return vs;
}

static void vs_put(struct np_ovl_sock *vs)
{
	ASSERT_RTNL();
	if (--vs->users)
		return;
	hlist_del(&vs->node);
	vs_close(vs);
}

/*
 * Bind @od to the socket of @port in its netns (creating it if needed),
 * receiving @vni; an already bound device moves, or stays if the port is
 * the same. On error nothing changed.
 */
int np_overlay_sock_attach(struct np_ovl_dev *od, u16 port, u32 vni,
			   struct netlink_ext_ack *extack)
{
	struct np_ovl_sock *old = rtnl_dereference(od->vs), *vs;
	struct np_ovl_dev *it;

	ASSERT_RTNL();
	vs = vs_get(dev_net(od->dev), port, extack);
	if (IS_ERR(vs))
		return PTR_ERR(vs);
	hlist_for_each_entry(it, &vs->devs, sock_node) {
		if (it != od && rtnl_dereference(it->cfg)->vni == vni) {
			NL_SET_ERR_MSG_MOD(extack,
					   "another nodeplane device that is up uses this VNI and port");
			vs_put(vs);
			return -EADDRINUSE;
		}
	}
	if (old == vs) {
		vs_put(vs);
		return 0;
	}
	if (old)
		np_overlay_sock_detach(od);
	hlist_add_head_rcu(&od->sock_node, &vs->devs);
	rcu_assign_pointer(od->vs, vs);
	return 0;
}

void np_overlay_sock_detach(struct np_ovl_dev *od)
{
	struct np_ovl_sock *vs = rtnl_dereference(od->vs);

	if (!vs)
		return;
	hlist_del_init_rcu(&od->sock_node);
	RCU_INIT_POINTER(od->vs, NULL);
	/* No reader may still walk into the node before it is reused. */
	synchronize_net();
	vs_put(vs);
}
