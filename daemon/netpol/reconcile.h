/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The NetworkPolicy reconciler on the runner (netpol/reconcile.c): the
 * compiler's plan for this node (np_netpol_compile, netpol.h) against the
 * kernel's policy state (NP_CMD_POLICY_GET), applied as ONE transaction
 * per pass (NP_CMD_POLICY_SET): two tables, the class map prefixes and
 * the endpoints, whose create/replace/remove only collect the changes;
 * the runner's commit hook sends them together, so packets see the state
 * before the pass or after it, never a mix, and only what changed is
 * sent (nothing at all when nothing changed). The class ids are kept
 * across passes (struct np_netpol_classes), so a change of one policy
 * touches only its prefixes and endpoints.
 *
 * Fail closed: nothing is applied before every kind read (Pods of the
 * whole cluster, Namespaces, NetworkPolicies) has been listed once (the
 * runner's barrier); a compile or commit that fails leaves the kernel as
 * it was (the old, closed state), retried after the backoff. The plan's
 * problems (invalid policies isolating their namespace) are logged as
 * warnings when they appear, and once more when they are gone.
 *
 * Disabled (`disable: [network-policy]`, or the module's feature off):
 * one transaction removes every endpoint and prefix the kernel holds,
 * then the reconciler leaves the runner (np_netpol_rc_idle); enabled
 * again, it joins with a full pass.
 *
 * The I/O is behind struct np_pol_kernel and the compiler behind struct
 * np_netpol_rc_compiler, so tests/user/unit/test_netpol_rc.c runs it on
 * the real runner with a fake kernel and hand-built plans.
 */
#ifndef _NP_NETPOL_RECONCILE_H
#define _NP_NETPOL_RECONCILE_H

#include <stdbool.h>
#include <stdint.h>

#include "model/model.h"
#include "netpol/netpol.h"
#include "nl/nl.h"

struct np_loop;
struct np_runner;
struct np_rc_stats;

/* The kinds the reconciler reads (a mask for the runner and kube/kinds.c):
 * every Pod of the cluster (peers are cluster-wide). */
#define NP_NETPOL_KINDS (1U << NP_KIND_POD | 1U << NP_KIND_NAMESPACE | \
			 1U << NP_KIND_NETWORKPOLICY)

/* The kernel's policy state. */
struct np_pol_kernel {
	/* everything, sorted and canonical (np_nl_pol_dump) */
	int (*dump)(void *ctx, struct np_pol_state *out, struct np_err *err);
	/* one transaction (np_nl_pol_set) */
	int (*set)(void *ctx, const struct np_pol_txn *txn, uint64_t expect_gen,
		   uint64_t *gen, struct np_err *err);
	/* the module's generation (a reload: full pass); NULL: none */
	uint64_t (*generation)(void *ctx);
	void *ctx;
};

/* The kernel through the nodeplane netlink connection nl. */
void np_pol_kernel_nl(struct np_nl *nl, struct np_pol_kernel *out);

/* The compiler (netpol.h's functions; tests give their own). */
struct np_netpol_rc_compiler {
	struct np_netpol_classes *(*classes_new)(void);
	void (*classes_free)(struct np_netpol_classes *c);
	int (*compile)(const struct np_model *m, const char *node,
		       struct np_netpol_classes *classes,
		       struct np_netpol_plan *plan, struct np_err *err);
	void (*plan_free)(struct np_netpol_plan *plan);
};

struct np_netpol_rc_deps {
	struct np_loop *lp;
	struct np_runner *runner;
	struct np_model *model;
	const char *self;		/* this node's name (copied) */
	struct np_pol_kernel kernel;
	struct np_netpol_rc_compiler compiler;
	bool disabled;
};

struct np_netpol_rc;

/* Joins the runner (a full pass scheduled). 0, -EINVAL, -ENOMEM. */
int np_netpol_rc_new(const struct np_netpol_rc_deps *d,
		     struct np_netpol_rc **out);
/* Off: everything removed, then the runner left; on: a full pass. */
void np_netpol_rc_set_disabled(struct np_netpol_rc *n, bool disabled);
/* Disabled and everything it programmed removed (off the runner). */
bool np_netpol_rc_idle(const struct np_netpol_rc *n);
/* The module was reloaded: its policy state is gone (a full pass). */
void np_netpol_rc_full(struct np_netpol_rc *n);
/* Leaves the runner, the kernel as it is. */
void np_netpol_rc_free(struct np_netpol_rc *n);

/* For tests and logs. */
struct np_netpol_rc_counts {
	uint64_t commits;		/* transactions sent and committed */
	uint64_t commit_failures;
	/* of the last committed transaction */
	unsigned int cls_set, cls_del, ep_set, ep_del;
	uint64_t generation;		/* the kernel's, last seen */
};
const struct np_netpol_rc_counts *
np_netpol_rc_counts(const struct np_netpol_rc *n);
/* NULL while off the runner. */
const struct np_rc_stats *np_netpol_rc_stats(const struct np_netpol_rc *n);

#endif /* _NP_NETPOL_RECONCILE_H */
