// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "events" multicast group of family "nodeplane": a socket of its own
 * that only listens (NP_CMD_POLICY_DROP notifications of its netns),
 * non-blocking, read on the caller's event loop.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/nodeplane.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/socket.h>

#include "nl/msg.h"

struct np_nl_events {
	struct nl_sock *sk;
	int family;
	unsigned char buf[65536] __attribute__((aligned(8)));
};

int np_nl_events_open(struct np_nl_events **out, struct np_err *err)
{
	struct np_nl_events *ev;
	int r, grp;

	*out = NULL;
	np_err_clear(err);
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return np_err_set(err, ENOMEM, "events: out of memory");
	ev->sk = nl_socket_alloc();
	if (!ev->sk) {
		free(ev);
		return np_err_set(err, ENOMEM, "events: cannot allocate a netlink socket");
	}
	r = genl_connect(ev->sk);
	if (r < 0) {
		r = np_err_set(err, np_nl_errno(r),
			       "events: cannot open a generic netlink socket");
		goto fail;
	}
	ev->family = genl_ctrl_resolve(ev->sk, NODEPLANE_GENL_NAME);
	if (ev->family < 0) {
		r = np_err_set(err, ENOENT,
			       "events: generic netlink family \"%s\" not found",
			       NODEPLANE_GENL_NAME);
		goto fail;
	}
	grp = genl_ctrl_resolve_grp(ev->sk, NODEPLANE_GENL_NAME,
				    NODEPLANE_MCGRP_EVENTS);
	if (grp < 0) {
		r = np_err_set(err, ENOENT,
			       "events: the module has no multicast group \"%s\"",
			       NODEPLANE_MCGRP_EVENTS);
		goto fail;
	}
	nl_socket_disable_seq_check(ev->sk);
	r = nl_socket_add_membership(ev->sk, grp);
	if (r < 0) {
		r = np_err_set(err, np_nl_errno(r),
			       "events: cannot join the multicast group \"%s\"%s",
			       NODEPLANE_MCGRP_EVENTS,
			       np_nl_errno(r) == EPERM ?
			       " (CAP_NET_ADMIN required)" : "");
		goto fail;
	}
	r = nl_socket_set_nonblocking(ev->sk);
	if (r < 0) {
		r = np_err_set(err, np_nl_errno(r),
			       "events: cannot make the socket non-blocking");
		goto fail;
	}
	*out = ev;
	return 0;
fail:
	nl_socket_free(ev->sk);
	free(ev);
	return r;
}

void np_nl_events_close(struct np_nl_events *ev)
{
	if (!ev)
		return;
	nl_socket_free(ev->sk);
	free(ev);
}

int np_nl_events_fd(const struct np_nl_events *ev)
{
	return nl_socket_get_fd(ev->sk);
}

int np_nl_events_read(struct np_nl_events *ev,
		      void (*fn)(void *ctx, const struct np_pol_drop *d),
		      void *ctx, unsigned long *bad, struct np_err *err)
{
	int fd = nl_socket_get_fd(ev->sk);

	np_err_clear(err);
	for (;;) {
		struct sockaddr_nl sa;
		socklen_t salen = sizeof(sa);
		struct nlmsghdr *nlh;
		ssize_t n;
		int len;

		n = recvfrom(fd, ev->buf, sizeof(ev->buf), MSG_DONTWAIT,
			     (struct sockaddr *)&sa, &salen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0 && errno == ENOBUFS)
			return np_err_set(err, ENOBUFS,
					  "events: notifications lost (socket overrun)");
		if (n < 0)
			return np_err_set(err, errno, "events: recv");
		if (sa.nl_pid != 0)	/* only the kernel's */
			continue;
		len = (int)n;
		for (nlh = (struct nlmsghdr *)ev->buf; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			const struct genlmsghdr *g;
			struct np_pol_drop d;

			if (nlh->nlmsg_type != ev->family ||
			    nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
				continue;
			g = (const struct genlmsghdr *)NLMSG_DATA(nlh);
			if (g->cmd != NP_CMD_POLICY_DROP)
				continue;
			if (np_nl_pol_drop_parse(nlh, nlh->nlmsg_len, &d,
						 err) < 0) {
				if (bad)
					(*bad)++;
				continue;
			}
			fn(ctx, &d);
		}
	}
}
