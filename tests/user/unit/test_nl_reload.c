// SPDX-License-Identifier: GPL-2.0-only
/*
 * A module reload as the request machinery (nl/conn.c) sees it: the
 * family's id changes, so the id it holds is stale. On the host (no
 * nodeplane.ko) a stale id is made by hand on a connection to the kernel's
 * "netdev" family (Linux >= 6.3): an id no family has (genetlink answers
 * ENOENT), or the id of another family (nlctrl, which answers EOPNOTSUPP).
 * The request must still reach netdev, and the generation must count the
 * change. Each test SKIPs when the family is absent.
 */
#include <errno.h>

#include <linux/genetlink.h>
#include <netlink/attr.h>

#include "check.h"
#include "nl/msg.h"

#define NETDEV_FAMILY		"netdev"
#define NETDEV_CMD_DEV_GET	1
#define NETDEV_A_DEV_IFINDEX	1
#define IFINDEX_LO		1
#define UNUSED_ID		1023	/* GENL_MAX_ID: never given out first */

static struct np_err open_err;

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

static struct np_nl *open_netdev(void)
{
	struct np_nl *nl;

	if (np_nl_open_family(&nl, NETDEV_FAMILY, &open_err) < 0)
		return NULL;
	return nl;
}

/* The family's id is gone (module unloaded, loaded again elsewhere). */
TEST(reload_unknown_id_reresolved)
{
	struct replies r = { 0, 0 };
	struct np_nl *nl = open_netdev();
	struct np_err err;
	int id;

	if (!nl)
		SKIP("%s", open_err.msg);
	id = np_nl_family_id(nl);
	CHECK(id != UNUSED_ID);
	CHECK_INT(np_nl_generation(nl), 0);
	np_nl_set_family_id(nl, UNUSED_ID);
	CHECK_INT(np_nl_request(nl, NETDEV_CMD_DEV_GET, build_lo, count_reply,
				&r, &err), 0);
	CHECK_INT(err.err, 0);
	CHECK_INT(r.n, 1);
	CHECK_INT(r.ifindex, IFINDEX_LO);
	CHECK_INT(np_nl_family_id(nl), id);
	CHECK_INT(np_nl_generation(nl), 1);
	/* and it stays: the next request needs no lookup */
	CHECK_INT(np_nl_request(nl, NETDEV_CMD_DEV_GET, build_lo, count_reply,
				&r, &err), 0);
	CHECK_INT(r.n, 2);
	CHECK_INT(np_nl_generation(nl), 1);
	np_nl_close(nl);
}

/* Another family took the id: it refuses the command (EOPNOTSUPP). */
TEST(reload_id_of_another_family_reresolved)
{
	struct replies r = { 0, 0 };
	struct np_nl *nl = open_netdev();
	struct np_err err;
	int id;

	if (!nl)
		SKIP("%s", open_err.msg);
	id = np_nl_family_id(nl);
	np_nl_set_family_id(nl, GENL_ID_CTRL);
	CHECK_INT(np_nl_request(nl, NETDEV_CMD_DEV_GET, build_lo, count_reply,
				&r, &err), 0);
	CHECK_INT(r.n, 1);
	CHECK_INT(r.ifindex, IFINDEX_LO);
	CHECK_INT(np_nl_family_id(nl), id);
	CHECK_INT(np_nl_generation(nl), 1);
	np_nl_close(nl);
}

/* The family's own errors are the caller's: no new id, no retry. */
TEST(reload_family_error_kept)
{
	struct np_nl *nl = open_netdev();
	struct np_err err;
	int id;

	if (!nl)
		SKIP("%s", open_err.msg);
	id = np_nl_family_id(nl);
	CHECK_INT(np_nl_send_raw(nl, NETDEV_CMD_DEV_GET, NULL, 0, &err), -EINVAL);
	CHECK_STR(err.msg, "missing attribute 1");
	/* an unknown command: EOPNOTSUPP from netdev itself, id unchanged */
	CHECK_INT(np_nl_send_raw(nl, 200, NULL, 0, &err), -EOPNOTSUPP);
	CHECK_INT(np_nl_family_id(nl), id);
	CHECK_INT(np_nl_generation(nl), 0);
	np_nl_close(nl);
}

/* An explicit lookup (what a NEWFAMILY event triggers) finds the new id. */
TEST(reload_resolve_now)
{
	struct np_nl *nl = open_netdev();
	struct np_err err;
	int id;

	if (!nl)
		SKIP("%s", open_err.msg);
	id = np_nl_family_id(nl);
	CHECK_INT(np_nl_resolve(nl, &err), 0);
	CHECK_INT(np_nl_generation(nl), 0);	/* same id: no change */
	np_nl_set_family_id(nl, UNUSED_ID);
	CHECK_INT(np_nl_resolve(nl, &err), 0);
	CHECK_INT(np_nl_family_id(nl), id);
	CHECK_INT(np_nl_generation(nl), 1);
	np_nl_close(nl);
}

int main(void)
{
	RUN(reload_unknown_id_reresolved);
	RUN(reload_id_of_another_family_reresolved);
	RUN(reload_family_error_kept);
	RUN(reload_resolve_now);
	return check_summary();
}
