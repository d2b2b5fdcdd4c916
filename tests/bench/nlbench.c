// SPDX-License-Identifier: GPL-2.0
/*
 * nlbench: generic-netlink round trips per second.
 *
 *   nlbench info SECONDS     nodeplane NP_CMD_INFO_GET
 *   nlbench nlctrl SECONDS   nlctrl CTRL_CMD_GETFAMILY by name (the kernel's
 *                            own genl family: the comparable request)
 *
 * Both use the same libnl request/ack loop, so the ratio measures the two
 * kernel handlers. Prints one number: completed round trips per second.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <linux/genetlink.h>
#include <linux/nodeplane.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int count_reply(struct nl_msg *msg, void *arg)
{
	(void)msg;
	++*(long *)arg;
	return NL_OK;
}

static int got_ack(struct nl_msg *msg, void *arg)
{
	(void)msg;
	*(int *)arg = 1;
	return NL_STOP;
}

/*
 * One request, its reply and the ACK after it; returns 0 or a negative libnl
 * error. (nl_send_sync() is not enough: its wait returns after the first
 * datagram, the reply, and leaves the ACK for the next round.)
 */
static int round_trip(struct nl_sock *sk, int family, int cmd, int attr,
		      const void *val, int len, int *acked)
{
	struct nl_msg *msg = nlmsg_alloc();
	int err;

	if (!msg)
		return -NLE_NOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0, cmd, 1) ||
	    nla_put(msg, attr, len, val) < 0) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	err = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	*acked = 0;
	while (err >= 0 && !*acked)
		err = nl_recvmsgs_default(sk);
	return err < 0 ? err : 0;
}

int main(int argc, char **argv)
{
	struct nl_sock *sk;
	long replies = 0, n = 0;
	int acked;
	double secs, t0, t;
	int family, cmd, attr, len, err;
	const void *val;
	uint32_t abi = NODEPLANE_GENL_VERSION;

	if (argc != 3 || (strcmp(argv[1], "info") && strcmp(argv[1], "nlctrl"))) {
		fprintf(stderr, "usage: nlbench info|nlctrl SECONDS\n");
		return 1;
	}
	secs = atof(argv[2]);
	sk = nl_socket_alloc();
	if (!sk || genl_connect(sk) < 0) {
		fprintf(stderr, "nlbench: cannot open a generic netlink socket\n");
		return 1;
	}
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, count_reply, &replies);
	nl_socket_modify_cb(sk, NL_CB_ACK, NL_CB_CUSTOM, got_ack, &acked);
	if (!strcmp(argv[1], "info")) {
		family = genl_ctrl_resolve(sk, NODEPLANE_GENL_NAME);
		if (family < 0) {
			fprintf(stderr, "nlbench: family %s: %s\n",
				NODEPLANE_GENL_NAME, nl_geterror(family));
			return 1;
		}
		cmd = NP_CMD_INFO_GET;
		attr = NP_INFO_A_ABI_VERSION;
		val = &abi;
		len = sizeof(abi);
	} else {
		family = GENL_ID_CTRL;
		cmd = CTRL_CMD_GETFAMILY;
		attr = CTRL_ATTR_FAMILY_NAME;
		val = NODEPLANE_GENL_NAME;
		len = sizeof(NODEPLANE_GENL_NAME);
	}
	t0 = now();
	do {
		err = round_trip(sk, family, cmd, attr, val, len, &acked);
		if (err < 0) {
			fprintf(stderr, "nlbench: %s\n", nl_geterror(err));
			return 1;
		}
		n++;
		t = now();
	} while (t - t0 < secs);
	if (replies != n) {
		fprintf(stderr, "nlbench: %ld requests but %ld replies\n", n, replies);
		return 1;
	}
	printf("%.0f\n", n / (t - t0));
	nl_socket_free(sk);
	return 0;
}
