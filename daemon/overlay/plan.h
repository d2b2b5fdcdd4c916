/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The overlay's desired state, computed from the configuration, the own
 * Node and every other Node (pure: no I/O, no clock), and the diff of a
 * desired list against what the kernel holds. The backends (vxlan.c,
 * hostgw.c, wgnative.c) apply the result.
 *
 * A Node is programmed when its kube-subnet-manager annotation is "true",
 * its backend-type is ours, and, for every family of the cluster CIDR, it
 * has a podCIDR, a public IP and (vxlan, wireguard) a well-formed backend
 * data annotation. Otherwise it is left out entirely (in dual-stack too)
 * with a reason. The own Node is never a peer.
 */
#ifndef _NP_PLAN_H
#define _NP_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "config.h"
#include "model/model.h"
#include "overlay/annot.h"
#include "overlay/rtnl.h"
#include "reconcile/diff.h"

#define NP_PLAN_WHY_LEN 256
#define NP_WG_PORT4 51820
#define NP_WG_PORT6 51821
#define NP_WG_KEEPALIVE 25

struct np_plan_in {
	enum np_backend backend;
	bool fam4, fam6;		/* families of the cluster CIDR */
	struct np_cidr cluster4, cluster6;
	const char *self;		/* own Node's name */
	const struct np_node *const *nodes;	/* every Node, any order */
	size_t n_nodes;
	struct np_addr ip4, ip6;	/* chosen interface addresses */
	uint32_t uplink_ifindex;	/* host-gw: routes' device */
	uint32_t vxlan_ifindex;		/* vxlan: cluster routes' device */
	uint32_t wg4_ifindex, wg6_ifindex;	/* wireguard: route devices */
	uint32_t vni;
	uint8_t mac4[NP_MAC_LEN], mac6[NP_MAC_LEN];	/* own VTEP MACs */
	uint8_t wg_key[NP_ANNOT_KEY_LEN];	/* own WireGuard public key */
	/* flannel-external-ip with node-external-ip: family 0 when unset */
	struct np_addr ext4, ext6;
};

/* One module peer (one family of one Node). */
struct np_plan_peer {
	uint8_t mac[NP_MAC_LEN];
	struct np_addr endpoint;
	struct np_cidr cidr;
	bool odd;		/* kernel state not of our shape (CIDRs != 1) */
	const char *node;	/* NULL: not known (from a dump) */
};

/* One route: a cluster route (node NULL) or a host-gw route. */
struct np_plan_route {
	struct np_route r;
	const char *node;
};

/* One WireGuard peer (one family of one Node). */
struct np_plan_wg {
	int family;		/* which device: AF_INET np-wg, AF_INET6 np-wg-v6 */
	uint8_t key[NP_ANNOT_KEY_LEN];
	struct np_addr endpoint;
	uint16_t port;
	uint16_t keepalive_s;
	struct np_cidr cidr;
	bool odd;		/* kernel state not of our shape */
	const char *node;
};

/* A Node left out, and why. warn: worth a warning (else debug). */
struct np_plan_skip {
	const char *node;
	char why[NP_PLAN_WHY_LEN];
	bool warn;
};

struct np_plan {
	bool self_ready;		/* own Node usable: device, peers, publish */
	char self_why[NP_PLAN_WHY_LEN];	/* why not */
	bool self_error;		/* self_why is an error, not a wait */
	struct np_cidr self_pod4, self_pod6;	/* /32, /128 device addresses */
	bool v4_refused;		/* host-gw: external IP != interface IP */
	char refused_why[NP_PLAN_WHY_LEN];
	struct np_annots annots;	/* what the own Node must carry */
	char self_warn[NP_PLAN_WHY_LEN];	/* e.g. malformed overwrite; "" */

	struct np_plan_peer *peers;	/* sorted by MAC */
	size_t n_peers;
	struct np_plan_route *routes;	/* sorted by family, dst */
	size_t n_routes;
	struct np_plan_wg *wg;		/* sorted by family, key */
	size_t n_wg;
	struct np_plan_skip *skips;	/* sorted by node */
	size_t n_skips;
	size_t n_programmed;		/* Nodes with peers or routes */

	char **names;			/* owned copies of Node names; NULL:
					 * the names belong to a cache */
	size_t n_names;
};

/*
 * Only the own Node's part (self_ready, self_why, self_pod4/6, annots):
 * what the devices need before the whole plan. self may be NULL. The
 * result holds no allocation.
 */
void np_plan_self(const struct np_plan_in *in, const struct np_node *self,
		  struct np_plan *out);
/* Builds the plan. 0 or -ENOMEM (plan freed). */
int np_plan_build(const struct np_plan_in *in, struct np_plan *out);
void np_plan_free(struct np_plan *p);

/*
 * The same plan, built incrementally: the cache keeps, per other Node, a
 * copy of the annotations and podCIDRs the Node's own checks read and
 * their verdict (decoded backend data, or the reason it is left out), so
 * a Node whose inputs did not change is not decoded again; the order by
 * name is sorted again only when Nodes are added. The verdicts depend on
 * backend, families, cluster CIDRs and own name too: a change of those
 * empties the cache. The cross-Node checks run on every build (O(n)).
 * Node names in the plan belong to the cache: valid until the next
 * np_plan_cache_build or np_plan_cache_free. 0 or -ENOMEM (plan freed,
 * cache emptied).
 */
struct np_plan_cache;

int np_plan_cache_new(struct np_plan_cache **out);
void np_plan_cache_free(struct np_plan_cache *pc);
int np_plan_cache_build(struct np_plan_cache *pc, const struct np_plan_in *in,
			struct np_plan *out);
/* Forgets every verdict: the next build evaluates every Node. */
void np_plan_cache_reset(struct np_plan_cache *pc);
/* How many Nodes the last build evaluated (decoded) again. */
size_t np_plan_cache_evals(const struct np_plan_cache *pc);

/* Order and equality used by the plan and the diffs. */
int np_plan_peer_cmp(const void *a, const void *b);	/* by MAC */
int np_plan_route_cmp(const void *a, const void *b);	/* by family, dst */
int np_plan_wg_cmp(const void *a, const void *b);	/* by family, key */
bool np_plan_peer_eq(const struct np_plan_peer *a,
		     const struct np_plan_peer *b);
bool np_plan_route_eq(const struct np_plan_route *a,
		      const struct np_plan_route *b);
bool np_plan_wg_eq(const struct np_plan_wg *a, const struct np_plan_wg *b);

/*
 * Diffs of sorted lists with the one sorted diff (reconcile/diff.h): every
 * DEL first, then ADD and REPLACE in key order. An entry only in cur is
 * deleted when may_delete (the Node kind is synced), or, for module peers,
 * when its CIDR is one a wanted peer needs (the module refuses a CIDR
 * owned by another peer). *ops is malloc'd (NULL when *n is 0). 0,
 * -EINVAL (a list out of order) or -ENOMEM. (The runner diffs the
 * overlay's tables itself, always with may_delete: it holds every pass
 * until the Nodes are synced.)
 */
int np_plan_diff_peers(const struct np_plan_peer *want, size_t nw,
		       const struct np_plan_peer *cur, size_t nc,
		       bool may_delete, struct np_diff_step **ops, size_t *n);
int np_plan_diff_routes(const struct np_plan_route *want, size_t nw,
			const struct np_plan_route *cur, size_t nc,
			bool may_delete, struct np_diff_step **ops, size_t *n);
int np_plan_diff_wg(const struct np_plan_wg *want, size_t nw,
		    const struct np_plan_wg *cur, size_t nc,
		    bool may_delete, struct np_diff_step **ops, size_t *n);

#endif /* _NP_PLAN_H */
