// SPDX-License-Identifier: GPL-2.0-only
/*
 * The model's hash table: FNV-1a 64 over the key bytes, chains, doubling.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/hmap.h"

uint64_t np_hmap_hash(const void *key, size_t klen)
{
	const uint8_t *p = key;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < klen; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	/* Mix the high bits into the low ones the bucket index uses. */
	return h ^ (h >> 29);
}

struct np_hnode *np_hmap_find(const struct np_hmap *h, const void *key,
			      size_t klen)
{
	uint64_t hash;
	struct np_hnode *n;

	if (!h->nb)
		return NULL;
	hash = np_hmap_hash(key, klen);
	for (n = h->b[hash & (h->nb - 1)]; n; n = n->next)
		if (n->hash == hash && n->klen == klen &&
		    !memcmp(n->key, key, klen))
			return n;
	return NULL;
}

static int grow(struct np_hmap *h)
{
	size_t nb = h->nb ? h->nb * 2 : 64, i;
	struct np_hnode **b = calloc(nb, sizeof(*b)), *n, *next;

	if (!b)
		return -ENOMEM;
	for (i = 0; i < h->nb; i++)
		for (n = h->b[i]; n; n = next) {
			next = n->next;
			n->next = b[n->hash & (nb - 1)];
			b[n->hash & (nb - 1)] = n;
		}
	free(h->b);
	h->b = b;
	h->nb = nb;
	return 0;
}

int np_hmap_add(struct np_hmap *h, struct np_hnode *n)
{
	size_t i;

	/* A failed growth only lengthens the chains, unless there is no
	 * bucket at all. */
	if ((h->n >= h->nb && grow(h) < 0) && !h->nb)
		return -ENOMEM;
	n->hash = np_hmap_hash(n->key, n->klen);
	i = n->hash & (h->nb - 1);
	n->next = h->b[i];
	h->b[i] = n;
	h->n++;
	return 0;
}

void np_hmap_del(struct np_hmap *h, struct np_hnode *n)
{
	struct np_hnode **pp = &h->b[n->hash & (h->nb - 1)];

	while (*pp && *pp != n)
		pp = &(*pp)->next;
	if (*pp) {
		*pp = n->next;
		h->n--;
	}
	n->next = NULL;
}

static struct np_hnode *from_bucket(const struct np_hmap *h, size_t i)
{
	for (; i < h->nb; i++)
		if (h->b[i])
			return h->b[i];
	return NULL;
}

struct np_hnode *np_hmap_first(const struct np_hmap *h)
{
	return from_bucket(h, 0);
}

struct np_hnode *np_hmap_next(const struct np_hmap *h,
			      const struct np_hnode *n)
{
	if (n->next)
		return n->next;
	return from_bucket(h, (n->hash & (h->nb - 1)) + 1);
}

void np_hmap_free(struct np_hmap *h)
{
	free(h->b);
	memset(h, 0, sizeof(*h));
}
