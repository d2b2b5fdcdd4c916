#!/bin/bash
# A staged replace (NP_LB_STAGE_F_*, kmod/nl_lb.c) is all or nothing under
# traffic. Runs inside the test VM (tests/vm/run).
#
#   c 198.18.0.2 ── veth ── t 198.18.0.1   tcp 80 frontend, and its
#                                          backends on t's own address:
#                                          9001 answers "A1", 9002 "B1",
#                                          9003 "B2"
#
# tcp 80 serves set A {9001}; c connects again and again while set B
# {9002, 9003} is staged over one socket in two chunks (one backend each)
# and committed by a third message. The client labels each connection
# with the phase it read when it began and when it ended: A (before
# staging), S (staging: from the first chunk's answer to just before the
# commit is sent), C (the commit in flight), B (after the commit's
# answer). Every connection is answered (nothing refused in between);
# those wholly in A or S come from A (nothing staged leaks out), those
# wholly in B from B, the others from A or B. The stager waits for three
# connections in S after each chunk, so the window is exercised whatever
# the VM's speed.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lb_lib.sh"

replace_client() { # replace_client DIR: loops until DIR/stop
	local d=$1 p0 p1 r
	while [[ ! -e $d/stop ]]; do
		p0=$(<"$d/phase")
		r=$(in_ns c socat -t30 -T30 - TCP:198.18.0.1:80,connect-timeout=10 </dev/null 2>/dev/null) || r=FAIL
		p1=$(<"$d/phase")
		echo "$p0$p1 ${r:-EMPTY}" >>"$d/log"
	done
}

# replace_seen DIR LABEL N: at least N connections wholly in LABEL
replace_seen() {
	local n
	n=$(grep -c "^$2$2 " "$1/log" 2>/dev/null) || n=0
	((n >= $3))
}

replace_step() { # replace_step REQ...: one request on the stager's socket
	local ans
	echo "$*" >&"${STAGER[1]}"
	read -r -t 120 -u "${STAGER[0]}" ans || np_fail "stager: no answer to '$*'"
	[[ $ans == ok* ]] || np_fail "stager: '$*': $ans"
}

case_staged_replace_under_traffic() {
	local d=$np__tmp/replace pid bad port
	lb_mini_topology
	for port in 9001:A1 9002:B1 9003:B2; do
		in_ns t socat -t30 "TCP4-LISTEN:${port%:*},reuseaddr,fork" SYSTEM:"echo ${port#*:}" &
	done
	disown -a
	for port in 9001 9002 9003; do
		np_wait_for 20 lb_listening t -t "$port"
	done
	mkdir "$d"
	in_ns t "${LB_PY[@]}" set tcp 80 backend 198.18.0.1:9001/local >/dev/null
	echo A >"$d/phase"
	replace_client "$d" &
	pid=$!
	np_defer touch "$d/stop"
	np_wait_for 120 replace_seen "$d" A 3
	coproc STAGER { in_ns t "${LB_PY[@]}" raw -; }
	replace_step set key4 tcp 80 u32 8 0 be 198.18.0.1:9002/local u32 12 1
	echo S >"$d/phase"
	np_wait_for 120 replace_seen "$d" S 3
	replace_step set key4 tcp 80 be 198.18.0.1:9003/local u32 12 3
	np_wait_for 120 replace_seen "$d" S 6
	echo C >"$d/phase"
	replace_step set key4 tcp 80 u32 12 2
	echo B >"$d/phase"
	np_wait_for 120 replace_seen "$d" B 8
	touch "$d/stop"
	wait "$pid" || true
	eval "exec ${STAGER[1]}>&-"
	np_expect_eq "lb set -4 tcp 80 owner servicelb backend 198.18.0.1:9002/local,198.18.0.1:9003/local" \
		"$(in_ns t "${LB_PY[@]}" get tcp 80)" "the committed frontend"
	bad=$(grep -v -E '^(AA|AS|SS|SC|CC|CB|SB|AB|BB) (A1|B1|B2)$' "$d/log" || true)
	np_expect_eq "" "$bad" "connections refused or answered by no backend of A or B"
	np_expect_eq "" "$(grep -E '^(AA|AS|SS) ' "$d/log" | grep -v ' A1$' || true)" \
		"connections before the commit answered by B"
	np_expect_eq "" "$(grep -E '^BB ' "$d/log" | grep ' A1$' || true)" \
		"connections after the commit answered by A"
	np_expect_eq 0 "$(in_ns t "${LB_PY[@]}" stats tcp 80 | tr ' ' '\n' | awk -F= '$1 == "drop_no_backend" { print $2 }')" \
		"drop_no_backend of tcp 80"
	np_expect_eq 0 "$(in_ns t "${LB_PY[@]}" info | awk '$1 == "staged" { print $2 }')" "staged after the commit"
}

np_module_install
modprobe nodeplane || np_fail "modprobe nodeplane"
np_case staged-replace-under-traffic case_staged_replace_under_traffic
np_finish
