/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Port claims on one node, between LoadBalancer Services and hostPort
 * pods, the one place both planners (servicelb/, hostport/) and the
 * status decide who holds a port. K3s reserves a LoadBalancer Service's
 * ports through its svclb pods' hostPorts, and the scheduler admits a pod
 * only when its (hostIP, protocol, hostPort) are free, a wildcard hostIP
 * conflicting with any address (servicelb.md §3.5). nodeplane has no
 * svclb pods, so it replays that admission on each node in age order:
 * claimants, oldest first (creationTimestamp, then namespace/name, then
 * kind, then uid), are admitted when none of their ports conflicts with a
 * port of an already admitted one; a claimant that conflicts is admitted
 * for none of its ports (its ports stay free for the younger ones), as a
 * Pending pod holds none. Pure: no I/O.
 *
 * On a node, the claimants are the servable Services placeable there
 * (np_slb_placeable: Ready and cordoning aside; each port of a known
 * protocol, every address: the svclb pod sets no hostIP), whatever their
 * endpoints (the svclb pod runs without them), and the pods
 * scheduled there and not Succeeded or Failed (hostNetwork ones too: they
 * hold their ports on the host), each hostPort of a known protocol.
 */
#ifndef _NP_CLAIMS_H
#define _NP_CLAIMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"
#include "servicelb/servicelb.h"

/* One (hostIP, protocol, port); host_ip family 0: every address. */
struct np_port_want {
	struct np_addr host_ip;
	enum np_proto proto;
	uint16_t port;
};

/* Whether a and b cannot both be held on one node. */
bool np_port_want_conflict(const struct np_port_want *a,
			   const struct np_port_want *b);

/* One object asking for ports. */
struct np_claimant {
	enum np_kind kind;		/* NP_KIND_SERVICE or NP_KIND_POD */
	const struct np_meta *meta;	/* ns, name, created, uid */
	const void *obj;		/* the np_service or np_pod */
	struct np_port_want *wants;	/* malloc'd, owned */
	size_t n_wants;
	bool won;			/* output: admitted */
};

/* Orders claimants by age (oldest first): created, ns, name, kind, uid. */
int np_claimant_cmp(const struct np_claimant *a, const struct np_claimant *b);

/* A port a claimant did not get: its want, and who holds it. */
struct np_port_conflict {
	enum np_kind loser_kind;
	const struct np_meta *loser;
	struct np_port_want want;	/* the loser's */
	enum np_kind winner_kind;
	const struct np_meta *winner;
};

/*
 * Admits claimants c (any order) oldest first: sets each c[i].won; sorts c
 * by np_claimant_cmp. *conf (may be NULL) receives every conflict of each
 * loser with an admitted claimant, in loser order then want order (a
 * claimant never conflicts with itself). 0 or -ENOMEM.
 */
int np_claims_resolve(struct np_claimant *c, size_t n,
		      struct np_port_conflict **conf, size_t *n_conf);

/* The claims of one node. */
struct np_node_claims {
	struct np_claimant *v;		/* sorted oldest first */
	size_t n;
	struct np_port_conflict *conflicts;
	size_t n_conflicts;
	const struct np_claimant **by_obj;	/* v by object address */
};

/*
 * Builds and resolves the claims on node (its name; n may be NULL when
 * the Node is not in the model: then no Service claims there). 0 or
 * -ENOMEM.
 */
int np_node_claims_build(const struct np_model *m, const char *node,
			 const struct np_node *n,
			 const struct np_slb_svcs *svcs,
			 struct np_node_claims *out);
void np_node_claims_free(struct np_node_claims *c);
/* Whether obj (an np_service or np_pod of the model) claims and won on
 * that node (O(log n)). */
bool np_node_claims_won(const struct np_node_claims *c, const void *obj);
/* Whether the pod may hold ports (scheduled, not Succeeded or Failed). */
bool np_pod_claims_ports(const struct np_pod *pod);

/* "tcp/80 on node-a is held by Service kube-system/traefik (older)"
 * into buf: the text of the loser's Warning Event. */
const char *np_port_conflict_str(const struct np_port_conflict *c,
				 const char *node, char *buf, size_t len);

#endif /* _NP_CLAIMS_H */
