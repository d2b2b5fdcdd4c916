// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "nodeplane_nl_policy": the request policies of kmod/nl_policy.c
 * run through nla_parse() exactly as genetlink runs them for a family that
 * keeps strict validation (NL_VALIDATE_STRICT). Each row is a request body
 * built byte by byte, so malformed attributes can be expressed too, and the
 * expected outcome: error code, extack message, which attribute extack
 * blames, and whether it points userspace at the policy entry.
 */
#include "../../kmod/nl_policy.c"

#include <kunit/test.h>
#include <linux/slab.h>

#define MAX_ATTRS 3
#define BUF_SIZE 256

struct req_attr {
	u16 type;		/* nla_type, flags included */
	u8 len;			/* payload bytes: 0, 1, 2, 4 or 8 */
	u64 val;		/* payload as a host-order integer of @len bytes */
	const char *str;	/* or: a NUL-terminated string payload */
	bool counts;		/* or: NP_INFO_A_COUNTS-style nest, one u64 */
};

struct info_get_case {
	const char *name;
	struct req_attr attrs[MAX_ATTRS];
	int nattrs;
	int trailing;		/* junk bytes after the last attribute */
	int cut;		/* bytes cut off the end of the buffer */
	int err;
	const char *msg;	/* extack._msg; NULL: none */
	int bad;		/* index of extack.bad_attr in attrs; -1: NULL */
	bool pol;		/* extack.policy: the bad attribute's entry */
	u32 abi;		/* on success: nla_get_u32(tb[ABI_VERSION]) */
};

#define U32(t, v) { .type = (t), .len = 4, .val = (v) }
#define ABI(v) U32(NP_INFO_A_ABI_VERSION, v)

static const struct info_get_case info_get_cases[] = {
	/* accepted */
	{ "abi 1", { ABI(1) }, 1, .abi = 1, .bad = -1 },
	{ "abi 2, newer caller", { ABI(2) }, 1, .abi = 2, .bad = -1 },
	{ "abi U32_MAX", { ABI(U32_MAX) }, 1, .abi = U32_MAX, .bad = -1 },
	/* required-ness is GENL_REQ_ATTR_CHECK's job, not the policy's */
	{ "empty request", { }, 0, .bad = -1 },
	{ "abi twice, last wins", { ABI(1), ABI(3) }, 2, .abi = 3, .bad = -1 },

	/* range: NLA_POLICY_MIN(NLA_U32, 1) */
	{ "abi 0", { ABI(0) }, 1, .err = -ERANGE,
	  .msg = "integer out of range", .bad = 0, .pol = true },
	{ "abi 0 after abi 1", { ABI(1), ABI(0) }, 2, .err = -ERANGE,
	  .msg = "integer out of range", .bad = 1, .pol = true },

	/* exact length of an NLA_U32 */
	{ "abi as u8", { { NP_INFO_A_ABI_VERSION, 1, 1 } }, 1, .err = -EINVAL,
	  .msg = "invalid attribute length", .bad = 0, .pol = true },
	{ "abi as u16", { { NP_INFO_A_ABI_VERSION, 2, 1 } }, 1, .err = -EINVAL,
	  .msg = "invalid attribute length", .bad = 0, .pol = true },
	{ "abi as u64", { { NP_INFO_A_ABI_VERSION, 8, 1 } }, 1, .err = -EINVAL,
	  .msg = "invalid attribute length", .bad = 0, .pol = true },
	{ "abi empty", { { NP_INFO_A_ABI_VERSION, 0, 0 } }, 1, .err = -EINVAL,
	  .msg = "invalid attribute length", .bad = 0, .pol = true },
	{ "abi 1 then abi as u8",
	  { ABI(1), { NP_INFO_A_ABI_VERSION, 1, 1 } }, 2, .err = -EINVAL,
	  .msg = "invalid attribute length", .bad = 1, .pol = true },
	{ "abi flagged NLA_F_NESTED",
	  { U32(NP_INFO_A_ABI_VERSION | NLA_F_NESTED, 1) }, 1, .err = -EINVAL,
	  .msg = "NLA_F_NESTED not expected", .bad = 0, .pol = true },

	/* unknown attribute types */
	{ "type 0", { U32(NP_INFO_A_UNSPEC, 1) }, 1, .err = -EINVAL,
	  .msg = "Unknown attribute type", .bad = 0 },
	{ "type MAX+1", { U32(NP_INFO_A_MAX + 1, 1) }, 1, .err = -EINVAL,
	  .msg = "Unknown attribute type", .bad = 0 },
	{ "type 0x3fff", { U32(0x3fff, 1) }, 1, .err = -EINVAL,
	  .msg = "Unknown attribute type", .bad = 0 },
	{ "abi 1 then type MAX+1", { ABI(1), U32(NP_INFO_A_MAX + 1, 0) }, 2,
	  .err = -EINVAL, .msg = "Unknown attribute type", .bad = 1 },

	/* reply-only attributes are not accepted in a request */
	{ "version in request",
	  { ABI(1), { NP_INFO_A_VERSION, .str = "0.1.0" } }, 2, .err = -EINVAL,
	  .msg = "Unsupported attribute", .bad = 1 },
	{ "features in request", { U32(NP_INFO_A_FEATURES, 7), ABI(1) }, 2,
	  .err = -EINVAL, .msg = "Unsupported attribute", .bad = 0 },
	{ "counts nest in request",
	  { ABI(1), { NP_INFO_A_COUNTS | NLA_F_NESTED, .counts = true } }, 2,
	  .err = -EINVAL, .msg = "Unsupported attribute", .bad = 1 },

	/* framing */
	{ "2 trailing bytes", { ABI(1) }, 1, .trailing = 2, .err = -EINVAL,
	  .msg = "bytes leftover after parsing attributes", .bad = -1 },
	{ "truncated attribute", { ABI(1) }, 1, .cut = 2, .err = -EINVAL,
	  .msg = "bytes leftover after parsing attributes", .bad = -1 },
};

static void info_get_case_desc(const struct info_get_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(info_get, info_get_cases, info_get_case_desc);

/* Append one attribute at @off; returns the offset past it (aligned). */
static int put_attr(u8 *buf, int off, const struct req_attr *a)
{
	struct nlattr *nla = (struct nlattr *)(buf + off);
	u8 *data = buf + off + NLA_HDRLEN;
	int len = a->len;
	u8 v8 = a->val;
	u16 v16 = a->val;
	u32 v32 = a->val;
	u64 v64 = a->val;

	if (a->str) {
		len = strlen(a->str) + 1;
		memcpy(data, a->str, len);
	} else if (a->counts) {
		struct nlattr *inner = (struct nlattr *)data;

		inner->nla_type = NP_COUNT_A_REQUESTS;
		inner->nla_len = nla_attr_size(sizeof(u64));
		memcpy(nla_data(inner), &v64, sizeof(u64));
		len = nla_total_size(sizeof(u64));
	} else {
		switch (len) {
		case 1: memcpy(data, &v8, 1); break;
		case 2: memcpy(data, &v16, 2); break;
		case 4: memcpy(data, &v32, 4); break;
		case 8: memcpy(data, &v64, 8); break;
		}
	}
	nla->nla_type = a->type;
	nla->nla_len = nla_attr_size(len);
	return off + nla_total_size(len);
}

static void info_get_parse(struct kunit *test)
{
	const struct info_get_case *c = test->param_value;
	struct nlattr *tb[NP_INFO_A_MAX + 1];
	struct nlattr *at[MAX_ATTRS] = {};
	struct netlink_ext_ack extack = {};
	int i, len = 0, type, err;
	u8 *buf;

	buf = kunit_kzalloc(test, BUF_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < c->nattrs; i++) {
		at[i] = (struct nlattr *)(buf + len);
		len = put_attr(buf, len, &c->attrs[i]);
	}
	memset(buf + len, 0xa5, c->trailing);
	len += c->trailing - c->cut;
	KUNIT_ASSERT_LE(test, len, BUF_SIZE);

	err = nla_parse(tb, NP_INFO_A_MAX, (struct nlattr *)buf, len,
			np_info_get_policy, &extack);

	KUNIT_EXPECT_EQ(test, err, c->err);
	if (c->msg) {
		KUNIT_ASSERT_NOT_NULL_MSG(test, extack._msg,
					  "expected \"%s\"", c->msg);
		KUNIT_EXPECT_STREQ(test, extack._msg, c->msg);
	} else {
		KUNIT_EXPECT_NULL_MSG(test, extack._msg, "got \"%s\"",
				      extack._msg);
	}
	if (c->bad < 0)
		KUNIT_EXPECT_NULL(test, extack.bad_attr);
	else
		KUNIT_EXPECT_PTR_EQ(test, extack.bad_attr,
				    (const struct nlattr *)at[c->bad]);
	if (c->pol)
		KUNIT_EXPECT_PTR_EQ(test, extack.policy,
				    &np_info_get_policy[nla_type(at[c->bad])]);
	else
		KUNIT_EXPECT_NULL(test, extack.policy);
	if (err)
		return;

	/* tb[] holds the last attribute of each type, nothing else. */
	for (type = 0; type <= NP_INFO_A_MAX; type++) {
		struct nlattr *want = NULL;

		for (i = 0; i < c->nattrs; i++)
			if (nla_type(at[i]) == type)
				want = at[i];
		KUNIT_EXPECT_PTR_EQ_MSG(test, tb[type], want, "tb[%d]", type);
	}
	if (tb[NP_INFO_A_ABI_VERSION])
		KUNIT_EXPECT_EQ(test, nla_get_u32(tb[NP_INFO_A_ABI_VERSION]),
				c->abi);
}

/*
 * Without an extack, a rejection is still a rejection (the kernel may call
 * the parser that way) and nothing dereferences the missing extack.
 */
static void info_get_parse_no_extack(struct kunit *test)
{
	struct {
		struct nlattr nla;
		u32 abi;
	} req = { { .nla_len = NLA_HDRLEN + 4, .nla_type = NP_INFO_A_ABI_VERSION } };
	struct nlattr *tb[NP_INFO_A_MAX + 1];

	req.abi = 0;
	KUNIT_EXPECT_EQ(test, nla_parse(tb, NP_INFO_A_MAX, &req.nla, sizeof(req),
					np_info_get_policy, NULL), -ERANGE);
	req.abi = 1;
	KUNIT_EXPECT_EQ(test, nla_parse(tb, NP_INFO_A_MAX, &req.nla, sizeof(req),
					np_info_get_policy, NULL), 0);
	KUNIT_EXPECT_PTR_EQ(test, tb[NP_INFO_A_ABI_VERSION], &req.nla);
}

/*
 * The same request built with the kernel's own nla_put() into an skb, as a
 * reply-side helper would: parses back to the value put.
 */
static void info_get_parse_skb(struct kunit *test)
{
	struct nlattr *tb[NP_INFO_A_MAX + 1];
	struct netlink_ext_ack extack = {};
	struct sk_buff *skb;

	skb = alloc_skb(NLMSG_GOODSIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);

	KUNIT_EXPECT_EQ(test, nla_put_u32(skb, NP_INFO_A_ABI_VERSION,
					  NODEPLANE_GENL_VERSION), 0);
	KUNIT_EXPECT_EQ(test, nla_parse(tb, NP_INFO_A_MAX,
					(struct nlattr *)skb->data, skb->len,
					np_info_get_policy, &extack), 0);
	KUNIT_EXPECT_NULL(test, extack._msg);
	KUNIT_EXPECT_PTR_EQ(test, tb[NP_INFO_A_ABI_VERSION],
			    (struct nlattr *)skb->data);
	if (tb[NP_INFO_A_ABI_VERSION])
		KUNIT_EXPECT_EQ(test, nla_get_u32(tb[NP_INFO_A_ABI_VERSION]),
				(u32)NODEPLANE_GENL_VERSION);

	/* a u8 put where the ABI wants a u32 */
	skb_trim(skb, 0);
	KUNIT_EXPECT_EQ(test, nla_put_u8(skb, NP_INFO_A_ABI_VERSION, 1), 0);
	KUNIT_EXPECT_EQ(test, nla_parse(tb, NP_INFO_A_MAX,
					(struct nlattr *)skb->data, skb->len,
					np_info_get_policy, &extack), -EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, extack._msg);
	if (extack._msg)
		KUNIT_EXPECT_STREQ(test, extack._msg,
				   "invalid attribute length");
	KUNIT_EXPECT_PTR_EQ(test, extack.bad_attr,
			    (const struct nlattr *)skb->data);
	kfree_skb(skb);
}

static struct kunit_case nl_policy_cases[] = {
	KUNIT_CASE_PARAM(info_get_parse, info_get_gen_params),
	KUNIT_CASE(info_get_parse_no_extack),
	KUNIT_CASE(info_get_parse_skb),
	{}
};

static struct kunit_suite nl_policy_suite = {
	.name = "nodeplane_nl_policy",
	.test_cases = nl_policy_cases,
};

kunit_test_suite(nl_policy_suite);
