/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the NetworkPolicy compiler's files share (not part of netpol.h):
 *
 *   match.c    the API's predicates, used by the compiler and the
 *              reference evaluator alike, so that both read the objects
 *              the same way (which pods count, how selectors, peers,
 *              ipBlocks and named ports match);
 *   classes.c  stable ids: peer sets and classes interned across compiles;
 *   prefixes.c the class map: contributions of peer sets to prefixes,
 *              one sweep of the sorted prefix tree;
 *   compile.c  the steps of a compile and their shared context;
 *   peersets.c peer sets from the policies, classes holding each;
 *   rules.c    endpoints and their rules;
 *   plan.c     freeing a plan, and the kernel's decision on a plan;
 *   eval.c     the reference evaluator and its words.
 */
#ifndef _NP_NETPOL_INTERNAL_H
#define _NP_NETPOL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "netpol/netpol.h"

/* qsort, but fine with no array at all. */
static inline void npc_sort(void *v, size_t n, size_t size,
			    int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(v, n, size, cmp);
}

/* ------------------------------------------------------------ match.c */

#define NPC_NS_NAME_LABEL "kubernetes.io/metadata.name"

/* A pod policy selects or names as a peer: not hostNetwork, not
 * Succeeded/Failed, with pod IPs (kube-router's isNetPolActionable). */
bool npc_pod_actionable(const struct np_pod *p);

/* Whether pod p is on node. */
bool npc_pod_on(const struct np_pod *p, const char *node);

/* Among pods sharing an address, the one that owns it: <0 when a is
 * preferred over b (running first, then by namespace and name). */
int npc_pod_pref(const struct np_pod *a, const struct np_pod *b);

/* The actionable pod of node that owns address a (npc_pod_pref), or NULL. */
const struct np_pod *npc_local_pod(const struct np_model *m, const char *node,
				   const struct np_addr *a);

/* Selector s against a namespace's labels, with kubernetes.io/metadata.name
 * read as the namespace's name (the API server sets it, immutable). */
bool npc_ns_match(const struct np_selector *s, const struct np_namespace *ns);

/* How a policy takes part:
 *  NPC_POL_INVALID  the model holds it as invalid: it isolates its
 *                   namespace's pods both ways and allows nothing;
 *  NPC_POL_UNKNOWN  valid but names a policy type this version does not
 *                   know: the pods it selects are isolated both ways, its
 *                   known types' rules apply;
 *  NPC_POL_OK. */
enum npc_pol_state {
	NPC_POL_OK,
	NPC_POL_INVALID,
	NPC_POL_UNKNOWN,
};
enum npc_pol_state npc_pol_state(const struct np_networkpolicy *np);

/* Why an invalid policy is, without the decoder's "NetworkPolicy ns/name: ". */
const char *npc_invalid_why(const struct np_networkpolicy *np);

/* Directions (NP_POLICY_INGRESS | _EGRESS) policy np isolates pod p in
 * (p in np's namespace, actionable); 0 when it does not select p. */
unsigned int npc_pol_isolates(const struct np_networkpolicy *np,
			      const struct np_pod *p);

/* Whether a selector peer (not an ipBlock) of a policy in pol_ns names
 * pod q (actionable) whose Namespace object is qns (NULL: not known; no
 * namespaceSelector matches it). */
bool npc_peer_names_pod(const struct np_netpol_peer *pe, const char *pol_ns,
			const struct np_pod *q, const struct np_namespace *qns);

/* a in the ipBlock's cidr and in none of its excepts. */
bool npc_ipblock_has(const struct np_ipblock *b, const struct np_addr *a);

/* Whether pod p has a container port named name with protocol proto and
 * number num. */
bool npc_pod_has_port(const struct np_pod *p, const char *name,
		      enum np_proto proto, uint16_t num);

static inline bool npc_proto_known(enum np_proto p)
{
	return p == NP_PROTO_TCP || p == NP_PROTO_UDP || p == NP_PROTO_SCTP;
}

/* Whether a numeric or protocol-only port entry admits (proto, dport);
 * a named entry is the caller's. */
bool npc_port_admits(const struct np_netpol_port *pp, uint8_t proto,
		     uint16_t dport);

/* ---------------------------------------------------------- classes.c */

/*
 * Ids held by struct np_netpol_classes: peer sets by key (dense ids from
 * 0) and classes by signature (the sorted peer-set ids they stand for;
 * ids 1..NP_POL_CLASS_MAX). A compile begins with npc_ids_begin(), marks
 * what it uses (npc_ps_get, npc_cls_get) and ends with npc_ids_commit()
 * (frees what it did not use: class ids become reusable from the next
 * compile on) or npc_ids_abort() (removes what it created).
 */
void npc_ids_begin(struct np_netpol_classes *c);
/* The id of the peer set of key (klen bytes); *fresh: its first use in
 * this compile. 0, -ENOMEM or -ENOSPC. */
int npc_ps_get(struct np_netpol_classes *c, const void *key, size_t klen,
	       uint32_t *id, bool *fresh);
/* One past the largest peer-set id in use. */
uint32_t npc_ps_limit(const struct np_netpol_classes *c);
/* The class of signature sig (n sorted peer-set ids): 0 and *id set, or
 * -ENOMEM / -ENOSPC (ids exhausted). */
int npc_cls_get(struct np_netpol_classes *c, const uint32_t *sig, size_t n,
		uint32_t *id);
/* The signature of class id used in this compile. */
const uint32_t *npc_cls_sig(const struct np_netpol_classes *c, uint32_t id,
			    size_t *n);
void npc_ids_commit(struct np_netpol_classes *c);
void npc_ids_abort(struct np_netpol_classes *c);

/* --------------------------------------------------------- prefixes.c */

/* Peer set ps holds the addresses of prefix net (host bits cleared),
 * less those of prefixes with a minus contribution of ps below it. */
struct npc_contrib {
	struct np_cidr net;
	uint32_t ps;
	bool minus;			/* an ipBlock except */
};

/*
 * Sorts and sweeps the contributions (n of them): plan->prefixes gets one
 * prefix per class change down the prefix tree (a prefix whose class is
 * that of the prefix above it is left out); *used gets the distinct
 * classes of those prefixes, sorted. 0, -ENOMEM or -ENOSPC.
 */
int npc_prefixes(struct np_netpol_classes *c, struct npc_contrib *v, size_t n,
		 struct np_netpol_plan *plan, uint32_t **used, size_t *n_used);

/* ---------------------------------- compile.c, peersets.c, rules.c */

struct ent {
	uint32_t cls;
	uint8_t dir;
	uint8_t proto;
	uint16_t first, last;
};

struct rule_ctx {
	const struct np_netpol_rule *r;
	uint32_t *ps;			/* a peer set per peer */
	bool cls_done, named_done;
	uint32_t *cls;			/* classes holding any of ps */
	size_t n_cls;
	struct ent *named;		/* egress: named ports per class */
	size_t n_named;
};

struct pol_ctx {
	const struct np_networkpolicy *np;
	enum npc_pol_state state;
	struct rule_ctx *in, *eg;	/* only for the policy's types */
};

struct want {				/* a named port some egress rule uses */
	const char *name;
	enum np_proto proto;
};

struct nport {				/* its peer set per number */
	const char *name;
	enum np_proto proto;
	uint16_t num;
	uint32_t ps;
};

struct kbuf {
	char *b;
	size_t n, cap;
	bool oom;
};

struct cc {
	const struct np_model *m;
	const char *node;
	struct np_netpol_classes *cl;
	struct np_netpol_plan *plan;

	const struct np_namespace **nss;	/* sorted by name */
	size_t n_ns;
	struct pol_ctx *pols;			/* sorted by namespace, name */
	size_t n_pols;
	struct npc_contrib *ctb;
	size_t n_ctb, cap_ctb;
	struct want *want;
	size_t n_want, cap_want;
	struct nport *nports;
	size_t n_nports, cap_nports;
	struct kbuf key;

	uint32_t *cof_off;		/* classes of peer set i: */
	uint32_t *cof;			/* cof[cof_off[i]..cof_off[i + 1]) */

	struct ent *tmp;		/* one endpoint's entries */
	size_t n_tmp, cap_tmp;
	size_t cap_problems;
};

/* compile.c */
int npc_grow(void **arr, size_t *cap, size_t n, size_t size);
int npc_problem(struct cc *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const struct np_namespace *npc_ns_find(const struct cc *c, const char *name);

/* peersets.c */
int npc_peer_sets(struct cc *c);
int npc_nport_cmp(const void *a, const void *b);
/* After the class map: which classes hold each peer set. */
int npc_classes_of_sets(struct cc *c, const uint32_t *used, size_t n_used);
const uint32_t *npc_classes_of(const struct cc *c, uint32_t ps, size_t *n);
/* The classes holding any peer set of a rule with peers, once. */
int npc_rule_classes(struct cc *c, struct rule_ctx *rc);

/* rules.c */
int npc_endpoints(struct cc *c);

#endif /* _NP_NETPOL_INTERNAL_H */
