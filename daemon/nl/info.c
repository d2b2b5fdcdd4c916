// SPDX-License-Identifier: GPL-2.0-only
/* NP_CMD_INFO_GET: the request, its attribute sets and the reply parser. */
#include <errno.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/nodeplane.h>
#include <netlink/msg.h>

#include "nl/msg.h"

#define BIT64(n) (UINT64_C(1) << (n))

static const char *const info_names[NP_INFO_A_MAX + 1] = {
	[NP_INFO_A_ABI_VERSION] = "NP_INFO_A_ABI_VERSION",
	[NP_INFO_A_VERSION] = "NP_INFO_A_VERSION",
	[NP_INFO_A_FEATURES] = "NP_INFO_A_FEATURES",
	[NP_INFO_A_COUNTS] = "NP_INFO_A_COUNTS",
	[NP_INFO_A_DISABLED] = "NP_INFO_A_DISABLED",
	[NP_INFO_A_LIMITS] = "NP_INFO_A_LIMITS",
	[NP_INFO_A_GENERATION] = "NP_INFO_A_GENERATION",
	[NP_INFO_A_PAD] = "NP_INFO_A_PAD",
};

/* libnl checks minimum lengths only: maxlen makes the integers exact. */
static const struct nla_policy info_policy[NP_INFO_A_MAX + 1] = {
	[NP_INFO_A_ABI_VERSION] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NP_INFO_A_VERSION] = { .type = NLA_STRING, .maxlen = NP_INFO_VERSION_LEN },
	[NP_INFO_A_FEATURES] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NP_INFO_A_COUNTS] = { .type = NLA_NESTED },
	[NP_INFO_A_DISABLED] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NP_INFO_A_LIMITS] = { .type = NLA_NESTED },
	[NP_INFO_A_GENERATION] = { .type = NLA_U64, .maxlen = sizeof(uint64_t) },
};

const struct np_nl_attr_set np_nl_info_attrs = {
	.what = "INFO_GET reply",
	.maxtype = NP_INFO_A_MAX,
	.names = info_names,
	.policy = info_policy,
	.required = BIT64(NP_INFO_A_ABI_VERSION) | BIT64(NP_INFO_A_VERSION) |
		    BIT64(NP_INFO_A_FEATURES),
};

static const char *const count_names[NP_COUNT_A_MAX + 1] = {
	[NP_COUNT_A_PAD] = "NP_COUNT_A_PAD",
	[NP_COUNT_A_REQUESTS] = "NP_COUNT_A_REQUESTS",
	[NP_COUNT_A_OVERLAY_DEVICES] = "NP_COUNT_A_OVERLAY_DEVICES",
	[NP_COUNT_A_OVERLAY_PEERS] = "NP_COUNT_A_OVERLAY_PEERS",
	[NP_COUNT_A_MASQ_CIDRS] = "NP_COUNT_A_MASQ_CIDRS",
	[NP_COUNT_A_LB_FRONTENDS] = "NP_COUNT_A_LB_FRONTENDS",
	[NP_COUNT_A_LB_BACKENDS] = "NP_COUNT_A_LB_BACKENDS",
	[NP_COUNT_A_LB_RANGES] = "NP_COUNT_A_LB_RANGES",
	[NP_COUNT_A_LB_STAGED] = "NP_COUNT_A_LB_STAGED",
};

static const struct nla_policy count_policy[NP_COUNT_A_MAX + 1] = {
	[NP_COUNT_A_REQUESTS] = { .type = NLA_U64, .maxlen = sizeof(uint64_t) },
	[NP_COUNT_A_OVERLAY_DEVICES] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NP_COUNT_A_OVERLAY_PEERS] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NP_COUNT_A_MASQ_CIDRS] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NP_COUNT_A_LB_FRONTENDS] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NP_COUNT_A_LB_BACKENDS] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NP_COUNT_A_LB_RANGES] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NP_COUNT_A_LB_STAGED] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
};

const struct np_nl_attr_set np_nl_count_attrs = {
	.what = "INFO_GET reply NP_INFO_A_COUNTS",
	.maxtype = NP_COUNT_A_MAX,
	.names = count_names,
	.policy = count_policy,
	.required = BIT64(NP_COUNT_A_REQUESTS),
};

static const char *const limit_names[NP_LIMIT_A_MAX + 1] = {
	[NP_LIMIT_A_DEVICES] = "NP_LIMIT_A_DEVICES",
	[NP_LIMIT_A_PEERS] = "NP_LIMIT_A_PEERS",
	[NP_LIMIT_A_CIDRS] = "NP_LIMIT_A_CIDRS",
	[NP_LIMIT_A_LB_FRONTENDS] = "NP_LIMIT_A_LB_FRONTENDS",
	[NP_LIMIT_A_LB_BACKENDS] = "NP_LIMIT_A_LB_BACKENDS",
	[NP_LIMIT_A_LB_RANGES] = "NP_LIMIT_A_LB_RANGES",
};

static const struct nla_policy limit_policy[NP_LIMIT_A_MAX + 1] = {
	[NP_LIMIT_A_DEVICES] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NP_LIMIT_A_PEERS] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NP_LIMIT_A_CIDRS] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NP_LIMIT_A_LB_FRONTENDS] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NP_LIMIT_A_LB_BACKENDS] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NP_LIMIT_A_LB_RANGES] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
};

static const struct np_nl_attr_set np_nl_limit_attrs = {
	.what = "INFO_GET reply NP_INFO_A_LIMITS",
	.maxtype = NP_LIMIT_A_MAX,
	.names = limit_names,
	.policy = limit_policy,
	.required = BIT64(NP_LIMIT_A_DEVICES) | BIT64(NP_LIMIT_A_PEERS) |
		    BIT64(NP_LIMIT_A_CIDRS),
};

/*
 * Reads the u32 attributes first..first+n-1 of tb into out[] when the
 * module sent them (then 1), else 0; -EBADMSG when it sent only some:
 * they come as a group (newer modules send all of them).
 */
static int u32_group(struct nlattr **tb, const struct np_nl_attr_set *set,
		     int first, int n, uint32_t *out, struct np_err *err)
{
	char ref[96], sent[96];
	int i, some = -1;

	for (i = 0; i < n && some < 0; i++)
		if (tb[first + i])
			some = first + i;
	if (some < 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (tb[first + i]) {
			out[i] = nla_get_u32(tb[first + i]);
			continue;
		}
		np_nl_attr_ref(set, (uint32_t)(first + i), ref, sizeof(ref));
		np_nl_attr_ref(set, (uint32_t)some, sent, sizeof(sent));
		return np_err_set(err, EBADMSG,
				  "%s: missing attribute %s (attribute %s was sent)",
				  set->what, ref, sent);
	}
	return 1;
}

int np_nl_info_parse(const struct nlmsghdr *nlh, size_t len,
		     struct np_info *out, struct np_err *err)
{
	struct nlattr *tb[NP_INFO_A_MAX + 1];
	struct nlattr *cnt[NP_COUNT_A_MAX + 1];
	struct nlattr *lim[NP_LIMIT_A_MAX + 1];
	const void *head;
	uint32_t lb[4];
	size_t alen;
	int r;

	memset(out, 0, sizeof(*out));
	r = np_nl_reply_parse(nlh, len, &np_nl_info_attrs, tb, &head, &alen,
			      err);
	if (r)
		return r;
	out->abi = nla_get_u32(tb[NP_INFO_A_ABI_VERSION]);
	/* The policy guarantees a NUL within NP_INFO_VERSION_LEN bytes. */
	np_nl_printable(out->version, sizeof(out->version),
		  nla_data(tb[NP_INFO_A_VERSION]));
	out->features = nla_get_u32(tb[NP_INFO_A_FEATURES]);
	if (tb[NP_INFO_A_COUNTS]) {
		r = np_nl_attr_parse(cnt, &np_nl_count_attrs,
				     nla_data(tb[NP_INFO_A_COUNTS]),
				     (size_t)nla_len(tb[NP_INFO_A_COUNTS]), err);
		if (r)
			return r;
		out->have_counts = 1;
		out->requests = nla_get_u64(cnt[NP_COUNT_A_REQUESTS]);
		/* Older modules do not send these. */
		if (cnt[NP_COUNT_A_OVERLAY_DEVICES]) {
			out->overlay_devices =
				nla_get_u32(cnt[NP_COUNT_A_OVERLAY_DEVICES]);
			out->have |= NP_INFO_HAVE_OVERLAY_DEVICES;
		}
		if (cnt[NP_COUNT_A_OVERLAY_PEERS]) {
			out->overlay_peers =
				nla_get_u32(cnt[NP_COUNT_A_OVERLAY_PEERS]);
			out->have |= NP_INFO_HAVE_OVERLAY_PEERS;
		}
		if (cnt[NP_COUNT_A_MASQ_CIDRS]) {
			out->masq_cidrs = nla_get_u32(cnt[NP_COUNT_A_MASQ_CIDRS]);
			out->have |= NP_INFO_HAVE_MASQ_CIDRS;
		}
		r = u32_group(cnt, &np_nl_count_attrs, NP_COUNT_A_LB_FRONTENDS,
			      4, lb, err);
		if (r < 0)
			return r;
		if (r) {
			out->lb_frontends = lb[0];
			out->lb_backends = lb[1];
			out->lb_ranges = lb[2];
			out->lb_staged = lb[3];
			out->have |= NP_INFO_HAVE_LB_COUNTS;
		}
	}
	if (tb[NP_INFO_A_GENERATION]) {
		out->generation = nla_get_u64(tb[NP_INFO_A_GENERATION]);
		out->have |= NP_INFO_HAVE_GENERATION;
	}
	/* Older modules send neither (and their FEATURES meant "not disabled"). */
	if (tb[NP_INFO_A_DISABLED]) {
		out->disabled = nla_get_u32(tb[NP_INFO_A_DISABLED]);
		out->have |= NP_INFO_HAVE_DISABLED;
	}
	if (tb[NP_INFO_A_LIMITS]) {
		r = np_nl_attr_parse(lim, &np_nl_limit_attrs,
				     nla_data(tb[NP_INFO_A_LIMITS]),
				     (size_t)nla_len(tb[NP_INFO_A_LIMITS]), err);
		if (r)
			return r;
		out->max_devices = nla_get_u32(lim[NP_LIMIT_A_DEVICES]);
		out->max_peers = nla_get_u32(lim[NP_LIMIT_A_PEERS]);
		out->max_cidrs = nla_get_u32(lim[NP_LIMIT_A_CIDRS]);
		out->have |= NP_INFO_HAVE_LIMITS;
		r = u32_group(lim, &np_nl_limit_attrs, NP_LIMIT_A_LB_FRONTENDS,
			      3, lb, err);
		if (r < 0)
			return r;
		if (r) {
			out->max_frontends = lb[0];
			out->max_backends = lb[1];
			out->max_ranges = lb[2];
			out->have |= NP_INFO_HAVE_LB_LIMITS;
		}
	}
	return 0;
}

static int info_build(struct nl_msg *msg, void *ctx)
{
	(void)ctx;
	if (nla_put_u32(msg, NP_INFO_A_ABI_VERSION, NODEPLANE_GENL_VERSION) < 0)
		return -EMSGSIZE;
	return 0;
}

struct info_ctx {
	struct np_info *out;
	int got;
};

static int info_reply(const struct nlmsghdr *nlh, void *ctx,
		      struct np_err *err)
{
	struct info_ctx *c = ctx;
	int r;

	if (c->got)	/* a doit answers once; ignore anything more */
		return 0;
	r = np_nl_info_parse(nlh, nlh->nlmsg_len, c->out, err);
	if (r)
		return r;
	c->got = 1;
	return 0;
}

int np_nl_info_get(struct np_nl *nl, struct np_info *out, struct np_err *err)
{
	struct info_ctx c = { out, 0 };
	int r;

	memset(out, 0, sizeof(*out));
	r = np_nl_request(nl, NP_CMD_INFO_GET, info_build, info_reply, &c, err);
	if (r)
		return r;
	if (!c.got)
		return np_err_set(err, EBADMSG,
				  "INFO_GET: acknowledged without a reply");
	return 0;
}
