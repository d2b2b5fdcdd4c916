#!/bin/bash
# The NP_CMD_LB_* ABI (kmod/nl_lb.c): strict validation with extack texts,
# the generation, staging of large objects over several messages and
# sockets, GET continuations. Spoken directly with tests/user/lb_nl.py.
# Runs inside the test VM (tests/vm/run).
#
#   netns cfg ── lb_nl.py (one or more genl sockets) ──> nodeplane.ko
#
# No traffic here (tests/user/integration/lb_nat.sh has it).
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lb_lib.sh"

lbc() { in_ns cfg "${LB_PY[@]}" "$@"; }
info() { lbc info | awk -v k="$1" '$1 == k { print $2 }'; }

# Attribute numbers (uapi): FAMILY 2, PROTO 3, PORT 4, LOCAL4 5, LOCAL6 6,
# OWNER 7, FLAGS 8, AFFINITY 9, BACKEND 10, RANGE 11, STAGE 12,
# GENERATION 13, STATS 14.
case_malformed_refused() {
	np_netns_add cfg
	lbc set tcp 80 backend 10.42.0.5:8000 >/dev/null
	np_expect_eq "EINVAL: nodeplane: missing NP_LB_A_FAMILY
EINVAL: nodeplane: missing NP_LB_A_PROTO
EINVAL: nodeplane: missing NP_LB_A_PORT
EINVAL: NP_LB_A_FAMILY is AF_INET (2) or AF_INET6 (10)
EINVAL: NP_LB_A_PROTO is IPPROTO_TCP, IPPROTO_UDP or IPPROTO_SCTP
ERANGE: integer out of range
EOPNOTSUPP: unknown flag bits in NP_LB_A_FLAGS
ERANGE: integer out of range
ERANGE: integer out of range
ERANGE: integer out of range
EINVAL: a backend needs NP_LBB_A_ADDR4 (IPv4 frontend) or NP_LBB_A_ADDR6 (IPv6), of the frontend's family
EOPNOTSUPP: unknown flag bits in NP_LBB_A_FLAGS
EINVAL: NP_LB_A_RANGE not of NP_LB_A_FAMILY
EINVAL: CIDR has host bits set past its prefix length
EINVAL: nodeplane: two NP_LB_A_BACKEND with the same address and port
EOPNOTSUPP: unknown flag bits in NP_LB_A_STAGE
EINVAL: NP_LB_A_LOCAL4/6 not of NP_LB_A_FAMILY
EINVAL: NP_LB_A_LOCAL4 and NP_LB_A_LOCAL6 together
EINVAL: Unknown attribute type
EINVAL: Unsupported attribute
ENOENT: nodeplane: no frontend with this key
ENOENT: nodeplane: no frontend with this key
EINVAL: nodeplane: missing NP_LB_A_PORT" "$(lbc raw \
		set u8 3 6 u16 4 80 -- \
		set u8 2 2 u16 4 80 -- \
		set u8 2 2 u8 3 6 -- \
		set u8 2 7 u8 3 6 u16 4 80 -- \
		set u8 2 2 u8 3 1 u16 4 80 -- \
		set key4 tcp 0 -- \
		set key4 tcp 80 u32 8 0x20 -- \
		set key4 tcp 80 u32 9 86401 -- \
		set key4 tcp 80 u8 7 3 -- \
		set key4 tcp 80 be 10.42.0.5:0 -- \
		set key4 tcp 80 be '[fd42::5]:80' -- \
		set key4 tcp 80 be 10.42.0.5:80/0x8 -- \
		set key4 tcp 80 range fd00::/8 -- \
		set key4 tcp 80 range 10.0.0.1/8 -- \
		set key4 tcp 80 be 10.42.0.5:80 be 10.42.0.6:80 be 10.42.0.5:80/terminating -- \
		set key4 tcp 80 u32 12 4 -- \
		set key6 tcp 80 u32 5 0 -- \
		set key4 tcp 80 u32 5 0 bin 6 00000000000000000000000000000000 -- \
		set key4 tcp 80 empty 15 -- \
		set key4 tcp 80 empty 14 -- \
		del key4 tcp 81 -- \
		get key4 udp 80 -- \
		del u8 2 2 u8 3 6)" "answers to the malformed requests"
	# nothing of it changed the frontend
	np_expect_eq "lb set -4 tcp 80 owner servicelb backend 10.42.0.5:8000" \
		"$(lbc show)" "show after the refused requests"
	np_expect_eq 1 "$(info frontends)" "INFO frontends"
	np_expect_eq 1 "$(info backends)" "INFO backends"
}

# The generation: 1 in a fresh netns, +1 per committed change, never for a
# refused one or a staged chunk; an expected generation that moved: ESTALE.
case_generation() {
	np_netns_add cfg
	np_expect_eq 1 "$(info generation)" "fresh netns"
	np_expect_eq 2 "$(lbc set tcp 80)" "after a set"
	np_expect_eq 3 "$(lbc set tcp 80 gen 2 backend 10.42.0.5:80)" "set with the right generation"
	np_expect_fail --stderr '^ESTALE: NP_LB_A_GENERATION is not the netns.s current LB generation$' \
		lbc set tcp 80 gen 2
	np_expect_fail --stderr '^ESTALE: ' lbc del tcp 80 gen 4
	np_expect_eq 3 "$(info generation)" "after the refused ones"
	np_expect_eq "ok gen=3
ok gen=3
ok gen=4" "$(lbc raw set key6 udp 53 u32 12 1 -- \
		set key6 udp 53 be '[fd42::5]:53' u32 12 3 -- \
		set key6 udp 53 u32 12 2)" "staged chunks, then the commit"
	np_expect_eq 5 "$(lbc del tcp 80 gen 4)" "del with the right generation"
	np_expect_fail --stderr '^ENOENT: ' lbc del tcp 80
	np_expect_eq 5 "$(info generation)" "after a refused del"
	np_netns_add other
	np_expect_eq 1 "$(in_ns other "${LB_PY[@]}" info | awk '$1 == "generation" { print $2 }')" \
		"another netns"
}

# Staging: one owner socket per key (EBUSY for others), its object freed
# when it closes, counted in INFO staged; a new first chunk drops the
# socket's previous one.
case_staging_owners() {
	np_netns_add cfg
	np_expect_eq "ok gen=1
EBUSY: nodeplane: another socket is staging a frontend with this key
EBUSY: nodeplane: another socket is staging a frontend with this key
1
ok gen=1
1
ok
0
ok gen=1
ok gen=2
lb set -4 tcp 80 owner servicelb backend 10.42.0.7:80" "$(lbc raw \
		sock 0 set key4 tcp 80 be 10.42.0.5:80 u32 12 1 -- \
		sock 1 set key4 tcp 80 be 10.42.0.6:80 u32 12 1 -- \
		sock 1 set key4 tcp 80 be 10.42.0.6:80 u32 12 2 -- \
		sock 1 info staged -- \
		sock 0 set key4 tcp 80 be 10.42.0.6:80 u32 12 1 -- \
		sock 1 info staged -- \
		close 0 -- \
		sock 1 info staged -- \
		sock 1 set key4 tcp 80 be 10.42.0.7:80 u32 12 1 -- \
		sock 1 set key4 tcp 80 u32 12 2; lbc show)" "two sockets staging one key"
	np_expect_eq 0 "$(info staged)" "staged after the commit"
	np_expect_eq 1 "$(info backends)" "backends after the commit"
	# APPEND without a staged object, or carrying value attributes
	np_expect_eq "ENOENT: nodeplane: no staged frontend with this key (the first chunk carries NP_LB_STAGE_F_MORE alone)
ok gen=2
EINVAL: NP_LB_STAGE_F_APPEND carries only backends and ranges (and the key)
ok gen=2
ok gen=3" "$(lbc raw set key4 udp 80 u32 12 2 -- \
		set key4 udp 80 u32 12 1 -- \
		set key4 udp 80 u32 8 1 u32 12 3 -- \
		set key4 udp 80 be 10.42.0.5:80 u32 12 3 -- \
		set key4 udp 80 be 10.42.0.6:80 u32 12 2)" "append rules"
	np_expect_eq "lb set -4 udp 80 owner servicelb backend 10.42.0.5:80,10.42.0.6:80" \
		"$(lbc get udp 80)" "the staged object as committed"
	# a process that exits with an object staged leaves nothing
	lbc raw set key4 tcp 81 be 10.42.0.5:80 u32 12 1 >/dev/null
	np_expect_eq 0 "$(info staged)" "staged after the stager exited"
	np_expect_fail --stderr '^ENOENT: ' lbc get tcp 81
}

# 5,000 backends and 100,000 source ranges staged in chunks, dumped back
# identical (GET doit and dump, both over continuation messages).
case_large_objects() {
	local i want
	np_netns_add cfg
	for ((i = 0; i < 5000; i++)); do
		echo "10.42.$((i / 250)).$((i % 250 + 1)):8000"
	done >"$np__tmp/backends"
	want="lb set -4 tcp 80 owner servicelb masq-remote backend $(paste -sd, "$np__tmp/backends")"
	lbc set tcp 80 masq-remote backends-file "$np__tmp/backends" chunk 700 >/dev/null
	np_expect_eq "$want" "$(lbc get tcp 80)" "GET of 5000 backends"
	np_expect_eq 5000 "$(info backends)" "INFO backends"
	for ((i = 0; i < 100000; i++)); do
		echo "10.$((i >> 14)).$(((i >> 6) & 255)).$(((i & 63) << 2))/30"
	done >"$np__tmp/ranges"
	lbc set -4 udp 53 ranges-file "$np__tmp/ranges" chunk 5000 backend 10.42.0.5:53/local >/dev/null
	np_expect_eq 100000 "$(info ranges)" "INFO ranges"
	np_expect_eq 0 "$(info staged)" "INFO staged"
	np_expect_eq "lb set -4 udp 53 owner servicelb ranges $(paste -sd, "$np__tmp/ranges") backend 10.42.0.5:53/local" \
		"$(lbc get udp 53)" "GET of 100000 ranges"
	np_expect_eq "$(lbc get tcp 80)
$(lbc get udp 53)" "$(lbc show)" "dump"
	# replaced by a small one: the counts follow
	lbc set tcp 80 backend 10.42.0.5:8000 >/dev/null
	np_expect_eq 2 "$(info backends)" "INFO backends after the replace (1 + udp 53's)"
	lbc del udp 53 >/dev/null
	np_expect_eq "0 1" "$(info ranges) $(info backends)" "INFO ranges and backends after the delete"
}

# Keys: family, protocol, port and local address (or none) are one key
# each; two local addresses on one port are two frontends.
case_keys_distinct() {
	np_netns_add cfg
	lbc set tcp 80 backend 10.42.0.5:80 >/dev/null
	lbc set udp 80 backend 10.42.0.6:80 >/dev/null
	lbc set sctp 80 backend 10.42.0.7:80 >/dev/null
	lbc set -6 tcp 80 backend '[fd42::5]:80' >/dev/null
	lbc set tcp 80 local 192.0.2.254 owner hostport hairpin localhost backend 10.42.0.8:80/local >/dev/null
	lbc set tcp 80 local 192.0.2.253 backend 10.42.0.9:80 >/dev/null
	lbc set tcp 80 local 2001:db8::fe affinity 30 local-only masq-all ranges 2001:db8::/32,fd00::/8 backend '[fd42::9]:80/local/terminating' >/dev/null
	np_expect_eq "lb set -4 sctp 80 owner servicelb backend 10.42.0.7:80
lb set -4 tcp 80 local 192.0.2.253 owner servicelb backend 10.42.0.9:80
lb set -4 tcp 80 local 192.0.2.254 owner hostport hairpin localhost backend 10.42.0.8:80/local
lb set -4 tcp 80 owner servicelb backend 10.42.0.5:80
lb set -4 udp 80 owner servicelb backend 10.42.0.6:80
lb set -6 tcp 80 local 2001:db8::fe owner servicelb ranges 2001:db8::/32,fd00::/8 affinity 30 local-only masq-all backend [fd42::9]:80/local/terminating
lb set -6 tcp 80 owner servicelb backend [fd42::5]:80" "$(lbc show)" "seven frontends"
	np_expect_eq 7 "$(info frontends)" "INFO frontends"
	lbc del tcp 80 local 192.0.2.254 >/dev/null
	np_expect_eq 6 "$(info frontends)" "INFO frontends after a del"
	np_expect_eq "lb set -4 tcp 80 local 192.0.2.253 owner servicelb backend 10.42.0.9:80" \
		"$(lbc get tcp 80 local 192.0.2.253)" "the other local address stays"
	np_expect_eq "lb set -4 tcp 80 owner servicelb backend 10.42.0.5:80" "$(lbc get tcp 80)" "the any-address one stays"
}

# DEL's owner precondition: with NP_LB_A_OWNER only a frontend of that
# owner goes; another owner's stays, untouched and forwarding (t's
# 198.18.0.1:80 to its own 8001, which answers "srv"), the generation
# unchanged. Without the attribute any owner's frontend goes.
case_del_owner() {
	local g
	lb_mini_topology
	in_ns t socat -t30 TCP4-LISTEN:8001,reuseaddr,fork SYSTEM:'echo srv' &
	disown
	np_wait_for 20 lb_listening t -t 8001
	tl() { in_ns t "${LB_PY[@]}" "$@"; }
	tl set tcp 80 owner hostport backend 198.18.0.1:8001/local >/dev/null
	tl set tcp 81 owner servicelb backend 198.18.0.1:8001/local >/dev/null
	g=$(tl info | awk '$1 == "generation" { print $2 }')
	np_expect_fail --stderr '^EPERM: NP_LB_A_OWNER: the frontend is held by owner hostport$' \
		tl del tcp 80 owner servicelb
	np_expect_fail --stderr '^EPERM: NP_LB_A_OWNER: the frontend is held by owner servicelb$' \
		tl del tcp 81 owner hostport
	np_expect_eq "$g" "$(tl info | awk '$1 == "generation" { print $2 }')" "generation after the refused deletes"
	np_expect_eq "lb set -4 tcp 80 owner hostport backend 198.18.0.1:8001/local
lb set -4 tcp 81 owner servicelb backend 198.18.0.1:8001/local" "$(tl show)" "both frontends kept"
	np_expect_eq srv "$(in_ns c socat -t30 -T30 - TCP:198.18.0.1:80,connect-timeout=10 </dev/null)" \
		"tcp 80 still forwarding"
	np_expect_eq $((g + 1)) "$(tl del tcp 80 owner hostport)" "del by its owner"
	np_expect_eq $((g + 2)) "$(tl del tcp 81)" "del without an owner"
	np_expect_eq "" "$(tl show)" "frontends after the deletes"
	np_expect_fail --stderr 'Connection refused' \
		in_ns c socat -t30 -T30 - TCP:198.18.0.1:80,connect-timeout=10 </dev/null
	np_expect_fail --stderr '^ENOENT: nodeplane: no frontend with this key$' \
		tl del tcp 80 owner hostport
}

# NLM_F_DUMP_INTR: a dump of several messages during which the generation
# moves is flagged; the same dump without a change is not. lb_nl.py
# dumpslow holds the dump after its first message until told to go on.
dump_with() { # dump_with CHANGE...: "intr=0|1" of a dump of >= 3 messages
	local d=$np__tmp/dump pid
	rm -rf "$d"
	mkdir "$d"
	lbc dumpslow "$d" >"$d/out" &
	pid=$!
	np_wait_for 60 test -e "$d/started"
	"$@" >/dev/null
	touch "$d/go"
	wait "$pid" || np_fail "dumpslow failed"
	# the message after the first was queued before the change: the
	# premise needs a third
	[[ $(<"$d/out") =~ ^messages=([0-9]+)\ (intr=[01])$ ]] ||
		np_fail "dumpslow printed '$(<"$d/out")'"
	((BASH_REMATCH[1] >= 3)) || np_fail "a dump of ${BASH_REMATCH[1]} messages only"
	echo "${BASH_REMATCH[2]}"
}

case_dump_interrupted() {
	local i
	np_netns_add cfg
	for i in $(seq 1 5000); do
		echo "10.42.$((i / 250)).$((i % 250 + 1)):$((i % 60000 + 1))"
	done >"$np__tmp/be"
	lbc set tcp 80 backends-file "$np__tmp/be" chunk 1000 >/dev/null
	lbc set -6 udp 53 backend '[fd42::5]:53' >/dev/null
	np_expect_eq intr=0 "$(dump_with true)" "a dump, nothing changed"
	np_expect_eq intr=1 "$(dump_with lbc set sctp 90)" "a dump while a frontend is added"
	np_expect_eq intr=0 "$(dump_with true)" "a dump after it, nothing changed"
	np_expect_eq intr=1 "$(dump_with lbc set -6 udp 53 backend '[fd42::9]:53')" \
		"a dump while a frontend is replaced"
	np_expect_eq intr=1 "$(dump_with lbc del sctp 90)" "a dump while a frontend goes"
	np_expect_eq intr=0 "$(dump_with lbc info)" "a dump while INFO is read"
}

np_module_install
modprobe nodeplane || np_fail "modprobe nodeplane"
np_case malformed-refused case_malformed_refused
np_case generation case_generation
np_case staging-owners case_staging_owners
np_case large-objects case_large_objects
np_case keys-distinct case_keys_distinct
np_case del-owner case_del_owner
np_case dump-interrupted case_dump_interrupted
np_finish
