#!/bin/bash
# nodeplaned as a cluster, wireguard-native backend, dual-stack, against the
# test API server: three nodes run nodeplaned; each has np-wg (IPv4, port
# 51820) and np-wg-v6 (IPv6, port 51821) with one peer per other node:
# endpoint = its public IP and published port, AllowedIPs = its pod CIDR of
# that family, keepalive 25 s (overlay.md §4); flannel's wireguard
# annotations; pods reach each other over IPv4 and IPv6; the key survives a
# restart (kept in the data dir).
# Runs in the test VM (tests/vm/run).
#
#           VM root netns: apiserver.py 192.0.2.254:6443 on br0
#       +------------------------+------------------------+
#   n1 eth0 192.0.2.1       n2 eth0 192.0.2.2       n3 eth0 192.0.2.3
#      2001:db8::1             2001:db8::2             2001:db8::3
#   np-wg :51820  np-wg-v6 :51821 on each; routes 10.42.0.0/16 dev np-wg,
#   2001:db8:42::/56 dev np-wg-v6 (proto 110)
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
	modprobe wireguard || np_skip "no wireguard module in the guest kernel"
	cl_cluster_api wireguard-native 1420 "1 2 3"
}

pubkey() { # i: node i's key as its device has it
	ip netns exec "n$1" wg show np-wg public-key
}

t_annotations() { # i: flannel's wireguard shape (§4), byte for byte
	local i=$1 key key6
	cl_require
	key=$(pubkey "$i")
	key6=$(ip netns exec "n$i" wg show np-wg-v6 public-key)
	[[ $key =~ ^[A-Za-z0-9+/]{43}=$ ]] || np_fail "np-wg public key on n$i: '$key'"
	np_expect_eq "$key" "$key6" "np-wg-v6 key (one key pair for both devices)"
	np_expect_eq "$CL_ANN/backend-data={\"PublicKey\":\"$key\",\"Port\":51820}
$CL_ANN/backend-type=wireguard
$CL_ANN/backend-v6-data={\"PublicKey\":\"$key\",\"Port\":51821}
$CL_ANN/kube-subnet-manager=true
$CL_ANN/public-ip=$(ov_u4 "$i")
$CL_ANN/public-ipv6=$(ov_u6 "$i")" "$(cl_anns "n$i")" "flannel annotations of n$i"
}

# want_wg DEV i: `wg show DEV dump` of node i, without keys of its own,
# handshake times and counters: the interface's port and fwmark, then one
# "key endpoint allowed-ips keepalive" line per other node, sorted.
want_wg() {
	local dev=$1 i=$2 j
	if [[ $dev == np-wg ]]; then echo "51820	off"; else echo "51821	off"; fi
	for j in 1 2 3; do
		[[ $j != "$i" ]] || continue
		if [[ $dev == np-wg ]]; then
			printf '%s\t%s:51820\t%s/24\t25\n' "$(cl_ann "n$j" backend-data | jq -r .PublicKey)" \
				"$(ov_u4 "$j")" "$(ov_net4 "$j")"
		else
			printf '%s\t[%s]:51821\t%s/64\t25\n' "$(cl_ann "n$j" backend-v6-data | jq -r .PublicKey)" \
				"$(ov_u6 "$j")" "$(ov_net6 "$j")"
		fi
	done | LC_ALL=C sort
}

got_wg() { # DEV i
	ip netns exec "n$2" wg show "$1" dump >"$np__tmp/wg.$1.$2" || return 1
	head -n1 "$np__tmp/wg.$1.$2" | cut -f3,4
	tail -n +2 "$np__tmp/wg.$1.$2" | cut -f1,3,4,8 | LC_ALL=C sort
}

wg_is() { # i
	[[ $(got_wg np-wg "$1") == "$(want_wg np-wg "$1")" &&
		$(got_wg np-wg-v6 "$1") == "$(want_wg np-wg-v6 "$1")" ]]
}

t_wg() { # i: exact WireGuard configuration and routes
	local i=$1
	cl_require
	cl_wait "n$i WireGuard peers" wg_is "$i"
	np_expect_eq "$(want_wg np-wg "$i")" "$(got_wg np-wg "$i")" "wg show np-wg dump on n$i"
	np_expect_eq "$(want_wg np-wg-v6 "$i")" "$(got_wg np-wg-v6 "$i")" "wg show np-wg-v6 dump on n$i"
	np_expect_eq "$CL_CIDR4 via - dev np-wg" "$(cl_routes "n$i" 4)" "IPv4 routes of proto 110 on n$i"
	np_expect_eq "$CL_CIDR6 via - dev np-wg-v6" "$(cl_routes "n$i" 6)" "IPv6 routes of proto 110 on n$i"
	np_expect_eq 1420 "$(ip -n "n$i" -j link show np-wg | jq -r '.[0].mtu')" "np-wg MTU"
}

# The key lives in the data dir: a restart keeps it, and so the peers.
t_restart_keeps_key() {
	local key anns
	cl_require
	key=$(pubkey 1)
	anns=$(cl_anns n1)
	cl_npd_stop n1
	np_expect_eq "$key" "$(pubkey 1)" "np-wg key after SIGTERM (devices are kept)"
	cl_npd_restart n1
	cl_wait "n1 WireGuard peers after restart" wg_is 1
	np_expect_eq "$key" "$(pubkey 1)" "np-wg key after the restart"
	np_expect_eq "$anns" "$(cl_anns n1)" "annotations of n1 after the restart"
	cl_reach 2 1 4
	cl_reach 1 3 6
}

np_defer cl_down
np_case cluster-up t_up
for i in 1 2 3; do
	np_case "annotations-n$i-exact-flannel-wireguard-shape" t_annotations "$i"
done
for i in 1 2 3; do
	np_case "wireguard-n$i-exact-peers-ports-keepalive" t_wg "$i"
done
for f in 4 6; do
	for pair in "1 2" "2 3" "3 1" "2 1"; do
		read -r a b <<<"$pair"
		np_case "ping$f-p$a-to-p$b" cl_case_ping "$a" "$b" "$f"
	done
done
np_case tcp4-1MiB-p1-to-p2 cl_case_tcp 1 2 4
np_case tcp6-1MiB-p3-to-p1 cl_case_tcp 3 1 6
np_case restart-keeps-key-and-peers t_restart_keeps_key
np_case nothing-left cl_case_nothing_left
np_finish
