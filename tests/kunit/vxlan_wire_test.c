// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "nodeplane_vxlan_wire": the VXLAN wire helpers of
 * kmod/vxlan_wire.c against spec/overlay.md §1.6, §1.11 and §1.12.
 *
 *  - header encoding, byte for byte (plain and GBP), and decoding: every
 *    flags byte, every reserved bit, VNI matching, the GBP mark;
 *  - the receive matrix of §1.12 on synthetic skbs: outer IPv4/IPv6 + UDP +
 *    VXLAN + inner Ethernet + inner IPv4/IPv6/ARP/NS, built byte by byte,
 *    run through the helpers in the order the receive path calls them
 *    (rx_verdict() below), three times: the whole frame linear; the inner
 *    frame in a page fragment with 4 bytes of its Ethernet header linear;
 *    the inner Ethernet header linear and the rest in a fragment, with no
 *    tailroom, so the helpers' pulls reallocate the head under them;
 *  - ECN decapsulation (RFC 6040 table), ARP request parsing and reply
 *    building, Neighbour Solicitation parsing and Advertisement building.
 */
#include "../../kmod/vxlan_wire.c"

#include <kunit/test.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip.h>

static const char * const verdict_names[] = {
	[NP_VXLAN_OK] = "OK",
	[NP_VXLAN_ARP] = "ARP",
	[NP_VXLAN_ND] = "ND",
	[NP_VXLAN_BAD_HEADER] = "BAD_HEADER",
	[NP_VXLAN_BAD_VNI] = "BAD_VNI",
	[NP_VXLAN_BAD_MAC] = "BAD_MAC",
	[NP_VXLAN_LOOP] = "LOOP",
	[NP_VXLAN_BAD_CSUM] = "BAD_CSUM",
	[NP_VXLAN_BAD_INNER] = "BAD_INNER",
};

static const char *vname(int v)
{
	if (v >= 0 && v < ARRAY_SIZE(verdict_names) && verdict_names[v])
		return verdict_names[v];
	return "?";
}

#define EXPECT_VERDICT(test, got, want)					\
	KUNIT_EXPECT_EQ_MSG(test, (int)(got), (int)(want), "got %s, want %s", \
			    vname(got), vname(want))

/* KUNIT_EXPECT_MEMEQ is newer than 6.1 */
#define EXPECT_MEMEQ(test, got, want, n)					\
	KUNIT_EXPECT_TRUE_MSG(test, !memcmp(got, want, n),		\
			      "%s is %*phN, want %*phN", #got, (int)(n),	\
			      got, (int)(n), want)

/* ---- §1.6 / §1.11: encoding ---- */

struct encode_case {
	const char *name;
	u32 vni;
	bool gbp;
	u32 mark;
	u8 hdr[8];
};

#define D NP_VXLAN_GBP_MARK_D
#define A NP_VXLAN_GBP_MARK_A

static const struct encode_case encode_cases[] = {
	/* `08 00 00 00 | VNI | 00` */
	{ "vni 0", 0, false, 0, { 0x08, 0, 0, 0, 0, 0, 0, 0 } },
	{ "vni 1 (flannel default)", 1, false, 0, { 0x08, 0, 0, 0, 0, 0, 1, 0 } },
	{ "vni 0x100", 0x100, false, 0, { 0x08, 0, 0, 0, 0, 1, 0, 0 } },
	{ "vni 0x123456", 0x123456, false, 0,
	  { 0x08, 0, 0, 0, 0x12, 0x34, 0x56, 0 } },
	{ "vni 0xffffff", 0xffffff, false, 0,
	  { 0x08, 0, 0, 0, 0xff, 0xff, 0xff, 0 } },
	/* a mark without GBP changes nothing */
	{ "no gbp, mark 0xffffffff", 1, false, 0xffffffff,
	  { 0x08, 0, 0, 0, 0, 0, 1, 0 } },
	{ "no gbp, mark 0x4000", 1, false, 0x4000, { 0x08, 0, 0, 0, 0, 0, 1, 0 } },
	/* GBP: G flag only when the mark is non-zero */
	{ "gbp, mark 0", 1, true, 0, { 0x08, 0, 0, 0, 0, 0, 1, 0 } },
	{ "gbp, mark 0x1234", 1, true, 0x1234,
	  { 0x88, 0, 0x12, 0x34, 0, 0, 1, 0 } },
	{ "gbp, kube-proxy mark 0x4000", 1, true, 0x4000,
	  { 0x88, 0, 0x40, 0x00, 0, 0, 1, 0 } },
	{ "gbp, D (bit 22)", 1, true, D, { 0x88, 0x40, 0, 0, 0, 0, 1, 0 } },
	{ "gbp, A (bit 19)", 1, true, A, { 0x88, 0x08, 0, 0, 0, 0, 1, 0 } },
	{ "gbp, D|A|0xffff", 0xabcdef, true, D | A | 0xffff,
	  { 0x88, 0x48, 0xff, 0xff, 0xab, 0xcd, 0xef, 0 } },
	/* bits outside D, A and the ID: G set (mark != 0), nothing carried */
	{ "gbp, mark 0x01000000", 1, true, 0x01000000,
	  { 0x88, 0, 0, 0, 0, 0, 1, 0 } },
	{ "gbp, mark 0xffffffff", 0xffffff, true, 0xffffffff,
	  { 0x88, 0x48, 0xff, 0xff, 0xff, 0xff, 0xff, 0 } },
};

static void encode_case_desc(const struct encode_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(encode, encode_cases, encode_case_desc);

static void vxlan_encode(struct kunit *test)
{
	const struct encode_case *c = test->param_value;
	u8 buf[NP_VXLAN_HLEN + 4];
	u32 mark = 0xdeadbeef;

	memset(buf, 0xa5, sizeof(buf));
	np_vxlan_encode(buf, c->vni, c->gbp, c->mark);
	EXPECT_MEMEQ(test, buf, c->hdr, NP_VXLAN_HLEN);
	/* nothing written past the 8 bytes */
	KUNIT_EXPECT_EQ(test, buf[NP_VXLAN_HLEN], 0xa5);
	KUNIT_EXPECT_EQ(test, np_vxlan_hdr_vni(buf), c->vni);

	/* what was encoded decodes on a receiver with the same settings */
	EXPECT_VERDICT(test, np_vxlan_decode(buf, c->vni, c->gbp, &mark),
		       NP_VXLAN_OK);
	KUNIT_EXPECT_EQ(test, mark, c->gbp ? c->mark & (D | A | 0xffff) : 0);
	/* a GBP receiver accepts plain headers; a plain one drops GBP */
	mark = 0xdeadbeef;
	EXPECT_VERDICT(test, np_vxlan_decode(buf, c->vni, false, &mark),
		       buf[0] == 0x88 ? NP_VXLAN_BAD_HEADER : NP_VXLAN_OK);
	KUNIT_EXPECT_EQ(test, mark, 0U);
	mark = 0xdeadbeef;
	EXPECT_VERDICT(test, np_vxlan_decode(buf, c->vni, true, &mark),
		       NP_VXLAN_OK);
	KUNIT_EXPECT_EQ(test, mark, c->gbp ? c->mark & (D | A | 0xffff) : 0);
}

/* ---- §1.11 / §1.12: decoding ---- */

/* Every value of the flags byte: only 0x08 (and 0x88 with GBP) passes. */
static void vxlan_decode_flags(struct kunit *test)
{
	u8 hdr[8] = { 0, 0, 0, 0, 0, 0, 1, 0 };
	unsigned int f, gbp;
	u32 mark;

	for (gbp = 0; gbp <= 1; gbp++) {
		for (f = 0; f < 256; f++) {
			bool ok = f == 0x08 || (gbp && f == 0x88);

			hdr[0] = f;
			mark = 0xdeadbeef;
			KUNIT_EXPECT_EQ_MSG(test,
					    (int)np_vxlan_decode(hdr, 1, gbp, &mark),
					    ok ? NP_VXLAN_OK : NP_VXLAN_BAD_HEADER,
					    "flags %#04x, gbp %u", f, gbp);
			KUNIT_EXPECT_EQ_MSG(test, mark, 0U, "flags %#04x, gbp %u",
					    f, gbp);
		}
	}
}

/*
 * Every bit of bytes 1-3 and 7: reserved in a plain header (dropped even by
 * a GBP receiver, which reads them only with the G flag); with G on a GBP
 * receiver, byte 1 carries D and A, bytes 2-3 the policy ID, and any other
 * bit of byte 1 or byte 7 is still reserved.
 */
static void vxlan_decode_reserved_bits(struct kunit *test)
{
	static const int bytes[] = { 1, 2, 3, 7 };
	unsigned int i, bit, gbp;
	u32 mark;

	for (gbp = 0; gbp <= 1; gbp++) {
		for (i = 0; i < ARRAY_SIZE(bytes); i++) {
			for (bit = 0; bit < 8; bit++) {
				u8 hdr[8] = { 0x08, 0, 0, 0, 0, 0, 1, 0 };
				int b = bytes[i], want;
				u32 wmark = 0;

				hdr[b] = 1 << bit;
				mark = 0xdeadbeef;
				KUNIT_EXPECT_EQ_MSG(test,
						    (int)np_vxlan_decode(hdr, 1, gbp, &mark),
						    NP_VXLAN_BAD_HEADER,
						    "flags 0x08, byte %d = %#04x, gbp %u",
						    b, hdr[b], gbp);
				KUNIT_EXPECT_EQ(test, mark, 0U);

				/* the same bit with the G flag */
				hdr[0] = 0x88;
				want = NP_VXLAN_BAD_HEADER;
				if (gbp && b == 1 && hdr[1] == 0x40) {
					want = NP_VXLAN_OK;
					wmark = D;
				} else if (gbp && b == 1 && hdr[1] == 0x08) {
					want = NP_VXLAN_OK;
					wmark = A;
				} else if (gbp && (b == 2 || b == 3)) {
					want = NP_VXLAN_OK;
					wmark = b == 2 ? hdr[2] << 8 : hdr[3];
				}
				mark = 0xdeadbeef;
				KUNIT_EXPECT_EQ_MSG(test,
						    (int)np_vxlan_decode(hdr, 1, gbp, &mark),
						    want,
						    "flags 0x88, byte %d = %#04x, gbp %u",
						    b, hdr[b], gbp);
				KUNIT_EXPECT_EQ_MSG(test, mark, wmark,
						    "flags 0x88, byte %d = %#04x, gbp %u",
						    b, hdr[b], gbp);
			}
		}
	}
}

struct decode_case {
	const char *name;
	u8 hdr[8];
	u32 vni;		/* the receiver's */
	bool gbp;
	enum np_vxlan_verdict v;
	u32 mark;
};

static const struct decode_case decode_cases[] = {
	{ "vni 1", { 0x08, 0, 0, 0, 0, 0, 1, 0 }, 1, false, NP_VXLAN_OK },
	{ "vni 0", { 0x08, 0, 0, 0, 0, 0, 0, 0 }, 0, false, NP_VXLAN_OK },
	{ "vni 0xffffff", { 0x08, 0, 0, 0, 0xff, 0xff, 0xff, 0 }, 0xffffff,
	  false, NP_VXLAN_OK },
	{ "vni 2 on a vni 1 node", { 0x08, 0, 0, 0, 0, 0, 2, 0 }, 1, false,
	  NP_VXLAN_BAD_VNI },
	{ "vni 0 on a vni 1 node", { 0x08, 0, 0, 0, 0, 0, 0, 0 }, 1, false,
	  NP_VXLAN_BAD_VNI },
	{ "vni 0x000101 on a vni 1 node", { 0x08, 0, 0, 0, 0, 1, 1, 0 }, 1,
	  false, NP_VXLAN_BAD_VNI },
	{ "vni 0x010001 on a vni 1 node", { 0x08, 0, 0, 0, 1, 0, 1, 0 }, 1,
	  false, NP_VXLAN_BAD_VNI },
	{ "vni 0xffffff on a vni 0xfffffe node",
	  { 0x08, 0, 0, 0, 0xff, 0xff, 0xff, 0 }, 0xfffffe, false,
	  NP_VXLAN_BAD_VNI },
	{ "gbp, vni 2 on a vni 1 node: mark cleared",
	  { 0x88, 0x48, 0x12, 0x34, 0, 0, 2, 0 }, 1, true, NP_VXLAN_BAD_VNI },
	{ "gbp, D|A id 0x1234", { 0x88, 0x48, 0x12, 0x34, 0, 0, 1, 0 }, 1, true,
	  NP_VXLAN_OK, D | A | 0x1234 },
	{ "gbp, G with nothing", { 0x88, 0, 0, 0, 0, 0, 1, 0 }, 1, true,
	  NP_VXLAN_OK, 0 },
	{ "gbp, byte 1 = 0xff", { 0x88, 0xff, 0, 0, 0, 0, 1, 0 }, 1, true,
	  NP_VXLAN_BAD_HEADER },
	{ "I flag clear", { 0x00, 0, 0, 0, 0, 0, 1, 0 }, 1, false,
	  NP_VXLAN_BAD_HEADER },
	{ "flags 0x0c", { 0x0c, 0, 0, 0, 0, 0, 1, 0 }, 1, false,
	  NP_VXLAN_BAD_HEADER },
	{ "flags 0x88 without gbp", { 0x88, 0, 0, 0, 0, 0, 1, 0 }, 1, false,
	  NP_VXLAN_BAD_HEADER },
	{ "flags 0x80 (G without I), gbp", { 0x80, 0, 0, 0, 0, 0, 1, 0 }, 1,
	  true, NP_VXLAN_BAD_HEADER },
	{ "flags 0x8c, gbp", { 0x8c, 0, 0, 0, 0, 0, 1, 0 }, 1, true,
	  NP_VXLAN_BAD_HEADER },
	{ "byte 7 = 0x01 (reserved, not VNI)", { 0x08, 0, 0, 0, 0, 0, 1, 1 }, 1,
	  false, NP_VXLAN_BAD_HEADER },
	{ "byte 7 = 0x01, gbp", { 0x88, 0, 0, 1, 0, 0, 1, 1 }, 1, true,
	  NP_VXLAN_BAD_HEADER },
	/* a bad header is a bad header, whatever its VNI */
	{ "flags 0x0c and vni 2", { 0x0c, 0, 0, 0, 0, 0, 2, 0 }, 1, false,
	  NP_VXLAN_BAD_HEADER },
};

static void decode_case_desc(const struct decode_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(decode, decode_cases, decode_case_desc);

static void vxlan_decode(struct kunit *test)
{
	const struct decode_case *c = test->param_value;
	u32 mark = 0xdeadbeef;

	EXPECT_VERDICT(test, np_vxlan_decode(c->hdr, c->vni, c->gbp, &mark),
		       c->v);
	KUNIT_EXPECT_EQ(test, mark, c->mark);
	KUNIT_EXPECT_EQ(test, np_vxlan_hdr_vni(c->hdr),
			(u32)c->hdr[4] << 16 | c->hdr[5] << 8 | c->hdr[6]);
}

/* §1.8: IPv6 outer UDP checksum 0 is dropped; IPv4 0 is fine. */
static void vxlan_udp_csum(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, np_vxlan_udp_csum_ok(AF_INET, 0));
	KUNIT_EXPECT_TRUE(test, np_vxlan_udp_csum_ok(AF_INET, (__force __sum16)0x1234));
	KUNIT_EXPECT_TRUE(test, np_vxlan_udp_csum_ok(AF_INET, CSUM_MANGLED_0));
	KUNIT_EXPECT_FALSE(test, np_vxlan_udp_csum_ok(AF_INET6, 0));
	KUNIT_EXPECT_TRUE(test, np_vxlan_udp_csum_ok(AF_INET6, CSUM_MANGLED_0));
	KUNIT_EXPECT_TRUE(test, np_vxlan_udp_csum_ok(AF_INET6, (__force __sum16)0x1234));
}

/* ---- §1.12 on synthetic skbs ---- */

/* The receiver: VNI 1, one MAC per family. */
#define RX_VNI 1
static const u8 mac4[ETH_ALEN] = { 0x02, 0xaa, 0, 0, 0, 0x04 };
static const u8 mac6[ETH_ALEN] = { 0x02, 0xaa, 0, 0, 0, 0x06 };
static const u8 peer[ETH_ALEN] = { 0x02, 0xbb, 0, 0, 0, 0x02 };
static const u8 other[ETH_ALEN] = { 0x02, 0xcc, 0, 0, 0, 0x09 };
static const u8 bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const u8 mcast4[ETH_ALEN] = { 0x01, 0x00, 0x5e, 0, 0, 0x01 };
static const u8 allnodes[ETH_ALEN] = { 0x33, 0x33, 0, 0, 0, 0x01 };
/* solicited-node multicast of fd00:42:1::7 (ff02::1:ff00:7) */
static const u8 snmc[ETH_ALEN] = { 0x33, 0x33, 0xff, 0x00, 0x00, 0x07 };

static const struct in6_addr out6_src = { { { 0x20, 0x01, 0x0d, 0xb8, 0, 0x50,
					       [15] = 2 } } };
static const struct in6_addr out6_dst = { { { 0x20, 0x01, 0x0d, 0xb8, 0, 0x50,
					       [15] = 1 } } };
static const struct in6_addr in6_src = { { { 0xfd, 0, 0, 0x42, [15] = 5 } } };
static const struct in6_addr in6_dst = { { { 0xfd, 0, 0, 0x42, 0, 1,
					      [15] = 7 } } };
static const struct in6_addr in6_snm = { { { 0xff, 0x02, [11] = 1, 0xff,
					      0, 0, 7 } } };

enum inner_kind { IN_DEFAULT, IN_ICMP4, IN_ICMP6, IN_ARP, IN_NS, IN_LLDP };
enum csum_kind { CS_GOOD, CS_ZERO };

struct rx_case {
	const char *name;
	bool outer6;
	enum csum_kind csum;
	bool set_hdr;		/* else 08 00 00 00 00 00 01 00 */
	u8 hdr[8];
	u16 sport;		/* 0: 40000 */
	const u8 *dst, *src;	/* inner MACs; NULL: this family's MAC, peer */
	enum inner_kind inner;	/* IN_DEFAULT: echo of the outer family */
	u16 proto;		/* inner ethertype; 0: the inner packet's */
	int pad;		/* trailing bytes after the inner packet */
	int inner_len;		/* >0: the inner frame cut to this length */
	bool gbp;		/* the receiver's GBP setting */
	enum np_vxlan_verdict v;
	u32 mark;
};

#define HDR(...) .set_hdr = true, .hdr = { __VA_ARGS__ }

static const struct rx_case rx_cases[] = {
	/* accepted */
	{ "v4: flags 0x08, vni 1, correct checksum", .v = NP_VXLAN_OK },
	{ "v4: checksum 0", .csum = CS_ZERO, .v = NP_VXLAN_OK },
	{ "v4: source port 8472", .sport = 8472, .v = NP_VXLAN_OK },
	{ "v4: 18 bytes of trailing padding", .pad = 18, .v = NP_VXLAN_OK },
	{ "v6: correct checksum", .outer6 = true, .v = NP_VXLAN_OK },
	{ "v6: trailing padding", .outer6 = true, .pad = 5, .v = NP_VXLAN_OK },
	{ "v4: gbp receiver, plain header", .gbp = true, .v = NP_VXLAN_OK },
	{ "v4: gbp receiver, G with D|A id 0x4000",
	  HDR(0x88, 0x48, 0x40, 0x00, 0, 0, 1, 0), .gbp = true,
	  .v = NP_VXLAN_OK, .mark = D | A | 0x4000 },
	/* checksum */
	{ "v6: checksum 0", .outer6 = true, .csum = CS_ZERO,
	  .v = NP_VXLAN_BAD_CSUM },
	/* header */
	{ "reserved bit in byte 1", HDR(0x08, 0x01, 0, 0, 0, 0, 1, 0),
	  .v = NP_VXLAN_BAD_HEADER },
	{ "reserved bit 0x80 in byte 1", HDR(0x08, 0x80, 0, 0, 0, 0, 1, 0),
	  .v = NP_VXLAN_BAD_HEADER },
	{ "reserved bit in byte 2", HDR(0x08, 0, 0x10, 0, 0, 0, 1, 0),
	  .v = NP_VXLAN_BAD_HEADER },
	{ "reserved bit in byte 3", HDR(0x08, 0, 0, 0x01, 0, 0, 1, 0),
	  .v = NP_VXLAN_BAD_HEADER },
	{ "reserved bit in byte 7", HDR(0x08, 0, 0, 0, 0, 0, 1, 0x01),
	  .v = NP_VXLAN_BAD_HEADER },
	{ "v6: reserved bit in byte 7", .outer6 = true,
	  HDR(0x08, 0, 0, 0, 0, 0, 1, 0x80), .v = NP_VXLAN_BAD_HEADER },
	{ "I flag clear", HDR(0x00, 0, 0, 0, 0, 0, 1, 0),
	  .v = NP_VXLAN_BAD_HEADER },
	{ "flags 0x0c", HDR(0x0c, 0, 0, 0, 0, 0, 1, 0),
	  .v = NP_VXLAN_BAD_HEADER },
	{ "flags 0x88 without gbp", HDR(0x88, 0, 0x40, 0, 0, 0, 1, 0),
	  .v = NP_VXLAN_BAD_HEADER },
	{ "gbp receiver, reserved bit in byte 1 with G",
	  HDR(0x88, 0x01, 0, 0, 0, 0, 1, 0), .gbp = true,
	  .v = NP_VXLAN_BAD_HEADER },
	/* VNI */
	{ "vni 2", HDR(0x08, 0, 0, 0, 0, 0, 2, 0), .v = NP_VXLAN_BAD_VNI },
	{ "v6: vni 0x010001", .outer6 = true, HDR(0x08, 0, 0, 0, 1, 0, 1, 0),
	  .v = NP_VXLAN_BAD_VNI },
	/* inner MACs */
	{ "inner dst is another host", .dst = other, .v = NP_VXLAN_BAD_MAC },
	{ "inner dst broadcast (IPv4)", .dst = bcast, .v = NP_VXLAN_BAD_MAC },
	{ "inner dst IPv4 multicast", .dst = mcast4, .v = NP_VXLAN_BAD_MAC },
	{ "inner IPv4 to the IPv6 device's MAC", .dst = mac6,
	  .v = NP_VXLAN_BAD_MAC },
	{ "v6: inner dst is another host", .outer6 = true, .dst = other,
	  .v = NP_VXLAN_BAD_MAC },
	{ "v6: inner IPv6 to the IPv4 device's MAC", .outer6 = true, .dst = mac4,
	  .v = NP_VXLAN_BAD_MAC },
	{ "v6: inner echo to all-nodes multicast", .outer6 = true,
	  .dst = allnodes, .v = NP_VXLAN_BAD_MAC },
	{ "inner src is our MAC (loop)", .src = mac4, .v = NP_VXLAN_LOOP },
	{ "inner src is our IPv6 MAC (loop)", .src = mac6, .v = NP_VXLAN_LOOP },
	{ "v6: inner src is our MAC (loop)", .outer6 = true, .src = mac6,
	  .v = NP_VXLAN_LOOP },
	{ "loop wins over a foreign dst", .src = mac4, .dst = other,
	  .v = NP_VXLAN_LOOP },
	/* inner family vs outer family, ethertype */
	{ "IPv6 inner on the IPv4 MAC over IPv4", .inner = IN_ICMP6, .dst = mac4,
	  .v = NP_VXLAN_BAD_INNER },
	{ "IPv6 inner on the IPv6 MAC over IPv4", .inner = IN_ICMP6, .dst = mac6,
	  .v = NP_VXLAN_BAD_INNER },
	{ "v6: IPv4 inner over IPv6", .outer6 = true, .inner = IN_ICMP4,
	  .dst = mac6, .v = NP_VXLAN_BAD_INNER },
	{ "v6: IPv4 inner to the IPv4 MAC over IPv6", .outer6 = true,
	  .inner = IN_ICMP4, .dst = mac4, .v = NP_VXLAN_BAD_INNER },
	{ "IPv4 packet with ethertype 0x86dd", .inner = IN_ICMP4,
	  .proto = ETH_P_IPV6, .dst = mac4, .v = NP_VXLAN_BAD_INNER },
	{ "LLDP inner", .inner = IN_LLDP, .v = NP_VXLAN_BAD_INNER },
	{ "VLAN-tagged inner", .proto = ETH_P_8021Q, .v = NP_VXLAN_BAD_INNER },
	{ "inner frame of 13 bytes", .inner_len = 13, .v = NP_VXLAN_BAD_INNER },
	{ "inner frame of 0 bytes", .inner_len = -1, .v = NP_VXLAN_BAD_INNER },
	/* ARP and ND */
	{ "ARP who-has, broadcast", .inner = IN_ARP, .dst = bcast,
	  .v = NP_VXLAN_ARP },
	{ "ARP who-has, unicast to us", .inner = IN_ARP, .dst = mac4,
	  .v = NP_VXLAN_ARP },
	{ "ARP to another host", .inner = IN_ARP, .dst = other,
	  .v = NP_VXLAN_BAD_MAC },
	{ "ARP from our MAC", .inner = IN_ARP, .dst = bcast, .src = mac4,
	  .v = NP_VXLAN_LOOP },
	{ "v6: ARP over IPv6", .outer6 = true, .inner = IN_ARP, .dst = bcast,
	  .v = NP_VXLAN_BAD_INNER },
	{ "v6: NS to solicited-node multicast", .outer6 = true, .inner = IN_NS,
	  .dst = snmc, .v = NP_VXLAN_ND },
	{ "v6: NS unicast to us", .outer6 = true, .inner = IN_NS, .dst = mac6,
	  .v = NP_VXLAN_ND },
	{ "v6: NS unicast to another host", .outer6 = true, .inner = IN_NS,
	  .dst = other, .v = NP_VXLAN_BAD_MAC },
	{ "v6: NS to the IPv4 MAC", .outer6 = true, .inner = IN_NS, .dst = mac4,
	  .v = NP_VXLAN_BAD_MAC },
	{ "NS over IPv4", .inner = IN_NS, .dst = snmc, .v = NP_VXLAN_BAD_INNER },
};

static void rx_case_desc(const struct rx_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(rx, rx_cases, rx_case_desc);

/* Inner packets: ICMP echo both ways, ARP who-has, NS. */
static int put_icmp4(u8 *p)
{
	struct iphdr *ip = (struct iphdr *)p;
	u8 *icmp = p + sizeof(*ip);
	int len = sizeof(*ip) + 8 + 16;

	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(len);
	ip->ttl = 63;
	ip->protocol = IPPROTO_ICMP;
	ip->saddr = htonl(0x0a2a0005);	/* 10.42.0.5 */
	ip->daddr = htonl(0x0a2a0107);	/* 10.42.1.7 */
	ip->check = ip_fast_csum(ip, ip->ihl);
	icmp[0] = 8;			/* echo request */
	memset(icmp + 8, 0x61, 16);
	*(__sum16 *)(icmp + 2) = ip_compute_csum(icmp, 8 + 16);
	return len;
}

static int put_ip6(u8 *p, const struct in6_addr *s, const struct in6_addr *d,
		   u8 hop, const u8 *l4, int l4len)
{
	struct ipv6hdr *ip6 = (struct ipv6hdr *)p;
	struct icmp6hdr *icmp6 = (struct icmp6hdr *)(ip6 + 1);

	ip6->version = 6;
	ip6->payload_len = htons(l4len);
	ip6->nexthdr = IPPROTO_ICMPV6;
	ip6->hop_limit = hop;
	ip6->saddr = *s;
	ip6->daddr = *d;
	memcpy(icmp6, l4, l4len);
	icmp6->icmp6_cksum = 0;
	icmp6->icmp6_cksum = csum_ipv6_magic(s, d, l4len, IPPROTO_ICMPV6,
					     csum_partial(icmp6, l4len, 0));
	return sizeof(*ip6) + l4len;
}

static int put_icmp6(u8 *p)
{
	u8 echo[8 + 16] = { ICMPV6_ECHO_REQUEST };

	memset(echo + 8, 0x62, 16);
	return put_ip6(p, &in6_src, &in6_dst, 63, echo, sizeof(echo));
}

/* NS for in6_dst from in6_src, with a source link-layer address option */
static int put_ns(u8 *p)
{
	u8 m[sizeof(struct nd_msg) + 8] = { NDISC_NEIGHBOUR_SOLICITATION };
	struct nd_msg *ns = (struct nd_msg *)m;

	ns->target = in6_dst;
	ns->opt[0] = ND_OPT_SOURCE_LL_ADDR;
	ns->opt[1] = 1;
	memcpy(&ns->opt[2], peer, ETH_ALEN);
	return put_ip6(p, &in6_src, &in6_snm, 255, m, sizeof(m));
}

static int put_arp(u8 *p, const u8 *sha)
{
	struct np_arp_eth_ipv4 *arp = (struct np_arp_eth_ipv4 *)p;

	arp->hdr.ar_hrd = htons(ARPHRD_ETHER);
	arp->hdr.ar_pro = htons(ETH_P_IP);
	arp->hdr.ar_hln = ETH_ALEN;
	arp->hdr.ar_pln = 4;
	arp->hdr.ar_op = htons(ARPOP_REQUEST);
	ether_addr_copy(arp->sha, sha);
	arp->sip = htonl(0x0a2a0000);	/* 10.42.0.0 */
	arp->tip = htonl(0x0a2a0100);	/* 10.42.1.0 */
	return sizeof(*arp);
}

/*
 * The whole outer packet of @c into @buf: outer IP, UDP, VXLAN, inner
 * Ethernet, inner packet, padding. Returns its length; *@inner_off gets the
 * offset of the inner Ethernet header.
 */
static int build_rx(const struct rx_case *c, u8 *buf, int *inner_off)
{
	int ohl = c->outer6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	struct udphdr *uh = (struct udphdr *)(buf + ohl);
	u8 *vx = (u8 *)(uh + 1);
	struct ethhdr *eth = (struct ethhdr *)(vx + NP_VXLAN_HLEN);
	u8 *in = (u8 *)(eth + 1);
	enum inner_kind kind = c->inner;
	int ilen, ulen, len;
	u16 proto;

	if (kind == IN_DEFAULT)
		kind = c->outer6 ? IN_ICMP6 : IN_ICMP4;
	switch (kind) {
	case IN_ICMP4:
		ilen = put_icmp4(in);
		proto = ETH_P_IP;
		break;
	case IN_ICMP6:
		ilen = put_icmp6(in);
		proto = ETH_P_IPV6;
		break;
	case IN_ARP:
		ilen = put_arp(in, c->src ? c->src : peer);
		proto = ETH_P_ARP;
		break;
	case IN_NS:
		ilen = put_ns(in);
		proto = ETH_P_IPV6;
		break;
	default:	/* LLDP: a few TLV bytes */
		memset(in, 0x02, 14);
		ilen = 14;
		proto = ETH_P_LLDP;
		break;
	}
	ether_addr_copy(eth->h_dest, c->dst ? c->dst :
			(proto == ETH_P_IPV6 ? mac6 : mac4));
	ether_addr_copy(eth->h_source, c->src ? c->src : peer);
	eth->h_proto = htons(c->proto ? c->proto : proto);
	memset(in + ilen, 0, c->pad);
	ilen = ETH_HLEN + ilen + c->pad;
	if (c->inner_len)
		ilen = max(c->inner_len, 0);

	if (c->set_hdr)
		memcpy(vx, c->hdr, NP_VXLAN_HLEN);
	else
		np_vxlan_encode(vx, RX_VNI, false, 0);

	ulen = sizeof(*uh) + NP_VXLAN_HLEN + ilen;
	len = ohl + ulen;
	uh->source = htons(c->sport ? c->sport : 40000);
	uh->dest = htons(NP_VXLAN_PORT);
	uh->len = htons(ulen);
	uh->check = 0;
	if (c->outer6) {
		struct ipv6hdr *ip6 = (struct ipv6hdr *)buf;

		ip6->version = 6;
		ip6->payload_len = htons(ulen);
		ip6->nexthdr = IPPROTO_UDP;
		ip6->hop_limit = 64;
		ip6->saddr = out6_src;
		ip6->daddr = out6_dst;
		if (c->csum == CS_GOOD)
			uh->check = csum_ipv6_magic(&ip6->saddr, &ip6->daddr,
						    ulen, IPPROTO_UDP,
						    csum_partial(uh, ulen, 0));
	} else {
		struct iphdr *ip = (struct iphdr *)buf;

		ip->version = 4;
		ip->ihl = 5;
		ip->tot_len = htons(len);
		ip->id = htons(0x1234);
		ip->ttl = 64;
		ip->protocol = IPPROTO_UDP;
		ip->saddr = htonl(0xc0a83202);	/* 192.168.50.2 */
		ip->daddr = htonl(0xc0a83201);	/* 192.168.50.1 */
		ip->check = ip_fast_csum(ip, ip->ihl);
		if (c->csum == CS_GOOD)
			uh->check = csum_tcpudp_magic(ip->saddr, ip->daddr, ulen,
						      IPPROTO_UDP,
						      csum_partial(uh, ulen, 0));
	}
	if (c->csum == CS_GOOD && !uh->check)
		uh->check = CSUM_MANGLED_0;
	*inner_off = (u8 *)eth - buf;
	return len;
}

/*
 * An skb of @len bytes of @buf, data at the outer IP header. With @split
 * > 0, only the first @split bytes are linear, with no tailroom after them
 * (so any pull past them reallocates the head); the rest is a page
 * fragment.
 */
static struct sk_buff *make_skb(struct kunit *test, const u8 *buf, int len,
				int split)
{
	struct sk_buff *skb;
	struct page *page;

	skb = alloc_skb(256 + len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	if (split <= 0 || split >= len) {
		skb_reserve(skb, 64);
		skb_put_data(skb, buf, len);
		return skb;
	}
	skb_reserve(skb, skb_tailroom(skb) - split);
	skb_put_data(skb, buf, split);
	KUNIT_EXPECT_EQ(test, skb_tailroom(skb), 0);
	page = alloc_page(GFP_KERNEL);
	if (!page) {
		kfree_skb(skb);
		KUNIT_ASSERT_FAILURE(test, "no page");
	}
	memcpy(page_address(page), buf + split, len - split);
	skb_add_rx_frag(skb, 0, page, 0, len - split, PAGE_SIZE);
	return skb;
}

/*
 * The helpers in the order the receive path (overlay_sock.c, encap_rcv)
 * calls them, from the outer IP header on: VXLAN header, UDP checksum rule,
 * then the inner frame. -1: the synthetic frame itself is broken (a bug in
 * this file).
 */
static int rx_verdict(struct sk_buff *skb, bool gbp, u32 *mark)
{
	const struct udphdr *uh;
	enum np_vxlan_verdict v;
	int fam, ohl;

	*mark = 0;
	if (!pskb_may_pull(skb, 1))
		return -1;
	fam = (skb->data[0] >> 4) == 6 ? AF_INET6 : AF_INET;
	ohl = fam == AF_INET6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	if (!pskb_may_pull(skb, ohl + sizeof(*uh) + NP_VXLAN_HLEN))
		return -1;
	uh = (const struct udphdr *)(skb->data + ohl);
	v = np_vxlan_decode((const u8 *)(uh + 1), RX_VNI, gbp, mark);
	if (v != NP_VXLAN_OK)
		return v;
	if (!np_vxlan_udp_csum_ok(fam, uh->check))
		return NP_VXLAN_BAD_CSUM;
	__skb_pull(skb, ohl + sizeof(*uh) + NP_VXLAN_HLEN);
	skb_reset_mac_header(skb);
	return np_vxlan_classify_inner(skb, fam, mac4, mac6);
}

static void rx_run(struct kunit *test, int split_into_inner)
{
	const struct rx_case *c = test->param_value;
	struct sk_buff *skb;
	int len, inner, ilen, v;
	u32 mark;
	u8 *buf;

	buf = kunit_kzalloc(test, 512, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	len = build_rx(c, buf, &inner);
	ilen = len - inner;
	/* split_into_inner bytes of the inner frame are linear, no more */
	skb = make_skb(test, buf, len, split_into_inner < 0 ? 0 :
		       inner + min(split_into_inner, ilen));
	if (split_into_inner >= 0 && ilen > split_into_inner)
		KUNIT_EXPECT_TRUE(test, skb_is_nonlinear(skb));
	v = rx_verdict(skb, c->gbp, &mark);
	EXPECT_VERDICT(test, v, c->v);
	KUNIT_EXPECT_EQ(test, mark, c->mark);
	if (v == c->v && c->v <= NP_VXLAN_ND) {
		/* accepted: the inner frame is at skb->data, whole */
		KUNIT_EXPECT_EQ(test, skb->len, (unsigned int)ilen);
		KUNIT_ASSERT_TRUE(test, pskb_may_pull(skb, ETH_HLEN));
		EXPECT_MEMEQ(test, skb->data, buf + inner, ETH_HLEN);
	}
	kfree_skb(skb);
}

static void vxlan_rx_linear(struct kunit *test)
{
	rx_run(test, -1);
}

/*
 * The inner frame in a page fragment, only 4 bytes of its Ethernet header
 * linear: the helpers must pull before reading.
 */
static void vxlan_rx_paged_eth(struct kunit *test)
{
	rx_run(test, 4);
}

/*
 * The inner Ethernet header linear, what follows it in a page fragment:
 * looking past the Ethernet header (for an NS) moves the head, and the
 * header read before must be read again.
 */
static void vxlan_rx_paged_l3(struct kunit *test)
{
	rx_run(test, ETH_HLEN);
}

/* ---- RFC 6040 decapsulation ---- */

#define NOT_ECT INET_ECN_NOT_ECT
#define ECT0 INET_ECN_ECT_0
#define ECT1 INET_ECN_ECT_1
#define CE INET_ECN_CE

struct ecn_case {
	u8 outer, inner;	/* dsfields */
	int err;
	u8 result;		/* inner dsfield afterwards */
};

static const struct ecn_case ecn_cases[] = {
	{ NOT_ECT, NOT_ECT, 0, NOT_ECT },
	{ NOT_ECT, ECT0, 0, ECT0 },
	{ NOT_ECT, ECT1, 0, ECT1 },
	{ NOT_ECT, CE, 0, CE },
	{ ECT0, NOT_ECT, 0, NOT_ECT },	/* logged, forwarded */
	{ ECT0, ECT0, 0, ECT0 },
	{ ECT0, ECT1, 0, ECT1 },
	{ ECT0, CE, 0, CE },
	{ ECT1, NOT_ECT, 0, NOT_ECT },
	{ ECT1, ECT0, 0, ECT1 },
	{ ECT1, ECT1, 0, ECT1 },
	{ ECT1, CE, 0, CE },
	{ CE, NOT_ECT, -EINVAL, NOT_ECT },	/* §1.9: dropped */
	{ CE, ECT0, 0, CE },
	{ CE, ECT1, 0, CE },
	{ CE, CE, 0, CE },
	/* DSCP bits: the outer's are ignored, the inner's kept */
	{ 0xb8 | CE, 0x28 | ECT0, 0, 0x28 | CE },
	{ 0xb8 | NOT_ECT, 0x28 | ECT1, 0, 0x28 | ECT1 },
	{ 0xfc | CE, 0xfc | NOT_ECT, -EINVAL, 0xfc | NOT_ECT },
};

static void ecn_case_desc(const struct ecn_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "outer %#04x inner %#04x",
		 c->outer, c->inner);
}

KUNIT_ARRAY_PARAM(ecn, ecn_cases, ecn_case_desc);

static void vxlan_ecn_decap(struct kunit *test)
{
	const struct ecn_case *c = test->param_value;
	struct sk_buff *skb;
	struct iphdr *ip;
	struct ipv6hdr *ip6;
	u8 *buf;

	buf = kunit_kzalloc(test, 128, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	/* IPv4 inner: tos rewritten, header checksum kept valid */
	skb = alloc_skb(256, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reset_network_header(skb);
	skb_put_data(skb, buf, put_icmp4(buf));
	ip = ip_hdr(skb);
	ip->tos = c->inner;
	ip->check = 0;
	ip->check = ip_fast_csum(ip, ip->ihl);
	skb->protocol = htons(ETH_P_IP);
	KUNIT_EXPECT_EQ(test, np_vxlan_ecn_decap(skb, c->outer), c->err);
	KUNIT_EXPECT_EQ(test, ip->tos, c->result);
	KUNIT_EXPECT_EQ_MSG(test, ip_fast_csum(ip, ip->ihl), 0,
			    "IPv4 header checksum broken");
	kfree_skb(skb);

	/* IPv6 inner: traffic class rewritten, flow label untouched */
	skb = alloc_skb(256, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reset_network_header(skb);
	skb_put_data(skb, buf, put_icmp6(buf));
	ip6 = ipv6_hdr(skb);
	ip6->flow_lbl[0] = 0x0a;
	ip6->flow_lbl[1] = 0xbc;
	ip6->flow_lbl[2] = 0xde;
	ipv6_change_dsfield(ip6, 0, c->inner);
	skb->protocol = htons(ETH_P_IPV6);
	KUNIT_EXPECT_EQ(test, np_vxlan_ecn_decap(skb, c->outer), c->err);
	KUNIT_EXPECT_EQ(test, ipv6_get_dsfield(ip6), c->result);
	KUNIT_EXPECT_EQ(test, (int)ip6->version, 6);
	KUNIT_EXPECT_EQ(test, ip6->flow_lbl[0] & 0x0f, 0x0a);
	KUNIT_EXPECT_EQ(test, ip6->flow_lbl[1], 0xbc);
	KUNIT_EXPECT_EQ(test, ip6->flow_lbl[2], 0xde);
	kfree_skb(skb);
}

/* Not IP (ARP): nothing to decapsulate, never a drop. */
static void vxlan_ecn_decap_not_ip(struct kunit *test)
{
	struct sk_buff *skb;
	u8 *arp;

	skb = alloc_skb(128, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reset_network_header(skb);
	arp = skb_put_zero(skb, sizeof(struct np_arp_eth_ipv4));
	put_arp(arp, peer);
	skb->protocol = htons(ETH_P_ARP);
	KUNIT_EXPECT_EQ(test, np_vxlan_ecn_decap(skb, CE), 0);
	kfree_skb(skb);
}

/* ---- ARP ---- */

struct arp_case {
	const char *name;
	int field;		/* which byte of the ARP body to overwrite, -1 none */
	u8 val;
	int cut;		/* bytes cut off the end */
	bool ok;
};

/* offsets in struct np_arp_eth_ipv4 */
#define ARP_HRD 0
#define ARP_PRO 2
#define ARP_HLN 4
#define ARP_PLN 5
#define ARP_OP 6
#define ARP_SHA 8
#define ARP_SIP 14
#define ARP_TIP 24

static const struct arp_case arp_cases[] = {
	{ "who-has 10.42.1.0", -1, 0, 0, true },
	{ "reply, not request", ARP_OP + 1, ARPOP_REPLY, 0, false },
	{ "hardware type 6", ARP_HRD + 1, 6, 0, false },
	{ "protocol 0x0806", ARP_PRO + 1, 0x06, 0, false },
	{ "hln 5", ARP_HLN, 5, 0, false },
	{ "pln 16", ARP_PLN, 16, 0, false },
	{ "multicast sender MAC", ARP_SHA, 0x01, 0, false },
	{ "target 224.0.0.1", ARP_TIP, 224, 0, false },
	{ "target 127.0.0.1", ARP_TIP, 127, 0, false },
	{ "one byte short", -1, 0, 1, false },
	{ "ARP header only", -1, 0, 20, false },
};

static void arp_case_desc(const struct arp_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(arp, arp_cases, arp_case_desc);

static void vxlan_arp_request(struct kunit *test)
{
	const struct arp_case *c = test->param_value;
	struct sk_buff *skb;
	struct ethhdr *eth;
	__be32 sip = 0, tip = 0;
	u8 sha[ETH_ALEN] = {}, *body;
	int len;

	skb = alloc_skb(128, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	eth = skb_put(skb, ETH_HLEN);
	ether_addr_copy(eth->h_dest, bcast);
	ether_addr_copy(eth->h_source, peer);
	eth->h_proto = htons(ETH_P_ARP);
	body = skb_put_zero(skb, sizeof(struct np_arp_eth_ipv4));
	len = put_arp(body, peer);
	KUNIT_ASSERT_EQ(test, len, 28);
	if (c->field >= 0)
		body[c->field] = c->val;
	skb_trim(skb, skb->len - c->cut);

	KUNIT_EXPECT_EQ(test, np_vxlan_arp_request(skb, &sip, &tip, sha), c->ok);
	if (c->ok) {
		KUNIT_EXPECT_EQ(test, ntohl(sip), 0x0a2a0000U);
		KUNIT_EXPECT_EQ(test, ntohl(tip), 0x0a2a0100U);
		EXPECT_MEMEQ(test, sha, peer, ETH_ALEN);
	}
	kfree_skb(skb);
}

/* "10.42.1.0 is at mac4", to the asker: every byte, then parsed back. */
static void vxlan_arp_reply(struct kunit *test)
{
	static const u8 want[14 + 28] = {
		0x02, 0xbb, 0, 0, 0, 0x02,	/* dst: the asker */
		0x02, 0xaa, 0, 0, 0, 0x04,	/* src: us */
		0x08, 0x06,
		0, 1, 0x08, 0, 6, 4, 0, 2,	/* ether, IPv4, 6, 4, reply */
		0x02, 0xaa, 0, 0, 0, 0x04, 10, 42, 1, 0,
		0x02, 0xbb, 0, 0, 0, 0x02, 10, 42, 0, 0,
	};
	struct sk_buff *skb;
	__be32 sip, tip;
	u8 sha[ETH_ALEN];

	skb = np_vxlan_arp_reply_create(htonl(0x0a2a0100), mac4,
					htonl(0x0a2a0000), peer, 100);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_EXPECT_EQ(test, skb->len, (unsigned int)sizeof(want));
	EXPECT_MEMEQ(test, skb->data, want, sizeof(want));
	KUNIT_EXPECT_GE(test, skb_headroom(skb), 100U);
	KUNIT_EXPECT_EQ(test, skb->protocol, htons(ETH_P_ARP));
	KUNIT_EXPECT_PTR_EQ(test, skb_mac_header(skb), skb->data);
	KUNIT_EXPECT_PTR_EQ(test, skb_network_header(skb), skb->data + ETH_HLEN);
	/* a reply is not a request */
	KUNIT_EXPECT_FALSE(test, np_vxlan_arp_request(skb, &sip, &tip, sha));
	/* and the receiver it is sent to would accept it as ARP */
	kfree_skb(skb);
}

/* ---- Neighbour Discovery ---- */

struct ns_case {
	const char *name;
	int ip6_field;		/* byte of the IPv6 header to set, -1 none */
	u8 ip6_val;
	int icmp_field;		/* byte of the ICMPv6 body to set, -1 none */
	u8 icmp_val;
	bool fix_csum;		/* recompute the checksum after the change */
	int cut;		/* bytes cut off the end */
	int plen_delta;		/* added to payload_len (checksum follows) */
	bool ok;
};

static const struct ns_case ns_cases[] = {
	{ "NS for fd00:42:1::7 with SLLA", -1, 0, -1, 0, false, 0, 0, true },
	{ "hop limit 64", 7, 64, -1, 0, true, 0, 0, false },
	{ "code 1", -1, 0, 1, 1, true, 0, 0, false },
	{ "bad checksum", -1, 0, 2, 0x55, false, 0, 0, false },
	{ "type 136 (NA)", -1, 0, 0, NDISC_NEIGHBOUR_ADVERTISEMENT, true, 0, 0,
	  false },
	{ "multicast target", -1, 0, 8, 0xff, true, 0, 0, false },
	{ "next header UDP", 6, IPPROTO_UDP, -1, 0, true, 0, 0, false },
	{ "unspecified source (DAD)", -2, 0, -1, 0, true, 0, 0, false },
	{ "multicast source", 8, 0xff, -1, 0, true, 0, 0, false },
	{ "payload shorter than an NS", -1, 0, -1, 0, true, 0, -9, false },
	{ "payload past the frame", -1, 0, -1, 0, false, 0, 8, false },
	{ "frame cut by one byte", -1, 0, -1, 0, false, 1, 0, false },
	{ "NS without options", -1, 0, -1, 0, true, 0, -8, true },
};

static void ns_case_desc(const struct ns_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ns, ns_cases, ns_case_desc);

static void vxlan_ns_parse(struct kunit *test)
{
	const struct ns_case *c = test->param_value;
	struct in6_addr saddr = {}, target = {};
	struct ipv6hdr *ip6;
	struct icmp6hdr *icmp6;
	struct sk_buff *skb;
	struct ethhdr *eth;
	int len, plen;
	u8 *p;

	skb = alloc_skb(256, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	eth = skb_put(skb, ETH_HLEN);
	ether_addr_copy(eth->h_dest, snmc);
	ether_addr_copy(eth->h_source, peer);
	eth->h_proto = htons(ETH_P_IPV6);
	p = skb_put_zero(skb, 128);
	len = put_ns(p);
	skb_trim(skb, ETH_HLEN + len);
	ip6 = (struct ipv6hdr *)p;
	icmp6 = (struct icmp6hdr *)(ip6 + 1);
	if (c->ip6_field >= 0)
		p[c->ip6_field] = c->ip6_val;
	if (c->ip6_field == -2)
		memset(&ip6->saddr, 0, sizeof(ip6->saddr));
	if (c->icmp_field >= 0)
		((u8 *)icmp6)[c->icmp_field] = c->icmp_val;
	plen = ntohs(ip6->payload_len) + c->plen_delta;
	ip6->payload_len = htons(plen);
	if (c->plen_delta < 0)
		skb_trim(skb, ETH_HLEN + sizeof(*ip6) + plen);
	if (c->fix_csum) {
		icmp6->icmp6_cksum = 0;
		icmp6->icmp6_cksum = csum_ipv6_magic(&ip6->saddr, &ip6->daddr,
						     plen, IPPROTO_ICMPV6,
						     csum_partial(icmp6, plen, 0));
	}
	skb_trim(skb, skb->len - c->cut);

	KUNIT_EXPECT_EQ(test, np_vxlan_ns_parse(skb, &saddr, &target), c->ok);
	if (c->ok) {
		KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&saddr, &in6_src));
		KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&target, &in6_dst));
	}
	kfree_skb(skb);
}

/* The NS reply: every field, and a checksum a receiver verifies as 0. */
static void vxlan_na_create(struct kunit *test)
{
	struct sk_buff *skb;
	struct ethhdr *eth;
	struct ipv6hdr *ip6;
	struct nd_msg *na;
	unsigned int plen = sizeof(*na) + 8;
	bool router;

	for (router = false; ; router = true) {
		skb = np_vxlan_na_create(&in6_dst, mac6, &in6_src, peer, router, 80);
		KUNIT_ASSERT_NOT_NULL(test, skb);
		KUNIT_EXPECT_GE(test, skb_headroom(skb), 80U);
		KUNIT_ASSERT_EQ(test, skb->len, ETH_HLEN + sizeof(*ip6) + plen);
		KUNIT_EXPECT_EQ(test, skb->protocol, htons(ETH_P_IPV6));
		eth = (struct ethhdr *)skb->data;
		EXPECT_MEMEQ(test, eth->h_dest, peer, ETH_ALEN);
		EXPECT_MEMEQ(test, eth->h_source, mac6, ETH_ALEN);
		KUNIT_EXPECT_EQ(test, eth->h_proto, htons(ETH_P_IPV6));
		ip6 = (struct ipv6hdr *)(eth + 1);
		KUNIT_EXPECT_PTR_EQ(test, ipv6_hdr(skb), ip6);
		KUNIT_EXPECT_EQ(test, (int)ip6->version, 6);
		KUNIT_EXPECT_EQ(test, ipv6_get_dsfield(ip6), 0);
		KUNIT_EXPECT_EQ(test, ip6->flow_lbl[0] | ip6->flow_lbl[1] |
				ip6->flow_lbl[2], 0);
		KUNIT_EXPECT_EQ(test, ntohs(ip6->payload_len), plen);
		KUNIT_EXPECT_EQ(test, ip6->nexthdr, IPPROTO_ICMPV6);
		KUNIT_EXPECT_EQ(test, ip6->hop_limit, 255);
		KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&ip6->saddr, &in6_dst));
		KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&ip6->daddr, &in6_src));
		na = (struct nd_msg *)(ip6 + 1);
		KUNIT_EXPECT_EQ(test, na->icmph.icmp6_type,
				NDISC_NEIGHBOUR_ADVERTISEMENT);
		KUNIT_EXPECT_EQ(test, na->icmph.icmp6_code, 0);
		KUNIT_EXPECT_EQ(test, (bool)na->icmph.icmp6_router, router);
		KUNIT_EXPECT_EQ(test, (int)na->icmph.icmp6_solicited, 1);
		KUNIT_EXPECT_EQ(test, (int)na->icmph.icmp6_override, 1);
		KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&na->target, &in6_dst));
		KUNIT_EXPECT_EQ(test, na->opt[0], ND_OPT_TARGET_LL_ADDR);
		KUNIT_EXPECT_EQ(test, na->opt[1], 1);
		EXPECT_MEMEQ(test, &na->opt[2], mac6, ETH_ALEN);
		KUNIT_EXPECT_EQ_MSG(test,
				    (__force u16)csum_ipv6_magic(&ip6->saddr,
					&ip6->daddr, plen, IPPROTO_ICMPV6,
					csum_partial(na, plen, 0)), 0,
				    "ICMPv6 checksum does not verify");
		kfree_skb(skb);
		if (router)
			break;
	}
}

/* An NS built here parses, and its answer goes back to the asker. */
static void vxlan_ns_na_roundtrip(struct kunit *test)
{
	struct in6_addr saddr, target;
	struct sk_buff *skb, *na;
	struct ethhdr *eth;

	skb = alloc_skb(256, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	eth = skb_put(skb, ETH_HLEN);
	ether_addr_copy(eth->h_dest, snmc);
	ether_addr_copy(eth->h_source, peer);
	eth->h_proto = htons(ETH_P_IPV6);
	skb_put_zero(skb, 128);
	skb_trim(skb, ETH_HLEN + put_ns(skb->data + ETH_HLEN));
	EXPECT_VERDICT(test, np_vxlan_classify_inner(skb, AF_INET6, mac4, mac6),
		       NP_VXLAN_ND);
	KUNIT_ASSERT_TRUE(test, np_vxlan_ns_parse(skb, &saddr, &target));
	na = np_vxlan_na_create(&target, mac6, &saddr, eth->h_source, false,
				LL_MAX_HEADER);
	KUNIT_ASSERT_NOT_NULL(test, na);
	/* the asker, a receiver like us with MAC peer, accepts it as data */
	EXPECT_VERDICT(test, np_vxlan_classify_inner(na, AF_INET6, other, peer),
		       NP_VXLAN_OK);
	kfree_skb(na);
	kfree_skb(skb);
}

static struct kunit_case vxlan_wire_cases[] = {
	KUNIT_CASE_PARAM(vxlan_encode, encode_gen_params),
	KUNIT_CASE(vxlan_decode_flags),
	KUNIT_CASE(vxlan_decode_reserved_bits),
	KUNIT_CASE_PARAM(vxlan_decode, decode_gen_params),
	KUNIT_CASE(vxlan_udp_csum),
	KUNIT_CASE_PARAM(vxlan_rx_linear, rx_gen_params),
	KUNIT_CASE_PARAM(vxlan_rx_paged_eth, rx_gen_params),
	KUNIT_CASE_PARAM(vxlan_rx_paged_l3, rx_gen_params),
	KUNIT_CASE_PARAM(vxlan_ecn_decap, ecn_gen_params),
	KUNIT_CASE(vxlan_ecn_decap_not_ip),
	KUNIT_CASE_PARAM(vxlan_arp_request, arp_gen_params),
	KUNIT_CASE(vxlan_arp_reply),
	KUNIT_CASE_PARAM(vxlan_ns_parse, ns_gen_params),
	KUNIT_CASE(vxlan_na_create),
	KUNIT_CASE(vxlan_ns_na_roundtrip),
	{}
};

static struct kunit_suite vxlan_wire_suite = {
	.name = "nodeplane_vxlan_wire",
	.test_cases = vxlan_wire_cases,
};

kunit_test_suite(vxlan_wire_suite);
