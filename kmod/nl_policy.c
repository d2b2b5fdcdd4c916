// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink request policies. Lengths, ranges and masks live here, not in the
 * handlers; attributes that only appear in replies are left NLA_UNSPEC so
 * strict validation rejects them in requests ("Unsupported attribute").
 */
#include "cidr.h"
#include "nl_policy.h"
#include "vxlan_wire.h"

const struct nla_policy np_info_get_policy[NP_INFO_A_MAX + 1] = {
	[NP_INFO_A_ABI_VERSION] = NLA_POLICY_MIN(NLA_U32, 1),
};

/*
 * NP_OVERLAY_A_LOCAL4/6 are an address or empty ("clear"): the length check
 * is a validate function because a zero length is legal too. Flags are a
 * plain u32 checked in nl_overlay.c: the ABI answers -EOPNOTSUPP to unknown
 * bits, which NLA_POLICY_MASK cannot (-EINVAL). CIDR nests are validated
 * here against np_cidr_policy (NLA_POLICY_NESTED, every occurrence); what
 * a policy cannot say (exactly one address, host bits) np_cidr_parse()
 * checks.
 */
static int validate_local4(const struct nlattr *attr,
			   struct netlink_ext_ack *extack)
{
	if (nla_len(attr) == 0 || nla_len(attr) == 4)
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "an IPv4 underlay address is 4 bytes (0 bytes clears it)");
	return -EINVAL;
}

static int validate_local6(const struct nlattr *attr,
			   struct netlink_ext_ack *extack)
{
	if (nla_len(attr) == 0 || nla_len(attr) == 16)
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "an IPv6 underlay address is 16 bytes (0 bytes clears it)");
	return -EINVAL;
}

static struct netlink_range_validation vni_range = {
	.max = NP_VXLAN_VNI_MAX,	/* s16 NLA_POLICY_MAX cannot say it */
};

const struct nla_policy np_overlay_set_policy[NP_OVERLAY_A_MAX + 1] = {
	[NP_OVERLAY_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[NP_OVERLAY_A_VNI] = NLA_POLICY_FULL_RANGE(NLA_U32, &vni_range),
	[NP_OVERLAY_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[NP_OVERLAY_A_LOCAL4] = NLA_POLICY_VALIDATE_FN(NLA_BINARY,
						       validate_local4, 4),
	[NP_OVERLAY_A_LOCAL6] = NLA_POLICY_VALIDATE_FN(NLA_BINARY,
						       validate_local6, 16),
	[NP_OVERLAY_A_MAC] = NLA_POLICY_EXACT_LEN(6),
	[NP_OVERLAY_A_MAC6] = NLA_POLICY_EXACT_LEN(6),
	[NP_OVERLAY_A_FLAGS] = { .type = NLA_U32 },
};

/* Doit: IFINDEX required. Dump: optional, filters. */
const struct nla_policy np_overlay_get_policy[NP_OVERLAY_A_MAX + 1] = {
	[NP_OVERLAY_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
};

const struct nla_policy np_peer_new_policy[NP_PEER_A_MAX + 1] = {
	[NP_PEER_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[NP_PEER_A_MAC] = NLA_POLICY_EXACT_LEN(6),
	[NP_PEER_A_ENDPOINT4] = NLA_POLICY_EXACT_LEN(4),
	[NP_PEER_A_ENDPOINT6] = NLA_POLICY_EXACT_LEN(16),
	[NP_PEER_A_CIDR] = NLA_POLICY_NESTED(np_cidr_policy),
};

const struct nla_policy np_peer_del_policy[NP_PEER_A_MAX + 1] = {
	[NP_PEER_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[NP_PEER_A_MAC] = NLA_POLICY_EXACT_LEN(6),
};

const struct nla_policy np_peer_get_policy[NP_PEER_A_MAX + 1] = {
	[NP_PEER_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
};

/*
 * NP_MASQ_A_CIDR nests: np_cidr_policy here, the rest in np_cidr_parse()
 * (nl_masq.c). NP_MASQ_A_FLAGS is a plain u32:
 * unknown bits answer -EOPNOTSUPP there, which NLA_POLICY_MASK cannot
 * (it answers -EINVAL).
 */
const struct nla_policy np_masq_set_policy[NP_MASQ_A_MAX + 1] = {
	[NP_MASQ_A_CIDR] = NLA_POLICY_NESTED(np_cidr_policy),
	[NP_MASQ_A_FLAGS] = { .type = NLA_U32 },
};

/* MASQ_GET takes no attribute. */
const struct nla_policy np_masq_get_policy[NP_MASQ_A_MAX + 1] = {
};

/*
 * NP_CMD_LB_*. FAMILY and PROTO take a few values only, checked in
 * nl_lb.c (parse_key): a validate function on an integer type makes the
 * core WARN when it reports that attribute's policy in an ack (6.1's
 * nla_get_range_unsigned() knows no NLA_VALIDATE_FUNCTION). Flags and
 * STAGE are plain u32 (unknown bits answer -EOPNOTSUPP in nl_lb.c);
 * AFFINITY's maximum does not fit the s16 of NLA_POLICY_MAX.
 */
static struct netlink_range_validation affinity_range = {
	.max = NP_LB_AFFINITY_MAX,
};

const struct nla_policy np_lbb_policy[NP_LBB_A_MAX + 1] = {
	[NP_LBB_A_ADDR4] = NLA_POLICY_EXACT_LEN(4),
	[NP_LBB_A_ADDR6] = NLA_POLICY_EXACT_LEN(16),
	[NP_LBB_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[NP_LBB_A_FLAGS] = { .type = NLA_U32 },
};

const struct nla_policy np_lb_set_policy[NP_LB_A_MAX + 1] = {
	[NP_LB_A_FAMILY] = { .type = NLA_U8 },
	[NP_LB_A_PROTO] = { .type = NLA_U8 },
	[NP_LB_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[NP_LB_A_LOCAL4] = NLA_POLICY_EXACT_LEN(4),
	[NP_LB_A_LOCAL6] = NLA_POLICY_EXACT_LEN(16),
	[NP_LB_A_OWNER] = NLA_POLICY_RANGE(NLA_U8, NP_LB_OWNER_SERVICELB,
					   NP_LB_OWNER_MAX),
	[NP_LB_A_FLAGS] = { .type = NLA_U32 },
	[NP_LB_A_AFFINITY] = NLA_POLICY_FULL_RANGE(NLA_U32, &affinity_range),
	[NP_LB_A_BACKEND] = NLA_POLICY_NESTED(np_lbb_policy),
	[NP_LB_A_RANGE] = NLA_POLICY_NESTED(np_cidr_policy),
	[NP_LB_A_STAGE] = { .type = NLA_U32 },
	[NP_LB_A_GENERATION] = { .type = NLA_U64 },
};

/* DEL: the key, the expected generation and owner (preconditions). */
const struct nla_policy np_lb_del_policy[NP_LB_A_MAX + 1] = {
	[NP_LB_A_FAMILY] = { .type = NLA_U8 },
	[NP_LB_A_PROTO] = { .type = NLA_U8 },
	[NP_LB_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[NP_LB_A_LOCAL4] = NLA_POLICY_EXACT_LEN(4),
	[NP_LB_A_LOCAL6] = NLA_POLICY_EXACT_LEN(16),
	[NP_LB_A_OWNER] = NLA_POLICY_RANGE(NLA_U8, NP_LB_OWNER_SERVICELB,
					   NP_LB_OWNER_MAX),
	[NP_LB_A_GENERATION] = { .type = NLA_U64 },
};

/* GET: the key (doit); a dump takes none of them. */
const struct nla_policy np_lb_get_policy[NP_LB_A_MAX + 1] = {
	[NP_LB_A_FAMILY] = { .type = NLA_U8 },
	[NP_LB_A_PROTO] = { .type = NLA_U8 },
	[NP_LB_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[NP_LB_A_LOCAL4] = NLA_POLICY_EXACT_LEN(4),
	[NP_LB_A_LOCAL6] = NLA_POLICY_EXACT_LEN(16),
};

/*
 * NP_CMD_POLICY_*. Class ids do not fit the s16 of NLA_POLICY_MAX; PROTO
 * takes three values, checked in nl_pol.c (as NP_LB_A_PROTO); FLAGS and
 * STAGE are plain u32 (unknown bits answer -EOPNOTSUPP in nl_pol.c).
 */
static struct netlink_range_validation pol_class_range = {
	.max = NP_POL_CLASS_MAX,
};

static struct netlink_range_validation pol_rule_class_range = {
	.min = 1,
	.max = NP_POL_CLASS_MAX,
};

const struct nla_policy np_pport_policy[NP_PPORT_A_MAX + 1] = {
	[NP_PPORT_A_PROTO] = { .type = NLA_U8 },
	[NP_PPORT_A_FIRST] = NLA_POLICY_MIN(NLA_U16, 1),
	[NP_PPORT_A_LAST] = NLA_POLICY_MIN(NLA_U16, 1),
};

const struct nla_policy np_prule_policy[NP_PRULE_A_MAX + 1] = {
	[NP_PRULE_A_DIR] = NLA_POLICY_MAX(NLA_U8, NP_POL_DIR_MAX),
	[NP_PRULE_A_CLASS] = NLA_POLICY_FULL_RANGE(NLA_U32,
						   &pol_rule_class_range),
	[NP_PRULE_A_PORT] = NLA_POLICY_NESTED(np_pport_policy),
};

const struct nla_policy np_pep_policy[NP_PEP_A_MAX + 1] = {
	[NP_PEP_A_ADDR4] = NLA_POLICY_EXACT_LEN(4),
	[NP_PEP_A_ADDR6] = NLA_POLICY_EXACT_LEN(16),
	[NP_PEP_A_FLAGS] = { .type = NLA_U32 },
	[NP_PEP_A_NAME] = { .type = NLA_NUL_STRING, .len = NP_PEP_NAME_MAX },
	[NP_PEP_A_RULE] = NLA_POLICY_NESTED(np_prule_policy),
};

const struct nla_policy np_pcls_policy[NP_PCLS_A_MAX + 1] = {
	[NP_PCLS_A_CIDR] = NLA_POLICY_NESTED(np_cidr_policy),
	[NP_PCLS_A_CLASS] = NLA_POLICY_FULL_RANGE(NLA_U32, &pol_class_range),
};

const struct nla_policy np_pol_set_policy[NP_POL_A_MAX + 1] = {
	[NP_POL_A_STAGE] = { .type = NLA_U32 },
	[NP_POL_A_GENERATION] = { .type = NLA_U64 },
	[NP_POL_A_CLASS] = NLA_POLICY_NESTED(np_pcls_policy),
	[NP_POL_A_ENDPOINT] = NLA_POLICY_NESTED(np_pep_policy),
};

/* A dump takes no attribute. */
const struct nla_policy np_pol_get_policy[NP_POL_A_MAX + 1] = {
};
