// SPDX-License-Identifier: GPL-2.0-only
/*
 * NP_CMD_OVERLAY_SET and NP_CMD_OVERLAY_GET (doit and dump): requests,
 * attribute sets and the reply parser.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/nodeplane.h>
#include <netlink/msg.h>

#include "nl/msg.h"

#define BIT64(n) (UINT64_C(1) << (n))

_Static_assert(NP_OSTAT_FIRST == NP_OSTAT_A_TX_PACKETS &&
	       NP_OSTAT_FIRST + NP_OSTAT_N == __NP_OSTAT_A_MAX,
	       "a counter was added to the uapi: name it in daemon/nl/overlay.c");

static const char *const ostat_keys[NP_OSTAT_N] = {
	"tx_packets", "tx_bytes", "rx_packets", "rx_bytes",
	"tx_no_peer", "tx_no_route", "tx_too_big",
	"rx_bad_header", "rx_bad_vni", "rx_bad_mac", "rx_loop",
	"rx_bad_csum", "rx_bad_inner", "rx_bad_src",
};

const char *np_nl_ostat_name(unsigned int i)
{
	return i < NP_OSTAT_N ? ostat_keys[i] : NULL;
}

static const char *const overlay_names[NP_OVERLAY_A_MAX + 1] = {
	[NP_OVERLAY_A_IFINDEX] = "NP_OVERLAY_A_IFINDEX",
	[NP_OVERLAY_A_IFNAME] = "NP_OVERLAY_A_IFNAME",
	[NP_OVERLAY_A_VNI] = "NP_OVERLAY_A_VNI",
	[NP_OVERLAY_A_PORT] = "NP_OVERLAY_A_PORT",
	[NP_OVERLAY_A_LOCAL4] = "NP_OVERLAY_A_LOCAL4",
	[NP_OVERLAY_A_LOCAL6] = "NP_OVERLAY_A_LOCAL6",
	[NP_OVERLAY_A_MAC] = "NP_OVERLAY_A_MAC",
	[NP_OVERLAY_A_MAC6] = "NP_OVERLAY_A_MAC6",
	[NP_OVERLAY_A_FLAGS] = "NP_OVERLAY_A_FLAGS",
	[NP_OVERLAY_A_PEERS] = "NP_OVERLAY_A_PEERS",
	[NP_OVERLAY_A_STATS] = "NP_OVERLAY_A_STATS",
};

/* Exact lengths: libnl checks minimum lengths only unless maxlen is set. */
static const struct nla_policy overlay_policy[NP_OVERLAY_A_MAX + 1] = {
	[NP_OVERLAY_A_IFINDEX] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NP_OVERLAY_A_IFNAME] = { .type = NLA_STRING, .maxlen = NP_IFNAME_LEN },
	[NP_OVERLAY_A_VNI] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NP_OVERLAY_A_PORT] = { .type = NLA_U16, .maxlen = sizeof(uint16_t) },
	[NP_OVERLAY_A_LOCAL4] = { .type = NLA_UNSPEC, .minlen = 4, .maxlen = 4 },
	[NP_OVERLAY_A_LOCAL6] = { .type = NLA_UNSPEC, .minlen = 16, .maxlen = 16 },
	[NP_OVERLAY_A_MAC] = { .type = NLA_UNSPEC, .minlen = NP_MAC_LEN,
			       .maxlen = NP_MAC_LEN },
	[NP_OVERLAY_A_MAC6] = { .type = NLA_UNSPEC, .minlen = NP_MAC_LEN,
				.maxlen = NP_MAC_LEN },
	[NP_OVERLAY_A_FLAGS] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NP_OVERLAY_A_PEERS] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NP_OVERLAY_A_STATS] = { .type = NLA_NESTED },
};

const struct np_nl_attr_set np_nl_overlay_attrs = {
	.what = "OVERLAY_GET reply",
	.maxtype = NP_OVERLAY_A_MAX,
	.names = overlay_names,
	.policy = overlay_policy,
	.required = BIT64(NP_OVERLAY_A_IFINDEX) | BIT64(NP_OVERLAY_A_IFNAME) |
		    BIT64(NP_OVERLAY_A_VNI) | BIT64(NP_OVERLAY_A_PORT) |
		    BIT64(NP_OVERLAY_A_FLAGS),
};

static const char *const ostat_names[NP_OSTAT_A_MAX + 1] = {
	[NP_OSTAT_A_PAD] = "NP_OSTAT_A_PAD",
	[NP_OSTAT_A_TX_PACKETS] = "NP_OSTAT_A_TX_PACKETS",
	[NP_OSTAT_A_TX_BYTES] = "NP_OSTAT_A_TX_BYTES",
	[NP_OSTAT_A_RX_PACKETS] = "NP_OSTAT_A_RX_PACKETS",
	[NP_OSTAT_A_RX_BYTES] = "NP_OSTAT_A_RX_BYTES",
	[NP_OSTAT_A_TX_NO_PEER] = "NP_OSTAT_A_TX_NO_PEER",
	[NP_OSTAT_A_TX_NO_ROUTE] = "NP_OSTAT_A_TX_NO_ROUTE",
	[NP_OSTAT_A_TX_TOO_BIG] = "NP_OSTAT_A_TX_TOO_BIG",
	[NP_OSTAT_A_RX_BAD_HEADER] = "NP_OSTAT_A_RX_BAD_HEADER",
	[NP_OSTAT_A_RX_BAD_VNI] = "NP_OSTAT_A_RX_BAD_VNI",
	[NP_OSTAT_A_RX_BAD_MAC] = "NP_OSTAT_A_RX_BAD_MAC",
	[NP_OSTAT_A_RX_LOOP] = "NP_OSTAT_A_RX_LOOP",
	[NP_OSTAT_A_RX_BAD_CSUM] = "NP_OSTAT_A_RX_BAD_CSUM",
	[NP_OSTAT_A_RX_BAD_INNER] = "NP_OSTAT_A_RX_BAD_INNER",
	[NP_OSTAT_A_RX_BAD_SRC] = "NP_OSTAT_A_RX_BAD_SRC",
};

#define U64_POLICY { .type = NLA_U64, .maxlen = sizeof(uint64_t) }

static const struct nla_policy ostat_policy[NP_OSTAT_A_MAX + 1] = {
	[NP_OSTAT_A_TX_PACKETS] = U64_POLICY,
	[NP_OSTAT_A_TX_BYTES] = U64_POLICY,
	[NP_OSTAT_A_RX_PACKETS] = U64_POLICY,
	[NP_OSTAT_A_RX_BYTES] = U64_POLICY,
	[NP_OSTAT_A_TX_NO_PEER] = U64_POLICY,
	[NP_OSTAT_A_TX_NO_ROUTE] = U64_POLICY,
	[NP_OSTAT_A_TX_TOO_BIG] = U64_POLICY,
	[NP_OSTAT_A_RX_BAD_HEADER] = U64_POLICY,
	[NP_OSTAT_A_RX_BAD_VNI] = U64_POLICY,
	[NP_OSTAT_A_RX_BAD_MAC] = U64_POLICY,
	[NP_OSTAT_A_RX_LOOP] = U64_POLICY,
	[NP_OSTAT_A_RX_BAD_CSUM] = U64_POLICY,
	[NP_OSTAT_A_RX_BAD_INNER] = U64_POLICY,
	[NP_OSTAT_A_RX_BAD_SRC] = U64_POLICY,
};

const struct np_nl_attr_set np_nl_ostat_attrs = {
	.what = "OVERLAY_GET reply NP_OVERLAY_A_STATS",
	.maxtype = NP_OSTAT_A_MAX,
	.names = ostat_names,
	.policy = ostat_policy,
	.required = 0,	/* each counter is shown only when sent */
};

int np_nl_overlay_parse(const struct nlmsghdr *nlh, size_t len,
			struct np_overlay_cfg *out, struct np_err *err)
{
	struct nlattr *tb[NP_OVERLAY_A_MAX + 1];
	struct nlattr *st[NP_OSTAT_A_MAX + 1];
	const void *head;
	size_t alen;
	unsigned int i;
	int r;

	memset(out, 0, sizeof(*out));
	r = np_nl_reply_parse(nlh, len, &np_nl_overlay_attrs, tb, &head, &alen,
			      err);
	if (r)
		return r;
	out->ifindex = nla_get_u32(tb[NP_OVERLAY_A_IFINDEX]);
	/* The policy guarantees a NUL within NP_IFNAME_LEN bytes. */
	np_nl_printable(out->ifname, sizeof(out->ifname),
		  nla_data(tb[NP_OVERLAY_A_IFNAME]));
	out->vni = nla_get_u32(tb[NP_OVERLAY_A_VNI]);
	out->port = nla_get_u16(tb[NP_OVERLAY_A_PORT]);
	out->flags = nla_get_u32(tb[NP_OVERLAY_A_FLAGS]);
	out->has = NP_OVERLAY_HAS_VNI | NP_OVERLAY_HAS_PORT |
		   NP_OVERLAY_HAS_FLAGS;
	if (tb[NP_OVERLAY_A_LOCAL4]) {
		out->local4.family = AF_INET;
		memcpy(out->local4.a, nla_data(tb[NP_OVERLAY_A_LOCAL4]), 4);
		out->has |= NP_OVERLAY_HAS_LOCAL4;
	}
	if (tb[NP_OVERLAY_A_LOCAL6]) {
		out->local6.family = AF_INET6;
		memcpy(out->local6.a, nla_data(tb[NP_OVERLAY_A_LOCAL6]), 16);
		out->has |= NP_OVERLAY_HAS_LOCAL6;
	}
	if (tb[NP_OVERLAY_A_MAC]) {
		memcpy(out->mac, nla_data(tb[NP_OVERLAY_A_MAC]), NP_MAC_LEN);
		out->has |= NP_OVERLAY_HAS_MAC;
	}
	if (tb[NP_OVERLAY_A_MAC6]) {
		memcpy(out->mac6, nla_data(tb[NP_OVERLAY_A_MAC6]), NP_MAC_LEN);
		out->has |= NP_OVERLAY_HAS_MAC6;
	}
	if (tb[NP_OVERLAY_A_PEERS]) {
		out->peers = nla_get_u32(tb[NP_OVERLAY_A_PEERS]);
		out->has |= NP_OVERLAY_HAS_PEERS;
	}
	if (tb[NP_OVERLAY_A_STATS]) {
		r = np_nl_attr_parse(st, &np_nl_ostat_attrs,
				     nla_data(tb[NP_OVERLAY_A_STATS]),
				     (size_t)nla_len(tb[NP_OVERLAY_A_STATS]),
				     err);
		if (r)
			return r;
		for (i = 0; i < NP_OSTAT_N; i++) {
			if (!st[NP_OSTAT_FIRST + i])
				continue;
			out->stats[i] = nla_get_u64(st[NP_OSTAT_FIRST + i]);
			out->stats_have |= 1U << i;
		}
		out->has |= NP_OVERLAY_HAS_STATS;
	}
	return 0;
}

static int put_addr(struct nl_msg *msg, int type, const struct np_addr *a,
		    int family)
{
	/* A zero-length address clears it. */
	if (a->family != family)
		return nla_put(msg, type, 0, NULL);
	return nla_put(msg, type, family == AF_INET ? 4 : 16, a->a);
}

int np_nl_overlay_set_build(struct nl_msg *msg,
			    const struct np_overlay_cfg *cfg)
{
	uint32_t has = cfg->has;

	if (nla_put_u32(msg, NP_OVERLAY_A_IFINDEX, cfg->ifindex) < 0 ||
	    ((has & NP_OVERLAY_HAS_VNI) &&
	     nla_put_u32(msg, NP_OVERLAY_A_VNI, cfg->vni) < 0) ||
	    ((has & NP_OVERLAY_HAS_PORT) &&
	     nla_put_u16(msg, NP_OVERLAY_A_PORT, cfg->port) < 0) ||
	    ((has & NP_OVERLAY_HAS_LOCAL4) &&
	     put_addr(msg, NP_OVERLAY_A_LOCAL4, &cfg->local4, AF_INET) < 0) ||
	    ((has & NP_OVERLAY_HAS_LOCAL6) &&
	     put_addr(msg, NP_OVERLAY_A_LOCAL6, &cfg->local6, AF_INET6) < 0) ||
	    ((has & NP_OVERLAY_HAS_MAC) &&
	     nla_put(msg, NP_OVERLAY_A_MAC, NP_MAC_LEN, cfg->mac) < 0) ||
	    ((has & NP_OVERLAY_HAS_MAC6) &&
	     nla_put(msg, NP_OVERLAY_A_MAC6, NP_MAC_LEN, cfg->mac6) < 0) ||
	    ((has & NP_OVERLAY_HAS_FLAGS) &&
	     nla_put_u32(msg, NP_OVERLAY_A_FLAGS, cfg->flags) < 0))
		return -EMSGSIZE;
	return 0;
}

static int set_build(struct nl_msg *msg, void *ctx)
{
	return np_nl_overlay_set_build(msg, ctx);
}

int np_nl_overlay_set(struct np_nl *nl, const struct np_overlay_cfg *cfg,
		      struct np_err *err)
{
	return np_nl_request(nl, NP_CMD_OVERLAY_SET, set_build, NULL,
			     (void *)cfg, err);
}

struct get_one {
	uint32_t ifindex;
	struct np_overlay_cfg *out;
	int got;
};

static int get_build(struct nl_msg *msg, void *ctx)
{
	const struct get_one *g = ctx;

	return nla_put_u32(msg, NP_OVERLAY_A_IFINDEX, g->ifindex) < 0 ?
	       -EMSGSIZE : 0;
}

static int get_reply(const struct nlmsghdr *nlh, void *ctx,
		     struct np_err *err)
{
	struct get_one *g = ctx;
	int r;

	if (g->got)	/* a doit answers once; ignore anything more */
		return 0;
	r = np_nl_overlay_parse(nlh, nlh->nlmsg_len, g->out, err);
	if (r)
		return r;
	g->got = 1;
	return 0;
}

int np_nl_overlay_get(struct np_nl *nl, uint32_t ifindex,
		      struct np_overlay_cfg *out, struct np_err *err)
{
	struct get_one g = { ifindex, out, 0 };
	int r;

	memset(out, 0, sizeof(*out));
	r = np_nl_request(nl, NP_CMD_OVERLAY_GET, get_build, get_reply, &g, err);
	if (r)
		return r;
	if (!g.got)
		return np_err_set(err, EBADMSG,
				  "OVERLAY_GET: acknowledged without a reply");
	return 0;
}

void np_overlay_list_free(struct np_overlay_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void dump_reset(void *ctx)
{
	np_overlay_list_free(ctx);
}

static int dump_reply(const struct nlmsghdr *nlh, void *ctx,
		      struct np_err *err)
{
	struct np_overlay_list *l = ctx;
	struct np_overlay_cfg *v;
	int r;

	v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v)
		return np_err_set(err, ENOMEM, "OVERLAY_GET dump: out of memory");
	l->v = v;
	r = np_nl_overlay_parse(nlh, nlh->nlmsg_len, &v[l->n], err);
	if (r)
		return r;
	l->n++;
	return 0;
}

int np_nl_overlay_dump(struct np_nl *nl, struct np_overlay_list *out,
		       struct np_err *err)
{
	int r;

	out->v = NULL;
	out->n = 0;
	r = np_nl_dump(nl, NP_CMD_OVERLAY_GET, NULL, dump_reply, dump_reset,
		       out, err);
	if (r)
		np_overlay_list_free(out);
	return r;
}
