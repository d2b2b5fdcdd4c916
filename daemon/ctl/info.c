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
 *   generation<TAB><LB state generation>           (if the module sends it)
 *   lb_frontends<TAB><published frontends>         (if the module sends
 *   lb_backends<TAB><their backends>                its LB counts)
 *   lb_ranges<TAB><their source CIDRs>
 *   lb_staged<TAB><staged, unpublished frontends>
 *   max_frontends<TAB><per-netns limit>            (if the module sends
 *   max_backends<TAB><per-netns limit>              its LB limits)
 *   max_ranges<TAB><per-netns limit>
 * With -j: one JSON object with these keys (features and disabled as
 * arrays of names, absent values left out).
 */
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include <cjson/cJSON.h>
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
		if (info->have & NP_INFO_HAVE_GENERATION)
			fprintf(out, "generation\t%" PRIu64 "\n",
				info->generation);
		if (info->have & NP_INFO_HAVE_LB_COUNTS)
			fprintf(out, "lb_frontends\t%" PRIu32 "\nlb_backends\t%"
				PRIu32 "\nlb_ranges\t%" PRIu32 "\nlb_staged\t%"
				PRIu32 "\n", info->lb_frontends,
				info->lb_backends, info->lb_ranges,
				info->lb_staged);
		if (info->have & NP_INFO_HAVE_LB_LIMITS)
			fprintf(out, "max_frontends\t%" PRIu32
				"\nmax_backends\t%" PRIu32 "\nmax_ranges\t%"
				PRIu32 "\n", info->max_frontends,
				info->max_backends, info->max_ranges);
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
	if (info->have & NP_INFO_HAVE_GENERATION)
		fprintf(out, "%-*s %" PRIu64 "\n", KEY_WIDTH, "lb generation",
			info->generation);
	if (info->have & NP_INFO_HAVE_LB_COUNTS)
		fprintf(out, "%-*s %" PRIu32 " frontends, %" PRIu32
			" backends, %" PRIu32 " ranges, %" PRIu32 " staged\n",
			KEY_WIDTH, "lb", info->lb_frontends, info->lb_backends,
			info->lb_ranges, info->lb_staged);
	if (info->have & NP_INFO_HAVE_LB_LIMITS)
		fprintf(out, "%-*s frontends %" PRIu32 ", backends %" PRIu32
			", ranges %" PRIu32 " per netns\n", KEY_WIDTH,
			"lb limits", info->max_frontends, info->max_backends,
			info->max_ranges);
}

/* A u64 as an exact JSON number (cJSON's are doubles). */
static bool add_u64(cJSON *obj, const char *name, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return cJSON_AddRawToObject(obj, name, buf) != NULL;
}

/* The names of mask's features as an array (unknown bits: "0x.."). */
static bool add_features(cJSON *obj, const char *name, uint32_t mask)
{
	cJSON *arr = cJSON_AddArrayToObject(obj, name);
	char buf[128], *tok, *save = NULL;

	if (!arr)
		return false;
	if (!mask)
		return true;
	np_nl_features_str(buf, sizeof(buf), mask, ",");
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		if (!cJSON_AddItemToArray(arr, cJSON_CreateString(tok)))
			return false;
	return true;
}

int np_ctl_info_json(FILE *out, const struct np_info *info)
{
	static const struct {
		uint32_t have;
		const char *key;
		size_t off;
	} u32s[] = {
#define F(h, k) { NP_INFO_HAVE_##h, #k, offsetof(struct np_info, k) }
		F(OVERLAY_DEVICES, overlay_devices),
		F(OVERLAY_PEERS, overlay_peers),
		F(MASQ_CIDRS, masq_cidrs),
		F(LIMITS, max_devices), F(LIMITS, max_peers),
		F(LIMITS, max_cidrs),
		F(LB_COUNTS, lb_frontends), F(LB_COUNTS, lb_backends),
		F(LB_COUNTS, lb_ranges), F(LB_COUNTS, lb_staged),
		F(LB_LIMITS, max_frontends), F(LB_LIMITS, max_backends),
		F(LB_LIMITS, max_ranges),
#undef F
	};
	uint32_t disabled = info->have & NP_INFO_HAVE_DISABLED ?
			    info->disabled :
			    ~info->features & __NP_FEATURE_F_ALL;
	cJSON *o = cJSON_CreateObject();
	char *s;
	size_t i;

	if (!o)
		return -1;
	if (!cJSON_AddStringToObject(o, "version", info->version) ||
	    !add_u64(o, "abi", info->abi) ||
	    !add_features(o, "features", info->features) ||
	    ((info->have & NP_INFO_HAVE_DISABLED) &&
	     !add_features(o, "disabled", disabled)) ||
	    (info->have_counts && !add_u64(o, "requests", info->requests)) ||
	    ((info->have & NP_INFO_HAVE_GENERATION) &&
	     !add_u64(o, "generation", info->generation)))
		goto fail;
	for (i = 0; i < sizeof(u32s) / sizeof(u32s[0]); i++) {
		uint32_t v;

		if (!(info->have & u32s[i].have))
			continue;
		memcpy(&v, (const char *)info + u32s[i].off, sizeof(v));
		if (!add_u64(o, u32s[i].key, v))
			goto fail;
	}
	s = cJSON_Print(o);
	if (!s)
		goto fail;
	fprintf(out, "%s\n", s);
	cJSON_free(s);
	cJSON_Delete(o);
	return 0;
fail:
	cJSON_Delete(o);
	return -1;
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
	if (ctl->json) {
		if (np_ctl_info_json(ctl->out, &info) < 0) {
			np_ctl_errorf(ctl, "info", "out of memory");
			return NP_CTL_EXIT_FAIL;
		}
		return NP_CTL_EXIT_OK;
	}
	np_ctl_info_print(ctl->out, &info, ctl->script);
	return NP_CTL_EXIT_OK;
}

const struct np_ctl_cmd np_ctl_cmd_info = {
	.name = "info",
	.args = "",
	.summary = "show the module's version, ABI version, features and counters",
	.json = true,
	.run = run,
};
