#!/bin/bash
# nodeplaned as a cluster from manifests directories (no API server), vxlan,
# dual-stack: the example cluster shipped in examples/ (what `make demo`
# runs), one directory per node with the same content. Pods reach each other;
# then files are edited live: a node's public IPs changed in place, a node
# added by a new file, that file deleted (its peers removed), a file broken
# (an error naming FILE:LINE, nothing lost) and repaired.
# Runs in the test VM (tests/vm/run).
#
#                       VM root netns: br0 192.0.2.254
#       +------------------------+------------------------+
#   n1 eth0 192.0.2.1       n2 eth0 192.0.2.2       n3 eth0 192.0.2.3
#      2001:db8::1             2001:db8::2             2001:db8::3
#   nodeplaned: np-vxlan on each, --manifests-dir $CL_DIR/nI/manifests
#     (copies of examples/manifests: n1.yaml n2.yaml n3.yaml web.yaml ...)
#   pod0 10.42.0.1          pod0 10.42.1.1          pod0 10.42.2.1
#    p1 10.42.0.2            p2 10.42.1.2            p3 10.42.2.2
#    2001:db8:42::2          2001:db8:42:1::2        2001:db8:42:2::2
#
# VTEP MACs come from the manifests: 02:ii:00:00:00:04 / 02:ii:00:00:00:06.
# Details: tests/user/cluster_lib.sh, examples/README.md.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$NP_TOP/tests/user/cluster_lib.sh"

DEV="np-vxlan"
EX=$NP_TOP/examples/manifests

mf() { echo "$CL_DIR/n$1/manifests"; }

# want i [j ip4 ip6]...: node i's peer table: every other node of the
# example (1..3) at its own address, unless given as "j ip4 ip6".
want() {
	local i=$1 j k lines=() ip4 ip6
	shift
	declare -A over=()
	while [[ $# -ge 3 ]]; do
		over[$1]="$2 $3"
		shift 3
	done
	for j in 1 2 3 "${EXTRA[@]}"; do
		[[ $j != "$i" ]] || continue
		read -r ip4 ip6 <<<"${over[$j]:-$(ov_u4 "$j") $(ov_u6 "$j")}"
		lines+=("$(cl_lines "$DEV" "$j" "$ip4" "$ip6")")
	done
	k=$(cl_sorted "${lines[@]}")
	echo "$k"
}
EXTRA=()

all_are() { # WANT1 WANT2 WANT3
	[[ $(cl_peers n1 "$DEV") == "$1" && $(cl_peers n2 "$DEV") == "$2" &&
		$(cl_peers n3 "$DEV") == "$3" ]]
}

# As all_are, through pollers (no fork per look): start_pollers first.
all_now() { # WANT1 WANT2 WANT3
	cl_poll_peers n1 "$DEV" && [[ $CL_OUT == "$1" ]] &&
		cl_poll_peers n2 "$DEV" && [[ $CL_OUT == "$2" ]] &&
		cl_poll_peers n3 "$DEV" && [[ $CL_OUT == "$3" ]]
}

start_pollers() {
	local i
	for i in 1 2 3; do
		cl_poller_start "n$i" "n$i" ctl
	done
}

t_up() {
	local i extra
	np_module_install
	rm -f "$CL_DIR/up"
	cl_topo 3 1450
	for i in 1 2 3; do
		cp "$EX"/* "$(mf "$i")/"
		# n3 without the overlay's source check, n1 and n2 with the default
		extra=()
		((i == 3)) && extra=("overlay-source-check=false")
		cl_npd_config "n$i" "manifests-dir=$(mf "$i")" "flannel-backend=vxlan" \
			"cluster-cidr=$CL_CIDR4,$CL_CIDR6" "service-cidr=10.43.0.0/16,2001:db8:43::/112" \
			"${extra[@]}"
		cl_npd_start "n$i"
	done
	cl_wait "3 nodes converged from manifests" all_are "$(want 1)" "$(want 2)" "$(want 3)"
	touch "$CL_DIR/up"
}

t_node() { # i: own device as the manifests say, exact peers and routes
	local i=$1 n=n$1 sc=on
	cl_require
	((i == 3)) && sc=off
	np_expect_eq "overlay	$DEV	vni	1	port	8472	local	$(ov_u4 "$i"),$(ov_u6 "$i")	mac	$(cl_mac4 "$i")	mac6	$(cl_mac6 "$i")	gbp	off	source-check	$sc" \
		"$(ip netns exec "$n" "$CL_CTL" -s overlay show "$DEV" | grep '^overlay')" "$DEV on $n"
	np_expect_eq "$(ov_net4 "$i")/32 $(ov_net6 "$i")/128" \
		"$(ip -n "$n" -j addr show dev "$DEV" | jq -r '[.[0].addr_info[] | select(.scope == "global") | "\(.local)/\(.prefixlen)"] | join(" ")')" \
		"addresses of $DEV on $n"
	np_expect_eq "$(want "$i")" "$(cl_peers "$n" "$DEV")" "peers of $n"
	np_expect_eq "$CL_CIDR4 via - dev $DEV" "$(cl_routes "$n" 4)" "IPv4 routes of proto 110 on $n"
	np_expect_eq "$CL_CIDR6 via - dev $DEV" "$(cl_routes "$n" 6)" "IPv6 routes of proto 110 on $n"
}

n3_local_is() { # ADDRS: the local addresses of n3's device
	ip netns exec n3 "$CL_CTL" -s overlay show "$DEV" | grep -qP "^overlay\t.*\tlocal\t$1\t"
}

# n3's public IPs changed by editing n3.yaml in place (truncate + write, as
# an editor without backup files does); n3's eth0 moves to the new addresses,
# so traffic follows. (The old ones go: n3 sends from its interface address,
# and n1 and n2, with the source check on, take n3's frames only from the
# address n3 publishes.)
t_edit_ip() {
	local i w1 w2 w3
	cl_require
	start_pollers
	# .33 takes over as primary: the subnet and default routes stay
	ip netns exec n3 sysctl -qw net.ipv4.conf.eth0.promote_secondaries=1
	ip -n n3 addr add 192.0.2.33/24 dev eth0
	ip -n n3 addr del 192.0.2.3/24 dev eth0
	ip -n n3 addr add 2001:db8::33/64 dev eth0 nodad
	ip -n n3 addr del 2001:db8::3/64 dev eth0
	w1=$(want 1 3 192.0.2.33 2001:db8::33)
	w2=$(want 2 3 192.0.2.33 2001:db8::33)
	w3=$(want 3)
	sed 's/192\.0\.2\.3$/192.0.2.33/; s/"2001:db8::3"$/"2001:db8::33"/' "$EX/n3.yaml" >"$np__tmp/n3.yaml"
	grep -c '192.0.2.33\|2001:db8::33' "$np__tmp/n3.yaml" | grep -qx 4 ||
		np_fail "edited n3.yaml: expected 4 changed lines"
	for i in 1 2 3; do
		cat "$np__tmp/n3.yaml" >"$(mf "$i")/n3.yaml"
	done
	cl_wait "n3.yaml edited: n1 n2 n3" all_now "$w1" "$w2" "$w3"
	# n3's device sends from the new addresses after its next full pass
	# (every 60 s)
	np_wait_for 150 n3_local_is "192.0.2.33,2001:db8::33"
	cl_reach 1 3 4
	cl_reach 2 3 6
}

# A Node added by a new file (moved into place), then the file deleted.
t_add_delete_file() {
	local i w1 w2 w3
	cl_require
	start_pollers
	n4_yaml >"$np__tmp/n4.yaml"
	cat "$np__tmp/n4.yaml"
	local before1 before2 before3
	before1=$(cl_peers n1 "$DEV") before2=$(cl_peers n2 "$DEV") before3=$(cl_peers n3 "$DEV")
	w1=$(cl_sorted "$before1" "$(cl_lines "$DEV" 4)")
	w2=$(cl_sorted "$before2" "$(cl_lines "$DEV" 4)")
	w3=$(cl_sorted "$before3" "$(cl_lines "$DEV" 4)")
	for i in 1 2 3; do
		cp "$np__tmp/n4.yaml" "$(mf "$i")/.n4.yaml.tmp"
		mv "$(mf "$i")/.n4.yaml.tmp" "$(mf "$i")/n4.yaml"
	done
	cl_wait "n4.yaml added: n1 n2 n3" all_now "$w1" "$w2" "$w3"
	for i in 1 2 3; do
		rm "$(mf "$i")/n4.yaml"
	done
	cl_wait "n4.yaml deleted: n1 n2 n3" all_now "$before1" "$before2" "$before3"
}

# n4.yaml: a copy of n2.yaml for a Node n4 at 192.0.2.4 (no namespace).
n4_yaml() {
	sed 's/n2/n4/g; s/02:22:/02:44:/; s/02:22:/02:44:/; s/192\.0\.2\.2$/192.0.2.4/; s/"2001:db8::2"$/"2001:db8::4"/;
	     s|10\.42\.1\.0/24|10.42.3.0/24|g; s|2001:db8:42:1::/64|2001:db8:42:3::/64|' "$EX/n2.yaml"
}

# put_file NAME FILE: FILE moved into place as NAME in every node's
# directory (complete at once: no half-written read).
put_file() {
	local i
	for i in 1 2 3; do
		cp "$2" "$(mf "$i")/.$1.tmp"
		mv "$(mf "$i")/.$1.tmp" "$(mf "$i")/$1"
	done
}

# errors_at N FILE: how many lines of N's daemon log name "FILE:" (each
# read of a broken file logs its error, and that the last good read is kept).
errors_at() {
	grep -cF "$2:" "$CL_LOGS/nodeplaned-$1.log" || true
}

# n2.yaml broken at line 9 on every node: the error names the file and the
# line; n2 stays programmed everywhere (its last good read is kept) and
# traffic to it flows; repaired, nothing changes either. The daemons'
# later reads are made visible by n4.yaml, a marker: once n4 is programmed,
# the directory has been read (and the overlay converged) after the change
# before it.
t_broken_file() {
	local i before1 before2 before3 w1 w2 w3 n errs=()
	cl_require
	start_pollers
	before1=$(cl_peers n1 "$DEV") before2=$(cl_peers n2 "$DEV") before3=$(cl_peers n3 "$DEV")
	w1=$(cl_sorted "$before1" "$(cl_lines "$DEV" 4)")
	w2=$(cl_sorted "$before2" "$(cl_lines "$DEV" 4)")
	w3=$(cl_sorted "$before3" "$(cl_lines "$DEV" 4)")
	n4_yaml >"$np__tmp/n4.yaml"
	sed '9s/.*/  name: n2: broken/' "$EX/n2.yaml" >"$np__tmp/n2.yaml"
	put_file n2.yaml "$np__tmp/n2.yaml"
	for i in 1 2 3; do
		n=$(mf "$i")/n2.yaml
		np_wait_for 30 grep -qF "$n:9:" "$CL_LOGS/nodeplaned-n$i.log"
		grep -m1 -F "$n:9:" "$CL_LOGS/nodeplaned-n$i.log"
	done
	# Read again with n2.yaml still broken, and converged: n2 is there.
	put_file n4.yaml "$np__tmp/n4.yaml"
	cl_wait "n4.yaml added, n2.yaml broken: n1 n2 n3" all_now "$w1" "$w2" "$w3"
	cl_reach 1 2 4
	cl_reach 3 2 6
	for i in 1 2 3; do
		errs[i]=$(errors_at "n$i" "$(mf "$i")/n2.yaml")
	done
	# Repaired, then the marker removed: the read that removes n4 reads
	# the repaired n2.yaml (no new error), and n2 is unchanged.
	put_file n2.yaml "$EX/n2.yaml"
	for i in 1 2 3; do
		rm "$(mf "$i")/n4.yaml"
	done
	cl_wait "n2.yaml repaired, n4.yaml deleted: n1 n2 n3" all_now "$before1" "$before2" "$before3"
	for i in 1 2 3; do
		np_expect_eq "${errs[i]}" "$(errors_at "n$i" "$(mf "$i")/n2.yaml")" \
			"errors about n2.yaml on n$i after the repair"
	done
	cl_reach 2 1 4
}

t_alive() {
	local i
	cl_require
	for i in 1 2 3; do
		cl_npd_alive "n$i" || np_fail "nodeplaned on n$i exited: $(tail -n3 "$CL_LOGS/nodeplaned-n$i.log")"
	done
}

np_defer cl_down
np_case cluster-up-from-examples t_up
for i in 1 2 3; do
	np_case "n$i-device-peers-routes-exact" t_node "$i"
done
for f in 4 6; do
	for pair in "1 2" "2 3" "3 1"; do
		read -r a b <<<"$pair"
		np_case "ping$f-p$a-to-p$b" cl_case_ping "$a" "$b" "$f"
	done
done
np_case tcp4-1MiB-p1-to-p3 cl_case_tcp 1 3 4
np_case tcp6-1MiB-p2-to-p1 cl_case_tcp 2 1 6
np_case file-edited-public-ip-changed t_edit_ip
np_case file-added-then-deleted t_add_delete_file
np_case file-broken-error-file-line-nothing-lost t_broken_file
np_case daemons-still-running t_alive
np_case nothing-left cl_case_nothing_left
np_finish
