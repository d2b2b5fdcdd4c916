# shellcheck shell=bash
#
# tests/user/cluster_lib.sh: a small cluster in the test VM for the
# tests/user/integration/daemon_*.sh scripts and `make demo`: a test
# kube-apiserver (tests/apiserver/apiserver.py) in the VM's root netns,
# nodes as network namespaces each running nodeplaned (or a stock flannel
# node: kernel vxlan devices programmed from the annotations our daemons
# published, spec overlay.md §1.1-§1.3), a pod namespace behind each node.
# Sourced after tests/user/lib.sh (and sources tests/user/overlay_lib.sh for
# the address helpers ov_u4, ov_net6, ... and the traffic helpers
# ov_tcp_copy, ov_ping).
#
#                         VM root netns
#     apiserver.py: HTTPS 192.0.2.254:6443, control http://127.0.0.1:6081
#          br0 192.0.2.254/24 2001:db8::fe/64 (no STP, no mcast snooping)
#       vn1 |                    vn2 |                    vn3 |
#   +-------|------------+  +-------|------------+  +-------|------------+
#   | n1  eth0           |  | n2  eth0           |  | n3  eth0           |
#   |  192.0.2.1/24      |  |  192.0.2.2/24      |  |  192.0.2.3/24      |
#   |  2001:db8::1/64    |  |  2001:db8::2/64    |  |  2001:db8::3/64    |
#   |  default via .254, ::fe (nodeplaned picks eth0 from the route)     |
#   |  nodeplaned: np-vxlan | np-wg np-wg-v6 | routes via eth0 (host-gw) |
#   |  or stock: flannel.1 flannel-v6.1 (kernel vxlan, dev eth0)         |
#   |  pod0 10.42.0.1/24 |  | pod0 10.42.1.1/24  |  | pod0 10.42.2.1/24  |
#   |  2001:db8:42::1/64 |  | 2001:db8:42:1::1/64|  | 2001:db8:42:2::1/64|
#   +-------|------------+  +-------|------------+  +-------|------------+
#      eth0 | p1                eth0 | p2                eth0 | p3
#   10.42.0.2 2001:db8:42::2  10.42.1.2 ...:1::2     10.42.2.2 ...:2::2
#   (default via pod0's addresses)
#
# Node i: underlay 192.0.2.i / 2001:db8::i, pod CIDRs 10.42.(i-1).0/24 and
# 2001:db8:42:(i-1)::/64 (cluster CIDRs 10.42.0.0/16, 2001:db8:42::/56).
# Nodes 4 and up exist only as API objects (no namespace): peers to be
# added, changed and removed. Stock-style VTEP MACs: 02:ii:00:00:00:04 (v4),
# 02:ii:00:00:00:06 (v6) for node i.
#
# State lives in files under $CL_DIR (pids, certificates, data dirs), so
# cases (subshells, see np_case) can stop and restart daemons; logs go to
# $CL_LOGS: <results>/<script>.logs/ when the script runs under tests/vm/run
# (next to its .out file, kept after the VM stops), else
# build/cluster-logs/<script>/.
#
# Functions (names cl_*):
#   cl_topo N MTU        build br0, nodes n1..nN, pods p1..pN (pod MTU)
#   cl_down              everything gone: daemons, API server, netns, br0
#   cl_api_start         certificates + API server (waits for its control port)
#   cl_api METHOD PATH [BODY]   control API call, response on stdout
#   cl_node_put i [ANN_JSON] [NAME]   upsert Node ni (spec.podCIDRs, addresses)
#   cl_node_get NAME     the Node object as the API has it
#   cl_ann NAME KEY      one flannel annotation of a Node ("" if none)
#   cl_flannel_ann i [IP4 IP6]  flannel's six annotations for a stock node i
#   cl_npd_config N KEY=VALUE... config.yaml of nodeplaned on node N
#   cl_npd_start N [FLAG...] / cl_npd_stop N / cl_npd_kill N / cl_npd_alive N
#   cl_stock_node i      kernel vxlan devices of a stock flannel node
#   cl_stock_publish i   its Node with flannel's annotations, through the API
#   cl_stock_peer i j    stock node i learns node j (from the API's annotations)
#   cl_peers N DEV       `nodeplanectl -s overlay show DEV` peer lines
#   cl_want_peers N DEV i...  the peer lines nodes i... should give N (sorted)
#   cl_wait WHAT CMD...  poll CMD every 50 ms until it succeeds; fail after
#                        CL_WAIT_SECS (60); prints "# WHAT: N ms" (information)
#   cl_state N           the kernel state nodeplaned owns on N, as text
#   cl_cluster_api BACKEND MTU "NP..." ["STOCK..."]  the whole API cluster
#   cl_require           first line of a case: the cluster is up
#   cl_npd_restart N     start and wait until it watches Nodes again
#   cl_poller_start ID N ctl|ip4|ip6, cl_poll_peers ID DEV, cl_poll_routes ID
#                        kernel state read without a fork per look (CL_OUT)

. "$NP_TOP/tests/user/overlay_lib.sh"

CL_APISRV=$NP_TOP/tests/apiserver/apiserver.py
CL_MKCERTS=$NP_TOP/tests/apiserver/mkcerts.sh
CL_PY=/usr/bin/python3
CL_API_ADDR=192.0.2.254
CL_API_PORT=6443
CL_CPORT=6081
CL_CIDR4=10.42.0.0/16
CL_CIDR6=2001:db8:42::/56
CL_ANN=flannel.alpha.coreos.com
CL_DIR=$np__tmp/cluster
mkdir -p "$CL_DIR"

# Where the logs go: next to the script's .out file under tests/vm/run.
cl__logs() {
	local out name
	out=$(readlink /proc/$$/fd/1 2>/dev/null || true)
	name=$(basename "$0" .sh)
	if [[ $out == /*/"$name".out ]]; then
		echo "${out%.out}.logs"
	else
		echo "$NP_TOP/build/cluster-logs/$name"
	fi
}
CL_LOGS=${CL_LOGS:-$(cl__logs)}
rm -rf "$CL_LOGS"
mkdir -p "$CL_LOGS/bin"

# The binaries as they are now: the work tree is shared with the host, where
# a rebuild during the run would swap them under a restart. Kept with the
# logs, next to any core dump (in the VM: $CL_LOGS/core.<name>.<pid>).
cp "$NP_TOP/daemon/nodeplaned" "$NP_TOP/daemon/nodeplanectl" "$CL_LOGS/bin/" 2>/dev/null || true
CL_NPD=$CL_LOGS/bin/nodeplaned
CL_CTL=$CL_LOGS/bin/nodeplanectl
if [[ ${NP_VM:-} == 1 ]]; then
	echo "$CL_LOGS/core.%e.%p" >/proc/sys/kernel/core_pattern 2>/dev/null || true
fi

# Stock-style VTEP MACs of node i (also used for API-only nodes).
cl_mac4() { printf '02:%x%x:00:00:00:04\n' "$1" "$1"; }
cl_mac6() { printf '02:%x%x:00:00:00:06\n' "$1" "$1"; }

# --- topology ---------------------------------------------------------------

cl__netns() { # NAME: forwarding on, no DAD, pings allowed
	ip netns add "$1"
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1 net.ipv4.ping_group_range="0 0"
	ip -n "$1" link set lo up
}

cl_down() {
	local f pid ns
	for f in "$CL_DIR"/*/npd.pid "$CL_DIR"/api.pid; do
		[[ -f $f ]] || continue
		pid=$(cat "$f")
		kill -9 "$pid" 2>/dev/null || true
		rm -f "$f"
	done
	for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^[np][0-9]+$/ { print $1 }'); do
		np__netns_del "$ns"
	done
	ip link del br0 2>/dev/null || true
}

# cl_topo N MTU: the bridge, N nodes and their pods (pod-side MTU).
cl_topo() {
	local n=$1 mtu=$2 i
	cl_down
	sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
	ip link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0
	ip addr add "$CL_API_ADDR/24" dev br0
	ip addr add 2001:db8::fe/64 dev br0 nodad
	ip link set br0 up
	for ((i = 1; i <= n; i++)); do
		cl__netns "n$i"
		ip link add "vn$i" type veth peer eth0 netns "n$i"
		ip link set "vn$i" master br0 up
		ip -n "n$i" -batch - <<-EOF
			addr add $(ov_u4 "$i")/24 dev eth0
			addr add $(ov_u6 "$i")/64 dev eth0 nodad
			link set eth0 up
			route add default via $CL_API_ADDR
			route add default via 2001:db8::fe
		EOF
		cl__netns "p$i"
		ip -n "n$i" -batch - <<-EOF
			link add pod0 mtu $mtu type veth peer eth0 mtu $mtu netns p$i
			addr add $(ov_gw4 "$i")/24 dev pod0
			addr add $(ov_gw6 "$i")/64 dev pod0 nodad
			link set pod0 up
		EOF
		ip -n "p$i" -batch - <<-EOF
			addr add $(ov_pod4 "$i")/24 dev eth0
			addr add $(ov_pod6 "$i")/64 dev eth0 nodad
			link set eth0 up
			route add default via $(ov_gw4 "$i")
			route add default via $(ov_gw6 "$i")
		EOF
		mkdir -p "$CL_DIR/n$i/data" "$CL_DIR/n$i/manifests"
	done
}

# --- the API server ---------------------------------------------------------

cl__api_up() {
	curl -sf --max-time 2 "http://127.0.0.1:$CL_CPORT/stats" >/dev/null
}

# cl_api_start [ARG...]: certificates and kubeconfigs in $CL_DIR/certs, the
# server in the background (extra ARGs go to apiserver.py).
# shellcheck disable=SC2120 # arguments are optional
cl_api_start() {
	local certs=$CL_DIR/certs
	if [[ ! -f $certs/kubeconfig-k3s.yaml ]]; then
		"$CL_MKCERTS" "$certs" --server "https://$CL_API_ADDR:$CL_API_PORT" \
			--ip 2001:db8::fe >"$CL_LOGS/mkcerts.log" 2>&1 ||
			np_fail "mkcerts.sh: $(tail -n1 "$CL_LOGS/mkcerts.log")"
	fi
	echo "=== $(date +%T.%N) start" >>"$CL_LOGS/apiserver.log"
	"$CL_PY" "$CL_APISRV" --listen "$CL_API_ADDR:$CL_API_PORT" --certs "$certs" \
		--control "127.0.0.1:$CL_CPORT" --state-file "$CL_DIR/api.state" "$@" \
		</dev/null >>"$CL_LOGS/apiserver.log" 2>&1 &
	echo $! >"$CL_DIR/api.pid"
	np_wait_for 30 cl__api_up
}
CL_KUBECONFIG=$CL_DIR/certs/kubeconfig-k3s.yaml

# cl_api METHOD PATH [BODY]: a control API call; fails on an HTTP error.
cl_api() {
	local args=(-sS -f --max-time 20 -X "$1" "http://127.0.0.1:$CL_CPORT$2")
	[[ $# -lt 3 ]] || args+=(-H 'Content-Type: application/json' --data-binary "$3")
	curl "${args[@]}"
}

# cl_node_json i [ANN_JSON] [NAME]: Node ni as K3s's controller-manager and
# kubelet leave it (podCIDRs assigned, addresses reported).
cl_node_json() {
	local i=$1 ann=${2:-"{}"} name=${3:-n$1}
	jq -cn --arg name "$name" --argjson ann "$ann" \
		--arg c4 "$(ov_net4 "$i")/24" --arg c6 "$(ov_net6 "$i")/64" \
		--arg a4 "$(ov_u4 "$i")" --arg a6 "$(ov_u6 "$i")" '{
		apiVersion: "v1", kind: "Node",
		metadata: {name: $name, labels: {"kubernetes.io/hostname": $name,
			"kubernetes.io/os": "linux"}, annotations: $ann},
		spec: {podCIDR: $c4, podCIDRs: [$c4, $c6]},
		status: {addresses: [
			{type: "InternalIP", address: $a4},
			{type: "InternalIP", address: $a6},
			{type: "Hostname", address: $name}]}}'
}

cl_node_put() { # i [ANN_JSON] [NAME]
	cl_api PUT /objects "$(cl_node_json "$@")" >/dev/null
}

cl_node_get() { cl_api GET "/objects/nodes/$1"; }

cl_ann() { # NAME KEY
	cl_node_get "$1" | jq -r --arg k "$CL_ANN/$2" '.metadata.annotations[$k] // ""'
}

# The flannel annotations of a node, "key=value" lines sorted by key.
cl_anns() { # NAME
	cl_node_get "$1" | jq -r --arg p "$CL_ANN/" \
		'.metadata.annotations // {} | to_entries[] |
		 select(.key | startswith($p)) | "\(.key)=\(.value)"' | LC_ALL=C sort
}

# cl_flannel_ann i [IP4 IP6]: exactly what flannel's vxlan backend writes
# for node i (overlay.md §2.1), as a JSON object.
cl_flannel_ann() {
	local i=$1 ip4=${2:-$(ov_u4 "$1")} ip6=${3:-$(ov_u6 "$1")}
	jq -cn --arg p "$CL_ANN/" --arg ip4 "$ip4" --arg ip6 "$ip6" \
		--arg d4 "{\"VNI\":1,\"VtepMAC\":\"$(cl_mac4 "$i")\"}" \
		--arg d6 "{\"VNI\":1,\"VtepMAC\":\"$(cl_mac6 "$i")\"}" '{
		($p + "backend-data"): $d4, ($p + "backend-v6-data"): $d6,
		($p + "backend-type"): "vxlan", ($p + "kube-subnet-manager"): "true",
		($p + "public-ip"): $ip4, ($p + "public-ipv6"): $ip6}'
}

# --- nodeplaned -------------------------------------------------------------

# cl_npd_config N KEY=VALUE...: node N's config.yaml (node-name and
# data-dir are always set).
cl_npd_config() {
	local n=$1 kv
	shift
	{
		echo "# nodeplaned on $n (tests/user/cluster_lib.sh)"
		echo "node-name: $n"
		echo "data-dir: $CL_DIR/$n/data"
		for kv in "$@"; do
			echo "${kv%%=*}: ${kv#*=}"
		done
	} >"$CL_DIR/$n/config.yaml"
}

# cl_npd_start N [FLAG...]: nodeplaned -v in netns N, stderr to
# $CL_LOGS/nodeplaned-N.log (appended: restarts are marked "=== start").
cl_npd_start() {
	local n=$1 log=$CL_LOGS/nodeplaned-$1.log
	shift
	[[ -f $CL_DIR/$n/config.yaml ]] || np_fail "cl_npd_start $n: no config.yaml (cl_npd_config)"
	echo "=== $(date +%T.%6N) start: nodeplaned -v --config $CL_DIR/$n/config.yaml $*" >>"$log"
	(
		ulimit -c unlimited
		# /run is shared by every netns of the VM: one subnet.env per node.
		export NODEPLANE_SUBNET_ENV=$CL_DIR/$n/subnet.env
		exec ip netns exec "$n" "$CL_NPD" -v --config "$CL_DIR/$n/config.yaml" "$@"
	) </dev/null > >(cl__stamp >>"$log") 2>&1 &
	echo $! >"$CL_DIR/$n/npd.pid"
}

# Prefixes each line with the time of day (to the microsecond): nodeplaned
# logs none of its own.
cl__stamp() {
	local line t
	while IFS= read -r line; do
		t=$EPOCHREALTIME
		printf '%(%T)T.%s %s\n' "${t%.*}" "${t#*.}" "$line"
	done
}

cl_npd_pid() { cat "$CL_DIR/$1/npd.pid" 2>/dev/null; }

cl_npd_alive() { # N
	local pid
	pid=$(cl_npd_pid "$1") && [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null
}

cl__gone() { ! kill -0 "$1" 2>/dev/null; }

# cl_npd_stop N: SIGTERM, then wait (10 s) for the process to end.
cl_npd_stop() {
	local pid
	pid=$(cl_npd_pid "$1") || return 0
	kill -TERM "$pid" 2>/dev/null || true
	np_wait_for 10 cl__gone "$pid"
	echo "=== $(date +%T.%6N) stopped (SIGTERM)" >>"$CL_LOGS/nodeplaned-$1.log"
	rm -f "$CL_DIR/$1/npd.pid"
}

cl_npd_kill() { # N: SIGKILL
	local pid
	pid=$(cl_npd_pid "$1") || return 0
	kill -9 "$pid" 2>/dev/null || true
	np_wait_for 10 cl__gone "$pid"
	echo "=== $(date +%T.%6N) killed (SIGKILL)" >>"$CL_LOGS/nodeplaned-$1.log"
	rm -f "$CL_DIR/$1/npd.pid"
}

cl_npd_log() { cat "$CL_LOGS/nodeplaned-$1.log" 2>/dev/null; }

# --- stock flannel node ----------------------------------------------------

# cl_stock_node i: flannel.1 and flannel-v6.1 as flannel creates them
# (§1.1, §1.2): VNI 1, kernel default port 8472, local = eth0's address,
# lower device eth0, no learning, MTU 1450 (the kernel caps v6 at 1430).
cl_stock_node() {
	local i=$1 ns=n$1
	ip -n "$ns" -batch - <<-EOF
		link add flannel.1 address $(cl_mac4 "$i") mtu 1450 type vxlan id 1 local $(ov_u4 "$i") dev eth0 dstport 8472 nolearning
		link add flannel-v6.1 address $(cl_mac6 "$i") mtu 1450 type vxlan id 1 local $(ov_u6 "$i") dev eth0 dstport 8472 nolearning
		addr add $(ov_net4 "$i")/32 dev flannel.1
		addr add $(ov_net6 "$i")/128 dev flannel-v6.1 nodad
		link set flannel.1 up
		link set flannel-v6.1 up
	EOF
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.flannel/1.accept_ra=0 \
		net.ipv6.conf.flannel-v6/1.accept_ra=0
}

# cl_stock_publish i: the stock node's Node with flannel's annotations.
cl_stock_publish() {
	cl_node_put "$1" "$(cl_flannel_ann "$1")"
}

# cl_lease NAME: "mac4 ip4 cidr4 mac6 ip6 cidr6" from a Node's annotations
# and spec, read the way flannel reads them; fails if one is missing.
cl_lease() {
	cl_node_get "$1" | jq -r --arg p "$CL_ANN/" '
		.metadata.annotations as $a |
		[($a[$p + "backend-data"] | fromjson | .VtepMAC),
		 $a[$p + "public-ip"],
		 (.spec.podCIDRs[] | select(contains(":") | not)),
		 ($a[$p + "backend-v6-data"] | fromjson | .VtepMAC),
		 $a[$p + "public-ipv6"],
		 (.spec.podCIDRs[] | select(contains(":")))] |
		if (length == 6 and all(. != null and . != "")) then join(" ")
		else error("incomplete lease") end'
}

# cl_stock_peer i j: stock node i programs node j as flannel does (§1.3):
# neighbour, FDB entry, onlink route, per family, from the API's view of j.
cl_stock_peer() {
	local i=$1 j=$2 ns=n$1 m4 ip4 c4 m6 ip6 c6
	read -r m4 ip4 c4 m6 ip6 c6 < <(cl_lease "n$j") ||
		np_fail "node n$j: no complete flannel lease in the API"
	[[ -n $c6 ]] || np_fail "node n$j: no complete flannel lease in the API"
	ip -n "$ns" -batch - <<-EOF
		neigh replace ${c4%/*} lladdr $m4 nud permanent dev flannel.1
		neigh replace ${c6%/*} lladdr $m6 nud permanent dev flannel-v6.1
	EOF
	bridge -n "$ns" fdb replace "$m4" dev flannel.1 dst "$ip4" self permanent
	bridge -n "$ns" fdb replace "$m6" dev flannel-v6.1 dst "$ip6" self permanent
	ip -n "$ns" -batch - <<-EOF
		route replace $c4 via ${c4%/*} dev flannel.1 onlink
		route replace $c6 via ${c6%/*} dev flannel-v6.1 onlink
	EOF
}

# --- what to look at --------------------------------------------------------

# cl_peers N DEV: peer lines of DEV in N's module. nsenter, not `ip netns
# exec` (which also remounts /sys): this is polled against deadlines.
cl_peers() {
	nsenter --net="/run/netns/$1" "$CL_CTL" -s overlay show "$2" | grep '^peer' || true
}

# cl_want_peers N DEV NAME...: the peer lines N's module should hold for
# the Nodes NAME... (from the API), sorted by MAC as nodeplanectl sorts.
cl_want_peers() {
	local n=$1 dev=$2 name m4 ip4 c4 m6 ip6 c6
	shift 2
	for name in "$@"; do
		read -r m4 ip4 c4 m6 ip6 c6 < <(cl_lease "$name") || return 1
		printf 'peer\t%s\tmac\t%s\tendpoint\t%s\tcidr\t%s\n' \
			"$dev" "$m4" "$ip4" "$c4" "$dev" "$m6" "$ip6" "$c6"
	done | LC_ALL=C sort
}

# cl_peers_are N DEV NAME...: N's peers are exactly those of NAME...
cl_peers_are() {
	local n=$1 dev=$2
	shift 2
	[[ $(cl_peers "$n" "$dev") == "$(cl_want_peers "$n" "$dev" "$@")" ]]
}

# cl_expect_peers N DEV NAME...: as cl_peers_are, failing with a diff.
cl_expect_peers() {
	local n=$1 dev=$2 want got
	shift 2
	want=$(cl_want_peers "$n" "$dev" "$@")
	got=$(cl_peers "$n" "$dev")
	[[ $want == "$got" ]] ||
		np_fail "$n $dev peers: $(diff <(echo "$want") <(echo "$got") | grep '^[<>]' | tr '\t' ' ' | tr '\n' ';')"
}

# cl_wait WHAT CMD...: polls CMD every 50 ms until it succeeds; fails the
# case if it has not after CL_WAIT_SECS seconds (a generous deadline: the
# tests assert the state reached, never how fast). How long it took is
# printed as information, "# WHAT: N ms", and kept in $CL_LOGS/timings
# (latencies are measured by `make bench`, not asserted here).
CL_WAIT_SECS=${CL_WAIT_SECS:-60}
cl_wait() {
	local what=$1 t0 now p0 polls=0 from
	shift
	t0=${EPOCHREALTIME/./}
	printf -v from '%(%T)T.%s' "${t0:0:-6}" "${t0: -6}"
	while :; do
		p0=${EPOCHREALTIME/./}
		polls=$((polls + 1))
		if "$@" >/dev/null 2>&1; then
			now=${EPOCHREALTIME/./}
			echo "# $what: $(((now - t0) / 1000)) ms ($polls polls)"
			echo "$what: $(((now - t0) / 1000)) ms from $from ($polls polls, the last started at $(((p0 - t0) / 1000)) ms)" >>"$CL_LOGS/timings"
			return 0
		fi
		now=${EPOCHREALTIME/./}
		if (((now - t0) > CL_WAIT_SECS * 1000000)); then
			echo "$what: not after $(((now - t0) / 1000)) ms from $from ($polls polls)" >>"$CL_LOGS/timings"
			np_fail "$what: not reached after ${CL_WAIT_SECS}s ($polls looks)"
		fi
		sleep 0.05
	done
}

# cl_within SECS WHAT CMD...: cl_wait with a deadline of SECS seconds (for
# scripts/demo.sh).
cl_within() {
	local CL_WAIT_SECS=$1
	shift
	cl_wait "$@"
}

# cl_state N: the kernel state nodeplaned owns in N, as text: its devices
# (ifindex, MACs, addresses), the module's overlay tables, routes of
# protocol 110, WireGuard configuration; counters left out.
cl_state() {
	local n=$1 dev
	for dev in np-vxlan np-wg np-wg-v6; do
		ip -n "$n" link show "$dev" >/dev/null 2>&1 || continue
		ip -n "$n" -d -o link show "$dev" | sed -E 's/ (qlen|numtxqueues|gso_max|gro_max|tso_max|numrxqueues|gso_ipv4_max|gro_ipv4_max|parentbus|parentdev) [^ ]+//g; s/ \\ +/ /g'
		ip -n "$n" -o addr show dev "$dev" | awk '{ print $2, $3, $4 }'
	done
	ip netns exec "$n" "$CL_CTL" -s overlay show | grep -v '^stats' || true
	ip -n "$n" -4 route show proto 110
	ip -n "$n" -6 route show proto 110
	if ip -n "$n" link show np-wg >/dev/null 2>&1; then
		# "all dump": interface lines DEV PRIV PUB PORT FWMARK, peer lines
		# DEV PUB PSK ENDPOINT ALLOWED HANDSHAKE RX TX KEEPALIVE; the
		# private key, handshakes and counters are left out.
		ip netns exec "$n" wg show all dump | awk -F'\t' -v OFS='\t' '
			NF == 5 { print $1, $3, $4, $5 }
			NF == 9 { print $1, $2, $4, $5, $9 }'
	fi
}

# cl_logs_tail N: last lines of N's daemon log, for a failing case.
cl_logs_tail() {
	echo "--- nodeplaned-$1.log (tail)"
	tail -n "${2:-15}" "$CL_LOGS/nodeplaned-$1.log" 2>/dev/null || true
}

# cl_ping_ok NS FAMILY DST: three pings, all answered.
cl_ping_ok() {
	local out
	out=$(ip netns exec "$1" ping -"$2" -n -c 3 -i 0.2 -W 2 "$3" 2>&1) || {
		echo "$out"
		return 1
	}
	grep -q ' 3 received' <<<"$out"
}

# cl_reach i j FAMILY: pod i pings pod j: 3 of 3 answered (after the first
# answer: ARP/ND of pod0 and a WireGuard handshake may cost the first
# ones), within a generous deadline: an emulated guest on a loaded host
# can miss the 2 s reply timeout once, a path that does not forward
# never answers.
cl_reach() {
	local i=$1 j=$2 f=$3 dst
	dst=$(ov_pod"$f" "$j")
	np_wait_for 60 ip netns exec "p$i" ping -"$f" -n -c 1 -W 1 "$dst"
	CL_WAIT_SECS=60 cl_wait "p$i -> p$j (IPv$f $dst): 3 of 3 answered" \
		cl_ping_ok "p$i" "$f" "$dst"
}

# --- a whole cluster --------------------------------------------------------

# cl_published NAME: the Node carries flannel's kube-subnet-manager and
# public-ip annotations (what nodeplaned publishes first, every backend).
cl_published() {
	cl_node_get "$1" | jq -e --arg p "$CL_ANN/" '.metadata.annotations as $a |
		$a[$p + "kube-subnet-manager"] == "true" and ($a[$p + "public-ip"] // "") != "" and
		($a[$p + "public-ipv6"] // "") != "" and ($a[$p + "backend-type"] // "") != ""' >/dev/null
}

# cl_cluster_api BACKEND MTU "NP..." ["STOCK..."]: nodes NP... run
# nodeplaned against the API server (dual-stack, BACKEND), nodes STOCK...
# are stock flannel (vxlan only) and learn the others from the API; waits
# until every nodeplaned published its annotations. Marks the cluster up.
cl_cluster_api() {
	local backend=$1 mtu=$2 np=$3 stock=${4:-} i j n
	n=$(wc -w <<<"$np $stock")
	rm -f "$CL_DIR/up"
	cl_topo "$n" "$mtu"
	cl_api_start
	for i in $np; do cl_node_put "$i"; done
	for i in $stock; do
		cl_stock_node "$i"
		cl_stock_publish "$i"
	done
	for i in $np; do
		cl_npd_config "n$i" "kubeconfig=$CL_KUBECONFIG" "flannel-backend=$backend" \
			"cluster-cidr=$CL_CIDR4,$CL_CIDR6"
		cl_npd_start "n$i"
	done
	for i in $np; do
		np_wait_for "$CL_WAIT_SECS" cl_published "n$i"
	done
	for i in $stock; do
		for j in $np; do
			cl_stock_peer "$i" "$j"
		done
	done
	touch "$CL_DIR/up"
}

# First line of every case after the cluster-up case.
cl_require() {
	[[ -f $CL_DIR/up ]] || np_fail "the cluster is not up (see the first failed case)"
}

# cl_lines DEV i [IP4 IP6]: the two peer lines of stock-style node i.
cl_lines() {
	local dev=$1 i=$2 ip4=${3:-$(ov_u4 "$2")} ip6=${4:-$(ov_u6 "$2")}
	printf 'peer\t%s\tmac\t%s\tendpoint\t%s\tcidr\t%s\n' \
		"$dev" "$(cl_mac4 "$i")" "$ip4" "$(ov_net4 "$i")/24" \
		"$dev" "$(cl_mac6 "$i")" "$ip6" "$(ov_net6 "$i")/64"
}

# cl_sorted TEXT...: the lines of TEXT..., without empty ones, sorted.
cl_sorted() {
	printf '%s\n' "$@" | grep -v '^$' | LC_ALL=C sort
}

# cl_routes N FAMILY: nodeplaned's routes as "dst via gw dev dev" lines.
cl_routes() {
	ip -j -n "$1" -"$2" route show proto 110 |
		jq -r '.[] | "\(.dst) via \(.gateway // "-") dev \(.dev)"' | LC_ALL=C sort
}

# Watches of Nodes the API server has started so far (all clients).
cl_watch_count() {
	cl_api GET /stats | jq -r '.watchesStarted.nodes'
}

cl__watches_above() { (($(cl_watch_count) > $1)); }

# cl_npd_restart N [SECS]: start nodeplaned on N (after a stop or kill)
# and wait until it watches Nodes again (it has listed them by then).
cl_npd_restart() {
	local n=$1 secs=${2:-$CL_WAIT_SECS} before
	before=$(cl_watch_count)
	cl_npd_start "$n"
	np_wait_for "$secs" cl__watches_above "$before"
}

# --- pollers: kernel state read without a fork per look ---------------------
#
# Under an emulated CPU one fork+exec costs 0.1-1 s: a look at the
# kernel's state without one keeps the printed latencies meaningful. A poller is one long-lived process in a node's
# netns reading commands on a FIFO and answering on another, line buffered:
#   ctl: nodeplanectl -s -b -        (answers "overlay show DEV")
#   ip4, ip6: ip -4|-6 -o -batch -   (answers "route show proto 110")
# Started in a case, they end with it (np_defer).
declare -A CL_PW=() CL_PR=()

# cl_poller_start ID NS ctl|ip4|ip6
cl_poller_start() {
	local id=$1 ns=$2 kind=$3 d=$CL_DIR/poller.$1.$BASHPID pid w r
	mkfifo "$d.in" "$d.out"
	case $kind in
	ctl) nsenter --net="/run/netns/$ns" stdbuf -oL "$CL_CTL" -s -b - \
		<"$d.in" >"$d.out" 2>"$d.err" & ;;
	ip4 | ip6) stdbuf -oL ip -n "$ns" -"${kind#ip}" -o -batch - \
		<"$d.in" >"$d.out" 2>"$d.err" & ;;
	*) np_fail "cl_poller_start: kind $kind" ;;
	esac
	pid=$!
	exec {w}>"$d.in"
	exec {r}<"$d.out"
	CL_PW[$id]=$w CL_PR[$id]=$r
	np_defer kill "$pid"
	np_defer eval "exec $w>&- $r<&-"
}

# cl_poll_peers ID DEV: CL_OUT = the peer lines of DEV (as cl_peers).
cl_poll_peers() {
	local w=${CL_PW[$1]} r=${CL_PR[$1]} line
	CL_OUT=
	echo "overlay show $2" >&"$w" || return 1
	while IFS= read -t 10 -r -u "$r" line; do
		case $line in
		stats*) CL_OUT=${CL_OUT%$'\n'}; return 0 ;;
		peer*) CL_OUT+=$line$'\n' ;;
		esac
	done
	return 1
}

# cl_poll_routes ID: CL_OUT = "dst via gw dev dev" lines of proto 110
# routes (as cl_routes; the poller's family), sorted.
cl_poll_routes() {
	local w=${CL_PW[$1]} r=${CL_PR[$1]} line via dev dst lines=() i fld
	CL_OUT=
	printf 'route show proto 110\nlink show dev lo\n' >&"$w" || return 1
	while IFS= read -t 10 -r -u "$r" line; do
		[[ $line != "1: lo:"* ]] || break
		read -r -a fld <<<"$line"
		dst=${fld[0]} via=- dev=-
		for ((i = 1; i < ${#fld[@]} - 1; i++)); do
			case ${fld[$i]} in
			via) via=${fld[$((i + 1))]} ;;
			dev) dev=${fld[$((i + 1))]} ;;
			esac
		done
		lines+=("$dst via $via dev $dev")
	done
	[[ $line == "1: lo:"* ]] || return 1
	cl__sort lines
	for line in "${lines[@]}"; do
		CL_OUT+=$line$'\n'
	done
	CL_OUT=${CL_OUT%$'\n'}
}

# cl__sort ARRAYNAME: sorts in place in byte order (a handful of lines;
# no fork).
cl__sort() {
	local -n _a=$1
	local LC_ALL=C i j t
	for ((i = 1; i < ${#_a[@]}; i++)); do
		for ((j = i; j > 0; j--)); do
			[[ ${_a[j - 1]} > ${_a[j]} ]] || break
			t=${_a[j]} _a[j]=${_a[j - 1]} _a[j - 1]=$t
		done
	done
}

# --- cases shared by the daemon_*.sh scripts -------------------------------

# cl_case_ping i j FAMILY: pod i reaches pod j.
cl_case_ping() {
	cl_require
	cl_reach "$@"
}

# cl_case_tcp i j FAMILY: 1 MiB from pod i to pod j through the overlay,
# compared with cmp.
cl_case_tcp() {
	local i=$1 j=$2 f=$3
	cl_require
	cl_reach "$i" "$j" "$f"
	ov_tcp_copy "p$i" "p$j" "$f" "$(ov_pod"$f" "$j")" $((1 << 20))
}

# cl_case_nothing_left: the last case; the cluster down, the module
# unloaded, no nodeplane device and no namespace left.
cl_case_nothing_left() {
	cl_down
	if [[ -d /sys/module/nodeplane ]]; then rmmod nodeplane; fi
	np_expect_fail test -d /sys/module/nodeplane
	ov_np_nodevs
	np_expect_eq "" "$(ip netns list)" "namespaces left"
}

# Node NAME as the API has it, made Ready (kubelet's condition).
cl_node_ready() { # NAME
	cl_node_get "$1" | jq -c '.status.conditions = [{type: "Ready", status: "True"}] |
		del(.metadata.resourceVersion)' >"$CL_DIR/node.json"
	cl_api PUT /objects "$(cat "$CL_DIR/node.json")" >/dev/null
}

# A LoadBalancer Service default/web tcp/80 (Cluster) and its
# EndpointSlice: one ready endpoint p1 10.42.0.2:8000 on n1, as a List.
cl_lb_web_objects() {
	jq -cn '{apiVersion: "v1", kind: "List", items: [
	 {apiVersion: "v1", kind: "Service",
	  metadata: {name: "web", namespace: "default", uid: "uid-web",
	   creationTimestamp: "2024-01-01T00:00:01Z"},
	  spec: {type: "LoadBalancer", clusterIP: "10.43.0.10",
	   clusterIPs: ["10.43.0.10"], ipFamilies: ["IPv4"],
	   externalTrafficPolicy: "Cluster",
	   ports: [{name: "echo", protocol: "TCP", port: 80, targetPort: 8000}]}},
	 {apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice",
	  metadata: {name: "web-1", namespace: "default",
	   labels: {"kubernetes.io/service-name": "web"}},
	  addressType: "IPv4",
	  ports: [{name: "echo", protocol: "TCP", port: 8000}],
	  endpoints: [{addresses: ["10.42.0.2"], nodeName: "n1",
	   targetRef: {kind: "Pod", namespace: "default", name: "p1"},
	   conditions: {ready: true, serving: true, terminating: false}}]}]}'
}
