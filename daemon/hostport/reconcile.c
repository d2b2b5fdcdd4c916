// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hostPort reconciler on the runner (servicelb/reconcile.h): this
 * node's pods' hostPorts as frontends of owner NP_LB_OWNER_HOSTPORT,
 * planned by np_hostport_plan; Warning Events for the pods that lost a
 * port claim.
 */
#include <errno.h>
#include <stdlib.h>

#include <linux/nodeplane.h>

#include "hostport/hostport.h"
#include "log.h"
#include "reconcile/lb_items.h"
#include "servicelb/rc_common.h"

struct np_hostport_rc {
	struct np_lb_rc_common c;	/* first: the table's ctx */
	bool with_servicelb;
};

static int hp_plan(void *ctx, const struct np_rc_pass *pass,
		   const void **want, size_t *n)
{
	struct np_hostport_rc *h = ctx;
	struct np_slb_report rep = { 0 };
	int ret;

	(void)pass;
	np_lb_list_free(&h->c.want);
	*want = NULL;
	*n = 0;
	if (h->c.disabled) {
		np_strset_free(&h->c.reported);
		return 0;
	}
	ret = np_hostport_plan(h->c.model, h->c.self, h->with_servicelb,
			       &h->c.want, &rep);
	if (ret)
		return ret;
	ret = np_lb_rc_report(&h->c, &rep, NP_KIND_POD);
	np_slb_report_free(&rep);
	if (ret) {
		np_lb_list_free(&h->c.want);
		return ret;
	}
	*want = h->c.want.v;
	*n = h->c.want.n;
	return 0;
}

static const struct np_rc_table hp_frontends = {
	.name = "frontend", NP_RC_LB_ITEMS,
	.plan = hp_plan, .dump = np_lb_rc_dump, .create = np_lb_rc_set,
	.replace = np_lb_rc_replace, .remove = np_lb_rc_del,
	.log = np_lb_rc_log,
};
static const struct np_rc_table *const hp_tables[] = { &hp_frontends };

static const struct np_rc_ops hp_ops = {
	.name = "hostport",
	.kinds = NP_HOSTPORT_KINDS,
	.generation = np_lb_rc_generation,
	.begin = np_lb_rc_begin,
	.tables = hp_tables,
	.n_tables = 1,
};

int np_hostport_rc_new(const struct np_lb_rc_deps *d,
		       struct np_hostport_rc **out)
{
	struct np_hostport_rc *h = calloc(1, sizeof(*h));
	int r;

	*out = NULL;
	if (!h)
		return -ENOMEM;
	h->with_servicelb = d->with_servicelb;
	r = np_lb_rc_common_init(&h->c, "hostport", NP_LB_OWNER_HOSTPORT, d);
	if (!r)
		r = np_runner_add(d->runner, &hp_ops, h, &h->c.rc);
	if (r) {
		np_hostport_rc_free(h);
		return r;
	}
	if (h->c.disabled)
		np_log_info("hostport: disabled: frontends a previous run left are removed");
	*out = h;
	return 0;
}

void np_hostport_rc_set_disabled(struct np_hostport_rc *h, bool disabled,
				 bool with_servicelb)
{
	if (h->c.disabled == disabled && h->with_servicelb == with_servicelb)
		return;
	if (h->c.disabled != disabled)
		np_log_info("hostport: %s", disabled ?
			    "disabled: removing its frontends" : "enabled");
	h->c.disabled = disabled;
	h->with_servicelb = with_servicelb;
	np_rc_full(h->c.rc);
}

void np_hostport_rc_free(struct np_hostport_rc *h)
{
	if (!h)
		return;
	np_lb_rc_common_clear(&h->c);
	free(h);
}

const struct np_rc_stats *np_hostport_rc_stats(const struct np_hostport_rc *h)
{
	return np_rc_stats(h->c.rc);
}
