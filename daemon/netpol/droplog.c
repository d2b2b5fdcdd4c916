// SPDX-License-Identifier: GPL-2.0-only
/*
 * Drop log lines, rate-limited per pod and direction (droplog.h). The
 * buckets live in a small array, most recently used first: a node holds
 * a few hundred pods; past NP_DROPLOG_KEYS the least recently used bucket
 * is forgotten (its pod starts again with a full burst).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/nodeplane.h>

#include "netpol/droplog.h"

#define REFILL_MS (60000 / NP_DROPLOG_PER_MIN)

struct bucket {
	struct np_addr ep;
	uint8_t dir;
	unsigned int tokens;
	uint64_t refill_ms;		/* when the next token comes */
	uint64_t held;			/* drops not logged since the last line */
};

struct np_droplog {
	struct bucket *v;
	size_t n;
};

struct np_droplog *np_droplog_new(void)
{
	struct np_droplog *dl = calloc(1, sizeof(*dl));

	if (dl)
		dl->v = calloc(NP_DROPLOG_KEYS, sizeof(*dl->v));
	if (dl && !dl->v) {
		free(dl);
		dl = NULL;
	}
	return dl;
}

void np_droplog_free(struct np_droplog *dl)
{
	if (!dl)
		return;
	free(dl->v);
	free(dl);
}

/* The bucket of (ep, dir), moved to the front; a new one when absent. */
static struct bucket *bucket(struct np_droplog *dl, const struct np_addr *ep,
			     uint8_t dir, uint64_t now)
{
	struct bucket b = { .ep = *ep, .dir = dir, .tokens = NP_DROPLOG_BURST,
			    .refill_ms = now + REFILL_MS };
	size_t i;

	for (i = 0; i < dl->n; i++)
		if (dl->v[i].dir == dir && np_addr_eq(&dl->v[i].ep, ep))
			break;
	if (i < dl->n)
		b = dl->v[i];
	else if (dl->n < NP_DROPLOG_KEYS)
		i = dl->n++;
	else
		i = dl->n - 1;		/* the least recently used goes */
	memmove(dl->v + 1, dl->v, i * sizeof(*dl->v));
	dl->v[0] = b;
	return &dl->v[0];
}

static const char *proto_name(uint8_t p, char *buf, size_t len)
{
	switch (p) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_SCTP:
		return "sctp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmpv6";
	}
	snprintf(buf, len, "proto %u", p);
	return buf;
}

/* "10.0.0.1:80", "[fd00::1]:80", or the address alone without a port. */
static const char *endp(const struct np_addr *a, bool ports, uint16_t port,
			char *buf, size_t len)
{
	char s[NP_ADDR_STRLEN];

	np_addr_str(a, s, sizeof(s));
	if (!ports)
		snprintf(buf, len, "%s", s);
	else if (a->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", s, port);
	else
		snprintf(buf, len, "%s:%u", s, port);
	return buf;
}

bool np_droplog_event(struct np_droplog *dl, const struct np_pol_drop *d,
		      const char *peer, uint64_t now_ms, char *buf,
		      size_t len)
{
	struct bucket *b = bucket(dl, &d->endpoint, d->dir, now_ms);
	bool ports = d->proto == IPPROTO_TCP || d->proto == IPPROTO_UDP ||
		     d->proto == IPPROTO_SCTP;
	bool in = d->dir == NP_POL_DIR_INGRESS;
	char s[NP_ADDR_STRLEN + 8], t[NP_ADDR_STRLEN + 8], p[16];
	char name[NP_ADDR_STRLEN];
	size_t o;

	while (b->tokens < NP_DROPLOG_BURST && now_ms >= b->refill_ms) {
		b->tokens++;
		b->refill_ms += REFILL_MS;
	}
	if (b->tokens == NP_DROPLOG_BURST && now_ms >= b->refill_ms)
		b->refill_ms = now_ms + REFILL_MS;
	b->held += d->suppressed;
	if (!b->tokens) {
		b->held++;
		return false;
	}
	b->tokens--;
	o = (size_t)snprintf(buf, len,
			     "DROP by policy %s %s: %s %s -> %s %s %s",
			     d->name[0] ? d->name :
			     np_addr_str(&d->endpoint, name, sizeof(name)),
			     in ? "ingress" : "egress",
			     proto_name(d->proto, p, sizeof(p)),
			     endp(&d->saddr, ports, d->sport, s, sizeof(s)),
			     endp(&d->daddr, ports, d->dport, t, sizeof(t)),
			     in ? "from" : "to", peer && peer[0] ? peer : "-");
	if (b->held && o < len)
		snprintf(buf + o, len - o, " (%" PRIu64 " more not logged)",
			 b->held);
	b->held = 0;
	return true;
}
