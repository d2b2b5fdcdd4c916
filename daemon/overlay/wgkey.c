// SPDX-License-Identifier: GPL-2.0-only
/*
 * The node's WireGuard key pair: standard base64 of 32-byte keys (the text
 * form `wg` reads and writes), the private key file and the X25519 public
 * key derived from it through OpenSSL's libcrypto.
 *
 * The key file holds the private key as `wg genkey` writes it: 44 base64
 * characters and a newline. A missing file is created with a new random,
 * clamped key: written to a temporary file (O_CREAT|O_EXCL, mode 0600) in
 * the same directory, synced, then hard-linked to its name, so the name
 * never shows a half-written key and two processes racing to create it end
 * up with the same key. Missing parent directories are created with mode
 * 0700; existing ones are left as they are.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "overlay/b64key.h"
#include "overlay/wg.h"

_Static_assert(NP_WG_KEY_LEN == NP_B64KEY_LEN &&
	       NP_WG_KEY_B64_LEN == NP_B64KEY_STRLEN, "key sizes");

/* Longest key file read: a key, a CRLF and some trailing blanks. */
#define KEY_FILE_MAX 128

const char *np_wg_key_b64(const uint8_t key[NP_WG_KEY_LEN], char *buf)
{
	return np_b64key_str(key, buf);
}

/* The canonical encoding, as wireguard-tools requires. */
int np_wg_key_from_b64(const char *s, uint8_t key[NP_WG_KEY_LEN])
{
	return np_b64key_parse(s, key, true);
}

/* X25519 public key of priv (OpenSSL clamps the scalar itself). */
static int derive_public(const char *path, const uint8_t priv[NP_WG_KEY_LEN],
			 uint8_t pub[NP_WG_KEY_LEN], struct np_err *err)
{
	EVP_PKEY *pk;
	size_t len = NP_WG_KEY_LEN;
	int ok;

	pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv,
					  NP_WG_KEY_LEN);
	if (!pk)
		return np_err_set(err, EINVAL,
				  "%s: OpenSSL refuses the key as an X25519 private key",
				  path);
	ok = EVP_PKEY_get_raw_public_key(pk, pub, &len) == 1 &&
	     len == NP_WG_KEY_LEN;
	EVP_PKEY_free(pk);
	if (!ok)
		return np_err_set(err, EINVAL,
				  "%s: cannot derive the X25519 public key", path);
	return 0;
}

/* Reads and validates an existing key file. -ENOENT when there is none. */
static int key_read(const char *path, uint8_t priv[NP_WG_KEY_LEN],
		    struct np_err *err)
{
	char buf[KEY_FILE_MAX + 1];
	struct stat st;
	size_t n = 0;
	ssize_t r;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		e = errno;
		if (e == ENOENT)
			return -ENOENT;
		return np_err_set(err, e, "%s: cannot open the WireGuard key file",
				  path);
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return np_err_set(err, EINVAL,
				  "%s: the WireGuard key file is not a regular file",
				  path);
	}
	while (n < sizeof(buf)) {
		r = read(fd, buf + n, sizeof(buf) - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			close(fd);
			return np_err_set(err, e, "%s: cannot read the WireGuard key file",
					  path);
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (n > KEY_FILE_MAX)
		return np_err_set(err, EINVAL,
				  "%s: not a WireGuard private key: more than %d bytes",
				  path, KEY_FILE_MAX);
	/* One line: trailing blanks and the line end are not part of it. */
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' ||
			 buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		n--;
	buf[n] = '\0';
	if (n == 0)
		return np_err_set(err, EINVAL,
				  "%s: empty, expected a base64 WireGuard private key",
				  path);
	if (memchr(buf, '\0', n) || strcspn(buf, "\r\n") != n)
		return np_err_set(err, EINVAL,
				  "%s: not a WireGuard private key: more than one line",
				  path);
	if (n != NP_WG_KEY_B64_LEN - 1)
		return np_err_set(err, EINVAL,
				  "%s: not a WireGuard private key: %zu characters, expected %d (base64 of %d bytes)",
				  path, n, NP_WG_KEY_B64_LEN - 1, NP_WG_KEY_LEN);
	if (np_wg_key_from_b64(buf, priv) < 0)
		return np_err_set(err, EINVAL,
				  "%s: not a WireGuard private key: invalid base64",
				  path);
	return 0;
}

/* mkdir -p of path's directory, each created component mode 0700. */
static int make_parents(const char *path, struct np_err *err)
{
	char dir[PATH_MAX];
	size_t len = strlen(path);
	char *p, c;

	if (len >= sizeof(dir))
		return np_err_set(err, ENAMETOOLONG, "%s: path too long", path);
	memcpy(dir, path, len + 1);
	p = strrchr(dir, '/');
	if (!p || p == dir)
		return 0;	/* relative to the cwd, or in / */
	*p = '\0';
	for (p = dir + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return np_err_set(err, errno,
					  "%s: cannot create directory %s",
					  path, dir);
		*p = c;
		if (!c)
			break;
	}
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t r;

	while (len) {
		r = write(fd, buf, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		buf += r;
		len -= (size_t)r;
	}
	return 0;
}

/* Syncs path's directory, so that a new link in it survives a crash. */
static void sync_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t len;
	int fd;

	if (!slash) {
		snprintf(dir, sizeof(dir), ".");
	} else {
		len = slash == path ? 1 : (size_t)(slash - path);
		if (len >= sizeof(dir))
			return;
		memcpy(dir, path, len);
		dir[len] = '\0';
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/*
 * Creates the key file with a new key. -EEXIST when another process
 * created it first (the caller reads that one).
 */
static int key_create(const char *path, uint8_t priv[NP_WG_KEY_LEN],
		      struct np_err *err)
{
	char tmp[PATH_MAX], line[NP_WG_KEY_B64_LEN + 1];
	uint8_t key[NP_WG_KEY_LEN];
	int fd, r;

	r = make_parents(path, err);
	if (r < 0)
		return r;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path,
		     (long)getpid()) >= (int)sizeof(tmp))
		return np_err_set(err, ENAMETOOLONG, "%s: path too long", path);
	if (RAND_bytes(key, sizeof(key)) != 1)
		return np_err_set(err, EIO,
				  "%s: OpenSSL cannot generate random bytes for a key",
				  path);
	/* Clamped like `wg genkey`, so the file is what wg would write. */
	key[0] &= 248;
	key[31] = (key[31] & 127) | 64;
	np_wg_key_b64(key, line);
	strcat(line, "\n");

	/* A stale temporary file of a crashed run of this pid: ours to drop. */
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0)
		return np_err_set(err, errno, "%s: cannot create the key file",
				  path);
	/* The mode must not depend on the umask being strict enough. */
	r = fchmod(fd, 0600) < 0 ? -errno : 0;
	if (!r)
		r = write_all(fd, line, strlen(line));
	if (!r && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && !r)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return np_err_set(err, -r, "%s: cannot write the key file", path);
	}
	if (link(tmp, path) < 0) {
		r = errno;
		unlink(tmp);
		if (r == EEXIST)
			return -EEXIST;
		return np_err_set(err, r, "%s: cannot create the key file", path);
	}
	unlink(tmp);
	sync_dir(path);
	memcpy(priv, key, sizeof(key));
	return 0;
}

int np_wg_key_load(const char *path, uint8_t priv[NP_WG_KEY_LEN],
		   uint8_t pub[NP_WG_KEY_LEN], struct np_err *err)
{
	int r;

	np_err_clear(err);
	if (!path || !path[0])
		return np_err_set(err, EINVAL, "no WireGuard key file given");
	r = key_read(path, priv, err);
	if (r == -ENOENT) {
		r = key_create(path, priv, err);
		if (r == -EEXIST)
			r = key_read(path, priv, err);
		if (r == -ENOENT)
			r = np_err_set(err, ENOENT,
				       "%s: the key file vanished while it was created",
				       path);
	}
	if (r < 0)
		return r;
	return derive_public(path, priv, pub, err);
}
