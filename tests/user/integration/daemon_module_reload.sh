#!/bin/bash
# nodeplaned follows a reload of the nodeplane module: the devices deleted,
# `rmmod nodeplane`, `modprobe nodeplane` while n1's and n2's daemons run.
# Each daemon notices (nlctrl's family event; its connection looks the
# family up again: the new module has a new family id), runs a full pass
# and programs everything again: np-vxlan with its VTEP MACs, peers,
# routes, masquerade; pods reach each other again (ping, TCP bytes
# compared with cmp). While the module is away (autoload disabled), the
# daemons stay alive and quiet: a Node event then costs a bounded number
# of log lines, not a spin. vxlan, dual-stack, test API server.
# Runs in the test VM (tests/vm/run).
#
#           VM root netns: apiserver.py 192.0.2.254:6443 on br0
#       +------------------------+
#   n1 eth0 192.0.2.1       n2 eth0 192.0.2.2
#      2001:db8::1             2001:db8::2
#   nodeplaned: np-vxlan    nodeplaned: np-vxlan   (recreated after reload)
#   pod0 10.42.0.1          pod0 10.42.1.1
#    p1 10.42.0.2  <-- ping, TCP -->  p2 10.42.1.2
#    2001:db8:42::2 <------------->   2001:db8:42:1::2
#
# Details: tests/user/cluster_lib.sh.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$NP_TOP/tests/user/cluster_lib.sh"

DEV="np-vxlan"
MASQ_WANT="masq	cluster-cidr	$CL_CIDR4,$CL_CIDR6	ipv6	off"

t_up() {
	np_module_install
	cl_cluster_api vxlan 1450 "1 2"
	cl_within 10 "n1 converged" cl_peers_are n1 "$DEV" n2
	cl_within 10 "n2 converged" cl_peers_are n2 "$DEV" n1
	cl_reach 1 2 4
	cl_reach 2 1 6
}

# The VTEP MACs of np-vxlan on node N ("mac mac6").
dev_macs() { # N
	ip netns exec "$1" "$CL_CTL" -s overlay show "$DEV" |
		awk -F'\t' '$1 == "overlay" { for (i = 3; i < NF; i++) if ($i == "mac" || $i == "mac6") printf "%s ", $(i + 1) }'
}

# The module's masquerade of node N (script form).
masq_of() { ip netns exec "$1" "$CL_CTL" masq show -s; }

# Everything a daemon programs is back on node N (peer NAME).
programmed() { # N PEER
	local n=$1
	cl_peers_are "$n" "$DEV" "$2" &&
		[[ $(cl_routes "$n" 4) == "$CL_CIDR4 via - dev $DEV" ]] &&
		[[ $(cl_routes "$n" 6) == "$CL_CIDR6 via - dev $DEV" ]] &&
		[[ $(masq_of "$n") == "$MASQ_WANT" ]]
}

module_gone() { [[ ! -d /sys/module/nodeplane ]]; }

# rmmod; wait until it is gone (the daemons may hold no reference, but a
# genetlink lookup of theirs may autoload it again: callers disable that).
unload() {
	local n
	for n in n1 n2; do ip -n "$n" link del "$DEV" 2>/dev/null || true; done
	rmmod nodeplane || np_fail "rmmod nodeplane failed"
	module_gone || np_fail "nodeplane still loaded after rmmod"
}

# Family events N logged so far.
registered() { grep -c 'generic netlink family nodeplane registered' "$CL_LOGS/nodeplaned-$1.log" || true; }

t_reload() {
	local m1 m2 before1 before2
	cl_require
	m1=$(dev_macs n1)
	m2=$(dev_macs n2)
	[[ $m1 == ??:* && $m2 == ??:* ]] || np_fail "VTEP MACs before: '$m1' '$m2'"
	programmed n1 n2 || np_fail "n1 not programmed before the reload"
	before1=$(registered n1)
	before2=$(registered n2)
	unload
	modprobe nodeplane || np_fail "modprobe nodeplane failed"
	# Generous: nothing here is a latency figure.
	np_wait_for 60 programmed n1 n2
	np_wait_for 60 programmed n2 n1
	cl_state n1
	programmed n1 n2 || np_fail "n1 not programmed again: $(cl_logs_tail n1)"
	programmed n2 n1 || np_fail "n2 not programmed again: $(cl_logs_tail n2)"
	# The same VTEP MACs (taken from the published annotations), so stock
	# peers' FDB entries stay right.
	np_expect_eq "$m1" "$(dev_macs n1)" "n1's VTEP MACs after the reload"
	np_expect_eq "$m2" "$(dev_macs n2)" "n2's VTEP MACs after the reload"
	# The event was seen (not merely the 60 s resync).
	(($(registered n1) > before1)) || np_fail "n1 logged no family event"
	(($(registered n2) > before2)) || np_fail "n2 logged no family event"
	cl_npd_alive n1 || np_fail "nodeplaned on n1 exited"
	cl_npd_alive n2 || np_fail "nodeplaned on n2 exited"
}

# Module autoload off: /proc/sys/kernel/modprobe names a program that fails.
noautoload() {
	cat /proc/sys/kernel/modprobe >"$np__tmp/modprobe.saved"
	np_defer eval "cat '$np__tmp/modprobe.saved' >/proc/sys/kernel/modprobe"
	echo /bin/false >/proc/sys/kernel/modprobe
}

lines_of() { wc -l <"$CL_LOGS/nodeplaned-$1.log"; }

# Failed passes logged by N after line FROM.
failed_after() { # N FROM
	tail -n +"$(($2 + 1))" "$CL_LOGS/nodeplaned-$1.log" | grep -c 'not converged\|cannot set masquerade\|module not loaded' || true
}

has_failed_after() { (($(failed_after "$1" "$2") > 0)); }

# Unloaded for good while the daemons run: they stay alive, say so once,
# and a Node event costs a few failed passes (backoff), not a busy loop.
t_absent_bounded() {
	local n from l0 l1 t0 t1 pid
	cl_require
	noautoload
	from=$(lines_of n1)
	unload
	for n in n1 n2; do
		np_wait_for 30 grep -q 'generic netlink family nodeplane unregistered' "$CL_LOGS/nodeplaned-$n.log"
	done
	# A Node event: each daemon runs a pass against the missing module.
	np_defer cl_api DELETE /objects/nodes/n4
	cl_node_put 4 "$(cl_flannel_ann 4)"
	np_wait_for 30 has_failed_after n1 "$from"
	np_wait_for 30 has_failed_after n2 "$from"
	module_gone || np_fail "the module came back although autoload is off"
	pid=$(cl_npd_pid n1)
	l0=$(lines_of n1)
	t0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	sleep 10
	l1=$(lines_of n1)
	t1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	echo "# n1 while the module is away: $((l1 - l0)) log lines, $((t1 - t0)) CPU ticks in 10 s"
	# A spin logs thousands of lines a second: the backoff allows a few
	# passes of a few lines each.
	((l1 - l0 <= 200)) || np_fail "n1 logged $((l1 - l0)) lines in 10 s without the module: $(tail -n5 "$CL_LOGS/nodeplaned-n1.log")"
	((t1 - t0 <= 300)) || np_fail "n1 used $((t1 - t0)) CPU ticks in 10 s without the module"
	cl_npd_alive n1 || np_fail "nodeplaned on n1 exited without the module"
	cl_npd_alive n2 || np_fail "nodeplaned on n2 exited without the module"
	module_gone || np_fail "the module came back although autoload is off"
}

# The module loaded again after a long absence: everything comes back,
# n4 (added meanwhile) included.
t_back() {
	cl_require
	# (the daemons may have autoloaded it already, autoload being back)
	modprobe nodeplane || np_fail "modprobe nodeplane failed"
	cl_node_put 4 "$(cl_flannel_ann 4)"
	np_defer cl_api DELETE /objects/nodes/n4
	np_wait_for 60 cl_peers_are n1 "$DEV" n2 n4
	np_wait_for 60 cl_peers_are n2 "$DEV" n1 n4
	cl_expect_peers n1 "$DEV" n2 n4
	cl_expect_peers n2 "$DEV" n1 n4
	np_wait_for 30 programmed_routes n1
	np_wait_for 30 programmed_routes n2
	cl_npd_alive n1 || np_fail "nodeplaned on n1 exited"
	cl_npd_alive n2 || np_fail "nodeplaned on n2 exited"
}

programmed_routes() { # N
	[[ $(cl_routes "$1" 4) == "$CL_CIDR4 via - dev $DEV" ]] &&
		[[ $(cl_routes "$1" 6) == "$CL_CIDR6 via - dev $DEV" ]] &&
		[[ $(masq_of "$1") == "$MASQ_WANT" ]]
}

np_defer cl_down
np_case cluster-up t_up
np_case reload-recreates-device-peers-routes-masq t_reload
np_case reload-ping-ipv4 cl_case_ping 1 2 4
np_case reload-ping-ipv6 cl_case_ping 2 1 6
np_case reload-tcp-ipv4-cmp cl_case_tcp 1 2 4
np_case reload-tcp-ipv6-cmp cl_case_tcp 2 1 6
np_case module-absent-daemons-alive-bounded t_absent_bounded
np_case module-back-programmed-again t_back
np_case back-ping-ipv4 cl_case_ping 2 1 4
np_case back-tcp-ipv6-cmp cl_case_tcp 1 2 6
np_case nothing-left cl_case_nothing_left
np_finish
