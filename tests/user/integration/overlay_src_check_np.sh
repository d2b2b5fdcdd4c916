#!/bin/bash
# The overlay's source check between two nodeplane nodes, on at both: the
# traffic of overlay_src_check.sh both ways (nothing refused on either
# node), and the crafted IPv6 frames towards n2, whose link-local Neighbour
# Solicitation now comes from n1's np0 address. IPv4 crafted frames and the
# stock node: overlay_src_check.sh. Runs in the test VM.
#
#    pod p1 10.42.0.2 2001:db8:42::2          pod p2 10.42.1.2 2001:db8:42:1::2
#        |  eth0 <-veth-> pod0 (.1, ::1)          |  eth0 <-veth-> pod0 (.1, ::1)
#    node n1 (nodeplane, source-check on)     node n2 (nodeplane, source-check on)
#      np0 10.42.0.0/32                        np0 10.42.1.0/32
#          2001:db8:42::/128                       2001:db8:42:1::/128
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
sc_setup np
ov_case np-np/flag-on-shown-and-kept case_flag_shown
for f in 4 6; do
	ov_case "np-np/traffic$f-with-check" case_traffic "$f"
done
ov_case np-np/crafted6-check-on case_crafted 6 on
ov_case np-np/crafted6-check-off case_crafted 6 off
np_case no-nodeplane-device-left ovc_nothing_left
np_finish
