// SPDX-License-Identifier: GPL-2.0-only
/*
 * nodeplanectl raw-info VARIANT (hidden, for the integration tests): sends
 * a malformed NP_CMD_INFO_GET so the module's validation and extack can be
 * checked from the command line.
 *   unknown-attr  a valid NP_INFO_A_ABI_VERSION plus attribute type
 *                 __NP_INFO_A_MAX (one past the highest known), u32
 *   wrong-type    NP_INFO_A_ABI_VERSION as a u64 instead of a u32
 *   missing-abi   no attributes at all
 * The module should refuse each one; exit 1 with its explanation on stderr.
 * If it accepts the request, "accepted" is printed and the exit status is 0.
 */
#include <stdint.h>
#include <string.h>

#include <linux/netlink.h>
#include <linux/nodeplane.h>

#include "ctl/ctl.h"

struct abuf {
	unsigned char b[64] __attribute__((aligned(NLA_ALIGNTO)));
	size_t len;
};

static void put_attr(struct abuf *a, uint16_t type, const void *data,
		     uint16_t len)
{
	struct nlattr hdr = { .nla_len = NLA_HDRLEN + len, .nla_type = type };

	memcpy(a->b + a->len, &hdr, sizeof(hdr));
	memcpy(a->b + a->len + NLA_HDRLEN, data, len);
	memset(a->b + a->len + NLA_HDRLEN + len, 0,
	       NLA_ALIGN(hdr.nla_len) - hdr.nla_len);
	a->len += NLA_ALIGN(hdr.nla_len);
}

static void build_unknown_attr(struct abuf *a)
{
	uint32_t abi = NODEPLANE_GENL_VERSION, zero = 0;

	put_attr(a, NP_INFO_A_ABI_VERSION, &abi, sizeof(abi));
	put_attr(a, __NP_INFO_A_MAX, &zero, sizeof(zero));
}

static void build_wrong_type(struct abuf *a)
{
	uint64_t abi = NODEPLANE_GENL_VERSION;

	put_attr(a, NP_INFO_A_ABI_VERSION, &abi, sizeof(abi));
}

static void build_missing_abi(struct abuf *a)
{
	(void)a;
}

static const struct {
	const char *name;
	void (*build)(struct abuf *a);
} variants[] = {
	{ "unknown-attr", build_unknown_attr },
	{ "wrong-type", build_wrong_type },
	{ "missing-abi", build_missing_abi },
};

static int run(struct np_ctl *ctl, int argc, char **argv)
{
	struct abuf a = { .len = 0 };
	char *pos[1];
	struct np_nl *nl;
	struct np_err err;
	int npos = 1;
	size_t i;
	int r;

	r = np_ctl_args(ctl, &np_ctl_cmd_raw_info, argc, argv, pos, &npos);
	if (r != NP_CTL_CONTINUE)
		return r;
	if (npos != 1) {
		np_ctl_errorf(ctl, "raw-info",
			      "missing variant (unknown-attr, wrong-type or missing-abi)");
		return NP_CTL_EXIT_FAIL;
	}
	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		if (!strcmp(variants[i].name, pos[0]))
			break;
	if (i == sizeof(variants) / sizeof(variants[0])) {
		np_ctl_errorf(ctl, "raw-info", "unknown variant '%s'", pos[0]);
		return NP_CTL_EXIT_FAIL;
	}
	variants[i].build(&a);

	if (np_ctl_nl_open(ctl, &nl, &err) < 0) {
		np_ctl_error(ctl, "raw-info", &err);
		return NP_CTL_EXIT_FAIL;
	}
	r = np_nl_send_raw(nl, NP_CMD_INFO_GET, a.b, a.len, &err);
	np_ctl_nl_close(ctl, nl);
	if (r < 0) {
		np_ctl_error(ctl, "raw-info", &err);
		return NP_CTL_EXIT_FAIL;
	}
	fprintf(ctl->out, "accepted\n");
	return NP_CTL_EXIT_OK;
}

const struct np_ctl_cmd np_ctl_cmd_raw_info = {
	.name = "raw-info",
	.args = "unknown-attr|wrong-type|missing-abi",
	.summary = "send a malformed INFO_GET request (for tests)",
	.hidden = true,
	.run = run,
};
