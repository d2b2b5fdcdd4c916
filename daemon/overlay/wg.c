// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's WireGuard devices through WireGuard's generic-netlink family
 * (<linux/wireguard.h>): WG_CMD_GET_DEVICE as a dump, WG_CMD_SET_DEVICE
 * for the key, the port and one peer at a time.
 *
 * The socket and the request/ACK/dump machinery are libnpnl's
 * (np_nl_open_family, np_nl_request, np_nl_dump): extack text, draining
 * after errors and restarts of interrupted dumps come with them. They send
 * NODEPLANE_GENL_VERSION as the genetlink version, which is 1 like
 * WG_GENL_VERSION (checked below at compile time).
 *
 * A device with many peers comes back over several messages; a peer whose
 * AllowedIPs do not fit in one message continues in the next one, which
 * starts with the same public key: those parts are merged.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/nodeplane.h>
#include <linux/wireguard.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "nl/msg.h"		/* np_nl_open_family */
#include "overlay/wg.h"

_Static_assert(NODEPLANE_GENL_VERSION == WG_GENL_VERSION,
	       "np_nl_request sends NODEPLANE_GENL_VERSION to WireGuard too");
_Static_assert(NP_WG_KEY_LEN == WG_KEY_LEN, "WireGuard key length");

struct np_wg {
	struct np_nl *nl;
};

int np_wg_open(struct np_wg **out, struct np_err *err)
{
	struct np_wg *wg;
	int r;

	*out = NULL;
	np_err_clear(err);
	wg = calloc(1, sizeof(*wg));
	if (!wg)
		return np_err_set(err, ENOMEM,
				  "cannot allocate the WireGuard connection");
	r = np_nl_open_family(&wg->nl, WG_GENL_NAME, err);
	if (r == -ENOENT)
		np_err_set(err, ENOENT,
			   "WireGuard is not available: generic netlink family \"%s\" not found (module not loaded?)",
			   WG_GENL_NAME);
	if (r < 0) {
		free(wg);
		return r;
	}
	*out = wg;
	return 0;
}

void np_wg_close(struct np_wg *wg)
{
	if (!wg)
		return;
	np_nl_close(wg->nl);
	free(wg);
}

unsigned int np_wg_generation(const struct np_wg *wg)
{
	return np_nl_generation(wg->nl);
}

int np_wg_resolve(struct np_wg *wg, struct np_err *err)
{
	return np_nl_resolve(wg->nl, err);
}

void np_wg_dev_free(struct np_wg_dev *dev)
{
	if (!dev)
		return;
	free(dev->peers);
	memset(dev, 0, sizeof(*dev));
}

static int check_ifname(const char *ifname, struct np_err *err)
{
	size_t n = ifname ? strlen(ifname) : 0;

	if (n == 0 || n >= IFNAMSIZ)
		return np_err_set(err, EINVAL,
				  "invalid interface name \"%s\": 1 to %d characters",
				  ifname ? ifname : "", IFNAMSIZ - 1);
	return 0;
}

/* Kernel errors about the device get its name in front. */
static int dev_err(const char *ifname, int r, struct np_err *err,
		   const char *what)
{
	char msg[NP_ERR_MSG_LEN];

	if (r == -ENODEV && !err->msg[0])
		return np_err_set(err, ENODEV, "%s: no such WireGuard device",
				  ifname);
	if (r == -EOPNOTSUPP && !err->msg[0])
		return np_err_set(err, EOPNOTSUPP,
				  "%s: not a WireGuard device", ifname);
	snprintf(msg, sizeof(msg), "%s", err->msg);
	if (msg[0])
		return np_err_set(err, -r, "%s: %s: %s", ifname, what, msg);
	return np_err_set(err, -r, "%s: %s", ifname, what);
}

/* --- WG_CMD_GET_DEVICE ------------------------------------------------ */

struct get_ctx {
	const char *ifname;
	struct np_wg_dev *dev;
	size_t cap;
	bool cont;	/* the last peer may continue in the next message */
};

static const struct nla_policy dev_policy[WGDEVICE_A_MAX + 1] = {
	[WGDEVICE_A_IFINDEX] = { .type = NLA_U32 },
	[WGDEVICE_A_IFNAME] = { .type = NLA_STRING },
	[WGDEVICE_A_PRIVATE_KEY] = { .minlen = WG_KEY_LEN, .maxlen = WG_KEY_LEN },
	[WGDEVICE_A_PUBLIC_KEY] = { .minlen = WG_KEY_LEN, .maxlen = WG_KEY_LEN },
	[WGDEVICE_A_FLAGS] = { .type = NLA_U32 },
	[WGDEVICE_A_LISTEN_PORT] = { .type = NLA_U16 },
	[WGDEVICE_A_FWMARK] = { .type = NLA_U32 },
	[WGDEVICE_A_PEERS] = { .type = NLA_NESTED },
};

static const struct nla_policy peer_policy[WGPEER_A_MAX + 1] = {
	[WGPEER_A_PUBLIC_KEY] = { .minlen = WG_KEY_LEN, .maxlen = WG_KEY_LEN },
	[WGPEER_A_PRESHARED_KEY] = { .minlen = WG_KEY_LEN, .maxlen = WG_KEY_LEN },
	[WGPEER_A_FLAGS] = { .type = NLA_U32 },
	[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL] = { .type = NLA_U16 },
	[WGPEER_A_RX_BYTES] = { .type = NLA_U64 },
	[WGPEER_A_TX_BYTES] = { .type = NLA_U64 },
	[WGPEER_A_ALLOWEDIPS] = { .type = NLA_NESTED },
	[WGPEER_A_PROTOCOL_VERSION] = { .type = NLA_U32 },
};

static const struct nla_policy aip_policy[WGALLOWEDIP_A_MAX + 1] = {
	[WGALLOWEDIP_A_FAMILY] = { .type = NLA_U16 },
	[WGALLOWEDIP_A_CIDR_MASK] = { .type = NLA_U8 },
};

/* An exact length check libnl's policy cannot express for binaries. */
static bool len_is(const struct nlattr *nla, int len)
{
	return nla && nla_len(nla) == len;
}

static int parse_endpoint(const struct nlattr *nla, struct np_wg_peer *p)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	sa_family_t family;

	if (nla_len(nla) < (int)sizeof(family))
		return -1;
	memcpy(&family, nla_data(nla), sizeof(family));
	if (family == AF_INET && nla_len(nla) == sizeof(sin)) {
		memcpy(&sin, nla_data(nla), sizeof(sin));
		p->endpoint.family = AF_INET;
		memcpy(p->endpoint.a, &sin.sin_addr, 4);
		p->port = ntohs(sin.sin_port);
		return 0;
	}
	if (family == AF_INET6 && nla_len(nla) == sizeof(sin6)) {
		memcpy(&sin6, nla_data(nla), sizeof(sin6));
		p->endpoint.family = AF_INET6;
		memcpy(p->endpoint.a, &sin6.sin6_addr, 16);
		p->port = ntohs(sin6.sin6_port);
		return 0;
	}
	if (family == AF_UNSPEC)
		return 0;
	return -1;
}

/* Appends the AllowedIPs of nest to p; the ones past the array are dropped. */
static int parse_allowedips(const struct nlattr *nest, struct np_wg_peer *p,
			    const char *ifname, struct np_err *err)
{
	struct nlattr *tb[WGALLOWEDIP_A_MAX + 1];
	struct nlattr *nla;
	struct np_cidr c;
	uint16_t family;
	int rem;

	nla_for_each_nested(nla, (struct nlattr *)nest, rem) {
		if (nla_parse_nested(tb, WGALLOWEDIP_A_MAX, nla,
				     (struct nla_policy *)aip_policy) < 0 ||
		    !tb[WGALLOWEDIP_A_FAMILY] || !tb[WGALLOWEDIP_A_IPADDR] ||
		    !tb[WGALLOWEDIP_A_CIDR_MASK])
			return np_err_set(err, EBADMSG,
					  "%s: malformed allowed IP in the WireGuard dump",
					  ifname);
		memset(&c, 0, sizeof(c));
		family = nla_get_u16(tb[WGALLOWEDIP_A_FAMILY]);
		c.prefixlen = nla_get_u8(tb[WGALLOWEDIP_A_CIDR_MASK]);
		if (family == AF_INET &&
		    len_is(tb[WGALLOWEDIP_A_IPADDR], 4) && c.prefixlen <= 32) {
			c.addr.family = AF_INET;
			memcpy(c.addr.a, nla_data(tb[WGALLOWEDIP_A_IPADDR]), 4);
		} else if (family == AF_INET6 &&
			   len_is(tb[WGALLOWEDIP_A_IPADDR], 16) &&
			   c.prefixlen <= 128) {
			c.addr.family = AF_INET6;
			memcpy(c.addr.a, nla_data(tb[WGALLOWEDIP_A_IPADDR]), 16);
		} else {
			return np_err_set(err, EBADMSG,
					  "%s: invalid allowed IP (family %u) in the WireGuard dump",
					  ifname, family);
		}
		if (p->n_allowed < NP_WG_ALLOWED_MAX)
			p->allowed[p->n_allowed++] = c;
	}
	return 0;
}

static int parse_peer(const struct nlattr *nest, struct get_ctx *gc,
		      bool first, struct np_err *err)
{
	struct nlattr *tb[WGPEER_A_MAX + 1];
	struct np_wg_dev *dev = gc->dev;
	struct np_wg_peer *p, *np;
	const uint8_t *key;

	if (nla_parse_nested(tb, WGPEER_A_MAX, (struct nlattr *)nest,
			     (struct nla_policy *)peer_policy) < 0 ||
	    !len_is(tb[WGPEER_A_PUBLIC_KEY], WG_KEY_LEN))
		return np_err_set(err, EBADMSG,
				  "%s: malformed peer in the WireGuard dump",
				  gc->ifname);
	key = nla_data(tb[WGPEER_A_PUBLIC_KEY]);
	if (first && gc->cont && dev->n_peers &&
	    !memcmp(dev->peers[dev->n_peers - 1].pubkey, key, WG_KEY_LEN)) {
		/* The previous message's last peer, continued. */
		p = &dev->peers[dev->n_peers - 1];
	} else {
		if (dev->n_peers == gc->cap) {
			size_t cap = gc->cap ? gc->cap * 2 : 8;

			np = realloc(dev->peers, cap * sizeof(*np));
			if (!np)
				return np_err_set(err, ENOMEM,
						  "cannot allocate the peer list");
			dev->peers = np;
			gc->cap = cap;
		}
		p = &dev->peers[dev->n_peers++];
		memset(p, 0, sizeof(*p));
		memcpy(p->pubkey, key, WG_KEY_LEN);
	}
	if (tb[WGPEER_A_ENDPOINT] && parse_endpoint(tb[WGPEER_A_ENDPOINT], p) < 0)
		return np_err_set(err, EBADMSG,
				  "%s: invalid peer endpoint in the WireGuard dump",
				  gc->ifname);
	if (tb[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL])
		p->keepalive_s =
			nla_get_u16(tb[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL]);
	if (tb[WGPEER_A_ALLOWEDIPS])
		return parse_allowedips(tb[WGPEER_A_ALLOWEDIPS], p, gc->ifname,
					err);
	return 0;
}

static int get_parse(const struct nlmsghdr *nlh, void *arg, struct np_err *err)
{
	struct get_ctx *gc = arg;
	struct np_wg_dev *dev = gc->dev;
	struct nlattr *tb[WGDEVICE_A_MAX + 1];
	struct nlattr *nla;
	bool first = true;
	int rem, r;

	if (genlmsg_parse((struct nlmsghdr *)nlh, 0, tb, WGDEVICE_A_MAX,
			  (struct nla_policy *)dev_policy) < 0)
		return np_err_set(err, EBADMSG,
				  "%s: malformed WireGuard device message",
				  gc->ifname);
	if (tb[WGDEVICE_A_PRIVATE_KEY]) {
		if (!len_is(tb[WGDEVICE_A_PRIVATE_KEY], WG_KEY_LEN))
			return np_err_set(err, EBADMSG,
					  "%s: WireGuard private key of %d bytes",
					  gc->ifname,
					  nla_len(tb[WGDEVICE_A_PRIVATE_KEY]));
		memcpy(dev->privkey, nla_data(tb[WGDEVICE_A_PRIVATE_KEY]),
		       WG_KEY_LEN);
		dev->has_privkey = true;
	}
	if (tb[WGDEVICE_A_LISTEN_PORT])
		dev->listen_port = nla_get_u16(tb[WGDEVICE_A_LISTEN_PORT]);
	if (tb[WGDEVICE_A_PEERS]) {
		nla_for_each_nested(nla, tb[WGDEVICE_A_PEERS], rem) {
			r = parse_peer(nla, gc, first, err);
			if (r < 0)
				return r;
			first = false;
		}
	}
	gc->cont = true;
	return 0;
}

static void get_reset(void *arg)
{
	struct get_ctx *gc = arg;

	np_wg_dev_free(gc->dev);
	gc->cap = 0;
	gc->cont = false;
}

static int get_build(struct nl_msg *msg, void *arg)
{
	const struct get_ctx *gc = arg;

	return nla_put_string(msg, WGDEVICE_A_IFNAME, gc->ifname) < 0 ?
	       -EMSGSIZE : 0;
}

int np_wg_get(struct np_wg *wg, const char *ifname, struct np_wg_dev *out,
	      struct np_err *err)
{
	struct get_ctx gc = { .ifname = ifname, .dev = out };
	int r;

	memset(out, 0, sizeof(*out));
	np_err_clear(err);
	r = check_ifname(ifname, err);
	if (r < 0)
		return r;
	r = np_nl_dump(wg->nl, WG_CMD_GET_DEVICE, get_build, get_parse,
		       get_reset, &gc, err);
	if (r < 0) {
		np_wg_dev_free(out);
		return dev_err(ifname, r, err, "cannot read the WireGuard device");
	}
	return 0;
}

/* --- WG_CMD_SET_DEVICE ------------------------------------------------ */

struct set_ctx {
	const char *ifname;
	const uint8_t *privkey;		/* NULL: not set */
	int port;			/* -1: not set */
	const struct np_wg_peer *peer;	/* NULL: no peer */
	uint32_t peer_flags;
};

static int put_endpoint(struct nl_msg *msg, const struct np_wg_peer *p)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	if (p->endpoint.family == AF_INET) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons(p->port);
		memcpy(&sin.sin_addr, p->endpoint.a, 4);
		return nla_put(msg, WGPEER_A_ENDPOINT, sizeof(sin), &sin);
	}
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(p->port);
	memcpy(&sin6.sin6_addr, p->endpoint.a, 16);
	return nla_put(msg, WGPEER_A_ENDPOINT, sizeof(sin6), &sin6);
}

static int put_peer(struct nl_msg *msg, const struct np_wg_peer *p,
		    uint32_t flags)
{
	struct nlattr *peers, *peer, *aips, *aip;
	struct np_addr net;
	size_t i;

	peers = nla_nest_start(msg, WGDEVICE_A_PEERS);
	if (!peers)
		return -EMSGSIZE;
	peer = nla_nest_start(msg, 0);
	if (!peer ||
	    nla_put(msg, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN, p->pubkey) < 0 ||
	    nla_put_u32(msg, WGPEER_A_FLAGS, flags) < 0)
		return -EMSGSIZE;
	if (flags & WGPEER_F_REMOVE_ME)
		goto end;
	if (p->endpoint.family && put_endpoint(msg, p) < 0)
		return -EMSGSIZE;
	if (nla_put_u16(msg, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL,
			p->keepalive_s) < 0)
		return -EMSGSIZE;
	aips = nla_nest_start(msg, WGPEER_A_ALLOWEDIPS);
	if (!aips)
		return -EMSGSIZE;
	for (i = 0; i < p->n_allowed; i++) {
		const struct np_cidr *c = &p->allowed[i];

		np_cidr_network(c, &net);
		aip = nla_nest_start(msg, 0);
		if (!aip ||
		    nla_put_u16(msg, WGALLOWEDIP_A_FAMILY, (uint16_t)c->addr.family) < 0 ||
		    nla_put(msg, WGALLOWEDIP_A_IPADDR,
			    c->addr.family == AF_INET ? 4 : 16, net.a) < 0 ||
		    nla_put_u8(msg, WGALLOWEDIP_A_CIDR_MASK, c->prefixlen) < 0)
			return -EMSGSIZE;
		nla_nest_end(msg, aip);
	}
	/* An empty nest is kept: with REPLACE_ALLOWEDIPS it clears them. */
	nla_nest_end_keep_empty(msg, aips);
end:
	nla_nest_end(msg, peer);
	nla_nest_end(msg, peers);
	return 0;
}

static int set_build(struct nl_msg *msg, void *arg)
{
	const struct set_ctx *sc = arg;

	if (nla_put_string(msg, WGDEVICE_A_IFNAME, sc->ifname) < 0)
		return -EMSGSIZE;
	if (sc->privkey &&
	    nla_put(msg, WGDEVICE_A_PRIVATE_KEY, WG_KEY_LEN, sc->privkey) < 0)
		return -EMSGSIZE;
	if (sc->port >= 0 &&
	    nla_put_u16(msg, WGDEVICE_A_LISTEN_PORT, (uint16_t)sc->port) < 0)
		return -EMSGSIZE;
	if (sc->peer)
		return put_peer(msg, sc->peer, sc->peer_flags);
	return 0;
}

int np_wg_set_device(struct np_wg *wg, const char *ifname,
		     const uint8_t privkey[NP_WG_KEY_LEN], uint16_t port,
		     struct np_err *err)
{
	struct set_ctx sc = { .ifname = ifname, .privkey = privkey,
			      .port = port };
	int r;

	np_err_clear(err);
	r = check_ifname(ifname, err);
	if (r < 0)
		return r;
	r = np_nl_request(wg->nl, WG_CMD_SET_DEVICE, set_build, NULL, &sc, err);
	if (r < 0)
		return dev_err(ifname, r, err,
			       r == -EADDRINUSE ?
			       "cannot set the key and listen port (port in use)" :
			       "cannot set the key and listen port");
	return 0;
}

static int check_peer(const char *ifname, const struct np_wg_peer *p,
		      struct np_err *err)
{
	char cs[NP_CIDR_STRLEN];
	size_t i;

	if (p->endpoint.family && p->endpoint.family != AF_INET &&
	    p->endpoint.family != AF_INET6)
		return np_err_set(err, EINVAL,
				  "%s: peer endpoint of address family %d",
				  ifname, p->endpoint.family);
	if (p->endpoint.family && !p->port)
		return np_err_set(err, EINVAL, "%s: peer endpoint without a port",
				  ifname);
	if (p->n_allowed > NP_WG_ALLOWED_MAX)
		return np_err_set(err, EINVAL,
				  "%s: %zu allowed IPs, at most %d", ifname,
				  p->n_allowed, NP_WG_ALLOWED_MAX);
	for (i = 0; i < p->n_allowed; i++) {
		const struct np_cidr *c = &p->allowed[i];

		if ((c->addr.family != AF_INET && c->addr.family != AF_INET6) ||
		    c->prefixlen > (c->addr.family == AF_INET ? 32 : 128))
			return np_err_set(err, EINVAL,
					  "%s: invalid allowed IP %s", ifname,
					  np_cidr_str(c, cs, sizeof(cs)));
	}
	return 0;
}

int np_wg_peer_set(struct np_wg *wg, const char *ifname,
		   const struct np_wg_peer *p, struct np_err *err)
{
	struct set_ctx sc = { .ifname = ifname, .port = -1, .peer = p,
			      .peer_flags = WGPEER_F_REPLACE_ALLOWEDIPS };
	char key[NP_WG_KEY_B64_LEN], what[96];
	int r;

	np_err_clear(err);
	r = check_ifname(ifname, err);
	if (!r)
		r = check_peer(ifname, p, err);
	if (r < 0)
		return r;
	r = np_nl_request(wg->nl, WG_CMD_SET_DEVICE, set_build, NULL, &sc, err);
	if (r < 0) {
		snprintf(what, sizeof(what), "cannot set peer %s",
			 np_wg_key_b64(p->pubkey, key));
		return dev_err(ifname, r, err, what);
	}
	return 0;
}

int np_wg_peer_del(struct np_wg *wg, const char *ifname,
		   const uint8_t pubkey[NP_WG_KEY_LEN], struct np_err *err)
{
	struct np_wg_peer p;
	struct set_ctx sc = { .ifname = ifname, .port = -1, .peer = &p,
			      .peer_flags = WGPEER_F_REMOVE_ME };
	char key[NP_WG_KEY_B64_LEN], what[96];
	int r;

	np_err_clear(err);
	r = check_ifname(ifname, err);
	if (r < 0)
		return r;
	memset(&p, 0, sizeof(p));
	memcpy(p.pubkey, pubkey, NP_WG_KEY_LEN);
	r = np_nl_request(wg->nl, WG_CMD_SET_DEVICE, set_build, NULL, &sc, err);
	if (r < 0) {
		snprintf(what, sizeof(what), "cannot remove peer %s",
			 np_wg_key_b64(pubkey, key));
		return dev_err(ifname, r, err, what);
	}
	return 0;
}
