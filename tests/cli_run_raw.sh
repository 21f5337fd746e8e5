#!/usr/bin/env bash
# R-1, R-3, R-4, R-8 against the Linux kernel: `duet run --echo raw6:200:2`
# (a raw IPv6 socket of protocol 200 with IPV6_CHECKSUM at offset 2) on a
# TAP device inside a network namespace this test creates (documentation
# addresses only). A Linux raw socket with IPV6_CHECKSUM 2 sends to duet:
# duet reads it (its stack verified the kernel's checksum, payload without
# the IPv6 header) and echoes it; the kernel passes the echo to the Linux
# socket only if duet's checksum verifies, and a second Linux socket
# without the option gets it to check the checksum independently. A
# datagram with a corrupted checksum sent with scapy is not echoed, and
# duet counts it (DROP_RAW_BAD_CHECKSUM) and, as Linux, answers no
# Parameter Problem: a raw socket of that protocol exists. The capture
# passes tshark.
# Skipped (77) without root, ip(8), /usr/bin/python3 with scapy or tshark.
set -u
duet=$1
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 77; }
for tool in ip tshark; do
  command -v $tool >/dev/null || { echo "skip: needs $tool"; exit 77; }
done
[ -x $py ] && $py -c 'import scapy.all' 2>/dev/null || { echo "skip: needs $py with scapy"; exit 77; }
[ -w /dev/net/tun ] || { echo "skip: no /dev/net/tun"; exit 77; }
. "$here/tapns.sh"
tapns_start raw "$duet" --echo raw6:200:2
sleep 2.5   # duet's DAD for 2001:db8:77::2
grep -q "echo raw6:200 on \[::\] (IPV6_CHECKSUM 2)" "$out/run.txt" || fail "the raw echo did not start"
pass=0
run() { # name, command...
  local name=$1; shift
  if "$@" >"$out/$name.txt" 2>&1; then pass=$((pass+1)); echo "ok   $name"; sed 's/^/     /' "$out/$name.txt"
  else echo "FAIL $name"; cat "$out/$name.txt"; fail "$name"; fi
}
c="ip netns exec $ns $py $here/raw_interop.py"
run raw_checksum_echo $c echo 2001:db8:77::2 200 2
run raw_bad_checksum  $c corrupt 2001:db8:77::2 200 2 2001:db8:77::1
kill -TERM $pid; wait $pid; rc=$?; pid=
[ $rc -eq 0 ] || fail "duet run exited $rc"
grep -q "echo raw6:200: [1-9][0-9]* datagrams echoed, 0 failed" "$out/run.txt" || fail "no echo counted"
grep -Eq "DROP_RAW_BAD_CHECKSUM +[1-9]" "$out/run.txt" || fail "the bad checksum was not counted"
! grep -Eq "DROP_IP6_UNKNOWN_NH +[1-9]" "$out/run.txt" || fail "a Parameter Problem for a raw socket's protocol"
bad=$(tshark -n -r "$out/run.pcap" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
  -o udp.check_checksum:TRUE -Y '_ws.malformed || _ws.expert.severity >= "Error" ||
  ip.checksum.status == "Bad" || tcp.checksum.status == "Bad" || udp.checksum.status == "Bad" ||
  icmp.checksum.status == "Bad" || icmpv6.checksum.status == "Bad"' 2>&1 | grep -v '^Running as user')
[ -z "$bad" ] || fail "tshark: $bad"
echo "$pass passed, 0 failed"
