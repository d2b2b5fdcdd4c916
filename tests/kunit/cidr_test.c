// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "nodeplane_cidr": the NP_CIDR_A_* nest of kmod/cidr.c.
 * np_cidr_parse() is fed nests built byte by byte (so malformed ones can be
 * expressed too); each row gives the outcome: error code, extack message,
 * which attribute extack blames (and the policy entry, for policy errors,
 * or the missing attribute), and on success the parsed CIDR. Then the
 * np_cidr_contains() table and np_cidr_put() round trips.
 */
#include "../../kmod/cidr.c"

#include <kunit/test.h>
#include <linux/skbuff.h>

/* KUNIT_EXPECT_MEMEQ is newer than 6.1 */
#define EXPECT_MEMEQ(test, got, want, n)					\
	KUNIT_EXPECT_TRUE_MSG(test, !memcmp(got, want, n),		\
			      "%s is %*phN, want %*phN", #got, (int)(n),	\
			      got, (int)(n), want)

#define MAX_ATTRS 4
#define BUF_SIZE 256
#define OUTER (NP_PEER_A_CIDR | NLA_F_NESTED)

struct cattr {
	u16 type;		/* nla_type, flags included */
	u8 len;			/* payload bytes */
	u8 data[20];
};

/* blame: which attribute extack.bad_attr must point at */
#define BAD_NONE (-1)
#define BAD_NEST (-2)

struct parse_case {
	const char *name;
	struct cattr attrs[MAX_ATTRS];
	int nattrs;
	bool flat;		/* the nest lacks NLA_F_NESTED */
	int trailing;		/* junk bytes after the last inner attribute */
	int err;
	const char *msg;	/* extack._msg; NULL: none */
	int bad;		/* index into attrs, BAD_NEST or BAD_NONE */
	bool pol;		/* extack.policy: np_cidr_policy[type of bad] */
	u16 miss;		/* extack.miss_type (with miss_nest = the nest) */
	/* on success */
	enum np_lpm_family family;
	u8 plen;
	u8 addr[16];
};

#define A4(a, b, c, d) { NP_CIDR_A_ADDR4, 4, { a, b, c, d } }
#define A6(...) { NP_CIDR_A_ADDR6, 16, { __VA_ARGS__ } }
#define PL(n) { NP_CIDR_A_PREFIXLEN, 1, { n } }

#define MSG_ONE "a CIDR needs exactly one of NP_CIDR_A_ADDR4 and NP_CIDR_A_ADDR6"
#define MSG_PLEN "a CIDR needs NP_CIDR_A_PREFIXLEN"
#define MSG_V4LONG "IPv4 prefix length over 32"
#define MSG_HOST "CIDR has host bits set past its prefix length"
#define MSG_RANGE "integer out of range"
#define MSG_BINLEN "binary attribute size out of range"
#define MSG_ATTRLEN "invalid attribute length"

static const struct parse_case parse_cases[] = {
	/* accepted */
	{ "v4 10.42.0.0/16", { A4(10, 42, 0, 0), PL(16) }, 2, .bad = BAD_NONE,
	  .family = NP_LPM_V4, .plen = 16, .addr = { 10, 42 } },
	{ "v4 0.0.0.0/0", { A4(0, 0, 0, 0), PL(0) }, 2, .bad = BAD_NONE,
	  .family = NP_LPM_V4, .plen = 0 },
	{ "v4 host /32", { A4(10, 42, 1, 7), PL(32) }, 2, .bad = BAD_NONE,
	  .family = NP_LPM_V4, .plen = 32, .addr = { 10, 42, 1, 7 } },
	{ "v4 255.255.255.255/32", { A4(255, 255, 255, 255), PL(32) }, 2,
	  .bad = BAD_NONE, .family = NP_LPM_V4, .plen = 32,
	  .addr = { 255, 255, 255, 255 } },
	{ "v4 10.42.0.0/15 (last prefix bit 0)", { A4(10, 42, 0, 0), PL(15) }, 2,
	  .bad = BAD_NONE, .family = NP_LPM_V4, .plen = 15, .addr = { 10, 42 } },
	{ "v4 prefixlen first", { PL(24), A4(10, 42, 3, 0) }, 2, .bad = BAD_NONE,
	  .family = NP_LPM_V4, .plen = 24, .addr = { 10, 42, 3 } },
	{ "v4 addr twice, last wins", { A4(10, 1, 0, 0), A4(10, 42, 0, 0), PL(16) },
	  3, .bad = BAD_NONE, .family = NP_LPM_V4, .plen = 16, .addr = { 10, 42 } },
	{ "v6 2001:db8:42::/48",
	  { A6(0x20, 0x01, 0x0d, 0xb8, 0, 0x42), PL(48) }, 2, .bad = BAD_NONE,
	  .family = NP_LPM_V6, .plen = 48,
	  .addr = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x42 } },
	{ "v6 ::/0", { A6(0), PL(0) }, 2, .bad = BAD_NONE,
	  .family = NP_LPM_V6, .plen = 0 },
	{ "v6 host /128",
	  { A6(0x20, 0x01, 0x0d, 0xb8, [15] = 1), PL(128) }, 2, .bad = BAD_NONE,
	  .family = NP_LPM_V6, .plen = 128,
	  .addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } },
	{ "v6 ::2/127", { A6([15] = 2), PL(127) }, 2, .bad = BAD_NONE,
	  .family = NP_LPM_V6, .plen = 127, .addr = { [15] = 2 } },
	{ "v6 fd00::/8", { PL(8), A6(0xfd) }, 2, .bad = BAD_NONE,
	  .family = NP_LPM_V6, .plen = 8, .addr = { 0xfd } },

	/* the nest itself */
	{ "nest without NLA_F_NESTED", { A4(10, 42, 0, 0), PL(16) }, 2,
	  .flat = true, .err = -EINVAL, .msg = "NLA_F_NESTED is missing",
	  .bad = BAD_NEST },
	{ "empty nest", { }, 0, .err = -EINVAL, .msg = MSG_ONE, .bad = BAD_NEST },
	{ "2 trailing bytes", { A4(10, 42, 0, 0), PL(16) }, 2, .trailing = 2,
	  .err = -EINVAL, .msg = "bytes leftover after parsing attributes",
	  .bad = BAD_NONE },

	/* which attributes */
	{ "both addresses", { A4(10, 42, 0, 0), A6(0xfd), PL(8) }, 3,
	  .err = -EINVAL, .msg = MSG_ONE, .bad = BAD_NEST },
	{ "no address", { PL(16) }, 1, .err = -EINVAL, .msg = MSG_ONE,
	  .bad = BAD_NEST },
	{ "v4 without prefixlen", { A4(10, 42, 0, 0) }, 1, .err = -EINVAL,
	  .msg = MSG_PLEN, .bad = BAD_NEST, .miss = NP_CIDR_A_PREFIXLEN },
	{ "v6 without prefixlen", { A6(0xfd) }, 1, .err = -EINVAL,
	  .msg = MSG_PLEN, .bad = BAD_NEST, .miss = NP_CIDR_A_PREFIXLEN },
	{ "type 0", { { NP_CIDR_A_UNSPEC, 4 }, A4(10, 42, 0, 0), PL(16) }, 3,
	  .err = -EINVAL, .msg = "Unknown attribute type", .bad = 0 },
	{ "type MAX+1", { A4(10, 42, 0, 0), PL(16), { NP_CIDR_A_MAX + 1, 4 } }, 3,
	  .err = -EINVAL, .msg = "Unknown attribute type", .bad = 2 },

	/* prefix length */
	{ "v4 /33", { A4(10, 42, 0, 0), PL(33) }, 2, .err = -EINVAL,
	  .msg = MSG_V4LONG, .bad = 1 },
	{ "v4 /128", { A4(10, 42, 0, 0), PL(128) }, 2, .err = -EINVAL,
	  .msg = MSG_V4LONG, .bad = 1 },
	/* over 128 the policy (NLA_POLICY_MAX 128) answers first */
	{ "v4 /129", { A4(10, 42, 0, 0), PL(129) }, 2, .err = -ERANGE,
	  .msg = MSG_RANGE, .bad = 1, .pol = true },
	{ "v6 /129", { A6(0xfd), PL(129) }, 2, .err = -ERANGE,
	  .msg = MSG_RANGE, .bad = 1, .pol = true },
	{ "v6 /255", { PL(255), A6(0xfd) }, 2, .err = -ERANGE,
	  .msg = MSG_RANGE, .bad = 0, .pol = true },

	/* host bits */
	{ "v4 10.42.1.1/24", { A4(10, 42, 1, 1), PL(24) }, 2, .err = -EINVAL,
	  .msg = MSG_HOST, .bad = 0 },
	{ "v4 10.43.0.0/15 (first host bit)", { A4(10, 43, 0, 0), PL(15) }, 2,
	  .err = -EINVAL, .msg = MSG_HOST, .bad = 0 },
	{ "v4 0.0.0.1/0", { PL(0), A4(0, 0, 0, 1) }, 2, .err = -EINVAL,
	  .msg = MSG_HOST, .bad = 1 },
	{ "v4 128.0.0.0/0", { A4(128, 0, 0, 0), PL(0) }, 2, .err = -EINVAL,
	  .msg = MSG_HOST, .bad = 0 },
	{ "v6 ::1/127", { A6([15] = 1), PL(127) }, 2, .err = -EINVAL,
	  .msg = MSG_HOST, .bad = 0 },
	{ "v6 2001:db8:42:1::/48",
	  { A6(0x20, 0x01, 0x0d, 0xb8, 0, 0x42, 0, 1), PL(48) }, 2,
	  .err = -EINVAL, .msg = MSG_HOST, .bad = 0 },
	{ "v6 8000::/0", { A6(0x80), PL(0) }, 2, .err = -EINVAL,
	  .msg = MSG_HOST, .bad = 0 },

	/* lengths */
	{ "addr4 of 3 bytes", { { NP_CIDR_A_ADDR4, 3, { 10, 42 } }, PL(16) }, 2,
	  .err = -ERANGE, .msg = MSG_BINLEN, .bad = 0, .pol = true },
	{ "addr4 of 5 bytes", { { NP_CIDR_A_ADDR4, 5, { 10, 42 } }, PL(16) }, 2,
	  .err = -ERANGE, .msg = MSG_BINLEN, .bad = 0, .pol = true },
	{ "addr4 of 16 bytes", { { NP_CIDR_A_ADDR4, 16, { 10, 42 } }, PL(16) }, 2,
	  .err = -ERANGE, .msg = MSG_BINLEN, .bad = 0, .pol = true },
	{ "addr4 empty", { PL(0), { NP_CIDR_A_ADDR4, 0 } }, 2,
	  .err = -ERANGE, .msg = MSG_BINLEN, .bad = 1, .pol = true },
	{ "addr6 of 4 bytes", { { NP_CIDR_A_ADDR6, 4, { 0xfd } }, PL(8) }, 2,
	  .err = -ERANGE, .msg = MSG_BINLEN, .bad = 0, .pol = true },
	{ "addr6 of 15 bytes", { { NP_CIDR_A_ADDR6, 15, { 0xfd } }, PL(8) }, 2,
	  .err = -ERANGE, .msg = MSG_BINLEN, .bad = 0, .pol = true },
	{ "addr6 of 17 bytes", { { NP_CIDR_A_ADDR6, 17, { 0xfd } }, PL(8) }, 2,
	  .err = -ERANGE, .msg = MSG_BINLEN, .bad = 0, .pol = true },
	{ "prefixlen as u32", { A4(10, 42, 0, 0), { NP_CIDR_A_PREFIXLEN, 4, { 16 } } },
	  2, .err = -EINVAL, .msg = MSG_ATTRLEN, .bad = 1, .pol = true },
	{ "prefixlen empty", { A4(10, 42, 0, 0), { NP_CIDR_A_PREFIXLEN, 0 } },
	  2, .err = -EINVAL, .msg = MSG_ATTRLEN, .bad = 1, .pol = true },
	{ "addr4 flagged NLA_F_NESTED",
	  { { NP_CIDR_A_ADDR4 | NLA_F_NESTED, 4, { 10, 42 } }, PL(16) }, 2,
	  .err = -EINVAL, .msg = "NLA_F_NESTED not expected", .bad = 0,
	  .pol = true },
};

static void parse_case_desc(const struct parse_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(parse, parse_cases, parse_case_desc);

/* Build the nest at @buf; @at[i] gets the i-th inner attribute. */
static int build_nest(u8 *buf, const struct parse_case *c, struct nlattr **at)
{
	struct nlattr *nest = (struct nlattr *)buf;
	int i, off = NLA_HDRLEN;

	for (i = 0; i < c->nattrs; i++) {
		struct nlattr *nla = (struct nlattr *)(buf + off);

		nla->nla_type = c->attrs[i].type;
		nla->nla_len = nla_attr_size(c->attrs[i].len);
		memcpy(nla_data(nla), c->attrs[i].data, c->attrs[i].len);
		at[i] = nla;
		off += nla_total_size(c->attrs[i].len);
	}
	memset(buf + off, 0xa5, c->trailing);
	off += c->trailing;
	nest->nla_type = c->flat ? NP_PEER_A_CIDR : OUTER;
	nest->nla_len = off;
	return off;
}

static void cidr_parse(struct kunit *test)
{
	const struct parse_case *c = test->param_value;
	struct netlink_ext_ack extack = {};
	struct nlattr *at[MAX_ATTRS] = {};
	const struct nlattr *bad = NULL;
	struct np_cidr cidr;
	u8 *buf;
	int err;

	buf = kunit_kzalloc(test, BUF_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	build_nest(buf, c, at);
	memset(&cidr, 0xa5, sizeof(cidr));

	err = np_cidr_parse((struct nlattr *)buf, &cidr, &extack);

	KUNIT_EXPECT_EQ(test, err, c->err);
	if (c->msg) {
		KUNIT_ASSERT_NOT_NULL_MSG(test, extack._msg,
					  "expected \"%s\"", c->msg);
		KUNIT_EXPECT_STREQ(test, extack._msg, c->msg);
	} else {
		KUNIT_EXPECT_NULL_MSG(test, extack._msg, "got \"%s\"",
				      extack._msg);
	}
	if (c->bad == BAD_NEST)
		bad = (struct nlattr *)buf;
	else if (c->bad >= 0)
		bad = at[c->bad];
	KUNIT_EXPECT_PTR_EQ(test, extack.bad_attr, bad);
	if (c->pol)
		KUNIT_EXPECT_PTR_EQ(test, extack.policy,
				    &np_cidr_policy[nla_type(at[c->bad])]);
	else
		KUNIT_EXPECT_NULL(test, extack.policy);
	KUNIT_EXPECT_EQ(test, extack.miss_type, c->miss);
	KUNIT_EXPECT_PTR_EQ(test, extack.miss_nest,
			    c->miss ? (const struct nlattr *)buf : NULL);

	/* without an extack: the same verdict, and no NULL dereference */
	KUNIT_EXPECT_EQ(test, np_cidr_parse((struct nlattr *)buf, &cidr, NULL),
			c->err);
	if (c->err)
		return;

	KUNIT_EXPECT_EQ(test, cidr.family, c->family);
	KUNIT_EXPECT_EQ(test, cidr.plen, c->plen);
	/* all 16 bytes: an IPv4 address is followed by zeros */
	EXPECT_MEMEQ(test, cidr.addr, c->addr, 16);
}

/* ---- np_cidr_contains ---- */

struct contains_case {
	const char *name;
	struct np_cidr cidr;
	enum np_lpm_family fam;
	u8 addr[16];
	bool in;
};

#define V4(p, ...) { NP_LPM_V4, p, { __VA_ARGS__ } }
#define V6(p, ...) { NP_LPM_V6, p, { __VA_ARGS__ } }
#define DB8 0x20, 0x01, 0x0d, 0xb8

static const struct contains_case contains_cases[] = {
	{ "10.42/16 has 10.42.0.0", V4(16, 10, 42), NP_LPM_V4, { 10, 42 }, true },
	{ "10.42/16 has 10.42.255.255", V4(16, 10, 42), NP_LPM_V4,
	  { 10, 42, 255, 255 }, true },
	{ "10.42/16 not 10.43.0.0", V4(16, 10, 42), NP_LPM_V4, { 10, 43 }, false },
	{ "10.42/16 not 10.41.255.255", V4(16, 10, 42), NP_LPM_V4,
	  { 10, 41, 255, 255 }, false },
	{ "10.42/16 not 11.42.0.0", V4(16, 10, 42), NP_LPM_V4, { 11, 42 }, false },
	{ "10.42/16 not a v6 address", V4(16, 10, 42), NP_LPM_V6, { 10, 42 },
	  false },
	{ "10.42.128/17 has 10.42.200.1", V4(17, 10, 42, 128), NP_LPM_V4,
	  { 10, 42, 200, 1 }, true },
	{ "10.42.128/17 not 10.42.127.255", V4(17, 10, 42, 128), NP_LPM_V4,
	  { 10, 42, 127, 255 }, false },
	{ "10.42.1.0/31 has .1", V4(31, 10, 42, 1, 0), NP_LPM_V4,
	  { 10, 42, 1, 1 }, true },
	{ "10.42.1.0/31 not .2", V4(31, 10, 42, 1, 0), NP_LPM_V4,
	  { 10, 42, 1, 2 }, false },
	{ "0/0 has 0.0.0.0", V4(0), NP_LPM_V4, { 0 }, true },
	{ "0/0 has 255.255.255.255", V4(0), NP_LPM_V4, { 255, 255, 255, 255 },
	  true },
	{ "0/0 v4 not v6 ::", V4(0), NP_LPM_V6, { 0 }, false },
	{ "host /32 has itself", V4(32, 10, 42, 1, 7), NP_LPM_V4,
	  { 10, 42, 1, 7 }, true },
	{ "host /32 not .6", V4(32, 10, 42, 1, 7), NP_LPM_V4, { 10, 42, 1, 6 },
	  false },
	{ "host /32 not .15", V4(32, 10, 42, 1, 7), NP_LPM_V4, { 10, 42, 1, 15 },
	  false },
	{ "db8:42::/48 has db8:42:ffff::1", V6(48, DB8, 0, 0x42), NP_LPM_V6,
	  { DB8, 0, 0x42, 0xff, 0xff, [15] = 1 }, true },
	{ "db8:42::/48 not db8:43::", V6(48, DB8, 0, 0x42), NP_LPM_V6,
	  { DB8, 0, 0x43 }, false },
	{ "db8:42::/48 not a v4 address", V6(48, DB8, 0, 0x42), NP_LPM_V4,
	  { DB8, 0, 0x42 }, false },
	{ "db8:42:80::/57 has db8:42:ff::", V6(57, DB8, 0, 0x42, 0, 0x80),
	  NP_LPM_V6, { DB8, 0, 0x42, 0, 0xff }, true },
	{ "db8:42:80::/57 not db8:42:7f::", V6(57, DB8, 0, 0x42, 0, 0x80),
	  NP_LPM_V6, { DB8, 0, 0x42, 0, 0x7f }, false },
	{ "db8:42:80::/57 not db8:42:180::", V6(57, DB8, 0, 0x42, 0, 0x80),
	  NP_LPM_V6, { DB8, 0, 0x42, 1, 0x80 }, false },
	{ "::/0 has ffff::", V6(0), NP_LPM_V6, { 0xff, 0xff }, true },
	{ "::/0 v6 not v4 0.0.0.0", V6(0), NP_LPM_V4, { 0 }, false },
	{ "db8::1/128 has itself", V6(128, DB8, [15] = 1), NP_LPM_V6,
	  { DB8, [15] = 1 }, true },
	{ "db8::1/128 not db8::", V6(128, DB8, [15] = 1), NP_LPM_V6,
	  { DB8 }, false },
	{ "db8::1/128 not db8::1 with bit 0 flipped", V6(128, DB8, [15] = 1),
	  NP_LPM_V6, { 0xa0, 0x01, 0x0d, 0xb8, [15] = 1 }, false },
	{ "::/127 has ::1", V6(127), NP_LPM_V6, { [15] = 1 }, true },
	{ "::/127 not ::2", V6(127), NP_LPM_V6, { [15] = 2 }, false },
};

static void contains_case_desc(const struct contains_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(contains, contains_cases, contains_case_desc);

static void cidr_contains(struct kunit *test)
{
	const struct contains_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, np_cidr_contains(&c->cidr, c->fam, c->addr), c->in);
}

/* ---- np_cidr_put ---- */

static const struct np_cidr put_cases[] = {
	V4(0),
	V4(16, 10, 42),
	V4(32, 255, 255, 255, 255),
	V6(0),
	V6(48, DB8, 0, 0x42),
	V6(64, DB8, 0, 0x42, 0, 5),
	V6(128, DB8, [15] = 1),
};

static void put_case_desc(const struct np_cidr *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s %*phN/%u",
		 c->family == NP_LPM_V4 ? "v4" : "v6",
		 c->family == NP_LPM_V4 ? 4 : 16, c->addr, c->plen);
}

KUNIT_ARRAY_PARAM(put, put_cases, put_case_desc);

/*
 * Put as a nest, check its layout (NLA_F_NESTED, one address of the right
 * type and width, a u8 prefix length, nothing else), parse it back.
 */
static void cidr_put_roundtrip(struct kunit *test)
{
	const struct np_cidr *c = test->param_value;
	unsigned int alen = c->family == NP_LPM_V4 ? 4 : 16;
	int atype = c->family == NP_LPM_V4 ? NP_CIDR_A_ADDR4 : NP_CIDR_A_ADDR6;
	int total = NLA_HDRLEN + nla_total_size(alen) + nla_total_size(1);
	struct netlink_ext_ack extack = {};
	struct nlattr *nest, *nla;
	struct np_cidr back;
	struct sk_buff *skb;
	int rem, seen = 0;

	skb = alloc_skb(256, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_EXPECT_EQ(test, np_cidr_put(skb, NP_PEER_A_CIDR, c), 0);
	KUNIT_EXPECT_EQ(test, skb->len, (unsigned int)total);
	nest = (struct nlattr *)skb->data;
	KUNIT_EXPECT_EQ(test, nest->nla_type, (u16)(NP_PEER_A_CIDR | NLA_F_NESTED));
	KUNIT_EXPECT_EQ(test, nest->nla_len, (u16)total);
	nla_for_each_nested(nla, nest, rem) {
		seen++;
		if (nla_type(nla) == atype) {
			KUNIT_EXPECT_EQ(test, nla_len(nla), (int)alen);
			EXPECT_MEMEQ(test, nla_data(nla), c->addr, alen);
		} else if (nla_type(nla) == NP_CIDR_A_PREFIXLEN) {
			KUNIT_EXPECT_EQ(test, nla_len(nla), 1);
			KUNIT_EXPECT_EQ(test, nla_get_u8(nla), c->plen);
		} else {
			KUNIT_FAIL(test, "unexpected attribute type %u", nla->nla_type);
		}
	}
	KUNIT_EXPECT_EQ(test, rem, 0);
	KUNIT_EXPECT_EQ(test, seen, 2);

	memset(&back, 0x5a, sizeof(back));
	KUNIT_EXPECT_EQ(test, np_cidr_parse(nest, &back, &extack), 0);
	KUNIT_EXPECT_NULL(test, extack._msg);
	KUNIT_EXPECT_EQ(test, back.family, c->family);
	KUNIT_EXPECT_EQ(test, back.plen, c->plen);
	EXPECT_MEMEQ(test, back.addr, c->addr, 16);
	kfree_skb(skb);
}

/*
 * Not enough room, by every byte count short of it: -EMSGSIZE and the skb
 * exactly as it was (no half-written nest left behind); with just enough
 * room, success.
 */
static void cidr_put_emsgsize(struct kunit *test)
{
	const struct np_cidr *c = test->param_value;
	unsigned int alen = c->family == NP_LPM_V4 ? 4 : 16;
	int total = NLA_HDRLEN + nla_total_size(alen) + nla_total_size(1);
	struct sk_buff *skb;
	int room;

	skb = alloc_skb(256, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	for (room = 0; room <= total; room++) {
		unsigned int before;

		skb_trim(skb, 0);
		skb_put_data(skb, "prefix", 6);
		skb_put(skb, skb_tailroom(skb) - room);
		before = skb->len;
		if (room < total) {
			KUNIT_EXPECT_EQ_MSG(test, np_cidr_put(skb, NP_MASQ_A_CIDR, c),
					    -EMSGSIZE, "room %d", room);
			KUNIT_EXPECT_EQ_MSG(test, skb->len, before, "room %d", room);
		} else {
			KUNIT_EXPECT_EQ(test, np_cidr_put(skb, NP_MASQ_A_CIDR, c), 0);
			KUNIT_EXPECT_EQ(test, skb->len, before + total);
		}
	}
	kfree_skb(skb);
}

static struct kunit_case cidr_cases[] = {
	KUNIT_CASE_PARAM(cidr_parse, parse_gen_params),
	KUNIT_CASE_PARAM(cidr_contains, contains_gen_params),
	KUNIT_CASE_PARAM(cidr_put_roundtrip, put_gen_params),
	KUNIT_CASE_PARAM(cidr_put_emsgsize, put_gen_params),
	{}
};

static struct kunit_suite cidr_suite = {
	.name = "nodeplane_cidr",
	.test_cases = cidr_cases,
};

kunit_test_suite(cidr_suite);
