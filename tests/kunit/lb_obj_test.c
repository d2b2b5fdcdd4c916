// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "nodeplane_lb_obj": LB frontend objects (kmod/lb_obj.c) built
 * chunk by chunk as a staged NP_CMD_LB_SET builds them, checked against a
 * reference under random sequences of chunks: the backends in order, the
 * source-range set (duplicates merged) answering every lookup as a naive
 * "contained in any range" does, the commit index finding every backend.
 * np_lpm_* come from kmod/lpm.c (lpm_test.c), np_lb_core_* from
 * kmod/lb_core.c (lb_core_test.c), both linked into this module.
 */
#include "../../kmod/lb_obj.c"

#include <kunit/test.h>
#include <linux/prandom.h>

#define MAX_BE 2000
#define MAX_RANGES 600

struct ref_range {
	u8 addr[16];
	u8 plen;
};

static bool ref_contains(const struct ref_range *r, const u8 *a)
{
	unsigned int i;

	for (i = 0; i < r->plen; i++)
		if (((r->addr[i / 8] ^ a[i / 8]) >> (7 - i % 8)) & 1)
			return false;
	return true;
}

static void clear_host_bits(u8 *a, unsigned int plen, unsigned int bits)
{
	unsigned int i;

	for (i = plen; i < bits; i++)
		a[i / 8] &= ~(0x80 >> (i % 8));
}

static void lb_obj_staging_test(struct kunit *test)
{
	struct ref_range *ranges;
	struct np_lb_be *be;
	struct rnd_state rnd;
	int round;

	prandom_seed_state(&rnd, 0x6c626f62);
	be = kunit_kcalloc(test, MAX_BE, sizeof(*be), GFP_KERNEL);
	ranges = kunit_kcalloc(test, MAX_RANGES, sizeof(*ranges), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, be);
	KUNIT_ASSERT_NOT_NULL(test, ranges);

	for (round = 0; round < 40; round++) {
		u8 fam = prandom_u32_state(&rnd) & 1;
		unsigned int bits = fam == NP_LPM_V4 ? 32 : 128, alen = bits / 8;
		u32 nbe = 0, nr = 0, uniq = 0, chunks, c, i, j, dup;
		struct np_lb_fe *fe = np_lb_fe_new();

		KUNIT_ASSERT_NOT_NULL(test, fe);
		fe->fam = fam;
		chunks = 1 + prandom_u32_state(&rnd) % 12;
		for (c = 0; c < chunks; c++) {
			u32 nb = prandom_u32_state(&rnd) % (MAX_BE / 12);
			u32 nrg = prandom_u32_state(&rnd) % (MAX_RANGES / 12);

			/* backends: unique by construction (index in the address) */
			for (i = 0; i < nb; i++, nbe++) {
				memset(&be[nbe], 0, sizeof(be[nbe]));
				be[nbe].addr[0] = fam == NP_LPM_V4 ? 10 : 0xfd;
				be[nbe].addr[alen - 2] = nbe >> 8;
				be[nbe].addr[alen - 1] = nbe & 0xff;
				be[nbe].port = htons(1 + prandom_u32_state(&rnd) % 65535);
				be[nbe].flags = prandom_u32_state(&rnd) & __NP_LBB_F_ALL;
			}
			KUNIT_ASSERT_EQ(test, np_lb_fe_add_backends(fe, &be[nbe - nb], nb), 0);
			/* ranges: from a small space, so some repeat */
			for (i = 0; i < nrg; i++) {
				struct ref_range *r = &ranges[nr];

				memset(r->addr, 0, 16);
				r->addr[0] = fam == NP_LPM_V4 ? 10 : 0xfd;
				r->addr[1] = prandom_u32_state(&rnd) & 7;
				r->addr[2] = prandom_u32_state(&rnd) & 0xff;
				r->plen = 8 + prandom_u32_state(&rnd) % (bits - 7);
				clear_host_bits(r->addr, r->plen, bits);
				for (j = 0; j < nr; j++)
					if (ranges[j].plen == r->plen &&
					    !memcmp(ranges[j].addr, r->addr, 16))
						break;
				uniq += j == nr;
				nr++;
				KUNIT_ASSERT_EQ(test, np_lb_fe_add_range(fe, fam, r->addr, r->plen), 0);
			}
		}
		KUNIT_EXPECT_EQ(test, fe->nbe, nbe);
		KUNIT_EXPECT_GE(test, fe->cap_be, nbe);
		if (nbe)
			KUNIT_EXPECT_EQ(test, memcmp(fe->be, be, nbe * sizeof(*be)), 0);
		KUNIT_EXPECT_EQ(test, fe->nranges, uniq);
		KUNIT_EXPECT_EQ(test, fe->ranges.count[fam], uniq);
		KUNIT_EXPECT_EQ(test, fe->ranges.count[!fam], 0U);

		/* lookups: addresses inside the range space and around it */
		for (i = 0; i < 300; i++) {
			u8 a[16] = { fam == NP_LPM_V4 ? 10 : 0xfd };
			bool want = false, got;

			a[1] = prandom_u32_state(&rnd) & 7;
			prandom_bytes_state(&rnd, a + 2, alen - 2);
			if (i % 10 == 0)
				a[0] ^= 1;
			for (j = 0; j < nr && !want; j++)
				want = ref_contains(&ranges[j], a);
			rcu_read_lock();
			got = np_lpm_lookup(&fe->ranges, fam, a);
			rcu_read_unlock();
			KUNIT_EXPECT_EQ_MSG(test, got, want, "round %d lookup %u", round, i);
		}
		/* the commit's index finds every backend */
		KUNIT_ASSERT_EQ(test, np_lb_core_finish(fe, &dup), 0);
		for (i = 0; i < nbe; i += 1 + nbe / 50)
			KUNIT_EXPECT_EQ(test, np_lb_core_be_find(fe, be[i].addr, be[i].port), (int)i);
		np_lb_fe_free(fe);
	}
}

static void lb_obj_stats_test(struct kunit *test)
{
	struct np_lb_fe *fe = np_lb_fe_new();
	u64 out[__NP_LB_COUNTERS];
	int cpu, i, ncpu = 0;

	KUNIT_ASSERT_NOT_NULL(test, fe);
	np_lb_stats_sum(fe, out);
	for (i = 0; i < __NP_LB_COUNTERS; i++)
		KUNIT_EXPECT_EQ(test, out[i], 0ULL);
	fe->stats = alloc_percpu(struct np_lb_pcpu);
	KUNIT_ASSERT_NOT_NULL(test, fe->stats);
	fe->own_stats = true;
	for_each_possible_cpu(cpu) {
		struct np_lb_pcpu *p = per_cpu_ptr(fe->stats, cpu);

		for (i = 0; i < __NP_LB_COUNTERS; i++)
			u64_stats_set(&p->c[i], (u64)(i + 1) << 32 | (cpu + 1));
		ncpu++;
	}
	np_lb_stats_sum(fe, out);
	for (i = 0; i < __NP_LB_COUNTERS; i++)
		KUNIT_EXPECT_EQ(test, out[i] >> 32, (u64)(i + 1) * ncpu);
	np_lb_fe_free(fe);
}

/* Adding to a backend array grows it without losing what was there. */
static void lb_obj_grow_test(struct kunit *test)
{
	struct np_lb_fe *fe = np_lb_fe_new();
	struct np_lb_be b = { .addr = { 10, 0, 0, 1 }, .flags = NP_LBB_F_READY };
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, fe);
	for (i = 0; i < 5000; i++) {
		b.port = htons(i + 1);
		KUNIT_ASSERT_EQ(test, np_lb_fe_add_backends(fe, &b, 1), 0);
	}
	KUNIT_EXPECT_EQ(test, fe->nbe, 5000U);
	for (i = 0; i < 5000; i++)
		KUNIT_EXPECT_EQ(test, ntohs(fe->be[i].port), i + 1);
	KUNIT_EXPECT_EQ(test, np_lb_fe_add_backends(fe, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, fe->nbe, 5000U);
	np_lb_fe_free(fe);
}

static struct kunit_case lb_obj_cases[] = {
	KUNIT_CASE(lb_obj_staging_test),
	KUNIT_CASE(lb_obj_stats_test),
	KUNIT_CASE(lb_obj_grow_test),
	{}
};

static struct kunit_suite lb_obj_suite = {
	.name = "nodeplane_lb_obj",
	.test_cases = lb_obj_cases,
};

kunit_test_suite(lb_obj_suite);
