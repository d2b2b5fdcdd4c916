// SPDX-License-Identifier: GPL-2.0-only
/* daemon/overlay/plan.c: desired peers, routes, WireGuard peers and own
 * annotations from config + Nodes, the reasons Nodes are left out, and the
 * diffs (delete before add, no deletion before the Node kind is synced). */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "check.h"
#include "overlay/plan.h"

#define A NP_FLANNEL_ANN
#define VX(mac) "{\"VNI\":1,\"VtepMAC\":\"" mac "\"}"
#define KEY_B "BBECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define KEY_C "CAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define KEY_OWN "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

static struct np_node nodes[8];
static const struct np_node *ptrs[8];
static size_t n_nodes;
static struct np_plan_in in;
static struct np_plan plan;

static struct np_node *node(const char *name, const char *pod4,
			    const char *pod6)
{
	struct np_node *n = &nodes[n_nodes];

	memset(n, 0, sizeof(*n));
	n->meta.name = (char *)name;
	n->meta.ns = (char *)"";
	if (pod4)
		np_cidr_parse(pod4, &n->pod_cidrs[n->n_pod_cidrs++]);
	if (pod6)
		np_cidr_parse(pod6, &n->pod_cidrs[n->n_pod_cidrs++]);
	ptrs[n_nodes++] = n;
	return n;
}

/* A flannel vxlan Node: annotations of both families. */
static struct np_node *vx_node(const char *name, const char *pod4,
			       const char *pod6, const char *data4,
			       const char *ip4, const char *data6,
			       const char *ip6)
{
	struct np_node *n = node(name, pod4, pod6);

	n->flannel.kube_subnet_manager = (char *)"true";
	n->flannel.backend_type = (char *)"vxlan";
	n->flannel.backend_data = (char *)data4;
	n->flannel.public_ip = (char *)ip4;
	n->flannel.backend_v6_data = (char *)data6;
	n->flannel.public_ipv6 = (char *)ip6;
	return n;
}

static void setup(enum np_backend b, bool v4, bool v6)
{
	static const uint8_t m4[] = { 0x02, 0xaa, 0, 0, 0, 1 };
	static const uint8_t m6[] = { 0x02, 0xaa, 0, 0, 0, 2 };
	unsigned int i;

	np_plan_free(&plan);
	memset(&in, 0, sizeof(in));
	n_nodes = 0;
	in.backend = b;
	in.fam4 = v4;
	in.fam6 = v6;
	np_cidr_parse("10.42.0.0/16", &in.cluster4);
	np_cidr_parse("2001:db8:42::/56", &in.cluster6);
	in.self = "node-a";
	in.nodes = ptrs;
	if (v4)
		np_addr_parse("192.168.50.1", &in.ip4);
	if (v6)
		np_addr_parse("2001:db8::1", &in.ip6);
	in.uplink_ifindex = 2;
	in.vxlan_ifindex = 10;
	in.wg4_ifindex = 11;
	in.wg6_ifindex = 12;
	in.vni = 1;
	memcpy(in.mac4, m4, sizeof(m4));
	memcpy(in.mac6, m6, sizeof(m6));
	for (i = 0; i < NP_ANNOT_KEY_LEN; i++)
		in.wg_key[i] = (uint8_t)i;
	node("node-a", v4 ? "10.42.0.0/24" : NULL,
	     v6 ? "2001:db8:42::/64" : NULL);
}

static int build(void)
{
	np_plan_free(&plan);
	in.n_nodes = n_nodes;
	return np_plan_build(&in, &plan);
}

static char sbuf[4][NP_CIDR_STRLEN];

static const char *cidr(const struct np_cidr *c, int i)
{
	return np_cidr_str(c, sbuf[i], sizeof(sbuf[i]));
}

static const char *addr(const struct np_addr *a, int i)
{
	return np_addr_str(a, sbuf[i], sizeof(sbuf[i]));
}

static const char *mac(const uint8_t *m)
{
	return np_mac_str(m, sbuf[3]);
}

/* The skip reason of a Node, or NULL. */
static const struct np_plan_skip *skip_of(const char *name)
{
	size_t i;

	for (i = 0; i < plan.n_skips; i++)
		if (!strcmp(plan.skips[i].node, name))
			return &plan.skips[i];
	return NULL;
}

/* The skip reason of a Node, or "(not skipped)". */
static const char *why_of(const char *name)
{
	const struct np_plan_skip *s = skip_of(name);

	return s ? s->why : "(not skipped)";
}

/* Whether a Node's skip is a warning (false also when not skipped). */
static bool warn_of(const char *name)
{
	const struct np_plan_skip *s = skip_of(name);

	return s && s->warn;
}

static char *patch;

static const char *patch_of_plan(void)
{
	free(patch);
	patch = np_annot_patch(&plan.annots);
	return patch;
}

TEST(vxlan_dual_stack)
{
	setup(NP_BACKEND_VXLAN, true, true);
	vx_node("node-c", "10.42.2.0/24", "2001:db8:42:2::/64",
		VX("02:bb:00:00:00:06"), "192.168.50.3",
		VX("02:bb:00:00:00:05"), "2001:db8::3");
	vx_node("node-b", "10.42.1.0/24", "2001:db8:42:1::/64",
		VX("02:bb:00:00:00:04"), "192.168.50.2",
		VX("02:bb:00:00:00:03"), "2001:db8::2");
	CHECK_INT(build(), 0);
	CHECK(plan.self_ready);
	CHECK_STR(cidr(&plan.self_pod4, 0), "10.42.0.0/32");
	CHECK_STR(cidr(&plan.self_pod6, 0), "2001:db8:42::/128");
	CHECK_INT(plan.n_skips, 0);
	CHECK_INT(plan.n_programmed, 2);
	CHECK_INT(plan.n_peers, 4);
	/* sorted by MAC */
	CHECK_STR(mac(plan.peers[0].mac), "02:bb:00:00:00:03");
	CHECK_STR(plan.peers[0].node, "node-b");
	CHECK_STR(addr(&plan.peers[0].endpoint, 0), "2001:db8::2");
	CHECK_STR(cidr(&plan.peers[0].cidr, 1), "2001:db8:42:1::/64");
	CHECK_STR(mac(plan.peers[1].mac), "02:bb:00:00:00:04");
	CHECK_STR(addr(&plan.peers[1].endpoint, 0), "192.168.50.2");
	CHECK_STR(cidr(&plan.peers[1].cidr, 1), "10.42.1.0/24");
	CHECK_STR(mac(plan.peers[3].mac), "02:bb:00:00:00:06");
	CHECK_STR(plan.peers[3].node, "node-c");
	CHECK_STR(cidr(&plan.peers[3].cidr, 1), "10.42.2.0/24");
	/* one cluster route per family on the device */
	CHECK_INT(plan.n_routes, 2);
	CHECK_STR(cidr(&plan.routes[0].r.dst, 0), "10.42.0.0/16");
	CHECK_INT(plan.routes[0].r.ifindex, 10);
	CHECK_INT(plan.routes[0].r.gw.family, 0);
	CHECK(!plan.routes[0].node);
	CHECK_STR(cidr(&plan.routes[1].r.dst, 0), "2001:db8:42::/56");
	CHECK_INT(plan.routes[1].r.ifindex, 10);
	CHECK_INT(plan.n_wg, 0);
	CHECK_STR(patch_of_plan(),
		  "{\"metadata\":{\"annotations\":{"
		  "\"" A "kube-subnet-manager\":\"true\","
		  "\"" A "backend-type\":\"vxlan\","
		  "\"" A "backend-data\":\"{\\\"VNI\\\":1,\\\"VtepMAC\\\":\\\"02:aa:00:00:00:01\\\"}\","
		  "\"" A "backend-v6-data\":\"{\\\"VNI\\\":1,\\\"VtepMAC\\\":\\\"02:aa:00:00:00:02\\\"}\","
		  "\"" A "public-ip\":\"192.168.50.1\","
		  "\"" A "public-ipv6\":\"2001:db8::1\"}}}");
}

TEST(dual_stack_missing_keys)
{
	struct np_node *n;

	setup(NP_BACKEND_VXLAN, true, true);
	vx_node("node-b", "10.42.1.0/24", "2001:db8:42:1::/64",
		VX("02:bb:00:00:00:04"), "192.168.50.2", NULL, "2001:db8::2");
	vx_node("node-c", "10.42.2.0/24", NULL,
		VX("02:bb:00:00:00:06"), "192.168.50.3",
		VX("02:bb:00:00:00:05"), NULL);
	n = vx_node("node-d", "10.42.3.0/24", "2001:db8:42:3::/64",
		    VX("02:bb:00:00:00:08"), "", VX("02:bb:00:00:00:07"),
		    "2001:db8::4");
	n->flannel.backend_data = NULL;
	CHECK_INT(build(), 0);
	CHECK_INT(plan.n_peers, 0);
	CHECK_INT(plan.n_programmed, 0);
	CHECK_INT(plan.n_skips, 3);
	CHECK_STR(why_of("node-b"),
		  "missing " A "backend-v6-data");
	CHECK(warn_of("node-b"));
	CHECK_STR(why_of("node-c"),
		  "missing IPv6 podCIDR, " A "public-ipv6");
	CHECK_STR(why_of("node-d"),
		  "missing " A "public-ip, " A "backend-data");
}

TEST(single_stack_needs_only_its_family)
{
	setup(NP_BACKEND_VXLAN, true, false);
	vx_node("node-b", "10.42.1.0/24", NULL, VX("02:bb:00:00:00:04"),
		"192.168.50.2", NULL, NULL);
	CHECK_INT(build(), 0);
	CHECK_INT(plan.n_skips, 0);
	CHECK_INT(plan.n_peers, 1);
	CHECK_INT(plan.n_routes, 1);
	CHECK(!plan.annots.set[NP_ANN_BACKEND_V6_DATA]);
	CHECK(!plan.annots.set[NP_ANN_PUBLIC_IPV6]);
}

TEST(ipv6_only_writes_no_v4_keys)
{
	setup(NP_BACKEND_VXLAN, false, true);
	vx_node("node-b", NULL, "2001:db8:42:1::/64", NULL, NULL,
		VX("02:bb:00:00:00:03"), "2001:db8::2");
	CHECK_INT(build(), 0);
	CHECK_INT(plan.n_peers, 1);
	CHECK_STR(addr(&plan.peers[0].endpoint, 0), "2001:db8::2");
	CHECK(!plan.annots.set[NP_ANN_BACKEND_DATA]);
	CHECK(!plan.annots.set[NP_ANN_PUBLIC_IP]);
	CHECK_STR(patch_of_plan(),
		  "{\"metadata\":{\"annotations\":{"
		  "\"" A "kube-subnet-manager\":\"true\","
		  "\"" A "backend-type\":\"vxlan\","
		  "\"" A "backend-v6-data\":\"{\\\"VNI\\\":1,\\\"VtepMAC\\\":\\\"02:aa:00:00:00:02\\\"}\","
		  "\"" A "public-ipv6\":\"2001:db8::1\"}}}");
}

TEST(ignored_and_mismatched_nodes)
{
	struct np_node *n;

	setup(NP_BACKEND_VXLAN, true, false);
	n = vx_node("node-b", "10.42.1.0/24", NULL, VX("02:bb:00:00:00:04"),
		    "192.168.50.2", NULL, NULL);
	n->flannel.kube_subnet_manager = NULL;
	n = vx_node("node-c", "10.42.2.0/24", NULL, VX("02:bb:00:00:00:06"),
		    "192.168.50.3", NULL, NULL);
	n->flannel.kube_subnet_manager = (char *)"false";
	n = vx_node("node-d", "10.42.3.0/24", NULL, "null",
		    "192.168.50.4", NULL, NULL);
	n->flannel.backend_type = (char *)"host-gw";
	n = vx_node("node-e", "10.42.4.0/24", NULL, VX("02:bb:00:00:00:0a"),
		    "192.168.50.5", NULL, NULL);
	n->flannel.backend_type = NULL;
	CHECK_INT(build(), 0);
	CHECK_INT(plan.n_peers, 0);
	CHECK_STR(why_of("node-b"), "no kube-subnet-manager annotation");
	CHECK(!warn_of("node-b"));
	CHECK_STR(why_of("node-c"),
		  "kube-subnet-manager is \"false\", not \"true\"");
	CHECK(!warn_of("node-c"));
	CHECK_STR(why_of("node-d"),
		  "backend-type \"host-gw\" is not ours (\"vxlan\")");
	CHECK(warn_of("node-d"));
	CHECK_STR(why_of("node-e"), "missing " A "backend-type");
	/* the own Node is never a peer, nor a skip */
	CHECK(!skip_of("node-a"));
}

TEST(own_node_excluded_even_when_complete)
{
	struct np_node *self;

	setup(NP_BACKEND_VXLAN, true, false);
	self = &nodes[0];
	self->flannel.kube_subnet_manager = (char *)"true";
	self->flannel.backend_type = (char *)"vxlan";
	self->flannel.backend_data = (char *)VX("02:aa:00:00:00:01");
	self->flannel.public_ip = (char *)"192.168.50.1";
	CHECK_INT(build(), 0);
	CHECK_INT(plan.n_peers, 0);
	CHECK_INT(plan.n_skips, 0);
}

TEST(malformed_values_skip_the_node)
{
	setup(NP_BACKEND_VXLAN, true, true);
	vx_node("node-b", "10.42.1.0/24", "2001:db8:42:1::/64",
		VX("02:bb:00:00:00:04"), "192.168.50.2",
		"{\"VNI\":1,\"VtepMAC\":\"zz\"}", "2001:db8::2");
	vx_node("node-c", "10.42.2.0/24", "2001:db8:42:2::/64",
		VX("02:bb:00:00:00:06"), "2001:db8::9",
		VX("02:bb:00:00:00:05"), "2001:db8::3");
	vx_node("node-d", "10.43.3.0/24", "2001:db8:42:3::/64",
		VX("02:bb:00:00:00:08"), "192.168.50.4",
		VX("02:bb:00:00:00:07"), "2001:db8::4");
	CHECK_INT(build(), 0);
	CHECK_INT(plan.n_peers, 0);
	CHECK_STR(why_of("node-b"),
		  "backend-v6-data: VtepMAC: not a MAC address string");
	CHECK_STR(why_of("node-c"),
		  "public-ip \"2001:db8::9\" is not an IPv4 address");
	CHECK_STR(why_of("node-d"),
		  "podCIDR 10.43.3.0/24 is outside cluster-cidr 10.42.0.0/16");
}

TEST(conflicts_earlier_name_wins)
{
	setup(NP_BACKEND_VXLAN, true, true);
	vx_node("node-b", "10.42.1.0/24", "2001:db8:42:1::/64",
		VX("02:bb:00:00:00:04"), "192.168.50.2",
		VX("02:bb:00:00:00:03"), "2001:db8::2");
	/* same v4 MAC as node-b */
	vx_node("node-c", "10.42.2.0/24", "2001:db8:42:2::/64",
		VX("02:bb:00:00:00:04"), "192.168.50.3",
		VX("02:bb:00:00:00:05"), "2001:db8::3");
	/* the own MAC */
	vx_node("node-d", "10.42.3.0/24", "2001:db8:42:3::/64",
		VX("02:aa:00:00:00:01"), "192.168.50.4",
		VX("02:bb:00:00:00:07"), "2001:db8::4");
	/* node-b's podCIDR */
	vx_node("node-e", "10.42.1.0/24", "2001:db8:42:5::/64",
		VX("02:bb:00:00:00:0a"), "192.168.50.5",
		VX("02:bb:00:00:00:09"), "2001:db8::5");
	/* one MAC for both families */
	vx_node("node-f", "10.42.6.0/24", "2001:db8:42:6::/64",
		VX("02:bb:00:00:00:0b"), "192.168.50.6",
		VX("02:bb:00:00:00:0b"), "2001:db8::6");
	/* the own podCIDR */
	vx_node("node-g", "10.42.0.0/24", "2001:db8:42:7::/64",
		VX("02:bb:00:00:00:0c"), "192.168.50.7",
		VX("02:bb:00:00:00:0d"), "2001:db8::7");
	CHECK_INT(build(), 0);
	CHECK_INT(plan.n_programmed, 1);
	CHECK_INT(plan.n_peers, 2);
	CHECK_STR(plan.peers[0].node, "node-b");
	CHECK_STR(why_of("node-c"),
		  "VtepMAC 02:bb:00:00:00:04 is also Node node-b's");
	CHECK_STR(why_of("node-d"),
		  "VtepMAC 02:aa:00:00:00:01 is this node's own");
	CHECK_STR(why_of("node-e"),
		  "podCIDR 10.42.1.0/24 is also Node node-b's");
	CHECK_STR(why_of("node-f"),
		  "VtepMAC 02:bb:00:00:00:0b is used for both families");
	CHECK_STR(why_of("node-g"),
		  "podCIDR 10.42.0.0/24 is this node's own");
}

TEST(overwrite_honoured)
{
	struct np_node *self;

	setup(NP_BACKEND_VXLAN, true, true);
	self = &nodes[0];
	self->flannel.public_ip_overwrite = (char *)"203.0.113.7";
	self->flannel.public_ipv6_overwrite = (char *)"not-an-ip";
	CHECK_INT(build(), 0);
	CHECK_STR(plan.annots.v[NP_ANN_PUBLIC_IP], "203.0.113.7");
	CHECK_STR(plan.annots.v[NP_ANN_PUBLIC_IPV6], "2001:db8::1");
	CHECK(!plan.annots.set[NP_ANN_PUBLIC_IP_OVERWRITE]);
	CHECK_STR(plan.self_warn,
		  "Node node-a: public-ipv6-overwrite \"not-an-ip\" is not an IPv6 address: ignored");
	/* flannel-external-ip with node-external-ip: written and published */
	np_addr_parse("198.51.100.1", &in.ext4);
	np_addr_parse("2001:db8:ffff::1", &in.ext6);
	CHECK_INT(build(), 0);
	CHECK_STR(plan.annots.v[NP_ANN_PUBLIC_IP], "198.51.100.1");
	CHECK_STR(plan.annots.v[NP_ANN_PUBLIC_IP_OVERWRITE], "198.51.100.1");
	CHECK_STR(plan.annots.v[NP_ANN_PUBLIC_IPV6], "2001:db8:ffff::1");
	CHECK_STR(plan.annots.v[NP_ANN_PUBLIC_IPV6_OVERWRITE],
		  "2001:db8:ffff::1");
}

TEST(self_not_ready)
{
	setup(NP_BACKEND_VXLAN, true, true);
	in.self = "node-x";
	CHECK_INT(build(), 0);
	CHECK(!plan.self_ready);
	CHECK(!plan.self_error);
	CHECK_STR(plan.self_why, "waiting for Node node-x to exist");
	CHECK(!plan.annots.set[NP_ANN_KUBE_SUBNET_MANAGER]);

	setup(NP_BACKEND_VXLAN, true, true);
	nodes[0].n_pod_cidrs = 1;
	CHECK_INT(build(), 0);
	CHECK(!plan.self_ready);
	CHECK_STR(plan.self_why, "waiting for Node node-a to get an IPv6 podCIDR");

	setup(NP_BACKEND_VXLAN, true, false);
	np_cidr_parse("10.99.0.0/24", &nodes[0].pod_cidrs[0]);
	CHECK_INT(build(), 0);
	CHECK(plan.self_error);
	CHECK_STR(plan.self_why,
		  "Node node-a: podCIDR 10.99.0.0/24 is outside cluster-cidr 10.42.0.0/16");

	setup(NP_BACKEND_VXLAN, true, false);
	in.ip4.family = 0;
	CHECK_INT(build(), 0);
	CHECK(plan.self_error);
	CHECK_STR(plan.self_why, "the interface has no usable IPv4 address");
}

TEST(host_gw)
{
	struct np_node *n;

	setup(NP_BACKEND_HOST_GW, true, true);
	n = vx_node("node-b", "10.42.1.0/24", "2001:db8:42:1::/64", "null",
		    "192.168.50.2", NULL, "2001:db8::2");
	n->flannel.backend_type = (char *)"host-gw";
	CHECK_INT(build(), 0);
	CHECK_INT(plan.n_skips, 0);
	CHECK_INT(plan.n_peers, 0);
	CHECK_INT(plan.n_routes, 2);
	CHECK_STR(cidr(&plan.routes[0].r.dst, 0), "10.42.1.0/24");
	CHECK_STR(addr(&plan.routes[0].r.gw, 1), "192.168.50.2");
	CHECK_INT(plan.routes[0].r.ifindex, 2);
	CHECK(!plan.routes[0].r.onlink);
	CHECK_STR(plan.routes[0].node, "node-b");
	CHECK_STR(cidr(&plan.routes[1].r.dst, 0), "2001:db8:42:1::/64");
	CHECK_STR(addr(&plan.routes[1].r.gw, 1), "2001:db8::2");
	CHECK_STR(plan.annots.v[NP_ANN_BACKEND_TYPE], "host-gw");
	CHECK_STR(plan.annots.v[NP_ANN_BACKEND_DATA], "null");
	CHECK_STR(plan.annots.v[NP_ANN_BACKEND_V6_DATA], "null");
	CHECK(!plan.v4_refused);
	/* an external IP other than the interface's: no IPv4 routes */
	nodes[0].flannel.public_ip_overwrite = (char *)"203.0.113.7";
	CHECK_INT(build(), 0);
	CHECK(plan.v4_refused);
	CHECK_STR(plan.refused_why,
		  "host-gw: the external IPv4 address 203.0.113.7 differs from the interface address 192.168.50.1 (behind NAT?): no IPv4 routes are programmed");
	CHECK_INT(plan.n_routes, 1);
	CHECK_STR(cidr(&plan.routes[0].r.dst, 0), "2001:db8:42:1::/64");
}

TEST(wireguard)
{
	struct np_node *n;

	setup(NP_BACKEND_WIREGUARD_NATIVE, true, true);
	n = vx_node("node-b", "10.42.1.0/24", "2001:db8:42:1::/64",
		    "{\"PublicKey\":\"" KEY_B "\",\"Port\":51999}",
		    "192.168.50.2", "{\"PublicKey\":\"" KEY_B "\"}",
		    "2001:db8::2");
	n->flannel.backend_type = (char *)"wireguard";
	n = vx_node("node-c", "10.42.2.0/24", "2001:db8:42:2::/64",
		    "{\"PublicKey\":\"" KEY_C "\",\"Port\":0}",
		    "192.168.50.3", "{\"PublicKey\":\"" KEY_C "\",\"Port\":51821}",
		    "2001:db8::3");
	n->flannel.backend_type = (char *)"wireguard";
	n = vx_node("node-d", "10.42.3.0/24", "2001:db8:42:3::/64",
		    "{\"PublicKey\":\"" KEY_OWN "\"}", "192.168.50.4",
		    "{\"PublicKey\":\"" KEY_OWN "\"}", "2001:db8::4");
	n->flannel.backend_type = (char *)"wireguard";
	CHECK_INT(build(), 0);
	CHECK_STR(why_of("node-d"), "PublicKey is this node's own");
	CHECK_INT(plan.n_wg, 4);
	/* IPv4 first, then by key: B (0x04...) < C (0x08...) */
	CHECK_INT(plan.wg[0].family, AF_INET);
	CHECK_STR(plan.wg[0].node, "node-b");
	CHECK_STR(addr(&plan.wg[0].endpoint, 0), "192.168.50.2");
	CHECK_INT(plan.wg[0].port, 51999);
	CHECK_INT(plan.wg[0].keepalive_s, 25);
	CHECK_STR(cidr(&plan.wg[0].cidr, 1), "10.42.1.0/24");
	CHECK_STR(plan.wg[1].node, "node-c");
	CHECK_INT(plan.wg[1].port, 51820);
	CHECK_INT(plan.wg[2].family, AF_INET6);
	CHECK_STR(plan.wg[2].node, "node-b");
	CHECK_INT(plan.wg[2].port, 51821);
	CHECK_STR(addr(&plan.wg[2].endpoint, 0), "2001:db8::2");
	CHECK_STR(cidr(&plan.wg[2].cidr, 1), "2001:db8:42:1::/64");
	CHECK_INT(plan.wg[3].port, 51821);
	CHECK_INT(plan.n_routes, 2);
	CHECK_INT(plan.routes[0].r.ifindex, 11);
	CHECK_INT(plan.routes[1].r.ifindex, 12);
	CHECK_STR(plan.annots.v[NP_ANN_BACKEND_TYPE], "wireguard");
	CHECK_STR(plan.annots.v[NP_ANN_BACKEND_DATA],
		  "{\"PublicKey\":\"" KEY_OWN "\",\"Port\":51820}");
	CHECK_STR(plan.annots.v[NP_ANN_BACKEND_V6_DATA],
		  "{\"PublicKey\":\"" KEY_OWN "\",\"Port\":51821}");
}

TEST(backend_none_plans_nothing)
{
	setup(NP_BACKEND_NONE, true, false);
	vx_node("node-b", "10.42.1.0/24", NULL, VX("02:bb:00:00:00:04"),
		"192.168.50.2", NULL, NULL);
	CHECK_INT(build(), 0);
	CHECK_INT(plan.n_peers + plan.n_routes + plan.n_wg + plan.n_skips, 0);
	CHECK(!plan.annots.set[NP_ANN_KUBE_SUBNET_MANAGER]);
}

/* ---- diffs ---------------------------------------------------------- */

static struct np_plan_peer pp(uint8_t last, const char *ep, const char *c)
{
	struct np_plan_peer p = { .mac = { 0x02, 0xbb, 0, 0, 0, last } };

	np_addr_parse(ep, &p.endpoint);
	np_cidr_parse(c, &p.cidr);
	return p;
}

TEST(diff_peers_delete_before_add)
{
	struct np_plan_peer want[3], cur[3];
	struct np_diff_step *ops;
	size_t n;

	want[0] = pp(1, "192.168.50.2", "10.42.1.0/24");	/* same */
	want[1] = pp(3, "192.168.50.9", "10.42.3.0/24");	/* changed */
	want[2] = pp(5, "192.168.50.4", "10.42.4.0/24");	/* new MAC */
	cur[0] = pp(1, "192.168.50.2", "10.42.1.0/24");
	cur[1] = pp(3, "192.168.50.3", "10.42.3.0/24");
	cur[2] = pp(4, "192.168.50.4", "10.42.4.0/24");	/* old MAC */
	CHECK_INT(np_plan_diff_peers(want, 3, cur, 3, true, &ops, &n), 0);
	CHECK_INT(n, 3);
	CHECK_INT(ops[0].op, NP_DIFF_DEL);
	CHECK_INT(ops[0].cur_i, 2);
	CHECK_INT(ops[1].op, NP_DIFF_REPLACE);
	CHECK_INT(ops[1].want_i, 1);
	CHECK_INT(ops[1].cur_i, 1);
	CHECK_INT(ops[2].op, NP_DIFF_ADD);
	CHECK_INT(ops[2].want_i, 2);
	free(ops);
}

TEST(diff_peers_not_synced)
{
	struct np_plan_peer want[1], cur[3];
	struct np_diff_step *ops;
	size_t n;

	want[0] = pp(5, "192.168.50.4", "10.42.4.0/24");
	cur[0] = pp(1, "192.168.50.2", "10.42.1.0/24");	/* unknown: kept */
	cur[1] = pp(4, "192.168.50.4", "10.42.4.0/24");	/* blocks want */
	cur[2] = pp(5, "192.168.50.4", "10.42.4.0/24");
	cur[2].odd = true;	/* two CIDRs in the kernel: rewritten */
	CHECK_INT(np_plan_diff_peers(want, 1, cur, 3, false, &ops, &n), 0);
	CHECK_INT(n, 2);
	CHECK_INT(ops[0].op, NP_DIFF_DEL);
	CHECK_INT(ops[0].cur_i, 1);
	CHECK_INT(ops[1].op, NP_DIFF_REPLACE);
	free(ops);
	/* nothing to do */
	CHECK_INT(np_plan_diff_peers(want, 1, want, 1, true, &ops, &n), 0);
	CHECK_INT(n, 0);
	CHECK(!ops);
}

TEST(diff_single_family_change_applies)
{
	struct np_plan_peer want[2], cur[2];
	struct np_diff_step *ops;
	size_t n;

	/* only the IPv6 endpoint of a dual-stack Node changed */
	want[0] = pp(3, "2001:db8::22", "2001:db8:42:1::/64");
	want[1] = pp(4, "192.168.50.2", "10.42.1.0/24");
	cur[0] = pp(3, "2001:db8::2", "2001:db8:42:1::/64");
	cur[1] = want[1];
	CHECK_INT(np_plan_diff_peers(want, 2, cur, 2, true, &ops, &n), 0);
	CHECK_INT(n, 1);
	CHECK_INT(ops[0].op, NP_DIFF_REPLACE);
	CHECK_INT(ops[0].want_i, 0);
	free(ops);
}

TEST(diff_routes_and_wg)
{
	struct np_plan_route rw[2] = { 0 }, rc[2] = { 0 };
	struct np_plan_wg ww[1] = { 0 }, wc[2] = { 0 };
	struct np_diff_step *ops;
	size_t n;

	np_cidr_parse("10.42.1.0/24", &rw[0].r.dst);
	np_addr_parse("192.168.50.2", &rw[0].r.gw);
	rw[0].r.ifindex = 2;
	np_cidr_parse("10.42.2.0/24", &rw[1].r.dst);
	np_addr_parse("192.168.50.3", &rw[1].r.gw);
	rw[1].r.ifindex = 2;
	rc[0] = rw[0];
	rc[0].r.ifindex = 3;				/* other device */
	np_cidr_parse("10.42.9.0/24", &rc[1].r.dst);	/* gone */
	CHECK_INT(np_plan_diff_routes(rw, 2, rc, 2, false, &ops, &n), 0);
	CHECK_INT(n, 2);
	CHECK_INT(ops[0].op, NP_DIFF_REPLACE);
	CHECK_INT(ops[1].op, NP_DIFF_ADD);
	CHECK_INT(ops[1].want_i, 1);
	free(ops);
	CHECK_INT(np_plan_diff_routes(rw, 2, rc, 2, true, &ops, &n), 0);
	CHECK_INT(n, 3);
	CHECK_INT(ops[0].op, NP_DIFF_DEL);
	CHECK_INT(ops[0].cur_i, 1);
	free(ops);

	ww[0].family = AF_INET;
	ww[0].key[0] = 9;
	ww[0].keepalive_s = 25;
	np_cidr_parse("10.42.1.0/24", &ww[0].cidr);
	wc[0] = ww[0];
	wc[0].family = AF_INET6;			/* other device */
	wc[1] = ww[0];
	wc[1].keepalive_s = 0;
	CHECK_INT(np_plan_diff_wg(ww, 1, wc, 2, true, &ops, &n), 0);
	/* sorted: AF_INET (2) before AF_INET6 (10): cur is not sorted here,
	 * so sort it as the callers do */
	free(ops);
	qsort(wc, 2, sizeof(wc[0]), np_plan_wg_cmp);
	CHECK_INT(np_plan_diff_wg(ww, 1, wc, 2, true, &ops, &n), 0);
	CHECK_INT(n, 2);
	CHECK_INT(ops[0].op, NP_DIFF_DEL);
	CHECK_INT(wc[ops[0].cur_i].family, AF_INET6);
	CHECK_INT(ops[1].op, NP_DIFF_REPLACE);
	free(ops);
}

/* ---- the cache of per-Node verdicts --------------------------------- */

/* "" when a and b are the same plan, else what differs. */
static const char *plan_diff(const struct np_plan *a, const struct np_plan *b)
{
	size_t i;

	if (a->self_ready != b->self_ready || strcmp(a->self_why, b->self_why))
		return "self";
	if (a->v4_refused != b->v4_refused || !np_annots_equal(&a->annots,
								&b->annots))
		return "annots";
	if (a->n_peers != b->n_peers || a->n_routes != b->n_routes ||
	    a->n_wg != b->n_wg || a->n_skips != b->n_skips ||
	    a->n_programmed != b->n_programmed)
		return "counts";
	for (i = 0; i < a->n_peers; i++)
		if (np_plan_peer_cmp(&a->peers[i], &b->peers[i]) ||
		    !np_plan_peer_eq(&a->peers[i], &b->peers[i]) ||
		    strcmp(a->peers[i].node, b->peers[i].node))
			return "peers";
	for (i = 0; i < a->n_routes; i++)
		if (!np_plan_route_eq(&a->routes[i], &b->routes[i]) ||
		    (a->routes[i].node == NULL) != (b->routes[i].node == NULL) ||
		    (a->routes[i].node &&
		     strcmp(a->routes[i].node, b->routes[i].node)))
			return "routes";
	for (i = 0; i < a->n_wg; i++)
		if (np_plan_wg_cmp(&a->wg[i], &b->wg[i]) ||
		    !np_plan_wg_eq(&a->wg[i], &b->wg[i]) ||
		    strcmp(a->wg[i].node, b->wg[i].node))
			return "wg";
	for (i = 0; i < a->n_skips; i++)
		if (strcmp(a->skips[i].node, b->skips[i].node) ||
		    strcmp(a->skips[i].why, b->skips[i].why) ||
		    a->skips[i].warn != b->skips[i].warn)
			return "skips";
	return "";
}

/* Builds with the cache and checks it against np_plan_build. */
static int cache_build(struct np_plan_cache *pc, struct np_plan *out)
{
	int r;

	np_plan_free(&plan);
	in.n_nodes = n_nodes;
	r = np_plan_cache_build(pc, &in, out);
	if (r || np_plan_build(&in, &plan))
		return -1;
	return 0;
}

TEST(cache_reflects_one_change_and_delete)
{
	struct np_plan_cache *pc;
	struct np_plan cp = { 0 };
	struct np_node *b;

	setup(NP_BACKEND_VXLAN, true, false);
	b = vx_node("node-b", "10.42.1.0/24", NULL, VX("02:bb:00:00:00:01"),
		    "192.168.50.2", NULL, NULL);
	vx_node("node-c", "10.42.2.0/24", NULL, VX("02:cc:00:00:00:01"),
		"192.168.50.3", NULL, NULL);
	CHECK_INT(np_plan_cache_new(&pc), 0);
	CHECK_INT(cache_build(pc, &cp), 0);
	CHECK_INT((int)np_plan_cache_evals(pc), 2);
	CHECK_STR(plan_diff(&cp, &plan), "");
	CHECK_INT((int)cp.n_peers, 2);

	/* nothing changed: nothing decoded again, same plan */
	np_plan_free(&cp);
	CHECK_INT(cache_build(pc, &cp), 0);
	CHECK_INT((int)np_plan_cache_evals(pc), 0);
	CHECK_STR(plan_diff(&cp, &plan), "");

	/* one annotation of node-b changes (a new string, as the model does) */
	b->flannel.public_ip = (char *)"192.168.50.9";
	np_plan_free(&cp);
	CHECK_INT(cache_build(pc, &cp), 0);
	CHECK_INT((int)np_plan_cache_evals(pc), 1);
	CHECK_STR(plan_diff(&cp, &plan), "");
	CHECK_STR(cp.peers[0].node, "node-b");
	CHECK_STR(addr(&cp.peers[0].endpoint, 0), "192.168.50.9");

	/* node-b's backend-data becomes malformed: skipped */
	b->flannel.backend_data = (char *)"{";
	np_plan_free(&cp);
	CHECK_INT(cache_build(pc, &cp), 0);
	CHECK_INT((int)np_plan_cache_evals(pc), 1);
	CHECK_STR(plan_diff(&cp, &plan), "");
	CHECK_INT((int)cp.n_peers, 1);
	CHECK_INT((int)cp.n_skips, 1);
	CHECK_STR(cp.skips[0].node, "node-b");

	/* node-c is deleted (the last Node): node-b stays skipped */
	n_nodes--;
	np_plan_free(&cp);
	CHECK_INT(cache_build(pc, &cp), 0);
	CHECK_INT((int)np_plan_cache_evals(pc), 0);
	CHECK_STR(plan_diff(&cp, &plan), "");
	CHECK_INT((int)cp.n_peers, 0);
	CHECK_INT((int)cp.n_skips, 1);

	/* a new configuration (another cluster CIDR) forgets the verdicts */
	np_cidr_parse("10.0.0.0/8", &in.cluster4);
	np_plan_free(&cp);
	CHECK_INT(cache_build(pc, &cp), 0);
	CHECK_INT((int)np_plan_cache_evals(pc), 1);
	CHECK_STR(plan_diff(&cp, &plan), "");
	np_plan_free(&cp);
	np_plan_cache_free(pc);
}

/*
 * An invalid Node (the model's marker: the object failed to decode) is
 * never programmed, however complete the fields it had: its subnet is
 * unknown. Its peer goes (fail closed), with a warning naming the error;
 * the own Node invalid changes nothing at all. Through the cache too.
 */
TEST(invalid_node_not_programmed)
{
	struct np_plan_cache *pc;
	struct np_plan cp = { 0 };
	struct np_node *b;

	setup(NP_BACKEND_VXLAN, true, false);
	b = vx_node("node-b", "10.42.1.0/24", NULL, VX("02:bb:00:00:00:01"),
		    "192.168.50.2", NULL, NULL);
	vx_node("node-c", "10.42.2.0/24", NULL, VX("02:cc:00:00:00:01"),
		"192.168.50.3", NULL, NULL);
	CHECK_INT(np_plan_cache_new(&pc), 0);
	CHECK_INT(cache_build(pc, &cp), 0);
	CHECK_INT((int)cp.n_peers, 2);

	/* node-b turns invalid (same fields left behind: must not matter) */
	b->meta.invalid = true;
	b->meta.invalid_why = (char *)"Node node-b: spec.podCIDR: \"x\" is not a CIDR";
	np_plan_free(&cp);
	CHECK_INT(cache_build(pc, &cp), 0);
	CHECK_INT((int)np_plan_cache_evals(pc), 1);
	CHECK_STR(plan_diff(&cp, &plan), "");
	CHECK_INT((int)cp.n_peers, 1);
	CHECK_STR(cp.peers[0].node, "node-c");
	CHECK_INT((int)cp.n_routes, plan.n_routes);
	CHECK_STR(why_of("node-b"), "the Node is invalid: Node node-b: "
		  "spec.podCIDR: \"x\" is not a CIDR");
	CHECK(warn_of("node-b"));
	/* valid again: programmed again */
	b->meta.invalid = false;
	b->meta.invalid_why = NULL;
	np_plan_free(&cp);
	CHECK_INT(cache_build(pc, &cp), 0);
	CHECK_INT((int)np_plan_cache_evals(pc), 1);
	CHECK_INT((int)cp.n_peers, 2);
	np_plan_free(&cp);
	np_plan_cache_free(pc);

	/* the own Node invalid: not ready, an error, nothing planned */
	setup(NP_BACKEND_VXLAN, true, false);
	vx_node("node-b", "10.42.1.0/24", NULL, VX("02:bb:00:00:00:01"),
		"192.168.50.2", NULL, NULL);
	nodes[0].meta.invalid = true;
	nodes[0].meta.invalid_why = (char *)"Node node-a: spec.podCIDRs: 1 is not a list";
	CHECK_INT(build(), 0);
	CHECK(!plan.self_ready);
	CHECK(plan.self_error);
	CHECK_STR(plan.self_why, "Node node-a is invalid, waiting for a valid "
		  "version: Node node-a: spec.podCIDRs: 1 is not a list");
	CHECK_INT((int)plan.n_peers, 0);
	CHECK(!plan.annots.set[NP_ANN_KUBE_SUBNET_MANAGER]);
}

/* When both families' values are taken, the smaller value is named. */
TEST(conflict_of_both_families_names_smaller)
{
	setup(NP_BACKEND_VXLAN, true, true);
	vx_node("node-b", "10.42.1.0/24", "2001:db8:42:1::/64",
		VX("02:99:00:00:00:01"), "192.168.50.2",
		VX("02:bb:00:00:00:02"), "2001:db8::2");
	vx_node("node-c", "10.42.2.0/24", "2001:db8:42:2::/64",
		VX("02:cc:00:00:00:01"), "192.168.50.3",
		VX("02:11:00:00:00:02"), "2001:db8::3");
	/* v4 MAC is node-b's v6 one, v6 MAC is node-c's v6 one */
	vx_node("node-d", "10.42.3.0/24", "2001:db8:42:3::/64",
		VX("02:bb:00:00:00:02"), "192.168.50.4",
		VX("02:11:00:00:00:02"), "2001:db8::4");
	CHECK_INT(build(), 0);
	CHECK(skip_of("node-d") != NULL);
	CHECK_STR(skip_of("node-d")->why,
		  "VtepMAC 02:11:00:00:00:02 is also Node node-c's");
	CHECK_INT((int)plan.n_peers, 4);
}

/* A small xorshift generator: the same sequence on every run. */
static uint32_t rnd_state = 2463534242u;

static uint32_t rnd(uint32_t n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state % n;
}

#define RN 48

struct rnode {
	struct np_node n;
	char name[16], data4[64], data6[64], ip4[32], ip6[48];
};

static struct rnode rnodes[RN];
static const struct np_node *rptrs[RN];

/* Random Node i: values from small pools, so conflicts are common. */
static void rnode_fill(struct rnode *r, bool wg)
{
	static const char *const keys[] = { KEY_B, KEY_C, KEY_OWN,
		"DAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"EAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=" };
	char c4[32], c6[48];
	uint32_t k = rnd(20);

	memset(&r->n.flannel, 0, sizeof(r->n.flannel));
	r->n.n_pod_cidrs = 0;
	snprintf(c4, sizeof(c4), "10.42.%u.0/24", rnd(12));
	snprintf(c6, sizeof(c6), "2001:db8:42:%x::/64", rnd(12));
	if (k != 0)
		np_cidr_parse(c4, &r->n.pod_cidrs[r->n.n_pod_cidrs++]);
	if (k != 1)
		np_cidr_parse(c6, &r->n.pod_cidrs[r->n.n_pod_cidrs++]);
	if (wg) {
		snprintf(r->data4, sizeof(r->data4),
			 "{\"PublicKey\":\"%s\"}", keys[rnd(5)]);
		snprintf(r->data6, sizeof(r->data6),
			 "{\"PublicKey\":\"%s\"}", keys[rnd(5)]);
	} else {
		snprintf(r->data4, sizeof(r->data4), VX("02:aa:00:00:00:%02x"),
			 rnd(24));
		snprintf(r->data6, sizeof(r->data6), VX("02:aa:00:00:00:%02x"),
			 rnd(24));
	}
	if (k == 2)
		snprintf(r->data4, sizeof(r->data4), "{\"VNI\":1}");
	snprintf(r->ip4, sizeof(r->ip4), "192.168.50.%u", 2 + rnd(200));
	snprintf(r->ip6, sizeof(r->ip6), "2001:db8::%x", 2 + rnd(200));
	r->n.flannel.kube_subnet_manager = (char *)(k == 3 ? "false" : "true");
	r->n.flannel.backend_type = (char *)(k == 4 ? "host-gw" :
					     wg ? "wireguard" : "vxlan");
	r->n.flannel.backend_data = k == 5 ? NULL : r->data4;
	r->n.flannel.backend_v6_data = r->data6;
	r->n.flannel.public_ip = k == 6 ? (char *)"nope" : r->ip4;
	r->n.flannel.public_ipv6 = k == 7 ? NULL : r->ip6;
}

static void random_round(enum np_backend b, bool v4, bool v6)
{
	struct np_plan_cache *pc;
	struct np_plan cp = { 0 }, ref = { 0 };
	size_t live = 0, i;
	int step;

	setup(b, v4, v6);	/* in, and node-a (the own Node) */
	rptrs[0] = &nodes[0];
	live = 1;
	CHECK_INT(np_plan_cache_new(&pc), 0);
	in.nodes = rptrs;
	for (step = 0; step < 300; step++) {
		uint32_t what = rnd(10);
		const char *d;

		if (what < 3 && live < RN) {		/* add a Node */
			struct rnode *r = &rnodes[live];

			memset(r, 0, sizeof(*r));
			snprintf(r->name, sizeof(r->name), "n%02u", rnd(60));
			r->n.meta.name = r->name;
			r->n.meta.ns = (char *)"";
			for (i = 0; i < live; i++)
				if (!strcmp(rptrs[i]->meta.name, r->name))
					break;
			if (i < live)
				continue;	/* names are unique */
			rnode_fill(r, b == NP_BACKEND_WIREGUARD_NATIVE);
			rptrs[live++] = &r->n;
		} else if (what < 5 && live > 1) {	/* delete one */
			i = 1 + rnd((uint32_t)live - 1);
			rnodes[i] = rnodes[live - 1];
			rnodes[i].n.meta.name = rnodes[i].name;
			rnode_fill(&rnodes[i], b == NP_BACKEND_WIREGUARD_NATIVE);
			rptrs[i] = &rnodes[i].n;
			live--;
		} else if (live > 1) {			/* change one */
			i = 1 + rnd((uint32_t)live - 1);
			rnode_fill(&rnodes[i], b == NP_BACKEND_WIREGUARD_NATIVE);
		}
		/* the pointers after the own Node point into rnodes[] */
		for (i = 1; i < live; i++)
			rptrs[i] = &rnodes[i].n;
		in.n_nodes = live;
		np_plan_free(&cp);
		np_plan_free(&ref);
		CHECK_INT(np_plan_cache_build(pc, &in, &cp), 0);
		CHECK_INT(np_plan_build(&in, &ref), 0);
		d = plan_diff(&cp, &ref);
		if (*d)
			fprintf(stderr, "step %d: %s differs\n", step, d);
		CHECK_STR(d, "");
	}
	CHECK(ref.n_skips > 0);
	np_plan_free(&cp);
	np_plan_free(&ref);
	np_plan_cache_free(pc);
}

TEST(cache_random_mutations_vxlan_dual)
{
	random_round(NP_BACKEND_VXLAN, true, true);
}

TEST(cache_random_mutations_wireguard_v6)
{
	random_round(NP_BACKEND_WIREGUARD_NATIVE, false, true);
}

TEST(cache_random_mutations_hostgw_v4)
{
	random_round(NP_BACKEND_HOST_GW, true, false);
}

int main(void)
{
	RUN(vxlan_dual_stack);
	RUN(dual_stack_missing_keys);
	RUN(single_stack_needs_only_its_family);
	RUN(ipv6_only_writes_no_v4_keys);
	RUN(ignored_and_mismatched_nodes);
	RUN(own_node_excluded_even_when_complete);
	RUN(malformed_values_skip_the_node);
	RUN(conflicts_earlier_name_wins);
	RUN(overwrite_honoured);
	RUN(self_not_ready);
	RUN(host_gw);
	RUN(wireguard);
	RUN(backend_none_plans_nothing);
	RUN(diff_peers_delete_before_add);
	RUN(diff_peers_not_synced);
	RUN(diff_single_family_change_applies);
	RUN(diff_routes_and_wg);
	RUN(cache_reflects_one_change_and_delete);
	RUN(invalid_node_not_programmed);
	RUN(conflict_of_both_families_names_smaller);
	RUN(cache_random_mutations_vxlan_dual);
	RUN(cache_random_mutations_wireguard_v6);
	RUN(cache_random_mutations_hostgw_v4);
	np_plan_free(&plan);
	free(patch);
	return check_summary();
}
