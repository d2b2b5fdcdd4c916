#!/bin/bash
# The wire diff: the same inner packets encapsulated by a node set up as
# stock flannel (the kernel's vxlan, programmed as flannel does) and by a
# nodeplane node, outer frames compared field by field (tests/user/wirediff.py;
# only the fields of its ALLOWED list may differ). The sending node is built
# twice, one kind after the other, in identical namespaces (same names,
# addresses and MACs), with offloads on and with offloads off.
# Runs in the test VM (tests/vm/run).
#
#   pod p1 10.42.0.2/24 2001:db8:42::2/64     wirediff.py send: crafted frames on
#       |  eth0 02:10:00:00:00:02             an AF_PACKET socket (TSO super-frames
#       |                                     via a virtio-net header), UDP GSO
#       |  veth                               through the pod's own stack
#       |  pod0 02:10:00:00:00:01 10.42.0.1/24 2001:db8:42::1/64
#   node n1, one of:
#       stock:     flannel.1 10.42.0.0/32, flannel-v6.1 2001:db8:42::/128
#       nodeplane: np0 10.42.0.0/32 2001:db8:42::/128
#       peer "node 2": VTEP MACs 02:bb:00:00:00:04 / :06, endpoints 192.0.2.2 /
#       2001:db8::2, pod CIDRs 10.42.1.0/24, 2001:db8:42:1::/64 (no node 2 runs)
#       |  u0 02:20:00:00:00:01 192.0.2.1/24 2001:db8::1/64
#       |  (neighbours 192.0.2.2, 2001:db8::2 -> 02:20:00:00:00:02, permanent)
#       |  veth
#   wire w: win --- bridge wbr --- wout      wirediff.py capture: win rx (GSO
#       |                                    super-frames), wout tx (final frames:
#       |  veth                              wout has every offload off, so it
#       |                                    segments and checksums like a NIC)
#   sink n2: u0 02:20:00:00:00:02, no address (drops what it gets)
#
# Offloads "on"/"off": tx checksumming, scatter-gather, TSO, GSO, GRO (and on
# the veths UDP tunnel and UDP segmentation) of p1's eth0, n1's pod0 and u0,
# and the encapsulating device(s). n1's VXLAN devices, routes, neighbours and
# FDB entries: ov_stock_node/ov_stock_peer and ov_np_node/ov_np_peer of
# tests/user/overlay_lib.sh.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$NP_TOP/tests/user/overlay_lib.sh"

WD_PY=$NP_TOP/tests/user/wirediff.py
WD_PYS=("$OV_PY" -S "$WD_PY") # -S: stdlib only, a faster start in the VM
WD_U1=02:20:00:00:00:01 WD_U2=02:20:00:00:00:02
WD_WIN=02:20:00:00:00:0a WD_WOUT=02:20:00:00:00:0b
WD_POD0=02:10:00:00:00:01 WD_ETH0=02:10:00:00:00:02
WD_OUT=$np__tmp/wire # captures and summaries
# GSO super-frames expected on the underlay with offloads on: one TCP and
# one UDP per family.
WD_SUPER_ON=4

wd_down() {
	np__netns_del w
	ov_topo_down
}

wd_netns_plain() { # NAME: no IPv6 (no link-local chatter), loopback up
	ip netns add "$1"
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip -n "$1" link set lo up
}

# Pod p1 behind n1 with fixed MACs; its gateway neighbours are permanent so
# it sends no ARP or ND, and IPv6 flow labels are not made up per socket.
wd_pod() {
	ov_netns p1
	ip netns exec p1 sysctl -qw net.ipv6.auto_flowlabels=0
	ip -n n1 -batch - <<-EOF
		link add pod0 address $WD_POD0 mtu $OV_MTU type veth peer eth0 address $WD_ETH0 mtu $OV_MTU netns p1
		addr add $(ov_gw4 1)/24 dev pod0
		addr add $(ov_gw6 1)/64 dev pod0
		link set pod0 up
	EOF
	ip -n p1 -batch - <<-EOF
		addr add $(ov_pod4 1)/24 dev eth0
		addr add $(ov_pod6 1)/64 dev eth0
		link set eth0 up
		route add default via $(ov_gw4 1)
		route add default via $(ov_gw6 1)
		neigh replace $(ov_gw4 1) lladdr $WD_POD0 nud permanent dev eth0
		neigh replace $(ov_gw6 1) lladdr $WD_POD0 nud permanent dev eth0
	EOF
}

# wd_features NS DEV on|off FEATURE...: set, then check that each feature
# reads back as wanted (ethtool -K alone says little about fixed features).
wd_features() {
	local ns=$1 dev=$2 want=$3 f args=() got
	shift 3
	for f in "$@"; do args+=("$f" "$want"); done
	ip netns exec "$ns" ethtool -K "$dev" "${args[@]}" >/dev/null 2>&1 || true
	got=$(ip netns exec "$ns" ethtool -k "$dev")
	for f in "$@"; do
		case $f in
		tx) f=tx-checksumming ;;
		sg) f=scatter-gather ;;
		tso) f=tcp-segmentation-offload ;;
		gso) f=generic-segmentation-offload ;;
		gro) f=generic-receive-offload ;;
		esac
		[[ $'\n'$got == *$'\n'"$f: $want"* ]] ||
			{ echo "$ns $dev: $(grep "^$f:" <<<"$got" || echo "$f: absent"), wanted $want"; return 1; }
	done
}

wd_offloads() { # on|off
	local s=$1 d base=(tx sg tso gso gro) veth=(tx-udp_tnl-segmentation tx-udp_tnl-csum-segmentation tx-udp-segmentation)
	wd_features p1 eth0 "$s" "${base[@]}" "${veth[@]}"
	wd_features n1 pod0 "$s" "${base[@]}" "${veth[@]}"
	wd_features n1 u0 "$s" "${base[@]}" "${veth[@]}"
	for d in $(ov_dev 1 4) $(ov_dev 1 6); do
		wd_features n1 "$d" "$s" "${base[@]}" tx-udp-segmentation
	done
	# The wire: no GRO on the way, and wout does every segmentation and checksum.
	wd_features w win off gro
	wd_features w wout off "${base[@]}" "${veth[@]}"
	wd_features n2 u0 off gro
}

# wd_build stock|np on|off: the namespaces of the topology above.
wd_build() {
	local kind=$1 s=$2
	OV_KIND=([1]=$kind)
	wd_down
	(
		set -eu -o pipefail
		ov_netns n1
		wd_netns_plain w
		wd_netns_plain n2
		ip -n n1 link add u0 address $WD_U1 type veth peer win address $WD_WIN netns w
		ip -n w link add wout address $WD_WOUT type veth peer u0 address $WD_U2 netns n2
		ip -n n1 -batch - <<-EOF
			addr add $(ov_u4 1)/24 dev u0
			addr add $(ov_u6 1)/64 dev u0
			link set u0 up
			neigh replace $(ov_u4 2) lladdr $WD_U2 nud permanent dev u0
			neigh replace $(ov_u6 2) lladdr $WD_U2 nud permanent dev u0
		EOF
		ip -n w -batch - <<-EOF
			link add wbr type bridge
			link set win master wbr
			link set wout master wbr
			link set wbr up
			link set win up
			link set wout up
		EOF
		ip -n n2 link set u0 up
		case $kind in
		stock) ov_stock_node 1 && ov_stock_peer 1 2 ;;
		np) ov_np_node 1 && ov_np_peer 1 2 ;;
		esac
		wd_pod
		wd_offloads "$s"
	) >"$np__tmp/topo.log" 2>&1 || {
		echo "topology $kind offload $s: $(grep -v '^$' "$np__tmp/topo.log" | tail -n2 | tr '\n' ' ')"
		return 1
	}
}

wd_kill() { kill "$1" 2>/dev/null || true; }

wd_name() { if [[ $1 == np ]]; then echo nodeplane; else echo "$1"; fi; }

# One sending node: build it, capture what leaves it, check the count of GSO
# super-frames seen before segmentation (offloads on: WD_SUPER_ON, off: 0).
wdc_capture() { # stock|np on|off
	local kind=$1 s=$2 f=$WD_OUT/$1-$2 err pid out sup
	mkdir -p "$WD_OUT"
	rm -f "$f".*
	if [[ $kind == np ]] && ! err=$(ov_np_available); then
		np_fail "$err"
	fi
	np_defer wd_down
	err=$(wd_build "$kind" "$s") || np_fail "$err"
	ip netns exec w "${WD_PYS[@]}" capture --rx win --tx wout --final "$f.pcap" \
		--super "$f.super.pcap" --ready "$f.ready" >"$f.capture" 2>&1 &
	pid=$!
	np_defer wd_kill "$pid"
	np_wait_for 60 test -e "$f.ready"
	# One CPU: the frames reach the wire in the order they were sent.
	ip netns exec p1 taskset -c 0 "${WD_PYS[@]}" send --iface eth0 --dst-ether $WD_POD0 --offload "$s"
	wait "$pid" || np_fail "capture: $(tail -n1 "$f.capture")"
	out=$(cat "$f.capture")
	echo "$out"
	[[ $out =~ super-frames\ ([0-9]+) ]] || np_fail "capture printed: $out"
	sup=${BASH_REMATCH[1]}
	np_expect_eq "$([[ $s == on ]] && echo $WD_SUPER_ON || echo 0)" "$sup" \
		"GSO super-frames of $(wd_name "$kind") on the underlay with offloads $s"
	echo "$(wd_name "$kind") offloads $s: $out" >"$f.summary"
}

wdc_diff() { # 4|6 on|off
	local fam=$1 s=$2 rc=0 out
	[[ -s $WD_OUT/stock-$s.pcap && -s $WD_OUT/np-$s.pcap ]] ||
		np_fail "no capture of both kinds with offloads $s (see the capture cases)"
	out=$("${WD_PYS[@]}" diff "$WD_OUT/stock-$s.pcap" "$WD_OUT/np-$s.pcap" --family "$fam") || rc=$?
	echo "$out"
	echo "offloads $s: $(tail -n1 <<<"$out")" >"$WD_OUT/diff$fam-$s.summary"
	((rc == 0)) || np_fail "$(grep -m1 '^FAIL' <<<"$out" || tail -n1 <<<"$out")"
}

# The comparer must see a doctored copy of a real capture differ.
wdc_selftest() { # 4|6
	local fam=$1 pcap=$WD_OUT/stock-on.pcap out rc=0
	[[ -s $pcap ]] || pcap=$WD_OUT/stock-off.pcap
	[[ -s $pcap ]] || np_fail "no stock capture to doctor (see the capture cases)"
	out=$("${WD_PYS[@]}" selftest "$pcap" --family "$fam") || rc=$?
	echo "$out"
	echo "selftest$fam: $(grep -c '^OK' <<<"$out") doctorings caught, $(grep -c '^FAIL' <<<"$out") missed" \
		>"$WD_OUT/selftest$fam.summary"
	((rc == 0)) || np_fail "$(grep -m1 '^FAIL' <<<"$out")"
}

wdc_nothing_left() {
	wd_down
	ovc_nothing_left
}

np_module_install
np_defer wd_down
for s in on off; do
	np_case "wire/capture-stock-offload-$s" wdc_capture stock "$s"
	np_case "wire/capture-nodeplane-offload-$s" wdc_capture np "$s"
	for fam in 4 6; do
		np_case "wire/diff$fam-offload-$s" wdc_diff "$fam" "$s"
	done
done
for fam in 4 6; do
	np_case "wire/comparer-selftest$fam" wdc_selftest "$fam"
done
np_case no-nodeplane-device-left wdc_nothing_left
cat "$WD_OUT"/*.summary 2>/dev/null | sed 's/^/# /'
np_finish
