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
#include <stdio.h>
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

/* ---- the runner's table of our routes ------------------------------ */

static int route_cmp(const void *a, const void *b)
{
	return np_plan_route_cmp(a, b);
}

static bool route_same(const void *want, const void *cur)
{
	return np_plan_route_eq(want, cur);
}

static const char *route_key(const void *item, char *buf, size_t len)
{
	const struct np_plan_route *x = item;
	char cs[NP_CIDR_STRLEN];

	np_cidr_str(&x->r.dst, cs, sizeof(cs));
	if (x->node)
		snprintf(buf, len, "%s of node %s", cs, x->node);
	else
		snprintf(buf, len, "%s", cs);
	return buf;
}

static int route_copy(void *dst, const void *src)
{
	struct np_plan_route *d = dst;

	*d = *(const struct np_plan_route *)src;
	return np_ovl_item_name_copy(((const struct np_plan_route *)src)->node,
				     &d->node);
}

static void route_clear(void *item)
{
	np_ovl_item_name_free(&((struct np_plan_route *)item)->node);
}

static int route_adopt(void *ctx, void *fresh, const void *old)
{
	(void)ctx;
	return np_ovl_item_name_copy(((const struct np_plan_route *)old)->node,
				     &((struct np_plan_route *)fresh)->node);
}

static int route_plan(void *ctx, const struct np_rc_pass *pass,
		      const void **want, size_t *n)
{
	struct np_overlay *o = ctx;

	(void)pass;
	*want = o->plan.routes;
	*n = o->plan.n_routes;
	return 0;
}

static int route_dump(void *ctx, void **items, size_t *n, struct np_err *err)
{
	struct np_overlay *o = ctx;
	struct np_plan_route *v;
	struct np_route *rs = NULL;
	size_t k = 0, i;
	int r;

	r = np_rtnl_route_list(o->rt, AF_UNSPEC, &rs, &k, err);
	if (r)
		return r;
	v = calloc(k + 1, sizeof(*v));
	if (!v) {
		free(rs);
		return np_err_set(err, ENOMEM, "out of memory");
	}
	for (i = 0; i < k; i++)
		v[i].r = rs[i];
	free(rs);
	*items = v;
	*n = k;
	return 0;
}

static void route_log(void *ctx, const char *what, const void *item)
{
	(void)ctx;
	log_route(what, item);
}

static int route_del(void *ctx, const void *item, struct np_err *err)
{
	struct np_overlay *o = ctx;
	const struct np_plan_route *x = item;

	return np_rtnl_route_del(o->rt, &x->r, err);
}

/* NLM_F_REPLACE: a new route, or one changed in place. */
static int route_set(void *ctx, const void *item, struct np_err *err)
{
	struct np_overlay *o = ctx;
	const struct np_plan_route *x = item;

	return np_rtnl_route_replace(o->rt, &x->r, err);
}

static int route_replace(void *ctx, const void *cur, const void *want,
			 struct np_err *err)
{
	(void)cur;
	return route_set(ctx, want, err);
}

const struct np_rc_table np_ovl_route_table = {
	.name = "route",
	.size = sizeof(struct np_plan_route),
	.cmp_key = route_cmp,
	.same = route_same,
	.key_str = route_key,
	.copy = route_copy,
	.clear = route_clear,
	.plan = route_plan,
	.dump = route_dump,
	.adopt = route_adopt,
	.create = route_set,
	.replace = route_replace,
	.remove = route_del,
	.log = route_log,
};
