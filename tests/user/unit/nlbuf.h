/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hand-building netlink messages byte by byte for the unit tests, without
 * libnl, so the parsers under test are not checked against themselves.
 */
#ifndef _NP_NLBUF_H
#define _NP_NLBUF_H

#include <stdint.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

struct nb {
	unsigned char b[4096] __attribute__((aligned(8)));
	size_t len;
};

/* Appends len bytes, then zeroes up to the next 4-byte boundary. */
static inline size_t nb_raw(struct nb *nb, const void *data, size_t len)
{
	size_t off = nb->len;

	memcpy(nb->b + off, data, len);
	nb->len += len;
	while (nb->len % 4)
		nb->b[nb->len++] = 0;
	return off;
}

/* Starts a message (nlmsg_len set by nb_end); returns its offset. */
static inline size_t nb_msg(struct nb *nb, uint16_t type, uint16_t flags)
{
	struct nlmsghdr h = { .nlmsg_type = type, .nlmsg_flags = flags,
			      .nlmsg_seq = 7, .nlmsg_pid = 0 };

	return nb_raw(nb, &h, sizeof(h));
}

static inline struct nlmsghdr *nb_hdr(struct nb *nb, size_t off)
{
	return (struct nlmsghdr *)(nb->b + off);
}

static inline void nb_end(struct nb *nb, size_t off)
{
	nb_hdr(nb, off)->nlmsg_len = (uint32_t)(nb->len - off);
}

static inline void nb_genl(struct nb *nb, uint8_t cmd)
{
	struct genlmsghdr g = { .cmd = cmd, .version = 1 };

	nb_raw(nb, &g, sizeof(g));
}

/* Appends an attribute; returns its offset. */
static inline size_t nb_attr(struct nb *nb, uint16_t type, const void *data,
			     uint16_t len)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + len),
			    .nla_type = type };
	size_t off = nb->len;

	memcpy(nb->b + off, &a, sizeof(a));
	nb->len += sizeof(a);
	if (len)
		nb_raw(nb, data, len);
	return off;
}

static inline size_t nb_u16(struct nb *nb, uint16_t type, uint16_t v)
{
	return nb_attr(nb, type, &v, sizeof(v));
}

static inline size_t nb_u32(struct nb *nb, uint16_t type, uint32_t v)
{
	return nb_attr(nb, type, &v, sizeof(v));
}

static inline size_t nb_u64(struct nb *nb, uint16_t type, uint64_t v)
{
	return nb_attr(nb, type, &v, sizeof(v));
}

static inline size_t nb_str(struct nb *nb, uint16_t type, const char *s)
{
	return nb_attr(nb, type, s, (uint16_t)(strlen(s) + 1));
}

/* Starts a nest (closed by nb_nest_end); returns its offset. */
static inline size_t nb_nest(struct nb *nb, uint16_t type)
{
	return nb_attr(nb, type | NLA_F_NESTED, NULL, 0);
}

static inline void nb_nest_end(struct nb *nb, size_t off)
{
	struct nlattr *a = (struct nlattr *)(nb->b + off);

	a->nla_len = (uint16_t)(nb->len - off);
}

#endif /* _NP_NLBUF_H */
