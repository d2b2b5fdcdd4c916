#!/bin/bash
# hostPort through nodeplane against the real CNI portmap plugin
# (/usr/lib/cni/portmap, Debian's containernetworking-plugins): the same
# node and pods, the same mappings, first given to portmap the way the
# container runtime invokes it (CNI_COMMAND=ADD, K3s's conflist: snat
# true), then (portmap's DEL done, its rules gone) to nodeplaned as Pods'
# hostPorts in manifests mode. Each time the reachability table is built
# (source x destination x protocol x port -> the pod reached and the
# source address it saw, or refused / no answer); the two must be equal
# but for the differences documented as deliberate, listed below.
# Runs in the test VM (tests/vm/run).
#
#                 VM root netns: br0 192.0.2.254/24 2001:db8::fe/64 (LAN)
#       +---------------------------+---------------------+
#   n1 eth0 192.0.2.1, 192.0.2.11   n2 eth0 192.0.2.2    client eth0 192.0.2.100
#      2001:db8::1                     2001:db8::2           2001:db8::100
#   cni0 10.42.0.1 2001:db8:42::1                        (route 10.42.0.0/16 via n1)
#    +-- p11 10.42.0.11 2001:db8:42::11
#    +-- p12 10.42.0.12 2001:db8:42::12
#
# Mappings (Pod hostPorts = portmap's runtimeConfig.portMappings):
#   p11: tcp 8001 -> 8001, udp 8001 -> 8001 (hostIP unset, both families)
#   p12: tcp 9001 -> 8001 hostIP 192.0.2.1, udp 9002 -> 8001
# The pods' 8001 servers answer "POD PEERADDR" (tests/user/slb_lib.sh).
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$NP_TOP/tests/user/slb_lib.sh"

PORTMAP=/usr/lib/cni/portmap
NET=cbr0

# Deliberate differences (docs/servicelb-kernel.md "What is left": hairpin
# matches the pod's own address, as portmap's nftables backend does, not
# its whole pod subnet as the iptables backend's `-s podIP/prefix` does):
# a sibling pod reaching another pod's hostPort through a node address is
# masqueraded by portmap (iptables) but keeps its address with nodeplane.
# And [::1]:hostPort from the node is forwarded by neither (portmap
# §4.3: no IPv6 localhost): portmap's ip6tables OUTPUT rule still DNATs
# it (dst-type LOCAL), into a packet from ::1 that cannot leave the node
# (no answer); nodeplane leaves it alone (refused: nothing listens).
# "PROBE|portmap's result|nodeplane's result"
EXPECTED_DIFF=(
	"p12 -> 192.0.2.1 tcp/8001|p11 n1-cni0|p11 p12"
	"p12 -> 2001:db8::1 tcp/8001|p11 n1-cni0|p11 p12"
	"n1 -> ::1 tcp/8001|none|refused"
)

# The probes: "SOURCE-NETNS DESTINATION PROTO PORT".
PROBES=(
	"client 192.0.2.1 tcp 8001" "client 192.0.2.1 udp 8001"
	"client 2001:db8::1 tcp 8001" "client 2001:db8::1 udp 8001"
	"client 192.0.2.1 tcp 9001" "client 192.0.2.11 tcp 9001"
	"client 2001:db8::1 tcp 9001" "client 192.0.2.1 udp 9002"
	"client 2001:db8::1 udp 9002" "client 192.0.2.1 tcp 8002"
	"client 10.42.0.12 tcp 8001"
	"n2 192.0.2.1 tcp 8001" "n2 2001:db8::1 udp 8001" "n2 192.0.2.1 tcp 9001"
	"n1 127.0.0.1 tcp 8001" "n1 127.0.0.1 udp 8001" "n1 127.0.0.1 tcp 9001"
	"n1 ::1 tcp 8001" "n1 192.0.2.1 tcp 8001" "n1 2001:db8::1 tcp 8001"
	"n1 10.42.0.1 tcp 8001" "n1 192.0.2.1 udp 9002"
	"p11 192.0.2.1 tcp 8001" "p11 2001:db8::1 tcp 8001" "p11 192.0.2.1 udp 8001"
	"p12 192.0.2.1 tcp 8001" "p12 2001:db8::1 tcp 8001" "p12 192.0.2.1 tcp 9001"
	"p12 2001:db8::1 udp 9002"
)

# Names of the addresses a pod may see as its peer.
declare -A NAME=()
NAMES=("192.0.2.1 n1" "192.0.2.11 n1" "2001:db8::1 n1" "192.0.2.2 n2"
	"2001:db8::2 n2" "$SL_C4 client" "$SL_C6 client" "10.42.0.1 n1-cni0"
	"2001:db8:42::1 n1-cni0" "127.0.0.1 localhost" "::1 localhost"
	"10.42.0.11 p11" "2001:db8:42::11 p11" "10.42.0.12 p12" "2001:db8:42::12 p12")
names() {
	local a n l
	for l in "${NAMES[@]}"; do
		read -r a n <<<"$l"
		NAME[$(sl_peer "$a")]=$n
	done
}

# probe SRC DST PROTO PORT: "POD PEERNAME", "refused" or "none".
probe() {
	local got i
	case $3 in
	tcp) got=$(in_ns "$1" socat -t10 -T10 - "TCP:$(sl_br "$2"):$4,connect-timeout=5" </dev/null 2>&1) ||
		{ if [[ $got == *"Connection refused"* ]]; then echo refused; else echo none; fi; return 0; } ;;
	udp) for i in 1 2 3; do
			got=$(LB_UDP_WAIT=5 in_ns "$1" "${LB_PY[@]}" udp "$2" "$4" <<<"who" 2>&1) || got=error
			[[ $got == none ]] || break
		done
		[[ $got == *" "* ]] || { echo "$got"; return 0; } ;;
	esac
	read -r pod peer <<<"$got"
	echo "$pod ${NAME[$peer]:-$peer}"
}

# table: one line per probe, "SRC -> DST PROTO/PORT|RESULT".
table() {
	local p s d pr po
	for p in "${PROBES[@]}"; do
		read -r s d pr po <<<"$p"
		echo "$s -> $d $pr/$po|$(probe "$s" "$d" "$pr" "$po")"
	done
}

# portmap as containerd runs it for a sandbox: CNI_* in the environment,
# the network config on stdin (K3s's conflist: snat true; the runtime's
# portMappings; prevResult from the flannel/bridge plugin before it).
cni() { # ADD|DEL POD MAPPINGS-JSON
	jq -cn --arg net "$NET" --arg ns "/var/run/netns/$2" --argjson pm "$3" \
		--arg a4 "$(sl_ip4 "$2")/24" --arg a6 "$(sl_ip6 "$2")/64" '{
		cniVersion: "1.0.0", name: $net, type: "portmap",
		capabilities: {portMappings: true}, snat: true,
		runtimeConfig: {portMappings: $pm},
		prevResult: {cniVersion: "1.0.0",
			interfaces: [{name: "cni0"}, {name: "veth"}, {name: "eth0", sandbox: $ns}],
			ips: [{address: $a4, gateway: "10.42.0.1", interface: 2},
			      {address: $a6, gateway: "2001:db8:42::1", interface: 2}]}}' >"$np__tmp/cni.json"
	ip netns exec n1 env CNI_COMMAND="$1" CNI_CONTAINERID="sandbox-$2" \
		CNI_NETNS="/var/run/netns/$2" CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni \
		"$PORTMAP" <"$np__tmp/cni.json" >"$np__tmp/cni.out" 2>&1 ||
		np_fail "portmap $1 $2: $(cat "$np__tmp/cni.out")"
}
PM_P11='[{"hostPort":8001,"containerPort":8001,"protocol":"tcp","hostIP":""},
	{"hostPort":8001,"containerPort":8001,"protocol":"udp","hostIP":""}]'
PM_P12='[{"hostPort":9001,"containerPort":8001,"protocol":"tcp","hostIP":"192.0.2.1"},
	{"hostPort":9002,"containerPort":8001,"protocol":"udp","hostIP":""}]'

state_ok() { [[ -f $CL_DIR/up ]] || np_fail "the node is not up (see the first failed case)"; }

t_up() {
	[[ -x $PORTMAP ]] || np_skip "no $PORTMAP (containernetworking-plugins, scripts/deps.sh)"
	np_module_install
	rm -f "$CL_DIR/up"
	sl_topo 2 p11 p12
	ip -n n1 addr add 192.0.2.11/24 dev eth0
	ip -n client route add 10.42.0.0/16 via 192.0.2.1
	np_expect_eq 0 "$(ip netns exec n1 sysctl -n net.ipv4.conf.cni0.route_localnet)" \
		"route_localnet on cni0 before"
	touch "$CL_DIR/up"
}

# Phase 1: portmap ADD for both sandboxes; its table.
t_portmap_table() {
	state_ok
	names
	cni ADD p11 "$PM_P11"
	cni ADD p12 "$PM_P12"
	ip netns exec n1 iptables-save -t nat | grep -q 'CNI-DN-' || np_fail "no CNI-DN- chain after portmap ADD"
	np_expect_eq 1 "$(ip netns exec n1 sysctl -n net.ipv4.conf.cni0.route_localnet)" \
		"route_localnet on cni0 (portmap)"
	table | tee "$CL_DIR/table.portmap" "$CL_LOGS/table.portmap"
	# It is the table of a working portmap (else comparing says little).
	grep -qxF 'client -> 192.0.2.1 tcp/8001|p11 client' "$CL_DIR/table.portmap" ||
		np_fail "portmap does not forward client -> 192.0.2.1:8001"
}

# CNI DEL removes portmap's per-sandbox rules: nothing is forwarded any
# more (every probe to a node address refused or unanswered).
t_portmap_del() {
	local bad t
	state_ok
	names
	cni DEL p11 "$PM_P11"
	cni DEL p12 "$PM_P12"
	for t in iptables-save ip6tables-save; do
		! ip netns exec n1 "$t" -t nat | grep 'CNI-DN-' ||
			np_fail "$t: portmap's per-sandbox rules left after DEL"
	done
	ip netns exec n1 sysctl -qw net.ipv4.conf.cni0.route_localnet=0
	table | tee "$CL_DIR/table.del" "$CL_LOGS/table.del"
	bad=$(grep -v -e '|refused$' -e '|none$' -e '^client -> 10\.42\.0\.12 ' "$CL_DIR/table.del" || true)
	[[ -z $bad ]] || np_fail "forwarded after portmap's DEL: $(tr '\n' ';' <<<"$bad")"
}

# Phase 2: the same mappings as Pods' hostPorts, nodeplaned on n1.
t_nodeplane_table() {
	state_ok
	names
	sl_node 1
	sl_node 2
	sl_hostport_pod p11 1 "TCP/8001/8001 UDP/8001/8001"
	sl_hostport_pod p12 2 "TCP/9001/8001/192.0.2.1 UDP/9002/8001"
	cl_npd_config n1 "manifests-dir=$SL_M" "flannel-backend=none" \
		"cluster-cidr=$CL_CIDR4,$CL_CIDR6" "service-cidr=10.43.0.0/16,fd43::/112"
	cl_npd_start n1
	cl_wait "n1: 7 hostport frontends" n1_hostports 7
	np_expect_eq 1 "$(ip netns exec n1 sysctl -n net.ipv4.conf.cni0.route_localnet)" \
		"route_localnet on cni0 (nodeplaned)"
	table | tee "$CL_DIR/table.nodeplane" "$CL_LOGS/table.nodeplane"
}
n1_hostports() {
	[[ $(nsenter --net=/run/netns/n1 "$CL_CTL" -s lb show | grep -cP '\towner\thostport\t') == "$1" ]]
}

# The two tables: equal line for line, but for EXPECTED_DIFF (each must
# be there exactly as listed: a difference that disappears is a change).
t_tables_equal() {
	local e key pm np bad=() k
	state_ok
	[[ -s $CL_DIR/table.portmap && -s $CL_DIR/table.nodeplane ]] || np_fail "a table is missing"
	declare -A A=() B=() X=()
	while IFS='|' read -r k e; do A[$k]=$e; done <"$CL_DIR/table.portmap"
	while IFS='|' read -r k e; do B[$k]=$e; done <"$CL_DIR/table.nodeplane"
	for e in "${EXPECTED_DIFF[@]}"; do
		IFS='|' read -r key pm np <<<"$e"
		X[$key]=1
		echo "expected difference: $key: portmap '$pm', nodeplane '$np'"
		[[ ${A[$key]:-} == "$pm" && ${B[$key]:-} == "$np" ]] ||
			bad+=("$key: expected portmap '$pm' nodeplane '$np', got '${A[$key]:-}' '${B[$key]:-}'")
	done
	for k in "${!A[@]}"; do
		[[ -z ${X[$k]:-} ]] || continue
		[[ ${A[$k]} == "${B[$k]:-}" ]] || bad+=("$k: portmap '${A[$k]}', nodeplane '${B[$k]:-}'")
	done
	np_expect_eq "${#PROBES[@]}" "${#B[@]}" "probes in nodeplane's table"
	((${#bad[@]} == 0)) || np_fail "tables differ: $(printf '%s; ' "${bad[@]}")"
}

t_nothing_left() {
	state_ok
	cl_npd_stop n1
	sl_down
	rmmod nodeplane || np_fail "rmmod nodeplane"
	np_dmesg_clean
}

np_defer sl_down
np_case node-and-pods-up t_up
np_case portmap-add-reachability-table t_portmap_table
np_case portmap-del-removes-its-rules t_portmap_del
np_case nodeplane-hostport-reachability-table t_nodeplane_table
np_case tables-equal-but-documented-differences t_tables_equal
np_case nothing-left t_nothing_left
np_finish
