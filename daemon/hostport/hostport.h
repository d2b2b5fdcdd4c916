/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostPort forwarding of this node's pods, planned purely from the model
 * (no I/O): what the CNI portmap plugin would install (servicelb.md §4),
 * as frontends of owner NP_LB_OWNER_HOSTPORT, subject to the same port
 * claims as ServiceLB (servicelb/claims.h).
 */
#ifndef _NP_HOSTPORT_H
#define _NP_HOSTPORT_H

#include <stdbool.h>

#include "model/model.h"
#include "nl/nl.h"
#include "servicelb/servicelb.h"

/*
 * Whether pod's hostPorts are forwarded (when its claims are won): valid,
 * not hostNetwork, phase Running, or Pending with a pod IP (its sandbox
 * exists: portmap runs at sandbox creation), with at least one pod IP.
 */
bool np_hostport_pod_served(const struct np_pod *pod);

/* The kinds the plan reads (a mask for the runner). */
#define NP_HOSTPORT_KINDS (1U << NP_KIND_NODE | 1U << NP_KIND_SERVICE | \
			   1U << NP_KIND_POD)
/* Of them, those it reads on this node only (spec.nodeName = self). */
#define NP_HOSTPORT_NODE_KINDS (1U << NP_KIND_POD)

/*
 * The frontends of node self, canonical and sorted by key: for each pod
 * on self that np_hostport_pod_served() and whose port claims won, each
 * container port with a hostPort and a known protocol, and each of the
 * pod's IPs (one per family):
 *  - key: (family of the pod IP, protocol, hostPort, local = hostIP when
 *    set); a hostIP of the other family skips that family (portmap);
 *  - backend podIP:containerPort, NP_LBB_F_LOCAL | NP_LBB_F_READY;
 *  - flags NP_LB_F_HAIRPIN, and for IPv4 without hostIP
 *    NP_LB_F_LOCALHOST (127.0.0.1:hostPort from the node, as portmap);
 *  - an exact repeat of a key within one pod is dropped.
 * with_servicelb false (ServiceLB disabled: `disable: [servicelb]`, as
 * K3s's --disable=servicelb leaves no svclb pod to reserve ports): no
 * Service claims ports, pods compete only among themselves.
 * rep (may be NULL) receives the port conflicts on self (unserved stays
 * empty). 0 or -ENOMEM (out empty).
 */
int np_hostport_plan(const struct np_model *m, const char *self,
		     bool with_servicelb, struct np_lb_list *out,
		     struct np_slb_report *rep);

#endif /* _NP_HOSTPORT_H */
