#!/usr/bin/env bash
# UDP benchmark, the Linux kernel's half: 64-byte datagrams between two
# network namespaces joined by a veth pair, over IPv4 and IPv6.
#   stream: bench/kernel_udp.c `send` (sendmmsg batches) in one namespace,
#           `recv` (recvmmsg) in the other; the figure is datagrams RECEIVED
#           per second (udp_stream_dps).
#   rr:     `rr-client` with one 64-byte request outstanding at a time
#           against an `rr-server` echo; round trips per second (udp_rr_per_s).
# Then, if a duet benchmark binary is given and exists, runs it (outside the
# namespaces: duet carries its own stack) and prints duet/kernel ratios.
#
# Usage: bench/udp.sh [--seconds N] [--pin SEND,RECV] [--spin] [--batch N]
#                     [--rcvbuf BYTES] [-4 | -6] [DUET_BENCH [ARGS...]]
#   --seconds N     length of each test (default 3)
#   --pin S,R       taskset the sender / rr-client on CPU S and the receiver /
#                   rr-server on CPU R (default: no pinning)
#   --spin          receivers, rr-server and rr-client poll (MSG_DONTWAIT)
#                   instead of sleeping in recv: no wake-up latency
#   --batch N       datagrams per sendmmsg (default 64; recvmmsg takes up to 64)
#   --rcvbuf BYTES  receiver SO_RCVBUF(FORCE) (default: the system's default)
#   -4 / -6         one family only (default: both)
#   DUET_BENCH      e.g. build/bench_udp_sock; run as DUET_BENCH ARGS... with
#                   DUET_BENCH_SECONDS=N in its environment. Its stdout is read
#                   for results named like the kernel's, in either form
#                     {"name":"udp_stream_dps","value":123, ...}   (docs/BENCHMARKS.md)
#                     udp_stream_dps=123
#                   Names compared: udp_stream_dps and udp_rr_per_s (IPv4),
#                   the same with a suffix _6, _v6, _ip6 or _ipv6, or spelt
#                   udp6_... (IPv6); _4, _v4, _ip4, _ipv4 also mean IPv4.
#                   Other names are printed but not compared.
# Output: kernel_udp's own lines ("kernel udp_stream_dps=N ...", "kernel
# udp_rr_per_s=N ..."), a summary line per family, and with DUET_BENCH one
# JSON line per compared result ({"name":..,"value":duet,"baseline":"linux_veth",
# "baseline_value":kernel,"ratio":duet/kernel}).
# Exit: 0 ok, 1 a test failed, 2 usage, 77 skipped (not root, no namespaces,
# no ip(8) / cc / timeout).
set -u
here=$(cd "$(dirname "$0")" && pwd)
seconds=3
pin=
batch=64
rcvbuf=
spin=()
families="4 6"
usage() { sed -n '/^# Usage:/,/^#   -4/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) [ $# -ge 2 ] || usage; seconds=$2; shift 2 ;;
    --seconds=*) seconds=${1#*=}; shift ;;
    --pin) [ $# -ge 2 ] || usage; pin=$2; shift 2 ;;
    --pin=*) pin=${1#*=}; shift ;;
    --spin) spin=(-s); shift ;;
    --batch) [ $# -ge 2 ] || usage; batch=$2; shift 2 ;;
    --rcvbuf) [ $# -ge 2 ] || usage; rcvbuf=$2; shift 2 ;;
    -4) families=4; shift ;;
    -6) families=6; shift ;;
    -h|--help) usage ;;
    --) shift; break ;;
    -*) echo "udp.sh: unknown option $1" >&2; usage ;;
    *) break ;;
  esac
done
case $seconds in ''|*[!0-9]*) echo "udp.sh: --seconds wants a whole number" >&2; exit 2 ;; esac
if [ "$seconds" -lt 1 ] || [ "$seconds" -gt 3600 ]; then echo "udp.sh: --seconds 1..3600" >&2; exit 2; fi
case $batch in ''|*[!0-9]*) echo "udp.sh: --batch wants a number" >&2; exit 2 ;; esac
send_pin=() recv_pin=()
if [ -n "$pin" ] && [ "$pin" != none ]; then
  case $pin in
    *,*) ;;
    *) echo "udp.sh: --pin wants SEND_CPU,RECV_CPU" >&2; exit 2 ;;
  esac
  command -v taskset >/dev/null || { echo "skip: --pin needs taskset"; exit 77; }
  send_pin=(taskset -c "${pin%%,*}")
  recv_pin=(taskset -c "${pin#*,}")
fi
duet_bench=
if [ $# -gt 0 ]; then duet_bench=$1; shift; fi
duet_args=("$@")

[ "$(id -u)" -eq 0 ] || { echo "skip: needs root (network namespaces)"; exit 77; }
for tool in ip cc timeout; do
  command -v $tool >/dev/null || { echo "skip: needs $tool"; exit 77; }
done

tmp=$(mktemp -d /tmp/duet-udp-bench.XXXXXX) || exit 2
nsa=duet-udp-a-$$
nsb=duet-udp-b-$$
va=dua$$; va=${va:0:15}
vb=dub$$; vb=${vb:0:15}
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  ip netns del "$nsa" 2>/dev/null
  ip netns del "$nsb" 2>/dev/null   # the veth pair goes with its namespaces
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ku=$tmp/kernel_udp
cc -O2 -Wall -Wextra -Werror -o "$ku" "$here/kernel_udp.c" || { echo "udp.sh: kernel_udp.c does not build" >&2; exit 1; }

ip netns add "$nsa" 2>/dev/null || { echo "skip: cannot create a network namespace"; exit 77; }
ip netns add "$nsb" 2>/dev/null || { echo "skip: cannot create a network namespace"; exit 77; }
ip link add "$va" netns "$nsa" type veth peer name "$vb" netns "$nsb" 2>/dev/null \
  || { echo "skip: cannot create a veth pair"; exit 77; }
setup() { ip "$@" || { echo "udp.sh: ip $* failed" >&2; exit 1; }; }
setup -n "$nsa" link set lo up
setup -n "$nsb" link set lo up
setup -n "$nsa" addr add 10.201.0.1/24 dev "$va"
setup -n "$nsb" addr add 10.201.0.2/24 dev "$vb"
setup -n "$nsa" addr add fd00:201::1/64 dev "$va" nodad
setup -n "$nsb" addr add fd00:201::2/64 dev "$vb" nodad
setup -n "$nsa" link set "$va" up
setup -n "$nsb" link set "$vb" up
# The link is up once both ends say so (bounded: 5 s).
for _ in $(seq 50); do
  ip -n "$nsa" link show "$va" | grep -q 'state UP' && ip -n "$nsb" link show "$vb" | grep -q 'state UP' && break
  sleep 0.1
done

# wait_ready FILE: until kernel_udp's "ready" line (bounded: 5 s).
wait_ready() {
  local _
  for _ in $(seq 50); do
    grep -q ' ready$' "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
# field KEY FILE: the number after KEY= on kernel_udp's line.
field() { grep -o "$1=[0-9.]*" "$2" | head -n 1 | cut -d= -f2; }

status=0
declare -A kfig
rcv_opts=("${spin[@]}")
[ -n "$rcvbuf" ] && rcv_opts+=(-r "$rcvbuf")
limit=$((seconds + 5))           # kernel_udp's own bound on a receiver / server
hard=$((seconds + 15))           # and timeout(1)'s, should that fail
echo "udp.sh: veth $nsa/$va <-> $nsb/$vb, ${seconds}s per test, 64-byte payloads, sendmmsg batch $batch, pin ${pin:-none}${spin:+, spinning receivers}, kernel $(uname -r), $(nproc) CPUs"
for fam in $families; do
  if [ "$fam" = 6 ]; then f=(-6); dst=fd00:201::2; name=ipv6; else f=(); dst=10.201.0.2; name=ipv4; fi

  # Stream: receiver in B, sender in A.
  timeout -k 2 $hard ip netns exec "$nsb" "${recv_pin[@]}" "$ku" "${f[@]}" "${rcv_opts[@]}" \
    recv 5001 $limit >"$tmp/recv$fam.out" 2>"$tmp/recv$fam.err" &
  rpid=$!; pids+=("$rpid")
  if ! wait_ready "$tmp/recv$fam.err"; then
    echo "udp.sh: $name receiver did not start:" >&2; cat "$tmp/recv$fam.err" >&2; status=1
  fi
  timeout -k 2 $hard ip netns exec "$nsa" "${send_pin[@]}" "$ku" "${f[@]}" \
    send $dst 5001 "$seconds" "$batch" >"$tmp/send$fam.out" 2>"$tmp/send$fam.err" \
    || { echo "udp.sh: $name sender failed:" >&2; cat "$tmp/send$fam.err" >&2; status=1; }
  wait $rpid || { echo "udp.sh: $name receiver failed:" >&2; cat "$tmp/recv$fam.err" >&2; status=1; }
  cat "$tmp/send$fam.out" "$tmp/recv$fam.out"
  kfig[stream$fam]=$(field udp_stream_dps "$tmp/recv$fam.out")

  # Request/response: server in B, client in A.
  timeout -k 2 $hard ip netns exec "$nsb" "${recv_pin[@]}" "$ku" "${f[@]}" "${spin[@]}" \
    rr-server 5002 $limit >"$tmp/srv$fam.out" 2>"$tmp/srv$fam.err" &
  spid=$!; pids+=("$spid")
  if ! wait_ready "$tmp/srv$fam.err"; then
    echo "udp.sh: $name rr-server did not start:" >&2; cat "$tmp/srv$fam.err" >&2; status=1
  fi
  timeout -k 2 $hard ip netns exec "$nsa" "${send_pin[@]}" "$ku" "${f[@]}" "${spin[@]}" \
    rr-client $dst 5002 "$seconds" >"$tmp/cli$fam.out" 2>"$tmp/cli$fam.err" \
    || { echo "udp.sh: $name rr-client failed:" >&2; cat "$tmp/cli$fam.err" >&2; status=1; }
  wait $spid || { echo "udp.sh: $name rr-server failed:" >&2; cat "$tmp/srv$fam.err" >&2; status=1; }
  cat "$tmp/cli$fam.out"
  kfig[rr$fam]=$(field udp_rr_per_s "$tmp/cli$fam.out")
  echo "summary: kernel $name udp_stream_dps=${kfig[stream$fam]:-none} udp_rr_per_s=${kfig[rr$fam]:-none} pin=${pin:-none} spin=${#spin[@]}"
done

[ -n "$duet_bench" ] || exit $status
if [ ! -x "$duet_bench" ]; then
  echo "udp.sh: no duet benchmark $duet_bench (build it first); kernel figures only" >&2
  exit $status
fi
echo "udp.sh: running $duet_bench ${duet_args[*]}"
DUET_BENCH_SECONDS=$seconds timeout -k 5 $((seconds * 10 + 60)) \
  "$duet_bench" "${duet_args[@]}" >"$tmp/duet.out" 2>"$tmp/duet.err"
drc=$?
cat "$tmp/duet.out"
if [ $drc -ne 0 ]; then
  echo "udp.sh: $duet_bench exited $drc:" >&2; cat "$tmp/duet.err" >&2; status=1
fi
# name value pairs from JSON lines and key=value tokens alike.
{
  sed -n 's/.*"name" *: *"\([^"]*\)".*"value" *: *\([0-9.eE+-]*\).*/\1 \2/p' "$tmp/duet.out"
  grep -v '"name"' "$tmp/duet.out" | grep -o '[A-Za-z0-9_]*udp[A-Za-z0-9_]*=[0-9.]*' | tr '=' ' '
} >"$tmp/duet.pairs"
compared=0
while read -r dname dval; do
  if [[ $dname =~ ^udp(6?)_(stream_dps|rr_per_s)(_(ip|ipv|v)?([46]))?$ ]]; then
    kind=${BASH_REMATCH[2]%%_*}
    fam=4
    [ -n "${BASH_REMATCH[1]}" ] || [ "${BASH_REMATCH[5]}" = 6 ] && fam=6
  else
    continue
  fi
  kval=${kfig[$kind$fam]:-}
  [ -n "$kval" ] || continue
  ratio=$(awk -v d="$dval" -v k="$kval" 'BEGIN { if (k > 0) printf "%.3f", d / k; else print "null" }')
  unit=datagrams/s; [ "$kind" = rr ] && unit=round_trips/s
  echo "ratio: $dname duet=$dval kernel=$kval duet/kernel=$ratio"
  printf '{"name":"%s","value":%s,"unit":"%s","baseline":"linux_veth_ipv%s","baseline_value":%s,"ratio":%s,"pin":"%s","kernel_spin":%s}\n' \
    "$dname" "$dval" "$unit" "$fam" "$kval" "$ratio" "${pin:-none}" "${#spin[@]}"
  compared=$((compared + 1))
done <"$tmp/duet.pairs"
if [ $compared -eq 0 ]; then
  echo "udp.sh: no udp stream / rr result found in $duet_bench's output" >&2
  status=1
fi
exit $status
