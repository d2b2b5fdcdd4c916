// SPDX-License-Identifier: GPL-2.0-only
/* NP_CMD_MASQ_SET and NP_CMD_MASQ_GET: requests, attribute sets, reply parser. */
#include <errno.h>
#include <string.h>

#include <linux/nodeplane.h>
#include <netlink/msg.h>

#include "nl/msg.h"

#define BIT64(n) (UINT64_C(1) << (n))

static const char *const masq_names[NP_MASQ_A_MAX + 1] = {
	[NP_MASQ_A_CIDR] = "NP_MASQ_A_CIDR",
	[NP_MASQ_A_FLAGS] = "NP_MASQ_A_FLAGS",
};

static const struct nla_policy masq_policy[NP_MASQ_A_MAX + 1] = {
	[NP_MASQ_A_CIDR] = { .type = NLA_NESTED },
	[NP_MASQ_A_FLAGS] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
};

const struct np_nl_attr_set np_nl_masq_attrs = {
	.what = "MASQ_GET reply",
	.maxtype = NP_MASQ_A_MAX,
	.names = masq_names,
	.policy = masq_policy,
	.required = BIT64(NP_MASQ_A_FLAGS),
};

const struct np_nl_attr_set np_nl_masq_cidr_attrs = {
	.what = "MASQ_GET reply NP_MASQ_A_CIDR",
	.maxtype = NP_CIDR_A_MAX,
	.names = np_nl_cidr_names,
	.policy = np_nl_cidr_policy,
	.required = BIT64(NP_CIDR_A_PREFIXLEN),
};

int np_nl_masq_parse(const struct nlmsghdr *nlh, size_t len,
		     struct np_masq *out, struct np_err *err)
{
	const struct np_nl_attr_set *set = &np_nl_masq_attrs;
	struct nlattr *tb[NP_MASQ_A_MAX + 1];
	struct nlattr *nla;
	const void *head;
	size_t alen;
	int r, rem;

	memset(out, 0, sizeof(*out));
	r = np_nl_reply_parse(nlh, len, set, tb, &head, &alen, err);
	if (r)
		return r;
	out->flags = nla_get_u32(tb[NP_MASQ_A_FLAGS]);
	nla_for_each_attr(nla, (struct nlattr *)head, (int)alen, rem) {
		if (nla_type(nla) != NP_MASQ_A_CIDR)
			continue;
		if (out->n_cidrs == NP_MASQ_CIDRS_MAX)
			return np_err_set(err, EBADMSG,
					  "%s: more than %d attributes %u (NP_MASQ_A_CIDR)",
					  set->what, NP_MASQ_CIDRS_MAX,
					  NP_MASQ_A_CIDR);
		r = np_nl_cidr_parse(nla, &np_nl_masq_cidr_attrs,
				     &out->cidrs[out->n_cidrs], err);
		if (r)
			return r;
		out->n_cidrs++;
	}
	return 0;
}

int np_nl_masq_set_build(struct nl_msg *msg, const struct np_masq *masq)
{
	unsigned int i;
	int r;

	for (i = 0; i < masq->n_cidrs && i < NP_MASQ_CIDRS_MAX; i++) {
		r = np_nl_cidr_put(msg, NP_MASQ_A_CIDR, &masq->cidrs[i]);
		if (r < 0)
			return r;
	}
	if (nla_put_u32(msg, NP_MASQ_A_FLAGS, masq->flags) < 0)
		return -EMSGSIZE;
	return 0;
}

static int set_build(struct nl_msg *msg, void *ctx)
{
	return np_nl_masq_set_build(msg, ctx);
}

int np_nl_masq_set(struct np_nl *nl, const struct np_masq *masq,
		   struct np_err *err)
{
	return np_nl_request(nl, NP_CMD_MASQ_SET, set_build, NULL,
			     (void *)masq, err);
}

struct get {
	struct np_masq *out;
	int got;
};

static int get_reply(const struct nlmsghdr *nlh, void *ctx,
		     struct np_err *err)
{
	struct get *g = ctx;
	int r;

	if (g->got)	/* a doit answers once; ignore anything more */
		return 0;
	r = np_nl_masq_parse(nlh, nlh->nlmsg_len, g->out, err);
	if (r)
		return r;
	g->got = 1;
	return 0;
}

int np_nl_masq_get(struct np_nl *nl, struct np_masq *out, struct np_err *err)
{
	struct get g = { out, 0 };
	int r;

	memset(out, 0, sizeof(*out));
	r = np_nl_request(nl, NP_CMD_MASQ_GET, NULL, get_reply, &g, err);
	if (r)
		return r;
	if (!g.got)
		return np_err_set(err, EBADMSG,
				  "MASQ_GET: acknowledged without a reply");
	return 0;
}
