/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Building a struct np_lb_list (nl/nl.h) in the planners of servicelb/
 * and hostport/: append frontends and backends, then finish: canonical
 * backends (one per address and port, the ready one kept), sorted by key,
 * one frontend per key. Pure; no netlink.
 */
#ifndef _NP_LBLIST_H
#define _NP_LBLIST_H

#include <stddef.h>
#include <stdint.h>

#include "nl/nl.h"

struct np_lblist {
	struct np_lb_list l;
	size_t cap;
};

/* A zeroed frontend at the end, or NULL out of memory. */
struct np_lb_frontend *np_lblist_add(struct np_lblist *b);
/* Appends a backend to fe (*cap: its backends' capacity). 0 or -ENOMEM. */
int np_lblist_add_backend(struct np_lb_frontend *fe, size_t *cap,
			  const struct np_addr *addr, uint16_t port,
			  uint32_t flags);
void np_lblist_finish(struct np_lblist *b);

#endif /* _NP_LBLIST_H */
