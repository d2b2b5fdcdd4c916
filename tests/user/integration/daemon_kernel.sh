#!/bin/bash
# The overlay reconciler's kernel-facing calls (daemon/overlay/rtnl.c, wg.c,
# wgkey.c) through their driver np-ovltool, checked with ip, wg and jq.
# Runs inside the test VM (tests/vm/run); build first: make -C daemon.
#
#   netns k (one per case)
#     np0 nodeplane, wg0 wireguard     created by link-ensure, MTU, up
#     d0 dummy  192.0.2.1/24           a name taken by another kind; the
#     d1 dummy  198.51.100.2/24        addresses and routes of the cases
#
#   netns wa                                        netns wb
#   wg0 10.44.1.1/32  port 51820                    wg0 10.44.2.1/32  port 51820
#     key $tmp/wa/wg.key                              key $tmp/wb/wg.key
#     peer wb: 192.0.2.2:51820 keepalive 25           peer wa: 192.0.2.1:51820
#              AllowedIPs 10.44.2.0/24                         AllowedIPs 10.44.1.0/24
#     10.44.2.0/24 dev wg0 proto 110                  10.44.1.0/24 dev wg0 proto 110
#   va 192.0.2.1/24 ----------------- veth ----------------- vb 192.0.2.2/24
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

ovl=$NP_TOP/daemon/build/tools/np-ovltool
[[ -x $ovl ]] || np_fail "$ovl not built: make -C daemon"
tab=$'\t'

o() { ip netns exec k "$ovl" "$@"; }

# link_state NS DEV: "KIND MTU UP|DOWN IFINDEX"
link_state() {
	ip -n "$1" -j -d link show dev "$2" | jq -r '.[0] |
		"\(.linkinfo.info_kind // "-") \(.mtu) \(if (.flags | index("UP")) then "UP" else "DOWN" end) \(.ifindex)"'
}

# Global addresses of DEV in netns k, sorted, one line.
global_addrs() {
	ip -n k -o addr show dev "$1" scope global | awk '{ print $4 }' | sort | paste -sd' '
}

netns_k() {
	np_netns_add k
}

case_link_nodeplane() {
	local idx
	np_module_install
	modprobe nodeplane
	netns_k
	o link-ensure np0 nodeplane 1450 >"$np__tmp/out"
	idx=$(ip -n k -j link show dev np0 | jq -r '.[0].ifindex')
	np_expect_eq "np0${tab}$idx${tab}1450" "$(cat "$np__tmp/out")" "link-ensure output"
	np_expect_eq "nodeplane 1450 UP $idx" "$(link_state k np0)" "np0 after create"
	# Again: the same link, nothing changed.
	np_expect_eq "np0${tab}$idx${tab}1450" "$(o link-ensure np0 nodeplane 1450)" "second ensure"
	# A new MTU and a link someone set down: adjusted, never recreated.
	ip -n k link set np0 down
	np_expect_eq "np0${tab}$idx${tab}1400" "$(o link-ensure np0 nodeplane 1400)" "MTU change"
	np_expect_eq "nodeplane 1400 UP $idx" "$(link_state k np0)" "np0 after MTU change"
	# MTU 0 leaves the MTU alone.
	ip -n k link set np0 mtu 1300
	np_expect_eq "np0${tab}$idx${tab}1300" "$(o link-ensure np0 nodeplane 0)" "MTU 0"
	np_expect_eq "$idx" "$(o link-index np0)" "link-index"
	np_expect_eq 1300 "$(o link-mtu np0)" "link-mtu"
}

case_link_wireguard() {
	local idx
	modprobe wireguard
	netns_k
	o link-ensure wg0 wireguard 1420 >/dev/null
	idx=$(o link-index wg0)
	np_expect_eq "wireguard 1420 UP $idx" "$(link_state k wg0)" "wg0 after create"
	np_expect_eq "wg0${tab}$idx${tab}1420" "$(o link-ensure wg0 wireguard 1420)" "second ensure"
	np_expect_eq "wg0${tab}$idx${tab}1380" "$(o link-ensure wg0 wireguard 1380)" "MTU change"
	np_expect_eq "wireguard 1380 UP $idx" "$(link_state k wg0)" "wg0 after MTU change"
}

case_link_other_kind() {
	local before
	np_module_install
	modprobe nodeplane
	netns_k
	ip -n k link add d0 mtu 1500 type dummy
	before=$(link_state k d0)
	np_expect_fail --stderr "^np-ovltool: d0: exists and is a dummy link, not nodeplane \(File exists\)$" \
		o link-ensure d0 nodeplane 1450
	np_expect_eq "$before" "$(link_state k d0)" "d0 untouched"
	np_expect_eq "dummy 1500 DOWN" "${before% *}" "d0 as created"
	np_expect_fail --stderr "^np-ovltool: lo: exists and is a link of no kind \(a device\), not wireguard \(File exists\)$" \
		o link-ensure lo wireguard 1420
	np_expect_fail --stderr "^np-ovltool: x0: cannot create a nosuchkind link: Unknown device type \(Operation not supported\)$" \
		o link-ensure x0 nosuchkind 1400
	np_expect_fail --stderr "^np-ovltool: invalid interface name \"a/b\"" \
		o link-ensure a/b dummy 1400
	np_expect_fail --stderr "^np-ovltool: nope0: no such link \(No such device\)$" \
		o link-index nope0
}

case_link_del() {
	netns_k
	o link-ensure d0 dummy 1500 >/dev/null
	o link-del d0
	np_expect_fail ip -n k link show dev d0
	o link-del d0 # gone already: still success
}

case_addr_sync() {
	netns_k
	ip -n k link add d0 type dummy
	ip -n k link set d0 up
	ip -n k addr add 10.0.0.9/24 dev d0
	np_wait_for 5 sh -c "ip -n k -6 -o addr show dev d0 scope link | grep -q fe80"
	o addr-sync d0 10.42.0.0/32 2001:db8:42::/128
	np_expect_eq "10.42.0.0/32 2001:db8:42::/128" "$(global_addrs d0)" "after first sync"
	# Link-local addresses are not ours: still there.
	np_expect_eq 1 "$(ip -n k -6 -o addr show dev d0 scope link | wc -l)" "link-local"
	# A primary and a secondary of one subnet, then the primary removed:
	# the secondary must survive even without promote_secondaries.
	o addr-sync d0 10.42.0.0/24 10.42.0.5/24 2001:db8:42::/64
	np_expect_eq "10.42.0.0/24 10.42.0.5/24 2001:db8:42::/64" "$(global_addrs d0)" "after second sync"
	o addr-sync d0 10.42.0.5/24 2001:db8:42::/64
	np_expect_eq "10.42.0.5/24 2001:db8:42::/64" "$(global_addrs d0)" "after removing the primary"
	o addr-list d0 4 >"$np__tmp/list"
	np_expect_eq "d0${tab}10.42.0.5/24${tab}permanent" "$(cat "$np__tmp/list")" "addr-list d0 4"
	o addr-list d0 6 >"$np__tmp/list"
	np_expect_eq "2" "$(wc -l <"$np__tmp/list")" "addr-list d0 6 lines"
	np_expect_eq "d0${tab}2001:db8:42::/64${tab}permanent" "$(grep -v fe80 "$np__tmp/list")" "addr-list d0 6 global"
	grep -qP "^d0\tfe80::[0-9a-f:]+/64\tlink_local,permanent$" "$np__tmp/list" ||
		np_fail "no link-local line: $(cat "$np__tmp/list")"
	# The same again: nothing to do, nothing changes.
	o addr-sync d0 10.42.0.5/24 2001:db8:42::/64
	np_expect_eq "10.42.0.5/24 2001:db8:42::/64" "$(global_addrs d0)" "idempotent"
	o addr-sync d0
	np_expect_eq "" "$(global_addrs d0)" "after empty sync"
	np_expect_eq 1 "$(ip -n k -6 -o addr show dev d0 scope link | wc -l)" "link-local kept"
}

case_routes() {
	netns_k
	ip -n k link add d0 type dummy
	ip -n k link set d0 up
	ip -n k addr add 192.0.2.1/24 dev d0
	ip -n k addr add 2001:db8::1/64 dev d0 nodad
	# Not ours: another protocol, to other prefixes and to one of ours.
	ip -n k route add 10.9.0.0/16 via 192.0.2.2 proto static
	ip -n k route add 10.5.0.0/16 via 192.0.2.3 proto static
	ip -n k -6 route add 2001:db8:9::/48 via 2001:db8::2 proto static
	o route-replace 10.8.0.0/16 via 192.0.2.2 dev d0
	o route-replace 10.7.0.0/16 dev d0
	o route-replace 10.6.0.0/16 via 10.99.0.1 dev d0 onlink
	o route-replace 2001:db8:7::/48 dev d0
	o route-replace 2001:db8:8::/48 via 2001:db8::2 dev d0
	np_expect_eq "10.6.0.0/16 via 10.99.0.1 dev d0 onlink
10.7.0.0/16 dev d0 scope link
10.8.0.0/16 via 192.0.2.2 dev d0" "$(ip -n k route show proto 110 | sed 's/ *$//')" "IPv4 routes"
	np_expect_eq "2001:db8:7::/48 dev d0 metric 1024 pref medium
2001:db8:8::/48 via 2001:db8::2 dev d0 metric 1024 pref medium" \
		"$(ip -n k -6 route show proto 110 | sed 's/ *$//')" "IPv6 routes"
	np_expect_eq "10.6.0.0/16${tab}10.99.0.1${tab}d0${tab}onlink
10.7.0.0/16${tab}-${tab}d0${tab}-
10.8.0.0/16${tab}192.0.2.2${tab}d0${tab}-
2001:db8:7::/48${tab}-${tab}d0${tab}-
2001:db8:8::/48${tab}2001:db8::2${tab}d0${tab}-" "$(o route-list)" "route-list"
	np_expect_eq "2001:db8:7::/48${tab}-${tab}d0${tab}-
2001:db8:8::/48${tab}2001:db8::2${tab}d0${tab}-" "$(o route-list 6)" "route-list 6"
	# Replaced in place: a gateway route becomes a device route.
	o route-replace 10.8.0.0/16 dev d0
	np_expect_eq "10.8.0.0/16 dev d0 proto 110 scope link" \
		"$(ip -n k route show 10.8.0.0/16 | sed 's/ *$//')" "replaced"
	# Host bits of the destination are dropped.
	o route-replace 10.4.1.2/16 dev d0
	np_expect_eq "10.4.0.0/16 dev d0 proto 110 scope link" \
		"$(ip -n k route show 10.4.0.0/16 | sed 's/ *$//')" "network of 10.4.1.2/16"
	o route-del 10.4.0.0/16
	o route-del 10.8.0.0/16
	o route-del 10.8.0.0/16 # gone already: success
	o route-del 2001:db8:8::/48
	# Deleting "ours" to a prefix only another protocol routes: untouched.
	o route-del 10.5.0.0/16
	o route-del 10.9.0.0/16
	o route-del 2001:db8:9::/48
	np_expect_eq "10.5.0.0/16 via 192.0.2.3 dev d0
10.9.0.0/16 via 192.0.2.2 dev d0" \
		"$(ip -n k route show proto static | sed 's/ *$//')" "static IPv4 routes"
	np_expect_eq "2001:db8:9::/48 via 2001:db8::2 dev d0 metric 1024 pref medium" \
		"$(ip -n k -6 route show proto static | sed 's/ *$//')" "static IPv6 route"
	np_expect_eq "10.6.0.0/16${tab}10.99.0.1${tab}d0${tab}onlink
10.7.0.0/16${tab}-${tab}d0${tab}-
2001:db8:7::/48${tab}-${tab}d0${tab}-" "$(o route-list)" "route-list after deletes"
	np_expect_fail --stderr "^np-ovltool: cannot replace route 10.3.0.0/16 via 203.0.113.1 dev [0-9]+: Nexthop has invalid gateway \(Network is unreachable\)$" \
		o route-replace 10.3.0.0/16 via 203.0.113.1 dev d0
}

case_default_link() {
	netns_k
	ip -n k link add d0 type dummy
	ip -n k link add d1 type dummy
	ip -n k link set d0 up
	ip -n k link set d1 up
	ip -n k addr add 192.0.2.1/24 dev d0
	ip -n k addr add 198.51.100.2/24 dev d1
	ip -n k addr add 2001:db8::1/64 dev d0 nodad
	np_expect_fail --stderr "^np-ovltool: no IPv4 default route in the main table \(Network is unreachable\)$" \
		o default-link 4
	ip -n k route add default via 192.0.2.254 dev d0 metric 100
	np_expect_eq "$(o link-index d0)${tab}d0" "$(o default-link 4)" "one default"
	ip -n k route add default via 198.51.100.1 dev d1 metric 50
	np_expect_eq "$(o link-index d1)${tab}d1" "$(o default-link 4)" "lowest metric"
	# Another table's default does not count.
	ip -n k route add default via 192.0.2.254 dev d0 table 100
	ip -n k route del default via 198.51.100.1 dev d1 metric 50
	np_expect_eq "$(o link-index d0)${tab}d0" "$(o default-link 4)" "main table only"
	np_expect_fail --stderr "^np-ovltool: no IPv6 default route in the main table \(Network is unreachable\)$" \
		o default-link 6
	ip -n k -6 route add default via 2001:db8::fe dev d0
	np_expect_eq "$(o link-index d0)${tab}d0" "$(o default-link 6)" "IPv6 default"
}

# wg_dump_peers NS DEV: "pubkey endpoint allowed keepalive" per peer, sorted
wg_dump_peers() {
	ip netns exec "$1" wg show "$2" dump | tail -n +2 | awk -F'\t' '{ print $1, $3, $4, $8 }' | sort
}

case_wg_device_peers() {
	local pub k1 k2 k3
	modprobe wireguard
	netns_k
	o link-ensure wg0 wireguard 1420 >/dev/null
	pub=$(o wg-key "$np__tmp/k/wg.key")
	np_expect_eq "$(wg pubkey <"$np__tmp/k/wg.key")" "$pub" "public key as wg derives it"
	np_expect_eq "-rw------- 45" "$(stat -c '%A %s' "$np__tmp/k/wg.key")" "key file"
	np_expect_eq "drwx------" "$(stat -c '%A' "$np__tmp/k")" "key directory"
	# Up without a port set: the kernel picked a random one.
	np_expect_eq "device${tab}wg0${tab}$(ip netns exec k wg show wg0 listen-port)${tab}nokey" \
		"$(o wg-get wg0)" "fresh device"
	o wg-set-device wg0 "$np__tmp/k/wg.key" 51820
	np_expect_eq "$(cat "$np__tmp/k/wg.key")" "$(ip netns exec k wg show wg0 private-key)" "private key"
	np_expect_eq "$pub" "$(ip netns exec k wg show wg0 public-key)" "public key"
	np_expect_eq 51820 "$(ip netns exec k wg show wg0 listen-port)" "listen port"

	k1=$(wg genkey | wg pubkey)
	k2=$(wg genkey | wg pubkey)
	k3=$(wg genkey | wg pubkey)
	o wg-peer-set wg0 "$k1" 192.0.2.2 51820 25 10.44.2.0/24 2001:db8:44:2::/64
	o wg-peer-set wg0 "$k2" 2001:db8::3 51821 0 10.44.3.0/24
	o wg-peer-set wg0 "$k3" - 0 0
	np_expect_eq "$(printf '%s\n' \
		"$k1 192.0.2.2:51820 10.44.2.0/24,2001:db8:44:2::/64 25" \
		"$k2 [2001:db8::3]:51821 10.44.3.0/24 off" \
		"$k3 (none) (none) off" | sort)" "$(wg_dump_peers k wg0)" "peers set"
	np_expect_eq "$(printf '%s\n' "device${tab}wg0${tab}51820${tab}key" \
		"peer${tab}$k1${tab}192.0.2.2:51820${tab}25${tab}10.44.2.0/24,2001:db8:44:2::/64" \
		"peer${tab}$k2${tab}[2001:db8::3]:51821${tab}0${tab}10.44.3.0/24" \
		"peer${tab}$k3${tab}-${tab}0${tab}-" | sort)" "$(o wg-get wg0 | sort)" "wg-get"

	# Update: a new endpoint, AllowedIPs replaced, keepalive off; the
	# other peers untouched.
	o wg-peer-set wg0 "$k1" 192.0.2.9 51822 0 10.44.9.0/24
	np_expect_eq "$(printf '%s\n' \
		"$k1 192.0.2.9:51822 10.44.9.0/24 off" \
		"$k2 [2001:db8::3]:51821 10.44.3.0/24 off" \
		"$k3 (none) (none) off" | sort)" "$(wg_dump_peers k wg0)" "peer updated"
	# Host bits of an AllowedIP are dropped, as wg does.
	o wg-peer-set wg0 "$k3" - 0 0 10.44.5.7/24
	np_expect_eq "$k3 (none) 10.44.5.0/24 off" "$(wg_dump_peers k wg0 | grep "^$k3")" "AllowedIP network"

	o wg-peer-del wg0 "$k2"
	o wg-peer-del wg0 "$k2" # gone already: success
	np_expect_eq "$(printf '%s\n' \
		"$k1 192.0.2.9:51822 10.44.9.0/24 off" \
		"$k3 (none) 10.44.5.0/24 off" | sort)" "$(wg_dump_peers k wg0)" "peer deleted"
	# The key and port stay when peers change; setting them keeps peers.
	o wg-set-device wg0 "$np__tmp/k/wg.key" 51830
	np_expect_eq 51830 "$(ip netns exec k wg show wg0 listen-port)" "new port"
	np_expect_eq 2 "$(ip netns exec k wg show wg0 peers | wc -l)" "peers kept"
}

case_wg_errors() {
	modprobe wireguard
	netns_k
	ip -n k link add d0 type dummy
	wg genkey >"$np__tmp/key"
	np_expect_fail --stderr "^np-ovltool: nope0: no such WireGuard device \(No such device\)$" \
		o wg-get nope0
	np_expect_fail --stderr "^np-ovltool: d0: not a WireGuard device \(Operation not supported\)$" \
		o wg-set-device d0 "$np__tmp/key" 51820
	echo "not a key" >"$np__tmp/bad.key"
	np_expect_fail --stderr "^np-ovltool: $np__tmp/bad.key: not a WireGuard private key: 9 characters, expected 44 \(base64 of 32 bytes\) \(Invalid argument\)$" \
		o wg-set-device d0 "$np__tmp/bad.key" 51820
}

# One peer whose AllowedIPs span several dump messages, among 400 others:
# np_wg_get merges the parts (each peer once), and the key file written by
# wg genkey is read back as wg reads it.
case_wg_big_dump() {
	local big small
	modprobe wireguard
	netns_k
	o link-ensure wg0 wireguard 1420 >/dev/null
	/usr/bin/python3 - "$np__tmp/peers.conf" <<-'EOF'
		import base64, os, sys
		with open(sys.argv[1], "w") as f:
		    for i in range(401):
		        key = base64.b64encode(os.urandom(32)).decode()
		        f.write("[Peer]\nPublicKey = %s\n" % key)
		        if i == 0:
		            ips = ["10.%d.%d.%d/32" % (100 + j // 65536, j // 256 % 256, j % 256)
		                   for j in range(3000)]
		        else:
		            ips = ["10.%d.%d.0/24" % (i // 256, i % 256),
		                   "fd00:%x::/64" % i]
		        f.write("AllowedIPs = %s\n" % ", ".join(ips))
	EOF
	ip netns exec k wg addconf wg0 "$np__tmp/peers.conf"
	np_expect_eq 401 "$(ip netns exec k wg show wg0 peers | wc -l)" "peers in wg"
	o wg-get wg0 >"$np__tmp/get"
	np_expect_eq 401 "$(grep -c '^peer' "$np__tmp/get")" "peer lines"
	np_expect_eq "$(ip netns exec k wg show wg0 peers | sort)" \
		"$(awk -F'\t' '$1 == "peer" { print $2 }' "$np__tmp/get" | sort)" "peer keys"
	# The big peer: its first NP_WG_ALLOWED_MAX (4) AllowedIPs, once.
	big=$(sed -n 2p "$np__tmp/peers.conf" | sed 's/PublicKey = //')
	np_expect_eq 1 "$(grep -c "^peer${tab}$big${tab}" "$np__tmp/get")" "big peer once"
	grep -q "^peer${tab}$big${tab}-${tab}0${tab}10\.100\.0\.[0-9]*/32,10\.100\.0\.[0-9]*/32,10\.100\.0\.[0-9]*/32,10\.100\.0\.[0-9]*/32$" "$np__tmp/get" ||
		np_fail "big peer: $(grep "$big" "$np__tmp/get")"
	# A small one, exactly.
	small=$(sed -n 5p "$np__tmp/peers.conf" | sed 's/PublicKey = //')
	np_expect_eq "peer${tab}$small${tab}-${tab}0${tab}10.0.1.0/24,fd00:1::/64" \
		"$(awk -F'\t' -v k="$small" '$2 == k' "$np__tmp/get")" "small peer"
}

# Two nodes, keys from files, a ping through the tunnel.
case_wg_tunnel() {
	local n m pub
	declare -A pubs
	modprobe wireguard
	np_netns_add wa
	np_netns_add wb
	ip link add va netns wa type veth peer name vb netns wb
	ip -n wa addr add 192.0.2.1/24 dev va
	ip -n wb addr add 192.0.2.2/24 dev vb
	ip -n wa link set va up
	ip -n wb link set vb up
	for n in a b; do
		ip netns exec "w$n" "$ovl" link-ensure wg0 wireguard 1420 >/dev/null
		pubs[$n]=$(ip netns exec "w$n" "$ovl" wg-key "$np__tmp/w$n/wg.key")
		ip netns exec "w$n" "$ovl" wg-set-device wg0 "$np__tmp/w$n/wg.key" 51820
	done
	ip netns exec wa "$ovl" addr-sync wg0 10.44.1.1/32
	ip netns exec wb "$ovl" addr-sync wg0 10.44.2.1/32
	ip netns exec wa "$ovl" wg-peer-set wg0 "${pubs[b]}" 192.0.2.2 51820 25 10.44.2.0/24
	ip netns exec wb "$ovl" wg-peer-set wg0 "${pubs[a]}" 192.0.2.1 51820 25 10.44.1.0/24
	ip netns exec wa "$ovl" route-replace 10.44.2.0/24 dev wg0
	ip netns exec wb "$ovl" route-replace 10.44.1.0/24 dev wg0
	ip netns exec wa ping -c 1 -W 5 10.44.2.1 >/dev/null
	ip netns exec wb ping -c 1 -W 5 10.44.1.1 >/dev/null
	np_expect_eq 25 "$(ip netns exec wa wg show wg0 persistent-keepalive | cut -f2)" "keepalive"
	pub=$(ip netns exec wa wg show wg0 latest-handshakes | cut -f1)
	np_expect_eq "${pubs[b]}" "$pub" "handshake peer"
	[[ $(ip netns exec wa wg show wg0 latest-handshakes | cut -f2) != 0 ]] ||
		np_fail "no handshake"
	# The daemon restarted: link-ensure keeps the link, traffic goes on.
	m=$(ip -n wa -j link show dev wg0 | jq -r '.[0].ifindex')
	ip netns exec wa "$ovl" link-ensure wg0 wireguard 1420 >/dev/null
	np_expect_eq "$m" "$(ip -n wa -j link show dev wg0 | jq -r '.[0].ifindex')" "same wg0"
	ip netns exec wa ping -c 1 -W 5 10.44.2.1 >/dev/null
}

np_case link-nodeplane case_link_nodeplane
np_case link-wireguard case_link_wireguard
np_case link-other-kind case_link_other_kind
np_case link-del case_link_del
np_case addr-sync case_addr_sync
np_case routes case_routes
np_case default-link case_default_link
np_case wg-device-peers case_wg_device_peers
np_case wg-errors case_wg_errors
np_case wg-big-dump case_wg_big_dump
np_case wg-tunnel case_wg_tunnel
np_finish
