// SPDX-License-Identifier: GPL-2.0-only
/*
 * nodeplanectl policy trace SRC DST PROTO PORT [config FILE]: the cluster
 * objects NetworkPolicy reads (Pods, Namespaces, NetworkPolicies) loaded
 * the way nodeplaned loads them, from the same configuration file and
 * with the same code (config.c; the API client kube/ with the
 * kubeconfig, or in a pod; else manifests.c on the manifests directory),
 * into the same model, then np_netpol_eval() (netpol.h) for this node.
 * Linked into nodeplanectl only (ctl->policy_trace).
 *
 * Output: the verdict and each side in the evaluator's words; script
 * mode: "verdict\tallowed|denied", "egress\t...", "ingress\t...".
 *
 * In batch mode the objects loaded for a configuration file are kept
 * (ctl->trace_cache) for the batch's next lines naming the same file: a
 * batch of traces evaluates them all against the objects as listed for
 * its first one.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "config.h"
#include "ctl/ctl.h"
#include "kube/kube.h"
#include "log.h"
#include "loop.h"
#include "manifests.h"
#include "model/model.h"
#include "netpol/netpol.h"
#include "netpol/reconcile.h"

#define WHAT "policy trace"
#define LIST_TIMEOUT_MS 30000

/* Whether a is an address of this network namespace (the node). */
static bool local_addr(const struct np_addr *a)
{
	struct ifaddrs *ifa, *i;
	bool found = false;

	if (getifaddrs(&ifa) < 0)
		return false;
	for (i = ifa; i && !found; i = i->ifa_next) {
		struct np_addr x = { 0 };

		if (!i->ifa_addr || i->ifa_addr->sa_family != a->family)
			continue;
		x.family = a->family;
		if (a->family == AF_INET)
			memcpy(x.a, &((struct sockaddr_in *)i->ifa_addr)->sin_addr,
			       4);
		else
			memcpy(x.a,
			       &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr,
			       16);
		found = np_addr_eq(&x, a);
	}
	freeifaddrs(ifa);
	return found;
}

/* The objects of one configuration file, loaded (or being loaded). */
struct load {
	char *path;		/* the config argument; NULL: the default */
	struct np_config cfg;
	struct np_loop *lp;
	struct np_model *m;
	struct np_manifests *mf;
	struct np_kube *kube;
	struct np_timer tick;
	uint64_t deadline;
	bool timed_out;
};

static void load_free(void *p)
{
	struct load *ld = p;

	if (!ld)
		return;
	np_manifests_free(ld->mf);
	np_kube_free(ld->kube);
	np_model_free(ld->m);
	np_loop_free(ld->lp);
	free(ld->path);
	free(ld);
}

static bool listed(const struct np_model *m)
{
	unsigned int k;

	for (k = 0; k < NP_KIND_COUNT; k++)
		if (NP_NETPOL_KINDS & (1U << k) &&
		    !np_model_synced(m, (enum np_kind)k))
			return false;
	return true;
}

static void on_tick(struct np_timer *t)
{
	struct load *ld = (struct load *)((char *)t -
					  offsetof(struct load, tick));

	if (listed(ld->m)) {
		np_loop_stop(ld->lp, 0);
		return;
	}
	if (np_now_ms() >= ld->deadline) {
		ld->timed_out = true;
		np_loop_stop(ld->lp, 0);
		return;
	}
	np_timer_arm(ld->lp, &ld->tick, 50);
}

/* The configuration as nodeplaned reads it; errors printed. */
static int load_config(struct np_ctl *ctl, const char *path,
		       struct np_config *cfg)
{
	char *line, *nl;

	np_config_init(cfg);
	np_config_parse_file(cfg, path ? path : NP_CONFIG_DEFAULT_PATH, !path);
	np_config_finish(cfg, NULL);
	if (!cfg->nerr)
		return 0;
	for (line = cfg->err; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		np_ctl_errorf(ctl, WHAT, "%s", line);
		if (!nl)
			break;
	}
	return -1;
}

/*
 * Lists Pods, Namespaces and NetworkPolicies as nodeplaned with the
 * configuration file @path would (NULL: the default file); errors
 * printed. The result, or NULL.
 */
static struct load *load_objects(struct np_ctl *ctl, const char *path)
{
	struct load *ld = calloc(1, sizeof(*ld));
	char err[512];
	unsigned int k;
	int r;

	if (!ld || (path && !(ld->path = strdup(path)))) {
		np_ctl_errorf(ctl, WHAT, "out of memory");
		goto fail;
	}
	if (load_config(ctl, path, &ld->cfg) < 0)
		goto fail;
	np_log_set_level(NP_LOG_WARNING);	/* the sources' progress */
	ld->m = np_model_new();
	if (!ld->m || np_loop_new(&ld->lp) < 0) {
		np_ctl_errorf(ctl, WHAT, "out of memory");
		goto fail;
	}
	/* the source nodeplaned would use (main.c: api_mode) */
	if (ld->cfg.kubeconfig[0] || getenv("KUBERNETES_SERVICE_HOST")) {
		struct np_kubeconfig kc = { 0 };

		if (np_kubeconfig_load(ld->cfg.kubeconfig, &kc, err,
				       sizeof(err)) < 0) {
			np_ctl_errorf(ctl, WHAT, "%s", err);
			goto fail;
		}
		r = np_kube_new(ld->lp, &kc, NULL, &ld->kube);
		np_kubeconfig_free(&kc);
		for (k = 0; !r && k < NP_KIND_COUNT; k++)
			if (NP_NETPOL_KINDS & (1U << k))
				r = np_kube_watch(ld->kube, (enum np_kind)k,
						  ld->m);
		if (r) {
			np_ctl_errorf(ctl, WHAT, "the API client: %s",
				      strerror(-r));
			goto fail;
		}
	} else {
		r = np_manifests_new(ld->lp, ld->cfg.manifests_dir, ld->m,
				     &ld->mf);
		if (r < 0) {
			np_ctl_errorf(ctl, WHAT, "manifests directory %s: %s",
				      ld->cfg.manifests_dir, strerror(-r));
			goto fail;
		}
	}
	ld->tick.fire = on_tick;
	ld->deadline = np_now_ms() + LIST_TIMEOUT_MS;
	np_timer_arm(ld->lp, &ld->tick, 0);
	np_loop_run(ld->lp);
	if (ld->timed_out) {
		np_ctl_errorf(ctl, WHAT,
			      "Pods, Namespaces and NetworkPolicies not listed within %d s",
			      LIST_TIMEOUT_MS / 1000);
		goto fail;
	}
	return ld;

fail:
	load_free(ld);
	return NULL;
}

/* Whether @ld was loaded for the configuration argument @path. */
static bool load_is(const struct load *ld, const char *path)
{
	if (!ld->path || !path)
		return !ld->path && !path;
	return !strcmp(ld->path, path);
}

int np_ctl_policy_trace(struct np_ctl *ctl, int argc, char **argv)
{
	struct np_netpol_verdict v = { 0 };
	struct np_addr src, dst;
	const char *config = NULL;
	struct load *ld = NULL;
	unsigned long port;
	uint8_t proto;
	int status = NP_CTL_EXIT_FAIL, r;

	if (argc != 4 && !(argc == 6 && !strcmp(argv[4], "config"))) {
		np_ctl_usage_errorf(ctl, "policy", WHAT,
				    "expected SRC DST PROTO PORT [config FILE]");
		return NP_CTL_EXIT_FAIL;
	}
	if (argc == 6)
		config = argv[5];
	if (np_addr_parse(argv[0], &src) < 0 || np_addr_parse(argv[1], &dst) < 0 ||
	    src.family != dst.family) {
		np_ctl_errorf(ctl, WHAT,
			      "SRC \"%s\", DST \"%s\": expected two addresses of one family",
			      argv[0], argv[1]);
		return NP_CTL_EXIT_FAIL;
	}
	if (!strcmp(argv[2], "tcp")) {
		proto = IPPROTO_TCP;
	} else if (!strcmp(argv[2], "udp")) {
		proto = IPPROTO_UDP;
	} else if (!strcmp(argv[2], "sctp")) {
		proto = IPPROTO_SCTP;
	} else {
		np_ctl_errorf(ctl, WHAT, "PROTO \"%s\": expected tcp, udp or sctp",
			      argv[2]);
		return NP_CTL_EXIT_FAIL;
	}
	if (np_ctl_uint_parse(argv[3], 1, 65535, &port) < 0) {
		np_ctl_errorf(ctl, WHAT, "PORT \"%s\": expected 1..65535",
			      argv[3]);
		return NP_CTL_EXIT_FAIL;
	}
	if (ctl->trace_cache && load_is(ctl->trace_cache, config))
		ld = ctl->trace_cache;
	else if (!(ld = load_objects(ctl, config)))
		return NP_CTL_EXIT_FAIL;
	r = np_netpol_eval(ld->m, ld->cfg.node_name, &src, &dst, proto,
			   (uint16_t)port, local_addr(&src), &v);
	if (r) {
		np_ctl_errorf(ctl, WHAT, "%s", strerror(-r));
		goto out;
	}
	if (ctl->script) {
		fprintf(ctl->out, "verdict\t%s\negress\t%s\ningress\t%s\n",
			v.allowed ? "allowed" : "denied",
			v.egress ? v.egress : "", v.ingress ? v.ingress : "");
	} else {
		fprintf(ctl->out, "%s -> %s %s/%lu on node %s: %s\n", argv[0],
			argv[1], argv[2], port, ld->cfg.node_name,
			v.allowed ? "allowed" : "denied");
		fprintf(ctl->out, "  egress   %s\n  ingress  %s\n",
			v.egress ? v.egress : "-", v.ingress ? v.ingress : "-");
	}
	status = NP_CTL_EXIT_OK;
out:
	np_netpol_verdict_free(&v);
	if (ld == ctl->trace_cache)
		return status;
	if (ctl->batch_file) {
		/* kept for the batch's next lines, in place of another file's */
		if (ctl->trace_cache && ctl->trace_cache_free)
			ctl->trace_cache_free(ctl->trace_cache);
		ctl->trace_cache = ld;
		ctl->trace_cache_free = load_free;
	} else {
		load_free(ld);
	}
	return status;
}
