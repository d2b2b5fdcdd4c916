// SPDX-License-Identifier: GPL-2.0-only
/*
 * Addresses, prefixes and MACs as text, shared by nodeplanectl, nodeplaned
 * and the netlink client. Parsing is strict, so that what is printed is
 * exactly what is read back.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"

/* A decimal number in 0..max, no sign, no leading zeros or spaces. */
static int dec_parse(const char *s, unsigned long max, unsigned long *v)
{
	unsigned long n = 0;

	if (!*s || strlen(s) > 3 || (s[0] == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		n = n * 10 + (unsigned long)(*s - '0');
	}
	if (n > max)
		return -1;
	*v = n;
	return 0;
}

int np_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int np_mac_parse(const char *s, uint8_t mac[NP_MAC_LEN])
{
	int i, hi, lo;

	if (strlen(s) != NP_MAC_STRLEN - 1)
		return -1;
	for (i = 0; i < NP_MAC_LEN; i++, s += 3) {
		hi = np_hex_digit(s[0]);
		lo = np_hex_digit(s[1]);
		if (hi < 0 || lo < 0 || (i < NP_MAC_LEN - 1 && s[2] != ':'))
			return -1;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

const char *np_mac_str(const uint8_t mac[NP_MAC_LEN], char *buf)
{
	snprintf(buf, NP_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

bool np_mac_unicast(const uint8_t mac[NP_MAC_LEN])
{
	static const uint8_t zero[NP_MAC_LEN];

	return !(mac[0] & 1) && memcmp(mac, zero, NP_MAC_LEN);
}

int np_addr_parse(const char *s, struct np_addr *a)
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

const char *np_addr_str(const struct np_addr *a, char *buf, size_t len)
{
	if ((a->family != AF_INET && a->family != AF_INET6) ||
	    !inet_ntop(a->family, a->a, buf, (socklen_t)len))
		snprintf(buf, len, "-");
	return buf;
}

int np_cidr_parse(const char *s, struct np_cidr *c)
{
	const char *slash = strchr(s, '/');
	char addr[NP_ADDR_STRLEN];
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
	if (np_addr_parse(addr, &c->addr) < 0 ||
	    dec_parse(slash + 1, c->addr.family == AF_INET ? 32 : 128, &plen) < 0) {
		memset(c, 0, sizeof(*c));
		return -1;
	}
	c->prefixlen = (uint8_t)plen;
	return 0;
}

const char *np_cidr_str(const struct np_cidr *c, char *buf, size_t len)
{
	char a[NP_ADDR_STRLEN];

	snprintf(buf, len, "%s/%u", np_addr_str(&c->addr, a, sizeof(a)),
		 c->prefixlen);
	return buf;
}

bool np_addr_eq(const struct np_addr *a, const struct np_addr *b)
{
	size_t n = a->family == AF_INET ? 4 : 16;

	return a->family == b->family && (!a->family || !memcmp(a->a, b->a, n));
}

int np_addr_cmp(const struct np_addr *a, const struct np_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (!a->family)
		return 0;
	return memcmp(a->a, b->a, a->family == AF_INET ? 4 : 16);
}

int np_cidr_cmp(const void *pa, const void *pb)
{
	const struct np_cidr *a = pa, *b = pb;
	int r = np_addr_cmp(&a->addr, &b->addr);

	if (r)
		return r;
	return (a->prefixlen > b->prefixlen) - (a->prefixlen < b->prefixlen);
}

bool np_cidr_contains(const struct np_cidr *c, const struct np_addr *a)
{
	unsigned int bits = c->prefixlen, i;

	if (c->addr.family != a->family || !a->family)
		return false;
	for (i = 0; bits >= 8; i++, bits -= 8)
		if (c->addr.a[i] != a->a[i])
			return false;
	return !bits || !((c->addr.a[i] ^ a->a[i]) & (uint8_t)(0xff << (8 - bits)));
}

void np_cidr_network(const struct np_cidr *c, struct np_addr *net)
{
	unsigned int bits = c->prefixlen, i, n = c->addr.family == AF_INET ? 4 : 16;

	*net = c->addr;
	for (i = 0; i < n; i++) {
		if (bits >= 8) {
			bits -= 8;
			continue;
		}
		net->a[i] &= (uint8_t)(0xff << (8 - bits));
		bits = 0;
	}
}
