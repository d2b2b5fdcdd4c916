/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Events, events.k8s.io/v1, as client-go's new events recorder writes them
 * (events.c): POST /apis/events.k8s.io/v1/namespaces/NS/events with
 * regarding (apiVersion, kind, namespace, name, uid), reason, note, type
 * Normal or Warning, action, reportingController, reportingInstance and
 * eventTime (a MicroTime). The same (regarding, type, reason, action,
 * note) again within series_window_s of its last occurrence updates that
 * Event's series (series.count 2, 3, ... and series.lastObservedTime, a
 * strategic-merge PATCH of the Event) instead of creating another one.
 *
 * Writes go through a write queue (writeq.h) under the key
 * "events/NS/NAME": a burst of repeats becomes one PATCH with the latest
 * count. An Event deleted meanwhile (404 on the PATCH) is created again
 * with its series; a create that finds it existing (409) becomes a PATCH.
 */
#ifndef _NP_KUBE_EVENTS_H
#define _NP_KUBE_EVENTS_H

#include <stdint.h>

struct np_kube_writeq;
struct np_kube_events;

/* The reportingController of nodeplane's ServiceLB. */
#define NP_KUBE_EVENTS_SERVICELB	"nodeplane.io/servicelb"

struct np_kube_events_opts {
	const char *controller;		/* reportingController (required) */
	const char *instance;		/* reportingInstance: the node name */
	unsigned int series_window_s;	/* 600 */
	unsigned int max_cached;	/* 4096 Events remembered for series */
	/* Wall clock in microseconds (tests); NULL: np_kube_wall_us. */
	int64_t (*now_us)(void);
};

/* The object an Event is about. ns NULL or "" for cluster-scoped ones
 * (their Events go to namespace "default"); uid may be NULL. */
struct np_kube_objref {
	const char *api_version;	/* "v1" */
	const char *kind;		/* "Service" */
	const char *ns;
	const char *name;
	const char *uid;
};

enum np_kube_event_type {
	NP_KUBE_EVENT_NORMAL,
	NP_KUBE_EVENT_WARNING,
};

int np_kube_events_new(struct np_kube_writeq *q,
		       const struct np_kube_events_opts *opts,
		       struct np_kube_events **out);
/* Forgets the series (writes already queued stay in the queue). Free it
 * before the queue. */
void np_kube_events_free(struct np_kube_events *ev);

/*
 * Records an Event about regarding. reason: UpperCamelCase, at most 128
 * bytes ("UpdatedLoadBalancer"); action: at most 128 bytes
 * ("EnsureLoadBalancer"); note: at most 1024 bytes (longer is cut). 0 when
 * queued, -EINVAL for a missing or invalid argument (logged), -ENOMEM.
 */
int np_kube_event(struct np_kube_events *ev,
		  const struct np_kube_objref *regarding,
		  enum np_kube_event_type type, const char *reason,
		  const char *action, const char *note);

/* The series count the recorder holds for this Event (0: none), for tests
 * and diagnostics. */
unsigned int np_kube_event_count(const struct np_kube_events *ev,
				 const struct np_kube_objref *regarding,
				 enum np_kube_event_type type,
				 const char *reason, const char *action,
				 const char *note);

#endif /* _NP_KUBE_EVENTS_H */
