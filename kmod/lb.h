/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NP_LB_H
#define _NP_LB_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/seqlock.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <net/netlink.h>

#include "lpm.h"

/*
 * ServiceLB and hostPort frontends (NP_CMD_LB_*, docs/servicelb-kernel.md).
 *
 * A frontend is (family, protocol, port, optional local address) with its
 * backends and source ranges. Published frontends are immutable: a change
 * builds a new one, which replaces the old in its hash bucket with one
 * hlist_replace_rcu(); the old one is freed after a grace period (an
 * rcu_work, because its range table is torn down under a mutex). The
 * per-CPU counters and the affinity table pass from a frontend to the one
 * that replaces it.
 *
 * Pure parts (lb_core.c, KUnit-tested): key hashing, the backend selection
 * lists, the backend index, the choice and the masquerade decision.
 */

struct net;
struct np_net;

/* One backend, 20 bytes. */
struct np_lb_be {
	u8 addr[16];		/* network order; IPv4 in the first 4 bytes */
	__be16 port;
	u8 flags;		/* NP_LBB_F_* */
};

enum np_lb_counter {
	NP_LB_C_PACKETS,
	NP_LB_C_BYTES,
	NP_LB_C_CONNS,
	NP_LB_C_DROP_RANGE,
	NP_LB_C_DROP_NO_BACKEND,
	NP_LB_C_DROP_NAT,
	__NP_LB_COUNTERS
};

struct np_lb_pcpu {
	u64_stats_t c[__NP_LB_COUNTERS];
	struct u64_stats_sync syncp;
};

/* ClientIP affinity: a direct-mapped table of client addresses. */
#define NP_LB_AFF_SLOTS 1024

struct np_lb_aff_slot {
	u8 addr[16];		/* client */
	u8 be_addr[16];		/* its backend */
	__be16 be_port;
	u32 be_hint;		/* index of that backend when it was chosen */
	unsigned long last;	/* jiffies of the last use; 0: empty */
};

struct np_lb_aff {
	seqlock_t lock;		/* writers: write_seqlock_bh; readers lock-free */
	struct np_lb_aff_slot slot[NP_LB_AFF_SLOTS];
};

struct np_lb_fe {
	struct hlist_node hnode;	/* table bucket, once published */
	struct list_head snode;		/* np_lb_net.staged, while staged */
	struct rcu_work free_work;
	/* the key */
	u8 fam;				/* enum np_lpm_family */
	u8 proto;			/* IPPROTO_TCP, _UDP, _SCTP */
	u16 port;			/* host order */
	bool has_local;
	u8 local[16];			/* when has_local */
	/* the value */
	u8 owner;			/* NP_LB_OWNER_* */
	u32 flags;			/* NP_LB_F_* */
	u32 affinity;			/* seconds, 0: none */
	u32 nbe, cap_be;
	struct np_lb_be *be;		/* kvmalloc'd */
	/*
	 * Built at commit (np_lb_core_finish): sel[0..nready) the backends
	 * chosen first, then sel[nready..nready+nterm) the fallback; bidx an
	 * open-addressed index (backend index + 1, 0: empty) of size
	 * bidx_mask + 1 by (address, port).
	 */
	u32 *sel;
	u32 nready, nterm;
	u32 *bidx;
	u32 bidx_mask;
	/* source ranges: none means every source */
	struct mutex rlock;		/* writer side of @ranges (lockdep) */
	struct np_lpm ranges;
	u32 nranges;
	struct np_lb_pcpu __percpu *stats;
	bool own_stats;			/* false once a successor took them */
	struct np_lb_aff *aff;		/* NULL without affinity */
	bool own_aff;
	u32 portid;			/* staged: the socket that owns it */
};

/* The hash table of published frontends: fixed size per netns. */
struct np_lb_table {
	u32 mask;
	struct hlist_head b[];
};

/* Per-netns part of struct np_net; all-zero before np_lb_net_init(). */
struct np_lb_net {
	struct np_lb_table __rcu *table;	/* NULL until the first frontend */
	struct list_head staged;		/* staged frontends */
	u64 generation;				/* starts at 1 */
	u32 nfe, nbe, nranges;			/* published */
	u32 nstaged, nstaged_be, nstaged_ranges;
	u32 nfe_fam[__NP_LPM_FAMILIES];		/* published per family */
	unsigned int hooks;			/* families hooked */
};

/* ---- lb_core.c: pure ---- */

static inline unsigned int np_lb_alen(u8 fam)
{
	return fam == NP_LPM_V4 ? 4 : 16;
}

u32 np_lb_core_key_hash(u8 fam, u8 proto, u16 port, const u8 *local);
/* Does @fe have the key (@local NULL: the any-address frontend)? */
bool np_lb_core_key_eq(const struct np_lb_fe *fe, u8 fam, u8 proto, u16 port,
		       const u8 *local);
/*
 * Build fe->sel and fe->bidx from fe->be (allocates, GFP_KERNEL_ACCOUNT).
 * -EEXIST when two backends share address and port (*dup: the second one).
 */
int np_lb_core_finish(struct np_lb_fe *fe, u32 *dup);
void np_lb_core_free_index(struct np_lb_fe *fe);
/* Index of the backend (@addr of fe's family, @port), or -1. */
int np_lb_core_be_find(const struct np_lb_fe *fe, const u8 *addr,
		       __be16 port);
/* Is backend @i one that new connections may get (sel contains it)? */
bool np_lb_core_be_usable(const struct np_lb_fe *fe, u32 i);
/*
 * The backend for a new connection from @client: the affinity entry of
 * @client when it is still usable and not older than fe->affinity seconds
 * at @now (jiffies), else sel[@rnd % n] of the READY set, else of the
 * TERMINATING set. Returns the index, or -1 (refuse). Records the choice
 * in the affinity table.
 */
int np_lb_core_choose(struct np_lb_fe *fe, const u8 *client, u32 rnd,
		      unsigned long now);
/* Affinity slot of a client address. */
u32 np_lb_core_aff_slot(u8 fam, const u8 *client);

/* Why POST_ROUTING masquerades (or not) a connection of a frontend. */
enum np_lb_masq_verdict {
	NP_LB_MASQ_KEEP,
	NP_LB_MASQ_ALL,		/* NP_LB_F_MASQ_ALL */
	NP_LB_MASQ_REMOTE,	/* NP_LB_F_MASQ_REMOTE, backend not LOCAL */
	NP_LB_MASQ_HAIRPIN,	/* NP_LB_F_HAIRPIN, client is the backend */
	NP_LB_MASQ_LOCALHOST,	/* IPv4 client in 127.0.0.0/8 */
};

enum np_lb_masq_verdict np_lb_core_masq_decide(u8 fam, u32 fe_flags,
					       u8 be_flags, const u8 *client,
					       const u8 *backend);

/* ---- lb.c ---- */

int np_lb_init(void);
void np_lb_exit(void);

/*
 * Writer side, netns mutex held. @fe is a complete frontend built by
 * np_lb_fe_new() and filled; it replaces the one with its key (or is
 * added). On error @fe is left to the caller.
 */
struct np_lb_fe *np_lb_fe_new(void);
/* Frontend objects allocated and not yet freed, all netns (leak checks). */
extern atomic_t np_lb_nobjects;
void np_lb_fe_free(struct np_lb_fe *fe);
int np_lb_fe_add_range(struct np_lb_fe *fe, u8 fam, const u8 *addr, u8 plen);
/* Shrink the backend array to its count (before np_lb_core_finish()). */
void np_lb_fe_trim(struct np_lb_fe *fe);
int np_lb_fe_add_backends(struct np_lb_fe *fe, const struct np_lb_be *be,
			  u32 n);
int np_lb_publish(struct net *net, struct np_lb_fe *fe,
		  struct netlink_ext_ack *extack);
int np_lb_delete(struct net *net, u8 fam, u8 proto, u16 port,
		 const u8 *local, struct netlink_ext_ack *extack);
/* Writer-side lookups of the published and of the staged frontend. */
struct np_lb_fe *np_lb_find(struct np_net *nn, u8 fam, u8 proto, u16 port,
			    const u8 *local);
struct np_lb_fe *np_lb_staged_find(struct np_net *nn, u8 fam, u8 proto,
				   u16 port, const u8 *local);
/* Limits with the staged objects counted: 0 or -ENOSPC with extack. */
int np_lb_check_limits(struct np_net *nn, u32 add_fe, u32 add_be,
		       u32 add_ranges, const struct np_lb_fe *replaced,
		       struct netlink_ext_ack *extack);
void np_lb_stage(struct np_net *nn, struct np_lb_fe *fe, u32 portid);
void np_lb_unstage(struct np_net *nn, struct np_lb_fe *fe);
void np_lb_staged_grew(struct np_net *nn, u32 nbe, u32 nranges);
/* Sum of the per-CPU counters of @fe into @out[__NP_LB_COUNTERS]. */
void np_lb_stats_sum(const struct np_lb_fe *fe, u64 *out);

#endif /* _NP_LB_H */
