/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * YAML (libyaml) to cJSON: the one YAML reader of the daemon's inputs other
 * than config.yaml (manifests, kubeconfig). JSON is YAML, so .json files
 * go through it too. Scalars resolve as YAML 1.1's core schema does for
 * Kubernetes manifests: plain null/~/empty -> null, true/false -> bool,
 * decimal integers and floats -> number, everything else and every quoted
 * scalar -> string. Anchors and aliases are resolved; merge keys (<<) are
 * not supported (an error). Duplicate mapping keys are an error.
 */
#ifndef _NP_YAMLJSON_H
#define _NP_YAMLJSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* One document of a stream. */
struct np_yaml_doc {
	cJSON *root;		/* NULL for an empty document */
	unsigned int line;	/* 1-based line where the document starts */
};

/*
 * Parses every document of text (len bytes; name is used in errors).
 * On success returns 0 and a malloc'd array *docs of *n documents (free
 * with np_yaml_docs_free). On failure returns -1, frees what it built and
 * writes "NAME:LINE:COLUMN: what" to err.
 */
int np_yaml_parse(const char *name, const char *text, size_t len,
		  struct np_yaml_doc **docs, size_t *n, char *err,
		  size_t errlen);
void np_yaml_docs_free(struct np_yaml_doc *docs, size_t n);

#endif /* _NP_YAMLJSON_H */
