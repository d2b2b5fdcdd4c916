#!/bin/bash
# `make demo`: runs inside the VM and shows the module at work: load with
# K3s-style switches, read INFO back through nodeplanectl and sysfs, show
# that each network namespace (each "node") has its own state, unload.
set -euo pipefail
top=${NP_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/user/lib.sh"
ctl=$top/daemon/nodeplanectl

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "$*"; "$@"; }

np_module_install
run modprobe nodeplane disable=servicelb
run cat /sys/module/nodeplane/parameters/disable
run "$ctl" info
run "$ctl" info -s
run ip netns add node-a
run ip netns exec node-a "$ctl" info
run ip netns del node-a
run rmmod nodeplane
say "genl autoload: nodeplanectl info loads the module on first use"
"$ctl" info -s
run lsmod
rmmod nodeplane
