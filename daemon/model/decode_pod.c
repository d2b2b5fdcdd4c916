// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pod: nodeName, hostNetwork, containers' ports (hostPort, containerPort,
 * protocol, hostIP), phase, Ready condition, pod and host IPs, deletion;
 * its canonical form and free.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "model/internal.h"

static int dec_cport(struct dec *d, const cJSON *v,
		     struct np_container_port *cp)
{
	const cJSON *hip;
	size_t p;
	int ret;

	if (!cJSON_IsObject(v))
		return dec_fail_val(d, v, "is not an object");
	ret = dec_str(d, v, "name", &cp->name);
	if (!ret && !cp->name && !(cp->name = strdup("")))
		ret = dec_nomem(d);
	if (!ret)
		ret = dec_proto(d, v, "protocol", &cp->proto);
	if (!ret)
		ret = dec_port(d, v, "containerPort", false,
			       &cp->container_port);
	if (!ret && !cp->container_port) {
		p = dec_push(d, "containerPort");
		ret = dec_fail(d, "missing");
		dec_pop(d, p);
	}
	if (!ret)
		ret = dec_port(d, v, "hostPort", true, &cp->host_port);
	hip = dec_get(v, "hostIP");
	if (ret || !hip || (cJSON_IsString(hip) && !*hip->valuestring))
		return ret;
	p = dec_push(d, "hostIP");
	ret = dec_addr_val(d, hip, &cp->host_ip);
	dec_pop(d, p);
	/* 0.0.0.0 and :: mean every address, as unset (portmap). */
	if (!ret) {
		static const uint8_t zero[16];

		if (!memcmp(cp->host_ip.a, zero, sizeof(zero)))
			memset(&cp->host_ip, 0, sizeof(cp->host_ip));
	}
	return ret;
}

static int dec_containers(struct dec *d, const cJSON *spec, struct np_pod *pod)
{
	const cJSON *list, *c, *ports, *item;
	size_t n = 0, i = 0, p;
	int ret;

	ret = dec_array(d, spec, "containers", &list);
	if (ret || !list)
		return ret;
	p = dec_push(d, "containers");
	cJSON_ArrayForEach(c, list) {
		size_t q = dec_push_idx(d, i++);

		ret = cJSON_IsObject(c) ? dec_array(d, c, "ports", &ports) :
			dec_fail_val(d, c, "is not an object");
		dec_pop(d, q);
		if (ret)
			goto out;
		if (ports)
			n += (size_t)cJSON_GetArraySize(ports);
	}
	ret = dec_calloc(d, n, sizeof(*pod->ports), (void **)&pod->ports);
	if (ret)
		goto out;
	i = 0;
	cJSON_ArrayForEach(c, list) {
		size_t q = dec_push_idx(d, i++), j = 0;

		ports = dec_get(c, "ports");
		dec_push(d, "ports");
		cJSON_ArrayForEach(item, ports) {
			size_t r = dec_push_idx(d, j++);

			ret = dec_cport(d, item, &pod->ports[pod->n_ports++]);
			dec_pop(d, r);
			if (ret)
				break;
		}
		dec_pop(d, q);
		if (ret)
			break;
	}
out:
	dec_pop(d, p);
	return ret;
}

/* status.<list>[].ip, or else status.<one>. */
static int dec_ips(struct dec *d, const cJSON *status, const char *list_key,
		   const char *one_key, struct np_addr out[2], size_t *n)
{
	const cJSON *list, *one;
	size_t p;
	int ret;

	ret = dec_array(d, status, list_key, &list);
	if (ret)
		return ret;
	if (list && cJSON_GetArraySize(list)) {
		p = dec_push(d, list_key);
		ret = dec_addr_pair(d, list, "ip", out, n);
		dec_pop(d, p);
		return ret;
	}
	one = dec_get(status, one_key);
	if (!one || (cJSON_IsString(one) && !*one->valuestring))
		return 0;
	p = dec_push(d, one_key);
	ret = dec_addr_val(d, one, &out[0]);
	dec_pop(d, p);
	if (!ret)
		*n = 1;
	return ret;
}

static int dec_ready(struct dec *d, const cJSON *status, struct np_pod *pod)
{
	const cJSON *list, *c;
	const char *type, *st;
	size_t p, i = 0;
	int ret;

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
			pod->ready = !ret && st && !strcmp(st, "True");
		}
		dec_pop(d, q);
		if (ret)
			break;
	}
	dec_pop(d, p);
	return ret;
}

static int pod_decode(struct dec *d, const cJSON *obj, void *out)
{
	static const char *const phases[] = {
		"Pending", "Running", "Succeeded", "Failed", "Unknown"
	};
	struct np_pod *pod = out;
	const cJSON *spec, *status;
	int ret, phase = NP_POD_PENDING;
	size_t p;

	pod->terminating = dec_get(dec_get(obj, "metadata"),
				   "deletionTimestamp") != NULL;
	ret = dec_object(d, obj, "spec", &spec);
	if (!ret && spec) {
		p = dec_push(d, "spec");
		ret = dec_str(d, spec, "nodeName", &pod->node_name);
		if (!ret && pod->node_name && !*pod->node_name) {
			free(pod->node_name);
			pod->node_name = NULL;
		}
		if (!ret)
			ret = dec_bool(d, spec, "hostNetwork",
				       &pod->host_network);
		if (!ret)
			ret = dec_containers(d, spec, pod);
		dec_pop(d, p);
	}
	if (!ret)
		ret = dec_object(d, obj, "status", &status);
	if (ret || !status)
		return ret;
	p = dec_push(d, "status");
	ret = dec_enum_open(d, status, "phase", phases, 5, &phase);
	pod->phase = phase == 5 ? NP_POD_UNKNOWN : (enum np_pod_phase)phase;
	if (!ret)
		ret = dec_ready(d, status, pod);
	if (!ret)
		ret = dec_ips(d, status, "podIPs", "podIP", pod->pod_ips,
			      &pod->n_pod_ips);
	if (!ret)
		ret = dec_ips(d, status, "hostIPs", "hostIP", pod->host_ips,
			      &pod->n_host_ips);
	dec_pop(d, p);
	return ret;
}

static void pod_canon(struct canon *c, const void *obj)
{
	const struct np_pod *pod = obj;
	size_t i;

	canon_meta(c, &pod->meta);
	canon_str(c, pod->node_name);
	canon_u32(c, (uint32_t)(pod->host_network | pod->terminating << 1 |
				pod->ready << 2));
	canon_u32(c, pod->phase);
	canon_u32(c, (uint32_t)pod->n_pod_ips);
	for (i = 0; i < pod->n_pod_ips; i++)
		canon_addr(c, &pod->pod_ips[i]);
	canon_u32(c, (uint32_t)pod->n_host_ips);
	for (i = 0; i < pod->n_host_ips; i++)
		canon_addr(c, &pod->host_ips[i]);
	canon_u32(c, (uint32_t)pod->n_ports);
	for (i = 0; i < pod->n_ports; i++) {
		const struct np_container_port *cp = &pod->ports[i];

		canon_str(c, cp->name);
		canon_u32(c, cp->proto);
		canon_u32(c, cp->container_port);
		canon_u32(c, cp->host_port);
		canon_addr(c, &cp->host_ip);
	}
}

static void pod_free(void *obj)
{
	struct np_pod *pod = obj;
	size_t i;

	np_meta_free(&pod->meta);
	free(pod->node_name);
	for (i = 0; i < pod->n_ports; i++)
		free(pod->ports[i].name);
	free(pod->ports);
}

const struct np_kind_ops np_pod_ops = {
	.size = sizeof(struct np_pod),
	.decode = pod_decode,
	.canon = pod_canon,
	.free = pod_free,
};
