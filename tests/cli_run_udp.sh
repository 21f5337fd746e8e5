#!/usr/bin/env bash
# T-1, DS-2, DS-3, B-1, L-2 against the Linux kernel: `duet run --echo udp:7`
# on a TAP device inside a network namespace this test creates (documentation
# addresses only) serves one dual-stack AF_INET6 socket (IPV6_V6ONLY off,
# bound to [::]:7). From the Linux side, /usr/bin/python3 clients
# (tests/udp_interop.py) send over AF_INET to duet's IPv4 address, over
# AF_INET6 to its IPv6 address and to ::ffff:<its IPv4 address> (IPv4 on the
# wire: duet sees a v4-mapped peer, DS-2, and answers as IPv4, DS-3); each
# gets its exact payload back from the address and port it sent to (B-1). A
# Linux receiver with IPV6_RECVHOPLIMIT sees the hop limit duet's socket set
# with IPV6_UNICAST_HOPS (--echo-hops, L-2). Datagrams to a group duet's
# socket joined (--join, IPv6 and IPv4) are answered too, and duet's MLDv2
# and IGMPv3 reports for them are in the capture. The other way, Linux
# receivers that joined ff15::d0e8 and 239.1.2.4 on the TAP device get duet's
# announcements (--announce) from duet's addresses with the default multicast
# hop limit and TTL, 1 (B-4, B-5). SIGTERM stops the
# echo thread cleanly; the capture passes tshark.
# Skipped (77) without root, ip(8), /usr/bin/python3 or tshark.
set -u
duet=$1
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 77; }
for tool in ip tshark; do
  command -v $tool >/dev/null || { echo "skip: needs $tool"; exit 77; }
done
[ -x $py ] || { echo "skip: needs $py"; exit 77; }
[ -w /dev/net/tun ] || { echo "skip: no /dev/net/tun"; exit 77; }
. "$here/tapns.sh"
tapns_start udp "$duet" --echo udp:7 --echo-hops 37 --join ff15::d0e7 --join 239.1.2.3 \
  --announce ff15::d0e8 --announce 239.1.2.4
sleep 2.5   # duet's DAD (1 s + random delay) for 2001:db8:77::2
grep -q "echo udp:7 on \[::\]" "$out/run.txt" || fail "the echo service did not start"
pass=0
run() { # name, command...
  local name=$1; shift
  if "$@" >"$out/$name.txt" 2>&1; then pass=$((pass+1)); echo "ok   $name"
  else echo "FAIL $name"; cat "$out/$name.txt"; fail "$name"; fi
}
c="ip netns exec $ns $py $here/udp_interop.py"
run udp4         $c echo 4 192.0.2.2 7
run udp6         $c echo 6 2001:db8:77::2 7
run udp6_mapped  $c echo 6 ::ffff:192.0.2.2 7
run udp6_hops    $c hops 2001:db8:77::2 7 37
run mcast6       $c mcast ff15::d0e7 7 $dev 2001:db8:77::2
run mcast4       $c mcast 239.1.2.3 7 $dev 192.0.2.2
run mcast6_from  $c listen ff15::d0e8 7 $dev 2001:db8:77::2 1
run mcast4_from  $c listen 239.1.2.4 7 $dev 192.0.2.2 1
kill -TERM $pid; wait $pid; rc=$?; pid=
[ $rc -eq 0 ] || fail "duet run exited $rc"
grep -q "stopping (SIGTERM)" "$out/run.txt" || fail "no clean stop"
# At least one echo per client (a client retries only after a lost reply).
n=$(sed -n 's/.*echo udp:7: \([0-9]*\) datagrams echoed.*/\1/p' "$out/run.txt")
[ -n "$n" ] && [ "$n" -ge 6 ] || fail "echo count '$n', expected at least 6"
bad=$(tshark -n -r "$out/run.pcap" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
  -o udp.check_checksum:TRUE -Y '_ws.malformed || _ws.expert.severity >= "Error" || ip.checksum.status == "Bad" || tcp.checksum.status == "Bad" || udp.checksum.status == "Bad" || icmp.checksum.status == "Bad" || icmpv6.checksum.status == "Bad"' 2>&1 | grep -v '^Running as user')
[ -z "$bad" ] || fail "tshark objects: $bad"
# The capture holds the echoes of both families, and duet's IPv6 ones carry hop limit 37.
udp=$(tshark -n -r "$out/run.pcap" -Y 'udp.srcport == 7' 2>/dev/null | wc -l)
[ "$udp" -ge 6 ] || fail "capture holds $udp echo replies, expected at least 6"
hl=$(tshark -n -r "$out/run.pcap" -Y 'udp.srcport == 7 && ipv6 && !(ipv6.dst == ff00::/8)' -T fields -e ipv6.hlim 2>/dev/null | sort -u)
[ "$hl" = "37" ] || fail "duet's IPv6 echo replies carry hop limit '$hl', expected 37"
# duet's own reports for the groups it joined: MLDv2 (type 143) naming
# ff15::d0e7 from its link-local address, IGMPv3 (0x22) naming 239.1.2.3.
mld=$(tshark -n -r "$out/run.pcap" -Y 'icmpv6.type == 143 && ipv6.src == fe80::/64 && icmpv6.mldr.mar.multicast_address == ff15::d0e7 && ipv6.hlim == 1' 2>/dev/null | wc -l)
[ "$mld" -ge 1 ] || fail "no MLDv2 report for ff15::d0e7 from duet in the capture"
igmp=$(tshark -n -r "$out/run.pcap" -Y 'igmp.type == 0x22 && ip.src == 192.0.2.2 && igmp.maddr == 239.1.2.3 && ip.ttl == 1' 2>/dev/null | wc -l)
[ "$igmp" -ge 1 ] || fail "no IGMPv3 report for 239.1.2.3 from duet in the capture"
# (IPv6 ones fail with EADDRNOTAVAIL until DAD gives duet its address.)
ann=$(sed -n 's/.*duet run: \([0-9]*\) announcements sent.*/\1/p' "$out/run.txt")
[ -n "$ann" ] && [ "$ann" -ge 2 ] || fail "announcements sent: '$ann'"
echo "$pass passed, 0 failed"
