#!/usr/bin/env bash
# T-2, DS-1 .. DS-6, DS-8, N-6 and S-1 for TCP against the Linux kernel,
# over a TAP device inside a network namespace this test creates
# (documentation addresses: duet 192.0.2.2 + 2001:db8:77::2, the kernel .1 /
# ::1). Each check names the IDs it proves.
#
# Part 1, duet as the server: `duet run` with TCP echo, discard and chargen
# services on [::] (V6ONLY=0) and the seed Q&A's servers (seeds/000): one
# bound to ::ffff:192.0.2.2 (an IPv4 address, through an AF_INET6 socket)
# and a port shared by a v4-mapped and an IPv6 socket; and a port shared by
# a V6ONLY [::] socket and an AF_INET one (DS-4). duet's refusals (DS-4,
# DS-5) end a run with the errno Linux gives. Linux clients are
# /usr/bin/python3 (tests/tcp_interop.py); duet's log must show each peer as
# duet's accept saw it: ::ffff:192.0.2.1 for IPv4 clients (DS-2), the IPv6
# address otherwise.
# Part 2, duet as the client: `duet run --tcp-send` / `--tcp-recv` to and
# from Linux servers, a large transfer each way (1 GiB, or less when this
# machine is slow: see below) with SHA-256 compared; then smaller transfers
# under impairment: duet's own model on its TAP link (loss, duplication,
# reordering, delay, jitter both ways) plus random drops on the Linux side
# with nftables. Captures (tcpdump on the TAP device, duet's --pcap) must
# pass tshark's checks.
# Skipped (77) without root, ip(8), tshark, tcpdump, nft, /usr/bin/python3 or
# /dev/net/tun.
#
# DUET_TCP_BIG=BYTES sets the large transfers' size; by default a 64 MiB
# probe measures the rate and the size is 1 GiB if each way fits in ~20 s,
# else what does (at least 64 MiB), so the script stays near 90 s.
set -u
duet=$1
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 77; }
for tool in ip tshark tcpdump nft; do
  command -v $tool >/dev/null || { echo "skip: needs $tool"; exit 77; }
done
[ -x $py ] || { echo "skip: needs $py"; exit 77; }
[ -w /dev/net/tun ] || { echo "skip: no /dev/net/tun"; exit 77; }
. "$here/tapns.sh"
srv=
dump=
# Linux-side helpers live in the namespace: end them before it goes.
trap 'for p in $srv $dump; do kill $p 2>/dev/null; done; cleanup' EXIT
t0=$(date +%s)
tapns_start tcp "$duet" --echo tcp:7 --discard tcp:9 --chargen tcp:19 \
  --echo tcp:[::ffff:192.0.2.2]:5001 \
  --echo tcp:[::ffff:192.0.2.2]:5003 --discard tcp:[2001:db8:77::2]:5003 \
  --echo tcp6:5004 --discard tcp:0.0.0.0:5004
# The Linux servers below listen on 41001-41009: keep the namespace's own
# ephemeral ports (its clients' ends, some in TIME-WAIT) away from them.
ip netns exec $ns sysctl -qw net.ipv4.ip_local_port_range="50000 60999"
sleep 2.5   # duet's DAD (1 s + random delay) for 2001:db8:77::2
grep -q "tcp echo:7 listening" "$out/run.txt" || fail "the TCP echo service did not start"
pass=0
run() { # name, command...
  local name=$1; shift
  if "$@" >"$out/$name.txt" 2>&1; then pass=$((pass+1)); echo "ok   $name"
  else echo "FAIL $name"; cat "$out/$name.txt"; fail "$name"; fi
}
# duet logged the peer of the connection whose local port the client printed.
peer_logged() { # client-output service peer-address
  local port
  port=$(sed -n 's/^local [^ ]* \([0-9]*\)$/\1/p' "$out/$1.txt")
  [ -n "$port" ] || fail "$1: no local port"
  grep -qF "tcp $2 accepted [$3]:$port" "$out/run.txt" ||
    fail "$1: duet did not log peer [$3]:$port on $2"
  pass=$((pass+1)); echo "ok   $1_peer ($2 saw [$3]:$port)"
}
c="ip netns exec $ns $py $here/tcp_interop.py"

# T-2, DS-3, DS-2, S-1 (listen/accept/recv/send/shutdown on non-blocking
# sockets under duet_poll): one AF_INET6 socket on [::] serves an AF_INET
# client, seen as ::ffff:192.0.2.1, and an AF_INET6 one, seen as itself.
run echo4 $c echo 192.0.2.2 7 100000
peer_logged echo4 echo:7 ::ffff:192.0.2.1
run echo6 $c echo 2001:db8:77::2 7 100000
peer_logged echo6 echo:7 2001:db8:77::1
# DS-2: a Linux AF_INET6 client to ::ffff:192.0.2.2 speaks IPv4 on the wire.
run echo6_mapped $c echo ::ffff:192.0.2.2 7 10000
peer_logged echo6_mapped echo:7 ::ffff:192.0.2.1
# T-2, N-6 (scoped addresses): a Linux client to duet's link-local address
# (learned from the kernel's neighbour table after a ping to ff02::1) is
# seen from its link-local address with the TAP's index as scope id.
ip netns exec $ns ping -6 -c 1 -W 2 ff02::1%$dev >/dev/null 2>&1
dll=$(ip -n $ns -6 neigh show dev $dev | awk '/^fe80:/ {print $1; exit}')
kll=$(ip -n $ns -6 addr show dev $dev scope link | awk '/inet6/ {sub("/.*", "", $2); print $2; exit}')
ifx=$(sed -n 's/^duet run: .* is interface \([0-9]*\);.*/\1/p' "$out/run.txt")
[ -n "$dll" ] && [ -n "$kll" ] && [ -n "$ifx" ] || fail "link-local addresses: duet '$dll', kernel '$kll', index '$ifx'"
run echo6_ll $c echo "$dll%$dev" 7 10000
peer_logged echo6_ll echo:7 "$kll"
grep -q "accepted \[$kll\]:[0-9]* flowinfo 0 scope $ifx$" "$out/run.txt" ||
  fail "echo6_ll: the link-local peer's scope id is not $ifx"
pass=$((pass+1)); echo "ok   echo6_ll_scope ($ifx)"
# T-2, S-1: many connections at once, both families, served by one poll loop.
run many4 $c many 192.0.2.2 7 40
run many6 $c many 2001:db8:77::2 7 40
# T-2: discard reads and closes after the peer's FIN; chargen sends the
# RFC 864 pattern as fast as the peer reads, until it goes away.
run discard6 $c discard 2001:db8:77::2 9 1000000
run chargen4 $c chargen 192.0.2.2 19 2000000
run chargen6 $c chargen 2001:db8:77::2 19 2000000
# DS-1 (seed Q&A, first server): an AF_INET6 socket with V6ONLY=0 bound to
# ::ffff:192.0.2.2 takes the IPv4 client (seen as ::ffff:192.0.2.1, DS-2)
# and refuses the IPv6 one: duet answers its SYN with a RST.
run mapped4 $c echo 192.0.2.2 5001 1000
peer_logged mapped4 "echo:[::ffff:192.0.2.2]:5001" ::ffff:192.0.2.1
run mapped6_refused $c refused 2001:db8:77::2 5001
# DS-6 (seed Q&A, last server): port 5003 shared by a v4-mapped socket (echo)
# and a socket on the IPv6 address (discard); each gets only its family.
run shared4 $c echo 192.0.2.2 5003 1000
peer_logged shared4 "echo:[::ffff:192.0.2.2]:5003" ::ffff:192.0.2.1
run shared6 $c discard 2001:db8:77::2 5003 1000
grep -qF "tcp discard:[2001:db8:77::2]:5003 accepted [2001:db8:77::1]:" "$out/run.txt" ||
  fail "shared6: the IPv6 client did not reach the IPv6 socket"
grep -q "tcp discard:\[2001:db8:77::2\]:5003 accepted \[::ffff:" "$out/run.txt" &&
  fail "shared6: an IPv4 client reached the IPv6 socket"
grep -q "tcp echo:\[::ffff:192.0.2.2\]:5003 accepted \[2001:" "$out/run.txt" &&
  fail "shared4: an IPv6 client reached the v4-mapped socket"
pass=$((pass+1)); echo "ok   shared_port_families"
# DS-2: every v4-mapped peer duet accepted came with flowinfo 0, scope id 0.
n=$(grep -c "accepted \[::ffff:192.0.2.1\]:[0-9]* flowinfo 0 scope 0$" "$out/run.txt")
m=$(grep -c "accepted \[::ffff:" "$out/run.txt")
[ "$n" -ge 40 ] && [ "$n" = "$m" ] || fail "v4-mapped peers with flowinfo 0 scope 0: $n of $m"
pass=$((pass+1)); echo "ok   mapped_peers_flowinfo_scope ($n peers)"
# DS-4: [::]:5004 with V6ONLY=1 (echo) beside an AF_INET socket on
# 0.0.0.0:5004 (discard); each family reaches its own.
run v6only6 $c echo 2001:db8:77::2 5004 1000
peer_logged v6only6 echo:v6only:5004 2001:db8:77::1
run inet4 $c discard 192.0.2.2 5004 1000
grep -qF "tcp discard:0.0.0.0:5004 accepted 192.0.2.1:" "$out/run.txt" ||
  fail "inet4: the IPv4 client did not reach the AF_INET socket (as 192.0.2.1)"
# T-2: concurrent bulk echoes, both families, while the kernel drops 1% of
# what it sends: duet holds out-of-order data, so its own data segments
# carry SACK blocks and must still fit the 1500-octet MTU (no
# DROP_IP6_OUT_TOO_BIG / DROP_IP4_DONTFRAG below).
ip netns exec $ns nft -f - <<'EOF' || fail "nft rules"
table inet duet_loss1 {
  chain out { type filter hook output priority 0; meta l4proto tcp numgen random mod 100 < 1 drop; }
}
EOF
par=
for i in 1 2 3 4; do
  $c echo 192.0.2.2 7 4000000 >"$out/par4_$i.txt" 2>&1 & par="$par $!"
  $c echo 2001:db8:77::2 7 4000000 >"$out/par6_$i.txt" 2>&1 & par="$par $!"
done
bad=0; for p in $par; do wait $p || bad=$((bad+1)); done
ip netns exec $ns nft delete table inet duet_loss1
[ $bad -eq 0 ] || { cat "$out"/par*.txt; fail "$bad of 8 concurrent echoes failed"; }
pass=$((pass+1)); echo "ok   concurrent_echoes (8 x 4 MB under 1% loss)"
kill -TERM $pid; wait $pid; rc=$?; pid=
[ $rc -eq 0 ] || fail "duet run exited $rc"
grep -q "stopping (SIGTERM)" "$out/run.txt" || fail "no clean stop"
grep -q "DROP_IP6_OUT_TOO_BIG\|DROP_IP4_DONTFRAG" "$out/run.txt" &&
  fail "duet's TCP sent segments larger than the MTU"
# Every connection accepted was closed, none left behind.
tot=$(sed -n 's/.*tcp: \([0-9]*\) connections accepted, \([0-9]*\) closed.*/\1 \2/p' "$out/run.txt")
set -- $tot
[ $# -eq 2 ] && [ "$1" -ge 97 ] && [ "$1" = "$2" ] || fail "connections accepted/closed: '$tot'"
# tshark's checks; but Linux itself writes a TCP checksum that comes out 0
# as 0xffff (skb_checksum_help's CSUM_MANGLED_0), which tshark calls an
# error (RFC 1624): about one kernel segment in 65,536 does, so those of
# the kernel's are let through. duet's own must never do it. The test ports
# are decoded as plain data: random payloads otherwise meet heuristic
# dissectors (THRIFT ...) that call them malformed.
tshark_ok() { # capture
  local bad
  bad=$(tshark -n -r "$1" -d tcp.port==41001-41009,data -d tcp.port==5001-5006,data \
    -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
    -o udp.check_checksum:TRUE -Y '(_ws.malformed || _ws.expert.severity >= "Error" || ip.checksum.status == "Bad" || tcp.checksum.status == "Bad" || udp.checksum.status == "Bad" || icmp.checksum.status == "Bad" || icmpv6.checksum.status == "Bad") && !(tcp.checksum == 0xffff && !_ws.malformed && (ip.src == 192.0.2.1 || ipv6.src == 2001:db8:77::1))' 2>&1 | grep -v '^Running as user')
  [ -z "$bad" ] || fail "tshark objects to $(basename "$1"): $bad"
  pass=$((pass+1)); echo "ok   tshark $(basename "$1")"
}
tshark_ok "$out/run.pcap"
# The RST duet sent to the refused IPv6 client (DS-1), in its capture.
rst=$(tshark -n -r "$out/run.pcap" -Y 'ipv6.src == 2001:db8:77::2 && tcp.srcport == 5001 && tcp.flags.reset == 1' 2>/dev/null | wc -l)
[ "$rst" -ge 1 ] || fail "no RST from duet's port 5001 to the IPv6 client"
echo "--- server part: $(( $(date +%s) - t0 )) s"

# Part 2: a persistent TAP device the kernel side keeps configured between
# duet runs; each `duet run --tcp-send/--tcp-recv` opens it, transfers, exits.
tap=t$dev
tap=${tap:0:15}
ip -n $ns tuntap add dev $tap mode tap || fail "tuntap"
ip -n $ns addr add 192.0.2.1/24 dev $tap || fail "kernel IPv4 address"
ip -n $ns addr add 2001:db8:77::1/64 dev $tap nodad || fail "kernel IPv6 address"
ip -n $ns link set $tap up || fail "link up"
xfer() { # name python-server-args -- duet-run-args: one transfer, hashes compared
  local name=$1 i; shift
  local sargs=() dargs=()
  while [ "$1" != "--" ]; do sargs+=("$1"); shift; done; shift
  dargs=("$@")
  ip netns exec $ns timeout 300 $py $here/tcp_interop.py "${sargs[@]}" >"$out/$name.srv" 2>&1 &
  srv=$!
  for i in $(seq 50); do grep -q listening "$out/$name.srv" 2>/dev/null && break; sleep 0.1; done
  ip netns exec $ns timeout 200 "$duet" run --tap $tap --addr 192.0.2.2/24 \
    --addr 2001:db8:77::2/64 "${dargs[@]}" >"$out/$name.txt" 2>&1 ||
    { cat "$out/$name.srv"; kill $srv 2>/dev/null; cat "$out/$name.txt"; fail "$name: duet run failed"; }
  wait $srv || { cat "$out/$name.srv"; cat "$out/$name.txt"; fail "$name: the Linux side failed"; }
  srv=
  local dh lh
  dh=$(sed -n 's/.*duet run: tcp-[a-z]* .* bytes \([0-9]*\) sha256 \([0-9a-f]*\) .*/\1 \2/p' "$out/$name.txt")
  lh=$(sed -n 's/^bytes \([0-9]*\) sha256 \([0-9a-f]*\) .*/\1 \2/p' "$out/$name.srv")
  [ -n "$dh" ] && [ "$dh" = "$lh" ] || fail "$name: duet says '$dh', Linux says '$lh'"
  pass=$((pass+1))
  echo "ok   $name: $(sed -n 's/.*duet run: \(tcp-[a-z]* .*\) sha256 [0-9a-f]* \(.*\)/\1 \2/p' "$out/$name.txt")"
}
# Refusals, each ending the run with exit 1 and the errno Linux gives.
refuse() { # name errno-text duet-run-args...
  local name=$1 want=$2; shift 2
  ip netns exec $ns timeout 30 "$duet" run --tap $tap --addr 192.0.2.2/24 \
    --addr 2001:db8:77::2/64 "$@" >"$out/$name.txt" 2>&1
  local rc=$?
  [ $rc -eq 1 ] && grep -q "$want" "$out/$name.txt" ||
    { cat "$out/$name.txt"; fail "$name: exit $rc, expected 1 with '$want'"; }
  pass=$((pass+1)); echo "ok   $name ($want)"
}
# DS-4: with V6ONLY=0, [::]:P and 0.0.0.0:P conflict, in either order.
refuse ds4_v6_first "Address already in use" --echo tcp:5005 --discard tcp:0.0.0.0:5005
refuse ds4_v4_first "Address already in use" --discard tcp:0.0.0.0:5005 --echo tcp:5005
# DS-5: a V6ONLY socket binds no v4-mapped address (EINVAL) and connects to
# none (ENETUNREACH).
refuse ds5_bind "Invalid argument" --echo tcp6:[::ffff:192.0.2.2]:5006
refuse ds5_connect "Network is unreachable" --tcp-v6only --tcp-send [::ffff:192.0.2.1]:41009:1
# T-2, S-1: a connect to a port nobody listens on is refused (the kernel's
# RST: ECONNREFUSED), over both families.
refuse refused4 "Connection refused" --tcp-send 192.0.2.1:41999:1
refuse refused6 "Connection refused" --tcp-recv [2001:db8:77::1]:41999
# T-2, S-1 (connect, send, shutdown(SHUT_WR), recv to EOF): duet's AF_INET
# client to a Linux server, and an AF_INET6 client to the Linux server's
# IPv6 address and (DS-8: real IPv4 on the wire) to ::ffff:192.0.2.1.
xfer send4 sink 192.0.2.1 41001 -- --tcp-send 192.0.2.1:41001:4M
xfer recv6 source 2001:db8:77::1 41002 4194304 -- --tcp-recv [2001:db8:77::1]:41002
xfer send6_mapped sink 0.0.0.0 41003 -- --tcp-send [::ffff:192.0.2.1]:41003:1M
grep -q "tcp-send \[::ffff:192.0.2.1\]:41003 from \[::ffff:192.0.2.2\]:" "$out/send6_mapped.txt" ||
  fail "send6_mapped: the AF_INET6 socket's names are not v4-mapped"
# The large transfers (T-2: window scaling, a 1 MiB window, bulk both ways).
big=${DUET_TCP_BIG:-}
if [ -z "$big" ]; then
  xfer probe sink 192.0.2.1 41004 -- --tcp-send 192.0.2.1:41004:64M
  rate=$(sed -n 's/.*tcp-send .* MBps \([0-9]*\).*/\1/p' "$out/probe.txt")
  big=$(( rate * 20 * 1000000 / 1048576 ))            # MiB in 20 s at the probe's rate
  [ $big -gt 1024 ] && big=1024; [ $big -lt 64 ] && big=64
  big=$(( big * 1048576 ))
fi
echo "--- large transfers: $big bytes each way"
xfer big_send4 sink 192.0.2.1 41005 -- --tcp-send 192.0.2.1:41005:$big
xfer big_recv6 source 2001:db8:77::1 41006 $big -- --tcp-recv [2001:db8:77::1]:41006
echo "--- after the large transfers: $(( $(date +%s) - t0 )) s"

# Under impairment (T-2: RTO, fast retransmit, SACK recovery, duplicates and
# reordering): duet's model both ways around its TAP link, and the kernel's
# side drops 2% of TCP packets each way at random (nftables numgen).
ip netns exec $ns nft -f - <<'EOF' || fail "nft rules"
table inet duet_loss {
  chain in { type filter hook input priority 0; meta l4proto tcp numgen random mod 100 < 2 drop; }
  chain out { type filter hook output priority 0; meta l4proto tcp numgen random mod 100 < 2 drop; }
}
EOF
ip netns exec $ns tcpdump --immediate-mode -s 0 -i $tap -w "$out/impaired.pcap" -U >"$out/tcpdump.txt" 2>&1 &
dump=$!
for i in $(seq 50); do grep -q "listening on" "$out/tcpdump.txt" && break; sleep 0.1; done
imp=(--impair-tx loss=1%,dup=0.5%,reorder=1%,delay=2ms,jitter=1ms
     --impair-rx loss=1%,dup=0.5%,reorder=1%,delay=2ms,jitter=1ms --impair-seed 7)
xfer lossy_send4 sink 192.0.2.1 41007 -- --tcp-send 192.0.2.1:41007:8M "${imp[@]}" \
  --pcap "$out/lossy_send4.pcap"
xfer lossy_recv6 source 2001:db8:77::1 41008 8388608 -- --tcp-recv [2001:db8:77::1]:41008 \
  "${imp[@]}" --impair-seed 8 --pcap "$out/lossy_recv6.pcap"
sleep 0.5; kill -INT $dump; wait $dump; dump=
ip netns exec $ns nft delete table inet duet_loss
# The impairment did bite: duet retransmitted what it sent, and queued what
# it received out of order.
r=$(sed -n 's/^  TCP_RETRANS_SEGS *\([0-9]*\).*/\1/p' "$out/lossy_send4.txt")
[ -n "$r" ] && [ "$r" -gt 0 ] || fail "lossy_send4: no retransmissions under loss ('$r')"
r=$(sed -n 's/^  TCP_OOO_QUEUED *\([0-9]*\).*/\1/p' "$out/lossy_recv6.txt")
[ -n "$r" ] && [ "$r" -gt 0 ] || fail "lossy_recv6: nothing out of order under loss ('$r')"
tshark_ok "$out/impaired.pcap"
tshark_ok "$out/lossy_send4.pcap"
tshark_ok "$out/lossy_recv6.pcap"
echo "--- total: $(( $(date +%s) - t0 )) s"
echo "$pass passed, 0 failed"
