// SPDX-License-Identifier: GPL-2.0-only
/*
 * The model's hash table: SipHash-2-4 over the key bytes with a key drawn
 * from getrandom(2) once per process, chains, doubling. The keys are names
 * tenants choose (namespaces, pods, services): with a fixed function they
 * could pick names that all fall into one chain and make every lookup
 * linear. The same keyed hash serves the overlay's planner.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "model/hmap.h"

static uint64_t seed[2];
static int seeded;

void np_hash_set_seed(uint64_t k0, uint64_t k1)
{
	seed[0] = k0;
	seed[1] = k1;
	seeded = 1;
}

void np_hash_seed(uint64_t out[2])
{
	uint64_t k[2];
	ssize_t n;

	if (!seeded) {
		n = getrandom(k, sizeof(k), GRND_NONBLOCK);
		if (n != (ssize_t)sizeof(k))
			n = getrandom(k, sizeof(k), 0);	/* early boot: wait */
		if (n != (ssize_t)sizeof(k)) {
			/* no getrandom(2): weak, but not a constant */
			struct timespec ts;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			k[0] = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^
			       (uint64_t)getpid();
			k[1] = (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)&n;
		}
		np_hash_set_seed(k[0], k[1]);
	}
	out[0] = seed[0];
	out[1] = seed[1];
}

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do {							\
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);	\
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;				\
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;				\
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);	\
} while (0)

uint64_t np_siphash(const uint64_t k[2], const void *key, size_t klen)
{
	const uint8_t *p = key, *end = p + (klen & ~(size_t)7);
	uint64_t v0 = 0x736f6d6570736575ULL ^ k[0];
	uint64_t v1 = 0x646f72616e646f6dULL ^ k[1];
	uint64_t v2 = 0x6c7967656e657261ULL ^ k[0];
	uint64_t v3 = 0x7465646279746573ULL ^ k[1];
	uint64_t b = (uint64_t)klen << 56, m;
	size_t i;

	for (; p != end; p += 8) {
		m = 0;
		for (i = 0; i < 8; i++)
			m |= (uint64_t)p[i] << (8 * i);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (i = 0; i < (klen & 7); i++)
		b |= (uint64_t)p[i] << (8 * i);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t np_hmap_hash(const void *key, size_t klen)
{
	uint64_t k[2];

	np_hash_seed(k);
	return np_siphash(k, key, klen);
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
