# shellcheck shell=bash
#
# tests/user/slb_lib.sh: nodes of spec/node-contract.md §1 for the
# multi-node ServiceLB and hostPort scripts (daemon_servicelb_cluster.sh,
# hostport_portmap.sh): a LAN, nodes as network namespaces each with eth0
# on it, a bridge cni0 and pod namespaces behind it (veths, hairpin on),
# an external client on the LAN, the Kubernetes objects written as JSON
# manifests into one directory every node's nodeplaned reads, and probes.
# Sourced after tests/user/lib.sh; sources cluster_lib.sh (nodeplaned
# start/stop, flannel annotations, logs) and lb_lib.sh (servers, probes).
#
#                 VM root netns: br0 192.0.2.254/24 2001:db8::fe/64 (LAN)
#       +-----------------+-----------------+-----------------+
#   n1 eth0 192.0.2.1  n2 eth0 192.0.2.2  n3 eth0 192.0.2.3  client eth0
#      2001:db8::1        2001:db8::2        2001:db8::3     192.0.2.100, .101
#   cni0 10.42.0.1     cni0 10.42.1.1     cni0 10.42.2.1     2001:db8::100, ::101
#    2001:db8:42::1     2001:db8:42:1::1   2001:db8:42:2::1
#   pods p11 p12       pod p21            pod p31
#
# Pod pIK (node I, pod K): 10.42.(I-1).(10+K), 2001:db8:42:(I-1)::(10+K),
# MTU 1450 (as flannel sets it), default routes via cni0's addresses.
# Each pod runs lb_lib.sh's servers: TCP/UDP/SCTP 8000 echo, TCP/UDP 8001
# answering "POD PEERADDR".

. "$NP_TOP/tests/user/cluster_lib.sh"
. "$NP_TOP/tests/user/lb_lib.sh"

SL_M=$CL_DIR/manifests
SL_C4=192.0.2.100
SL_C4B=192.0.2.101
SL_C6=2001:db8::100
SL_C6B=2001:db8::101 # deprecated (preferred_lft 0): a source only when bound

# socat's SOCAT_PEERADDR of an address: IPv6 bracketed, every group in full.
sl_peer() {
	if [[ $1 == *:* ]]; then
		python3 -c 'import ipaddress,sys; print("[%s]" % ipaddress.ip_address(sys.argv[1]).exploded)' "$1"
	else
		echo "$1"
	fi
}

sl_ip4() { echo "10.42.$((${1:1:1} - 1)).$((10 + ${1:2:1}))"; }
sl_ip6() { ov_v6 "${1:1:1}" "$((10 + ${1:2:1}))"; }
sl_ip() { "sl_ip$2" "$1"; } # POD FAMILY
sl_node_of() { echo "n${1:1:1}"; }
sl_addr() { "ov_u$2" "$1"; } # NODE-INDEX FAMILY: the node's eth0 address

# sl_pod POD: the pod namespace behind its node's cni0, servers started.
sl_pod() {
	local p=$1 n
	n=$(sl_node_of "$p")
	cl__netns "$p"
	ip link add "$p" netns "$n" mtu 1450 type veth peer eth0 netns "$p" mtu 1450
	ip -n "$n" link set "$p" master cni0 up
	ip -n "$n" link set "$p" type bridge_slave hairpin on
	ip -n "$p" -batch - <<-EOF
		addr add $(sl_ip4 "$p")/24 dev eth0
		addr add $(sl_ip6 "$p")/64 dev eth0 nodad
		link set eth0 up
		route add default via $(ov_gw4 "${p:1:1}")
		route add default via $(ov_gw6 "${p:1:1}")
	EOF
	lb_servers "$p" "$p"
}

sl_down() {
	cl_down
	np__netns_del client
}

# sl_topo N POD...: the LAN, nodes n1..nN (node-contract §1), the pods,
# the client.
sl_topo() {
	local n=$1 i p
	shift
	sl_down
	modprobe br_netfilter || np_fail "modprobe br_netfilter"
	modprobe sctp 2>/dev/null || true
	# cl_topo's LAN and nodes; its point-to-point pod0 and pod pI give way
	# to the contract's bridge cni0 (pods: sl_pod).
	cl_topo "$n" 1450
	for ((i = 1; i <= n; i++)); do
		ip -n "n$i" link del pod0
		np__netns_del "p$i"
		ip netns exec "n$i" sysctl -qw net.bridge.bridge-nf-call-iptables=1 \
			net.bridge.bridge-nf-call-ip6tables=1
		ip -n "n$i" -batch - <<-EOF
			link add cni0 type bridge
			addr add $(ov_gw4 "$i")/24 dev cni0
			addr add $(ov_gw6 "$i")/64 dev cni0 nodad
			link set cni0 up
		EOF
	done
	cl__netns client
	ip link add vcl type veth peer eth0 netns client
	ip link set vcl master br0 up
	ip -n client -batch - <<-EOF
		addr add $SL_C4/24 dev eth0
		addr add $SL_C4B/24 dev eth0
		addr add $SL_C6/64 dev eth0 nodad
		addr add $SL_C6B/64 dev eth0 nodad preferred_lft 0
		link set eth0 up
	EOF
	for p in "$@"; do
		sl_pod "$p"
	done
	mkdir -p "$SL_M"
}

# --- manifests ----------------------------------------------------------------

# sl_put NAME: JSON on stdin written atomically as $SL_M/NAME.json
# (every nodeplaned watches the directory).
sl_put() {
	cat >"$SL_M/.$1.tmp" && mv "$SL_M/.$1.tmp" "$SL_M/$1.json"
}
sl_rm() { local f; for f in "$@"; do rm -f "$SL_M/$f.json"; done; }

# sl_node i [JQ-FILTER]: Node ni as K3s leaves it (podCIDRs, addresses,
# Ready, flannel's vxlan annotations with stock-style VTEP MACs), FILTER
# applied (labels, taints).
sl_node() {
	cl_node_json "$1" "$(cl_flannel_ann "$1")" | jq -c \
		'.metadata.creationTimestamp = "2024-01-01T00:00:00Z" |
		 .status.conditions = [{type: "Ready", status: "True"}] | '"${2:-.}" |
		sl_put "node-n$1"
}

# sl_svc NAME TIMESTAMP-SECONDS PORTS [JQ-FILTER]: a dual-stack
# LoadBalancer Service default/NAME, ETP Cluster; PORTS are
# "name/PROTO/port/targetPort" words (targetPort a number or a name).
sl_svc() {
	local name=$1 ts=$2 ports=$3 w pj=()
	for w in $ports; do
		IFS=/ read -r pn pr po pt <<<"$w"
		if [[ $pt =~ ^[0-9]+$ ]]; then
			pj+=("{\"name\":\"$pn\",\"protocol\":\"$pr\",\"port\":$po,\"targetPort\":$pt}")
		else
			pj+=("{\"name\":\"$pn\",\"protocol\":\"$pr\",\"port\":$po,\"targetPort\":\"$pt\"}")
		fi
	done
	jq -cn --arg name "$name" --arg ts "$(printf '2024-01-01T00:%02d:%02dZ' $((ts / 60)) $((ts % 60)))" \
		--argjson ports "[$(IFS=,; echo "${pj[*]}")]" '{
		apiVersion: "v1", kind: "Service",
		metadata: {name: $name, namespace: "default", uid: ("uid-" + $name),
			creationTimestamp: $ts},
		spec: {type: "LoadBalancer", clusterIPs: ["10.43.0.10", "fd43::10"],
			ipFamilies: ["IPv4", "IPv6"], ipFamilyPolicy: "RequireDualStack",
			externalTrafficPolicy: "Cluster", sessionAffinity: "None",
			ports: $ports}} | '"${4:-.}" | sl_put "svc-$name"
}

# sl_eps SVC PORTS POD...: the Service's EndpointSlices, one per family,
# ready endpoints POD... (node from the pod's name); PORTS are
# "name/PROTO/port" words.
sl_eps() {
	local svc=$1 ports=$2 f w p pj=() ej
	shift 2
	for w in $ports; do
		IFS=/ read -r pn pr po <<<"$w"
		pj+=("{\"name\":\"$pn\",\"protocol\":\"$pr\",\"port\":$po}")
	done
	for f in 4 6; do
		ej=()
		for p in "$@"; do
			ej+=("{\"addresses\":[\"$(sl_ip "$p" "$f")\"],\"nodeName\":\"$(sl_node_of "$p")\",\"targetRef\":{\"kind\":\"Pod\",\"namespace\":\"default\",\"name\":\"$p\"},\"conditions\":{\"ready\":true,\"serving\":true,\"terminating\":false}}")
		done
		jq -cn --arg svc "$svc" --arg f "$f" \
			--argjson ports "[$(IFS=,; echo "${pj[*]}")]" \
			--argjson eps "[$(IFS=,; echo "${ej[*]}")]" '{
			apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice",
			metadata: {name: ($svc + "-v" + $f), namespace: "default",
				labels: {"kubernetes.io/service-name": $svc}},
			addressType: ("IPv" + $f), ports: $ports, endpoints: $eps}' |
			sl_put "eps-$svc-v$f"
	done
}

# sl_hostport_pod POD TIMESTAMP-SECONDS MAPPINGS: Pod default/POD running
# on its node with the pod's IPs; MAPPINGS are
# "PROTO/hostPort/containerPort[/hostIP]" words.
sl_hostport_pod() {
	local p=$1 ts=$2 w pj=()
	for w in $3; do
		IFS=/ read -r pr hp cp hip <<<"$w"
		pj+=("{\"containerPort\":$cp,\"hostPort\":$hp,\"protocol\":\"$pr\"${hip:+,\"hostIP\":\"$hip\"}}")
	done
	jq -cn --arg p "$p" --arg n "$(sl_node_of "$p")" \
		--arg ts "$(printf '2024-01-01T00:%02d:%02dZ' $((ts / 60)) $((ts % 60)))" \
		--arg a4 "$(sl_ip4 "$p")" --arg a6 "$(sl_ip6 "$p")" \
		--argjson ports "[$(IFS=,; echo "${pj[*]}")]" '{
		apiVersion: "v1", kind: "Pod",
		metadata: {name: $p, namespace: "default", uid: ("uid-" + $p),
			creationTimestamp: $ts, labels: {app: $p}},
		spec: {nodeName: $n, containers: [{name: "c", ports: $ports}]},
		status: {phase: "Running", podIP: $a4,
			podIPs: [{ip: $a4}, {ip: $a6}]}}' | sl_put "pod-$p"
}

# sl_npd_up i [DISABLE]: node ni's config.yaml (manifests mode, vxlan,
# dual-stack; "disable: [DISABLE]" when given) and nodeplaned started.
sl_npd_config() {
	cl_npd_config "n$1" "manifests-dir=$SL_M" "flannel-backend=vxlan" \
		"cluster-cidr=$CL_CIDR4,$CL_CIDR6" \
		"service-cidr=10.43.0.0/16,fd43::/112" ${2:+"disable=[$2]"}
}
sl_npd_up() {
	sl_npd_config "$@"
	cl_npd_start "n$1"
}

# sl_hup i: SIGHUP to node ni's nodeplaned, waits for the reload to end.
sl_hup() {
	local log=$CL_LOGS/nodeplaned-n$1.log n
	n=$(grep -c 'reload: done' "$log" || true)
	kill -HUP "$(cl_npd_pid "n$1")"
	np_wait_for 30 sh -c "[ \$(grep -c 'reload: done' '$log') -gt $n ]"
}

# --- kernel state -------------------------------------------------------------

# sl_fes i PROTO PORT: node ni's frontends for PROTO PORT (`lb show -s`).
sl_fes() {
	nsenter --net="/run/netns/n$1" "$CL_CTL" -s lb show |
		grep -P "^lb\tset\t-[46]\t$2\t$3\t" || true
}
sl_n_fes() { sl_fes "$@" | grep -c . || true; }

# sl_fes_are "i..." PROTO PORT N: each listed node has N frontends for it.
sl_fes_are() {
	local i
	for i in $1; do
		[[ $(sl_n_fes "$i" "$2" "$3") == "$4" ]] || return 1
	done
}

# sl_wait_fes "i..." PROTO PORT N [REGEX]: waits (generous deadline) until
# each listed node holds N frontends for PROTO PORT (each matching REGEX).
sl_fes_match() {
	local i
	for i in $1; do
		[[ $(sl_fes "$i" "$2" "$3" | grep -cP -- "$5" || true) == "$4" &&
			$(sl_n_fes "$i" "$2" "$3") == "$4" ]] || return 1
	done
}
sl_wait_fes() {
	cl_wait "${5:+$5 }$2/$3 x$4 on nodes $1" sl_fes_match "$1" "$2" "$3" "$4" "${5:-.}"
}

# --- probes from the client ---------------------------------------------------

sl_br() { if [[ $1 == *:* ]]; then echo "[$1]"; else echo "$1"; fi; }

# sl_who FROM ADDR PORT [BIND]: "POD PEER" from the TCP who-server reached.
sl_who() {
	in_ns "$1" socat -t30 -T30 - \
		"TCP:$(sl_br "$2"):$3,connect-timeout=10${4:+,bind=$(sl_br "$4")}" </dev/null
}

# sl_who_udp FROM ADDR PORT: as sl_who over UDP, the datagram resent (a
# new source port each time) until an answer comes, 5 tries.
sl_who_udp() {
	local i got
	for i in 1 2 3 4 5; do
		got=$(LB_UDP_WAIT=5 in_ns "$1" "${LB_PY[@]}" udp "$2" "$3" <<<"who") || return 1
		[[ $got == none ]] || { echo "$got"; return 0; }
	done
	echo none
}

# sl_echo_udp FROM ADDR PORT: 1200 random bytes through a UDP echo
# server, resent up to 5 times, compared with cmp.
sl_echo_udp() {
	local i in=$np__tmp/udp.in out=$np__tmp/udp.out
	for i in 1 2 3 4 5; do
		head -c 1200 /dev/urandom >"$in"
		LB_UDP_WAIT=5 in_ns "$1" "${LB_PY[@]}" udp "$2" "$3" <"$in" >"$out"
		[[ $(stat -c %s "$out") -le 5 && $(<"$out") == none ]] && continue
		cmp "$in" "$out" || np_fail "udp payload through $2:$3 differs ($(stat -c %s "$out") bytes back)"
		return 0
	done
	np_fail "udp through $2:$3: no answer in 5 tries"
}

# sl_tcp_fails FROM ADDR PORT [BIND]: a TCP connection that must fail
# (refused, or not answered within 5 s: a dropped SYN).
sl_tcp_fails() {
	np_expect_fail in_ns "$1" socat -T5 - \
		"TCP:$(sl_br "$2"):$3,connect-timeout=5${4:+,bind=$(sl_br "$4")}" </dev/null
}

# sl_expect_who WANT FROM ADDR PORT [BIND]
sl_expect_who() {
	local want=$1 got
	shift
	got=$(sl_who "$@") || true
	np_expect_eq "$want" "$got" "who at $2:$3 from $1${4:+ ($4)}"
}
