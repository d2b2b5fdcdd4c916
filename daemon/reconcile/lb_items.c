// SPDX-License-Identifier: GPL-2.0-only
/*
 * LB frontends as runner items (lb_items.h): thin adapters over the value
 * helpers of nl/lb_obj.c, and the owner filter of a dump.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "reconcile/lb_items.h"

int np_rc_lb_cmp(const void *a, const void *b)
{
	return np_lb_frontend_cmp_key(a, b);
}

bool np_rc_lb_same(const void *want, const void *cur)
{
	return np_lb_frontend_same(want, cur);
}

const char *np_rc_lb_key(const void *item, char *buf, size_t len)
{
	return np_lb_key_str(item, buf, len);
}

int np_rc_lb_copy(void *dst, const void *src)
{
	memset(dst, 0, sizeof(struct np_lb_frontend));
	return np_lb_frontend_copy(dst, src);
}

void np_rc_lb_clear(void *item)
{
	np_lb_frontend_clear(item);
}

int np_rc_lb_take_owner(struct np_lb_list *l, uint8_t owner, void **items,
			size_t *n, struct np_err *err)
{
	struct np_lb_frontend *v;
	size_t i, k = 0;

	*items = NULL;
	*n = 0;
	v = calloc(l->n + 1, sizeof(*v));
	if (!v) {
		np_lb_list_free(l);
		return np_err_set(err, ENOMEM, "out of memory");
	}
	for (i = 0; i < l->n; i++) {
		if (l->v[i].owner == owner) {
			v[k++] = l->v[i];	/* moved: arrays and all */
			memset(&l->v[i], 0, sizeof(l->v[i]));
		}
	}
	np_lb_list_free(l);
	*items = v;
	*n = k;
	return 0;
}
