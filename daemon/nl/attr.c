// SPDX-License-Identifier: GPL-2.0-only
/*
 * Attribute sets: validation of reply attributes against a policy, with
 * errors that name the attribute, and attribute names for extack reports.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include <linux/nodeplane.h>

#include "nl/msg.h"

const struct np_nl_attr_set *np_nl_cmd_attrs(uint8_t cmd)
{
	switch (cmd) {
	case NP_CMD_INFO_GET:
		return &np_nl_info_attrs;
	case NP_CMD_OVERLAY_SET:
	case NP_CMD_OVERLAY_GET:
		return &np_nl_overlay_attrs;
	case NP_CMD_PEER_NEW:
	case NP_CMD_PEER_DEL:
	case NP_CMD_PEER_GET:
		return &np_nl_peer_attrs;
	case NP_CMD_MASQ_SET:
	case NP_CMD_MASQ_GET:
		return &np_nl_masq_attrs;
	case NP_CMD_LB_SET:
	case NP_CMD_LB_DEL:
	case NP_CMD_LB_GET:
		return &np_nl_lb_attrs;
	case NP_CMD_POLICY_SET:
	case NP_CMD_POLICY_GET:
		return &np_nl_pol_attrs;
	default:
		return NULL;
	}
}

const char *np_nl_attr_ref(const struct np_nl_attr_set *set, uint32_t type,
			   char *buf, size_t len)
{
	if (set && type <= (uint32_t)set->maxtype && set->names[type])
		snprintf(buf, len, "%u (%s)", type, set->names[type]);
	else
		snprintf(buf, len, "%u", type);
	return buf;
}

static const char *policy_type_name(uint16_t type)
{
	switch (type) {
	case NLA_U8:		return "u8";
	case NLA_U16:		return "u16";
	case NLA_U32:		return "u32";
	case NLA_U64:		return "u64";
	case NLA_STRING:	return "string";
	case NLA_FLAG:		return "flag";
	case NLA_NESTED:	return "nested";
	default:		return "binary";
	}
}

/* libnl's implied minimum payload lengths (lib/attr.c, nla_attr_minlen). */
static unsigned int policy_minlen(const struct nla_policy *pt)
{
	if (pt->minlen)
		return pt->minlen;
	switch (pt->type) {
	case NLA_U8:		return 1;
	case NLA_U16:		return 2;
	case NLA_U32:		return 4;
	case NLA_U64:		return 8;
	case NLA_STRING:	return 1;
	default:		return 0;
	}
}

/* nla_parse() refused the stream: find the attribute and say what is wrong. */
static int describe_invalid(const struct np_nl_attr_set *set,
			    struct nlattr *head, int len, int nlerr,
			    struct np_err *err)
{
	struct nlattr *nla;
	char ref[96];
	int rem;

	nla_for_each_attr(nla, head, len, rem) {
		const struct nla_policy *pt;
		int type = nla_type(nla), alen = nla_len(nla);
		unsigned int minlen;

		if (type > set->maxtype ||
		    nla_validate(nla, nla->nla_len, set->maxtype,
				 set->policy) == 0)
			continue;
		pt = &set->policy[type];
		minlen = policy_minlen(pt);
		np_nl_attr_ref(set, type, ref, sizeof(ref));
		if (pt->type == NLA_STRING && pt->maxlen && alen > pt->maxlen)
			return np_err_set(err, EBADMSG,
					  "%s: attribute %s: string of %d bytes, at most %u allowed",
					  set->what, ref, alen, pt->maxlen);
		if (pt->type == NLA_STRING && alen >= 1)
			return np_err_set(err, EBADMSG,
					  "%s: attribute %s: string not NUL-terminated",
					  set->what, ref);
		if (pt->maxlen && minlen == pt->maxlen)
			return np_err_set(err, EBADMSG,
					  "%s: attribute %s: expected %s (%u bytes), got %d bytes",
					  set->what, ref, policy_type_name(pt->type),
					  minlen, alen);
		return np_err_set(err, EBADMSG,
				  "%s: attribute %s: %s of %d bytes, expected %u..%u",
				  set->what, ref, policy_type_name(pt->type), alen,
				  minlen, pt->maxlen ? pt->maxlen : 65535);
	}
	return np_err_set(err, EBADMSG, "%s: invalid attributes (%s)",
			  set->what, nl_geterror(nlerr));
}

int np_nl_attr_parse(struct nlattr **tb, const struct np_nl_attr_set *set,
		     const void *head, size_t len, struct np_err *err)
{
	/* libnl takes non-const pointers but only reads through them. */
	struct nlattr *attrs = (struct nlattr *)head;
	struct nlattr *nla;
	char ref[96];
	int rem, r, t;

	if (len > INT_MAX)
		return np_err_set(err, EBADMSG, "%s: %zu bytes of attributes",
				  set->what, len);
	r = nla_parse(tb, set->maxtype, attrs, (int)len, set->policy);
	if (r < 0)
		return describe_invalid(set, attrs, (int)len, r, err);

	/* nla_parse() stops silently at a truncated attribute. */
	nla_for_each_attr(nla, attrs, (int)len, rem)
		;
	if (rem > 0)
		return np_err_set(err, EBADMSG,
				  "%s: truncated attribute at byte %zu",
				  set->what, len - (size_t)rem);

	for (t = 0; t <= set->maxtype && t < 64; t++) {
		if (!(set->required & (UINT64_C(1) << t)) || tb[t])
			continue;
		np_nl_attr_ref(set, (uint32_t)t, ref, sizeof(ref));
		return np_err_set(err, EBADMSG, "%s: missing attribute %s",
				  set->what, ref);
	}
	return 0;
}

int np_nl_reply_parse(const struct nlmsghdr *nlh, size_t len,
		      const struct np_nl_attr_set *set, struct nlattr **tb,
		      const void **head, size_t *alen, struct np_err *err)
{
	const size_t hdr = NLMSG_HDRLEN + GENL_HDRLEN;

	if (len < NLMSG_HDRLEN || nlh->nlmsg_len > len || nlh->nlmsg_len < hdr)
		return np_err_set(err, EBADMSG, "%s: truncated message",
				  set->what);
	*head = (const unsigned char *)nlh + hdr;
	*alen = nlh->nlmsg_len - hdr;
	return np_nl_attr_parse(tb, set, *head, *alen, err);
}

void np_nl_printable(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < len && src[i]; i++)
		dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ?
			 '?' : src[i];
	dst[i] = '\0';
}
