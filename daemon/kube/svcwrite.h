/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The writes ServiceLB makes to Services (svcwrite.c), through a write
 * queue (writeq.h), so that a burst of recomputations sends one request
 * per Service and failures back off:
 *
 * - status.loadBalancer.ingress, a merge patch of the status subresource
 *   (PATCH .../services/NAME/status), key "services/NS/NAME/status";
 * - metadata.finalizers, a merge patch of the Service conditional on the
 *   resourceVersion read, key "services/NS/NAME" (the whole list is
 *   written, so a stale read must fail with 409 rather than drop someone
 *   else's finalizer: the conflict callback re-reads and calls again).
 */
#ifndef _NP_KUBE_SVCWRITE_H
#define _NP_KUBE_SVCWRITE_H

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
 * metadata.finalizers := finalizers[0..n) (n 0 removes the field), only on
 * resourceVersion rv (required). Add or remove NP_KUBE_LB_FINALIZER from
 * the list read with rv. 0, -EINVAL, -ENOMEM.
 */
int np_kube_service_finalizers(struct np_kube_writeq *q, const char *ns,
			       const char *name, const char *rv,
			       const char *const *finalizers, size_t n,
			       np_kube_writeq_fn done,
			       np_kube_writeq_fn conflict, void *ctx);

#endif /* _NP_KUBE_SVCWRITE_H */
