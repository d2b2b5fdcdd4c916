// SPDX-License-Identifier: GPL-2.0-only
/*
 * The store: one hash table per kind keyed by "namespace/name", the
 * indexes (objects by namespace; pods by node; slices by Service; pods by
 * IP), list synchronisation (generations: objects not upserted since
 * np_model_sync_begin are deleted at _end) and subscribers. Every lookup
 * is O(1); a sync is O(objects of the kind).
 *
 * An index is a table of groups (one per key: a namespace, a node name,
 * "ns/service", an address) each holding a list of links, one per object
 * in it; an object holds its links (NSLOT of them), so unlinking is O(1).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "model/hmap.h"
#include "model/internal.h"

enum { IDX_NS, IDX_2, IDX_IP, NIDX };		/* per kind */
enum { SLOT_NS, SLOT_2, SLOT_IP0, SLOT_IP1, NSLOT };	/* per object */

static const int slot_idx[NSLOT] = { IDX_NS, IDX_2, IDX_IP, IDX_IP };

#define KEY_MAX (NP_NS_MAX + 1 + NP_NAME_MAX + 1)
#define IPKEY_LEN 17

struct entry;

struct ilink {
	struct ilink *prev, *next;
	struct group *g;
	struct entry *e;
};

struct group {
	struct np_hnode node;
	struct ilink *head;
	size_t n;
	char key[];
};

struct entry {
	struct np_hnode node;
	void *obj;
	uint64_t gen;			/* sync generation last seen in */
	struct ilink links[NSLOT];
	char key[];			/* "ns/name" */
};

struct kstore {
	struct np_hmap objs;
	struct np_hmap idx[NIDX];
	uint64_t gen;
	bool syncing, synced;
};

struct sub {
	uint32_t kinds;
	np_model_cb cb;		/* NULL: unsubscribed during a notify */
	void *ctx;
};

/*
 * Subscribers may subscribe and unsubscribe (themselves or others) from
 * their callbacks: during a notify (depth > 0) an unsubscribed entry is
 * only marked (cb NULL) and removed when the outermost notify ends, and
 * one added is not called for the change in progress. The array may be
 * reallocated meanwhile: notify copies each entry before calling it.
 */
struct np_model {
	struct kstore k[NP_KIND_COUNT];
	struct sub *subs;
	size_t n_subs;
	unsigned int depth;	/* notify() calls in progress */
	size_t n_dead;		/* entries marked during them */
};

/* An index key: its bytes and length (0: the object is not indexed). */
struct ikey {
	uint8_t buf[KEY_MAX];
	size_t len;
};

static bool kind_ok(enum np_kind kind)
{
	return (unsigned int)kind < NP_KIND_COUNT;
}

static size_t make_key(char *buf, size_t len, const char *ns, const char *name)
{
	size_t a = strlen(ns ? ns : ""), b = strlen(name ? name : "");

	if (a + 1 + b + 1 > len)
		return 0;
	memcpy(buf, ns ? ns : "", a);
	buf[a] = '/';
	memcpy(buf + a + 1, name ? name : "", b);
	buf[a + 1 + b] = '\0';
	return a + 1 + b;
}

static void ip_key(struct ikey *k, const struct np_addr *a)
{
	k->buf[0] = a->family == AF_INET ? 4 : 6;
	memcpy(k->buf + 1, a->a, 16);
	if (a->family == AF_INET)
		memset(k->buf + 5, 0, 12);
	k->len = IPKEY_LEN;
}

static void str_key(struct ikey *k, const char *s)
{
	size_t n = strlen(s);

	if (n >= sizeof(k->buf))
		n = sizeof(k->buf) - 1;
	memcpy(k->buf, s, n);
	k->len = n;
}

/* The keys obj is indexed under, per slot. */
static void index_keys(enum np_kind kind, const void *obj, struct ikey k[NSLOT])
{
	const struct np_meta *m = obj;
	size_t i;

	for (i = 0; i < NSLOT; i++)
		k[i].len = 0;
	if (!obj)
		return;
	if (np_kind_namespaced(kind))
		str_key(&k[SLOT_NS], m->ns);
	if (kind == NP_KIND_POD) {
		const struct np_pod *p = obj;

		if (p->node_name)
			str_key(&k[SLOT_2], p->node_name);
		for (i = 0; i < p->n_pod_ips; i++)
			ip_key(&k[SLOT_IP0 + i], &p->pod_ips[i]);
	} else if (kind == NP_KIND_ENDPOINTSLICE) {
		const struct np_endpointslice *s = obj;

		if (s->service_name)
			k[SLOT_2].len = make_key((char *)k[SLOT_2].buf,
						 sizeof(k[SLOT_2].buf), m->ns,
						 s->service_name);
	}
}

static struct group *group_find(const struct np_hmap *h, const void *key,
				size_t len)
{
	struct np_hnode *n = np_hmap_find(h, key, len);

	return n ? (struct group *)n : NULL;
}

static struct group *group_get(struct np_hmap *h, const struct ikey *k)
{
	struct group *g = group_find(h, k->buf, k->len);

	if (g)
		return g;
	g = calloc(1, sizeof(*g) + k->len);
	if (!g)
		return NULL;
	memcpy(g->key, k->buf, k->len);
	g->node.key = g->key;
	g->node.klen = k->len;
	if (np_hmap_add(h, &g->node) < 0) {
		free(g);
		return NULL;
	}
	return g;
}

/* Frees g if nothing is in it. */
static void group_put(struct np_hmap *h, struct group *g)
{
	if (g && !g->n) {
		np_hmap_del(h, &g->node);
		free(g);
	}
}

static void link_add(struct ilink *l, struct group *g, struct entry *e)
{
	l->g = g;
	l->e = e;
	l->prev = NULL;
	l->next = g->head;
	if (g->head)
		g->head->prev = l;
	g->head = l;
	g->n++;
}

static void link_del(struct ilink *l)
{
	if (!l->g)
		return;
	if (l->prev)
		l->prev->next = l->next;
	else
		l->g->head = l->next;
	if (l->next)
		l->next->prev = l->prev;
	l->g->n--;
	memset(l, 0, sizeof(*l));
}

/*
 * Moves e's index links from its current object to obj (NULL: none).
 * Groups are made first, so that the only failure (-ENOMEM) leaves the
 * indexes as they were.
 */
static int reindex(struct kstore *ks, enum np_kind kind, struct entry *e,
		   const void *obj)
{
	struct ikey k[NSLOT];
	struct group *ng[NSLOT] = { NULL }, *og[NSLOT];
	size_t i;

	index_keys(kind, obj, k);
	for (i = 0; i < NSLOT; i++) {
		if (!k[i].len)
			continue;
		ng[i] = group_get(&ks->idx[slot_idx[i]], &k[i]);
		if (!ng[i]) {
			while (i--)
				group_put(&ks->idx[slot_idx[i]], ng[i]);
			return -ENOMEM;
		}
	}
	for (i = 0; i < NSLOT; i++) {
		og[i] = e->links[i].g;
		link_del(&e->links[i]);
	}
	for (i = 0; i < NSLOT; i++)
		if (ng[i])
			link_add(&e->links[i], ng[i], e);
	for (i = 0; i < NSLOT; i++)
		group_put(&ks->idx[slot_idx[i]], og[i]);
	return 0;
}

static struct entry *entry_find(const struct kstore *ks, const char *ns,
				const char *name)
{
	char key[KEY_MAX];
	size_t len = make_key(key, sizeof(key), ns, name);

	if (!len)
		return NULL;
	return (struct entry *)np_hmap_find(&ks->objs, key, len);
}

static void subs_compact(struct np_model *m)
{
	size_t i, j = 0;

	for (i = 0; i < m->n_subs; i++)
		if (m->subs[i].cb)
			m->subs[j++] = m->subs[i];
	m->n_subs = j;
	m->n_dead = 0;
}

static void notify(struct np_model *m, enum np_kind kind, const void *old,
		   const void *new_obj)
{
	size_t i, n = m->n_subs;	/* not those added meanwhile */

	m->depth++;
	for (i = 0; i < n; i++) {
		struct sub s = m->subs[i];	/* subs may move */

		if (s.cb && (s.kinds & (1U << kind)))
			s.cb(s.ctx, kind, old, new_obj);
	}
	if (!--m->depth && m->n_dead)
		subs_compact(m);
}

struct np_model *np_model_new(void)
{
	return calloc(1, sizeof(struct np_model));
}

static void entry_free(enum np_kind kind, struct entry *e)
{
	np_model_obj_free(kind, e->obj);
	free(e);
}

void np_model_free(struct np_model *m)
{
	struct np_hnode *n, *next;
	int k, i;

	if (!m)
		return;
	for (k = 0; k < NP_KIND_COUNT; k++) {
		struct kstore *ks = &m->k[k];

		for (n = np_hmap_first(&ks->objs); n; n = next) {
			next = np_hmap_next(&ks->objs, n);
			entry_free(k, (struct entry *)n);
		}
		np_hmap_free(&ks->objs);
		for (i = 0; i < NIDX; i++) {
			for (n = np_hmap_first(&ks->idx[i]); n; n = next) {
				next = np_hmap_next(&ks->idx[i], n);
				free(n);
			}
			np_hmap_free(&ks->idx[i]);
		}
	}
	free(m->subs);
	free(m);
}

static int insert(struct np_model *m, enum np_kind kind, void *obj)
{
	struct kstore *ks = &m->k[kind];
	const struct np_meta *meta = obj;
	char key[KEY_MAX];
	size_t len = make_key(key, sizeof(key), meta->ns, meta->name);
	struct entry *e;

	e = calloc(1, sizeof(*e) + len + 1);
	if (!e)
		return -ENOMEM;
	memcpy(e->key, key, len + 1);
	e->node.key = e->key;
	e->node.klen = len;
	e->obj = obj;
	e->gen = ks->gen;
	if (np_hmap_add(&ks->objs, &e->node) < 0) {
		free(e);
		return -ENOMEM;
	}
	if (reindex(ks, kind, e, obj) < 0) {
		np_hmap_del(&ks->objs, &e->node);
		free(e);
		return -ENOMEM;
	}
	notify(m, kind, NULL, obj);
	return 0;
}

int np_model_upsert(struct np_model *m, enum np_kind kind, const cJSON *obj,
		    char *err, size_t errlen)
{
	const char *ns, *name;
	struct kstore *ks;
	struct entry *e;
	void *o, *old;
	int ret;

	if (!kind_ok(kind))
		return -EINVAL;
	ks = &m->k[kind];
	ret = np_model_decode(kind, obj, &o, &ns, &name, err, errlen);
	if (ret == -EINVAL && name) {
		/* Stored as an invalid marker, replacing a valid version:
		 * reconcilers must not keep acting on what it said before. */
		int r = np_model_invalid_new(kind, obj, ns, name, err, &o);

		if (r)
			return r;
	} else if (ret) {
		/* Out of memory: a stored version stays and counts as seen. */
		e = name ? entry_find(ks, ns, name) : NULL;
		if (e)
			e->gen = ks->gen;
		return ret;
	}
	e = entry_find(ks, ((struct np_meta *)o)->ns,
		       ((struct np_meta *)o)->name);
	if (!e) {
		int r = insert(m, kind, o);

		if (r)
			np_model_obj_free(kind, o);
		return r ? r : ret;
	}
	e->gen = ks->gen;
	if (np_model_obj_equal(kind, e->obj, o)) {
		np_model_obj_free(kind, o);
		return ret;
	}
	if (reindex(ks, kind, e, o) < 0) {
		np_model_obj_free(kind, o);
		return -ENOMEM;
	}
	old = e->obj;
	e->obj = o;
	notify(m, kind, old, o);
	np_model_obj_free(kind, old);
	return ret;
}

static void remove_entry(struct np_model *m, enum np_kind kind,
			 struct entry *e)
{
	struct kstore *ks = &m->k[kind];

	reindex(ks, kind, e, NULL);	/* no allocation: cannot fail */
	np_hmap_del(&ks->objs, &e->node);
	notify(m, kind, e->obj, NULL);
	entry_free(kind, e);
}

int np_model_delete(struct np_model *m, enum np_kind kind, const char *ns,
		    const char *name)
{
	struct entry *e;

	if (!kind_ok(kind))
		return -EINVAL;
	e = entry_find(&m->k[kind], np_kind_namespaced(kind) ? ns : "", name);
	if (!e)
		return -ENOENT;
	remove_entry(m, kind, e);
	return 0;
}

void np_model_sync_begin(struct np_model *m, enum np_kind kind)
{
	if (!kind_ok(kind))
		return;
	m->k[kind].gen++;
	m->k[kind].syncing = true;
}

static struct entry *first_stale(const struct kstore *ks)
{
	struct np_hnode *n;

	for (n = np_hmap_first(&ks->objs); n; n = np_hmap_next(&ks->objs, n))
		if (((struct entry *)n)->gen != ks->gen)
			return (struct entry *)n;
	return NULL;
}

void np_model_sync_end(struct np_model *m, enum np_kind kind)
{
	struct kstore *ks;
	struct entry **stale = NULL, *e;
	struct np_hnode *n;
	size_t ns = 0, cap = 0, i;

	if (!kind_ok(kind) || !m->k[kind].syncing)
		return;
	ks = &m->k[kind];
	/* Collect first: subscribers may read the store while we delete. */
	for (n = np_hmap_first(&ks->objs); n; n = np_hmap_next(&ks->objs, n)) {
		if (((struct entry *)n)->gen == ks->gen)
			continue;
		if (ns == cap) {
			struct entry **s;

			cap = cap ? cap * 2 : 64;
			s = realloc(stale, cap * sizeof(*s));
			if (!s)
				break;
			stale = s;
		}
		stale[ns++] = (struct entry *)n;
	}
	for (i = 0; i < ns; i++)
		remove_entry(m, kind, stale[i]);
	free(stale);
	/* Out of memory above: one at a time. */
	while ((e = first_stale(ks)))
		remove_entry(m, kind, e);
	ks->syncing = false;
	if (!ks->synced) {
		ks->synced = true;
		notify(m, kind, NULL, NULL);	/* first complete list */
	}
}

bool np_model_synced(const struct np_model *m, enum np_kind kind)
{
	return kind_ok(kind) && m->k[kind].synced;
}

const void *np_model_get(const struct np_model *m, enum np_kind kind,
			 const char *ns, const char *name)
{
	struct entry *e;

	if (!kind_ok(kind) || !name)
		return NULL;
	e = entry_find(&m->k[kind], np_kind_namespaced(kind) ? ns : "", name);
	return e ? e->obj : NULL;
}

size_t np_model_count(const struct np_model *m, enum np_kind kind)
{
	return kind_ok(kind) ? m->k[kind].objs.n : 0;
}

static int walk_group(const struct group *g,
		      int (*fn)(const void *obj, void *ctx), void *ctx)
{
	const struct ilink *l;
	int ret;

	for (l = g ? g->head : NULL; l; l = l->next) {
		ret = fn(l->e->obj, ctx);
		if (ret)
			return ret;
	}
	return 0;
}

int np_model_foreach(const struct np_model *m, enum np_kind kind,
		     const char *ns, np_model_iter_fn fn, void *ctx)
{
	const struct kstore *ks;
	struct np_hnode *n;
	int ret;

	if (!kind_ok(kind))
		return 0;
	ks = &m->k[kind];
	if (ns && np_kind_namespaced(kind))
		return walk_group(group_find(&ks->idx[IDX_NS], ns, strlen(ns)),
				  fn, ctx);
	for (n = np_hmap_first(&ks->objs); n; n = np_hmap_next(&ks->objs, n)) {
		ret = fn(((struct entry *)n)->obj, ctx);
		if (ret)
			return ret;
	}
	return 0;
}

int np_model_subscribe(struct np_model *m, uint32_t kinds, np_model_cb cb,
		       void *ctx)
{
	struct sub *s;

	if (!cb)
		return -EINVAL;
	s = realloc(m->subs, (m->n_subs + 1) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	m->subs = s;
	m->subs[m->n_subs++] = (struct sub){ kinds, cb, ctx };
	return 0;
}

int np_model_unsubscribe(struct np_model *m, np_model_cb cb, void *ctx)
{
	size_t i;

	for (i = 0; i < m->n_subs; i++) {
		if (m->subs[i].cb != cb || m->subs[i].ctx != ctx)
			continue;
		if (m->depth) {
			m->subs[i].cb = NULL;
			m->n_dead++;
		} else {
			memmove(&m->subs[i], &m->subs[i + 1],
				(m->n_subs - i - 1) * sizeof(*m->subs));
			m->n_subs--;
		}
		return 0;
	}
	return -ENOENT;
}

/* ------------------------------------------------------------ Indexes */

int np_model_foreach_pod_on_node(const struct np_model *m, const char *node,
				 int (*fn)(const void *obj, void *ctx),
				 void *ctx)
{
	const struct np_hmap *h = &m->k[NP_KIND_POD].idx[IDX_2];

	return walk_group(group_find(h, node, strlen(node)), fn, ctx);
}

int np_model_foreach_slice_of_service(const struct np_model *m,
				      const char *ns, const char *service,
				      int (*fn)(const void *obj, void *ctx),
				      void *ctx)
{
	const struct np_hmap *h = &m->k[NP_KIND_ENDPOINTSLICE].idx[IDX_2];
	char key[KEY_MAX];
	size_t len = make_key(key, sizeof(key), ns, service);

	return len ? walk_group(group_find(h, key, len), fn, ctx) : 0;
}

static const struct group *ip_group(const struct np_model *m,
				    const struct np_addr *ip)
{
	struct ikey k;

	if (ip->family != AF_INET && ip->family != AF_INET6)
		return NULL;
	ip_key(&k, ip);
	return group_find(&m->k[NP_KIND_POD].idx[IDX_IP], k.buf, k.len);
}

int np_model_foreach_pod_with_ip(const struct np_model *m,
				 const struct np_addr *ip,
				 int (*fn)(const void *obj, void *ctx),
				 void *ctx)
{
	return walk_group(ip_group(m, ip), fn, ctx);
}

const struct np_pod *np_model_pod_by_ip(const struct np_model *m,
					const struct np_addr *ip)
{
	const struct group *g = ip_group(m, ip);
	const struct np_pod *found = NULL;
	const struct ilink *l;

	for (l = g ? g->head : NULL; l; l = l->next) {
		const struct np_pod *p = l->e->obj;

		if (p->host_network || p->phase == NP_POD_SUCCEEDED ||
		    p->phase == NP_POD_FAILED)
			continue;
		if (p->phase == NP_POD_RUNNING)
			return p;
		if (!found)
			found = p;
	}
	return found;
}
