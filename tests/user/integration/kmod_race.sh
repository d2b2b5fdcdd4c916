#!/bin/bash
# Kernel races of the overlay's netlink writers, as targeted stress cases.
# The guest runs with panic_on_warn=1: a NULL dereference, a WARN or a
# use-after-free that oopses stops the VM and fails the run. Runs inside
# the test VM (tests/vm/run).
#
# peer-new-vs-link-del (issue 8, item 1), in each of r1 r2:
#
#   np-racetool flood np0 (id 1) ─┐  PEER_NEW (64 CIDRs) + PEER_DEL,
#   ...                           │  re-resolving np0 each time; four of
#   np-racetool flood np0 (id 4) ─┤  them keep the netns mutex contended
#   ip -batch: link del np0 / ────┘  meanwhile, as fast as it goes
#              link add np0 type nodeplane
#   ip -batch: link add np1 / del np1   (other devices come and go: their
#              per-CPU allocations contend with each PEER_NEW's, so a
#              PEER_NEW holding np0 waits inside its parse)
#
# A PEER_NEW holds the device from before its parse until it takes the
# netns mutex; a deletion that runs ndo_uninit in between leaves it a dead
# device, which the old code dereferenced (its configuration was already
# freed and NULL). The tally counts those ("the device is being deleted").
#
# failed-peer-new-under-tx (item 2), netns tx, module loaded with max_cidrs=1:
#
#   socat ─UDP─> 10.50.0.1 ──route──> np0 (10.42.0.1/32, local 192.0.2.1)
#                                      │ TX: CIDR table 10.50.0.0/24 -> peer
#   np-racetool new: PEER_NEW mac 02:00:00:00:00:99 endpoint 192.0.2.2
#     cidr 10.50.0.0/24 (published: TX sends to it), cidr 10.51.0.0/24
#     (-ENOSPC: max_cidrs) -> unwound and freed, 2000 times
#   d0 (dummy) 192.0.2.1/24: the underlay route to the endpoint
#
# peer-dump-across-recreate (item 5), netns dd: a PEER_GET dump of np0
# (index 100, 300 peers) read in 4 KiB rounds; after the first round np0 is
# deleted, created again with index 100 and given the same 300 peers. The
# dump must come back marked NLM_F_DUMP_INTR (the old per-device generation
# started again at 0 and matched).
#
# The module checks that a peer it frees at once was never published (a
# WARN otherwise): the old code, which freed a failed peer at once after
# unwinding, WARNs on the first round; a TX reader of a peer freed at once
# would be a use-after-free.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

ctl=$NP_TOP/daemon/nodeplanectl
race=$NP_TOP/daemon/build/tools/np-racetool
secs=${NP_RACE_SECS:-30}

reload() { # reload [PARAM...]
	if [ -d /sys/module/nodeplane ]; then rmmod nodeplane; fi
	modprobe nodeplane "$@"
	np_defer rmmod nodeplane
}

# One value of `nodeplanectl info -s` in netns $2.
info_in() {
	ip netns exec "$2" "$ctl" info -s |
		awk -F'\t' -v k="$1" '$1 == k { print $2; f = 1 } END { exit !f }'
}

# Sum of the outcomes $1 (ok, ENODEV, ...; an ERE on the whole line) over
# the tally files $2...
tally() {
	local what=$1
	shift
	awk -v k="^($what)( |$)" '$0 ~ k { n += $2 } END { print n + 0 }' "$@"
}

relink_loop() { # relink_loop NETNS SECONDS [DEV]: delete and create DEV until then
	local end=$((SECONDS + $2)) n=0 dev=${3:-np0}
	while ((SECONDS < end)); do
		# -force: on after a failed line; its status says one failed
		printf 'link del %s\nlink add %s type nodeplane\n' $(printf "$dev %.0s" {1..40}) |
			ip -n "$1" -force -batch - 2>/dev/null || true
		n=$((n + 20))
	done
	echo "$n"
}

case_peer_new_vs_link_del() {
	local ns id pids=() t=$np__tmp/race ok nodev relinks=0 n
	[[ -x $race ]] || np_fail "not built: $race (make -C daemon)"
	reload
	mkdir -p "$t"
	for ns in r1 r2; do
		np_netns_add "$ns"
		ip -n "$ns" link add np0 type nodeplane
		for id in 1 2 3 4; do
			ip netns exec "$ns" "$race" flood np0 "$secs" "$id" \
				>"$t/$ns.$id" 2>&1 &
			pids+=($!)
		done
		relink_loop "$ns" "$secs" >"$t/$ns.relink" &
		pids+=($!)
		relink_loop "$ns" "$secs" np1 >/dev/null &
		pids+=($!)
	done
	for n in "${pids[@]}"; do
		wait "$n" || { cat "$t"/*; np_fail "a flood or relink loop failed"; }
	done
	cat "$t"/r?.?
	for ns in r1 r2; do
		ip -n "$ns" link del np1 2>/dev/null || true
		relinks=$((relinks + $(cat "$t/$ns.relink")))
		# every PEER_NEW that succeeded was deleted or went with its device
		np_expect_eq 0 "$(info_in overlay_peers "$ns")" "peers left in $ns"
		np_expect_eq 1 "$(info_in overlay_devices "$ns")" "devices in $ns"
	done
	ok=$(tally ok "$t"/r?.?)
	nodev=$(tally ENODEV "$t"/r?.?)
	echo "relinks $relinks, PEER_NEW ok $ok, ENODEV $nodev," \
		"of which on a dead device $(tally 'ENODEV [0-9]+ nodeplane: the device is being deleted' "$t"/r?.?)"
	# both sides of the race were reached, many times
	((relinks >= 10)) || np_fail "only $relinks device re-creations"
	((ok >= 10)) || np_fail "only $ok PEER_NEW succeeded"
	((nodev >= 1)) || np_fail "no PEER_NEW met a vanished device"
	np_expect_eq 0 "$(tally ENOSPC "$t"/r?.?)" "PEER_NEW over a limit"
	np_dmesg_clean
}

case_failed_peer_new_under_tx() {
	local out pkts
	[[ -x $race ]] || np_fail "not built: $race (make -C daemon)"
	command -v socat >/dev/null || np_skip "missing: socat"
	reload max_cidrs=1
	np_netns_add tx
	ip -n tx link add d0 type dummy
	ip -n tx addr add 192.0.2.1/24 dev d0
	ip -n tx link set d0 up
	ip -n tx link add np0 type nodeplane
	ip netns exec tx "$ctl" overlay set np0 local 192.0.2.1
	ip -n tx addr add 10.42.0.1/32 dev np0
	ip -n tx link set np0 up
	ip -n tx route add 10.50.0.0/16 dev np0 src 10.42.0.1
	ip netns exec tx socat -u -b 200 /dev/zero UDP-SENDTO:10.50.0.1:9 &
	np_defer kill $!
	ip netns exec tx socat -u -b 200 /dev/zero UDP-SENDTO:10.50.0.2:9 &
	np_defer kill $!
	# TX is running: packets dropped for want of a peer
	np_wait_for 30 bash -c "ip netns exec tx '$ctl' overlay show -s np0 |
		awk '\$1 == \"stats\" { for (i = 2; i < NF; i++) if (\$i == \"tx_no_peer\" && \$(i+1) > 100) f = 1 } END { exit !f }'"

	out=$(ip netns exec tx "$race" new np0 2000 02:00:00:00:00:99 192.0.2.2 \
		10.50.0.0/24 10.51.0.0/24)
	echo "$out"
	np_expect_eq "ENOSPC 2000 nodeplane: too many peer CIDRs in this network namespace (module parameter max_cidrs)" \
		"$out" "tally of 2000 PEER_NEW over max_cidrs=1"
	np_expect_eq 0 "$(info_in overlay_peers tx)" "peers after the failures"
	# each failure gave its CIDR back: one CIDR fits, and TX uses it
	pkts=$(ip -n tx -s link show d0 | awk '/TX:/ { getline; print $2 }')
	ip netns exec tx "$ctl" peer np0 mac 02:00:00:00:00:99 \
		endpoint 192.0.2.2 cidr 10.50.0.0/24
	np_wait_for 30 bash -c "(( \$(ip -n tx -s link show d0 | awk '/TX:/ { getline; print \$2 }') > $pkts + 100 ))"
	np_expect_eq 1 "$(info_in overlay_peers tx)" "peers after one that fits"
	np_dmesg_clean
}

case_peer_dump_across_recreate() {
	local b=$np__tmp/peers.batch i out
	[[ -x $race ]] || np_fail "not built: $race (make -C daemon)"
	reload
	np_netns_add dd
	for ((i = 0; i < 300; i++)); do
		printf 'peer np0 mac 02:00:00:00:%02x:%02x endpoint 192.0.2.1 cidr 10.%d.%d.0/24\n' \
			$((i / 256)) $((i % 256)) $((i / 256)) $((i % 256))
	done >"$b"
	ip -n dd link add np0 index 100 type nodeplane
	ip netns exec dd "$ctl" -b "$b"
	np_expect_eq 300 "$(info_in overlay_peers dd)" "peers before the dump"
	out=$(ip netns exec dd "$race" dump-meanwhile np0 \
		"ip link del np0 && ip link add np0 index 100 type nodeplane && '$ctl' -b '$b'")
	echo "$out"
	np_expect_eq 300 "$(info_in overlay_peers dd)" "peers after"
	(($(awk '$1 == "rounds" { print $2 }' <<<"$out") >= 3)) || np_fail "the dump took fewer than 3 rounds"
	np_expect_eq "intr yes" "$(grep '^intr' <<<"$out")" "dump across delete + create"
}

np_module_install
np_case peer-dump-across-recreate case_peer_dump_across_recreate
np_case peer-new-vs-link-del case_peer_new_vs_link_del
np_case failed-peer-new-under-tx case_failed_peer_new_under_tx
np_finish
