/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NP_VXLAN_WIRE_H
#define _NP_VXLAN_WIRE_H

#include <linux/types.h>
#include <linux/in6.h>

struct sk_buff;

/*
 * The VXLAN wire format as flannel's vxlan backend emits it (spec overlay.md
 * §1.6, §1.11, §1.12), and the pure helpers that encode, decode and validate
 * it. Nothing here touches a device, socket or netns: every helper takes
 * plain values or an skb, so KUnit can drive it on synthetic skbs.
 */
enum {
	NP_VXLAN_PORT = 8472,		/* Linux vxlan default, what K3s uses */
	NP_VXLAN_VNI_DEFAULT = 1,
	NP_VXLAN_VNI_MAX = 0xffffff,
	NP_VXLAN_HLEN = 8,		/* the VXLAN header itself */
	/* inner Ethernet + VXLAN + UDP + outer IP, over the inner IP packet */
	NP_VXLAN_OVERHEAD4 = 14 + 8 + 8 + 20,	/* 50 */
	NP_VXLAN_OVERHEAD6 = 14 + 8 + 8 + 40,	/* 70 */
	NP_VXLAN_MTU_DEFAULT = 1500 - NP_VXLAN_OVERHEAD4,	/* 1450 */
};

/* Byte 0 of the header. */
enum {
	NP_VXLAN_FLAG_I = 0x08,		/* VNI valid: always set */
	NP_VXLAN_FLAG_G = 0x80,		/* GBP: group policy present */
};

/* VXLAN-GBP (draft-smith-vxlan-group-policy): byte 1 flags and the skb->mark
 * bits they travel in, as Linux maps them.
 */
enum {
	NP_VXLAN_GBP_D = 0x40,			/* don't learn */
	NP_VXLAN_GBP_A = 0x08,			/* policy applied */
	NP_VXLAN_GBP_MARK_D = 1U << 22,
	NP_VXLAN_GBP_MARK_A = 1U << 19,
	NP_VXLAN_GBP_MARK_ID = 0xffff,		/* bytes 2-3: policy ID */
};

/* Outcome of the receive checks; each failure has its own drop counter. */
enum np_vxlan_verdict {
	NP_VXLAN_OK,		/* deliver */
	NP_VXLAN_ARP,		/* inner ARP for us: answer, do not deliver */
	NP_VXLAN_ND,		/* inner Neighbour Solicitation: answer */
	NP_VXLAN_BAD_HEADER,	/* flags, reserved bits, GBP when off */
	NP_VXLAN_BAD_VNI,
	NP_VXLAN_BAD_MAC,	/* inner destination is not our MAC */
	NP_VXLAN_LOOP,		/* inner source is one of our MACs */
	NP_VXLAN_BAD_CSUM,	/* IPv6 outer UDP checksum zero */
	NP_VXLAN_BAD_INNER,	/* ethertype vs outer family, ECN, length */
};

/**
 * np_vxlan_encode() - write the 8-byte header for @vni at @hdr; GBP form only when @gbp and @mark != 0.
 */
void np_vxlan_encode(u8 *hdr, u32 vni, bool gbp, u32 mark);

/**
 * np_vxlan_hdr_vni() - the VNI carried in the 8-byte header at @hdr.
 */
u32 np_vxlan_hdr_vni(const u8 *hdr);

/**
 * np_vxlan_decode() - check the header at @hdr for a receiver with @vni and @gbp; *@mark gets the GBP mark (0 if none).
 *
 * Return: NP_VXLAN_OK, NP_VXLAN_BAD_HEADER (flags other than 0x08, or 0x88
 * with @gbp; a reserved bit set) or NP_VXLAN_BAD_VNI.
 */
enum np_vxlan_verdict np_vxlan_decode(const u8 *hdr, u32 vni, bool gbp,
				      u32 *mark);

/**
 * np_vxlan_udp_csum_ok() - false for an IPv6 outer UDP datagram with checksum 0 (RFC 6935 is not honoured, as in Linux).
 */
bool np_vxlan_udp_csum_ok(int outer_family, __sum16 check);

/**
 * np_vxlan_classify_inner() - the inner-frame rules of §1.12 for @skb (data at the inner Ethernet header).
 *
 * @mac is the receiver's IPv4 VTEP MAC, @mac6 its IPv6 one. IPv4 frames must
 * reach @mac over an IPv4 underlay, IPv6 frames @mac6 over IPv6; ARP (IPv4
 * underlay) and Neighbour Solicitations (IPv6) may also be broadcast or
 * multicast. A source equal to either MAC is a loop. May pull headers.
 *
 * Return: NP_VXLAN_OK, _ARP, _ND, _BAD_MAC, _LOOP or _BAD_INNER.
 */
enum np_vxlan_verdict np_vxlan_classify_inner(struct sk_buff *skb,
					      int outer_family, const u8 *mac,
					      const u8 *mac6);

/**
 * np_vxlan_ecn_decap() - RFC 6040 decapsulation of @outer_dsfield into @skb (network header = inner IP header).
 *
 * Return: 0, or -EINVAL when the packet must be dropped (outer CE, inner Not-ECT).
 */
int np_vxlan_ecn_decap(struct sk_buff *skb, u8 outer_dsfield);

/**
 * np_vxlan_arp_request() - parse an Ethernet/IPv4 ARP request at @skb->data (inner Ethernet header).
 *
 * On success @sip and @tip get the sender and target IP and @sha the
 * sender hardware address. Return: true for a well-formed request with unicast @sha.
 */
bool np_vxlan_arp_request(struct sk_buff *skb, __be32 *sip, __be32 *tip,
			  u8 *sha);

/**
 * np_vxlan_arp_reply_create() - a new Ethernet frame "@sip is at @smac" to @dmac/@dip, with @headroom bytes before it.
 */
struct sk_buff *np_vxlan_arp_reply_create(__be32 sip, const u8 *smac,
					  __be32 dip, const u8 *dmac,
					  unsigned int headroom);

/**
 * np_vxlan_ns_parse() - parse a Neighbour Solicitation at @skb->data (inner Ethernet header).
 *
 * Checks hop limit 255, code 0, length and the ICMPv6 checksum; refuses a
 * multicast target and the unspecified source of DAD. Return: true and
 * *@saddr, *@target on success.
 */
bool np_vxlan_ns_parse(struct sk_buff *skb, struct in6_addr *saddr,
		       struct in6_addr *target);

/**
 * np_vxlan_na_create() - a new Ethernet frame: solicited Neighbour Advertisement of @target (@smac) to @daddr/@dmac.
 */
struct sk_buff *np_vxlan_na_create(const struct in6_addr *target,
				   const u8 *smac, const struct in6_addr *daddr,
				   const u8 *dmac, bool router,
				   unsigned int headroom);

#endif /* _NP_VXLAN_WIRE_H */
