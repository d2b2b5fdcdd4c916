// SPDX-License-Identifier: GPL-2.0-only
/*
 * nodeplanectl overlay: configure nodeplane overlay devices and their peers
 * (NP_CMD_OVERLAY_SET, NP_CMD_PEER_NEW, NP_CMD_PEER_DEL) and show them
 * (NP_CMD_OVERLAY_GET, NP_CMD_PEER_GET). Also the top-level "peer" command,
 * the form in which `overlay show` prints peers.
 *
 * Script output of `overlay show` (stable; fields are never renamed or
 * reordered, new ones are appended), tab-separated, devices by name:
 *   overlay NAME vni N port P [local ADDR[,ADDR]] [mac MAC] [mac6 MAC] gbp on|off
 *           source-check on|off
 *   peer NAME mac MAC endpoint ADDR cidr CIDR[,CIDR...]      (by MAC)
 *   stats NAME tx_packets N tx_bytes N ... rx_bad_inner N rx_bad_src N
 * The overlay and peer lines are nodeplanectl arguments: `nodeplanectl
 * overlay NAME ...` is `overlay set NAME ...` and `nodeplanectl peer NAME
 * ...` is `overlay peer set NAME ...`. Stats lines are read only.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/nodeplane.h>

#include "ctl/ctl.h"

#define CMD "overlay"
#define MAX_WORDS 64
#define KEY_WIDTH 12
/* The NP_OVERLAY_F_* that "overlay set" has words for. */
#define FLAG_WORDS (NP_OVERLAY_F_GBP | NP_OVERLAY_F_RX_SRC_CHECK)

static const char help[] =
	"Commands:\n"
	"  set NAME [vni N] [port P] [local ADDR[,ADDR]|none] [mac MAC]\n"
	"      [mac6 MAC] [gbp on|off] [source-check on|off]\n"
	"      Configure device NAME (link kind \"nodeplane\"). A word left out\n"
	"      keeps its current value. vni: 0..16777215; port: UDP port\n"
	"      1..65535; local: underlay source address, at most one IPv4 and\n"
	"      one IPv6 (a family not given keeps its address, \"none\" clears\n"
	"      both); mac, mac6: unicast VTEP MAC for IPv4 and for IPv6,\n"
	"      xx:xx:xx:xx:xx:xx; gbp: VXLAN group policy extension;\n"
	"      source-check: drop a received packet unless its inner source\n"
	"      is in the pod CIDRs of the peer whose endpoint sent it\n"
	"      (counted in rx_bad_src).\n"
	"  peer set NAME mac MAC endpoint ADDR cidr CIDR[,CIDR...]\n"
	"      Create, or replace, the peer with VTEP MAC on device NAME: its\n"
	"      underlay address and the pod CIDRs behind it, all of the\n"
	"      endpoint's family. All three words are required.\n"
	"  peer del NAME mac MAC\n"
	"      Delete the peer with VTEP MAC from device NAME.\n"
	"  show [NAME]\n"
	"      Show device NAME, or every nodeplane device, with its peers and\n"
	"      counters.\n"
	"\n"
	"Script output of show (-s, or standard output not a terminal): one\n"
	"line per item, fields separated by tabs, devices sorted by name:\n"
	"  overlay NAME vni N port P [local ADDR[,ADDR]] [mac MAC] [mac6 MAC]\n"
	"          gbp on|off source-check on|off\n"
	"  peer NAME mac MAC endpoint ADDR cidr CIDR[,CIDR...]\n"
	"  stats NAME tx_packets N tx_bytes N rx_packets N rx_bytes N\n"
	"          tx_no_peer N tx_no_route N tx_too_big N rx_bad_header N\n"
	"          rx_bad_vni N rx_bad_mac N rx_loop N rx_bad_csum N\n"
	"          rx_bad_inner N rx_bad_src N\n"
	"Each device's overlay line comes first, then its peers sorted by MAC\n"
	"(CIDRs in the module's order), then its stats line. Absent values are\n"
	"left out (local, mac, mac6; stats when the module sends none). The\n"
	"overlay and peer lines are arguments of this program:\n"
	"\"nodeplanectl overlay NAME ...\" is \"overlay set NAME ...\" (for\n"
	"NAME other than set, peer and show) and \"nodeplanectl peer NAME ...\"\n"
	"is \"overlay peer set NAME ...\". Stats lines are read only.\n";

/* "local ADDR[,ADDR]|none" into cfg. */
static int parse_local(struct np_ctl *ctl, const char *what, const char *val,
		       struct np_overlay_cfg *cfg)
{
	char tok[2][NP_CTL_CIDR_STRLEN];
	struct np_addr a[2];
	int n, i;

	if (!strcmp(val, "none")) {
		memset(&cfg->local4, 0, sizeof(cfg->local4));
		memset(&cfg->local6, 0, sizeof(cfg->local6));
		cfg->has |= NP_OVERLAY_HAS_LOCAL4 | NP_OVERLAY_HAS_LOCAL6;
		return 0;
	}
	n = np_ctl_split(val, tok, 2);
	if (n == -2) {
		np_ctl_errorf(ctl, what,
			      "local: '%s' is not an IPv4 or IPv6 address", val);
		return -1;
	}
	if (n < 0) {
		np_ctl_errorf(ctl, what,
			      "local: '%s': at most one IPv4 and one IPv6 address",
			      val);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (np_addr_parse(tok[i], &a[i]) < 0) {
			np_ctl_errorf(ctl, what,
				      "local: '%s' is not an IPv4 or IPv6 address",
				      tok[i]);
			return -1;
		}
	}
	if (n == 2 && a[0].family == a[1].family) {
		np_ctl_errorf(ctl, what,
			      "local: two %s addresses ('%s' and '%s'); give at most one of each family",
			      a[0].family == AF_INET ? "IPv4" : "IPv6",
			      tok[0], tok[1]);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (a[i].family == AF_INET) {
			cfg->local4 = a[i];
			cfg->has |= NP_OVERLAY_HAS_LOCAL4;
		} else {
			cfg->local6 = a[i];
			cfg->has |= NP_OVERLAY_HAS_LOCAL6;
		}
	}
	return 0;
}

static int parse_mac(struct np_ctl *ctl, const char *what, const char *key,
		     const char *val, uint8_t mac[NP_MAC_LEN])
{
	if (np_mac_parse(val, mac) < 0) {
		np_ctl_errorf(ctl, what,
			      "%s: '%s' is not a MAC address (xx:xx:xx:xx:xx:xx)",
			      key, val);
		return -1;
	}
	if (!np_mac_unicast(mac)) {
		np_ctl_errorf(ctl, what, "%s: '%s' is not a unicast MAC address",
			      key, val);
		return -1;
	}
	return 0;
}

/*
 * "KEY on|off" for one NP_OVERLAY_F_* bit: into cfg->flags, and the bit
 * into cfg->flags_given (run_set keeps the device's other bits).
 */
static int parse_flag(struct np_ctl *ctl, const char *what, const char *key,
		      const char *val, uint32_t bit, struct np_overlay_cfg *cfg)
{
	bool on;

	if (!val)
		return 0;
	if (np_ctl_onoff_parse(val, &on) < 0) {
		np_ctl_errorf(ctl, what, "%s: '%s' is not on or off", key, val);
		return -1;
	}
	if (on)
		cfg->flags |= bit;
	cfg->flags_given |= bit;
	cfg->has |= NP_OVERLAY_HAS_FLAGS;
	return 0;
}

static int need_name(struct np_ctl *ctl, const char *what, int argc)
{
	if (argc < 1) {
		np_ctl_usage_errorf(ctl, CMD, what, "missing device NAME");
		return -1;
	}
	return 0;
}

int np_ctl_overlay_set_parse(struct np_ctl *ctl, int argc, char **argv,
			     struct np_overlay_cfg *cfg)
{
	static const char what[] = "overlay set";
	enum { VNI, PORT, LOCAL, MAC, MAC6, GBP, SRC_CHECK };
	struct np_ctl_kv kv[] = {
		[VNI] = { "vni", NULL }, [PORT] = { "port", NULL },
		[LOCAL] = { "local", NULL }, [MAC] = { "mac", NULL },
		[MAC6] = { "mac6", NULL }, [GBP] = { "gbp", NULL },
		[SRC_CHECK] = { "source-check", NULL },
	};
	unsigned long v;

	memset(cfg, 0, sizeof(*cfg));
	if (need_name(ctl, what, argc) < 0 ||
	    np_ctl_kv_parse(ctl, CMD, what, argv + 1, argc - 1, kv,
			    sizeof(kv) / sizeof(kv[0])) < 0)
		return -1;
	if (kv[VNI].value) {
		if (np_ctl_uint_parse(kv[VNI].value, 0, 0xffffff, &v) < 0) {
			np_ctl_errorf(ctl, what,
				      "vni: '%s' is not a number in 0..16777215",
				      kv[VNI].value);
			return -1;
		}
		cfg->vni = (uint32_t)v;
		cfg->has |= NP_OVERLAY_HAS_VNI;
	}
	if (kv[PORT].value) {
		if (np_ctl_uint_parse(kv[PORT].value, 1, 65535, &v) < 0) {
			np_ctl_errorf(ctl, what,
				      "port: '%s' is not a number in 1..65535",
				      kv[PORT].value);
			return -1;
		}
		cfg->port = (uint16_t)v;
		cfg->has |= NP_OVERLAY_HAS_PORT;
	}
	if (kv[LOCAL].value &&
	    parse_local(ctl, what, kv[LOCAL].value, cfg) < 0)
		return -1;
	if (kv[MAC].value) {
		if (parse_mac(ctl, what, "mac", kv[MAC].value, cfg->mac) < 0)
			return -1;
		cfg->has |= NP_OVERLAY_HAS_MAC;
	}
	if (kv[MAC6].value) {
		if (parse_mac(ctl, what, "mac6", kv[MAC6].value, cfg->mac6) < 0)
			return -1;
		cfg->has |= NP_OVERLAY_HAS_MAC6;
	}
	if (parse_flag(ctl, what, "gbp", kv[GBP].value, NP_OVERLAY_F_GBP,
		       cfg) < 0 ||
	    parse_flag(ctl, what, "source-check", kv[SRC_CHECK].value,
		       NP_OVERLAY_F_RX_SRC_CHECK, cfg) < 0)
		return -1;
	/* Last: a usage error is reported even where the device is absent. */
	return np_ctl_ifindex(ctl, what, argv[0], &cfg->ifindex);
}

static int parse_cidrs(struct np_ctl *ctl, const char *what, const char *val,
		       struct np_peer *p)
{
	char tok[NP_PEER_CIDRS_MAX][NP_CTL_CIDR_STRLEN];
	char abuf[NP_CTL_ADDR_STRLEN];
	bool v4 = p->endpoint.family == AF_INET;
	int n, i;

	n = np_ctl_split(val, tok, NP_PEER_CIDRS_MAX);
	if (n == -2) {
		np_ctl_errorf(ctl, what,
			      "cidr: '%s' is not a CIDR (ADDR/PREFIXLEN)", val);
		return -1;
	}
	if (n < 0) {
		np_ctl_errorf(ctl, what, "cidr: more than %d CIDRs",
			      NP_PEER_CIDRS_MAX);
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct np_cidr *c = &p->cidrs[i];

		if (np_cidr_parse(tok[i], c) < 0) {
			np_ctl_errorf(ctl, what,
				      "cidr: '%s' is not a CIDR (ADDR/PREFIXLEN)",
				      tok[i]);
			return -1;
		}
		if (c->addr.family != p->endpoint.family) {
			np_ctl_errorf(ctl, what,
				      "cidr: '%s' is %s but endpoint %s is %s",
				      tok[i], v4 ? "IPv6" : "IPv4",
				      np_addr_str(&p->endpoint, abuf,
						      sizeof(abuf)),
				      v4 ? "IPv4" : "IPv6");
			return -1;
		}
	}
	p->n_cidrs = (unsigned int)n;
	return 0;
}

int np_ctl_peer_set_parse(struct np_ctl *ctl, int argc, char **argv,
			  struct np_peer *peer)
{
	static const char what[] = "overlay peer set";
	enum { MAC, ENDPOINT, CIDR };
	struct np_ctl_kv kv[] = {
		[MAC] = { "mac", NULL }, [ENDPOINT] = { "endpoint", NULL },
		[CIDR] = { "cidr", NULL },
	};
	static const char *const want[] = {
		[MAC] = "mac MAC", [ENDPOINT] = "endpoint ADDR",
		[CIDR] = "cidr CIDR[,CIDR...]",
	};
	size_t i;

	memset(peer, 0, sizeof(*peer));
	if (need_name(ctl, what, argc) < 0 ||
	    np_ctl_kv_parse(ctl, CMD, what, argv + 1, argc - 1, kv,
			    sizeof(kv) / sizeof(kv[0])) < 0)
		return -1;
	for (i = 0; i < sizeof(kv) / sizeof(kv[0]); i++) {
		if (!kv[i].value) {
			np_ctl_usage_errorf(ctl, CMD, what, "missing '%s'",
					    want[i]);
			return -1;
		}
	}
	if (parse_mac(ctl, what, "mac", kv[MAC].value, peer->mac) < 0)
		return -1;
	if (np_addr_parse(kv[ENDPOINT].value, &peer->endpoint) < 0) {
		np_ctl_errorf(ctl, what,
			      "endpoint: '%s' is not an IPv4 or IPv6 address",
			      kv[ENDPOINT].value);
		return -1;
	}
	if (parse_cidrs(ctl, what, kv[CIDR].value, peer) < 0)
		return -1;
	return np_ctl_ifindex(ctl, what, argv[0], &peer->ifindex);
}

int np_ctl_peer_del_parse(struct np_ctl *ctl, int argc, char **argv,
			  uint32_t *ifindex, uint8_t mac[NP_MAC_LEN])
{
	static const char what[] = "overlay peer del";
	struct np_ctl_kv kv[] = { { "mac", NULL } };

	if (need_name(ctl, what, argc) < 0 ||
	    np_ctl_kv_parse(ctl, CMD, what, argv + 1, argc - 1, kv, 1) < 0)
		return -1;
	if (!kv[0].value) {
		np_ctl_usage_errorf(ctl, CMD, what, "missing 'mac MAC'");
		return -1;
	}
	/* Any MAC: a peer the module holds is always deletable. */
	if (np_mac_parse(kv[0].value, mac) < 0) {
		np_ctl_errorf(ctl, what,
			      "mac: '%s' is not a MAC address (xx:xx:xx:xx:xx:xx)",
			      kv[0].value);
		return -1;
	}
	return np_ctl_ifindex(ctl, what, argv[0], ifindex);
}

/* Output. */

static void print_locals(FILE *out, const struct np_overlay_cfg *c,
			 const char *sep)
{
	char a[NP_CTL_ADDR_STRLEN];
	bool v4 = (c->has & NP_OVERLAY_HAS_LOCAL4) && c->local4.family;
	bool v6 = (c->has & NP_OVERLAY_HAS_LOCAL6) && c->local6.family;

	if (v4)
		fprintf(out, "%s", np_addr_str(&c->local4, a, sizeof(a)));
	if (v6)
		fprintf(out, "%s%s", v4 ? sep : "",
			np_addr_str(&c->local6, a, sizeof(a)));
	if (!v4 && !v6)
		fputs("-", out);
}

static bool has_local(const struct np_overlay_cfg *c)
{
	return ((c->has & NP_OVERLAY_HAS_LOCAL4) && c->local4.family) ||
	       ((c->has & NP_OVERLAY_HAS_LOCAL6) && c->local6.family);
}

static void print_cidrs(FILE *out, const struct np_peer *p, const char *sep)
{
	char b[NP_CTL_CIDR_STRLEN];
	unsigned int i;

	for (i = 0; i < p->n_cidrs; i++)
		fprintf(out, "%s%s", i ? sep : "",
			np_cidr_str(&p->cidrs[i], b, sizeof(b)));
}

static void script_device(FILE *out, const struct np_overlay_cfg *c,
			  const struct np_peer *const *peers, size_t np)
{
	char m[NP_CTL_MAC_STRLEN], a[NP_CTL_ADDR_STRLEN];
	unsigned int i;
	size_t k;

	fprintf(out, "overlay\t%s\tvni\t%" PRIu32 "\tport\t%u", c->ifname,
		c->vni, c->port);
	if (has_local(c)) {
		fputs("\tlocal\t", out);
		print_locals(out, c, ",");
	}
	if (c->has & NP_OVERLAY_HAS_MAC)
		fprintf(out, "\tmac\t%s", np_mac_str(c->mac, m));
	if (c->has & NP_OVERLAY_HAS_MAC6)
		fprintf(out, "\tmac6\t%s", np_mac_str(c->mac6, m));
	fprintf(out, "\tgbp\t%s\tsource-check\t%s\n",
		c->flags & NP_OVERLAY_F_GBP ? "on" : "off",
		c->flags & NP_OVERLAY_F_RX_SRC_CHECK ? "on" : "off");

	for (k = 0; k < np; k++) {
		fprintf(out, "peer\t%s\tmac\t%s\tendpoint\t%s\tcidr\t",
			c->ifname, np_mac_str(peers[k]->mac, m),
			np_addr_str(&peers[k]->endpoint, a, sizeof(a)));
		print_cidrs(out, peers[k], ",");
		fputc('\n', out);
	}

	if (!(c->has & NP_OVERLAY_HAS_STATS) || !c->stats_have)
		return;
	fprintf(out, "stats\t%s", c->ifname);
	for (i = 0; i < NP_OSTAT_N; i++)
		if (c->stats_have & (1U << i))
			fprintf(out, "\t%s\t%" PRIu64, np_nl_ostat_name(i),
				c->stats[i]);
	fputc('\n', out);
}

/* One counter line: "  tx        10 packets, 1400 bytes". */
static void pretty_counters(FILE *out, const struct np_overlay_cfg *c,
			    const char *label, unsigned int from,
			    unsigned int to, bool traffic)
{
	unsigned int i;
	bool any = false;

	for (i = from; i <= to; i++) {
		const char *name = np_nl_ostat_name(i) + 3;	/* "tx_" */

		if (!(c->stats_have & (1U << i)))
			continue;
		if (!any)
			fprintf(out, "  %-*s ", KEY_WIDTH, label);
		if (traffic)
			fprintf(out, "%s%" PRIu64 " %s", any ? ", " : "",
				c->stats[i], name);
		else
			fprintf(out, "%s%s %" PRIu64, any ? ", " : "", name,
				c->stats[i]);
		any = true;
	}
	if (any)
		fputc('\n', out);
}

#define OSTAT(a) ((a) - NP_OSTAT_FIRST)

static void pretty_device(FILE *out, const struct np_overlay_cfg *c,
			  const struct np_peer *const *peers, size_t np)
{
	char m[NP_CTL_MAC_STRLEN], a[NP_CTL_ADDR_STRLEN];
	int ew = (int)strlen("ENDPOINT");
	size_t k;

	fprintf(out, "%s (ifindex %" PRIu32 ")\n", c->ifname, c->ifindex);
	fprintf(out, "  %-*s %" PRIu32 "\n", KEY_WIDTH, "vni", c->vni);
	fprintf(out, "  %-*s %u\n", KEY_WIDTH, "port", c->port);
	fprintf(out, "  %-*s ", KEY_WIDTH, "local");
	print_locals(out, c, ", ");
	fputc('\n', out);
	fprintf(out, "  %-*s %s\n", KEY_WIDTH, "mac",
		c->has & NP_OVERLAY_HAS_MAC ? np_mac_str(c->mac, m) : "-");
	fprintf(out, "  %-*s %s\n", KEY_WIDTH, "mac6",
		c->has & NP_OVERLAY_HAS_MAC6 ? np_mac_str(c->mac6, m) : "-");
	fprintf(out, "  %-*s %s\n", KEY_WIDTH, "gbp",
		c->flags & NP_OVERLAY_F_GBP ? "on" : "off");
	fprintf(out, "  %-*s %s\n", KEY_WIDTH, "source-check",
		c->flags & NP_OVERLAY_F_RX_SRC_CHECK ? "on" : "off");
	if (c->has & NP_OVERLAY_HAS_STATS) {
		pretty_counters(out, c, "tx", OSTAT(NP_OSTAT_A_TX_PACKETS),
				OSTAT(NP_OSTAT_A_TX_BYTES), true);
		pretty_counters(out, c, "rx", OSTAT(NP_OSTAT_A_RX_PACKETS),
				OSTAT(NP_OSTAT_A_RX_BYTES), true);
		pretty_counters(out, c, "tx drops", OSTAT(NP_OSTAT_A_TX_NO_PEER),
				OSTAT(NP_OSTAT_A_TX_TOO_BIG), false);
		pretty_counters(out, c, "rx drops",
				OSTAT(NP_OSTAT_A_RX_BAD_HEADER),
				OSTAT(NP_OSTAT_A_RX_BAD_SRC), false);
	}
	fprintf(out, "  %-*s %zu\n", KEY_WIDTH, "peers", np);
	if (!np)
		return;
	for (k = 0; k < np; k++) {
		int w = (int)strlen(np_addr_str(&peers[k]->endpoint, a,
						    sizeof(a)));
		if (w > ew)
			ew = w;
	}
	fprintf(out, "\n  %-17s  %-*s  %s\n", "MAC", ew, "ENDPOINT", "CIDRS");
	for (k = 0; k < np; k++) {
		fprintf(out, "  %s  %-*s  ", np_mac_str(peers[k]->mac, m),
			ew, np_addr_str(&peers[k]->endpoint, a, sizeof(a)));
		print_cidrs(out, peers[k], ", ");
		fputc('\n', out);
	}
}

static int cmp_dev(const void *x, const void *y)
{
	const struct np_overlay_cfg *a = *(const struct np_overlay_cfg *const *)x;
	const struct np_overlay_cfg *b = *(const struct np_overlay_cfg *const *)y;
	int r = strcmp(a->ifname, b->ifname);

	return r ? r : (a->ifindex > b->ifindex) - (a->ifindex < b->ifindex);
}

static int cmp_peer(const void *x, const void *y)
{
	return np_peer_cmp_mac(*(const struct np_peer *const *)x,
			       *(const struct np_peer *const *)y);
}

int np_ctl_overlay_print(FILE *out, const struct np_overlay_cfg *devs,
			 const struct np_peer_list *peers, size_t n,
			 bool script)
{
	const struct np_overlay_cfg **order;
	const struct np_peer **pp = NULL;
	size_t i, k, np, maxp = 0;

	if (!n) {
		if (!script)
			fprintf(out, "no overlay devices\n");
		return 0;
	}
	order = calloc(n, sizeof(*order));
	for (i = 0; i < n; i++)
		if (peers[i].n > maxp)
			maxp = peers[i].n;
	if (maxp)
		pp = calloc(maxp, sizeof(*pp));
	if (!order || (maxp && !pp)) {
		free(order);
		free(pp);
		return -1;
	}
	for (i = 0; i < n; i++)
		order[i] = &devs[i];
	qsort(order, n, sizeof(*order), cmp_dev);
	for (i = 0; i < n; i++) {
		const struct np_peer_list *pl = &peers[order[i] - devs];

		np = pl->n;
		for (k = 0; k < np; k++)
			pp[k] = &pl->v[k];
		if (np > 1)
			qsort(pp, np, sizeof(*pp), cmp_peer);
		if (script) {
			script_device(out, order[i], pp, np);
		} else {
			if (i)
				fputc('\n', out);
			pretty_device(out, order[i], pp, np);
		}
	}
	free(order);
	free(pp);
	return 0;
}

/* Running the commands. */

static int open_nl(struct np_ctl *ctl, const char *what, struct np_nl **nl)
{
	struct np_err err;

	if (np_ctl_nl_open(ctl, nl, &err) < 0) {
		np_ctl_error(ctl, what, &err);
		return -1;
	}
	return 0;
}

static int run_set(struct np_ctl *ctl, int argc, char **argv)
{
	struct np_overlay_cfg cfg;
	struct np_nl *nl;
	struct np_err err;
	int r;

	if (np_ctl_overlay_set_parse(ctl, argc, argv, &cfg) < 0 ||
	    open_nl(ctl, "overlay set", &nl) < 0)
		return NP_CTL_EXIT_FAIL;
	r = 0;
	if ((cfg.has & NP_OVERLAY_HAS_FLAGS) && cfg.flags_given != FLAG_WORDS) {
		/* NP_OVERLAY_A_FLAGS is all the bits: keep those not given */
		struct np_overlay_cfg cur;

		r = np_nl_overlay_get(nl, cfg.ifindex, &cur, &err);
		if (!r)
			cfg.flags |= cur.flags & ~cfg.flags_given;
	}
	if (!r)
		r = np_nl_overlay_set(nl, &cfg, &err);
	np_ctl_nl_close(ctl, nl);
	if (r < 0) {
		np_ctl_error(ctl, "overlay set", &err);
		return NP_CTL_EXIT_FAIL;
	}
	return NP_CTL_EXIT_OK;
}

static int run_peer_set(struct np_ctl *ctl, int argc, char **argv)
{
	struct np_peer peer;
	struct np_nl *nl;
	struct np_err err;
	int r;

	if (np_ctl_peer_set_parse(ctl, argc, argv, &peer) < 0 ||
	    open_nl(ctl, "overlay peer set", &nl) < 0)
		return NP_CTL_EXIT_FAIL;
	r = np_nl_peer_new(nl, &peer, &err);
	np_ctl_nl_close(ctl, nl);
	if (r < 0) {
		np_ctl_error(ctl, "overlay peer set", &err);
		return NP_CTL_EXIT_FAIL;
	}
	return NP_CTL_EXIT_OK;
}

static int run_peer_del(struct np_ctl *ctl, int argc, char **argv)
{
	uint8_t mac[NP_MAC_LEN];
	uint32_t ifindex;
	struct np_nl *nl;
	struct np_err err;
	int r;

	if (np_ctl_peer_del_parse(ctl, argc, argv, &ifindex, mac) < 0 ||
	    open_nl(ctl, "overlay peer del", &nl) < 0)
		return NP_CTL_EXIT_FAIL;
	r = np_nl_peer_del(nl, ifindex, mac, &err);
	np_ctl_nl_close(ctl, nl);
	if (r < 0) {
		np_ctl_error(ctl, "overlay peer del", &err);
		return NP_CTL_EXIT_FAIL;
	}
	return NP_CTL_EXIT_OK;
}

static int run_show(struct np_ctl *ctl, int argc, char **argv)
{
	static const char what[] = "overlay show";
	struct np_overlay_list devs = { NULL, 0 };
	struct np_peer_list *peers = NULL;
	int status = NP_CTL_EXIT_FAIL;
	uint32_t ifindex;
	struct np_nl *nl;
	struct np_err err;
	size_t i;

	if (argc > 1) {
		np_ctl_usage_errorf(ctl, CMD, what, "unexpected argument '%s'",
				    argv[1]);
		return NP_CTL_EXIT_FAIL;
	}
	if (argc == 1 && np_ctl_ifindex(ctl, what, argv[0], &ifindex) < 0)
		return NP_CTL_EXIT_FAIL;
	if (open_nl(ctl, what, &nl) < 0)
		return NP_CTL_EXIT_FAIL;
	if (argc == 1) {
		devs.v = calloc(1, sizeof(*devs.v));
		if (!devs.v) {
			np_ctl_errorf(ctl, what, "out of memory");
			goto out;
		}
		if (np_nl_overlay_get(nl, ifindex, devs.v, &err) < 0)
			goto fail;
		devs.n = 1;
	} else if (np_nl_overlay_dump(nl, &devs, &err) < 0) {
		goto fail;
	}
	peers = calloc(devs.n ? devs.n : 1, sizeof(*peers));
	if (!peers) {
		np_ctl_errorf(ctl, what, "out of memory");
		goto out;
	}
	for (i = 0; i < devs.n; i++)
		if (np_nl_peer_dump(nl, devs.v[i].ifindex, &peers[i], &err) < 0)
			goto fail;
	if (np_ctl_overlay_print(ctl->out, devs.v, peers, devs.n,
				 ctl->script) < 0) {
		np_ctl_errorf(ctl, what, "out of memory");
		goto out;
	}
	status = NP_CTL_EXIT_OK;
	goto out;
fail:
	np_ctl_error(ctl, what, &err);
out:
	np_ctl_nl_close(ctl, nl);
	for (i = 0; peers && i < devs.n; i++)
		np_peer_list_free(&peers[i]);
	free(peers);
	np_overlay_list_free(&devs);
	return status;
}

static int run(struct np_ctl *ctl, int argc, char **argv)
{
	char *w[MAX_WORDS];
	int n = MAX_WORDS;
	int r;

	r = np_ctl_args(ctl, &np_ctl_cmd_overlay, argc, argv, w, &n);
	if (r != NP_CTL_CONTINUE)
		return r;
	if (n == 0) {
		np_ctl_usage_errorf(ctl, CMD, CMD,
				    "missing command (set, peer or show)");
		return NP_CTL_EXIT_FAIL;
	}
	if (!strcmp(w[0], "set"))
		return run_set(ctl, n - 1, w + 1);
	if (!strcmp(w[0], "show"))
		return run_show(ctl, n - 1, w + 1);
	if (!strcmp(w[0], "peer")) {
		if (n == 1) {
			np_ctl_usage_errorf(ctl, CMD, "overlay peer",
					    "missing command (set or del)");
			return NP_CTL_EXIT_FAIL;
		}
		if (!strcmp(w[1], "set"))
			return run_peer_set(ctl, n - 2, w + 2);
		if (!strcmp(w[1], "del"))
			return run_peer_del(ctl, n - 2, w + 2);
		np_ctl_usage_errorf(ctl, CMD, "overlay peer",
				    "unknown command '%s'", w[1]);
		return NP_CTL_EXIT_FAIL;
	}
	/* "overlay NAME ...", as `overlay show -s` prints it. */
	if (n >= 2)
		return run_set(ctl, n, w);
	np_ctl_usage_errorf(ctl, CMD, CMD, "unknown command '%s'", w[0]);
	return NP_CTL_EXIT_FAIL;
}

const struct np_ctl_cmd np_ctl_cmd_overlay = {
	.name = "overlay",
	.args = "set|peer set|peer del|show [ARGS]",
	.summary = "configure overlay devices and their peers, or show them",
	.help = help,
	.run = run,
};

static int run_peer(struct np_ctl *ctl, int argc, char **argv)
{
	char *w[MAX_WORDS];
	int n = MAX_WORDS;
	int r;

	r = np_ctl_args(ctl, &np_ctl_cmd_peer, argc, argv, w, &n);
	if (r != NP_CTL_CONTINUE)
		return r;
	return run_peer_set(ctl, n, w);
}

const struct np_ctl_cmd np_ctl_cmd_peer = {
	.name = "peer",
	.args = "NAME mac MAC endpoint ADDR cidr CIDR[,CIDR...]",
	.summary = "same as 'overlay peer set' (the form 'overlay show' prints)",
	.run = run_peer,
};
