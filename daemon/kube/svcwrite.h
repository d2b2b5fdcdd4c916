/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The writes ServiceLB makes to Services (svcwrite.c), through a write
 * queue (writeq.h), so that a burst of recomputations sends one request
 * per Service and failures back off:
 *
 * - status.loadBalancer.ingress, a merge patch of the status subresource
 *   (PATCH .../services/NAME/status), key "services/NS/NAME/status";
 * - the finalizer service.kubernetes.io/load-balancer-cleanup added or
 *   removed, a strategic-merge patch of the Service, key
 *   "services/NS/NAME".
 */
#ifndef _NP_KUBE_SVCWRITE_H
#define _NP_KUBE_SVCWRITE_H

#include <stdbool.h>
#include <stddef.h>

#include "kube/writeq.h"

/* The finalizer of the upstream service controller. */
#define NP_KUBE_LB_FINALIZER	"service.kubernetes.io/load-balancer-cleanup"

/*
 * status.loadBalancer.ingress := [{"ip": ips[i], "ipMode": "VIP"}...] in
 * the order given (n 0: an empty status.loadBalancer). rv NULL: not
 * conditional (the elected writer's latest view wins); else only on that
 * resourceVersion. 0, -EINVAL (a bad namespace, name or address), -ENOMEM.
 */
int np_kube_service_status(struct np_kube_writeq *q, const char *ns,
			   const char *name, const char *rv,
			   const char *const *ips, size_t n,
			   np_kube_writeq_fn done, np_kube_writeq_fn conflict,
			   void *ctx);

/*
 * Adds (add true) or removes NP_KUBE_LB_FINALIZER from the Service's
 * metadata.finalizers, leaving any other finalizer alone: a strategic-merge
 * patch (finalizers merge as a set; removal is $deleteFromPrimitiveList),
 * as the upstream service controller's patches do, so no list needs to be
 * read first. uid non-NULL: only on the Service with that uid (a Service
 * deleted and created again under the same name answers 409). 0, -EINVAL,
 * -ENOMEM.
 */
int np_kube_service_finalizer(struct np_kube_writeq *q, const char *ns,
			      const char *name, const char *uid, bool add,
			      np_kube_writeq_fn done,
			      np_kube_writeq_fn conflict, void *ctx);

#endif /* _NP_KUBE_SVCWRITE_H */
