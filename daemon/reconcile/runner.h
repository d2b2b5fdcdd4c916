/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The reconciler runner: one per daemon, on its one event loop. Every
 * reconciler (overlay, servicelb, hostport, ...) plugs in with a const
 * struct np_rc_ops and a context pointer; the runner does the rest:
 *
 *   model event ──notify (dirty keys, no I/O)──> debounce (20 ms)
 *     ──> sync barrier: nothing before every kind the reconciler reads
 *         has been listed once (np_model_synced)
 *     ──> begin (optional: I/O the tables need, e.g. devices)
 *     ──> per table, in the order given:
 *           plan (pure) ─> want, sorted
 *           dump (full passes only; else the runner's remembered cur)
 *           np_diff(want, cur) ─> deletes first, then creates and
 *           replaces in place (or remove + create when the table has no
 *           replace), per item; cur updated with what succeeded
 *     ──> commit (optional: the items collected sent as one transaction;
 *         a failure forgets every cur)
 *     ──> end (optional: publication, summary)
 *     ──> failures: retried by a full pass after a backoff (1 s doubling
 *         to 30 s, jittered); success resets it
 *   every 60 s (jittered +-10 %): a full pass (dump, diff, apply)
 *   module reload (ops->generation moved, or a genl family event through
 *   np_runner_family): a full pass, pass->reloaded set
 *
 * A full pass dumps every table and takes the dump as cur; an incremental
 * pass diffs against cur as the last pass left it (what was applied, not
 * what failed), so a Node event at 5,000 Nodes reads nothing back.
 *
 * This header knows no reconciler; reconcilers include it, never the
 * other way round. Usage (one reconciler, two tables):
 *
 *   static const struct np_rc_table peers = {
 *       .name = "peer", .size = sizeof(struct peer), ...
 *   }, routes = { .name = "route", ... };
 *   static const struct np_rc_table *const tables[] = { &peers, &routes };
 *   static const struct np_rc_ops ops = {
 *       .name = "overlay", .kinds = 1U << NP_KIND_NODE,
 *       .tables = tables, .n_tables = 2, .begin = begin, .end = end,
 *   };
 *   struct np_rc *rc;
 *   np_runner_add(runner, &ops, self, &rc);   // first pass scheduled
 *   ...
 *   np_runner_remove(runner, rc);             // kernel left as it is
 */
#ifndef _NP_RECONCILE_RUNNER_H
#define _NP_RECONCILE_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

struct np_loop;
struct np_err;
struct np_nl;
struct np_runner;
struct np_rc;			/* one registered reconciler */

#define NP_RC_WHY_LEN 256

/* What begin returns besides 0 (go on with the tables). */
enum {
	NP_RC_WAIT = 1,		/* not ready (e.g. own Node without podCIDR):
				 * nothing applied, no retry; a full pass
				 * stays due; the next event brings a pass */
	NP_RC_FAIL = 2,		/* failed: nothing applied, retried (full)
				 * after the backoff; pass->why is logged */
};
/* What a table's plan returns besides 0. */
enum {
	NP_RC_SKIP = 1,		/* the table is not in use now (e.g. WireGuard
				 * peers with the vxlan backend): not dumped,
				 * not applied, its cur forgotten */
};

/* Counts of one pass (summed over its tables). */
struct np_rc_counts {
	unsigned int created, replaced, deleted, failed;
};

/* One pass, as the reconciler's callbacks see it. */
struct np_rc_pass {
	bool full;		/* tables are dumped (start, resync, retry,
				 * reload, np_rc_full) */
	bool reloaded;		/* the generation moved: kernel state the
				 * reconciler remembers is gone */
	bool all_dirty;		/* everything may have changed (first pass,
				 * full pass, a notify without keys) */
	/* keys recorded with np_rc_mark since the last pass, sorted, each
	 * once; valid during the pass */
	const char *const *dirty;
	size_t n_dirty;
	uint64_t started_ms;
	/* filled by the runner as the tables are applied; begin may add
	 * failures of its own (failed++: the pass goes on, then retries) */
	struct np_rc_counts counts;
	/* set before end when counts.failed or begin failed: the delay of
	 * the retry (ms) */
	unsigned int retry_ms;
	/* begin: why it returned NP_RC_FAIL ("" logs nothing) */
	char why[NP_RC_WHY_LEN];
};

/*
 * One kind of kernel object of a reconciler (a "table"): module peers,
 * routes, WireGuard peers, LB frontends. Items are plain structs of
 * `size` bytes, compared with cmp_key (the kernel's key) and same (the
 * value); the runner keeps deep copies (copy/clear) as cur.
 */
struct np_rc_table {
	const char *name;		/* "peer", "frontend": logs */
	size_t size;			/* of one item */
	int (*cmp_key)(const void *a, const void *b);
	bool (*same)(const void *want, const void *cur);
	/* "tcp/80" for logs; required */
	const char *(*key_str)(const void *item, char *buf, size_t len);
	/* Deep copy into dst (uninitialised); 0 or -ENOMEM (dst left
	 * clear). NULL: memcpy. */
	int (*copy)(void *dst, const void *src);
	/* Frees what an item owns. NULL: nothing. */
	void (*clear)(void *item);

	/*
	 * The desired list: *want sorted by cmp_key, no key twice; pure (no
	 * I/O: read the model and what begin gathered). The memory stays the
	 * reconciler's and must stay valid until end (or until the pass ends
	 * when there is no end). 0, NP_RC_SKIP, or a negative errno (the
	 * table fails this pass).
	 */
	int (*plan)(void *ctx, const struct np_rc_pass *pass,
		    const void **want, size_t *n);
	/*
	 * The kernel's items, any order: *items is malloc'd (n * size); the
	 * runner takes it (clear, then free). 0 or a negative errno (err
	 * filled: the table fails this pass).
	 */
	int (*dump)(void *ctx, void **items, size_t *n, struct np_err *err);
	/*
	 * Optional, after a dump: fresh (a dumped item) and old (the item
	 * of the same key in the previous cur) — carry over what the kernel
	 * does not tell (a node name for logs) or what it changes by itself
	 * (WireGuard's roamed endpoint). 0 or -ENOMEM.
	 */
	int (*adopt)(void *ctx, void *fresh, const void *old);
	/* The operations: 0 or a negative errno (err filled). */
	int (*create)(void *ctx, const void *want, struct np_err *err);
	/* Replace in place (no gap). NULL: remove(cur), then create(want). */
	int (*replace)(void *ctx, const void *cur, const void *want,
		       struct np_err *err);
	/* -ENOENT counts as done. */
	int (*remove)(void *ctx, const void *cur, struct np_err *err);

	/*
	 * Optional: log one applied item; what is "added", "changed" or
	 * "removed". NULL: the runner logs "<rc>: <table> <key> <what>" at
	 * debug. Failures are logged by the runner as warnings:
	 * "<rc>: <table> <key>: <err>".
	 */
	void (*log)(void *ctx, const char *what, const void *item);
};

struct np_rc_ops {
	const char *name;		/* "overlay": the prefix of its logs */
	uint32_t kinds;			/* 1U << NP_KIND_* it reads */
	/*
	 * Optional: a model event of one of kinds (old NULL: added; new
	 * NULL: deleted). Record what changed with np_rc_mark(); no I/O.
	 * NULL: every event makes everything dirty. (Each kind's first
	 * complete list is not passed here: it makes everything dirty.)
	 */
	void (*notify)(void *ctx, struct np_rc *rc, enum np_kind kind,
		       const void *old, const void *new_obj);
	/*
	 * Optional: the generation of the kernel state the reconciler
	 * programs (np_nl_generation of its connection; several modules:
	 * combine them). A change starts a full pass with reloaded set.
	 */
	uint64_t (*generation)(void *ctx);
	/*
	 * Optional: a generic-netlink family (un)registered (module loaded
	 * or unloaded), other than "nodeplane" (which the runner handles:
	 * every reconciler gets a full pass). Return true for a full pass.
	 */
	bool (*family)(void *ctx, const char *name, bool added);
	/*
	 * Optional, before the tables: 0, NP_RC_WAIT or NP_RC_FAIL (see
	 * above). I/O allowed: this is where devices the tables depend on
	 * are made (devices before peers).
	 */
	int (*begin)(void *ctx, struct np_rc_pass *pass);
	/*
	 * Optional, after the tables and before end: for a reconciler whose
	 * table operations only collect the changes (create, replace and
	 * remove record them; commit sends them as one transaction, e.g.
	 * NetworkPolicy). 0, or a negative errno with pass->why set: the
	 * pass failed as a whole (counted as one failure), every table's
	 * cur is forgotten (the next pass dumps) and a full pass is retried
	 * after the backoff.
	 */
	int (*commit)(void *ctx, struct np_rc_pass *pass);
	/* Optional, after the tables (when begin returned 0). */
	void (*end)(void *ctx, const struct np_rc_pass *pass);
	/* applied in this order (e.g. module peers before routes) */
	const struct np_rc_table *const *tables;
	size_t n_tables;
};

/* Per-reconciler statistics, for logs and tests. */
struct np_rc_stats {
	uint64_t passes;		/* that ran (past the sync barrier) */
	uint64_t full_passes;
	uint64_t waits;			/* held by the barrier or NP_RC_WAIT */
	uint64_t applied;		/* items created, replaced or deleted */
	uint64_t failures;		/* items or steps that failed */
	uint64_t retries;		/* passes started by the retry timer */
	char last_error[NP_RC_WHY_LEN];	/* "" when none yet */
};

/* Timing; zero fields take the defaults. */
struct np_runner_timing {
	unsigned int debounce_ms;	/* 20 */
	unsigned int resync_ms;		/* 60000 */
	unsigned int resync_jitter_pct;	/* 10: resync_ms +- 10 % */
	unsigned int retry_min_ms;	/* 1000 */
	unsigned int retry_max_ms;	/* 30000 */
	unsigned int retry_jitter_pct;	/* 20: backoff + 0..20 % */
};

struct np_runner_deps {
	struct np_loop *lp;
	struct np_model *model;
	struct np_nl *nl;		/* NULL: no family to look up again */
	const struct np_runner_timing *timing;	/* NULL: defaults */
	/* jitter's randomness; NULL: random(3) */
	uint32_t (*rand)(void);
};

/* 0 or a negative errno. */
int np_runner_new(const struct np_runner_deps *d, struct np_runner **out);
/* Removes every reconciler still registered, leaving the kernel as is. */
void np_runner_free(struct np_runner *r);

/*
 * Registers a reconciler (ops must outlive it); its first pass (full) is
 * scheduled at once. 0, -EINVAL (ops incomplete: a table without name,
 * size, cmp_key, same, key_str, plan, dump, create or remove), or -ENOMEM.
 */
int np_runner_add(struct np_runner *r, const struct np_rc_ops *ops, void *ctx,
		  struct np_rc **out);
/* Unregisters; timers cancelled, cur lists freed, kernel left as is. */
void np_runner_remove(struct np_runner *r, struct np_rc *rc);

/*
 * A generic-netlink family event (main.c reads nlctrl's, see
 * famwatch.h). "nodeplane" registered: the family is looked up again and
 * every reconciler runs a full pass; other names go to ops->family.
 */
void np_runner_family(struct np_runner *r, const char *name, bool added,
		      uint16_t id);
/* Events were lost (anything may have been reloaded): full passes. */
void np_runner_full_all(struct np_runner *r);

/* From a notify: key (copied) changed. Recorded once until the pass. */
void np_rc_mark(struct np_rc *rc, const char *key);
/* Everything is dirty (the next pass plans everything). */
void np_rc_mark_all(struct np_rc *rc);
/* A pass in ms (an incremental one unless a full one is due). */
void np_rc_kick(struct np_rc *rc, unsigned int ms);
/* A full pass at once (configuration reloaded). */
void np_rc_full(struct np_rc *rc);
const struct np_rc_stats *np_rc_stats(const struct np_rc *rc);
/* The runner's cur list of table t: what the kernel is believed to hold. */
const void *np_rc_cur(const struct np_rc *rc, size_t t, size_t *n);

#endif /* _NP_RECONCILE_RUNNER_H */
