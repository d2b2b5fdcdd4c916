/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Generic-netlink family events: nlctrl's "notify" multicast group tells
 * when a family is registered (a module loaded) or unregistered (a module
 * unloaded). main.c passes them to the runner (np_runner_family), so a
 * module reload is programmed again at once instead of at the next resync.
 */
#ifndef _NP_RECONCILE_FAMWATCH_H
#define _NP_RECONCILE_FAMWATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "nl/nl.h"

struct np_famwatch;

/* name: the family's (validated: 1 to 15 characters); added: NEWFAMILY,
 * else DELFAMILY; id: the family id the event carries (0 if none). */
typedef void (*np_famwatch_fn)(void *ctx, const char *name, bool added,
			       uint16_t id);

/* A non-blocking socket subscribed to the events. 0 or a negative errno
 * (err filled). */
int np_famwatch_open(struct np_famwatch **out, np_famwatch_fn fn, void *ctx,
		     struct np_err *err);
void np_famwatch_close(struct np_famwatch *fw);
int np_famwatch_fd(const struct np_famwatch *fw);
/*
 * Reads every pending event, calling fn for each family event. Returns 0,
 * or -ENOBUFS when the socket overflowed (events were lost: the caller
 * must assume anything changed), or another negative errno.
 */
int np_famwatch_read(struct np_famwatch *fw);

#endif /* _NP_RECONCILE_FAMWATCH_H */
