#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""NP_CMD_LB_* spoken directly, for the kernel's own VM tests
(tests/user/integration/lb_*.sh): what nodeplanectl lb refuses to send
(bad attributes, staging sequences over several sockets, expected
generations) and a CLI with nodeplanectl lb's syntax for the rest.

  lb_nl.py set [-4|-6] PROTO PORT [local ADDR] [owner servicelb|hostport]
           [ranges CIDR,...] [ranges-file F] [affinity SECS] [masq-remote]
           [local-only] [hairpin] [localhost] [masq-all]
           [backend ADDR:PORT[/FLAG...],...] [backends-file F]
           [gen N] [chunk N]          (chunk: stage, N entries a message)
  lb_nl.py del [-4|-6] PROTO PORT [local ADDR] [owner servicelb|hostport]
           [gen N]                    (owner: delete only a frontend of it)
  lb_nl.py get [-4|-6] PROTO PORT [local ADDR]   (doit: one "lb set" line)
  lb_nl.py show                (dump: one "lb set" line per frontend, sorted)
  lb_nl.py flush               (deletes every frontend: a dump, then DELs)
  lb_nl.py stats [-4|-6] PROTO PORT [local ADDR]
  lb_nl.py info                (generation and LB counts of the netns)
  lb_nl.py raw REQ [-- REQ]... (see raw() below)
  lb_nl.py udp ADDR PORT [SPORT] (stdin as one datagram; prints the answer,
                               "refused" on ICMP port unreachable, "none"
                               when nothing came back within $LB_UDP_WAIT
                               seconds, default 30; the datagram is sent
                               again every $LB_UDP_RESEND seconds, default
                               2, 0: once, on the same socket: the same
                               flow, so one conntrack entry and one backend)
  lb_nl.py dumpslow DIR        (an LB_GET dump read one message at a time:
                               after the first, writes DIR/started and waits
                               for DIR/go; prints "messages=N intr=0|1",
                               intr 1 when a message or DONE carried
                               NLM_F_DUMP_INTR)
  lb_nl.py sctp ADDR PORT      (stdin sent on an SCTP association, as many
                               bytes read back and printed: for echo servers)

Errors: "ERRNAME: extack" on stderr, exit 1.
"""
import errno
import ipaddress
import os
import socket
import struct
import sys
import time

NLMSG_ERROR, NLMSG_DONE = 2, 3
F_REQUEST, F_MULTI, F_ACK, F_DUMP = 1, 2, 4, 0x300
F_DUMP_INTR = 0x10
CMD_INFO, CMD_LB_SET, CMD_LB_DEL, CMD_LB_GET = 1, 9, 10, 11
(A_FAMILY, A_PROTO, A_PORT, A_LOCAL4, A_LOCAL6, A_OWNER, A_FLAGS,
 A_AFFINITY, A_BACKEND, A_RANGE, A_STAGE, A_GENERATION, A_STATS) = range(2, 15)
B_ADDR4, B_ADDR6, B_PORT, B_FLAGS = 1, 2, 3, 4
C_ADDR4, C_ADDR6, C_PLEN = 1, 2, 3
STAGE_MORE, STAGE_APPEND = 1, 2
LB_FLAGS = ['masq-remote', 'local-only', 'hairpin', 'localhost', 'masq-all']
BE_FLAGS = ['local', 'ready', 'terminating']
OWNERS = {'servicelb': 1, 'hostport': 2}
PROTOS = {'tcp': 6, 'udp': 17, 'sctp': 132}
STATS = ['packets', 'bytes', 'conns', 'drop_range', 'drop_no_backend',
         'drop_nat']


class NlError(Exception):
    def __init__(self, err, msg):
        super().__init__(err, msg)
        self.err, self.msg = err, msg

    def __str__(self):
        name = {95: 'EOPNOTSUPP'}.get(self.err) or errno.errorcode.get(
            self.err, str(self.err))
        return '%s: %s' % (name, self.msg) if self.msg else name


def nla(t, p):
    n = 4 + len(p)
    return struct.pack('=HH', n, t) + p + b'\0' * (-n % 4)


def attrs(b):
    while len(b) >= 4:
        n, t = struct.unpack('=HH', b[:4])
        yield t & 0x3fff, b[4:n]
        b = b[(n + 3) & ~3:]


class Sock:
    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
        self.s.setsockopt(270, 11, 1)           # NETLINK_EXT_ACK
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 22)
        # a GET doit of a large frontend sends all its messages at once
        self.s.setsockopt(socket.SOL_SOCKET, 33, 1 << 26)  # SO_RCVBUFFORCE
        self.seq = 0
        self.fam = None
        for t, p in attrs(self.request(0x10, 3, nla(2, b'nodeplane\0'))[0]):
            if t == 1:
                self.fam = struct.unpack('=H', p[:2])[0]

    def request(self, typ, cmd, body, dump=False):
        """Replies' attribute payloads; raises NlError."""
        self.seq += 1
        b = struct.pack('=BBH', cmd, 1, 0) + body
        fl = F_REQUEST | F_ACK | (F_DUMP if dump else 0)
        self.s.send(struct.pack('=IHHII', 16 + len(b), typ, fl, self.seq, 0) + b)
        out = []
        while True:
            d = self.s.recv(1 << 20)
            while d:
                n, t, fl, sq = struct.unpack('=IHHI', d[:12])
                m, d = d[16:n], d[(n + 3) & ~3:]
                if sq != self.seq:
                    continue                # a late answer to an earlier one
                if t == NLMSG_DONE:
                    err = struct.unpack('=i', m[:4])[0] if len(m) >= 4 else 0
                    if err:                 # a dump that failed
                        msg = dict(attrs(m[4:])).get(1, b'').rstrip(
                            b'\0').decode() if fl & 0x200 else ''
                        raise NlError(-err, msg)
                    if fl & F_DUMP_INTR:
                        raise NlError(errno.EINTR, 'dump interrupted')
                    return out
                if t != NLMSG_ERROR:
                    if fl & F_DUMP_INTR:
                        raise NlError(errno.EINTR, 'dump interrupted')
                    out.append(m[4:])
                    continue
                err = struct.unpack('=i', m[:4])[0]
                if not err:
                    if not dump:
                        return out
                    continue
                off = 4 + (16 if fl & 0x100 else struct.unpack('=I', m[4:8])[0])
                msg = dict(attrs(m[off:])).get(1, b'').rstrip(b'\0').decode() \
                    if fl & 0x200 else ''
                raise NlError(-err, msg)

    def genl(self, cmd, body, dump=False):
        return self.request(self.fam, cmd, body, dump)


# ---- words to attributes ----

def addr_bytes(text):
    return ipaddress.ip_address(text.strip('[]')).packed


def cidr_nest(text, typ=A_RANGE):
    a, plen = text.split('/')
    ip = ipaddress.ip_address(a)
    return nla(typ | 0x8000, nla(C_ADDR4 if ip.version == 4 else C_ADDR6,
                                 ip.packed) + nla(C_PLEN, bytes([int(plen)])))


def backend_nest(text):
    parts = text.split('/')
    hp = parts[0]
    host, port = hp.rsplit(':', 1)
    ip = ipaddress.ip_address(host.strip('[]'))
    flags = 0
    for f in parts[1:]:
        if f == 'notready':
            flags |= 0x80000000         # no state bit: masked off below
            continue
        flags |= int(f, 0) if f[0].isdigit() else 1 << BE_FLAGS.index(f)
    if not flags & 6 and not flags & 0x80000000:
        flags |= 2                                  # ready by default
    flags &= 0x7fffffff
    return nla(A_BACKEND | 0x8000,
               nla(B_ADDR4 if ip.version == 4 else B_ADDR6, ip.packed) +
               nla(B_PORT, struct.pack('=H', int(port))) +
               nla(B_FLAGS, struct.pack('=I', flags)))


def parse_key(w):
    """[-4|-6] PROTO PORT [local ADDR]: (family, key attrs, rest)."""
    fam = None
    if w and w[0] in ('-4', '-6'):
        fam = 2 if w.pop(0) == '-4' else 10
    proto, port = PROTOS[w.pop(0)], int(w.pop(0))
    local = None
    if w and w[0] == 'local':
        w.pop(0)
        local = ipaddress.ip_address(w.pop(0))
    return fam, proto, port, local, w


def key_attrs(fam, proto, port, local):
    b = nla(A_FAMILY, bytes([fam])) + nla(A_PROTO, bytes([proto])) + \
        nla(A_PORT, struct.pack('=H', port))
    if local is not None:
        b += nla(A_LOCAL4 if local.version == 4 else A_LOCAL6, local.packed)
    return b


def cmd_set(sk, w):
    fam, proto, port, local, w = parse_key(w)
    owner, flags, aff, gen, chunk = None, 0, None, None, None
    entries, guess = [], None
    while w:
        k = w.pop(0)
        if k == 'owner':
            owner = OWNERS[w.pop(0)]
        elif k == 'ranges':
            for c in w.pop(0).split(','):
                entries.append(cidr_nest(c))
                guess = guess or ipaddress.ip_network(c, False).version
        elif k == 'ranges-file':
            with open(w.pop(0)) as f:
                for c in f.read().split():
                    entries.append(cidr_nest(c))
                    guess = guess or ipaddress.ip_network(c, False).version
        elif k == 'affinity':
            aff = int(w.pop(0))
        elif k in LB_FLAGS:
            flags |= 1 << LB_FLAGS.index(k)
        elif k == 'backend':
            for b in w.pop(0).split(','):
                entries.append(backend_nest(b))
                guess = guess or (6 if b.startswith('[') else 4)
        elif k == 'backends-file':
            with open(w.pop(0)) as f:
                for b in f.read().split():
                    entries.append(backend_nest(b))
                    guess = guess or (6 if b.startswith('[') else 4)
        elif k == 'gen':
            gen = int(w.pop(0))
        elif k == 'chunk':
            chunk = int(w.pop(0))
        else:
            raise SystemExit('lb_nl.py: unknown word %r' % k)
    if fam is None:
        if local is not None:
            fam = 2 if local.version == 4 else 10
        else:
            fam = 10 if guess == 6 else 2
    key = key_attrs(fam, proto, port, local)
    value = b''
    if owner is not None:
        value += nla(A_OWNER, bytes([owner]))
    value += nla(A_FLAGS, struct.pack('=I', flags))
    if aff is not None:
        value += nla(A_AFFINITY, struct.pack('=I', aff))
    g = nla(A_GENERATION, struct.pack('=Q', gen)) if gen is not None else b''
    if chunk is None:
        rep = sk.genl(CMD_LB_SET, key + value + b''.join(entries) + g)
    else:
        parts = [entries[i:i + chunk] for i in range(0, len(entries), chunk)]
        parts = parts or [[]]
        rep = sk.genl(CMD_LB_SET, key + value + b''.join(parts[0]) + g +
                      nla(A_STAGE, struct.pack('=I', STAGE_MORE)))
        for i, p in enumerate(parts[1:] + [[]]):
            rep = sk.genl(CMD_LB_SET, key + b''.join(p) + nla(
                A_STAGE, struct.pack('=I', STAGE_APPEND | (
                    STAGE_MORE if i < len(parts) - 1 else 0))))
    return gen_of(rep)


def gen_of(rep):
    for t, p in attrs(rep[0]) if rep else []:
        if t == A_GENERATION:
            return struct.unpack('=Q', p)[0]
    return None


def cmd_del(sk, w):
    fam, proto, port, local, w = parse_key(w)
    if fam is None:
        fam = 10 if local is not None and local.version == 6 else 2
    g = b''
    while w:
        k = w.pop(0)
        if k == 'gen':
            g += nla(A_GENERATION, struct.pack('=Q', int(w.pop(0))))
        elif k == 'owner':
            g += nla(A_OWNER, bytes([OWNERS[w.pop(0)]]))
        else:
            raise SystemExit('lb_nl.py: unknown word %r' % k)
    return gen_of(sk.genl(CMD_LB_DEL, key_attrs(fam, proto, port, local) + g))


# ---- replies to frontends ----

def decode(msgs):
    """Frontends of LB_GET replies, continuations merged, keyed."""
    fes = {}
    order = []
    for m in msgs:
        a = {}
        bes, ranges = [], []
        for t, p in attrs(m):
            if t == A_BACKEND:
                b = dict(attrs(p))
                ip = ipaddress.ip_address(b.get(B_ADDR4) or b.get(B_ADDR6))
                bes.append((ip, struct.unpack('=H', b[B_PORT])[0],
                            struct.unpack('=I', b[B_FLAGS])[0]))
            elif t == A_RANGE:
                c = dict(attrs(p))
                ip = ipaddress.ip_address(c.get(C_ADDR4) or c.get(C_ADDR6))
                ranges.append(ipaddress.ip_network('%s/%d' % (ip, c[C_PLEN][0])))
            else:
                a[t] = p
        local = a.get(A_LOCAL4) or a.get(A_LOCAL6)
        key = (a[A_FAMILY][0], a[A_PROTO][0],
               struct.unpack('=H', a[A_PORT])[0],
               ipaddress.ip_address(local) if local else None)
        if A_STAGE in a:
            fe = fes[key]
        else:
            fe = {'key': key, 'owner': a[A_OWNER][0],
                  'flags': struct.unpack('=I', a[A_FLAGS])[0],
                  'affinity': struct.unpack('=I', a[A_AFFINITY])[0],
                  'gen': struct.unpack('=Q', a[A_GENERATION])[0],
                  'stats': [struct.unpack('=Q', p)[0]
                            for t, p in attrs(a[A_STATS]) if t != 1],
                  'backends': [], 'ranges': []}
            fes[key] = fe
            order.append(key)
        fe['backends'] += bes
        fe['ranges'] += ranges
    return [fes[k] for k in order]


def line(fe):
    fam, proto, port, local = fe['key']
    w = ['lb', 'set', '-4' if fam == 2 else '-6',
         {v: k for k, v in PROTOS.items()}[proto], str(port)]
    if local is not None:
        w += ['local', str(local)]
    w += ['owner', {v: k for k, v in OWNERS.items()}[fe['owner']]]
    if fe['ranges']:
        w += ['ranges', ','.join(str(r) for r in sorted(fe['ranges']))]
    if fe['affinity']:
        w += ['affinity', str(fe['affinity'])]
    w += [f for i, f in enumerate(LB_FLAGS) if fe['flags'] & (1 << i)]
    if fe['backends']:
        bs = []
        for ip, p, fl in sorted(fe['backends']):
            s = ('[%s]:%d' if ip.version == 6 else '%s:%d') % (ip, p)
            # as nodeplanectl lb show -s: ready is the default word
            s += '/local' if fl & 1 else ''
            s += {2: '', 4: '/terminating', 6: '/ready/terminating',
                  0: '/notready'}[fl & 6]
            bs.append(s)
        w += ['backend', ','.join(bs)]
    return ' '.join(w)


def cmd_get(sk, w):
    fam, proto, port, local, w = parse_key(w)
    if fam is None:
        fam = 10 if local is not None and local.version == 6 else 2
    return decode(sk.genl(CMD_LB_GET, key_attrs(fam, proto, port, local)))


def cmd_show(sk):
    for _ in range(10):
        try:
            return decode(sk.genl(CMD_LB_GET, b'', dump=True))
        except NlError as e:
            if e.err != errno.EINTR:
                raise
    raise NlError(errno.EINTR, 'dump interrupted ten times')


def info(sk):
    out = {}
    for t, p in attrs(sk.genl(CMD_INFO, nla(1, struct.pack('=I', 1)))[0]):
        if t == 7:
            out['generation'] = struct.unpack('=Q', p)[0]
        elif t == 3:
            out['features'] = struct.unpack('=I', p)[0]
        elif t == 4:
            names = {6: 'frontends', 7: 'backends', 8: 'ranges', 9: 'staged'}
            for ct, cp in attrs(p):
                if ct in names:
                    out[names[ct]] = struct.unpack('=I', cp)[0]
        elif t == 6:
            names = {4: 'max_frontends', 5: 'max_backends', 6: 'max_ranges'}
            for ct, cp in attrs(p):
                if ct in names:
                    out[names[ct]] = struct.unpack('=I', cp)[0]
    return out


def raw(words):
    """REQ [-- REQ]...: each REQ runs on socket N ("sock N" first, default
    0; sockets stay open until the end, "close N" closes one) and prints
    "ok" (with " gen=G" when the reply carries one), or the error:
      set|del|get|dump WORDS  where WORDS are attributes: "u8|u16|u32|u64
      TYPE VALUE", "empty TYPE", "bin TYPE HEX", "key4 PROTO PORT", "key6 PROTO PORT",
      "be ADDR:PORT[/FLAG..]", "range CIDR", "nest TYPE u8|u32 SUBTYPE V"
      info KEY                prints one INFO value
      close N
    "raw -": REQs read from stdin, one a line, each answered at once (a
    script can stage chunks over one socket with pauses in between)."""
    socks = {}
    if words == ['-']:
        for ln in sys.stdin:
            if ln.split():
                raw_one(ln.split(), socks)
                sys.stdout.flush()
        return
    req = []
    for w in words + ['--']:
        if w != '--':
            req.append(w)
        elif req:
            raw_one(req, socks)
            req = []


def raw_one(req, socks):
    n = 0
    if req[0] == 'sock':
        n = int(req[1])
        req = req[2:]
    if req[0] == 'close':
        socks.pop(int(req[1])).s.close()
        print('ok')
        return
    sk = socks.get(n) or socks.setdefault(n, Sock())
    op, req = req[0], req[1:]
    if op == 'info':
        print(info(sk).get(req[0]))
        return
    body = b''
    while req:
        k = req.pop(0)
        if k in ('u8', 'u16', 'u32', 'u64'):
            t, v = int(req.pop(0)), int(req.pop(0), 0)
            body += nla(t, struct.pack({'u8': '=B', 'u16': '=H',
                                        'u32': '=I', 'u64': '=Q'}[k], v))
        elif k == 'empty':
            body += nla(int(req.pop(0)), b'')
        elif k == 'bin':
            t = int(req.pop(0))
            body += nla(t, bytes.fromhex(req.pop(0)))
        elif k in ('key4', 'key6'):
            body += key_attrs(2 if k == 'key4' else 10,
                              PROTOS[req.pop(0)], int(req.pop(0)), None)
        elif k == 'be':
            body += backend_nest(req.pop(0))
        elif k == 'range':
            body += cidr_nest(req.pop(0))
        elif k == 'nest':
            t, st, sv = int(req.pop(0)), req.pop(0), req.pop(0)
            body += nla(t | 0x8000, nla(int(sv), b'') if st == 'empty'
                        else b'')
        else:
            raise SystemExit('lb_nl.py raw: unknown word %r' % k)
    cmd = {'set': CMD_LB_SET, 'del': CMD_LB_DEL, 'get': CMD_LB_GET,
           'dump': CMD_LB_GET}[op]
    try:
        rep = sk.genl(cmd, body, dump=op == 'dump')
        g = gen_of(rep) if op != 'dump' else None
        print('ok' + (' gen=%d' % g if g is not None else ''))
    except NlError as e:
        print(e)


def udp(argv):
    addr, port = argv[0].strip('[]'), int(argv[1])
    fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if len(argv) > 2:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(('::' if fam == socket.AF_INET6 else '0.0.0.0', int(argv[2])))
    # LB_UDP_WAIT: seconds to wait for an answer (the VM may be slow;
    # cases that expect none shorten it). LB_UDP_RESEND: a lost datagram
    # (or answer) is normal under a loaded emulated VM, so send again.
    wait = float(os.environ.get('LB_UDP_WAIT', '30'))
    every = float(os.environ.get('LB_UDP_RESEND', '2'))
    data = sys.stdin.buffer.read()
    s.connect((addr, port))
    end = time.monotonic() + wait
    again = end if every <= 0 else time.monotonic() + every
    s.send(data)
    while True:
        now = time.monotonic()
        if now >= end:
            print('none')
            return 0
        if now >= again:
            s.send(data)
            again = now + every
        s.settimeout(max(0.01, min(again, end) - now))
        try:
            sys.stdout.buffer.write(s.recv(65536))
            return 0
        except ConnectionRefusedError:
            print('refused')
            return 0
        except socket.timeout:
            continue


def dumpslow(argv):
    d = argv[0]
    sk = Sock()
    sk.seq += 1
    b = struct.pack('=BBH', CMD_LB_GET, 1, 0)
    sk.s.send(struct.pack('=IHHII', 16 + len(b), sk.fam,
                          F_REQUEST | F_ACK | F_DUMP, sk.seq, 0) + b)
    msgs, intr, first = 0, 0, True
    while True:
        d_ = sk.s.recv(1 << 20)
        done = False
        while d_:
            n, t, fl, sq = struct.unpack('=IHHI', d_[:12])
            m, d_ = d_[16:n], d_[(n + 3) & ~3:]
            if sq != sk.seq:
                continue
            if fl & F_DUMP_INTR:
                intr = 1
            if t == NLMSG_ERROR and struct.unpack('=i', m[:4])[0]:
                raise SystemExit('dumpslow: error %d' %
                                 struct.unpack('=i', m[:4])[0])
            if t == NLMSG_DONE:
                done = True
            elif t != NLMSG_ERROR:
                msgs += 1
        if done:
            break
        if first:
            first = False
            open(os.path.join(d, 'started'), 'w').close()
            while not os.path.exists(os.path.join(d, 'go')):
                time.sleep(0.05)
    print('messages=%d intr=%d' % (msgs, intr))
    return 0


def sctp(argv):
    addr, port = argv[0].strip('[]'), int(argv[1])
    fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM, socket.IPPROTO_SCTP)
    s.settimeout(30)
    data = sys.stdin.buffer.read()
    s.connect((addr, port))
    s.sendall(data)
    got = b''
    while len(got) < len(data):
        b = s.recv(65536)
        if not b:
            break
        got += b
    sys.stdout.buffer.write(got)
    s.close()
    return 0


def main(argv):
    if not argv:
        raise SystemExit(__doc__)
    if argv[0] == 'sctp':
        return sctp(argv[1:])
    if argv[0] == 'udp':
        return udp(argv[1:])
    if argv[0] == 'raw':
        return raw(argv[1:])
    if argv[0] == 'dumpslow':
        return dumpslow(argv[1:])
    sk = Sock()
    try:
        if argv[0] == 'set':
            print(cmd_set(sk, argv[1:]))
        elif argv[0] == 'del':
            print(cmd_del(sk, argv[1:]))
        elif argv[0] == 'get':
            for fe in cmd_get(sk, argv[1:]):
                print(line(fe))
        elif argv[0] == 'show':
            for l in sorted(line(fe) for fe in cmd_show(sk)):
                print(l)
        elif argv[0] == 'flush':
            for fe in cmd_show(sk):
                fam, proto, port, local = fe['key']
                sk.genl(CMD_LB_DEL, key_attrs(fam, proto, port, local))
        elif argv[0] == 'stats':
            fe = cmd_get(sk, argv[1:])[0]
            print(' '.join('%s=%d' % kv for kv in zip(STATS, fe['stats'])))
        elif argv[0] == 'info':
            for k, v in sorted(info(sk).items()):
                print('%s %d' % (k, v))
        else:
            raise SystemExit(__doc__)
    except NlError as e:
        print(e, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
