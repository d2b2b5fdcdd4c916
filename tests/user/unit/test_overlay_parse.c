// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reply parsers of NP_CMD_OVERLAY_GET, NP_CMD_PEER_GET and NP_CMD_MASQ_GET,
 * and the INFO_GET counts the overlay added, on hand-built messages.
 */
#include <errno.h>
#include <sys/socket.h>

#include <linux/nodeplane.h>

#include "check.h"
#include "nlbuf.h"
#include "nl/msg.h"

#define FAMILY 0x20

static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t MAC_B[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };
static const uint8_t IP4_A[4] = { 192, 168, 50, 2 };
static const uint8_t IP6_A[16] = { 0xfd, [15] = 2 };
static const uint8_t NET4_1[4] = { 10, 42, 1, 0 };
static const uint8_t NET6_1[16] = { 0x20, 0x01, 0xca, 0xfe, 0, 0x42, 0, 1 };

static void cidr(struct nb *nb, uint16_t type, const uint8_t *a, int v6,
		 uint8_t plen)
{
	size_t n = nb_nest(nb, type);

	nb_attr(nb, v6 ? NP_CIDR_A_ADDR6 : NP_CIDR_A_ADDR4, a, v6 ? 16 : 4);
	nb_attr(nb, NP_CIDR_A_PREFIXLEN, &plen, 1);
	nb_nest_end(nb, n);
}

/* OVERLAY_GET */

enum {
	O_IFNAME = 1 << 0, O_LOCAL = 1 << 1, O_MACS = 1 << 2, O_PEERS = 1 << 3,
	O_STATS = 1 << 4, O_ALL = 0x1f,
};

static size_t overlay_reply(struct nb *nb, unsigned int with)
{
	static const uint8_t l4[4] = { 192, 168, 50, 1 };
	static const uint8_t l6[16] = { 0xfd, [15] = 1 };
	size_t m = nb_msg(nb, FAMILY, NLM_F_MULTI), n;
	uint16_t t;

	nb_genl(nb, NP_CMD_OVERLAY_GET);
	nb_u32(nb, NP_OVERLAY_A_IFINDEX, 5);
	if (with & O_IFNAME)
		nb_str(nb, NP_OVERLAY_A_IFNAME, "np0");
	nb_u32(nb, NP_OVERLAY_A_VNI, 0xffffff);
	nb_u16(nb, NP_OVERLAY_A_PORT, 8472);
	if (with & O_LOCAL) {
		nb_attr(nb, NP_OVERLAY_A_LOCAL4, l4, 4);
		nb_attr(nb, NP_OVERLAY_A_LOCAL6, l6, 16);
	}
	if (with & O_MACS) {
		nb_attr(nb, NP_OVERLAY_A_MAC, MAC_A, 6);
		nb_attr(nb, NP_OVERLAY_A_MAC6, MAC_B, 6);
	}
	nb_u32(nb, NP_OVERLAY_A_FLAGS, NP_OVERLAY_F_GBP);
	if (with & O_PEERS)
		nb_u32(nb, NP_OVERLAY_A_PEERS, 3);
	if (with & O_STATS) {
		n = nb_nest(nb, NP_OVERLAY_A_STATS);
		nb_attr(nb, NP_OSTAT_A_PAD, NULL, 0);
		for (t = NP_OSTAT_A_TX_PACKETS; t <= NP_OSTAT_A_MAX; t++)
			nb_u64(nb, t, 1000ULL * t + 0x100000000ULL);
		nb_nest_end(nb, n);
	}
	/* An attribute from a newer module: ignored. */
	nb_u32(nb, __NP_OVERLAY_A_MAX + 3, 9);
	nb_end(nb, m);
	return m;
}

static int parse_overlay(struct nb *nb, size_t m, struct np_overlay_cfg *c,
			 struct np_err *err)
{
	np_err_clear(err);
	return np_nl_overlay_parse(nb_hdr(nb, m), nb->len - m, c, err);
}

TEST(overlay_full_reply)
{
	struct nb nb = { .len = 0 };
	struct np_overlay_cfg c;
	struct np_err err;
	size_t m = overlay_reply(&nb, O_ALL);
	unsigned int i;

	CHECK_INT(parse_overlay(&nb, m, &c, &err), 0);
	CHECK_INT(c.ifindex, 5);
	CHECK_STR(c.ifname, "np0");
	CHECK_INT(c.has, NP_OVERLAY_HAS_VNI | NP_OVERLAY_HAS_PORT |
		  NP_OVERLAY_HAS_LOCAL4 | NP_OVERLAY_HAS_LOCAL6 |
		  NP_OVERLAY_HAS_MAC | NP_OVERLAY_HAS_MAC6 |
		  NP_OVERLAY_HAS_FLAGS | NP_OVERLAY_HAS_PEERS |
		  NP_OVERLAY_HAS_STATS);
	CHECK_INT(c.vni, 0xffffff);
	CHECK_INT(c.port, 8472);
	CHECK_INT(c.local4.family, AF_INET);
	CHECK_INT(c.local4.a[3], 1);
	CHECK_INT(c.local6.family, AF_INET6);
	CHECK_INT(c.local6.a[0], 0xfd);
	CHECK(!memcmp(c.mac, MAC_A, 6));
	CHECK(!memcmp(c.mac6, MAC_B, 6));
	CHECK_INT(c.flags, NP_OVERLAY_F_GBP);
	CHECK_INT(c.peers, 3);
	CHECK_INT(c.stats_have, (1U << NP_OSTAT_N) - 1);
	for (i = 0; i < NP_OSTAT_N; i++)
		CHECK(c.stats[i] == 1000ULL * (i + NP_OSTAT_FIRST) + 0x100000000ULL);
	CHECK_STR(np_nl_ostat_name(0), "tx_packets");
	CHECK_STR(np_nl_ostat_name(NP_OSTAT_A_RX_BAD_INNER - NP_OSTAT_FIRST),
		  "rx_bad_inner");
	CHECK(np_nl_ostat_name(NP_OSTAT_N) == NULL);
}

TEST(overlay_minimal_reply)
{
	struct nb nb = { .len = 0 };
	struct np_overlay_cfg c;
	struct np_err err;
	size_t m = overlay_reply(&nb, O_IFNAME);

	CHECK_INT(parse_overlay(&nb, m, &c, &err), 0);
	CHECK_INT(c.has, NP_OVERLAY_HAS_VNI | NP_OVERLAY_HAS_PORT |
		  NP_OVERLAY_HAS_FLAGS);
	CHECK_INT(c.local4.family, 0);
	CHECK_INT(c.stats_have, 0);
}

TEST(overlay_missing_ifname)
{
	struct nb nb = { .len = 0 };
	struct np_overlay_cfg c;
	struct np_err err;
	size_t m = overlay_reply(&nb, O_ALL & ~O_IFNAME);

	CHECK_INT(parse_overlay(&nb, m, &c, &err), -EBADMSG);
	CHECK_INT(err.err, EBADMSG);
	CHECK_STR(err.msg, "OVERLAY_GET reply: missing attribute 2 (NP_OVERLAY_A_IFNAME)");
}

/* A minimal reply with one attribute replaced by (type, data, len). */
static size_t overlay_with(struct nb *nb, uint16_t type, const void *data,
			   uint16_t len)
{
	size_t m = nb_msg(nb, FAMILY, 0);

	nb_genl(nb, NP_CMD_OVERLAY_GET);
	nb_u32(nb, NP_OVERLAY_A_IFINDEX, 5);
	nb_str(nb, NP_OVERLAY_A_IFNAME, "np0");
	nb_u32(nb, NP_OVERLAY_A_VNI, 1);
	nb_u16(nb, NP_OVERLAY_A_PORT, 8472);
	nb_u32(nb, NP_OVERLAY_A_FLAGS, 0);
	nb_attr(nb, type, data, len);
	nb_end(nb, m);
	return m;
}

TEST(overlay_wrong_lengths)
{
	static const uint8_t bytes[20] = { 'n', 'p', '0', 1, 2, 3, 4, 5, 6, 7,
					   8, 9, 10, 11, 12, 13, 14, 15, 16, 17 };
	struct nb nb = { .len = 0 };
	struct np_overlay_cfg c;
	struct np_err err;
	uint32_t v = 1;
	size_t m;

	m = overlay_with(&nb, NP_OVERLAY_A_LOCAL4, bytes, 3);
	CHECK_INT(parse_overlay(&nb, m, &c, &err), -EBADMSG);
	CHECK_STR(err.msg, "OVERLAY_GET reply: attribute 5 (NP_OVERLAY_A_LOCAL4): "
		  "expected binary (4 bytes), got 3 bytes");
	nb.len = 0;
	m = overlay_with(&nb, NP_OVERLAY_A_LOCAL6, bytes, 4);
	CHECK_INT(parse_overlay(&nb, m, &c, &err), -EBADMSG);
	CHECK_STR(err.msg, "OVERLAY_GET reply: attribute 6 (NP_OVERLAY_A_LOCAL6): "
		  "expected binary (16 bytes), got 4 bytes");
	nb.len = 0;
	m = overlay_with(&nb, NP_OVERLAY_A_MAC, bytes, 8);
	CHECK_INT(parse_overlay(&nb, m, &c, &err), -EBADMSG);
	CHECK_STR(err.msg, "OVERLAY_GET reply: attribute 7 (NP_OVERLAY_A_MAC): "
		  "expected binary (6 bytes), got 8 bytes");
	nb.len = 0;
	m = overlay_with(&nb, NP_OVERLAY_A_PEERS, &v, 2);
	CHECK_INT(parse_overlay(&nb, m, &c, &err), -EBADMSG);
	CHECK_STR(err.msg, "OVERLAY_GET reply: attribute 10 (NP_OVERLAY_A_PEERS): "
		  "expected u32 (4 bytes), got 2 bytes");
	/* The second IFNAME, the last one, is what nla_parse() keeps. */
	nb.len = 0;
	m = overlay_with(&nb, NP_OVERLAY_A_IFNAME, bytes, 17);
	CHECK_INT(parse_overlay(&nb, m, &c, &err), -EBADMSG);
	CHECK_STR(err.msg, "OVERLAY_GET reply: attribute 2 (NP_OVERLAY_A_IFNAME): "
		  "string of 17 bytes, at most 16 allowed");
	nb.len = 0;
	m = overlay_with(&nb, NP_OVERLAY_A_IFNAME, bytes, 3);
	CHECK_INT(parse_overlay(&nb, m, &c, &err), -EBADMSG);
	CHECK_STR(err.msg, "OVERLAY_GET reply: attribute 2 (NP_OVERLAY_A_IFNAME): "
		  "string not NUL-terminated");
}

TEST(overlay_bad_counter)
{
	struct nb nb = { .len = 0 };
	struct np_overlay_cfg c;
	struct np_err err;
	size_t m = nb_msg(&nb, FAMILY, 0), n;

	nb_genl(&nb, NP_CMD_OVERLAY_GET);
	nb_u32(&nb, NP_OVERLAY_A_IFINDEX, 5);
	nb_str(&nb, NP_OVERLAY_A_IFNAME, "np0");
	nb_u32(&nb, NP_OVERLAY_A_VNI, 1);
	nb_u16(&nb, NP_OVERLAY_A_PORT, 8472);
	nb_u32(&nb, NP_OVERLAY_A_FLAGS, 0);
	n = nb_nest(&nb, NP_OVERLAY_A_STATS);
	nb_u64(&nb, NP_OSTAT_A_TX_PACKETS, 1);
	nb_u32(&nb, NP_OSTAT_A_RX_LOOP, 1);
	nb_nest_end(&nb, n);
	nb_end(&nb, m);
	CHECK_INT(parse_overlay(&nb, m, &c, &err), -EBADMSG);
	CHECK_STR(err.msg, "OVERLAY_GET reply NP_OVERLAY_A_STATS: attribute 12 "
		  "(NP_OSTAT_A_RX_LOOP): expected u64 (8 bytes), got 4 bytes");
}

TEST(overlay_truncated_and_control_characters)
{
	struct nb nb = { .len = 0 };
	struct np_overlay_cfg c;
	struct np_err err;
	size_t m = overlay_with(&nb, NP_OVERLAY_A_IFNAME, "n\tp\x01", 5);

	CHECK_INT(parse_overlay(&nb, m, &c, &err), 0);
	CHECK_STR(c.ifname, "n?p?");
	np_err_clear(&err);
	CHECK_INT(np_nl_overlay_parse(nb_hdr(&nb, m), 16, &c, &err), -EBADMSG);
	CHECK_STR(err.msg, "OVERLAY_GET reply: truncated message");
	nb_hdr(&nb, m)->nlmsg_len -= 4;	/* the last attribute cut short */
	CHECK_INT(parse_overlay(&nb, m, &c, &err), -EBADMSG);
	CHECK_STR(err.msg, "OVERLAY_GET reply: truncated attribute at byte 40");
}

/* PEER_GET */

static int parse_peer(struct nb *nb, size_t m, struct np_peer *p,
		      struct np_err *err)
{
	np_err_clear(err);
	return np_nl_peer_parse(nb_hdr(nb, m), nb->len - m, p, err);
}

static size_t peer_head(struct nb *nb, bool mac)
{
	size_t m = nb_msg(nb, FAMILY, NLM_F_MULTI);

	nb_genl(nb, NP_CMD_PEER_GET);
	nb_u32(nb, NP_PEER_A_IFINDEX, 5);
	if (mac)
		nb_attr(nb, NP_PEER_A_MAC, MAC_B, 6);
	return m;
}

TEST(peer_ipv4_two_cidrs)
{
	static const uint8_t net2[4] = { 10, 42, 9, 0 };
	struct nb nb = { .len = 0 };
	struct np_peer p;
	struct np_err err;
	size_t m = peer_head(&nb, true);

	nb_attr(&nb, NP_PEER_A_ENDPOINT4, IP4_A, 4);
	cidr(&nb, NP_PEER_A_CIDR, net2, 0, 24);
	cidr(&nb, NP_PEER_A_CIDR, NET4_1, 0, 23);
	nb_end(&nb, m);
	CHECK_INT(parse_peer(&nb, m, &p, &err), 0);
	CHECK_INT(p.ifindex, 5);
	CHECK(!memcmp(p.mac, MAC_B, 6));
	CHECK_INT(p.endpoint.family, AF_INET);
	CHECK(!memcmp(p.endpoint.a, IP4_A, 4));
	CHECK_INT(p.n_cidrs, 2);
	/* The module's order is kept. */
	CHECK_INT(p.cidrs[0].addr.a[2], 9);
	CHECK_INT(p.cidrs[0].prefixlen, 24);
	CHECK_INT(p.cidrs[1].addr.family, AF_INET);
	CHECK_INT(p.cidrs[1].addr.a[2], 1);
	CHECK_INT(p.cidrs[1].prefixlen, 23);
}

TEST(peer_ipv6_unflagged_nest)
{
	struct nb nb = { .len = 0 };
	struct np_peer p;
	struct np_err err;
	size_t m = peer_head(&nb, true), n;
	uint8_t plen = 64;

	nb_attr(&nb, NP_PEER_A_ENDPOINT6, IP6_A, 16);
	n = nb_attr(&nb, NP_PEER_A_CIDR, NULL, 0);	/* no NLA_F_NESTED */
	nb_attr(&nb, NP_CIDR_A_PREFIXLEN, &plen, 1);
	nb_attr(&nb, NP_CIDR_A_ADDR6, NET6_1, 16);
	nb_nest_end(&nb, n);
	nb_end(&nb, m);
	CHECK_INT(parse_peer(&nb, m, &p, &err), 0);
	CHECK_INT(p.endpoint.family, AF_INET6);
	CHECK_INT(p.endpoint.a[15], 2);
	CHECK_INT(p.n_cidrs, 1);
	CHECK_INT(p.cidrs[0].addr.family, AF_INET6);
	CHECK(!memcmp(p.cidrs[0].addr.a, NET6_1, 16));
	CHECK_INT(p.cidrs[0].prefixlen, 64);
}

TEST(peer_missing_attributes)
{
	struct nb nb = { .len = 0 };
	struct np_peer p;
	struct np_err err;
	size_t m = peer_head(&nb, false);

	nb_attr(&nb, NP_PEER_A_ENDPOINT4, IP4_A, 4);
	cidr(&nb, NP_PEER_A_CIDR, NET4_1, 0, 24);
	nb_end(&nb, m);
	CHECK_INT(parse_peer(&nb, m, &p, &err), -EBADMSG);
	CHECK_STR(err.msg, "PEER_GET reply: missing attribute 2 (NP_PEER_A_MAC)");

	nb.len = 0;
	m = peer_head(&nb, true);
	nb_attr(&nb, NP_PEER_A_ENDPOINT4, IP4_A, 4);
	nb_end(&nb, m);
	CHECK_INT(parse_peer(&nb, m, &p, &err), -EBADMSG);
	CHECK_STR(err.msg, "PEER_GET reply: missing attribute 5 (NP_PEER_A_CIDR)");

	nb.len = 0;
	m = peer_head(&nb, true);
	cidr(&nb, NP_PEER_A_CIDR, NET4_1, 0, 24);
	nb_end(&nb, m);
	CHECK_INT(parse_peer(&nb, m, &p, &err), -EBADMSG);
	CHECK_STR(err.msg, "PEER_GET reply: needs exactly one of "
		  "NP_PEER_A_ENDPOINT4 and NP_PEER_A_ENDPOINT6");

	nb.len = 0;
	m = peer_head(&nb, true);
	nb_attr(&nb, NP_PEER_A_ENDPOINT4, IP4_A, 4);
	nb_attr(&nb, NP_PEER_A_ENDPOINT6, IP6_A, 16);
	cidr(&nb, NP_PEER_A_CIDR, NET4_1, 0, 24);
	nb_end(&nb, m);
	CHECK_INT(parse_peer(&nb, m, &p, &err), -EBADMSG);
	CHECK_STR(err.msg, "PEER_GET reply: needs exactly one of "
		  "NP_PEER_A_ENDPOINT4 and NP_PEER_A_ENDPOINT6");
}

TEST(peer_bad_cidrs)
{
	struct nb nb = { .len = 0 };
	struct np_peer p;
	struct np_err err;
	size_t m, n;
	uint8_t plen = 24;
	int i;

	m = peer_head(&nb, true);
	nb_attr(&nb, NP_PEER_A_ENDPOINT4, IP4_A, 4);
	n = nb_nest(&nb, NP_PEER_A_CIDR);
	nb_attr(&nb, NP_CIDR_A_ADDR4, NET4_1, 4);
	nb_nest_end(&nb, n);
	nb_end(&nb, m);
	CHECK_INT(parse_peer(&nb, m, &p, &err), -EBADMSG);
	CHECK_STR(err.msg, "PEER_GET reply NP_PEER_A_CIDR: missing attribute 3 "
		  "(NP_CIDR_A_PREFIXLEN)");

	nb.len = 0;
	m = peer_head(&nb, true);
	nb_attr(&nb, NP_PEER_A_ENDPOINT4, IP4_A, 4);
	n = nb_nest(&nb, NP_PEER_A_CIDR);
	nb_attr(&nb, NP_CIDR_A_ADDR4, NET4_1, 4);
	nb_attr(&nb, NP_CIDR_A_ADDR6, NET6_1, 16);
	nb_attr(&nb, NP_CIDR_A_PREFIXLEN, &plen, 1);
	nb_nest_end(&nb, n);
	nb_end(&nb, m);
	CHECK_INT(parse_peer(&nb, m, &p, &err), -EBADMSG);
	CHECK_STR(err.msg, "PEER_GET reply NP_PEER_A_CIDR: needs exactly one of "
		  "NP_CIDR_A_ADDR4 and NP_CIDR_A_ADDR6");

	nb.len = 0;
	m = peer_head(&nb, true);
	nb_attr(&nb, NP_PEER_A_ENDPOINT4, IP4_A, 4);
	cidr(&nb, NP_PEER_A_CIDR, NET4_1, 0, 33);
	nb_end(&nb, m);
	CHECK_INT(parse_peer(&nb, m, &p, &err), -EBADMSG);
	CHECK_STR(err.msg, "PEER_GET reply NP_PEER_A_CIDR: attribute 3 "
		  "(NP_CIDR_A_PREFIXLEN): 33 is over 32");

	nb.len = 0;
	m = peer_head(&nb, true);
	nb_attr(&nb, NP_PEER_A_ENDPOINT4, IP4_A, 4);
	n = nb_nest(&nb, NP_PEER_A_CIDR);
	nb_attr(&nb, NP_CIDR_A_ADDR6, NET4_1, 4);
	nb_attr(&nb, NP_CIDR_A_PREFIXLEN, &plen, 1);
	nb_nest_end(&nb, n);
	nb_end(&nb, m);
	CHECK_INT(parse_peer(&nb, m, &p, &err), -EBADMSG);
	CHECK_STR(err.msg, "PEER_GET reply NP_PEER_A_CIDR: attribute 2 "
		  "(NP_CIDR_A_ADDR6): expected binary (16 bytes), got 4 bytes");

	nb.len = 0;
	m = peer_head(&nb, true);
	nb_attr(&nb, NP_PEER_A_ENDPOINT4, IP4_A, 4);
	for (i = 0; i <= NP_PEER_CIDRS_MAX; i++)
		cidr(&nb, NP_PEER_A_CIDR, NET4_1, 0, 24);
	nb_end(&nb, m);
	CHECK_INT(parse_peer(&nb, m, &p, &err), -EBADMSG);
	CHECK_STR(err.msg, "PEER_GET reply: more than 64 attributes 5 (NP_PEER_A_CIDR)");
}

/* MASQ_GET */

static int parse_masq(struct nb *nb, size_t m, struct np_masq *q,
		      struct np_err *err)
{
	np_err_clear(err);
	return np_nl_masq_parse(nb_hdr(nb, m), nb->len - m, q, err);
}

TEST(masq_replies)
{
	struct nb nb = { .len = 0 };
	struct np_masq q;
	struct np_err err;
	size_t m = nb_msg(&nb, FAMILY, 0);

	nb_genl(&nb, NP_CMD_MASQ_GET);
	cidr(&nb, NP_MASQ_A_CIDR, NET6_1, 1, 56);
	cidr(&nb, NP_MASQ_A_CIDR, NET4_1, 0, 16);
	nb_u32(&nb, NP_MASQ_A_FLAGS, NP_MASQ_F_IPV6);
	nb_end(&nb, m);
	CHECK_INT(parse_masq(&nb, m, &q, &err), 0);
	CHECK_INT(q.n_cidrs, 2);
	CHECK_INT(q.cidrs[0].addr.family, AF_INET6);
	CHECK_INT(q.cidrs[0].prefixlen, 56);
	CHECK_INT(q.cidrs[1].addr.family, AF_INET);
	CHECK_INT(q.cidrs[1].prefixlen, 16);
	CHECK_INT(q.flags, NP_MASQ_F_IPV6);

	nb.len = 0;
	m = nb_msg(&nb, FAMILY, 0);
	nb_genl(&nb, NP_CMD_MASQ_GET);
	nb_u32(&nb, NP_MASQ_A_FLAGS, 0);
	nb_end(&nb, m);
	CHECK_INT(parse_masq(&nb, m, &q, &err), 0);
	CHECK_INT(q.n_cidrs, 0);
	CHECK_INT(q.flags, 0);
}

TEST(masq_bad_replies)
{
	struct nb nb = { .len = 0 };
	struct np_masq q;
	struct np_err err;
	size_t m = nb_msg(&nb, FAMILY, 0);

	nb_genl(&nb, NP_CMD_MASQ_GET);
	cidr(&nb, NP_MASQ_A_CIDR, NET4_1, 0, 16);
	nb_end(&nb, m);
	CHECK_INT(parse_masq(&nb, m, &q, &err), -EBADMSG);
	CHECK_STR(err.msg, "MASQ_GET reply: missing attribute 2 (NP_MASQ_A_FLAGS)");

	nb.len = 0;
	m = nb_msg(&nb, FAMILY, 0);
	nb_genl(&nb, NP_CMD_MASQ_GET);
	cidr(&nb, NP_MASQ_A_CIDR, NET6_1, 1, 129);
	nb_u32(&nb, NP_MASQ_A_FLAGS, 0);
	nb_end(&nb, m);
	CHECK_INT(parse_masq(&nb, m, &q, &err), -EBADMSG);
	CHECK_STR(err.msg, "MASQ_GET reply NP_MASQ_A_CIDR: attribute 3 "
		  "(NP_CIDR_A_PREFIXLEN): 129 is over 128");

	nb.len = 0;
	m = nb_msg(&nb, FAMILY, 0);
	nb_genl(&nb, NP_CMD_MASQ_GET);
	nb_u16(&nb, NP_MASQ_A_FLAGS, 0);
	nb_end(&nb, m);
	CHECK_INT(parse_masq(&nb, m, &q, &err), -EBADMSG);
	CHECK_STR(err.msg, "MASQ_GET reply: attribute 2 (NP_MASQ_A_FLAGS): "
		  "expected u32 (4 bytes), got 2 bytes");
}

/* INFO_GET counts */

static size_t info_reply(struct nb *nb, int with_new, bool bad)
{
	size_t m = nb_msg(nb, FAMILY, 0), n;

	nb_genl(nb, NP_CMD_INFO_GET);
	nb_u32(nb, NP_INFO_A_ABI_VERSION, 1);
	nb_str(nb, NP_INFO_A_VERSION, "0.2.0");
	nb_u32(nb, NP_INFO_A_FEATURES, NP_FEATURE_F_OVERLAY);
	n = nb_nest(nb, NP_INFO_A_COUNTS);
	nb_u64(nb, NP_COUNT_A_REQUESTS, 9);
	if (with_new) {
		nb_u32(nb, NP_COUNT_A_OVERLAY_DEVICES, 2);
		if (bad)
			nb_u64(nb, NP_COUNT_A_OVERLAY_PEERS, 7);
		else
			nb_u32(nb, NP_COUNT_A_OVERLAY_PEERS, 7);
		nb_u32(nb, NP_COUNT_A_MASQ_CIDRS, 1);
	}
	nb_nest_end(nb, n);
	nb_end(nb, m);
	return m;
}

TEST(info_overlay_counts)
{
	struct nb nb = { .len = 0 };
	struct np_info info;
	struct np_err err;
	size_t m = info_reply(&nb, 1, false);

	np_err_clear(&err);
	CHECK_INT(np_nl_info_parse(nb_hdr(&nb, m), nb.len - m, &info, &err), 0);
	CHECK_INT(info.have, NP_INFO_HAVE_OVERLAY_DEVICES |
		  NP_INFO_HAVE_OVERLAY_PEERS | NP_INFO_HAVE_MASQ_CIDRS);
	CHECK_INT(info.overlay_devices, 2);
	CHECK_INT(info.overlay_peers, 7);
	CHECK_INT(info.masq_cidrs, 1);
	CHECK_INT(info.requests, 9);

	nb.len = 0;
	m = info_reply(&nb, 0, false);
	CHECK_INT(np_nl_info_parse(nb_hdr(&nb, m), nb.len - m, &info, &err), 0);
	CHECK_INT(info.have, 0);
	CHECK_INT(info.have_counts, 1);

	nb.len = 0;
	m = info_reply(&nb, 1, true);
	CHECK_INT(np_nl_info_parse(nb_hdr(&nb, m), nb.len - m, &info, &err),
		  -EBADMSG);
	CHECK_STR(err.msg, "INFO_GET reply NP_INFO_A_COUNTS: attribute 4 "
		  "(NP_COUNT_A_OVERLAY_PEERS): expected u32 (4 bytes), got 8 bytes");
}

TEST(request_attributes_are_named_for_extack)
{
	char buf[96];

	CHECK_STR(np_nl_attr_ref(np_nl_cmd_attrs(NP_CMD_PEER_NEW),
				 NP_PEER_A_ENDPOINT4, buf, sizeof(buf)),
		  "3 (NP_PEER_A_ENDPOINT4)");
	CHECK_STR(np_nl_attr_ref(np_nl_cmd_attrs(NP_CMD_OVERLAY_SET),
				 NP_OVERLAY_A_MAC6, buf, sizeof(buf)),
		  "8 (NP_OVERLAY_A_MAC6)");
	CHECK_STR(np_nl_attr_ref(np_nl_cmd_attrs(NP_CMD_MASQ_SET),
				 NP_MASQ_A_FLAGS, buf, sizeof(buf)),
		  "2 (NP_MASQ_A_FLAGS)");
}

int main(void)
{
	RUN(overlay_full_reply);
	RUN(overlay_minimal_reply);
	RUN(overlay_missing_ifname);
	RUN(overlay_wrong_lengths);
	RUN(overlay_bad_counter);
	RUN(overlay_truncated_and_control_characters);
	RUN(peer_ipv4_two_cidrs);
	RUN(peer_ipv6_unflagged_nest);
	RUN(peer_missing_attributes);
	RUN(peer_bad_cidrs);
	RUN(masq_replies);
	RUN(masq_bad_replies);
	RUN(info_overlay_counts);
	RUN(request_attributes_are_named_for_extack);
	return check_summary();
}
