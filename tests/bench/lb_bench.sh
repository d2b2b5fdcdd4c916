#!/bin/bash
# ServiceLB/hostPort benchmarks (issue 9), run inside the test VM
# (bench.sh runs this when NP_BENCH_ONLY holds "lb"; alone:
# NP_BENCH_ONLY=lb tests/bench/run). The node of spec/node-contract.md §1,
# cut down to one pod:
#
#   lbc (client) eth0 192.0.2.1/24, default via 192.0.2.254
#     | veth
#   lbn (node) eth0 192.0.2.254/24, forwarding on: the NAT under test
#     | cni0 (bridge) 10.42.0.1/24
#     +-- lbp (pod) eth0 10.42.0.5/24: cps server :8080, iperf3 -s :5201
#
# The namespaces live for the whole run; every sample installs its NAT in
# lbn from nothing and removes it (iptables nat flushed, the nft table and
# the IPVS services deleted, every LB frontend deleted, conntrack flushed),
# so one mechanism is active per sample. Setups are alternated
# (tests/bench/lib.sh). Parts (NP_BENCH_LB_PARTS, default all):
#
# cps     New TCP connections per second (tests/bench/cps: connect, RST) to
#         192.0.2.254:PORT, one frontend = (tcp, PORT) -> 10.42.0.5:8080,
#         PORT = 10000 + k, with N = each of NP_BENCH_LB_FRONTENDS (10 1000
#         10000) frontends installed (incrementally within a sample: 10,
#         then up to 1,000, then up to 10,000); the port connected to is the
#         last one installed (for iptables, the last rule: its worst case).
#         Setups: np (nodeplanectl -b, one `lb set` per frontend), ipt
#         (iptables-restore --noflush in the portmap plugin's layout:
#         PREROUTING/OUTPUT -m addrtype --dst-type LOCAL -j
#         CNI-HOSTPORT-DNAT, there one multiport rule per sandbox jumping to
#         its CNI-DN-<hash> chain holding the hairpin and localhost SETMARK
#         rules and the DNAT, CNI-HOSTPORT-SETMARK/-MASQ as portmap makes
#         them), nft (one table: a map tcp dport -> addr . port, `fib daddr
#         type local dnat ip addr . port to tcp dport map @hostports` in
#         prerouting and output), ipvs (ipvsadm -R: one virtual service
#         192.0.2.254:PORT per frontend, rr, one masquerading real server).
#         Figures lb_cps_N_vs_{ipt,nft,ipvs} and lb_cps_N_vs_10 (np at N
#         against np at 10: flatness).
# tput    Established-flow throughput (iperf3 -t NP_BENCH_TCP_SECS -O
#         NP_BENCH_TCP_OMIT, 1 stream): np (192.0.2.254:5201, a frontend to
#         10.42.0.5:5201) against plain routing to 10.42.0.5:5201.
# update  One frontend (tcp 80) with NP_BENCH_LB_BACKENDS (1000) backends
#         replaced by as many others (the whole set; alternately set A and
#         set B, 10.44/16 and 10.45/16), the time of the one command that
#         makes the change, process start included: np (`nodeplanectl -b`
#         of one `lb set`, staged over netlink in 1,000-backend chunks), ipt
#         (iptables-restore --noflush as kube-proxy writes a Service: its
#         KUBE-SVC chain rewritten with one `-m statistic --mode random
#         --probability` rule per endpoint, a KUBE-SEP chain per new
#         endpoint, the old ones deleted), nft (nft -f: flush the endpoint
#         map of `dnat ip addr . port to numgen random mod N map @eps`, add
#         the new elements), and daemon: nodeplaned in manifests mode
#         serving a LoadBalancer Service whose EndpointSlice file is
#         rewritten (mv) with the other set, NP_BENCH_LB_ROUNDS (10) rounds
#         per sample, each timed from the rename until the LB generation
#         (`info` through one long-lived `nodeplanectl -s -b -`) moves and
#         `lb show` then holds the new set: its p50 and p95 per sample.
# mem     Kernel memory per backend: NP_BENCH_LB_MEM_FRONTENDS (64)
#         frontends of one backend each, then each replaced by one of
#         NP_BENCH_LB_MEM (65536) / frontends backends; nodeplanectl runs in
#         a memory cgroup (kernel allocations are __GFP_ACCOUNT, charged to
#         the writer's cgroup): (memory.current after - before) / the
#         backends added, read once the old frontends are freed (RCU).
#
# Benchmarks report; a setup that does not forward (a connection refused,
# reset or timed out) gives nan with a "# why" line, never a figure.
set -euo pipefail
top=${NP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bench=$top/tests/bench
. "$top/tests/user/lib.sh"
# shellcheck source=tests/bench/lib.sh
. "$bench/lib.sh"

parts=" ${NP_BENCH_LB_PARTS:-cps mem update tput} "
read -r -a fe_steps <<<"${NP_BENCH_LB_FRONTENDS:-10 1000 10000}"
cps_secs=${NP_BENCH_LB_SECS:-1}
tcp_secs=${NP_BENCH_TCP_SECS:-2}
tcp_omit=${NP_BENCH_TCP_OMIT:-1}
nbe=${NP_BENCH_LB_BACKENDS:-1000}
rounds=${NP_BENCH_LB_ROUNDS:-10}
round_timeout=${NP_BENCH_LB_ROUND_TIMEOUT:-30}
mem_fe=${NP_BENCH_LB_MEM_FRONTENDS:-64}
mem_be=${NP_BENCH_LB_MEM:-65536}
ctl=$top/daemon/nodeplanectl
npd=$top/daemon/nodeplaned
tmp=$np__tmp
node=lbn

max_n=0
for n in "${fe_steps[@]}"; do ((n > max_n)) && max_n=$n; done
echo "# lb: samples per setup: $bench_nsamples; frontends: ${fe_steps[*]};" \
	"cps ${cps_secs}s; iperf3 -t $tcp_secs -O $tcp_omit; update: $nbe backends," \
	"$rounds daemon rounds; mem: $mem_be backends in $mem_fe frontends"
echo "# lb: $(iptables -V); $(nft -v); $(ipvsadm -v 2>&1 | head -n 1)"

in_node() { ip netns exec "$node" "$@"; }

# --- the namespaces -----------------------------------------------------------
lbb_veth() { # NS_A IF_A NS_B IF_B
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

lbb_listening() { # NS PORT
	[[ -n $(ip netns exec "$1" ss -Hltn "sport = :$2") ]]
}

lbb_topo() {
	np_netns_add lbc
	np_netns_add "$node"
	np_netns_add lbp
	in_node sysctl -qw net.ipv4.ip_forward=1
	lbb_veth lbc eth0 "$node" eth0
	ip -n lbc addr add 192.0.2.1/24 dev eth0
	ip -n lbc route add default via 192.0.2.254
	ip -n "$node" addr add 192.0.2.254/24 dev eth0
	ip -n "$node" link add cni0 type bridge
	ip -n "$node" link set cni0 up
	ip -n "$node" addr add 10.42.0.1/24 dev cni0
	lbb_veth lbp eth0 "$node" veth-lbp
	ip -n "$node" link set veth-lbp master cni0
	ip -n lbp addr add 10.42.0.5/24 dev eth0
	ip -n lbp route add default via 10.42.0.1
	# (output to files: a server keeping this script's stdout open would
	# hold up a caller's $(...))
	ip netns exec lbp "$bench/cps" server 8080 >>"$tmp/cps-server.log" 2>&1 &
	ip netns exec lbp iperf3 -s -p 5201 >>"$tmp/iperf3-server.log" 2>&1 &
	disown -a
	np_wait_for 30 lbb_listening lbp 8080
	np_wait_for 30 lbb_listening lbp 5201
}

# The NAT of one setup (np, ipt, nft, ipvs; all: every one) gone, and
# conntrack empty. Each sample removes what it installed (the whole run
# starts from `lbb_flush all`), so one mechanism is active at a time.
lbb_flush() { # SETUP
	case $1 in
	np | all) in_node /usr/bin/python3 -S "$top/tests/user/lb_nl.py" flush >/dev/null ;;&
	ipt | all) in_node iptables -t nat -F && in_node iptables -t nat -X ;;&
	nft | all) in_node nft delete table ip nbench 2>/dev/null || true
		in_node nft delete table ip kbench 2>/dev/null || true ;;&
	ipvs | all) in_node ipvsadm -C ;;
	esac
	in_node conntrack -F >/dev/null 2>&1 || true
}

# --- cps: new connections per second at N frontends ---------------------------
# lbb_gen_cps FROM TO: the files installing frontends FROM..TO-1 (port
# 10000 + k) in each setup, $tmp/cps.FROM-TO.{np,ipt,nft,ipvs}.
lbb_gen_cps() {
	awk -v from="$1" -v to="$2" -v f="$tmp/cps.$1-$2" 'BEGIN {
		np = f ".np"; ipt = f ".ipt"; nft = f ".nft"; ipvs = f ".ipvs"
		pod = "10.42.0.5"; vip = "192.0.2.254"
		print "*nat" > ipt
		if (from == 0) {
			print ":CNI-HOSTPORT-DNAT - [0:0]" > ipt
			print ":CNI-HOSTPORT-SETMARK - [0:0]" > ipt
			print ":CNI-HOSTPORT-MASQ - [0:0]" > ipt
			print "-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT" > ipt
			print "-A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT" > ipt
			print "-I POSTROUTING -m comment --comment \"CNI portfwd requiring masquerade\" -j CNI-HOSTPORT-MASQ" > ipt
			print "-A CNI-HOSTPORT-SETMARK -m comment --comment \"CNI portfwd masquerade mark\" -j MARK --set-xmark 0x2000/0x2000" > ipt
			print "-A CNI-HOSTPORT-MASQ -m mark --mark 0x2000/0x2000 -j MASQUERADE" > ipt
			print "table ip nbench {" > nft
			print "\tmap hostports { type inet_service : ipv4_addr . inet_service; }" > nft
			print "\tchain prerouting { type nat hook prerouting priority dstnat; policy accept;" > nft
			print "\t\tfib daddr type local dnat ip addr . port to tcp dport map @hostports; }" > nft
			print "\tchain output { type nat hook output priority -100; policy accept;" > nft
			print "\t\tfib daddr type local dnat ip addr . port to tcp dport map @hostports; }" > nft
			print "}" > nft
		}
		for (k = from; k < to; k++) {
			port = 10000 + k
			chain = sprintf("CNI-DN-6f1e2d3c4b5a6978%05x", k)
			print ":" chain " - [0:0]" > ipt
		}
		for (k = from; k < to; k++) {
			port = 10000 + k
			chain = sprintf("CNI-DN-6f1e2d3c4b5a6978%05x", k)
			print "lb set tcp " port " owner hostport backend " pod ":8080" > np
			printf "-A CNI-HOSTPORT-DNAT -m comment --comment \"dnat name: \\\"cbr0\\\" id: \\\"%064x\\\"\" -m multiport -p tcp --destination-ports %d -j %s\n", k, port, chain > ipt
			print "-A " chain " -s " pod "/24 -p tcp -m tcp --dport " port " -j CNI-HOSTPORT-SETMARK" > ipt
			print "-A " chain " -s 127.0.0.1/32 -p tcp -m tcp --dport " port " -j CNI-HOSTPORT-SETMARK" > ipt
			print "-A " chain " -p tcp -m tcp --dport " port " -j DNAT --to-destination " pod ":8080" > ipt
			printf "%s%d : %s . 8080", (k == from ? "add element ip nbench hostports { " : ", "), port, pod > nft
			print "-A -t " vip ":" port " -s rr" > ipvs
			print "-a -t " vip ":" port " -r " pod ":8080 -m -w 1" > ipvs
		}
		print "COMMIT" > ipt
		print " }" > nft
	}'
}

lbb_install_cps() { # SETUP FROM TO
	local f=$tmp/cps.$2-$3
	case $1 in
	np) in_node "$ctl" -b "$f.np" >/dev/null ;;
	ipt) in_node iptables-restore --noflush <"$f.ipt" ;;
	nft) in_node nft -f "$f.nft" ;;
	ipvs) in_node ipvsadm -R <"$f.ipvs" ;;
	esac
}

lbb_cps() { # PORT: connections/s from lbc to the node's address
	ip netns exec lbc "$bench/cps" client 192.0.2.254 "$1" "$cps_secs"
}

cps_sample() { # SETUP I
	local s=$1 n have=0 ok=1 t0 v err
	for n in "${fe_steps[@]}"; do
		v=nan
		if [[ $ok == 1 ]]; then
			t0=$EPOCHREALTIME
			if err=$(lbb_install_cps "$s" "$have" "$n" 2>&1); then
				bench_put "$s.install$n" "$(bench_since "$t0")"
				v=$(lbb_cps $((10000 + n - 1)) 2>&1) ||
					{ echo "# cps $s sample $2, $n frontends: ${v//$'\n'/ }"; v=nan; }
			else
				echo "# cps $s sample $2: installing $have -> $n frontends: ${err//$'\n'/ }" | head -c 600
				echo
				ok=0
			fi
		fi
		bench_put "$s.cps$n" "$v"
		# (each value also as it comes: a run cut short keeps them)
		echo "# cps $s sample $2, $n frontends: $v conn/s"
		have=$n
	done
	lbb_flush "$s"
}

bench_cps() {
	local n prev=0 s
	for n in "${fe_steps[@]}"; do
		lbb_gen_cps "$prev" "$n"
		prev=$n
	done
	bench_samples cps_sample np ipt nft ipvs
	for n in "${fe_steps[@]}"; do
		for s in np ipt nft ipvs; do
			bench_note "lb cps $s: seconds to install up to $n frontends" "$s.install$n"
		done
	done
	for n in "${fe_steps[@]}"; do
		for s in ipt nft ipvs; do
			bench_line "lb_cps_${n}_vs_$s" "np.cps$n" "$s.cps$n" conn/s higher
		done
	done
	for n in "${fe_steps[@]:1}"; do
		for s in np ipt nft ipvs; do
			bench_line "lb_cps_${s}_${n}_vs_${fe_steps[0]}" "$s.cps$n" "$s.cps${fe_steps[0]}" conn/s higher
		done
	done
}

# --- tput: an established flow through the LB against plain routing ----------
tput_sample() { # np|plain I
	local dst=10.42.0.5 v
	if [[ $1 == np ]]; then
		dst=192.0.2.254
		in_node "$ctl" lb set tcp 5201 backend 10.42.0.5:5201 >/dev/null
	fi
	v=$(ip netns exec lbc timeout 60 iperf3 -c "$dst" -p 5201 -f m \
		-t "$tcp_secs" -O "$tcp_omit" |
		awk '/receiver/ { for (i = 2; i <= NF; i++) if ($i == "Mbits/sec") v = $(i - 1) }
			END { if (v == "") exit 1; printf "%.3f\n", v / 1000 }') ||
		{ echo "# tput $1 sample $2: iperf3 to $dst failed"; v=nan; }
	bench_put "tput.$1" "$v"
	lbb_flush "$1"
}

bench_tput() {
	bench_samples tput_sample np plain
	bench_line lb_tcp_1s_vs_plain tput.np tput.plain Gbit/s higher
}

# --- update: one frontend's backends replaced ---------------------------------
# lbb_gen_update SET (A or B): $tmp/upd.SET.{np,ipt,nft,json} and
# $tmp/upd.SET.first (its first address). SET A is 10.44.0.0/16, B
# 10.45.0.0/16; the endpoint port is 8080.
lbb_gen_update() {
	local net=44 other=B
	[[ $1 == B ]] && { net=45; other=A; }
	awk -v set="$1" -v other="$other" -v net="$net" -v n="$nbe" -v f="$tmp/upd.$1" 'BEGIN {
		np = f ".np"; ipt = f ".ipt"; nft = f ".nft"; js = f ".json"
		line = "lb set tcp 80 backend "
		print "*nat" > ipt
		print ":KUBE-SERVICES - [0:0]" > ipt
		print ":KUBE-MARK-MASQ - [0:0]" > ipt
		print ":KUBE-SVC-BENCHWEBHTTP00000 - [0:0]" > ipt
		print "flush chain ip kbench svc-web" > nft
		printf "add rule ip kbench svc-web meta l4proto tcp dnat ip addr . port to numgen random mod %d map { ", n > nft
		for (i = 0; i < n; i++) {
			a = sprintf("10.%d.%d.%d", net, int(i / 250), i % 250 + 1)
			if (i == 0) print a > (f ".first")
			line = line (i ? "," : "") a ":8080"
			printf ":KUBE-SEP-BENCH%s%05d - [0:0]\n", set, i > ipt
			# (the chains of the other set flushed here, deleted at the end:
			# -X takes empty chains; .ipt0 has neither)
			printf ":KUBE-SEP-BENCH%s%05d - [0:0]\n", other, i > ipt
			printf "%s%d : %s . 8080", (i ? ", " : ""), i, a > nft
			ep[i] = a
		}
		print line > np
		print " }" > nft
		print "-F KUBE-SERVICES" > ipt
		print "-F KUBE-MARK-MASQ" > ipt
		print "-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000" > ipt
		print "-A KUBE-SERVICES -d 192.0.2.254/32 -p tcp -m comment --comment \"default/web:http loadbalancer IP\" -m tcp --dport 80 -j KUBE-SVC-BENCHWEBHTTP00000" > ipt
		for (i = 0; i < n; i++) {
			c = sprintf("KUBE-SEP-BENCH%s%05d", set, i)
			if (i < n - 1)
				printf "-A KUBE-SVC-BENCHWEBHTTP00000 -m comment --comment \"default/web:http -> %s:8080\" -m statistic --mode random --probability %.11f -j %s\n", ep[i], 1 / (n - i), c > ipt
			else
				printf "-A KUBE-SVC-BENCHWEBHTTP00000 -m comment --comment \"default/web:http -> %s:8080\" -j %s\n", ep[i], c > ipt
			printf "-A %s -s %s/32 -m comment --comment \"default/web:http\" -j KUBE-MARK-MASQ\n", c, ep[i] > ipt
			printf "-A %s -p tcp -m comment --comment \"default/web:http\" -m tcp -j DNAT --to-destination %s:8080\n", c, ep[i] > ipt
		}
		# the old endpoints chains go (they exist when this set replaces
		# the other; the first install deletes nothing: .ipt0)
		for (i = 0; i < n; i++)
			printf "-X KUBE-SEP-BENCH%s%05d\n", other, i > ipt
		print "COMMIT" > ipt
		# the EndpointSlice of the daemon setup
		printf "{\"apiVersion\":\"discovery.k8s.io/v1\",\"kind\":\"EndpointSlice\",\"metadata\":{\"name\":\"web-abcde\",\"namespace\":\"default\",\"labels\":{\"kubernetes.io/service-name\":\"web\"}},\"addressType\":\"IPv4\",\"ports\":[{\"name\":\"http\",\"protocol\":\"TCP\",\"port\":8080}],\"endpoints\":[" > js
		for (i = 0; i < n; i++)
			printf "%s{\"addresses\":[\"%s\"],\"nodeName\":\"n1\",\"targetRef\":{\"kind\":\"Pod\",\"namespace\":\"default\",\"name\":\"web-%s-%05d\"},\"conditions\":{\"ready\":true,\"serving\":true,\"terminating\":false}}", (i ? "," : ""), ep[i], set, i > js
		print "]}" > js
	}'
	# The first install of a set: the same rules, nothing to delete.
	sed "/^-X /d; /^:KUBE-SEP-BENCH$other/d" "$tmp/upd.$1.ipt" >"$tmp/upd.$1.ipt0"
}

lbb_nft_update_base() {
	in_node nft -f - <<-EOF
	table ip kbench {
		chain svc-web { }
		chain prerouting { type nat hook prerouting priority dstnat; policy accept;
			ip daddr 192.0.2.254 tcp dport 80 jump svc-web; }
	}
	EOF
}

# lbb_time CMD...: runs CMD, prints its wall time in ms (fails with it)
lbb_time() {
	local t0=$EPOCHREALTIME
	"$@" >/dev/null
	awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }'
}

# The backends of frontend tcp 80 in the kernel: how many, and whether
# SET's first address is one of them.
lbb_has_set() { # SET
	local line
	line=$(in_node "$ctl" -s lb show | grep -P '^lb\tset\t-4\ttcp\t80\t') || return 1
	[[ $(grep -o ':8080' <<<"$line" | wc -l) == "$nbe" &&
		$line == *"$(cat "$tmp/upd.$1.first"):8080"* ]]
}

upd_sample() { # np|ipt|nft|daemon I
	local s=$1 i=$2 v=nan from=A to=B
	((i % 2)) || { from=B; to=A; }
	case $s in
	np)
		in_node "$ctl" -b "$tmp/upd.$from.np" >/dev/null
		if v=$(lbb_time in_node "$ctl" -b "$tmp/upd.$to.np") && ! lbb_has_set "$to"; then
			echo "# update np sample $i: lb show lacks set $to after the change"
			v=nan
		fi
		# the process floor: nodeplanectl started for one INFO
		bench_put upd.npexec "$(lbb_time in_node "$ctl" info || echo nan)"
		# without it: `lb set` then `info` through one running
		# nodeplanectl, less an `info` alone (netlink and the module)
		bench_put upd.npinproc "$(in_node /usr/bin/python3 "$tmp/upd_inproc.py" \
			"$ctl" "$tmp/upd.$from.np" || echo nan)"
		;;
	ipt)
		in_node iptables-restore --noflush <"$tmp/upd.$from.ipt0"
		v=$(lbb_time in_node iptables-restore --noflush "$tmp/upd.$to.ipt") || v=nan
		local rules
		rules=$(in_node iptables -t nat -S KUBE-SVC-BENCHWEBHTTP00000 | grep -c "KUBE-SEP-BENCH$to" || true)
		[[ $rules == "$nbe" ]] || { echo "# update ipt sample $i: $rules rules to set $to"; v=nan; }
		;;
	nft)
		lbb_nft_update_base
		in_node nft -f "$tmp/upd.$from.nft"
		v=$(lbb_time in_node nft -f "$tmp/upd.$to.nft") || v=nan
		in_node nft list chain ip kbench svc-web | grep -q "$(cat "$tmp/upd.$to.first") . 8080" ||
			{ echo "# update nft sample $i: its map lacks set $to"; v=nan; }
		;;
	daemon)
		daemon_sample "$i"
		lbb_flush np
		return 0
		;;
	esac
	bench_put "upd.$s" "$v"
	echo "# update $s sample $i: $v ms"
	lbb_flush "$s"
}

# upd_inproc.py CTL FILE: one `nodeplanectl -s -b -`; the ms of FILE's
# commands plus an `info` (its reply ends them: -b runs in order), less
# the median of 5 `info` alone.
lbb_inproc_py() {
	cat >"$tmp/upd_inproc.py" <<-'EOF'
	import statistics, subprocess, sys, time
	p = subprocess.Popen(["stdbuf", "-oL", sys.argv[1], "-s", "-b", "-"],
	                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
	                     text=True, bufsize=1)
	def timed(cmds):
	    t0 = time.monotonic()
	    p.stdin.write(cmds + "info\n")
	    p.stdin.flush()
	    while True:
	        line = p.stdout.readline()
	        if not line:
	            raise SystemExit("nodeplanectl -b stopped (a command failed)")
	        if line.startswith("max_ranges\t"):
	            return (time.monotonic() - t0) * 1000
	cmds = open(sys.argv[2]).read()
	floor = statistics.median(timed("") for _ in range(5))
	print("%.1f" % max(0.0, timed(cmds) - floor))
	p.stdin.close()
	p.wait()
	EOF
}

# The daemon setup: nodeplaned in manifests mode in the node.
lbb_daemon_files() {
	local m=$tmp/manifests
	mkdir -p "$m" "$tmp/data"
	cat >"$m/node.json" <<-EOF
	{"apiVersion":"v1","kind":"Node","metadata":{"name":"n1","creationTimestamp":"2024-01-01T00:00:00Z"},
	 "spec":{"podCIDRs":["10.42.0.0/24"]},
	 "status":{"conditions":[{"type":"Ready","status":"True"}],
	 "addresses":[{"type":"InternalIP","address":"192.0.2.254"}]}}
	EOF
	cat >"$m/svc.json" <<-EOF
	{"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"default","uid":"uid-web",
	 "creationTimestamp":"2024-01-01T00:00:01Z"},
	 "spec":{"type":"LoadBalancer","clusterIPs":["10.43.0.10"],"ipFamilies":["IPv4"],
	 "ipFamilyPolicy":"SingleStack","externalTrafficPolicy":"Cluster",
	 "ports":[{"name":"http","protocol":"TCP","port":80,"targetPort":8080}]}}
	EOF
	cat >"$tmp/daemon.yaml" <<-EOF
	node-name: n1
	flannel-backend: none
	cluster-cidr: 10.42.0.0/16
	service-cidr: 10.43.0.0/16
	manifests-dir: $m
	data-dir: $tmp/data
	EOF
	cat >"$tmp/upd_driver.py" <<-'EOF'
	import os, subprocess, sys, time
	a = dict(x.split("=", 1) for x in sys.argv[1:])
	ctl, m, tmp, n = a["ctl"], a["manifests"], a["tmp"], int(a["n"])
	rounds, first, timeout = int(a["rounds"]), a["first"], float(a["timeout"])
	# (stdbuf: its output is a pipe, block-buffered otherwise)
	p = subprocess.Popen(["stdbuf", "-oL", ctl, "-s", "-b", "-"], stdin=subprocess.PIPE,
	                     stdout=subprocess.PIPE, text=True, bufsize=1)
	def info():
	    p.stdin.write("info\n")
	    p.stdin.flush()
	    got = {}
	    while True:
	        line = p.stdout.readline()
	        if not line:
	            raise SystemExit("nodeplanectl -b stopped")
	        k, _, v = line.rstrip("\n").partition("\t")
	        got[k] = v
	        if k == "max_ranges":
	            return int(got["generation"]), int(got["lb_backends"])
	def has(s):
	    """tcp 80 holds exactly set s (n backends, its first address)"""
	    out = subprocess.run([ctl, "-s", "lb", "show"], capture_output=True,
	                         text=True).stdout
	    for line in out.splitlines():
	        if line.startswith("lb\tset\t-4\ttcp\t80\t"):
	            return line.count(":8080") == n and \
	                (open(tmp + "/upd.%s.first" % s).read().strip() + ":8080") in line
	    return False
	def put(s):
	    src = open(tmp + "/upd.%s.json" % s).read()
	    with open(m + "/.slice.tmp", "w") as f:
	        f.write(src)
	cur = first
	t0 = time.monotonic()
	while not has(cur):
	    if time.monotonic() - t0 > timeout:
	        raise SystemExit("nodeplaned did not serve set %s within %.0f s" % (cur, timeout))
	    time.sleep(0.1)
	print("converged %.0f" % ((time.monotonic() - t0) * 1000))
	lat = []
	for r in range(rounds):
	    new = "B" if cur == "A" else "A"
	    put(new)
	    gen, _ = info()
	    t1 = time.monotonic()
	    os.rename(m + "/.slice.tmp", m + "/slice.json")
	    ok = False
	    while time.monotonic() - t1 < timeout:
	        g, _ = info()
	        if g != gen:
	            t2 = time.monotonic()
	            if has(new):
	                ok = True
	                break
	            gen = g
	        time.sleep(0.002)
	    if ok:
	        lat.append((t2 - t1) * 1000)
	        print("round %d %.1f" % (r, lat[-1]))
	    else:
	        lat.append(None)
	        print("round %d timeout" % r)
	    cur = new
	    time.sleep(0.2)
	p.stdin.close()
	p.wait()
	EOF
}

daemon_sample() { # I
	local i=$1 first=A rc=0 pid lat v
	((i % 2)) || first=B
	rm -rf "$tmp/data" "$tmp/manifests/slice.json" && mkdir -p "$tmp/data"
	cp "$tmp/upd.$first.json" "$tmp/manifests/slice.json"
	in_node "$npd" --config "$tmp/daemon.yaml" 2>"$tmp/nodeplaned.$i.log" &
	pid=$!
	in_node /usr/bin/python3 "$tmp/upd_driver.py" ctl="$ctl" manifests="$tmp/manifests" \
		tmp="$tmp" n="$nbe" rounds="$rounds" first="$first" \
		timeout="$round_timeout" >"$tmp/driver.$i.out" 2>&1 || rc=$?
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	if [[ $rc != 0 ]]; then
		echo "# update daemon sample $i: driver failed ($rc): $(tail -n 2 "$tmp/driver.$i.out" | tr '\n' ' ')"
		echo "# update daemon sample $i: nodeplaned log: $(tail -n 5 "$tmp/nodeplaned.$i.log" | tr '\n' ' ')"
	fi
	lat=$(awk '$1 == "round" { print $3 }' "$tmp/driver.$i.out")
	echo "# update daemon sample $i: $(grep converged "$tmp/driver.$i.out" || echo 'not converged') ms; rounds (ms): ${lat//$'\n'/ }"
	daemon_timeouts=$((daemon_timeouts + rounds - $(grep -c '^round [0-9]* [0-9.]*$' "$tmp/driver.$i.out" || true)))
	for v in 50 95; do
		bench_put "upd.daemon.p$v" "$(awk -v p="$v" '
			/^[0-9.]+$/ || $1 == "inf" { x[n++] = $1 }
			END {
				if (!n) { print "nan"; exit }
				for (i = 1; i < n; i++) {
					y = x[i]
					for (j = i - 1; j >= 0 && gt(x[j], y); j--) x[j + 1] = x[j]
					x[j + 1] = y
				}
				k = int(p / 100 * n + 0.999999) - 1
				print x[k < 0 ? 0 : k]
			}
			function gt(a, b) { return a == "inf" ? b != "inf" : (b == "inf" ? 0 : a + 0 > b + 0) }' <<<"${lat//timeout/inf}")"
	done
}

bench_update() {
	lbb_gen_update A
	lbb_gen_update B
	lbb_inproc_py
	daemon_timeouts=0
	local setups=(np ipt nft)
	if [[ -x $npd ]]; then
		lbb_daemon_files
		setups+=(daemon)
	else
		echo "# update: $npd is missing (make -C daemon): no daemon figures"
	fi
	bench_samples upd_sample "${setups[@]}"
	bench_note "update: nodeplanectl started for one INFO (its process floor, ms)" upd.npexec
	bench_note "update: the same change through a running nodeplanectl, less an INFO (ms)" upd.npinproc
	bench_line "lb_update_${nbe}_backends_vs_iptables" upd.np upd.ipt ms lower
	bench_line "lb_update_${nbe}_backends_vs_nft" upd.np upd.nft ms lower
	bench_line lb_endpointslice_to_kernel_p50 upd.daemon.p50 - ms lower \
		failures="$daemon_timeouts" rounds=$((rounds * bench_nsamples))
	bench_line lb_endpointslice_to_kernel_p95 upd.daemon.p95 - ms lower \
		failures="$daemon_timeouts" rounds=$((rounds * bench_nsamples))
}

# --- mem: kernel memory per backend -------------------------------------------
cg=/sys/fs/cgroup/npbench

lbb_cgroup() { # a memory cgroup for nodeplanectl, or fails saying why
	if [[ $(stat -f -c %T /sys/fs/cgroup 2>/dev/null) != cgroup2fs ]]; then
		mount -t cgroup2 none /sys/fs/cgroup || { echo "cannot mount cgroup2"; return 1; }
	fi
	grep -qw memory /sys/fs/cgroup/cgroup.controllers ||
		{ echo "no memory controller in cgroup.controllers"; return 1; }
	grep -qw memory /sys/fs/cgroup/cgroup.subtree_control ||
		echo +memory >/sys/fs/cgroup/cgroup.subtree_control ||
		{ echo "cannot enable the memory controller"; return 1; }
	[[ -d $cg ]] || mkdir "$cg"
}

lbb_gen_mem() {
	local per=$((mem_be / mem_fe))
	awk -v nf="$mem_fe" -v per="$per" -v f="$tmp/mem" 'BEGIN {
		for (k = 0; k < nf; k++) {
			print "lb set tcp " (20000 + k) " backend 10.46." k ".1:8080" > (f ".base")
			line = "lb set tcp " (20000 + k) " backend "
			for (i = 0; i < per; i++)
				line = line (i ? "," : "") sprintf("10.%d.%d.%d:%d", 46 + int(i / 62500), k, i % 250 + 1, 1000 + int(i / 250) % 62500)
			print line > (f ".full")
		}
	}'
}

# nodeplanectl -b FILE in the cgroup; then memory.current, once it has not
# moved for 1 s (old frontends are freed after an RCU grace period).
lbb_mem_run() { # FILE
	local a b
	# (joined before `ip netns exec`, whose new mount namespace has a
	# sysfs of the node's netns without the cgroup2 mount)
	# shellcheck disable=SC2016 # for that sh
	sh -c 'echo $$ >"$1/cgroup.procs" && exec ip netns exec "$2" "$3" -b "$4"' \
		sh "$cg" "$node" "$ctl" "$1" >/dev/null || return 1
	b=$(cat "$cg/memory.current")
	for _ in $(seq 30); do
		sleep 1
		a=$b
		b=$(cat "$cg/memory.current")
		[[ $a != "$b" ]] || break
	done
	echo "$b"
}

mem_sample() { # np I
	local m0 m1 backends=$(((mem_be / mem_fe) * mem_fe - mem_fe)) err
	if ! err=$(lbb_cgroup 2>&1); then
		echo "# mem sample $2: $err"
		bench_put mem.np nan
		return 0
	fi
	local want=$(((mem_be / mem_fe) * mem_fe)) have
	if m0=$(lbb_mem_run "$tmp/mem.base") && m1=$(lbb_mem_run "$tmp/mem.full") &&
		have=$(in_node "$ctl" -s info | awk '$1 == "lb_backends" { print $2 }') &&
		[[ $have == "$want" ]]; then
		bench_put mem.np "$(awk -v a="$m0" -v b="$m1" -v n="$backends" 'BEGIN { printf "%.1f\n", (b - a) / n }')"
		bench_put mem.total "$(((m1 - m0) / 1024))"
		echo "# mem sample $2: $(((m1 - m0) / 1024)) KiB for $backends backends"
	else
		echo "# mem sample $2: loading the backends failed (the module holds ${have:-?} of $want)"
		bench_put mem.np nan
	fi
	lbb_flush np
}

bench_mem() {
	lbb_gen_mem
	bench_samples mem_sample np
	bench_note "mem: KiB charged for the backends added" mem.total
	bench_line lb_kernel_bytes_per_backend mem.np - B lower
}

# --- main ---------------------------------------------------------------------
# shellcheck disable=SC2119 # the default module
np_module_install
modprobe -r nodeplane 2>/dev/null || true
modprobe nodeplane max_frontends=$((max_n > 4000 ? max_n + 1024 : 4096)) \
	max_backends=$((mem_be * 2 > 65536 ? mem_be * 2 : 65536))
modprobe ip_vs
np_defer modprobe -r nodeplane
lbb_topo
lbb_flush all
for part in cps mem update tput; do
	[[ $parts == *" $part "* ]] || continue
	t0=$EPOCHREALTIME
	"bench_$part"
	echo "# lb $part: $(bench_since "$t0") s"
done
lbb_flush all
