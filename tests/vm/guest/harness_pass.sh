#!/bin/bash
#
# harness_pass.sh: VM harness self-test (tests/vm/selftest.sh), must pass.
# Exercises tests/user/lib.sh and the guest set-up: work tree at the same
# path, writable /run and /lib/modules, netns, modprobe of the guest
# kernel's own modules and of a module installed by tests/vm/run --module,
# and genetlink autoload of that module.
#
#   root netns
#     np-h1 (created by a case, gone after it)
set -euo pipefail
. "$NP_TOP/tests/user/lib.sh"

t_env() {
	np_expect_eq "$NP_TOP" "$PWD" "cwd"
	np_expect_eq /tmp "$HOME" "HOME"
	np_expect_eq 1 "${NP_VM:-}" "NP_VM"
	touch "$NP_TOP/build/vm/.write-test" /run/.write-test /tmp/.write-test
	rm -f "$NP_TOP/build/vm/.write-test"
	test -w "/lib/modules/$(uname -r)"
	cmp <(echo x) /dev/stdin <<<x
}

t_expect() {
	np_expect_eq a a
	np_expect_fail false
	np_expect_fail --stderr 'No such file' ls /nonexistent
}

t_wait_for() {
	local f=/tmp/wait-for.flag
	(sleep 0.3 && touch "$f") &
	np_wait_for 10 test -e "$f"
	wait
}

t_netns() {
	np_netns_add np-h1
	ip netns list | grep -qw np-h1
	ip -n np-h1 link show lo | grep -q UP
}

t_netns_gone() {
	np_expect_fail --stderr 'No such file' ip netns exec np-h1 true
}

t_skip() {
	np_skip "skipping works"
}

t_kernel_module() {
	modprobe vxlan
	test -d /sys/module/vxlan
}

t_installed_module() {
	local ko=build/vm/warnmod/warnmod.ko
	[[ -f $ko ]] || np_skip "$ko not built (tests/vm/selftest.sh builds it)"
	np_module_install "$ko"
	modprobe warnmod
	np_defer modprobe -r warnmod
	grep -q '^warnmod ' /proc/modules
}

t_genl_autoload() {
	local ko=build/vm/warnmod/warnmod.ko
	[[ -f $ko ]] || np_skip "$ko not built (tests/vm/selftest.sh builds it)"
	np_module_install "$ko"
	np_expect_fail test -d /sys/module/warnmod
	# warnmod's alias names this family; the kernel runs modprobe for it.
	np_expect_fail genl ctrl get name npharness
	np_defer modprobe -r warnmod
	test -d /sys/module/warnmod
}

t_dmesg() {
	np_dmesg_clean
}

np_case env t_env
np_case expect t_expect
np_case wait_for t_wait_for
np_case netns t_netns
np_case netns_gone t_netns_gone
np_case skip t_skip
np_case kernel_module t_kernel_module
np_case installed_module t_installed_module
np_case genl_autoload t_genl_autoload
np_case dmesg t_dmesg
np_finish
