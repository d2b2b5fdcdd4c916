#!/bin/bash
# The overlay's source check (NP_OVERLAY_F_RX_SRC_CHECK, `nodeplanectl
# overlay set np0 source-check on`) against a stock flannel node: a received
# frame is accepted only from the peer that owns its inner source. The stock
# node still interoperates with it on (its frames carry its pod sources);
# frames crafted on the underlay with another node's pod source, from an
# address that is no peer, from a third node with node 1's pod source, or
# with node 1's own non-pod address, are dropped and counted in rx_bad_src
# exactly; ARP requests and Neighbour Solicitations are answered only for
# their peer. With the check off the same frames are delivered (so the
# cases can fail). Two nodeplane nodes: overlay_src_check_np.sh. Runs in the
# test VM.
#
#    pod p1 10.42.0.2 2001:db8:42::2          pod p2 10.42.1.2 2001:db8:42:1::2
#        |  eth0 <-veth-> pod0 (.1, ::1)          |  eth0 <-veth-> pod0 (.1, ::1)
#    node n1 (stock flannel)                  node n2 (nodeplane, source-check on)
#      flannel.1    10.42.0.0/32               np0 10.42.1.0/32
#      flannel-v6.1 2001:db8:42::/128              2001:db8:42:1::/128
#      u0 192.0.2.1 2001:db8::1 <--- veth ---> u0 192.0.2.2 2001:db8::2
#         + 192.0.2.3 2001:db8::3: "node 3", a peer of n2 only (MACs
#           02:cc:00:00:00:04/06, pods 10.42.2.0/24 2001:db8:42:2::/64),
#           so that n2's answers to it come back to n1's underlay
#
# Details: tests/user/srccheck_lib.sh (the cases), tests/user/overlay_lib.sh
# (MACs, routes, neighbours, FDB), tests/user/overlay_scapy.py srccheck.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$NP_TOP/tests/user/overlay_lib.sh"
. "$NP_TOP/tests/user/srccheck_lib.sh"

np_module_install
np_defer ov_topo_down
sc_setup stock
ov_case stock-np/flag-on-shown-and-kept case_flag_shown
for f in 4 6; do
	ov_case "stock-np/traffic$f-with-check" case_traffic "$f"
	ov_case "stock-np/crafted$f-check-on" case_crafted "$f" on
	ov_case "stock-np/crafted$f-check-off" case_crafted "$f" off
done
np_case no-nodeplane-device-left ovc_nothing_left
np_finish
