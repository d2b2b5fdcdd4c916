#!/bin/bash
# nodeplaned as a cluster, vxlan backend, dual-stack, against the test API
# server: n1 and n2 run nodeplaned, n3 is a stock flannel node (kernel
# vxlan devices) programmed by this script from the annotations our daemons
# published, and publishing its own as flannel does. Pods reach each other
# both ways over IPv4 and IPv6; what our daemons publish is flannel's exact
# shape; Nodes added, changed and removed in the API reach every module;
# a dual-stack Node missing backend-v6-data is skipped.
# Runs in the test VM (tests/vm/run).
#
#           VM root netns: apiserver.py 192.0.2.254:6443 on br0
#       +------------------------+------------------------+
#   n1 eth0 192.0.2.1       n2 eth0 192.0.2.2       n3 eth0 192.0.2.3
#      2001:db8::1             2001:db8::2             2001:db8::3
#   nodeplaned: np-vxlan    nodeplaned: np-vxlan    stock: flannel.1,
#                                                   flannel-v6.1
#   pod0 10.42.0.1          pod0 10.42.1.1          pod0 10.42.2.1
#    p1 10.42.0.2            p2 10.42.1.2            p3 10.42.2.2
#    2001:db8:42::2          2001:db8:42:1::2        2001:db8:42:2::2
#
#   n4, n5: Nodes in the API only (stock-style annotations), no namespace.
# Details: tests/user/cluster_lib.sh.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$NP_TOP/tests/user/cluster_lib.sh"

DEV="np-vxlan"

t_up() {
	np_module_install
	cl_cluster_api vxlan 1450 "1 2" "3"
}

# The module's own VTEP MAC of a family on node N ("mac" or "mac6").
dev_mac() { # N mac|mac6
	ip netns exec "$1" "$CL_CTL" -s overlay show "$DEV" |
		awk -F'\t' -v k="$2" '$1 == "overlay" { for (i = 3; i < NF; i++) if ($i == k) print $(i + 1) }'
}

# Exactly the six annotations flannel writes, byte for byte, with the MACs
# the module's device really has, and only through nodes/status.
t_annotations() { # i
	local i=$1 n=n$1 m4 m6 want
	cl_require
	m4=$(dev_mac "$n" mac)
	m6=$(dev_mac "$n" mac6)
	[[ $m4 =~ ^[0-9a-f]{2}(:[0-9a-f]{2}){5}$ && $m6 =~ ^[0-9a-f]{2}(:[0-9a-f]{2}){5}$ ]] ||
		np_fail "$DEV on $n: VTEP MACs '$m4' '$m6'"
	[[ $m4 != "$m6" ]] || np_fail "$n: the v4 and v6 VTEP MACs are the same ($m4)"
	want="$CL_ANN/backend-data={\"VNI\":1,\"VtepMAC\":\"$m4\"}
$CL_ANN/backend-type=vxlan
$CL_ANN/backend-v6-data={\"VNI\":1,\"VtepMAC\":\"$m6\"}
$CL_ANN/kube-subnet-manager=true
$CL_ANN/public-ip=$(ov_u4 "$i")
$CL_ANN/public-ipv6=$(ov_u6 "$i")"
	np_expect_eq "$want" "$(cl_anns "$n")" "flannel annotations of $n"
	# Every write to the Node went through PATCH nodes/status and worked.
	cl_api GET /patches | jq -r --arg n "$n" \
		'.[] | select(.path | test("/nodes/" + $n + "(/|$)")) | "\(.path) \(.code)"' |
		sort -u >"$np__tmp/patches"
	cat "$np__tmp/patches"
	np_expect_eq "/api/v1/nodes/$n/status 200" "$(cat "$np__tmp/patches")" "PATCHes of $n"
}

# flannel's subnet.env for the CNI plugin, as flannel writes it (§2.2).
t_subnet_env() { # i
	local i=$1
	cl_require
	np_expect_eq "FLANNEL_NETWORK=$CL_CIDR4
FLANNEL_SUBNET=$(ov_gw4 "$i")/24
FLANNEL_IPV6_NETWORK=$CL_CIDR6
FLANNEL_IPV6_SUBNET=$(ov_gw6 "$i")/64
FLANNEL_MTU=1450
FLANNEL_IPMASQ=true" "$(cat "$CL_DIR/n$i/subnet.env")" "subnet.env of n$i"
}

# The stock node, programmed from our annotations as flannel reads them
# (cl_stock_peer), holds what the modules really are: for n1 and n2, the
# FDB entry and the neighbour of each family carry the VTEP MAC the
# module's device has (read from the module, not from the API), towards
# the node's underlay address and pod subnet.
fdb_of() { # DEV: "mac dst" lines of n3's permanent FDB entries on DEV
	bridge -n n3 fdb show dev "$1" | awk '/ dst / { for (i = 1; i < NF; i++) if ($i == "dst") print $1, $(i + 1) }' | LC_ALL=C sort
}
neigh_of() { # DEV FAMILY: "addr mac" lines of n3's neighbours on DEV
	ip -n n3 -"$2" neigh show dev "$1" | awk '{ print $1, $3 }' | LC_ALL=C sort
}
t_stock_learns() {
	local i f4=() f6=() n4=() n6=() m4 m6
	cl_require
	for i in 1 2; do
		m4=$(dev_mac "n$i" mac)
		m6=$(dev_mac "n$i" mac6)
		[[ -n $m4 && -n $m6 ]] || np_fail "$DEV on n$i: no VTEP MACs"
		f4+=("$m4 $(ov_u4 "$i")") f6+=("$m6 $(ov_u6 "$i")")
		n4+=("$(ov_net4 "$i") $m4") n6+=("$(ov_net6 "$i") $m6")
	done
	np_expect_eq "$(cl_sorted "${f4[@]}")" "$(fdb_of flannel.1)" "n3's FDB on flannel.1"
	np_expect_eq "$(cl_sorted "${f6[@]}")" "$(fdb_of flannel-v6.1)" "n3's FDB on flannel-v6.1"
	np_expect_eq "$(cl_sorted "${n4[@]}")" "$(neigh_of flannel.1 4)" "n3's neighbours on flannel.1"
	np_expect_eq "$(cl_sorted "${n6[@]}")" "$(neigh_of flannel-v6.1 6)" "n3's neighbours on flannel-v6.1"
}

t_peers() { # N NAME...: exact peer table and routes of N
	local n=$1
	shift
	cl_require
	cl_wait "$n converged" cl_peers_are "$n" "$DEV" "$@"
	cl_expect_peers "$n" "$DEV" "$@"
	np_expect_eq "$CL_CIDR4 via - dev $DEV" "$(cl_routes "$n" 4)" "IPv4 routes of proto 110 on $n"
	np_expect_eq "$CL_CIDR6 via - dev $DEV" "$(cl_routes "$n" 6)" "IPv6 routes of proto 110 on $n"
}

# n1's learnt path MTU towards p2 (an IPv6 route exception, which the
# kernel clones from our route, protocol 110 included).
pmtu_n1() {
	ip -n n1 -6 route show cache | grep "^$(ov_pod6 2) .*mtu 1430"
}

# LOG holds more than N "converged" summaries.
converged_more() { (($(grep -c 'overlay: converged:' "$1") > $2)); }

# A full pass (SIGHUP) leaves the kernel's route exceptions alone: they
# are not routes of ours, even with protocol 110. Removing one makes the
# next big packet of every flow bounce (ICMPv6 Packet Too Big) again.
t_pmtu_kept() {
	cl_require
	ip netns exec p1 ping -6 -n -c 1 -s 1402 -W 2 "$(ov_pod6 2)" || true
	np_wait_for 10 pmtu_n1
	pmtu_n1
	local log=$CL_LOGS/nodeplaned-n1.log before
	before=$(grep -c 'overlay: converged:' "$log")
	kill -HUP "$(cl_npd_pid n1)"
	# The full pass SIGHUP schedules ends with a "converged" summary.
	np_wait_for 10 converged_more "$log" "$before"
	if grep 'route removed: .*/128' "$log"; then
		np_fail "the full pass took a kernel route exception for ours"
	fi
	pmtu_n1 || np_fail "n1's path MTU exception for $(ov_pod6 2) is gone"
	cl_npd_alive n1 || np_fail "nodeplaned on n1 exited after SIGHUP"
}

# n1's and n2's peer tables are exactly WANT1 and WANT2 (read by the
# pollers the case started: no fork per look).
both_are() { # WANT1 WANT2
	cl_poll_peers n1 "$DEV" && [[ $CL_OUT == "$1" ]] &&
		cl_poll_peers n2 "$DEV" && [[ $CL_OUT == "$2" ]]
}

# step i WHAT ANN LINES: PUT Node ni with ANN; then n1 and n2 hold
# $base1/$base2 plus LINES (the time it took is printed, not asserted).
step() {
	local w1 w2 t0
	w1=$(cl_sorted "$base1" "$4")
	w2=$(cl_sorted "$base2" "$4")
	t0=${EPOCHREALTIME/./}
	cl_node_put "$1" "$3"
	echo "$2: the PUT took $(((${EPOCHREALTIME/./} - t0) / 1000)) ms" >>"$CL_LOGS/timings"
	cl_wait "$2: in n1 and n2" both_are "$w1" "$w2"
}

# A Node added, changed (IPv4 only, then IPv6 only), and removed in the
# API: each reaches both modules.
t_add_change_remove() {
	local base1 base2
	cl_require
	np_defer cl_api DELETE /objects/nodes/n4
	cl_poller_start n1 n1 ctl
	cl_poller_start n2 n2 ctl
	cl_expect_peers n1 "$DEV" n2 n3
	cl_expect_peers n2 "$DEV" n1 n3
	base1=$(cl_peers n1 "$DEV")
	base2=$(cl_peers n2 "$DEV")

	# Each expected table is computed before the API call: the clock runs
	# from the API's answer.
	step 4 "n4 added" "$(cl_flannel_ann 4)" "$(cl_lines "$DEV" 4)"
	step 4 "n4 public-ip changed" "$(cl_flannel_ann 4 192.0.2.44 2001:db8::4)" \
		"$(cl_lines "$DEV" 4 192.0.2.44 2001:db8::4)"
	step 4 "n4 public-ipv6 changed" "$(cl_flannel_ann 4 192.0.2.44 2001:db8::44)" \
		"$(cl_lines "$DEV" 4 192.0.2.44 2001:db8::44)"

	cl_api DELETE /objects/nodes/n4 >/dev/null
	cl_wait "n4 removed: from n1 and n2" both_are "$base1" "$base2"
}

# A dual-stack Node without backend-v6-data is not programmed at all, and
# each daemon says which key is missing.
t_missing_v6_data() {
	local ann n base1 base2
	cl_require
	np_defer cl_api DELETE /objects/nodes/n5
	cl_poller_start n1 n1 ctl
	cl_poller_start n2 n2 ctl
	ann=$(cl_flannel_ann 5 | jq -c --arg k "$CL_ANN/backend-v6-data" 'del(.[$k])')
	cl_node_put 5 "$ann"
	for n in n1 n2; do
		np_wait_for 5 grep -q 'n5.*backend-v6-data\|backend-v6-data.*n5' "$CL_LOGS/nodeplaned-$n.log"
		grep -m1 'n5.*backend-v6-data\|backend-v6-data.*n5' "$CL_LOGS/nodeplaned-$n.log"
	done
	cl_expect_peers n1 "$DEV" n2 n3
	cl_expect_peers n2 "$DEV" n1 n3
	# Completed: then it is programmed.
	base1=$(cl_peers n1 "$DEV")
	base2=$(cl_peers n2 "$DEV")
	step 5 "n5 completed" "$(cl_flannel_ann 5)" "$(cl_lines "$DEV" 5)"
	cl_api DELETE /objects/nodes/n5 >/dev/null
	cl_wait "n5 removed: from n1 and n2" both_are "$base1" "$base2"
}

t_alive() { # both daemons still run (nothing above made one exit)
	cl_require
	cl_npd_alive n1 || np_fail "nodeplaned on n1 exited: $(tail -n3 "$CL_LOGS/nodeplaned-n1.log")"
	cl_npd_alive n2 || np_fail "nodeplaned on n2 exited: $(tail -n3 "$CL_LOGS/nodeplaned-n2.log")"
}

np_defer cl_down
np_case cluster-up t_up
np_case annotations-n1-exact-flannel-shape t_annotations 1
np_case annotations-n2-exact-flannel-shape t_annotations 2
np_case subnet-env-n1-flannel-format t_subnet_env 1
np_case stock-n3-fdb-neigh-hold-the-modules-macs t_stock_learns
np_case peers-n1-exact t_peers n1 n2 n3
np_case peers-n2-exact t_peers n2 n1 n3
for f in 4 6; do
	for pair in "1 2" "2 1" "1 3" "3 1" "2 3" "3 2"; do
		read -r a b <<<"$pair"
		set -- "$a" "$b"
		np_case "ping$f-p$1-to-p$2" cl_case_ping "$1" "$2" "$f"
	done
done
np_case tcp4-1MiB-p1-to-p3-stock cl_case_tcp 1 3 4
np_case tcp6-1MiB-p3-stock-to-p2 cl_case_tcp 3 2 6
np_case tcp4-1MiB-p2-to-p1 cl_case_tcp 2 1 4
np_case tcp6-1MiB-p1-to-p2 cl_case_tcp 1 2 6
np_case sighup-full-pass-keeps-pmtu-exceptions t_pmtu_kept
np_case node-added-changed-removed-in-both-modules t_add_change_remove
np_case dual-stack-node-missing-backend-v6-data-skipped t_missing_v6_data
np_case ping4-p1-to-p3-after-changes cl_case_ping 1 3 4
np_case daemons-still-running t_alive
np_case nothing-left cl_case_nothing_left
np_finish
