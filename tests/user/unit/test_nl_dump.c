// SPDX-License-Identifier: GPL-2.0-only
/*
 * np_nl_dump() when the kernel marks a dump interrupted (NLM_F_DUMP_INTR):
 * the replies are discarded, reset() is called and the dump restarted. A
 * kernel cannot be made to race on demand, so the socket's receive path
 * is replaced (nl_cb_overwrite_recv) by a script of datagrams; the request
 * still goes to the kernel's "nlctrl" family, whose answers are not read.
 * This drives the whole path: libnl 3.7's recvmsgs (reads on to NLMSG_DONE,
 * then reports NLE_DUMP_INTR), nl/conn.c (-EINTR) and nl/dump.c (retry).
 */
#include <errno.h>
#include <stdlib.h>

#include <linux/genetlink.h>
#include <linux/nodeplane.h>
#include <netinet/in.h>
#include <netlink/handlers.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "check.h"
#include "nlbuf.h"
#include "nl/msg.h"
#include "nl/nl.h"

/*
 * The head of nl/conn.c's struct np_nl, which the library keeps private:
 * the test needs the libnl socket under it. Keep in sync.
 */
struct np_nl_head {
	struct nl_sock *sk;
	int family;
};

#define MAX_DGRAMS 32

static struct {
	struct nb d[MAX_DGRAMS];
	int n, next;
} script;

static void dgram_data(int family, uint32_t v, bool intr)
{
	struct nb *nb = &script.d[script.n++];
	size_t m;

	nb->len = 0;
	m = nb_msg(nb, (uint16_t)family,
		   NLM_F_MULTI | (intr ? NLM_F_DUMP_INTR : 0));
	nb_genl(nb, 1);
	nb_u32(nb, 1, v);
	nb_end(nb, m);
}

/* Appends NLMSG_DONE to datagram i (a new one when i == script.n). */
static void dgram_done(int i)
{
	struct nb *nb = &script.d[i];
	int32_t status = 0;
	size_t m;

	if (i == script.n) {
		nb->len = 0;
		script.n++;
	}
	m = nb_msg(nb, NLMSG_DONE, NLM_F_MULTI);
	nb_raw(nb, &status, sizeof(status));
	nb_end(nb, m);
}

static int fake_recv(struct nl_sock *sk, struct sockaddr_nl *nla,
		     unsigned char **buf, struct ucred **creds)
{
	struct nb *nb;

	(void)sk;
	(void)creds;
	if (script.next == script.n)
		return 0;	/* "socket closed": conn.c fails with EPIPE */
	nb = &script.d[script.next++];
	memset(nla, 0, sizeof(*nla));
	nla->nl_family = AF_NETLINK;
	*buf = malloc(nb->len);
	if (!*buf)
		return -NLE_NOMEM;
	memcpy(*buf, nb->b, nb->len);
	return (int)nb->len;
}

struct seen {
	int n, resets;
	uint32_t last;
};

static int parse(const struct nlmsghdr *nlh, void *ctx, struct np_err *err)
{
	struct seen *s = ctx;
	uint32_t v;

	(void)err;
	memcpy(&v, (const unsigned char *)nlh + NLMSG_HDRLEN + GENL_HDRLEN +
	       NLA_HDRLEN, sizeof(v));
	s->n++;
	s->last = v;
	return 0;
}

static void reset(void *ctx)
{
	struct seen *s = ctx;

	s->n = 0;
	s->resets++;
}

static struct np_nl *nl;
static int family;
static struct np_err open_err;

/* nlctrl exists in every kernel: not opening it is a failure. */
#define NEED_NL() do {							\
	if (!nl)							\
		CHECK_FAIL("cannot open the generic netlink family nlctrl "	\
			   "(every kernel has it): %s", open_err.msg);	\
} while (0)

TEST(interrupted_dump_is_restarted)
{
	struct seen s = { 0, 0, 0 };
	struct np_err err;

	NEED_NL();
	script.n = script.next = 0;
	/* First try: two entries, the second marked; DONE in its own datagram. */
	dgram_data(family, 1, false);
	dgram_data(family, 2, true);
	dgram_done(script.n);
	/* Second try: consistent; the entry and DONE in one datagram. */
	dgram_data(family, 3, false);
	dgram_done(script.n - 1);
	CHECK_INT(np_nl_dump(nl, CTRL_CMD_GETFAMILY, NULL, parse, reset, &s,
			     &err), 0);
	CHECK_INT(err.err, 0);
	CHECK_INT(s.resets, 1);
	CHECK_INT(s.n, 1);
	CHECK_INT(s.last, 3);
	CHECK_INT(script.next, script.n);
}

TEST(dump_interrupted_every_time_gives_up)
{
	struct seen s = { 0, 0, 0 };
	struct np_err err;
	int i;

	NEED_NL();
	script.n = script.next = 0;
	for (i = 0; i < NP_NL_DUMP_TRIES; i++) {
		dgram_data(family, (uint32_t)i, true);
		dgram_done(script.n - 1);
	}
	CHECK_INT(np_nl_dump(nl, CTRL_CMD_GETFAMILY, NULL, parse, reset, &s,
			     &err), -EINTR);
	CHECK_INT(err.err, EINTR);
	CHECK_STR(err.msg, "dump interrupted by concurrent updates 5 times in a row");
	CHECK_INT(s.resets, NP_NL_DUMP_TRIES - 1);
	CHECK_INT(script.next, script.n);
}

TEST(multipart_dump_is_merged)
{
	struct seen s = { 0, 0, 0 };
	struct np_err err;
	uint32_t i;

	NEED_NL();
	script.n = script.next = 0;
	for (i = 1; i <= 20; i++)
		dgram_data(family, i, false);
	dgram_done(script.n);
	CHECK_INT(np_nl_dump(nl, CTRL_CMD_GETFAMILY, NULL, parse, reset, &s,
			     &err), 0);
	CHECK_INT(s.n, 20);
	CHECK_INT(s.last, 20);
	CHECK_INT(s.resets, 0);
}

/* One NP_CMD_LB_GET reply: a frontend (AF_INET, proto, port, servicelb). */
static void dgram_lb(int fam_id, uint8_t proto, uint16_t port, bool intr)
{
	struct nb *nb = &script.d[script.n++];
	uint8_t fam = AF_INET, owner = NP_LB_OWNER_SERVICELB;
	size_t m;

	nb->len = 0;
	m = nb_msg(nb, (uint16_t)fam_id,
		   NLM_F_MULTI | (intr ? NLM_F_DUMP_INTR : 0));
	nb_genl(nb, NP_CMD_LB_GET);
	nb_attr(nb, NP_LB_A_FAMILY, &fam, 1);
	nb_attr(nb, NP_LB_A_PROTO, &proto, 1);
	nb_u16(nb, NP_LB_A_PORT, port);
	nb_attr(nb, NP_LB_A_OWNER, &owner, 1);
	nb_end(nb, m);
}

/*
 * np_nl_lb_dump: a dump the kernel marked interrupted (the LB generation
 * moved under it) is read to its end, its frontends dropped, and done
 * again: only the second dump's frontends come out.
 */
TEST(lb_dump_interrupted_is_redone)
{
	struct np_lb_list l = { NULL, 0 };
	struct np_err err;

	NEED_NL();
	script.n = script.next = 0;
	dgram_lb(family, IPPROTO_TCP, 80, false);
	dgram_lb(family, IPPROTO_TCP, 81, true);
	dgram_done(script.n);
	dgram_lb(family, IPPROTO_UDP, 53, false);
	dgram_lb(family, IPPROTO_TCP, 81, false);
	dgram_done(script.n);
	CHECK_INT(np_nl_lb_dump(nl, &l, &err), 0);
	CHECK_INT(err.err, 0);
	CHECK_INT(script.next, script.n);
	CHECK_INT(l.n, 2);
	if (l.n == 2) {		/* sorted by key: tcp before udp */
		CHECK_INT(l.v[0].proto, IPPROTO_TCP);
		CHECK_INT(l.v[0].port, 81);
		CHECK_INT(l.v[1].proto, IPPROTO_UDP);
		CHECK_INT(l.v[1].port, 53);
	}
	np_lb_list_free(&l);
}

int main(void)
{
	struct nl_cb *cb;
	struct nl_sock *sk;

	if (np_nl_open_family(&nl, "nlctrl", &open_err) < 0) {
		nl = NULL;
	} else {
		sk = ((struct np_nl_head *)nl)->sk;
		family = ((struct np_nl_head *)nl)->family;
		/* The scripted replies carry no matching sequence numbers. */
		nl_socket_disable_seq_check(sk);
		cb = nl_socket_get_cb(sk);
		nl_cb_overwrite_recv(cb, fake_recv);
		nl_cb_put(cb);
	}
	RUN(interrupted_dump_is_restarted);
	RUN(dump_interrupted_every_time_gives_up);
	RUN(multipart_dump_is_merged);
	RUN(lb_dump_interrupted_is_redone);
	np_nl_close(nl);
	return check_summary();
}
