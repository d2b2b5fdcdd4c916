// SPDX-License-Identifier: GPL-2.0-only
/*
 * The overlay's desired state from the configuration and the Nodes: the
 * own Node's device addresses and annotations, one module peer, route or
 * WireGuard peer per family of every usable Node, and the reason for each
 * Node left out; plus the diffs of sorted desired and current lists.
 * Pure: no I/O, no clock, no globals.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "model/hmap.h"
#include "overlay/plan.h"

/* Family slots. */
enum { F4, F6, NFAM };

static const int fam_af[NFAM] = { AF_INET, AF_INET6 };

/* One Node that passed its own checks, before the cross-Node ones. */
struct cand {
	const char *name;	/* the Node's (plan_build) or the cache's copy */
	bool skip;
	struct np_addr ep[NFAM];
	struct np_cidr pod[NFAM];	/* network address, as the Node's prefix */
	uint8_t mac[NFAM][NP_MAC_LEN];
	uint8_t key[NFAM][NP_ANNOT_KEY_LEN];
	uint16_t port[NFAM];
};

static void whyf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void whyf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static const char *backend_type(enum np_backend b)
{
	switch (b) {
	case NP_BACKEND_VXLAN:
		return "vxlan";
	case NP_BACKEND_HOST_GW:
		return "host-gw";
	case NP_BACKEND_WIREGUARD_NATIVE:
		return "wireguard";
	case NP_BACKEND_NONE:
		break;
	}
	return NULL;
}

static bool fam_on(const struct np_plan_in *in, int f)
{
	return f == F4 ? in->fam4 : in->fam6;
}

static const struct np_cidr *cluster(const struct np_plan_in *in, int f)
{
	return f == F4 ? &in->cluster4 : &in->cluster6;
}

/* The Node's podCIDR of family slot f, network address; false if none. */
static bool node_pod(const struct np_node *n, int f, struct np_cidr *out)
{
	size_t i;

	for (i = 0; i < n->n_pod_cidrs && i < 2; i++) {
		if (n->pod_cidrs[i].addr.family != fam_af[f])
			continue;
		out->prefixlen = n->pod_cidrs[i].prefixlen;
		np_cidr_network(&n->pod_cidrs[i], &out->addr);
		return true;
	}
	return false;
}

static bool cidr_same(const struct np_cidr *a, const struct np_cidr *b)
{
	return a->prefixlen == b->prefixlen && np_addr_eq(&a->addr, &b->addr);
}

static bool cidr_inside(const struct np_cidr *outer, const struct np_cidr *c)
{
	return c->prefixlen >= outer->prefixlen &&
	       np_cidr_contains(outer, &c->addr);
}

/* Names of a cached plan belong to the cache (p->names is NULL). */
static const char *keep_name(struct np_plan *p, const char *name)
{
	char *s;

	if (!p->names)
		return name;
	s = strdup(name);

	if (!s)
		return NULL;
	p->names[p->n_names++] = s;
	return s;
}

/* ---- the own Node --------------------------------------------------- */

static const char *const ann_data[NFAM] = { "backend-data", "backend-v6-data" };
static const char *const ann_ip[NFAM] = { "public-ip", "public-ipv6" };
static const char *const fam_name[NFAM] = { "IPv4", "IPv6" };

/* The address published as public-ip(v6) for family slot f. */
static void self_public(const struct np_plan_in *in, const struct np_node *self,
			int f, struct np_plan *p, struct np_addr *pub)
{
	const struct np_addr *ext = f == F4 ? &in->ext4 : &in->ext6;
	const char *ow = f == F4 ? self->flannel.public_ip_overwrite :
				   self->flannel.public_ipv6_overwrite;
	char buf[NP_ADDR_STRLEN];
	struct np_addr a;

	*pub = f == F4 ? in->ip4 : in->ip6;
	if (ext->family == fam_af[f]) {
		*pub = *ext;
		np_annots_put(&p->annots, f == F4 ? NP_ANN_PUBLIC_IP_OVERWRITE :
				NP_ANN_PUBLIC_IPV6_OVERWRITE,
			      np_addr_str(ext, buf, sizeof(buf)));
		return;
	}
	if (!ow || !*ow)
		return;
	if (np_addr_parse(ow, &a) || a.family != fam_af[f]) {
		whyf(p->self_warn, sizeof(p->self_warn),
		     "Node %s: %s-overwrite \"%s\" is not an %s address: ignored",
		     self->meta.name, ann_ip[f], ow, fam_name[f]);
		return;
	}
	*pub = a;
}

static int plan_self(const struct np_plan_in *in, const struct np_node *self,
		     struct np_plan *p)
{
	char buf[NP_ANNOT_VALUE_LEN], a1[NP_CIDR_STRLEN], a2[NP_CIDR_STRLEN];
	const char *bt = backend_type(in->backend);
	struct np_cidr pod[NFAM];
	struct np_addr pub[NFAM];
	int f;

	if (!self) {
		whyf(p->self_why, sizeof(p->self_why),
		     "waiting for Node %s to exist", in->self);
		return 0;
	}
	if (self->meta.invalid) {
		/* its podCIDRs and addresses are unknown: change nothing */
		p->self_error = true;
		whyf(p->self_why, sizeof(p->self_why),
		     "Node %s is invalid, waiting for a valid version: %s",
		     in->self, self->meta.invalid_why);
		return 0;
	}
	for (f = 0; f < NFAM; f++) {
		if (!fam_on(in, f))
			continue;
		if (!node_pod(self, f, &pod[f])) {
			whyf(p->self_why, sizeof(p->self_why),
			     "waiting for Node %s to get an %s podCIDR",
			     in->self, fam_name[f]);
			return 0;
		}
		if (!cidr_inside(cluster(in, f), &pod[f])) {
			p->self_error = true;
			whyf(p->self_why, sizeof(p->self_why),
			     "Node %s: podCIDR %s is outside cluster-cidr %s",
			     in->self, np_cidr_str(&pod[f], a1, sizeof(a1)),
			     np_cidr_str(cluster(in, f), a2, sizeof(a2)));
			return 0;
		}
		if ((f == F4 ? in->ip4 : in->ip6).family != fam_af[f]) {
			p->self_error = true;
			whyf(p->self_why, sizeof(p->self_why),
			     "the interface has no usable %s address",
			     fam_name[f]);
			return 0;
		}
	}
	p->self_ready = true;
	if (in->fam4) {
		p->self_pod4.addr = pod[F4].addr;
		p->self_pod4.prefixlen = 32;
	}
	if (in->fam6) {
		p->self_pod6.addr = pod[F6].addr;
		p->self_pod6.prefixlen = 128;
	}
	if (!bt)
		return 0;
	np_annots_put(&p->annots, NP_ANN_KUBE_SUBNET_MANAGER, "true");
	np_annots_put(&p->annots, NP_ANN_BACKEND_TYPE, bt);
	for (f = 0; f < NFAM; f++) {
		enum np_ann da = f == F4 ? NP_ANN_BACKEND_DATA :
					   NP_ANN_BACKEND_V6_DATA;
		struct np_annot_vxlan vx = { .vni = in->vni };

		if (!fam_on(in, f))
			continue;
		switch (in->backend) {
		case NP_BACKEND_VXLAN:
			memcpy(vx.mac, f == F4 ? in->mac4 : in->mac6,
			       NP_MAC_LEN);
			np_annot_vxlan_encode(&vx, buf, sizeof(buf));
			break;
		case NP_BACKEND_WIREGUARD_NATIVE:
			np_annot_wg_encode(in->wg_key, f == F4 ? NP_WG_PORT4 :
					   NP_WG_PORT6, buf, sizeof(buf));
			break;
		default:
			strcpy(buf, "null");
			break;
		}
		np_annots_put(&p->annots, da, buf);
		self_public(in, self, f, p, &pub[f]);
		np_annots_put(&p->annots, f == F4 ? NP_ANN_PUBLIC_IP :
				NP_ANN_PUBLIC_IPV6,
			      np_addr_str(&pub[f], buf, sizeof(buf)));
	}
	if (in->backend == NP_BACKEND_HOST_GW && in->fam4 &&
	    !np_addr_eq(&pub[F4], &in->ip4)) {
		p->v4_refused = true;
		whyf(p->refused_why, sizeof(p->refused_why),
		     "host-gw: the external IPv4 address %s differs from the interface address %s (behind NAT?): no IPv4 routes are programmed",
		     np_addr_str(&pub[F4], a1, sizeof(a1)),
		     np_addr_str(&in->ip4, a2, sizeof(a2)));
	}
	return 0;
}

/* ---- one other Node ------------------------------------------------- */

static void add_missing(char *buf, size_t len, const char *what)
{
	size_t n = strlen(buf);

	snprintf(buf + n, len - n, "%s%s", n ? ", " : "", what);
}

/* Checks Node n alone; false with why (and warn) when it is left out. */
static bool node_eval(const struct np_plan_in *in, const struct np_node *n,
		      struct cand *c, char *why, size_t len, bool *warn)
{
	const struct np_flannel_ann *fa = &n->flannel;
	const char *bt = backend_type(in->backend);
	char missing[NP_PLAN_WHY_LEN] = "", what[64];
	int f;

	*warn = false;
	if (n->meta.invalid) {
		/* Its subnet and endpoint are unknown: not programmed, so a
		 * peer it had is removed rather than kept on stale data. */
		*warn = true;
		whyf(why, len, "the Node is invalid: %s", n->meta.invalid_why);
		return false;
	}
	if (!fa->kube_subnet_manager) {
		whyf(why, len, "no kube-subnet-manager annotation");
		return false;
	}
	if (strcmp(fa->kube_subnet_manager, "true")) {
		whyf(why, len, "kube-subnet-manager is \"%.64s\", not \"true\"",
		     fa->kube_subnet_manager);
		return false;
	}
	*warn = true;
	if (!fa->backend_type) {
		whyf(why, len, "missing " NP_FLANNEL_ANN "backend-type");
		return false;
	}
	if (strcmp(fa->backend_type, bt)) {
		whyf(why, len, "backend-type \"%.64s\" is not ours (\"%s\")",
		     fa->backend_type, bt);
		return false;
	}
	for (f = 0; f < NFAM; f++) {
		const char *data = f == F4 ? fa->backend_data :
					     fa->backend_v6_data;
		const char *ip = f == F4 ? fa->public_ip : fa->public_ipv6;

		if (!fam_on(in, f))
			continue;
		if (!node_pod(n, f, &c->pod[f])) {
			snprintf(what, sizeof(what), "%s podCIDR", fam_name[f]);
			add_missing(missing, sizeof(missing), what);
		}
		if (!ip || !*ip) {
			snprintf(what, sizeof(what), NP_FLANNEL_ANN "%s",
				 ann_ip[f]);
			add_missing(missing, sizeof(missing), what);
		}
		if (in->backend != NP_BACKEND_HOST_GW && (!data || !*data)) {
			snprintf(what, sizeof(what), NP_FLANNEL_ANN "%s",
				 ann_data[f]);
			add_missing(missing, sizeof(missing), what);
		}
	}
	if (missing[0]) {
		whyf(why, len, "missing %s", missing);
		return false;
	}
	for (f = 0; f < NFAM; f++) {
		const char *data = f == F4 ? fa->backend_data :
					     fa->backend_v6_data;
		const char *ip = f == F4 ? fa->public_ip : fa->public_ipv6;
		char dwhy[NP_ANNOT_WHY_LEN];

		if (!fam_on(in, f))
			continue;
		if (np_addr_parse(ip, &c->ep[f]) ||
		    c->ep[f].family != fam_af[f]) {
			whyf(why, len, "%s \"%.64s\" is not an %s address",
			     ann_ip[f], ip, fam_name[f]);
			return false;
		}
		if (!cidr_inside(cluster(in, f), &c->pod[f])) {
			char a1[NP_CIDR_STRLEN], a2[NP_CIDR_STRLEN];

			whyf(why, len, "podCIDR %s is outside cluster-cidr %s",
			     np_cidr_str(&c->pod[f], a1, sizeof(a1)),
			     np_cidr_str(cluster(in, f), a2, sizeof(a2)));
			return false;
		}
		if (in->backend == NP_BACKEND_VXLAN) {
			struct np_annot_vxlan vx;

			if (np_annot_vxlan_decode(data, &vx, dwhy,
						  sizeof(dwhy))) {
				whyf(why, len, "%s: %s", ann_data[f], dwhy);
				return false;
			}
			memcpy(c->mac[f], vx.mac, NP_MAC_LEN);
		} else if (in->backend == NP_BACKEND_WIREGUARD_NATIVE) {
			struct np_annot_wg wg;

			if (np_annot_wg_decode(data, &wg, dwhy, sizeof(dwhy))) {
				whyf(why, len, "%s: %s", ann_data[f], dwhy);
				return false;
			}
			memcpy(c->key[f], wg.key, NP_ANNOT_KEY_LEN);
			c->port[f] = wg.port ? wg.port :
				     f == F4 ? NP_WG_PORT4 : NP_WG_PORT6;
		}
	}
	return true;
}

/* ---- conflicts between Nodes ---------------------------------------- */

/* A value that must be unique (MAC, key of a family, CIDR). */
#define UNIQ_LEN 34

enum uniq_kind { U_MAC, U_KEY, U_CIDR };

static void uniq_val(enum uniq_kind k, const struct cand *c, int f,
		     uint8_t v[UNIQ_LEN])
{
	memset(v, 0, UNIQ_LEN);
	switch (k) {
	case U_MAC:
		memcpy(v, c->mac[f], NP_MAC_LEN);
		break;
	case U_KEY:
		v[0] = (uint8_t)f;
		memcpy(v + 1, c->key[f], NP_ANNOT_KEY_LEN);
		break;
	case U_CIDR:
		v[0] = (uint8_t)f;
		v[1] = c->pod[f].prefixlen;
		memcpy(v + 2, c->pod[f].addr.a, 16);
		break;
	}
}

/* Node names and annotation values are chosen by others: keyed hash. */
static uint64_t hash_bytes(const void *p, size_t n)
{
	return np_hmap_hash(p, n);
}

/* The bytes of value kind k of candidate c, family f (f is apart). */
static const void *uniq_bytes(enum uniq_kind k, const struct cand *c, int f,
			      size_t *len)
{
	switch (k) {
	case U_MAC:
		*len = NP_MAC_LEN;
		return c->mac[f];
	case U_KEY:
		*len = NP_ANNOT_KEY_LEN;
		return c->key[f];
	case U_CIDR:
		break;
	}
	*len = c->pod[f].addr.family == AF_INET ? 4 : 16;
	return c->pod[f].addr.a;
}

static bool uniq_eq(enum uniq_kind k, const struct cand *a, int fa,
		    const struct cand *b, int fb)
{
	size_t la, lb;
	const void *x = uniq_bytes(k, a, fa, &la), *y = uniq_bytes(k, b, fb, &lb);

	if (k != U_MAC && fa != fb)
		return false;
	if (k == U_CIDR && a->pod[fa].prefixlen != b->pod[fb].prefixlen)
		return false;
	return la == lb && !memcmp(x, y, la);
}

/*
 * An open-addressing set of the values of one kind: slot = 1 + 2 * ci + f
 * of the first holder, 0 when free. Returns the slot of c's value of
 * family f: its first holder's, or the free one where it goes.
 */
static uint32_t *uslot_find(uint32_t *t, size_t mask, enum uniq_kind k,
			    const struct cand *all, const struct cand *c,
			    int f)
{
	size_t len, i;
	const void *v = uniq_bytes(k, c, f, &len);
	uint64_t h = hash_bytes(v, len);

	if (k != U_MAC)
		h ^= (uint64_t)(f + 1) * 0x9e3779b97f4a7c15ULL;
	if (k == U_CIDR)
		h += c->pod[f].prefixlen;
	for (i = (size_t)h & mask; t[i]; i = (i + 1) & mask) {
		uint32_t s = t[i] - 1;

		if (uniq_eq(k, &all[s / 2], (int)(s % 2), c, f))
			break;
	}
	return &t[i];
}

static void uniq_text(enum uniq_kind k, const struct cand *c, int f,
		      char *buf, size_t len)
{
	char s[NP_CIDR_STRLEN];

	switch (k) {
	case U_MAC:
		snprintf(buf, len, "VtepMAC %s", np_mac_str(c->mac[f], s));
		break;
	case U_KEY:
		snprintf(buf, len, "%s PublicKey", fam_name[f]);
		break;
	case U_CIDR:
		snprintf(buf, len, "podCIDR %s",
			 np_cidr_str(&c->pod[f], s, sizeof(s)));
		break;
	}
}

static int add_skip(struct np_plan *p, const char *name, const char *why,
		    bool warn)
{
	struct np_plan_skip *s = &p->skips[p->n_skips];

	s->node = keep_name(p, name);
	if (!s->node)
		return -ENOMEM;
	snprintf(s->why, sizeof(s->why), "%s", why);
	s->warn = warn;
	p->n_skips++;
	return 0;
}

/*
 * Leaves out every candidate whose value of kind k another candidate
 * earlier by name already has (the earlier one keeps it, even when it is
 * left out itself for another value). When several of a candidate's
 * values are taken, the reason names the smallest value's holder.
 */
static int resolve(struct np_plan *p, enum uniq_kind k, struct cand *c,
		   size_t nc, const struct np_plan_in *in)
{
	uint32_t *t;
	bool *was_in;
	size_t i, cap = 16;
	int f, ret = 0;

	if (nc > UINT32_MAX / 4)
		return -ENOMEM;
	while (cap < 2 * NFAM * nc + 2)
		cap <<= 1;
	t = calloc(cap, sizeof(*t));
	was_in = malloc(nc + 1);
	if (!t || !was_in) {
		free(t);
		free(was_in);
		return -ENOMEM;
	}
	for (i = 0; i < nc; i++)
		was_in[i] = !c[i].skip;
	for (i = 0; i < nc && !ret; i++) {
		uint8_t v[NFAM][UNIQ_LEN];
		size_t holder[NFAM];
		int hit = -1;

		if (!was_in[i])
			continue;
		for (f = 0; f < NFAM; f++) {
			uint32_t *s;

			if (!fam_on(in, f))
				continue;
			s = uslot_find(t, cap - 1, k, c, &c[i], f);
			if (!*s) {
				*s = (uint32_t)(1 + 2 * i + (size_t)f);
				continue;
			}
			holder[f] = (*s - 1) / 2;
			uniq_val(k, &c[i], f, v[f]);
			if (hit < 0 || memcmp(v[f], v[hit], UNIQ_LEN) < 0)
				hit = f;
		}
		if (hit >= 0 && !c[i].skip) {
			char what[80], why[NP_PLAN_WHY_LEN];

			uniq_text(k, &c[i], hit, what, sizeof(what));
			if (holder[hit] == i)	/* one MAC for both families */
				whyf(why, sizeof(why),
				     "%s is used for both families", what);
			else
				whyf(why, sizeof(why), "%s is also Node %s's",
				     what, c[holder[hit]].name);
			c[i].skip = true;
			ret = add_skip(p, c[i].name, why, true);
		}
	}
	free(t);
	free(was_in);
	return ret;
}

/* Leaves out candidates that use one of the own Node's values. */
static int own_conflicts(struct np_plan *p, struct cand *c, size_t nc,
			 const struct np_plan_in *in)
{
	char why[NP_PLAN_WHY_LEN], s[NP_CIDR_STRLEN];
	size_t i;
	int f, ret;

	for (i = 0; i < nc; i++) {
		for (f = 0; f < NFAM && !c[i].skip; f++) {
			const struct np_cidr *own = f == F4 ? &p->self_pod4 :
							      &p->self_pod6;
			why[0] = '\0';
			if (!fam_on(in, f))
				continue;
			if (in->backend == NP_BACKEND_VXLAN &&
			    (!memcmp(c[i].mac[f], in->mac4, NP_MAC_LEN) ||
			     (in->fam6 &&
			      !memcmp(c[i].mac[f], in->mac6, NP_MAC_LEN))))
				whyf(why, sizeof(why),
				     "VtepMAC %s is this node's own",
				     np_mac_str(c[i].mac[f], s));
			if (in->backend == NP_BACKEND_WIREGUARD_NATIVE &&
			    !memcmp(c[i].key[f], in->wg_key, NP_ANNOT_KEY_LEN))
				whyf(why, sizeof(why),
				     "PublicKey is this node's own");
			if (np_addr_eq(&c[i].pod[f].addr, &own->addr))
				whyf(why, sizeof(why),
				     "podCIDR %s is this node's own",
				     np_cidr_str(&c[i].pod[f], s, sizeof(s)));
			if (!why[0])
				continue;
			c[i].skip = true;
			ret = add_skip(p, c[i].name, why, true);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* ---- output --------------------------------------------------------- */

static int emit(struct np_plan *p, const struct np_plan_in *in,
		const struct cand *c)
{
	const char *name;
	int f;

	name = keep_name(p, c->name);
	if (!name)
		return -ENOMEM;
	for (f = 0; f < NFAM; f++) {
		if (!fam_on(in, f))
			continue;
		switch (in->backend) {
		case NP_BACKEND_VXLAN: {
			struct np_plan_peer *pe = &p->peers[p->n_peers++];

			memcpy(pe->mac, c->mac[f], NP_MAC_LEN);
			pe->endpoint = c->ep[f];
			pe->cidr = c->pod[f];
			pe->node = name;
			break;
		}
		case NP_BACKEND_HOST_GW: {
			struct np_plan_route *r;

			if (f == F4 && p->v4_refused)
				break;
			r = &p->routes[p->n_routes++];
			r->r.dst = c->pod[f];
			r->r.gw = c->ep[f];
			r->r.ifindex = in->uplink_ifindex;
			r->node = name;
			break;
		}
		case NP_BACKEND_WIREGUARD_NATIVE: {
			struct np_plan_wg *w = &p->wg[p->n_wg++];

			w->family = fam_af[f];
			memcpy(w->key, c->key[f], NP_ANNOT_KEY_LEN);
			w->endpoint = c->ep[f];
			w->port = c->port[f];
			w->keepalive_s = NP_WG_KEEPALIVE;
			w->cidr = c->pod[f];
			w->node = name;
			break;
		}
		case NP_BACKEND_NONE:
			break;
		}
	}
	p->n_programmed++;
	return 0;
}

static void cluster_routes(struct np_plan *p, const struct np_plan_in *in)
{
	int f;

	for (f = 0; f < NFAM; f++) {
		struct np_plan_route *r;
		uint32_t dev;

		if (!fam_on(in, f))
			continue;
		if (in->backend == NP_BACKEND_VXLAN)
			dev = in->vxlan_ifindex;
		else if (in->backend == NP_BACKEND_WIREGUARD_NATIVE)
			dev = f == F4 ? in->wg4_ifindex : in->wg6_ifindex;
		else
			return;
		r = &p->routes[p->n_routes++];
		r->r.dst.prefixlen = cluster(in, f)->prefixlen;
		np_cidr_network(cluster(in, f), &r->r.dst.addr);
		r->r.ifindex = dev;
		r->node = NULL;
	}
}

static int name_cmp(const void *a, const void *b)
{
	const struct np_node *x = *(const struct np_node *const *)a;
	const struct np_node *y = *(const struct np_node *const *)b;

	return strcmp(x->meta.name, y->meta.name);
}

static int skip_cmp(const void *a, const void *b)
{
	const struct np_plan_skip *x = a, *y = b;

	return strcmp(x->node, y->node);
}

void np_plan_self(const struct np_plan_in *in, const struct np_node *self,
		  struct np_plan *out)
{
	memset(out, 0, sizeof(*out));
	plan_self(in, self, out);
}

/*
 * The arrays of a plan over n other Nodes; own_names: the plan owns
 * copies of the names (else they are borrowed, p->names stays NULL).
 */
static int plan_alloc(struct np_plan *p, const struct np_plan_in *in,
		      size_t n, bool own_names)
{
	enum np_backend b = in->backend;

	/* each Node is named at most twice (skipped late, or kept) */
	if (own_names) {
		p->names = calloc(2 * n + 1, sizeof(*p->names));
		if (!p->names)
			return -ENOMEM;
	}
	p->skips = malloc((2 * n + 1) * sizeof(*p->skips));
	/* only the backend's own kind has one item per family and Node */
	p->peers = calloc(b == NP_BACKEND_VXLAN ? NFAM * n + 1 : 1,
			  sizeof(*p->peers));
	p->routes = calloc(b == NP_BACKEND_HOST_GW ? NFAM * n + NFAM + 1 :
			   NFAM + 1, sizeof(*p->routes));
	p->wg = calloc(b == NP_BACKEND_WIREGUARD_NATIVE ? NFAM * n + 1 : 1,
		       sizeof(*p->wg));
	if (!p->skips || !p->peers || !p->routes || !p->wg)
		return -ENOMEM;
	return 0;
}

/* The cross-Node checks and the output, from candidates sorted by name. */
static int plan_finish(struct np_plan *p, const struct np_plan_in *in,
		       struct cand *c, size_t nc)
{
	size_t i;

	if (own_conflicts(p, c, nc, in))
		return -ENOMEM;
	if (in->backend == NP_BACKEND_VXLAN && resolve(p, U_MAC, c, nc, in))
		return -ENOMEM;
	if (in->backend == NP_BACKEND_WIREGUARD_NATIVE &&
	    resolve(p, U_KEY, c, nc, in))
		return -ENOMEM;
	if (resolve(p, U_CIDR, c, nc, in))
		return -ENOMEM;
	for (i = 0; i < nc; i++)
		if (!c[i].skip && emit(p, in, &c[i]))
			return -ENOMEM;
	cluster_routes(p, in);

	qsort(p->peers, p->n_peers, sizeof(*p->peers), np_plan_peer_cmp);
	qsort(p->routes, p->n_routes, sizeof(*p->routes), np_plan_route_cmp);
	qsort(p->wg, p->n_wg, sizeof(*p->wg), np_plan_wg_cmp);
	qsort(p->skips, p->n_skips, sizeof(*p->skips), skip_cmp);
	return 0;
}

int np_plan_build(const struct np_plan_in *in, struct np_plan *p)
{
	const struct np_node **nodes = NULL, *self = NULL;
	struct cand *c = NULL;
	size_t i, nc = 0, n = in->n_nodes;
	int ret = -ENOMEM;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < n; i++)
		if (!strcmp(in->nodes[i]->meta.name, in->self))
			self = in->nodes[i];
	plan_self(in, self, p);
	if (!p->self_ready || in->backend == NP_BACKEND_NONE)
		return 0;

	nodes = malloc((n + 1) * sizeof(*nodes));
	c = calloc(n + 1, sizeof(*c));
	if (!nodes || !c || plan_alloc(p, in, n, true))
		goto fail;
	memcpy(nodes, in->nodes, n * sizeof(*nodes));
	qsort(nodes, n, sizeof(*nodes), name_cmp);

	for (i = 0; i < n; i++) {
		char why[NP_PLAN_WHY_LEN];
		bool warn;

		if (nodes[i] == self)
			continue;
		if (node_eval(in, nodes[i], &c[nc], why, sizeof(why), &warn)) {
			c[nc++].name = nodes[i]->meta.name;
			continue;
		}
		memset(&c[nc], 0, sizeof(c[nc]));
		if (add_skip(p, nodes[i]->meta.name, why, warn))
			goto fail;
	}
	if (plan_finish(p, in, c, nc))
		goto fail;
	ret = 0;
	goto out;
fail:
	np_plan_free(p);
out:
	free(nodes);
	free(c);
	return ret;
}

/* ---- the cache of per-Node results ---------------------------------- */

/* The annotations node_eval reads. */
enum { A_KSM, A_TYPE, A_DATA, A_DATA6, A_IP, A_IP6, NANN };

/* One other Node: copies of what node_eval read, and its verdict. */
struct pc_ent {
	char *name;
	char *ann[NANN];
	char *invalid_why;	/* the Node's, when it was invalid */
	struct np_cidr pods[2];
	size_t n_pods;
	bool ok, warn;
	struct cand c;		/* when ok; c.name is name */
	char why[NP_PLAN_WHY_LEN];	/* when not */
	uint64_t seen;		/* generation of the last build it was in */
};

struct np_plan_cache {
	struct pc_ent **ents;	/* sorted by name */
	size_t n, cap;
	struct pc_ent **tab;	/* by name, open addressing */
	size_t tab_cap;		/* a power of two, or 0 */
	uint64_t gen;
	/* what every verdict depends on besides the Node */
	bool keyed;
	enum np_backend backend;
	bool fam4, fam6;
	struct np_cidr cluster4, cluster6;
	char *self;
	struct cand *c;		/* scratch: candidates of a build */
	size_t c_cap;
	size_t evals;		/* Nodes evaluated by the last build */
};

static const char *node_ann(const struct np_node *n, int a)
{
	const struct np_flannel_ann *f = &n->flannel;
	const char *v[NANN] = { f->kube_subnet_manager, f->backend_type,
		f->backend_data, f->backend_v6_data, f->public_ip,
		f->public_ipv6 };

	return v[a];
}

static bool str_same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool ent_same(const struct pc_ent *e, const struct np_node *n)
{
	size_t i;
	int a;

	if (e->n_pods != n->n_pod_cidrs ||
	    !str_same(e->invalid_why, n->meta.invalid ? n->meta.invalid_why :
		      NULL))
		return false;
	for (i = 0; i < e->n_pods && i < 2; i++)
		if (e->pods[i].prefixlen != n->pod_cidrs[i].prefixlen ||
		    !np_addr_eq(&e->pods[i].addr, &n->pod_cidrs[i].addr))
			return false;
	for (a = 0; a < NANN; a++)
		if (!str_same(e->ann[a], node_ann(n, a)))
			return false;
	return true;
}

static void ent_inputs_free(struct pc_ent *e)
{
	int a;

	for (a = 0; a < NANN; a++) {
		free(e->ann[a]);
		e->ann[a] = NULL;
	}
	free(e->invalid_why);
	e->invalid_why = NULL;
}

static void ent_free(struct pc_ent *e)
{
	ent_inputs_free(e);
	free(e->name);
	free(e);
}

/* Copies n's inputs into e and evaluates n. 0 or -ENOMEM. */
static int ent_eval(struct np_plan_cache *pc, struct pc_ent *e,
		    const struct np_plan_in *in, const struct np_node *n)
{
	int a;

	ent_inputs_free(e);
	for (a = 0; a < NANN; a++) {
		const char *v = node_ann(n, a);

		if (v && !(e->ann[a] = strdup(v)))
			return -ENOMEM;
	}
	if (n->meta.invalid &&
	    !(e->invalid_why = strdup(n->meta.invalid_why ?
				      n->meta.invalid_why : "")))
		return -ENOMEM;
	e->n_pods = n->n_pod_cidrs;
	memcpy(e->pods, n->pod_cidrs, sizeof(e->pods));
	memset(&e->c, 0, sizeof(e->c));
	e->why[0] = '\0';
	e->ok = node_eval(in, n, &e->c, e->why, sizeof(e->why), &e->warn);
	e->c.name = e->name;
	pc->evals++;
	return 0;
}

static struct pc_ent **tab_slot(struct np_plan_cache *pc, const char *name)
{
	size_t mask = pc->tab_cap - 1;
	size_t i = (size_t)hash_bytes(name, strlen(name)) & mask;

	while (pc->tab[i] && strcmp(pc->tab[i]->name, name))
		i = (i + 1) & mask;
	return &pc->tab[i];
}

/* Rehashes every entry into a table for at least want entries. */
static int tab_rebuild(struct np_plan_cache *pc, size_t want)
{
	size_t cap = 64, i;

	while (cap < 2 * want + 2)
		cap <<= 1;
	free(pc->tab);
	pc->tab = calloc(cap, sizeof(*pc->tab));
	pc->tab_cap = pc->tab ? cap : 0;
	if (!pc->tab)
		return -ENOMEM;
	for (i = 0; i < pc->n; i++)
		*tab_slot(pc, pc->ents[i]->name) = pc->ents[i];
	return 0;
}

static void cache_clear(struct np_plan_cache *pc)
{
	size_t i;

	for (i = 0; i < pc->n; i++)
		ent_free(pc->ents[i]);
	pc->n = 0;
	if (pc->tab)
		memset(pc->tab, 0, pc->tab_cap * sizeof(*pc->tab));
}

/* Same configuration as the cached verdicts? Else forget them. */
static int cache_key(struct np_plan_cache *pc, const struct np_plan_in *in)
{
	if (pc->keyed && pc->backend == in->backend &&
	    pc->fam4 == in->fam4 && pc->fam6 == in->fam6 &&
	    (!in->fam4 || cidr_same(&pc->cluster4, &in->cluster4)) &&
	    (!in->fam6 || cidr_same(&pc->cluster6, &in->cluster6)) &&
	    !strcmp(pc->self, in->self))
		return 0;
	cache_clear(pc);
	free(pc->self);
	pc->keyed = false;
	pc->self = strdup(in->self);
	if (!pc->self)
		return -ENOMEM;
	pc->backend = in->backend;
	pc->fam4 = in->fam4;
	pc->fam6 = in->fam6;
	pc->cluster4 = in->cluster4;
	pc->cluster6 = in->cluster6;
	pc->keyed = true;
	return 0;
}

static int ent_cmp(const void *a, const void *b)
{
	const struct pc_ent *x = *(const struct pc_ent *const *)a;
	const struct pc_ent *y = *(const struct pc_ent *const *)b;

	return strcmp(x->name, y->name);
}

/*
 * Brings the entries up to in->nodes: new Nodes added, changed ones
 * evaluated again, gone ones dropped. *self: the own Node, or NULL.
 */
static int cache_update(struct np_plan_cache *pc, const struct np_plan_in *in,
			const struct np_node **self)
{
	size_t i, j, n = in->n_nodes;
	bool added = false, removed = false;
	int r;

	*self = NULL;
	pc->evals = 0;
	pc->gen++;
	r = cache_key(pc, in);
	if (r)
		return r;
	if (pc->n + n + 1 > pc->cap) {
		size_t cap = 2 * (pc->n + n) + 16;
		struct pc_ent **v = realloc(pc->ents, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		pc->ents = v;
		pc->cap = cap;
	}
	if (pc->tab_cap < 2 * (pc->n + n) + 2) {
		r = tab_rebuild(pc, pc->n + n);
		if (r)
			return r;
	}
	for (i = 0; i < n; i++) {
		const struct np_node *nd = in->nodes[i];
		struct pc_ent **slot, *e;

		if (!strcmp(nd->meta.name, in->self)) {
			*self = nd;
			continue;
		}
		slot = tab_slot(pc, nd->meta.name);
		e = *slot;
		if (!e) {
			e = calloc(1, sizeof(*e));
			if (!e || !(e->name = strdup(nd->meta.name))) {
				free(e);
				return -ENOMEM;
			}
			*slot = e;
			pc->ents[pc->n++] = e;
			added = true;
			r = ent_eval(pc, e, in, nd);
		} else if (!ent_same(e, nd)) {
			r = ent_eval(pc, e, in, nd);
		}
		if (r) {
			e->seen = 0;	/* evaluated next time */
			removed = true;
			break;
		}
		e->seen = pc->gen;
	}
	for (i = j = 0; i < pc->n; i++) {
		if (pc->ents[i]->seen == pc->gen) {
			pc->ents[j++] = pc->ents[i];
			continue;
		}
		ent_free(pc->ents[i]);
		removed = true;
	}
	pc->n = j;
	if (added)
		qsort(pc->ents, pc->n, sizeof(*pc->ents), ent_cmp);
	if (removed && tab_rebuild(pc, pc->n))
		return -ENOMEM;
	return r;
}

int np_plan_cache_new(struct np_plan_cache **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void np_plan_cache_free(struct np_plan_cache *pc)
{
	if (!pc)
		return;
	cache_clear(pc);
	free(pc->ents);
	free(pc->tab);
	free(pc->self);
	free(pc->c);
	free(pc);
}

void np_plan_cache_reset(struct np_plan_cache *pc)
{
	cache_clear(pc);
	pc->keyed = false;
}

size_t np_plan_cache_evals(const struct np_plan_cache *pc)
{
	return pc->evals;
}

int np_plan_cache_build(struct np_plan_cache *pc, const struct np_plan_in *in,
			struct np_plan *p)
{
	const struct np_node *self;
	size_t i, nc = 0;

	memset(p, 0, sizeof(*p));
	if (cache_update(pc, in, &self)) {
		cache_clear(pc);	/* rebuilt from scratch next time */
		return -ENOMEM;
	}
	plan_self(in, self, p);
	if (!p->self_ready || in->backend == NP_BACKEND_NONE)
		return 0;
	if (pc->c_cap < pc->n + 1) {
		free(pc->c);
		pc->c_cap = pc->n + 1;
		pc->c = malloc(pc->c_cap * sizeof(*pc->c));
		if (!pc->c) {
			pc->c_cap = 0;
			return -ENOMEM;
		}
	}
	if (plan_alloc(p, in, pc->n, false))
		goto fail;
	for (i = 0; i < pc->n; i++) {
		const struct pc_ent *e = pc->ents[i];

		if (e->ok)
			pc->c[nc++] = e->c;
		else if (add_skip(p, e->name, e->why, e->warn))
			goto fail;
	}
	if (plan_finish(p, in, pc->c, nc))
		goto fail;
	return 0;
fail:
	np_plan_free(p);
	return -ENOMEM;
}

void np_plan_free(struct np_plan *p)
{
	size_t i;

	for (i = 0; i < p->n_names; i++)
		free(p->names[i]);
	free(p->names);
	free(p->skips);
	free(p->peers);
	free(p->routes);
	free(p->wg);
	p->names = NULL;
	p->skips = NULL;
	p->peers = NULL;
	p->routes = NULL;
	p->wg = NULL;
	p->n_names = p->n_skips = p->n_peers = p->n_routes = p->n_wg = 0;
}

/* ---- order, equality, diffs ----------------------------------------- */

static int addr_cmp(const struct np_addr *a, const struct np_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->a, b->a, a->family == AF_INET ? 4 : 16);
}

static int cidr_cmp(const struct np_cidr *a, const struct np_cidr *b)
{
	int r = addr_cmp(&a->addr, &b->addr);

	if (r)
		return r;
	return a->prefixlen < b->prefixlen ? -1 : a->prefixlen > b->prefixlen;
}

static bool cidr_eq(const struct np_cidr *a, const struct np_cidr *b)
{
	return !cidr_cmp(a, b);
}

int np_plan_peer_cmp(const void *a, const void *b)
{
	const struct np_plan_peer *x = a, *y = b;

	return memcmp(x->mac, y->mac, NP_MAC_LEN);
}

int np_plan_route_cmp(const void *a, const void *b)
{
	const struct np_plan_route *x = a, *y = b;

	return cidr_cmp(&x->r.dst, &y->r.dst);
}

int np_plan_wg_cmp(const void *a, const void *b)
{
	const struct np_plan_wg *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->key, y->key, NP_ANNOT_KEY_LEN);
}

bool np_plan_peer_eq(const struct np_plan_peer *a,
		     const struct np_plan_peer *b)
{
	return !a->odd && !b->odd && np_addr_eq(&a->endpoint, &b->endpoint) &&
	       cidr_eq(&a->cidr, &b->cidr);
}

bool np_plan_route_eq(const struct np_plan_route *a,
		      const struct np_plan_route *b)
{
	return cidr_eq(&a->r.dst, &b->r.dst) && np_addr_eq(&a->r.gw, &b->r.gw) &&
	       a->r.ifindex == b->r.ifindex && a->r.onlink == b->r.onlink;
}

bool np_plan_wg_eq(const struct np_plan_wg *a, const struct np_plan_wg *b)
{
	return !a->odd && !b->odd && np_addr_eq(&a->endpoint, &b->endpoint) &&
	       a->port == b->port && a->keepalive_s == b->keepalive_s &&
	       cidr_eq(&a->cidr, &b->cidr);
}

static bool peer_eq_v(const void *a, const void *b)
{
	return np_plan_peer_eq(a, b);
}

static bool route_eq_v(const void *a, const void *b)
{
	return np_plan_route_eq(a, b);
}

static bool wg_eq_v(const void *a, const void *b)
{
	return np_plan_wg_eq(a, b);
}

static int cidr_cmp_v(const void *a, const void *b)
{
	return cidr_cmp(a, b);
}

struct wanted_cidrs {
	struct np_cidr *v;
	size_t n;
};

/* A current peer holding a CIDR some wanted peer needs must go. */
static bool peer_blocks(const void *cur_elem, void *ctx)
{
	const struct np_plan_peer *p = cur_elem;
	const struct wanted_cidrs *w = ctx;

	return bsearch(&p->cidr, w->v, w->n, sizeof(*w->v), cidr_cmp_v);
}

int np_plan_diff_peers(const struct np_plan_peer *want, size_t nw,
		       const struct np_plan_peer *cur, size_t nc,
		       bool may_delete, struct np_diff_step **ops, size_t *n)
{
	struct np_diff_spec spec = { .size = sizeof(*want),
				     .cmp_key = np_plan_peer_cmp,
				     .same = peer_eq_v, .del_ok = peer_blocks };
	struct wanted_cidrs w;
	size_t i;
	int ret;

	w.v = malloc((nw + 1) * sizeof(*w.v));
	if (!w.v)
		return -ENOMEM;
	for (i = 0; i < nw; i++)
		w.v[i] = want[i].cidr;
	w.n = nw;
	qsort(w.v, w.n, sizeof(*w.v), cidr_cmp_v);
	spec.ctx = &w;
	ret = np_diff(&spec, want, nw, cur, nc, may_delete, ops, n);
	free(w.v);
	return ret;
}

int np_plan_diff_routes(const struct np_plan_route *want, size_t nw,
			const struct np_plan_route *cur, size_t nc,
			bool may_delete, struct np_diff_step **ops, size_t *n)
{
	struct np_diff_spec spec = { .size = sizeof(*want),
				     .cmp_key = np_plan_route_cmp,
				     .same = route_eq_v };

	return np_diff(&spec, want, nw, cur, nc, may_delete, ops, n);
}

int np_plan_diff_wg(const struct np_plan_wg *want, size_t nw,
		    const struct np_plan_wg *cur, size_t nc,
		    bool may_delete, struct np_diff_step **ops, size_t *n)
{
	struct np_diff_spec spec = { .size = sizeof(*want),
				     .cmp_key = np_plan_wg_cmp,
				     .same = wg_eq_v };

	return np_diff(&spec, want, nw, cur, nc, may_delete, ops, n);
}
