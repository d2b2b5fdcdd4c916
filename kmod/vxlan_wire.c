// SPDX-License-Identifier: GPL-2.0
/*
 * VXLAN wire format: header encode/decode, the receive-side acceptance rules
 * of a stock Linux/flannel node, and the ARP/ND replies a stock node sends.
 * Pure functions of their arguments (see vxlan_wire.h).
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/icmpv6.h>
#include <linux/skbuff.h>
#include <net/inet_ecn.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include <net/ndisc.h>

#include "vxlan_wire.h"

void np_vxlan_encode(u8 *hdr, u32 vni, bool gbp, u32 mark)
{
	memset(hdr, 0, NP_VXLAN_HLEN);
	hdr[0] = NP_VXLAN_FLAG_I;
	if (gbp && mark) {
		hdr[0] |= NP_VXLAN_FLAG_G;
		if (mark & NP_VXLAN_GBP_MARK_D)
			hdr[1] |= NP_VXLAN_GBP_D;
		if (mark & NP_VXLAN_GBP_MARK_A)
			hdr[1] |= NP_VXLAN_GBP_A;
		hdr[2] = (mark & NP_VXLAN_GBP_MARK_ID) >> 8;
		hdr[3] = mark & 0xff;
	}
	hdr[4] = vni >> 16;
	hdr[5] = vni >> 8;
	hdr[6] = vni;
}

u32 np_vxlan_hdr_vni(const u8 *hdr)
{
	return (u32)hdr[4] << 16 | (u32)hdr[5] << 8 | hdr[6];
}

enum np_vxlan_verdict np_vxlan_decode(const u8 *hdr, u32 vni, bool gbp,
				      u32 *mark)
{
	*mark = 0;
	if (hdr[7])
		return NP_VXLAN_BAD_HEADER;
	if (hdr[0] == NP_VXLAN_FLAG_I) {
		if (hdr[1] || hdr[2] || hdr[3])
			return NP_VXLAN_BAD_HEADER;
	} else if (gbp && hdr[0] == (NP_VXLAN_FLAG_I | NP_VXLAN_FLAG_G)) {
		if (hdr[1] & ~(NP_VXLAN_GBP_D | NP_VXLAN_GBP_A))
			return NP_VXLAN_BAD_HEADER;
		*mark = (u32)hdr[2] << 8 | hdr[3];
		if (hdr[1] & NP_VXLAN_GBP_D)
			*mark |= NP_VXLAN_GBP_MARK_D;
		if (hdr[1] & NP_VXLAN_GBP_A)
			*mark |= NP_VXLAN_GBP_MARK_A;
	} else {
		return NP_VXLAN_BAD_HEADER;
	}
	if (np_vxlan_hdr_vni(hdr) != vni) {
		*mark = 0;
		return NP_VXLAN_BAD_VNI;
	}
	return NP_VXLAN_OK;
}

bool np_vxlan_udp_csum_ok(int outer_family, __sum16 check)
{
	return outer_family != AF_INET6 || check;
}

/* Is the IPv6 packet after the Ethernet header a Neighbour Solicitation? */
static bool is_ns(struct sk_buff *skb)
{
	const struct ipv6hdr *ip6;
	const struct icmp6hdr *icmp6;

	if (!pskb_may_pull(skb, ETH_HLEN + sizeof(*ip6) + sizeof(*icmp6)))
		return false;
	ip6 = (const struct ipv6hdr *)(skb->data + ETH_HLEN);
	icmp6 = (const struct icmp6hdr *)(ip6 + 1);
	return ip6->nexthdr == IPPROTO_ICMPV6 &&
	       icmp6->icmp6_type == NDISC_NEIGHBOUR_SOLICITATION;
}

enum np_vxlan_verdict np_vxlan_classify_inner(struct sk_buff *skb,
					      int outer_family, const u8 *mac,
					      const u8 *mac6)
{
	const struct ethhdr *eth;
	bool ns;

	if (!pskb_may_pull(skb, ETH_HLEN))
		return NP_VXLAN_BAD_INNER;
	eth = (const struct ethhdr *)skb->data;
	if (ether_addr_equal(eth->h_source, mac) ||
	    ether_addr_equal(eth->h_source, mac6))
		return NP_VXLAN_LOOP;

	switch (ntohs(eth->h_proto)) {
	case ETH_P_IP:
		if (outer_family != AF_INET)
			return NP_VXLAN_BAD_INNER;
		return ether_addr_equal(eth->h_dest, mac) ? NP_VXLAN_OK :
							    NP_VXLAN_BAD_MAC;
	case ETH_P_ARP:
		if (outer_family != AF_INET)
			return NP_VXLAN_BAD_INNER;
		if (ether_addr_equal(eth->h_dest, mac) ||
		    is_multicast_ether_addr(eth->h_dest))
			return NP_VXLAN_ARP;
		return NP_VXLAN_BAD_MAC;
	case ETH_P_IPV6:
		if (outer_family != AF_INET6)
			return NP_VXLAN_BAD_INNER;
		ns = is_ns(skb);
		eth = (const struct ethhdr *)skb->data;	/* may have moved */
		if (ether_addr_equal(eth->h_dest, mac6))
			return ns ? NP_VXLAN_ND : NP_VXLAN_OK;
		if (ns && is_multicast_ether_addr(eth->h_dest))
			return NP_VXLAN_ND;
		return NP_VXLAN_BAD_MAC;
	default:
		return NP_VXLAN_BAD_INNER;
	}
}

int np_vxlan_ecn_decap(struct sk_buff *skb, u8 outer_dsfield)
{
	u8 inner;

	switch (skb->protocol) {
	case htons(ETH_P_IP):
		inner = ip_hdr(skb)->tos;
		break;
	case htons(ETH_P_IPV6):
		inner = ipv6_get_dsfield(ipv6_hdr(skb));
		break;
	default:
		return 0;
	}
	/* 1 is "outer ECT, inner Not-ECT": forwarded unchanged (RFC 6040) */
	return INET_ECN_decapsulate(skb, outer_dsfield, inner) > 1 ? -EINVAL : 0;
}

struct np_arp_eth_ipv4 {
	struct arphdr hdr;
	u8 sha[ETH_ALEN];
	__be32 sip;
	u8 tha[ETH_ALEN];
	__be32 tip;
} __packed;

bool np_vxlan_arp_request(struct sk_buff *skb, __be32 *sip, __be32 *tip,
			  u8 *sha)
{
	const struct np_arp_eth_ipv4 *arp;

	if (!pskb_may_pull(skb, ETH_HLEN + sizeof(*arp)))
		return false;
	arp = (const struct np_arp_eth_ipv4 *)(skb->data + ETH_HLEN);
	if (arp->hdr.ar_hrd != htons(ARPHRD_ETHER) ||
	    arp->hdr.ar_pro != htons(ETH_P_IP) ||
	    arp->hdr.ar_hln != ETH_ALEN || arp->hdr.ar_pln != 4 ||
	    arp->hdr.ar_op != htons(ARPOP_REQUEST) ||
	    !is_valid_ether_addr(arp->sha) ||
	    ipv4_is_multicast(arp->tip) || ipv4_is_loopback(arp->tip))
		return false;
	*sip = arp->sip;
	*tip = arp->tip;
	ether_addr_copy(sha, arp->sha);
	return true;
}

/* A new skb holding an Ethernet header and @len zeroed bytes after it. */
static struct sk_buff *frame_alloc(const u8 *dmac, const u8 *smac,
				   __be16 proto, unsigned int len,
				   unsigned int headroom)
{
	struct sk_buff *skb;
	struct ethhdr *eth;

	skb = alloc_skb(headroom + ETH_HLEN + len, GFP_ATOMIC);
	if (!skb)
		return NULL;
	skb_reserve(skb, headroom);
	skb_reset_mac_header(skb);
	eth = skb_put(skb, ETH_HLEN);
	ether_addr_copy(eth->h_dest, dmac);
	ether_addr_copy(eth->h_source, smac);
	eth->h_proto = proto;
	skb_set_network_header(skb, ETH_HLEN);
	skb_put_zero(skb, len);
	skb->protocol = proto;
	return skb;
}

struct sk_buff *np_vxlan_arp_reply_create(__be32 sip, const u8 *smac,
					  __be32 dip, const u8 *dmac,
					  unsigned int headroom)
{
	struct np_arp_eth_ipv4 *arp;
	struct sk_buff *skb;

	skb = frame_alloc(dmac, smac, htons(ETH_P_ARP), sizeof(*arp), headroom);
	if (!skb)
		return NULL;
	arp = (struct np_arp_eth_ipv4 *)skb_network_header(skb);
	arp->hdr.ar_hrd = htons(ARPHRD_ETHER);
	arp->hdr.ar_pro = htons(ETH_P_IP);
	arp->hdr.ar_hln = ETH_ALEN;
	arp->hdr.ar_pln = 4;
	arp->hdr.ar_op = htons(ARPOP_REPLY);
	ether_addr_copy(arp->sha, smac);
	arp->sip = sip;
	ether_addr_copy(arp->tha, dmac);
	arp->tip = dip;
	return skb;
}

bool np_vxlan_ns_parse(struct sk_buff *skb, struct in6_addr *saddr,
		       struct in6_addr *target)
{
	const struct ipv6hdr *ip6;
	const struct nd_msg *ns;
	unsigned int plen;

	if (!pskb_may_pull(skb, ETH_HLEN + sizeof(*ip6) + sizeof(*ns)))
		return false;
	ip6 = (const struct ipv6hdr *)(skb->data + ETH_HLEN);
	plen = ntohs(ip6->payload_len);
	if (ip6->nexthdr != IPPROTO_ICMPV6 || ip6->hop_limit != 255 ||
	    plen < sizeof(*ns) || skb->len < ETH_HLEN + sizeof(*ip6) + plen)
		return false;
	ns = (const struct nd_msg *)(ip6 + 1);
	if (ns->icmph.icmp6_type != NDISC_NEIGHBOUR_SOLICITATION ||
	    ns->icmph.icmp6_code != 0 ||
	    ipv6_addr_is_multicast(&ns->target) ||
	    ipv6_addr_any(&ip6->saddr) || ipv6_addr_is_multicast(&ip6->saddr))
		return false;
	if (csum_ipv6_magic(&ip6->saddr, &ip6->daddr, plen, IPPROTO_ICMPV6,
			    skb_checksum(skb, ETH_HLEN + sizeof(*ip6), plen, 0)))
		return false;
	*saddr = ip6->saddr;
	*target = ns->target;
	return true;
}

struct sk_buff *np_vxlan_na_create(const struct in6_addr *target,
				   const u8 *smac, const struct in6_addr *daddr,
				   const u8 *dmac, bool router,
				   unsigned int headroom)
{
	const unsigned int olen = 8;	/* target link-layer address option */
	struct sk_buff *skb;
	struct ipv6hdr *ip6;
	struct nd_msg *na;
	unsigned int plen = sizeof(*na) + olen;

	skb = frame_alloc(dmac, smac, htons(ETH_P_IPV6), sizeof(*ip6) + plen,
			  headroom);
	if (!skb)
		return NULL;
	ip6 = ipv6_hdr(skb);
	ip6->version = 6;
	ip6->payload_len = htons(plen);
	ip6->nexthdr = IPPROTO_ICMPV6;
	ip6->hop_limit = 255;
	ip6->saddr = *target;
	ip6->daddr = *daddr;
	skb_set_transport_header(skb, ETH_HLEN + sizeof(*ip6));

	na = (struct nd_msg *)(ip6 + 1);
	na->icmph.icmp6_type = NDISC_NEIGHBOUR_ADVERTISEMENT;
	na->icmph.icmp6_router = router;
	na->icmph.icmp6_solicited = 1;
	na->icmph.icmp6_override = 1;
	na->target = *target;
	na->opt[0] = ND_OPT_TARGET_LL_ADDR;
	na->opt[1] = olen >> 3;
	ether_addr_copy(&na->opt[2], smac);
	na->icmph.icmp6_cksum = csum_ipv6_magic(&ip6->saddr, &ip6->daddr, plen,
						IPPROTO_ICMPV6,
						csum_partial(na, plen, 0));
	return skb;
}
