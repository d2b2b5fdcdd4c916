/* SPDX-License-Identifier: GPL-2.0-only */
/* Lease helpers shared by lease.c and node_lease.c. */
#ifndef _NP_KUBE_LEASE_INT_H
#define _NP_KUBE_LEASE_INT_H

#include <cjson/cJSON.h>

/* spec.<field> as a string ("" when absent) or a number (0). */
const char *kube_lease_str(const cJSON *spec, const char *field);
long kube_lease_num(const cJSON *spec, const char *field);
/* A LeaseSpec; NULL when out of memory. */
cJSON *kube_lease_spec(const char *holder, unsigned int duration_s,
		       const char *acquire, const char *renew,
		       long transitions);
/*
 * The Lease to write: old (a Lease read, kept with its resourceVersion)
 * with spec (taken) in place of its own, or a new Lease ns/name (labelled
 * label=node when label is set). Allocated; NULL when out of memory.
 */
char *kube_lease_body(const cJSON *old, const char *ns, const char *name,
		      cJSON *spec, const char *label);

#endif /* _NP_KUBE_LEASE_INT_H */
