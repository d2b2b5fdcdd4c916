/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Addresses, prefixes and MACs: the plain types every part of the daemon
 * and nodeplanectl shares (no libnl, no model), and their text forms
 * (addr.c). Addresses are in network byte order.
 *
 * Text: MAC xx:xx:xx:xx:xx:xx, hex digits of either case, printed
 * lowercase. Address: IPv4 or IPv6 by its text (inet_pton). CIDR:
 * ADDR/PREFIXLEN, the prefix length in decimal within the family's bits, no
 * leading zeros; host bits are kept as given. Parsers return 0 or -1.
 */
#ifndef _NP_ADDR_H
#define _NP_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NP_MAC_LEN 6
#define NP_MAC_STRLEN 18
#define NP_ADDR_STRLEN 46		/* INET6_ADDRSTRLEN */
#define NP_CIDR_STRLEN (NP_ADDR_STRLEN + 4)

/* An IPv4 or IPv6 address. */
struct np_addr {
	int family;			/* AF_INET, AF_INET6, or 0: none */
	uint8_t a[16];			/* IPv4 in the first 4 bytes */
};

/* A prefix. Host bits are kept as given. */
struct np_cidr {
	struct np_addr addr;
	uint8_t prefixlen;
};

/* The value of hex digit c (either case), or -1. */
int np_hex_digit(char c);
int np_mac_parse(const char *s, uint8_t mac[NP_MAC_LEN]);
/* buf holds NP_MAC_STRLEN bytes. */
const char *np_mac_str(const uint8_t mac[NP_MAC_LEN], char *buf);
/* Neither multicast nor all-zero. */
bool np_mac_unicast(const uint8_t mac[NP_MAC_LEN]);
int np_addr_parse(const char *s, struct np_addr *a);
/* "-" for an address of no family. */
const char *np_addr_str(const struct np_addr *a, char *buf, size_t len);
int np_cidr_parse(const char *s, struct np_cidr *c);
const char *np_cidr_str(const struct np_cidr *c, char *buf, size_t len);
/* Same family and bytes (two addresses of no family are equal). */
bool np_addr_eq(const struct np_addr *a, const struct np_addr *b);
/* Total order: family, then bytes (the family's length). */
int np_addr_cmp(const struct np_addr *a, const struct np_addr *b);
/* Total order over struct np_cidr for qsort: address, then prefix length. */
int np_cidr_cmp(const void *a, const void *b);
/* a lies inside c (same family). */
bool np_cidr_contains(const struct np_cidr *c, const struct np_addr *a);
/* c's address with the host bits cleared. */
void np_cidr_network(const struct np_cidr *c, struct np_addr *net);

#endif /* _NP_ADDR_H */
