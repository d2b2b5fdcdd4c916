// SPDX-License-Identifier: GPL-2.0
/*
 * The feature switches behind the module parameter "disable" (declared in
 * main.c): parsing, formatting, and the mask the rest of the module reads;
 * and the sizing limits behind max_devices, max_peers and max_cidrs.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/ctype.h>
#include <linux/nodeplane.h>

#include "params.h"

static const struct {
	const char *name;
	u32 flag;
} feature_names[] = {
	{ "servicelb", NP_FEATURE_F_SERVICELB },
	{ "network-policy", NP_FEATURE_F_NETWORK_POLICY },
	{ "overlay", NP_FEATURE_F_OVERLAY },
	{ "hostport", NP_FEATURE_F_HOSTPORT },
};

static u32 np_features = __NP_FEATURE_F_ALL;

/*
 * Defaults: a K3s node has one overlay device; a peer is one node and
 * family (a dual-stack node is two), each with its pod CIDRs.
 */
struct np_limits np_limits = {
	.max_devices = 16,
	.max_peers = 8192,
	.max_cidrs = 16384,
	.max_frontends = 4096,
	.max_backends = 65536,
	.max_ranges = 262144,
	/* 100,000 ipBlock CIDRs and more; a node's pods; their rules */
	.max_policy_prefixes = 262144,
	.max_policy_endpoints = 4096,
	.max_policy_rules = 262144,
};

/*
 * Parse a comma-separated list of feature names to disable into the mask of
 * features left enabled. Blanks around names and empty items are allowed.
 * On an unknown name returns -EINVAL with @bad and @badlen naming it.
 */
int np_params_parse_disable(const char *s, u32 *features, const char **bad,
			    size_t *badlen)
{
	u32 enabled = __NP_FEATURE_F_ALL;

	while (*s) {
		const char *start, *end;
		size_t len, i;

		while (*s == ',' || isspace(*s))
			s++;
		start = s;
		while (*s && *s != ',')
			s++;
		end = s;
		while (end > start && isspace(end[-1]))
			end--;
		len = end - start;
		if (!len)
			continue;
		for (i = 0; i < ARRAY_SIZE(feature_names); i++) {
			if (strlen(feature_names[i].name) == len &&
			    !strncmp(feature_names[i].name, start, len))
				break;
		}
		if (i == ARRAY_SIZE(feature_names)) {
			*bad = start;
			*badlen = len;
			return -EINVAL;
		}
		enabled &= ~feature_names[i].flag;
	}
	*features = enabled;
	return 0;
}

/*
 * Write the names of the features missing from @features, comma-separated,
 * into @buf. Returns the length written, as scnprintf().
 */
int np_params_format_disabled(char *buf, size_t size, u32 features)
{
	int len = 0;
	size_t i;

	if (size)
		buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(feature_names); i++) {
		if (features & feature_names[i].flag)
			continue;
		len += scnprintf(buf + len, size - len, "%s%s",
				 len ? "," : "", feature_names[i].name);
	}
	return len;
}

void np_params_set_features(u32 features)
{
	np_features = features;
}

/* The NP_FEATURE_F_* mask left enabled by the "disable" parameter. */
u32 np_params_features(void)
{
	return np_features;
}
