// SPDX-License-Identifier: GPL-2.0
/*
 * NetworkPolicy, the pure part (policy.h): the class map, the per-endpoint
 * rule index, the endpoint table's copy-on-write build and the per-packet
 * decision. Nothing here locks or publishes; policy.c does.
 *
 * Class map. Per family, the prefixes sorted by (address, length), each
 * with the index of its nearest enclosing prefix (parent[i], U32_MAX for
 * none; prefixes nest or are disjoint, and an enclosing one sorts first).
 * The class of an address a: the last prefix starting at or before a (a
 * binary search) or, when that one ends before a, its nearest enclosing
 * prefix that holds a. Every prefix holding a encloses that last one (it
 * starts at or before it and holds an address at or after its start), so
 * the walk out meets the longest match first, in at most 32 (IPv4) or 128
 * (IPv6) steps. 12 bytes a prefix for IPv4, 24 for IPv6. Built by one
 * pass with a stack of the enclosing prefixes.
 *
 * Endpoint rules. Per direction, the rules of each peer class merged into
 * one entry: "every protocol and port", or disjoint port ranges sorted by
 * (protocol, first port); entries found by class through an open-addressed
 * hash, any-peer rules in one more entry. A check is one class map lookup,
 * two entry lookups and a binary search of one entry's ranges.
 */
#include <linux/jhash.h>
#include <linux/hash.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/in.h>
#include <asm/unaligned.h>
#include <linux/nodeplane.h>

#include "policy.h"

#ifndef NP_POL_TEST_PROBE
#define NP_POL_TEST_PROBE() do { } while (0)
#endif

atomic_t np_pol_nobjects = ATOMIC_INIT(0);

/* ---- 128-bit addresses ---- */

typedef struct np_pol_u128 u128v;

static u128v u_from(u8 fam, const u8 *a)
{
	u128v v;

	if (fam == NP_LPM_V4) {
		v.hi = 0;
		v.lo = get_unaligned_be32(a);
	} else {
		v.hi = get_unaligned_be64(a);
		v.lo = get_unaligned_be64(a + 8);
	}
	return v;
}

static void u_to(u8 fam, u128v v, u8 *a)
{
	memset(a, 0, 16);
	if (fam == NP_LPM_V4) {
		put_unaligned_be32((u32)v.lo, a);
	} else {
		put_unaligned_be64(v.hi, a);
		put_unaligned_be64(v.lo, a + 8);
	}
}

static int u_cmp(u128v a, u128v b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

/* The host part of a prefix of @plen in a family of @bits bits. */
static u128v u_hostmask(unsigned int bits, unsigned int plen)
{
	unsigned int host = bits - plen;
	u128v m = { 0, 0 };

	if (host >= 128) {
		m.hi = ~0ULL;
		m.lo = ~0ULL;
	} else if (host >= 64) {
		m.hi = host == 64 ? 0 : (1ULL << (host - 64)) - 1;
		m.lo = ~0ULL;
	} else if (host) {
		m.lo = (1ULL << host) - 1;
	}
	return m;
}

static u128v u_or(u128v a, u128v b)
{
	return (u128v){ a.hi | b.hi, a.lo | b.lo };
}

/* ---- class map ---- */

static size_t fam_asize(u8 fam)
{
	return fam == NP_LPM_V4 ? sizeof(u32) : sizeof(u128v);
}

static u128v fam_get(u8 fam, const void *arr, u32 i)
{
	if (fam == NP_LPM_V4)
		return (u128v){ 0, ((const u32 *)arr)[i] };
	return ((const u128v *)arr)[i];
}

static void fam_put(u8 fam, void *arr, u32 i, u128v v)
{
	if (fam == NP_LPM_V4)
		((u32 *)arr)[i] = (u32)v.lo;
	else
		((u128v *)arr)[i] = v;
}

static void cfam_free(struct np_pol_cfam *f)
{
	kvfree(f->paddr);
	kvfree(f->ppc);
	kvfree(f->parent);
	memset(f, 0, sizeof(*f));
}

void np_pol_cmap_free(struct np_pol_cmap *m)
{
	int fam;

	if (!m)
		return;
	for (fam = 0; fam < __NP_LPM_FAMILIES; fam++)
		cfam_free(&m->f[fam]);
	kfree(m);
	atomic_dec(&np_pol_nobjects);
}

struct np_pol_cmap *np_pol_cmap_empty(void)
{
	struct np_pol_cmap *m = kzalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);

	if (m)
		atomic_inc(&np_pol_nobjects);
	return m;
}

size_t np_pol_cmap_bytes(const struct np_pol_cmap *m)
{
	size_t n = sizeof(*m);
	int fam;

	for (fam = 0; fam < __NP_LPM_FAMILIES; fam++) {
		const struct np_pol_cfam *f = &m->f[fam];

		n += (size_t)f->npfx * (fam_asize(fam) + 2 * sizeof(u32));
	}
	return n;
}

/* Same prefix? */
static int pchg_cmp_key(const struct np_pol_pchg *x,
			const struct np_pol_pchg *y)
{
	if (x->fam != y->fam || x->plen != y->plen)
		return 1;
	return memcmp(x->addr, y->addr, 16);
}

static int pchg_cmp(const void *a, const void *b)
{
	const struct np_pol_pchg *x = a, *y = b;
	int c;

	if (x->fam != y->fam)
		return x->fam < y->fam ? -1 : 1;
	c = memcmp(x->addr, y->addr, 16);
	if (c)
		return c;
	if (x->plen != y->plen)
		return x->plen < y->plen ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return 0;
}

/* The last address of prefix @i of @f. */
static u128v cfam_end(const struct np_pol_cfam *f, u8 fam, u32 i)
{
	return u_or(fam_get(fam, f->paddr, i),
		    u_hostmask(np_lpm_bits(fam), f->ppc[i] >> 24));
}

/* Fills f->parent from f's sorted prefixes: one pass, a stack of the
 * prefixes enclosing the current one. */
static int cfam_link(struct np_pol_cfam *f, u8 fam)
{
	u32 *stack, i, depth = 0;

	if (!f->npfx)
		return 0;
	stack = kmalloc_array(np_lpm_bits(fam) + 1, sizeof(*stack), GFP_KERNEL);
	f->parent = kvmalloc_array(f->npfx, sizeof(u32), GFP_KERNEL_ACCOUNT);
	if (!stack || !f->parent) {
		kfree(stack);
		return -ENOMEM;
	}
	for (i = 0; i < f->npfx; i++) {
		u128v start = fam_get(fam, f->paddr, i);

		while (depth && u_cmp(cfam_end(f, fam, stack[depth - 1]),
				      start) < 0)
			depth--;
		f->parent[i] = depth ? stack[depth - 1] : U32_MAX;
		/* nested prefixes are longer: at most bits + 1 open */
		stack[depth++] = i;
	}
	kfree(stack);
	return 0;
}

/* Replace the array *@p by a copy of its first @n elements of @size. */
static int shrink(void **p, u32 n, size_t size)
{
	void *q = NULL;

	if (n) {
		q = kvmalloc_array(n, size, GFP_KERNEL_ACCOUNT);
		if (!q)
			return -ENOMEM;
		memcpy(q, *p, n * size);
	}
	kvfree(*p);
	*p = q;
	return 0;
}

/* Merge @old's prefixes of @fam with the sorted changes @c[0..n). */
static int cfam_build(struct np_pol_cfam *f, const struct np_pol_cfam *old,
		      u8 fam, const struct np_pol_pchg *c, u32 n)
{
	u32 i = 0, j = 0, out = 0, cap = (old ? old->npfx : 0) + n;
	u32 oldn = old ? old->npfx : 0;

	memset(f, 0, sizeof(*f));
	if (!cap)
		return 0;
	f->paddr = kvmalloc_array(cap, fam_asize(fam), GFP_KERNEL_ACCOUNT);
	f->ppc = kvmalloc_array(cap, sizeof(u32), GFP_KERNEL_ACCOUNT);
	if (!f->paddr || !f->ppc)
		goto nomem;
	while (i < oldn || j < n) {
		int cmp;
		u128v a;
		u32 k;

		if (i < oldn && j < n) {
			a = u_from(fam, c[j].addr);
			cmp = u_cmp(fam_get(fam, old->paddr, i), a);
			if (!cmp)
				cmp = (int)(old->ppc[i] >> 24) - c[j].plen;
		} else {
			cmp = i < oldn ? -1 : 1;
		}
		if (cmp < 0) {
			fam_put(fam, f->paddr, out, fam_get(fam, old->paddr, i));
			f->ppc[out++] = old->ppc[i++];
			continue;
		}
		if (!cmp)
			i++;		/* replaced or removed */
		/* the last change of this prefix wins */
		for (k = j; k + 1 < n && !pchg_cmp_key(&c[k], &c[k + 1]); k++)
			;
		if (c[k].class) {
			fam_put(fam, f->paddr, out, u_from(fam, c[k].addr));
			f->ppc[out++] = (u32)c[k].plen << 24 | c[k].class;
		}
		j = k + 1;
	}
	f->npfx = out;
	/* removals: hold no more than the prefixes kept */
	if (out < cap && (shrink(&f->paddr, out, fam_asize(fam)) ||
			  shrink((void **)&f->ppc, out, sizeof(u32))))
		goto nomem;
	if (cfam_link(f, fam))
		goto nomem;
	return 0;

nomem:
	cfam_free(f);
	return -ENOMEM;
}

struct np_pol_cmap *np_pol_cmap_build(const struct np_pol_cmap *old,
				      struct np_pol_pchg *chg, u32 nchg)
{
	struct np_pol_cmap *m;
	u32 j = 0, k;
	int fam;

	sort(chg, nchg, sizeof(*chg), pchg_cmp, NULL);
	m = np_pol_cmap_empty();
	if (!m)
		return NULL;
	for (fam = 0; fam < __NP_LPM_FAMILIES; fam++) {
		for (k = j; k < nchg && chg[k].fam == fam; k++)
			;
		if (cfam_build(&m->f[fam], old ? &old->f[fam] : NULL, fam,
			       chg + j, k - j)) {
			np_pol_cmap_free(m);
			return NULL;
		}
		j = k;
	}
	return m;
}

u32 np_pol_cmap_lookup(const struct np_pol_cmap *m, u8 fam, const u8 *addr)
{
	const struct np_pol_cfam *f = &m->f[fam];
	u32 lo = 0, hi = f->npfx, mid, i;

	/* lo: the first prefix starting after a */
	if (fam == NP_LPM_V4) {
		const u32 *p = f->paddr;
		u32 a = get_unaligned_be32(addr);

		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (p[mid] <= a)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (i = lo - 1; lo && i != U32_MAX; i = f->parent[i]) {
			u32 plen = f->ppc[i] >> 24;

			/* every prefix here starts at or before a */
			if (a <= (p[i] | (plen < 32 ? ~0U >> plen : 0)))
				return f->ppc[i] & NP_POL_CLASS_MAX;
		}
	} else {
		const u128v *p = f->paddr;
		u128v a = u_from(fam, addr);

		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (u_cmp(p[mid], a) <= 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (i = lo - 1; lo && i != U32_MAX; i = f->parent[i])
			if (u_cmp(a, cfam_end(f, fam, i)) <= 0)
				return f->ppc[i] & NP_POL_CLASS_MAX;
	}
	return 0;
}

u32 np_pol_cmap_find(const struct np_pol_cmap *m, u8 fam, const u8 *addr,
		     u8 plen)
{
	const struct np_pol_cfam *f = &m->f[fam];
	u128v a = u_from(fam, addr);
	u32 lo = 0, hi = f->npfx, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = u_cmp(fam_get(fam, f->paddr, mid), a);
		if (!c)
			c = (int)(f->ppc[mid] >> 24) - plen;
		if (!c)
			return f->ppc[mid] & NP_POL_CLASS_MAX;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

void np_pol_cmap_get(const struct np_pol_cmap *m, u8 fam, u32 i, u8 *addr,
		     u8 *plen, u32 *class)
{
	const struct np_pol_cfam *f = &m->f[fam];

	u_to(fam, fam_get(fam, f->paddr, i), addr);
	*plen = f->ppc[i] >> 24;
	*class = f->ppc[i] & NP_POL_CLASS_MAX;
}

/* ---- endpoints ---- */

static int raw_cmp(const void *a, const void *b)
{
	const struct np_pol_raw *x = a, *y = b;

	if (x->dir != y->dir)
		return x->dir < y->dir ? -1 : 1;
	if (x->class != y->class)
		return x->class < y->class ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return 0;
}

static void dir_free(struct np_pol_rules *d)
{
	kvfree(d->ent);
	kvfree(d->hidx);
	kvfree(d->r);
}

/*
 * One (direction, class) group raw[0..n) (sorted by protocol, first
 * port) into @e, its merged ranges appended to d->r.
 */
static void group_merge(struct np_pol_rules *d, struct np_pol_centry *e,
			const struct np_pol_raw *raw, u32 n)
{
	u32 i;

	e->class = raw[0].class;
	e->first = d->nr;
	e->n = 0;
	e->flags = 0;
	for (i = 0; i < n; i++) {
		struct np_pol_range *last = e->n ? &d->r[d->nr - 1] : NULL;

		if (!raw[i].proto) {
			e->flags |= NP_POL_CE_ANY;
			continue;
		}
		if (last && last->proto == raw[i].proto &&
		    raw[i].first <= (u32)last->last + 1) {
			last->last = max(last->last, raw[i].last);
			continue;
		}
		d->r[d->nr].proto = raw[i].proto;
		d->r[d->nr].first = raw[i].first;
		d->r[d->nr].last = raw[i].last;
		d->nr++;
		e->n++;
	}
	if (e->flags & NP_POL_CE_ANY) {		/* the ranges add nothing */
		d->nr = e->first;
		e->n = 0;
	}
}

static int dir_build(struct np_pol_rules *d, const struct np_pol_raw *raw,
		     u32 n)
{
	u32 i, j, groups = 0, hsize;

	memset(d, 0, sizeof(*d));
	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		if (raw[i].class && (i == 0 || raw[i].class != raw[i - 1].class))
			groups++;
	d->r = kvmalloc_array(n, sizeof(*d->r), GFP_KERNEL_ACCOUNT);
	if (!d->r)
		return -ENOMEM;
	if (groups) {
		hsize = roundup_pow_of_two(2 * groups);
		d->ent = kvmalloc_array(groups, sizeof(*d->ent),
					GFP_KERNEL_ACCOUNT);
		d->hidx = kvcalloc(hsize, sizeof(u32), GFP_KERNEL_ACCOUNT);
		if (!d->ent || !d->hidx) {
			dir_free(d);
			memset(d, 0, sizeof(*d));
			return -ENOMEM;
		}
		d->hmask = hsize - 1;
	}
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && raw[j].class == raw[i].class; j++)
			;
		if (!raw[i].class) {
			group_merge(d, &d->any, raw + i, j - i);
		} else {
			u32 h = hash_32(raw[i].class, 32) & d->hmask;

			group_merge(d, &d->ent[d->nent], raw + i, j - i);
			while (d->hidx[h])
				h = (h + 1) & d->hmask;
			d->hidx[h] = ++d->nent;
		}
	}
	return 0;
}

void np_pol_ep_free(struct np_pol_ep *ep)
{
	int dir;

	if (!ep)
		return;
	for (dir = 0; dir < __NP_POL_DIR_MAX; dir++)
		dir_free(&ep->dir[dir]);
	kfree(ep->name);
	if (ep->rt && refcount_dec_and_test(&ep->rt->ref)) {
		free_percpu(ep->rt->stats);
		kfree(ep->rt);
		atomic_dec(&np_pol_nobjects);
	}
	kfree(ep);
	atomic_dec(&np_pol_nobjects);
}

struct np_pol_ep *np_pol_ep_build(u8 fam, const u8 *addr, u32 flags,
				  const char *name, struct np_pol_raw *raw,
				  u32 nraw)
{
	struct np_pol_ep *ep;
	u32 i, j;
	int dir;

	ep = kzalloc(sizeof(*ep), GFP_KERNEL_ACCOUNT);
	if (!ep)
		return NULL;
	atomic_inc(&np_pol_nobjects);
	ep->fam = fam;
	memcpy(ep->addr, addr, np_pol_alen(fam));
	ep->flags = flags;
	ep->nrules = nraw;
	if (name && *name) {
		ep->name = kstrdup(name, GFP_KERNEL_ACCOUNT);
		if (!ep->name)
			goto err;
	}
	sort(raw, nraw, sizeof(*raw), raw_cmp, NULL);
	for (i = 0, dir = 0; dir < __NP_POL_DIR_MAX; dir++, i = j) {
		for (j = i; j < nraw && raw[j].dir == dir; j++)
			;
		if (dir_build(&ep->dir[dir], raw + i, j - i))
			goto err;
	}
	return ep;
err:
	np_pol_ep_free(ep);
	return NULL;
}

/* Does entry @e allow (@proto, @port)? */
static bool entry_match(const struct np_pol_rules *d,
			const struct np_pol_centry *e, u8 proto, u16 port)
{
	const struct np_pol_range *r = d->r + e->first;
	u32 lo = 0, hi = e->n, mid;

	if (e->flags & NP_POL_CE_ANY)
		return true;
	/* the last range with (proto, first) <= (@proto, @port) */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (r[mid].proto < proto ||
		    (r[mid].proto == proto && r[mid].first <= port))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && r[lo - 1].proto == proto && port <= r[lo - 1].last;
}

bool np_pol_dir_match(const struct np_pol_rules *d, u32 class, u8 proto,
		      u16 port)
{
	u32 h, i;

	if (entry_match(d, &d->any, proto, port))
		return true;
	if (!class || !d->nent)
		return false;
	for (h = hash_32(class, 32) & d->hmask; (i = d->hidx[h]);
	     h = (h + 1) & d->hmask)
		if (d->ent[i - 1].class == class)
			return entry_match(d, &d->ent[i - 1], proto, port);
	return false;
}

/* ---- the endpoint table ---- */

u32 np_pol_ep_hash(u8 fam, const u8 *addr)
{
	return jhash(addr, np_pol_alen(fam), fam);
}

static bool ep_is(const struct np_pol_ep *ep, u8 fam, const u8 *addr)
{
	return ep->fam == fam && !memcmp(ep->addr, addr, np_pol_alen(fam));
}

struct np_pol_ep *np_pol_root_lookup(const struct np_pol_root *r, u8 fam,
				     const u8 *addr)
{
	const struct np_pol_bucket *b;
	u32 i;

	b = r->b[np_pol_ep_hash(fam, addr) & r->mask];
	if (!b)
		return NULL;
	for (i = 0; i < b->n; i++)
		if (ep_is(b->ep[i], fam, addr))
			return b->ep[i];
	return NULL;
}

struct np_pol_root *np_pol_root_empty(u32 nbuckets)
{
	struct np_pol_root *r;

	nbuckets = roundup_pow_of_two(max(nbuckets, 2U));
	r = kvzalloc(struct_size(r, b, nbuckets), GFP_KERNEL_ACCOUNT);
	if (!r)
		return NULL;
	r->cmap = np_pol_cmap_empty();
	if (!r->cmap) {
		kvfree(r);
		return NULL;
	}
	atomic_inc(&np_pol_nobjects);
	r->mask = nbuckets - 1;
	r->generation = 1;
	return r;
}

static void garbage_free(struct np_pol_garbage *g)
{
	u32 i;

	if (!g)
		return;
	for (i = 0; i < g->nb; i++)
		kfree(g->b[i]);
	for (i = 0; i < g->nep; i++)
		np_pol_ep_free(g->ep[i]);
	np_pol_cmap_free(g->cmap);
	kvfree(g->b);
	kvfree(g->ep);
	kfree(g);
}

void np_pol_root_free(struct np_pol_root *r, bool all)
{
	u32 i, j;

	if (!r)
		return;
	if (all) {
		for (i = 0; i <= r->mask; i++) {
			if (!r->b[i])
				continue;
			for (j = 0; j < r->b[i]->n; j++)
				np_pol_ep_free(r->b[i]->ep[j]);
			kfree(r->b[i]);
		}
		np_pol_cmap_free(r->cmap);
	}
	garbage_free(r->garbage);
	kvfree(r);
	atomic_dec(&np_pol_nobjects);
}

static int change_cmp(const void *a, const void *b)
{
	const struct np_pol_change *x = a, *y = b;

	if (x->bucket != y->bucket)
		return x->bucket < y->bucket ? -1 : 1;
	return 0;
}

struct np_pol_root *np_pol_root_build(const struct np_pol_root *old,
				      struct np_pol_change *ch, u32 nch,
				      struct np_pol_cmap *cmap,
				      struct np_pol_garbage **gp)
{
	u32 nb = old->mask + 1, i, j, k, t, ntouched = 0;
	struct np_pol_garbage *g;
	struct np_pol_root *r;
	u32 *touched = NULL;

	*gp = NULL;
	r = kvmalloc(struct_size(r, b, nb), GFP_KERNEL_ACCOUNT);
	g = kzalloc(sizeof(*g), GFP_KERNEL_ACCOUNT);
	if (!r || !g)
		goto nomem;
	memcpy(r, old, struct_size(r, b, nb));
	r->garbage = NULL;
	r->generation = old->generation + 1;
	if (cmap) {
		r->cmap = cmap;
		g->cmap = old->cmap;
	}
	if (nch) {
		g->b = kvmalloc_array(nch, sizeof(*g->b), GFP_KERNEL_ACCOUNT);
		g->ep = kvmalloc_array(nch, sizeof(*g->ep), GFP_KERNEL_ACCOUNT);
		touched = kvmalloc_array(nch, sizeof(u32), GFP_KERNEL);
		if (!g->b || !g->ep || !touched)
			goto nomem;
	}
	for (i = 0; i < nch; i++)
		ch[i].bucket = np_pol_ep_hash(ch[i].fam, ch[i].addr) & r->mask;
	sort(ch, nch, sizeof(*ch), change_cmp, NULL);

	for (i = 0; i < nch; i = j) {
		const struct np_pol_bucket *ob = old->b[ch[i].bucket];
		struct np_pol_bucket *b;
		u32 on = ob ? ob->n : 0;

		for (j = i; j < nch && ch[j].bucket == ch[i].bucket; j++)
			;
		b = kmalloc(struct_size(b, ep, on + j - i), GFP_KERNEL_ACCOUNT);
		if (!b)
			goto nomem;
		b->n = 0;
		r->b[ch[i].bucket] = b;
		touched[ntouched++] = ch[i].bucket;
		for (k = 0; k < on; k++) {
			for (t = i; t < j; t++)
				if (ep_is(ob->ep[k], ch[t].fam, ch[t].addr))
					break;
			if (t == j) {
				b->ep[b->n++] = ob->ep[k];
				continue;
			}
			g->ep[g->nep++] = ob->ep[k];
			r->neps--;
			r->neps_fam[ob->ep[k]->fam]--;
			r->nrules -= ob->ep[k]->nrules;
		}
		for (t = i; t < j; t++) {
			if (!ch[t].ep)
				continue;
			b->ep[b->n++] = ch[t].ep;
			r->neps++;
			r->neps_fam[ch[t].fam]++;
			r->nrules += ch[t].ep->nrules;
		}
		if (ob)
			g->b[g->nb++] = (struct np_pol_bucket *)ob;
		if (!b->n) {
			kfree(b);
			r->b[ch[i].bucket] = NULL;
		}
		NP_POL_TEST_PROBE();
	}
	kvfree(touched);
	*gp = g;
	atomic_inc(&np_pol_nobjects);
	return r;

nomem:
	if (touched) {
		for (i = 0; i < ntouched; i++)
			if (r->b[touched[i]] != old->b[touched[i]])
				kfree(r->b[touched[i]]);
		kvfree(touched);
	}
	if (g) {
		kvfree(g->b);
		kvfree(g->ep);
		kfree(g);
	}
	kvfree(r);
	return NULL;
}

/* ---- the decision ---- */

void np_pol_decide(const struct np_pol_root *r, u8 fam, const u8 *saddr,
		   const u8 *daddr, u8 proto, u16 dport,
		   bool (*src_local)(void *arg), void *arg,
		   struct np_pol_verdict *v)
{
	struct np_pol_ep *s, *d;

	memset(v, 0, sizeof(*v));
	if (!r->neps_fam[fam])
		return;
	s = np_pol_root_lookup(r, fam, saddr);
	if (s && (s->flags & NP_PEP_F_EGRESS)) {
		v->src = s;
		v->eg_checked = true;
		v->eg_ok = np_pol_dir_match(&s->dir[NP_POL_DIR_EGRESS],
					    np_pol_cmap_lookup(r->cmap, fam,
							       daddr),
					    proto, dport);
		if (!v->eg_ok)
			return;
	}
	d = np_pol_root_lookup(r, fam, daddr);
	if (d && (d->flags & NP_PEP_F_INGRESS) && !src_local(arg)) {
		v->dst = d;
		v->in_checked = true;
		v->in_ok = np_pol_dir_match(&d->dir[NP_POL_DIR_INGRESS],
					    np_pol_cmap_lookup(r->cmap, fam,
							       saddr),
					    proto, dport);
	}
}
