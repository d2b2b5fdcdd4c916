// SPDX-License-Identifier: GPL-2.0
/*
 * nodeplane: K3s node networking in the kernel (ServiceLB and hostPort
 * forwarding, NetworkPolicy, a flannel-compatible overlay), configured through
 * the "nodeplane" generic-netlink family.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mm.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>
#include <linux/nodeplane.h>

#include "lb.h"
#include "masq.h"
#include "netlink.h"
#include "overlay.h"
#include "params.h"
#include "pernet.h"
#include "policy.h"

/*
 * Module parameters mirror K3s's switches or size the per-netns tables, and
 * are read-only after load:
 * `modprobe nodeplane disable=servicelb,network-policy max_peers=1024`.
 */
static int disable_set(const char *val, const struct kernel_param *kp)
{
	const char *bad;
	size_t badlen;
	u32 features;
	int err;

	err = np_params_parse_disable(val, &features, &bad, &badlen);
	if (err) {
		pr_err("disable=: unknown feature '%.*s' (expected servicelb, network-policy, overlay, hostport)\n",
		       (int)badlen, bad);
		return err;
	}
	np_params_set_features(features);
	return 0;
}

static int disable_get(char *buf, const struct kernel_param *kp)
{
	int len = np_params_format_disabled(buf, PAGE_SIZE - 1,
					    np_params_features());

	buf[len++] = '\n';
	return len;
}

static const struct kernel_param_ops disable_ops = {
	.set = disable_set,
	.get = disable_get,
};

module_param_cb(disable, &disable_ops, NULL, 0444);
MODULE_PARM_DESC(disable,
		 "features to switch off, comma-separated: servicelb, network-policy, overlay, hostport (as K3s's --disable)");

module_param_named(max_devices, np_limits.max_devices, uint, 0444);
MODULE_PARM_DESC(max_devices,
		 "nodeplane devices per network namespace (default 16)");
module_param_named(max_peers, np_limits.max_peers, uint, 0444);
MODULE_PARM_DESC(max_peers,
		 "overlay peers per network namespace, over all its devices (default 8192)");
module_param_named(max_cidrs, np_limits.max_cidrs, uint, 0444);
MODULE_PARM_DESC(max_cidrs,
		 "peer pod CIDRs per network namespace, over all its devices (default 16384)");
module_param_named(max_frontends, np_limits.max_frontends, uint, 0444);
MODULE_PARM_DESC(max_frontends,
		 "ServiceLB/hostPort frontends per network namespace, staged ones included (default 4096)");
module_param_named(max_backends, np_limits.max_backends, uint, 0444);
MODULE_PARM_DESC(max_backends,
		 "ServiceLB/hostPort backends per network namespace, over all its frontends (default 65536)");
module_param_named(max_ranges, np_limits.max_ranges, uint, 0444);
MODULE_PARM_DESC(max_ranges,
		 "ServiceLB source ranges (CIDRs) per network namespace, over all its frontends (default 262144)");
module_param_named(max_policy_prefixes, np_limits.max_policy_prefixes, uint,
		   0444);
MODULE_PARM_DESC(max_policy_prefixes,
		 "NetworkPolicy class map prefixes per network namespace, an open transaction's included (default 262144)");
module_param_named(max_policy_endpoints, np_limits.max_policy_endpoints,
		   uint, 0444);
MODULE_PARM_DESC(max_policy_endpoints,
		 "NetworkPolicy endpoints (local pod addresses) per network namespace, an open transaction's included (default 4096)");
module_param_named(max_policy_rules, np_limits.max_policy_rules, uint, 0444);
MODULE_PARM_DESC(max_policy_rules,
		 "NetworkPolicy rule port entries per network namespace over all endpoints, a rule without ports counting one (default 262144)");

static int __init np_init(void)
{
	int err;

	err = np_pernet_init();
	if (err)
		goto out;
	err = np_overlay_init();
	if (err)
		goto err_pernet;
	err = np_masq_init();
	if (err)
		goto err_overlay;
	err = np_lb_init();
	if (err)
		goto err_masq;
	err = np_pol_init();
	if (err)
		goto err_lb;
	err = np_netlink_init();
	if (err)
		goto err_pol;

	pr_info("version %s loaded, features 0x%x\n", NP_VERSION,
		np_params_features() & NP_FEATURES_IMPLEMENTED);
	return 0;

err_pol:
	np_pol_exit();
err_lb:
	np_lb_exit();
err_masq:
	np_masq_exit();
err_overlay:
	np_overlay_exit();
err_pernet:
	np_pernet_exit();
out:
	return err;
}

static void __exit np_exit(void)
{
	np_netlink_exit();
	np_pol_exit();
	np_lb_exit();
	np_masq_exit();
	np_overlay_exit();
	np_pernet_exit();
	rcu_barrier();
}

module_init(np_init);
module_exit(np_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("nodeplane developers");
MODULE_DESCRIPTION("K3s node networking: ServiceLB, NetworkPolicy and a flannel-compatible overlay");
MODULE_VERSION(NP_VERSION);
MODULE_ALIAS_GENL_FAMILY(NODEPLANE_GENL_NAME);
MODULE_ALIAS_RTNL_LINK("nodeplane");
