// SPDX-License-Identifier: GPL-2.0
/*
 * Overlay peers: per device, a hash by VTEP MAC (the FDB equivalent) and an
 * LPM table from pod CIDR to peer (the route equivalent), both read under
 * RCU by the packet path.
 *
 * A peer is replaced, never edited: NEW with a known MAC builds a complete
 * new peer, points each of its CIDRs at it (one rcu_assign_pointer each),
 * swaps it into the MAC hash, unlinks the CIDRs the old one had and the new
 * one lacks, and frees the old peer after a grace period. A packet sees the
 * old peer or the new one, never a mix of their fields.
 *
 * CIDR conflicts: a CIDR already owned by *another* peer of the same device
 * is rejected (-EEXIST), never silently taken over. A stale peer (a node
 * deleted while the daemon was down) must be deleted first; a daemon that
 * converges by dump-and-diff deletes before it adds, and a takeover would
 * leave the loser listing a CIDR it no longer owns.
 *
 * Once a reader may have seen a peer (it is in the CIDR table or the MAC
 * hash), it is freed only after a grace period, on every path, failures
 * included: replace owns the peer it is given.
 *
 * The receive path asks who sent a frame (NP_OVERLAY_F_RX_SRC_CHECK): the
 * peer owning its inner source, whose endpoint must be the outer source.
 *
 * The MAC hash is keyed per device with a random siphash key: the MACs
 * come from tenants, who must not be able to pile their peers into one
 * bucket.
 *
 * Limits per netns (module parameters, params.h): max_peers peers over all
 * devices, max_cidrs CIDRs (the CIDR tables' budget), -ENOSPC beyond.
 */
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/nodeplane.h>
#include <net/ipv6.h>

#include "overlay_priv.h"
#include "params.h"

static u32 mac_hash(const struct np_ovl_dev *od, const u8 *mac)
{
	return siphash(mac, ETH_ALEN, &od->peer_key) &
	       ((1U << NP_OVL_PEER_HASH_BITS) - 1);
}

static enum np_lpm_family lpm_fam(int family)
{
	return family == AF_INET ? NP_LPM_V4 : NP_LPM_V6;
}

struct np_ovl_peer *np_overlay_peer_alloc(unsigned int ncidrs)
{
	struct np_ovl_peer *peer;

	peer = kzalloc(struct_size(peer, cidrs, ncidrs), GFP_KERNEL_ACCOUNT);
	if (!peer)
		return NULL;
	if (dst_cache_init(&peer->dst_cache, GFP_KERNEL_ACCOUNT)) {
		kfree(peer);
		return NULL;
	}
	peer->ncidrs = ncidrs;
	return peer;
}

static void peer_destroy(struct np_ovl_peer *peer)
{
	dst_cache_destroy(&peer->dst_cache);
	kfree(peer);
}

void np_overlay_peer_free(struct np_ovl_peer *peer)
{
	/* a published peer may be in a reader's hands: peer_release() */
	if (WARN_ON_ONCE(peer->published))
		return;	/* leaked rather than freed under a reader */
	peer_destroy(peer);
}

static void peer_free_rcu(struct rcu_head *head)
{
	peer_destroy(container_of(head, struct np_ovl_peer, rcu));
}

/* Free @peer, after a grace period if a reader may have seen it. */
static void peer_release(struct np_ovl_peer *peer)
{
	if (peer->published)
		call_rcu(&peer->rcu, peer_free_rcu);
	else
		peer_destroy(peer);
}

struct np_ovl_peer *np_overlay_peer_by_mac(struct np_ovl_dev *od,
					   const u8 *mac)
{
	struct np_ovl_peer *peer;

	hlist_for_each_entry_rcu(peer, &od->peers[mac_hash(od, mac)], mac_node,
				 lockdep_is_held(&od->nn->lock))
		if (ether_addr_equal(peer->mac, mac))
			return peer;
	return NULL;
}

struct np_ovl_peer *np_overlay_peer_lookup(struct np_ovl_dev *od,
					   int family, const void *addr)
{
	return np_lpm_lookup(&od->cidrs, lpm_fam(family), addr);
}

static bool ep_is(const struct np_ovl_peer *peer, int family,
		  const void *outer)
{
	if (!peer || peer->family != family)
		return false;
	if (family == AF_INET)
		return peer->ep.ip4 == *(const __be32 *)outer;
	return ipv6_addr_equal(&peer->ep.ip6, outer);
}

bool np_overlay_peer_sent(struct np_ovl_dev *od, int family, const void *src,
			  const u8 *mac, const void *outer)
{
	if (ep_is(np_overlay_peer_lookup(od, family, src), family, outer))
		return true;
	return mac && ep_is(np_overlay_peer_by_mac(od, mac), family, outer);
}

static bool has_cidr(const struct np_ovl_peer *peer, const struct np_cidr *c)
{
	unsigned int i;

	for (i = 0; i < peer->ncidrs; i++)
		if (peer->cidrs[i].plen == c->plen &&
		    peer->cidrs[i].family == c->family &&
		    !memcmp(peer->cidrs[i].addr, c->addr, sizeof(c->addr)))
			return true;
	return false;
}

/* Point the first @n CIDRs of @peer back at what they held before. */
static void unwind(struct np_ovl_dev *od, struct np_ovl_peer *peer,
		   struct np_ovl_peer *old, unsigned int n)
{
	struct np_cidr *c;
	void *prev;

	while (n--) {
		c = &peer->cidrs[n];
		if (old && has_cidr(old, c))	/* exact node exists: no alloc */
			np_lpm_insert(&od->cidrs, c->family, c->addr, c->plen,
				      old, &prev);
		else
			np_lpm_remove(&od->cidrs, c->family, c->addr, c->plen);
	}
}

int np_overlay_peer_replace(struct np_ovl_dev *od, struct np_ovl_peer *peer,
			    struct netlink_ext_ack *extack)
{
	struct np_overlay_net *on = &od->nn->overlay;
	struct np_ovl_peer *old, *owner;
	struct np_cidr *c;
	unsigned int i;
	void *prev;
	int err;

	lockdep_assert_held(&od->nn->lock);
	if (od->dead) {
		NL_SET_ERR_MSG_MOD(extack, "the device is being deleted");
		err = -ENODEV;
		goto err_release;
	}
	old = np_overlay_peer_by_mac(od, peer->mac);
	if (!old && on->npeers >= np_limits.max_peers) {
		NL_SET_ERR_MSG_MOD(extack,
				   "too many peers in this network namespace (module parameter max_peers)");
		err = -ENOSPC;
		goto err_release;
	}

	for (i = 0; i < peer->ncidrs; i++) {
		c = &peer->cidrs[i];
		owner = np_lpm_find_exact(&od->cidrs, c->family, c->addr,
					  c->plen);
		if (owner && owner != old) {
			NL_SET_ERR_MSG_MOD(extack,
					   "a CIDR is already owned by another peer of this device (delete that peer first)");
			err = -EEXIST;
			goto err_release;
		}
	}
	for (i = 0; i < peer->ncidrs; i++) {
		c = &peer->cidrs[i];
		err = np_lpm_insert(&od->cidrs, c->family, c->addr, c->plen,
				    peer, &prev);
		if (err) {
			unwind(od, peer, old, i);
			if (err == -ENOSPC)
				NL_SET_ERR_MSG_MOD(extack,
						   "too many peer CIDRs in this network namespace (module parameter max_cidrs)");
			else
				NL_SET_ERR_MSG_MOD(extack,
						   "out of memory for the CIDR table");
			goto err_release;
		}
		/* from here on the TX path may hold it */
		peer->published = true;
	}
	if (old) {
		hlist_replace_rcu(&old->mac_node, &peer->mac_node);
		for (i = 0; i < old->ncidrs; i++) {
			c = &old->cidrs[i];
			if (!has_cidr(peer, c))
				np_lpm_remove(&od->cidrs, c->family, c->addr,
					      c->plen);
		}
		call_rcu(&old->rcu, peer_free_rcu);
	} else {
		hlist_add_head_rcu(&peer->mac_node,
				   &od->peers[mac_hash(od, peer->mac)]);
		od->npeers++;
		WRITE_ONCE(on->npeers, on->npeers + 1);
	}
	peer->published = true;
	on->gen++;
	return 0;

err_release:
	peer_release(peer);
	return err;
}

static void unlink_peer(struct np_ovl_dev *od, struct np_ovl_peer *peer)
{
	unsigned int i;

	for (i = 0; i < peer->ncidrs; i++)
		np_lpm_remove(&od->cidrs, peer->cidrs[i].family,
			      peer->cidrs[i].addr, peer->cidrs[i].plen);
	hlist_del_rcu(&peer->mac_node);
	od->npeers--;
	WRITE_ONCE(od->nn->overlay.npeers, od->nn->overlay.npeers - 1);
	od->nn->overlay.gen++;
	call_rcu(&peer->rcu, peer_free_rcu);
}

int np_overlay_peer_del(struct np_ovl_dev *od, const u8 *mac)
{
	struct np_ovl_peer *peer;

	lockdep_assert_held(&od->nn->lock);
	peer = np_overlay_peer_by_mac(od, mac);
	if (!peer)
		return -ENOENT;
	unlink_peer(od, peer);
	return 0;
}

void np_overlay_peer_flush(struct np_ovl_dev *od)
{
	struct np_ovl_peer *peer;
	struct hlist_node *tmp;
	unsigned int b;

	lockdep_assert_held(&od->nn->lock);
	for (b = 0; b < ARRAY_SIZE(od->peers); b++)
		hlist_for_each_entry_safe(peer, tmp, &od->peers[b], mac_node)
			unlink_peer(od, peer);
	np_lpm_destroy(&od->cidrs);
}

int np_overlay_peer_dump(struct sk_buff *skb, struct np_ovl_dev *od,
			 unsigned int *bucket, unsigned int *skip,
			 int (*fill)(struct sk_buff *skb, struct np_ovl_dev *od,
				     const struct np_ovl_peer *peer, void *arg),
			 void *arg)
{
	struct np_ovl_peer *peer;
	unsigned int idx;
	int err;

	lockdep_assert_held(&od->nn->lock);
	for (; *bucket < ARRAY_SIZE(od->peers); (*bucket)++, *skip = 0) {
		idx = 0;
		hlist_for_each_entry(peer, &od->peers[*bucket], mac_node) {
			if (idx++ < *skip)
				continue;
			err = fill(skb, od, peer, arg);
			if (err)
				return err;
			(*skip)++;
		}
	}
	return 0;
}
