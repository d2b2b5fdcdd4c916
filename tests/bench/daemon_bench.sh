#!/bin/bash
# Daemon benchmarks, run inside the test VM (bench.sh runs this at its end;
# alone: tests/vm/run --timeout 1200 tests/bench/daemon_bench.sh). One
# network namespace is the node; the test API server
# (tests/apiserver/apiserver.py) holds NP_BENCH_NODES (5,000) peer Nodes
# plus the node's own, and nodeplaned runs against it:
#
#   netns npb
#   +------------------------------------------------------------+
#   | apiserver.py  https 127.0.0.1:6443, control http :6444      |
#   |      ^ list/watch, PATCH nodes/status                       |
#   | nodeplaned --config $tmp/config.yaml --> nodeplane module  |
#   |      (np-vxlan: 5,000 peers)       ^ INFO_GET / PEER_GET    |
#   | driver (python3) -- nodeplanectl -s -b - (one process)      |
#   | eth0 (dummy) 192.168.50.1/24, default via 192.168.50.254    |
#   +------------------------------------------------------------+
#
# Figures, printed as bench.sh prints them:
#   BENCH name=<metric> ours=<v> ref=<v> unit=<u> better=<higher|lower> ratio=<ours/ref>
# - daemon_converge_5000_nodes: from starting nodeplaned to the module
#   holding all 5,000 peers (ms). ref: one list of the same 5,000 Nodes with
#   curl from the same API server (ms), the floor any client pays.
# - daemon_watch_to_kernel_p50 / _p95: a Node's public-ip changed through
#   the API server's control port (one PUT), until the module's peer for it
#   has the new endpoint (ms), NP_BENCH_ROUNDS (20) times; no ref.
# The module is polled through one long-lived `nodeplanectl -s -b -`
# (a fork+exec costs ~0.1 s in the VM): `info` for the peer count, `overlay
# show DEV` for the endpoint, filtered by grep so the driver reads a few
# lines. A poll's own cost is printed as a "# " line: it bounds the
# resolution. Benchmarks report; a figure that could not be measured is nan
# with a "# why" line. The script exits 0 unless its setup fails.
set -euo pipefail
top=${NP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/user/lib.sh"

nodes=${NP_BENCH_NODES:-5000}
rounds=${NP_BENCH_ROUNDS:-20}
converge_timeout=${NP_BENCH_CONVERGE_TIMEOUT:-180}
ns=npb
tmp=$np__tmp
py=/usr/bin/python3
daemon=${NP_BENCH_DAEMON:-$top/daemon/nodeplaned}
ctl=${NP_BENCH_CTL:-$top/daemon/nodeplanectl}

bench_line() { # name ours ref unit better
	local ratio=nan
	if [[ $2 =~ ^[0-9.]+$ && $3 =~ ^[0-9.]+$ ]]; then
		ratio=$(awk -v o="$2" -v r="$3" 'BEGIN { printf (r > 0 ? "%.3f" : "nan"), o / r }')
	fi
	echo "BENCH name=$1 ours=$2 ref=$3 unit=$4 better=$5 ratio=$ratio"
}

nan_all() { # why
	echo "# daemon bench: $1"
	bench_line "daemon_converge_${nodes}_nodes" nan nan ms lower
	bench_line daemon_watch_to_kernel_p50 nan nan ms lower
	bench_line daemon_watch_to_kernel_p95 nan nan ms lower
	exit 0
}

for f in "$daemon" "$ctl" "$top/tests/apiserver/apiserver.py" "$top/tests/apiserver/mkcerts.sh"; do
	[[ -e $f ]] || nan_all "$f is missing (build with make -C daemon)"
done

# The driver: generates the fixtures ("gen") and measures ("run"). Kept
# here so the benchmark is one file.
cat >"$tmp/driver.py" <<'EOF'
import http.client, json, math, os, signal, statistics, subprocess, sys, time

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
    s = sorted(v)
    return s[max(0, math.ceil(p / 100.0 * len(s)) - 1)]

def run(a):
    n, rounds, k = int(a["nodes"]), int(a["rounds"]), int(a["nodes"]) - 1
    name, cidr, ip, mac = peer(k)
    res = {}
    ctl = Ctl(a["ctl"], mac)
    _, before = ctl.query()
    if before:
        raise SystemExit("the module already holds %d peers" % before)
    log = open(a["log"], "w")
    t0 = time.monotonic()
    d = subprocess.Popen([a["daemon"], "--config", a["config"]],
                         stdout=log, stderr=subprocess.STDOUT)
    polls, got = 0, 0
    deadline = t0 + float(a["timeout"])
    while got < n:
        if d.poll() is not None:
            print("# nodeplaned exited with %d before converging (%d peers)" %
                  (d.returncode, got))
            break
        if time.monotonic() > deadline:
            print("# not converged after %ss: %d of %d peers" %
                  (a["timeout"], got, n))
            break
        _, got = ctl.query()
        polls += 1
        if got < n:
            time.sleep(0.02)
    if got >= n:
        res["converge"] = "%.0f" % ((time.monotonic() - t0) * 1000)
        print("# converged: %d peers, %d polls" % (got, polls))
        lines, _ = ctl.query("overlay show")
        devs = [f[1] for f in lines if f[0] == "overlay"]
        dev = devs[0] if devs else None
        print("# overlay devices: %s" % (", ".join(devs) or "none"))
        lat, cost = [], []
        conn = http.client.HTTPConnection("127.0.0.1", int(a["control"]))
        for r in range(rounds if dev else 0):
            time.sleep(0.3)
            new = "172.30.%d.%d" % (r // 250, r % 250 + 1)
            body = json.dumps(node(name, cidr, new, mac))
            t1 = time.monotonic()
            conn.request("PUT", "/objects", body,
                         {"Content-Type": "application/json"})
            resp = conn.getresponse()
            resp.read()
            if resp.status != 200:
                raise SystemExit("PUT /objects: HTTP %d" % resp.status)
            seen = None
            while seen != new:
                if time.monotonic() - t1 > 10:
                    break
                q0 = time.monotonic()
                lines, _ = ctl.query("overlay show " + dev)
                cost.append(time.monotonic() - q0)
                seen = next((f[5] for f in lines
                             if f[0] == "peer" and f[3] == mac), None)
            if seen != new:
                print("# round %d: peer %s still at %s after 10 s" %
                      (r, mac, seen))
                continue
            lat.append((time.monotonic() - t1) * 1000)
        if lat:
            res["p50"] = "%.0f" % statistics.median(lat)
            res["p95"] = "%.0f" % pct(lat, 95)
            print("# watch to kernel: %d rounds, ms: %s" %
                  (len(lat), " ".join("%.0f" % x for x in lat)))
            print("# one poll (overlay show of %d peers, filtered): "
                  "median %.1f ms" % (n, statistics.median(cost) * 1000))
    if d.poll() is None:
        d.send_signal(signal.SIGTERM)
        try:
            d.wait(30)
            print("# nodeplaned exit status after SIGTERM: %d" % d.returncode)
        except subprocess.TimeoutExpired:
            print("# nodeplaned did not stop within 30 s of SIGTERM")
            d.kill()
            d.wait()
    _, after = ctl.query()
    print("# peers after the daemon stopped: %d" % after)
    ctl.close()
    with open(a["out"], "w") as f:
        for key in ("converge", "p50", "p95"):
            f.write("%s=%s\n" % (key, res.get(key, "nan")))

if sys.argv[1] == "gen":
    gen(sys.argv[2], int(sys.argv[3]), sys.argv[4])
else:
    run(dict(x.split("=", 1) for x in sys.argv[2:]))
EOF

np_module_install
modprobe nodeplane
np_netns_add "$ns"
ip -n "$ns" link add eth0 type dummy
ip -n "$ns" addr add 192.168.50.1/24 dev eth0
ip -n "$ns" link set eth0 up
ip -n "$ns" route add default via 192.168.50.254 dev eth0

"$top/tests/apiserver/mkcerts.sh" "$tmp/certs" >/dev/null
mkdir "$tmp/fixtures" "$tmp/data"
"$py" "$tmp/driver.py" gen "$tmp/fixtures" "$nodes" bench-self
echo "# fixtures: $((nodes + 1)) Nodes, $(($(stat -c %s "$tmp/fixtures/nodes.json") / 1024)) KiB of JSON"

ip netns exec "$ns" "$py" "$top/tests/apiserver/apiserver.py" \
	--listen 127.0.0.1:6443 --control 127.0.0.1:6444 --certs "$tmp/certs" \
	--fixtures "$tmp/fixtures" --bookmark-interval 60 \
	--state-file "$tmp/apiserver.state" 2>"$tmp/apiserver.log" &
apiserver_pid=$!
disown # the namespace's deletion may kill it first: no job notice
np_defer kill "$apiserver_pid"
np_wait_for 120 test -e "$tmp/apiserver.state"

# ref: the same list with curl (median of three), client certificate auth.
list_ms() {
	ip netns exec "$ns" curl -sS --fail -o /dev/null -w '%{time_total}\n' \
		--cacert "$tmp/certs/ca.crt" --cert "$tmp/certs/client.crt" \
		--key "$tmp/certs/client.key" https://127.0.0.1:6443/api/v1/nodes
}
ref=nan
if times=$(for i in 1 2 3; do list_ms; done); then
	ref=$(echo "$times" | sort -n | sed -n 2p | awk '{ printf "%.0f", $1 * 1000 }')
	echo "# curl list of $((nodes + 1)) Nodes, ms: $(echo "$times" | awk '{ printf "%.0f ", $1 * 1000 }')"
else
	echo "# curl list failed: $(tail -n 3 "$tmp/apiserver.log" | tr '\n' ' ')"
fi

cat >"$tmp/config.yaml" <<EOF
cluster-cidr: 10.0.0.0/8
flannel-backend: vxlan
node-name: bench-self
kubeconfig: $tmp/certs/kubeconfig-k3s.yaml
data-dir: $tmp/data
EOF

set +e
ip netns exec "$ns" "$py" "$tmp/driver.py" run daemon="$daemon" ctl="$ctl" \
	config="$tmp/config.yaml" nodes="$nodes" rounds="$rounds" \
	timeout="$converge_timeout" control=6444 log="$tmp/nodeplaned.log" \
	out="$tmp/result"
rc=$?
set -e
[[ $rc -eq 0 ]] || echo "# driver exited with $rc"
declare -A res=([converge]=nan [p50]=nan [p95]=nan)
if [[ -f $tmp/result ]]; then
	while IFS='=' read -r k v; do
		res[$k]=$v
	done <"$tmp/result"
fi
# The daemon's own account of its first convergence (overlay.c's summary).
grep -m1 'overlay: converged' "$tmp/nodeplaned.log" | sed 's/^/# daemon log: /' || true
if [[ ${res[converge]} == nan || ${res[p50]} == nan ]]; then
	echo "# nodeplaned log (last 15 lines):"
	tail -n 15 "$tmp/nodeplaned.log" | sed 's/^/#   /'
fi
bench_line "daemon_converge_${nodes}_nodes" "${res[converge]}" "$ref" ms lower
bench_line daemon_watch_to_kernel_p50 "${res[p50]}" nan ms lower
bench_line daemon_watch_to_kernel_p95 "${res[p95]}" nan ms lower
