#!/usr/bin/python3
"""Linux-side peers for tests/cli_run_adv.sh (A-1, A-3, A-4, A-10), run inside
the test's network namespace against `duet run --echo udp:PORT --echo-adv
--echo-hopopts HEX --echo-dstopts HEX` (documentation addresses only).
RUNLOG is duet's output, where --echo-adv prints one "adv" line per recvmsg.

  adv_interop.py sticky DEST PORT HOPHEX DSTHEX
      A Linux AF_INET6 UDP socket with IPV6_RECVHOPOPTS and IPV6_RECVDSTOPTS
      gets its datagram back with exactly one Hop-by-Hop and one Destination
      Options object, in that order: duet's sticky headers HOPHEX and DSTHEX
      byte for byte, but for the Next Header octet, which must name what
      follows (60 after the Hop-by-Hop header, UDP after the Destination
      Options).
  adv_interop.py anc DEST PORT IFINDEX RUNLOG
      The Linux socket sends with ancillary IPV6_HOPLIMIT 42, IPV6_TCLASS
      0x28 and IPV6_DSTOPTS (a whole header; Linux wants CAP_NET_RAW);
      duet's line for it must say "pktinfo DEST%IFINDEX hoplimit 42 tclass
      40 dstopts HEX" with HEX the header as sent (Next Header UDP).
  adv_interop.py chain IFACE KERNEL DEST PORT DUET_MAC RUNLOG
      scapy sends, from KERNEL and the port of a bound Linux socket (which
      must get the echo), a datagram with Hop-by-Hop, Destination Options,
      Routing (type 0, Segments Left 0, one address) and Destination Options
      headers; duet's line must list hopopts, dstopts, rthdr, dstopts in
      that order, each byte for byte as on the wire.
  adv_interop.py ptb IFACE KERNEL DEST PORT DUET_MAC RUNLOG
      A 1300-byte datagram gets its echo, captured on IFACE; then a Packet
      Too Big (MTU 1280) from KERNEL quoting that echo (as much of it as
      fits in 1280 octets); duet must print "adv pathmtu KERNEL 1280".

Every wait is bounded (2 s per try, 3 tries; 3 s for a line in RUNLOG).
Prints what it saw; exits 0 on success, 1 with a message otherwise, 2 on a
usage error."""
import logging
import os
import re
import socket
import struct
import sys
import threading
import time

TRIES = 3
TIMEOUT = 2.0
LOG_WAIT = 3.0
NH_DSTOPTS = 60
NH_UDP = 17


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def norm6(a):
    return socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, a.split("%")[0]))


def payload(tag, size=0):
    # Distinct per run and per client so a stale reply cannot pass.
    p = ("duet-adv-%s-%d-" % (tag, os.getpid())).encode() + os.urandom(8).hex().encode()
    return p + b"x" * max(0, size - len(p))


def echo(sock, data, send, want_from=None):
    """send() the datagram until its echo arrives on sock (bounded);
    returns (ancillary data, source) of the echo."""
    for attempt in range(TRIES):
        send()
        sock.settimeout(TIMEOUT)
        try:
            while True:
                got, anc, flags, src = sock.recvmsg(65536, 8192)
                if got != data:
                    continue  # the echo of an earlier try
                if flags & socket.MSG_CTRUNC:
                    fail("ancillary data truncated (MSG_CTRUNC)")
                if want_from and (norm6(src[0]) != norm6(want_from[0]) or src[1] != want_from[1]):
                    fail("echo from %r, expected %r" % (src[:2], want_from))
                return anc, src
        except socket.timeout:
            print("try %d: no echo within %.1f s" % (attempt + 1, TIMEOUT))
    fail("no echo after %d tries" % TRIES)


def adv_line(runlog, port):
    """duet's first "adv from [...]:port" line, as (address, [(name, value)...])."""
    pat = re.compile(r"^adv from \[([^\]]+)\]:%d len (\d+)(.*)$" % port)
    deadline = time.monotonic() + LOG_WAIT
    while time.monotonic() < deadline:
        with open(runlog) as f:
            for line in f:
                m = pat.match(line.rstrip("\n"))
                if m:
                    toks = m.group(3).split()
                    if len(toks) % 2:
                        fail("odd adv line: %r" % line)
                    print("duet: " + line.rstrip("\n"))
                    return m.group(1), int(m.group(2)), list(zip(toks[0::2], toks[1::2]))
        time.sleep(0.05)
    fail("no 'adv from [...]:%d' line in duet's output within %.1f s" % (port, LOG_WAIT))


def objects(pairs, names):
    return [(k, v) for k, v in pairs if k in names]


def sticky(dest, port, hophex, dsthex):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPOPTS, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVDSTOPTS, 1)
    data = payload("sticky")
    anc, _ = echo(s, data, lambda: s.sendto(data, (dest, port)), (dest, port))
    got = [(t, d) for lvl, t, d in anc if lvl == socket.IPPROTO_IPV6]
    want = [(socket.IPV6_HOPOPTS, bytes([NH_DSTOPTS]) + bytes.fromhex(hophex)[1:]),
            (socket.IPV6_DSTOPTS, bytes([NH_UDP]) + bytes.fromhex(dsthex)[1:])]
    if got != want or len(anc) != len(got):
        fail("echo's ancillary data %r, expected %r" %
             ([(lvl, t, d.hex()) for lvl, t, d in anc], [(t, d.hex()) for t, d in want]))
    print("ok: echo from [%s]:%d carries hopopts %s and dstopts %s" %
          (dest, port, want[0][1].hex(), want[1][1].hex()))


def anc(dest, port, ifindex, runlog):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    data = payload("anc")
    # 16 octets: an unknown option 0x1e (action 00: skipped where unknown)
    # and a PadN to fill; Linux writes the Next Header octet.
    dst = bytes([0, 1, 0x1e, 0x0a]) + b"duet-anc-A" + bytes([1, 0])
    cmsgs = [(socket.IPPROTO_IPV6, socket.IPV6_HOPLIMIT, struct.pack("i", 42)),
             (socket.IPPROTO_IPV6, socket.IPV6_TCLASS, struct.pack("i", 0x28)),
             (socket.IPPROTO_IPV6, socket.IPV6_DSTOPTS, dst)]

    def send():
        try:
            s.sendmsg([data], cmsgs, 0, (dest, port))
        except OSError as e:
            fail("Linux sendmsg with IPV6_HOPLIMIT, IPV6_TCLASS, IPV6_DSTOPTS: %s" % e)

    echo(s, data, send, (dest, port))
    src, n, pairs = adv_line(runlog, s.getsockname()[1])
    want = [("pktinfo", "%s%%%d" % (norm6(dest), ifindex)), ("hoplimit", "42"),
            ("tclass", "40"), ("dstopts", (bytes([NH_UDP]) + dst[1:]).hex())]
    if n != len(data) or pairs != want:
        fail("duet saw len %d %r, expected len %d %r" % (n, pairs, len(data), want))
    print("ok: duet reports the datagram from [%s] with %s" %
          (src, " ".join("%s %s" % p for p in want)))


def scapy_import():
    logging.getLogger("scapy").setLevel(logging.ERROR)
    import scapy.all as sc
    sc.conf.verb = 0
    return sc


def ext_headers(ip):
    """The extension headers of a raw IPv6 packet: [(next header value, bytes)]."""
    nh, off, out = ip[6], 40, []
    while nh in (0, 43, 60):
        ln = (ip[off + 1] + 1) * 8
        out.append((nh, ip[off:off + ln]))
        nh, off = ip[off], off + ln
    return out


def chain(iface, kernel, dest, port, dmac, runlog):
    sc = scapy_import()
    from scapy.layers.inet6 import HBHOptUnknown
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.bind((kernel, 0))
    sport = s.getsockname()[1]
    data = payload("chain")
    ip = (sc.IPv6(src=kernel, dst=dest) /
          sc.IPv6ExtHdrHopByHop(options=[HBHOptUnknown(otype=0x1e, optdata=b"hbh-0")]) /
          sc.IPv6ExtHdrDestOpt(options=[HBHOptUnknown(otype=0x1e, optdata=b"dst-before-rt")]) /
          sc.IPv6ExtHdrRouting(type=0, segleft=0, addresses=["2001:db8:77::99"]) /
          sc.IPv6ExtHdrDestOpt(options=[HBHOptUnknown(otype=0x3e, optdata=b"dst-after")]) /
          sc.UDP(sport=sport, dport=port) / sc.Raw(data))
    wire = sc.raw(ip)
    hdrs = ext_headers(wire)
    names = {0: "hopopts", 60: "dstopts", 43: "rthdr"}
    want = [(names[nh], b.hex()) for nh, b in hdrs]
    if [k for k, _ in want] != ["hopopts", "dstopts", "rthdr", "dstopts"]:
        fail("scapy built %r" % want)
    frame = sc.Ether(src=sc.get_if_hwaddr(iface), dst=dmac, type=0x86dd) / sc.Raw(wire)
    echo(s, data, lambda: sc.sendp(frame, iface=iface), (dest, port))
    _, n, pairs = adv_line(runlog, sport)
    got = objects(pairs, ("hopopts", "dstopts", "rthdr"))
    if n != len(data) or got != want:
        fail("duet saw len %d %r, expected len %d %r" % (n, got, len(data), want))
    print("ok: duet reports the four headers in order: %s" %
          " ".join("%s %s" % p for p in want))


def ptb(iface, kernel, dest, port, dmac, runlog):
    sc = scapy_import()
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.bind((kernel, 0))
    sport = s.getsockname()[1]
    data = payload("ptb", 1300)

    def is_echo(f):
        return (sc.IPv6 in f and sc.UDP in f and norm6(f[sc.IPv6].src) == norm6(dest) and
                norm6(f[sc.IPv6].dst) == norm6(kernel) and f[sc.UDP].sport == port and
                f[sc.UDP].dport == sport)

    ready = threading.Event()
    sn = sc.AsyncSniffer(iface=iface, store=True, lfilter=is_echo, stop_filter=is_echo,
                         timeout=TRIES * TIMEOUT + 2, started_callback=ready.set)
    sn.start()
    if not ready.wait(5):
        fail("sniffer did not start")
    echo(s, data, lambda: s.sendto(data, (dest, port)), (dest, port))
    sn.join(TIMEOUT)
    frames = sn.results or []
    if not frames:
        fail("the echo is not in scapy's capture")
    quoted = sc.raw(frames[0][sc.IPv6])
    print("captured duet's echo: %d octets, headers %s" %
          (len(quoted), " ".join(str(nh) for nh, _ in ext_headers(quoted)) or "none"))
    # An ICMPv6 error fits in the minimum MTU (RFC 4443 2.4 (c)).
    quoted = quoted[:1280 - 40 - 8]
    frame = (sc.Ether(src=sc.get_if_hwaddr(iface), dst=dmac) /
             sc.IPv6(src=kernel, dst=dest) / sc.ICMPv6PacketTooBig(mtu=1280) / sc.Raw(quoted))
    want = "adv pathmtu %s 1280" % norm6(kernel)
    for attempt in range(TRIES):
        sc.sendp(frame, iface=iface)
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            with open(runlog) as f:
                if any(line.rstrip("\n") == want for line in f):
                    print("duet: " + want)
                    print("ok: Packet Too Big (MTU 1280) quoting %d octets gives the notice"
                          % len(quoted))
                    return
            time.sleep(0.05)
        print("try %d: no '%s' within %.1f s" % (attempt + 1, want, TIMEOUT))
    fail("no '%s' line in duet's output" % want)


def main(argv):
    if len(argv) == 6 and argv[1] == "sticky":
        sticky(argv[2], int(argv[3]), argv[4], argv[5])
    elif len(argv) == 6 and argv[1] == "anc":
        anc(argv[2], int(argv[3]), int(argv[4]), argv[5])
    elif len(argv) == 8 and argv[1] in ("chain", "ptb"):
        (chain if argv[1] == "chain" else ptb)(argv[2], argv[3], argv[4], int(argv[5]),
                                               argv[6], argv[7])
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv)
