// SPDX-License-Identifier: GPL-2.0-only
/* np_nl_extack_parse() on hand-built NLMSG_ERROR / NLMSG_DONE messages. */
#include <errno.h>

#include <linux/nodeplane.h>

#include "check.h"
#include "nlbuf.h"
#include "nl/msg.h"

#define FAMILY 0x20

/* NLMSG_ERROR header and status; the caller appends the echo and TLVs. */
static size_t err_begin(struct nb *nb, int status, uint16_t flags)
{
	int32_t e = status;
	size_t m = nb_msg(nb, NLMSG_ERROR, flags);

	nb_raw(nb, &e, sizeof(e));
	return m;
}

/* Echo of an INFO_GET request: ABI_VERSION then the unknown type __NP_INFO_A_MAX. */
struct req_offs {
	size_t abi;	/* offsets from the request's nlmsghdr */
	size_t unknown;
};

static struct req_offs echo_info_request(struct nb *nb)
{
	struct req_offs o;
	size_t r = nb_msg(nb, FAMILY, NLM_F_REQUEST | NLM_F_ACK);

	nb_genl(nb, NP_CMD_INFO_GET);
	o.abi = nb_u32(nb, NP_INFO_A_ABI_VERSION, 1) - r;
	o.unknown = nb_u32(nb, __NP_INFO_A_MAX, 0) - r;
	nb_end(nb, r);
	return o;
}

static int parse(struct nb *nb, size_t m, struct np_err *err)
{
	return np_nl_extack_parse(nb_hdr(nb, m), nb->len - m,
				  &np_nl_info_attrs, err);
}

TEST(plain_ack)
{
	struct nb nb = { .len = 0 };
	struct np_err err;
	size_t m = err_begin(&nb, 0, NLM_F_CAPPED), r;

	r = nb_msg(&nb, FAMILY, NLM_F_REQUEST | NLM_F_ACK);
	nb_hdr(&nb, r)->nlmsg_len = 28;	/* capped: header only */
	nb_end(&nb, m);
	CHECK_INT(parse(&nb, m, &err), 0);
	CHECK_INT(err.err, 0);
	CHECK_STR(err.msg, "");
}

TEST(error_without_tlvs)
{
	struct nb nb = { .len = 0 };
	struct np_err err;
	size_t m = err_begin(&nb, -EPERM, 0);

	echo_info_request(&nb);
	nb_end(&nb, m);
	CHECK_INT(parse(&nb, m, &err), EPERM);
	CHECK_INT(err.err, EPERM);
	CHECK_STR(err.msg, "");
}

TEST(message_only)
{
	struct nb nb = { .len = 0 };
	struct np_err err;
	size_t m = err_begin(&nb, -EINVAL, NLM_F_ACK_TLVS);

	echo_info_request(&nb);
	nb_str(&nb, NLMSGERR_ATTR_MSG, "abi version 0 is invalid");
	nb_end(&nb, m);
	CHECK_INT(parse(&nb, m, &err), EINVAL);
	CHECK_STR(err.msg, "abi version 0 is invalid");
}

TEST(message_and_offset_of_unknown_attribute)
{
	char want[64];
	struct nb nb = { .len = 0 };
	struct np_err err;
	size_t m = err_begin(&nb, -EINVAL, NLM_F_ACK_TLVS);
	struct req_offs o = echo_info_request(&nb);

	nb_str(&nb, NLMSGERR_ATTR_MSG, "Unknown attribute type");
	nb_u32(&nb, NLMSGERR_ATTR_OFFS, (uint32_t)o.unknown);
	nb_end(&nb, m);
	snprintf(want, sizeof(want), "Unknown attribute type; attribute %d",
		 __NP_INFO_A_MAX);
	CHECK_INT(parse(&nb, m, &err), EINVAL);
	CHECK_STR(err.msg, want);
}

TEST(offset_names_known_attribute_and_policy)
{
	struct nb nb = { .len = 0 };
	struct np_err err;
	size_t m = err_begin(&nb, -EINVAL, NLM_F_ACK_TLVS), p;
	struct req_offs o = echo_info_request(&nb);

	nb_str(&nb, NLMSGERR_ATTR_MSG, "invalid attribute length");
	nb_u32(&nb, NLMSGERR_ATTR_OFFS, (uint32_t)o.abi);
	p = nb_nest(&nb, NLMSGERR_ATTR_POLICY);
	nb_u32(&nb, NL_POLICY_TYPE_ATTR_TYPE, NL_ATTR_TYPE_U32);
	nb_u64(&nb, NL_POLICY_TYPE_ATTR_MIN_VALUE_U, 1);
	nb_u64(&nb, NL_POLICY_TYPE_ATTR_MAX_VALUE_U, UINT32_MAX);
	nb_nest_end(&nb, p);
	nb_end(&nb, m);
	CHECK_INT(parse(&nb, m, &err), EINVAL);
	CHECK_STR(err.msg, "invalid attribute length; attribute 1 "
		  "(NP_INFO_A_ABI_VERSION); expected u32 in 1..4294967295");
}

TEST(policy_with_natural_range_says_type_only)
{
	struct nb nb = { .len = 0 };
	struct np_err err;
	size_t m = err_begin(&nb, -EINVAL, NLM_F_ACK_TLVS | NLM_F_CAPPED), r, p;

	r = nb_msg(&nb, FAMILY, NLM_F_REQUEST);
	nb_hdr(&nb, r)->nlmsg_len = 28;
	p = nb_nest(&nb, NLMSGERR_ATTR_POLICY);
	nb_u32(&nb, NL_POLICY_TYPE_ATTR_TYPE, NL_ATTR_TYPE_U32);
	nb_u64(&nb, NL_POLICY_TYPE_ATTR_MIN_VALUE_U, 0);
	nb_u64(&nb, NL_POLICY_TYPE_ATTR_MAX_VALUE_U, UINT32_MAX);
	nb_nest_end(&nb, p);
	p = nb_nest(&nb, 99);	/* unknown TLVs are ignored */
	nb_nest_end(&nb, p);
	nb_end(&nb, m);
	CHECK_INT(parse(&nb, m, &err), EINVAL);
	CHECK_STR(err.msg, "expected u32");
}

TEST(missing_type_without_message)
{
	struct nb nb = { .len = 0 };
	struct np_err err;
	size_t m = err_begin(&nb, -EINVAL, NLM_F_ACK_TLVS), r;

	r = nb_msg(&nb, FAMILY, NLM_F_REQUEST | NLM_F_ACK);
	nb_genl(&nb, NP_CMD_INFO_GET);
	nb_end(&nb, r);
	nb_u32(&nb, NLMSGERR_ATTR_MISS_TYPE, NP_INFO_A_ABI_VERSION);
	nb_end(&nb, m);
	CHECK_INT(parse(&nb, m, &err), EINVAL);
	CHECK_STR(err.msg, "missing attribute 1 (NP_INFO_A_ABI_VERSION)");
}

TEST(missing_type_unnamed_without_attribute_set)
{
	struct nb nb = { .len = 0 };
	struct np_err err;
	size_t m = err_begin(&nb, -EINVAL, NLM_F_ACK_TLVS | NLM_F_CAPPED), r;

	r = nb_msg(&nb, FAMILY, NLM_F_REQUEST);
	nb_hdr(&nb, r)->nlmsg_len = 20;
	nb_str(&nb, NLMSGERR_ATTR_MSG, "need it");
	nb_u32(&nb, NLMSGERR_ATTR_MISS_TYPE, 1);
	nb_end(&nb, m);
	CHECK_INT(np_nl_extack_parse(nb_hdr(&nb, m), nb.len - m, NULL, &err),
		  EINVAL);
	CHECK_STR(err.msg, "need it; missing attribute 1");
}

TEST(missing_type_in_nest)
{
	struct nb nb = { .len = 0 };
	struct np_err err;
	size_t m = err_begin(&nb, -EINVAL, NLM_F_ACK_TLVS), r, n;

	r = nb_msg(&nb, FAMILY, NLM_F_REQUEST | NLM_F_ACK);
	nb_genl(&nb, NP_CMD_INFO_GET);
	nb_u32(&nb, NP_INFO_A_ABI_VERSION, 1);
	n = nb_nest(&nb, NP_INFO_A_COUNTS);
	nb_u32(&nb, NP_COUNT_A_PAD, 0);
	nb_nest_end(&nb, n);
	nb_end(&nb, r);
	nb_u32(&nb, NLMSGERR_ATTR_MISS_TYPE, NP_COUNT_A_REQUESTS);
	nb_u32(&nb, NLMSGERR_ATTR_MISS_NEST, (uint32_t)(n - r));
	nb_end(&nb, m);
	CHECK_INT(parse(&nb, m, &err), EINVAL);
	CHECK_STR(err.msg, "missing attribute 2 in attribute 4 (NP_INFO_A_COUNTS)");
}

TEST(offset_inside_a_nest)
{
	struct nb nb = { .len = 0 };
	struct np_err err;
	size_t m = err_begin(&nb, -ERANGE, NLM_F_ACK_TLVS), r, n, a;

	r = nb_msg(&nb, FAMILY, NLM_F_REQUEST | NLM_F_ACK);
	nb_genl(&nb, NP_CMD_INFO_GET);
	n = nb_nest(&nb, NP_INFO_A_COUNTS);
	a = nb_u32(&nb, NP_COUNT_A_REQUESTS, 0);
	nb_nest_end(&nb, n);
	nb_end(&nb, r);
	nb_str(&nb, NLMSGERR_ATTR_MSG, "out of range");
	nb_u32(&nb, NLMSGERR_ATTR_OFFS, (uint32_t)(a - r));
	nb_end(&nb, m);
	CHECK_INT(parse(&nb, m, &err), ERANGE);
	CHECK_STR(err.msg, "out of range; nested attribute 2 at offset 24");
}

TEST(capped_offset_is_reported_as_offset)
{
	struct nb nb = { .len = 0 };
	struct np_err err;
	size_t m = err_begin(&nb, -EINVAL, NLM_F_ACK_TLVS | NLM_F_CAPPED), r;

	r = nb_msg(&nb, FAMILY, NLM_F_REQUEST | NLM_F_ACK);
	nb_hdr(&nb, r)->nlmsg_len = 36;	/* the request; not echoed */
	nb_str(&nb, NLMSGERR_ATTR_MSG, "Unknown attribute type");
	nb_u32(&nb, NLMSGERR_ATTR_OFFS, 28);
	nb_end(&nb, m);
	CHECK_INT(parse(&nb, m, &err), EINVAL);
	CHECK_STR(err.msg, "Unknown attribute type; attribute at offset 28");
}

TEST(unaligned_request_echo)
{
	struct nb nb = { .len = 0 };
	struct np_err err;
	size_t m = err_begin(&nb, -EINVAL, NLM_F_ACK_TLVS), r, a;

	/* A raw request of 26 bytes: its 2-byte attribute is unpadded. */
	r = nb_msg(&nb, FAMILY, NLM_F_REQUEST | NLM_F_ACK);
	nb_genl(&nb, NP_CMD_INFO_GET);
	a = nb_u16(&nb, NP_INFO_A_ABI_VERSION, 1);
	nb_hdr(&nb, r)->nlmsg_len = 26;
	nb_str(&nb, NLMSGERR_ATTR_MSG, "Attribute failed policy validation");
	nb_u32(&nb, NLMSGERR_ATTR_OFFS, (uint32_t)(a - r));
	nb_end(&nb, m);
	CHECK_INT(parse(&nb, m, &err), EINVAL);
	CHECK_STR(err.msg, "Attribute failed policy validation; attribute 1 "
		  "(NP_INFO_A_ABI_VERSION)");
}

TEST(message_control_characters_replaced)
{
	struct nb nb = { .len = 0 };
	struct np_err err;
	size_t m = err_begin(&nb, -EINVAL, NLM_F_ACK_TLVS | NLM_F_CAPPED), r;

	r = nb_msg(&nb, FAMILY, NLM_F_REQUEST);
	nb_hdr(&nb, r)->nlmsg_len = 20;
	nb_str(&nb, NLMSGERR_ATTR_MSG, "bad\nthing\there");
	nb_end(&nb, m);
	CHECK_INT(parse(&nb, m, &err), EINVAL);
	CHECK_STR(err.msg, "bad?thing?here");
}

TEST(message_without_nul_and_long_message_truncated)
{
	struct nb nb = { .len = 0 };
	struct np_err err;
	char big[400];
	size_t m = err_begin(&nb, -EINVAL, NLM_F_ACK_TLVS | NLM_F_CAPPED), r;

	r = nb_msg(&nb, FAMILY, NLM_F_REQUEST);
	nb_hdr(&nb, r)->nlmsg_len = 20;
	memset(big, 'x', sizeof(big));
	nb_attr(&nb, NLMSGERR_ATTR_MSG, big, sizeof(big));	/* no NUL */
	nb_end(&nb, m);
	CHECK_INT(parse(&nb, m, &err), EINVAL);
	CHECK_INT(strlen(err.msg), sizeof(err.msg) - 1);
	CHECK(err.msg[0] == 'x' && err.msg[sizeof(err.msg) - 2] == 'x');
}

TEST(malformed_tlvs_keep_status)
{
	struct nb nb = { .len = 0 };
	struct np_err err;
	size_t m = err_begin(&nb, -EBUSY, NLM_F_ACK_TLVS | NLM_F_CAPPED), r, a;

	r = nb_msg(&nb, FAMILY, NLM_F_REQUEST);
	nb_hdr(&nb, r)->nlmsg_len = 20;
	a = nb_str(&nb, NLMSGERR_ATTR_MSG, "cut");
	((struct nlattr *)(nb.b + a))->nla_len = 200;	/* past the end */
	nb_end(&nb, m);
	CHECK_INT(parse(&nb, m, &err), EBUSY);
	CHECK_STR(err.msg, "");
}

TEST(done_with_error_and_message)
{
	struct nb nb = { .len = 0 };
	struct np_err err;
	int32_t status = -EINTR;
	size_t m = nb_msg(&nb, NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS);

	nb_raw(&nb, &status, sizeof(status));
	nb_str(&nb, NLMSGERR_ATTR_MSG, "dump interrupted");
	nb_end(&nb, m);
	CHECK_INT(parse(&nb, m, &err), EINTR);
	CHECK_STR(err.msg, "dump interrupted");
}

TEST(truncated_and_foreign_messages_rejected)
{
	struct nb nb = { .len = 0 };
	struct np_err err;
	size_t m = err_begin(&nb, -EINVAL, 0);

	echo_info_request(&nb);
	nb_end(&nb, m);
	CHECK_INT(np_nl_extack_parse(nb_hdr(&nb, m), nb.len - 4, NULL, &err),
		  -EBADMSG);
	CHECK_INT(err.err, EBADMSG);
	CHECK_INT(np_nl_extack_parse(nb_hdr(&nb, m), 8, NULL, &err), -EBADMSG);
	nb_hdr(&nb, m)->nlmsg_len = NLMSG_HDRLEN + 2;	/* shorter than nlmsgerr */
	CHECK_INT(np_nl_extack_parse(nb_hdr(&nb, m), nb.len, NULL, &err),
		  -EBADMSG);
	nb_end(&nb, m);
	nb_hdr(&nb, m)->nlmsg_type = FAMILY;
	CHECK_INT(np_nl_extack_parse(nb_hdr(&nb, m), nb.len, NULL, &err),
		  -EBADMSG);
	CHECK_STR(err.msg, "netlink message type 32 is not a status");
}

TEST(bad_echo_length_keeps_status)
{
	struct nb nb = { .len = 0 };
	struct np_err err;
	size_t m = err_begin(&nb, -EINVAL, NLM_F_ACK_TLVS), r;

	r = nb_msg(&nb, FAMILY, NLM_F_REQUEST);
	nb_hdr(&nb, r)->nlmsg_len = 4000;	/* claims more than there is */
	nb_str(&nb, NLMSGERR_ATTR_MSG, "unreachable");
	nb_end(&nb, m);
	CHECK_INT(parse(&nb, m, &err), EINVAL);
	CHECK_STR(err.msg, "");
}

int main(void)
{
	RUN(plain_ack);
	RUN(error_without_tlvs);
	RUN(message_only);
	RUN(message_and_offset_of_unknown_attribute);
	RUN(offset_names_known_attribute_and_policy);
	RUN(policy_with_natural_range_says_type_only);
	RUN(missing_type_without_message);
	RUN(missing_type_unnamed_without_attribute_set);
	RUN(missing_type_in_nest);
	RUN(offset_inside_a_nest);
	RUN(capped_offset_is_reported_as_offset);
	RUN(unaligned_request_echo);
	RUN(message_control_characters_replaced);
	RUN(message_without_nul_and_long_message_truncated);
	RUN(malformed_tlvs_keep_status);
	RUN(done_with_error_and_message);
	RUN(truncated_and_foreign_messages_rejected);
	RUN(bad_echo_length_keeps_status);
	return check_summary();
}
