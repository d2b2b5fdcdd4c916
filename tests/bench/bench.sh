#!/bin/bash
# Benchmarks, run inside the test VM by `make bench` (tests/bench/run: one
# boot). Each figure is one BENCH line (format: tests/bench/lib.sh and
# docs/bench.md), the median of NP_BENCH_SAMPLES samples of each setup, the
# setups alternated, each sample on a setup built from nothing.
# Benchmarks report; they assert nothing about speed.
#
# Knobs (environment; tests/bench/run passes NP_BENCH_* into the VM):
#   NP_BENCH_SAMPLES (10)        samples per setup, every figure
#   NP_BENCH_ONLY ("netlink overlay peers lb netpol daemon")   which parts run
#   NP_BENCH_NL_SECS (1)         one netlink sample
#   NP_BENCH_TCP_SECS (2), NP_BENCH_TCP_OMIT (1)
#                                one iperf3 sample: -t SECS -O OMIT (the
#                                first OMIT seconds, slow start, not counted)
#   NP_BENCH_RR_SECS (2)         one request/response sample
#   NP_BENCH_PEERS ("1000 10000")   peer counts of the peer-scale figures
#   and lb_bench.sh's, netpol_bench.sh's and daemon_bench.sh's (see there).
set -euo pipefail
top=${NP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bench=$top/tests/bench
. "$top/tests/user/lib.sh"
# shellcheck source=tests/bench/lib.sh
. "$bench/lib.sh"

only=" ${NP_BENCH_ONLY:-netlink overlay peers lb netpol daemon} "
nl_secs=${NP_BENCH_NL_SECS:-1}
tcp_secs=${NP_BENCH_TCP_SECS:-2}
tcp_omit=${NP_BENCH_TCP_OMIT:-1}
rr_secs=${NP_BENCH_RR_SECS:-2}
read -r -a peer_steps <<<"${NP_BENCH_PEERS:-1000 10000}"

echo "# samples per setup: $bench_nsamples; netlink ${nl_secs}s;" \
	"iperf3 -t $tcp_secs -O $tcp_omit; rr ${rr_secs}s; peers: ${peer_steps[*]}"

# --- netlink ------------------------------------------------------------------
# NP_CMD_INFO_GET round trips against nlctrl's CTRL_CMD_GETFAMILY, one
# nlbench process per sample.
nl_sample() { # info|nlctrl I
	bench_put "nl.$1" "$("$bench/nlbench" "$1" "$nl_secs" || echo nan)"
}

bench_netlink() {
	bench_samples nl_sample info nlctrl
	bench_line netlink_info_rtt_per_s nl.info nl.nlctrl req/s higher
}

# --- overlay ------------------------------------------------------------------
# Pod-to-pod figures over the two-node topology of tests/user/overlay_lib.sh,
# built three ways: stock flannel (kernel vxlan, the reference), nodeplane,
# and plain routing without an overlay. Each sample builds the topology,
# measures, and deletes it.
. "$top/tests/user/overlay_lib.sh"

# ov_servers: iperf3 and rr servers in p2 (ov_topo_down kills them).
ov_servers() { # WANT_IPERF(0|1)
	if [[ $1 == 1 ]]; then
		ip netns exec p2 iperf3 -s -p 5201 >/dev/null 2>&1 &
		disown
	fi
	# (output to a file: this runs inside $(...), which waits for its stdout)
	ip netns exec p2 "$bench/rr" server 5202 >>"$np__tmp/rr-server.log" 2>&1 &
	disown # no job notice when the namespace goes
	[[ $1 == 0 ]] || np_wait_for 30 ov_listening p2 tcp 5201
	np_wait_for 30 ov_listening p2 tcp 5202
}

ov_tcp() { # STREAMS: Gbit/s p1 -> p2 received, slow start omitted
	ip netns exec p1 timeout 60 iperf3 -c "$(ov_pod4 2)" -p 5201 -f m \
		-t "$tcp_secs" -O "$tcp_omit" -P "$1" |
		awk '/receiver/ { for (i = 2; i <= NF; i++) if ($i == "Mbits/sec") v = $(i - 1) }
			END { if (v == "") exit 1; printf "%.3f\n", v / 1000 }'
}

ov_rr() { # trans/s p1 -> p2
	ip netns exec p1 timeout 60 "$bench/rr" client "$(ov_pod4 2)" 5202 "$rr_secs"
}

ov_sample() { # KIND I
	local kind=$1 err P v
	if ! err=$(ov_topo "$kind" "$kind") || ! err=$(ov_servers 1 2>&1); then
		echo "# overlay $kind sample $2: $err"
		bench_put "$kind.tcp1" nan
		bench_put "$kind.tcp4" nan
		bench_put "$kind.rr" nan
		ov_topo_down
		return 0
	fi
	for P in 1 4; do
		v=$(ov_tcp "$P") || { echo "# overlay $kind sample $2: iperf3 -P $P failed"; v=nan; }
		bench_put "$kind.tcp$P" "$v"
	done
	v=$(ov_rr) || { echo "# overlay $kind sample $2: rr failed"; v=nan; }
	bench_put "$kind.rr" "$v"
	ov_topo_down
}

bench_overlay() {
	bench_samples ov_sample stock np plain
	bench_line overlay_tcp_1s_gbps np.tcp1 stock.tcp1 Gbit/s higher
	bench_line overlay_tcp_4s_gbps np.tcp4 stock.tcp4 Gbit/s higher
	bench_line overlay_rr_per_s np.rr stock.rr trans/s higher
	bench_line overlay_tcp_1s_vs_plain np.tcp1 plain.tcp1 Gbit/s higher
	bench_line overlay_tcp_4s_vs_plain np.tcp4 plain.tcp4 Gbit/s higher
	bench_line overlay_rr_vs_plain np.rr plain.rr trans/s higher
	bench_line vxlan_tcp_1s_vs_plain stock.tcp1 plain.tcp1 Gbit/s higher
	bench_line vxlan_tcp_4s_vs_plain stock.tcp4 plain.tcp4 Gbit/s higher
	bench_line vxlan_rr_vs_plain stock.rr plain.rr trans/s higher
}

# --- peer scale ---------------------------------------------------------------
# RR rate with 10 peers on n2 (the side that answers), then with each count
# of NP_BENCH_PEERS, in one topology per sample. Fake peers are numbered
# FROM..TO-1: MAC 02:ee:HH:LL:00:04, endpoint 192.0.2.(20 + k % 200), pod
# CIDR 10.(100 + k / 256).(k % 256).0/24. No traffic is sent to them.
# ov_fake_peers KIND FROM TO: the batch files installing them, written once
# (awk: a shell loop of 10,000 peers takes many seconds in the VM) into
# $np__tmp/fake.KIND.FROM-TO.{ctl,ip,br,ip2}.
ov_fake_peers() {
	awk -v kind="$1" -v from="$2" -v to="$3" -v f="$np__tmp/fake.$1.$2-$3" 'BEGIN {
		for (k = from; k < to; k++) {
			mac = sprintf("02:ee:%02x:%02x:00:04", int(k / 256), k % 256)
			ep = "192.0.2." (20 + k % 200)
			net = "10." (100 + int(k / 256)) "." (k % 256) ".0"
			if (kind == "np") {
				print "peer np0 mac " mac " endpoint " ep " cidr " net "/24" > (f ".ctl")
				print "route add " net "/24 dev np0" > (f ".ip")
			} else {
				print "neigh add " net " lladdr " mac " nud permanent dev flannel.1" > (f ".ip")
				print "fdb add " mac " dev flannel.1 dst " ep " self permanent" > (f ".br")
				print "route add " net "/24 via " net " dev flannel.1 onlink" > (f ".ip2")
			}
		}
	}'
}

ov_apply_fake() { # KIND FROM TO: install them in n2 (ov_fake_peers made the files)
	local f=$np__tmp/fake.$1.$2-$3
	if [[ $1 == np ]]; then
		# One nodeplanectl process and netlink socket for all the peers.
		ip netns exec n2 "$OV_CTL" -b "$f.ctl" &&
			ip -n n2 -batch "$f.ip"
	else
		ip -n n2 -batch "$f.ip" &&
			bridge -n n2 -batch "$f.br" &&
			ip -n n2 -batch "$f.ip2"
	fi
}

# peers_label N: 1000 -> 1k
peers_label() { if (($1 % 1000 == 0)); then echo "$(($1 / 1000))k"; else echo "$1"; fi; }

ps_sample() { # KIND I
	local kind=$1 err n have=10 t0 v ok=1
	if ! err=$(ov_topo "$kind" "$kind") || ! err=$(ov_servers 0 2>&1) ||
		! err=$(ov_apply_fake "$kind" 0 9 2>&1); then
		echo "# peer scale $kind sample $2: $err"
		ok=0
	fi
	v=nan
	[[ $ok == 0 ]] || v=$(ov_rr) || { echo "# peer scale $kind sample $2: rr failed"; v=nan; }
	bench_put "$kind.peers10" "$v"
	for n in "${peer_steps[@]}"; do
		v=nan
		if [[ $ok == 1 ]]; then
			t0=$EPOCHREALTIME
			if err=$(ov_apply_fake "$kind" $((have - 1)) $((n - 1)) 2>&1); then
				bench_put "$kind.install$n" "$(bench_since "$t0")"
				v=$(ov_rr) || { echo "# peer scale $kind sample $2: rr with $n peers failed"; v=nan; }
			else
				echo "# peer scale $kind sample $2: installing $n peers: ${err//$'\n'/ }"
				ok=0
			fi
		fi
		bench_put "$kind.peers$n" "$v"
		have=$n
	done
	ov_topo_down
}

bench_peers() {
	local n prev=10 k
	for k in np stock; do
		ov_fake_peers "$k" 0 9
		for n in "${peer_steps[@]}"; do
			ov_fake_peers "$k" $((prev - 1)) $((n - 1))
			prev=$n
		done
		prev=10
	done
	bench_samples ps_sample stock np
	for n in "${peer_steps[@]}"; do
		for k in np stock; do
			bench_note "peer scale $k: seconds to install $prev -> $n peers" "$k.install$n"
		done
		prev=$n
	done
	for n in "${peer_steps[@]}"; do
		bench_line "overlay_rr_$(peers_label "$n")_peers" "np.peers$n" np.peers10 trans/s higher
	done
	for n in "${peer_steps[@]}"; do
		bench_line "vxlan_rr_$(peers_label "$n")_peers" "stock.peers$n" stock.peers10 trans/s higher
	done
}

# --- main ---------------------------------------------------------------------
np_module_install
modprobe nodeplane
why=$(ov_np_available) || echo "# $why"
for part in netlink overlay peers; do
	[[ $only == *" $part "* ]] || continue
	t0=$EPOCHREALTIME
	"bench_$part"
	echo "# $part: $(bench_since "$t0") s"
done
ov_topo_down
rmmod nodeplane
# ServiceLB/hostPort against iptables, nft and IPVS: its own VM-side
# script, which loads the module with its own limits.
if [[ $only == *" lb "* ]]; then
	t0=$EPOCHREALTIME
	"$bench/lb_bench.sh" || echo "# lb_bench.sh failed ($?)"
	echo "# lb: $(bench_since "$t0") s"
fi
# NetworkPolicy against kube-router's iptables and ipsets: its own VM-side
# script, which loads the module again.
if [[ $only == *" netpol "* ]]; then
	t0=$EPOCHREALTIME
	"$bench/netpol_bench.sh" || echo "# netpol_bench.sh failed ($?)"
	echo "# netpol: $(bench_since "$t0") s"
fi
# nodeplaned against the test API server (5,000 Nodes): its own VM-side
# script, which loads the module again.
if [[ $only == *" daemon "* ]]; then
	t0=$EPOCHREALTIME
	"$bench/daemon_bench.sh" || echo "# daemon_bench.sh failed ($?)"
	echo "# daemon: $(bench_since "$t0") s"
fi
