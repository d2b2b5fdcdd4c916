// SPDX-License-Identifier: GPL-2.0-only
/*
 * The request machinery (nl/conn.c) against a real kernel, on the host:
 * nodeplane.ko cannot load here, so these drive the kernel's own "netdev"
 * generic-netlink family (Linux >= 6.3), whose DEV_GET validates strictly
 * (GENL_REQ_ATTR_CHECK, NLA_POLICY_MIN(NLA_U32, 1)), as nodeplane's does.
 * Each test SKIPs when that family is absent. Kernel texts are matched
 * exactly only where they have been stable for years.
 */
#include <errno.h>

#include <netlink/attr.h>

#include "check.h"
#include "nlbuf.h"
#include "nl/msg.h"

/* From include/uapi/linux/netdev.h (not in older linux-libc-dev). */
#define NETDEV_FAMILY		"netdev"
#define NETDEV_CMD_DEV_GET	1
#define NETDEV_A_DEV_IFINDEX	1

#define IFINDEX_LO		1

static struct np_nl *nl;
static struct np_err open_err;

static size_t put_u32(struct nb *nb, uint16_t type, uint32_t v)
{
	return nb_u32(nb, type, v);
}

TEST(live_missing_attribute)
{
	struct np_err err;

	if (!nl)
		SKIP("%s", open_err.msg);
	CHECK_INT(np_nl_send_raw(nl, NETDEV_CMD_DEV_GET, NULL, 0, &err), -EINVAL);
	CHECK_INT(err.err, EINVAL);
	/* Names come only from nodeplane's own attribute sets. */
	CHECK_STR(err.msg, "missing attribute 1");
}

TEST(live_unknown_attribute)
{
	struct nb nb = { .len = 0 };
	struct np_err err;

	if (!nl)
		SKIP("%s", open_err.msg);
	put_u32(&nb, NETDEV_A_DEV_IFINDEX, IFINDEX_LO);
	put_u32(&nb, 9, 0);
	CHECK_INT(np_nl_send_raw(nl, NETDEV_CMD_DEV_GET, nb.b, nb.len, &err),
		  -EINVAL);
	CHECK_STR(err.msg, "Unknown attribute type; attribute 9");
}

TEST(live_wrong_length_with_policy)
{
	struct nb nb = { .len = 0 };
	struct np_err err;

	if (!nl)
		SKIP("%s", open_err.msg);
	nb_u64(&nb, NETDEV_A_DEV_IFINDEX, IFINDEX_LO);
	CHECK_INT(np_nl_send_raw(nl, NETDEV_CMD_DEV_GET, nb.b, nb.len, &err),
		  -EINVAL);
	CHECK_CONTAINS(err.msg, "invalid attribute length; attribute 1; "
		       "expected u32");
}

TEST(live_out_of_range)
{
	struct nb nb = { .len = 0 };
	struct np_err err;

	if (!nl)
		SKIP("%s", open_err.msg);
	put_u32(&nb, NETDEV_A_DEV_IFINDEX, 0);
	CHECK_INT(np_nl_send_raw(nl, NETDEV_CMD_DEV_GET, nb.b, nb.len, &err),
		  -ERANGE);
	CHECK_CONTAINS(err.msg, "; attribute 1; expected u32");
}

TEST(live_unpadded_raw_request)
{
	struct nb nb = { .len = 0 };
	struct np_err err;

	if (!nl)
		SKIP("%s", open_err.msg);
	/* A u16 where a u32 belongs, sent without its 2 padding bytes. */
	nb_u16(&nb, NETDEV_A_DEV_IFINDEX, IFINDEX_LO);
	CHECK_INT(np_nl_send_raw(nl, NETDEV_CMD_DEV_GET, nb.b, nb.len - 2, &err),
		  -EINVAL);
	CHECK_CONTAINS(err.msg, "invalid attribute length; attribute 1; "
		       "expected u32");
}

struct replies {
	int n;
	uint32_t ifindex;
};

static int build_lo(struct nl_msg *msg, void *ctx)
{
	(void)ctx;
	return nla_put_u32(msg, NETDEV_A_DEV_IFINDEX, IFINDEX_LO) < 0 ?
	       -EMSGSIZE : 0;
}

static int count_reply(const struct nlmsghdr *nlh, void *ctx,
		       struct np_err *err)
{
	struct replies *r = ctx;
	const struct nlattr *a = (const void *)((const unsigned char *)nlh +
						 NLMSG_HDRLEN + GENL_HDRLEN);

	(void)err;
	r->n++;
	if (nlh->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN + 8 &&
	    a->nla_type == NETDEV_A_DEV_IFINDEX)
		memcpy(&r->ifindex, (const unsigned char *)a + NLA_HDRLEN, 4);
	return 0;
}

static int fail_reply(const struct nlmsghdr *nlh, void *ctx,
		      struct np_err *err)
{
	(void)nlh;
	(void)ctx;
	return np_err_set(err, EBADMSG, "refused by the test");
}

TEST(live_reply_then_ack)
{
	struct replies r = { 0, 0 };
	struct np_err err;

	if (!nl)
		SKIP("%s", open_err.msg);
	CHECK_INT(np_nl_request(nl, NETDEV_CMD_DEV_GET, build_lo, count_reply,
				&r, &err), 0);
	CHECK_INT(r.n, 1);
	CHECK_INT(r.ifindex, IFINDEX_LO);
	CHECK_INT(err.err, 0);
}

TEST(live_parse_failure_drains_to_ack)
{
	struct replies r = { 0, 0 };
	struct np_err err;

	if (!nl)
		SKIP("%s", open_err.msg);
	CHECK_INT(np_nl_request(nl, NETDEV_CMD_DEV_GET, build_lo, fail_reply,
				NULL, &err), -EBADMSG);
	CHECK_STR(err.msg, "refused by the test");
	/* The ACK was consumed: the next request is in sequence. */
	CHECK_INT(np_nl_request(nl, NETDEV_CMD_DEV_GET, build_lo, count_reply,
				&r, &err), 0);
	CHECK_INT(r.n, 1);
}

struct dumped {
	int n;
	int resets;
	bool saw_lo;
};

static int dump_reply(const struct nlmsghdr *nlh, void *ctx,
		      struct np_err *err)
{
	struct dumped *d = ctx;
	struct replies r = { 0, 0 };

	count_reply(nlh, &r, err);
	d->n++;
	if (r.ifindex == IFINDEX_LO)
		d->saw_lo = true;
	return 0;
}

static void dump_reset(void *ctx)
{
	struct dumped *d = ctx;

	d->n = 0;
	d->resets++;
}

/* np_nl_dump(): NLM_F_DUMP, every part up to NLMSG_DONE, then in sequence. */
TEST(live_dump)
{
	struct dumped d = { 0, 0, false };
	struct replies r = { 0, 0 };
	struct np_err err;

	if (!nl)
		SKIP("%s", open_err.msg);
	CHECK_INT(np_nl_dump(nl, NETDEV_CMD_DEV_GET, NULL, dump_reply,
			     dump_reset, &d, &err), 0);
	CHECK(d.n >= 1);
	CHECK(d.saw_lo);
	CHECK_INT(d.resets, 0);
	CHECK_INT(np_nl_request(nl, NETDEV_CMD_DEV_GET, build_lo, count_reply,
				&r, &err), 0);
	CHECK_INT(r.n, 1);
}

/* A dump refused at its start reports the kernel's error like a doit. */
TEST(live_dump_refused)
{
	struct dumped d = { 0, 0, false };
	struct np_err err;

	if (!nl)
		SKIP("%s", open_err.msg);
	CHECK_INT(np_nl_dump(nl, 200, NULL, dump_reply, dump_reset, &d, &err),
		  -EOPNOTSUPP);
	CHECK_INT(err.err, EOPNOTSUPP);
	CHECK_INT(d.n, 0);
	CHECK_INT(d.resets, 0);
	/* The socket stays in sequence. */
	CHECK_INT(np_nl_dump(nl, NETDEV_CMD_DEV_GET, NULL, dump_reply,
			     dump_reset, &d, &err), 0);
	CHECK(d.saw_lo);
}

TEST(live_unknown_command)
{
	struct np_err err;

	if (!nl)
		SKIP("%s", open_err.msg);
	CHECK_INT(np_nl_send_raw(nl, 200, NULL, 0, &err), -EOPNOTSUPP);
	CHECK_INT(err.err, EOPNOTSUPP);
}

TEST(live_absent_family)
{
	struct np_nl *other;
	struct np_err err;

	if (!nl && open_err.err != ENOENT)
		SKIP("netlink unusable here: %s", open_err.msg);
	CHECK_INT(np_nl_open_family(&other, "np-no-such-family", &err), -ENOENT);
	CHECK(other == NULL);
	CHECK_STR(err.msg, "generic netlink family \"np-no-such-family\" not found");
}

int main(void)
{
	if (np_nl_open_family(&nl, NETDEV_FAMILY, &open_err) < 0)
		nl = NULL;
	RUN(live_missing_attribute);
	RUN(live_unknown_attribute);
	RUN(live_wrong_length_with_policy);
	RUN(live_out_of_range);
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
