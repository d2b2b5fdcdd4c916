// SPDX-License-Identifier: GPL-2.0-only
/*
 * Node Leases (see lease.h): the renewer of this node's Lease, and the
 * monitor the status writer asks whether another node still runs
 * nodeplaned.
 *
 * The monitor turns each Lease's renewTime into the local monotonic clock
 * once, when it first sees that renewTime: renewed = now - (wall now -
 * renewTime), never later than now (a node whose clock runs ahead cannot
 * stretch its Lease), so alive(T) = renewed + leaseDurationSeconds > T. A
 * renewTime seen again keeps its first translation; a Lease gone from the
 * list is dead. A timer at the next expiry reports it (changed()).
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

#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))

/* ---- this node's Lease ---- */

struct np_kube_node_lease {
	struct np_kube *k;
	char ns[254], node[254], name[254], path[600], coll[600];
	unsigned int duration_s, renew_ms;
	struct np_timer timer;
	struct np_kube_call *call;
	cJSON *obj;			/* the Lease as last written/read */
	bool renewed;
};

static void nl_put(struct np_kube_node_lease *nl);

static void nl_schedule(struct np_kube_node_lease *nl, bool ok)
{
	/* Failures again soon, as the kubelet retries its node Lease. */
	np_timer_arm(nl->k->lp, &nl->timer,
		     ok ? nl->renew_ms : nl->renew_ms / 4 + 1);
}

static void nl_written(void *ctx, const struct np_kube_result *res)
{
	struct np_kube_node_lease *nl = ctx;

	nl->call = NULL;
	if (!res->err && cJSON_IsObject(res->obj)) {
		cJSON_Delete(nl->obj);
		nl->obj = cJSON_Duplicate(res->obj, true);
		nl->renewed = true;
		nl_schedule(nl, true);
		return;
	}
	nl->renewed = false;
	np_log_warning("kube: node lease %s/%s: %s", nl->ns, nl->name,
		       res->err ? res->err : "no object in the answer");
	if (res->conflict || res->status == 404) {
		/* Changed or deleted by someone: read it again now. */
		cJSON_Delete(nl->obj);
		nl->obj = NULL;
		np_timer_arm(nl->k->lp, &nl->timer, 0);
		return;
	}
	nl_schedule(nl, false);
}

static void nl_read(void *ctx, const struct np_kube_result *res)
{
	struct np_kube_node_lease *nl = ctx;

	nl->call = NULL;
	if (res->status == 404 || (!res->err && cJSON_IsObject(res->obj))) {
		cJSON_Delete(nl->obj);
		nl->obj = res->status == 404 ? NULL :
			  cJSON_Duplicate(res->obj, true);
		nl_put(nl);
		return;
	}
	nl->renewed = false;
	np_log_warning("kube: node lease %s/%s: %s", nl->ns, nl->name,
		       res->err ? res->err : "not a JSON object");
	nl_schedule(nl, false);
}

/* Writes the renewal onto nl->obj (PUT), or creates the Lease (POST). */
static void nl_put(struct np_kube_node_lease *nl)
{
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(nl->obj, "spec");
	char now[40], *body;

	np_kube_microtime(np_kube_wall_us(), now, sizeof(now));
	body = kube_lease_body(nl->obj, nl->ns, nl->name, kube_lease_spec(
			nl->node, nl->duration_s,
			nl->obj && !strcmp(kube_lease_str(spec,
							  "holderIdentity"),
					   nl->node) ?
			kube_lease_str(spec, "acquireTime") : now, now,
			kube_lease_num(spec, "leaseTransitions")),
			NP_KUBE_NODE_LEASE_LABEL);
	if (body)
		nl->call = nl->obj ?
			   np_kube_update(nl->k, nl->path, body, nl_written,
					  nl) :
			   np_kube_create(nl->k, nl->coll, body, nl_written,
					  nl);
	free(body);
	if (!nl->call)
		nl_schedule(nl, false);
}

static void nl_fire(struct np_timer *t)
{
	struct np_kube_node_lease *nl =
		container_of(t, struct np_kube_node_lease, timer);

	if (nl->call)
		return;
	if (nl->obj) {
		nl_put(nl);
		return;
	}
	nl->call = np_kube_get(nl->k, nl->path, nl_read, nl);
	if (!nl->call)
		nl_schedule(nl, false);
}

int np_kube_node_lease_new(struct np_kube *k,
			   const struct np_kube_node_lease_opts *opts,
			   struct np_kube_node_lease **out)
{
	struct np_kube_node_lease *nl;

	if (!opts || !opts->node || !np_kube_dns_name(opts->node) ||
	    strlen(NP_KUBE_NODE_LEASE_PREFIX) + strlen(opts->node) > 253) {
		np_log_error("kube: node lease for \"%s\": not a node name of "
			     "at most %zu characters",
			     opts && opts->node ? opts->node : "(null)",
			     253 - strlen(NP_KUBE_NODE_LEASE_PREFIX));
		return -EINVAL;
	}
	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	nl->k = k;
	snprintf(nl->ns, sizeof(nl->ns), "%s", opts->ns ? opts->ns :
		 NP_KUBE_LEASE_NS);
	snprintf(nl->node, sizeof(nl->node), "%s", opts->node);
	snprintf(nl->name, sizeof(nl->name), "%s%s",
		 NP_KUBE_NODE_LEASE_PREFIX, opts->node);
	nl->duration_s = opts->duration_s ? opts->duration_s : 40;
	nl->renew_ms = opts->renew_ms ? opts->renew_ms : 10000;
	if (np_kube_path(nl->path, sizeof(nl->path), "coordination.k8s.io/v1",
			 "leases", nl->ns, nl->name, NULL) ||
	    np_kube_path(nl->coll, sizeof(nl->coll), "coordination.k8s.io/v1",
			 "leases", nl->ns, NULL, NULL)) {
		free(nl);
		return -EINVAL;
	}
	nl->timer.fire = nl_fire;
	np_timer_arm(k->lp, &nl->timer, 0);
	*out = nl;
	return 0;
}

bool np_kube_node_lease_renewed(const struct np_kube_node_lease *nl)
{
	return nl->renewed;
}

void np_kube_node_lease_free(struct np_kube_node_lease *nl)
{
	if (!nl)
		return;
	np_kube_call_cancel(nl->call);
	np_timer_cancel(nl->k->lp, &nl->timer);
	cJSON_Delete(nl->obj);
	free(nl);
}

/* ---- the monitor ---- */

struct node_rec {
	char node[254];
	char seen_as[96];		/* renewTime|duration last seen */
	uint64_t expiry_ms;		/* alive before this (monotonic) */
	bool alive;			/* as last reported */
	bool listed;
	struct node_rec *next;
};

struct np_kube_node_leases {
	struct np_kube *k;
	struct np_kube_node_leases_opts o;
	char ns[254], path[700];
	struct np_timer poll, expiry;
	struct np_kube_call *call;
	struct node_rec *recs;
	bool synced;
};

static struct node_rec *rec_find(const struct np_kube_node_leases *m,
				 const char *node)
{
	struct node_rec *r;

	for (r = m->recs; r; r = r->next)
		if (!strcmp(r->node, node))
			return r;
	return NULL;
}

/* Reports what became alive or dead and arms the next expiry. */
static void evaluate(struct np_kube_node_leases *m)
{
	uint64_t now = np_now_ms(), next = UINT64_MAX;
	struct node_rec *r, **pp;
	char node[254];
	bool alive;

	for (pp = &m->recs; (r = *pp);) {
		alive = r->listed && r->expiry_ms > now;
		if (alive && r->expiry_ms < next)
			next = r->expiry_ms;
		if (alive != r->alive) {
			r->alive = alive;
			np_log_info("kube: node lease of %s: %s", r->node,
				    alive ? "alive" : r->listed ? "expired" :
				    "gone");
			if (m->o.changed) {
				snprintf(node, sizeof(node), "%s", r->node);
				m->o.changed(m->o.ctx, node, alive);
			}
		}
		if (!r->listed) {
			*pp = r->next;
			free(r);
			continue;
		}
		pp = &r->next;
	}
	if (next != UINT64_MAX)
		np_timer_arm(m->k->lp, &m->expiry, next - now);
	else
		np_timer_cancel(m->k->lp, &m->expiry);
}

static void take(struct np_kube_node_leases *m, const cJSON *item,
		 uint64_t now, int64_t wall)
{
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(item, "spec");
	const char *node = kube_lease_str(spec, "holderIdentity");
	const char *renew = kube_lease_str(spec, "renewTime");
	long dur = kube_lease_num(spec, "leaseDurationSeconds");
	struct node_rec *r;
	char seen_as[96];
	int64_t renew_us, age_ms;

	if (!np_kube_dns_name(node))
		return;		/* released or not a node's */
	r = rec_find(m, node);
	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return;
		snprintf(r->node, sizeof(r->node), "%s", node);
		r->next = m->recs;
		m->recs = r;
	}
	r->listed = true;
	snprintf(seen_as, sizeof(seen_as), "%.60s|%ld", renew, dur);
	if (!strcmp(seen_as, r->seen_as))
		return;
	snprintf(r->seen_as, sizeof(r->seen_as), "%s", seen_as);
	if (dur <= 0 || np_kube_time_parse(renew, &renew_us)) {
		np_log_warning("kube: node lease of %s: renewTime \"%s\", "
			       "leaseDurationSeconds %ld: not usable; taken "
			       "as expired", node, renew, dur);
		r->expiry_ms = 0;
		return;
	}
	age_ms = (wall - renew_us) / 1000;
	if (age_ms < 0)
		age_ms = 0;
	r->expiry_ms = (uint64_t)age_ms > now + (uint64_t)dur * 1000 ? 0 :
		       now - (uint64_t)age_ms + (uint64_t)dur * 1000;
}

static void on_list(void *ctx, const struct np_kube_result *res)
{
	struct np_kube_node_leases *m = ctx;
	const cJSON *items, *item;
	uint64_t now = np_now_ms();
	int64_t wall = np_kube_wall_us();
	struct node_rec *r;

	m->call = NULL;
	items = cJSON_GetObjectItemCaseSensitive(res->obj, "items");
	if (res->err || !cJSON_IsArray(items)) {
		np_log_warning("kube: node leases: %s",
			       res->err ? res->err : "a list without items");
	} else {
		for (r = m->recs; r; r = r->next)
			r->listed = false;
		cJSON_ArrayForEach(item, items)
			take(m, item, now, wall);
		m->synced = true;
		evaluate(m);
	}
	np_timer_arm(m->k->lp, &m->poll, m->o.poll_ms);
}

static void poll_fire(struct np_timer *t)
{
	struct np_kube_node_leases *m =
		container_of(t, struct np_kube_node_leases, poll);

	if (m->call)
		return;
	m->call = np_kube_get(m->k, m->path, on_list, m);
	if (!m->call)
		np_timer_arm(m->k->lp, &m->poll, m->o.poll_ms);
}

static void expiry_fire(struct np_timer *t)
{
	evaluate(container_of(t, struct np_kube_node_leases, expiry));
}

int np_kube_node_leases_new(struct np_kube *k,
			    const struct np_kube_node_leases_opts *opts,
			    struct np_kube_node_leases **out)
{
	struct np_kube_node_leases *m = calloc(1, sizeof(*m));
	char coll[600];

	if (!m)
		return -ENOMEM;
	m->k = k;
	if (opts)
		m->o = *opts;
	snprintf(m->ns, sizeof(m->ns), "%s", m->o.ns ? m->o.ns :
		 NP_KUBE_LEASE_NS);
	m->o.ns = m->ns;
	if (!m->o.poll_ms)
		m->o.poll_ms = 5000;
	if (np_kube_path(coll, sizeof(coll), "coordination.k8s.io/v1",
			 "leases", m->ns, NULL, NULL)) {
		free(m);
		return -EINVAL;
	}
	snprintf(m->path, sizeof(m->path), "%s?labelSelector=%s%%3Dnode",
		 coll, NP_KUBE_NODE_LEASE_LABEL);
	m->poll.fire = poll_fire;
	m->expiry.fire = expiry_fire;
	np_timer_arm(k->lp, &m->poll, 0);
	*out = m;
	return 0;
}

bool np_kube_node_leases_synced(const struct np_kube_node_leases *m)
{
	return m->synced;
}

bool np_kube_node_alive(const struct np_kube_node_leases *m,
			const char *node, uint64_t t_ms)
{
	const struct node_rec *r = node ? rec_find(m, node) : NULL;

	return r && r->listed && r->expiry_ms > t_ms;
}

void np_kube_node_leases_free(struct np_kube_node_leases *m)
{
	struct node_rec *r;

	if (!m)
		return;
	np_kube_call_cancel(m->call);
	np_timer_cancel(m->k->lp, &m->poll);
	np_timer_cancel(m->k->lp, &m->expiry);
	while ((r = m->recs)) {
		m->recs = r->next;
		free(r);
	}
	free(m);
}
