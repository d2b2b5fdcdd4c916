// SPDX-License-Identifier: GPL-2.0-only
/*
 * YAML to cJSON over libyaml's event parser (not its document loader: the
 * loader forgets whether a plain scalar was tagged, and expands aliases
 * without bound). One pass builds each document's tree on an explicit
 * stack of open collections.
 *
 * Scalar resolution (plain, untagged scalars):
 *   "", null, Null, NULL, ~              -> null
 *   true, True, TRUE, false, False, FALSE -> bool
 *   [-+]?(0|[1-9][0-9]*) within +-2^53   -> number
 *   YAML 1.2 core floats (1.5, -2e3, .5), finite -> number
 *   anything else                        -> string
 * Integers with leading zeros (0755: octal in YAML 1.1, decimal in 1.2)
 * and integers beyond +-2^53 (which a double cannot hold exactly) stay
 * strings, so nothing is silently reinterpreted; .inf/.nan stay strings
 * (JSON has no such numbers). yes/no/on/off are strings (YAML 1.2).
 * Quoted and block scalars are strings. The tags !!str, !!int, !!float,
 * !!bool, !!null, !!map, !!seq and the non-specific "!" are honoured; any
 * other tag is an error. Mapping keys must be scalars and become their
 * text. Anchors are per document; an alias copies the anchored value,
 * and copies are bounded (NP_YAML_MAX_ALIAS_VALUES) against alias bombs.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "yamljson.h"

/* Values created by alias copies in one stream, at most. */
#define NP_YAML_MAX_ALIAS_VALUES	200000
/* Nesting of collections, at most (cJSON frees recursively). */
#define NP_YAML_MAX_DEPTH		256
/* Integers a double holds exactly. */
#define NP_YAML_MAX_EXACT_INT		9007199254740992LL	/* 2^53 */

#define TAG_PREFIX "tag:yaml.org,2002:"

/* One open collection. */
struct frame {
	cJSON *node;
	bool is_map;
	char *key;		/* mapping: the key waiting for its value */
	unsigned int *key_lines; /* mapping: line of each key, in order */
	size_t n_keys, cap_keys;
	char *anchor;		/* registered when the collection closes */
	size_t values_at_start;	/* ctx->values when it opened */
	yaml_mark_t mark;
};

struct anchor {
	char *name;
	const cJSON *node;	/* inside the current document's tree */
	size_t values;		/* values in node's subtree */
};

struct ctx {
	const char *name;
	const char *text;
	size_t len;
	char *err;
	size_t errlen;
	bool failed;

	struct frame stack[NP_YAML_MAX_DEPTH];
	size_t depth;
	cJSON *root;
	bool have_root;
	bool empty_root;	/* the root is an empty plain scalar */
	unsigned int root_line;

	struct anchor *anchors;
	size_t n_anchors, cap_anchors;
	size_t values;		/* values created in this document */
	size_t alias_values;	/* values copied by aliases in the stream */

	struct np_yaml_doc *docs;
	size_t n_docs, cap_docs;
};

static void fail(struct ctx *c, unsigned long line, unsigned long col,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* line and col are 0-based, as libyaml's marks. */
static void fail(struct ctx *c, unsigned long line, unsigned long col,
		 const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->failed)
		return;
	c->failed = true;
	if (!c->errlen)
		return;
	n = snprintf(c->err, c->errlen, "%s:%lu:%lu: ", c->name, line + 1,
		     col + 1);
	if (n < 0 || (size_t)n >= c->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

#define fail_at(c, mark, ...) \
	fail(c, (mark).line, (mark).column, __VA_ARGS__)

static void parser_fail(struct ctx *c, const yaml_parser_t *p)
{
	const char *problem = p->problem ? p->problem : "malformed YAML";
	unsigned long line = 0, col = 0;
	size_t i;

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		fail(c, 0, 0, "out of memory");
		return;
	case YAML_READER_ERROR:
		/* No mark: count lines up to the offending byte. */
		for (i = 0; i < p->problem_offset && i < c->len; i++) {
			if (c->text[i] == '\n') {
				line++;
				col = 0;
			} else {
				col++;
			}
		}
		if (p->problem_value >= 0 && p->problem_value <= 0xff)
			fail(c, line, col, "%s (byte 0x%02x)", problem,
			     p->problem_value);
		else
			fail(c, line, col, "%s", problem);
		return;
	default:
		break;
	}
	if (p->context)
		fail_at(c, p->problem_mark, "%s (%s at line %lu, column %lu)",
			problem, p->context,
			(unsigned long)p->context_mark.line + 1,
			(unsigned long)p->context_mark.column + 1);
	else
		fail_at(c, p->problem_mark, "%s", problem);
}

static bool is_null_text(const char *s)
{
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") ||
	       !strcmp(s, "Null") || !strcmp(s, "NULL");
}

/* 1 true, 0 false, -1 neither. */
static int bool_text(const char *s)
{
	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
		return 1;
	if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
		return 0;
	return -1;
}

/* [-+]?(0|[1-9][0-9]*) within +-2^53: true and *v set. */
static bool int_text(const char *s, double *v)
{
	const char *d = s + (*s == '-' || *s == '+');
	long long x;
	char *end;

	if (!*d || (*d == '0' && d[1]))
		return false;
	for (end = (char *)d; *end; end++)
		if (*end < '0' || *end > '9')
			return false;
	errno = 0;
	x = strtoll(s, &end, 10);
	if (errno || *end || x > NP_YAML_MAX_EXACT_INT ||
	    x < -NP_YAML_MAX_EXACT_INT)
		return false;
	*v = (double)x;
	return true;
}

/* YAML 1.2 core float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?,
 * with a fraction or an exponent, finite. */
static bool float_text(const char *s, double *v)
{
	const char *p = s + (*s == '-' || *s == '+');
	size_t digits = 0;
	bool frac = false;
	char *end;
	double x;

	for (; *p >= '0' && *p <= '9'; p++)
		digits++;
	if (*p == '.') {
		frac = true;
		for (p++; *p >= '0' && *p <= '9'; p++)
			digits++;
	}
	if (!digits)
		return false;
	/* Without a fraction or an exponent it is an integer: int_text(). */
	if (!frac && *p != 'e' && *p != 'E')
		return false;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p)
		return false;
	errno = 0;
	x = strtod(s, &end);
	if (*end || !isfinite(x))
		return false;
	*v = x;
	return true;
}

static cJSON *plain_value(const char *s)
{
	double v;
	int b;

	if (is_null_text(s))
		return cJSON_CreateNull();
	b = bool_text(s);
	if (b >= 0)
		return cJSON_CreateBool(b);
	if (int_text(s, &v) || float_text(s, &v))
		return cJSON_CreateNumber(v);
	return cJSON_CreateString(s);
}

static cJSON *scalar_value(struct ctx *c, const yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	const char *tag = (const char *)ev->data.scalar.tag;
	const yaml_mark_t *m = &ev->start_mark;
	cJSON *v = NULL;
	double d;
	int b;

	if (memchr(s, '\0', ev->data.scalar.length)) {
		fail_at(c, *m, "a string with a NUL character");
		return NULL;
	}
	if (tag && !strcmp(tag, "!"))
		return cJSON_CreateString(s);
	if (!tag) {
		if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
			return cJSON_CreateString(s);
		return plain_value(s);
	}
	if (strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX))) {
		fail_at(c, *m, "unsupported tag %s", tag);
		return NULL;
	}
	tag += strlen(TAG_PREFIX);
	if (!strcmp(tag, "str")) {
		v = cJSON_CreateString(s);
	} else if (!strcmp(tag, "null")) {
		if (!is_null_text(s))
			fail_at(c, *m, "\"%s\" is not a !!null", s);
		else
			v = cJSON_CreateNull();
	} else if (!strcmp(tag, "bool")) {
		b = bool_text(s);
		if (b < 0)
			fail_at(c, *m, "\"%s\" is not a !!bool", s);
		else
			v = cJSON_CreateBool(b);
	} else if (!strcmp(tag, "int")) {
		if (!int_text(s, &d))
			fail_at(c, *m, "\"%s\" is not a !!int (decimal, at most 2^53)",
				s);
		else
			v = cJSON_CreateNumber(d);
	} else if (!strcmp(tag, "float")) {
		if (!int_text(s, &d) && !float_text(s, &d))
			fail_at(c, *m, "\"%s\" is not a finite !!float", s);
		else
			v = cJSON_CreateNumber(d);
	} else {
		fail_at(c, *m, "unsupported tag !!%s on a scalar", tag);
		return NULL;
	}
	if (!v && !c->failed)
		fail_at(c, *m, "out of memory");
	return v;
}

static bool collection_tag_ok(struct ctx *c, const yaml_char_t *t,
			      const char *want, const yaml_mark_t *m)
{
	const char *tag = (const char *)t;

	if (!tag || !strcmp(tag, "!"))
		return true;
	if (!strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX)) &&
	    !strcmp(tag + strlen(TAG_PREFIX), want))
		return true;
	fail_at(c, *m, "unsupported tag %s on a %s", tag,
		!strcmp(want, "map") ? "mapping" : "sequence");
	return false;
}

static int anchor_add(struct ctx *c, const char *name, const cJSON *node,
		      size_t values)
{
	struct anchor *a;
	size_t i;

	/* A redefined anchor replaces the old one from here on. */
	for (i = 0; i < c->n_anchors; i++) {
		if (!strcmp(c->anchors[i].name, name)) {
			c->anchors[i].node = node;
			c->anchors[i].values = values;
			return 0;
		}
	}
	if (c->n_anchors == c->cap_anchors) {
		size_t cap = c->cap_anchors ? 2 * c->cap_anchors : 8;

		a = realloc(c->anchors, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		c->anchors = a;
		c->cap_anchors = cap;
	}
	a = &c->anchors[c->n_anchors];
	a->name = strdup(name);
	if (!a->name)
		return -ENOMEM;
	a->node = node;
	a->values = values;
	c->n_anchors++;
	return 0;
}

static void anchors_clear(struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->n_anchors; i++)
		free(c->anchors[i].name);
	c->n_anchors = 0;
}

static void frame_clear(struct frame *f)
{
	free(f->key);
	free(f->key_lines);
	free(f->anchor);
	memset(f, 0, sizeof(*f));
}

/*
 * Places a finished value (taking it): document root, sequence item or
 * mapping value. A scalar in key position of a mapping becomes the key
 * instead, see key_take().
 */
static int place(struct ctx *c, cJSON *v, const yaml_mark_t *m)
{
	struct frame *f;

	if (!c->depth) {
		c->root = v;
		c->have_root = true;
		c->root_line = (unsigned int)m->line + 1;
		return 0;
	}
	f = &c->stack[c->depth - 1];
	if (!f->is_map) {
		if (!cJSON_AddItemToArray(f->node, v))
			goto nomem;
		return 0;
	}
	if (!cJSON_AddItemToObject(f->node, f->key, v))
		goto nomem;
	free(f->key);
	f->key = NULL;
	return 0;
nomem:
	cJSON_Delete(v);
	fail_at(c, *m, "out of memory");
	return -1;
}

/* The open mapping is waiting for a key. */
static bool want_key(const struct ctx *c)
{
	const struct frame *f;

	if (!c->depth)
		return false;
	f = &c->stack[c->depth - 1];
	return f->is_map && !f->key;
}

static int key_take(struct ctx *c, const yaml_event_t *ev)
{
	struct frame *f = &c->stack[c->depth - 1];
	const char *s = (const char *)ev->data.scalar.value;
	const yaml_mark_t *m = &ev->start_mark;
	const cJSON *it;
	size_t i = 0;

	if (memchr(s, '\0', ev->data.scalar.length)) {
		fail_at(c, *m, "a key with a NUL character");
		return -1;
	}
	if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    !ev->data.scalar.tag && !strcmp(s, "<<")) {
		fail_at(c, *m, "merge keys (<<) are not supported");
		return -1;
	}
	cJSON_ArrayForEach(it, f->node) {
		if (!strcmp(it->string, s)) {
			fail_at(c, *m, "duplicate key \"%s\" (first at line %u)",
				s, f->key_lines[i]);
			return -1;
		}
		i++;
	}
	if (f->n_keys == f->cap_keys) {
		size_t cap = f->cap_keys ? 2 * f->cap_keys : 8;
		unsigned int *l = realloc(f->key_lines, cap * sizeof(*l));

		if (!l)
			goto nomem;
		f->key_lines = l;
		f->cap_keys = cap;
	}
	f->key = strdup(s);
	if (!f->key)
		goto nomem;
	f->key_lines[f->n_keys++] = (unsigned int)m->line + 1;
	return 0;
nomem:
	fail_at(c, *m, "out of memory");
	return -1;
}

static int on_scalar(struct ctx *c, const yaml_event_t *ev)
{
	const char *anchor = (const char *)ev->data.scalar.anchor;
	cJSON *v;

	if (want_key(c)) {
		if (anchor) {
			fail_at(c, ev->start_mark,
				"anchors on mapping keys are not supported");
			return -1;
		}
		return key_take(c, ev);
	}
	v = scalar_value(c, ev);
	if (!v)
		return -1;
	if (!c->depth)
		c->empty_root = !ev->data.scalar.length && !ev->data.scalar.tag &&
				ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	c->values++;
	if (anchor && anchor_add(c, anchor, v, 1) < 0) {
		cJSON_Delete(v);
		fail_at(c, ev->start_mark, "out of memory");
		return -1;
	}
	return place(c, v, &ev->start_mark);
}

static int on_alias(struct ctx *c, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	const struct anchor *a = NULL;
	cJSON *v;
	size_t i;

	if (want_key(c)) {
		fail_at(c, ev->start_mark,
			"aliases as mapping keys are not supported");
		return -1;
	}
	for (i = 0; i < c->n_anchors; i++)
		if (!strcmp(c->anchors[i].name, name))
			a = &c->anchors[i];
	if (!a) {
		/* Also the case of an alias inside its own anchored node. */
		fail_at(c, ev->start_mark, "unknown anchor \"%s\"", name);
		return -1;
	}
	if (a->values > NP_YAML_MAX_ALIAS_VALUES - c->alias_values) {
		fail_at(c, ev->start_mark,
			"aliases expand to more than %d values",
			NP_YAML_MAX_ALIAS_VALUES);
		return -1;
	}
	c->alias_values += a->values;
	c->values += a->values;
	v = cJSON_Duplicate(a->node, 1);
	if (!v) {
		fail_at(c, ev->start_mark, "out of memory");
		return -1;
	}
	return place(c, v, &ev->start_mark);
}

static int on_open(struct ctx *c, const yaml_event_t *ev, bool is_map)
{
	const yaml_char_t *anchor, *tag;
	struct frame *f;

	if (want_key(c)) {
		fail_at(c, ev->start_mark,
			"a mapping key must be a scalar, not a %s",
			is_map ? "mapping" : "sequence");
		return -1;
	}
	if (is_map) {
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
	} else {
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
	}
	if (!collection_tag_ok(c, tag, is_map ? "map" : "seq",
			       &ev->start_mark))
		return -1;
	if (c->depth == NP_YAML_MAX_DEPTH) {
		fail_at(c, ev->start_mark, "nested deeper than %d levels",
			NP_YAML_MAX_DEPTH);
		return -1;
	}
	f = &c->stack[c->depth];
	memset(f, 0, sizeof(*f));
	f->is_map = is_map;
	f->mark = ev->start_mark;
	f->node = is_map ? cJSON_CreateObject() : cJSON_CreateArray();
	if (anchor)
		f->anchor = strdup((const char *)anchor);
	if (!f->node || (anchor && !f->anchor)) {
		cJSON_Delete(f->node);
		frame_clear(f);
		fail_at(c, ev->start_mark, "out of memory");
		return -1;
	}
	c->values++;
	f->values_at_start = c->values;
	c->depth++;
	return 0;
}

static int on_close(struct ctx *c)
{
	struct frame *f = &c->stack[c->depth - 1];
	cJSON *node = f->node;
	yaml_mark_t m = f->mark;
	int ret = 0;

	if (f->anchor)
		ret = anchor_add(c, f->anchor, node,
				 c->values - f->values_at_start + 1);
	frame_clear(f);
	c->depth--;
	if (ret < 0) {
		cJSON_Delete(node);
		fail_at(c, m, "out of memory");
		return -1;
	}
	return place(c, node, &m);
}

/* Drops a partly built document. */
static void doc_abort(struct ctx *c)
{
	while (c->depth) {
		struct frame *f = &c->stack[--c->depth];

		/* An open collection joins its parent only when it closes. */
		cJSON_Delete(f->node);
		frame_clear(f);
	}
	cJSON_Delete(c->root);
	c->root = NULL;
	c->have_root = false;
	c->empty_root = false;
	anchors_clear(c);
}

static int doc_end(struct ctx *c, const yaml_mark_t *start)
{
	struct np_yaml_doc *d;

	if (c->n_docs == c->cap_docs) {
		size_t cap = c->cap_docs ? 2 * c->cap_docs : 4;

		d = realloc(c->docs, cap * sizeof(*d));
		if (!d) {
			fail_at(c, *start, "out of memory");
			return -1;
		}
		c->docs = d;
		c->cap_docs = cap;
	}
	d = &c->docs[c->n_docs++];
	d->root = c->root;
	d->line = c->have_root ? c->root_line : (unsigned int)start->line + 1;
	/* An empty document (nothing, or only "---") has no root. */
	if (d->root && cJSON_IsNull(d->root) && c->empty_root) {
		cJSON_Delete(d->root);
		d->root = NULL;
		d->line = (unsigned int)start->line + 1;
	}
	c->root = NULL;
	c->have_root = false;
	c->empty_root = false;
	c->values = 0;
	anchors_clear(c);
	return 0;
}

void np_yaml_docs_free(struct np_yaml_doc *docs, size_t n)
{
	size_t i;

	if (!docs)
		return;
	for (i = 0; i < n; i++)
		cJSON_Delete(docs[i].root);
	free(docs);
}

int np_yaml_parse(const char *name, const char *text, size_t len,
		  struct np_yaml_doc **docs, size_t *n, char *err,
		  size_t errlen)
{
	struct ctx c = {
		.name = name ? name : "<input>",
		.text = text,
		.len = len,
		.err = err,
		.errlen = errlen,
	};
	yaml_mark_t doc_start = { 0 };
	yaml_parser_t p;
	yaml_event_t ev;
	bool done = false;

	*docs = NULL;
	*n = 0;
	if (errlen)
		err[0] = '\0';
	if (!yaml_parser_initialize(&p)) {
		fail(&c, 0, 0, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	while (!done && !c.failed) {
		if (!yaml_parser_parse(&p, &ev)) {
			parser_fail(&c, &p);
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			doc_start = ev.start_mark;
			break;
		case YAML_DOCUMENT_END_EVENT:
			doc_end(&c, &doc_start);
			break;
		case YAML_SCALAR_EVENT:
			on_scalar(&c, &ev);
			break;
		case YAML_ALIAS_EVENT:
			on_alias(&c, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			on_open(&c, &ev, false);
			break;
		case YAML_MAPPING_START_EVENT:
			on_open(&c, &ev, true);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			on_close(&c);
			break;
		default:	/* stream start, no event */
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	doc_abort(&c);
	anchors_clear(&c);
	free(c.anchors);
	if (c.failed) {
		np_yaml_docs_free(c.docs, c.n_docs);
		return -1;
	}
	*docs = c.docs;
	*n = c.n_docs;
	return 0;
}
