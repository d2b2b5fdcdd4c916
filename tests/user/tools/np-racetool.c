// SPDX-License-Identifier: GPL-2.0-only
/*
 * np-racetool: PEER_NEW/PEER_DEL in tight loops, for the kernel race cases
 * of tests/user/integration/kmod_race.sh. Errors the module answers are
 * counted, not fatal; the tally goes to stdout as "<outcome> <count>" lines
 * (outcome: ok or the errno name), plus "extack <text>" for the first
 * failure of each errno. Exit 0 unless the tool itself failed (usage,
 * socket) or the module answered an errno the mode does not expect.
 *
 *   flood IFNAME SECONDS ID
 *       Until SECONDS have passed: resolve IFNAME (it may be deleted and
 *       created again meanwhile), PEER_NEW a peer with 64 IPv4 CIDRs
 *       10.ID.<i>.0/24 and a fresh MAC, then PEER_DEL it. Expected: ok,
 *       ENODEV (the device went, or is going), ENOENT (DEL after the device
 *       was recreated), ENOSPC (a limit). ID 1..254 keeps concurrent
 *       floods of one netns apart. The PEER_NEW repeats its IFINDEX
 *       attribute 200 times (legal: the last one counts), which makes the
 *       module's walk over the attributes, between holding the device and
 *       taking the netns mutex, last long enough for a deletion to finish
 *       its ndo_uninit in between.
 *   new IFNAME COUNT MAC ENDPOINT CIDR...
 *       COUNT times the same PEER_NEW; every errno is tallied.
 *   dump-meanwhile IFNAME CMD
 *       Starts a PEER_GET dump of IFNAME, reads its first part only, runs
 *       the shell command CMD, then reads the rest. Prints "peers N" (peer
 *       messages received) and "intr yes|no" (a message carried
 *       NLM_F_DUMP_INTR). Exit 1 if the dump itself failed.
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/nodeplane.h>
#include <net/if.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "nl/nl.h"

static const char *prog = "np-racetool";

#define OUTCOMES 32

struct tally {
	struct {
		int e;				/* positive errno, 0: ok */
		char msg[NP_ERR_MSG_LEN];	/* extack text */
		unsigned long n;
	} o[OUTCOMES];
	unsigned int used;
};

static void count(struct tally *t, int r, const struct np_err *err)
{
	int e = r < 0 ? -r : 0;
	const char *msg = e ? err->msg : "";
	unsigned int i;

	for (i = 0; i < t->used; i++)
		if (t->o[i].e == e && !strcmp(t->o[i].msg, msg))
			break;
	if (i == t->used) {
		if (t->used == OUTCOMES)
			i = OUTCOMES - 1;	/* lumped with the last one */
		else
			t->used++;
		t->o[i].e = e;
		snprintf(t->o[i].msg, sizeof(t->o[i].msg), "%s", msg);
	}
	t->o[i].n++;
}

static const char *errname(int e)
{
	switch (e) {
	case 0: return "ok";
	case ENODEV: return "ENODEV";
	case ENOENT: return "ENOENT";
	case ENOSPC: return "ENOSPC";
	case EEXIST: return "EEXIST";
	case EINVAL: return "EINVAL";
	case ENOMEM: return "ENOMEM";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	default: return NULL;
	}
}

static void print(const struct tally *t)
{
	unsigned int i;

	for (i = 0; i < t->used; i++) {
		const char *name = errname(t->o[i].e);

		if (name)
			printf("%s %lu", name, t->o[i].n);
		else
			printf("errno%d %lu", t->o[i].e, t->o[i].n);
		printf("%s%s\n", t->o[i].msg[0] ? " " : "", t->o[i].msg);
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: %s flood IFNAME SECONDS ID\n"
		"       %s new IFNAME COUNT MAC ENDPOINT CIDR...\n"
		"       %s dump-meanwhile IFNAME CMD\n", prog, prog, prog);
	return 2;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define FLOOD_PAD 200

struct flood_ctx {
	const struct np_peer *peer;
};

static int flood_build(struct nl_msg *msg, void *ctx)
{
	const struct flood_ctx *f = ctx;
	int i, r;

	r = np_nl_peer_new_build(msg, f->peer);
	for (i = 0; !r && i < FLOOD_PAD; i++)
		if (nla_put_u32(msg, NP_PEER_A_IFINDEX, f->peer->ifindex) < 0)
			r = -EMSGSIZE;
	return r;
}

static int flood(struct np_nl *nl, const char *ifname, double secs,
		 unsigned int id, struct tally *t)
{
	struct np_peer peer;
	struct flood_ctx f = { &peer };
	struct np_err err;
	double end = now() + secs;
	unsigned long seq = 0;
	unsigned int i;
	int r;

	memset(&peer, 0, sizeof(peer));
	peer.endpoint.family = AF_INET;
	peer.endpoint.a[0] = 192;
	peer.endpoint.a[1] = 0;
	peer.endpoint.a[2] = 2;
	peer.endpoint.a[3] = (uint8_t)id;
	peer.n_cidrs = 64;
	for (i = 0; i < peer.n_cidrs; i++) {
		peer.cidrs[i].addr.family = AF_INET;
		peer.cidrs[i].addr.a[0] = 10;
		peer.cidrs[i].addr.a[1] = (uint8_t)id;
		peer.cidrs[i].addr.a[2] = (uint8_t)i;
		peer.cidrs[i].prefixlen = 24;
	}
	while (now() < end) {
		peer.ifindex = if_nametoindex(ifname);
		if (!peer.ifindex) {
			/* between delete and create: leave the CPU to it */
			nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
			continue;
		}
		seq++;
		peer.mac[0] = 0x02;
		peer.mac[1] = (uint8_t)id;
		peer.mac[2] = (uint8_t)(seq >> 24);
		peer.mac[3] = (uint8_t)(seq >> 16);
		peer.mac[4] = (uint8_t)(seq >> 8);
		peer.mac[5] = (uint8_t)seq;
		np_err_clear(&err);
		r = np_nl_request(nl, NP_CMD_PEER_NEW, flood_build, NULL, &f,
				  &err);
		count(t, r, &err);
		if (r < 0 && r != -ENODEV && r != -ENOSPC) {
			fprintf(stderr, "%s: PEER_NEW: %s\n", prog, err.msg);
			return -1;
		}
		np_err_clear(&err);
		r = np_nl_peer_del(nl, peer.ifindex, peer.mac, &err);
		if (r < 0 && r != -ENODEV && r != -ENOENT)
			return -1;
	}
	return 0;
}

/*
 * A dump read by hand on a raw socket with a small buffer, so that it
 * takes many rounds and CMD runs between the first and the rest.
 */
static int dump_meanwhile(const char *ifname, const char *cmd)
{
	struct {
		struct nlmsghdr n;
		struct genlmsghdr g;
		struct nlattr a;
		uint32_t ifindex;
	} req;
	static char buf[4096];
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	unsigned long peers = 0;
	int fd, family, rounds = 0, intr = 0, done = 0;
	struct nl_sock *sk;

	sk = nl_socket_alloc();
	if (!sk || genl_connect(sk) < 0 ||
	    (family = genl_ctrl_resolve(sk, NODEPLANE_GENL_NAME)) < 0) {
		fprintf(stderr, "%s: cannot resolve the nodeplane family\n", prog);
		return 1;
	}
	nl_socket_free(sk);
	fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror(prog);
		return 1;
	}
	memset(&req, 0, sizeof(req));
	req.n.nlmsg_len = sizeof(req);
	req.n.nlmsg_type = (uint16_t)family;
	req.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.n.nlmsg_seq = 1;
	req.g.cmd = NP_CMD_PEER_GET;
	req.g.version = NODEPLANE_GENL_VERSION;
	req.a.nla_len = NLA_HDRLEN + sizeof(uint32_t);
	req.a.nla_type = NP_PEER_A_IFINDEX;
	req.ifindex = if_nametoindex(ifname);
	if (send(fd, &req, sizeof(req), 0) < 0) {
		perror(prog);
		return 1;
	}
	while (!done) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *n;

		if (len < 0) {
			perror(prog);
			return 1;
		}
		for (n = (struct nlmsghdr *)buf; NLMSG_OK(n, (size_t)len);
		     n = NLMSG_NEXT(n, len)) {
			if (n->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = 1;
			if (n->nlmsg_type == NLMSG_DONE) {
				done = 1;
			} else if (n->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(n);

				fprintf(stderr, "%s: dump failed: %s\n", prog,
					strerror(-e->error));
				return 1;
			} else {
				peers++;
			}
		}
		if (++rounds == 1 && !done && system(cmd) != 0) {
			fprintf(stderr, "%s: failed: %s\n", prog, cmd);
			return 1;
		}
	}
	close(fd);
	printf("rounds %d\npeers %lu\nintr %s\n", rounds, peers,
	       intr ? "yes" : "no");
	return 0;
}

int main(int argc, char **argv)
{
	static struct tally t;
	struct np_err err;
	struct np_nl *nl;
	int r = 0;

	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "dump-meanwhile"))
		return argc == 4 ? dump_meanwhile(argv[2], argv[3]) : usage();
	/* room for flood's padded PEER_NEW (libnl's default is a page) */
	nlmsg_set_default_size(FLOOD_PAD * 8 + 8192);
	if (np_nl_open(&nl, &err) < 0) {
		char buf[NP_ERR_MSG_LEN + 64];

		fprintf(stderr, "%s: %s\n", prog, np_err_str(&err, buf, sizeof(buf)));
		return 1;
	}
	if (!strcmp(argv[1], "flood") && argc == 5) {
		r = flood(nl, argv[2], atof(argv[3]), (unsigned int)atoi(argv[4]),
			  &t);
	} else if (!strcmp(argv[1], "new") && argc >= 7) {
		struct np_peer peer;
		unsigned long n = strtoul(argv[3], NULL, 10), i;
		int c;

		memset(&peer, 0, sizeof(peer));
		peer.ifindex = if_nametoindex(argv[2]);
		if (!peer.ifindex || np_mac_parse(argv[4], peer.mac) < 0 ||
		    np_addr_parse(argv[5], &peer.endpoint) < 0 ||
		    argc - 6 > NP_PEER_CIDRS_MAX) {
			np_nl_close(nl);
			return usage();
		}
		for (c = 6; c < argc; c++)
			if (np_cidr_parse(argv[c], &peer.cidrs[peer.n_cidrs++]) < 0) {
				np_nl_close(nl);
				return usage();
			}
		for (i = 0; i < n; i++) {
			np_err_clear(&err);
			count(&t, np_nl_peer_new(nl, &peer, &err), &err);
		}
	} else {
		np_nl_close(nl);
		return usage();
	}
	np_nl_close(nl);
	print(&t);
	if (r < 0)
		fprintf(stderr, "%s: unexpected answer from the module\n", prog);
	return r < 0 ? 1 : 0;
}
