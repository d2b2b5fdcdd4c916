#!/bin/bash
# `make demo`: runs inside the VM and shows the module at work: load with
# K3s-style switches, read INFO back through nodeplanectl and sysfs, show
# that each network namespace (each "node") has its own state; then two
# nodes, one running stock flannel's kernel vxlan devices and one running
# nodeplane, exchanging pod traffic (topology in tests/user/overlay_lib.sh).
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

say "two nodes: n1 runs stock flannel (flannel.1, flannel-v6.1), n2 runs nodeplane (np0)"
. "$top/tests/user/overlay_lib.sh"
ov_topo stock np
run ip -n n1 -d link show flannel.1
run ip -n n1 route show dev flannel.1
run ip -n n2 -d link show np0
run ip -n n2 route show dev np0
run ip netns exec n2 "$ctl" overlay show
say "pod p2 (nodeplane node) -> pod p1 (flannel node), IPv4 and IPv6"
run ip netns exec p2 ping -4 -c 2 -i 0.2 10.42.0.2
run ip netns exec p2 ping -6 -c 2 -i 0.2 2001:db8:42::2
say "and back"
run ip netns exec p1 ping -4 -c 2 -i 0.2 10.42.1.2
run ip netns exec n2 "$ctl" overlay show -s
ov_topo_down
run rmmod nodeplane
