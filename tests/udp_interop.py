#!/usr/bin/python3
"""Linux-side UDP clients for tests/cli_run_udp.sh (T-1, DS-2, DS-3, B-1, L-2).

  udp_interop.py echo FAMILY DEST PORT        FAMILY 4 or 6: one datagram to
                                              DEST:PORT must come back
                                              byte for byte from DEST:PORT
  udp_interop.py hops DEST PORT HOPS          AF_INET6 with IPV6_RECVHOPLIMIT:
                                              the reply carries hop limit HOPS
  udp_interop.py mcast GROUP PORT IFNAME FROM Linux sends to an IPv6 (or IPv4)
                                              group out of IFNAME; the unicast
                                              reply comes from FROM
  udp_interop.py listen GROUP PORT IFNAME FROM HOPS
                                              Linux joins GROUP on IFNAME and
                                              must receive duet's announcement
                                              (duet run --announce) from
                                              FROM:PORT with hop limit (TTL
                                              for IPv4) HOPS

Each waits at most 2 s per try and tries 3 times; exits 0 on success,
1 with a message otherwise."""
import os
import socket
import struct
import sys

TRIES = 3
TIMEOUT = 2.0


def payload(tag):
    # Distinct per run and per client so a stale reply cannot pass.
    return ("duet-%s-%d-" % (tag, os.getpid())).encode() + os.urandom(16).hex().encode()


def same_addr(a, b):
    fam = socket.AF_INET6 if ":" in a else socket.AF_INET
    return socket.inet_pton(fam, a.split("%")[0]) == socket.inet_pton(fam, b.split("%")[0])


def exchange(sock, data, dest, expect_from, recv):
    for attempt in range(TRIES):
        sock.sendto(data, dest)
        sock.settimeout(TIMEOUT)
        try:
            while True:
                got, src, extra = recv(sock)
                if got == data:
                    if not same_addr(src[0], expect_from[0]) or src[1] != expect_from[1]:
                        sys.exit("reply from %r, expected %r" % (src[:2], expect_from))
                    return extra
                # a reply to an earlier try (or garbage): keep reading
                if not got.startswith(data[:len(data) - 32]):
                    sys.exit("unexpected payload %r" % got)
        except socket.timeout:
            print("try %d: no reply within %.1f s" % (attempt + 1, TIMEOUT))
    sys.exit("no reply from %r after %d tries" % (dest, TRIES))


def plain_recv(sock):
    got, src = sock.recvfrom(65536)
    return got, src, None


def echo(fam, dest, port):
    af = socket.AF_INET if fam == "4" else socket.AF_INET6
    s = socket.socket(af, socket.SOCK_DGRAM)
    data = payload("echo%s" % fam)
    exchange(s, data, (dest, port), (dest, port), plain_recv)
    print("ok: %d bytes echoed by %s port %d (AF_INET%s)" % (len(data), dest, port,
                                                          "" if af == socket.AF_INET else "6"))


def hops(dest, port, want):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)

    def recv(sock):
        got, anc, _flags, src = sock.recvmsg(65536, socket.CMSG_SPACE(4))
        hl = None
        for level, typ, cdata in anc:
            if level == socket.IPPROTO_IPV6 and typ == socket.IPV6_HOPLIMIT:
                hl = struct.unpack("i", cdata[:4])[0]
        return got, src, hl

    hl = exchange(s, payload("hops"), (dest, port), (dest, port), recv)
    if hl is None:
        sys.exit("no IPV6_HOPLIMIT ancillary data")
    if hl != want:
        sys.exit("hop limit %d, expected %d" % (hl, want))
    print("ok: reply from %s carries hop limit %d" % (dest, hl))


def mcast(group, port, ifname, src):
    idx = socket.if_nametoindex(ifname)
    if ":" in group:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, idx)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, 0)
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                     struct.pack("4s4si", b"\0" * 4, b"\0" * 4, idx))
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    data = payload("mcast")
    exchange(s, data, (group, port), (src, port), plain_recv)
    print("ok: datagram to group %s answered by %s" % (group, src))


def listen(group, port, ifname, src, want_hops):
    idx = socket.if_nametoindex(ifname)
    if ":" in group:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("::", port))
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP,
                     socket.inet_pton(socket.AF_INET6, group) + struct.pack("@I", idx))
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
        want_cmsg = (socket.IPPROTO_IPV6, socket.IPV6_HOPLIMIT)
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", port))
        s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                     socket.inet_aton(group) + b"\0" * 4 + struct.pack("@i", idx))
        s.setsockopt(socket.IPPROTO_IP, getattr(socket, "IP_RECVTTL", 12), 1)  # Linux value
        want_cmsg = (socket.IPPROTO_IP, socket.IP_TTL)
    # duet announces once a second: a few seconds bound the wait.
    s.settimeout(TIMEOUT)
    for attempt in range(TRIES):
        try:
            while True:
                got, anc, _flags, frm = s.recvmsg(65536, socket.CMSG_SPACE(4))
                if not got.startswith(b"duet announce "):
                    continue  # something else sent to the group
                hl = None
                for level, typ, cdata in anc:
                    if (level, typ) == want_cmsg:
                        hl = struct.unpack("i", cdata[:4])[0]
                if not same_addr(frm[0], src) or frm[1] != port:
                    sys.exit("announcement from %r, expected %s port %d" % (frm[:2], src, port))
                if hl != want_hops:
                    sys.exit("announcement hop limit %r, expected %d" % (hl, want_hops))
                print("ok: %r to group %s from %s port %d, hop limit %d"
                      % (got, group, src, port, hl))
                return
        except socket.timeout:
            print("try %d: no announcement within %.1f s" % (attempt + 1, TIMEOUT))
    sys.exit("no announcement to %s after %d tries" % (group, TRIES))


def main(argv):
    if len(argv) == 5 and argv[1] == "echo":
        echo(argv[2], argv[3], int(argv[4]))
    elif len(argv) == 5 and argv[1] == "hops":
        hops(argv[2], int(argv[3]), int(argv[4]))
    elif len(argv) == 6 and argv[1] == "mcast":
        mcast(argv[2], int(argv[3]), argv[4], argv[5])
    elif len(argv) == 7 and argv[1] == "listen":
        listen(argv[2], int(argv[3]), argv[4], argv[5], int(argv[6]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
