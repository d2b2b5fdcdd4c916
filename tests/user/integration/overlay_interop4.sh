#!/bin/bash
# Overlay interoperability, IPv4: a stock flannel node (kernel vxlan,
# programmed as flannel does) and a nodeplane node, traffic both ways. Same
# cases as overlay_stock4.sh; crafted frames towards n2 must also move n2's
# counters exactly.
# Runs in the test VM (tests/vm/run).
#
#    pod p1 10.42.0.2 2001:db8:42::2          pod p2 10.42.1.2 2001:db8:42:1::2
#        |  eth0 <-veth-> pod0 (.1, ::1)          |  eth0 <-veth-> pod0 (.1, ::1)
#    node n1 (stock flannel)                  node n2 (nodeplane)
#      flannel.1    10.42.0.0/32               np0 10.42.1.0/32
#      flannel-v6.1 2001:db8:42::/128              2001:db8:42:1::/128
#      u0 192.0.2.1 2001:db8::1 <--- veth ---> u0 192.0.2.2 2001:db8::2
#
# Both families are configured; this script sends IPv4 only. MACs, routes,
# neighbours, FDB entries and peers: tests/user/overlay_lib.sh.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$NP_TOP/tests/user/overlay_lib.sh"

np_module_install
if err=$(ov_np_available); then
	ov_setup stock np
else
	OV_TOPO_ERR=$err # every case FAILs with it: nodeplane cases are required
fi
np_defer ov_topo_down
ov_traffic_cases stock-np4 4
np_case no-nodeplane-device-left ovc_nothing_left
np_finish
