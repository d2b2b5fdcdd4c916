// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kinds the model knows: their names, API groups and collection paths,
 * and the small read helpers over decoded objects (labels, protocols).
 */
#include <stdlib.h>
#include <string.h>

#include "model/internal.h"

struct kind_info {
	const char *name;
	const char *api_version;
	const char *path;
	bool namespaced;
	const struct np_kind_ops *ops;
};

static const struct kind_info kinds[NP_KIND_COUNT] = {
	[NP_KIND_NODE] = { "Node", "v1", "/api/v1/nodes", false, &np_node_ops },
	[NP_KIND_SERVICE] = { "Service", "v1", "/api/v1/services", true,
			      &np_service_ops },
	[NP_KIND_ENDPOINTSLICE] = {
		"EndpointSlice", "discovery.k8s.io/v1",
		"/apis/discovery.k8s.io/v1/endpointslices", true,
		&np_endpointslice_ops },
	[NP_KIND_POD] = { "Pod", "v1", "/api/v1/pods", true, &np_pod_ops },
	[NP_KIND_NAMESPACE] = { "Namespace", "v1", "/api/v1/namespaces", false,
				&np_namespace_ops },
	[NP_KIND_NETWORKPOLICY] = {
		"NetworkPolicy", "networking.k8s.io/v1",
		"/apis/networking.k8s.io/v1/networkpolicies", true,
		&np_networkpolicy_ops },
};

static bool kind_valid(enum np_kind kind)
{
	return (unsigned int)kind < NP_KIND_COUNT;
}

const char *np_kind_name(enum np_kind kind)
{
	return kind_valid(kind) ? kinds[kind].name : "?";
}

const char *np_kind_api_version(enum np_kind kind)
{
	return kind_valid(kind) ? kinds[kind].api_version : "?";
}

int np_kind_of(const char *api_version, const char *kind)
{
	int i;

	if (!api_version || !kind)
		return -1;
	for (i = 0; i < NP_KIND_COUNT; i++)
		if (!strcmp(kinds[i].name, kind) &&
		    !strcmp(kinds[i].api_version, api_version))
			return i;
	return -1;
}

const char *np_kind_path(enum np_kind kind)
{
	return kind_valid(kind) ? kinds[kind].path : NULL;
}

bool np_kind_namespaced(enum np_kind kind)
{
	return kind_valid(kind) && kinds[kind].namespaced;
}

const struct np_kind_ops *np_kind_ops(enum np_kind kind)
{
	return kind_valid(kind) ? kinds[kind].ops : NULL;
}

static int kv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct np_kv *)a)->key,
		      ((const struct np_kv *)b)->key);
}

void np_kv_sort(struct np_kv *kv, size_t n)
{
	if (n > 1)
		qsort(kv, n, sizeof(*kv), kv_cmp);
}

/* Labels are sorted (np_kv_sort), so a binary search. */
static const char *kv_find(const struct np_kv *kv, size_t n, const char *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(key, kv[mid].key);

		if (!c)
			return kv[mid].value;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const char *np_meta_label(const struct np_meta *m, const char *key)
{
	return kv_find(m->labels, m->n_labels, key);
}

const char *np_proto_name(enum np_proto proto)
{
	switch (proto) {
	case NP_PROTO_TCP:
		return "TCP";
	case NP_PROTO_UDP:
		return "UDP";
	case NP_PROTO_SCTP:
		return "SCTP";
	case NP_PROTO_UNKNOWN:
		break;
	}
	return "?";
}
