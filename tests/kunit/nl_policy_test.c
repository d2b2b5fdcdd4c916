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


/* ---- NP_CMD_PEER_NEW / NP_CMD_MASQ_SET: CIDR nests in the policy -------- */

/* One NP_CIDR_A_* nest of a request; 0 / -1 leave an attribute out. */
struct cidr_nest {
	u8 addr_len;		/* NP_CIDR_A_ADDR4 payload bytes; 0: none */
	int plen;		/* NP_CIDR_A_PREFIXLEN (u8); -1: none */
	u16 extra;		/* another inner type, 4 bytes; 0: none */
	bool flat;		/* NLA_F_NESTED left out */
};

enum bad_what { BAD_NONE, BAD_ADDR, BAD_PLEN, BAD_EXTRA, BAD_NEST };

struct peer_new_case {
	const char *name;
	struct cidr_nest cidr[2];
	int ncidr;
	int err;
	const char *msg;
	enum bad_what bad;
	int bad_nest;		/* which nest holds (or is) the bad attribute */
};

#define C4(pl) { .addr_len = 4, .plen = (pl) }

static const struct peer_new_case peer_new_cases[] = {
	{ "one CIDR", { C4(24) }, 1, .bad = BAD_NONE },
	{ "two CIDRs", { C4(24), C4(16) }, 2, .bad = BAD_NONE },
	/* what np_cidr_parse() checks, not the policy: exactly one address */
	{ "no address", { { .plen = 24 } }, 1, .bad = BAD_NONE },
	{ "prefix length 128", { C4(128) }, 1, .bad = BAD_NONE },
	{ "address of 3 bytes", { { .addr_len = 3, .plen = 24 } }, 1,
	  .err = -ERANGE, .msg = "binary attribute size out of range", .bad = BAD_ADDR },
	{ "address of 16 bytes as ADDR4", { { .addr_len = 16, .plen = 24 } }, 1,
	  .err = -ERANGE, .msg = "binary attribute size out of range", .bad = BAD_ADDR },
	{ "prefix length 129", { C4(129) }, 1, .err = -ERANGE,
	  .msg = "integer out of range", .bad = BAD_PLEN },
	{ "unknown inner type", { { .addr_len = 4, .plen = 8, .extra = NP_CIDR_A_MAX + 1 } }, 1,
	  .err = -EINVAL, .msg = "Unknown attribute type", .bad = BAD_EXTRA },
	{ "second nest bad, first fine", { C4(24), C4(200) }, 2, .err = -ERANGE,
	  .msg = "integer out of range", .bad = BAD_PLEN, .bad_nest = 1 },
	{ "nest without NLA_F_NESTED", { { .addr_len = 4, .plen = 24, .flat = true } }, 1,
	  .err = -EINVAL, .msg = "NLA_F_NESTED is missing", .bad = BAD_NEST },
};

static void peer_new_case_desc(const struct peer_new_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(peer_new, peer_new_cases, peer_new_case_desc);

static struct nlattr *put_raw(u8 *buf, int *off, u16 type, const void *p,
			      int len)
{
	struct nlattr *nla = (struct nlattr *)(buf + *off);

	nla->nla_type = type;
	nla->nla_len = nla_attr_size(len);
	memset(nla_data(nla), 0, nla_total_size(len) - NLA_HDRLEN);
	if (p)
		memcpy(nla_data(nla), p, len);
	*off += nla_total_size(len);
	return nla;
}

/*
 * The request (IFINDEX, then the CIDR nests) parsed with the policy of
 * @cmd's attribute set: @policy/@maxtype, CIDRs of type @cidr_type.
 */
static void cidr_nests_parse(struct kunit *test, const struct peer_new_case *c,
			     const struct nla_policy *policy, int maxtype,
			     u16 cidr_type, u16 other_type)
{
	struct nlattr *tb[NP_PEER_A_MAX + NP_MASQ_A_MAX + 2];
	struct nlattr *bad[2][4] = {};
	struct netlink_ext_ack extack = {};
	const struct nlattr *want = NULL;
	u32 one = 1, junk = 7;
	u8 addr[16] = { 10, 1, 0, 0 };
	int i, off = 0, err;
	u8 *buf;

	buf = kunit_kzalloc(test, BUF_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	put_raw(buf, &off, other_type, &one, 4);
	for (i = 0; i < c->ncidr; i++) {
		const struct cidr_nest *n = &c->cidr[i];
		struct nlattr *nest;
		u8 pl = n->plen;

		nest = put_raw(buf, &off, cidr_type | (n->flat ? 0 : NLA_F_NESTED),
			       NULL, 0);
		bad[i][BAD_NEST] = nest;
		if (n->addr_len)
			bad[i][BAD_ADDR] = put_raw(buf, &off, NP_CIDR_A_ADDR4,
						   addr, n->addr_len);
		if (n->plen >= 0)
			bad[i][BAD_PLEN] = put_raw(buf, &off, NP_CIDR_A_PREFIXLEN,
						   &pl, 1);
		if (n->extra)
			bad[i][BAD_EXTRA] = put_raw(buf, &off, n->extra, &junk, 4);
		nest->nla_len = buf + off - (u8 *)nest;
	}
	KUNIT_ASSERT_LE(test, off, BUF_SIZE);

	err = nla_parse(tb, maxtype, (struct nlattr *)buf, off, policy, &extack);

	KUNIT_EXPECT_EQ(test, err, c->err);
	if (c->msg) {
		KUNIT_ASSERT_NOT_NULL_MSG(test, extack._msg,
					  "expected \"%s\"", c->msg);
		KUNIT_EXPECT_STREQ(test, extack._msg, c->msg);
	} else {
		KUNIT_EXPECT_NULL_MSG(test, extack._msg, "got \"%s\"",
				      extack._msg);
	}
	if (c->bad != BAD_NONE)
		want = bad[c->bad_nest][c->bad];
	KUNIT_EXPECT_PTR_EQ(test, extack.bad_attr, want);
}

static void peer_new_parse(struct kunit *test)
{
	cidr_nests_parse(test, test->param_value, np_peer_new_policy,
			 NP_PEER_A_MAX, NP_PEER_A_CIDR, NP_PEER_A_IFINDEX);
}

/* The same nests as NP_MASQ_A_CIDR (after a flags word). */
static void masq_set_parse(struct kunit *test)
{
	cidr_nests_parse(test, test->param_value, np_masq_set_policy,
			 NP_MASQ_A_MAX, NP_MASQ_A_CIDR, NP_MASQ_A_FLAGS);
}

/* NP_OVERLAY_A_VNI: 24 bits, the bound from vxlan_wire.h. */
static void overlay_set_vni(struct kunit *test)
{
	static const struct {
		u32 vni;
		int err;
	} vnis[] = {
		{ 0, 0 }, { 1, 0 }, { NP_VXLAN_VNI_MAX, 0 },
		{ NP_VXLAN_VNI_MAX + 1, -ERANGE }, { U32_MAX, -ERANGE },
	};
	struct nlattr *tb[NP_OVERLAY_A_MAX + 1];
	struct {
		struct nlattr nla;
		u32 vni;
	} req = { { .nla_len = NLA_HDRLEN + 4, .nla_type = NP_OVERLAY_A_VNI } };
	unsigned int i;

	KUNIT_EXPECT_EQ(test, NP_VXLAN_VNI_MAX, 0xffffff);
	for (i = 0; i < ARRAY_SIZE(vnis); i++) {
		struct netlink_ext_ack extack = {};

		req.vni = vnis[i].vni;
		KUNIT_EXPECT_EQ_MSG(test, nla_parse(tb, NP_OVERLAY_A_MAX,
						    &req.nla, sizeof(req),
						    np_overlay_set_policy,
						    &extack),
				    vnis[i].err, "vni %u", vnis[i].vni);
		if (vnis[i].err)
			KUNIT_EXPECT_STREQ(test, extack._msg ?: "",
					   "integer out of range");
	}
}

static struct kunit_case nl_policy_cases[] = {
	KUNIT_CASE_PARAM(info_get_parse, info_get_gen_params),
	KUNIT_CASE(info_get_parse_no_extack),
	KUNIT_CASE(info_get_parse_skb),
	KUNIT_CASE_PARAM(peer_new_parse, peer_new_gen_params),
	KUNIT_CASE_PARAM(masq_set_parse, peer_new_gen_params),
	KUNIT_CASE(overlay_set_vni),
	{}
};

static struct kunit_suite nl_policy_suite = {
	.name = "nodeplane_nl_policy",
	.test_cases = nl_policy_cases,
};

kunit_test_suite(nl_policy_suite);
