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

/* Appends the peers of one device to v. */
static int dump_dev(struct np_overlay *o, int family, struct np_plan_wg **v,
		    size_t *n)
{
	struct np_wg_dev dev = { 0 };
	struct np_plan_wg *nv;
	struct np_err err;
	char e[NP_ERR_MSG_LEN + 64];
	size_t i;
	int r;

	r = np_wg_get(o->wg, dev_of(family), &dev, &err);
	if (r) {
		np_log_error("overlay: %s: cannot dump the peers: %s",
			     dev_of(family), np_err_str(&err, e, sizeof(e)));
		return r;
	}
	nv = realloc(*v, (*n + dev.n_peers + 1) * sizeof(**v));
	if (!nv) {
		np_wg_dev_free(&dev);
		return -ENOMEM;
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
static void keep_roamed(void *item, const void *old)
{
	struct np_plan_wg *w = item;
	const struct np_plan_wg *ow = old;

	w->endpoint = ow->endpoint;
	w->port = ow->port;
}

static int dump(struct np_overlay *o)
{
	struct np_ovl_list fresh = { 0 };
	struct np_plan_wg *v = NULL;
	size_t n = 0;
	int r = 0;

	if (o->cfg.cluster_cidr.has4)
		r = dump_dev(o, AF_INET, &v, &n);
	if (!r && o->cfg.cluster_cidr.has6)
		r = dump_dev(o, AF_INET6, &v, &n);
	if (r) {
		free(v);
		return r;
	}
	fresh.v = v;
	fresh.n = n;
	return np_ovl_list_take(&np_ovl_kind_wg, &o->wgs, &fresh, keep_roamed);
}

static void log_wg_v(const char *what, const void *item)
{
	log_wg(what, item);
}

static int del_wg(struct np_overlay *o, const void *item, struct np_err *err)
{
	const struct np_plan_wg *x = item;
	int r = np_wg_peer_del(o->wg, dev_of(x->family), x->key, err);

	return r == -ENOENT ? 0 : r;
}

static int set_wg(struct np_overlay *o, const void *item, struct np_err *err)
{
	const struct np_plan_wg *x = item;
	struct np_wg_peer wp = { 0 };

	memcpy(wp.pubkey, x->key, NP_WG_KEY_LEN);
	wp.endpoint = x->endpoint;
	wp.port = x->port;
	wp.keepalive_s = x->keepalive_s;
	wp.n_allowed = 1;
	wp.allowed[0] = x->cidr;
	return np_wg_peer_set(o->wg, dev_of(x->family), &wp, err);
}

static void fail_wg(const void *item, const struct np_err *err)
{
	const struct np_plan_wg *x = item;
	char e[NP_ERR_MSG_LEN + 64], b64[NP_WG_KEY_B64_LEN];

	np_log_warning("overlay: wireguard peer %s of node %s: %s",
		       np_wg_key_b64(x->key, b64), x->node ? x->node : "-",
		       np_err_str(err, e, sizeof(e)));
}

void np_wgn_peers(struct np_overlay *o, const struct np_plan *p, bool full,
		  bool synced, struct np_ovl_stats *st)
{
	const struct np_ovl_apply a = {
		.kind = &np_ovl_kind_wg, .cur = &o->wgs,
		.want = p->wg, .n_want = p->n_wg,
		.del = del_wg, .set = set_wg,
		.log = log_wg_v, .fail = fail_wg,
	};
	struct np_op *ops = NULL;
	size_t n = 0;

	if (!o->wg || (full && dump(o))) {
		st->failed++;
		return;
	}
	if (np_plan_diff_wg(p->wg, p->n_wg, o->wgs.v, o->wgs.n, synced, &ops,
			    &n)) {
		st->failed++;
		return;
	}
	np_ovl_apply(o, &a, ops, n, st);
}
