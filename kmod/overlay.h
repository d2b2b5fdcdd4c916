/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NP_OVERLAY_H
#define _NP_OVERLAY_H

#include <linux/compiler.h>
#include <linux/list.h>
#include <linux/types.h>

struct net_device;

/*
 * The overlay: a flannel-compatible VXLAN net_device of link kind
 * "nodeplane" (overlay_dev.c), its peers (overlay_peer.c) and its UDP
 * tunnel sockets (overlay_sock.c). This header is what the rest of the
 * module sees.
 *
 * Per-netns part of struct np_net. All-zero is the valid empty state, so it
 * needs no init; it is empty again before the netns goes away, because the
 * rtnl core deletes the devices of a dying netns first.
 */
struct np_overlay_net {
	struct hlist_head devs;		/* our devices; np_net.lock (+ RTNL) */
	struct hlist_head socks;	/* UDP tunnel sockets; RTNL */
	unsigned int ndevs;		/* np_net.lock; read with READ_ONCE */
	unsigned int npeers;		/* over all devices; np_net.lock */
	unsigned int ncidrs;		/* peer CIDRs over all devices; np_net.lock */
	unsigned int gen;		/* bumped when a device or a peer
					 * comes, goes or changes (dumps) */
};

int np_overlay_init(void);
void np_overlay_exit(void);

/* Is @dev a nodeplane overlay device? (Any context.) */
bool np_overlay_dev_is(const struct net_device *dev);

static inline u32 np_overlay_ndevs(const struct np_overlay_net *on)
{
	return READ_ONCE(on->ndevs);
}

static inline u32 np_overlay_npeers(const struct np_overlay_net *on)
{
	return READ_ONCE(on->npeers);
}

#endif /* _NP_OVERLAY_H */
