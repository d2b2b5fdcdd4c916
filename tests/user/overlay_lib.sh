# shellcheck shell=bash
#
# tests/user/overlay_lib.sh: the two-node overlay topology shared by
# tests/user/integration/overlay_*.sh and tests/bench/bench.sh. Sourced after
# tests/user/lib.sh. Each node is built either as stock flannel (kernel vxlan
# devices flannel.1 and flannel-v6.1, programmed exactly as flannel does, see
# shared/spec/overlay.md §1.1-§1.3) or as nodeplane (one device np0 for both
# families, programmed with nodeplanectl).
#
#    pod p1 (10.42.0.2, 2001:db8:42::2)     pod p2 (10.42.1.2, 2001:db8:42:1::2)
#       | eth0, default via .1 / ::1           | eth0, default via .1 / ::1
#       | pod0 10.42.0.1/24 2001:db8:42::1/64  | pod0 10.42.1.1/24 2001:db8:42:1::1/64
#    node n1 ---------- u0 (veth) ---------- node n2
#     192.0.2.1/24  2001:db8::1/64       192.0.2.2/24  2001:db8::2/64
#     stock: flannel.1 10.42.0.0/32       np: np0 10.42.1.0/32 + 2001:db8:42:1::/128
#            flannel-v6.1 2001:db8:42::/128
#     (plain, for benchmarks: no overlay, pod subnets routed via the underlay)
#     VTEP MACs: n1 02:aa:00:00:00:04 (v4) 02:aa:00:00:00:06 (v6)
#                n2 02:bb:00:00:00:04 (v4) 02:bb:00:00:00:06 (v6)
#
# Node index i (1, 2): underlay 192.0.2.i, 2001:db8::i; pod subnet
# 10.42.(i-1).0/24, 2001:db8:42:(i-1)::/64.

OV_CTL=$NP_TOP/daemon/nodeplanectl
OV_SCAPY=$NP_TOP/tests/user/overlay_scapy.py
OV_PY=/usr/bin/python3
OV_MTU=1450

# Names of the namespaces of the current topology.
OV_N=(x n1 n2)
OV_P=(x p1 p2)
declare -A OV_KIND=()

ov_u4() { echo "192.0.2.$1"; }
ov_u6() { echo "2001:db8::$1"; }
ov_net4() { echo "10.42.$(($1 - 1)).0"; }
# IPv6 in canonical form (the node 1 subnet is 2001:db8:42::/64).
ov_v6() { if (($1 == 1)); then echo "2001:db8:42::$2"; else printf '2001:db8:42:%x::%s\n' $(($1 - 1)) "$2"; fi; }
ov_net6() { ov_v6 "$1" ""; }
ov_pod4() { echo "10.42.$(($1 - 1)).2"; }
ov_pod6() { ov_v6 "$1" 2; }
ov_gw4() { echo "10.42.$(($1 - 1)).1"; }
ov_gw6() { ov_v6 "$1" 1; }
ov_mac4() { local l=(x aa bb cc); echo "02:${l[$1]}:00:00:00:04"; }
ov_mac6() { local l=(x aa bb cc); echo "02:${l[$1]}:00:00:00:06"; }
ov_other() { echo $((3 - $1)); }

# Overlay device of node i for a family (4|6).
ov_dev() {
	if [[ ${OV_KIND[$1]} == np ]]; then echo np0
	elif [[ $2 == 4 ]]; then echo flannel.1
	else echo flannel-v6.1; fi
}

# Is the nodeplane overlay device available? Prints the reason if not.
ov_np_available() {
	local err
	modprobe nodeplane 2>/dev/null || true
	if ! err=$(ip link add npprobe0 type nodeplane 2>&1); then
		echo "nodeplane overlay device not available: ip link add type nodeplane: ${err//$'\n'/ }"
		return 1
	fi
	ip link del npprobe0
}

ov_netns() { # ov_netns NAME: namespace without DAD, forwarding on
	ip netns add "$1"
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1 net.ipv4.ping_group_range="0 0"
	ip -n "$1" link set lo up
}

# The stock flannel node: vxlan devices and addresses (§1.1, §1.2).
ov_stock_node() {
	local i=$1 ns=${OV_N[$1]}
	ip -n "$ns" -batch - <<-EOF
		link add flannel.1 address $(ov_mac4 "$i") mtu $OV_MTU type vxlan id 1 local $(ov_u4 "$i") dev u0 dstport 8472 nolearning
		link add flannel-v6.1 address $(ov_mac6 "$i") mtu $OV_MTU type vxlan id 1 local $(ov_u6 "$i") dev u0 dstport 8472 nolearning
		addr add $(ov_net4 "$i")/32 dev flannel.1
		addr add $(ov_net6 "$i")/128 dev flannel-v6.1
		link set flannel.1 up
		link set flannel-v6.1 up
	EOF
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.flannel/1.accept_ra=0 \
		net.ipv6.conf.flannel-v6/1.accept_ra=0
}

# Stock node i learns peer j: neighbour, FDB, onlink route, in flannel's order.
ov_stock_peer() {
	local i=$1 j=$2 ns=${OV_N[$1]}
	ip -n "$ns" -batch - <<-EOF
		neigh replace $(ov_net4 "$j") lladdr $(ov_mac4 "$j") nud permanent dev flannel.1
		neigh replace $(ov_net6 "$j") lladdr $(ov_mac6 "$j") nud permanent dev flannel-v6.1
	EOF
	bridge -n "$ns" fdb replace "$(ov_mac4 "$j")" dev flannel.1 dst "$(ov_u4 "$j")" self permanent
	bridge -n "$ns" fdb replace "$(ov_mac6 "$j")" dev flannel-v6.1 dst "$(ov_u6 "$j")" self permanent
	ip -n "$ns" -batch - <<-EOF
		route replace $(ov_net4 "$j")/24 via $(ov_net4 "$j") dev flannel.1 onlink
		route replace $(ov_net6 "$j")/64 via $(ov_net6 "$j") dev flannel-v6.1 onlink
	EOF
}

# The nodeplane node: one device, both families.
ov_np_node() {
	local i=$1 ns=${OV_N[$1]}
	ip -n "$ns" link add np0 type nodeplane
	ip netns exec "$ns" "$OV_CTL" overlay set np0 vni 1 port 8472 \
		local "$(ov_u4 "$i"),$(ov_u6 "$i")" mac "$(ov_mac4 "$i")" mac6 "$(ov_mac6 "$i")" gbp off
	ip -n "$ns" -batch - <<-EOF
		link set np0 mtu $OV_MTU
		addr add $(ov_net4 "$i")/32 dev np0
		addr add $(ov_net6 "$i")/128 dev np0
		link set np0 up
	EOF
}

ov_np_peer() {
	local i=$1 j=$2 ns=${OV_N[$1]}
	ip netns exec "$ns" "$OV_CTL" overlay peer set np0 mac "$(ov_mac4 "$j")" \
		endpoint "$(ov_u4 "$j")" cidr "$(ov_net4 "$j")/24"
	ip netns exec "$ns" "$OV_CTL" overlay peer set np0 mac "$(ov_mac6 "$j")" \
		endpoint "$(ov_u6 "$j")" cidr "$(ov_net6 "$j")/64"
	ip -n "$ns" -batch - <<-EOF
		route replace $(ov_net4 "$j")/24 dev np0
		route replace $(ov_net6 "$j")/64 dev np0
	EOF
}

# Plain routing (no overlay): the other node's pod subnet via its underlay IP.
ov_plain_peer() {
	local i=$1 j=$2 ns=${OV_N[$1]}
	ip -n "$ns" -batch - <<-EOF
		route replace $(ov_net4 "$j")/24 via $(ov_u4 "$j")
		route replace $(ov_net6 "$j")/64 via $(ov_u6 "$j")
	EOF
}

ov_pod() { # ov_pod i: pod namespace behind node i
	local i=$1 ns=${OV_N[$1]} p=${OV_P[$1]}
	ov_netns "$p"
	ip -n "$ns" -batch - <<-EOF
		link add pod0 mtu $OV_MTU type veth peer eth0 mtu $OV_MTU netns $p
		addr add $(ov_gw4 "$i")/24 dev pod0
		addr add $(ov_gw6 "$i")/64 dev pod0
		link set pod0 up
	EOF
	ip -n "$p" -batch - <<-EOF
		addr add $(ov_pod4 "$i")/24 dev eth0
		addr add $(ov_pod6 "$i")/64 dev eth0
		link set eth0 up
		route add default via $(ov_gw4 "$i")
		route add default via $(ov_gw6 "$i")
	EOF
}

# ov_topo_down: delete every namespace of the topology (processes killed).
ov_topo_down() {
	local ns
	for ns in "${OV_P[@]:1}" "${OV_N[@]:1}"; do
		np__netns_del "$ns"
	done
}

# ov_topo KIND1 KIND2 (stock|np|plain): build the topology; on failure print
# the reason and return 1 (the caller's cases then fail with it).
ov_topo() {
	OV_KIND=([1]=$1 [2]=$2)
	ov_topo_down
	(
		set -eu -o pipefail
		local i
		for i in 1 2; do ov_netns "${OV_N[$i]}"; done
		ip -n n1 link add u0 type veth peer u0 netns n2
		for i in 1 2; do
			ip -n "${OV_N[$i]}" -batch - <<-EOF
				addr add $(ov_u4 "$i")/24 dev u0
				addr add $(ov_u6 "$i")/64 dev u0
				link set u0 up
			EOF
		done
		for i in 1 2; do
			case ${OV_KIND[$i]} in
			stock) ov_stock_node "$i" ;;
			np) ov_np_node "$i" ;;
			plain) ;;
			esac
			ov_pod "$i"
		done
		for i in 1 2; do
			case ${OV_KIND[$i]} in
			stock) ov_stock_peer "$i" "$(ov_other "$i")" ;;
			np) ov_np_peer "$i" "$(ov_other "$i")" ;;
			plain) ov_plain_peer "$i" "$(ov_other "$i")" ;;
			esac
		done
	) >"$np__tmp/topo.log" 2>&1 || {
		echo "topology ${OV_KIND[1]}-${OV_KIND[2]}: $(grep -v '^$' "$np__tmp/topo.log" | tail -n2 | tr '\n' ' ')"
		return 1
	}
}

# ov_setup KIND1 KIND2: ov_topo, remembering why it failed in OV_TOPO_ERR
# (every case then fails with that reason: nodeplane cases are required).
ov_setup() {
	OV_TOPO_ERR=
	ov_topo "$@" >"$np__tmp/topo.err" || OV_TOPO_ERR=$(cat "$np__tmp/topo.err")
}

# --- helpers for cases ------------------------------------------------------

ov_ip() { # ov_ip FAMILY WHAT i: address of pod/net/underlay
	"ov_$2$1" "$3"
}

# ov_ping NS FAMILY DST [ARGS...]: once one ping is answered (the first may
# wait for ARP/ND), three more must all be: no loss is hidden.
ov_ping() {
	local ns=$1 fam=$2 dst=$3 out
	shift 3
	np_wait_for 15 ip netns exec "$ns" ping -"$fam" -n -c 1 -W 1 "$@" "$dst"
	out=$(ip netns exec "$ns" ping -"$fam" -n -c 3 -i 0.2 -W 5 "$@" "$dst" 2>&1) || true
	echo "$out"
	grep -q '^3 packets transmitted, 3 received' <<<"$out" ||
		np_fail "ping $dst from $ns: not 3 of 3 answered: $(grep transmitted <<<"$out" || tail -n1 <<<"$out")"
}

# Wait until something listens on TCP/UDP port $3 in netns $1.
ov_listening() { # ov_listening NS tcp|udp PORT
	local flag=-tln
	[[ $2 == udp ]] && flag=-uln
	ip netns exec "$1" ss -H "$flag" "sport = :$3" | grep -q .
}

# ov_tcp_copy SRCNS DSTNS FAMILY DSTADDR BYTES: send BYTES random bytes over
# TCP with socat and compare them with cmp.
ov_tcp_copy() {
	local src=$1 dst=$2 fam=$3 addr=$4 bytes=$5 in out pid port=9001
	in=$np__tmp/tcp.in out=$np__tmp/tcp.out
	head -c "$bytes" /dev/urandom >"$in"
	rm -f "$out"
	ip netns exec "$dst" socat -u "TCP$fam-LISTEN:$port,reuseaddr" "CREATE:$out" &
	pid=$!
	np_wait_for 20 ov_listening "$dst" tcp "$port"
	[[ $fam == 6 ]] && addr="[$addr]"
	timeout 120 ip netns exec "$src" socat -u "OPEN:$in" "TCP$fam:$addr:$port,connect-timeout=10"
	timeout 60 tail --pid="$pid" -f /dev/null
	wait "$pid"
	cmp "$in" "$out"
}

# ov_udp_copy SRCNS DSTNS FAMILY DSTADDR BYTES: one UDP datagram, cmp'd.
ov_udp_copy() {
	local src=$1 dst=$2 fam=$3 addr=$4 bytes=$5 in out pid port=9002
	# IPv6 pods send up to 1450 bytes, the overlay takes 1430 (§1.7): the
	# first fragment train would be refused with a PTB and lost, as it would
	# be for a real pod. Let the pod learn the PMTU first.
	if [[ $fam == 6 ]]; then
		np_wait_for 30 ov_pmtu_learnt "$src" "$addr" 1430
	fi
	in=$np__tmp/udp.in out=$np__tmp/udp.out
	head -c "$bytes" /dev/urandom >"$in"
	: >"$out"
	ip netns exec "$dst" socat -u "UDP$fam-RECV:$port" "OPEN:$out,append" &
	pid=$!
	np_defer kill "$pid"
	np_wait_for 20 ov_listening "$dst" udp "$port"
	[[ $fam == 6 ]] && addr="[$addr]"
	ip netns exec "$src" socat -u -b 65536 "OPEN:$in" "UDP$fam-SENDTO:$addr:$port"
	np_wait_for 20 ov_size_at_least "$out" "$bytes"
	cmp "$in" "$out"
}

ov_size_at_least() { # FILE BYTES
	(($(stat -c %s "$1") >= $2))
}

ov_pmtu_learnt() { # NS DST MTU: one big ping, then is the PMTU cached?
	ip netns exec "$1" ping -6 -n -c 1 -W 1 -s 1402 "$2" >/dev/null 2>&1 || true
	ip -n "$1" -6 route get "$2" | grep -q "mtu $3"
}

# ov_capture_start NS IFACE FILE: tcpdump -w of the VXLAN traffic on IFACE;
# returns once tcpdump listens. ov_capture_stop ends it.
ov_capture_start() {
	local ns=$1 ifc=$2 file=$3
	ip netns exec "$ns" tcpdump -Z root -U -n -i "$ifc" -w "$file" udp port 8472 \
		2>"$file.err" &
	echo $! >"$file.pid"
	np_defer kill "$(cat "$file.pid")"
	np_wait_for 20 grep -q 'listening on' "$file.err"
}

ov_capture_stop() {
	local pid
	pid=$(cat "$1.pid")
	kill -INT "$pid" 2>/dev/null || true
	timeout 20 tail --pid="$pid" -f /dev/null
}

# ov_stats NS: nodeplane's counters of np0, "key value" per line.
ov_stats() {
	ip netns exec "$1" "$OV_CTL" overlay show -s np0 |
		awk -F'\t' '$1 == "stats" { for (i = 3; i < NF; i += 2) print $i, $(i + 1) }'
}

# ov_require: first line of every case: fail it if the topology is not built.
ov_require() {
	[[ -z ${OV_TOPO_ERR:-} ]] || np_fail "$OV_TOPO_ERR"
}

# ov_np_nodevs: no nodeplane device in any namespace.
ov_np_nodevs() {
	local ns out
	out=$(ip -d link show | grep -w nodeplane || true)
	for ns in $(ip netns list | awk '{ print $1 }'); do
		out+=$(ip -n "$ns" -d link show | grep -w nodeplane || true)
	done
	[[ -z $out ]] || { echo "nodeplane devices left: $out" >&2; return 1; }
}

# --- the traffic cases, run over whatever topology ov_topo built -------------

# Pod i pings pod j.
ovc_ping() { # FAMILY i
	local f=$1 i=$2 j
	j=$(ov_other "$i")
	ov_require
	ov_ping "${OV_P[$i]}" "$f" "$(ov_ip "$f" pod "$j")"
}

ovc_host_to_pod() { # FAMILY i: from node i's own netns to the remote pod
	local f=$1 i=$2 j src
	j=$(ov_other "$i")
	ov_require
	src=$(ip -n "${OV_N[$i]}" -"$f" route get "$(ov_ip "$f" pod "$j")" |
		grep -o 'src [^ ]*' | cut -d' ' -f2)
	[[ ${OV_KIND[$i]} == plain ]] ||
		np_expect_eq "$(ov_ip "$f" net "$i")" "$src" "source of node-to-remote-pod traffic"
	ov_ping "${OV_N[$i]}" "$f" "$(ov_ip "$f" pod "$j")"
}

ovc_tcp() { # FAMILY i: 4 MiB from pod i to pod j
	local f=$1 i=$2 j
	j=$(ov_other "$i")
	ov_require
	ov_tcp_copy "${OV_P[$i]}" "${OV_P[$j]}" "$f" "$(ov_ip "$f" pod "$j")" $((4 << 20))
}

ovc_udp3000() { # FAMILY i: one 3000-byte datagram (fragmented in the pod)
	local f=$1 i=$2 j
	j=$(ov_other "$i")
	ov_require
	ov_udp_copy "${OV_P[$i]}" "${OV_P[$j]}" "$f" "$(ov_ip "$f" pod "$j")" 3000
}

# Pod i's link gets MTU 1500 for the case, so the node (not the pod) must
# refuse what does not fit in the overlay: 1450 (v4) and 1430 (v6).
ovc_mtu() { # FAMILY i
	local f=$1 i=$2 j p n ok bad mtu re out
	j=$(ov_other "$i")
	p=${OV_P[$i]} n=${OV_N[$i]}
	ov_require
	ip -n "$n" link set pod0 mtu 1500
	ip -n "$p" link set eth0 mtu 1500
	np_defer ip -n "$n" link set pod0 mtu "$OV_MTU"
	np_defer ip -n "$p" link set eth0 mtu "$OV_MTU"
	if [[ $f == 4 ]]; then
		ok=1422 mtu=1450 re='Frag needed and DF set \(mtu = 1450\)|mtu[=:] ?1450'
	else
		ok=1382 mtu=1430 re='Packet too big: mtu=1430|mtu[=:] ?1430'
	fi
	ip netns exec "$p" ping -"$f" -n -c 1 -W 10 -M "do" -s "$ok" "$(ov_ip "$f" pod "$j")"
	bad=$((ok + 1))
	out=$(ip netns exec "$p" ping -"$f" -n -c 1 -W 5 -M "do" -s "$bad" "$(ov_ip "$f" pod "$j")" 2>&1) &&
		np_fail "a $((mtu + 1))-byte DF packet got through: $out"
	echo "$out"
	grep -qE "$re" <<<"$out" || np_fail "no ICMP 'too big' with mtu $mtu: $(grep -i -m1 -E 'mtu|from' <<<"$out")"
	# The pod learnt the PMTU: forget it, the next cases want a clean pod.
	ip -n "$p" -"$f" route flush cache 2>/dev/null || true
}

# Capture on n1's underlay while the pods ping each other and p1 sends p2 a
# little TCP; check each VXLAN packet of either node, byte by byte
# (tests/user/overlay_scapy.py check).
ovc_wire() { # FAMILY
	local f=$1 pcap i
	ov_require
	pcap=$np__tmp/wire$f.pcap
	# The capture must hold final bytes: no checksum offload, no GSO frames.
	for i in 1 2; do
		ip netns exec "${OV_N[$i]}" ethtool -K u0 tx off gso off tso off >/dev/null
		np_defer ip netns exec "${OV_N[$i]}" ethtool -K u0 tx on gso on tso on
	done
	ov_capture_start "${OV_N[1]}" u0 "$pcap"
	ov_ping "${OV_P[1]}" "$f" "$(ov_ip "$f" pod 2)" -s 100
	ov_ping "${OV_P[2]}" "$f" "$(ov_ip "$f" pod 1)" -s 1000
	ov_tcp_copy "${OV_P[1]}" "${OV_P[2]}" "$f" "$(ov_ip "$f" pod 2)" 20000
	ov_capture_stop "$pcap"
	"$OV_PY" "$OV_SCAPY" check "$pcap" --family "$f" \
		--src "$(ov_ip "$f" u 1)" --dst "$(ov_ip "$f" u 2)" \
		--src-mac "$(ov_mac"$f" 1)" --dst-mac "$(ov_mac"$f" 2)" --vni 1 --port 8472 \
		--also "$(ov_ip "$f" u 2),$(ov_ip "$f" u 1),$(ov_mac"$f" 2),$(ov_mac"$f" 1)"
}

# Frames crafted on n1's underlay towards node 2: each bad kind is dropped
# (and, on nodeplane, counted exactly), the good one is delivered.
ovc_crafted() { # FAMILY
	local f=$1 stats=()
	ov_require
	[[ ${OV_KIND[2]} == np ]] && stats=(--stats "ip netns exec ${OV_N[2]} $OV_CTL overlay show -s np0")
	ip netns exec "${OV_N[1]}" "$OV_PY" "$OV_SCAPY" craft --family "$f" --iface u0 \
		--src "$(ov_ip "$f" u 1)" --dst "$(ov_ip "$f" u 2)" \
		--dst-ether "$(ip -n "${OV_N[2]}" -br link show u0 | awk '{ print $3 }')" \
		--src-mac "$(ov_mac"$f" 1)" --dst-mac "$(ov_mac"$f" 2)" \
		--inner-src "$(ov_ip "$f" pod 1)" --inner-dst "$(ov_ip "$f" pod 2)" "${stats[@]}"
}

# ov_traffic_cases PREFIX FAMILY...: every traffic case, both ways.
# ov_case: np_case, plus "# NAME: Ns" with OV_TIMING=1 (in tests/vm/shell),
# to size scripts against the VM's per-script timeout (300 s by default).
ov_case() {
	local t=$SECONDS
	np_case "$@"
	[[ ${OV_TIMING:-0} != 1 ]] || echo "# $1: $((SECONDS - t))s"
}

ov_traffic_cases() { # PREFIX FAMILY...
	local p=$1 f i
	shift
	for f in "$@"; do
		for i in 1 2; do
			ov_case "$p/ping$f-pod$i-to-pod$(ov_other "$i")" ovc_ping "$f" "$i"
		done
		for i in 1 2; do
			ov_case "$p/host$f-node$i-to-pod$(ov_other "$i")" ovc_host_to_pod "$f" "$i"
		done
		for i in 1 2; do
			ov_case "$p/tcp$f-4MiB-pod$i-to-pod$(ov_other "$i")" ovc_tcp "$f" "$i"
		done
		for i in 1 2; do
			ov_case "$p/udp$f-3000B-pod$i-to-pod$(ov_other "$i")" ovc_udp3000 "$f" "$i"
		done
		for i in 1 2; do
			ov_case "$p/mtu$f-node$i" ovc_mtu "$f" "$i"
		done
		ov_case "$p/wire$f-bytes-both-nodes" ovc_wire "$f"
		ov_case "$p/crafted$f-to-node2" ovc_crafted "$f"
	done
}

# Last case of every overlay script: namespaces gone, module unloaded, and
# not one nodeplane device anywhere.
ovc_nothing_left() {
	ov_topo_down
	if [[ -d /sys/module/nodeplane ]]; then rmmod nodeplane; fi
	np_expect_fail test -d /sys/module/nodeplane
	ov_np_nodevs
}
