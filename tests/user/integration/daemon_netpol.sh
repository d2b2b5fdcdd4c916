#!/bin/bash
# NetworkPolicy on two nodes (node-contract.md §4 "NetworkPolicy"),
# manifests mode: each node runs its own nodeplaned (vxlan overlay between
# them) on one shared manifests directory; pods behind each node's cni0
# (br_netfilter on) are judged by traffic: payloads compared with cmp, a
# refused connection failing, and by `nodeplanectl policy show` and the
# daemon's drop log lines. Runs in the test VM (tests/vm/run).
#
#                 VM root netns: br0 192.0.2.254/24 (LAN)
#           +---------------------------+
#   n1 eth0 192.0.2.1              n2 eth0 192.0.2.2
#   nodeplaned, np-vxlan           nodeplaned, np-vxlan
#   cni0 10.42.0.1/24              cni0 10.42.1.1/24
#     p11 10.42.0.11 (server)        p21 10.42.1.11 (client)
#     p12 10.42.0.12 (client)
#
# Pods (namespace default, label app=<pod>) run lb_lib.sh's servers: TCP
# 8000 echo, TCP 8001 "POD PEERADDR". Cases run in order; the state one
# leaves is the next one's start (written at each case's top).
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$NP_TOP/tests/user/slb_lib.sh"

P11=10.42.0.11
P11_6=2001:db8:42::11

require() { cl_require; }
ctl() { nsenter --net="/run/netns/n$1" "$CL_CTL" "${@:2}"; }
# pretty N: `policy show` on node N as on a terminal (its pretty form).
pretty() {
	script -qec "nsenter --net=/run/netns/n$1 $CL_CTL policy show" /dev/null |
		tr -d '\r'
}
# dropped N ADDR: the ingress_dropped counter of endpoint ADDR on node N.
dropped() {
	pretty "$1" | awk -v a="$2" '$1 == a { on = 1; next }
		/^[^ ]/ { on = 0 }
		on && $1 == "counters" {
			for (i = 2; i < NF; i++) if ($i == "ingress_dropped") { v = $(i + 1); sub(",", "", v); print v } }'
}

# np_ns: the default Namespace with the label the API server sets.
ns_default() {
	jq -cn '{apiVersion: "v1", kind: "Namespace",
		metadata: {name: "default",
			labels: {"kubernetes.io/metadata.name": "default"}}}' |
		sl_put ns-default
}

# pod POD [LABELS-JSON]: Pod default/POD running on its node, app=POD and
# LABELS.
pod() {
	local p=$1 labels=${2:-"{}"}
	jq -cn --arg p "$p" --arg n "$(sl_node_of "$p")" \
		--arg a4 "$(sl_ip4 "$p")" --arg a6 "$(sl_ip6 "$p")" \
		--argjson l "$labels" '{
		apiVersion: "v1", kind: "Pod",
		metadata: {name: $p, namespace: "default", uid: ("uid-" + $p),
			creationTimestamp: "2024-01-01T00:00:00Z",
			labels: ({app: $p} + $l)},
		spec: {nodeName: $n, containers: [{name: "c",
			ports: [{name: "echo", containerPort: 8000, protocol: "TCP"}]}]},
		status: {phase: "Running", podIP: $a4,
			podIPs: [{ip: $a4}, {ip: $a6}]}}' | sl_put "pod-$p"
}

# NetworkPolicy default/deny-all: every pod isolated for ingress.
deny_all() {
	jq -cn '{apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy",
		metadata: {name: "deny-all", namespace: "default"},
		spec: {podSelector: {}, policyTypes: ["Ingress"]}}' |
		sl_put np-deny-all
}

# NetworkPolicy default/allow-client: p11 reachable from role=client pods
# on TCP 8000 only.
allow_client() {
	jq -cn '{apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy",
		metadata: {name: "allow-client", namespace: "default"},
		spec: {podSelector: {matchLabels: {app: "p11"}},
			policyTypes: ["Ingress"],
			ingress: [{from: [{podSelector: {matchLabels: {role: "client"}}}],
				ports: [{protocol: "TCP", port: 8000}]}]}}' |
		sl_put np-allow-client
}

# Probes. open FROM ADDR PORT: the who-server answers; refused FROM ADDR
# PORT: the connection fails (the module refuses it).
open() {
	[[ $(in_ns "$1" socat -t5 -T5 - \
		"TCP:$(sl_br "$2"):$3,connect-timeout=3" </dev/null 2>/dev/null) == p11\ * ]]
}
refused() {
	! in_ns "$1" socat -T3 - "TCP:$(sl_br "$2"):$3,connect-timeout=3" \
		</dev/null >/dev/null 2>&1
}
# echo_ok FROM ADDR PORT: 100 kB through the echo server come back whole
# (a status, for polling; echo_cmp fails the case).
echo_ok() {
	local in=$CL_DIR/echo.in out=$CL_DIR/echo.out
	head -c 100000 /dev/urandom >"$in"
	in_ns "$1" socat -t10 -T10 - "TCP:$(sl_br "$2"):$3,connect-timeout=3" \
		<"$in" >"$out" 2>/dev/null && cmp -s "$in" "$out"
}
wait_echo() { cl_wait "$1 -> $2:$3 echo" echo_ok "$@"; }
wait_open() { cl_wait "$1 -> $2:$3 open" open "$@"; }
wait_refused() { cl_wait "$1 -> $2:$3 refused" refused "$@"; }

# p11's endpoint line on node 1 (`policy show -s`).
p11_line() { ctl 1 -s policy show | grep -P "^policy\tset\tendpoint\t$P11\t" || true; }

t_up() {
	local i
	np_module_install
	rm -f "$CL_DIR/up"
	sl_topo 2 p11 p12 p21
	sl_node 1
	sl_node 2
	ns_default
	pod p11
	pod p12
	pod p21
	for i in 1 2; do
		sl_npd_up "$i"
	done
	for i in 1 2; do
		cl_wait "n$i: overlay peer" eval "[[ \$(cl_peers n$i np-vxlan | grep -c .) == 2 ]]"
	done
	touch "$CL_DIR/up"
}

# No policy: every pod reaches p11, same node and across nodes.
t_open() {
	require
	wait_open p21 $P11 8001
	wait_open p12 $P11 8001
	echo_cmp tcp p21 $P11 8000
	echo_cmp tcp p12 $P11 8000
}

# deny-all: a cross-node and a same-node connection refused, both
# families; the node itself still reaches its pod; p11 is isolated for
# ingress in `policy show`.
t_deny_all() {
	local before
	require
	deny_all
	wait_refused p21 $P11 8000
	wait_refused p12 $P11 8000
	refused p21 $P11 8001 || np_fail "p21 -> p11:8001 not refused"
	refused p21 $P11_6 8000 || np_fail "p21 -> [p11]:8000 not refused"
	refused p12 $P11_6 8001 || np_fail "p12 -> [p11]:8001 not refused"
	open n1 $P11 8001 || np_fail "n1 (the node) -> p11:8001 not open"
	p11_line | grep -qP "\tname\tdefault/p11\tisolated\tingress(\t|$)" ||
		np_fail "p11 not isolated for ingress: $(p11_line)"
	# one more refused connection: one more drop counted, exactly
	before=$(dropped 1 $P11)
	[[ $before =~ ^[0-9]+$ ]] || np_fail "no ingress_dropped for p11: $(pretty 1)"
	refused p21 $P11 8000 || np_fail "p21 -> p11:8000 not refused"
	np_expect_eq "$((before + 1))" "$(dropped 1 $P11)" "p11 ingress_dropped"
}

# The drop log on n1 names the pod, the flow and the peer pod.
t_drop_log() {
	require
	refused p21 $P11 8000 || np_fail "p21 -> p11:8000 not refused"
	cl_wait "n1 logs the drop" eval "cl_npd_log n1 | grep -qE 'netpol: DROP by policy default/p11 ingress: tcp 10\.42\.1\.11:[0-9]+ -> 10\.42\.0\.11:8000 from default/p21'"
	cl_npd_log n1 | grep 'DROP by policy' | tail -n 3
}

# allow-client: p21 labelled role=client reaches p11 on 8000 (payload
# compared) and nothing else; p12 (not labelled) stays refused.
t_allow_label() {
	require
	allow_client
	pod p21 '{"role": "client"}'
	wait_echo p21 $P11 8000
	echo_cmp tcp p21 $P11 8000
	echo_cmp tcp p21 $P11_6 8000
	refused p21 $P11 8001 || np_fail "p21 -> p11:8001 not refused"
	refused p12 $P11 8000 || np_fail "p12 -> p11:8000 not refused"
	p11_line | grep -qP "\trule\tingress:[0-9]+:tcp/8000(\t|$)" ||
		np_fail "p11's rule not tcp/8000 from one class: $(p11_line)"
}

# `policy show -s` of n1 (prefixes, rules, names) replayed through
# `nodeplanectl -b` into the client's namespace (no nodeplaned there)
# gives the same state; `policy set` by words, a stale generation
# refused with the module's explanation, a deletion.
t_replay() {
	local want got conf=$CL_DIR/policy.conf gen
	require
	want=$(ctl 1 -s policy show)
	[[ $want == *$'\trule\t'* && $want == *$'\tclass\t'* ]] ||
		np_fail "n1's state has no rule or class: $want"
	printf '%s\n' "$want" >"$conf"
	in_ns client "$CL_CTL" -b "$conf"
	got=$(in_ns client "$CL_CTL" -s policy show)
	np_expect_eq "$want" "$got" "replayed state"
	in_ns client "$CL_CTL" policy set endpoint 10.9.9.9 name t/x isolated egress \
		rule 'egress:any:udp/53;egress:7:tcp/80-90,sctp' class 10.9.0.0/16=7
	np_expect_eq $'policy\tset\tendpoint\t10.9.9.9\tname\tt/x\tisolated\tegress\trule\tegress:any:udp/53;egress:7:tcp/80-90,sctp' \
		"$(in_ns client "$CL_CTL" -s policy show | grep -P '\t10\.9\.9\.9\t')" "set by words"
	gen=$(script -qec "ip netns exec client $CL_CTL policy show" /dev/null |
		tr -d '\r' | awk '$1 == "generation" { print $2 }')
	[[ $gen =~ ^[0-9]+$ ]] || np_fail "no generation in policy show"
	np_expect_fail --stderr 'policy set: .*Stale file handle' \
		in_ns client "$CL_CTL" policy set generation $((gen + 5)) endpoint 10.9.9.9 delete
	in_ns client "$CL_CTL" policy set generation "$gen" endpoint 10.9.9.9 delete class 10.9.0.0/16=0
	np_expect_eq "$want" "$(in_ns client "$CL_CTL" -s policy show)" "after the deletion"
}

# The client's label goes: closed again.
t_label_change() {
	require
	pod p21
	wait_refused p21 $P11 8000
	refused p21 $P11_6 8000 || np_fail "p21 -> [p11]:8000 not refused"
	pod p21 '{"role": "client"}'
	wait_echo p21 $P11 8000
}

# kill -9 of nodeplaned on n1: the kernel keeps enforcing as it was.
t_kill9() {
	local before
	require
	before=$(ctl 1 -s policy show)
	cl_npd_kill n1
	echo_cmp tcp p21 $P11 8000
	refused p21 $P11 8001 || np_fail "p21 -> p11:8001 open without nodeplaned"
	refused p12 $P11 8000 || np_fail "p12 -> p11:8000 open without nodeplaned"
	np_expect_eq "$before" "$(ctl 1 -s policy show)" "policy state after kill -9"
}

# nodeplaned started again: a prober from p12 (refused all along) never
# gets through while the daemon reads the kernel and converges; a label
# change afterwards is applied (the daemon is working).
t_restart() {
	local probe=$CL_DIR/probe.out pid passes
	require
	: >"$probe"
	(
		while :; do
			if in_ns p12 socat -T2 - "TCP:$P11:8001,connect-timeout=2" \
				</dev/null 2>/dev/null | grep -q p11; then
				echo open >>"$probe"
			fi
			sleep 0.1
		done
	) &
	pid=$!
	passes=$(cl_npd_log n1 | grep -c 'netpol: pass .* (full)' || true)
	cl_npd_start n1
	cl_wait "n1: a full netpol pass after the restart" eval \
		"[[ \$(cl_npd_log n1 | grep -c 'netpol: pass .* (full)') -gt $passes ]]"
	sleep 2		# more probes against the converged state
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	np_expect_eq "" "$(sort -u "$probe")" "p12 -> p11:8001 during the restart"
	pod p12 '{"role": "client"}'
	wait_echo p12 $P11 8000
	echo_cmp tcp p12 $P11 8000
	refused p12 $P11 8001 || np_fail "p12 -> p11:8001 not refused"
	pod p12
}

# Both policies deleted: everything open again, p11 no longer isolated.
t_delete() {
	require
	sl_rm np-deny-all np-allow-client
	wait_open p12 $P11 8001
	wait_open p21 $P11 8001
	echo_cmp tcp p12 $P11 8000
	p11_line | grep -qP "\tisolated\tingress" && np_fail "p11 still isolated: $(p11_line)"
	true
}

# disable: [network-policy] and SIGHUP on n1: one transaction removes
# everything (`policy show` empty), traffic open though deny-all is back.
t_disable() {
	require
	deny_all
	wait_refused p12 $P11 8000
	sl_npd_config 1 network-policy
	sl_hup 1
	cl_wait "n1: policy state empty" eval "[[ -z \$(ctl 1 -s policy show) ]]"
	cl_wait "n1 logs the stop" eval "cl_npd_log n1 | grep -q 'netpol: disabled: nothing left in the kernel, stopped'"
	echo_cmp tcp p12 $P11 8000
	echo_cmp tcp p21 $P11 8000
	open p21 $P11 8001 || np_fail "p21 -> p11:8001 not open"
	pretty 1 | grep -q "^endpoints  0$" || np_fail "policy show: $(pretty 1)"
	pretty 1 | grep -q "^class map  empty$" || np_fail "policy show: $(pretty 1)"
}

# The last case: the cluster down, the module unloaded, no hook, device
# or namespace left.
t_nothing_left() {
	sl_down
	if [[ -d /sys/module/nodeplane ]]; then rmmod nodeplane; fi
	np_expect_fail test -d /sys/module/nodeplane
	ov_np_nodevs
	np_expect_eq "" "$(ip netns list)" "namespaces left"
	modprobe nfnetlink_hook 2>/dev/null || true
	nft list hooks 2>&1 | grep nodeplane && np_fail "a nodeplane hook after rmmod"
	np_dmesg_clean
}

np_defer sl_down
np_case cluster-up-two-nodes-manifests t_up
np_case no-policy-everything-open t_open
np_case deny-all-refuses-cross-node-and-same-node t_deny_all
np_case drop-log-names-the-pod t_drop_log
np_case allow-by-pod-label-opens-exactly-that-pod-and-port t_allow_label
np_case policy-show-replays-through-batch-and-set-words t_replay
np_case client-label-removed-closes-again t_label_change
np_case kill-9-keeps-enforcement t_kill9
np_case restart-converges-without-opening t_restart
np_case policies-deleted-reopen t_delete
np_case disable-network-policy-sighup-removes-everything t_disable
np_case rmmod-leaves-nothing t_nothing_left
np_finish
