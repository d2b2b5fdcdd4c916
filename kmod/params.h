/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NP_PARAMS_H
#define _NP_PARAMS_H

#include <linux/types.h>

int np_params_parse_disable(const char *s, u32 *features, const char **bad,
			    size_t *badlen);
int np_params_format_disabled(char *buf, size_t size, u32 features);
void np_params_set_features(u32 features);
u32 np_params_features(void);

/* The NP_FEATURE_F_* this module implements (INFO reports no others). */
#define NP_FEATURES_IMPLEMENTED \
	(NP_FEATURE_F_OVERLAY | NP_FEATURE_F_SERVICELB | NP_FEATURE_F_HOSTPORT | \
	 NP_FEATURE_F_NETWORK_POLICY)

/*
 * Per network namespace sizing limits, the module parameters max_devices,
 * max_peers, max_cidrs, max_frontends, max_backends, max_ranges,
 * max_policy_prefixes, max_policy_endpoints and max_policy_rules (main.c):
 * read-only after load.
 */
struct np_limits {
	unsigned int max_devices;	/* nodeplane devices */
	unsigned int max_peers;		/* peers over all devices */
	unsigned int max_cidrs;		/* peer CIDRs over all devices */
	unsigned int max_frontends;	/* LB frontends, staged included */
	unsigned int max_backends;	/* LB backends over all frontends */
	unsigned int max_ranges;	/* LB source ranges, all frontends */
	unsigned int max_policy_prefixes;	/* class map entries */
	unsigned int max_policy_endpoints;	/* policy endpoints */
	unsigned int max_policy_rules;	/* rule port entries, all endpoints */
};

extern struct np_limits np_limits;

#endif /* _NP_PARAMS_H */
