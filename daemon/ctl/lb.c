// SPDX-License-Identifier: GPL-2.0-only
/*
 * nodeplanectl lb: ServiceLB and hostPort frontends (NP_CMD_LB_SET,
 * NP_CMD_LB_DEL) and their listing (NP_CMD_LB_GET dump).
 *
 * Script output of `lb show` (stable): one line per frontend, sorted by
 * key, tab-separated, which is the `lb set` command that makes it:
 *   lb set -4|-6 PROTO PORT [local ADDR] owner OWNER [ranges CIDR,...]
 *          [affinity SECS] [masq-remote] [local-only] [hairpin]
 *          [localhost] [masq-all] [backend ADDR:PORT[/FLAG...],...]
 * Counters are in the pretty and the JSON (-j) output only.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cjson/cJSON.h>
#include <linux/nodeplane.h>

#include "ctl/ctl.h"

#define CMD "lb"
#define KEY_WIDTH 10

static const char help[] =
	"Commands:\n"
	"  set [-4|-6] PROTO PORT [local ADDR] [owner servicelb|hostport]\n"
	"      [ranges CIDR[,CIDR...]] [affinity SECS] [masq-remote] [local-only]\n"
	"      [hairpin] [localhost] [masq-all]\n"
	"      [backend ADDR:PORT[/FLAG[/FLAG]][,ADDR:PORT...]]\n"
	"      Create, or replace as a whole, the frontend PROTO PORT (tcp, udp\n"
	"      or sctp; 1..65535) on local address ADDR (default: every local\n"
	"      address). IPv6 backends are written [ADDR]:PORT. FLAG: local\n"
	"      (on this node), ready (the default), terminating, notready\n"
	"      (neither ready nor terminating). owner defaults to servicelb.\n"
	"      ranges: allowed client sources (default: any). affinity: ClientIP\n"
	"      session affinity in seconds, 0..86400 (0: none). The family is\n"
	"      that of the addresses given, else -4 (the default) or -6. No\n"
	"      backend: connections are refused. backend and ranges may be\n"
	"      repeated (the lists add up); every other word may appear once.\n"
	"  del [-4|-6] PROTO PORT [local ADDR]\n"
	"      Delete that frontend.\n"
	"  show\n"
	"      Show every frontend with its backends, ranges and counters.\n"
	"\n"
	"Script output of show (-s, or standard output not a terminal): one\n"
	"\"lb set ...\" line per frontend, tab-separated, sorted by family,\n"
	"protocol, port and local address, that `nodeplanectl -b FILE` replays\n"
	"to the same frontend. JSON (nodeplanectl -j lb show): the frontends\n"
	"with every field and their counters, and the generation.\n";

/* Flag words of `lb set`, in the order show prints them. */
static const struct {
	uint32_t bit;
	const char *word;
} fe_flags[] = {
	{ NP_LB_F_MASQ_REMOTE, "masq-remote" },
	{ NP_LB_F_LOCAL_ONLY, "local-only" },
	{ NP_LB_F_HAIRPIN, "hairpin" },
	{ NP_LB_F_LOCALHOST, "localhost" },
	{ NP_LB_F_MASQ_ALL, "masq-all" },
};

#define N_FE_FLAGS (sizeof(fe_flags) / sizeof(fe_flags[0]))

_Static_assert(__NP_LB_F_ALL == (NP_LB_F_MASQ_REMOTE | NP_LB_F_LOCAL_ONLY |
				 NP_LB_F_HAIRPIN | NP_LB_F_LOCALHOST |
				 NP_LB_F_MASQ_ALL),
	       "a frontend flag was added to the uapi: name it in daemon/ctl/lb.c");
_Static_assert(__NP_LBB_F_ALL == (NP_LBB_F_LOCAL | NP_LBB_F_READY |
				  NP_LBB_F_TERMINATING),
	       "a backend flag was added to the uapi: name it in daemon/ctl/lb.c");

static const char *proto_word(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_SCTP:
		return "sctp";
	}
	return NULL;
}

static const char *owner_word(uint8_t owner)
{
	switch (owner) {
	case NP_LB_OWNER_SERVICELB:
		return "servicelb";
	case NP_LB_OWNER_HOSTPORT:
		return "hostport";
	}
	return NULL;
}

static const char *fam_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

/* Parsing. */

/* What decided the family so far, for the error on a mismatch. */
struct fam {
	int family;		/* 0: nothing yet */
	char word[128];		/* "-6", "local \"10.0.0.1\"", ... */
};

/* Records family f for the word; -1 (reported) when another one was set. */
static int fam_take(struct np_ctl *ctl, const char *what, struct fam *fm,
		    int f, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int fam_take(struct np_ctl *ctl, const char *what, struct fam *fm,
		    int f, const char *fmt, ...)
{
	char word[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(word, sizeof(word), fmt, ap);
	va_end(ap);
	if (!fm->family) {
		fm->family = f;
		snprintf(fm->word, sizeof(fm->word), "%s", word);
		return 0;
	}
	if (fm->family == f)
		return 0;
	np_ctl_errorf(ctl, what, "%s: %s, but %s is %s", word, fam_name(f),
		      fm->word, fam_name(fm->family));
	return -1;
}

static int parse_proto(const char *s, uint8_t *proto)
{
	if (!strcmp(s, "tcp"))
		*proto = IPPROTO_TCP;
	else if (!strcmp(s, "udp"))
		*proto = IPPROTO_UDP;
	else if (!strcmp(s, "sctp"))
		*proto = IPPROTO_SCTP;
	else
		return -1;
	return 0;
}

/* "ADDR:PORT" or "[ADDR6]:PORT", then "/FLAG"s, into b. */
static int parse_backend(struct np_ctl *ctl, const char *what, const char *tok,
			 struct np_lb_backend *b)
{
	char buf[NP_ADDR_STRLEN + 64], *flags, *port, *addr;
	bool seen_local = false, seen_ready = false, seen_term = false;
	bool seen_notready = false;
	unsigned long v;

	memset(b, 0, sizeof(*b));
	if (strlen(tok) >= sizeof(buf))
		goto bad;
	strcpy(buf, tok);
	flags = strchr(buf, '/');
	if (flags)
		*flags++ = '\0';
	if (buf[0] == '[') {
		char *close = strchr(buf, ']');

		if (!close || close[1] != ':')
			goto bad;
		*close = '\0';
		addr = buf + 1;
		port = close + 2;
		if (np_addr_parse(addr, &b->addr) < 0 ||
		    b->addr.family != AF_INET6)
			goto bad;
	} else {
		port = strrchr(buf, ':');
		if (!port)
			goto bad;
		*port++ = '\0';
		addr = buf;
		if (np_addr_parse(addr, &b->addr) < 0 ||
		    b->addr.family != AF_INET)
			goto bad;
	}
	if (np_ctl_uint_parse(port, 1, 65535, &v) < 0)
		goto bad;
	b->port = (uint16_t)v;
	while (flags) {
		char *next = strchr(flags, '/');
		bool *seen;

		if (next)
			*next++ = '\0';
		if (!strcmp(flags, "local")) {
			seen = &seen_local;
		} else if (!strcmp(flags, "ready")) {
			seen = &seen_ready;
		} else if (!strcmp(flags, "terminating")) {
			seen = &seen_term;
		} else if (!strcmp(flags, "notready")) {
			seen = &seen_notready;
		} else {
			np_ctl_errorf(ctl, what,
				      "backend \"%s\": unknown flag \"%s\" (local, ready, terminating or notready)",
				      tok, flags);
			return -1;
		}
		if (*seen) {
			np_ctl_errorf(ctl, what,
				      "backend \"%s\": flag \"%s\" given twice",
				      tok, flags);
			return -1;
		}
		*seen = true;
		flags = next;
	}
	if (seen_notready && (seen_ready || seen_term)) {
		np_ctl_errorf(ctl, what,
			      "backend \"%s\": notready excludes ready and terminating",
			      tok);
		return -1;
	}
	if (seen_local)
		b->flags |= NP_LBB_F_LOCAL;
	if (seen_ready || (!seen_term && !seen_notready))
		b->flags |= NP_LBB_F_READY;
	if (seen_term)
		b->flags |= NP_LBB_F_TERMINATING;
	return 0;
bad:
	np_ctl_errorf(ctl, what,
		      "backend \"%s\": expected ADDR:PORT (IPv6: [ADDR]:PORT, port 1..65535), then /FLAGs",
		      tok);
	return -1;
}

/* Growable arrays of the parser. */
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

/*
 * Calls fn on each comma-separated part of val (parts may not be empty);
 * returns -1 as soon as fn does, or on an empty part (reported).
 */
static int each_part(struct np_ctl *ctl, const char *what, const char *key,
		     const char *val, int (*fn)(void *arg, const char *tok),
		     void *arg)
{
	const char *s = val;
	char tok[256];

	for (;;) {
		const char *end = strchr(s, ',');
		size_t len = end ? (size_t)(end - s) : strlen(s);

		if (!len) {
			np_ctl_errorf(ctl, what, "%s \"%s\": empty list item",
				      key, val);
			return -1;
		}
		if (len >= sizeof(tok))
			len = sizeof(tok) - 1;	/* fails to parse, named */
		memcpy(tok, s, len);
		tok[len] = '\0';
		if (fn(arg, tok) < 0)
			return -1;
		if (!end)
			return 0;
		s = end + 1;
	}
}

struct set_state {
	struct np_ctl *ctl;
	const char *what;
	struct np_lb_frontend *fe;
	struct fam *fm;
	size_t bcap, rcap;
};

static int add_backend(void *arg, const char *tok)
{
	struct set_state *st = arg;
	struct np_lb_backend b;

	if (parse_backend(st->ctl, st->what, tok, &b) < 0 ||
	    fam_take(st->ctl, st->what, st->fm, b.addr.family,
		     "backend \"%s\"", tok) < 0)
		return -1;
	if (push((void **)&st->fe->backends, &st->fe->n_backends, &st->bcap,
		 &b, sizeof(b)) < 0) {
		np_ctl_errorf(st->ctl, st->what, "out of memory");
		return -1;
	}
	return 0;
}

static int add_range(void *arg, const char *tok)
{
	struct set_state *st = arg;
	struct np_cidr c;

	if (np_cidr_parse(tok, &c) < 0) {
		np_ctl_errorf(st->ctl, st->what,
			      "ranges \"%s\": expected a CIDR (ADDR/PREFIXLEN)",
			      tok);
		return -1;
	}
	if (fam_take(st->ctl, st->what, st->fm, c.addr.family,
		     "ranges \"%s\"", tok) < 0)
		return -1;
	if (push((void **)&st->fe->ranges, &st->fe->n_ranges, &st->rcap, &c,
		 sizeof(c)) < 0) {
		np_ctl_errorf(st->ctl, st->what, "out of memory");
		return -1;
	}
	return 0;
}

/*
 * The words of `lb set` / `lb del` after the subcommand (options -4/-6
 * included; -s, -j, -h and -- already taken out by the caller).
 */
static int parse_fe(struct np_ctl *ctl, bool set, int argc, char **argv,
		    struct np_lb_frontend *fe)
{
	const char *what = set ? "lb set" : "lb del";
	struct fam fm = { 0, "" };
	struct set_state st = { ctl, what, fe, &fm, 0, 0 };
	bool seen_local = false, seen_owner = false, seen_aff = false;
	uint32_t seen_flags = 0;
	const char *pos[2];
	int npos = 0, i;
	unsigned long v;
	size_t k;

	memset(fe, 0, sizeof(*fe));
	/* lb del names no owner: the kernel deletes the key whoever holds it */
	fe->owner = set ? NP_LB_OWNER_SERVICELB : NP_LB_OWNER_UNSPEC;
	/* -4 / -6 first: they name the family the addresses are checked against. */
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-4") && strcmp(argv[i], "-6"))
			continue;
		if (fm.family) {
			np_ctl_usage_errorf(ctl, CMD, what,
					    strcmp(argv[i], fm.word) ?
					    "'%s' and '%s' together" :
					    "'%s' given twice", argv[i],
					    fm.word);
			goto fail;
		}
		fam_take(ctl, what, &fm, argv[i][1] == '4' ? AF_INET : AF_INET6,
			 "%s", argv[i]);
	}
	for (i = 0; i < argc; i++) {
		const char *w = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(w, "-4") || !strcmp(w, "-6"))
			continue;
		if (npos < 2) {
			pos[npos++] = w;
			continue;
		}
		for (k = 0; k < N_FE_FLAGS && set; k++)
			if (!strcmp(w, fe_flags[k].word))
				break;
		if (set && k < N_FE_FLAGS) {
			if (seen_flags & fe_flags[k].bit) {
				np_ctl_usage_errorf(ctl, CMD, what,
						    "'%s' given twice", w);
				goto fail;
			}
			seen_flags |= fe_flags[k].bit;
			fe->flags |= fe_flags[k].bit;
			continue;
		}
		if (strcmp(w, "local") && (!set || (strcmp(w, "owner") &&
		    strcmp(w, "ranges") && strcmp(w, "affinity") &&
		    strcmp(w, "backend")))) {
			np_ctl_usage_errorf(ctl, CMD, what, "unknown word '%s'",
					    w);
			goto fail;
		}
		if (!val) {
			np_ctl_usage_errorf(ctl, CMD, what, "'%s' needs a value",
					    w);
			goto fail;
		}
		i++;
		if (!strcmp(w, "local")) {
			if (seen_local) {
				np_ctl_usage_errorf(ctl, CMD, what,
						    "'%s' given twice", w);
				goto fail;
			}
			seen_local = true;
			if (np_addr_parse(val, &fe->local) < 0) {
				np_ctl_errorf(ctl, what,
					      "local \"%s\": expected an IPv4 or IPv6 address",
					      val);
				goto fail;
			}
			if (fam_take(ctl, what, &fm, fe->local.family,
				     "local \"%s\"", val) < 0)
				goto fail;
		} else if (!strcmp(w, "owner")) {
			if (seen_owner) {
				np_ctl_usage_errorf(ctl, CMD, what,
						    "'%s' given twice", w);
				goto fail;
			}
			seen_owner = true;
			if (!strcmp(val, "servicelb")) {
				fe->owner = NP_LB_OWNER_SERVICELB;
			} else if (!strcmp(val, "hostport")) {
				fe->owner = NP_LB_OWNER_HOSTPORT;
			} else {
				np_ctl_errorf(ctl, what,
					      "owner \"%s\": expected servicelb or hostport",
					      val);
				goto fail;
			}
		} else if (!strcmp(w, "affinity")) {
			if (seen_aff) {
				np_ctl_usage_errorf(ctl, CMD, what,
						    "'%s' given twice", w);
				goto fail;
			}
			seen_aff = true;
			if (np_ctl_uint_parse(val, 0, NP_LB_AFFINITY_MAX,
					      &v) < 0) {
				np_ctl_errorf(ctl, what,
					      "affinity \"%s\": expected seconds in 0..%d",
					      val, NP_LB_AFFINITY_MAX);
				goto fail;
			}
			fe->affinity = (uint32_t)v;
		} else if (!strcmp(w, "ranges")) {
			if (each_part(ctl, what, w, val, add_range, &st) < 0)
				goto fail;
		} else if (each_part(ctl, what, w, val, add_backend, &st) < 0) {
			goto fail;
		}
	}
	if (npos < 1) {
		np_ctl_usage_errorf(ctl, CMD, what, "missing PROTO");
		goto fail;
	}
	if (npos < 2) {
		np_ctl_usage_errorf(ctl, CMD, what, "missing PORT");
		goto fail;
	}
	if (parse_proto(pos[0], &fe->proto) < 0) {
		np_ctl_errorf(ctl, what, "PROTO \"%s\": expected tcp, udp or sctp",
			      pos[0]);
		goto fail;
	}
	if (np_ctl_uint_parse(pos[1], 1, 65535, &v) < 0) {
		np_ctl_errorf(ctl, what,
			      "PORT \"%s\": expected a number in 1..65535",
			      pos[1]);
		goto fail;
	}
	fe->port = (uint16_t)v;
	fe->family = fm.family ? fm.family : AF_INET;
	np_lb_frontend_canon(fe);
	/* The same backend twice with other flags: say so, not the module. */
	for (k = 1; k < fe->n_backends; k++) {
		const struct np_lb_backend *a = &fe->backends[k - 1];
		const struct np_lb_backend *b = &fe->backends[k];
		char ab[NP_ADDR_STRLEN];

		if (np_addr_eq(&a->addr, &b->addr) && a->port == b->port) {
			np_ctl_errorf(ctl, what,
				      b->addr.family == AF_INET6 ?
				      "backend \"[%s]:%u\": given twice with different flags" :
				      "backend \"%s:%u\": given twice with different flags",
				      np_addr_str(&b->addr, ab, sizeof(ab)),
				      b->port);
			goto fail;
		}
	}
	return 0;
fail:
	np_lb_frontend_clear(fe);
	return -1;
}

int np_ctl_lb_set_parse(struct np_ctl *ctl, int argc, char **argv,
			struct np_lb_frontend *fe)
{
	return parse_fe(ctl, true, argc, argv, fe);
}

int np_ctl_lb_del_parse(struct np_ctl *ctl, int argc, char **argv,
			struct np_lb_frontend *key)
{
	return parse_fe(ctl, false, argc, argv, key);
}

/* Output. */

/*
 * "10.0.0.1:80/local/ready", "[fd00::1]:80/terminating" into buf: every
 * flag spelled out, "/notready" when neither ready nor terminating (what
 * `lb set` would otherwise read as ready).
 */
static const char *backend_str(const struct np_lb_backend *b, char *buf,
			       size_t len)
{
	uint32_t st = b->flags & (NP_LBB_F_READY | NP_LBB_F_TERMINATING);
	char a[NP_ADDR_STRLEN];

	snprintf(buf, len, b->addr.family == AF_INET6 ? "[%s]:%u%s%s%s" :
		 "%s:%u%s%s%s", np_addr_str(&b->addr, a, sizeof(a)), b->port,
		 b->flags & NP_LBB_F_LOCAL ? "/local" : "",
		 b->flags & NP_LBB_F_READY ? "/ready" : "",
		 b->flags & NP_LBB_F_TERMINATING ? "/terminating" :
		 st ? "" : "/notready");
	return buf;
}

static void print_script(FILE *out, const struct np_lb_frontend *fe)
{
	char a[NP_CTL_CIDR_STRLEN], b[NP_ADDR_STRLEN + 64];
	const char *owner = owner_word(fe->owner);
	size_t i;

	fprintf(out, "lb\tset\t%s\t%s\t%u", fe->family == AF_INET6 ? "-6" : "-4",
		proto_word(fe->proto) ? proto_word(fe->proto) : "?", fe->port);
	if (fe->local.family)
		fprintf(out, "\tlocal\t%s",
			np_addr_str(&fe->local, a, sizeof(a)));
	fprintf(out, "\towner\t%s", owner ? owner : "?");
	for (i = 0; i < fe->n_ranges; i++)
		fprintf(out, "%s%s", i ? "," : "\tranges\t",
			np_cidr_str(&fe->ranges[i], a, sizeof(a)));
	if (fe->affinity)
		fprintf(out, "\taffinity\t%" PRIu32, fe->affinity);
	for (i = 0; i < N_FE_FLAGS; i++)
		if (fe->flags & fe_flags[i].bit)
			fprintf(out, "\t%s", fe_flags[i].word);
	for (i = 0; i < fe->n_backends; i++)
		fprintf(out, "%s%s", i ? "," : "\tbackend\t",
			backend_str(&fe->backends[i], b, sizeof(b)));
	fputc('\n', out);
}

static void print_pretty(FILE *out, const struct np_lb_frontend *fe)
{
	char key[96], a[NP_CTL_CIDR_STRLEN], b[NP_ADDR_STRLEN + 64];
	const char *owner = owner_word(fe->owner);
	const char *sep = "";
	size_t i;

	/* The address says the family; without one, say it. */
	if (fe->local.family)
		np_lb_key_str(fe, key, sizeof(key));
	else
		snprintf(key, sizeof(key), "%s/%u (%s)",
			 proto_word(fe->proto) ? proto_word(fe->proto) : "?",
			 fe->port, fam_name(fe->family));
	fprintf(out, "%s, owner %s\n", key, owner ? owner : "?");
	fprintf(out, "  %-*s ", KEY_WIDTH, "flags");
	for (i = 0; i < N_FE_FLAGS; i++) {
		if (!(fe->flags & fe_flags[i].bit))
			continue;
		fprintf(out, "%s%s", sep, fe_flags[i].word);
		sep = ", ";
	}
	if (fe->flags & ~(uint32_t)__NP_LB_F_ALL)
		fprintf(out, "%s0x%" PRIx32, sep,
			fe->flags & ~(uint32_t)__NP_LB_F_ALL);
	fprintf(out, "%s\n", fe->flags ? "" : "-");
	if (fe->affinity)
		fprintf(out, "  %-*s %" PRIu32 " s\n", KEY_WIDTH, "affinity",
			fe->affinity);
	else
		fprintf(out, "  %-*s -\n", KEY_WIDTH, "affinity");
	fprintf(out, "  %-*s ", KEY_WIDTH, "ranges");
	for (i = 0; i < fe->n_ranges; i++)
		fprintf(out, "%s%s", i ? ", " : "",
			np_cidr_str(&fe->ranges[i], a, sizeof(a)));
	fprintf(out, "%s\n", fe->n_ranges ? "" : "any source");
	if (fe->stats_have) {
		fprintf(out, "  %-*s", KEY_WIDTH, "counters");
		for (i = 0; i < NP_LBSTAT_N; i++)
			if (fe->stats_have & (1U << i))
				fprintf(out, " %s %" PRIu64, np_nl_lbstat_name(i),
					fe->stats[i]);
		fputc('\n', out);
	}
	fprintf(out, "  %-*s %zu%s\n", KEY_WIDTH, "backends", fe->n_backends,
		fe->n_backends ? "" : " (connections refused)");
	for (i = 0; i < fe->n_backends; i++)
		fprintf(out, "    %s\n",
			backend_str(&fe->backends[i], b, sizeof(b)));
}

void np_ctl_lb_print(FILE *out, const struct np_lb_list *l, bool script)
{
	size_t i;

	if (!script && !l->n)
		fputs("no frontends\n", out);
	for (i = 0; i < l->n; i++) {
		if (script) {
			print_script(out, &l->v[i]);
		} else {
			if (i)
				fputc('\n', out);
			print_pretty(out, &l->v[i]);
		}
	}
}

/* A u64 as an exact JSON number (cJSON's are doubles). */
static bool add_u64(cJSON *obj, const char *name, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return cJSON_AddRawToObject(obj, name, buf) != NULL;
}

static bool add_str(cJSON *obj, const char *name, const char *s)
{
	return cJSON_AddStringToObject(obj, name, s) != NULL;
}

static cJSON *backend_json(const struct np_lb_backend *b)
{
	cJSON *o = cJSON_CreateObject(), *fl;
	char a[NP_ADDR_STRLEN], x[16];

	if (!o)
		return NULL;
	fl = cJSON_AddArrayToObject(o, "flags");
	if (!add_str(o, "addr", np_addr_str(&b->addr, a, sizeof(a))) ||
	    !add_u64(o, "port", b->port) || !fl)
		goto fail;
	if ((b->flags & NP_LBB_F_LOCAL &&
	     !cJSON_AddItemToArray(fl, cJSON_CreateString("local"))) ||
	    (b->flags & NP_LBB_F_READY &&
	     !cJSON_AddItemToArray(fl, cJSON_CreateString("ready"))) ||
	    (b->flags & NP_LBB_F_TERMINATING &&
	     !cJSON_AddItemToArray(fl, cJSON_CreateString("terminating"))))
		goto fail;
	if (b->flags & ~(uint32_t)__NP_LBB_F_ALL) {
		snprintf(x, sizeof(x), "0x%" PRIx32,
			 b->flags & ~(uint32_t)__NP_LBB_F_ALL);
		if (!cJSON_AddItemToArray(fl, cJSON_CreateString(x)))
			goto fail;
	}
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

static cJSON *frontend_json(const struct np_lb_frontend *fe)
{
	cJSON *o = cJSON_CreateObject(), *fl, *bs, *rs, *st;
	char a[NP_CTL_CIDR_STRLEN];
	const char *owner = owner_word(fe->owner);
	size_t i;

	if (!o)
		return NULL;
	if (!add_str(o, "family", fe->family == AF_INET6 ? "ipv6" : "ipv4") ||
	    !add_str(o, "proto", proto_word(fe->proto) ?
			 proto_word(fe->proto) : "?") ||
	    !add_u64(o, "port", fe->port))
		goto fail;
	if (fe->local.family ?
	    !add_str(o, "local", np_addr_str(&fe->local, a, sizeof(a))) :
	    !cJSON_AddNullToObject(o, "local"))
		goto fail;
	if ((owner ? !add_str(o, "owner", owner) :
		     !add_u64(o, "owner", fe->owner)) ||
	    !(fl = cJSON_AddArrayToObject(o, "flags")))
		goto fail;
	for (i = 0; i < N_FE_FLAGS; i++)
		if (fe->flags & fe_flags[i].bit &&
		    !cJSON_AddItemToArray(fl,
					  cJSON_CreateString(fe_flags[i].word)))
			goto fail;
	if (fe->flags & ~(uint32_t)__NP_LB_F_ALL) {
		char x[16];

		snprintf(x, sizeof(x), "0x%" PRIx32,
			 fe->flags & ~(uint32_t)__NP_LB_F_ALL);
		if (!cJSON_AddItemToArray(fl, cJSON_CreateString(x)))
			goto fail;
	}
	if (!add_u64(o, "affinity", fe->affinity) ||
	    !(rs = cJSON_AddArrayToObject(o, "ranges")))
		goto fail;
	for (i = 0; i < fe->n_ranges; i++)
		if (!cJSON_AddItemToArray(rs, cJSON_CreateString(
			np_cidr_str(&fe->ranges[i], a, sizeof(a)))))
			goto fail;
	if (!(bs = cJSON_AddArrayToObject(o, "backends")))
		goto fail;
	for (i = 0; i < fe->n_backends; i++)
		if (!cJSON_AddItemToArray(bs, backend_json(&fe->backends[i])))
			goto fail;
	if (!add_u64(o, "generation", fe->generation) ||
	    !(st = cJSON_AddObjectToObject(o, "stats")))
		goto fail;
	for (i = 0; i < NP_LBSTAT_N; i++)
		if (fe->stats_have & (1U << i) &&
		    !add_u64(st, np_nl_lbstat_name((unsigned int)i),
			     fe->stats[i]))
			goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

int np_ctl_lb_json(FILE *out, const struct np_lb_list *l,
		   const struct np_info *info)
{
	cJSON *root = cJSON_CreateObject(), *arr;
	char *s;
	size_t i;

	if (!root)
		return -1;
	if (info && info->have & NP_INFO_HAVE_GENERATION ?
	    !add_u64(root, "generation", info->generation) :
	    !cJSON_AddNullToObject(root, "generation"))
		goto fail;
	arr = cJSON_AddArrayToObject(root, "frontends");
	if (!arr)
		goto fail;
	for (i = 0; i < l->n; i++)
		if (!cJSON_AddItemToArray(arr, frontend_json(&l->v[i])))
			goto fail;
	s = cJSON_Print(root);
	if (!s)
		goto fail;
	fprintf(out, "%s\n", s);
	cJSON_free(s);
	cJSON_Delete(root);
	return 0;
fail:
	cJSON_Delete(root);
	return -1;
}

/* Running. */

static int run_set(struct np_ctl *ctl, bool set, int argc, char **argv)
{
	const char *what = set ? "lb set" : "lb del";
	struct np_lb_frontend fe;
	struct np_nl *nl;
	struct np_err err;
	int r;

	if (parse_fe(ctl, set, argc, argv, &fe) < 0)
		return NP_CTL_EXIT_FAIL;
	if (np_ctl_nl_open(ctl, &nl, &err) < 0) {
		np_ctl_error(ctl, what, &err);
		np_lb_frontend_clear(&fe);
		return NP_CTL_EXIT_FAIL;
	}
	r = set ? np_nl_lb_set(nl, &fe, 0, NULL, &err) :
		  np_nl_lb_del(nl, &fe, 0, NULL, &err);
	np_ctl_nl_close(ctl, nl);
	np_lb_frontend_clear(&fe);
	if (r < 0) {
		np_ctl_error(ctl, what, &err);
		return NP_CTL_EXIT_FAIL;
	}
	return NP_CTL_EXIT_OK;
}

static int run_show(struct np_ctl *ctl, int argc, char **argv)
{
	struct np_lb_list l = { NULL, 0 };
	struct np_info info;
	struct np_nl *nl;
	struct np_err err;
	int r;

	if (argc > 0) {
		np_ctl_usage_errorf(ctl, CMD, "lb show",
				    "unexpected argument '%s'", argv[0]);
		return NP_CTL_EXIT_FAIL;
	}
	if (np_ctl_nl_open(ctl, &nl, &err) < 0) {
		np_ctl_error(ctl, "lb show", &err);
		return NP_CTL_EXIT_FAIL;
	}
	/* JSON carries the generation: INFO's, read before the dump. */
	r = ctl->json ? np_nl_info_get(nl, &info, &err) : 0;
	if (!r)
		r = np_nl_lb_dump(nl, &l, &err);
	np_ctl_nl_close(ctl, nl);
	if (r < 0) {
		np_ctl_error(ctl, "lb show", &err);
		return NP_CTL_EXIT_FAIL;
	}
	if (ctl->json) {
		r = np_ctl_lb_json(ctl->out, &l, &info);
		if (r < 0)
			np_ctl_errorf(ctl, "lb show", "out of memory");
	} else {
		np_ctl_lb_print(ctl->out, &l, ctl->script);
	}
	np_lb_list_free(&l);
	return r < 0 ? NP_CTL_EXIT_FAIL : NP_CTL_EXIT_OK;
}

#define MAX_WORDS 512

static int run(struct np_ctl *ctl, int argc, char **argv)
{
	char *w[MAX_WORDS];
	bool opts = true, fam = false;
	int n = 0, i;

	/* -4/-6 stay among the words: set and del read them in place. */
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (opts && !strcmp(a, "--")) {
			opts = false;
		} else if (opts && (!strcmp(a, "-s") ||
				    !strcmp(a, "--script"))) {
			ctl->script = true;
		} else if (opts && (!strcmp(a, "-j") || !strcmp(a, "--json"))) {
			ctl->json = true;
		} else if (opts && (!strcmp(a, "-h") || !strcmp(a, "--help"))) {
			fprintf(ctl->out, "Usage: " NP_CTL_PROG " %s %s\n\n%s\n\n%s",
				np_ctl_cmd_lb.name, np_ctl_cmd_lb.args,
				np_ctl_cmd_lb.summary, help);
			return NP_CTL_EXIT_OK;
		} else if (opts && (!strcmp(a, "-4") || !strcmp(a, "-6"))) {
			fam = true;
			if (n == MAX_WORDS)
				goto too_many;
			w[n++] = argv[i];
		} else if (opts && a[0] == '-' && a[1]) {
			np_ctl_usage_errorf(ctl, CMD, CMD, "unknown option '%s'",
					    a);
			return NP_CTL_EXIT_FAIL;
		} else {
			if (n == MAX_WORDS)
				goto too_many;
			w[n++] = argv[i];
		}
	}
	/* -4/-6 before the subcommand: skip to it. */
	for (i = 0; i < n && (!strcmp(w[i], "-4") || !strcmp(w[i], "-6"));)
		i++;
	if (i == n) {
		np_ctl_usage_errorf(ctl, CMD, CMD,
				    "missing command (set, del or show)");
		return NP_CTL_EXIT_FAIL;
	}
	if (i) {	/* "lb -6 set ...": move the subcommand first */
		char *sub = w[i];

		memmove(w + 1, w, (size_t)i * sizeof(*w));
		w[0] = sub;
	}
	if (!strcmp(w[0], "set"))
		return run_set(ctl, true, n - 1, w + 1);
	if (!strcmp(w[0], "del"))
		return run_set(ctl, false, n - 1, w + 1);
	if (!strcmp(w[0], "show")) {
		if (fam) {
			np_ctl_usage_errorf(ctl, CMD, "lb show",
					    "-4 and -6 are for set and del");
			return NP_CTL_EXIT_FAIL;
		}
		return run_show(ctl, n - 1, w + 1);
	}
	np_ctl_usage_errorf(ctl, CMD, CMD, "unknown command '%s'", w[0]);
	return NP_CTL_EXIT_FAIL;
too_many:
	np_ctl_usage_errorf(ctl, CMD, CMD, "more than %d words", MAX_WORDS);
	return NP_CTL_EXIT_FAIL;
}

const struct np_ctl_cmd np_ctl_cmd_lb = {
	.name = "lb",
	.args = "set|del|show [ARGS]",
	.summary = "configure ServiceLB and hostPort frontends, or show them",
	.help = help,
	.json = true,
	.run = run,
};
