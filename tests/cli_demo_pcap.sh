#!/usr/bin/env bash
# L-1, L-2, N-2, N-3, N-4, N-8, F-1, F-2 in simulation: `duet demo --pcap`
# brings two hosts up (DAD, RS, gratuitous ARP), pings over IPv4 and IPv6
# with 56 and 3000 bytes (fragmented), answers all four, prints the same
# transcript for the same seed, and writes a capture tshark reads with no
# malformed frame and no bad checksum. The tshark part is skipped (exit 77)
# when tshark is not installed.
set -u
duet=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$duet" demo --pcap "$out/demo.pcap" >"$out/demo.txt" || { cat "$out/demo.txt"; echo "demo failed"; exit 1; }
need() { grep -q -- "$1" "$out/demo.txt" || { cat "$out/demo.txt"; echo "missing: $1"; exit 1; }; }
need "4 of 4 echo requests answered"
need "ARP reply 192.0.2.2 is-at"
need "neighbor advertisement, 2001:db8::2 is here (solicited)"
need "echo reply from 192.0.2.2, seq 3, 3000 data bytes"
need "echo reply from 2001:db8::2, seq 4, 3000 data bytes"
need "neighbor solicitation, who has 2001:db8::1"      # DAD
# Same seed, same transcript.
"$duet" demo >"$out/again.txt" && diff <(grep -v -i capture "$out/demo.txt") <(grep -v -i capture "$out/again.txt") >/dev/null \
  || { echo "demo is not deterministic"; exit 1; }
command -v tshark >/dev/null || { echo "skip: tshark not installed"; exit 77; }
replies=$(tshark -n -r "$out/demo.pcap" -Y 'icmp.type == 0 || icmpv6.type == 129' 2>/dev/null | wc -l)
[ "$replies" -eq 4 ] || { echo "expected 4 echo replies in the capture, tshark saw $replies"; exit 1; }
bad=$(tshark -n -r "$out/demo.pcap" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
  -o udp.check_checksum:TRUE -Y '_ws.malformed || _ws.expert.severity >= "Error" || ip.checksum.status == "Bad" || tcp.checksum.status == "Bad" || udp.checksum.status == "Bad" || icmp.checksum.status == "Bad" || icmpv6.checksum.status == "Bad"' 2>&1 | grep -v '^Running as user')
[ -z "$bad" ] || { echo "tshark objects:"; echo "$bad"; exit 1; }
echo "1 passed, 0 failed"
