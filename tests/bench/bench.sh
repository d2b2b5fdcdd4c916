#!/bin/bash
# Benchmarks, run inside the test VM by `make bench` (one boot). Each figure
# is printed as one line:
#   BENCH name=<metric> ours=<v> ref=<v> unit=<u> better=<higher|lower> ratio=<ours/ref>
# Benchmarks report; they assert nothing about speed.
set -euo pipefail
top=${NP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bench=$top/tests/bench
. "$top/tests/user/lib.sh"

bench_line() { # name ours ref unit better
	local ratio
	ratio=$(awk -v o="$2" -v r="$3" 'BEGIN { printf (r > 0 ? "%.3f" : "nan"), o / r }')
	echo "BENCH name=$1 ours=$2 ref=$3 unit=$4 better=$5 ratio=$ratio"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Netlink round trips: INFO_GET against nlctrl's GETFAMILY, alternated over
# five rounds so both see the same machine conditions; medians compared.
bench_netlink() {
	local i ours=() ref=()
	for i in 1 2 3 4 5; do
		ours+=("$("$bench/nlbench" info 1)")
		ref+=("$("$bench/nlbench" nlctrl 1)")
	done
	bench_line netlink_info_rtt_per_s \
		"$(printf '%s\n' "${ours[@]}" | median)" \
		"$(printf '%s\n' "${ref[@]}" | median)" req/s higher
}

np_module_install
modprobe nodeplane
bench_netlink
rmmod nodeplane
