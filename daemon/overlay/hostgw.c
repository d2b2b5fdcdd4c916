// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host-gw backend, and the routes of every backend: our routes carry
 * protocol NP_RTPROT in the main table, so a dump finds exactly ours. They
 * are host-gw's "podCIDR via public-ip dev <iface>" (no onlink: the peer
 * must be on the link, as flannel requires) and the cluster routes
 * "cluster-cidr dev np-vxlan" / "dev np-wg(-v6)". Replaced in place
 * (NLM_F_REPLACE), so a changed gateway never leaves a gap.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "overlay/backend.h"

static void log_route(const char *what, const struct np_plan_route *r)
{
	char cs[NP_CIDR_STRLEN], gs[NP_ADDR_STRLEN], dev[NP_IFNAME_LEN];

	np_cidr_str(&r->r.dst, cs, sizeof(cs));
	np_ovl_ifname(r->r.ifindex, dev);
	if (r->r.gw.family)
		np_log_info("overlay: route %s: %s via %s dev %s%s%s", what,
			    cs, np_addr_str(&r->r.gw, gs, sizeof(gs)), dev,
			    r->node ? " node " : "", r->node ? r->node : "");
	else
		np_log_info("overlay: route %s: %s dev %s%s%s", what, cs, dev,
			    r->node ? " node " : "", r->node ? r->node : "");
}

static int dump(struct np_overlay *o)
{
	struct np_ovl_list fresh = { 0 };
	struct np_plan_route *v;
	struct np_route *rs = NULL;
	struct np_err err;
	char e[NP_ERR_MSG_LEN + 64];
	size_t n = 0, i;
	int r;

	r = np_rtnl_route_list(o->rt, AF_UNSPEC, &rs, &n, &err);
	if (r) {
		np_log_error("overlay: cannot list our routes: %s",
			     np_err_str(&err, e, sizeof(e)));
		return r;
	}
	v = calloc(n + 1, sizeof(*v));
	if (!v) {
		free(rs);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		v[i].r = rs[i];
	free(rs);
	fresh.v = v;
	fresh.n = n;
	return np_ovl_list_take(&np_ovl_kind_route, &o->routes, &fresh, NULL);
}

static void log_route_v(const char *what, const void *item)
{
	log_route(what, item);
}

static int del_route(struct np_overlay *o, const void *item,
		     struct np_err *err)
{
	const struct np_plan_route *x = item;

	return np_rtnl_route_del(o->rt, &x->r, err);
}

static int set_route(struct np_overlay *o, const void *item,
		     struct np_err *err)
{
	const struct np_plan_route *x = item;

	return np_rtnl_route_replace(o->rt, &x->r, err);
}

static void fail_route(const void *item, const struct np_err *err)
{
	const struct np_plan_route *x = item;
	char e[NP_ERR_MSG_LEN + 64];

	np_log_warning("overlay: %s%s", np_err_str(err, e, sizeof(e)),
		       x->node ? "" : " (cluster route)");
}

void np_ovl_routes(struct np_overlay *o, const struct np_plan *p, bool full,
		   bool synced, struct np_ovl_stats *st)
{
	const struct np_ovl_apply a = {
		.kind = &np_ovl_kind_route, .cur = &o->routes,
		.want = p->routes, .n_want = p->n_routes,
		.del = del_route, .set = set_route,
		.log = log_route_v, .fail = fail_route,
	};
	struct np_op *ops = NULL;
	size_t n = 0;

	if (full && dump(o)) {
		st->failed++;
		return;
	}
	if (np_plan_diff_routes(p->routes, p->n_routes, o->routes.v,
				o->routes.n, synced, &ops, &n)) {
		st->failed++;
		return;
	}
	np_ovl_apply(o, &a, ops, n, st);
}
