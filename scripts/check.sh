#!/bin/bash
# Runs the named test tiers (make check-<tier>), each to the end even when
# an earlier one failed, and sums up their OK/FAIL/SKIP lines into one
# closing line "N passed, N failed, N skipped". A tier that exits non-zero
# without reporting a FAIL line counts as one failure of its own.
#
# The tally cannot shrink silently: after each tier, its number of OK lines
# must equal the tier's line "TIER PASSED" in tests/expected-counts (update
# it in the same commit that adds or removes a case): fewer or more is
# a failure "FAIL tally-<tier>: ...". Each SKIP must be listed in
# tests/allowed-skips ("TIER CASE-NAME  # prerequisite"); another is a
# failure "FAIL skip-<tier>: CASE-NAME ...". A tier missing from
# tests/expected-counts, or no tier named, fails too.
#
# Usage: scripts/check.sh TIER...
# Environment (for tests/check-selftest.sh): NP_CHECK_MAKE, a command run
# as `$NP_CHECK_MAKE check-<tier>` instead of make; NP_CHECK_EXPECTED and
# NP_CHECK_ALLOWED_SKIPS, the two files; NP_CHECK_LOGS, where the tier logs
# go (default build/check).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
expected=${NP_CHECK_EXPECTED:-$top/tests/expected-counts}
allowed=${NP_CHECK_ALLOWED_SKIPS:-$top/tests/allowed-skips}
logs=${NP_CHECK_LOGS:-$top/build/check}
pass=0 fail=0 skip=0

if [ $# -eq 0 ]; then
	echo "FAIL check: no tier named (usage: scripts/check.sh TIER...)"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
mkdir -p "$logs"

# The number in "TIER N" of the expected counts, comments and blank lines
# ignored; nothing if the tier has no line (or the file is missing).
expected_count() {
	sed 's/#.*//' "$expected" 2>/dev/null |
		awk -v t="$1" '$1 == t && NF == 2 && $2 ~ /^[0-9]+$/ { print $2; exit }'
}

# Whether "TIER CASE" is on the allowed-skips list.
skip_allowed() {
	sed 's/#.*//' "$allowed" 2>/dev/null |
		awk -v t="$1" -v c="$2" '$1 == t && $2 == c { f = 1 } END { exit !f }'
}

run_tier() {
	if [ -n "${NP_CHECK_MAKE:-}" ]; then
		$NP_CHECK_MAKE "check-$1"
	else
		make -C "$top" --no-print-directory "check-$1"
	fi
}

for tier in "$@"; do
	echo "=== tier $tier"
	log=$logs/$tier.log
	start=$SECONDS
	run_tier "$tier" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	p=$(grep -cE '^OK( |$)' "$log")
	f=$(grep -cE '^FAIL( |$)' "$log")
	s=$(grep -cE '^SKIP( |$)' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL tier-$tier: exited $rc without a FAIL line (log: $log)"
		f=1
	fi
	want=$(expected_count "$tier")
	if [ -z "$want" ]; then
		echo "FAIL tally-$tier: $p passed, no expected count for $tier in ${expected#"$top"/}"
		f=$((f + 1))
	elif [ "$p" -lt "$want" ]; then
		echo "FAIL tally-$tier: $p passed, expected $want (${expected#"$top"/})"
		f=$((f + 1))
	elif [ "$p" -gt "$want" ]; then
		echo "FAIL tally-$tier: $p passed, expected $want (${expected#"$top"/}): update ${expected#"$top"/} in the same commit"
		f=$((f + 1))
	fi
	# "SKIP NAME: reason" (or "SKIP NAME"): NAME must be allowed.
	while read -r _ name _; do
		name=${name%:}
		if ! skip_allowed "$tier" "$name"; then
			echo "FAIL skip-$tier: $name skipped, not in ${allowed#"$top"/}"
			f=$((f + 1))
		fi
	done < <(grep -E '^SKIP( |$)' "$log")
	echo "=== tier $tier: $p passed, $f failed, $s skipped ($((SECONDS - start)) s)"
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
done

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
