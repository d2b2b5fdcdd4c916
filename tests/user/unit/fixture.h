/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/user/unit/fixture.h: the API objects of fixtures/api/ (as
 * kube-apiserver serves them) for the model's unit tests; the test's
 * build passes -DNP_FIXTURES=<tests/user/unit/fixtures>.
 */
#ifndef _NP_TEST_FIXTURE_H
#define _NP_TEST_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

/* fixtures/api/name parsed strictly, or NULL (missing, unreadable, bad). */
static inline cJSON *fixture(const char *name)
{
	char path[4096], *text;
	cJSON *j = NULL;
	long len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/api/%s", NP_FIXTURES, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = malloc((size_t)len + 1);
	if (text && fread(text, 1, (size_t)len, f) == (size_t)len) {
		text[len] = '\0';
		j = cJSON_ParseWithOpts(text, NULL, true);
	}
	free(text);
	fclose(f);
	return j;
}

#endif /* _NP_TEST_FIXTURE_H */
