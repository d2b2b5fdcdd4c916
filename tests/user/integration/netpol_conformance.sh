#!/bin/bash
# NetworkPolicy conformance (issue 10): every case of
# tests/user/netpol_cases/ (README.md there), each one np_case: upstream's
# truth-table cases (kubernetes test/e2e/network/netpol, transcribed) and
# the supplementary ones over IPv4, those marked core over IPv4 and IPv6
# in the same run; on two nodes running nodeplaned in manifests mode, 9
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
npc_runner_start
for f in 4 6; do
	np_case "baseline-every-pair-every-port-ipv$f" npc_baseline "$f"
	np_case "harness-sees-drops-and-rejects-ipv$f" npc_harness_sees_drops "$f"
done
npc_cases
np_case nothing-left npc_nothing_left
np_finish
