// SPDX-License-Identifier: GPL-2.0-only
/* daemon/overlay/pubip.c: the address order of K3s/flannel (tables) and the
 * interface choice (flannel-iface, IPv4 default route, IPv6 default route in
 * IPv6-only clusters) against a fake rtnetlink. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "check.h"
#include "overlay/pubip.h"

/* ---- fake rtnetlink ------------------------------------------------- */

static struct np_ifaddr fake_addrs[8];
static size_t fake_n;
static int fake_default_family;	/* family whose default route was asked */
static int fake_default4 = 7, fake_default6 = 9;	/* 0: none */

int np_rtnl_link_index(struct np_rtnl *rt, const char *name,
		       uint32_t *ifindex, struct np_err *err)
{
	(void)rt;
	(void)err;
	if (strcmp(name, "eth1"))
		return -ENODEV;
	*ifindex = 5;
	return 0;
}

int np_rtnl_default_link(struct np_rtnl *rt, int family, uint32_t *ifindex,
			 struct np_err *err)
{
	int idx = family == AF_INET ? fake_default4 : fake_default6;

	(void)rt;
	(void)err;
	fake_default_family = family;
	if (!idx)
		return -ENETUNREACH;
	*ifindex = (uint32_t)idx + 100000;	/* no such link: name "ifN" */
	return 0;
}

int np_rtnl_link_mtu(struct np_rtnl *rt, uint32_t ifindex, uint32_t *mtu,
		     struct np_err *err)
{
	(void)rt;
	(void)err;
	*mtu = 1400 + ifindex % 100;
	return 0;
}

int np_rtnl_addr_list(struct np_rtnl *rt, uint32_t ifindex, int family,
		      struct np_ifaddr **out, size_t *n, struct np_err *err)
{
	size_t i, k = 0;

	(void)rt;
	(void)err;
	*out = calloc(fake_n + 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (i = 0; i < fake_n; i++) {
		if (fake_addrs[i].ifindex != ifindex)
			continue;
		if (family != AF_UNSPEC &&
		    fake_addrs[i].addr.addr.family != family)
			continue;
		(*out)[k++] = fake_addrs[i];
	}
	*n = k;
	return 0;
}

/* ---- helpers -------------------------------------------------------- */

/* flags: l link-local, p permanent, t temporary, d deprecated, n tentative */
static struct np_ifaddr ifa(const char *addr, const char *flags)
{
	struct np_ifaddr a = { 0 };

	np_addr_parse(addr, &a.addr.addr);
	a.addr.prefixlen = a.addr.addr.family == AF_INET ? 24 : 64;
	a.link_local = strchr(flags, 'l');
	a.permanent = strchr(flags, 'p');
	a.temporary = strchr(flags, 't');
	a.deprecated = strchr(flags, 'd');
	a.tentative = strchr(flags, 'n');
	return a;
}

static char picked[NP_ADDR_STRLEN];

/* Picks family from the table; "" when nothing qualifies. */
static const char *pick(const struct np_ifaddr *v, size_t n, int family)
{
	struct np_addr a;

	if (np_pubip_pick(v, n, family, &a))
		return "";
	return np_addr_str(&a, picked, sizeof(picked));
}

#define N(v) (sizeof(v) / sizeof((v)[0]))

TEST(ipv4_first_wins)
{
	struct np_ifaddr v[] = {
		ifa("fe80::1", "lp"),
		ifa("192.168.50.1", "p"),
		ifa("192.168.50.7", "p"),
	};

	CHECK_STR(pick(v, N(v), AF_INET), "192.168.50.1");
}

TEST(ipv6_order)
{
	/* link-local < dynamic < temporary < permanent global */
	struct np_ifaddr v[] = {
		ifa("fe80::1", "lp"),
		ifa("2001:db8::3", "t"),
		ifa("2001:db8::2", ""),
		ifa("2001:db8::1", "p"),
	};

	CHECK_STR(pick(v, N(v), AF_INET6), "2001:db8::1");
	CHECK_STR(pick(v, 3, AF_INET6), "2001:db8::2");
	CHECK_STR(pick(v, 2, AF_INET6), "2001:db8::3");
	CHECK_STR(pick(v, 1, AF_INET6), "fe80::1");
	CHECK_STR(pick(v, N(v), AF_INET), "");
}

TEST(temporary_after_non_temporary_dynamic)
{
	struct np_ifaddr v[] = {
		ifa("2001:db8::a", "t"),
		ifa("2001:db8::b", ""),
	};

	CHECK_STR(pick(v, N(v), AF_INET6), "2001:db8::b");
}

TEST(permanent_link_local_after_dynamic_global)
{
	struct np_ifaddr v[] = {
		ifa("fe80::1", "lp"),
		ifa("2001:db8::2", "t"),
	};

	CHECK_STR(pick(v, N(v), AF_INET6), "2001:db8::2");
}

TEST(deprecated_and_tentative_skipped)
{
	struct np_ifaddr v[] = {
		ifa("2001:db8::1", "pd"),
		ifa("2001:db8::2", "pn"),
		ifa("2001:db8::3", "t"),
		ifa("10.0.0.1", "pd"),
	};

	CHECK_STR(pick(v, N(v), AF_INET6), "2001:db8::3");
	CHECK_STR(pick(v, 2, AF_INET6), "");
	CHECK_STR(pick(v, N(v), AF_INET), "");
}

TEST(ties_keep_kernel_order)
{
	struct np_ifaddr v[] = {
		ifa("2001:db8::9", "p"),
		ifa("2001:db8::1", "p"),
	};

	CHECK_STR(pick(v, N(v), AF_INET6), "2001:db8::9");
}

static struct np_config cfg;

static void cfg_families(bool v4, bool v6)
{
	memset(&cfg, 0, sizeof(cfg));
	cfg.cluster_cidr.has4 = v4;
	cfg.cluster_cidr.has6 = v6;
}

static void fake_setup(void)
{
	fake_n = 0;
	fake_addrs[fake_n] = ifa("192.168.50.1", "p");
	fake_addrs[fake_n++].ifindex = 100007;
	fake_addrs[fake_n] = ifa("2001:db8::7", "p");
	fake_addrs[fake_n++].ifindex = 100007;
	fake_addrs[fake_n] = ifa("2001:db8::9", "p");
	fake_addrs[fake_n++].ifindex = 100009;
	fake_addrs[fake_n] = ifa("10.1.1.5", "p");
	fake_addrs[fake_n++].ifindex = 5;
	fake_default4 = 7;
	fake_default6 = 9;
}

TEST(gather_default_route_v4)
{
	struct np_pubip p;
	struct np_err err = { 0 };
	char a[NP_ADDR_STRLEN];

	fake_setup();
	cfg_families(true, true);
	CHECK_INT(np_pubip_gather(NULL, &cfg, &p, &err), 0);
	CHECK_INT(fake_default_family, AF_INET);
	CHECK_INT(p.ifindex, 100007);
	CHECK_STR(p.ifname, "if100007");
	CHECK_INT(p.mtu, 1407);
	CHECK_STR(np_addr_str(&p.ip4, a, sizeof(a)), "192.168.50.1");
	CHECK_STR(np_addr_str(&p.ip6, a, sizeof(a)), "2001:db8::7");
	/* a family outside the cluster CIDR is not chosen */
	cfg_families(true, false);
	CHECK_INT(np_pubip_gather(NULL, &cfg, &p, &err), 0);
	CHECK_INT(p.ip6.family, 0);
}

TEST(gather_ipv6_only_uses_v6_default)
{
	struct np_pubip p;
	struct np_err err = { 0 };
	char a[NP_ADDR_STRLEN];

	fake_setup();
	cfg_families(false, true);
	CHECK_INT(np_pubip_gather(NULL, &cfg, &p, &err), 0);
	CHECK_INT(fake_default_family, AF_INET6);
	CHECK_INT(p.ifindex, 100009);
	CHECK_INT(p.ip4.family, 0);
	CHECK_STR(np_addr_str(&p.ip6, a, sizeof(a)), "2001:db8::9");
}

TEST(gather_flannel_iface)
{
	struct np_pubip p;
	struct np_err err = { 0 };
	char a[NP_ADDR_STRLEN];

	fake_setup();
	cfg_families(true, true);
	strcpy(cfg.iface, "eth1");
	fake_default_family = 0;
	CHECK_INT(np_pubip_gather(NULL, &cfg, &p, &err), 0);
	CHECK_INT(fake_default_family, 0);
	CHECK_INT(p.ifindex, 5);
	CHECK_STR(p.ifname, "eth1");
	CHECK_STR(np_addr_str(&p.ip4, a, sizeof(a)), "10.1.1.5");
	CHECK_INT(p.ip6.family, 0);
	strcpy(cfg.iface, "nope0");
	CHECK_INT(np_pubip_gather(NULL, &cfg, &p, &err), -ENODEV);
	CHECK_STR(err.msg, "flannel-iface nope0: no such interface");
}

TEST(gather_no_default_route)
{
	struct np_pubip p;
	struct np_err err = { 0 };

	fake_setup();
	fake_default4 = 0;
	cfg_families(true, true);
	CHECK_INT(np_pubip_gather(NULL, &cfg, &p, &err), -ENETUNREACH);
	CHECK_STR(err.msg,
		  "no IPv4 default route to choose the interface from (set flannel-iface)");
}

int main(void)
{
	RUN(ipv4_first_wins);
	RUN(ipv6_order);
	RUN(temporary_after_non_temporary_dynamic);
	RUN(permanent_link_local_after_dynamic_global);
	RUN(deprecated_and_tentative_skipped);
	RUN(ties_keep_kernel_order);
	RUN(gather_default_route_v4);
	RUN(gather_ipv6_only_uses_v6_default);
	RUN(gather_flannel_iface);
	RUN(gather_no_default_route);
	return check_summary();
}
