// SPDX-License-Identifier: GPL-2.0-only
/*
 * `overlay show`, `masq show` and `info` output for given structs, exact,
 * script and pretty; and the round trip: each script line, split at tabs
 * and parsed as the arguments it claims to be, builds the same request as
 * the struct it was printed from.
 */
#include <stdlib.h>
#include <sys/socket.h>

#include <linux/nodeplane.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "check.h"
#include "ctlrun.h"

static struct np_addr a4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct np_addr x = { .family = AF_INET, .a = { a, b, c, d } };

	return x;
}

static struct np_addr a6(uint8_t first, uint8_t last)
{
	struct np_addr x = { .family = AF_INET6, .a = { first, [15] = last } };

	return x;
}

static struct np_cidr c4(uint8_t a, uint8_t b, uint8_t c, uint8_t plen)
{
	struct np_cidr x = { a4(a, b, c, 0), plen };

	return x;
}

/* Two devices, given out of order, with peers out of order. */
static void fixture(struct np_overlay_cfg devs[2], struct np_peer_list pl[2])
{
	static struct np_peer p0[2], p1[1];
	unsigned int i;

	memset(devs, 0, 2 * sizeof(*devs));
	memset(p0, 0, sizeof(p0));
	memset(p1, 0, sizeof(p1));

	devs[0].ifindex = 6;
	strcpy(devs[0].ifname, "np1");
	devs[0].has = NP_OVERLAY_HAS_VNI | NP_OVERLAY_HAS_PORT |
		      NP_OVERLAY_HAS_FLAGS;
	devs[0].vni = 2;
	devs[0].port = 4789;
	devs[0].flags = NP_OVERLAY_F_GBP;

	devs[1].ifindex = 5;
	strcpy(devs[1].ifname, "np0");
	devs[1].has = NP_OVERLAY_HAS_VNI | NP_OVERLAY_HAS_PORT |
		      NP_OVERLAY_HAS_FLAGS | NP_OVERLAY_HAS_LOCAL4 |
		      NP_OVERLAY_HAS_LOCAL6 | NP_OVERLAY_HAS_MAC |
		      NP_OVERLAY_HAS_MAC6 | NP_OVERLAY_HAS_PEERS |
		      NP_OVERLAY_HAS_STATS;
	devs[1].vni = 1;
	devs[1].port = 8472;
	devs[1].flags = NP_OVERLAY_F_RX_SRC_CHECK;
	devs[1].local4 = a4(192, 168, 50, 1);
	devs[1].local6 = a6(0xfd, 1);
	memcpy(devs[1].mac, "\x02\x00\x00\x00\x00\x01", 6);
	memcpy(devs[1].mac6, "\x02\x00\x00\x00\x00\x11", 6);
	devs[1].peers = 2;
	devs[1].stats_have = (1U << NP_OSTAT_N) - 1;
	for (i = 0; i < NP_OSTAT_N; i++)
		devs[1].stats[i] = i + 1;
	devs[1].stats[1] = 18446744073709551615ULL;

	p0[0].ifindex = 5;
	memcpy(p0[0].mac, "\x02\x00\x00\x00\x00\x03", 6);
	p0[0].endpoint = a4(192, 168, 50, 3);
	p0[0].n_cidrs = 1;
	p0[0].cidrs[0] = c4(10, 42, 2, 24);
	p0[1].ifindex = 5;
	memcpy(p0[1].mac, "\x02\x00\x00\x00\x00\x02", 6);
	p0[1].endpoint = a4(192, 168, 50, 2);
	p0[1].n_cidrs = 2;
	p0[1].cidrs[0] = c4(10, 42, 9, 24);
	p0[1].cidrs[1] = c4(10, 42, 1, 24);
	p1[0].ifindex = 6;
	memcpy(p1[0].mac, "\x02\x00\x00\x00\x00\x0a", 6);
	p1[0].endpoint = a6(0xfd, 2);
	p1[0].n_cidrs = 1;
	p1[0].cidrs[0].addr = a6(0x20, 0);
	memcpy(p1[0].cidrs[0].addr.a, "\x20\x01\xca\xfe\x00\x42\x00\x01", 8);
	p1[0].cidrs[0].prefixlen = 64;

	pl[0].v = p1;
	pl[0].n = 1;
	pl[1].v = p0;
	pl[1].n = 2;
}

static char *print_overlay(const struct np_overlay_cfg *devs,
			   const struct np_peer_list *pl, size_t n, bool script)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	np_ctl_overlay_print(f, devs, pl, n, script);
	fclose(f);
	return buf;
}

static const char script_want[] =
	"overlay\tnp0\tvni\t1\tport\t8472\tlocal\t192.168.50.1,fd00::1\t"
	"mac\t02:00:00:00:00:01\tmac6\t02:00:00:00:00:11\tgbp\toff\t"
	"source-check\ton\n"
	"peer\tnp0\tmac\t02:00:00:00:00:02\tendpoint\t192.168.50.2\t"
	"cidr\t10.42.9.0/24,10.42.1.0/24\n"
	"peer\tnp0\tmac\t02:00:00:00:00:03\tendpoint\t192.168.50.3\t"
	"cidr\t10.42.2.0/24\n"
	"stats\tnp0\ttx_packets\t1\ttx_bytes\t18446744073709551615\t"
	"rx_packets\t3\trx_bytes\t4\ttx_no_peer\t5\ttx_no_route\t6\t"
	"tx_too_big\t7\trx_bad_header\t8\trx_bad_vni\t9\trx_bad_mac\t10\t"
	"rx_loop\t11\trx_bad_csum\t12\trx_bad_inner\t13\trx_bad_src\t14\n"
	"overlay\tnp1\tvni\t2\tport\t4789\tgbp\ton\tsource-check\toff\n"
	"peer\tnp1\tmac\t02:00:00:00:00:0a\tendpoint\tfd00::2\t"
	"cidr\t2001:cafe:42:1::/64\n";

TEST(overlay_show_script)
{
	struct np_overlay_cfg devs[2];
	struct np_peer_list pl[2];
	char *s;

	fixture(devs, pl);
	s = print_overlay(devs, pl, 2, true);
	CHECK_STR(s, script_want);
	free(s);
}

TEST(overlay_show_pretty)
{
	struct np_overlay_cfg devs[2];
	struct np_peer_list pl[2];
	char *s;

	fixture(devs, pl);
	s = print_overlay(devs, pl, 2, false);
	CHECK_STR(s,
		  "np0 (ifindex 5)\n"
		  "  vni          1\n"
		  "  port         8472\n"
		  "  local        192.168.50.1, fd00::1\n"
		  "  mac          02:00:00:00:00:01\n"
		  "  mac6         02:00:00:00:00:11\n"
		  "  gbp          off\n"
		  "  source-check on\n"
		  "  tx           1 packets, 18446744073709551615 bytes\n"
		  "  rx           3 packets, 4 bytes\n"
		  "  tx drops     no_peer 5, no_route 6, too_big 7\n"
		  "  rx drops     bad_header 8, bad_vni 9, bad_mac 10, loop 11, "
		  "bad_csum 12, bad_inner 13, bad_src 14\n"
		  "  peers        2\n"
		  "\n"
		  "  MAC                ENDPOINT      CIDRS\n"
		  "  02:00:00:00:00:02  192.168.50.2  10.42.9.0/24, 10.42.1.0/24\n"
		  "  02:00:00:00:00:03  192.168.50.3  10.42.2.0/24\n"
		  "\n"
		  "np1 (ifindex 6)\n"
		  "  vni          2\n"
		  "  port         4789\n"
		  "  local        -\n"
		  "  mac          -\n"
		  "  mac6         -\n"
		  "  gbp          on\n"
		  "  source-check off\n"
		  "  peers        1\n"
		  "\n"
		  "  MAC                ENDPOINT  CIDRS\n"
		  "  02:00:00:00:00:0a  fd00::2   2001:cafe:42:1::/64\n");
	free(s);
}

TEST(overlay_show_partial_and_empty)
{
	struct np_overlay_cfg devs[2];
	struct np_peer_list pl[2], none = { NULL, 0 };
	char *s;

	fixture(devs, pl);
	/* Only an IPv6 local; two counters; no peers. */
	devs[1].has &= ~NP_OVERLAY_HAS_LOCAL4;
	devs[1].has &= ~(NP_OVERLAY_HAS_MAC | NP_OVERLAY_HAS_MAC6);
	devs[1].stats_have = 1U << 0 | 1U << (NP_OSTAT_A_RX_LOOP - NP_OSTAT_FIRST);
	s = print_overlay(&devs[1], &none, 1, true);
	CHECK_STR(s, "overlay\tnp0\tvni\t1\tport\t8472\tlocal\tfd00::1\tgbp\toff\t"
		     "source-check\ton\n"
		     "stats\tnp0\ttx_packets\t1\trx_loop\t11\n");
	free(s);
	s = print_overlay(&devs[1], &none, 1, false);
	CHECK_STR(s, "np0 (ifindex 5)\n"
		     "  vni          1\n"
		     "  port         8472\n"
		     "  local        fd00::1\n"
		     "  mac          -\n"
		     "  mac6         -\n"
		     "  gbp          off\n"
		     "  source-check on\n"
		     "  tx           1 packets\n"
		     "  rx drops     loop 11\n"
		     "  peers        0\n");
	free(s);
	s = print_overlay(NULL, NULL, 0, true);
	CHECK_STR(s, "");
	free(s);
	s = print_overlay(NULL, NULL, 0, false);
	CHECK_STR(s, "no overlay devices\n");
	free(s);
}

static char *print_masq(const struct np_masq *m, bool script)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	np_ctl_masq_print(f, m, script);
	fclose(f);
	return buf;
}

static struct np_masq masq_fixture(void)
{
	struct np_masq m = { .n_cidrs = 2, .flags = NP_MASQ_F_IPV6 };

	m.cidrs[0] = c4(10, 42, 0, 16);
	m.cidrs[1].addr = a6(0x20, 0);
	memcpy(m.cidrs[1].addr.a, "\x20\x01\xca\xfe\x00\x42", 6);
	m.cidrs[1].prefixlen = 56;
	return m;
}

TEST(masq_show)
{
	struct np_masq m = masq_fixture();
	char *s;

	s = print_masq(&m, true);
	CHECK_STR(s, "masq\tcluster-cidr\t10.42.0.0/16,2001:cafe:42::/56\tipv6\ton\n");
	free(s);
	s = print_masq(&m, false);
	CHECK_STR(s, "cluster cidrs    10.42.0.0/16, 2001:cafe:42::/56\n"
		     "ipv6 masquerade  on\n");
	free(s);
	m.n_cidrs = 0;
	m.flags = 0;
	s = print_masq(&m, true);
	CHECK_STR(s, "masq\tcluster-cidr\tnone\tipv6\toff\n");
	free(s);
	s = print_masq(&m, false);
	CHECK_STR(s, "cluster cidrs    none\n"
		     "ipv6 masquerade  off\n");
	free(s);
}

TEST(info_counts_printed_when_present)
{
	struct np_info info = {
		.abi = 1, .version = "0.2.0", .features = NP_FEATURE_F_OVERLAY,
		.have_counts = 1, .requests = 4,
		.have = NP_INFO_HAVE_OVERLAY_DEVICES |
			NP_INFO_HAVE_OVERLAY_PEERS | NP_INFO_HAVE_MASQ_CIDRS,
		.overlay_devices = 1, .overlay_peers = 12, .masq_cidrs = 2,
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	np_ctl_info_print(f, &info, true);
	fclose(f);
	CHECK_STR(buf, "version\t0.2.0\nabi\t1\nfeatures\toverlay\nrequests\t4\n"
		       "overlay_devices\t1\noverlay_peers\t12\nmasq_cidrs\t2\n");
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	info.have = NP_INFO_HAVE_MASQ_CIDRS;
	np_ctl_info_print(f, &info, false);
	fclose(f);
	CHECK_STR(buf, "module version   0.2.0\n"
		       "abi version      1\n"
		       "features         overlay (disabled: servicelb, network-policy, hostport)\n"
		       "requests         4\n"
		       "masq cidrs       2\n");
	free(buf);
}

/* The round trip. */

struct req {
	unsigned char b[4096];
	size_t len;
};

static struct nl_msg *new_msg(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, 0x20, 0, 0,
				 cmd, 1))
		abort();
	return msg;
}

static void take(struct nl_msg *msg, struct req *r)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	r->len = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	if (r->len > sizeof(r->b))
		abort();
	memcpy(r->b, (unsigned char *)nlh + NLMSG_HDRLEN + GENL_HDRLEN, r->len);
	nlmsg_free(msg);
}

static void overlay_req(const struct np_overlay_cfg *c, struct req *r)
{
	struct nl_msg *msg = new_msg(NP_CMD_OVERLAY_SET);

	if (np_nl_overlay_set_build(msg, c))
		abort();
	take(msg, r);
}

static void peer_req(const struct np_peer *p, struct req *r)
{
	struct nl_msg *msg = new_msg(NP_CMD_PEER_NEW);

	if (np_nl_peer_new_build(msg, p))
		abort();
	take(msg, r);
}

static void masq_req(const struct np_masq *m, struct req *r)
{
	struct nl_msg *msg = new_msg(NP_CMD_MASQ_SET);

	if (np_nl_masq_set_build(msg, m))
		abort();
	take(msg, r);
}

static bool same(const struct req *a, const struct req *b)
{
	return a->len == b->len && !memcmp(a->b, b->b, a->len);
}

/* The device or peer of the fixture a line names. */
static const struct np_overlay_cfg *dev_named(const struct np_overlay_cfg *d,
					      const char *name)
{
	return !strcmp(d[0].ifname, name) ? &d[0] : &d[1];
}

static const struct np_peer *peer_with(const struct np_peer_list *pl,
				       const uint8_t *mac)
{
	size_t i, k;

	for (i = 0; i < 2; i++)
		for (k = 0; k < pl[i].n; k++)
			if (!memcmp(pl[i].v[k].mac, mac, 6))
				return &pl[i].v[k];
	return NULL;
}

TEST(show_script_feeds_back)
{
	struct np_overlay_cfg devs[2], cfg;
	struct np_peer_list pl[2];
	struct np_peer peer;
	struct req got, want;
	char *s = NULL, *line, *save = NULL, *argv[64];
	int overlays = 0, peers = 0, stats = 0, argc, r;
	struct cap c;

	fixture(devs, pl);
	s = print_overlay(devs, pl, 2, true);
	for (line = strtok_r(s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		argc = split_words(line, '\t', argv, 64);
		cap_open(&c, true);
		if (!strcmp(argv[0], "overlay")) {
			/* "nodeplanectl overlay NAME ..." = "overlay set NAME ..." */
			r = np_ctl_overlay_set_parse(&c.ctl, argc - 1, argv + 1,
						     &cfg);
			if (!r) {
				overlay_req(&cfg, &got);
				overlay_req(dev_named(devs, argv[1]), &want);
			}
			overlays++;
		} else if (!strcmp(argv[0], "peer")) {
			/* "nodeplanectl peer NAME ..." = "overlay peer set NAME ..." */
			r = np_ctl_peer_set_parse(&c.ctl, argc - 1, argv + 1,
						  &peer);
			if (!r) {
				peer_req(&peer, &got);
				peer_req(peer_with(pl, peer.mac), &want);
			}
			peers++;
		} else {
			r = 0;
			got.len = want.len = 0;
			stats += !strcmp(argv[0], "stats");
		}
		cap_close(&c);
		if (r || !same(&got, &want)) {
			char e[512];

			snprintf(e, sizeof(e), "%s", c.err);
			cap_free(&c);
			free(s);
			CHECK_FAIL("line '%s' ... did not feed back (%s)", argv[0], e);
		}
		cap_free(&c);
	}
	free(s);
	CHECK_INT(overlays, 2);
	CHECK_INT(peers, 3);
	CHECK_INT(stats, 1);
}

TEST(masq_script_feeds_back)
{
	struct np_masq m = masq_fixture(), back;
	struct req got, want;
	char *s, *argv[16];
	int argc, r, i;
	struct cap c;

	for (i = 0; i < 2; i++) {
		if (i) {
			m.n_cidrs = 0;
			m.flags = 0;
		}
		s = print_masq(&m, true);
		s[strlen(s) - 1] = '\0';
		argc = split_words(s, '\t', argv, 16);
		CHECK_STR(argv[0], "masq");
		cap_open(&c, true);
		/* "nodeplanectl masq cluster-cidr ..." = "masq set cluster-cidr ..." */
		r = np_ctl_masq_set_parse(&c.ctl, argc - 1, argv + 1, &back);
		cap_close(&c);
		cap_free(&c);
		free(s);
		CHECK_INT(r, 0);
		masq_req(&back, &got);
		masq_req(&m, &want);
		CHECK(same(&got, &want));
	}
}

int main(void)
{
	RUN(overlay_show_script);
	RUN(overlay_show_pretty);
	RUN(overlay_show_partial_and_empty);
	RUN(masq_show);
	RUN(info_counts_printed_when_present);
	RUN(show_script_feeds_back);
	RUN(masq_script_feeds_back);
	return check_summary();
}
