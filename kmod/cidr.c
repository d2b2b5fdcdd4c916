// SPDX-License-Identifier: GPL-2.0
/* CIDRs in netlink: the NP_CIDR_A_* nest shared by peers, masquerade and,
 * later, policy sets and LB source ranges.
 */
#include <linux/nodeplane.h>

#include "cidr.h"

const struct nla_policy np_cidr_policy[NP_CIDR_A_MAX + 1] = {
	[NP_CIDR_A_ADDR4] = NLA_POLICY_EXACT_LEN(4),
	[NP_CIDR_A_ADDR6] = NLA_POLICY_EXACT_LEN(16),
	[NP_CIDR_A_PREFIXLEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

bool np_cidr_contains(const struct np_cidr *c, enum np_lpm_family fam,
		      const u8 *addr)
{
	unsigned int bytes = c->plen / 8, rem = c->plen % 8;

	if (c->family != fam || memcmp(c->addr, addr, bytes))
		return false;
	return !rem || !((c->addr[bytes] ^ addr[bytes]) & (0xff00 >> rem));
}

int np_cidr_parse(const struct nlattr *nest, struct np_cidr *c,
		  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NP_CIDR_A_MAX + 1];
	const struct nlattr *a;
	unsigned int bits, i;
	int err;

	err = nla_parse_nested(tb, NP_CIDR_A_MAX, nest, np_cidr_policy, extack);
	if (err)
		return err;
	if (!!tb[NP_CIDR_A_ADDR4] == !!tb[NP_CIDR_A_ADDR6]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "a CIDR needs exactly one of NP_CIDR_A_ADDR4 and NP_CIDR_A_ADDR6");
		return -EINVAL;
	}
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, NP_CIDR_A_PREFIXLEN)) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "a CIDR needs NP_CIDR_A_PREFIXLEN");
		return -EINVAL;
	}
	a = tb[NP_CIDR_A_ADDR4] ? tb[NP_CIDR_A_ADDR4] : tb[NP_CIDR_A_ADDR6];
	c->family = tb[NP_CIDR_A_ADDR4] ? NP_LPM_V4 : NP_LPM_V6;
	bits = np_lpm_bits(c->family);
	c->plen = nla_get_u8(tb[NP_CIDR_A_PREFIXLEN]);
	if (c->plen > bits) {
		/* only IPv4 gets here: the policy caps the length at 128 */
		NL_SET_ERR_MSG_ATTR(extack, tb[NP_CIDR_A_PREFIXLEN],
				    "IPv4 prefix length over 32");
		return -EINVAL;
	}
	memset(c->addr, 0, sizeof(c->addr));
	nla_memcpy(c->addr, a, bits / 8);
	for (i = c->plen; i < bits; i++) {
		if (c->addr[i / 8] & (0x80 >> (i % 8))) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "CIDR has host bits set past its prefix length");
			return -EINVAL;
		}
	}
	return 0;
}

int np_cidr_put(struct sk_buff *skb, int attrtype, const struct np_cidr *c)
{
	struct nlattr *nest = nla_nest_start(skb, attrtype);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put(skb, c->family == NP_LPM_V4 ? NP_CIDR_A_ADDR4 : NP_CIDR_A_ADDR6,
		    np_lpm_bits(c->family) / 8, c->addr) ||
	    nla_put_u8(skb, NP_CIDR_A_PREFIXLEN, c->plen)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}
