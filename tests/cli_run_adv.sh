#!/usr/bin/env bash
# A-1, A-3, A-4, A-10 against the Linux kernel: `duet run --echo udp:7
# --echo-adv --echo-hopopts HEX --echo-dstopts HEX` on a TAP device inside a
# network namespace this test creates (documentation addresses only). The
# echo socket turns on IPV6_RECVPKTINFO, RECVHOPLIMIT, RECVTCLASS,
# RECVHOPOPTS, RECVDSTOPTS, RECVRTHDR and RECVPATHMTU and prints an "adv"
# line per recvmsg; tests/adv_interop.py, from the Linux side, proves:
#  - A-4 sticky output: a Linux socket with IPV6_RECVHOPOPTS and
#    IPV6_RECVDSTOPTS gets each echo with exactly the Hop-by-Hop and
#    Destination Options headers given on duet's command line, byte for
#    byte, their Next Header octets set by duet to what follows.
#  - A-1, A-3, A-4 input: a Linux sendmsg with ancillary IPV6_HOPLIMIT 42,
#    IPV6_TCLASS 0x28 and IPV6_DSTOPTS reaches duet's socket as IPV6_PKTINFO
#    (duet's address, the TAP's interface index), IPV6_HOPLIMIT 42,
#    IPV6_TCLASS 40 and that Destination Options header byte for byte.
#  - A-4 input, RFC 3542 §8 order: a scapy datagram with Hop-by-Hop,
#    Destination Options, Routing (type 0, Segments Left 0) and Destination
#    Options headers is answered, and duet reports the four headers in the
#    order of the packet, each byte for byte.
#  - A-10: a Packet Too Big (MTU 1280) from the kernel's address quoting one
#    of the echo socket's datagrams gives duet's socket a path MTU notice
#    (recvmsg: no data, IPV6_PATHMTU for the kernel's address, 1280), which
#    is not echoed.
# SIGTERM stops the echo thread cleanly; the capture passes tshark.
# Skipped (77) without root, ip(8), tshark, /usr/bin/python3 with scapy, or
# /dev/net/tun.
set -u
duet=$1
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 77; }
for tool in ip tshark; do
  command -v $tool >/dev/null || { echo "skip: needs $tool"; exit 77; }
done
[ -x $py ] && $py -c 'import scapy' 2>/dev/null || { echo "skip: needs $py with scapy"; exit 77; }
[ -w /dev/net/tun ] || { echo "skip: no /dev/net/tun"; exit 77; }
kaddr=2001:db8:77::1   # the kernel
daddr=2001:db8:77::2   # duet
# The sticky headers (Next Header octet 00: duet writes it). Hop-by-Hop:
# 8 octets, unknown option 0x1e (action 00: skipped by Linux) with 4 data
# octets. Destination Options: 16 octets, option 0x1e with 10, then PadN.
hbh=00001e04d0e70001
dst=00011e0ad0e7d0e7d0e7d0e7d0e70100
. "$here/tapns.sh"
tapns_start adv "$duet" --echo udp:7 --echo-adv --echo-hopopts $hbh --echo-dstopts $dst
sleep 2.5   # duet's DAD (1 s + random delay) for 2001:db8:77::2
grep -q "echo udp:7 on \[::\]" "$out/run.txt" || fail "the echo service did not start"
ifindex=$(sed -n "s/^duet run: $dev is interface \([0-9]*\);.*/\1/p" "$out/run.txt")
[ -n "$ifindex" ] || fail "no interface index for $dev in duet's output"
pass=0
run() { # name, command...
  local name=$1; shift
  if "$@" >"$out/$name.txt" 2>&1; then pass=$((pass+1)); echo "ok   $name"
  else echo "FAIL $name"; cat "$out/$name.txt"; fail "$name"; fi
  sed 's/^/     /' "$out/$name.txt"
}
c="ip netns exec $ns $py $here/adv_interop.py"
run sticky_hbh_dst  $c sticky $daddr 7 $hbh $dst
dmac=$(ip -n $ns -6 neigh show $daddr dev $dev | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i+1)}')
[ -n "$dmac" ] || fail "no neighbour entry for duet"
run recv_ancillary  $c anc $daddr 7 $ifindex "$out/run.txt"
run recv_ext_chain  $c chain $dev $kaddr $daddr 7 $dmac "$out/run.txt"
run recv_pathmtu    $c ptb $dev $kaddr $daddr 7 $dmac "$out/run.txt"
kill -TERM $pid; wait $pid; rc=$?; pid=
[ $rc -eq 0 ] || fail "duet run exited $rc"
grep -q "stopping (SIGTERM)" "$out/run.txt" || fail "no clean stop"
# The notice was counted, and not echoed: every echo answers an "adv from" line.
notices=$(sed -n 's/^duet run: \([0-9]*\) path MTU notices$/\1/p' "$out/run.txt")
[ -n "$notices" ] && [ "$notices" -ge 1 ] || fail "path MTU notices: '$notices'"
n=$(sed -n 's/.*echo udp:7: \([0-9]*\) datagrams echoed.*/\1/p' "$out/run.txt")
from=$(grep -c '^adv from ' "$out/run.txt")
[ -n "$n" ] && [ "$n" -ge 4 ] && [ "$n" -eq "$from" ] \
  || fail "$n datagrams echoed for $from 'adv from' lines (at least 4, one each)"
bad=$(tshark -n -r "$out/run.pcap" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
  -o udp.check_checksum:TRUE -Y '_ws.malformed || _ws.expert.severity >= "Error" || ip.checksum.status == "Bad" || tcp.checksum.status == "Bad" || udp.checksum.status == "Bad" || icmp.checksum.status == "Bad" || icmpv6.checksum.status == "Bad"' 2>&1 | grep -v '^Running as user')
[ -z "$bad" ] || fail "tshark objects: $bad"
# duet's echoes to Linux carry the sticky headers: Hop-by-Hop, then
# Destination Options, then UDP.
hdr=$(tshark -n -r "$out/run.pcap" -Y "udp.srcport == 7 && ipv6.src == $daddr && !icmpv6" \
  -T fields -E separator=, -e ipv6.nxt -e ipv6.hopopts.nxt -e ipv6.dstopts.nxt 2>/dev/null | sort -u)
[ "$hdr" = "0,60,17" ] || fail "duet's echoes carry next headers '$hdr', expected 0,60,17"
echo "$pass passed, 0 failed"
