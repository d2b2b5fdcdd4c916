// SPDX-License-Identifier: GPL-2.0-only
/*
 * nodeplanectl info: module version, ABI, features, counters.
 *
 * Script output (stable; a key is never renamed or removed):
 *   version<TAB><module version>
 *   abi<TAB><ABI the module speaks>
 *   features<TAB><implemented and enabled names, comma-separated, unknown
 *                 bits as one hex number, or "none">
 *   disabled<TAB><names switched off by disable=, as above>
 *                                                    (if the module says)
 *   requests<TAB><requests handled in this netns>   (if the module counts)
 *   overlay_devices<TAB><nodeplane devices>          (each if the module
 *   overlay_peers<TAB><peers over all devices>        sends it)
 *   masq_cidrs<TAB><cluster CIDRs for masquerade>
 *   max_devices<TAB><per-netns limit>                (if the module sends
 *   max_peers<TAB><per-netns limit>                   its limits)
 *   max_cidrs<TAB><per-netns limit>
 */
#include <inttypes.h>

#include <linux/nodeplane.h>

#include "ctl/ctl.h"

#define KEY_WIDTH 16

void np_ctl_info_print(FILE *out, const struct np_info *info, bool script)
{
	const char *version = info->version;
	/* Older modules: what FEATURES lacks was disabled. */
	uint32_t disabled = info->have & NP_INFO_HAVE_DISABLED ?
			    info->disabled :
			    ~info->features & __NP_FEATURE_F_ALL;
	char on[128], off[128];

	if (script) {
		np_nl_features_str(on, sizeof(on), info->features, ",");
		fprintf(out, "version\t%s\n", version);
		fprintf(out, "abi\t%" PRIu32 "\n", info->abi);
		fprintf(out, "features\t%s\n", on);
		if (info->have & NP_INFO_HAVE_DISABLED) {
			np_nl_features_str(off, sizeof(off), disabled, ",");
			fprintf(out, "disabled\t%s\n", off);
		}
		if (info->have_counts)
			fprintf(out, "requests\t%" PRIu64 "\n", info->requests);
		if (info->have & NP_INFO_HAVE_OVERLAY_DEVICES)
			fprintf(out, "overlay_devices\t%" PRIu32 "\n",
				info->overlay_devices);
		if (info->have & NP_INFO_HAVE_OVERLAY_PEERS)
			fprintf(out, "overlay_peers\t%" PRIu32 "\n",
				info->overlay_peers);
		if (info->have & NP_INFO_HAVE_MASQ_CIDRS)
			fprintf(out, "masq_cidrs\t%" PRIu32 "\n",
				info->masq_cidrs);
		if (info->have & NP_INFO_HAVE_LIMITS)
			fprintf(out, "max_devices\t%" PRIu32 "\nmax_peers\t%"
				PRIu32 "\nmax_cidrs\t%" PRIu32 "\n",
				info->max_devices, info->max_peers,
				info->max_cidrs);
		return;
	}

	np_nl_features_str(on, sizeof(on), info->features, " ");
	np_nl_features_str(off, sizeof(off), disabled, ", ");
	fprintf(out, "%-*s %s\n", KEY_WIDTH, "module version",
		version[0] ? version : "-");
	fprintf(out, "%-*s %" PRIu32 "\n", KEY_WIDTH, "abi version", info->abi);
	fprintf(out, "%-*s %s%s%s%s\n", KEY_WIDTH, "features", on,
		disabled ? " (disabled: " : "", disabled ? off : "",
		disabled ? ")" : "");
	if (info->have_counts)
		fprintf(out, "%-*s %" PRIu64 "\n", KEY_WIDTH, "requests",
			info->requests);
	if (info->have & NP_INFO_HAVE_OVERLAY_DEVICES)
		fprintf(out, "%-*s %" PRIu32 "\n", KEY_WIDTH, "overlay devices",
			info->overlay_devices);
	if (info->have & NP_INFO_HAVE_OVERLAY_PEERS)
		fprintf(out, "%-*s %" PRIu32 "\n", KEY_WIDTH, "overlay peers",
			info->overlay_peers);
	if (info->have & NP_INFO_HAVE_MASQ_CIDRS)
		fprintf(out, "%-*s %" PRIu32 "\n", KEY_WIDTH, "masq cidrs",
			info->masq_cidrs);
	if (info->have & NP_INFO_HAVE_LIMITS)
		fprintf(out, "%-*s devices %" PRIu32 ", peers %" PRIu32
			", cidrs %" PRIu32 " per netns\n", KEY_WIDTH, "limits",
			info->max_devices, info->max_peers, info->max_cidrs);
}

static int run(struct np_ctl *ctl, int argc, char **argv)
{
	struct np_info info;
	struct np_nl *nl;
	struct np_err err;
	int npos = 0;
	int r;

	r = np_ctl_args(ctl, &np_ctl_cmd_info, argc, argv, NULL, &npos);
	if (r != NP_CTL_CONTINUE)
		return r;
	if (np_ctl_nl_open(ctl, &nl, &err) < 0) {
		np_ctl_error(ctl, "info", &err);
		return NP_CTL_EXIT_FAIL;
	}
	r = np_nl_info_get(nl, &info, &err);
	np_ctl_nl_close(ctl, nl);
	if (r < 0) {
		np_ctl_error(ctl, "info", &err);
		return NP_CTL_EXIT_FAIL;
	}
	if (info.abi != NODEPLANE_GENL_VERSION)
		fprintf(ctl->err,
			NP_CTL_PROG ": warning: the module speaks ABI %" PRIu32
			", " NP_CTL_PROG " was built for ABI %d\n",
			info.abi, NODEPLANE_GENL_VERSION);
	np_ctl_info_print(ctl->out, &info, ctl->script);
	return NP_CTL_EXIT_OK;
}

const struct np_ctl_cmd np_ctl_cmd_info = {
	.name = "info",
	.args = "",
	.summary = "show the module's version, ABI version, features and counters",
	.run = run,
};
