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
 *            NP_INFO_A_FEATURES         u32  NP_FEATURE_F_* enabled at load time
 *            NP_INFO_A_COUNTS           nest per-netns counts
 *              NP_COUNT_A_REQUESTS      u64  requests handled in this netns,
 *                                            this one included
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
 *  - Events are multicast on NODEPLANE_MCGRP_EVENTS.
 */
#ifndef _UAPI_LINUX_NODEPLANE_H
#define _UAPI_LINUX_NODEPLANE_H

#define NODEPLANE_GENL_NAME "nodeplane"
#define NODEPLANE_GENL_VERSION 1
#define NODEPLANE_MCGRP_EVENTS "events"

enum np_cmd {
	NP_CMD_UNSPEC,
	NP_CMD_INFO_GET,
	__NP_CMD_MAX
};
#define NP_CMD_MAX (__NP_CMD_MAX - 1)

/* Features, as switched by the module parameter "disable". */
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
	__NP_INFO_A_MAX
};
#define NP_INFO_A_MAX (__NP_INFO_A_MAX - 1)

/* NP_INFO_A_COUNTS */
enum np_count_attrs {
	NP_COUNT_A_UNSPEC,
	NP_COUNT_A_PAD,
	NP_COUNT_A_REQUESTS,
	__NP_COUNT_A_MAX
};
#define NP_COUNT_A_MAX (__NP_COUNT_A_MAX - 1)

#endif /* _UAPI_LINUX_NODEPLANE_H */
