#!/usr/bin/python3
"""TCP request/response rate: 1-byte request, 1-byte response, one at a time.

  rr.py server PORT            serve until killed (IPv4 and IPv6)
  rr.py client HOST PORT SECS  print transactions per second

Used by tests/bench/bench.sh in the test VM (TCP_NODELAY on both sides, so
each transaction is one round trip across the overlay).
"""
import socket
import sys
import threading
import time


def serve_conn(c):
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    with c:
        while True:
            b = c.recv(1)
            if not b:
                return
            c.sendall(b)


def server(port):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    s.listen(8)
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve_conn, args=(c,), daemon=True).start()


def client(host, port, secs):
    c = socket.create_connection((host, port), timeout=10)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    n = 0
    # warm-up (ARP/ND, PMTU, caches) outside the measurement
    for _ in range(20):
        c.sendall(b"x")
        c.recv(1)
    start = time.monotonic()
    end = start + secs
    while True:
        c.sendall(b"x")
        if not c.recv(1):
            raise SystemExit("server closed")
        n += 1
        if n % 16 == 0 and time.monotonic() >= end:
            break
    print(f"{n / (time.monotonic() - start):.1f}")


if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(int(sys.argv[2]))
    else:
        client(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
