// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "nodeplane_lpm": the RCU longest-prefix-match table of
 * kmod/lpm.c, run against a naive reference (an array of prefixes scanned
 * linearly for the longest match) under a seeded PRNG. After every change
 * the table and the reference must agree on the entry count; lookups,
 * exact finds and walks are compared throughout, and the trie's own shape
 * is checked (every node under its parent's prefix on the right side, host
 * bits clear, no value-less node with fewer than two children, one valued
 * node per entry). kmod/lpm.c is compiled into this file so the node layout
 * is reachable for that check.
 *
 * Values are encoded pointers (never dereferenced), so nothing of ours
 * needs a grace period; the trie's own nodes go through kfree_rcu(), and
 * every case ends by destroying the table and waiting for RCU.
 */
#include "../../kmod/lpm.c"

#include <kunit/test.h>
#include <linux/rcupdate.h>

/* ---- PRNG: xorshift64*, fixed seeds, independent of the kernel's ---- */

struct rng {
	u64 s;
};

static void rng_seed(struct rng *r, u64 seed)
{
	r->s = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

static u64 rng_next(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

/* uniform in [0, n) (n small: the modulo bias does not matter here) */
static u32 rng_below(struct rng *r, u32 n)
{
	return (u32)(rng_next(r) >> 32) % n;
}

static void rng_bytes(struct rng *r, u8 *buf, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		buf[i] = rng_next(r) >> 56;
}

/* ---- the reference: independent of lpm.c's helpers ---- */

#define REF_CAP 2048

struct ref_ent {
	u8 addr[16];		/* host bits cleared */
	u8 plen;
	void *value;
	bool seen;		/* for walks */
};

struct ref {
	struct ref_ent *e;
	int n;
};

static unsigned int fam_bytes(enum np_lpm_family fam)
{
	return fam == NP_LPM_V4 ? 4 : 16;
}

/* Clear every bit of @a from @plen on (the whole 16-byte buffer). */
static void ref_mask(u8 *out, const u8 *a, unsigned int plen)
{
	unsigned int i;

	for (i = 0; i < 16; i++) {
		if (plen >= (i + 1) * 8)
			out[i] = a[i];
		else if (plen <= i * 8)
			out[i] = 0;
		else
			out[i] = a[i] & (u8)(0xff << (8 - (plen - i * 8)));
	}
}

/* Does @a (a full address) fall under the prefix (@p, @plen)? */
static bool ref_covers(const u8 *p, unsigned int plen, const u8 *a)
{
	u8 m[16];

	ref_mask(m, a, plen);
	return !memcmp(m, p, 16);
}

static int ref_find(const struct ref *r, const u8 *masked, u8 plen)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (r->e[i].plen == plen && !memcmp(r->e[i].addr, masked, 16))
			return i;
	return -1;
}

static void *ref_lookup(const struct ref *r, const u8 *addr)
{
	void *best = NULL;
	int i, bestlen = -1;

	for (i = 0; i < r->n; i++)
		if (r->e[i].plen > bestlen &&
		    ref_covers(r->e[i].addr, r->e[i].plen, addr)) {
			best = r->e[i].value;
			bestlen = r->e[i].plen;
		}
	return best;
}

static void ref_del(struct ref *r, int i)
{
	r->e[i] = r->e[--r->n];
}

/* ---- per-case context: table, its writer lock, a reference per family ---- */

struct lpm_ctx {
	struct np_lpm t;
	struct mutex lock;
	struct ref ref[__NP_LPM_FAMILIES];
	unsigned long serial;	/* source of distinct values */
	unsigned int lookups, hits;	/* how many lookups found something */
};

static int lpm_test_init(struct kunit *test)
{
	struct lpm_ctx *c;
	int fam;

	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	mutex_init(&c->lock);
	np_lpm_init(&c->t, &c->lock, NULL, 0);
	for (fam = 0; fam < __NP_LPM_FAMILIES; fam++) {
		c->ref[fam].e = kunit_kcalloc(test, REF_CAP,
					      sizeof(struct ref_ent), GFP_KERNEL);
		if (!c->ref[fam].e)
			return -ENOMEM;
	}
	test->priv = c;
	return 0;
}

/* Runs after the case, even when an assertion ended it early. */
static void lpm_test_exit(struct kunit *test)
{
	struct lpm_ctx *c = test->priv;

	if (!c)
		return;
	mutex_lock(&c->lock);
	np_lpm_destroy(&c->t);
	mutex_unlock(&c->lock);
	/* the unlinked nodes were queued with kfree_rcu() */
	synchronize_rcu();
	rcu_barrier();
	mutex_destroy(&c->lock);
}

/* A distinct, non-NULL, never-dereferenced value. */
static void *new_value(struct lpm_ctx *c)
{
	return (void *)(0x1000UL + (++c->serial << 4));
}

/* Writer-side wrappers: the lock is held only across the call. */
static int t_insert(struct lpm_ctx *c, enum np_lpm_family fam, const u8 *a,
		    u8 plen, void *v, void **old)
{
	int err;

	mutex_lock(&c->lock);
	err = np_lpm_insert(&c->t, fam, a, plen, v, old);
	mutex_unlock(&c->lock);
	return err;
}

static void *t_remove(struct lpm_ctx *c, enum np_lpm_family fam, const u8 *a,
		      u8 plen)
{
	void *v;

	mutex_lock(&c->lock);
	v = np_lpm_remove(&c->t, fam, a, plen);
	mutex_unlock(&c->lock);
	return v;
}

static void *t_find(struct lpm_ctx *c, enum np_lpm_family fam, const u8 *a,
		    u8 plen)
{
	void *v;

	mutex_lock(&c->lock);
	v = np_lpm_find_exact(&c->t, fam, a, plen);
	mutex_unlock(&c->lock);
	return v;
}

static unsigned int t_count(struct lpm_ctx *c, enum np_lpm_family fam)
{
	unsigned int n;

	mutex_lock(&c->lock);
	n = c->t.count[fam];
	mutex_unlock(&c->lock);
	return n;
}

/* Reader side: under rcu_read_lock(), as the data path calls it. */
static void *t_lookup(struct lpm_ctx *c, enum np_lpm_family fam, const u8 *a)
{
	void *v;

	rcu_read_lock();
	v = np_lpm_lookup(&c->t, fam, a);
	rcu_read_unlock();
	return v;
}

/* ---- walk against the reference ---- */

struct walk_state {
	struct kunit *test;
	struct ref *ref;
	enum np_lpm_family fam;
	int visits, bad, stop_after;
	u8 last[16];
	int last_plen;
};

/* Is (a, alen) before (b, blen) in prefix order (address, then length)? */
static bool prefix_before(const u8 *a, int alen, const u8 *b, int blen)
{
	int cmp = memcmp(a, b, 16);

	return cmp < 0 || (cmp == 0 && alen < blen);
}

static int walk_check_fn(const u8 *addr, u8 plen, void *value, void *arg)
{
	struct walk_state *w = arg;
	u8 a[16] = {}, m[16];
	int i;

	w->visits++;
	memcpy(a, addr, fam_bytes(w->fam));
	ref_mask(m, a, plen);
	if (memcmp(m, a, 16)) {
		w->bad++;
		KUNIT_FAIL(w->test, "walk: %*phN/%u has host bits set",
			   fam_bytes(w->fam), addr, plen);
	}
	i = ref_find(w->ref, a, plen);
	if (i < 0) {
		w->bad++;
		KUNIT_FAIL(w->test, "walk: %*phN/%u not in the reference",
			   fam_bytes(w->fam), addr, plen);
	} else if (w->ref->e[i].seen) {
		w->bad++;
		KUNIT_FAIL(w->test, "walk: %*phN/%u visited twice",
			   fam_bytes(w->fam), addr, plen);
	} else {
		w->ref->e[i].seen = true;
		if (w->ref->e[i].value != value) {
			w->bad++;
			KUNIT_FAIL(w->test, "walk: %*phN/%u value %px, want %px",
				   fam_bytes(w->fam), addr, plen, value,
				   w->ref->e[i].value);
		}
	}
	if (w->last_plen >= 0 && !prefix_before(w->last, w->last_plen, a, plen)) {
		w->bad++;
		KUNIT_FAIL(w->test, "walk: %*phN/%u after %*phN/%u: not in prefix order",
			   fam_bytes(w->fam), addr, plen, fam_bytes(w->fam),
			   w->last, w->last_plen);
	}
	memcpy(w->last, a, 16);
	w->last_plen = plen;
	return w->stop_after && w->visits == w->stop_after ? 0x5a : 0;
}

/* The walk visits exactly the reference set, once each, in prefix order. */
static void check_walk(struct kunit *test, struct lpm_ctx *c,
		       enum np_lpm_family fam)
{
	struct walk_state w = { .test = test, .ref = &c->ref[fam], .fam = fam,
				.last_plen = -1 };
	int i, ret, missing = 0;

	for (i = 0; i < c->ref[fam].n; i++)
		c->ref[fam].e[i].seen = false;
	mutex_lock(&c->lock);
	ret = np_lpm_walk(&c->t, fam, walk_check_fn, &w);
	mutex_unlock(&c->lock);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, w.visits, c->ref[fam].n);
	for (i = 0; i < c->ref[fam].n; i++)
		if (!c->ref[fam].e[i].seen && missing++ < 5)
			KUNIT_FAIL(test, "walk: %*phN/%u (in the reference) not visited",
				   fam_bytes(fam), c->ref[fam].e[i].addr,
				   c->ref[fam].e[i].plen);
}

/* ---- the trie's shape ---- */

struct shape {
	unsigned int nodes, valued, bad;
};

struct shape_item {
	const struct np_lpm_node *n, *parent;
	int side;
};

/*
 * Checks one node against its parent. Iterative (the trie can be 129
 * levels deep; the UML kernel stack is too small for a recursion with
 * KUnit's assertion frames in it).
 */
static void check_node(struct kunit *test, struct lpm_ctx *c,
		       enum np_lpm_family fam, const struct np_lpm_node *parent,
		       int side, const struct np_lpm_node *n, struct shape *s)
{
	const struct np_lpm_node *c0, *c1;
	unsigned int bits = np_lpm_bits(fam);
	u8 m[16];

	s->nodes++;
	c0 = lpm_deref(&c->t, n->child[0]);
	c1 = lpm_deref(&c->t, n->child[1]);
	if (lpm_deref(&c->t, n->value))
		s->valued++;
	else if (!c0 || !c1) {
		s->bad++;
		KUNIT_FAIL(test, "shape: value-less node %*phN/%u with %d child(ren)",
			   fam_bytes(fam), n->key, n->plen, !!c0 + !!c1);
	}
	ref_mask(m, n->key, n->plen);
	if (n->plen > bits || memcmp(m, n->key, 16)) {
		s->bad++;
		KUNIT_FAIL(test, "shape: key %*phN/%u not masked or too long",
			   16, n->key, n->plen);
	}
	if (parent && (n->plen <= parent->plen ||
		       !ref_covers(parent->key, parent->plen, n->key) ||
		       bit_at(n->key, parent->plen) != side)) {
		s->bad++;
		KUNIT_FAIL(test, "shape: %*phN/%u misplaced under %*phN/%u side %d",
			   fam_bytes(fam), n->key, n->plen, fam_bytes(fam),
			   parent->key, parent->plen, side);
	}
}

/* Returns the number of nodes, after checking the shape and the count. */
static unsigned int check_shape(struct kunit *test, struct lpm_ctx *c,
				enum np_lpm_family fam)
{
	struct shape s = {};
	struct shape_item *stack, it;
	const struct np_lpm_node *n, *ch;
	int depth = 0, side;

	/* pending right children: at most one per level, plus two */
	stack = kmalloc_array(132, sizeof(*stack), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, stack);
	mutex_lock(&c->lock);
	n = lpm_deref(&c->t, c->t.root[fam]);
	if (n)
		stack[depth++] = (struct shape_item){ n, NULL, 0 };
	while (depth && s.bad <= 5) {
		it = stack[--depth];
		check_node(test, c, fam, it.parent, it.side, it.n, &s);
		for (side = 1; side >= 0; side--) {
			ch = lpm_deref(&c->t, it.n->child[side]);
			if (!ch)
				continue;
			if (depth >= 132) {
				s.bad++;
				KUNIT_FAIL(test, "shape: deeper than 129 levels");
				break;
			}
			stack[depth++] = (struct shape_item){ ch, it.n, side };
		}
	}
	KUNIT_EXPECT_EQ(test, s.valued, c->t.count[fam]);
	mutex_unlock(&c->lock);
	kfree(stack);
	if (s.bad)
		return s.nodes;
	KUNIT_EXPECT_EQ(test, s.valued, (unsigned int)c->ref[fam].n);
	/* with no single-child joins, a binary trie has < 2 nodes per entry */
	if (s.valued)
		KUNIT_EXPECT_LT(test, s.nodes, 2 * s.valued);
	else
		KUNIT_EXPECT_EQ(test, s.nodes, 0U);
	return s.nodes;
}

/* Is there a node (an entry or a join) at exactly this masked prefix? */
static bool has_node(struct lpm_ctx *c, enum np_lpm_family fam,
		     const u8 *key, u8 plen)
{
	struct np_lpm_node __rcu **parent;
	bool found;

	mutex_lock(&c->lock);
	found = find_slot(&c->t, fam, key, plen, &parent);
	mutex_unlock(&c->lock);
	return found;
}

/* ---- generators ---- */

enum gen_mode {
	GEN_RANDOM,	/* uniform addresses and lengths */
	GEN_CLUSTER,	/* 10.42.x.0/24 and 2001:db8:42:x::/64 with covers */
	GEN_MIXED,
};

static const char * const mode_names[] = { "random", "cluster", "mixed" };

/* A prefix of a cluster: long shared prefixes, many joins and covers. */
static u8 gen_cluster(struct rng *r, enum np_lpm_family fam, u8 *a)
{
	u32 k = rng_below(r, 100);

	memset(a, 0, 16);
	if (fam == NP_LPM_V4) {
		a[0] = 10;
		a[1] = 42;
		a[2] = rng_below(r, 64);	/* x */
		if (k < 2 && rng_below(r, 4) == 0)
			return 0;			/* 0.0.0.0/0 */
		if (k < 5) {
			a[1] = 0;
			a[2] = 0;
			return 8;			/* 10.0.0.0/8 */
		}
		if (k < 10)
			return 16;			/* 10.42.0.0/16 */
		if (k < 50)
			return 24;			/* 10.42.x.0/24 */
		if (k < 60) {
			a[3] = rng_next(r);
			return 32;			/* host */
		}
		if (k < 75)
			return 16 + rng_below(r, 8);	/* 10.42.x.0/16..23 */
		a[3] = rng_next(r);
		return 25 + rng_below(r, 8);	/* 10.42.x.y/25..32 */
	}
	a[0] = 0x20;
	a[1] = 0x01;
	a[2] = 0x0d;
	a[3] = 0xb8;
	a[5] = 0x42;
	a[6] = rng_below(r, 4);		/* x: 0x0000..0x03ff */
	a[7] = rng_below(r, 256);
	if (k < 2 && rng_below(r, 4) == 0)
		return 0;				/* ::/0 */
	if (k < 5) {
		a[5] = a[6] = a[7] = 0;
		return 32;				/* 2001:db8::/32 */
	}
	if (k < 10) {
		a[6] = a[7] = 0;
		return 48;				/* 2001:db8:42::/48 */
	}
	if (k < 20) {
		a[7] = 0;
		return 56;				/* 2001:db8:42:x00::/56 */
	}
	if (k < 55)
		return 64;				/* 2001:db8:42:x::/64 */
	if (k < 65) {
		rng_bytes(r, a + 8, 8);
		return 128;				/* host */
	}
	if (k < 75)
		return 48 + rng_below(r, 16);		/* /48../63 */
	rng_bytes(r, a + 8, 8);
	return 65 + rng_below(r, 64);			/* /65../128 */
}

/* An address and prefix length, host bits left as generated (random). */
static u8 gen_prefix(struct rng *r, enum np_lpm_family fam,
		     enum gen_mode mode, u8 *a)
{
	unsigned int bits = np_lpm_bits(fam);

	if (mode == GEN_CLUSTER || (mode == GEN_MIXED && rng_below(r, 2))) {
		u8 plen = gen_cluster(r, fam, a);

		/* sometimes, junk in the host bits: must be ignored */
		if (rng_below(r, 4) == 0 && plen < bits) {
			u8 junk[16];
			unsigned int i;

			rng_bytes(r, junk, 16);
			for (i = plen; i < bits; i++)
				if (bit_at(junk, i))
					a[i / 8] |= 0x80 >> (i % 8);
		}
		return plen;
	}
	memset(a, 0, 16);
	rng_bytes(r, a, fam_bytes(fam));
	switch (rng_below(r, 8)) {
	case 0:
		/* /0 rarely: once in, it answers every lookup that misses */
		return rng_below(r, 8) ? rng_below(r, bits + 1) : 0;
	case 1:
		return bits;
	default:
		return rng_below(r, bits + 1);
	}
}

/*
 * An address to look up: under a known prefix (host bits random, or the
 * bit just past the prefix flipped), just outside one (a bit inside the
 * prefix flipped), in a cluster, or anywhere.
 */
static void gen_addr(struct rng *r, enum np_lpm_family fam, enum gen_mode mode,
		     const struct ref *ref, u8 *a)
{
	unsigned int i;
	u32 k = rng_below(r, 8);

	memset(a, 0, 16);
	if (ref->n && k < 5) {
		const struct ref_ent *e = &ref->e[rng_below(r, ref->n)];

		rng_bytes(r, a, fam_bytes(fam));
		for (i = 0; i < e->plen; i++)
			if (bit_at(e->addr, i) != bit_at(a, i))
				a[i / 8] ^= 0x80 >> (i % 8);
		if (k == 3 && e->plen) {
			i = rng_below(r, e->plen);
			a[i / 8] ^= 0x80 >> (i % 8);
		} else if (k == 4 && e->plen) {
			i = e->plen - 1;
			a[i / 8] ^= 0x80 >> (i % 8);
		}
		return;
	}
	if (k < 7 && mode != GEN_RANDOM) {
		gen_cluster(r, fam, a);
		rng_bytes(r, a + (fam == NP_LPM_V4 ? 3 : 8),
			  fam == NP_LPM_V4 ? 1 : 8);
		return;
	}
	rng_bytes(r, a, fam_bytes(fam));
}

/* ---- one randomized run ---- */

struct rand_case {
	enum np_lpm_family fam;
	enum gen_mode mode;
	u64 seed;
	int ops;
};

#define OPS 3000

static const struct rand_case rand_cases[] = {
	{ NP_LPM_V4, GEN_RANDOM, 1, OPS },
	{ NP_LPM_V4, GEN_RANDOM, 0x5eed0001, OPS },
	{ NP_LPM_V4, GEN_CLUSTER, 2, OPS },
	{ NP_LPM_V4, GEN_CLUSTER, 0xdecafbad, OPS },
	{ NP_LPM_V4, GEN_CLUSTER, 77, OPS },
	{ NP_LPM_V4, GEN_MIXED, 3, OPS },
	{ NP_LPM_V4, GEN_MIXED, 0xfeedface12345678ULL, OPS },
	{ NP_LPM_V6, GEN_RANDOM, 1, OPS },
	{ NP_LPM_V6, GEN_RANDOM, 0x5eed0001, OPS },
	{ NP_LPM_V6, GEN_CLUSTER, 2, OPS },
	{ NP_LPM_V6, GEN_CLUSTER, 0xdecafbad, OPS },
	{ NP_LPM_V6, GEN_CLUSTER, 77, OPS },
	{ NP_LPM_V6, GEN_MIXED, 3, OPS },
	{ NP_LPM_V6, GEN_MIXED, 0xfeedface12345678ULL, OPS },
};

static void rand_case_desc(const struct rand_case *rc, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s %s seed %#llx",
		 rc->fam == NP_LPM_V4 ? "v4" : "v6", mode_names[rc->mode],
		 rc->seed);
}

KUNIT_ARRAY_PARAM(rand, rand_cases, rand_case_desc);

/* Stop a randomized run at the first disagreement: the rest is noise. */
#define RUN_EXPECT(test, cond, fmt, ...) do {				\
	if (!(cond)) {							\
		KUNIT_FAIL(test, "op %d: " fmt, op, ##__VA_ARGS__);	\
		return;							\
	}								\
} while (0)

static void check_lookups(struct kunit *test, struct lpm_ctx *c,
			  struct rng *r, const struct rand_case *rc, int op,
			  int n)
{
	enum np_lpm_family fam = rc->fam;
	unsigned int nb = fam_bytes(fam);
	u8 a[16];
	void *got, *want;

	while (n--) {
		gen_addr(r, fam, rc->mode, &c->ref[fam], a);
		got = t_lookup(c, fam, a);
		want = ref_lookup(&c->ref[fam], a);
		c->lookups++;
		c->hits += !!want;
		RUN_EXPECT(test, got == want, "lookup %*phN: %px, want %px",
			   nb, a, got, want);
	}
}

static void lpm_random(struct kunit *test)
{
	const struct rand_case *rc = test->param_value;
	struct lpm_ctx *c = test->priv;
	enum np_lpm_family fam = rc->fam, other = !rc->fam;
	unsigned int nb = fam_bytes(fam), bits = np_lpm_bits(fam);
	struct ref *ref = &c->ref[fam];
	struct rng r;
	u8 a[16], m[16], plen;
	void *v, *old, *got;
	int op, i, err, removes = 0, absent = 0, replaces = 0, joins = 0;
	unsigned int nodes;

	rng_seed(&r, rc->seed);
	/* one entry in the other family: must stay untouched throughout */
	memset(a, 0, 16);
	KUNIT_ASSERT_EQ(test, t_insert(c, other, a, 0, (void *)0x7770, &old), 0);

	for (op = 0; op < rc->ops; op++) {
		u32 k = rng_below(&r, 100);

		/* keep the table between a few and a few hundred entries */
		if (ref->n > 400)
			k = 60 + k % 40;

		if (k < 45) {
			/* insert (new or replace), sometimes an existing one */
			if (k < 12 && ref->n) {
				const struct ref_ent *e = &ref->e[rng_below(&r, ref->n)];

				memcpy(a, e->addr, 16);
				plen = e->plen;
				/* with junk host bits: the same prefix */
				for (i = plen; i < bits && rng_below(&r, 2); i++)
					a[i / 8] |= 0x80 >> (i % 8);
			} else {
				plen = gen_prefix(&r, fam, rc->mode, a);
			}
			ref_mask(m, a, plen);
			i = ref_find(ref, m, plen);
			v = new_value(c);
			old = (void *)0xbad;
			err = t_insert(c, fam, a, plen, v, &old);
			RUN_EXPECT(test, err == 0, "insert %*phN/%u: %d", nb, a,
				   plen, err);
			if (i >= 0) {
				RUN_EXPECT(test, old == ref->e[i].value,
					   "replace %*phN/%u: old %px, want %px",
					   nb, a, plen, old, ref->e[i].value);
				ref->e[i].value = v;
				replaces++;
			} else {
				RUN_EXPECT(test, !old,
					   "insert %*phN/%u: old %px, want NULL",
					   nb, a, plen, old);
				KUNIT_ASSERT_LT(test, ref->n, REF_CAP);
				memcpy(ref->e[ref->n].addr, m, 16);
				ref->e[ref->n].plen = plen;
				ref->e[ref->n].value = v;
				ref->n++;
			}
		} else if (k < 70) {
			/* remove: an entry, or a prefix most likely absent */
			bool present = k < 58 && ref->n;

			if (present) {
				const struct ref_ent *e = &ref->e[rng_below(&r, ref->n)];

				memcpy(a, e->addr, 16);
				plen = e->plen;
				for (i = plen; i < bits && rng_below(&r, 2); i++)
					a[i / 8] |= 0x80 >> (i % 8);
			} else {
				plen = gen_prefix(&r, fam, rc->mode, a);
			}
			ref_mask(m, a, plen);
			i = ref_find(ref, m, plen);
			nodes = i < 0 ? check_shape(test, c, fam) : 0;
			if (i < 0 && has_node(c, fam, m, plen))
				joins++;	/* a join node's prefix */
			got = t_remove(c, fam, a, plen);
			if (i >= 0) {
				RUN_EXPECT(test, got == ref->e[i].value,
					   "remove %*phN/%u: %px, want %px", nb, a,
					   plen, got, ref->e[i].value);
				ref_del(ref, i);
				removes++;
			} else {
				RUN_EXPECT(test, !got,
					   "remove absent %*phN/%u: %px", nb, a,
					   plen, got);
				/* and nothing changed, not even a join node */
				RUN_EXPECT(test, check_shape(test, c, fam) == nodes,
					   "remove absent %*phN/%u changed the trie",
					   nb, a, plen);
				absent++;
			}
		} else if (k < 80) {
			/* exact find, present or not */
			if (k < 75 && ref->n) {
				const struct ref_ent *e = &ref->e[rng_below(&r, ref->n)];

				memcpy(a, e->addr, 16);
				plen = e->plen;
			} else {
				plen = gen_prefix(&r, fam, rc->mode, a);
			}
			ref_mask(m, a, plen);
			i = ref_find(ref, m, plen);
			got = t_find(c, fam, a, plen);
			RUN_EXPECT(test, got == (i >= 0 ? ref->e[i].value : NULL),
				   "find_exact %*phN/%u: %px, want %px", nb, a,
				   plen, got, i >= 0 ? ref->e[i].value : NULL);
		}
		/* every op: the count, then a few lookups */
		RUN_EXPECT(test, t_count(c, fam) == ref->n, "count %u, want %d",
			   t_count(c, fam), ref->n);
		check_lookups(test, c, &r, rc, op, 4);
		if (test->status == KUNIT_FAILURE)
			return;
		if (op % 128 == 127) {
			check_walk(test, c, fam);
			check_shape(test, c, fam);
			if (test->status == KUNIT_FAILURE)
				return;
		}
	}
	check_walk(test, c, fam);
	check_shape(test, c, fam);
	kunit_info(test, "%d ops: %d left, %d replaced, %d removed, %d absent removed (%d joins), %u/%u lookups hit",
		   rc->ops, ref->n, replaces, removes, absent, joins, c->hits,
		   c->lookups);
	/* the run exercised what it is meant to */
	KUNIT_EXPECT_GT(test, replaces, 0);
	KUNIT_EXPECT_GT(test, absent, 0);
	KUNIT_EXPECT_GT(test, c->hits, c->lookups / 4);
	if (rc->mode != GEN_RANDOM)
		KUNIT_EXPECT_GT(test, joins, 0);

	/* remove everything, in random order, checking as we go */
	op = rc->ops;
	while (ref->n) {
		i = rng_below(&r, ref->n);
		memcpy(a, ref->e[i].addr, 16);
		got = t_remove(c, fam, a, ref->e[i].plen);
		RUN_EXPECT(test, got == ref->e[i].value,
			   "drain %*phN/%u: %px, want %px", nb, a,
			   ref->e[i].plen, got, ref->e[i].value);
		ref_del(ref, i);
		RUN_EXPECT(test, t_count(c, fam) == ref->n, "count %u, want %d",
			   t_count(c, fam), ref->n);
		check_lookups(test, c, &r, rc, op, 2);
		if (ref->n % 32 == 0)
			check_shape(test, c, fam);
		if (test->status == KUNIT_FAILURE)
			return;
	}
	/* empty: no node left at all, nothing found, nothing walked */
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(c->t.root[fam]));
	KUNIT_EXPECT_EQ(test, t_count(c, fam), 0U);
	check_walk(test, c, fam);
	for (i = 0; i < 64; i++) {
		rng_bytes(&r, a, 16);
		KUNIT_EXPECT_NULL(test, t_lookup(c, fam, a));
	}
	/* the other family kept its /0 */
	KUNIT_EXPECT_EQ(test, t_count(c, other), 1U);
	KUNIT_EXPECT_PTR_EQ(test, t_lookup(c, other, a), (void *)0x7770);
}

/* ---- deterministic cases ---- */

static const u8 v4_10_42_1_0[16] = { 10, 42, 1, 0 };
static const u8 v6_db8[16] = { 0x20, 0x01, 0x0d, 0xb8 };

/* plen past the family's width: -EINVAL, nothing inserted, *old untouched */
static void lpm_insert_plen_too_long(struct kunit *test)
{
	struct lpm_ctx *c = test->priv;
	void *old = (void *)0x1234;

	KUNIT_EXPECT_EQ(test, t_insert(c, NP_LPM_V4, v4_10_42_1_0, 33,
				       (void *)0x10, &old), -EINVAL);
	KUNIT_EXPECT_EQ(test, t_insert(c, NP_LPM_V4, v4_10_42_1_0, 255,
				       (void *)0x10, &old), -EINVAL);
	KUNIT_EXPECT_EQ(test, t_insert(c, NP_LPM_V6, v6_db8, 129,
				       (void *)0x10, &old), -EINVAL);
	KUNIT_EXPECT_EQ(test, t_insert(c, NP_LPM_V6, v6_db8, 255,
				       (void *)0x10, &old), -EINVAL);
	/* NULL is "no value" in this table: not insertable */
	KUNIT_EXPECT_EQ(test, t_insert(c, NP_LPM_V4, v4_10_42_1_0, 24, NULL,
				       &old), -EINVAL);
	KUNIT_EXPECT_PTR_EQ(test, old, (void *)0x1234);
	KUNIT_EXPECT_EQ(test, t_count(c, NP_LPM_V4), 0U);
	KUNIT_EXPECT_EQ(test, t_count(c, NP_LPM_V6), 0U);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(c->t.root[NP_LPM_V4]));
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(c->t.root[NP_LPM_V6]));
	/* and the writer-side queries refuse them too */
	KUNIT_EXPECT_NULL(test, t_find(c, NP_LPM_V4, v4_10_42_1_0, 33));
	KUNIT_EXPECT_NULL(test, t_remove(c, NP_LPM_V6, v6_db8, 129));
	/* the widest legal lengths are accepted */
	KUNIT_EXPECT_EQ(test, t_insert(c, NP_LPM_V4, v4_10_42_1_0, 32,
				       (void *)0x10, &old), 0);
	KUNIT_EXPECT_EQ(test, t_insert(c, NP_LPM_V6, v6_db8, 128,
				       (void *)0x20, &old), 0);
	KUNIT_EXPECT_PTR_EQ(test, t_lookup(c, NP_LPM_V4, v4_10_42_1_0),
			    (void *)0x10);
	KUNIT_EXPECT_PTR_EQ(test, t_lookup(c, NP_LPM_V6, v6_db8), (void *)0x20);
}

/* Host bits of an inserted address are ignored: stored and matched masked. */
static void lpm_host_bits_masked(struct kunit *test)
{
	struct lpm_ctx *c = test->priv;
	static const u8 a4[4] = { 10, 42, 7, 99 };	/* as 10.42.0.0/16 */
	static const u8 in4[4] = { 10, 42, 200, 1 };
	static const u8 out4[4] = { 10, 43, 7, 99 };
	static const u8 a6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x42, 0, 5,
				   0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4 };
	static const u8 in6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x42, 0, 5 };
	static const u8 out6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x42, 0, 4,
				     0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4 };
	static const u8 a4odd[4] = { 192, 168, 0xff, 0xff };	/* /17 */
	static const u8 a4net[4] = { 192, 168, 0x80, 0 };
	void *old;

	KUNIT_ASSERT_EQ(test, t_insert(c, NP_LPM_V4, a4, 16, (void *)0x40, &old), 0);
	KUNIT_ASSERT_EQ(test, t_insert(c, NP_LPM_V6, a6, 64, (void *)0x60, &old), 0);
	KUNIT_ASSERT_EQ(test, t_insert(c, NP_LPM_V4, a4odd, 17, (void *)0x41, &old), 0);

	/* lookups anywhere in the prefix, not only at the inserted host */
	KUNIT_EXPECT_PTR_EQ(test, t_lookup(c, NP_LPM_V4, in4), (void *)0x40);
	KUNIT_EXPECT_PTR_EQ(test, t_lookup(c, NP_LPM_V4, a4), (void *)0x40);
	KUNIT_EXPECT_NULL(test, t_lookup(c, NP_LPM_V4, out4));
	KUNIT_EXPECT_PTR_EQ(test, t_lookup(c, NP_LPM_V6, in6), (void *)0x60);
	KUNIT_EXPECT_NULL(test, t_lookup(c, NP_LPM_V6, out6));
	KUNIT_EXPECT_PTR_EQ(test, t_lookup(c, NP_LPM_V4, a4net), (void *)0x41);
	KUNIT_EXPECT_NULL(test, t_lookup(c, NP_LPM_V4,
					 (const u8[4]){ 192, 168, 0x7f, 0xff }));

	/* exact find by the network address or by any host in it */
	KUNIT_EXPECT_PTR_EQ(test, t_find(c, NP_LPM_V4, (const u8[4]){ 10, 42 }, 16),
			    (void *)0x40);
	KUNIT_EXPECT_PTR_EQ(test, t_find(c, NP_LPM_V4, in4, 16), (void *)0x40);
	KUNIT_EXPECT_PTR_EQ(test, t_find(c, NP_LPM_V6, in6, 64), (void *)0x60);
	KUNIT_EXPECT_PTR_EQ(test, t_find(c, NP_LPM_V4, a4net, 17), (void *)0x41);

	/* the same prefix with other host bits replaces */
	KUNIT_EXPECT_EQ(test, t_insert(c, NP_LPM_V4, in4, 16, (void *)0x50, &old), 0);
	KUNIT_EXPECT_PTR_EQ(test, old, (void *)0x40);
	KUNIT_EXPECT_EQ(test, t_count(c, NP_LPM_V4), 2U);

	/* the walk reports the network address */
	c->ref[NP_LPM_V4].n = 2;
	memset(c->ref[NP_LPM_V4].e, 0, 2 * sizeof(struct ref_ent));
	c->ref[NP_LPM_V4].e[0].addr[0] = 10;
	c->ref[NP_LPM_V4].e[0].addr[1] = 42;
	c->ref[NP_LPM_V4].e[0].plen = 16;
	c->ref[NP_LPM_V4].e[0].value = (void *)0x50;
	memcpy(c->ref[NP_LPM_V4].e[1].addr, a4net, 4);
	c->ref[NP_LPM_V4].e[1].plen = 17;
	c->ref[NP_LPM_V4].e[1].value = (void *)0x41;
	check_walk(test, c, NP_LPM_V4);

	/* and remove by yet another host in it */
	KUNIT_EXPECT_PTR_EQ(test, t_remove(c, NP_LPM_V4, out4 /* 10.43 */, 16), NULL);
	KUNIT_EXPECT_PTR_EQ(test, t_remove(c, NP_LPM_V4,
					   (const u8[4]){ 10, 42, 255, 255 }, 16),
			    (void *)0x50);
	KUNIT_EXPECT_PTR_EQ(test, t_remove(c, NP_LPM_V6, out6, 64), NULL);
	KUNIT_EXPECT_PTR_EQ(test, t_remove(c, NP_LPM_V6, a6, 64), (void *)0x60);
	KUNIT_EXPECT_NULL(test, t_lookup(c, NP_LPM_V4, in4));
	KUNIT_EXPECT_EQ(test, t_count(c, NP_LPM_V4), 1U);
	KUNIT_EXPECT_EQ(test, t_count(c, NP_LPM_V6), 0U);
}

/*
 * /0 and host routes at both ends of each family, nested covers: the
 * longest wins, and removing the longer falls back to the next one.
 */
static void lpm_default_and_host_routes(struct kunit *test)
{
	struct lpm_ctx *c = test->priv;
	static const u8 zero[16];
	static const u8 ones[16] = { [0 ... 15] = 0xff };
	static const u8 h4[4] = { 10, 42, 1, 7 };
	u8 a[16];
	void *old;
	int fam, plen;

	for (fam = 0; fam < __NP_LPM_FAMILIES; fam++) {
		unsigned int bits = np_lpm_bits(fam);

		KUNIT_EXPECT_NULL(test, t_lookup(c, fam, zero));
		KUNIT_ASSERT_EQ(test, t_insert(c, fam, ones, 0, (void *)0x100, &old), 0);
		/* /0 catches everything, whatever the host bits inserted */
		KUNIT_EXPECT_PTR_EQ(test, t_lookup(c, fam, zero), (void *)0x100);
		KUNIT_EXPECT_PTR_EQ(test, t_lookup(c, fam, ones), (void *)0x100);
		KUNIT_EXPECT_PTR_EQ(test, t_find(c, fam, zero, 0), (void *)0x100);
		/* host routes at all-zeros and all-ones */
		KUNIT_ASSERT_EQ(test, t_insert(c, fam, zero, bits, (void *)0x200, &old), 0);
		KUNIT_ASSERT_EQ(test, t_insert(c, fam, ones, bits, (void *)0x300, &old), 0);
		KUNIT_EXPECT_PTR_EQ(test, t_lookup(c, fam, zero), (void *)0x200);
		KUNIT_EXPECT_PTR_EQ(test, t_lookup(c, fam, ones), (void *)0x300);
		memset(a, 0, 16);
		a[fam_bytes(fam) - 1] = 1;
		KUNIT_EXPECT_PTR_EQ(test, t_lookup(c, fam, a), (void *)0x100);
		memset(a, 0xff, 16);
		a[fam_bytes(fam) - 1] = 0xfe;
		KUNIT_EXPECT_PTR_EQ(test, t_lookup(c, fam, a), (void *)0x100);
		KUNIT_EXPECT_EQ(test, t_count(c, fam), 3U);

		/* a chain of covers over all-ones: /1 .. /bits-1 */
		for (plen = 1; plen < bits; plen++)
			KUNIT_ASSERT_EQ(test, t_insert(c, fam, ones, plen,
						       (void *)(0x1000UL + plen * 16),
						       &old), 0);
		KUNIT_EXPECT_EQ(test, t_count(c, fam), bits + 2);
		/* the address that leaves all-ones at bit i matches /i */
		for (plen = 0; plen < bits; plen++) {
			memset(a, 0xff, 16);
			a[plen / 8] ^= 0x80 >> (plen % 8);
			KUNIT_EXPECT_PTR_EQ_MSG(test, t_lookup(c, fam, a),
						plen ? (void *)(0x1000UL + plen * 16)
						     : (void *)0x100,
						"first zero at bit %d", plen);
		}
		/* remove the chain from the longest: falls back step by step */
		KUNIT_EXPECT_PTR_EQ(test, t_remove(c, fam, ones, bits), (void *)0x300);
		for (plen = bits - 1; plen >= 1; plen--) {
			KUNIT_EXPECT_PTR_EQ(test, t_lookup(c, fam, ones),
					    (void *)(0x1000UL + plen * 16));
			KUNIT_EXPECT_PTR_EQ(test, t_remove(c, fam, ones, plen),
					    (void *)(0x1000UL + plen * 16));
		}
		KUNIT_EXPECT_PTR_EQ(test, t_lookup(c, fam, ones), (void *)0x100);
		KUNIT_EXPECT_PTR_EQ(test, t_remove(c, fam, zero, 0), (void *)0x100);
		KUNIT_EXPECT_NULL(test, t_lookup(c, fam, ones));
		KUNIT_EXPECT_PTR_EQ(test, t_lookup(c, fam, zero), (void *)0x200);
		KUNIT_EXPECT_PTR_EQ(test, t_remove(c, fam, zero, bits), (void *)0x200);
		KUNIT_EXPECT_EQ(test, t_count(c, fam), 0U);
		KUNIT_EXPECT_NULL(test, rcu_access_pointer(c->t.root[fam]));
	}
	/* a v4 host route is not seen from v6 and the reverse */
	KUNIT_ASSERT_EQ(test, t_insert(c, NP_LPM_V4, h4, 32, (void *)0x400, &old), 0);
	memset(a, 0, 16);
	memcpy(a, h4, 4);
	KUNIT_EXPECT_NULL(test, t_lookup(c, NP_LPM_V6, a));
	KUNIT_EXPECT_PTR_EQ(test, t_lookup(c, NP_LPM_V4, a), (void *)0x400);
}

/*
 * Join nodes: two siblings part under a value-less node. That node is not
 * an entry (find_exact and remove of its prefix give NULL and change
 * nothing); inserting its prefix turns it into one; removing a sibling
 * collapses it away.
 */
static void lpm_join_nodes(struct kunit *test)
{
	struct lpm_ctx *c = test->priv;
	static const u8 x1[4] = { 10, 42, 1, 0 }, x2[4] = { 10, 42, 2, 0 };
	static const u8 j[4] = { 10, 42, 0, 0 };	/* they part at /22 */
	struct np_lpm_node *root;
	void *old;

	KUNIT_ASSERT_EQ(test, t_insert(c, NP_LPM_V4, x1, 24, (void *)0x10, &old), 0);
	KUNIT_ASSERT_EQ(test, t_insert(c, NP_LPM_V4, x2, 24, (void *)0x20, &old), 0);
	root = rcu_access_pointer(c->t.root[NP_LPM_V4]);
	KUNIT_ASSERT_NOT_NULL(test, root);
	KUNIT_EXPECT_EQ(test, root->plen, 22);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(root->value));

	KUNIT_EXPECT_NULL(test, t_find(c, NP_LPM_V4, j, 22));
	KUNIT_EXPECT_NULL(test, t_remove(c, NP_LPM_V4, j, 22));
	KUNIT_EXPECT_EQ(test, t_count(c, NP_LPM_V4), 2U);
	KUNIT_EXPECT_PTR_EQ(test, rcu_access_pointer(c->t.root[NP_LPM_V4]), root);
	KUNIT_EXPECT_NULL(test, t_lookup(c, NP_LPM_V4, (const u8[4]){ 10, 42, 0, 1 }));
	KUNIT_EXPECT_PTR_EQ(test, t_lookup(c, NP_LPM_V4, (const u8[4]){ 10, 42, 1, 1 }),
			    (void *)0x10);
	KUNIT_EXPECT_PTR_EQ(test, t_lookup(c, NP_LPM_V4, (const u8[4]){ 10, 42, 2, 1 }),
			    (void *)0x20);

	/* the join's prefix becomes an entry, in place */
	old = (void *)0xbad;
	KUNIT_ASSERT_EQ(test, t_insert(c, NP_LPM_V4, j, 22, (void *)0x30, &old), 0);
	KUNIT_EXPECT_NULL(test, old);
	KUNIT_EXPECT_EQ(test, t_count(c, NP_LPM_V4), 3U);
	KUNIT_EXPECT_PTR_EQ(test, rcu_access_pointer(c->t.root[NP_LPM_V4]), root);
	KUNIT_EXPECT_PTR_EQ(test, t_lookup(c, NP_LPM_V4, (const u8[4]){ 10, 42, 0, 1 }),
			    (void *)0x30);
	KUNIT_EXPECT_PTR_EQ(test, t_remove(c, NP_LPM_V4, j, 22), (void *)0x30);
	/* back to a join: still there, two children */
	KUNIT_EXPECT_PTR_EQ(test, rcu_access_pointer(c->t.root[NP_LPM_V4]), root);
	KUNIT_EXPECT_NULL(test, t_lookup(c, NP_LPM_V4, (const u8[4]){ 10, 42, 0, 1 }));

	/* removing one sibling collapses the join: the other is the root */
	KUNIT_EXPECT_PTR_EQ(test, t_remove(c, NP_LPM_V4, x1, 24), (void *)0x10);
	root = rcu_access_pointer(c->t.root[NP_LPM_V4]);
	KUNIT_ASSERT_NOT_NULL(test, root);
	KUNIT_EXPECT_EQ(test, root->plen, 24);
	KUNIT_EXPECT_PTR_EQ(test, rcu_access_pointer(root->value), (void *)0x20);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(root->child[0]));
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(root->child[1]));
	KUNIT_EXPECT_PTR_EQ(test, t_remove(c, NP_LPM_V4, x2, 24), (void *)0x20);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(c->t.root[NP_LPM_V4]));
}

/* swap() evaluates its arguments twice: pick the index first */
#define shuffle_swap(arr, i, j) do {					\
	u32 __j = (j);							\
									\
	swap((arr)[i], (arr)[__j]);					\
} while (0)

/*
 * Clustered: every 10.42.x.0/24 and 2001:db8:42:x::/64 (x < 256) with the
 * /16, /48 and /56 covers, inserted in a shuffled order and removed in
 * another; the reference and shape are checked along the way.
 */
static void lpm_cluster_fill_drain(struct kunit *test)
{
	struct lpm_ctx *c = test->priv;
	static const struct rand_case rc4 = { NP_LPM_V4, GEN_CLUSTER, 9, 0 };
	static const struct rand_case rc6 = { NP_LPM_V6, GEN_CLUSTER, 9, 0 };
	static const u8 net4[16] = { 10, 42 };
	static const u8 net6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x42 };
	struct { u8 a[16]; u8 plen; } *p;
	int fam, n, i;
	struct rng r;
	void *old;

	p = kunit_kcalloc(test, 300, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	rng_seed(&r, 0xc1a55);
	for (fam = 0; fam < __NP_LPM_FAMILIES; fam++) {
		struct ref *ref = &c->ref[fam];
		const struct rand_case *rc = fam == NP_LPM_V4 ? &rc4 : &rc6;

		n = 0;
		for (i = 0; i < 256; i++, n++) {
			memcpy(p[n].a, fam == NP_LPM_V4 ? net4 : net6, 16);
			if (fam == NP_LPM_V4) {
				p[n].a[2] = i;		/* 10.42.i.0/24 */
				p[n].plen = 24;
			} else {
				p[n].a[6] = i >> 6;	/* 2001:db8:42:xx::/64 */
				p[n].a[7] = i;
				p[n].plen = 64;
			}
		}
		for (i = 0; i < 4; i++, n++) {
			memcpy(p[n].a, fam == NP_LPM_V4 ? net4 : net6, 16);
			if (fam == NP_LPM_V4) {
				p[n].plen = 16 + i * 2;	/* /16 /18 /20 /22 */
			} else {
				p[n].a[6] = i;		/* four /56 */
				p[n].plen = 56;
			}
		}
		/* 10.0.0.0/8, 2001:db8:42::/48 */
		memcpy(p[n].a, fam == NP_LPM_V4 ? net4 : net6, 16);
		if (fam == NP_LPM_V4)
			p[n].a[1] = 0;
		p[n++].plen = fam == NP_LPM_V4 ? 8 : 48;

		/* shuffle, insert */
		for (i = n - 1; i > 0; i--)
			shuffle_swap(p, i, rng_below(&r, i + 1));
		for (i = 0; i < n; i++) {
			void *v = new_value(c);

			KUNIT_ASSERT_EQ(test, t_insert(c, fam, p[i].a, p[i].plen,
						       v, &old), 0);
			KUNIT_ASSERT_NULL_MSG(test, old, "insert #%d %*phN/%u", i,
					      fam_bytes(fam), p[i].a, p[i].plen);
			ref_mask(ref->e[ref->n].addr, p[i].a, p[i].plen);
			ref->e[ref->n].plen = p[i].plen;
			ref->e[ref->n].value = v;
			ref->n++;
			check_lookups(test, c, &r, rc, i, 8);
		}
		KUNIT_EXPECT_EQ(test, t_count(c, fam), (unsigned int)n);
		check_walk(test, c, fam);
		check_shape(test, c, fam);
		/* every /24 (/64) is found at its .0 and its .255 */
		for (i = 0; i < 256; i++) {
			u8 a[16];

			memcpy(a, fam == NP_LPM_V4 ? net4 : net6, 16);
			if (fam == NP_LPM_V4) {
				a[2] = i;
				a[3] = 255;
			} else {
				a[6] = i >> 6;
				a[7] = i;
				memset(a + 8, 0xff, 8);
			}
			KUNIT_EXPECT_PTR_EQ(test, t_lookup(c, fam, a),
					    ref_lookup(ref, a));
		}

		/* drain in another order */
		for (i = n - 1; i > 0; i--)
			shuffle_swap(p, i, rng_below(&r, i + 1));
		for (i = 0; i < n; i++) {
			u8 m[16];
			int k;

			ref_mask(m, p[i].a, p[i].plen);
			k = ref_find(ref, m, p[i].plen);
			KUNIT_ASSERT_GE(test, k, 0);
			KUNIT_EXPECT_PTR_EQ(test, t_remove(c, fam, p[i].a, p[i].plen),
					    ref->e[k].value);
			ref_del(ref, k);
			check_lookups(test, c, &r, rc, i, 8);
			if (i % 16 == 0)
				check_shape(test, c, fam);
			if (test->status == KUNIT_FAILURE)
				return;
		}
		KUNIT_EXPECT_EQ(test, t_count(c, fam), 0U);
		KUNIT_EXPECT_NULL(test, rcu_access_pointer(c->t.root[fam]));
		check_walk(test, c, fam);
	}
}

/* The walk stops at fn's first non-zero return and hands it back. */
static void lpm_walk_stops(struct kunit *test)
{
	struct lpm_ctx *c = test->priv;
	struct walk_state w = { .test = test, .ref = &c->ref[NP_LPM_V6],
				.fam = NP_LPM_V6, .last_plen = -1 };
	struct ref *ref = &c->ref[NP_LPM_V6];
	int i, ret;
	void *old;

	for (i = 0; i < 10; i++) {
		u8 a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x42, 0, i };

		KUNIT_ASSERT_EQ(test, t_insert(c, NP_LPM_V6, a, 64,
					       (void *)(0x100UL + i * 16), &old), 0);
		memcpy(ref->e[ref->n].addr, a, 16);
		ref->e[ref->n].plen = 64;
		ref->e[ref->n].value = (void *)(0x100UL + i * 16);
		ref->n++;
	}
	w.stop_after = 4;
	mutex_lock(&c->lock);
	ret = np_lpm_walk(&c->t, NP_LPM_V6, walk_check_fn, &w);
	mutex_unlock(&c->lock);
	KUNIT_EXPECT_EQ(test, ret, 0x5a);
	KUNIT_EXPECT_EQ(test, w.visits, 4);
	/* an empty family: fn is never called */
	w.visits = 0;
	w.stop_after = 1;
	mutex_lock(&c->lock);
	ret = np_lpm_walk(&c->t, NP_LPM_V4, walk_check_fn, &w);
	mutex_unlock(&c->lock);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, w.visits, 0);
}

/*
 * The deepest trie there is: a v6 chain /0 .. /128 with a sibling at every
 * level (so no level collapses into a cover). The walk's stack and the
 * lookups go the whole depth; then destroy empties both families.
 */
static void lpm_deep_and_destroy(struct kunit *test)
{
	struct lpm_ctx *c = test->priv;
	struct ref *ref = &c->ref[NP_LPM_V6];
	static const u8 zero[16];
	u8 a[16];
	void *old;
	int plen;

	for (plen = 0; plen <= 128; plen++) {
		void *v = new_value(c);

		/* the chain: all-zeros/plen */
		KUNIT_ASSERT_EQ(test, t_insert(c, NP_LPM_V6, zero, plen, v, &old), 0);
		memset(&ref->e[ref->n], 0, sizeof(ref->e[0]));
		ref->e[ref->n].plen = plen;
		ref->e[ref->n].value = v;
		ref->n++;
		if (plen == 0)
			continue;
		/* its sibling: bit plen-1 set, a host route */
		memset(a, 0, 16);
		a[(plen - 1) / 8] = 0x80 >> ((plen - 1) % 8);
		v = new_value(c);
		KUNIT_ASSERT_EQ(test, t_insert(c, NP_LPM_V6, a, 128, v, &old), 0);
		memcpy(ref->e[ref->n].addr, a, 16);
		ref->e[ref->n].plen = 128;
		ref->e[ref->n].value = v;
		ref->n++;
	}
	KUNIT_EXPECT_EQ(test, t_count(c, NP_LPM_V6), 129U + 128U);
	check_walk(test, c, NP_LPM_V6);
	check_shape(test, c, NP_LPM_V6);
	for (plen = 0; plen < 128; plen++) {
		memset(a, 0, 16);
		a[15] = 1;
		a[plen / 8] |= 0x80 >> (plen % 8);
		KUNIT_EXPECT_PTR_EQ(test, t_lookup(c, NP_LPM_V6, a), ref_lookup(ref, a));
	}
	KUNIT_EXPECT_PTR_EQ(test, t_lookup(c, NP_LPM_V6, zero), ref_lookup(ref, zero));

	/* destroy: both families empty, nothing found, nothing walked */
	KUNIT_ASSERT_EQ(test, t_insert(c, NP_LPM_V4, zero, 0, (void *)0x10, &old), 0);
	mutex_lock(&c->lock);
	np_lpm_destroy(&c->t);
	mutex_unlock(&c->lock);
	ref->n = 0;
	KUNIT_EXPECT_EQ(test, t_count(c, NP_LPM_V4), 0U);
	KUNIT_EXPECT_EQ(test, t_count(c, NP_LPM_V6), 0U);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(c->t.root[NP_LPM_V4]));
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(c->t.root[NP_LPM_V6]));
	KUNIT_EXPECT_NULL(test, t_lookup(c, NP_LPM_V6, zero));
	KUNIT_EXPECT_NULL(test, t_lookup(c, NP_LPM_V4, zero));
	check_walk(test, c, NP_LPM_V6);
	/* and the table is usable again */
	KUNIT_EXPECT_EQ(test, t_insert(c, NP_LPM_V6, zero, 8, (void *)0x20, &old), 0);
	KUNIT_EXPECT_NULL(test, old);
	KUNIT_EXPECT_PTR_EQ(test, t_lookup(c, NP_LPM_V6, zero), (void *)0x20);
}


/*
 * A budget shared by two tables: entries, not nodes, count; a replacement
 * needs no room; -ENOSPC changes nothing; a removal or a destroy gives the
 * room back.
 */
static void lpm_budget_shared(struct kunit *test)
{
	struct lpm_ctx *c = test->priv;
	struct np_lpm t2;
	unsigned int used = 0;
	u8 a[16] = { 10, 0, 0, 0 }, b[16] = { 10, 1, 0, 0 },
	   d[16] = { 10, 2, 0, 0 }, e[16] = { 10, 3, 0, 0 };
	void *old;

	mutex_lock(&c->lock);
	np_lpm_init(&c->t, &c->lock, &used, 3);
	np_lpm_init(&t2, &c->lock, &used, 3);
	KUNIT_EXPECT_EQ(test, np_lpm_insert(&c->t, NP_LPM_V4, a, 16, (void *)1, &old), 0);
	/* 10.1/16 next to 10.0/16: a join node, still one entry */
	KUNIT_EXPECT_EQ(test, np_lpm_insert(&c->t, NP_LPM_V4, b, 16, (void *)2, &old), 0);
	KUNIT_EXPECT_EQ(test, np_lpm_insert(&t2, NP_LPM_V6, a, 8, (void *)3, &old), 0);
	KUNIT_EXPECT_EQ(test, used, 3U);
	KUNIT_EXPECT_EQ(test, np_lpm_insert(&c->t, NP_LPM_V4, d, 16, (void *)4, &old), -ENOSPC);
	KUNIT_EXPECT_EQ(test, np_lpm_insert(&t2, NP_LPM_V4, d, 16, (void *)4, &old), -ENOSPC);
	/* the value-less join node 10.0/15 is not an entry: taking it needs room */
	KUNIT_EXPECT_EQ(test, np_lpm_insert(&c->t, NP_LPM_V4, a, 15, (void *)4, &old), -ENOSPC);
	KUNIT_EXPECT_EQ(test, np_lpm_insert(&c->t, NP_LPM_V4, a, 16, (void *)5, &old), 0);
	KUNIT_EXPECT_PTR_EQ(test, old, (void *)1);
	KUNIT_EXPECT_EQ(test, used, 3U);
	KUNIT_EXPECT_PTR_EQ(test, np_lpm_find_exact(&c->t, NP_LPM_V4, d, 16), NULL);
	KUNIT_EXPECT_PTR_EQ(test, np_lpm_remove(&c->t, NP_LPM_V4, b, 16), (void *)2);
	KUNIT_EXPECT_EQ(test, used, 2U);
	KUNIT_EXPECT_EQ(test, np_lpm_insert(&t2, NP_LPM_V4, e, 16, (void *)6, &old), 0);
	KUNIT_EXPECT_EQ(test, used, 3U);
	np_lpm_destroy(&t2);
	KUNIT_EXPECT_EQ(test, used, 1U);
	KUNIT_EXPECT_EQ(test, np_lpm_insert(&c->t, NP_LPM_V4, d, 16, (void *)7, &old), 0);
	KUNIT_EXPECT_EQ(test, used, 2U);
	np_lpm_destroy(&c->t);
	KUNIT_EXPECT_EQ(test, used, 0U);
	/* lpm_test_exit() destroys c->t again: not against this frame's budget */
	np_lpm_init(&c->t, &c->lock, NULL, 0);
	mutex_unlock(&c->lock);
}

static struct kunit_case lpm_cases[] = {
	KUNIT_CASE(lpm_insert_plen_too_long),
	KUNIT_CASE(lpm_host_bits_masked),
	KUNIT_CASE(lpm_default_and_host_routes),
	KUNIT_CASE(lpm_join_nodes),
	KUNIT_CASE(lpm_walk_stops),
	KUNIT_CASE(lpm_deep_and_destroy),
	KUNIT_CASE(lpm_cluster_fill_drain),
	KUNIT_CASE(lpm_budget_shared),
	KUNIT_CASE_PARAM(lpm_random, rand_gen_params),
	{}
};

static struct kunit_suite lpm_suite = {
	.name = "nodeplane_lpm",
	.init = lpm_test_init,
	.exit = lpm_test_exit,
	.test_cases = lpm_cases,
};

kunit_test_suite(lpm_suite);
