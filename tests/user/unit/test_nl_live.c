// SPDX-License-Identifier: GPL-2.0-only
/*
 * The request machinery (nl/conn.c) against a real kernel, on the host:
 * nodeplane.ko cannot load here, so these drive the kernel's own generic
 * netlink controller "nlctrl", present in every kernel: GETFAMILY (doit and
 * dump) and GETPOLICY, whose dump validates its attributes strictly (type,
 * exact length, string length), with the policy in the extended ACK, as
 * nodeplane's commands do. Failing to open nlctrl is a failure, not a skip.
 * The one request nlctrl cannot refuse with a missing-attribute report goes
 * to "ethtool" (Linux >= 5.6 with CONFIG_ETHTOOL_NETLINK, as Debian's),
 * skipped only if that family does not exist. Kernel texts are matched
 * exactly only where they have been stable for years (6.1 to 6.18 at least).
 */
#include <errno.h>

#include <netlink/attr.h>
#include <netlink/msg.h>
#include <linux/ethtool_netlink.h>

#include "check.h"
#include "nlbuf.h"
#include "nl/msg.h"

#define NLCTRL_NAME_MAX		15	/* GENL_NAMSIZ - 1 */

static struct np_nl *nl;
static struct np_err open_err;

#define NEED_NL() do {							\
	if (!nl)							\
		CHECK_FAIL("cannot open the generic netlink family nlctrl "	\
			   "(every kernel has it): %s", open_err.msg);	\
} while (0)

/*
 * One context for a request's build, parse and reset callbacks: the family
 * name to ask for, and what the replies held.
 */
struct q {
	const char *name;
	int n;		/* replies */
	int id;		/* CTRL_ATTR_FAMILY_ID of the last reply, or -1 */
	bool saw_nlctrl;
};

static int put_name(struct nl_msg *msg, void *ctx)
{
	const struct q *q = ctx;

	return nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, q->name) < 0 ?
	       -EMSGSIZE : 0;
}

static int put_name_and_200(struct nl_msg *msg, void *ctx)
{
	const struct q *q = ctx;

	if (nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, q->name) < 0 ||
	    nla_put_u32(msg, 200, 0) < 0)
		return -EMSGSIZE;
	return 0;
}

static int put_id_as_u32(struct nl_msg *msg, void *ctx)
{
	(void)ctx;
	return nla_put_u32(msg, CTRL_ATTR_FAMILY_ID, GENL_ID_CTRL) < 0 ?
	       -EMSGSIZE : 0;
}

static int count_reply(const struct nlmsghdr *nlh, void *ctx,
		       struct np_err *err)
{
	struct q *q = ctx;
	struct nlattr *a;
	int rem;

	(void)err;
	q->n++;
	q->id = -1;
	nla_for_each_attr(a, (struct nlattr *)((unsigned char *)nlh +
					       NLMSG_HDRLEN + GENL_HDRLEN),
			  (int)nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN,
			  rem) {
		if (nla_type(a) == CTRL_ATTR_FAMILY_ID && nla_len(a) == 2)
			q->id = nla_get_u16(a);
		if (nla_type(a) == CTRL_ATTR_FAMILY_NAME &&
		    !strcmp(nla_get_string(a), "nlctrl"))
			q->saw_nlctrl = true;
	}
	return 0;
}

static void reset_replies(void *ctx)
{
	struct q *q = ctx;

	q->n = 0;
	q->saw_nlctrl = false;
}

static int fail_reply(const struct nlmsghdr *nlh, void *ctx,
		      struct np_err *err)
{
	(void)nlh;
	(void)ctx;
	return np_err_set(err, EBADMSG, "refused by the test");
}

/* An attribute type past the policy: strict validation refuses it. */
TEST(live_unknown_attribute)
{
	struct q q = { "nlctrl", 0, -1, false };
	struct np_err err;

	NEED_NL();
	CHECK_INT(np_nl_dump(nl, CTRL_CMD_GETPOLICY, put_name_and_200,
			     count_reply, reset_replies, &q, &err), -EINVAL);
	CHECK_INT(err.err, EINVAL);
	CHECK_STR(err.msg, "Unknown attribute type; attribute 200");
	CHECK_INT(q.n, 0);
}

/* A u32 where the policy has a u16: the attribute and its policy named. */
TEST(live_wrong_length_with_policy)
{
	struct q q = { NULL, 0, -1, false };
	struct np_err err;

	NEED_NL();
	CHECK_INT(np_nl_dump(nl, CTRL_CMD_GETPOLICY, put_id_as_u32,
			     count_reply, reset_replies, &q, &err), -EINVAL);
	CHECK_STR(err.msg, "invalid attribute length; attribute 1; "
		  "expected u16");
	CHECK_INT(q.n, 0);
}

/* A family name longer than the policy's 15 bytes: the maximum reported. */
TEST(live_string_too_long_with_policy)
{
	char name[NLCTRL_NAME_MAX + 2];
	struct q q = { name, 0, -1, false };
	struct np_err err;

	NEED_NL();
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	CHECK_INT(np_nl_dump(nl, CTRL_CMD_GETPOLICY, put_name, count_reply,
			     reset_replies, &q, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "; attribute 2; expected NUL-terminated "
		       "string of length <= 15");
}

/* The attribute bytes go out exactly as given, the last one unpadded: the
 * kernel finds the name (7 bytes, no padding) and answers. */
TEST(live_unpadded_raw_request)
{
	struct nb nb = { .len = 0 };
	struct np_err err;

	NEED_NL();
	nb_str(&nb, CTRL_ATTR_FAMILY_NAME, "nlctrl");
	CHECK_INT(nb.len, 12);
	CHECK_INT(np_nl_send_raw(nl, CTRL_CMD_GETFAMILY, nb.b, nb.len - 1,
				 &err), 0);
	CHECK_INT(err.err, 0);
	/* The name without its NUL, unpadded: refused by the policy. */
	nb.len = 0;
	nb_attr(&nb, CTRL_ATTR_FAMILY_NAME, "nlctrl", 6);
	CHECK_INT(np_nl_send_raw(nl, CTRL_CMD_GETFAMILY, nb.b, nb.len - 2,
				 &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "; attribute 2; expected NUL-terminated "
		       "string of length <= 15");
}

TEST(live_reply_then_ack)
{
	struct q r = { "nlctrl", 0, -1, false };
	struct np_err err;

	NEED_NL();
	CHECK_INT(np_nl_request(nl, CTRL_CMD_GETFAMILY, put_name, count_reply,
				&r, &err), 0);
	CHECK_INT(r.n, 1);
	CHECK_INT(r.id, GENL_ID_CTRL);
	CHECK(r.saw_nlctrl);
	CHECK_INT(err.err, 0);
}

TEST(live_parse_failure_drains_to_ack)
{
	struct q r = { "nlctrl", 0, -1, false };
	struct np_err err;

	NEED_NL();
	CHECK_INT(np_nl_request(nl, CTRL_CMD_GETFAMILY, put_name, fail_reply,
				&r, &err), -EBADMSG);
	CHECK_STR(err.msg, "refused by the test");
	/* The ACK was consumed: the next request is in sequence. */
	CHECK_INT(np_nl_request(nl, CTRL_CMD_GETFAMILY, put_name, count_reply,
				&r, &err), 0);
	CHECK_INT(r.n, 1);
	CHECK_INT(r.id, GENL_ID_CTRL);
}

/* np_nl_dump(): NLM_F_DUMP, every part up to NLMSG_DONE, then in sequence. */
TEST(live_dump)
{
	struct q d = { NULL, 0, -1, false }, p = { "nlctrl", 0, -1, false };
	struct q r = { "nlctrl", 0, -1, false };
	struct np_err err;

	NEED_NL();
	CHECK_INT(np_nl_dump(nl, CTRL_CMD_GETFAMILY, NULL, count_reply,
			     reset_replies, &d, &err), 0);
	CHECK(d.n >= 1);
	CHECK(d.saw_nlctrl);
	/* A strictly validated dump that passes: nlctrl's own policies. */
	CHECK_INT(np_nl_dump(nl, CTRL_CMD_GETPOLICY, put_name, count_reply,
			     reset_replies, &p, &err), 0);
	CHECK(p.n >= 2);
	CHECK_INT(np_nl_request(nl, CTRL_CMD_GETFAMILY, put_name, count_reply,
				&r, &err), 0);
	CHECK_INT(r.n, 1);
}

/* A dump refused at its start reports the kernel's error like a doit. */
TEST(live_dump_refused)
{
	struct q d = { NULL, 0, -1, false };
	struct np_err err;

	NEED_NL();
	CHECK_INT(np_nl_dump(nl, 200, NULL, count_reply, reset_replies, &d,
			     &err), -EOPNOTSUPP);
	CHECK_INT(err.err, EOPNOTSUPP);
	CHECK_INT(d.n, 0);
	/* The socket stays in sequence. */
	CHECK_INT(np_nl_dump(nl, CTRL_CMD_GETFAMILY, NULL, count_reply,
			     reset_replies, &d, &err), 0);
	CHECK(d.saw_nlctrl);
}

TEST(live_unknown_command)
{
	struct np_err err;

	NEED_NL();
	CHECK_INT(np_nl_send_raw(nl, 200, NULL, 0, &err), -EOPNOTSUPP);
	CHECK_INT(err.err, EOPNOTSUPP);
}

TEST(live_absent_family)
{
	struct np_nl *other;
	struct np_err err;

	NEED_NL();
	CHECK_INT(np_nl_open_family(&other, "np-no-such-family", &err), -ENOENT);
	CHECK(other == NULL);
	CHECK_STR(err.msg, "generic netlink family \"np-no-such-family\" not found");
}

/* A required attribute missing: the kernel names it (NLMSGERR_ATTR_MISS_TYPE).
 * ethtool's GET commands require their header (GENL_REQ_ATTR_CHECK). */
TEST(live_missing_attribute)
{
	struct np_nl *eth;
	struct np_err err;
	int r;

	NEED_NL();
	r = np_nl_open_family(&eth, "ethtool", &err);
	if (r == -ENOENT)
		SKIP("missing: the ethtool generic netlink family (CONFIG_ETHTOOL_NETLINK)");
	if (r < 0)
		CHECK_FAIL("cannot open ethtool: %s", err.msg);
	r = np_nl_send_raw(eth, ETHTOOL_MSG_LINKSTATE_GET, NULL, 0, &err);
	np_nl_close(eth);
	CHECK_INT(r, -EINVAL);
	CHECK_INT(err.err, EINVAL);
	/* Names come only from nodeplane's own attribute sets. */
	CHECK_STR(err.msg, "missing attribute 1");
}

int main(void)
{
	if (np_nl_open_family(&nl, "nlctrl", &open_err) < 0)
		nl = NULL;
	RUN(live_missing_attribute);
	RUN(live_unknown_attribute);
	RUN(live_wrong_length_with_policy);
	RUN(live_string_too_long_with_policy);
	RUN(live_unpadded_raw_request);
	RUN(live_reply_then_ack);
	RUN(live_parse_failure_drains_to_ack);
	RUN(live_dump);
	RUN(live_dump_refused);
	RUN(live_unknown_command);
	RUN(live_absent_family);
	np_nl_close(nl);
	return check_summary();
}
