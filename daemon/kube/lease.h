/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * coordination.k8s.io/v1 Leases (lease.c).
 *
 * Leader election, as client-go's leaderelection does it with a Lease
 * lock: every candidate reads the Lease every retry period; a Lease whose
 * holder is someone else is respected while its record (holderIdentity,
 * renewTime, ...) changed less than leaseDurationSeconds ago by the
 * candidate's own monotonic clock (no trust in other nodes' clocks); an
 * expired, empty or missing Lease is taken by an update conditional on its
 * resourceVersion (or a create), leaseTransitions counted. The leader
 * renews every retry period and steps down when it could not renew for
 * renew_deadline_ms. Releasing (clean stop) writes an empty holderIdentity
 * with leaseDurationSeconds 1, so another candidate takes over at once.
 *
 * Node Leases: each nodeplaned renews kube-system/nodeplane-node-<node>
 * (holderIdentity = the node name, label nodeplane.io/lease=node); the
 * monitor lists them (label selector) every poll and answers whether a
 * node's Lease is alive at a time T: its renewTime, taken into the local
 * monotonic clock when first seen (never later than when it was seen),
 * plus leaseDurationSeconds, is after T.
 *
 * Times given to and returned by this API are np_now_ms() (monotonic).
 * Callbacks run on the loop; an object must not be freed from its own
 * callback (others may: e.g. free the node Lease monitor in stopped()).
 */
#ifndef _NP_KUBE_LEASE_H
#define _NP_KUBE_LEASE_H

#include <stdbool.h>
#include <stdint.h>

#include "kube/kube.h"

struct np_kube_leader;
struct np_kube_node_lease;
struct np_kube_node_leases;

#define NP_KUBE_LEASE_NS		"kube-system"
#define NP_KUBE_LEASE_SERVICELB		"nodeplane-servicelb"
#define NP_KUBE_NODE_LEASE_PREFIX	"nodeplane-node-"
#define NP_KUBE_NODE_LEASE_LABEL	"nodeplane.io/lease"	/* = "node" */

struct np_kube_leader_opts {
	const char *ns;			/* NP_KUBE_LEASE_NS */
	const char *name;		/* NP_KUBE_LEASE_SERVICELB */
	const char *identity;		/* this node's name (required) */
	unsigned int lease_duration_s;	/* 15 */
	unsigned int renew_deadline_ms;	/* 10000 */
	unsigned int retry_period_ms;	/* 2000 */
	/* This candidate became the leader / is no longer the leader. */
	void (*started)(void *ctx);
	void (*stopped)(void *ctx);
	/* The holder seen changed ("" when none); may be NULL. */
	void (*new_leader)(void *ctx, const char *identity);
	void *ctx;
};

/* Starts campaigning (the first read is sent from the loop). */
int np_kube_leader_new(struct np_kube *k,
		       const struct np_kube_leader_opts *opts,
		       struct np_kube_leader **out);
/* Whether this candidate holds the Lease and renewed it within the renew
 * deadline. */
bool np_kube_leader_is_leader(const struct np_kube_leader *le);
/* The holderIdentity last seen ("" when none or not read yet). */
const char *np_kube_leader_holder(const struct np_kube_leader *le);
/* The leaseTransitions last seen. */
long np_kube_leader_transitions(const struct np_kube_leader *le);
/*
 * Stops campaigning. If leader: stopped() runs now, then the Lease is
 * released (holderIdentity ""), and done runs when that write ended
 * (http_status 2xx, or 0/another status with err). Not leader: done runs
 * from the loop with 200. done may be NULL. Free afterwards.
 */
int np_kube_leader_release(struct np_kube_leader *le, np_kube_done_fn done,
			   void *ctx);
/* Stops at once: nothing written, no callback (the Lease expires). */
void np_kube_leader_free(struct np_kube_leader *le);

struct np_kube_node_lease_opts {
	const char *ns;			/* NP_KUBE_LEASE_NS */
	const char *node;		/* this node's name (required) */
	unsigned int duration_s;	/* 40: leaseDurationSeconds */
	unsigned int renew_ms;		/* 10000 */
};

/* Creates or renews the node's Lease now and every renew_ms (failures
 * logged, retried at the next renewal). */
int np_kube_node_lease_new(struct np_kube *k,
			   const struct np_kube_node_lease_opts *opts,
			   struct np_kube_node_lease **out);
/* Whether the last renewal succeeded (for tests and diagnostics). */
bool np_kube_node_lease_renewed(const struct np_kube_node_lease *nl);
/* Stops renewing (the Lease expires by itself). */
void np_kube_node_lease_free(struct np_kube_node_lease *nl);

struct np_kube_node_leases_opts {
	const char *ns;			/* NP_KUBE_LEASE_NS */
	unsigned int poll_ms;		/* 5000 */
	/* A node's Lease became alive or expired (or went away); may be
	 * NULL. */
	void (*changed)(void *ctx, const char *node, bool alive);
	void *ctx;
};

/* Lists the node Leases now and every poll_ms. */
int np_kube_node_leases_new(struct np_kube *k,
			    const struct np_kube_node_leases_opts *opts,
			    struct np_kube_node_leases **out);
/* Whether one list has been read (before, every node reads as dead). */
bool np_kube_node_leases_synced(const struct np_kube_node_leases *m);
/* Whether node's Lease is alive at t_ms (np_now_ms() scale). */
bool np_kube_node_alive(const struct np_kube_node_leases *m,
			const char *node, uint64_t t_ms);
void np_kube_node_leases_free(struct np_kube_node_leases *m);

#endif /* _NP_KUBE_LEASE_H */
