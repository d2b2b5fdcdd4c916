// SPDX-License-Identifier: GPL-2.0
/*
 * The masquerade decision (docs/masquerade.md, "The decision"): which new
 * connections masq.c's NAT hook hands to nf_nat's masquerade. Pure, so
 * tests/kunit/masq_rule_test.c can check it against a reference.
 */
#include <linux/nodeplane.h>

#include "masq.h"

static bool is_multicast(enum np_lpm_family fam, const u8 *addr)
{
	if (fam == NP_LPM_V4)
		return (addr[0] & 0xf0) == 0xe0;	/* 224.0.0.0/4 */
	return addr[0] == 0xff;				/* ff00::/8 */
}

bool np_masq_family_on(const struct np_masq_config *cfg,
		       enum np_lpm_family fam)
{
	if (!cfg || !cfg->has[fam])
		return false;
	return fam == NP_LPM_V4 || (cfg->flags & NP_MASQ_F_IPV6);
}

enum np_masq_verdict np_masq_decide(const struct np_masq_config *cfg,
				    enum np_lpm_family fam, const u8 *src,
				    const u8 *dst, u32 mark, bool out_overlay)
{
	bool src_in, dst_in;

	if (!np_masq_family_on(cfg, fam))
		return NP_MASQ_KEEP_UNCONFIGURED;
	if (mark & NP_MASQ_KUBE_PROXY_MARK)			/* rule 1 */
		return NP_MASQ_KEEP_MARKED;
	src_in = np_cidr_contains(&cfg->cidr[fam], fam, src);
	dst_in = np_cidr_contains(&cfg->cidr[fam], fam, dst);
	if (src_in && dst_in)					/* rule 2 */
		return NP_MASQ_KEEP_IN_CLUSTER;
	if (dst_in)						/* rule 3 */
		return out_overlay ? NP_MASQ_SNAT_TO_REMOTE_POD :
				     NP_MASQ_KEEP_TO_LOCAL_POD;
	if (src_in && !is_multicast(fam, dst))			/* rule 4 */
		return NP_MASQ_SNAT_LEAVING;
	return NP_MASQ_KEEP_OTHER;				/* rule 5 */
}
