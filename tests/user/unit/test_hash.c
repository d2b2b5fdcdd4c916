// SPDX-License-Identifier: GPL-2.0-only
/*
 * The keyed hash of the model's tables and the overlay's planner
 * (model/hmap.c): SipHash-2-4 against the reference vectors, and a key
 * that differs from one process to the next (drawn from getrandom(2)), so
 * names chosen by tenants cannot be picked to share one chain.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "model/hmap.h"

static const char *self;

/* Reference key 00 01 .. 0f (little endian words). */
static const uint64_t ref_key[2] = { 0x0706050403020100ULL,
				     0x0f0e0d0c0b0a0908ULL };

TEST(siphash_reference_vectors)
{
	uint8_t msg[64];
	size_t i;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	/* From the SipHash paper's vectors.h (vectors_sip64). */
	CHECK(np_siphash(ref_key, msg, 0) == 0x726fdb47dd0e0e31ULL);
	CHECK(np_siphash(ref_key, msg, 1) == 0x74f839c593dc67fdULL);
	CHECK(np_siphash(ref_key, msg, 7) == 0xab0200f58b01d137ULL);
	CHECK(np_siphash(ref_key, msg, 8) == 0x93f5f5799a932462ULL);
	CHECK(np_siphash(ref_key, msg, 15) == 0xa129ca6149be45e5ULL);
	CHECK(np_siphash(ref_key, msg, 63) == 0x958a324ceb064572ULL);
}

TEST(hash_follows_the_key)
{
	uint64_t k[2];
	uint64_t a, b;

	np_hash_set_seed(1, 2);
	np_hash_seed(k);
	CHECK(k[0] == 1 && k[1] == 2);
	a = np_hmap_hash("default/web", 11);
	CHECK(a == np_siphash(k, "default/web", 11));
	np_hash_set_seed(3, 4);
	b = np_hmap_hash("default/web", 11);
	CHECK(a != b);
}

/* Another process's hash of the same name (its own key). */
static int child_hash(uint64_t *out)
{
	char cmd[4096];
	FILE *f;
	int r;

	snprintf(cmd, sizeof(cmd), "'%s' --hash", self);
	f = popen(cmd, "r");
	if (!f)
		return -errno;
	r = fscanf(f, "%" SCNx64, out) == 1 ? 0 : -EIO;
	if (pclose(f) != 0)
		r = -EIO;
	return r;
}

TEST(hash_key_random_per_process)
{
	uint64_t h[3];
	int i;

	for (i = 0; i < 3; i++)
		CHECK_INT(child_hash(&h[i]), 0);
	/* a fixed function gives the same value three times; random keys of
	 * 128 bits collide with probability 2^-64 */
	CHECK(h[0] != h[1]);
	CHECK(h[1] != h[2]);
	CHECK(h[0] != h[2]);
}

int main(int argc, char **argv)
{
	self = argv[0];
	if (argc == 2 && !strcmp(argv[1], "--hash")) {
		printf("%" PRIx64 "\n", np_hmap_hash("default/web", 11));
		return 0;
	}
	RUN(siphash_reference_vectors);
	RUN(hash_follows_the_key);
	RUN(hash_key_random_per_process);
	return check_summary();
}
