// SPDX-License-Identifier: GPL-2.0-only
/*
 * The overlay reconciler on the runner (reconcile/runner.h): its tables
 * are the module's peers (vxlan), the WireGuard peers (wireguard-native)
 * and our routes (every backend), in that order; before them, begin
 * gathers the public IP, sets masquerade (full passes), checks the own
 * Node, removes other backends' devices (full passes), makes the devices
 * and builds the plan; after them, end publishes the annotations, writes
 * subnet.env and logs the summary. The runner debounces Node events,
 * holds everything until the Node list is synced, dumps the tables on
 * full passes (start, every 60 s, after a failure, on a module reload or
 * a SIGHUP), diffs, applies deletes first, and retries with backoff.
 *
 * An incremental pass (a Node event) is cheap at thousands of Nodes: it
 * keeps the public IP and MTU found by the last full pass, leaves the
 * devices alone unless the own pod addresses moved, builds the plan from
 * the cache of per-Node verdicts (only changed Nodes are decoded), and
 * diffs against the runner's remembered tables (no dump). A full pass
 * empties that cache and gathers and configures everything.
 */
#include <errno.h>
#include <net/if.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/nodeplane.h>
#include <linux/wireguard.h>

#include "kube/kube.h"
#include "log.h"
#include "model/model.h"
#include "overlay/backend.h"

#define PATCH_RETRY_MIN_MS 1000
#define PATCH_RETRY_MAX_MS 60000
#define PATCH_SETTLE_MS 10000	/* after a patch, time for the watch */

/* ---- items: the node name each of them owns ------------------------ */

int np_ovl_item_name_copy(const char *src, const char **dst)
{
	*dst = NULL;
	if (src && !(*dst = strdup(src)))
		return -ENOMEM;
	return 0;
}

void np_ovl_item_name_free(const char **name)
{
	free((char *)*name);
	*name = NULL;
}

const char *np_ovl_ifname(uint32_t ifindex, char buf[NP_IFNAME_LEN])
{
	char name[IF_NAMESIZE];

	if (if_indextoname(ifindex, name))
		snprintf(buf, NP_IFNAME_LEN, "%s", name);
	else
		snprintf(buf, NP_IFNAME_LEN, "if%u", ifindex);
	return buf;
}

/* ---- configuration -------------------------------------------------- */

static void cfg_cidr(const struct np_cfg_addr *a, struct np_cidr *c)
{
	struct np_cidr raw = { 0 };

	raw.addr.family = a->family;
	memcpy(raw.addr.a, a->addr, a->family == AF_INET ? 4 : 16);
	raw.prefixlen = (uint8_t)(a->prefix < 0 ?
				  (a->family == AF_INET ? 32 : 128) : a->prefix);
	c->prefixlen = raw.prefixlen;
	np_cidr_network(&raw, &c->addr);
}

static void cfg_addr(const struct np_cfg_addr *a, struct np_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->family = a->family;
	memcpy(out->a, a->addr, a->family == AF_INET ? 4 : 16);
}

static void cfg_warnings(const struct np_config *c)
{
	bool ext = c->node_external_ip.has4 || c->node_external_ip.has6;

	if (c->backend == NP_BACKEND_NONE) {
		np_log_info("overlay: flannel-backend none: the overlay and masquerade are left to another CNI");
		return;
	}
	if (c->external_ip && !ext)
		np_log_warning("overlay: flannel-external-ip is set but node-external-ip is not: peers use the interface address");
	if (c->external_ip && ext && c->backend != NP_BACKEND_WIREGUARD_NATIVE)
		np_log_warning("overlay: flannel-external-ip with flannel-backend %s: traffic to the external IP is not encrypted",
			       np_backend_name(c->backend));
	/* a node sends from its interface address, peers know the published
	 * one: the source check refuses what it sends */
	if (c->external_ip && c->backend == NP_BACKEND_VXLAN &&
	    c->overlay_src_check)
		np_log_warning("overlay: flannel-external-ip with overlay-source-check: frames of nodes that publish an external IP come from another address and are refused (rx_bad_src); set overlay-source-check: false");
}

/* ---- masquerade ----------------------------------------------------- */

static bool masq_same(const struct np_masq *a, const struct np_masq *b)
{
	size_t i, j;

	if (a->n_cidrs != b->n_cidrs || a->flags != b->flags)
		return false;
	for (i = 0; i < a->n_cidrs; i++) {
		for (j = 0; j < b->n_cidrs; j++)
			if (a->cidrs[i].prefixlen == b->cidrs[j].prefixlen &&
			    np_addr_eq(&a->cidrs[i].addr, &b->cidrs[j].addr))
				break;
		if (j == b->n_cidrs)
			return false;
	}
	return true;
}

static int masq_sync(struct np_overlay *o)
{
	const struct np_config *c = &o->cfg;
	struct np_masq want = { 0 }, have = { 0 };
	char e[NP_ERR_MSG_LEN + 64], c4[NP_CIDR_STRLEN] = "", c6[NP_CIDR_STRLEN] = "";
	struct np_err err;
	int r;

	if (c->cluster_cidr.has4) {
		cfg_cidr(&c->cluster_cidr.v4, &want.cidrs[want.n_cidrs]);
		np_cidr_str(&want.cidrs[want.n_cidrs++], c4, sizeof(c4));
	}
	if (c->cluster_cidr.has6) {
		cfg_cidr(&c->cluster_cidr.v6, &want.cidrs[want.n_cidrs]);
		np_cidr_str(&want.cidrs[want.n_cidrs++], c6, sizeof(c6));
		if (c->ipv6_masq)
			want.flags |= NP_MASQ_F_IPV6;
	}
	r = np_nl_masq_get(o->nl, &have, &err);
	if (!r && masq_same(&want, &have))
		return 0;
	r = np_nl_masq_set(o->nl, &want, &err);
	if (r) {
		np_log_error("overlay: cannot set masquerade: %s",
			     np_err_str(&err, e, sizeof(e)));
		return r;
	}
	np_log_info("overlay: masquerade: cluster %s%s%s, ipv6 %s", c4,
		    c4[0] && c6[0] ? "," : "", c6,
		    want.flags & NP_MASQ_F_IPV6 ? "on" : "off");
	return 0;
}

/* ---- other backends' devices ---------------------------------------- */

static void del_dev(struct np_overlay *o, const char *name)
{
	struct np_err err;
	char e[NP_ERR_MSG_LEN + 64];
	uint32_t ifindex;

	if (np_rtnl_link_index(o->rt, name, &ifindex, &err))
		return;
	if (np_rtnl_link_del(o->rt, name, &err)) {
		np_log_warning("overlay: cannot remove %s: %s", name,
			       np_err_str(&err, e, sizeof(e)));
		return;
	}
	np_log_info("overlay: removed %s (not used by flannel-backend %s)",
		    name, np_backend_name(o->cfg.backend));
}

static void cleanup(struct np_overlay *o)
{
	enum np_backend b = o->cfg.backend;

	/* (the runner forgets the peers of a table not in use: its plan
	 * says NP_RC_SKIP) */
	if (b != NP_BACKEND_VXLAN) {
		del_dev(o, NP_VXLAN_DEV);
		o->vx_ifindex = 0;
		o->vx_macs = false;
	}
	if (b != NP_BACKEND_WIREGUARD_NATIVE || !o->cfg.cluster_cidr.has4)
		del_dev(o, NP_WG_DEV4);
	if (b != NP_BACKEND_WIREGUARD_NATIVE || !o->cfg.cluster_cidr.has6)
		del_dev(o, NP_WG_DEV6);
}

/* ---- logging once per change ---------------------------------------- */

static void log_change(char *last, size_t len, const char *now, int level)
{
	if (!strcmp(last, now))
		return;
	snprintf(last, len, "%s", now);
	if (now[0])
		np_log((enum np_log_level)level, "overlay: %s", now);
}

static int skip_cmp(const void *a, const void *b)
{
	const struct np_plan_skip *x = a, *y = b;

	return strcmp(x->node, y->node);
}

static void skips_free(struct np_overlay *o)
{
	size_t i;

	for (i = 0; i < o->n_skips; i++)
		free(o->skip_names[i]);
	free(o->skip_names);
	free(o->skips);
	o->skip_names = NULL;
	o->skips = NULL;
	o->n_skips = 0;
}

/* Logs the skips that are new or have a new reason; remembers them. */
static void log_skips(struct np_overlay *o, const struct np_plan *p)
{
	struct np_plan_skip *keep;
	char **names;
	size_t i;

	for (i = 0; i < p->n_skips; i++) {
		const struct np_plan_skip *s = &p->skips[i], *old;

		old = o->n_skips ? bsearch(s, o->skips, o->n_skips,
					   sizeof(*s), skip_cmp) : NULL;
		if (old && !strcmp(old->why, s->why))
			continue;
		np_log(s->warn ? NP_LOG_WARNING : NP_LOG_DEBUG,
		       "overlay: node %s skipped: %s", s->node, s->why);
	}
	keep = calloc(p->n_skips + 1, sizeof(*keep));
	names = calloc(p->n_skips + 1, sizeof(*names));
	if (!keep || !names) {
		free(keep);
		free(names);
		return;		/* logged again next time: harmless */
	}
	for (i = 0; i < p->n_skips; i++) {
		keep[i] = p->skips[i];
		names[i] = strdup(p->skips[i].node);
		if (!names[i])
			names[i] = strdup("");
		keep[i].node = names[i] ? names[i] : "";
	}
	skips_free(o);
	o->skips = keep;
	o->skip_names = names;
	o->n_skips = p->n_skips;
}

/* ---- publication ---------------------------------------------------- */

static void patch_done(void *ctx, long status, const char *why)
{
	struct np_overlay *o = ctx;
	unsigned int b;

	o->patch_busy = false;
	if (status >= 200 && status < 300) {
		np_log_info("overlay: published flannel annotations on Node %s",
			    o->cfg.node_name);
		o->patch_backoff_ms = 0;
		o->repatch_after_ms = np_now_ms() + PATCH_SETTLE_MS;
		return;
	}
	b = o->patch_backoff_ms ? o->patch_backoff_ms * 2 : PATCH_RETRY_MIN_MS;
	if (b > PATCH_RETRY_MAX_MS)
		b = PATCH_RETRY_MAX_MS;
	o->patch_backoff_ms = b;
	o->repatch_after_ms = np_now_ms() + b;
	np_log_warning("overlay: cannot patch the status of Node %s (HTTP %ld%s%s); retrying in %u ms",
		       o->cfg.node_name, status, why && *why ? ": " : "",
		       why ? why : "", b);
	np_timer_arm(o->lp, &o->t_publish, b);
}

static void publish(struct np_overlay *o, const struct np_plan *p,
		    const struct np_node *self)
{
	uint64_t now = np_now_ms();
	char *patch;
	int r;

	if (!o->kube || !p->self_ready || o->cfg.backend == NP_BACKEND_NONE)
		return;
	if (np_annots_match(&p->annots, &self->flannel)) {
		o->repatch_after_ms = 0;
		return;
	}
	if (o->patch_busy)
		return;		/* patch_done, then the watch, bring a pass */
	if (o->sent_valid && np_annots_equal(&o->sent, &p->annots) &&
	    now < o->repatch_after_ms) {
		/* sent already: the Node shows it once the watch catches up */
		np_timer_arm(o->lp, &o->t_publish, o->repatch_after_ms - now);
		return;
	}
	patch = np_annot_patch(&p->annots);
	if (!patch) {
		np_log_error("overlay: out of memory building the Node patch");
		return;
	}
	np_log_debug("overlay: patching Node %s status: %s", o->cfg.node_name,
		     patch);
	r = np_kube_patch_node_status(o->kube, o->cfg.node_name, patch,
				      patch_done, o);
	free(patch);
	if (r) {
		patch_done(o, 0, "the request could not be started");
		return;
	}
	o->sent = p->annots;
	o->sent_valid = true;
	o->patch_busy = true;
}

/* ---- subnet.env ---------------------------------------------------- */

/* The own Node's podCIDR of family af (as written); false if none. */
static bool own_pod(const struct np_node *self, int af, struct np_cidr *out)
{
	size_t i;

	for (i = 0; i < self->n_pod_cidrs && i < 2; i++) {
		if (self->pod_cidrs[i].addr.family == af) {
			*out = self->pod_cidrs[i];
			return true;
		}
	}
	return false;
}

/* The MTU of the overlay: what pods and cni0 get (FLANNEL_MTU). */
static uint32_t overlay_mtu(const struct np_overlay *o)
{
	uint32_t over = 0;

	if (o->cfg.backend == NP_BACKEND_VXLAN)
		over = NP_VXLAN_OVERHEAD;
	else if (o->cfg.backend == NP_BACKEND_WIREGUARD_NATIVE)
		over = NP_WG_OVERHEAD;
	return o->pub.mtu > over ? o->pub.mtu - over : o->pub.mtu;
}

/*
 * Writes subnet.env for the flannel CNI plugin when its text changes.
 * Forwarding does not depend on it: a failure is a warning, logged once,
 * and retried on full passes.
 */
static void subnet_env(struct np_overlay *o, const struct np_node *self,
		       bool full)
{
	const struct np_config *c = &o->cfg;
	struct np_subnetenv se = { 0 };
	char text[NP_SUBNETENV_LEN], why[NP_PLAN_WHY_LEN + 64];
	const char *path = np_subnetenv_path();
	int r;

	if (o->senv_failed && !full)
		return;
	se.fam4 = c->cluster_cidr.has4;
	se.fam6 = c->cluster_cidr.has6;
	if (se.fam4) {
		cfg_cidr(&c->cluster_cidr.v4, &se.cluster4);
		if (!own_pod(self, AF_INET, &se.pod4))
			return;
	}
	if (se.fam6) {
		cfg_cidr(&c->cluster_cidr.v6, &se.cluster6);
		if (!own_pod(self, AF_INET6, &se.pod6))
			return;
	}
	se.mtu = overlay_mtu(o);
	se.ipmasq = true;
	if (np_subnetenv_format(&se, text, sizeof(text)) ||
	    !strcmp(text, o->senv))
		return;
	r = np_subnetenv_write(path, text, why, sizeof(why));
	if (r < 0) {
		if (!o->senv_failed)
			np_log_warning("overlay: subnet.env: %s (the flannel CNI plugin needs it; forwarding does not)",
				       why);
		o->senv_failed = true;
		o->senv[0] = '\0';
		return;
	}
	if (r == 0)
		np_log_info("overlay: wrote %s", path);
	o->senv_failed = false;
	snprintf(o->senv, sizeof(o->senv), "%s", text);
}

static bool cidr_eq(const struct np_cidr *a, const struct np_cidr *b)
{
	return a->prefixlen == b->prefixlen && np_addr_eq(&a->addr, &b->addr);
}

/* ---- one pass ------------------------------------------------------- */

static int collect(const void *obj, void *ctx)
{
	struct np_overlay *o = ctx;

	if (o->n_nodes == o->cap_nodes) {
		size_t cap = o->cap_nodes ? o->cap_nodes * 2 : 64;
		const struct np_node **v = realloc(o->nodes, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		o->nodes = v;
		o->cap_nodes = cap;
	}
	o->nodes[o->n_nodes++] = obj;
	return 0;
}

static void plan_in(struct np_overlay *o, struct np_plan_in *in)
{
	const struct np_config *c = &o->cfg;

	memset(in, 0, sizeof(*in));
	in->backend = c->backend;
	in->fam4 = c->cluster_cidr.has4;
	in->fam6 = c->cluster_cidr.has6;
	if (in->fam4)
		cfg_cidr(&c->cluster_cidr.v4, &in->cluster4);
	if (in->fam6)
		cfg_cidr(&c->cluster_cidr.v6, &in->cluster6);
	in->self = c->node_name;
	in->nodes = o->nodes;
	in->n_nodes = o->n_nodes;
	in->ip4 = o->pub.ip4;
	in->ip6 = o->pub.ip6;
	in->uplink_ifindex = o->pub.ifindex;
	in->vni = c->vxlan_vni;
	if (c->external_ip && c->node_external_ip.has4)
		cfg_addr(&c->node_external_ip.v4, &in->ext4);
	if (c->external_ip && c->node_external_ip.has6)
		cfg_addr(&c->node_external_ip.v6, &in->ext6);
}

static void summary(struct np_overlay *o, const struct np_rc_pass *pass)
{
	const struct np_rc_counts *st = &pass->counts;
	const struct np_plan *p = &o->plan;
	unsigned long long ms = np_now_ms() - pass->started_ms;

	if (st->failed) {
		np_log_warning("overlay: not converged: %u failed (%u added, %u changed, %u removed); retrying in %u ms",
			       st->failed, st->created, st->replaced,
			       st->deleted, pass->retry_ms);
		return;
	}
	if (o->converged_once && !st->created && !st->replaced && !st->deleted)
		return;
	o->converged_once = true;
	np_log_info("overlay: converged: %zu peers, %zu routes, %zu wireguard peers from %zu nodes (%u added, %u changed, %u removed, %zu skipped) in %llu ms",
		    p->n_peers, p->n_routes, p->n_wg, p->n_programmed,
		    st->created, st->replaced, st->deleted, p->n_skips, ms);
}

/*
 * The module (or WireGuard's) was unloaded or loaded again since the
 * kernel state was last programmed: what we remember of it (devices,
 * MACs) is gone with it. Forgets it; the pass becomes a full one (the
 * runner forgets nothing of its own: it dumps the tables).
 */
static bool reloaded(struct np_overlay *o)
{
	unsigned int g = np_nl_generation(o->nl);
	unsigned int w = o->wg ? np_wg_generation(o->wg) : o->wg_gen;

	if (g == o->nl_gen && w == o->wg_gen)
		return false;
	np_log_info("overlay: the %s module was reloaded: programming it again",
		    g != o->nl_gen ? "nodeplane" : "wireguard");
	o->nl_gen = g;
	o->wg_gen = w;
	o->dev_ok = false;
	o->vx_ifindex = 0;
	o->vx_macs = false;
	o->wg4_ifindex = o->wg6_ifindex = 0;
	return true;
}

static uint64_t generation(void *ctx)
{
	struct np_overlay *o = ctx;
	unsigned int w = o->wg ? np_wg_generation(o->wg) : o->wg_gen;

	return (uint64_t)np_nl_generation(o->nl) << 32 | w;
}

static void pass_free(struct np_overlay *o)
{
	if (o->plan_valid)
		np_plan_free(&o->plan);
	o->plan_valid = false;
	o->n_nodes = 0;
	o->self = NULL;
}

/*
 * Before the tables: everything the plan needs from the kernel and the
 * devices the peers and routes go through. Fails (the runner retries
 * with its backoff) or waits for the own Node as the old pass did.
 */
static int begin(void *ctx, struct np_rc_pass *pass)
{
	struct np_overlay *o = ctx;
	const struct np_config *c = &o->cfg;
	struct np_plan pre;
	struct np_plan_in in;
	struct np_err err;
	bool full;
	int r;

	pass_free(o);
	if (c->backend == NP_BACKEND_NONE)
		return NP_RC_WAIT;	/* not registered then (overlay.h) */
	if (reloaded(o))
		pass->full = true;
	full = pass->full;
	if (full && masq_sync(o))
		pass->counts.failed++;

	if (full || !o->pub_ok) {
		r = np_pubip_gather(o->rt, c, &o->pub, &err);
		o->pub_ok = !r;
		o->dev_ok = false;	/* the interface may have changed */
		np_plan_cache_reset(o->pc);
		if (r) {
			char why[NP_PLAN_WHY_LEN];

			np_err_str(&err, why, sizeof(why));
			log_change(o->pub_why, sizeof(o->pub_why), why,
				   NP_LOG_ERROR);
			return NP_RC_FAIL;
		}
		log_change(o->pub_why, sizeof(o->pub_why), "", NP_LOG_INFO);
	}

	if (np_model_foreach(o->model, NP_KIND_NODE, NULL, collect, o)) {
		np_log_error("overlay: out of memory listing Nodes");
		pass_free(o);
		return NP_RC_FAIL;
	}
	o->self = np_model_node(o->model, c->node_name);
	plan_in(o, &in);
	np_plan_self(&in, o->self, &pre);
	if (!pre.self_ready) {
		log_change(o->self_why, sizeof(o->self_why), pre.self_why,
			   pre.self_error ? NP_LOG_ERROR : NP_LOG_INFO);
		pass_free(o);
		return pre.self_error ? NP_RC_FAIL : NP_RC_WAIT;
	}
	log_change(o->self_why, sizeof(o->self_why), "", NP_LOG_INFO);

	if (full || o->need_cleanup) {
		cleanup(o);
		o->need_cleanup = false;
		o->dev_ok = false;
	}
	r = 0;
	if (!o->dev_ok || !cidr_eq(&o->dev_pod4, &pre.self_pod4) ||
	    !cidr_eq(&o->dev_pod6, &pre.self_pod6)) {
		switch (c->backend) {
		case NP_BACKEND_VXLAN:
			r = np_vxlan_device(o, o->self, &pre);
			break;
		case NP_BACKEND_WIREGUARD_NATIVE:
			r = np_wgn_devices(o, &pre);
			break;
		default:
			break;
		}
		o->dev_ok = !r;
		o->dev_pod4 = pre.self_pod4;
		o->dev_pod6 = pre.self_pod6;
	}
	if (r) {
		pass_free(o);
		snprintf(pass->why, sizeof(pass->why),
			 "the device is not ready");
		return NP_RC_FAIL;
	}
	in.vxlan_ifindex = o->vx_ifindex;
	in.wg4_ifindex = o->wg4_ifindex;
	in.wg6_ifindex = o->wg6_ifindex;
	memcpy(in.mac4, o->mac4, NP_MAC_LEN);
	memcpy(in.mac6, o->mac6, NP_MAC_LEN);
	memcpy(in.wg_key, o->wg_pub, NP_WG_KEY_LEN);
	if (np_plan_cache_build(o->pc, &in, &o->plan)) {
		np_log_error("overlay: out of memory planning");
		pass_free(o);
		return NP_RC_FAIL;
	}
	o->plan_valid = true;
	log_skips(o, &o->plan);
	log_change(o->self_warn, sizeof(o->self_warn), o->plan.self_warn,
		   NP_LOG_WARNING);
	log_change(o->refused_why, sizeof(o->refused_why),
		   o->plan.refused_why, NP_LOG_ERROR);
	return 0;
}

/* After the tables: publication, subnet.env, the summary. */
static void end(void *ctx, const struct np_rc_pass *pass)
{
	struct np_overlay *o = ctx;

	publish(o, &o->plan, o->self);
	subnet_env(o, o->self, pass->full);
	summary(o, pass);
	pass_free(o);
}

/* nlctrl's family events: WireGuard loaded again is programmed at once
 * (the runner handles the nodeplane family itself). */
static bool on_family(void *ctx, const char *name, bool added)
{
	struct np_overlay *o = ctx;
	char e[NP_ERR_MSG_LEN + 64];
	struct np_err err;

	if (strcmp(name, WG_GENL_NAME))
		return false;
	if (!added) {
		np_log_warning("overlay: generic netlink family %s unregistered (module unloaded): its devices and peers are gone until it is loaded again",
			       name);
		return false;
	}
	np_log_info("overlay: generic netlink family %s registered: full pass",
		    name);
	np_err_clear(&err);
	if (o->wg && np_wg_resolve(o->wg, &err) < 0)
		np_log_warning("overlay: %s", np_err_str(&err, e, sizeof(e)));
	return true;
}

static const struct np_rc_table *const tables[] = {
	&np_vxlan_peer_table,
	&np_wgn_peer_table,
	&np_ovl_route_table,
};

static const struct np_rc_ops ops = {
	.name = "overlay",
	.kinds = NP_OVERLAY_KINDS,
	.generation = generation,
	.family = on_family,
	.begin = begin,
	.end = end,
	.tables = tables,
	.n_tables = sizeof(tables) / sizeof(tables[0]),
};

static void on_publish(struct np_timer *t)
{
	struct np_overlay *o = container_of(t, struct np_overlay, t_publish);

	if (o->rc)
		np_rc_kick(o->rc, 0);
}

/* Registered with the runner unless flannel-backend is none. */
static int attach(struct np_overlay *o)
{
	int r;

	if (o->cfg.backend == NP_BACKEND_NONE) {
		if (o->rc)
			np_runner_remove(o->runner, o->rc);
		o->rc = NULL;
		return 0;
	}
	if (o->rc) {
		np_rc_full(o->rc);
		return 0;
	}
	o->nl_gen = np_nl_generation(o->nl);
	o->wg_gen = o->wg ? np_wg_generation(o->wg) : o->wg_gen;
	r = np_runner_add(o->runner, &ops, o, &o->rc);
	if (r)
		np_log_error("overlay: cannot join the runner: %s",
			     strerror(-r));
	return r;
}

int np_overlay_new(const struct np_overlay_deps *d, struct np_overlay **out)
{
	struct np_overlay *o;
	struct np_err err;
	char e[NP_ERR_MSG_LEN + 64];
	int r;

	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->lp = d->lp;
	o->cfg = *d->cfg;
	o->model = d->model;
	o->nl = d->nl;
	o->kube = d->kube;
	o->runner = d->runner;
	r = np_rtnl_open(&o->rt, &err);
	if (r) {
		np_log_error("overlay: rtnetlink: %s",
			     np_err_str(&err, e, sizeof(e)));
		free(o);
		return r;
	}
	r = np_plan_cache_new(&o->pc);
	if (r) {
		np_rtnl_close(o->rt);
		free(o);
		return r;
	}
	o->t_publish.fire = on_publish;
	o->need_cleanup = true;
	cfg_warnings(&o->cfg);
	np_log_info("overlay: backend %s, interface %s, node %s%s",
		    np_backend_name(o->cfg.backend),
		    o->cfg.iface[0] ? o->cfg.iface : "(default route)",
		    o->cfg.node_name, o->kube ? "" : ", manifests mode: nothing is published");
	r = attach(o);
	if (r) {
		np_plan_cache_free(o->pc);
		np_rtnl_close(o->rt);
		free(o);
		return r;
	}
	*out = o;
	return 0;
}

void np_overlay_free(struct np_overlay *o)
{
	if (!o)
		return;
	if (o->rc)
		np_runner_remove(o->runner, o->rc);
	np_timer_cancel(o->lp, &o->t_publish);
	pass_free(o);
	free(o->nodes);
	skips_free(o);
	np_plan_cache_free(o->pc);
	if (o->wg)
		np_wg_close(o->wg);
	np_rtnl_close(o->rt);
	free(o);
}

int np_overlay_reload(struct np_overlay *o, const struct np_config *cfg)
{
	bool key_moved = strcmp(cfg->data_dir, o->cfg.data_dir) != 0;

	if (cfg->backend != o->cfg.backend)
		np_log_info("overlay: flannel-backend %s -> %s",
			    np_backend_name(o->cfg.backend),
			    np_backend_name(cfg->backend));
	o->cfg = *cfg;
	if (key_moved)
		o->wg_keyed = false;
	o->need_cleanup = true;
	o->pub_ok = false;
	o->dev_ok = false;
	o->converged_once = false;
	o->sent_valid = false;
	o->senv[0] = '\0';
	o->senv_failed = false;
	cfg_warnings(&o->cfg);
	return attach(o);	/* a full pass at once */
}
