// SPDX-License-Identifier: GPL-2.0-only
/*
 * nodeplanectl argument handling through np_ctl_main(). Only paths that
 * end before any netlink socket is opened are exercised here.
 */
#include <stdarg.h>
#include <stdlib.h>

#include "check.h"
#include "ctl/ctl.h"
#include "version.h"

struct result {
	int status;
	bool script;
	char *out;
	char *err;
};

static void result_free(struct result *r)
{
	free(r->out);
	free(r->err);
}

/* Runs np_ctl_main() on a NULL-terminated argument list. */
static struct result run(int script, ...)
{
	struct result r = { 0 };
	size_t olen = 0, elen = 0;
	char *argv[16];
	struct np_ctl ctl;
	va_list ap;
	int argc = 0;

	argv[argc++] = "nodeplanectl";
	va_start(ap, script);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;

	memset(&ctl, 0, sizeof(ctl));
	ctl.out = open_memstream(&r.out, &olen);
	ctl.err = open_memstream(&r.err, &elen);
	if (!ctl.out || !ctl.err)
		abort();
	ctl.script = script;
	r.status = np_ctl_main(&ctl, argc, argv);
	r.script = ctl.script;
	fclose(ctl.out);
	fclose(ctl.err);
	return r;
}

TEST(help_exits_0_and_hides_test_commands)
{
	struct result r = run(false, "--help", NULL);
	const char *first = "Usage: nodeplanectl [OPTIONS] COMMAND [ARGS]\n";

	CHECK_INT(r.status, 0);
	CHECK(!strncmp(r.out, first, strlen(first)));
	CHECK_CONTAINS(r.out, "\n  info ");
	CHECK_CONTAINS(r.out, "Exit status:\n  0  success\n  1  failure");
	CHECK(!strstr(r.out, "raw-info"));
	CHECK_STR(r.err, "");
	result_free(&r);
}

TEST(short_help_same_as_long)
{
	struct result a = run(false, "--help", NULL);
	struct result b = run(false, "-h", NULL);

	CHECK_INT(b.status, 0);
	CHECK_STR(b.out, a.out);
	result_free(&a);
	result_free(&b);
}

TEST(version)
{
	char want[128];
	struct result r = run(false, "--version", NULL);

	snprintf(want, sizeof(want), "nodeplanectl %s\n", np_version);
	CHECK_INT(r.status, 0);
	CHECK_STR(r.out, want);
	result_free(&r);
	r = run(false, "-V", NULL);
	CHECK_STR(r.out, want);
	result_free(&r);
}

TEST(unknown_command_exits_1)
{
	struct result r = run(false, "frobnicate", NULL);

	CHECK_INT(r.status, 1);
	CHECK_STR(r.out, "");
	CHECK_STR(r.err, "nodeplanectl: unknown command 'frobnicate'\n"
		  "Try 'nodeplanectl --help' for more information.\n");
	result_free(&r);
}

TEST(hidden_command_is_not_a_prefix_match)
{
	struct result r = run(false, "raw", NULL);

	CHECK_INT(r.status, 1);
	CHECK_CONTAINS(r.err, "unknown command 'raw'");
	result_free(&r);
}

TEST(no_command_exits_1)
{
	struct result r = run(false, NULL);

	CHECK_INT(r.status, 1);
	CHECK_STR(r.err, "nodeplanectl: no command given\n"
		  "Try 'nodeplanectl --help' for more information.\n");
	result_free(&r);
}

TEST(unknown_options_exit_1)
{
	struct result r = run(false, "--bogus", "info", NULL);

	CHECK_INT(r.status, 1);
	CHECK_STR(r.err, "nodeplanectl: unknown option '--bogus'\n"
		  "Try 'nodeplanectl --help' for more information.\n");
	result_free(&r);
	r = run(false, "-sx", "info", NULL);
	CHECK_INT(r.status, 1);
	CHECK_STR(r.err, "nodeplanectl: unknown option '-x'\n"
		  "Try 'nodeplanectl --help' for more information.\n");
	result_free(&r);
	r = run(false, "--help=yes", NULL);
	CHECK_INT(r.status, 1);
	CHECK_CONTAINS(r.err, "unknown option '--help=yes'");
	result_free(&r);
}

TEST(script_flag_before_and_after_command)
{
	struct result r = run(false, "-s", "info", "--help", NULL);

	CHECK_INT(r.status, 0);
	CHECK(r.script);
	result_free(&r);
	r = run(false, "info", "--script", "--help", NULL);
	CHECK_INT(r.status, 0);
	CHECK(r.script);
	result_free(&r);
	r = run(false, "info", "--help", NULL);
	CHECK(!r.script);
	result_free(&r);
}

TEST(info_help)
{
	struct result r = run(false, "info", "-h", NULL);

	CHECK_INT(r.status, 0);
	CHECK_STR(r.out, "Usage: nodeplanectl info\n\n"
		  "show the module's version, ABI version, features and counters\n");
	CHECK_STR(r.err, "");
	result_free(&r);
}

TEST(info_rejects_arguments)
{
	struct result r = run(false, "info", "extra", NULL);

	CHECK_INT(r.status, 1);
	CHECK_STR(r.out, "");
	CHECK_STR(r.err, "nodeplanectl: info: unexpected argument 'extra'\n"
		  "Try 'nodeplanectl info --help' for more information.\n");
	result_free(&r);
	r = run(false, "info", "--frob", NULL);
	CHECK_INT(r.status, 1);
	CHECK_STR(r.err, "nodeplanectl: info: unknown option '--frob'\n"
		  "Try 'nodeplanectl info --help' for more information.\n");
	result_free(&r);
}

TEST(double_dash_ends_global_options)
{
	struct result r = run(false, "--", "info", "--help", NULL);

	CHECK_INT(r.status, 0);
	CHECK_CONTAINS(r.out, "Usage: nodeplanectl info");
	result_free(&r);
}

TEST(raw_info_variant_checked_before_any_socket)
{
	struct result r = run(false, "raw-info", NULL);

	CHECK_INT(r.status, 1);
	CHECK_STR(r.err, "nodeplanectl: raw-info: missing variant "
		  "(unknown-attr, wrong-type or missing-abi)\n");
	result_free(&r);
	r = run(false, "raw-info", "bogus", NULL);
	CHECK_INT(r.status, 1);
	CHECK_STR(r.err, "nodeplanectl: raw-info: unknown variant 'bogus'\n");
	result_free(&r);
	r = run(false, "raw-info", "wrong-type", "missing-abi", NULL);
	CHECK_INT(r.status, 1);
	CHECK_CONTAINS(r.err, "unexpected argument 'missing-abi'");
	result_free(&r);
	r = run(false, "raw-info", "--help", NULL);
	CHECK_INT(r.status, 0);
	CHECK_STR(r.out, "Usage: nodeplanectl raw-info "
		  "unknown-attr|wrong-type|missing-abi\n\n"
		  "send a malformed INFO_GET request (for tests)\n");
	result_free(&r);
}

int main(void)
{
	RUN(help_exits_0_and_hides_test_commands);
	RUN(short_help_same_as_long);
	RUN(version);
	RUN(unknown_command_exits_1);
	RUN(hidden_command_is_not_a_prefix_match);
	RUN(no_command_exits_1);
	RUN(unknown_options_exit_1);
	RUN(script_flag_before_and_after_command);
	RUN(info_help);
	RUN(info_rejects_arguments);
	RUN(double_dash_ends_global_options);
	RUN(raw_info_variant_checked_before_any_socket);
	return check_summary();
}
