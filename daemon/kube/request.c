// SPDX-License-Identifier: GPL-2.0-only
/*
 * Generic requests (see request.h): one struct np_kube_call per request,
 * carried by a buffered kube_req of http.c; its answer is parsed once and
 * handed to the caller as a struct np_kube_result.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kube/kube_int.h"
#include "kube/request.h"
#include "log.h"

struct np_kube_call {
	struct kube_req *r;
	np_kube_result_fn fn;
	void *ctx;
	char what[512];		/* "PATCH /api/v1/..." for error texts */
};

static void call_done(struct kube_req *r, long status, const char *err)
{
	struct np_kube_call *c = r->ctx;
	struct np_kube_result res = { .status = status, .reason = "" };
	const cJSON *reason, *msg;
	cJSON *body = NULL;
	char text[2048];

	if (r->len)
		body = cJSON_ParseWithLength(r->buf, r->len);
	res.obj = body;
	if (err) {
		res.status = 0;
		snprintf(text, sizeof(text), "%s: %s", c->what, err);
		res.err = text;
	} else if (status < 200 || status >= 300) {
		reason = cJSON_GetObjectItemCaseSensitive(body, "reason");
		msg = cJSON_GetObjectItemCaseSensitive(body, "message");
		if (cJSON_IsString(reason))
			res.reason = reason->valuestring;
		snprintf(text, sizeof(text), "%s: HTTP %ld%s%s%s%s", c->what,
			 status, res.reason[0] ? " " : "", res.reason,
			 cJSON_IsString(msg) ? ": " : "",
			 cJSON_IsString(msg) ? msg->valuestring : "");
		res.err = text;
		res.conflict = status == 409;
	}
	if (res.err)
		np_log_debug("kube: %s", res.err);
	else
		np_log_debug("kube: %s: HTTP %ld", c->what, status);
	if (c->fn)
		c->fn(c->ctx, &res);
	cJSON_Delete(body);
	free(c);
}

/* What a path may carry: unreserved, sub-delims, ':', '@', '/', '?', '%'. */
bool np_kube_path_ok(const char *p)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
				 "-._~!$&'()*+,;=:@/?%";
	size_t n = strlen(p);

	return n > 5 && n < 4096 && strspn(p, ok) == n &&
	       (!strncmp(p, "/api/", 5) || !strncmp(p, "/apis/", 6));
}

struct np_kube_call *np_kube_request(struct np_kube *k, const char *method,
				     const char *path,
				     const char *content_type,
				     const char *body, np_kube_result_fn fn,
				     void *ctx, char *err, size_t errlen)
{
	struct np_kube_call *c;

	if (!method || (strcmp(method, "GET") && strcmp(method, "POST") &&
			strcmp(method, "PUT") && strcmp(method, "PATCH") &&
			strcmp(method, "DELETE"))) {
		snprintf(err, errlen, "method \"%s\": not one of GET, POST, "
			 "PUT, PATCH, DELETE", method ? method : "(null)");
		return NULL;
	}
	if (!path || !np_kube_path_ok(path)) {
		snprintf(err, errlen, "%s \"%s\": not an API path", method,
			 path ? path : "(null)");
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "%s %s: out of memory", method, path);
		return NULL;
	}
	c->fn = fn;
	c->ctx = ctx;
	snprintf(c->what, sizeof(c->what), "%s %.*s", method,
		 (int)(sizeof(c->what) - 16), path);
	c->r = kube_req_start(k, path, strcmp(method, "GET") ? method : NULL,
			      body, content_type, KUBE_REQ_BUFFER,
			      k->opts.request_timeout_ms, 0, NULL, call_done,
			      c, err, errlen);
	if (!c->r) {
		free(c);
		return NULL;
	}
	return c;
}

void np_kube_call_cancel(struct np_kube_call *c)
{
	if (!c)
		return;
	kube_req_cancel(c->r);
	free(c);
}

static struct np_kube_call *verb(struct np_kube *k, const char *method,
				 const char *path, const char *ctype,
				 const char *body, np_kube_result_fn fn,
				 void *ctx)
{
	struct np_kube_call *c;
	char err[1024];

	c = np_kube_request(k, method, path, ctype, body, fn, ctx, err,
			    sizeof(err));
	if (!c)
		np_log_error("kube: %s", err);
	return c;
}

struct np_kube_call *np_kube_create(struct np_kube *k, const char *path,
				    const char *body, np_kube_result_fn fn,
				    void *ctx)
{
	return verb(k, "POST", path, "application/json", body, fn, ctx);
}

struct np_kube_call *np_kube_get(struct np_kube *k, const char *path,
				 np_kube_result_fn fn, void *ctx)
{
	return verb(k, "GET", path, NULL, NULL, fn, ctx);
}

struct np_kube_call *np_kube_update(struct np_kube *k, const char *path,
				    const char *body, np_kube_result_fn fn,
				    void *ctx)
{
	return verb(k, "PUT", path, "application/json", body, fn, ctx);
}

const char *np_kube_patch_ctype(enum np_kube_patch_type type)
{
	switch (type) {
	case NP_KUBE_PATCH_MERGE:
		return "application/merge-patch+json";
	case NP_KUBE_PATCH_STRATEGIC:
		return "application/strategic-merge-patch+json";
	case NP_KUBE_PATCH_JSON:
		return "application/json-patch+json";
	}
	return NULL;
}

char *np_kube_patch_with_rv(enum np_kube_patch_type type, const char *patch,
			    const char *rv)
{
	cJSON *p = cJSON_Parse(patch), *md, *op;
	char *out = NULL;

	if (!p)
		return NULL;
	if (type == NP_KUBE_PATCH_JSON) {
		if (!cJSON_IsArray(p))
			goto out;
		op = cJSON_CreateObject();
		if (!op || !cJSON_AddStringToObject(op, "op", "replace") ||
		    !cJSON_AddStringToObject(op, "path",
					     "/metadata/resourceVersion") ||
		    !cJSON_AddStringToObject(op, "value", rv)) {
			cJSON_Delete(op);
			goto out;
		}
		cJSON_AddItemToArray(p, op);
	} else {
		if (!cJSON_IsObject(p))
			goto out;
		md = cJSON_GetObjectItemCaseSensitive(p, "metadata");
		if (!md)
			md = cJSON_AddObjectToObject(p, "metadata");
		if (!cJSON_IsObject(md))
			goto out;
		cJSON_DeleteItemFromObjectCaseSensitive(md, "resourceVersion");
		if (!cJSON_AddStringToObject(md, "resourceVersion", rv))
			goto out;
	}
	out = cJSON_PrintUnformatted(p);
out:
	cJSON_Delete(p);
	return out;
}

struct np_kube_call *np_kube_patch(struct np_kube *k, const char *path,
				   enum np_kube_patch_type type,
				   const char *patch, const char *rv,
				   np_kube_result_fn fn, void *ctx)
{
	const char *ctype = np_kube_patch_ctype(type);
	struct np_kube_call *c;
	char *body = NULL;

	if (!ctype || !patch) {
		np_log_error("kube: PATCH %s: no patch or unknown patch type",
			     path);
		return NULL;
	}
	if (rv) {
		body = np_kube_patch_with_rv(type, patch, rv);
		if (!body) {
			np_log_error("kube: PATCH %s: the patch is not a JSON "
				     "%s", path, type == NP_KUBE_PATCH_JSON ?
				     "array" : "object");
			return NULL;
		}
	}
	c = verb(k, "PATCH", path, ctype, body ? body : patch, fn, ctx);
	free(body);
	return c;
}

struct np_kube_call *np_kube_delete(struct np_kube *k, const char *path,
				    const char *uid, const char *rv,
				    np_kube_result_fn fn, void *ctx)
{
	cJSON *o = NULL, *pre;
	struct np_kube_call *c;
	char *body = NULL;

	if (uid || rv) {
		o = cJSON_CreateObject();
		pre = o ? cJSON_AddObjectToObject(o, "preconditions") : NULL;
		if (!pre || !cJSON_AddStringToObject(o, "kind", "DeleteOptions") ||
		    !cJSON_AddStringToObject(o, "apiVersion", "v1") ||
		    (uid && !cJSON_AddStringToObject(pre, "uid", uid)) ||
		    (rv && !cJSON_AddStringToObject(pre, "resourceVersion",
						    rv)) ||
		    !(body = cJSON_PrintUnformatted(o))) {
			cJSON_Delete(o);
			np_log_error("kube: DELETE %s: out of memory", path);
			return NULL;
		}
		cJSON_Delete(o);
	}
	c = verb(k, "DELETE", path, body ? "application/json" : NULL, body,
		 fn, ctx);
	free(body);
	return c;
}

bool np_kube_dns_name(const char *s)
{
	size_t n = s ? strlen(s) : 0, i;

	if (!n || n > 253 || strspn(s, "abcdefghijklmnopqrstuvwxyz"
				     "0123456789-.") != n)
		return false;
	/* Each label starts and ends with an alphanumeric. */
	for (i = 0; i < n; i++) {
		if (s[i] != '-' && s[i] != '.')
			continue;
		if (i == 0 || i == n - 1)
			return false;
		if (s[i] == '.' && (s[i - 1] == '-' || s[i - 1] == '.' ||
				    s[i + 1] == '-' || s[i + 1] == '.'))
			return false;
	}
	return true;
}

int np_kube_path(char *buf, size_t len, const char *gv, const char *plural,
		 const char *ns, const char *name, const char *sub)
{
	int n;

	if (!gv || !plural || !*plural || (ns && !np_kube_dns_name(ns)) ||
	    (name && !np_kube_dns_name(name)) || (sub && !name) ||
	    (sub && strcmp(sub, "status")) ||
	    strspn(plural, "abcdefghijklmnopqrstuvwxyz") != strlen(plural) ||
	    strspn(gv, "abcdefghijklmnopqrstuvwxyz0123456789-./") !=
	    strlen(gv))
		return -EINVAL;
	n = snprintf(buf, len, "%s%s%s%s/%s%s%s%s%s",
		     strchr(gv, '/') ? "/apis/" : "/api/", gv,
		     ns ? "/namespaces/" : "", ns ? ns : "", plural,
		     name ? "/" : "", name ? name : "", sub ? "/" : "",
		     sub ? sub : "");
	return n < 0 || (size_t)n >= len ? -EINVAL : 0;
}

void np_kube_microtime(int64_t unix_us, char *buf, size_t len)
{
	time_t s = (time_t)(unix_us / 1000000);
	struct tm tm;
	char date[32];

	gmtime_r(&s, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06dZ", date, (int)(unix_us % 1000000));
}

int np_kube_time_parse(const char *s, int64_t *unix_us)
{
	struct tm tm = { 0 };
	const char *p;
	int64_t frac = 0, scale = 1000000;
	time_t t;

	if (!s)
		return -EINVAL;
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return -EINVAL;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (scale > 1) {
				scale /= 10;
				frac += (*p - '0') * scale;
			}
		}
	}
	if (strcmp(p, "Z"))
		return -EINVAL;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*unix_us = (int64_t)t * 1000000 + frac;
	return 0;
}

int64_t np_kube_wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
