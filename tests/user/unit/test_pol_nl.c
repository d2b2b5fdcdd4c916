// SPDX-License-Identifier: GPL-2.0-only
/*
 * The NetworkPolicy client of libnpnl without a module: NP_CMD_POLICY_SET
 * chunks compared byte for byte with hand-built streams (nlbuf.h), round
 * trips of transactions through the parser (one message, and chunked at
 * the message and attribute size limits, rules split by ports), the
 * POLICY_GET reply parser on well-formed and malformed messages, the
 * merge of NP_PEP_F_APPEND continuations, the canonical form, and the
 * NP_CMD_POLICY_DROP notification parser.
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

#define FAMILY 0x21

static struct np_addr a4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct np_addr x = { .family = AF_INET, .a = { a, b, c, d } };

	return x;
}

static struct np_addr a6(uint8_t first, uint8_t last)
{
	struct np_addr x = { .family = AF_INET6 };

	x.a[0] = first;
	x.a[15] = last;
	return x;
}

static void nb_u8(struct nb *nb, uint16_t type, uint8_t v)
{
	nb_attr(nb, type, &v, 1);
}

static struct nl_msg *new_msg(size_t size)
{
	struct nl_msg *msg = nlmsg_alloc_size(size);

	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, FAMILY, 0, 0,
				 NP_CMD_POLICY_SET, 1))
		abort();
	return msg;
}

static const unsigned char *attrs_of(struct nl_msg *msg, size_t *len)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	*len = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	return (unsigned char *)nlh + NLMSG_HDRLEN + GENL_HDRLEN;
}

/* A rule of dir/cls with n ports tcp/first.. (step 2, single ports). */
static struct np_pol_rule rule(uint8_t dir, uint32_t cls, size_t n,
			       uint16_t first)
{
	struct np_pol_rule r = { .dir = dir, .cls = cls, .n_ports = n };
	size_t i;

	r.ports = n ? calloc(n, sizeof(*r.ports)) : NULL;
	for (i = 0; i < n; i++)
		r.ports[i] = (struct np_pol_port){ IPPROTO_TCP,
			(uint16_t)(first + 2 * i), (uint16_t)(first + 2 * i) };
	return r;
}

/* x/web at 10.42.0.5: ingress isolated, two rules. */
static void ep_web(struct np_pol_endpoint *ep)
{
	memset(ep, 0, sizeof(*ep));
	ep->addr = a4(10, 42, 0, 5);
	ep->name = strdup("x/web");
	ep->flags = NP_PEP_F_INGRESS;
	ep->n_rules = 2;
	ep->rules = calloc(2, sizeof(*ep->rules));
	ep->rules[0] = rule(NP_POL_DIR_INGRESS, 3, 0, 0);
	ep->rules[0].n_ports = 2;
	ep->rules[0].ports = calloc(2, sizeof(struct np_pol_port));
	ep->rules[0].ports[0] = (struct np_pol_port){ IPPROTO_TCP, 80, 80 };
	ep->rules[0].ports[1] = (struct np_pol_port){ IPPROTO_UDP, 5000, 5010 };
	ep->rules[1] = rule(NP_POL_DIR_EGRESS, 0, 0, 0);
}

/* One message's attributes parsed into st (request mode). */
static int reparse(struct nl_msg *msg, struct np_pol_state *st,
		   uint32_t *stage, struct np_err *err)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	return np_nl_pol_msg_merge(st, nlh, nlh->nlmsg_len, true, stage, err);
}

/* ---- requests, byte for byte ------------------------------------------ */

static void nb_cidr(struct nb *nb, uint16_t type, const struct np_addr *a,
		    uint8_t plen)
{
	size_t n = nb_nest(nb, type);

	nb_attr(nb, a->family == AF_INET ? NP_CIDR_A_ADDR4 : NP_CIDR_A_ADDR6,
		a->a, a->family == AF_INET ? 4 : 16);
	nb_u8(nb, NP_CIDR_A_PREFIXLEN, plen);
	nb_nest_end(nb, n);
}

static void nb_port(struct nb *nb, uint8_t proto, uint16_t first,
		    uint16_t last)
{
	size_t n = nb_nest(nb, NP_PRULE_A_PORT);

	nb_u8(nb, NP_PPORT_A_PROTO, proto);
	if (first)
		nb_u16(nb, NP_PPORT_A_FIRST, first);
	if (last != first)
		nb_u16(nb, NP_PPORT_A_LAST, last);
	nb_nest_end(nb, n);
}

TEST(set_one_message_exact_bytes)
{
	struct np_pol_class cl[2] = {
		{ { a4(10, 42, 0, 5), 32 }, 3 },
		{ { a6(0x20, 0), 8 }, 0 },
	};
	struct np_pol_endpoint ep[2];
	struct np_pol_txn txn = { cl, 2, ep, 2 };
	struct np_nl_pol_pos pos = { 0 };
	struct nl_msg *msg = new_msg(NP_NL_POL_MSG_SIZE);
	struct nb want = { .len = 0 };
	const unsigned char *got;
	struct np_err err;
	size_t len, e, r;
	bool last;

	ep_web(&ep[0]);
	memset(&ep[1], 0, sizeof(ep[1]));
	ep[1].addr = a6(0xfd, 7);
	ep[1].flags = NP_PEP_F_DELETE;
	CHECK_INT(np_nl_pol_chunk_build(msg, &txn, NULL, 9, &pos, &last, &err),
		  0);
	CHECK(last);
	got = attrs_of(msg, &len);

	nb_u64(&want, NP_POL_A_GENERATION, 9);
	e = nb_nest(&want, NP_POL_A_CLASS);
	nb_cidr(&want, NP_PCLS_A_CIDR, &cl[0].cidr.addr, 32);
	nb_u32(&want, NP_PCLS_A_CLASS, 3);
	nb_nest_end(&want, e);
	e = nb_nest(&want, NP_POL_A_CLASS);
	nb_cidr(&want, NP_PCLS_A_CIDR, &cl[1].cidr.addr, 8);
	nb_u32(&want, NP_PCLS_A_CLASS, 0);
	nb_nest_end(&want, e);
	e = nb_nest(&want, NP_POL_A_ENDPOINT);
	nb_attr(&want, NP_PEP_A_ADDR4, ep[0].addr.a, 4);
	nb_u32(&want, NP_PEP_A_FLAGS, NP_PEP_F_INGRESS);
	nb_str(&want, NP_PEP_A_NAME, "x/web");
	r = nb_nest(&want, NP_PEP_A_RULE);
	nb_u8(&want, NP_PRULE_A_DIR, NP_POL_DIR_INGRESS);
	nb_u32(&want, NP_PRULE_A_CLASS, 3);
	nb_port(&want, IPPROTO_TCP, 80, 80);
	nb_port(&want, IPPROTO_UDP, 5000, 5010);
	nb_nest_end(&want, r);
	r = nb_nest(&want, NP_PEP_A_RULE);
	nb_u8(&want, NP_PRULE_A_DIR, NP_POL_DIR_EGRESS);
	nb_nest_end(&want, r);
	nb_nest_end(&want, e);
	e = nb_nest(&want, NP_POL_A_ENDPOINT);
	nb_attr(&want, NP_PEP_A_ADDR6, ep[1].addr.a, 16);
	nb_u32(&want, NP_PEP_A_FLAGS, NP_PEP_F_DELETE);
	nb_nest_end(&want, e);
	/* the last chunk: no NP_POL_A_STAGE */
	CHECK_INT(len, want.len);
	CHECK(!memcmp(got, want.b, len));
	CHECK_INT(pos.cls, 2);
	CHECK_INT(pos.ep, 2);
	nlmsg_free(msg);
	np_pol_endpoint_clear(&ep[0]);
}

TEST(empty_transaction_is_one_empty_commit)
{
	struct np_pol_txn txn = { 0 };
	struct np_nl_pol_pos pos = { 0 };
	struct nl_msg *msg = new_msg(NP_NL_POL_MSG_SIZE);
	struct np_err err;
	size_t len;
	bool last;

	CHECK_INT(np_nl_pol_chunk_build(msg, &txn, NULL, 0, &pos, &last, &err),
		  0);
	CHECK(last);
	attrs_of(msg, &len);
	CHECK_INT(len, 0);
	nlmsg_free(msg);
}

TEST(builder_refuses_bad_entries)
{
	struct np_pol_class cl = { { { 0 }, 8 }, 1 };
	struct np_pol_endpoint ep;
	struct np_pol_txn txn = { &cl, 1, NULL, 0 };
	struct np_nl_pol_pos pos = { 0 };
	struct nl_msg *msg = new_msg(NP_NL_POL_MSG_SIZE);
	struct np_err err;
	bool last;
	char name[NP_PEP_NAME_MAX + 2];

	CHECK_INT(np_nl_pol_chunk_build(msg, &txn, NULL, 0, &pos, &last, &err),
		  -EINVAL);
	CHECK_CONTAINS(err.msg, "class entry 0");
	ep_web(&ep);
	txn = (struct np_pol_txn){ NULL, 0, &ep, 1 };
	ep.rules[0].ports[1].proto = IPPROTO_ICMP;
	memset(&pos, 0, sizeof(pos));
	CHECK_INT(np_nl_pol_chunk_build(msg, &txn, NULL, 0, &pos, &last, &err),
		  -EINVAL);
	CHECK_STR(err.msg, "endpoint 10.42.0.5: rule 0: port 1: protocol 1, ports 5000-5010");
	ep.rules[0].ports[1].proto = IPPROTO_UDP;
	ep.flags = NP_PEP_F_DELETE;
	memset(&pos, 0, sizeof(pos));
	CHECK_INT(np_nl_pol_chunk_build(msg, &txn, NULL, 0, &pos, &last, &err),
		  -EINVAL);
	CHECK_STR(err.msg, "endpoint 10.42.0.5: a deletion carries nothing else");
	ep.flags = NP_PEP_F_INGRESS;
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	free(ep.name);
	ep.name = strdup(name);
	memset(&pos, 0, sizeof(pos));
	CHECK_INT(np_nl_pol_chunk_build(msg, &txn, NULL, 0, &pos, &last, &err),
		  -EINVAL);
	CHECK_STR(err.msg, "endpoint 10.42.0.5: name of 321 bytes (at most 320)");
	nlmsg_free(msg);
	np_pol_endpoint_clear(&ep);
}

/* ---- round trips and chunking ----------------------------------------- */

/* The canonical copy of txn's endpoints and classes, sorted, as a state. */
static void expect_state(const struct np_pol_txn *txn, struct np_pol_state *st)
{
	size_t i;

	memset(st, 0, sizeof(*st));
	st->classes = calloc(txn->n_classes + 1, sizeof(*st->classes));
	memcpy(st->classes, txn->classes, txn->n_classes * sizeof(*st->classes));
	st->n_classes = txn->n_classes;
	st->endpoints = calloc(txn->n_endpoints + 1, sizeof(*st->endpoints));
	for (i = 0; i < txn->n_endpoints; i++)
		if (np_pol_endpoint_copy(&st->endpoints[i], &txn->endpoints[i]))
			abort();
	st->n_endpoints = txn->n_endpoints;
}

static bool states_equal(const struct np_pol_state *a,
			 const struct np_pol_state *b)
{
	size_t i;

	if (a->n_classes != b->n_classes || a->n_endpoints != b->n_endpoints)
		return false;
	for (i = 0; i < a->n_classes; i++)
		if (np_pol_class_qcmp(&a->classes[i], &b->classes[i]) ||
		    a->classes[i].cls != b->classes[i].cls)
			return false;
	for (i = 0; i < a->n_endpoints; i++)
		if (!np_pol_endpoint_same(&a->endpoints[i], &b->endpoints[i]))
			return false;
	return true;
}

/* Largest endpoint nest of a message (its attributes walked). */
static size_t max_ep_nest(struct nl_msg *msg)
{
	struct nlattr *nla;
	size_t len, max = 0;
	const unsigned char *p = attrs_of(msg, &len);
	int rem;

	nla_for_each_attr(nla, (struct nlattr *)p, (int)len, rem)
		if (nla_type(nla) == NP_POL_A_ENDPOINT &&
		    (size_t)nla->nla_len > max)
			max = nla->nla_len;
	return max;
}

struct trip {
	size_t msgs, max_len, max_nest, more;
	bool stage_ok;
};

/* Builds every chunk of txn at lim, reparses and merges them into got. */
static int round_trip(const struct np_pol_txn *txn,
		      const struct np_nl_pol_limits *lim, uint64_t gen,
		      struct np_pol_state *got, struct trip *t,
		      struct np_err *err)
{
	struct np_nl_pol_pos pos = { 0 };
	size_t size = lim && lim->msg ? lim->msg : NP_NL_POL_MSG_SIZE;
	bool last = false;
	int r;

	memset(got, 0, sizeof(*got));
	memset(t, 0, sizeof(*t));
	t->stage_ok = true;
	while (!last) {
		struct nl_msg *msg = new_msg(size);
		uint32_t stage;

		r = np_nl_pol_chunk_build(msg, txn, lim, gen, &pos, &last, err);
		if (r) {
			nlmsg_free(msg);
			return r;
		}
		t->msgs++;
		if (nlmsg_hdr(msg)->nlmsg_len > t->max_len)
			t->max_len = nlmsg_hdr(msg)->nlmsg_len;
		if (max_ep_nest(msg) > t->max_nest)
			t->max_nest = max_ep_nest(msg);
		r = reparse(msg, got, &stage, err);
		nlmsg_free(msg);
		if (r)
			return r;
		if (stage == NP_POL_STAGE_F_MORE)
			t->more++;
		if ((stage == NP_POL_STAGE_F_MORE) == last)
			t->stage_ok = false;
		if (got->generation != gen)
			t->stage_ok = false;
		if (t->msgs > 100000)
			return -ELOOP;
	}
	return np_nl_pol_state_finish(got, err);
}

TEST(round_trip_one_message)
{
	struct np_pol_class cl[2] = {
		{ { a6(0x20, 0), 8 }, 7 },
		{ { a4(10, 42, 0, 5), 32 }, 3 },
	};
	struct np_pol_endpoint ep[2];
	struct np_pol_txn txn = { cl, 2, ep, 2 };
	struct np_pol_state got, want;
	struct np_err err;
	struct trip t;

	ep_web(&ep[0]);
	memset(&ep[1], 0, sizeof(ep[1]));
	ep[1].addr = a6(0xfd, 9);
	ep[1].flags = NP_PEP_F_INGRESS | NP_PEP_F_EGRESS;	/* deny all */
	CHECK_INT(round_trip(&txn, NULL, 5, &got, &t, &err), 0);
	CHECK_INT(t.msgs, 1);
	CHECK(t.stage_ok);
	expect_state(&txn, &want);
	CHECK_INT(np_nl_pol_state_finish(&want, &err), 0);
	CHECK(states_equal(&got, &want));
	CHECK_STR(got.endpoints[0].name, "x/web");
	CHECK_INT(got.endpoints[1].n_rules, 0);
	np_pol_state_free(&got);
	np_pol_state_free(&want);
	np_pol_endpoint_clear(&ep[0]);
}

/* n endpoints, each with nr rules of np ports (IPv6 every third). */
static void big_txn(struct np_pol_endpoint **eps, size_t n, size_t nr,
		    size_t np, struct np_pol_class **cls, size_t nc)
{
	size_t i, j;

	*eps = calloc(n, sizeof(**eps));
	for (i = 0; i < n; i++) {
		struct np_pol_endpoint *e = &(*eps)[i];

		e->addr = i % 3 ? a4(10, 42, (uint8_t)(i >> 8), (uint8_t)i) :
				  a6(0xfd, (uint8_t)i);
		e->addr.a[14] = (uint8_t)(i >> 8);
		if (e->addr.family == AF_INET)
			e->addr.a[14] = 0;
		e->name = strdup("ns-with-a-rather-long-name/pod-with-a-long-name");
		e->flags = NP_PEP_F_INGRESS | (i % 2 ? NP_PEP_F_EGRESS : 0);
		e->n_rules = nr;
		e->rules = calloc(nr + 1, sizeof(*e->rules));
		for (j = 0; j < nr; j++)
			e->rules[j] = rule((uint8_t)(j % 2), (uint32_t)(j + 1),
					   j % 5 ? np : 0, 1000);
	}
	*cls = calloc(nc + 1, sizeof(**cls));
	for (i = 0; i < nc; i++) {
		(*cls)[i].cidr.addr = a4(10, (uint8_t)(i >> 16),
					 (uint8_t)(i >> 8), (uint8_t)i);
		(*cls)[i].cidr.prefixlen = 32;
		(*cls)[i].cls = (uint32_t)(i % 1000 + 1);
	}
}

static void big_free(struct np_pol_endpoint *eps, size_t n,
		     struct np_pol_class *cls)
{
	size_t i;

	for (i = 0; i < n; i++)
		np_pol_endpoint_clear(&eps[i]);
	free(eps);
	free(cls);
}

TEST(chunks_at_the_default_limits)
{
	struct np_pol_endpoint *eps;
	struct np_pol_class *cls;
	struct np_pol_txn txn;
	struct np_pol_state got, want;
	struct np_err err;
	struct trip t;

	/* 100,000 prefixes and one endpoint of 4,000 rules x 30 ports: far
	 * over one message, and over one attribute */
	big_txn(&eps, 3, 4000, 30, &cls, 100000);
	txn = (struct np_pol_txn){ cls, 100000, eps, 3 };
	CHECK_INT(round_trip(&txn, NULL, 77, &got, &t, &err), 0);
	CHECK(t.msgs > 30);
	CHECK_INT(t.more, t.msgs - 1);
	CHECK(t.stage_ok);
	CHECK(t.max_len <= NP_NL_POL_MSG_SIZE);
	CHECK(t.max_len > NP_NL_POL_MSG_SIZE - 200);	/* messages are filled */
	CHECK(t.max_nest <= NP_NL_POL_ATTR_MAX);
	expect_state(&txn, &want);
	CHECK_INT(np_nl_pol_state_finish(&want, &err), 0);
	CHECK(states_equal(&got, &want));
	np_pol_state_free(&got);
	np_pol_state_free(&want);
	big_free(eps, 3, cls);
}

TEST(chunks_split_endpoints_and_rules_at_small_limits)
{
	static const struct np_nl_pol_limits lims[] = {
		{ 512, 200 }, { 300, 65535 }, { 4096, 120 }, { 1000, 500 },
	};
	struct np_pol_endpoint *eps;
	struct np_pol_class *cls;
	struct np_pol_txn txn;
	struct np_pol_state got, want;
	struct np_err err;
	struct trip t;
	size_t i;

	big_txn(&eps, 7, 9, 25, &cls, 40);
	txn = (struct np_pol_txn){ cls, 40, eps, 7 };
	expect_state(&txn, &want);
	CHECK_INT(np_nl_pol_state_finish(&want, &err), 0);
	for (i = 0; i < sizeof(lims) / sizeof(lims[0]); i++) {
		CHECK_INT(round_trip(&txn, &lims[i], 3, &got, &t, &err), 0);
		CHECK(t.stage_ok);
		CHECK(t.max_len <= lims[i].msg);
		CHECK(t.max_nest <= lims[i].attr);
		CHECK(t.msgs > 1);
		CHECK(states_equal(&got, &want));
		np_pol_state_free(&got);
	}
	np_pol_state_free(&want);
	big_free(eps, 7, cls);
}

TEST(limits_too_small_for_one_entry)
{
	static const struct np_nl_pol_limits lim = { 60, 0 };
	struct np_pol_endpoint ep;
	struct np_pol_txn txn = { NULL, 0, &ep, 1 };
	struct np_pol_state got;
	struct np_err err;
	struct trip t;

	ep_web(&ep);
	CHECK_INT(round_trip(&txn, &lim, 0, &got, &t, &err), -EMSGSIZE);
	CHECK_CONTAINS(err.msg, "does not fit a message");
	np_pol_state_free(&got);
	np_pol_endpoint_clear(&ep);
}

/* ---- the canonical form ------------------------------------------------ */

TEST(canon_merges_rules_and_ports)
{
	struct np_pol_endpoint ep = { .addr = { AF_INET, { 10 } } }, b;
	struct np_pol_port p1[] = {
		{ IPPROTO_UDP, 53, 53 }, { IPPROTO_TCP, 90, 100 },
		{ IPPROTO_TCP, 80, 89 }, { IPPROTO_TCP, 200, 200 },
	};
	struct np_pol_port p2[] = {
		{ IPPROTO_TCP, 95, 150 }, { IPPROTO_SCTP, 1, 65535 },
		{ IPPROTO_SCTP, 7, 7 },
	};
	char buf[32];

	ep.n_rules = 4;
	ep.rules = calloc(4, sizeof(*ep.rules));
	ep.rules[0] = (struct np_pol_rule){ NP_POL_DIR_EGRESS, 5, NULL, 0 };
	ep.rules[1] = (struct np_pol_rule){ NP_POL_DIR_INGRESS, 3, NULL, 4 };
	ep.rules[1].ports = malloc(sizeof(p1));
	memcpy(ep.rules[1].ports, p1, sizeof(p1));
	ep.rules[2] = (struct np_pol_rule){ NP_POL_DIR_INGRESS, 3, NULL, 3 };
	ep.rules[2].ports = malloc(sizeof(p2));
	memcpy(ep.rules[2].ports, p2, sizeof(p2));
	ep.rules[3] = (struct np_pol_rule){ NP_POL_DIR_EGRESS, 5, NULL, 1 };
	ep.rules[3].ports = malloc(sizeof(p1));
	memcpy(ep.rules[3].ports, p1, sizeof(p1[0]));
	ep.name = strdup("");
	CHECK_INT(np_pol_endpoint_copy(&b, &ep), 0);
	CHECK_INT(np_pol_endpoint_canon(&ep), 0);
	CHECK(ep.name == NULL);
	CHECK_INT(ep.n_rules, 2);
	CHECK_INT(ep.rules[0].dir, NP_POL_DIR_INGRESS);
	CHECK_INT(ep.rules[0].n_ports, 4);
	CHECK_STR(np_pol_port_str(&ep.rules[0].ports[0], buf, sizeof(buf)),
		  "tcp/80-150");
	CHECK_STR(np_pol_port_str(&ep.rules[0].ports[1], buf, sizeof(buf)),
		  "tcp/200");
	CHECK_STR(np_pol_port_str(&ep.rules[0].ports[2], buf, sizeof(buf)),
		  "udp/53");
	CHECK_STR(np_pol_port_str(&ep.rules[0].ports[3], buf, sizeof(buf)),
		  "sctp");
	/* a rule without ports takes every port of its (dir, cls) */
	CHECK_INT(ep.rules[1].dir, NP_POL_DIR_EGRESS);
	CHECK_INT(ep.rules[1].n_ports, 0);
	/* canonical twice is the same; the copy, canonical, compares equal */
	CHECK_INT(np_pol_endpoint_canon(&b), 0);
	CHECK(np_pol_endpoint_same(&ep, &b));
	b.flags = NP_PEP_F_EGRESS;
	CHECK(!np_pol_endpoint_same(&ep, &b));
	np_pol_endpoint_clear(&ep);
	np_pol_endpoint_clear(&b);
}

/* ---- replies ----------------------------------------------------------- */

static size_t reply_start(struct nb *nb, uint64_t gen)
{
	size_t m = nb_msg(nb, FAMILY, NLM_F_MULTI);

	nb_genl(nb, NP_CMD_POLICY_GET);
	nb_u64(nb, NP_POL_A_GENERATION, gen);
	return m;
}

static void nb_class(struct nb *nb, const struct np_addr *a, uint8_t plen,
		     uint32_t cls)
{
	size_t e = nb_nest(nb, NP_POL_A_CLASS);

	nb_cidr(nb, NP_PCLS_A_CIDR, a, plen);
	nb_u32(nb, NP_PCLS_A_CLASS, cls);
	nb_nest_end(nb, e);
}

TEST(parse_dump_with_continuation_and_stats)
{
	struct nb nb = { .len = 0 };
	struct np_pol_state st = { 0 };
	struct np_addr ip = a4(10, 42, 1, 9), net = a4(10, 0, 0, 0);
	struct np_err err;
	size_t m1, m2, m3, e, r, s;

	m1 = reply_start(&nb, 12);
	nb_class(&nb, &net, 8, 4);
	nb_class(&nb, &ip, 32, 2);
	nb_end(&nb, m1);
	m2 = reply_start(&nb, 12);
	e = nb_nest(&nb, NP_POL_A_ENDPOINT);
	nb_attr(&nb, NP_PEP_A_ADDR4, ip.a, 4);
	nb_u32(&nb, NP_PEP_A_FLAGS, NP_PEP_F_INGRESS | NP_PEP_F_EGRESS);
	nb_str(&nb, NP_PEP_A_NAME, "y/b\x01");
	r = nb_nest(&nb, NP_PEP_A_RULE);
	nb_u8(&nb, NP_PRULE_A_DIR, NP_POL_DIR_INGRESS);
	nb_u32(&nb, NP_PRULE_A_CLASS, 4);
	nb_port(&nb, IPPROTO_TCP, 80, 80);
	nb_nest_end(&nb, r);
	s = nb_nest(&nb, NP_PEP_A_STATS);
	nb_u64(&nb, NP_PSTAT_A_INGRESS_ALLOWED, 3);
	nb_u64(&nb, NP_PSTAT_A_EGRESS_DROPPED, 0x100000001ULL);
	nb_nest_end(&nb, s);
	nb_nest_end(&nb, e);
	nb_end(&nb, m2);
	m3 = reply_start(&nb, 12);
	e = nb_nest(&nb, NP_POL_A_ENDPOINT);
	nb_attr(&nb, NP_PEP_A_ADDR4, ip.a, 4);
	nb_u32(&nb, NP_PEP_A_FLAGS, NP_PEP_F_APPEND);
	r = nb_nest(&nb, NP_PEP_A_RULE);
	nb_u8(&nb, NP_PRULE_A_DIR, NP_POL_DIR_INGRESS);
	nb_u32(&nb, NP_PRULE_A_CLASS, 4);
	nb_port(&nb, IPPROTO_TCP, 81, 81);
	nb_port(&nb, IPPROTO_SCTP, 0, 0);
	nb_nest_end(&nb, r);
	r = nb_nest(&nb, NP_PEP_A_RULE);
	nb_u8(&nb, NP_PRULE_A_DIR, NP_POL_DIR_EGRESS);
	nb_nest_end(&nb, r);
	nb_u32(&nb, 200, 1);	/* unknown: ignored */
	nb_nest_end(&nb, e);
	nb_end(&nb, m3);

	CHECK_INT(np_nl_pol_msg_merge(&st, nb_hdr(&nb, m1), nb.len - m1, false,
				      NULL, &err), 0);
	CHECK_INT(np_nl_pol_msg_merge(&st, nb_hdr(&nb, m2), nb.len - m2, false,
				      NULL, &err), 0);
	CHECK_INT(np_nl_pol_msg_merge(&st, nb_hdr(&nb, m3), nb.len - m3, false,
				      NULL, &err), 0);
	CHECK_INT(np_nl_pol_state_finish(&st, &err), 0);
	CHECK_INT(st.generation, 12);
	CHECK_INT(st.n_classes, 2);
	CHECK_INT(st.classes[0].cidr.prefixlen, 8);	/* sorted by prefix */
	CHECK_INT(st.classes[1].cls, 2);
	CHECK_INT(st.n_endpoints, 1);
	CHECK_STR(st.endpoints[0].name, "y/b?");
	CHECK_INT(st.endpoints[0].flags, NP_PEP_F_INGRESS | NP_PEP_F_EGRESS);
	CHECK_INT(st.endpoints[0].n_rules, 2);
	CHECK_INT(st.endpoints[0].rules[0].n_ports, 2);	/* 80-81 merged */
	CHECK_INT(st.endpoints[0].rules[0].ports[0].first, 80);
	CHECK_INT(st.endpoints[0].rules[0].ports[0].last, 81);
	CHECK_INT(st.endpoints[0].rules[0].ports[1].proto, IPPROTO_SCTP);
	CHECK_INT(st.endpoints[0].stats_have, 1U << 0 | 1U << 3);
	CHECK(st.endpoints[0].stats[3] == 0x100000001ULL);
	np_pol_state_free(&st);
}

/* A one-endpoint reply whose endpoint nest is given by fill(). */
static int parse_bad(void (*fill)(struct nb *nb), bool request,
		     struct np_err *err)
{
	struct nb nb = { .len = 0 };
	struct np_pol_state st = { 0 };
	size_t m = reply_start(&nb, 1);
	int r;

	fill(&nb);
	nb_end(&nb, m);
	r = np_nl_pol_msg_merge(&st, nb_hdr(&nb, m), nb.len - m, request, NULL,
				err);
	if (!r)
		r = np_nl_pol_state_finish(&st, err);
	np_pol_state_free(&st);
	return r;
}

static const uint8_t IP[4] = { 10, 42, 0, 1 };

static void bad_two_addrs(struct nb *nb)
{
	size_t e = nb_nest(nb, NP_POL_A_ENDPOINT);

	nb_attr(nb, NP_PEP_A_ADDR4, IP, 4);
	nb_attr(nb, NP_PEP_A_ADDR6, a6(1, 1).a, 16);
	nb_nest_end(nb, e);
}

static void bad_addr_len(struct nb *nb)
{
	size_t e = nb_nest(nb, NP_POL_A_ENDPOINT);

	nb_attr(nb, NP_PEP_A_ADDR4, IP, 3);
	nb_nest_end(nb, e);
}

static void bad_delete_in_reply(struct nb *nb)
{
	size_t e = nb_nest(nb, NP_POL_A_ENDPOINT);

	nb_attr(nb, NP_PEP_A_ADDR4, IP, 4);
	nb_u32(nb, NP_PEP_A_FLAGS, NP_PEP_F_DELETE);
	nb_nest_end(nb, e);
}

static void bad_unknown_flag(struct nb *nb)
{
	size_t e = nb_nest(nb, NP_POL_A_ENDPOINT);

	nb_attr(nb, NP_PEP_A_ADDR4, IP, 4);
	nb_u32(nb, NP_PEP_A_FLAGS, 1U << 9);
	nb_nest_end(nb, e);
}

static void rule_with(struct nb *nb, uint8_t dir, bool cls, uint32_t c,
		      uint8_t proto, uint16_t first, uint16_t last)
{
	size_t e = nb_nest(nb, NP_POL_A_ENDPOINT), r, p;

	nb_attr(nb, NP_PEP_A_ADDR4, IP, 4);
	r = nb_nest(nb, NP_PEP_A_RULE);
	nb_u8(nb, NP_PRULE_A_DIR, dir);
	if (cls)
		nb_u32(nb, NP_PRULE_A_CLASS, c);
	p = nb_nest(nb, NP_PRULE_A_PORT);
	nb_u8(nb, NP_PPORT_A_PROTO, proto);
	if (first)
		nb_u16(nb, NP_PPORT_A_FIRST, first);
	if (last)
		nb_u16(nb, NP_PPORT_A_LAST, last);
	nb_nest_end(nb, p);
	nb_nest_end(nb, r);
	nb_nest_end(nb, e);
}

static void bad_dir(struct nb *nb)
{
	rule_with(nb, 2, false, 0, IPPROTO_TCP, 80, 0);
}

static void bad_rule_class0(struct nb *nb)
{
	rule_with(nb, 0, true, 0, IPPROTO_TCP, 80, 0);
}

static void bad_proto(struct nb *nb)
{
	rule_with(nb, 0, false, 0, IPPROTO_ICMP, 0, 0);
}

static void bad_last_below_first(struct nb *nb)
{
	rule_with(nb, 0, false, 0, IPPROTO_UDP, 90, 80);
}

static void bad_last_without_first(struct nb *nb)
{
	rule_with(nb, 1, true, 3, IPPROTO_UDP, 0, 80);
}

static void bad_orphan_continuation(struct nb *nb)
{
	size_t e = nb_nest(nb, NP_POL_A_ENDPOINT);

	nb_attr(nb, NP_PEP_A_ADDR4, IP, 4);
	nb_u32(nb, NP_PEP_A_FLAGS, NP_PEP_F_APPEND);
	nb_nest_end(nb, e);
}

static void bad_twice(struct nb *nb)
{
	size_t i, e;

	for (i = 0; i < 2; i++) {
		e = nb_nest(nb, NP_POL_A_ENDPOINT);
		nb_attr(nb, NP_PEP_A_ADDR4, IP, 4);
		nb_nest_end(nb, e);
	}
}

static void bad_class0(struct nb *nb)
{
	struct np_addr a = a4(10, 0, 0, 0);

	nb_class(nb, &a, 8, 0);
}

static void bad_host_bits(struct nb *nb)
{
	struct np_addr a = a4(10, 0, 0, 1);

	nb_class(nb, &a, 8, 1);
}

static void bad_stage(struct nb *nb)
{
	nb_u32(nb, NP_POL_A_STAGE, NP_POL_STAGE_F_MORE);
}

static void bad_name(struct nb *nb)
{
	size_t e = nb_nest(nb, NP_POL_A_ENDPOINT);

	nb_attr(nb, NP_PEP_A_ADDR4, IP, 4);
	nb_attr(nb, NP_PEP_A_NAME, "abc", 3);	/* no NUL */
	nb_nest_end(nb, e);
}

TEST(parse_rejects_malformed_replies)
{
	struct np_err err;

#define BAD(fn, text) do {						\
	CHECK_INT(parse_bad(fn, false, &err), -EBADMSG);		\
	CHECK_STR(err.msg, text);					\
} while (0)
	BAD(bad_two_addrs, "NP_POL_A_ENDPOINT: needs exactly one of NP_PEP_A_ADDR4 and NP_PEP_A_ADDR6");
	BAD(bad_addr_len, "NP_POL_A_ENDPOINT: attribute 2 (NP_PEP_A_ADDR4): expected binary (4 bytes), got 3 bytes");
	BAD(bad_delete_in_reply, "NP_POL_A_ENDPOINT: attribute 4 (NP_PEP_A_FLAGS): 0x4 has bits a reply may not carry");
	BAD(bad_unknown_flag, "NP_POL_A_ENDPOINT: attribute 4 (NP_PEP_A_FLAGS): 0x200 has bits a reply may not carry");
	BAD(bad_dir, "NP_PEP_A_RULE: attribute 1 (NP_PRULE_A_DIR): direction 2");
	BAD(bad_rule_class0, "NP_PEP_A_RULE: attribute 2 (NP_PRULE_A_CLASS): class 0 out of 1..16777215");
	BAD(bad_proto, "NP_PRULE_A_PORT: attribute 1 (NP_PPORT_A_PROTO): protocol 1 is not TCP, UDP or SCTP");
	BAD(bad_last_below_first, "NP_PRULE_A_PORT: attribute 3 (NP_PPORT_A_LAST): 80 is below NP_PPORT_A_FIRST 90");
	BAD(bad_last_without_first, "NP_PRULE_A_PORT: attribute 3 (NP_PPORT_A_LAST) without NP_PPORT_A_FIRST");
	BAD(bad_orphan_continuation, "NP_POL_A_ENDPOINT: continuation (NP_PEP_F_APPEND) of 10.42.0.1 without its first nest");
	BAD(bad_twice, "POLICY_GET reply: endpoint 10.42.0.1 twice");
	BAD(bad_class0, "NP_POL_A_CLASS: attribute 2 (NP_PCLS_A_CLASS): class 0 out of 1..16777215");
	BAD(bad_host_bits, "NP_POL_A_CLASS: attribute 1 (NP_PCLS_A_CIDR): 10.0.0.1/8 has host bits set");
	BAD(bad_stage, "POLICY_GET reply: attribute 2 (NP_POL_A_STAGE): 0x1 in a reply");
	BAD(bad_name, "NP_POL_A_ENDPOINT: attribute 5 (NP_PEP_A_NAME): string not NUL-terminated");
#undef BAD
	/* what a reply may not carry, a request may (class 0: removal) */
	CHECK_INT(parse_bad(bad_class0, true, &err), 0);
	CHECK_INT(parse_bad(bad_delete_in_reply, true, &err), 0);
}

TEST(parse_rejects_a_reply_without_generation)
{
	struct nb nb = { .len = 0 };
	struct np_pol_state st = { 0 };
	struct np_err err;
	size_t m = nb_msg(&nb, FAMILY, 0);

	nb_genl(&nb, NP_CMD_POLICY_GET);
	nb_end(&nb, m);
	CHECK_INT(np_nl_pol_msg_merge(&st, nb_hdr(&nb, m), nb.len - m, false,
				      NULL, &err), -EBADMSG);
	CHECK_STR(err.msg, "POLICY_GET reply: missing attribute 3 (NP_POL_A_GENERATION)");
	np_pol_state_free(&st);
}

TEST(set_reply_generation)
{
	struct nb nb = { .len = 0 };
	struct np_err err;
	uint64_t gen = 0;
	size_t m = nb_msg(&nb, FAMILY, 0);

	nb_genl(&nb, NP_CMD_POLICY_SET);
	nb_attr(&nb, NP_POL_A_PAD, NULL, 0);
	nb_u64(&nb, NP_POL_A_GENERATION, 0x700000001ULL);
	nb_end(&nb, m);
	CHECK_INT(np_nl_pol_gen_parse(nb_hdr(&nb, m), nb.len - m, &gen, &err),
		  0);
	CHECK(gen == 0x700000001ULL);
	nb.len = 0;
	m = nb_msg(&nb, FAMILY, 0);
	nb_genl(&nb, NP_CMD_POLICY_SET);
	nb_end(&nb, m);
	CHECK_INT(np_nl_pol_gen_parse(nb_hdr(&nb, m), nb.len - m, &gen, &err),
		  -EBADMSG);
	CHECK_STR(err.msg, "POLICY_SET reply: missing attribute 3 (NP_POL_A_GENERATION)");
}

TEST(policy_commands_name_their_attributes)
{
	char buf[96];

	CHECK_STR(np_nl_attr_ref(np_nl_cmd_attrs(NP_CMD_POLICY_SET),
				 NP_POL_A_ENDPOINT, buf, sizeof(buf)),
		  "5 (NP_POL_A_ENDPOINT)");
	CHECK_STR(np_nl_attr_ref(np_nl_cmd_attrs(NP_CMD_POLICY_GET),
				 NP_POL_A_CLASS, buf, sizeof(buf)),
		  "4 (NP_POL_A_CLASS)");
}

/* ---- drop events ------------------------------------------------------- */

static size_t drop_msg(struct nb *nb, bool v6_src, bool no_dir, uint8_t dir)
{
	size_t m = nb_msg(nb, FAMILY, 0);
	static const uint8_t ep[4] = { 10, 42, 0, 7 }, s[4] = { 10, 42, 1, 3 };

	nb_genl(nb, NP_CMD_POLICY_DROP);
	if (!no_dir)
		nb_u8(nb, NP_PEV_A_DIR, dir);
	nb_attr(nb, NP_PEV_A_ENDPOINT4, ep, 4);
	nb_str(nb, NP_PEV_A_NAME, "x/web");
	if (v6_src)
		nb_attr(nb, NP_PEV_A_SADDR6, a6(1, 2).a, 16);
	else
		nb_attr(nb, NP_PEV_A_SADDR4, s, 4);
	nb_attr(nb, NP_PEV_A_DADDR4, ep, 4);
	nb_u8(nb, NP_PEV_A_PROTO, IPPROTO_TCP);
	nb_u16(nb, NP_PEV_A_SPORT, 40000);
	nb_u16(nb, NP_PEV_A_DPORT, 80);
	nb_u32(nb, NP_PEV_A_SUPPRESSED, 4);
	nb_end(nb, m);
	return m;
}

TEST(drop_event_parse)
{
	struct nb nb = { .len = 0 };
	struct np_pol_drop d;
	struct np_err err;
	char a[NP_ADDR_STRLEN];
	size_t m = drop_msg(&nb, false, false, NP_POL_DIR_INGRESS);

	CHECK_INT(np_nl_pol_drop_parse(nb_hdr(&nb, m), nb.len - m, &d, &err), 0);
	CHECK_INT(d.dir, NP_POL_DIR_INGRESS);
	CHECK_STR(d.name, "x/web");
	CHECK_STR(np_addr_str(&d.saddr, a, sizeof(a)), "10.42.1.3");
	CHECK_STR(np_addr_str(&d.endpoint, a, sizeof(a)), "10.42.0.7");
	CHECK_INT(d.proto, IPPROTO_TCP);
	CHECK_INT(d.sport, 40000);
	CHECK_INT(d.dport, 80);
	CHECK_INT(d.suppressed, 4);

	nb.len = 0;
	m = drop_msg(&nb, true, false, NP_POL_DIR_EGRESS);
	CHECK_INT(np_nl_pol_drop_parse(nb_hdr(&nb, m), nb.len - m, &d, &err),
		  -EBADMSG);
	CHECK_STR(err.msg, "POLICY_DROP event: endpoint, source and destination of different families");
	nb.len = 0;
	m = drop_msg(&nb, false, true, 0);
	CHECK_INT(np_nl_pol_drop_parse(nb_hdr(&nb, m), nb.len - m, &d, &err),
		  -EBADMSG);
	CHECK_STR(err.msg, "POLICY_DROP event: missing attribute 1 (NP_PEV_A_DIR)");
	nb.len = 0;
	m = drop_msg(&nb, false, false, 5);
	CHECK_INT(np_nl_pol_drop_parse(nb_hdr(&nb, m), nb.len - m, &d, &err),
		  -EBADMSG);
	CHECK_STR(err.msg, "POLICY_DROP event: attribute 1 (NP_PEV_A_DIR): direction 5");
}

int main(void)
{
	RUN(set_one_message_exact_bytes);
	RUN(empty_transaction_is_one_empty_commit);
	RUN(builder_refuses_bad_entries);
	RUN(round_trip_one_message);
	RUN(chunks_at_the_default_limits);
	RUN(chunks_split_endpoints_and_rules_at_small_limits);
	RUN(limits_too_small_for_one_entry);
	RUN(canon_merges_rules_and_ports);
	RUN(parse_dump_with_continuation_and_stats);
	RUN(parse_rejects_malformed_replies);
	RUN(parse_rejects_a_reply_without_generation);
	RUN(set_reply_generation);
	RUN(policy_commands_name_their_attributes);
	RUN(drop_event_parse);
	return check_summary();
}
