// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vxlan backend: the one nodeplane device np-vxlan (both families;
 * never flannel.1, which stock flannel would delete) and its peers, one per
 * family of every usable Node. The device is created once and never
 * recreated; its VTEP MACs stay stable across restarts (taken from the own
 * Node's backend-data / backend-v6-data, else from the existing device).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/nodeplane.h>

#include "log.h"
#include "overlay/backend.h"

static const char *fam_str(int family)
{
	return family == AF_INET6 ? "ipv6" : "ipv4";
}

/* The own Node's published VTEP MAC of one family, if it parses. */
static bool annot_mac(const char *data, uint8_t mac[NP_MAC_LEN])
{
	struct np_annot_vxlan vx;
	char why[NP_ANNOT_WHY_LEN];

	if (!data || np_annot_vxlan_decode(data, &vx, why, sizeof(why)))
		return false;
	memcpy(mac, vx.mac, NP_MAC_LEN);
	return true;
}

static void choose_macs(struct np_overlay *o, const struct np_node *self,
			const struct np_overlay_cfg *have)
{
	char m4[NP_MAC_STRLEN], m6[NP_MAC_STRLEN];
	const char *from4 = "the device", *from6 = "the device";
	uint8_t mac[NP_MAC_LEN];

	memcpy(o->mac4, have->mac, NP_MAC_LEN);
	memcpy(o->mac6, have->mac6, NP_MAC_LEN);
	if (annot_mac(self->flannel.backend_data, mac)) {
		memcpy(o->mac4, mac, NP_MAC_LEN);
		from4 = "backend-data";
	}
	/* one MAC for both families would make peers drop our frames of
	 * one of them: then the module's IPv6 MAC stays */
	if (annot_mac(self->flannel.backend_v6_data, mac) &&
	    memcmp(mac, o->mac4, NP_MAC_LEN)) {
		memcpy(o->mac6, mac, NP_MAC_LEN);
		from6 = "backend-v6-data";
	}
	o->vx_macs = true;
	np_log_info("overlay: %s: VTEP MACs %s (from %s), %s (from %s)",
		    NP_VXLAN_DEV, np_mac_str(o->mac4, m4), from4,
		    np_mac_str(o->mac6, m6), from6);
}

int np_vxlan_device(struct np_overlay *o, const struct np_node *self,
		    const struct np_plan *pre)
{
	const struct np_config *c = &o->cfg;
	struct np_overlay_cfg have, set;
	struct np_cidr addrs[2];
	struct np_err err;
	char e[NP_ERR_MSG_LEN + 64];
	uint32_t mtu = 0, ifindex, flags;
	size_t na = 0;
	int r;

	if (o->pub.mtu > NP_VXLAN_OVERHEAD + 576)
		mtu = o->pub.mtu - NP_VXLAN_OVERHEAD;
	r = np_rtnl_link_ensure(o->rt, NP_VXLAN_DEV, "nodeplane", mtu,
				&ifindex, &err);
	if (r) {
		np_log_error("overlay: %s", np_err_str(&err, e, sizeof(e)));
		return r;
	}
	if (ifindex != o->vx_ifindex)
		o->vx_macs = false;	/* another device than we knew */
	o->vx_ifindex = ifindex;
	r = np_nl_overlay_get(o->nl, ifindex, &have, &err);
	if (r) {
		np_log_error("overlay: %s: cannot read the device: %s",
			     NP_VXLAN_DEV, np_err_str(&err, e, sizeof(e)));
		return r;
	}
	if (!o->vx_macs)
		choose_macs(o, self, &have);

	memset(&set, 0, sizeof(set));
	set.ifindex = ifindex;
	if (!(have.has & NP_OVERLAY_HAS_VNI) || have.vni != c->vxlan_vni) {
		set.has |= NP_OVERLAY_HAS_VNI;
		set.vni = c->vxlan_vni;
	}
	if (!(have.has & NP_OVERLAY_HAS_PORT) || have.port != c->vxlan_port) {
		set.has |= NP_OVERLAY_HAS_PORT;
		set.port = c->vxlan_port;
	}
	if (c->cluster_cidr.has4 &&
	    (!(have.has & NP_OVERLAY_HAS_LOCAL4) ||
	     !np_addr_eq(&have.local4, &o->pub.ip4))) {
		set.has |= NP_OVERLAY_HAS_LOCAL4;
		set.local4 = o->pub.ip4;
	}
	if (c->cluster_cidr.has6 &&
	    (!(have.has & NP_OVERLAY_HAS_LOCAL6) ||
	     !np_addr_eq(&have.local6, &o->pub.ip6))) {
		set.has |= NP_OVERLAY_HAS_LOCAL6;
		set.local6 = o->pub.ip6;
	}
	if (memcmp(have.mac, o->mac4, NP_MAC_LEN)) {
		set.has |= NP_OVERLAY_HAS_MAC;
		memcpy(set.mac, o->mac4, NP_MAC_LEN);
	}
	if (memcmp(have.mac6, o->mac6, NP_MAC_LEN)) {
		set.has |= NP_OVERLAY_HAS_MAC6;
		memcpy(set.mac6, o->mac6, NP_MAC_LEN);
	}
	/* the source check is ours to set; other flags stay as they are */
	flags = have.flags & ~(uint32_t)NP_OVERLAY_F_RX_SRC_CHECK;
	if (c->overlay_src_check)
		flags |= NP_OVERLAY_F_RX_SRC_CHECK;
	if (flags != have.flags) {
		set.has |= NP_OVERLAY_HAS_FLAGS;
		set.flags = flags;
	}
	if (set.has) {
		char l4[NP_ADDR_STRLEN], l6[NP_ADDR_STRLEN];
		char m4[NP_MAC_STRLEN], m6[NP_MAC_STRLEN];

		r = np_nl_overlay_set(o->nl, &set, &err);
		if (r) {
			np_log_error("overlay: %s: cannot configure it: %s",
				     NP_VXLAN_DEV,
				     np_err_str(&err, e, sizeof(e)));
			return r;
		}
		np_log_info("overlay: %s: vni %u port %u local %s,%s mac %s mac6 %s mtu %u source-check %s",
			    NP_VXLAN_DEV, c->vxlan_vni, c->vxlan_port,
			    np_addr_str(&o->pub.ip4, l4, sizeof(l4)),
			    np_addr_str(&o->pub.ip6, l6, sizeof(l6)),
			    np_mac_str(o->mac4, m4), np_mac_str(o->mac6, m6),
			    mtu, c->overlay_src_check ? "on" : "off");
		/* read back what the module holds */
		if (!np_nl_overlay_get(o->nl, ifindex, &have, &err)) {
			memcpy(o->mac4, have.mac, NP_MAC_LEN);
			memcpy(o->mac6, have.mac6, NP_MAC_LEN);
		}
	}
	if (c->cluster_cidr.has4)
		addrs[na++] = pre->self_pod4;
	if (c->cluster_cidr.has6)
		addrs[na++] = pre->self_pod6;
	r = np_rtnl_addr_sync(o->rt, ifindex, addrs, na, &err);
	if (r) {
		np_log_error("overlay: %s: addresses: %s", NP_VXLAN_DEV,
			     np_err_str(&err, e, sizeof(e)));
		return r;
	}
	return 0;
}

static void log_peer(const char *what, const struct np_plan_peer *p)
{
	char m[NP_MAC_STRLEN], a[NP_ADDR_STRLEN], cs[NP_CIDR_STRLEN];

	np_log_info("overlay: peer %s: node %s %s mac %s endpoint %s cidr %s",
		    what, p->node ? p->node : "-",
		    fam_str(p->cidr.addr.family), np_mac_str(p->mac, m),
		    np_addr_str(&p->endpoint, a, sizeof(a)),
		    np_cidr_str(&p->cidr, cs, sizeof(cs)));
}

/* ---- the runner's table of module peers ---------------------------- */

static int peer_cmp(const void *a, const void *b)
{
	return np_plan_peer_cmp(a, b);
}

static bool peer_same(const void *want, const void *cur)
{
	return np_plan_peer_eq(want, cur);
}

static const char *peer_key(const void *item, char *buf, size_t len)
{
	const struct np_plan_peer *x = item;
	char m[NP_MAC_STRLEN];

	snprintf(buf, len, "%s of node %s", np_mac_str(x->mac, m),
		 x->node ? x->node : "-");
	return buf;
}

static int peer_copy(void *dst, const void *src)
{
	struct np_plan_peer *d = dst;

	*d = *(const struct np_plan_peer *)src;
	return np_ovl_item_name_copy(((const struct np_plan_peer *)src)->node,
				     &d->node);
}

static void peer_clear(void *item)
{
	np_ovl_item_name_free(&((struct np_plan_peer *)item)->node);
}

/* A dumped peer is named after the one we knew. */
static int peer_adopt(void *ctx, void *fresh, const void *old)
{
	(void)ctx;
	return np_ovl_item_name_copy(((const struct np_plan_peer *)old)->node,
				     &((struct np_plan_peer *)fresh)->node);
}

static int peer_plan(void *ctx, const struct np_rc_pass *pass,
		     const void **want, size_t *n)
{
	struct np_overlay *o = ctx;

	(void)pass;
	if (o->cfg.backend != NP_BACKEND_VXLAN)
		return NP_RC_SKIP;
	*want = o->plan.peers;
	*n = o->plan.n_peers;
	return 0;
}

/* The module's peers of the device. */
static int peer_dump(void *ctx, void **items, size_t *n, struct np_err *err)
{
	struct np_overlay *o = ctx;
	struct np_peer_list pl = { 0 };
	struct np_plan_peer *v;
	size_t i;
	int r;

	r = np_nl_peer_dump(o->nl, o->vx_ifindex, &pl, err);
	if (r)
		return r;
	v = calloc(pl.n + 1, sizeof(*v));
	if (!v) {
		np_peer_list_free(&pl);
		return np_err_set(err, ENOMEM, "out of memory");
	}
	for (i = 0; i < pl.n; i++) {
		memcpy(v[i].mac, pl.v[i].mac, NP_MAC_LEN);
		v[i].endpoint = pl.v[i].endpoint;
		if (pl.v[i].n_cidrs)
			v[i].cidr = pl.v[i].cidrs[0];
		v[i].odd = pl.v[i].n_cidrs != 1;
	}
	*items = v;
	*n = pl.n;
	np_peer_list_free(&pl);
	return 0;
}

static void peer_log(void *ctx, const char *what, const void *item)
{
	(void)ctx;
	log_peer(what, item);
}

static int peer_del(void *ctx, const void *item, struct np_err *err)
{
	struct np_overlay *o = ctx;
	const struct np_plan_peer *c = item;

	return np_nl_peer_del(o->nl, o->vx_ifindex, c->mac, err);
}

/* PEER_NEW replaces a peer of the same MAC in place. */
static int peer_set(void *ctx, const void *item, struct np_err *err)
{
	struct np_overlay *o = ctx;
	const struct np_plan_peer *w = item;
	struct np_peer np = { .ifindex = o->vx_ifindex,
			      .endpoint = w->endpoint, .n_cidrs = 1 };

	memcpy(np.mac, w->mac, NP_MAC_LEN);
	np.cidrs[0] = w->cidr;
	return np_nl_peer_new(o->nl, &np, err);
}

static int peer_replace(void *ctx, const void *cur, const void *want,
			struct np_err *err)
{
	(void)cur;
	return peer_set(ctx, want, err);
}

const struct np_rc_table np_vxlan_peer_table = {
	.name = "peer",
	.size = sizeof(struct np_plan_peer),
	.cmp_key = peer_cmp,
	.same = peer_same,
	.key_str = peer_key,
	.copy = peer_copy,
	.clear = peer_clear,
	.plan = peer_plan,
	.dump = peer_dump,
	.adopt = peer_adopt,
	.create = peer_set,
	.replace = peer_replace,
	.remove = peer_del,
	.log = peer_log,
};
