/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * NetworkPolicy, compiled for one node (docs/netpol.md). Pure: no I/O,
 * no netlink, no loop; inputs are the model and the previous classes,
 * outputs what the kernel should hold (uapi/linux/nodeplane.h,
 * NP_CMD_POLICY_SET):
 *
 *   - the class map: prefixes -> class ids. Every peer set of every rule
 *     of every policy in the cluster (the pod addresses a podSelector /
 *     namespaceSelector peer matches, or an ipBlock minus its excepts) is
 *     a "peer set"; addresses that belong to exactly the same peer sets
 *     share a class. Every pod address a peer set names is a /32 or /128
 *     prefix, every ipBlock CIDR and except a prefix; a prefix's class is
 *     the set of peer sets containing the addresses whose longest match
 *     it is. Addresses in no peer set: no prefix, class 0. Class ids are
 *     kept stable across compiles (struct np_netpol_classes) so a change
 *     to one policy touches only the prefixes and endpoints it changes.
 *   - the endpoints: this node's pods that policy can select (not
 *     hostNetwork, not Succeeded/Failed, with pod IPs), one per pod
 *     address, with their isolation and rules (named ports resolved on
 *     the pod that owns the port: ingress on the endpoint itself, egress
 *     on each peer pod, which can split a peer set by port).
 *
 * A policy the model holds as invalid (meta.invalid) isolates, in both
 * directions, the pods of its namespace (its selector cannot be trusted)
 * and allows nothing through itself: fail closed, reported in problems.
 *
 * The reference evaluator np_netpol_eval() answers the same question
 * from the API objects directly (netpol.md §5, no classes), with the
 * policies and rules that decided: it is what `nodeplanectl policy
 * trace` prints and what the compiler is tested against.
 */
#ifndef _NP_NETPOL_H
#define _NP_NETPOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "model/model.h"

struct np_err;

/* One (protocol, port range) of a rule; first = 0: every port of proto. */
struct np_netpol_kport {
	uint8_t proto;			/* IPPROTO_TCP, _UDP, _SCTP */
	uint16_t first, last;		/* first <= last; both 0: all */
};

/* One kernel rule: peers of class cls (0: any peer) on ports. */
struct np_netpol_krule {
	uint8_t dir;			/* NP_POL_DIR_INGRESS / _EGRESS */
	uint32_t cls;			/* 1..NP_POL_CLASS_MAX, 0: any peer */
	struct np_netpol_kport *ports;	/* sorted, merged; n_ports 0: every
					   protocol and port */
	size_t n_ports;
};

struct np_netpol_endpoint {
	struct np_addr addr;		/* the key */
	char *name;			/* "namespace/pod" */
	unsigned int flags;		/* NP_PEP_F_INGRESS | NP_PEP_F_EGRESS */
	struct np_netpol_krule *rules;	/* sorted by (dir, cls), one per
					   (dir, cls) */
	size_t n_rules;
};

struct np_netpol_prefix {
	struct np_cidr cidr;		/* host bits cleared */
	uint32_t cls;			/* 1..NP_POL_CLASS_MAX */
};

/* Stable class ids: which set of peer sets each id stands for. Kept by
 * the caller from one compile to the next; opaque. */
struct np_netpol_classes;

struct np_netpol_classes *np_netpol_classes_new(void);
void np_netpol_classes_free(struct np_netpol_classes *c);

struct np_netpol_plan {
	struct np_netpol_prefix *prefixes;	/* sorted by np_cidr_cmp */
	size_t n_prefixes;
	struct np_netpol_endpoint *endpoints;	/* sorted by np_addr_cmp */
	size_t n_endpoints;
	char **problems;		/* "NetworkPolicy ns/name: why (its
					   namespace's pods isolated)" */
	size_t n_problems;
};

/*
 * Compile what node enforces. classes is read and updated (ids of
 * vanished sets are freed for reuse only after a compile that no longer
 * uses them). Returns 0, or -ENOMEM (err set; plan empty, classes as
 * before).
 */
int np_netpol_compile(const struct np_model *m, const char *node,
		      struct np_netpol_classes *classes,
		      struct np_netpol_plan *plan, struct np_err *err);
void np_netpol_plan_free(struct np_netpol_plan *plan);

/* What the kernel would decide for a plan, per the uapi semantics
 * (class lookup by longest prefix, rules, isolation); local_src: the
 * source is an address of this node. For tests and trace. */
bool np_netpol_plan_allows(const struct np_netpol_plan *plan,
			   const struct np_addr *src, const struct np_addr *dst,
			   uint8_t proto, uint16_t dport, bool local_src);

/* ------------------------------------------------- reference evaluator */

struct np_netpol_verdict {
	bool allowed;
	/* Each side as the evaluator saw it, in words, e.g.
	 * "x/a: isolated for egress by x/deny-all, x/allow-dns;
	 *  allowed by x/allow-dns egress rule 0",
	 * "y/b: not isolated for ingress". */
	char *egress;
	char *ingress;
};

/*
 * The API semantics (netpol.md §2 and §5) evaluated on the model for a
 * new connection src -> dst (proto, dport), as enforced by node (egress
 * when src is a pod of node, ingress when dst is; a side on another node
 * is "not checked here"; node_src: src is an address of node). Returns
 * 0, or -ENOMEM.
 */
int np_netpol_eval(const struct np_model *m, const char *node,
		   const struct np_addr *src, const struct np_addr *dst,
		   uint8_t proto, uint16_t dport, bool node_src,
		   struct np_netpol_verdict *v);
void np_netpol_verdict_free(struct np_netpol_verdict *v);

#endif /* _NP_NETPOL_H */
