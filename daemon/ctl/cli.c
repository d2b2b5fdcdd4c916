// SPDX-License-Identifier: GPL-2.0-only
/* nodeplanectl: global options, the subcommand table, shared diagnostics. */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"
#include "version.h"

static const struct np_ctl_cmd *const cmds[] = {
	&np_ctl_cmd_info,
	&np_ctl_cmd_overlay,
	&np_ctl_cmd_peer,
	&np_ctl_cmd_masq,
	&np_ctl_cmd_lb,
	&np_ctl_cmd_policy,
	&np_ctl_cmd_raw_info,
	&np_ctl_cmd_raw_peer,
};

#define N_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: " NP_CTL_PROG " [OPTIONS] COMMAND [ARGS]\n"
		"       " NP_CTL_PROG " [OPTIONS] -b FILE\n"
		"\n"
		"Inspect and configure the nodeplane kernel module in the current\n"
		"network namespace. Requires CAP_NET_ADMIN.\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < N_CMDS; i++)
		if (!cmds[i]->hidden)
			fprintf(f, "  %-14s %s\n", cmds[i]->name,
				cmds[i]->summary);
	fprintf(f,
		"\n"
		"Options:\n"
		"  -s, --script   stable tab-separated output, one item per line\n"
		"                 (the default when standard output is not a\n"
		"                 terminal); see each command's --help\n"
		"  -j, --json     JSON output (info, lb show)\n"
		"  -b, --batch FILE\n"
		"                 run the commands in FILE ('-': standard input),\n"
		"                 one COMMAND [ARGS] per line, words separated by\n"
		"                 spaces or tabs; empty lines and lines starting\n"
		"                 with '#' are skipped. All lines share one\n"
		"                 connection; the first failing line stops the\n"
		"                 batch and is named as FILE:LINE\n"
		"  -h, --help     show this help and exit\n"
		"  -V, --version  show the version and exit\n"
		"\n"
		"Exit status:\n"
		"  0  success\n"
		"  1  failure: usage error, module not loaded, permission denied,\n"
		"     or an error reported by the module (explained on stderr)\n");
}

/* "nodeplanectl: ", then "FILE:LINE: " in batch mode. */
static void prefix(struct np_ctl *ctl)
{
	fputs(NP_CTL_PROG ": ", ctl->err);
	if (ctl->batch_file)
		fprintf(ctl->err, "%s:%lu: ", ctl->batch_file, ctl->batch_line);
}

static void try_help(struct np_ctl *ctl, const char *cmd)
{
	fprintf(ctl->err, "Try '" NP_CTL_PROG "%s%s --help' for more information.\n",
		cmd ? " " : "", cmd ? cmd : "");
}

void np_ctl_usage_errorf(struct np_ctl *ctl, const char *cmd,
			 const char *what, const char *fmt, ...)
{
	va_list ap;

	prefix(ctl);
	fprintf(ctl->err, "%s: ", what);
	va_start(ap, fmt);
	vfprintf(ctl->err, fmt, ap);
	va_end(ap);
	fputc('\n', ctl->err);
	try_help(ctl, cmd);
}

int np_ctl_ifindex(struct np_ctl *ctl, const char *what, const char *name,
		   uint32_t *ifindex)
{
	unsigned int i = 0;

	if (name[0] && strlen(name) < IF_NAMESIZE)
		i = ctl->nametoindex ? ctl->nametoindex(name) :
				       if_nametoindex(name);
	if (!i) {
		np_ctl_errorf(ctl, what, "%s: no such device", name);
		return -1;
	}
	*ifindex = i;
	return 0;
}

void np_ctl_errorf(struct np_ctl *ctl, const char *what, const char *fmt, ...)
{
	va_list ap;

	prefix(ctl);
	fprintf(ctl->err, "%s: ", what);
	va_start(ap, fmt);
	vfprintf(ctl->err, fmt, ap);
	va_end(ap);
	fputc('\n', ctl->err);
}

void np_ctl_error(struct np_ctl *ctl, const char *what,
		  const struct np_err *err)
{
	char buf[NP_ERR_MSG_LEN + 128];

	prefix(ctl);
	fprintf(ctl->err, "%s: %s\n", what, np_err_str(err, buf, sizeof(buf)));
}

int np_ctl_args(struct np_ctl *ctl, const struct np_ctl_cmd *cmd, int argc,
		char **argv, char **pos, int *npos)
{
	bool opts = true;
	int max = *npos, n = 0, i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (opts && !strcmp(a, "--")) {
			opts = false;
		} else if (opts && (!strcmp(a, "-s") || !strcmp(a, "--script"))) {
			ctl->script = true;
		} else if (opts && (!strcmp(a, "-h") || !strcmp(a, "--help"))) {
			fprintf(ctl->out, "Usage: " NP_CTL_PROG " %s%s%s\n\n%s\n",
				cmd->name, cmd->args[0] ? " " : "", cmd->args,
				cmd->summary);
			if (cmd->help)
				fprintf(ctl->out, "\n%s", cmd->help);
			return NP_CTL_EXIT_OK;
		} else if (opts && a[0] == '-' && a[1]) {
			np_ctl_errorf(ctl, cmd->name, "unknown option '%s'", a);
			try_help(ctl, cmd->name);
			return NP_CTL_EXIT_FAIL;
		} else if (n < max) {
			pos[n++] = argv[i];
		} else {
			np_ctl_errorf(ctl, cmd->name, "unexpected argument '%s'", a);
			try_help(ctl, cmd->name);
			return NP_CTL_EXIT_FAIL;
		}
	}
	*npos = n;
	return NP_CTL_CONTINUE;
}

int np_ctl_nl_open(struct np_ctl *ctl, struct np_nl **nl, struct np_err *err)
{
	int r;

	if (ctl->nl) {
		*nl = ctl->nl;
		return 0;
	}
	r = ctl->nl_open ? ctl->nl_open(nl, err) : np_nl_open(nl, err);
	if (r < 0)
		return r;
	if (ctl->batch_file)
		ctl->nl = *nl;
	return 0;
}

void np_ctl_nl_close(struct np_ctl *ctl, struct np_nl *nl)
{
	if (nl && nl != ctl->nl)
		np_nl_close(nl);
}

/* Runs argv[0] (a command name) with its arguments. */
static int dispatch(struct np_ctl *ctl, int argc, char **argv)
{
	size_t i;

	for (i = 0; i < N_CMDS; i++) {
		if (strcmp(cmds[i]->name, argv[0]))
			continue;
		if (ctl->json && !cmds[i]->json) {
			prefix(ctl);
			fprintf(ctl->err, "%s: no JSON output (-j)\n", argv[0]);
			try_help(ctl, argv[0]);
			return NP_CTL_EXIT_FAIL;
		}
		return cmds[i]->run(ctl, argc, argv);
	}
	prefix(ctl);
	fprintf(ctl->err, "unknown command '%s'\n", argv[0]);
	try_help(ctl, NULL);
	return NP_CTL_EXIT_FAIL;
}

/* Words of one batch line (the command name included), at most. */
#define BATCH_MAX_WORDS 256

int np_ctl_batch(struct np_ctl *ctl, const char *name, FILE *f)
{
	char *argv[BATCH_MAX_WORDS + 1];
	int status = NP_CTL_EXIT_OK;
	bool script = ctl->script;
	bool json = ctl->json;
	char *line = NULL;
	size_t cap = 0;

	ctl->batch_file = name;
	ctl->batch_line = 0;
	ctl->nl = NULL;
	for (;;) {
		char *p, *save = NULL;
		int argc = 0;

		errno = 0;
		if (getline(&line, &cap, f) < 0) {
			if (ferror(f)) {
				prefix(ctl);
				fprintf(ctl->err, "read error: %s\n",
					strerror(errno ? errno : EIO));
				status = NP_CTL_EXIT_FAIL;
			}
			break;
		}
		ctl->batch_line++;
		for (p = strtok_r(line, " \t\r\n", &save); p;
		     p = strtok_r(NULL, " \t\r\n", &save)) {
			if (argc == 0 && p[0] == '#')
				break;
			if (argc == BATCH_MAX_WORDS) {
				prefix(ctl);
				fprintf(ctl->err, "more than %d words\n",
					BATCH_MAX_WORDS);
				status = NP_CTL_EXIT_FAIL;
				goto out;
			}
			argv[argc++] = p;
		}
		if (!argc)
			continue;
		argv[argc] = NULL;
		/* A line's -s must not leak into the next one. */
		ctl->script = script;
		ctl->json = json;
		status = dispatch(ctl, argc, argv);
		if (status != NP_CTL_EXIT_OK)
			break;
	}
out:
	free(line);
	if (ctl->nl)
		np_nl_close(ctl->nl);
	ctl->nl = NULL;
	if (ctl->trace_cache && ctl->trace_cache_free)
		ctl->trace_cache_free(ctl->trace_cache);
	ctl->trace_cache = NULL;
	ctl->batch_file = NULL;
	ctl->script = script;
	ctl->json = json;
	return status;
}

static int run_batch(struct np_ctl *ctl, const char *name)
{
	FILE *f = stdin;
	int status;

	if (strcmp(name, "-")) {
		f = fopen(name, "r");
		if (!f) {
			fprintf(ctl->err, NP_CTL_PROG ": %s: %s\n", name,
				strerror(errno));
			return NP_CTL_EXIT_FAIL;
		}
	}
	status = np_ctl_batch(ctl, name, f);
	if (f != stdin)
		fclose(f);
	return status;
}

int np_ctl_main(struct np_ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "script", no_argument, NULL, 's' },
		{ "batch", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *batch = NULL;
	int c;

	opterr = 0;	/* our messages, on ctl->err */
	optind = 0;	/* full reinitialisation (glibc), for repeated calls */
	while ((c = getopt_long(argc, argv, "+sjb:hV", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			ctl->script = true;
			break;
		case 'j':
			ctl->json = true;
			break;
		case 'b':
			batch = optarg;
			break;
		case 'h':
			usage(ctl->out);
			return NP_CTL_EXIT_OK;
		case 'V':
			fprintf(ctl->out, NP_CTL_PROG " %s\n", np_version);
			return NP_CTL_EXIT_OK;
		default:
			if (optopt == 'b')
				fprintf(ctl->err, NP_CTL_PROG ": option '%s' needs a FILE\n",
					argv[optind - 1]);
			else if (optopt && strncmp(argv[optind - 1], "--", 2))
				fprintf(ctl->err, NP_CTL_PROG ": unknown option '-%c'\n",
					optopt);
			else
				fprintf(ctl->err, NP_CTL_PROG ": unknown option '%s'\n",
					argv[optind - 1]);
			try_help(ctl, NULL);
			return NP_CTL_EXIT_FAIL;
		}
	}
	if (batch) {
		if (optind < argc) {
			fprintf(ctl->err, NP_CTL_PROG ": -b FILE takes no command ('%s' given)\n",
				argv[optind]);
			try_help(ctl, NULL);
			return NP_CTL_EXIT_FAIL;
		}
		return run_batch(ctl, batch);
	}
	if (optind >= argc) {
		fprintf(ctl->err, NP_CTL_PROG ": no command given\n");
		try_help(ctl, NULL);
		return NP_CTL_EXIT_FAIL;
	}
	return dispatch(ctl, argc - optind, argv + optind);
}
