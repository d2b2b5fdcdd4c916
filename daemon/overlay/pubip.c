// SPDX-License-Identifier: GPL-2.0-only
/*
 * The node's interface and public IP, chosen as K3s does for flannel: the
 * pure choice over an interface's addresses, and the wrapper gathering
 * them through rtnetlink.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "overlay/pubip.h"

/* Lower is better: global, permanent, non-temporary first. */
static unsigned int rank(const struct np_ifaddr *a)
{
	return (a->link_local ? 4U : 0U) + (a->permanent ? 0U : 2U) +
	       (a->temporary ? 1U : 0U);
}

int np_pubip_pick(const struct np_ifaddr *v, size_t n, int family,
		  struct np_addr *out)
{
	const struct np_ifaddr *best = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct np_ifaddr *a = &v[i];

		if (a->addr.addr.family != family || a->deprecated ||
		    a->tentative)
			continue;
		if (!best || rank(a) < rank(best))
			best = a;
	}
	if (!best)
		return -ENOENT;
	*out = best->addr.addr;
	return 0;
}

int np_pubip_gather(struct np_rtnl *rt, const struct np_config *cfg,
		    struct np_pubip *out, struct np_err *err)
{
	struct np_ifaddr *addrs = NULL;
	size_t n = 0;
	int fam, ret;

	memset(out, 0, sizeof(*out));
	if (cfg->iface[0]) {
		ret = np_rtnl_link_index(rt, cfg->iface, &out->ifindex, err);
		if (ret == -ENODEV)
			return np_err_set(err, -ret,
					  "flannel-iface %s: no such interface",
					  cfg->iface);
		if (ret)
			return ret;
		snprintf(out->ifname, sizeof(out->ifname), "%s", cfg->iface);
	} else {
		char name[IF_NAMESIZE];

		fam = cfg->cluster_cidr.has4 || !cfg->cluster_cidr.has6 ?
		      AF_INET : AF_INET6;
		ret = np_rtnl_default_link(rt, fam, &out->ifindex, err);
		if (ret == -ENETUNREACH)
			return np_err_set(err, -ret,
					  "no IPv%s default route to choose the interface from (set flannel-iface)",
					  fam == AF_INET ? "4" : "6");
		if (ret)
			return ret;
		if (if_indextoname(out->ifindex, name))
			snprintf(out->ifname, sizeof(out->ifname), "%s", name);
		else
			snprintf(out->ifname, sizeof(out->ifname), "if%u",
				 out->ifindex);
	}
	ret = np_rtnl_link_mtu(rt, out->ifindex, &out->mtu, err);
	if (ret)
		return ret;
	ret = np_rtnl_addr_list(rt, out->ifindex, AF_UNSPEC, &addrs, &n, err);
	if (ret)
		return ret;
	if (cfg->cluster_cidr.has4)
		np_pubip_pick(addrs, n, AF_INET, &out->ip4);
	if (cfg->cluster_cidr.has6)
		np_pubip_pick(addrs, n, AF_INET6, &out->ip6);
	free(addrs);
	return 0;
}
