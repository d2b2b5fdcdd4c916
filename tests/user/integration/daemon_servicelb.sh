#!/bin/bash
# nodeplaned's ServiceLB and hostPort reconcilers end to end, manifests
# mode, on the node of spec/node-contract.md §1, judged by traffic from a
# client (§4 "ServiceLB" and "hostPort") and by `nodeplanectl lb show`.
# Runs inside the test VM (tests/vm/run).
#
#   client 192.0.2.1 2001:db8::1
#     |
#   node "n1" eth0 192.0.2.254 2001:db8::fe: nodeplaned --config FILE
#     +-- cni0 10.42.0.1 fd42::1 --+-- p1 10.42.0.5 fd42::5
#                                  +-- p2 10.42.0.6 fd42::6
#
# Servers (tests/user/lb_lib.sh) in p1 and p2: 8000 echo (TCP, UDP), 8001
# answers "NAME PEERADDR" (TCP, UDP). The manifests: Node n1 (Ready,
# InternalIP 192.0.2.254), a dual-stack LoadBalancer Service default/web
# (tcp/80 -> echo, tcp/81 -> who, udp/80 -> echo, udp/81 -> who) with one
# EndpointSlice per family (p1 and p2 on n1), and later a pod p2 with
# hostPort 9090 -> 8001. The cases run in order, each from the state the
# previous one left.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lb_lib.sh"

npd=$NP_TOP/daemon/nodeplaned
ctl=$NP_TOP/daemon/nodeplanectl
dir=$(mktemp -d /tmp/np-slb.XXXXXX)
np_defer rm -rf "$dir"
log=$dir/nodeplaned.log
m=$dir/m

V6_CLIENT='[2001:0db8:0000:0000:0000:0000:0000:0001]'

write_config() { # [DISABLE-LIST]
	cat >"$dir/config.yaml.new" <<-EOT
	node-name: n1
	flannel-backend: none
	cluster-cidr: 10.42.0.0/16,fd42::/56
	service-cidr: 10.43.0.0/16,fd43::/112
	manifests-dir: $m
	data-dir: $dir/data
	EOT
	[[ -z ${1:-} ]] || echo "disable: [$1]" >>"$dir/config.yaml.new"
	mv "$dir/config.yaml.new" "$dir/config.yaml"
}

# Writes a manifest atomically (the daemon watches the directory).
put() { # NAME, JSON on stdin
	cat >"$m/.$1.tmp" && mv "$m/.$1.tmp" "$m/$1.json"
}

node_json() {
	put node <<-EOT
	{"apiVersion":"v1","kind":"Node","metadata":{"name":"n1",
	 "creationTimestamp":"2024-01-01T00:00:00Z"},
	 "spec":{"podCIDRs":["10.42.0.0/24","fd42::/64"]},
	 "status":{"conditions":[{"type":"Ready","status":"True"}],
	 "addresses":[{"type":"InternalIP","address":"192.0.2.254"},
	 {"type":"InternalIP","address":"2001:db8::fe"}]}}
	EOT
}

svc_json() { # POLICY (Cluster or Local)
	put svc <<-EOT
	{"apiVersion":"v1","kind":"Service","metadata":{"name":"web",
	 "namespace":"default","uid":"uid-web",
	 "creationTimestamp":"2024-01-01T00:00:01Z"},
	 "spec":{"type":"LoadBalancer","clusterIPs":["10.43.0.10","fd43::10"],
	 "ipFamilies":["IPv4","IPv6"],"ipFamilyPolicy":"RequireDualStack",
	 "externalTrafficPolicy":"$1",
	 "ports":[{"name":"echo","protocol":"TCP","port":80,"targetPort":8000},
	 {"name":"who","protocol":"TCP","port":81,"targetPort":8001},
	 {"name":"uecho","protocol":"UDP","port":80,"targetPort":8000},
	 {"name":"uwho","protocol":"UDP","port":81,"targetPort":8001}]}}
	EOT
}

ep() { # ADDR POD
	printf '{"addresses":["%s"],"nodeName":"n1","targetRef":{"kind":"Pod","namespace":"default","name":"%s"},"conditions":{"ready":true,"serving":true,"terminating":false}}' "$1" "$2"
}

slice_json() { # FAMILY (4 or 6) ENDPOINTS-JSON
	local t=IPv$1
	put "slice$1" <<-EOT
	{"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice",
	 "metadata":{"name":"web-v$1","namespace":"default",
	 "labels":{"kubernetes.io/service-name":"web"}},"addressType":"$t",
	 "ports":[{"name":"echo","protocol":"TCP","port":8000},
	 {"name":"who","protocol":"TCP","port":8001},
	 {"name":"uecho","protocol":"UDP","port":8000},
	 {"name":"uwho","protocol":"UDP","port":8001}],
	 "endpoints":[$2]}
	EOT
}

slices_both() {
	slice_json 4 "$(ep 10.42.0.5 p1),$(ep 10.42.0.6 p2)"
	slice_json 6 "$(ep fd42::5 p1),$(ep fd42::6 p2)"
}

hostport_pod_json() {
	put pod-p2 <<-EOT
	{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p2",
	 "namespace":"default","uid":"uid-p2",
	 "creationTimestamp":"2024-01-01T00:00:05Z"},
	 "spec":{"nodeName":"n1","containers":[{"name":"who",
	 "ports":[{"containerPort":8001,"hostPort":9090,"protocol":"TCP"}]}]},
	 "status":{"phase":"Running","podIP":"10.42.0.6",
	 "podIPs":[{"ip":"10.42.0.6"},{"ip":"fd42::6"}]}}
	EOT
}

# `lb show` lines of one owner.
owned() { # OWNER
	ip netns exec node "$ctl" lb show | grep -E "owner[[:space:]]+$1" || true
}
n_owned() { owned "$1" | grep -c . || true; }
n_owned_is() { [[ $(n_owned "$1") == "$2" ]]; }
show_has() { ip netns exec node "$ctl" lb show | grep -qE -- "$1"; }
show_lacks() { ! ip netns exec node "$ctl" lb show | grep -qE -- "$1"; }

# UDP is lossy, and the VM's guest is slow: a datagram (or its answer)
# that does not come back within the probe's 10 s is sent again, up to 5
# times; each answer that does come back must be the payload.
echo_udp() { # ADDR PORT
	local i in=$np__tmp/udp.in out=$np__tmp/udp.out
	for i in 1 2 3 4 5; do
		head -c 1200 /dev/urandom >"$in"
		in_ns client "${LB_PY[@]}" udp "$1" "$2" <"$in" >"$out"
		[[ $(cat "$out") == none ]] && continue
		cmp "$in" "$out" || np_fail "udp payload through $1:$2 differs ($(stat -c %s "$out") bytes back)"
		return 0
	done
	np_fail "udp through $1:$2: no answer in 5 tries"
}

start_daemon() {
	rm -f "$dir/pid" "$dir/rc"
	(
		sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$dir/pid" \
			ip netns exec node "$npd" --config "$dir/config.yaml" \
			-v 2>>"$log"
		echo $? >"$dir/rc"
	) &
	np_wait_for 5 test -s "$dir/pid"
}

# The cases run in subshells: the daemon's pid is read from its file.
pid() { cat "$dir/pid"; }

stop_daemon() {
	kill -TERM "$(pid)"
	np_wait_for 20 test -s "$dir/rc"
	np_expect_eq 0 "$(cat "$dir/rc")" "exit status after SIGTERM"
}

hup() {
	local n
	n=$(grep -c 'reload: done' "$log" || true)
	kill -HUP "$(pid)"
	np_wait_for 20 sh -c "[ \$(grep -c 'reload: done' '$log') -gt $n ]"
}

kill_quiet() { kill -9 "$(pid)" 2>/dev/null || true; }

setup() {
	np_module_install
	modprobe nodeplane || np_fail "modprobe nodeplane"
	lb_topology
	mkdir -p "$m" "$dir/data"
	node_json
	svc_json Cluster
	slices_both
	write_config
	start_daemon
	np_defer kill_quiet
}

# Each port and family served; payloads intact through the node's
# addresses, TCP and UDP.
t_served() {
	np_wait_for 30 n_owned_is servicelb 8
	echo_cmp tcp client 192.0.2.254 80
	echo_udp 192.0.2.254 80
	echo_cmp tcp client 2001:db8::fe 80
	echo_udp 2001:db8::fe 80
}

# Cluster with local endpoints: the pod sees the client's address.
t_client_address_cluster() {
	local got i
	for i in 1 2 3 4; do
		got=$(who_tcp client 192.0.2.254 81)
		[[ $got =~ ^p[12]\ 192\.0\.2\.1$ ]] || np_fail "tcp 81 (try $i): got '$got'"
	done
	got=$(who_udp client 192.0.2.254 81 40081)
	[[ $got =~ ^p[12]\ 192\.0\.2\.1$ ]] || np_fail "udp 81: got '$got'"
	got=$(who_tcp client 2001:db8::fe 81)
	[[ $got == "p1 $V6_CLIENT" || $got == "p2 $V6_CLIENT" ]] ||
		np_fail "tcp6 81: got '$got'"
}

# Local: only this node's endpoints (both are), the client address kept.
t_client_address_local() {
	local got
	svc_json Local
	np_wait_for 30 show_has 'tcp[[:space:]]+81[[:space:]].*local-only'
	got=$(who_tcp client 192.0.2.254 81)
	[[ $got =~ ^p[12]\ 192\.0\.2\.1$ ]] || np_fail "tcp 81 (Local): got '$got'"
	echo_cmp tcp client 192.0.2.254 80
	svc_json Cluster
	np_wait_for 30 show_lacks 'local-only'
}

# An endpoint leaves the slice: only the other one answers; none left:
# connection refused, not a hang.
t_endpoint_removed() {
	local got i
	slice_json 4 "$(ep 10.42.0.5 p1)"
	np_wait_for 30 show_lacks '10\.42\.0\.6:8001'
	for i in 1 2 3 4 5 6; do
		got=$(who_tcp client 192.0.2.254 81)
		np_expect_eq "p1 192.0.2.1" "$got" "tcp 81 with p1 alone (try $i)"
	done
	slice_json 4 ""
	np_wait_for 30 show_lacks '10\.42\.0\.5:800'
	np_expect_fail --stderr 'Connection refused' \
		in_ns client socat -T5 - TCP:192.0.2.254:80,connect-timeout=10 </dev/null
	# IPv6 is untouched
	echo_cmp tcp client 2001:db8::fe 80
	slices_both
	np_wait_for 30 show_has '10\.42\.0\.6:8001'
	echo_cmp tcp client 192.0.2.254 80
}

# A pod's hostPort: reachable on the node's address with the client's
# address kept, and at 127.0.0.1 from the node (route_localnet on cni0).
t_hostport() {
	local got
	hostport_pod_json
	np_wait_for 30 n_owned_is hostport 2
	got=$(who_tcp client 192.0.2.254 9090)
	np_expect_eq "p2 192.0.2.1" "$got" "hostPort 9090 from the client"
	got=$(who_tcp client 2001:db8::fe 9090)
	np_expect_eq "p2 $V6_CLIENT" "$got" "hostPort 9090 over IPv6"
	np_expect_eq 1 "$(in_ns node sysctl -n net.ipv4.conf.cni0.route_localnet)" \
		"route_localnet on cni0"
	got=$(who_tcp node 127.0.0.1 9090)
	[[ $got == "p2 "* ]] || np_fail "127.0.0.1:9090 from the node: got '$got'"
}

# The Service deleted: none of its frontends left, the hostPort stays.
t_service_deleted() {
	local got
	rm -f "$m/svc.json" "$m/slice4.json" "$m/slice6.json"
	np_wait_for 30 n_owned_is servicelb 0
	np_expect_fail in_ns client socat -T5 - TCP:192.0.2.254:80,connect-timeout=10 </dev/null
	got=$(who_tcp client 192.0.2.254 9090)
	np_expect_eq "p2 192.0.2.1" "$got" "hostPort after the Service went"
}

# disable: [servicelb] on SIGHUP removes its frontends, hostPort stays;
# enabled again, they are back.
t_disable_sighup() {
	svc_json Cluster
	slices_both
	np_wait_for 30 n_owned_is servicelb 8
	write_config servicelb
	hup
	np_wait_for 30 n_owned_is servicelb 0
	np_expect_eq 2 "$(n_owned hostport)" "hostport frontends"
	np_expect_fail in_ns client socat -T5 - TCP:192.0.2.254:80,connect-timeout=10 </dev/null
	np_expect_eq "p2 192.0.2.1" "$(who_tcp client 192.0.2.254 9090)" \
		"hostPort with ServiceLB disabled"
	write_config
	hup
	np_wait_for 30 n_owned_is servicelb 8
	echo_cmp tcp client 192.0.2.254 80
}

# A stop leaves the frontends (forwarding goes on); a start with
# disable: [servicelb] removes what that run left.
t_disable_at_start_removes_leftovers() {
	stop_daemon
	np_expect_eq 8 "$(n_owned servicelb)" "servicelb frontends after the stop"
	echo_cmp tcp client 192.0.2.254 80
	write_config servicelb
	start_daemon
	np_wait_for 30 n_owned_is servicelb 0
	np_expect_eq 2 "$(n_owned hostport)" "hostport frontends"
	grep -q 'servicelb: disabled' "$log" || np_fail "no 'servicelb: disabled' in the log"
}

# Everything removed from the manifests: nothing left in the kernel.
t_nothing_left() {
	write_config
	hup
	rm -f "$m/pod-p2.json" "$m/svc.json" "$m/slice4.json" "$m/slice6.json"
	np_wait_for 30 sh -c "[ -z \"\$(ip netns exec node $ctl lb show)\" ]"
	stop_daemon
	np_dmesg_clean
}

set -e
setup
set +e
np_case served-tcp-udp-dual-stack t_served
np_case client-address-kept-cluster t_client_address_cluster
np_case client-address-kept-local t_client_address_local
np_case endpoint-removed-then-refused t_endpoint_removed
np_case hostport-node-address-and-localhost t_hostport
np_case service-deleted-frontends-gone t_service_deleted
np_case disable-servicelb-on-sighup t_disable_sighup
np_case disable-at-start-removes-leftovers t_disable_at_start_removes_leftovers
np_case nothing-left t_nothing_left
np_finish
