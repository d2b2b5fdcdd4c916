/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The overlay reconciler: replaces flannel for K3s started with
 * --flannel-backend=none. From the Nodes in the model it programs the
 * nodeplane module's peers (vxlan), routes (host-gw) or the kernel's
 * WireGuard (wireguard-native), sets masquerade from the configuration,
 * and publishes on its own Node the annotations stock flannel peers read
 * (API mode only). See docs/nodeplaned.md and docs/k3s.md.
 *
 * flannel-backend none: the reconciler does nothing at all (no device, no
 * peers, no routes, masquerade left alone): another CNI owns the network.
 *
 * Lifetime: np_overlay_new() reads the kernel's state and converges to
 * the desired one without flushing anything; np_overlay_free() leaves the
 * kernel exactly as it is (and unsubscribes from the model). The kube
 * client has no per-request cancel: free the sources of the model (kube,
 * manifests) before the overlay, and the model after it.
 */
#ifndef _NP_OVERLAY_H
#define _NP_OVERLAY_H

struct np_loop;
struct np_config;
struct np_model;
struct np_nl;
struct np_kube;
struct np_overlay;

struct np_overlay_deps {
	struct np_loop *lp;
	const struct np_config *cfg;	/* copied */
	struct np_model *model;
	struct np_nl *nl;
	struct np_kube *kube;		/* NULL: manifests mode, write nothing */
};

/* 0, or a negative errno (logged) when rtnetlink cannot be opened. */
int np_overlay_new(const struct np_overlay_deps *d, struct np_overlay **out);
void np_overlay_free(struct np_overlay *o);
/* SIGHUP: takes the new configuration (copied) and runs a full pass,
 * removing what another backend left. 0 or a negative errno. */
int np_overlay_reload(struct np_overlay *o, const struct np_config *cfg);

#endif /* _NP_OVERLAY_H */
