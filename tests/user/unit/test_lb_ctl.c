// SPDX-License-Identifier: GPL-2.0-only
/*
 * nodeplanectl lb and info's LB keys: every word of `lb set`/`lb del`
 * and every error, the output of `lb show` (pretty, script, JSON), and
 * the round trip show -s -> -b FILE -> the identical frontend.
 *
 * The round trips run against a fake module: the ctl->nl_open seam gives
 * a socket bound to the kernel's "nlctrl" family whose send and receive
 * paths are replaced (as in test_ctl_batch.c). The fake keeps frontends
 * the way the uapi says: LB_SET without STAGE replaces at once; MORE
 * starts a staged object, APPEND|MORE adds to it, APPEND publishes it;
 * each change of the published set moves the generation; LB_GET dumps
 * each frontend over several messages (continuations) when it holds more
 * than a few entries.
 */
#include <errno.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cjson/cJSON.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/nodeplane.h>
#include <netlink/genl/genl.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "check.h"
#include "ctlrun.h"
#include "nl/msg.h"

/* The head of nl/conn.c's private struct np_nl (see test_ctl_batch.c). */
struct np_nl_head {
	struct nl_sock *sk;
	int family;
};

static struct np_err nlctrl_err;
static bool nlctrl_ok;

#define NEED_NLCTRL() do {						\
	if (!nlctrl_ok)							\
		CHECK_FAIL("cannot open the generic netlink family nlctrl "	\
			   "(every kernel has it): %s", nlctrl_err.msg);	\
} while (0)

/* Parsing helpers. */

/* np_ctl_lb_set_parse() (or _del_) of a space-separated line. */
static int parse_line(bool set, const char *line, struct np_lb_frontend *fe,
		      char **err)
{
	char *copy = strdup(line), *argv[4096];
	int argc = line[0] ? split_words(copy, ' ', argv, 4096) : 0;
	struct cap c;
	int r;

	cap_open(&c, true);
	r = set ? np_ctl_lb_set_parse(&c.ctl, argc, argv, fe) :
		  np_ctl_lb_del_parse(&c.ctl, argc, argv, fe);
	cap_close(&c);
	free(c.out);
	free(copy);
	*err = c.err;
	return r;
}

static struct np_addr A(const char *s)
{
	struct np_addr a;

	if (np_addr_parse(s, &a) < 0)
		abort();
	return a;
}

static bool addr_is(const struct np_addr *a, const char *s)
{
	struct np_addr b = A(s);

	return np_addr_eq(a, &b);
}

TEST(set_every_word)
{
	struct np_lb_frontend fe;
	char *err;

	CHECK_INT(parse_line(true,
		"-6 udp 53 local fd00::1 owner hostport ranges 2001:db8::/32,fd00::/8 "
		"affinity 300 masq-remote local-only hairpin localhost masq-all "
		"backend [fd00::3]:53/terminating,[fd00::2]:5353/local "
		"backend [fd00::4]:53/local/ready/terminating,[fd00::5]:1/notready "
		"ranges ::/0", &fe, &err), 0);
	CHECK_STR(err, "");
	free(err);
	CHECK_INT(fe.family, AF_INET6);
	CHECK_INT(fe.proto, IPPROTO_UDP);
	CHECK_INT(fe.port, 53);
	CHECK(addr_is(&fe.local, "fd00::1"));
	CHECK_INT(fe.owner, NP_LB_OWNER_HOSTPORT);
	CHECK_INT(fe.affinity, 300);
	CHECK_INT(fe.flags, NP_LB_F_MASQ_REMOTE | NP_LB_F_LOCAL_ONLY |
		  NP_LB_F_HAIRPIN | NP_LB_F_LOCALHOST | NP_LB_F_MASQ_ALL);
	/* Canonical: sorted by address. */
	CHECK_INT(fe.n_backends, 4);
	CHECK(addr_is(&fe.backends[0].addr, "fd00::2"));
	CHECK_INT(fe.backends[0].port, 5353);
	CHECK_INT(fe.backends[0].flags, NP_LBB_F_LOCAL | NP_LBB_F_READY);
	CHECK(addr_is(&fe.backends[1].addr, "fd00::3"));
	CHECK_INT(fe.backends[1].flags, NP_LBB_F_TERMINATING);
	CHECK_INT(fe.backends[2].flags, NP_LBB_F_LOCAL | NP_LBB_F_READY |
		  NP_LBB_F_TERMINATING);
	CHECK_INT(fe.backends[3].port, 1);
	CHECK_INT(fe.backends[3].flags, 0);
	CHECK_INT(fe.n_ranges, 3);
	CHECK(addr_is(&fe.ranges[0].addr, "::"));
	CHECK_INT(fe.ranges[0].prefixlen, 0);
	CHECK(addr_is(&fe.ranges[1].addr, "2001:db8::"));
	CHECK_INT(fe.ranges[2].prefixlen, 8);
	np_lb_frontend_clear(&fe);
}

TEST(set_defaults_and_families)
{
	struct np_lb_frontend fe;
	char *err;

	/* Nothing says the family: IPv4; owner servicelb; no backend. */
	CHECK_INT(parse_line(true, "tcp 80", &fe, &err), 0);
	free(err);
	CHECK_INT(fe.family, AF_INET);
	CHECK_INT(fe.owner, NP_LB_OWNER_SERVICELB);
	CHECK_INT(fe.local.family, 0);
	CHECK_INT(fe.flags, 0);
	CHECK_INT(fe.affinity, 0);
	CHECK_INT(fe.n_backends, 0);
	CHECK_INT(fe.n_ranges, 0);
	/* -6 alone. */
	CHECK_INT(parse_line(true, "sctp 3868 -6", &fe, &err), 0);
	free(err);
	CHECK_INT(fe.family, AF_INET6);
	CHECK_INT(fe.proto, IPPROTO_SCTP);
	/* The backends' family; the default flag is ready. */
	CHECK_INT(parse_line(true, "tcp 443 backend [2001:db8::1]:8443/local",
			     &fe, &err), 0);
	free(err);
	CHECK_INT(fe.family, AF_INET6);
	CHECK_INT(fe.backends[0].flags, NP_LBB_F_LOCAL | NP_LBB_F_READY);
	np_lb_frontend_clear(&fe);
	/* The ranges' family, -4 agreeing, owner servicelb spelled out. */
	CHECK_INT(parse_line(true, "-4 udp 1 ranges 10.0.0.0/8 owner servicelb "
			     "backend 10.0.0.1:65535/ready", &fe, &err), 0);
	free(err);
	CHECK_INT(fe.family, AF_INET);
	CHECK_INT(fe.backends[0].port, 65535);
	CHECK_INT(fe.backends[0].flags, NP_LBB_F_READY);
	np_lb_frontend_clear(&fe);
	/* Exact duplicates collapse. */
	CHECK_INT(parse_line(true, "tcp 80 backend 10.0.0.1:80,10.0.0.1:80 "
			     "ranges 10.0.0.0/8 ranges 10.0.0.0/8", &fe, &err), 0);
	free(err);
	CHECK_INT(fe.n_backends, 1);
	CHECK_INT(fe.n_ranges, 1);
	np_lb_frontend_clear(&fe);
}

TEST(del_words)
{
	struct np_lb_frontend fe;
	char *err;

	CHECK_INT(parse_line(false, "-6 tcp 80", &fe, &err), 0);
	free(err);
	CHECK_INT(fe.family, AF_INET6);
	CHECK_INT(fe.port, 80);
	/* no owner: the delete carries no owner precondition */
	CHECK_INT(fe.owner, NP_LB_OWNER_UNSPEC);
	CHECK_INT(parse_line(false, "udp 53 local 10.1.2.3", &fe, &err), 0);
	free(err);
	CHECK_INT(fe.family, AF_INET);
	CHECK(addr_is(&fe.local, "10.1.2.3"));
	CHECK_INT(parse_line(false, "udp 53 backend 10.0.0.1:53", &fe, &err), -1);
	CHECK_STR(err, "nodeplanectl: lb del: unknown word 'backend'\n"
		  "Try 'nodeplanectl lb --help' for more information.\n");
	free(err);
	CHECK_INT(parse_line(false, "udp 53 hairpin", &fe, &err), -1);
	CHECK_STR(err, "nodeplanectl: lb del: unknown word 'hairpin'\n"
		  "Try 'nodeplanectl lb --help' for more information.\n");
	free(err);
	CHECK_INT(parse_line(false, "-4 udp 53 local fd00::1", &fe, &err), -1);
	CHECK_STR(err, "nodeplanectl: lb del: local \"fd00::1\": IPv6, but -4 is IPv4\n");
	free(err);
}

#define TRY "Try 'nodeplanectl lb --help' for more information.\n"

/* Each line of `lb set` and the one error it gets. */
static const struct {
	const char *line;
	const char *err;
} set_errors[] = {
	{ "", "nodeplanectl: lb set: missing PROTO\n" TRY },
	{ "tcp", "nodeplanectl: lb set: missing PORT\n" TRY },
	{ "icmp 80", "nodeplanectl: lb set: PROTO \"icmp\": expected tcp, udp or sctp\n" },
	{ "TCP 80", "nodeplanectl: lb set: PROTO \"TCP\": expected tcp, udp or sctp\n" },
	{ "tcp 0", "nodeplanectl: lb set: PORT \"0\": expected a number in 1..65535\n" },
	{ "tcp 65536", "nodeplanectl: lb set: PORT \"65536\": expected a number in 1..65535\n" },
	{ "tcp +80", "nodeplanectl: lb set: PORT \"+80\": expected a number in 1..65535\n" },
	{ "tcp 80 frob", "nodeplanectl: lb set: unknown word 'frob'\n" TRY },
	{ "tcp 80 local", "nodeplanectl: lb set: 'local' needs a value\n" TRY },
	{ "tcp 80 backend", "nodeplanectl: lb set: 'backend' needs a value\n" TRY },
	{ "tcp 80 local 10.0.0.1 local 10.0.0.2", "nodeplanectl: lb set: 'local' given twice\n" TRY },
	{ "tcp 80 owner hostport owner hostport", "nodeplanectl: lb set: 'owner' given twice\n" TRY },
	{ "tcp 80 affinity 1 affinity 1", "nodeplanectl: lb set: 'affinity' given twice\n" TRY },
	{ "tcp 80 masq-all masq-all", "nodeplanectl: lb set: 'masq-all' given twice\n" TRY },
	{ "-6 tcp 80 -6", "nodeplanectl: lb set: '-6' given twice\n" TRY },
	{ "-4 tcp 80 -6", "nodeplanectl: lb set: '-6' and '-4' together\n" TRY },
	{ "tcp 80 local 10.0.0", "nodeplanectl: lb set: local \"10.0.0\": expected an IPv4 or IPv6 address\n" },
	{ "tcp 80 owner klipper", "nodeplanectl: lb set: owner \"klipper\": expected servicelb or hostport\n" },
	{ "tcp 80 affinity 86401", "nodeplanectl: lb set: affinity \"86401\": expected seconds in 0..86400\n" },
	{ "tcp 80 affinity -1", "nodeplanectl: lb set: affinity \"-1\": expected seconds in 0..86400\n" },
	{ "tcp 80 ranges 10.0.0.0", "nodeplanectl: lb set: ranges \"10.0.0.0\": expected a CIDR (ADDR/PREFIXLEN)\n" },
	{ "tcp 80 ranges 10.0.0.0/33", "nodeplanectl: lb set: ranges \"10.0.0.0/33\": expected a CIDR (ADDR/PREFIXLEN)\n" },
	{ "tcp 80 ranges 10.0.0.0/8,", "nodeplanectl: lb set: ranges \"10.0.0.0/8,\": empty list item\n" },
	{ "tcp 80 backend 10.0.0.1", "nodeplanectl: lb set: backend \"10.0.0.1\": expected ADDR:PORT (IPv6: [ADDR]:PORT, port 1..65535), then /FLAGs\n" },
	{ "tcp 80 backend 10.0.0.1:0", "nodeplanectl: lb set: backend \"10.0.0.1:0\": expected ADDR:PORT (IPv6: [ADDR]:PORT, port 1..65535), then /FLAGs\n" },
	{ "tcp 80 backend fd00::1:80", "nodeplanectl: lb set: backend \"fd00::1:80\": expected ADDR:PORT (IPv6: [ADDR]:PORT, port 1..65535), then /FLAGs\n" },
	{ "tcp 80 backend [10.0.0.1]:80", "nodeplanectl: lb set: backend \"[10.0.0.1]:80\": expected ADDR:PORT (IPv6: [ADDR]:PORT, port 1..65535), then /FLAGs\n" },
	{ "tcp 80 backend [fd00::1]80", "nodeplanectl: lb set: backend \"[fd00::1]80\": expected ADDR:PORT (IPv6: [ADDR]:PORT, port 1..65535), then /FLAGs\n" },
	{ "tcp 80 backend ,10.0.0.1:80", "nodeplanectl: lb set: backend \",10.0.0.1:80\": empty list item\n" },
	{ "tcp 80 backend 10.0.0.1:80/up", "nodeplanectl: lb set: backend \"10.0.0.1:80/up\": unknown flag \"up\" (local, ready, terminating or notready)\n" },
	{ "tcp 80 backend 10.0.0.1:80/", "nodeplanectl: lb set: backend \"10.0.0.1:80/\": unknown flag \"\" (local, ready, terminating or notready)\n" },
	{ "tcp 80 backend 10.0.0.1:80/local/local", "nodeplanectl: lb set: backend \"10.0.0.1:80/local/local\": flag \"local\" given twice\n" },
	{ "tcp 80 backend 10.0.0.1:80/notready/ready", "nodeplanectl: lb set: backend \"10.0.0.1:80/notready/ready\": notready excludes ready and terminating\n" },
	{ "tcp 80 backend 10.0.0.1:80,10.0.0.1:80/local", "nodeplanectl: lb set: backend \"10.0.0.1:80\": given twice with different flags\n" },
	{ "-6 tcp 80 local 10.0.0.1", "nodeplanectl: lb set: local \"10.0.0.1\": IPv4, but -6 is IPv6\n" },
	{ "tcp 80 local fd00::1 backend 10.0.0.1:80", "nodeplanectl: lb set: backend \"10.0.0.1:80\": IPv4, but local \"fd00::1\" is IPv6\n" },
	{ "tcp 80 backend 10.0.0.1:80 ranges fd00::/8", "nodeplanectl: lb set: ranges \"fd00::/8\": IPv6, but backend \"10.0.0.1:80\" is IPv4\n" },
	{ "tcp 80 ranges 10.0.0.0/8 backend 10.0.0.1:80,[fd00::1]:80", "nodeplanectl: lb set: backend \"[fd00::1]:80\": IPv6, but ranges \"10.0.0.0/8\" is IPv4\n" },
};

TEST(set_errors_name_word_and_value)
{
	struct np_lb_frontend fe;
	size_t i;
	char *err;

	for (i = 0; i < sizeof(set_errors) / sizeof(set_errors[0]); i++) {
		int r = parse_line(true, set_errors[i].line, &fe, &err);
		bool same = !strcmp(err, set_errors[i].err);
		char b1[512], b2[512];

		if (r != -1 || !same) {
			CHECK_FAIL("\"%s\": r %d, stderr \"%s\", expected \"%s\"",
				   set_errors[i].line, r,
				   check_esc(err, b1, sizeof(b1)),
				   check_esc(set_errors[i].err, b2,
					     sizeof(b2)));
		}
		free(err);
	}
}

TEST(lb_command_usage_errors)
{
	struct ctlres r;

	r = ctl_run("lb", NULL);
	CHECK_INT(r.status, 1);
	CHECK_STR(r.err, "nodeplanectl: lb: missing command (set, del or show)\n" TRY);
	ctlres_free(&r);
	r = ctl_run("lb", "frob", NULL);
	CHECK_INT(r.status, 1);
	CHECK_STR(r.err, "nodeplanectl: lb: unknown command 'frob'\n" TRY);
	ctlres_free(&r);
	r = ctl_run("lb", "show", "extra", NULL);
	CHECK_INT(r.status, 1);
	CHECK_STR(r.err, "nodeplanectl: lb show: unexpected argument 'extra'\n" TRY);
	ctlres_free(&r);
	r = ctl_run("lb", "show", "-6", NULL);
	CHECK_INT(r.status, 1);
	CHECK_STR(r.err, "nodeplanectl: lb show: -4 and -6 are for set and del\n" TRY);
	ctlres_free(&r);
	r = ctl_run("lb", "set", "tcp", "80", "--bogus", NULL);
	CHECK_INT(r.status, 1);
	CHECK_STR(r.err, "nodeplanectl: lb: unknown option '--bogus'\n" TRY);
	ctlres_free(&r);
	/* -j only where there is JSON output. */
	r = ctl_run("-j", "overlay", "show", NULL);
	CHECK_INT(r.status, 1);
	CHECK_STR(r.err, "nodeplanectl: overlay: no JSON output (-j)\n"
		  "Try 'nodeplanectl overlay --help' for more information.\n");
	ctlres_free(&r);
	r = ctl_run("lb", "--help", NULL);
	CHECK_INT(r.status, 0);
	CHECK_CONTAINS(r.out, "Usage: nodeplanectl lb set|del|show [ARGS]\n");
	CHECK_CONTAINS(r.out, "[backend ADDR:PORT[/FLAG[/FLAG]][,ADDR:PORT...]]");
	ctlres_free(&r);
	r = ctl_run("--help", NULL);
	CHECK_CONTAINS(r.out, "  lb             configure ServiceLB and hostPort frontends, or show them\n");
	CHECK_CONTAINS(r.out, "  -j, --json     JSON output (info, lb show)\n");
	ctlres_free(&r);
}

/* Output. */

static char *print_list(const struct np_lb_list *l, bool script)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	np_ctl_lb_print(f, l, script);
	fclose(f);
	return buf;
}

/* Two frontends as a dump returns them (canonical, sorted). */
static void sample_list(struct np_lb_list *l)
{
	static const char *const lines[] = {
		"tcp 80 local 192.168.50.10 ranges 10.0.0.0/8,192.168.0.0/16 "
		"affinity 10800 masq-remote hairpin backend "
		"10.42.1.5:8080/local,10.42.2.7:8080/terminating,"
		"10.42.3.9:8080/ready/terminating,10.42.4.1:8080/local/notready",
		"-6 udp 53 owner hostport localhost",
	};
	size_t i;
	char *err;

	l->n = 2;
	l->v = calloc(2, sizeof(*l->v));
	for (i = 0; i < 2; i++) {
		if (parse_line(true, lines[i], &l->v[i], &err) < 0)
			abort();
		free(err);
	}
	l->v[0].generation = 7;
	l->v[0].stats_have = 0x3f;
	l->v[0].stats[0] = 12;
	l->v[0].stats[1] = 18446744073709551615ULL;
	l->v[0].stats[2] = 11;
	l->v[0].stats[3] = 1;
	l->v[0].stats[4] = 0;
	l->v[0].stats[5] = 2;
	l->v[1].generation = 7;
}

TEST(show_script_lines)
{
	struct np_lb_list l = { NULL, 0 };
	char *out;

	sample_list(&l);
	out = print_list(&l, true);
	CHECK_STR(out,
		  "lb\tset\t-4\ttcp\t80\tlocal\t192.168.50.10\towner\tservicelb"
		  "\tranges\t10.0.0.0/8,192.168.0.0/16\taffinity\t10800"
		  "\tmasq-remote\thairpin\tbackend\t10.42.1.5:8080/local/ready,"
		  "10.42.2.7:8080/terminating,10.42.3.9:8080/ready/terminating,"
		  "10.42.4.1:8080/local/notready\n"
		  "lb\tset\t-6\tudp\t53\towner\thostport\tlocalhost\n");
	free(out);
	np_lb_list_free(&l);
	out = print_list(&l, true);
	CHECK_STR(out, "");
	free(out);
}

TEST(show_pretty)
{
	struct np_lb_list l = { NULL, 0 };
	char *out;

	sample_list(&l);
	out = print_list(&l, false);
	CHECK_STR(out,
		  "tcp/192.168.50.10:80, owner servicelb\n"
		  "  flags      masq-remote, hairpin\n"
		  "  affinity   10800 s\n"
		  "  ranges     10.0.0.0/8, 192.168.0.0/16\n"
		  "  counters   packets 12 bytes 18446744073709551615 conns 11 drop_range 1 drop_no_backend 0 drop_nat 2\n"
		  "  backends   4\n"
		  "    10.42.1.5:8080/local/ready\n"
		  "    10.42.2.7:8080/terminating\n"
		  "    10.42.3.9:8080/ready/terminating\n"
		  "    10.42.4.1:8080/local/notready\n"
		  "\n"
		  "udp/53 (IPv6), owner hostport\n"
		  "  flags      localhost\n"
		  "  affinity   -\n"
		  "  ranges     any source\n"
		  "  backends   0 (connections refused)\n");
	free(out);
	np_lb_list_free(&l);
	out = print_list(&l, false);
	CHECK_STR(out, "no frontends\n");
	free(out);
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : "(not a string)";
}

static double jnum(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

TEST(show_json)
{
	struct np_lb_list l = { NULL, 0 };
	struct np_info info = { .have = NP_INFO_HAVE_GENERATION,
				.generation = 9007199254740993ULL };
	cJSON *root, *fes, *fe, *b, *st, *fl;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	sample_list(&l);
	CHECK_INT(np_ctl_lb_json(f, &l, &info), 0);
	fclose(f);
	np_lb_list_free(&l);
	root = cJSON_Parse(buf);
	if (!root)
		CHECK_FAIL("not JSON: %.200s", buf);
	/* u64 values are exact in the text (cJSON's doubles are not). */
	CHECK_CONTAINS(buf, "\"generation\":\t9007199254740993");
	CHECK_CONTAINS(buf, "\"bytes\":\t18446744073709551615");
	free(buf);
	fes = cJSON_GetObjectItemCaseSensitive(root, "frontends");
	CHECK(cJSON_IsArray(fes));
	CHECK_INT(cJSON_GetArraySize(fes), 2);
	fe = cJSON_GetArrayItem(fes, 0);
	CHECK_STR(jstr(fe, "family"), "ipv4");
	CHECK_STR(jstr(fe, "proto"), "tcp");
	CHECK(jnum(fe, "port") == 80);
	CHECK_STR(jstr(fe, "local"), "192.168.50.10");
	CHECK_STR(jstr(fe, "owner"), "servicelb");
	CHECK(jnum(fe, "affinity") == 10800);
	CHECK(jnum(fe, "generation") == 7);
	fl = cJSON_GetObjectItemCaseSensitive(fe, "flags");
	CHECK_INT(cJSON_GetArraySize(fl), 2);
	CHECK_STR(cJSON_GetArrayItem(fl, 0)->valuestring, "masq-remote");
	CHECK_STR(cJSON_GetArrayItem(fl, 1)->valuestring, "hairpin");
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(fe, "ranges")), 2);
	CHECK_STR(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(fe, "ranges"), 1)->valuestring,
		  "192.168.0.0/16");
	b = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(fe, "backends"), 2);
	CHECK_STR(jstr(b, "addr"), "10.42.3.9");
	CHECK(jnum(b, "port") == 8080);
	fl = cJSON_GetObjectItemCaseSensitive(b, "flags");
	CHECK_INT(cJSON_GetArraySize(fl), 2);
	CHECK_STR(cJSON_GetArrayItem(fl, 0)->valuestring, "ready");
	CHECK_STR(cJSON_GetArrayItem(fl, 1)->valuestring, "terminating");
	b = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(fe, "backends"), 3);
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(b, "flags")), 1);
	st = cJSON_GetObjectItemCaseSensitive(fe, "stats");
	CHECK(jnum(st, "packets") == 12);
	CHECK(jnum(st, "conns") == 11);
	CHECK(jnum(st, "drop_range") == 1);
	CHECK(jnum(st, "drop_no_backend") == 0);
	CHECK(jnum(st, "drop_nat") == 2);
	fe = cJSON_GetArrayItem(fes, 1);
	CHECK_STR(jstr(fe, "family"), "ipv6");
	CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(fe, "local")));
	CHECK_STR(jstr(fe, "owner"), "hostport");
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(fe, "backends")), 0);
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(fe, "stats")), 0);
	cJSON_Delete(root);
	/* No frontends, no generation known. */
	buf = NULL;
	f = open_memstream(&buf, &len);
	CHECK_INT(np_ctl_lb_json(f, &l, NULL), 0);
	fclose(f);
	root = cJSON_Parse(buf);
	free(buf);
	CHECK(root);
	CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(root, "generation")));
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root, "frontends")), 0);
	cJSON_Delete(root);
}

/* Random frontends: show -s, the words back through the parser. */

static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t n)
{
	rnd_state = rnd_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rnd_state >> 33) % n;
}

static void rnd_addr(struct np_addr *a, int family)
{
	int i;

	memset(a, 0, sizeof(*a));
	a->family = family;
	for (i = 0; i < (family == AF_INET ? 4 : 16); i++)
		a->a[i] = (uint8_t)rnd(256);
	if (rnd(4) == 0)	/* zero runs: "::" compression in IPv6 text */
		memset(a->a + 2, 0, family == AF_INET ? 1 : 10);
}

static void rnd_frontend(struct np_lb_frontend *fe, size_t max_b,
			 size_t max_r)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP,
					  IPPROTO_SCTP };
	size_t i;

	memset(fe, 0, sizeof(*fe));
	fe->family = rnd(2) ? AF_INET : AF_INET6;
	fe->proto = protos[rnd(3)];
	fe->port = (uint16_t)(1 + rnd(65535));
	if (rnd(2))
		rnd_addr(&fe->local, fe->family);
	fe->owner = (uint8_t)(1 + rnd(2));
	fe->flags = rnd(32);
	fe->affinity = rnd(3) ? 0 : rnd(NP_LB_AFFINITY_MAX + 1);
	fe->n_backends = rnd((uint32_t)max_b + 1);
	fe->backends = calloc(fe->n_backends + 1, sizeof(*fe->backends));
	for (i = 0; i < fe->n_backends; i++) {
		struct np_lb_backend *b = &fe->backends[i];

		rnd_addr(&b->addr, fe->family);
		/* distinct (address, port) pairs */
		b->addr.a[fe->family == AF_INET ? 2 : 14] = (uint8_t)(i >> 8);
		b->addr.a[fe->family == AF_INET ? 3 : 15] = (uint8_t)i;
		b->addr.a[fe->family == AF_INET ? 1 : 13] = (uint8_t)(i >> 16);
		b->port = (uint16_t)(1 + rnd(65535));
		b->flags = rnd(8);
	}
	fe->n_ranges = rnd((uint32_t)max_r + 1);
	fe->ranges = calloc(fe->n_ranges + 1, sizeof(*fe->ranges));
	for (i = 0; i < fe->n_ranges; i++) {
		rnd_addr(&fe->ranges[i].addr, fe->family);
		fe->ranges[i].prefixlen =
			(uint8_t)rnd(fe->family == AF_INET ? 33 : 129);
	}
	np_lb_frontend_canon(fe);
}

/* The script line of fe, parsed back as batch mode splits it. */
static int replay_line(const struct np_lb_frontend *fe,
		       struct np_lb_frontend *back, char **line, char **err)
{
	struct np_lb_list l = { (struct np_lb_frontend *)fe, 1 };
	char *argv[300], *copy;
	int argc;
	struct cap c;
	int r;

	*line = print_list(&l, true);
	copy = strdup(*line);
	copy[strlen(copy) - 1] = '\0';	/* the newline */
	argc = split_words(copy, '\t', argv, 300);
	if (argc < 2 || strcmp(argv[0], "lb") || strcmp(argv[1], "set")) {
		free(copy);
		*err = strdup("not an lb set line");
		return -1;
	}
	cap_open(&c, true);
	r = np_ctl_lb_set_parse(&c.ctl, argc - 2, argv + 2, back);
	cap_close(&c);
	free(c.out);
	free(copy);
	*err = c.err;
	return r;
}

TEST(show_script_parses_back_identical)
{
	int i;

	for (i = 0; i < 3000; i++) {
		struct np_lb_frontend fe, back;
		char *line, *err, b[512];
		int r;

		rnd_frontend(&fe, 12, 6);
		r = replay_line(&fe, &back, &line, &err);
		if (r < 0 || !np_lb_frontend_same(&fe, &back)) {
			check_esc(line, b, sizeof(b));
			free(line);
			CHECK_FAIL("frontend %d: %s: %s", i, b,
				   r < 0 ? err : "parsed to another frontend");
		}
		free(line);
		free(err);
		np_lb_frontend_clear(&fe);
		np_lb_frontend_clear(&back);
	}
}

TEST(show_script_parses_back_large)
{
	struct np_lb_frontend fe, back;
	char *line, *err;

	rnd_frontend(&fe, 0, 0);
	np_lb_frontend_clear(&fe);
	fe.family = AF_INET6;
	fe.local.family = 0;
	fe.n_backends = 5000;
	fe.backends = calloc(5000, sizeof(*fe.backends));
	fe.n_ranges = 100000;
	fe.ranges = calloc(100000, sizeof(*fe.ranges));
	for (size_t i = 0; i < 5000; i++) {
		rnd_addr(&fe.backends[i].addr, AF_INET6);
		fe.backends[i].addr.a[14] = (uint8_t)(i >> 8);
		fe.backends[i].addr.a[15] = (uint8_t)i;
		fe.backends[i].port = (uint16_t)(1 + i);
		fe.backends[i].flags = (uint32_t)(i % 8);
	}
	for (size_t i = 0; i < 100000; i++) {
		fe.ranges[i].addr.family = AF_INET6;
		fe.ranges[i].addr.a[0] = 0x20;
		fe.ranges[i].addr.a[1] = 0x01;
		fe.ranges[i].addr.a[5] = (uint8_t)(i >> 16);
		fe.ranges[i].addr.a[6] = (uint8_t)(i >> 8);
		fe.ranges[i].addr.a[7] = (uint8_t)i;
		fe.ranges[i].prefixlen = 64;
	}
	np_lb_frontend_canon(&fe);
	CHECK_INT(fe.n_backends, 5000);
	CHECK_INT(fe.n_ranges, 100000);
	CHECK_INT(replay_line(&fe, &back, &line, &err), 0);
	CHECK(np_lb_frontend_same(&fe, &back));
	free(line);
	free(err);
	np_lb_frontend_clear(&fe);
	np_lb_frontend_clear(&back);
}

/* The fake module. */

#define MAX_FE 64

static struct {
	int family_id;			/* nlctrl's, the replies' type */
	uint64_t gen;
	struct np_lb_frontend fe[MAX_FE];	/* published */
	size_t n;
	struct np_lb_frontend staged;	/* family 0: none */
	size_t dump_per;		/* entries per dump message */
	/* what was sent */
	int nreq;
	uint8_t cmd[512];
	uint32_t stage[512];
	uint64_t expect[512];		/* NP_LB_A_GENERATION sent, or 0 */
	size_t entries[512];
	int fail_at;			/* answer request #fail_at (1-based) */
	int fail_errno;			/* with this status */
	/* the answer to read */
	unsigned char *reply;
	size_t reply_len;
	bool answered;
} fk;

static void fk_reset(void)
{
	size_t i;

	for (i = 0; i < fk.n; i++)
		np_lb_frontend_clear(&fk.fe[i]);
	np_lb_frontend_clear(&fk.staged);
	free(fk.reply);
	memset(&fk, 0, sizeof(fk));
	fk.gen = 1;
	fk.dump_per = 3;
}

static void reply_add(const void *p, size_t len)
{
	static size_t cap;

	if (!fk.reply)
		cap = 0;
	if (fk.reply_len + NLMSG_ALIGN(len) > cap) {
		cap = 2 * (fk.reply_len + NLMSG_ALIGN(len));
		fk.reply = realloc(fk.reply, cap);
	}
	memset(fk.reply + fk.reply_len, 0, NLMSG_ALIGN(len));
	memcpy(fk.reply + fk.reply_len, p, len);
	fk.reply_len += NLMSG_ALIGN(len);
}

/* NLMSG_ERROR with status err (0: an ACK), or NLMSG_DONE. */
static void reply_status(const struct nlmsghdr *req, int err, bool done)
{
	struct {
		struct nlmsghdr h;
		struct nlmsgerr e;
	} m;

	memset(&m, 0, sizeof(m));
	m.h.nlmsg_type = done ? NLMSG_DONE : NLMSG_ERROR;
	m.h.nlmsg_flags = done ? NLM_F_MULTI : 0;
	m.h.nlmsg_seq = req->nlmsg_seq;
	m.e.error = err;
	m.e.msg = *req;
	m.h.nlmsg_len = done ? NLMSG_HDRLEN + sizeof(int) : sizeof(m);
	reply_add(&m, m.h.nlmsg_len);
}

static struct nl_msg *reply_msg(const struct nlmsghdr *req, uint8_t cmd,
				int flags)
{
	struct nl_msg *msg = nlmsg_alloc_size(4096 + fk.dump_per * 48);

	if (!msg || !genlmsg_put(msg, 0, req->nlmsg_seq, fk.family_id, 0,
				 flags, cmd, 1))
		abort();
	return msg;
}

static void reply_take(struct nl_msg *msg)
{
	reply_add(nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len);
	nlmsg_free(msg);
}

/* Room for element n of *v (capacities: powers of two). */
static void room(void *pv, size_t n, size_t size)
{
	void **v = pv;

	if (n < 16 ? n == 0 : !(n & (n - 1))) {
		*v = realloc(*v, (n < 16 ? 16 : 2 * n) * size);
		if (!*v)
			abort();
	}
}

/* The request's attributes as a frontend (its entries appended to fe). */
static void fk_read(const struct nlmsghdr *nlh, struct np_lb_frontend *fe,
		    uint32_t *stage, uint64_t *expect, size_t *entries)
{
	const struct nlattr *nla, *in;
	int rem, rem2;

	*stage = 0;
	*expect = 0;
	*entries = 0;
	nla_for_each_attr(nla, (struct nlattr *)((char *)nlh + NLMSG_HDRLEN +
						 GENL_HDRLEN),
			  (int)(nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN),
			  rem) {
		switch (nla_type(nla)) {
		case NP_LB_A_FAMILY:
			fe->family = nla_get_u8((struct nlattr *)nla);
			break;
		case NP_LB_A_PROTO:
			fe->proto = nla_get_u8((struct nlattr *)nla);
			break;
		case NP_LB_A_PORT:
			fe->port = nla_get_u16((struct nlattr *)nla);
			break;
		case NP_LB_A_LOCAL4:
		case NP_LB_A_LOCAL6:
			fe->local.family = nla_type(nla) == NP_LB_A_LOCAL4 ?
					   AF_INET : AF_INET6;
			memcpy(fe->local.a, nla_data(nla),
			       (size_t)nla_len(nla));
			break;
		case NP_LB_A_OWNER:
			fe->owner = nla_get_u8((struct nlattr *)nla);
			break;
		case NP_LB_A_FLAGS:
			fe->flags = nla_get_u32((struct nlattr *)nla);
			break;
		case NP_LB_A_AFFINITY:
			fe->affinity = nla_get_u32((struct nlattr *)nla);
			break;
		case NP_LB_A_STAGE:
			*stage = nla_get_u32((struct nlattr *)nla);
			break;
		case NP_LB_A_GENERATION:
			*expect = nla_get_u64((struct nlattr *)nla);
			break;
		case NP_LB_A_BACKEND: {
			struct np_lb_backend b = { 0 };

			nla_for_each_nested(in, (struct nlattr *)nla, rem2) {
				int t = nla_type(in);

				if (t == NP_LBB_A_ADDR4 || t == NP_LBB_A_ADDR6) {
					b.addr.family = t == NP_LBB_A_ADDR4 ?
							AF_INET : AF_INET6;
					memcpy(b.addr.a, nla_data(in),
					       (size_t)nla_len(in));
				} else if (t == NP_LBB_A_PORT) {
					b.port = nla_get_u16((struct nlattr *)in);
				} else if (t == NP_LBB_A_FLAGS) {
					b.flags = nla_get_u32((struct nlattr *)in);
				}
			}
			room(&fe->backends, fe->n_backends, sizeof(b));
			fe->backends[fe->n_backends++] = b;
			(*entries)++;
			break;
		}
		case NP_LB_A_RANGE: {
			struct np_cidr c = { 0 };

			nla_for_each_nested(in, (struct nlattr *)nla, rem2) {
				int t = nla_type(in);

				if (t == NP_CIDR_A_ADDR4 || t == NP_CIDR_A_ADDR6) {
					c.addr.family = t == NP_CIDR_A_ADDR4 ?
							AF_INET : AF_INET6;
					memcpy(c.addr.a, nla_data(in),
					       (size_t)nla_len(in));
				} else if (t == NP_CIDR_A_PREFIXLEN) {
					c.prefixlen =
						nla_get_u8((struct nlattr *)in);
				}
			}
			room(&fe->ranges, fe->n_ranges, sizeof(c));
			fe->ranges[fe->n_ranges++] = c;
			(*entries)++;
			break;
		}
		}
	}
}

/* Publishes fe (taking its arrays), replacing the one with its key. */
static void fk_publish(struct np_lb_frontend *fe)
{
	size_t i;

	if (!fe->owner)
		fe->owner = NP_LB_OWNER_SERVICELB;
	np_lb_frontend_canon(fe);
	for (i = 0; i < fk.n; i++)
		if (!np_lb_frontend_cmp_key(&fk.fe[i], fe))
			break;
	if (i < fk.n)
		np_lb_frontend_clear(&fk.fe[i]);
	else
		fk.n++;
	fk.fe[i] = *fe;
	memset(fe, 0, sizeof(*fe));
	fk.gen++;
}

static int fk_set(const struct nlmsghdr *nlh, int i)
{
	struct np_lb_frontend fe = { 0 };
	uint32_t stage;
	uint64_t expect;

	fk_read(nlh, &fe, &stage, &expect, &fk.entries[i]);
	fk.stage[i] = stage;
	fk.expect[i] = expect;
	if (expect && expect != fk.gen) {
		np_lb_frontend_clear(&fe);
		return -ESTALE;
	}
	if (!stage) {
		fk_publish(&fe);
		return 0;
	}
	if (!(stage & NP_LB_STAGE_F_APPEND)) {	/* a new staged object */
		np_lb_frontend_clear(&fk.staged);
		fk.staged = fe;
		return 0;
	}
	if (!fk.staged.family || np_lb_frontend_cmp_key(&fk.staged, &fe)) {
		np_lb_frontend_clear(&fe);
		return -EINVAL;
	}
	for (size_t k = 0; k < fe.n_backends; k++) {
		room(&fk.staged.backends, fk.staged.n_backends,
		     sizeof(*fe.backends));
		fk.staged.backends[fk.staged.n_backends++] = fe.backends[k];
	}
	for (size_t k = 0; k < fe.n_ranges; k++) {
		room(&fk.staged.ranges, fk.staged.n_ranges,
		     sizeof(*fe.ranges));
		fk.staged.ranges[fk.staged.n_ranges++] = fe.ranges[k];
	}
	np_lb_frontend_clear(&fe);
	if (!(stage & NP_LB_STAGE_F_MORE)) {
		fk_publish(&fk.staged);
		memset(&fk.staged, 0, sizeof(fk.staged));
	}
	return 0;
}

static int fk_del(const struct nlmsghdr *nlh, int i)
{
	struct np_lb_frontend key = { 0 };
	size_t k;

	fk_read(nlh, &key, &fk.stage[i], &fk.expect[i], &fk.entries[i]);
	for (k = 0; k < fk.n; k++)
		if (!np_lb_frontend_cmp_key(&fk.fe[k], &key))
			break;
	if (k == fk.n)
		return -ESRCH;	/* not ENOENT: conn.c would look nlctrl up */
	np_lb_frontend_clear(&fk.fe[k]);
	fk.fe[k] = fk.fe[--fk.n];
	fk.gen++;
	return 0;
}

static void put_key(struct nl_msg *msg, const struct np_lb_frontend *fe)
{
	nla_put_u8(msg, NP_LB_A_FAMILY, (uint8_t)fe->family);
	nla_put_u8(msg, NP_LB_A_PROTO, fe->proto);
	nla_put_u16(msg, NP_LB_A_PORT, fe->port);
	if (fe->local.family)
		nla_put(msg, fe->family == AF_INET ? NP_LB_A_LOCAL4 :
			NP_LB_A_LOCAL6, fe->family == AF_INET ? 4 : 16,
			fe->local.a);
}

/* One frontend as the module dumps it: continuations past dump_per. */
static void fk_dump_one(const struct nlmsghdr *req,
			const struct np_lb_frontend *fe)
{
	size_t total = fe->n_backends + fe->n_ranges, e = 0;
	bool first = true;

	do {
		struct nl_msg *msg = reply_msg(req, NP_CMD_LB_GET, NLM_F_MULTI);
		size_t k;

		put_key(msg, fe);
		if (first) {
			struct nlattr *st;

			nla_put_u8(msg, NP_LB_A_OWNER, fe->owner);
			nla_put_u32(msg, NP_LB_A_FLAGS, fe->flags);
			nla_put_u32(msg, NP_LB_A_AFFINITY, fe->affinity);
			nla_put_u64(msg, NP_LB_A_GENERATION, fk.gen);
			st = nla_nest_start(msg, NLA_F_NESTED | NP_LB_A_STATS);
			nla_put_u64(msg, NP_LBSTAT_A_PACKETS, 5);
			nla_put_u64(msg, NP_LBSTAT_A_CONNS, 4);
			nla_nest_end(msg, st);
		} else {
			nla_put_u32(msg, NP_LB_A_STAGE, NP_LB_STAGE_F_APPEND);
		}
		for (k = 0; k < fk.dump_per && e < total; k++, e++) {
			struct nlattr *n;

			if (e < fe->n_backends) {
				const struct np_lb_backend *b = &fe->backends[e];

				n = nla_nest_start(msg, NLA_F_NESTED |
						   NP_LB_A_BACKEND);
				nla_put(msg, fe->family == AF_INET ?
					NP_LBB_A_ADDR4 : NP_LBB_A_ADDR6,
					fe->family == AF_INET ? 4 : 16,
					b->addr.a);
				nla_put_u16(msg, NP_LBB_A_PORT, b->port);
				nla_put_u32(msg, NP_LBB_A_FLAGS, b->flags);
				nla_nest_end(msg, n);
			} else {
				const struct np_cidr *c =
					&fe->ranges[e - fe->n_backends];

				n = nla_nest_start(msg, NLA_F_NESTED |
						   NP_LB_A_RANGE);
				nla_put(msg, fe->family == AF_INET ?
					NP_CIDR_A_ADDR4 : NP_CIDR_A_ADDR6,
					fe->family == AF_INET ? 4 : 16,
					c->addr.a);
				nla_put_u8(msg, NP_CIDR_A_PREFIXLEN,
					   c->prefixlen);
				nla_nest_end(msg, n);
			}
		}
		reply_take(msg);
		first = false;
	} while (e < total);
}

static int fk_send(struct nl_sock *sk, struct nl_msg *msg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	const struct genlmsghdr *g = nlmsg_data(nlh);
	int i = fk.nreq++, err = 0;
	size_t k;

	(void)sk;
	free(fk.reply);
	fk.reply = NULL;
	fk.reply_len = 0;
	fk.answered = false;
	if (i < 512)
		fk.cmd[i] = g->cmd;
	if (fk.nreq == fk.fail_at) {
		reply_status(nlh, -fk.fail_errno, false);
		return (int)nlh->nlmsg_len;
	}
	switch (g->cmd) {
	case NP_CMD_LB_SET:
	case NP_CMD_LB_DEL:
		err = g->cmd == NP_CMD_LB_SET ? fk_set(nlh, i) : fk_del(nlh, i);
		if (!err) {
			struct nl_msg *r = reply_msg(nlh, g->cmd, 0);

			nla_put_u64(r, NP_LB_A_GENERATION, fk.gen);
			reply_take(r);
		}
		reply_status(nlh, err, false);
		break;
	case NP_CMD_LB_GET:
		for (k = 0; k < fk.n; k++)
			fk_dump_one(nlh, &fk.fe[k]);
		reply_status(nlh, 0, true);
		break;
	case NP_CMD_INFO_GET: {
		struct nl_msg *r = reply_msg(nlh, g->cmd, 0);

		nla_put_u32(r, NP_INFO_A_ABI_VERSION, 1);
		nla_put_string(r, NP_INFO_A_VERSION, "fake");
		nla_put_u32(r, NP_INFO_A_FEATURES, NP_FEATURE_F_SERVICELB);
		nla_put_u64(r, NP_INFO_A_GENERATION, fk.gen);
		reply_take(r);
		reply_status(nlh, 0, false);
		break;
	}
	default:
		reply_status(nlh, -EOPNOTSUPP, false);
	}
	return (int)nlh->nlmsg_len;
}

static int fk_recv(struct nl_sock *sk, struct sockaddr_nl *nla,
		   unsigned char **buf, struct ucred **creds)
{
	(void)sk;
	(void)creds;
	if (fk.answered)
		return 0;
	fk.answered = true;
	memset(nla, 0, sizeof(*nla));
	nla->nl_family = AF_NETLINK;
	*buf = malloc(fk.reply_len);
	if (!*buf)
		return -NLE_NOMEM;
	memcpy(*buf, fk.reply, fk.reply_len);
	return (int)fk.reply_len;
}

static int fk_open(struct np_nl **nl, struct np_err *err)
{
	struct nl_sock *sk;
	struct nl_cb *cb;
	int r;

	r = np_nl_open_family(nl, "nlctrl", err);
	if (r < 0)
		return r;
	fk.family_id = np_nl_family_id(*nl);
	sk = ((struct np_nl_head *)*nl)->sk;
	nl_socket_disable_seq_check(sk);
	cb = nl_socket_get_cb(sk);
	nl_cb_overwrite_send(cb, fk_send);
	nl_cb_overwrite_recv(cb, fk_recv);
	nl_cb_put(cb);
	return 0;
}

/* nodeplanectl ARGS... against the fake (stdout not a terminal: -s). */
static struct ctlres fk_run(bool script, const char *first, ...)
{
	struct ctlres r;
	char *argv[64];
	struct cap c;
	va_list ap;
	int argc = 0;

	argv[argc++] = "nodeplanectl";
	argv[argc++] = (char *)first;
	va_start(ap, first);
	while (argc < 63 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	cap_open(&c, script);
	c.ctl.nl_open = fk_open;
	r.status = np_ctl_main(&c.ctl, argc, argv);
	cap_close(&c);
	r.out = c.out;
	r.err = c.err;
	return r;
}

/* np_ctl_batch() of text against the fake. */
static struct ctlres fk_batch(const char *text)
{
	struct ctlres r;
	struct cap c;
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	if (!f)
		abort();
	cap_open(&c, true);
	c.ctl.nl_open = fk_open;
	r.status = np_ctl_batch(&c.ctl, "lb.conf", f);
	cap_close(&c);
	fclose(f);
	r.out = c.out;
	r.err = c.err;
	return r;
}

TEST(set_show_del_through_the_fake_module)
{
	struct ctlres r;

	NEED_NLCTRL();
	fk_reset();
	r = fk_run(true, "lb", "set", "tcp", "80", "local", "10.0.0.1",
		   "backend", "10.42.0.2:80/local,10.42.0.1:80", "hairpin", NULL);
	CHECK_STR(r.err, "");
	CHECK_INT(r.status, 0);
	ctlres_free(&r);
	CHECK_INT(fk.nreq, 1);
	CHECK_INT(fk.cmd[0], NP_CMD_LB_SET);
	CHECK_INT(fk.stage[0], 0);
	CHECK_INT(fk.expect[0], 0);
	CHECK_INT(fk.n, 1);
	CHECK_INT(fk.fe[0].n_backends, 2);
	CHECK_INT(fk.fe[0].flags, NP_LB_F_HAIRPIN);
	r = fk_run(false, "lb", "show", NULL);
	CHECK_INT(r.status, 0);
	CHECK_STR(r.out, "tcp/10.0.0.1:80, owner servicelb\n"
		  "  flags      hairpin\n"
		  "  affinity   -\n"
		  "  ranges     any source\n"
		  "  counters   packets 5 conns 4\n"
		  "  backends   2\n"
		  "    10.42.0.1:80/ready\n"
		  "    10.42.0.2:80/local/ready\n");
	ctlres_free(&r);
	r = fk_run(true, "lb", "del", "tcp", "80", NULL);
	CHECK_INT(r.status, 1);
	CHECK_STR(r.err, "nodeplanectl: lb del: No such process\n");
	ctlres_free(&r);
	r = fk_run(true, "lb", "del", "tcp", "80", "local", "10.0.0.1", NULL);
	CHECK_STR(r.err, "");
	CHECK_INT(r.status, 0);
	ctlres_free(&r);
	CHECK_INT(fk.n, 0);
	r = fk_run(false, "lb", "show", NULL);
	CHECK_STR(r.out, "no frontends\n");
	ctlres_free(&r);
	r = fk_run(true, "-j", "lb", "show", NULL);
	CHECK_STR(r.out, "{\n\t\"generation\":\t3,\n\t\"frontends\":\t[]\n}\n");
	ctlres_free(&r);
}

/* A set of random frontends in the fake, by `lb set` lines. */
static void fill(int n, size_t max_b, size_t max_r)
{
	int i;

	for (i = 0; i < n; i++) {
		struct np_lb_frontend fe;

		rnd_frontend(&fe, max_b, max_r);
		fk_publish(&fe);
	}
}

TEST(show_script_replays_through_batch)
{
	struct np_lb_frontend saved[MAX_FE];
	struct ctlres r, r2;
	size_t n, i;

	NEED_NLCTRL();
	for (int round = 0; round < 20; round++) {
		fk_reset();
		fill(40, 30, 20);
		n = fk.n;
		for (i = 0; i < n; i++)
			np_lb_frontend_copy(&saved[i], &fk.fe[i]);
		r = fk_run(true, "lb", "show", NULL);
		CHECK_INT(r.status, 0);
		/* Replay into an empty module. */
		for (i = 0; i < fk.n; i++)
			np_lb_frontend_clear(&fk.fe[i]);
		fk.n = 0;
		r2 = fk_batch(r.out);
		if (r2.status || fk.n != n) {
			CHECK_FAIL("round %d: status %d, %zu frontends of %zu: %s",
				   round, r2.status, fk.n, n, r2.err);
		}
		qsort(saved, n, sizeof(*saved), np_lb_frontend_qcmp);
		qsort(fk.fe, n, sizeof(*fk.fe), np_lb_frontend_qcmp);
		for (i = 0; i < n; i++) {
			if (!np_lb_frontend_same(&saved[i], &fk.fe[i])) {
				char key[96];

				CHECK_FAIL("round %d: %s differs after replay",
					   round, np_lb_key_str(&saved[i], key,
								sizeof(key)));
			}
			np_lb_frontend_clear(&saved[i]);
		}
		/* And what it shows now is what it showed. */
		ctlres_free(&r2);
		r2 = fk_run(true, "lb", "show", NULL);
		CHECK_STR(r2.out, r.out);
		ctlres_free(&r);
		ctlres_free(&r2);
	}
	fk_reset();
}

TEST(large_frontend_staged_in_chunks)
{
	struct np_lb_frontend want;
	struct np_lb_list l = { &want, 1 };
	struct np_nl *nl;
	struct np_err err;
	uint64_t gen = 0;
	char *line, *b;
	struct ctlres r;
	int i;

	NEED_NLCTRL();
	fk_reset();
	fk.gen = 40;
	rnd_frontend(&want, 0, 0);
	np_lb_frontend_clear(&want);
	want.n_backends = 5000;
	want.backends = calloc(5000, sizeof(*want.backends));
	for (i = 0; i < 5000; i++) {
		rnd_addr(&want.backends[i].addr, want.family);
		want.backends[i].addr.a[want.family == AF_INET ? 2 : 14] =
			(uint8_t)(i >> 8);
		want.backends[i].addr.a[want.family == AF_INET ? 3 : 15] =
			(uint8_t)i;
		want.backends[i].port = 80;
		want.backends[i].flags = NP_LBB_F_READY;
	}
	np_lb_frontend_canon(&want);
	/* Through the command line, as a saved configuration replays. */
	line = print_list(&l, true);
	r = fk_batch(line);
	free(line);
	CHECK_STR(r.err, "");
	CHECK_INT(r.status, 0);
	ctlres_free(&r);
	CHECK_INT(fk.nreq, 5);
	CHECK_INT(fk.stage[0], NP_LB_STAGE_F_MORE);
	for (i = 1; i < 4; i++)
		CHECK_INT(fk.stage[i], NP_LB_STAGE_F_APPEND | NP_LB_STAGE_F_MORE);
	CHECK_INT(fk.stage[4], NP_LB_STAGE_F_APPEND);
	for (i = 0; i < 5; i++)
		CHECK_INT(fk.entries[i], 1000);
	/* Chained expectations: none on the first (the CLI sets none). */
	CHECK_INT(fk.expect[0], 0);
	for (i = 1; i < 5; i++)
		CHECK_INT(fk.expect[i], 40);
	CHECK_INT(fk.n, 1);
	CHECK(np_lb_frontend_same(&fk.fe[0], &want));
	CHECK_INT(fk.gen, 41);

	/* The library: an expected generation, and *gen back. */
	want.n_ranges = 100000;
	want.ranges = calloc(100000, sizeof(*want.ranges));
	for (i = 0; i < 100000; i++) {
		want.ranges[i].addr.family = want.family;
		want.ranges[i].addr.a[0] = 100;
		want.ranges[i].addr.a[1] = (uint8_t)(i >> 16);
		want.ranges[i].addr.a[2] = (uint8_t)(i >> 8);
		want.ranges[i].addr.a[3] = (uint8_t)i;
		want.ranges[i].prefixlen = 32;
	}
	np_lb_frontend_canon(&want);
	CHECK_INT(fk_open(&nl, &err), 0);
	fk.nreq = 0;
	CHECK_INT(np_nl_lb_set(nl, &want, 41, &gen, &err), 0);
	CHECK_INT(fk.nreq, 105);
	CHECK_INT(fk.expect[0], 41);
	CHECK_INT(fk.expect[104], 41);
	CHECK_INT(fk.stage[104], NP_LB_STAGE_F_APPEND);
	CHECK_INT(gen, 42);
	CHECK(np_lb_frontend_same(&fk.fe[0], &want));
	/* The dump merges it back, 900 entries a message. */
	np_nl_close(nl);
	fk.dump_per = 900;
	r = fk_run(true, "lb", "show", NULL);
	CHECK_INT(r.status, 0);
	b = print_list(&l, true);
	CHECK(!strcmp(r.out, b));
	free(b);
	ctlres_free(&r);

	/* A chunk refused: the published frontend stays as it was. */
	CHECK_INT(fk_open(&nl, &err), 0);
	fk.nreq = 0;
	fk.fail_at = 3;
	fk.fail_errno = ENOSPC;
	want.flags ^= NP_LB_F_MASQ_ALL;
	CHECK_INT(np_nl_lb_set(nl, &want, 0, &gen, &err), -ENOSPC);
	CHECK_INT(fk.nreq, 3);
	CHECK_CONTAINS(err.msg, ": chunk 3 of 105: ");
	CHECK_INT(gen, 42);
	CHECK_INT(fk.fe[0].flags, want.flags ^ NP_LB_F_MASQ_ALL);
	/* The generation moved under us: the first chunk says so. */
	fk.fail_at = 0;
	fk.nreq = 0;
	CHECK_INT(np_nl_lb_set(nl, &want, 41, &gen, &err), -ESTALE);
	CHECK_INT(fk.nreq, 1);
	np_nl_close(nl);
	np_lb_frontend_clear(&want);
	fk_reset();
}

/* info's LB keys. */

static const struct np_info lb_info = {
	.abi = 1,
	.version = "0.2.0",
	.features = NP_FEATURE_F_SERVICELB | NP_FEATURE_F_HOSTPORT,
	.have_counts = 1,
	.requests = 3,
	.have = NP_INFO_HAVE_DISABLED | NP_INFO_HAVE_LIMITS |
		NP_INFO_HAVE_GENERATION | NP_INFO_HAVE_LB_COUNTS |
		NP_INFO_HAVE_LB_LIMITS,
	.disabled = NP_FEATURE_F_OVERLAY,
	.max_devices = 4, .max_peers = 5, .max_cidrs = 6,
	.generation = 18446744073709551615ULL,
	.lb_frontends = 2, .lb_backends = 7, .lb_ranges = 3, .lb_staged = 1,
	.max_frontends = 1024, .max_backends = 65536, .max_ranges = 262144,
};

static char *info_out(const struct np_info *info, int mode)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	if (mode == 2)
		np_ctl_info_json(f, info);
	else
		np_ctl_info_print(f, info, mode == 1);
	fclose(f);
	return buf;
}

TEST(info_lb_keys)
{
	struct np_info old = lb_info;
	cJSON *o, *arr;
	char *out;

	out = info_out(&lb_info, 1);
	CHECK_STR(out, "version\t0.2.0\nabi\t1\nfeatures\tservicelb,hostport\n"
		  "disabled\toverlay\nrequests\t3\nmax_devices\t4\n"
		  "max_peers\t5\nmax_cidrs\t6\n"
		  "generation\t18446744073709551615\nlb_frontends\t2\n"
		  "lb_backends\t7\nlb_ranges\t3\nlb_staged\t1\n"
		  "max_frontends\t1024\nmax_backends\t65536\n"
		  "max_ranges\t262144\n");
	free(out);
	out = info_out(&lb_info, 0);
	CHECK_CONTAINS(out, "lb generation    18446744073709551615\n"
		       "lb               2 frontends, 7 backends, 3 ranges, 1 staged\n"
		       "lb limits        frontends 1024, backends 65536, ranges 262144 per netns\n");
	free(out);
	out = info_out(&lb_info, 2);
	o = cJSON_Parse(out);
	if (!o)
		CHECK_FAIL("not JSON: %.200s", out);
	CHECK_CONTAINS(out, "\"generation\":\t18446744073709551615");
	free(out);
	CHECK_STR(jstr(o, "version"), "0.2.0");
	CHECK(jnum(o, "abi") == 1);
	CHECK(jnum(o, "requests") == 3);
	CHECK(jnum(o, "lb_frontends") == 2);
	CHECK(jnum(o, "lb_backends") == 7);
	CHECK(jnum(o, "lb_ranges") == 3);
	CHECK(jnum(o, "lb_staged") == 1);
	CHECK(jnum(o, "max_frontends") == 1024);
	CHECK(jnum(o, "max_backends") == 65536);
	CHECK(jnum(o, "max_ranges") == 262144);
	CHECK(jnum(o, "max_cidrs") == 6);
	arr = cJSON_GetObjectItemCaseSensitive(o, "features");
	CHECK_INT(cJSON_GetArraySize(arr), 2);
	CHECK_STR(cJSON_GetArrayItem(arr, 1)->valuestring, "hostport");
	arr = cJSON_GetObjectItemCaseSensitive(o, "disabled");
	CHECK_INT(cJSON_GetArraySize(arr), 1);
	CHECK_STR(cJSON_GetArrayItem(arr, 0)->valuestring, "overlay");
	cJSON_Delete(o);

	/* An older module: none of the LB keys in any form. */
	old.have = NP_INFO_HAVE_LIMITS;
	out = info_out(&old, 1);
	CHECK(!strstr(out, "generation") && !strstr(out, "lb_") &&
	      !strstr(out, "max_frontends"));
	free(out);
	out = info_out(&old, 0);
	CHECK(!strstr(out, "lb generation") && !strstr(out, "frontends") &&
	      !strstr(out, "lb limits"));
	free(out);
	out = info_out(&old, 2);
	o = cJSON_Parse(out);
	free(out);
	CHECK(o);
	CHECK(!cJSON_GetObjectItemCaseSensitive(o, "generation"));
	CHECK(!cJSON_GetObjectItemCaseSensitive(o, "lb_frontends"));
	CHECK(!cJSON_GetObjectItemCaseSensitive(o, "max_ranges"));
	CHECK(!cJSON_GetObjectItemCaseSensitive(o, "disabled"));
	CHECK(jnum(o, "max_devices") == 4);
	cJSON_Delete(o);
}

TEST(json_info_and_lb_through_main)
{
	struct ctlres r;
	cJSON *o;

	NEED_NLCTRL();
	fk_reset();
	fk.gen = 12;
	r = fk_run(false, "-j", "info", NULL);
	CHECK_INT(r.status, 0);
	o = cJSON_Parse(r.out);
	CHECK(o);
	CHECK(jnum(o, "generation") == 12);
	CHECK_STR(jstr(o, "version"), "fake");
	cJSON_Delete(o);
	ctlres_free(&r);
	fill(3, 2, 2);
	r = fk_run(false, "lb", "show", "-j", NULL);
	CHECK_INT(r.status, 0);
	o = cJSON_Parse(r.out);
	CHECK(o);
	CHECK(jnum(o, "generation") == 15);
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "frontends")), 3);
	cJSON_Delete(o);
	ctlres_free(&r);
	fk_reset();
}

int main(void)
{
	struct np_nl *nl;

	nlctrl_ok = np_nl_open_family(&nl, "nlctrl", &nlctrl_err) == 0;
	np_nl_close(nlctrl_ok ? nl : NULL);

	RUN(set_every_word);
	RUN(set_defaults_and_families);
	RUN(del_words);
	RUN(set_errors_name_word_and_value);
	RUN(lb_command_usage_errors);
	RUN(show_script_lines);
	RUN(show_pretty);
	RUN(show_json);
	RUN(show_script_parses_back_identical);
	RUN(show_script_parses_back_large);
	RUN(set_show_del_through_the_fake_module);
	RUN(show_script_replays_through_batch);
	RUN(large_frontend_staged_in_chunks);
	RUN(info_lb_keys);
	RUN(json_info_and_lb_through_main);
	return check_summary();
}
