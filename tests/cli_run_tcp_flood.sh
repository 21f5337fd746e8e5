#!/usr/bin/env bash
# T-2 (listen backlog with SYN-flood protection) against a flood from the
# Linux side: `duet run --echo tcp:7` on a TAP device inside a network
# namespace this test creates (documentation addresses only), with the
# kernel as its gateway. tests/tcp_synflood.py keeps an established
# connection echoing every 20 ms while it sends 100,000 SYNs (half IPv4 from
# 203.0.113.0/24, half IPv6 from 2001:db8:f100::/64, random ports): the
# connection must keep working (every echo within 2 s), new connections
# must be accepted after the flood, duet must have answered with SYN
# cookies once the SYN queue was full (TCP_SYNQ_FULL, TCP_SYNCOOKIES_SENT),
# and its memory must stay bounded (resident size grows by under 32 MiB).
# The flood gets no RST: the kernel does not forward duet's SYN-ACKs.
# Skipped (77) without root, ip(8), /usr/bin/python3 with scapy, or
# /dev/net/tun.
set -u
duet=$1
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 77; }
command -v ip >/dev/null || { echo "skip: needs ip"; exit 77; }
[ -x $py ] && $py -c 'import scapy' 2>/dev/null || { echo "skip: needs $py with scapy"; exit 77; }
[ -w /dev/net/tun ] || { echo "skip: no /dev/net/tun"; exit 77; }
. "$here/tapns.sh"
count=${DUET_SYN_FLOOD:-100000}
tapns_start flood "$duet" --echo tcp:7 --gateway 192.0.2.1 --gateway 2001:db8:77::1
sleep 2.5   # duet's DAD for 2001:db8:77::2
grep -q "tcp echo:7 listening" "$out/run.txt" || fail "the TCP echo service did not start"
ip netns exec $ns $py $here/tcp_interop.py echo 192.0.2.2 7 1000 >/dev/null || fail "no echo before the flood"
dmac=$(ip -n $ns neigh show 192.0.2.2 dev $dev | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i+1)}')
[ -n "$dmac" ] || fail "duet's MAC address is not in the kernel's neighbour table"
rss() { awk '/^VmRSS/ {print $2}' /proc/$pid/status; }
rss0=$(rss)
ip netns exec $ns $py $here/tcp_synflood.py $dev $dmac 192.0.2.2 2001:db8:77::2 7 $count \
  >"$out/flood.txt" 2>&1 || { cat "$out/flood.txt"; fail "flood"; }
sed -i "/^WARNING: Interface lo/d" "$out/flood.txt"
cat "$out/flood.txt"
rss1=$(rss)
echo "duet resident size: $rss0 KiB before, $rss1 KiB after the flood"
[ $((rss1 - rss0)) -lt 32768 ] || fail "resident size grew by $((rss1 - rss0)) KiB"
kill -USR1 $pid; sleep 0.5
kill -TERM $pid; wait $pid; rc=$?; pid=
[ $rc -eq 0 ] || fail "duet run exited $rc"
ctr() { sed -n "s/^  $1 *\([0-9]*\) .*/\1/p" "$out/run.txt" | tail -1; }
full=$(ctr TCP_SYNQ_FULL); cookies=$(ctr TCP_SYNCOOKIES_SENT); passive=$(ctr TCP_PASSIVE_OPENS)
echo "TCP_SYNQ_FULL ${full:-0} TCP_SYNCOOKIES_SENT ${cookies:-0} TCP_PASSIVE_OPENS ${passive:-0}"
[ "${full:-0}" -gt 0 ] && [ "${cookies:-0}" -gt 0 ] || fail "no SYN cookies under the flood"
echo "ok: $count SYNs; the established connection kept working; memory bounded"
