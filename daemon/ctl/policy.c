// SPDX-License-Identifier: GPL-2.0-only
/*
 * nodeplanectl policy: the NetworkPolicy state of the module (show: the
 * NP_CMD_POLICY_GET dump), one transaction by hand (set: class map
 * entries and endpoints, NP_CMD_POLICY_SET), and trace (the evaluator on
 * the cluster's objects: ctl/policy_trace.c, reached through
 * ctl->policy_trace).
 *
 * Script output of `policy show` (stable): lines that are the `policy
 * set` commands making the same state (each line its own transaction),
 * tab-separated: the class map in lines of at most SHOW_CLASSES_PER_LINE
 * entries, sorted by prefix, then one line per endpoint, sorted by
 * address:
 *   policy set class CIDR=CLASS[,CIDR=CLASS...]
 *   policy set endpoint ADDR [name NS/POD] isolated ingress|egress|
 *          ingress,egress|none [rule RULE[;RULE...]]
 * RULE is DIR:PEER:PORTS: DIR ingress or egress, PEER a class or "any",
 * PORTS "all" or PROTO[/PORT[-PORT]][,...]. Counters are in the pretty
 * output only.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/nodeplane.h>

#include "ctl/ctl.h"

#define CMD "policy"
#define KEY_WIDTH 10
#define SHOW_CLASSES_PER_LINE 1000
#define SHOW_PREFIXES_PER_CLASS 4
#define SHOW_CLASSES 64

static const char help[] =
	"Commands:\n"
	"  show\n"
	"      The class map (summarised: prefixes per class) and every\n"
	"      endpoint (this node's pods) with its name, isolation, rules and\n"
	"      counters.\n"
	"  set [generation N] [class CIDR=CLASS[,CIDR=CLASS...]]...\n"
	"      [endpoint ADDR [name NS/POD] [isolated ingress|egress|ingress,egress|none]\n"
	"                     [rule RULE[;RULE...]]... | endpoint ADDR delete]...\n"
	"      One transaction: every class entry and endpoint given is\n"
	"      published at once; what is not named is untouched. CLASS is\n"
	"      1..16777215, 0 removes the prefix. An endpoint is replaced as a\n"
	"      whole (isolated: none by default); delete removes it. RULE is\n"
	"      DIR:PEER:PORTS, DIR ingress or egress, PEER a CLASS or any,\n"
	"      PORTS all or PROTO[/PORT[-LAST]][,...] (PROTO tcp, udp or sctp;\n"
	"      without PORT every port). generation N: refused (stale) unless\n"
	"      the module's policy generation is N.\n"
	"  trace SRC DST PROTO PORT [config FILE]\n"
	"      Loads Pods, Namespaces and NetworkPolicies as nodeplaned does\n"
	"      (the configuration file's kubeconfig, else its manifests-dir;\n"
	"      default " "/etc/nodeplane/config.yaml" ") and says whether a new\n"
	"      connection SRC -> DST on PROTO/PORT is allowed on this node,\n"
	"      which policies isolate each side and which rule allowed it.\n"
	"\n"
	"Script output of show (-s, or standard output not a terminal): the\n"
	"\"policy set\" lines that `nodeplanectl -b FILE` replays to the same\n"
	"state: the class map (at most 1000 entries a line), then one line per\n"
	"endpoint, sorted by address. Counters are shown by the pretty output.\n";

static int proto_parse(const char *s, uint8_t *p)
{
	if (!strcmp(s, "tcp"))
		*p = IPPROTO_TCP;
	else if (!strcmp(s, "udp"))
		*p = IPPROTO_UDP;
	else if (!strcmp(s, "sctp"))
		*p = IPPROTO_SCTP;
	else
		return -1;
	return 0;
}

/* ---- parsing `policy set` ----------------------------------------------- */

struct set_state {
	struct np_ctl *ctl;
	struct np_pol_class *cls;
	size_t n_cls, cap_cls;
	struct np_pol_endpoint *eps;
	size_t n_eps, cap_eps;
};

static int push(void **v, size_t *n, size_t *cap, const void *e, size_t size)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		void *p = realloc(*v, nc * size);

		if (!p)
			return -1;
		*v = p;
		*cap = nc;
	}
	memcpy((char *)*v + *n * size, e, size);
	(*n)++;
	return 0;
}

static void set_state_free(struct set_state *st)
{
	size_t i;

	for (i = 0; i < st->n_eps; i++)
		np_pol_endpoint_clear(&st->eps[i]);
	free(st->eps);
	free(st->cls);
}

/* "CIDR=CLASS,..." */
static int parse_classes(struct set_state *st, const char *val)
{
	const char *s = val;
	char tok[NP_CIDR_STRLEN + 16];

	for (;;) {
		const char *end = strchr(s, ',');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		struct np_pol_class c;
		struct np_addr net;
		unsigned long v;
		char *eq;

		if (!len || len >= sizeof(tok))
			goto bad;
		memcpy(tok, s, len);
		tok[len] = '\0';
		eq = strchr(tok, '=');
		if (!eq)
			goto bad;
		*eq = '\0';
		if (np_cidr_parse(tok, &c.cidr) < 0 ||
		    np_ctl_uint_parse(eq + 1, 0, NP_POL_CLASS_MAX, &v) < 0)
			goto bad;
		np_cidr_network(&c.cidr, &net);
		if (!np_addr_eq(&net, &c.cidr.addr)) {
			np_ctl_errorf(st->ctl, "policy set",
				      "class \"%s\": host bits set", tok);
			return -1;
		}
		c.cls = (uint32_t)v;
		if (push((void **)&st->cls, &st->n_cls, &st->cap_cls, &c,
			 sizeof(c)) < 0) {
			np_ctl_errorf(st->ctl, "policy set", "out of memory");
			return -1;
		}
		if (!end)
			return 0;
		s = end + 1;
	}
bad:
	np_ctl_errorf(st->ctl, "policy set",
		      "class \"%s\": expected CIDR=CLASS[,CIDR=CLASS...] (CLASS 0..%u)",
		      val, NP_POL_CLASS_MAX);
	return -1;
}

/* "tcp", "tcp/80", "udp/5000-5010" */
static int parse_port(const char *tok, struct np_pol_port *p)
{
	char buf[32], *slash, *dash;
	unsigned long a, b;

	if (strlen(tok) >= sizeof(buf))
		return -1;
	strcpy(buf, tok);
	memset(p, 0, sizeof(*p));
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (proto_parse(buf, &p->proto) < 0)
		return -1;
	if (!slash)
		return 0;
	dash = strchr(slash, '-');
	if (dash)
		*dash++ = '\0';
	if (np_ctl_uint_parse(slash, 1, 65535, &a) < 0)
		return -1;
	b = a;
	if (dash && np_ctl_uint_parse(dash, a, 65535, &b) < 0)
		return -1;
	p->first = (uint16_t)a;
	p->last = (uint16_t)b;
	return 0;
}

/* One "DIR:PEER:PORTS" into ep's rules (room for one more made). */
static int parse_rule(struct set_state *st, struct np_pol_endpoint *ep,
		      const char *tok)
{
	struct np_pol_rule r = { 0 };
	char *buf = strdup(tok), *peer, *ports, *p, *save = NULL;
	size_t cap = 0;
	unsigned long v;

	if (!buf)
		goto oom;
	peer = strchr(buf, ':');
	ports = peer ? strchr(peer + 1, ':') : NULL;
	if (!ports)
		goto bad;
	*peer++ = '\0';
	*ports++ = '\0';
	if (!strcmp(buf, "ingress"))
		r.dir = NP_POL_DIR_INGRESS;
	else if (!strcmp(buf, "egress"))
		r.dir = NP_POL_DIR_EGRESS;
	else
		goto bad;
	if (strcmp(peer, "any")) {
		if (np_ctl_uint_parse(peer, 1, NP_POL_CLASS_MAX, &v) < 0)
			goto bad;
		r.cls = (uint32_t)v;
	}
	if (strcmp(ports, "all")) {
		if (!ports[0] || ports[strlen(ports) - 1] == ',' ||
		    strstr(ports, ",,") || ports[0] == ',')
			goto bad;
		for (p = strtok_r(ports, ",", &save); p;
		     p = strtok_r(NULL, ",", &save)) {
			struct np_pol_port po;

			if (parse_port(p, &po) < 0)
				goto bad;
			if (push((void **)&r.ports, &r.n_ports, &cap, &po,
				 sizeof(po)) < 0)
				goto oom;
		}
	}
	ep->rules[ep->n_rules++] = r;	/* the caller made room */
	free(buf);
	return 0;
bad:
	np_ctl_errorf(st->ctl, "policy set",
		      "rule \"%s\": expected DIR:PEER:PORTS (DIR ingress or egress, PEER a class or any, PORTS all or PROTO[/PORT[-LAST]][,...])",
		      tok);
	free(r.ports);
	free(buf);
	return -1;
oom:
	np_ctl_errorf(st->ctl, "policy set", "out of memory");
	free(r.ports);
	free(buf);
	return -1;
}

static int parse_rules(struct set_state *st, struct np_pol_endpoint *ep,
		       const char *val)
{
	char *buf = strdup(val), *p, *save = NULL;
	int r = 0;

	if (!buf) {
		np_ctl_errorf(st->ctl, "policy set", "out of memory");
		return -1;
	}
	if (!val[0] || val[strlen(val) - 1] == ';' || val[0] == ';' ||
	    strstr(val, ";;")) {
		np_ctl_errorf(st->ctl, "policy set", "rule \"%s\": empty rule",
			      val);
		free(buf);
		return -1;
	}
	for (p = strtok_r(buf, ";", &save); p && !r;
	     p = strtok_r(NULL, ";", &save)) {
		/* rules grow one at a time: realloc to the exact count */
		struct np_pol_rule *v = realloc(ep->rules, (ep->n_rules + 1) *
						sizeof(*v));

		if (!v) {
			np_ctl_errorf(st->ctl, "policy set", "out of memory");
			r = -1;
			break;
		}
		ep->rules = v;
		r = parse_rule(st, ep, p);
	}
	free(buf);
	return r;
}

int np_ctl_policy_set_parse(struct np_ctl *ctl, int argc, char **argv,
			    struct np_pol_class **cls, size_t *n_cls,
			    struct np_pol_endpoint **eps, size_t *n_eps,
			    uint64_t *gen)
{
	struct set_state st = { .ctl = ctl };
	struct np_pol_endpoint *ep = NULL;
	bool seen_name = false, seen_iso = false, seen_gen = false;
	int i;

	*gen = 0;
	for (i = 0; i < argc; i++) {
		const char *w = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(w, "delete") && ep) {
			if (ep->flags || ep->name || ep->n_rules || seen_iso) {
				np_ctl_usage_errorf(ctl, CMD, "policy set",
						    "'delete' takes no name, isolated or rule");
				goto fail;
			}
			ep->flags = NP_PEP_F_DELETE;
			continue;
		}
		if (strcmp(w, "generation") && strcmp(w, "class") &&
		    strcmp(w, "endpoint") &&
		    (!ep || (strcmp(w, "name") && strcmp(w, "isolated") &&
			     strcmp(w, "rule")))) {
			np_ctl_usage_errorf(ctl, CMD, "policy set",
					    "unknown word '%s'", w);
			goto fail;
		}
		if (!val) {
			np_ctl_usage_errorf(ctl, CMD, "policy set",
					    "'%s' needs a value", w);
			goto fail;
		}
		i++;
		if (ep && ep->flags == NP_PEP_F_DELETE &&
		    (!strcmp(w, "name") || !strcmp(w, "isolated") ||
		     !strcmp(w, "rule"))) {
			np_ctl_usage_errorf(ctl, CMD, "policy set",
					    "'delete' takes no name, isolated or rule");
			goto fail;
		}
		if (!strcmp(w, "generation")) {
			unsigned long long g;
			char *end;

			if (seen_gen) {
				np_ctl_usage_errorf(ctl, CMD, "policy set",
						    "'generation' given twice");
				goto fail;
			}
			seen_gen = true;
			g = strtoull(val, &end, 10);
			if (!val[0] || *end || val[0] == '-' || !g) {
				np_ctl_errorf(ctl, "policy set",
					      "generation \"%s\": expected a number from 1",
					      val);
				goto fail;
			}
			*gen = g;
		} else if (!strcmp(w, "class")) {
			if (parse_classes(&st, val) < 0)
				goto fail;
		} else if (!strcmp(w, "endpoint")) {
			struct np_pol_endpoint e = { 0 };

			if (np_addr_parse(val, &e.addr) < 0) {
				np_ctl_errorf(ctl, "policy set",
					      "endpoint \"%s\": expected an IPv4 or IPv6 address",
					      val);
				goto fail;
			}
			if (push((void **)&st.eps, &st.n_eps, &st.cap_eps, &e,
				 sizeof(e)) < 0) {
				np_ctl_errorf(ctl, "policy set", "out of memory");
				goto fail;
			}
			ep = &st.eps[st.n_eps - 1];
			seen_name = seen_iso = false;
		} else if (!strcmp(w, "name")) {
			if (seen_name) {
				np_ctl_usage_errorf(ctl, CMD, "policy set",
						    "'name' given twice");
				goto fail;
			}
			seen_name = true;
			if (strlen(val) > NP_PEP_NAME_MAX) {
				np_ctl_errorf(ctl, "policy set",
					      "name: %zu bytes (at most %d)",
					      strlen(val), NP_PEP_NAME_MAX);
				goto fail;
			}
			ep->name = strdup(val);
			if (!ep->name) {
				np_ctl_errorf(ctl, "policy set", "out of memory");
				goto fail;
			}
		} else if (!strcmp(w, "isolated")) {
			if (seen_iso) {
				np_ctl_usage_errorf(ctl, CMD, "policy set",
						    "'isolated' given twice");
				goto fail;
			}
			seen_iso = true;
			if (!strcmp(val, "ingress"))
				ep->flags = NP_PEP_F_INGRESS;
			else if (!strcmp(val, "egress"))
				ep->flags = NP_PEP_F_EGRESS;
			else if (!strcmp(val, "ingress,egress") ||
				 !strcmp(val, "egress,ingress"))
				ep->flags = NP_PEP_F_INGRESS | NP_PEP_F_EGRESS;
			else if (!strcmp(val, "none"))
				ep->flags = 0;
			else {
				np_ctl_errorf(ctl, "policy set",
					      "isolated \"%s\": expected ingress, egress, ingress,egress or none",
					      val);
				goto fail;
			}
		} else if (parse_rules(&st, ep, val) < 0) {
			goto fail;
		}
	}
	if (!st.n_cls && !st.n_eps) {
		np_ctl_usage_errorf(ctl, CMD, "policy set",
				    "nothing to set (class or endpoint)");
		goto fail;
	}
	for (i = 0; (size_t)i < st.n_eps; i++)
		if (!(st.eps[i].flags & NP_PEP_F_DELETE) &&
		    np_pol_endpoint_canon(&st.eps[i]) < 0) {
			np_ctl_errorf(ctl, "policy set", "out of memory");
			goto fail;
		}
	*cls = st.cls;
	*n_cls = st.n_cls;
	*eps = st.eps;
	*n_eps = st.n_eps;
	return 0;
fail:
	set_state_free(&st);
	return -1;
}

/* ---- output ------------------------------------------------------------- */

static void print_ports(FILE *out, const struct np_pol_rule *r,
			const char *sep)
{
	char p[32];
	size_t k;

	if (!r->n_ports) {
		fputs("all", out);
		return;
	}
	for (k = 0; k < r->n_ports; k++)
		fprintf(out, "%s%s", k ? sep : "",
			np_pol_port_str(&r->ports[k], p, sizeof(p)));
}

static const char *iso_word(uint32_t flags)
{
	switch (flags & (NP_PEP_F_INGRESS | NP_PEP_F_EGRESS)) {
	case NP_PEP_F_INGRESS:
		return "ingress";
	case NP_PEP_F_EGRESS:
		return "egress";
	case NP_PEP_F_INGRESS | NP_PEP_F_EGRESS:
		return "ingress,egress";
	}
	return "none";
}

static void script_endpoint(FILE *out, const struct np_pol_endpoint *e)
{
	char a[NP_ADDR_STRLEN];
	size_t r;

	fprintf(out, "policy\tset\tendpoint\t%s",
		np_addr_str(&e->addr, a, sizeof(a)));
	if (e->name)
		fprintf(out, "\tname\t%s", e->name);
	fprintf(out, "\tisolated\t%s", iso_word(e->flags));
	for (r = 0; r < e->n_rules; r++) {
		const struct np_pol_rule *ru = &e->rules[r];

		fprintf(out, "%s%s:", r ? ";" : "\trule\t",
			np_pol_dir_name(ru->dir));
		if (ru->cls)
			fprintf(out, "%" PRIu32 ":", ru->cls);
		else
			fputs("any:", out);
		print_ports(out, ru, ",");
	}
	fputc('\n', out);
}

static int class_by_id(const void *a, const void *b)
{
	const struct np_pol_class *x = a, *y = b;

	if (x->cls != y->cls)
		return x->cls < y->cls ? -1 : 1;
	return np_cidr_cmp(&x->cidr, &y->cidr);
}

static void pretty_classes(FILE *out, const struct np_pol_state *st)
{
	struct np_pol_class *v;
	char c[NP_CIDR_STRLEN];
	size_t i, j, n4 = 0, nclasses = 0, shown = 0;

	for (i = 0; i < st->n_classes; i++)
		n4 += st->classes[i].cidr.addr.family == AF_INET;
	v = malloc((st->n_classes + 1) * sizeof(*v));
	if (!v) {
		fprintf(out, "class map  %zu prefixes\n", st->n_classes);
		return;
	}
	memcpy(v, st->classes, st->n_classes * sizeof(*v));
	qsort(v, st->n_classes, sizeof(*v), class_by_id);
	for (i = 0; i < st->n_classes; i++)
		nclasses += !i || v[i].cls != v[i - 1].cls;
	fprintf(out, "class map  %zu prefixes (%zu IPv4, %zu IPv6), %zu classes\n",
		st->n_classes, n4, st->n_classes - n4, nclasses);
	for (i = 0; i < st->n_classes; i = j) {
		for (j = i; j < st->n_classes && v[j].cls == v[i].cls; j++)
			;
		if (shown++ == SHOW_CLASSES) {
			fprintf(out, "  ... %zu more classes\n",
				nclasses - SHOW_CLASSES);
			break;
		}
		fprintf(out, "  class %-8" PRIu32 " ", v[i].cls);
		for (size_t k = i; k < j && k < i + SHOW_PREFIXES_PER_CLASS; k++)
			fprintf(out, "%s%s", k > i ? ", " : "",
				np_cidr_str(&v[k].cidr, c, sizeof(c)));
		if (j - i > SHOW_PREFIXES_PER_CLASS)
			fprintf(out, " (%zu more)", j - i - SHOW_PREFIXES_PER_CLASS);
		fputc('\n', out);
	}
	free(v);
}

static void pretty_endpoint(FILE *out, const struct np_pol_endpoint *e)
{
	char a[NP_ADDR_STRLEN];
	size_t r, nin = 0, neg = 0, i;

	for (r = 0; r < e->n_rules; r++) {
		nin += e->rules[r].dir == NP_POL_DIR_INGRESS;
		neg += e->rules[r].dir == NP_POL_DIR_EGRESS;
	}
	fprintf(out, "%s  %s\n", np_addr_str(&e->addr, a, sizeof(a)),
		e->name ? e->name : "-");
	fprintf(out, "  %-*s %s\n", KEY_WIDTH, "isolated", iso_word(e->flags));
	fprintf(out, "  %-*s ingress %zu, egress %zu\n", KEY_WIDTH, "rules",
		nin, neg);
	for (r = 0; r < e->n_rules; r++) {
		const struct np_pol_rule *ru = &e->rules[r];
		bool in = ru->dir == NP_POL_DIR_INGRESS;

		fprintf(out, "    %s %s ", np_pol_dir_name(ru->dir),
			in ? "from" : "to");
		if (ru->cls)
			fprintf(out, "class %" PRIu32 ": ", ru->cls);
		else
			fputs("any peer: ", out);
		print_ports(out, ru, ", ");
		fputc('\n', out);
	}
	if (e->stats_have) {
		const char *sep = "";

		fprintf(out, "  %-*s ", KEY_WIDTH, "counters");
		for (i = 0; i < NP_PSTAT_N; i++) {
			if (!(e->stats_have & (1U << i)))
				continue;
			fprintf(out, "%s%s %" PRIu64, sep,
				np_nl_pstat_name((unsigned int)i), e->stats[i]);
			sep = ", ";
		}
		fputc('\n', out);
	}
}

void np_ctl_policy_print(FILE *out, const struct np_pol_state *st,
			 bool script)
{
	char c[NP_CIDR_STRLEN];
	size_t i;

	if (script) {
		for (i = 0; i < st->n_classes; i++)
			fprintf(out, "%s%s=%" PRIu32 "%s",
				i % SHOW_CLASSES_PER_LINE ? "," :
				"policy\tset\tclass\t",
				np_cidr_str(&st->classes[i].cidr, c, sizeof(c)),
				st->classes[i].cls,
				(i + 1) % SHOW_CLASSES_PER_LINE &&
				i + 1 < st->n_classes ? "" : "\n");
		for (i = 0; i < st->n_endpoints; i++)
			script_endpoint(out, &st->endpoints[i]);
		return;
	}
	fprintf(out, "generation %" PRIu64 "\n", st->generation);
	if (st->n_classes)
		pretty_classes(out, st);
	else
		fputs("class map  empty\n", out);
	fprintf(out, "endpoints  %zu\n", st->n_endpoints);
	for (i = 0; i < st->n_endpoints; i++) {
		fputc('\n', out);
		pretty_endpoint(out, &st->endpoints[i]);
	}
}

/* ---- running ------------------------------------------------------------ */

static int run_set(struct np_ctl *ctl, int argc, char **argv)
{
	struct np_pol_class *cls = NULL;
	struct np_pol_endpoint *eps = NULL;
	size_t ncls = 0, neps = 0, i;
	struct np_pol_txn txn;
	struct np_nl *nl;
	struct np_err err;
	uint64_t gen;
	int r;

	if (np_ctl_policy_set_parse(ctl, argc, argv, &cls, &ncls, &eps, &neps,
				    &gen) < 0)
		return NP_CTL_EXIT_FAIL;
	txn = (struct np_pol_txn){ cls, ncls, eps, neps };
	r = np_ctl_nl_open(ctl, &nl, &err);
	if (!r) {
		r = np_nl_pol_set(nl, &txn, gen, NULL, &err);
		np_ctl_nl_close(ctl, nl);
	}
	for (i = 0; i < neps; i++)
		np_pol_endpoint_clear(&eps[i]);
	free(eps);
	free(cls);
	if (r < 0) {
		np_ctl_error(ctl, "policy set", &err);
		return NP_CTL_EXIT_FAIL;
	}
	return NP_CTL_EXIT_OK;
}

static int run_show(struct np_ctl *ctl, int argc, char **argv)
{
	struct np_pol_state st;
	struct np_nl *nl;
	struct np_err err;
	int r;

	if (argc > 0) {
		np_ctl_usage_errorf(ctl, CMD, "policy show",
				    "unexpected argument '%s'", argv[0]);
		return NP_CTL_EXIT_FAIL;
	}
	r = np_ctl_nl_open(ctl, &nl, &err);
	if (!r) {
		r = np_nl_pol_dump(nl, &st, &err);
		np_ctl_nl_close(ctl, nl);
	}
	if (r < 0) {
		np_ctl_error(ctl, "policy show", &err);
		return NP_CTL_EXIT_FAIL;
	}
	np_ctl_policy_print(ctl->out, &st, ctl->script);
	np_pol_state_free(&st);
	return NP_CTL_EXIT_OK;
}

#define MAX_WORDS 512

static int run(struct np_ctl *ctl, int argc, char **argv)
{
	char *w[MAX_WORDS];
	bool opts = true;
	int n = 0, i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (opts && !strcmp(a, "--")) {
			opts = false;
		} else if (opts && (!strcmp(a, "-s") ||
				    !strcmp(a, "--script"))) {
			ctl->script = true;
		} else if (opts && (!strcmp(a, "-h") || !strcmp(a, "--help"))) {
			fprintf(ctl->out, "Usage: " NP_CTL_PROG " %s %s\n\n%s\n\n%s",
				np_ctl_cmd_policy.name, np_ctl_cmd_policy.args,
				np_ctl_cmd_policy.summary, help);
			return NP_CTL_EXIT_OK;
		} else if (opts && a[0] == '-' && a[1]) {
			np_ctl_usage_errorf(ctl, CMD, CMD, "unknown option '%s'",
					    a);
			return NP_CTL_EXIT_FAIL;
		} else if (n == MAX_WORDS) {
			np_ctl_usage_errorf(ctl, CMD, CMD, "more than %d words",
					    MAX_WORDS);
			return NP_CTL_EXIT_FAIL;
		} else {
			w[n++] = argv[i];
		}
	}
	if (!n) {
		np_ctl_usage_errorf(ctl, CMD, CMD,
				    "missing command (show, set or trace)");
		return NP_CTL_EXIT_FAIL;
	}
	if (!strcmp(w[0], "show"))
		return run_show(ctl, n - 1, w + 1);
	if (!strcmp(w[0], "set"))
		return run_set(ctl, n - 1, w + 1);
	if (!strcmp(w[0], "trace")) {
		if (!ctl->policy_trace) {
			np_ctl_errorf(ctl, "policy trace",
				      "not available in this build");
			return NP_CTL_EXIT_FAIL;
		}
		return ctl->policy_trace(ctl, n - 1, w + 1);
	}
	np_ctl_usage_errorf(ctl, CMD, CMD, "unknown command '%s'", w[0]);
	return NP_CTL_EXIT_FAIL;
}

const struct np_ctl_cmd np_ctl_cmd_policy = {
	.name = "policy",
	.args = "show|set|trace [ARGS]",
	.summary = "show or set the module's NetworkPolicy state, or trace a connection",
	.help = help,
	.run = run,
};
