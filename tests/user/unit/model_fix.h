/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/user/unit/model_fix.h: one model per test for the decoder tests
 * (test_model_decode, test_slb_model): fresh() frees the last one, load()
 * upserts an API object and returns what the model stored; the upsert's
 * error text is left in err.
 */
#ifndef _NP_TEST_MODEL_FIX_H
#define _NP_TEST_MODEL_FIX_H

#include <cjson/cJSON.h>

#include "model/model.h"

static char err[512];
static struct np_model *m;

static inline void fresh(void)
{
	np_model_free(m);
	m = np_model_new();
	err[0] = '\0';
}

/* Upserts j (freed; NULL: nothing) and returns the stored object. */
static inline const void *load(enum np_kind kind, cJSON *j, const char *ns,
			       const char *name)
{
	int ret;

	if (!j)
		return NULL;
	ret = np_model_upsert(m, kind, j, err, sizeof(err));
	cJSON_Delete(j);
	return ret ? NULL : np_model_get(m, kind, ns, name);
}

#endif
