#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The NetworkPolicy benchmark's policies (tests/bench/netpol_bench.sh), in
the two forms the benchmark compares, from one model:

  netpol_gen.py manifests DIR N C VARIANT
      Kubernetes objects as nodeplaned reads them in manifests mode:
      DIR/00-base.json (Node n1, Namespaces, Pods), DIR/10-netpol.json
      (a List of every policy but the updated one), DIR/20-upd.json (the
      updated policy, as VARIANT A or B).
  netpol_gen.py kuberouter PREFIX N C VARIANT VERSION
      The same policies as kube-router lays them out (spec/netpol.md §3):
      PREFIX.ipset (`ipset restore`: every set, created and filled),
      PREFIX.ipt (`iptables-restore`: the whole filter table, chains
      named with sync version VERSION), PREFIX.swap (`ipset restore`:
      only the sets VARIANT changes against the other variant, refreshed
      as kube-router does: a TMP set filled, swapped in, destroyed),
      PREFIX.sets (the names of every set, for `ipset destroy`).
  netpol_gen.py mem PREFIX FAMILY C
      C disjoint ipBlock-like CIDRs of FAMILY (4 or 6), ten to a class:
      PREFIX.spec (pol_nl.py SPEC, one transaction), PREFIX.one (its first
      prefix alone), PREFIX.np (one `policy set` line, one transaction,
      for `nodeplanectl -b`),
      PREFIX.ipset (one hash:net set holding them), PREFIX.del (the line
      removing them again).

The model (N policies, C CIDRs; L local pods, R remote pods in G label
groups: NP_BENCH_NP_LOCAL / _REMOTE / _GROUPS, default 10 / 1000 / 100):

  Namespace bench: local pods on node n1 (cni0 10.42.0.0/24): client
    10.42.0.4 (app=client), web-0 10.42.0.5 (the server, app=web-0), web-j
    10.42.0.(10+j) (app=web-j) for j = 1 .. L-1.
  Namespace peers: R pods on node n2, 10.42.(1 + i/250).(2 + i%250),
    grp=g(i % G).
  Policy np-K (K = 0 .. N-1), namespace bench, type Ingress, selects
    app=web-(K % L):
      rule 0: from ipBlocks: CIDRs K*C/N .. (K+1)*C/N - 1 (CIDR i is
        /(24 + i % 5) at 11.0.0.0 + 256 i: disjoint; every tenth /24
        excepts its upper /26), TCP port 1000 + K % 1000;
      rule 1: from pods grp=g(K % G) of namespace peers, TCP 2000 + K % 1000;
      the last policy selecting web-0 (K_srv) also: rule 2 from pods
      app=client, TCP 8080 and 5201 (what the benchmark connects to).
  The updated policy K_upd (N/2, made to differ from K_srv): VARIANT B
  moves its first CIDR to 13.0.0.0 + 256 i and its rule 0 port to
  3000 + K % 1000.

So the server is isolated by N/L policies; the allowing rule is in the
last of them. Python 3 standard library only.
"""
import base64
import hashlib
import ipaddress
import json
import os
import sys

L = int(os.environ.get("NP_BENCH_NP_LOCAL", "10"))
R = int(os.environ.get("NP_BENCH_NP_REMOTE", "1000"))
G = int(os.environ.get("NP_BENCH_NP_GROUPS", "100"))
NS_KEY = "kubernetes.io/metadata.name"
CLIENT = "10.42.0.4"
SERVICE_CIDR = "10.43.0.0/16"


def local_pods():
    """(name, ip, labels) of n1's pods; web-0 is the server."""
    pods = [("client", CLIENT, {"app": "client"})]
    for j in range(L):
        pods.append((f"web-{j}", f"10.42.0.{5 if j == 0 else 10 + j}",
                     {"app": f"web-{j}"}))
    return pods


def remote_ip(i):
    return f"10.42.{1 + i // 250}.{2 + i % 250}"


def cidr(i, base=11):
    net = ipaddress.IPv4Address(f"{base}.0.0.0") + 256 * i
    return f"{net}/{24 + i % 5}"


def excepts(i):
    """The except of CIDR i: every tenth /24 excepts its upper /26."""
    if i % 5 == 0 and i % 10 == 0:
        net = ipaddress.IPv4Address("11.0.0.0") + 256 * i + 192
        return [f"{net}/26"]
    return []


class Policy:
    def __init__(self, k, n, c, variant):
        self.k = k
        self.name = f"np-{k:05d}"
        self.target = f"web-{k % L}"
        lo, hi = k * c // n, (k + 1) * c // n
        self.blocks = [(cidr(i), excepts(i)) for i in range(lo, hi)]
        self.port0 = 1000 + k % 1000
        if variant == "B" and k == upd_index(n):
            if self.blocks:
                self.blocks[0] = (cidr(lo, 13), [])
            self.port0 = 3000 + k % 1000
        self.group = f"g{k % G}"
        self.port1 = 2000 + k % 1000
        self.client = k == srv_index(n)


def srv_index(n):
    """The last policy selecting web-0: it allows the client."""
    return (n - 1) // L * L


def upd_index(n):
    k = n // 2
    return k + 1 if k == srv_index(n) and n > 1 else k


def policies(n, c, variant):
    return [Policy(k, n, c, variant) for k in range(n)]


# --- manifests ----------------------------------------------------------------

def meta(name, ns=None, uid=None):
    m = {"name": name, "uid": uid or f"uid-{ns or ''}-{name}",
         "creationTimestamp": "2024-01-01T00:00:00Z"}
    if ns:
        m["namespace"] = ns
    return m


def pod_obj(name, ns, ip, node, labels):
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": dict(meta(name, ns), labels=labels),
            "spec": {"nodeName": node, "containers": [
                {"name": "c", "image": "bench",
                 "ports": [{"containerPort": 8080, "protocol": "TCP"}]}]},
            "status": {"phase": "Running", "podIP": ip,
                       "podIPs": [{"ip": ip}]}}


def policy_obj(p):
    rules = []
    if p.blocks:
        peers = []
        for cid, exc in p.blocks:
            b = {"cidr": cid}
            if exc:
                b["except"] = exc
            peers.append({"ipBlock": b})
        rules.append({"from": peers,
                      "ports": [{"protocol": "TCP", "port": p.port0}]})
    rules.append({"from": [{"namespaceSelector": {"matchLabels": {NS_KEY: "peers"}},
                            "podSelector": {"matchLabels": {"grp": p.group}}}],
                  "ports": [{"protocol": "TCP", "port": p.port1}]})
    if p.client:
        rules.append({"from": [{"podSelector": {"matchLabels": {"app": "client"}}}],
                      "ports": [{"protocol": "TCP", "port": 8080},
                                {"protocol": "TCP", "port": 5201}]})
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": meta(p.name, "bench"),
            "spec": {"podSelector": {"matchLabels": {"app": p.target}},
                     "policyTypes": ["Ingress"], "ingress": rules}}


def write_json(path, obj):
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
    with open(tmp, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")
    os.rename(tmp, path)


def cmd_manifests(d, n, c, variant):
    os.makedirs(d, exist_ok=True)
    items = [{"apiVersion": "v1", "kind": "Node",
              "metadata": meta("n1"),
              "spec": {"podCIDRs": ["10.42.0.0/24"]},
              "status": {"conditions": [{"type": "Ready", "status": "True"}],
                         "addresses": [{"type": "InternalIP",
                                        "address": "192.0.2.254"}]}}]
    for ns in ("bench", "peers"):
        items.append({"apiVersion": "v1", "kind": "Namespace",
                      "metadata": dict(meta(ns), labels={NS_KEY: ns}),
                      "status": {"phase": "Active"}})
    for name, ip, labels in local_pods():
        items.append(pod_obj(name, "bench", ip, "n1", labels))
    for i in range(R):
        items.append(pod_obj(f"p-{i:05d}", "peers", remote_ip(i), "n2",
                             {"grp": f"g{i % G}"}))
    lst = {"apiVersion": "v1", "kind": "List", "items": items}
    write_json(os.path.join(d, "00-base.json"), lst)
    ps = policies(n, c, variant)
    u = upd_index(n)
    write_json(os.path.join(d, "10-netpol.json"),
               {"apiVersion": "v1", "kind": "List",
                "items": [policy_obj(p) for p in ps if p.k != u]})
    write_json(os.path.join(d, "20-upd.json"), policy_obj(ps[u]))


# --- kube-router's iptables and ipsets -----------------------------------------

def h16(*parts):
    """kube-router's names: 16 base32 characters of a sha256."""
    s = hashlib.sha256("".join(parts).encode()).digest()
    return base64.b32encode(s).decode()[:16]


def sets_of(p):
    """[(set name, type, entries, ports)] of one policy: kube-router's
    target set (ports None), then one peer set per ingress rule with the
    rule's ports."""
    tgt = dict((name, ip) for name, ip, _ in local_pods())[p.target]
    s = [("KUBE-DST-" + h16("bench", p.name, "ingress"), "hash:ip", [tgt], None)]
    if p.blocks:
        ent = []
        for cid, exc in p.blocks:
            ent.append(cid)
            ent += [e + " nomatch" for e in exc]
        s.append(("KUBE-SRC-" + h16("bench", p.name, "ingressrule", "0", "ipblock"),
                  "hash:net", ent, [p.port0]))
    s.append(("KUBE-SRC-" + h16("bench", p.name, "ingressrule", "1", "pod"), "hash:ip",
              [remote_ip(i) for i in range(R) if f"g{i % G}" == p.group], [p.port1]))
    if p.client:
        s.append(("KUBE-SRC-" + h16("bench", p.name, "ingressrule", "2", "pod"), "hash:ip",
                  [CLIENT], [8080, 5201]))
    return s


def set_lines(name, typ, ent, out):
    out.append(f"create {name} {typ} family inet hashsize 1024 maxelem 65536 timeout 0")
    for e in ent:
        if e.endswith(" nomatch"):
            out.append(f"add {name} {e[:-8]} timeout 0 nomatch")
        else:
            out.append(f"add {name} {e} timeout 0")


def policy_chain(p, ver, rules):
    """KUBE-NWPLCY-<hash>: per rule and port a MARK and a RETURN on the
    mark, then the K3s fork's NFLOG for unmarked packets."""
    ch = "KUBE-NWPLCY-" + h16("bench", p.name, ver, "ipv4")
    ss = sets_of(p)
    dst = ss[0][0]
    cm = ('-m comment --comment "rule to ACCEPT traffic from source pods to dest pods '
          f'selected by policy name {p.name} namespace bench"')
    for sname, _, _, ports in ss[1:]:
        for port in ports:
            m = f"{cm} -m set --match-set {sname} src -m set --match-set {dst} dst -p tcp -m tcp --dport {port}"
            rules.append(f"-A {ch} {m} -j MARK --set-xmark 0x10000/0x10000")
            rules.append(f"-A {ch} {m} -m mark --mark 0x10000/0x10000 -j RETURN")
    rules.append(f'-A {ch} -m comment --comment "rule to log dropped traffic POD name:{p.name} namespace: bench" '
                 f'-m mark ! --mark 0x10000/0x10000 -m limit --limit 10/min --limit-burst 10 '
                 f'-j NFLOG --nflog-prefix "DROP by policy bench/{p.name}" --nflog-group 100')
    return ch


def cmd_kuberouter(prefix, n, c, variant, ver):
    ps = policies(n, c, variant)
    other = policies(n, c, "A" if variant == "B" else "B")
    sets, swap, names = [], [], []
    for p, q in zip(ps, other):
        theirs = {x[0]: x for x in sets_of(q)}
        for x in sets_of(p):
            name, typ, ent, _ = x
            set_lines(name, typ, ent, sets)
            names.append(name)
            if theirs.get(name) != x:
                tmp = "TMP-" + h16(name, ver)
                set_lines(tmp, typ, ent, swap)
                swap.append(f"swap {tmp} {name}")
                swap.append(f"destroy {tmp}")
    with open(prefix + ".ipset", "w") as f:
        f.write("\n".join(sets) + "\n")
    with open(prefix + ".swap", "w") as f:
        f.write("\n".join(swap) + "\n")
    with open(prefix + ".sets", "w") as f:
        f.write("\n".join(names) + "\n")

    chains, rules = [], []
    top = {b: "KUBE-ROUTER-" + b for b in ("INPUT", "FORWARD", "OUTPUT")}
    chains += list(top.values()) + ["KUBE-NWPLCY-DEFAULT", "KUBE-NWPLCY-COMMON"]
    for b, ch in top.items():
        rules.append(f'-A {b} -m comment --comment "kube-router netpol - {h16(b, "bench")}" -j {ch}')
    for b in top:
        # the K3s fork: the final ACCEPT after the last KUBE rule
        rules.append(f'-A {b} -m comment --comment "KUBE-ROUTER rule to explicitly ACCEPT traffic that comply to network policies" '
                     f'-m mark --mark 0x20000/0x20000 -j ACCEPT')
    rules.append('-A KUBE-NWPLCY-DEFAULT -m comment --comment "rule to mark traffic matching a network policy" '
                 '-j MARK --set-xmark 0x10000/0x10000')
    cm = '-m comment --comment "rule for stateful firewall"'
    rules.append(f"-A KUBE-NWPLCY-COMMON {cm} -m conntrack --ctstate INVALID -j DROP")
    rules.append(f"-A KUBE-NWPLCY-COMMON {cm} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT")
    for t in ("echo-request", "destination-unreachable", "time-exceeded"):
        rules.append(f'-A KUBE-NWPLCY-COMMON -p icmp -m comment --comment "allow icmp {t} messages" -m icmp --icmp-type {t} -j ACCEPT')
    rules.append(f'-A KUBE-ROUTER-INPUT -d {SERVICE_CIDR} -m comment --comment "allow traffic to primary/secondary cluster IP range" -j RETURN')
    for proto in ("tcp", "udp", "sctp"):
        rules.append(f'-A KUBE-ROUTER-INPUT -p {proto} -m comment --comment "allow LOCAL {proto.upper()} traffic to node ports" '
                     f'-m addrtype --dst-type LOCAL -m multiport --dports 30000:32767 -j RETURN')
    pchain = {}
    for p in ps:
        pchain[p.k] = policy_chain(p, ver, rules)
    selecting = {}
    for p in ps:
        selecting.setdefault(p.target, []).append(pchain[p.k])
    for name, ip, _ in local_pods():
        fw = "KUBE-POD-FW-" + h16("bench", name, ver)
        chains.append(fw)
        c1 = f'-m comment --comment "rule to jump traffic destined to POD name:{name} namespace: bench to chain {fw}"'
        c2 = f'-m comment --comment "rule to jump traffic from POD name:{name} namespace: bench to chain {fw}"'
        rules.append(f"-A KUBE-ROUTER-FORWARD {c1} -d {ip}/32 -j {fw}")
        rules.append(f"-A KUBE-ROUTER-OUTPUT {c1} -d {ip}/32 -j {fw}")
        rules.append(f"-A KUBE-ROUTER-FORWARD -m physdev --physdev-is-bridged {c1} -d {ip}/32 -j {fw}")
        for b in ("INPUT", "FORWARD", "OUTPUT"):
            rules.append(f"-A KUBE-ROUTER-{b} {c2} -s {ip}/32 -j {fw}")
        rules.append(f"-A KUBE-ROUTER-FORWARD -m physdev --physdev-is-bridged {c2} -s {ip}/32 -j {fw}")
        # the pod chain, top to bottom (kube-router writes it with -I 1)
        rules.append(f'-A {fw} -m comment --comment "rule for stateful firewall for pod" -j KUBE-NWPLCY-COMMON')
        rules.append(f'-A {fw} -d {ip}/32 -m comment --comment "rule to permit the traffic traffic to pods when source is the pod\'s local node" '
                     f'-m addrtype --src-type LOCAL -j ACCEPT')
        rules.append(f'-A {fw} -s {ip}/32 -m comment --comment "run through default egress network policy  chain" -j KUBE-NWPLCY-DEFAULT')
        pols = selecting.get(name, [])
        if not pols:
            rules.append(f'-A {fw} -d {ip}/32 -m comment --comment "run through default ingress network policy  chain" -j KUBE-NWPLCY-DEFAULT')
        for ch in pols:
            rules.append(f'-A {fw} -d {ip}/32 -m comment --comment "run through nw policy" -j {ch}')
        rules.append(f'-A {fw} -m comment --comment "rule to log dropped traffic POD name:{name} namespace: bench" '
                     f'-m mark ! --mark 0x10000/0x10000 -m limit --limit 10/min --limit-burst 10 -j NFLOG --nflog-group 100')
        rules.append(f'-A {fw} -m comment --comment "rule to REJECT traffic destined for POD name:{name} namespace: bench" '
                     f'-m mark ! --mark 0x10000/0x10000 -j REJECT --reject-with icmp-port-unreachable')
        rules.append(f"-A {fw} -j MARK --set-xmark 0x0/0x10000")
        rules.append(f'-A {fw} -m comment --comment "set mark to ACCEPT traffic that comply to network policies" '
                     f'-j MARK --set-xmark 0x20000/0x20000')
    chains += [pchain[p.k] for p in ps]
    with open(prefix + ".ipt", "w") as f:
        f.write("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n")
        for ch in chains:
            f.write(f":{ch} - [0:0]\n")
        f.write("\n".join(rules) + "\nCOMMIT\n")


# --- memory: C CIDRs ---------------------------------------------------------------

def mem_cidrs(fam, c):
    """Disjoint, never adjacent CIDRs: IPv4 /20../28, one per 8,192
    addresses from 16.0.0.0; IPv6 /48../64, one per 2^81 from 2001:db8::."""
    out = []
    for i in range(c):
        if fam == 4:
            a = ipaddress.IPv4Address("16.0.0.0") + (i * 2 * 4096)
            out.append(f"{a}/{20 + i % 9}")
        else:
            a = ipaddress.IPv6Address("2001:db8::") + (i << 81)
            out.append(f"{a}/{48 + i % 17}")
    return out


def cmd_mem(prefix, fam, c):
    cs = mem_cidrs(fam, c)
    words, dels = ["policy", "set"], ["policy", "set"]
    for lo in range(0, c, 1000):
        chunk = cs[lo:lo + 1000]
        # one class per ten CIDRs, as ten-CIDR ipBlock peers of one rule
        words += ["class", ",".join(f"{x}={(lo + j) // 10 + 1}" for j, x in enumerate(chunk))]
        dels += ["class", ",".join(f"{x}=0" for x in chunk)]
    with open(prefix + ".np", "w") as f:
        f.write(" ".join(words) + "\n")
    with open(prefix + ".del", "w") as f:
        f.write(" ".join(dels) + "\n")
    sp = Spec()
    for j, x in enumerate(cs):
        sp.item(f"class {x} {j // 10 + 1}")
    sp.write(prefix + ".spec")
    with open(prefix + ".one", "w") as f:
        f.write(f"class {cs[0]} 1\n")
    fam_w = "inet" if fam == 4 else "inet6"
    with open(prefix + ".ipset", "w") as f:
        f.write(f"create KUBE-SRC-BENCHMEM{fam} hash:net family {fam_w} hashsize 1024 "
                f"maxelem {max(65536, 2 * c)} timeout 0\n")
        for x in cs:
            f.write(f"add KUBE-SRC-BENCHMEM{fam} {x} timeout 0\n")


# --- nodeplane's kernel form -------------------------------------------------------

CLS_NONE, CLS_CLIENT, CLS_GROUP0 = 1, 2, 3


def np_state(n, c, variant):
    """({cidr: class}, {addr: (name, isolated, [(class, port)])})."""
    classes = {CLIENT + "/32": CLS_CLIENT}
    # a pod no rule names is in no peer set: not in the map
    used = {int(p.group[1:]) for p in policies(n, c, variant)}
    for i in range(R):
        if i % G in used:
            classes[remote_ip(i) + "/32"] = CLS_GROUP0 + i % G
    nxt = CLS_GROUP0 + G
    rules = {name: [] for name, _, _ in local_pods()}
    isolated = set()
    for p in policies(n, c, variant):
        isolated.add(p.target)
        r = rules[p.target]
        for cid, exc in p.blocks:
            classes[cid] = nxt
            for e in exc:
                classes[e] = CLS_NONE
            r.append((nxt, p.port0))
            nxt += 1
        r.append((CLS_GROUP0 + int(p.group[1:]), p.port1))
        if p.client:
            r += [(CLS_CLIENT, 8080), (CLS_CLIENT, 5201)]
    eps = {}
    for name, ip, _ in local_pods():
        eps[ip] = (f"bench/{name}", name in isolated, rules[name])
    return classes, eps


class Spec:
    """pol_nl.py SPEC lines, a chunk break every 2,000 items."""
    def __init__(self):
        self.lines, self.items, self.ep = [], 0, None

    def item(self, line):
        if self.items >= 2000:
            self.lines.append("---")
            self.items = 0
            if line.startswith("rule "):
                # the open endpoint continues in the next message
                self.lines.append(f"append {self.ep}")
                self.items += 1
        self.lines.append(line)
        self.items += 1

    def endpoint(self, addr, ep):
        name, iso, rules = ep
        self.ep = addr
        self.item(f"ep {addr} {'in ' if iso else ''}name {name}")
        for j, (cl, port) in enumerate(rules):
            if j and j % 1000 == 0:
                self.item(f"append {addr}")
            self.item(f"rule in class {cl} tcp:{port}")

    def write(self, path):
        with open(path, "w") as f:
            f.write("\n".join(self.lines) + "\n")


def ctl_endpoint(addr, ep):
    name, iso, rules = ep
    w = ["endpoint", addr, "name", name, "isolated", "ingress" if iso else "none"]
    if rules:
        w += ["rule", ";".join(f"ingress:{cl}:tcp/{port}" for cl, port in rules)]
    return w


def cmd_np(prefix, n, c, variant):
    classes, eps = np_state(n, c, variant)
    sp = Spec()
    for k in sorted(classes):
        sp.item(f"class {k} {classes[k]}")
    for a in eps:
        sp.endpoint(a, eps[a])
    sp.write(prefix + ".spec")
    sp = Spec()
    for a in eps:
        sp.item(f"del {a}")
    for k in sorted(classes):
        sp.item(f"class {k} 0")
    sp.write(prefix + ".del")
    oc, oe = np_state(n, c, "A" if variant == "B" else "B")
    ch = {k: v for k, v in classes.items() if oc.get(k) != v}
    ch.update({k: 0 for k in oc if k not in classes})
    sp = Spec()
    words = class_words(sorted(ch.items()))
    for k in sorted(ch):
        sp.item(f"class {k} {ch[k]}")
    for a in eps:
        if oe.get(a) != eps[a]:
            sp.endpoint(a, eps[a])
            words += ctl_endpoint(a, eps[a])
    sp.write(prefix + ".diff")
    with open(prefix + ".ctl", "w") as f:
        f.write(" ".join(["policy", "set"] + words) + "\n")


def cmd_marker(path, n, c, variant):
    p = policies(n, c, variant)[upd_index(n)]
    ip = dict((name, a) for name, a, _ in local_pods())[p.target]
    with open(path, "w") as f:
        f.write(f"{p.blocks[0][0]} {p.port0} {ip}\n")


MAX_WORDS = 250


def read_show(path):
    """(classes {cidr: class}, endpoints {addr: [words after "endpoint"]})
    of `policy show` script output."""
    classes, eps = {}, {}
    with open(path) as f:
        for line in f:
            w = line.split()
            if w[:3] == ["policy", "set", "class"]:
                for e in w[3].split(","):
                    k, v = e.split("=")
                    classes[k] = v
            elif w[:3] == ["policy", "set", "endpoint"]:
                eps[w[3]] = w[3:]
    return classes, eps


def class_words(items):
    items = list(items)
    out = []
    for lo in range(0, len(items), 1000):
        out += ["class", ",".join(f"{k}={v}" for k, v in items[lo:lo + 1000])]
    return out


def pack(groups):
    """Lines of "policy set" + groups of words, at most MAX_WORDS words;
    a group is never split."""
    lines, cur = [], []
    for g in groups:
        if cur and 2 + len(cur) + len(g) > MAX_WORDS:
            lines.append(cur)
            cur = []
        cur += g
    if cur:
        lines.append(cur)
    return "".join(" ".join(["policy", "set"] + x) + "\n" for x in lines)


def cmd_pack(show, out_set, out_del):
    classes, eps = read_show(show)
    cw = class_words(sorted(classes.items()))
    cg = [cw[i:i + 2] for i in range(0, len(cw), 2)]
    with open(out_set, "w") as f:
        f.write(pack(cg))
        f.write(pack([["endpoint"] + w for w in eps.values()]))
    dw = class_words((k, 0) for k in sorted(classes))
    with open(out_del, "w") as f:
        f.write(pack([["endpoint", a, "delete"] for a in eps]))
        f.write(pack([dw[i:i + 2] for i in range(0, len(dw), 2)]))


def cmd_diff(show_a, show_b, out):
    ca, ea = read_show(show_a)
    cb, eb = read_show(show_b)
    ch = {k: v for k, v in cb.items() if ca.get(k) != v}
    ch.update({k: 0 for k in ca if k not in cb})
    words = class_words(sorted(ch.items()))
    for a, w in eb.items():
        if ea.get(a) != w:
            words += ["endpoint"] + w
    for a in ea:
        if a not in eb:
            words += ["endpoint", a, "delete"]
    if 2 + len(words) > 256:
        raise SystemExit("diff: %d words: more than one line" % len(words))
    with open(out, "w") as f:
        f.write(" ".join(["policy", "set"] + words) + "\n")


def main(argv):
    if len(argv) == 5 and argv[0] == "manifests":
        cmd_manifests(argv[1], int(argv[2]), int(argv[3]), argv[4])
    elif len(argv) == 6 and argv[0] == "kuberouter":
        cmd_kuberouter(argv[1], int(argv[2]), int(argv[3]), argv[4], argv[5])
    elif len(argv) == 4 and argv[0] == "mem":
        cmd_mem(argv[1], int(argv[2]), int(argv[3]))
    elif len(argv) == 5 and argv[0] == "np":
        cmd_np(argv[1], int(argv[2]), int(argv[3]), argv[4])
    elif len(argv) == 5 and argv[0] == "marker":
        cmd_marker(argv[1], int(argv[2]), int(argv[3]), argv[4])
    elif len(argv) == 4 and argv[0] == "pack":
        cmd_pack(argv[1], argv[2], argv[3])
    elif len(argv) == 4 and argv[0] == "diff":
        cmd_diff(argv[1], argv[2], argv[3])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
