/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A tiny test harness. Each test is a void function; a failed CHECK ends it.
 * Each test prints one line, "OK name", "FAIL name: why" or "SKIP name: why",
 * and check_summary() prints "N passed, N failed" and returns the exit
 * status (nonzero on any failure).
 *
 *   TEST(parses_thing) { CHECK_INT(f(), 0); CHECK_STR(buf, "x"); }
 *   int main(void) { RUN(parses_thing); return check_summary(); }
 */
#ifndef _NP_CHECK_H
#define _NP_CHECK_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;
static bool check_cur_failed, check_cur_skipped;
static char check_why[4096];

#define TEST(name) static void name(void)

/* Escapes tabs, newlines and other control characters, so a FAIL stays one line. */
static inline const char *check_esc(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	if (!s)
		return "(null)";
	for (; *s && o + 5 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			o += (size_t)snprintf(buf + o, len - o, "\\n");
		else if (c == '\t')
			o += (size_t)snprintf(buf + o, len - o, "\\t");
		else if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = '\0';
	return buf;
}

#define CHECK_FAIL(...) do {						\
	int check_n_ = snprintf(check_why, sizeof(check_why),		\
				"%s:%d: ", __FILE__, __LINE__);		\
	snprintf(check_why + check_n_, sizeof(check_why) - check_n_,	\
		 __VA_ARGS__);						\
	check_cur_failed = true;					\
	return;								\
} while (0)

#define CHECK(cond) do {						\
	if (!(cond))							\
		CHECK_FAIL("%s", #cond);				\
} while (0)

#define CHECK_INT(got, want) do {					\
	long long check_g_ = (long long)(got);				\
	long long check_w_ = (long long)(want);				\
	if (check_g_ != check_w_)					\
		CHECK_FAIL("%s == %lld, expected %lld", #got,		\
			   check_g_, check_w_);				\
} while (0)

#define CHECK_STR(got, want) do {					\
	const char *check_g_ = (got), *check_w_ = (want);		\
	char check_b1_[512], check_b2_[512];				\
	if (!check_g_ || !check_w_ || strcmp(check_g_, check_w_))	\
		CHECK_FAIL("%s == \"%s\", expected \"%s\"", #got,	\
			   check_esc(check_g_, check_b1_, sizeof(check_b1_)), \
			   check_esc(check_w_, check_b2_, sizeof(check_b2_))); \
} while (0)

#define CHECK_CONTAINS(got, needle) do {				\
	const char *check_g_ = (got), *check_w_ = (needle);		\
	char check_b1_[512];						\
	if (!check_g_ || !strstr(check_g_, check_w_))			\
		CHECK_FAIL("%s == \"%s\", expected to contain \"%s\"",	\
			   #got, check_esc(check_g_, check_b1_,		\
					   sizeof(check_b1_)), check_w_); \
} while (0)

#define SKIP(...) do {							\
	snprintf(check_why, sizeof(check_why), __VA_ARGS__);		\
	check_cur_skipped = true;					\
	return;								\
} while (0)

static inline void check_run(const char *name, void (*fn)(void))
{
	check_cur_failed = false;
	check_cur_skipped = false;
	check_why[0] = '\0';
	fn();
	if (check_cur_failed) {
		check_failed++;
		printf("FAIL %s: %s\n", name, check_why);
	} else if (check_cur_skipped) {
		printf("SKIP %s: %s\n", name, check_why);
	} else {
		check_passed++;
		printf("OK %s\n", name);
	}
	fflush(stdout);
}

#define RUN(name) check_run(#name, name)

static inline int check_summary(void)
{
	printf("%d passed, %d failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif /* _NP_CHECK_H */
