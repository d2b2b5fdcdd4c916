#!/bin/bash
# nodeplaned restarts never interrupt traffic: `kill -9` of n1's daemon and
# a restart while a ping flood and a TCP transfer run between pods through
# n1: zero packets lost, the bytes intact (cmp), and n1's kernel state
# (device, ifindex, MACs, addresses, peers, routes) byte-identical before
# and after; no annotation rewritten by the restarted daemon. Then SIGTERM
# leaves the state in place, and a Node deleted while the daemon was down
# is removed at its next start. vxlan, dual-stack, test API server.
# Runs in the test VM (tests/vm/run).
#
#           VM root netns: apiserver.py 192.0.2.254:6443 on br0
#       +------------------------+------------------------+
#   n1 eth0 192.0.2.1       n2 eth0 192.0.2.2       n3 eth0 192.0.2.3
#   nodeplaned (killed,     nodeplaned              nodeplaned
#    restarted) np-vxlan     np-vxlan                np-vxlan
#    p1 10.42.0.2  <-- ping flood, TCP -->  p2 10.42.1.2     p3 10.42.2.2
#    2001:db8:42::2  <-------- ping flood (IPv6) ----------> 2001:db8:42:2::2
#
# Details: tests/user/cluster_lib.sh.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$NP_TOP/tests/user/cluster_lib.sh"

DEV="np-vxlan"

t_up() {
	local i
	np_module_install
	cl_cluster_api vxlan 1450 "1 2 3"
	cl_wait "n1 converged" cl_peers_are n1 "$DEV" n2 n3
	cl_wait "n2 converged" cl_peers_are n2 "$DEV" n1 n3
	cl_wait "n3 converged" cl_peers_are n3 "$DEV" n1 n2
	for i in 2 3; do
		cl_reach 1 "$i" 4
		cl_reach "$i" 1 6
	done
}

# n1's patches so far (nodeplaned writes only when a value differs).
patches_n1() {
	cl_api GET /patches | jq '[.[] | select(.path | test("/nodes/n1(/|$)"))] | length'
}

# state_stays N FILE SECS: N's state equals FILE at every look for SECS.
state_stays() {
	local n=$1 want=$2 secs=$3 end
	end=$((SECONDS + secs))
	while :; do
		cl_state "$n" >"$np__tmp/state.now"
		cmp -s "$want" "$np__tmp/state.now" || {
			diff "$want" "$np__tmp/state.now" || true
			np_fail "$n: kernel state changed: $(diff "$want" "$np__tmp/state.now" | grep '^[<>]' | head -n4 | tr '\n' ';')"
		}
		((SECONDS < end)) || return 0
		sleep 0.5
	done
}

# Slow sender: 48 chunks of 64 KiB, one every 0.1 s (about 5 s), so the
# transfer spans the kill and the restart.
slow_send() { # FILE
	local k
	for ((k = 0; k < 48; k++)); do
		dd if="$1" bs=65536 skip="$k" count=1 status=none
		sleep 0.1
	done
}

established() { # NS PORT: a TCP connection to PORT is established in NS
	ip netns exec "$1" ss -Htn state established "sport = :$2" | grep -q .
}

t_kill9_under_load() {
	local before pf4 pf6 tcp_in tcp_out srv npatch port=9100 out4 out6
	cl_require
	cl_state n1 >"$np__tmp/state.before"
	cat "$np__tmp/state.before"
	npatch=$(patches_n1)
	tcp_in=$np__tmp/tcp.in tcp_out=$np__tmp/tcp.out
	head -c $((48 * 65536)) /dev/urandom >"$tcp_in"

	# The flows: p2 -> p1 ping flood (IPv4), p1 -> p3 ping flood (IPv6),
	# p1 -> p2 TCP (IPv4).
	ip netns exec p2 socat -u "TCP4-LISTEN:$port,reuseaddr" "CREATE:$tcp_out" &
	srv=$!
	np_defer kill "$srv"
	np_wait_for 20 ov_listening p2 tcp "$port"
	ip netns exec p2 ping -4 -n -q -i 0.005 -c 1600 -W 2 "$(ov_pod4 1)" >"$np__tmp/ping4" 2>&1 &
	pf4=$!
	ip netns exec p1 ping -6 -n -q -i 0.005 -c 1600 -W 2 "$(ov_pod6 3)" >"$np__tmp/ping6" 2>&1 &
	pf6=$!
	slow_send "$tcp_in" | ip netns exec p1 socat -u STDIN "TCP4:$(ov_pod4 2):$port,connect-timeout=10" &
	local tx=$!
	np_wait_for 10 established p2 "$port"	# the flows are under way

	cl_npd_kill n1
	ip -n n1 link show "$DEV" >/dev/null || np_fail "$DEV gone after kill -9"
	cl_npd_restart n1

	wait "$tx" || np_fail "the TCP sender failed"
	timeout 60 tail --pid="$srv" -f /dev/null
	wait "$pf4" || true
	wait "$pf6" || true
	out4=$(cat "$np__tmp/ping4") out6=$(cat "$np__tmp/ping6")
	echo "$out4"
	echo "$out6"
	grep -q '1600 packets transmitted, 1600 received' <<<"$out4" ||
		np_fail "IPv4 ping flood p2->p1: $(grep transmitted <<<"$out4")"
	grep -q '1600 packets transmitted, 1600 received' <<<"$out6" ||
		np_fail "IPv6 ping flood p1->p3: $(grep transmitted <<<"$out6")"
	cmp "$tcp_in" "$tcp_out" || np_fail "TCP transfer p1->p2 across the restart: bytes differ"

	# The restarted daemon listed, found everything as it wants it, and
	# keeps it so; it rewrote no annotation.
	state_stays n1 "$np__tmp/state.before" 2
	np_expect_eq "$npatch" "$(patches_n1)" "PATCHes of n1 (none after the restart)"
	cl_npd_alive n1 || np_fail "nodeplaned on n1 is not running after the restart"
}

# SIGTERM leaves every kernel object; pods keep talking with no daemon.
t_sigterm_leaves_state() {
	cl_require
	cl_state n1 >"$np__tmp/state.before"
	cl_npd_stop n1
	state_stays n1 "$np__tmp/state.before" 0
	cl_reach 1 2 4
	cl_reach 3 1 6
	state_stays n1 "$np__tmp/state.before" 0
	cl_npd_restart n1
	state_stays n1 "$np__tmp/state.before" 2
}

# no_peer N: N's count of packets dropped for want of a peer.
no_peer() {
	ip netns exec "$1" "$CL_CTL" -s overlay show "$DEV" |
		awk -F'\t' '$1 == "stats" { for (i = 3; i < NF; i += 2) if ($i == "tx_no_peer") print $(i + 1) }'
}

# n3 deleted from the API while n1's daemon is stopped: removed from n1 at
# its next start (flannel never cleans those up).
t_deleted_while_down() {
	cl_require
	cl_npd_stop n1
	cl_npd_stop n3
	cl_api DELETE /objects/nodes/n3 >/dev/null
	cl_npd_restart n1
	cl_wait "n3 (deleted while down) removed from n1" cl_peers_are n1 "$DEV" n2
	cl_wait "n3 removed from n2" cl_peers_are n2 "$DEV" n1
	# vxlan routes only the cluster CIDRs to the device: n3's pods were
	# reached through its peers, now gone; p1's packets to p3 are dropped
	# by n1's module as having no peer (n3, stopped, still knows n1).
	np_expect_eq "$CL_CIDR4 via - dev $DEV" "$(cl_routes n1 4)" "IPv4 routes of proto 110 on n1"
	np_expect_eq "$CL_CIDR6 via - dev $DEV" "$(cl_routes n1 6)" "IPv6 routes of proto 110 on n1"
	local before
	before=$(no_peer n1)
	np_expect_fail ip netns exec p1 ping -4 -n -c 2 -i 0.2 -W 2 "$(ov_pod4 3)"
	np_expect_fail ip netns exec p1 ping -6 -n -c 2 -i 0.2 -W 2 "$(ov_pod6 3)"
	np_expect_eq $((before + 4)) "$(no_peer n1)" "n1's tx_no_peer after 4 pings to p3"
	cl_reach 1 2 4
	cl_reach 2 1 6
}

np_defer cl_down
np_case cluster-up t_up
np_case kill9-restart-under-ping-flood-and-tcp-zero-loss-same-state t_kill9_under_load
np_case sigterm-leaves-kernel-state-traffic-flows t_sigterm_leaves_state
np_case node-deleted-while-daemon-down-removed-at-start t_deleted_while_down
np_case nothing-left cl_case_nothing_left
np_finish
