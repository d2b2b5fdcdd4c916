/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/user/unit/logcap.h: what the code under test logs to stderr,
 * captured for one case into an O_TMPFILE. main() saves the real stderr
 * first: orig_stderr = dup(STDERR_FILENO).
 */
#ifndef _NP_TEST_LOGCAP_H
#define _NP_TEST_LOGCAP_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int orig_stderr = -1;
static char logs[8192];		/* the text of the last log_stop() */

/* stderr into a fresh temporary file. */
static inline void log_start(void)
{
	int fd = open("/tmp", O_TMPFILE | O_RDWR, 0600);

	if (fd < 0) {
		perror("O_TMPFILE");
		exit(2);
	}
	dup2(fd, STDERR_FILENO);
	close(fd);
}

/* What was logged since log_start(), with directory d shown as "D". */
static inline const char *log_stop(const char *d)
{
	char raw[sizeof(logs)];
	ssize_t n = pread(STDERR_FILENO, raw, sizeof(raw) - 1, 0);
	size_t dl = strlen(d), o = 0;
	char *s;

	dup2(orig_stderr, STDERR_FILENO);
	raw[n > 0 ? n : 0] = '\0';
	for (s = raw; *s && o + 1 < sizeof(logs);) {
		if (!strncmp(s, d, dl)) {
			logs[o++] = 'D';
			s += dl;
		} else {
			logs[o++] = *s++;
		}
	}
	logs[o] = '\0';
	return logs;
}

#endif /* _NP_TEST_LOGCAP_H */
