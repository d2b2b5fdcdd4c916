// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "nodeplane_lb_core": the pure LB decisions of kmod/lb_core.c
 * (frontend keys, the selection lists and backend index built at commit,
 * the backend choice with ClientIP affinity, the masquerade decision).
 * Tables walk the rules; random frontends under a fixed-seed PRNG are
 * checked against references written from the uapi text.
 */
#include "../../kmod/lb_core.c"

#include <kunit/test.h>
#include <linux/inet.h>
#include <linux/prandom.h>

static void be_set(struct np_lb_be *be, const char *addr, u16 port, u8 flags)
{
	memset(be, 0, sizeof(*be));
	if (strchr(addr, ':'))
		WARN_ON(!in6_pton(addr, -1, be->addr, -1, NULL));
	else
		WARN_ON(!in4_pton(addr, -1, be->addr, -1, NULL));
	be->port = htons(port);
	be->flags = flags;
}

static void addr_set(u8 *a, const char *text)
{
	memset(a, 0, 16);
	if (strchr(text, ':'))
		WARN_ON(!in6_pton(text, -1, a, -1, NULL));
	else
		WARN_ON(!in4_pton(text, -1, a, -1, NULL));
}

/* A frontend on the test's heap (kunit-managed), backends copied in. */
static struct np_lb_fe *fe_make(struct kunit *test, u8 fam, u32 flags,
				const struct np_lb_be *be, u32 n)
{
	struct np_lb_fe *fe = kunit_kzalloc(test, sizeof(*fe), GFP_KERNEL);
	u32 dup;

	KUNIT_ASSERT_NOT_NULL(test, fe);
	fe->fam = fam;
	fe->flags = flags;
	fe->nbe = n;
	fe->be = kunit_kcalloc(test, n ? n : 1, sizeof(*be), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fe->be);
	memcpy(fe->be, be, n * sizeof(*be));
	KUNIT_ASSERT_EQ(test, np_lb_core_finish(fe, &dup), 0);
	return fe;
}

static void fe_unmake(struct np_lb_fe *fe)
{
	np_lb_core_free_index(fe);
}

/* ---- keys ---- */

static void lb_key_test(struct kunit *test)
{
	struct np_lb_fe fe = { .fam = NP_LPM_V4, .proto = IPPROTO_TCP,
			       .port = 80 };
	u8 a[16], b[16];

	addr_set(a, "192.0.2.1");
	addr_set(b, "192.0.2.2");
	KUNIT_EXPECT_TRUE(test, np_lb_core_key_eq(&fe, NP_LPM_V4, IPPROTO_TCP, 80, NULL));
	KUNIT_EXPECT_FALSE(test, np_lb_core_key_eq(&fe, NP_LPM_V4, IPPROTO_TCP, 80, a));
	KUNIT_EXPECT_FALSE(test, np_lb_core_key_eq(&fe, NP_LPM_V6, IPPROTO_TCP, 80, NULL));
	KUNIT_EXPECT_FALSE(test, np_lb_core_key_eq(&fe, NP_LPM_V4, IPPROTO_UDP, 80, NULL));
	KUNIT_EXPECT_FALSE(test, np_lb_core_key_eq(&fe, NP_LPM_V4, IPPROTO_TCP, 81, NULL));
	fe.has_local = true;
	memcpy(fe.local, a, 16);
	KUNIT_EXPECT_TRUE(test, np_lb_core_key_eq(&fe, NP_LPM_V4, IPPROTO_TCP, 80, a));
	KUNIT_EXPECT_FALSE(test, np_lb_core_key_eq(&fe, NP_LPM_V4, IPPROTO_TCP, 80, b));
	KUNIT_EXPECT_FALSE(test, np_lb_core_key_eq(&fe, NP_LPM_V4, IPPROTO_TCP, 80, NULL));
	/* IPv4 keys hash their 4 bytes only */
	memset(b, 0xff, 16);
	memcpy(b, a, 4);
	KUNIT_EXPECT_EQ(test, np_lb_core_key_hash(NP_LPM_V4, 6, 80, a),
			np_lb_core_key_hash(NP_LPM_V4, 6, 80, b));
	KUNIT_EXPECT_NE(test, np_lb_core_key_hash(NP_LPM_V4, 6, 80, a),
			np_lb_core_key_hash(NP_LPM_V4, 6, 80, NULL));
	KUNIT_EXPECT_NE(test, np_lb_core_key_hash(NP_LPM_V4, 6, 80, NULL),
			np_lb_core_key_hash(NP_LPM_V4, 17, 80, NULL));
}

/* ---- selection lists ---- */

struct sel_case {
	const char *name;
	u32 fe_flags;
	u8 flags[4];		/* of backends .1 .. .4 */
	u32 ready_mask;		/* backends chosen first */
	u32 term_mask;		/* the fallback */
};

#define L NP_LBB_F_LOCAL
#define R NP_LBB_F_READY
#define T NP_LBB_F_TERMINATING

static const struct sel_case sel_cases[] = {
	{ "all ready", 0, { R, R, R, R }, 0xf, 0 },
	{ "ready and terminating", 0, { R, T, R, T }, 0x5, 0xa },
	{ "ready wins over terminating on one backend", 0, { R | T, T, 0, 0 }, 0x1, 0x2 },
	{ "neither flag: never", 0, { 0, L, 0, 0 }, 0, 0 },
	{ "terminating only", 0, { T, T | L, 0, 0 }, 0, 0x3 },
	{ "local-only: remote ready left out", NP_LB_F_LOCAL_ONLY, { R, R | L, T | L, R }, 0x2, 0x4 },
	{ "local-only: none local", NP_LB_F_LOCAL_ONLY, { R, R, T, T }, 0, 0 },
	{ "local-only: local terminating only", NP_LB_F_LOCAL_ONLY, { R, T | L, 0, 0 }, 0, 0x2 },
	{ "masq flags do not matter", NP_LB_F_MASQ_REMOTE | NP_LB_F_MASQ_ALL, { R, 0, R | L, T }, 0x5, 0x8 },
};

static void lb_sel_table_test(struct kunit *test)
{
	struct np_lb_be be[4];
	size_t c;
	u32 i;

	for (c = 0; c < ARRAY_SIZE(sel_cases); c++) {
		const struct sel_case *sc = &sel_cases[c];
		struct np_lb_fe *fe;
		u32 ready = 0, term = 0;
		char addr[16];

		for (i = 0; i < 4; i++) {
			snprintf(addr, sizeof(addr), "10.42.0.%u", i + 1);
			be_set(&be[i], addr, 8000, sc->flags[i]);
		}
		fe = fe_make(test, NP_LPM_V4, sc->fe_flags, be, 4);
		for (i = 0; i < fe->nready; i++)
			ready |= 1U << fe->sel[i];
		for (i = 0; i < fe->nterm; i++)
			term |= 1U << fe->sel[fe->nready + i];
		KUNIT_EXPECT_EQ_MSG(test, ready, sc->ready_mask, "%s: ready", sc->name);
		KUNIT_EXPECT_EQ_MSG(test, term, sc->term_mask, "%s: fallback", sc->name);
		KUNIT_EXPECT_EQ_MSG(test, fe->nready, (u32)hweight32(sc->ready_mask), "%s", sc->name);
		KUNIT_EXPECT_EQ_MSG(test, fe->nterm, (u32)hweight32(sc->term_mask), "%s", sc->name);
		for (i = 0; i < 4; i++)
			KUNIT_EXPECT_EQ_MSG(test, np_lb_core_be_usable(fe, i),
					    !!((sc->ready_mask ?: sc->term_mask) & (1U << i)),
					    "%s: usable %u", sc->name, i);
		fe_unmake(fe);
	}
}

/* Duplicates (address and port) are refused; same address, other port not. */
static void lb_duplicate_test(struct kunit *test)
{
	struct np_lb_fe fe = { .fam = NP_LPM_V6 };
	struct np_lb_be be[3];
	u32 dup = 99;

	be_set(&be[0], "fd42::5", 80, R);
	be_set(&be[1], "fd42::5", 81, R);
	be_set(&be[2], "fd42::5", 80, T);
	fe.be = be;
	fe.nbe = 3;
	KUNIT_EXPECT_EQ(test, np_lb_core_finish(&fe, &dup), -EEXIST);
	KUNIT_EXPECT_EQ(test, dup, 2U);
	KUNIT_EXPECT_NULL(test, fe.sel);
	KUNIT_EXPECT_NULL(test, fe.bidx);
	fe.nbe = 2;
	KUNIT_EXPECT_EQ(test, np_lb_core_finish(&fe, &dup), 0);
	KUNIT_EXPECT_EQ(test, fe.nready, 2U);
	np_lb_core_free_index(&fe);
	fe.nbe = 0;
	KUNIT_EXPECT_EQ(test, np_lb_core_finish(&fe, &dup), 0);
	KUNIT_EXPECT_EQ(test, np_lb_core_be_find(&fe, be[0].addr, be[0].port), -1);
	KUNIT_EXPECT_EQ(test, np_lb_core_choose(&fe, be[0].addr, 0, 1), -1);
}

/*
 * Random frontends of up to 3000 backends with addresses from a small pool
 * (so that many share an address or a port): the index finds each backend
 * and nothing else, and the lists are the reference's.
 */
static void lb_random_index_test(struct kunit *test)
{
	struct rnd_state rnd;
	struct np_lb_be *be;
	int round;

	prandom_seed_state(&rnd, 0x6e706c62);
	be = kunit_kcalloc(test, 3000, sizeof(*be), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, be);
	for (round = 0; round < 60; round++) {
		u8 fam = prandom_u32_state(&rnd) & 1;
		u32 n = prandom_u32_state(&rnd) % (round < 30 ? 40 : 3000);
		u32 fe_flags = prandom_u32_state(&rnd) & __NP_LB_F_ALL;
		u32 i, j, nready = 0, nterm = 0, dup;
		struct np_lb_fe fe = { .fam = fam, .flags = fe_flags };
		u8 probe[16];

		/* unique (address, port): address i / 7, port i % 7 */
		for (i = 0; i < n; i++) {
			memset(&be[i], 0, sizeof(be[i]));
			be[i].addr[0] = fam == NP_LPM_V4 ? 10 : 0xfd;
			be[i].addr[np_lb_alen(fam) - 2] = (i / 7) >> 8;
			be[i].addr[np_lb_alen(fam) - 1] = (i / 7) & 0xff;
			be[i].port = htons(8000 + i % 7);
			be[i].flags = prandom_u32_state(&rnd) & __NP_LBB_F_ALL;
		}
		fe.be = be;
		fe.nbe = n;
		KUNIT_ASSERT_EQ(test, np_lb_core_finish(&fe, &dup), 0);
		for (i = 0; i < n; i++) {
			bool scope = !(fe_flags & NP_LB_F_LOCAL_ONLY) ||
				     (be[i].flags & NP_LBB_F_LOCAL);

			KUNIT_EXPECT_EQ(test, np_lb_core_be_find(&fe, be[i].addr, be[i].port), (int)i);
			if (scope && (be[i].flags & NP_LBB_F_READY))
				nready++;
			else if (scope && (be[i].flags & NP_LBB_F_TERMINATING))
				nterm++;
		}
		KUNIT_EXPECT_EQ(test, fe.nready, nready);
		KUNIT_EXPECT_EQ(test, fe.nterm, nterm);
		for (i = 0; i < fe.nready + fe.nterm; i++) {
			j = fe.sel[i];
			KUNIT_ASSERT_LT(test, j, n);
			if (i < fe.nready)
				KUNIT_EXPECT_TRUE(test, be[j].flags & NP_LBB_F_READY);
			else
				KUNIT_EXPECT_FALSE(test, be[j].flags & NP_LBB_F_READY);
		}
		/* absent: a port past the pool, an address past it */
		KUNIT_EXPECT_EQ(test, np_lb_core_be_find(&fe, be[0].addr, htons(8007)), -1);
		memcpy(probe, be[0].addr, 16);
		probe[np_lb_alen(fam) - 3] = 1;
		KUNIT_EXPECT_EQ(test, np_lb_core_be_find(&fe, probe, be[0].port), -1);
		/* every rnd picks from the first non-empty list, each member */
		for (i = 0; i < 64; i++) {
			int k = np_lb_core_choose(&fe, probe, i, 1);

			if (!nready && !nterm) {
				KUNIT_EXPECT_EQ(test, k, -1);
				continue;
			}
			KUNIT_ASSERT_GE(test, k, 0);
			KUNIT_EXPECT_TRUE(test, np_lb_core_be_usable(&fe, k));
			KUNIT_EXPECT_EQ(test, k, (int)fe.sel[nready ? i % nready :
						     nready + i % nterm]);
		}
		np_lb_core_free_index(&fe);
	}
}

/* ---- affinity ---- */

static void lb_affinity_test(struct kunit *test)
{
	struct np_lb_be be[3], be2[3];
	struct np_lb_fe *fe, *fe2;
	unsigned long t0 = 1000000;
	u8 client[16], other[16];
	int first, i;

	be_set(&be[0], "10.42.0.5", 8000, R | L);
	be_set(&be[1], "10.42.0.6", 8000, R | L);
	be_set(&be[2], "10.42.0.7", 8000, R | L);
	addr_set(client, "192.0.2.1");
	addr_set(other, "192.0.2.2");
	fe = fe_make(test, NP_LPM_V4, 0, be, 3);
	fe->affinity = 10;
	fe->aff = kunit_kzalloc(test, sizeof(*fe->aff), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fe->aff);
	seqlock_init(&fe->aff->lock);

	first = np_lb_core_choose(fe, client, 1, t0);
	KUNIT_EXPECT_EQ(test, first, 1);
	/* whatever the random number, within the timeout: the same */
	for (i = 0; i < 30; i++)
		KUNIT_EXPECT_EQ(test, np_lb_core_choose(fe, client, i, t0 + i * HZ / 3), first);
	/* another client gets its own */
	KUNIT_EXPECT_EQ(test, np_lb_core_choose(fe, other, 2, t0), 2);
	/*
	 * The timeout counts from the last use, recorded at most once a
	 * second: here t0 + 9 HZ (the uses at t0 + 28/3 and 29/3 HZ were
	 * within a second of it).
	 */
	KUNIT_EXPECT_EQ(test, np_lb_core_choose(fe, client, 0, t0 + 19 * HZ), first);
	KUNIT_EXPECT_EQ(test, np_lb_core_choose(fe, client, 0, t0 + 60 * HZ), 0);

	/*
	 * A new version sharing the table: the client's backend (now index 0)
	 * moved to another index: still found; then not usable: moved on.
	 */
	be2[0] = be[2];
	be2[1] = be[0];
	be2[2] = be[1];
	fe2 = fe_make(test, NP_LPM_V4, 0, be2, 3);
	fe2->affinity = 10;
	fe2->aff = fe->aff;
	KUNIT_EXPECT_EQ(test, np_lb_core_choose(fe2, client, 2, t0 + 60 * HZ), 1);
	/* other's entry (t0) expired: chosen afresh, sel[1] */
	KUNIT_EXPECT_EQ(test, np_lb_core_choose(fe2, other, 1, t0 + 60 * HZ), 1);
	fe_unmake(fe2);
	be2[1].flags = T | L;		/* 10.42.0.5 terminating, others ready */
	fe2 = fe_make(test, NP_LPM_V4, 0, be2, 3);
	fe2->affinity = 10;
	fe2->aff = fe->aff;
	KUNIT_EXPECT_EQ(test, np_lb_core_choose(fe2, client, 0, t0 + 61 * HZ), 0);
	KUNIT_EXPECT_EQ(test, np_lb_core_choose(fe2, client, 1, t0 + 62 * HZ), 0);
	fe_unmake(fe2);
	/* without affinity the table is not consulted */
	fe->affinity = 0;
	KUNIT_EXPECT_EQ(test, np_lb_core_choose(fe, client, 1, t0 + 62 * HZ), 1);
	KUNIT_EXPECT_EQ(test, np_lb_core_choose(fe, client, 2, t0 + 62 * HZ), 2);
	fe_unmake(fe);
}

/*
 * Affinity against a naive reference under random versions of a frontend
 * sharing one affinity table (as np_lb_publish passes it on): random
 * clients (two pairs of them sharing a slot), random times, random
 * backend sets (flags flipped, backends dropped and reordered). The
 * reference keeps one entry per slot (client, backend address and port,
 * last use); a live entry of the same client whose backend is still
 * usable wins and is refreshed when a second or more old; otherwise the
 * choice is the rnd-th of the READY in-scope backends in index order,
 * else of the TERMINATING ones, and is recorded.
 */
struct ref_aff {
	u8 client[16], be_addr[16];
	__be16 be_port;
	unsigned long last;
};

static bool ref_usable(const struct np_lb_be *be, u32 n, u32 flags, u32 i,
		       u32 *nready, u32 *nterm)
{
	u32 j;

	*nready = 0;
	*nterm = 0;
	for (j = 0; j < n; j++) {
		bool scope = !(flags & NP_LB_F_LOCAL_ONLY) ||
			     (be[j].flags & NP_LBB_F_LOCAL);

		if (scope && (be[j].flags & NP_LBB_F_READY))
			(*nready)++;
		else if (scope && (be[j].flags & NP_LBB_F_TERMINATING))
			(*nterm)++;
	}
	if (i >= n || ((flags & NP_LB_F_LOCAL_ONLY) && !(be[i].flags & NP_LBB_F_LOCAL)))
		return false;
	if (*nready)
		return be[i].flags & NP_LBB_F_READY;
	return (be[i].flags & NP_LBB_F_TERMINATING) && !(be[i].flags & NP_LBB_F_READY);
}

/* The k-th (from 0) backend of the first non-empty list, or -1. */
static int ref_pick(const struct np_lb_be *be, u32 n, u32 flags, u32 rnd)
{
	u32 nready, nterm, j, k;
	bool want_ready;

	ref_usable(be, n, flags, n, &nready, &nterm);
	if (!nready && !nterm)
		return -1;
	want_ready = nready;
	k = rnd % (want_ready ? nready : nterm);
	for (j = 0; j < n; j++) {
		bool scope = !(flags & NP_LB_F_LOCAL_ONLY) ||
			     (be[j].flags & NP_LBB_F_LOCAL);
		bool in = want_ready ? scope && (be[j].flags & NP_LBB_F_READY) :
			  scope && (be[j].flags & NP_LBB_F_TERMINATING) &&
			  !(be[j].flags & NP_LBB_F_READY);

		if (in && !k--)
			return j;
	}
	return -1;
}

#define AFF_CLIENTS 24
#define AFF_POOL 12

static void lb_affinity_random_test(struct kunit *test)
{
	struct np_lb_be pool[AFF_POOL], be[AFF_POOL];
	u8 clients[AFF_CLIENTS][16];
	struct ref_aff *ref;
	struct np_lb_aff *aff;
	struct rnd_state rnd;
	unsigned long now = 5000;
	u32 i, j, n = 0, flags = 0, version;
	int pairs = 0;

	prandom_seed_state(&rnd, 0x6166666e);
	ref = kunit_kcalloc(test, NP_LB_AFF_SLOTS, sizeof(*ref), GFP_KERNEL);
	aff = kunit_kzalloc(test, sizeof(*aff), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ref);
	KUNIT_ASSERT_NOT_NULL(test, aff);
	seqlock_init(&aff->lock);
	for (i = 0; i < AFF_POOL; i++) {
		memset(&pool[i], 0, sizeof(pool[i]));
		pool[i].addr[0] = 10;
		pool[i].addr[1] = 42;
		pool[i].addr[3] = 5 + i / 2;
		pool[i].port = htons(8000 + i % 2);
	}
	/* clients: 20 at random, then two pairs that share a slot */
	for (i = 0; i < AFF_CLIENTS - 4; i++) {
		memset(clients[i], 0, 16);
		clients[i][0] = 192;
		clients[i][1] = 0;
		clients[i][2] = 2;
		clients[i][3] = i + 1;
	}
	for (i = 1; pairs < 2 && i < 1000000; i++) {
		u8 a[16] = { 198, 51, (u8)(i >> 8), (u8)i };
		u8 b[16] = { 203, 0, 113, 0 };

		for (j = 0; j < 256; j++) {
			b[3] = j;
			if (np_lb_core_aff_slot(NP_LPM_V4, a) ==
			    np_lb_core_aff_slot(NP_LPM_V4, b)) {
				memcpy(clients[AFF_CLIENTS - 4 + 2 * pairs], a, 16);
				memcpy(clients[AFF_CLIENTS - 3 + 2 * pairs], b, 16);
				pairs++;
				break;
			}
		}
	}
	KUNIT_ASSERT_EQ(test, pairs, 2);

	for (version = 0; version < 200; version++) {
		struct np_lb_fe fe = { .fam = NP_LPM_V4, .affinity = 10, .aff = aff };
		u32 dup;

		/* a new version: some of the pool, shuffled, random flags */
		if (version % 3 == 0 || !n) {
			n = 0;
			for (i = 0; i < AFF_POOL; i++)
				if (prandom_u32_state(&rnd) % 3)
					be[n++] = pool[i];
			for (i = n; i > 1; i--) {
				struct np_lb_be t;

				j = prandom_u32_state(&rnd) % i;
				t = be[i - 1];
				be[i - 1] = be[j];
				be[j] = t;
			}
		}
		for (i = 0; i < n; i++)
			be[i].flags = prandom_u32_state(&rnd) % 8 ?
				      NP_LBB_F_READY | NP_LBB_F_LOCAL :
				      prandom_u32_state(&rnd) & __NP_LBB_F_ALL;
		flags = prandom_u32_state(&rnd) % 5 ? 0 : NP_LB_F_LOCAL_ONLY;
		fe.flags = flags;
		fe.be = be;
		fe.nbe = n;
		KUNIT_ASSERT_EQ(test, np_lb_core_finish(&fe, &dup), 0);
		for (i = 0; i < 40; i++) {
			u32 c = prandom_u32_state(&rnd) % AFF_CLIENTS;
			u32 r = prandom_u32_state(&rnd);
			struct ref_aff *e = &ref[np_lb_core_aff_slot(NP_LPM_V4, clients[c])];
			u32 nr, nt;
			int want = -1, got;

			now += prandom_u32_state(&rnd) % (3 * HZ);
			if (e->last && !memcmp(e->client, clients[c], 4) &&
			    !time_after(now, e->last + 10 * HZ)) {
				for (j = 0; j < n; j++)
					if (be[j].port == e->be_port &&
					    !memcmp(be[j].addr, e->be_addr, 4))
						break;
				if (ref_usable(be, n, flags, j, &nr, &nt)) {
					want = j;
					if (now - e->last >= HZ)
						e->last = now;
				}
			}
			if (want < 0) {
				want = ref_pick(be, n, flags, r);
				if (want >= 0) {
					memcpy(e->client, clients[c], 16);
					memcpy(e->be_addr, be[want].addr, 16);
					e->be_port = be[want].port;
					e->last = now;
				}
			}
			got = np_lb_core_choose(&fe, clients[c], r, now);
			KUNIT_EXPECT_EQ_MSG(test, got, want, "version %u probe %u client %u",
					    version, i, c);
		}
		np_lb_core_free_index(&fe);
	}
}

/* ---- masquerade ---- */

struct masq_case {
	const char *name;
	u8 fam;
	u32 fe_flags;
	u8 be_flags;
	const char *client, *backend;
	enum np_lb_masq_verdict want;
};

static const struct masq_case masq_cases[] = {
	{ "plain, local", NP_LPM_V4, 0, L | R, "192.0.2.1", "10.42.0.5", NP_LB_MASQ_KEEP },
	{ "plain, remote", NP_LPM_V4, 0, R, "192.0.2.1", "10.42.1.5", NP_LB_MASQ_KEEP },
	{ "masq-remote, remote", NP_LPM_V4, NP_LB_F_MASQ_REMOTE, R, "192.0.2.1", "10.42.1.5", NP_LB_MASQ_REMOTE },
	{ "masq-remote, local", NP_LPM_V4, NP_LB_F_MASQ_REMOTE, R | L, "192.0.2.1", "10.42.0.5", NP_LB_MASQ_KEEP },
	{ "masq-remote v6, remote", NP_LPM_V6, NP_LB_F_MASQ_REMOTE, T, "2001:db8::1", "fd42:1::5", NP_LB_MASQ_REMOTE },
	{ "hairpin: client is the backend", NP_LPM_V4, NP_LB_F_HAIRPIN, L, "10.42.0.5", "10.42.0.5", NP_LB_MASQ_HAIRPIN },
	{ "hairpin: another pod", NP_LPM_V4, NP_LB_F_HAIRPIN, L, "10.42.0.6", "10.42.0.5", NP_LB_MASQ_KEEP },
	{ "hairpin v6", NP_LPM_V6, NP_LB_F_HAIRPIN, L, "fd42::5", "fd42::5", NP_LB_MASQ_HAIRPIN },
	{ "no hairpin flag", NP_LPM_V4, 0, L, "10.42.0.5", "10.42.0.5", NP_LB_MASQ_KEEP },
	{ "localhost source", NP_LPM_V4, NP_LB_F_LOCALHOST, L, "127.0.0.1", "10.42.0.5", NP_LB_MASQ_LOCALHOST },
	{ "127/8 source", NP_LPM_V4, 0, L, "127.3.2.1", "10.42.0.5", NP_LB_MASQ_LOCALHOST },
	{ "v6 ::1 is not localhost", NP_LPM_V6, NP_LB_F_LOCALHOST, L, "::1", "fd42::5", NP_LB_MASQ_KEEP },
	{ "v6 127:: is not localhost", NP_LPM_V6, 0, L, "7f00::1", "fd42::5", NP_LB_MASQ_KEEP },
	{ "masq-all", NP_LPM_V4, NP_LB_F_MASQ_ALL, L, "192.0.2.1", "10.42.0.5", NP_LB_MASQ_ALL },
	{ "masq-all wins", NP_LPM_V4, NP_LB_F_MASQ_ALL | NP_LB_F_HAIRPIN, L, "10.42.0.5", "10.42.0.5", NP_LB_MASQ_ALL },
	{ "masq-all v6", NP_LPM_V6, NP_LB_F_MASQ_ALL, L, "2001:db8::1", "fd42::5", NP_LB_MASQ_ALL },
	{ "local-only alone", NP_LPM_V4, NP_LB_F_LOCAL_ONLY, R, "192.0.2.1", "10.42.1.5", NP_LB_MASQ_KEEP },
};

static void lb_masq_test(struct kunit *test)
{
	u8 client[16], backend[16];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(masq_cases); i++) {
		const struct masq_case *mc = &masq_cases[i];

		addr_set(client, mc->client);
		addr_set(backend, mc->backend);
		KUNIT_EXPECT_EQ_MSG(test, np_lb_core_masq_decide(mc->fam, mc->fe_flags,
								 mc->be_flags, client, backend),
				    mc->want, "%s", mc->name);
	}
}

static struct kunit_case lb_core_cases[] = {
	KUNIT_CASE(lb_key_test),
	KUNIT_CASE(lb_sel_table_test),
	KUNIT_CASE(lb_duplicate_test),
	KUNIT_CASE(lb_random_index_test),
	KUNIT_CASE(lb_affinity_test),
	KUNIT_CASE(lb_affinity_random_test),
	KUNIT_CASE(lb_masq_test),
	{}
};

static struct kunit_suite lb_core_suite = {
	.name = "nodeplane_lb_core",
	.test_cases = lb_core_cases,
};

kunit_test_suite(lb_core_suite);
