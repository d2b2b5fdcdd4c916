/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NP_OVERLAY_PRIV_H
#define _NP_OVERLAY_PRIV_H

/*
 * Internals shared by overlay_dev.c, overlay_peer.c, overlay_sock.c and
 * nl_overlay.c.
 *
 * Locking: a device's configuration (struct np_ovl_cfg) is replaced, never
 * changed in place, by writers holding RTNL and the netns mutex; its peers
 * and CIDR table change under the netns mutex only; the sockets list and
 * the device <-> socket binding under RTNL. The packet path reads all of it
 * under RCU and takes no lock.
 *
 * Lifetime (WireGuard's rule): a device's state (configuration, counters)
 * lives until its priv_destructor, so whoever holds a reference to the
 * device may read it. ndo_uninit marks the device dead under the netns
 * mutex and removes its peers; every writer takes the mutex and checks
 * @dead before anything else.
 */
#include <linux/siphash.h>
#include <linux/etherdevice.h>
#include <linux/in6.h>
#include <linux/netdevice.h>
#include <linux/u64_stats_sync.h>
#include <net/dst_cache.h>
#include <net/gro_cells.h>

#include "cidr.h"
#include "lpm.h"
#include "pernet.h"

/* A device's configuration: NP_OVERLAY_A_* as last set. */
struct np_ovl_cfg {
	struct rcu_head rcu;
	u32 vni;
	u16 port;			/* host order */
	u32 flags;			/* NP_OVERLAY_F_* */
	bool has_local4;
	bool has_local6;
	__be32 local4;
	struct in6_addr local6;
	u8 mac[ETH_ALEN];		/* IPv4 VTEP MAC, = dev->dev_addr */
	u8 mac6[ETH_ALEN];		/* IPv6 VTEP MAC */
};

/* What NP_CMD_OVERLAY_SET asks to change (NP_OVL_SET_* in @set). */
enum {
	NP_OVL_SET_VNI = 1U << 0,
	NP_OVL_SET_PORT = 1U << 1,
	NP_OVL_SET_LOCAL4 = 1U << 2,
	NP_OVL_SET_LOCAL6 = 1U << 3,
	NP_OVL_SET_MAC = 1U << 4,
	NP_OVL_SET_MAC6 = 1U << 5,
	NP_OVL_SET_FLAGS = 1U << 6,
};

struct np_ovl_change {
	u32 set;
	struct np_ovl_cfg cfg;		/* the new values of the fields in @set */
};

/* Drop counters, in the order of NP_OSTAT_A_TX_NO_PEER .. _RX_BAD_SRC. */
enum np_ovl_counter {
	NP_OVL_TX_NO_PEER,
	NP_OVL_TX_NO_ROUTE,
	NP_OVL_TX_TOO_BIG,
	NP_OVL_RX_BAD_HEADER,
	NP_OVL_RX_BAD_VNI,
	NP_OVL_RX_BAD_MAC,
	NP_OVL_RX_LOOP,
	NP_OVL_RX_BAD_CSUM,
	NP_OVL_RX_BAD_INNER,
	NP_OVL_RX_BAD_SRC,		/* NP_OVERLAY_F_RX_SRC_CHECK refusals */
	__NP_OVL_COUNTERS
};

struct np_ovl_pcpu {
	u64_stats_t c[__NP_OVL_COUNTERS];
	struct u64_stats_sync syncp;
};

/* A remote node for one family: its VTEP MAC, underlay endpoint and CIDRs. */
struct np_ovl_peer {
	struct hlist_node mac_node;	/* np_ovl_dev.peers[] */
	struct rcu_head rcu;
	struct dst_cache dst_cache;	/* route to @ep */
	bool published;			/* readers may hold it: free after a
					 * grace period only */
	u8 mac[ETH_ALEN];
	u8 family;			/* AF_INET or AF_INET6, of @ep and CIDRs */
	union {
		__be32 ip4;
		struct in6_addr ip6;
	} ep;
	unsigned int ncidrs;
	struct np_cidr cidrs[];
};

#define NP_OVL_PEER_HASH_BITS 8
#define NP_OVL_PEER_MAX_CIDRS 64

struct np_ovl_sock;

/* netdev_priv() of a nodeplane device. */
struct np_ovl_dev {
	struct net_device *dev;
	struct np_net *nn;		/* of dev_net(dev): devices never move */
	struct np_ovl_cfg __rcu *cfg;
	struct np_ovl_sock __rcu *vs;	/* while up */
	struct hlist_node node;		/* np_overlay_net.devs */
	struct hlist_node sock_node;	/* np_ovl_sock.devs, while up */
	struct np_lpm cidrs;		/* pod CIDR -> struct np_ovl_peer */
	struct hlist_head peers[1 << NP_OVL_PEER_HASH_BITS];	/* by MAC */
	siphash_key_t peer_key;		/* random: tenants choose the MACs */
	unsigned int npeers;
	bool dead;			/* uninit ran: no more writes */
	struct np_ovl_pcpu __percpu *pcpu;
	struct gro_cells gro_cells;
};

/* One UDP port in one netns: an IPv4 and an IPv6 (v6only) socket. */
struct np_ovl_sock {
	struct hlist_node node;		/* np_overlay_net.socks */
	struct hlist_head devs;		/* up devices using the port */
	struct socket *sock4;
	struct socket *sock6;		/* NULL without IPv6 */
	u16 port;
	unsigned int users;
};

/* Writer-side view of a device's configuration (RTNL or netns mutex). */
static inline struct np_ovl_cfg *np_overlay_cfg(struct np_ovl_dev *od)
{
	return rcu_dereference_protected(od->cfg, lockdep_rtnl_is_held() ||
					 lockdep_is_held(&od->nn->lock));
}

static inline void np_overlay_count(struct np_ovl_dev *od,
				    enum np_ovl_counter c)
{
	struct np_ovl_pcpu *p = this_cpu_ptr(od->pcpu);

	u64_stats_update_begin(&p->syncp);
	u64_stats_inc(&p->c[c]);
	u64_stats_update_end(&p->syncp);
}

/* overlay_dev.c */
extern struct rtnl_link_ops np_overlay_link_ops;
void np_overlay_xmit_peer(struct sk_buff *skb, struct np_ovl_dev *od,
			  struct np_ovl_peer *peer, bool set_dst);
int np_overlay_configure(struct np_ovl_dev *od, const struct np_ovl_change *ch,
			 struct netlink_ext_ack *extack);
int np_overlay_fill(struct sk_buff *skb, struct np_ovl_dev *od);

/* overlay_sock.c (RTNL) */
int np_overlay_sock_attach(struct np_ovl_dev *od, u16 port, u32 vni,
			   struct netlink_ext_ack *extack);
void np_overlay_sock_detach(struct np_ovl_dev *od);

/* overlay_peer.c */
struct np_ovl_peer *np_overlay_peer_alloc(unsigned int ncidrs);
/* Frees a peer that was never published (replace owns published ones). */
void np_overlay_peer_free(struct np_ovl_peer *peer);
/*
 * Publish @peer, replacing the peer with its MAC. Owns @peer on every path:
 * on error it is freed, after a grace period if any reader may have seen it.
 */
int np_overlay_peer_replace(struct np_ovl_dev *od, struct np_ovl_peer *peer,
			    struct netlink_ext_ack *extack);
int np_overlay_peer_del(struct np_ovl_dev *od, const u8 *mac);
void np_overlay_peer_flush(struct np_ovl_dev *od);
/* RCU readers: */
struct np_ovl_peer *np_overlay_peer_by_mac(struct np_ovl_dev *od,
					   const u8 *mac);
struct np_ovl_peer *np_overlay_peer_lookup(struct np_ovl_dev *od,
					   int family, const void *addr);
/*
 * NP_OVERLAY_F_RX_SRC_CHECK: is @outer (an underlay address of @family) the
 * endpoint of the peer whose pod CIDRs hold @src (an inner address of
 * @family), or, when @mac is given, of the peer with VTEP MAC @mac and
 * that family? RCU reader.
 */
bool np_overlay_peer_sent(struct np_ovl_dev *od, int family, const void *src,
			  const u8 *mac, const void *outer);
/* Dump from bucket *@bucket, skipping *@skip entries in it (netns mutex). */
int np_overlay_peer_dump(struct sk_buff *skb, struct np_ovl_dev *od,
			 unsigned int *bucket, unsigned int *skip,
			 int (*fill)(struct sk_buff *skb, struct np_ovl_dev *od,
				     const struct np_ovl_peer *peer, void *arg),
			 void *arg);

#endif /* _NP_OVERLAY_PRIV_H */
