#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""NetworkPolicy conformance runner (tests/user/netpol_cases/, README.md there).

The model is upstream's (kubernetes test/e2e/network/netpol): Namespaces x, y,
z (labels ns=NAME and kubernetes.io/metadata.name=NAME), pods a, b, c in each
(label pod=NAME), every pod serving TCP, UDP and SCTP on ports 80 and 81
(container ports named serve-PORT-PROTO). Pods alternate between nodes n1 and
n2 so that both same-node and cross-node pairs occur in and across namespaces.

A case is a JSON file: steps, each applying policy creates/updates/deletes and
label changes (written into the manifests directory every nodeplaned reads),
then probing one or more (protocol, port) matrices of every ordered pair of
pods (loopback not probed: upstream ignores it) until the observed matrix is
the expected one, built as upstream builds it (a default, then Expect,
ExpectPeer, ExpectAllIngress, ExpectAllEgress in order). A mismatch at the
deadline prints upstream-style truth tables (expected, observed, comparison).
At the end the case's objects are removed and labels restored, and the last
probed matrix must be all-true again.

Subcommands (python3 standard library only):
  topo                      the pods: "NS POD NETNS NODE IP4 IP6" lines
  objects DIR               Namespaces and Pods as manifests into DIR
  serve NAME                servers of pod NAME (run in its netns)
  probe FAMILY PROTO PORT   one matrix, printed as a truth table
  expect FAMILY PROTO PORT DEFAULT [OPS]
                            wait until one matrix is DEFAULT (true/false)
                            modified by OPS (JSON list of upstream ops)
  baseline FAMILY           wait until every pod reaches every pod on
                            80 and 81 over TCP, UDP and SCTP
  case FILE FAMILIES DIR    run one case over 4, 6 or 4,6 (DIR: the
                            manifests directory)
  case-server DIR           run the cases asked on stdin ("FILE FAMILIES
                            LOG" lines), answering "done RC" each
  trace-check CTL [FILE...] on the host: `CTL policy trace` against every
                            expected table of the cases (all by default),
                            IPv4 and IPv6; one OK/FAIL line a case
  check [FILE...]           validate case files (all by default)
  selftest                  unit tests of the expectation and table logic
"""

import ctypes
import errno
import ipaddress
import json
import os
import select
import socket
import subprocess
import sys
import time

NAMESPACES = ("x", "y", "z")
PODNAMES = ("a", "b", "c")
PODS = tuple(f"{n}/{p}" for n in NAMESPACES for p in PODNAMES)
PORTS = (80, 81)
PROTOCOLS = ("TCP", "UDP", "SCTP")
NS_KEY = "kubernetes.io/metadata.name"
HERE = os.path.dirname(os.path.abspath(__file__))
CASES_DIR = os.path.join(HERE, "netpol_cases")

# How long one probe may take (a refused connection returns at once; a
# dropped one costs this), and how long a matrix may take to converge.
PROBE_TIMEOUT = float(os.environ.get("NP_PROBE_TIMEOUT", "1.5"))
DEADLINE = float(os.environ.get("NP_NETPOL_DEADLINE", "60"))


# --- the pods -----------------------------------------------------------------

def pod_index(pod):
    return PODS.index(pod)


def pod_node(pod):
    """1 or 2: pods alternate between the two nodes."""
    return pod_index(pod) % 2 + 1


def pod_netns(pod):
    return f"p{pod_index(pod) + 1}"


def pod_ip(pod, family):
    """Address from its node's pod CIDR (10.42.N-1.0/24, 2001:db8:42:N-1::/64)."""
    i, n = pod_index(pod), pod_node(pod)
    if int(family) == 4:
        return f"10.42.{n - 1}.{11 + i}"
    return str(ipaddress.ip_address(f"2001:db8:42:{n - 1:x}::{11 + i}"))


def namespace_object(ns, extra=None):
    labels = {"ns": ns, NS_KEY: ns}
    labels.update(extra or {})
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": ns, "uid": f"uid-ns-{ns}", "labels": labels,
                         "creationTimestamp": "2024-01-01T00:00:00Z"},
            "status": {"phase": "Active"}}


def pod_object(pod, labels=None):
    ns, name = pod.split("/")
    containers = []
    for proto in PROTOCOLS:
        for port in PORTS:
            containers.append({
                "name": f"cont-{port}-{proto.lower()}",
                "image": "agnhost",
                "ports": [{"name": f"serve-{port}-{proto.lower()}",
                           "containerPort": port, "protocol": proto}]})
    ip4, ip6 = pod_ip(pod, 4), pod_ip(pod, 6)
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": ns,
                         "uid": f"uid-pod-{ns}-{name}",
                         "creationTimestamp": "2024-01-01T00:00:01Z",
                         "labels": labels if labels is not None else {"pod": name}},
            "spec": {"nodeName": f"n{pod_node(pod)}", "containers": containers},
            "status": {"phase": "Running", "podIP": ip4,
                       "podIPs": [{"ip": ip4}, {"ip": ip6}]}}


def put(directory, fname, obj):
    """Write obj as DIR/FNAME.json atomically (hidden temporary, rename)."""
    tmp = os.path.join(directory, f".{fname}.tmp")
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True)
        f.write("\n")
    os.rename(tmp, os.path.join(directory, f"{fname}.json"))


def rm(directory, fname):
    try:
        os.unlink(os.path.join(directory, f"{fname}.json"))
    except FileNotFoundError:
        pass


def empty(directory, fname):
    """DIR/FNAME.json, if there, becomes a List of no items."""
    if os.path.exists(os.path.join(directory, f"{fname}.json")):
        put(directory, fname, {"apiVersion": "v1", "kind": "List", "items": []})


def ns_file(ns):
    return f"ns-{ns}"


def pod_file(pod):
    return "pod-" + pod.replace("/", "-")


def policy_file(ns, name):
    return f"netpol-{ns}-{name}"


# --- truth tables (upstream's Reachability and TruthTable) --------------------

class Table:
    def __init__(self, default=None):
        self.v = {f: {t: default for t in PODS} for f in PODS}

    def set(self, f, t, val):
        self.v[f][t] = val

    def pretty(self):
        lines = ["\t".join(["-"] + list(PODS))]
        for f in PODS:
            row = [f]
            for t in PODS:
                val = self.v[f][t]
                row.append("?" if val is None else "." if val else "X")
            lines.append("\t".join(row))
        return "\n".join(lines)


def peer_matches(peer, pod):
    """Upstream's Peer: "" any pod, "x" any pod of x, "x/a" that pod."""
    if peer == "":
        return True
    if "/" in peer:
        return peer == pod
    return pod.split("/")[0] == peer


def check_pod(p):
    if p not in PODS:
        raise ValueError(f"no pod {p!r} (pods are x/a ... z/c)")


def check_peer(p):
    if p != "" and p not in NAMESPACES:
        check_pod(p)


def expected_table(default, ops):
    """The expected matrix: DEFAULT everywhere, then each op in order."""
    if not isinstance(default, bool):
        raise ValueError("default must be true or false")
    t = Table(default)
    for op in ops:
        if not isinstance(op, list) or not op or not isinstance(op[-1], bool):
            raise ValueError(f"bad op {op!r}: [NAME, ARG..., BOOL]")
        name, args, val = op[0], op[1:-1], op[-1]
        if name == "Expect" and len(args) == 2:
            check_pod(args[0])
            check_pod(args[1])
            t.set(args[0], args[1], val)
        elif name == "ExpectPeer" and len(args) == 2:
            check_peer(args[0])
            check_peer(args[1])
            for f in PODS:
                for to in PODS:
                    if peer_matches(args[0], f) and peer_matches(args[1], to):
                        t.set(f, to, val)
        elif name == "ExpectAllIngress" and len(args) == 1:
            check_pod(args[0])
            for f in PODS:
                t.set(f, args[0], val)
        elif name == "ExpectAllEgress" and len(args) == 1:
            check_pod(args[0])
            for to in PODS:
                t.set(args[0], to, val)
        else:
            raise ValueError(f"bad op {op!r}")
    return t


def compare(expected, observed):
    """Comparison table and the wrong ordered pairs (loopback ignored)."""
    cmp = Table()
    wrong = []
    for f in PODS:
        for t in PODS:
            if f == t:
                continue
            ok = expected.v[f][t] == observed.v[f][t]
            cmp.set(f, t, ok)
            if not ok:
                wrong.append((f, t))
    return cmp, wrong


# --- probes -------------------------------------------------------------------

CLONE_NEWNET = 0x40000000
_libc = None


def setns(fd):
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise OSError(e, f"setns: {os.strerror(e)}")


def sock_type(proto):
    if proto == "TCP":
        return socket.SOCK_STREAM, 0
    if proto == "UDP":
        return socket.SOCK_DGRAM, 0
    return socket.SOCK_STREAM, socket.IPPROTO_SCTP


class Probe:
    """One connection attempt from a pod to a pod, driven by poll()."""

    def __init__(self, src, dst, family, proto, port):
        self.src, self.dst, self.proto = src, dst, proto
        self.addr = (pod_ip(dst, family), port)
        self.fam = socket.AF_INET if int(family) == 4 else socket.AF_INET6
        self.result = None      # True / False once decided (None: not waited for)
        self.done = False
        self.why = ""
        self.sock = None
        self.connected = False
        self.buf = b""
        self.next_send = 0.0

    def start(self, nsfd, rootfd):
        typ, pr = sock_type(self.proto)
        setns(nsfd)
        try:
            self.sock = socket.socket(self.fam, typ | socket.SOCK_NONBLOCK, pr)
        finally:
            setns(rootfd)
        if self.proto == "UDP":
            self.sock.connect(self.addr)
            self.connected = True
            self.send_udp()
            return
        rc = self.sock.connect_ex(self.addr)
        if rc == 0:
            self.connected = True
        elif rc != errno.EINPROGRESS:
            self.finish(False, os.strerror(rc))

    def send_udp(self):
        try:
            self.sock.send(b"probe\n")
        except OSError as e:
            self.finish(False, e.strerror)
        self.next_send = time.monotonic() + 0.25

    def events(self):
        if self.done:
            return 0
        if not self.connected:
            return select.POLLOUT
        return select.POLLIN

    def ready(self, ev):
        if not self.connected:
            err = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                self.finish(False, os.strerror(err))
                return
            self.connected = True
            return
        try:
            data = self.sock.recv(256)
        except BlockingIOError:
            return
        except OSError as e:
            self.finish(False, e.strerror)
            return
        if self.proto == "UDP":
            self.buf = data
        else:
            self.buf += data
            if data and not self.buf.endswith(b"\n"):
                return
        got = self.buf.decode(errors="replace").strip()
        if got == self.dst:
            self.finish(True, "")
        else:
            self.finish(False, f"answered {got!r}")

    def tick(self, now):
        if not self.done and self.proto == "UDP" and now >= self.next_send:
            self.send_udp()

    def finish(self, ok, why):
        self.result, self.why, self.done = ok, why, True
        if self.sock:
            self.sock.close()
            self.sock = None


def probe_matrix(family, proto, port, want=None, timeout=PROBE_TIMEOUT):
    """Observed table for PROTO/PORT over FAMILY (loopback left unknown).
    With WANT, stops as soon as one pair differs from it (the others left
    unknown): the matrix will be probed again anyway.

    A TCP connection whose handshake completed counts as connected even if
    the answer is late (the SYN-ACK came from the destination's kernel, so
    the policy let it through); UDP and SCTP count by the answer."""
    rootfd = os.open("/proc/self/ns/net", os.O_RDONLY)
    nsfds = {p: os.open(f"/run/netns/{pod_netns(p)}", os.O_RDONLY) for p in PODS}
    probes = []
    try:
        for f in PODS:
            for t in PODS:
                if f != t:
                    pr = Probe(f, t, family, proto, port)
                    probes.append(pr)
                    pr.start(nsfds[f], rootfd)
        end = time.monotonic() + timeout
        while True:
            live = [p for p in probes if not p.done]
            now = time.monotonic()
            if not live or now >= end:
                break
            poller = select.poll()
            byfd = {}
            for p in live:
                p.tick(now)
                ev = p.events()
                if ev:
                    poller.register(p.sock.fileno(), ev)
                    byfd[p.sock.fileno()] = p
            wait = min(end - now, 0.05 if proto == "UDP" else end - now)
            for fd, ev in poller.poll(max(0, wait) * 1000):
                byfd[fd].ready(ev)
            if want is not None and any(
                    p.done and p.result != want.v[p.src][p.dst]
                    for p in probes):
                for p in probes:
                    if not p.done:
                        p.finish(None, "not waited for (another pair differed)")
                break
        for p in probes:
            if not p.done:
                if p.proto == "TCP" and p.connected:
                    p.finish(True, "connected, answer late")
                else:
                    p.finish(False, "timeout")
    finally:
        for p in probes:
            if p.sock:
                p.sock.close()
        for fd in nsfds.values():
            os.close(fd)
        os.close(rootfd)
    t = Table()
    why = {}
    for p in probes:
        t.set(p.src, p.dst, p.result)
        why[(p.src, p.dst)] = p.why
    return t, why


# --- servers ------------------------------------------------------------------

def serve(name, ready=None):
    """TCP, UDP and SCTP on 80 and 81, both families: each answers NAME."""
    reply = (name + "\n").encode()
    listeners = {}
    for fam, host in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        for proto in PROTOCOLS:
            typ, pr = sock_type(proto)
            for port in PORTS:
                s = socket.socket(fam, typ, pr)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if fam == socket.AF_INET6:
                    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                s.bind((host, port))
                if typ == socket.SOCK_STREAM:
                    s.listen(128)
                s.setblocking(False)
                listeners[s.fileno()] = (s, proto)
    if ready:
        with open(ready, "w") as f:
            f.write(f"{os.getpid()}\n")
    poller = select.poll()
    for fd in listeners:
        poller.register(fd, select.POLLIN)
    while True:
        for fd, _ in poller.poll():
            s, proto = listeners[fd]
            try:
                if proto == "UDP":
                    _, peer = s.recvfrom(2048)
                    s.sendto(reply, peer)
                else:
                    # Never block: an association whose client gave up
                    # (aborted while queued) must not hold the others
                    # back. Drain the queue; the answer fits the send
                    # buffer of a fresh connection.
                    while True:
                        c, _ = s.accept()
                        c.setblocking(False)
                        try:
                            c.send(reply)
                        except OSError:
                            pass
                        finally:
                            c.close()
            except OSError:
                pass


# --- cases --------------------------------------------------------------------

def subst(obj, family):
    """Placeholders in strings: {ip:x/b}, {host} (32/128), {large:x/b} (the
    /4 holding x/b's address, upstream's makeLargeCIDRForIP), {cluster}
    (the cluster CIDR of the family)."""
    if isinstance(obj, dict):
        return {k: subst(v, family) for k, v in obj.items()}
    if isinstance(obj, list):
        return [subst(v, family) for v in obj]
    if not isinstance(obj, str) or "{" not in obj:
        return obj
    out = obj.replace("{host}", "32" if int(family) == 4 else "128")
    out = out.replace("{cluster}", "10.42.0.0/16" if int(family) == 4
                      else "2001:db8:42::/56")
    while "{ip:" in out or "{large:" in out:
        i = out.index("{")
        j = out.index("}", i)
        kind, pod = out[i + 1:j].split(":", 1)
        check_pod(pod)
        ip = pod_ip(pod, family)
        if kind == "ip":
            rep = ip
        elif kind == "large":
            rep = str(ipaddress.ip_network(f"{ip}/4", strict=False))
        else:
            raise ValueError(f"bad placeholder {out[i:j + 1]}")
        out = out[:i] + rep + out[j + 1:]
    if "{" in out:
        raise ValueError(f"unresolved placeholder in {obj!r}")
    return out


def has_placeholder(obj):
    if isinstance(obj, dict):
        return any(has_placeholder(v) for v in obj.values())
    if isinstance(obj, list):
        return any(has_placeholder(v) for v in obj)
    return isinstance(obj, str) and "{" in obj


def subst_families(obj, families):
    """subst for one family; for several (one run probing IPv4 and IPv6),
    every peer whose ipBlock has placeholders becomes one peer per family
    (a peer is an ipBlock alone, so this is the union of the family's
    blocks, and an address only ever meets its own family's); any other
    placeholder is an error."""
    if len(families) == 1:
        return subst(obj, families[0])
    if isinstance(obj, dict):
        return {k: subst_families(v, families) for k, v in obj.items()}
    if isinstance(obj, list):
        out = []
        for v in obj:
            if isinstance(v, dict) and "ipBlock" in v and has_placeholder(v):
                out.extend(subst(v, f) for f in families)
            else:
                out.append(subst_families(v, families))
        return out
    if has_placeholder(obj):
        raise ValueError(f"placeholder outside an ipBlock: {obj!r}")
    return obj


def load_case(path):
    with open(path) as f:
        case = json.load(f)
    validate_case(case, path)
    return case


def validate_case(case, path="case"):
    for key in ("it", "upstream", "steps"):
        if key not in case:
            raise ValueError(f"{path}: no {key!r}")
    if not case["steps"]:
        raise ValueError(f"{path}: no steps")
    known = {"create", "update", "delete", "podLabels", "nsLabels", "probes", "by"}
    live = set()
    for n, step in enumerate(case["steps"], 1):
        where = f"{path}: step {n}"
        extra = set(step) - known
        if extra:
            raise ValueError(f"{where}: unknown keys {sorted(extra)}")
        for verb in ("create", "update"):
            for pol in step.get(verb, []):
                validate_policy(pol, f"{where} {verb}")
                key = (pol["metadata"]["namespace"], pol["metadata"]["name"])
                if verb == "create" and key in live:
                    raise ValueError(f"{where}: {key} created twice")
                if verb == "update" and key not in live:
                    raise ValueError(f"{where}: {key} updated before created")
                live.add(key)
        for ref in step.get("delete", []):
            ns, name = ref.split("/")
            if (ns, name) not in live:
                raise ValueError(f"{where}: delete of {ref}, not created")
            live.discard((ns, name))
        for pod, labels in step.get("podLabels", {}).items():
            check_pod(pod)
            if not isinstance(labels, dict):
                raise ValueError(f"{where}: labels of {pod} not an object")
        for ns in step.get("nsLabels", {}):
            if ns not in NAMESPACES:
                raise ValueError(f"{where}: no namespace {ns}")
        if not step.get("probes"):
            raise ValueError(f"{where}: no probes")
        for pr in step["probes"]:
            if pr.get("protocol") not in PROTOCOLS or pr.get("port") not in PORTS:
                raise ValueError(f"{where}: probe {pr!r}: protocol and port")
            expected_table(pr.get("default"), pr.get("expect", []))
    for fam in (4, 6):
        subst(case["steps"], fam)
    if case.get("core"):
        subst_families(case["steps"], (4, 6))


def validate_policy(pol, where):
    if pol.get("apiVersion") != "networking.k8s.io/v1" or pol.get("kind") != "NetworkPolicy":
        raise ValueError(f"{where}: not a networking.k8s.io/v1 NetworkPolicy")
    md = pol.get("metadata", {})
    if md.get("namespace") not in NAMESPACES or not md.get("name"):
        raise ValueError(f"{where}: metadata.namespace/name")
    spec = pol.get("spec")
    if not isinstance(spec, dict) or "podSelector" not in spec:
        raise ValueError(f"{where}: spec.podSelector missing")


def stored_policy(pol, n):
    """The object as written: uid and creationTimestamp added."""
    pol = json.loads(json.dumps(pol))
    md = pol["metadata"]
    md.setdefault("uid", f"uid-np-{md['namespace']}-{md['name']}")
    md.setdefault("creationTimestamp", f"2024-01-01T01:00:{n % 60:02d}Z")
    md["generation"] = n
    return pol


def log(msg):
    print(msg, flush=True)


def wait_matrix(family, proto, port, want, what, deadline=DEADLINE):
    """Probe until the observed matrix is WANT; True, or False after printing
    the tables."""
    t0 = time.monotonic()
    n = 0
    while True:
        n += 1
        final = time.monotonic() - t0 >= deadline
        # the last look is a whole matrix, for the report
        obs, why = probe_matrix(family, proto, port, None if final else want)
        _, wrong = compare(want, obs)
        el = time.monotonic() - t0
        if not wrong:
            log(f"# {what}: {proto}/{port} IPv{family} as expected after "
                f"{int(el * 1000)} ms ({n} matrices)")
            return True
        if final:
            break
        time.sleep(0.2)
    cmp, wrong = compare(want, obs)
    log("comparison:\n" + cmp.pretty())
    log("expected:\n" + want.pretty())
    log("observed:\n" + obs.pretty())
    for f, t in wrong[:7]:
        log(f"# {f} -> {t}: expected {'allowed' if want.v[f][t] else 'denied'}"
            f", observed {'allowed' if obs.v[f][t] else 'denied (' + why[(f, t)] + ')'}")
    if len(wrong) > 7:
        log(f"# ... and {len(wrong) - 7} more pairs")
    log(f"# {what}: {proto}/{port} IPv{family}: {len(wrong)} of "
        f"{len(PODS) * (len(PODS) - 1)} pairs wrong after {int(el)} s "
        f"({n} matrices); loopback ignored")
    return False


def trace_table(family, proto, port, trace):
    """`nodeplanectl policy trace` of every ordered pair, as each node
    enforces it (TRACE: the nodeplanectl, then each node's configuration
    file; one batch per node): a pair is allowed when every node allows
    it. The table, and per denied pair the denying node's lines."""
    ctl, configs = trace[0], trace[1:]
    pairs = [(f, t) for f in PODS for t in PODS if f != t]
    tab, why = Table(), {}
    for f, t in pairs:
        tab.set(f, t, True)
    for cfg in configs:
        script = "".join(f"policy trace {pod_ip(f, family)} {pod_ip(t, family)} "
                         f"{proto.lower()} {port} config {cfg}\n"
                         for f, t in pairs)
        r = subprocess.run([ctl, "-s", "-b", "-"], input=script, text=True,
                           capture_output=True, timeout=300)
        if r.returncode != 0:
            raise RuntimeError(f"nodeplanectl policy trace (config {cfg}): "
                               f"exit {r.returncode}: {r.stderr.strip()}")
        blocks = []
        for line in r.stdout.splitlines():
            if line.startswith("verdict\t"):
                blocks.append([line])
            elif blocks:
                blocks[-1].append(line)
        if len(blocks) != len(pairs) or any(
                b[0] not in ("verdict\tallowed", "verdict\tdenied") for b in blocks):
            raise RuntimeError(f"nodeplanectl policy trace (config {cfg}): "
                               f"{len(blocks)} verdicts for {len(pairs)} pairs")
        for (f, t), b in zip(pairs, blocks):
            if b[0] == "verdict\tdenied":
                tab.set(f, t, False)
                why[(f, t)] = f"{os.path.basename(os.path.dirname(cfg))}: " + \
                    "; ".join(x.replace("\t", " ") for x in b[1:])
    return tab, why


def trace_check(family, proto, port, want, trace, what):
    """True when policy trace's verdicts are WANT; else prints the pairs."""
    t0 = time.monotonic()
    tab, why = trace_table(family, proto, port, trace)
    _, wrong = compare(want, tab)
    if not wrong:
        log(f"# {what}: policy trace agrees on {proto}/{port} IPv{family} "
            f"({int((time.monotonic() - t0) * 1000)} ms)")
        return True
    log("policy trace:\n" + tab.pretty())
    for f, t in wrong[:7]:
        log(f"# policy trace {f} -> {t} {proto}/{port} IPv{family}: expected "
            f"{'allowed' if want.v[f][t] else 'denied'}, traced "
            f"{'allowed' if tab.v[f][t] else 'denied (' + why[(f, t)] + ')'}")
    log(f"# {what}: policy trace differs on {len(wrong)} of "
        f"{len(PODS) * (len(PODS) - 1)} pairs")
    return False


def apply_step(step, mdir, gen, created, labelled_pods, labelled_ns):
    """Writes STEP's objects and label changes into MDIR, noting what it
    created and relabelled; returns the policy generation counter."""
    for verb in ("create", "update"):
        for pol in step.get(verb, []):
            gen += 1
            md = pol["metadata"]
            created[(md["namespace"], md["name"])] = True
            put(mdir, policy_file(md["namespace"], md["name"]),
                stored_policy(pol, gen))
    for ref in step.get("delete", []):
        ns, name = ref.split("/")
        rm(mdir, policy_file(ns, name))
        created.pop((ns, name), None)
    for pod, labels in step.get("podLabels", {}).items():
        put(mdir, pod_file(pod), pod_object(pod, labels))
        labelled_pods.add(pod)
    for ns, labels in step.get("nsLabels", {}).items():
        put(mdir, ns_file(ns), namespace_object(ns, labels))
        labelled_ns.add(ns)
    return gen


def trace_case(path, ctl, tmp):
    """`nodeplanectl policy trace` (CTL) against every expectation of CASE,
    over IPv4 and IPv6, the case's objects written step by step into a
    manifests directory under TMP read by two node configurations (n1,
    n2) as in the VM. True when every table agrees."""
    case = load_case(path)
    for family in (4, 6):
        mdir = os.path.join(tmp, f"m{family}")
        os.makedirs(mdir)
        main(["objects", mdir])
        configs = []
        for node in (1, 2):
            cfg = os.path.join(tmp, f"n{node}", f"config-{family}.yaml")
            os.makedirs(os.path.dirname(cfg), exist_ok=True)
            with open(cfg, "w") as f:
                f.write(f"node-name: n{node}\nmanifests-dir: {mdir}\n"
                        "cluster-cidr: 10.42.0.0/16,2001:db8:42::/56\n")
            configs.append(cfg)
        gen = 0
        for n, step in enumerate(subst(case["steps"], family), 1):
            gen = apply_step(step, mdir, gen, {}, set(), set())
            for pr in step["probes"]:
                want = expected_table(pr["default"], pr.get("expect", []))
                if not trace_check(family, pr["protocol"], pr["port"], want,
                                   [ctl] + configs, f"step {n}"):
                    return False
    return True


def run_case(path, families, mdir):
    """Runs CASE once; every probe is made over each of FAMILIES (IPv4,
    IPv6 or both: then the policies hold both families' ipBlocks)."""
    case = load_case(path)
    steps = subst_families(case["steps"], families)
    log(f"# It({case['it']!r}) [{case['upstream']}]")
    created = {}
    labelled_pods, labelled_ns = set(), set()
    last = None
    ok = True
    gen = 0
    try:
        for n, step in enumerate(steps, 1):
            if step.get("by"):
                log(f"# step {n}: {step['by']}")
            gen = apply_step(step, mdir, gen, created, labelled_pods,
                             labelled_ns)
            for pr in step["probes"]:
                want = expected_table(pr["default"], pr.get("expect", []))
                last = (pr["protocol"], pr["port"])
                for family in families:
                    if not wait_matrix(family, pr["protocol"], pr["port"],
                                       want, f"step {n}"):
                        return False
    finally:
        # Emptied rather than removed: the manifests source deletes the
        # objects of an emptied file at once, those of a removed one a
        # second later (a removal is a case's own step where it matters).
        for ns, name in created:
            empty(mdir, policy_file(ns, name))
        for pod in labelled_pods:
            put(mdir, pod_file(pod), pod_object(pod))
        for ns in labelled_ns:
            put(mdir, ns_file(ns), namespace_object(ns))
    if last:
        ok = all(wait_matrix(family, last[0], last[1], Table(True),
                             "cleanup (objects removed, labels restored)")
                 for family in families)
    return ok


def case_server(mdir):
    """Runs the cases asked on stdin, one line "FILE FAMILIES LOG" each: the
    case's output to LOG, then "done RC" on stdout (0 as expected, 1 not,
    2 the case could not run). One process for every case: in the TCG VM
    a Python start (its imports over 9p) costs seconds."""
    real = sys.stdout
    for line in sys.stdin:
        parts = line.split()
        if len(parts) != 3:
            print(f"done 2 (bad request {line.strip()!r})", file=real, flush=True)
            continue
        path, fams, logf = parts
        rc = 2
        with open(logf, "w") as out:
            sys.stdout = out
            try:
                rc = 0 if run_case(path, tuple(int(f) for f in fams.split(",")),
                                   mdir) else 1
            except Exception as e:  # reported, and the next case still runs
                log(f"# runner: {type(e).__name__}: {e}")
            finally:
                sys.stdout = real
        print(f"done {rc}", file=real, flush=True)
    return 0


def trace_check_all(ctl, files):
    import tempfile
    fails = 0
    for f in files or case_files():
        name = os.path.basename(f)[:-len(".json")]
        with tempfile.TemporaryDirectory(prefix="np-trace.") as tmp:
            out = open(os.path.join(tmp, "log"), "w")
            real, sys.stdout = sys.stdout, out
            try:
                ok = trace_case(f, ctl, tmp)
            except Exception as e:  # reported as this case's failure
                log(f"# {type(e).__name__}: {e}")
                ok = False
            finally:
                sys.stdout = real
                out.close()
            if ok:
                print(f"OK netpol-trace.{name}")
            else:
                fails += 1
                with open(os.path.join(tmp, "log")) as lf:
                    sys.stdout.write(lf.read())
                print(f"FAIL netpol-trace.{name}: policy trace differs from "
                      "the expected tables (above)")
    return 1 if fails else 0


def case_files():
    return sorted(os.path.join(CASES_DIR, f) for f in os.listdir(CASES_DIR)
                  if f.endswith(".json"))


# --- a reference evaluator (netpol.md section 2), for the self-test --------------
#
# Used only to cross-check the transcribed expectations of every case: the
# API's semantics evaluated naively per ordered pair. The VM judges the real
# enforcer; this judges the case files.

def sel_matches(sel, labels):
    for k, v in (sel.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in sel.get("matchExpressions") or []:
        k, op, vals = e["key"], e["operator"], e.get("values") or []
        if op == "In" and labels.get(k) not in vals:
            return False
        if op == "NotIn" and k in labels and labels[k] in vals:
            return False
        if op == "Exists" and k not in labels:
            return False
        if op == "DoesNotExist" and k in labels:
            return False
        if op not in ("In", "NotIn", "Exists", "DoesNotExist"):
            raise ValueError(f"operator {op}")
    return True


def policy_types(spec):
    if spec.get("policyTypes"):
        return spec["policyTypes"]
    return ["Ingress"] + (["Egress"] if spec.get("egress") else [])


def peer_matches_pod(peer, pol_ns, pod, family, st):
    ns = pod.split("/")[0]
    if "ipBlock" in peer:
        ip = ipaddress.ip_address(pod_ip(pod, family))
        b = peer["ipBlock"]
        net = ipaddress.ip_network(b["cidr"], strict=False)
        if ip.version != net.version or ip not in net:
            return False
        return not any(ip in ipaddress.ip_network(e, strict=False)
                       for e in b.get("except") or [])
    nss, ps = peer.get("namespaceSelector"), peer.get("podSelector")
    if nss is None and ns != pol_ns:
        return False
    if nss is not None and not sel_matches(nss, st["ns"][ns]):
        return False
    return ps is None or sel_matches(ps, st["pods"][pod])


def port_matches(ports, dst, proto, port):
    if not ports:
        return True
    for p in ports:
        if p.get("protocol", "TCP") != proto:
            continue
        want = p.get("port")
        if want is None:
            return True
        if isinstance(want, str):
            # named: resolved on the destination pod, protocol bound
            if want == f"serve-{port}-{proto.lower()}":
                return True
            continue
        if want <= port <= p.get("endPort", want):
            return True
    return False


def direction_allows(kind, pod, peer_pod, proto, port, family, st, dst):
    ns = pod.split("/")[0]
    isolated = False
    for pol in st["policies"].values():
        md, spec = pol["metadata"], pol["spec"]
        if md["namespace"] != ns or not sel_matches(spec["podSelector"], st["pods"][pod]):
            continue
        if kind not in policy_types(spec):
            continue
        isolated = True
        key, pk = ("ingress", "from") if kind == "Ingress" else ("egress", "to")
        for rule in spec.get(key) or []:
            peers = rule.get(pk) or []
            if peers and not any(peer_matches_pod(pe, ns, peer_pod, family, st)
                                 for pe in peers):
                continue
            if port_matches(rule.get("ports"), dst, proto, port):
                return True
    return not isolated


def reference_table(st, proto, port, family):
    t = Table()
    for f in PODS:
        for to in PODS:
            if f != to:
                t.set(f, to, direction_allows("Egress", f, to, proto, port, family, st, to)
                      and direction_allows("Ingress", to, f, proto, port, family, st, to))
    return t


def reference_check(case, family, families=None):
    """Every probe of CASE over FAMILY: the transcribed expectation equals
    the reference, the policies written for FAMILIES (default: FAMILY)."""
    st = {"policies": {}, "pods": {p: {"pod": p.split("/")[1]} for p in PODS},
          "ns": {n: {"ns": n, NS_KEY: n} for n in NAMESPACES}}
    steps = subst_families(case["steps"], families or (family,))
    for n, step in enumerate(steps, 1):
        for verb in ("create", "update"):
            for pol in step.get(verb, []):
                md = pol["metadata"]
                st["policies"][(md["namespace"], md["name"])] = pol
        for ref in step.get("delete", []):
            del st["policies"][tuple(ref.split("/"))]
        for pod, labels in step.get("podLabels", {}).items():
            st["pods"][pod] = dict(labels)
        for ns, labels in step.get("nsLabels", {}).items():
            st["ns"][ns] = dict(namespace_object(ns, labels)["metadata"]["labels"])
        for pr in step["probes"]:
            want = expected_table(pr["default"], pr.get("expect", []))
            ref = reference_table(st, pr["protocol"], pr["port"], family)
            _, wrong = compare(want, ref)
            if wrong:
                raise AssertionError(
                    f"step {n} {pr['protocol']}/{pr['port']} IPv{family}: "
                    f"expectation and reference differ on {wrong}")


# --- self-test ----------------------------------------------------------------

def selftest():
    res = {"pass": 0, "fail": 0}

    def t(name, fn):
        try:
            fn()
            print(f"OK netpol-run.{name}")
            res["pass"] += 1
        except Exception as e:  # noqa: BLE001 - a test's failure, any kind
            print(f"FAIL netpol-run.{name}: {type(e).__name__}: {e}")
            res["fail"] += 1

    def eq(want, got, what="value"):
        if want != got:
            raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

    def raises(fn, what):
        try:
            fn()
        except ValueError:
            return
        raise AssertionError(f"{what}: no ValueError")

    def falses(tab):
        return sorted((f, to) for f in PODS for to in PODS
                      if f != to and not tab.v[f][to])

    def trues(tab):
        return sorted((f, to) for f in PODS for to in PODS
                      if f != to and tab.v[f][to])

    def default_all():
        eq([], falses(expected_table(True, [])), "all true")
        eq(72, len(falses(expected_table(False, []))), "all false")

    def peer_ns_to_ns():
        tab = expected_table(True, [["ExpectPeer", "", "x", False]])
        eq(sorted((f, to) for f in PODS for to in ("x/a", "x/b", "x/c")
                  if f != to), falses(tab))

    def peer_pod():
        tab = expected_table(True, [["ExpectPeer", "z", "x/a", False]])
        eq([("z/a", "x/a"), ("z/b", "x/a"), ("z/c", "x/a")], falses(tab))

    def order_matters():
        # upstream "denying of egress traffic on the client side"
        tab = expected_table(True, [
            ["ExpectPeer", "x/a", "", False],
            ["ExpectPeer", "", "y/a", False],
            ["ExpectPeer", "x/a", "y/a", True],
            ["ExpectPeer", "", "y/b", False]])
        eq(True, tab.v["x/a"]["y/a"], "x/a -> y/a")
        eq(False, tab.v["y/c"]["y/a"], "y/c -> y/a")
        eq(False, tab.v["x/a"]["y/b"], "x/a -> y/b")
        eq(True, tab.v["x/b"]["z/c"], "x/b -> z/c")
        eq(False, tab.v["x/a"]["x/b"], "x/a -> x/b")
        eq(21, len(falses(tab)), "denied pairs")

    def all_ingress_egress():
        tab = expected_table(True, [["ExpectAllIngress", "x/a", False],
                                    ["Expect", "x/b", "x/a", True]])
        eq(7, len(falses(tab)))
        tab = expected_table(False, [["ExpectAllEgress", "y/c", True]])
        eq([("y/c", p) for p in PODS if p != "y/c"], trues(tab))

    def bad_ops():
        raises(lambda: expected_table(True, [["ExpectPeer", "w", "", False]]), "ns w")
        raises(lambda: expected_table(True, [["Expect", "x/a", False]]), "arity")
        raises(lambda: expected_table(True, [["Expect", "x/a", "x/d", True]]), "pod d")
        raises(lambda: expected_table(True, [["ExpectAll", "x/a", True]]), "op")
        raises(lambda: expected_table("yes", []), "default")
        raises(lambda: expected_table(True, [["ExpectAllIngress", "x/a", 0]]), "bool")

    def compare_ignores_loopback():
        want = expected_table(True, [["ExpectAllIngress", "x/a", False]])
        obs = Table(True)
        for f in PODS:
            if f != "x/a":
                obs.set(f, "x/a", False)
        _, wrong = compare(want, obs)
        eq([], wrong, "loopback differs only")
        obs.set("y/b", "x/a", True)
        _, wrong = compare(want, obs)
        eq([("y/b", "x/a")], wrong)

    def pretty_upstream_format():
        tab = expected_table(True, [["Expect", "x/b", "x/a", False]])
        lines = tab.pretty().split("\n")
        eq("-\tx/a\tx/b\tx/c\ty/a\ty/b\ty/c\tz/a\tz/b\tz/c", lines[0], "header")
        eq("x/b\tX\t.\t.\t.\t.\t.\t.\t.\t.", lines[2], "row x/b")
        eq(10, len(lines))
        eq("?", Table().pretty().split("\n")[1].split("\t")[1], "unknown")

    def placeholders():
        eq("10.42.1.12/32", subst("{ip:x/b}/{host}", 4))
        eq("2001:db8:42:1::12/128", subst("{ip:x/b}/{host}", 6))
        eq("0.0.0.0/4", subst("{large:x/b}", 4))
        eq("2000::/4", subst("{large:x/b}", 6))
        eq("2001:db8:42::/56", subst("{cluster}", 6))
        eq({"a": ["10.42.0.11"]}, subst({"a": ["{ip:x/a}"]}, 4))
        raises(lambda: subst("{ip:x/q}", 4), "pod q")
        raises(lambda: subst("{nope}", 4), "unknown")

    def topology():
        eq(9, len({pod_ip(p, 4) for p in PODS}), "distinct v4")
        eq({1, 2}, {pod_node(p) for p in PODS}, "both nodes")
        for ns in NAMESPACES:
            eq({1, 2}, {pod_node(f"{ns}/{p}") for p in PODNAMES}, f"{ns} on both")
        for p in PODS:
            n = pod_node(p)
            if ipaddress.ip_address(pod_ip(p, 6)) not in ipaddress.ip_network(
                    f"2001:db8:42:{n - 1:x}::/64"):
                raise AssertionError(f"{p} v6 outside n{n}'s CIDR")
        po = pod_object("y/c")
        eq(6, len(po["spec"]["containers"]), "containers")
        eq("serve-81-sctp", po["spec"]["containers"][5]["ports"][0]["name"])
        eq({"ns": "z", NS_KEY: "z", "k": "v"},
           namespace_object("z", {"k": "v"})["metadata"]["labels"])

    def validation():
        pol = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
               "metadata": {"name": "p", "namespace": "x"},
               "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}}
        probe = {"protocol": "TCP", "port": 80, "default": True}
        good = {"it": "i", "upstream": "u", "steps": [
            {"create": [pol], "probes": [probe]},
            {"delete": ["x/p"], "probes": [probe]}]}
        validate_case(good)
        bad = json.loads(json.dumps(good))
        bad["steps"][1]["delete"] = ["x/q"]
        raises(lambda: validate_case(bad), "delete unknown")
        bad = json.loads(json.dumps(good))
        bad["steps"][0]["probes"][0]["port"] = 82
        raises(lambda: validate_case(bad), "port 82")
        bad = json.loads(json.dumps(good))
        bad["steps"][0]["creat"] = []
        raises(lambda: validate_case(bad), "unknown key")
        bad = json.loads(json.dumps(good))
        bad["steps"][0]["create"][0]["metadata"]["namespace"] = "w"
        raises(lambda: validate_case(bad), "namespace w")

    def every_case_file():
        names = set()
        files = case_files()
        if len(files) < 50:
            raise AssertionError(f"only {len(files)} case files")
        for f in files:
            c = load_case(f)
            key = (c.get("context"), c["it"])
            if key in names:
                raise AssertionError(f"{f}: duplicate It {key}")
            names.add(key)

    def reference_sanity():
        st = {"policies": {}, "pods": {p: {"pod": p.split("/")[1]} for p in PODS},
              "ns": {n: {"ns": n, NS_KEY: n} for n in NAMESPACES}}
        eq([], falses(reference_table(st, "TCP", 80, 4)), "no policy")
        st["policies"][("y", "p")] = {
            "metadata": {"namespace": "y", "name": "p"},
            "spec": {"podSelector": {"matchLabels": {"pod": "b"}},
                     "ingress": [{"ports": [{"port": 80, "endPort": 81}]}]}}
        eq(0, len(falses(reference_table(st, "TCP", 81, 4))), "range")
        eq(8, len(falses(reference_table(st, "UDP", 81, 4))), "TCP only")
        if not sel_matches({"matchExpressions": [{"key": "k", "operator": "NotIn",
                                                  "values": ["v"]}]}, {}):
            raise AssertionError("NotIn must match a missing key")

    def dual_family():
        blk = {"ipBlock": {"cidr": "{large:x/b}", "except": ["{ip:x/b}/{host}"]}}
        got = subst_families({"to": [blk, {"podSelector": {}}]}, (4, 6))
        eq([{"ipBlock": {"cidr": "0.0.0.0/4", "except": ["10.42.1.12/32"]}},
            {"ipBlock": {"cidr": "2000::/4",
                         "except": ["2001:db8:42:1::12/128"]}},
            {"podSelector": {}}], got["to"], "one peer per family")
        eq(subst(blk, 6), subst_families(blk, (6,)), "one family")
        raises(lambda: subst_families({"a": "{ip:x/a}"}, (4, 6)),
               "placeholder outside an ipBlock")
        # each core case's dual-family policies give each family its own
        # expectations
        n = 0
        for f in case_files():
            c = load_case(f)
            if c.get("core"):
                for fam in (4, 6):
                    reference_check(c, fam, (4, 6))
                n += 1
        if n < 10:
            raise AssertionError(f"only {n} core cases")

    def reference_agrees():
        n = 0
        for f in case_files():
            c = load_case(f)
            for fam in (4, 6):
                try:
                    reference_check(c, fam)
                except AssertionError as e:
                    raise AssertionError(f"{os.path.basename(f)}: {e}") from None
                n += 1
        eq(2 * len(case_files()), n, "cases checked")

    for name, fn in (("default-all", default_all), ("peer-ns-to-ns", peer_ns_to_ns),
                     ("peer-pod", peer_pod), ("order-matters", order_matters),
                     ("all-ingress-egress", all_ingress_egress),
                     ("bad-ops", bad_ops),
                     ("compare-ignores-loopback", compare_ignores_loopback),
                     ("pretty-upstream-format", pretty_upstream_format),
                     ("placeholders", placeholders), ("topology", topology),
                     ("validation", validation),
                     ("every-case-file", every_case_file),
                     ("reference-sanity", reference_sanity),
                     ("dual-family", dual_family),
                     ("reference-agrees-with-every-case", reference_agrees)):
        t(name, fn)
    print(f"{res['pass']} passed, {res['fail']} failed")
    return res["fail"] == 0


# --- main ---------------------------------------------------------------------

def main(argv):
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = argv[0], argv[1:]
    if cmd == "topo":
        for p in PODS:
            ns, name = p.split("/")
            print(ns, name, pod_netns(p), f"n{pod_node(p)}", pod_ip(p, 4), pod_ip(p, 6))
        return 0
    if cmd == "objects":
        for ns in NAMESPACES:
            put(args[0], ns_file(ns), namespace_object(ns))
        for p in PODS:
            put(args[0], pod_file(p), pod_object(p))
        return 0
    if cmd == "serve":
        serve(args[0], args[1] if len(args) > 1 else None)
        return 0
    if cmd == "probe":
        obs, why = probe_matrix(int(args[0]), args[1], int(args[2]))
        print(obs.pretty())
        for (f, t), w in sorted(why.items()):
            if w:
                print(f"# {f} -> {t}: {w}")
        return 0
    if cmd == "expect":
        want = expected_table(json.loads(args[3]),
                              json.loads(args[4]) if len(args) > 4 else [])
        return 0 if wait_matrix(int(args[0]), args[1], int(args[2]), want,
                                "expect") else 1
    if cmd == "baseline":
        ok = True
        for proto in PROTOCOLS:
            for port in PORTS:
                ok = wait_matrix(int(args[0]), proto, port, Table(True),
                                 "baseline") and ok
        return 0 if ok else 1
    if cmd == "case":
        fams = tuple(int(f) for f in args[1].split(","))
        if not fams or any(f not in (4, 6) for f in fams):
            print(f"netpol_run.py: families {args[1]!r}: 4, 6 or 4,6",
                  file=sys.stderr)
            return 2
        return 0 if run_case(args[0], fams, args[2]) else 1
    if cmd == "case-server":
        return case_server(args[0])
    if cmd == "trace-check":
        return trace_check_all(args[0], args[1:])
    if cmd == "check":
        for f in args or case_files():
            load_case(f)
        return 0
    if cmd == "selftest":
        return 0 if selftest() else 1
    print(f"netpol_run.py: unknown command {cmd}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
