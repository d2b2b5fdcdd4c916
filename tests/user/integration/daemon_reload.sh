#!/bin/bash
# nodeplaned's SIGHUP: the configuration file is read again; a valid one is
# applied (masquerade switched, backend switched with the old backend's
# device and routes removed), an invalid one is refused with the file, line
# and key in the log and changes nothing. Manifests mode, one node.
#
#   netns n1: nodeplaned --config $dir/config.yaml, manifests in $dir/m
#     eth0 192.0.2.1/24 2001:db8::1/64 (veth to "gw", default routes there)
#     Nodes: n1 (itself, 10.42.0.0/24 + 2001:db8:42::/64) and n2
#     (10.42.1.0/24 + 2001:db8:42:1::/64, at 192.0.2.2 / 2001:db8::2)
#   netns gw: the other end, 192.0.2.254/24 2001:db8::fe/64
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

npd=$NP_TOP/daemon/nodeplaned
ctl=$NP_TOP/daemon/nodeplanectl
dir=$(mktemp -d /tmp/np-reload.XXXXXX)
np_defer rm -rf "$dir"
log=$dir/nodeplaned.log

n1() { ip netns exec n1 "$@"; }

write_config() { # BACKEND IPV6MASQ
	cat >"$dir/config.yaml.new" <<-EOT
	node-name: n1
	flannel-backend: $1
	flannel-ipv6-masq: $2
	cluster-cidr: 10.42.0.0/16,2001:db8:42::/56
	manifests-dir: $dir/m
	data-dir: $dir/data
	EOT
	mv "$dir/config.yaml.new" "$dir/config.yaml"
}

node_json() { # NAME I (pod subnet index and address)
	local i=$2
	cat <<-EOT
	{"apiVersion":"v1","kind":"Node","metadata":{"name":"$1","annotations":{
	 "flannel.alpha.coreos.com/kube-subnet-manager":"true",
	 "flannel.alpha.coreos.com/backend-type":"vxlan",
	 "flannel.alpha.coreos.com/backend-data":"{\"VNI\":1,\"VtepMAC\":\"02:cc:00:00:0$i:04\"}",
	 "flannel.alpha.coreos.com/backend-v6-data":"{\"VNI\":1,\"VtepMAC\":\"02:cc:00:00:0$i:06\"}",
	 "flannel.alpha.coreos.com/public-ip":"192.0.2.$((i + 1))",
	 "flannel.alpha.coreos.com/public-ipv6":"2001:db8::$((i + 1))"}},
	 "spec":{"podCIDRs":["10.42.$i.0/24","2001:db8:42:$i::/64"]}}
	EOT
}

masq_line() { n1 "$ctl" masq show -s; }
# The host-gw annotations of a Node (backend-type must match ours).
to_hostgw() {
	jq -c --arg p flannel.alpha.coreos.com/ '.metadata.annotations +=
		{($p + "backend-type"): "host-gw", ($p + "backend-data"): "null",
		 ($p + "backend-v6-data"): "null"}'
}

# Outside the cases (each runs in a subshell): the namespaces and the daemon
# live for the whole script; its pid is in $dir/pid, its exit status will be
# in $dir/rc.
setup() {
	np_module_install
	modprobe nodeplane || np_fail "modprobe nodeplane"
	np_netns_add n1
	np_netns_add gw
	ip link add eth0 netns n1 type veth peer name eth0 netns gw
	n1 ip addr add 192.0.2.1/24 dev eth0
	n1 ip addr add 2001:db8::1/64 dev eth0 nodad
	ip -n gw addr add 192.0.2.254/24 dev eth0
	ip -n gw addr add 2001:db8::fe/64 dev eth0 nodad
	n1 ip link set eth0 up
	ip -n gw link set eth0 up
	n1 ip route add default via 192.0.2.254
	n1 ip -6 route add default via 2001:db8::fe
	mkdir -p "$dir/m"
	node_json n1 0 >"$dir/m/n1.json"
	node_json n2 1 >"$dir/m/n2.json"
	write_config vxlan false
	(
		NODEPLANE_SUBNET_ENV=$dir/subnet.env sh -c 'echo $$ >"$1"; shift; exec "$@"' \
			sh "$dir/pid" ip netns exec n1 "$npd" --config "$dir/config.yaml" \
			-v 2>"$log"
		echo $? >"$dir/rc"
	) &
	np_wait_for 5 test -s "$dir/pid"
	pid=$(cat "$dir/pid")
	np_defer kill_quiet "$pid"
}

kill_quiet() { kill -9 "$1" 2>/dev/null || true; }

t_up() {
	np_wait_for 20 grep -q 'overlay: converged: 2 peers' "$log"
	np_expect_eq $'masq\tcluster-cidr\t10.42.0.0/16,2001:db8:42::/56\tipv6\toff' \
		"$(masq_line)" "masquerade at start"
}

t_ipv6_masq_on() {
	write_config vxlan true
	kill -HUP "$pid"
	np_wait_for 10 grep -q 'reload: done' "$log"
	np_wait_for 5 sh -c "ip netns exec n1 $ctl masq show -s | grep -q 'ipv6.on'"
	np_expect_eq $'masq\tcluster-cidr\t10.42.0.0/16,2001:db8:42::/56\tipv6\ton' \
		"$(masq_line)" "masquerade after SIGHUP"
}

t_invalid_refused() {
	local before after
	before=$(n1 "$ctl" overlay show -s; masq_line)
	printf 'node-name: n1\nflannel-backend: vxlon\n' >"$dir/config.yaml"
	kill -HUP "$pid"
	np_wait_for 10 grep -q 'reload: configuration invalid' "$log"
	grep -q "$dir/config.yaml:2: flannel-backend: " "$log" ||
		np_fail "the log does not name file:line: key of the error"
	kill -0 "$pid" || np_fail "nodeplaned exited on an invalid reload"
	after=$(n1 "$ctl" overlay show -s; masq_line)
	np_expect_eq "$before" "$after" "kernel state after an invalid reload"
}

t_backend_switch() {
	to_hostgw <"$dir/m/n2.json" >"$dir/m/n2.json.new"
	mv "$dir/m/n2.json.new" "$dir/m/n2.json"
	write_config host-gw true
	kill -HUP "$pid"
	np_wait_for 10 sh -c "! ip -n n1 link show np-vxlan"
	np_wait_for 10 sh -c "ip -n n1 route show proto 110 | grep -q 'via 192.0.2.2'"
	np_expect_eq "10.42.1.0/24 via 192.0.2.2 dev eth0 " \
		"$(n1 ip -4 route show proto 110)" "IPv4 routes of ours after the switch"
	np_expect_eq "2001:db8:42:1::/64 via 2001:db8::2 dev eth0 metric 1024 pref medium" \
		"$(n1 ip -6 route show proto 110)" "IPv6 routes of ours after the switch"
}

t_sigterm() {
	kill -TERM "$pid"
	np_wait_for 10 test -s "$dir/rc"
	np_expect_eq 0 "$(cat "$dir/rc")" "exit status after SIGTERM"
	np_expect_eq "10.42.1.0/24 via 192.0.2.2 dev eth0 " \
		"$(n1 ip -4 route show proto 110)" "routes left in place"
}

setup
np_case daemon-up t_up
np_case sighup-ipv6-masq-on t_ipv6_masq_on
np_case sighup-invalid-config-refused-nothing-changes t_invalid_refused
np_case sighup-backend-switch-vxlan-to-host-gw t_backend_switch
np_case sigterm-exit-0-kernel-left t_sigterm
np_finish
