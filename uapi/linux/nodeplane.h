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
 *   NP_CMD_LB_SET (doit): create or replace one frontend (ServiceLB or
 *     hostPort forwarding) with its backends and source ranges.
 *     req: ! NP_LB_A_FAMILY             u8   AF_INET (2) or AF_INET6 (10)
 *          ! NP_LB_A_PROTO              u8   IPPROTO_TCP, _UDP or _SCTP
 *          ! NP_LB_A_PORT               u16  1..65535, host order
 *            NP_LB_A_LOCAL4 | NP_LB_A_LOCAL6  bin4 | bin16  of FAMILY:
 *                                            only this local address
 *                                            (absent: every local address)
 *            NP_LB_A_OWNER              u8   NP_LB_OWNER_* (default SERVICELB)
 *            NP_LB_A_FLAGS              u32  NP_LB_F_*
 *            NP_LB_A_AFFINITY           u32  ClientIP affinity, seconds,
 *                                            0 (none) .. NP_LB_AFFINITY_MAX
 *            NP_LB_A_BACKEND            nest, repeated, NP_LBB_A_*:
 *              ! NP_LBB_A_ADDR4 | NP_LBB_A_ADDR6   of FAMILY
 *              ! NP_LBB_A_PORT          u16  1..65535
 *                NP_LBB_A_FLAGS         u32  NP_LBB_F_*
 *            NP_LB_A_RANGE              nest, repeated, NP_CIDR_A_* of
 *                                            FAMILY: allowed sources (none:
 *                                            every source)
 *            NP_LB_A_STAGE              u32  NP_LB_STAGE_F_* (absent: 0)
 *            NP_LB_A_GENERATION         u64  expected generation of the
 *                                            netns: -ESTALE when it moved
 *     rep:   NP_LB_A_GENERATION         u64  the generation after this op
 *     The key is (FAMILY, PROTO, PORT, LOCAL). Without STAGE the message is
 *     the whole frontend and replaces the one with its key (or creates it)
 *     at once. Objects too large for one message are staged: the first
 *     chunk carries NP_LB_STAGE_F_MORE (a new staged object for the key,
 *     owned by the sending socket, dropping any the socket staged before
 *     for it), following chunks NP_LB_STAGE_F_APPEND | NP_LB_STAGE_F_MORE
 *     (backends and ranges added; other attributes must be absent), the
 *     last NP_LB_STAGE_F_APPEND alone: then the staged object replaces the
 *     published one as a whole (packets see the old or the new frontend,
 *     never a mix). A staged object is unpublished, counts against the
 *     limits, and is freed when its socket closes. -EBUSY when another
 *     socket stages the same key.
 *   NP_CMD_LB_DEL (doit)
 *     req: ! NP_LB_A_FAMILY, ! NP_LB_A_PROTO, ! NP_LB_A_PORT,
 *            NP_LB_A_LOCAL4 | NP_LB_A_LOCAL6, NP_LB_A_GENERATION (expected)
 *            NP_LB_A_OWNER              u8   expected owner: -EPERM (extack
 *                                            naming the holder, nothing
 *                                            changed) when the frontend
 *                                            belongs to another owner.
 *                                            Absent: any owner (operators)
 *     rep:   NP_LB_A_GENERATION
 *   NP_CMD_LB_GET (doit with the key, or dump of every frontend)
 *     rep: one message per frontend: the NP_LB_A_* of LB_SET (no STAGE),
 *          NP_LB_A_GENERATION, NP_LB_A_STATS (nest of NP_LBSTAT_A_* u64,
 *          summed over CPUs). A frontend whose backends and ranges do not
 *          fit one message continues in the next ones, each with the key
 *          and NP_LB_A_STAGE = NP_LB_STAGE_F_APPEND, holding only more
 *          backends and ranges. A dump during which the generation
 *          moved carries NLM_F_DUMP_INTR (from the first message built
 *          after the change, and on NLMSG_DONE): dump again.
 *
 * Every LB command answers -EOPNOTSUPP for an owner whose feature is
 * disabled (NP_LB_OWNER_SERVICELB: disable=servicelb; NP_LB_OWNER_HOSTPORT:
 * disable=hostport); a dump then lists only the enabled owners' frontends.
 * The generation (NP_INFO_A_GENERATION) counts every change of the
 * netns's LB state; it starts at 1 when the netns first sees nodeplane.
 *
 * Every OVERLAY, PEER and MASQ command answers -EOPNOTSUPP while the
 * module is loaded with disable=overlay.
 *
 *   NP_CMD_POLICY_SET (doit): one chunk of a NetworkPolicy transaction
 *     (docs/netpol-kernel.md). The policy state of a netns is
 *       - a class map: IPv4/IPv6 prefixes, each mapped to a class
 *         (1..NP_POL_CLASS_MAX); an address's class is that of its
 *         longest matching prefix, 0 when none matches. The daemon gives
 *         addresses that every peer set treats alike the same class.
 *       - endpoints: this node's pods, one per pod address, each isolated
 *         for ingress and/or egress or not, with rules. A rule allows,
 *         in one direction, peers of one class (or any peer) on a list
 *         of (protocol, port range) (or every protocol and port).
 *     A new connection from S to D is allowed when the egress check of S
 *     (if S is an endpoint isolated for egress: some egress rule of S
 *     matches class(D), protocol and destination port) and the ingress
 *     check of D (if D is an endpoint isolated for ingress and S is not
 *     an address of this node: some ingress rule of D matches class(S),
 *     protocol and port) both pass; otherwise it is refused (TCP: a RST;
 *     UDP and SCTP: ICMP port unreachable) and counted. Established and
 *     related packets pass, and so does a TCP packet without SYN that
 *     conntrack saw first mid-stream (a connection under way when
 *     tracking began; a new connection needs a SYN, which is checked).
 *     As kube-router does, ICMP echo requests, destination unreachable
 *     and time exceeded (ICMPv6: also echo replies and neighbour
 *     discovery) are never checked.
 *     req:   NP_POL_A_STAGE             u32  NP_POL_STAGE_F_* (absent: 0)
 *            NP_POL_A_GENERATION        u64  expected policy generation of
 *                                            the netns: -ESTALE at commit
 *                                            when it moved
 *            NP_POL_A_CLASS             nest, repeated, NP_PCLS_A_*:
 *              ! NP_PCLS_A_CIDR         nest NP_CIDR_A_*
 *              ! NP_PCLS_A_CLASS        u32  0..NP_POL_CLASS_MAX; 0 removes
 *                                            the prefix
 *            NP_POL_A_ENDPOINT          nest, repeated, NP_PEP_A_*:
 *              ! NP_PEP_A_ADDR4 | NP_PEP_A_ADDR6   bin4 | bin16 (the key)
 *                NP_PEP_A_FLAGS         u32  NP_PEP_F_*
 *                NP_PEP_A_NAME          str  "namespace/pod", for show and
 *                                            events (at most
 *                                            NP_PEP_NAME_MAX bytes + NUL)
 *                NP_PEP_A_RULE          nest, repeated, NP_PRULE_A_*:
 *                  ! NP_PRULE_A_DIR     u8   NP_POL_DIR_*
 *                    NP_PRULE_A_CLASS   u32  1..NP_POL_CLASS_MAX (absent:
 *                                            any peer)
 *                    NP_PRULE_A_PORT    nest, repeated, NP_PPORT_A_*
 *                                            (none: every protocol/port):
 *                      ! NP_PPORT_A_PROTO   u8   IPPROTO_TCP, _UDP, _SCTP
 *                        NP_PPORT_A_FIRST   u16  1..65535 (absent: every
 *                                                port of PROTO)
 *                        NP_PPORT_A_LAST    u16  FIRST..65535 (absent:
 *                                                FIRST)
 *     rep:   NP_POL_A_GENERATION        u64  the generation after this op
 *     A transaction belongs to the socket that sent its first chunk; it
 *     is built unpublished and counts against the limits. A chunk with
 *     NP_POL_STAGE_F_MORE adds to it; the first chunk without MORE
 *     commits it: every class change and endpoint of the transaction is
 *     published as one replace (packets see the state before or after,
 *     never a mix; endpoints and prefixes not named are untouched), and
 *     the generation moves by one. An endpoint named in a transaction is
 *     replaced as a whole by what the transaction gives for it (its
 *     counters carry over); with NP_PEP_F_DELETE it is removed (no other
 *     attribute then). Several NP_POL_A_ENDPOINT nests with the same key
 *     in one transaction: the first gives the flags and name, the later
 *     ones (NP_PEP_F_APPEND) only add rules, for endpoints too large for
 *     one attribute. Rules with the same (direction, class) add up. Any
 *     error drops the whole transaction (nothing published, extack names
 *     the attribute). -EBUSY when another socket has a transaction open;
 *     the transaction is dropped when its socket closes.
 *   NP_CMD_POLICY_GET (dump): the class map and the endpoints
 *     rep:   messages each with NP_POL_A_GENERATION and either
 *            NP_POL_A_CLASS nests (as in SET) or one NP_POL_A_ENDPOINT
 *            (as in SET, plus NP_PEP_A_STATS: nest of NP_PSTAT_A_* u64,
 *            summed over CPUs). An endpoint whose rules do not fit one
 *            message continues in the next with the key and
 *            NP_PEP_F_APPEND. NLM_F_DUMP_INTR as for NP_CMD_LB_GET.
 *   NP_CMD_POLICY_DROP (notification on NODEPLANE_MCGRP_EVENTS, never a
 *     request): a new connection rejected by a policy check, at most
 *     NP_POL_EVENTS_PER_SEC per endpoint and direction (bursts of as
 *     many); the drops not reported are counted in the next event.
 *            NP_PEV_A_DIR               u8   NP_POL_DIR_* of the check
 *            NP_PEV_A_ENDPOINT4|6       bin  the endpoint whose check failed
 *            NP_PEV_A_NAME              str  its NP_PEP_A_NAME, if any
 *            NP_PEV_A_SADDR4|6, NP_PEV_A_DADDR4|6   bin
 *            NP_PEV_A_PROTO             u8
 *            NP_PEV_A_SPORT, NP_PEV_A_DPORT   u16 (TCP, UDP, SCTP)
 *            NP_PEV_A_SUPPRESSED        u32  drops of this endpoint and
 *                                            direction not reported since
 *                                            the last event
 *   Every POLICY command answers -EOPNOTSUPP while the module is loaded
 *   with disable=network-policy (its hooks are then never registered).
 *   The policy generation (NP_INFO_A_POLICY_GENERATION) counts committed
 *   transactions; it starts at 1.
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
 *  - The multicast group NODEPLANE_MCGRP_EVENTS carries NP_CMD_POLICY_DROP
 *    notifications of the netns of the listening socket. Joining it
 *    needs CAP_NET_ADMIN.
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
	NP_CMD_LB_SET,
	NP_CMD_LB_DEL,
	NP_CMD_LB_GET,
	NP_CMD_POLICY_SET,
	NP_CMD_POLICY_GET,
	NP_CMD_POLICY_DROP,		/* notification only */
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
	NP_FEATURE_F_HOSTPORT = 1U << 3,	/* hostPort forwarding (portmap) */
	__NP_FEATURE_F_ALL = (1U << 4) - 1
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
	NP_INFO_A_GENERATION,		/* u64: LB state generation */
	NP_INFO_A_PAD,
	NP_INFO_A_POLICY_GENERATION,	/* u64: policy state generation */
	__NP_INFO_A_MAX
};
#define NP_INFO_A_MAX (__NP_INFO_A_MAX - 1)

/* NP_INFO_A_LIMITS */
enum np_limit_attrs {
	NP_LIMIT_A_UNSPEC,
	NP_LIMIT_A_DEVICES,
	NP_LIMIT_A_PEERS,
	NP_LIMIT_A_CIDRS,
	NP_LIMIT_A_LB_FRONTENDS,	/* max_frontends (staged ones included) */
	NP_LIMIT_A_LB_BACKENDS,		/* max_backends: over all frontends */
	NP_LIMIT_A_LB_RANGES,		/* max_ranges: source CIDRs, all frontends */
	NP_LIMIT_A_POL_CLASSES,		/* max_policy_prefixes: class map entries */
	NP_LIMIT_A_POL_ENDPOINTS,	/* max_policy_endpoints */
	NP_LIMIT_A_POL_RULES,		/* max_policy_rules: port entries of
					   all rules of all endpoints (a rule
					   without ports counts one) */
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
	NP_COUNT_A_LB_FRONTENDS,	/* u32: published frontends */
	NP_COUNT_A_LB_BACKENDS,		/* u32: their backends */
	NP_COUNT_A_LB_RANGES,		/* u32: their source CIDRs */
	NP_COUNT_A_LB_STAGED,		/* u32: staged, unpublished frontends */
	NP_COUNT_A_POL_CLASSES,		/* u32: published class map entries */
	NP_COUNT_A_POL_ENDPOINTS,	/* u32: published endpoints */
	NP_COUNT_A_POL_RULES,		/* u32: their rules' port entries */
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
	/* refuse a received frame whose inner source address is not in the
	 * pod CIDRs of the peer whose endpoint (outer source) sent it
	 * (counted in NP_OSTAT_A_RX_BAD_SRC) */
	NP_OVERLAY_F_RX_SRC_CHECK = 1U << 1,
	__NP_OVERLAY_F_ALL = (1U << 2) - 1
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
	NP_OSTAT_A_RX_BAD_SRC,		/* NP_OVERLAY_F_RX_SRC_CHECK refusals */
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

/* NP_LB_A_OWNER: which reconciler a frontend belongs to. */
enum np_lb_owner {
	NP_LB_OWNER_UNSPEC,
	NP_LB_OWNER_SERVICELB,		/* feature NP_FEATURE_F_SERVICELB */
	NP_LB_OWNER_HOSTPORT,		/* feature NP_FEATURE_F_HOSTPORT */
	__NP_LB_OWNER_MAX
};
#define NP_LB_OWNER_MAX (__NP_LB_OWNER_MAX - 1)

enum np_lb_flags {
	/* masquerade to this node's address when the chosen backend is not
	 * NP_LBB_F_LOCAL (externalTrafficPolicy Cluster) */
	NP_LB_F_MASQ_REMOTE = 1U << 0,
	/* only NP_LBB_F_LOCAL backends (externalTrafficPolicy Local) */
	NP_LB_F_LOCAL_ONLY = 1U << 1,
	/* a backend reaching the frontend itself is masqueraded (hairpin) */
	NP_LB_F_HAIRPIN = 1U << 2,
	/* IPv4: 127.0.0.0/8 destinations are served too, masqueraded
	 * (portmap's localhost rule; needs route_localnet on the way out) */
	NP_LB_F_LOCALHOST = 1U << 3,
	/* masquerade every connection (portmap's masqAll) */
	NP_LB_F_MASQ_ALL = 1U << 4,
	__NP_LB_F_ALL = (1U << 5) - 1
};

/* The longest ClientIP affinity (kube-proxy's maximum: one day). */
#define NP_LB_AFFINITY_MAX 86400

enum np_lb_stage_flags {
	NP_LB_STAGE_F_MORE = 1U << 0,	/* more chunks follow: do not publish */
	NP_LB_STAGE_F_APPEND = 1U << 1,	/* add to the staged object */
	__NP_LB_STAGE_F_ALL = (1U << 2) - 1
};

/* NP_CMD_LB_SET / NP_CMD_LB_DEL / NP_CMD_LB_GET */
enum np_lb_attrs {
	NP_LB_A_UNSPEC,
	NP_LB_A_PAD,
	NP_LB_A_FAMILY,
	NP_LB_A_PROTO,
	NP_LB_A_PORT,
	NP_LB_A_LOCAL4,
	NP_LB_A_LOCAL6,
	NP_LB_A_OWNER,
	NP_LB_A_FLAGS,
	NP_LB_A_AFFINITY,
	NP_LB_A_BACKEND,
	NP_LB_A_RANGE,
	NP_LB_A_STAGE,
	NP_LB_A_GENERATION,
	NP_LB_A_STATS,
	__NP_LB_A_MAX
};
#define NP_LB_A_MAX (__NP_LB_A_MAX - 1)

enum np_lbb_flags {
	NP_LBB_F_LOCAL = 1U << 0,	/* on this node (no masquerade needed) */
	NP_LBB_F_READY = 1U << 1,	/* ready: chosen for new connections */
	/* serving but terminating: chosen only while no backend of the
	 * frontend (in its LOCAL_ONLY scope) is READY, as kube-proxy does */
	NP_LBB_F_TERMINATING = 1U << 2,
	__NP_LBB_F_ALL = (1U << 3) - 1
};

/* NP_LB_A_BACKEND */
enum np_lbb_attrs {
	NP_LBB_A_UNSPEC,
	NP_LBB_A_ADDR4,
	NP_LBB_A_ADDR6,
	NP_LBB_A_PORT,
	NP_LBB_A_FLAGS,
	__NP_LBB_A_MAX
};
#define NP_LBB_A_MAX (__NP_LBB_A_MAX - 1)

/* NP_LB_A_STATS: u64 counters of one frontend, summed over CPUs */
enum np_lbstat_attrs {
	NP_LBSTAT_A_UNSPEC,
	NP_LBSTAT_A_PAD,
	NP_LBSTAT_A_PACKETS,		/* first packets of new connections */
	NP_LBSTAT_A_BYTES,		/* their bytes */
	NP_LBSTAT_A_CONNS,		/* connections translated */
	NP_LBSTAT_A_DROP_RANGE,		/* source outside every range */
	NP_LBSTAT_A_DROP_NO_BACKEND,	/* refused: no usable backend */
	NP_LBSTAT_A_DROP_NAT,		/* nf_nat could not bind */
	__NP_LBSTAT_A_MAX
};
#define NP_LBSTAT_A_MAX (__NP_LBSTAT_A_MAX - 1)

/* ------------------------------------------------------ NetworkPolicy */

#define NP_POL_CLASS_MAX	0x00ffffffU	/* class ids 1..this */
#define NP_PEP_NAME_MAX		320		/* "namespace/pod" bytes */
#define NP_POL_EVENTS_PER_SEC	10		/* drop events per endpoint
						   and direction */

enum np_pol_dir {
	NP_POL_DIR_INGRESS,
	NP_POL_DIR_EGRESS,
	__NP_POL_DIR_MAX
};
#define NP_POL_DIR_MAX (__NP_POL_DIR_MAX - 1)

enum np_pol_stage_flags {
	NP_POL_STAGE_F_MORE = 1U << 0,	/* more chunks follow: do not commit */
	__NP_POL_STAGE_F_ALL = (1U << 1) - 1
};

/* NP_CMD_POLICY_SET / NP_CMD_POLICY_GET */
enum np_pol_attrs {
	NP_POL_A_UNSPEC,
	NP_POL_A_PAD,
	NP_POL_A_STAGE,
	NP_POL_A_GENERATION,
	NP_POL_A_CLASS,
	NP_POL_A_ENDPOINT,
	__NP_POL_A_MAX
};
#define NP_POL_A_MAX (__NP_POL_A_MAX - 1)

/* NP_POL_A_CLASS */
enum np_pcls_attrs {
	NP_PCLS_A_UNSPEC,
	NP_PCLS_A_CIDR,
	NP_PCLS_A_CLASS,
	__NP_PCLS_A_MAX
};
#define NP_PCLS_A_MAX (__NP_PCLS_A_MAX - 1)

enum np_pep_flags {
	NP_PEP_F_INGRESS = 1U << 0,	/* isolated for ingress */
	NP_PEP_F_EGRESS = 1U << 1,	/* isolated for egress */
	NP_PEP_F_DELETE = 1U << 2,	/* SET: remove the endpoint */
	NP_PEP_F_APPEND = 1U << 3,	/* more rules of an endpoint given
					   before in the same transaction
					   (or dump message) */
	__NP_PEP_F_ALL = (1U << 4) - 1
};

/* NP_POL_A_ENDPOINT */
enum np_pep_attrs {
	NP_PEP_A_UNSPEC,
	NP_PEP_A_PAD,
	NP_PEP_A_ADDR4,
	NP_PEP_A_ADDR6,
	NP_PEP_A_FLAGS,
	NP_PEP_A_NAME,
	NP_PEP_A_RULE,
	NP_PEP_A_STATS,
	__NP_PEP_A_MAX
};
#define NP_PEP_A_MAX (__NP_PEP_A_MAX - 1)

/* NP_PEP_A_RULE */
enum np_prule_attrs {
	NP_PRULE_A_UNSPEC,
	NP_PRULE_A_DIR,
	NP_PRULE_A_CLASS,
	NP_PRULE_A_PORT,
	__NP_PRULE_A_MAX
};
#define NP_PRULE_A_MAX (__NP_PRULE_A_MAX - 1)

/* NP_PRULE_A_PORT */
enum np_pport_attrs {
	NP_PPORT_A_UNSPEC,
	NP_PPORT_A_PROTO,
	NP_PPORT_A_FIRST,
	NP_PPORT_A_LAST,
	__NP_PPORT_A_MAX
};
#define NP_PPORT_A_MAX (__NP_PPORT_A_MAX - 1)

/* NP_PEP_A_STATS: new connections of one endpoint, summed over CPUs */
enum np_pstat_attrs {
	NP_PSTAT_A_UNSPEC,
	NP_PSTAT_A_PAD,
	NP_PSTAT_A_INGRESS_ALLOWED,	/* passed its ingress check */
	NP_PSTAT_A_INGRESS_DROPPED,
	NP_PSTAT_A_EGRESS_ALLOWED,
	NP_PSTAT_A_EGRESS_DROPPED,
	__NP_PSTAT_A_MAX
};
#define NP_PSTAT_A_MAX (__NP_PSTAT_A_MAX - 1)

/* NP_CMD_POLICY_DROP */
enum np_pev_attrs {
	NP_PEV_A_UNSPEC,
	NP_PEV_A_DIR,
	NP_PEV_A_ENDPOINT4,
	NP_PEV_A_ENDPOINT6,
	NP_PEV_A_NAME,
	NP_PEV_A_SADDR4,
	NP_PEV_A_SADDR6,
	NP_PEV_A_DADDR4,
	NP_PEV_A_DADDR6,
	NP_PEV_A_PROTO,
	NP_PEV_A_SPORT,
	NP_PEV_A_DPORT,
	NP_PEV_A_SUPPRESSED,
	__NP_PEV_A_MAX
};
#define NP_PEV_A_MAX (__NP_PEV_A_MAX - 1)

#endif /* _UAPI_LINUX_NODEPLANE_H */
