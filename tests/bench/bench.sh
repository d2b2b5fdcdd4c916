#!/bin/bash
# Benchmarks, run inside the test VM by `make bench` (one boot). Each figure
# is printed as one line:
#   BENCH name=<metric> ours=<v> ref=<v> unit=<u> better=<higher|lower> ratio=<ours/ref>
# Benchmarks report; they assert nothing about speed.
set -euo pipefail
top=${NP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bench=$top/tests/bench
. "$top/tests/user/lib.sh"

bench_line() { # name ours ref unit better
	local ratio=nan
	if [[ $2 =~ ^[0-9.]+$ && $3 =~ ^[0-9.]+$ ]]; then
		ratio=$(awk -v o="$2" -v r="$3" 'BEGIN { printf (r > 0 ? "%.3f" : "nan"), o / r }')
	fi
	echo "BENCH name=$1 ours=$2 ref=$3 unit=$4 better=$5 ratio=$ratio"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Netlink round trips: INFO_GET against nlctrl's GETFAMILY, alternated over
# five rounds so both see the same machine conditions; medians compared.
bench_netlink() {
	local i ours=() ref=()
	for i in 1 2 3 4 5; do
		ours+=("$("$bench/nlbench" info 1 || echo nan)")
		ref+=("$("$bench/nlbench" nlctrl 1 || echo nan)")
	done
	bench_line netlink_info_rtt_per_s \
		"$(printf '%s\n' "${ours[@]}" | median)" \
		"$(printf '%s\n' "${ref[@]}" | median)" req/s higher
}

# --- overlay ------------------------------------------------------------------
# Pod-to-pod figures over the two-node topology of tests/user/overlay_lib.sh,
# built three ways: stock flannel (kernel vxlan, the reference), nodeplane,
# and plain routing without an overlay. A figure that cannot be measured is
# printed as nan, with a "# why" line.
. "$top/tests/user/overlay_lib.sh"
declare -A ov_res=()

# ov_measure KIND: TCP Gbit/s with 1 and 4 streams and the RR rate, into
# ov_res[KIND.tcp1], ov_res[KIND.tcp4], ov_res[KIND.rr].
ov_measure() {
	local kind=$1 err P
	if ! err=$(ov_topo "$kind" "$kind"); then
		echo "# overlay $kind: $err"
		return 0
	fi
	ip netns exec p2 iperf3 -s -p 5201 >/dev/null 2>&1 &
	disown
	ip netns exec p2 "$OV_PY" "$bench/rr.py" server 5202 &
	disown # ov_topo_down kills them: no job notice
	np_wait_for 30 ov_listening p2 tcp 5201
	np_wait_for 30 ov_listening p2 tcp 5202
	for P in 1 4; do
		ov_res[$kind.tcp$P]=$(ip netns exec p1 timeout 60 iperf3 -c "$(ov_pod4 2)" -p 5201 -t 5 -P "$P" -J |
			"$OV_PY" -c 'import json, sys; print("%.3f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))') ||
			echo "# overlay $kind: iperf3 -P $P failed"
	done
	ov_res[$kind.rr]=$(ov_rr) || echo "# overlay $kind: rr failed"
	ov_topo_down
}

ov_rr() { # RR rate p1 -> p2: median of three 3-second runs
	local i
	for i in 1 2 3; do
		ip netns exec p1 timeout 60 "$OV_PY" "$bench/rr.py" client "$(ov_pod4 2)" 5202 3
	done | median
}

# Fake peers on n2 (the side that answers the RR requests), numbered
# FROM..TO-1: MAC 02:ee:HH:LL:00:04, endpoint 192.0.2.(20 + k % 200),
# pod CIDR 10.(100 + k / 256).(k % 256).0/24. No traffic is sent to them.
ov_fake_peers() { # KIND FROM TO
	local kind=$1 k mac ep net
	for ((k = $2; k < $3; k++)); do
		printf -v mac '02:ee:%02x:%02x:00:04' $((k >> 8)) $((k & 255))
		ep=192.0.2.$((20 + k % 200))
		net=10.$((100 + (k >> 8))).$((k & 255)).0
		case $kind in
		np)
			echo "peer np0 mac $mac endpoint $ep cidr $net/24" >>"$np__tmp/ctl"
			echo "route add $net/24 dev np0" >>"$np__tmp/ip"
			;;
		stock)
			echo "neigh add $net lladdr $mac nud permanent dev flannel.1" >>"$np__tmp/ip"
			echo "fdb add $mac dev flannel.1 dst $ep self permanent" >>"$np__tmp/br"
			echo "route add $net/24 via $net dev flannel.1 onlink" >>"$np__tmp/ip2"
			;;
		esac
	done
}

ov_apply_fake() { # KIND FROM TO: install them in n2; prints the seconds taken
	local t0=$EPOCHREALTIME
	rm -f "$np__tmp"/{ctl,ip,ip2,br}
	ov_fake_peers "$@"
	if [[ $1 == np ]]; then
		# One nodeplanectl process and netlink socket for all the peers.
		ip netns exec n2 "$OV_CTL" -b "$np__tmp/ctl"
		ip -n n2 -batch "$np__tmp/ip"
	else
		ip -n n2 -batch "$np__tmp/ip"
		bridge -n n2 -batch "$np__tmp/br"
		ip -n n2 -batch "$np__tmp/ip2"
	fi
	awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'
}

# RR with 10, 1k and 10k peers (the real one + fakes) on n2.
ov_peer_scale() { # KIND
	local kind=$1 err secs
	ov_res[$kind.peers1k]=nan ov_res[$kind.peers10k]=nan ov_res[$kind.peers10]=nan
	if ! err=$(ov_topo "$kind" "$kind"); then
		echo "# peer scale $kind: $err"
		return 0
	fi
	ip netns exec p2 "$OV_PY" "$bench/rr.py" server 5202 &
	disown
	np_wait_for 30 ov_listening p2 tcp 5202
	secs=$(ov_apply_fake "$kind" 0 9)
	ov_res[$kind.peers10]=$(ov_rr)
	secs=$(ov_apply_fake "$kind" 9 999)
	echo "# peer scale $kind: 990 peers installed in ${secs}s"
	ov_res[$kind.peers1k]=$(ov_rr)
	secs=$(ov_apply_fake "$kind" 999 9999)
	echo "# peer scale $kind: 9000 more peers installed in ${secs}s"
	ov_res[$kind.peers10k]=$(ov_rr)
	ov_topo_down
}

bench_overlay() {
	local k why=
	why=$(ov_np_available) || echo "# $why"
	for k in stock np plain; do
		ov_measure "$k" || echo "# overlay $k: measurement failed"
	done
	bench_line overlay_tcp_1s_gbps "${ov_res[np.tcp1]:-nan}" "${ov_res[stock.tcp1]:-nan}" Gbit/s higher
	bench_line overlay_tcp_4s_gbps "${ov_res[np.tcp4]:-nan}" "${ov_res[stock.tcp4]:-nan}" Gbit/s higher
	bench_line overlay_rr_per_s "${ov_res[np.rr]:-nan}" "${ov_res[stock.rr]:-nan}" trans/s higher
	bench_line overlay_tcp_1s_vs_plain "${ov_res[np.tcp1]:-nan}" "${ov_res[plain.tcp1]:-nan}" Gbit/s higher
	bench_line overlay_tcp_4s_vs_plain "${ov_res[np.tcp4]:-nan}" "${ov_res[plain.tcp4]:-nan}" Gbit/s higher
	bench_line overlay_rr_vs_plain "${ov_res[np.rr]:-nan}" "${ov_res[plain.rr]:-nan}" trans/s higher
	bench_line vxlan_tcp_1s_vs_plain "${ov_res[stock.tcp1]:-nan}" "${ov_res[plain.tcp1]:-nan}" Gbit/s higher
	bench_line vxlan_rr_vs_plain "${ov_res[stock.rr]:-nan}" "${ov_res[plain.rr]:-nan}" trans/s higher
	for k in stock np; do
		ov_peer_scale "$k" || echo "# peer scale $k: failed"
	done
	bench_line overlay_rr_1k_peers "${ov_res[np.peers1k]}" "${ov_res[np.peers10]}" trans/s higher
	bench_line overlay_rr_10k_peers "${ov_res[np.peers10k]}" "${ov_res[np.peers10]}" trans/s higher
	bench_line vxlan_rr_1k_peers "${ov_res[stock.peers1k]}" "${ov_res[stock.peers10]}" trans/s higher
	bench_line vxlan_rr_10k_peers "${ov_res[stock.peers10k]}" "${ov_res[stock.peers10]}" trans/s higher
}

np_module_install
modprobe nodeplane
bench_netlink
bench_overlay
ov_topo_down
rmmod nodeplane
# nodeplaned against the test API server (5,000 Nodes): its own VM-side
# script, which loads the module again.
"$bench/daemon_bench.sh" || echo "# daemon_bench.sh failed ($?)"
