// SPDX-License-Identifier: GPL-2.0-only
/*
 * nodeplaned: the node agent. One epoll loop; signals arrive through a
 * signalfd. For now it checks the module (INFO_GET) and waits for signals;
 * the sources of cluster state and the reconcilers will register their
 * file descriptors with the same loop (loop_add).
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
#include "log.h"
#include "loop.h"
#include "nl/nl.h"
#include "version.h"

enum {
	EXIT_CLEAN = 0,		/* stopped by SIGTERM or SIGINT */
	EXIT_USAGE = 1,		/* usage or configuration error, system failure */
	EXIT_MODULE = 2,	/* nodeplane module unavailable */
};

/* The daemon: its loop and what the loop drives. */
struct daemon {
	struct np_loop *lp;
	struct np_io sig;
	struct np_nl *nl;
};

static struct daemon d;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: nodeplaned [OPTIONS]\n"
		"\n"
		"The nodeplane node agent: programs the nodeplane kernel module\n"
		"of the current network namespace. Requires CAP_NET_ADMIN.\n"
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
		"  SIGTERM, SIGINT  stop, leaving the kernel state in place\n"
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
			np_log_info("%s: stopping, kernel state left in place",
				    si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
			np_loop_stop(d.lp, EXIT_CLEAN);
			break;
		case SIGHUP:
			np_log_info("SIGHUP: reload");
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
	np_nl_features_str(feat, sizeof(feat), info.features, ",");
	np_log_info("nodeplane module %s, ABI %" PRIu32 ", features %s",
		    info.version, info.abi, feat);
	if (info.abi != NODEPLANE_GENL_VERSION)
		np_log_warning("the module speaks ABI %" PRIu32
			       ", nodeplaned was built for ABI %d",
			       info.abi, NODEPLANE_GENL_VERSION);
	return 0;
}

struct args {
	const char *config;	/* NULL: the default path, which may be missing */
	bool check;
	int cfgc;
	char **cfgv;		/* everything else, for np_config_parse_args */
};

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

int main(int argc, char **argv)
{
	static struct np_config cfg;
	struct args a = { 0 };
	sigset_t mask;
	int status;

	a.cfgv = calloc((size_t)argc + 1, sizeof(*a.cfgv));
	if (!a.cfgv) {
		np_log_error("out of memory");
		return EXIT_USAGE;
	}
	status = parse_args(argc, argv, &a);
	if (status < 0) {
		if (load_config(&cfg, &a) < 0)
			status = EXIT_USAGE;
		else if (a.check) {
			np_config_print(&cfg, stdout);
			status = EXIT_CLEAN;
		}
	}
	free(a.cfgv);
	if (status >= 0)
		return fflush(stdout) == 0 ? status : EXIT_USAGE;

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

	np_log_info("nodeplaned %s starting", np_version);
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
	np_log_info("running");
	status = np_loop_run(d.lp);
	if (status < 0)
		status = EXIT_USAGE;
out:
	np_nl_close(d.nl);
	if (d.sig.fd >= 0)
		close(d.sig.fd);
	np_loop_free(d.lp);
	np_log_info("stopped");
	return status;
}
