#!/bin/bash
# Overlay control plane: peers added, moved and removed take effect for the
# next packet; `overlay show -s` prints exactly what was set and can be fed
# back; malformed requests fail with the kernel's extack text; the module
# unloads under load and leaves no device behind. Runs in the test VM.
#
#    pod p1 10.42.0.2 2001:db8:42::2          pod p2 10.42.1.2 2001:db8:42:1::2
#        |  eth0 <-veth-> pod0 (.1, ::1)          |
#    node n1 (stock flannel)                  node n2 (nodeplane)
#      flannel.1    10.42.0.0/32               np0 10.42.1.0/32
#      flannel-v6.1 2001:db8:42::/128              2001:db8:42:1::/128
#      u0 192.0.2.1 2001:db8::1 <--- veth ---> u0 192.0.2.2 2001:db8::2
#      (+ 192.0.2.11 for the endpoint change)
#
# Details (MACs, routes, neighbours, FDB) in tests/user/overlay_lib.sh.
# shellcheck disable=SC2046 # $(peer1_args F) is meant to be split
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$NP_TOP/tests/user/overlay_lib.sh"

ctl2() { ip netns exec n2 "$OV_CTL" "$@"; }

# One echo request from p2 to pod 1 (family $1): does it get its reply?
ping_once() {
	ip netns exec p2 ping -"$1" -n -c 1 -W 3 "$(ov_ip "$1" pod 1)"
}

stat2() { ov_stats n2 | awk -v k="$1" '$1 == k { print $2 }'; }
tx_bytes_above() { (($(stat2 tx_bytes) > $1)); }

# The peer for node 1, family $1, as the topology set it.
peer1_args() {
	if [[ $1 == 4 ]]; then
		echo "mac $(ov_mac4 1) endpoint $(ov_u4 1) cidr $(ov_net4 1)/24"
	else
		echo "mac $(ov_mac6 1) endpoint $(ov_u6 1) cidr $(ov_net6 1)/64"
	fi
}

case_peer_del_add() { # FAMILY
	local f=$1 nop before
	ov_require
	np_defer ctl2 overlay peer set np0 $(peer1_args "$f")
	ping_once "$f"
	before=$(($(stat2 tx_no_peer) + $(stat2 tx_no_route)))
	ctl2 overlay peer del np0 mac "$(ov_mac"$f" 1)"
	np_expect_fail ping_once "$f"
	nop=$(($(stat2 tx_no_peer) + $(stat2 tx_no_route)))
	((nop > before)) || np_fail "no tx_no_peer/tx_no_route drop counted after peer del"
	ctl2 overlay peer set np0 $(peer1_args "$f")
	ping_once "$f"
}

# nft counter in n1 of VXLAN packets to each of n1's underlay addresses.
vx_count() { # vx_count old|new
	ip netns exec n1 nft list counter inet npt "$1" | awk '/packets/ { print $2 }'
}

case_endpoint_change() {
	local f=4 a1=192.0.2.1 a2=192.0.2.11
	ov_require
	ip -n n1 addr add "$a2/24" dev u0
	ip netns exec n1 nft -f - <<-EOF
		table inet npt {
			counter old {}
			counter new {}
			chain in {
				type filter hook input priority 0;
				ip daddr $a1 udp dport 8472 counter name old
				ip daddr $a2 udp dport 8472 counter name new
			}
		}
	EOF
	np_defer ip netns exec n1 nft delete table inet npt
	np_defer ctl2 overlay peer set np0 $(peer1_args "$f")
	ping_once "$f"
	np_expect_eq 0 "$(vx_count new)" "packets to $a2 before the change"
	ctl2 overlay peer set np0 mac "$(ov_mac4 1)" endpoint "$a2" cidr "$(ov_net4 1)/24"
	ping_once "$f"
	np_expect_eq 1 "$(vx_count new)" "packets to $a2 after the change"
	local old
	old=$(vx_count old)
	ctl2 overlay peer set np0 $(peer1_args "$f")
	ping_once "$f"
	np_expect_eq $((old + 1)) "$(vx_count old)" "packets to $a1 after changing back"
	np_expect_eq 1 "$(vx_count new)" "packets to $a2 after changing back"
}

expected_show() { # NAME: what `overlay show -s NAME` must print, stats aside
	printf 'overlay\t%s\tvni\t1\tport\t8472\tlocal\t%s,%s\tmac\t%s\tmac6\t%s\tgbp\toff\tsource-check\toff\n' \
		"$1" "$(ov_u4 2)" "$(ov_u6 2)" "$(ov_mac4 2)" "$(ov_mac6 2)"
	printf 'peer\t%s\tmac\t%s\tendpoint\t%s\tcidr\t%s\n' \
		"$1" "$(ov_mac4 1)" "$(ov_u4 1)" "$(ov_net4 1)/24" \
		"$1" "$(ov_mac6 1)" "$(ov_u6 1)" "$(ov_net6 1)/64"
}

case_show_exact() {
	local out keys
	ov_require
	out=$(ctl2 overlay show -s np0)
	np_expect_eq "$(expected_show np0)" "$(grep -v '^stats' <<<"$out")" "overlay show -s np0"
	keys=$(awk -F'\t' '$1 == "stats" { printf "%s", $2; for (i = 3; i < NF; i += 2) printf " %s", $i; print "" }' <<<"$out")
	np_expect_eq "np0 tx_packets tx_bytes rx_packets rx_bytes tx_no_peer tx_no_route tx_too_big rx_bad_header rx_bad_vni rx_bad_mac rx_loop rx_bad_csum rx_bad_inner rx_bad_src" \
		"$keys" "stats keys"
}

# What show prints, fed back into nodeplanectl for a new device np1 in a
# fresh namespace, reads back the same.
case_show_replay() {
	local line a
	ov_require
	np_netns_add n3
	ip -n n3 link add u0 type dummy
	ip -n n3 addr add "$(ov_u4 2)/24" dev u0
	ip -n n3 addr add "$(ov_u6 2)/64" dev u0 nodad
	ip -n n3 link set u0 up
	ip -n n3 link add np1 type nodeplane
	while IFS= read -r line; do
		IFS=$'\t' read -r -a a <<<"$line"
		[[ ${a[0]} == stats ]] && continue
		a[1]=np1
		ip netns exec n3 "$OV_CTL" "${a[@]}"
	done < <(ctl2 overlay show -s np0)
	np_expect_eq "$(expected_show np1)" \
		"$(ip netns exec n3 "$OV_CTL" overlay show -s np1 | grep -v '^stats')" "replayed show"
}

case_malformed() {
	local lines
	ov_require
	lines=$(dmesg | wc -l)
	np_expect_fail --stderr 'unicast' \
		ctl2 overlay peer set np0 mac 01:00:5e:00:00:01 endpoint 192.0.2.1 cidr 10.42.5.0/24
	np_expect_fail --stderr 'the peer MAC must be unicast and non-zero' ctl2 raw-peer bad-mac np0
	np_expect_fail --stderr 'is IPv6 but endpoint' \
		ctl2 overlay peer set np0 mac 02:aa:00:00:00:09 endpoint 192.0.2.1 cidr 2001:db8:42:5::/64
	np_expect_fail --stderr 'CIDR address family differs from the endpoint' ctl2 raw-peer wrong-family np0
	np_expect_fail --stderr 'endpoint' \
		ctl2 overlay peer set np0 mac 02:aa:00:00:00:09 cidr 10.42.5.0/24
	np_expect_fail --stderr 'missing NP_PEER_A_ENDPOINT4 or NP_PEER_A_ENDPOINT6' \
		ctl2 raw-peer missing-endpoint np0
	# nothing was added, and nothing reached dmesg
	np_expect_eq 2 "$(ctl2 overlay show -s np0 | grep -c '^peer')" "peers after refused requests"
	np_expect_eq "" "$(dmesg | tail -n +$((lines + 1)) | grep 'nodeplane' || true)" \
		"module log lines after the refused requests"
}

# rmmod while a TCP transfer and a ping flood cross np0.
case_unload_under_load() {
	local f spid
	ov_require
	ip netns exec p1 socat -u TCP4-LISTEN:9003,reuseaddr OPEN:/dev/null &
	np_wait_for 20 ov_listening p1 tcp 9003
	ip netns exec p2 socat -u OPEN:/dev/zero "TCP4:$(ov_pod4 1):9003" &
	spid=$!
	for f in 4 6; do
		ip netns exec p2 ping -"$f" -f -q -w 60 "$(ov_ip "$f" pod 1)" >/dev/null 2>&1 &
	done
	# The transfer is under way: bytes went out of np0.
	np_wait_for 30 tx_bytes_above 1000000
	rmmod nodeplane
	np_expect_fail test -d /sys/module/nodeplane
	ov_np_nodevs
	kill "$spid" 2>/dev/null || true
	np_dmesg_clean
}

case_nothing_left() {
	ov_topo_down
	if [[ -d /sys/module/nodeplane ]]; then rmmod nodeplane; fi
	np_expect_fail test -d /sys/module/nodeplane
	ov_np_nodevs
}

np_module_install
if err=$(ov_np_available); then
	ov_setup stock np
else
	OV_TOPO_ERR=$err
fi
np_defer ov_topo_down
np_case show-s-exact case_show_exact
np_case show-s-replayed case_show_replay
np_case peer-del-add-next-packet-v4 case_peer_del_add 4
np_case peer-del-add-next-packet-v6 case_peer_del_add 6
np_case endpoint-change-next-packet case_endpoint_change
np_case malformed-requests-extack case_malformed
np_case unload-under-load case_unload_under_load
np_case no-nodeplane-device-left case_nothing_left
np_finish
