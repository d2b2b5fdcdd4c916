#!/bin/bash
# nodeplaned as a cluster, host-gw backend, dual-stack, against the test API
# server: three nodes run nodeplaned; each routes the other nodes' pod CIDRs
# via their public IPs on eth0 (overlay.md §3) and publishes flannel's
# host-gw annotations; pods reach each other over IPv4 and IPv6.
# Runs in the test VM (tests/vm/run).
#
#           VM root netns: apiserver.py 192.0.2.254:6443 on br0
#       +------------------------+------------------------+
#   n1 eth0 192.0.2.1       n2 eth0 192.0.2.2       n3 eth0 192.0.2.3
#      2001:db8::1             2001:db8::2             2001:db8::3
#   nodeplaned host-gw: 10.42.1.0/24 via 192.0.2.2 dev eth0 proto 110, ...
#   pod0 10.42.0.1          pod0 10.42.1.1          pod0 10.42.2.1
#    p1 10.42.0.2            p2 10.42.1.2            p3 10.42.2.2
#    2001:db8:42::2          2001:db8:42:1::2        2001:db8:42:2::2
#
# Details: tests/user/cluster_lib.sh.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$NP_TOP/tests/user/cluster_lib.sh"

t_up() {
	np_module_install
	cl_cluster_api host-gw 1500 "1 2 3"
}

t_annotations() { # i: flannel's host-gw shape (§3), byte for byte
	local i=$1
	cl_require
	np_expect_eq "$CL_ANN/backend-data=null
$CL_ANN/backend-type=host-gw
$CL_ANN/backend-v6-data=null
$CL_ANN/kube-subnet-manager=true
$CL_ANN/public-ip=$(ov_u4 "$i")
$CL_ANN/public-ipv6=$(ov_u6 "$i")" "$(cl_anns "n$i")" "flannel annotations of n$i"
}

# want_routes FAMILY i: node i's routes to the other nodes' pods.
want_routes() {
	local f=$1 i=$2 j
	for j in 1 2 3; do
		[[ $j != "$i" ]] || continue
		echo "$(ov_net"$f" "$j")/$([[ $f == 4 ]] && echo 24 || echo 64) via $(ov_u"$f" "$j") dev eth0"
	done | LC_ALL=C sort
}

routes_are() { # i: both families
	[[ $(cl_routes "n$1" 4) == "$(want_routes 4 "$1")" &&
		$(cl_routes "n$1" 6) == "$(want_routes 6 "$1")" ]]
}

t_routes() { # i: exactly one route per peer and family, nothing else
	local i=$1
	cl_require
	cl_wait "n$i routes" routes_are "$i"
	np_expect_eq "$(want_routes 4 "$i")" "$(cl_routes "n$i" 4)" "IPv4 routes of proto 110 on n$i"
	np_expect_eq "$(want_routes 6 "$i")" "$(cl_routes "n$i" 6)" "IPv6 routes of proto 110 on n$i"
	# No overlay device, no peers: host-gw needs none.
	np_expect_eq "" "$(ip -n "n$i" -o link show type nodeplane)" "nodeplane devices on n$i"
}

# routes_now i WANT4 WANT6: node i's routes, read by its pollers.
routes_now() {
	cl_poll_routes "n$1.4" && [[ $CL_OUT == "$2" ]] &&
		cl_poll_routes "n$1.6" && [[ $CL_OUT == "$3" ]]
}

# Every node's routes are W4[i] and W6[i].
W4=() W6=()
all_routes_are() {
	routes_now 1 "${W4[1]}" "${W6[1]}" && routes_now 2 "${W4[2]}" "${W6[2]}" &&
		routes_now 3 "${W4[3]}" "${W6[3]}"
}

# A Node added and removed in the API: its routes come and go on every
# node (the time it took is printed, not asserted: see make bench).
t_add_remove() {
	local r
	cl_require
	np_defer cl_api DELETE /objects/nodes/n4
	for r in 1 2 3; do
		cl_poller_start "n$r.4" "n$r" ip4
		cl_poller_start "n$r.6" "n$r" ip6
		W4[r]=$(cl_sorted "$(want_routes 4 "$r")" "10.42.3.0/24 via 192.0.2.4 dev eth0")
		W6[r]=$(cl_sorted "$(want_routes 6 "$r")" "2001:db8:42:3::/64 via 2001:db8::4 dev eth0")
	done
	cl_node_put 4 "$(jq -cn --arg p "$CL_ANN/" '{($p + "kube-subnet-manager"): "true",
		($p + "backend-type"): "host-gw", ($p + "backend-data"): "null",
		($p + "backend-v6-data"): "null", ($p + "public-ip"): "192.0.2.4",
		($p + "public-ipv6"): "2001:db8::4"}')"
	cl_wait "n4 added: routes on n1 n2 n3" all_routes_are
	for r in 1 2 3; do
		W4[r]=$(want_routes 4 "$r")
		W6[r]=$(want_routes 6 "$r")
	done
	cl_api DELETE /objects/nodes/n4 >/dev/null
	cl_wait "n4 removed: routes on n1 n2 n3" all_routes_are
}

np_defer cl_down
np_case cluster-up t_up
for i in 1 2 3; do
	np_case "annotations-n$i-exact-flannel-host-gw-shape" t_annotations "$i"
done
for i in 1 2 3; do
	np_case "routes-n$i-exact" t_routes "$i"
done
for f in 4 6; do
	for pair in "1 2" "2 3" "3 1" "2 1"; do
		read -r a b <<<"$pair"
		np_case "ping$f-p$a-to-p$b" cl_case_ping "$a" "$b" "$f"
	done
done
np_case tcp4-1MiB-p1-to-p2 cl_case_tcp 1 2 4
np_case tcp6-1MiB-p3-to-p1 cl_case_tcp 3 1 6
np_case node-added-removed-routes t_add_remove
np_case nothing-left cl_case_nothing_left
np_finish
