// SPDX-License-Identifier: GPL-2.0-only
/*
 * NetworkPolicy endpoints and class map entries as values: free, copy,
 * the canonical form (rules of one (dir, cls) merged, ports sorted and
 * merged), comparison and names (no netlink here; the reconciler and
 * nodeplanectl use it too).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <linux/nodeplane.h>

#include "nl/nl.h"

#define CMP(x, y) (((x) > (y)) - ((x) < (y)))

void np_pol_endpoint_clear(struct np_pol_endpoint *ep)
{
	size_t i;

	for (i = 0; i < ep->n_rules; i++)
		free(ep->rules[i].ports);
	free(ep->rules);
	free(ep->name);
	ep->rules = NULL;
	ep->n_rules = 0;
	ep->name = NULL;
}

void np_pol_state_free(struct np_pol_state *st)
{
	size_t i;

	for (i = 0; i < st->n_endpoints; i++)
		np_pol_endpoint_clear(&st->endpoints[i]);
	free(st->endpoints);
	free(st->classes);
	memset(st, 0, sizeof(*st));
}

int np_pol_endpoint_copy(struct np_pol_endpoint *dst,
			 const struct np_pol_endpoint *src)
{
	size_t i;

	*dst = *src;
	dst->name = NULL;
	dst->rules = NULL;
	dst->n_rules = 0;
	if (src->name && !(dst->name = strdup(src->name)))
		goto fail;
	if (src->n_rules) {
		dst->rules = calloc(src->n_rules, sizeof(*dst->rules));
		if (!dst->rules)
			goto fail;
	}
	for (i = 0; i < src->n_rules; i++) {
		const struct np_pol_rule *r = &src->rules[i];

		dst->rules[i] = *r;
		dst->rules[i].ports = NULL;
		dst->rules[i].n_ports = 0;
		dst->n_rules = i + 1;
		if (!r->n_ports)
			continue;
		dst->rules[i].ports = malloc(r->n_ports * sizeof(*r->ports));
		if (!dst->rules[i].ports)
			goto fail;
		memcpy(dst->rules[i].ports, r->ports,
		       r->n_ports * sizeof(*r->ports));
		dst->rules[i].n_ports = r->n_ports;
	}
	return 0;
fail:
	np_pol_endpoint_clear(dst);
	return -ENOMEM;
}

int np_pol_endpoint_qcmp(const void *a, const void *b)
{
	const struct np_pol_endpoint *x = a, *y = b;

	return np_addr_cmp(&x->addr, &y->addr);
}

int np_pol_class_qcmp(const void *a, const void *b)
{
	const struct np_pol_class *x = a, *y = b;

	return np_cidr_cmp(&x->cidr, &y->cidr);
}

static int port_cmp(const void *a, const void *b)
{
	const struct np_pol_port *x = a, *y = b;

	if (x->proto != y->proto)
		return CMP(x->proto, y->proto);
	if (x->first != y->first)
		return CMP(x->first, y->first);
	return CMP(x->last, y->last);
}

/* Sorted, merged ports; returns the new count. */
static size_t ports_canon(struct np_pol_port *p, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		/* 1..65535 is every port: one spelling */
		if (!p[i].first || (p[i].first == 1 && p[i].last == 65535))
			p[i].first = p[i].last = 0;
		else if (p[i].last < p[i].first)
			p[i].last = p[i].first;
	}
	if (n > 1)
		qsort(p, n, sizeof(*p), port_cmp);
	for (i = 0; i < n; i++) {
		struct np_pol_port *last = o ? &p[o - 1] : NULL;

		if (last && last->proto == p[i].proto) {
			/* an all-ports entry sorts first and takes the rest */
			if (!last->first)
				continue;
			if ((uint32_t)last->last + 1 >= p[i].first) {
				if (p[i].last > last->last)
					last->last = p[i].last;
				continue;
			}
		}
		p[o++] = p[i];
	}
	return o;
}

static int rule_cmp(const void *a, const void *b)
{
	const struct np_pol_rule *x = a, *y = b;

	if (x->dir != y->dir)
		return CMP(x->dir, y->dir);
	return CMP(x->cls, y->cls);
}

int np_pol_endpoint_canon(struct np_pol_endpoint *ep)
{
	struct np_pol_rule *r = ep->rules;
	size_t i, j, k, o = 0, n = ep->n_rules;

	if (n > 1)
		qsort(r, n, sizeof(*r), rule_cmp);
	/* merge each run of one (dir, cls) into its first rule */
	for (i = 0; i < n; i = j) {
		bool all = !r[i].n_ports;
		size_t total = r[i].n_ports;

		for (j = i + 1; j < n && !rule_cmp(&r[i], &r[j]); j++) {
			all = all || !r[j].n_ports;
			total += r[j].n_ports;
		}
		if (all) {
			for (k = i; k < j; k++) {
				free(r[k].ports);
				r[k].ports = NULL;
				r[k].n_ports = 0;
			}
		} else if (j > i + 1) {
			struct np_pol_port *p = malloc(total * sizeof(*p));
			size_t m = 0;

			if (!p)
				return -ENOMEM;
			for (k = i; k < j; k++) {
				memcpy(p + m, r[k].ports,
				       r[k].n_ports * sizeof(*p));
				m += r[k].n_ports;
				free(r[k].ports);
				r[k].ports = NULL;
				r[k].n_ports = 0;
			}
			r[i].ports = p;
			r[i].n_ports = m;
		}
		r[i].n_ports = ports_canon(r[i].ports, r[i].n_ports);
		r[o++] = r[i];
	}
	ep->n_rules = o;
	ep->flags &= NP_PEP_F_INGRESS | NP_PEP_F_EGRESS;
	if (ep->name && !ep->name[0]) {
		free(ep->name);
		ep->name = NULL;
	}
	return 0;
}

bool np_pol_endpoint_same(const struct np_pol_endpoint *a,
			  const struct np_pol_endpoint *b)
{
	size_t i;

	if (np_addr_cmp(&a->addr, &b->addr) || a->flags != b->flags ||
	    a->n_rules != b->n_rules ||
	    strcmp(a->name ? a->name : "", b->name ? b->name : ""))
		return false;
	for (i = 0; i < a->n_rules; i++) {
		const struct np_pol_rule *x = &a->rules[i], *y = &b->rules[i];

		if (x->dir != y->dir || x->cls != y->cls ||
		    x->n_ports != y->n_ports)
			return false;
		if (x->n_ports && memcmp(x->ports, y->ports,
					 x->n_ports * sizeof(*x->ports)))
			return false;
	}
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

const char *np_pol_port_str(const struct np_pol_port *p, char *buf,
			    size_t len)
{
	if (!p->first)
		snprintf(buf, len, "%s", proto_name(p->proto));
	else if (p->first == p->last)
		snprintf(buf, len, "%s/%u", proto_name(p->proto), p->first);
	else
		snprintf(buf, len, "%s/%u-%u", proto_name(p->proto), p->first,
			 p->last);
	return buf;
}

const char *np_nl_pstat_name(unsigned int i)
{
	static const char *const names[NP_PSTAT_N] = {
		"ingress_allowed", "ingress_dropped", "egress_allowed",
		"egress_dropped",
	};

	return i < NP_PSTAT_N ? names[i] : "?";
}

const char *np_pol_dir_name(uint8_t dir)
{
	return dir == NP_POL_DIR_INGRESS ? "ingress" :
	       dir == NP_POL_DIR_EGRESS ? "egress" : "dir?";
}
