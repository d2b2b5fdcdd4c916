// SPDX-License-Identifier: GPL-2.0-only
/*
 * Label selectors (NetworkPolicy podSelector, namespaceSelector):
 * decoding matchLabels and matchExpressions (In, NotIn, Exists,
 * DoesNotExist, with the API's checks on values), matching, freeing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/internal.h"

static int dec_match_labels(struct dec *d, const cJSON *ml,
			    struct np_selector *sel)
{
	const cJSON *item;
	size_t n = (size_t)cJSON_GetArraySize(ml), p;
	int ret;

	ret = dec_calloc(d, n, sizeof(*sel->match_labels),
			 (void **)&sel->match_labels);
	if (ret)
		return ret;
	cJSON_ArrayForEach(item, ml) {
		struct np_kv *kv = &sel->match_labels[sel->n_match_labels];

		p = dec_push_mapkey(d, item->string);
		ret = cJSON_IsString(item) ? 0 :
			dec_fail_val(d, item, "is not a string");
		dec_pop(d, p);
		if (ret)
			return ret;
		kv->key = strdup(item->string);
		kv->value = strdup(item->valuestring);
		sel->n_match_labels++;
		if (!kv->key || !kv->value)
			return dec_nomem(d);
	}
	np_kv_sort(sel->match_labels, sel->n_match_labels);
	return 0;
}

static int dec_expr(struct dec *d, const cJSON *v, struct np_sel_expr *e)
{
	static const char *const ops[] = {
		"In", "NotIn", "Exists", "DoesNotExist"
	};
	const cJSON *values, *item;
	int op = -1, ret;
	size_t n, p;

	if (!cJSON_IsObject(v))
		return dec_fail_val(d, v, "is not an object");
	ret = dec_str(d, v, "key", &e->key);
	if (ret)
		return ret;
	if (!e->key || !*e->key) {
		p = dec_push(d, "key");
		ret = dec_fail(d, "missing");
		dec_pop(d, p);
		return ret;
	}
	ret = dec_enum(d, v, "operator", ops, 4, &op);
	if (ret)
		return ret;
	if (op < 0) {
		p = dec_push(d, "operator");
		ret = dec_fail(d, "missing");
		dec_pop(d, p);
		return ret;
	}
	e->op = (enum np_sel_op)op;
	ret = dec_array(d, v, "values", &values);
	if (ret)
		return ret;
	n = values ? (size_t)cJSON_GetArraySize(values) : 0;
	p = dec_push(d, "values");
	if ((e->op == NP_SEL_IN || e->op == NP_SEL_NOT_IN) && !n) {
		ret = dec_fail(d, "must be non-empty for %s", ops[op]);
		goto out;
	}
	if ((e->op == NP_SEL_EXISTS || e->op == NP_SEL_DOES_NOT_EXIST) && n) {
		ret = dec_fail(d, "must be empty for %s", ops[op]);
		goto out;
	}
	ret = dec_calloc(d, n, sizeof(*e->values), (void **)&e->values);
	if (ret)
		goto out;
	cJSON_ArrayForEach(item, values) {
		const char *s = NULL;
		size_t q = dec_push_idx(d, e->n_values);

		ret = dec_str_val(d, item, &s);
		dec_pop(d, q);
		if (ret)
			goto out;
		e->values[e->n_values] = strdup(s);
		if (!e->values[e->n_values++]) {
			ret = dec_nomem(d);
			goto out;
		}
	}
out:
	dec_pop(d, p);
	return ret;
}

int dec_selector(struct dec *d, const cJSON *v, struct np_selector *sel)
{
	const cJSON *ml, *exprs, *item;
	size_t p, n;
	int ret;

	if (!cJSON_IsObject(v))
		return dec_fail_val(d, v, "is not an object");
	ret = dec_object(d, v, "matchLabels", &ml);
	if (!ret && ml) {
		p = dec_push(d, "matchLabels");
		ret = dec_match_labels(d, ml, sel);
		dec_pop(d, p);
	}
	if (!ret)
		ret = dec_array(d, v, "matchExpressions", &exprs);
	if (ret || !exprs)
		return ret;
	n = (size_t)cJSON_GetArraySize(exprs);
	ret = dec_calloc(d, n, sizeof(*sel->exprs), (void **)&sel->exprs);
	if (ret)
		return ret;
	p = dec_push(d, "matchExpressions");
	cJSON_ArrayForEach(item, exprs) {
		size_t q = dec_push_idx(d, sel->n_exprs);

		ret = dec_expr(d, item, &sel->exprs[sel->n_exprs++]);
		dec_pop(d, q);
		if (ret)
			break;
	}
	dec_pop(d, p);
	return ret;
}

void np_selector_free(struct np_selector *s)
{
	size_t i, j;

	for (i = 0; i < s->n_match_labels; i++) {
		free(s->match_labels[i].key);
		free(s->match_labels[i].value);
	}
	free(s->match_labels);
	for (i = 0; i < s->n_exprs; i++) {
		free(s->exprs[i].key);
		for (j = 0; j < s->exprs[i].n_values; j++)
			free(s->exprs[i].values[j]);
		free(s->exprs[i].values);
	}
	free(s->exprs);
	memset(s, 0, sizeof(*s));
}

/* Labels given to np_selector_match need not be sorted: a linear search. */
static const char *label_of(const struct np_kv *labels, size_t n,
			    const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(labels[i].key, key))
			return labels[i].value;
	return NULL;
}

static bool expr_match(const struct np_sel_expr *e, const char *v)
{
	size_t i;

	switch (e->op) {
	case NP_SEL_EXISTS:
		return v;
	case NP_SEL_DOES_NOT_EXIST:
		return !v;
	case NP_SEL_IN:
	case NP_SEL_NOT_IN:
		if (v)
			for (i = 0; i < e->n_values; i++)
				if (!strcmp(e->values[i], v))
					return e->op == NP_SEL_IN;
		return e->op == NP_SEL_NOT_IN;
	}
	return false;
}

bool np_selector_match_fn(const struct np_selector *s,
			  const char *(*label)(const char *key,
					       const void *ctx),
			  const void *ctx)
{
	size_t i;

	for (i = 0; i < s->n_match_labels; i++) {
		const char *v = label(s->match_labels[i].key, ctx);

		if (!v || strcmp(v, s->match_labels[i].value))
			return false;
	}
	for (i = 0; i < s->n_exprs; i++)
		if (!expr_match(&s->exprs[i], label(s->exprs[i].key, ctx)))
			return false;
	return true;
}

struct kv_labels {
	const struct np_kv *labels;
	size_t n;
};

static const char *kv_label(const char *key, const void *ctx)
{
	const struct kv_labels *l = ctx;

	return label_of(l->labels, l->n, key);
}

bool np_selector_match(const struct np_selector *s, const struct np_kv *labels,
		       size_t n)
{
	struct kv_labels l = { labels, n };

	return np_selector_match_fn(s, kv_label, &l);
}
