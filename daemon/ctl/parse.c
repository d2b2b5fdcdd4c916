// SPDX-License-Identifier: GPL-2.0-only
/*
 * Values on the command line and in script output: MACs, addresses, CIDRs,
 * on/off, numbers; and the "KEY VALUE ..." word lists of the set commands.
 * Parsing is strict so that what `show` prints is exactly what `set` reads.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ctl/ctl.h"

int np_ctl_uint_parse(const char *s, unsigned long min, unsigned long max,
		      unsigned long *v)
{
	unsigned long n = 0;

	if (!*s || strlen(s) > 10)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		n = n * 10 + (unsigned long)(*s - '0');
	}
	if (n < min || n > max)
		return -1;
	*v = n;
	return 0;
}

int np_ctl_onoff_parse(const char *s, bool *on)
{
	if (!strcmp(s, "on"))
		*on = true;
	else if (!strcmp(s, "off"))
		*on = false;
	else
		return -1;
	return 0;
}

/*
 * Splits "A,B" at its commas into tok[0..max); returns the count, -1 for
 * more than max parts, -2 for a part too long to be a CIDR.
 */
int np_ctl_split(const char *val, char tok[][NP_CTL_CIDR_STRLEN], int max)
{
	const char *s = val, *end;
	int n = 0;

	for (;;) {
		size_t len;

		end = strchr(s, ',');
		len = end ? (size_t)(end - s) : strlen(s);
		if (n == max)
			return -1;
		if (len >= NP_CTL_CIDR_STRLEN)
			return -2;
		memcpy(tok[n], s, len);
		tok[n++][len] = '\0';
		if (!end)
			return n;
		s = end + 1;
	}
}

int np_ctl_kv_parse(struct np_ctl *ctl, const char *cmd, const char *what,
		    char **words, int n, struct np_ctl_kv *kv, size_t nkv)
{
	size_t k;
	int i;

	for (i = 0; i < n; i += 2) {
		for (k = 0; k < nkv; k++)
			if (!strcmp(words[i], kv[k].key))
				break;
		if (k == nkv) {
			np_ctl_usage_errorf(ctl, cmd, what, "unknown word '%s'",
					    words[i]);
			return -1;
		}
		if (i + 1 >= n) {
			np_ctl_usage_errorf(ctl, cmd, what,
					    "'%s' needs a value", words[i]);
			return -1;
		}
		if (kv[k].value) {
			np_ctl_usage_errorf(ctl, cmd, what, "'%s' given twice",
					    words[i]);
			return -1;
		}
		kv[k].value = words[i + 1];
	}
	return 0;
}
