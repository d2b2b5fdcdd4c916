// SPDX-License-Identifier: GPL-2.0-only
/*
 * NP_CMD_PEER_NEW, NP_CMD_PEER_DEL and NP_CMD_PEER_GET (dump): requests,
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

static const char *const peer_names[NP_PEER_A_MAX + 1] = {
	[NP_PEER_A_IFINDEX] = "NP_PEER_A_IFINDEX",
	[NP_PEER_A_MAC] = "NP_PEER_A_MAC",
	[NP_PEER_A_ENDPOINT4] = "NP_PEER_A_ENDPOINT4",
	[NP_PEER_A_ENDPOINT6] = "NP_PEER_A_ENDPOINT6",
	[NP_PEER_A_CIDR] = "NP_PEER_A_CIDR",
};

static const struct nla_policy peer_policy[NP_PEER_A_MAX + 1] = {
	[NP_PEER_A_IFINDEX] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NP_PEER_A_MAC] = { .type = NLA_UNSPEC, .minlen = NP_MAC_LEN,
			    .maxlen = NP_MAC_LEN },
	[NP_PEER_A_ENDPOINT4] = { .type = NLA_UNSPEC, .minlen = 4, .maxlen = 4 },
	[NP_PEER_A_ENDPOINT6] = { .type = NLA_UNSPEC, .minlen = 16,
				  .maxlen = 16 },
	[NP_PEER_A_CIDR] = { .type = NLA_NESTED },
};

const struct np_nl_attr_set np_nl_peer_attrs = {
	.what = "PEER_GET reply",
	.maxtype = NP_PEER_A_MAX,
	.names = peer_names,
	.policy = peer_policy,
	.required = BIT64(NP_PEER_A_IFINDEX) | BIT64(NP_PEER_A_MAC) |
		    BIT64(NP_PEER_A_CIDR),
};

const struct np_nl_attr_set np_nl_peer_cidr_attrs = {
	.what = "PEER_GET reply NP_PEER_A_CIDR",
	.maxtype = NP_CIDR_A_MAX,
	.names = np_nl_cidr_names,
	.policy = np_nl_cidr_policy,
	.required = BIT64(NP_CIDR_A_PREFIXLEN),
};

int np_nl_peer_parse(const struct nlmsghdr *nlh, size_t len,
		     struct np_peer *out, struct np_err *err)
{
	const struct np_nl_attr_set *set = &np_nl_peer_attrs;
	struct nlattr *tb[NP_PEER_A_MAX + 1];
	struct nlattr *nla;
	const void *head;
	size_t alen;
	int r, rem;

	memset(out, 0, sizeof(*out));
	r = np_nl_reply_parse(nlh, len, set, tb, &head, &alen, err);
	if (r)
		return r;
	if (!!tb[NP_PEER_A_ENDPOINT4] == !!tb[NP_PEER_A_ENDPOINT6])
		return np_err_set(err, EBADMSG,
				  "%s: needs exactly one of NP_PEER_A_ENDPOINT4 and NP_PEER_A_ENDPOINT6",
				  set->what);
	out->ifindex = nla_get_u32(tb[NP_PEER_A_IFINDEX]);
	memcpy(out->mac, nla_data(tb[NP_PEER_A_MAC]), NP_MAC_LEN);
	if (tb[NP_PEER_A_ENDPOINT4]) {
		out->endpoint.family = AF_INET;
		memcpy(out->endpoint.a, nla_data(tb[NP_PEER_A_ENDPOINT4]), 4);
	} else {
		out->endpoint.family = AF_INET6;
		memcpy(out->endpoint.a, nla_data(tb[NP_PEER_A_ENDPOINT6]), 16);
	}
	/* Repeated: nla_parse() validated each one but kept only the last. */
	nla_for_each_attr(nla, (struct nlattr *)head, (int)alen, rem) {
		if (nla_type(nla) != NP_PEER_A_CIDR)
			continue;
		if (out->n_cidrs == NP_PEER_CIDRS_MAX)
			return np_err_set(err, EBADMSG,
					  "%s: more than %d attributes %u (NP_PEER_A_CIDR)",
					  set->what, NP_PEER_CIDRS_MAX,
					  NP_PEER_A_CIDR);
		r = np_nl_cidr_parse(nla, &np_nl_peer_cidr_attrs,
				     &out->cidrs[out->n_cidrs], err);
		if (r)
			return r;
		out->n_cidrs++;
	}
	return 0;
}

int np_nl_peer_new_build(struct nl_msg *msg, const struct np_peer *peer)
{
	int v4 = peer->endpoint.family == AF_INET;
	unsigned int i;
	int r;

	if (!v4 && peer->endpoint.family != AF_INET6)
		return -EINVAL;
	if (nla_put_u32(msg, NP_PEER_A_IFINDEX, peer->ifindex) < 0 ||
	    nla_put(msg, NP_PEER_A_MAC, NP_MAC_LEN, peer->mac) < 0 ||
	    nla_put(msg, v4 ? NP_PEER_A_ENDPOINT4 : NP_PEER_A_ENDPOINT6,
		    v4 ? 4 : 16, peer->endpoint.a) < 0)
		return -EMSGSIZE;
	for (i = 0; i < peer->n_cidrs && i < NP_PEER_CIDRS_MAX; i++) {
		r = np_nl_cidr_put(msg, NP_PEER_A_CIDR, &peer->cidrs[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

int np_nl_peer_del_build(struct nl_msg *msg, uint32_t ifindex,
			 const uint8_t mac[NP_MAC_LEN])
{
	if (nla_put_u32(msg, NP_PEER_A_IFINDEX, ifindex) < 0 ||
	    nla_put(msg, NP_PEER_A_MAC, NP_MAC_LEN, mac) < 0)
		return -EMSGSIZE;
	return 0;
}

static int new_build(struct nl_msg *msg, void *ctx)
{
	return np_nl_peer_new_build(msg, ctx);
}

int np_nl_peer_new(struct np_nl *nl, const struct np_peer *peer,
		   struct np_err *err)
{
	return np_nl_request(nl, NP_CMD_PEER_NEW, new_build, NULL,
			     (void *)peer, err);
}

struct del {
	uint32_t ifindex;
	const uint8_t *mac;
};

static int del_build(struct nl_msg *msg, void *ctx)
{
	const struct del *d = ctx;

	return np_nl_peer_del_build(msg, d->ifindex, d->mac);
}

int np_nl_peer_del(struct np_nl *nl, uint32_t ifindex,
		   const uint8_t mac[NP_MAC_LEN], struct np_err *err)
{
	struct del d = { ifindex, mac };

	return np_nl_request(nl, NP_CMD_PEER_DEL, del_build, NULL, &d, err);
}

void np_peer_list_free(struct np_peer_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int np_peer_cmp_mac(const void *a, const void *b)
{
	const struct np_peer *x = a, *y = b;

	return memcmp(x->mac, y->mac, NP_MAC_LEN);
}

struct dump {
	uint32_t ifindex;
	struct np_peer_list *l;
};

static int dump_build(struct nl_msg *msg, void *ctx)
{
	const struct dump *d = ctx;

	return nla_put_u32(msg, NP_PEER_A_IFINDEX, d->ifindex) < 0 ?
	       -EMSGSIZE : 0;
}

static void dump_reset(void *ctx)
{
	const struct dump *d = ctx;

	np_peer_list_free(d->l);
}

static int dump_reply(const struct nlmsghdr *nlh, void *ctx,
		      struct np_err *err)
{
	const struct dump *d = ctx;
	struct np_peer_list *l = d->l;
	struct np_peer *v;
	int r;

	v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v)
		return np_err_set(err, ENOMEM, "PEER_GET dump: out of memory");
	l->v = v;
	r = np_nl_peer_parse(nlh, nlh->nlmsg_len, &v[l->n], err);
	if (r)
		return r;
	l->n++;
	return 0;
}

int np_nl_peer_dump(struct np_nl *nl, uint32_t ifindex,
		    struct np_peer_list *out, struct np_err *err)
{
	struct dump d = { ifindex, out };
	int r;

	out->v = NULL;
	out->n = 0;
	r = np_nl_dump(nl, NP_CMD_PEER_GET, dump_build, dump_reply, dump_reset,
		       &d, err);
	if (r) {
		np_peer_list_free(out);
		return r;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), np_peer_cmp_mac);
	return 0;
}
