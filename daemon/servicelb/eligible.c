// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which Services are ServiceLB's, prepared once per plan (tolerations
 * parsed, lbpool read), and which nodes may serve each (servicelb.md
 * §3.3, node-contract.md §4).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "servicelb/servicelb.h"

bool np_slb_service_wanted(const struct np_service *s)
{
	return s && !s->meta.invalid && s->type == NP_SVC_LOAD_BALANCER &&
	       !s->lb_class && !s->terminating;
}

int np_slb_svc_prep(const struct np_service *s, struct np_slb_svc *out)
{
	char err[NP_SLB_WHY_LEN - 64];
	const char *pool;
	int ret;

	memset(out, 0, sizeof(*out));
	out->svc = s;
	pool = np_meta_label(&s->meta, NP_LBPOOL_LABEL);
	out->pool = pool && *pool ? pool : NULL;
	ret = np_tolerations_parse(s->tolerations_ann, &out->tol, err,
				   sizeof(err));
	if (ret == -ENOMEM)
		return ret;
	if (ret) {
		snprintf(out->why, sizeof(out->why),
			 "annotation %s: %s", NP_TOLERATIONS_ANN, err);
		return 0;
	}
	if (s->external_traffic_policy == NP_TRAFFIC_UNKNOWN) {
		snprintf(out->why, sizeof(out->why),
			 "spec.externalTrafficPolicy: a value this version does not know");
		return 0;
	}
	if (s->session_affinity == NP_AFFINITY_UNKNOWN) {
		snprintf(out->why, sizeof(out->why),
			 "spec.sessionAffinity: a value this version does not know");
		return 0;
	}
	out->servable = true;
	return 0;
}

void np_slb_svc_clear(struct np_slb_svc *p)
{
	np_tolerations_free(&p->tol);
	memset(p, 0, sizeof(*p));
}

static int has_enablelb(const void *obj, void *ctx)
{
	const struct np_node *n = obj;

	(void)ctx;
	return np_meta_label(&n->meta, NP_ENABLELB_LABEL) != NULL;
}

bool np_slb_allow_list(const struct np_model *m)
{
	return np_model_foreach(m, NP_KIND_NODE, NULL, has_enablelb, NULL);
}

struct collect {
	const struct np_service **v;
	size_t n, cap;
};

static int collect_wanted(const void *obj, void *ctx)
{
	struct collect *c = ctx;

	if (!np_slb_service_wanted(obj))
		return 0;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		const struct np_service **v = realloc(c->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = obj;
	return 0;
}

static int svc_name_cmp(const void *pa, const void *pb)
{
	const struct np_service *a = *(const struct np_service *const *)pa;
	const struct np_service *b = *(const struct np_service *const *)pb;
	int r = strcmp(a->meta.ns, b->meta.ns);

	return r ? r : strcmp(a->meta.name, b->meta.name);
}

int np_slb_svcs_build(const struct np_model *m, struct np_slb_svcs *out)
{
	struct collect c = { 0 };
	size_t i;
	int ret;

	memset(out, 0, sizeof(*out));
	out->allow_list = np_slb_allow_list(m);
	ret = np_model_foreach(m, NP_KIND_SERVICE, NULL, collect_wanted, &c);
	if (ret)
		goto out;
	if (c.n)
		qsort(c.v, c.n, sizeof(*c.v), svc_name_cmp);
	out->v = calloc(c.n ? c.n : 1, sizeof(*out->v));
	if (!out->v) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < c.n; i++) {
		ret = np_slb_svc_prep(c.v[i], &out->v[out->n]);
		if (ret)
			break;
		out->n++;
	}
out:
	free(c.v);
	if (ret)
		np_slb_svcs_free(out);
	return ret;
}

void np_slb_svcs_free(struct np_slb_svcs *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		np_slb_svc_clear(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

const char *np_slb_why_str(enum np_slb_why why)
{
	switch (why) {
	case NP_SLB_ELIGIBLE:
		return "eligible";
	case NP_SLB_NO_NODE:
		return "node not known";
	case NP_SLB_NODE_INVALID:
		return "node object invalid";
	case NP_SLB_NOT_SERVABLE:
		return "service not servable";
	case NP_SLB_NOT_READY:
		return "node not Ready";
	case NP_SLB_UNSCHEDULABLE:
		return "node unschedulable";
	case NP_SLB_TAINTED:
		return "node taint not tolerated";
	case NP_SLB_NOT_ENABLED:
		return "node not labelled " NP_ENABLELB_LABEL "=true";
	case NP_SLB_OTHER_POOL:
		return "node not in the service's " NP_LBPOOL_LABEL;
	}
	return "?";
}

enum np_slb_why np_slb_placeable(const struct np_slb_svc *p,
				 const struct np_node *n, bool allow_list)
{
	const char *v;

	if (!n)
		return NP_SLB_NO_NODE;
	if (n->meta.invalid)
		return NP_SLB_NODE_INVALID;
	if (!p->servable)
		return NP_SLB_NOT_SERVABLE;
	if (!np_slb_taints_tolerated(n, &p->tol, NULL))
		return NP_SLB_TAINTED;
	if (allow_list) {
		v = np_meta_label(&n->meta, NP_ENABLELB_LABEL);
		if (!v || strcmp(v, "true"))
			return NP_SLB_NOT_ENABLED;
	}
	if (p->pool) {
		v = np_meta_label(&n->meta, NP_LBPOOL_LABEL);
		if (!v || strcmp(v, p->pool))
			return NP_SLB_OTHER_POOL;
	}
	return NP_SLB_ELIGIBLE;
}

enum np_slb_why np_slb_eligible(const struct np_slb_svc *p,
				const struct np_node *n, bool allow_list)
{
	enum np_slb_why why = np_slb_placeable(p, n, allow_list);

	if (why != NP_SLB_ELIGIBLE)
		return why;
	if (n->ready != NP_COND_TRUE)
		return NP_SLB_NOT_READY;
	if (n->unschedulable)
		return NP_SLB_UNSCHEDULABLE;
	return NP_SLB_ELIGIBLE;
}
