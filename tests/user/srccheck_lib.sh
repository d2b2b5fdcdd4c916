# shellcheck shell=bash
#
# tests/user/srccheck_lib.sh: cases of the overlay's source check
# (NP_OVERLAY_F_RX_SRC_CHECK) for tests/user/integration/overlay_src_check*.sh,
# over the two-node topology of overlay_lib.sh plus "node 3": a peer of n2
# only (MACs 02:cc:00:00:00:04/06, pods 10.42.2.0/24 2001:db8:42:2::/64),
# whose endpoints 192.0.2.3 and 2001:db8::3 are on n1's underlay link, so
# that n2's answers to it come back where the crafter listens. n2 is always
# nodeplane with the check on. Sourced after lib.sh and overlay_lib.sh.

UNKNOWN4=192.0.2.99
UNKNOWN6=2001:db8::99

ctl2() { ip netns exec n2 "$OV_CTL" "$@"; }
stat2() { ov_stats n2 | awk -v k="$1" '$1 == k { print $2 }'; }
# n1's rx_bad_src when it is nodeplane (with the check on), else "-".
bad1() {
	if [[ ${OV_KIND[1]} == np ]]; then
		ov_stats n1 | awk '$1 == "rx_bad_src" { print $2 }'
	else
		echo -
	fi
}
# The value of a word of n2's `overlay show -s np0` overlay line.
word2() {
	ctl2 overlay show -s np0 |
		awk -F'\t' -v k="$1" '$1 == "overlay" { for (i = 3; i < NF; i++) if ($i == k) print $(i + 1) }'
}

# Node 3 exists for n2 only: a peer per family, routes to its pods, and its
# endpoints on n1's underlay link.
node3() {
	ctl2 overlay peer set np0 mac "$(ov_mac4 3)" endpoint "$(ov_u4 3)" cidr "$(ov_net4 3)/24"
	ctl2 overlay peer set np0 mac "$(ov_mac6 3)" endpoint "$(ov_u6 3)" cidr "$(ov_net6 3)/64"
	ip -n n2 route replace "$(ov_net4 3)/24" dev np0
	ip -n n2 route replace "$(ov_net6 3)/64" dev np0
	ip -n n1 addr add "$(ov_u4 3)/24" dev u0
	ip -n n1 addr add "$(ov_u6 3)/64" dev u0 nodad
	# n2 answers a crafted packet from node 1's underlay address straight
	# over the underlay: no reverse-path filter may drop it first
	ip netns exec n2 sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.np0.rp_filter=0 net.ipv4.conf.u0.rp_filter=0
	# n2's underlay neighbours of node 3, before answers need them
	ip netns exec n2 ping -4 -n -c 1 -W 5 "$(ov_u4 3)"
	ip netns exec n2 ping -6 -n -c 1 -W 5 "$(ov_u6 3)"
}

sc_setup() { # KIND1: n1's kind; n2 is nodeplane with the check on
	if err=$(ov_np_available); then
		ov_setup "$1" np
	else
		OV_TOPO_ERR=$err # every case FAILs with it: nodeplane cases are required
	fi
	[[ -n $OV_TOPO_ERR ]] && return 0
	node3 >"$np__tmp/node3.log" 2>&1 || OV_TOPO_ERR="node 3: $(tail -n1 "$np__tmp/node3.log")"
	if [[ -z $OV_TOPO_ERR && $1 == np ]]; then
		ip netns exec n1 "$OV_CTL" overlay set np0 source-check on ||
			OV_TOPO_ERR="source-check on n1 failed"
	fi
	[[ -n $OV_TOPO_ERR ]] && return 0
	ctl2 overlay set np0 source-check on || OV_TOPO_ERR="source-check on n2 failed"
}

case_flag_shown() {
	ov_require
	np_expect_eq on "$(word2 source-check)" "source-check of np0"
	np_expect_eq off "$(word2 gbp)" "gbp of np0"
	# a flag word alone keeps the other flag
	ctl2 overlay set np0 gbp on
	np_expect_eq on "$(word2 source-check)" "source-check after 'gbp on'"
	np_expect_eq on "$(word2 gbp)" "gbp after 'gbp on'"
	ctl2 overlay set np0 gbp off
	np_expect_eq on "$(word2 source-check)" "source-check after 'gbp off'"
	np_expect_eq off "$(word2 gbp)" "gbp after 'gbp off'"
	np_expect_eq 0 "$(stat2 rx_bad_src)" "rx_bad_src before any traffic"
}

# Legitimate traffic both ways with the check on: nothing refused (on n1
# too when it is nodeplane).
case_traffic() { # FAMILY
	local f=$1 before before1
	ov_require
	before=$(stat2 rx_bad_src) before1=$(bad1)
	ovc_ping "$f" 1
	ovc_ping "$f" 2
	ovc_host_to_pod "$f" 1
	ovc_host_to_pod "$f" 2
	ov_tcp_copy p1 p2 "$f" "$(ov_ip "$f" pod 2)" $((1 << 20))
	ov_tcp_copy p2 p1 "$f" "$(ov_ip "$f" pod 1)" $((1 << 20))
	np_expect_eq "$before" "$(stat2 rx_bad_src)" "n2's rx_bad_src after legitimate traffic"
	np_expect_eq "$before1" "$(bad1)" "n1's rx_bad_src after legitimate traffic"
}

case_crafted() { # FAMILY on|off
	local f=$1 check=$2 ll=()
	ov_require
	# n1's link-local address on its device: an NS from it is answered by
	# its VTEP MAC, and the answer is n1's own (not forwarded back)
	[[ $f == 6 ]] && ll=(--own-ll "$(ip -n n1 -6 -br addr show dev "$(ov_dev 1 6)" scope link |
		grep -o 'fe80::[^/ ]*' | head -n1)")
	ctl2 overlay set np0 source-check "$check"
	np_expect_eq "$check" "$(word2 source-check)" "source-check of np0"
	ip netns exec n1 "$OV_PY" "$OV_SCAPY" srccheck --check "$check" --family "$f" --iface u0 \
		--src "$(ov_ip "$f" u 1)" --dst "$(ov_ip "$f" u 2)" \
		--dst-ether "$(ip -n n2 -br link show u0 | awk '{ print $3 }')" \
		--src-mac "$(ov_mac"$f" 1)" --dst-mac "$(ov_mac"$f" 2)" \
		--inner-src "$(ov_ip "$f" pod 1)" --inner-dst "$(ov_ip "$f" pod 2)" \
		--own-vtep "$(ov_ip "$f" net 1)" --target "$(ov_ip "$f" net 2)" \
		--node-src "$(ov_ip "$f" u 1)" \
		--other-src "$(ov_ip "$f" u 3)" --other-mac "$(ov_mac"$f" 3)" \
		--other-pod "$(ov_ip "$f" pod 3)" --other-vtep "$(ov_ip "$f" net 3)" \
		--unknown-src "$([[ $f == 4 ]] && echo $UNKNOWN4 || echo $UNKNOWN6)" \
		--stats "ip netns exec n2 $OV_CTL overlay show -s np0" "${ll[@]}"
	ctl2 overlay set np0 source-check on
}

