/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Drop log lines (netpol/droplog.c): the module's NP_CMD_POLICY_DROP
 * events as one line each, like the "DROP by policy" records K3s's
 * kube-router writes (NFLOG prefix "DROP by policy <ns>/<policy>"), but
 * naming the pod whose check refused the connection, the direction, the
 * flow and the pod on the other side when the model knows it:
 *
 *   DROP by policy x/web ingress: tcp 10.42.1.3:40112 -> 10.42.0.7:80 from y/client
 *   DROP by policy x/client egress: udp 10.42.0.9:5353 -> 10.43.0.10:53 to -
 *   ... (12 more not logged)
 *
 * Rate-limited per pod and direction as kube-router's NFLOG rule is (a
 * token bucket of NP_DROPLOG_BURST lines, refilled at NP_DROPLOG_PER_MIN
 * a minute); the line after a gap says how many drops were not logged:
 * those the module did not report (its own limit, NP_PEV_A_SUPPRESSED)
 * plus the events this limit held back. Pure: no I/O, time is given.
 */
#ifndef _NP_NETPOL_DROPLOG_H
#define _NP_NETPOL_DROPLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nl/nl.h"

#define NP_DROPLOG_PER_MIN 10
#define NP_DROPLOG_BURST 10
#define NP_DROPLOG_KEYS 4096	/* pods x directions remembered */

struct np_droplog;

struct np_droplog *np_droplog_new(void);
void np_droplog_free(struct np_droplog *dl);

/*
 * One event at now_ms; peer: "namespace/pod" of the other side (the
 * source for ingress, the destination for egress), or NULL. Returns true
 * with the line (without the trailing newline) in buf when it is to be
 * logged, false when the limit holds it back (counted for the next line).
 */
bool np_droplog_event(struct np_droplog *dl, const struct np_pol_drop *d,
		      const char *peer, uint64_t now_ms, char *buf,
		      size_t len);

#endif /* _NP_NETPOL_DROPLOG_H */
