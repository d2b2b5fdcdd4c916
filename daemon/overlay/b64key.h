/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Standard base64 of 32-byte keys (X25519/WireGuard): 44 characters, the
 * last one '=', as `wg` and flannel's annotations write them.
 */
#ifndef _NP_B64KEY_H
#define _NP_B64KEY_H

#include <stdbool.h>
#include <stdint.h>

#define NP_B64KEY_LEN 32
#define NP_B64KEY_STRLEN 45		/* 44 characters and the NUL */

/* key as text into buf (NP_B64KEY_STRLEN bytes); returns buf. */
const char *np_b64key_str(const uint8_t key[NP_B64KEY_LEN], char *buf);
/*
 * Exactly 44 characters of the standard alphabet, the last one '='. With
 * canonical, the unused low bits of the 43rd must be zero (wireguard-tools);
 * without, they are ignored (Go's StdEncoding). 0 or -1, key untouched.
 */
int np_b64key_parse(const char *s, uint8_t key[NP_B64KEY_LEN],
		    bool canonical);

#endif /* _NP_B64KEY_H */
