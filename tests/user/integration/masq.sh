#!/bin/bash
# Masquerade (NP_CMD_MASQ_SET/GET, kmod/masq.c): flannel's seven nat rules
# as decided by nodeplane's NAT hook at POST_ROUTING in the netns "node".
# Runs inside the test VM (tests/vm/run). Cluster CIDRs 10.42.0.0/16 and
# fd42::/56; the echo servers answer with the peer address they saw.
#
#        p1 (pod)                          p2 (pod)
#        10.42.0.5/24  fd42::5/64          10.42.1.7/24  fd42:0:0:1::7/64
#          | eth0                            | eth0
#          | veth                            | veth
#          | p1  10.42.0.1/24 fd42::1/64     | p2  10.42.1.1/24 fd42:0:0:1::1/64
#   +------+---------------------------------+------------------------------+
#   | node: forwarding on, nodeplane masquerade config, conntrack via it    |
#   |       [np0: link kind nodeplane, 10.42.9.0/32, route 10.42.5.0/24     |
#   |        via it onlink: rule 3 only]                                   |
#   +------+----------------------------------------------------------------+
#          | out  192.0.2.254/24  2001:db8::fe/64
#          | veth
#          | eth0 192.0.2.1/24    2001:db8::1/64
#        outside: routes back to 10.42.0.0/16 and fd42::/56 via node, so a
#        source the node left alone is seen as is
#
# Ports: TCP 7000 (IPv4) and 7006 (IPv6) echo "$SOCAT_PEERADDR" and close.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

ctl=$NP_TOP/daemon/nodeplanectl
C4=10.42.0.0/16
C6=fd42::/56
# socat's SOCAT_PEERADDR for IPv6: bracketed, every group in full
V6_POD1='[fd42:0000:0000:0000:0000:0000:0000:0005]'
V6_NODE_OUT='[2001:0db8:0000:0000:0000:0000:0000:00fe]'

# --- helpers -----------------------------------------------------------------

in_ns() { ip netns exec "$@"; }

veth() { # veth NS_A IF_A NS_B IF_B
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

pod() { # pod NAME ADDR4 GW4 ADDR6 GW6
	np_netns_add "$1"
	veth "$1" eth0 node "$1"
	ip -n "$1" addr add "$2/24" dev eth0
	ip -n "$1" addr add "$4/64" dev eth0 nodad
	ip -n "$1" route add default via "$3"
	ip -n "$1" -6 route add default via "$5"
	ip -n node addr add "$3/24" dev "$1"
	ip -n node addr add "$5/64" dev "$1" nodad
}

topology() {
	np_netns_add node
	np_netns_add outside
	in_ns node sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	pod p1 10.42.0.5 10.42.0.1 fd42::5 fd42::1
	pod p2 10.42.1.7 10.42.1.1 fd42:0:0:1::7 fd42:0:0:1::1
	veth node out outside eth0
	ip -n node addr add 192.0.2.254/24 dev out
	ip -n node addr add 2001:db8::fe/64 dev out nodad
	ip -n outside addr add 192.0.2.1/24 dev eth0
	ip -n outside addr add 2001:db8::1/64 dev eth0 nodad
	ip -n outside route add 10.42.0.0/16 via 192.0.2.254
	ip -n outside -6 route add fd42::/56 via 2001:db8::fe
}

listening() { # listening NS PORT
	[[ -n $(in_ns "$1" ss -Hltn "sport = :$2") ]]
}

# The client half-closes at once (stdin is /dev/null): -t30 lets the server
# wait for its shell's answer after that instead of socat's default 0.5 s.
echo_server() { # echo_server NS: peer-address echo on 7000 (v4) and 7006 (v6)
	# shellcheck disable=SC2016 # $SOCAT_PEERADDR is for socat's shell
	# (disowned: deleting the netns kills them, without a job report)
	ip netns exec "$1" socat -t30 TCP4-LISTEN:7000,reuseaddr,fork SYSTEM:'echo $SOCAT_PEERADDR' &
	disown
	# shellcheck disable=SC2016
	ip netns exec "$1" socat -t30 TCP6-LISTEN:7006,ipv6only=1,reuseaddr,fork SYSTEM:'echo $SOCAT_PEERADDR' &
	disown
	np_wait_for 10 listening "$1" 7000
	np_wait_for 10 listening "$1" 7006
}

seen_by() { # seen_by FROM_NS ADDR: the source address the echo server saw
	if [[ $2 == *:* ]]; then
		in_ns "$1" socat -t30 -T30 - "TCP6:[$2]:7006" </dev/null
	else
		in_ns "$1" socat -t30 -T30 - "TCP4:$2:7000" </dev/null
	fi
}

# The netns masq/masq_show/raw_requests act on: node, unless a case says otherwise.
masq_ns=node

masq() { # masq ARGS...: nodeplanectl masq
	in_ns "$masq_ns" "$ctl" masq "$@"
}

masq_show() {
	in_ns "$masq_ns" "$ctl" masq show -s
}

masq_cidrs_count() {
	in_ns "$masq_ns" "$ctl" info -s | awk -F'\t' '$1 == "masq_cidrs" { print $2 }'
}

# Every traffic case starts from here: no configuration, no conntrack entry.
reset() {
	masq set cluster-cidr none
	if command -v conntrack >/dev/null; then
		in_ns node conntrack -F -f ipv4 2>/dev/null
		in_ns node conntrack -F -f ipv6 2>/dev/null
	fi
	return 0
}

# raw_requests REQ [-- REQ]...: MASQ_SET requests built by hand, for what
# nodeplanectl refuses to send; one python3 run for all (it starts slowly in
# the VM). A REQ is words: "cidr ADDR/PLEN" (host bits and length as given),
# "flags N", "attr TYPE" (an empty attribute of that type); "get" first makes
# it a MASQ_GET. Prints one line per request: "ok", or the errno name and the
# kernel's extack message.
raw_requests() {
	in_ns "$masq_ns" python3 - "$@" <<'EOF'
import errno, ipaddress, socket, struct, sys

def nla(t, p):
    n = 4 + len(p)
    return struct.pack('=HH', n, t) + p + b'\0' * (-n % 4)

def attrs(b):
    while len(b) >= 4:
        n, t = struct.unpack('=HH', b[:4])
        yield t & 0x3fff, b[4:n]
        b = b[(n + 3) & ~3:]

s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
s.setsockopt(270, 11, 1)            # NETLINK_EXT_ACK
seq = 0

def request(typ, cmd, body):
    global seq
    seq += 1
    b = struct.pack('=BBH', cmd, 1, 0) + body
    s.send(struct.pack('=IHHII', 16 + len(b), typ, 5, seq, 0) + b)
    out = []
    while True:
        d = s.recv(65536)
        while d:
            n, t, fl = struct.unpack('=IHH', d[:8])
            m, d = d[16:n], d[(n + 3) & ~3:]
            if t != 2:                  # not NLMSG_ERROR: a reply
                out.append(m[4:])
                continue
            err = struct.unpack('=i', m[:4])[0]
            if not err:
                return out
            off = 4 + (16 if fl & 0x100 else struct.unpack('=I', m[4:8])[0])
            msg = dict(attrs(m[off:])).get(1, b'').rstrip(b'\0').decode() \
                if fl & 0x200 else ''
            name = {95: 'EOPNOTSUPP'}.get(-err) or errno.errorcode[-err]
            raise OSError('%s: %s' % (name, msg))

fam = None
for t, p in attrs(request(0x10, 3, nla(2, b'nodeplane\0'))[0]):
    if t == 1:
        fam = struct.unpack('=H', p[:2])[0]

def one(a):
    cmd, body = 7, b''              # NP_CMD_MASQ_SET
    if a and a[0] == 'get':
        cmd = 8                     # NP_CMD_MASQ_GET
        a = a[1:]
    while a:
        k, v = a.pop(0), a.pop(0)
        if k == 'flags':
            body += nla(2, struct.pack('=I', int(v, 0)))
        elif k == 'attr':
            body += nla(int(v), b'')
        else:                       # ADDR/PLEN exactly as given
            addr, plen = v.split('/')
            ip = ipaddress.ip_address(addr)
            body += nla(1 | 0x8000, nla(1 if ip.version == 4 else 2, ip.packed) +
                        nla(3, bytes([int(plen)])))
    try:
        request(fam, cmd, body)
        print('ok')
    except OSError as e:
        print(e)

req = []
for w in sys.argv[1:] + ['--']:
    if w == '--':
        one(req)
        req = []
    else:
        req.append(w)
EOF
}

# ct_expect FAMILY N WHAT: node's conntrack table holds N entries of that
# family; conntrack itself failing fails the case.
ct_expect() {
	local out n=0
	out=$(in_ns node conntrack -L -f "$1" 2>"$np__tmp/ct.err") ||
		np_fail "conntrack -L -f $1 failed: $(tail -n1 "$np__tmp/ct.err")"
	[[ -z $out ]] || n=$(wc -l <<<"$out")
	np_expect_eq "$2" "$n" "$3"
}

need_conntrack() {
	command -v conntrack >/dev/null ||
		np_skip "no conntrack tool (apt-get install conntrack)"
}

# --- cases -------------------------------------------------------------------

# (a) flannel rule 6: a pod reaching an outside host appears as the node.
case_pod_leaving_masqueraded() {
	reset
	masq set cluster-cidr "$C4"
	np_expect_eq 192.0.2.254 "$(seen_by p1 192.0.2.1)" "outside saw p1 as"
	np_expect_eq 192.0.2.254 "$(seen_by p2 192.0.2.1)" "outside saw p2 as"
	# IPv6 is off by default: its source is kept
	np_expect_eq "$V6_POD1" "$(seen_by p1 2001:db8::1)" "outside saw p1 (v6) as"
}

# (b) flannel rules 3 and 4: pod to pod keeps its source, both ways.
case_pod_to_pod_keeps_source() {
	reset
	masq set cluster-cidr "$C4,$C6" ipv6 on
	np_expect_eq 10.42.0.5 "$(seen_by p1 10.42.1.7)" "p2 saw p1 as"
	np_expect_eq 10.42.1.7 "$(seen_by p2 10.42.0.5)" "p1 saw p2 as"
	np_expect_eq "$V6_POD1" "$(seen_by p1 fd42:0:0:1::7)" "p2 saw p1 (v6) as"
}

# flannel rule 5: outside traffic to a local pod keeps its source.
case_outside_to_local_pod_keeps_source() {
	reset
	masq set cluster-cidr "$C4,$C6" ipv6 on
	np_expect_eq 192.0.2.1 "$(seen_by outside 10.42.0.5)" "p1 saw outside as"
	np_expect_eq '[2001:0db8:0000:0000:0000:0000:0000:0001]' \
		"$(seen_by outside fd42::5)" "p1 saw outside (v6) as"
}

# (c) flannel rule 2: kube-proxy's mark 0x4000 is left to kube-proxy.
case_kube_proxy_mark_left_alone() {
	reset
	masq set cluster-cidr "$C4"
	np_defer in_ns node nft delete table ip np_test
	in_ns node nft -f - <<'EOF'
table ip np_test {
	chain pre {
		type filter hook prerouting priority mangle;
		ip saddr 10.42.0.5 meta mark set meta mark | 0x4000
	}
}
EOF
	np_expect_eq 10.42.0.5 "$(seen_by p1 192.0.2.1)" "outside saw marked p1 as"
	# the same rule without the bit: masqueraded
	in_ns node nft flush table ip np_test
	in_ns node nft add rule ip np_test pre ip saddr 10.42.0.5 meta mark set 0xbfff
	np_expect_eq 192.0.2.254 "$(seen_by p1 192.0.2.1)" "outside saw p1 (mark 0xbfff) as"
}

# (d) IPv6 pods leaving are masqueraded only with ipv6 on.
case_ipv6_only_when_on() {
	reset
	masq set cluster-cidr "$C4,$C6" ipv6 off
	np_expect_eq "$V6_POD1" "$(seen_by p1 2001:db8::1)" "ipv6 off: outside saw p1 as"
	np_expect_eq 192.0.2.254 "$(seen_by p1 192.0.2.1)" "ipv6 off: outside saw p1 (v4) as"
	masq set cluster-cidr "$C4,$C6" ipv6 on
	np_expect_eq "$V6_NODE_OUT" "$(seen_by p1 2001:db8::1)" "ipv6 on: outside saw p1 as"
	np_expect_eq 192.0.2.254 "$(seen_by p1 192.0.2.1)" "ipv6 on: outside saw p1 (v4) as"
	# and off again
	masq set cluster-cidr "$C4,$C6" ipv6 off
	np_expect_eq "$V6_POD1" "$(seen_by p1 2001:db8::1)" "ipv6 off again: outside saw p1 as"
	# IPv6 alone
	masq set cluster-cidr "$C6" ipv6 on
	np_expect_eq "$V6_NODE_OUT" "$(seen_by p1 2001:db8::1)" "v6 only: outside saw p1 as"
	np_expect_eq 10.42.0.5 "$(seen_by p1 192.0.2.1)" "v6 only: outside saw p1 (v4) as"
}

# Clearing (no CIDR) stops masquerading new connections.
case_clear_stops_masquerade() {
	reset
	masq set cluster-cidr "$C4,$C6" ipv6 on
	np_expect_eq 192.0.2.254 "$(seen_by p1 192.0.2.1)" "set: outside saw p1 as"
	masq set cluster-cidr none
	np_expect_eq 10.42.0.5 "$(seen_by p1 192.0.2.1)" "cleared: outside saw p1 as"
	np_expect_eq "$V6_POD1" "$(seen_by p1 2001:db8::1)" "cleared: outside saw p1 (v6) as"
	np_expect_eq "masq	cluster-cidr	none	ipv6	off" "$(masq_show)" "show after clear"
}

# (e) malformed MASQ_SET: refused with the module's explanation, old config kept.
case_malformed_set_keeps_config() {
	local want="masq	cluster-cidr	10.42.0.0/16,fd42::/56	ipv6	on"
	masq_ns=cfg
	np_netns_add cfg
	masq set cluster-cidr "$C4,$C6" ipv6 on
	np_expect_eq "$want" "$(masq_show)" "show before"

	# host bits, through the CLI (it passes them on as given)
	np_expect_fail --stderr 'CIDR has host bits set past its prefix length' \
		masq set cluster-cidr 10.42.0.1/16
	np_expect_eq "EINVAL: more than one IPv4 cluster CIDR
EINVAL: more than one IPv6 cluster CIDR
EOPNOTSUPP: unknown flag bits in NP_MASQ_A_FLAGS
EOPNOTSUPP: unknown flag bits in NP_MASQ_A_FLAGS
EINVAL: CIDR has host bits set past its prefix length
EINVAL: IPv4 prefix length over 32
ERANGE: integer out of range
EINVAL: Unknown attribute type
EINVAL: Unsupported attribute" "$(raw_requests \
		cidr 10.42.0.0/16 cidr 10.43.0.0/16 -- \
		cidr fd42::/56 cidr 10.42.0.0/16 cidr fd43::/56 -- \
		cidr 10.42.0.0/16 flags 0x2 -- \
		flags 0x80000001 -- \
		cidr fd42::1/56 -- \
		cidr 10.42.0.0/33 -- \
		cidr fd42::/129 -- \
		attr 3 -- \
		get attr 1)" "answers to the malformed requests"
	np_expect_eq "$want" "$(masq_show)" "show after the refused requests"
	np_expect_eq 2 "$(masq_cidrs_count)" "INFO masq_cidrs"
	# the hand-made request itself is fine when well formed
	np_expect_eq "ok
ok" "$(raw_requests cidr 10.42.0.0/16 flags 0 -- get)" "well-formed raw SET and GET"
	np_expect_eq "masq	cluster-cidr	10.42.0.0/16	ipv6	off" "$(masq_show)" "raw set"
}

# (f) show prints exactly what was set, and its output can be fed back.
case_show_prints_what_was_set() {
	local line
	masq_ns=cfg
	np_netns_add cfg
	np_expect_eq "masq	cluster-cidr	none	ipv6	off" "$(masq_show)" "fresh netns"
	np_expect_eq 0 "$(masq_cidrs_count)" "fresh masq_cidrs"
	masq set cluster-cidr 10.42.0.0/16
	np_expect_eq "masq	cluster-cidr	10.42.0.0/16	ipv6	off" "$(masq_show)" "v4"
	np_expect_eq 1 "$(masq_cidrs_count)" "masq_cidrs"
	# the module answers IPv4 first, whatever the order given
	masq set cluster-cidr fd42::/56,10.42.0.0/16 ipv6 on
	np_expect_eq "masq	cluster-cidr	10.42.0.0/16,fd42::/56	ipv6	on" "$(masq_show)" "dual"
	np_expect_eq 2 "$(masq_cidrs_count)" "masq_cidrs"
	masq set cluster-cidr 2001:db8:42::/48 ipv6 on
	np_expect_eq "masq	cluster-cidr	2001:db8:42::/48	ipv6	on" "$(masq_show)" "v6"
	masq set cluster-cidr 0.0.0.0/0
	np_expect_eq "masq	cluster-cidr	0.0.0.0/0	ipv6	off" "$(masq_show)" "/0"
	masq set cluster-cidr 10.42.0.5/32
	line=$(masq_show)
	np_expect_eq "masq	cluster-cidr	10.42.0.5/32	ipv6	off" "$line" "/32"
	# feed it back after a change: the same configuration again
	masq set cluster-cidr none
	# shellcheck disable=SC2086 # the line is words
	in_ns cfg "$ctl" $line
	np_expect_eq "$line" "$(masq_show)" "fed back"
	# per netns: another netns sees nothing
	np_netns_add other
	np_expect_eq "masq	cluster-cidr	none	ipv6	off" \
		"$(in_ns other "$ctl" masq show -s)" "other netns"
}

# (g) conntrack shows the SNAT to the node's address.
case_conntrack_shows_snat() {
	local ct
	need_conntrack
	reset
	masq set cluster-cidr "$C4,$C6" ipv6 on
	seen_by p1 192.0.2.1 >/dev/null
	seen_by p1 10.42.1.7 >/dev/null
	seen_by p1 2001:db8::1 >/dev/null
	ct=$(in_ns node conntrack -L -f ipv4 -p tcp --src-nat 2>/dev/null)
	echo "$ct"
	np_expect_eq 1 "$(grep -c . <<<"$ct")" "SNATed IPv4 connections"
	grep -q 'src=10\.42\.0\.5 dst=192\.0\.2\.1 .*dport=7000 src=192\.0\.2\.1 dst=192\.0\.2\.254 sport=7000 ' <<<"$ct" ||
		np_fail "no IPv4 SNAT entry 10.42.0.5 -> 192.0.2.254"
	ct=$(in_ns node conntrack -L -f ipv6 -p tcp --src-nat 2>/dev/null)
	echo "$ct"
	np_expect_eq 1 "$(grep -c . <<<"$ct")" "SNATed IPv6 connections"
	grep -q 'src=fd42::5 dst=2001:db8::1 .*dport=7006 src=2001:db8::1 dst=2001:db8::fe sport=7006 ' <<<"$ct" ||
		np_fail "no IPv6 SNAT entry fd42::5 -> 2001:db8::fe"
	# pod to pod: tracked, not NATed
	np_expect_eq 1 "$(in_ns node conntrack -L -p tcp -s 10.42.0.5 -d 10.42.1.7 2>/dev/null | grep -c 'dst=10.42.0.5 ')" \
		"pod-to-pod entry with the pod as reply destination"
}

# Flannel rule 7: non-pod traffic to a remote pod (over the overlay) is
# masqueraded to the overlay device's address.
case_outside_to_remote_pod_over_overlay() {
	local ct
	need_conntrack
	reset
	ip -n node link add np0 type nodeplane
	np_defer ip -n node link del np0
	ip -n node addr add 10.42.9.0/32 dev np0
	ip -n node link set np0 up
	ip -n node route add 10.42.5.0/24 via 10.42.5.0 dev np0 onlink
	ip -n node neigh add 10.42.5.0 lladdr 02:00:00:00:05:00 dev np0 nud permanent
	masq set cluster-cidr "$C4"
	# a UDP datagram from outside to a remote pod; whether the overlay
	# delivers it does not matter: conntrack has the decision
	in_ns outside socat -u - UDP4:10.42.5.9:7000 <<<"x"
	ct=$(in_ns node conntrack -L -p udp -d 10.42.5.9 2>/dev/null)
	echo "$ct"
	grep -q 'src=192\.0\.2\.1 dst=10\.42\.5\.9 .* src=10\.42\.5\.9 dst=10\.42\.9\.0 ' <<<"$ct" ||
		np_fail "outside -> remote pod not masqueraded to np0's 10.42.9.0"
	# the node's own traffic from a pod address over np0 keeps it
	in_ns node socat -u - UDP4:10.42.5.9:7001,bind=10.42.0.1 <<<"x"
	grep -q 'src=10\.42\.0\.1 dst=10\.42\.5\.9 .* src=10\.42\.5\.9 dst=10\.42\.0\.1 ' \
		<<<"$(in_ns node conntrack -L -p udp -d 10.42.5.9 2>/dev/null)" ||
		np_fail "pod-CIDR source to remote pod was NATed"
}

# The decision sees the destination after DNAT (as flannel's rules do in nat
# POSTROUTING): a "service" address DNATed to a pod keeps the source, one
# DNATed outside the cluster is masqueraded.
case_decided_after_dnat() {
	reset
	masq set cluster-cidr "$C4"
	np_defer in_ns node nft delete table ip np_dnat
	in_ns node nft -f - <<'EOF'
table ip np_dnat {
	chain pre {
		type nat hook prerouting priority dstnat;
		ip daddr 10.43.0.10 tcp dport 7000 dnat to 10.42.1.7
		ip daddr 10.43.0.11 tcp dport 7000 dnat to 192.0.2.1
	}
}
EOF
	np_expect_eq 10.42.0.5 "$(seen_by p1 10.43.0.10)" "p2 (behind 10.43.0.10) saw p1 as"
	np_expect_eq 192.0.2.254 "$(seen_by p1 10.43.0.11)" "outside (behind 10.43.0.11) saw p1 as"
}

# The hook (and conntrack) only in a netns with a configuration, only for
# the families it enables; gone again when cleared.
case_hooks_only_where_configured() {
	need_conntrack
	reset
	seen_by p1 192.0.2.1 >/dev/null
	seen_by p1 2001:db8::1 >/dev/null
	ct_expect ipv4 0 "IPv4 conntrack entries, unconfigured"
	ct_expect ipv6 0 "IPv6 conntrack entries, unconfigured"
	masq set cluster-cidr "$C4,$C6" ipv6 off
	seen_by p1 192.0.2.1 >/dev/null
	seen_by p1 2001:db8::1 >/dev/null
	ct_expect ipv4 1 "IPv4 conntrack entries, v4 on"
	ct_expect ipv6 0 "IPv6 conntrack entries, ipv6 off"
	masq set cluster-cidr "$C4,$C6" ipv6 on
	seen_by p1 2001:db8::1 >/dev/null
	ct_expect ipv6 1 "IPv6 conntrack entries, ipv6 on"
	masq set cluster-cidr none
	in_ns node conntrack -F 2>/dev/null
	in_ns node conntrack -F -f ipv6 2>/dev/null
	seen_by p1 192.0.2.1 >/dev/null
	seen_by p1 2001:db8::1 >/dev/null
	ct_expect ipv4 0 "IPv4 conntrack entries, cleared"
	ct_expect ipv6 0 "IPv6 conntrack entries, cleared"
}

# disable=overlay: MASQ_SET and MASQ_GET are refused with the reason.
case_disabled_by_parameter() {
	rmmod nodeplane
	modprobe nodeplane disable=overlay
	np_defer rmmod nodeplane
	np_expect_fail --stderr 'overlay disabled by the disable= module parameter' \
		"$ctl" masq set cluster-cidr "$C4"
	np_expect_fail --stderr 'overlay disabled by the disable= module parameter' \
		"$ctl" masq show -s
}

# A netns dying with a configuration, then unloading with one: nothing left.
case_netns_exit_and_unload() {
	modprobe nodeplane
	np_netns_add gone
	in_ns gone "$ctl" masq set cluster-cidr "$C4,$C6" ipv6 on
	ip netns del gone
	np_netns_add kept
	in_ns kept "$ctl" masq set cluster-cidr "$C4,$C6" ipv6 on
	"$ctl" masq set cluster-cidr "$C4"
	rmmod nodeplane
	np_expect_fail test -d /sys/module/nodeplane
	np_expect_fail grep -q nodeplane <<<"$(genl ctrl list 2>&1)"
	np_dmesg_clean
}

np_module_install
modprobe nodeplane || np_fail "modprobe nodeplane"
# One topology for every traffic case (deleted when the script ends); each
# case begins with reset.
set -e
topology
echo_server outside
echo_server p1
echo_server p2
set +e
np_case pod-leaving-masqueraded case_pod_leaving_masqueraded
np_case pod-to-pod-keeps-source case_pod_to_pod_keeps_source
np_case outside-to-local-pod-keeps-source case_outside_to_local_pod_keeps_source
np_case kube-proxy-mark-left-alone case_kube_proxy_mark_left_alone
np_case ipv6-only-when-on case_ipv6_only_when_on
np_case clear-stops-masquerade case_clear_stops_masquerade
np_case malformed-set-keeps-config case_malformed_set_keeps_config
np_case show-prints-what-was-set case_show_prints_what_was_set
np_case conntrack-shows-snat case_conntrack_shows_snat
np_case outside-to-remote-pod-over-overlay case_outside_to_remote_pod_over_overlay
np_case hooks-only-where-configured case_hooks_only_where_configured
# after the case above: it needs a netns no nftables nat has used
np_case decided-after-dnat case_decided_after_dnat
np_case disabled-by-parameter case_disabled_by_parameter
np_case netns-exit-and-unload case_netns_exit_and_unload
np_finish
