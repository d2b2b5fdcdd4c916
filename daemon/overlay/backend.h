/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Inside the overlay reconciler: the state overlay.c keeps between passes
 * and the functions of the backends that apply a plan to the kernel
 * (vxlan.c: the nodeplane device and its peers; hostgw.c: our routes, for
 * every backend; wgnative.c: the WireGuard devices and peers). Not for
 * other parts of the daemon: they use overlay.h.
 *
 * The peers, WireGuard peers and routes are tables of the runner
 * (reconcile/runner.h): its cur lists hold copies of the items, each
 * owning its node name (strdup'd; NULL when not known).
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
#include "overlay/overlay.h"
#include "overlay/plan.h"
#include "overlay/pubip.h"
#include "overlay/rtnl.h"
#include "overlay/subnetenv.h"
#include "overlay/wg.h"
#include "reconcile/runner.h"

#define NP_VXLAN_DEV "np-vxlan"
#define NP_WG_DEV4 "np-wg"
#define NP_WG_DEV6 "np-wg-v6"
#define NP_VXLAN_OVERHEAD 50
#define NP_WG_OVERHEAD 80
#define NP_WG_KEY_FILE "wireguard.key"

struct np_overlay {
	struct np_loop *lp;
	struct np_config cfg;
	struct np_model *model;
	struct np_nl *nl;
	struct np_kube *kube;
	struct np_runner *runner;
	struct np_rc *rc;		/* NULL: flannel-backend none */
	struct np_rtnl *rt;
	struct np_wg *wg;		/* opened with the first WireGuard pass */

	/* module reloads: the connections' generations the kernel state
	 * was last programmed for */
	unsigned int nl_gen, wg_gen;

	struct np_timer t_publish;
	bool need_cleanup;		/* the next pass removes other backends */
	bool converged_once;		/* a summary was logged since ready */

	struct np_pubip pub;
	bool pub_ok;			/* pub gathered; kept until a full pass */
	char pub_why[NP_PLAN_WHY_LEN];	/* last logged interface problem */

	/* incremental passes */
	struct np_plan_cache *pc;	/* per-Node verdicts between passes */
	bool dev_ok;			/* the devices were set up for dev_pod */
	struct np_cidr dev_pod4, dev_pod6;

	/* the pass in progress (begin to end): the Nodes, the own one, the
	 * plan the tables' plan callbacks hand to the runner */
	const struct np_node **nodes;
	size_t n_nodes, cap_nodes;
	const struct np_node *self;
	struct np_plan plan;
	bool plan_valid;

	/* vxlan */
	uint32_t vx_ifindex;
	bool vx_macs;			/* mac4/mac6 chosen this run */
	uint8_t mac4[NP_MAC_LEN], mac6[NP_MAC_LEN];
	/* wireguard */
	bool wg_keyed;
	uint8_t wg_priv[NP_WG_KEY_LEN], wg_pub[NP_WG_KEY_LEN];
	uint32_t wg4_ifindex, wg6_ifindex;

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

#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))

/*
 * overlay.c: the node name an item (struct np_plan_peer, _route, _wg)
 * owns in the runner's cur lists, and interface names for logs.
 */
int np_ovl_item_name_copy(const char *src, const char **dst);
void np_ovl_item_name_free(const char **name);
/* The interface name of ifindex ("if<N>" when it has none). */
const char *np_ovl_ifname(uint32_t ifindex, char buf[NP_IFNAME_LEN]);

/*
 * vxlan.c. Makes np-vxlan exist, up, with MTU, VNI, port, local addresses,
 * VTEP MACs (self's annotations, else the device's, else the module's)
 * and the own pod addresses. 0 or a negative errno (logged).
 */
int np_vxlan_device(struct np_overlay *o, const struct np_node *self,
		    const struct np_plan *pre);
/* The runner's table of the module's peers (o->plan.peers; vxlan only). */
extern const struct np_rc_table np_vxlan_peer_table;

/* hostgw.c: the table of our routes (protocol NP_RTPROT, o->plan.routes). */
extern const struct np_rc_table np_ovl_route_table;

/* wgnative.c: key, np-wg / np-wg-v6 devices, and their peers. */
int np_wgn_devices(struct np_overlay *o, const struct np_plan *pre);
/* The table of the WireGuard peers (o->plan.wg; wireguard-native only). */
extern const struct np_rc_table np_wgn_peer_table;

#endif /* _NP_OVERLAY_BACKEND_H */
