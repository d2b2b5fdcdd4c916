#!/bin/bash
# `make demo`: runs inside the VM and shows the module at work: load with
# K3s-style switches, read INFO back through nodeplanectl and sysfs, show
# that each network namespace (each "node") has its own state; then two
# nodes, one running stock flannel's kernel vxlan devices and one running
# nodeplane, exchanging pod traffic (topology in tests/user/overlay_lib.sh);
# then the example cluster of examples/: three nodes each running nodeplaned
# from a manifests directory (no API server), pods pinging across nodes, a
# file edited live, and a daemon stop that leaves traffic flowing
# (topology in tests/user/cluster_lib.sh).
set -euo pipefail
top=${NP_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/user/lib.sh"
ctl=$top/daemon/nodeplanectl

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "$*"; "$@"; }

np_module_install
run modprobe nodeplane disable=servicelb
run cat /sys/module/nodeplane/parameters/disable
run "$ctl" info
run "$ctl" info -s
run ip netns add node-a
run ip netns exec node-a "$ctl" info
run ip netns del node-a
run rmmod nodeplane
say "genl autoload: nodeplanectl info loads the module on first use"
"$ctl" info -s
run lsmod

say "two nodes: n1 runs stock flannel (flannel.1, flannel-v6.1), n2 runs nodeplane (np0)"
. "$top/tests/user/overlay_lib.sh"
ov_topo stock np
run ip -n n1 -d link show flannel.1
run ip -n n1 route show dev flannel.1
run ip -n n2 -d link show np0
run ip -n n2 route show dev np0
run ip netns exec n2 "$ctl" overlay show
say "pod p2 (nodeplane node) -> pod p1 (flannel node), IPv4 and IPv6"
run ip netns exec p2 ping -4 -c 2 -i 0.2 10.42.0.2
run ip netns exec p2 ping -6 -c 2 -i 0.2 2001:db8:42::2
say "and back"
run ip netns exec p1 ping -4 -c 2 -i 0.2 10.42.1.2
run ip netns exec n2 "$ctl" overlay show -s
ov_topo_down
run rmmod nodeplane

say "a cluster: three nodes (n1 n2 n3), each running nodeplaned from examples/"
cat <<'EOF'
   Each node is a network namespace with eth0 on a bridge (192.0.2.1-3,
   2001:db8::1-3) and one pod namespace behind it (p1 p2 p3: 10.42.0.2,
   10.42.1.2, 10.42.2.2 and 2001:db8:42::2, ...:1::2, ...:2::2). No API
   server: every nodeplaned reads the same manifests directory, a copy of
   examples/manifests (Nodes with their pod CIDRs and flannel annotations,
   Namespaces, a Pod, its Service and EndpointSlices).
EOF
. "$top/tests/user/cluster_lib.sh"
cl_topo 3 1450
run ls "$top/examples/manifests"
run sed -n '/^apiVersion/,$p' "$top/examples/manifests/n2.yaml"
run cat "$top/examples/config.yaml"
for i in 1 2 3; do
	cp "$top"/examples/manifests/* "$CL_DIR/n$i/manifests/"
	cp "$top/examples/config.yaml" "$CL_DIR/n$i/config.yaml"
	say "ip netns exec n$i nodeplaned -v --config examples/config.yaml --node-name n$i --manifests-dir <a copy> &"
	cl_npd_start "n$i" --node-name "n$i" --data-dir "$CL_DIR/n$i/data" \
		--manifests-dir "$CL_DIR/n$i/manifests"
done
want() { # i: node i's peers: the other two nodes, both families
	local j lines=()
	for j in 1 2 3; do
		[[ $j == "$1" ]] || lines+=("$(cl_lines np-vxlan "$j")")
	done
	cl_sorted "${lines[@]}"
}
converged() {
	[[ $(cl_peers n1 np-vxlan) == "$(want 1)" && $(cl_peers n2 np-vxlan) == "$(want 2)" &&
		$(cl_peers n3 np-vxlan) == "$(want 3)" ]]
}
cl_within 30 "the three nodes converged" converged
say "what nodeplaned on n1 did (its log)"
sed 's/^/    /' "$CL_LOGS/nodeplaned-n1.log"
say "n1's overlay: one device for both families, one peer per other node and family"
run ip -n n1 -d link show np-vxlan
run ip -n n1 addr show dev np-vxlan
run ip netns exec n1 "$ctl" overlay show np-vxlan
say "its routes (protocol 110 = nodeplaned's): each cluster CIDR via the device"
run ip -n n1 route show proto 110
run ip -n n1 -6 route show proto 110
say "pods across nodes: p1 (on n1) -> p2 (on n2) and p3 (on n3), IPv4 and IPv6"
run ip netns exec p1 ping -4 -c 2 -i 0.2 10.42.1.2
run ip netns exec p1 ping -6 -c 2 -i 0.2 2001:db8:42:1::2
run ip netns exec p1 ping -4 -c 2 -i 0.2 10.42.2.2
run ip netns exec p3 ping -6 -c 2 -i 0.2 2001:db8:42::2

say "a file edited live: n3.yaml deleted on every node -> n3's peers are removed"
for i in 1 2 3; do
	rm "$CL_DIR/n$i/manifests/n3.yaml"
done
without3() {
	[[ $(cl_peers n1 np-vxlan) == "$(cl_lines np-vxlan 2)" &&
		$(cl_peers n2 np-vxlan) == "$(cl_lines np-vxlan 1)" ]]
}
cl_within 30 "n3 removed on n1 and n2" without3
run ip netns exec n1 "$ctl" overlay show np-vxlan
say "put back: n3 is a peer again"
for i in 1 2 3; do
	cp "$top/examples/manifests/n3.yaml" "$CL_DIR/n$i/manifests/"
done
cl_within 30 "n3 back on every node" converged
run ip netns exec n1 "$ctl" overlay show np-vxlan

say "stopping nodeplaned (SIGTERM) leaves the kernel state: pods keep talking"
for i in 1 2 3; do
	cl_npd_stop "n$i"
done
grep -m1 SIGTERM "$CL_LOGS/nodeplaned-n1.log" | sed 's/^/    /' || true
run ip -n n1 route show proto 110
run ip netns exec p2 ping -4 -c 2 -i 0.2 10.42.2.2
run ip netns exec p2 ping -6 -c 2 -i 0.2 2001:db8:42::2
cl_down
run rmmod nodeplane
say "done; the daemons' logs: ${CL_LOGS#"$top"/}/"
