/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Inside the runner: what runner.c (scheduling, events, registration)
 * and table.c (one table's plan, dump, diff, apply and cur list) share.
 * Not for reconcilers: they use runner.h.
 */
#ifndef _NP_RECONCILE_INTERNAL_H
#define _NP_RECONCILE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loop.h"
#include "model/hmap.h"
#include "reconcile/runner.h"

#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))

/* A cur list: what the kernel is believed to hold, sorted by key. */
struct np_rc_cur {
	void *v;
	size_t n;
	bool valid;		/* dumped since it was last forgotten */
};

struct dirty_key {
	struct np_hnode h;
	char key[];
};

struct np_rc {
	struct np_runner *r;
	const struct np_rc_ops *ops;
	void *ctx;
	struct np_rc *next;

	struct np_timer t_pass, t_resync, t_retry;
	bool full_due;			/* the next pass dumps */
	bool all_dirty;
	struct np_hmap dirty;		/* of struct dirty_key */
	uint64_t gen;			/* ops->generation last programmed */
	unsigned int retry_ms;		/* backoff base; 0: none failing */
	uint64_t first_event_ms;	/* oldest event not yet passed */
	bool in_pass;
	char wait_why[NP_RC_WHY_LEN];	/* the barrier's reason, logged once */

	struct np_rc_cur *cur;		/* ops->n_tables */
	struct np_rc_stats st;
};

struct np_runner {
	struct np_loop *lp;
	struct np_model *model;
	struct np_nl *nl;
	struct np_runner_timing tm;
	uint32_t (*rand)(void);
	struct np_rc *list;		/* in registration order */
};

/* table.c: one table of rc in pass p (plan, dump when full or not yet
 * known, diff, apply, cur updated). Failures are counted in p. */
void np_rc_table_pass(struct np_rc *rc, size_t ti, struct np_rc_pass *p);
/* Frees the cur list of table t and marks it unknown. */
void np_rc_cur_forget(const struct np_rc_table *t, struct np_rc_cur *c);

#endif /* _NP_RECONCILE_INTERNAL_H */
