// SPDX-License-Identifier: GPL-2.0-only
/*
 * np-ovltool: drives each function of daemon/overlay/rtnl.h and wg.h from
 * the command line, for tests/user/integration/daemon_kernel.sh. Output is
 * tab-separated, one record per line; errors go to stderr as
 * "np-ovltool: <message> (<strerror>)", exit status 1.
 *
 *   link-ensure NAME KIND MTU        NAME ifindex mtu
 *   link-index NAME                  ifindex
 *   link-mtu IFNAME                  mtu
 *   link-del NAME
 *   addr-sync IFNAME [CIDR...]
 *   addr-list IFNAME|all [4|6]       ifname cidr flags(,-joined or -)
 *   default-link 4|6                 ifindex ifname
 *   route-replace DST [via GW] dev IF [onlink]
 *   route-del DST
 *   route-list [4|6]                 dst gw|- ifname onlink|-
 *   wg-key FILE                      public key (base64)
 *   wg-set-device IF KEYFILE PORT
 *   wg-peer-set IF PUBKEY ENDPOINT|- PORT KEEPALIVE [CIDR...]
 *   wg-peer-del IF PUBKEY
 *   wg-get IF                        device IF port key|nokey
 *                                    peer PUBKEY endpoint|- keepalive cidrs|-
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "overlay/rtnl.h"
#include "overlay/wg.h"

#define MAX_CIDRS 64

static const char *prog = "np-ovltool";

static int fail(const struct np_err *err)
{
	char buf[NP_ERR_MSG_LEN + 64];

	fprintf(stderr, "%s: %s\n", prog, np_err_str(err, buf, sizeof(buf)));
	return 1;
}

static int usage(const char *msg)
{
	fprintf(stderr, "%s: %s\n", prog, msg);
	return 2;
}

static int parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v > max || s[0] == '-')
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int parse_family(const char *s, int *family)
{
	if (!strcmp(s, "4"))
		*family = AF_INET;
	else if (!strcmp(s, "6"))
		*family = AF_INET6;
	else
		return -1;
	return 0;
}

static const char *ifname_of(uint32_t ifindex, char *buf)
{
	if (!ifindex || !if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "%u", ifindex);
	return buf;
}

static int ifindex_of(struct np_rtnl *rt, const char *name, uint32_t *ifindex,
		      struct np_err *err)
{
	return np_rtnl_link_index(rt, name, ifindex, err);
}

/* --- rtnetlink -------------------------------------------------------- */

static int cmd_link_ensure(struct np_rtnl *rt, int argc, char **argv,
			   struct np_err *err)
{
	uint32_t mtu, ifindex;

	if (argc != 3 || parse_u32(argv[2], 65535, &mtu) < 0)
		return usage("usage: link-ensure NAME KIND MTU");
	if (np_rtnl_link_ensure(rt, argv[0], argv[1], mtu, &ifindex, err) < 0 ||
	    np_rtnl_link_mtu(rt, ifindex, &mtu, err) < 0)
		return fail(err);
	printf("%s\t%u\t%u\n", argv[0], ifindex, mtu);
	return 0;
}

static int cmd_link_index(struct np_rtnl *rt, int argc, char **argv,
			  struct np_err *err)
{
	uint32_t ifindex;

	if (argc != 1)
		return usage("usage: link-index NAME");
	if (ifindex_of(rt, argv[0], &ifindex, err) < 0)
		return fail(err);
	printf("%u\n", ifindex);
	return 0;
}

static int cmd_link_mtu(struct np_rtnl *rt, int argc, char **argv,
			struct np_err *err)
{
	uint32_t ifindex, mtu;

	if (argc != 1)
		return usage("usage: link-mtu IFNAME");
	if (ifindex_of(rt, argv[0], &ifindex, err) < 0 ||
	    np_rtnl_link_mtu(rt, ifindex, &mtu, err) < 0)
		return fail(err);
	printf("%u\n", mtu);
	return 0;
}

static int cmd_link_del(struct np_rtnl *rt, int argc, char **argv,
			struct np_err *err)
{
	if (argc != 1)
		return usage("usage: link-del NAME");
	if (np_rtnl_link_del(rt, argv[0], err) < 0)
		return fail(err);
	return 0;
}

static int cmd_addr_sync(struct np_rtnl *rt, int argc, char **argv,
			 struct np_err *err)
{
	struct np_cidr want[MAX_CIDRS];
	uint32_t ifindex;
	int i;

	if (argc < 1 || argc - 1 > MAX_CIDRS)
		return usage("usage: addr-sync IFNAME [CIDR...]");
	for (i = 1; i < argc; i++)
		if (np_cidr_parse(argv[i], &want[i - 1]) < 0)
			return usage("invalid CIDR");
	if (ifindex_of(rt, argv[0], &ifindex, err) < 0 ||
	    np_rtnl_addr_sync(rt, ifindex, want, (size_t)argc - 1, err) < 0)
		return fail(err);
	return 0;
}

static int cmd_addr_list(struct np_rtnl *rt, int argc, char **argv,
			 struct np_err *err)
{
	struct np_ifaddr *v;
	uint32_t ifindex = 0;
	int family = AF_UNSPEC;
	char cs[NP_CIDR_STRLEN], fl[80], ifn[IF_NAMESIZE];
	size_t n, i;

	if (argc < 1 || argc > 2 || (argc == 2 && parse_family(argv[1], &family) < 0))
		return usage("usage: addr-list IFNAME|all [4|6]");
	if (strcmp(argv[0], "all") && ifindex_of(rt, argv[0], &ifindex, err) < 0)
		return fail(err);
	if (np_rtnl_addr_list(rt, ifindex, family, &v, &n, err) < 0)
		return fail(err);
	for (i = 0; i < n; i++) {
		fl[0] = '\0';
		if (v[i].link_local)
			strcat(fl, ",link_local");
		if (v[i].permanent)
			strcat(fl, ",permanent");
		if (v[i].temporary)
			strcat(fl, ",temporary");
		if (v[i].deprecated)
			strcat(fl, ",deprecated");
		if (v[i].tentative)
			strcat(fl, ",tentative");
		printf("%s\t%s\t%s\n", ifname_of(v[i].ifindex, ifn),
		       np_cidr_str(&v[i].addr, cs, sizeof(cs)),
		       fl[0] ? fl + 1 : "-");
	}
	free(v);
	return 0;
}

static int cmd_default_link(struct np_rtnl *rt, int argc, char **argv,
			    struct np_err *err)
{
	char ifn[IF_NAMESIZE];
	uint32_t ifindex;
	int family;

	if (argc != 1 || parse_family(argv[0], &family) < 0)
		return usage("usage: default-link 4|6");
	if (np_rtnl_default_link(rt, family, &ifindex, err) < 0)
		return fail(err);
	printf("%u\t%s\n", ifindex, ifname_of(ifindex, ifn));
	return 0;
}

static int cmd_route_replace(struct np_rtnl *rt, int argc, char **argv,
			     struct np_err *err)
{
	struct np_route r;
	int i = 1;

	memset(&r, 0, sizeof(r));
	if (argc < 3 || np_cidr_parse(argv[0], &r.dst) < 0)
		return usage("usage: route-replace DST [via GW] dev IF [onlink]");
	if (i + 1 < argc && !strcmp(argv[i], "via")) {
		if (np_addr_parse(argv[i + 1], &r.gw) < 0)
			return usage("invalid gateway");
		i += 2;
	}
	if (i + 1 >= argc || strcmp(argv[i], "dev"))
		return usage("usage: route-replace DST [via GW] dev IF [onlink]");
	if (ifindex_of(rt, argv[i + 1], &r.ifindex, err) < 0)
		return fail(err);
	i += 2;
	if (i < argc && !strcmp(argv[i], "onlink")) {
		r.onlink = true;
		i++;
	}
	if (i != argc)
		return usage("usage: route-replace DST [via GW] dev IF [onlink]");
	if (np_rtnl_route_replace(rt, &r, err) < 0)
		return fail(err);
	return 0;
}

static int cmd_route_del(struct np_rtnl *rt, int argc, char **argv,
			 struct np_err *err)
{
	struct np_route r;

	memset(&r, 0, sizeof(r));
	if (argc != 1 || np_cidr_parse(argv[0], &r.dst) < 0)
		return usage("usage: route-del DST");
	if (np_rtnl_route_del(rt, &r, err) < 0)
		return fail(err);
	return 0;
}

static int cmd_route_list(struct np_rtnl *rt, int argc, char **argv,
			  struct np_err *err)
{
	struct np_route *v;
	int family = AF_UNSPEC;
	char cs[NP_CIDR_STRLEN], gs[NP_ADDR_STRLEN], ifn[IF_NAMESIZE];
	size_t n, i;

	if (argc > 1 || (argc == 1 && parse_family(argv[0], &family) < 0))
		return usage("usage: route-list [4|6]");
	if (np_rtnl_route_list(rt, family, &v, &n, err) < 0)
		return fail(err);
	for (i = 0; i < n; i++)
		printf("%s\t%s\t%s\t%s\n",
		       np_cidr_str(&v[i].dst, cs, sizeof(cs)),
		       np_addr_str(&v[i].gw, gs, sizeof(gs)),
		       ifname_of(v[i].ifindex, ifn),
		       v[i].onlink ? "onlink" : "-");
	free(v);
	return 0;
}

/* --- WireGuard -------------------------------------------------------- */

static int cmd_wg_key(int argc, char **argv, struct np_err *err)
{
	uint8_t priv[NP_WG_KEY_LEN], pub[NP_WG_KEY_LEN];
	char b64[NP_WG_KEY_B64_LEN];

	if (argc != 1)
		return usage("usage: wg-key FILE");
	if (np_wg_key_load(argv[0], priv, pub, err) < 0)
		return fail(err);
	printf("%s\n", np_wg_key_b64(pub, b64));
	return 0;
}

static int cmd_wg_set_device(struct np_wg *wg, int argc, char **argv,
			     struct np_err *err)
{
	uint8_t priv[NP_WG_KEY_LEN], pub[NP_WG_KEY_LEN];
	uint32_t port;

	if (argc != 3 || parse_u32(argv[2], 65535, &port) < 0)
		return usage("usage: wg-set-device IF KEYFILE PORT");
	if (np_wg_key_load(argv[1], priv, pub, err) < 0 ||
	    np_wg_set_device(wg, argv[0], priv, (uint16_t)port, err) < 0)
		return fail(err);
	return 0;
}

static int cmd_wg_peer_set(struct np_wg *wg, int argc, char **argv,
			   struct np_err *err)
{
	struct np_wg_peer p;
	uint32_t v;
	int i;

	memset(&p, 0, sizeof(p));
	if (argc < 5 || argc - 5 > NP_WG_ALLOWED_MAX)
		return usage("usage: wg-peer-set IF PUBKEY ENDPOINT|- PORT KEEPALIVE [CIDR...]");
	if (np_wg_key_from_b64(argv[1], p.pubkey) < 0)
		return usage("invalid public key");
	if (strcmp(argv[2], "-") && np_addr_parse(argv[2], &p.endpoint) < 0)
		return usage("invalid endpoint");
	if (parse_u32(argv[3], 65535, &v) < 0)
		return usage("invalid port");
	p.port = (uint16_t)v;
	if (parse_u32(argv[4], 65535, &v) < 0)
		return usage("invalid keepalive");
	p.keepalive_s = (uint16_t)v;
	for (i = 5; i < argc; i++)
		if (np_cidr_parse(argv[i], &p.allowed[p.n_allowed++]) < 0)
			return usage("invalid CIDR");
	if (np_wg_peer_set(wg, argv[0], &p, err) < 0)
		return fail(err);
	return 0;
}

static int cmd_wg_peer_del(struct np_wg *wg, int argc, char **argv,
			   struct np_err *err)
{
	uint8_t key[NP_WG_KEY_LEN];

	if (argc != 2)
		return usage("usage: wg-peer-del IF PUBKEY");
	if (np_wg_key_from_b64(argv[1], key) < 0)
		return usage("invalid public key");
	if (np_wg_peer_del(wg, argv[0], key, err) < 0)
		return fail(err);
	return 0;
}

static int cmd_wg_get(struct np_wg *wg, int argc, char **argv,
		      struct np_err *err)
{
	struct np_wg_dev dev;
	char b64[NP_WG_KEY_B64_LEN], as[NP_ADDR_STRLEN], cs[NP_CIDR_STRLEN];
	size_t i, j;

	if (argc != 1)
		return usage("usage: wg-get IF");
	if (np_wg_get(wg, argv[0], &dev, err) < 0)
		return fail(err);
	printf("device\t%s\t%u\t%s\n", argv[0], dev.listen_port,
	       dev.has_privkey ? "key" : "nokey");
	for (i = 0; i < dev.n_peers; i++) {
		const struct np_wg_peer *p = &dev.peers[i];

		printf("peer\t%s\t", np_wg_key_b64(p->pubkey, b64));
		if (p->endpoint.family == AF_INET6)
			printf("[%s]:%u", np_addr_str(&p->endpoint, as, sizeof(as)),
			       p->port);
		else if (p->endpoint.family)
			printf("%s:%u", np_addr_str(&p->endpoint, as, sizeof(as)),
			       p->port);
		else
			printf("-");
		printf("\t%u\t", p->keepalive_s);
		for (j = 0; j < p->n_allowed; j++)
			printf("%s%s", j ? "," : "",
			       np_cidr_str(&p->allowed[j], cs, sizeof(cs)));
		printf("%s\n", p->n_allowed ? "" : "-");
	}
	np_wg_dev_free(&dev);
	return 0;
}

/* --- table ------------------------------------------------------------ */

typedef int (*rt_fn)(struct np_rtnl *, int, char **, struct np_err *);
typedef int (*wg_fn)(struct np_wg *, int, char **, struct np_err *);

static const struct {
	const char *name;
	rt_fn rt;
	wg_fn wg;
} cmds[] = {
	{ "link-ensure", cmd_link_ensure, NULL },
	{ "link-index", cmd_link_index, NULL },
	{ "link-mtu", cmd_link_mtu, NULL },
	{ "link-del", cmd_link_del, NULL },
	{ "addr-sync", cmd_addr_sync, NULL },
	{ "addr-list", cmd_addr_list, NULL },
	{ "default-link", cmd_default_link, NULL },
	{ "route-replace", cmd_route_replace, NULL },
	{ "route-del", cmd_route_del, NULL },
	{ "route-list", cmd_route_list, NULL },
	{ "wg-set-device", NULL, cmd_wg_set_device },
	{ "wg-peer-set", NULL, cmd_wg_peer_set },
	{ "wg-peer-del", NULL, cmd_wg_peer_del },
	{ "wg-get", NULL, cmd_wg_get },
};

int main(int argc, char **argv)
{
	struct np_err err;
	size_t i;
	int r;

	if (argc < 2)
		return usage("usage: np-ovltool COMMAND [ARG...] (see the source)");
	np_err_clear(&err);
	if (!strcmp(argv[1], "wg-key"))
		return cmd_wg_key(argc - 2, argv + 2, &err);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name))
			continue;
		if (cmds[i].rt) {
			struct np_rtnl *rt;

			if (np_rtnl_open(&rt, &err) < 0)
				return fail(&err);
			r = cmds[i].rt(rt, argc - 2, argv + 2, &err);
			np_rtnl_close(rt);
		} else {
			struct np_wg *wg;

			if (np_wg_open(&wg, &err) < 0)
				return fail(&err);
			r = cmds[i].wg(wg, argc - 2, argv + 2, &err);
			np_wg_close(wg);
		}
		if (fflush(stdout) != 0)
			return 1;
		return r;
	}
	return usage("unknown command");
}
