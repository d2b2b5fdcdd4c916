# shellcheck shell=bash
#
# tests/user/netpol_lib.sh: the NetworkPolicy conformance cluster for
# integration/netpol_conformance.sh: two nodes of spec/node-contract.md
# §1 (slb_lib.sh's sl_topo: a LAN, nodes n1 n2 with cni0, vxlan overlay
# by nodeplaned in manifests mode), upstream's model behind them: Namespaces x y z (ns=NAME and
# kubernetes.io/metadata.name=NAME), pods a b c in each (pod=NAME), every
# pod serving TCP, UDP and SCTP on 80 and 81 (netpol_run.py serve: answers
# "NS/POD"). Pods alternate between the nodes (netpol_run.py topo):
#
#                 VM root netns: br0 192.0.2.254/24 2001:db8::fe/64 (LAN)
#              +-----------------------------+
#   n1 eth0 192.0.2.1 2001:db8::1     n2 eth0 192.0.2.2 2001:db8::2
#   nodeplaned (np-vxlan)             nodeplaned (np-vxlan)
#   cni0 10.42.0.1 2001:db8:42::1     cni0 10.42.1.1 2001:db8:42:1::1
#    x/a p1 10.42.0.11                 x/b p2 10.42.1.12
#    x/c p3 10.42.0.13                 y/a p4 10.42.1.14
#    y/b p5 10.42.0.15                 y/c p6 10.42.1.16
#    z/a p7 10.42.0.17                 z/b p8 10.42.1.18
#    z/c p9 10.42.0.19
#   (IPv6: 2001:db8:42:N-1::(11+i), same last number)
#
# The objects (Nodes, Namespaces, Pods, the cases' NetworkPolicies) are JSON
# manifests in $SL_M, read by both nodeplaned. Each case of
# tests/user/netpol_cases/ is one np_case: netpol_run.py writes its policies
# and label changes, polls the whole matrix (72 ordered pairs, in parallel)
# until it is the expected one (for each family the case runs over),
# removes its objects and waits until every pair reaches again. Sourced
# after tests/user/lib.sh.

. "$NP_TOP/tests/user/slb_lib.sh"

NPC_PY=(/usr/bin/python3 "$NP_TOP/tests/user/netpol_run.py")
NPC_CASES=$NP_TOP/tests/user/netpol_cases

# npc_pods: "NS POD NETNS NODE IP4 IP6" lines.
npc_pods() { "${NPC_PY[@]}" topo; }

# npc_pod NS POD NETNS NODE IP4 IP6: the pod's netns behind its node's
# cni0 (veth, hairpin on, MTU 1450 as flannel sets it), its servers.
npc_pod() {
	local ns=$1 pod=$2 netns=$3 node=$4 ip4=$5 ip6=$6 i=${4#n} dev=pod-$1-$2
	cl__netns "$netns"
	# SCTP retransmits a lost INIT after rto_initial (3 s by default, more
	# than a probe waits; TCP resends its SYN after 1 s): 300 ms here.
	ip netns exec "$netns" sysctl -qw net.sctp.rto_initial=300 net.sctp.rto_min=100 \
		net.sctp.rto_max=1000
	ip link add "$dev" netns "$node" mtu 1450 type veth peer eth0 netns "$netns" mtu 1450
	ip -n "$node" link set "$dev" master cni0 up
	ip -n "$node" link set "$dev" type bridge_slave hairpin on
	ip -n "$netns" -batch - <<-EOF
		addr add $ip4/24 dev eth0
		addr add $ip6/64 dev eth0 nodad
		link set eth0 up
		route add default via $(ov_gw4 "$i")
		route add default via $(ov_gw6 "$i")
	EOF
	rm -f "$CL_DIR/srv-$ns-$pod.ready"
	ip netns exec "$netns" "${NPC_PY[@]}" serve "$ns/$pod" "$CL_DIR/srv-$ns-$pod.ready" \
		</dev/null >>"$CL_LOGS/server-$ns-$pod.log" 2>&1 &
}

npc__servers_ready() {
	local ns pod rest
	while read -r ns pod rest; do
		[[ -s $CL_DIR/srv-$ns-$pod.ready ]] || return 1
	done < <(npc_pods)
}

# Both nodeplaned hold the other node as their overlay peer (two lines:
# IPv4 and IPv6).
npc__peers() {
	[[ $(cl_peers n1 np-vxlan | grep -c .) == 2 && $(cl_peers n2 np-vxlan | grep -c .) == 2 ]]
}

# npc_up: the whole cluster, servers answering, both daemons converged
# (overlay peers). Marks the cluster up.
npc_up() {
	local line
	rm -f "$CL_DIR/up"
	sl_topo 2
	while read -r line; do
		# shellcheck disable=SC2086 # six words
		npc_pod $line
	done < <(npc_pods)
	sl_node 1
	sl_node 2
	"${NPC_PY[@]}" objects "$SL_M"
	sl_npd_up 1
	sl_npd_up 2
	cl_wait "9 pods serving TCP, UDP, SCTP on 80 and 81" npc__servers_ready
	cl_wait "n1 and n2: overlay peers" npc__peers
	touch "$CL_DIR/up"
}

# npc_baseline FAMILY: no policy: every pod reaches every other pod on 80
# and 81 over TCP, UDP and SCTP (what the harness relies on).
npc_baseline() {
	cl_require
	"${NPC_PY[@]}" baseline "$1" || np_fail "IPv$1 baseline: not every pair reaches (tables above)"
}

# npc_harness_sees_drops FAMILY: the probes tell a dropped connection (a
# silent DROP: timeout) and a rejected one (ICMP unreachable) from an
# answered one: node n1 drops, then rejects, every packet forwarded to x/a
# (bridged from x/c, y/b, z/a, z/c on n1; routed from the pods on n2): no
# connection to x/a, and none from it (the replies are forwarded to it).
npc_harness_sees_drops() {
	local f=$1 cmd=iptables dst target ops
	cl_require
	[[ $f == 4 ]] || cmd=ip6tables
	command -v "$cmd" >/dev/null || np_skip "$cmd is not installed"
	dst=$("${NPC_PY[@]}" topo | awk -v c=$((f == 4 ? 5 : 6)) '$1 == "x" && $2 == "a" { print $c }')
	ops='[["ExpectAllIngress", "x/a", false], ["ExpectAllEgress", "x/a", false]]'
	for target in DROP REJECT; do
		ip netns exec n1 "$cmd" -I FORWARD -d "$dst" -j "$target"
		np_defer ip netns exec n1 "$cmd" -D FORWARD -d "$dst" -j "$target"
		"${NPC_PY[@]}" expect "$f" UDP 81 true "$ops" ||
			np_fail "$target of UDP to x/a on n1 not seen as expected"
		"${NPC_PY[@]}" expect "$f" TCP 80 true "$ops" ||
			np_fail "$target of TCP to x/a on n1 not seen as expected"
		"${NPC_PY[@]}" expect "$f" SCTP 80 true "$ops" ||
			np_fail "$target of SCTP to x/a on n1 not seen as expected"
		ip netns exec n1 "$cmd" -D FORWARD -d "$dst" -j "$target"
	done
	"${NPC_PY[@]}" baseline "$f" || np_fail "not every pair reaches again on every port and protocol"
}

# npc_runner_start: one `netpol_run.py case-server` for every case (a
# Python start costs seconds in the VM), its requests and answers through
# two FIFOs held open (read-write: never blocking) as NPC_IN and NPC_OUT.
# Call it at the script's top level, after the cluster is up: the cases
# run in subshells, which inherit the descriptors.
npc_runner_start() {
	[[ -f $CL_DIR/up ]] || return 0
	mkfifo "$CL_DIR/npc.in" "$CL_DIR/npc.out"
	exec {NPC_IN}<>"$CL_DIR/npc.in" {NPC_OUT}<>"$CL_DIR/npc.out"
	"${NPC_PY[@]}" case-server "$SL_M" <"$CL_DIR/npc.in" >"$CL_DIR/npc.out" \
		2>>"$CL_LOGS/case-server.log" &
	NPC_RUNNER_PID=$!
	np_defer npc__runner_stop
}

npc__runner_stop() { kill "$NPC_RUNNER_PID" 2>/dev/null || true; }

# npc_case FILE FAMILIES: one conformance case, its probes over each of
# FAMILIES (4, 6 or 4,6), run by the case server.
npc_case() {
	cl_require
	local name log word rc
	[[ -n ${NPC_RUNNER_PID:-} ]] || np_fail "no case runner (npc_runner_start)"
	name=$(basename "$1" .json)
	mkdir -p "$CL_LOGS/cases"
	log=$CL_LOGS/cases/$name.log
	printf '%s %s %s\n' "$1" "$2" "$log" >&"$NPC_IN"
	until read -r -t 5 -u "$NPC_OUT" word rc; do
		kill -0 "$NPC_RUNNER_PID" 2>/dev/null ||
			np_fail "the case runner died (log: $CL_LOGS/case-server.log)"
	done
	cat "$log"
	[[ $word == done && $rc == 0 ]] ||
		np_fail "$name: observed reachability differs (truth tables above; all of it in $log)"
}

# npc_cases: one np_case per case file of tests/user/netpol_cases/, in
# file order: the upstream ones and the supplementary ones (supp-*) over
# IPv4, those marked "core": true over IPv4 and IPv6 in the same run
# (NPC_ONLY=REGEX: only the cases whose names match, for debugging).
npc_cases() {
	local f name fams
	for f in "$NPC_CASES"/*.json; do
		name=$(basename "$f" .json)
		[[ -z ${NPC_ONLY:-} || $name =~ $NPC_ONLY ]] || continue
		fams=4
		if grep -q '"core": true' "$f"; then
			fams=4,6
			name+=-ipv4-ipv6
		fi
		np_case "$name" npc_case "$f" "$fams"
	done
}

# npc_nothing_left: the last case: daemons, servers, namespaces gone, the
# module unloaded, no kernel warning.
npc_nothing_left() {
	sl_down
	if [[ -d /sys/module/nodeplane ]]; then rmmod nodeplane; fi
	np_expect_fail test -d /sys/module/nodeplane
	np_expect_eq "" "$(ip netns list)" "namespaces left"
	np_dmesg_clean
}
