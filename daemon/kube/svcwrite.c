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

int np_kube_service_finalizer(struct np_kube_writeq *q, const char *ns,
			      const char *name, const char *uid, bool add,
			      np_kube_writeq_fn done,
			      np_kube_writeq_fn conflict, void *ctx)
{
	char path[600], key[600];
	cJSON *p, *md, *list, *f;
	char *body;
	int r;

	if (np_kube_path(path, sizeof(path), "v1", "services", ns, name,
			 NULL) || (uid && (!*uid || strlen(uid) > 128))) {
		np_log_error("kube: finalizer of Service %s/%s: not a namespace "
			     "and name, or not a uid", ns ? ns : "(null)",
			     name ? name : "(null)");
		return -EINVAL;
	}
	p = cJSON_CreateObject();
	md = p ? cJSON_AddObjectToObject(p, "metadata") : NULL;
	list = md ? cJSON_AddArrayToObject(md, add ? "finalizers" :
					   "$deleteFromPrimitiveList/"
					   "finalizers") : NULL;
	f = list ? cJSON_CreateString(NP_KUBE_LB_FINALIZER) : NULL;
	if (!f || (uid && !cJSON_AddStringToObject(md, "uid", uid))) {
		cJSON_Delete(f);
		cJSON_Delete(p);
		return -ENOMEM;
	}
	cJSON_AddItemToArray(list, f);
	body = cJSON_PrintUnformatted(p);
	cJSON_Delete(p);
	if (!body)
		return -ENOMEM;
	snprintf(key, sizeof(key), "services/%s/%s", ns, name);
	r = np_kube_writeq_put(q, key, "PATCH", path,
			       np_kube_patch_ctype(NP_KUBE_PATCH_STRATEGIC),
			       body, done, conflict, ctx);
	free(body);
	return r;
}
