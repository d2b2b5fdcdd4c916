#!/bin/bash
# NetworkPolicy benchmarks (issue 10), run inside the test VM (bench.sh
# runs this when NP_BENCH_ONLY holds "netpol"; alone: NP_BENCH_ONLY=netpol
# tests/bench/run). One node with two local pods on its bridge:
#
#   npn (node) cni0 10.42.0.1/24 (bridge, br_netfilter on: bridged pod
#       |  traffic meets FORWARD), dummy eth0 192.0.2.254/24
#       +-- npc (client pod bench/client) eth0 10.42.0.4/24
#       +-- nps (server pod bench/web-0) eth0 10.42.0.5/24: cps server
#           :8080 and :8081, iperf3 -s :5201
#
# The policies are those of tests/bench/netpol_gen.py (see its top: N
# policies in namespace bench over 10 local pods, 100,000 ipBlock CIDRs
# spread over them, pod peers among 1,000 remote pods; web-0 is isolated by
# N/10 of them, the last allowing bench/client on TCP 8080 and 5201), in
# two forms:
#
#   np   nodeplane's kernel state for them, compiled by netpol_gen.py as
#        nodeplaned compiles them (one class per rule peer; see there) and
#        sent as ONE NP_CMD_POLICY_SET transaction in chunks by a small
#        Python sender over tests/user/pol_nl.py (messages prebuilt once);
#        removed from a dump (every endpoint deleted, every prefix set to
#        class 0). (nodeplaned and `nodeplanectl policy set` cannot send
#        states this large: their chunks of up to 64 KiB exceed libnl's
#        socket send buffer; see docs/bench.md.)
#   ipt  kube-router's layout of the same policies (spec/netpol.md §3):
#        `ipset restore` of its sets, `iptables-restore` of its filter
#        table; removed with `iptables -F`, `-X` and `ipset destroy`.
#
# Parts (NP_BENCH_NP_PARTS, default "cps mem update tput"):
#
# cps     New TCP connections per second client -> web-0:8080 (tests/bench/
#         cps) with each N of NP_BENCH_NP_POLICIES (10 1000 10000)
#         installed, from nothing each time; np and ipt alternated. Before
#         measuring, a connection to web-0:8081 (served, not allowed) must
#         be refused: a setup that does not isolate gives nan.
# tput    iperf3, one stream, client -> web-0:5201 with the largest N in
#         nodeplane (np) against no policy at all (none).
# update  One policy (np-<N/2>) changed among the largest N: its first
#         ipBlock CIDR moved and its port changed (variants A and B,
#         alternately). np: the one transaction making the change (the
#         prefixes changed and the one endpoint whose rules changed), sent
#         by a running process (netlink and the module only), and as one
#         `nodeplanectl -b` line (with process start); daemon: nodeplaned
#         in manifests mode, the policy's file replaced (write aside,
#         rename), timed until the policy generation moves and `policy
#         show` holds the change (NP_BENCH_NP_ROUNDS rounds a sample);
#         ipt: kube-router's sync for the same change: `ipset restore` of
#         the changed sets (TMP set, swap, destroy) and one
#         `iptables-restore` of the whole filter table under new chain
#         names.
# mem     Kernel memory per CIDR: NP_BENCH_NP_MEM (100000) disjoint IPv4,
#         then IPv6, CIDRs as one `policy set` transaction by
#         `nodeplanectl -b` in a memory cgroup (the module allocates
#         with GFP_KERNEL_ACCOUNT): (memory.current after - before) / CIDRs,
#         before = after a transaction of one prefix; and the same CIDRs
#         as one ipset hash:net by `ipset restore` in the cgroup, with the
#         set's own "Size in memory".
#
# Benchmarks report; a sample that fails gives nan with a "# why" line.
set -euo pipefail
top=${NP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bench=$top/tests/bench
. "$top/tests/user/lib.sh"
# shellcheck source=tests/bench/lib.sh
. "$bench/lib.sh"

parts=" ${NP_BENCH_NP_PARTS:-cps mem update tput} "
read -r -a pol_steps <<<"${NP_BENCH_NP_POLICIES:-10 1000 10000}"
ncidr=${NP_BENCH_NP_CIDRS:-100000}
cps_secs=${NP_BENCH_NP_SECS:-1}
tcp_secs=${NP_BENCH_TCP_SECS:-2}
tcp_omit=${NP_BENCH_TCP_OMIT:-1}
rounds=${NP_BENCH_NP_ROUNDS:-5}
round_timeout=${NP_BENCH_NP_ROUND_TIMEOUT:-120}
converge_timeout=${NP_BENCH_NP_CONVERGE_TIMEOUT:-600}
mem_n=${NP_BENCH_NP_MEM:-100000}
upd_samples=${NP_BENCH_NP_UPDATE_SAMPLES:-$bench_nsamples}
mem_samples=${NP_BENCH_NP_MEM_SAMPLES:-$bench_nsamples}
ctl=$top/daemon/nodeplanectl
npd=$top/daemon/nodeplaned
gen=(/usr/bin/python3 "$bench/netpol_gen.py")
tmp=$np__tmp
node=npn

max_n=0
for n in "${pol_steps[@]}"; do ((n > max_n)) && max_n=$n; done
echo "# netpol: samples per setup: $bench_nsamples (update $upd_samples, mem $mem_samples);" \
	"policies: ${pol_steps[*]}; $ncidr CIDRs; cps ${cps_secs}s; iperf3 -t $tcp_secs -O $tcp_omit;" \
	"update: $max_n policies, $rounds daemon rounds; mem: $mem_n CIDRs"
echo "# netpol: $(iptables -V); $(ipset version 2>&1 | head -n 1)"

in_node() { ip netns exec "$node" "$@"; }

# --- the namespaces -----------------------------------------------------------
npb_pod() { # NETNS ADDR
	np_netns_add "$1"
	ip link add "v-$1" netns "$node" type veth peer eth0 netns "$1"
	ip -n "$node" link set "v-$1" master cni0 up
	ip -n "$1" addr add "$2/24" dev eth0
	ip -n "$1" link set eth0 up
	ip -n "$1" route add default via 10.42.0.1
}

npb_listening() { # NS PORT
	[[ -n $(ip netns exec "$1" ss -Hltn "sport = :$2") ]]
}

npb_topo() {
	modprobe br_netfilter
	for m in xt_physdev xt_set ip_set_hash_ip ip_set_hash_net xt_NFLOG xt_limit \
		xt_addrtype xt_multiport xt_conntrack xt_mark xt_comment ipt_REJECT; do
		modprobe "$m" 2>/dev/null || echo "# netpol: modprobe $m failed"
	done
	np_netns_add "$node"
	in_node sysctl -qw net.ipv4.ip_forward=1
	in_node sysctl -qw net.bridge.bridge-nf-call-iptables=1
	ip -n "$node" link add eth0 type dummy
	ip -n "$node" addr add 192.0.2.254/24 dev eth0
	ip -n "$node" link set eth0 up
	ip -n "$node" link add cni0 type bridge
	ip -n "$node" addr add 10.42.0.1/24 dev cni0
	ip -n "$node" link set cni0 up
	npb_pod npc 10.42.0.4
	npb_pod nps 10.42.0.5
	# (output to files: a server holding this script's stdout would hold
	# up a caller's $(...))
	ip netns exec nps "$bench/cps" server 8080 >>"$tmp/cps-server.log" 2>&1 &
	ip netns exec nps "$bench/cps" server 8081 >>"$tmp/cps-server.log" 2>&1 &
	ip netns exec nps iperf3 -s -p 5201 >>"$tmp/iperf3-server.log" 2>&1 &
	disown -a
	np_wait_for 30 npb_listening nps 8080
	np_wait_for 30 npb_listening nps 8081
	np_wait_for 30 npb_listening nps 5201
}

# npb_flush SETUP: its policy state gone (np: from a dump; ipt: the filter
# table flushed, its chains deleted, every ipset destroyed; all: both),
# conntrack empty.
npb_flush() {
	case $1 in
	np | all) in_node /usr/bin/python3 "$tmp/npb_pol.py" flush >/dev/null ;;&
	ipt | all)
		in_node iptables -F
		in_node iptables -X
		in_node ipset destroy 2>/dev/null || true
		;;
	esac
	in_node conntrack -F >/dev/null 2>&1 || true
}

# npb_isolated: web-0:8081 (served, allowed by no policy) refuses the
# client: the policy state is in force.
npb_isolated() {
	! ip netns exec npc timeout 5 bash -c 'exec 3<>/dev/tcp/10.42.0.5/8081' 2>/dev/null
}

npb_open() { # web-0:8081 reaches (no policy)
	ip netns exec npc timeout 5 bash -c 'exec 3<>/dev/tcp/10.42.0.5/8081' 2>/dev/null
}

# --- the daemon ---------------------------------------------------------------
npb_daemon_config() { # DIR: nodeplaned's config.yaml for manifests DIR/m
	mkdir -p "$1/m" "$1/data"
	cat >"$1/daemon.yaml" <<-EOF
	node-name: n1
	flannel-backend: none
	cluster-cidr: 10.42.0.0/16
	service-cidr: 10.43.0.0/16
	manifests-dir: $1/m
	data-dir: $1/data
	EOF
}

# The policy generation, endpoints and prefixes, through its own netlink
# socket (nodeplanectl info does not print the policy generation).
npb_py_lib() {
	cat >"$tmp/npb_nl.py" <<-EOF
	import struct, sys
	sys.path.insert(0, "$top/tests/user")
	import lb_nl, pol_nl
	from lb_nl import attrs, nla
	def info(sk):
	    d = dict(attrs(sk.genl(pol_nl.CMD_INFO, nla(1, pol_nl.u32(1)))[0]))
	    c = dict(attrs(d[4]))
	    return (struct.unpack("=Q", d[9])[0],) + tuple(
	        struct.unpack("=I", c[t])[0] for t in (10, 11, 12))
	def holds(ctl, cidr, port, ep):
	    # CTL's policy show holds CIDR in a class and EP with a tcp/PORT rule
	    import subprocess
	    out = subprocess.run([ctl, "-s", "policy", "show"], capture_output=True,
	                         text=True).stdout
	    cl = any(("\t" + cidr + "=") in l or ("," + cidr + "=") in l
	             for l in out.splitlines() if l.startswith("policy\tset\tclass\t"))
	    e = any(l.startswith("policy\tset\tendpoint\t" + ep + "\t") and
	            (":tcp/%s," % port in l or ":tcp/%s;" % port in l or
	             l.endswith(":tcp/%s" % port))
	            for l in out.splitlines())
	    return cl and e
	EOF
	cat >"$tmp/npb_pol.py" <<-'EOF'
	# npb_pol.py compile SPEC OUT | send FILE | flush | info
	#   compile: pol_nl.py SPEC into prebuilt NP_CMD_POLICY_SET messages
	#   send: them as one transaction; prints its ms (netlink + module)
	#   flush: every endpoint and prefix removed (one transaction, chunked)
	#   info: "GENERATION PREFIXES ENDPOINTS RULES"
	import os, pickle, sys, time
	sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
	import npb_nl, lb_nl, pol_nl
	from lb_nl import nla
	def send(sk, chunks):
	    rep = None
	    for i, c in enumerate(chunks):
	        last = i == len(chunks) - 1
	        rep = sk.genl(pol_nl.CMD_SET, c + (b"" if last else
	                      nla(pol_nl.A_STAGE, pol_nl.u32(pol_nl.STAGE_MORE))))
	    return pol_nl.gen_of(rep)
	def spec_chunks(lines):
	    out, n = [], 0
	    for l in lines:
	        if n == 2000:
	            out.append("---")
	            n = 0
	        out.append(l)
	        n += 1
	    return [b"".join(c) for c in pol_nl.parse_spec("\n".join(out))]
	cmd = sys.argv[1]
	if cmd == "compile":
	    chunks = pol_nl.parse_spec(open(sys.argv[2]).read())
	    with open(sys.argv[3], "wb") as f:
	        pickle.dump([b"".join(c) for c in chunks], f)
	    raise SystemExit(0)
	sk = lb_nl.Sock()
	if cmd == "send":
	    chunks = pickle.load(open(sys.argv[2], "rb"))
	    t0 = time.monotonic()
	    send(sk, chunks)
	    print("%.1f" % ((time.monotonic() - t0) * 1000))
	elif cmd == "flush":
	    classes, eps = pol_nl.dump(sk)
	    if classes or eps:
	        send(sk, spec_chunks(["del %s" % a for a in eps] +
	                             ["class %s 0" % c for c in classes]))
	elif cmd == "info":
	    print(*npb_nl.info(sk))
	EOF
	cat >"$tmp/npb_converge.py" <<-'EOF'
	# converge.py CTL MARK TIMEOUT LOG: waits until `policy show` holds
	# MARK's endpoint with its port and its CIDR and the generation then
	# stays put for 1 s; prints the ms since start. Fails at once when LOG
	# (nodeplaned's) says a transaction was not committed.
	import os, subprocess, sys, time
	sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
	import npb_nl, lb_nl
	ctl, timeout, log = sys.argv[1], float(sys.argv[3]), sys.argv[4]
	cidr, port, ep = open(sys.argv[2]).read().split()
	sk = lb_nl.Sock()
	t0 = time.monotonic()
	def holds():
	    return npb_nl.holds(ctl, cidr, port, ep)
	gen = None
	while True:
	    if time.monotonic() - t0 > timeout:
	        raise SystemExit("not converged within %.0f s (generation %s)" % (timeout, gen))
	    for l in open(log, errors="replace"):
	        if "netpol: not committed" in l or "cannot read the kernel" in l:
	            raise SystemExit("nodeplaned: " + l.strip())
	    g = npb_nl.info(sk)[0]
	    if g != gen:
	        gen = g
	        if g and holds():
	            t1 = time.monotonic()
	            time.sleep(1)
	            if npb_nl.info(sk)[0] == g:
	                print("%.0f" % ((t1 - t0) * 1000))
	                break
	    time.sleep(0.2)
	EOF
	cat >"$tmp/npb_rounds.py" <<-'EOF'
	# rounds.py CTL TMP FIRST ROUNDS TIMEOUT DIR: the daemon serves variant
	# FIRST (converged); each round renames the other variant's file into
	# DIR/m/20-upd.json and times until the generation moves and
	# `policy show` holds its marker TMP/mark.V ("round I MS" or "round I
	# timeout").
	import os, subprocess, sys, time
	sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
	import npb_nl, lb_nl
	ctl, tmp, cur = sys.argv[1], sys.argv[2], sys.argv[3]
	rounds, timeout, d = int(sys.argv[4]), float(sys.argv[5]), sys.argv[6]
	sk = lb_nl.Sock()
	def holds(v):
	    cidr, port, ep = open("%s/mark.%s" % (tmp, v)).read().split()
	    return npb_nl.holds(ctl, cidr, port, ep)
	for r in range(rounds):
	    new = "B" if cur == "A" else "A"
	    src = open("%s/upd.%s.json" % (d, new)).read()
	    with open(d + "/m/.20-upd.json.tmp", "w") as f:
	        f.write(src)
	    gen = npb_nl.info(sk)[0]
	    t1 = time.monotonic()
	    os.rename(d + "/m/.20-upd.json.tmp", d + "/m/20-upd.json")
	    ok = False
	    while time.monotonic() - t1 < timeout:
	        g = npb_nl.info(sk)[0]
	        if g != gen:
	            t2 = time.monotonic()
	            if holds(new):
	                ok = True
	                break
	            gen = g
	        time.sleep(0.002)
	    print("round %d %s" % (r, "%.1f" % ((t2 - t1) * 1000) if ok else "timeout"), flush=True)
	    cur = new
	    time.sleep(0.5)
	EOF
}

# npb_daemon_start DIR TAG: nodeplaned on DIR's manifests (fresh data dir),
# in the node; its pid in $npb_pid.
npb_daemon_start() {
	rm -rf "$1/data" && mkdir -p "$1/data"
	in_node "$npd" --config "$1/daemon.yaml" 2>"$tmp/nodeplaned.$2.log" &
	npb_pid=$!
}

npb_daemon_stop() {
	kill -TERM "$npb_pid" 2>/dev/null || true
	wait "$npb_pid" 2>/dev/null || true
}

# npb_gen N: both forms of N policies (variant A): $in/np.N.A.{spec,del}
# and its prebuilt messages $in/np.N.A.bin; $in/kr.N.A.{ipset,ipt}.
npb_gen() {
	local n=$1
	"${gen[@]}" np "$in/np.$n.A" "$n" "$ncidr" A
	/usr/bin/python3 "$tmp/npb_pol.py" compile "$in/np.$n.A.spec" "$in/np.$n.A.bin"
	"${gen[@]}" kuberouter "$in/kr.$n.A" "$n" "$ncidr" A 1
}

npb_describe() { # N
	local n=$1
	echo "# netpol: $n policies: np: $(grep -c '^class' "$in/np.$n.A.spec") prefixes," \
		"$(grep -c '^ep' "$in/np.$n.A.spec") endpoints, $(grep -c '^rule' "$in/np.$n.A.spec") rules," \
		"$(grep -c '^---' "$in/np.$n.A.spec") + 1 messages; kube-router:" \
		"$(grep -c '^create' "$in/kr.$n.A.ipset") ipsets, $(grep -c '^add' "$in/kr.$n.A.ipset") entries," \
		"$(grep -c '^:' "$in/kr.$n.A.ipt") chains, $(grep -c '^-A' "$in/kr.$n.A.ipt") rules"
}

# npb_gen_update: the inputs of the update part (largest N): nodeplane's
# state of variant A and the changes A -> B and B -> A (prebuilt, and as
# nodeplanectl lines), the markers, kube-router's tables of both variants
# (sync versions 1 and 2) and their set swaps, nodeplaned's manifests
# ($in/d/m of variant A, $in/d/upd.{A,B}.json).
npb_gen_update() {
	local v
	for v in A B; do
		"${gen[@]}" np "$in/np.upd.$v" "$max_n" "$ncidr" "$v"
		/usr/bin/python3 "$tmp/npb_pol.py" compile "$in/np.upd.$v.diff" "$in/np.upd.$v.diff.bin"
		"${gen[@]}" marker "$in/mark.$v" "$max_n" "$ncidr" "$v"
	done
	/usr/bin/python3 "$tmp/npb_pol.py" compile "$in/np.upd.A.spec" "$in/np.upd.A.bin"
	rm -rf "$in/d" && mkdir -p "$in/d"
	"${gen[@]}" manifests "$in/d/m" "$max_n" "$ncidr" A
	cp "$in/d/m/20-upd.json" "$in/d/upd.A.json"
	"${gen[@]}" manifests "$in/d/b" "$max_n" "$ncidr" B
	mv "$in/d/b/20-upd.json" "$in/d/upd.B.json"
	rm -rf "$in/d/b"
	"${gen[@]}" kuberouter "$in/kr.upd.A" "$max_n" "$ncidr" A 1
	"${gen[@]}" kuberouter "$in/kr.upd.B" "$max_n" "$ncidr" B 2
}

npb_gen_mem() {
	local f
	for f in 4 6; do
		"${gen[@]}" mem "$in/mem$f" "$f" "$mem_n"
		/usr/bin/python3 "$tmp/npb_pol.py" compile "$in/mem$f.spec" "$in/mem$f.bin"
		# the baseline: one prefix (class map and root allocated)
		/usr/bin/python3 "$tmp/npb_pol.py" compile "$in/mem$f.one" "$in/mem$f.one.bin"
	done
}

# npb_inputs: every input the parts need, into $in.
npb_inputs() {
	local n
	for n in "${pol_steps[@]}"; do
		if [[ $parts == *" cps "* || ($n == "$max_n" && $parts == *" tput "*) ]]; then
			npb_gen "$n"
		fi
	done
	[[ $parts != *" update "* ]] || npb_gen_update
	[[ $parts != *" mem "* ]] || npb_gen_mem
}

# --- cps ----------------------------------------------------------------------
npb_install() { # SETUP N
	case $1 in
	np) in_node /usr/bin/python3 "$tmp/npb_pol.py" send "$in/np.$2.A.bin" >/dev/null ;;
	ipt) in_node ipset restore <"$in/kr.$2.A.ipset" &&
		in_node iptables-restore <"$in/kr.$2.A.ipt" ;;
	esac
}

cps_sample() { # SETUP I
	local s=$1 n t0 v err
	for n in "${pol_steps[@]}"; do
		v=nan
		t0=$EPOCHREALTIME
		if ! err=$(npb_install "$s" "$n" 2>&1); then
			echo "# cps $s sample $2: installing $n policies: ${err//$'\n'/ }" | head -c 600
			echo
		else
			bench_put "$s.install$n" "$(bench_since "$t0")"
			if ! npb_isolated; then
				echo "# cps $s sample $2, $n policies: web-0:8081 reachable: the policies are not in force"
			else
				v=$(ip netns exec npc "$bench/cps" client 10.42.0.5 8080 "$cps_secs" 2>&1) ||
					{ echo "# cps $s sample $2, $n policies: ${v//$'\n'/ }"; v=nan; }
			fi
		fi
		bench_put "$s.cps$n" "$v"
		# (each value also as it comes: a run cut short keeps them)
		echo "# cps $s sample $2, $n policies: $v conn/s"
		t0=$EPOCHREALTIME
		npb_flush "$s"
		bench_put "$s.remove$n" "$(bench_since "$t0")"
		npb_open || echo "# cps $s sample $2: web-0:8081 not reachable after the removal"
	done
}

bench_cps() {
	local n s
	bench_samples cps_sample np ipt
	for n in "${pol_steps[@]}"; do
		for s in np ipt; do
			bench_note "netpol cps $s: seconds to install $n policies" "$s.install$n"
			bench_note "netpol cps $s: seconds to remove $n policies" "$s.remove$n"
		done
	done
	for n in "${pol_steps[@]}"; do
		bench_line "netpol_cps_${n}_vs_ipt" "np.cps$n" "ipt.cps$n" conn/s higher
	done
	for n in "${pol_steps[@]:1}"; do
		for s in np ipt; do
			bench_line "netpol_cps_${s}_${n}_vs_${pol_steps[0]}" "$s.cps$n" "$s.cps${pol_steps[0]}" conn/s higher
		done
	done
}

# --- tput ---------------------------------------------------------------------
tput_sample() { # np|none I
	local v
	if [[ $1 == np ]]; then
		if ! npb_install np "$max_n" || ! npb_isolated; then
			echo "# tput np sample $2: $max_n policies not in force"
			bench_put tput.np nan
			npb_flush np
			return 0
		fi
	fi
	v=$(ip netns exec npc timeout 60 iperf3 -c 10.42.0.5 -p 5201 -f m \
		-t "$tcp_secs" -O "$tcp_omit" |
		awk '/receiver/ { for (i = 2; i <= NF; i++) if ($i == "Mbits/sec") v = $(i - 1) }
			END { if (v == "") exit 1; printf "%.3f\n", v / 1000 }') ||
		{ echo "# tput $1 sample $2: iperf3 failed"; v=nan; }
	bench_put "tput.$1" "$v"
	echo "# tput $1 sample $2: $v Gbit/s"
	[[ $1 == none ]] || npb_flush np
}

bench_tput() {
	bench_samples tput_sample np none
	bench_line "netpol_tcp_1s_${max_n}_policies_vs_none" tput.np tput.none Gbit/s higher
}

# --- update -------------------------------------------------------------------
# npb_time CMD...: its wall time in ms (fails with it)
npb_time() {
	local t0=$EPOCHREALTIME
	"$@" >/dev/null || return
	awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }'
}

# The ipt state of the update (variant A, sync version 1) is installed
# once for the part (each ipt sample is one kube-router sync from the
# variant it finds to the other); npb_ipt_var says which is in place.
upd_sample() { # np|ipt|daemon I
	local s=$1 i=$2 v=nan from=A to=B
	((i % 2)) || { from=B; to=A; }
	case $s in
	np)
		# the state of $from, then the change to $to: one transaction
		# through a running process, then back with one nodeplanectl
		if in_node /usr/bin/python3 "$tmp/npb_pol.py" send "$in/np.upd.A.bin" >/dev/null &&
			{ [[ $from == A ]] || in_node /usr/bin/python3 "$tmp/npb_pol.py" send "$in/np.upd.B.diff.bin" >/dev/null; }; then
			v=$(in_node /usr/bin/python3 "$tmp/npb_pol.py" send "$in/np.upd.$to.diff.bin" 2>&1) ||
				{ echo "# update np sample $i: ${v//$'\n'/ }" | head -c 600; echo; v=nan; }
			npb_holds "$to" || { echo "# update np sample $i: policy show lacks variant $to"; v=nan; }
			local w
			if w=$(npb_time in_node "$ctl" -b "$in/np.upd.$from.ctl" 2>"$tmp/ctl.err"); then
				bench_put upd.npctl "$w"
				npb_holds "$from" || { echo "# update np sample $i: nodeplanectl: policy show lacks variant $from"; }
			else
				echo "# update np sample $i: nodeplanectl -b (the change back): $(head -c 400 "$tmp/ctl.err" | tr '\n' ' ')"
				bench_put upd.npctl nan
			fi
			bench_put upd.npexec "$(npb_time in_node "$ctl" info || echo nan)"
		else
			echo "# update np sample $i: installing the state failed"
		fi
		npb_flush np
		;;
	ipt)
		to=B
		[[ $npb_ipt_var == A ]] || to=A
		if ! v=$(npb_time npb_ipt_sync "$to" 2>&1); then
			echo "# update ipt sample $i: ${v//$'\n'/ }" | head -c 600
			echo
			v=nan
		elif ! in_node iptables -S >"$tmp/ipt.S" ||
			! grep -q -- "-N $(grep -m1 -o 'KUBE-POD-FW-[A-Z0-9]*' "$in/kr.upd.$to.ipt")\$" "$tmp/ipt.S"; then
			echo "# update ipt sample $i: the table lacks version $to's chains"
			v=nan
		fi
		npb_ipt_var=$to
		;;
	daemon)
		daemon_sample "$i"
		return 0
		;;
	esac
	bench_put "upd.$s" "$v"
	echo "# update $s sample $i: $v ms"
}

npb_holds() { # VARIANT: the kernel holds the updated policy as VARIANT has it
	local cidr port ep
	read -r cidr port ep <"$in/mark.$1"
	in_node "$ctl" -s policy show | awk -v c="$cidr" -v p="$port" -v e="$ep" -F'\t' '
		$3 == "class" && index("," $4, "," c "=") { cl = 1 }
		$3 == "endpoint" && $4 == e && $0 ~ ":tcp/" p "([,;]|$)" { ep = 1 }
		END { exit !(cl && ep) }'
}

npb_ipt_sync() { # VARIANT: kube-router's sync to it
	in_node ipset restore <"$in/kr.upd.$1.swap" &&
		in_node iptables-restore <"$in/kr.upd.$1.ipt"
}

daemon_sample() { # I
	local i=$1 d=$tmp/d.$max_n first=A lat ms
	((i % 2)) || first=B
	if [[ -n $daemon_broken ]]; then
		echo "# update daemon sample $i: not run ($daemon_broken)"
		daemon_timeouts=$((daemon_timeouts + rounds))
		bench_put upd.daemon.p50 nan
		bench_put upd.daemon.max nan
		return 0
	fi
	cp "$d/upd.$first.json" "$d/m/20-upd.json"
	npb_flush np
	npb_daemon_start "$d" "upd$i"
	if ! ms=$(in_node /usr/bin/python3 "$tmp/npb_converge.py" "$ctl" "$in/mark.$first" "$converge_timeout" \
		"$tmp/nodeplaned.upd$i.log" 2>&1); then
		[[ $ms != *"nodeplaned: "* ]] || daemon_broken="sample $i: ${ms//$'\n'/ }"
		echo "# update daemon sample $i: $ms"
		echo "# update daemon sample $i: nodeplaned log: $(tail -n 5 "$tmp/nodeplaned.upd$i.log" | tr '\n' ' ')"
		daemon_timeouts=$((daemon_timeouts + rounds))
		bench_put upd.daemon.p50 nan
		bench_put upd.daemon.max nan
		npb_daemon_stop
		npb_flush np
		return 0
	fi
	in_node /usr/bin/python3 "$tmp/npb_rounds.py" "$ctl" "$tmp" "$first" "$rounds" "$round_timeout" "$d" \
		>"$tmp/rounds.$i.out" 2>&1 || echo "# update daemon sample $i: rounds failed: $(tail -n 2 "$tmp/rounds.$i.out" | tr '\n' ' ')"
	npb_daemon_stop
	npb_flush np
	lat=$(awk '$1 == "round" { print $3 }' "$tmp/rounds.$i.out")
	echo "# update daemon sample $i: converged $ms ms after start; rounds (ms): ${lat//$'\n'/ }"
	echo "# update daemon sample $i: $(grep 'netpol: committed' "$tmp/nodeplaned.upd$i.log" | tail -n 1 | sed 's/.*netpol: //')"
	daemon_timeouts=$((daemon_timeouts + rounds - $(grep -c '^round [0-9]* [0-9.]*$' "$tmp/rounds.$i.out" || true)))
	bench_put upd.daemon.p50 "$(awk '/^[0-9.]+$/ { x[n++] = $1 } END {
		if (!n) { print "nan"; exit }
		for (i = 1; i < n; i++) { y = x[i]; for (j = i - 1; j >= 0 && x[j] + 0 > y + 0; j--) x[j + 1] = x[j]; x[j + 1] = y }
		print (n % 2) ? x[(n - 1) / 2] : (x[n / 2 - 1] + x[n / 2]) / 2 }' <<<"$lat")"
	bench_put upd.daemon.max "$(awk '/^[0-9.]+$/ { if ($1 + 0 > m) m = $1 + 0; n++ } END { print n ? m : "nan" }' <<<"$lat")"
}

bench_update() {
	local t0 ok=1 d=$tmp/d.$max_n
	daemon_timeouts=0
	daemon_broken=
	rm -rf "$d" && cp -r "$in/d" "$d"
	npb_daemon_config "$d"
	echo "# update: the change A -> B in nodeplane: $(grep -c '^class' "$in/np.upd.B.diff") prefixes," \
		"$(grep -c '^rule' "$in/np.upd.B.diff") rules of $(grep -c '^ep' "$in/np.upd.B.diff") endpoint," \
		"$(grep -c '^---' "$in/np.upd.B.diff") + 1 messages; as a nodeplanectl line: $(wc -c <"$in/np.upd.B.ctl") bytes"
	echo "# update: manifests of $max_n policies: $(du -sk "$d/m" | cut -f1) KiB"
	echo "# update: kube-router's sync: $(grep -c '^-A' "$in/kr.upd.A.ipt") rules in" \
		"$(grep -c '^:' "$in/kr.upd.A.ipt") chains restored; $(grep -c '^swap' "$in/kr.upd.B.swap") sets swapped"
	t0=$EPOCHREALTIME
	npb_flush ipt
	if in_node ipset restore <"$in/kr.upd.A.ipset" && in_node iptables-restore <"$in/kr.upd.A.ipt"; then
		echo "# update: ipt state of $max_n policies installed in $(bench_since "$t0") s"
	else
		echo "# update: installing the ipt state failed"
		ok=0
	fi
	npb_ipt_var=A
	local setups=(np daemon)
	[[ $ok == 0 ]] || setups+=(ipt)
	local save=$bench_nsamples
	bench_nsamples=$upd_samples
	bench_samples upd_sample "${setups[@]}"
	npb_flush ipt
	bench_note "update: nodeplanectl started for one INFO (its process floor, ms)" upd.npexec
	bench_line "netpol_update_1_of_${max_n}_vs_kube_router" upd.np upd.ipt ms lower
	bench_line "netpol_update_1_of_${max_n}_nodeplanectl_vs_kube_router" upd.npctl upd.ipt ms lower
	bench_line "netpol_api_to_kernel_${max_n}_p50" upd.daemon.p50 - ms lower \
		failures="$daemon_timeouts" rounds=$((rounds * bench_nsamples))
	bench_line "netpol_api_to_kernel_${max_n}_max" upd.daemon.max - ms lower \
		failures="$daemon_timeouts" rounds=$((rounds * bench_nsamples))
	bench_nsamples=$save
}

# --- mem ----------------------------------------------------------------------
cg=/sys/fs/cgroup/npbench

npb_cgroup() { # a memory cgroup, or fails saying why
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

# npb_cg_run CMD...: CMD in the node, in the cgroup (stdin passed); then
# memory.current once it has not moved for 1 s (old class maps are freed
# after an RCU grace period).
npb_cg_run() {
	local a b
	# (joined before `ip netns exec`, whose new mount namespace has a
	# sysfs of the node's netns without the cgroup2 mount)
	# shellcheck disable=SC2016 # for that sh
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec ip netns exec "$@"' \
		sh "$cg" "$node" "$@" >/dev/null || return 1
	b=$(cat "$cg/memory.current")
	for _ in $(seq 30); do
		sleep 1
		a=$b
		b=$(cat "$cg/memory.current")
		[[ $a != "$b" ]] || break
	done
	echo "$b"
}

mem_sample() { # np|ipset I
	local f m0 m1 err have sz
	if ! err=$(npb_cgroup 2>&1); then
		echo "# mem sample $2: $err"
		for f in 4 6; do bench_put "mem.$1$f" nan; done
		return 0
	fi
	for f in 4 6; do
		if [[ $1 == np ]]; then
			if m0=$(npb_cg_run /usr/bin/python3 "$tmp/npb_pol.py" send "$in/mem$f.one.bin") &&
				m1=$(npb_cg_run /usr/bin/python3 "$tmp/npb_pol.py" send "$in/mem$f.bin") &&
				have=$(in_node /usr/bin/python3 -c "
import sys; sys.path.insert(0, '$tmp'); import npb_nl, lb_nl
print(npb_nl.info(lb_nl.Sock())[1])") && [[ $have == "$mem_n" ]]; then
				bench_put "mem.np$f" "$(awk -v a="$m0" -v b="$m1" -v n="$((mem_n - 1))" 'BEGIN { printf "%.1f\n", (b - a) / n }')"
				echo "# mem np sample $2: IPv$f: $(((m1 - m0) / 1024)) KiB for $((mem_n - 1)) CIDRs"
			else
				echo "# mem np sample $2: IPv$f: loading the CIDRs failed (the module holds ${have:-?} of $mem_n)"
				bench_put "mem.np$f" nan
			fi
			npb_flush np
		else
			in_node ipset destroy 2>/dev/null || true
			m0=$(cat "$cg/memory.current")
			if m1=$(npb_cg_run ipset restore -f "$in/mem$f.ipset") &&
				have=$(in_node ipset list -t "KUBE-SRC-BENCHMEM$f" | awk -F': ' '$1 == "Number of entries" { print $2 }') &&
				[[ $have == "$mem_n" ]]; then
				sz=$(in_node ipset list -t "KUBE-SRC-BENCHMEM$f" | awk -F': ' '$1 == "Size in memory" { print $2 }')
				bench_put "mem.ipset$f" "$(awk -v a="$m0" -v b="$m1" -v n="$mem_n" 'BEGIN { printf "%.1f\n", (b - a) / n }')"
				bench_put "mem.ipsetself$f" "$(awk -v s="$sz" -v n="$mem_n" 'BEGIN { printf "%.1f\n", s / n }')"
				echo "# mem ipset sample $2: IPv$f: $(((m1 - m0) / 1024)) KiB charged, set's own size $sz B for $mem_n CIDRs"
			else
				echo "# mem ipset sample $2: IPv$f: ipset restore failed (the set holds ${have:-?} of $mem_n)"
				bench_put "mem.ipset$f" nan
			fi
			in_node ipset destroy 2>/dev/null || true
		fi
	done
}

bench_mem() {
	local f save=$bench_nsamples
	bench_nsamples=$mem_samples
	bench_samples mem_sample np ipset
	for f in 4 6; do
		bench_line "netpol_kernel_bytes_per_cidr_ipv$f" "mem.np$f" - B lower
		bench_line "netpol_kernel_bytes_per_cidr_ipv${f}_vs_ipset" "mem.np$f" "mem.ipset$f" B lower
		bench_note "mem: ipset hash:net's own \"Size in memory\" per IPv$f CIDR (B)" "mem.ipsetself$f"
	done
	bench_nsamples=$save
}

# --- main ---------------------------------------------------------------------
# The inputs take minutes to write in the emulated guest and seconds on the
# host: `netpol_bench.sh --prepare` (tests/bench/Makefile's netpol-data,
# which `make bench` runs) writes them into NP_BENCH_NP_DATA
# (build/netpol-bench) with the knobs that shaped them; the guest uses them
# when those match, else writes its own.
data=${NP_BENCH_NP_DATA:-$top/build/netpol-bench}
params="policies=${pol_steps[*]} cidrs=$ncidr mem=$mem_n parts=${parts# } local=${NP_BENCH_NP_LOCAL:-10}"
params+=" remote=${NP_BENCH_NP_REMOTE:-1000} groups=${NP_BENCH_NP_GROUPS:-100}"
params+=" gen=$(sha256sum <"$bench/netpol_gen.py" | cut -c1-16)"
if [[ ${1:-} == --prepare ]]; then
	if [[ -f $data/params && $(<"$data/params") == "$params" ]]; then
		echo "netpol_bench.sh: $data is up to date"
		exit 0
	fi
	in=$data
	rm -rf "$in" && mkdir -p "$in"
	npb_py_lib
	t0=$EPOCHREALTIME
	npb_inputs
	echo "$params" >"$in/params"
	echo "netpol_bench.sh: inputs written to $in in $(bench_since "$t0") s"
	exit 0
fi

# shellcheck disable=SC2119 # the default module
np_module_install
modprobe -r nodeplane 2>/dev/null || true
modprobe nodeplane
np_defer modprobe -r nodeplane
command -v ipset >/dev/null || echo "# netpol: ipset is not installed: every ipt figure fails"
npb_topo
npb_py_lib
npb_flush all
t0=$EPOCHREALTIME
if [[ -f $data/params && $(<"$data/params") == "$params" ]]; then
	in=$data
	echo "# netpol: inputs prepared on the host ($data)"
else
	in=$tmp
	echo "# netpol: no inputs prepared for these knobs in $data: written here"
	npb_inputs
fi
for n in "${pol_steps[@]}"; do
	if [[ $parts == *" cps "* || ($n == "$max_n" && $parts == *" tput "*) ]]; then
		npb_describe "$n"
	fi
done
echo "# netpol inputs: $(bench_since "$t0") s"
for part in cps mem update tput; do
	[[ $parts == *" $part "* ]] || continue
	t0=$EPOCHREALTIME
	"bench_$part"
	echo "# netpol $part: $(bench_since "$t0") s"
done
npb_flush all
