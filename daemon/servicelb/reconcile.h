/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ServiceLB and hostPort reconcilers on the runner (servicelb/
 * reconcile.c, hostport/reconcile.c): one table each of LB frontends
 * (reconcile/lb_items.h), planned by np_slb_plan / np_hostport_plan,
 * dumped with np_nl_lb_dump filtered by owner (NP_LB_OWNER_SERVICELB,
 * NP_LB_OWNER_HOSTPORT: neither ever touches the other's frontends),
 * applied with np_nl_lb_set / np_nl_lb_del.
 *
 * Disabled (`disable: [servicelb]`, `disable: [hostport]`): the
 * reconciler stays on the runner with an empty plan, so what a previous
 * run left with its owner is removed, and nothing more is programmed.
 *
 * Reports: a port conflict's loser gets one Warning Event
 * ("PortConflict", the text of np_port_conflict_str) when the conflict
 * appears, not one per pass: servicelb reports Service losers, hostport
 * Pod losers. An unservable Service gets one Warning "InvalidService".
 *
 * Status (servicelb only): after each pass, when sink->status_writer
 * says this node writes (the elected leader in API mode), each wanted
 * Service whose status.loadBalancer.ingress differs from
 * np_slb_status_all's gets it written (once per change) with its Event
 * (UpdatedLoadBalancer / UnAvailableLoadBalancer). Without a writer
 * (manifests mode) the status it would write is logged, once per change.
 *
 * The finalizer NP_LB_FINALIZER (with sink->finalizer, by the writer
 * only), as the upstream service controller handles it: a wanted Service
 * without it gets it added, and its status is written only once the
 * finalizer is seen in the model; a Service holding it that is being
 * deleted (metadata.deletionTimestamp), or is no longer of type
 * LoadBalancer, or has a loadBalancerClass, is cleaned up: once this
 * node's pass removed its frontends without failure, the finalizer is
 * removed and a Normal Event "DeletedLoadBalancer" sent; a Service no
 * longer of type LoadBalancer also gets a status that still holds
 * addresses cleared (one with a loadBalancerClass keeps it: it is the
 * other controller's). Each
 * write is sent once per change, as the status is.
 *
 * The I/O is behind two small vtables so that the glue's decisions are
 * unit-tested with a fake kernel and a fake API (tests/unit/test_lb_glue.c).
 */
#ifndef _NP_SERVICELB_RECONCILE_H
#define _NP_SERVICELB_RECONCILE_H

#include <stdbool.h>
#include <stdint.h>

#include "model/model.h"
#include "nl/nl.h"
#include "servicelb/servicelb.h"

struct np_runner;
struct np_err;

/* The kernel's LB frontend table. */
struct np_lb_kernel {
	/* every frontend, any owner (np_nl_lb_dump) */
	int (*dump)(void *ctx, struct np_lb_list *out, struct np_err *err);
	/* create or replace fe (np_nl_lb_set) */
	int (*set)(void *ctx, const struct np_lb_frontend *fe,
		   struct np_err *err);
	/* remove fe's key; -ENOENT counts as done (np_nl_lb_del) */
	int (*del)(void *ctx, const struct np_lb_frontend *fe,
		   struct np_err *err);
	/* the module's generation (a reload: full pass); NULL: none */
	uint64_t (*generation)(void *ctx);
	void *ctx;
};

/* The kernel through the nodeplane netlink connection nl. */
void np_lb_kernel_nl(struct np_nl *nl, struct np_lb_kernel *out);

/* Where Events and status go (API mode); every member may be NULL. */
struct np_lb_sink {
	/* An Event about obj (a Service or a Pod). */
	void (*event)(void *ctx, enum np_kind kind, const struct np_meta *obj,
		      bool warning, const char *reason, const char *action,
		      const char *note);
	/* Whether this node writes status now (the elected leader). NULL:
	 * never (manifests mode: the status is logged instead). */
	bool (*status_writer)(void *ctx);
	/* Whether nodeplaned runs on node (its node Lease is alive); NULL:
	 * every node counts. */
	bool (*alive)(void *ctx, const char *node);
	/* Writes st as s's status.loadBalancer. 0 or a negative errno. */
	int (*status)(void *ctx, const struct np_service *s,
		      const struct np_slb_status *st);
	/* Adds (add) or removes NP_LB_FINALIZER on s (only on s's uid). 0
	 * or a negative errno. NULL: the finalizer is not handled, the
	 * status is written without it. */
	int (*finalizer)(void *ctx, const struct np_service *s, bool add);
	void *ctx;
};

/* Warning Event reasons. */
#define NP_SLB_REASON_CONFLICT	"PortConflict"
#define NP_SLB_REASON_INVALID	"InvalidService"

struct np_lb_rc_deps {
	struct np_runner *runner;
	struct np_model *model;
	const char *self;		/* this node's name (copied) */
	struct np_lb_kernel kernel;
	struct np_lb_sink sink;
	bool disabled;
	bool with_servicelb;		/* hostport: ServiceLB enabled */
	/* The sysctl set to 1 before each pass when it reads 0, for the
	 * NP_LB_F_LOCALHOST frontends (127.0.0.1:port from the node to a pod
	 * behind cni0, as portmap sets it); NULL: NP_LB_ROUTE_LOCALNET;
	 * "": none (tests). A missing file (no cni0 yet) is skipped. */
	const char *route_localnet;
};

#define NP_LB_ROUTE_LOCALNET "/proc/sys/net/ipv4/conf/cni0/route_localnet"

struct np_slb_rc;
struct np_hostport_rc;

/* Joins the runner (first pass scheduled). 0 or a negative errno. */
int np_slb_rc_new(const struct np_lb_rc_deps *d, struct np_slb_rc **out);
/* Disabled or enabled again (SIGHUP): a full pass follows. */
void np_slb_rc_set_disabled(struct np_slb_rc *s, bool disabled);
/* Recompute the status at once (a node Lease expired or came back, the
 * leadership changed). */
void np_slb_rc_status_kick(struct np_slb_rc *s);
/* Leaves the runner, the kernel as it is. */
void np_slb_rc_free(struct np_slb_rc *s);
/* Stats of its runner entry (tests). */
const struct np_rc_stats *np_slb_rc_stats(const struct np_slb_rc *s);

/*
 * Frontends of both owners share one key (family, protocol, port, local):
 * when a port moves from one reconciler to the other (a port claim changed
 * hands), the winner's SET replaces the loser's frontend, and the loser's
 * DEL of that key must not remove it. Paired, a reconciler skips deleting
 * a key its peer believes it holds (the peer's runner cur). Either may be
 * NULL; free both or neither after pairing (np_slb_rc_free unpairs).
 */
void np_lb_rc_pair(struct np_slb_rc *s, struct np_hostport_rc *h);

int np_hostport_rc_new(const struct np_lb_rc_deps *d,
		       struct np_hostport_rc **out);
void np_hostport_rc_set_disabled(struct np_hostport_rc *h, bool disabled,
				 bool with_servicelb);
void np_hostport_rc_free(struct np_hostport_rc *h);
const struct np_rc_stats *
np_hostport_rc_stats(const struct np_hostport_rc *h);

#endif /* _NP_SERVICELB_RECONCILE_H */
