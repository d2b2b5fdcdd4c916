// SPDX-License-Identifier: GPL-2.0-only
/* `nodeplanectl info` output, feature-mask names and np_err_str(). */
#include <errno.h>
#include <stdlib.h>

#include <linux/nodeplane.h>
#include <netlink/errno.h>

#include "check.h"
#include "ctl/ctl.h"

#define ALL_FEATURES (NP_FEATURE_F_SERVICELB | NP_FEATURE_F_NETWORK_POLICY | \
		      NP_FEATURE_F_OVERLAY)

static const struct np_info full = {
	.abi = 1,
	.version = "0.1.0",
	.features = ALL_FEATURES,
	.have_counts = 1,
	.requests = 3,
};

/* np_ctl_info_print() into a string; the caller frees it. */
static char *print(const struct np_info *info, bool script)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	np_ctl_info_print(f, info, script);
	fclose(f);
	return buf;
}

TEST(features_all)
{
	char buf[128];

	CHECK_INT(np_nl_features_str(buf, sizeof(buf), ALL_FEATURES, ","),
		  strlen("servicelb,network-policy,overlay"));
	CHECK_STR(buf, "servicelb,network-policy,overlay");
	np_nl_features_str(buf, sizeof(buf), ALL_FEATURES, " ");
	CHECK_STR(buf, "servicelb network-policy overlay");
}

TEST(features_none)
{
	char buf[128];

	CHECK_INT(np_nl_features_str(buf, sizeof(buf), 0, ","), 4);
	CHECK_STR(buf, "none");
}

TEST(features_unknown_bits_as_hex)
{
	char buf[128];

	np_nl_features_str(buf, sizeof(buf), NP_FEATURE_F_SERVICELB | 0x30, ",");
	CHECK_STR(buf, "servicelb,0x30");
	np_nl_features_str(buf, sizeof(buf), 0x80000000u, ",");
	CHECK_STR(buf, "0x80000000");
	np_nl_features_str(buf, sizeof(buf), NP_FEATURE_F_OVERLAY | 0x100, ", ");
	CHECK_STR(buf, "overlay, 0x100");
}

TEST(features_truncation_is_safe)
{
	char buf[8];

	CHECK_INT(np_nl_features_str(buf, sizeof(buf), ALL_FEATURES | 0x10, ","),
		  strlen("servicelb,network-policy,overlay,0x10"));
	CHECK_STR(buf, "service");
	CHECK_INT(np_nl_features_str(buf, 0, ALL_FEATURES, ","),
		  strlen("servicelb,network-policy,overlay"));
}

TEST(info_script)
{
	char *s = print(&full, true);

	CHECK_STR(s, "version\t0.1.0\n"
		     "abi\t1\n"
		     "features\tservicelb,network-policy,overlay\n"
		     "requests\t3\n");
	free(s);
}

TEST(info_script_without_counts_and_features)
{
	struct np_info info = full;
	char *s;

	info.have_counts = 0;
	info.features = 0;
	s = print(&info, true);
	CHECK_STR(s, "version\t0.1.0\n"
		     "abi\t1\n"
		     "features\tnone\n");
	free(s);
}

TEST(info_script_unknown_feature_bits)
{
	struct np_info info = full;
	char *s;

	info.features = NP_FEATURE_F_NETWORK_POLICY | 0x40;
	info.requests = 18446744073709551615ULL;
	s = print(&info, true);
	CHECK_STR(s, "version\t0.1.0\n"
		     "abi\t1\n"
		     "features\tnetwork-policy,0x40\n"
		     "requests\t18446744073709551615\n");
	free(s);
}

TEST(info_pretty)
{
	char *s = print(&full, false);

	CHECK_STR(s, "module version   0.1.0\n"
		     "abi version      1\n"
		     "features         servicelb network-policy overlay (disabled: hostport)\n"
		     "requests         3\n");
	free(s);
}

TEST(info_pretty_disabled_and_unknown)
{
	struct np_info info = full;
	char *s;

	info.features = NP_FEATURE_F_SERVICELB | 0x10;
	s = print(&info, false);
	CHECK_STR(s, "module version   0.1.0\n"
		     "abi version      1\n"
		     "features         servicelb 0x10 (disabled: network-policy, overlay, hostport)\n"
		     "requests         3\n");
	free(s);
}

TEST(info_pretty_nothing_enabled_no_counts)
{
	struct np_info info = full;
	char *s;

	info.features = 0;
	info.have_counts = 0;
	info.version[0] = '\0';
	s = print(&info, false);
	CHECK_STR(s, "module version   -\n"
		     "abi version      1\n"
		     "features         none (disabled: servicelb, network-policy, overlay, hostport)\n");
	free(s);
}

/* This ABI: FEATURES implemented and enabled, DISABLED as switched off. */
static const struct np_info now = {
	.abi = 1,
	.version = "0.1.0",
	.features = NP_FEATURE_F_OVERLAY,
	.have_counts = 1,
	.requests = 3,
	.have = NP_INFO_HAVE_DISABLED | NP_INFO_HAVE_LIMITS,
	.disabled = NP_FEATURE_F_SERVICELB,
	.max_devices = 16,
	.max_peers = 8192,
	.max_cidrs = 16384,
};

TEST(info_script_disabled_and_limits)
{
	char *s = print(&now, true);

	CHECK_STR(s, "version\t0.1.0\n"
		     "abi\t1\n"
		     "features\toverlay\n"
		     "disabled\tservicelb\n"
		     "requests\t3\n"
		     "max_devices\t16\n"
		     "max_peers\t8192\n"
		     "max_cidrs\t16384\n");
	free(s);
}

/* Not implemented is not disabled: network-policy shows in neither. */
TEST(info_pretty_disabled_and_limits)
{
	struct np_info info = now;
	char *s = print(&info, false);

	CHECK_STR(s, "module version   0.1.0\n"
		     "abi version      1\n"
		     "features         overlay (disabled: servicelb)\n"
		     "requests         3\n"
		     "limits           devices 16, peers 8192, cidrs 16384 per netns\n");
	free(s);
	info.disabled = 0;
	info.have &= ~NP_INFO_HAVE_LIMITS;
	s = print(&info, false);
	CHECK_STR(s, "module version   0.1.0\n"
		     "abi version      1\n"
		     "features         overlay\n"
		     "requests         3\n");
	free(s);
	s = print(&info, true);
	CHECK_STR(s, "version\t0.1.0\n"
		     "abi\t1\n"
		     "features\toverlay\n"
		     "disabled\tnone\n"
		     "requests\t3\n");
	free(s);
}

TEST(err_str)
{
	struct np_err err;
	char buf[512];

	np_err_clear(&err);
	CHECK_STR(np_err_str(&err, buf, sizeof(buf)), "no error");
	CHECK_INT(np_err_set(&err, EPERM, "permission denied: %s", "CAP_NET_ADMIN required"),
		  -EPERM);
	CHECK_STR(np_err_str(&err, buf, sizeof(buf)),
		  "permission denied: CAP_NET_ADMIN required (Operation not permitted)");
	err.msg[0] = '\0';
	err.err = EINVAL;
	CHECK_STR(np_err_str(&err, buf, sizeof(buf)), "Invalid argument");
}

TEST(libnl_errors_map_to_errno)
{
	CHECK_INT(np_nl_errno(-NLE_OBJ_NOTFOUND), ENOENT);
	CHECK_INT(np_nl_errno(NLE_PERM), EPERM);
	CHECK_INT(np_nl_errno(-NLE_NOMEM), ENOMEM);
	CHECK_INT(np_nl_errno(-NLE_SEQ_MISMATCH), EPROTO);
	CHECK_INT(np_nl_errno(-NLE_FAILURE), EIO);
	CHECK_INT(np_nl_errno(0), 0);
}

int main(void)
{
	RUN(features_all);
	RUN(features_none);
	RUN(features_unknown_bits_as_hex);
	RUN(features_truncation_is_safe);
	RUN(info_script);
	RUN(info_script_without_counts_and_features);
	RUN(info_script_unknown_feature_bits);
	RUN(info_pretty);
	RUN(info_pretty_disabled_and_unknown);
	RUN(info_pretty_nothing_enabled_no_counts);
	RUN(info_script_disabled_and_limits);
	RUN(info_pretty_disabled_and_limits);
	RUN(err_str);
	RUN(libnl_errors_map_to_errno);
	return check_summary();
}
