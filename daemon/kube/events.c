// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Event recorder (see events.h). Each Event created is remembered
 * (its identity, name, namespace, count, last time) for series_window_s
 * after its last occurrence, as client-go's recorder keeps its cache; the
 * oldest is dropped past max_cached. client-go names an Event
 * "<regarding name>.<hex nanoseconds>"; so do we.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "kube/events.h"
#include "kube/request.h"
#include "kube/writeq.h"
#include "log.h"

#define NOTE_MAX	1024
#define REASON_MAX	128

struct ev_entry {
	char *id;		/* regarding, type, reason, action, note */
	char *body;		/* the Event as first created, for re-creates */
	char name[254], ns[254];
	char key[540];		/* write queue key */
	unsigned int count;	/* 1, then the series count */
	int64_t last_us;	/* last occurrence */
	bool created;		/* the server has it (a PATCH applies) */
	struct np_kube_events *ev;
	struct ev_entry *next;
};

struct np_kube_events {
	struct np_kube_writeq *q;
	char *controller, *instance;
	unsigned int window_s, max_cached, n;
	int64_t (*now_us)(void);
	struct ev_entry *head;		/* newest first */
};

static void entry_free(struct ev_entry *e)
{
	free(e->id);
	free(e->body);
	free(e);
}

int np_kube_events_new(struct np_kube_writeq *q,
		       const struct np_kube_events_opts *opts,
		       struct np_kube_events **out)
{
	struct np_kube_events *ev;

	if (!opts || !opts->controller || !*opts->controller ||
	    !opts->instance || !*opts->instance)
		return -EINVAL;
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return -ENOMEM;
	ev->q = q;
	ev->controller = strdup(opts->controller);
	ev->instance = strdup(opts->instance);
	ev->window_s = opts->series_window_s ? opts->series_window_s : 600;
	ev->max_cached = opts->max_cached ? opts->max_cached : 4096;
	ev->now_us = opts->now_us ? opts->now_us : np_kube_wall_us;
	if (!ev->controller || !ev->instance) {
		np_kube_events_free(ev);
		return -ENOMEM;
	}
	*out = ev;
	return 0;
}

void np_kube_events_free(struct np_kube_events *ev)
{
	struct ev_entry *e;

	if (!ev)
		return;
	while ((e = ev->head)) {
		ev->head = e->next;
		np_kube_writeq_forget(ev->q, e->key);
		entry_free(e);
	}
	free(ev->controller);
	free(ev->instance);
	free(ev);
}

static const char *type_str(enum np_kube_event_type t)
{
	return t == NP_KUBE_EVENT_WARNING ? "Warning" : "Normal";
}

static char *identity(const struct np_kube_objref *r,
		      enum np_kube_event_type type, const char *reason,
		      const char *action, const char *note)
{
	char *s;

	if (asprintf(&s, "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%.*s",
		     r->api_version, r->kind, r->ns ? r->ns : "", r->name,
		     r->uid ? r->uid : "", type_str(type), reason, action,
		     NOTE_MAX, note ? note : "") < 0)
		return NULL;
	return s;
}

static struct ev_entry *find(const struct np_kube_events *ev, const char *id)
{
	struct ev_entry *e;

	for (e = ev->head; e; e = e->next)
		if (!strcmp(e->id, id))
			return e;
	return NULL;
}

/* Drops what left the series window, and the oldest past max_cached. */
static void expire(struct np_kube_events *ev, int64_t now)
{
	struct ev_entry **pp = &ev->head, *e;
	unsigned int n = 0;

	while ((e = *pp)) {
		/* One with a write still queued stays until it went out:
		 * the queue calls back with ev as context. */
		if ((now - e->last_us > (int64_t)ev->window_s * 1000000 ||
		     n >= ev->max_cached) &&
		    !np_kube_writeq_busy(ev->q, e->key)) {
			*pp = e->next;
			ev->n--;
			/* Writes already queued still go out, without us. */
			entry_free(e);
			continue;
		}
		n++;
		pp = &e->next;
	}
}

static bool valid_ref(const struct np_kube_objref *r)
{
	return r && r->api_version && *r->api_version && r->kind &&
	       *r->kind && r->name && np_kube_dns_name(r->name) &&
	       (!r->ns || !*r->ns || np_kube_dns_name(r->ns));
}

static cJSON *event_json(struct np_kube_events *ev, struct ev_entry *e,
			 const struct np_kube_objref *r,
			 enum np_kube_event_type type, const char *reason,
			 const char *action, const char *note, int64_t now)
{
	cJSON *o = cJSON_CreateObject(), *md, *reg;
	char t[40];
	bool ok;

	np_kube_microtime(now, t, sizeof(t));
	md = cJSON_AddObjectToObject(o, "metadata");
	reg = cJSON_AddObjectToObject(o, "regarding");
	ok = md && reg &&
	     cJSON_AddStringToObject(o, "apiVersion", "events.k8s.io/v1") &&
	     cJSON_AddStringToObject(o, "kind", "Event") &&
	     cJSON_AddStringToObject(md, "name", e->name) &&
	     cJSON_AddStringToObject(md, "namespace", e->ns) &&
	     cJSON_AddStringToObject(o, "eventTime", t) &&
	     cJSON_AddStringToObject(o, "reportingController",
				     ev->controller) &&
	     cJSON_AddStringToObject(o, "reportingInstance", ev->instance) &&
	     cJSON_AddStringToObject(o, "action", action) &&
	     cJSON_AddStringToObject(o, "reason", reason) &&
	     cJSON_AddStringToObject(o, "type", type_str(type)) &&
	     cJSON_AddStringToObject(reg, "apiVersion", r->api_version) &&
	     cJSON_AddStringToObject(reg, "kind", r->kind) &&
	     (!r->ns || !*r->ns ||
	      cJSON_AddStringToObject(reg, "namespace", r->ns)) &&
	     cJSON_AddStringToObject(reg, "name", r->name) &&
	     (!r->uid || !*r->uid ||
	      cJSON_AddStringToObject(reg, "uid", r->uid));
	if (ok && note && *note) {
		char cut[NOTE_MAX + 1];

		snprintf(cut, sizeof(cut), "%s", note);
		ok = cJSON_AddStringToObject(o, "note", cut) != NULL;
	}
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static void write_done(void *ctx, const char *key,
		       const struct np_kube_result *res);
static void write_conflict(void *ctx, const char *key,
			   const struct np_kube_result *res);

static struct ev_entry *entry_of_key(struct np_kube_events *ev,
				     const char *key)
{
	struct ev_entry *e;

	for (e = ev->head; e; e = e->next)
		if (!strcmp(e->key, key))
			return e;
	return NULL;
}

/* Queues what the server should hold of e now: a create (with the series
 * when count > 1) or a PATCH of the series. */
static int push(struct np_kube_events *ev, struct ev_entry *e)
{
	char path[600], t[40], *body = NULL;
	cJSON *o, *series;
	int r;

	snprintf(path, sizeof(path), "/apis/events.k8s.io/v1/namespaces/%s/"
		 "events%s%s", e->ns, e->created ? "/" : "",
		 e->created ? e->name : "");
	np_kube_microtime(e->last_us, t, sizeof(t));
	o = e->created ? cJSON_CreateObject() : cJSON_Parse(e->body);
	if (!o)
		return -ENOMEM;
	if (e->count > 1) {
		cJSON_DeleteItemFromObjectCaseSensitive(o, "series");
		series = cJSON_AddObjectToObject(o, "series");
		if (!series ||
		    !cJSON_AddNumberToObject(series, "count", e->count) ||
		    !cJSON_AddStringToObject(series, "lastObservedTime", t)) {
			cJSON_Delete(o);
			return -ENOMEM;
		}
	}
	body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!body)
		return -ENOMEM;
	r = np_kube_writeq_put(ev->q, e->key, e->created ? "PATCH" : "POST",
			       path, e->created ?
			       np_kube_patch_ctype(NP_KUBE_PATCH_STRATEGIC) :
			       "application/json", body, write_done,
			       write_conflict, ev);
	free(body);
	return r;
}

static unsigned int answered_count(const cJSON *obj)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(obj, "series");
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(s, "count");

	return cJSON_IsNumber(c) && c->valuedouble >= 1 ?
	       (unsigned int)c->valuedouble : 1;
}

static void write_done(void *ctx, const char *key,
		       const struct np_kube_result *res)
{
	struct np_kube_events *ev = ctx;
	struct ev_entry *e = entry_of_key(ev, key);

	if (!e)
		return;		/* left the window meanwhile */
	if (!res->err) {
		e->created = true;
		/* Repeats while the create was in flight: send the count. */
		if (answered_count(res->obj) != e->count)
			push(ev, e);
	} else if (res->status == 404 && e->created) {
		/* Deleted meanwhile (TTL): create it again, as client-go. */
		e->created = false;
		push(ev, e);
	}
}

static void write_conflict(void *ctx, const char *key,
			   const struct np_kube_result *res)
{
	struct np_kube_events *ev = ctx;
	struct ev_entry *e = entry_of_key(ev, key);

	(void)res;
	if (!e)
		return;
	/* AlreadyExists: ours, created by an earlier attempt whose answer
	 * was lost; patch its series instead. */
	e->created = true;
	push(ev, e);
}

static bool name_taken(const struct np_kube_events *ev, const char *ns,
		       const char *name)
{
	const struct ev_entry *e;

	for (e = ev->head; e; e = e->next)
		if (!strcmp(e->name, name) && !strcmp(e->ns, ns))
			return true;
	return false;
}

static bool printable(const char *s, size_t max)
{
	size_t n = strlen(s), i;

	if (!n || n > max)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20)
			return false;
	return true;
}

int np_kube_event(struct np_kube_events *ev,
		  const struct np_kube_objref *regarding,
		  enum np_kube_event_type type, const char *reason,
		  const char *action, const char *note)
{
	int64_t now = ev->now_us();
	struct ev_entry *e;
	char *id;
	cJSON *o;
	int r;

	if (!valid_ref(regarding) || !reason || !printable(reason, REASON_MAX) ||
	    !action || !printable(action, REASON_MAX) ||
	    (type != NP_KUBE_EVENT_NORMAL && type != NP_KUBE_EVENT_WARNING)) {
		np_log_error("kube: Event %s about %s %s/%s: missing or "
			     "invalid regarding, reason or action",
			     reason ? reason : "(null)",
			     regarding && regarding->kind ? regarding->kind :
			     "(null)",
			     regarding && regarding->ns ? regarding->ns : "",
			     regarding && regarding->name ? regarding->name :
			     "(null)");
		return -EINVAL;
	}
	expire(ev, now);
	id = identity(regarding, type, reason, action, note);
	if (!id)
		return -ENOMEM;
	e = find(ev, id);
	if (e) {
		free(id);
		e->count++;
		e->last_us = now;
		np_log_debug("kube: Event %s/%s %s: series count %u", e->ns,
			     e->name, reason, e->count);
		return push(ev, e);
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		free(id);
		return -ENOMEM;
	}
	e->id = id;
	e->ev = ev;
	e->count = 1;
	e->last_us = now;
	snprintf(e->ns, sizeof(e->ns), "%s",
		 regarding->ns && *regarding->ns ? regarding->ns : "default");
	/* <name>.<hex ns>, the name cut so that it stays a DNS name; two
	 * in the same microsecond get different names. */
	for (int64_t t = now;; t++) {
		snprintf(e->name, sizeof(e->name), "%.*s.%llx", 236,
			 regarding->name, (unsigned long long)t * 1000ULL);
		if (!name_taken(ev, e->ns, e->name))
			break;
	}
	snprintf(e->key, sizeof(e->key), "events/%s/%s", e->ns, e->name);
	o = event_json(ev, e, regarding, type, reason, action, note, now);
	e->body = o ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(o);
	if (!e->body) {
		entry_free(e);
		return -ENOMEM;
	}
	e->next = ev->head;
	ev->head = e;
	ev->n++;
	r = push(ev, e);
	if (r)
		np_log_error("kube: Event %s/%s %s: %s", e->ns, e->name, reason,
			     strerror(-r));
	return r;
}

unsigned int np_kube_event_count(const struct np_kube_events *ev,
				 const struct np_kube_objref *regarding,
				 enum np_kube_event_type type,
				 const char *reason, const char *action,
				 const char *note)
{
	char *id = identity(regarding, type, reason, action, note);
	const struct ev_entry *e = id ? find(ev, id) : NULL;

	free(id);
	return e ? e->count : 0;
}
