#!/usr/bin/env bash
# N-3, N-4, N-5, F-3, F-2, N-1 against the Linux kernel with packets crafted by
# scapy (tests/scapy_duet.py): `duet run` on a TAP device inside a network
# namespace this test creates (documentation addresses only), and from the
# kernel's side of the TAP:
#  - N-3, N-4: a Router Advertisement (hop limit 255, from the kernel's
#    link-local address, Prefix Information 2001:db8:99::/64 with A and L,
#    Source Link-Layer Address) makes duet form a SLAAC address in the
#    prefix, learned from its DAD Neighbour Solicitation; its interface
#    identifier is not the EUI-64 one (RFC 7217); Linux pings it;
#    ND6_RA_ACCEPTED, ADDRCONF_SLAAC_ADDED and ADDRCONF_DAD_STARTED count
#    it, and every DAD run succeeded. The same RA with hop limit 254 is
#    dropped (DROP_ND6_BAD_HOP_LIMIT), no address formed.
#  - N-5: an MLDv2 General Query (hop limit 1, Router Alert, from the
#    kernel's link-local address) is answered within its Maximum Response
#    Delay by an MLDv2 Report to ff02::16 holding IS_EX {} for duet's
#    solicited-node group; the same Query with hop limit 64 is dropped
#    (DROP_MLD6_INVALID, RFC 3810 5.1.14).
#  - F-3: a 1400-byte echo is answered whole; after a Packet Too Big (MTU
#    1280) quoting that reply, the next reply comes in fragments of at most
#    1280 octets (RFC 8201); PMTU_LOWERED counts it.
#  - F-2: overlapping fragments are discarded, no reply (RFC 5722:
#    DROP_REASM_OVERLAP, REASM_FAILS); a first fragment without the whole
#    header chain is discarded with Parameter Problem code 3, pointer 0
#    (RFC 7112 5, RFC 8200 4.5: DROP_REASM_CHAIN_INCOMPLETE); a Neighbour
#    Solicitation in two fragments, or in one atomic fragment, gets no
#    Advertisement while the same NS whole does (RFC 6980 5:
#    DROP_ND6_FRAGMENTED); an atomic-fragment echo request is answered
#    (RFC 6946: REASM_ATOMIC); a plain ping still works afterwards.
#  - N-1: in a Destination Options header an unknown option with action 00
#    is skipped (echo answered), one with action 10 discards the packet with
#    Parameter Problem code 2 at the option (DROP_IP6_OPT_DISCARD); an
#    unknown Next Header after it gets code 1 at its Next Header field
#    (DROP_IP6_UNKNOWN_NH).
#  - duet's capture passes tshark (the crafted bad fragments excepted, see
#    the end).
# Skipped (77) without root, ip(8), ping, tshark or /usr/bin/python3 with
# scapy (scripts/setup-deps.sh installs python3-scapy).
set -u
duet=$1
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 77; }
for tool in ip ping tshark; do
  command -v $tool >/dev/null || { echo "skip: needs $tool"; exit 77; }
done
[ -x $py ] && $py -c 'import scapy' 2>/dev/null || { echo "skip: needs $py with scapy"; exit 77; }
[ -w /dev/net/tun ] || { echo "skip: no /dev/net/tun"; exit 77; }
ns=duet-scapy-$$
dev=ds$$
dev=${dev:0:15}
kaddr=2001:db8:77::1     # the kernel
daddr=2001:db8:77::2     # duet's static address
prefix=2001:db8:99::     # advertised for SLAAC
out=$(mktemp -d)
pid=
rc=
stop_duet() { # SIGTERM, at most 5 s to go, then SIGKILL; sets rc
  local i
  [ -n "$pid" ] || return 0
  kill -TERM $pid 2>/dev/null
  for i in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
  kill -0 $pid 2>/dev/null && { kill -KILL $pid; wait $pid 2>/dev/null; pid=; return 1; }
  wait $pid; rc=$?; pid=
}
# KEEP_OUT=FILE keeps a copy of duet's capture for a look afterwards.
cleanup() {
  stop_duet
  ip netns del $ns 2>/dev/null
  [ -n "${KEEP_OUT:-}" ] && cp "$out/run.pcap" "$KEEP_OUT" 2>/dev/null; rm -rf "$out"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- duet run output:"; cat "$out/run.txt"; exit 1; }
nsx() { ip netns exec $ns "$@"; }
scapy() { nsx $py "$here/scapy_duet.py" "$@"; }
# The value of counter $1 now: SIGUSR1, then wait (bounded) for the block.
counter() { # NAME [cached]: "cached" reads the last block, no new one
  local i n
  if [ "${2:-}" != cached ]; then
    n=$(grep -c '^duet run: counters$' "$out/run.txt")
    kill -USR1 $pid
    for i in $(seq 40); do
      [ "$(grep -c '^duet run: counters$' "$out/run.txt")" -gt $n ] && break
      sleep 0.05
    done
    sleep 0.05   # the block is flushed with its header; let it land
  fi
  awk -v n="$1" '/^duet run: counters$/ {v = 0} $1 == n {v = $2} END {print v + 0}' "$out/run.txt"
}
pass=0
ok() { pass=$((pass+1)); echo "ok   $1"; }
# run NAME COMMAND...: the command must succeed; its output goes to NAME.txt.
run() {
  local name=$1; shift
  if "$@" >"$out/$name.txt" 2>&1; then ok "$name"
  else echo "FAIL $name"; cat "$out/$name.txt"; fail "$name"; fi
}
# grew NAME COUNTER... : each counter rose since its value in $before_COUNTER.
grew() {
  local name=$1 c v b first=1; shift
  for c in "$@"; do
    v=$(counter $c $([ $first -eq 1 ] || echo cached)); first=0
    b=$(eval echo "\${before_$c:-0}")
    [ "$v" -gt "$b" ] || fail "$name: $c stayed at $v"
    echo "     $c $b -> $v"
  done
}
snap() { local c; counter "$1" >/dev/null; for c in "$@"; do eval "before_$c=$(counter $c cached)"; done; }

ip netns add $ns || { echo "skip: cannot create a namespace"; exit 77; }
ip netns exec $ns "$duet" run --tap $dev --addr $daddr/64 --pcap "$out/run.pcap" >"$out/run.txt" 2>&1 &
pid=$!
for i in $(seq 50); do ip -n $ns link show $dev >/dev/null 2>&1 && break; sleep 0.1; done
nsx sysctl -qw net.ipv6.conf.$dev.accept_dad=0 || fail "sysctl accept_dad"
nsx sysctl -qw net.ipv6.conf.$dev.accept_ra=0 || fail "sysctl accept_ra"
ip -n $ns addr add $kaddr/64 dev $dev nodad || fail "kernel IPv6 address"
ip -n $ns addr add ${prefix}1/64 dev $dev nodad || fail "kernel address in the SLAAC prefix"
ip -n $ns link set $dev up || fail "link up"
kmac=$(ip -n $ns link show $dev | awk '/link\/ether/ {print $2}')
[ -n "$kmac" ] || fail "no MAC address for $dev"
kll=
for i in $(seq 30); do
  kll=$(ip -n $ns -6 addr show dev $dev scope link | awk '/inet6 fe80/ {sub("/.*", "", $2); print $2; exit}')
  [ -n "$kll" ] && break; sleep 0.1
done
[ -n "$kll" ] || fail "the kernel has no link-local address on $dev"
# duet's DAD for its static address: 1 s plus a random delay of up to 1 s.
for i in $(seq 8); do nsx ping -6 -n -c 1 -W 1 $daddr >/dev/null 2>&1 && break; sleep 0.2; done
run ping6 nsx ping -6 -n -c 2 -i 0.2 -W 2 $daddr
dmac=$(ip -n $ns -6 neigh show $daddr dev $dev | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i+1)}')
[ -n "$dmac" ] || fail "no neighbour entry for duet"

# 1. Router Advertisement -> SLAAC address, pinged from Linux; not with
# hop limit 254 (RFC 4861 6.1.2).
snap DROP_ND6_BAD_HOP_LIMIT ND6_RA_ACCEPTED ADDRCONF_SLAAC_ADDED ADDRCONF_DAD_STARTED
run ra_bad_hlim scapy ra-bad $dev $kll $dmac 2001:db8:98::
sed 's/^/     /' "$out/ra_bad_hlim.txt"
grew ra_bad_hlim DROP_ND6_BAD_HOP_LIMIT
[ "$(counter ND6_RA_ACCEPTED cached)" -eq $before_ND6_RA_ACCEPTED ] || fail "RA with hop limit 254 accepted"
[ "$(counter ADDRCONF_SLAAC_ADDED cached)" -eq $before_ADDRCONF_SLAAC_ADDED ] \
  || fail "SLAAC from an RA with hop limit 254"
run ra_slaac scapy ra $dev $kll $dmac $prefix
slaac=$(awk '/^slaac / {print $2}' "$out/ra_slaac.txt")
echo "     duet formed $slaac (MAC $dmac)"
grew ra_slaac ND6_RA_ACCEPTED ADDRCONF_SLAAC_ADDED
for i in $(seq 8); do   # DAD: RetransTimer (1 s) after the NS
  nsx ping -6 -n -c 1 -W 1 -I ${prefix}1 $slaac >/dev/null 2>&1 && break; sleep 0.2
done
run ping6_slaac nsx ping -6 -n -c 2 -i 0.2 -W 2 -I ${prefix}1 $slaac
grew ping6_slaac ADDRCONF_DAD_STARTED
[ "$(counter ADDRCONF_DAD_SUCCEEDED cached)" -eq "$(counter ADDRCONF_DAD_STARTED cached)" ] \
  || fail "not every DAD run succeeded"

# 2. Packet Too Big lowers the path MTU: the same reply now comes fragmented.
snap PMTU_LOWERED ICMP6_IN_PKT_TOO_BIGS IP6_FRAG_OKS
# N-5: an MLDv2 General Query from the Linux side is answered in time;
# an invalid one (hop limit 64) is dropped.
snap MLD6_IN_QUERIES MCAST_CURRENT_REPORTS DROP_MLD6_INVALID
run mld_query scapy mld $dev $kll $dmac $daddr
sed 's/^/     /' "$out/mld_query.txt"
grew mld_query MLD6_IN_QUERIES MCAST_CURRENT_REPORTS DROP_MLD6_INVALID

run ptb_pmtu scapy ptb $dev $kaddr $daddr $dmac
sed 's/^/     /' "$out/ptb_pmtu.txt"
grew ptb_pmtu PMTU_LOWERED ICMP6_IN_PKT_TOO_BIGS IP6_FRAG_OKS

# 3. Crafted fragments.
frag() { # name case counters...
  local name=$1 case=$2; shift 2
  snap "$@"
  run $name scapy frag $dev $kaddr $daddr $dmac $case
  sed 's/^/     /' "$out/$name.txt"
  grew $name "$@"
}
frag frag_overlap    overlap   DROP_REASM_OVERLAP REASM_FAILS
frag frag_chain      chain     DROP_REASM_CHAIN_INCOMPLETE REASM_FAILS ICMP6_OUT_ERRORS
frag frag_nd         ns-frag   DROP_ND6_FRAGMENTED REASM_OKS
frag frag_nd_atomic  ns-atomic DROP_ND6_FRAGMENTED REASM_ATOMIC
frag nd_whole        ns-plain  ND6_TX_NA
frag frag_atomic     atomic    REASM_ATOMIC ICMP6_OUT_ECHO_REPLIES
# 4. Extension headers (N-1).
frag opt_skip        opt-skip   ICMP6_OUT_ECHO_REPLIES
frag opt_icmp        opt-icmp   DROP_IP6_OPT_DISCARD ICMP6_OUT_ERRORS
frag unknown_nh      unknown-nh DROP_IP6_UNKNOWN_NH IP6_IN_UNKNOWN_PROTOS ICMP6_OUT_ERRORS
run ping6_after nsx ping -6 -n -c 2 -i 0.2 -W 2 $daddr

stop_duet || fail "duet run did not stop on SIGTERM"
[ $rc -eq 0 ] || fail "duet run exited $rc"
grep -q "stopping (SIGTERM)" "$out/run.txt" || fail "no clean stop"

# 5. The capture passes tshark. The crafted fragments (from the kernel's MAC,
# Identification 0xd0e7NNNN, reassembled frames included) are bad on
# purpose -- overlapping, an incomplete header chain, fragmented ND -- and
# would be excused if tshark objected to them (4.0 does not); every other
# frame, and all of duet's, must be clean.
crafted="eth.src == ${kmac:-00:00:00:00:00:00} && ipv6.fraghdr.ident >= 0xd0e70000 && ipv6.fraghdr.ident <= 0xd0e7ffff"
tshark_bad() { # extra display filter clause
  tshark -n -r "$out/run.pcap" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
    -o udp.check_checksum:TRUE -Y "(_ws.malformed || _ws.expert.severity >= \"Error\" || ip.checksum.status == \"Bad\" || tcp.checksum.status == \"Bad\" || udp.checksum.status == \"Bad\" || icmp.checksum.status == \"Bad\" || icmpv6.checksum.status == \"Bad\")$1" 2>&1 \
    | grep -v '^Running as user'
}
[ -n "$(tshark_bad " && ($crafted)" | head -1)" ] \
  && echo "     tshark objects to crafted frames only: $(tshark_bad " && ($crafted)" | wc -l)"
bad=$(tshark_bad " && !($crafted)")
[ -z "$bad" ] || fail "tshark objects: $bad"
[ "$(tshark -n -r "$out/run.pcap" -Y "$crafted" 2>/dev/null | wc -l)" -ge 8 ] \
  || fail "the crafted fragments are not in the capture"
ok tshark_clean
echo "$pass passed, 0 failed"
