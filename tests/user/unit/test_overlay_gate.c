// SPDX-License-Identifier: GPL-2.0-only
/*
 * The overlay reconciler (overlay/overlay.c) applies nothing before the
 * kinds it reads (Nodes) are synced once: no masquerade, no device, no
 * peers, no routes, no subnet.env, not even a read of the kernel. Driven
 * through the real runner, model and event loop; the kernel side
 * (netlink, rtnetlink, the backends' tables, subnet.env) is faked here
 * and counts calls. Then, on the runner: a Node event is an incremental
 * pass (no dump, no device, no masquerade); a module reload (the
 * generation moved) a full one that makes the device and reads the
 * kernel again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "config.h"
#include "kube/kube.h"
#include "loop.h"
#include "model/model.h"
#include "overlay/backend.h"
#include "reconcile/runner.h"

/* ---- fakes of the kernel side ----------------------------------------- */

static int n_masq_get, n_masq_set, n_pubip, n_device, n_peers, n_routes,
	n_senv, n_link_del, n_dumps;
static bool peers_synced;
static struct np_model *m;

int np_nl_masq_get(struct np_nl *nl, struct np_masq *out, struct np_err *err)
{
	(void)nl; (void)err;
	memset(out, 0, sizeof(*out));
	n_masq_get++;
	return 0;
}

int np_nl_masq_set(struct np_nl *nl, const struct np_masq *masq,
		   struct np_err *err)
{
	(void)nl; (void)masq; (void)err;
	n_masq_set++;
	return 0;
}

static unsigned int nl_gen;	/* moves when the "module" reloads */

unsigned int np_nl_generation(const struct np_nl *nl)
{
	(void)nl;
	return nl_gen;
}

int np_nl_resolve(struct np_nl *nl, struct np_err *err)
{
	(void)nl; (void)err;
	return 0;
}

int np_pubip_gather(struct np_rtnl *rt, const struct np_config *cfg,
		    struct np_pubip *out, struct np_err *err)
{
	(void)rt; (void)cfg; (void)err;
	memset(out, 0, sizeof(*out));
	out->ifindex = 2;
	snprintf(out->ifname, sizeof(out->ifname), "eth0");
	out->mtu = 1500;
	np_addr_parse("192.0.2.1", &out->ip4);
	n_pubip++;
	return 0;
}

int np_rtnl_open(struct np_rtnl **out, struct np_err *err)
{
	(void)err;
	*out = (struct np_rtnl *)calloc(1, 1);
	return *out ? 0 : -ENOMEM;
}

void np_rtnl_close(struct np_rtnl *rt)
{
	free(rt);
}

int np_rtnl_link_index(struct np_rtnl *rt, const char *name,
		       uint32_t *ifindex, struct np_err *err)
{
	(void)rt; (void)name; (void)ifindex; (void)err;
	return -ENODEV;
}

int np_rtnl_link_del(struct np_rtnl *rt, const char *name, struct np_err *err)
{
	(void)rt; (void)name; (void)err;
	n_link_del++;
	return 0;
}

int np_vxlan_device(struct np_overlay *o, const struct np_node *self,
		    const struct np_plan *pre)
{
	(void)self; (void)pre;
	o->vx_ifindex = 10;
	n_device++;
	return 0;
}

/* The backends' tables: a pass over a table is one call of its plan. */

static int item_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 1);
}

static bool item_same(const void *want, const void *cur)
{
	return !memcmp(want, cur, 1);
}

static const char *item_key(const void *item, char *buf, size_t len)
{
	snprintf(buf, len, "%u", *(const unsigned char *)item);
	return buf;
}

static int peers_plan(void *ctx, const struct np_rc_pass *pass,
		      const void **want, size_t *n)
{
	(void)ctx; (void)pass;
	peers_synced = np_model_synced(m, NP_KIND_NODE);
	n_peers++;
	*want = NULL;
	*n = 0;
	return 0;
}

static int routes_plan(void *ctx, const struct np_rc_pass *pass,
		       const void **want, size_t *n)
{
	(void)ctx; (void)pass;
	n_routes++;
	*want = NULL;
	*n = 0;
	return 0;
}

static int wg_plan(void *ctx, const struct np_rc_pass *pass,
		   const void **want, size_t *n)
{
	(void)ctx; (void)pass; (void)want; (void)n;
	return NP_RC_SKIP;
}

static int item_dump(void *ctx, void **items, size_t *n, struct np_err *err)
{
	(void)ctx; (void)err;
	n_dumps++;
	*items = NULL;
	*n = 0;
	return 0;
}

static int item_op(void *ctx, const void *item, struct np_err *err)
{
	(void)ctx; (void)item;
	return np_err_set(err, EIO, "not in this test");
}

#define TABLE(nm, pl) { .name = nm, .size = 1, .cmp_key = item_cmp, \
	.same = item_same, .key_str = item_key, .plan = pl, \
	.dump = item_dump, .create = item_op, .remove = item_op }

const struct np_rc_table np_vxlan_peer_table = TABLE("peer", peers_plan);
const struct np_rc_table np_ovl_route_table = TABLE("route", routes_plan);
const struct np_rc_table np_wgn_peer_table = TABLE("wireguard peer", wg_plan);

int np_wgn_devices(struct np_overlay *o, const struct np_plan *pre)
{
	(void)o; (void)pre;
	return -EOPNOTSUPP;
}

void np_wg_close(struct np_wg *wg)
{
	(void)wg;
}

unsigned int np_wg_generation(const struct np_wg *wg)
{
	(void)wg;
	return 0;
}

int np_wg_resolve(struct np_wg *wg, struct np_err *err)
{
	(void)wg; (void)err;
	return 0;
}

int np_kube_patch_node_status(struct np_kube *k, const char *name,
			      const char *patch, np_kube_done_fn done,
			      void *ctx)
{
	(void)k; (void)name; (void)patch; (void)done; (void)ctx;
	return -ENOSYS;
}

int np_subnetenv_format(const struct np_subnetenv *in, char *buf, size_t len)
{
	(void)in;
	snprintf(buf, len, "FLANNEL_TEST=1\n");
	return 0;
}

const char *np_subnetenv_path(void)
{
	return "/nonexistent/subnet.env";
}

int np_subnetenv_write(const char *path, const char *text, char *why,
		       size_t len)
{
	(void)path; (void)text;
	snprintf(why, len, "not in this test");
	n_senv++;
	return 0;
}

/* ---- the test ----------------------------------------------------------- */

static struct np_loop *lp;

static void stop_loop(struct np_timer *t)
{
	(void)t;
	np_loop_stop(lp, 0);
}

/* Runs the loop until every timer due within 300 ms has fired (the
 * overlay's passes are due at 0 or 20 ms: they fire first). */
static int run_a_while(void)
{
	struct np_timer stop = { .fire = stop_loop };

	np_timer_arm(lp, &stop, 300);
	return np_loop_run(lp);
}

static int node(const char *name, const char *cidr, const char *ip)
{
	char buf[1024], err[256];
	cJSON *j;
	int r;

	snprintf(buf, sizeof(buf),
		 "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{"
		 "\"name\":\"%s\",\"annotations\":{"
		 "\"" NP_FLANNEL_ANN "kube-subnet-manager\":\"true\","
		 "\"" NP_FLANNEL_ANN "backend-type\":\"vxlan\","
		 "\"" NP_FLANNEL_ANN "backend-data\":"
		 "\"{\\\"VNI\\\":1,\\\"VtepMAC\\\":\\\"02:00:00:00:00:0%c\\\"}\","
		 "\"" NP_FLANNEL_ANN "public-ip\":\"%s\"}},"
		 "\"spec\":{\"podCIDR\":\"%s\"}}",
		 name, name[1], ip, cidr);
	j = cJSON_Parse(buf);
	if (!j)
		return -EINVAL;
	r = np_model_upsert(m, NP_KIND_NODE, j, err, sizeof(err));
	cJSON_Delete(j);
	return r;
}

static int total(void)
{
	return n_masq_get + n_masq_set + n_pubip + n_device + n_peers +
	       n_routes + n_senv + n_link_del + n_dumps;
}

TEST(overlay_applies_nothing_before_nodes_synced)
{
	char *argv[] = { "--flannel-backend=vxlan", "--node-name=n1",
			 "--cluster-cidr=10.42.0.0/16", "--data-dir=/nonexistent" };
	static struct np_config cfg;
	struct np_overlay_deps deps;
	struct np_runner_deps rdeps;
	struct np_runner *runner = NULL;
	struct np_overlay *o = NULL;

	np_config_init(&cfg);
	np_config_parse_args(&cfg, 4, argv);
	CHECK_INT(np_config_finish(&cfg, NULL), 0);
	CHECK_INT(np_loop_new(&lp), 0);
	m = np_model_new();
	CHECK(m);
	rdeps = (struct np_runner_deps){ .lp = lp, .model = m };
	CHECK_INT(np_runner_new(&rdeps, &runner), 0);
	deps = (struct np_overlay_deps){ .lp = lp, .cfg = &cfg, .model = m,
					 .runner = runner };
	CHECK_INT(np_overlay_new(&deps, &o), 0);

	/* The first pass (at once): nothing listed yet. */
	CHECK_INT(run_a_while(), 0);
	CHECK_INT(total(), 0);

	/* A list in progress: the Nodes are there, not yet synced. */
	np_model_sync_begin(m, NP_KIND_NODE);
	CHECK_INT(node("n1", "10.42.1.0/24", "192.0.2.1"), 0);
	CHECK_INT(node("n2", "10.42.2.0/24", "192.0.2.2"), 0);
	CHECK_INT(run_a_while(), 0);
	CHECK_INT(total(), 0);

	/* The list completes: one pass programs everything. */
	np_model_sync_end(m, NP_KIND_NODE);
	CHECK_INT(run_a_while(), 0);
	CHECK_INT(n_masq_get, 1);
	CHECK_INT(n_masq_set, 1);
	CHECK_INT(n_pubip, 1);
	CHECK_INT(n_device, 1);
	CHECK_INT(n_peers, 1);
	CHECK(peers_synced);
	CHECK_INT(n_routes, 1);
	CHECK_INT(n_dumps, 2);		/* peers and routes, once */
	CHECK_INT(n_senv, 1);

	np_overlay_free(o);
	np_runner_free(runner);
	np_model_free(m);
	np_loop_free(lp);
}

static void counts_reset(void)
{
	n_masq_get = n_masq_set = n_pubip = n_device = n_peers = n_routes =
		n_senv = n_link_del = n_dumps = 0;
}

TEST(overlay_incremental_pass_then_full_pass_after_module_reload)
{
	char *argv[] = { "--flannel-backend=vxlan", "--node-name=n1",
			 "--cluster-cidr=10.42.0.0/16", "--data-dir=/nonexistent" };
	static struct np_config cfg;
	struct np_overlay_deps deps;
	struct np_runner_deps rdeps;
	struct np_runner *runner = NULL;
	struct np_overlay *o = NULL;

	counts_reset();
	np_config_init(&cfg);
	np_config_parse_args(&cfg, 4, argv);
	CHECK_INT(np_config_finish(&cfg, NULL), 0);
	CHECK_INT(np_loop_new(&lp), 0);
	m = np_model_new();
	CHECK(m);
	rdeps = (struct np_runner_deps){ .lp = lp, .model = m };
	CHECK_INT(np_runner_new(&rdeps, &runner), 0);
	deps = (struct np_overlay_deps){ .lp = lp, .cfg = &cfg, .model = m,
					 .runner = runner };
	CHECK_INT(np_overlay_new(&deps, &o), 0);
	np_model_sync_begin(m, NP_KIND_NODE);
	CHECK_INT(node("n1", "10.42.1.0/24", "192.0.2.1"), 0);
	np_model_sync_end(m, NP_KIND_NODE);
	CHECK_INT(run_a_while(), 0);
	CHECK_INT(n_device, 1);
	CHECK_INT(n_dumps, 2);

	/* a Node event: incremental */
	counts_reset();
	CHECK_INT(node("n2", "10.42.2.0/24", "192.0.2.2"), 0);
	CHECK_INT(run_a_while(), 0);
	CHECK_INT(n_peers, 1);
	CHECK_INT(n_routes, 1);
	CHECK_INT(n_dumps + n_device + n_masq_get + n_masq_set + n_pubip, 0);

	/* the module reloaded: the next pass is full */
	counts_reset();
	nl_gen++;
	CHECK_INT(node("n3", "10.42.3.0/24", "192.0.2.3"), 0);
	CHECK_INT(run_a_while(), 0);
	CHECK_INT(n_masq_get, 1);
	CHECK_INT(n_pubip, 1);
	CHECK_INT(n_device, 1);
	CHECK_INT(n_dumps, 2);
	CHECK_INT(np_rc_stats(o->rc)->full_passes, 2);

	np_overlay_free(o);
	np_runner_free(runner);
	np_model_free(m);
	np_loop_free(lp);
}

int main(void)
{
	RUN(overlay_applies_nothing_before_nodes_synced);
	RUN(overlay_incremental_pass_then_full_pass_after_module_reload);
	return check_summary();
}
