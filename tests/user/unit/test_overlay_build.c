// SPDX-License-Identifier: GPL-2.0-only
/*
 * Requests of the overlay, peer and masquerade commands, built through
 * libnl from parsed arguments, compared byte for byte with hand-built
 * attribute streams (nlbuf.h), and the malformed requests of raw-peer.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>

#include <linux/nodeplane.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "check.h"
#include "ctlrun.h"
#include "nlbuf.h"

static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t MAC_B[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };
static const uint8_t IP4_A[4] = { 192, 168, 50, 2 };
static const uint8_t IP4_L[4] = { 192, 168, 50, 1 };
static const uint8_t IP6_L[16] = { 0xfd, [15] = 1 };
static const uint8_t IP6_A[16] = { 0xfd, [15] = 2 };
static const uint8_t NET4_1[4] = { 10, 42, 1, 0 };
static const uint8_t NET4_2[4] = { 10, 42, 2, 0 };
static const uint8_t NET6_1[16] = { 0x20, 0x01, 0xca, 0xfe, 0, 0x42, 0, 1 };
static const uint8_t NET6_M[16] = { 0x20, 0x01, 0xca, 0xfe, 0, 0x42 };

/* The attributes of a request as built, or why they could not be. */
struct built {
	unsigned char b[4096];
	size_t len;
	int r;
};

enum req { OVERLAY_SET, PEER_NEW, PEER_DEL, MASQ_SET };

/* Parses argv as the command's words (NAME first) and builds the request. */
static struct built build_argv(enum req req, char *line, char **err)
{
	static const uint8_t cmds[] = { NP_CMD_OVERLAY_SET, NP_CMD_PEER_NEW,
					NP_CMD_PEER_DEL, NP_CMD_MASQ_SET };
	struct built out = { .len = 0, .r = -1 };
	struct np_overlay_cfg cfg;
	struct np_peer peer;
	struct np_masq masq;
	uint32_t ifindex = 0;
	uint8_t mac[6];
	struct nlmsghdr *nlh;
	struct nl_msg *msg;
	char *argv[32];
	int argc = split_words(line, ' ', argv, 32);
	struct cap c;
	int r = -1;

	cap_open(&c, true);
	switch (req) {
	case OVERLAY_SET:
		r = np_ctl_overlay_set_parse(&c.ctl, argc, argv, &cfg);
		break;
	case PEER_NEW:
		r = np_ctl_peer_set_parse(&c.ctl, argc, argv, &peer);
		break;
	case PEER_DEL:
		r = np_ctl_peer_del_parse(&c.ctl, argc, argv, &ifindex, mac);
		break;
	case MASQ_SET:
		r = np_ctl_masq_set_parse(&c.ctl, argc, argv, &masq);
		break;
	}
	cap_close(&c);
	free(c.out);
	*err = c.err;
	if (r < 0)
		return out;

	msg = nlmsg_alloc();
	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, 0x20, 0, 0,
				 cmds[req], 1))
		abort();
	switch (req) {
	case OVERLAY_SET:
		out.r = np_nl_overlay_set_build(msg, &cfg);
		break;
	case PEER_NEW:
		out.r = np_nl_peer_new_build(msg, &peer);
		break;
	case PEER_DEL:
		out.r = np_nl_peer_del_build(msg, ifindex, mac);
		break;
	case MASQ_SET:
		out.r = np_nl_masq_set_build(msg, &masq);
		break;
	}
	nlh = nlmsg_hdr(msg);
	out.len = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	if (out.len <= sizeof(out.b))
		memcpy(out.b, (unsigned char *)nlh + NLMSG_HDRLEN + GENL_HDRLEN,
		       out.len);
	nlmsg_free(msg);
	return out;
}

/* "1 2 3 5{1 3} 5{2 3}": the attribute types, nests opened one level. */
static void types_str(const unsigned char *p, size_t len, char *buf,
		      size_t blen, bool nested)
{
	size_t off = 0, o = 0;

	buf[0] = '\0';
	while (off + NLA_HDRLEN <= len && o < blen) {
		struct nlattr a;

		memcpy(&a, p + off, sizeof(a));
		if (a.nla_len < NLA_HDRLEN)
			break;
		o += (size_t)snprintf(buf + o, blen - o, "%s%u", off ? " " : "",
				      a.nla_type & NLA_TYPE_MASK);
		if (nested && (a.nla_type & NLA_F_NESTED) && o < blen) {
			o += (size_t)snprintf(buf + o, blen - o, "{");
			types_str(p + off + NLA_HDRLEN, a.nla_len - NLA_HDRLEN,
				  buf + o, blen - o, false);
			o += strlen(buf + o);
			o += (size_t)snprintf(buf + o, blen - o, "}");
		}
		off += NLA_ALIGN(a.nla_len);
	}
}

/* Byte-for-byte, with the first difference and both type walks on failure. */
#define CHECK_BYTES(got, glen, want, wlen) do {				\
	size_t i_ = 0;							\
	char tg_[256], tw_[256];					\
	while (i_ < (glen) && i_ < (wlen) &&				\
	       ((const unsigned char *)(got))[i_] ==			\
	       ((const unsigned char *)(want))[i_])			\
		i_++;							\
	if (i_ != (glen) || (glen) != (wlen)) {				\
		types_str((const unsigned char *)(got), glen, tg_,	\
			  sizeof(tg_), true);				\
		types_str((const unsigned char *)(want), wlen, tw_,	\
			  sizeof(tw_), true);				\
		CHECK_FAIL("%zu vs %zu bytes, first difference at byte %zu;" \
			   " types [%s] vs [%s]", (size_t)(glen),	\
			   (size_t)(wlen), i_, tg_, tw_);		\
	}								\
} while (0)

#define CHECK_BUILT(req, text, nb) do {					\
	char line_[] = text;						\
	char *err_;							\
	struct built b_ = build_argv(req, line_, &err_);		\
	char e_[512];							\
	snprintf(e_, sizeof(e_), "%s", err_);				\
	free(err_);							\
	CHECK_STR(e_, "");						\
	CHECK_INT(b_.r, 0);						\
	CHECK_BYTES(b_.b, b_.len, (nb)->b, (nb)->len);			\
} while (0)

static void cidr(struct nb *nb, uint16_t type, const uint8_t *a, int v6,
		 uint8_t plen)
{
	size_t n = nb_nest(nb, type);

	nb_attr(nb, v6 ? NP_CIDR_A_ADDR6 : NP_CIDR_A_ADDR4, a, v6 ? 16 : 4);
	nb_attr(nb, NP_CIDR_A_PREFIXLEN, &plen, 1);
	nb_nest_end(nb, n);
}

TEST(overlay_set_every_word)
{
	struct nb nb = { .len = 0 };

	nb_u32(&nb, NP_OVERLAY_A_IFINDEX, 5);
	nb_u32(&nb, NP_OVERLAY_A_VNI, 42);
	nb_u16(&nb, NP_OVERLAY_A_PORT, 4789);
	nb_attr(&nb, NP_OVERLAY_A_LOCAL4, IP4_L, 4);
	nb_attr(&nb, NP_OVERLAY_A_LOCAL6, IP6_L, 16);
	nb_attr(&nb, NP_OVERLAY_A_MAC, MAC_A, 6);
	nb_attr(&nb, NP_OVERLAY_A_MAC6, MAC_B, 6);
	nb_u32(&nb, NP_OVERLAY_A_FLAGS,
	       NP_OVERLAY_F_GBP | NP_OVERLAY_F_RX_SRC_CHECK);
	/* Word order does not matter; attributes go in type order. */
	CHECK_BUILT(OVERLAY_SET, "np0 source-check on gbp on mac6 02:AA:BB:CC:DD:EE "
		    "local fd00::1,192.168.50.1 mac 02:00:00:00:00:02 "
		    "port 4789 vni 42", &nb);
}

TEST(overlay_set_sends_only_given_words)
{
	struct nb nb = { .len = 0 };

	nb_u32(&nb, NP_OVERLAY_A_IFINDEX, 6);
	nb_attr(&nb, NP_OVERLAY_A_LOCAL6, IP6_L, 16);
	nb_u32(&nb, NP_OVERLAY_A_FLAGS, 0);
	CHECK_BUILT(OVERLAY_SET, "np1 gbp off local fd00::1", &nb);

	nb.len = 0;
	nb_u32(&nb, NP_OVERLAY_A_IFINDEX, 5);
	CHECK_BUILT(OVERLAY_SET, "np0", &nb);
}

TEST(overlay_set_local_none_clears_both)
{
	struct nb nb = { .len = 0 };

	nb_u32(&nb, NP_OVERLAY_A_IFINDEX, 5);
	nb_u32(&nb, NP_OVERLAY_A_VNI, 0);
	nb_attr(&nb, NP_OVERLAY_A_LOCAL4, NULL, 0);
	nb_attr(&nb, NP_OVERLAY_A_LOCAL6, NULL, 0);
	CHECK_BUILT(OVERLAY_SET, "np0 local none vni 0", &nb);
}

TEST(peer_new_ipv4_two_cidrs)
{
	struct nb nb = { .len = 0 };

	nb_u32(&nb, NP_PEER_A_IFINDEX, 5);
	nb_attr(&nb, NP_PEER_A_MAC, MAC_B, 6);
	nb_attr(&nb, NP_PEER_A_ENDPOINT4, IP4_A, 4);
	cidr(&nb, NP_PEER_A_CIDR, NET4_2, 0, 24);
	cidr(&nb, NP_PEER_A_CIDR, NET4_1, 0, 24);
	/* CIDRs in the order given. */
	CHECK_BUILT(PEER_NEW, "np0 mac 02:aa:bb:cc:dd:ee endpoint 192.168.50.2 "
		    "cidr 10.42.2.0/24,10.42.1.0/24", &nb);
}

TEST(peer_new_ipv6)
{
	struct nb nb = { .len = 0 };

	nb_u32(&nb, NP_PEER_A_IFINDEX, 6);
	nb_attr(&nb, NP_PEER_A_MAC, MAC_A, 6);
	nb_attr(&nb, NP_PEER_A_ENDPOINT6, IP6_A, 16);
	cidr(&nb, NP_PEER_A_CIDR, NET6_1, 1, 64);
	CHECK_BUILT(PEER_NEW, "np1 cidr 2001:cafe:42:1::/64 endpoint fd00::2 "
		    "mac 02:00:00:00:00:02", &nb);
}

TEST(peer_del)
{
	struct nb nb = { .len = 0 };

	nb_u32(&nb, NP_PEER_A_IFINDEX, 5);
	nb_attr(&nb, NP_PEER_A_MAC, MAC_B, 6);
	CHECK_BUILT(PEER_DEL, "np0 mac 02:AA:bb:cc:dd:ee", &nb);
}

TEST(masq_set)
{
	struct nb nb = { .len = 0 };

	cidr(&nb, NP_MASQ_A_CIDR, NET4_1, 0, 16);
	cidr(&nb, NP_MASQ_A_CIDR, NET6_M, 1, 56);
	nb_u32(&nb, NP_MASQ_A_FLAGS, NP_MASQ_F_IPV6);
	CHECK_BUILT(MASQ_SET, "cluster-cidr 10.42.1.0/16,2001:cafe:42::/56 "
		    "ipv6 on", &nb);

	/* Replaces the configuration: FLAGS always, no CIDR for "none". */
	nb.len = 0;
	nb_u32(&nb, NP_MASQ_A_FLAGS, 0);
	CHECK_BUILT(MASQ_SET, "cluster-cidr none", &nb);
}

TEST(nests_are_flagged)
{
	char line[] = "np0 mac 02:00:00:00:00:02 endpoint 192.168.50.2 cidr 10.42.1.0/24";
	char *err, walk[256];
	struct built b = build_argv(PEER_NEW, line, &err);
	struct nlattr a;

	free(err);
	CHECK_INT(b.r, 0);
	types_str(b.b, b.len, walk, sizeof(walk), true);
	CHECK_STR(walk, "1 2 3 5{1 3}");
	memcpy(&a, b.b + 8 + 12 + 8, sizeof(a));
	CHECK_INT(a.nla_type, NLA_F_NESTED | NP_PEER_A_CIDR);
	CHECK_INT(a.nla_len, 4 + 8 + 8);
}

TEST(raw_peer_variants)
{
	struct np_ctl_raw raw;
	struct nb nb = { .len = 0 };
	static const uint8_t mcast[6] = { 0x01, 0, 0x5e, 0, 0, 0x01 };

	nb_u32(&nb, NP_PEER_A_IFINDEX, 7);
	nb_attr(&nb, NP_PEER_A_MAC, MAC_A, 6);
	cidr(&nb, NP_PEER_A_CIDR, NET4_1, 0, 24);
	CHECK_INT(np_ctl_raw_peer_build("missing-endpoint", 7, &raw), 0);
	CHECK_BYTES(raw.b, raw.len, nb.b, nb.len);

	nb.len = 0;
	nb_u32(&nb, NP_PEER_A_IFINDEX, 7);
	nb_attr(&nb, NP_PEER_A_MAC, mcast, 6);
	nb_attr(&nb, NP_PEER_A_ENDPOINT4, IP4_A, 4);
	cidr(&nb, NP_PEER_A_CIDR, NET4_1, 0, 24);
	CHECK_INT(np_ctl_raw_peer_build("bad-mac", 7, &raw), 0);
	CHECK_BYTES(raw.b, raw.len, nb.b, nb.len);

	nb.len = 0;
	nb_u32(&nb, NP_PEER_A_IFINDEX, 7);
	nb_attr(&nb, NP_PEER_A_MAC, MAC_A, 6);
	nb_attr(&nb, NP_PEER_A_ENDPOINT4, IP4_A, 4);
	cidr(&nb, NP_PEER_A_CIDR, NET6_1, 1, 64);
	CHECK_INT(np_ctl_raw_peer_build("wrong-family", 7, &raw), 0);
	CHECK_BYTES(raw.b, raw.len, nb.b, nb.len);

	CHECK_INT(np_ctl_raw_peer_build("bogus", 7, &raw), -1);
}

TEST(builders_refuse_addresses_of_no_family)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct np_peer peer = { .ifindex = 5, .n_cidrs = 1 };
	struct np_masq masq = { .n_cidrs = 1 };
	int r1, r2, r3;

	if (!msg)
		abort();
	r1 = np_nl_peer_new_build(msg, &peer);
	peer.endpoint.family = AF_INET;
	r2 = np_nl_peer_new_build(msg, &peer);	/* its CIDR has none */
	r3 = np_nl_masq_set_build(msg, &masq);
	nlmsg_free(msg);
	CHECK_INT(r1, -EINVAL);
	CHECK_INT(r2, -EINVAL);
	CHECK_INT(r3, -EINVAL);
}

int main(void)
{
	RUN(overlay_set_every_word);
	RUN(overlay_set_sends_only_given_words);
	RUN(overlay_set_local_none_clears_both);
	RUN(peer_new_ipv4_two_cidrs);
	RUN(peer_new_ipv6);
	RUN(peer_del);
	RUN(masq_set);
	RUN(nests_are_flagged);
	RUN(raw_peer_variants);
	RUN(builders_refuse_addresses_of_no_family);
	return check_summary();
}
