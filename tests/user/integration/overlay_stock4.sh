#!/bin/bash
# Overlay reference, IPv4: two stock flannel nodes (kernel vxlan,
# programmed as flannel does). Proves the topology and every check that the
# nodeplane scripts (overlay_interop4.sh, overlay_np2np4.sh) apply, against
# the behaviour nodeplane must match.
# Runs in the test VM (tests/vm/run).
#
#    pod p1 10.42.0.2 2001:db8:42::2          pod p2 10.42.1.2 2001:db8:42:1::2
#        |  eth0 <-veth-> pod0 (.1, ::1)          |  eth0 <-veth-> pod0 (.1, ::1)
#    node n1 (stock flannel)                  node n2 (stock flannel)
#      flannel.1    10.42.0.0/32               flannel.1    10.42.1.0/32
#      flannel-v6.1 2001:db8:42::/128          flannel-v6.1 2001:db8:42:1::/128
#      u0 192.0.2.1 2001:db8::1 <--- veth ---> u0 192.0.2.2 2001:db8::2
#
# Both families are configured; this script sends IPv4 only. MACs, routes,
# neighbours, FDB entries and peers: tests/user/overlay_lib.sh.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$NP_TOP/tests/user/overlay_lib.sh"

ov_setup stock stock
np_defer ov_topo_down
ov_traffic_cases stock-stock4 4
np_case no-nodeplane-device-left ovc_nothing_left
np_finish
