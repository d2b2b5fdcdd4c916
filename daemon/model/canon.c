// SPDX-License-Identifier: GPL-2.0-only
/*
 * Change detection: each kind writes its decoded fields (everything but
 * resourceVersion) into a canonical byte string; two objects are equal when
 * their strings are. Strings are length-prefixed, so field boundaries
 * cannot shift; NULL and "" differ.
 */
#include <stdlib.h>
#include <string.h>

#include "model/internal.h"

void canon_bytes(struct canon *c, const void *p, size_t n)
{
	if (c->nomem)
		return;
	if (c->len + n > c->cap) {
		size_t cap = c->cap ? c->cap : 256;
		uint8_t *b;

		while (cap < c->len + n)
			cap *= 2;
		b = realloc(c->buf, cap);
		if (!b) {
			c->nomem = true;
			return;
		}
		c->buf = b;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, p, n);
	c->len += n;
}

void canon_u32(struct canon *c, uint32_t v)
{
	canon_bytes(c, &v, sizeof(v));
}

void canon_str(struct canon *c, const char *s)
{
	if (!s) {
		canon_u32(c, UINT32_MAX);
		return;
	}
	canon_u32(c, (uint32_t)strlen(s));
	canon_bytes(c, s, strlen(s));
}

void canon_addr(struct canon *c, const struct np_addr *a)
{
	canon_u32(c, (uint32_t)a->family);
	canon_bytes(c, a->a, sizeof(a->a));
}

void canon_cidr(struct canon *c, const struct np_cidr *p)
{
	canon_addr(c, &p->addr);
	canon_u32(c, p->prefixlen);
}

void canon_port_ref(struct canon *c, const struct np_port_ref *r)
{
	canon_u32(c, r->num);
	canon_str(c, r->name);
}

void canon_meta(struct canon *c, const struct np_meta *m)
{
	size_t i;

	canon_str(c, m->ns);
	canon_str(c, m->name);
	canon_str(c, m->uid);
	canon_bytes(c, &m->created, sizeof(m->created));
	canon_u32(c, m->invalid);
	canon_str(c, m->invalid_why);
	canon_u32(c, (uint32_t)m->n_labels);
	for (i = 0; i < m->n_labels; i++) {
		canon_str(c, m->labels[i].key);
		canon_str(c, m->labels[i].value);
	}
}

void canon_selector(struct canon *c, const struct np_selector *s)
{
	size_t i, j;

	canon_u32(c, (uint32_t)s->n_match_labels);
	for (i = 0; i < s->n_match_labels; i++) {
		canon_str(c, s->match_labels[i].key);
		canon_str(c, s->match_labels[i].value);
	}
	canon_u32(c, (uint32_t)s->n_exprs);
	for (i = 0; i < s->n_exprs; i++) {
		canon_str(c, s->exprs[i].key);
		canon_u32(c, s->exprs[i].op);
		canon_u32(c, (uint32_t)s->exprs[i].n_values);
		for (j = 0; j < s->exprs[i].n_values; j++)
			canon_str(c, s->exprs[i].values[j]);
	}
}

bool np_model_obj_equal(enum np_kind kind, const void *a, const void *b)
{
	const struct np_kind_ops *ops = np_kind_ops(kind);
	struct canon ca = { 0 }, cb = { 0 };
	bool eq;

	ops->canon(&ca, a);
	ops->canon(&cb, b);
	/* Out of memory: report a change, the safe side. */
	eq = !ca.nomem && !cb.nomem && ca.len == cb.len &&
	     !memcmp(ca.buf, cb.buf, ca.len);
	free(ca.buf);
	free(cb.buf);
	return eq;
}
