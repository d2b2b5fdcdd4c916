// SPDX-License-Identifier: GPL-2.0-only
/*
 * EndpointSlice (discovery.k8s.io/v1): the Service it belongs to (label
 * kubernetes.io/service-name), addressType, endpoints (addresses,
 * conditions, nodeName, zone, targetRef) and ports; its canonical form
 * and free.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "model/internal.h"

static const char *const addr_types[] = { "IPv4", "IPv6", "FQDN" };

static int dec_conditions(struct dec *d, const cJSON *ep, struct np_endpoint *e)
{
	const cJSON *cond;
	size_t p;
	int ret;

	/* API: ready and serving nil mean true, terminating nil false. */
	e->ready = e->serving = true;
	e->terminating = false;
	ret = dec_object(d, ep, "conditions", &cond);
	if (ret || !cond)
		return ret;
	p = dec_push(d, "conditions");
	ret = dec_bool(d, cond, "ready", &e->ready);
	if (!ret)
		ret = dec_bool(d, cond, "serving", &e->serving);
	if (!ret)
		ret = dec_bool(d, cond, "terminating", &e->terminating);
	dec_pop(d, p);
	return ret;
}

static int dec_addresses(struct dec *d, const cJSON *ep,
			 enum np_slice_addr_type type, struct np_endpoint *e)
{
	int want = type == NP_SLICE_IPV4 ? AF_INET : AF_INET6;
	const cJSON *list, *item;
	size_t p, i = 0;
	int ret;

	ret = dec_array(d, ep, "addresses", &list);
	if (ret)
		return ret;
	p = dec_push(d, "addresses");
	if (!list || !cJSON_GetArraySize(list)) {
		ret = dec_fail(d, "missing");
		goto out;
	}
	if (type == NP_SLICE_FQDN) {
		cJSON_ArrayForEach(item, list) {
			const char *s;
			size_t q = dec_push_idx(d, i++);

			ret = dec_str_val(d, item, &s);
			dec_pop(d, q);
			if (ret)
				goto out;
		}
		goto out;
	}
	ret = dec_calloc(d, (size_t)cJSON_GetArraySize(list),
			 sizeof(*e->addrs), (void **)&e->addrs);
	if (ret)
		goto out;
	cJSON_ArrayForEach(item, list) {
		size_t q = dec_push_idx(d, i++);
		struct np_addr *a = &e->addrs[e->n_addrs++];

		ret = dec_addr_val(d, item, a);
		if (!ret && a->family != want)
			ret = dec_fail_val(d, item, want == AF_INET ?
					   "is not an IPv4 address" :
					   "is not an IPv6 address");
		dec_pop(d, q);
		if (ret)
			goto out;
	}
out:
	dec_pop(d, p);
	return ret;
}

static int dec_endpoint(struct dec *d, const cJSON *v, void *elem,
			const void *arg)
{
	const enum np_slice_addr_type *type = arg;
	struct np_endpoint *e = elem;
	const cJSON *ref;
	const char *kind;
	size_t p;
	int ret;

	if (!cJSON_IsObject(v))
		return dec_fail_val(d, v, "is not an object");
	ret = dec_addresses(d, v, *type, e);
	if (!ret)
		ret = dec_conditions(d, v, e);
	if (!ret)
		ret = dec_str(d, v, "nodeName", &e->node_name);
	if (!ret)
		ret = dec_str(d, v, "zone", &e->zone);
	if (!ret)
		ret = dec_object(d, v, "targetRef", &ref);
	if (ret || !ref)
		return ret;
	p = dec_push(d, "targetRef");
	ret = dec_str_ref(d, ref, "kind", &kind);
	if (!ret)
		ret = dec_str(d, ref, "name", &e->target_name);
	e->target_pod = !ret && kind && !strcmp(kind, "Pod");
	dec_pop(d, p);
	return ret;
}

static int dec_slice_port(struct dec *d, const cJSON *v, void *elem,
			  const void *arg)
{
	struct np_endpoint_port *ep = elem;

	(void)arg;
	return dec_port_item(d, v, &ep->name, &ep->proto, &ep->port);
}

static int slice_decode(struct dec *d, const cJSON *obj, void *out)
{
	struct np_endpointslice *s = out;
	const char *svc;
	int ret, t = -1;
	size_t p;

	svc = np_meta_label(&s->meta, NP_SERVICE_NAME_LABEL);
	if (svc && !(s->service_name = strdup(svc)))
		return dec_nomem(d);
	ret = dec_enum_open(d, obj, "addressType", addr_types, 3, &t);
	if (ret)
		return ret;
	if (t < 0) {
		p = dec_push(d, "addressType");
		ret = dec_fail(d, "missing");
		dec_pop(d, p);
		return ret;
	}
	s->addr_type = (enum np_slice_addr_type)t;

	ret = dec_list(d, obj, "endpoints", sizeof(*s->endpoints),
		       dec_endpoint, &s->addr_type, (void **)&s->endpoints,
		       &s->n_endpoints);
	if (!ret)
		ret = dec_list(d, obj, "ports", sizeof(*s->ports),
			       dec_slice_port, NULL, (void **)&s->ports,
			       &s->n_ports);
	return ret;
}

static void slice_canon(struct canon *c, const void *obj)
{
	const struct np_endpointslice *s = obj;
	size_t i, j;

	canon_meta(c, &s->meta);
	canon_str(c, s->service_name);
	canon_u32(c, s->addr_type);
	canon_u32(c, (uint32_t)s->n_endpoints);
	for (i = 0; i < s->n_endpoints; i++) {
		const struct np_endpoint *e = &s->endpoints[i];

		canon_u32(c, (uint32_t)e->n_addrs);
		for (j = 0; j < e->n_addrs; j++)
			canon_addr(c, &e->addrs[j]);
		canon_u32(c, (uint32_t)(e->ready | e->serving << 1 |
					e->terminating << 2 |
					e->target_pod << 3));
		canon_str(c, e->node_name);
		canon_str(c, e->zone);
		canon_str(c, e->target_name);
	}
	canon_u32(c, (uint32_t)s->n_ports);
	for (i = 0; i < s->n_ports; i++) {
		canon_str(c, s->ports[i].name);
		canon_u32(c, s->ports[i].proto);
		canon_u32(c, s->ports[i].port);
	}
}

static void slice_free(void *obj)
{
	struct np_endpointslice *s = obj;
	size_t i;

	np_meta_free(&s->meta);
	free(s->service_name);
	for (i = 0; i < s->n_endpoints; i++) {
		free(s->endpoints[i].addrs);
		free(s->endpoints[i].node_name);
		free(s->endpoints[i].zone);
		free(s->endpoints[i].target_name);
	}
	free(s->endpoints);
	for (i = 0; i < s->n_ports; i++)
		free(s->ports[i].name);
	free(s->ports);
}

const struct np_kind_ops np_endpointslice_ops = {
	.size = sizeof(struct np_endpointslice),
	.decode = slice_decode,
	.canon = slice_canon,
	.free = slice_free,
};
