/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NP_PARAMS_H
#define _NP_PARAMS_H

#include <linux/types.h>

int np_params_parse_disable(const char *s, u32 *features, const char **bad,
			    size_t *badlen);
int np_params_format_disabled(char *buf, size_t size, u32 features);
void np_params_set_features(u32 features);
u32 np_params_features(void);

#endif /* _NP_PARAMS_H */
