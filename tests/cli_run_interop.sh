#!/usr/bin/env bash
# N-2, N-3, N-4, N-8, F-1, F-2, L-1, L-2, S-3, S-4 against the Linux kernel: `duet run`
# on a TAP device inside a network namespace this test creates (documentation
# addresses only); from the Linux side ping -4 and ping -6 (small, and large
# enough to need fragmentation both ways), ping -6 to duet's link-local
# address with a zone (duet's replies carry the TTL and hop limit set with
# --sysctl); the kernel's neighbour cache shows duet; SIGUSR1
# prints counters; SIGTERM stops cleanly; the capture passes tshark. Then
# `duet ping` on a second TAP device pings the kernel over both families.
# Skipped (77) without root, ip(8), ping or tshark.
set -u
duet=$1
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 77; }
for tool in ip ping tshark; do
  command -v $tool >/dev/null || { echo "skip: needs $tool"; exit 77; }
done
[ -w /dev/net/tun ] || { echo "skip: no /dev/net/tun"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tapns.sh"
tapns_start run "$duet" --sysctl net.inet.ip.ttl=44 --sysctl net.inet6.ip6.hlim=33
sleep 2.5   # duet's DAD (1 s + random delay) for 2001:db8:77::2
pass=0
run() { # name, command...
  local name=$1; shift
  if "$@" >"$out/$name.txt" 2>&1; then pass=$((pass+1)); echo "ok   $name"
  else echo "FAIL $name"; cat "$out/$name.txt"; fail "$name"; fi
}
run ping4        ip netns exec $ns ping -4 -c 3 -i 0.2 -W 2 192.0.2.2
grep -q "ttl=44 " "$out/ping4.txt" || fail "S-3: duet's replies do not carry net.inet.ip.ttl=44"
run ping4_frag   ip netns exec $ns ping -4 -c 2 -i 0.2 -W 2 -s 3000 192.0.2.2
run ping6        ip netns exec $ns ping -6 -c 3 -i 0.2 -W 2 2001:db8:77::2
grep -q "ttl=33 " "$out/ping6.txt" || fail "S-3: duet's replies do not carry net.inet6.ip6.hlim=33"
run ping6_frag   ip netns exec $ns ping -6 -c 2 -i 0.2 -W 2 -s 3000 2001:db8:77::2
ll=$(ip -n $ns -6 neigh show dev $dev | awk '/^fe80/ {print $1; exit}')
if [ -z "$ll" ]; then
  # Learn duet's link-local address from its Router Solicitations / DAD: ask all-nodes.
  ip netns exec $ns ping -6 -c 2 -W 1 ff02::1%$dev >/dev/null 2>&1
  ll=$(ip -n $ns -6 neigh show dev $dev | awk '/^fe80/ {print $1; exit}')
fi
[ -n "$ll" ] || fail "no link-local neighbour learned"
run ping6_ll     ip netns exec $ns ping -6 -c 2 -i 0.2 -W 2 "$ll%$dev"
ip -n $ns neigh show dev $dev | grep -E '192.0.2.2 .*(REACHABLE|STALE|DELAY)' >/dev/null \
  || fail "kernel has no ARP entry for duet"
kill -USR1 $pid; sleep 0.3
grep -q "duet run: counters" "$out/run.txt" || fail "SIGUSR1 printed no counters"
kill -TERM $pid; wait $pid; rc=$?; pid=
[ $rc -eq 0 ] || fail "duet run exited $rc"
grep -q "stopping (SIGTERM)" "$out/run.txt" || fail "no clean stop"
grep -E "IP4_IN_RECEIVES|IP6_IN_RECEIVES" "$out/run.txt" >/dev/null || fail "no IP counters"
# S-4: the third column is the TAP interface's own share, and it saw the pings.
awk '$1 == "IP6_IN_RECEIVES" && $3 > 0 {ok = 1} END {exit !ok}' "$out/run.txt" \
  || fail "no per-interface IPv6 counters"
bad=$(tshark -n -r "$out/run.pcap" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
  -o udp.check_checksum:TRUE -Y '_ws.malformed || _ws.expert.severity >= "Error" || ip.checksum.status == "Bad" || tcp.checksum.status == "Bad" || udp.checksum.status == "Bad" || icmp.checksum.status == "Bad" || icmpv6.checksum.status == "Bad"' 2>&1 | grep -v '^Running as user')
[ -z "$bad" ] || fail "tshark objects: $bad"
# duet ping from a second TAP device, created beforehand on the kernel's side.
pdev=dp$$
pdev=${pdev:0:15}
ip -n $ns tuntap add dev $pdev mode tap || fail "tuntap add"
ip -n $ns addr add 198.51.100.1/24 dev $pdev || fail "kernel address on $pdev"
ip -n $ns addr add 2001:db8:78::1/64 dev $pdev nodad || fail "kernel IPv6 address on $pdev"
ip -n $ns link set $pdev up || fail "$pdev up"
run duet_ping4   ip netns exec $ns "$duet" ping -4 -c 2 -i 0.3 --tap $pdev --addr 198.51.100.2/24 198.51.100.1
run duet_ping6   ip netns exec $ns "$duet" ping -6 -c 2 -i 0.3 -s 3000 --tap $pdev \
                   --addr 2001:db8:78::2/64 2001:db8:78::1
grep -q "bytes from 2001:db8:78::1: icmp_seq=1" "$out/duet_ping6.txt" || fail "duet ping -6 printed no reply line"
echo "$pass passed, 0 failed"
