#!/bin/bash
#
# harness_warn.sh: VM harness self-test (tests/vm/selftest.sh), must make the
# run FAIL: loads tests/vm/warnmod with warn=1, so its init does WARN_ON(1);
# with panic_on_warn=1 the guest panics and never writes its final status.
set -euo pipefail
. "$NP_TOP/tests/user/lib.sh"

t_warn() {
	np_module_install build/vm/warnmod/warnmod.ko
	modprobe warnmod warn=1
}

np_case warn t_warn
np_finish
