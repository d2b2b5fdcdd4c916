#!/bin/bash
# ServiceLB and hostPort on three nodes (node-contract.md §4 "ServiceLB"
# and "hostPort"), manifests mode: each node runs its own nodeplaned
# (vxlan overlay between them) on one shared manifests directory, and an
# external client on the LAN judges by traffic (payloads compared with
# cmp, the backend's view of the client's address) and by `nodeplanectl
# lb show` on each node. IPv4, IPv6 and dual-stack; TCP, UDP and SCTP.
# Runs in the test VM (tests/vm/run).
#
#                 VM root netns: br0 192.0.2.254/24 2001:db8::fe/64 (LAN)
#       +-----------------+-----------------+-----------------+
#   n1 eth0 192.0.2.1  n2 eth0 192.0.2.2  n3 eth0 192.0.2.3  client eth0
#      2001:db8::1        2001:db8::2        2001:db8::3     192.0.2.100, .101
#   nodeplaned         nodeplaned         nodeplaned         2001:db8::100, ::101
#   np-vxlan           np-vxlan           np-vxlan
#   cni0 10.42.0.1     cni0 10.42.1.1     cni0 10.42.2.1
#   pods p11 p12       pod p21            pod p31
#   (pod pIK: 10.42.(I-1).(10+K): p11 10.42.0.11, p21 10.42.1.11, p31 10.42.2.11)
#
# Pod pIK: 10.42.(I-1).(10+K), 2001:db8:42:(I-1)::(10+K); servers: TCP,
# UDP, SCTP 8000 echo; TCP, UDP 8001 "POD PEERADDR" (tests/user/slb_lib.sh).
# The cases run in order; each leaves the Traefik-shaped Service served
# everywhere (the later ones probe with it) and removes its own objects.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$NP_TOP/tests/user/slb_lib.sh"

ALL="1 2 3"
C4=$SL_C4
C6=$SL_C6

# The address a node masquerades to when the endpoint is on another node:
# its overlay device's (np-vxlan) address, the route to the pod's node.
masq() { # i FAMILY
	"ov_net$2" "$1"
}
# What the who-server of POD says when reached from the client through
# node i, family F: the client when POD is on i, else i's masquerade.
seen() { # POD i F
	if [[ $(sl_node_of "$1") == "n$2" ]]; then
		echo "$1 $(sl_peer "$(sl_client "$3")")"
	else
		echo "$1 $(sl_peer "$(masq "$2" "$3")")"
	fi
}
sl_client() { if [[ $1 == 4 ]]; then echo "$C4"; else echo "$C6"; fi; }

require() { cl_require; }

# be POD PORT: a regex for POD's address:PORT as `lb show -s` prints a
# backend of either family.
be() {
	local a4 a6
	a4=$(sl_ip4 "$1") a6=$(sl_ip6 "$1")
	echo "(${a4//./\\.}|\\[$a6\\]):$2/"
}

traefik() { # K3s's Traefik Service: web/websecure, named targetPorts
	sl_svc traefik 1 "web/TCP/80/web websecure/TCP/443/websecure" \
		'.metadata.namespace = "default" | .metadata.labels = {"app.kubernetes.io/name": "traefik"}'
	sl_eps traefik "web/TCP/8000 websecure/TCP/8001" p11
}

nodes_plain() {
	local i
	for i in $ALL; do sl_node "$i"; done
}

t_up() {
	local i
	np_module_install
	rm -f "$CL_DIR/up"
	sl_topo 3 p11 p12 p21 p31
	nodes_plain
	traefik
	for i in $ALL; do
		sl_npd_up "$i"
	done
	for i in $ALL; do
		cl_wait "n$i: overlay peers" cl_peers_are_n "$i"
	done
	sl_wait_fes "$ALL" tcp 80 2
	touch "$CL_DIR/up"
}

# Overlay: each node holds the other two as peers (from the manifests).
cl_peers_are_n() {
	[[ $(cl_peers "n$1" np-vxlan | grep -c .) == 4 ]]
}

# Traefik's shape: tcp/80 (web) and tcp/443 (websecure), targetPorts by
# name resolved through the EndpointSlice's port names, dual-stack, one
# endpoint on n1: every node serves both families; through n1 the pod
# sees the client, through n2 and n3 their masquerade address.
t_traefik() {
	local i f
	require
	for i in $ALL; do
		for f in 4 6; do
			echo_cmp tcp client "$(ov_u"$f" "$i")" 80
			sl_expect_who "$(seen p11 "$i" "$f")" client "$(ov_u"$f" "$i")" 443
		done
	done
	sl_fes 1 tcp 80 | grep -q "10\.42\.0\.11:8000/local/ready" ||
		np_fail "n1: tcp/80 not to 10.42.0.11:8000/local: $(sl_fes 1 tcp 80)"
}

# UDP through a dual-stack Service, endpoint on n2.
t_udp() {
	local i f
	require
	sl_svc dns 2 "ue/UDP/53/8000 uw/UDP/54/8001"
	sl_eps dns "ue/UDP/8000 uw/UDP/8001" p21
	sl_wait_fes "$ALL" udp 54 2
	for i in $ALL; do
		for f in 4 6; do
			sl_echo_udp client "$(ov_u"$f" "$i")" 53
			np_expect_eq "$(seen p21 "$i" "$f")" \
				"$(sl_who_udp client "$(ov_u"$f" "$i")" 54)" "udp who via n$i IPv$f"
		done
	done
	sl_rm svc-dns eps-dns-v4 eps-dns-v6
	sl_wait_fes "$ALL" udp 54 0
}

# SCTP through a Service: the association's payload comes back whole,
# through the endpoint's node and through another one.
t_sctp() {
	local i f
	require
	[[ -d /sys/module/sctp ]] || modprobe sctp 2>/dev/null ||
		np_skip "the sctp module is not available in the VM"
	sl_svc sc 3 "s/SCTP/9000/8000"
	sl_eps sc "s/SCTP/8000" p21
	sl_wait_fes "$ALL" sctp 9000 2
	for i in 2 3; do
		for f in 4 6; do
			echo_cmp sctp client "$(ov_u"$f" "$i")" 9000
		done
	done
	sl_rm svc-sc eps-sc-v4 eps-sc-v6
	sl_wait_fes "$ALL" sctp 9000 0
}

# Not served on node i: no frontend there, and the client's connection
# fails (refused: nothing listens on the node).
not_served() { # i PORT [FAMILIES]
	local f
	np_expect_eq 0 "$(sl_n_fes "$1" tcp "$2")" "tcp/$2 frontends on n$1"
	for f in ${3:-4 6}; do
		sl_tcp_fails client "$(ov_u"$f" "$1")" "$2"
	done
}

# enablelb: once a node has the label key, only enablelb=true nodes serve
# (n2's "false" and n3's missing label both exclude).
t_enablelb() {
	local f
	require
	sl_node 1 '.metadata.labels["svccontroller.k3s.cattle.io/enablelb"] = "true"'
	sl_node 2 '.metadata.labels["svccontroller.k3s.cattle.io/enablelb"] = "false"'
	sl_wait_fes "2 3" tcp 80 0
	sl_wait_fes 1 tcp 80 2
	for f in 4 6; do
		echo_cmp tcp client "$(ov_u"$f" 1)" 80
	done
	not_served 2 80
	not_served 3 80
	nodes_plain
	sl_wait_fes "$ALL" tcp 80 2
	echo_cmp tcp client 192.0.2.2 80
}

# lbpool: a Service labelled lbpool=blue only on nodes labelled
# lbpool=blue (n2); the unlabelled Traefik Service stays everywhere.
t_lbpool() {
	require
	sl_node 2 '.metadata.labels["svccontroller.k3s.cattle.io/lbpool"] = "blue"'
	sl_svc pooled 4 "w/TCP/8080/8001" \
		'.metadata.labels = {"svccontroller.k3s.cattle.io/lbpool": "blue"}'
	sl_eps pooled "w/TCP/8001" p11
	sl_wait_fes 2 tcp 8080 2
	sl_expect_who "$(seen p11 2 4)" client 192.0.2.2 8080
	sl_expect_who "$(seen p11 2 6)" client 2001:db8::2 8080
	sl_wait_fes "1 3" tcp 8080 0
	not_served 1 8080
	not_served 3 8080
	sl_fes_are "$ALL" tcp 80 2 || np_fail "tcp/80 not on every node with a pool on n2"
	sl_rm svc-pooled eps-pooled-v4 eps-pooled-v6
	nodes_plain
	sl_wait_fes "$ALL" tcp 8080 0
}

# A NoSchedule taint on n3 not tolerated: not served there; the
# Service's tolerations annotation tolerating it: served again.
t_taints() {
	require
	sl_node 3 '.spec.taints = [{key: "dedicated", value: "edge", effect: "NoSchedule"}]'
	sl_wait_fes 3 tcp 80 0
	not_served 3 80
	sl_fes_are "1 2" tcp 80 2 || np_fail "tcp/80 left n1 or n2"
	sl_svc traefik 1 "web/TCP/80/web websecure/TCP/443/websecure" \
		'.metadata.annotations = {"svccontroller.k3s.cattle.io/tolerations": "[{\"key\":\"dedicated\",\"operator\":\"Equal\",\"value\":\"edge\",\"effect\":\"NoSchedule\"}]"}'
	sl_wait_fes 3 tcp 80 2
	echo_cmp tcp client 192.0.2.3 80
	echo_cmp tcp client 2001:db8::3 80
	traefik
	nodes_plain
	sl_wait_fes "$ALL" tcp 80 2
}

# Two Services on tcp/7000: the older (creationTimestamp) holds it on
# every node; the older deleted, the younger is served everywhere.
t_conflict_services() {
	local i
	require
	sl_svc younger 20 "w/TCP/7000/8001"
	sl_eps younger "w/TCP/8001" p21
	sl_svc older 10 "w/TCP/7000/8001"
	sl_eps older "w/TCP/8001" p11
	sl_wait_fes "$ALL" tcp 7000 2 "$(be p11 8001)"
	for i in $ALL; do
		sl_expect_who "$(seen p11 "$i" 4)" client "$(ov_u4 "$i")" 7000
		sl_expect_who "$(seen p11 "$i" 6)" client "$(ov_u6 "$i")" 7000
	done
	sl_rm svc-older eps-older-v4 eps-older-v6
	sl_wait_fes "$ALL" tcp 7000 2 "$(be p21 8001)"
	for i in $ALL; do
		sl_expect_who "$(seen p21 "$i" 4)" client "$(ov_u4 "$i")" 7000
	done
}

# A hostPort pod on n3 against the Service "younger" on tcp/7000: the pod
# older keeps the port on n3 (its hostPort answers, the client kept), the
# Service stays on n1 and n2; the pod younger: the Service takes n3 back.
t_conflict_hostport() {
	require
	sl_hostport_pod p31 5 "TCP/7000/8001"
	sl_wait_fes 3 tcp 7000 2 'owner\thostport'
	sl_expect_who "p31 $C4" client 192.0.2.3 7000
	sl_expect_who "p31 $(sl_peer "$C6")" client 2001:db8::3 7000
	sl_expect_who "$(seen p21 1 4)" client 192.0.2.1 7000
	sl_expect_who "$(seen p21 2 4)" client 192.0.2.2 7000
	sl_hostport_pod p31 30 "TCP/7000/8001"
	sl_wait_fes 3 tcp 7000 2 'owner\tservicelb'
	sl_expect_who "$(seen p21 3 4)" client 192.0.2.3 7000
	sl_rm pod-p31 svc-younger eps-younger-v4 eps-younger-v6
	sl_wait_fes "$ALL" tcp 7000 0
}

# externalTrafficPolicy Local, endpoint on n2: only n2 serves, the client
# kept; n1 and n3 refuse and hold no frontend.
t_local() {
	require
	sl_svc loc 6 "w/TCP/7100/8001" '.spec.externalTrafficPolicy = "Local"'
	sl_eps loc "w/TCP/8001" p21
	sl_wait_fes 2 tcp 7100 2 'local-only'
	sl_wait_fes "1 3" tcp 7100 0
	sl_expect_who "p21 $C4" client 192.0.2.2 7100
	sl_expect_who "p21 $(sl_peer "$C6")" client 2001:db8::2 7100
	not_served 1 7100
	not_served 3 7100
	sl_rm svc-loc eps-loc-v4 eps-loc-v6
	sl_wait_fes 2 tcp 7100 0
}

# sessionAffinity ClientIP with endpoints on n1 and n2, through n3: 20
# connections of one client, one endpoint. Without affinity first: both
# endpoints answer within 20 connections (the case can tell them apart).
who_set() { # ADDR PORT N: the distinct pods N connections reached
	local i
	for ((i = 0; i < $3; i++)); do
		sl_who client "$1" "$2" | cut -d' ' -f1
	done | sort -u | tr '\n' ' '
}
t_affinity() {
	require
	sl_svc aff 7 "w/TCP/7200/8001"
	sl_eps aff "w/TCP/8001" p11 p21
	sl_wait_fes "$ALL" tcp 7200 2 "$(be p21 8001)"
	np_expect_eq "p11 p21 " "$(who_set 192.0.2.3 7200 20)" "pods reached without affinity"
	sl_svc aff 7 "w/TCP/7200/8001" \
		'.spec.sessionAffinity = "ClientIP" | .spec.sessionAffinityConfig = {clientIP: {timeoutSeconds: 600}}'
	sl_wait_fes "$ALL" tcp 7200 2 'affinity\t600'
	[[ $(who_set 192.0.2.3 7200 20) =~ ^p(11|21)\ $ ]] ||
		np_fail "ClientIP affinity, IPv4: more than one pod reached"
	[[ $(who_set 2001:db8::3 7200 10) =~ ^p(11|21)\ $ ]] ||
		np_fail "ClientIP affinity, IPv6: more than one pod reached"
	sl_rm svc-aff eps-aff-v4 eps-aff-v6
	sl_wait_fes "$ALL" tcp 7200 0
}

# loadBalancerSourceRanges: the client's .100 / ::100 inside, .101 /
# ::101 outside (dropped before any NAT: the connection fails).
t_ranges() {
	require
	sl_svc ranged 8 "w/TCP/7300/8001" \
		'.spec.loadBalancerSourceRanges = ["192.0.2.100/32", "2001:db8::100/128"]'
	sl_eps ranged "w/TCP/8001" p11
	sl_wait_fes "$ALL" tcp 7300 2 'ranges'
	sl_expect_who "$(seen p11 2 4)" client 192.0.2.2 7300 "$C4"
	sl_expect_who "$(seen p11 1 6)" client 2001:db8::1 7300 "$C6"
	sl_tcp_fails client 192.0.2.2 7300 "$SL_C4B"
	sl_tcp_fails client 192.0.2.1 7300 "$SL_C4B"
	sl_tcp_fails client 2001:db8::1 7300 "$SL_C6B"
	sl_rm svc-ranged eps-ranged-v4 eps-ranged-v6
	sl_wait_fes "$ALL" tcp 7300 0
}

# The endpoint moves from p11 (n1) to p21 (n2): new connections reach p21
# through every node; the Local Service follows (n1 stops, n2 serves).
t_endpoint_moves() {
	local i
	require
	sl_svc mover 9 "w/TCP/7400/8001"
	sl_eps mover "w/TCP/8001" p11
	sl_svc moverl 9 "w/TCP/7401/8001" '.spec.externalTrafficPolicy = "Local"'
	sl_eps moverl "w/TCP/8001" p11
	sl_wait_fes "$ALL" tcp 7400 2 "$(be p11 8001)"
	sl_wait_fes 1 tcp 7401 2
	sl_expect_who "p11 $C4" client 192.0.2.1 7401
	sl_eps mover "w/TCP/8001" p21
	sl_eps moverl "w/TCP/8001" p21
	sl_wait_fes "$ALL" tcp 7400 2 "$(be p21 8001)"
	sl_wait_fes 2 tcp 7401 2
	sl_wait_fes "1 3" tcp 7401 0
	for i in $ALL; do
		sl_expect_who "$(seen p21 "$i" 4)" client "$(ov_u4 "$i")" 7400
		sl_expect_who "$(seen p21 "$i" 6)" client "$(ov_u6 "$i")" 7400
	done
	sl_expect_who "p21 $C4" client 192.0.2.2 7401
	not_served 1 7401 4
	sl_rm svc-mover eps-mover-v4 eps-mover-v6 svc-moverl eps-moverl-v4 eps-moverl-v6
	sl_wait_fes "$ALL" tcp 7400 0
}

# kube-proxy's way, applied first: n1's nat PREROUTING DNATs its own
# address's tcp/7500 to p12. A Service on tcp/7500 (endpoint p21) is then
# served by nodeplane, yet on n1 the connections follow iptables (p12,
# counted: one packet per connection in the nat table) and the rules are
# byte for byte what they were; on n2 nodeplane serves.
nat_state() {
	ip netns exec n1 iptables-save -t nat | grep -v '^#'
	ip netns exec n1 ip6tables-save -t nat | grep -v '^#'
}
pkts() { # iptables|ip6tables: packets of n1's DNAT rule
	ip netns exec n1 "$1" -t nat -L PREROUTING -n -v -x | awk '/DNAT/ { print $1 }'
}
t_coexist_iptables() {
	local before i
	require
	ip netns exec n1 iptables -t nat -A PREROUTING -d 192.0.2.1/32 -p tcp --dport 7500 \
		-j DNAT --to-destination 10.42.0.12:8001
	ip netns exec n1 ip6tables -t nat -A PREROUTING -d 2001:db8::1/128 -p tcp --dport 7500 \
		-j DNAT --to-destination '[2001:db8:42::12]:8001'
	np_defer ip netns exec n1 iptables -t nat -F PREROUTING
	np_defer ip netns exec n1 ip6tables -t nat -F PREROUTING
	before=$(nat_state)
	sl_svc kp 11 "w/TCP/7500/8001"
	sl_eps kp "w/TCP/8001" p21
	sl_wait_fes "$ALL" tcp 7500 2
	for i in 1 2 3; do
		sl_expect_who "p12 $C4" client 192.0.2.1 7500
		sl_expect_who "p12 $(sl_peer "$C6")" client 2001:db8::1 7500
	done
	np_expect_eq 3 "$(pkts iptables)" "packets of n1's IPv4 DNAT rule"
	np_expect_eq 3 "$(pkts ip6tables)" "packets of n1's IPv6 DNAT rule"
	sl_expect_who "p21 $C4" client 192.0.2.2 7500
	np_expect_eq "$before" "$(nat_state)" "n1's nat rules after nodeplane served tcp/7500"
	sl_rm svc-kp eps-kp-v4 eps-kp-v6
	sl_wait_fes "$ALL" tcp 7500 0
}

# disable: [servicelb] on SIGHUP: every node's ServiceLB frontends go, the
# Traefik Service is refused everywhere; a hostPort pod is still served.
n_owner() { # i OWNER
	nsenter --net="/run/netns/n$1" "$CL_CTL" -s lb show | grep -cP "\towner\t$2\t" || true
}
owners_are() { # OWNER N
	local i
	for i in $ALL; do [[ $(n_owner "$i" "$1") == "$2" ]] || return 1; done
}
t_disable() {
	local i
	require
	sl_hostport_pod p31 40 "TCP/7600/8001"
	sl_wait_fes 3 tcp 7600 2
	for i in $ALL; do
		sl_npd_config "$i" servicelb
		sl_hup "$i"
	done
	cl_wait "no servicelb frontend on any node" owners_are servicelb 0
	for i in $ALL; do
		sl_tcp_fails client "$(ov_u4 "$i")" 80
		sl_tcp_fails client "$(ov_u6 "$i")" 443
	done
	sl_expect_who "p31 $C4" client 192.0.2.3 7600
}

# Daemons stopped: the kernel state stays (contract §5: forwarding goes
# on), n3's hostPort still answers. Module unloaded: no hook of it
# translates any more (the same connection refused), no `nft list hooks`
# entry names it, no live NAT binding (contract §5: the entries of ended
# flows expire), the contract's sysctls as set, no device, no module.
t_rmmod_nothing_left() {
	local i n
	require
	for i in $ALL; do cl_npd_stop "n$i"; done
	sl_expect_who "p31 $C4" client 192.0.2.3 7600
	rmmod nodeplane || np_fail "rmmod nodeplane: $(lsmod | grep nodeplane)"
	np_expect_eq "" "$(lsmod | grep -w nodeplane || true)" "lsmod"
	np_expect_fail --stderr 'Connection refused' in_ns client socat -T5 - \
		TCP:192.0.2.3:7600,connect-timeout=10 </dev/null
	modprobe nfnetlink_hook 2>/dev/null || true
	for i in $ALL; do
		ip netns exec "n$i" nft list hooks 2>&1 | grep nodeplane &&
			np_fail "n$i: a nodeplane hook after rmmod"
		n=$(ip netns exec "n$i" conntrack -L -p udp --dst-nat 2>/dev/null | grep -c . || true)
		np_expect_eq 0 "$n" "UDP NAT bindings in n$i"
		n=$(ip netns exec "n$i" conntrack -L -p tcp --dst-nat 2>/dev/null | grep -c ESTABLISHED || true)
		np_expect_eq 0 "$n" "established TCP NAT bindings in n$i"
		np_expect_eq "1 1 1 1" "$(ip netns exec "n$i" sysctl -n net.ipv4.ip_forward \
			net.ipv6.conf.all.forwarding net.bridge.bridge-nf-call-iptables \
			net.bridge.bridge-nf-call-ip6tables | tr '\n' ' ' | sed 's/ $//')" "n$i's sysctls"
		# Documented (docs/k3s.md, docs/nodeplaned.md): set as portmap
		# sets it, and left set, as portmap leaves it.
		echo "n$i: net.ipv4.conf.cni0.route_localnet=$(ip netns exec "n$i" sysctl -n net.ipv4.conf.cni0.route_localnet) (left, as portmap leaves it)"
		ip -n "n$i" -o link show | grep -v -E ': (lo|eth0|cni0|p[0-9]+)@?' &&
			np_fail "n$i: devices left"
	done
	np_dmesg_clean
}

np_defer sl_down
np_case cluster-up-three-nodes-manifests t_up
np_case traefik-shape-served-on-every-node-masq-when-remote t_traefik
np_case udp-dual-stack-every-node-client-kept-when-local t_udp
np_case sctp-through-service t_sctp
np_case enablelb-only-labelled-true-nodes-serve t_enablelb
np_case lbpool-only-nodes-of-the-pool t_lbpool
np_case taint-not-tolerated-then-tolerated-by-annotation t_taints
np_case port-conflict-older-service-wins-then-younger t_conflict_services
np_case port-conflict-hostport-pod-vs-service t_conflict_hostport
np_case local-only-nodes-with-endpoint-client-kept t_local
np_case session-affinity-clientip-20-connections t_affinity
np_case source-ranges-outside-fails-inside-works t_ranges
np_case endpoint-moves-node-a-to-b-local-follows t_endpoint_moves
np_case coexist-iptables-dnat-first-untouched t_coexist_iptables
np_case disable-servicelb-sighup-every-node t_disable
np_case rmmod-leaves-nothing t_rmmod_nothing_left
np_finish
