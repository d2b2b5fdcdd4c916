// SPDX-License-Identifier: GPL-2.0-only
/*
 * The LB client of libnpnl without a module: NP_CMD_LB_SET / LB_DEL
 * requests compared byte for byte with hand-built streams (nlbuf.h), the
 * chunking of large frontends (stage flags, the union of the chunks),
 * the LB_GET reply parser on well-formed and malformed messages, the
 * merge of continuation messages, and the new INFO_GET attributes.
 */
#include <errno.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/nodeplane.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "check.h"
#include "nlbuf.h"
#include "nl/msg.h"

#define FAMILY 0x20

static const uint8_t IP4_L[4] = { 192, 168, 50, 1 };
static const uint8_t IP4_B1[4] = { 10, 42, 1, 5 };
static const uint8_t IP4_B2[4] = { 10, 42, 2, 7 };
static const uint8_t NET4[4] = { 10, 0, 0, 0 };
static const uint8_t IP6_B[16] = { 0xfd, [15] = 2 };
static const uint8_t NET6[16] = { 0x20, 0x01, 0x0d, 0xb8 };

static struct np_addr addr4(const uint8_t a[4])
{
	struct np_addr x = { .family = AF_INET };

	memcpy(x.a, a, 4);
	return x;
}

static struct np_addr addr6(const uint8_t a[16])
{
	struct np_addr x = { .family = AF_INET6 };

	memcpy(x.a, a, 16);
	return x;
}

/* tcp/192.168.50.1:80, hostport, two backends, one range. */
static void fe_sample(struct np_lb_frontend *fe)
{
	memset(fe, 0, sizeof(*fe));
	fe->family = AF_INET;
	fe->proto = IPPROTO_TCP;
	fe->port = 80;
	fe->local = addr4(IP4_L);
	fe->owner = NP_LB_OWNER_HOSTPORT;
	fe->flags = NP_LB_F_MASQ_REMOTE | NP_LB_F_HAIRPIN;
	fe->affinity = 10800;
	fe->n_backends = 2;
	fe->backends = calloc(2, sizeof(*fe->backends));
	fe->backends[0] = (struct np_lb_backend){ addr4(IP4_B1), 8080,
		NP_LBB_F_LOCAL | NP_LBB_F_READY };
	fe->backends[1] = (struct np_lb_backend){ addr4(IP4_B2), 8081,
		NP_LBB_F_TERMINATING };
	fe->n_ranges = 1;
	fe->ranges = calloc(1, sizeof(*fe->ranges));
	fe->ranges[0].addr = addr4(NET4);
	fe->ranges[0].prefixlen = 8;
}

/* The attribute bytes after the genetlink header of msg. */
static const unsigned char *attrs_of(struct nl_msg *msg, size_t *len)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	*len = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	return (unsigned char *)nlh + NLMSG_HDRLEN + GENL_HDRLEN;
}

static struct nl_msg *new_msg(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc_size(NP_NL_LB_MSG_SIZE);

	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, FAMILY, 0, 0,
				 cmd, 1))
		abort();
	return msg;
}

static void nb_u8(struct nb *nb, uint16_t type, uint8_t v)
{
	nb_attr(nb, type, &v, 1);
}

static void nb_backend(struct nb *nb, int fam, const uint8_t *a, uint16_t port,
		       uint32_t flags)
{
	size_t n = nb_nest(nb, NP_LB_A_BACKEND);

	nb_attr(nb, fam == AF_INET ? NP_LBB_A_ADDR4 : NP_LBB_A_ADDR6, a,
		fam == AF_INET ? 4 : 16);
	nb_u16(nb, NP_LBB_A_PORT, port);
	nb_u32(nb, NP_LBB_A_FLAGS, flags);
	nb_nest_end(nb, n);
}

static void nb_range(struct nb *nb, uint16_t type, int fam, const uint8_t *a,
		     uint8_t plen)
{
	size_t n = nb_nest(nb, type);

	nb_attr(nb, fam == AF_INET ? NP_CIDR_A_ADDR4 : NP_CIDR_A_ADDR6, a,
		fam == AF_INET ? 4 : 16);
	nb_u8(nb, NP_CIDR_A_PREFIXLEN, plen);
	nb_nest_end(nb, n);
}

/* Requests. */

TEST(set_one_message_exact_bytes)
{
	struct np_lb_frontend fe;
	struct nb want = { .len = 0 };
	struct np_lb_chunk c;
	struct nl_msg *msg = new_msg(NP_CMD_LB_SET);
	const unsigned char *got;
	size_t len;
	uint16_t port = 80;

	fe_sample(&fe);
	CHECK_INT(np_nl_lb_nchunks(&fe, 0), 1);
	np_nl_lb_chunk(&fe, 0, 0, &c);
	CHECK_INT(c.stage, 0);
	CHECK_INT(np_nl_lb_set_build(msg, &fe, &c, 42), 0);
	got = attrs_of(msg, &len);

	nb_u8(&want, NP_LB_A_FAMILY, AF_INET);
	nb_u8(&want, NP_LB_A_PROTO, IPPROTO_TCP);
	nb_attr(&want, NP_LB_A_PORT, &port, 2);
	nb_attr(&want, NP_LB_A_LOCAL4, IP4_L, 4);
	nb_u8(&want, NP_LB_A_OWNER, NP_LB_OWNER_HOSTPORT);
	nb_u32(&want, NP_LB_A_FLAGS, NP_LB_F_MASQ_REMOTE | NP_LB_F_HAIRPIN);
	nb_u32(&want, NP_LB_A_AFFINITY, 10800);
	nb_backend(&want, AF_INET, IP4_B1, 8080, NP_LBB_F_LOCAL | NP_LBB_F_READY);
	nb_backend(&want, AF_INET, IP4_B2, 8081, NP_LBB_F_TERMINATING);
	nb_range(&want, NP_LB_A_RANGE, AF_INET, NET4, 8);
	nb_u64(&want, NP_LB_A_GENERATION, 42);
	CHECK_INT(len, want.len);
	CHECK(!memcmp(got, want.b, len));
	nlmsg_free(msg);
	np_lb_frontend_clear(&fe);
}

TEST(set_ipv6_no_local_no_generation_exact_bytes)
{
	struct np_lb_frontend fe = { .family = AF_INET6, .proto = IPPROTO_UDP,
				     .port = 53 };
	struct np_lb_backend b = { addr6(IP6_B), 5353, NP_LBB_F_READY };
	struct np_cidr r = { addr6(NET6), 32 };
	struct nb want = { .len = 0 };
	struct np_lb_chunk c;
	struct nl_msg *msg = new_msg(NP_CMD_LB_SET);
	const unsigned char *got;
	size_t len;
	uint16_t port = 53;

	fe.backends = &b;
	fe.n_backends = 1;
	fe.ranges = &r;
	fe.n_ranges = 1;
	np_nl_lb_chunk(&fe, 0, 0, &c);
	CHECK_INT(np_nl_lb_set_build(msg, &fe, &c, 0), 0);
	got = attrs_of(msg, &len);
	nb_u8(&want, NP_LB_A_FAMILY, AF_INET6);
	nb_u8(&want, NP_LB_A_PROTO, IPPROTO_UDP);
	nb_attr(&want, NP_LB_A_PORT, &port, 2);
	/* owner 0: not sent, the module's default (servicelb) applies */
	nb_u32(&want, NP_LB_A_FLAGS, 0);
	nb_u32(&want, NP_LB_A_AFFINITY, 0);
	nb_backend(&want, AF_INET6, IP6_B, 5353, NP_LBB_F_READY);
	nb_range(&want, NP_LB_A_RANGE, AF_INET6, NET6, 32);
	CHECK_INT(len, want.len);
	CHECK(!memcmp(got, want.b, len));
	nlmsg_free(msg);
}

TEST(set_continuation_carries_key_and_entries_only)
{
	struct np_lb_frontend fe;
	struct nb want = { .len = 0 };
	struct np_lb_chunk c = { .stage = NP_LB_STAGE_F_APPEND |
					  NP_LB_STAGE_F_MORE,
				 .backend = 1, .n_backends = 1, .range = 0,
				 .n_ranges = 1 };
	struct nl_msg *msg = new_msg(NP_CMD_LB_SET);
	const unsigned char *got;
	size_t len;
	uint16_t port = 80;

	fe_sample(&fe);
	CHECK_INT(np_nl_lb_set_build(msg, &fe, &c, 9), 0);
	got = attrs_of(msg, &len);
	nb_u8(&want, NP_LB_A_FAMILY, AF_INET);
	nb_u8(&want, NP_LB_A_PROTO, IPPROTO_TCP);
	nb_attr(&want, NP_LB_A_PORT, &port, 2);
	nb_attr(&want, NP_LB_A_LOCAL4, IP4_L, 4);
	nb_backend(&want, AF_INET, IP4_B2, 8081, NP_LBB_F_TERMINATING);
	nb_range(&want, NP_LB_A_RANGE, AF_INET, NET4, 8);
	nb_u32(&want, NP_LB_A_STAGE, NP_LB_STAGE_F_APPEND | NP_LB_STAGE_F_MORE);
	nb_u64(&want, NP_LB_A_GENERATION, 9);
	CHECK_INT(len, want.len);
	CHECK(!memcmp(got, want.b, len));
	nlmsg_free(msg);
	np_lb_frontend_clear(&fe);
}

TEST(del_exact_bytes)
{
	struct np_lb_frontend key = { .family = AF_INET6,
				      .proto = IPPROTO_SCTP, .port = 3868 };
	struct nb want = { .len = 0 };
	struct nl_msg *msg = new_msg(NP_CMD_LB_DEL);
	const unsigned char *got;
	size_t len;
	uint16_t port = 3868;

	key.local = addr6(IP6_B);
	CHECK_INT(np_nl_lb_del_build(msg, &key, 5), 0);
	got = attrs_of(msg, &len);
	nb_u8(&want, NP_LB_A_FAMILY, AF_INET6);
	nb_u8(&want, NP_LB_A_PROTO, IPPROTO_SCTP);
	nb_attr(&want, NP_LB_A_PORT, &port, 2);
	nb_attr(&want, NP_LB_A_LOCAL6, IP6_B, 16);
	nb_u64(&want, NP_LB_A_GENERATION, 5);
	CHECK_INT(len, want.len);
	CHECK(!memcmp(got, want.b, len));
	nlmsg_free(msg);
}

/* The owner precondition: OWNER after the key, before GENERATION. */
TEST(del_with_owner_exact_bytes)
{
	struct np_lb_frontend key = { .family = AF_INET,
				      .proto = IPPROTO_UDP, .port = 53,
				      .owner = NP_LB_OWNER_HOSTPORT };
	struct nb want = { .len = 0 };
	struct nl_msg *msg = new_msg(NP_CMD_LB_DEL);
	const unsigned char *got;
	size_t len;
	uint16_t port = 53;

	CHECK_INT(np_nl_lb_del_build(msg, &key, 7), 0);
	got = attrs_of(msg, &len);
	nb_u8(&want, NP_LB_A_FAMILY, AF_INET);
	nb_u8(&want, NP_LB_A_PROTO, IPPROTO_UDP);
	nb_attr(&want, NP_LB_A_PORT, &port, 2);
	nb_u8(&want, NP_LB_A_OWNER, NP_LB_OWNER_HOSTPORT);
	nb_u64(&want, NP_LB_A_GENERATION, 7);
	CHECK_INT(len, want.len);
	CHECK(!memcmp(got, want.b, len));
	nlmsg_free(msg);

	key.owner = NP_LB_OWNER_SERVICELB;
	want.len = 0;
	msg = new_msg(NP_CMD_LB_DEL);
	CHECK_INT(np_nl_lb_del_build(msg, &key, 0), 0);
	got = attrs_of(msg, &len);
	nb_u8(&want, NP_LB_A_FAMILY, AF_INET);
	nb_u8(&want, NP_LB_A_PROTO, IPPROTO_UDP);
	nb_attr(&want, NP_LB_A_PORT, &port, 2);
	nb_u8(&want, NP_LB_A_OWNER, NP_LB_OWNER_SERVICELB);
	CHECK_INT(len, want.len);
	CHECK(!memcmp(got, want.b, len));
	nlmsg_free(msg);
}

TEST(builders_refuse_other_families)
{
	struct np_lb_frontend fe;
	struct np_lb_chunk c;
	struct nl_msg *msg;

	fe_sample(&fe);
	np_nl_lb_chunk(&fe, 0, 0, &c);
	fe.backends[1].addr = addr6(IP6_B);
	msg = new_msg(NP_CMD_LB_SET);
	CHECK_INT(np_nl_lb_set_build(msg, &fe, &c, 0), -EINVAL);
	nlmsg_free(msg);
	fe.backends[1].addr = addr4(IP4_B2);
	fe.ranges[0].addr = addr6(NET6);
	msg = new_msg(NP_CMD_LB_SET);
	CHECK_INT(np_nl_lb_set_build(msg, &fe, &c, 0), -EINVAL);
	nlmsg_free(msg);
	fe.ranges[0].addr = addr4(NET4);
	fe.local = addr6(IP6_B);
	msg = new_msg(NP_CMD_LB_SET);
	CHECK_INT(np_nl_lb_set_build(msg, &fe, &c, 0), -EINVAL);
	nlmsg_free(msg);
	fe.local.family = 0;
	fe.family = 0;
	msg = new_msg(NP_CMD_LB_DEL);
	CHECK_INT(np_nl_lb_del_build(msg, &fe, 0), -EINVAL);
	nlmsg_free(msg);
	fe.family = AF_INET;
	msg = new_msg(NP_CMD_LB_SET);
	CHECK_INT(np_nl_lb_set_build(msg, &fe, &c, 0), 0);
	nlmsg_free(msg);
	np_lb_frontend_clear(&fe);
}

/* Chunking. */

/* What one built chunk held, read back with libnl's walkers. */
struct seen {
	uint32_t stage;
	bool has_stage, has_owner, has_flags, has_affinity, has_gen;
	uint64_t gen;
	size_t nb, nr;
};

/* Reads msg's attributes, appending its entries to fe's arrays. */
static int read_chunk(struct nl_msg *msg, struct np_lb_frontend *fe,
		      struct seen *s)
{
	struct nlattr *nla, *in;
	const unsigned char *p;
	size_t len;
	int rem, rem2;

	memset(s, 0, sizeof(*s));
	p = attrs_of(msg, &len);
	nla_for_each_attr(nla, (struct nlattr *)p, (int)len, rem) {
		switch (nla_type(nla)) {
		case NP_LB_A_STAGE:
			s->has_stage = true;
			s->stage = nla_get_u32(nla);
			break;
		case NP_LB_A_OWNER:
			s->has_owner = true;
			break;
		case NP_LB_A_FLAGS:
			s->has_flags = true;
			break;
		case NP_LB_A_AFFINITY:
			s->has_affinity = true;
			break;
		case NP_LB_A_GENERATION:
			s->has_gen = true;
			s->gen = nla_get_u64(nla);
			break;
		case NP_LB_A_BACKEND: {
			struct np_lb_backend *b =
				&fe->backends[fe->n_backends++];

			memset(b, 0, sizeof(*b));
			nla_for_each_nested(in, nla, rem2) {
				if (nla_type(in) == NP_LBB_A_ADDR4) {
					b->addr.family = AF_INET;
					memcpy(b->addr.a, nla_data(in), 4);
				} else if (nla_type(in) == NP_LBB_A_ADDR6) {
					b->addr.family = AF_INET6;
					memcpy(b->addr.a, nla_data(in), 16);
				} else if (nla_type(in) == NP_LBB_A_PORT) {
					b->port = nla_get_u16(in);
				} else if (nla_type(in) == NP_LBB_A_FLAGS) {
					b->flags = nla_get_u32(in);
				}
			}
			s->nb++;
			break;
		}
		case NP_LB_A_RANGE: {
			struct np_cidr *c = &fe->ranges[fe->n_ranges++];

			memset(c, 0, sizeof(*c));
			nla_for_each_nested(in, nla, rem2) {
				if (nla_type(in) == NP_CIDR_A_ADDR4) {
					c->addr.family = AF_INET;
					memcpy(c->addr.a, nla_data(in), 4);
				} else if (nla_type(in) == NP_CIDR_A_ADDR6) {
					c->addr.family = AF_INET6;
					memcpy(c->addr.a, nla_data(in), 16);
				} else if (nla_type(in) == NP_CIDR_A_PREFIXLEN) {
					c->prefixlen = nla_get_u8(in);
				}
			}
			s->nr++;
			break;
		}
		}
	}
	return rem;
}

/* A frontend of nb backends and nr ranges, all distinct. */
static void fe_big(struct np_lb_frontend *fe, int family, size_t nb, size_t nr)
{
	size_t i;

	memset(fe, 0, sizeof(*fe));
	fe->family = family;
	fe->proto = IPPROTO_TCP;
	fe->port = 443;
	fe->owner = NP_LB_OWNER_SERVICELB;
	fe->flags = NP_LB_F_LOCAL_ONLY;
	fe->backends = calloc(nb ? nb : 1, sizeof(*fe->backends));
	fe->ranges = calloc(nr ? nr : 1, sizeof(*fe->ranges));
	for (i = 0; i < nb; i++) {
		struct np_lb_backend *b = &fe->backends[i];

		b->addr.family = family;
		b->addr.a[0] = 10;
		b->addr.a[1] = (uint8_t)(i >> 16);
		b->addr.a[2] = (uint8_t)(i >> 8);
		b->addr.a[3] = (uint8_t)i;
		b->port = (uint16_t)(1 + i % 65535);
		b->flags = (uint32_t)(i % 8);
	}
	for (i = 0; i < nr; i++) {
		struct np_cidr *c = &fe->ranges[i];

		c->addr.family = family;
		c->addr.a[0] = family == AF_INET ? 172 : 0x20;
		c->addr.a[1] = (uint8_t)(i >> 16);
		c->addr.a[2] = (uint8_t)(i >> 8);
		c->addr.a[3] = (uint8_t)i;
		c->prefixlen = family == AF_INET ? 32 : 64;
	}
	fe->n_backends = nb;
	fe->n_ranges = nr;
}

/*
 * Builds every chunk of fe; checks the stage sequence, that only the
 * first carries the configuration, each message's size, and that the
 * chunks together hold fe's entries in order. Returns the chunk count,
 * or -1 (after CHECK failure text in why) on a mismatch.
 */
static long chunk_all(const struct np_lb_frontend *fe, char *why, size_t wl)
{
	struct np_lb_frontend u = *fe;
	size_t n = np_nl_lb_nchunks(fe, 0), i;
	long r = (long)n;

	u.backends = calloc(fe->n_backends + 1, sizeof(*u.backends));
	u.ranges = calloc(fe->n_ranges + 1, sizeof(*u.ranges));
	u.n_backends = 0;
	u.n_ranges = 0;
	for (i = 0; i < n && r > 0; i++) {
		struct nl_msg *msg = new_msg(NP_CMD_LB_SET);
		struct np_lb_chunk c;
		struct seen s;
		uint32_t want;

		np_nl_lb_chunk(fe, 0, i, &c);
		want = n == 1 ? 0 : i == 0 ? NP_LB_STAGE_F_MORE :
		       i + 1 < n ? NP_LB_STAGE_F_APPEND | NP_LB_STAGE_F_MORE :
		       NP_LB_STAGE_F_APPEND;
		if (np_nl_lb_set_build(msg, fe, &c, 100 + i) < 0 ||
		    read_chunk(msg, &u, &s) != 0) {
			snprintf(why, wl, "chunk %zu: not built", i);
			r = -1;
		} else if (c.stage != want || s.stage != want ||
			   s.has_stage != (want != 0)) {
			snprintf(why, wl, "chunk %zu: stage 0x%x, expected 0x%x",
				 i, s.stage, want);
			r = -1;
		} else if (s.has_flags != (i == 0) ||
			   s.has_affinity != (i == 0) ||
			   s.has_owner != (i == 0)) {
			snprintf(why, wl, "chunk %zu: configuration %s", i,
				 i ? "repeated" : "missing");
			r = -1;
		} else if (s.nb + s.nr > NP_NL_LB_CHUNK ||
			   (i + 1 < n && s.nb + s.nr != NP_NL_LB_CHUNK)) {
			snprintf(why, wl, "chunk %zu: %zu entries", i,
				 s.nb + s.nr);
			r = -1;
		} else if (!s.has_gen || s.gen != 100 + i) {
			snprintf(why, wl, "chunk %zu: generation", i);
			r = -1;
		}
		nlmsg_free(msg);
	}
	if (r > 0 && (u.n_backends != fe->n_backends ||
		      u.n_ranges != fe->n_ranges ||
		      memcmp(u.backends, fe->backends,
			     fe->n_backends * sizeof(*u.backends)) ||
		      memcmp(u.ranges, fe->ranges,
			     fe->n_ranges * sizeof(*u.ranges)))) {
		snprintf(why, wl, "union: %zu backends, %zu ranges differ",
			 u.n_backends, u.n_ranges);
		r = -1;
	}
	free(u.backends);
	free(u.ranges);
	return r;
}

TEST(chunks_5000_backends)
{
	struct np_lb_frontend fe;
	char why[256] = "";
	long n;

	fe_big(&fe, AF_INET6, 5000, 0);
	n = chunk_all(&fe, why, sizeof(why));
	np_lb_frontend_clear(&fe);
	if (n < 0)
		CHECK_FAIL("%s", why);
	CHECK_INT(n, 5);
}

TEST(chunks_100000_ranges)
{
	struct np_lb_frontend fe;
	char why[256] = "";
	long n;

	fe_big(&fe, AF_INET, 3, 100000);
	n = chunk_all(&fe, why, sizeof(why));
	np_lb_frontend_clear(&fe);
	if (n < 0)
		CHECK_FAIL("%s", why);
	CHECK_INT(n, 101);
}

TEST(chunk_boundaries)
{
	struct np_lb_frontend fe;
	struct np_lb_chunk c;
	char why[256] = "";
	long n;

	/* Exactly the bound: one message, no STAGE. */
	fe_big(&fe, AF_INET, 600, 400);
	n = chunk_all(&fe, why, sizeof(why));
	if (n < 0)
		CHECK_FAIL("%s", why);
	CHECK_INT(n, 1);
	np_lb_frontend_clear(&fe);
	/* One more: the first chunk ends inside the ranges. */
	fe_big(&fe, AF_INET, 999, 2);
	n = chunk_all(&fe, why, sizeof(why));
	if (n < 0)
		CHECK_FAIL("%s", why);
	CHECK_INT(n, 2);
	np_nl_lb_chunk(&fe, 0, 0, &c);
	CHECK_INT(c.n_backends, 999);
	CHECK_INT(c.range, 0);
	CHECK_INT(c.n_ranges, 1);
	np_nl_lb_chunk(&fe, 0, 1, &c);
	CHECK_INT(c.n_backends, 0);
	CHECK_INT(c.range, 1);
	CHECK_INT(c.n_ranges, 1);
	np_lb_frontend_clear(&fe);
	/* No entries at all: one message (a frontend that refuses). */
	fe_big(&fe, AF_INET, 0, 0);
	n = chunk_all(&fe, why, sizeof(why));
	np_lb_frontend_clear(&fe);
	if (n < 0)
		CHECK_FAIL("%s", why);
	CHECK_INT(n, 1);
	/* A smaller bound (the planner's tests use one). */
	fe_big(&fe, AF_INET, 10, 5);
	CHECK_INT(np_nl_lb_nchunks(&fe, 4), 4);
	np_nl_lb_chunk(&fe, 4, 2, &c);
	CHECK_INT(c.stage, NP_LB_STAGE_F_APPEND | NP_LB_STAGE_F_MORE);
	CHECK_INT(c.backend, 8);
	CHECK_INT(c.n_backends, 2);
	CHECK_INT(c.range, 0);
	CHECK_INT(c.n_ranges, 2);
	np_nl_lb_chunk(&fe, 4, 3, &c);
	CHECK_INT(c.stage, NP_LB_STAGE_F_APPEND);
	CHECK_INT(c.n_backends, 0);
	CHECK_INT(c.range, 2);
	CHECK_INT(c.n_ranges, 3);
	np_lb_frontend_clear(&fe);
}

TEST(full_chunk_of_ipv6_fits_the_message)
{
	struct np_lb_frontend fe;
	struct np_lb_chunk c;
	struct nl_msg *msg = new_msg(NP_CMD_LB_SET);

	fe_big(&fe, AF_INET6, NP_NL_LB_CHUNK, 0);
	fe.local.family = AF_INET6;
	fe.affinity = 1;
	np_nl_lb_chunk(&fe, 0, 0, &c);
	CHECK_INT(np_nl_lb_set_build(msg, &fe, &c, 1), 0);
	CHECK(nlmsg_hdr(msg)->nlmsg_len <= NP_NL_LB_MSG_SIZE);
	nlmsg_free(msg);
	np_lb_frontend_clear(&fe);
}

/* The LB_GET reply parser. */

enum {
	R_LOCAL = 1 << 0,
	R_CFG = 1 << 1,
	R_BACKENDS = 1 << 2,
	R_RANGES = 1 << 3,
	R_GEN = 1 << 4,
	R_STATS = 1 << 5,
	R_ALL = 0x3f,
};

/* The head of a reply: key of tcp/[192.168.50.1]:80, v4. */
static size_t reply_head(struct nb *nb, unsigned int with)
{
	size_t m = nb_msg(nb, FAMILY, NLM_F_MULTI);

	nb_genl(nb, NP_CMD_LB_GET);
	nb_u8(nb, NP_LB_A_FAMILY, AF_INET);
	nb_u8(nb, NP_LB_A_PROTO, IPPROTO_TCP);
	nb_u16(nb, NP_LB_A_PORT, 80);
	if (with & R_LOCAL)
		nb_attr(nb, NP_LB_A_LOCAL4, IP4_L, 4);
	return m;
}

static size_t reply(struct nb *nb, unsigned int with)
{
	size_t m = reply_head(nb, with), n;

	if (with & R_CFG) {
		nb_u8(nb, NP_LB_A_OWNER, NP_LB_OWNER_HOSTPORT);
		nb_u32(nb, NP_LB_A_FLAGS, NP_LB_F_LOCALHOST | NP_LB_F_MASQ_ALL);
		nb_u32(nb, NP_LB_A_AFFINITY, 60);
	}
	if (with & R_BACKENDS) {
		nb_backend(nb, AF_INET, IP4_B2, 8081, NP_LBB_F_READY);
		nb_backend(nb, AF_INET, IP4_B1, 8080, NP_LBB_F_LOCAL);
	}
	if (with & R_RANGES)
		nb_range(nb, NP_LB_A_RANGE, AF_INET, NET4, 8);
	if (with & R_GEN) {
		nb_attr(nb, NP_LB_A_PAD, NULL, 0);
		nb_u64(nb, NP_LB_A_GENERATION, 0x100000001ULL);
	}
	if (with & R_STATS) {
		n = nb_nest(nb, NP_LB_A_STATS);
		nb_u64(nb, NP_LBSTAT_A_PACKETS, 10);
		nb_u64(nb, NP_LBSTAT_A_BYTES, 0xfedcba9876543210ULL);
		nb_u64(nb, NP_LBSTAT_A_DROP_NAT, 3);
		nb_u64(nb, 200, 1);	/* a newer counter: ignored */
		nb_nest_end(nb, n);
	}
	nb_u32(nb, 250, 7);	/* a newer attribute: ignored */
	nb_end(nb, m);
	return m;
}

static int parse(struct nb *nb, size_t m, struct np_lb_frontend *fe,
		 uint32_t *stage, struct np_err *err)
{
	np_err_clear(err);
	return np_nl_lb_parse(nb_hdr(nb, m), nb->len - m, fe, stage, err);
}

TEST(parse_full_reply)
{
	struct nb nb = { .len = 0 };
	struct np_lb_frontend fe;
	struct np_err err;
	uint32_t stage = 99;
	size_t m = reply(&nb, R_ALL);

	CHECK_INT(parse(&nb, m, &fe, &stage, &err), 0);
	CHECK_INT(stage, 0);
	CHECK_INT(fe.family, AF_INET);
	CHECK_INT(fe.proto, IPPROTO_TCP);
	CHECK_INT(fe.port, 80);
	CHECK_INT(fe.local.family, AF_INET);
	CHECK(!memcmp(fe.local.a, IP4_L, 4));
	CHECK_INT(fe.owner, NP_LB_OWNER_HOSTPORT);
	CHECK_INT(fe.flags, NP_LB_F_LOCALHOST | NP_LB_F_MASQ_ALL);
	CHECK_INT(fe.affinity, 60);
	CHECK_INT(fe.n_backends, 2);
	CHECK(!memcmp(fe.backends[0].addr.a, IP4_B2, 4));
	CHECK_INT(fe.backends[0].addr.family, AF_INET);
	CHECK_INT(fe.backends[0].port, 8081);
	CHECK_INT(fe.backends[0].flags, NP_LBB_F_READY);
	CHECK_INT(fe.backends[1].port, 8080);
	CHECK_INT(fe.backends[1].flags, NP_LBB_F_LOCAL);
	CHECK_INT(fe.n_ranges, 1);
	CHECK_INT(fe.ranges[0].prefixlen, 8);
	CHECK(!memcmp(fe.ranges[0].addr.a, NET4, 4));
	CHECK(fe.generation == 0x100000001ULL);
	CHECK_INT(fe.stats_have, (1U << 0) | (1U << 1) | (1U << 5));
	CHECK(fe.stats[0] == 10);
	CHECK(fe.stats[1] == 0xfedcba9876543210ULL);
	CHECK(fe.stats[5] == 3);
	np_lb_frontend_clear(&fe);
}

TEST(parse_minimal_reply_defaults)
{
	struct nb nb = { .len = 0 };
	struct np_lb_frontend fe;
	struct np_err err;
	uint32_t stage;
	size_t m = reply(&nb, 0);

	CHECK_INT(parse(&nb, m, &fe, &stage, &err), 0);
	CHECK_INT(fe.local.family, 0);
	CHECK_INT(fe.owner, NP_LB_OWNER_SERVICELB);
	CHECK_INT(fe.flags, 0);
	CHECK_INT(fe.n_backends, 0);
	CHECK_INT(fe.n_ranges, 0);
	CHECK_INT(fe.stats_have, 0);
}

/* A minimal v4 reply plus one attribute (type, data, len). */
static size_t reply_with(struct nb *nb, uint16_t type, const void *data,
			 uint16_t len)
{
	size_t m = reply_head(nb, 0);

	nb_attr(nb, type, data, len);
	nb_end(nb, m);
	return m;
}

static const char *bad(struct nb *nb, size_t m)
{
	static struct np_err err;
	struct np_lb_frontend fe;
	uint32_t stage;

	if (parse(nb, m, &fe, &stage, &err) != -EBADMSG || err.err != EBADMSG)
		return "accepted";
	return err.msg;
}

TEST(parse_rejects_bad_scalars)
{
	static const uint8_t zeros[16];
	struct nb nb = { .len = 0 };
	uint8_t u8;
	uint32_t u32;
	uint16_t u16 = 80;

	u8 = 3;
	CHECK_STR(bad(&nb, reply_with(&nb, NP_LB_A_FAMILY, &u8, 1)),
		  "LB_GET reply: attribute 2 (NP_LB_A_FAMILY): family 3 is neither AF_INET nor AF_INET6");
	nb.len = 0;
	u8 = IPPROTO_ICMP;
	CHECK_STR(bad(&nb, reply_with(&nb, NP_LB_A_PROTO, &u8, 1)),
		  "LB_GET reply: attribute 3 (NP_LB_A_PROTO): protocol 1 is not TCP, UDP or SCTP");
	nb.len = 0;
	u16 = 0;
	CHECK_STR(bad(&nb, reply_with(&nb, NP_LB_A_PORT, &u16, 2)),
		  "LB_GET reply: attribute 4 (NP_LB_A_PORT): port 0");
	nb.len = 0;
	CHECK_STR(bad(&nb, reply_with(&nb, NP_LB_A_PORT, zeros, 4)),
		  "LB_GET reply: attribute 4 (NP_LB_A_PORT): expected u16 (2 bytes), got 4 bytes");
	nb.len = 0;
	CHECK_STR(bad(&nb, reply_with(&nb, NP_LB_A_LOCAL4, IP4_L, 3)),
		  "LB_GET reply: attribute 5 (NP_LB_A_LOCAL4): expected binary (4 bytes), got 3 bytes");
	nb.len = 0;
	CHECK_STR(bad(&nb, reply_with(&nb, NP_LB_A_LOCAL6, IP6_B, 16)),
		  "LB_GET reply: attribute 6 (NP_LB_A_LOCAL6) in a frontend of family AF_INET");
	nb.len = 0;
	u8 = 0;
	CHECK_STR(bad(&nb, reply_with(&nb, NP_LB_A_OWNER, &u8, 1)),
		  "LB_GET reply: attribute 7 (NP_LB_A_OWNER): unknown owner 0");
	nb.len = 0;
	u8 = 3;
	CHECK_STR(bad(&nb, reply_with(&nb, NP_LB_A_OWNER, &u8, 1)),
		  "LB_GET reply: attribute 7 (NP_LB_A_OWNER): unknown owner 3");
	nb.len = 0;
	u32 = NP_LB_AFFINITY_MAX + 1;
	CHECK_STR(bad(&nb, reply_with(&nb, NP_LB_A_AFFINITY, &u32, 4)),
		  "LB_GET reply: attribute 9 (NP_LB_A_AFFINITY): 86401 is over 86400");
	nb.len = 0;
	CHECK_STR(bad(&nb, reply_with(&nb, NP_LB_A_FLAGS, zeros, 8)),
		  "LB_GET reply: attribute 8 (NP_LB_A_FLAGS): expected u32 (4 bytes), got 8 bytes");
	nb.len = 0;
	u32 = NP_LB_STAGE_F_MORE | NP_LB_STAGE_F_APPEND;
	CHECK_STR(bad(&nb, reply_with(&nb, NP_LB_A_STAGE, &u32, 4)),
		  "LB_GET reply: attribute 12 (NP_LB_A_STAGE): 0x3 where only 0 or NP_LB_STAGE_F_APPEND may be");
	nb.len = 0;
	CHECK_STR(bad(&nb, reply_with(&nb, NP_LB_A_GENERATION, &u32, 4)),
		  "LB_GET reply: attribute 13 (NP_LB_A_GENERATION): expected u64 (8 bytes), got 4 bytes");
}

TEST(parse_rejects_missing_key)
{
	struct nb nb = { .len = 0 };
	size_t m = nb_msg(&nb, FAMILY, 0);

	nb_genl(&nb, NP_CMD_LB_GET);
	nb_u8(&nb, NP_LB_A_FAMILY, AF_INET);
	nb_u16(&nb, NP_LB_A_PORT, 80);
	nb_end(&nb, m);
	CHECK_STR(bad(&nb, m),
		  "LB_GET reply: missing attribute 3 (NP_LB_A_PROTO)");
}

TEST(parse_rejects_bad_backends)
{
	struct nb nb = { .len = 0 };
	size_t m, n;

	m = reply_head(&nb, 0);
	n = nb_nest(&nb, NP_LB_A_BACKEND);
	nb_attr(&nb, NP_LBB_A_ADDR4, IP4_B1, 4);
	nb_nest_end(&nb, n);
	nb_end(&nb, m);
	CHECK_STR(bad(&nb, m), "LB_GET reply NP_LB_A_BACKEND: missing attribute 3 (NP_LBB_A_PORT)");

	nb.len = 0;
	m = reply_head(&nb, 0);
	n = nb_nest(&nb, NP_LB_A_BACKEND);
	nb_u16(&nb, NP_LBB_A_PORT, 80);
	nb_nest_end(&nb, n);
	nb_end(&nb, m);
	CHECK_STR(bad(&nb, m), "LB_GET reply NP_LB_A_BACKEND: missing attribute 1 (NP_LBB_A_ADDR4)");

	nb.len = 0;
	m = reply_head(&nb, 0);
	nb_backend(&nb, AF_INET6, IP6_B, 80, 0);
	nb_end(&nb, m);
	CHECK_STR(bad(&nb, m), "LB_GET reply NP_LB_A_BACKEND: attribute 2 (NP_LBB_A_ADDR6) in a frontend of family AF_INET");

	nb.len = 0;
	m = reply_head(&nb, 0);
	nb_backend(&nb, AF_INET, IP4_B1, 0, 0);
	nb_end(&nb, m);
	CHECK_STR(bad(&nb, m), "LB_GET reply NP_LB_A_BACKEND: attribute 3 (NP_LBB_A_PORT): port 0");

	nb.len = 0;
	m = reply_head(&nb, 0);
	n = nb_nest(&nb, NP_LB_A_BACKEND);
	nb_attr(&nb, NP_LBB_A_ADDR4, IP6_B, 5);
	nb_u16(&nb, NP_LBB_A_PORT, 80);
	nb_nest_end(&nb, n);
	nb_end(&nb, m);
	CHECK_STR(bad(&nb, m), "LB_GET reply NP_LB_A_BACKEND: attribute 1 (NP_LBB_A_ADDR4): expected binary (4 bytes), got 5 bytes");

	nb.len = 0;
	m = reply_head(&nb, 0);
	n = nb_nest(&nb, NP_LB_A_BACKEND);
	nb_attr(&nb, NP_LBB_A_ADDR4, IP4_B1, 4);
	nb_u16(&nb, NP_LBB_A_PORT, 80);
	nb_u16(&nb, NP_LBB_A_FLAGS, 1);
	nb_nest_end(&nb, n);
	nb_end(&nb, m);
	CHECK_STR(bad(&nb, m), "LB_GET reply NP_LB_A_BACKEND: attribute 4 (NP_LBB_A_FLAGS): expected u32 (4 bytes), got 2 bytes");
}

TEST(parse_rejects_bad_ranges_and_stats)
{
	struct nb nb = { .len = 0 };
	size_t m, n;

	m = reply_head(&nb, 0);
	nb_range(&nb, NP_LB_A_RANGE, AF_INET6, NET6, 32);
	nb_end(&nb, m);
	CHECK_STR(bad(&nb, m), "LB_GET reply NP_LB_A_RANGE: IPv6 range in a frontend of family AF_INET");

	nb.len = 0;
	m = reply_head(&nb, 0);
	nb_range(&nb, NP_LB_A_RANGE, AF_INET, NET4, 33);
	nb_end(&nb, m);
	CHECK_STR(bad(&nb, m), "LB_GET reply NP_LB_A_RANGE: attribute 3 (NP_CIDR_A_PREFIXLEN): 33 is over 32");

	nb.len = 0;
	m = reply_head(&nb, 0);
	n = nb_nest(&nb, NP_LB_A_RANGE);
	nb_u8(&nb, NP_CIDR_A_PREFIXLEN, 8);
	nb_nest_end(&nb, n);
	nb_end(&nb, m);
	CHECK_STR(bad(&nb, m), "LB_GET reply NP_LB_A_RANGE: needs exactly one of NP_CIDR_A_ADDR4 and NP_CIDR_A_ADDR6");

	nb.len = 0;
	m = reply_head(&nb, 0);
	n = nb_nest(&nb, NP_LB_A_STATS);
	nb_u32(&nb, NP_LBSTAT_A_CONNS, 1);
	nb_nest_end(&nb, n);
	nb_end(&nb, m);
	CHECK_STR(bad(&nb, m), "LB_GET reply NP_LB_A_STATS: attribute 4 (NP_LBSTAT_A_CONNS): expected u64 (8 bytes), got 4 bytes");

	nb.len = 0;
	m = reply(&nb, R_ALL);
	nb_hdr(&nb, m)->nlmsg_len -= 4;	/* the last attribute cut short */
	CHECK_CONTAINS(bad(&nb, m), "LB_GET reply: truncated attribute at byte");
}

/* Merging continuation messages. */

/* A continuation of tcp/192.168.50.1:80 with one backend and one range. */
static size_t continuation(struct nb *nb, const uint8_t b[4], uint16_t port,
			   bool local, uint32_t extra_flags)
{
	size_t m = reply_head(nb, local ? R_LOCAL : 0);

	nb_u32(nb, NP_LB_A_STAGE, NP_LB_STAGE_F_APPEND);
	if (extra_flags)
		nb_u32(nb, NP_LB_A_FLAGS, extra_flags);
	nb_backend(nb, AF_INET, b, port, NP_LBB_F_READY);
	nb_range(nb, NP_LB_A_RANGE, AF_INET, b, 32);
	nb_end(nb, m);
	return m;
}

static int merge(struct np_lb_list *l, struct nb *nb, size_t m,
		 struct np_err *err)
{
	np_err_clear(err);
	return np_nl_lb_reply_merge(l, nb_hdr(nb, m), nb_hdr(nb, m)->nlmsg_len,
				    err);
}

TEST(merge_continuations_into_one_frontend)
{
	struct nb a = { .len = 0 }, b = { .len = 0 }, c = { .len = 0 };
	struct nb d = { .len = 0 };
	struct np_lb_list l = { NULL, 0 };
	struct np_err err;
	size_t ma = reply(&a, R_ALL), mb, mc, md;
	uint16_t p6 = 8443;

	mb = continuation(&b, IP4_L, 9000, true, 0);
	/* The same flags again are tolerated; other ones are not. */
	mc = continuation(&c, NET4, 9001, true,
			  NP_LB_F_LOCALHOST | NP_LB_F_MASQ_ALL);
	/* Then another frontend: v6, no local. */
	md = nb_msg(&d, FAMILY, NLM_F_MULTI);
	nb_genl(&d, NP_CMD_LB_GET);
	nb_u8(&d, NP_LB_A_FAMILY, AF_INET6);
	nb_u8(&d, NP_LB_A_PROTO, IPPROTO_UDP);
	nb_u16(&d, NP_LB_A_PORT, p6);
	nb_end(&d, md);
	CHECK_INT(merge(&l, &d, md, &err), 0);
	CHECK_INT(merge(&l, &a, ma, &err), 0);
	CHECK_INT(merge(&l, &b, mb, &err), 0);
	CHECK_INT(merge(&l, &c, mc, &err), 0);
	CHECK_INT(l.n, 2);
	CHECK_INT(np_nl_lb_list_finish(&l, &err), 0);
	/* Sorted by key: AF_INET (2) before AF_INET6 (10). */
	CHECK_INT(l.v[0].family, AF_INET);
	CHECK_INT(l.v[1].family, AF_INET6);
	CHECK_INT(l.v[0].n_backends, 4);
	CHECK_INT(l.v[0].n_ranges, 3);
	/* Canonical: sorted by address, then port. */
	CHECK(!memcmp(l.v[0].backends[0].addr.a, NET4, 4));
	CHECK_INT(l.v[0].backends[0].port, 9001);
	CHECK(!memcmp(l.v[0].backends[1].addr.a, IP4_B1, 4));
	CHECK(!memcmp(l.v[0].backends[2].addr.a, IP4_B2, 4));
	CHECK(!memcmp(l.v[0].backends[3].addr.a, IP4_L, 4));
	CHECK_INT(l.v[0].ranges[0].prefixlen, 8);
	CHECK_INT(l.v[0].ranges[1].prefixlen, 32);
	CHECK(!memcmp(l.v[0].ranges[1].addr.a, NET4, 4));
	/* The first message's counters and generation stay. */
	CHECK(l.v[0].generation == 0x100000001ULL);
	CHECK(l.v[0].stats[1] == 0xfedcba9876543210ULL);
	CHECK_INT(l.v[0].owner, NP_LB_OWNER_HOSTPORT);
	CHECK_INT(l.v[0].affinity, 60);
	np_lb_list_free(&l);
}

TEST(merge_rejects_orphans_and_conflicts)
{
	struct nb a = { .len = 0 }, b = { .len = 0 };
	struct np_lb_list l = { NULL, 0 };
	struct np_err err;
	size_t ma, mb;

	/* A continuation first. */
	mb = continuation(&b, IP4_L, 9000, true, 0);
	CHECK_INT(merge(&l, &b, mb, &err), -EBADMSG);
	CHECK_STR(err.msg, "LB_GET reply: continuation (NP_LB_A_STAGE = APPEND) of tcp/192.168.50.1:80 without its first message");
	/* A continuation of another key (no local). */
	ma = reply(&a, R_ALL);
	CHECK_INT(merge(&l, &a, ma, &err), 0);
	b.len = 0;
	mb = continuation(&b, IP4_L, 9000, false, 0);
	CHECK_INT(merge(&l, &b, mb, &err), -EBADMSG);
	CHECK_STR(err.msg, "LB_GET reply: continuation (NP_LB_A_STAGE = APPEND) of tcp/80 without its first message");
	/* Other flags. */
	b.len = 0;
	mb = continuation(&b, IP4_L, 9000, true, NP_LB_F_HAIRPIN);
	CHECK_INT(merge(&l, &b, mb, &err), -EBADMSG);
	CHECK_STR(err.msg, "LB_GET reply: continuation of tcp/192.168.50.1:80 with another NP_LB_A_OWNER, NP_LB_A_FLAGS or NP_LB_A_AFFINITY");
	/* The same key twice as a first message. */
	a.len = 0;
	ma = reply(&a, R_ALL);
	CHECK_INT(merge(&l, &a, ma, &err), 0);
	CHECK_INT(np_nl_lb_list_finish(&l, &err), -EBADMSG);
	CHECK_STR(err.msg, "LB_GET reply: frontend tcp/192.168.50.1:80 twice in the dump");
	np_lb_list_free(&l);
}

/* LB_SET / LB_DEL replies. */

TEST(generation_reply)
{
	struct nb nb = { .len = 0 };
	struct np_err err;
	uint64_t gen = 0;
	size_t m = nb_msg(&nb, FAMILY, 0);

	nb_genl(&nb, NP_CMD_LB_SET);
	nb_attr(&nb, NP_LB_A_PAD, NULL, 0);
	nb_u64(&nb, NP_LB_A_GENERATION, 77);
	nb_end(&nb, m);
	np_err_clear(&err);
	CHECK_INT(np_nl_lb_gen_parse(nb_hdr(&nb, m), nb.len - m, NP_CMD_LB_SET,
				     &gen, &err), 0);
	CHECK_INT(gen, 77);
	nb.len = 0;
	m = nb_msg(&nb, FAMILY, 0);
	nb_genl(&nb, NP_CMD_LB_DEL);
	nb_u32(&nb, 250, 1);
	nb_end(&nb, m);
	CHECK_INT(np_nl_lb_gen_parse(nb_hdr(&nb, m), nb.len - m, NP_CMD_LB_DEL,
				     &gen, &err), -EBADMSG);
	CHECK_STR(err.msg, "LB_DEL reply: missing attribute 13 (NP_LB_A_GENERATION)");
}

TEST(lb_commands_name_their_attributes)
{
	char buf[96];

	CHECK_STR(np_nl_attr_ref(np_nl_cmd_attrs(NP_CMD_LB_SET),
				 NP_LB_A_BACKEND, buf, sizeof(buf)),
		  "10 (NP_LB_A_BACKEND)");
	CHECK_STR(np_nl_attr_ref(np_nl_cmd_attrs(NP_CMD_LB_DEL),
				 NP_LB_A_LOCAL6, buf, sizeof(buf)),
		  "6 (NP_LB_A_LOCAL6)");
	CHECK_STR(np_nl_attr_ref(np_nl_cmd_attrs(NP_CMD_LB_GET),
				 NP_LB_A_STATS, buf, sizeof(buf)),
		  "14 (NP_LB_A_STATS)");
}

/* INFO_GET's LB attributes. */

static size_t info_reply(struct nb *nb, bool lb_counts, int drop_count,
			 bool lb_limits, int drop_limit, bool gen)
{
	size_t m = nb_msg(nb, FAMILY, 0), n;
	int i;

	nb_genl(nb, NP_CMD_INFO_GET);
	nb_u32(nb, NP_INFO_A_ABI_VERSION, 1);
	nb_str(nb, NP_INFO_A_VERSION, "0.2.0");
	nb_u32(nb, NP_INFO_A_FEATURES, NP_FEATURE_F_SERVICELB);
	n = nb_nest(nb, NP_INFO_A_COUNTS);
	nb_u64(nb, NP_COUNT_A_REQUESTS, 5);
	for (i = 0; lb_counts && i < 4; i++)
		if (NP_COUNT_A_LB_FRONTENDS + i != drop_count)
			nb_u32(nb, (uint16_t)(NP_COUNT_A_LB_FRONTENDS + i),
			       (uint32_t)(11 + i));
	nb_nest_end(nb, n);
	n = nb_nest(nb, NP_INFO_A_LIMITS);
	nb_u32(nb, NP_LIMIT_A_DEVICES, 1);
	nb_u32(nb, NP_LIMIT_A_PEERS, 2);
	nb_u32(nb, NP_LIMIT_A_CIDRS, 3);
	for (i = 0; lb_limits && i < 3; i++)
		if (NP_LIMIT_A_LB_FRONTENDS + i != drop_limit)
			nb_u32(nb, (uint16_t)(NP_LIMIT_A_LB_FRONTENDS + i),
			       (uint32_t)(1000 * (i + 1)));
	nb_nest_end(nb, n);
	if (gen) {
		nb_attr(nb, NP_INFO_A_PAD, NULL, 0);
		nb_u64(nb, NP_INFO_A_GENERATION, 0x200000003ULL);
	}
	nb_end(nb, m);
	return m;
}

TEST(info_lb_fields)
{
	struct nb nb = { .len = 0 };
	struct np_info info;
	struct np_err err;
	size_t m = info_reply(&nb, true, -1, true, -1, true);

	np_err_clear(&err);
	CHECK_INT(np_nl_info_parse(nb_hdr(&nb, m), nb.len - m, &info, &err), 0);
	CHECK_INT(info.have & (NP_INFO_HAVE_GENERATION | NP_INFO_HAVE_LB_COUNTS |
			       NP_INFO_HAVE_LB_LIMITS),
		  NP_INFO_HAVE_GENERATION | NP_INFO_HAVE_LB_COUNTS |
		  NP_INFO_HAVE_LB_LIMITS);
	CHECK(info.generation == 0x200000003ULL);
	CHECK_INT(info.lb_frontends, 11);
	CHECK_INT(info.lb_backends, 12);
	CHECK_INT(info.lb_ranges, 13);
	CHECK_INT(info.lb_staged, 14);
	CHECK_INT(info.max_frontends, 1000);
	CHECK_INT(info.max_backends, 2000);
	CHECK_INT(info.max_ranges, 3000);
	CHECK_INT(info.max_cidrs, 3);

	/* An older module: none of them, and no have bits. */
	nb.len = 0;
	m = info_reply(&nb, false, -1, false, -1, false);
	CHECK_INT(np_nl_info_parse(nb_hdr(&nb, m), nb.len - m, &info, &err), 0);
	CHECK_INT(info.have & (NP_INFO_HAVE_GENERATION | NP_INFO_HAVE_LB_COUNTS |
			       NP_INFO_HAVE_LB_LIMITS), 0);
	CHECK_INT(info.lb_frontends, 0);
}

TEST(info_lb_groups_come_whole)
{
	struct nb nb = { .len = 0 };
	struct np_info info;
	struct np_err err;
	size_t m = info_reply(&nb, true, NP_COUNT_A_LB_RANGES, false, -1, true);
	uint32_t u32 = 1;

	np_err_clear(&err);
	CHECK_INT(np_nl_info_parse(nb_hdr(&nb, m), nb.len - m, &info, &err),
		  -EBADMSG);
	CHECK_STR(err.msg, "INFO_GET reply NP_INFO_A_COUNTS: missing attribute 8 (NP_COUNT_A_LB_RANGES) (attribute 6 (NP_COUNT_A_LB_FRONTENDS) was sent)");
	nb.len = 0;
	m = info_reply(&nb, true, -1, true, NP_LIMIT_A_LB_FRONTENDS, true);
	CHECK_INT(np_nl_info_parse(nb_hdr(&nb, m), nb.len - m, &info, &err),
		  -EBADMSG);
	CHECK_STR(err.msg, "INFO_GET reply NP_INFO_A_LIMITS: missing attribute 4 (NP_LIMIT_A_LB_FRONTENDS) (attribute 5 (NP_LIMIT_A_LB_BACKENDS) was sent)");
	/* A generation of the wrong size. */
	nb.len = 0;
	m = nb_msg(&nb, FAMILY, 0);
	nb_genl(&nb, NP_CMD_INFO_GET);
	nb_u32(&nb, NP_INFO_A_ABI_VERSION, 1);
	nb_str(&nb, NP_INFO_A_VERSION, "0.2.0");
	nb_u32(&nb, NP_INFO_A_FEATURES, 0);
	nb_u32(&nb, NP_INFO_A_GENERATION, u32);
	nb_end(&nb, m);
	CHECK_INT(np_nl_info_parse(nb_hdr(&nb, m), nb.len - m, &info, &err),
		  -EBADMSG);
	CHECK_STR(err.msg, "INFO_GET reply: attribute 7 (NP_INFO_A_GENERATION): expected u64 (8 bytes), got 4 bytes");
	/* A count of the wrong size. */
	nb.len = 0;
	m = nb_msg(&nb, FAMILY, 0);
	nb_genl(&nb, NP_CMD_INFO_GET);
	nb_u32(&nb, NP_INFO_A_ABI_VERSION, 1);
	nb_str(&nb, NP_INFO_A_VERSION, "0.2.0");
	nb_u32(&nb, NP_INFO_A_FEATURES, 0);
	{
		size_t n = nb_nest(&nb, NP_INFO_A_COUNTS);

		nb_u64(&nb, NP_COUNT_A_REQUESTS, 1);
		nb_u64(&nb, NP_COUNT_A_LB_STAGED, 1);
		nb_nest_end(&nb, n);
	}
	nb_end(&nb, m);
	CHECK_INT(np_nl_info_parse(nb_hdr(&nb, m), nb.len - m, &info, &err),
		  -EBADMSG);
	CHECK_STR(err.msg, "INFO_GET reply NP_INFO_A_COUNTS: attribute 9 (NP_COUNT_A_LB_STAGED): expected u32 (4 bytes), got 8 bytes");
}

int main(void)
{
	RUN(set_one_message_exact_bytes);
	RUN(set_ipv6_no_local_no_generation_exact_bytes);
	RUN(set_continuation_carries_key_and_entries_only);
	RUN(del_exact_bytes);
	RUN(del_with_owner_exact_bytes);
	RUN(builders_refuse_other_families);
	RUN(chunks_5000_backends);
	RUN(chunks_100000_ranges);
	RUN(chunk_boundaries);
	RUN(full_chunk_of_ipv6_fits_the_message);
	RUN(parse_full_reply);
	RUN(parse_minimal_reply_defaults);
	RUN(parse_rejects_bad_scalars);
	RUN(parse_rejects_missing_key);
	RUN(parse_rejects_bad_backends);
	RUN(parse_rejects_bad_ranges_and_stats);
	RUN(merge_continuations_into_one_frontend);
	RUN(merge_rejects_orphans_and_conflicts);
	RUN(generation_reply);
	RUN(lb_commands_name_their_attributes);
	RUN(info_lb_fields);
	RUN(info_lb_groups_come_whole);
	return check_summary();
}
