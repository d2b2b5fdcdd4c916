/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An intrusive chained hash table keyed by byte strings, for the model's
 * stores and indexes: the caller embeds struct np_hnode, sets its key
 * (which must stay valid while linked), and owns the memory. The table
 * doubles when it holds more entries than buckets.
 */
#ifndef _NP_MODEL_HMAP_H
#define _NP_MODEL_HMAP_H

#include <stddef.h>
#include <stdint.h>

struct np_hnode {
	struct np_hnode *next;
	uint64_t hash;
	const void *key;
	size_t klen;
};

struct np_hmap {
	struct np_hnode **b;
	size_t nb;			/* 0 or a power of two */
	size_t n;
};

/* SipHash-2-4 of the key bytes under the process's random key. */
uint64_t np_hmap_hash(const void *key, size_t klen);
/* SipHash-2-4 under key k (k[0]: bytes 0-7, k[1]: 8-15, little endian). */
uint64_t np_siphash(const uint64_t k[2], const void *key, size_t klen);
/* The process's hash key: drawn from getrandom(2) at the first use. */
void np_hash_seed(uint64_t out[2]);
/* Tests: a fixed key instead. */
void np_hash_set_seed(uint64_t k0, uint64_t k1);
struct np_hnode *np_hmap_find(const struct np_hmap *h, const void *key,
			      size_t klen);
/* Links n (its key set; not already present). 0 or -ENOMEM. */
int np_hmap_add(struct np_hmap *h, struct np_hnode *n);
void np_hmap_del(struct np_hmap *h, struct np_hnode *n);
/* Iteration: first, then next, until NULL; no change meanwhile. */
struct np_hnode *np_hmap_first(const struct np_hmap *h);
struct np_hnode *np_hmap_next(const struct np_hmap *h,
			      const struct np_hnode *n);
/* Frees the bucket array (not the nodes). */
void np_hmap_free(struct np_hmap *h);

#endif /* _NP_MODEL_HMAP_H */
