/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nodeplanectl: the subcommand table and what subcommands share. Each
 * subcommand lives in its own file and exports one struct np_ctl_cmd.
 */
#ifndef _NP_CTL_H
#define _NP_CTL_H

#include <stdbool.h>
#include <stdio.h>

#include "nl/nl.h"

#define NP_CTL_PROG "nodeplanectl"

/* Exit statuses. */
enum {
	NP_CTL_EXIT_OK = 0,
	NP_CTL_EXIT_FAIL = 1,	/* any failure, usage errors included */
};

struct np_ctl {
	FILE *out;	/* results */
	FILE *err;	/* diagnostics */
	bool script;	/* tab-separated output */
};

struct np_ctl_cmd {
	const char *name;
	const char *args;	/* usage synopsis after the name, "" if none */
	const char *summary;
	bool hidden;		/* for tests: not listed by --help */
	/* argv[0] is the subcommand's name; returns an exit status. */
	int (*run)(struct np_ctl *ctl, int argc, char **argv);
};

extern const struct np_ctl_cmd np_ctl_cmd_info;
extern const struct np_ctl_cmd np_ctl_cmd_raw_info;

/* Parses global options, dispatches; returns the process exit status. */
int np_ctl_main(struct np_ctl *ctl, int argc, char **argv);

#define NP_CTL_CONTINUE (-1)

/*
 * Parses a subcommand's arguments: -s/--script and -h/--help anywhere,
 * "--" ends options, at most *npos positionals (stored in pos, their count
 * back in *npos). Returns NP_CTL_CONTINUE to go on, or the exit status to
 * return at once (help printed, or a usage error reported).
 */
int np_ctl_args(struct np_ctl *ctl, const struct np_ctl_cmd *cmd, int argc,
		char **argv, char **pos, int *npos);

/* "nodeplanectl: <what>: <msg> (<strerror>)" on ctl->err. */
void np_ctl_error(struct np_ctl *ctl, const char *what,
		  const struct np_err *err);
/* "nodeplanectl: <what>: <fmt...>" on ctl->err. */
void np_ctl_errorf(struct np_ctl *ctl, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* `info` output, pretty or script; exported for the unit tests. */
void np_ctl_info_print(FILE *out, const struct np_info *info, bool script);

#endif /* _NP_CTL_H */
