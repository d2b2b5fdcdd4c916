#!/bin/bash
# ServiceLB / hostPort data path (NP_CMD_LB_*, kmod/lb.c), judged by
# traffic from a client through the node of spec/node-contract.md §1.
# Runs inside the test VM (tests/vm/run).
#
#   client 192.0.2.1 2001:db8::1
#     |
#   node eth0 192.0.2.254 2001:db8::fe      frontends programmed here
#     +-- cni0 10.42.0.1 fd42::1 --+-- p1 10.42.0.5 fd42::5  (local pods,
#     |                            +-- p2 10.42.0.6 fd42::6   hairpin on)
#     +-- r0 10.99.0.254 fd99::fe ---- rem 10.99.0.1 fd99::1 (remote backend,
#                                        no route to the client)
#
# Servers (tests/user/lb_lib.sh): 8000 echo (TCP, UDP, SCTP), 8001 answers
# "NAME PEERADDR" (TCP, UDP). Each case starts from no frontend and an
# empty conntrack table (lb_reset).
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lb_lib.sh"

V6_CLIENT='[2001:0db8:0000:0000:0000:0000:0000:0001]'
V6_R0='[fd99:0000:0000:0000:0000:0000:0000:00fe]'

# TCP over IPv4 to a local pod: payload intact, client address kept.
case_tcp4_local() {
	lb_reset
	lb set tcp 80 backend 10.42.0.5:8000/local >/dev/null
	lb set tcp 81 backend 10.42.0.5:8001/local >/dev/null
	echo_cmp tcp client 192.0.2.254 80
	local got
	got=$(who_tcp client 192.0.2.254 81)
	[[ $got == "p1 192.0.2.1" ]] || np_fail "tcp 81: expected 'p1 192.0.2.1', got '$got'"
	np_expect_eq 1 "$(lb_stat conns -4 tcp 80)" "conns of tcp 80"
	np_expect_eq 1 "$(lb_stat packets -4 tcp 80)" "packets of tcp 80"
	np_expect_eq 1 "$(lb_stat conns -4 tcp 81)" "conns of tcp 81"
	np_expect_eq 0 "$(lb_stat drop_range -4 tcp 80)" "drop_range of tcp 80"
}

# The same over IPv6.
case_tcp6_local() {
	local got
	lb_reset
	lb set -6 tcp 80 backend '[fd42::5]:8000/local' >/dev/null
	lb set -6 tcp 81 backend '[fd42::6]:8001/local' >/dev/null
	echo_cmp tcp client 2001:db8::fe 80
	got=$(who_tcp client 2001:db8::fe 81)
	[[ $got == "p2 $V6_CLIENT" ]] || np_fail "tcp6 81: expected 'p2 $V6_CLIENT', got '$got'"
	np_expect_eq 1 "$(lb_stat conns -6 tcp 80)" "conns of tcp6 80"
}

case_udp4_local() {
	local got
	lb_reset
	lb set udp 53 backend 10.42.0.5:8000/local >/dev/null
	lb set udp 54 backend 10.42.0.6:8001/local >/dev/null
	echo_cmp udp client 192.0.2.254 53
	got=$(who_udp client 192.0.2.254 54 40054)
	np_expect_eq "p2 192.0.2.1" "$got" "udp 54 reached"
	np_expect_eq 1 "$(lb_stat conns -4 udp 54)" "conns of udp 54"
}

case_udp6_local() {
	local got
	lb_reset
	lb set -6 udp 53 backend '[fd42::5]:8000/local' >/dev/null
	lb set -6 udp 54 backend '[fd42::5]:8001/local' >/dev/null
	echo_cmp udp client 2001:db8::fe 53
	got=$(who_udp client 2001:db8::fe 54 40054)
	np_expect_eq "p1 $V6_CLIENT" "$got" "udp6 54 reached"
}

case_sctp4_local() {
	lb_reset
	lb set sctp 90 backend 10.42.0.6:8000/local >/dev/null
	echo_cmp sctp client 192.0.2.254 90
	np_expect_eq 1 "$(lb_stat conns -4 sctp 90)" "conns of sctp 90"
}

case_sctp6_local() {
	lb_reset
	lb set -6 sctp 90 backend '[fd42::6]:8000/local' >/dev/null
	echo_cmp sctp client 2001:db8::fe 90
	np_expect_eq 1 "$(lb_stat conns -6 sctp 90)" "conns of sctp6 90"
}

# A remote backend: masqueraded to the node's address with masq-remote
# (rem has no route to the client, so nothing else could work).
case_masq_remote() {
	local got
	lb_reset
	lb set tcp 81 masq-remote backend 10.99.0.1:8001 >/dev/null
	got=$(who_tcp client 192.0.2.254 81)
	[[ $got == "rem 10.99.0.254" ]] || np_fail "tcp 81: expected 'rem 10.99.0.254', got '$got'"
	lb set -6 udp 54 masq-remote backend '[fd99::1]:8001' >/dev/null
	got=$(who_udp client 2001:db8::fe 54)
	[[ $got == "rem $V6_R0" ]] || np_fail "udp6 54: expected 'rem $V6_R0', got '$got'"
	# the local backend of a masq-remote frontend sees the client
	lb set tcp 81 masq-remote backend 10.42.0.5:8001/local >/dev/null
	got=$(who_tcp client 192.0.2.254 81)
	[[ $got == "p1 192.0.2.1" ]] || np_fail "tcp 81 local: expected 'p1 192.0.2.1', got '$got'"
	# SCTP to the remote backend, both families: payload intact
	lb set sctp 90 masq-remote backend 10.99.0.1:8000 >/dev/null
	echo_cmp sctp client 192.0.2.254 90
	lb set -6 sctp 90 masq-remote backend '[fd99::1]:8000' >/dev/null
	echo_cmp sctp client 2001:db8::fe 90
	np_expect_eq 1 "$(lb_stat conns -4 sctp 90)" "conns of sctp 90 (remote)"
	np_expect_eq 1 "$(lb_stat conns -6 sctp 90)" "conns of sctp6 90 (remote)"
	# without masq-remote the remote backend's answers go astray
	lb set udp 54 backend 10.99.0.1:8001 >/dev/null
	np_expect_eq none "$(no_answer_udp client 192.0.2.254 54)" "udp 54 to rem unmasqueraded"
}

# Source ranges: outside every range dropped before any NAT, counted.
case_source_ranges() {
	local i
	lb_reset
	lb set udp 54 ranges 198.51.100.0/24,10.0.0.0/8 backend 10.42.0.5:8001/local >/dev/null
	for i in 1 2 3; do
		np_expect_eq none "$(no_answer_udp client 192.0.2.254 54)" "udp 54 from outside the ranges ($i)"
	done
	np_expect_eq 3 "$(lb_stat drop_range -4 udp 54)" "drop_range of udp 54"
	np_expect_eq 0 "$(lb_stat conns -4 udp 54)" "conns of udp 54"
	np_expect_fail who_tcp client 192.0.2.254 54
	lb set udp 54 ranges 198.51.100.0/24,192.0.2.0/25 backend 10.42.0.5:8001/local >/dev/null
	np_expect_eq "p1 192.0.2.1" "$(who_udp client 192.0.2.254 54 40054)" "udp 54 from inside"
	np_expect_eq 3 "$(lb_stat drop_range -4 udp 54)" "drop_range of udp 54 after replace"
	np_expect_eq 1 "$(lb_stat conns -4 udp 54)" "conns of udp 54 after replace"
	# TCP: the connection fails
	lb set tcp 81 ranges 192.0.2.128/25 backend 10.42.0.5:8001/local >/dev/null
	np_expect_fail who_tcp client 192.0.2.254 81
	lb set -6 tcp 81 ranges 2001:db8::/127 backend '[fd42::5]:8001/local' >/dev/null
	who_tcp client 2001:db8::fe 81 >/dev/null
	lb set -6 tcp 81 ranges 2001:db8::2/127 backend '[fd42::5]:8001/local' >/dev/null
	np_expect_fail who_tcp client 2001:db8::fe 81
	np_expect_eq 1 "$(lb_stat conns -6 tcp 81)" "conns of tcp6 81"
}

# No usable backend: refused (TCP RST, ICMP port unreachable), counted.
case_no_backend_refused() {
	lb_reset
	lb set tcp 81 >/dev/null
	lb set udp 54 >/dev/null
	lb set -6 tcp 81 >/dev/null
	lb set -6 udp 54 >/dev/null
	np_expect_fail --stderr 'Connection refused' who_tcp client 192.0.2.254 81
	np_expect_fail --stderr 'Connection refused' who_tcp client 2001:db8::fe 81
	np_expect_eq refused "$(refused_udp client 192.0.2.254 54)" "udp 54"
	np_expect_eq refused "$(refused_udp client 192.0.2.254 54)" "udp 54 again"
	np_expect_eq refused "$(refused_udp client 2001:db8::fe 54)" "udp6 54"
	np_expect_eq 1 "$(lb_stat drop_no_backend -4 tcp 81)" "drop_no_backend of tcp 81"
	np_expect_eq 2 "$(lb_stat drop_no_backend -4 udp 54)" "drop_no_backend of udp 54"
	np_expect_eq 1 "$(lb_stat drop_no_backend -6 udp 54)" "drop_no_backend of udp6 54"
	# local-only with remote backends only: refused too
	lb set tcp 81 local-only backend 10.99.0.1:8001/ready >/dev/null
	np_expect_fail --stderr 'Connection refused' who_tcp client 192.0.2.254 81
	np_expect_eq 2 "$(lb_stat drop_no_backend -4 tcp 81)" "drop_no_backend of tcp 81 (local-only)"
}

# Terminating backends serve only while no backend is ready.
case_terminating_fallback() {
	local i got
	lb_reset
	lb set tcp 81 backend 10.42.0.5:8001/local/terminating,10.42.0.6:8001/local/ready >/dev/null
	for i in 1 2 3 4 5 6; do
		got=$(who_tcp client 192.0.2.254 81)
		[[ $got == "p2 "* ]] || np_fail "connection $i went to '$got', not the ready p2"
	done
	lb set tcp 81 backend 10.42.0.5:8001/local/terminating,10.42.0.6:8001/local >/dev/null
	for i in 1 2 3 4 5 6; do
		got=$(who_tcp client 192.0.2.254 81)
		[[ $got == "p2 "* ]] || np_fail "connection $i went to '$got', not the ready p2 (default flag)"
	done
	lb set tcp 81 backend 10.42.0.5:8001/local/terminating >/dev/null
	got=$(who_tcp client 192.0.2.254 81)
	[[ $got == "p1 "* ]] || np_fail "with no ready backend: '$got', not the terminating p1"
}

# local-only: only LOCAL backends; the remote one is never chosen.
case_local_only() {
	local i got
	lb_reset
	lb set tcp 81 local-only masq-remote backend 10.99.0.1:8001,10.42.0.6:8001/local >/dev/null
	for i in 1 2 3 4 5 6 7 8; do
		got=$(who_tcp client 192.0.2.254 81)
		[[ $got == "p2 192.0.2.1" ]] || np_fail "connection $i: '$got', not p2 seeing the client"
	done
	# local-only: a local terminating one before a remote ready one
	lb set tcp 81 local-only backend 10.99.0.1:8001,10.42.0.5:8001/local/terminating >/dev/null
	got=$(who_tcp client 192.0.2.254 81)
	[[ $got == "p1 "* ]] || np_fail "local-only fallback: '$got', not p1"
}

# Without affinity both backends get connections; with it one client keeps
# one backend.
case_affinity() {
	local i got seen=
	lb_reset
	lb set tcp 81 backend 10.42.0.5:8001/local,10.42.0.6:8001/local >/dev/null
	for i in $(seq 1 24); do
		got=$(who_tcp client 192.0.2.254 81)
		seen+=" ${got%% *}"
	done
	[[ $seen == *p1* && $seen == *p2* ]] || np_fail "24 connections without affinity all went to one backend:$seen"
	for fam in 4 6; do
		local addr=192.0.2.254 be='10.42.0.5:8001/local,10.42.0.6:8001/local'
		[[ $fam == 6 ]] && addr=2001:db8::fe be='[fd42::5]:8001/local,[fd42::6]:8001/local'
		lb set -$fam tcp 82 affinity 600 backend "$be" >/dev/null
		seen=
		for i in $(seq 1 12); do
			got=$(who_tcp client $addr 82)
			seen+=" ${got%% *}"
		done
		[[ $seen == *p1* && $seen == *p2* ]] && np_fail "IPv$fam: affinity 600, yet both backends:$seen"
		# replacing the frontend (same backends) keeps the client's backend
		lb set -$fam tcp 82 affinity 600 backend "$be" >/dev/null
		got=$(who_tcp client $addr 82)
		[[ $seen == *"${got%% *}"* ]] || np_fail "IPv$fam: after replace the client moved to ${got%% *}"
	done
}

# Hairpin (hostPort): a pod reaching its own mapping through a node
# address is masqueraded to the bridge address; without the flag not.
case_hairpin() {
	local got
	lb_reset
	lb set tcp 81 owner hostport hairpin backend 10.42.0.5:8001/local >/dev/null
	got=$(who_tcp p1 192.0.2.254 81)
	[[ $got == "p1 10.42.0.1" ]] || np_fail "hairpin: expected 'p1 10.42.0.1', got '$got'"
	got=$(who_tcp p2 192.0.2.254 81)
	[[ $got == "p1 10.42.0.6" ]] || np_fail "p2 to p1's hostPort: expected 'p1 10.42.0.6', got '$got'"
	lb set -6 tcp 81 owner hostport hairpin backend '[fd42::5]:8001/local' >/dev/null
	got=$(who_tcp p1 2001:db8::fe 81)
	[[ $got == "p1 [fd42:0000:0000:0000:0000:0000:0000:0001]" ]] || np_fail "hairpin v6: got '$got'"
}

# 127.0.0.1 from the node itself (portmap's localhost rule): served with
# the localhost flag (route_localnet on the bridge, as portmap sets it),
# masqueraded; not served without it.
case_localhost() {
	local got
	lb_reset
	in_ns node sysctl -qw net.ipv4.conf.cni0.route_localnet=1
	lb set tcp 81 owner hostport localhost backend 10.42.0.5:8001/local >/dev/null
	got=$(who_tcp node 127.0.0.1 81)
	[[ $got == "p1 10.42.0.1" ]] || np_fail "127.0.0.1:81: expected 'p1 10.42.0.1', got '$got'"
	got=$(who_tcp node 192.0.2.254 81)
	[[ $got == "p1 "* ]] || np_fail "node to its own address: got '$got'"
	lb set tcp 81 owner hostport backend 10.42.0.5:8001/local >/dev/null
	np_expect_fail --stderr 'Connection refused' who_tcp node 127.0.0.1 81
	# never ::1
	lb set -6 tcp 81 owner hostport localhost backend '[fd42::5]:8001/local' >/dev/null
	np_expect_fail --stderr 'Connection refused' who_tcp node ::1 81
}

# Only local destinations: a pod's own address on a frontend port is not
# translated (the packet is forwarded as is).
case_only_local_destinations() {
	local got
	lb_reset
	lb set tcp 8001 backend 10.42.0.6:8001/local >/dev/null
	got=$(who_tcp client 10.42.0.5 8001)
	[[ $got == "p1 192.0.2.1" ]] || np_fail "to p1 itself: got '$got'"
	got=$(who_tcp client 192.0.2.254 8001)
	[[ $got == "p2 192.0.2.1" ]] || np_fail "to the node: got '$got'"
	np_expect_eq 1 "$(lb_stat packets -4 tcp 8001)" "packets of tcp 8001"
}

# A frontend on one local address wins over the any-address one.
case_local_address_first() {
	lb_reset
	lb set tcp 81 backend 10.42.0.6:8001/local >/dev/null
	lb set tcp 81 local 192.0.2.254 backend 10.42.0.5:8001/local >/dev/null
	[[ $(who_tcp client 192.0.2.254 81) == "p1 "* ]] || np_fail "192.0.2.254:81 not p1"
	[[ $(who_tcp client 10.99.0.254 81) == "p2 "* ]] || np_fail "10.99.0.254:81 not p2"
	lb del tcp 81 local 192.0.2.254 >/dev/null
	[[ $(who_tcp client 192.0.2.254 81) == "p2 "* ]] || np_fail "after del: 192.0.2.254:81 not p2"
	# a frontend on an address the node does not have is never hit
	lb set tcp 82 local 203.0.113.9 backend 10.42.0.5:8001/local >/dev/null
	np_expect_fail --stderr 'Connection refused' who_tcp client 192.0.2.254 82
}

# An iptables nat DNAT for the same port (as kube-proxy's) runs first and
# keeps the connection.
case_iptables_dnat_wins() {
	local got
	lb_reset
	lb set tcp 81 backend 10.42.0.5:8001/local >/dev/null
	np_defer in_ns node iptables -t nat -F PREROUTING
	in_ns node iptables -t nat -A PREROUTING -p tcp --dport 81 -j DNAT --to-destination 10.42.0.6:8001
	got=$(who_tcp client 192.0.2.254 81)
	[[ $got == "p2 "* ]] || np_fail "with iptables DNAT: got '$got', not p2"
	np_expect_eq 0 "$(lb_stat conns -4 tcp 81)" "conns of tcp 81"
	in_ns node iptables -t nat -F PREROUTING
	got=$(who_tcp client 192.0.2.254 81)
	[[ $got == "p1 "* ]] || np_fail "after the flush: got '$got', not p1"
}

# k3s#2807: a UDP flow tracked before the frontend existed is flushed when
# it is installed, so the same 5-tuple reaches the backend at once.
case_udp_flush_on_install() {
	local n
	lb_reset
	# conntrack on in the node (as kube-proxy and flannel keep it): a
	# frontend elsewhere keeps our hooks and their conntrack reference
	lb set udp 9 >/dev/null
	np_expect_eq refused "$(refused_udp client 192.0.2.254 54 40054)" "udp 54 before the frontend"
	n=$(in_ns node conntrack -L -p udp --orig-port-dst 54 2>/dev/null | grep -c 'sport=40054') || true
	np_expect_eq 1 "$n" "conntrack entries of udp 54 before"
	lb set udp 54 backend 10.42.0.5:8001/local >/dev/null
	n=$(in_ns node conntrack -L -p udp --orig-port-dst 54 2>/dev/null | grep -c 'sport=40054') || true
	np_expect_eq 0 "$n" "conntrack entries of udp 54 after the install"
	np_expect_eq "p1 192.0.2.1" "$(who_udp client 192.0.2.254 54 40054)" "same flow after the install"
}

# A backend removed from a frontend: its UDP entries go at once; the kept
# backend's stay.
case_udp_flush_on_backend_removal() {
	local ct
	lb_reset
	lb set udp 54 backend 10.42.0.5:8001/local >/dev/null
	np_expect_eq "p1 192.0.2.1" "$(who_udp client 192.0.2.254 54 40054)" "flow 40054"
	lb set udp 54 backend 10.42.0.5:8001/local,10.42.0.6:8001/local >/dev/null
	ct=$(in_ns node conntrack -L -p udp --orig-port-dst 54 2>/dev/null)
	np_expect_eq 1 "$(grep -c 'src=10.42.0.5 dst=192.0.2.1 sport=8001 dport=40054' <<<"$ct")" "p1's entry kept when p2 is added"
	lb set udp 54 backend 10.42.0.6:8001/local >/dev/null
	ct=$(in_ns node conntrack -L -p udp --orig-port-dst 54 2>/dev/null)
	np_expect_eq 0 "$(grep -c 'src=10.42.0.5' <<<"$ct")" "p1's entry after its removal"
	np_expect_eq "p2 192.0.2.1" "$(who_udp client 192.0.2.254 54 40054)" "flow 40054 after p1 went"
	# delete: entries of every backend go
	lb del udp 54 >/dev/null
	ct=$(in_ns node conntrack -L -p udp --orig-port-dst 54 2>/dev/null)
	np_expect_eq 0 "$(grep -c 'src=10.42.0.6' <<<"$ct")" "p2's entry after the delete"
}

# Counters: packets and bytes of first packets, conns; they survive a
# replace of the same key and start again after a delete.
case_counters() {
	local b
	lb_reset
	lb set udp 54 backend 10.42.0.5:8001/local >/dev/null
	printf 'abcd' | in_ns client "${LB_PY[@]}" udp 192.0.2.254 54 >/dev/null
	printf 'abcdefgh' | in_ns client "${LB_PY[@]}" udp 192.0.2.254 54 >/dev/null
	# UDP/IPv4 header 28 bytes + payload, per first packet
	np_expect_eq "packets=2 bytes=68 conns=2 drop_range=0 drop_no_backend=0 drop_nat=0" \
		"$(lb stats udp 54)" "stats after two datagrams"
	lb set udp 54 backend 10.42.0.6:8001/local >/dev/null
	np_expect_eq 2 "$(lb_stat conns -4 udp 54)" "conns after the replace"
	lb del udp 54 >/dev/null
	lb set udp 54 backend 10.42.0.6:8001/local >/dev/null
	np_expect_eq 0 "$(lb_stat conns -4 udp 54)" "conns after delete and set"
	b=$(lb_stat bytes -4 udp 54)
	np_expect_eq 0 "$b" "bytes after delete and set"
}

np_module_install
modprobe nodeplane || np_fail "modprobe nodeplane"
command -v conntrack >/dev/null || np_fail "no conntrack tool (apt-get install conntrack)"
set -e
lb_topology
set +e
np_case tcp4-local-backend case_tcp4_local
np_case tcp6-local-backend case_tcp6_local
np_case udp4-local-backend case_udp4_local
np_case udp6-local-backend case_udp6_local
np_case sctp4-local-backend case_sctp4_local
np_case sctp6-local-backend case_sctp6_local
np_case masq-remote case_masq_remote
np_case source-ranges case_source_ranges
np_case no-backend-refused case_no_backend_refused
np_case terminating-fallback case_terminating_fallback
np_case local-only case_local_only
np_case affinity case_affinity
np_case hairpin case_hairpin
np_case localhost case_localhost
np_case only-local-destinations case_only_local_destinations
np_case local-address-first case_local_address_first
np_case iptables-dnat-wins case_iptables_dnat_wins
np_case udp-flush-on-install case_udp_flush_on_install
np_case udp-flush-on-backend-removal case_udp_flush_on_backend_removal
np_case counters case_counters
np_finish
