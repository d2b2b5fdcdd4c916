#!/bin/bash
# tests/check-selftest.sh: scripts/check.sh's tally against fake tiers (part
# of the unit tier). Each case writes what the fake tiers print and exit
# with, an expected-counts file and an allowed-skips file, runs check.sh on
# them (NP_CHECK_MAKE runs a stub instead of make) and compares its exit
# status and the FAIL lines and closing line it prints.
# Prints `OK check-sh.NAME` or `FAIL check-sh.NAME: why`, then a summary.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# The stub: `stub check-TIER` prints $tmp/TIER.out, exits with $tmp/TIER.rc.
cat >"$tmp/stub" <<'EOF'
#!/bin/bash
t=${1#check-}
cat "$NP_STUB_DIR/$t.out" 2>/dev/null
exit "$(cat "$NP_STUB_DIR/$t.rc" 2>/dev/null || echo 0)"
EOF
chmod +x "$tmp/stub"

# tier NAME RC LINE...: what the fake tier NAME prints and its exit status.
tier() {
	local t=$1 rc=$2
	shift 2
	printf '%s\n' "$@" >"$tmp/$t.out"
	echo "$rc" >"$tmp/$t.rc"
}

# run_case NAME WANT_RC WANT_LINES -- TIER...: check.sh's exit status must be
# WANT_RC, its FAIL lines and its last line exactly WANT_LINES.
run_case() {
	local name=$1 want_rc=$2 want=$3 rc got
	shift 4
	NP_STUB_DIR=$tmp NP_CHECK_MAKE=$tmp/stub NP_CHECK_EXPECTED=$tmp/expected \
		NP_CHECK_ALLOWED_SKIPS=$tmp/allowed NP_CHECK_LOGS=$tmp/logs \
		"$top/scripts/check.sh" "$@" >"$tmp/out" 2>&1
	rc=$?
	# the files' paths as check.sh prints them for the committed ones
	got=$({ grep '^FAIL ' "$tmp/out"; tail -n1 "$tmp/out"; } |
		sed "s|$tmp/expected|tests/expected-counts|g; s|$tmp/allowed|tests/allowed-skips|g; s|$tmp/|TMP/|g")
	if [[ $rc != "$want_rc" ]]; then
		echo "FAIL check-sh.$name: exit $rc, expected $want_rc"
		sed 's/^/# /' "$tmp/out"
		fail=$((fail + 1))
	elif [[ $got != "$want" ]]; then
		echo "FAIL check-sh.$name: output differs"
		diff <(echo "$want") <(echo "$got") | sed 's/^/# /'
		fail=$((fail + 1))
	else
		echo "OK check-sh.$name"
		pass=$((pass + 1))
	fi
	rm -f "$tmp"/*.out "$tmp"/*.rc "$tmp/expected" "$tmp/allowed"
}

expect() { printf '%s\n' "$@" >"$tmp/expected"; }
allow() { printf '%s\n' "$@" >"$tmp/allowed"; }

# Counts as expected, comments and blank lines ignored: success.
expect '# comment' '' 'a 2' 'b 1  # trailing comment'
allow
tier a 0 'OK x' 'OK y' '2 passed, 0 failed, 0 skipped'
tier b 0 'OK   z'
run_case exact-counts-pass 0 '3 passed, 0 failed, 0 skipped' -- a b

# One case fewer than expected: the shortfall fails.
expect 'a 3'
allow
tier a 0 'OK x' 'OK y'
run_case fewer-than-expected-fails 1 'FAIL tally-a: 2 passed, expected 3 (tests/expected-counts)
2 passed, 1 failed, 0 skipped' -- a

# A case more than expected fails too: the count is exact.
expect 'a 1'
allow
tier a 0 'OK x' 'OK y'
run_case more-than-expected-fails 1 'FAIL tally-a: 2 passed, expected 1 (tests/expected-counts): update tests/expected-counts in the same commit
2 passed, 1 failed, 0 skipped' -- a

# A tier without a line in the file fails.
expect 'a 1'
allow
tier a 0 'OK x'
tier c 0 'OK x'
run_case tier-not-in-file-fails 1 'FAIL tally-c: 1 passed, no expected count for c in tests/expected-counts
2 passed, 1 failed, 0 skipped' -- a c

# No tier at all fails.
expect 'a 1'
allow
run_case no-tier-fails 1 'FAIL check: no tier named (usage: scripts/check.sh TIER...)
0 passed, 1 failed, 0 skipped' --

# A SKIP not on the list fails; one on the list (same tier) does not.
expect 'a 1'
allow 'a allowed-case  # missing: some tool' 'b other-case'
tier a 0 'OK x' 'SKIP allowed-case: missing: some tool' 'SKIP other-case: missing: x' 'SKIP all: gone'
run_case skip-not-allowed-fails 1 'FAIL skip-a: other-case skipped, not in tests/allowed-skips
FAIL skip-a: all skipped, not in tests/allowed-skips
1 passed, 2 failed, 3 skipped' -- a

expect 'a 1'
allow 'a allowed-case'
tier a 0 'OK x' 'SKIP allowed-case: missing: some tool'
run_case skip-allowed-passes 0 '1 passed, 0 failed, 1 skipped' -- a

# A missing allowed-skips file allows nothing.
expect 'a 1'
tier a 0 'OK x' 'SKIP s: why'
run_case no-allowed-skips-file-fails 1 'FAIL skip-a: s skipped, not in tests/allowed-skips
1 passed, 1 failed, 1 skipped' -- a

# A tier failing without a FAIL line is one failure; its FAIL lines count.
expect 'a 1' 'b 1'
allow
tier a 2 'OK x'
tier b 1 'OK x' 'FAIL y: broken' 'FAIL z: broken'
run_case tier-exit-and-fail-lines-counted 1 'FAIL tier-a: exited 2 without a FAIL line (log: TMP/logs/a.log)
FAIL y: broken
FAIL z: broken
2 passed, 3 failed, 0 skipped' -- a b

echo "$pass passed, $fail failed, 0 skipped"
[[ $fail -eq 0 ]]
