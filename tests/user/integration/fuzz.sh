#!/bin/bash
# The netlink fuzzer (tests/fuzz/np-fuzz.c, docs/fuzz.md) against the module,
# then: nothing left behind, clean unload, clean dmesg. Runs inside the test
# VM (tests/vm/run); `make fuzz` runs it alone for as long as asked.
#
#   init netns ── np-fuzz (parent, checks)
#     ├─ unnamed netns slot 0..2 ── churner: npf0, npf1 created/configured/deleted
#     │    (lo up,                ├─ traffic: UDP to 10.244/15, fd00:244::/47 via npf*
#     │     127.0.0.1 = local,    └─ 4 workers: valid + mutated genl requests
#     │     127.0.0.2 = peers)       (VXLAN to 127.0.0.2 loops back into npf*)
#     └─ short-lived netns, one after the other: devices, peers, masquerade,
#          20 requests, then torn down by the kernel with all of it inside
#
# Kernel command line knobs (make fuzz sets them through NP_VM_APPEND):
#   np_fuzz_seconds=S   run S seconds (no message target)
#   np_fuzz_messages=N  stop after N messages (default 200000 without seconds)
#   np_fuzz_seed=N      replay the requests of an earlier run
#   np_fuzz_traffic=N   N IPv4 + N IPv6 packets per 20 ms per netns (default 1)
# The module is (re)loaded with a small CIDR budget when it has one
# (max_cidrs): PEER_NEW requests then fail half-way through their CIDRs
# while the traffic may hold the half-published peer.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

fuzz=$NP_TOP/build/fuzz/np-fuzz
out=/tmp/np-fuzz.out
seconds=0
messages=
seed=
traffic=1
for kv in $(cat /proc/cmdline); do
	case $kv in
	np_fuzz_seconds=*) seconds=${kv#*=} ;;
	np_fuzz_messages=*) messages=${kv#*=} ;;
	np_fuzz_seed=*) seed=${kv#*=} ;;
	np_fuzz_traffic=*) traffic=${kv#*=} ;;
	esac
done
if [[ -z $messages && $seconds == 0 ]]; then
	messages=200000
fi

# Full preemption (PREEMPT_DYNAMIC) for the run: a request can then lose its
# CPU anywhere, e.g. between finding a device and locking the netns, which
# widens the windows the concurrent deletions race against.
preempt_full() {
	local f=/sys/kernel/debug/sched/preempt mode
	[[ -e $f ]] || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || true
	[[ -w $f ]] || { echo "no $f: keeping the boot preemption mode"; return 0; }
	mode=$(sed 's/.*(\(.*\)).*/\1/' "$f")
	echo full >"$f"
	np_defer eval "echo $mode >$f"
	echo "preemption: $(cat "$f") (was $mode)"
}

case_run() {
	local args=()
	[[ -x $fuzz ]] || np_fail "np-fuzz not built: make -C tests/fuzz"
	if [[ -d /sys/module/nodeplane ]]; then rmmod nodeplane; fi
	if modinfo -p nodeplane 2>/dev/null | grep -q '^max_cidrs:'; then
		modprobe nodeplane max_cidrs=128
		echo "module loaded with max_cidrs=128"
	else
		modprobe nodeplane
	fi
	if [[ $seconds != 0 ]]; then
		args+=(--seconds "$seconds")
	else
		# the message target, with a time guard so a slow host fails
		# fuzz_messages instead of the whole VM timing out
		args+=(--seconds 780)
	fi
	[[ -n $messages ]] && args+=(--messages "$messages")
	[[ -n $seed ]] && args+=(--seed "$seed")
	args+=(--traffic "$traffic")
	timeout -k 10 $((${seconds:-0} + 900)) "$fuzz" "${args[@]}" >"$out" 2>"$out.err"
	local rc=$?
	cat "$out" "$out.err"
	[[ $rc == 0 ]] || np_fail "np-fuzz exit $rc: $(grep -m1 FAIL "$out" || tail -n1 "$out.err")"
}

case_messages() {
	local n d
	n=$(awk '$2 == "messages" { print $3 }' "$out")
	d=$(awk '/distinct commands accepted/ { print $5 "/" $7 }' "$out")
	[[ -n $n ]] || np_fail "np-fuzz printed no message count"
	if [[ -n $messages ]]; then
		((n >= messages)) || np_fail "only $n messages sent, want >= $messages"
	fi
	np_expect_eq "11/11" "$d" "distinct commands accepted"
}

case_nothing_left() {
	local slots
	# every slot deleted its devices, masquerade and LB frontends and saw
	# INFO at 0 (staged LB objects went with the workers' sockets)
	slots=$(grep -c '^np-fuzz: slot .*: after cleanup devices 0 peers 0 masq_cidrs 0 lb_frontends 0 lb_staged 0, nodeplane links 0$' "$out")
	np_expect_eq 3 "$slots" "slots that found nothing left"
	np_expect_fail grep -q 'FAIL' "$out"
	np_expect_eq "" "$(ip -o link show type nodeplane)" "nodeplane links in the init netns"
}

case_rmmod() {
	# the short-lived netns are torn down by a kernel worker: wait for it
	np_wait_for 120 grep -qx 0 /sys/module/nodeplane/refcnt
	timeout 120 rmmod nodeplane
	np_expect_fail test -d /sys/module/nodeplane
}

case_dmesg() {
	np_dmesg_clean
}

np_module_install
preempt_full
np_case fuzz_run case_run
grep '^np-fuzz:' "$out" 2>/dev/null | grep -v '^np-fuzz: slot'
np_case fuzz_messages case_messages
np_case fuzz_nothing_left case_nothing_left
np_case fuzz_rmmod case_rmmod
np_case fuzz_dmesg_clean case_dmesg
np_finish
