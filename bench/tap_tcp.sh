#!/usr/bin/env bash
# duet's TCP through the TAP device against the kernel over veth, side by
# side (issue 6's third performance figure): a Linux client sending to
# duet's discard service, and a Linux reader of duet's chargen, each with
# and without the TAP's virtio-net offload (duet run --tap-offload), beside
# iperf3 between two namespaces over veth at the same MTU. Root only (TAP,
# namespaces); every process and namespace it makes goes at exit.
#
#   bash bench/tap_tcp.sh [--bytes N] [--seconds S] [BUILD_DIR/duet]
#
# Prints lines "linux->duet discard offload=0|1 MBps=..",
# "duet->linux chargen offload=0|1 MBps=..", "kernel veth tcp MBps=.." and
# the ratios. Not part of `make test` (a timed run).
set -u
bytes=$((2 * 1024 * 1024 * 1024))
secs=5
duet=build/duet
while [ $# -gt 0 ]; do
  case $1 in
    --bytes) bytes=$2; shift 2 ;;
    --seconds) secs=$2; shift 2 ;;
    *) duet=$1; shift ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
py=/usr/bin/python3
ns=duet-taptcp-$$; dev=dtt$$; dev=${dev:0:15}
nsa=duet-tcpva-$$; nsb=duet-tcpvb-$$
pid=
cleanup() {
  [ -n "$pid" ] && kill -TERM $pid 2>/dev/null && wait $pid 2>/dev/null
  ip netns del $ns 2>/dev/null; ip netns del $nsa 2>/dev/null; ip netns del $nsb 2>/dev/null
}
trap cleanup EXIT

# The Linux peers: send N bytes to HOST:PORT and wait for the close, or
# read N bytes from it; print MB/s (10^6 bytes per second).
cat >/tmp/duet-taptcp-$$.py <<'EOF'
import socket, sys, time
mode, host, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
s = socket.create_connection((host, port), timeout=30)
buf = bytearray(1 << 20)
t0 = time.monotonic(); done = 0
if mode == "send":
    mv = memoryview(buf)
    while done < n:
        k = min(len(buf), n - done); s.sendall(mv[:k]); done += k
    s.shutdown(socket.SHUT_WR)
    while s.recv(65536):
        pass
else:
    while done < n:
        k = s.recv_into(buf, min(len(buf), n - done))
        if not k:
            break
        done += k
dt = time.monotonic() - t0
print("bytes=%d seconds=%.3f MBps=%.1f" % (done, dt, done / dt / 1e6))
EOF

duet_run() { # OFFLOAD(0|1): start duet in $ns with discard on 9 and chargen on 19
  local off=()
  [ "$1" = 1 ] && off=(--tap-offload)
  ip netns exec $ns "$duet" run --tap $dev --addr 192.0.2.2/24 --discard tcp:9 \
    --chargen tcp:19 "${off[@]}" >/tmp/duet-taptcp-$$.log 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do ip -n $ns link show $dev >/dev/null 2>&1 && break; sleep 0.05; done
  ip -n $ns addr add 192.0.2.1/24 dev $dev 2>/dev/null
  ip -n $ns link set $dev up
  for _ in $(seq 1 100); do ip netns exec $ns ping -c1 -W1 192.0.2.2 >/dev/null 2>&1 && break; sleep 0.1; done
}

ip netns add $ns || { echo "skip: cannot create a namespace"; exit 77; }
ip -n $ns link set lo up
for off in 0 1; do
  duet_run $off
  r=$(ip netns exec $ns timeout 120 $py /tmp/duet-taptcp-$$.py send 192.0.2.2 9 $bytes)
  echo "linux->duet discard offload=$off $r"
  r=$(ip netns exec $ns timeout 120 $py /tmp/duet-taptcp-$$.py recv 192.0.2.2 19 $bytes)
  echo "duet->linux chargen offload=$off $r"
  kill -TERM $pid; wait $pid 2>/dev/null; pid=
  ip -n $ns link del $dev 2>/dev/null
done

# The kernel between two namespaces over veth (MTU 1500), iperf3.
if command -v iperf3 >/dev/null; then
  ip netns add $nsa && ip netns add $nsb
  ip link add va$$ netns $nsa type veth peer vb$$ netns $nsb
  ip -n $nsa addr add 10.203.0.1/24 dev va$$; ip -n $nsb addr add 10.203.0.2/24 dev vb$$
  ip -n $nsa link set va$$ up; ip -n $nsb link set vb$$ up
  ip -n $nsa link set lo up; ip -n $nsb link set lo up
  ip netns exec $nsb timeout $((secs + 10)) iperf3 -s -1 -p 5202 >/dev/null 2>&1 &
  sleep 0.5
  bps=$(ip netns exec $nsa iperf3 -c 10.203.0.2 -p 5202 -t $secs -J 2>/dev/null |
        $py -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"])')
  echo "kernel veth tcp MBps=$($py -c "print('%.1f' % ($bps / 8e6))")"
else
  echo "kernel veth tcp: iperf3 missing (apt-get install iperf3)"
fi
rm -f /tmp/duet-taptcp-$$.py /tmp/duet-taptcp-$$.log
