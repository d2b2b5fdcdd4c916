// SPDX-License-Identifier: GPL-2.0
/*
 * warnmod: harness self-test module. With warn=1 its init function hits
 * WARN_ON(1). Without it, it loads and unloads quietly, which proves that
 * module install, modprobe and genetlink autoload (its alias names the
 * family "npharness", which it does not register) work in the VM. Never
 * shipped.
 */
#include <linux/module.h>
#include <linux/bug.h>
#include <net/genetlink.h>

static bool warn;
module_param(warn, bool, 0444);
MODULE_PARM_DESC(warn, "WARN_ON(1) in module init (default: false)");

static int __init warnmod_init(void)
{
	WARN_ON(warn);
	return 0;
}

static void __exit warnmod_exit(void)
{
}

module_init(warnmod_init);
module_exit(warnmod_exit);
MODULE_DESCRIPTION("nodeplane VM harness self-test: WARN on load");
MODULE_LICENSE("GPL");
MODULE_ALIAS_GENL_FAMILY("npharness");
