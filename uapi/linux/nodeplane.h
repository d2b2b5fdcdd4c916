/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * nodeplane: generic-netlink ABI between nodeplane.ko and userspace.
 *
 * Family NODEPLANE_GENL_NAME, version NODEPLANE_GENL_VERSION. Every command
 * is per network namespace: a request acts on the netns of the socket that
 * sent it. Every command requires CAP_NET_ADMIN in the user namespace that
 * owns that netns.
 *
 * Commands and their attribute trees ("req" is what the caller sends, "rep"
 * what the module answers; "!" marks a required attribute):
 *
 *   NP_CMD_INFO_GET (doit)
 *     req: ! NP_INFO_A_ABI_VERSION      u32  ABI the caller was built for (>= 1)
 *     rep:   NP_INFO_A_ABI_VERSION      u32  ABI the module speaks
 *            NP_INFO_A_VERSION          str  module version
 *            NP_INFO_A_FEATURES         u32  NP_FEATURE_F_* this module
 *                                            implements and that are enabled
 *                                            (today: OVERLAY, which includes
 *                                            masquerade)
 *            NP_INFO_A_COUNTS           nest per-netns counts
 *              NP_COUNT_A_REQUESTS      u64  requests handled in this netns,
 *                                            this one included
 *              NP_COUNT_A_OVERLAY_DEVICES u32 nodeplane devices
 *              NP_COUNT_A_OVERLAY_PEERS u32  peers over all devices
 *              NP_COUNT_A_MASQ_CIDRS    u32  cluster CIDRs set for masquerade
 *            NP_INFO_A_DISABLED         u32  NP_FEATURE_F_* switched off by
 *                                            the module parameter "disable",
 *                                            implemented or not
 *            NP_INFO_A_LIMITS           nest per-netns limits (module
 *                                            parameters; -ENOSPC beyond)
 *              NP_LIMIT_A_DEVICES       u32  max_devices: nodeplane devices
 *              NP_LIMIT_A_PEERS         u32  max_peers: peers, all devices
 *              NP_LIMIT_A_CIDRS         u32  max_cidrs: peer CIDRs, all devices
 *     A feature neither in FEATURES nor in DISABLED is not implemented by
 *     this module (an older one). Older modules, which send no DISABLED,
 *     reported in FEATURES what was not disabled, implemented or not.
 *
 *   NP_CMD_OVERLAY_SET (doit): configure a device of link kind "nodeplane"
 *     req: ! NP_OVERLAY_A_IFINDEX       u32  the device (in the caller's netns)
 *            NP_OVERLAY_A_VNI           u32  0..0xffffff (default 1)
 *            NP_OVERLAY_A_PORT          u16  UDP port, host order (default 8472)
 *            NP_OVERLAY_A_LOCAL4        bin4  underlay source, IPv4
 *            NP_OVERLAY_A_LOCAL6        bin16 underlay source, IPv6
 *            NP_OVERLAY_A_MAC           bin6  VTEP MAC for IPv4 (unicast)
 *            NP_OVERLAY_A_MAC6          bin6  VTEP MAC for IPv6 (unicast)
 *            NP_OVERLAY_A_FLAGS         u32  NP_OVERLAY_F_*
 *     An absent attribute keeps its current value. A zero-length LOCAL4 or
 *     LOCAL6 clears that family's underlay address.
 *
 *   NP_CMD_OVERLAY_GET (doit with IFINDEX, or dump of every device)
 *     rep:   the NP_OVERLAY_A_* above, plus
 *            NP_OVERLAY_A_IFNAME        str
 *            NP_OVERLAY_A_PEERS         u32  number of peers
 *            NP_OVERLAY_A_STATS         nest NP_OSTAT_A_* u64 counters
 *
 *   NP_CMD_PEER_NEW (doit): create, or replace the peer with the same MAC
 *     (-ENOSPC with an extack message naming the module parameter when
 *     max_peers or max_cidrs of the netns would be exceeded)
 *     req: ! NP_PEER_A_IFINDEX          u32
 *          ! NP_PEER_A_MAC              bin6
 *          ! NP_PEER_A_ENDPOINT4 | NP_PEER_A_ENDPOINT6   bin4 | bin16
 *          ! NP_PEER_A_CIDR             nest, repeated, one per pod CIDR,
 *              ! NP_CIDR_A_ADDR4 | NP_CIDR_A_ADDR6       of the endpoint's family
 *              ! NP_CIDR_A_PREFIXLEN    u8
 *   NP_CMD_PEER_DEL (doit)
 *     req: ! NP_PEER_A_IFINDEX, ! NP_PEER_A_MAC
 *   NP_CMD_PEER_GET (dump)
 *     req: ! NP_PEER_A_IFINDEX
 *     rep: one message per peer: IFINDEX, MAC, ENDPOINT4|6, CIDR...
 *
 *   NP_CMD_MASQ_SET (doit): replaces the masquerade configuration
 *     req:   NP_MASQ_A_CIDR             nest, repeated: cluster CIDRs (at
 *                                            most one per family), NP_CIDR_A_*
 *            NP_MASQ_A_FLAGS            u32  NP_MASQ_F_*
 *   NP_CMD_MASQ_GET (doit)
 *     rep:   NP_MASQ_A_CIDR..., NP_MASQ_A_FLAGS
 *
 * Every OVERLAY, PEER and MASQ command answers -EOPNOTSUPP while the
 * module is loaded with disable=overlay.
 *
 * Rules:
 *  - Append-only. Values are never renumbered or removed; new attributes and
 *    commands are added at the end of their enum. A caller that sees an
 *    attribute it does not know ignores it.
 *  - Validation is strict: an unknown attribute, a wrong length, a value out
 *    of range, or an unknown flag bit is rejected with an extack message that
 *    names the attribute. Unknown flag bits answer -EOPNOTSUPP so a caller
 *    can probe for support.
 *  - Large updates may be split over several messages. The module never
 *    needs a flush: callers converge by dumping, diffing and sending the
 *    difference. Dumps are consistent per message (NLM_F_DUMP_INTR is set when
 *    a dump raced an update; the caller restarts it).
 *  - The multicast group NODEPLANE_MCGRP_EVENTS is reserved: nothing is
 *    sent on it yet (later: policy drops). Joining it is allowed and
 *    harmless.
 */
#ifndef _UAPI_LINUX_NODEPLANE_H
#define _UAPI_LINUX_NODEPLANE_H

#define NODEPLANE_GENL_NAME "nodeplane"
#define NODEPLANE_GENL_VERSION 1
#define NODEPLANE_MCGRP_EVENTS "events"

enum np_cmd {
	NP_CMD_UNSPEC,
	NP_CMD_INFO_GET,
	NP_CMD_OVERLAY_SET,
	NP_CMD_OVERLAY_GET,
	NP_CMD_PEER_NEW,
	NP_CMD_PEER_DEL,
	NP_CMD_PEER_GET,
	NP_CMD_MASQ_SET,
	NP_CMD_MASQ_GET,
	__NP_CMD_MAX
};
#define NP_CMD_MAX (__NP_CMD_MAX - 1)

/*
 * Features, as named by the module parameter "disable" (K3s's --disable).
 * NP_INFO_A_FEATURES carries only those implemented and enabled.
 */
enum np_feature_flags {
	NP_FEATURE_F_SERVICELB = 1U << 0,
	NP_FEATURE_F_NETWORK_POLICY = 1U << 1,
	NP_FEATURE_F_OVERLAY = 1U << 2,
	__NP_FEATURE_F_ALL = (1U << 3) - 1
};

/* NP_CMD_INFO_GET, top level */
enum np_info_attrs {
	NP_INFO_A_UNSPEC,
	NP_INFO_A_ABI_VERSION,
	NP_INFO_A_VERSION,
	NP_INFO_A_FEATURES,
	NP_INFO_A_COUNTS,
	NP_INFO_A_DISABLED,
	NP_INFO_A_LIMITS,
	__NP_INFO_A_MAX
};
#define NP_INFO_A_MAX (__NP_INFO_A_MAX - 1)

/* NP_INFO_A_LIMITS */
enum np_limit_attrs {
	NP_LIMIT_A_UNSPEC,
	NP_LIMIT_A_DEVICES,
	NP_LIMIT_A_PEERS,
	NP_LIMIT_A_CIDRS,
	__NP_LIMIT_A_MAX
};
#define NP_LIMIT_A_MAX (__NP_LIMIT_A_MAX - 1)

/* NP_INFO_A_COUNTS */
enum np_count_attrs {
	NP_COUNT_A_UNSPEC,
	NP_COUNT_A_PAD,
	NP_COUNT_A_REQUESTS,
	NP_COUNT_A_OVERLAY_DEVICES,
	NP_COUNT_A_OVERLAY_PEERS,
	NP_COUNT_A_MASQ_CIDRS,
	__NP_COUNT_A_MAX
};
#define NP_COUNT_A_MAX (__NP_COUNT_A_MAX - 1)

/* A CIDR, nested in NP_PEER_A_CIDR and NP_MASQ_A_CIDR */
enum np_cidr_attrs {
	NP_CIDR_A_UNSPEC,
	NP_CIDR_A_ADDR4,
	NP_CIDR_A_ADDR6,
	NP_CIDR_A_PREFIXLEN,
	__NP_CIDR_A_MAX
};
#define NP_CIDR_A_MAX (__NP_CIDR_A_MAX - 1)

enum np_overlay_flags {
	NP_OVERLAY_F_GBP = 1U << 0,	/* accept and emit VXLAN-GBP */
	__NP_OVERLAY_F_ALL = (1U << 1) - 1
};

/* NP_CMD_OVERLAY_SET / NP_CMD_OVERLAY_GET */
enum np_overlay_attrs {
	NP_OVERLAY_A_UNSPEC,
	NP_OVERLAY_A_IFINDEX,
	NP_OVERLAY_A_IFNAME,
	NP_OVERLAY_A_VNI,
	NP_OVERLAY_A_PORT,
	NP_OVERLAY_A_LOCAL4,
	NP_OVERLAY_A_LOCAL6,
	NP_OVERLAY_A_MAC,
	NP_OVERLAY_A_MAC6,
	NP_OVERLAY_A_FLAGS,
	NP_OVERLAY_A_PEERS,
	NP_OVERLAY_A_STATS,
	__NP_OVERLAY_A_MAX
};
#define NP_OVERLAY_A_MAX (__NP_OVERLAY_A_MAX - 1)

/* NP_OVERLAY_A_STATS: u64 counters of one device */
enum np_ostat_attrs {
	NP_OSTAT_A_UNSPEC,
	NP_OSTAT_A_PAD,
	NP_OSTAT_A_TX_PACKETS,
	NP_OSTAT_A_TX_BYTES,
	NP_OSTAT_A_RX_PACKETS,
	NP_OSTAT_A_RX_BYTES,
	NP_OSTAT_A_TX_NO_PEER,		/* no peer for the inner destination */
	NP_OSTAT_A_TX_NO_ROUTE,		/* no underlay route / local address */
	NP_OSTAT_A_TX_TOO_BIG,		/* answered with ICMP / PTB */
	NP_OSTAT_A_RX_BAD_HEADER,	/* flags, reserved bits, GBP when off */
	NP_OSTAT_A_RX_BAD_VNI,
	NP_OSTAT_A_RX_BAD_MAC,		/* inner destination not our MAC */
	NP_OSTAT_A_RX_LOOP,		/* inner source is our own MAC */
	NP_OSTAT_A_RX_BAD_CSUM,		/* incl. IPv6 zero checksum */
	NP_OSTAT_A_RX_BAD_INNER,	/* family/ethertype, ECN, length */
	__NP_OSTAT_A_MAX
};
#define NP_OSTAT_A_MAX (__NP_OSTAT_A_MAX - 1)

/* NP_CMD_PEER_NEW / NP_CMD_PEER_DEL / NP_CMD_PEER_GET */
enum np_peer_attrs {
	NP_PEER_A_UNSPEC,
	NP_PEER_A_IFINDEX,
	NP_PEER_A_MAC,
	NP_PEER_A_ENDPOINT4,
	NP_PEER_A_ENDPOINT6,
	NP_PEER_A_CIDR,
	__NP_PEER_A_MAX
};
#define NP_PEER_A_MAX (__NP_PEER_A_MAX - 1)

enum np_masq_flags {
	NP_MASQ_F_IPV6 = 1U << 0,	/* masquerade IPv6 too (--flannel-ipv6-masq) */
	__NP_MASQ_F_ALL = (1U << 1) - 1
};

/* NP_CMD_MASQ_SET / NP_CMD_MASQ_GET */
enum np_masq_attrs {
	NP_MASQ_A_UNSPEC,
	NP_MASQ_A_CIDR,
	NP_MASQ_A_FLAGS,
	__NP_MASQ_A_MAX
};
#define NP_MASQ_A_MAX (__NP_MASQ_A_MAX - 1)

#endif /* _UAPI_LINUX_NODEPLANE_H */
