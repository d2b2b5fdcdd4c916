/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ServiceLB, planned purely from the model (no I/O, no clock): which
 * Services are ours, which nodes may serve them (servicelb.md §3.3 and
 * node-contract.md §4), the frontends this node programs, and the
 * status.loadBalancer.ingress the elected node writes (servicelb.md §3.4).
 * Port claims between LoadBalancer Services and hostPort pods are in
 * servicelb/claims.h, shared with hostport/.
 *
 * A Service is ours ("wanted") when it is valid, of type LoadBalancer,
 * has no spec.loadBalancerClass and is not being deleted (no
 * metadata.deletionTimestamp: K3s deletes its svclb DaemonSet then, so
 * it is served nowhere and claims no port). A wanted Service is "servable" unless its
 * tolerations annotation is invalid or one of the fields that decide its
 * traffic (externalTrafficPolicy, sessionAffinity) has a value this
 * version does not know: then no node serves it and why says so (for a
 * Warning Event).
 *
 * Pointers into the model (struct np_meta, names) handed out by these
 * functions stay valid until the model next changes: use them at once.
 */
#ifndef _NP_SERVICELB_H
#define _NP_SERVICELB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "model/model.h"
#include "nl/nl.h"

#define NP_ENABLELB_LABEL "svccontroller.k3s.cattle.io/enablelb"
#define NP_LBPOOL_LABEL "svccontroller.k3s.cattle.io/lbpool"
#define NP_SLB_WHY_LEN 256

/* ---------------------------------------------------------- Tolerations */

enum np_tol_op {
	NP_TOL_EQUAL,
	NP_TOL_EXISTS,
};

#define NP_TOL_ANY_EFFECT (-1)

/* A toleration as the scheduler matches it. */
struct np_toleration {
	char *key;			/* "": every key (only with Exists) */
	enum np_tol_op op;
	char *value;			/* "" with Exists */
	int effect;			/* enum np_taint_effect, or NP_TOL_ANY_EFFECT */
};

struct np_tolerations {
	struct np_toleration *v;
	size_t n;
};

/*
 * The annotation svccontroller.k3s.cattle.io/tolerations: a JSON or YAML
 * list of tolerations (NULL, empty or "null": none), validated as K3s and
 * the API server do: an empty operator is Equal; an empty key requires
 * Exists; Exists forbids a value; the operator is Equal or Exists; the
 * effect is empty, NoSchedule, PreferNoSchedule or NoExecute;
 * tolerationSeconds (an integer) only with NoExecute.
 * 0; -EINVAL with err ("[1].value: must be empty with operator Exists");
 * -ENOMEM. out is empty after a failure.
 */
int np_tolerations_parse(const char *text, struct np_tolerations *out,
			 char *err, size_t errlen);
void np_tolerations_free(struct np_tolerations *t);
/* Whether t tolerates taint (the scheduler's ToleratesTaint). */
bool np_toleration_matches(const struct np_toleration *t,
			   const struct np_taint *taint);
/*
 * Whether every NoSchedule, NoExecute (and unknown-effect) taint of n is
 * tolerated by the built-in tolerations of a svclb pod (node-role.
 * kubernetes.io/master and /control-plane Exists NoSchedule,
 * CriticalAddonsOnly Exists, and the DaemonSet controller's own) or by
 * extra (may be NULL). PreferNoSchedule never excludes. *untolerated
 * (may be NULL) is the first taint that is not tolerated.
 */
bool np_slb_taints_tolerated(const struct np_node *n,
			     const struct np_tolerations *extra,
			     const struct np_taint **untolerated);

/* ------------------------------------------------------------- Services */

/* One Service prepared for planning. */
struct np_slb_svc {
	const struct np_service *svc;
	bool servable;
	char why[NP_SLB_WHY_LEN];	/* not servable: the reason */
	struct np_tolerations tol;	/* from the annotation */
	const char *pool;		/* lbpool label value, NULL if none or "" */
};

/* Every wanted Service of the model, sorted by namespace/name. */
struct np_slb_svcs {
	struct np_slb_svc *v;
	size_t n;
	bool allow_list;		/* some Node has the enablelb label key */
};

/* Valid, type LoadBalancer, no loadBalancerClass, not terminating. */
bool np_slb_service_wanted(const struct np_service *s);
/* Prepares one wanted Service. 0 or -ENOMEM. */
int np_slb_svc_prep(const struct np_service *s, struct np_slb_svc *out);
void np_slb_svc_clear(struct np_slb_svc *p);
/* Every wanted Service and the allow-list mode. 0 or -ENOMEM. */
int np_slb_svcs_build(const struct np_model *m, struct np_slb_svcs *out);
void np_slb_svcs_free(struct np_slb_svcs *l);
/* Some Node (valid or not: its labels are read when it has any) carries
 * the label key svccontroller.k3s.cattle.io/enablelb, whatever its value. */
bool np_slb_allow_list(const struct np_model *m);

/* ----------------------------------------------------------- Eligibility */

enum np_slb_why {
	NP_SLB_ELIGIBLE,
	NP_SLB_NO_NODE,			/* the Node is not in the model */
	NP_SLB_NODE_INVALID,		/* its object failed to decode */
	NP_SLB_NOT_SERVABLE,		/* the Service is not servable */
	NP_SLB_NOT_READY,		/* Ready is not True */
	NP_SLB_UNSCHEDULABLE,		/* spec.unschedulable */
	NP_SLB_TAINTED,			/* a taint not tolerated */
	NP_SLB_NOT_ENABLED,		/* allow-list mode, enablelb != "true" */
	NP_SLB_OTHER_POOL,		/* the Service's lbpool differs */
};

/* "eligible", "node not ready", ... */
const char *np_slb_why_str(enum np_slb_why why);

/*
 * Whether node n (NULL: not in the model) may serve p: the node is valid,
 * its taints are tolerated; in allow-list mode only nodes labelled
 * enablelb=true; a Service with an lbpool label only on nodes with the
 * same lbpool label (in any mode: node-contract.md §4); and the node is
 * Ready and schedulable.
 */
enum np_slb_why np_slb_eligible(const struct np_slb_svc *p,
				const struct np_node *n, bool allow_list);
/*
 * The same without Ready and spec.unschedulable: where K3s's svclb pod
 * would stay placed (a DaemonSet pod outlives a NotReady or cordoned
 * node), so where the Service holds its ports: a node's passing state
 * does not hand them to younger hostPort pods.
 */
enum np_slb_why np_slb_placeable(const struct np_slb_svc *p,
				 const struct np_node *n, bool allow_list);

/* ------------------------------------------------------------------ Plan */

/* A Service wanted but not served anywhere, and why. */
struct np_slb_unserved {
	const struct np_meta *svc;
	char why[NP_SLB_WHY_LEN];
};

struct np_port_conflict;

/* The kinds the plan and the status read (a mask for the runner). */
#define NP_SLB_KINDS (1U << NP_KIND_NODE | 1U << NP_KIND_SERVICE | \
		      1U << NP_KIND_ENDPOINTSLICE | 1U << NP_KIND_POD)

/*
 * What a plan found for the glue to report (Warning Events, logs). Both
 * plans return every conflict on the node, of either loser kind: the
 * servicelb glue reports those whose loser is a Service, the hostport
 * glue those whose loser is a Pod, so each is reported once per node.
 * The np_meta pointers are the model's (valid until it next changes).
 */
struct np_slb_report {
	struct np_port_conflict *conflicts;	/* on this node; see claims.h */
	size_t n_conflicts;
	struct np_slb_unserved *unserved;	/* servicelb plan only */
	size_t n_unserved;
};

void np_slb_report_free(struct np_slb_report *r);

/*
 * The frontends node self programs for ServiceLB: canonical and sorted by
 * key (np_lb_frontend_qcmp), owner NP_LB_OWNER_SERVICELB. For each wanted
 * Service that self serves (eligible, every port claim won, and for
 * externalTrafficPolicy Local a usable endpoint on self), one frontend per
 * family of spec.ipFamilies and per port of a known protocol, on every
 * local address, with the backends of its EndpointSlices:
 *  - endpoints of the family's addressType, the slice port of the same
 *    name and protocol, the first address of each endpoint;
 *  - ready: NP_LBB_F_READY; else serving and terminating:
 *    NP_LBB_F_TERMINATING; else left out; on self: NP_LBB_F_LOCAL;
 *  - Cluster: NP_LB_F_MASQ_REMOTE | NP_LB_F_HAIRPIN, every endpoint;
 *    Local: NP_LB_F_LOCAL_ONLY | NP_LB_F_HAIRPIN, self's endpoints only;
 *    IPv4 also NP_LB_F_LOCALHOST (127.0.0.1:port, as through portmap);
 *  - ClientIP affinity: the timeout;
 *  - ranges: the Service's source ranges of the family, as networks; a
 *    family with 0.0.0.0/0 (::/0), or a Service whose ranges are unset or
 *    exactly 0.0.0.0/0, has none (any source); a family that has no range
 *    while others do is not served at all (K3s drops it).
 * rep (may be NULL) receives the port conflicts on self and the unserved
 * Services. 0 or -ENOMEM (out empty).
 */
int np_slb_plan(const struct np_model *m, const char *self,
		struct np_lb_list *out, struct np_slb_report *rep);

/* ---------------------------------------------------------------- Status */

/* Whether nodeplaned runs on node (its Lease is alive). A NULL
 * predicate counts every node (manifests mode: no Leases). */
typedef bool (*np_slb_alive_fn)(const char *node, void *ctx);

/* A Service's status.loadBalancer.ingress, as K3s computes it. */
struct np_slb_status {
	char **ips;			/* in order: ipFamilies, then as strings */
	size_t n;
	size_t n_serving;		/* nodes that serve the Service */
};

/*
 * The ingress of wanted Service s (servicelb.md §3.4): the nodes that
 * serve it are those eligible, that won every port claim, that for Local
 * have a ready endpoint of a Pod on them, and for which alive says
 * nodeplaned runs; their ExternalIPs if any of them has one, else their
 * InternalIPs; only the families of spec.ipFamilies, each sorted as
 * strings, without duplicates, concatenated in ipFamilies order.
 * Empty when none serves (or s is not servable). 0, -EINVAL (s not
 * wanted) or -ENOMEM.
 */
int np_slb_status(const struct np_model *m, const struct np_service *s,
		  np_slb_alive_fn alive, void *ctx, struct np_slb_status *out);
/* The same for every wanted Service at once (cheaper than one call per
 * Service): fn(s, status, ctx) for each, sorted by namespace/name; a
 * nonzero return of fn stops the walk and is returned. */
int np_slb_status_all(const struct np_model *m, np_slb_alive_fn alive,
		      void *actx,
		      int (*fn)(const struct np_service *s,
				const struct np_slb_status *st, void *ctx),
		      void *ctx);
void np_slb_status_free(struct np_slb_status *st);
/* The same ingress list. */
bool np_slb_status_same(const struct np_slb_status *a,
			const struct np_slb_status *b);
/* Whether st is what s's status.loadBalancer.ingress already holds. */
bool np_slb_status_current(const struct np_service *s,
			   const struct np_slb_status *st);
/* "[a b c]" (Go's %v of a string list, as K3s's Event text has it). */
void np_slb_status_str(const struct np_slb_status *st, char *buf,
		       size_t len);
/*
 * The Event for a change from s's current status to st, as K3s writes
 * it: empty st: Warning "UnAvailableLoadBalancer", "There are no
 * available nodes for LoadBalancer"; else Normal "UpdatedLoadBalancer",
 * "Updated LoadBalancer with new IPs: [old] -> [new]".
 */
void np_slb_status_event(const struct np_service *s,
			 const struct np_slb_status *st, const char **type,
			 const char **reason, char *msg, size_t len);
/* {"loadBalancer":{"ingress":[{"ip":"...","ipMode":"VIP"},...]}} (the
 * Service's status), or NULL out of memory; an empty st gives
 * {"loadBalancer":{}}. */
cJSON *np_slb_status_json(const struct np_slb_status *st);

#endif /* _NP_SERVICELB_H */
