// SPDX-License-Identifier: GPL-2.0-only
/*
 * Standard base64 of 32-byte keys, shared by the WireGuard key file
 * (overlay/wgkey.c) and flannel's WireGuard annotation (overlay/annot.c).
 */
#include <string.h>

#include "overlay/b64key.h"

#define B64_CHARS 44

static const char b64_chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

const char *np_b64key_str(const uint8_t key[NP_B64KEY_LEN], char *buf)
{
	size_t i, o = 0;
	uint32_t v;

	/* 30 bytes in groups of three, then the last two with one '='. */
	for (i = 0; i + 3 <= NP_B64KEY_LEN; i += 3) {
		v = (uint32_t)key[i] << 16 | (uint32_t)key[i + 1] << 8 |
		    key[i + 2];
		buf[o++] = b64_chars[v >> 18 & 63];
		buf[o++] = b64_chars[v >> 12 & 63];
		buf[o++] = b64_chars[v >> 6 & 63];
		buf[o++] = b64_chars[v & 63];
	}
	v = (uint32_t)key[i] << 16 | (uint32_t)key[i + 1] << 8;
	buf[o++] = b64_chars[v >> 18 & 63];
	buf[o++] = b64_chars[v >> 12 & 63];
	buf[o++] = b64_chars[v >> 6 & 63];
	buf[o++] = '=';
	buf[o] = '\0';
	return buf;
}

static int b64_val(char c)
{
	const char *p = c ? strchr(b64_chars, c) : NULL;

	return p ? (int)(p - b64_chars) : -1;
}

int np_b64key_parse(const char *s, uint8_t key[NP_B64KEY_LEN],
		    bool canonical)
{
	uint8_t out[NP_B64KEY_LEN];
	size_t i, o = 0;
	int d[4], j;
	uint32_t v;

	if (!s || strlen(s) != B64_CHARS || s[B64_CHARS - 1] != '=')
		return -1;
	for (i = 0; i < B64_CHARS; i += 4) {
		bool last = i + 4 == B64_CHARS;

		for (j = 0; j < 4; j++) {
			d[j] = last && j == 3 ? 0 : b64_val(s[i + j]);
			if (d[j] < 0)
				return -1;
		}
		v = (uint32_t)d[0] << 18 | (uint32_t)d[1] << 12 |
		    (uint32_t)d[2] << 6 | (uint32_t)d[3];
		out[o++] = v >> 16 & 0xff;
		out[o++] = v >> 8 & 0xff;
		if (!last)
			out[o++] = v & 0xff;
		else if (canonical && (v & 0xff))
			return -1;
	}
	memcpy(key, out, NP_B64KEY_LEN);
	return 0;
}
