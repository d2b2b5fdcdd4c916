// SPDX-License-Identifier: GPL-2.0-only
/*
 * nodeplanectl masq: the masquerade of pod traffic leaving the cluster
 * (NP_CMD_MASQ_SET, NP_CMD_MASQ_GET).
 *
 * Script output of `masq show` (stable), one line, tab-separated:
 *   masq cluster-cidr CIDR[,CIDR]|none ipv6 on|off
 * It is nodeplanectl arguments: `nodeplanectl masq cluster-cidr ...` is
 * `masq set cluster-cidr ...`.
 */
#include <string.h>
#include <sys/socket.h>

#include <linux/nodeplane.h>

#include "ctl/ctl.h"

#define CMD "masq"
#define MAX_WORDS 16
#define KEY_WIDTH 16

static const char help[] =
	"Commands:\n"
	"  set cluster-cidr CIDR[,CIDR]|none [ipv6 on|off]\n"
	"      Replace the masquerade configuration: the cluster CIDRs, at\n"
	"      most one IPv4 and one IPv6 (\"none\": no CIDR), and whether\n"
	"      IPv6 is masqueraded too (default off).\n"
	"  show\n"
	"      Show the masquerade configuration.\n"
	"\n"
	"Script output of show (-s, or standard output not a terminal), one\n"
	"line, fields separated by tabs:\n"
	"  masq cluster-cidr CIDR[,CIDR]|none ipv6 on|off\n"
	"CIDRs are in the module's order. The line is arguments of this\n"
	"program: \"nodeplanectl masq cluster-cidr ...\" is \"masq set\n"
	"cluster-cidr ...\".\n";

int np_ctl_masq_set_parse(struct np_ctl *ctl, int argc, char **argv,
			  struct np_masq *masq)
{
	static const char what[] = "masq set";
	enum { CIDR, IPV6 };
	struct np_ctl_kv kv[] = {
		[CIDR] = { "cluster-cidr", NULL }, [IPV6] = { "ipv6", NULL },
	};
	char tok[2][NP_CTL_CIDR_STRLEN];
	bool on = false;
	int n, i;

	memset(masq, 0, sizeof(*masq));
	if (np_ctl_kv_parse(ctl, CMD, what, argv, argc, kv,
			    sizeof(kv) / sizeof(kv[0])) < 0)
		return -1;
	if (!kv[CIDR].value) {
		np_ctl_usage_errorf(ctl, CMD, what,
				    "missing 'cluster-cidr CIDR[,CIDR]'");
		return -1;
	}
	if (kv[IPV6].value && np_ctl_onoff_parse(kv[IPV6].value, &on) < 0) {
		np_ctl_errorf(ctl, what, "ipv6: '%s' is not on or off",
			      kv[IPV6].value);
		return -1;
	}
	masq->flags = on ? NP_MASQ_F_IPV6 : 0;
	if (!strcmp(kv[CIDR].value, "none"))
		return 0;
	n = np_ctl_split(kv[CIDR].value, tok, 2);
	if (n == -1) {
		np_ctl_errorf(ctl, what,
			      "cluster-cidr: '%s': at most one IPv4 and one IPv6 CIDR",
			      kv[CIDR].value);
		return -1;
	}
	if (n == -2) {
		np_ctl_errorf(ctl, what,
			      "cluster-cidr: '%s' is not a CIDR (ADDR/PREFIXLEN)",
			      kv[CIDR].value);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (np_cidr_parse(tok[i], &masq->cidrs[i]) < 0) {
			np_ctl_errorf(ctl, what,
				      "cluster-cidr: '%s' is not a CIDR (ADDR/PREFIXLEN)",
				      tok[i]);
			return -1;
		}
	}
	if (n == 2 && masq->cidrs[0].addr.family == masq->cidrs[1].addr.family) {
		np_ctl_errorf(ctl, what,
			      "cluster-cidr: two %s CIDRs ('%s' and '%s'); give at most one of each family",
			      masq->cidrs[0].addr.family == AF_INET ? "IPv4" : "IPv6",
			      tok[0], tok[1]);
		return -1;
	}
	masq->n_cidrs = (unsigned int)n;
	return 0;
}

void np_ctl_masq_print(FILE *out, const struct np_masq *masq, bool script)
{
	const char *sep = script ? "," : ", ";
	char b[NP_CTL_CIDR_STRLEN];
	const char *ipv6 = masq->flags & NP_MASQ_F_IPV6 ? "on" : "off";
	unsigned int i;

	if (script)
		fputs("masq\tcluster-cidr\t", out);
	else
		fprintf(out, "%-*s ", KEY_WIDTH, "cluster cidrs");
	for (i = 0; i < masq->n_cidrs; i++)
		fprintf(out, "%s%s", i ? sep : "",
			np_cidr_str(&masq->cidrs[i], b, sizeof(b)));
	if (!masq->n_cidrs)
		fputs("none", out);
	if (script)
		fprintf(out, "\tipv6\t%s\n", ipv6);
	else
		fprintf(out, "\n%-*s %s\n", KEY_WIDTH, "ipv6 masquerade", ipv6);
}

static int run_set(struct np_ctl *ctl, int argc, char **argv)
{
	struct np_masq masq;
	struct np_nl *nl;
	struct np_err err;
	int r;

	if (np_ctl_masq_set_parse(ctl, argc, argv, &masq) < 0)
		return NP_CTL_EXIT_FAIL;
	if (np_ctl_nl_open(ctl, &nl, &err) < 0) {
		np_ctl_error(ctl, "masq set", &err);
		return NP_CTL_EXIT_FAIL;
	}
	r = np_nl_masq_set(nl, &masq, &err);
	np_ctl_nl_close(ctl, nl);
	if (r < 0) {
		np_ctl_error(ctl, "masq set", &err);
		return NP_CTL_EXIT_FAIL;
	}
	return NP_CTL_EXIT_OK;
}

static int run_show(struct np_ctl *ctl, int argc, char **argv)
{
	struct np_masq masq;
	struct np_nl *nl;
	struct np_err err;
	int r;

	if (argc > 0) {
		np_ctl_usage_errorf(ctl, CMD, "masq show",
				    "unexpected argument '%s'", argv[0]);
		return NP_CTL_EXIT_FAIL;
	}
	if (np_ctl_nl_open(ctl, &nl, &err) < 0) {
		np_ctl_error(ctl, "masq show", &err);
		return NP_CTL_EXIT_FAIL;
	}
	r = np_nl_masq_get(nl, &masq, &err);
	np_ctl_nl_close(ctl, nl);
	if (r < 0) {
		np_ctl_error(ctl, "masq show", &err);
		return NP_CTL_EXIT_FAIL;
	}
	np_ctl_masq_print(ctl->out, &masq, ctl->script);
	return NP_CTL_EXIT_OK;
}

static int run(struct np_ctl *ctl, int argc, char **argv)
{
	char *w[MAX_WORDS];
	int n = MAX_WORDS;
	int r;

	r = np_ctl_args(ctl, &np_ctl_cmd_masq, argc, argv, w, &n);
	if (r != NP_CTL_CONTINUE)
		return r;
	if (n == 0) {
		np_ctl_usage_errorf(ctl, CMD, CMD, "missing command (set or show)");
		return NP_CTL_EXIT_FAIL;
	}
	if (!strcmp(w[0], "set"))
		return run_set(ctl, n - 1, w + 1);
	if (!strcmp(w[0], "show"))
		return run_show(ctl, n - 1, w + 1);
	/* "masq cluster-cidr ...", as `masq show -s` prints it. */
	if (!strcmp(w[0], "cluster-cidr"))
		return run_set(ctl, n, w);
	np_ctl_usage_errorf(ctl, CMD, CMD, "unknown command '%s'", w[0]);
	return NP_CTL_EXIT_FAIL;
}

const struct np_ctl_cmd np_ctl_cmd_masq = {
	.name = "masq",
	.args = "set|show [ARGS]",
	.summary = "configure masquerade of traffic leaving the cluster, or show it",
	.help = help,
	.run = run,
};
