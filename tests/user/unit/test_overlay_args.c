// SPDX-License-Identifier: GPL-2.0-only
/*
 * Arguments of `overlay`, `peer`, `masq` and `raw-peer`: usage and value
 * errors through np_ctl_main() (exact text, exit 1, all before any socket
 * is opened), and what the parsers make of good arguments.
 */
#include <sys/socket.h>

#include <linux/nodeplane.h>

#include "check.h"
#include "ctlrun.h"

#define TRY_OVERLAY "Try 'nodeplanectl overlay --help' for more information.\n"
#define TRY_MASQ "Try 'nodeplanectl masq --help' for more information.\n"

/* Runs the arguments; checks exit 1, empty stdout, and stderr == want. */
#define CHECK_FAILS(want, ...) do {					\
	struct ctlres r_ = ctl_run(__VA_ARGS__, NULL);			\
	int st_ = r_.status;						\
	bool quiet_ = !strcmp(r_.out, "");				\
	char e_[1024];							\
	snprintf(e_, sizeof(e_), "%s", r_.err);				\
	ctlres_free(&r_);						\
	CHECK_STR(e_, want);						\
	CHECK_INT(st_, 1);						\
	CHECK(quiet_);							\
} while (0)

#define MAC1 "02:00:00:00:00:02"

TEST(overlay_needs_a_command)
{
	CHECK_FAILS("nodeplanectl: overlay: missing command (set, peer or show)\n"
		    TRY_OVERLAY, "overlay");
	CHECK_FAILS("nodeplanectl: overlay: unknown command 'frob'\n"
		    TRY_OVERLAY, "overlay", "frob");
	CHECK_FAILS("nodeplanectl: overlay peer: missing command (set or del)\n"
		    TRY_OVERLAY, "overlay", "peer");
	CHECK_FAILS("nodeplanectl: overlay peer: unknown command 'show'\n"
		    TRY_OVERLAY, "overlay", "peer", "show");
}

TEST(overlay_set_usage_errors)
{
	CHECK_FAILS("nodeplanectl: overlay set: missing device NAME\n"
		    TRY_OVERLAY, "overlay", "set");
	CHECK_FAILS("nodeplanectl: overlay set: 'vni' needs a value\n"
		    TRY_OVERLAY, "overlay", "set", "np0", "vni");
	CHECK_FAILS("nodeplanectl: overlay set: 'port' needs a value\n"
		    TRY_OVERLAY, "overlay", "set", "np0", "vni", "1", "port");
	CHECK_FAILS("nodeplanectl: overlay set: unknown word 'color'\n"
		    TRY_OVERLAY, "overlay", "set", "np0", "color", "red");
	CHECK_FAILS("nodeplanectl: overlay set: unknown word 'VNI'\n"
		    TRY_OVERLAY, "overlay", "set", "np0", "VNI", "1");
	CHECK_FAILS("nodeplanectl: overlay set: 'vni' given twice\n"
		    TRY_OVERLAY, "overlay", "set", "np0", "vni", "1", "vni", "2");
	CHECK_FAILS("nodeplanectl: overlay: unknown option '-1'\n"
		    TRY_OVERLAY, "overlay", "set", "np0", "vni", "-1");
}

TEST(overlay_set_bad_numbers)
{
	CHECK_FAILS("nodeplanectl: overlay set: vni: '16777216' is not a number in 0..16777215\n",
		    "overlay", "set", "np0", "vni", "16777216");
	CHECK_FAILS("nodeplanectl: overlay set: vni: '0x10' is not a number in 0..16777215\n",
		    "overlay", "set", "np0", "vni", "0x10");
	CHECK_FAILS("nodeplanectl: overlay set: vni: '' is not a number in 0..16777215\n",
		    "overlay", "set", "np0", "vni", "");
	CHECK_FAILS("nodeplanectl: overlay set: port: '0' is not a number in 1..65535\n",
		    "overlay", "set", "np0", "port", "0");
	CHECK_FAILS("nodeplanectl: overlay set: port: '65536' is not a number in 1..65535\n",
		    "overlay", "set", "np0", "port", "65536");
	CHECK_FAILS("nodeplanectl: overlay set: port: '8472 ' is not a number in 1..65535\n",
		    "overlay", "set", "np0", "port", "8472 ");
}

TEST(overlay_set_bad_local)
{
	CHECK_FAILS("nodeplanectl: overlay set: local: two IPv4 addresses "
		    "('192.168.50.1' and '192.168.50.2'); give at most one of each family\n",
		    "overlay", "set", "np0", "local", "192.168.50.1,192.168.50.2");
	CHECK_FAILS("nodeplanectl: overlay set: local: two IPv6 addresses "
		    "('fd00::1' and 'fd00::2'); give at most one of each family\n",
		    "overlay", "set", "np0", "local", "fd00::1,fd00::2");
	CHECK_FAILS("nodeplanectl: overlay set: local: '1.2.3' is not an IPv4 or IPv6 address\n",
		    "overlay", "set", "np0", "local", "1.2.3");
	CHECK_FAILS("nodeplanectl: overlay set: local: '' is not an IPv4 or IPv6 address\n",
		    "overlay", "set", "np0", "local", "192.168.50.1,");
	CHECK_FAILS("nodeplanectl: overlay set: local: '10.0.0.0/8' is not an IPv4 or IPv6 address\n",
		    "overlay", "set", "np0", "local", "10.0.0.0/8");
	CHECK_FAILS("nodeplanectl: overlay set: local: '192.168.50.1,fd00::1,10.0.0.1': "
		    "at most one IPv4 and one IPv6 address\n",
		    "overlay", "set", "np0", "local", "192.168.50.1,fd00::1,10.0.0.1");
}

TEST(overlay_set_bad_mac)
{
	CHECK_FAILS("nodeplanectl: overlay set: mac: '02:00:00:00:00' is not a MAC address (xx:xx:xx:xx:xx:xx)\n",
		    "overlay", "set", "np0", "mac", "02:00:00:00:00");
	CHECK_FAILS("nodeplanectl: overlay set: mac: '02-00-00-00-00-01' is not a MAC address (xx:xx:xx:xx:xx:xx)\n",
		    "overlay", "set", "np0", "mac", "02-00-00-00-00-01");
	CHECK_FAILS("nodeplanectl: overlay set: mac: '02:00:00:00:00:0g' is not a MAC address (xx:xx:xx:xx:xx:xx)\n",
		    "overlay", "set", "np0", "mac", "02:00:00:00:00:0g");
	CHECK_FAILS("nodeplanectl: overlay set: mac: '2:0:0:0:0:1' is not a MAC address (xx:xx:xx:xx:xx:xx)\n",
		    "overlay", "set", "np0", "mac", "2:0:0:0:0:1");
	CHECK_FAILS("nodeplanectl: overlay set: mac: '01:00:5e:00:00:01' is not a unicast MAC address\n",
		    "overlay", "set", "np0", "mac", "01:00:5e:00:00:01");
	CHECK_FAILS("nodeplanectl: overlay set: mac6: '00:00:00:00:00:00' is not a unicast MAC address\n",
		    "overlay", "set", "np0", "mac6", "00:00:00:00:00:00");
	CHECK_FAILS("nodeplanectl: overlay set: gbp: 'yes' is not on or off\n",
		    "overlay", "set", "np0", "gbp", "yes");
	CHECK_FAILS("nodeplanectl: overlay set: source-check: 'true' is not on or off\n",
		    "overlay", "set", "np0", "source-check", "true");
}

TEST(overlay_set_no_such_device)
{
	CHECK_FAILS("nodeplanectl: overlay set: np9: no such device\n",
		    "overlay", "set", "np9", "vni", "1");
	/* The words are checked first. */
	CHECK_FAILS("nodeplanectl: overlay set: vni: 'x' is not a number in 0..16777215\n",
		    "overlay", "set", "np9", "vni", "x");
	CHECK_FAILS("nodeplanectl: overlay set: abcdefghijklmnopq: no such device\n",
		    "overlay", "set", "abcdefghijklmnopq", "vni", "1");
	/* The show form: "overlay NAME ..." is "overlay set NAME ...". */
	CHECK_FAILS("nodeplanectl: overlay set: np9: no such device\n",
		    "overlay", "np9", "vni", "1");
	CHECK_FAILS("nodeplanectl: overlay: unknown command 'np0'\n"
		    TRY_OVERLAY, "overlay", "np0");
}

TEST(peer_set_missing_words)
{
	CHECK_FAILS("nodeplanectl: overlay peer set: missing device NAME\n"
		    TRY_OVERLAY, "overlay", "peer", "set");
	CHECK_FAILS("nodeplanectl: overlay peer set: missing 'endpoint ADDR'\n"
		    TRY_OVERLAY, "overlay", "peer", "set", "np0", "mac", MAC1,
		    "cidr", "10.42.1.0/24");
	CHECK_FAILS("nodeplanectl: overlay peer set: missing 'mac MAC'\n"
		    TRY_OVERLAY, "overlay", "peer", "set", "np0", "endpoint",
		    "192.168.50.2", "cidr", "10.42.1.0/24");
	CHECK_FAILS("nodeplanectl: overlay peer set: missing 'cidr CIDR[,CIDR...]'\n"
		    TRY_OVERLAY, "overlay", "peer", "set", "np0", "mac", MAC1,
		    "endpoint", "192.168.50.2");
	CHECK_FAILS("nodeplanectl: overlay peer set: 'cidr' needs a value\n"
		    TRY_OVERLAY, "overlay", "peer", "set", "np0", "mac", MAC1,
		    "endpoint", "192.168.50.2", "cidr");
	CHECK_FAILS("nodeplanectl: overlay peer set: unknown word 'vni'\n"
		    TRY_OVERLAY, "overlay", "peer", "set", "np0", "vni", "1");
	/* The top-level form `overlay show -s` prints. */
	CHECK_FAILS("nodeplanectl: overlay peer set: missing 'endpoint ADDR'\n"
		    TRY_OVERLAY, "peer", "np0", "mac", MAC1, "cidr",
		    "10.42.1.0/24");
}

#define PEER(ep, cidr) "overlay", "peer", "set", "np0", "mac", MAC1, \
	"endpoint", ep, "cidr", cidr

TEST(peer_set_bad_values)
{
	CHECK_FAILS("nodeplanectl: overlay peer set: mac: '01:00:5e:00:00:01' is not a unicast MAC address\n",
		    "overlay", "peer", "set", "np0", "mac", "01:00:5e:00:00:01",
		    "endpoint", "192.168.50.2", "cidr", "10.42.1.0/24");
	CHECK_FAILS("nodeplanectl: overlay peer set: endpoint: 'node2' is not an IPv4 or IPv6 address\n",
		    PEER("node2", "10.42.1.0/24"));
	CHECK_FAILS("nodeplanectl: overlay peer set: cidr: '10.42.1.0' is not a CIDR (ADDR/PREFIXLEN)\n",
		    PEER("192.168.50.2", "10.42.1.0"));
	CHECK_FAILS("nodeplanectl: overlay peer set: cidr: '10.42.1.0/33' is not a CIDR (ADDR/PREFIXLEN)\n",
		    PEER("192.168.50.2", "10.42.1.0/33"));
	CHECK_FAILS("nodeplanectl: overlay peer set: cidr: '10.42.1.0/' is not a CIDR (ADDR/PREFIXLEN)\n",
		    PEER("192.168.50.2", "10.42.1.0/"));
	CHECK_FAILS("nodeplanectl: overlay peer set: cidr: '/24' is not a CIDR (ADDR/PREFIXLEN)\n",
		    PEER("192.168.50.2", "/24"));
	CHECK_FAILS("nodeplanectl: overlay peer set: cidr: '10.42.1.0/024' is not a CIDR (ADDR/PREFIXLEN)\n",
		    PEER("192.168.50.2", "10.42.1.0/024"));
	CHECK_FAILS("nodeplanectl: overlay peer set: cidr: '10.42.1.0/+4' is not a CIDR (ADDR/PREFIXLEN)\n",
		    PEER("192.168.50.2", "10.42.1.0/+4"));
	CHECK_FAILS("nodeplanectl: overlay peer set: cidr: 'fd00::/129' is not a CIDR (ADDR/PREFIXLEN)\n",
		    PEER("fd00::2", "fd00::/129"));
	CHECK_FAILS("nodeplanectl: overlay peer set: cidr: '' is not a CIDR (ADDR/PREFIXLEN)\n",
		    PEER("192.168.50.2", "10.42.1.0/24,,10.42.2.0/24"));
	CHECK_FAILS("nodeplanectl: overlay peer set: cidr: '2001:cafe:42:1::/64' is IPv6 but endpoint 192.168.50.2 is IPv4\n",
		    PEER("192.168.50.2", "10.42.1.0/24,2001:cafe:42:1::/64"));
	CHECK_FAILS("nodeplanectl: overlay peer set: cidr: '10.42.1.0/24' is IPv4 but endpoint fd00::2 is IPv6\n",
		    PEER("fd00::2", "10.42.1.0/24"));
	CHECK_FAILS("nodeplanectl: overlay peer set: np9: no such device\n",
		    "overlay", "peer", "set", "np9", "mac", MAC1, "endpoint",
		    "192.168.50.2", "cidr", "10.42.1.0/24");
}

TEST(peer_set_at_most_64_cidrs)
{
	char many[65 * 16 + 1];
	size_t o = 0;
	int i;

	for (i = 0; i < 65; i++)
		o += (size_t)snprintf(many + o, sizeof(many) - o, "%s10.%d.%d.0/24",
				      i ? "," : "", 1 + i / 200, i % 200);
	CHECK_FAILS("nodeplanectl: overlay peer set: cidr: more than 64 CIDRs\n",
		    PEER("192.168.50.2", many));
}

TEST(peer_del_errors)
{
	CHECK_FAILS("nodeplanectl: overlay peer del: missing device NAME\n"
		    TRY_OVERLAY, "overlay", "peer", "del");
	CHECK_FAILS("nodeplanectl: overlay peer del: missing 'mac MAC'\n"
		    TRY_OVERLAY, "overlay", "peer", "del", "np0");
	CHECK_FAILS("nodeplanectl: overlay peer del: unknown word 'endpoint'\n"
		    TRY_OVERLAY, "overlay", "peer", "del", "np0", "mac", MAC1,
		    "endpoint", "192.168.50.2");
	CHECK_FAILS("nodeplanectl: overlay peer del: mac: 'zz' is not a MAC address (xx:xx:xx:xx:xx:xx)\n",
		    "overlay", "peer", "del", "np0", "mac", "zz");
	CHECK_FAILS("nodeplanectl: overlay peer del: np9: no such device\n",
		    "overlay", "peer", "del", "np9", "mac", MAC1);
}

TEST(show_errors)
{
	CHECK_FAILS("nodeplanectl: overlay show: unexpected argument 'np1'\n"
		    TRY_OVERLAY, "overlay", "show", "np0", "np1");
	CHECK_FAILS("nodeplanectl: overlay show: np9: no such device\n",
		    "overlay", "show", "np9");
	CHECK_FAILS("nodeplanectl: masq show: unexpected argument 'all'\n"
		    TRY_MASQ, "masq", "show", "all");
}

TEST(masq_errors)
{
	CHECK_FAILS("nodeplanectl: masq: missing command (set or show)\n"
		    TRY_MASQ, "masq");
	CHECK_FAILS("nodeplanectl: masq: unknown command 'get'\n"
		    TRY_MASQ, "masq", "get");
	CHECK_FAILS("nodeplanectl: masq set: missing 'cluster-cidr CIDR[,CIDR]'\n"
		    TRY_MASQ, "masq", "set");
	CHECK_FAILS("nodeplanectl: masq set: missing 'cluster-cidr CIDR[,CIDR]'\n"
		    TRY_MASQ, "masq", "set", "ipv6", "on");
	CHECK_FAILS("nodeplanectl: masq set: 'ipv6' needs a value\n"
		    TRY_MASQ, "masq", "set", "cluster-cidr", "10.42.0.0/16", "ipv6");
	CHECK_FAILS("nodeplanectl: masq set: unknown word 'cidr'\n"
		    TRY_MASQ, "masq", "set", "cidr", "10.42.0.0/16");
	CHECK_FAILS("nodeplanectl: masq set: ipv6: 'true' is not on or off\n",
		    "masq", "set", "cluster-cidr", "10.42.0.0/16", "ipv6", "true");
	CHECK_FAILS("nodeplanectl: masq set: cluster-cidr: '10.42.0.0/16/2' is not a CIDR (ADDR/PREFIXLEN)\n",
		    "masq", "set", "cluster-cidr", "10.42.0.0/16/2");
	CHECK_FAILS("nodeplanectl: masq set: cluster-cidr: two IPv4 CIDRs "
		    "('10.42.0.0/16' and '10.43.0.0/16'); give at most one of each family\n",
		    "masq", "set", "cluster-cidr", "10.42.0.0/16,10.43.0.0/16");
	CHECK_FAILS("nodeplanectl: masq set: cluster-cidr: '10.42.0.0/16,fd00::/56,10.43.0.0/16': "
		    "at most one IPv4 and one IPv6 CIDR\n",
		    "masq", "set", "cluster-cidr", "10.42.0.0/16,fd00::/56,10.43.0.0/16");
	/* The show form: "masq cluster-cidr ..." is "masq set cluster-cidr ...". */
	CHECK_FAILS("nodeplanectl: masq set: ipv6: 'maybe' is not on or off\n",
		    "masq", "cluster-cidr", "none", "ipv6", "maybe");
}

TEST(raw_peer_errors)
{
	CHECK_FAILS("nodeplanectl: raw-peer: missing variant (missing-endpoint, bad-mac or wrong-family)\n",
		    "raw-peer");
	CHECK_FAILS("nodeplanectl: raw-peer: unknown variant 'bogus'\n",
		    "raw-peer", "bogus", "np0");
	CHECK_FAILS("nodeplanectl: raw-peer: missing device NAME\n",
		    "raw-peer", "bad-mac");
	CHECK_FAILS("nodeplanectl: raw-peer: np9: no such device\n",
		    "raw-peer", "wrong-family", "np9");
	CHECK_FAILS("nodeplanectl: raw-peer: unexpected argument 'np1'\n"
		    "Try 'nodeplanectl raw-peer --help' for more information.\n",
		    "raw-peer", "bad-mac", "np0", "np1");
}

TEST(help_texts)
{
	struct ctlres r = ctl_run("--help", NULL);

	CHECK_INT(r.status, 0);
	CHECK_CONTAINS(r.out, "\n  overlay        configure overlay devices");
	CHECK_CONTAINS(r.out, "\n  masq           configure masquerade");
	CHECK_CONTAINS(r.out, "\n  peer           same as 'overlay peer set'");
	CHECK(!strstr(r.out, "raw-peer"));
	ctlres_free(&r);

	r = ctl_run("overlay", "--help", NULL);
	CHECK_INT(r.status, 0);
	CHECK_STR(r.err, "");
	CHECK(!strncmp(r.out, "Usage: nodeplanectl overlay set|peer set|peer del|show [ARGS]\n\n"
		       "configure overlay devices and their peers, or show them\n\n"
		       "Commands:\n", 120));
	CHECK_CONTAINS(r.out, "  overlay NAME vni N port P [local ADDR[,ADDR]] [mac MAC] [mac6 MAC]\n"
		       "          gbp on|off source-check on|off\n"
		       "  peer NAME mac MAC endpoint ADDR cidr CIDR[,CIDR...]\n"
		       "  stats NAME tx_packets N tx_bytes N rx_packets N rx_bytes N\n");
	ctlres_free(&r);

	r = ctl_run("masq", "-h", NULL);
	CHECK_INT(r.status, 0);
	CHECK_CONTAINS(r.out, "  masq cluster-cidr CIDR[,CIDR]|none ipv6 on|off\n");
	ctlres_free(&r);

	r = ctl_run("raw-peer", "--help", NULL);
	CHECK_STR(r.out, "Usage: nodeplanectl raw-peer missing-endpoint|bad-mac|wrong-family NAME\n\n"
		  "send a malformed PEER_NEW request (for tests)\n");
	ctlres_free(&r);
}

/* The parsers on good arguments. */

static int parse_set(struct cap *c, char *line, struct np_overlay_cfg *cfg)
{
	char *argv[32];
	int argc = split_words(line, ' ', argv, 32), r;

	cap_open(c, true);
	r = np_ctl_overlay_set_parse(&c->ctl, argc, argv, cfg);
	cap_close(c);
	return r;
}

TEST(overlay_set_parsed)
{
	char line[] = "np0 vni 16777215 port 8472 local fd00::1,192.168.50.1 "
		      "mac 02:AA:bb:CC:dd:EE mac6 02:00:00:00:00:06 gbp on "
		      "source-check on";
	static const uint8_t l4[4] = { 192, 168, 50, 1 };
	static const uint8_t mac[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };
	struct np_overlay_cfg cfg;
	struct cap c;
	char m[NP_CTL_MAC_STRLEN];
	int r = parse_set(&c, line, &cfg);

	CHECK_STR(c.err, "");
	cap_free(&c);
	CHECK_INT(r, 0);
	CHECK_INT(cfg.ifindex, 5);
	CHECK_INT(cfg.has, NP_OVERLAY_HAS_VNI | NP_OVERLAY_HAS_PORT |
		  NP_OVERLAY_HAS_LOCAL4 | NP_OVERLAY_HAS_LOCAL6 |
		  NP_OVERLAY_HAS_MAC | NP_OVERLAY_HAS_MAC6 | NP_OVERLAY_HAS_FLAGS);
	CHECK_INT(cfg.vni, 0xffffff);
	CHECK_INT(cfg.port, 8472);
	CHECK_INT(cfg.local4.family, AF_INET);
	CHECK(!memcmp(cfg.local4.a, l4, 4));
	CHECK_INT(cfg.local6.family, AF_INET6);
	CHECK_INT(cfg.local6.a[0], 0xfd);
	CHECK_INT(cfg.local6.a[15], 1);
	CHECK(!memcmp(cfg.mac, mac, 6));
	CHECK_STR(np_mac_str(cfg.mac, m), "02:aa:bb:cc:dd:ee");
	CHECK_INT(cfg.flags, NP_OVERLAY_F_GBP | NP_OVERLAY_F_RX_SRC_CHECK);
	CHECK_INT(cfg.flags_given, NP_OVERLAY_F_GBP | NP_OVERLAY_F_RX_SRC_CHECK);
}

TEST(overlay_set_only_what_is_given)
{
	char l1[] = "np1 gbp off";
	char l2[] = "np0 local none";
	char l3[] = "np0 local fd00::1 vni 0";
	char l4[] = "np0 source-check on";
	char l5[] = "np0 source-check off gbp on";
	struct np_overlay_cfg cfg;
	struct cap c;

	CHECK_INT(parse_set(&c, l1, &cfg), 0);
	cap_free(&c);
	CHECK_INT(cfg.ifindex, 6);
	CHECK_INT(cfg.has, NP_OVERLAY_HAS_FLAGS);
	CHECK_INT(cfg.flags, 0);
	/* only gbp given: run_set keeps the device's source check */
	CHECK_INT(cfg.flags_given, NP_OVERLAY_F_GBP);
	CHECK_INT(parse_set(&c, l4, &cfg), 0);
	cap_free(&c);
	CHECK_INT(cfg.has, NP_OVERLAY_HAS_FLAGS);
	CHECK_INT(cfg.flags, NP_OVERLAY_F_RX_SRC_CHECK);
	CHECK_INT(cfg.flags_given, NP_OVERLAY_F_RX_SRC_CHECK);
	CHECK_INT(parse_set(&c, l5, &cfg), 0);
	cap_free(&c);
	CHECK_INT(cfg.flags, NP_OVERLAY_F_GBP);
	CHECK_INT(cfg.flags_given, NP_OVERLAY_F_GBP | NP_OVERLAY_F_RX_SRC_CHECK);
	CHECK_INT(parse_set(&c, l2, &cfg), 0);
	cap_free(&c);
	CHECK_INT(cfg.has, NP_OVERLAY_HAS_LOCAL4 | NP_OVERLAY_HAS_LOCAL6);
	CHECK_INT(cfg.local4.family, 0);
	CHECK_INT(cfg.local6.family, 0);
	CHECK_INT(parse_set(&c, l3, &cfg), 0);
	cap_free(&c);
	CHECK_INT(cfg.has, NP_OVERLAY_HAS_LOCAL6 | NP_OVERLAY_HAS_VNI);
	CHECK_INT(cfg.vni, 0);
	CHECK_INT(parse_set(&c, l1, &cfg), 0);
	cap_free(&c);
}

TEST(peer_set_parsed_host_bits_kept)
{
	char line[] = "np0 cidr 10.42.1.1/24,10.43.0.0/16 endpoint 192.168.50.2 mac 02:00:00:00:00:0A";
	char *argv[16];
	int argc = split_words(line, ' ', argv, 16);
	struct np_peer p;
	struct cap c;
	int r;

	cap_open(&c, true);
	r = np_ctl_peer_set_parse(&c.ctl, argc, argv, &p);
	cap_close(&c);
	CHECK_STR(c.err, "");
	cap_free(&c);
	CHECK_INT(r, 0);
	CHECK_INT(p.ifindex, 5);
	CHECK_INT(p.mac[5], 0x0a);
	CHECK_INT(p.endpoint.family, AF_INET);
	CHECK_INT(p.n_cidrs, 2);
	/* Host bits go to the module, whose extack explains the refusal. */
	CHECK_INT(p.cidrs[0].addr.a[3], 1);
	CHECK_INT(p.cidrs[0].prefixlen, 24);
	CHECK_INT(p.cidrs[1].addr.a[1], 43);
	CHECK_INT(p.cidrs[1].prefixlen, 16);
}

TEST(masq_set_parsed)
{
	char line[] = "cluster-cidr 2001:cafe:42::/56,10.42.0.0/16 ipv6 on";
	char none[] = "cluster-cidr none";
	char *argv[16];
	int argc = split_words(line, ' ', argv, 16);
	struct np_masq m;
	struct cap c;
	int r;

	cap_open(&c, true);
	r = np_ctl_masq_set_parse(&c.ctl, argc, argv, &m);
	cap_close(&c);
	cap_free(&c);
	CHECK_INT(r, 0);
	CHECK_INT(m.n_cidrs, 2);
	CHECK_INT(m.cidrs[0].addr.family, AF_INET6);
	CHECK_INT(m.cidrs[0].prefixlen, 56);
	CHECK_INT(m.cidrs[1].addr.family, AF_INET);
	CHECK_INT(m.flags, NP_MASQ_F_IPV6);

	argc = split_words(none, ' ', argv, 16);
	cap_open(&c, true);
	r = np_ctl_masq_set_parse(&c.ctl, argc, argv, &m);
	cap_close(&c);
	cap_free(&c);
	CHECK_INT(r, 0);
	CHECK_INT(m.n_cidrs, 0);
	CHECK_INT(m.flags, 0);
}

TEST(value_parsers)
{
	struct np_cidr cidr;
	struct np_addr a;
	uint8_t mac[6];
	char b[NP_CTL_CIDR_STRLEN];

	CHECK_INT(np_mac_parse("FF:ff:00:11:22:33", mac), 0);
	CHECK_STR(np_mac_str(mac, b), "ff:ff:00:11:22:33");
	CHECK(!np_mac_unicast(mac));
	CHECK_INT(np_mac_parse("ff:ff:00:11:22:33:", mac), -1);
	CHECK_INT(np_mac_parse("ff:ff:00:11:22;33", mac), -1);
	CHECK_INT(np_addr_parse("::ffff:1.2.3.4", &a), 0);
	CHECK_INT(a.family, AF_INET6);
	CHECK_INT(np_addr_parse(" 1.2.3.4", &a), -1);
	CHECK_INT(np_cidr_parse("0.0.0.0/0", &cidr), 0);
	CHECK_STR(np_cidr_str(&cidr, b, sizeof(b)), "0.0.0.0/0");
	CHECK_INT(np_cidr_parse("2001:CAFE:42:0::/56", &cidr), 0);
	CHECK_STR(np_cidr_str(&cidr, b, sizeof(b)), "2001:cafe:42::/56");
	CHECK_INT(np_cidr_parse("::/128", &cidr), 0);
	CHECK_INT(np_cidr_parse("1.2.3.4/32 ", &cidr), -1);
	CHECK_INT(np_cidr_parse("1.2.3.4/00", &cidr), -1);
}

int main(void)
{
	RUN(overlay_needs_a_command);
	RUN(overlay_set_usage_errors);
	RUN(overlay_set_bad_numbers);
	RUN(overlay_set_bad_local);
	RUN(overlay_set_bad_mac);
	RUN(overlay_set_no_such_device);
	RUN(peer_set_missing_words);
	RUN(peer_set_bad_values);
	RUN(peer_set_at_most_64_cidrs);
	RUN(peer_del_errors);
	RUN(show_errors);
	RUN(masq_errors);
	RUN(raw_peer_errors);
	RUN(help_texts);
	RUN(overlay_set_parsed);
	RUN(overlay_set_only_what_is_given);
	RUN(peer_set_parsed_host_bits_kept);
	RUN(masq_set_parsed);
	RUN(value_parsers);
	return check_summary();
}
