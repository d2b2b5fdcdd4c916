// SPDX-License-Identifier: GPL-2.0-only
/*
 * np_netpol_compile(): the class map and this node's endpoints (see
 * netpol.h).
 *
 * 1. Peer sets (peersets.c). Every peer of every rule (of the types its policy has) of
 *    every valid policy in the cluster is interned by what it is: an
 *    ipBlock by its cidr and excepts, a selector peer by its selectors
 *    (and the policy's namespace when it has no namespaceSelector).
 *    Equal peers anywhere in the cluster are one peer set, computed once.
 *    A named port that some egress rule uses, (name, protocol), gives one
 *    more peer set per number it resolves to on some pod: "the pods whose
 *    port name/protocol is N". An egress rule's named port to peer set P
 *    becomes, per number N, the classes holding both P and that set.
 * 2. The class map (prefixes.c) from the peer sets' prefixes, and the
 *    inverse: which classes hold each peer set.
 * 3. Endpoints (rules.c): this node's pods (one per address), isolated by the
 *    policies of their namespace that select them; each rule becomes one
 *    (direction, class) entry per class holding one of its peer sets (or
 *    class 0: any peer) with its ports, named ports resolved on the
 *    endpoint for ingress. Entries with the same (direction, class) merge,
 *    their port ranges sorted and joined.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/nodeplane.h>

#include "netpol/internal.h"
#include "nl/nl.h"

int npc_grow(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	p = realloc(*arr, ncap * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

int npc_problem(struct cc *c, const char *fmt, ...)
{
	struct np_netpol_plan *plan = c->plan;
	va_list ap;
	char *s;
	int n;

	if (npc_grow((void **)&plan->problems, &c->cap_problems, plan->n_problems,
		 sizeof(*plan->problems)))
		return -ENOMEM;
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	plan->problems[plan->n_problems++] = s;
	return 0;
}

/* ---------------------------------------------------------- the model */

static int ns_cmp(const void *pa, const void *pb)
{
	const struct np_namespace *a = *(const struct np_namespace *const *)pa;
	const struct np_namespace *b = *(const struct np_namespace *const *)pb;

	return strcmp(a->meta.name, b->meta.name);
}

static int pol_cmp(const void *pa, const void *pb)
{
	const struct pol_ctx *a = pa, *b = pb;
	int r = strcmp(a->np->meta.ns, b->np->meta.ns);

	return r ? r : strcmp(a->np->meta.name, b->np->meta.name);
}

/* The arrays are sized from the counts. */
static int collect_ns(const void *obj, void *ctx)
{
	struct cc *c = ctx;

	c->nss[c->n_ns++] = obj;
	return 0;
}

static int collect_pol(const void *obj, void *ctx)
{
	struct cc *c = ctx;

	c->pols[c->n_pols].np = obj;
	c->pols[c->n_pols++].state = npc_pol_state(obj);
	return 0;
}

const struct np_namespace *npc_ns_find(const struct cc *c, const char *name)
{
	size_t lo = 0, hi = c->n_ns;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int r = strcmp(name, c->nss[mid]->meta.name);

		if (!r)
			return c->nss[mid];
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int load_model(struct cc *c)
{
	size_t n_ns = np_model_count(c->m, NP_KIND_NAMESPACE);
	size_t n_pols = np_model_count(c->m, NP_KIND_NETWORKPOLICY);

	c->nss = calloc(n_ns + 1, sizeof(*c->nss));
	c->pols = calloc(n_pols + 1, sizeof(*c->pols));
	if (!c->nss || !c->pols)
		return -ENOMEM;
	np_model_foreach(c->m, NP_KIND_NAMESPACE, NULL, collect_ns, c);
	np_model_foreach(c->m, NP_KIND_NETWORKPOLICY, NULL, collect_pol, c);
	npc_sort(c->nss, c->n_ns, sizeof(*c->nss), ns_cmp);
	npc_sort(c->pols, c->n_pols, sizeof(*c->pols), pol_cmp);
	return 0;
}

/* ------------------------------------------------------------ compile */

static void cc_free(struct cc *c)
{
	size_t i, j;

	for (i = 0; i < c->n_pols; i++) {
		struct pol_ctx *pc = &c->pols[i];

		for (j = 0; pc->in && j < pc->np->n_ingress; j++) {
			free(pc->in[j].ps);
			free(pc->in[j].cls);
			free(pc->in[j].named);
		}
		for (j = 0; pc->eg && j < pc->np->n_egress; j++) {
			free(pc->eg[j].ps);
			free(pc->eg[j].cls);
			free(pc->eg[j].named);
		}
		free(pc->in);
		free(pc->eg);
	}
	free(c->pols);
	free(c->nss);
	free(c->ctb);
	free(c->want);
	free(c->nports);
	free(c->key.b);
	free(c->cof_off);
	free(c->cof);
	free(c->tmp);
}

static int compile(struct cc *c)
{
	uint32_t *used = NULL;
	size_t n_used = 0;
	int ret;

	ret = load_model(c);
	if (!ret)
		ret = npc_peer_sets(c);
	if (ret)
		return ret;
	ret = npc_prefixes(c->cl, c->ctb, c->n_ctb, c->plan, &used, &n_used);
	if (!ret)
		ret = npc_classes_of_sets(c, used, n_used);
	free(used);
	if (!ret)
		ret = npc_endpoints(c);
	return ret;
}

int np_netpol_compile(const struct np_model *m, const char *node,
		      struct np_netpol_classes *classes,
		      struct np_netpol_plan *plan, struct np_err *err)
{
	struct cc c = {
		.m = m, .node = node, .cl = classes, .plan = plan,
	};
	int ret;

	memset(plan, 0, sizeof(*plan));
	npc_ids_begin(classes);
	ret = compile(&c);
	cc_free(&c);
	if (!ret) {
		npc_ids_commit(classes);
		return 0;
	}
	npc_ids_abort(classes);
	np_netpol_plan_free(plan);
	if (ret == -ENOSPC)
		return np_err_set(err, ENOMEM, "NetworkPolicy: more than %u "
				  "classes of addresses", NP_POL_CLASS_MAX);
	return np_err_set(err, ENOMEM, "NetworkPolicy: out of memory "
			  "compiling for node %s", node);
}

