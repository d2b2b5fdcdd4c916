// SPDX-License-Identifier: GPL-2.0-only
/*
 * Building a struct np_lb_list in the planners (see lblist.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/nodeplane.h>

#include "servicelb/lblist.h"

struct np_lb_frontend *np_lblist_add(struct np_lblist *b)
{
	if (b->l.n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		struct np_lb_frontend *v = realloc(b->l.v, cap * sizeof(*v));

		if (!v)
			return NULL;
		b->l.v = v;
		b->cap = cap;
	}
	memset(&b->l.v[b->l.n], 0, sizeof(b->l.v[b->l.n]));
	return &b->l.v[b->l.n++];
}

int np_lblist_add_backend(struct np_lb_frontend *fe, size_t *cap,
			  const struct np_addr *addr, uint16_t port,
			  uint32_t flags)
{
	if (fe->n_backends == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		struct np_lb_backend *v = realloc(fe->backends,
						  nc * sizeof(*v));

		if (!v)
			return -ENOMEM;
		fe->backends = v;
		*cap = nc;
	}
	fe->backends[fe->n_backends].addr = *addr;
	fe->backends[fe->n_backends].port = port;
	fe->backends[fe->n_backends].flags = flags;
	fe->n_backends++;
	return 0;
}

/*
 * Canonical backends with one entry per (address, port): when an endpoint
 * shows up twice (a slice being replaced), the ready one wins.
 */
static void merge_backends(struct np_lb_frontend *fe)
{
	size_t i, o = 0;

	np_lb_frontend_canon(fe);
	for (i = 0; i < fe->n_backends; i++) {
		struct np_lb_backend *b = &fe->backends[i];

		if (o && np_addr_eq(&fe->backends[o - 1].addr, &b->addr) &&
		    fe->backends[o - 1].port == b->port) {
			if (!(fe->backends[o - 1].flags & NP_LBB_F_READY) &&
			    (b->flags & NP_LBB_F_READY))
				fe->backends[o - 1] = *b;
			continue;
		}
		fe->backends[o++] = *b;
	}
	fe->n_backends = o;
}

#define CMP(x, y) (((x) > (y)) - ((x) < (y)))

/* A total order over whole frontends: key, then configuration. */
static int fe_full_cmp(const void *pa, const void *pb)
{
	const struct np_lb_frontend *a = pa, *b = pb;
	size_t i;
	int r = np_lb_frontend_cmp_key(a, b);

	if (r)
		return r;
	if (a->owner != b->owner)
		return CMP(a->owner, b->owner);
	if (a->flags != b->flags)
		return CMP(a->flags, b->flags);
	if (a->affinity != b->affinity)
		return CMP(a->affinity, b->affinity);
	if (a->n_backends != b->n_backends)
		return CMP(a->n_backends, b->n_backends);
	if (a->n_ranges != b->n_ranges)
		return CMP(a->n_ranges, b->n_ranges);
	for (i = 0; i < a->n_backends; i++)
		if ((r = np_lb_backend_cmp(&a->backends[i], &b->backends[i])))
			return r;
	for (i = 0; i < a->n_ranges; i++)
		if ((r = np_cidr_cmp(&a->ranges[i], &b->ranges[i])))
			return r;
	return 0;
}

void np_lblist_finish(struct np_lblist *b)
{
	size_t i, o = 0;

	for (i = 0; i < b->l.n; i++)
		merge_backends(&b->l.v[i]);
	if (b->l.n > 1)
		qsort(b->l.v, b->l.n, sizeof(*b->l.v), fe_full_cmp);
	/* Keys are unique by construction (port claims, duplicate ports
	 * skipped); should two ever share a key, the kernel holds one: the
	 * first in the total order is kept, whatever the input order. */
	for (i = 0; i < b->l.n; i++) {
		if (o && !np_lb_frontend_cmp_key(&b->l.v[o - 1], &b->l.v[i])) {
			np_lb_frontend_clear(&b->l.v[i]);
			continue;
		}
		b->l.v[o++] = b->l.v[i];
	}
	b->l.n = o;
}

