// SPDX-License-Identifier: GPL-2.0-only
/* nodeplaned logging to stderr. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "log.h"

static enum np_log_level log_max = NP_LOG_INFO;

static const char *const level_names[] = {
	[NP_LOG_ERROR] = "error",
	[NP_LOG_WARNING] = "warning",
	[NP_LOG_INFO] = "info",
	[NP_LOG_DEBUG] = "debug",
};

void np_log_set_level(enum np_log_level max)
{
	log_max = max;
}

void np_log(enum np_log_level level, const char *fmt, ...)
{
	char line[1024];
	int saved = errno;
	va_list ap;
	size_t n;
	int r;

	if (level > log_max)
		return;
	r = snprintf(line, sizeof(line), "nodeplaned: %s: ",
		     level_names[level]);
	n = r > 0 ? (size_t)r : 0;
	va_start(ap, fmt);
	r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	n += r > 0 ? (size_t)r : 0;
	if (n > sizeof(line) - 2)	/* truncated: keep room for "\n" */
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* One write per line, so lines never interleave. */
	if (write(STDERR_FILENO, line, n) < 0) {
		/* nowhere left to report it */
	}
	errno = saved;
}
