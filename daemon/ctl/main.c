// SPDX-License-Identifier: GPL-2.0-only
/* nodeplanectl: entry point only; everything else is testable in cli.c. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "ctl/ctl.h"

int main(int argc, char **argv)
{
	struct np_ctl ctl = {
		.out = stdout,
		.err = stderr,
		.script = !isatty(STDOUT_FILENO),
		.policy_trace = np_ctl_policy_trace,
	};
	int status;

	status = np_ctl_main(&ctl, argc, argv);
	/* A full disk or a closed pipe must not pass for success. */
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, NP_CTL_PROG ": cannot write output%s%s\n",
			errno ? ": " : "", errno ? strerror(errno) : "");
		return NP_CTL_EXIT_FAIL;
	}
	return status;
}
