#!/bin/bash
#
# tests/vm/selftest.sh: prove that the VM harness (tests/vm/run) and
# tests/user/lib.sh report failures. Host side; one VM boot per case, run one
# after another (~1 minute in all under TCG).
#
# Usage: tests/vm/selftest.sh [CASE...]     (default: all cases)
#
#   pass     harness_pass.sh (lib.sh helpers, netns, modprobe of a kernel
#            module and of warnmod.ko installed by --module, genetlink
#            autoload) -> exit 0
#   fail     harness_fail.sh, two failing cases among passing/skipped ones
#            -> exit 1, every case still reported, exact summary line
#   warn     harness_warn.sh loads warnmod.ko warn=1, whose init WARNs -> exit 1,
#            WARNING + panic in the console log, no final status
#   timeout  harness_hang.sh with --timeout 5 -> exit 1, "timed out"
#   vm_kill  harness_hang.sh with the whole VM limited to 15 s
#            (NP_VM_TOTAL_TIMEOUT) -> exit 1, "VM killed"
#
# warnmod (tests/vm/warnmod/) is built against the guest kernel's headers in
# a copy under build/vm/warnmod/. Each case keeps its output, console log and
# guest results under build/vm/selftest/. Prints `OK CASE` or
# `FAIL CASE: reason` per case, then `N passed, N failed`; exits 1 if any
# failed.
set -euo pipefail

# shellcheck source=tests/vm/common.sh
. "$(dirname "$0")/common.sh"

out=$NP_TOP/build/vm/selftest
it=$NP_TOP/tests/vm/guest
ko=$NP_TOP/build/vm/warnmod/warnmod.ko
passed=0
failed=0

ok() {
	echo "OK $1"
	passed=$((passed + 1))
}

fail() {
	echo "FAIL $1: $2 (see ${out#"$NP_TOP"/}/$1.txt)"
	failed=$((failed + 1))
}

# vm CASE [ENV=VALUE...] -- RUN-ARGS...: run the harness for CASE; its exit
# status goes to $rc, its output to $out/CASE.txt.
vm() {
	local name=$1 envs=()
	shift
	while [[ $1 != -- ]]; do
		envs+=("$1")
		shift
	done
	shift
	rc=0
	env ${envs[@]+"${envs[@]}"} "$NP_VM_DIR/run" --log "$out/$name.console.log" \
		--results "$out/$name.results" "$@" >"$out/$name.txt" 2>&1 </dev/null || rc=$?
}

has() {
	grep -qE -- "$2" "$1"
}

case_pass() {
	vm pass -- --module "$ko" "$it/harness_pass.sh"
	if [[ $rc -ne 0 ]]; then
		fail pass "harness exited $rc, expected 0"
	elif ! has "$out/pass.txt" '^OK installed_module$' ||
		! has "$out/pass.txt" '^OK genl_autoload$'; then
		fail pass "a module case did not pass"
	elif ! has "$out/pass.txt" '^9 passed, 0 failed, 1 skipped$'; then
		fail pass "wrong summary line"
	else
		ok pass
	fi
}

case_fail() {
	vm fail -- "$it/harness_fail.sh"
	local f=$out/fail.txt want
	if [[ $rc -ne 1 ]]; then
		fail fail "harness exited $rc, expected 1"
		return
	fi
	for want in '^OK first$' "^FAIL eq: deliberate mismatch: expected '1', got '2'$" \
		'^FAIL cmd: t_cmd:[0-9]+: false \(exit 1\)$' '^SKIP skip: deliberate skip$' \
		'^OK isolated$' '^2 passed, 2 failed, 1 skipped$' '^vm: FAIL: .*harness_fail \(exit 1\)'; do
		if ! has "$f" "$want"; then
			fail fail "no line matching /$want/"
			return
		fi
	done
	if has "$f" 'not reached'; then
		fail fail "a case went on after its failure"
		return
	fi
	ok fail
}

case_warn() {
	vm warn -- --module "$ko" "$it/harness_warn.sh"
	local log=$out/warn.console.log
	if [[ $rc -ne 1 ]]; then
		fail warn "harness exited $rc, expected 1"
	elif ! has "$log" 'WARNING:.*warnmod'; then
		fail warn "no WARNING from warnmod in the console log"
	elif ! has "$log" 'Kernel panic'; then
		fail warn "no panic (panic_on_warn) in the console log"
	elif [[ -e $out/warn.results/status ]]; then
		fail warn "the guest wrote a final status after a WARN"
	elif ! has "$out/warn.txt" '^vm: FAIL: .*no final status.*console log'; then
		fail warn "the reason line does not name the missing status and the log"
	else
		ok warn
	fi
}

case_timeout() {
	vm timeout -- --timeout 5 "$it/harness_hang.sh"
	if [[ $rc -ne 1 ]]; then
		fail timeout "harness exited $rc, expected 1"
	elif ! has "$out/timeout.txt" '^vm: FAIL: .*harness_hang \(timed out after 5s\)'; then
		fail timeout "the reason line does not say the script timed out"
	else
		ok timeout
	fi
}

case_vm_kill() {
	vm vm_kill NP_VM_TOTAL_TIMEOUT=15 -- "$it/harness_hang.sh"
	if [[ $rc -ne 1 ]]; then
		fail vm_kill "harness exited $rc, expected 1"
	elif ! has "$out/vm_kill.txt" '^vm: FAIL: VM killed after 15s'; then
		fail vm_kill "the reason line does not say the VM was killed"
	else
		ok vm_kill
	fi
}

build_warnmod() {
	local kver src=$NP_VM_DIR/warnmod dst
	kver=$(np_vm_kver)
	dst=$(dirname "$ko")
	mkdir -p "$dst"
	cp "$src/Kbuild" "$src/warnmod.c" "$dst/"
	make -C "/lib/modules/$kver/build" M="$dst" modules >"$out/warnmod-build.txt" 2>&1
}

cases=("$@")
[[ ${#cases[@]} -gt 0 ]] || cases=(pass fail warn timeout vm_kill)
for c in "${cases[@]}"; do
	declare -F "case_$c" >/dev/null || np_vm_die "unknown case $c (pass fail warn timeout vm_kill)"
done

rm -rf "$out"
mkdir -p "$out"
if ! build_warnmod; then
	tail -n 20 "$out/warnmod-build.txt" >&2
	np_vm_die "cannot build tests/vm/warnmod (see build/vm/selftest/warnmod-build.txt)"
fi
for c in "${cases[@]}"; do
	"case_$c"
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
