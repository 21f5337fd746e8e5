#!/usr/bin/python3
"""Linux-side peers for tests/cli_run_raw.sh (R-1, R-3, R-4, R-8), against
`duet run --echo raw6:PROTO:OFFSET` (a raw IPv6 socket of protocol PROTO
with IPV6_CHECKSUM at OFFSET that echoes what it reads).

  raw_interop.py echo DEST PROTO OFF   a Linux raw socket with IPV6_CHECKSUM
                                       OFF (the kernel computes it) sends to
                                       DEST; the echo must come back (the
                                       kernel drops it if duet's checksum is
                                       bad), and a second Linux raw socket
                                       without the option gets the same
                                       datagram, whose checksum this script
                                       verifies itself (RFC 8200 8.1)
  raw_interop.py corrupt DEST PROTO OFF SRC
                                       scapy sends a datagram with a wrong
                                       checksum: duet must not echo it

Each wait is bounded (2 s a try, 3 tries); exits 0 on success, 1 otherwise."""
import os
import socket
import struct
import sys

TRIES = 3
TIMEOUT = 2.0
IPV6_CHECKSUM = 7


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def verify(src, dst, proto, payload):
    pseudo = (socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst)
              + struct.pack("!I", len(payload)) + b"\0\0\0" + bytes([proto]))
    return csum(pseudo + payload) == 0xFFFF


def body(off):
    # Distinct per run; room for the checksum field at off.
    tag = ("duet-raw-%d-" % os.getpid()).encode() + os.urandom(8).hex().encode()
    return b"\0" * (off + 2) + tag


def echo(dest, proto, off):
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, proto)
    s.setsockopt(socket.IPPROTO_IPV6, IPV6_CHECKSUM, off)
    plain = socket.socket(socket.AF_INET6, socket.SOCK_RAW, proto)
    s.settimeout(TIMEOUT)
    plain.settimeout(TIMEOUT)
    data = body(off)
    for _ in range(TRIES):
        s.sendto(data, (dest, 0))
        try:
            while True:
                got, frm = s.recvfrom(4096)
                if got[off + 2:] == data[off + 2:]:
                    break
        except socket.timeout:
            continue
        if frm[0].split("%")[0] != dest:
            print("echo from %s, not %s" % (frm[0], dest))
            return 1
        # The same datagram on the socket that does not verify: check it here.
        try:
            while True:
                raw, frm2 = plain.recvfrom(4096)
                if raw[off + 2:] == data[off + 2:] and frm2[0].split("%")[0] == dest:
                    break
        except socket.timeout:
            print("the unverified socket saw no echo")
            return 1
        me = [a[4][0] for a in socket.getaddrinfo(None, 0, socket.AF_INET6)]
        src = s.getsockname()[0] if s.getsockname()[0] != "::" else None
        ok = any(verify(dest, cand, proto, raw) for cand in
                 ([src] if src else []) + ["2001:db8:77::1"])
        if not ok:
            print("checksum of duet's echo does not verify: %s" % raw.hex())
            return 1
        print("ok: echo of %d octets, checksum %s at %d verifies" %
              (len(got), raw[off:off + 2].hex(), off))
        return 0
    print("no echo from %s" % dest)
    return 1


def corrupt(dest, proto, off, src):
    from scapy.all import IPv6, Raw, send  # Debian's python3-scapy
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, proto)
    s.settimeout(1.0)
    data = bytearray(body(off))
    pseudo = (socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dest)
              + struct.pack("!I", len(data)) + b"\0\0\0" + bytes([proto]))
    good = 0xFFFF - csum(pseudo + bytes(data))
    struct.pack_into("!H", data, off, good ^ 0x0100)  # one bit off
    send(IPv6(src=src, dst=dest, nh=proto) / Raw(bytes(data)), verbose=False)
    try:
        while True:
            got, frm = s.recvfrom(4096)
            if got[off + 2:] == bytes(data[off + 2:]):
                print("duet echoed a datagram whose checksum was bad")
                return 1
    except socket.timeout:
        pass
    print("ok: the corrupted datagram was not echoed")
    return 0


def main(argv):
    if argv[1] == "echo":
        return echo(argv[2], int(argv[3]), int(argv[4]))
    if argv[1] == "corrupt":
        return corrupt(argv[2], int(argv[3]), int(argv[4]), argv[5])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
