// SPDX-License-Identifier: GPL-2.0-only
/* Names of the NP_FEATURE_F_* bits, as the module parameter "disable" spells them. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include <linux/nodeplane.h>

#include "nl/nl.h"

static const struct {
	uint32_t bit;
	const char *name;
} features[] = {
	{ NP_FEATURE_F_SERVICELB, "servicelb" },
	{ NP_FEATURE_F_NETWORK_POLICY, "network-policy" },
	{ NP_FEATURE_F_OVERLAY, "overlay" },
	{ NP_FEATURE_F_HOSTPORT, "hostport" },
};

_Static_assert(__NP_FEATURE_F_ALL == (NP_FEATURE_F_SERVICELB |
				      NP_FEATURE_F_NETWORK_POLICY |
				      NP_FEATURE_F_OVERLAY |
				      NP_FEATURE_F_HOSTPORT),
	       "a feature was added to the uapi: name it in daemon/nl/features.c");

struct sbuf {
	char *buf;
	size_t len;
	size_t used;	/* keeps counting past len, like snprintf */
};

static void put(struct sbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	if (sb->used < sb->len)
		n = vsnprintf(sb->buf + sb->used, sb->len - sb->used, fmt, ap);
	else
		n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		sb->used += (size_t)n;
}

int np_nl_features_str(char *buf, size_t len, uint32_t mask, const char *sep)
{
	struct sbuf sb = { buf, len, 0 };
	const char *s = "";
	uint32_t rest = mask;
	size_t i;

	if (len)
		buf[0] = '\0';
	if (!mask) {
		put(&sb, "none");
		return (int)sb.used;
	}
	for (i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		if (!(mask & features[i].bit))
			continue;
		put(&sb, "%s%s", s, features[i].name);
		s = sep;
		rest &= ~features[i].bit;
	}
	if (rest)
		put(&sb, "%s0x%" PRIx32, s, rest);
	return (int)sb.used;
}
