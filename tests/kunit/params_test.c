// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "nodeplane_params": the module parameter "disable" (parsing
 * into the mask of enabled features, formatting back). kmod/params.c is
 * compiled into this file so its static helpers are reachable too.
 */
#include "../../kmod/params.c"

#include <kunit/test.h>

#define ALL __NP_FEATURE_F_ALL
#define SLB NP_FEATURE_F_SERVICELB
#define NETPOL NP_FEATURE_F_NETWORK_POLICY
#define OVL NP_FEATURE_F_OVERLAY
#define HP NP_FEATURE_F_HOSTPORT

/* What *features holds before a call; a failed parse must leave it so. */
#define UNTOUCHED 0xdeadbeefU

struct disable_case {
	const char *in;
	int err;
	u32 features;		/* enabled mask on success */
	const char *bad;	/* on -EINVAL: the name reported, exactly */
};

static const struct disable_case disable_cases[] = {
	/* accepted */
	{ "", 0, ALL },
	{ " ", 0, ALL },
	{ " \t\n ", 0, ALL },
	{ ",", 0, ALL },
	{ ",,,", 0, ALL },
	{ "servicelb", 0, ALL & ~SLB },
	{ "network-policy", 0, ALL & ~NETPOL },
	{ "overlay", 0, ALL & ~OVL },
	{ "servicelb,overlay", 0, NETPOL | HP },
	{ "overlay,servicelb", 0, NETPOL | HP },
	{ "servicelb,network-policy,overlay", 0, HP },
	{ "overlay,network-policy,servicelb", 0, HP },
	{ " servicelb , overlay ", 0, NETPOL | HP },
	{ "\tnetwork-policy\n", 0, ALL & ~NETPOL },
	{ "overlay\n", 0, ALL & ~OVL },
	{ "overlay,overlay", 0, ALL & ~OVL },
	{ "servicelb,servicelb,servicelb", 0, ALL & ~SLB },
	{ ",servicelb,,overlay,", 0, NETPOL | HP },
	/* rejected: the first unknown name, blanks trimmed */
	{ "bogus", -EINVAL, 0, "bogus" },
	{ " bogus ", -EINVAL, 0, "bogus" },
	{ "servicelb,bogus,overlay", -EINVAL, 0, "bogus" },
	{ "servicelb, bogus ,overlay", -EINVAL, 0, "bogus" },
	{ "overlay,first,second", -EINVAL, 0, "first" },
	{ "ServiceLB", -EINVAL, 0, "ServiceLB" },
	{ "OVERLAY", -EINVAL, 0, "OVERLAY" },
	{ "service", -EINVAL, 0, "service" },
	{ "servicelbx", -EINVAL, 0, "servicelbx" },
	{ "network_policy", -EINVAL, 0, "network_policy" },
	{ "network policy", -EINVAL, 0, "network policy" },
	{ "servicelb;overlay", -EINVAL, 0, "servicelb;overlay" },
	{ "overlay,servicelb,traefik", -EINVAL, 0, "traefik" },
};

static void disable_case_desc(const struct disable_case *c, char *desc)
{
	size_t i, n = 0;

	/* Quote the input, blanks made visible, for the KTAP line. */
	n += scnprintf(desc + n, KUNIT_PARAM_DESC_SIZE - n, "\"");
	for (i = 0; c->in[i] && n < KUNIT_PARAM_DESC_SIZE - 8; i++) {
		if (c->in[i] == '\t')
			n += scnprintf(desc + n, KUNIT_PARAM_DESC_SIZE - n, "\\t");
		else if (c->in[i] == '\n')
			n += scnprintf(desc + n, KUNIT_PARAM_DESC_SIZE - n, "\\n");
		else
			n += scnprintf(desc + n, KUNIT_PARAM_DESC_SIZE - n, "%c",
				       c->in[i]);
	}
	scnprintf(desc + n, KUNIT_PARAM_DESC_SIZE - n, "\"");
}

KUNIT_ARRAY_PARAM(disable, disable_cases, disable_case_desc);

static void parse_disable(struct kunit *test)
{
	const struct disable_case *c = test->param_value;
	u32 features = UNTOUCHED;
	const char *bad = NULL;
	size_t badlen = 0;
	int err;

	err = np_params_parse_disable(c->in, &features, &bad, &badlen);
	KUNIT_ASSERT_EQ(test, err, c->err);
	if (!c->err) {
		KUNIT_EXPECT_EQ(test, features, c->features);
		return;
	}
	KUNIT_EXPECT_EQ_MSG(test, features, UNTOUCHED,
			    "a failed parse changed *features");
	/* @bad points into the input, at the first occurrence of the name. */
	KUNIT_ASSERT_NOT_NULL(test, bad);
	KUNIT_EXPECT_PTR_EQ(test, bad, (const char *)strstr(c->in, c->bad));
	KUNIT_EXPECT_EQ(test, badlen, strlen(c->bad));
}

struct format_case {
	u32 features;
	size_t size;
	int len;
	const char *out;
};

static const struct format_case format_cases[] = {
	{ ALL, 64, 0, "" },
	{ ALL & ~SLB, 64, 9, "servicelb" },
	{ ALL & ~NETPOL, 64, 14, "network-policy" },
	{ ALL & ~OVL, 64, 7, "overlay" },
	{ NETPOL | HP, 64, 17, "servicelb,overlay" },
	{ HP, 64, 32, "servicelb,network-policy,overlay" },
	{ 0, 64, 41, "servicelb,network-policy,overlay,hostport" },
	/* exactly enough room, then one byte short: truncated as scnprintf */
	{ 0, 33, 32, "servicelb,network-policy,overlay" },
	{ 0, 32, 31, "servicelb,network-policy,overla" },
	{ 0, 5, 4, "serv" },
	{ 0, 1, 0, "" },
	/* bits outside __NP_FEATURE_F_ALL name nothing */
	{ ~0U, 64, 0, "" },
	{ ~SLB, 64, 9, "servicelb" },
};

static void format_case_desc(const struct format_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "features=%#x size=%zu",
		 c->features, c->size);
}

KUNIT_ARRAY_PARAM(format, format_cases, format_case_desc);

static void format_disabled(struct kunit *test)
{
	const struct format_case *c = test->param_value;
	char buf[64];

	memset(buf, 'X', sizeof(buf));
	KUNIT_ASSERT_LE(test, c->size, sizeof(buf));
	KUNIT_EXPECT_EQ(test, np_params_format_disabled(buf, c->size,
							c->features), c->len);
	KUNIT_EXPECT_STREQ(test, buf, c->out);
	/* nothing written past the buffer it was given */
	if (c->size < sizeof(buf))
		KUNIT_EXPECT_EQ(test, buf[c->size], 'X');
}

/* size 0: nothing written at all, not even the terminator */
static void format_disabled_size0(struct kunit *test)
{
	char buf[4] = "XXX";

	KUNIT_EXPECT_EQ(test, np_params_format_disabled(buf, 0, 0), 0);
	KUNIT_EXPECT_STREQ(test, buf, "XXX");
}

/* Every mask survives format then parse: what is shown can be fed back. */
static void format_parse_roundtrip(struct kunit *test)
{
	u32 mask, features;
	const char *bad = NULL;
	size_t badlen = 0;
	char buf[64];

	for (mask = 0; mask <= ALL; mask++) {
		np_params_format_disabled(buf, sizeof(buf), mask);
		features = UNTOUCHED;
		KUNIT_EXPECT_EQ_MSG(test, np_params_parse_disable(buf, &features,
								  &bad, &badlen),
				    0, "mask %#x formatted as \"%s\"", mask, buf);
		KUNIT_EXPECT_EQ_MSG(test, features, mask,
				    "mask %#x formatted as \"%s\"", mask, buf);
	}
}

/* The mask the module reads: everything until the parameter says otherwise. */
static void features_default_and_set(struct kunit *test)
{
	u32 saved = np_params_features();

	KUNIT_EXPECT_EQ(test, saved, (u32)ALL);
	np_params_set_features(NETPOL);
	KUNIT_EXPECT_EQ(test, np_params_features(), (u32)NETPOL);
	np_params_set_features(0);
	KUNIT_EXPECT_EQ(test, np_params_features(), 0U);
	np_params_set_features(saved);
}

static struct kunit_case params_cases[] = {
	KUNIT_CASE(features_default_and_set),
	KUNIT_CASE_PARAM(parse_disable, disable_gen_params),
	KUNIT_CASE_PARAM(format_disabled, format_gen_params),
	KUNIT_CASE(format_disabled_size0),
	KUNIT_CASE(format_parse_roundtrip),
	{}
};

static struct kunit_suite params_suite = {
	.name = "nodeplane_params",
	.test_cases = params_cases,
};

kunit_test_suite(params_suite);
