#!/bin/bash
# The LB part of the module's life: its parameters (max_frontends,
# max_backends, max_ranges: -ENOSPC naming them; disable=servicelb and
# disable=hostport: -EOPNOTSUPP, nothing hooked), netns exit and rmmod with
# frontends, staged objects and NAT bindings in place. Runs inside the
# test VM (tests/vm/run).
#
#   netns cfg ── lb_nl.py ──genl──> nodeplane.ko (reloaded per case)
#   netns c 198.18.0.2 ── veth ── netns t 198.18.0.1 (a node: whether
#            conntrack tracks there shows whether our hooks exist)
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lb_lib.sh"

lbc() { in_ns cfg "${LB_PY[@]}" "$@"; }
info() { lbc info | awk -v k="$1" '$1 == k { print $2 }'; }

reload() { # reload [PARAM...]
	if [ -d /sys/module/nodeplane ]; then rmmod nodeplane; fi
	modprobe nodeplane "$@"
}

case_parameters() {
	local p
	reload
	np_netns_add cfg
	for p in "max_frontends 4096" "max_backends 65536" "max_ranges 262144"; do
		np_expect_eq "${p#* }" "$(cat "/sys/module/nodeplane/parameters/${p% *}")" "default ${p% *}"
		np_expect_eq "${p#* }" "$(info "${p% *}")" "INFO ${p% *}"
		np_expect_eq "-r--r--r--" "$(stat -c %A "/sys/module/nodeplane/parameters/${p% *}")" "mode of ${p% *}"
	done
	reload max_frontends=7 max_backends=8 max_ranges=9
	np_expect_eq "7 8 9" "$(info max_frontends) $(info max_backends) $(info max_ranges)" "INFO limits"
	rmmod nodeplane
	np_expect_fail modprobe nodeplane max_frontends=-1
	np_expect_fail test -d /sys/module/nodeplane
}

# Limits per netns, staged objects included; a replace counts only the
# difference.
case_limits() {
	reload max_frontends=2 max_backends=3 max_ranges=2
	np_netns_add cfg
	np_netns_add other
	lbc set tcp 80 backend 10.42.0.5:80,10.42.0.6:80 >/dev/null
	lbc set tcp 81 ranges 10.0.0.0/8,192.0.2.0/24 >/dev/null
	np_expect_fail --stderr '^ENOSPC: nodeplane: too many frontends in this netns \(module parameter max_frontends, staged ones included\)$' \
		lbc set tcp 82
	np_expect_fail --stderr '^ENOSPC: nodeplane: too many backends in this netns \(module parameter max_backends\)$' \
		lbc set tcp 81 backend 10.42.0.5:80,10.42.0.6:80
	np_expect_fail --stderr '^ENOSPC: nodeplane: too many source ranges in this netns \(module parameter max_ranges\)$' \
		lbc set tcp 80 ranges 10.0.0.0/8 backend 10.42.0.5:80,10.42.0.6:80
	# replacing within the limits works
	lbc set tcp 80 backend 10.42.0.7:80,10.42.0.8:80 >/dev/null
	lbc set tcp 81 ranges 10.0.0.0/9,10.128.0.0/9 backend 10.42.0.5:80 >/dev/null
	np_expect_eq "2 3 2" "$(info frontends) $(info backends) $(info ranges)" "INFO counts"
	# a staged object counts: one frontend gone, one staged, one more refused
	lbc del tcp 81 >/dev/null
	np_expect_eq "ok gen=6
1
ENOSPC: nodeplane: too many frontends in this netns (module parameter max_frontends, staged ones included)
ENOSPC: nodeplane: too many backends in this netns (module parameter max_backends)" "$(lbc raw \
		set key4 udp 80 be 10.42.0.5:80 u32 12 1 -- info staged -- \
		sock 1 set key4 udp 81 -- \
		set key4 udp 80 be 10.42.0.6:80 u32 12 3)" "staged counted"
	# per netns
	in_ns other "${LB_PY[@]}" set tcp 80 backend 10.42.0.5:80,10.42.0.6:80,10.42.0.7:80 >/dev/null
	np_expect_fail --stderr '^ENOSPC: ' in_ns other "${LB_PY[@]}" set tcp 81 backend 10.42.0.5:81
}

# lb_ct_after_probe: conntrack entries in netns t after a datagram from c
# to t's udp 54 (no frontend there: delivered, answered, confirmed). Some
# exist only while conntrack is on in t, which only our hooks turn on.
lb_ct_after_probe() {
	in_ns c "${LB_PY[@]}" udp 198.18.0.1 54 </dev/null >/dev/null
	in_ns t conntrack -L -f ipv4 2>/dev/null | grep -c 'dport=54' || true
}

# disable=servicelb: servicelb frontends refused (and hostport ones kept
# working); with hostport disabled too every LB command is refused and
# no hook exists (conntrack stays off in the netns).
case_disabled() {
	reload disable=servicelb
	np_netns_add cfg
	np_expect_fail --stderr '^EOPNOTSUPP: nodeplane: servicelb disabled by the disable= module parameter$' \
		lbc set tcp 80 backend 10.42.0.5:80
	np_expect_fail --stderr '^EOPNOTSUPP: nodeplane: servicelb disabled' \
		lbc set tcp 80 owner servicelb chunk 1 backend 10.42.0.5:80
	lbc set tcp 80 owner hostport backend 10.42.0.5:80 >/dev/null
	np_expect_eq "lb set -4 tcp 80 owner hostport backend 10.42.0.5:80" "$(lbc show)" "hostport frontend"
	np_expect_eq 0 "$(info staged)" "nothing staged"
	reload disable=hostport
	lbc set tcp 80 backend 10.42.0.5:80 >/dev/null
	np_expect_fail --stderr '^EOPNOTSUPP: nodeplane: hostport disabled by the disable= module parameter$' \
		lbc set tcp 81 owner hostport backend 10.42.0.5:80
	reload disable=servicelb,hostport
	lb_mini_topology
	np_expect_eq "EOPNOTSUPP: nodeplane: servicelb and hostport disabled by the disable= module parameter
EOPNOTSUPP: nodeplane: servicelb and hostport disabled by the disable= module parameter
EOPNOTSUPP: nodeplane: servicelb and hostport disabled by the disable= module parameter
EOPNOTSUPP: nodeplane: servicelb and hostport disabled by the disable= module parameter" \
		"$(in_ns t "${LB_PY[@]}" raw set key4 udp 54 u8 7 2 -- del key4 udp 54 -- get key4 udp 54 -- dump)" \
		"every LB command"
	np_expect_eq 0 "$(lb_ct_after_probe)" "conntrack entries: no hook"
	# the same netns, module enabled: the hook tracks and refuses
	reload
	in_ns t "${LB_PY[@]}" set udp 55 owner hostport >/dev/null
	np_expect_eq 1 "$(lb_ct_after_probe)" "conntrack entries with a frontend"
	np_expect_eq refused "$(in_ns c env LB_UDP_RESEND=0 "${LB_PY[@]}" udp 198.18.0.1 55 </dev/null)" "udp 55"
	np_expect_eq 1 "$(in_ns t "${LB_PY[@]}" stats udp 55 | tr ' ' '\n' | awk -F= '$1 == "drop_no_backend" { print $2 }')" \
		"drop_no_backend"
}

# The hooks go with the last frontend of their family.
case_hooks_follow_frontends() {
	reload
	lb_mini_topology
	np_expect_eq 0 "$(lb_ct_after_probe)" "no frontend"
	in_ns t "${LB_PY[@]}" set -6 udp 55 >/dev/null
	np_expect_eq 0 "$(lb_ct_after_probe)" "an IPv6 frontend only"
	in_ns t "${LB_PY[@]}" set udp 55 >/dev/null
	np_expect_eq 1 "$(lb_ct_after_probe)" "an IPv4 frontend"
	in_ns t "${LB_PY[@]}" del udp 55 >/dev/null
	in_ns t conntrack -F 2>/dev/null
	np_expect_eq 0 "$(lb_ct_after_probe)" "the IPv4 frontend deleted"
}

# Netns exit and rmmod with everything in place: frontends of both
# families, a staged object whose socket outlives the module, NAT
# bindings in conntrack. Nothing left, nothing warned.
case_exit_and_unload() {
	local pid
	reload
	lb_mini_topology
	np_netns_add gone
	in_ns t "${LB_PY[@]}" set udp 56 affinity 60 backend 198.18.0.2:9/local >/dev/null
	in_ns t "${LB_PY[@]}" set -6 tcp 80 ranges ::/0 backend '[fd42::5]:80' >/dev/null
	in_ns t "${LB_PY[@]}" udp 198.18.0.1 56 </dev/null >/dev/null
	np_expect_eq 1 "$(in_ns t conntrack -L -f ipv4 --dst-nat 2>/dev/null | grep -c 'dport=56')" "NAT binding"
	in_ns gone "${LB_PY[@]}" set tcp 80 backend 10.42.0.5:80 >/dev/null
	in_ns gone "${LB_PY[@]}" set udp 80 backend 10.42.0.5:80 >/dev/null
	# a socket that keeps an object staged while the netns and module go
	in_ns t /usr/bin/python3 -S -c "
import sys; sys.path.insert(0, '$NP_TOP/tests/user'); import lb_nl, time
sk = lb_nl.Sock()
sk.genl(lb_nl.CMD_LB_SET, lb_nl.key_attrs(2, 6, 99, None) + lb_nl.nla(12, b'\x01\0\0\0'))
print('staged', flush=True)
time.sleep(600)" >"$np__tmp/stager" &
	pid=$!
	np_wait_for 30 grep -q staged "$np__tmp/stager"
	np_expect_eq 1 "$(in_ns t "${LB_PY[@]}" info | awk '$1 == "staged" { print $2 }')" "staged"
	ip netns del gone
	rmmod nodeplane
	np_expect_fail test -d /sys/module/nodeplane
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	np_expect_fail grep -q nodeplane <<<"$(genl ctrl list 2>&1)"
	np_dmesg_clean
	# the netns lives on without us; loading again starts from nothing
	modprobe nodeplane
	np_expect_eq "" "$(in_ns t "${LB_PY[@]}" show)" "frontends after reload"
	np_expect_eq 1 "$(in_ns t "${LB_PY[@]}" info | awk '$1 == "generation" { print $2 }')" "generation after reload"
}

np_module_install
np_case parameters case_parameters
np_case limits case_limits
np_case disabled case_disabled
np_case hooks-follow-frontends case_hooks_follow_frontends
np_case exit-and-unload case_exit_and_unload
np_finish
