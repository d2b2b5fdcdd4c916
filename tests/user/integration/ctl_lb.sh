#!/bin/bash
# nodeplanectl lb and info against the kernel (no traffic: lb_cli.sh sends
# that): large frontends staged in chunks and dumped back in continuation
# messages, keys with and without a local address, the generation, and a
# chunk the module refuses. Runs inside the test VM (tests/vm/run).
#
#   n: a network namespace of its own per case (lo only); every command
#      acts on n's LB state
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

ctl=$NP_TOP/daemon/nodeplanectl
ctl() { ip netns exec n "$ctl" "$@"; }

# "KEY VALUE" of `nodeplanectl -s info` in n.
info() { ctl -s info | awk -v k="$1" '$1 == k { print $2 }'; }

# 5,000 backends and 100,000 ranges, through -b FILE (one line, no argv
# limit), staged in 105 chunks; shown back as the same line.
case_large_staged() {
	local want got
	np_netns_add n
	# ascending, as show -s prints them (canonical order)
	want=$(awk 'BEGIN {
		printf "lb\tset\t-4\ttcp\t443\towner\tservicelb\tranges\t"
		for (i = 0; i < 100000; i++)
			printf "%s100.%d.%d.%d/32", i ? "," : "", 64 + int(i / 65536),
			       int(i / 256) % 256, i % 256
		printf "\tbackend\t"
		for (i = 0; i < 5000; i++)
			printf "%s10.43.%d.%d:8000/ready", i ? "," : "", int(i / 250),
			       i % 250 + 1
		printf "\n"
	}')
	printf '%s\n' "$want" >"$np__tmp/large.conf"
	ip netns exec n "$ctl" -b "$np__tmp/large.conf"
	got=$(ctl -s lb show)
	[[ $got == "$want" ]] || np_fail "show -s differs from the line set (${#got} vs ${#want} bytes)"
	np_expect_eq "1 5000 100000 0" \
		"$(info lb_frontends) $(info lb_backends) $(info lb_ranges) $(info lb_staged)" \
		"frontends backends ranges staged"
	np_expect_eq "5000 100000 10.43.19.250 100.65.134.159/32" "$(ctl -j lb show |
		/usr/bin/python3 -c '
import json, sys
f = json.load(sys.stdin)["frontends"][0]
print(len(f["backends"]), len(f["ranges"]), f["backends"][-1]["addr"], f["ranges"][-1])')" \
		"JSON backends, ranges, last of each"
	# replaced by a small one: the counts follow
	ctl lb set tcp 443 backend 10.43.0.1:8000
	np_expect_eq "1 1 0 0" \
		"$(info lb_frontends) $(info lb_backends) $(info lb_ranges) $(info lb_staged)" \
		"after the replace"
}

# The key includes the local address: del with it removes only that one.
case_keys_with_local() {
	np_netns_add n
	ctl lb set tcp 80 local 192.0.2.254 backend 10.42.0.5:80/local
	ctl lb set tcp 80 backend 10.42.0.6:80
	ctl lb set -6 tcp 80 local 2001:db8::fe backend '[fd42::5]:80/terminating'
	ctl lb set -6 tcp 80
	np_expect_eq "lb	set	-4	tcp	80	owner	servicelb	backend	10.42.0.6:80/ready
lb	set	-4	tcp	80	local	192.0.2.254	owner	servicelb	backend	10.42.0.5:80/local/ready
lb	set	-6	tcp	80	owner	servicelb
lb	set	-6	tcp	80	local	2001:db8::fe	owner	servicelb	backend	[fd42::5]:80/terminating" \
		"$(ctl -s lb show)" "four keys"
	ctl lb del tcp 80 local 192.0.2.254
	ctl lb del -6 tcp 80
	np_expect_eq "lb	set	-4	tcp	80	owner	servicelb	backend	10.42.0.6:80/ready
lb	set	-6	tcp	80	local	2001:db8::fe	owner	servicelb	backend	[fd42::5]:80/terminating" \
		"$(ctl -s lb show)" "after two deletes"
	np_expect_fail --stderr '^nodeplanectl: lb del: .*no frontend with this key' \
		ctl lb del tcp 80 local 192.0.2.254
}

# The generation: one per change, the same in INFO and in the JSON.
case_generation() {
	local g0
	np_netns_add n
	g0=$(info generation)
	[[ $g0 =~ ^[0-9]+$ ]] || np_fail "no generation in info: '$g0'"
	ctl lb set udp 53 owner hostport backend 10.42.0.5:53
	np_expect_eq $((g0 + 1)) "$(info generation)" "after a set"
	np_expect_eq $((g0 + 1)) "$(ctl -j lb show | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["frontends"][0]["generation"] == d["generation"]
print(d["generation"])')" "JSON generation"
	np_expect_eq $((g0 + 1)) "$(ctl -j info | /usr/bin/python3 -c '
import json, sys
print(json.load(sys.stdin)["generation"])')" "-j info generation"
	np_expect_fail ctl lb del udp 54
	np_expect_eq $((g0 + 1)) "$(info generation)" "after a failed del"
	ctl lb del udp 53
	np_expect_eq $((g0 + 2)) "$(info generation)" "after a del"
}

# max_backends=2500: 1,000 published, a replace by 2,000 fails at its
# second chunk; the published frontend stays, nothing stays staged.
case_refused_chunk() {
	local before
	modprobe -r nodeplane || np_fail "modprobe -r nodeplane"
	np_defer modprobe nodeplane
	np_defer modprobe -r nodeplane
	modprobe nodeplane max_backends=2500 || np_fail "modprobe max_backends=2500"
	np_netns_add n
	awk 'BEGIN { printf "lb set tcp 80 backend "
		for (i = 0; i < 1000; i++)
			printf "%s10.44.%d.%d:80", i ? "," : "", int(i / 250), i % 250 + 1
		printf "\n" }' >"$np__tmp/small.conf"
	ip netns exec n "$ctl" -b "$np__tmp/small.conf"
	before=$(ctl -s lb show)
	awk 'BEGIN { printf "lb set tcp 80 masq-all backend "
		for (i = 0; i < 2000; i++)
			printf "%s10.45.%d.%d:80", i ? "," : "", int(i / 250), i % 250 + 1
		printf "\n" }' >"$np__tmp/big.conf"
	np_expect_fail --stderr 'lb set: tcp/80: chunk 2 of 2: .*max_backends' \
		ip netns exec n "$ctl" -b "$np__tmp/big.conf"
	np_expect_eq "$before" "$(ctl -s lb show)" "the published frontend"
	np_expect_eq "1 1000 0" \
		"$(info lb_frontends) $(info lb_backends) $(info lb_staged)" \
		"frontends backends staged"
	np_expect_eq 2500 "$(info max_backends)" "max_backends"
}

np_module_install
modprobe nodeplane || np_fail "modprobe nodeplane"
[[ -x $ctl ]] || np_fail "nodeplanectl not built: make daemon"
command -v python3 >/dev/null || np_fail "no python3"
np_case large-staged case_large_staged
np_case keys-with-local case_keys_with_local
np_case generation case_generation
np_case refused-chunk case_refused_chunk
np_finish
