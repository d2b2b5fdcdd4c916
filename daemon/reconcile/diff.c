// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sorted diff (diff.h): two merges over the sorted lists, the first
 * emitting the deletions, the second the additions and replacements, so
 * the result is ordered DEL first without a sort. O(nw + nc) compares.
 */
#include <errno.h>
#include <stdlib.h>

#include "reconcile/diff.h"

#define AT(base, i, sz) ((const char *)(base) + (i) * (sz))

int np_diff_check_sorted(const struct np_diff_spec *s, const void *l,
			 size_t n, bool strict)
{
	size_t i;

	for (i = 1; i < n; i++) {
		int r = s->cmp_key(AT(l, i - 1, s->size), AT(l, i, s->size));

		if (r > 0 || (strict && r == 0))
			return -EINVAL;
	}
	return 0;
}

int np_diff(const struct np_diff_spec *s, const void *want, size_t nw,
	    const void *cur, size_t nc, bool may_delete,
	    struct np_diff_step **steps, size_t *n)
{
	struct np_diff_step *o;
	size_t i = 0, j = 0, k = 0;
	size_t sz = s->size;

	*steps = NULL;
	*n = 0;
	/* want is a plan: out of order is a bug, refused (fail closed);
	 * cur is the caller's sorted copy of the kernel (not checked) */
	if (np_diff_check_sorted(s, want, nw, true))
		return -EINVAL;
	o = calloc(nw + nc + 1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	/* deletions first */
	while (j < nc) {
		int r = i < nw ? s->cmp_key(AT(want, i, sz), AT(cur, j, sz)) : 1;

		if (r < 0) {
			i++;
		} else if (r == 0) {
			i++;
			j++;
		} else {
			if (may_delete ||
			    (s->del_ok && s->del_ok(AT(cur, j, sz), s->ctx)))
				o[k++] = (struct np_diff_step){ NP_DIFF_DEL, 0, j };
			j++;
		}
	}
	i = j = 0;
	while (i < nw) {
		int r = j < nc ? s->cmp_key(AT(want, i, sz), AT(cur, j, sz)) : -1;

		if (r < 0) {
			o[k++] = (struct np_diff_step){ NP_DIFF_ADD, i, 0 };
			i++;
		} else if (r == 0) {
			if (!s->same(AT(want, i, sz), AT(cur, j, sz)))
				o[k++] = (struct np_diff_step){
					NP_DIFF_REPLACE, i, j };
			i++;
			j++;
		} else {
			j++;
		}
	}
	if (!k) {
		free(o);
		return 0;
	}
	*steps = o;
	*n = k;
	return 0;
}
