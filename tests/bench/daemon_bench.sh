#!/bin/bash
# Daemon benchmarks, run inside the test VM (bench.sh runs this at its end;
# alone: tests/vm/run --timeout 1200 tests/bench/daemon_bench.sh). One
# network namespace is the node; the test API server
# (tests/apiserver/apiserver.py) holds NP_BENCH_NODES (5,000) peer Nodes
# plus the node's own, and nodeplaned runs against it:
#
#   netns npb
#   +--------------------------------------------------------------+
#   | apiserver.py  https 127.0.0.1:6443, control http :6444        |
#   |      ^ list/watch, PATCH nodes/status                         |
#   | nodeplaned --config $tmp/config.yaml --> nodeplane module    |
#   |      np-vxlan: 5,000 peers            ^ INFO_GET               |
#   | driver (python3) --- nodeplanectl -s -b - (one process)       |
#   | eth0 (dummy) 192.168.50.1/24, default via 192.168.50.254      |
#   | pa (dummy): 172.30.0.0/16     pb (dummy): 172.31.0.0/16       |
#   +--------------------------------------------------------------+
#
# Figures, printed as bench.sh prints them:
#   BENCH name=<metric> ours=<v> ref=<v> unit=<u> better=<higher|lower> ratio=<ours/ref>
# - daemon_converge_5000_nodes: from starting nodeplaned to the module
#   holding all 5,000 peers (ms), polled with `info` through one long-lived
#   `nodeplanectl -s -b -` (a fork+exec costs ~0.1 s in the VM). ref: the
#   same Node list as nodeplaned requests it (limit=500 pages) by a Python
#   client from the same API server (ms): the floor any client pays.
# - daemon_watch_to_kernel_p50 / _p95: one Node's public-ip changed through
#   the API server's control port (one PUT), until the module sends to the
#   new endpoint (ms), NP_BENCH_ROUNDS (20) times; no ref. The endpoint
#   alternates between 172.30/16 and 172.31/16, routed through the dummies
#   pa and pb: the driver sends a UDP probe to a pod address of that Node
#   every ~2 ms and reads the dummy's tx_packets (a dump of 5,000 peers
#   takes ~1 s in the VM, too slow to poll). After the last round one
#   `overlay show` checks the peer's endpoint.
# Benchmarks report; a figure that could not be measured is nan with a
# "# why" line. The script exits 0 unless its setup fails.
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
import http.client, json, math, os, signal, socket, ssl, statistics, subprocess, sys, time
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
    s = sorted(v)
    return s[max(0, math.ceil(p / 100.0 * len(s)) - 1)]

def run(a):
    n, rounds, k = int(a["nodes"]), int(a["rounds"]), int(a["nodes"]) - 1
    name, cidr, ip, mac = peer(k)
    probe_ip = cidr.split("/")[0][:-1] + "7"   # a pod address of peer k
    res = {}
    ctl = Ctl(a["ctl"], mac)
    _, before = ctl.query()
    if before:
        raise SystemExit("the module already holds %d peers" % before)
    log = open(a["log"], "w")
    t0 = time.monotonic()
    d = subprocess.Popen([a["daemon"], "--config", a["config"]],
                         stdout=log, stderr=subprocess.STDOUT)
    polls, got, first = 0, 0, None
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
        if got and first is None:
            first = time.monotonic() - t0
        if got < n:
            time.sleep(0.02)
    if got >= n:
        res["converge"] = "%.0f" % ((time.monotonic() - t0) * 1000)
        print("# converged: %d peers, %d polls; the first peer after %.0f ms" %
              (got, polls, first * 1000))
        lines, _ = ctl.query("overlay show")
        devs = [f[1] for f in lines if f[0] == "overlay"]
        dev = devs[0] if devs else None
        print("# overlay devices: %s" % (", ".join(devs) or "none"))
        lat, cost = [], []
        conn = http.client.HTTPConnection("127.0.0.1", int(a["control"]))
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        dst = (probe_ip, 9)
        for r in range(rounds if dev else 0):
            time.sleep(0.3)
            # Even rounds move the endpoint into 172.30/16 (routed via
            # probe dummy pa), odd ones into 172.31/16 (via pb).
            new = "172.%d.%d.%d" % (30 + r % 2, r // 250, r % 250 + 1)
            ctr = "/sys/class/net/%s/statistics/tx_packets" % ("pa", "pb")[r % 2]
            c0 = int(open(ctr).read())
            body = json.dumps(node(name, cidr, new, mac))
            t1 = time.monotonic()
            conn.request("PUT", "/objects", body,
                         {"Content-Type": "application/json"})
            resp = conn.getresponse()
            resp.read()
            if resp.status != 200:
                raise SystemExit("PUT /objects: HTTP %d" % resp.status)
            done = False
            while time.monotonic() - t1 < 10:
                q0 = time.monotonic()
                probe.sendto(b"np", dst)
                done = int(open(ctr).read()) > c0
                cost.append(time.monotonic() - q0)
                if done:
                    break
                time.sleep(0.002)
            if not done:
                print("# round %d: no packet to %s after 10 s" % (r, new))
                continue
            lat.append((time.monotonic() - t1) * 1000)
        if dev and rounds:
            lines, _ = ctl.query("overlay show " + dev)
            seen = next((f[5] for f in lines
                         if f[0] == "peer" and f[3] == mac), None)
            print("# peer %s endpoint after the last round: %s (%s)" %
                  (mac, seen, "as put" if seen == new else "NOT " + new))
        if lat:
            res["p50"] = "%.0f" % statistics.median(lat)
            res["p95"] = "%.0f" % pct(lat, 95)
            print("# watch to kernel: %d rounds, ms: %s" %
                  (len(lat), " ".join("%.0f" % x for x in lat)))
            print("# one probe (UDP to %s, read tx_packets): median %.2f ms"
                  % (probe_ip, statistics.median(cost) * 1000))
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

def list_pages(a):
    """Lists the Nodes as nodeplaned does (limit=500 pages, client
    certificate); prints the milliseconds, pages and items."""
    d = a["certs"]
    ctx = ssl.create_default_context(cafile=d + "/ca.crt")
    ctx.load_cert_chain(d + "/client.crt", d + "/client.key")
    t0 = time.monotonic()
    conn = http.client.HTTPSConnection("127.0.0.1", int(a["port"]),
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
np_netns_add "$ns"
ip -n "$ns" link add eth0 type dummy
ip -n "$ns" addr add 192.168.50.1/24 dev eth0
ip -n "$ns" link set eth0 up
ip -n "$ns" route add default via 192.168.50.254 dev eth0
# Probe devices: the changed peer's endpoint moves into 172.30/16 (pa) or
# 172.31/16 (pb); a packet to one of its pods then leaves through that
# dummy, whose tx_packets tells that the module has the new endpoint.
for d in pa pb; do
	ip -n "$ns" link add "$d" type dummy
	ip -n "$ns" link set "$d" up
done
ip -n "$ns" route add 172.30.0.0/16 dev pa
ip -n "$ns" route add 172.31.0.0/16 dev pb

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

# ref: the same list as nodeplaned makes it (limit=500 pages, client
# certificate), by a Python client in the same namespace; median of three.
# One unpaginated list with curl is printed for comparison.
ref=nan
if lists=$(for i in 1 2 3; do
	ip netns exec "$ns" "$py" "$tmp/driver.py" list certs="$tmp/certs" port=6443
done); then
	ref=$(echo "$lists" | sort -n | sed -n 2p | cut -d' ' -f1)
	echo "# paginated list (ms pages items): $(echo "$lists" | tr '\n' ';')"
else
	echo "# paginated list failed: $(tail -n 3 "$tmp/apiserver.log" | tr '\n' ' ')"
fi
if curl_s=$(ip netns exec "$ns" curl -sS --fail -o /dev/null -w '%{time_total}' \
	--cacert "$tmp/certs/ca.crt" --cert "$tmp/certs/client.crt" \
	--key "$tmp/certs/client.key" https://127.0.0.1:6443/api/v1/nodes); then
	echo "# one unpaginated list with curl: $(awk -v s="$curl_s" 'BEGIN { printf "%.0f", s * 1000 }') ms"
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
# ... and of each round: the pass that changed the one peer ("in N ms" is
# the daemon's own timing of that pass).
passes=$(grep 'overlay: converged:.*(0 added, 1 changed, 0 removed' "$tmp/nodeplaned.log" |
	sed -n 's/.* in \([0-9]*\) ms$/\1/p' | tr '\n' ' ') || true
[[ -z $passes ]] || echo "# daemon passes of the rounds (its log), ms: $passes"
if [[ ${res[converge]} == nan || ${res[p50]} == nan ]]; then
	echo "# nodeplaned log (last 15 lines):"
	tail -n 15 "$tmp/nodeplaned.log" | sed 's/^/#   /'
fi
bench_line "daemon_converge_${nodes}_nodes" "${res[converge]}" "$ref" ms lower
bench_line daemon_watch_to_kernel_p50 "${res[p50]}" nan ms lower
bench_line daemon_watch_to_kernel_p95 "${res[p95]}" nan ms lower
