#!/bin/bash
# Foundation: module lifecycle, parameters, INFO_GET, validation, permissions
# and per-netns state. Runs inside the test VM (tests/vm/run).
#
#   init netns ── nodeplanectl ──genl──> nodeplane.ko
#   netns npA  ── nodeplanectl ──genl──> (npA's own np_net)
#   netns npB  ── nodeplanectl ──genl──> (npB's own np_net)
#
# The limits cases load the module with max_devices / max_peers / max_cidrs
# and fill devices np0 np1 (link kind nodeplane) in npA and npB up to them.
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

# Each parameter variant: modprobe arguments, the features INFO must show
# (implemented and enabled: servicelb, network-policy, overlay and
# hostport), the features it must show as disabled, and what
# /sys/module/nodeplane/parameters/disable must read back.
variants=(
	"|servicelb,network-policy,overlay,hostport|none|"
	"disable=servicelb|network-policy,overlay,hostport|servicelb|servicelb"
	"disable=network-policy|servicelb,overlay,hostport|network-policy|network-policy"
	"disable=overlay|servicelb,network-policy,hostport|overlay|overlay"
	"disable=overlay,servicelb,network-policy|hostport|servicelb,network-policy,overlay|servicelb,network-policy,overlay"
	"disable=,servicelb,,overlay,|network-policy,hostport|servicelb,overlay|servicelb,overlay"
)

case_load_unload_20() {
	local i v args feat off sysfs info expect
	# 24 loads in a row: every variant four times, interleaved
	for i in 1 2 3 4; do
		for v in "${variants[@]}"; do
			IFS='|' read -r args feat off sysfs <<<"$v"
			# shellcheck disable=SC2086
			modprobe nodeplane $args
			info=$("$ctl" info -s | grep -v '^requests')
			expect=$(printf 'version\t%s\nabi\t1\nfeatures\t%s\ndisabled\t%s' "$(cat "$NP_TOP/VERSION")" "$feat" "$off")
			np_expect_eq "$expect" "$(grep -v '^overlay_\|^masq_\|^max_\|^lb_\|^generation' <<<"$info")" "info after 'modprobe nodeplane $args' (round $i)"
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
	local p
	unload
	modprobe nodeplane disable=overlay
	for p in disable max_devices max_peers max_cidrs; do
		np_expect_eq "-r--r--r--" "$(stat -c %A /sys/module/nodeplane/parameters/$p)" "mode of $p"
	done
	unload
}

# The sizing parameters: defaults, and what sysfs and INFO read back.
case_limit_parameters() {
	local p
	unload
	modprobe nodeplane
	for p in "max_devices 16" "max_peers 8192" "max_cidrs 16384"; do
		np_expect_eq "${p#* }" "$(cat "/sys/module/nodeplane/parameters/${p% *}")" "default ${p% *}"
		np_expect_eq "${p#* }" "$(info_field "${p% *}")" "INFO ${p% *}"
	done
	unload
	modprobe nodeplane max_devices=3 max_peers=5 max_cidrs=4000000000
	np_expect_eq "3 5 4000000000" "$(info_field max_devices) $(info_field max_peers) $(info_field max_cidrs)" "INFO limits"
	np_expect_eq "3 5 4000000000" "$(cat /sys/module/nodeplane/parameters/max_{devices,peers,cidrs} | tr '\n' ' ' | sed 's/ $//')" "sysfs limits"
	unload
	np_expect_fail modprobe nodeplane max_peers=-1
	np_expect_fail modprobe nodeplane max_cidrs=lots
	np_expect_fail test -d /sys/module/nodeplane
}

# peer NS DEV N [CIDRS]: PEER_NEW of peer N (MAC 02:00:00:00:00:N) in NS.
peer() {
	ip netns exec "$1" "$ctl" peer "$2" mac "02:00:00:00:00:$(printf %02x "$3")" \
		endpoint "192.0.2.$3" cidr "${4:-10.$3.0.0/24}"
}

peer_del() { # peer_del NS DEV N
	ip netns exec "$1" "$ctl" overlay peer del "$2" mac "02:00:00:00:00:$(printf %02x "$3")"
}

# max_peers=3: the 4th peer of a netns (over both its devices) is refused
# with -ENOSPC naming the parameter; replacing one still works; after a
# delete one more fits; another netns has its own 3.
case_limit_max_peers() {
	local full='too many peers in this network namespace \(module parameter max_peers\).*No space left on device'
	unload
	modprobe nodeplane max_peers=3
	np_netns_add npA
	np_netns_add npB
	ip -n npA link add np0 type nodeplane
	ip -n npA link add np1 type nodeplane
	ip -n npB link add np0 type nodeplane
	peer npA np0 1
	peer npA np0 2
	peer npA np1 3
	np_expect_fail --stderr "$full" peer npA np1 4
	np_expect_fail --stderr "$full" peer npA np0 4
	np_expect_eq 3 "$(info_field overlay_peers npA)" "peers in npA at the limit"
	peer npA np0 2 10.22.0.0/24	# a replacement is not one more
	peer npB np0 1
	peer npB np0 2
	peer npB np0 3
	np_expect_fail --stderr "$full" peer npB np0 4
	peer_del npA np0 1
	peer npA np1 4
	np_expect_fail --stderr "$full" peer npA np1 5
	np_expect_eq "3 3" "$(info_field overlay_peers npA) $(info_field overlay_peers npB)" "peers"
	# a device going gives its peers back
	ip -n npA link del np1
	peer npA np0 5
	peer npA np0 6
	np_expect_fail --stderr "$full" peer npA np0 7
	ip netns del npA
	ip netns del npB
	unload
}

# max_cidrs=4: CIDRs are counted over the peers of all devices of a netns.
case_limit_max_cidrs() {
	local full='too many peer CIDRs in this network namespace \(module parameter max_cidrs\).*No space left on device'
	unload
	modprobe nodeplane max_cidrs=4
	np_netns_add npA
	ip -n npA link add np0 type nodeplane
	ip -n npA link add np1 type nodeplane
	peer npA np0 1 10.1.0.0/24,10.1.1.0/24,10.1.2.0/24
	np_expect_fail --stderr "$full" peer npA np1 2 10.2.0.0/24,10.2.1.0/24
	peer npA np1 2 10.2.0.0/24
	np_expect_fail --stderr "$full" peer npA np1 3 10.3.0.0/24
	# the refused ones left nothing behind
	np_expect_eq 2 "$(info_field overlay_peers npA)" "peers"
	np_expect_eq "$(printf 'peer\tnp1\tmac\t02:00:00:00:00:02\tendpoint\t192.0.2.2\tcidr\t10.2.0.0/24')" \
		"$(ip netns exec npA "$ctl" overlay show -s np1 | grep '^peer')" "np1's peers"
	# replacing with the same CIDRs needs no room; dropping one frees one
	peer npA np0 1 10.1.0.0/24,10.1.1.0/24,10.1.2.0/24
	peer npA np0 1 10.1.0.0/24,10.1.1.0/24
	peer npA np1 3 10.3.0.0/24
	np_expect_fail --stderr "$full" peer npA np1 4 10.4.0.0/24
	peer_del npA np0 1
	peer npA np1 4 10.4.0.0/24,10.4.1.0/24
	ip netns del npA
	unload
}

# max_devices=2: a 3rd nodeplane device in a netns is refused (the extack
# text reaches `ip`); after a delete one more fits; another netns has its own.
case_limit_max_devices() {
	local full='too many nodeplane devices in this network namespace \(module parameter max_devices\)'
	unload
	modprobe nodeplane max_devices=2
	np_netns_add npA
	np_netns_add npB
	ip -n npA link add np0 type nodeplane
	ip -n npA link add np1 type nodeplane
	np_expect_fail --stderr "$full" ip -n npA link add np2 type nodeplane
	np_expect_eq 2 "$(info_field overlay_devices npA)" "devices in npA"
	ip -n npB link add np0 type nodeplane
	ip -n npB link add np1 type nodeplane
	np_expect_fail --stderr "$full" ip -n npB link add np2 type nodeplane
	ip -n npA link del np0
	ip -n npA link add np2 type nodeplane
	np_expect_fail --stderr "$full" ip -n npA link add np3 type nodeplane
	np_expect_eq "2 2" "$(info_field overlay_devices npA) $(info_field overlay_devices npB)" "devices"
	ip netns del npA
	ip netns del npB
	unload
}

# disable=overlay: every overlay, peer and masquerade command is refused
# with the reason, MASQ_GET included.
case_disabled_overlay_refuses() {
	local why='overlay disabled by the disable= module parameter.*Operation not supported'
	unload
	modprobe nodeplane disable=overlay
	np_expect_fail --stderr "$why" "$ctl" masq show -s
	np_expect_fail --stderr "$why" "$ctl" masq set cluster-cidr 10.42.0.0/16
	np_expect_fail --stderr "$why" "$ctl" overlay show -s
	np_expect_fail --stderr "$why" "$ctl" peer lo mac 02:00:00:00:00:01 endpoint 192.0.2.1 cidr 10.1.0.0/24
	unload
}

case_genl_autoload() {
	unload
	np_expect_eq "servicelb,network-policy,overlay,hostport" "$(info_field features)" "features after autoload"
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
np_case limit-parameters case_limit_parameters
np_case limit-max-peers case_limit_max_peers
np_case limit-max-cidrs case_limit_max_cidrs
np_case limit-max-devices case_limit_max_devices
np_case disabled-overlay-refuses case_disabled_overlay_refuses
np_case genl-autoload case_genl_autoload
np_case malformed-requests-extack case_malformed_requests
np_case needs-cap-net-admin case_needs_cap_net_admin
np_case state-per-netns case_state_per_netns
np_case unload-leaves-nothing case_unload_leaves_nothing
np_finish
