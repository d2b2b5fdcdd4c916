#!/bin/bash
# ServiceLB in API mode (node-contract.md §4 "Status"): two nodeplaned
# nodes against the test API server (tests/apiserver/apiserver.py), a
# LoadBalancer Service with one endpoint on n1. Judged by traffic through
# both nodes' addresses (n2 forwards over the overlay, masqueraded) and by
# what is written back, read with kubectl: the status (ipMode VIP, the
# serving nodes' InternalIPs), exactly one UpdatedLoadBalancer Event, the
# leader Lease; n2's nodeplaned killed: n2 leaves the status once its
# node Lease expires (a new leader takes over if it led).
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

# The Events about default/web with reason R, as "type reason note" lines.
events_of() { # REASON
	kc get events.events.k8s.io -n default -o json |
		jq -r --arg r "$1" '.items[] | select(.regarding.name == "web" and .reason == $r) |
			"\(.type) \(.reason) \(.note) x\(.series.count // 1)"'
}

# Node i as the API has it, made Ready (kubelet's condition).
node_ready() { # NAME
	cl_node_get "$1" | jq -c '.status.conditions = [{type: "Ready", status: "True"}] |
		del(.metadata.resourceVersion)' >"$CL_DIR/node.json"
	cl_api PUT /objects "$(cat "$CL_DIR/node.json")" >/dev/null
}

svc_objects() {
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

echo_via() { # ADDR: a payload through the echo server in p1, compared
	local in=$np__tmp/in out=$np__tmp/out
	head -c 100000 /dev/urandom >"$in"
	socat -t30 -T30 - "TCP:$1:80,connect-timeout=10" <"$in" >"$out"
	cmp "$in" "$out" || np_fail "payload through $1:80 differs ($(stat -c %s "$out") bytes back)"
}

t_up() {
	command -v kubectl >/dev/null || np_skip "kubectl not installed"
	cl_cluster_api vxlan 1450 "1 2"
	node_ready n1
	node_ready n2
	ip netns exec p1 socat TCP4-LISTEN:8000,reuseaddr,fork EXEC:cat </dev/null >/dev/null 2>&1 &
	disown
	np_wait_for 20 sh -c "ip netns exec p1 ss -Hlnt 'sport = :8000' | grep -q ."
	cl_api PUT /objects "$(svc_objects)" >/dev/null
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
	node_ready n1
	np_wait_for 30 sh -c "grep -q 'servicelb: pass' $CL_LOGS/nodeplaned-n1.log"
	np_expect_eq 1 "$(cl_api GET '/writes?method=PATCH&path=/api/v1/namespaces/default/services/web/status' | jq length)" \
		"status writes of web"
	np_expect_eq 1 "$(events_of UpdatedLoadBalancer | wc -l)" "UpdatedLoadBalancer Events"
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
np_case node-gone-dropped-from-status t_node_gone
cl_down
np_finish
