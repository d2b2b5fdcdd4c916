#!/bin/bash
# nodeplaned and an unreachable API server: down when the daemons start
# (they start anyway and change nothing: forwarding goes on), then up (they
# connect and converge, also to a change made while it was down); down for
# a minute in the middle (no packet lost, kernel state untouched throughout,
# the daemons reconnect and apply the changes made meanwhile). vxlan,
# dual-stack, three nodeplaned nodes; n4 and n5 are Nodes in the API only.
# Runs in the test VM (tests/vm/run).
#
#           VM root netns: apiserver.py 192.0.2.254:6443 on br0
#                 (POST /down: listener closed, connections cut)
#       +------------------------+------------------------+
#   n1 eth0 192.0.2.1       n2 eth0 192.0.2.2       n3 eth0 192.0.2.3
#   nodeplaned np-vxlan     nodeplaned np-vxlan     nodeplaned np-vxlan
#    p1 10.42.0.2  -- ping -->  p2 10.42.1.2         p3 10.42.2.2
#    2001:db8:42::2  <------------- ping ----------  2001:db8:42:2::2
#
# Details: tests/user/cluster_lib.sh.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$NP_TOP/tests/user/cluster_lib.sh"

DEV="np-vxlan"
OUTAGE=60	# seconds, as the issue says

# others i NAME...: the Nodes node i should peer with: the other two
# namespaced nodes plus NAME...
others() {
	local i=$1 j
	shift
	for j in 1 2 3; do
		[[ $j == "$i" ]] || echo "n$j"
	done
	printf '%s\n' "$@"
}

# want_all NAME...: the three expected peer tables, one per line, escaped.
all_are() { # WANT1 WANT2 WANT3
	[[ $(cl_peers n1 "$DEV") == "$1" && $(cl_peers n2 "$DEV") == "$2" &&
		$(cl_peers n3 "$DEV") == "$3" ]]
}

# converge WHAT NAME...: every node peers with the others and NAME...
converge() {
	local what=$1 w1 w2 w3
	shift
	# shellcheck disable=SC2046 # one name per word
	{
		w1=$(cl_want_peers n1 "$DEV" $(others 1 "$@"))
		w2=$(cl_want_peers n2 "$DEV" $(others 2 "$@"))
		w3=$(cl_want_peers n3 "$DEV" $(others 3 "$@"))
	}
	cl_wait "$what" all_are "$w1" "$w2" "$w3"
}

save_states() {
	local i
	for i in 1 2 3; do
		cl_state "n$i" >"$CL_DIR/state.n$i"
	done
}

states_same() {
	local i
	for i in 1 2 3; do
		cl_state "n$i" >"$np__tmp/state.now"
		cmp -s "$CL_DIR/state.n$i" "$np__tmp/state.now" ||
			np_fail "n$i: kernel state changed: $(diff "$CL_DIR/state.n$i" "$np__tmp/state.now" | grep '^[<>]' | head -n4 | tr '\n' ';')"
	done
}

alive() {
	local i
	for i in 1 2 3; do
		cl_npd_alive "n$i" || np_fail "nodeplaned on n$i exited: $(tail -n3 "$CL_LOGS/nodeplaned-n$i.log")"
	done
}

api_up() { cl_api GET /stats | jq -e '.up' >/dev/null; }

t_up() {
	np_module_install
	cl_cluster_api vxlan 1450 "1 2 3"
	cl_node_put 4 "$(cl_flannel_ann 4)"
	converge "converged with n4" n4
	cl_reach 1 2 4
	cl_reach 3 1 6
}

# The daemons stop (SIGTERM: state kept); the API goes down; they start
# again: they run, change nothing, and pods keep talking. Meanwhile n4 is
# deleted in the API.
t_down_at_start() {
	local i
	cl_require
	for i in 1 2 3; do
		cl_npd_stop "n$i"
	done
	save_states
	cl_api POST /down >/dev/null
	cl_api DELETE /objects/nodes/n4 >/dev/null
	for i in 1 2 3; do
		cl_npd_start "n$i"
	done
	# Nothing to wait for: the daemons must do nothing. Look for a while.
	local end=$((SECONDS + 5))
	while ((SECONDS < end)); do
		states_same
		sleep 1
	done
	alive
	cl_reach 1 2 4
	cl_reach 3 1 6
	states_same
}

# Up again: every daemon connects and removes n4 (deleted while down).
t_up_converges() {
	cl_require
	cl_api POST /up >/dev/null
	converge "API up: n4 removed everywhere"
	alive
	cl_reach 2 3 4
}

# ping_ok FILE COUNT: COUNT sent, COUNT answered.
ping_ok() {
	grep -q "^$2 packets transmitted, $2 received" "$1" ||
		np_fail "$(basename "$1"): $(grep transmitted "$1" || echo "no summary: $(tail -n2 "$1")")"
}

# Down for a minute with traffic running: not one packet lost, the kernel
# state unchanged all along; n4 deleted and n5 added meanwhile; after the
# API is back every daemon reconnects and applies both.
t_down_60s() {
	local p4 p6 n t0
	cl_require
	cl_node_put 4 "$(cl_flannel_ann 4)"
	converge "n4 added" n4
	save_states
	n=$(((OUTAGE + 15) * 5))
	ip netns exec p1 ping -4 -n -q -i 0.2 -c "$n" -W 2 "$(ov_pod4 2)" >"$np__tmp/ping4" 2>&1 &
	p4=$!
	ip netns exec p3 ping -6 -n -q -i 0.2 -c "$n" -W 2 "$(ov_pod6 1)" >"$np__tmp/ping6" 2>&1 &
	p6=$!
	np_defer kill "$p4" "$p6"

	t0=$SECONDS
	cl_api POST /down >/dev/null
	api_up && np_fail "the API server still says it is up"
	cl_api DELETE /objects/nodes/n4 >/dev/null
	cl_node_put 5 "$(cl_flannel_ann 5)"
	while ((SECONDS - t0 < OUTAGE)); do
		states_same
		sleep 3
	done
	alive
	cl_api POST /up >/dev/null
	echo "# API down for $((SECONDS - t0)) s"
	converge "after ${OUTAGE}s down: n4 removed, n5 added everywhere" n5
	timeout 60 tail --pid="$p4" -f /dev/null
	timeout 60 tail --pid="$p6" -f /dev/null
	cat "$np__tmp/ping4" "$np__tmp/ping6"
	ping_ok "$np__tmp/ping4" "$n"
	ping_ok "$np__tmp/ping6" "$n"
	alive
}

np_defer cl_down
np_case cluster-up t_up
np_case api-down-at-daemon-start-nothing-changes t_down_at_start
np_case api-up-daemons-connect-and-converge t_up_converges
np_case api-down-60s-zero-loss-state-kept-then-converges t_down_60s
np_case nothing-left cl_case_nothing_left
np_finish
