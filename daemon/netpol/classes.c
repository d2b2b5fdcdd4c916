// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stable ids across compiles (struct np_netpol_classes): peer sets are
 * interned by key (what they are, e.g. "the pods app=web of namespace x",
 * "10.0.0.0/8 except 10.1.0.0/16"), classes by signature (the sorted ids
 * of the peer sets that hold their addresses). An id keeps its meaning as
 * long as consecutive compiles use it; one a compile does not use is
 * freed at its end, so a class id is never given a new meaning by the
 * compile that dropped the old one. Free ids are handed out smallest
 * first. A failed compile removes what it created and leaves the rest.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/nodeplane.h>

#include "model/hmap.h"
#include "netpol/internal.h"

struct ps_ent {
	struct np_hnode hn;
	uint32_t id;
	uint64_t used;			/* generation of the last use */
	uint64_t born;			/* generation that created it */
	char key[];
};

struct cls_ent {
	struct np_hnode hn;
	uint32_t id;
	uint64_t used, born;
	size_t n;
	uint32_t sig[];
};

/* Ids first..max: a min-heap of freed ones below next. */
struct idpool {
	uint32_t *heap;
	size_t n, cap;
	uint32_t next, max;
};

struct np_netpol_classes {
	struct np_hmap ps_map, cls_map;
	struct ps_ent **ps_by_id;	/* [id], NULL when free */
	struct cls_ent **cls_by_id;
	size_t ps_cap, cls_cap;
	struct idpool ps_ids, cls_ids;
	uint64_t gen;
};

/* ---------------------------------------------------------- id pools */

static void heap_down(uint32_t *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		uint32_t t;

		if (l < n && h[l] < h[m])
			m = l;
		if (r < n && h[r] < h[m])
			m = r;
		if (m == i)
			return;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static int pool_get(struct idpool *p, uint32_t *id)
{
	if (p->n) {
		*id = p->heap[0];
		p->heap[0] = p->heap[--p->n];
		heap_down(p->heap, p->n, 0);
		return 0;
	}
	if (p->next > p->max)
		return -ENOSPC;
	*id = p->next++;
	return 0;
}

/* Cannot fail: the heap has room for every id handed out (pool_reserve). */
static void pool_put(struct idpool *p, uint32_t id)
{
	size_t i = p->n++;

	p->heap[i] = id;
	while (i && p->heap[(i - 1) / 2] > p->heap[i]) {
		uint32_t t = p->heap[i];

		p->heap[i] = p->heap[(i - 1) / 2];
		p->heap[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

/* Room in the heap for every id up to next + 1, so pool_put never fails. */
static int pool_reserve(struct idpool *p)
{
	size_t want = (size_t)p->next + 1;
	uint32_t *h;

	if (p->cap >= want)
		return 0;
	want = want < 64 ? 64 : want * 2;
	h = realloc(p->heap, want * sizeof(*h));
	if (!h)
		return -ENOMEM;
	p->heap = h;
	p->cap = want;
	return 0;
}

static int by_id_reserve(void ***arr, size_t *cap, uint32_t id)
{
	size_t want = (size_t)id + 1, ncap;
	void **a;

	if (*cap >= want)
		return 0;
	ncap = want < 64 ? 64 : want * 2;
	a = realloc(*arr, ncap * sizeof(*a));
	if (!a)
		return -ENOMEM;
	memset(a + *cap, 0, (ncap - *cap) * sizeof(*a));
	*arr = a;
	*cap = ncap;
	return 0;
}

/* ------------------------------------------------------------- public */

struct np_netpol_classes *np_netpol_classes_new(void)
{
	struct np_netpol_classes *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->ps_ids.max = UINT32_MAX - 1;
	c->cls_ids.next = 1;
	c->cls_ids.max = NP_POL_CLASS_MAX;
	return c;
}

void np_netpol_classes_free(struct np_netpol_classes *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->ps_cap; i++)
		free(c->ps_by_id[i]);
	for (i = 0; i < c->cls_cap; i++)
		free(c->cls_by_id[i]);
	free(c->ps_by_id);
	free(c->cls_by_id);
	np_hmap_free(&c->ps_map);
	np_hmap_free(&c->cls_map);
	free(c->ps_ids.heap);
	free(c->cls_ids.heap);
	free(c);
}

void npc_ids_begin(struct np_netpol_classes *c)
{
	c->gen++;
}

uint32_t npc_ps_limit(const struct np_netpol_classes *c)
{
	return c->ps_ids.next;
}

int npc_ps_get(struct np_netpol_classes *c, const void *key, size_t klen,
	       uint32_t *id, bool *fresh)
{
	struct np_hnode *hn = np_hmap_find(&c->ps_map, key, klen);
	struct ps_ent *e;
	int ret;

	if (hn) {
		e = (struct ps_ent *)hn;
		*id = e->id;
		*fresh = e->used != c->gen;
		e->used = c->gen;
		return 0;
	}
	ret = pool_reserve(&c->ps_ids);
	if (!ret)
		ret = pool_get(&c->ps_ids, id);
	if (ret)
		return ret;
	e = malloc(sizeof(*e) + klen + 1);
	if (!e || by_id_reserve((void ***)&c->ps_by_id, &c->ps_cap, *id)) {
		free(e);
		pool_put(&c->ps_ids, *id);
		return -ENOMEM;
	}
	memcpy(e->key, key, klen);
	e->key[klen] = '\0';
	e->hn.key = e->key;
	e->hn.klen = klen;
	e->id = *id;
	e->used = e->born = c->gen;
	if (np_hmap_add(&c->ps_map, &e->hn)) {
		free(e);
		pool_put(&c->ps_ids, *id);
		return -ENOMEM;
	}
	c->ps_by_id[*id] = e;
	*fresh = true;
	return 0;
}

int npc_cls_get(struct np_netpol_classes *c, const uint32_t *sig, size_t n,
		uint32_t *id)
{
	size_t klen = n * sizeof(*sig);
	struct np_hnode *hn = np_hmap_find(&c->cls_map, n ? sig : (void *)c,
					   klen);
	struct cls_ent *e;
	int ret;

	if (hn) {
		e = (struct cls_ent *)hn;
		e->used = c->gen;
		*id = e->id;
		return 0;
	}
	ret = pool_reserve(&c->cls_ids);
	if (!ret)
		ret = pool_get(&c->cls_ids, id);
	if (ret)
		return ret;
	e = malloc(sizeof(*e) + klen);
	if (!e || by_id_reserve((void ***)&c->cls_by_id, &c->cls_cap, *id)) {
		free(e);
		pool_put(&c->cls_ids, *id);
		return -ENOMEM;
	}
	if (n)
		memcpy(e->sig, sig, klen);
	e->n = n;
	e->hn.key = e->sig;
	e->hn.klen = klen;
	e->id = *id;
	e->used = e->born = c->gen;
	if (np_hmap_add(&c->cls_map, &e->hn)) {
		free(e);
		pool_put(&c->cls_ids, *id);
		return -ENOMEM;
	}
	c->cls_by_id[*id] = e;
	return 0;
}

const uint32_t *npc_cls_sig(const struct np_netpol_classes *c, uint32_t id,
			    size_t *n)
{
	const struct cls_ent *e = c->cls_by_id[id];

	*n = e->n;
	return e->sig;
}

/* Frees the entries whose generation test says so, returning their ids. */
static void sweep(struct np_netpol_classes *c, bool aborting)
{
	size_t i;

	for (i = 0; i < c->ps_cap; i++) {
		struct ps_ent *e = c->ps_by_id[i];

		if (!e || (aborting ? e->born != c->gen : e->used == c->gen))
			continue;
		np_hmap_del(&c->ps_map, &e->hn);
		pool_put(&c->ps_ids, e->id);
		c->ps_by_id[i] = NULL;
		free(e);
	}
	for (i = 0; i < c->cls_cap; i++) {
		struct cls_ent *e = c->cls_by_id[i];

		if (!e || (aborting ? e->born != c->gen : e->used == c->gen))
			continue;
		np_hmap_del(&c->cls_map, &e->hn);
		pool_put(&c->cls_ids, e->id);
		c->cls_by_id[i] = NULL;
		free(e);
	}
}

void npc_ids_commit(struct np_netpol_classes *c)
{
	sweep(c, false);
}

void npc_ids_abort(struct np_netpol_classes *c)
{
	sweep(c, true);
}
