// SPDX-License-Identifier: GPL-2.0-only
/*
 * Namespace: only its metadata (the labels policies select on); its
 * canonical form and free.
 */
#include "model/internal.h"

static int namespace_decode(struct dec *d, const cJSON *obj, void *out)
{
	(void)d;
	(void)obj;
	(void)out;
	return 0;
}

static void namespace_canon(struct canon *c, const void *obj)
{
	const struct np_namespace *ns = obj;

	canon_meta(c, &ns->meta);
}

static void namespace_free(void *obj)
{
	struct np_namespace *ns = obj;

	np_meta_free(&ns->meta);
}

const struct np_kind_ops np_namespace_ops = {
	.size = sizeof(struct np_namespace),
	.decode = namespace_decode,
	.canon = namespace_canon,
	.free = namespace_free,
};
