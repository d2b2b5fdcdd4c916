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
	r = np_ovl_list_adopt(&np_ovl_kind_route, &fresh, &o->routes);
	if (r) {
		np_ovl_list_free(&np_ovl_kind_route, &fresh);
		return r;
	}
	np_ovl_list_free(&np_ovl_kind_route, &o->routes);
	o->routes = fresh;
	return 0;
}

void np_ovl_routes(struct np_overlay *o, const struct np_plan *p, bool full,
		   bool synced, struct np_ovl_stats *st)
{
	const struct np_plan_route *cur;
	struct np_op *ops = NULL;
	struct np_err err;
	char e[NP_ERR_MSG_LEN + 64];
	size_t n = 0, i;
	bool *ok;

	if (full && dump(o)) {
		st->failed++;
		return;
	}
	cur = o->routes.v;
	if (np_plan_diff_routes(p->routes, p->n_routes, cur, o->routes.n,
				synced, &ops, &n)) {
		st->failed++;
		return;
	}
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
		const struct np_plan_route *x;
		int r;

		if (op->kind == NP_OP_DEL) {
			x = &cur[op->cur_i];
			r = np_rtnl_route_del(o->rt, &x->r, &err);
			if (!r) {
				log_route("removed", x);
				st->removed++;
			}
		} else {
			x = &p->routes[op->want_i];
			r = np_rtnl_route_replace(o->rt, &x->r, &err);
			if (!r) {
				log_route(op->kind == NP_OP_ADD ? "added" :
					  "changed", x);
				if (op->kind == NP_OP_ADD)
					st->added++;
				else
					st->changed++;
			}
		}
		ok[i] = !r;
		if (r) {
			st->failed++;
			np_log_warning("overlay: %s%s",
				       np_err_str(&err, e, sizeof(e)),
				       x->node ? "" : " (cluster route)");
		}
	}
	if (np_ovl_list_after(&np_ovl_kind_route, &o->routes, p->routes,
			      p->n_routes, ops, n, ok))
		o->full_due = true;
	free(ok);
	free(ops);
}
