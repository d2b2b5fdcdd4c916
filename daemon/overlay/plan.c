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

#include "overlay/plan.h"

/* Family slots. */
enum { F4, F6, NFAM };

static const int fam_af[NFAM] = { AF_INET, AF_INET6 };

/* One Node that passed its own checks, before the cross-Node ones. */
struct cand {
	const struct np_node *n;
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

static bool cidr_inside(const struct np_cidr *outer, const struct np_cidr *c)
{
	return c->prefixlen >= outer->prefixlen &&
	       np_cidr_contains(outer, &c->addr);
}

static char *keep_name(struct np_plan *p, const char *name)
{
	char *s = strdup(name);

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
struct uniq {
	uint8_t v[34];
	size_t ci;		/* index of the candidate */
	int f;
};

static int uniq_cmp(const void *a, const void *b)
{
	const struct uniq *x = a, *y = b;
	int r = memcmp(x->v, y->v, sizeof(x->v));

	if (r)
		return r;
	return x->ci < y->ci ? -1 : x->ci > y->ci;
}

enum uniq_kind { U_MAC, U_KEY, U_CIDR };

static void uniq_val(enum uniq_kind k, const struct cand *c, int f,
		     uint8_t v[34])
{
	memset(v, 0, 34);
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
 * earlier by name already has (the earlier one keeps it).
 */
static int resolve(struct np_plan *p, enum uniq_kind k, struct cand *c,
		   size_t nc, const struct np_plan_in *in)
{
	struct uniq *u;
	size_t i, n = 0, start;
	int f, ret = 0;

	u = calloc(nc * NFAM + 1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	for (i = 0; i < nc; i++) {
		if (c[i].skip)
			continue;
		for (f = 0; f < NFAM; f++) {
			if (!fam_on(in, f))
				continue;
			uniq_val(k, &c[i], f, u[n].v);
			u[n].ci = i;
			u[n++].f = f;
		}
	}
	qsort(u, n, sizeof(*u), uniq_cmp);
	for (i = 1, start = 0; i < n; i++) {
		const struct uniq *first = &u[start];
		char what[80], why[NP_PLAN_WHY_LEN];
		struct cand *ci = &c[u[i].ci];

		if (memcmp(u[i].v, first->v, sizeof(first->v))) {
			start = i;
			continue;
		}
		if (ci->skip)
			continue;
		uniq_text(k, ci, u[i].f, what, sizeof(what));
		if (u[i].ci == first->ci)	/* one MAC for both families */
			whyf(why, sizeof(why), "%s is used for both families",
			     what);
		else
			whyf(why, sizeof(why), "%s is also Node %s's", what,
			     c[first->ci].n->meta.name);
		ci->skip = true;
		ret = add_skip(p, ci->n->meta.name, why, true);
		if (ret)
			break;
	}
	free(u);
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
			ret = add_skip(p, c[i].n->meta.name, why, true);
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

	name = keep_name(p, c->n->meta.name);
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
	/* each Node is named at most twice (skipped late, or kept) */
	p->names = calloc(2 * n + 1, sizeof(*p->names));
	p->skips = calloc(2 * n + 1, sizeof(*p->skips));
	p->peers = calloc(NFAM * n + 1, sizeof(*p->peers));
	p->routes = calloc(NFAM * n + NFAM + 1, sizeof(*p->routes));
	p->wg = calloc(NFAM * n + 1, sizeof(*p->wg));
	if (!nodes || !c || !p->names || !p->skips || !p->peers ||
	    !p->routes || !p->wg)
		goto fail;
	memcpy(nodes, in->nodes, n * sizeof(*nodes));
	qsort(nodes, n, sizeof(*nodes), name_cmp);

	for (i = 0; i < n; i++) {
		char why[NP_PLAN_WHY_LEN];
		bool warn;

		if (nodes[i] == self)
			continue;
		c[nc].n = nodes[i];
		if (node_eval(in, nodes[i], &c[nc], why, sizeof(why), &warn)) {
			nc++;
			continue;
		}
		memset(&c[nc], 0, sizeof(c[nc]));
		if (add_skip(p, nodes[i]->meta.name, why, warn))
			goto fail;
	}
	if (own_conflicts(p, c, nc, in))
		goto fail;
	if (in->backend == NP_BACKEND_VXLAN && resolve(p, U_MAC, c, nc, in))
		goto fail;
	if (in->backend == NP_BACKEND_WIREGUARD_NATIVE &&
	    resolve(p, U_KEY, c, nc, in))
		goto fail;
	if (resolve(p, U_CIDR, c, nc, in))
		goto fail;
	for (i = 0; i < nc; i++)
		if (!c[i].skip && emit(p, in, &c[i]))
			goto fail;
	cluster_routes(p, in);

	qsort(p->peers, p->n_peers, sizeof(*p->peers), np_plan_peer_cmp);
	qsort(p->routes, p->n_routes, sizeof(*p->routes), np_plan_route_cmp);
	qsort(p->wg, p->n_wg, sizeof(*p->wg), np_plan_wg_cmp);
	qsort(p->skips, p->n_skips, sizeof(*p->skips), skip_cmp);
	ret = 0;
	goto out;
fail:
	np_plan_free(p);
out:
	free(nodes);
	free(c);
	return ret;
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

/* A sorted list of C elements of size sz, with its order and equality. */
struct list {
	const void *v;
	size_t n, sz;
};

#define AT(l, i) ((const char *)(l)->v + (i) * (l)->sz)

typedef bool (*del_ok_fn)(const void *cur_elem, void *ctx);

static int diff(const struct list *want, const struct list *cur,
		int (*cmp)(const void *, const void *),
		bool (*eq)(const void *, const void *), bool may_delete,
		del_ok_fn del_ok, void *ctx, struct np_op **ops, size_t *nops)
{
	struct np_op *o;
	size_t i = 0, j = 0, k = 0;

	*ops = NULL;
	*nops = 0;
	o = calloc(want->n + cur->n + 1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	/* deletions first */
	while (j < cur->n) {
		int r = i < want->n ? cmp(AT(want, i), AT(cur, j)) : 1;

		if (r < 0) {
			i++;
		} else if (r == 0) {
			i++;
			j++;
		} else {
			if (may_delete || (del_ok && del_ok(AT(cur, j), ctx)))
				o[k++] = (struct np_op){ NP_OP_DEL, 0, j };
			j++;
		}
	}
	i = j = 0;
	while (i < want->n) {
		int r = j < cur->n ? cmp(AT(want, i), AT(cur, j)) : -1;

		if (r < 0) {
			o[k++] = (struct np_op){ NP_OP_ADD, i, 0 };
			i++;
		} else if (r == 0) {
			if (!eq(AT(want, i), AT(cur, j)))
				o[k++] = (struct np_op){ NP_OP_CHANGE, i, j };
			i++;
			j++;
		} else {
			j++;
		}
	}
	if (!k) {
		free(o);
		return 0;
	}
	*ops = o;
	*nops = k;
	return 0;
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
		       bool may_delete, struct np_op **ops, size_t *n)
{
	struct list lw = { want, nw, sizeof(*want) };
	struct list lc = { cur, nc, sizeof(*cur) };
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
	ret = diff(&lw, &lc, np_plan_peer_cmp, peer_eq_v, may_delete,
		   peer_blocks, &w, ops, n);
	free(w.v);
	return ret;
}

int np_plan_diff_routes(const struct np_plan_route *want, size_t nw,
			const struct np_plan_route *cur, size_t nc,
			bool may_delete, struct np_op **ops, size_t *n)
{
	struct list lw = { want, nw, sizeof(*want) };
	struct list lc = { cur, nc, sizeof(*cur) };

	return diff(&lw, &lc, np_plan_route_cmp, route_eq_v, may_delete,
		    NULL, NULL, ops, n);
}

int np_plan_diff_wg(const struct np_plan_wg *want, size_t nw,
		    const struct np_plan_wg *cur, size_t nc,
		    bool may_delete, struct np_op **ops, size_t *n)
{
	struct list lw = { want, nw, sizeof(*want) };
	struct list lc = { cur, nc, sizeof(*cur) };

	return diff(&lw, &lc, np_plan_wg_cmp, wg_eq_v, may_delete,
		    NULL, NULL, ops, n);
}
