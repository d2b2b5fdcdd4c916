// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of daemon/overlay/wgkey.c: base64 of 32-byte keys, the
 * WireGuard key file (creation, modes, reading back, rejections with their
 * exact messages) and the X25519 public key (RFC 7748 §6.1 vectors).
 * Files live in a fresh directory under $TMPDIR (or /tmp), removed at the
 * end.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "overlay/wg.h"

/* RFC 7748 §6.1: Alice's and Bob's X25519 key pairs. */
static const char alice_priv_hex[] =
	"77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
static const char alice_pub_hex[] =
	"8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
static const char bob_priv_hex[] =
	"5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
static const char bob_pub_hex[] =
	"de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
/* The same keys in base64 (Python's base64.b64encode). */
static const char alice_priv_b64[] =
	"dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=";
static const char alice_pub_b64[] =
	"hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";
static const char bob_priv_b64[] =
	"XasIfmJKikt54X+Lg4AO5m87sSkmGLb9HC+LJ/+I4Os=";
static const char bob_pub_b64[] =
	"3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08=";

static char tmpdir[256];

static void hex_to_key(const char *hex, uint8_t key[NP_WG_KEY_LEN])
{
	unsigned int b;
	int i;

	for (i = 0; i < NP_WG_KEY_LEN; i++) {
		sscanf(hex + 2 * i, "%2x", &b);
		key[i] = (uint8_t)b;
	}
}

static const char *tpath(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", tmpdir, name);
	return buf;
}

static int write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0)
		return -1;
	if (write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* The file's content (at most len - 1 bytes), NUL-terminated; -1 on error. */
static ssize_t read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

TEST(b64_known_vectors)
{
	uint8_t key[NP_WG_KEY_LEN], back[NP_WG_KEY_LEN];
	char buf[NP_WG_KEY_B64_LEN];
	int i;

	for (i = 0; i < NP_WG_KEY_LEN; i++)
		key[i] = (uint8_t)i;
	CHECK_STR(np_wg_key_b64(key, buf),
		  "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
	CHECK_INT(np_wg_key_from_b64(buf, back), 0);
	CHECK(!memcmp(key, back, sizeof(key)));

	memset(key, 0xff, sizeof(key));
	CHECK_STR(np_wg_key_b64(key, buf),
		  "//////////////////////////////////////////8=");
	CHECK_INT(np_wg_key_from_b64(buf, back), 0);
	CHECK(!memcmp(key, back, sizeof(key)));

	memset(key, 0, sizeof(key));
	CHECK_STR(np_wg_key_b64(key, buf),
		  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");

	hex_to_key(alice_pub_hex, key);
	CHECK_STR(np_wg_key_b64(key, buf), alice_pub_b64);
	memset(back, 0, sizeof(back));
	CHECK_INT(np_wg_key_from_b64(alice_pub_b64, back), 0);
	CHECK(!memcmp(key, back, sizeof(key)));
	CHECK_INT(strlen(buf), NP_WG_KEY_B64_LEN - 1);
}

TEST(b64_rejects_malformed)
{
	uint8_t key[NP_WG_KEY_LEN], orig[NP_WG_KEY_LEN];

	memset(key, 0xa5, sizeof(key));
	memcpy(orig, key, sizeof(key));
	/* 43 and 45 characters, no padding, a character outside the set. */
	CHECK_INT(np_wg_key_from_b64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", key), -1);
	CHECK_INT(np_wg_key_from_b64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8==", key), -1);
	CHECK_INT(np_wg_key_from_b64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8A", key), -1);
	CHECK_INT(np_wg_key_from_b64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd*h8=", key), -1);
	CHECK_INT(np_wg_key_from_b64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYX=BkaGxwdHh8=", key), -1);
	/* URL-safe alphabet is not standard base64. */
	CHECK_INT(np_wg_key_from_b64("__________________________________________8=", key), -1);
	/* Unused low bits of the last character set: not canonical. */
	CHECK_INT(np_wg_key_from_b64("//////////////////////////////////////////9=", key), -1);
	/* base64 of 16 bytes. */
	CHECK_INT(np_wg_key_from_b64("AAECAwQFBgcICQoLDA0ODw==", key), -1);
	CHECK_INT(np_wg_key_from_b64("", key), -1);
	CHECK_INT(np_wg_key_from_b64(NULL, key), -1);
	CHECK(!memcmp(key, orig, sizeof(key)));	/* untouched on failure */
}

/* RFC 7748 §6.1: the public key derived from a key file. */
TEST(public_key_rfc7748)
{
	uint8_t priv[NP_WG_KEY_LEN], pub[NP_WG_KEY_LEN], want[NP_WG_KEY_LEN];
	char path[512], line[64], buf[NP_WG_KEY_B64_LEN];
	struct np_err err;

	tpath("alice.key", path, sizeof(path));
	snprintf(line, sizeof(line), "%s\n", alice_priv_b64);
	CHECK_INT(write_file(path, line, strlen(line)), 0);
	CHECK_INT(np_wg_key_load(path, priv, pub, &err), 0);
	CHECK_INT(err.err, 0);
	hex_to_key(alice_priv_hex, want);
	CHECK(!memcmp(priv, want, sizeof(want)));
	hex_to_key(alice_pub_hex, want);
	CHECK(!memcmp(pub, want, sizeof(want)));
	CHECK_STR(np_wg_key_b64(pub, buf), alice_pub_b64);

	/* Bob's key, without the final newline, as some editors save it. */
	tpath("bob.key", path, sizeof(path));
	CHECK_INT(write_file(path, bob_priv_b64, strlen(bob_priv_b64)), 0);
	CHECK_INT(np_wg_key_load(path, priv, pub, &err), 0);
	hex_to_key(bob_priv_hex, want);
	CHECK(!memcmp(priv, want, sizeof(want)));
	hex_to_key(bob_pub_hex, want);
	CHECK(!memcmp(pub, want, sizeof(want)));
	CHECK_STR(np_wg_key_b64(pub, buf), bob_pub_b64);
}

TEST(key_file_created)
{
	uint8_t priv[NP_WG_KEY_LEN], pub[NP_WG_KEY_LEN];
	uint8_t priv2[NP_WG_KEY_LEN], pub2[NP_WG_KEY_LEN], dec[NP_WG_KEY_LEN];
	char path[512], dir[512], content[128], b64[NP_WG_KEY_B64_LEN];
	struct np_err err;
	struct stat st;
	mode_t old;

	/* A lax umask must not make the file or the directories lax. */
	old = umask(0);
	tpath("new/sub/wg.key", path, sizeof(path));
	CHECK_INT(np_wg_key_load(path, priv, pub, &err), 0);
	umask(old);
	CHECK_STR(err.msg, "");

	CHECK_INT(stat(path, &st), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_INT(st.st_mode & 07777, 0600);
	tpath("new/sub", dir, sizeof(dir));
	CHECK_INT(stat(dir, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0700);
	CHECK_INT(count_entries(dir), 1);	/* no temporary file left */
	tpath("new", dir, sizeof(dir));
	CHECK_INT(stat(dir, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0700);

	/* 44 base64 characters and a newline, like `wg genkey`. */
	CHECK_INT(read_file(path, content, sizeof(content)), 45);
	CHECK_INT(content[44], '\n');
	content[44] = '\0';
	CHECK_INT(np_wg_key_from_b64(content, dec), 0);
	CHECK(!memcmp(dec, priv, sizeof(dec)));
	CHECK_STR(np_wg_key_b64(priv, b64), content);
	/* Clamped as `wg genkey` does. */
	CHECK_INT(priv[0] & 7, 0);
	CHECK_INT(priv[31] & 0xc0, 0x40);

	/* Loaded again: the same key, the file unchanged. */
	CHECK_INT(np_wg_key_load(path, priv2, pub2, &err), 0);
	CHECK(!memcmp(priv, priv2, sizeof(priv)));
	CHECK(!memcmp(pub, pub2, sizeof(pub)));
	CHECK_INT(read_file(path, content, sizeof(content)), 45);
	CHECK_STR(np_wg_key_b64(priv, b64), strtok(content, "\n"));
	CHECK(memcmp(pub, priv, sizeof(pub)) != 0);
}

/* An existing directory keeps its mode: it may be shared (/var/lib). */
TEST(key_file_existing_dir_kept)
{
	uint8_t priv[NP_WG_KEY_LEN], pub[NP_WG_KEY_LEN];
	char path[512], dir[512];
	struct np_err err;
	struct stat st;

	tpath("shared", dir, sizeof(dir));
	CHECK_INT(mkdir(dir, 0755), 0);
	CHECK_INT(chmod(dir, 0755), 0);
	tpath("shared/wg.key", path, sizeof(path));
	CHECK_INT(np_wg_key_load(path, priv, pub, &err), 0);
	CHECK_INT(stat(dir, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0755);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0600);
}

/* Writes content to name, expects np_wg_key_load to fail with msg. */
static int reject(const char *name, const char *content, size_t len,
		  int want_err, const char *want_suffix, char *got, size_t glen)
{
	uint8_t priv[NP_WG_KEY_LEN], pub[NP_WG_KEY_LEN];
	char path[512], want[700], after[512];
	struct np_err err;
	int r;

	tpath(name, path, sizeof(path));
	if (write_file(path, content, len) < 0)
		return -100;
	r = np_wg_key_load(path, priv, pub, &err);
	snprintf(got, glen, "%s", err.msg);
	snprintf(want, sizeof(want), "%s: %s", path, want_suffix);
	if (r != -want_err || err.err != want_err)
		return -1;
	if (strcmp(err.msg, want))
		return -2;
	/* The rejected file is left alone. */
	if (read_file(path, after, sizeof(after)) != (ssize_t)len ||
	    memcmp(after, content, len))
		return -3;
	return 0;
}

TEST(key_file_rejects)
{
	char got[NP_ERR_MSG_LEN], big[200];
	static const char two[] =
		"dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=\n"
		"XasIfmJKikt54X+Lg4AO5m87sSkmGLb9HC+LJ/+I4Os=\n";
	int r;

#define REJECT(name, s, len, e, msg) do {				\
	r = reject(name, s, len, e, msg, got, sizeof(got));		\
	if (r < 0)							\
		CHECK_FAIL("%s: reject() = %d, message \"%s\"",		\
			   name, r, got);				\
} while (0)
	REJECT("empty.key", "", 0, EINVAL,
	       "empty, expected a base64 WireGuard private key");
	REJECT("blank.key", " \n", 2, EINVAL,
	       "empty, expected a base64 WireGuard private key");
	REJECT("short.key", "AAECAwQFBgcICQoLDA0ODw==\n", 25, EINVAL,
	       "not a WireGuard private key: 24 characters, expected 44 (base64 of 32 bytes)");
	REJECT("long.key", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gIQ==\n",
	       49, EINVAL,
	       "not a WireGuard private key: 48 characters, expected 44 (base64 of 32 bytes)");
	REJECT("bad.key", "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25L*o=\n", 45,
	       EINVAL, "not a WireGuard private key: invalid base64");
	REJECT("noncanon.key", "//////////////////////////////////////////9=\n",
	       45, EINVAL, "not a WireGuard private key: invalid base64");
	REJECT("two.key", two, sizeof(two) - 1, EINVAL,
	       "not a WireGuard private key: more than one line");
	REJECT("nul.key", "dwdtCnMYpX08FsFyUbJmRd9ML4fr\0JkqsXf7pR25LCo=\n", 45,
	       EINVAL, "not a WireGuard private key: more than one line");
	memset(big, 'A', sizeof(big));
	REJECT("big.key", big, sizeof(big), EINVAL,
	       "not a WireGuard private key: more than 128 bytes");
#undef REJECT
}

TEST(key_file_crlf_accepted)
{
	uint8_t priv[NP_WG_KEY_LEN], pub[NP_WG_KEY_LEN], want[NP_WG_KEY_LEN];
	char path[512], line[64];
	struct np_err err;

	tpath("crlf.key", path, sizeof(path));
	snprintf(line, sizeof(line), "%s\r\n", alice_priv_b64);
	CHECK_INT(write_file(path, line, strlen(line)), 0);
	CHECK_INT(np_wg_key_load(path, priv, pub, &err), 0);
	hex_to_key(alice_pub_hex, want);
	CHECK(!memcmp(pub, want, sizeof(want)));
}

TEST(key_file_path_errors)
{
	uint8_t priv[NP_WG_KEY_LEN], pub[NP_WG_KEY_LEN];
	char path[512], want[600], buf[NP_ERR_MSG_LEN + 64];
	struct np_err err;

	CHECK_INT(np_wg_key_load("", priv, pub, &err), -EINVAL);
	CHECK_STR(err.msg, "no WireGuard key file given");

	/* A directory where the file should be. */
	tpath("adir", path, sizeof(path));
	CHECK_INT(mkdir(path, 0700), 0);
	CHECK_INT(np_wg_key_load(path, priv, pub, &err), -EINVAL);
	snprintf(want, sizeof(want),
		 "%s: the WireGuard key file is not a regular file", path);
	CHECK_STR(err.msg, want);

	/* A regular file where a directory should be. */
	tpath("afile", path, sizeof(path));
	CHECK_INT(write_file(path, "x", 1), 0);
	tpath("afile/wg.key", path, sizeof(path));
	CHECK_INT(np_wg_key_load(path, priv, pub, &err), -ENOTDIR);
	snprintf(want, sizeof(want), "%s: cannot open the WireGuard key file",
		 path);
	CHECK_STR(err.msg, want);
	snprintf(want, sizeof(want),
		 "%s: cannot open the WireGuard key file (Not a directory)",
		 path);
	CHECK_STR(np_err_str(&err, buf, sizeof(buf)), want);
}

static void rm_rf(const char *path)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", path);
}

int main(void)
{
	const char *t = getenv("TMPDIR");
	int rc;

	snprintf(tmpdir, sizeof(tmpdir), "%s/test_wgkey.XXXXXX",
		 t && t[0] ? t : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(b64_known_vectors);
	RUN(b64_rejects_malformed);
	RUN(public_key_rfc7748);
	RUN(key_file_created);
	RUN(key_file_existing_dir_kept);
	RUN(key_file_rejects);
	RUN(key_file_crlf_accepted);
	RUN(key_file_path_errors);
	rc = check_summary();
	rm_rf(tmpdir);
	return rc;
}
