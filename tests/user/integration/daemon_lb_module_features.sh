#!/bin/bash
# nodeplaned reads the module's features again when the module is loaded
# again: `modprobe nodeplane disable=servicelb` while it runs turns its
# servicelb reconciler off (said once, nothing programmed, no pass failing
# over and over); loaded again without it, the LoadBalancer Service is
# programmed again. One node against the test API server, a LoadBalancer
# Service default/web tcp/80 -> p1 10.42.0.2:8000.
# Runs in the test VM (tests/vm/run). Details: tests/user/cluster_lib.sh.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$NP_TOP/tests/user/cluster_lib.sh"

LOG() { echo "$CL_LOGS/nodeplaned-n1.log"; }

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

# Whether nodeplanectl lb show in netns n1 lists a frontend of port PORT.
has_port() { # PORT
	ip netns exec n1 "$NP_TOP/daemon/nodeplanectl" lb show | grep -Eq "(^|[[:space:]])tcp[[:space:]]+$1([[:space:]]|$)"
}
module_gone() { [[ ! -d /sys/module/nodeplane ]]; }
reload_module() { # [PARAM...]
	ip -n n1 link del np-vxlan 2>/dev/null || true
	rmmod nodeplane || np_fail "rmmod nodeplane failed"
	module_gone || np_fail "nodeplane still loaded after rmmod"
	modprobe nodeplane "$@" || np_fail "modprobe nodeplane $* failed"
}
logged_after() { # FROM TEXT
	tail -n +"$(($1 + 1))" "$(LOG)" | grep -qF -- "$2"
}
# servicelb passes logged after line FROM with a failed item.
failed_passes_after() { # FROM
	tail -n +"$(($1 + 1))" "$(LOG)" | grep -cE 'servicelb: pass [0-9]+.*, [1-9][0-9]* failed$' || true
}

t_up() {
	np_module_install
	cl_cluster_api vxlan 1450 "1"
	node_ready n1
	cl_api PUT /objects "$(svc_objects)" >/dev/null
	np_wait_for 120 has_port 80
}

t_disabled_by_the_module() {
	cl_require
	local from
	from=$(wc -l <"$(LOG)")
	reload_module disable=servicelb
	np_wait_for 60 logged_after "$from" "the module loaded again with features"
	logged_after "$from" "servicelb: the module has it disabled (disable=servicelb)" ||
		np_fail "servicelb not said to be off: $(cl_logs_tail n1)"
	# a model event: a pass of every reconciler
	node_ready n1
	np_wait_for 60 logged_after "$from" "servicelb: pass"
	np_wait_for 60 logged_after "$from" "hostport: pass"
	sleep 5		# room for the retries a failure would bring
	np_expect_eq 0 "$(failed_passes_after "$from")" \
		"servicelb passes with a failure, with disable=servicelb"
	has_port 80 && np_fail "web programmed although the module has servicelb disabled"
	cl_npd_alive n1 || np_fail "nodeplaned exited"
}

t_enabled_again() {
	cl_require
	local from
	from=$(wc -l <"$(LOG)")
	reload_module
	np_wait_for 60 logged_after "$from" "servicelb: enabled"
	np_wait_for 60 has_port 80
	cl_npd_alive n1 || np_fail "nodeplaned exited"
}

np_case cluster-up t_up
np_case module-disable-servicelb-stops-it t_disabled_by_the_module
np_case module-without-disable-resumes t_enabled_again
cl_down
np_finish
