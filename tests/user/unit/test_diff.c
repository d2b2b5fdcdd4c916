// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one sorted diff (daemon/reconcile/diff.c) against a brute-force
 * reference on random lists: the same steps, every deletion first, each
 * phase in key order, and applying the steps to cur gives want. Plus the
 * held deletions (del_ok), a plan out of order refused, and a key the
 * kernel holds twice.
 */
#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "reconcile/diff.h"

struct el {
	unsigned int key;
	unsigned int val;
	unsigned int pad;	/* not compared */
};

static int el_cmp(const void *a, const void *b)
{
	const struct el *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

static bool el_same(const void *want, const void *cur)
{
	return ((const struct el *)want)->val == ((const struct el *)cur)->val;
}

static const struct np_diff_spec spec = {
	.size = sizeof(struct el), .cmp_key = el_cmp, .same = el_same,
};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static unsigned int rnd(unsigned int n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned int)(rng % n);
}

/* A sorted list of distinct keys out of 0..space-1, values 0..2. */
static size_t gen(struct el *v, unsigned int space, unsigned int pct)
{
	size_t n = 0;
	unsigned int k;

	for (k = 0; k < space; k++) {
		if (rnd(100) >= pct)
			continue;
		v[n].key = k;
		v[n].val = rnd(3);
		v[n].pad = rnd(1000);
		n++;
	}
	return n;
}

/* The reference: per key, what must happen (0 nothing, 'D', 'A', 'R'). */
static void reference(const struct el *w, size_t nw, const struct el *c,
		      size_t nc, char *what, unsigned int space)
{
	size_t i, j;

	memset(what, 0, space);
	for (j = 0; j < nc; j++) {
		for (i = 0; i < nw && w[i].key != c[j].key; i++)
			;
		if (i == nw)
			what[c[j].key] = 'D';
		else if (w[i].val != c[j].val)
			what[c[j].key] = 'R';
	}
	for (i = 0; i < nw; i++) {
		for (j = 0; j < nc && c[j].key != w[i].key; j++)
			;
		if (j == nc)
			what[w[i].key] = 'A';
	}
}

#define SPACE 64

TEST(diff_matches_brute_force_on_random_lists)
{
	struct el w[SPACE], c[SPACE], res[SPACE];
	char want_what[SPACE], got_what[SPACE];
	int round;

	for (round = 0; round < 5000; round++) {
		size_t nw = gen(w, SPACE, rnd(101));
		size_t nc = gen(c, SPACE, rnd(101));
		struct np_diff_step *st;
		size_t n, i, nres = 0;
		bool seen_other = false;
		size_t last_cur = 0, last_want = 0;
		bool have_cur = false, have_want = false;

		reference(w, nw, c, nc, want_what, SPACE);
		CHECK_INT(np_diff(&spec, w, nw, c, nc, true, &st, &n), 0);
		CHECK(n ? st != NULL : st == NULL);
		memset(got_what, 0, sizeof(got_what));
		for (i = 0; i < n; i++) {
			unsigned int key;

			switch (st[i].op) {
			case NP_DIFF_DEL:
				/* every deletion before any other step */
				CHECK(!seen_other);
				CHECK(st[i].cur_i < nc);
				CHECK(!have_cur || st[i].cur_i > last_cur);
				last_cur = st[i].cur_i;
				have_cur = true;
				key = c[st[i].cur_i].key;
				CHECK_INT(got_what[key], 0);
				got_what[key] = 'D';
				break;
			case NP_DIFF_ADD:
			case NP_DIFF_REPLACE:
				seen_other = true;
				CHECK(st[i].want_i < nw);
				CHECK(!have_want || st[i].want_i > last_want);
				last_want = st[i].want_i;
				have_want = true;
				key = w[st[i].want_i].key;
				CHECK_INT(got_what[key], 0);
				if (st[i].op == NP_DIFF_REPLACE) {
					CHECK(st[i].cur_i < nc);
					CHECK_INT(c[st[i].cur_i].key, key);
					got_what[key] = 'R';
				} else {
					got_what[key] = 'A';
				}
				break;
			default:
				CHECK_FAIL("step %zu: op %d", i, st[i].op);
			}
		}
		CHECK(!memcmp(want_what, got_what, SPACE));
		/* applied to cur, the steps give want */
		for (i = 0; i < nc; i++)
			if (got_what[c[i].key] != 'D')
				res[nres++] = c[i];
		for (i = 0; i < n; i++) {
			size_t k;

			if (st[i].op == NP_DIFF_DEL)
				continue;
			for (k = 0; k < nres && res[k].key != w[st[i].want_i].key; k++)
				;
			res[k] = w[st[i].want_i];
			if (k == nres)
				nres++;
		}
		qsort(res, nres, sizeof(res[0]), el_cmp);
		CHECK_INT(nres, nw);
		for (i = 0; i < nw; i++) {
			CHECK_INT(res[i].key, w[i].key);
			CHECK_INT(res[i].val, w[i].val);
		}
		free(st);
	}
}

static bool odd_key(const void *cur, void *ctx)
{
	(*(int *)ctx)++;
	return ((const struct el *)cur)->key % 2;
}

TEST(diff_held_deletions_only_what_del_ok_allows)
{
	struct el w[] = { { 2, 0, 0 } };
	struct el c[] = { { 1, 0, 0 }, { 2, 1, 0 }, { 3, 0, 0 }, { 4, 0, 0 } };
	struct np_diff_spec s = spec;
	struct np_diff_step *st;
	int calls = 0;
	size_t n;

	s.del_ok = odd_key;
	s.ctx = &calls;
	CHECK_INT(np_diff(&s, w, 1, c, 4, false, &st, &n), 0);
	CHECK_INT(calls, 3);		/* asked for keys 1, 3, 4 only */
	CHECK_INT(n, 3);
	CHECK_INT(st[0].op, NP_DIFF_DEL);
	CHECK_INT(st[0].cur_i, 0);
	CHECK_INT(st[1].op, NP_DIFF_DEL);
	CHECK_INT(st[1].cur_i, 2);
	CHECK_INT(st[2].op, NP_DIFF_REPLACE);
	CHECK_INT(st[2].want_i, 0);
	CHECK_INT(st[2].cur_i, 1);
	free(st);
	/* no del_ok: nothing only in cur goes */
	CHECK_INT(np_diff(&spec, w, 1, c, 4, false, &st, &n), 0);
	CHECK_INT(n, 1);
	CHECK_INT(st[0].op, NP_DIFF_REPLACE);
	free(st);
}

TEST(diff_refuses_a_plan_out_of_order_or_with_a_key_twice)
{
	struct el down[] = { { 2, 0, 0 }, { 1, 0, 0 } };
	struct el twice[] = { { 1, 0, 0 }, { 1, 1, 0 } };
	struct np_diff_step *st = (void *)1;
	size_t n = 7;

	CHECK_INT(np_diff(&spec, down, 2, NULL, 0, true, &st, &n), -EINVAL);
	CHECK(!st);
	CHECK_INT(n, 0);
	CHECK_INT(np_diff(&spec, twice, 2, NULL, 0, true, &st, &n), -EINVAL);
	CHECK_INT(np_diff_check_sorted(&spec, twice, 2, false), 0);
	CHECK_INT(np_diff_check_sorted(&spec, down, 2, false), -EINVAL);
}

TEST(diff_a_key_the_kernel_holds_twice_is_deleted_once_more)
{
	struct el w[] = { { 1, 0, 0 }, { 5, 0, 0 } };
	struct el c[] = { { 1, 0, 0 }, { 1, 2, 0 }, { 3, 0, 0 } };
	struct np_diff_step *st;
	size_t n;

	CHECK_INT(np_diff(&spec, w, 2, c, 3, true, &st, &n), 0);
	CHECK_INT(n, 3);
	CHECK_INT(st[0].op, NP_DIFF_DEL);
	CHECK_INT(st[0].cur_i, 1);
	CHECK_INT(st[1].op, NP_DIFF_DEL);
	CHECK_INT(st[1].cur_i, 2);
	CHECK_INT(st[2].op, NP_DIFF_ADD);
	CHECK_INT(st[2].want_i, 1);
	free(st);
}

int main(void)
{
	RUN(diff_matches_brute_force_on_random_lists);
	RUN(diff_held_deletions_only_what_del_ok_allows);
	RUN(diff_refuses_a_plan_out_of_order_or_with_a_key_twice);
	RUN(diff_a_key_the_kernel_holds_twice_is_deleted_once_more);
	return check_summary();
}
