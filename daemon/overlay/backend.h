/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Inside the overlay reconciler: the state overlay.c keeps between passes
 * and the functions of the backends that apply a plan to the kernel
 * (vxlan.c: the nodeplane device and its peers; hostgw.c: our routes, for
 * every backend; wgnative.c: the WireGuard devices and peers). Not for
 * other parts of the daemon: they use overlay.h.
 *
 * "cur" lists are what the reconciler believes the kernel holds: dumped
 * on a full pass, then updated by each successful change. Items own their
 * node name (strdup'd; NULL when not known).
 */
#ifndef _NP_OVERLAY_BACKEND_H
#define _NP_OVERLAY_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "loop.h"
#include "nl/nl.h"
#include "overlay/annot.h"
#include "overlay/famwatch.h"
#include "overlay/overlay.h"
#include "overlay/plan.h"
#include "overlay/pubip.h"
#include "overlay/rtnl.h"
#include "overlay/subnetenv.h"
#include "overlay/wg.h"

#define NP_VXLAN_DEV "np-vxlan"
#define NP_WG_DEV4 "np-wg"
#define NP_WG_DEV6 "np-wg-v6"
#define NP_VXLAN_OVERHEAD 50
#define NP_WG_OVERHEAD 80
#define NP_WG_KEY_FILE "wireguard.key"

/* Counts of one pass. */
struct np_ovl_stats {
	unsigned int added, changed, removed, failed;
};

/* A sorted list of plan items (struct np_plan_peer, _route, _wg). */
struct np_ovl_list {
	void *v;
	size_t n;
};

struct np_overlay {
	struct np_loop *lp;
	struct np_config cfg;
	struct np_model *model;
	struct np_nl *nl;
	struct np_kube *kube;
	struct np_rtnl *rt;
	struct np_wg *wg;		/* opened with the first WireGuard pass */

	/* module reloads: family events, and the connections' generations
	 * the kernel state was last programmed for */
	struct np_famwatch *fw;		/* NULL: not available */
	struct np_io fw_io;
	unsigned int nl_gen, wg_gen;

	struct np_timer t_debounce, t_resync, t_retry, t_publish;
	bool full_due;			/* the next pass dumps the kernel */
	bool need_cleanup;		/* the next pass removes other backends */
	unsigned int retry_ms;		/* backoff of failed passes */
	bool converged_once;		/* a summary was logged since ready */
	uint64_t pass_started_ms;
	uint64_t first_event_ms;	/* oldest model event not yet handled */

	struct np_pubip pub;
	bool pub_ok;			/* pub gathered; kept until a full pass */
	char pub_why[NP_PLAN_WHY_LEN];	/* last logged interface problem */

	/* incremental passes */
	struct np_plan_cache *pc;	/* per-Node verdicts between passes */
	bool dev_ok;			/* the devices were set up for dev_pod */
	struct np_cidr dev_pod4, dev_pod6;

	/* vxlan */
	uint32_t vx_ifindex;
	bool vx_macs;			/* mac4/mac6 chosen this run */
	uint8_t mac4[NP_MAC_LEN], mac6[NP_MAC_LEN];
	/* wireguard */
	bool wg_keyed;
	uint8_t wg_priv[NP_WG_KEY_LEN], wg_pub[NP_WG_KEY_LEN];
	uint32_t wg4_ifindex, wg6_ifindex;

	struct np_ovl_list peers, routes, wgs;	/* cur */

	/* what was logged, so each reason is logged once per change */
	struct np_plan_skip *skips;
	char **skip_names;
	size_t n_skips;
	char self_why[NP_PLAN_WHY_LEN], self_warn[NP_PLAN_WHY_LEN];
	char refused_why[NP_PLAN_WHY_LEN];

	/* subnet.env: the text last written (or found), "" when unknown */
	char senv[NP_SUBNETENV_LEN];
	bool senv_failed;		/* warned; retried on full passes */

	/* publication */
	struct np_annots sent;		/* last patch sent */
	bool sent_valid, patch_busy;
	uint64_t repatch_after_ms;	/* don't resend sent before this */
	unsigned int patch_backoff_ms;
};

/* overlay.c: the cur lists, for any of the three item kinds. */
struct np_ovl_kind {
	size_t size;			/* of one item */
	size_t name_off;		/* offsetof its const char *node */
	int (*cmp)(const void *, const void *);
};

extern const struct np_ovl_kind np_ovl_kind_peer, np_ovl_kind_route,
	np_ovl_kind_wg;

void np_ovl_list_free(const struct np_ovl_kind *k, struct np_ovl_list *l);
/* Sorts fresh (a dump, names NULL) and names its items after old's. */
int np_ovl_list_adopt(const struct np_ovl_kind *k, struct np_ovl_list *fresh,
		      const struct np_ovl_list *old);
/*
 * A dump becomes cur: fresh is adopted (named after cur's items, and
 * keep(fresh item, cur item), if not NULL, for each item cur also has)
 * and replaces cur. On failure fresh is freed and cur kept. 0 or -ENOMEM.
 */
int np_ovl_list_take(const struct np_ovl_kind *k, struct np_ovl_list *cur,
		     struct np_ovl_list *fresh,
		     void (*keep)(void *item, const void *old));

/* How one backend applies the ops of a diff to the kernel. */
struct np_ovl_apply {
	const struct np_ovl_kind *kind;
	struct np_ovl_list *cur;
	const void *want;
	size_t n_want;
	/* 0 or a negative errno (err filled) */
	int (*del)(struct np_overlay *o, const void *cur_item,
		   struct np_err *err);
	int (*set)(struct np_overlay *o, const void *want_item,
		   struct np_err *err);
	/* what: "added", "changed" or "removed" */
	void (*log)(const char *what, const void *item);
	/* the warning for an op that failed */
	void (*fail)(const void *item, const struct np_err *err);
};

/*
 * Applies ops (every DEL first, as the diffs order them), counts them in
 * st, and updates cur (np_ovl_list_after; a full pass is due if that runs
 * out of memory). Frees ops.
 */
void np_ovl_apply(struct np_overlay *o, const struct np_ovl_apply *a,
		  struct np_op *ops, size_t n, struct np_ovl_stats *st);
/*
 * After applying ops (ok[i]: ops[i] succeeded): cur becomes want, except
 * that a failed add/change keeps cur's item (or none) and an item only
 * in cur stays unless its deletion succeeded.
 */
int np_ovl_list_after(const struct np_ovl_kind *k, struct np_ovl_list *cur,
		      const void *want, size_t nw, const struct np_op *ops,
		      size_t nops, const bool *ok);
/* The interface name of ifindex ("if<N>" when it has none). */
const char *np_ovl_ifname(uint32_t ifindex, char buf[NP_IFNAME_LEN]);

/*
 * vxlan.c. Makes np-vxlan exist, up, with MTU, VNI, port, local addresses,
 * VTEP MACs (self's annotations, else the device's, else the module's)
 * and the own pod addresses. 0 or a negative errno (logged).
 */
int np_vxlan_device(struct np_overlay *o, const struct np_node *self,
		    const struct np_plan *pre);
/* Converges the module's peers to p->peers (full: dump first). */
void np_vxlan_peers(struct np_overlay *o, const struct np_plan *p, bool full,
		    bool synced, struct np_ovl_stats *st);

/* hostgw.c: converges our routes (protocol NP_RTPROT) to p->routes. */
void np_ovl_routes(struct np_overlay *o, const struct np_plan *p, bool full,
		   bool synced, struct np_ovl_stats *st);

/* wgnative.c: key, np-wg / np-wg-v6 devices, and their peers. */
int np_wgn_devices(struct np_overlay *o, const struct np_plan *pre);
void np_wgn_peers(struct np_overlay *o, const struct np_plan *p, bool full,
		  bool synced, struct np_ovl_stats *st);

#endif /* _NP_OVERLAY_BACKEND_H */
