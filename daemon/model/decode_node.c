// SPDX-License-Identifier: GPL-2.0-only
/*
 * Node: spec.podCIDRs (or spec.podCIDR), status.addresses (InternalIP,
 * ExternalIP), flannel's annotations, spec.unschedulable, spec.taints and
 * the Ready condition; its canonical form and free.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "model/internal.h"

/* At most one prefix per family (flannel: "more than 2 is an error"). */
static int dec_pod_cidrs(struct dec *d, const cJSON *spec, struct np_node *n)
{
	const cJSON *list, *item;
	struct np_cidr c;
	size_t i = 0, p;
	int ret;

	ret = dec_array(d, spec, "podCIDRs", &list);
	if (ret)
		return ret;
	if (!list || !cJSON_GetArraySize(list)) {
		const cJSON *v = dec_get(spec, "podCIDR");

		if (!v)
			return 0;
		p = dec_push(d, "podCIDR");
		ret = dec_cidr_val(d, v, &n->pod_cidrs[0]);
		dec_pop(d, p);
		if (!ret)
			n->n_pod_cidrs = 1;
		return ret;
	}
	p = dec_push(d, "podCIDRs");
	cJSON_ArrayForEach(item, list) {
		size_t q = dec_push_idx(d, i++);

		ret = dec_cidr_val(d, item, &c);
		if (!ret && n->n_pod_cidrs == 2)
			ret = dec_fail(d, "more than two CIDRs");
		if (!ret && n->n_pod_cidrs == 1 &&
		    n->pod_cidrs[0].addr.family == c.addr.family)
			ret = dec_fail(d, "a second %s CIDR",
				       c.addr.family == AF_INET ? "IPv4" : "IPv6");
		dec_pop(d, q);
		if (ret)
			break;
		n->pod_cidrs[n->n_pod_cidrs++] = c;
	}
	dec_pop(d, p);
	return ret;
}

/* Adds a to list (one per family; later ones of a family are ignored). */
static void add_addr(struct np_addr list[2], size_t *n, const struct np_addr *a)
{
	if (*n == 2 || (*n == 1 && list[0].family == a->family))
		return;
	list[(*n)++] = *a;
}

static int dec_addresses(struct dec *d, const cJSON *status, struct np_node *n)
{
	const cJSON *list, *item;
	size_t i = 0, p;
	int ret;

	ret = dec_array(d, status, "addresses", &list);
	if (ret || !list)
		return ret;
	p = dec_push(d, "addresses");
	cJSON_ArrayForEach(item, list) {
		size_t q = dec_push_idx(d, i++);
		const char *type;
		bool internal;
		struct np_addr a;

		ret = cJSON_IsObject(item) ? 0 :
			dec_fail_val(d, item, "is not an object");
		if (!ret)
			ret = dec_str_ref(d, item, "type", &type);
		if (ret)
			goto out;
		if (!type || (strcmp(type, "InternalIP") &&
			      strcmp(type, "ExternalIP"))) {
			dec_pop(d, q);
			continue;
		}
		internal = !strcmp(type, "InternalIP");
		dec_push(d, "address");
		if (!dec_get(item, "address"))
			ret = dec_fail(d, "missing");
		else
			ret = dec_addr_val(d, dec_get(item, "address"), &a);
		if (ret)
			goto out;
		if (internal)
			add_addr(n->internal_ips, &n->n_internal_ips, &a);
		else
			add_addr(n->external_ips, &n->n_external_ips, &a);
		dec_pop(d, q);
	}
	dec_pop(d, p);
	return 0;
out:
	dec_pop(d, p);
	return ret;
}

static int dec_flannel(struct dec *d, const cJSON *obj, struct np_node *n)
{
	static const struct {
		const char *key;
		size_t off;
	} anns[] = {
#define ANN(k, f) { NP_FLANNEL_ANN k, offsetof(struct np_flannel_ann, f) }
		ANN("kube-subnet-manager", kube_subnet_manager),
		ANN("backend-type", backend_type),
		ANN("backend-data", backend_data),
		ANN("backend-v6-data", backend_v6_data),
		ANN("public-ip", public_ip),
		ANN("public-ipv6", public_ipv6),
		ANN("public-ip-overwrite", public_ip_overwrite),
		ANN("public-ipv6-overwrite", public_ipv6_overwrite),
#undef ANN
	};
	size_t i;
	int ret;

	for (i = 0; i < sizeof(anns) / sizeof(anns[0]); i++) {
		char **dst = (char **)((char *)&n->flannel + anns[i].off);
		const char *v;

		ret = dec_annotation(d, obj, anns[i].key, &v);
		if (ret)
			return ret;
		if (v && !(*dst = strdup(v)))
			return dec_nomem(d);
	}
	return 0;
}

static int dec_taint(struct dec *d, const cJSON *v, void *elem,
		     const void *arg)
{
	static const char *const effects[] = {
		"NoSchedule", "PreferNoSchedule", "NoExecute"
	};
	struct np_taint *t = elem;
	int ret, e = -1;
	size_t p;

	(void)arg;
	if (!cJSON_IsObject(v))
		return dec_fail_val(d, v, "is not an object");
	ret = dec_str(d, v, "key", &t->key);
	if (!ret && (!t->key || !*t->key)) {
		p = dec_push(d, "key");
		ret = dec_fail(d, "missing");
		dec_pop(d, p);
	}
	if (!ret)
		ret = dec_str(d, v, "value", &t->value);
	if (!ret && !t->value && !(t->value = strdup("")))
		ret = dec_nomem(d);
	if (!ret)
		ret = dec_enum_open(d, v, "effect", effects, 3, &e);
	if (!ret && e < 0) {
		p = dec_push(d, "effect");
		ret = dec_fail(d, "missing");
		dec_pop(d, p);
	}
	t->effect = (enum np_taint_effect)e;
	return ret;
}

/* status.conditions[type=Ready].status; absent: unknown. */
static int dec_ready(struct dec *d, const cJSON *status, struct np_node *n)
{
	const cJSON *list, *c;
	const char *type, *st;
	size_t p, i = 0;
	int ret;

	n->ready = NP_COND_UNKNOWN;
	ret = dec_array(d, status, "conditions", &list);
	if (ret || !list)
		return ret;
	p = dec_push(d, "conditions");
	cJSON_ArrayForEach(c, list) {
		size_t q = dec_push_idx(d, i++);

		ret = cJSON_IsObject(c) ? dec_str_ref(d, c, "type", &type) :
			dec_fail_val(d, c, "is not an object");
		if (!ret && type && !strcmp(type, "Ready")) {
			ret = dec_str_ref(d, c, "status", &st);
			if (!ret && st && !strcmp(st, "True"))
				n->ready = NP_COND_TRUE;
			else if (!ret && st && !strcmp(st, "False"))
				n->ready = NP_COND_FALSE;
			else
				n->ready = NP_COND_UNKNOWN;
		}
		dec_pop(d, q);
		if (ret)
			break;
	}
	dec_pop(d, p);
	return ret;
}

static int node_decode(struct dec *d, const cJSON *obj, void *out)
{
	struct np_node *n = out;
	const cJSON *spec, *status;
	size_t p;
	int ret;

	ret = dec_object(d, obj, "spec", &spec);
	if (!ret && spec) {
		p = dec_push(d, "spec");
		ret = dec_pod_cidrs(d, spec, n);
		if (!ret)
			ret = dec_bool(d, spec, "unschedulable",
				       &n->unschedulable);
		if (!ret)
			ret = dec_list(d, spec, "taints", sizeof(*n->taints),
				       dec_taint, NULL, (void **)&n->taints,
				       &n->n_taints);
		dec_pop(d, p);
	}
	if (!ret)
		ret = dec_object(d, obj, "status", &status);
	if (!ret && status) {
		p = dec_push(d, "status");
		ret = dec_addresses(d, status, n);
		if (!ret)
			ret = dec_ready(d, status, n);
		dec_pop(d, p);
	}
	if (!ret)
		ret = dec_flannel(d, obj, n);
	return ret;
}

static void node_canon(struct canon *c, const void *obj)
{
	const struct np_node *n = obj;
	const struct np_flannel_ann *f = &n->flannel;
	size_t i;

	canon_meta(c, &n->meta);
	canon_u32(c, (uint32_t)n->n_pod_cidrs);
	for (i = 0; i < n->n_pod_cidrs; i++)
		canon_cidr(c, &n->pod_cidrs[i]);
	canon_u32(c, (uint32_t)n->n_internal_ips);
	for (i = 0; i < n->n_internal_ips; i++)
		canon_addr(c, &n->internal_ips[i]);
	canon_u32(c, (uint32_t)n->n_external_ips);
	for (i = 0; i < n->n_external_ips; i++)
		canon_addr(c, &n->external_ips[i]);
	canon_str(c, f->kube_subnet_manager);
	canon_str(c, f->backend_type);
	canon_str(c, f->backend_data);
	canon_str(c, f->backend_v6_data);
	canon_str(c, f->public_ip);
	canon_str(c, f->public_ipv6);
	canon_str(c, f->public_ip_overwrite);
	canon_str(c, f->public_ipv6_overwrite);
	canon_u32(c, n->unschedulable);
	canon_u32(c, (uint32_t)n->n_taints);
	for (i = 0; i < n->n_taints; i++) {
		canon_str(c, n->taints[i].key);
		canon_str(c, n->taints[i].value);
		canon_u32(c, n->taints[i].effect);
	}
	canon_u32(c, n->ready);
}

static void node_free(void *obj)
{
	struct np_node *n = obj;
	struct np_flannel_ann *f = &n->flannel;
	size_t i;

	np_meta_free(&n->meta);
	for (i = 0; i < n->n_taints; i++) {
		free(n->taints[i].key);
		free(n->taints[i].value);
	}
	free(n->taints);
	free(f->kube_subnet_manager);
	free(f->backend_type);
	free(f->backend_data);
	free(f->backend_v6_data);
	free(f->public_ip);
	free(f->public_ipv6);
	free(f->public_ip_overwrite);
	free(f->public_ipv6_overwrite);
}

const struct np_kind_ops np_node_ops = {
	.size = sizeof(struct np_node),
	.decode = node_decode,
	.canon = node_canon,
	.free = node_free,
};
