// SPDX-License-Identifier: GPL-2.0-only
/*
 * Links, addresses and routes through rtnetlink, for the overlay
 * reconciler: libnl-route-3 builds the requests and dumps into caches;
 * requests that change something go through rt_exec(), which reads the
 * kernel's ACK itself so that an error carries the extack text (libnl 3.7
 * drops it).
 */
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>

#include "overlay/rtnl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct np_rtnl {
	struct nl_sock *sk;
};

int np_rtnl_open(struct np_rtnl **out, struct np_err *err)
{
	struct np_rtnl *rt;
	int one = 1;
	int r;

	*out = NULL;
	np_err_clear(err);
	rt = calloc(1, sizeof(*rt));
	if (!rt)
		return np_err_set(err, ENOMEM, "cannot allocate the rtnetlink connection");
	rt->sk = nl_socket_alloc();
	if (!rt->sk) {
		free(rt);
		return np_err_set(err, ENOMEM, "cannot allocate a netlink socket");
	}
	r = nl_connect(rt->sk, NETLINK_ROUTE);
	if (r < 0) {
		nl_socket_free(rt->sk);
		free(rt);
		return np_err_set(err, np_nl_errno(r),
				  "cannot open an rtnetlink socket");
	}
	/* Not fatal on kernels before 4.12: errors then come without text. */
	setsockopt(nl_socket_get_fd(rt->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	*out = rt;
	return 0;
}

void np_rtnl_close(struct np_rtnl *rt)
{
	if (!rt)
		return;
	nl_socket_free(rt->sk);
	free(rt);
}

/* --- requests and their ACK -------------------------------------------- */

struct ack {
	int done;
	int error;			/* positive errno */
	char text[NP_ERR_MSG_LEN];	/* NLMSGERR_ATTR_MSG, printable */
};

/* The kernel's NLMSGERR_ATTR_MSG of an NLMSG_ERROR message, if any. */
static void extack_text(const struct nlmsghdr *nlh, char *buf, size_t len)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	const unsigned char *s;
	struct nlattr *nla;
	size_t off, msglen = nlh->nlmsg_len;
	size_t i, o = 0;

	buf[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    msglen < NLMSG_HDRLEN + sizeof(*e))
		return;
	off = NLMSG_HDRLEN + sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < NLMSG_HDRLEN ||
		    e->msg.nlmsg_len - NLMSG_HDRLEN > msglen - off)
			return;
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	}
	if (off >= msglen)
		return;
	nla = nla_find((struct nlattr *)((unsigned char *)nlh + off),
		       (int)(msglen - off), NLMSGERR_ATTR_MSG);
	if (!nla)
		return;
	s = nla_data(nla);
	for (i = 0; i < (size_t)nla_len(nla) && s[i] && o + 1 < len; i++)
		buf[o++] = s[i] < 0x20 || s[i] == 0x7f ? '?' : (char)s[i];
	buf[o] = '\0';
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct ack *a = arg;

	(void)msg;
	a->done = 1;
	return NL_STOP;
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	/* libnl hands us the nlmsgerr inside a complete, length-checked message. */
	const struct nlmsghdr *nlh =
		(const struct nlmsghdr *)((unsigned char *)e - NLMSG_HDRLEN);
	struct ack *a = arg;

	(void)who;
	a->error = e->error < 0 ? -e->error : e->error;
	extack_text(nlh, a->text, sizeof(a->text));
	a->done = 1;
	return NL_STOP;
}

/*
 * Sends msg (freed here) and waits for its ACK. On failure err says
 * "<what>: <kernel's text>" (or "<what>") and the errno.
 */
static int rt_exec(struct np_rtnl *rt, struct nl_msg *msg, struct np_err *err,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int rt_exec(struct np_rtnl *rt, struct nl_msg *msg, struct np_err *err,
		   const char *fmt, ...)
{
	struct ack a = { 0 };
	struct nl_cb *cb, *orig;
	char what[NP_ERR_MSG_LEN];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);

	orig = nl_socket_get_cb(rt->sk);
	cb = nl_cb_clone(orig);
	nl_cb_put(orig);
	if (!cb) {
		nlmsg_free(msg);
		return np_err_set(err, ENOMEM, "%s: cannot allocate callbacks", what);
	}
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &a);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &a);

	/* nl_send_auto() adds NLM_F_REQUEST | NLM_F_ACK and the sequence. */
	r = nl_send_auto(rt->sk, msg);
	nlmsg_free(msg);
	if (r < 0) {
		nl_cb_put(cb);
		return np_err_set(err, np_nl_errno(r), "%s: cannot send the request",
				  what);
	}
	while (!a.done) {
		r = nl_recvmsgs_report(rt->sk, cb);
		if (r == 0 && !a.done) {
			r = np_err_set(err, EPIPE,
				       "%s: netlink socket closed before the reply",
				       what);
			break;
		}
		if (r < 0 && !a.done) {
			r = np_err_set(err, np_nl_errno(r),
				       "%s: cannot read the reply (libnl: %s)",
				       what, nl_geterror(r));
			break;
		}
	}
	nl_cb_put(cb);
	if (!a.done)
		return r;
	if (a.error) {
		if (a.text[0])
			return np_err_set(err, a.error, "%s: %s", what, a.text);
		if (a.error == EPERM)
			return np_err_set(err, EPERM,
					  "%s: permission denied, CAP_NET_ADMIN required",
					  what);
		return np_err_set(err, a.error, "%s", what);
	}
	np_err_clear(err);
	return 0;
}

/* --- links ------------------------------------------------------------ */

static int check_name(const char *name, struct np_err *err)
{
	size_t i, n = name ? strlen(name) : 0;

	if (n == 0 || n >= IFNAMSIZ)
		return np_err_set(err, EINVAL,
				  "invalid interface name \"%s\": 1 to %d characters",
				  name ? name : "", IFNAMSIZ - 1);
	for (i = 0; i < n; i++)
		if (name[i] == '/' || name[i] == ':' ||
		    (unsigned char)name[i] <= ' ' || name[i] == 0x7f)
			return np_err_set(err, EINVAL,
					  "invalid interface name \"%s\"", name);
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return np_err_set(err, EINVAL, "invalid interface name \"%s\"",
				  name);
	return 0;
}

/*
 * The link of that name (ifindex 0) or ifindex; *out NULL and 0 when there
 * is none. A reference to put with rtnl_link_put().
 */
static int link_get(struct np_rtnl *rt, uint32_t ifindex, const char *name,
		    struct rtnl_link **out, struct np_err *err)
{
	int r;

	*out = NULL;
	if (ifindex > INT32_MAX)
		return 0;
	r = rtnl_link_get_kernel(rt->sk, (int)ifindex, name, out);
	if (r == -NLE_NODEV || r == -NLE_OBJ_NOTFOUND) {
		*out = NULL;
		return 0;
	}
	if (r < 0) {
		*out = NULL;
		if (name)
			return np_err_set(err, np_nl_errno(r),
					  "%s: cannot read the link (libnl: %s)",
					  name, nl_geterror(r));
		return np_err_set(err, np_nl_errno(r),
				  "link %u: cannot read it (libnl: %s)",
				  ifindex, nl_geterror(r));
	}
	return 0;
}

int np_rtnl_link_index(struct np_rtnl *rt, const char *name,
		       uint32_t *ifindex, struct np_err *err)
{
	struct rtnl_link *l;
	int r;

	np_err_clear(err);
	r = check_name(name, err);
	if (r < 0)
		return r;
	r = link_get(rt, 0, name, &l, err);
	if (r < 0)
		return r;
	if (!l)
		return np_err_set(err, ENODEV, "%s: no such link", name);
	*ifindex = (uint32_t)rtnl_link_get_ifindex(l);
	rtnl_link_put(l);
	return 0;
}

int np_rtnl_link_mtu(struct np_rtnl *rt, uint32_t ifindex, uint32_t *mtu,
		     struct np_err *err)
{
	struct rtnl_link *l;
	int r;

	np_err_clear(err);
	if (!ifindex)
		return np_err_set(err, EINVAL, "link index 0 is not a link");
	r = link_get(rt, ifindex, NULL, &l, err);
	if (r < 0)
		return r;
	if (!l)
		return np_err_set(err, ENODEV, "link %u: no such link", ifindex);
	*mtu = rtnl_link_get_mtu(l);
	rtnl_link_put(l);
	return 0;
}

static int link_create(struct np_rtnl *rt, const char *name, const char *kind,
		       uint32_t mtu, struct np_err *err)
{
	struct rtnl_link *l;
	struct nl_msg *msg;
	int r;

	l = rtnl_link_alloc();
	if (!l)
		return np_err_set(err, ENOMEM, "%s: cannot allocate a link", name);
	rtnl_link_set_name(l, name);
	r = rtnl_link_set_type(l, kind);
	if (!r && mtu)
		rtnl_link_set_mtu(l, mtu);
	if (!r)
		r = rtnl_link_build_add_request(l, NLM_F_CREATE | NLM_F_EXCL,
						&msg);
	rtnl_link_put(l);
	if (r < 0)
		return np_err_set(err, np_nl_errno(r),
				  "%s: cannot build the request to create a %s link",
				  name, kind);
	r = rt_exec(rt, msg, err, "%s: cannot create a %s link", name, kind);
	if (r == -EOPNOTSUPP && !strchr(err->msg, ':'))
		np_err_set(err, EOPNOTSUPP,
			   "%s: cannot create a %s link: the kernel has no such link kind (module not loaded?)",
			   name, kind);
	return r;
}

/* One change of an existing link: MTU, or IFF_UP (mtu 0). */
static int link_change(struct np_rtnl *rt, struct rtnl_link *orig,
		       const char *name, uint32_t mtu, struct np_err *err)
{
	struct rtnl_link *ch;
	struct nl_msg *msg;
	int r;

	ch = rtnl_link_alloc();
	if (!ch)
		return np_err_set(err, ENOMEM, "%s: cannot allocate a link", name);
	if (mtu)
		rtnl_link_set_mtu(ch, mtu);
	else
		rtnl_link_set_flags(ch, IFF_UP);
	r = rtnl_link_build_change_request(orig, ch, 0, &msg);
	rtnl_link_put(ch);
	if (r < 0)
		return np_err_set(err, np_nl_errno(r),
				  "%s: cannot build the link change request", name);
	if (mtu)
		return rt_exec(rt, msg, err, "%s: cannot set MTU %u", name, mtu);
	return rt_exec(rt, msg, err, "%s: cannot bring the link up", name);
}

int np_rtnl_link_ensure(struct np_rtnl *rt, const char *name,
			const char *kind, uint32_t mtu, uint32_t *ifindex,
			struct np_err *err)
{
	struct rtnl_link *l = NULL;
	const char *have;
	int tries, r;

	np_err_clear(err);
	r = check_name(name, err);
	if (r < 0)
		return r;
	if (!kind || !kind[0])
		return np_err_set(err, EINVAL, "%s: no link kind given", name);

	/* A second try when someone else created it between get and add. */
	for (tries = 0; tries < 2; tries++) {
		r = link_get(rt, 0, name, &l, err);
		if (r < 0)
			return r;
		if (l)
			break;
		r = link_create(rt, name, kind, mtu, err);
		if (r == -EEXIST)
			continue;
		if (r < 0)
			return r;
	}
	if (!l) {
		r = link_get(rt, 0, name, &l, err);
		if (r < 0)
			return r;
		if (!l)
			return np_err_set(err, ENODEV,
					  "%s: created, but gone right after", name);
	}

	have = rtnl_link_get_type(l);
	if (!have || strcmp(have, kind)) {
		if (have)
			r = np_err_set(err, EEXIST,
				       "%s: exists and is a %s link, not %s",
				       name, have, kind);
		else
			r = np_err_set(err, EEXIST,
				       "%s: exists and is a link of no kind (a device), not %s",
				       name, kind);
		rtnl_link_put(l);
		return r;
	}
	r = 0;
	if (mtu && rtnl_link_get_mtu(l) != mtu)
		r = link_change(rt, l, name, mtu, err);
	if (!r && !(rtnl_link_get_flags(l) & IFF_UP))
		r = link_change(rt, l, name, 0, err);
	if (!r)
		*ifindex = (uint32_t)rtnl_link_get_ifindex(l);
	rtnl_link_put(l);
	return r;
}

int np_rtnl_link_del(struct np_rtnl *rt, const char *name, struct np_err *err)
{
	struct rtnl_link *l;
	struct nl_msg *msg;
	int r;

	np_err_clear(err);
	r = check_name(name, err);
	if (r < 0)
		return r;
	l = rtnl_link_alloc();
	if (!l)
		return np_err_set(err, ENOMEM, "%s: cannot allocate a link", name);
	rtnl_link_set_name(l, name);
	r = rtnl_link_build_delete_request(l, &msg);
	rtnl_link_put(l);
	if (r < 0)
		return np_err_set(err, np_nl_errno(r),
				  "%s: cannot build the delete request", name);
	r = rt_exec(rt, msg, err, "%s: cannot delete the link", name);
	if (r == -ENODEV) {
		np_err_clear(err);
		return 0;
	}
	return r;
}

/* --- addresses -------------------------------------------------------- */

static int addr_family_ok(int family)
{
	return family == AF_INET || family == AF_INET6;
}

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* nl_addr of a (prefixlen bits); NULL on allocation failure. */
static struct nl_addr *to_nl(const struct np_addr *a, unsigned int prefixlen)
{
	struct nl_addr *n;

	n = nl_addr_build(a->family, a->a, addr_len(a->family));
	if (n)
		nl_addr_set_prefixlen(n, (int)prefixlen);
	return n;
}

/* 0, or -1 when n is not an IPv4/IPv6 address. */
static int from_nl(const struct nl_addr *n, struct np_addr *a)
{
	int family;

	memset(a, 0, sizeof(*a));
	if (!n)
		return -1;
	family = nl_addr_get_family(n);
	if (!addr_family_ok(family) ||
	    nl_addr_get_len(n) != addr_len(family))
		return -1;
	a->family = family;
	memcpy(a->a, nl_addr_get_binary_addr(n), addr_len(family));
	return 0;
}

static int dump_failed(struct np_err *err, int r, const char *what)
{
	return np_err_set(err, np_nl_errno(r), "cannot dump %s (libnl: %s)",
			  what, nl_geterror(r));
}

/* One address of the dump as struct np_ifaddr; -1 to skip it. */
static int ifaddr_of(struct rtnl_addr *ra, struct np_ifaddr *out)
{
	unsigned int fl = rtnl_addr_get_flags(ra);
	int scope = rtnl_addr_get_scope(ra);

	memset(out, 0, sizeof(*out));
	if (from_nl(rtnl_addr_get_local(ra), &out->addr.addr) < 0)
		return -1;
	out->addr.prefixlen = (uint8_t)rtnl_addr_get_prefixlen(ra);
	out->ifindex = (uint32_t)rtnl_addr_get_ifindex(ra);
	out->link_local = scope == RT_SCOPE_LINK;
	out->permanent = out->addr.addr.family == AF_INET ||
			 (fl & IFA_F_PERMANENT);
	out->temporary = fl & IFA_F_TEMPORARY;
	out->deprecated = fl & IFA_F_DEPRECATED;
	out->tentative = fl & (IFA_F_TENTATIVE | IFA_F_DADFAILED);
	return 0;
}

int np_rtnl_addr_list(struct np_rtnl *rt, uint32_t ifindex, int family,
		      struct np_ifaddr **out, size_t *n, struct np_err *err)
{
	struct nl_cache *cache;
	struct nl_object *o;
	struct np_ifaddr *v = NULL, *nv, a;
	size_t cnt = 0, cap = 0;
	int r;

	np_err_clear(err);
	*out = NULL;
	*n = 0;
	if (family != AF_UNSPEC && !addr_family_ok(family))
		return np_err_set(err, EAFNOSUPPORT,
				  "address family %d is neither IPv4 nor IPv6",
				  family);
	r = rtnl_addr_alloc_cache(rt->sk, &cache);
	if (r < 0)
		return dump_failed(err, r, "the addresses");
	for (o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *ra = (struct rtnl_addr *)o;

		if (ifindex && (uint32_t)rtnl_addr_get_ifindex(ra) != ifindex)
			continue;
		if (ifaddr_of(ra, &a) < 0)
			continue;
		if (family != AF_UNSPEC && a.addr.addr.family != family)
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 8;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				nl_cache_free(cache);
				return np_err_set(err, ENOMEM,
						  "cannot allocate the address list");
			}
			v = nv;
		}
		v[cnt++] = a;
	}
	nl_cache_free(cache);
	*out = v;
	*n = cnt;
	return 0;
}

/* Global: not link-local and not host scope (those are not ours to manage). */
static bool addr_managed(const struct np_ifaddr *a, int scope)
{
	return !a->link_local && scope != RT_SCOPE_HOST &&
	       scope != RT_SCOPE_NOWHERE;
}

static bool cidr_same(const struct np_cidr *a, const struct np_cidr *b)
{
	return a->prefixlen == b->prefixlen && np_addr_eq(&a->addr, &b->addr);
}

/* RTM_NEWADDR (add) or RTM_DELADDR of c on ifindex. */
static int addr_op(struct np_rtnl *rt, uint32_t ifindex,
		   const struct np_cidr *c, bool add, struct np_err *err)
{
	struct rtnl_addr *ra;
	struct nl_addr *local;
	struct nl_msg *msg;
	char cs[NP_CIDR_STRLEN];
	int r;

	np_cidr_str(c, cs, sizeof(cs));
	ra = rtnl_addr_alloc();
	local = to_nl(&c->addr, c->prefixlen);
	if (!ra || !local) {
		rtnl_addr_put(ra);
		nl_addr_put(local);
		return np_err_set(err, ENOMEM, "%s: cannot allocate an address", cs);
	}
	rtnl_addr_set_ifindex(ra, (int)ifindex);
	rtnl_addr_set_family(ra, c->addr.family);
	r = rtnl_addr_set_local(ra, local);
	nl_addr_put(local);
	if (!r)
		rtnl_addr_set_prefixlen(ra, c->prefixlen);
	if (!r && add) {
		rtnl_addr_set_scope(ra, RT_SCOPE_UNIVERSE);
		/* Addresses come from the cluster's allocation: no DAD. */
		if (c->addr.family == AF_INET6)
			rtnl_addr_set_flags(ra, IFA_F_NODAD);
		r = rtnl_addr_build_add_request(ra, NLM_F_CREATE | NLM_F_REPLACE,
						&msg);
	} else if (!r) {
		r = rtnl_addr_build_delete_request(ra, 0, &msg);
	}
	rtnl_addr_put(ra);
	if (r < 0)
		return np_err_set(err, np_nl_errno(r),
				  "%s: cannot build the address request", cs);
	if (add)
		return rt_exec(rt, msg, err, "link %u: cannot add address %s",
			       ifindex, cs);
	r = rt_exec(rt, msg, err, "link %u: cannot remove address %s",
		    ifindex, cs);
	/* Gone already (an IPv4 primary took its secondaries along). */
	if (r == -EADDRNOTAVAIL || r == -ENOENT || r == -ESRCH) {
		np_err_clear(err);
		r = 0;
	}
	return r;
}

/* The managed addresses of ifindex (and the link's existence). */
static int addr_have(struct np_rtnl *rt, uint32_t ifindex,
		     struct np_cidr **out, size_t *n, struct np_err *err)
{
	struct nl_cache *cache;
	struct nl_object *o;
	struct np_cidr *v;
	struct np_ifaddr a;
	size_t cnt = 0;
	int r;

	*out = NULL;
	*n = 0;
	r = rtnl_addr_alloc_cache(rt->sk, &cache);
	if (r < 0)
		return dump_failed(err, r, "the addresses");
	v = calloc((size_t)nl_cache_nitems(cache) + 1, sizeof(*v));
	if (!v) {
		nl_cache_free(cache);
		return np_err_set(err, ENOMEM, "cannot allocate the address list");
	}
	for (o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *ra = (struct rtnl_addr *)o;

		if ((uint32_t)rtnl_addr_get_ifindex(ra) != ifindex ||
		    ifaddr_of(ra, &a) < 0 ||
		    !addr_managed(&a, rtnl_addr_get_scope(ra)))
			continue;
		v[cnt++] = a.addr;
	}
	nl_cache_free(cache);
	*out = v;
	*n = cnt;
	return 0;
}

static bool cidr_in(const struct np_cidr *c, const struct np_cidr *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (cidr_same(c, &v[i]))
			return true;
	return false;
}

int np_rtnl_addr_sync(struct np_rtnl *rt, uint32_t ifindex,
		      const struct np_cidr *want, size_t n, struct np_err *err)
{
	struct np_cidr *have = NULL;
	struct rtnl_link *l;
	size_t nhave, i, j;
	int pass, r;

	np_err_clear(err);
	for (i = 0; i < n; i++) {
		char cs[NP_CIDR_STRLEN];

		if (!addr_family_ok(want[i].addr.family) ||
		    want[i].prefixlen > addr_len(want[i].addr.family) * 8)
			return np_err_set(err, EINVAL,
					  "link %u: invalid address %s", ifindex,
					  np_cidr_str(&want[i], cs, sizeof(cs)));
	}
	r = link_get(rt, ifindex, NULL, &l, err);
	if (r < 0)
		return r;
	if (!l)
		return np_err_set(err, ENODEV, "link %u: no such link", ifindex);
	rtnl_link_put(l);

	/*
	 * Removing an IPv4 primary address also removes its secondaries
	 * unless promote_secondaries is set: a second pass puts back what
	 * such a removal took along.
	 */
	for (pass = 0; pass < 2; pass++) {
		r = addr_have(rt, ifindex, &have, &nhave, err);
		if (r < 0)
			return r;
		for (i = 0; i < n; i++) {
			if (cidr_in(&want[i], have, nhave))
				continue;
			/* IPv6: one prefix length per address; drop the other. */
			for (j = 0; want[i].addr.family == AF_INET6 && j < nhave; j++) {
				if (!np_addr_eq(&have[j].addr, &want[i].addr))
					continue;
				r = addr_op(rt, ifindex, &have[j], false, err);
				if (r < 0)
					goto out;
			}
			r = addr_op(rt, ifindex, &want[i], true, err);
			if (r < 0)
				goto out;
		}
		for (i = 0; i < nhave; i++) {
			if (cidr_in(&have[i], want, n))
				continue;
			r = addr_op(rt, ifindex, &have[i], false, err);
			if (r < 0)
				goto out;
		}
		free(have);
		have = NULL;
	}
	r = 0;
out:
	free(have);
	return r;
}

/* --- routes ----------------------------------------------------------- */

/*
 * The destination of a route of the cache: libnl gives a default route a
 * dst of length 0, which stands for the family's 0/0.
 */
static int route_dst(struct rtnl_route *rr, struct np_cidr *dst)
{
	struct nl_addr *n = rtnl_route_get_dst(rr);
	int family = rtnl_route_get_family(rr);

	memset(dst, 0, sizeof(*dst));
	if (!addr_family_ok(family))
		return -1;
	if (!n || nl_addr_get_len(n) == 0) {
		dst->addr.family = family;
		return 0;
	}
	if (from_nl(n, &dst->addr) < 0 || dst->addr.family != family)
		return -1;
	dst->prefixlen = (uint8_t)nl_addr_get_prefixlen(n);
	return 0;
}

/* Our view of a route of the cache; -1 when it is not one we can show. */
static int route_of(struct rtnl_route *rr, struct np_route *out)
{
	struct rtnl_nexthop *nh;

	memset(out, 0, sizeof(*out));
	if (route_dst(rr, &out->dst) < 0)
		return -1;
	if (rtnl_route_get_nnexthops(rr) < 1)
		return 0;
	nh = rtnl_route_nexthop_n(rr, 0);
	out->ifindex = (uint32_t)rtnl_route_nh_get_ifindex(nh);
	if (rtnl_route_nh_get_gateway(nh) &&
	    from_nl(rtnl_route_nh_get_gateway(nh), &out->gw) < 0)
		memset(&out->gw, 0, sizeof(out->gw));
	out->onlink = rtnl_route_nh_get_flags(nh) & RTNH_F_ONLINK;
	return 0;
}

static int route_cache(struct np_rtnl *rt, int family, struct nl_cache **cache,
		       struct np_err *err)
{
	int r;

	if (family != AF_UNSPEC && !addr_family_ok(family))
		return np_err_set(err, EAFNOSUPPORT,
				  "address family %d is neither IPv4 nor IPv6",
				  family);
	r = rtnl_route_alloc_cache(rt->sk, family, 0, cache);
	if (r < 0)
		return dump_failed(err, r, "the routes");
	return 0;
}

int np_rtnl_route_list(struct np_rtnl *rt, int family, struct np_route **out,
		       size_t *n, struct np_err *err)
{
	struct nl_cache *cache;
	struct nl_object *o;
	struct np_route *v, rte;
	size_t cnt = 0;
	int r;

	np_err_clear(err);
	*out = NULL;
	*n = 0;
	r = route_cache(rt, family, &cache, err);
	if (r < 0)
		return r;
	v = calloc((size_t)nl_cache_nitems(cache) + 1, sizeof(*v));
	if (!v) {
		nl_cache_free(cache);
		return np_err_set(err, ENOMEM, "cannot allocate the route list");
	}
	for (o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_route *rr = (struct rtnl_route *)o;

		/* Cached IPv6 exceptions (path MTU) inherit our protocol
		 * but are the kernel's, not routes we installed. */
		if (rtnl_route_get_protocol(rr) != NP_RTPROT ||
		    rtnl_route_get_table(rr) != RT_TABLE_MAIN ||
		    rtnl_route_get_type(rr) != RTN_UNICAST ||
		    (rtnl_route_get_flags(rr) & RTM_F_CLONED))
			continue;
		if (route_of(rr, &rte) < 0)
			continue;
		v[cnt++] = rte;
	}
	nl_cache_free(cache);
	*out = v;
	*n = cnt;
	return 0;
}

int np_rtnl_default_link(struct np_rtnl *rt, int family, uint32_t *ifindex,
			 struct np_err *err)
{
	struct nl_cache *cache;
	struct nl_object *o;
	uint32_t best_prio = 0;
	int best = 0;
	int r;

	np_err_clear(err);
	if (!addr_family_ok(family))
		return np_err_set(err, EAFNOSUPPORT,
				  "address family %d is neither IPv4 nor IPv6",
				  family);
	r = route_cache(rt, family, &cache, err);
	if (r < 0)
		return r;
	for (o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_route *rr = (struct rtnl_route *)o;
		struct rtnl_nexthop *nh;
		struct nl_addr *dst = rtnl_route_get_dst(rr);
		int oif;

		if (rtnl_route_get_table(rr) != RT_TABLE_MAIN ||
		    rtnl_route_get_type(rr) != RTN_UNICAST ||
		    (dst && nl_addr_get_prefixlen(dst) != 0) ||
		    rtnl_route_get_nnexthops(rr) < 1)
			continue;
		nh = rtnl_route_nexthop_n(rr, 0);
		oif = rtnl_route_nh_get_ifindex(nh);
		if (oif <= 0)
			continue;
		if (!best || rtnl_route_get_priority(rr) < best_prio) {
			best = oif;
			best_prio = rtnl_route_get_priority(rr);
		}
	}
	nl_cache_free(cache);
	if (!best)
		return np_err_set(err, ENETUNREACH,
				  "no IPv%d default route in the main table",
				  family == AF_INET ? 4 : 6);
	*ifindex = (uint32_t)best;
	return 0;
}

static int route_check(const struct np_route *r, bool need_dev,
		       struct np_err *err)
{
	char cs[NP_CIDR_STRLEN];

	if (!addr_family_ok(r->dst.addr.family) ||
	    r->dst.prefixlen > addr_len(r->dst.addr.family) * 8)
		return np_err_set(err, EINVAL, "invalid route destination %s",
				  np_cidr_str(&r->dst, cs, sizeof(cs)));
	np_cidr_str(&r->dst, cs, sizeof(cs));
	if (r->gw.family && r->gw.family != r->dst.addr.family)
		return np_err_set(err, EINVAL,
				  "route %s: gateway of another address family",
				  cs);
	if (need_dev && !r->ifindex)
		return np_err_set(err, EINVAL, "route %s: no output link", cs);
	if (r->ifindex > INT32_MAX)
		return np_err_set(err, EINVAL, "route %s: invalid link index %u",
				  cs, r->ifindex);
	return 0;
}

/* The libnl route for r->dst in the main table, protocol NP_RTPROT. */
static struct rtnl_route *route_obj(const struct np_route *r)
{
	struct rtnl_route *rr;
	struct nl_addr *dst;
	struct np_addr net;

	rr = rtnl_route_alloc();
	if (!rr)
		return NULL;
	np_cidr_network(&r->dst, &net);
	dst = to_nl(&net, r->dst.prefixlen);
	if (!dst) {
		rtnl_route_put(rr);
		return NULL;
	}
	rtnl_route_set_family(rr, (uint8_t)r->dst.addr.family);
	if (rtnl_route_set_dst(rr, dst) < 0) {
		nl_addr_put(dst);
		rtnl_route_put(rr);
		return NULL;
	}
	nl_addr_put(dst);
	rtnl_route_set_table(rr, RT_TABLE_MAIN);
	rtnl_route_set_protocol(rr, NP_RTPROT);
	rtnl_route_set_type(rr, RTN_UNICAST);
	return rr;
}

/*
 * The start of a route operation: r checked, cs = r->dst as text
 * (NP_CIDR_STRLEN bytes), *rr its libnl route (a reference).
 */
static int route_begin(const struct np_route *r, bool need_dev, char *cs,
		       struct rtnl_route **rr, struct np_err *err)
{
	int ret;

	np_err_clear(err);
	ret = route_check(r, need_dev, err);
	if (ret < 0)
		return ret;
	np_cidr_str(&r->dst, cs, NP_CIDR_STRLEN);
	*rr = route_obj(r);
	if (!*rr)
		return np_err_set(err, ENOMEM, "route %s: cannot allocate it", cs);
	return 0;
}

/* The request build(rr, flags) for route cs; drops the reference rr. */
static int route_request(struct rtnl_route *rr, const char *cs,
			 int (*build)(struct rtnl_route *, int,
				      struct nl_msg **),
			 int flags, struct nl_msg **msg, struct np_err *err)
{
	int ret;

	ret = build(rr, flags, msg);
	rtnl_route_put(rr);
	if (ret < 0)
		return np_err_set(err, np_nl_errno(ret),
				  "route %s: cannot build the request", cs);
	return 0;
}

int np_rtnl_route_replace(struct np_rtnl *rt, const struct np_route *r,
			  struct np_err *err)
{
	struct rtnl_route *rr;
	struct rtnl_nexthop *nh;
	struct nl_addr *gw;
	struct nl_msg *msg;
	char cs[NP_CIDR_STRLEN], gs[NP_ADDR_STRLEN];
	int ret;

	ret = route_begin(r, true, cs, &rr, err);
	if (ret < 0)
		return ret;
	nh = rtnl_route_nh_alloc();
	if (!nh) {
		rtnl_route_put(rr);
		return np_err_set(err, ENOMEM, "route %s: cannot allocate it", cs);
	}
	rtnl_route_nh_set_ifindex(nh, (int)r->ifindex);
	if (r->onlink)
		rtnl_route_nh_set_flags(nh, RTNH_F_ONLINK);
	if (r->gw.family) {
		gw = to_nl(&r->gw, addr_len(r->gw.family) * 8);
		if (!gw) {
			rtnl_route_put(rr);
			rtnl_route_nh_free(nh);
			return np_err_set(err, ENOMEM,
					  "route %s: cannot allocate it", cs);
		}
		rtnl_route_nh_set_gateway(nh, gw);
		nl_addr_put(gw);
		rtnl_route_set_scope(rr, RT_SCOPE_UNIVERSE);
	} else {
		rtnl_route_set_scope(rr, RT_SCOPE_LINK);
	}
	rtnl_route_add_nexthop(rr, nh);	/* rr owns nh now */
	ret = route_request(rr, cs, rtnl_route_build_add_request,
			    NLM_F_CREATE | NLM_F_REPLACE, &msg, err);
	if (ret < 0)
		return ret;
	if (r->gw.family)
		return rt_exec(rt, msg, err, "cannot replace route %s via %s dev %u",
			       cs, np_addr_str(&r->gw, gs, sizeof(gs)),
			       r->ifindex);
	return rt_exec(rt, msg, err, "cannot replace route %s dev %u", cs,
		       r->ifindex);
}

int np_rtnl_route_del(struct np_rtnl *rt, const struct np_route *r,
		      struct np_err *err)
{
	struct rtnl_route *rr;
	struct nl_msg *msg;
	char cs[NP_CIDR_STRLEN];
	int ret;

	ret = route_begin(r, false, cs, &rr, err);
	if (ret < 0)
		return ret;
	/*
	 * Matched by destination, table and protocol only (scope NOWHERE
	 * matches any): a route of another protocol to the same prefix is
	 * not ours and stays.
	 */
	rtnl_route_set_scope(rr, RT_SCOPE_NOWHERE);
	ret = route_request(rr, cs, rtnl_route_build_del_request, 0, &msg,
			    err);
	if (ret < 0)
		return ret;
	ret = rt_exec(rt, msg, err, "cannot delete route %s", cs);
	if (ret == -ESRCH || ret == -ENOENT) {
		np_err_clear(err);
		ret = 0;
	}
	return ret;
}
