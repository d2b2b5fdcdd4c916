/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The write queue (writeq.c): writes to the API server by key, e.g.
 * "services/default/traefik/status".
 *
 * - Coalescing: a key holds at most one pending write; putting another
 *   replaces it (the latest desired state wins). Writes are sent from the
 *   loop, never inside np_kube_writeq_put(), so N puts in a row send only
 *   the last; a put while the key's write is in flight waits for it.
 * - Per-key backoff: a write that failed for a reason worth retrying (no
 *   answer, 408, 429, 5xx but 501) is sent again after a jittered
 *   exponential backoff (backoff_min_ms doubling to backoff_max_ms) unless
 *   a newer write for the key superseded it; success resets it.
 * - 409 Conflict: the write's conflict callback runs; it re-reads (the
 *   model, or a GET) and puts a new write for the key, which is sent after
 *   the key's backoff. Without a conflict callback a 409 is final.
 * - Other 4xx are final (logged, the done callback sees them).
 * - At most max_inflight writes in flight, and no more than qps writes
 *   started per second on average (bursts of burst).
 *
 * Callbacks run on the loop; done runs once per write that reached a final
 * outcome (2xx, a final error, or a 409 without conflict callback).
 * Free the queue before the client (np_kube_free).
 */
#ifndef _NP_KUBE_WRITEQ_H
#define _NP_KUBE_WRITEQ_H

#include <stdbool.h>
#include <stdint.h>

#include "kube/request.h"

struct np_kube;
struct np_kube_writeq;

struct np_kube_writeq_opts {
	unsigned int backoff_min_ms;	/* 500 */
	unsigned int backoff_max_ms;	/* 60000 */
	unsigned int max_inflight;	/* 4 */
	unsigned int qps;		/* 10 */
	unsigned int burst;		/* 20 */
};

/* The outcome of the write of key (see request.h for res). */
typedef void (*np_kube_writeq_fn)(void *ctx, const char *key,
				  const struct np_kube_result *res);

struct np_kube_writeq_stats {
	uint64_t sent;		/* requests started */
	uint64_t ok;		/* 2xx */
	uint64_t coalesced;	/* pending writes replaced before being sent */
	uint64_t retried;	/* failures sent again */
	uint64_t conflicts;	/* 409s */
	uint64_t failed;	/* final failures */
	unsigned int inflight;	/* requests in flight now */
	unsigned int inflight_max;	/* the most at once so far */
};

/* opts NULL or zero fields: the defaults above. */
int np_kube_writeq_new(struct np_kube *k,
		       const struct np_kube_writeq_opts *opts,
		       struct np_kube_writeq **out);
/* Cancels what is in flight (no callbacks) and drops what is pending. */
void np_kube_writeq_free(struct np_kube_writeq *q);

/*
 * The desired write of key: method "POST", "PUT", "PATCH" or "DELETE" on
 * path with body (copied; content_type for it). done and conflict may be
 * NULL. 0, -EINVAL (an empty or over-long key, a bad method or path) or
 * -ENOMEM.
 */
int np_kube_writeq_put(struct np_kube_writeq *q, const char *key,
		       const char *method, const char *path,
		       const char *content_type, const char *body,
		       np_kube_writeq_fn done, np_kube_writeq_fn conflict,
		       void *ctx);
/* Forgets key: its pending write and backoff; one in flight is cancelled
 * (no callbacks). */
void np_kube_writeq_forget(struct np_kube_writeq *q, const char *key);
/* Whether key has a write pending or in flight. */
bool np_kube_writeq_busy(const struct np_kube_writeq *q, const char *key);
/* Whether no write is pending or in flight at all. */
bool np_kube_writeq_idle(const struct np_kube_writeq *q);
const struct np_kube_writeq_stats *
np_kube_writeq_stats(const struct np_kube_writeq *q);

#endif /* _NP_KUBE_WRITEQ_H */
