/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one sorted diff every reconciler uses: a desired list ("want") and
 * what the kernel holds ("cur"), both C arrays of elements of one size,
 * sorted by the same key order without duplicate keys, give the steps
 * that turn cur into want:
 *
 *   NP_DIFF_DEL      a key only in cur (cur_i)
 *   NP_DIFF_ADD      a key only in want (want_i)
 *   NP_DIFF_REPLACE  a key in both whose values differ (want_i, cur_i)
 *
 * Every DEL comes first (in key order), then ADD and REPLACE in key order:
 * the kernel refuses an object that collides with one still there (a
 * peer's CIDR), so deletions make room before anything is added.
 *
 * Generic over the element: the caller gives the size, the key order and
 * the value equality. Knows nothing of any reconciler.
 */
#ifndef _NP_RECONCILE_DIFF_H
#define _NP_RECONCILE_DIFF_H

#include <stdbool.h>
#include <stddef.h>

enum np_diff_op { NP_DIFF_DEL, NP_DIFF_ADD, NP_DIFF_REPLACE };

struct np_diff_step {
	enum np_diff_op op;
	size_t want_i;			/* ADD, REPLACE */
	size_t cur_i;			/* DEL, REPLACE */
};

struct np_diff_spec {
	size_t size;			/* of one element */
	/* key order (qsort-style), on two elements */
	int (*cmp_key)(const void *a, const void *b);
	/* same key: are the values equal (nothing to do)? */
	bool (*same)(const void *want, const void *cur);
	/*
	 * Deletions: a key only in cur is deleted when the caller allows
	 * every deletion (may_delete), or else when del_ok (may be NULL)
	 * says this element must go anyway.
	 */
	bool (*del_ok)(const void *cur, void *ctx);
	void *ctx;
};

/*
 * The steps, DEL first. want must be sorted without duplicate keys
 * (checked); cur sorted (not checked: the caller sorts what it dumped),
 * and a key it holds twice (a kernel dump may) is matched once, its other
 * copies deleted. *steps is malloc'd (NULL when *n is 0); the caller
 * frees it. 0, -EINVAL (want out of order, or a key twice in it: no
 * steps), or -ENOMEM.
 */
int np_diff(const struct np_diff_spec *s, const void *want, size_t nw,
	    const void *cur, size_t nc, bool may_delete,
	    struct np_diff_step **steps, size_t *n);

/* 0 when l (n elements) is sorted by s->cmp_key (strict: and no key
 * twice), else -EINVAL. */
int np_diff_check_sorted(const struct np_diff_spec *s, const void *l,
			 size_t n, bool strict);

#endif /* _NP_RECONCILE_DIFF_H */
