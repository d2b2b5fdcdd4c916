#!/bin/bash
# Daemon benchmarks, run inside the test VM (bench.sh runs this at its end;
# alone: NP_BENCH_SAMPLES=... tests/bench/run with NP_BENCH_ONLY=daemon).
# The test API server (tests/apiserver/apiserver.py) holds NP_BENCH_NODES
# (5,000) peer Nodes plus the node's own, and nodeplaned runs against it:
#
#   netns npa (the whole run)           netns npb (the node; made anew for
#   +-----------------------------+     each sample of either setup)
#   | apiserver.py                |     +----------------------------------+
#   |  https 192.168.77.1:6443    |     | nodeplaned --config config.yaml  |
#   |  control http :6444         |     |   --> nodeplane module, 5,000    |
#   | lo 192.168.77.1/32          |     |       peers on its vxlan device  |
#   |            va ==============veth===== va 192.168.77.2/32             |
#   +-----------------------------+     | driver (python3), nodeplanectl   |
#                                       |   -s -b - (one process)          |
#                                       | eth0 (dummy) 192.168.50.1/24,    |
#                                       |   default via 192.168.50.254     |
#                                       | pa (dummy) 172.30.0.0/16         |
#                                       | pb (dummy) 172.31.0.0/16         |
#                                       +----------------------------------+
#
# Two setups, alternated, NP_BENCH_DAEMON_SAMPLES (default NP_BENCH_SAMPLES,
# 10) samples each, figures as tests/bench/lib.sh prints them:
# - daemon_converge_5000_nodes: from starting nodeplaned (empty module,
#   empty data-dir, fresh namespace) to the module holding all 5,000 peers
#   (ms), polled with `info` through one long-lived `nodeplanectl -s -b -`
#   (a fork+exec costs ~0.1 s in the VM). ref: the same Node list as
#   nodeplaned requests it (limit=500 pages, client certificate) by a
#   Python client from the same namespace (ms): the floor any client pays.
# - daemon_watch_to_kernel_p50 / _p95: in each daemon sample, after it
#   converged, NP_BENCH_ROUNDS (20) rounds: one Node's public-ip changed
#   through the API server's control port (one PUT), until the module sends
#   to the new endpoint (ms). ours: the median over the samples of each
#   sample's p50 / p95; no ref. The endpoint alternates between 172.30/16
#   and 172.31/16, routed through the dummies pa and pb. Every ~2 ms the
#   driver sends a UDP probe to a pod address of that Node, its payload
#   "npbench SAMPLE ROUND SEQ", and reads a packet socket on the new
#   endpoint's dummy: the round ends at the first probe of this round seen
#   VXLAN-encapsulated towards the new address, and its latency is that
#   probe's send time minus the PUT's (nothing else on the dummy, say an
#   IPv6 MLD report, can end it). A round with no such probe within
#   NP_BENCH_ROUND_TIMEOUT (10 s) is a failure: counted in failures= on
#   both lines (of rounds=, the rounds planned; a sample whose daemon did
#   not converge counts all its rounds), ranked above every latency in its
#   sample's percentiles (which then may be inf). After the last round one
#   `overlay show` checks the peer's endpoint; after the sample the Node is
#   put back as the fixtures have it.
# (a dump of 5,000 peers takes ~1 s in the VM: too slow to poll.)
# Benchmarks report; a figure that could not be measured is nan with a
# "# why" line. The script exits 0 unless its setup fails.
set -euo pipefail
top=${NP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/user/lib.sh"
# shellcheck source=tests/bench/lib.sh
. "$top/tests/bench/lib.sh"

nodes=${NP_BENCH_NODES:-5000}
rounds=${NP_BENCH_ROUNDS:-20}
converge_timeout=${NP_BENCH_CONVERGE_TIMEOUT:-180}
round_timeout=${NP_BENCH_ROUND_TIMEOUT:-10}
bench_nsamples=${NP_BENCH_DAEMON_SAMPLES:-${NP_BENCH_SAMPLES:-10}}
ns=npb ans=npa api_ip=192.168.77.1
tmp=$np__tmp
py=/usr/bin/python3
daemon=${NP_BENCH_DAEMON:-$top/daemon/nodeplaned}
ctl=${NP_BENCH_CTL:-$top/daemon/nodeplanectl}

nan_all() { # why
	echo "# daemon bench: $1"
	bench_line "daemon_converge_${nodes}_nodes" converge list ms lower
	bench_line daemon_watch_to_kernel_p50 p50 - ms lower
	bench_line daemon_watch_to_kernel_p95 p95 - ms lower
	exit 0
}

for f in "$daemon" "$ctl" "$top/tests/apiserver/apiserver.py" "$top/tests/apiserver/mkcerts.sh"; do
	[[ -e $f ]] || nan_all "$f is missing (build with make -C daemon)"
done

# The driver: generates the fixtures ("gen") and measures ("run"). Kept
# here so the benchmark is one file.
cat >"$tmp/driver.py" <<'EOF'
import http.client, json, math, os, signal, socket, ssl, statistics, subprocess, sys, threading, time
import urllib.parse

def peer(k):
    """Name, pod CIDR, public IP and VTEP MAC of peer k (0-based)."""
    return ("node-%05d" % k,
            "10.%d.%d.0/24" % (1 + k // 256, k % 256),
            "172.16.%d.%d" % (k // 250, k % 250 + 1),
            "02:ee:%02x:%02x:00:04" % (k >> 8, k & 255))

def node(name, cidr, ip, mac=None):
    """A Node shaped like K3s's (status trimmed of images)."""
    ann = {}
    if mac:
        p = "flannel.alpha.coreos.com/"
        ann = {p + "kube-subnet-manager": "true",
               p + "backend-type": "vxlan",
               p + "backend-data": '{"VNI":1,"VtepMAC":"%s"}' % mac,
               p + "public-ip": ip,
               "k3s.io/node-args": '["agent"]',
               "node.alpha.kubernetes.io/ttl": "0",
               "volumes.kubernetes.io/controller-managed-attach-detach": "true"}
    cond = lambda t, s, r: {"type": t, "status": s, "reason": r,
                            "message": "kubelet: " + r,
                            "lastHeartbeatTime": "2026-11-21T08:00:00Z",
                            "lastTransitionTime": "2026-11-20T08:00:00Z"}
    return {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "annotations": ann, "labels": {
            "beta.kubernetes.io/arch": "amd64",
            "beta.kubernetes.io/os": "linux",
            "kubernetes.io/arch": "amd64",
            "kubernetes.io/hostname": name,
            "kubernetes.io/os": "linux",
            "node.kubernetes.io/instance-type": "k3s"}},
        "spec": {"podCIDR": cidr, "podCIDRs": [cidr],
                 "providerID": "k3s://" + name},
        "status": {
            "addresses": [{"type": "InternalIP", "address": ip},
                          {"type": "Hostname", "address": name}],
            "capacity": {"cpu": "4", "memory": "8039848Ki", "pods": "110",
                         "ephemeral-storage": "61202244Ki"},
            "allocatable": {"cpu": "4", "memory": "8039848Ki", "pods": "110",
                            "ephemeral-storage": "59536912647"},
            "conditions": [cond("MemoryPressure", "False", "KubeletHasSufficientMemory"),
                           cond("DiskPressure", "False", "KubeletHasNoDiskPressure"),
                           cond("PIDPressure", "False", "KubeletHasSufficientPID"),
                           cond("Ready", "True", "KubeletReady")],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {"architecture": "amd64", "bootID": "b",
                         "containerRuntimeVersion": "containerd://1.7.23-k3s2",
                         "kernelVersion": "6.1.0-28-amd64",
                         "kubeProxyVersion": "v1.31.4+k3s1",
                         "kubeletVersion": "v1.31.4+k3s1", "machineID": "m",
                         "operatingSystem": "linux",
                         "osImage": "Debian GNU/Linux 12 (bookworm)",
                         "systemUUID": "s"}}}

def gen(outdir, n, self_name):
    items = [node(self_name, "10.0.0.0/24", "192.168.50.1")]
    items += [node(*peer(k)) for k in range(n)]
    with open(os.path.join(outdir, "nodes.json"), "w") as f:
        json.dump({"kind": "NodeList", "apiVersion": "v1", "items": items}, f)

class Ctl:
    """One `nodeplanectl -s -b -`, its output filtered to the lines we read."""
    def __init__(self, ctl, mac):
        pat = "^(overlay|stats\t|peer\t[^\t]+\tmac\t%s\t)" % mac
        self.p = subprocess.Popen(
            "stdbuf -oL %s -s -b - | grep --line-buffered -E '%s'" % (ctl, pat),
            shell=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True, bufsize=1)

    def query(self, *cmds):
        """Runs cmds then info; returns (their lines, overlay peer count)."""
        self.p.stdin.write("".join(c + "\n" for c in cmds) + "info\n")
        self.p.stdin.flush()
        out = []
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise RuntimeError("nodeplanectl -b stopped (a command failed)")
            f = line.rstrip("\n").split("\t")
            if f[0] == "overlay_peers":
                return out, int(f[1])
            out.append(f)

    def close(self):
        self.p.stdin.close()
        self.p.wait()

def pct(v, p):
    """The p-th percentile (nearest rank) of v; None (a timed-out round)
    ranks above every number and comes out as inf."""
    s = sorted(v, key=lambda x: (x is None, x or 0))
    x = s[max(0, math.ceil(p / 100.0 * len(s)) - 1)]
    return "inf" if x is None else "%.0f" % x

ETH_P_ALL = 3

def tap(ifname):
    """A packet socket seeing what leaves ifname (non-blocking)."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((ifname, ETH_P_ALL))
    s.setblocking(False)
    return s

def frames(s):
    """The frames queued on packet socket s."""
    while True:
        try:
            yield s.recv(65535)
        except BlockingIOError:
            return

def probe_seq(f, outer_dst, inner_dst, prefix):
    """If frame f is one of our probes, VXLAN-encapsulated towards
    outer_dst, return its sequence number (from the payload after prefix),
    else None: Ethernet, IPv4 to outer_dst, UDP, VXLAN (I flag), inner
    Ethernet, IPv4 to inner_dst, UDP to port 9, payload prefix + seq."""
    if len(f) < 14 + 20 + 8 + 8 + 14 + 20 + 8 or f[12:14] != b"\x08\x00":
        return None
    ip = 14
    if f[ip + 9] != 17 or f[ip + 16:ip + 20] != outer_dst:
        return None
    vx = ip + (f[ip] & 15) * 4 + 8
    if f[vx] & 0x08 == 0:
        return None
    ip2 = vx + 8 + 14
    if f[ip2 - 2:ip2] != b"\x08\x00" or f[ip2 + 9] != 17 or \
            f[ip2 + 16:ip2 + 20] != inner_dst:
        return None
    u = ip2 + (f[ip2] & 15) * 4
    if f[u + 2:u + 4] != b"\x00\x09" or not f[u + 8:].startswith(prefix):
        return None
    try:
        return int(f[u + 8 + len(prefix):])
    except ValueError:
        return None

def put_node(conn, obj):
    conn.request("PUT", "/objects", json.dumps(obj),
                 {"Content-Type": "application/json"})
    resp = conn.getresponse()
    resp.read()
    if resp.status != 200:
        raise SystemExit("PUT /objects: HTTP %d" % resp.status)

def run(a):
    """One sample: start nodeplaned (empty module, fresh netns), time its
    convergence, then the rounds; stop it and put the changed Node back."""
    n, rounds, k = int(a["nodes"]), int(a["rounds"]), int(a["nodes"]) - 1
    sample, round_timeout = int(a["sample"]), float(a["round_timeout"])
    name, cidr, ip, mac = peer(k)
    probe_ip = cidr.split("/")[0][:-1] + "7"   # a pod address of peer k
    inner_dst = socket.inet_aton(probe_ip)
    res = {"rounds": "0", "timeouts": "0", "lat": "", "first": "nan"}
    ctl = Ctl(a["ctl"], mac)
    _, before = ctl.query()
    if before:
        raise SystemExit("the module already holds %d peers" % before)
    log = open(a["log"], "w")
    t0 = time.monotonic()
    d = subprocess.Popen([a["daemon"], "--config", a["config"]],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, bufsize=1)

    def pump():
        """The daemon's log (stderr, unbuffered), each line stamped with
        the ms since its start."""
        for line in d.stdout:
            log.write("%6.0f ms  %s" % ((time.monotonic() - t0) * 1000, line))
            log.flush()
    pumper = threading.Thread(target=pump, daemon=True)
    pumper.start()
    polls, got, first = 0, 0, None
    deadline = t0 + float(a["timeout"])
    while got < n:
        if d.poll() is not None:
            print("# sample %d: nodeplaned exited with %d before converging "
                  "(%d peers)" % (sample, d.returncode, got))
            break
        if time.monotonic() > deadline:
            print("# sample %d: not converged after %ss: %d of %d peers" %
                  (sample, a["timeout"], got, n))
            break
        _, got = ctl.query()
        polls += 1
        if got and first is None:
            first = time.monotonic() - t0
        if got < n:
            time.sleep(0.02)
    conn = http.client.HTTPConnection(a["control_host"], int(a["control"]))
    if got >= n:
        res["converge"] = "%.0f" % ((time.monotonic() - t0) * 1000)
        res["first"] = "%.0f" % (first * 1000)
        lines, _ = ctl.query("overlay show")
        devs = [f[1] for f in lines if f[0] == "overlay"]
        dev = devs[0] if devs else None
        if not dev:
            print("# sample %d: no overlay device after converging" % sample)
        lat, cost = [], []
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        taps = (tap("pa"), tap("pb"))
        new = None
        for r in range(rounds if dev else 0):
            time.sleep(0.3)
            # Even rounds move the endpoint into 172.30/16 (routed via
            # dummy pa), odd ones into 172.31/16 (via pb). Only a probe of
            # this round, encapsulated towards the new address, counts.
            new = "172.%d.%d.%d" % (30 + r % 2, r // 250, r % 250 + 1)
            outer = socket.inet_aton(new)
            t = taps[r % 2]
            for s in taps:
                for _ in frames(s):
                    pass
            prefix = b"npbench %d %d " % (sample, r)
            sent = []
            t1 = time.monotonic()
            put_node(conn, node(name, cidr, new, mac))
            hit = None
            while hit is None and time.monotonic() - t1 < round_timeout:
                q0 = time.monotonic()
                sent.append(q0)
                probe.sendto(prefix + b"%d" % (len(sent) - 1), (probe_ip, 9))
                for f in frames(t):
                    hit = probe_seq(f, outer, inner_dst, prefix)
                    if hit is not None:
                        break
                cost.append(time.monotonic() - q0)
                if hit is None:
                    time.sleep(0.002)
            if hit is None:
                print("# sample %d round %d: timed out: no probe to the pod "
                      "%s encapsulated towards %s within %.0f s" %
                      (sample, r, probe_ip, new, round_timeout))
                lat.append(None)
            else:
                lat.append((sent[hit] - t1) * 1000)
        if dev and rounds:
            lines, _ = ctl.query("overlay show " + dev)
            seen = next((f[5] for f in lines
                         if f[0] == "peer" and f[3] == mac), None)
            if seen != new:
                print("# sample %d: peer %s endpoint after the last round: "
                      "%s, NOT %s" % (sample, mac, seen, new))
        if lat:
            res["rounds"] = str(len(lat))
            res["timeouts"] = str(sum(x is None for x in lat))
            res["p50"] = pct(lat, 50)
            res["p95"] = pct(lat, 95)
            res["lat"] = " ".join("timeout" if x is None else "%.0f" % x
                                  for x in lat)
            res["probe"] = "%.2f" % (statistics.median(cost) * 1000)
    if d.poll() is None:
        d.send_signal(signal.SIGTERM)
        try:
            d.wait(30)
            if d.returncode:
                print("# sample %d: nodeplaned exit status after SIGTERM: %d"
                      % (sample, d.returncode))
        except subprocess.TimeoutExpired:
            print("# sample %d: nodeplaned did not stop within 30 s of "
                  "SIGTERM" % sample)
            d.kill()
            d.wait()
    pumper.join(5)
    ctl.close()
    # The next sample starts from the fixtures' state.
    put_node(conn, node(name, cidr, ip, mac))
    with open(a["out"], "w") as f:
        for key in ("converge", "first", "p50", "p95", "rounds", "timeouts",
                    "probe", "lat"):
            f.write("%s=%s\n" % (key, res.get(key, "nan")))

def list_pages(a):
    """Lists the Nodes as nodeplaned does (limit=500 pages, client
    certificate); prints the milliseconds, pages and items."""
    d = a["certs"]
    ctx = ssl.create_default_context(cafile=d + "/ca.crt")
    ctx.load_cert_chain(d + "/client.crt", d + "/client.key")
    t0 = time.monotonic()
    conn = http.client.HTTPSConnection(a["host"], int(a["port"]),
                                       context=ctx)
    cont, pages, items = "", 0, 0
    while True:
        path = "/api/v1/nodes?limit=500"
        if cont:
            path += "&continue=" + urllib.parse.quote(cont)
        conn.request("GET", path)
        resp = conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            raise SystemExit("GET %s: HTTP %d" % (path, resp.status))
        doc = json.loads(body)
        items += len(doc["items"])
        pages += 1
        cont = doc["metadata"].get("continue")
        if not cont:
            break
    print("%.0f %d %d" % ((time.monotonic() - t0) * 1000, pages, items))

if sys.argv[1] == "gen":
    gen(sys.argv[2], int(sys.argv[3]), sys.argv[4])
elif sys.argv[1] == "list":
    list_pages(dict(x.split("=", 1) for x in sys.argv[2:]))
else:
    run(dict(x.split("=", 1) for x in sys.argv[2:]))
EOF
np_module_install
modprobe nodeplane

# The API server's namespace, for the whole run: 192.168.77.1 on its
# loopback, reached from the node's namespace over a veth (made anew with
# the node's namespace at each sample).
np_netns_add "$ans"
ip -n "$ans" addr add "$api_ip/32" dev lo

node_ns_up() { # the node's namespace, from nothing
	np__netns_del "$ns"
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip -n "$ns" link add eth0 type dummy
	ip -n "$ns" addr add 192.168.50.1/24 dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$ns" route add default via 192.168.50.254 dev eth0
	ip -n "$ns" link add va type veth peer va netns "$ans"
	ip -n "$ns" addr add 192.168.77.2/32 dev va
	ip -n "$ns" link set va up
	ip -n "$ns" route add "$api_ip/32" dev va
	ip -n "$ans" link set va up
	ip -n "$ans" route add 192.168.77.2/32 dev va
	# Probe devices: the changed peer's endpoint moves into 172.30/16 (pa)
	# or 172.31/16 (pb); a probe to one of its pods then leaves through
	# that dummy, VXLAN-encapsulated, where the driver's packet socket
	# sees it.
	local d
	for d in pa pb; do
		ip -n "$ns" link add "$d" type dummy
		ip -n "$ns" link set "$d" up
	done
	ip -n "$ns" route add 172.30.0.0/16 dev pa
	ip -n "$ns" route add 172.31.0.0/16 dev pb
	rm -rf "$tmp/data"
	mkdir "$tmp/data"
}
np_defer np__netns_del "$ns"
node_ns_up

"$top/tests/apiserver/mkcerts.sh" "$tmp/certs" --server "https://$api_ip:6443" >/dev/null
mkdir "$tmp/fixtures"
"$py" "$tmp/driver.py" gen "$tmp/fixtures" "$nodes" bench-self
echo "# fixtures: $((nodes + 1)) Nodes, $(($(stat -c %s "$tmp/fixtures/nodes.json") / 1024)) KiB of JSON"

ip netns exec "$ans" "$py" "$top/tests/apiserver/apiserver.py" \
	--listen "$api_ip:6443" --control "$api_ip:6444" --certs "$tmp/certs" \
	--fixtures "$tmp/fixtures" --bookmark-interval 60 \
	--state-file "$tmp/apiserver.state" 2>"$tmp/apiserver.log" &
apiserver_pid=$!
disown # the namespace's deletion may kill it first: no job notice
np_defer kill "$apiserver_pid"
np_wait_for 120 test -e "$tmp/apiserver.state"

if curl_s=$(ip netns exec "$ns" curl -sS --fail -o /dev/null -w '%{time_total}' \
	--cacert "$tmp/certs/ca.crt" --cert "$tmp/certs/client.crt" \
	--key "$tmp/certs/client.key" "https://$api_ip:6443/api/v1/nodes"); then
	echo "# one unpaginated list with curl: $(awk -v s="$curl_s" 'BEGIN { printf "%.0f", s * 1000 }') ms"
fi

cat >"$tmp/config.yaml" <<EOF
cluster-cidr: 10.0.0.0/8
flannel-backend: vxlan
node-name: bench-self
kubeconfig: $tmp/certs/kubeconfig-k3s.yaml
data-dir: $tmp/data
EOF

timeouts=0 planned=0
# One sample of a setup, on a node namespace built anew:
#   list    the ref: the Node list as nodeplaned makes it (limit=500 pages,
#           client certificate), by a Python client
#   daemon  nodeplaned from start to converged, then the rounds
d_sample() { # list|daemon I
	local i=$2 out rc k v
	node_ns_up
	if [[ $1 == list ]]; then
		if out=$(ip netns exec "$ns" "$py" "$tmp/driver.py" list \
			certs="$tmp/certs" host="$api_ip" port=6443); then
			bench_put list "${out%% *}"
		else
			echo "# sample $i: list failed: $(tail -n 3 "$tmp/apiserver.log" | tr '\n' ' ')"
			bench_put list nan
		fi
		return 0
	fi
	rm -f "$tmp/result"
	planned=$((planned + rounds))
	rc=0
	ip netns exec "$ns" "$py" "$tmp/driver.py" run daemon="$daemon" ctl="$ctl" \
		config="$tmp/config.yaml" nodes="$nodes" rounds="$rounds" sample="$i" \
		timeout="$converge_timeout" round_timeout="$round_timeout" \
		control_host="$api_ip" control=6444 log="$tmp/nodeplaned.$i.log" \
		out="$tmp/result" || rc=$?
	[[ $rc -eq 0 ]] || echo "# sample $i: driver exited with $rc"
	declare -A res=([converge]=nan [first]=nan [p50]=nan [p95]=nan [rounds]=0 [timeouts]=0 [probe]=nan [lat]='')
	if [[ -f $tmp/result ]]; then
		while IFS='=' read -r k v; do
			res[$k]=$v
		done <"$tmp/result"
	fi
	bench_put converge "${res[converge]}"
	bench_put first "${res[first]}"
	bench_put p50 "${res[p50]}"
	bench_put p95 "${res[p95]}"
	bench_put probe "${res[probe]}"
	# A round not run (the daemon did not converge) counts as timed out.
	timeouts=$((timeouts + res[timeouts] + rounds - res[rounds]))
	echo "# sample $i: watch to kernel, ms: ${res[lat]:-none}"
	# The daemon's own account: its first pass, and the pass of each round
	# (the one that changed the one peer; "in N ms" is its own timing).
	# Its log up to its first pass, stamped with the ms since it started.
	sed -n "1,/overlay: converged/s/^/# sample $i: daemon log: /p" "$tmp/nodeplaned.$i.log" | head -n 40
	grep 'overlay: converged:.*(0 added, 1 changed, 0 removed' "$tmp/nodeplaned.$i.log" |
		sed -n 's/.* in \([0-9]*\) ms$/\1/p' >>"$bench__dir/pass" || true
	if [[ ${res[converge]} == nan || ${res[p50]} == nan ]]; then
		echo "# sample $i: nodeplaned log (last 15 lines):"
		tail -n 15 "$tmp/nodeplaned.$i.log" | sed 's/^/#   /'
	fi
}

bench_samples d_sample list daemon
np__netns_del "$ns"
bench_note "the first peer programmed after (ms)" first
bench_note "the daemon's own pass per round (its log, ms)" pass
bench_note "one probe (send + read the packet socket, ms)" probe
bench_line "daemon_converge_${nodes}_nodes" converge list ms lower
bench_line daemon_watch_to_kernel_p50 p50 - ms lower failures=$timeouts rounds=$planned
bench_line daemon_watch_to_kernel_p95 p95 - ms lower failures=$timeouts rounds=$planned
