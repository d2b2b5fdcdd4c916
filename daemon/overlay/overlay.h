/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The overlay reconciler: replaces flannel for K3s started with
 * --flannel-backend=none. From the Nodes in the model it programs the
 * nodeplane module's peers (vxlan), routes (host-gw) or the kernel's
 * WireGuard (wireguard-native), sets masquerade from the configuration,
 * and publishes on its own Node the annotations stock flannel peers read
 * (API mode only). See docs/nodeplaned.md and docs/k3s.md.
 *
 * It runs on the reconciler runner (reconcile/runner.h), which schedules
 * its passes, holds them until the Nodes are synced, and applies its
 * tables (module peers, WireGuard peers, routes).
 *
 * flannel-backend none: the reconciler does nothing at all (no device, no
 * peers, no routes, masquerade left alone): another CNI owns the network;
 * it is not registered with the runner then.
 *
 * Lifetime: np_overlay_new() reads the kernel's state and converges to
 * the desired one without flushing anything; np_overlay_free() leaves the
 * kernel exactly as it is (and leaves the runner). The kube client has no
 * per-request cancel: free the sources of the model (kube, manifests)
 * before the overlay, and the runner and the model after it.
 */
#ifndef _NP_OVERLAY_H
#define _NP_OVERLAY_H

struct np_loop;
struct np_config;
struct np_model;
struct np_nl;
struct np_kube;
struct np_overlay;
struct np_runner;

/* The kinds the overlay reads (1U << NP_KIND_*; kube/kinds.c too). */
#define NP_OVERLAY_KINDS (1U << NP_KIND_NODE)

struct np_overlay_deps {
	struct np_loop *lp;
	const struct np_config *cfg;	/* copied */
	struct np_model *model;
	struct np_nl *nl;
	struct np_kube *kube;		/* NULL: manifests mode, write nothing */
	struct np_runner *runner;	/* passes run on it */
};

/* 0, or a negative errno (logged) when rtnetlink cannot be opened or
 * the runner refuses it. */
int np_overlay_new(const struct np_overlay_deps *d, struct np_overlay **out);
void np_overlay_free(struct np_overlay *o);
/* SIGHUP: takes the new configuration (copied) and runs a full pass,
 * removing what another backend left (joins or leaves the runner when
 * flannel-backend becomes, or stops being, none). 0 or a negative errno. */
int np_overlay_reload(struct np_overlay *o, const struct np_config *cfg);

#endif /* _NP_OVERLAY_H */
