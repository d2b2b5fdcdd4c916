// SPDX-License-Identifier: GPL-2.0-only
/*
 * The wireguard-native backend (flannel's "wireguard", "separate" mode):
 * np-wg (IPv4, port 51820) and np-wg-v6 (IPv6, port 51821), one key pair
 * for both kept in <data-dir>/wireguard.key, one WireGuard peer per family
 * of every usable Node (AllowedIPs = its podCIDR of that family, keepalive
 * 25 s). Unlike flannel the devices are kept across restarts, so a restart
 * does not interrupt traffic.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "overlay/backend.h"

static const char *dev_of(int family)
{
	return family == AF_INET6 ? NP_WG_DEV6 : NP_WG_DEV4;
}

static int load_key(struct np_overlay *o)
{
	char path[NP_CONFIG_PATH_LEN + 32], b64[NP_WG_KEY_B64_LEN];
	char e[NP_ERR_MSG_LEN + 64];
	struct np_err err;
	int r;

	if (!o->wg) {
		r = np_wg_open(&o->wg, &err);
		if (r) {
			np_log_error("overlay: WireGuard: %s",
				     np_err_str(&err, e, sizeof(e)));
			return r;
		}
	}
	if (o->wg_keyed)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", o->cfg.data_dir,
		 NP_WG_KEY_FILE);
	r = np_wg_key_load(path, o->wg_priv, o->wg_pub, &err);
	if (r) {
		np_log_error("overlay: WireGuard key: %s",
			     np_err_str(&err, e, sizeof(e)));
		return r;
	}
	o->wg_keyed = true;
	np_log_info("overlay: WireGuard public key %s (%s)",
		    np_wg_key_b64(o->wg_pub, b64), path);
	return 0;
}

static int one_device(struct np_overlay *o, int family,
		      const struct np_cidr *addr, uint32_t *ifindex)
{
	const char *name = dev_of(family);
	uint16_t port = family == AF_INET6 ? NP_WG_PORT6 : NP_WG_PORT4;
	struct np_wg_dev dev = { 0 };
	struct np_err err;
	char e[NP_ERR_MSG_LEN + 64];
	uint32_t mtu = 0;
	int r;

	if (o->pub.mtu > NP_WG_OVERHEAD + 576)
		mtu = o->pub.mtu - NP_WG_OVERHEAD;
	r = np_rtnl_link_ensure(o->rt, name, "wireguard", mtu, ifindex, &err);
	if (r)
		goto fail;
	r = np_wg_get(o->wg, name, &dev, &err);
	if (r)
		goto fail;
	if (!dev.has_privkey || dev.listen_port != port ||
	    memcmp(dev.privkey, o->wg_priv, NP_WG_KEY_LEN)) {
		r = np_wg_set_device(o->wg, name, o->wg_priv, port, &err);
		if (r)
			goto fail;
		np_log_info("overlay: %s: key set, listen port %u, mtu %u",
			    name, port, mtu);
	}
	r = np_rtnl_addr_sync(o->rt, *ifindex, addr, 1, &err);
	if (r)
		goto fail;
	np_wg_dev_free(&dev);
	return 0;
fail:
	np_wg_dev_free(&dev);
	np_log_error("overlay: %s: %s", name, np_err_str(&err, e, sizeof(e)));
	return r;
}

int np_wgn_devices(struct np_overlay *o, const struct np_plan *pre)
{
	int r;

	r = load_key(o);
	if (r)
		return r;
	if (o->cfg.cluster_cidr.has4) {
		r = one_device(o, AF_INET, &pre->self_pod4, &o->wg4_ifindex);
		if (r)
			return r;
	}
	if (o->cfg.cluster_cidr.has6) {
		r = one_device(o, AF_INET6, &pre->self_pod6, &o->wg6_ifindex);
		if (r)
			return r;
	}
	return 0;
}

static void log_wg(const char *what, const struct np_plan_wg *w)
{
	char b64[NP_WG_KEY_B64_LEN], a[NP_ADDR_STRLEN], cs[NP_CIDR_STRLEN];
	bool v6 = w->endpoint.family == AF_INET6;

	np_log_info("overlay: wireguard peer %s: node %s dev %s key %s endpoint %s%s%s:%u allowed %s keepalive %u",
		    what, w->node ? w->node : "-", dev_of(w->family),
		    np_wg_key_b64(w->key, b64), v6 ? "[" : "",
		    np_addr_str(&w->endpoint, a, sizeof(a)), v6 ? "]" : "",
		    w->port, np_cidr_str(&w->cidr, cs, sizeof(cs)),
		    w->keepalive_s);
}

/* ---- the runner's table of WireGuard peers -------------------------- */

/* Appends the peers of one device to v. */
static int dump_dev(struct np_overlay *o, int family, struct np_plan_wg **v,
		    size_t *n, struct np_err *err)
{
	struct np_wg_dev dev = { 0 };
	struct np_plan_wg *nv;
	size_t i;
	int r;

	r = np_wg_get(o->wg, dev_of(family), &dev, err);
	if (r)
		return r;
	nv = realloc(*v, (*n + dev.n_peers + 1) * sizeof(**v));
	if (!nv) {
		np_wg_dev_free(&dev);
		return np_err_set(err, ENOMEM, "out of memory");
	}
	*v = nv;
	for (i = 0; i < dev.n_peers; i++) {
		const struct np_wg_peer *p = &dev.peers[i];
		struct np_plan_wg *w = &nv[(*n)++];

		memset(w, 0, sizeof(*w));
		w->family = family;
		memcpy(w->key, p->pubkey, NP_WG_KEY_LEN);
		w->endpoint = p->endpoint;
		w->port = p->port;
		w->keepalive_s = p->keepalive_s;
		if (p->n_allowed)
			w->cidr = p->allowed[0];
		w->odd = p->n_allowed != 1;
	}
	np_wg_dev_free(&dev);
	return 0;
}

/*
 * WireGuard moves a peer's endpoint to wherever its packets come from
 * (NAT): where we set one and the kernel now has another, that is
 * roaming, not drift to repair on every resync.
 */
static int wg_adopt(void *ctx, void *fresh, const void *old)
{
	struct np_plan_wg *w = fresh;
	const struct np_plan_wg *ow = old;

	(void)ctx;
	w->endpoint = ow->endpoint;
	w->port = ow->port;
	return np_ovl_item_name_copy(ow->node, &w->node);
}

static int wg_cmp(const void *a, const void *b)
{
	return np_plan_wg_cmp(a, b);
}

static bool wg_same(const void *want, const void *cur)
{
	return np_plan_wg_eq(want, cur);
}

static const char *wg_key(const void *item, char *buf, size_t len)
{
	const struct np_plan_wg *x = item;
	char b64[NP_WG_KEY_B64_LEN];

	snprintf(buf, len, "%s of node %s", np_wg_key_b64(x->key, b64),
		 x->node ? x->node : "-");
	return buf;
}

static int wg_copy(void *dst, const void *src)
{
	struct np_plan_wg *d = dst;

	*d = *(const struct np_plan_wg *)src;
	return np_ovl_item_name_copy(((const struct np_plan_wg *)src)->node,
				     &d->node);
}

static void wg_clear(void *item)
{
	np_ovl_item_name_free(&((struct np_plan_wg *)item)->node);
}

static int wg_plan(void *ctx, const struct np_rc_pass *pass,
		   const void **want, size_t *n)
{
	struct np_overlay *o = ctx;

	(void)pass;
	if (o->cfg.backend != NP_BACKEND_WIREGUARD_NATIVE)
		return NP_RC_SKIP;
	*want = o->plan.wg;
	*n = o->plan.n_wg;
	return 0;
}

static int wg_dump(void *ctx, void **items, size_t *n, struct np_err *err)
{
	struct np_overlay *o = ctx;
	struct np_plan_wg *v = NULL;
	size_t k = 0;
	int r = 0;

	if (!o->wg)
		return np_err_set(err, ENOTCONN, "WireGuard is not open");
	if (o->cfg.cluster_cidr.has4)
		r = dump_dev(o, AF_INET, &v, &k, err);
	if (!r && o->cfg.cluster_cidr.has6)
		r = dump_dev(o, AF_INET6, &v, &k, err);
	if (r) {
		free(v);
		return r;
	}
	*items = v;
	*n = k;
	return 0;
}

static void wg_log(void *ctx, const char *what, const void *item)
{
	(void)ctx;
	log_wg(what, item);
}

static int wg_del(void *ctx, const void *item, struct np_err *err)
{
	struct np_overlay *o = ctx;
	const struct np_plan_wg *x = item;

	if (!o->wg)
		return np_err_set(err, ENOTCONN, "WireGuard is not open");
	return np_wg_peer_del(o->wg, dev_of(x->family), x->key, err);
}

/* A new peer, or one changed in place. */
static int wg_set(void *ctx, const void *item, struct np_err *err)
{
	struct np_overlay *o = ctx;
	const struct np_plan_wg *x = item;
	struct np_wg_peer wp = { 0 };

	if (!o->wg)
		return np_err_set(err, ENOTCONN, "WireGuard is not open");
	memcpy(wp.pubkey, x->key, NP_WG_KEY_LEN);
	wp.endpoint = x->endpoint;
	wp.port = x->port;
	wp.keepalive_s = x->keepalive_s;
	wp.n_allowed = 1;
	wp.allowed[0] = x->cidr;
	return np_wg_peer_set(o->wg, dev_of(x->family), &wp, err);
}

static int wg_replace(void *ctx, const void *cur, const void *want,
		      struct np_err *err)
{
	(void)cur;
	return wg_set(ctx, want, err);
}

const struct np_rc_table np_wgn_peer_table = {
	.name = "wireguard peer",
	.size = sizeof(struct np_plan_wg),
	.cmp_key = wg_cmp,
	.same = wg_same,
	.key_str = wg_key,
	.copy = wg_copy,
	.clear = wg_clear,
	.plan = wg_plan,
	.dump = wg_dump,
	.adopt = wg_adopt,
	.create = wg_set,
	.replace = wg_replace,
	.remove = wg_del,
	.log = wg_log,
};
