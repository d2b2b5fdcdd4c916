// SPDX-License-Identifier: GPL-2.0-only
/*
 * Dumps: a request with NLM_F_DUMP through np_nl_request(), which reads
 * every part up to NLMSG_DONE (libnl follows NLM_F_MULTI) and reports a
 * dump the kernel marked NLM_F_DUMP_INTR as -EINTR once the socket is
 * drained. Such a dump mixed two generations of the table: its replies are
 * discarded and the dump restarted.
 */
#include <errno.h>

#include <linux/netlink.h>
#include <netlink/msg.h>

#include "nl/msg.h"

/* np_nl_request() hands one ctx to build and parse: ours wraps both. */
struct dump {
	np_nl_build_fn build;
	np_nl_parse_fn parse;
	void *ctx;
};

static int dump_build(struct nl_msg *msg, void *arg)
{
	const struct dump *d = arg;

	/* nl_send_auto() only adds NLM_F_REQUEST and NLM_F_ACK to this. */
	nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_DUMP;
	return d->build ? d->build(msg, d->ctx) : 0;
}

static int dump_parse(const struct nlmsghdr *nlh, void *arg,
		      struct np_err *err)
{
	const struct dump *d = arg;

	return d->parse ? d->parse(nlh, d->ctx, err) : 0;
}

int np_nl_dump(struct np_nl *nl, uint8_t cmd, np_nl_build_fn build,
	       np_nl_parse_fn parse, void (*reset)(void *ctx), void *ctx,
	       struct np_err *err)
{
	struct dump d = { build, parse, ctx };
	int tries, r = 0;

	for (tries = 0; tries < NP_NL_DUMP_TRIES; tries++) {
		if (tries && reset)
			reset(ctx);
		r = np_nl_request(nl, cmd, dump_build, dump_parse, &d, err);
		if (r != -EINTR)
			return r;
	}
	return np_err_set(err, EINTR,
			  "dump interrupted by concurrent updates %d times in a row",
			  NP_NL_DUMP_TRIES);
}

/*
 * libnl allocates requests of a process-wide default size (a page); a
 * chunk of a large update needs more. The default is raised for the
 * request and put back after it (nodeplaned and nodeplanectl are single
 * threaded).
 */
size_t np_nl_msg_size_raise(size_t size)
{
	struct nl_msg *probe = nlmsg_alloc();
	size_t old = probe ? nlmsg_get_max_size(probe) : 0;

	nlmsg_free(probe);
	if (old && old < size)
		nlmsg_set_default_size(size);
	return old < size ? old : 0;
}

void np_nl_msg_size_restore(size_t old)
{
	if (old)
		nlmsg_set_default_size(old);
}
