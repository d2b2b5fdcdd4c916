#!/usr/bin/python3
"""VXLAN wire checks for tests/user/integration/overlay_*.sh (run in the VM).

  check PCAP --family 4|6 --src IP --dst IP --src-mac M --dst-mac M --vni N --port P
      Every VXLAN packet SRC -> DST in PCAP must be exactly what stock flannel
      emits (shared/spec/overlay.md §1.6, §1.8): header 08 00 00 00 VNI 00,
      inner dst = peer MAC, inner src = own MAC, UDP dst PORT, src port in
      32768-60999, IPv4 DF=0 TTL 64, IPv6 hop limit 64 flow label 0, UDP
      checksum non-zero and correct. Needs at least 5 such packets.
      --also SRC,DST,SRC_MAC,DST_MAC checks the other direction as well.

  craft --family 4|6 --iface IF --src IP --dst IP --dst-ether M --src-mac M
        --dst-mac M --inner-src IP --inner-dst IP [--stats CMD]
      Sends hand-made VXLAN frames (inner ICMP echo requests) from IF towards
      DST, one kind at a time, each followed by a correct frame whose echo
      reply shows that the receiver has processed everything before it. A bad
      frame must get no reply; a good one must. With --stats (a command
      printing `nodeplanectl overlay show -s` of the receiver) the counter
      deltas must be exact: the kind's drop counter +1 per bad frame, every
      other drop counter +0, rx_packets +1 per good frame.

  srccheck (the craft arguments) --check on|off --unknown-src IP
        --other-src IP --other-mac M --other-pod IP --other-vtep IP
        --own-vtep IP --target IP --node-src IP [--own-ll IP]
      NP_OVERLAY_F_RX_SRC_CHECK on the receiver (DST): frames whose inner
      source is not a pod address of the peer at the outer source (SRC is
      that peer, with pod INNER_SRC and device address OWN_VTEP; OTHER_* a
      third node whose endpoint OTHER_SRC is also reachable from IF;
      UNKNOWN_SRC no peer at all; NODE_SRC SRC's own non-pod address), ARP
      requests (IPv4) or Neighbour Solicitations (IPv6) for TARGET, the
      receiver's device address, from the right and from wrong senders
      (IPv6: also from OWN_LL, SRC's link-local address, by its VTEP MAC).
      With --check on each wrong one is dropped and counted in rx_bad_src
      exactly; with --check off the same frames are delivered (or answered)
      and nothing is counted, so the test can fail.

Prints one OK/FAIL line per check; exits 1 if any failed.
"""
import argparse
import os
import select
import shlex
import socket
import struct
import subprocess
import sys
import time

from scapy.layers.inet import ICMP, IP, UDP
from scapy.layers.inet6 import (ICMPv6EchoReply, ICMPv6EchoRequest, ICMPv6ND_NA, ICMPv6ND_NS,
                                 ICMPv6NDOptSrcLLAddr, IPv6)
from scapy.layers.l2 import ARP, Ether
from scapy.packet import Raw
from scapy.utils import rdpcap

DROP_KEYS = ("tx_no_peer", "tx_no_route", "tx_too_big", "rx_bad_header", "rx_bad_vni",
             "rx_bad_mac", "rx_loop", "rx_bad_csum", "rx_bad_inner", "rx_bad_src")
failed = 0


def report(ok, name, why=""):
    global failed
    if ok:
        print(f"OK {name}")
    else:
        failed += 1
        print(f"FAIL {name}: {why}")


def csum16(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def udp_csum(fam, src, dst, udp):
    """Correct checksum of the UDP datagram `udp` (bytes, checksum field ignored)."""
    udp = udp[:6] + b"\0\0" + udp[8:]
    if fam == 4:
        ph = socket.inet_pton(socket.AF_INET, src) + socket.inet_pton(socket.AF_INET, dst) + \
            struct.pack("!BBH", 0, 17, len(udp))
    else:
        ph = socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst) + \
            struct.pack("!I3xB", len(udp), 17)
    c = csum16(ph + udp)
    return c or 0xFFFF


def vxlan_hdr(vni, flags=0x08, r1=0, r2=0, r3=0):
    return struct.pack("!BBHI", flags, r1, r2, (vni << 8) | r3)


def cmd_check(a):
    check_one(a)
    if a.also:
        a.src, a.dst, a.src_mac, a.dst_mac = a.also.split(",")
        check_one(a)


def check_one(a):
    fam = a.family
    L3 = IP if fam == 4 else IPv6
    want_hdr = vxlan_hdr(a.vni)
    want_type = 0x0800 if fam == 4 else 0x86DD
    n = 0
    bad = []
    for p in rdpcap(a.pcap):
        if L3 not in p or UDP not in p:
            continue
        ip, udp = p[L3], p[UDP]
        if ip.src != a.src or ip.dst != a.dst or udp.dport != a.port:
            continue
        n += 1
        raw = bytes(udp)
        why = []
        if raw[8:16] != want_hdr:
            why.append(f"VXLAN header {raw[8:16].hex(' ')}")
        inner = Ether(raw[16:])
        if inner.dst != a.dst_mac:
            why.append(f"inner dst {inner.dst}")
        if inner.src != a.src_mac:
            why.append(f"inner src {inner.src}")
        if inner.type != want_type:
            why.append(f"inner ethertype {inner.type:#06x}")
        if not 32768 <= udp.sport <= 60999:
            why.append(f"UDP src port {udp.sport}")
        if len(raw) != udp.len:
            why.append(f"UDP length {udp.len} for {len(raw)} bytes (GSO frame?)")
        if udp.chksum == 0:
            why.append("UDP checksum zero")
        elif udp.chksum != udp_csum(fam, ip.src, ip.dst, raw):
            why.append(f"UDP checksum {udp.chksum:#06x}, correct {udp_csum(fam, ip.src, ip.dst, raw):#06x}")
        if fam == 4:
            if ip.flags.DF:
                why.append("DF set")
            if ip.ttl != 64:
                why.append(f"TTL {ip.ttl}")
            if ip.tos & 0xFC:
                why.append(f"DSCP {ip.tos >> 2}")
        else:
            if ip.hlim != 64:
                why.append(f"hop limit {ip.hlim}")
            if ip.fl != 0:
                why.append(f"flow label {ip.fl:#x}")
            if ip.tc & 0xFC:
                why.append(f"DSCP {ip.tc >> 2}")
        if why:
            bad.append(f"#{n}: " + ", ".join(why))
    report(n >= 5 and not bad, f"wire{fam} {a.src}->{a.dst}",
           f"{n} VXLAN packets, {len(bad)} wrong: " + "; ".join(bad[:3]) if bad else f"only {n} packets")


class Crafter:
    def __init__(self, a):
        self.a = a
        self.fam = a.family
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
        self.sock.bind((a.iface, 0))
        self.ether_src = open(f"/sys/class/net/{a.iface}/address").read().strip()
        self.next_id = 0x4200 + (os.getpid() & 0xFF) * 64
        self.seen = set()

    def frame(self, ident, vni=1, flags=0x08, r1=0, r2=0, r3=0, src_mac=None, dst_mac=None,
              chksum=None, sport=40000, outer_src=None, inner_src=None, inner=None):
        a = self.a
        if inner is not None:
            pass
        elif self.fam == 4:
            inner = Ether(src=src_mac or a.src_mac, dst=dst_mac or a.dst_mac) / \
                IP(src=inner_src or a.inner_src, dst=a.inner_dst, ttl=64) / \
                ICMP(type=8, id=ident, seq=1) / Raw(b"nodeplane-crafted")
        else:
            inner = Ether(src=src_mac or a.src_mac, dst=dst_mac or a.dst_mac) / \
                IPv6(src=inner_src or a.inner_src, dst=a.inner_dst, hlim=64) / \
                ICMPv6EchoRequest(id=ident, seq=1) / Raw(b"nodeplane-crafted")
        if self.fam == 4:
            outer = IP(src=outer_src or a.src, dst=a.dst, ttl=64, flags=0)
        else:
            outer = IPv6(src=outer_src or a.src, dst=a.dst, hlim=64)
        payload = vxlan_hdr(vni, flags, r1, r2, r3) + bytes(inner)
        pkt = Ether(src=self.ether_src, dst=a.dst_ether) / outer / \
            UDP(sport=sport, dport=8472, chksum=chksum) / Raw(payload)
        return bytes(pkt)

    def new_id(self):
        self.next_id += 1
        return self.next_id

    def poll(self, timeout):
        """Collect echo-reply ids arriving encapsulated from DST for `timeout` s."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                return
            data, addr = self.sock.recvfrom(65535)
            if addr[2] == socket.PACKET_OUTGOING:
                continue
            p = Ether(data)
            L3 = IP if self.fam == 4 else IPv6
            if L3 not in p:
                continue
            if UDP not in p:
                # an echo reply routed back unencapsulated (a non-pod source)
                self.note_reply(p)
                continue
            if p[L3].src != self.a.dst or p[UDP].dport != 8472:
                continue
            self.note_reply(Ether(bytes(p[UDP].payload)[8:]))

    def note_reply(self, inner):
        """Record an echo reply (by id), ARP reply or NA (by their destination) in `seen`."""
        if self.fam == 4 and ICMP in inner and inner[ICMP].type == 0:
            self.seen.add(inner[ICMP].id)
        if self.fam == 6 and ICMPv6EchoReply in inner:
            self.seen.add(inner[ICMPv6EchoReply].id)
        if self.fam == 4 and ARP in inner and inner[ARP].op == 2:
            self.seen.add(("arp", inner[ARP].pdst, inner[ARP].hwdst))
        if self.fam == 6 and ICMPv6ND_NA in inner:
            self.seen.add(("na", inner[IPv6].dst, inner[Ether].dst))

    def wait_reply(self, ident, timeout=15):
        end = time.monotonic() + timeout
        while ident not in self.seen and time.monotonic() < end:
            self.poll(min(0.2, end - time.monotonic()))
        return ident in self.seen

    def stats(self):
        if not self.a.stats:
            return None
        out = subprocess.run(shlex.split(self.a.stats), check=True, capture_output=True,
                             text=True).stdout
        for line in out.splitlines():
            f = line.split("\t")
            if f[0] == "stats":
                return {f[i]: int(f[i + 1]) for i in range(2, len(f) - 1, 2)}
        raise RuntimeError(f"no stats line in: {out!r}")

    def run(self, name, frames, good, counter=None, rx=None):
        """Send `frames` (list of kwargs for frame()), then one correct frame.

        A frame's "token" (popped from its kwargs) is what its answer is
        recorded as in `seen` (an ARP reply, an NA); by default its echo id.
        `rx` is rx_packets' expected delta for the frames (default: all of
        them if `good`); the correct frame adds 1.
        """
        before = self.stats()
        ids = []
        for kw in frames:
            kw = dict(kw)
            token = kw.pop("token", None)
            ident = self.new_id()
            ids.append(token if token is not None else ident)
            self.seen.discard(ids[-1])
            self.sock.send(self.frame(ident, **kw))
        sync = self.new_id()
        self.sock.send(self.frame(sync))
        if not self.wait_reply(sync):
            report(False, name, "no reply to the correct frame sent after it")
            return
        self.poll(0.3)
        if good:
            # an answer may wait for the underlay neighbour of its peer
            for i in ids:
                self.wait_reply(i, 10)
        after = self.stats()
        got = [i in self.seen for i in ids]
        if good and not all(got):
            report(False, name, "not delivered")
            return
        if not good and any(got):
            report(False, name, "delivered (should have been dropped)")
            return
        if before is not None:
            want = {k: 0 for k in DROP_KEYS}
            if counter:
                want[counter] = len(frames)
            if rx is None:
                rx = len(frames) if good else 0
            want["rx_packets"] = 1 + rx
            wrong = []
            for k, v in want.items():
                if k not in before or k not in after:
                    wrong.append(f"no stats key {k}")
                elif after[k] - before[k] != v:
                    wrong.append(f"{k} +{after[k] - before[k]} (want +{v})")
            if wrong:
                report(False, name, ", ".join(wrong))
                return
        report(True, name)


def cmd_craft(a):
    c = Crafter(a)
    other = "02:de:ad:be:ef:01"
    c.run("good-frame-delivered", [{}], True)
    c.run("udp-src-port-8472-delivered", [{"sport": 8472}], True)
    if a.family == 4:
        c.run("ipv4-zero-udp-checksum-delivered", [{"chksum": 0}], True)
    c.run("wrong-vni-dropped", [{"vni": 2}], False, "rx_bad_vni")
    c.run("reserved-bits-dropped", [{"r1": 0x01}, {"r3": 0x01}], False, "rx_bad_header")
    c.run("i-flag-clear-dropped", [{"flags": 0x00}], False, "rx_bad_header")
    c.run("extra-flag-dropped", [{"flags": 0x0C}], False, "rx_bad_header")
    c.run("wrong-inner-dst-mac-dropped", [{"dst_mac": other}], False, "rx_bad_mac")
    c.run("inner-src-own-mac-dropped", [{"src_mac": a.dst_mac}], False, "rx_loop")
    if a.family == 6:
        c.run("ipv6-zero-udp-checksum-dropped", [{"chksum": 0}], False, "rx_bad_csum")


def arp_request(sha, sip, tip):
    """Inner Ethernet/ARP who-has TIP tell SIP (SHA), broadcast."""
    return Ether(src=sha, dst="ff:ff:ff:ff:ff:ff") / \
        ARP(op=1, hwsrc=sha, psrc=sip, hwdst="00:00:00:00:00:00", pdst=tip)


def neighbour_solicitation(sha, saddr, target):
    """Inner Ethernet/IPv6 NS for TARGET from SADDR (SHA), to its solicited-node group."""
    t = socket.inet_pton(socket.AF_INET6, target)
    group = socket.inet_ntop(socket.AF_INET6, bytes.fromhex("ff02" + "0000" * 4 + "0001" + "ff") + t[13:])
    return Ether(src=sha, dst="33:33:ff:" + t[13:].hex(":")) / \
        IPv6(src=saddr, dst=group, hlim=255) / ICMPv6ND_NS(tgt=target) / ICMPv6NDOptSrcLLAddr(lladdr=sha)


def cmd_srccheck(a):
    if a.family == 6 and not a.own_ll:
        sys.exit("srccheck: --own-ll is required with --family 6")
    c = Crafter(a)
    on = a.check == "on"
    # A wrong frame: refused and counted with the check on, delivered without.
    def wrong(name, frames, rx=None):
        if on:
            c.run(name + "-refused", frames, False, "rx_bad_src")
        else:
            c.run(name + "-delivered-when-off", frames, True, rx=rx)

    c.run("peer-frame-delivered", [{}], True)
    c.run("third-node-own-pod-delivered",
          [{"outer_src": a.other_src, "inner_src": a.other_pod, "src_mac": a.other_mac}], True)
    wrong("third-node-pod-from-peer", [{"inner_src": a.other_pod}])
    wrong("peer-pod-from-third-node", [{"outer_src": a.other_src, "src_mac": a.other_mac}])
    wrong("peer-pod-from-unknown-address", [{"outer_src": a.unknown_src}])
    wrong("peer-node-address-source", [{"inner_src": a.node_src}])
    wrong("two-spoofed-frames", [{"inner_src": a.other_pod}, {"outer_src": a.unknown_src}])
    if a.family == 4:
        def req(sha, sip):
            return {"inner": arp_request(sha, sip, a.target), "token": ("arp", sip, sha)}
        ask, ll = "arp", None
    else:
        def req(sha, sip):
            return {"inner": neighbour_solicitation(sha, sip, a.target), "token": ("na", sip, sha)}
        ask, ll = "ns", a.own_ll
    # ARP/ND: answered, not delivered: rx_packets moves for the correct frame only.
    c.run(f"{ask}-from-peer-answered", [req(a.src_mac, a.own_vtep)], True, rx=0)
    if ll:
        c.run(f"{ask}-link-local-from-peer-mac-answered", [req(a.src_mac, ll)], True, rx=0)
    c.run(f"{ask}-from-third-node-answered",
          [dict(req(a.other_mac, a.other_vtep), outer_src=a.other_src)], True, rx=0)
    wrong(f"{ask}-third-node-sender-from-peer", [req(a.other_mac, a.other_vtep)], rx=0)
    wrong(f"{ask}-peer-sender-from-unknown-address",
          [dict(req(a.src_mac, a.own_vtep), outer_src=a.unknown_src)], rx=0)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    ck = sub.add_parser("check")
    ck.add_argument("pcap")
    cr = sub.add_parser("craft")
    cr.add_argument("--iface", required=True)
    cr.add_argument("--dst-ether", required=True)
    cr.add_argument("--inner-src", required=True)
    cr.add_argument("--inner-dst", required=True)
    cr.add_argument("--stats")
    sc = sub.add_parser("srccheck")
    sc.add_argument("--iface", required=True)
    sc.add_argument("--dst-ether", required=True)
    sc.add_argument("--inner-src", required=True)
    sc.add_argument("--inner-dst", required=True)
    sc.add_argument("--stats")
    sc.add_argument("--check", choices=("on", "off"), required=True)
    sc.add_argument("--own-ll", help="IPv6: the peer's link-local address on its device")
    for k in ("unknown-src", "other-src", "other-mac", "other-pod", "other-vtep", "own-vtep",
              "target", "node-src"):
        sc.add_argument("--" + k, required=True)
    for p in (ck, cr, sc):
        p.add_argument("--family", type=int, choices=(4, 6), required=True)
        p.add_argument("--src", required=True)
        p.add_argument("--dst", required=True)
        p.add_argument("--src-mac", required=True)
        p.add_argument("--dst-mac", required=True)
    ck.add_argument("--vni", type=int, default=1)
    ck.add_argument("--port", type=int, default=8472)
    ck.add_argument("--also", help="SRC,DST,SRC_MAC,DST_MAC: check that direction too")
    a = ap.parse_args()
    {"check": cmd_check, "craft": cmd_craft, "srccheck": cmd_srccheck}[a.cmd](a)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
