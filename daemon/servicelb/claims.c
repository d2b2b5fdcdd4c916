// SPDX-License-Identifier: GPL-2.0-only
/*
 * Port claims on a node: the scheduler's hostPort admission replayed in
 * age order (see claims.h), shared by the servicelb and hostport planners
 * and the status.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "servicelb/claims.h"

bool np_port_want_conflict(const struct np_port_want *a,
			   const struct np_port_want *b)
{
	if (a->proto != b->proto || a->port != b->port)
		return false;
	if (!a->host_ip.family || !b->host_ip.family)
		return true;
	return np_addr_eq(&a->host_ip, &b->host_ip);
}

#define CMP(x, y) (((x) > (y)) - ((x) < (y)))

static int strcmp_null(const char *a, const char *b)
{
	if (!a || !b)
		return CMP(a != NULL, b != NULL);
	return strcmp(a, b);
}

int np_claimant_cmp(const struct np_claimant *a, const struct np_claimant *b)
{
	int r;

	if (a->meta->created != b->meta->created)
		return CMP(a->meta->created, b->meta->created);
	r = strcmp(a->meta->ns, b->meta->ns);
	if (!r)
		r = strcmp(a->meta->name, b->meta->name);
	if (!r)
		r = CMP(a->kind, b->kind);
	if (!r)
		r = strcmp_null(a->meta->uid, b->meta->uid);
	return r;
}

static int claimant_qcmp(const void *a, const void *b)
{
	return np_claimant_cmp(a, b);
}

/* One want of one claimant, for the (proto, port) index. */
struct entry {
	enum np_proto proto;
	uint16_t port;
	size_t claimant, want;
};

static int entry_cmp(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;

	if (a->proto != b->proto)
		return CMP(a->proto, b->proto);
	if (a->port != b->port)
		return CMP(a->port, b->port);
	if (a->claimant != b->claimant)
		return CMP(a->claimant, b->claimant);
	return CMP(a->want, b->want);
}

/* The first entry of (proto, port), or n. */
static size_t group_start(const struct entry *e, size_t n, enum np_proto proto,
			  uint16_t port)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (e[mid].proto < proto ||
		    (e[mid].proto == proto && e[mid].port < port))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int add_conflict(struct np_port_conflict **v, size_t *n, size_t *cap,
			const struct np_claimant *loser,
			const struct np_port_want *want,
			const struct np_claimant *winner)
{
	struct np_port_conflict *c;

	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;

		c = realloc(*v, nc * sizeof(*c));
		if (!c)
			return -ENOMEM;
		*v = c;
		*cap = nc;
	}
	c = &(*v)[(*n)++];
	c->loser_kind = loser->kind;
	c->loser = loser->meta;
	c->want = *want;
	c->winner_kind = winner->kind;
	c->winner = winner->meta;
	return 0;
}

int np_claims_resolve(struct np_claimant *c, size_t n,
		      struct np_port_conflict **conf, size_t *n_conf)
{
	struct np_port_conflict *cv = NULL;
	size_t i, w, k, total = 0, ne = 0, nconf = 0, cap = 0;
	struct entry *e;
	int ret = 0;

	if (conf) {
		*conf = NULL;
		*n_conf = 0;
	}
	if (n > 1)
		qsort(c, n, sizeof(*c), claimant_qcmp);
	for (i = 0; i < n; i++)
		total += c[i].n_wants;
	e = calloc(total ? total : 1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		for (w = 0; w < c[i].n_wants; w++)
			e[ne++] = (struct entry){ c[i].wants[w].proto,
						  c[i].wants[w].port, i, w };
	if (ne > 1)
		qsort(e, ne, sizeof(*e), entry_cmp);

	for (i = 0; i < n; i++) {
		c[i].won = true;
		for (w = 0; w < c[i].n_wants; w++) {
			const struct np_port_want *me = &c[i].wants[w];
			size_t last = SIZE_MAX;

			k = group_start(e, ne, me->proto, me->port);
			for (; k < ne && e[k].proto == me->proto &&
			     e[k].port == me->port && e[k].claimant < i; k++) {
				size_t j = e[k].claimant;

				if (!c[j].won || j == last ||
				    !np_port_want_conflict(me,
						&c[j].wants[e[k].want]))
					continue;
				c[i].won = false;
				last = j;
				if (!conf)
					break;
				ret = add_conflict(&cv, &nconf, &cap, &c[i], me,
						   &c[j]);
				if (ret)
					goto out;
			}
			if (!c[i].won && !conf)
				break;
		}
	}
out:
	free(e);
	if (ret) {
		free(cv);
		return ret;
	}
	if (conf) {
		*conf = cv;
		*n_conf = nconf;
	}
	return 0;
}

bool np_pod_claims_ports(const struct np_pod *pod)
{
	return !pod->meta.invalid && pod->node_name &&
	       pod->phase != NP_POD_SUCCEEDED && pod->phase != NP_POD_FAILED;
}

struct build {
	struct np_claimant *v;
	size_t n, cap;
};

static struct np_claimant *grow(struct build *b)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		struct np_claimant *v = realloc(b->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		b->v = v;
		b->cap = cap;
	}
	memset(&b->v[b->n], 0, sizeof(b->v[b->n]));
	return &b->v[b->n++];
}

static bool proto_known(enum np_proto p)
{
	return p == NP_PROTO_TCP || p == NP_PROTO_UDP || p == NP_PROTO_SCTP;
}

static int add_service(struct build *b, const struct np_service *s)
{
	struct np_claimant *c = grow(b);
	size_t i;

	if (!c)
		return -ENOMEM;
	c->kind = NP_KIND_SERVICE;
	c->meta = &s->meta;
	c->obj = s;
	if (!s->n_ports)
		return 0;
	c->wants = calloc(s->n_ports, sizeof(*c->wants));
	if (!c->wants)
		return -ENOMEM;
	for (i = 0; i < s->n_ports; i++) {
		if (!proto_known(s->ports[i].proto))
			continue;
		c->wants[c->n_wants].proto = s->ports[i].proto;
		c->wants[c->n_wants].port = s->ports[i].port;
		c->n_wants++;
	}
	return 0;
}

static int add_pod(const void *obj, void *ctx)
{
	const struct np_pod *pod = obj;
	struct build *b = ctx;
	struct np_claimant *c;
	size_t i, n = 0;

	if (!np_pod_claims_ports(pod))
		return 0;
	for (i = 0; i < pod->n_ports; i++)
		if (pod->ports[i].host_port && proto_known(pod->ports[i].proto))
			n++;
	if (!n)
		return 0;
	c = grow(b);
	if (!c)
		return -ENOMEM;
	c->kind = NP_KIND_POD;
	c->meta = &pod->meta;
	c->obj = pod;
	c->wants = calloc(n, sizeof(*c->wants));
	if (!c->wants)
		return -ENOMEM;
	for (i = 0; i < pod->n_ports; i++) {
		const struct np_container_port *cp = &pod->ports[i];

		if (!cp->host_port || !proto_known(cp->proto))
			continue;
		c->wants[c->n_wants].host_ip = cp->host_ip;
		c->wants[c->n_wants].proto = cp->proto;
		c->wants[c->n_wants].port = cp->host_port;
		c->n_wants++;
	}
	return 0;
}

static int by_obj_cmp(const void *pa, const void *pb)
{
	uintptr_t a = (uintptr_t)(*(const struct np_claimant *const *)pa)->obj;
	uintptr_t b = (uintptr_t)(*(const struct np_claimant *const *)pb)->obj;

	return CMP(a, b);
}

int np_node_claims_build(const struct np_model *m, const char *node,
			 const struct np_node *n,
			 const struct np_slb_svcs *svcs,
			 struct np_node_claims *out)
{
	struct build b = { 0 };
	size_t i;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	for (i = 0; n && i < svcs->n && !ret; i++)
		if (np_slb_placeable(&svcs->v[i], n, svcs->allow_list) ==
		    NP_SLB_ELIGIBLE)
			ret = add_service(&b, svcs->v[i].svc);
	if (!ret)
		ret = np_model_foreach_pod_on_node(m, node, add_pod, &b);
	out->v = b.v;
	out->n = b.n;
	if (!ret)
		ret = np_claims_resolve(out->v, out->n, &out->conflicts,
					&out->n_conflicts);
	if (!ret) {
		out->by_obj = calloc(out->n ? out->n : 1,
				     sizeof(*out->by_obj));
		if (!out->by_obj)
			ret = -ENOMEM;
	}
	if (ret) {
		np_node_claims_free(out);
		return ret;
	}
	for (i = 0; i < out->n; i++)
		out->by_obj[i] = &out->v[i];
	if (out->n > 1)
		qsort(out->by_obj, out->n, sizeof(*out->by_obj), by_obj_cmp);
	return 0;
}

void np_node_claims_free(struct np_node_claims *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].wants);
	free(c->v);
	free(c->conflicts);
	free(c->by_obj);
	memset(c, 0, sizeof(*c));
}

bool np_node_claims_won(const struct np_node_claims *c, const void *obj)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uintptr_t o = (uintptr_t)c->by_obj[mid]->obj;

		if (o == (uintptr_t)obj)
			return c->by_obj[mid]->won;
		if (o < (uintptr_t)obj)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static const char *kind_word(enum np_kind k)
{
	return k == NP_KIND_SERVICE ? "Service" : "Pod";
}

const char *np_port_conflict_str(const struct np_port_conflict *c,
				 const char *node, char *buf, size_t len)
{
	static const char *const pn[] = { [NP_PROTO_TCP] = "tcp",
					   [NP_PROTO_UDP] = "udp",
					   [NP_PROTO_SCTP] = "sctp" };
	char a[NP_ADDR_STRLEN], key[NP_ADDR_STRLEN + 16];
	const char *proto = pn[c->want.proto] ? pn[c->want.proto] : "?";

	np_addr_str(&c->want.host_ip, a, sizeof(a));
	if (!c->want.host_ip.family)
		snprintf(key, sizeof(key), "%s/%u", proto, c->want.port);
	else if (c->want.host_ip.family == AF_INET6)
		snprintf(key, sizeof(key), "%s/[%s]:%u", proto, a,
			 c->want.port);
	else
		snprintf(key, sizeof(key), "%s/%s:%u", proto, a, c->want.port);
	snprintf(buf, len, "%s on node %s is held by %s %s/%s (older)", key,
		 node, kind_word(c->winner_kind), c->winner->ns,
		 c->winner->name);
	return buf;
}
