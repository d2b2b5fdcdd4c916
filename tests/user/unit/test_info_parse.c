// SPDX-License-Identifier: GPL-2.0-only
/* np_nl_info_parse() on hand-built NP_CMD_INFO_GET replies. */
#include <errno.h>

#include <linux/nodeplane.h>

#include "check.h"
#include "nlbuf.h"
#include "nl/msg.h"

#define FAMILY 0x20

enum {
	WITH_ABI = 1 << 0,
	WITH_VERSION = 1 << 1,
	WITH_FEATURES = 1 << 2,
	WITH_COUNTS = 1 << 3,
	WITH_ALL = 0xf,
};

/* A reply as the module sends it, minus the attributes not in with. */
static size_t reply(struct nb *nb, unsigned int with)
{
	size_t m = nb_msg(nb, FAMILY, 0), n;

	nb_genl(nb, NP_CMD_INFO_GET);
	if (with & WITH_ABI)
		nb_u32(nb, NP_INFO_A_ABI_VERSION, 1);
	if (with & WITH_VERSION)
		nb_str(nb, NP_INFO_A_VERSION, "0.1.0");
	if (with & WITH_FEATURES)
		nb_u32(nb, NP_INFO_A_FEATURES, NP_FEATURE_F_SERVICELB |
		       NP_FEATURE_F_OVERLAY);
	if (with & WITH_COUNTS) {
		n = nb_nest(nb, NP_INFO_A_COUNTS);
		/* nla_put_u64_64bit() may add a pad; the u64 is then 4-aligned only. */
		nb_attr(nb, NP_COUNT_A_PAD, NULL, 0);
		nb_u64(nb, NP_COUNT_A_REQUESTS, 0x0123456789abcdefULL);
		nb_nest_end(nb, n);
	}
	nb_end(nb, m);
	return m;
}

static int parse(struct nb *nb, size_t m, struct np_info *info,
		 struct np_err *err)
{
	np_err_clear(err);
	return np_nl_info_parse(nb_hdr(nb, m), nb->len - m, info, err);
}

TEST(complete_reply)
{
	struct nb nb = { .len = 0 };
	struct np_info info;
	struct np_err err;
	size_t m = reply(&nb, WITH_ALL);

	CHECK_INT(parse(&nb, m, &info, &err), 0);
	CHECK_INT(info.abi, 1);
	CHECK_STR(info.version, "0.1.0");
	CHECK_INT(info.features, NP_FEATURE_F_SERVICELB | NP_FEATURE_F_OVERLAY);
	CHECK_INT(info.have_counts, 1);
	CHECK(info.requests == 0x0123456789abcdefULL);
	CHECK_INT(err.err, 0);
}

TEST(counts_are_optional)
{
	struct nb nb = { .len = 0 };
	struct np_info info;
	struct np_err err;
	size_t m = reply(&nb, WITH_ALL & ~WITH_COUNTS);

	CHECK_INT(parse(&nb, m, &info, &err), 0);
	CHECK_INT(info.have_counts, 0);
	CHECK_INT(info.requests, 0);
}

TEST(missing_version)
{
	struct nb nb = { .len = 0 };
	struct np_info info;
	struct np_err err;
	size_t m = reply(&nb, WITH_ALL & ~WITH_VERSION);

	CHECK_INT(parse(&nb, m, &info, &err), -EBADMSG);
	CHECK_INT(err.err, EBADMSG);
	CHECK_STR(err.msg, "INFO_GET reply: missing attribute 2 (NP_INFO_A_VERSION)");
}

TEST(missing_abi_and_features)
{
	struct nb nb = { .len = 0 };
	struct np_info info;
	struct np_err err;
	size_t m = reply(&nb, WITH_VERSION | WITH_FEATURES);

	CHECK_INT(parse(&nb, m, &info, &err), -EBADMSG);
	CHECK_STR(err.msg, "INFO_GET reply: missing attribute 1 (NP_INFO_A_ABI_VERSION)");
	nb.len = 0;
	m = reply(&nb, WITH_ABI | WITH_VERSION);
	CHECK_INT(parse(&nb, m, &info, &err), -EBADMSG);
	CHECK_STR(err.msg, "INFO_GET reply: missing attribute 3 (NP_INFO_A_FEATURES)");
}

TEST(wrong_type_abi_as_u16)
{
	struct nb nb = { .len = 0 };
	struct np_info info;
	struct np_err err;
	size_t m = nb_msg(&nb, FAMILY, 0);

	nb_genl(&nb, NP_CMD_INFO_GET);
	nb_u16(&nb, NP_INFO_A_ABI_VERSION, 1);
	nb_str(&nb, NP_INFO_A_VERSION, "0.1.0");
	nb_u32(&nb, NP_INFO_A_FEATURES, 0);
	nb_end(&nb, m);
	CHECK_INT(parse(&nb, m, &info, &err), -EBADMSG);
	CHECK_STR(err.msg, "INFO_GET reply: attribute 1 (NP_INFO_A_ABI_VERSION): "
		  "expected u32 (4 bytes), got 2 bytes");
}

TEST(wrong_type_features_as_u64)
{
	struct nb nb = { .len = 0 };
	struct np_info info;
	struct np_err err;
	size_t m = nb_msg(&nb, FAMILY, 0);

	nb_genl(&nb, NP_CMD_INFO_GET);
	nb_u32(&nb, NP_INFO_A_ABI_VERSION, 1);
	nb_str(&nb, NP_INFO_A_VERSION, "0.1.0");
	nb_u64(&nb, NP_INFO_A_FEATURES, 7);
	nb_end(&nb, m);
	CHECK_INT(parse(&nb, m, &info, &err), -EBADMSG);
	CHECK_STR(err.msg, "INFO_GET reply: attribute 3 (NP_INFO_A_FEATURES): "
		  "expected u32 (4 bytes), got 8 bytes");
}

TEST(wrong_type_version_as_u32)
{
	struct nb nb = { .len = 0 };
	struct np_info info;
	struct np_err err;
	size_t m = nb_msg(&nb, FAMILY, 0);

	nb_genl(&nb, NP_CMD_INFO_GET);
	nb_u32(&nb, NP_INFO_A_ABI_VERSION, 1);
	nb_u32(&nb, NP_INFO_A_VERSION, 0x01020304);	/* no NUL at the end */
	nb_u32(&nb, NP_INFO_A_FEATURES, 0);
	nb_end(&nb, m);
	CHECK_INT(parse(&nb, m, &info, &err), -EBADMSG);
	CHECK_STR(err.msg, "INFO_GET reply: attribute 2 (NP_INFO_A_VERSION): "
		  "string not NUL-terminated");
}

TEST(version_too_long)
{
	struct nb nb = { .len = 0 };
	struct np_info info;
	struct np_err err;
	char v[NP_INFO_VERSION_LEN + 1];
	size_t m = nb_msg(&nb, FAMILY, 0);

	memset(v, '9', sizeof(v) - 1);
	v[sizeof(v) - 1] = '\0';	/* 65 bytes with the NUL */
	nb_genl(&nb, NP_CMD_INFO_GET);
	nb_u32(&nb, NP_INFO_A_ABI_VERSION, 1);
	nb_str(&nb, NP_INFO_A_VERSION, v);
	nb_u32(&nb, NP_INFO_A_FEATURES, 0);
	nb_end(&nb, m);
	CHECK_INT(parse(&nb, m, &info, &err), -EBADMSG);
	CHECK_STR(err.msg, "INFO_GET reply: attribute 2 (NP_INFO_A_VERSION): "
		  "string of 65 bytes, at most 64 allowed");
}

TEST(version_of_63_characters_fits)
{
	struct nb nb = { .len = 0 };
	struct np_info info;
	struct np_err err;
	char v[NP_INFO_VERSION_LEN];
	size_t m = nb_msg(&nb, FAMILY, 0);

	memset(v, '9', sizeof(v) - 1);
	v[sizeof(v) - 1] = '\0';
	nb_genl(&nb, NP_CMD_INFO_GET);
	nb_u32(&nb, NP_INFO_A_ABI_VERSION, 1);
	nb_str(&nb, NP_INFO_A_VERSION, v);
	nb_u32(&nb, NP_INFO_A_FEATURES, 0);
	nb_end(&nb, m);
	CHECK_INT(parse(&nb, m, &info, &err), 0);
	CHECK_STR(info.version, v);
}

TEST(version_control_characters_replaced)
{
	struct nb nb = { .len = 0 };
	struct np_info info;
	struct np_err err;
	size_t m = nb_msg(&nb, FAMILY, 0);

	nb_genl(&nb, NP_CMD_INFO_GET);
	nb_u32(&nb, NP_INFO_A_ABI_VERSION, 1);
	nb_str(&nb, NP_INFO_A_VERSION, "0.1\t0\n");
	nb_u32(&nb, NP_INFO_A_FEATURES, 0);
	nb_end(&nb, m);
	CHECK_INT(parse(&nb, m, &info, &err), 0);
	CHECK_STR(info.version, "0.1?0?");
}

TEST(counts_without_requests)
{
	struct nb nb = { .len = 0 };
	struct np_info info;
	struct np_err err;
	size_t m = nb_msg(&nb, FAMILY, 0), n;

	nb_genl(&nb, NP_CMD_INFO_GET);
	nb_u32(&nb, NP_INFO_A_ABI_VERSION, 1);
	nb_str(&nb, NP_INFO_A_VERSION, "0.1.0");
	nb_u32(&nb, NP_INFO_A_FEATURES, 0);
	n = nb_nest(&nb, NP_INFO_A_COUNTS);
	nb_nest_end(&nb, n);
	nb_end(&nb, m);
	CHECK_INT(parse(&nb, m, &info, &err), -EBADMSG);
	CHECK_STR(err.msg, "INFO_GET reply NP_INFO_A_COUNTS: missing attribute 2 "
		  "(NP_COUNT_A_REQUESTS)");
}

TEST(requests_wrong_size)
{
	struct nb nb = { .len = 0 };
	struct np_info info;
	struct np_err err;
	size_t m = nb_msg(&nb, FAMILY, 0), n;

	nb_genl(&nb, NP_CMD_INFO_GET);
	nb_u32(&nb, NP_INFO_A_ABI_VERSION, 1);
	nb_str(&nb, NP_INFO_A_VERSION, "0.1.0");
	nb_u32(&nb, NP_INFO_A_FEATURES, 0);
	n = nb_nest(&nb, NP_INFO_A_COUNTS);
	nb_u32(&nb, NP_COUNT_A_REQUESTS, 3);
	nb_nest_end(&nb, n);
	nb_end(&nb, m);
	CHECK_INT(parse(&nb, m, &info, &err), -EBADMSG);
	CHECK_STR(err.msg, "INFO_GET reply NP_INFO_A_COUNTS: attribute 2 "
		  "(NP_COUNT_A_REQUESTS): expected u64 (8 bytes), got 4 bytes");
}

TEST(unknown_attributes_ignored)
{
	struct nb nb = { .len = 0 };
	struct np_info info;
	struct np_err err;
	size_t m = nb_msg(&nb, FAMILY, 0), n;

	nb_genl(&nb, NP_CMD_INFO_GET);
	nb_u32(&nb, NP_INFO_A_ABI_VERSION, 2);
	nb_str(&nb, NP_INFO_A_VERSION, "0.2.0");
	nb_u64(&nb, __NP_INFO_A_MAX + 3, 99);	/* from a newer module */
	nb_u32(&nb, NP_INFO_A_FEATURES, 0x80000001);
	n = nb_nest(&nb, NP_INFO_A_COUNTS);
	nb_u64(&nb, NP_COUNT_A_REQUESTS, 3);
	nb_str(&nb, __NP_COUNT_A_MAX, "new counter");
	nb_nest_end(&nb, n);
	nb_end(&nb, m);
	CHECK_INT(parse(&nb, m, &info, &err), 0);
	CHECK_INT(info.abi, 2);
	CHECK_INT(info.features, 0x80000001);
	CHECK_INT(info.requests, 3);
}

/* A module of this ABI: FEATURES implemented and enabled, DISABLED, LIMITS. */
TEST(disabled_and_limits)
{
	struct nb nb = { .len = 0 };
	struct np_info info;
	struct np_err err;
	size_t m = nb_msg(&nb, FAMILY, 0), n;

	nb_genl(&nb, NP_CMD_INFO_GET);
	nb_u32(&nb, NP_INFO_A_ABI_VERSION, 1);
	nb_str(&nb, NP_INFO_A_VERSION, "0.1.0");
	nb_u32(&nb, NP_INFO_A_FEATURES, NP_FEATURE_F_OVERLAY);
	nb_u32(&nb, NP_INFO_A_DISABLED, NP_FEATURE_F_SERVICELB);
	n = nb_nest(&nb, NP_INFO_A_LIMITS);
	nb_u32(&nb, NP_LIMIT_A_DEVICES, 16);
	nb_u32(&nb, NP_LIMIT_A_PEERS, 8192);
	nb_u32(&nb, NP_LIMIT_A_CIDRS, 4000000000u);
	nb_nest_end(&nb, n);
	nb_end(&nb, m);
	CHECK_INT(parse(&nb, m, &info, &err), 0);
	CHECK_INT(info.features, NP_FEATURE_F_OVERLAY);
	CHECK_INT(info.have, NP_INFO_HAVE_DISABLED | NP_INFO_HAVE_LIMITS);
	CHECK_INT(info.disabled, NP_FEATURE_F_SERVICELB);
	CHECK_INT(info.max_devices, 16);
	CHECK_INT(info.max_peers, 8192);
	CHECK(info.max_cidrs == 4000000000u);
}

/* An older module sends neither: nothing claimed about them. */
TEST(disabled_and_limits_absent)
{
	struct nb nb = { .len = 0 };
	struct np_info info;
	struct np_err err;
	size_t m = reply(&nb, WITH_ALL);

	CHECK_INT(parse(&nb, m, &info, &err), 0);
	CHECK_INT(info.have, 0);
	CHECK_INT(info.disabled, 0);
	CHECK_INT(info.max_peers, 0);
}

TEST(disabled_wrong_size)
{
	struct nb nb = { .len = 0 };
	struct np_info info;
	struct np_err err;
	size_t m = nb_msg(&nb, FAMILY, 0);

	nb_genl(&nb, NP_CMD_INFO_GET);
	nb_u32(&nb, NP_INFO_A_ABI_VERSION, 1);
	nb_str(&nb, NP_INFO_A_VERSION, "0.1.0");
	nb_u32(&nb, NP_INFO_A_FEATURES, 0);
	nb_u64(&nb, NP_INFO_A_DISABLED, 1);
	nb_end(&nb, m);
	CHECK_INT(parse(&nb, m, &info, &err), -EBADMSG);
	CHECK_STR(err.msg, "INFO_GET reply: attribute 5 (NP_INFO_A_DISABLED): "
		  "expected u32 (4 bytes), got 8 bytes");
}

TEST(limits_missing_one)
{
	struct nb nb = { .len = 0 };
	struct np_info info;
	struct np_err err;
	size_t m = nb_msg(&nb, FAMILY, 0), n;

	nb_genl(&nb, NP_CMD_INFO_GET);
	nb_u32(&nb, NP_INFO_A_ABI_VERSION, 1);
	nb_str(&nb, NP_INFO_A_VERSION, "0.1.0");
	nb_u32(&nb, NP_INFO_A_FEATURES, 0);
	n = nb_nest(&nb, NP_INFO_A_LIMITS);
	nb_u32(&nb, NP_LIMIT_A_DEVICES, 16);
	nb_u32(&nb, NP_LIMIT_A_CIDRS, 16);
	nb_nest_end(&nb, n);
	nb_end(&nb, m);
	CHECK_INT(parse(&nb, m, &info, &err), -EBADMSG);
	CHECK_STR(err.msg, "INFO_GET reply NP_INFO_A_LIMITS: missing attribute 2 "
		  "(NP_LIMIT_A_PEERS)");
}

TEST(truncated_attribute)
{
	struct nb nb = { .len = 0 };
	struct np_info info;
	struct np_err err;
	size_t m = reply(&nb, WITH_ABI | WITH_VERSION | WITH_FEATURES), a;

	a = nb_u32(&nb, NP_INFO_A_COUNTS, 0);
	((struct nlattr *)(nb.b + a))->nla_len = 40;	/* runs past the end */
	nb_end(&nb, m);
	CHECK_INT(parse(&nb, m, &info, &err), -EBADMSG);
	CHECK_STR(err.msg, "INFO_GET reply: truncated attribute at byte 28");
}

TEST(truncated_message)
{
	struct nb nb = { .len = 0 };
	struct np_info info;
	struct np_err err;
	size_t m = reply(&nb, WITH_ALL);

	CHECK_INT(np_nl_info_parse(nb_hdr(&nb, m), nb.len - 1, &info, &err),
		  -EBADMSG);
	CHECK_STR(err.msg, "INFO_GET reply: truncated message");
	nb_hdr(&nb, m)->nlmsg_len = NLMSG_HDRLEN + 2;	/* no room for genl */
	CHECK_INT(np_nl_info_parse(nb_hdr(&nb, m), nb.len, &info, &err),
		  -EBADMSG);
}

int main(void)
{
	RUN(complete_reply);
	RUN(counts_are_optional);
	RUN(missing_version);
	RUN(missing_abi_and_features);
	RUN(wrong_type_abi_as_u16);
	RUN(wrong_type_features_as_u64);
	RUN(wrong_type_version_as_u32);
	RUN(version_too_long);
	RUN(version_of_63_characters_fits);
	RUN(version_control_characters_replaced);
	RUN(counts_without_requests);
	RUN(requests_wrong_size);
	RUN(unknown_attributes_ignored);
	RUN(disabled_and_limits);
	RUN(disabled_and_limits_absent);
	RUN(disabled_wrong_size);
	RUN(limits_missing_one);
	RUN(truncated_attribute);
	RUN(truncated_message);
	return check_summary();
}
