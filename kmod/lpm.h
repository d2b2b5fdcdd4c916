/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NP_LPM_H
#define _NP_LPM_H

#include <linux/rcupdate.h>
#include <linux/types.h>

/*
 * An RCU longest-prefix-match table for IPv4 and IPv6: a path-compressed
 * binary trie per family. Lookups walk at most 32 (IPv4) or 128 (IPv6)
 * nodes whatever the number of entries, and take no lock. Writers are
 * serialised by the caller's mutex (passed in for lockdep). Published nodes
 * are never changed in place except for their value pointer and child slots,
 * each swapped with one rcu_assign_pointer(); unlinked nodes are freed after
 * a grace period. Values belong to the caller, who frees a value only after a
 * grace period once it is replaced or removed.
 */
enum np_lpm_family {
	NP_LPM_V4,
	NP_LPM_V6,
	__NP_LPM_FAMILIES
};

struct np_lpm_node;

/*
 * Entries may be counted against a budget shared by several tables (all of
 * a netns, say): *@used counts them, and an insert that would add an entry
 * past @max fails with -ENOSPC. Nodes are at most twice the entries.
 */
struct np_lpm {
	struct np_lpm_node __rcu *root[__NP_LPM_FAMILIES];
	unsigned int count[__NP_LPM_FAMILIES];
	struct mutex *lock;
	unsigned int *used;		/* NULL: no budget */
	unsigned int max;
};

/* @used: the budget's entry counter (NULL for none), under @lock too. */
void np_lpm_init(struct np_lpm *t, struct mutex *lock, unsigned int *used,
		 unsigned int max);
/*
 * Insert or replace; *old gets the value replaced (NULL if none). Replacing
 * allocates nothing and cannot fail; a new entry can (-ENOMEM, -ENOSPC).
 */
int np_lpm_insert(struct np_lpm *t, enum np_lpm_family fam, const u8 *addr,
		  u8 plen, void *value, void **old);
/* Remove an exact prefix; returns its value, or NULL if absent. */
void *np_lpm_remove(struct np_lpm *t, enum np_lpm_family fam, const u8 *addr,
		    u8 plen);
/* Value of the exact prefix, writer side (lock held). */
void *np_lpm_find_exact(struct np_lpm *t, enum np_lpm_family fam,
			const u8 *addr, u8 plen);
/* Longest match for a full address; call under rcu_read_lock(). */
void *np_lpm_lookup(const struct np_lpm *t, enum np_lpm_family fam,
		    const u8 *addr);
/*
 * Calls fn(addr, plen, value, arg) for every entry in prefix order, writer
 * side; stops and returns fn's value when it is non-zero.
 */
int np_lpm_walk(struct np_lpm *t, enum np_lpm_family fam,
		int (*fn)(const u8 *addr, u8 plen, void *value, void *arg),
		void *arg);
/* Unlinks every node (values are left to the caller, who walked first). */
void np_lpm_destroy(struct np_lpm *t);

static inline unsigned int np_lpm_bits(enum np_lpm_family fam)
{
	return fam == NP_LPM_V4 ? 32 : 128;
}

#endif /* _NP_LPM_H */
