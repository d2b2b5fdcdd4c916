// SPDX-License-Identifier: GPL-2.0-only
/*
 * The overlay reconciler's orchestration: model events debounced into
 * passes, one pass = public IP, own Node, devices, plan, diff against what
 * the kernel holds, apply, publish; a full pass (kernel dumps instead of
 * the remembered state, cleanup of other backends' devices, masquerade)
 * at start, every 60 s, after a failure and on reload.
 *
 * An incremental pass (a Node event) is cheap at thousands of Nodes: it
 * keeps the public IP and MTU found by the last full pass, leaves the
 * devices alone unless the own pod addresses moved, and builds the plan
 * from the cache of per-Node verdicts (only changed Nodes are decoded).
 * A full pass empties that cache and gathers and configures everything.
 */
#include <errno.h>
#include <net/if.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <linux/nodeplane.h>
#include <linux/wireguard.h>

#include "kube/kube.h"
#include "log.h"
#include "model/model.h"
#include "overlay/backend.h"

#define DEBOUNCE_MS 20
#define RESYNC_MS 60000
#define RETRY_MIN_MS 1000
#define RETRY_MAX_MS 30000
#define PATCH_RETRY_MIN_MS 1000
#define PATCH_RETRY_MAX_MS 60000
#define PATCH_SETTLE_MS 10000	/* after a patch, time for the watch */

#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))

/* ---- cur lists ------------------------------------------------------ */

const struct np_ovl_kind np_ovl_kind_peer = {
	sizeof(struct np_plan_peer), offsetof(struct np_plan_peer, node),
	np_plan_peer_cmp,
};
const struct np_ovl_kind np_ovl_kind_route = {
	sizeof(struct np_plan_route), offsetof(struct np_plan_route, node),
	np_plan_route_cmp,
};
const struct np_ovl_kind np_ovl_kind_wg = {
	sizeof(struct np_plan_wg), offsetof(struct np_plan_wg, node),
	np_plan_wg_cmp,
};

static char **name_of(const struct np_ovl_kind *k, void *item)
{
	return (char **)((char *)item + k->name_off);
}

static void *item(const struct np_ovl_kind *k, const struct np_ovl_list *l,
		  size_t i)
{
	return (char *)l->v + i * k->size;
}

void np_ovl_list_free(const struct np_ovl_kind *k, struct np_ovl_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(*name_of(k, item(k, l, i)));
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int adopt(const struct np_ovl_kind *k, struct np_ovl_list *fresh,
		 const struct np_ovl_list *old,
		 void (*keep)(void *item, const void *old))
{
	size_t i;

	qsort(fresh->v, fresh->n, k->size, k->cmp);
	for (i = 0; i < fresh->n; i++) {
		void *it = item(k, fresh, i);
		void *o = old->n ? bsearch(it, old->v, old->n, k->size, k->cmp)
				 : NULL;
		char *name = o ? *name_of(k, o) : NULL;

		*name_of(k, it) = NULL;
		if (o && keep)
			keep(it, o);
		if (name && !(*name_of(k, it) = strdup(name)))
			return -ENOMEM;
	}
	return 0;
}

int np_ovl_list_adopt(const struct np_ovl_kind *k, struct np_ovl_list *fresh,
		      const struct np_ovl_list *old)
{
	return adopt(k, fresh, old, NULL);
}

int np_ovl_list_take(const struct np_ovl_kind *k, struct np_ovl_list *cur,
		     struct np_ovl_list *fresh,
		     void (*keep)(void *item, const void *old))
{
	int r = adopt(k, fresh, cur, keep);

	if (r) {
		np_ovl_list_free(k, fresh);
		return r;
	}
	np_ovl_list_free(k, cur);
	*cur = *fresh;
	fresh->v = NULL;
	fresh->n = 0;
	return 0;
}

void np_ovl_apply(struct np_overlay *o, const struct np_ovl_apply *a,
		  struct np_op *ops, size_t n, struct np_ovl_stats *st)
{
	const struct np_ovl_kind *k = a->kind;
	struct np_ovl_list want = { (void *)a->want, a->n_want };
	struct np_err err;
	size_t i;
	bool *ok;

	if (!n)
		return;
	ok = calloc(n, sizeof(*ok));
	if (!ok) {
		free(ops);
		st->failed++;
		return;
	}
	for (i = 0; i < n; i++) {
		const struct np_op *op = &ops[i];
		const void *x;
		int r;

		memset(&err, 0, sizeof(err));
		if (op->kind == NP_OP_DEL) {
			x = item(k, a->cur, op->cur_i);
			r = a->del(o, x, &err);
			if (!r) {
				a->log("removed", x);
				st->removed++;
			}
		} else {
			x = item(k, &want, op->want_i);
			r = a->set(o, x, &err);
			if (!r) {
				bool add = op->kind == NP_OP_ADD;

				a->log(add ? "added" : "changed", x);
				if (add)
					st->added++;
				else
					st->changed++;
			}
		}
		ok[i] = !r;
		if (r) {
			st->failed++;
			a->fail(x, &err);
		}
	}
	if (np_ovl_list_after(k, a->cur, a->want, a->n_want, ops, n, ok))
		o->full_due = true;	/* out of memory: trust a dump */
	free(ok);
	free(ops);
}

int np_ovl_list_after(const struct np_ovl_kind *k, struct np_ovl_list *cur,
		      const void *want, size_t nw, const struct np_op *ops,
		      size_t nops, const bool *ok)
{
	struct np_ovl_list w = { (void *)want, nw }, out = { 0 };
	bool *want_failed, *cur_deleted;
	size_t i = 0, j = 0;
	int ret = -ENOMEM;

	want_failed = calloc(nw + 1, sizeof(bool));
	cur_deleted = calloc(cur->n + 1, sizeof(bool));
	out.v = calloc(nw + cur->n + 1, k->size);
	if (!want_failed || !cur_deleted || !out.v)
		goto fail;
	for (i = 0; i < nops; i++) {
		if (ops[i].kind == NP_OP_DEL)
			cur_deleted[ops[i].cur_i] = ok[i];
		else
			want_failed[ops[i].want_i] = !ok[i];
	}
	i = 0;
	while (i < nw || j < cur->n) {
		void *wi = i < nw ? item(k, &w, i) : NULL;
		void *ci = j < cur->n ? item(k, cur, j) : NULL;
		int r = !wi ? 1 : !ci ? -1 : k->cmp(wi, ci);
		void *take = NULL;
		bool copy_name = false;

		if (r < 0) {
			if (!want_failed[i]) {
				take = wi;
				copy_name = true;
			}
			i++;
		} else if (r == 0) {
			if (want_failed[i]) {
				take = ci;
			} else {
				take = wi;
				copy_name = true;
			}
			i++;
			j++;
		} else {
			if (!cur_deleted[j])
				take = ci;
			j++;
		}
		if (!take)
			continue;
		memcpy(item(k, &out, out.n), take, k->size);
		if (copy_name) {
			const char *nm = *name_of(k, take);

			*name_of(k, item(k, &out, out.n)) = NULL;
			if (nm && !(*name_of(k, item(k, &out, out.n)) =
					    strdup(nm)))
				goto fail_out;
		} else {
			*name_of(k, take) = NULL;	/* moved */
		}
		out.n++;
	}
	np_ovl_list_free(k, cur);
	*cur = out;
	ret = 0;
	goto done;
fail_out:
	np_ovl_list_free(k, &out);
	out.v = NULL;
fail:
	free(out.v);
done:
	free(want_failed);
	free(cur_deleted);
	return ret;
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

	if (b != NP_BACKEND_VXLAN) {
		del_dev(o, NP_VXLAN_DEV);
		np_ovl_list_free(&np_ovl_kind_peer, &o->peers);
		o->vx_ifindex = 0;
		o->vx_macs = false;
	}
	if (b != NP_BACKEND_WIREGUARD_NATIVE || !o->cfg.cluster_cidr.has4)
		del_dev(o, NP_WG_DEV4);
	if (b != NP_BACKEND_WIREGUARD_NATIVE || !o->cfg.cluster_cidr.has6)
		del_dev(o, NP_WG_DEV6);
	if (b != NP_BACKEND_WIREGUARD_NATIVE)
		np_ovl_list_free(&np_ovl_kind_wg, &o->wgs);
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

struct node_vec {
	const struct np_node **v;
	size_t n, cap;
};

static int collect(const void *obj, void *ctx)
{
	struct node_vec *nv = ctx;

	if (nv->n == nv->cap) {
		size_t cap = nv->cap ? nv->cap * 2 : 64;
		const struct np_node **v = realloc(nv->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		nv->v = v;
		nv->cap = cap;
	}
	nv->v[nv->n++] = obj;
	return 0;
}

static void schedule(struct np_overlay *o, uint64_t ms)
{
	if (!np_timer_armed(&o->t_debounce) || !ms)
		np_timer_arm(o->lp, &o->t_debounce, ms);
}

static void retry_later(struct np_overlay *o)
{
	o->retry_ms = o->retry_ms ? o->retry_ms * 2 : RETRY_MIN_MS;
	if (o->retry_ms > RETRY_MAX_MS)
		o->retry_ms = RETRY_MAX_MS;
	o->full_due = true;
	np_timer_arm(o->lp, &o->t_retry, o->retry_ms);
}

static void plan_in(struct np_overlay *o, const struct node_vec *nv,
		    struct np_plan_in *in)
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
	in->nodes = nv->v;
	in->n_nodes = nv->n;
	in->ip4 = o->pub.ip4;
	in->ip6 = o->pub.ip6;
	in->uplink_ifindex = o->pub.ifindex;
	in->vni = c->vxlan_vni;
	if (c->external_ip && c->node_external_ip.has4)
		cfg_addr(&c->node_external_ip.v4, &in->ext4);
	if (c->external_ip && c->node_external_ip.has6)
		cfg_addr(&c->node_external_ip.v6, &in->ext6);
}

static void summary(struct np_overlay *o, const struct np_plan *p,
		    const struct np_ovl_stats *st)
{
	uint64_t now = np_now_ms();
	unsigned long long ms = now - o->pass_started_ms;

	if (o->first_event_ms)
		np_log_debug("overlay: pass done %llu ms after the Node event",
			     (unsigned long long)(now - o->first_event_ms));
	o->first_event_ms = 0;

	if (st->failed) {
		np_log_warning("overlay: not converged: %u failed (%u added, %u changed, %u removed); retrying in %u ms",
			       st->failed, st->added, st->changed, st->removed,
			       o->retry_ms);
		return;
	}
	if (o->converged_once && !st->added && !st->changed && !st->removed)
		return;
	o->converged_once = true;
	np_log_info("overlay: converged: %zu peers, %zu routes, %zu wireguard peers from %zu nodes (%u added, %u changed, %u removed, %zu skipped) in %llu ms",
		    p->n_peers, p->n_routes, p->n_wg, p->n_programmed,
		    st->added, st->changed, st->removed, p->n_skips, ms);
}

/*
 * The module (or WireGuard's) was unloaded or loaded again since the
 * kernel state was last programmed: what we remember of it (devices,
 * peers, MACs) is gone with it. Forgets it; the caller runs a full pass.
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

static void pass(struct np_overlay *o)
{
	const struct np_config *c = &o->cfg;
	struct np_ovl_stats st = { 0 };
	struct node_vec nv = { 0 };
	struct np_plan pre, plan;
	struct np_plan_in in;
	const struct np_node *self;
	struct np_err err;
	bool full = o->full_due, synced;
	int r;

	if (c->backend == NP_BACKEND_NONE)
		return;
	/*
	 * Nothing is applied (masquerade, devices, peers, routes, subnet.env,
	 * annotations) before every kind the overlay reads has been listed
	 * once: a partial view must not look like the cluster. Until then
	 * the kernel keeps what it has; the first sync brings a pass.
	 */
	if (!np_model_synced(o->model, NP_KIND_NODE)) {
		log_change(o->self_why, sizeof(o->self_why),
			   "waiting for the first complete list of Nodes",
			   NP_LOG_INFO);
		return;
	}
	if (reloaded(o))
		full = true;
	o->pass_started_ms = np_now_ms();
	o->full_due = false;
	if (full && masq_sync(o))
		st.failed++;

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
			retry_later(o);
			return;
		}
		log_change(o->pub_why, sizeof(o->pub_why), "", NP_LOG_INFO);
	}

	if (np_model_foreach(o->model, NP_KIND_NODE, NULL, collect, &nv)) {
		free(nv.v);
		np_log_error("overlay: out of memory listing Nodes");
		retry_later(o);
		return;
	}
	self = np_model_node(o->model, c->node_name);
	plan_in(o, &nv, &in);
	np_plan_self(&in, self, &pre);
	if (!pre.self_ready) {
		log_change(o->self_why, sizeof(o->self_why), pre.self_why,
			   pre.self_error ? NP_LOG_ERROR : NP_LOG_INFO);
		if (pre.self_error)
			retry_later(o);
		o->full_due = o->full_due || full;
		free(nv.v);
		return;
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
			r = np_vxlan_device(o, self, &pre);
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
		free(nv.v);
		retry_later(o);
		np_log_warning("overlay: not converged: the device is not ready; retrying in %u ms",
			       o->retry_ms);
		return;
	}
	in.vxlan_ifindex = o->vx_ifindex;
	in.wg4_ifindex = o->wg4_ifindex;
	in.wg6_ifindex = o->wg6_ifindex;
	memcpy(in.mac4, o->mac4, NP_MAC_LEN);
	memcpy(in.mac6, o->mac6, NP_MAC_LEN);
	memcpy(in.wg_key, o->wg_pub, NP_WG_KEY_LEN);
	if (np_plan_cache_build(o->pc, &in, &plan)) {
		free(nv.v);
		np_log_error("overlay: out of memory planning");
		retry_later(o);
		return;
	}
	log_skips(o, &plan);
	log_change(o->self_warn, sizeof(o->self_warn), plan.self_warn,
		   NP_LOG_WARNING);
	log_change(o->refused_why, sizeof(o->refused_why), plan.refused_why,
		   NP_LOG_ERROR);

	synced = np_model_synced(o->model, NP_KIND_NODE);
	switch (c->backend) {
	case NP_BACKEND_VXLAN:
		np_vxlan_peers(o, &plan, full, synced, &st);
		break;
	case NP_BACKEND_WIREGUARD_NATIVE:
		np_wgn_peers(o, &plan, full, synced, &st);
		break;
	default:
		break;
	}
	np_ovl_routes(o, &plan, full, synced, &st);
	publish(o, &plan, self);
	subnet_env(o, self, full);

	if (st.failed)
		retry_later(o);
	else
		o->retry_ms = 0;
	summary(o, &plan, &st);
	np_plan_free(&plan);
	free(nv.v);
	/* the module went or came back during this pass: again, in full */
	if (np_nl_generation(o->nl) != o->nl_gen ||
	    (o->wg && np_wg_generation(o->wg) != o->wg_gen)) {
		o->full_due = true;
		schedule(o, 0);
	}
}

/* ---- events --------------------------------------------------------- */

static void on_debounce(struct np_timer *t)
{
	pass(container_of(t, struct np_overlay, t_debounce));
}

static void on_resync(struct np_timer *t)
{
	struct np_overlay *o = container_of(t, struct np_overlay, t_resync);

	o->full_due = true;
	np_timer_arm(o->lp, &o->t_resync, RESYNC_MS);
	pass(o);
}

static void on_retry(struct np_timer *t)
{
	struct np_overlay *o = container_of(t, struct np_overlay, t_retry);

	o->full_due = true;
	pass(o);
}

static void on_publish(struct np_timer *t)
{
	schedule(container_of(t, struct np_overlay, t_publish), 0);
}

static void on_model(void *ctx, enum np_kind kind, const void *old,
		     const void *new_obj)
{
	struct np_overlay *o = ctx;

	(void)old;
	(void)new_obj;
	/* (old and new both NULL: the kind's first list completed) */
	if (kind != NP_KIND_NODE)
		return;
	if (!o->first_event_ms)
		o->first_event_ms = np_now_ms();
	schedule(o, DEBOUNCE_MS);
}

/* nlctrl's family events: a module loaded again is programmed at once. */
static void on_family(void *ctx, const char *name, bool added, uint16_t id)
{
	struct np_overlay *o = ctx;
	char e[NP_ERR_MSG_LEN + 64];
	struct np_err err;
	bool ours = !strcmp(name, NODEPLANE_GENL_NAME);

	if (!ours && strcmp(name, WG_GENL_NAME))
		return;
	if (!added) {
		np_log_warning("overlay: generic netlink family %s unregistered (module unloaded): its devices and peers are gone until it is loaded again",
			       name);
		return;
	}
	np_log_info("overlay: generic netlink family %s registered (id %u): full pass",
		    name, id);
	np_err_clear(&err);
	if (ours && np_nl_resolve(o->nl, &err) < 0)
		np_log_warning("overlay: %s", np_err_str(&err, e, sizeof(e)));
	if (!ours && o->wg && np_wg_resolve(o->wg, &err) < 0)
		np_log_warning("overlay: %s", np_err_str(&err, e, sizeof(e)));
	o->full_due = true;
	schedule(o, DEBOUNCE_MS);
}

static void on_fw_ready(struct np_io *io, uint32_t events)
{
	struct np_overlay *o = container_of(io, struct np_overlay, fw_io);
	int r;

	(void)events;
	r = np_famwatch_read(o->fw);
	if (r == -ENOBUFS) {
		/* events lost: anything may have been reloaded */
		np_log_warning("overlay: generic netlink family events lost: full pass");
		o->full_due = true;
		schedule(o, DEBOUNCE_MS);
	} else if (r < 0) {
		np_log_warning("overlay: reading generic netlink family events: %s; module reloads are noticed at the next resync",
			       strerror(-r));
		np_loop_del(o->lp, &o->fw_io);
		np_famwatch_close(o->fw);
		o->fw = NULL;
	}
}

static void famwatch_start(struct np_overlay *o)
{
	char e[NP_ERR_MSG_LEN + 64];
	struct np_err err;

	if (np_famwatch_open(&o->fw, on_family, o, &err) < 0) {
		np_log_warning("overlay: generic netlink family events: %s; module reloads are noticed at the next resync",
			       np_err_str(&err, e, sizeof(e)));
		return;
	}
	o->fw_io.fd = np_famwatch_fd(o->fw);
	o->fw_io.ready = on_fw_ready;
	if (np_loop_add(o->lp, &o->fw_io, EPOLLIN) < 0) {
		np_log_warning("overlay: generic netlink family events: %s",
			       strerror(errno));
		np_famwatch_close(o->fw);
		o->fw = NULL;
	}
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
	r = np_rtnl_open(&o->rt, &err);
	if (r) {
		np_log_error("overlay: rtnetlink: %s",
			     np_err_str(&err, e, sizeof(e)));
		free(o);
		return r;
	}
	r = np_plan_cache_new(&o->pc);
	if (!r)
		r = np_model_subscribe(o->model, 1U << NP_KIND_NODE, on_model,
				       o);
	if (r) {
		np_plan_cache_free(o->pc);
		np_rtnl_close(o->rt);
		free(o);
		return r;
	}
	o->t_debounce.fire = on_debounce;
	o->t_resync.fire = on_resync;
	o->t_retry.fire = on_retry;
	o->t_publish.fire = on_publish;
	o->full_due = true;
	o->need_cleanup = true;
	o->nl_gen = np_nl_generation(o->nl);
	famwatch_start(o);
	cfg_warnings(&o->cfg);
	np_log_info("overlay: backend %s, interface %s, node %s%s",
		    np_backend_name(o->cfg.backend),
		    o->cfg.iface[0] ? o->cfg.iface : "(default route)",
		    o->cfg.node_name, o->kube ? "" : ", manifests mode: nothing is published");
	schedule(o, 0);
	np_timer_arm(o->lp, &o->t_resync, RESYNC_MS);
	*out = o;
	return 0;
}

void np_overlay_free(struct np_overlay *o)
{
	if (!o)
		return;
	np_timer_cancel(o->lp, &o->t_debounce);
	np_timer_cancel(o->lp, &o->t_resync);
	np_timer_cancel(o->lp, &o->t_retry);
	np_timer_cancel(o->lp, &o->t_publish);
	np_model_unsubscribe(o->model, on_model, o);
	if (o->fw) {
		np_loop_del(o->lp, &o->fw_io);
		np_famwatch_close(o->fw);
	}
	np_ovl_list_free(&np_ovl_kind_peer, &o->peers);
	np_ovl_list_free(&np_ovl_kind_route, &o->routes);
	np_ovl_list_free(&np_ovl_kind_wg, &o->wgs);
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
	o->full_due = true;
	o->need_cleanup = true;
	o->pub_ok = false;
	o->dev_ok = false;
	o->converged_once = false;
	o->sent_valid = false;
	o->senv[0] = '\0';
	o->senv_failed = false;
	cfg_warnings(&o->cfg);
	schedule(o, 0);
	return 0;
}
