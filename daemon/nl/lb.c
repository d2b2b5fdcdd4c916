// SPDX-License-Identifier: GPL-2.0-only
/*
 * NP_CMD_LB_SET, NP_CMD_LB_DEL and NP_CMD_LB_GET (dump): requests, the
 * staging of frontends too large for one message, attribute sets, the
 * reply parser and the merge of a frontend's continuation messages.
 *
 * Chunking: one message carries at most NP_NL_LB_CHUNK backends and ranges
 * together (a frontend of 5,000 backends or 100,000 ranges cannot fit: an
 * attribute's length is 16 bits and a message must fit the socket's
 * buffers). A frontend within the bound goes out as one message without
 * NP_LB_A_STAGE. A larger one is staged: the first chunk carries
 * NP_LB_STAGE_F_MORE with the key, the configuration and the first
 * entries; the middle ones APPEND | MORE with the key and entries only;
 * the last APPEND alone, at which the module publishes the whole frontend.
 * Backends go first, then ranges, in the caller's order.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/nodeplane.h>
#include <netlink/msg.h>

#include "nl/msg.h"

#define BIT64(n) (UINT64_C(1) << (n))

_Static_assert(NP_LBSTAT_FIRST == NP_LBSTAT_A_PACKETS &&
	       NP_LBSTAT_FIRST + NP_LBSTAT_N == __NP_LBSTAT_A_MAX,
	       "a counter was added to the uapi: name it in daemon/nl/lb_obj.c");

static const char *const lb_names[NP_LB_A_MAX + 1] = {
	[NP_LB_A_PAD] = "NP_LB_A_PAD",
	[NP_LB_A_FAMILY] = "NP_LB_A_FAMILY",
	[NP_LB_A_PROTO] = "NP_LB_A_PROTO",
	[NP_LB_A_PORT] = "NP_LB_A_PORT",
	[NP_LB_A_LOCAL4] = "NP_LB_A_LOCAL4",
	[NP_LB_A_LOCAL6] = "NP_LB_A_LOCAL6",
	[NP_LB_A_OWNER] = "NP_LB_A_OWNER",
	[NP_LB_A_FLAGS] = "NP_LB_A_FLAGS",
	[NP_LB_A_AFFINITY] = "NP_LB_A_AFFINITY",
	[NP_LB_A_BACKEND] = "NP_LB_A_BACKEND",
	[NP_LB_A_RANGE] = "NP_LB_A_RANGE",
	[NP_LB_A_STAGE] = "NP_LB_A_STAGE",
	[NP_LB_A_GENERATION] = "NP_LB_A_GENERATION",
	[NP_LB_A_STATS] = "NP_LB_A_STATS",
};

/* Exact lengths: libnl checks minimum lengths only unless maxlen is set. */
static const struct nla_policy lb_policy[NP_LB_A_MAX + 1] = {
	[NP_LB_A_FAMILY] = { .type = NLA_U8, .maxlen = sizeof(uint8_t) },
	[NP_LB_A_PROTO] = { .type = NLA_U8, .maxlen = sizeof(uint8_t) },
	[NP_LB_A_PORT] = { .type = NLA_U16, .maxlen = sizeof(uint16_t) },
	[NP_LB_A_LOCAL4] = { .type = NLA_UNSPEC, .minlen = 4, .maxlen = 4 },
	[NP_LB_A_LOCAL6] = { .type = NLA_UNSPEC, .minlen = 16, .maxlen = 16 },
	[NP_LB_A_OWNER] = { .type = NLA_U8, .maxlen = sizeof(uint8_t) },
	[NP_LB_A_FLAGS] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NP_LB_A_AFFINITY] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NP_LB_A_BACKEND] = { .type = NLA_NESTED },
	[NP_LB_A_RANGE] = { .type = NLA_NESTED },
	[NP_LB_A_STAGE] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NP_LB_A_GENERATION] = { .type = NLA_U64, .maxlen = sizeof(uint64_t) },
	[NP_LB_A_STATS] = { .type = NLA_NESTED },
};

/* The LB_GET reply; also names the attributes of LB requests in extacks. */
const struct np_nl_attr_set np_nl_lb_attrs = {
	.what = "LB_GET reply",
	.maxtype = NP_LB_A_MAX,
	.names = lb_names,
	.policy = lb_policy,
	.required = BIT64(NP_LB_A_FAMILY) | BIT64(NP_LB_A_PROTO) |
		    BIT64(NP_LB_A_PORT),
};

static const struct np_nl_attr_set lb_set_reply_attrs = {
	.what = "LB_SET reply",
	.maxtype = NP_LB_A_MAX,
	.names = lb_names,
	.policy = lb_policy,
	.required = BIT64(NP_LB_A_GENERATION),
};

static const struct np_nl_attr_set lb_del_reply_attrs = {
	.what = "LB_DEL reply",
	.maxtype = NP_LB_A_MAX,
	.names = lb_names,
	.policy = lb_policy,
	.required = BIT64(NP_LB_A_GENERATION),
};

static const char *const lbb_names[NP_LBB_A_MAX + 1] = {
	[NP_LBB_A_ADDR4] = "NP_LBB_A_ADDR4",
	[NP_LBB_A_ADDR6] = "NP_LBB_A_ADDR6",
	[NP_LBB_A_PORT] = "NP_LBB_A_PORT",
	[NP_LBB_A_FLAGS] = "NP_LBB_A_FLAGS",
};

static const struct nla_policy lbb_policy[NP_LBB_A_MAX + 1] = {
	[NP_LBB_A_ADDR4] = { .type = NLA_UNSPEC, .minlen = 4, .maxlen = 4 },
	[NP_LBB_A_ADDR6] = { .type = NLA_UNSPEC, .minlen = 16, .maxlen = 16 },
	[NP_LBB_A_PORT] = { .type = NLA_U16, .maxlen = sizeof(uint16_t) },
	[NP_LBB_A_FLAGS] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
};

static const struct np_nl_attr_set lbb_attrs = {
	.what = "LB_GET reply NP_LB_A_BACKEND",
	.maxtype = NP_LBB_A_MAX,
	.names = lbb_names,
	.policy = lbb_policy,
	.required = BIT64(NP_LBB_A_PORT),
};

static const struct np_nl_attr_set lb_range_attrs = {
	.what = "LB_GET reply NP_LB_A_RANGE",
	.maxtype = NP_CIDR_A_MAX,
	.names = np_nl_cidr_names,
	.policy = np_nl_cidr_policy,
	.required = BIT64(NP_CIDR_A_PREFIXLEN),
};

static const char *const lbstat_names[NP_LBSTAT_A_MAX + 1] = {
	[NP_LBSTAT_A_PAD] = "NP_LBSTAT_A_PAD",
	[NP_LBSTAT_A_PACKETS] = "NP_LBSTAT_A_PACKETS",
	[NP_LBSTAT_A_BYTES] = "NP_LBSTAT_A_BYTES",
	[NP_LBSTAT_A_CONNS] = "NP_LBSTAT_A_CONNS",
	[NP_LBSTAT_A_DROP_RANGE] = "NP_LBSTAT_A_DROP_RANGE",
	[NP_LBSTAT_A_DROP_NO_BACKEND] = "NP_LBSTAT_A_DROP_NO_BACKEND",
	[NP_LBSTAT_A_DROP_NAT] = "NP_LBSTAT_A_DROP_NAT",
};

#define U64_POLICY { .type = NLA_U64, .maxlen = sizeof(uint64_t) }

static const struct nla_policy lbstat_policy[NP_LBSTAT_A_MAX + 1] = {
	[NP_LBSTAT_A_PACKETS] = U64_POLICY,
	[NP_LBSTAT_A_BYTES] = U64_POLICY,
	[NP_LBSTAT_A_CONNS] = U64_POLICY,
	[NP_LBSTAT_A_DROP_RANGE] = U64_POLICY,
	[NP_LBSTAT_A_DROP_NO_BACKEND] = U64_POLICY,
	[NP_LBSTAT_A_DROP_NAT] = U64_POLICY,
};

static const struct np_nl_attr_set lbstat_attrs = {
	.what = "LB_GET reply NP_LB_A_STATS",
	.maxtype = NP_LBSTAT_A_MAX,
	.names = lbstat_names,
	.policy = lbstat_policy,
	.required = 0,	/* each counter is shown only when sent */
};

static int addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* Requests. */

size_t np_nl_lb_nchunks(const struct np_lb_frontend *fe, size_t per)
{
	size_t total = fe->n_backends + fe->n_ranges;

	if (!per)
		per = NP_NL_LB_CHUNK;
	return total <= per ? 1 : (total + per - 1) / per;
}

void np_nl_lb_chunk(const struct np_lb_frontend *fe, size_t per, size_t i,
		    struct np_lb_chunk *c)
{
	size_t n = np_nl_lb_nchunks(fe, per);
	size_t first, last, nb = fe->n_backends;

	if (!per)
		per = NP_NL_LB_CHUNK;
	memset(c, 0, sizeof(*c));
	first = i * per;
	last = first + per;
	if (last > nb + fe->n_ranges)
		last = nb + fe->n_ranges;
	if (first > last)
		first = last;
	/* Entries first..last of backends then ranges. */
	if (first < nb) {
		c->backend = first;
		c->n_backends = (last < nb ? last : nb) - first;
	} else {
		c->backend = nb;
	}
	if (last > nb) {
		c->range = first > nb ? first - nb : 0;
		c->n_ranges = last - nb - c->range;
	}
	if (n == 1)
		c->stage = 0;
	else if (i == 0)
		c->stage = NP_LB_STAGE_F_MORE;
	else if (i + 1 < n)
		c->stage = NP_LB_STAGE_F_APPEND | NP_LB_STAGE_F_MORE;
	else
		c->stage = NP_LB_STAGE_F_APPEND;
}

static int put_key(struct nl_msg *msg, const struct np_lb_frontend *fe)
{
	int v4 = fe->family == AF_INET;

	if (!v4 && fe->family != AF_INET6)
		return -EINVAL;
	if (fe->local.family && fe->local.family != fe->family)
		return -EINVAL;
	if (nla_put_u8(msg, NP_LB_A_FAMILY, (uint8_t)fe->family) < 0 ||
	    nla_put_u8(msg, NP_LB_A_PROTO, fe->proto) < 0 ||
	    nla_put_u16(msg, NP_LB_A_PORT, fe->port) < 0)
		return -EMSGSIZE;
	if (fe->local.family &&
	    nla_put(msg, v4 ? NP_LB_A_LOCAL4 : NP_LB_A_LOCAL6,
		    addr_len(fe->family), fe->local.a) < 0)
		return -EMSGSIZE;
	return 0;
}

static int put_backend(struct nl_msg *msg, int family,
		       const struct np_lb_backend *b)
{
	struct nlattr *nest;

	if (b->addr.family != family)
		return -EINVAL;
	nest = nla_nest_start(msg, NLA_F_NESTED | NP_LB_A_BACKEND);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put(msg, family == AF_INET ? NP_LBB_A_ADDR4 : NP_LBB_A_ADDR6,
		    addr_len(family), b->addr.a) < 0 ||
	    nla_put_u16(msg, NP_LBB_A_PORT, b->port) < 0 ||
	    nla_put_u32(msg, NP_LBB_A_FLAGS, b->flags) < 0) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

int np_nl_lb_set_build(struct nl_msg *msg, const struct np_lb_frontend *fe,
		       const struct np_lb_chunk *c, uint64_t expect_gen)
{
	size_t i;
	int r;

	if (c->backend + c->n_backends > fe->n_backends ||
	    c->range + c->n_ranges > fe->n_ranges)
		return -EINVAL;
	r = put_key(msg, fe);
	if (r < 0)
		return r;
	/* The configuration travels once: in the message that creates. */
	if (!(c->stage & NP_LB_STAGE_F_APPEND)) {
		if (fe->owner &&
		    nla_put_u8(msg, NP_LB_A_OWNER, fe->owner) < 0)
			return -EMSGSIZE;
		if (nla_put_u32(msg, NP_LB_A_FLAGS, fe->flags) < 0 ||
		    nla_put_u32(msg, NP_LB_A_AFFINITY, fe->affinity) < 0)
			return -EMSGSIZE;
	}
	for (i = 0; i < c->n_backends; i++) {
		r = put_backend(msg, fe->family, &fe->backends[c->backend + i]);
		if (r < 0)
			return r;
	}
	for (i = 0; i < c->n_ranges; i++) {
		const struct np_cidr *rg = &fe->ranges[c->range + i];

		if (rg->addr.family != fe->family)
			return -EINVAL;
		r = np_nl_cidr_put(msg, NP_LB_A_RANGE, rg);
		if (r < 0)
			return r;
	}
	if (c->stage && nla_put_u32(msg, NP_LB_A_STAGE, c->stage) < 0)
		return -EMSGSIZE;
	if (expect_gen &&
	    nla_put_u64(msg, NP_LB_A_GENERATION, expect_gen) < 0)
		return -EMSGSIZE;
	return 0;
}

int np_nl_lb_del_build(struct nl_msg *msg, const struct np_lb_frontend *key,
		       uint64_t expect_gen)
{
	int r = put_key(msg, key);

	if (r < 0)
		return r;
	/* the owner precondition: only a frontend of key->owner goes */
	if (key->owner && nla_put_u8(msg, NP_LB_A_OWNER, key->owner) < 0)
		return -EMSGSIZE;
	if (expect_gen &&
	    nla_put_u64(msg, NP_LB_A_GENERATION, expect_gen) < 0)
		return -EMSGSIZE;
	return 0;
}

/* Replies. */

int np_nl_lb_gen_parse(const struct nlmsghdr *nlh, size_t len, uint8_t cmd,
		       uint64_t *gen, struct np_err *err)
{
	const struct np_nl_attr_set *set = cmd == NP_CMD_LB_DEL ?
					   &lb_del_reply_attrs :
					   &lb_set_reply_attrs;
	struct nlattr *tb[NP_LB_A_MAX + 1];
	const void *head;
	size_t alen;
	int r;

	r = np_nl_reply_parse(nlh, len, set, tb, &head, &alen, err);
	if (r)
		return r;
	*gen = nla_get_u64(tb[NP_LB_A_GENERATION]);
	return 0;
}

/* Room for n elements: capacities are powers of two (at least 8). */
static size_t cap_for(size_t n)
{
	size_t c = 8;

	while (c < n)
		c *= 2;
	return c;
}

/* Makes room in *v (holding n of size) for one more element. */
static int grow(void **v, size_t n, size_t size)
{
	void *p;

	if (n && cap_for(n + 1) == cap_for(n))
		return 0;
	p = realloc(*v, cap_for(n + 1) * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	return 0;
}

static int parse_backend(const struct nlattr *nest, int family,
			 struct np_lb_backend *b, struct np_err *err)
{
	const struct np_nl_attr_set *set = &lbb_attrs;
	struct nlattr *tb[NP_LBB_A_MAX + 1];
	int want = family == AF_INET ? NP_LBB_A_ADDR4 : NP_LBB_A_ADDR6;
	int other = family == AF_INET ? NP_LBB_A_ADDR6 : NP_LBB_A_ADDR4;
	int r;

	memset(b, 0, sizeof(*b));
	r = np_nl_attr_parse(tb, set, nla_data(nest), (size_t)nla_len(nest),
			     err);
	if (r)
		return r;
	if (tb[other])
		return np_err_set(err, EBADMSG,
				  "%s: attribute %d (%s) in a frontend of family %s",
				  set->what, other, lbb_names[other],
				  family == AF_INET ? "AF_INET" : "AF_INET6");
	if (!tb[want])
		return np_err_set(err, EBADMSG, "%s: missing attribute %d (%s)",
				  set->what, want, lbb_names[want]);
	b->addr.family = family;
	memcpy(b->addr.a, nla_data(tb[want]), (size_t)addr_len(family));
	b->port = nla_get_u16(tb[NP_LBB_A_PORT]);
	if (!b->port)
		return np_err_set(err, EBADMSG,
				  "%s: attribute %d (NP_LBB_A_PORT): port 0",
				  set->what, NP_LBB_A_PORT);
	if (tb[NP_LBB_A_FLAGS])
		b->flags = nla_get_u32(tb[NP_LBB_A_FLAGS]);
	return 0;
}

/* The repeated BACKEND and RANGE attributes of one message into fe. */
static int parse_entries(const void *head, size_t alen,
			 struct np_lb_frontend *fe, struct np_err *err)
{
	struct nlattr *nla;
	int r, rem;

	/* nla_parse() validated each one but kept only the last. */
	nla_for_each_attr(nla, (struct nlattr *)head, (int)alen, rem) {
		int type = nla_type(nla);

		if (type == NP_LB_A_BACKEND) {
			if (grow((void **)&fe->backends, fe->n_backends,
				 sizeof(*fe->backends)) < 0)
				return np_err_set(err, ENOMEM,
						  "LB_GET reply: out of memory");
			r = parse_backend(nla, fe->family,
					  &fe->backends[fe->n_backends], err);
			if (r)
				return r;
			fe->n_backends++;
		} else if (type == NP_LB_A_RANGE) {
			struct np_cidr *c;

			if (grow((void **)&fe->ranges, fe->n_ranges,
				 sizeof(*fe->ranges)) < 0)
				return np_err_set(err, ENOMEM,
						  "LB_GET reply: out of memory");
			c = &fe->ranges[fe->n_ranges];
			r = np_nl_cidr_parse(nla, &lb_range_attrs, c, err);
			if (r)
				return r;
			if (c->addr.family != fe->family)
				return np_err_set(err, EBADMSG,
						  "%s: %s range in a frontend of family %s",
						  lb_range_attrs.what,
						  c->addr.family == AF_INET ?
						  "IPv4" : "IPv6",
						  fe->family == AF_INET ?
						  "AF_INET" : "AF_INET6");
			fe->n_ranges++;
		}
	}
	return 0;
}

int np_nl_lb_parse(const struct nlmsghdr *nlh, size_t len,
		   struct np_lb_frontend *out, uint32_t *stage,
		   struct np_err *err)
{
	const struct np_nl_attr_set *set = &np_nl_lb_attrs;
	struct nlattr *tb[NP_LB_A_MAX + 1];
	struct nlattr *st[NP_LBSTAT_A_MAX + 1];
	const void *head;
	size_t alen;
	unsigned int i;
	uint8_t fam;
	int r;

	memset(out, 0, sizeof(*out));
	*stage = 0;
	r = np_nl_reply_parse(nlh, len, set, tb, &head, &alen, err);
	if (r)
		return r;
	fam = nla_get_u8(tb[NP_LB_A_FAMILY]);
	if (fam != AF_INET && fam != AF_INET6)
		return np_err_set(err, EBADMSG,
				  "%s: attribute %d (NP_LB_A_FAMILY): family %u is neither AF_INET nor AF_INET6",
				  set->what, NP_LB_A_FAMILY, fam);
	out->family = fam;
	out->proto = nla_get_u8(tb[NP_LB_A_PROTO]);
	if (out->proto != IPPROTO_TCP && out->proto != IPPROTO_UDP &&
	    out->proto != IPPROTO_SCTP)
		return np_err_set(err, EBADMSG,
				  "%s: attribute %d (NP_LB_A_PROTO): protocol %u is not TCP, UDP or SCTP",
				  set->what, NP_LB_A_PROTO, out->proto);
	out->port = nla_get_u16(tb[NP_LB_A_PORT]);
	if (!out->port)
		return np_err_set(err, EBADMSG,
				  "%s: attribute %d (NP_LB_A_PORT): port 0",
				  set->what, NP_LB_A_PORT);
	if (tb[NP_LB_A_LOCAL4] && tb[NP_LB_A_LOCAL6])
		return np_err_set(err, EBADMSG,
				  "%s: both NP_LB_A_LOCAL4 and NP_LB_A_LOCAL6",
				  set->what);
	if (tb[fam == AF_INET ? NP_LB_A_LOCAL6 : NP_LB_A_LOCAL4])
		return np_err_set(err, EBADMSG,
				  "%s: attribute %d (%s) in a frontend of family %s",
				  set->what,
				  fam == AF_INET ? NP_LB_A_LOCAL6 : NP_LB_A_LOCAL4,
				  fam == AF_INET ? "NP_LB_A_LOCAL6" :
						   "NP_LB_A_LOCAL4",
				  fam == AF_INET ? "AF_INET" : "AF_INET6");
	if (tb[NP_LB_A_LOCAL4] || tb[NP_LB_A_LOCAL6]) {
		out->local.family = fam;
		memcpy(out->local.a,
		       nla_data(tb[fam == AF_INET ? NP_LB_A_LOCAL4 :
						   NP_LB_A_LOCAL6]),
		       (size_t)addr_len(fam));
	}
	out->owner = NP_LB_OWNER_SERVICELB;	/* the ABI's default */
	if (tb[NP_LB_A_OWNER]) {
		out->owner = nla_get_u8(tb[NP_LB_A_OWNER]);
		if (out->owner < NP_LB_OWNER_SERVICELB ||
		    out->owner > NP_LB_OWNER_MAX)
			return np_err_set(err, EBADMSG,
					  "%s: attribute %d (NP_LB_A_OWNER): unknown owner %u",
					  set->what, NP_LB_A_OWNER, out->owner);
	}
	if (tb[NP_LB_A_FLAGS])
		out->flags = nla_get_u32(tb[NP_LB_A_FLAGS]);
	if (tb[NP_LB_A_AFFINITY]) {
		out->affinity = nla_get_u32(tb[NP_LB_A_AFFINITY]);
		if (out->affinity > NP_LB_AFFINITY_MAX)
			return np_err_set(err, EBADMSG,
					  "%s: attribute %d (NP_LB_A_AFFINITY): %" PRIu32 " is over %d",
					  set->what, NP_LB_A_AFFINITY,
					  out->affinity, NP_LB_AFFINITY_MAX);
	}
	if (tb[NP_LB_A_STAGE]) {
		*stage = nla_get_u32(tb[NP_LB_A_STAGE]);
		if (*stage != 0 && *stage != NP_LB_STAGE_F_APPEND)
			return np_err_set(err, EBADMSG,
					  "%s: attribute %d (NP_LB_A_STAGE): 0x%" PRIx32 " where only 0 or NP_LB_STAGE_F_APPEND may be",
					  set->what, NP_LB_A_STAGE, *stage);
	}
	if (tb[NP_LB_A_GENERATION])
		out->generation = nla_get_u64(tb[NP_LB_A_GENERATION]);
	if (tb[NP_LB_A_STATS]) {
		r = np_nl_attr_parse(st, &lbstat_attrs,
				     nla_data(tb[NP_LB_A_STATS]),
				     (size_t)nla_len(tb[NP_LB_A_STATS]), err);
		if (r)
			return r;
		for (i = 0; i < NP_LBSTAT_N; i++) {
			if (!st[NP_LBSTAT_FIRST + i])
				continue;
			out->stats[i] = nla_get_u64(st[NP_LBSTAT_FIRST + i]);
			out->stats_have |= 1U << i;
		}
	}
	r = parse_entries(head, alen, out, err);
	if (r) {
		np_lb_frontend_clear(out);
		return r;
	}
	/* A continuation carries the key and entries; nothing else may differ. */
	if (*stage & NP_LB_STAGE_F_APPEND) {
		out->stats_have = 0;
		memset(out->stats, 0, sizeof(out->stats));
		out->generation = 0;
	}
	return 0;
}

/* Appends n elements of src to *dst (holding *dn). */
static int append(void **dst, size_t *dn, const void *src, size_t n,
		  size_t size)
{
	void *p;

	if (!n)
		return 0;
	if (cap_for(*dn + n) != cap_for(*dn) || !*dst) {
		p = realloc(*dst, cap_for(*dn + n) * size);
		if (!p)
			return -ENOMEM;
		*dst = p;
	}
	memcpy((char *)*dst + *dn * size, src, n * size);
	*dn += n;
	return 0;
}

int np_nl_lb_merge(struct np_lb_list *l, struct np_lb_frontend *fe,
		   uint32_t stage, uint32_t present, struct np_err *err)
{
	struct np_lb_frontend *last, *v;
	char key[96];
	int r;

	if (stage & NP_LB_STAGE_F_APPEND) {
		last = l->n ? &l->v[l->n - 1] : NULL;
		if (!last || np_lb_frontend_cmp_key(last, fe)) {
			r = np_err_set(err, EBADMSG,
				       "LB_GET reply: continuation (NP_LB_A_STAGE = APPEND) of %s without its first message",
				       np_lb_key_str(fe, key, sizeof(key)));
			goto fail;
		}
		if ((present & BIT64(NP_LB_A_OWNER) &&
		     last->owner != fe->owner) ||
		    (present & BIT64(NP_LB_A_FLAGS) &&
		     last->flags != fe->flags) ||
		    (present & BIT64(NP_LB_A_AFFINITY) &&
		     last->affinity != fe->affinity)) {
			r = np_err_set(err, EBADMSG,
				       "LB_GET reply: continuation of %s with another NP_LB_A_OWNER, NP_LB_A_FLAGS or NP_LB_A_AFFINITY",
				       np_lb_key_str(fe, key, sizeof(key)));
			goto fail;
		}
		if (append((void **)&last->backends, &last->n_backends,
			   fe->backends, fe->n_backends,
			   sizeof(*fe->backends)) < 0 ||
		    append((void **)&last->ranges, &last->n_ranges,
			   fe->ranges, fe->n_ranges, sizeof(*fe->ranges)) < 0) {
			r = np_err_set(err, ENOMEM, "LB_GET dump: out of memory");
			goto fail;
		}
		np_lb_frontend_clear(fe);
		return 0;
	}
	v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v) {
		r = np_err_set(err, ENOMEM, "LB_GET dump: out of memory");
		goto fail;
	}
	l->v = v;
	v[l->n++] = *fe;
	memset(fe, 0, sizeof(*fe));
	return 0;
fail:
	np_lb_frontend_clear(fe);
	return r;
}

int np_nl_lb_list_finish(struct np_lb_list *l, struct np_err *err)
{
	char key[96];
	size_t i;

	for (i = 0; i < l->n; i++)
		np_lb_frontend_canon(&l->v[i]);
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), np_lb_frontend_qcmp);
	for (i = 1; i < l->n; i++)
		if (!np_lb_frontend_cmp_key(&l->v[i - 1], &l->v[i]))
			return np_err_set(err, EBADMSG,
					  "LB_GET reply: frontend %s twice in the dump",
					  np_lb_key_str(&l->v[i], key,
							sizeof(key)));
	return 0;
}

/* Which of OWNER, FLAGS and AFFINITY the message carries (bit: type). */
static uint32_t has_cfg(const struct nlmsghdr *nlh)
{
	uint32_t present = 0;
	const size_t hdr = NLMSG_HDRLEN + GENL_HDRLEN;
	const struct nlattr *nla;
	int rem;

	nla_for_each_attr(nla, (struct nlattr *)((const char *)nlh + hdr),
			  (int)(nlh->nlmsg_len - hdr), rem) {
		int t = nla_type(nla);

		if (t == NP_LB_A_OWNER || t == NP_LB_A_FLAGS ||
		    t == NP_LB_A_AFFINITY)
			present |= (uint32_t)BIT64(t);
	}
	return present;
}

int np_nl_lb_reply_merge(struct np_lb_list *l, const struct nlmsghdr *nlh,
			 size_t len, struct np_err *err)
{
	struct np_lb_frontend fe;
	uint32_t stage;
	int r;

	r = np_nl_lb_parse(nlh, len, &fe, &stage, err);
	if (r)
		return r;
	return np_nl_lb_merge(l, &fe, stage, has_cfg(nlh), err);
}

/* The requests on a socket. */

struct set_ctx {
	const struct np_lb_frontend *fe;
	struct np_lb_chunk c;
	uint64_t expect;
	uint8_t cmd;
	uint64_t gen;
	int got;
};

static int set_build(struct nl_msg *msg, void *ctx)
{
	const struct set_ctx *s = ctx;

	if (s->cmd == NP_CMD_LB_DEL)
		return np_nl_lb_del_build(msg, s->fe, s->expect);
	return np_nl_lb_set_build(msg, s->fe, &s->c, s->expect);
}

static int gen_reply(const struct nlmsghdr *nlh, void *ctx,
		     struct np_err *err)
{
	struct set_ctx *s = ctx;
	int r;

	if (s->got)	/* a doit answers once; ignore anything more */
		return 0;
	r = np_nl_lb_gen_parse(nlh, nlh->nlmsg_len, s->cmd, &s->gen, err);
	if (r)
		return r;
	s->got = 1;
	return 0;
}

/* Checks what put_key() and the builder would refuse, with words. */
static int check_fe(const struct np_lb_frontend *fe, bool entries,
		    struct np_err *err)
{
	char key[96], a[NP_ADDR_STRLEN];
	size_t i;

	if (fe->family != AF_INET && fe->family != AF_INET6)
		return np_err_set(err, EINVAL,
				  "frontend of address family %d (AF_INET or AF_INET6 expected)",
				  fe->family);
	np_lb_key_str(fe, key, sizeof(key));
	if (fe->local.family && fe->local.family != fe->family)
		return np_err_set(err, EINVAL,
				  "%s: local address %s is not of the frontend's family",
				  key, np_addr_str(&fe->local, a, sizeof(a)));
	if (!entries)
		return 0;
	for (i = 0; i < fe->n_backends; i++)
		if (fe->backends[i].addr.family != fe->family)
			return np_err_set(err, EINVAL,
					  "%s: backend %zu (%s) is not of the frontend's family",
					  key, i,
					  np_addr_str(&fe->backends[i].addr, a,
						      sizeof(a)));
	for (i = 0; i < fe->n_ranges; i++)
		if (fe->ranges[i].addr.family != fe->family)
			return np_err_set(err, EINVAL,
					  "%s: range %zu (%s) is not of the frontend's family",
					  key, i,
					  np_addr_str(&fe->ranges[i].addr, a,
						      sizeof(a)));
	return 0;
}

/* One request of s (its chunk or the delete); its generation in s->gen. */
static int gen_request(struct np_nl *nl, struct set_ctx *s,
		       struct np_err *err)
{
	const char *what = s->cmd == NP_CMD_LB_DEL ? "LB_DEL" : "LB_SET";
	int r;

	s->got = 0;
	r = np_nl_request(nl, s->cmd, set_build, gen_reply, s, err);
	if (r)
		return r;
	if (!s->got)
		return np_err_set(err, EBADMSG,
				  "%s: acknowledged without a reply (NP_LB_A_GENERATION)",
				  what);
	return 0;
}

/*
 * On a failed chunk the staged object stays with the module, unpublished:
 * it drops it when this socket stages the key again (the next first chunk)
 * or closes. The published frontend is unchanged until the last chunk.
 * Each chunk after the first expects the generation the previous one
 * answered, so a concurrent change between chunks fails the set (-ESTALE).
 */
int np_nl_lb_set(struct np_nl *nl, const struct np_lb_frontend *fe,
		 uint64_t expect_gen, uint64_t *gen, struct np_err *err)
{
	struct set_ctx s = { .fe = fe, .expect = expect_gen,
			     .cmd = NP_CMD_LB_SET };
	size_t ms;
	size_t i, n;
	char key[96];
	int r = 0;

	np_err_clear(err);
	r = check_fe(fe, true, err);
	if (r)
		return r;
	n = np_nl_lb_nchunks(fe, NP_NL_LB_CHUNK);
	ms = np_nl_msg_size_raise(NP_NL_LB_MSG_SIZE);
	for (i = 0; i < n; i++) {
		np_nl_lb_chunk(fe, NP_NL_LB_CHUNK, i, &s.c);
		r = gen_request(nl, &s, err);
		if (r)
			break;
		s.expect = s.gen;
	}
	np_nl_msg_size_restore(ms);
	if (r && n > 1) {
		char msg[NP_ERR_MSG_LEN];

		snprintf(msg, sizeof(msg), "%s", err->msg);
		np_err_set(err, err->err, "%s: chunk %zu of %zu: %s",
			   np_lb_key_str(fe, key, sizeof(key)), i + 1, n, msg);
	}
	if (!r && gen)
		*gen = s.gen;
	return r;
}

int np_nl_lb_del(struct np_nl *nl, const struct np_lb_frontend *key,
		 uint64_t expect_gen, uint64_t *gen, struct np_err *err)
{
	struct set_ctx s = { .fe = key, .expect = expect_gen,
			     .cmd = NP_CMD_LB_DEL };
	int r;

	np_err_clear(err);
	r = check_fe(key, false, err);
	if (r)
		return r;
	r = gen_request(nl, &s, err);
	if (!r && gen)
		*gen = s.gen;
	return r;
}

static void dump_reset(void *ctx)
{
	np_lb_list_free(ctx);
}

static int dump_reply(const struct nlmsghdr *nlh, void *ctx,
		      struct np_err *err)
{
	return np_nl_lb_reply_merge(ctx, nlh, nlh->nlmsg_len, err);
}

int np_nl_lb_dump(struct np_nl *nl, struct np_lb_list *out,
		  struct np_err *err)
{
	int r;

	out->v = NULL;
	out->n = 0;
	r = np_nl_dump(nl, NP_CMD_LB_GET, NULL, dump_reply, dump_reset, out,
		       err);
	if (!r)
		r = np_nl_lb_list_finish(out, err);
	if (r)
		np_lb_list_free(out);
	return r;
}
