#!/bin/bash
# Foundation: module lifecycle, parameters, INFO_GET, validation, permissions
# and per-netns state. Runs inside the test VM (tests/vm/run).
#
#   init netns ── nodeplanectl ──genl──> nodeplane.ko
#   netns npA  ── nodeplanectl ──genl──> (npA's own np_net)
#   netns npB  ── nodeplanectl ──genl──> (npB's own np_net)
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

ctl=$NP_TOP/daemon/nodeplanectl

unload() {
	if [ -d /sys/module/nodeplane ]; then rmmod nodeplane; fi
	np_expect_fail test -d /sys/module/nodeplane
}

info_field() { # info_field KEY [netns]: one value from `nodeplanectl info -s`
	local out
	if [ $# -gt 1 ]; then out=$(ip netns exec "$2" "$ctl" info -s)
	else out=$("$ctl" info -s); fi
	awk -F'\t' -v k="$1" '$1 == k { print $2; found = 1 } END { exit !found }' <<<"$out"
}

# Each parameter variant: modprobe arguments, features INFO must show, and
# what /sys/module/nodeplane/parameters/disable must read back.
variants=(
	"|servicelb,network-policy,overlay|"
	"disable=servicelb|network-policy,overlay|servicelb"
	"disable=network-policy|servicelb,overlay|network-policy"
	"disable=overlay|servicelb,network-policy|overlay"
	"disable=overlay,servicelb,network-policy|none|servicelb,network-policy,overlay"
	"disable=,servicelb,,overlay,|network-policy|servicelb,overlay"
)

case_load_unload_20() {
	local i v args feat sysfs info expect
	# 24 loads in a row: every variant four times, interleaved
	for i in 1 2 3 4; do
		for v in "${variants[@]}"; do
			IFS='|' read -r args feat sysfs <<<"$v"
			# shellcheck disable=SC2086
			modprobe nodeplane $args
			info=$("$ctl" info -s | grep -v '^requests')
			expect=$(printf 'version\t%s\nabi\t1\nfeatures\t%s' "$(cat "$NP_TOP/VERSION")" "$feat")
			np_expect_eq "$expect" "$(grep -v '^overlay_\|^masq_' <<<"$info")" "info after 'modprobe nodeplane $args' (round $i)"
			np_expect_eq "$sysfs" "$(cat /sys/module/nodeplane/parameters/disable)" "sysfs disable for '$args'"
			unload
		done
	done
}

case_bad_parameter_refused() {
	unload
	np_expect_fail modprobe nodeplane disable=servicelb,bogus
	np_expect_fail test -d /sys/module/nodeplane
	dmesg | grep -q "nodeplane: disable=: unknown feature 'bogus'"
}

case_parameters_read_only() {
	unload
	modprobe nodeplane disable=overlay
	np_expect_eq "-r--r--r--" "$(stat -c %A /sys/module/nodeplane/parameters/disable)" "mode"
	unload
}

case_genl_autoload() {
	unload
	np_expect_eq "servicelb,network-policy,overlay" "$(info_field features)" "features after autoload"
	[ -d /sys/module/nodeplane ]
	unload
}

case_malformed_requests() {
	local err
	dmesg -C
	modprobe nodeplane
	err=$("$ctl" raw-info unknown-attr 2>&1 >/dev/null) && return 1
	grep -q "Unknown attribute type" <<<"$err" || { echo "got: $err"; return 1; }
	err=$("$ctl" raw-info wrong-type 2>&1 >/dev/null) && return 1
	grep -q "invalid attribute length" <<<"$err" || { echo "got: $err"; return 1; }
	err=$("$ctl" raw-info missing-abi 2>&1 >/dev/null) && return 1
	grep -q "missing NP_INFO_A_ABI_VERSION" <<<"$err" || { echo "got: $err"; return 1; }
	# the module kept working and nothing reached dmesg
	info_field features >/dev/null
	# the module logged nothing about it (the kernel's own netlink code may
	# log the bad length under the process name: not ours)
	np_expect_eq "" "$(dmesg | grep "nodeplane: " | grep -v "version .* loaded" || true)" \
		"module log lines after malformed requests"
	unload
}

case_needs_cap_net_admin() {
	local err
	modprobe nodeplane
	err=$(setpriv --bounding-set=-net_admin --inh-caps=-net_admin "$ctl" info 2>&1) && return 1
	grep -qi "permi" <<<"$err" || { echo "got: $err"; return 1; }
	err=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$ctl" info 2>&1) && return 1
	grep -qi "permi" <<<"$err" || { echo "got: $err"; return 1; }
	unload
}

case_state_per_netns() {
	local base
	modprobe nodeplane
	np_netns_add npA
	np_netns_add npB
	base=$(info_field requests)
	info_field requests npA >/dev/null
	info_field requests npA >/dev/null
	np_expect_eq 3 "$(info_field requests npA)" "requests in npA"
	np_expect_eq 1 "$(info_field requests npB)" "requests in npB"
	np_expect_eq $((base + 1)) "$(info_field requests)" "requests in init netns"
	# a namespace created later starts from zero
	ip netns del npB
	np_netns_add npB
	np_expect_eq 1 "$(info_field requests npB)" "requests in a new npB"
	unload
}

case_unload_leaves_nothing() {
	modprobe nodeplane
	np_netns_add npC
	ip netns exec npC "$ctl" info >/dev/null
	unload
	np_expect_fail grep -q '^nodeplane ' /proc/modules
	np_expect_fail grep -q 'nodeplane' <<<"$(genl ctrl list 2>&1)"
	np_dmesg_clean
}

np_module_install
np_case load-unload-24x-with-each-parameter case_load_unload_20
np_case bad-parameter-refused case_bad_parameter_refused
np_case parameters-read-only case_parameters_read_only
np_case genl-autoload case_genl_autoload
np_case malformed-requests-extack case_malformed_requests
np_case needs-cap-net-admin case_needs_cap_net_admin
np_case state-per-netns case_state_per_netns
np_case unload-leaves-nothing case_unload_leaves_nothing
np_finish
