#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""NP_CMD_POLICY_* spoken directly, for the kernel's own VM tests
(tests/user/integration/pol_kernel.sh): transactions from a compact text,
dumps, counters, drop events, and TCP probes that tell refused from hung.

  pol_nl.py set [hold FILE|keepgoing] < SPEC   one transaction: SPEC's
                               chunks, all but the last with
                               NP_POL_STAGE_F_MORE (hold: the last too;
                               prints "held", waits for FILE to exist, then
                               commits with an empty chunk; keepgoing: a
                               chunk's error is printed and the next chunk
                               sent on the same socket). Prints "gen=N".
  pol_nl.py show               (dump: the SPEC of the state, one endpoint's
                               nests merged, sorted; "stats" lines too)
  pol_nl.py stats ADDR         "in_allowed=A in_dropped=B eg_allowed=C
                               eg_dropped=D" of one endpoint
  pol_nl.py info               policy generation, counts, limits, features
  pol_nl.py flush              every endpoint and prefix removed (one
                               transaction built from a dump)
  pol_nl.py listen N SECS [READY]  joins the events group (then creates
                               READY), prints each NP_CMD_POLICY_DROP as
                               "drop dir=in|eg ep=A name=N src=S dst=D
                               proto=P sport=X dport=Y suppressed=Z" until
                               N came or SECS passed
  pol_nl.py tcp ADDR PORT [SECS]  connects, sends stdin, prints the answer;
                               "refused" on ECONNREFUSED, "timeout" when
                               the connection is not set up in SECS (20)
  pol_nl.py udpburst ADDR PORT N SPORT   N datagrams, one from each source
                               port SPORT.. SPORT+N-1 (N new flows at once)
  pol_nl.py udp|sctp ...       as lb_nl.py's

SPEC, one item a line ('#' comments):
  gen N                        NP_POL_A_GENERATION (expected) of this chunk
  class CIDR N                 NP_POL_A_CLASS (N 0 removes the prefix)
  ep ADDR [in] [eg] [name NS/POD] [flags N]   an endpoint nest begins
  append ADDR                  a nest with NP_PEP_F_APPEND
  del ADDR                     a nest with NP_PEP_F_DELETE
  rule in|eg [class N] [PORT...]   a rule of the open nest; PORT is
                               tcp|udp|sctp|NUMBER[:FIRST[-LAST]]; none:
                               every protocol and port
  ---                          the next chunk (message) begins

Errors: "ERRNAME: extack" on stderr, exit 1.
"""
import errno
import ipaddress
import os
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lb_nl  # noqa: E402  (Sock, nla, attrs, NlError, udp, sctp)
from lb_nl import NlError, attrs, nla  # noqa: E402

NESTED = 0x8000
CMD_INFO, CMD_SET, CMD_GET, CMD_DROP = 1, 12, 13, 14
A_STAGE, A_GEN, A_CLASS, A_EP = 2, 3, 4, 5
PCLS_CIDR, PCLS_CLASS = 1, 2
PEP_ADDR4, PEP_ADDR6, PEP_FLAGS, PEP_NAME, PEP_RULE, PEP_STATS = 2, 3, 4, 5, 6, 7
PR_DIR, PR_CLASS, PR_PORT = 1, 2, 3
PP_PROTO, PP_FIRST, PP_LAST = 1, 2, 3
F_IN, F_EG, F_DEL, F_APPEND = 1, 2, 4, 8
STAGE_MORE = 1
DIRS = ['in', 'eg']
PROTOS = {'tcp': 6, 'udp': 17, 'sctp': 132}
PNAMES = {v: k for k, v in PROTOS.items()}
STATS = ['in_allowed', 'in_dropped', 'eg_allowed', 'eg_dropped']
PEV = {1: 'dir', 2: 'ep', 3: 'ep', 4: 'name', 5: 'src', 6: 'src', 7: 'dst',
       8: 'dst', 9: 'proto', 10: 'sport', 11: 'dport', 12: 'suppressed'}


def u16(v):
    return struct.pack('=H', v)


def u32(v):
    return struct.pack('=I', v)


def addr_attr(text, v4, v6):
    ip = ipaddress.ip_address(text)
    return nla(v4 if ip.version == 4 else v6, ip.packed)


def port_nest(w):
    proto, _, rng = w.partition(':')
    b = nla(PP_PROTO, bytes([PROTOS[proto] if proto in PROTOS
                             else int(proto)]))
    if rng and rng != '*':
        first, _, last = rng.partition('-')
        b += nla(PP_FIRST, u16(int(first)))
        if last:
            b += nla(PP_LAST, u16(int(last)))
    return nla(PR_PORT | NESTED, b)


def rule_nest(w):
    b = nla(PR_DIR, bytes([DIRS.index(w.pop(0)) if w[0] in DIRS
                           else int(w.pop(0))]))
    while w:
        k = w.pop(0)
        if k == 'class':
            b += nla(PR_CLASS, u32(int(w.pop(0))))
        else:
            b += port_nest(k)
    return nla(PEP_RULE | NESTED, b)


def parse_spec(text):
    """Chunks, each a list of top-level attributes (bytes)."""
    chunks, cur, ep = [], [], None

    def close():
        nonlocal ep
        if ep is not None:
            cur.append(nla(A_EP | NESTED, ep))
        ep = None

    for line in text.splitlines():
        w = line.split('#')[0].split()
        if not w:
            continue
        k = w.pop(0)
        if k == 'rule':
            if ep is None:
                raise SystemExit('pol_nl.py: rule outside an endpoint')
            ep += rule_nest(w)
            continue
        close()
        if k == '---':
            chunks.append(cur)
            cur = []
        elif k == 'gen':
            cur.append(nla(A_GEN, struct.pack('=Q', int(w[0]))))
        elif k == 'class':
            cur.append(nla(A_CLASS | NESTED,
                           lb_nl.cidr_nest(w[0], PCLS_CIDR) +
                           nla(PCLS_CLASS, u32(int(w[1])))))
        elif k in ('ep', 'append', 'del'):
            ep = addr_attr(w.pop(0), PEP_ADDR4, PEP_ADDR6)
            flags = {'ep': 0, 'append': F_APPEND, 'del': F_DEL}[k]
            name, raw_flags = None, None
            while w:
                x = w.pop(0)
                if x == 'in':
                    flags |= F_IN
                elif x == 'eg':
                    flags |= F_EG
                elif x == 'name':
                    name = w.pop(0)
                elif x == 'flags':
                    raw_flags = int(w.pop(0), 0)
                else:
                    raise SystemExit('pol_nl.py: unknown word %r' % x)
            ep += nla(PEP_FLAGS, u32(flags if raw_flags is None
                                      else raw_flags))
            if name is not None:
                ep += nla(PEP_NAME, name.encode() + b'\0')
        else:
            raise SystemExit('pol_nl.py: unknown item %r' % k)
    close()
    chunks.append(cur)
    return chunks


def gen_of(rep):
    for t, p in attrs(rep[0]) if rep else []:
        if t == A_GEN:
            return struct.unpack('=Q', p[:8])[0]
    return None


def cmd_set(sk, argv):
    hold = argv[1] if argv[:1] == ['hold'] else None
    chunks = parse_spec(sys.stdin.read())
    rep = None
    for i, c in enumerate(chunks):
        last = i == len(chunks) - 1 and hold is None
        try:
            rep = sk.genl(CMD_SET, b''.join(c) + (
                b'' if last else nla(A_STAGE, u32(STAGE_MORE))))
        except NlError as e:
            if argv[:1] != ['keepgoing'] or last:
                raise
            print('chunk %d: %s' % (i + 1, e), flush=True)
    if hold is not None:
        print('held', flush=True)
        while not os.path.exists(hold):
            time.sleep(0.05)
        rep = sk.genl(CMD_SET, b'')
    print('gen=%d' % gen_of(rep))


def ip_of(b):
    return str(ipaddress.ip_address(b))


def dump(sk):
    """(classes {cidr: n}, endpoints {addr: dict}) from a POLICY_GET dump."""
    classes, eps = {}, {}
    for m in sk.genl(CMD_GET, b'', dump=True):
        for t, p in attrs(m):
            if t == A_CLASS:
                d = dict(attrs(p))
                c = dict(attrs(d[PCLS_CIDR]))
                a = c.get(1) or c.get(2)
                classes['%s/%d' % (ip_of(a), c[3][0])] = \
                    struct.unpack('=I', d[PCLS_CLASS])[0]
            elif t == A_EP:
                ep, rules = {}, []
                for t2, p2 in attrs(p):
                    if t2 in (PEP_ADDR4, PEP_ADDR6):
                        ep['addr'] = ip_of(p2)
                    elif t2 == PEP_FLAGS:
                        ep['flags'] = struct.unpack('=I', p2)[0]
                    elif t2 == PEP_NAME:
                        ep['name'] = p2.rstrip(b'\0').decode()
                    elif t2 == PEP_STATS:
                        st = dict(attrs(p2))
                        ep['stats'] = [struct.unpack('=Q', st[i + 2])[0]
                                       for i in range(4)]
                    elif t2 == PEP_RULE:
                        rules.append(rule_text(p2))
                if ep['flags'] & F_APPEND:
                    eps[ep['addr']]['rules'] += rules
                else:
                    ep['rules'] = rules
                    eps[ep['addr']] = ep
    return classes, eps


def rule_text(p):
    w, ports = [], []
    for t, v in attrs(p):
        if t == PR_DIR:
            w.insert(0, DIRS[v[0]])
        elif t == PR_CLASS:
            w.append('class %d' % struct.unpack('=I', v)[0])
        elif t == PR_PORT:
            d = dict(attrs(v))
            s = PNAMES.get(d[PP_PROTO][0], str(d[PP_PROTO][0]))
            if PP_FIRST in d:
                f = struct.unpack('=H', d[PP_FIRST])[0]
                la = struct.unpack('=H', d.get(PP_LAST, d[PP_FIRST]))[0]
                s += ':%d' % f + ('-%d' % la if la != f else '')
            ports.append(s)
    return ' '.join(['rule'] + w + ports)


def addr_key(a):
    ip = ipaddress.ip_address(a.split('/')[0])
    return (ip.version, ip.packed, a)


def cmd_show(sk):
    classes, eps = dump(sk)
    for c in sorted(classes, key=addr_key):
        print('class %s %d' % (c, classes[c]))
    for a in sorted(eps, key=addr_key):
        ep = eps[a]
        w = ['ep', a] + [d for i, d in enumerate(DIRS) if ep['flags'] >> i & 1]
        if 'name' in ep:
            w += ['name', ep['name']]
        print(' '.join(w))
        for r in ep['rules']:
            print(r)
    for a in sorted(eps, key=addr_key):
        print('stats %s %s' % (a, ' '.join('%s=%d' % kv for kv in
                                          zip(STATS, eps[a]['stats']))))


def cmd_stats(sk, addr):
    _, eps = dump(sk)
    a = str(ipaddress.ip_address(addr))
    if a not in eps:
        raise NlError(errno.ENOENT, 'no endpoint %s in the dump' % a)
    print(' '.join('%s=%d' % kv for kv in zip(STATS, eps[a]['stats'])))


def cmd_flush(sk):
    classes, eps = dump(sk)
    spec = ['class %s 0' % c for c in classes] + ['del %s' % a for a in eps]
    chunks = parse_spec('\n'.join(spec))
    sk.genl(CMD_SET, b''.join(chunks[0]))


def cmd_info(sk):
    rep = sk.genl(CMD_INFO, nla(1, u32(1)))
    d = dict(attrs(rep[0]))
    counts = dict(attrs(d[4]))
    limits = dict(attrs(d[6]))
    print('policy_generation %d' % struct.unpack('=Q', d[9])[0])
    print('features 0x%x' % struct.unpack('=I', d[3])[0])
    for k, t in (('classes', 10), ('endpoints', 11), ('rules', 12)):
        print('count_%s %d' % (k, struct.unpack('=I', counts[t])[0]))
    for k, t in (('classes', 7), ('endpoints', 8), ('rules', 9)):
        print('limit_%s %d' % (k, struct.unpack('=I', limits[t])[0]))


def events_group(sk):
    rep = sk.request(0x10, 3, nla(2, b'nodeplane\0'))
    for t, p in attrs(rep[0]):
        if t == 7:
            for _, g in attrs(p):
                g = dict(attrs(g))
                if g.get(1, b'').rstrip(b'\0') == b'events':
                    return struct.unpack('=I', g[2])[0]
    raise NlError(errno.ENOENT, 'no events group')


class ListenSock(lb_nl.Sock):
    """A plain generic-netlink socket (no SO_RCVBUFFORCE, which would need
    CAP_NET_ADMIN itself): joining the group is what is checked."""

    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
        self.s.setsockopt(270, 11, 1)           # NETLINK_EXT_ACK
        self.seq = 0
        self.fam = None
        for t, p in attrs(self.request(0x10, 3, nla(2, b'nodeplane\0'))[0]):
            if t == 1:
                self.fam = struct.unpack('=H', p[:2])[0]


def cmd_listen(argv):
    sk = ListenSock()
    want, secs = int(argv[0]), float(argv[1])
    try:
        sk.s.setsockopt(270, 1, events_group(sk))   # NETLINK_ADD_MEMBERSHIP
    except OSError as e:
        print('join: %s' % e.strerror, file=sys.stderr)
        return 1
    if len(argv) > 2:
        open(argv[2], 'w').close()
    end, got = time.monotonic() + secs, 0
    while got < want:
        left = end - time.monotonic()
        if left <= 0 or not select.select([sk.s], [], [], left)[0]:
            break
        d = sk.s.recv(1 << 16)
        while d:
            n, t, fl, sq = struct.unpack('=IHHI', d[:12])
            m, d = d[16:n], d[(n + 3) & ~3:]
            if t != sk.fam or m[0] != CMD_DROP:
                continue
            ev = {}
            for t2, p in attrs(m[4:]):
                k = PEV.get(t2)
                if k in ('ep', 'src', 'dst'):
                    ev[k] = ip_of(p)
                elif k == 'name':
                    ev[k] = p.rstrip(b'\0').decode()
                elif k == 'dir':
                    ev[k] = DIRS[p[0]]
                elif k == 'proto':
                    ev[k] = p[0]
                elif k in ('sport', 'dport'):
                    ev[k] = struct.unpack('=H', p)[0]
                elif k == 'suppressed':
                    ev[k] = struct.unpack('=I', p)[0]
            print('drop ' + ' '.join('%s=%s' % (k, ev[k]) for k in (
                'dir', 'ep', 'name', 'src', 'dst', 'proto', 'sport',
                'dport', 'suppressed') if k in ev), flush=True)
            got += 1
    return 0


def tcp(argv):
    addr, port = argv[0].strip('[]'), int(argv[1])
    secs = float(argv[2]) if len(argv) > 2 else 20
    fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(secs)
    try:
        s.connect((addr, port))
    except ConnectionRefusedError:
        print('refused')
        return 0
    except socket.timeout:
        print('timeout')
        return 0
    s.settimeout(60)
    s.sendall(sys.stdin.buffer.read())
    s.shutdown(socket.SHUT_WR)
    while True:
        b = s.recv(65536)
        if not b:
            break
        sys.stdout.buffer.write(b)
    return 0


def udpburst(argv):
    addr, port, n, sport = argv[0], int(argv[1]), int(argv[2]), int(argv[3])
    fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
    socks = []
    for i in range(n):
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.bind(('::' if fam == socket.AF_INET6 else '0.0.0.0', sport + i))
        socks.append(s)
    for s in socks:
        s.sendto(b'burst', (addr, port))
    for s in socks:
        s.close()
    return 0


def main(argv):
    if not argv:
        raise SystemExit(__doc__)
    if argv[0] == 'udpburst':
        return udpburst(argv[1:])
    if argv[0] == 'tcp':
        return tcp(argv[1:])
    if argv[0] == 'listen':
        return cmd_listen(argv[1:])
    if argv[0] == 'udp':
        return lb_nl.udp(argv[1:])
    if argv[0] == 'sctp':
        return lb_nl.sctp(argv[1:])
    sk = lb_nl.Sock()
    try:
        if argv[0] == 'set':
            cmd_set(sk, argv[1:])
        elif argv[0] == 'show':
            cmd_show(sk)
        elif argv[0] == 'stats':
            cmd_stats(sk, argv[1])
        elif argv[0] == 'info':
            cmd_info(sk)
        elif argv[0] == 'flush':
            cmd_flush(sk)
        else:
            raise SystemExit(__doc__)
    except NlError as e:
        print(e, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
