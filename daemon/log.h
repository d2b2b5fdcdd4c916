/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nodeplaned logging: one line per message on stderr,
 * "nodeplaned: <level>: <text>"; the service manager adds timestamps.
 */
#ifndef _NP_LOG_H
#define _NP_LOG_H

enum np_log_level {
	NP_LOG_ERROR,
	NP_LOG_WARNING,
	NP_LOG_INFO,
	NP_LOG_DEBUG,
};

/* Messages above max are dropped. Default: NP_LOG_INFO. */
void np_log_set_level(enum np_log_level max);
void np_log(enum np_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define np_log_error(...)	np_log(NP_LOG_ERROR, __VA_ARGS__)
#define np_log_warning(...)	np_log(NP_LOG_WARNING, __VA_ARGS__)
#define np_log_info(...)	np_log(NP_LOG_INFO, __VA_ARGS__)
#define np_log_debug(...)	np_log(NP_LOG_DEBUG, __VA_ARGS__)

#endif /* _NP_LOG_H */
