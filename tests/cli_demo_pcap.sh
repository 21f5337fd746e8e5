#!/usr/bin/env bash
# L-1, L-2: `duet demo --pcap` runs, prints its transcript, and writes a
# capture tshark reads with no malformed frame and no bad checksum.
# Skipped (exit 77) when tshark is not installed.
set -u
duet=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$duet" demo --pcap "$out/demo.pcap" >"$out/demo.txt" || { echo "demo failed"; exit 1; }
grep -q "ARP who-has 192.0.2.2 tell 192.0.2.1" "$out/demo.txt" || { echo "no ARP line"; exit 1; }
grep -q "TCP 50000 > 80 \[S\]" "$out/demo.txt" || { echo "no SYN line"; exit 1; }
# Same seed, same transcript.
"$duet" demo >"$out/again.txt" && diff <(grep -v capture "$out/demo.txt") "$out/again.txt" >/dev/null \
  || { echo "demo is not deterministic"; exit 1; }
command -v tshark >/dev/null || { echo "skip: tshark not installed"; exit 77; }
n=$(tshark -n -r "$out/demo.pcap" 2>/dev/null | wc -l)
[ "$n" -eq 9 ] || { echo "expected 9 frames in the capture, tshark read $n"; exit 1; }
bad=$(tshark -n -r "$out/demo.pcap" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
  -o udp.check_checksum:TRUE -Y '_ws.malformed || _ws.expert.severity >= "Error" || ip.checksum.status == "Bad" || tcp.checksum.status == "Bad" || udp.checksum.status == "Bad" || icmp.checksum.status == "Bad" || icmpv6.checksum.status == "Bad"' 2>&1 | grep -v '^Running as user')
[ -z "$bad" ] || { echo "tshark objects:"; echo "$bad"; exit 1; }
echo "1 passed, 0 failed"
