#!/usr/bin/python3
"""The wire diff of tests/user/integration/overlay_wirediff.sh (run in the VM).

The same inner packets are sent through a stock flannel node (the kernel's
vxlan) and through a nodeplane node; the outer frames both emit are compared
field by field. Anything that differs FAILs, except the fields of ALLOWED.

  run --pod-ns NS --iface IF --src-ether M --dst-ether M --offload on|off
      --wire-ns NS --rx IF --tx IF --final PCAP --super PCAP
      One process, two network namespaces. In the wire namespace it opens
      the captures: what arrives on --rx (before segmentation: GSO
      super-frames show as frames over 1514 bytes) and the VXLAN frames
      leaving --tx (segmented, checksums final). In the pod namespace, pinned
      to one CPU (so the frames reach the wire in sending order), it sends the
      fixed list of inner packets (PLAN), IPv4 then IPv6, then an end marker:
      crafted frames by an AF_PACKET socket with a virtio-net header (a TCP
      super-frame is one GSO packet when the pod's link does TSO), the UDP
      GSO datagram by a UDP socket with UDP_SEGMENT (offload on) or as
      separate datagrams (offload off). It reads the captures until the end
      marker has left --tx and prints "frames N super-frames S largest L".

  diff REF.pcap NEW.pcap --family 4|6 [--names stock,nodeplane]
      Pairs the VXLAN frames of that outer family in order and compares
      every field of every layer (parse() below). One line per difference:
        frame 5 [icmp-ce]: outer IPv4 ECN: stock 0x2 (ECT(0)), nodeplane 0x3 (CE)
      The frame count must be PLAN's exactly (so zero frames FAIL).

  selftest PCAP --family 4|6
      Doctors copies of a capture (outer TTL/hop limit, VXLAN flags, DF or
      flow label, ECN, an inner byte, a bad UDP checksum, a frame missing, no
      frames) and requires diff to report each, naming the frame and field;
      a copy changed only in ALLOWED fields must pass.

Exit status 1 on any FAIL.
"""
import argparse
import ctypes
import os
import select
import socket
import struct
import sys
import time

# --- what may differ ----------------------------------------------------------

# (layer, field) -> why it may differ. Nothing else may.
ALLOWED = {
    ("UDP", "source port"):
        "flow hash of the sender, implementation-specific (spec/overlay.md §1.6); "
        "checked instead: within the port range, constant per inner flow",
    ("UDP", "checksum"):
        "depends on the source port; checked instead: valid on both sides",
    ("outer IPv4", "ID"):
        "kernel-chosen per packet (spec/overlay.md §1.6)",
    ("outer IPv4", "header checksum"):
        "depends on the ID; checked instead: valid on both sides",
}
# Fields that must be True on each side (equality alone would pass two
# equally wrong frames).
MUST_HOLD = {
    ("outer IPv4", "header checksum valid"),
    ("UDP", "checksum valid"),
    ("UDP", "source port in range"),
    ("frame", "complete (caplen = len)"),
    ("UDP", "length = IP payload"),
}

VXLAN_PORT = 8472
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
SOL_PACKET = 263
PACKET_VNET_HDR = 15
SOL_UDP = 17
UDP_SEGMENT = 103
IP_MTU_DISCOVER = 10
IP_PMTUDISC_DO = 2

MARKER_ID = 0xFEED
LIBC = ctypes.CDLL(None, use_errno=True)

# --- checksums and headers --------------------------------------------------


def csum_add(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def csum16(data):
    return (~csum_add(data)) & 0xFFFF


def pseudo(fam, src, dst, proto, length):
    if fam == 4:
        return src + dst + struct.pack("!BBH", 0, proto, length)
    return src + dst + struct.pack("!I3xB", length, proto)


def l4_csum(fam, src, dst, proto, seg):
    """Checksum of the L4 segment `seg` (its checksum field zero)."""
    c = csum16(pseudo(fam, src, dst, proto, len(seg)) + seg)
    return c or (0xFFFF if proto == 17 else 0)


def aton(fam, a):
    return socket.inet_pton(socket.AF_INET if fam == 4 else socket.AF_INET6, a)


def ntoa(fam, b):
    return socket.inet_ntop(socket.AF_INET if fam == 4 else socket.AF_INET6, b)


def mac_bytes(m):
    return bytes(int(x, 16) for x in m.split(":"))


def mac_str(b):
    return ":".join(f"{x:02x}" for x in b)


# --- the inner packets --------------------------------------------------------

POD4 = ("10.42.0.2", "10.42.1.2")
POD6 = ("2001:db8:42::2", "2001:db8:42:1::2")
MTU4, MTU6 = 1450, 1430       # flannel.1 and flannel-v6.1 on a 1500 underlay (§1.7)


def pattern(n, k):
    return bytes((i * 7 + k) & 0xFF for i in range(n))


class Pkt:
    """One inner packet: an IP packet the pod sends (kind "raw"), or a UDP
    GSO datagram sent through the pod's stack (kind "udpgso")."""

    def __init__(self, name, fam, ip=b"", nseg=1, vnet=None, kind="raw", payload=b"",
                 segsize=0):
        self.name, self.fam, self.ip, self.nseg, self.vnet = name, fam, ip, nseg, vnet
        self.kind, self.payload, self.segsize = kind, payload, segsize


def ip_packet(fam, proto, l4, tos=0, ident=0, df=True, ttl=64, fl=0, frag=None):
    """IPv4 or IPv6 header + l4; frag = (offset, more) adds fragmentation."""
    src, dst = (aton(fam, a) for a in (POD4 if fam == 4 else POD6))
    if fam == 4:
        fo = (0x4000 if df else 0)
        if frag:
            fo |= (0x2000 if frag[1] else 0) | (frag[0] >> 3)
        h = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + len(l4), ident, fo, ttl, proto, 0,
                        src, dst)
        return h[:10] + struct.pack("!H", csum16(h)) + h[12:] + l4
    nh = proto
    if frag:
        l4 = struct.pack("!BBHI", proto, 0, frag[0] | (1 if frag[1] else 0), ident) + l4
        nh = 44
    return struct.pack("!IHBB16s16s", (6 << 28) | (tos << 20) | fl, len(l4), nh, ttl,
                       src, dst) + l4


def icmp_echo(fam, ident, seq, data):
    src, dst = (aton(fam, a) for a in (POD4 if fam == 4 else POD6))
    if fam == 4:
        m = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + data
        return m[:2] + struct.pack("!H", csum16(m)) + m[4:]
    m = struct.pack("!BBHHH", 128, 0, 0, ident, seq) + data
    return m[:2] + struct.pack("!H", l4_csum(6, src, dst, 58, m)) + m[4:]


def udp_dgram(fam, sport, dport, data, csum=True):
    src, dst = (aton(fam, a) for a in (POD4 if fam == 4 else POD6))
    u = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    return u[:6] + struct.pack("!H", l4_csum(fam, src, dst, 17, u) if csum else 0) + u[8:]


def tcp_seg(fam, flags, data, seq=0x10000000, opts=b"", partial=False):
    """A TCP segment; partial: checksum field = the pseudo-header sum only,
    as a CHECKSUM_PARTIAL super-frame wants it (the kernel completes it)."""
    src, dst = (aton(fam, a) for a in (POD4 if fam == 4 else POD6))
    off = (20 + len(opts)) // 4
    t = struct.pack("!HHIIBBHHH", 40001, 5201, seq, 0x20000000, off << 4, flags, 502, 0, 0) + \
        opts + data
    if partial:
        c = csum_add(pseudo(fam, src, dst, 6, len(t)))
    else:
        c = l4_csum(fam, src, dst, 6, t)
    return t[:16] + struct.pack("!H", c) + t[18:]


def plan(fam):
    """The inner packets of one family, in sending order."""
    p = []
    ipl = 20 if fam == 4 else 40
    mtu = MTU4 if fam == 4 else MTU6
    icmp = 1 if fam == 4 else 58
    # ICMP echo requests, plain, DSCP-marked and ECN-marked
    for i, (name, tos) in enumerate([("icmp-plain", 0x00), ("icmp-dscp-ef", 0xB8),
                                     ("icmp-ect0", 0x02), ("icmp-ect1", 0x01),
                                     ("icmp-ce", 0x03), ("icmp-af41-ce", 0x8B)]):
        p.append(Pkt(name, fam, ip_packet(fam, icmp, icmp_echo(fam, 0x4100 + i, 1, pattern(56, i)),
                                           tos=tos, ident=0x1100 + i)))
    # UDP of several sizes: 1 byte (a 43/63-byte inner frame, no padding), no DF
    # (IPv4) or a flow label (IPv6), 1000 bytes, the largest that fits
    p.append(Pkt("udp-1B", fam, ip_packet(fam, 17, udp_dgram(fam, 5001, 5002, b"x"),
                                          ident=0x1200)))
    if fam == 4:
        p.append(Pkt("udp-100B-no-df", fam, ip_packet(fam, 17, udp_dgram(fam, 5001, 5002,
                                                                         pattern(100, 1)),
                                                      ident=0x1201, df=False)))
    else:
        p.append(Pkt("udp-100B-flow-label", fam, ip_packet(fam, 17, udp_dgram(fam, 5001, 5002,
                                                                              pattern(100, 1)),
                                                           fl=0x12345)))
    p.append(Pkt("udp-1000B", fam, ip_packet(fam, 17, udp_dgram(fam, 5001, 5002, pattern(1000, 2)),
                                             ident=0x1202)))
    big = mtu - ipl - 8
    p.append(Pkt(f"udp-{big}B-max", fam, ip_packet(fam, 17, udp_dgram(fam, 5001, 5002,
                                                                       pattern(big, 3)),
                                                   ident=0x1203)))
    # A 3000-byte datagram in fragments that fill the overlay MTU
    d = udp_dgram(fam, 5001, 5003, pattern(3000, 4))
    step = ((mtu - ipl - (0 if fam == 4 else 8)) // 8) * 8
    chunks = [d[o:o + step] for o in range(0, len(d), step)]
    for k, c in enumerate(chunks):
        p.append(Pkt(f"udp-3000B-frag{k + 1}/{len(chunks)}", fam,
                     ip_packet(fam, 17, c, ident=0x1300, df=False,
                               frag=(k * step, k < len(chunks) - 1))))
    # TCP: a SYN, a small ECT(0) data segment, then a super-frame of 8 MSS
    mss = mtu - ipl - 20
    p.append(Pkt("tcp-syn", fam, ip_packet(fam, 6, tcp_seg(fam, 0x02, b"", seq=0x0FFFFFFF,
                                                          opts=struct.pack("!BBH", 2, 4, mss)),
                                           ident=0x1400)))
    p.append(Pkt("tcp-500B-ect0", fam, ip_packet(fam, 6, tcp_seg(fam, 0x18, pattern(500, 5)),
                                                 tos=0x02, ident=0x1401)))
    n = 8
    ip = ip_packet(fam, 6, tcp_seg(fam, 0x18, pattern(n * mss, 6), seq=0x10000000 + 500,
                                   partial=True), tos=0x02, ident=0x1402)
    # virtio_net_hdr: NEEDS_CSUM, TCPV4 (1) / TCPV6 (4), hdr_len, gso_size,
    # csum_start, csum_offset (little-endian: the guest is x86)
    vnet = struct.pack("<BBHHHH", 1, 1 if fam == 4 else 4, 14 + ipl + 20, mss, 14 + ipl, 16)
    p.append(Pkt(f"tcp-tso-{n}x{mss}B-ect0", fam, ip, nseg=n, vnet=vnet))
    # UDP GSO (UDP_SEGMENT) through the pod's own stack: 4 x 1000 bytes
    p.append(Pkt("udp-gso-4x1000B", fam, kind="udpgso", payload=pattern(4000, 7), segsize=1000,
                 nseg=4))
    return p


def marker():
    return Pkt("end-marker", 4, ip_packet(4, 1, icmp_echo(4, MARKER_ID, 1, b"wirediff end"),
                                          ident=0x1FFF))


def frame_labels(fam):
    """Names of the outer frames of a family, in order."""
    out = []
    for pk in plan(fam) + ([marker()] if fam == 4 else []):
        out += [pk.name if pk.nseg == 1 else f"{pk.name} seg {i + 1}/{pk.nseg}"
                for i in range(pk.nseg)]
    return out


def enter_netns(name):
    """Move this thread to network namespace `name`: sockets made from now on
    belong to it (the ones made before stay where they were made)."""
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    if LIBC.setns(fd, 0x40000000) != 0:         # CLONE_NEWNET
        e = ctypes.get_errno()
        raise OSError(e, f"setns {name}: {os.strerror(e)}")
    os.close(fd)


def send_all(a):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    s.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)
    eth = {4: mac_bytes(a.dst_ether) + mac_bytes(a.src_ether) + b"\x08\x00",
           6: mac_bytes(a.dst_ether) + mac_bytes(a.src_ether) + b"\x86\xdd"}
    no_vnet = bytes(10)
    for pk in plan(4) + plan(6) + [marker()]:
        if pk.kind == "raw":
            s.sendto((pk.vnet or no_vnet) + eth[pk.fam] + pk.ip,
                     (a.iface, 0x0800 if pk.fam == 4 else 0x86DD))
            continue
        af = socket.AF_INET if pk.fam == 4 else socket.AF_INET6
        src, dst = POD4 if pk.fam == 4 else POD6
        u = socket.socket(af, socket.SOCK_DGRAM)
        u.bind((src, 5004))
        if pk.fam == 4:
            # DF even on the GSO super-frame: IPv4 ID 0, not a random one
            u.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO)
        if a.offload == "on":
            u.setsockopt(SOL_UDP, UDP_SEGMENT, pk.segsize)
            u.sendto(pk.payload, (dst, 5005))
        else:
            for o in range(0, len(pk.payload), pk.segsize):
                u.sendto(pk.payload[o:o + pk.segsize], (dst, 5005))
        u.close()
    s.close()


# --- pcap -------------------------------------------------------------------


def read_pcap(path):
    """[(caplen, origlen, bytes)] of an Ethernet pcap."""
    data = open(path, "rb").read()
    if len(data) < 24:
        raise SystemExit(f"FAIL {path}: not a pcap file ({len(data)} bytes)")
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise SystemExit(f"FAIL {path}: not a pcap file (magic {magic.hex()})")
    linktype = struct.unpack(e + "I", data[20:24])[0]
    if linktype != 1:
        raise SystemExit(f"FAIL {path}: link type {linktype}, want Ethernet (1)")
    out, o = [], 24
    while o + 16 <= len(data):
        _, _, incl, orig = struct.unpack(e + "IIII", data[o:o + 16])
        out.append((incl, orig, data[o + 16:o + 16 + incl]))
        o += 16 + incl
    return out


def write_pcap(path, frames, snaplen=262144):
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, 1))
        for i, (orig, b) in enumerate(frames):
            b = b[:snaplen]
            f.write(struct.pack("<IIII", i, 0, len(b), orig) + b)
    os.replace(path + ".tmp", path)


# --- capture ----------------------------------------------------------------


def outer_vxlan(b):
    """(family, udp offset) if b is an outer VXLAN frame, else None."""
    if len(b) < 14:
        return None
    et = struct.unpack("!H", b[12:14])[0]
    if et == 0x0800 and len(b) >= 34 and b[23] == 17 and not struct.unpack("!H", b[20:22])[0] & 0x3FFF:
        o = 14 + (b[14] & 0xF) * 4
    elif et == 0x86DD and len(b) >= 62 and b[20] == 17:
        o = 54
    else:
        return None
    if len(b) < o + 8 or struct.unpack("!H", b[o + 2:o + 4])[0] != VXLAN_PORT:
        return None
    return (4 if et == 0x0800 else 6), o


def is_marker(b):
    v = outer_vxlan(b)
    if not v or v[0] != 4:
        return False
    inner = b[v[1] + 16:]
    return len(inner) >= 14 + 28 and inner[12:14] == b"\x08\x00" and inner[23] == 1 and \
        struct.unpack("!H", inner[14 + 24:14 + 26])[0] == MARKER_ID


def cmd_run(a):
    os.sched_setaffinity(0, {0})
    enter_netns(a.wire_ns)
    socks = {}
    for role, ifc in (("rx", a.rx), ("tx", a.tx)):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)   # SO_RCVBUFFORCE: nothing lost
        s.bind((ifc, 0))
        socks[s] = role
    enter_netns(a.pod_ns)
    send_all(a)
    final, sup = [], []
    end = time.monotonic() + a.timeout
    done = False
    while not done:
        left = end - time.monotonic()
        if left <= 0:
            break
        r, _, _ = select.select(list(socks), [], [], left)
        for s in r:
            b, addr = s.recvfrom(1 << 18)
            out = addr[2] == PACKET_OUTGOING
            if socks[s] == "rx" and not out and outer_vxlan(b):
                sup.append((len(b), b))
            elif socks[s] == "tx" and out and outer_vxlan(b):
                final.append((len(b), b))
                done = done or is_marker(b)
    write_pcap(a.final, final)
    write_pcap(a.super, sup, 128)
    if not done:
        print(f"FAIL capture: no end marker within {a.timeout}s ({len(final)} frames)")
        sys.exit(1)
    big = [n for n, _ in sup if n > 1514]
    print(f"frames {len(final)} super-frames {len(big)} largest {max([n for n, _ in sup] or [0])}")


# --- parsing and comparing ----------------------------------------------------


def ecn_name(v):
    return ("Not-ECT", "ECT(1)", "ECT(0)", "CE")[v]


def parse(fam, rec, port_range):
    """OrderedDict (layer, field) -> value of one outer frame."""
    caplen, orig, b = rec
    f = {("frame", "complete (caplen = len)"): caplen == orig, ("frame", "length"): len(b)}
    f[("Ethernet", "destination")] = mac_str(b[0:6])
    f[("Ethernet", "source")] = mac_str(b[6:12])
    f[("Ethernet", "type")] = f"{struct.unpack('!H', b[12:14])[0]:#06x}"
    o = 14
    if fam == 4:
        L = "outer IPv4"
        vihl, tos, tot, ident, fo, ttl, proto, hc = struct.unpack("!BBHHHBBH", b[o:o + 12])
        ihl = (vihl & 0xF) * 4
        f[(L, "version")] = vihl >> 4
        f[(L, "IHL")] = ihl
        f[(L, "DSCP")] = tos >> 2
        f[(L, "ECN")] = f"{tos & 3:#x} ({ecn_name(tos & 3)})"
        f[(L, "total length")] = tot
        f[(L, "ID")] = ident
        f[(L, "reserved flag")] = fo >> 15
        f[(L, "DF")] = (fo >> 14) & 1
        f[(L, "MF")] = (fo >> 13) & 1
        f[(L, "fragment offset")] = fo & 0x1FFF
        f[(L, "TTL")] = ttl
        f[(L, "protocol")] = proto
        f[(L, "header checksum")] = f"{hc:#06x}"
        f[(L, "header checksum valid")] = csum16(b[o:o + ihl]) == 0
        f[(L, "source")] = ntoa(4, b[o + 12:o + 16])
        f[(L, "destination")] = ntoa(4, b[o + 16:o + 20])
        f[(L, "options")] = b[o + 20:o + ihl].hex()
        src, dst = b[o + 12:o + 16], b[o + 16:o + 20]
        end = o + tot
        o += ihl
    else:
        L = "outer IPv6"
        w0, plen, nh, hlim = struct.unpack("!IHBB", b[o:o + 8])
        f[(L, "version")] = w0 >> 28
        f[(L, "DSCP")] = (w0 >> 22) & 0x3F
        f[(L, "ECN")] = f"{(w0 >> 20) & 3:#x} ({ecn_name((w0 >> 20) & 3)})"
        f[(L, "flow label")] = f"{w0 & 0xFFFFF:#x}"
        f[(L, "payload length")] = plen
        f[(L, "next header")] = nh
        f[(L, "hop limit")] = hlim
        f[(L, "source")] = ntoa(6, b[o + 8:o + 24])
        f[(L, "destination")] = ntoa(6, b[o + 24:o + 40])
        src, dst = b[o + 8:o + 24], b[o + 24:o + 40]
        end = o + 40 + plen
        o += 40
    f[("Ethernet", "trailer after the IP packet")] = b[end:].hex()
    U = "UDP"
    sport, dport, ulen, uc = struct.unpack("!HHHH", b[o:o + 8])
    udp = b[o:end]
    f[(U, "source port")] = sport
    f[(U, "source port in range")] = port_range[0] <= sport <= port_range[1]
    f[(U, "destination port")] = dport
    f[(U, "length")] = ulen
    f[(U, "length = IP payload")] = ulen == len(udp)
    f[(U, "checksum")] = f"{uc:#06x}"
    f[(U, "checksum zero (none)")] = uc == 0
    f[(U, "checksum valid")] = uc == 0 and fam == 4 or \
        (uc != 0 and csum16(pseudo(fam, src, dst, 17, len(udp)) + udp) == 0)
    V = "VXLAN"
    vx = b[o + 8:o + 16]
    f[(V, "flags")] = f"{vx[0]:#04x}"
    f[(V, "reserved bytes 1-3")] = vx[1:4].hex()
    f[(V, "VNI")] = int.from_bytes(vx[4:7], "big")
    f[(V, "reserved byte 7")] = f"{vx[7]:#04x}"
    ie = b[o + 16:end]
    I = "inner Ethernet"
    f[(I, "destination")] = mac_str(ie[0:6])
    f[(I, "source")] = mac_str(ie[6:12])
    f[(I, "type")] = f"{struct.unpack('!H', ie[12:14])[0]:#06x}"
    ip = ie[14:]
    if ie[12:14] == b"\x08\x00" and len(ip) >= 20:
        J = "inner IPv4"
        vihl, tos, tot, ident, fo, ttl, proto, hc = struct.unpack("!BBHHHBBH", ip[:12])
        ihl = (vihl & 0xF) * 4
        for k, v in (("version/IHL", f"{vihl:#04x}"), ("TOS", f"{tos:#04x}"),
                     ("total length", tot), ("ID", f"{ident:#06x}"), ("flags/offset", f"{fo:#06x}"),
                     ("TTL", ttl), ("protocol", proto), ("header checksum", f"{hc:#06x}"),
                     ("source", ntoa(4, ip[12:16])), ("destination", ntoa(4, ip[16:20]))):
            f[(J, k)] = v
        rest = ip[20:]
    elif ie[12:14] == b"\x86\xdd" and len(ip) >= 40:
        J = "inner IPv6"
        w0, plen, nh, hlim = struct.unpack("!IHBB", ip[:8])
        for k, v in (("version/class/flow label", f"{w0:#010x}"), ("payload length", plen),
                     ("next header", nh), ("hop limit", hlim), ("source", ntoa(6, ip[8:24])),
                     ("destination", ntoa(6, ip[24:40]))):
            f[(J, k)] = v
        rest = ip[40:]
    else:
        rest = ip
    f[("inner payload", "bytes")] = rest
    return f


def inner_flow(f):
    """The inner TCP/UDP flow (what the source port is hashed from), or None
    (ICMP, fragments: not grouped)."""
    pay = f[("inner payload", "bytes")]
    if ("inner IPv4", "protocol") in f:
        if f[("inner IPv4", "protocol")] not in (6, 17) or int(f[("inner IPv4", "flags/offset")], 16) & 0x3FFF:
            return None
        return (f[("inner IPv4", "source")], f[("inner IPv4", "destination")],
                f[("inner IPv4", "protocol")], pay[:4])
    if ("inner IPv6", "next header") in f:
        if f[("inner IPv6", "next header")] not in (6, 17):
            return None
        return (f[("inner IPv6", "source")], f[("inner IPv6", "destination")],
                f[("inner IPv6", "next header")],
                int(f[("inner IPv6", "version/class/flow label")], 16) & 0xFFFFF, pay[:4])
    return None


def show(v):
    if isinstance(v, bytes):
        return f"{len(v)} bytes"
    return str(v)


def compare(ref, new, fam, names=("stock", "nodeplane"), expect=None, labels=None,
            port_range=(32768, 60999)):
    """List of FAIL messages; empty if the captures match."""
    fails = []
    for side, frames in zip(names, (ref, new)):
        if expect is not None and len(frames) != expect:
            fails.append(f"{side} capture holds {len(frames)} IPv{fam} VXLAN frames, expected {expect}")
    n = min(len(ref), len(new))
    if n == 0:
        fails.append(f"no IPv{fam} frames compared")
    if len(ref) != len(new):
        fails.append(f"frame count differs: {names[0]} {len(ref)}, {names[1]} {len(new)}")
    ports = ({}, {})
    for i in range(n):
        label = f"frame {i + 1}"
        if labels and len(labels) == len(ref) == len(new):
            label += f" [{labels[i]}]"
        fr = parse(fam, ref[i], port_range)
        fn = parse(fam, new[i], port_range)
        for s, fx in enumerate((fr, fn)):
            if inner_flow(fx) is not None:
                ports[s].setdefault(inner_flow(fx), set()).add(fx[("UDP", "source port")])
        for key in list(dict.fromkeys(list(fr) + list(fn))):
            a, b = fr.get(key, "(absent)"), fn.get(key, "(absent)")
            if key in MUST_HOLD:
                for side, v in zip(names, (a, b)):
                    if v is not True:
                        fails.append(f"{label}: {key[0]} {key[1]}: {side} {v}")
                continue
            if key in ALLOWED or a == b:
                continue
            if isinstance(a, bytes) and isinstance(b, bytes):
                at = next((j for j in range(min(len(a), len(b))) if a[j] != b[j]), min(len(a), len(b)))
                fails.append(f"{label}: {key[0]} {key[1]}: differ at offset {at}: "
                             f"{names[0]} {a[at:at + 8].hex()} ({len(a)} bytes), "
                             f"{names[1]} {b[at:at + 8].hex()} ({len(b)} bytes)")
            else:
                fails.append(f"{label}: {key[0]} {key[1]}: {names[0]} {show(a)}, {names[1]} {show(b)}")
    for side, p in zip(names, ports):
        for flow, s in p.items():
            if len(s) > 1:
                fails.append(f"{side}: UDP source port varies within one inner flow: {sorted(s)}")
    return fails


def frames_of(path, fam):
    return [r for r in read_pcap(path) if outer_vxlan(r[2]) and outer_vxlan(r[2])[0] == fam]


def cmd_diff(a):
    names = a.names.split(",")
    ref, new = frames_of(a.ref, a.family), frames_of(a.new, a.family)
    labels = frame_labels(a.family)
    fails = compare(ref, new, a.family, names, len(labels), labels)
    for m in fails[:40]:
        print(f"FAIL {m}")
    if len(fails) > 40:
        print(f"FAIL ... and {len(fails) - 40} more differences")
    print(f"IPv{a.family}: compared {min(len(ref), len(new))} frames, {len(fails)} differences; "
          f"allowed to differ: " + ", ".join(f"{k[0]} {k[1]}" for k in ALLOWED))
    return 1 if fails else 0


# --- self-test of the comparer --------------------------------------------------


def fix_csums(fam, b):
    """Recompute the outer IPv4 header and UDP checksums of frame b."""
    b = bytearray(b)
    if fam == 4:
        ihl = (b[14] & 0xF) * 4
        b[24:26] = b"\0\0"
        b[24:26] = struct.pack("!H", csum16(bytes(b[14:14 + ihl])))
        o, src, dst = 14 + ihl, bytes(b[26:30]), bytes(b[30:34])
        end = 14 + struct.unpack("!H", b[16:18])[0]
    else:
        o, src, dst = 54, bytes(b[22:38]), bytes(b[38:54])
        end = 54 + struct.unpack("!H", b[18:20])[0]
    b[o + 6:o + 8] = b"\0\0"
    b[o + 6:o + 8] = struct.pack("!H", l4_csum(fam, src, dst, 17, bytes(b[o:end])))
    return bytes(b)


def doctored(frames, idx, fam, fn, fix=True):
    out = list(frames)
    for i in ([idx] if isinstance(idx, int) else idx):
        caplen, orig, b = out[i]
        b = bytearray(b)
        fn(b)
        b = fix_csums(fam, bytes(b)) if fix else bytes(b)
        out[i] = (caplen, orig, b)
    return out


def cmd_selftest(a):
    fam = a.family
    base = frames_of(a.pcap, fam)
    n = len(base)
    o = 34 if fam == 4 else 54           # outer UDP (no IPv4 options)
    k = min(3, n - 1)                    # the doctored frame (0-based)
    lab = f"frame {k + 1}: "
    if n < 5:
        print(f"FAIL selftest{fam}: only {n} frames in {a.pcap}")
        return 1

    def flip(off, val):
        def f(b):
            b[off] = val(b[off])
        return f

    def sport_id(b):
        b[o:o + 2] = struct.pack("!H", struct.unpack("!H", b[o:o + 2])[0] ^ 1)
        if fam == 4:
            b[18:20] = struct.pack("!H", struct.unpack("!H", b[18:20])[0] ^ 0x5555)

    cases = [
        ("identical captures pass", base, None),
        ("allowed fields (UDP source port, IPv4 ID) changed on every frame pass",
         doctored(base, range(n), fam, sport_id), None),
        ("VXLAN flags byte 0x08 -> 0x0c reported",
         doctored(base, k, fam, flip(o + 8, lambda v: v | 0x04)), lab + "VXLAN flags: stock 0x08, nodeplane 0x0c"),
        ("VXLAN reserved byte 7 reported",
         doctored(base, k, fam, flip(o + 15, lambda v: v ^ 0x01)), lab + "VXLAN reserved byte 7: stock 0x00, nodeplane 0x01"),
        ("inner payload byte reported",
         doctored(base, k, fam, flip(-1, lambda v: v ^ 0xFF)), lab + "inner payload bytes: differ at offset"),
        ("bad UDP checksum reported",
         doctored(base, k, fam, flip(o + 7, lambda v: v ^ 0x01), fix=False), lab + "UDP checksum valid: nodeplane False"),
        ("missing frame reported", base[:-1], f"nodeplane capture holds {n - 1} IPv{fam} VXLAN frames, expected {n}"),
    ]
    if fam == 4:
        cases += [
            ("outer TTL 64 -> 63 reported", doctored(base, k, fam, flip(22, lambda v: v - 1)),
             lab + "outer IPv4 TTL: stock 64, nodeplane 63"),
            ("outer DF set reported", doctored(base, k, fam, flip(20, lambda v: v | 0x40)),
             lab + "outer IPv4 DF: stock 0, nodeplane 1"),
            ("outer ECN CE reported", doctored(base, k, fam, flip(15, lambda v: v | 0x03)),
             lab + "outer IPv4 ECN: stock"),
            ("outer DSCP reported", doctored(base, k, fam, flip(15, lambda v: v | 0xB8)),
             lab + "outer IPv4 DSCP: stock 0, nodeplane 46"),
        ]
    else:
        cases += [
            ("outer hop limit 64 -> 63 reported", doctored(base, k, fam, flip(21, lambda v: v - 1)),
             lab + "outer IPv6 hop limit: stock 64, nodeplane 63"),
            ("outer flow label reported", doctored(base, k, fam, flip(17, lambda v: v | 0x01)),
             lab + "outer IPv6 flow label: stock 0x0, nodeplane 0x1"),
            ("outer ECN CE reported", doctored(base, k, fam, flip(15, lambda v: v | 0x30)),
             lab + "outer IPv6 ECN: stock"),
        ]
    cases = [(name, base, new, n, want) for name, new, want in cases]
    cases.append(("zero frames reported", [], [], None, f"no IPv{fam} frames compared"))
    bad = 0
    for name, ref, new, expect, want in cases:
        fails = compare(ref, new, fam, expect=expect)
        if want is None:
            ok, why = not fails, "; ".join(fails[:2])
        else:
            # reported, and (for one doctored field) nothing else
            ok = any(want in m for m in fails) and (len(fails) == 1 or not want.startswith("frame"))
            why = f"want '{want}', got {fails[:3]}"
        print(f"{'OK' if ok else 'FAIL'} selftest{fam}: {name}" + ("" if ok else f": {why}"))
        bad += not ok
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    for o in ("--pod-ns", "--iface", "--src-ether", "--dst-ether", "--wire-ns", "--rx", "--tx",
              "--final", "--super"):
        r.add_argument(o, required=True)
    r.add_argument("--offload", choices=("on", "off"), required=True)
    r.add_argument("--timeout", type=float, default=120)
    d = sub.add_parser("diff")
    d.add_argument("ref")
    d.add_argument("new")
    d.add_argument("--names", default="stock,nodeplane")
    t = sub.add_parser("selftest")
    t.add_argument("pcap")
    for p in (d, t):
        p.add_argument("--family", type=int, choices=(4, 6), required=True)
    a = ap.parse_args()
    if a.cmd == "run":
        cmd_run(a)
    elif a.cmd == "diff":
        sys.exit(cmd_diff(a))
    else:
        sys.exit(cmd_selftest(a))


if __name__ == "__main__":
    main()
