#!/bin/bash
# Overlay smoke test: two nodeplane nodes, both families, both directions.
# Runs inside the test VM (tests/vm/run). The full interop suite against
# kernel vxlan is overlay_stock.sh; this one checks the module on its own.
#
#   netns sa                                         netns sb
#   np0 10.42.0.0/32 2001:db8:42::/128               np0 10.42.1.0/32 2001:db8:42:1::/128
#     mac 02:aa:00:00:00:04 mac6 ..:06                 mac 02:bb:00:00:00:04 mac6 ..:06
#     10.42.1.0/24, 2001:db8:42:1::/64 dev np0         10.42.0.0/24, 2001:db8:42::/64 dev np0
#   sa0 192.0.2.1/24 2001:db8::1/64 ---- veth ---- sb0 192.0.2.2/24 2001:db8::2/64
#          (VXLAN, UDP 8472, VNI 1, MTU 1500 underlay)
# (underlay-pmtu-v6-learned puts a router netns between them, see there)
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

ctl=$NP_TOP/daemon/nodeplanectl
macs=(x 02:aa:00:00:00:04 02:bb:00:00:00:04)
mac6s=(x 02:aa:00:00:00:06 02:bb:00:00:00:06)
ns=(x sa sb)
u4() { echo "192.0.2.$1"; }
u6() { echo "2001:db8::$1"; }
o4() { echo "10.42.$(($1 - 1)).0"; }
o6() { if (($1 == 1)); then echo "2001:db8:42::"; else echo "2001:db8:42:$(($1 - 1))::"; fi; }
x() { ip netns exec "${ns[$1]}" "${@:2}"; }

# Peer i on node j (j != i).
peer_set() {
	x "$2" "$ctl" overlay peer set np0 mac "${macs[$1]}" endpoint "$(u4 "$1")" cidr "$(o4 "$1")/24"
	x "$2" "$ctl" overlay peer set np0 mac "${mac6s[$1]}" endpoint "$(u6 "$1")" cidr "$(o6 "$1")/64"
}

topology() {
	local i j
	modprobe nodeplane
	np_netns_add sa
	np_netns_add sb
	ip link add sa0 netns sa type veth peer name sb0 netns sb
	for i in 1 2; do
		j=$((3 - i))
		ip -n "${ns[$i]}" addr add "$(u4 "$i")/24" dev "${ns[$i]}0"
		ip -n "${ns[$i]}" addr add "$(u6 "$i")/64" dev "${ns[$i]}0" nodad
		ip -n "${ns[$i]}" link set "${ns[$i]}0" up
		ip -n "${ns[$i]}" link add np0 type nodeplane
		x "$i" "$ctl" overlay set np0 local "$(u4 "$i"),$(u6 "$i")" mac "${macs[$i]}" mac6 "${mac6s[$i]}"
		ip -n "${ns[$i]}" addr add "$(o4 "$i")/32" dev np0
		ip -n "${ns[$i]}" addr add "$(o6 "$i")/128" dev np0
		ip -n "${ns[$i]}" link set np0 up
		ip -n "${ns[$i]}" route add "$(o4 "$j")/24" dev np0 src "$(o4 "$i")"
		ip -n "${ns[$i]}" -6 route add "$(o6 "$j")/64" dev np0 src "$(o6 "$i")"
		peer_set "$j" "$i"
	done
}

ping_ok() { x "$1" ping -c 1 -W 2 "${@:2}" >/dev/null; }
# listening NODE t|u PORT
listening() { x "$1" ss -H -l"$2"n "sport = :$3" | grep -q .; }
size_is() { [[ $(stat -c %s "$1" 2>/dev/null) == "$2" ]]; }
# udp_8472 NODE: a UDP socket bound to port 8472 in NODE's netns.
udp_8472() { x "$1" awk '$2 ~ /:2118$/ { f = 1 } END { exit !f }' /proc/net/udp /proc/net/udp6; }
stat_is() { x "$1" "$ctl" overlay show -s | grep -qP "\t$2\t$3(\t|\$)"; }

case_ping_both_ways() {
	topology
	ping_ok 1 "$(o4 2)"
	ping_ok 2 "$(o4 1)"
	ping_ok 1 "$(o6 2)"
	ping_ok 2 "$(o6 1)"
	np_expect_eq 2 "$(x 1 "$ctl" overlay show -s | grep -c '^peer')" "peers on sa"
}

case_wire_header() {
	topology
	x 2 tcpdump -c 1 -nn -XX -i sb0 udp dst port 8472 >"$np__tmp/cap" 2>"$np__tmp/cap.err" &
	np_wait_for 10 grep -q listening "$np__tmp/cap.err"
	ping_ok 1 "$(o4 2)"
	wait
	# outer UDP dst 8472 (0x2118), VXLAN 08 00 00 00 00 00 01 00, inner dst/src MAC
	grep -q '2118 .... .... 0800 0000 0000' "$np__tmp/cap" ||
		np_fail "VXLAN header not as flannel's: $(cat "$np__tmp/cap")"
	grep -q '0100 02bb 0000 0004 02aa 0000 0004 0800' "$np__tmp/cap" ||
		np_fail "inner MACs: $(cat "$np__tmp/cap")"
}

case_tcp_payload() {
	topology
	head -c 1000000 /dev/urandom >"$np__tmp/in"
	x 2 socat -u TCP-LISTEN:7001,bind="$(o4 2)",reuseaddr OPEN:"$np__tmp/out",creat,trunc &
	np_wait_for 5 listening 2 t 7001
	x 1 socat -u OPEN:"$np__tmp/in" TCP:"$(o4 2)":7001
	wait
	cmp "$np__tmp/in" "$np__tmp/out"
}

case_mtu() {
	topology
	# 1450 with DF passes; the device default MTU is 1450
	ping_ok 1 -M do -s 1422 "$(o4 2)"
	# let 1451 reach the device: refused by the path check with the right ICMP
	ip -n sa link set np0 mtu 1500
	x 1 ping -c 1 -W 2 -M do -s 1423 "$(o4 2)" >"$np__tmp/p" 2>&1 || true
	grep -q 'Frag needed and DF set (mtu = 1450)' "$np__tmp/p" ||
		np_fail "no ICMP frag needed 1450: $(cat "$np__tmp/p")"
	x 1 ping -6 -c 1 -W 2 -M do -s 1400 "$(o6 2)" >"$np__tmp/p6" 2>&1 || true
	grep -q 'Packet too big: mtu=1430' "$np__tmp/p6" ||
		np_fail "no ICMPv6 packet too big 1430: $(cat "$np__tmp/p6")"
	stat_is 1 tx_too_big 2 ||
		np_fail "tx_too_big: $(x 1 "$ctl" overlay show -s | grep stats)"
	# a 3000-byte UDP datagram, fragmented inside, arrives whole
	ip -n sa link set np0 mtu 1450
	head -c 3000 /dev/urandom >"$np__tmp/in"
	x 2 socat -u UDP-RECV:7002,bind="$(o4 2)" OPEN:"$np__tmp/out",creat,trunc &
	np_wait_for 5 listening 2 u 7002
	x 1 socat -u -b 65536 OPEN:"$np__tmp/in" UDP-SENDTO:"$(o4 2)":7002
	np_wait_for 5 size_is "$np__tmp/out" 3000
	cmp "$np__tmp/in" "$np__tmp/out"
}

# IPv6 underlay through a router whose far link has MTU 1400:
#   sa0 2001:db8:1::1 -- ra | netns sr (forwarding) | rb mtu 1400 -- sb0 2001:db8:2::1
# The router's Packet Too Big about an outer packet must reach the PMTU of
# the underlay route, and the next inner packet get PTB 1400 - 70.
case_underlay_pmtu_v6() {
	local i
	modprobe nodeplane
	np_netns_add sa
	np_netns_add sb
	np_netns_add sr
	ip link add sa0 netns sa type veth peer name ra netns sr
	ip link add sb0 netns sb type veth peer name rb netns sr
	ip -n sr addr add 2001:db8:1::2/64 dev ra nodad
	ip -n sr addr add 2001:db8:2::2/64 dev rb nodad
	ip -n sr link set rb mtu 1400
	ip -n sb link set sb0 mtu 1400
	ip -n sr link set ra up
	ip -n sr link set rb up
	ip netns exec sr sysctl -qw net.ipv6.conf.all.forwarding=1
	for i in 1 2; do
		ip -n "${ns[$i]}" addr add "2001:db8:$i::1/64" dev "${ns[$i]}0" nodad
		ip -n "${ns[$i]}" link set "${ns[$i]}0" up
		ip -n "${ns[$i]}" -6 route add default via "2001:db8:$i::2"
		ip -n "${ns[$i]}" link add np0 type nodeplane
		x "$i" "$ctl" overlay set np0 local "2001:db8:$i::1" mac "${macs[$i]}" mac6 "${mac6s[$i]}"
		x "$i" "$ctl" overlay peer set np0 mac "${mac6s[3 - i]}" endpoint "2001:db8:$((3 - i))::1" cidr "$(o6 $((3 - i)))/64"
		ip -n "${ns[$i]}" addr add "$(o6 "$i")/128" dev np0
		ip -n "${ns[$i]}" link set np0 up
		ip -n "${ns[$i]}" -6 route add "$(o6 $((3 - i)))/64" dev np0 src "$(o6 "$i")"
	done
	# two hops of neighbour discovery on a slow VM: allow for it
	np_wait_for 10 ping_ok 1 "$(o6 2)"
	# 1418-byte inner packets fit sa0 (1488 outer) but not rb
	x 1 ping -6 -c 3 -i 0.5 -W 2 -s 1370 "$(o6 2)" >"$np__tmp/p6" 2>&1 || true
	grep -q 'Packet too big: mtu=1330' "$np__tmp/p6" ||
		np_fail "underlay PMTU not learned: $(cat "$np__tmp/p6")"
	np_wait_for 10 ping_ok 1 -s 1282 "$(o6 2)"	# 1330 inner: fits
}

case_peer_del_stops_traffic() {
	topology
	ping_ok 1 "$(o4 2)"
	x 1 "$ctl" overlay peer del np0 mac "${macs[2]}"
	np_expect_fail ping_ok 1 "$(o4 2)"
	ping_ok 1 "$(o6 2)"	# the other family's peer is untouched
	stat_is 1 tx_no_peer 1 ||
		np_fail "tx_no_peer: $(x 1 "$ctl" overlay show -s | grep stats)"
	peer_set 2 1
	ping_ok 1 "$(o4 2)"
	# replacing by MAC moves the endpoint at once: a wrong one breaks it
	x 1 "$ctl" overlay peer set np0 mac "${macs[2]}" endpoint 192.0.2.99 cidr "$(o4 2)/24"
	np_expect_fail ping_ok 1 "$(o4 2)"
	peer_set 2 1
	ping_ok 1 "$(o4 2)"
}

case_rejections_explained() {
	topology
	# raw-peer sends what the CLI's own checks would refuse
	np_expect_fail --stderr "family differs from the endpoint" \
		x 1 "$ctl" raw-peer wrong-family np0
	np_expect_fail --stderr "unicast" x 1 "$ctl" raw-peer bad-mac np0
	np_expect_fail --stderr "missing NP_PEER_A_ENDPOINT4 or NP_PEER_A_ENDPOINT6" \
		x 1 "$ctl" raw-peer missing-endpoint np0
	np_expect_fail --stderr "own VTEP MACs" \
		x 1 "$ctl" overlay peer set np0 mac "${macs[1]}" endpoint 192.0.2.3 cidr 10.99.0.0/24
	np_expect_fail --stderr "own VTEP MACs" \
		x 1 "$ctl" overlay peer set np0 mac "${mac6s[1]}" endpoint 2001:db8::3 cidr fd99::/64
	np_expect_fail --stderr "owned by another peer" \
		x 1 "$ctl" overlay peer set np0 mac 02:cc:00:00:00:04 endpoint 192.0.2.3 cidr "$(o4 2)/24"
	ip -n sa link add dummy0 type dummy
	np_expect_fail --stderr "not a nodeplane device" x 1 "$ctl" overlay set dummy0 vni 2
	np_expect_fail --stderr "not a nodeplane device" \
		x 1 "$ctl" overlay peer del dummy0 mac 02:cc:00:00:00:04
	ping_ok 1 "$(o4 2)"
}

case_delete_device_and_netns() {
	topology
	np_expect_eq 2 "$(x 1 "$ctl" info -s | awk -F'\t' '$1 == "overlay_peers" { print $2 }')" "peers"
	ip -n sa link del np0
	np_expect_eq 0 "$(x 1 "$ctl" info -s | awk -F'\t' '$1 == "overlay_peers" { print $2 }')" "peers after delete"
	np_expect_eq 0 "$(x 1 "$ctl" info -s | awk -F'\t' '$1 == "overlay_devices" { print $2 }')" "devices after delete"
	# a dying netns takes its device, peers and socket with it
	x 2 ping -i 0.05 -c 40 -W 1 "$(o4 1)" >/dev/null 2>&1 &
	ip netns del sb
	wait || true
	np_dmesg_clean
}

case_unload_with_traffic() {
	topology
	x 1 ping -f -W 1 "$(o4 2)" >/dev/null 2>&1 &
	x 2 ping -6 -f -W 1 "$(o6 1)" >/dev/null 2>&1 &
	x 1 socat -u /dev/zero UDP-SENDTO:"$(o4 2)":7003 >/dev/null 2>&1 &
	# the module's VXLAN sockets (port 8472 = 0x2118) in each node's netns
	np_wait_for 10 udp_8472 1
	np_wait_for 10 udp_8472 2
	rmmod nodeplane
	np_expect_fail test -d /sys/module/nodeplane
	np_expect_fail ip -n sa link show np0
	np_expect_fail ip -n sb link show np0
	np_expect_fail udp_8472 1
	np_expect_fail udp_8472 2
	kill %1 %2 %3 2>/dev/null || true
	wait || true
	np_dmesg_clean
}

np_module_install
np_case ping-v4-v6-both-ways case_ping_both_ways
np_case wire-header-as-flannel case_wire_header
np_case tcp-payload-intact case_tcp_payload
np_case mtu-1450-df-1451-icmp-3000-udp case_mtu
np_case underlay-pmtu-v6-learned case_underlay_pmtu_v6
np_case peer-del-stops-traffic case_peer_del_stops_traffic
np_case rejections-explained case_rejections_explained
np_case delete-device-and-netns case_delete_device_and_netns
np_case unload-with-traffic case_unload_with_traffic
np_finish
