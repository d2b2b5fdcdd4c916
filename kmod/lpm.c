// SPDX-License-Identifier: GPL-2.0
/*
 * RCU longest-prefix-match table (see lpm.h). Each node holds a prefix
 * (key, plen), an optional value, and two children selected by the bit at
 * position plen of the looked-up address. A node without a value exists
 * only to join two subtrees that part at its prefix length.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/mutex.h>
#include <linux/lockdep.h>

#include "lpm.h"

struct np_lpm_node {
	struct np_lpm_node __rcu *child[2];
	void __rcu *value;
	struct rcu_head rcu;
	u8 plen;
	u8 key[16];
};

#define lpm_deref(t, p) rcu_dereference_protected(p, lockdep_is_held((t)->lock))

static inline unsigned int bit_at(const u8 *a, unsigned int i)
{
	return (a[i / 8] >> (7 - i % 8)) & 1;
}

/* Does @a carry the first @plen bits of @key? */
static bool prefix_match(const u8 *key, u8 plen, const u8 *a)
{
	unsigned int bytes = plen / 8, rem = plen % 8;

	if (memcmp(key, a, bytes))
		return false;
	return !rem || !((key[bytes] ^ a[bytes]) & (0xff00 >> rem));
}

/* Number of leading bits @a and @b share, at most @max. */
static unsigned int common_bits(const u8 *a, const u8 *b, unsigned int max)
{
	unsigned int i;

	for (i = 0; i < max / 8; i++)
		if (a[i] != b[i])
			return min_t(unsigned int, max,
				     i * 8 + __builtin_clz((u32)(a[i] ^ b[i])) - 24);
	for (i = i * 8; i < max; i++)
		if (bit_at(a, i) != bit_at(b, i))
			break;
	return i;
}

/* A copy of @addr with every bit past @plen cleared (@key != @addr). */
static void mask_key(u8 *key, const u8 *addr, u8 plen)
{
	unsigned int bytes = plen / 8, rem = plen % 8;

	memset(key, 0, 16);
	memcpy(key, addr, bytes);
	if (rem)
		key[bytes] = addr[bytes] & (0xff00 >> rem);
}

static struct np_lpm_node *node_new(const u8 *key, u8 plen, void *value)
{
	struct np_lpm_node *n = kzalloc(sizeof(*n), GFP_KERNEL_ACCOUNT);

	if (!n)
		return NULL;
	memcpy(n->key, key, sizeof(n->key));
	n->plen = plen;
	RCU_INIT_POINTER(n->value, value);
	return n;
}

void np_lpm_init(struct np_lpm *t, struct mutex *lock, unsigned int *used,
		 unsigned int max)
{
	memset(t, 0, sizeof(*t));
	t->lock = lock;
	t->used = used;
	t->max = max;
}

/* Room in the budget for one more entry? */
static bool budget_ok(const struct np_lpm *t)
{
	return !t->used || *t->used < t->max;
}

static void count_add(struct np_lpm *t, enum np_lpm_family fam, int n)
{
	t->count[fam] += n;
	if (t->used)
		*t->used += n;
}

int np_lpm_insert(struct np_lpm *t, enum np_lpm_family fam, const u8 *addr,
		  u8 plen, void *value, void **old)
{
	struct np_lpm_node __rcu **slot = &t->root[fam];
	struct np_lpm_node *n, *nn, *join;
	unsigned int bits = np_lpm_bits(fam), common;
	u8 key[16];

	lockdep_assert_held(t->lock);
	if (plen > bits || !value)
		return -EINVAL;
	mask_key(key, addr, plen);
	*old = NULL;

	/* Walk down while the node's prefix covers the new one. */
	while ((n = lpm_deref(t, *slot)) && n->plen <= plen &&
	       prefix_match(n->key, n->plen, key)) {
		if (n->plen == plen) {
			*old = lpm_deref(t, n->value);
			if (!*old && !budget_ok(t))
				return -ENOSPC;
			rcu_assign_pointer(n->value, value);
			if (!*old)
				count_add(t, fam, 1);
			return 0;
		}
		slot = &n->child[bit_at(key, n->plen)];
	}

	if (!budget_ok(t))
		return -ENOSPC;
	nn = node_new(key, plen, value);
	if (!nn)
		return -ENOMEM;
	if (!n) {
		rcu_assign_pointer(*slot, nn);
	} else if (prefix_match(key, plen, n->key)) {
		/* The new prefix covers @n: it goes above it. */
		RCU_INIT_POINTER(nn->child[bit_at(n->key, plen)], n);
		rcu_assign_pointer(*slot, nn);
	} else {
		/* They part at @common: join them under a value-less node. */
		u8 jkey[16];

		common = common_bits(key, n->key, min(plen, n->plen));
		mask_key(jkey, key, common);
		join = node_new(jkey, common, NULL);
		if (!join) {
			kfree(nn);
			return -ENOMEM;
		}
		RCU_INIT_POINTER(join->child[bit_at(nn->key, common)], nn);
		RCU_INIT_POINTER(join->child[bit_at(n->key, common)], n);
		rcu_assign_pointer(*slot, join);
	}
	count_add(t, fam, 1);
	return 0;
}

static struct np_lpm_node __rcu **find_slot(struct np_lpm *t,
					    enum np_lpm_family fam,
					    const u8 *key, u8 plen,
					    struct np_lpm_node __rcu ***parent)
{
	struct np_lpm_node __rcu **slot = &t->root[fam];
	struct np_lpm_node *n;

	*parent = NULL;
	while ((n = lpm_deref(t, *slot)) && n->plen <= plen &&
	       prefix_match(n->key, n->plen, key)) {
		if (n->plen == plen)
			return slot;
		*parent = slot;
		slot = &n->child[bit_at(key, n->plen)];
	}
	return NULL;
}

void *np_lpm_find_exact(struct np_lpm *t, enum np_lpm_family fam,
			const u8 *addr, u8 plen)
{
	struct np_lpm_node __rcu **slot, **parent;
	u8 key[16];

	lockdep_assert_held(t->lock);
	if (plen > np_lpm_bits(fam))
		return NULL;
	mask_key(key, addr, plen);
	slot = find_slot(t, fam, key, plen, &parent);
	return slot ? lpm_deref(t, lpm_deref(t, *slot)->value) : NULL;
}

/* Replace a value-less node that has at most one child by that child. */
static void collapse(struct np_lpm *t, struct np_lpm_node __rcu **slot)
{
	struct np_lpm_node *n = lpm_deref(t, *slot), *c0, *c1;

	if (!n || lpm_deref(t, n->value))
		return;
	c0 = lpm_deref(t, n->child[0]);
	c1 = lpm_deref(t, n->child[1]);
	if (c0 && c1)
		return;
	rcu_assign_pointer(*slot, c0 ? c0 : c1);
	kfree_rcu(n, rcu);
}

void *np_lpm_remove(struct np_lpm *t, enum np_lpm_family fam, const u8 *addr,
		    u8 plen)
{
	struct np_lpm_node __rcu **slot, **parent;
	struct np_lpm_node *n;
	void *value;
	u8 key[16];

	lockdep_assert_held(t->lock);
	if (plen > np_lpm_bits(fam))
		return NULL;
	mask_key(key, addr, plen);
	slot = find_slot(t, fam, key, plen, &parent);
	if (!slot)
		return NULL;
	n = lpm_deref(t, *slot);
	value = lpm_deref(t, n->value);
	if (!value)
		return NULL;
	RCU_INIT_POINTER(n->value, NULL);
	count_add(t, fam, -1);
	collapse(t, slot);
	if (parent)
		collapse(t, parent);
	return value;
}

void *np_lpm_lookup(const struct np_lpm *t, enum np_lpm_family fam,
		    const u8 *addr)
{
	const struct np_lpm_node *n = rcu_dereference(t->root[fam]);
	unsigned int bits = np_lpm_bits(fam);
	void *best = NULL, *v;

	while (n && prefix_match(n->key, n->plen, addr)) {
		v = rcu_dereference(n->value);
		if (v)
			best = v;
		if (n->plen >= bits)
			break;
		n = rcu_dereference(n->child[bit_at(addr, n->plen)]);
	}
	return best;
}

/*
 * Depth-first without recursion: the trie is at most 129 levels deep, so the
 * stack of pending right children is bounded and kept on the heap.
 */
int np_lpm_walk(struct np_lpm *t, enum np_lpm_family fam,
		int (*fn)(const u8 *addr, u8 plen, void *value, void *arg),
		void *arg)
{
	struct np_lpm_node **stack, *n;
	int depth = 0, ret = 0;
	void *v;

	lockdep_assert_held(t->lock);
	stack = kmalloc_array(130, sizeof(*stack), GFP_KERNEL);
	if (!stack)
		return -ENOMEM;
	n = lpm_deref(t, t->root[fam]);
	if (n)
		stack[depth++] = n;
	while (depth && !ret) {
		n = stack[--depth];
		v = lpm_deref(t, n->value);
		if (v)
			ret = fn(n->key, n->plen, v, arg);
		if (lpm_deref(t, n->child[1]))
			stack[depth++] = lpm_deref(t, n->child[1]);
		if (lpm_deref(t, n->child[0]))
			stack[depth++] = lpm_deref(t, n->child[0]);
	}
	kfree(stack);
	return ret;
}

static void destroy_tree(struct np_lpm *t, struct np_lpm_node __rcu **root)
{
	struct np_lpm_node *n, *c;
	struct np_lpm_node __rcu **slot;

	/* Unlink leaves one at a time, always from the top: no recursion. */
	while ((n = lpm_deref(t, *root))) {
		slot = root;
		while ((c = lpm_deref(t, n->child[0])) ||
		       (c = lpm_deref(t, n->child[1]))) {
			slot = lpm_deref(t, n->child[0]) ? &n->child[0] : &n->child[1];
			n = c;
		}
		RCU_INIT_POINTER(*slot, NULL);
		kfree_rcu(n, rcu);
	}
}

void np_lpm_destroy(struct np_lpm *t)
{
	int fam;

	lockdep_assert_held(t->lock);
	for (fam = 0; fam < __NP_LPM_FAMILIES; fam++) {
		destroy_tree(t, &t->root[fam]);
		count_add(t, fam, -(int)t->count[fam]);
	}
}
