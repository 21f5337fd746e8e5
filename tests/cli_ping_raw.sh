#!/usr/bin/env bash
# `duet ping` on its raw ICMPv6 / ICMP socket against the Linux kernel, on a
# TAP device inside a network namespace this test creates (documentation
# addresses: duet 2001:db8:77::2/64 and 192.0.2.2/24, the kernel ::1 / .1
# and fe80::1): -c 3 -t 7 over both families answers, and duet's capture
# shows three echo requests with hop limit / TTL 7 and no bad checksum;
# -I with the TAP name reaches a link-local DEST%zone (and a zone-less one);
# a destination in a prefix the kernel routes as unreachable is reported
# ("From ... Destination unreachable") with exit 1.
# Skipped (77) without root, ip(8), tshark or /dev/net/tun.
set -u
duet=$1
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 77; }
for tool in ip tshark timeout; do
  command -v $tool >/dev/null || { echo "skip: needs $tool"; exit 77; }
done
[ -w /dev/net/tun ] || { echo "skip: no /dev/net/tun"; exit 77; }
ns=
out=$(mktemp -d)
cleanup() {
  [ -n "$ns" ] && ip netns del $ns 2>/dev/null
  if [ -n "${DUET_KEEP:-}" ]; then rm -rf "$DUET_KEEP" && cp -r "$out" "$DUET_KEEP"; fi
  rm -rf "$out"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
ns=duet-pr-$$
dev=dr$$
dev=${dev:0:15}
ip netns add $ns || { ns=; echo "skip: cannot create a namespace"; exit 77; }
# The TAP device exists (persistent) before duet opens it, so the kernel's
# addresses are in place from the start; fe80::1 is fixed so the test knows it.
ip -n $ns tuntap add dev $dev mode tap || fail "tuntap add"
ip -n $ns link set lo up
ip -n $ns addr add 192.0.2.1/24 dev $dev || fail "kernel IPv4 address"
ip -n $ns addr add 2001:db8:77::1/64 dev $dev nodad || fail "kernel IPv6 address"
ip -n $ns addr add fe80::1/64 dev $dev nodad || fail "kernel link-local address"
ip -n $ns link set $dev up || fail "link up"
# The unreachable prefixes: the kernel (a router here) answers Destination
# Unreachable for them, without its rate limit.
ip netns exec $ns sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv4.ip_forward=1 \
  net.ipv6.icmp.ratelimit=0 net.ipv4.icmp_ratelimit=0 || fail "sysctl"
ip -n $ns -6 route add unreachable 2001:db8:99::/64 || fail "unreachable route (IPv6)"
ip -n $ns route add unreachable 203.0.113.0/24 || fail "unreachable route (IPv4)"

pass=0
# expect RC NAME COMMAND...: runs a bounded duet in the namespace, wants exit RC.
expect() {
  local want=$1 name=$2 rc
  shift 2
  timeout 30 ip netns exec $ns "$duet" "$@" >"$out/$name.txt" 2>&1
  rc=$?
  if [ $rc -eq $want ]; then pass=$((pass+1)); echo "ok   $name"
  else echo "FAIL $name (exit $rc, wanted $want)"; cat "$out/$name.txt"; exit 1; fi
}
has() { grep -qE "$2" "$out/$1.txt" || { cat "$out/$1.txt"; fail "$1: no line matching '$2'"; }; }
# The echo requests duet sent (not the ones quoted inside ICMP errors): their hop limits.
req_hops() { # pcap, family filter, field
  tshark -n -r "$1" -Y "$2" -T fields -e "$3" 2>/dev/null | tr '\n' ' '
}
tshark_ok() {
  local bad
  bad=$(tshark -n -r "$1" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
    -o udp.check_checksum:TRUE -Y '_ws.malformed || _ws.expert.severity >= "Error" || ip.checksum.status == "Bad" || tcp.checksum.status == "Bad" || udp.checksum.status == "Bad" || icmp.checksum.status == "Bad" || icmpv6.checksum.status == "Bad"' 2>&1 | grep -v '^Running as user')
  [ -z "$bad" ] || fail "tshark objects to $1: $bad"
}

expect 0 ping6 ping -6 -c 3 -i 0.2 -t 7 --tap $dev --addr 2001:db8:77::2/64 \
  --pcap "$out/ping6.pcap" 2001:db8:77::1
has ping6 "^64 bytes from 2001:db8:77::1: icmp_seq=3 ttl=[0-9]+ time=[0-9.]+ ms$"
has ping6 "^3 packets transmitted, 3 received, 0% packet loss$"
has ping6 "^rtt min/avg/max/mdev = "
h=$(req_hops "$out/ping6.pcap" 'icmpv6.type == 128 && !(icmpv6.type == 1) && !(icmpv6.type == 3)' ipv6.hlim)
[ "$h" = "7 7 7 " ] || fail "IPv6 echo requests' hop limits: '$h', wanted three 7s"
tshark_ok "$out/ping6.pcap"

expect 0 ping4 ping -4 -c 3 -i 0.2 -t 7 --tap $dev --addr 192.0.2.2/24 \
  --pcap "$out/ping4.pcap" 192.0.2.1
has ping4 "^64 bytes from 192.0.2.1: icmp_seq=3 ttl=[0-9]+ time=[0-9.]+ ms$"
has ping4 "^3 packets transmitted, 3 received, 0% packet loss$"
h=$(req_hops "$out/ping4.pcap" 'icmp.type == 8 && !(icmp.type == 3) && !(icmp.type == 11)' ip.ttl)
[ "$h" = "7 7 7 " ] || fail "IPv4 echo requests' TTLs: '$h', wanted three 7s"
tshark_ok "$out/ping4.pcap"

expect 0 ping6_ll_zone ping -c 2 -i 0.2 -I $dev --tap $dev --addr 2001:db8:77::2/64 "fe80::1%$dev"
has ping6_ll_zone "^64 bytes from fe80::1%$dev: icmp_seq=2 ttl=[0-9]+ "
expect 0 ping6_ll_if ping -c 2 -i 0.2 -I $dev --tap $dev --addr 2001:db8:77::2/64 fe80::1
has ping6_ll_if "^64 bytes from fe80::1%$dev: icmp_seq=2 "
expect 0 ping4_if ping -4 -c 2 -i 0.2 -I $dev --tap $dev --addr 192.0.2.2/24 192.0.2.1
has ping4_if "^2 packets transmitted, 2 received"

expect 1 unreach6 ping -c 2 -i 0.3 --tap $dev --addr 2001:db8:77::2/64 \
  --gateway 2001:db8:77::1 2001:db8:99::5
has unreach6 "^From 2001:db8:77::1 icmp_seq=1 Destination unreachable: No route$"
has unreach6 "^2 packets transmitted, 0 received, \+2 errors, 100% packet loss$"
expect 1 unreach4 ping -4 -c 2 -i 0.3 --tap $dev --addr 192.0.2.2/24 --gateway 192.0.2.1 203.0.113.5
has unreach4 "^From 192.0.2.1 icmp_seq=1 Destination (Net|Host) Unreachable$"
echo "$pass passed, 0 failed"
