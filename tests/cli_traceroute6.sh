#!/usr/bin/env bash
# `duet traceroute6` over two hops of Linux (documentation prefixes only):
# duet's TAP device sits in namespace R, a Linux router (forwarding on),
# with duet 2001:db8:77::2/64 and R 2001:db8:77::1/64 on it; a veth pair
# joins R (2001:db8:88::1/64) to namespace T, the target (2001:db8:88::2/64),
# routes both ways. traceroute6 to T prints hop 1 = R's TAP-side address and
# hop 2 = T, the answers sent to duet's address, and exits 0; its capture
# holds echo probes with hop limits 1,1,1,2,2,2 and no bad checksum; -I
# with the TAP name does the same. `duet ping -t 1` to T gets R's Time
# Exceeded reports (exit 1); -t 2 gets T's replies with hop limit 63.
# Skipped (77) without root, ip(8), tshark or /dev/net/tun.
set -u
duet=$1
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 77; }
for tool in ip tshark timeout; do
  command -v $tool >/dev/null || { echo "skip: needs $tool"; exit 77; }
done
[ -w /dev/net/tun ] || { echo "skip: no /dev/net/tun"; exit 77; }
nsr=
nst=
out=$(mktemp -d)
cleanup() {
  [ -n "$nsr" ] && ip netns del $nsr 2>/dev/null
  [ -n "$nst" ] && ip netns del $nst 2>/dev/null
  if [ -n "${DUET_KEEP:-}" ]; then rm -rf "$DUET_KEEP" && cp -r "$out" "$DUET_KEEP"; fi
  rm -rf "$out"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
dev=dt$$
dev=${dev:0:15}
ip netns add duet-trr-$$ || { echo "skip: cannot create a namespace"; exit 77; }
nsr=duet-trr-$$
ip netns add duet-trt-$$ || fail "second namespace"
nst=duet-trt-$$
ip -n $nsr link set lo up
ip -n $nst link set lo up
ip -n $nsr tuntap add dev $dev mode tap || fail "tuntap add"
ip -n $nsr addr add 2001:db8:77::1/64 dev $dev nodad || fail "R's TAP address"
ip -n $nsr link set $dev up || fail "TAP up"
ip -n $nsr link add vr$$ type veth peer name vt$$ netns $nst || fail "veth pair"
ip -n $nsr addr add 2001:db8:88::1/64 dev vr$$ nodad || fail "R's veth address"
ip -n $nst addr add 2001:db8:88::2/64 dev vt$$ nodad || fail "T's address"
ip -n $nsr link set vr$$ up || fail "R's veth up"
ip -n $nst link set vt$$ up || fail "T's veth up"
ip -n $nst -6 route add default via 2001:db8:88::1 || fail "T's route back"
# R forwards; neither rate-limits its ICMPv6 (three probes per hop come quickly).
ip netns exec $nsr sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv6.icmp.ratelimit=0 \
  || fail "R's sysctls"
ip netns exec $nst sysctl -qw net.ipv6.icmp.ratelimit=0 || fail "T's sysctl"

pass=0
expect() { # RC NAME duet-arguments...
  local want=$1 name=$2 rc
  shift 2
  timeout 60 ip netns exec $nsr "$duet" "$@" >"$out/$name.txt" 2>&1
  rc=$?
  if [ $rc -eq $want ]; then pass=$((pass+1)); echo "ok   $name"
  else echo "FAIL $name (exit $rc, wanted $want)"; cat "$out/$name.txt"; exit 1; fi
}
has() { grep -qE "$2" "$out/$1.txt" || { cat "$out/$1.txt"; fail "$1: no line matching '$2'"; }; }
stack=(--tap $dev --addr 2001:db8:77::2/64 --gateway 2001:db8:77::1)
t=" [0-9]+\.[0-9]{3} ms"

expect 0 trace traceroute6 -w 2 -m 8 "${stack[@]}" --pcap "$out/trace.pcap" 2001:db8:88::2
cat "$out/trace.txt"
has trace "^traceroute6 to 2001:db8:88::2 \(2001:db8:88::2\), 8 hops max, 64 byte packets$"
has trace "^ 1  2001:db8:77::1 $t $t $t  \(to 2001:db8:77::2\)$"
has trace "^ 2  2001:db8:88::2 $t $t $t  \(to 2001:db8:77::2\)$"
[ "$(wc -l <"$out/trace.txt")" -eq 3 ] || fail "trace: not exactly two hops"
# duet's probes, not the copies quoted inside Time Exceeded.
h=$(tshark -n -r "$out/trace.pcap" -Y 'icmpv6.type == 128 && !(icmpv6.type == 3)' \
  -T fields -e ipv6.hlim 2>/dev/null | tr '\n' ' ')
[ "$h" = "1 1 1 2 2 2 " ] || fail "probes' hop limits '$h', wanted 1 1 1 2 2 2"
bad=$(tshark -n -r "$out/trace.pcap" -Y '_ws.malformed || _ws.expert.severity >= "Error" || icmpv6.checksum.status == "Bad"' 2>&1 | grep -v '^Running as user')
[ -z "$bad" ] || fail "tshark objects: $bad"

expect 0 trace_if traceroute6 -q 1 -w 2 -I $dev "${stack[@]}" 2001:db8:88::2
has trace_if "^ 2  2001:db8:88::2 $t  \(to 2001:db8:77::2\)$"

expect 1 ping_hop1 ping -c 2 -i 0.3 -t 1 "${stack[@]}" 2001:db8:88::2
has ping_hop1 "^From 2001:db8:77::1 icmp_seq=2 Time exceeded: Hop limit$"
expect 0 ping_hop2 ping -c 2 -i 0.3 -t 2 "${stack[@]}" 2001:db8:88::2
has ping_hop2 "^64 bytes from 2001:db8:88::2: icmp_seq=2 ttl=63 "
echo "$pass passed, 0 failed"
