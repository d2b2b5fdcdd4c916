#!/bin/bash
# Runs the named test tiers (make check-<tier>), each to the end even when
# an earlier one failed, and sums up their OK/FAIL/SKIP lines into one
# closing line "N passed, N failed, N skipped". A tier that exits non-zero
# without reporting a FAIL line counts as one failure of its own.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
logs=$top/build/check
mkdir -p "$logs"
pass=0 fail=0 skip=0

for tier in "$@"; do
	echo "=== tier $tier"
	log=$logs/$tier.log
	start=$SECONDS
	make -C "$top" --no-print-directory "check-$tier" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	p=$(grep -cE '^OK( |$)' "$log")
	f=$(grep -cE '^FAIL( |$)' "$log")
	s=$(grep -cE '^SKIP( |$)' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL tier-$tier: exited $rc without a FAIL line (log: $log)"
		f=1
	fi
	echo "=== tier $tier: $p passed, $f failed, $s skipped ($((SECONDS - start)) s)"
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
done

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
