/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which kinds the API client lists and watches: the union of what the
 * enabled reconcilers read (kinds.c holds each reconciler's declaration).
 * A kind no enabled reconciler reads is never listed or watched, so a
 * node running only the overlay does not pull every Pod of the cluster.
 */
#ifndef _NP_KUBE_KINDS_H
#define _NP_KUBE_KINDS_H

#include <stddef.h>
#include <stdint.h>

struct np_config;

/* A mask of 1U << NP_KIND_* for the configuration c. */
uint32_t np_kube_kinds(const struct np_config *c);
/*
 * Of np_kube_kinds(c), those every enabled reader reads for this node
 * only (hostPort's Pods while ServiceLB is disabled): watched with the
 * field selector spec.nodeName=<node>.
 */
uint32_t np_kube_kinds_node_only(const struct np_config *c);
/* "Nodes, Services" (or "none") for log lines. */
void np_kube_kinds_str(uint32_t kinds, char *buf, size_t len);

#endif /* _NP_KUBE_KINDS_H */
