/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A runner table of LB frontends (struct np_lb_frontend, nl/nl.h), for the
 * servicelb and hostport reconcilers: the item callbacks (key order,
 * equality of canonical frontends, deep copy, clear, key text) and the
 * owner filter a dump needs, so each reconciler diffs only its own
 * frontends (NP_LB_OWNER_*) and never deletes the other's.
 *
 *   static const struct np_rc_table frontends = {
 *       .name = "frontend", NP_RC_LB_ITEMS,
 *       .plan = plan, .dump = dump, .create = set, .replace = replace,
 *       .remove = del,
 *   };
 *   static int dump(void *ctx, void **items, size_t *n, struct np_err *err)
 *   {
 *       struct np_lb_list l = { 0 };
 *       int r = np_nl_lb_dump(nl_of(ctx), &l, err);
 *
 *       return r ? r : np_rc_lb_take_owner(&l, NP_LB_OWNER_SERVICELB,
 *                                          items, n, err);
 *   }
 */
#ifndef _NP_RECONCILE_LB_ITEMS_H
#define _NP_RECONCILE_LB_ITEMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/nodeplane.h>

#include "nl/nl.h"

int np_rc_lb_cmp(const void *a, const void *b);
bool np_rc_lb_same(const void *want, const void *cur);
const char *np_rc_lb_key(const void *item, char *buf, size_t len);
int np_rc_lb_copy(void *dst, const void *src);
void np_rc_lb_clear(void *item);

/*
 * A dump becomes the runner's: the frontends of owner move to *items (n),
 * the others are freed, and so is l. 0, or -ENOMEM (err filled; l freed,
 * nothing returned).
 */
int np_rc_lb_take_owner(struct np_lb_list *l, uint8_t owner, void **items,
			size_t *n, struct np_err *err);

#define NP_RC_LB_ITEMS							\
	.size = sizeof(struct np_lb_frontend), .cmp_key = np_rc_lb_cmp,	\
	.same = np_rc_lb_same, .key_str = np_rc_lb_key,			\
	.copy = np_rc_lb_copy, .clear = np_rc_lb_clear

#endif /* _NP_RECONCILE_LB_ITEMS_H */
