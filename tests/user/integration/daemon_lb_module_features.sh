#!/bin/bash
# nodeplaned reads the module's features again when the module is loaded
# again: `modprobe nodeplane disable=servicelb` while it runs turns its
# servicelb reconciler off (said once, nothing programmed, no pass failing
# over and over); loaded again without it, the LoadBalancer Service is
# programmed again. Only a node serving ServiceLB campaigns for the
# status Lease: with servicelb disabled by the module, n1 stops renewing
# kube-system/nodeplane-servicelb (no write to it while disabled); enabled
# again, it holds it again. One node against the test API server, a
# LoadBalancer Service default/web tcp/80 -> p1 10.42.0.2:8000.
# Runs in the test VM (tests/vm/run). Details: tests/user/cluster_lib.sh.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$NP_TOP/tests/user/cluster_lib.sh"

LOG() { echo "$CL_LOGS/nodeplaned-n1.log"; }

# Whether nodeplanectl lb show in netns n1 lists a frontend of port PORT.
has_port() { # PORT
	ip netns exec n1 "$NP_TOP/daemon/nodeplanectl" lb show | grep -Eq "(^|[[:space:]])tcp[[:space:]]+$1([[:space:]]|$)"
}
KC=$CL_DIR/certs/kubeconfig-k3s.yaml
holder_is_n1() {
	[[ $(kubectl --kubeconfig "$KC" get lease -n kube-system nodeplane-servicelb \
		-o jsonpath='{.spec.holderIdentity}') == n1 ]]
}
# Writes to the status Lease recorded by the test API server.
lease_writes() {
	cl_api GET '/writes?path=/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/nodeplane-servicelb' |
		jq length
}
lease_written_since() { (($(lease_writes) > $1)); } # COUNT
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
	cl_node_ready n1
	cl_api PUT /objects "$(cl_lb_web_objects)" >/dev/null
	np_wait_for 120 has_port 80
	command -v kubectl >/dev/null || np_skip "kubectl not installed"
	cl_wait "n1 leads" holder_is_n1
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
	cl_node_ready n1
	np_wait_for 60 logged_after "$from" "servicelb: pass"
	np_wait_for 60 logged_after "$from" "hostport: pass"
	logged_after "$from" "servicelb: disabled, no longer a candidate for the status Lease" ||
		np_fail "n1 still campaigns: $(cl_logs_tail n1)"
	local w
	w=$(lease_writes)
	sleep 5		# room for the retries a failure would bring, and renewals
	np_expect_eq "$w" "$(lease_writes)" "writes to the status Lease while servicelb is disabled"
	np_expect_eq 0 "$(failed_passes_after "$from")" \
		"servicelb passes with a failure, with disable=servicelb"
	has_port 80 && np_fail "web programmed although the module has servicelb disabled"
	cl_npd_alive n1 || np_fail "nodeplaned exited"
}

t_enabled_again() {
	cl_require
	local from w
	from=$(wc -l <"$(LOG)")
	w=$(lease_writes)
	reload_module
	np_wait_for 60 logged_after "$from" "servicelb: enabled"
	np_wait_for 60 has_port 80
	cl_wait "n1 writes the status Lease again" lease_written_since "$w"
	holder_is_n1 || np_fail 'n1 does not hold the status Lease again'
	cl_npd_alive n1 || np_fail "nodeplaned exited"
}

np_case cluster-up t_up
np_case module-disable-servicelb-stops-it t_disabled_by_the_module
np_case module-without-disable-resumes t_enabled_again
cl_down
np_finish
