// SPDX-License-Identifier: GPL-2.0-only
/*
 * List + watch of one kind into the model, as client-go's reflector does:
 *
 *   LIST  <path>?resourceVersion=0&limit=500   the first list: any
 *                                     version, from the API server's watch
 *                                     cache (which ignores limit), not
 *                                     from etcd
 *   LIST  <path>?resourceVersion=RV            a relist: not older than
 *                                     what we had (no limit: the cache
 *                                     serves it; a limit would go to etcd)
 *   LIST  <path>?limit=500                     a relist after that RV was
 *                                     itself too old (410) or too large
 *                                     (504 ResourceVersionTooLarge: the
 *                                     server went back in time, an etcd
 *                                     restore): a consistent list, in
 *                                     pages
 *   LIST  <path>?limit=500&continue=T          the next page (a continue
 *                                     token takes no resourceVersion)
 *   WATCH <path>?watch=1&resourceVersion=RV&allowWatchBookmarks=true
 *                &timeoutSeconds=N          newline-delimited JSON events
 *
 * A kind watched with a field selector (np_kube_watch_fields: hostPort's
 * "spec.nodeName=<node>" for Pods) carries fieldSelector=... first in
 * every one of these queries.
 *
 * A list's pages are framed by np_model_sync_begin/_end. ADDED/MODIFIED
 * upsert, DELETED deletes, BOOKMARK only moves the resourceVersion.
 * timeoutSeconds is watch_timeout_s * (1 + rand) (client-go: the minimum
 * watch timeout times 1 to 2), so the watches of many nodes do not all
 * end, and come back, at the same moment.
 *
 * A watch the server ends cleanly (timeoutSeconds) is opened again at once
 * from the last resourceVersion. 410 Gone (an HTTP status or an ERROR
 * event) relists after a jittered exponential backoff that only a healthy
 * watch resets (a list completing does not: a server whose watches keep
 * answering 410 must not be relisted in a tight loop). Any other failure
 * waits a jittered exponential backoff (backoff_min_ms doubling up to
 * backoff_max_ms, reset by a healthy watch or a completed list) and then
 * watches again from the last resourceVersion, or lists again if no list
 * has completed yet.
 *
 * List items come without apiVersion and kind; they get the list's own,
 * minus "List", before going to the model.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "kube/kube_int.h"
#include "log.h"

#define LIST_LIMIT		500
#define HEALTHY_WATCH_MS	1000	/* a watch up this long was healthy */

/* For log lines: "Nodes: listed 3, watching from RV 123". */
static const char *const plural[NP_KIND_COUNT] = {
	[NP_KIND_NODE] = "Nodes",
	[NP_KIND_SERVICE] = "Services",
	[NP_KIND_ENDPOINTSLICE] = "EndpointSlices",
	[NP_KIND_POD] = "Pods",
	[NP_KIND_NAMESPACE] = "Namespaces",
	[NP_KIND_NETWORKPOLICY] = "NetworkPolicies",
};

struct kube_watch {
	struct np_kube *k;
	struct np_model *m;
	enum np_kind kind;
	const char *name;		/* plural, for logs */
	char api_version[64];		/* from the collection path */
	char *fsel;			/* "fieldSelector=<escaped>&" or "" */
	struct kube_req *req;		/* the list page or watch in flight */
	char *rv;			/* last resourceVersion seen */
	char *cont;			/* continue token of the next page */
	bool need_list;			/* no completed list to watch from */
	bool relist;			/* the watch ended on 410 */
	bool rv_expired;		/* a list at rv got 410: list afresh */
	bool list_at_rv;		/* the running list asked for rv */
	unsigned int gone_streak;	/* 410 relists since a healthy watch */
	bool reconnect;			/* the last attempt failed */
	size_t listed;			/* items of the running list */
	size_t skipped;			/* of them malformed */
	unsigned int attempt;		/* failures since the last success */
	uint64_t watch_start_ms;
	unsigned long events;		/* of the running watch */
	struct np_timer retry;
};

static void start_list(struct kube_watch *w);
static void start_watch(struct kube_watch *w);

#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))

static void set_str(char **dst, const char *src)
{
	char *s = src ? strdup(src) : NULL;

	if (src && !s) {
		np_log_error("kube: out of memory");
		return;		/* keep the old value */
	}
	free(*dst);
	*dst = s;
}

static void retry_later(struct kube_watch *w, const char *what,
			const char *why)
{
	const struct np_kube_opts *o = &w->k->opts;
	uint64_t d = o->backoff_min_ms;
	unsigned int i;

	for (i = 0; i < w->attempt && d < o->backoff_max_ms; i++)
		d *= 2;
	if (d > o->backoff_max_ms)
		d = o->backoff_max_ms;
	d = kube_jitter(w->k, d);
	if (w->attempt < 64)
		w->attempt++;
	w->reconnect = true;
	np_log_warning("%s: %s failed: %s; retrying in %" PRIu64 " ms",
		       w->name, what, why, d);
	np_timer_arm(w->k->lp, &w->retry, d);
}

/* 410: relist after a backoff that grows with every 410 in a row. */
static void relist_later(struct kube_watch *w, const char *what)
{
	const struct np_kube_opts *o = &w->k->opts;
	uint64_t d = o->backoff_min_ms;
	unsigned int i;

	for (i = 0; i < w->gone_streak && d < o->backoff_max_ms; i++)
		d *= 2;
	if (d > o->backoff_max_ms)
		d = o->backoff_max_ms;
	d = kube_jitter(w->k, d);
	if (w->gone_streak < 64)
		w->gone_streak++;
	w->need_list = true;
	np_log_info("%s: %s, relisting in %" PRIu64 " ms", w->name, what, d);
	np_timer_arm(w->k->lp, &w->retry, d);
}

static void retry_fire(struct np_timer *t)
{
	struct kube_watch *w = container_of(t, struct kube_watch, retry);

	if (w->need_list || !w->rv) {
		np_log_info("%s: listing again", w->name);
		start_list(w);
	} else {
		np_log_debug("%s: reconnecting, watching from RV %s", w->name,
			     w->rv);
		start_watch(w);
	}
}

/* Gives obj apiVersion and kind if it lacks them; false if it has other
 * ones than this watcher's kind. */
static bool fix_type(struct kube_watch *w, cJSON *obj, const char *api_version,
		     const char *kind)
{
	const cJSON *av = cJSON_GetObjectItemCaseSensitive(obj, "apiVersion");
	const cJSON *kd = cJSON_GetObjectItemCaseSensitive(obj, "kind");

	if (!av || cJSON_IsNull(av)) {
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "apiVersion");
		if (!cJSON_AddStringToObject(obj, "apiVersion", api_version))
			return false;
		av = cJSON_GetObjectItemCaseSensitive(obj, "apiVersion");
	}
	if (!kd || cJSON_IsNull(kd)) {
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "kind");
		if (!cJSON_AddStringToObject(obj, "kind", kind))
			return false;
		kd = cJSON_GetObjectItemCaseSensitive(obj, "kind");
	}
	return cJSON_IsString(av) && cJSON_IsString(kd) &&
	       np_kind_of(av->valuestring, kd->valuestring) == (int)w->kind;
}

static const char *meta_str(const cJSON *obj, const char *key)
{
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(md, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* "ns/name" or "name", for logs. */
static const char *obj_id(const cJSON *obj, char *buf, size_t len)
{
	const char *ns = meta_str(obj, "namespace");
	const char *name = meta_str(obj, "name");

	snprintf(buf, len, "%s%s%s", ns && *ns ? ns : "", ns && *ns ? "/" : "",
		 name ? name : "(no name)");
	return buf;
}

/* false when obj was malformed (logged and skipped). */
static bool upsert(struct kube_watch *w, cJSON *obj, const char *api_version,
		   const char *kind)
{
	char err[512], id[300];
	const cJSON *av, *kd;

	if (!cJSON_IsObject(obj)) {
		np_log_warning("%s: an item that is not an object: skipped",
			       w->name);
		return false;
	}
	if (!fix_type(w, obj, api_version, kind)) {
		av = cJSON_GetObjectItemCaseSensitive(obj, "apiVersion");
		kd = cJSON_GetObjectItemCaseSensitive(obj, "kind");
		np_log_warning("%s: %s: apiVersion \"%s\" kind \"%s\" is not "
			       "a %s: skipped", w->name,
			       obj_id(obj, id, sizeof(id)),
			       cJSON_IsString(av) ? av->valuestring : "",
			       cJSON_IsString(kd) ? kd->valuestring : "",
			       np_kind_name(w->kind));
		return false;
	}
	err[0] = '\0';
	if (np_model_upsert(w->m, w->kind, obj, err, sizeof(err))) {
		np_log_warning("%s: %s: skipped", w->name,
			       err[0] ? err : "cannot store");
		return false;
	}
	return true;
}

/* ---- list ---- */

static void list_done(struct kube_req *r, long status, const char *err);

static void list_page(struct kube_watch *w)
{
	const char *kpath = np_kind_path(w->kind);
	char path[4096], err[256];
	char *esc = NULL;
	int n;

	if (w->cont || w->list_at_rv) {
		esc = curl_easy_escape(NULL, w->cont ? w->cont : w->rv, 0);
		if (!esc) {
			retry_later(w, "list", "out of memory");
			return;
		}
	}
	if (w->cont)
		n = snprintf(path, sizeof(path), "%s?%slimit=%d&continue=%s",
			     kpath, w->fsel, LIST_LIMIT, esc);
	else if (w->list_at_rv)
		n = snprintf(path, sizeof(path), "%s?%sresourceVersion=%s",
			     kpath, w->fsel, esc);
	else if (!w->rv)
		n = snprintf(path, sizeof(path),
			     "%s?%sresourceVersion=0&limit=%d", kpath, w->fsel,
			     LIST_LIMIT);
	else
		n = snprintf(path, sizeof(path), "%s?%slimit=%d", kpath,
			     w->fsel, LIST_LIMIT);
	curl_free(esc);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		set_str(&w->cont, NULL);
		retry_later(w, "list", "continue token too long");
		return;
	}
	w->req = kube_req_start(w->k, path, NULL, NULL, NULL, KUBE_REQ_BUFFER,
				w->k->opts.request_timeout_ms, 0, NULL,
				list_done, w, err, sizeof(err));
	if (!w->req)
		retry_later(w, "list", err);
}

static void start_list(struct kube_watch *w)
{
	w->need_list = true;
	/* Not older than what we had, unless that was itself too old. */
	w->list_at_rv = w->rv && !w->rv_expired;
	w->listed = 0;
	w->skipped = 0;
	set_str(&w->cont, NULL);
	list_page(w);
}

/* One page: 0 done or more to come (started); -1 with why filled. */
static int list_parse(struct kube_watch *w, const char *body, size_t len,
		      char *why, size_t whylen)
{
	const cJSON *items, *kd, *av, *item;
	const char *rv, *cont;
	char kind[128];
	cJSON *list;
	size_t n;

	list = cJSON_ParseWithLength(body, len);
	if (!cJSON_IsObject(list)) {
		snprintf(why, whylen, "the answer is not a JSON object");
		goto err;
	}
	items = cJSON_GetObjectItemCaseSensitive(list, "items");
	kd = cJSON_GetObjectItemCaseSensitive(list, "kind");
	av = cJSON_GetObjectItemCaseSensitive(list, "apiVersion");
	rv = meta_str(list, "resourceVersion");
	cont = meta_str(list, "continue");
	if (items && !cJSON_IsNull(items) && !cJSON_IsArray(items)) {
		snprintf(why, whylen, "items: not a list");
		goto err;
	}
	if (!rv || !*rv) {
		snprintf(why, whylen, "metadata.resourceVersion: missing");
		goto err;
	}
	/* "NodeList" -> "Node"; our own names if the list has none. */
	if (cJSON_IsString(kd) && (n = strlen(kd->valuestring)) > 4 &&
	    n - 4 < sizeof(kind) && !strcmp(kd->valuestring + n - 4, "List"))
		snprintf(kind, sizeof(kind), "%.*s", (int)(n - 4),
			 kd->valuestring);
	else
		snprintf(kind, sizeof(kind), "%s", np_kind_name(w->kind));
	if (!w->cont)
		np_model_sync_begin(w->m, w->kind);
	cJSON_ArrayForEach(item, items) {
		if (!upsert(w, (cJSON *)item, cJSON_IsString(av) ?
			    av->valuestring : w->api_version, kind))
			w->skipped++;
		w->listed++;
	}
	if (cont && *cont) {
		set_str(&w->cont, cont);
		cJSON_Delete(list);
		list_page(w);
		return 0;
	}
	set_str(&w->cont, NULL);
	set_str(&w->rv, rv);
	cJSON_Delete(list);
	np_model_sync_end(w->m, w->kind);
	w->need_list = false;
	w->rv_expired = false;
	w->reconnect = false;
	w->attempt = 0;
	if (w->skipped)
		np_log_info("%s: listed %zu (%zu skipped), watching from RV %s",
			    w->name, w->listed, w->skipped, w->rv);
	else
		np_log_info("%s: listed %zu, watching from RV %s", w->name,
			    w->listed, w->rv);
	start_watch(w);
	return 0;
err:
	cJSON_Delete(list);
	return -1;
}

/* A 504 Status with a cause of reason ResourceVersionTooLarge. */
static bool too_large_rv(long status, const char *body, size_t len)
{
	cJSON *st = status == 504 && len ? cJSON_ParseWithLength(body, len) :
		    NULL;
	const cJSON *det = cJSON_GetObjectItemCaseSensitive(st, "details");
	const cJSON *causes = cJSON_GetObjectItemCaseSensitive(det, "causes");
	const cJSON *c, *reason;
	bool found = false;

	cJSON_ArrayForEach(c, causes) {
		reason = cJSON_GetObjectItemCaseSensitive(c, "reason");
		if (cJSON_IsString(reason) &&
		    !strcmp(reason->valuestring, "ResourceVersionTooLarge"))
			found = true;
	}
	cJSON_Delete(st);
	return found;
}

static void list_done(struct kube_req *r, long status, const char *err)
{
	struct kube_watch *w = r->ctx;
	char why[1024];

	w->req = NULL;
	if (err) {
		retry_later(w, "list", err);
		return;
	}
	if (status == 410 && (w->cont || w->list_at_rv)) {
		char what[1200];

		kube_status_text(status, r->buf, r->len, why, sizeof(why));
		if (w->cont)
			snprintf(what, sizeof(what), "list continue token "
				 "expired (%s)", why);
		else
			snprintf(what, sizeof(what), "list at RV %s: too old "
				 "(%s), listing afresh", w->rv, why);
		if (!w->cont)
			w->rv_expired = true;
		relist_later(w, what);
		return;
	}
	if (status != 200) {
		kube_status_text(status, r->buf, r->len, why, sizeof(why));
		/* Our RV is ahead of the server (an etcd restored from a
		 * backup): list afresh, as client-go does. */
		if (w->list_at_rv && too_large_rv(status, r->buf, r->len))
			w->rv_expired = true;
		retry_later(w, "list", why);
		return;
	}
	if (list_parse(w, r->buf, r->len, why, sizeof(why)))
		retry_later(w, "list", why);
}

/* ---- watch ---- */

static int watch_data(struct kube_req *r);
static void watch_done(struct kube_req *r, long status, const char *err);

static void start_watch(struct kube_watch *w)
{
	char path[4096], err[256];
	char *esc;
	int n;

	esc = curl_easy_escape(NULL, w->rv, 0);
	if (!esc) {
		retry_later(w, "watch", "out of memory");
		return;
	}
	n = snprintf(path, sizeof(path), "%s?%swatch=1&resourceVersion=%s"
		     "&allowWatchBookmarks=true&timeoutSeconds=%" PRIu64,
		     np_kind_path(w->kind), w->fsel, esc,
		     (uint64_t)w->k->opts.watch_timeout_s +
		     kube_rand(w->k, (uint64_t)w->k->opts.watch_timeout_s + 1));
	curl_free(esc);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		w->need_list = true;
		retry_later(w, "watch", "resourceVersion too long");
		return;
	}
	w->events = 0;
	w->relist = false;
	w->watch_start_ms = np_now_ms();
	w->req = kube_req_start(w->k, path, NULL, NULL, NULL, KUBE_REQ_STREAM,
				0, w->k->opts.idle_timeout_ms, watch_data,
				watch_done, w, err, sizeof(err));
	if (!w->req)
		retry_later(w, "watch", err);
}

/* A Status's code and message. */
static long status_code(const cJSON *st, const char **msg)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(st, "code");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(st, "message");

	*msg = cJSON_IsString(m) ? m->valuestring : "";
	return cJSON_IsNumber(c) ? (long)c->valuedouble : 0;
}

/* One event line; 0, or -1 to end the watch with why in r->err. */
static int watch_event(struct kube_watch *w, struct kube_req *r,
		       const char *line, size_t len)
{
	const cJSON *type;
	const char *rv, *msg;
	cJSON *ev, *obj;
	long code;
	int ret = 0;

	ev = cJSON_ParseWithLength(line, len);
	type = cJSON_GetObjectItemCaseSensitive(ev, "type");
	obj = cJSON_GetObjectItemCaseSensitive(ev, "object");
	if (!cJSON_IsString(type) || !cJSON_IsObject(obj)) {
		snprintf(r->err, sizeof(r->err), "an event that is not "
			 "{\"type\": ..., \"object\": {...}}");
		cJSON_Delete(ev);
		return -1;
	}
	if (strcmp(type->valuestring, "ERROR"))
		w->events++;	/* an ERROR is no sign of a healthy watch */
	rv = meta_str(obj, "resourceVersion");
	if (!strcmp(type->valuestring, "ADDED") ||
	    !strcmp(type->valuestring, "MODIFIED")) {
		upsert(w, obj, w->api_version, np_kind_name(w->kind));
	} else if (!strcmp(type->valuestring, "DELETED")) {
		const char *ns = meta_str(obj, "namespace");
		const char *name = meta_str(obj, "name");

		if (name)
			np_model_delete(w->m, w->kind, ns ? ns : "", name);
		else
			np_log_warning("%s: a DELETED event without "
				       "metadata.name: skipped", w->name);
	} else if (!strcmp(type->valuestring, "BOOKMARK")) {
		/* only the resourceVersion */
	} else if (!strcmp(type->valuestring, "ERROR")) {
		code = status_code(obj, &msg);
		rv = NULL;
		if (code == 410)
			w->relist = true;
		snprintf(r->err, sizeof(r->err), "ERROR event: %ld %s", code,
			 msg);
		ret = -1;
	} else {
		np_log_warning("%s: watch event of unknown type \"%s\": "
			       "ignored", w->name, type->valuestring);
		rv = NULL;
	}
	if (rv && *rv)
		set_str(&w->rv, rv);
	cJSON_Delete(ev);
	return ret;
}

static int watch_data(struct kube_req *r)
{
	struct kube_watch *w = r->ctx;
	size_t off = 0;
	char *nl;
	int ret = 0;

	if (w->reconnect) {
		np_log_info("%s: reconnected, watching from RV %s", w->name,
			    w->rv);
		w->reconnect = false;
	}

	while ((nl = memchr(r->buf + off, '\n', r->len - off))) {
		size_t n = (size_t)(nl - (r->buf + off));

		if (n && strspn(r->buf + off, " \t\r") < n)
			ret = watch_event(w, r, r->buf + off, n);
		off += n + 1;
		if (ret)
			break;
	}
	kube_req_consume(r, off);
	return ret;
}

static void watch_done(struct kube_req *r, long status, const char *err)
{
	struct kube_watch *w = r->ctx;
	uint64_t lasted = np_now_ms() - w->watch_start_ms;
	bool healthy = status == 200 &&
		       (w->events > 0 || lasted >= HEALTHY_WATCH_MS);
	char why[1024];

	w->req = NULL;
	if (w->relist || status == 410) {
		char what[1200];

		if (w->relist)
			snprintf(why, sizeof(why), "%s", err ? err : "");
		else
			kube_status_text(status, r->buf, r->len, why,
					 sizeof(why));
		snprintf(what, sizeof(what), "watch from RV %s: 410 Gone (%s)",
			 w->rv, why);
		relist_later(w, what);
		return;
	}
	if (healthy) {
		w->attempt = 0;
		w->gone_streak = 0;
	}
	if (err) {
		retry_later(w, "watch", err);
		return;
	}
	if (status != 200) {
		kube_status_text(status, r->buf, r->len, why, sizeof(why));
		retry_later(w, "watch", why);
		return;
	}
	if (!healthy) {
		retry_later(w, "watch", "ended at once without an event");
		return;
	}
	/* The server's timeoutSeconds: watch again at once. */
	np_log_debug("%s: watch ended, watching again from RV %s", w->name,
		     w->rv);
	start_watch(w);
}

/* "/api/v1/nodes" -> "v1", "/apis/discovery.k8s.io/v1/x" -> "discovery.k8s.io/v1". */
static void api_version_of(const char *path, char *out, size_t len)
{
	const char *p = path, *end;

	if (!strncmp(p, "/api/", 5))
		p += 5;
	else if (!strncmp(p, "/apis/", 6))
		p += 6;
	end = strrchr(p, '/');
	if (!end || end == p)
		end = p + strlen(p);
	snprintf(out, len, "%.*s", (int)(end - p), p);
}

int np_kube_watch(struct np_kube *k, enum np_kind kind, struct np_model *m)
{
	return np_kube_watch_fields(k, kind, m, NULL);
}

/* "fieldSelector=<fs escaped>&", "" for none; NULL out of memory. */
static char *fsel_query(const char *fs)
{
	char *esc, *q;

	if (!fs || !*fs)
		return strdup("");
	esc = curl_easy_escape(NULL, fs, 0);
	if (!esc || asprintf(&q, "fieldSelector=%s&", esc) < 0)
		q = NULL;
	curl_free(esc);
	return q;
}

int np_kube_watch_fields(struct np_kube *k, enum np_kind kind,
			 struct np_model *m, const char *field_selector)
{
	struct kube_watch *w;

	if ((unsigned int)kind >= NP_KIND_COUNT || !m ||
	    (field_selector && strlen(field_selector) > 1024))
		return -EINVAL;
	if (k->watches[kind])
		return -EEXIST;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->fsel = fsel_query(field_selector);
	if (!w->fsel) {
		free(w);
		return -ENOMEM;
	}
	w->k = k;
	w->m = m;
	w->kind = kind;
	w->name = plural[kind];
	w->retry.fire = retry_fire;
	api_version_of(np_kind_path(kind), w->api_version,
		       sizeof(w->api_version));
	k->watches[kind] = w;
	if (*w->fsel)
		np_log_info("%s: listing from %s (%s only)", w->name,
			    k->kc.server, field_selector);
	else
		np_log_info("%s: listing from %s", w->name, k->kc.server);
	start_list(w);
	return 0;
}

static void watch_stop(struct kube_watch *w)
{
	if (w->req) {
		kube_req_cancel(w->req);
		w->req = NULL;
	}
	np_timer_cancel(w->k->lp, &w->retry);
}

void kube_watch_reconnect_all(struct np_kube *k)
{
	unsigned int i;

	for (i = 0; i < NP_KIND_COUNT; i++) {
		struct kube_watch *w = k->watches[i];

		if (!w)
			continue;
		watch_stop(w);
		w->attempt = 0;
		np_log_info("%s: reconnecting to %s", w->name, k->kc.server);
		if (w->need_list || !w->rv) {
			start_list(w);	/* from its first page */
		} else {
			start_watch(w);
		}
	}
}

void np_kube_unwatch(struct np_kube *k, enum np_kind kind)
{
	struct kube_watch *w;

	if ((unsigned int)kind >= NP_KIND_COUNT || !k->watches[kind])
		return;
	w = k->watches[kind];
	watch_stop(w);
	np_log_info("%s: not watched any more", w->name);
	free(w->rv);
	free(w->cont);
	free(w->fsel);
	free(w);
	k->watches[kind] = NULL;
}

const char *kube_watch_rv(const struct np_kube *k, enum np_kind kind)
{
	const struct kube_watch *w;

	if ((unsigned int)kind >= NP_KIND_COUNT)
		return NULL;
	w = k->watches[kind];
	return w ? w->rv : NULL;
}

void kube_watch_free_all(struct np_kube *k)
{
	unsigned int i;

	for (i = 0; i < NP_KIND_COUNT; i++) {
		struct kube_watch *w = k->watches[i];

		if (!w)
			continue;
		np_timer_cancel(k->lp, &w->retry);
		free(w->rv);
		free(w->cont);
		free(w->fsel);
		free(w);
		k->watches[i] = NULL;
	}
}
