// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vxlan backend: the one nodeplane device np-vxlan (both families;
 * never flannel.1, which stock flannel would delete) and its peers, one per
 * family of every usable Node. The device is created once and never
 * recreated; its VTEP MACs stay stable across restarts (taken from the own
 * Node's backend-data / backend-v6-data, else from the existing device).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

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
	uint32_t mtu = 0, ifindex;
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
		np_log_info("overlay: %s: vni %u port %u local %s,%s mac %s mac6 %s mtu %u",
			    NP_VXLAN_DEV, c->vxlan_vni, c->vxlan_port,
			    np_addr_str(&o->pub.ip4, l4, sizeof(l4)),
			    np_addr_str(&o->pub.ip6, l6, sizeof(l6)),
			    np_mac_str(o->mac4, m4), np_mac_str(o->mac6, m6),
			    mtu);
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

/* The module's peers of the device, as a cur list. */
static int dump(struct np_overlay *o)
{
	struct np_peer_list pl = { 0 };
	struct np_ovl_list fresh = { 0 };
	struct np_plan_peer *v;
	struct np_err err;
	char e[NP_ERR_MSG_LEN + 64];
	size_t i;
	int r;

	r = np_nl_peer_dump(o->nl, o->vx_ifindex, &pl, &err);
	if (r) {
		np_log_error("overlay: %s: cannot dump the peers: %s",
			     NP_VXLAN_DEV, np_err_str(&err, e, sizeof(e)));
		return r;
	}
	v = calloc(pl.n + 1, sizeof(*v));
	if (!v) {
		np_peer_list_free(&pl);
		return -ENOMEM;
	}
	for (i = 0; i < pl.n; i++) {
		memcpy(v[i].mac, pl.v[i].mac, NP_MAC_LEN);
		v[i].endpoint = pl.v[i].endpoint;
		if (pl.v[i].n_cidrs)
			v[i].cidr = pl.v[i].cidrs[0];
		v[i].odd = pl.v[i].n_cidrs != 1;
	}
	fresh.v = v;
	fresh.n = pl.n;
	np_peer_list_free(&pl);
	return np_ovl_list_take(&np_ovl_kind_peer, &o->peers, &fresh, NULL);
}

static void log_peer_v(const char *what, const void *item)
{
	log_peer(what, item);
}

static int del_peer(struct np_overlay *o, const void *item,
		    struct np_err *err)
{
	const struct np_plan_peer *c = item;
	int r = np_nl_peer_del(o->nl, o->vx_ifindex, c->mac, err);

	return r == -ENOENT ? 0 : r;
}

static int set_peer(struct np_overlay *o, const void *item,
		    struct np_err *err)
{
	const struct np_plan_peer *w = item;
	struct np_peer np = { .ifindex = o->vx_ifindex,
			      .endpoint = w->endpoint, .n_cidrs = 1 };

	memcpy(np.mac, w->mac, NP_MAC_LEN);
	np.cidrs[0] = w->cidr;
	return np_nl_peer_new(o->nl, &np, err);
}

static void fail_peer(const void *item, const struct np_err *err)
{
	const struct np_plan_peer *x = item;
	char e[NP_ERR_MSG_LEN + 64], m[NP_MAC_STRLEN];

	np_log_warning("overlay: peer %s of node %s: %s",
		       np_mac_str(x->mac, m), x->node ? x->node : "-",
		       np_err_str(err, e, sizeof(e)));
}

void np_vxlan_peers(struct np_overlay *o, const struct np_plan *p, bool full,
		    bool synced, struct np_ovl_stats *st)
{
	const struct np_ovl_apply a = {
		.kind = &np_ovl_kind_peer, .cur = &o->peers,
		.want = p->peers, .n_want = p->n_peers,
		.del = del_peer, .set = set_peer,
		.log = log_peer_v, .fail = fail_peer,
	};
	struct np_op *ops = NULL;
	size_t n = 0;

	if (full && dump(o)) {
		st->failed++;
		return;
	}
	if (np_plan_diff_peers(p->peers, p->n_peers, o->peers.v, o->peers.n,
			       synced, &ops, &n)) {
		st->failed++;
		return;
	}
	np_ovl_apply(o, &a, ops, n, st);
}
