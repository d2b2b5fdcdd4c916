// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the overlay, peer and masquerade replies share: the generic-netlink
 * reply header and the NP_CIDR_A_* nest (NP_PEER_A_CIDR, NP_MASQ_A_CIDR).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/nodeplane.h>
#include <netlink/msg.h>

#include "nl/msg.h"

const char *const np_nl_cidr_names[NP_CIDR_A_MAX + 1] = {
	[NP_CIDR_A_ADDR4] = "NP_CIDR_A_ADDR4",
	[NP_CIDR_A_ADDR6] = "NP_CIDR_A_ADDR6",
	[NP_CIDR_A_PREFIXLEN] = "NP_CIDR_A_PREFIXLEN",
};

const struct nla_policy np_nl_cidr_policy[NP_CIDR_A_MAX + 1] = {
	[NP_CIDR_A_ADDR4] = { .type = NLA_UNSPEC, .minlen = 4, .maxlen = 4 },
	[NP_CIDR_A_ADDR6] = { .type = NLA_UNSPEC, .minlen = 16, .maxlen = 16 },
	[NP_CIDR_A_PREFIXLEN] = { .type = NLA_U8, .maxlen = sizeof(uint8_t) },
};

int np_nl_cidr_parse(const struct nlattr *nest,
		     const struct np_nl_attr_set *set, struct np_cidr *out,
		     struct np_err *err)
{
	struct nlattr *tb[NP_CIDR_A_MAX + 1];
	unsigned int bits;
	int r;

	memset(out, 0, sizeof(*out));
	r = np_nl_attr_parse(tb, set, nla_data(nest), (size_t)nla_len(nest),
			     err);
	if (r)
		return r;
	if (!!tb[NP_CIDR_A_ADDR4] == !!tb[NP_CIDR_A_ADDR6])
		return np_err_set(err, EBADMSG,
				  "%s: needs exactly one of NP_CIDR_A_ADDR4 and NP_CIDR_A_ADDR6",
				  set->what);
	if (tb[NP_CIDR_A_ADDR4]) {
		out->addr.family = AF_INET;
		memcpy(out->addr.a, nla_data(tb[NP_CIDR_A_ADDR4]), 4);
		bits = 32;
	} else {
		out->addr.family = AF_INET6;
		memcpy(out->addr.a, nla_data(tb[NP_CIDR_A_ADDR6]), 16);
		bits = 128;
	}
	out->prefixlen = nla_get_u8(tb[NP_CIDR_A_PREFIXLEN]);
	if (out->prefixlen > bits)
		return np_err_set(err, EBADMSG,
				  "%s: attribute %u (NP_CIDR_A_PREFIXLEN): %u is over %u",
				  set->what, NP_CIDR_A_PREFIXLEN,
				  out->prefixlen, bits);
	return 0;
}

int np_nl_cidr_put(struct nl_msg *msg, int type, const struct np_cidr *c)
{
	int v4 = c->addr.family == AF_INET;
	struct nlattr *nest;

	if (!v4 && c->addr.family != AF_INET6)
		return -EINVAL;
	nest = nla_nest_start(msg, NLA_F_NESTED | type);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put(msg, v4 ? NP_CIDR_A_ADDR4 : NP_CIDR_A_ADDR6, v4 ? 4 : 16,
		    c->addr.a) < 0 ||
	    nla_put_u8(msg, NP_CIDR_A_PREFIXLEN, c->prefixlen) < 0) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}
