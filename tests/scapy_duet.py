#!/usr/bin/python3
"""Crafted-packet probes for tests/cli_run_scapy.sh, run with scapy on the
kernel's side of the TAP device that `duet run` serves (inside the test's
network namespace; documentation addresses only).

  scapy_duet.py ra    IFACE KERNEL_LL DUET_MAC PREFIX
      Router Advertisement with a Prefix Information option (A, L); waits for
      duet's DAD Neighbour Solicitation for an address in PREFIX/64 and prints
      "slaac ADDR"; fails if its interface identifier is the EUI-64 one.
  scapy_duet.py ptb   IFACE KERNEL DUET DUET_MAC
      ping -6 -s 1400: the reply must come whole; then a Packet Too Big (MTU
      1280) quoting that reply; the next reply must come in fragments of at
      most 1280 octets.
  scapy_duet.py frag  IFACE KERNEL DUET DUET_MAC CASE
      One crafted exchange from KERNEL to DUET; CASE is
        overlap    echo request in overlapping fragments: no answer at all
        chain      first fragment without the whole header chain: Parameter
                   Problem code 3, pointer 0, quoting it; no echo reply
        ns-frag    NS in two fragments: no NA, no ICMPv6 error
        ns-atomic  NS in an atomic fragment: no NA, no ICMPv6 error
        ns-plain   the same NS whole: an NA (the control for the two above)
        atomic     echo request in an atomic fragment: an echo reply
        opt-skip   Destination Options, unknown option 0x1e: an echo reply
        opt-icmp   Destination Options, unknown option 0x9e: Parameter
                   Problem code 2, pointer 42; no echo reply
        unknown-nh Destination Options, then Next Header 253: Parameter
                   Problem code 1, pointer 40
  scapy_duet.py mld   IFACE KERNEL_LL DUET_MAC DUET
      An MLDv2 General Query (Maximum Response Delay 1 s) from KERNEL_LL with
      hop limit 1 and a Router Alert: duet must answer within the delay with
      an MLDv2 Report to ff02::16 (hop limit 1, Router Alert, link-local
      source) holding MODE_IS_EXCLUDE for the solicited-node group of DUET;
      then the same Query with hop limit 64 (RFC 3810 5.1.14): no Report.
  scapy_duet.py ra-bad IFACE KERNEL_LL DUET_MAC PREFIX
      The Router Advertisement of "ra" with hop limit 254: no DAD NS for an
      address in PREFIX/64 (RFC 4861 6.1.2).

Every crafted fragment carries a Fragment header Identification 0xd0e7NNNN
(MARK), which the shell test uses to pick the crafted frames out of the
capture. Prints one line about what it saw; exit 1 on a wrong answer, 2 on a
usage error.
"""
import logging
import subprocess
import sys
import threading
import time

logging.getLogger("scapy").setLevel(logging.ERROR)
from scapy.all import (  # noqa: E402
    AsyncSniffer, Ether, ICMPv6EchoReply, ICMPv6EchoRequest, ICMPv6ND_NA,
    ICMPv6ND_NS, ICMPv6ND_RA, ICMPv6NDOptPrefixInfo, ICMPv6NDOptSrcLLAddr,
    ICMPv6PacketTooBig, ICMPv6ParamProblem, IPv6,
    IPv6ExtHdrFragment, Raw, conf, get_if_hwaddr, raw, sendp)
from scapy.layers.inet6 import (  # noqa: E402
    ICMPv6MLQuery2, ICMPv6MLReport2, IPv6ExtHdrHopByHop, RouterAlert)
from scapy.utils6 import in6_getnsma, in6_getnsmac  # noqa: E402
import socket  # noqa: E402
from socket import inet_ntop, inet_pton  # noqa: E402

conf.verb = 0
MARK = 0xd0e70000
ECHO_ID = 0xd0e7
WAIT_NONE = 1.0   # seconds to wait to be sure no answer comes
WAIT_SOME = 3.0   # at most this long for an answer that must come


def norm6(a):
    return inet_ntop(socket.AF_INET6, inet_pton(socket.AF_INET6, a))


def exchange(iface, frames, match, want_answer, timeout):
    """Sends frames while sniffing iface; returns the frames match() took
    (stops at the first one when want_answer)."""
    ready = threading.Event()
    sn = AsyncSniffer(iface=iface, store=True, lfilter=match, timeout=timeout,
                      stop_filter=match if want_answer else None,
                      started_callback=ready.set)
    sn.start()
    if not ready.wait(5):
        sys.exit("sniffer did not start")
    for f in frames:
        sendp(f, iface=iface)
    sn.join(timeout + 2)
    if sn.running:
        sn.stop()
    return list(sn.results or [])


def icmp6_bytes(src, dst, msg, hlim=64):
    """The ICMPv6 message with its checksum for src -> dst, as bytes."""
    return raw(IPv6(src=src, dst=dst, hlim=hlim) / msg)[40:]


def frag_frames(eth, ip, nh, payload, cuts, ident):
    """Fragments of payload: cuts is a list of (start, end, more) in octets."""
    out = []
    for start, end, more in cuts:
        out.append(eth / ip / IPv6ExtHdrFragment(nh=nh, offset=start // 8, m=int(more), id=ident)
                   / Raw(payload[start:end]))
    return out


def from_duet(duet_mac, pred):
    def m(p):
        return p.haslayer(Ether) and p[Ether].src.lower() == duet_mac and p.haslayer(IPv6) and pred(p)
    return m


def cmd_ra(iface, kernel_ll, duet_mac, prefix, hlim=255):
    kmac = get_if_hwaddr(iface)
    pfx = inet_pton(socket.AF_INET6, prefix)[:8]
    ra = (Ether(src=kmac, dst="33:33:00:00:00:01")
          / IPv6(src=kernel_ll, dst="ff02::1", hlim=hlim)
          / ICMPv6ND_RA(chlim=64, routerlifetime=0, reachabletime=0, retranstimer=0)
          / ICMPv6NDOptPrefixInfo(prefixlen=64, L=1, A=1, validlifetime=3600,
                                  preferredlifetime=1800, prefix=prefix)
          / ICMPv6NDOptSrcLLAddr(lladdr=kmac))

    def dad(p):  # RFC 4862 5.4.2: NS from ::, target the tentative address
        return (p.haslayer(ICMPv6ND_NS) and p[IPv6].src == "::"
                and inet_pton(socket.AF_INET6, p[ICMPv6ND_NS].tgt)[:8] == pfx)
    if hlim != 255:
        got = exchange(iface, [ra], from_duet(duet_mac, dad), False, 1.5)
        print("%d DAD Neighbour Solicitations in %s/64 after an RA with hop limit %d (want 0)"
              % (len(got), prefix, hlim))
        return 0 if not got else 1
    got = []
    for _ in range(3):  # DAD starts after a random delay of up to 1 s
        got = exchange(iface, [ra], from_duet(duet_mac, dad), True, 2.0)
        if got:
            break
    if not got:
        print("no DAD Neighbour Solicitation for an address in %s/64" % prefix)
        return 1
    addr = norm6(got[0][ICMPv6ND_NS].tgt)
    iid = inet_pton(socket.AF_INET6, addr)[8:]
    m = bytes.fromhex(duet_mac.replace(":", ""))
    eui64 = bytes([m[0] ^ 2]) + m[1:3] + b"\xff\xfe" + m[3:6]
    if iid == eui64:
        print("slaac %s has the EUI-64 interface identifier, not RFC 7217" % addr)
        return 1
    print("slaac %s" % addr)
    return 0


def mld_records(p):
    """(type, group) of every record of an MLDv2 Report, parsed from its
    bytes (RFC 3810 5.2; scapy 2.5 dissects only the first record)."""
    b = raw(p[ICMPv6MLReport2])
    out, off = [], 8
    for _ in range(int.from_bytes(b[6:8], "big")):
        if off + 20 > len(b):
            break
        nsrc = int.from_bytes(b[off + 2:off + 4], "big")
        out.append((b[off], norm6(inet_ntop(socket.AF_INET6, b[off + 4:off + 20]))))
        off += 20 + 16 * nsrc + 4 * b[off + 1]
    return out


def cmd_mld(iface, kernel_ll, duet_mac, duet):
    kmac = get_if_hwaddr(iface)
    sn = norm6(inet_ntop(socket.AF_INET6, in6_getnsma(inet_pton(socket.AF_INET6, duet))))

    def query(hlim):
        return (Ether(src=kmac, dst="33:33:00:00:00:01")
                / IPv6(src=kernel_ll, dst="ff02::1", hlim=hlim)
                / IPv6ExtHdrHopByHop(options=[RouterAlert(value=0)])
                / ICMPv6MLQuery2(mrd=1000, QRV=2, QQIC=125))

    def report(p):
        if not (p.haslayer(ICMPv6MLReport2) and p.haslayer(IPv6ExtHdrHopByHop)):
            return False
        ip, hbh = p[IPv6], p[IPv6ExtHdrHopByHop]
        ra = [o for o in hbh.options if isinstance(o, RouterAlert) and o.value == 0]
        recs = mld_records(p)
        return (ip.dst == "ff02::16" and ip.hlim == 1 and ra and ip.src.startswith("fe80:")
                and (2, sn) in recs)
    t0 = time.monotonic()
    got = exchange(iface, [query(1)], from_duet(duet_mac, report), True, WAIT_SOME)
    if not got:
        seen = exchange(iface, [query(1)], from_duet(duet_mac, lambda p: True), False, 2.0)
        print("no MLDv2 Report with IS_EX {%s} after a General Query; duet sent: %s"
              % (sn, "; ".join(p.summary() for p in seen) or "nothing"))
        return 1
    took = time.monotonic() - t0
    recs = ", ".join("%d %s" % r for r in mld_records(got[0]))
    print("MLDv2 Report from %s after %.2f s: %s" % (got[0][IPv6].src, took, recs))
    if took > 1.0 + 0.5:
        print("later than the Maximum Response Delay")
        return 1
    bad = exchange(iface, [query(64)], from_duet(duet_mac, report), False, 1.5)
    print("%d Reports after a Query with hop limit 64 (want 0)" % len(bad))
    return 0 if not bad else 1


def ping(src, dst, size):
    return subprocess.run(["ping", "-6", "-n", "-c", "1", "-W", "2", "-s", str(size), "-I", src, dst],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def ping_capture(iface, kernel, duet, duet_mac, size):
    """ping -s size while sniffing duet's frames from duet to kernel."""
    ready = threading.Event()
    m = from_duet(duet_mac, lambda p: p[IPv6].src == duet and p[IPv6].dst == kernel)
    sn = AsyncSniffer(iface=iface, store=True, lfilter=m, started_callback=ready.set)
    sn.start()
    if not ready.wait(5):
        sys.exit("sniffer did not start")
    r = ping(kernel, duet, size)
    time.sleep(0.2)
    sn.stop()
    return r, list(sn.results or [])


def cmd_ptb(iface, kernel, duet, duet_mac):
    kmac = get_if_hwaddr(iface)
    r, got = ping_capture(iface, kernel, duet, duet_mac, 1400)
    replies = [p for p in got if p.haslayer(ICMPv6EchoReply)]
    if r.returncode != 0 or len(replies) != 1 or any(p.haslayer(IPv6ExtHdrFragment) for p in got):
        print("first ping -s 1400: rc %d, %d frames from duet, %d whole replies (want 1, unfragmented)"
              % (r.returncode, len(got), len(replies)))
        return 1
    reply = raw(replies[0][IPv6])
    if len(reply) != 40 + 8 + 1400:
        print("first reply is %d octets, want 1448" % len(reply))
        return 1
    # RFC 4443 3.2: as much of the invoking packet as fits in 1280 octets.
    ptb = (Ether(src=kmac, dst=duet_mac) / IPv6(src=kernel, dst=duet)
           / ICMPv6PacketTooBig(mtu=1280) / Raw(reply[:1280 - 48]))
    sendp(ptb, iface=iface)
    time.sleep(0.3)
    r, got = ping_capture(iface, kernel, duet, duet_mac, 1400)
    frags = [p for p in got if p.haslayer(IPv6ExtHdrFragment)]
    sizes = [len(raw(p[IPv6])) for p in frags]
    whole = [p for p in got if p.haslayer(ICMPv6EchoReply) and not p.haslayer(IPv6ExtHdrFragment)]
    if r.returncode != 0 or len(frags) < 2 or whole or max(sizes) > 1280:
        print("second ping -s 1400: rc %d, fragments %s, %d unfragmented replies "
              "(want >= 2 fragments <= 1280, none whole)" % (r.returncode, sizes, len(whole)))
        return 1
    print("reply before PTB: 1 packet of %d octets; after PTB: fragments of %s octets"
          % (len(reply), sizes))
    return 0


def echo_match(duet_mac, duet, kernel, seq):
    return from_duet(duet_mac, lambda p: p.haslayer(ICMPv6EchoReply) and p[IPv6].src == duet
                     and p[IPv6].dst == kernel and p[ICMPv6EchoReply].id == ECHO_ID
                     and p[ICMPv6EchoReply].seq == seq)


def icmp6_type(p):
    """The ICMPv6 type of an unfragmented packet without extension headers, or None."""
    ip = p[IPv6]
    return raw(ip.payload)[0] if ip.nh == 58 and len(raw(ip.payload)) else None


def silent_match(duet_mac, duet, to):
    """duet's echo replies with our identifier and ICMPv6 errors to `to`, and
    its solicitations to resolve `to` (an answer on its way)."""
    def m(p):
        if p.haslayer(ICMPv6ND_NS) and norm6(p[ICMPv6ND_NS].tgt) == to:
            return True
        if p[IPv6].src != duet or p[IPv6].dst != to:
            return False
        t = icmp6_type(p)
        return t is not None and (t < 128 or (p.haslayer(ICMPv6EchoReply) and p[ICMPv6EchoReply].id == ECHO_ID))
    return from_duet(duet_mac, m)


# A Destination Options header of 8 octets (PadN), Next Header ICMPv6.
DSTOPT_PADN = bytes([58, 0, 1, 4, 0, 0, 0, 0])


def expect_pp(iface, frames, duet_mac, duet, kernel, code, ptr, what):
    """Sends frames; duet must answer with one Parameter Problem (code, ptr)
    quoting the first frame's IPv6 packet, and no echo reply."""
    def m(p):
        if p[IPv6].src != duet or p[IPv6].dst != kernel:
            return False
        return ((p.haslayer(ICMPv6EchoReply) and p[ICMPv6EchoReply].id == ECHO_ID)
                or p.haslayer(ICMPv6ParamProblem))
    # Stops at the first answer: duet handles a packet at once, so once
    # the error is out no reply can follow.
    got = exchange(iface, frames, from_duet(duet_mac, m), True, WAIT_SOME)
    replies = [p for p in got if p.haslayer(ICMPv6EchoReply)]
    pps = [p[ICMPv6ParamProblem] for p in got if p.haslayer(ICMPv6ParamProblem)]
    quote = raw(frames[0][IPv6])[:48]
    ok = [pp for pp in pps if pp.code == code and pp.ptr == ptr and raw(pp.payload)[:48] == quote]
    print("%s: %d echo replies (want 0); Parameter Problems (code, pointer): %s (want (%d, %d) "
          "quoting it)" % (what, len(replies), [(pp.code, pp.ptr) for pp in pps], code, ptr))
    return 0 if not replies and len(pps) == 1 and ok else 1


def cmd_frag(iface, kernel, duet, duet_mac, case):
    kmac = get_if_hwaddr(iface)
    eth = Ether(src=kmac, dst=duet_mac)
    ip = IPv6(src=kernel, dst=duet)
    data = bytes(range(48))
    if case == "overlap":
        # RFC 5722: 0..24 then 16..56 (octets of the ICMPv6 message) -- the
        # overlap carries the same bytes, still the datagram must go.
        icmp = icmp6_bytes(kernel, duet, ICMPv6EchoRequest(id=ECHO_ID, seq=1, data=data))
        frames = frag_frames(eth, ip, 58, icmp, [(0, 24, True), (16, len(icmp), False)], MARK | 1)
        got = exchange(iface, frames, silent_match(duet_mac, duet, kernel), False, WAIT_NONE)
        print("%d echo replies or ICMPv6 errors for overlapping fragments (want 0)" % len(got))
        return 0 if not got else 1
    if case == "chain":
        # RFC 7112 5 / RFC 8200 4.5: the first fragment holds only a
        # Destination Options header; the ICMPv6 header is in the second.
        icmp = icmp6_bytes(kernel, duet, ICMPv6EchoRequest(id=ECHO_ID, seq=2, data=data))
        payload = DSTOPT_PADN + icmp
        frames = frag_frames(eth, ip, 60, payload, [(0, 8, True), (8, len(payload), False)], MARK | 2)
        return expect_pp(iface, frames, duet_mac, duet, kernel, 3, 0, "a first fragment without the chain")
    if case in ("opt-skip", "opt-icmp", "unknown-nh"):
        # RFC 8200 4.2: an unrecognised option of type 0x1e (action 00) is
        # skipped; 0x9e (action 10) discards the packet with Parameter
        # Problem code 2 pointing at the option type (offset 42). RFC 8200 4:
        # an unknown Next Header (253) after a Destination Options header:
        # code 1 pointing at that header's Next Header field (offset 40).
        otype = {"opt-skip": 0x1e, "opt-icmp": 0x9e, "unknown-nh": 0x01}[case]
        seq = {"opt-skip": 6, "opt-icmp": 7, "unknown-nh": 8}[case]
        icmp = icmp6_bytes(kernel, duet, ICMPv6EchoRequest(id=ECHO_ID, seq=seq, data=data))
        nh = 253 if case == "unknown-nh" else 58
        frame = eth / IPv6(src=kernel, dst=duet, nh=60) / Raw(bytes([nh, 0, otype, 4, 0, 0, 0, 0]) + icmp)
        if case == "opt-skip":
            got = exchange(iface, [frame], echo_match(duet_mac, duet, kernel, seq), True, WAIT_SOME)
            print("%d echo replies past an unknown option with action 00 (want 1)" % len(got))
            return 0 if got else 1
        if case == "opt-icmp":
            return expect_pp(iface, [frame], duet_mac, duet, kernel, 2, 42, "an unknown option, action 10")
        return expect_pp(iface, [frame], duet_mac, duet, kernel, 1, 40, "an unknown next header")
    if case in ("ns-frag", "ns-atomic", "ns-plain"):
        # RFC 6980 5: a fragmented NS (two fragments, or one atomic fragment)
        # is dropped; the same NS whole is answered. From a source the
        # kernel does not use, so that duet's NA to it is unmistakable.
        src = norm6(kernel.rsplit(":", 1)[0] + ":d0e7")
        nsma = inet_ntop(socket.AF_INET6, in6_getnsma(inet_pton(socket.AF_INET6, duet)))
        meth = Ether(src=kmac, dst=in6_getnsmac(inet_pton(socket.AF_INET6, nsma)))
        nip = IPv6(src=src, dst=nsma, hlim=255)
        ns = ICMPv6ND_NS(tgt=duet) / ICMPv6NDOptSrcLLAddr(lladdr=kmac)
        icmp = icmp6_bytes(src, nsma, ns, 255)
        if case == "ns-frag":
            frames = frag_frames(meth, nip, 58, icmp, [(0, 16, True), (16, len(icmp), False)], MARK | 3)
        elif case == "ns-atomic":
            frames = frag_frames(meth, nip, 58, icmp, [(0, len(icmp), False)], MARK | 4)
        else:
            frames = [meth / IPv6(src=src, dst=nsma, hlim=255, nh=58) / Raw(icmp)]
        want = case == "ns-plain"
        na = from_duet(duet_mac, lambda p: p.haslayer(ICMPv6ND_NA) and p[IPv6].dst == src
                       and norm6(p[ICMPv6ND_NA].tgt) == duet)
        err = silent_match(duet_mac, duet, src)
        got = exchange(iface, frames, lambda p: na(p) or err(p), want, WAIT_SOME if want else WAIT_NONE)
        nas = [p for p in got if na(p)]
        errs = [p for p in got if err(p)]
        print("%d Neighbour Advertisements for %s to %s (want %d), %d ICMPv6 errors or NS for it (want 0)"
              % (len(nas), duet, src, int(want), len(errs)))
        return 0 if len(nas) == int(want) and not errs else 1
    if case == "atomic":
        # RFC 6946 4: offset 0, M 0 -- processed on its own, answered.
        icmp = icmp6_bytes(kernel, duet, ICMPv6EchoRequest(id=ECHO_ID, seq=4, data=data))
        frames = frag_frames(eth, ip, 58, icmp, [(0, len(icmp), False)], MARK | 5)
        got = exchange(iface, frames, echo_match(duet_mac, duet, kernel, 4), True, WAIT_SOME)
        print("%d echo replies to an atomic fragment (want 1)" % len(got))
        return 0 if got else 1
    print("unknown case %s" % case)
    return 2


def main(argv):
    cmds = {"mld": (cmd_mld, 4), "ra": (cmd_ra, 4), "ra-bad": (cmd_ra, 4), "ptb": (cmd_ptb, 4), "frag": (cmd_frag, 5)}
    if len(argv) < 2 or argv[1] not in cmds or len(argv) - 2 != cmds[argv[1]][1]:
        print(__doc__)
        return 2
    fn, _ = cmds[argv[1]]
    args = argv[2:]
    if argv[1] == "ra":
        return fn(args[0], args[1], args[2].lower(), args[3])
    if argv[1] == "ra-bad":
        return fn(args[0], args[1], args[2].lower(), args[3], hlim=254)
    if argv[1] == "mld":
        return fn(args[0], args[1], args[2].lower(), norm6(args[3]))
    if argv[1] == "ptb":
        return fn(args[0], norm6(args[1]), norm6(args[2]), args[3].lower())
    return fn(args[0], norm6(args[1]), norm6(args[2]), args[3].lower(), args[4])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
