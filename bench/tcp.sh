#!/usr/bin/env bash
# TCP benchmark, the Linux kernel's half, then duet's, side by side:
#   bulk: iperf3 (one stream, client in namespace A, server in B) over a
#         veth pair at MTU 1500 and 9000 (IPv4), and 1500 over IPv6;
#         Gbit/s of payload as iperf3's receiver counts it.
#   rr:   bench/kernel_tcp.c, one-byte request/response over one TCP
#         connection with TCP_NODELAY, client in A, server in B (the same
#         veth, MTU 1500), IPv4 and IPv6; round trips per second.
# Then, if a duet benchmark binary is given (build/bench_tcp), runs it
# (outside the namespaces: duet carries its own stacks, one thread) and
# prints duet/kernel ratios and the issue's targets, met or not:
#   bulk duet >= 2.5x the kernel at each MTU; rr >= 10x the kernel;
#   <= 512 bytes per idle established connection (judged per endpoint:
#   one socket in one stack); ns per segment flat from the smallest to the
#   largest N (judged: the largest N's ns_per_seg_all within 1.25x the
#   smallest's, on the trials' medians and on the fastest trials).
#
# Usage: bench/tcp.sh [--seconds N] [--pin C,S] [--spin] [--no-kernel]
#                     [DUET_BENCH [ARGS...]]
#   --seconds N   length of each test (default 5; bench_tcp's scale runs
#                 keep their own DUET_BENCH_SCALE_SECONDS, default 1)
#   --pin C,S     taskset the client (iperf3 -c, rr-client) on CPU C and the
#                 server on CPU S (default: no pinning)
#   --spin        kernel_tcp's client and server poll (MSG_DONTWAIT) instead
#                 of sleeping in recv (iperf3 is unaffected)
#   --no-kernel   duet only (no namespaces, no root needed)
#   DUET_BENCH    e.g. build/bench_tcp; run with DUET_BENCH_SECONDS=N and
#                 the caller's DUET_BENCH_ONLY / DUET_BENCH_SCALE / ... .
# Output: the kernel's lines ("kernel tcp_bulk_gbps_mtu1500=G ...",
# "kernel tcp_rr_per_s=N ..."), duet's lines, one "ratio:" line and one
# JSON object per compared figure, one "target:" line per target (judged
# on wall-clock rates, as the issue states them), and a "ratio_per_cpu:"
# line per figure: the same rates per CPU second (duet: its process's CPU
# time; the kernel: iperf3's host + remote cpu_utilization_percent, or
# kernel_tcp's client + server getrusage), which a loaded machine disturbs
# less than wall-clock rates.
# Exit: 0 ok, 1 a test failed, 2 usage, 77 skipped (not root, no
# namespaces, no ip(8) / cc / iperf3 / python3 / timeout).
set -u
here=$(cd "$(dirname "$0")" && pwd)
seconds=5
pin=
spin=()
kernel=1
usage() { sed -n '/^# Usage:/,/^#   DUET_BENCH /p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) [ $# -ge 2 ] || usage; seconds=$2; shift 2 ;;
    --seconds=*) seconds=${1#*=}; shift ;;
    --pin) [ $# -ge 2 ] || usage; pin=$2; shift 2 ;;
    --pin=*) pin=${1#*=}; shift ;;
    --spin) spin=(-s); shift ;;
    --no-kernel) kernel=0; shift ;;
    -h|--help) usage ;;
    --) shift; break ;;
    -*) echo "tcp.sh: unknown option $1" >&2; usage ;;
    *) break ;;
  esac
done
case $seconds in ''|*[!0-9]*) echo "tcp.sh: --seconds wants a whole number" >&2; exit 2 ;; esac
if [ "$seconds" -lt 1 ] || [ "$seconds" -gt 3600 ]; then echo "tcp.sh: --seconds 1..3600" >&2; exit 2; fi
cli_pin=() srv_pin=()
if [ -n "$pin" ] && [ "$pin" != none ]; then
  case $pin in
    *,*) ;;
    *) echo "tcp.sh: --pin wants CLIENT_CPU,SERVER_CPU" >&2; exit 2 ;;
  esac
  command -v taskset >/dev/null || { echo "skip: --pin needs taskset"; exit 77; }
  cli_pin=(taskset -c "${pin%%,*}")
  srv_pin=(taskset -c "${pin#*,}")
fi
duet_bench=
if [ $# -gt 0 ]; then duet_bench=$1; shift; fi
duet_args=("$@")

tmp=$(mktemp -d /tmp/duet-tcp-bench.XXXXXX) || exit 2
nsa=duet-tcp-a-$$
nsb=duet-tcp-b-$$
va=dta$$; va=${va:0:15}
vb=dtb$$; vb=${vb:0:15}
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  if [ "$kernel" = 1 ]; then
    ip netns del "$nsa" 2>/dev/null
    ip netns del "$nsb" 2>/dev/null   # the veth pair goes with its namespaces
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

status=0
declare -A kfig kcpu_fig
# field KEY FILE: the number after KEY= on a result line.
field() { grep -o "$1=[0-9.]*" "$2" | head -n 1 | cut -d= -f2; }
# wait_for PATTERN FILE: until the line appears (bounded: 5 s).
wait_for() {
  local _
  for _ in $(seq 50); do
    grep -q "$1" "$2" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

if [ "$kernel" = 1 ]; then
  [ "$(id -u)" -eq 0 ] || { echo "skip: needs root (network namespaces); --no-kernel runs duet alone"; exit 77; }
  for tool in ip cc timeout iperf3 python3; do
    command -v $tool >/dev/null || { echo "skip: needs $tool (apt-get install iperf3 for iperf3)"; exit 77; }
  done
  kt=$tmp/kernel_tcp
  cc -O2 -Wall -Wextra -Werror -o "$kt" "$here/kernel_tcp.c" || { echo "tcp.sh: kernel_tcp.c does not build" >&2; exit 1; }
  ip netns add "$nsa" 2>/dev/null || { echo "skip: cannot create a network namespace"; exit 77; }
  ip netns add "$nsb" 2>/dev/null || { echo "skip: cannot create a network namespace"; exit 77; }
  ip link add "$va" netns "$nsa" type veth peer name "$vb" netns "$nsb" 2>/dev/null \
    || { echo "skip: cannot create a veth pair"; exit 77; }
  setup() { ip "$@" || { echo "tcp.sh: ip $* failed" >&2; exit 1; }; }
  setup -n "$nsa" link set lo up
  setup -n "$nsb" link set lo up
  setup -n "$nsa" addr add 10.202.0.1/24 dev "$va"
  setup -n "$nsb" addr add 10.202.0.2/24 dev "$vb"
  setup -n "$nsa" addr add fd00:202::1/64 dev "$va" nodad
  setup -n "$nsb" addr add fd00:202::2/64 dev "$vb" nodad
  setup -n "$nsa" link set "$va" up
  setup -n "$nsb" link set "$vb" up
  for _ in $(seq 50); do
    ip -n "$nsa" link show "$va" | grep -q 'state UP' && ip -n "$nsb" link show "$vb" | grep -q 'state UP' && break
    sleep 0.1
  done
  set_mtu() {
    setup -n "$nsa" link set "$va" mtu "$1"
    setup -n "$nsb" link set "$vb" mtu "$1"
  }
  hard=$((seconds + 20))
  echo "tcp.sh: veth $nsa/$va <-> $nsb/$vb, ${seconds}s per test, pin ${pin:-none}${spin:+, kernel_tcp spinning}, kernel $(uname -r), $(nproc) CPUs, $(iperf3 --version 2>/dev/null | head -n 1)"

  # Bulk: iperf3, one stream, A -> B.
  for run in 4:1500 4:9000 6:1500; do
    fam=${run%%:*} mtu=${run#*:}
    if [ "$fam" = 6 ]; then dst=fd00:202::2; sfx=_v6; else dst=10.202.0.2; sfx=; fi
    set_mtu "$mtu"
    timeout -k 2 $hard ip netns exec "$nsb" "${srv_pin[@]}" iperf3 -s -1 -p 5201 \
      >"$tmp/ips$run.out" 2>&1 &
    spid=$!; pids+=("$spid")
    # iperf3 buffers its banner: wait for the listening socket instead.
    for _ in $(seq 50); do
      ip netns exec "$nsb" ss -Hltn 'sport = :5201' 2>/dev/null | grep -q . && break
      sleep 0.1
    done
    if timeout -k 2 $hard ip netns exec "$nsa" "${cli_pin[@]}" iperf3 -c "$dst" -p 5201 -t "$seconds" -J \
         >"$tmp/ipc$run.json" 2>"$tmp/ipc$run.err"; then
      g=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); e=d["end"]
c=e.get("cpu_utilization_percent", {}); r=e["sum_received"]
cpu=(c.get("host_total", 0) + c.get("remote_total", 0)) / 100.0 * r["seconds"]
print("%.3f %d %d %.3f %.3f" % (r["bits_per_second"]/1e9, e["sum_sent"].get("retransmits", -1), r["bytes"], cpu, r["bytes"]*8/cpu/1e9 if cpu > 0 else 0))' "$tmp/ipc$run.json") \
        || { echo "tcp.sh: cannot read iperf3's JSON" >&2; status=1; g=; }
      if [ -n "$g" ]; then
        read -r gbps rexmit bytes kcpu kpercpu <<<"$g"
        echo "kernel tcp_bulk_gbps${sfx}_mtu$mtu=$gbps bytes=$bytes retransmits=$rexmit seconds=$seconds cpu_s=$kcpu gbps_per_cpu=$kpercpu tool=iperf3 streams=1"
        kfig[bulk${sfx}_mtu$mtu]=$gbps
        kcpu_fig[bulk${sfx}_mtu$mtu]=$kpercpu
      fi
    else
      echo "tcp.sh: iperf3 client failed (MTU $mtu, IPv$fam):" >&2; cat "$tmp/ipc$run.err" >&2; status=1
    fi
    wait "$spid" 2>/dev/null
  done
  set_mtu 1500

  # Request/response: kernel_tcp, one byte, TCP_NODELAY.
  for fam in 4 6; do
    if [ "$fam" = 6 ]; then f=(-6); dst=fd00:202::2; sfx=_v6; else f=(); dst=10.202.0.2; sfx=; fi
    timeout -k 2 $hard ip netns exec "$nsb" "${srv_pin[@]}" "$kt" "${f[@]}" "${spin[@]}" \
      rr-server 5002 $((seconds + 10)) >"$tmp/srv$fam.out" 2>"$tmp/srv$fam.err" &
    spid=$!; pids+=("$spid")
    wait_for ' ready$' "$tmp/srv$fam.err" || { echo "tcp.sh: rr-server did not start" >&2; cat "$tmp/srv$fam.err" >&2; status=1; }
    timeout -k 2 $hard ip netns exec "$nsa" "${cli_pin[@]}" "$kt" "${f[@]}" "${spin[@]}" \
      rr-client "$dst" 5002 "$seconds" >"$tmp/cli$fam.out" 2>"$tmp/cli$fam.err" \
      || { echo "tcp.sh: rr-client failed (IPv$fam):" >&2; cat "$tmp/cli$fam.err" >&2; status=1; }
    wait "$spid" || { echo "tcp.sh: rr-server failed (IPv$fam):" >&2; cat "$tmp/srv$fam.err" >&2; status=1; }
    sed 's/^kernel tcp_rr_per_s=/kernel tcp_rr_per_s'"$sfx"'=/' "$tmp/cli$fam.out"
    cat "$tmp/srv$fam.out"
    kfig[rr$sfx]=$(field tcp_rr_per_s "$tmp/cli$fam.out")
    # Round trips per CPU second of client and server together.
    kcpu_fig[rr$sfx]=$(awk -v n="$(field round_trips "$tmp/cli$fam.out")" -v a="$(field cpu_s "$tmp/cli$fam.out")" \
      -v b="$(field cpu_s "$tmp/srv$fam.out")" 'BEGIN { if (a + b > 0) printf "%.0f", n / (a + b) }')
    echo "kernel tcp_rr_per_cpu_s$sfx=${kcpu_fig[rr$sfx]:-none} (client + server CPU time)"
  done
  echo "summary: kernel bulk_gbps mtu1500=${kfig[bulk_mtu1500]:-none} mtu9000=${kfig[bulk_mtu9000]:-none} v6_mtu1500=${kfig[bulk_v6_mtu1500]:-none} rr_per_s=${kfig[rr]:-none} rr_per_s_v6=${kfig[rr_v6]:-none} pin=${pin:-none} spin=${#spin[@]}"
fi

[ -n "$duet_bench" ] || exit $status
if [ ! -x "$duet_bench" ]; then
  echo "tcp.sh: no duet benchmark $duet_bench (build it first)" >&2
  exit 1
fi
echo "tcp.sh: running $duet_bench ${duet_args[*]}"
DUET_BENCH_SECONDS=$seconds timeout -k 5 1800 "$duet_bench" "${duet_args[@]}" >"$tmp/duet.out" 2>"$tmp/duet.err"
drc=$?
cat "$tmp/duet.out"
if [ $drc -ne 0 ]; then
  echo "tcp.sh: $duet_bench exited $drc:" >&2; cat "$tmp/duet.err" >&2; status=1
fi

# Ratios against the kernel.
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r >= t) ? "met" : "NOT met" }'; }
for key in bulk_mtu1500 bulk_mtu9000 bulk_v6_mtu1500 rr rr_v6; do
  case $key in
    bulk*) dname=tcp_bulk_gbps${key#bulk}; unit=Gbit/s; target=2.5 ;;
    rr*) dname=tcp_rr_per_s${key#rr}; unit=round_trips/s; target=10 ;;
  esac
  dval=$(grep -o "^duet $dname=[0-9.]*" "$tmp/duet.out" | head -n 1 | cut -d= -f2)
  kval=${kfig[$key]:-}
  [ -n "$dval" ] && [ -n "$kval" ] || continue
  ratio=$(awk -v d="$dval" -v k="$kval" 'BEGIN { if (k > 0) printf "%.3f", d / k; else print "null" }')
  echo "ratio: $dname duet=$dval kernel=$kval duet/kernel=$ratio"
  printf '{"name":"%s","value":%s,"unit":"%s","baseline":"linux_veth","baseline_value":%s,"ratio":%s,"pin":"%s","kernel_spin":%s}\n' \
    "$dname" "$dval" "$unit" "$kval" "$ratio" "${pin:-none}" "${#spin[@]}"
  echo "target: $dname >= ${target}x the kernel: $(verdict "$ratio" "$target") (${ratio}x)"
  # The same per CPU second (duet's one thread; the kernel's processes).
  case $key in bulk*) cname=gbps_per_cpu ;; *) cname=rr_per_cpu_s ;; esac
  dcpu=$(grep "^duet $dname=" "$tmp/duet.out" | head -n 1 | grep -o "$cname=[0-9.]*" | cut -d= -f2)
  kcpu=${kcpu_fig[$key]:-}
  if [ -n "$dcpu" ] && [ -n "$kcpu" ]; then
    echo "ratio_per_cpu: $dname duet=$dcpu kernel=$kcpu duet/kernel=$(awk -v d="$dcpu" -v k="$kcpu" 'BEGIN { if (k > 0) printf "%.3f", d / k; else print "null" }') ($cname)"
  fi
done
# Scale: memory per idle connection and the flatness of the segment cost.
if grep -q '^duet tcp_scale ' "$tmp/duet.out"; then
  grep '^duet tcp_scale ' "$tmp/duet.out" | awk '
    { for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      n = v["n"]; mem = v["mem_per_endpoint"]; seg = v["ns_per_seg_all"]
      split(v["ns_per_seg_all_range"], rg, "-"); best = rg[1]
      if (first == "") { first = n; seg0 = seg; best0 = best }
      last = n; segN = seg; bestN = best
      printf "target: memory per idle established connection <= 512 B at n=%s: %s (%s B per endpoint, %s B after traffic)\n",
             n, (mem <= 512 ? "met" : "NOT met"), mem, v["mem_per_endpoint_after_traffic"] }
    END { if (first != "" && last != first) {
            printf "target: ns per segment flat from n=%s to n=%s (within 1.25x), trial medians: %s (%s -> %s ns, %.2fx)\n",
                   first, last, (segN <= 1.25 * seg0 ? "met" : "NOT met"), seg0, segN, segN / seg0
            if (best0 != "" && best0 > 0)
              printf "target: ns per segment flat from n=%s to n=%s (within 1.25x), fastest trials: %s (%s -> %s ns, %.2fx)\n",
                     first, last, (bestN <= 1.25 * best0 ? "met" : "NOT met"), best0, bestN, bestN / best0 } }'
fi
exit $status
