# shellcheck shell=bash
#
# tests/user/lib.sh: library for integration test scripts (they run as root in
# the test VM, see tests/vm/run; NP_TOP is the work tree, also the cwd).
#
#   #!/bin/bash
#   # <ASCII topology of the namespaces and links the script builds>
#   . "$NP_TOP/tests/user/lib.sh"
#   t_ping() {
#       np_netns_add a                          # deleted when the case ends
#       np_expect_eq 1 "$(ip -n a -o link | wc -l)" "links in a"
#   }
#   np_case ping t_ping
#   np_finish                                   # last: sets the exit status
#
# np_case NAME FUNC [ARG...]
#     Runs FUNC in a subshell with `set -eEu -o pipefail` and prints exactly
#     one line: `OK NAME`, `FAIL NAME: <reason>` or `SKIP NAME: <reason>`.
#     The reason is np_fail's message, else the first command that failed
#     ("func:line: command (exit N)"). The case's own stdout/stderr are kept
#     and shown as `# ` lines before a FAIL (always with NP_VERBOSE=1). A case
#     cannot change the script's variables, cwd or traps, and whatever it
#     registered with np_defer (its namespaces, say) is undone when it ends,
#     so one failing case does not hide or spoil the others.
# np_finish
#     Prints `N passed, N failed, N skipped`; returns 1 if a case failed or
#     none ran.
# np_fail MSG / np_skip MSG
#     End the current case as failed / skipped. Outside a case they end the
#     whole script (`FAIL setup: MSG`, exit 1 / `SKIP all: MSG`, exit 0).
# np_expect_eq EXPECTED ACTUAL [WHAT]
# np_expect_fail [--stderr REGEX] CMD [ARG...]
#     Fails the case unless CMD fails (and, with --stderr, prints a line
#     matching REGEX on stderr, e.g. the kernel's extack message).
# np_wait_for TIMEOUT_SECS CMD [ARG...]
#     Polls CMD (output discarded) until it succeeds; fails the case after
#     TIMEOUT_SECS. Use it instead of sleeping.
# np_defer CMD [ARG...]
#     Runs CMD when the current case ends (or, outside a case, when the script
#     exits); last registered runs first. lib.sh owns the EXIT trap: use this
#     rather than `trap ... EXIT`.
# np_netns_add NAME
#     `ip netns add NAME`, loopback up, and deletion (processes in it killed)
#     deferred as above.
# np_module_install [KO]
#     Makes KO (default kmod/nodeplane.ko, relative to NP_TOP) loadable with
#     `modprobe`: nothing to do if tests/vm/run --module already installed
#     this build (kmod/*.ko by default), else install into
#     /lib/modules/$(uname -r)/extra/ and `depmod -a` (slow in the VM).
# np_dmesg_clean
#     Fails if dmesg holds a kernel WARNING/BUG/Oops/Call Trace since boot.

NP_TOP=${NP_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
np__pass=0
np__fail=0
np__skip=0
np__in_case=0
np__defer=()
np__tmp=$(mktemp -d "${TMPDIR:-/tmp}/np-test.XXXXXX")

np__run_defers() {
	local i
	for ((i = ${#np__defer[@]} - 1; i >= 0; i--)); do
		eval "${np__defer[$i]}" || true
	done
	np__defer=()
}

np__exit() {
	local rc=$?
	set +e
	np__run_defers
	rm -rf "$np__tmp"
	return $rc
}
trap np__exit EXIT

np_defer() {
	local q
	printf -v q '%q ' "$@"
	np__defer+=("$q")
}

# One line, at most 300 characters.
np__oneline() {
	local s=${*//$'\n'/ }
	echo "${s:0:300}"
}

# Inside a case, $np__tmp/reason holds "fail:MSG" or "skip:MSG".
np_fail() {
	if [[ $np__in_case == 1 ]]; then
		echo "fail:$(np__oneline "$@")" >"$np__tmp/reason"
		exit 1
	fi
	echo "FAIL setup: $(np__oneline "$@")"
	exit 1
}

np_skip() {
	if [[ $np__in_case == 1 ]]; then
		echo "skip:$(np__oneline "$@")" >"$np__tmp/reason"
		exit 0
	fi
	echo "SKIP all: $(np__oneline "$@")"
	exit 0
}

# ERR trap inside a case: remember the first failing command.
np__err() {
	local rc=$1 cmd=$2 where=$3
	[[ ! -s $np__tmp/reason ]] || return 0
	if [[ $where == np__case_body:* ]]; then
		echo "fail:$np__func returned $rc" >"$np__tmp/reason"
	else
		echo "fail:$(np__oneline "$where: $cmd (exit $rc)")" >"$np__tmp/reason"
	fi
}

np__case_body() {
	"$@"
}

np_case() {
	local name=${1:?np_case NAME FUNC} func=${2:?np_case NAME FUNC} rc=0 errexit=0
	shift 2
	[[ $- == *e* ]] && errexit=1
	if ! declare -F "$func" >/dev/null; then
		np__fail=$((np__fail + 1))
		echo "FAIL $name: no function $func"
		return 0
	fi
	: >"$np__tmp/reason"
	set +e
	(
		np__in_case=1
		np__func=$func
		np__defer=()
		trap 'np__run_defers' EXIT
		set -eEu -o pipefail
		trap 'np__err $? "$BASH_COMMAND" "${FUNCNAME[0]:-main}:$LINENO"' ERR
		np__case_body "$func" "$@"
	) >"$np__tmp/log" 2>&1
	rc=$?
	[[ $errexit == 1 ]] && set -e

	# Builtins only on the passing path: a fork+exec costs ~0.1 s in the VM.
	local reason=
	read -r reason <"$np__tmp/reason" || true
	if [[ $rc -eq 0 && $reason == skip:* ]]; then
		np__skip=$((np__skip + 1))
		[[ ${NP_VERBOSE:-0} != 1 ]] || sed 's/^/# /' "$np__tmp/log"
		echo "SKIP $name: ${reason#skip:}"
	elif [[ $rc -eq 0 ]]; then
		np__pass=$((np__pass + 1))
		[[ ${NP_VERBOSE:-0} != 1 ]] || sed 's/^/# /' "$np__tmp/log"
		echo "OK $name"
	else
		np__fail=$((np__fail + 1))
		reason=${reason#fail:}
		if [[ -z $reason ]]; then
			reason=$(grep -v '^[[:space:]]*$' "$np__tmp/log" | tail -n1) || true
			reason="exit $rc${reason:+: $reason}"
		fi
		if [[ ${NP_VERBOSE:-0} == 1 ]]; then
			sed 's/^/# /' "$np__tmp/log"
		else
			tail -n 30 "$np__tmp/log" | sed 's/^/# /'
		fi
		echo "FAIL $name: $(np__oneline "$reason")"
	fi
	return 0
}

np_finish() {
	echo "$np__pass passed, $np__fail failed, $np__skip skipped"
	[[ $np__fail -eq 0 && $((np__pass + np__skip)) -gt 0 ]]
}

np_expect_eq() {
	[[ $1 == "$2" ]] || np_fail "${3:-value}: expected '$1', got '$2'"
}

np_expect_fail() {
	local re=
	if [[ ${1:-} == --stderr ]]; then
		re=${2:?np_expect_fail --stderr REGEX CMD...}
		shift 2
	fi
	[[ $# -gt 0 ]] || np_fail "np_expect_fail: no command"
	local err=$np__tmp/expect_fail.err
	if "$@" 2>"$err"; then
		cat "$err" >&2
		np_fail "expected failure: $*"
	fi
	cat "$err" >&2
	if [[ -n $re ]] && ! grep -qE -- "$re" "$err"; then
		np_fail "failed as expected but stderr does not match /$re/: $*"
	fi
}

np_wait_for() {
	local secs=${1:?np_wait_for SECS CMD...}
	shift
	local now end delay=0.01
	now=${EPOCHREALTIME//[^0-9]/}
	end=$((now + secs * 1000000))
	while ! "$@" >/dev/null 2>&1; do
		now=${EPOCHREALTIME//[^0-9]/}
		((now < end)) || np_fail "timed out after ${secs}s waiting for: $*"
		sleep "$delay"
		case $delay in
		0.01) delay=0.02 ;;
		0.02) delay=0.05 ;;
		0.05) delay=0.1 ;;
		*) delay=0.2 ;;
		esac
	done
}

np__netns_del() {
	local pids
	pids=$(ip netns pids "$1" 2>/dev/null || true)
	# shellcheck disable=SC2086 # one pid per word
	[[ -z $pids ]] || kill -9 $pids 2>/dev/null || true
	ip netns del "$1" 2>/dev/null || true
}

np_netns_add() {
	ip netns add "${1:?np_netns_add NAME}" || np_fail "ip netns add $1"
	np_defer np__netns_del "$1"
	ip -n "$1" link set lo up
}

np_module_install() {
	local ko=${1:-kmod/nodeplane.ko} name dst
	[[ $ko == /* ]] || ko=$NP_TOP/$ko
	[[ -f $ko ]] || np_fail "module not built: $ko"
	name=${ko##*/}
	dst=/lib/modules/$(uname -r)/extra/$name
	if cmp -s "$ko" "$dst" &&
		[[ $(modinfo -n "${name%.ko}" 2>/dev/null) == */extra/"$name" ]]; then
		return 0
	fi
	install -D -m 0644 "$ko" "$dst"
	echo "np_module_install: depmod -a (slow in the VM: pass --module $ko to tests/vm/run)" >&2
	depmod -a
}

np_dmesg_clean() {
	local hit
	hit=$(dmesg | grep -E -m1 'WARNING:|BUG:|Oops|Call Trace|Kernel panic' || true)
	[[ -z $hit ]] || np_fail "dmesg: $hit"
}
