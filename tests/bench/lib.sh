# shellcheck shell=bash
#
# tests/bench/lib.sh: the sampling and reporting shared by every benchmark
# (tests/bench/bench.sh, tests/bench/daemon_bench.sh). Sourced after
# tests/user/lib.sh (it keeps its samples under $np__tmp).
#
# A benchmark compares setups (nodeplane, kernel vxlan, plain routing, ...).
# bench_samples calls the benchmark's sample function once per setup and
# sample, the setups alternated (A B A B ...: a slow minute of the host falls
# on both), NP_BENCH_SAMPLES (10) times; the sample function builds its setup
# from nothing, measures, tears it down, and records each value with
# bench_put. bench_line then prints one figure from the recorded values:
#
#   BENCH name=<metric> ours=<median> ref=<median> unit=<u>
#         better=<higher|lower> ratio=<ours/ref> samples=<N>
#         spread=<ours min>..<ours max> ref_spread=<ref min>..<ref max>
#         failures=<K> [more key=value fields]
#
# (one line). ours and ref are medians (of an even count: the mean of the
# two middle values); ratio is ours/ref of the medians. samples is the
# number of samples taken of each setup; failures counts measurements that
# gave no value, and the medians and spreads are over the values there are.
# A value is a number, or "inf" (ranked above every number: e.g. a latency
# percentile that fell on a timed-out round); anything else, conventionally
# "nan", is a failure. With no value at all a median is nan and its spread
# is nan..nan. Every recorded value is also printed on a "# " line above the
# figure, in the order taken.

bench_nsamples=${NP_BENCH_SAMPLES:-10}
# shellcheck disable=SC2154 # np__tmp: tests/user/lib.sh
bench__dir=$np__tmp/bench-samples
mkdir -p "$bench__dir"

# bench_put KEY VALUE: record one value of KEY (e.g. np.tcp1).
bench_put() {
	echo "${2:-nan}" >>"$bench__dir/$1"
}

# bench_samples FUNC SETUP...: FUNC SETUP I for I in 1..NP_BENCH_SAMPLES,
# the setups in turn within each I. FUNC must not fail; if it does anyway,
# the sample is reported and the next one taken.
bench_samples() {
	local fn=$1 i s t0
	shift
	for ((i = 1; i <= bench_nsamples; i++)); do
		t0=$EPOCHREALTIME
		for s in "$@"; do
			"$fn" "$s" "$i" || echo "# $fn $s sample $i: exit $?"
		done
		echo "# $fn sample $i of $*: $(bench_since "$t0") s"
	done
}

# bench_stats KEY: "COUNT FAILURES MEDIAN MIN MAX" of KEY's values.
bench_stats() {
	local f=$bench__dir/$1
	[[ -f $f ]] || { echo "0 0 nan nan nan"; return 0; }
	awk '
		$1 ~ /^[0-9]+(\.[0-9]+)?$/ || $1 == "inf" { v[n++] = $1; next }
		{ bad++ }
		END {
			if (!n) { printf "0 %d nan nan nan\n", bad; exit }
			# insertion sort, "inf" last
			for (i = 1; i < n; i++) {
				x = v[i]
				for (j = i - 1; j >= 0 && gt(v[j], x); j--) v[j + 1] = v[j]
				v[j + 1] = x
			}
			if (n % 2) med = v[(n - 1) / 2]
			else {
				a = v[n / 2 - 1]; b = v[n / 2]
				med = (a == "inf" || b == "inf") ? "inf" : fmt((a + b) / 2)
			}
			printf "%d %d %s %s %s\n", n, bad + 0, med, v[0], v[n - 1]
		}
		function gt(a, b) { return a == "inf" ? b != "inf" : (b == "inf" ? 0 : a + 0 > b + 0) }
		function fmt(x,  s) {
			s = sprintf("%.3f", x)
			sub(/0+$/, "", s); sub(/\.$/, "", s)
			return s
		}' "$f"
}

# bench_values KEY: the values of KEY in the order taken, on one line.
bench_values() {
	[[ -f $bench__dir/$1 ]] && tr '\n' ' ' <"$bench__dir/$1" | sed 's/ $//' || echo none
}

# bench_line NAME OURS_KEY REF_KEY UNIT BETTER [KEY=VALUE...]: print one
# figure (see the top). REF_KEY "-" means no reference (ref=nan). A
# failures=K among the extra fields replaces the count of failed samples
# (the daemon's rounds are counted that way).
bench_line() {
	local name=$1 ok=$2 rk=$3 unit=$4 better=$5 of om omin omax
	local rf=0 rm=nan rmin=nan rmax=nan ratio=nan fail extra=() x
	shift 5
	read -r _ of om omin omax < <(bench_stats "$ok")
	echo "# $name: ours ($ok): $(bench_values "$ok")"
	if [[ $rk != - ]]; then
		read -r _ rf rm rmin rmax < <(bench_stats "$rk")
		echo "# $name: ref ($rk): $(bench_values "$rk")"
	fi
	fail=$((of + rf))
	for x in "$@"; do
		case $x in
		failures=*) fail=${x#failures=} ;;
		*) extra+=("$x") ;;
		esac
	done
	if [[ $om =~ ^[0-9.]+$ && $rm =~ ^[0-9.]+$ ]]; then
		ratio=$(awk -v o="$om" -v r="$rm" 'BEGIN { printf (r > 0 ? "%.3f" : "nan"), o / r }')
	fi
	echo "BENCH name=$name ours=$om ref=$rm unit=$unit better=$better ratio=$ratio" \
		"samples=$bench_nsamples spread=$omin..$omax ref_spread=$rmin..$rmax" \
		"failures=$fail${extra[*]:+ ${extra[*]}}"
}

# bench_note TEXT KEY: a "# " line with the median and spread of KEY (for
# figures that are not compared, e.g. install times).
bench_note() {
	local n f m lo hi
	read -r n f m lo hi < <(bench_stats "$2")
	echo "# $1: median $m, min $lo, max $hi ($n values, $f failed): $(bench_values "$2")"
}

# bench_since T0: seconds since T0 (an $EPOCHREALTIME), one decimal.
bench_since() {
	awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'
}
