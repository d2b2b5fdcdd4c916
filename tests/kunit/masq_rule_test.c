// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "nodeplane_masq_rule": the masquerade decision of
 * kmod/masq_rule.c (docs/masquerade.md). A table walks every rule for both
 * families; then random configurations, addresses, marks and output devices
 * under a fixed-seed PRNG are checked against a reference written from the
 * rule text with its own bit-by-bit prefix match. np_cidr_contains() comes
 * from kmod/cidr.c, compiled into this module by cidr_test.c.
 */
#include "../../kmod/masq_rule.c"

#include <kunit/test.h>
#include <linux/inet.h>

/* ---- building configurations ---- */

static void cfg_add(struct np_masq_config *cfg, const char *text, u8 plen)
{
	struct np_cidr *c;

	if (strchr(text, ':')) {
		c = &cfg->cidr[NP_LPM_V6];
		c->family = NP_LPM_V6;
		WARN_ON(!in6_pton(text, -1, c->addr, -1, NULL));
	} else {
		c = &cfg->cidr[NP_LPM_V4];
		c->family = NP_LPM_V4;
		WARN_ON(!in4_pton(text, -1, c->addr, -1, NULL));
	}
	c->plen = plen;
	cfg->has[c->family] = true;
}

/* ---- the table ---- */

struct decide_case {
	const char *name;
	const char *src, *dst;
	u32 mark;
	bool overlay;
	u32 flags;		/* NP_MASQ_F_* of the configuration */
	bool no_v6;		/* configuration without the IPv6 CIDR */
	enum np_masq_verdict want;
};

static const struct decide_case decide_cases[] = {
	/* rule 1: kube-proxy's mark, whatever the addresses */
	{ "marked pod leaving", "10.42.0.5", "192.0.2.1", 0x4000, false, 0, false, NP_MASQ_KEEP_MARKED },
	{ "marked, other bits too", "10.42.0.5", "192.0.2.1", 0xffffffff, false, 0, false, NP_MASQ_KEEP_MARKED },
	{ "marked to remote pod", "192.0.2.1", "10.42.5.9", 0x4000, true, 0, false, NP_MASQ_KEEP_MARKED },
	{ "mark without 0x4000", "10.42.0.5", "192.0.2.1", 0xbfff, false, 0, false, NP_MASQ_SNAT_LEAVING },
	{ "portmap mark 0x2000", "10.42.0.5", "192.0.2.1", 0x2000, false, 0, false, NP_MASQ_SNAT_LEAVING },
	{ "marked v6 pod leaving", "fd42::5", "2001:db8::1", 0x4000, false, NP_MASQ_F_IPV6, false, NP_MASQ_KEEP_MARKED },
	/* rule 2: pod to pod */
	{ "pod to local pod", "10.42.0.5", "10.42.0.6", 0, false, 0, false, NP_MASQ_KEEP_IN_CLUSTER },
	{ "pod to remote pod", "10.42.0.5", "10.42.1.7", 0, true, 0, false, NP_MASQ_KEEP_IN_CLUSTER },
	{ "cluster edges", "10.42.0.0", "10.42.255.255", 0, true, 0, false, NP_MASQ_KEEP_IN_CLUSTER },
	{ "v6 pod to pod", "fd42::5", "fd42:0:0:ff::7", 0, true, NP_MASQ_F_IPV6, false, NP_MASQ_KEEP_IN_CLUSTER },
	/* rule 3: from outside the cluster to a pod */
	{ "outside to remote pod", "192.0.2.1", "10.42.5.9", 0, true, 0, false, NP_MASQ_SNAT_TO_REMOTE_POD },
	{ "outside to local pod", "192.0.2.1", "10.42.0.5", 0, false, 0, false, NP_MASQ_KEEP_TO_LOCAL_POD },
	{ "just outside C to pod", "10.43.0.1", "10.42.0.5", 0, true, 0, false, NP_MASQ_SNAT_TO_REMOTE_POD },
	{ "v6 outside to remote pod", "2001:db8::1", "fd42::9", 0, true, NP_MASQ_F_IPV6, false, NP_MASQ_SNAT_TO_REMOTE_POD },
	{ "v6 outside to local pod", "2001:db8::1", "fd42::9", 0, false, NP_MASQ_F_IPV6, false, NP_MASQ_KEEP_TO_LOCAL_POD },
	/* rule 4: pods leaving the cluster, not to multicast */
	{ "pod leaving", "10.42.0.5", "192.0.2.1", 0, false, 0, false, NP_MASQ_SNAT_LEAVING },
	{ "pod leaving over overlay", "10.42.0.5", "192.0.2.1", 0, true, 0, false, NP_MASQ_SNAT_LEAVING },
	{ "pod to just past C", "10.42.0.5", "10.43.0.0", 0, false, 0, false, NP_MASQ_SNAT_LEAVING },
	{ "pod to 223.255.255.255", "10.42.0.5", "223.255.255.255", 0, false, 0, false, NP_MASQ_SNAT_LEAVING },
	{ "pod to 224.0.0.1", "10.42.0.5", "224.0.0.1", 0, false, 0, false, NP_MASQ_KEEP_OTHER },
	{ "pod to 239.255.255.250", "10.42.0.5", "239.255.255.250", 0, false, 0, false, NP_MASQ_KEEP_OTHER },
	{ "pod to 240.0.0.1", "10.42.0.5", "240.0.0.1", 0, false, 0, false, NP_MASQ_SNAT_LEAVING },
	{ "v6 pod leaving", "fd42::5", "2001:db8::1", 0, false, NP_MASQ_F_IPV6, false, NP_MASQ_SNAT_LEAVING },
	{ "v6 pod to ff02::1", "fd42::5", "ff02::1", 0, false, NP_MASQ_F_IPV6, false, NP_MASQ_KEEP_OTHER },
	{ "v6 pod to fe80::1", "fd42::5", "fe80::1", 0, false, NP_MASQ_F_IPV6, false, NP_MASQ_SNAT_LEAVING },
	/* rule 5: neither end in C */
	{ "host to outside", "192.0.2.254", "192.0.2.1", 0, false, 0, false, NP_MASQ_KEEP_OTHER },
	{ "host over overlay, not to C", "192.0.2.254", "10.43.0.1", 0, true, 0, false, NP_MASQ_KEEP_OTHER },
	/* family switched off */
	{ "v6 without the flag", "fd42::5", "2001:db8::1", 0, false, 0, false, NP_MASQ_KEEP_UNCONFIGURED },
	{ "v6 flag, no v6 CIDR", "fd42::5", "2001:db8::1", 0, false, NP_MASQ_F_IPV6, true, NP_MASQ_KEEP_UNCONFIGURED },
};

static void decide_case_desc(const struct decide_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(decide, decide_cases, decide_case_desc);

static void masq_decide_table(struct kunit *test)
{
	const struct decide_case *c = test->param_value;
	struct np_masq_config cfg = { .flags = c->flags };
	u8 src[16] = {}, dst[16] = {};
	enum np_lpm_family fam;

	cfg_add(&cfg, "10.42.0.0", 16);
	if (!c->no_v6)
		cfg_add(&cfg, "fd42::", 56);
	if (strchr(c->src, ':')) {
		fam = NP_LPM_V6;
		KUNIT_ASSERT_TRUE(test, in6_pton(c->src, -1, src, -1, NULL));
		KUNIT_ASSERT_TRUE(test, in6_pton(c->dst, -1, dst, -1, NULL));
	} else {
		fam = NP_LPM_V4;
		KUNIT_ASSERT_TRUE(test, in4_pton(c->src, -1, src, -1, NULL));
		KUNIT_ASSERT_TRUE(test, in4_pton(c->dst, -1, dst, -1, NULL));
	}
	KUNIT_EXPECT_EQ(test, np_masq_decide(&cfg, fam, src, dst, c->mark,
					     c->overlay), c->want);
}

static void masq_decide_unconfigured(struct kunit *test)
{
	struct np_masq_config cfg = { .flags = NP_MASQ_F_IPV6 };
	static const u8 pod[16] = { 10, 42, 0, 5 }, out[16] = { 192, 0, 2, 1 };

	KUNIT_EXPECT_EQ(test, np_masq_decide(NULL, NP_LPM_V4, pod, out, 0, false),
			NP_MASQ_KEEP_UNCONFIGURED);
	KUNIT_EXPECT_FALSE(test, np_masq_family_on(NULL, NP_LPM_V4));
	/* IPv6 only: IPv4 is off */
	cfg_add(&cfg, "fd42::", 56);
	KUNIT_EXPECT_EQ(test, np_masq_decide(&cfg, NP_LPM_V4, pod, out, 0, false),
			NP_MASQ_KEEP_UNCONFIGURED);
	KUNIT_EXPECT_FALSE(test, np_masq_family_on(&cfg, NP_LPM_V4));
	KUNIT_EXPECT_TRUE(test, np_masq_family_on(&cfg, NP_LPM_V6));
	/* IPv4 needs no flag */
	cfg.flags = 0;
	cfg_add(&cfg, "10.42.0.0", 16);
	KUNIT_EXPECT_TRUE(test, np_masq_family_on(&cfg, NP_LPM_V4));
	KUNIT_EXPECT_FALSE(test, np_masq_family_on(&cfg, NP_LPM_V6));
	KUNIT_EXPECT_TRUE(test, np_masq_verdict_is_snat(
		np_masq_decide(&cfg, NP_LPM_V4, pod, out, 0, false)));
}

/* ---- random against a reference ---- */

struct rng {
	u64 s;
};

static u64 rng_next(struct rng *r)	/* xorshift64* */
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

static u32 rng_below(struct rng *r, u32 n)
{
	return (u32)(rng_next(r) % n);
}

static bool ref_bit(const u8 *a, unsigned int i)
{
	return a[i / 8] & (0x80 >> (i % 8));
}

static bool ref_in(const struct np_cidr *c, const u8 *a)
{
	unsigned int i;

	for (i = 0; i < c->plen; i++)
		if (ref_bit(c->addr, i) != ref_bit(a, i))
			return false;
	return true;
}

/* The rules of docs/masquerade.md, as a truth table on (src in C, dst in C). */
static enum np_masq_verdict ref_decide(const struct np_masq_config *cfg,
				       enum np_lpm_family fam, const u8 *src,
				       const u8 *dst, u32 mark, bool overlay)
{
	bool on = cfg->has[fam] &&
		  (fam == NP_LPM_V4 || (cfg->flags & NP_MASQ_F_IPV6));
	bool s, d, mcast;

	if (!on)
		return NP_MASQ_KEEP_UNCONFIGURED;
	if (mark & 0x4000)
		return NP_MASQ_KEEP_MARKED;
	s = ref_in(&cfg->cidr[fam], src);
	d = ref_in(&cfg->cidr[fam], dst);
	mcast = fam == NP_LPM_V4 ? dst[0] >= 224 && dst[0] <= 239 : dst[0] == 0xff;
	switch (s << 1 | d) {
	case 3:
		return NP_MASQ_KEEP_IN_CLUSTER;
	case 1:
		return overlay ? NP_MASQ_SNAT_TO_REMOTE_POD : NP_MASQ_KEEP_TO_LOCAL_POD;
	case 2:
		return mcast ? NP_MASQ_KEEP_OTHER : NP_MASQ_SNAT_LEAVING;
	default:
		return NP_MASQ_KEEP_OTHER;
	}
}

/* An address: inside @c (random host part), multicast, or anything. */
static void rand_addr(struct rng *r, const struct np_cidr *c, u8 *a)
{
	unsigned int bytes = np_lpm_bits(c->family) / 8, i;
	u32 kind = rng_below(r, 4);

	for (i = 0; i < 16; i++)
		a[i] = i < bytes ? (u8)rng_next(r) : 0;
	if (kind <= 1) {		/* inside: copy the prefix bits */
		for (i = 0; i < c->plen; i++) {
			if (ref_bit(c->addr, i))
				a[i / 8] |= 0x80 >> (i % 8);
			else
				a[i / 8] &= ~(0x80 >> (i % 8));
		}
	} else if (kind == 2) {		/* multicast */
		if (c->family == NP_LPM_V4)
			a[0] = 224 | (a[0] & 0x0f);
		else
			a[0] = 0xff;
	}
}

static void rand_cidr(struct rng *r, enum np_lpm_family fam, struct np_cidr *c)
{
	unsigned int bits = np_lpm_bits(fam), i;

	c->family = fam;
	c->plen = rng_below(r, bits + 1);
	memset(c->addr, 0, sizeof(c->addr));
	for (i = 0; i < c->plen; i++)
		if (rng_next(r) & 1)
			c->addr[i / 8] |= 0x80 >> (i % 8);
}

static void masq_decide_random(struct kunit *test)
{
	unsigned int n, counts[NP_MASQ_KEEP_OTHER + 1] = {};
	struct rng r = { 0x6d617371ULL };	/* "masq" */
	u8 src[16], dst[16];

	for (n = 0; n < 20000; n++) {
		struct np_masq_config cfg = {};
		enum np_lpm_family fam = rng_below(&r, 2) ? NP_LPM_V6 : NP_LPM_V4;
		u32 mark = rng_below(&r, 3) ? 0 : (u32)rng_next(&r);
		bool overlay = rng_next(&r) & 1;
		enum np_masq_verdict got, want;

		cfg.flags = rng_below(&r, 4) ? NP_MASQ_F_IPV6 : 0;
		rand_cidr(&r, NP_LPM_V4, &cfg.cidr[NP_LPM_V4]);
		rand_cidr(&r, NP_LPM_V6, &cfg.cidr[NP_LPM_V6]);
		cfg.has[NP_LPM_V4] = rng_below(&r, 8);
		cfg.has[NP_LPM_V6] = rng_below(&r, 8);
		rand_addr(&r, &cfg.cidr[fam], src);
		rand_addr(&r, &cfg.cidr[fam], dst);

		got = np_masq_decide(&cfg, fam, src, dst, mark, overlay);
		want = ref_decide(&cfg, fam, src, dst, mark, overlay);
		KUNIT_ASSERT_EQ_MSG(test, got, want,
				    "round %u: fam %d plen %u src %16phN dst %16phN mark %#x overlay %d",
				    n, fam, cfg.cidr[fam].plen, src, dst, mark, overlay);
		counts[got]++;
	}
	/* every verdict was reached, so the comparison meant something */
	for (n = 0; n <= NP_MASQ_KEEP_OTHER; n++)
		KUNIT_EXPECT_GT_MSG(test, counts[n], 100U, "verdict %u", n);
}

static struct kunit_case masq_rule_cases[] = {
	KUNIT_CASE_PARAM(masq_decide_table, decide_gen_params),
	KUNIT_CASE(masq_decide_unconfigured),
	KUNIT_CASE(masq_decide_random),
	{}
};

static struct kunit_suite masq_rule_suite = {
	.name = "nodeplane_masq_rule",
	.test_cases = masq_rule_cases,
};

kunit_test_suite(masq_rule_suite);
