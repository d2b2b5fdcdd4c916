// SPDX-License-Identifier: GPL-2.0-only
/*
 * The connection: one libnl generic-netlink socket bound to family
 * "nodeplane", and the request/ACK machinery every command goes through.
 *
 * libnl 3.7 reads one datagram per nl_recvmsgs() call unless NLM_F_MULTI
 * is set, and calls the error callback (with a pointer to the nlmsgerr
 * inside the received message) only for a non-zero status. A request is
 * therefore read in a loop until its ACK, its error or an NLMSG_DONE.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <linux/nodeplane.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "nl/msg.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct np_nl {
	struct nl_sock *sk;
	int family;	/* 0: not resolved (the module is gone) */
	int ext_ack;	/* NETLINK_EXT_ACK is on: errors carry text */
	int ours;	/* family "nodeplane": attributes can be named */
	unsigned int gen;	/* times the family id changed or went */
	char name[GENL_NAMSIZ];
};

/*
 * Looks the family up by name. A module reload registers the family again,
 * under a new id (genetlink allocates them cyclically): the id is then
 * replaced and gen counted. Not found: -ENOENT, the id forgotten.
 */
static int resolve(struct np_nl *nl, struct np_err *err)
{
	int r = genl_ctrl_resolve(nl->sk, nl->name);

	if (r == -NLE_OBJ_NOTFOUND) {
		if (nl->family) {
			nl->family = 0;
			nl->gen++;
		}
		return np_err_set(err, ENOENT,
				  "%sgeneric netlink family \"%s\" not found",
				  nl->ours ? "nodeplane module not loaded: " : "",
				  nl->name);
	}
	if (r < 0)
		return np_err_set(err, np_nl_errno(r),
				  "cannot resolve generic netlink family \"%s\"",
				  nl->name);
	if (r != nl->family) {
		if (nl->family)
			nl->gen++;
		nl->family = r;
	}
	return 0;
}

int np_nl_open(struct np_nl **out, struct np_err *err)
{
	return np_nl_open_family(out, NODEPLANE_GENL_NAME, err);
}

int np_nl_open_family(struct np_nl **out, const char *name,
		      struct np_err *err)
{
	int ours = !strcmp(name, NODEPLANE_GENL_NAME);
	struct np_nl *nl;
	size_t len = strlen(name);
	int one = 1;
	int r;

	*out = NULL;
	np_err_clear(err);
	if (!len || len >= GENL_NAMSIZ)	/* no family can have it */
		return np_err_set(err, ENOENT,
				  "%sgeneric netlink family \"%s\" not found",
				  ours ? "nodeplane module not loaded: " : "",
				  name);
	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return np_err_set(err, ENOMEM, "cannot allocate the connection");
	memcpy(nl->name, name, len + 1);
	nl->ours = ours;
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		free(nl);
		return np_err_set(err, ENOMEM, "cannot allocate a netlink socket");
	}
	r = genl_connect(nl->sk);
	if (r < 0) {
		r = np_err_set(err, np_nl_errno(r),
			       "cannot open a generic netlink socket");
		goto fail;
	}
	/*
	 * libnl's connect leaves SO_SNDBUF at 32 KiB (the kernel doubles it),
	 * and netlink refuses a message longer than the send buffer less 32
	 * bytes: a transaction chunk of NP_NL_POL_MSG_SIZE or an LB chunk of
	 * NP_NL_LB_MSG_SIZE would fail with EMSGSIZE. Not fatal if refused:
	 * such a request then fails with its own error.
	 */
	nl_socket_set_buffer_size(nl->sk, NP_NL_SOCK_BUF, NP_NL_SOCK_BUF);
	/*
	 * libnl 3.7 has no nl_socket_set_ext_ack(). Kernels before 4.12 lack
	 * the option; errors then come without text, which is not fatal.
	 */
	nl->ext_ack = setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK,
				 NETLINK_EXT_ACK, &one, sizeof(one)) == 0;

	/*
	 * The kernel autoloads the module (MODULE_ALIAS_GENL_FAMILY) during
	 * this lookup if the caller may load modules. libnl 3.7 reports
	 * every failure of the lookup as NLE_OBJ_NOTFOUND.
	 */
	r = resolve(nl, err);
	if (r < 0)
		goto fail;
	nl->gen = 0;
	*out = nl;
	return 0;

fail:
	nl_socket_free(nl->sk);
	free(nl);
	return r;
}

void np_nl_close(struct np_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

/* The state of one request while its answers are read. */
struct req {
	struct np_nl *nl;
	const struct np_nl_attr_set *names;	/* the request's, or NULL */
	np_nl_parse_fn parse;
	void *ctx;
	struct np_err *perr;	/* the caller's: reply parse failures */
	int parse_failed;
	int done;
	struct np_err kerr;	/* the kernel's status and extack */
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct req *rq = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	if (rq->parse_failed || !rq->parse)
		return NL_OK;
	if (nlh->nlmsg_type != rq->nl->family) {
		rq->parse_failed = 1;
		np_err_set(rq->perr, EPROTO,
			   "unexpected netlink message type %u in the reply",
			   nlh->nlmsg_type);
		return NL_OK;
	}
	if (rq->parse(nlh, rq->ctx, rq->perr) < 0) {
		rq->parse_failed = 1;
		if (!rq->perr->err)
			np_err_set(rq->perr, EBADMSG, "invalid reply");
	}
	return NL_OK;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct req *rq = arg;

	(void)msg;
	rq->done = 1;
	return NL_STOP;
}

/* NLMSG_DONE ends a dump; its status may be an error with extack. */
static int on_finish(struct nl_msg *msg, void *arg)
{
	struct req *rq = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	if (np_nl_extack_parse(nlh, nlh->nlmsg_len, rq->names, &rq->kerr) < 0)
		np_err_clear(&rq->kerr);
	rq->done = 1;
	return NL_STOP;
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	/* libnl hands us the nlmsgerr inside a complete, length-checked message. */
	const struct nlmsghdr *nlh =
		(const struct nlmsghdr *)((unsigned char *)e - NLMSG_HDRLEN);
	struct req *rq = arg;

	(void)who;
	if (np_nl_extack_parse(nlh, nlh->nlmsg_len, rq->names, &rq->kerr) < 0) {
		np_err_clear(&rq->kerr);
		rq->kerr.err = e->error < 0 ? -e->error : e->error;
	}
	rq->done = 1;
	return NL_STOP;
}

/* Errors the kernel reports without text get ours. */
static void explain(const struct np_nl *nl, struct np_err *err)
{
	if (err->msg[0])
		return;
	if (err->err == EPERM)
		np_err_set(err, EPERM, "permission denied: CAP_NET_ADMIN required");
	else if (err->err == EOPNOTSUPP && nl->ours)
		np_err_set(err, EOPNOTSUPP,
			   "command not supported by the loaded nodeplane module");
}

static int request(struct np_nl *nl, uint8_t cmd, np_nl_build_fn build,
		   np_nl_parse_fn parse, void *ctx, struct np_err *err)
{
	struct req rq = {
		.nl = nl, .parse = parse, .ctx = ctx, .perr = err,
		.names = nl->ours ? np_nl_cmd_attrs(cmd) : NULL,
	};
	struct nl_cb *cb = NULL, *orig;
	struct nl_msg *msg;
	int intr = 0;
	int r;

	np_err_clear(err);
	np_err_clear(&rq.kerr);
	msg = nlmsg_alloc();
	if (!msg)
		return np_err_set(err, ENOMEM, "cannot allocate the request");
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, 0,
			 cmd, NODEPLANE_GENL_VERSION)) {
		r = np_err_set(err, EMSGSIZE, "cannot build the request");
		goto out;
	}
	if (build) {
		r = build(msg, ctx);
		if (r < 0) {
			r = np_err_set(err, -r, "cannot build the request");
			goto out;
		}
	}

	/* A clone of the socket's set keeps NLCB=debug working. */
	orig = nl_socket_get_cb(nl->sk);
	cb = nl_cb_clone(orig);
	nl_cb_put(orig);
	if (!cb) {
		r = np_err_set(err, ENOMEM, "cannot allocate callbacks");
		goto out;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &rq);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &rq);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &rq);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &rq);

	/* nl_send_auto() adds NLM_F_REQUEST | NLM_F_ACK and the sequence number. */
	r = nl_send_auto(nl->sk, msg);
	if (r < 0) {
		r = np_err_set(err, np_nl_errno(r), "cannot send the request");
		goto out;
	}
	while (!rq.done) {
		/* _report: 0 means nothing was read, not success. */
		r = nl_recvmsgs_report(nl->sk, cb);
		if (r == 0 && !rq.done) {
			r = np_err_set(err, EPIPE,
				       "netlink socket closed before the reply");
			goto out;
		}
		/* A dump that raced an update: the caller restarts it. */
		if (r == -NLE_DUMP_INTR)
			intr = 1;
		/* After an error status nl_recvmsgs() is negative: ours. */
		if (r < 0 && !rq.done) {
			r = np_err_set(err, np_nl_errno(r),
				       "cannot read the reply (libnl: %s)",
				       nl_geterror(r));
			goto out;
		}
	}
	if (intr && !rq.kerr.err) {
		r = np_err_set(err, EINTR,
			       "dump interrupted by a concurrent update, retry");
	} else if (rq.kerr.err) {
		*err = rq.kerr;
		explain(nl, err);
		r = -err->err;
	} else if (rq.parse_failed) {
		r = -err->err;
	} else {
		np_err_clear(err);
		r = 0;
	}
out:
	if (cb)
		nl_cb_put(cb);
	nlmsg_free(msg);
	return r;
}

/*
 * A module reload leaves us with a stale family id: genetlink answers
 * ENOENT (no family with that id) or, if another family took the id,
 * most likely EOPNOTSUPP. On those the name is looked up again; if the id
 * changed, the request never reached the family and is sent once more.
 * While the family is gone every request looks it up first (the lookup
 * may autoload the module, as at start) and fails with ENOENT.
 */
int np_nl_request(struct np_nl *nl, uint8_t cmd, np_nl_build_fn build,
		  np_nl_parse_fn parse, void *ctx, struct np_err *err)
{
	struct np_err rerr;
	int old = nl->family, r;

	if (!nl->family) {
		r = resolve(nl, err);
		if (r < 0)
			return r;
		old = nl->family;
	}
	r = request(nl, cmd, build, parse, ctx, err);
	if (r != -ENOENT && r != -EOPNOTSUPP)
		return r;
	np_err_clear(&rerr);
	if (resolve(nl, &rerr) == -ENOENT) {
		*err = rerr;
		return -ENOENT;
	}
	if (nl->family == old)
		return r;
	return request(nl, cmd, build, parse, ctx, err);
}

unsigned int np_nl_generation(const struct np_nl *nl)
{
	return nl->gen;
}

int np_nl_family_id(const struct np_nl *nl)
{
	return nl->family;
}

int np_nl_resolve(struct np_nl *nl, struct np_err *err)
{
	np_err_clear(err);
	return resolve(nl, err);
}

void np_nl_set_family_id(struct np_nl *nl, int id)
{
	nl->family = id;
}

struct raw {
	const void *attrs;
	size_t len;
};

static int raw_build(struct nl_msg *msg, void *ctx)
{
	const struct raw *rw = ctx;

	/* pad 0: the bytes go out exactly as given, malformed or not. */
	if (rw->len && nlmsg_append(msg, (void *)rw->attrs, rw->len, 0) < 0)
		return -EMSGSIZE;
	return 0;
}

int np_nl_send_raw(struct np_nl *nl, uint8_t cmd, const void *attrs,
		   size_t len, struct np_err *err)
{
	struct raw rw = { attrs, len };

	return np_nl_request(nl, cmd, raw_build, NULL, &rw, err);
}
