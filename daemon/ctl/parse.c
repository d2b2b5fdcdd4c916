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

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int np_ctl_mac_parse(const char *s, uint8_t mac[NP_MAC_LEN])
{
	int i, hi, lo;

	if (strlen(s) != NP_CTL_MAC_STRLEN - 1)
		return -1;
	for (i = 0; i < NP_MAC_LEN; i++, s += 3) {
		hi = hexval(s[0]);
		lo = hexval(s[1]);
		if (hi < 0 || lo < 0 || (i < NP_MAC_LEN - 1 && s[2] != ':'))
			return -1;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

const char *np_ctl_mac_str(const uint8_t mac[NP_MAC_LEN], char *buf)
{
	snprintf(buf, NP_CTL_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

bool np_ctl_mac_unicast(const uint8_t mac[NP_MAC_LEN])
{
	static const uint8_t zero[NP_MAC_LEN];

	return !(mac[0] & 1) && memcmp(mac, zero, NP_MAC_LEN);
}

int np_ctl_addr_parse(const char *s, struct np_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->a) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->a) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	memset(a, 0, sizeof(*a));
	return -1;
}

const char *np_ctl_addr_str(const struct np_addr *a, char *buf, size_t len)
{
	if ((a->family != AF_INET && a->family != AF_INET6) ||
	    !inet_ntop(a->family, a->a, buf, (socklen_t)len))
		snprintf(buf, len, "-");
	return buf;
}

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

int np_ctl_cidr_parse(const char *s, struct np_cidr *c)
{
	const char *slash = strchr(s, '/');
	char addr[NP_CTL_ADDR_STRLEN];
	unsigned long plen;
	size_t alen;

	memset(c, 0, sizeof(*c));
	if (!slash)
		return -1;
	alen = (size_t)(slash - s);
	if (alen == 0 || alen >= sizeof(addr))
		return -1;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (np_ctl_addr_parse(addr, &c->addr) < 0 ||
	    np_ctl_uint_parse(slash + 1, 0,
			      c->addr.family == AF_INET ? 32 : 128, &plen) < 0 ||
	    (slash[1] == '0' && slash[2])) {	/* no leading zeros */
		memset(c, 0, sizeof(*c));
		return -1;
	}
	c->prefixlen = (uint8_t)plen;
	return 0;
}

const char *np_ctl_cidr_str(const struct np_cidr *c, char *buf, size_t len)
{
	char a[NP_CTL_ADDR_STRLEN];

	snprintf(buf, len, "%s/%u", np_ctl_addr_str(&c->addr, a, sizeof(a)),
		 c->prefixlen);
	return buf;
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
