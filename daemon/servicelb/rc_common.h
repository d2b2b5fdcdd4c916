/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the servicelb and hostport reconcilers share (servicelb/
 * reconcile.c): the frontend table on a struct np_lb_kernel, filtered by
 * owner, and the set of reports already sent (one Event per appearance).
 * Private to servicelb/reconcile.c and hostport/reconcile.c.
 */
#ifndef _NP_SERVICELB_RC_COMMON_H
#define _NP_SERVICELB_RC_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reconcile/runner.h"
#include "servicelb/claims.h"
#include "servicelb/reconcile.h"

/* Sorted, unique strings. */
struct np_strset {
	char **v;
	size_t n;
};

/* The first member of both reconcilers' contexts. */
struct np_lb_rc_common {
	const char *name;		/* "servicelb", "hostport" */
	uint8_t owner;			/* NP_LB_OWNER_* */
	struct np_model *model;
	struct np_runner *runner;
	struct np_rc *rc;
	char *self;
	struct np_lb_kernel kernel;
	struct np_lb_sink sink;
	bool disabled;
	char *route_localnet;		/* "" none */
	struct np_lb_list want;		/* the last plan's */
	struct np_strset reported;	/* reports of the last plan */
	/* the other reconciler: frontends share one key space, so a port
	 * that moved to it (its SET replaced ours) is not ours to delete */
	struct np_lb_rc_common *peer;
};

/* The table (NP_RC_LB_ITEMS with plan given by the reconciler). */
int np_lb_rc_dump(void *ctx, void **items, size_t *n, struct np_err *err);
int np_lb_rc_set(void *ctx, const void *want, struct np_err *err);
int np_lb_rc_replace(void *ctx, const void *cur, const void *want,
		     struct np_err *err);
int np_lb_rc_del(void *ctx, const void *cur, struct np_err *err);
void np_lb_rc_log(void *ctx, const char *what, const void *item);
uint64_t np_lb_rc_generation(void *ctx);
/* ops->begin: route_localnet on cni0; always 0 (a failure is logged). */
int np_lb_rc_begin(void *ctx, struct np_rc_pass *pass);

int np_lb_rc_common_init(struct np_lb_rc_common *c, const char *name,
			 uint8_t owner, const struct np_lb_rc_deps *d);
void np_lb_rc_common_clear(struct np_lb_rc_common *c);

void np_strset_free(struct np_strset *s);
/* Adds a copy of str (unsorted; np_strset_finish sorts). 0 or -ENOMEM. */
int np_strset_add(struct np_strset *s, const char *str);
void np_strset_finish(struct np_strset *s);
bool np_strset_has(const struct np_strset *s, const char *str);

/*
 * The port conflicts of rep whose loser is of kind loser: each one not
 * reported by the previous plan gets a Warning Event; c->reported becomes
 * this plan's set. Unserved Services (servicelb) likewise. -ENOMEM
 * (nothing lost: the set is kept).
 */
int np_lb_rc_report(struct np_lb_rc_common *c, const struct np_slb_report *rep,
		    enum np_kind loser);

#endif /* _NP_SERVICELB_RC_COMMON_H */
