#!/bin/bash
# The kernel LB data path driven by the operator CLI, nodeplanectl lb
# (branch h/ctllb): frontends set with it carry traffic, its show -s lines
# replay to the same kernel state, its staging carries 5,000 backends, its
# JSON shows the kernel's counters and generation, its errors the kernel's
# extack. Runs inside the test VM (tests/vm/run).
#
#   client 192.0.2.1 2001:db8::1 ── node 192.0.2.254 2001:db8::fe
#                                     └─ cni0 ── p1 10.42.0.5 fd42::5
#                                             └─ p2 10.42.0.6 fd42::6
#   (tests/user/lb_lib.sh; rem is built but unused here)
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lb_lib.sh"

ctl=$NP_TOP/daemon/nodeplanectl
ctl() { in_ns node "$ctl" "$@"; }

case_cli_frontends_carry_traffic() {
	local got
	lb_reset
	ctl lb set tcp 80 backend 10.42.0.5:8000/local
	ctl lb set -6 udp 53 backend '[fd42::6]:8000/local'
	ctl lb set tcp 81 local 192.0.2.254 ranges 192.0.2.0/24 affinity 60 masq-remote backend 10.42.0.5:8001/local,10.42.0.6:8001/local/terminating
	echo_cmp tcp client 192.0.2.254 80
	echo_cmp udp client 2001:db8::fe 53
	got=$(who_tcp client 192.0.2.254 81)
	np_expect_eq "p1 192.0.2.1" "$got" "tcp 81 (p2 terminating)"
	np_expect_eq "lb	set	-4	tcp	80	owner	servicelb	backend	10.42.0.5:8000/local/ready
lb	set	-4	tcp	81	local	192.0.2.254	owner	servicelb	ranges	192.0.2.0/24	affinity	60	masq-remote	backend	10.42.0.5:8001/local/ready,10.42.0.6:8001/local/terminating
lb	set	-6	udp	53	owner	servicelb	backend	[fd42::6]:8000/local/ready" \
		"$(ctl lb show -s)" "show -s"
	# the same state as the kernel reports it to lb_nl.py
	np_expect_eq "$(ctl lb show -s | ctl_as_raw | sort)" "$(lb show)" "show -s against the raw dump"
}

# nodeplanectl lb show -s spells every backend flag out ("/ready" too);
# lb_nl.py leaves ready, the default word, out: the same frontend.
ctl_as_raw() {
	tr '\t' ' ' | sed -E 's#/ready([, ]|$)#\1#g'
}

# show -s replays: delete everything, feed the lines back, same state.
case_show_replays() {
	local before
	lb_reset
	ctl lb set udp 54 owner hostport hairpin localhost backend 10.42.0.6:8001/local
	ctl lb set -6 tcp 81 ranges 2001:db8::/64,fd00::/8 local-only masq-all backend '[fd42::5]:8001/local/terminating'
	before=$(ctl lb show -s)
	lb flush >/dev/null
	np_expect_eq "" "$(ctl lb show -s)" "after the flush"
	printf '%s\n' "$before" >"$np__tmp/replay"
	in_ns node "$ctl" -b "$np__tmp/replay"
	np_expect_eq "$before" "$(ctl lb show -s)" "replayed"
	np_expect_eq "p2 192.0.2.1" "$(who_udp client 192.0.2.254 54)" "udp 54 after the replay"
}

# 5,000 backends through the CLI (it stages them in chunks): the kernel
# holds every one, and traffic reaches them.
case_cli_large_frontend() {
	local got words
	lb_reset
	# "backend LIST" words add up (one argument is at most 128 KiB)
	lb_words() { # lb_words SUFFIX: "backend LIST" words of 500 each
		local i w=()
		for ((i = 0; i < 4998; i++)); do
			w+=("10.43.$((i / 250)).$((i % 250 + 1)):8000$1")
			if ((${#w[@]} == 500 || i == 4997)); then
				printf 'backend\n%s\n' "$(IFS=,; echo "${w[*]}")"
				w=()
			fi
		done
	}
	lb_words "" >"$np__tmp/words"
	mapfile -t words <"$np__tmp/words"
	ctl lb set tcp 81 "${words[@]}" backend 10.42.0.5:8001/local,10.42.0.6:8001/local/terminating
	np_expect_eq 5000 "$(lb info | awk '$1 == "backends" { print $2 }')" "INFO backends"
	[[ $(lb get tcp 81) == *",10.43.19.248:8000" ]] || np_fail "backend 4998 missing from the kernel's answer"
	np_expect_eq "$(lb get tcp 81)" "$(ctl lb show -s | ctl_as_raw)" "show -s against the raw GET"
	# the 4,998 unreachable ones are ready, so new connections go there:
	# make them terminating and the two pods get the traffic
	lb_words /terminating >"$np__tmp/words"
	mapfile -t words <"$np__tmp/words"
	ctl lb set tcp 81 "${words[@]}" backend 10.42.0.5:8001/local,10.42.0.6:8001/local
	got=$(who_tcp client 192.0.2.254 81)
	[[ $got == "p1 192.0.2.1" || $got == "p2 192.0.2.1" ]] || np_fail "tcp 81: got '$got'"
	np_expect_eq 5000 "$(lb info | awk '$1 == "backends" { print $2 }')" "INFO backends after the replace"
}

# JSON: the kernel's counters and generation.
case_cli_json() {
	local j gen
	lb_reset
	ctl lb set udp 54 backend 10.42.0.5:8001/local
	who_udp client 192.0.2.254 54 >/dev/null
	j=$(ctl -j lb show)
	gen=$(lb info | awk '$1 == "generation" { print $2 }')
	np_expect_eq "$gen 1 1 0" "$(/usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
f = d["frontends"][0]
print(d["generation"], f["stats"]["conns"], f["stats"]["packets"], f["stats"]["drop_range"])' <<<"$j")" \
		"generation, conns, packets, drop_range"
}

# Errors carry the kernel's extack text.
case_cli_errors() {
	lb_reset
	np_expect_fail --stderr 'no frontend with this key' ctl lb del tcp 9999
	ctl lb set tcp 80
	np_expect_fail --stderr 'Connection refused' who_tcp client 192.0.2.254 80
}

np_module_install
modprobe nodeplane || np_fail "modprobe nodeplane"
[[ -x $ctl ]] || np_fail "nodeplanectl not built: make daemon"
"$ctl" lb show >/dev/null 2>&1 || np_skip "this nodeplanectl has no lb command (branch h/ctllb)"
command -v conntrack >/dev/null || np_fail "no conntrack tool (apt-get install conntrack)"
set -e
lb_topology
set +e
np_case cli-frontends-carry-traffic case_cli_frontends_carry_traffic
np_case show-replays case_show_replays
np_case cli-large-frontend case_cli_large_frontend
np_case cli-json case_cli_json
np_case cli-errors case_cli_errors
np_finish
