/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NP_POLICY_H
#define _NP_POLICY_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <net/netlink.h>
#include <linux/nodeplane.h>

#include "lpm.h"

/*
 * NetworkPolicy (NP_CMD_POLICY_*, docs/netpol-kernel.md).
 *
 * The policy state of a netns is one immutable root (struct np_pol_root)
 * behind one RCU pointer: the class map (prefix -> class, per family, as
 * the sorted prefixes, each with its enclosing one: a binary search, then
 * at most 32 / 128 steps out) and the
 * endpoint table (a fixed vector of buckets, each an immutable array of
 * immutable endpoints). A commit builds a new root that shares every
 * bucket, endpoint and the class map it did not change, publishes it with
 * one rcu_assign_pointer(), and frees the old root with what only it held
 * after a grace period. A reader reads the root once and sees either
 * state whole.
 *
 * Pure parts (policy_core.c, KUnit-tested): the class map, the
 * per-endpoint rule index, the root build, the per-packet decision.
 */

struct np_net;
struct net;

struct np_pol_u128 {
	u64 hi, lo;
};

/* One family of the class map. */
struct np_pol_cfam {
	u32 npfx;		/* prefixes, sorted by (address, length) */
	void *paddr;		/* u32[] (IPv4) or np_pol_u128[] (IPv6) */
	u32 *ppc;		/* prefix length << 24 | class */
	u32 *parent;		/* the nearest enclosing prefix, or U32_MAX */
};

struct np_pol_cmap {
	struct np_pol_cfam f[__NP_LPM_FAMILIES];
};

/* A class map change: @class 0 removes the prefix. */
struct np_pol_pchg {
	u8 fam;
	u8 plen;
	u32 class;
	u32 seq;		/* order given: the later wins */
	u8 addr[16];		/* host bits cleared */
};

/* A rule as given: one (direction, peer class, protocol, ports) entry. */
struct np_pol_raw {
	u32 class;		/* 0: any peer */
	u8 dir;			/* NP_POL_DIR_* */
	u8 proto;		/* 0: every protocol and port */
	u16 first, last;	/* inclusive; 0..65535: every port */
};

struct np_pol_range {
	u8 proto;
	u16 first, last;
};

#define NP_POL_CE_ANY	1U	/* every protocol and port */

/* The rules of one (direction, class) merged: ranges disjoint, sorted. */
struct np_pol_centry {
	u32 class;
	u32 flags;		/* NP_POL_CE_* */
	u32 first, n;		/* ranges r[first .. first + n) */
};

struct np_pol_rules {
	struct np_pol_centry any;	/* any-peer rules (class 0) */
	u32 nent;
	struct np_pol_centry *ent;	/* by class, ascending */
	u32 hmask;
	u32 *hidx;			/* open addressing: entry index + 1 */
	u32 nr;
	struct np_pol_range *r;
};

enum np_pol_counter {
	NP_POL_C_IN_ALLOWED,
	NP_POL_C_IN_DROPPED,
	NP_POL_C_EG_ALLOWED,
	NP_POL_C_EG_DROPPED,
	__NP_POL_COUNTERS
};

struct np_pol_pcpu {
	u64_stats_t c[__NP_POL_COUNTERS];
	struct u64_stats_sync syncp;
};

/* Drop event token bucket of one endpoint and direction. */
struct np_pol_rl {
	spinlock_t lock;
	u32 tokens;
	u32 suppressed;
	unsigned long last;	/* jiffies of the last refill */
};

/* What successive versions of an endpoint share: counters, rate limits. */
struct np_pol_rt {
	refcount_t ref;
	struct np_pol_pcpu __percpu *stats;
	struct np_pol_rl rl[__NP_POL_DIR_MAX];
};

/* An endpoint, immutable once published. */
struct np_pol_ep {
	u8 fam;			/* enum np_lpm_family */
	u8 addr[16];
	u32 flags;		/* NP_PEP_F_INGRESS | NP_PEP_F_EGRESS */
	u32 nrules;		/* port entries as given (the limit's unit) */
	char *name;		/* NULL: none */
	struct np_pol_rt *rt;	/* NULL only before np_pol_ep_set_rt */
	struct np_pol_rules dir[__NP_POL_DIR_MAX];
};

struct np_pol_bucket {
	u32 n;
	struct np_pol_ep *ep[];
};

/* What a root alone holds once a newer root replaced it. */
struct np_pol_garbage {
	u32 nb, nep;
	struct np_pol_bucket **b;
	struct np_pol_ep **ep;
	struct np_pol_cmap *cmap;
};

struct np_pol_root {
	u64 generation;
	u32 neps, nrules;
	u32 neps_fam[__NP_LPM_FAMILIES];
	struct np_pol_cmap *cmap;	/* never NULL */
	struct np_pol_garbage *garbage;	/* set when replaced */
	struct rcu_work free_work;
	u32 mask;
	struct np_pol_bucket *b[];	/* NULL: empty */
};

/* An endpoint change of a commit: @ep NULL deletes the key. */
struct np_pol_change {
	u8 fam;
	u8 addr[16];
	struct np_pol_ep *ep;
	u32 bucket;		/* filled by the build */
};

/* The outcome of the per-packet decision. */
struct np_pol_verdict {
	struct np_pol_ep *src, *dst;	/* endpoints checked (or NULL) */
	bool eg_checked, eg_ok;
	bool in_checked, in_ok;
};

/* ---- policy_core.c: pure ---- */

static inline unsigned int np_pol_alen(u8 fam)
{
	return fam == NP_LPM_V4 ? 4 : 16;
}

/* Objects (roots, class maps, endpoints, runtimes) alive, for leak checks. */
extern atomic_t np_pol_nobjects;

/* Build a class map: @old's prefixes with @chg applied (sorts @chg). */
struct np_pol_cmap *np_pol_cmap_build(const struct np_pol_cmap *old,
				      struct np_pol_pchg *chg, u32 nchg);
struct np_pol_cmap *np_pol_cmap_empty(void);
void np_pol_cmap_free(struct np_pol_cmap *m);
u32 np_pol_cmap_lookup(const struct np_pol_cmap *m, u8 fam, const u8 *addr);
/* Class of the exact prefix (0: absent). */
u32 np_pol_cmap_find(const struct np_pol_cmap *m, u8 fam, const u8 *addr,
		     u8 plen);
/* Prefix @i of family @fam. */
void np_pol_cmap_get(const struct np_pol_cmap *m, u8 fam, u32 i, u8 *addr,
		     u8 *plen, u32 *class);
/* Bytes allocated for the class map (for the memory figure). */
size_t np_pol_cmap_bytes(const struct np_pol_cmap *m);

/* An endpoint from its rules (sorts @raw); no runtime yet. */
struct np_pol_ep *np_pol_ep_build(u8 fam, const u8 *addr, u32 flags,
				  const char *name, struct np_pol_raw *raw,
				  u32 nraw);
void np_pol_ep_free(struct np_pol_ep *ep);
/* Do the rules of @dir allow a peer of @class on (@proto, @port)? */
bool np_pol_dir_match(const struct np_pol_rules *d, u32 class, u8 proto,
		      u16 port);
u32 np_pol_ep_hash(u8 fam, const u8 *addr);
struct np_pol_ep *np_pol_root_lookup(const struct np_pol_root *r, u8 fam,
				     const u8 *addr);

struct np_pol_root *np_pol_root_empty(u32 nbuckets);
/*
 * The root that follows @old: @ch applied (keys unique; sorted here), the
 * class map @cmap (NULL: @old's). *@g gets what @old alone holds then.
 * On error nothing changed and the new endpoints stay the caller's.
 */
struct np_pol_root *np_pol_root_build(const struct np_pol_root *old,
				      struct np_pol_change *ch, u32 nch,
				      struct np_pol_cmap *cmap,
				      struct np_pol_garbage **g);
/* Free @r's vector and, with @all, every bucket, endpoint and class map. */
void np_pol_root_free(struct np_pol_root *r, bool all);

/*
 * The decision for a new connection: egress of the endpoint @saddr (if
 * isolated for egress), ingress of the endpoint @daddr (if isolated for
 * ingress and @src_local is false). @src_local is asked only then.
 */
void np_pol_decide(const struct np_pol_root *r, u8 fam, const u8 *saddr,
		   const u8 *daddr, u8 proto, u16 dport,
		   bool (*src_local)(void *arg), void *arg,
		   struct np_pol_verdict *v);

/* ---- policy.c ---- */

/* An open transaction of one socket (policy.c). */
struct np_pol_tx;

/* Per-netns part of struct np_net. */
struct np_pol_net {
	struct np_pol_root __rcu *root;		/* NULL until the first commit */
	struct np_pol_tx *tx;			/* the open transaction */
	unsigned int hooks;			/* families hooked */
};

int np_pol_init(void);
void np_pol_exit(void);

/* Writer side, under np_net.lock. */
u64 np_pol_generation(struct np_net *nn);
struct np_pol_sep;
/* @portid's open transaction, or a new one; ERR_PTR(-EBUSY) for another. */
struct np_pol_tx *np_pol_tx_get(struct np_net *nn, u32 portid,
				struct netlink_ext_ack *extack);
void np_pol_tx_drop(struct np_net *nn);
void np_pol_tx_set_gen(struct np_pol_tx *tx, u64 gen);
int np_pol_tx_add_class(struct np_net *nn, struct np_pol_tx *tx, u8 fam,
			const u8 *addr, u8 plen, u32 class,
			struct netlink_ext_ack *extack);
/* A staged endpoint (@append: the one given before), or ERR_PTR. */
struct np_pol_sep *np_pol_tx_add_ep(struct np_net *nn, struct np_pol_tx *tx,
				    u8 fam, const u8 *addr, u32 flags,
				    const char *name, bool append,
				    struct netlink_ext_ack *extack);
int np_pol_tx_add_rule(struct np_net *nn, struct np_pol_tx *tx,
		       struct np_pol_sep *s, const struct np_pol_raw *raw,
		       struct netlink_ext_ack *extack);
/* Publish @tx (the caller drops it then, whatever the outcome). */
int np_pol_tx_commit(struct net *net, struct np_pol_tx *tx,
		     struct netlink_ext_ack *extack);
/* Netns exit: the transaction, the root, the hooks (takes the lock). */
void np_pol_net_free(struct net *net);
void np_pol_stats_sum(const struct np_pol_ep *ep, u64 *out);
const struct np_pol_root *np_pol_root_locked(struct np_net *nn);
/* For INFO (no lock): classes, endpoints, rules, generation. */
void np_pol_counts(struct np_net *nn, u32 *ncls, u32 *neps, u32 *nrules,
		   u64 *gen);

#endif /* _NP_POLICY_H */
