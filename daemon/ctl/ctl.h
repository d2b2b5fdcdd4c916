/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nodeplanectl: the subcommand table and what subcommands share. Each
 * subcommand lives in its own file and exports one struct np_ctl_cmd.
 */
#ifndef _NP_CTL_H
#define _NP_CTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "nl/nl.h"

#define NP_CTL_PROG "nodeplanectl"

/* Exit statuses. */
enum {
	NP_CTL_EXIT_OK = 0,
	NP_CTL_EXIT_FAIL = 1,	/* any failure, usage errors included */
};

struct np_ctl {
	FILE *out;	/* results */
	FILE *err;	/* diagnostics */
	bool script;	/* tab-separated output */
	bool json;	/* -j: JSON output (commands with .json) */
	/* NAME -> ifindex, 0 if none; NULL: if_nametoindex(). For tests. */
	unsigned int (*nametoindex)(const char *name);
	/* Opens the connection; NULL: np_nl_open(). For tests. */
	int (*nl_open)(struct np_nl **nl, struct np_err *err);
	/*
	 * Batch mode (-b FILE): the one connection every line shares, opened
	 * by the first line that needs it (NULL before), and the file's name
	 * and current line number, which prefix every diagnostic.
	 */
	struct np_nl *nl;
	const char *batch_file;		/* NULL: not in batch mode */
	unsigned long batch_line;
	/*
	 * `policy trace` (ctl/policy_trace.c: the cluster's objects loaded
	 * as nodeplaned loads them), linked into nodeplanectl only; NULL:
	 * not available (the unit tests).
	 */
	int (*policy_trace)(struct np_ctl *ctl, int argc, char **argv);
	/*
	 * In batch mode, what `policy trace` loaded (the objects of one
	 * configuration file, kept for the batch's next trace lines) and
	 * how to free it at the batch's end; NULL when nothing is kept.
	 */
	void *trace_cache;
	void (*trace_cache_free)(void *cache);
};

struct np_ctl_cmd {
	const char *name;
	const char *args;	/* usage synopsis after the name, "" if none */
	const char *summary;
	const char *help;	/* printed after the summary by --help, or NULL */
	bool hidden;		/* for tests: not listed by --help */
	bool json;		/* prints JSON with -j (others refuse -j) */
	/* argv[0] is the subcommand's name; returns an exit status. */
	int (*run)(struct np_ctl *ctl, int argc, char **argv);
};

extern const struct np_ctl_cmd np_ctl_cmd_info;
extern const struct np_ctl_cmd np_ctl_cmd_raw_info;
extern const struct np_ctl_cmd np_ctl_cmd_overlay;
extern const struct np_ctl_cmd np_ctl_cmd_peer;
extern const struct np_ctl_cmd np_ctl_cmd_masq;
extern const struct np_ctl_cmd np_ctl_cmd_raw_peer;
extern const struct np_ctl_cmd np_ctl_cmd_lb;
extern const struct np_ctl_cmd np_ctl_cmd_policy;

/* Parses global options, dispatches; returns the process exit status. */
int np_ctl_main(struct np_ctl *ctl, int argc, char **argv);

/*
 * Batch mode: runs each command line of f (named name in diagnostics)
 * over one shared connection, stopping at the first failing line.
 * Returns the exit status; closes ctl->nl when done.
 */
int np_ctl_batch(struct np_ctl *ctl, const char *name, FILE *f);

/*
 * The connection a command uses: in batch mode the shared one (opened on
 * first use), else a new one. np_ctl_nl_open() returns 0 or a negative
 * errno with err filled; np_ctl_nl_close() closes only a connection that
 * is not the shared one.
 */
int np_ctl_nl_open(struct np_ctl *ctl, struct np_nl **nl, struct np_err *err);
void np_ctl_nl_close(struct np_ctl *ctl, struct np_nl *nl);

#define NP_CTL_CONTINUE (-1)

/*
 * Parses a subcommand's arguments: -s/--script and -h/--help anywhere,
 * "--" ends options, at most *npos positionals (stored in pos, their count
 * back in *npos). Returns NP_CTL_CONTINUE to go on, or the exit status to
 * return at once (help printed, or a usage error reported).
 */
int np_ctl_args(struct np_ctl *ctl, const struct np_ctl_cmd *cmd, int argc,
		char **argv, char **pos, int *npos);

/* "nodeplanectl: <what>: <msg> (<strerror>)" on ctl->err. */
void np_ctl_error(struct np_ctl *ctl, const char *what,
		  const struct np_err *err);
/* "nodeplanectl: <what>: <fmt...>" on ctl->err. */
void np_ctl_errorf(struct np_ctl *ctl, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * A usage error: "nodeplanectl: <what>: <fmt...>", then "Try 'nodeplanectl
 * <cmd> --help' for more information." on ctl->err.
 */
void np_ctl_usage_errorf(struct np_ctl *ctl, const char *cmd,
			 const char *what, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Device name to ifindex; "<what>: <name>: no such device" and -1 if none. */
int np_ctl_ifindex(struct np_ctl *ctl, const char *what, const char *name,
		   uint32_t *ifindex);

/* `info` output, pretty or script; exported for the unit tests. */
void np_ctl_info_print(FILE *out, const struct np_info *info, bool script);
/* `-j info`: one JSON object, the script output's keys; 0 or -1 (ENOMEM). */
int np_ctl_info_json(FILE *out, const struct np_info *info);

/*
 * Values on the command line and in script output (ctl/parse.c).
 * MAC: xx:xx:xx:xx:xx:xx, hex digits of either case; printed lowercase.
 * Address: IPv4 or IPv6 by its text (inet_pton). CIDR: ADDR/PREFIXLEN,
 * the prefix length in decimal within the family's bits; host bits are
 * kept (the module refuses them and says so). Parsers return 0 or -1.
 */
#define NP_CTL_MAC_STRLEN NP_MAC_STRLEN
#define NP_CTL_ADDR_STRLEN NP_ADDR_STRLEN
#define NP_CTL_CIDR_STRLEN (NP_CTL_ADDR_STRLEN + 4)
/* "on" / "off". */
int np_ctl_onoff_parse(const char *s, bool *on);
/* A decimal number in min..max, no sign, no leading spaces. */
int np_ctl_uint_parse(const char *s, unsigned long min, unsigned long max,
		      unsigned long *v);

/*
 * Splits "A,B" at its commas into tok[0..max); returns the count, -1 for
 * more than max parts, -2 for a part too long to be a CIDR.
 */
int np_ctl_split(const char *val, char tok[][NP_CTL_CIDR_STRLEN], int max);

/* One "KEY VALUE" pair of a subcommand's arguments. */
struct np_ctl_kv {
	const char *key;
	const char *value;	/* NULL until found */
};

/*
 * Matches words[0..n) as KEY VALUE pairs against kv[0..nkv). A word that
 * is no key, a key without value or a key given twice is a usage error
 * (reported as <what>, help for <cmd>); returns 0 or -1.
 */
int np_ctl_kv_parse(struct np_ctl *ctl, const char *cmd, const char *what,
		    char **words, int n, struct np_ctl_kv *kv, size_t nkv);

/*
 * overlay (ctl/overlay.c). The parsers take the words after "set" / "del"
 * (NAME first), resolve NAME, report errors on ctl->err and return 0 or -1.
 */
int np_ctl_overlay_set_parse(struct np_ctl *ctl, int argc, char **argv,
			     struct np_overlay_cfg *cfg);
int np_ctl_peer_set_parse(struct np_ctl *ctl, int argc, char **argv,
			  struct np_peer *peer);
int np_ctl_peer_del_parse(struct np_ctl *ctl, int argc, char **argv,
			  uint32_t *ifindex, uint8_t mac[NP_MAC_LEN]);
/*
 * `overlay show`: devs[i] with its peers[i]; devices printed by name, peers
 * by MAC. Returns 0, or -1 (nothing printed) when out of memory.
 */
int np_ctl_overlay_print(FILE *out, const struct np_overlay_cfg *devs,
			 const struct np_peer_list *peers, size_t n,
			 bool script);

/* masq (ctl/masq.c): the words after "set". */
int np_ctl_masq_set_parse(struct np_ctl *ctl, int argc, char **argv,
			  struct np_masq *masq);
void np_ctl_masq_print(FILE *out, const struct np_masq *masq, bool script);

/* raw-peer (ctl/raw_peer.c): the attribute bytes of a malformed PEER_NEW. */
struct np_ctl_raw {
	unsigned char b[256] __attribute__((aligned(4)));
	size_t len;
};
/* Fills raw for variant; -1 if there is no such variant. */
int np_ctl_raw_peer_build(const char *variant, uint32_t ifindex,
			  struct np_ctl_raw *raw);

/*
 * lb (ctl/lb.c). The parsers take the words after "set" / "del" (-4/-6
 * among them), report errors on ctl->err and return 0 or -1; on success
 * fe is canonical and its arrays are the caller's (np_lb_frontend_clear).
 */
int np_ctl_lb_set_parse(struct np_ctl *ctl, int argc, char **argv,
			struct np_lb_frontend *fe);
int np_ctl_lb_del_parse(struct np_ctl *ctl, int argc, char **argv,
			struct np_lb_frontend *key);
/* `lb show`: pretty, or one "lb set ..." line per frontend (script). */
void np_ctl_lb_print(FILE *out, const struct np_lb_list *l, bool script);
/* `-j lb show`; info (may be NULL) gives the generation. 0 or -1. */
int np_ctl_lb_json(FILE *out, const struct np_lb_list *l,
		   const struct np_info *info);

/*
 * policy (ctl/policy.c). `policy set`: the words after "set" into the
 * transaction's class entries and endpoints (arrays the caller frees,
 * endpoints with np_pol_endpoint_clear; endpoints canonical) and the
 * expected generation (0: none); errors reported, 0 or -1.
 */
int np_ctl_policy_set_parse(struct np_ctl *ctl, int argc, char **argv,
			    struct np_pol_class **cls, size_t *n_cls,
			    struct np_pol_endpoint **eps, size_t *n_eps,
			    uint64_t *gen);
/* `policy show`: pretty, or the "policy set" lines (script). */
void np_ctl_policy_print(FILE *out, const struct np_pol_state *st,
			 bool script);
/* `policy trace` on a model (ctl/policy_trace.c). */
int np_ctl_policy_trace(struct np_ctl *ctl, int argc, char **argv);

#endif /* _NP_CTL_H */
