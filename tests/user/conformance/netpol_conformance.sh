#!/bin/bash
# NetworkPolicy conformance over IPv4 (issue 10): upstream's truth-table
# cases (kubernetes test/e2e/network/netpol, transcribed in
# tests/user/netpol_cases/, README.md there; the supplementary ones are
# netpol_conformance_supp.sh's), each one np_case, on two nodes running nodeplaned in manifests mode, 9
# pods on their cni0 bridges (3 namespaces x 3 pods), every ordered pair
# probed on the case's protocol and port. Runs in the test VM
# (tests/vm/run).
#
#                 VM root netns: br0 192.0.2.254/24 (LAN)
#              +-----------------------------+
#   n1 eth0 192.0.2.1  nodeplaned     n2 eth0 192.0.2.2  nodeplaned
#   cni0 10.42.0.1                    cni0 10.42.1.1
#    x/a x/c y/b z/a z/c               x/b y/a y/c z/b
#   (TCP, UDP, SCTP servers on 80 and 81 in every pod)
#
# Details: tests/user/netpol_lib.sh, tests/user/netpol_run.py.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$NP_TOP/tests/user/netpol_lib.sh"

t_up() {
	np_module_install
	modprobe sctp || np_fail "modprobe sctp: the servers and probes need SCTP"
	npc_up
}

np_defer sl_down
np_case cluster-up-two-nodes-nine-pods t_up
np_case baseline-every-pair-every-port-ipv4 npc_baseline 4
np_case harness-sees-drops-and-rejects-ipv4 npc_harness_sees_drops 4
npc_cases 4 upstream
np_case nothing-left npc_nothing_left
np_finish
