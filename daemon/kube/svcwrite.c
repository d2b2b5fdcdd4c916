// SPDX-License-Identifier: GPL-2.0-only
/*
 * ServiceLB's writes to Services (see svcwrite.h): JSON built with cJSON,
 * every input checked (DNS names, IP addresses, finalizer names) before
 * anything is queued.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "kube/request.h"
#include "kube/svcwrite.h"
#include "log.h"

static bool ip_ok(const char *s)
{
	unsigned char b[16];

	return s && (inet_pton(AF_INET, s, b) == 1 ||
		     inet_pton(AF_INET6, s, b) == 1);
}

/* A qualified finalizer name: "<dns prefix>/<name>", printable. */
static bool finalizer_ok(const char *s)
{
	const char *slash = s ? strchr(s, '/') : NULL;
	char prefix[254];

	if (!slash || slash == s || (size_t)(slash - s) > 253 ||
	    !slash[1] || strlen(slash + 1) > 63 ||
	    strspn(slash + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS"
		   "TUVWXYZ0123456789-_.") != strlen(slash + 1))
		return false;
	snprintf(prefix, sizeof(prefix), "%.*s", (int)(slash - s), s);
	return np_kube_dns_name(prefix);
}

static int queue(struct np_kube_writeq *q, const char *key, const char *path,
		 cJSON *patch, const char *rv, np_kube_writeq_fn done,
		 np_kube_writeq_fn conflict, void *ctx)
{
	char *body = cJSON_PrintUnformatted(patch), *with_rv = NULL;
	int r = -ENOMEM;

	cJSON_Delete(patch);
	if (!body)
		return -ENOMEM;
	if (rv) {
		with_rv = np_kube_patch_with_rv(NP_KUBE_PATCH_MERGE, body, rv);
		if (!with_rv)
			goto out;
	}
	r = np_kube_writeq_put(q, key, "PATCH", path,
			       np_kube_patch_ctype(NP_KUBE_PATCH_MERGE),
			       with_rv ? with_rv : body, done, conflict, ctx);
out:
	free(body);
	free(with_rv);
	return r;
}

int np_kube_service_status(struct np_kube_writeq *q, const char *ns,
			   const char *name, const char *rv,
			   const char *const *ips, size_t n,
			   np_kube_writeq_fn done, np_kube_writeq_fn conflict,
			   void *ctx)
{
	char path[600], key[600];
	cJSON *p, *st, *lb, *ing, *e;
	size_t i;

	if (np_kube_path(path, sizeof(path), "v1", "services", ns, name,
			 "status") || (n && !ips)) {
		np_log_error("kube: status of Service %s/%s: not a namespace "
			     "and name", ns ? ns : "(null)",
			     name ? name : "(null)");
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (!ip_ok(ips[i])) {
			np_log_error("kube: status of Service %s/%s: \"%s\" is "
				     "not an IP address", ns, name,
				     ips[i] ? ips[i] : "(null)");
			return -EINVAL;
		}
	}
	p = cJSON_CreateObject();
	st = p ? cJSON_AddObjectToObject(p, "status") : NULL;
	lb = st ? cJSON_AddObjectToObject(st, "loadBalancer") : NULL;
	if (!lb)
		goto oom;
	if (n) {
		ing = cJSON_AddArrayToObject(lb, "ingress");
		if (!ing)
			goto oom;
		for (i = 0; i < n; i++) {
			e = cJSON_CreateObject();
			if (!e)
				goto oom;
			cJSON_AddItemToArray(ing, e);
			if (!cJSON_AddStringToObject(e, "ip", ips[i]) ||
			    !cJSON_AddStringToObject(e, "ipMode", "VIP"))
				goto oom;
		}
	} else if (!cJSON_AddNullToObject(lb, "ingress")) {
		goto oom;
	}
	snprintf(key, sizeof(key), "services/%s/%s/status", ns, name);
	return queue(q, key, path, p, rv, done, conflict, ctx);
oom:
	cJSON_Delete(p);
	return -ENOMEM;
}

int np_kube_service_finalizers(struct np_kube_writeq *q, const char *ns,
			       const char *name, const char *rv,
			       const char *const *finalizers, size_t n,
			       np_kube_writeq_fn done,
			       np_kube_writeq_fn conflict, void *ctx)
{
	char path[600], key[600];
	cJSON *p, *md, *list;
	size_t i;

	if (np_kube_path(path, sizeof(path), "v1", "services", ns, name,
			 NULL) || !rv || !*rv || (n && !finalizers)) {
		np_log_error("kube: finalizers of Service %s/%s: not a "
			     "namespace and name, or no resourceVersion",
			     ns ? ns : "(null)", name ? name : "(null)");
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (!finalizer_ok(finalizers[i])) {
			np_log_error("kube: finalizers of Service %s/%s: "
				     "\"%s\" is not a qualified name", ns,
				     name, finalizers[i] ? finalizers[i] :
				     "(null)");
			return -EINVAL;
		}
	}
	p = cJSON_CreateObject();
	md = p ? cJSON_AddObjectToObject(p, "metadata") : NULL;
	if (!md)
		goto oom;
	if (n) {
		list = cJSON_AddArrayToObject(md, "finalizers");
		if (!list)
			goto oom;
		for (i = 0; i < n; i++) {
			cJSON *s = cJSON_CreateString(finalizers[i]);

			if (!s)
				goto oom;
			cJSON_AddItemToArray(list, s);
		}
	} else if (!cJSON_AddNullToObject(md, "finalizers")) {
		goto oom;
	}
	snprintf(key, sizeof(key), "services/%s/%s", ns, name);
	return queue(q, key, path, p, rv, done, conflict, ctx);
oom:
	cJSON_Delete(p);
	return -ENOMEM;
}
