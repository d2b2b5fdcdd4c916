// SPDX-License-Identifier: GPL-2.0-only
/*
 * Extended ACK parser: turns the kernel's NLMSG_ERROR (or NLMSG_DONE) status
 * and its TLVs into a struct np_err with a readable message.
 *
 * Layout of an NLMSG_ERROR message (net/netlink/af_netlink.c, netlink_ack):
 *   nlmsghdr | nlmsgerr { int error; nlmsghdr msg; }
 *            | request payload, NLMSG_ALIGNed (absent if NLM_F_CAPPED)
 *            | TLVs NLMSGERR_ATTR_* (present if NLM_F_ACK_TLVS)
 * An NLMSG_DONE carries an int error, then the TLVs.
 * OFFS and MISS_NEST are byte offsets from the start of the request's
 * nlmsghdr, which is the echoed copy in nlmsgerr.msg when not capped.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "nl/msg.h"

struct out {
	char *buf;
	size_t len;
	size_t used;
	bool any;	/* a part was written: the next one needs "; " */
};

static void out_add(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void out_add(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->used >= o->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->used, o->len - o->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->used += (size_t)n;
	if (o->used >= o->len)
		o->used = o->len;
}

static void out_part(struct out *o)
{
	if (o->any)
		out_add(o, "; ");
	o->any = true;
}

static bool get_u32(const struct nlattr *nla, uint32_t *v)
{
	if (!nla || nla_len(nla) != sizeof(*v))
		return false;
	memcpy(v, nla_data(nla), sizeof(*v));
	return true;
}

static bool get_u64(const struct nlattr *nla, uint64_t *v)
{
	if (!nla || nla_len(nla) != sizeof(*v))
		return false;
	memcpy(v, nla_data(nla), sizeof(*v));
	return true;
}

/* The kernel's message, printable characters only. */
static void add_text(struct out *o, const struct nlattr *nla)
{
	const unsigned char *s = nla_data(nla);
	int i, n = nla_len(nla);

	if (n <= 0 || !s[0])
		return;
	out_part(o);
	for (i = 0; i < n && s[i]; i++)
		out_add(o, "%c", s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i]);
}

/* The echoed request, if the status message carries it. */
struct echo {
	const unsigned char *req;	/* request's nlmsghdr, or NULL */
	size_t len;			/* its nlmsg_len, known readable */
};

/*
 * Describes the attribute at offset offs of the request: a top-level one
 * by number and name, a nested one by number and offset.
 */
static void add_attr_at(struct out *o, const struct echo *ec, uint32_t offs,
			const struct np_nl_attr_set *set)
{
	const size_t top = NLMSG_HDRLEN + GENL_HDRLEN;
	const struct nlattr *nla;
	struct nlattr hdr;
	char ref[96];
	int rem;

	if (!ec->req || offs < top || (size_t)offs + NLA_HDRLEN > ec->len) {
		out_add(o, "attribute at offset %" PRIu32, offs);
		return;
	}
	nla_for_each_attr(nla, (struct nlattr *)(ec->req + top),
			  (int)(ec->len - top), rem) {
		if ((const unsigned char *)nla == ec->req + offs) {
			out_add(o, "attribute %s",
				np_nl_attr_ref(set, (uint32_t)nla_type(nla),
					       ref, sizeof(ref)));
			return;
		}
	}
	memcpy(&hdr, ec->req + offs, sizeof(hdr));
	out_add(o, "nested attribute %u at offset %" PRIu32,
		hdr.nla_type & NLA_TYPE_MASK, offs);
}

static const char *const policy_types[] = {
	[NL_ATTR_TYPE_FLAG] = "flag",
	[NL_ATTR_TYPE_U8] = "u8",
	[NL_ATTR_TYPE_U16] = "u16",
	[NL_ATTR_TYPE_U32] = "u32",
	[NL_ATTR_TYPE_U64] = "u64",
	[NL_ATTR_TYPE_S8] = "s8",
	[NL_ATTR_TYPE_S16] = "s16",
	[NL_ATTR_TYPE_S32] = "s32",
	[NL_ATTR_TYPE_S64] = "s64",
	[NL_ATTR_TYPE_BINARY] = "binary",
	[NL_ATTR_TYPE_STRING] = "string",
	[NL_ATTR_TYPE_NUL_STRING] = "NUL-terminated string",
	[NL_ATTR_TYPE_NESTED] = "nested",
	[NL_ATTR_TYPE_NESTED_ARRAY] = "nested array",
	[NL_ATTR_TYPE_BITFIELD32] = "bitfield32",
};

/* Widest value range of an integer type, to leave the implied one unsaid. */
static void natural_range(uint32_t type, uint64_t *umax, int64_t *smin,
			  int64_t *smax)
{
	*umax = UINT64_MAX;
	*smin = INT64_MIN;
	*smax = INT64_MAX;
	switch (type) {
	case NL_ATTR_TYPE_U8:	*umax = UINT8_MAX; break;
	case NL_ATTR_TYPE_U16:	*umax = UINT16_MAX; break;
	case NL_ATTR_TYPE_U32:	*umax = UINT32_MAX; break;
	case NL_ATTR_TYPE_S8:	*smin = INT8_MIN; *smax = INT8_MAX; break;
	case NL_ATTR_TYPE_S16:	*smin = INT16_MIN; *smax = INT16_MAX; break;
	case NL_ATTR_TYPE_S32:	*smin = INT32_MIN; *smax = INT32_MAX; break;
	default: break;
	}
}

/* NLMSGERR_ATTR_POLICY: "expected u32 in 1..4", "expected string of length 1..63". */
static void add_policy(struct out *o, struct nlattr *pol)
{
	struct nlattr *tb[NL_POLICY_TYPE_ATTR_MAX + 1];
	uint64_t umin, umax, unat, mask;
	int64_t smin, smax, snmin, snmax;
	uint32_t type, lmin, lmax, bmask;
	bool hmin, hmax;

	if (nla_parse_nested(tb, NL_POLICY_TYPE_ATTR_MAX, pol, NULL) < 0 ||
	    !get_u32(tb[NL_POLICY_TYPE_ATTR_TYPE], &type) ||
	    type >= sizeof(policy_types) / sizeof(policy_types[0]) ||
	    !policy_types[type])
		return;
	out_part(o);
	out_add(o, "expected %s", policy_types[type]);
	natural_range(type, &unat, &snmin, &snmax);

	hmin = get_u64(tb[NL_POLICY_TYPE_ATTR_MIN_VALUE_U], &umin);
	hmax = get_u64(tb[NL_POLICY_TYPE_ATTR_MAX_VALUE_U], &umax);
	if (!hmin)
		umin = 0;
	if (!hmax)
		umax = unat;
	if (umin != 0 || umax != unat)
		out_add(o, " in %" PRIu64 "..%" PRIu64, umin, umax);

	hmin = get_u64(tb[NL_POLICY_TYPE_ATTR_MIN_VALUE_S], (uint64_t *)&smin);
	hmax = get_u64(tb[NL_POLICY_TYPE_ATTR_MAX_VALUE_S], (uint64_t *)&smax);
	if (!hmin)
		smin = snmin;
	if (!hmax)
		smax = snmax;
	if (smin != snmin || smax != snmax)
		out_add(o, " in %" PRId64 "..%" PRId64, smin, smax);

	hmin = get_u32(tb[NL_POLICY_TYPE_ATTR_MIN_LENGTH], &lmin);
	hmax = get_u32(tb[NL_POLICY_TYPE_ATTR_MAX_LENGTH], &lmax);
	if (hmin && hmax)
		out_add(o, " of length %" PRIu32 "..%" PRIu32, lmin, lmax);
	else if (hmin)
		out_add(o, " of length >= %" PRIu32, lmin);
	else if (hmax)
		out_add(o, " of length <= %" PRIu32, lmax);

	if (get_u64(tb[NL_POLICY_TYPE_ATTR_MASK], &mask))
		out_add(o, " with mask 0x%" PRIx64, mask);
	if (get_u32(tb[NL_POLICY_TYPE_ATTR_BITFIELD32_MASK], &bmask))
		out_add(o, " with mask 0x%" PRIx32, bmask);
}

static void compose(struct out *o, struct nlattr **tb, const struct echo *ec,
		    const struct np_nl_attr_set *set)
{
	uint32_t offs, miss, nest;
	char ref[96];

	if (tb[NLMSGERR_ATTR_MSG])
		add_text(o, tb[NLMSGERR_ATTR_MSG]);
	if (get_u32(tb[NLMSGERR_ATTR_OFFS], &offs)) {
		out_part(o);
		add_attr_at(o, ec, offs, set);
	}
	if (get_u32(tb[NLMSGERR_ATTR_MISS_TYPE], &miss)) {
		out_part(o);
		if (get_u32(tb[NLMSGERR_ATTR_MISS_NEST], &nest)) {
			out_add(o, "missing attribute %" PRIu32 " in ", miss);
			/* The nest is named relative to the request's top level. */
			add_attr_at(o, ec, nest, set);
		} else {
			out_add(o, "missing attribute %s",
				np_nl_attr_ref(set, miss, ref, sizeof(ref)));
		}
	}
	if (tb[NLMSGERR_ATTR_POLICY])
		add_policy(o, tb[NLMSGERR_ATTR_POLICY]);
}

int np_nl_extack_parse(const struct nlmsghdr *nlh, size_t len,
		       const struct np_nl_attr_set *set, struct np_err *err)
{
	const unsigned char *base = (const unsigned char *)nlh;
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	struct echo ec = { NULL, 0 };
	struct out o = { err->msg, sizeof(err->msg), 0, false };
	size_t msglen, off;
	int32_t status;

	np_err_clear(err);
	if (len < NLMSG_HDRLEN || nlh->nlmsg_len < NLMSG_HDRLEN ||
	    nlh->nlmsg_len > len)
		return np_err_set(err, EBADMSG, "malformed netlink status message");
	msglen = nlh->nlmsg_len;

	if (nlh->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr e;

		if (msglen < NLMSG_HDRLEN + sizeof(e))
			return np_err_set(err, EBADMSG,
					  "truncated netlink error message");
		memcpy(&e, base + NLMSG_HDRLEN, sizeof(e));
		status = e.error;
		off = NLMSG_HDRLEN + sizeof(e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
			size_t reqlen = e.msg.nlmsg_len;

			if (reqlen >= NLMSG_HDRLEN &&
			    reqlen - NLMSG_HDRLEN <= msglen - off) {
				ec.req = base + NLMSG_HDRLEN + sizeof(int);
				ec.len = reqlen;
				off += NLMSG_ALIGN(reqlen - NLMSG_HDRLEN);
			} else {
				off = msglen;	/* bad echo: TLVs unreachable */
			}
		}
	} else if (nlh->nlmsg_type == NLMSG_DONE) {
		status = 0;
		off = msglen;
		if (msglen >= NLMSG_HDRLEN + sizeof(status)) {
			memcpy(&status, base + NLMSG_HDRLEN, sizeof(status));
			off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(status));
		}
	} else {
		return np_err_set(err, EBADMSG,
				  "netlink message type %u is not a status",
				  nlh->nlmsg_type);
	}

	err->err = status < 0 ? -status : status;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off >= msglen)
		return err->err;
	/* Malformed TLVs are ignored: the status itself stands. */
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)(base + off),
		      (int)(msglen - off), NULL) < 0)
		return err->err;
	compose(&o, tb, &ec, set);
	return err->err;
}
