// SPDX-License-Identifier: GPL-2.0-only
/*
 * The servicelb and hostport reconcilers (servicelb/reconcile.h) on the
 * real runner, model and loop, against a fake kernel LB table holding
 * both owners' frontends and a fake API (Events and status writes
 * recorded): what each programs, that neither touches the other's
 * frontends, that `disable` removes what a previous run left, that a port
 * conflict gives exactly one Warning Event per loser (from the reconciler
 * of the loser's kind), that the status is written only by the writer
 * (the elected leader) and only when it changes, the load-balancer-
 * cleanup finalizer (added before the status, removed once the frontends
 * are gone), and route_localnet.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <netinet/in.h>

#include "check.h"
#include "log.h"
#include "loop.h"
#include "reconcile/runner.h"
#include "servicelb/reconcile.h"
#include "slb_fix.h"

#define T1 "2024-01-01T00:00:01Z"
#define T2 "2024-01-01T00:00:02Z"
#define HTTP "{'name':'http','port':80,'protocol':'TCP','targetPort':8080}"

/* ------------------------------------------------------- fake kernel */

static struct np_lb_list kern;
static int n_set, n_del, n_dump;
static bool kern_off;		/* the module has both owners disabled */
static bool del_fails;		/* every DEL fails (EIO) */

static struct np_lb_frontend *kfind(const struct np_lb_frontend *key)
{
	size_t i;

	for (i = 0; i < kern.n; i++)
		if (!np_lb_frontend_cmp_key(&kern.v[i], key))
			return &kern.v[i];
	return NULL;
}

static int k_set(void *ctx, const struct np_lb_frontend *fe,
		 struct np_err *err)
{
	struct np_lb_frontend *x = kfind(fe), copy, *v;

	(void)ctx;
	if (np_lb_frontend_copy(&copy, fe))
		return np_err_set(err, ENOMEM, "out of memory");
	n_set++;
	if (x) {
		np_lb_frontend_clear(x);
		*x = copy;
		return 0;
	}
	v = realloc(kern.v, (kern.n + 1) * sizeof(*v));
	if (!v) {
		np_lb_frontend_clear(&copy);
		return np_err_set(err, ENOMEM, "out of memory");
	}
	kern.v = v;
	kern.v[kern.n++] = copy;
	return 0;
}

static int k_del(void *ctx, const struct np_lb_frontend *fe,
		 struct np_err *err)
{
	struct np_lb_frontend *x = kfind(fe);

	(void)ctx;
	if (del_fails)
		return np_err_set(err, EIO, "the fake kernel fails DEL");
	if (!x)
		return np_err_set(err, ENOENT, "no such frontend");
	n_del++;
	np_lb_frontend_clear(x);
	*x = kern.v[--kern.n];
	return 0;
}

static int k_dump(void *ctx, struct np_lb_list *out, struct np_err *err)
{
	size_t i;

	(void)ctx;
	n_dump++;
	if (kern_off)
		return np_err_set(err, EOPNOTSUPP, "servicelb and hostport disabled by the disable= module parameter");
	out->v = calloc(kern.n + 1, sizeof(*out->v));
	out->n = 0;
	if (!out->v)
		return np_err_set(err, ENOMEM, "out of memory");
	for (i = 0; i < kern.n; i++)
		if (!np_lb_frontend_copy(&out->v[out->n], &kern.v[i]))
			out->n++;
	qsort(out->v, out->n, sizeof(*out->v), np_lb_frontend_qcmp);
	return 0;
}

/* The kernel's frontends, sorted, as text. */
static const char *kern_str(void)
{
	qsort(kern.v, kern.n, sizeof(*kern.v), np_lb_frontend_qcmp);
	return list_str(&kern);
}

/* ---------------------------------------------------------- fake API */

static char events[8192];
static int n_events;
static char writes[4096];
static int n_writes;
static bool writer;

static void s_event(void *ctx, enum np_kind kind, const struct np_meta *obj,
		    bool warning, const char *reason, const char *action,
		    const char *note)
{
	size_t o = strlen(events);

	(void)ctx;
	(void)action;
	n_events++;
	snprintf(events + o, sizeof(events) - o, "%s %s/%s %s %s: %s\n",
		 np_kind_name(kind), obj->ns, obj->name,
		 warning ? "Warning" : "Normal", reason, note);
}

static bool s_writer(void *ctx)
{
	(void)ctx;
	return writer;
}

static int s_status(void *ctx, const struct np_service *s,
		    const struct np_slb_status *st)
{
	size_t o = strlen(writes), i;

	(void)ctx;
	n_writes++;
	o += (size_t)snprintf(writes + o, sizeof(writes) - o, "%s/%s [",
			      s->meta.ns, s->meta.name);
	for (i = 0; i < st->n && o < sizeof(writes); i++)
		o += (size_t)snprintf(writes + o, sizeof(writes) - o, "%s%s",
				      i ? " " : "", st->ips[i]);
	snprintf(writes + o, sizeof(writes) - o, "]\n");
	return 0;
}

static char fins[4096];
static int n_fins;

static int s_finalizer(void *ctx, const struct np_service *s, bool add)
{
	size_t o = strlen(fins);

	(void)ctx;
	n_fins++;
	snprintf(fins + o, sizeof(fins) - o, "%c%s/%s %s\n", add ? '+' : '-',
		 s->meta.ns, s->meta.name, s->meta.uid);
	return 0;
}

/* ---------------------------------------------------------- harness */

static struct np_loop *lp;
static struct np_runner *runner;
static struct np_slb_rc *slbrc;
static struct np_hostport_rc *hprc;

static const struct np_runner_timing quick = {
	.debounce_ms = 2, .resync_ms = 3600000, .retry_min_ms = 20,
	.retry_max_ms = 80,
};

static void stop(struct np_timer *t)
{
	(void)t;
	np_loop_stop(lp, 0);
}

/* Every pass due within 60 ms runs. */
static void settle(void)
{
	struct np_timer t = { .fire = stop };

	np_timer_arm(lp, &t, 60);
	np_loop_run(lp);
}

static void synced(void)
{
	enum np_kind k;

	for (k = 0; k < NP_KIND_COUNT; k++) {
		np_model_sync_begin(m, k);
		np_model_sync_end(m, k);
	}
}

/* A fresh world: model, loop, runner, empty kernel and API. */
static void world(void)
{
	struct np_runner_deps d;

	fresh();
	np_loop_new(&lp);
	d = (struct np_runner_deps){ .lp = lp, .model = m, .timing = &quick };
	np_runner_new(&d, &runner);
	np_lb_list_free(&kern);
	n_set = n_del = n_dump = n_events = n_writes = n_fins = 0;
	events[0] = writes[0] = fins[0] = '\0';
	writer = false;
	kern_off = del_fails = false;
	synced();		/* a relist would drop what is not listed */
}

static void world_end(void)
{
	np_slb_rc_free(slbrc);
	np_hostport_rc_free(hprc);
	slbrc = NULL;
	hprc = NULL;
	np_runner_free(runner);
	np_loop_free(lp);
	np_lb_list_free(&kern);
	np_model_free(m);
	m = NULL;
}

static struct np_lb_rc_deps deps(bool disabled, bool api)
{
	struct np_lb_rc_deps d = {
		.runner = runner, .model = m, .self = "a",
		.kernel = { .dump = k_dump, .set = k_set, .del = k_del },
		.disabled = disabled, .with_servicelb = true,
		.route_localnet = "",
	};

	if (api)
		d.sink = (struct np_lb_sink){ .event = s_event,
					      .status_writer = s_writer,
					      .status = s_status };
	return d;
}

/* Node a serving default/web (tcp/80 -> 10.42.1.5:8080 on a). */
static const char *web(void)
{
	const char *e;

	if (*(e = node("a", "10.0.0.1", "", "")) ||
	    *(e = lbsvc("web", T1, "", HTTP, "")))
		return e;
	return slice("web-1", "web", "IPv4",
		     "{'name':'http','port':8080,'protocol':'TCP'}",
		     EP("10.42.1.5", "a", true, true, false));
}

/* A leftover frontend of owner in the kernel (a previous run's). */
static void leftover(uint8_t owner, uint16_t port)
{
	struct np_lb_backend b = { .port = 9 };
	struct np_lb_frontend f = { .family = AF_INET, .proto = IPPROTO_TCP,
				    .port = port, .owner = owner,
				    .backends = &b, .n_backends = 1 };
	struct np_err err;

	np_addr_parse("10.42.9.9", &b.addr);
	b.flags = NP_LBB_F_READY;
	k_set(NULL, &f, &err);
}

/* ------------------------------------------------------------- tests */

TEST(glue_programs_servicelb_and_hostport_each_its_own)
{
	struct np_lb_rc_deps d;

	world();
	CHECK_STR(web(), "");
	CHECK_STR(pod("hp", T2, "a", "Running", "{'ip':'10.42.1.7'}",
		      "{'containerPort':8000,'hostPort':8080}", ""), "");
	d = deps(false, false);
	CHECK_INT(np_slb_rc_new(&d, &slbrc), 0);
	CHECK_INT(np_hostport_rc_new(&d, &hprc), 0);
	settle();
	CHECK_STR(kern_str(),
		  "tcp/80 slb HMO a0 b[10.42.1.5:8080/lr] r[]\n"
		  "tcp/8080 hp HO a0 b[10.42.1.7:8000/lr] r[]");
	/* the endpoint leaves the slice: the frontend stays, empty
	 * (refuses), the hostPort is untouched */
	CHECK_STR(slice("web-1", "web", "IPv4",
			"{'name':'http','port':8080,'protocol':'TCP'}", ""), "");
	settle();
	CHECK_STR(kern_str(),
		  "tcp/80 slb HMO a0 b[] r[]\n"
		  "tcp/8080 hp HO a0 b[10.42.1.7:8000/lr] r[]");
	/* the Service deleted: its frontend goes, the hostPort stays */
	CHECK_INT(np_model_delete(m, NP_KIND_SERVICE, "default", "web"), 0);
	settle();
	CHECK_STR(kern_str(), "tcp/8080 hp HO a0 b[10.42.1.7:8000/lr] r[]");
	/* the pod gone: nothing left */
	CHECK_INT(np_model_delete(m, NP_KIND_POD, "default", "hp"), 0);
	settle();
	CHECK_STR(kern_str(), "");
	/* manifests mode: no Event, no status write */
	CHECK_INT(n_events, 0);
	CHECK_INT(n_writes, 0);
	world_end();
}

TEST(glue_disabled_removes_leftovers_and_programs_nothing)
{
	struct np_lb_rc_deps d;

	world();
	CHECK_STR(web(), "");
	leftover(NP_LB_OWNER_SERVICELB, 443);
	leftover(NP_LB_OWNER_HOSTPORT, 8443);
	d = deps(true, false);
	CHECK_INT(np_slb_rc_new(&d, &slbrc), 0);
	settle();
	/* ServiceLB's leftover gone, web not served, hostport's untouched */
	CHECK_STR(kern_str(), "tcp/8443 hp  a0 b[10.42.9.9:9/r] r[]");
	CHECK_INT(n_set, 2);	/* the two leftovers only */
	/* enabled again (SIGHUP): web is served */
	np_slb_rc_set_disabled(slbrc, false);
	settle();
	CHECK_STR(kern_str(),
		  "tcp/80 slb HMO a0 b[10.42.1.5:8080/lr] r[]\n"
		  "tcp/8443 hp  a0 b[10.42.9.9:9/r] r[]");
	/* and disabled again: removed */
	np_slb_rc_set_disabled(slbrc, true);
	settle();
	CHECK_STR(kern_str(), "tcp/8443 hp  a0 b[10.42.9.9:9/r] r[]");
	/* hostport disabled: its leftover goes too */
	CHECK_INT(np_hostport_rc_new(&d, &hprc), 0);
	settle();
	CHECK_STR(kern_str(), "");
	world_end();
}

TEST(glue_conflict_one_event_per_loser)
{
	struct np_lb_rc_deps d;

	world();
	CHECK_STR(web(), "");
	/* younger Service on the same port, younger pod with hostPort 80 */
	CHECK_STR(lbsvc("late", T2, "", HTTP, ""), "");
	CHECK_STR(pod("hp", T2, "a", "Running", "{'ip':'10.42.1.7'}",
		      "{'containerPort':8000,'hostPort':80}", ""), "");
	d = deps(false, true);
	CHECK_INT(np_slb_rc_new(&d, &slbrc), 0);
	CHECK_INT(np_hostport_rc_new(&d, &hprc), 0);
	np_lb_rc_pair(slbrc, hprc);
	settle();
	CHECK_STR(kern_str(), "tcp/80 slb HMO a0 b[10.42.1.5:8080/lr] r[]");
	CHECK_STR(events,
		  "Service default/late Warning PortConflict: tcp/80 on node a is held by Service default/web (older)\n"
		  "Pod default/hp Warning PortConflict: tcp/80 on node a is held by Service default/web (older)\n");
	CHECK_INT(n_events, 2);
	/* more passes, full and incremental: no more Events */
	np_slb_rc_status_kick(slbrc);
	CHECK_STR(node("a", "10.0.0.1", "'x':'y'", ""), "");
	settle();
	np_hostport_rc_set_disabled(hprc, false, false);
	np_hostport_rc_set_disabled(hprc, false, true);
	settle();
	CHECK_INT(n_events, 2);
	/* web deleted: late (T2) and hp (T2) are as old; "hp" < "late"
	 * (namespace/name order), so the pod takes the port and late gets
	 * an Event naming it */
	CHECK_INT(np_model_delete(m, NP_KIND_SERVICE, "default", "web"), 0);
	settle();
	CHECK_STR(kern_str(), "tcp/80 hp HO a0 b[10.42.1.7:8000/lr] r[]");
	CHECK_INT(n_events, 3);
	CHECK(strstr(events, "Service default/late Warning PortConflict: tcp/80 on node a is held by Pod default/hp"));
	/* web back: the port moves back to ServiceLB (its SET replaces the
	 * pod's frontend, hostport's DEL of the key must not remove it), a
	 * new conflict for hp and late, reported once more each */
	CHECK_STR(web(), "");
	settle();
	CHECK_STR(kern_str(), "tcp/80 slb HMO a0 b[10.42.1.5:8080/lr] r[]");
	CHECK_INT(n_events, 5);
	world_end();
}

TEST(glue_status_written_by_the_writer_once_per_change)
{
	struct np_lb_rc_deps d;

	world();
	CHECK_STR(web(), "");
	d = deps(false, true);
	CHECK_INT(np_slb_rc_new(&d, &slbrc), 0);
	settle();
	/* not the leader: served, nothing written */
	CHECK_STR(kern_str(), "tcp/80 slb HMO a0 b[10.42.1.5:8080/lr] r[]");
	CHECK_INT(n_writes, 0);
	CHECK_INT(n_events, 0);
	/* elected */
	writer = true;
	np_slb_rc_status_kick(slbrc);
	settle();
	CHECK_STR(writes, "default/web [10.0.0.1]\n");
	CHECK_STR(events, "Service default/web Normal UpdatedLoadBalancer: Updated LoadBalancer with new IPs: [] -> [10.0.0.1]\n");
	/* passes before the write comes back: not written again */
	np_slb_rc_status_kick(slbrc);
	settle();
	CHECK_INT(n_writes, 1);
	/* the write seen back in the model: nothing to do */
	CHECK_STR(up(NP_KIND_SERVICE,
		     "{'metadata':{'name':'web','namespace':'default',"
		     "'uid':'uid-web','creationTimestamp':'" T1 "'},"
		     "'spec':{'type':'LoadBalancer','clusterIPs':['10.43.0.10'],"
		     "'ipFamilies':['IPv4'],'ports':[" HTTP "]},'status':"
		     "{'loadBalancer':{'ingress':[{'ip':'10.0.0.1',"
		     "'ipMode':'VIP'}]}}}"), "");
	settle();
	CHECK_INT(n_writes, 1);
	CHECK_INT(n_events, 1);
	/* the node's address changes: written again, with its Event */
	CHECK_STR(node("a", "10.0.0.2", "", ""), "");
	settle();
	CHECK_INT(n_writes, 2);
	CHECK_STR(writes, "default/web [10.0.0.1]\ndefault/web [10.0.0.2]\n");
	CHECK(strstr(events, "Normal UpdatedLoadBalancer: Updated LoadBalancer with new IPs: [10.0.0.1] -> [10.0.0.2]\n"));
	/* the node not Ready: no node serves it, empty status, Warning */
	CHECK_STR(up(NP_KIND_NODE,
		     "{'kind':'Node','apiVersion':'v1','metadata':{'name':'a',"
		     "'creationTimestamp':'2024-01-01T00:00:00Z'},'spec':{},"
		     "'status':{'conditions':[{'type':'Ready','status':'False'}],"
		     "'addresses':[{'type':'InternalIP','address':'10.0.0.2'}]}}"),
		  "");
	settle();
	CHECK_INT(n_writes, 3);
	CHECK(strstr(writes, "default/web []\n"));
	CHECK(strstr(events, "Service default/web Warning UnAvailableLoadBalancer: There are no available nodes for LoadBalancer\n"));
	CHECK_INT(n_events, 3);
	/* deposed: nothing written whatever changes */
	writer = false;
	CHECK_STR(node("a", "10.0.0.3", "", ""), "");
	settle();
	CHECK_INT(n_writes, 3);
	world_end();
}

/* default/<name> (uid-<name>), tcp/<port>: metadata members meta, spec
 * type type (with its members extra), status ingress ip ("" none). */
static const char *svc_meta(const char *name, int port, const char *meta,
			    const char *type, const char *ip)
{
	return up(NP_KIND_SERVICE,
		  "{'metadata':{'name':'%s','namespace':'default',"
		  "'uid':'uid-%s','creationTimestamp':'" T1 "'%s%s},"
		  "'spec':{%s,'clusterIPs':['10.43.0.10'],"
		  "'ipFamilies':['IPv4'],'ports':[{'name':'http','port':%d,"
		  "'protocol':'TCP','targetPort':8080}]},'status':"
		  "{'loadBalancer':{%s%s%s}}}",
		  name, name, *meta ? "," : "", meta, type, port,
		  *ip ? "'ingress':[{'ip':'" : "", ip, *ip ? "'}]" : "");
}

#define FIN "'finalizers':['" NP_LB_FINALIZER "']"
#define DELTS "'deletionTimestamp':'2024-01-02T00:00:00Z'"
#define LB "'type':'LoadBalancer'"

TEST(glue_finalizer_added_first_removed_after_cleanup)
{
	struct np_lb_rc_deps d;

	world();
	CHECK_STR(web(), "");
	d = deps(false, true);
	d.sink.finalizer = s_finalizer;
	CHECK_INT(np_slb_rc_new(&d, &slbrc), 0);
	settle();
	/* not the leader: served, nothing written */
	CHECK_STR(kern_str(), "tcp/80 slb HMO a0 b[10.42.1.5:8080/lr] r[]");
	CHECK_INT(n_fins, 0);
	/* elected: the finalizer first, the status held until it is seen */
	writer = true;
	np_slb_rc_status_kick(slbrc);
	settle();
	CHECK_STR(fins, "+default/web uid-web\n");
	CHECK_INT(n_writes, 0);
	np_slb_rc_status_kick(slbrc);
	settle();
	CHECK_INT(n_fins, 1);		/* once, until seen back */
	CHECK_STR(svc_meta("web", 80, FIN, LB, ""), "");
	settle();
	CHECK_STR(writes, "default/web [10.0.0.1]\n");
	CHECK_INT(n_fins, 1);
	CHECK_STR(svc_meta("web", 80, FIN, LB, "10.0.0.1"), "");
	settle();
	CHECK_INT(n_writes, 1);
	/* kubectl delete: the frontend goes, then the finalizer, with the
	 * Event; no status write for a Service on its way out */
	n_events = 0;
	events[0] = '\0';
	CHECK_STR(svc_meta("web", 80, FIN "," DELTS, LB, "10.0.0.1"), "");
	settle();
	CHECK_STR(kern_str(), "");
	CHECK_STR(fins, "+default/web uid-web\n-default/web uid-web\n");
	CHECK_STR(events, "Service default/web Normal DeletedLoadBalancer: Deleted load balancer\n");
	CHECK_INT(n_writes, 1);
	np_slb_rc_status_kick(slbrc);
	settle();
	CHECK_INT(n_fins, 2);		/* once */
	CHECK_INT(n_events, 1);
	/* the API server deletes it once the last finalizer is gone */
	CHECK_INT(np_model_delete(m, NP_KIND_SERVICE, "default", "web"), 0);
	settle();
	CHECK_INT(n_fins, 2);

	/* type LoadBalancer -> ClusterIP: served no more, the status
	 * cleared, the finalizer removed */
	CHECK_STR(svc_meta("api", 81, FIN, LB, "10.0.0.1"), "");
	settle();
	CHECK_STR(kern_str(), "tcp/81 slb HMO a0 b[] r[]");
	CHECK_INT(n_fins, 2);
	CHECK_STR(svc_meta("api", 81, FIN, "'type':'ClusterIP'", "10.0.0.1"),
		  "");
	settle();
	CHECK_STR(kern_str(), "");
	CHECK_STR(writes, "default/web [10.0.0.1]\ndefault/api []\n");
	CHECK(strstr(fins, "-default/api uid-api\n"));
	CHECK_INT(n_fins, 3);
	/* a loadBalancerClass: another controller's; ours removed, its
	 * status (the other controller's) left alone */
	CHECK_STR(svc_meta("cls", 82, FIN, LB ",'loadBalancerClass':'x.io/lb'",
			   "10.9.9.9"), "");
	settle();
	CHECK(strstr(fins, "-default/cls uid-cls\n"));
	CHECK_INT(n_fins, 4);
	CHECK_INT(n_writes, 2);
	/* someone else's LoadBalancer without our finalizer: untouched */
	CHECK_STR(svc_meta("cls", 82, "", LB ",'loadBalancerClass':'x.io/lb'",
			   "10.9.9.9"), "");
	settle();
	CHECK_INT(n_fins, 4);
	CHECK_INT(n_writes, 2);
	world_end();
}

/* The frontend could not be removed: the finalizer stays until it is. */
TEST(glue_finalizer_kept_while_frontends_remain)
{
	struct np_lb_rc_deps d;

	world();
	CHECK_STR(web(), "");
	CHECK_STR(svc_meta("web", 80, FIN, LB, "10.0.0.1"), "");
	d = deps(false, true);
	d.sink.finalizer = s_finalizer;
	writer = true;
	CHECK_INT(np_slb_rc_new(&d, &slbrc), 0);
	settle();
	CHECK_STR(kern_str(), "tcp/80 slb HMO a0 b[10.42.1.5:8080/lr] r[]");
	CHECK_INT(n_fins, 0);
	CHECK_INT(n_writes, 0);
	del_fails = true;
	CHECK_STR(svc_meta("web", 80, FIN "," DELTS, LB, "10.0.0.1"), "");
	settle();
	settle();
	CHECK_STR(kern_str(), "tcp/80 slb HMO a0 b[10.42.1.5:8080/lr] r[]");
	CHECK_INT(n_fins, 0);
	CHECK(np_slb_rc_stats(slbrc)->failures > 0);
	/* the kernel takes the DEL on the retry: then the finalizer goes */
	del_fails = false;
	settle();
	settle();
	CHECK_STR(kern_str(), "");
	CHECK_STR(fins, "-default/web uid-web\n");
	world_end();
}

TEST(glue_route_localnet_set_when_zero)
{
	struct np_lb_rc_deps d;
	char path[] = "/tmp/np-localnet-XXXXXX", buf[8] = "";
	int fd;
	FILE *f;

	world();
	fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK_INT((int)write(fd, "0\n", 2), 2);
	close(fd);
	d = deps(true, false);
	d.route_localnet = path;
	CHECK_INT(np_slb_rc_new(&d, &slbrc), 0);
	settle();
	/* disabled: untouched */
	f = fopen(path, "r");
	CHECK(f && fgets(buf, sizeof(buf), f));
	fclose(f);
	CHECK_STR(buf, "0\n");
	np_slb_rc_set_disabled(slbrc, false);
	settle();
	f = fopen(path, "r");
	CHECK(f && fgets(buf, sizeof(buf), f));
	fclose(f);
	unlink(path);
	CHECK_STR(buf, "1\n");
	world_end();
}

/* The module refuses LB commands (both owners disabled): a disabled
 * reconciler's dump is empty, not a failure retried for ever. */
TEST(glue_module_without_lb_is_no_failure)
{
	struct np_lb_rc_deps d;

	world();
	kern_off = true;
	d = deps(true, false);
	CHECK_INT(np_slb_rc_new(&d, &slbrc), 0);
	CHECK_INT(np_hostport_rc_new(&d, &hprc), 0);
	settle();
	CHECK(n_dump >= 2);
	CHECK_INT(np_slb_rc_stats(slbrc)->failures, 0);
	CHECK_INT(np_hostport_rc_stats(hprc)->failures, 0);
	CHECK_INT(np_slb_rc_stats(slbrc)->passes, 1);
	world_end();
}

int main(void)
{
	np_log_set_level(getenv("V") ? NP_LOG_DEBUG : NP_LOG_ERROR);
	RUN(glue_programs_servicelb_and_hostport_each_its_own);
	RUN(glue_disabled_removes_leftovers_and_programs_nothing);
	RUN(glue_conflict_one_event_per_loser);
	RUN(glue_status_written_by_the_writer_once_per_change);
	RUN(glue_finalizer_added_first_removed_after_cleanup);
	RUN(glue_finalizer_kept_while_frontends_remain);
	RUN(glue_route_localnet_set_when_zero);
	RUN(glue_module_without_lb_is_no_failure);
	return check_summary();
}
