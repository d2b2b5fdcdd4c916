# shellcheck shell=bash
#
# tests/user/lb_lib.sh: the node of spec/node-contract.md §1 for the LB
# integration scripts (tests/user/integration/lb_*.sh), with echo servers in
# its pods and probes from a client. Source after lib.sh.
#
#   client 192.0.2.1/24 2001:db8::1/64
#     | eth0 (veth)
#     | eth0 192.0.2.254/24 2001:db8::fe/64
#   node: forwarding, br_netfilter (bridge-nf-call-ip(6)tables=1)
#     | cni0 (bridge) 10.42.0.1/24 fd42::1/64
#     |   +-- p1 10.42.0.5 fd42::5   (veth p1, hairpin on)
#     |   +-- p2 10.42.0.6 fd42::6   (veth p2, hairpin on)
#     | r0 10.99.0.254/24 fd99::fe/64
#     | r0 (veth)
#   rem 10.99.0.1/24 fd99::1/64: a "remote" backend, reached by a route and
#     flagged not local; it has no route to the client, so only a
#     masqueraded connection (source 10.99.0.254 / fd99::fe) gets answers.
#
# Servers in p1, p2 and rem, each family: TCP and SCTP 8000 echo (cat),
# UDP 8000 echo, TCP and UDP 8001 answer "NAME PEERADDR" (socat's
# SOCAT_PEERADDR: IPv6 bracketed, every group in full).

LB_PY=(/usr/bin/python3 -S "$NP_TOP/tests/user/lb_nl.py")

in_ns() { ip netns exec "$@"; }

lb_veth() { # lb_veth NS_A IF_A NS_B IF_B
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

lb_pod() { # lb_pod NAME ADDR4 ADDR6
	np_netns_add "$1"
	lb_veth "$1" eth0 node "$1"
	ip -n node link set "$1" master cni0
	ip -n node link set "$1" type bridge_slave hairpin on
	ip -n "$1" addr add "$2/24" dev eth0
	ip -n "$1" addr add "$3/64" dev eth0 nodad
	ip -n "$1" route add default via 10.42.0.1
	ip -n "$1" -6 route add default via fd42::1
}

lb_listening() { # lb_listening NS PROTO-FLAG PORT
	[[ -n $(in_ns "$1" ss -Hln "$2" "sport = :$3") ]]
}

# Two netns on a veth: t 198.18.0.1 (frontends), c 198.18.0.2 (client).
lb_mini_topology() {
	np_netns_add t
	np_netns_add c
	lb_veth c eth0 t eth0
	ip -n t addr add 198.18.0.1/24 dev eth0
	ip -n c addr add 198.18.0.2/24 dev eth0
}

# shellcheck disable=SC2016 # $SOCAT_PEERADDR is for socat's shell
lb_servers() { # lb_servers NS NAME
	local f o
	for f in 4 6; do
		o=
		[[ $f == 6 ]] && o=,ipv6only=1
		in_ns "$1" socat TCP$f-LISTEN:8000,reuseaddr,fork$o EXEC:cat &
		in_ns "$1" socat -t30 TCP$f-LISTEN:8001,reuseaddr,fork$o SYSTEM:"echo $2 \$SOCAT_PEERADDR" &
		in_ns "$1" socat -T5 UDP$f-RECVFROM:8000,reuseaddr,fork$o EXEC:cat &
		in_ns "$1" socat UDP$f-RECVFROM:8001,reuseaddr,fork$o SYSTEM:"echo $2 \$SOCAT_PEERADDR" &
		in_ns "$1" socat SCTP$f-LISTEN:8000,reuseaddr,fork$o EXEC:cat &
	done
	disown -a
	np_wait_for 20 lb_listening "$1" -t 8000
	np_wait_for 20 lb_listening "$1" -t 8001
	np_wait_for 20 lb_listening "$1" -u 8000
	np_wait_for 20 lb_listening "$1" -u 8001
	np_wait_for 20 lb_listening "$1" -S 8000
}

lb_topology() {
	modprobe br_netfilter || np_fail "modprobe br_netfilter"
	modprobe sctp 2>/dev/null || true
	np_netns_add node
	np_netns_add client
	in_ns node sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	in_ns node sysctl -qw net.bridge.bridge-nf-call-iptables=1 \
		net.bridge.bridge-nf-call-ip6tables=1
	lb_veth client eth0 node eth0
	ip -n node addr add 192.0.2.254/24 dev eth0
	ip -n node addr add 2001:db8::fe/64 dev eth0 nodad
	ip -n client addr add 192.0.2.1/24 dev eth0
	ip -n client addr add 2001:db8::1/64 dev eth0 nodad
	ip -n client route add default via 192.0.2.254
	ip -n client -6 route add default via 2001:db8::fe
	ip -n node link add cni0 type bridge
	ip -n node link set cni0 up
	ip -n node addr add 10.42.0.1/24 dev cni0
	ip -n node addr add fd42::1/64 dev cni0 nodad
	lb_pod p1 10.42.0.5 fd42::5
	lb_pod p2 10.42.0.6 fd42::6
	np_netns_add rem
	lb_veth node r0 rem r0
	ip -n node addr add 10.99.0.254/24 dev r0
	ip -n node addr add fd99::fe/64 dev r0 nodad
	ip -n rem addr add 10.99.0.1/24 dev r0
	ip -n rem addr add fd99::1/64 dev r0 nodad
	lb_servers p1 p1
	lb_servers p2 p2
	lb_servers rem rem
}

# lb ARGS...: NP_CMD_LB_* in the node (tests/user/lb_nl.py; its syntax is
# nodeplanectl lb's). Prints the generation after the change.
lb() {
	in_ns node "${LB_PY[@]}" "$@"
}

# lb_stat FIELD KEY...: one counter of a frontend (packets, conns, ...).
lb_stat() {
	local f=$1
	shift
	lb stats "$@" | tr ' ' '\n' | awk -F= -v k="$f" '$1 == k { print $2 }'
}

# Every frontend gone, conntrack empty: a case's starting point.
lb_reset() {
	lb flush >/dev/null
	in_ns node conntrack -F -f ipv4 2>/dev/null || true
	in_ns node conntrack -F -f ipv6 2>/dev/null || true
}

# --- probes from a netns ---

who_tcp() { # who_tcp FROM ADDR PORT: "NAME PEER" from the 8001 server reached
	local a=$2
	[[ $a == *:* ]] && a="[$a]"
	in_ns "$1" socat -t30 -T30 - "TCP:$a:$3,connect-timeout=10" </dev/null
}

who_udp() { # who_udp FROM ADDR PORT [SPORT]
	in_ns "$1" "${LB_PY[@]}" udp "$2" "$3" ${4:+"$4"} </dev/null
}

# no_answer_udp FROM ADDR PORT: "none" when no answer came within 5 s
# (the drop is immediate; a wrong answer would come as fast as a right one).
# One datagram, not resent: cases count the drops exactly.
no_answer_udp() {
	LB_UDP_WAIT=5 LB_UDP_RESEND=0 who_udp "$@"
}

# refused_udp FROM ADDR PORT [SPORT]: who_udp with one datagram, for a
# probe that must be "refused" and counted once (the ICMP error is sent
# by the node at once; a resend would be a second refused connection).
refused_udp() {
	LB_UDP_RESEND=0 who_udp "$@"
}

# echo_cmp PROTO FROM ADDR PORT: a random payload through an echo server,
# compared with cmp.
echo_cmp() {
	local in=$np__tmp/payload.in out=$np__tmp/payload.out a=$3
	case $1 in
	tcp) head -c 200000 /dev/urandom >"$in"
		[[ $a == *:* ]] && a="[$a]"
		in_ns "$2" socat -t30 -T30 - "TCP:$a:$4,connect-timeout=10" <"$in" >"$out" ;;
	udp) head -c 1200 /dev/urandom >"$in"
		in_ns "$2" "${LB_PY[@]}" udp "$3" "$4" <"$in" >"$out" ;;
	sctp) head -c 100000 /dev/urandom >"$in"
		in_ns "$2" "${LB_PY[@]}" sctp "$3" "$4" <"$in" >"$out" ;;
	esac
	cmp "$in" "$out" || np_fail "$1 payload through $3:$4 differs ($(stat -c %s "$out") bytes back)"
}
