/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the unit-test fixtures that write model objects as JSON text
 * (slb_fix.h, netpol_fix.h): the upsert of one object.
 */
#ifndef _NP_TEST_MODEL_UP_H
#define _NP_TEST_MODEL_UP_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "model/model.h"

/*
 * Upserts the object in text (every ' read as ", in place) into m.
 * Returns "" or the error, written to err.
 */
static inline const char *np_test_upsert(struct np_model *m,
					 enum np_kind kind, char *text,
					 char *err, size_t errlen)
{
	cJSON *j;
	char *p;
	int ret;

	for (p = text; *p; p++)
		if (*p == '\'')
			*p = '"';
	j = cJSON_ParseWithOpts(text, NULL, true);
	if (!j) {
		snprintf(err, errlen, "(test JSON does not parse: %.300s)",
			 text);
		return err;
	}
	err[0] = '\0';
	ret = np_model_upsert(m, kind, j, err, errlen);
	cJSON_Delete(j);
	if (ret && !err[0])
		snprintf(err, errlen, "(upsert: %d)", ret);
	return ret ? err : "";
}

#endif /* _NP_TEST_MODEL_UP_H */
