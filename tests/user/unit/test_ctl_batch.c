// SPDX-License-Identifier: GPL-2.0-only
/*
 * nodeplanectl -b FILE: batch lines parsed, dispatched over one connection,
 * errors named FILE:LINE. No kernel module is needed: the connection (the
 * ctl->nl_open seam) is a socket bound to the kernel's "nlctrl" family
 * whose send and receive paths are replaced (nl_cb_overwrite_send/_recv).
 * Each request is recorded instead of sent, and answered with an ACK, or
 * with a scripted error status. Devices resolve through ctlrun.h's table
 * (np0 = 5, np1 = 6).
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/nodeplane.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "check.h"
#include "ctlrun.h"
#include "nlbuf.h"
#include "nl/msg.h"

/*
 * The head of nl/conn.c's struct np_nl, which the library keeps private:
 * the test needs the libnl socket under it. Keep in sync.
 */
struct np_nl_head {
	struct nl_sock *sk;
	int family;
};

#define MAX_SENT 16

static struct {
	int opens;			/* calls of the nl_open seam */
	int nsent;			/* requests seen (also past MAX_SENT) */
	struct nb sent[MAX_SENT];	/* their bytes */
	int fail_at;			/* answer request #fail_at (1-based)... */
	int fail_errno;			/* ...with this status; 0: never */
	bool acked;			/* the last request was answered */
	struct nb reply;
} fake;

static struct np_err nlctrl_err;	/* why "nlctrl" cannot be opened */
static bool nlctrl_ok;

static int fake_send(struct nl_sock *sk, struct nl_msg *msg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlmsgerr e = { 0 };
	size_t m;

	(void)sk;
	if (fake.nsent < MAX_SENT) {
		struct nb *nb = &fake.sent[fake.nsent];

		nb->len = 0;
		nb_raw(nb, nlh, nlh->nlmsg_len);
	}
	fake.nsent++;
	e.error = fake.nsent == fake.fail_at ? -fake.fail_errno : 0;
	e.msg = *nlh;
	fake.reply.len = 0;
	m = nb_msg(&fake.reply, NLMSG_ERROR, 0);
	nb_raw(&fake.reply, &e, sizeof(e));
	nb_end(&fake.reply, m);
	fake.acked = false;
	return (int)nlh->nlmsg_len;
}

static int fake_recv(struct nl_sock *sk, struct sockaddr_nl *nla,
		     unsigned char **buf, struct ucred **creds)
{
	(void)sk;
	(void)creds;
	if (fake.acked)
		return 0;	/* "socket closed": conn.c fails with EPIPE */
	fake.acked = true;
	memset(nla, 0, sizeof(*nla));
	nla->nl_family = AF_NETLINK;
	*buf = malloc(fake.reply.len);
	if (!*buf)
		return -NLE_NOMEM;
	memcpy(*buf, fake.reply.b, fake.reply.len);
	return (int)fake.reply.len;
}

static int fake_open(struct np_nl **nl, struct np_err *err)
{
	struct nl_sock *sk;
	struct nl_cb *cb;
	int r;

	fake.opens++;
	r = np_nl_open_family(nl, "nlctrl", err);
	if (r < 0)
		return r;
	sk = ((struct np_nl_head *)*nl)->sk;
	nl_socket_disable_seq_check(sk);
	cb = nl_socket_get_cb(sk);
	nl_cb_overwrite_send(cb, fake_send);
	nl_cb_overwrite_recv(cb, fake_recv);
	nl_cb_put(cb);
	return 0;
}

/* Where np_nl_open() would be used, a failure: no kernel, no module. */
static int absent_open(struct np_nl **nl, struct np_err *err)
{
	fake.opens++;
	*nl = NULL;
	return np_err_set(err, ENOENT,
			  "nodeplane module not loaded: generic netlink family \"nodeplane\" not found");
}

static void fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
}

static uint8_t sent_cmd(int i)
{
	const struct genlmsghdr *g =
		(const void *)(fake.sent[i].b + NLMSG_HDRLEN);

	return g->cmd;
}

/* np_ctl_batch() on text, named name; output captured in r. */
static struct ctlres batch(const char *name, const char *text,
			   int (*open_fn)(struct np_nl **, struct np_err *))
{
	struct ctlres r;
	struct cap c;
	FILE *f;

	f = fmemopen((void *)text, strlen(text), "r");
	if (!f)
		abort();
	cap_open(&c, true);
	c.ctl.nl_open = open_fn;
	r.status = np_ctl_batch(&c.ctl, name, f);
	if (c.ctl.nl || c.ctl.batch_file)
		r.status = 99;	/* batch state left behind */
	cap_close(&c);
	fclose(f);
	r.out = c.out;
	r.err = c.err;
	return r;
}

/* nlctrl exists in every kernel: not opening it is a failure. */
#define NEED_NLCTRL() do {						\
	if (!nlctrl_ok)							\
		CHECK_FAIL("cannot open the generic netlink family nlctrl "	\
			   "(every kernel has it): %s", nlctrl_err.msg);	\
} while (0)

static const char good[] =
	"# peers of np0\n"
	"\n"
	"   \t \n"
	"overlay peer set np0 mac 02:00:00:00:00:02 endpoint 192.168.50.2 cidr 10.244.1.0/24\n"
	"  # an indented comment\n"
	"peer\tnp0\tmac\t02:00:00:00:00:03\tendpoint\t192.168.50.3\tcidr\t10.244.2.0/24,10.244.12.0/24\n"
	"overlay\tnp1\tvni\t7\tport\t8472\n"
	"overlay peer del np0 mac 02:00:00:00:00:02\n"
	"masq\tcluster-cidr\t10.244.0.0/16\n";

TEST(lines_dispatched_over_one_connection)
{
	struct np_peer peer;
	struct np_err err;
	struct ctlres r;

	NEED_NLCTRL();
	fake_reset();
	r = batch("peers.txt", good, fake_open);
	CHECK_STR(r.err, "");
	CHECK_STR(r.out, "");
	CHECK_INT(r.status, 0);
	CHECK_INT(fake.opens, 1);
	CHECK_INT(fake.nsent, 5);
	CHECK_INT(sent_cmd(0), NP_CMD_PEER_NEW);
	CHECK_INT(sent_cmd(1), NP_CMD_PEER_NEW);
	CHECK_INT(sent_cmd(2), NP_CMD_OVERLAY_SET);
	CHECK_INT(sent_cmd(3), NP_CMD_PEER_DEL);
	CHECK_INT(sent_cmd(4), NP_CMD_MASQ_SET);

	/* The tab-separated line, as `overlay show -s` prints it. */
	CHECK_INT(np_nl_peer_parse((const void *)fake.sent[1].b,
				   fake.sent[1].len, &peer, &err), 0);
	CHECK_INT(peer.ifindex, 5);
	CHECK_INT(peer.mac[5], 3);
	CHECK_INT(peer.endpoint.family, AF_INET);
	CHECK_INT(peer.n_cidrs, 2);
	ctlres_free(&r);
}

TEST(usage_error_on_line_3_names_file_and_line)
{
	struct ctlres r;

	NEED_NLCTRL();
	fake_reset();
	r = batch("peers.txt",
		  "peer np0 mac 02:00:00:00:00:02 endpoint 192.168.50.2 cidr 10.244.1.0/24\n"
		  "# comment\n"
		  "peer np0 mac 02:00:00:00:00 endpoint 192.168.50.3 cidr 10.244.2.0/24\n"
		  "peer np0 mac 02:00:00:00:00:04 endpoint 192.168.50.4 cidr 10.244.3.0/24\n",
		  fake_open);
	CHECK_INT(r.status, 1);
	CHECK(!strncmp(r.err, "nodeplanectl: peers.txt:3: overlay peer set: ",
		       strlen("nodeplanectl: peers.txt:3: overlay peer set: ")));
	CHECK_CONTAINS(r.err, "02:00:00:00:00");
	/* Line 1 ran; line 4 did not. */
	CHECK_INT(fake.nsent, 1);
	CHECK_INT(fake.opens, 1);
	ctlres_free(&r);
}

TEST(kernel_error_on_line_3_names_file_and_line)
{
	struct ctlres r;

	NEED_NLCTRL();
	fake_reset();
	fake.fail_at = 3;
	fake.fail_errno = EEXIST;
	r = batch("peers.txt",
		  "peer np0 mac 02:00:00:00:00:02 endpoint 192.168.50.2 cidr 10.244.1.0/24\n"
		  "peer np0 mac 02:00:00:00:00:03 endpoint 192.168.50.3 cidr 10.244.2.0/24\n"
		  "peer np0 mac 02:00:00:00:00:04 endpoint 192.168.50.4 cidr 10.244.2.0/24\n"
		  "peer np0 mac 02:00:00:00:00:05 endpoint 192.168.50.5 cidr 10.244.3.0/24\n",
		  fake_open);
	CHECK_INT(r.status, 1);
	CHECK_STR(r.err, "nodeplanectl: peers.txt:3: overlay peer set: File exists\n");
	CHECK_INT(fake.nsent, 3);
	ctlres_free(&r);
}

TEST(unknown_command_and_missing_device_name_the_line)
{
	struct ctlres r;

	fake_reset();
	r = batch("b", "\n\nfrob np0\n", absent_open);
	CHECK_INT(r.status, 1);
	CHECK_STR(r.err, "nodeplanectl: b:3: unknown command 'frob'\n"
		  "Try 'nodeplanectl --help' for more information.\n");
	CHECK_INT(fake.opens, 0);
	ctlres_free(&r);

	r = batch("b", "# x\nbogus0 mac 02:00:00:00:00:02\n", absent_open);
	CHECK_INT(r.status, 1);
	CHECK_STR(r.err, "nodeplanectl: b:2: unknown command 'bogus0'\n"
		  "Try 'nodeplanectl --help' for more information.\n");
	ctlres_free(&r);

	r = batch("b", "peer\tnp9\tmac\t02:00:00:00:00:02\tendpoint\t192.168.50.2\tcidr\t10.244.1.0/24\n",
		  absent_open);
	CHECK_INT(r.status, 1);
	CHECK_STR(r.err, "nodeplanectl: b:1: overlay peer set: np9: no such device\n");
	ctlres_free(&r);
}

TEST(only_comments_and_blank_lines_succeed_without_connection)
{
	struct ctlres r;

	fake_reset();
	r = batch("b", "# nothing\n\n \t\n#peer np0\n", absent_open);
	CHECK_INT(r.status, 0);
	CHECK_STR(r.err, "");
	CHECK_INT(fake.opens, 0);
	ctlres_free(&r);

	r = batch("b", "", absent_open);
	CHECK_INT(r.status, 0);
	ctlres_free(&r);
}

TEST(connection_failure_names_the_line_and_opens_once)
{
	struct ctlres r;

	fake_reset();
	r = batch("-", "# header\noverlay peer del np0 mac 02:00:00:00:00:02\n"
		  "overlay peer del np0 mac 02:00:00:00:00:03\n", absent_open);
	CHECK_INT(r.status, 1);
	CHECK_STR(r.err, "nodeplanectl: -:2: overlay peer del: nodeplane module not loaded: "
		  "generic netlink family \"nodeplane\" not found (No such file or directory)\n");
	CHECK_INT(fake.opens, 1);
	ctlres_free(&r);
}

TEST(last_line_without_newline_runs)
{
	struct ctlres r;

	NEED_NLCTRL();
	fake_reset();
	r = batch("b", "overlay peer del np1 mac 02:00:00:00:00:02", fake_open);
	CHECK_STR(r.err, "");
	CHECK_INT(r.status, 0);
	CHECK_INT(fake.nsent, 1);
	CHECK_INT(sent_cmd(0), NP_CMD_PEER_DEL);
	ctlres_free(&r);
}

TEST(b_with_a_command_is_a_usage_error)
{
	struct ctlres r = ctl_run("-b", "/nonexistent/batch", "info", NULL);

	CHECK_INT(r.status, 1);
	CHECK_STR(r.out, "");
	CHECK_STR(r.err, "nodeplanectl: -b FILE takes no command ('info' given)\n"
		  "Try 'nodeplanectl --help' for more information.\n");
	ctlres_free(&r);

	r = ctl_run("--batch", "-", "overlay", "show", NULL);
	CHECK_INT(r.status, 1);
	CHECK_CONTAINS(r.err, "-b FILE takes no command ('overlay' given)");
	ctlres_free(&r);
}

TEST(b_needs_a_file)
{
	struct ctlres r = ctl_run("-b", NULL);

	CHECK_INT(r.status, 1);
	CHECK_STR(r.err, "nodeplanectl: option '-b' needs a FILE\n"
		  "Try 'nodeplanectl --help' for more information.\n");
	ctlres_free(&r);

	r = ctl_run("-b", "/nonexistent/batch", NULL);
	CHECK_INT(r.status, 1);
	CHECK_STR(r.err, "nodeplanectl: /nonexistent/batch: No such file or directory\n");
	ctlres_free(&r);
}

/* Through np_ctl_main(): -s before -b, a real file, errors named by path. */
TEST(b_file_through_main)
{
	char path[] = "/tmp/np-batch-XXXXXX";
	static const char text[] =
		"# two lines\n"
		"peer np0 mac 02:00:00:00:00:02 endpoint 192.168.50.2 cidr 10.244.1.0/24\n"
		"peer np0 mac 02:00:00:00:00:03 endpoint 192.168.50.3\n";
	char *argv[] = { "nodeplanectl", "-s", "-b", path, NULL };
	char want[128];
	struct cap c;
	int fd, status;

	NEED_NLCTRL();
	fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK_INT(write(fd, text, strlen(text)), (long long)strlen(text));
	close(fd);
	fake_reset();
	cap_open(&c, false);
	c.ctl.nl_open = fake_open;
	status = np_ctl_main(&c.ctl, 4, argv);
	cap_close(&c);
	unlink(path);
	snprintf(want, sizeof(want), "nodeplanectl: %s:3: overlay peer set: ", path);
	CHECK_INT(status, 1);
	CHECK(!strncmp(c.err, want, strlen(want)));
	CHECK_CONTAINS(c.err, "cidr");
	CHECK_INT(fake.nsent, 1);
	CHECK_INT(fake.opens, 1);
	cap_free(&c);
}

TEST(help_mentions_batch)
{
	struct ctlres r = ctl_run("--help", NULL);

	CHECK_INT(r.status, 0);
	CHECK_CONTAINS(r.out, "nodeplanectl [OPTIONS] -b FILE\n");
	CHECK_CONTAINS(r.out, "  -b, --batch FILE\n");
	ctlres_free(&r);
}

int main(void)
{
	struct np_nl *nl;

	/* The connection fake_open() builds on. */
	nlctrl_ok = np_nl_open_family(&nl, "nlctrl", &nlctrl_err) == 0;
	np_nl_close(nlctrl_ok ? nl : NULL);

	RUN(lines_dispatched_over_one_connection);
	RUN(usage_error_on_line_3_names_file_and_line);
	RUN(kernel_error_on_line_3_names_file_and_line);
	RUN(unknown_command_and_missing_device_name_the_line);
	RUN(only_comments_and_blank_lines_succeed_without_connection);
	RUN(connection_failure_names_the_line_and_opens_once);
	RUN(last_line_without_newline_runs);
	RUN(b_with_a_command_is_a_usage_error);
	RUN(b_needs_a_file);
	RUN(b_file_through_main);
	RUN(help_mentions_batch);
	return check_summary();
}
