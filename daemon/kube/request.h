/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Generic requests to the API server (request.c): create (POST), get,
 * update (PUT, metadata.resourceVersion in the body is the precondition),
 * patch (merge, strategic-merge or JSON patch, with an optional
 * resourceVersion precondition) and delete (optional uid/resourceVersion
 * preconditions), for any resource path, subresources included
 * (".../services/NAME/status"). Asynchronous on nodeplaned's loop like
 * every request of the client: the callback runs later, on the loop.
 *
 * Outcomes: 2xx hands over the object the server answered; a 409 (a stale
 * resourceVersion, a failed precondition, or AlreadyExists on create) is
 * flagged as a conflict: re-read and retry; every other failure carries
 * the Status the server sent (reason, message) in an error text naming
 * the request: "PUT /apis/coordination.k8s.io/v1/namespaces/kube-system/
 * leases/x: HTTP 409 Conflict: Operation cannot be fulfilled on ...".
 *
 * Calls still in flight must be cancelled (np_kube_call_cancel) before
 * the context their callback uses goes away; np_kube_free() ends them all
 * without callbacks.
 */
#ifndef _NP_KUBE_REQUEST_H
#define _NP_KUBE_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

struct np_kube;
struct np_kube_call;

struct np_kube_result {
	long status;		/* HTTP status; 0: no answer came (see err) */
	bool conflict;		/* 409: re-read, then write again */
	const char *reason;	/* the Status's reason ("NotFound", "Invalid",
				   "Conflict", "AlreadyExists"...), or "" */
	const char *err;	/* NULL on 2xx, else what failed and where */
	/*
	 * 2xx: the object in the answer (NULL if the body was not JSON);
	 * otherwise the Status object (or NULL). Valid during the callback.
	 */
	const cJSON *obj;
};

/* Called once per call, on the loop, unless the call was cancelled. */
typedef void (*np_kube_result_fn)(void *ctx, const struct np_kube_result *res);

enum np_kube_patch_type {
	NP_KUBE_PATCH_MERGE,		/* application/merge-patch+json */
	NP_KUBE_PATCH_STRATEGIC,	/* application/strategic-merge-patch+json */
	NP_KUBE_PATCH_JSON,		/* application/json-patch+json */
};

/*
 * Any request: method "GET", "POST", "PUT", "PATCH" or "DELETE"; path
 * below the server URL ("/api/v1/...", "/apis/G/V/..."), checked for
 * characters a URL path and query may carry; body (copied) and
 * content_type may be NULL. The call, or NULL with err saying why.
 */
struct np_kube_call *np_kube_request(struct np_kube *k, const char *method,
				     const char *path,
				     const char *content_type,
				     const char *body, np_kube_result_fn fn,
				     void *ctx, char *err, size_t errlen);

/*
 * The same for each verb (errors logged, NULL returned). path is the
 * collection for create, the object (or subresource) for the others.
 * update: body is the whole object; a metadata.resourceVersion in it makes
 * the write conditional (409 when stale). patch: rv non-NULL adds
 * metadata.resourceVersion to the patch (a "replace" operation for a JSON
 * patch), so the patch applies only to that version. delete: uid and rv
 * (each may be NULL) become DeleteOptions.preconditions.
 */
struct np_kube_call *np_kube_create(struct np_kube *k, const char *path,
				    const char *body, np_kube_result_fn fn,
				    void *ctx);
struct np_kube_call *np_kube_get(struct np_kube *k, const char *path,
				 np_kube_result_fn fn, void *ctx);
struct np_kube_call *np_kube_update(struct np_kube *k, const char *path,
				    const char *body, np_kube_result_fn fn,
				    void *ctx);
struct np_kube_call *np_kube_patch(struct np_kube *k, const char *path,
				   enum np_kube_patch_type type,
				   const char *patch, const char *rv,
				   np_kube_result_fn fn, void *ctx);
struct np_kube_call *np_kube_delete(struct np_kube *k, const char *path,
				    const char *uid, const char *rv,
				    np_kube_result_fn fn, void *ctx);
/* Ends c; its callback never runs. */
void np_kube_call_cancel(struct np_kube_call *c);

/* The Content-Type of a patch type. */
const char *np_kube_patch_ctype(enum np_kube_patch_type type);
/*
 * A patch with metadata.resourceVersion = rv added (merge and strategic:
 * into the object; JSON patch: a "replace" operation appended). Allocated
 * (free()), or NULL when patch is not JSON of the right shape.
 */
char *np_kube_patch_with_rv(enum np_kube_patch_type type, const char *patch,
			    const char *rv);

/*
 * The path of an object: gv "v1" (core) or "coordination.k8s.io/v1";
 * plural "services"; ns NULL for cluster-scoped kinds; name NULL for the
 * collection; sub NULL or "status". Namespace and name must be DNS
 * subdomains (lower-case alphanumerics, '-', '.'). 0, or -EINVAL.
 */
int np_kube_path(char *buf, size_t len, const char *gv, const char *plural,
		 const char *ns, const char *name, const char *sub);
/* Whether path is one np_kube_request() takes: "/api/..." or "/apis/...",
 * URL path and query characters only. */
bool np_kube_path_ok(const char *path);
/* Whether s is a DNS subdomain (RFC 1123, at most 253 characters). */
bool np_kube_dns_name(const char *s);

/*
 * metav1.MicroTime of a wall-clock time in microseconds since the epoch:
 * "2026-12-03T07:05:14.123456Z" (buf of at least 32 bytes).
 */
void np_kube_microtime(int64_t unix_us, char *buf, size_t len);
/* Parses metav1.Time or MicroTime ("...Z", fraction optional) into
 * microseconds since the epoch. 0, or -EINVAL. */
int np_kube_time_parse(const char *s, int64_t *unix_us);
/* CLOCK_REALTIME in microseconds. */
int64_t np_kube_wall_us(void);

#endif /* _NP_KUBE_REQUEST_H */
