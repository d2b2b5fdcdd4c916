// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tolerations: the annotation svccontroller.k3s.cattle.io/tolerations
 * parsed (JSON, or YAML through libyaml: yamljson.h) and validated as K3s
 * and the API server would, and the scheduler's taint matching with the
 * svclb pod's built-in tolerations.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "servicelb/servicelb.h"
#include "yamljson.h"

void np_tolerations_free(struct np_tolerations *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->v[i].key);
		free(t->v[i].value);
	}
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

/* obj[key] as a string ("" when absent or null); -1 when of another type. */
static int str_field(const cJSON *obj, const char *key, const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = "";
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return -1;
	*out = v->valuestring;
	return 0;
}

static int one_toleration(const cJSON *item, size_t i, struct np_toleration *t,
			  char *err, size_t errlen)
{
	static const char *const effects[] = {
		"NoSchedule", "PreferNoSchedule", "NoExecute"
	};
	static const char *const fields[] = { "key", "operator", "value",
					      "effect" };
	const char *s[4];
	const cJSON *secs;
	size_t f;

	if (!cJSON_IsObject(item)) {
		snprintf(err, errlen, "[%zu]: is not an object", i);
		return -EINVAL;
	}
	for (f = 0; f < 4; f++)
		if (str_field(item, fields[f], &s[f]) < 0) {
			snprintf(err, errlen, "[%zu].%s: is not a string", i,
				 fields[f]);
			return -EINVAL;
		}
	if (!*s[1] || !strcmp(s[1], "Equal")) {
		t->op = NP_TOL_EQUAL;
	} else if (!strcmp(s[1], "Exists")) {
		t->op = NP_TOL_EXISTS;
	} else {
		snprintf(err, errlen,
			 "[%zu].operator: \"%.64s\" is not Equal or Exists", i,
			 s[1]);
		return -EINVAL;
	}
	if (!*s[0] && t->op != NP_TOL_EXISTS) {
		snprintf(err, errlen,
			 "[%zu].operator: must be Exists when key is empty", i);
		return -EINVAL;
	}
	if (t->op == NP_TOL_EXISTS && *s[2]) {
		snprintf(err, errlen,
			 "[%zu].value: must be empty when operator is Exists",
			 i);
		return -EINVAL;
	}
	t->effect = NP_TOL_ANY_EFFECT;
	for (f = 0; *s[3] && f < 3; f++)
		if (!strcmp(s[3], effects[f]))
			t->effect = (int)f;
	if (*s[3] && t->effect == NP_TOL_ANY_EFFECT) {
		snprintf(err, errlen,
			 "[%zu].effect: \"%.64s\" is not NoSchedule, PreferNoSchedule or NoExecute",
			 i, s[3]);
		return -EINVAL;
	}
	secs = cJSON_GetObjectItemCaseSensitive(item, "tolerationSeconds");
	if (secs && !cJSON_IsNull(secs)) {
		if (!cJSON_IsNumber(secs) ||
		    secs->valuedouble != (double)(long long)secs->valuedouble) {
			snprintf(err, errlen,
				 "[%zu].tolerationSeconds: is not an integer", i);
			return -EINVAL;
		}
		if (t->effect != NP_TAINT_NO_EXECUTE) {
			snprintf(err, errlen,
				 "[%zu].tolerationSeconds: only with effect NoExecute",
				 i);
			return -EINVAL;
		}
	}
	t->key = strdup(s[0]);
	t->value = strdup(s[2]);
	if (!t->key || !t->value) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static int from_json(const cJSON *list, struct np_tolerations *out, char *err,
		     size_t errlen)
{
	const cJSON *item;
	size_t n, i = 0;
	int ret;

	if (!list || cJSON_IsNull(list))
		return 0;
	if (!cJSON_IsArray(list)) {
		snprintf(err, errlen, "is not a list");
		return -EINVAL;
	}
	n = (size_t)cJSON_GetArraySize(list);
	if (!n)
		return 0;
	out->v = calloc(n, sizeof(*out->v));
	if (!out->v) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	cJSON_ArrayForEach(item, list) {
		ret = one_toleration(item, i, &out->v[i], err, errlen);
		out->n = ++i;
		if (ret)
			return ret;
	}
	return 0;
}

int np_tolerations_parse(const char *text, struct np_tolerations *out,
			 char *err, size_t errlen)
{
	struct np_yaml_doc *docs = NULL;
	char yerr[256];
	size_t n = 0;
	int ret;

	out->v = NULL;
	out->n = 0;
	if (errlen)
		err[0] = '\0';
	if (!text || !text[strspn(text, " \t\r\n")])
		return 0;
	/* JSON is YAML: one reader for both forms. */
	if (np_yaml_parse("annotation", text, strlen(text), &docs, &n, yerr,
			  sizeof(yerr)) < 0) {
		snprintf(err, errlen, "%s", yerr);
		return -EINVAL;
	}
	if (n > 1) {
		snprintf(err, errlen, "more than one YAML document");
		ret = -EINVAL;
	} else {
		ret = from_json(n ? docs[0].root : NULL, out, err, errlen);
	}
	np_yaml_docs_free(docs, n);
	if (ret)
		np_tolerations_free(out);
	return ret;
}

bool np_toleration_matches(const struct np_toleration *t,
			   const struct np_taint *taint)
{
	if (t->effect != NP_TOL_ANY_EFFECT && t->effect != (int)taint->effect)
		return false;
	if (*t->key && strcmp(t->key, taint->key))
		return false;
	if (t->op == NP_TOL_EXISTS)
		return true;
	return !strcmp(t->value, taint->value);
}

/*
 * What every svclb pod tolerates without the annotation: K3s's own three
 * and those the DaemonSet controller adds to its pods (not-ready and
 * unreachable NoExecute, the pressure conditions and unschedulable
 * NoSchedule; network-unavailable only for hostNetwork pods, which svclb
 * pods are not). not-ready and unreachable are taken for any effect: a
 * placed svclb pod stays on a node that turns NotReady (NoSchedule does
 * not evict), and readiness is judged by Ready, not by these taints.
 */
static const struct np_toleration builtin[] = {
	{ "node-role.kubernetes.io/master", NP_TOL_EXISTS, "",
	  NP_TAINT_NO_SCHEDULE },
	{ "node-role.kubernetes.io/control-plane", NP_TOL_EXISTS, "",
	  NP_TAINT_NO_SCHEDULE },
	{ "CriticalAddonsOnly", NP_TOL_EXISTS, "", NP_TOL_ANY_EFFECT },
	{ "node.kubernetes.io/not-ready", NP_TOL_EXISTS, "",
	  NP_TOL_ANY_EFFECT },
	{ "node.kubernetes.io/unreachable", NP_TOL_EXISTS, "",
	  NP_TOL_ANY_EFFECT },
	{ "node.kubernetes.io/disk-pressure", NP_TOL_EXISTS, "",
	  NP_TAINT_NO_SCHEDULE },
	{ "node.kubernetes.io/memory-pressure", NP_TOL_EXISTS, "",
	  NP_TAINT_NO_SCHEDULE },
	{ "node.kubernetes.io/pid-pressure", NP_TOL_EXISTS, "",
	  NP_TAINT_NO_SCHEDULE },
	{ "node.kubernetes.io/unschedulable", NP_TOL_EXISTS, "",
	  NP_TAINT_NO_SCHEDULE },
};

bool np_slb_taints_tolerated(const struct np_node *n,
			     const struct np_tolerations *extra,
			     const struct np_taint **untolerated)
{
	size_t i, j;

	for (i = 0; i < n->n_taints; i++) {
		const struct np_taint *t = &n->taints[i];
		bool ok = false;

		if (t->effect == NP_TAINT_PREFER_NO_SCHEDULE)
			continue;
		for (j = 0; !ok && j < sizeof(builtin) / sizeof(builtin[0]); j++)
			ok = np_toleration_matches(&builtin[j], t);
		for (j = 0; !ok && extra && j < extra->n; j++)
			ok = np_toleration_matches(&extra->v[j], t);
		if (!ok) {
			if (untolerated)
				*untolerated = t;
			return false;
		}
	}
	return true;
}
