#!/bin/bash
#
# harness_fail.sh: VM harness self-test (tests/vm/selftest.sh), must FAIL
# with exactly: OK first, FAIL eq, FAIL cmd, SKIP skip, OK isolated,
# "2 passed, 2 failed, 1 skipped". Shows that a failing case neither stops
# nor spoils the cases after it.
set -euo pipefail
. "$NP_TOP/tests/user/lib.sh"

counter=0

t_first() {
	counter=1
	cd /
}

t_eq() {
	np_expect_eq 1 2 "deliberate mismatch"
	echo "not reached"
}

t_cmd() {
	counter=99
	false
	echo "not reached"
}

t_skip() {
	np_skip "deliberate skip"
}

t_isolated() {
	np_expect_eq 0 "$counter" "counter (cases run in subshells)"
	np_expect_eq "$NP_TOP" "$PWD" "cwd"
}

np_case first t_first
np_case eq t_eq
np_case cmd t_cmd
np_case skip t_skip
np_case isolated t_isolated
np_finish
