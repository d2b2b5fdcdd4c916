#!/bin/bash
# ServiceLB in API mode (node-contract.md §4 "Status"): two nodeplaned
# nodes against the test API server (tests/apiserver/apiserver.py), a
# LoadBalancer Service with one endpoint on n1. Judged by traffic through
# both nodes' addresses (n2 forwards over the overlay, masqueraded) and by
# what is written back, read with kubectl: the status (ipMode VIP, the
# serving nodes' InternalIPs), exactly one UpdatedLoadBalancer Event, the
# leader Lease, the load-balancer-cleanup finalizer on the Service; the
# leader stopped by SIGTERM releases the Lease (holderIdentity "") and
# the other node takes over and writes the next Service's finalizer and
# status; kubectl delete of a Service waits for the finalizer, which the
# leader removes once its frontends are gone (gone on both nodes); n2's
# nodeplaned killed: n2 leaves the status once its node Lease expires (a
# new leader takes over if it led).
# Runs in the test VM (tests/vm/run). Details: tests/user/cluster_lib.sh.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$NP_TOP/tests/user/cluster_lib.sh"

KC=$CL_DIR/certs/kubeconfig-k3s.yaml
kc() { kubectl --kubeconfig "$KC" "$@"; }

ingress() {
	kc get svc web -o jsonpath='{range .status.loadBalancer.ingress[*]}{.ip}/{.ipMode} {end}'
}
ingress_is() { [[ $(ingress) == "$1" ]]; }
ingress_of() { # SVC
	kc get svc "$1" -o jsonpath='{range .status.loadBalancer.ingress[*]}{.ip}/{.ipMode} {end}'
}
holder() {
	kc get lease -n kube-system nodeplane-servicelb -o jsonpath='{.spec.holderIdentity}'
}
holder_is() { [[ $(holder) == "$1" ]]; }
FIN=service.kubernetes.io/load-balancer-cleanup
finalizers_of() { # SVC
	kc get svc "$1" -o jsonpath='{.metadata.finalizers[*]}'
}
# Whether nodeplanectl lb show in netns N lists a frontend of port PORT.
has_port() { # N PORT
	ip netns exec "$1" "$NP_TOP/daemon/nodeplanectl" lb show | grep -Eq "(^|[[:space:]])tcp[[:space:]]+$2([[:space:]]|$)"
}
no_port() { ! has_port "$@"; }

# The Events about default/web with reason R, as "type reason note" lines.
events_of() { # REASON
	kc get events.events.k8s.io -n default -o json |
		jq -r --arg r "$1" '.items[] | select(.regarding.name == "web" and .reason == $r) |
			"\(.type) \(.reason) \(.note) x\(.series.count // 1)"'
}

echo_via() { # ADDR: a payload through the echo server in p1, compared
	local in=$np__tmp/in out=$np__tmp/out
	head -c 100000 /dev/urandom >"$in"
	socat -t30 -T30 - "TCP:$1:80,connect-timeout=10" <"$in" >"$out"
	cmp "$in" "$out" || np_fail "payload through $1:80 differs ($(stat -c %s "$out") bytes back)"
}

t_up() {
	command -v kubectl >/dev/null || np_skip "kubectl not installed"
	cl_cluster_api vxlan 1450 "1 2"
	cl_node_ready n1
	cl_node_ready n2
	ip netns exec p1 socat TCP4-LISTEN:8000,reuseaddr,fork EXEC:cat </dev/null >/dev/null 2>&1 &
	disown
	np_wait_for 20 sh -c "ip netns exec p1 ss -Hlnt 'sport = :8000' | grep -q ."
	# The Service comes once both nodes know both run nodeplaned (their
	# node Leases seen): the first status then names both nodes, and
	# the cases below can count exactly one write and one Event.
	local i j
	for i in 1 2; do
		for j in 1 2; do
			np_wait_for 60 grep -q "servicelb: node n$j runs nodeplaned" \
				"$CL_LOGS/nodeplaned-n$i.log"
		done
	done
	cl_api PUT /objects "$(cl_lb_web_objects)" >/dev/null
}

t_status_written() {
	cl_require
	cl_wait "status written" ingress_is "192.0.2.1/VIP 192.0.2.2/VIP "
	np_expect_eq "Normal UpdatedLoadBalancer Updated LoadBalancer with new IPs: [] -> [192.0.2.1 192.0.2.2] x1" \
		"$(events_of UpdatedLoadBalancer)" "the Event"
	[[ $(kc get lease -n kube-system nodeplane-servicelb -o jsonpath='{.spec.holderIdentity}') == n[12] ]] ||
		np_fail "no leader holds kube-system/nodeplane-servicelb"
	kc get lease -n kube-system nodeplane-node-n1 nodeplane-node-n2 >/dev/null ||
		np_fail "node Leases missing"
	np_expect_eq "$FIN" "$(finalizers_of web)" "the finalizers of web"
}

t_traffic_both_nodes() {
	cl_require
	np_wait_for 30 sh -c "ip netns exec n2 $NP_TOP/daemon/nodeplanectl lb show | grep -q 10.42.0.2:8000"
	echo_via 192.0.2.1
	echo_via 192.0.2.2
}

# A stable status is not written again: after the model events of the
# cases before (Node updates, Leases, the overlay's annotations), one
# status write and one Event, from one node.
t_written_once() {
	cl_require
	cl_node_ready n1
	np_wait_for 30 sh -c "grep -q 'servicelb: pass' $CL_LOGS/nodeplaned-n1.log"
	np_expect_eq 1 "$(cl_api GET '/writes?method=PATCH&path=/api/v1/namespaces/default/services/web/status' | jq length)" \
		"status writes of web"
	np_expect_eq 1 "$(events_of UpdatedLoadBalancer | wc -l)" "UpdatedLoadBalancer Events"
}

svc2_objects() { # a second LoadBalancer Service, tcp/81, no endpoints
	jq -cn '{apiVersion: "v1", kind: "Service",
	  metadata: {name: "web2", namespace: "default", uid: "uid-web2",
	   creationTimestamp: "2024-01-01T00:00:02Z"},
	  spec: {type: "LoadBalancer", clusterIP: "10.43.0.11",
	   clusterIPs: ["10.43.0.11"], ipFamilies: ["IPv4"],
	   externalTrafficPolicy: "Cluster",
	   ports: [{name: "echo", protocol: "TCP", port: 81, targetPort: 8000}]}}'
}

# SIGTERM on the leader: the Lease is released before the process ends
# (holderIdentity "", as client-go's ReleaseOnCancel), the other node
# takes it and writes what changes next: web2's finalizer and status.
t_sigterm_releases() {
	cl_require
	local l o h
	l=$(holder)
	[[ $l == n[12] ]] || np_fail "no leader before the stop: '$l'"
	if [[ $l == n1 ]]; then o=n2; else o=n1; fi
	cl_npd_stop "$l"
	cl_npd_alive "$l" && np_fail "nodeplaned on $l did not stop on SIGTERM"
	grep -q "kube: lease kube-system/nodeplane-servicelb: released" "$CL_LOGS/nodeplaned-$l.log" ||
		np_fail "$l did not log the release"
	h=$(holder)
	[[ $h == "" || $h == "$o" ]] || np_fail "after $l stopped the Lease is held by '$h' (not released)"
	CL_WAIT_SECS=60 cl_wait "$o leads" holder_is "$o"
	cl_api PUT /objects "$(svc2_objects)" >/dev/null
	CL_WAIT_SECS=60 cl_wait "web2 finalizer" sh -c "[ \"\$(kubectl --kubeconfig $KC get svc web2 -o jsonpath='{.metadata.finalizers[*]}')\" = $FIN ]"
	CL_WAIT_SECS=60 cl_wait "web2 status" sh -c "kubectl --kubeconfig $KC get svc web2 -o jsonpath='{.status.loadBalancer.ingress[*].ip}' | grep -q ."
	[[ $(ingress_of web2) == *"192.0.2.${o#n}/VIP"* ]] ||
		np_fail "web2's status '$(ingress_of web2)' lacks $o"
	# back to two nodes for the cases after
	cl_npd_start "$l"
	np_wait_for 120 has_port "$l" 81
	np_wait_for 60 has_port "$o" 81
}

# kubectl delete waits for the finalizer: the leader removes it once its
# frontends are gone, the API server then deletes the Service; no node
# keeps a frontend of it, and the leader's Event says so.
t_delete_waits_for_finalizer() {
	cl_require
	kc delete svc web2 --wait=true --timeout=120s >/dev/null ||
		np_fail "kubectl delete svc web2 did not complete"
	kc get svc web2 >/dev/null 2>&1 && np_fail "web2 still exists"
	np_expect_eq 1 "$(cl_api GET '/writes?method=PATCH&path=/api/v1/namespaces/default/services/web2' |
		jq '[.[] | select(tostring | contains("deleteFromPrimitiveList"))] | length')" \
		"finalizer removals of web2"
	np_wait_for 60 no_port n1 81
	np_wait_for 60 no_port n2 81
	kc get events.events.k8s.io -n default -o json | jq -e '.items[] |
		select(.regarding.name == "web2" and .reason == "DeletedLoadBalancer")' >/dev/null ||
		np_fail "no DeletedLoadBalancer Event about web2"
	# web itself still served on both
	has_port n1 80 && has_port n2 80 || np_fail "web's frontends went too"
}

t_node_gone() {
	cl_require
	cl_npd_kill n2
	CL_WAIT_SECS=150 cl_wait "n2 dropped" ingress_is "192.0.2.1/VIP "
	events_of UpdatedLoadBalancer | grep -qF '[192.0.2.1 192.0.2.2] -> [192.0.2.1]' ||
		np_fail "no Event for the change: $(events_of UpdatedLoadBalancer)"
	np_expect_eq n1 "$(kc get lease -n kube-system nodeplane-servicelb -o jsonpath='{.spec.holderIdentity}')" \
		"the leader after n2 stopped"
}

np_case cluster-up t_up
np_case status-written-with-event t_status_written
np_case traffic-through-both-nodes t_traffic_both_nodes
np_case status-written-once t_written_once
np_case sigterm-releases-the-lease t_sigterm_releases
np_case delete-waits-for-the-finalizer t_delete_waits_for_finalizer
np_case node-gone-dropped-from-status t_node_gone
cl_down
np_finish
