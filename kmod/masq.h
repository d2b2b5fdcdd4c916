/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NP_MASQ_H
#define _NP_MASQ_H

#include <linux/rcupdate.h>
#include <linux/types.h>
#include <net/netlink.h>

#include "cidr.h"
#include "pernet.h"

/*
 * The masquerade configuration of one netns (NP_CMD_MASQ_SET): at most one
 * cluster CIDR per family and the NP_MASQ_F_* flags. Never changed once
 * published; MASQ_SET builds a new one and replaces it as a whole.
 */
struct np_masq_config {
	struct rcu_head rcu;
	u32 flags;				/* NP_MASQ_F_* */
	bool has[__NP_LPM_FAMILIES];		/* cidr[fam] is set */
	struct np_cidr cidr[__NP_LPM_FAMILIES];	/* cluster CIDR per family */
};

/*
 * What the POST_ROUTING hook decides for a new connection; one value per
 * rule of docs/masquerade.md, in the order they are tried.
 */
enum np_masq_verdict {
	NP_MASQ_KEEP_UNCONFIGURED,	/* family off: no CIDR or IPv6 switched off */
	NP_MASQ_KEEP_MARKED,		/* 1: mark 0x4000, kube-proxy masquerades */
	NP_MASQ_KEEP_IN_CLUSTER,	/* 2: pod to pod */
	NP_MASQ_SNAT_TO_REMOTE_POD,	/* 3: non-pod to a pod over the overlay */
	NP_MASQ_KEEP_TO_LOCAL_POD,	/* 3: non-pod to a pod not over the overlay */
	NP_MASQ_SNAT_LEAVING,		/* 4: pod to outside the cluster */
	NP_MASQ_KEEP_OTHER,		/* 5: multicast, or neither end a pod */
};

/* kube-proxy's "masquerade this" bit (KUBE-MARK-MASQ), left to kube-proxy. */
#define NP_MASQ_KUBE_PROXY_MARK 0x4000

/*
 * masq_rule.c. The decision alone, on a connection's source and destination
 * (network order, @fam's length), the skb mark and whether the packet leaves
 * through a nodeplane overlay device. Pure: no skb, no conntrack, no locks.
 */
enum np_masq_verdict np_masq_decide(const struct np_masq_config *cfg,
				    enum np_lpm_family fam, const u8 *src,
				    const u8 *dst, u32 mark, bool out_overlay);
/* Does @cfg (may be NULL) masquerade family @fam at all? */
bool np_masq_family_on(const struct np_masq_config *cfg,
		       enum np_lpm_family fam);

static inline bool np_masq_verdict_is_snat(enum np_masq_verdict v)
{
	return v == NP_MASQ_SNAT_TO_REMOTE_POD || v == NP_MASQ_SNAT_LEAVING;
}

/*
 * Replace @net's configuration with @cfg (NULL clears it), registering the
 * NAT hook of each family @cfg enables and unregistering the others. Takes
 * ownership of @cfg; on error the old configuration stays and @cfg is freed.
 * Caller holds the netns mutex.
 */
int np_masq_replace(struct net *net, struct np_masq_config *cfg,
		    struct netlink_ext_ack *extack);
/* Copy the current configuration into @out; false (and @out zeroed) if none. */
bool np_masq_snapshot(struct np_net *nn, struct np_masq_config *out);
/* Number of cluster CIDRs set (NP_COUNT_A_MASQ_CIDRS). */
u32 np_masq_cidr_count(struct np_net *nn);
/*
 * Make sure the nf_nat masquerade device/address notifiers are registered
 * (once per module load, on first use). Call without the netns mutex.
 */
int np_masq_notifiers_get(void);

int np_masq_init(void);
void np_masq_exit(void);

#endif /* _NP_MASQ_H */
