// SPDX-License-Identifier: GPL-2.0-only
/*
 * flannel's subnet.env: its text from the cluster CIDRs, the own podCIDRs
 * and the overlay MTU, and its atomic replacement (temporary file in the
 * same directory, fsync, rename) only when the text changes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "overlay/subnetenv.h"

const char *np_subnetenv_path(void)
{
	const char *p = getenv(NP_SUBNETENV_ENV);

	return p && *p ? p : NP_SUBNETENV_PATH;
}

/* The first host of c: its network address plus one, c's prefix. */
static void first_host(const struct np_cidr *c, struct np_cidr *out)
{
	int i = c->addr.family == AF_INET ? 3 : 15;

	out->prefixlen = c->prefixlen;
	np_cidr_network(c, &out->addr);
	for (; i >= 0; i--)
		if (++out->addr.a[i])
			break;
}

struct sbuf {
	char *p;
	size_t len, n;
	bool over;
};

static void put(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (b->over)
		return;
	va_start(ap, fmt);
	r = vsnprintf(b->p + b->n, b->len - b->n, fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= b->len - b->n) {
		b->over = true;
		return;
	}
	b->n += (size_t)r;
}

static void put_fam(struct sbuf *b, const char *net_key, const char *sub_key,
		    const struct np_cidr *cluster, const struct np_cidr *pod)
{
	char s[NP_CIDR_STRLEN];
	struct np_cidr net, host;

	net.prefixlen = cluster->prefixlen;
	np_cidr_network(cluster, &net.addr);
	put(b, "%s=%s\n", net_key, np_cidr_str(&net, s, sizeof(s)));
	first_host(pod, &host);
	put(b, "%s=%s\n", sub_key, np_cidr_str(&host, s, sizeof(s)));
}

int np_subnetenv_format(const struct np_subnetenv *in, char *buf, size_t len)
{
	struct sbuf b = { buf, len, 0, false };

	if (!in->fam4 && !in->fam6)
		return -EINVAL;
	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	if (in->fam4)
		put_fam(&b, "FLANNEL_NETWORK", "FLANNEL_SUBNET", &in->cluster4,
			&in->pod4);
	if (in->fam6)
		put_fam(&b, "FLANNEL_IPV6_NETWORK", "FLANNEL_IPV6_SUBNET",
			&in->cluster6, &in->pod6);
	put(&b, "FLANNEL_MTU=%u\n", in->mtu);
	put(&b, "FLANNEL_IPMASQ=%s\n", in->ipmasq ? "true" : "false");
	return b.over ? -ENOSPC : 0;
}

static void whyf(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void whyf(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

/* Does path hold exactly text? */
static bool same(const char *path, const char *text)
{
	size_t tl = strlen(text), got = 0;
	char buf[NP_SUBNETENV_LEN + 1];
	ssize_t r;
	int fd;

	if (tl >= sizeof(buf))
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	while (got < sizeof(buf) &&
	       (r = read(fd, buf + got, sizeof(buf) - got)) > 0)
		got += (size_t)r;
	close(fd);
	return got == tl && !memcmp(buf, text, tl);
}

/* mkdir -p of the directory part of path (dir is modified and restored). */
static int make_dirs(char *dir)
{
	char *s;

	for (s = dir + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST) {
			*s = '/';
			return -errno;
		}
		*s = '/';
	}
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

int np_subnetenv_write(const char *path, const char *text, char *why,
		       size_t why_len)
{
	char dir[4096], tmp[4096 + 16];
	const char *slash = strrchr(path, '/');
	size_t tl = strlen(text), off = 0;
	int fd, r;

	why[0] = '\0';
	if (same(path, text))
		return 1;
	if (strlen(path) >= sizeof(dir) || !path[0]) {
		whyf(why, why_len, "%s: bad path", path);
		return -EINVAL;
	}
	if (slash && slash != path) {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
		r = make_dirs(dir);
		if (r) {
			whyf(why, why_len, "cannot create %s: %s", dir,
			     strerror(-r));
			return r;
		}
	}
	if (slash)
		snprintf(tmp, sizeof(tmp), "%.*s/.%s.XXXXXX",
			 (int)(slash - path), path, slash + 1);
	else
		snprintf(tmp, sizeof(tmp), ".%s.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		whyf(why, why_len, "cannot create a file next to %s: %s", path,
		     strerror(errno));
		return r;
	}
	if (fchmod(fd, 0644))
		goto fail;
	while (off < tl) {
		ssize_t w = write(fd, text + off, tl - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (!w)
				errno = EIO;
			goto fail;
		}
		off += (size_t)w;
	}
	if (fsync(fd))
		goto fail;
	if (close(fd)) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path))
		goto fail;
	return 0;
fail:
	r = -errno;
	whyf(why, why_len, "cannot write %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return r;
}
