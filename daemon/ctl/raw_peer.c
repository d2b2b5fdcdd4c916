// SPDX-License-Identifier: GPL-2.0-only
/*
 * nodeplanectl raw-peer VARIANT NAME (hidden, for the integration tests):
 * sends a malformed NP_CMD_PEER_NEW for device NAME so the module's
 * validation and extack can be checked from the command line. Each is
 * NP_PEER_A_IFINDEX (NAME), then:
 *   missing-endpoint  MAC 02:00:00:00:00:02, CIDR 10.42.1.0/24, no ENDPOINT*
 *   bad-mac           MAC 01:00:5e:00:00:01 (multicast), ENDPOINT4
 *                     192.168.50.2, CIDR 10.42.1.0/24
 *   wrong-family      MAC 02:00:00:00:00:02, ENDPOINT4 192.168.50.2,
 *                     CIDR 2001:cafe:42:1::/64 (NP_CIDR_A_ADDR6)
 * The module should refuse each one; exit 1 with its explanation on stderr.
 * If it accepts the request, "accepted" is printed and the exit status is 0.
 */
#include <stdint.h>
#include <string.h>

#include <linux/netlink.h>
#include <linux/nodeplane.h>

#include "ctl/ctl.h"

static const uint8_t good_mac[NP_MAC_LEN] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t mcast_mac[NP_MAC_LEN] = { 0x01, 0, 0x5e, 0, 0, 0x01 };
static const uint8_t endpoint4[4] = { 192, 168, 50, 2 };
static const uint8_t cidr4[4] = { 10, 42, 1, 0 };
static const uint8_t cidr6[16] = { 0x20, 0x01, 0xca, 0xfe, 0, 0x42, 0, 1 };

/* Appends an attribute, zero-padded; returns its offset. */
static size_t put_attr(struct np_ctl_raw *r, uint16_t type, const void *data,
		       uint16_t len)
{
	struct nlattr hdr = { .nla_len = NLA_HDRLEN + len, .nla_type = type };
	size_t off = r->len;

	memcpy(r->b + off, &hdr, sizeof(hdr));
	if (len)
		memcpy(r->b + off + NLA_HDRLEN, data, len);
	memset(r->b + off + NLA_HDRLEN + len, 0,
	       NLA_ALIGN(hdr.nla_len) - hdr.nla_len);
	r->len += NLA_ALIGN(hdr.nla_len);
	return off;
}

static void put_cidr(struct np_ctl_raw *r, const uint8_t *addr, int v6,
		     uint8_t plen)
{
	size_t nest = put_attr(r, NLA_F_NESTED | NP_PEER_A_CIDR, NULL, 0);
	uint16_t len;

	put_attr(r, v6 ? NP_CIDR_A_ADDR6 : NP_CIDR_A_ADDR4, addr, v6 ? 16 : 4);
	put_attr(r, NP_CIDR_A_PREFIXLEN, &plen, 1);
	len = (uint16_t)(r->len - nest);
	memcpy(r->b + nest, &len, sizeof(len));	/* nla_len comes first */
}

int np_ctl_raw_peer_build(const char *variant, uint32_t ifindex,
			  struct np_ctl_raw *raw)
{
	raw->len = 0;
	put_attr(raw, NP_PEER_A_IFINDEX, &ifindex, sizeof(ifindex));
	if (!strcmp(variant, "missing-endpoint")) {
		put_attr(raw, NP_PEER_A_MAC, good_mac, NP_MAC_LEN);
		put_cidr(raw, cidr4, 0, 24);
	} else if (!strcmp(variant, "bad-mac")) {
		put_attr(raw, NP_PEER_A_MAC, mcast_mac, NP_MAC_LEN);
		put_attr(raw, NP_PEER_A_ENDPOINT4, endpoint4, 4);
		put_cidr(raw, cidr4, 0, 24);
	} else if (!strcmp(variant, "wrong-family")) {
		put_attr(raw, NP_PEER_A_MAC, good_mac, NP_MAC_LEN);
		put_attr(raw, NP_PEER_A_ENDPOINT4, endpoint4, 4);
		put_cidr(raw, cidr6, 1, 64);
	} else {
		raw->len = 0;
		return -1;
	}
	return 0;
}

static int run(struct np_ctl *ctl, int argc, char **argv)
{
	static const char what[] = "raw-peer";
	struct np_ctl_raw raw;
	uint32_t ifindex;
	char *pos[2];
	struct np_nl *nl;
	struct np_err err;
	int npos = 2;
	int r;

	r = np_ctl_args(ctl, &np_ctl_cmd_raw_peer, argc, argv, pos, &npos);
	if (r != NP_CTL_CONTINUE)
		return r;
	if (npos < 1) {
		np_ctl_errorf(ctl, what,
			      "missing variant (missing-endpoint, bad-mac or wrong-family)");
		return NP_CTL_EXIT_FAIL;
	}
	if (np_ctl_raw_peer_build(pos[0], 0, &raw) < 0) {
		np_ctl_errorf(ctl, what, "unknown variant '%s'", pos[0]);
		return NP_CTL_EXIT_FAIL;
	}
	if (npos < 2) {
		np_ctl_errorf(ctl, what, "missing device NAME");
		return NP_CTL_EXIT_FAIL;
	}
	if (np_ctl_ifindex(ctl, what, pos[1], &ifindex) < 0)
		return NP_CTL_EXIT_FAIL;
	np_ctl_raw_peer_build(pos[0], ifindex, &raw);

	if (np_ctl_nl_open(ctl, &nl, &err) < 0) {
		np_ctl_error(ctl, what, &err);
		return NP_CTL_EXIT_FAIL;
	}
	r = np_nl_send_raw(nl, NP_CMD_PEER_NEW, raw.b, raw.len, &err);
	np_ctl_nl_close(ctl, nl);
	if (r < 0) {
		np_ctl_error(ctl, what, &err);
		return NP_CTL_EXIT_FAIL;
	}
	fprintf(ctl->out, "accepted\n");
	return NP_CTL_EXIT_OK;
}

const struct np_ctl_cmd np_ctl_cmd_raw_peer = {
	.name = "raw-peer",
	.args = "missing-endpoint|bad-mac|wrong-family NAME",
	.summary = "send a malformed PEER_NEW request (for tests)",
	.hidden = true,
	.run = run,
};
