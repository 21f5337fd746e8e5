#!/usr/bin/python3
"""SYN flood for tests/cli_run_tcp_flood.sh (T-2: listen backlog with
SYN-flood protection), from the kernel's side of the TAP device that
`duet run --echo tcp:PORT` serves (inside the test's namespace;
documentation addresses only).

  tcp_synflood.py IFACE DUET_MAC DUET4 DUET6 PORT COUNT

Keeps one established connection to DUET4:PORT (the kernel's own
address) and echoes 100 bytes over it every 20 ms in a thread, while
COUNT SYNs go out of IFACE as fast as an AF_PACKET socket takes them: half
to DUET4 from random sources in 203.0.113.0/24 (TEST-NET-3), half to DUET6
from random sources in 2001:db8:f100::/64, random ports and sequence
numbers, an MSS option. The frames are built once with scapy and patched
per SYN (addresses, port, sequence number, checksums). duet's SYN-ACKs go
to its gateway, the kernel, which does not forward them: the flood gets no
RST and the half-open connections stay half-open.

Prints "sent N in S s (R/s)", "echoes N failed F max-latency-ms L"; exits 1
if an echo failed or took over 2 s, or if a new connection from the kernel
cannot be made and used once the flood is over."""
import os
import random
import socket
import struct
import sys
import threading
import time

from scapy.all import IP, IPv6, TCP, Ether, raw  # noqa: E402


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def echo_loop(dest, port, stop, stats):
    s = socket.create_connection((dest, port), timeout=5)
    s.settimeout(2.0)
    while not stop.is_set():
        msg = os.urandom(100)
        t0 = time.monotonic()
        try:
            s.sendall(msg)
            got = b""
            while len(got) < len(msg):
                d = s.recv(len(msg) - len(got))
                if not d:
                    raise OSError("closed")
                got += d
            if got != msg:
                raise OSError("echo differs")
            stats["n"] += 1
            stats["max"] = max(stats["max"], time.monotonic() - t0)
        except OSError as e:
            stats["failed"] += 1
            stats["err"] = str(e)
            return
        time.sleep(0.02)
    s.close()


def flood(iface, mac, d4, d6, port, count):
    src_mac = open("/sys/class/net/%s/address" % iface).read().strip()
    t4 = bytearray(raw(Ether(dst=mac, src=src_mac) / IP(src="203.0.113.1", dst=d4, ttl=64) /
                       TCP(sport=1, dport=port, flags="S", seq=0, window=64240,
                           options=[("MSS", 1460)])))
    t6 = bytearray(raw(Ether(dst=mac, src=src_mac) / IPv6(src="2001:db8:f100::1", dst=d6) /
                       TCP(sport=1, dport=port, flags="S", seq=0, window=64240,
                           options=[("MSS", 1440)])))
    dst4 = socket.inet_pton(socket.AF_INET, d4)
    dst6 = socket.inet_pton(socket.AF_INET6, d6)
    pfx6 = socket.inet_pton(socket.AF_INET6, "2001:db8:f100::")[:8]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    rnd = random.Random(864)
    sent = 0
    t0 = time.monotonic()
    for i in range(count):
        sport = rnd.randrange(1024, 65536)
        seq = rnd.getrandbits(32)
        if i % 2 == 0:
            f = t4
            src = bytes([203, 0, 113, rnd.randrange(1, 255)])
            f[26:30] = src
            f[24:26] = b"\0\0"
            f[24:26] = struct.pack("!H", csum(bytes(f[14:34])))
            tcp = 34
            pseudo = src + dst4 + struct.pack("!BBH", 0, 6, len(f) - tcp)
        else:
            f = t6
            src = pfx6 + rnd.getrandbits(64).to_bytes(8, "big")
            f[22:38] = src
            tcp = 54
            pseudo = src + dst6 + struct.pack("!IxxxB", len(f) - tcp, 6)
        f[tcp:tcp + 2] = struct.pack("!H", sport)
        f[tcp + 4:tcp + 8] = struct.pack("!I", seq)
        f[tcp + 16:tcp + 18] = b"\0\0"
        f[tcp + 16:tcp + 18] = struct.pack("!H", csum(pseudo + bytes(f[tcp:])))
        try:
            s.send(f)
            sent += 1
        except OSError:  # the device's queue is full: that is a flood
            time.sleep(0.0005)
    sec = time.monotonic() - t0
    print("sent %d in %.1f s (%.0f/s)" % (sent, sec, sent / sec if sec else 0), flush=True)
    return sent


def main(argv):
    if len(argv) != 7:
        sys.exit(__doc__)
    iface, mac, d4, d6, port, count = argv[1], argv[2], argv[3], argv[4], int(argv[5]), int(argv[6])
    stop = threading.Event()
    stats = {"n": 0, "failed": 0, "max": 0.0, "err": ""}
    t = threading.Thread(target=echo_loop, args=(d4, port, stop, stats))
    t.start()
    time.sleep(0.3)
    flood(iface, mac, d4, d6, port, count)
    time.sleep(0.5)  # the established connection keeps working after the flood
    stop.set()
    t.join()
    print("echoes %d failed %d max-latency-ms %.0f %s" % (stats["n"], stats["failed"],
                                                         stats["max"] * 1000, stats["err"]))
    if stats["failed"] or stats["n"] < 5 or stats["max"] > 2.0:
        sys.exit("the established connection suffered under the flood")
    # A new connection after the flood (its SYN may meet a full SYN queue:
    # a SYN cookie makes it).
    for dest in (d4, d6):
        c = socket.create_connection((dest, port), timeout=5)
        c.sendall(b"after the flood")
        c.settimeout(5)
        if c.recv(100) != b"after the flood":
            sys.exit("no echo on a new connection to %s" % dest)
        c.close()
    print("ok: new connections to %s and %s echo after the flood" % (d4, d6))


if __name__ == "__main__":
    main(sys.argv)
