// SPDX-License-Identifier: GPL-2.0-only
/*
 * struct np_lb_frontend as a value: copy, free, canonical order and
 * comparison (no netlink here; the planners use it too).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/nodeplane.h>

#include "nl/nl.h"

void np_lb_frontend_clear(struct np_lb_frontend *fe)
{
	free(fe->backends);
	free(fe->ranges);
	fe->backends = NULL;
	fe->n_backends = 0;
	fe->ranges = NULL;
	fe->n_ranges = 0;
}

void np_lb_list_free(struct np_lb_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		np_lb_frontend_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void *dup_array(const void *src, size_t n, size_t size)
{
	void *p;

	if (!n)
		return NULL;
	p = calloc(n, size);
	if (p)
		memcpy(p, src, n * size);
	return p;
}

int np_lb_frontend_copy(struct np_lb_frontend *dst,
			const struct np_lb_frontend *src)
{
	struct np_lb_backend *b;
	struct np_cidr *r;

	b = dup_array(src->backends, src->n_backends, sizeof(*b));
	r = dup_array(src->ranges, src->n_ranges, sizeof(*r));
	if ((src->n_backends && !b) || (src->n_ranges && !r)) {
		free(b);
		free(r);
		return -ENOMEM;
	}
	*dst = *src;
	dst->backends = b;
	dst->ranges = r;
	return 0;
}

#define CMP(x, y) (((x) > (y)) - ((x) < (y)))

int np_lb_frontend_cmp_key(const struct np_lb_frontend *a,
			   const struct np_lb_frontend *b)
{
	if (a->family != b->family)
		return CMP(a->family, b->family);
	if (a->proto != b->proto)
		return CMP(a->proto, b->proto);
	if (a->port != b->port)
		return CMP(a->port, b->port);
	return np_addr_cmp(&a->local, &b->local);
}

int np_lb_frontend_qcmp(const void *a, const void *b)
{
	return np_lb_frontend_cmp_key(a, b);
}

int np_lb_backend_cmp(const void *pa, const void *pb)
{
	const struct np_lb_backend *a = pa, *b = pb;
	int r = np_addr_cmp(&a->addr, &b->addr);

	if (r)
		return r;
	if (a->port != b->port)
		return CMP(a->port, b->port);
	return CMP(a->flags, b->flags);
}

/* Sorts n elements and drops exact duplicates; returns the new count. */
static size_t sort_unique(void *base, size_t n, size_t size,
			  int (*cmp)(const void *, const void *))
{
	char *v = base;
	size_t i, out = 0;

	if (n < 2)
		return n;
	qsort(v, n, size, cmp);
	for (i = 1; i < n; i++) {
		if (!cmp(v + out * size, v + i * size))
			continue;
		out++;
		if (out != i)
			memcpy(v + out * size, v + i * size, size);
	}
	return out + 1;
}

void np_lb_frontend_canon(struct np_lb_frontend *fe)
{
	fe->n_backends = sort_unique(fe->backends, fe->n_backends,
				     sizeof(*fe->backends), np_lb_backend_cmp);
	fe->n_ranges = sort_unique(fe->ranges, fe->n_ranges,
				   sizeof(*fe->ranges), np_cidr_cmp);
}

bool np_lb_frontend_same(const struct np_lb_frontend *a,
			 const struct np_lb_frontend *b)
{
	size_t i;

	if (np_lb_frontend_cmp_key(a, b) || a->owner != b->owner ||
	    a->flags != b->flags || a->affinity != b->affinity ||
	    a->n_backends != b->n_backends || a->n_ranges != b->n_ranges)
		return false;
	for (i = 0; i < a->n_backends; i++)
		if (np_lb_backend_cmp(&a->backends[i], &b->backends[i]))
			return false;
	for (i = 0; i < a->n_ranges; i++)
		if (np_cidr_cmp(&a->ranges[i], &b->ranges[i]))
			return false;
	return true;
}

static const char *proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_SCTP:
		return "sctp";
	}
	return "proto?";
}

const char *np_lb_key_str(const struct np_lb_frontend *fe, char *buf,
			  size_t len)
{
	char a[NP_ADDR_STRLEN];

	if (!fe->local.family)
		snprintf(buf, len, "%s/%u%s", proto_name(fe->proto), fe->port,
			 fe->family == AF_INET6 ? "/ipv6" : "");
	else if (fe->local.family == AF_INET6)
		snprintf(buf, len, "%s/[%s]:%u", proto_name(fe->proto),
			 np_addr_str(&fe->local, a, sizeof(a)), fe->port);
	else
		snprintf(buf, len, "%s/%s:%u", proto_name(fe->proto),
			 np_addr_str(&fe->local, a, sizeof(a)), fe->port);
	return buf;
}

const char *np_nl_lbstat_name(unsigned int i)
{
	static const char *const names[NP_LBSTAT_N] = {
		"packets", "bytes", "conns", "drop_range", "drop_no_backend",
		"drop_nat",
	};

	return i < NP_LBSTAT_N ? names[i] : "?";
}
