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

# wd_features NS on|off "DEV FEATURE..."...: set the features of the
# devices of a namespace (one exec: they are slow in the VM), then check that
# each reads back as wanted (ethtool -K alone says little of fixed features).
wd_features() {
	local ns=$1 want=$2 spec dev f x cmds='' got
	shift 2
	for spec in "$@"; do
		read -r dev f <<<"$spec"
		cmds+="ethtool -K $dev"
		for x in $f; do cmds+=" $x $want"; done
		cmds+=" >/dev/null 2>&1; "
		cmds+="echo '## $dev'; ethtool -k $dev; "
	done
	got=$(ip netns exec "$ns" sh -c "$cmds")
	for spec in "$@"; do
		read -r dev f <<<"$spec"
		local feats=$f block=${got#*"## $dev"$'\n'}
		block=${block%%"## "*}
		for f in $feats; do
			case $f in
			tx) f=tx-checksumming ;;
			sg) f=scatter-gather ;;
			tso) f=tcp-segmentation-offload ;;
			gso) f=generic-segmentation-offload ;;
			gro) f=generic-receive-offload ;;
			esac
			[[ $'\n'$block == *$'\n'"$f: $want"* ]] ||
				{ echo "$ns $dev: $(grep "^$f:" <<<"$block" || echo "$f: absent"), wanted $want"; return 1; }
		done
	done
}

wd_offloads() { # on|off
	local s=$1 base="tx sg tso gso gro" veth="tx-udp_tnl-segmentation tx-udp_tnl-csum-segmentation tx-udp-segmentation"
	wd_features p1 "$s" "eth0 $base $veth"
	wd_features n1 "$s" "pod0 $base $veth" "u0 $base $veth" \
		"$(ov_dev 1 4) $base tx-udp-segmentation" "$(ov_dev 1 6) $base tx-udp-segmentation"
	# The wire: no GRO on the way, and wout does every segmentation and checksum.
	wd_features w off "win gro" "wout $base $veth"
	wd_features n2 off "u0 gro"
}

# wd_build stock|np on|off: the namespaces of the topology above.
wd_build() {
	local kind=$1 s=$2
	OV_KIND=([1]=$kind)
	[[ -z $(ip netns list) ]] || wd_down
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

wd_name() { if [[ $1 == np ]]; then echo nodeplane; else echo "$1"; fi; }

# One sending node: build it, capture what leaves it, check the count of GSO
# super-frames seen before segmentation (offloads on: WD_SUPER_ON, off: 0).
wdc_capture() { # stock|np on|off
	local kind=$1 s=$2 f=$WD_OUT/$1-$2 err out sup
	mkdir -p "$WD_OUT"
	rm -f "$f".*
	if [[ $kind == np ]] && ! err=$(ov_np_available); then
		np_fail "$err"
	fi
	np_defer wd_down
	err=$(wd_build "$kind" "$s") || np_fail "$err"
	"${WD_PYS[@]}" run --pod-ns p1 --iface eth0 --src-ether $WD_ETH0 --dst-ether $WD_POD0 \
		--offload "$s" --wire-ns w --rx win --tx wout --final "$f.pcap" --super "$f.super.pcap" \
		>"$f.capture" 2>&1 || np_fail "capture: $(tail -n1 "$f.capture")"
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

# wd_case NAME FUNC ARG...: np_case, its run time kept for the summary.
wd_case() {
	local t=$SECONDS
	np_case "$@"
	WD_TIMES+="$1 $((SECONDS - t))s, "
}

WD_TIMES=
np_module_install
np_defer wd_down
for s in on off; do
	wd_case "wire/capture-stock-offload-$s" wdc_capture stock "$s"
	wd_case "wire/capture-nodeplane-offload-$s" wdc_capture np "$s"
	for fam in 4 6; do
		wd_case "wire/diff$fam-offload-$s" wdc_diff "$fam" "$s"
	done
done
for fam in 4 6; do
	wd_case "wire/comparer-selftest$fam" wdc_selftest "$fam"
done
wd_case no-nodeplane-device-left wdc_nothing_left
cat "$WD_OUT"/*.summary 2>/dev/null | sed 's/^/# /'
echo "# times: ${WD_TIMES%, }"
np_finish
