// SPDX-License-Identifier: GPL-2.0-only
/* nodeplanectl: global options, the subcommand table, shared diagnostics. */
#include <getopt.h>
#include <net/if.h>
#include <stdarg.h>
#include <string.h>

#include "ctl/ctl.h"
#include "version.h"

static const struct np_ctl_cmd *const cmds[] = {
	&np_ctl_cmd_info,
	&np_ctl_cmd_overlay,
	&np_ctl_cmd_peer,
	&np_ctl_cmd_masq,
	&np_ctl_cmd_raw_info,
	&np_ctl_cmd_raw_peer,
};

#define N_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: " NP_CTL_PROG " [OPTIONS] COMMAND [ARGS]\n"
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
		"  -h, --help     show this help and exit\n"
		"  -V, --version  show the version and exit\n"
		"\n"
		"Exit status:\n"
		"  0  success\n"
		"  1  failure: usage error, module not loaded, permission denied,\n"
		"     or an error reported by the module (explained on stderr)\n");
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

	fprintf(ctl->err, NP_CTL_PROG ": %s: ", what);
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

	fprintf(ctl->err, NP_CTL_PROG ": %s: ", what);
	va_start(ap, fmt);
	vfprintf(ctl->err, fmt, ap);
	va_end(ap);
	fputc('\n', ctl->err);
}

void np_ctl_error(struct np_ctl *ctl, const char *what,
		  const struct np_err *err)
{
	char buf[NP_ERR_MSG_LEN + 128];

	fprintf(ctl->err, NP_CTL_PROG ": %s: %s\n", what,
		np_err_str(err, buf, sizeof(buf)));
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

int np_ctl_main(struct np_ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "script", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name;
	size_t i;
	int c;

	opterr = 0;	/* our messages, on ctl->err */
	optind = 0;	/* full reinitialisation (glibc), for repeated calls */
	while ((c = getopt_long(argc, argv, "+shV", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			ctl->script = true;
			break;
		case 'h':
			usage(ctl->out);
			return NP_CTL_EXIT_OK;
		case 'V':
			fprintf(ctl->out, NP_CTL_PROG " %s\n", np_version);
			return NP_CTL_EXIT_OK;
		default:
			if (optopt && strncmp(argv[optind - 1], "--", 2))
				fprintf(ctl->err, NP_CTL_PROG ": unknown option '-%c'\n",
					optopt);
			else
				fprintf(ctl->err, NP_CTL_PROG ": unknown option '%s'\n",
					argv[optind - 1]);
			try_help(ctl, NULL);
			return NP_CTL_EXIT_FAIL;
		}
	}
	if (optind >= argc) {
		fprintf(ctl->err, NP_CTL_PROG ": no command given\n");
		try_help(ctl, NULL);
		return NP_CTL_EXIT_FAIL;
	}
	name = argv[optind];
	for (i = 0; i < N_CMDS; i++)
		if (!strcmp(cmds[i]->name, name))
			return cmds[i]->run(ctl, argc - optind, argv + optind);
	fprintf(ctl->err, NP_CTL_PROG ": unknown command '%s'\n", name);
	try_help(ctl, NULL);
	return NP_CTL_EXIT_FAIL;
}
