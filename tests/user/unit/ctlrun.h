/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Running nodeplanectl's entry point (np_ctl_main) or a parser in-process
 * with its output captured, and device names resolved by a fixed table:
 * np0 = 5, np1 = 6, lo = 1, anything else absent.
 */
#ifndef _NP_CTLRUN_H
#define _NP_CTLRUN_H

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"

static inline unsigned int fake_nametoindex(const char *name)
{
	if (!strcmp(name, "np0"))
		return 5;
	if (!strcmp(name, "np1"))
		return 6;
	if (!strcmp(name, "lo"))
		return 1;
	return 0;
}

struct cap {
	struct np_ctl ctl;
	char *out, *err;
	size_t olen, elen;
};

static inline void cap_open(struct cap *c, bool script)
{
	memset(c, 0, sizeof(*c));
	c->ctl.out = open_memstream(&c->out, &c->olen);
	c->ctl.err = open_memstream(&c->err, &c->elen);
	if (!c->ctl.out || !c->ctl.err)
		abort();
	c->ctl.script = script;
	c->ctl.nametoindex = fake_nametoindex;
}

/* Flushes: c->out and c->err are then complete strings. */
static inline void cap_close(struct cap *c)
{
	fclose(c->ctl.out);
	fclose(c->ctl.err);
}

static inline void cap_free(struct cap *c)
{
	free(c->out);
	free(c->err);
}

struct ctlres {
	int status;
	char *out;
	char *err;
};

static inline void ctlres_free(struct ctlres *r)
{
	free(r->out);
	free(r->err);
}

/* np_ctl_main() on "nodeplanectl" and a NULL-terminated argument list. */
static inline struct ctlres ctl_run(const char *first, ...)
{
	struct ctlres r;
	char *argv[64];
	struct cap c;
	va_list ap;
	int argc = 0;

	argv[argc++] = "nodeplanectl";
	argv[argc] = (char *)first;
	if (first) {
		argc++;
		va_start(ap, first);
		while (argc < 63 && (argv[argc] = va_arg(ap, char *)))
			argc++;
		va_end(ap);
	}
	argv[argc] = NULL;
	cap_open(&c, true);
	r.status = np_ctl_main(&c.ctl, argc, argv);
	cap_close(&c);
	r.out = c.out;
	r.err = c.err;
	return r;
}

/* Splits s at sep into argv (in place); returns argc. */
static inline int split_words(char *s, char sep, char **argv, int max)
{
	int n = 0;

	while (n < max - 1) {
		char *e = strchr(s, sep);

		argv[n++] = s;
		if (!e)
			break;
		*e = '\0';
		s = e + 1;
	}
	argv[n] = NULL;
	return n;
}

#endif /* _NP_CTLRUN_H */
