// SPDX-License-Identifier: GPL-2.0-only
/*
 * nodeplaned: the node agent. One thread, one epoll loop (loop.c) driving
 * the source of cluster state (the Kubernetes API through libcurl, or the
 * manifests directory through inotify), the model, the reconciler runner
 * and the reconcilers on it (the overlay: netlink, rtnetlink, WireGuard;
 * ServiceLB, hostPort, NetworkPolicy), nlctrl's family events, the
 * module's drop events, timers and signals (a signalfd).
 *
 * Source: the API when a kubeconfig is configured, or in a pod (the
 * in-cluster service account: KUBERNETES_SERVICE_HOST is set); else the
 * manifests directory.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <linux/nodeplane.h>

#include "config.h"
#include "kube/kinds.h"
#include "kube/events.h"
#include "kube/kube.h"
#include "kube/lease.h"
#include "kube/svcwrite.h"
#include "kube/writeq.h"
#include "log.h"
#include "loop.h"
#include "manifests.h"
#include "model/model.h"
#include "netpol/droplog.h"
#include "netpol/netpol.h"
#include "netpol/reconcile.h"
#include "nl/nl.h"
#include "overlay/overlay.h"
#include "reconcile/famwatch.h"
#include "reconcile/runner.h"
#include "servicelb/reconcile.h"
#include "version.h"

enum {
	EXIT_CLEAN = 0,		/* stopped by SIGTERM or SIGINT */
	EXIT_USAGE = 1,		/* usage or configuration error, system failure */
	EXIT_MODULE = 2,	/* nodeplane module unavailable */
};

struct args {
	const char *config;	/* NULL: the default path, which may be missing */
	bool check;
	int cfgc;
	char **cfgv;		/* everything else, for np_config_parse_args */
};

/* The daemon: its loop and what the loop drives. */
struct daemon {
	struct np_loop *lp;
	struct np_io sig;
	struct np_nl *nl;
	struct args args;
	struct np_config cfg;
	struct np_model *model;
	struct np_kube *kube;		/* API mode */
	struct np_manifests *mf;	/* manifests mode */
	struct np_runner *runner;
	struct np_famwatch *fw;		/* NULL: family events unavailable */
	struct np_io fw_io;
	struct np_overlay *overlay;
	struct np_slb_rc *slb;
	struct np_hostport_rc *hostport;
	struct np_netpol_rc *netpol;
	struct np_nl_events *pev;	/* drop events; NULL: not listening */
	struct np_io pev_io;
	struct np_droplog *droplog;
	/* API mode: ServiceLB's writes */
	struct np_kube_writeq *wq;
	struct np_kube_events *ev;
	struct np_kube_leader *leader;
	struct np_kube_node_lease *node_lease;
	struct np_kube_node_leases *leases;
	uint32_t features;		/* the module's, at start */
};

static struct daemon d;

/* SIGTERM/SIGINT seen: the stop waits for the leader Lease's release. */
static bool stopping;
static struct np_timer stop_timer;

/* How long a stop waits for the Lease's release (the API may be gone). */
#define STOP_RELEASE_MS 5000

static int load_config(struct np_config *cfg, const struct args *a);
static void reload(void);
static void stop_begin(const char *sig);

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: nodeplaned [OPTIONS]\n"
		"\n"
		"The nodeplane node agent: learns the cluster from the Kubernetes\n"
		"API (with a kubeconfig, or in a pod) or else from the manifests\n"
		"directory, and programs the nodeplane kernel module and the\n"
		"overlay of the current network namespace. Requires CAP_NET_ADMIN.\n"
		"\n"
		"Options:\n"
		"  --config FILE   configuration file (default "
		NP_CONFIG_DEFAULT_PATH ",\n"
		"                  which may be missing)\n"
		"  --check-config  validate the configuration, print the effective\n"
		"                  configuration and exit\n"
		"  --KEY=VALUE     any configuration file key, overriding the file\n"
		"                  (see docs/config.md)\n"
		"  -v, --verbose  also log debug messages\n"
		"  -h, --help     show this help and exit\n"
		"  -V, --version  show the version and exit\n"
		"\n"
		"Signals:\n"
		"  SIGTERM, SIGINT  stop, leaving the kernel state in place (the\n"
		"                   ServiceLB leader releases its Lease first)\n"
		"  SIGHUP           reload\n"
		"\n"
		"Exit status:\n"
		"  0  clean stop (SIGTERM or SIGINT)\n"
		"  1  usage or configuration error, or a system call failed\n"
		"  2  nodeplane module unavailable (not loaded, permission denied,\n"
		"     or an invalid answer)\n");
}

static void signal_ready(struct np_io *w, uint32_t events)
{
	struct signalfd_siginfo si;
	ssize_t n;

	(void)events;
	for (;;) {
		n = read(w->fd, &si, sizeof(si));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n != (ssize_t)sizeof(si)) {
			np_log_error("reading the signalfd: %s",
				     n < 0 ? strerror(errno) : "short read");
			np_loop_stop(d.lp, EXIT_USAGE);
			return;
		}
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			stop_begin(si.ssi_signo == SIGTERM ? "SIGTERM" :
				   "SIGINT");
			break;
		case SIGHUP:
			np_log_info("SIGHUP: reloading the configuration");
			reload();
			break;
		default:
			np_log_debug("ignoring signal %" PRIu32, si.ssi_signo);
			break;
		}
	}
}

/* Opens the netlink connection and reports what the module is. */
static int module_check(void)
{
	char buf[NP_ERR_MSG_LEN + 128], feat[128];
	struct np_info info;
	struct np_err err;

	if (np_nl_open(&d.nl, &err) < 0) {
		np_log_error("%s", np_err_str(&err, buf, sizeof(buf)));
		return -1;
	}
	if (np_nl_info_get(d.nl, &info, &err) < 0) {
		np_log_error("INFO_GET: %s", np_err_str(&err, buf, sizeof(buf)));
		return -1;
	}
	d.features = info.features;
	np_nl_features_str(feat, sizeof(feat), info.features, ",");
	np_log_info("nodeplane module %s, ABI %" PRIu32 ", features %s",
		    info.version, info.abi, feat);
	if (info.abi != NODEPLANE_GENL_VERSION)
		np_log_warning("the module speaks ABI %" PRIu32
			       ", nodeplaned was built for ABI %d",
			       info.abi, NODEPLANE_GENL_VERSION);
	return 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (!strcmp(s, "-v") || !strcmp(s, "--verbose")) {
			np_log_set_level(NP_LOG_DEBUG);
		} else if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
			usage(stdout);
			return EXIT_CLEAN;
		} else if (!strcmp(s, "-V") || !strcmp(s, "--version")) {
			printf("nodeplaned %s\n", np_version);
			return EXIT_CLEAN;
		} else if (!strcmp(s, "--check-config")) {
			a->check = true;
		} else if (!strncmp(s, "--config=", 9)) {
			a->config = s + 9;
		} else if (!strcmp(s, "--config")) {
			if (i + 1 == argc) {
				fprintf(stderr, "nodeplaned: --config needs a FILE\n"
					"Try 'nodeplaned --help' for more information.\n");
				return EXIT_USAGE;
			}
			a->config = argv[++i];
		} else {
			a->cfgv[a->cfgc++] = argv[i];
		}
	}
	return -1;
}

/* Loads the file, the flags and the node name; prints errors. 0 or -1. */
static int load_config(struct np_config *cfg, const struct args *a)
{
	char *line, *nl;

	np_config_init(cfg);
	np_config_parse_file(cfg, a->config ? a->config : NP_CONFIG_DEFAULT_PATH,
			     !a->config);
	np_config_parse_args(cfg, a->cfgc, a->cfgv);
	np_config_finish(cfg, NULL);
	if (!cfg->nerr)
		return 0;
	for (line = cfg->err; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			break;
		*nl = '\0';
		if (a->check)
			fprintf(stderr, "%s\n", line);
		else
			np_log_error("%s", line);
	}
	if (!a->check)
		fprintf(stderr, "Try 'nodeplaned --help' for more information.\n");
	return -1;
}

/* The API with a kubeconfig or in a pod; else the manifests directory. */
static bool api_mode(void)
{
	return d.cfg.kubeconfig[0] || getenv("KUBERNETES_SERVICE_HOST");
}

/* The kinds the API client watches: what the enabled reconcilers read;
 * of them, those watched for this node only (spec.nodeName). */
static uint32_t watched, watched_node;

/*
 * Watches the kinds of d.cfg's reconcilers, and only those; a kind that
 * every enabled reader reads for this node only is watched with
 * fieldSelector=spec.nodeName=<node> (a change of that is an unwatch and
 * a new list, which drops from the model what no longer matches). 0 or
 * -1.
 */
static int watch_kinds(void)
{
	static bool logged;
	uint32_t want = np_kube_kinds(&d.cfg);
	uint32_t node = np_kube_kinds_node_only(&d.cfg) & want;
	char text[128], fsel[300];
	uint32_t k, bit;
	int ret;

	if (want == watched && node == watched_node && logged)
		return 0;
	logged = true;
	np_kube_kinds_str(want, text, sizeof(text));
	np_log_info("source: watching %s (what the enabled reconcilers read)",
		    text);
	snprintf(fsel, sizeof(fsel), "spec.nodeName=%s", d.cfg.node_name);
	for (k = 0; k < NP_KIND_COUNT; k++) {
		bit = 1U << k;
		if ((watched & bit) &&
		    (!(want & bit) || (watched_node & bit) != (node & bit))) {
			np_kube_unwatch(d.kube, (enum np_kind)k);
			watched &= ~bit;
			watched_node &= ~bit;
		}
		if (!(want & bit) || (watched & bit))
			continue;
		ret = np_kube_watch_fields(d.kube, (enum np_kind)k, d.model,
					   (node & bit) ? fsel : NULL);
		if (ret < 0) {
			np_log_error("watching %ss: %s",
				     np_kind_name((enum np_kind)k), strerror(-ret));
			return -1;
		}
		watched |= bit;
		watched_node |= node & bit;
	}
	return 0;
}

/* Starts the source of cluster state into d.model. 0 or -1 (logged). */
static int source_start(void)
{
	struct np_kubeconfig kc = { 0 };
	char err[512];
	int ret;

	if (!api_mode()) {
		np_log_info("source: manifests directory %s (no kubeconfig)",
			    d.cfg.manifests_dir);
		ret = np_manifests_new(d.lp, d.cfg.manifests_dir, d.model, &d.mf);
		if (ret < 0)
			np_log_error("manifests directory %s: %s",
				     d.cfg.manifests_dir, strerror(-ret));
		return ret < 0 ? -1 : 0;
	}
	if (np_kubeconfig_load(d.cfg.kubeconfig, &kc, err, sizeof(err)) < 0) {
		np_log_error("%s", err);
		return -1;
	}
	np_log_info("source: Kubernetes API %s (%s)", kc.server,
		    d.cfg.kubeconfig[0] ? d.cfg.kubeconfig : "in-cluster");
	ret = np_kube_new(d.lp, &kc, NULL, &d.kube);
	np_kubeconfig_free(&kc);
	if (ret < 0) {
		np_log_error("the API client: %s", strerror(-ret));
		return -1;
	}
	return watch_kinds();
}

static void overlay_deps(struct np_overlay_deps *deps)
{
	*deps = (struct np_overlay_deps){
		.lp = d.lp, .cfg = &d.cfg, .model = d.model, .nl = d.nl,
		.kube = d.kube, .runner = d.runner,
	};
}

/* ---- ServiceLB and hostPort: the reconcilers and their API writes --- */

static void lb_event(void *ctx, enum np_kind kind, const struct np_meta *obj,
		     bool warning, const char *reason, const char *action,
		     const char *note)
{
	struct np_kube_objref ref = {
		.api_version = "v1", .kind = np_kind_name(kind),
		.ns = obj->ns, .name = obj->name, .uid = obj->uid,
	};

	(void)ctx;
	if (d.ev)
		np_kube_event(d.ev, &ref, warning ? NP_KUBE_EVENT_WARNING :
				    NP_KUBE_EVENT_NORMAL, reason, action, note);
}

/* The elected node writes, once it knows which nodes' Leases live. */
static bool lb_status_writer(void *ctx)
{
	(void)ctx;
	return d.leader && np_kube_leader_is_leader(d.leader) &&
	       d.leases && np_kube_node_leases_synced(d.leases);
}

static bool lb_alive(void *ctx, const char *node)
{
	(void)ctx;
	return d.leases && np_kube_node_alive(d.leases, node, np_now_ms());
}

static void lb_status_done(void *ctx, const char *key,
			   const struct np_kube_result *res)
{
	(void)ctx;
	(void)res;
	np_log_debug("servicelb: %s written", key);
}

static int lb_status(void *ctx, const struct np_service *s,
		     const struct np_slb_status *st)
{
	(void)ctx;
	return np_kube_service_status(d.wq, s->meta.ns, s->meta.name, NULL,
				      (const char *const *)st->ips, st->n,
				      lb_status_done, NULL, NULL);
}

static void lb_finalizer_done(void *ctx, const char *key,
			      const struct np_kube_result *res)
{
	(void)ctx;
	if (res->err && res->status != 404)
		np_log_warning("servicelb: %s: finalizer: %s", key, res->err);
	else
		np_log_debug("servicelb: %s: finalizer written", key);
}

static int lb_finalizer(void *ctx, const struct np_service *s, bool add)
{
	(void)ctx;
	return np_kube_service_finalizer(d.wq, s->meta.ns, s->meta.name,
					 s->meta.uid, add, lb_finalizer_done,
					 NULL, NULL);
}

static void lb_kick(void *ctx)
{
	(void)ctx;
	if (d.slb)
		np_slb_rc_status_kick(d.slb);
}

static void lb_lease_changed(void *ctx, const char *node, bool alive)
{
	np_log_info("servicelb: node %s %s", node,
		    alive ? "runs nodeplaned" : "no longer renews its Lease");
	lb_kick(ctx);
}

/*
 * Off by the configuration, or by the module (disable=servicelb or
 * hostport: it refuses that owner's frontends, so planning them would only
 * fail and retry).
 */
static bool lb_off(const char *name, uint32_t feature)
{
	static uint32_t logged;

	if (np_config_disabled(&d.cfg, name))
		return true;
	if (d.features & feature) {
		logged &= ~feature;	/* said again if it goes off again */
		return false;
	}
	if (!(logged & feature))
		np_log_warning("%s: the module has it disabled (disable=%s): nothing programmed",
			       name, name);
	logged |= feature;
	return true;
}

/*
 * Only a node that serves ServiceLB campaigns: a leader with it disabled
 * would write no status and handle no finalizer. Turned off while leading,
 * the election is dropped without a release: the Lease expires and another
 * node takes over within its duration.
 */
static int lb_campaign(bool on)
{
	struct np_kube_leader_opts lo = {
		.ns = NP_KUBE_LEASE_NS, .name = NP_KUBE_LEASE_SERVICELB,
		.identity = d.cfg.node_name,
		.started = lb_kick, .stopped = lb_kick,
	};

	if (!d.kube || on == !!d.leader)
		return 0;
	if (!on) {
		np_log_info("servicelb: disabled, no longer a candidate for the status Lease");
		np_kube_leader_free(d.leader);
		d.leader = NULL;
		return 0;
	}
	return np_kube_leader_new(d.kube, &lo, &d.leader);
}

/* API mode: the write queue, Events, the election, the node Leases. */
static int lb_api_start(void)
{
	struct np_kube_events_opts eo = {
		.controller = NP_KUBE_EVENTS_SERVICELB,
		.instance = d.cfg.node_name,
	};
	struct np_kube_node_lease_opts no = {
		.ns = NP_KUBE_LEASE_NS, .node = d.cfg.node_name,
	};
	struct np_kube_node_leases_opts mo = {
		.ns = NP_KUBE_LEASE_NS, .changed = lb_lease_changed,
	};
	int r;

	r = np_kube_writeq_new(d.kube, NULL, &d.wq);
	if (!r)
		r = np_kube_events_new(d.wq, &eo, &d.ev);
	if (!r)
		r = np_kube_node_lease_new(d.kube, &no, &d.node_lease);
	if (!r)
		r = np_kube_node_leases_new(d.kube, &mo, &d.leases);
	if (!r)
		r = lb_campaign(!lb_off("servicelb", NP_FEATURE_F_SERVICELB));
	if (r)
		np_log_error("servicelb: the API writes: %s", strerror(-r));
	return r ? -1 : 0;
}

static void lb_api_stop(void)
{
	np_kube_leader_free(d.leader);
	np_kube_node_leases_free(d.leases);
	np_kube_node_lease_free(d.node_lease);
	np_kube_events_free(d.ev);
	np_kube_writeq_free(d.wq);
	d.leader = NULL;
	d.leases = NULL;
	d.node_lease = NULL;
	d.ev = NULL;
	d.wq = NULL;
}

static void stop_now(struct np_timer *t)
{
	(void)t;
	np_log_warning("SIGTERM: the servicelb Lease was not released within %d ms; stopping (it expires by itself)",
		       STOP_RELEASE_MS);
	np_loop_stop(d.lp, EXIT_CLEAN);
}

static void lease_released(void *ctx, long http_status, const char *err)
{
	(void)ctx;
	if (err || http_status < 200 || http_status > 299)
		np_log_warning("servicelb: releasing the Lease %s/%s: %s",
			       NP_KUBE_LEASE_NS, NP_KUBE_LEASE_SERVICELB,
			       err ? err : "not a 2xx answer");
	np_timer_cancel(d.lp, &stop_timer);
	np_loop_stop(d.lp, EXIT_CLEAN);
}

/*
 * SIGTERM or SIGINT: the loop stops, the kernel state left in place. A
 * leader first releases the servicelb Lease (an empty holderIdentity, as
 * client-go's ReleaseOnCancel), so another node takes the status writes
 * over at its next retry instead of after the Lease duration; the stop
 * waits for that write at most STOP_RELEASE_MS. A second signal stops at
 * once.
 */
static void stop_begin(const char *sig)
{
	if (stopping || !d.leader) {
		np_log_info("%s: stopping, kernel state left in place", sig);
		np_loop_stop(d.lp, EXIT_CLEAN);
		return;
	}
	stopping = true;
	np_log_info("%s: stopping, kernel state left in place; releasing the servicelb Lease first",
		    sig);
	stop_timer.fire = stop_now;
	np_timer_arm(d.lp, &stop_timer, STOP_RELEASE_MS);
	if (np_kube_leader_release(d.leader, lease_released, NULL) < 0) {
		np_log_warning("servicelb: releasing the Lease: out of memory");
		np_timer_cancel(d.lp, &stop_timer);
		np_loop_stop(d.lp, EXIT_CLEAN);
	}
}

/* Both reconcilers join the runner, enabled or not: a disabled one
 * removes what a previous run left and programs nothing. */
static int lb_start(void)
{
	struct np_lb_rc_deps ld = {
		.runner = d.runner, .model = d.model, .self = d.cfg.node_name,
	};
	int r;

	if (d.kube && lb_api_start() < 0)
		return -1;
	np_lb_kernel_nl(d.nl, &ld.kernel);
	if (d.kube)
		ld.sink = (struct np_lb_sink){
			.event = lb_event, .status_writer = lb_status_writer,
			.alive = lb_alive, .status = lb_status,
			.finalizer = lb_finalizer,
		};
	ld.disabled = lb_off("servicelb", NP_FEATURE_F_SERVICELB);
	r = np_slb_rc_new(&ld, &d.slb);
	if (!r) {
		ld.with_servicelb = !ld.disabled;
		ld.disabled = lb_off("hostport", NP_FEATURE_F_HOSTPORT);
		r = np_hostport_rc_new(&ld, &d.hostport);
	}
	np_lb_rc_pair(d.slb, d.hostport);
	if (r)
		np_log_error("servicelb, hostport: cannot join the runner: %s",
			     strerror(-r));
	return r ? -1 : 0;
}

static void lb_reload(void)
{
	bool slb_off = lb_off("servicelb", NP_FEATURE_F_SERVICELB);

	if (lb_campaign(!slb_off) < 0)
		np_log_error("servicelb: cannot campaign for the status Lease");
	if (d.slb)
		np_slb_rc_set_disabled(d.slb, slb_off);
	if (d.hostport)
		np_hostport_rc_set_disabled(d.hostport,
					    lb_off("hostport", NP_FEATURE_F_HOSTPORT),
					    !slb_off);
}

static void lb_stop(void)
{
	np_slb_rc_free(d.slb);
	np_hostport_rc_free(d.hostport);
	d.slb = NULL;
	d.hostport = NULL;
}

/* ---- NetworkPolicy: the reconciler and the drop events --------------- */

/* Off by the configuration, or by the module (disable=network-policy, or
 * a module without it): nothing is programmed, what was is removed. */
static bool netpol_off(void)
{
	return lb_off("network-policy", NP_FEATURE_F_NETWORK_POLICY);
}

/* One drop: a log line naming the pod, rate-limited (netpol/droplog.h). */
static void on_drop(void *ctx, const struct np_pol_drop *dr)
{
	const struct np_addr *peer = dr->dir == NP_POL_DIR_INGRESS ?
				     &dr->saddr : &dr->daddr;
	const struct np_pod *p = np_model_pod_by_ip(d.model, peer);
	char name[640], line[1024];

	(void)ctx;
	if (p)
		snprintf(name, sizeof(name), "%s/%s", p->meta.ns, p->meta.name);
	if (np_droplog_event(d.droplog, dr, p ? name : NULL, np_now_ms(), line,
			     sizeof(line)))
		np_log_info("netpol: %s", line);
}

static void pev_stop(void)
{
	if (!d.pev)
		return;
	np_loop_del(d.lp, &d.pev_io);
	np_nl_events_close(d.pev);
	d.pev = NULL;
}

static void on_pev_ready(struct np_io *io, uint32_t events)
{
	char e[NP_ERR_MSG_LEN + 64];
	unsigned long bad = 0;
	struct np_err err;
	int r;

	(void)io;
	(void)events;
	r = np_nl_events_read(d.pev, on_drop, NULL, &bad, &err);
	if (bad)
		np_log_warning("netpol: %lu malformed drop events: %s", bad,
			       np_err_str(&err, e, sizeof(e)));
	if (r == -ENOBUFS) {
		np_log_warning("netpol: drop events lost (socket overrun); the counters in `nodeplanectl policy show` have them all");
	} else if (r < 0) {
		np_log_warning("netpol: drop events: %s; no more drop log lines until the module is loaded again",
			       np_err_str(&err, e, sizeof(e)));
		pev_stop();
	}
}

/* Listens to the module's drop events; not fatal (logged). */
static void pev_start(void)
{
	char e[NP_ERR_MSG_LEN + 64];
	struct np_err err;

	if (d.pev)
		return;
	if (np_nl_events_open(&d.pev, &err) < 0) {
		np_log_warning("netpol: drop events: %s; drops are counted but not logged",
			       np_err_str(&err, e, sizeof(e)));
		d.pev = NULL;
		return;
	}
	d.pev_io.fd = np_nl_events_fd(d.pev);
	d.pev_io.ready = on_pev_ready;
	if (np_loop_add(d.lp, &d.pev_io, EPOLLIN) < 0) {
		np_log_warning("netpol: drop events: %s", strerror(errno));
		np_nl_events_close(d.pev);
		d.pev = NULL;
	}
}

/* The reconciler joins the runner enabled or not: disabled, it removes
 * what a previous run left, then stops. */
static int netpol_start(void)
{
	struct np_netpol_rc_deps nd = {
		.lp = d.lp, .runner = d.runner, .model = d.model,
		.self = d.cfg.node_name,
		.compiler = {
			.classes_new = np_netpol_classes_new,
			.classes_free = np_netpol_classes_free,
			.compile = np_netpol_compile,
			.plan_free = np_netpol_plan_free,
		},
		.disabled = netpol_off(),
	};
	int r;

	np_pol_kernel_nl(d.nl, &nd.kernel);
	d.droplog = np_droplog_new();
	if (!d.droplog) {
		np_log_error("netpol: out of memory");
		return -1;
	}
	r = np_netpol_rc_new(&nd, &d.netpol);
	if (r) {
		np_log_error("netpol: cannot join the runner: %s", strerror(-r));
		return -1;
	}
	if (!nd.disabled)
		pev_start();
	return 0;
}

static void netpol_reload(void)
{
	bool off = netpol_off();

	if (d.netpol)
		np_netpol_rc_set_disabled(d.netpol, off);
	if (off)
		pev_stop();
	else
		pev_start();
}

static void netpol_stop(void)
{
	pev_stop();
	np_netpol_rc_free(d.netpol);
	np_droplog_free(d.droplog);
	d.netpol = NULL;
	d.droplog = NULL;
}

/* ---- nlctrl's family events: module reloads, for the runner ---------- */

/*
 * The module loaded again: its features (parameter disable=) may differ
 * from those at start. Read again before the full passes the runner just
 * scheduled, so that a feature now off stops being programmed (not an
 * error retried for ever) and one now on is programmed again.
 */
static void features_reread(void)
{
	char buf[NP_ERR_MSG_LEN + 128], feat[128];
	struct np_info info;
	struct np_err err;

	if (np_nl_info_get(d.nl, &info, &err) < 0) {
		np_log_warning("the module loaded again, but INFO_GET: %s; features kept",
			       np_err_str(&err, buf, sizeof(buf)));
		return;
	}
	if (info.features == d.features)
		return;
	np_nl_features_str(feat, sizeof(feat), info.features, ",");
	np_log_info("the module loaded again with features %s", feat);
	d.features = info.features;
	lb_reload();
	netpol_reload();
}

static void on_family(void *ctx, const char *name, bool added, uint16_t id)
{
	(void)ctx;
	np_runner_family(d.runner, name, added, id);
	if (strcmp(name, NODEPLANE_GENL_NAME))
		return;
	/* the events group is joined again: a reload left the old socket
	 * without membership */
	pev_stop();
	if (added)
		features_reread();
	if (added && d.netpol && !netpol_off())
		pev_start();
}

static void famwatch_stop(void)
{
	if (!d.fw)
		return;
	np_loop_del(d.lp, &d.fw_io);
	np_famwatch_close(d.fw);
	d.fw = NULL;
}

static void on_fw_ready(struct np_io *io, uint32_t events)
{
	int r;

	(void)io;
	(void)events;
	r = np_famwatch_read(d.fw);
	if (r == -ENOBUFS) {
		/* events lost: anything may have been reloaded */
		np_log_warning("runner: generic netlink family events lost: full passes");
		np_runner_full_all(d.runner);
	} else if (r < 0) {
		np_log_warning("runner: reading generic netlink family events: %s; module reloads are noticed at the next pass",
			       strerror(-r));
		famwatch_stop();
	}
}

/* Not fatal: without the events a reload is noticed by the generation. */
static void famwatch_start(void)
{
	char e[NP_ERR_MSG_LEN + 64];
	struct np_err err;

	if (np_famwatch_open(&d.fw, on_family, NULL, &err) < 0) {
		np_log_warning("runner: generic netlink family events: %s; module reloads are noticed at the next pass",
			       np_err_str(&err, e, sizeof(e)));
		d.fw = NULL;
		return;
	}
	d.fw_io.fd = np_famwatch_fd(d.fw);
	d.fw_io.ready = on_fw_ready;
	if (np_loop_add(d.lp, &d.fw_io, EPOLLIN) < 0) {
		np_log_warning("runner: generic netlink family events: %s",
			       strerror(errno));
		np_famwatch_close(d.fw);
		d.fw = NULL;
	}
}

/*
 * SIGHUP: the configuration is read again; when it is valid the overlay
 * takes it and the manifests directory is rescanned. The source itself
 * (kubeconfig, manifests-dir) and the node name are fixed at start: a
 * change of those is logged and needs a restart. An invalid file changes
 * nothing. In API mode the kubeconfig's content (credentials, server) is
 * read again, and the watched kinds follow the reconcilers now enabled.
 */
static void reload(void)
{
	static struct np_config next;

	if (load_config(&next, &d.args) < 0) {
		np_log_error("reload: configuration invalid, keeping the current one");
		return;
	}
	if (strcmp(next.kubeconfig, d.cfg.kubeconfig) ||
	    strcmp(next.manifests_dir, d.cfg.manifests_dir) ||
	    strcmp(next.node_name, d.cfg.node_name) ||
	    strcmp(next.data_dir, d.cfg.data_dir))
		np_log_warning("reload: kubeconfig, manifests-dir, data-dir and node-name take effect at the next start");
	snprintf(next.kubeconfig, sizeof(next.kubeconfig), "%s", d.cfg.kubeconfig);
	snprintf(next.manifests_dir, sizeof(next.manifests_dir), "%s",
		 d.cfg.manifests_dir);
	snprintf(next.node_name, sizeof(next.node_name), "%s", d.cfg.node_name);
	snprintf(next.data_dir, sizeof(next.data_dir), "%s", d.cfg.data_dir);
	d.cfg = next;
	if (d.kube) {
		if (np_kube_reload(d.kube) < 0)
			np_log_error("reload: the kubeconfig could not be read again, keeping the current credentials");
		if (watch_kinds() < 0)
			np_log_error("reload: the watched kinds could not be changed");
	}
	if (d.overlay && np_overlay_reload(d.overlay, &d.cfg) < 0)
		np_log_error("reload: the overlay did not take the new configuration");
	lb_reload();
	netpol_reload();
	if (d.mf)
		np_manifests_rescan(d.mf);
	np_log_info("reload: done");
}

int main(int argc, char **argv)
{
	struct np_runner_deps rdeps;
	struct np_overlay_deps deps;
	struct args *a = &d.args;
	sigset_t mask;
	int status;

	a->cfgv = calloc((size_t)argc + 1, sizeof(*a->cfgv));
	if (!a->cfgv) {
		np_log_error("out of memory");
		return EXIT_USAGE;
	}
	status = parse_args(argc, argv, a);
	if (status < 0) {
		if (load_config(&d.cfg, a) < 0)
			status = EXIT_USAGE;
		else if (a->check) {
			np_config_print(&d.cfg, stdout);
			status = EXIT_CLEAN;
		}
	}
	if (status >= 0) {
		free(a->cfgv);
		return fflush(stdout) == 0 ? status : EXIT_USAGE;
	}

	/* Blocked before anything else, so no signal is lost at startup. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0) {
		np_log_error("sigprocmask: %s", strerror(errno));
		return EXIT_USAGE;
	}
	signal(SIGPIPE, SIG_IGN);

	np_log_info("nodeplaned %s starting on node %s", np_version,
		    d.cfg.node_name);
	status = EXIT_USAGE;
	d.sig.fd = -1;
	if (np_loop_new(&d.lp) < 0) {
		np_log_error("creating the event loop: %s", strerror(errno));
		goto out;
	}
	d.sig.fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	d.sig.ready = signal_ready;
	if (d.sig.fd < 0 || np_loop_add(d.lp, &d.sig, EPOLLIN) < 0) {
		np_log_error("signalfd: %s", strerror(errno));
		goto out;
	}
	if (module_check() < 0) {
		status = EXIT_MODULE;
		goto out;
	}
	d.model = np_model_new();
	if (!d.model) {
		np_log_error("out of memory");
		goto out;
	}
	/*
	 * The API client exists before the overlay (which writes through it)
	 * but delivers nothing before the loop runs; the manifests directory
	 * is read at once, so the runner subscribes first.
	 */
	if (api_mode() && source_start() < 0)
		goto out;
	/* the runner's jitter: differs between nodes started together */
	srandom((unsigned int)(np_now_ms() ^ ((uint64_t)getpid() << 16)));
	rdeps = (struct np_runner_deps){ .lp = d.lp, .model = d.model,
					 .nl = d.nl };
	if (np_runner_new(&rdeps, &d.runner) < 0) {
		np_log_error("out of memory");
		goto out;
	}
	famwatch_start();
	overlay_deps(&deps);
	if (np_overlay_new(&deps, &d.overlay) < 0)
		goto out;
	if (lb_start() < 0)
		goto out;
	if (netpol_start() < 0)
		goto out;
	if (!api_mode() && source_start() < 0)
		goto out;
	np_log_info("running");
	status = np_loop_run(d.lp);
	if (status < 0)
		status = EXIT_USAGE;
out:
	/* Everything is left in the kernel as it is. */
	np_manifests_free(d.mf);
	netpol_stop();
	lb_stop();
	lb_api_stop();
	np_kube_free(d.kube);
	np_overlay_free(d.overlay);
	famwatch_stop();
	np_runner_free(d.runner);
	np_model_free(d.model);
	np_nl_close(d.nl);
	if (d.sig.fd >= 0)
		close(d.sig.fd);
	np_loop_free(d.lp);
	free(a->cfgv);
	np_log_info("stopped");
	return status;
}
