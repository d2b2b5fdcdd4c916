#!/bin/bash
# NetworkPolicy in the kernel (NP_CMD_POLICY_*, kmod/policy.c), driven by
# tests/user/pol_nl.py and judged by traffic through the node of
# spec/node-contract.md §1. Runs inside the test VM (tests/vm/run).
#
#   client 192.0.2.1 2001:db8::1      (a routed source: another node's pod)
#     |
#   node eth0 192.0.2.254 2001:db8::fe       policy programmed here
#     +-- cni0 10.42.0.1 fd42::1 --+-- p1 10.42.0.5 fd42::5  (pods: same-node
#     |   (br_netfilter)           +-- p2 10.42.0.6 fd42::6   traffic bridged)
#     +-- r0 10.99.0.254 fd99::fe ---- rem 10.99.0.1 fd99::1 (routed peer)
#
# Servers (tests/user/lb_lib.sh) in p1, p2, rem: 8000 echo (TCP, UDP,
# SCTP), 8001 answers "NAME PEERADDR" (TCP, UDP). Class ids used: 1 = p2,
# 2 = the client's /24, 3 = p1, 4 = rem's /24. Each case starts with no
# policy state and an empty conntrack table (pol_reset).
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lb_lib.sh"

POL_PY=(/usr/bin/python3 -S "$NP_TOP/tests/user/pol_nl.py")

pol() { in_ns node "${POL_PY[@]}" "$@"; }
pol_in() { local ns=$1; shift; in_ns "$ns" "${POL_PY[@]}" "$@"; }

pol_reset() {
	pol flush
	in_ns node conntrack -F -f ipv4 2>/dev/null || true
	in_ns node conntrack -F -f ipv6 2>/dev/null || true
}

pol_stat() { # pol_stat FIELD ADDR
	pol stats "$2" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 }'
}

stat_is() { [[ $(pol_stat "$1" "$2") == "$3" ]]; }	# for np_wait_for
lines_ge() { (($(wc -l <"$1") >= $2)); }
size_ge() { (($(stat -c %s "$1" 2>/dev/null || echo 0) >= $2)); }

# tcp_cmp FROM ADDR PORT: a payload through the echo server, with cmp.
tcp_cmp() {
	local in=$np__tmp/p.in out=$np__tmp/p.out
	head -c 100000 /dev/urandom >"$in"
	pol_in "$1" tcp "$2" "$3" <"$in" >"$out"
	cmp "$in" "$out" || np_fail "tcp $1 -> $2:$3: payload differs ($(head -c 40 "$out"))"
}

# tcp_refused FROM ADDR PORT: refused at once (ICMP port unreachable), not
# left hanging.
tcp_refused() {
	local got
	got=$(pol_in "$1" tcp "$2" "$3" 20 </dev/null)
	np_expect_eq refused "$got" "tcp $1 -> $2:$3"
}

udp_cmp() {
	local in=$np__tmp/u.in out=$np__tmp/u.out
	head -c 1000 /dev/urandom >"$in"
	pol_in "$1" udp "$2" "$3" <"$in" >"$out"
	cmp "$in" "$out" || np_fail "udp $1 -> $2:$3: payload differs ($(head -c 40 "$out"))"
}

udp_refused() { # one datagram: one refused flow, counted once
	local got
	got=$(LB_UDP_RESEND=0 pol_in "$1" udp "$2" "$3" </dev/null)
	np_expect_eq refused "$got" "udp $1 -> $2:$3"
}

sctp_cmp() {
	local in=$np__tmp/s.in out=$np__tmp/s.out
	head -c 50000 /dev/urandom >"$in"
	pol_in "$1" sctp "$2" "$3" <"$in" >"$out"
	cmp "$in" "$out" || np_fail "sctp $1 -> $2:$3: payload differs"
}

# SCTP takes the ICMP error as a soft one and keeps retrying its INIT: the
# association must not come up (nothing echoed within 8 s).
sctp_blocked() {
	local out=$np__tmp/s.out
	if echo hello | timeout 8 ip netns exec "$1" "${POL_PY[@]}" sctp "$2" "$3" >"$out" 2>/dev/null; then
		np_fail "sctp $1 -> $2:$3 came up ($(cat "$out"))"
	fi
	[[ ! -s $out ]] || np_fail "sctp $1 -> $2:$3 echoed"
}

CLASSES4='class 10.42.0.6/32 1
class 192.0.2.0/24 2
class 10.42.0.5/32 3
class 10.99.0.0/24 4'
CLASSES6='class fd42::6/128 1
class 2001:db8::/64 2
class fd42::5/128 3
class fd99::/64 4'

# No endpoint (classes alone, or an endpoint isolated for nothing): open.
case_open() {
	pol_reset
	pol set >/dev/null <<<"$CLASSES4"
	tcp_cmp client 10.42.0.5 8000
	tcp_cmp p2 10.42.0.5 8000
	udp_cmp p2 10.42.0.5 8000
	pol set >/dev/null <<<"ep 10.42.0.5 name ns/p1"
	tcp_cmp client 10.42.0.5 8000
	sctp_cmp p2 10.42.0.5 8000
	np_expect_eq "in_allowed=0 in_dropped=0 eg_allowed=0 eg_dropped=0" \
		"$(pol stats 10.42.0.5)" "counters of a non-isolated endpoint"
}

# Ingress: exactly the rule's class and port range; TCP refused, UDP
# refused, SCTP blocked; bridged (p2) and routed (client) sources.
case_ingress4() {
	pol_reset
	pol set >/dev/null <<<"$CLASSES4
ep 10.42.0.5 in name ns/p1
rule in class 1 tcp:8000
rule in class 2 tcp:7990-8000 udp:8000"
	tcp_cmp p2 10.42.0.5 8000
	tcp_refused p2 10.42.0.5 8001
	udp_refused p2 10.42.0.5 8000
	sctp_blocked p2 10.42.0.5 8000
	tcp_cmp client 10.42.0.5 8000
	tcp_refused client 10.42.0.5 8001
	udp_cmp client 10.42.0.5 8000
	udp_refused client 10.42.0.5 8001
	tcp_refused rem 10.42.0.5 8000		# class 4: no rule
	# p2 itself is not isolated
	tcp_cmp p1 10.42.0.6 8000
	# SCTP allowed by a rule
	pol set >/dev/null <<<"ep 10.42.0.5 in name ns/p1
rule in class 1 sctp:8000"
	sctp_cmp p2 10.42.0.5 8000
	tcp_refused p2 10.42.0.5 8000
}

# Egress: the same from the source's side (routed and bridged peers).
case_egress4() {
	pol_reset
	pol set >/dev/null <<<"$CLASSES4
ep 10.42.0.6 eg name ns/p2
rule eg class 3 tcp:8000
rule eg class 4 udp:8000"
	tcp_cmp p2 10.42.0.5 8000
	tcp_refused p2 10.42.0.5 8001
	udp_refused p2 10.42.0.5 8000
	tcp_refused p2 10.99.0.1 8000
	udp_cmp p2 10.99.0.1 8000
	sctp_blocked p2 10.99.0.1 8000
	# ingress to p2 is not isolated; replies of allowed ones pass
	tcp_cmp p1 10.42.0.6 8000
	tcp_cmp client 10.42.0.6 8000
	pol set >/dev/null <<<"ep 10.42.0.6 eg name ns/p2
rule eg sctp"
	sctp_cmp p2 10.99.0.1 8000
	tcp_refused p2 10.42.0.5 8000
}

# The node's own addresses are always allowed in (kubelet probes).
case_node_local() {
	pol_reset
	pol set >/dev/null <<<"ep 10.42.0.5 in
ep fd42::5 in"
	tcp_cmp node 10.42.0.5 8000
	tcp_cmp node fd42::5 8000
	tcp_refused client 10.42.0.5 8000
	tcp_refused p2 10.42.0.5 8000
	np_expect_eq "in_allowed=0 in_dropped=2 eg_allowed=0 eg_dropped=0" \
		"$(pol stats 10.42.0.5)" "counters (the node's connection unchecked)"
}

# A connection established before a commit that isolates its destination
# survives; a new one is refused.
case_established() {
	local a=$np__tmp/a b=$np__tmp/b out=$np__tmp/e.out go=$np__tmp/go.est
	rm -f "$go" "$out"
	pol_reset
	head -c 50000 /dev/urandom >"$a"
	head -c 50000 /dev/urandom >"$b"
	{ cat "$a"; while [[ ! -e $go ]]; do sleep 0.1; done; cat "$b"; } |
		ip netns exec client socat -t30 -T60 - TCP:10.42.0.5:8000 >"$out" &
	np_wait_for 60 size_ge "$out" 50000
	pol set >/dev/null <<<"ep 10.42.0.5 in name ns/p1"
	tcp_refused client 10.42.0.5 8000
	touch "$go"
	wait
	cat "$a" "$b" | cmp - "$out" || np_fail "established connection broken by the commit"
	np_expect_eq 1 "$(pol_stat in_dropped 10.42.0.5)" "in_dropped"
}

# Exact counters for a crafted set of connections.
case_counters() {
	local i
	pol_reset
	pol set >/dev/null <<<"$CLASSES4
ep 10.42.0.5 in name ns/p1
rule in class 1 tcp:8000
ep 10.42.0.6 eg name ns/p2
rule eg tcp:8000-8001"
	for i in 1 2 3; do tcp_cmp p2 10.42.0.5 8000; done
	tcp_refused p2 10.42.0.5 8001
	tcp_refused p2 10.42.0.5 8001
	tcp_refused client 10.42.0.5 8000
	tcp_cmp node 10.42.0.5 8000
	udp_refused p2 10.42.0.5 8000
	udp_refused p2 10.42.0.5 8000
	np_expect_eq "in_allowed=3 in_dropped=3 eg_allowed=0 eg_dropped=0" \
		"$(pol stats 10.42.0.5)" "p1"
	np_expect_eq "in_allowed=0 in_dropped=0 eg_allowed=5 eg_dropped=2" \
		"$(pol stats 10.42.0.6)" "p2"
	# replaced by a commit: the counters carry over
	pol set >/dev/null <<<"ep 10.42.0.5 in name ns/p1"
	np_expect_eq "in_allowed=3 in_dropped=3 eg_allowed=0 eg_dropped=0" \
		"$(pol stats 10.42.0.5)" "p1 after its replacement"
	# deleted and set again: new counters
	pol set >/dev/null <<<"del 10.42.0.5"
	pol set >/dev/null <<<"ep 10.42.0.5 in name ns/p1"
	np_expect_eq "in_allowed=0 in_dropped=0 eg_allowed=0 eg_dropped=0" \
		"$(pol stats 10.42.0.5)" "p1 deleted and set again"
}

# Drop events: content, the per-endpoint rate limit and its suppressed
# count (every drop is either an event or counted in a later one).
case_events() {
	local ev=$np__tmp/events ready=$np__tmp/ready n sup total lpid
	rm -f "$ev" "$ready"
	pol_reset
	pol set >/dev/null <<<"ep 10.42.0.5 in name ns/p1
ep fd42::6 eg name ns/p2"
	# joining the events group needs CAP_NET_ADMIN
	np_expect_fail --stderr '^join: Operation not permitted' \
		setpriv --bounding-set=-net_admin --inh-caps=-net_admin \
		ip netns exec node "${POL_PY[@]}" listen 1 1
	ip netns exec node "${POL_PY[@]}" listen 100 120 "$ready" >"$ev" &
	lpid=$!
	np_wait_for 30 test -e "$ready"
	tcp_refused client 10.42.0.5 8000
	np_wait_for 30 grep -q . "$ev"
	[[ $(head -n1 "$ev") =~ ^drop\ dir=in\ ep=10.42.0.5\ name=ns/p1\ src=192.0.2.1\ dst=10.42.0.5\ proto=6\ sport=[0-9]+\ dport=8000\ suppressed=0$ ]] ||
		np_fail "first event: $(head -n1 "$ev")"
	tcp_refused p2 fd42::5 8000
	np_wait_for 30 lines_ge "$ev" 2
	np_expect_eq "drop dir=eg ep=fd42::6 name=ns/p2 src=fd42::6 dst=fd42::5 proto=6" \
		"$(sed -n 2p "$ev" | sed 's/ sport=.*//')" "egress event"
	[[ $(sed -n 2p "$ev") == *' dport=8000 suppressed=0' ]] || np_fail "egress event: $(sed -n 2p "$ev")"
	# 30 new UDP flows at once: the bucket holds 10 (9 left)
	in_ns client "${POL_PY[@]}" udpburst 10.42.0.5 8000 30 41000
	np_wait_for 30 stat_is in_dropped 10.42.0.5 31
	sleep 1.5	# the bucket refills (10 a second)
	LB_UDP_RESEND=0 in_ns client "${POL_PY[@]}" udp 10.42.0.5 8000 42000 </dev/null >/dev/null
	np_wait_for 30 grep -q 'sport=42000' "$ev"
	n=$(grep -ac 'ep=10.42.0.5' "$ev")
	sup=$(grep -a 'ep=10.42.0.5' "$ev" | sed 's/.*suppressed=//' | awk '{ s += $1 } END { print s }')
	total=$((n + sup))
	np_expect_eq 32 "$total" "events + suppressed of p1"
	[[ $n -lt 32 ]] || np_fail "no event suppressed ($n events)"
	np_expect_eq "drop dir=in ep=10.42.0.5 name=ns/p1 src=192.0.2.1 dst=10.42.0.5 proto=17 sport=42000 dport=8000 suppressed=$((32 - n))" \
		"$(grep -a 'sport=42000' "$ev")" "the event after the burst"
	# the first events of the burst are whole: no suppression before them
	np_expect_eq 0 "$(grep -a 'proto=17' "$ev" | head -n 9 | grep -vc 'suppressed=0$')" \
		"suppressed in the burst's first events"
	np_expect_eq 32 "$(pol_stat in_dropped 10.42.0.5)" "in_dropped"
	kill "$lpid" 2>/dev/null || true
	wait "$lpid" 2>/dev/null || true
}

# Transactions: -EBUSY for a second socket, dropped with its socket,
# -ESTALE, dropped on any error, each with its extack.
case_transactions() {
	local go=$np__tmp/go.tx held=$np__tmp/held g pid
	rm -f "$go" "$held"
	pol_reset
	g=$(pol info | awk '$1 == "policy_generation" { print $2 }')
	ip netns exec node "${POL_PY[@]}" set hold "$go" >"$held" <<<"ep 10.42.0.5 in" &
	pid=$!
	np_wait_for 30 grep -q held "$held"
	np_expect_fail --stderr '^EBUSY: .*another socket has a policy transaction open' \
		pol set <<<"ep 10.42.0.6 in"
	touch "$go"
	wait "$pid"
	np_expect_eq "gen=$((g + 1))" "$(tail -n1 "$held")" "holder's commit"
	tcp_refused client 10.42.0.5 8000
	tcp_cmp client 10.42.0.6 8000
	# a socket that closes drops its transaction
	rm -f "$go"
	ip netns exec node "${POL_PY[@]}" set hold "$go" >"$held" <<<"ep 10.42.0.6 in" &
	pid=$!
	np_wait_for 30 grep -q held "$held"
	kill "$pid"
	wait "$pid" || true
	np_expect_eq "gen=$((g + 2))" "$(pol set <<<'ep fd42::6 in')" "after the holder died"
	np_expect_eq "ep 10.42.0.5 in
ep fd42::6 in" "$(pol show | grep '^ep')" "published endpoints"
	# -ESTALE
	np_expect_fail --stderr "^ESTALE: .*NP_POL_A_GENERATION is not the netns's current policy generation" \
		pol set <<<"gen $((g + 1))
ep 10.42.0.6 in"
	np_expect_eq "gen=$((g + 3))" "$(pol set <<<"gen $((g + 2))
del fd42::6")" "the right generation"
	# an error drops the whole transaction: the next chunk on the same
	# socket starts a new one
	np_expect_eq "chunk 2: EINVAL: NP_PPORT_A_PROTO is IPPROTO_TCP, IPPROTO_UDP or IPPROTO_SCTP
gen=$((g + 4))" "$(pol set keepgoing <<<'ep 10.42.0.6 in
---
ep fd42::5 in
rule in 1:80
---
ep 2001:db8::99 eg')" "keepgoing"
	np_expect_eq "ep 10.42.0.5 in
ep 2001:db8::99 eg" "$(pol show | grep '^ep')" "published after the dropped transaction"
	# more rejections, each naming what is wrong
	np_expect_fail --stderr '^EOPNOTSUPP: .*unknown flag bits in NP_PEP_A_FLAGS' \
		pol set <<<'ep 10.42.0.6 flags 0x10'
	np_expect_fail --stderr '^EINVAL: .*NP_PPORT_A_LAST below NP_PPORT_A_FIRST' \
		pol set <<<'ep 10.42.0.6 in
rule in tcp:90-80'
	np_expect_fail --stderr '^EINVAL: .*NP_PEP_F_DELETE takes no other flag' \
		pol set <<<'del 10.42.0.6 in'
	np_expect_fail --stderr '^EINVAL: .*NP_PEP_F_APPEND for an endpoint not given before' \
		pol set <<<'append 10.42.0.6
rule in tcp'
	np_expect_fail --stderr '^EINVAL: .*endpoint given twice' \
		pol set <<<'ep 10.42.0.6 in
ep 10.42.0.6 eg'
	np_expect_fail --stderr '^ERANGE: integer out of range' pol set <<<'class 10.0.0.0/8 16777216'
	np_expect_fail --stderr '^EINVAL: .*host bits' pol set <<<'class 10.0.0.1/8 1'
	np_expect_eq "policy_generation $((g + 4))" \
		"$(pol info | grep ^policy_generation)" "generation after the rejections"
}

# IPv6: ingress, egress and the routed source.
case_ipv6() {
	pol_reset
	pol set >/dev/null <<<"$CLASSES6
ep fd42::5 in name ns/p1
rule in class 1 tcp:8000
ep fd42::6 eg name ns/p2
rule eg class 3 tcp:8000-8001
rule eg class 4 udp:8000"
	tcp_cmp p2 fd42::5 8000
	tcp_refused p2 fd42::5 8001		# egress allows, ingress refuses
	tcp_refused client fd42::5 8000
	udp_refused client fd42::5 8000
	udp_refused p2 fd42::5 8000		# egress refuses
	tcp_refused p2 fd99::1 8000
	udp_cmp p2 fd99::1 8000
	tcp_cmp client fd42::6 8000
	np_expect_eq "in_allowed=1 in_dropped=3 eg_allowed=0 eg_dropped=0" \
		"$(pol stats fd42::5)" "p1"
	np_expect_eq "in_allowed=0 in_dropped=0 eg_allowed=3 eg_dropped=2" \
		"$(pol stats fd42::6)" "p2"
	sctp_blocked client fd42::5 8000
	# the IPv4 side of the same pods is untouched
	tcp_cmp client 10.42.0.5 8000
}

# The dump gives back what was set, one endpoint too large for a message
# split over several (NP_PEP_F_APPEND), and INFO's counts.
case_dump() {
	local spec=$np__tmp/spec
	pol_reset
	{
		echo "$CLASSES4"
		echo "ep 10.42.0.5 in eg name ns/p1"
		# one endpoint in 4 nests (an attribute holds 64 KiB)
		awk 'BEGIN { for (i = 1; i <= 2000; i++) {
			if (i % 500 == 0) print "append 10.42.0.5"
			printf "rule in class %d tcp:%d-%d\n", i, i * 20, i * 20 + 5 } }'
		echo "rule eg"
		echo "ep fd42::5 in"
	} >"$spec"
	pol set >/dev/null <"$spec"
	np_expect_eq 2001 "$(pol show | grep -c '^rule')" "rules in the dump"
	np_expect_eq "rule in class 2000 tcp:40000-40005" "$(pol show | grep 'class 2000 ')" "the last rule"
	np_expect_eq "rule eg" "$(pol show | grep 'rule eg')" "the any-peer rule"
	np_expect_eq "class 10.42.0.5/32 3" "$(pol show | grep 10.42.0.5/32)" "a class"
	np_expect_eq "count_classes 4
count_endpoints 2
count_rules 2001" "$(pol info | grep ^count_)" "INFO counts"
}

# nodeplanectl (the daemon's netlink code) sends a transaction in full
# 64 KiB chunks, more than libnl's default socket buffer lets through:
# 2,000 IPv6 classes and an endpoint with 11,000 rules (ports 2, 4, ...,
# 22000 from class 1999), one `policy set`; INFO and the dump then hold
# exactly them.
case_ctl_large() {
	local ctl=$NP_TOP/daemon/nodeplanectl
	pol_reset
	# one batch line (an argument may not exceed 128 KiB)
	awk 'BEGIN { printf "policy set class "
		for (i = 1; i <= 2000; i++)
			printf "%sfd42:%x::/64=%d", (i > 1 ? "," : ""), i, i
		printf " endpoint fd42::5 isolated ingress rule "
		for (i = 1; i <= 11000; i++)
			printf "%singress:1999:tcp/%d", (i > 1 ? ";" : ""), 2 * i
		print "" }' >"$np__tmp/large.batch"
	in_ns node "$ctl" -b "$np__tmp/large.batch" ||
		np_fail "policy set of 2,000 classes and 11,000 rules"
	np_expect_eq "count_classes 2000
count_endpoints 1
count_rules 11000" "$(pol info | grep ^count_)" "INFO counts"
	np_expect_eq 2000 "$(in_ns node "$ctl" -s policy show |
		awk -F'\t' '$3 == "class" { n += split($4, a, ",") } END { print n }')" \
		"classes in policy show"
	pol flush
}

# Limits (module parameters): -ENOSPC naming the parameter.
case_limits() {
	pol_reset
	rmmod nodeplane || np_fail "rmmod"
	modprobe nodeplane max_policy_prefixes=2 max_policy_endpoints=2 max_policy_rules=3 ||
		np_fail "modprobe with limits"
	np_defer modprobe nodeplane
	np_defer rmmod nodeplane
	np_expect_eq "limit_classes 2
limit_endpoints 2
limit_rules 3" "$(pol info | grep ^limit_)" "INFO limits"
	np_expect_fail --stderr '^ENOSPC: .*max_policy_prefixes' pol set <<<"$CLASSES4"
	np_expect_fail --stderr '^ENOSPC: .*max_policy_endpoints' pol set <<<'ep 10.42.0.5 in
ep 10.42.0.6 in
ep fd42::5 in'
	np_expect_fail --stderr '^ENOSPC: .*max_policy_rules' pol set <<<'ep 10.42.0.5 in
rule in tcp:1
rule in tcp:2
---
append 10.42.0.5
rule in tcp:3 tcp:4'
	np_expect_eq "count_classes 0
count_endpoints 0
count_rules 0" "$(pol info | grep ^count_)" "nothing published"
	pol set >/dev/null <<<'ep 10.42.0.5 in
rule in tcp:1 tcp:2 tcp:3
ep 10.42.0.6 in'
	np_expect_eq "count_endpoints 2" "$(pol info | grep ^count_endpoints)" "at the limits"
}

# rmmod with state loaded (both families, a held transaction, a listener)
# leaves nothing: the module goes, traffic is unfiltered, a new load
# starts empty.
case_rmmod() {
	local go=$np__tmp/go.rmmod held=$np__tmp/held pid
	rm -f "$go" "$held"
	pol_reset
	pol set >/dev/null <<<"$CLASSES4
$CLASSES6
ep 10.42.0.5 in
ep fd42::5 in eg"
	ip netns exec node "${POL_PY[@]}" set hold "$go" >"$held" <<<"ep 10.42.0.6 in" &
	pid=$!
	np_wait_for 30 grep -q held "$held"
	tcp_refused client 10.42.0.5 8000
	kill "$pid"
	wait "$pid" || true
	rmmod nodeplane || np_fail "rmmod with policy state"
	tcp_cmp client 10.42.0.5 8000
	tcp_cmp client fd42::5 8000
	modprobe nodeplane || np_fail "modprobe"
	np_expect_eq "policy_generation 1" "$(pol info | grep ^policy_gen)" "a new load"
	np_expect_eq "" "$(pol show)" "a new load's dump"
	np_dmesg_clean
}

# disable=network-policy: every POLICY command -EOPNOTSUPP, no feature bit,
# traffic unfiltered.
case_disabled() {
	rmmod nodeplane || np_fail "rmmod"
	modprobe nodeplane disable=network-policy || np_fail "modprobe disable="
	np_defer modprobe nodeplane
	np_defer rmmod nodeplane
	np_expect_fail --stderr '^EOPNOTSUPP: .*network-policy disabled' \
		pol set <<<'ep 10.42.0.5 in'
	np_expect_fail --stderr '^EOPNOTSUPP' pol show
	(( ($(pol info | awk '$1 == "features" { print $2 }') & 2) == 0 )) ||
		np_fail "NP_FEATURE_F_NETWORK_POLICY reported"
	tcp_cmp client 10.42.0.5 8000
	tcp_cmp p2 10.42.0.5 8000
}

np_module_install
modprobe nodeplane || np_fail "modprobe nodeplane"
command -v conntrack >/dev/null || np_fail "no conntrack tool (apt-get install conntrack)"
set -e
lb_topology
ip -n rem route add 10.42.0.0/24 via 10.99.0.254
ip -n rem -6 route add fd42::/64 via fd99::fe
# every refused connection gets its ICMP error (no per-peer rate limit)
in_ns node sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
sysctl -qw net.ipv4.icmp_msgs_per_sec=100000 net.ipv4.icmp_msgs_burst=100000
set +e
(( ($(pol info | awk '$1 == "features" { print $2 }') & 2) == 2 )) ||
	np_fail "NP_FEATURE_F_NETWORK_POLICY not reported"
np_case open-without-endpoints case_open
np_case ingress4 case_ingress4
np_case egress4 case_egress4
np_case node-local-source case_node_local
np_case established-survives-commit case_established
np_case counters case_counters
np_case drop-events case_events
np_case transactions case_transactions
np_case ipv6 case_ipv6
np_case dump case_dump
np_case nodeplanectl-transaction-over-64kib case_ctl_large
np_case limits case_limits
np_case disabled case_disabled
np_case rmmod-with-state case_rmmod
np_finish
