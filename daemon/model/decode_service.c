// SPDX-License-Identifier: GPL-2.0-only
/*
 * Service: type, cluster IPs and families, ports, external IPs, traffic
 * policies, load balancer class, source ranges, status ingress IPs,
 * session affinity, allocateLoadBalancerNodePorts, the ServiceLB
 * tolerations annotation (kept as text), deletion and the load balancer
 * cleanup finalizer; its canonical form and free.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "model/internal.h"

static int dec_cluster_ips(struct dec *d, const cJSON *spec,
			   struct np_service *s)
{
	const cJSON *list, *one;
	size_t p;
	int ret = 0;

	ret = dec_array(d, spec, "clusterIPs", &list);
	if (ret)
		return ret;
	if (list && cJSON_GetArraySize(list)) {
		one = cJSON_GetArrayItem(list, 0);
		if (cJSON_IsString(one) && !strcmp(one->valuestring, "None")) {
			s->headless = true;
			return 0;
		}
		p = dec_push(d, "clusterIPs");
		ret = dec_addr_pair(d, list, NULL, s->cluster_ips,
				    &s->n_cluster_ips);
		dec_pop(d, p);
		return ret;
	}
	one = dec_get(spec, "clusterIP");
	if (!one)
		return 0;
	p = dec_push(d, "clusterIP");
	if (cJSON_IsString(one) && !strcmp(one->valuestring, "None")) {
		s->headless = true;
	} else if (!cJSON_IsString(one) || *one->valuestring) {
		ret = dec_addr_val(d, one, &s->cluster_ips[0]);
		if (!ret)
			s->n_cluster_ips = 1;
	}
	dec_pop(d, p);
	return ret;
}

static int dec_families(struct dec *d, const cJSON *spec, struct np_service *s)
{
	static const char *const names[] = { "IPv4", "IPv6" };
	const cJSON *list, *item;
	size_t i = 0, p;
	int ret, f = 0;

	ret = dec_array(d, spec, "ipFamilies", &list);
	if (ret)
		return ret;
	if (!list || !cJSON_GetArraySize(list)) {
		for (i = 0; i < s->n_cluster_ips; i++)
			s->ip_families[i] = s->cluster_ips[i].family;
		s->n_ip_families = s->n_cluster_ips;
		return 0;
	}
	p = dec_push(d, "ipFamilies");
	cJSON_ArrayForEach(item, list) {
		size_t q = dec_push_idx(d, i++);
		int family;

		ret = dec_enum_val(d, item, names, 2, &f);
		family = f ? AF_INET6 : AF_INET;
		if (!ret && (s->n_ip_families == 2 ||
			     (s->n_ip_families == 1 &&
			      s->ip_families[0] == family)))
			ret = dec_fail(d, "a second %s", names[f]);
		dec_pop(d, q);
		if (ret)
			break;
		s->ip_families[s->n_ip_families++] = family;
	}
	dec_pop(d, p);
	return ret;
}

static int dec_svc_port(struct dec *d, const cJSON *v, void *elem,
			const void *arg)
{
	struct np_service_port *sp = elem;
	int ret;

	(void)arg;
	ret = dec_port_item(d, v, &sp->name, &sp->proto, &sp->port);
	if (!ret && !sp->port) {
		size_t p = dec_push(d, "port");

		ret = dec_fail(d, "missing");
		dec_pop(d, p);
	}
	if (!ret)
		ret = dec_port_ref(d, v, "targetPort", &sp->target);
	if (!ret && !sp->target.num && !sp->target.name)
		sp->target.num = sp->port;
	if (!ret)
		ret = dec_port(d, v, "nodePort", true, &sp->node_port);
	return ret;
}

/* An array of address strings into a malloc'd array. */
static int dec_addr_list(struct dec *d, const cJSON *parent, const char *key,
			 const char *item_key, struct np_addr **out, size_t *n)
{
	const cJSON *list, *item, *v;
	size_t p, i = 0;
	int ret;

	ret = dec_array(d, parent, key, &list);
	if (ret || !list)
		return ret;
	ret = dec_calloc(d, (size_t)cJSON_GetArraySize(list), sizeof(**out),
			 (void **)out);
	if (ret)
		return ret;
	p = dec_push(d, key);
	cJSON_ArrayForEach(item, list) {
		size_t q = dec_push_idx(d, i++);

		v = item;
		if (item_key) {
			if (!cJSON_IsObject(item)) {
				ret = dec_fail_val(d, item, "is not an object");
				dec_pop(d, q);
				break;
			}
			v = dec_get(item, item_key);
			dec_push(d, item_key);
		}
		if (v)
			ret = dec_addr_val(d, v, &(*out)[(*n)++]);
		dec_pop(d, q);
		if (ret)
			break;
	}
	dec_pop(d, p);
	return ret;
}

/* One element of a comma list, spaces trimmed. */
static int dec_range(struct dec *d, const char *s, size_t len,
		     struct np_cidr *out)
{
	char buf[NP_CIDR_STRLEN + 1];

	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (len >= sizeof(buf))
		return dec_fail(d, "\"%.*s\" is not a CIDR", (int)len, s);
	memcpy(buf, s, len);
	buf[len] = '\0';
	return dec_cidr_text(d, buf, out);
}

static int dec_source_ranges(struct dec *d, const cJSON *obj,
			     const cJSON *spec, struct np_service *s)
{
	const cJSON *list, *item;
	const char *ann, *c, *e;
	size_t p, i = 0, n;
	int ret;

	p = dec_push(d, "spec");
	ret = dec_array(d, spec, "loadBalancerSourceRanges", &list);
	dec_pop(d, p);
	if (ret)
		return ret;
	if (list && cJSON_GetArraySize(list)) {
		n = (size_t)cJSON_GetArraySize(list);
		ret = dec_calloc(d, n, sizeof(*s->lb_source_ranges),
				 (void **)&s->lb_source_ranges);
		if (ret)
			return ret;
		p = dec_push(d, "spec");
		dec_push(d, "loadBalancerSourceRanges");
		cJSON_ArrayForEach(item, list) {
			size_t q = dec_push_idx(d, i++);
			const char *t;

			ret = dec_str_val(d, item, &t);
			if (!ret)
				ret = dec_range(d, t, strlen(t),
					&s->lb_source_ranges[s->n_lb_source_ranges++]);
			dec_pop(d, q);
			if (ret)
				break;
		}
		dec_pop(d, p);
		return ret;
	}
	ret = dec_annotation(d, obj, NP_LB_SOURCE_RANGES_ANN, &ann);
	if (ret || !ann || !ann[strspn(ann, " \t")])
		return ret;
	for (n = 1, c = ann; (c = strchr(c, ',')); c++)
		n++;
	ret = dec_calloc(d, n, sizeof(*s->lb_source_ranges),
			 (void **)&s->lb_source_ranges);
	if (ret)
		return ret;
	p = d->plen;
	dec_push(d, "metadata");
	dec_push(d, "annotations");
	dec_push_mapkey(d, NP_LB_SOURCE_RANGES_ANN);
	for (c = ann; !ret; c = e + 1) {
		e = strchr(c, ',');
		if (!e)
			e = c + strlen(c);
		ret = dec_range(d, c, (size_t)(e - c),
				&s->lb_source_ranges[s->n_lb_source_ranges++]);
		if (!*e)
			break;
	}
	dec_pop(d, p);
	return ret;
}

static int dec_status(struct dec *d, const cJSON *obj, struct np_service *s)
{
	const cJSON *status, *lb;
	size_t p;
	int ret;

	ret = dec_object(d, obj, "status", &status);
	if (ret || !status)
		return ret;
	p = dec_push(d, "status");
	ret = dec_object(d, status, "loadBalancer", &lb);
	if (!ret && lb) {
		dec_push(d, "loadBalancer");
		ret = dec_addr_list(d, lb, "ingress", "ip", &s->lb_ingress,
				    &s->n_lb_ingress);
	}
	dec_pop(d, p);
	return ret;
}

/* metadata.deletionTimestamp (an RFC 3339 time) and metadata.finalizers
 * (a list of strings). */
static int dec_deletion(struct dec *d, const cJSON *obj, struct np_service *s)
{
	const cJSON *md = dec_get(obj, "metadata"), *ts, *list, *f;
	const char *v;
	int64_t t;
	size_t p, q, i = 0;
	int ret = 0;

	p = dec_push(d, "metadata");
	ts = dec_get(md, "deletionTimestamp");
	if (ts) {
		q = dec_push(d, "deletionTimestamp");
		ret = dec_str_val(d, ts, &v);
		if (!ret && np_rfc3339_parse(v, &t) < 0)
			ret = dec_fail_val(d, ts, "is not an RFC 3339 time");
		dec_pop(d, q);
		s->terminating = true;
	}
	if (!ret)
		ret = dec_array(d, md, "finalizers", &list);
	if (!ret && list) {
		q = dec_push(d, "finalizers");
		cJSON_ArrayForEach(f, list) {
			size_t r = dec_push_idx(d, i++);

			ret = dec_str_val(d, f, &v);
			dec_pop(d, r);
			if (ret)
				break;
			if (!strcmp(v, NP_LB_FINALIZER))
				s->lb_finalizer = true;
		}
		dec_pop(d, q);
	}
	dec_pop(d, p);
	return ret;
}

void np_service_deletion_peek(const cJSON *obj, struct np_service *s)
{
	const cJSON *md = dec_get(obj, "metadata"), *list, *f;

	s->terminating = dec_get(md, "deletionTimestamp") != NULL;
	list = dec_get(md, "finalizers");
	if (!cJSON_IsArray(list))
		return;
	cJSON_ArrayForEach(f, list)
		if (cJSON_IsString(f) && !strcmp(f->valuestring,
						 NP_LB_FINALIZER))
			s->lb_finalizer = true;
}

/* sessionAffinity and sessionAffinityConfig.clientIP.timeoutSeconds. */
static int dec_affinity(struct dec *d, const cJSON *spec, struct np_service *s)
{
	static const char *const names[] = { "None", "ClientIP" };
	const cJSON *cfg, *cip, *t;
	int ret, v = NP_AFFINITY_NONE;
	size_t p;

	s->affinity_timeout = NP_AFFINITY_TIMEOUT_DEFAULT;
	ret = dec_enum_open(d, spec, "sessionAffinity", names, 2, &v);
	s->session_affinity = (enum np_session_affinity)v;
	if (!ret)
		ret = dec_object(d, spec, "sessionAffinityConfig", &cfg);
	if (ret || !cfg)
		return ret;
	p = dec_push(d, "sessionAffinityConfig");
	ret = dec_object(d, cfg, "clientIP", &cip);
	if (!ret && cip) {
		dec_push(d, "clientIP");
		t = dec_get(cip, "timeoutSeconds");
		if (t) {
			dec_push(d, "timeoutSeconds");
			if (!cJSON_IsNumber(t) || t->valuedouble < 1 ||
			    t->valuedouble > NP_AFFINITY_TIMEOUT_MAX ||
			    t->valuedouble != (double)(long)t->valuedouble)
				ret = dec_fail_val(d, t, "is not in 1..86400");
			else
				s->affinity_timeout = (uint32_t)t->valuedouble;
		}
	}
	dec_pop(d, p);
	return ret;
}

static int service_decode(struct dec *d, const cJSON *obj, void *out)
{
	static const char *const types[] = {
		"ClusterIP", "NodePort", "LoadBalancer", "ExternalName"
	};
	static const char *const policies[] = { "Cluster", "Local" };
	struct np_service *s = out;
	const cJSON *spec;
	const char *ann;
	int ret, v;
	size_t p;

	ret = dec_object(d, obj, "spec", &spec);
	if (ret)
		return ret;
	p = dec_push(d, "spec");
	v = NP_SVC_CLUSTER_IP;
	ret = dec_enum_open(d, spec, "type", types, 4, &v);
	s->type = (enum np_svc_type)v;
	if (!ret)
		ret = dec_cluster_ips(d, spec, s);
	if (!ret)
		ret = dec_families(d, spec, s);
	if (!ret)
		ret = dec_list(d, spec, "ports", sizeof(*s->ports),
			       dec_svc_port, NULL, (void **)&s->ports,
			       &s->n_ports);
	if (!ret)
		ret = dec_addr_list(d, spec, "externalIPs", NULL,
				    &s->external_ips, &s->n_external_ips);
	v = NP_TRAFFIC_CLUSTER;
	if (!ret)
		ret = dec_enum_open(d, spec, "externalTrafficPolicy",
				    policies, 2, &v);
	s->external_traffic_policy = (enum np_traffic_policy)v;
	v = NP_TRAFFIC_CLUSTER;
	if (!ret)
		ret = dec_enum_open(d, spec, "internalTrafficPolicy",
				    policies, 2, &v);
	s->internal_traffic_policy = (enum np_traffic_policy)v;
	if (!ret)
		ret = dec_port(d, spec, "healthCheckNodePort", true,
			       &s->health_check_node_port);
	if (!ret)
		ret = dec_str(d, spec, "loadBalancerClass", &s->lb_class);
	if (!ret)
		ret = dec_affinity(d, spec, s);
	s->alloc_lb_node_ports = true;
	if (!ret)
		ret = dec_bool(d, spec, "allocateLoadBalancerNodePorts",
			       &s->alloc_lb_node_ports);
	dec_pop(d, p);
	if (!ret)
		ret = dec_annotation(d, obj, NP_TOLERATIONS_ANN, &ann);
	if (!ret && ann && !(s->tolerations_ann = strdup(ann)))
		ret = dec_nomem(d);
	if (!ret)
		ret = dec_source_ranges(d, obj, spec, s);
	if (!ret)
		ret = dec_status(d, obj, s);
	if (!ret)
		ret = dec_deletion(d, obj, s);
	return ret;
}

static void service_canon(struct canon *c, const void *obj)
{
	const struct np_service *s = obj;
	size_t i;

	canon_meta(c, &s->meta);
	canon_u32(c, s->type);
	canon_u32(c, s->headless);
	canon_u32(c, (uint32_t)s->n_cluster_ips);
	for (i = 0; i < s->n_cluster_ips; i++)
		canon_addr(c, &s->cluster_ips[i]);
	canon_u32(c, (uint32_t)s->n_ip_families);
	for (i = 0; i < s->n_ip_families; i++)
		canon_u32(c, (uint32_t)s->ip_families[i]);
	canon_u32(c, (uint32_t)s->n_ports);
	for (i = 0; i < s->n_ports; i++) {
		const struct np_service_port *sp = &s->ports[i];

		canon_str(c, sp->name);
		canon_u32(c, sp->proto);
		canon_u32(c, sp->port);
		canon_port_ref(c, &sp->target);
		canon_u32(c, sp->node_port);
	}
	canon_u32(c, (uint32_t)s->n_external_ips);
	for (i = 0; i < s->n_external_ips; i++)
		canon_addr(c, &s->external_ips[i]);
	canon_u32(c, s->external_traffic_policy);
	canon_u32(c, s->internal_traffic_policy);
	canon_u32(c, s->health_check_node_port);
	canon_str(c, s->lb_class);
	canon_u32(c, (uint32_t)s->n_lb_source_ranges);
	for (i = 0; i < s->n_lb_source_ranges; i++)
		canon_cidr(c, &s->lb_source_ranges[i]);
	canon_u32(c, (uint32_t)s->n_lb_ingress);
	for (i = 0; i < s->n_lb_ingress; i++)
		canon_addr(c, &s->lb_ingress[i]);
	canon_u32(c, s->session_affinity);
	canon_u32(c, s->affinity_timeout);
	canon_u32(c, s->alloc_lb_node_ports);
	canon_str(c, s->tolerations_ann);
	canon_u32(c, (uint32_t)(s->terminating | s->lb_finalizer << 1));
}

static void service_free(void *obj)
{
	struct np_service *s = obj;
	size_t i;

	np_meta_free(&s->meta);
	for (i = 0; i < s->n_ports; i++) {
		free(s->ports[i].name);
		free(s->ports[i].target.name);
	}
	free(s->ports);
	free(s->external_ips);
	free(s->lb_class);
	free(s->lb_source_ranges);
	free(s->lb_ingress);
	free(s->tolerations_ann);
}

const struct np_kind_ops np_service_ops = {
	.size = sizeof(struct np_service),
	.decode = service_decode,
	.canon = service_canon,
	.free = service_free,
};
