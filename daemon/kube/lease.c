// SPDX-License-Identifier: GPL-2.0-only
/*
 * Leader election on a coordination.k8s.io/v1 Lease (see lease.h), in the
 * manner of client-go's leaderelection.LeaderElector with a LeaseLock:
 *
 *   not leader, every retry period: GET the Lease
 *     404                       -> POST it with us as holder
 *     held by another, record changed less than leaseDuration ago
 *                               -> wait
 *     else (expired, empty, ours) -> PUT us as holder, conditional on the
 *                                  resourceVersion read (409: someone
 *                                  else was faster)
 *   leader, every retry period: PUT the renewal on the Lease last written
 *     (a 409 or any failure: GET and decide again next time); no
 *     successful renewal for renew_deadline_ms -> stopped()
 *
 * The node Leases and their monitor are in node_lease.c.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "kube/kube_int.h"
#include "kube/lease.h"
#include "kube/lease_int.h"
#include "kube/request.h"
#include "log.h"

struct np_kube_leader {
	struct np_kube *k;
	struct np_kube_leader_opts o;
	char ns[254], name[254], id[254], path[600], coll[600];
	struct np_timer tick, deadline, release_timer;
	struct np_kube_call *call;
	cJSON *obj;			/* the Lease last read or written */
	bool fresh;			/* obj is our own last write */
	char *observed;			/* its spec, to notice changes */
	uint64_t observed_ms;		/* when the spec last changed */
	char holder[254];
	long transitions;
	bool leader, done;
	uint64_t renewed_ms;		/* last successful renewal */
	np_kube_done_fn rel_done;
	void *rel_ctx;
};

#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))

const char *kube_lease_str(const cJSON *spec, const char *field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(spec, field);

	return cJSON_IsString(v) ? v->valuestring : "";
}

long kube_lease_num(const cJSON *spec, const char *field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(spec, field);

	return cJSON_IsNumber(v) ? (long)v->valuedouble : 0;
}

cJSON *kube_lease_spec(const char *holder, unsigned int duration_s,
		       const char *acquire, const char *renew,
		       long transitions)
{
	cJSON *s = cJSON_CreateObject();

	if (!s || !cJSON_AddStringToObject(s, "holderIdentity", holder) ||
	    !cJSON_AddNumberToObject(s, "leaseDurationSeconds", duration_s) ||
	    !cJSON_AddStringToObject(s, "acquireTime", acquire) ||
	    !cJSON_AddStringToObject(s, "renewTime", renew) ||
	    !cJSON_AddNumberToObject(s, "leaseTransitions", transitions)) {
		cJSON_Delete(s);
		return NULL;
	}
	return s;
}

char *kube_lease_body(const cJSON *old, const char *ns, const char *name,
		      cJSON *spec, const char *label)
{
	cJSON *o, *md, *labels;
	char *body;

	if (!spec)
		return NULL;
	if (old) {
		o = cJSON_Duplicate(old, true);
		if (o)
			cJSON_DeleteItemFromObjectCaseSensitive(o, "spec");
	} else {
		o = cJSON_CreateObject();
		md = o ? cJSON_AddObjectToObject(o, "metadata") : NULL;
		if (!md || !cJSON_AddStringToObject(o, "apiVersion",
						    "coordination.k8s.io/v1") ||
		    !cJSON_AddStringToObject(o, "kind", "Lease") ||
		    !cJSON_AddStringToObject(md, "name", name) ||
		    !cJSON_AddStringToObject(md, "namespace", ns) ||
		    (label && (!(labels = cJSON_AddObjectToObject(md,
								  "labels")) ||
			       !cJSON_AddStringToObject(labels, label,
							"node")))) {
			cJSON_Delete(o);
			o = NULL;
		}
	}
	if (!o) {
		cJSON_Delete(spec);
		return NULL;
	}
	cJSON_AddItemToObject(o, "spec", spec);
	body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return body;
}

/* ---- leader election ---- */

static void schedule(struct np_kube_leader *le, uint64_t ms)
{
	if (!le->done)
		np_timer_arm(le->k->lp, &le->tick, ms);
}

static void lose(struct np_kube_leader *le, const char *why)
{
	if (!le->leader)
		return;
	le->leader = false;
	np_timer_cancel(le->k->lp, &le->deadline);
	np_log_warning("kube: lease %s/%s: %s is no longer the leader: %s",
		       le->ns, le->name, le->id, why);
	if (le->o.stopped)
		le->o.stopped(le->o.ctx);
}

/* Takes obj (a Lease the server answered) as the one last seen. */
static void observe(struct np_kube_leader *le, const cJSON *obj)
{
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(obj, "spec");
	char *raw = spec ? cJSON_PrintUnformatted(spec) : strdup("{}");
	const char *holder = kube_lease_str(spec, "holderIdentity");
	bool changed_holder = strcmp(holder, le->holder) != 0;

	if (!raw)
		return;
	if (!le->observed || strcmp(raw, le->observed)) {
		free(le->observed);
		le->observed = raw;
		le->observed_ms = np_now_ms();
	} else {
		free(raw);
	}
	cJSON_Delete(le->obj);
	le->obj = cJSON_Duplicate(obj, true);
	le->transitions = kube_lease_num(spec, "leaseTransitions");
	snprintf(le->holder, sizeof(le->holder), "%s", holder);
	if (changed_holder) {
		np_log_info("kube: lease %s/%s: held by %s", le->ns, le->name,
			    *holder ? holder : "nobody");
		if (le->o.new_leader)
			le->o.new_leader(le->o.ctx, le->holder);
	}
}

static void on_write(void *ctx, const struct np_kube_result *res);
static void on_get(void *ctx, const struct np_kube_result *res);

/* PUT (obj read) or POST (none) with us as holder. */
static void acquire(struct np_kube_leader *le, const cJSON *obj)
{
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(obj, "spec");
	bool ours = obj && !strcmp(kube_lease_str(spec, "holderIdentity"),
				   le->id);
	char now[40], *body;

	np_kube_microtime(np_kube_wall_us(), now, sizeof(now));
	body = kube_lease_body(obj, le->ns, le->name, kube_lease_spec(
			le->id, le->o.lease_duration_s,
			ours ? kube_lease_str(spec, "acquireTime") : now, now,
			!obj ? 0 : ours ? le->transitions :
			le->transitions + 1), NULL);
	if (!body) {
		schedule(le, le->o.retry_period_ms);
		return;
	}
	le->call = obj ? np_kube_update(le->k, le->path, body, on_write, le) :
		   np_kube_create(le->k, le->coll, body, on_write, le);
	free(body);
	if (!le->call)
		schedule(le, le->o.retry_period_ms);
}

static void on_write(void *ctx, const struct np_kube_result *res)
{
	struct np_kube_leader *le = ctx;
	uint64_t now = np_now_ms();

	le->call = NULL;
	if (res->err) {
		le->fresh = false;
		if (res->conflict)
			np_log_debug("kube: lease %s/%s: %s", le->ns, le->name,
				     res->err);
		else
			np_log_warning("kube: lease %s/%s: %s", le->ns,
				       le->name, res->err);
		schedule(le, le->o.retry_period_ms);
		return;
	}
	observe(le, res->obj);
	le->fresh = true;
	le->renewed_ms = now;
	np_timer_arm(le->k->lp, &le->deadline, le->o.renew_deadline_ms);
	if (!le->leader) {
		le->leader = true;
		np_log_info("kube: lease %s/%s: %s is the leader (transitions "
			    "%ld)", le->ns, le->name, le->id, le->transitions);
		if (le->o.started)
			le->o.started(le->o.ctx);
	}
	schedule(le, le->o.retry_period_ms);
}

static void on_get(void *ctx, const struct np_kube_result *res)
{
	struct np_kube_leader *le = ctx;
	const cJSON *spec;
	const char *holder;

	le->call = NULL;
	if (res->status == 404) {
		acquire(le, NULL);
		return;
	}
	if (res->err || !cJSON_IsObject(res->obj)) {
		np_log_warning("kube: lease %s/%s: %s", le->ns, le->name,
			       res->err ? res->err : "not a JSON object");
		schedule(le, le->o.retry_period_ms);
		return;
	}
	observe(le, res->obj);
	spec = cJSON_GetObjectItemCaseSensitive(res->obj, "spec");
	holder = kube_lease_str(spec, "holderIdentity");
	if (*holder && strcmp(holder, le->id) &&
	    np_now_ms() < le->observed_ms +
	    (uint64_t)kube_lease_num(spec, "leaseDurationSeconds") * 1000) {
		lose(le, "another holder renews the lease");
		schedule(le, le->o.retry_period_ms);
		return;
	}
	acquire(le, res->obj);
}

static void tick_fire(struct np_timer *t)
{
	struct np_kube_leader *le = container_of(t, struct np_kube_leader,
						 tick);

	if (le->call || le->done)
		return;
	if (le->leader && le->fresh) {
		acquire(le, le->obj);	/* the renewal, on our last write */
		return;
	}
	le->call = np_kube_get(le->k, le->path, on_get, le);
	if (!le->call)
		schedule(le, le->o.retry_period_ms);
}

static void deadline_fire(struct np_timer *t)
{
	struct np_kube_leader *le = container_of(t, struct np_kube_leader,
						 deadline);

	if (np_now_ms() - le->renewed_ms >= le->o.renew_deadline_ms)
		lose(le, "no renewal within the renew deadline");
	else
		np_timer_arm(le->k->lp, t, le->renewed_ms +
			     le->o.renew_deadline_ms - np_now_ms());
}

int np_kube_leader_new(struct np_kube *k,
		       const struct np_kube_leader_opts *opts,
		       struct np_kube_leader **out)
{
	struct np_kube_leader *le;

	if (!opts || !opts->identity || !*opts->identity ||
	    strlen(opts->identity) > 253)
		return -EINVAL;
	le = calloc(1, sizeof(*le));
	if (!le)
		return -ENOMEM;
	le->k = k;
	le->o = *opts;
	snprintf(le->ns, sizeof(le->ns), "%s", opts->ns ? opts->ns :
		 NP_KUBE_LEASE_NS);
	snprintf(le->name, sizeof(le->name), "%s", opts->name ? opts->name :
		 NP_KUBE_LEASE_SERVICELB);
	snprintf(le->id, sizeof(le->id), "%s", opts->identity);
	le->o.ns = le->ns;
	le->o.name = le->name;
	le->o.identity = le->id;
	if (!le->o.lease_duration_s)
		le->o.lease_duration_s = 15;
	if (!le->o.renew_deadline_ms)
		le->o.renew_deadline_ms = 10000;
	if (!le->o.retry_period_ms)
		le->o.retry_period_ms = 2000;
	if (np_kube_path(le->path, sizeof(le->path), "coordination.k8s.io/v1",
			 "leases", le->ns, le->name, NULL) ||
	    np_kube_path(le->coll, sizeof(le->coll), "coordination.k8s.io/v1",
			 "leases", le->ns, NULL, NULL) ||
	    le->o.renew_deadline_ms >= le->o.lease_duration_s * 1000U ||
	    le->o.retry_period_ms >= le->o.renew_deadline_ms) {
		np_log_error("kube: lease %s/%s: not a namespace and name, or "
			     "not retry period < renew deadline < lease "
			     "duration", le->ns, le->name);
		free(le);
		return -EINVAL;
	}
	le->tick.fire = tick_fire;
	le->deadline.fire = deadline_fire;
	schedule(le, 0);
	*out = le;
	return 0;
}

bool np_kube_leader_is_leader(const struct np_kube_leader *le)
{
	return le->leader &&
	       np_now_ms() - le->renewed_ms < le->o.renew_deadline_ms;
}

const char *np_kube_leader_holder(const struct np_kube_leader *le)
{
	return le->holder;
}

long np_kube_leader_transitions(const struct np_kube_leader *le)
{
	return le->transitions;
}

static void released(void *ctx, const struct np_kube_result *res)
{
	struct np_kube_leader *le = ctx;

	le->call = NULL;
	if (!res->err) {
		observe(le, res->obj);
		np_log_info("kube: lease %s/%s: released", le->ns, le->name);
	} else {
		np_log_warning("kube: lease %s/%s: releasing: %s", le->ns,
			       le->name, res->err);
	}
	if (le->rel_done)
		le->rel_done(le->rel_ctx, res->status, res->err);
}

static void release_fire(struct np_timer *t)
{
	struct np_kube_leader *le = container_of(t, struct np_kube_leader,
						 release_timer);

	if (le->rel_done)
		le->rel_done(le->rel_ctx, 200, NULL);
}

int np_kube_leader_release(struct np_kube_leader *le, np_kube_done_fn done,
			   void *ctx)
{
	const cJSON *spec;
	bool was = le->leader && le->obj;
	char now[40], *body;

	le->done = true;
	le->rel_done = done;
	le->rel_ctx = ctx;
	np_timer_cancel(le->k->lp, &le->tick);
	np_kube_call_cancel(le->call);
	le->call = NULL;
	lose(le, "released");
	if (!was) {
		le->release_timer.fire = release_fire;
		np_timer_arm(le->k->lp, &le->release_timer, 0);
		return 0;
	}
	spec = cJSON_GetObjectItemCaseSensitive(le->obj, "spec");
	np_kube_microtime(np_kube_wall_us(), now, sizeof(now));
	body = kube_lease_body(le->obj, le->ns, le->name,
			       kube_lease_spec("", 1, now, now,
					       kube_lease_num(spec,
							      "leaseTransitions")),
			       NULL);
	le->call = body ? np_kube_update(le->k, le->path, body, released, le) :
		   NULL;
	free(body);
	return le->call ? 0 : -ENOMEM;
}

void np_kube_leader_free(struct np_kube_leader *le)
{
	if (!le)
		return;
	np_kube_call_cancel(le->call);
	np_timer_cancel(le->k->lp, &le->tick);
	np_timer_cancel(le->k->lp, &le->deadline);
	np_timer_cancel(le->k->lp, &le->release_timer);
	cJSON_Delete(le->obj);
	free(le->observed);
	free(le);
}
