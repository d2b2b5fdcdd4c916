// SPDX-License-Identifier: GPL-2.0-only
/*
 * status.loadBalancer.ingress of the ServiceLB Services (servicelb.md
 * §3.4): which nodes serve each Service, their addresses, the Event text
 * of a change, and the status object to write. Pure: the caller says
 * which nodes run nodeplaned.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "servicelb/claims.h"

void np_slb_status_free(struct np_slb_status *st)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		free(st->ips[i]);
	free(st->ips);
	memset(st, 0, sizeof(*st));
}

struct node_q {
	const struct np_node **v;
	size_t n, cap;
};

static int collect_node(const void *obj, void *ctx)
{
	struct node_q *q = ctx;

	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 16;
		const struct np_node **v = realloc(q->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		q->v = v;
		q->cap = cap;
	}
	q->v[q->n++] = obj;
	return 0;
}

static int node_name_cmp(const void *pa, const void *pb)
{
	const struct np_node *a = *(const struct np_node *const *)pa;
	const struct np_node *b = *(const struct np_node *const *)pb;

	return strcmp(a->meta.name, b->meta.name);
}

struct ready_q {
	const char *node;
};

/* K3s's readyNodes: an endpoint whose targetRef is a Pod, ready, on node. */
static int slice_ready_on(const void *obj, void *ctx)
{
	const struct np_endpointslice *sl = obj;
	const struct ready_q *q = ctx;
	size_t i;

	if (sl->meta.invalid)
		return 0;
	for (i = 0; i < sl->n_endpoints; i++) {
		const struct np_endpoint *e = &sl->endpoints[i];

		if (e->target_pod && e->ready && e->node_name &&
		    !strcmp(e->node_name, q->node))
			return 1;
	}
	return 0;
}

/* An address list that grows. */
struct addrs {
	struct np_addr *v;
	size_t n, cap;
};

static int addrs_add(struct addrs *l, const struct np_addr *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (l->n == l->cap) {
			size_t cap = l->cap ? l->cap * 2 : 8;
			struct np_addr *v = realloc(l->v, cap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			l->v = v;
			l->cap = cap;
		}
		l->v[l->n++] = a[i];
	}
	return 0;
}

static int str_qcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The ingress from the serving nodes' addresses. */
static int build_status(const struct np_service *s, const struct addrs *ext,
			const struct addrs *in, struct np_slb_status *out)
{
	const struct addrs *use = ext->n ? ext : in;
	char buf[NP_ADDR_STRLEN];
	size_t f, i, start, o;

	out->ips = calloc(use->n ? use->n : 1, sizeof(*out->ips));
	if (!out->ips)
		return -ENOMEM;
	for (f = 0; f < s->n_ip_families; f++) {
		start = out->n;
		for (i = 0; i < use->n; i++) {
			if (use->v[i].family != s->ip_families[f])
				continue;
			out->ips[out->n] = strdup(np_addr_str(&use->v[i], buf,
							      sizeof(buf)));
			if (!out->ips[out->n])
				return -ENOMEM;
			out->n++;
		}
		if (out->n - start > 1)
			qsort(out->ips + start, out->n - start,
			      sizeof(*out->ips), str_qcmp);
		/* As sets: one entry per address. */
		for (i = o = start; i < out->n; i++) {
			if (o > start && !strcmp(out->ips[o - 1], out->ips[i])) {
				free(out->ips[i]);
				continue;
			}
			out->ips[o++] = out->ips[i];
		}
		out->n = o;
	}
	return 0;
}

int np_slb_status_all(const struct np_model *m, np_slb_alive_fn alive,
		      void *actx,
		      int (*fn)(const struct np_service *s,
				const struct np_slb_status *st, void *ctx),
		      void *ctx)
{
	struct np_slb_svcs svcs;
	struct node_q nodes = { 0 };
	struct addrs *ext = NULL, *in = NULL;
	size_t *serving = NULL;
	size_t i, k;
	int ret;

	ret = np_slb_svcs_build(m, &svcs);
	if (ret)
		return ret;
	ret = np_model_foreach(m, NP_KIND_NODE, NULL, collect_node, &nodes);
	if (ret)
		goto out;
	if (nodes.n > 1)
		qsort(nodes.v, nodes.n, sizeof(*nodes.v), node_name_cmp);
	ext = calloc(svcs.n + 1, sizeof(*ext));
	in = calloc(svcs.n + 1, sizeof(*in));
	serving = calloc(svcs.n + 1, sizeof(*serving));
	if (!ext || !in || !serving) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nodes.n; i++) {
		const struct np_node *n = nodes.v[i];
		struct np_node_claims claims;

		if (n->meta.invalid || (alive && !alive(n->meta.name, actx)))
			continue;
		ret = np_node_claims_build(m, n->meta.name, n, &svcs, &claims);
		if (ret)
			goto out;
		for (k = 0; !ret && k < svcs.n; k++) {
			const struct np_service *s = svcs.v[k].svc;
			struct ready_q q = { n->meta.name };

			if (np_slb_eligible(&svcs.v[k], n, svcs.allow_list) !=
			    NP_SLB_ELIGIBLE || !np_node_claims_won(&claims, s))
				continue;
			if (s->external_traffic_policy == NP_TRAFFIC_LOCAL &&
			    !np_model_foreach_slice_of_service(m, s->meta.ns,
							       s->meta.name,
							       slice_ready_on,
							       &q))
				continue;
			serving[k]++;
			ret = addrs_add(&ext[k], n->external_ips,
					n->n_external_ips);
			if (!ret)
				ret = addrs_add(&in[k], n->internal_ips,
						n->n_internal_ips);
		}
		np_node_claims_free(&claims);
		if (ret)
			goto out;
	}
	for (k = 0; k < svcs.n; k++) {
		struct np_slb_status st = { .n_serving = serving[k] };

		ret = build_status(svcs.v[k].svc, &ext[k], &in[k], &st);
		if (!ret)
			ret = fn(svcs.v[k].svc, &st, ctx);
		np_slb_status_free(&st);
		if (ret)
			break;
	}
out:
	for (k = 0; ext && k < svcs.n; k++)
		free(ext[k].v);
	for (k = 0; in && k < svcs.n; k++)
		free(in[k].v);
	free(ext);
	free(in);
	free(serving);
	free(nodes.v);
	np_slb_svcs_free(&svcs);
	return ret;
}

struct one_q {
	const struct np_service *want;
	struct np_slb_status *out;
	int found;
};

static int copy_one(const struct np_service *s, const struct np_slb_status *st,
		    void *ctx)
{
	struct one_q *q = ctx;
	size_t i;

	if (s != q->want)
		return 0;
	q->found = 1;
	q->out->n_serving = st->n_serving;
	q->out->ips = calloc(st->n ? st->n : 1, sizeof(*q->out->ips));
	if (!q->out->ips)
		return -ENOMEM;
	for (i = 0; i < st->n; i++) {
		q->out->ips[i] = strdup(st->ips[i]);
		if (!q->out->ips[i])
			return -ENOMEM;
		q->out->n++;
	}
	return 1;
}

int np_slb_status(const struct np_model *m, const struct np_service *s,
		  np_slb_alive_fn alive, void *ctx, struct np_slb_status *out)
{
	struct one_q q = { s, out, 0 };
	int ret;

	memset(out, 0, sizeof(*out));
	if (!np_slb_service_wanted(s))
		return -EINVAL;
	ret = np_slb_status_all(m, alive, ctx, copy_one, &q);
	if (ret < 0) {
		np_slb_status_free(out);
		return ret;
	}
	return q.found ? 0 : -EINVAL;
}

bool np_slb_status_same(const struct np_slb_status *a,
			const struct np_slb_status *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->ips[i], b->ips[i]))
			return false;
	return true;
}

bool np_slb_status_current(const struct np_service *s,
			   const struct np_slb_status *st)
{
	char buf[NP_ADDR_STRLEN];
	size_t i;

	if (s->n_lb_ingress != st->n)
		return false;
	for (i = 0; i < st->n; i++)
		if (strcmp(np_addr_str(&s->lb_ingress[i], buf, sizeof(buf)),
			   st->ips[i]))
			return false;
	return true;
}

/* Appends s to buf (len bytes, *o used), truncating. */
static void put(char *buf, size_t len, size_t *o, const char *s)
{
	int n;

	if (*o >= len)
		return;
	n = snprintf(buf + *o, len - *o, "%s", s);
	*o += n < 0 ? 0 : (size_t)n;
	if (*o >= len)
		*o = len;
}

void np_slb_status_str(const struct np_slb_status *st, char *buf, size_t len)
{
	size_t i, o = 0;

	if (!len)
		return;
	buf[0] = '\0';
	put(buf, len, &o, "[");
	for (i = 0; i < st->n; i++) {
		if (i)
			put(buf, len, &o, " ");
		put(buf, len, &o, st->ips[i]);
	}
	put(buf, len, &o, "]");
}

void np_slb_status_event(const struct np_service *s,
			 const struct np_slb_status *st, const char **type,
			 const char **reason, char *msg, size_t len)
{
	char a[NP_ADDR_STRLEN], old[1024], cur[1024];
	size_t i, o = 0;

	if (!st->n) {
		*type = "Warning";
		*reason = "UnAvailableLoadBalancer";
		snprintf(msg, len,
			 "There are no available nodes for LoadBalancer");
		return;
	}
	*type = "Normal";
	*reason = "UpdatedLoadBalancer";
	old[0] = '\0';
	put(old, sizeof(old), &o, "[");
	for (i = 0; i < s->n_lb_ingress; i++) {
		if (i)
			put(old, sizeof(old), &o, " ");
		put(old, sizeof(old), &o,
		    np_addr_str(&s->lb_ingress[i], a, sizeof(a)));
	}
	put(old, sizeof(old), &o, "]");
	np_slb_status_str(st, cur, sizeof(cur));
	snprintf(msg, len, "Updated LoadBalancer with new IPs: %s -> %s", old,
		 cur);
}

cJSON *np_slb_status_json(const struct np_slb_status *st)
{
	cJSON *root = cJSON_CreateObject(), *lb, *ing, *one;
	size_t i;

	if (!root)
		return NULL;
	lb = cJSON_AddObjectToObject(root, "loadBalancer");
	if (!lb)
		goto fail;
	if (!st->n)
		return root;
	ing = cJSON_AddArrayToObject(lb, "ingress");
	if (!ing)
		goto fail;
	for (i = 0; i < st->n; i++) {
		one = cJSON_CreateObject();
		if (!one)
			goto fail;
		cJSON_AddItemToArray(ing, one);
		if (!cJSON_AddStringToObject(one, "ip", st->ips[i]) ||
		    !cJSON_AddStringToObject(one, "ipMode", "VIP"))
			goto fail;
	}
	return root;
fail:
	cJSON_Delete(root);
	return NULL;
}
