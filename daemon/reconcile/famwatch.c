// SPDX-License-Identifier: GPL-2.0-only
/*
 * nlctrl's family events (CTRL_CMD_NEWFAMILY, CTRL_CMD_DELFAMILY) on the
 * "notify" multicast group of the generic-netlink controller. Other
 * controller events (multicast groups, policies) are ignored; a message
 * that is not the controller's, or malformed, is skipped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>
#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "reconcile/famwatch.h"

struct np_famwatch {
	struct nl_sock *sk;
	np_famwatch_fn fn;
	void *ctx;
};

static struct nla_policy ctrl_policy[CTRL_ATTR_MAX + 1] = {
	[CTRL_ATTR_FAMILY_ID] = { .type = NLA_U16 },
	[CTRL_ATTR_FAMILY_NAME] = { .type = NLA_STRING,
				    .maxlen = GENL_NAMSIZ },
};

static int on_msg(struct nl_msg *msg, void *arg)
{
	struct np_famwatch *fw = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct genlmsghdr *gh;
	const char *name;
	size_t len;

	if (nlh->nlmsg_type != GENL_ID_CTRL ||
	    !genlmsg_valid_hdr(nlh, 0))
		return NL_SKIP;
	gh = genlmsg_hdr(nlh);
	if (gh->cmd != CTRL_CMD_NEWFAMILY && gh->cmd != CTRL_CMD_DELFAMILY)
		return NL_SKIP;
	if (genlmsg_parse(nlh, 0, tb, CTRL_ATTR_MAX, ctrl_policy) < 0 ||
	    !tb[CTRL_ATTR_FAMILY_NAME])
		return NL_SKIP;
	name = nla_data(tb[CTRL_ATTR_FAMILY_NAME]);
	len = strnlen(name, (size_t)nla_len(tb[CTRL_ATTR_FAMILY_NAME]));
	if (!len || len >= GENL_NAMSIZ ||
	    len == (size_t)nla_len(tb[CTRL_ATTR_FAMILY_NAME]))
		return NL_SKIP;		/* empty, too long or unterminated */
	fw->fn(fw->ctx, name, gh->cmd == CTRL_CMD_NEWFAMILY,
	       tb[CTRL_ATTR_FAMILY_ID] ?
	       nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]) : 0);
	return NL_OK;
}

int np_famwatch_open(struct np_famwatch **out, np_famwatch_fn fn, void *ctx,
		     struct np_err *err)
{
	struct np_famwatch *fw;
	int r, grp;

	*out = NULL;
	np_err_clear(err);
	fw = calloc(1, sizeof(*fw));
	if (!fw)
		return np_err_set(err, ENOMEM, "out of memory");
	fw->fn = fn;
	fw->ctx = ctx;
	fw->sk = nl_socket_alloc();
	if (!fw->sk) {
		free(fw);
		return np_err_set(err, ENOMEM, "cannot allocate a netlink socket");
	}
	/* Events carry no sequence numbers of ours. */
	nl_socket_disable_seq_check(fw->sk);
	nl_socket_modify_cb(fw->sk, NL_CB_VALID, NL_CB_CUSTOM, on_msg, fw);
	r = genl_connect(fw->sk);
	if (r < 0) {
		r = np_err_set(err, np_nl_errno(r),
			       "cannot open a generic netlink socket");
		goto fail;
	}
	grp = genl_ctrl_resolve_grp(fw->sk, "nlctrl", "notify");
	if (grp < 0) {
		r = np_err_set(err, np_nl_errno(grp),
			       "cannot resolve nlctrl's \"notify\" group");
		goto fail;
	}
	r = nl_socket_add_membership(fw->sk, grp);
	if (!r)
		r = nl_socket_set_nonblocking(fw->sk);
	if (r < 0) {
		r = np_err_set(err, np_nl_errno(r),
			       "cannot join nlctrl's \"notify\" group");
		goto fail;
	}
	*out = fw;
	return 0;
fail:
	nl_socket_free(fw->sk);
	free(fw);
	return r;
}

void np_famwatch_close(struct np_famwatch *fw)
{
	if (!fw)
		return;
	nl_socket_free(fw->sk);
	free(fw);
}

int np_famwatch_fd(const struct np_famwatch *fw)
{
	return nl_socket_get_fd(fw->sk);
}

int np_famwatch_read(struct np_famwatch *fw)
{
	int r, lost = 0;

	struct nl_cb *cb = nl_socket_get_cb(fw->sk);
	int ret = 0;

	/* libnl reads one datagram per call and reports EAGAIN as 0. */
	for (;;) {
		r = nl_recvmsgs_report(fw->sk, cb);
		if (r == 0 || r == -NLE_AGAIN) {
			ret = lost ? -ENOBUFS : 0;
			break;
		}
		if (r == -NLE_NOMEM) {		/* ENOBUFS: an overrun */
			lost = 1;
			continue;
		}
		if (r < 0) {
			ret = -np_nl_errno(r);
			break;
		}
	}
	nl_cb_put(cb);
	return ret;
}
