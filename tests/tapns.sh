# duet tests — sourced by the interop scripts that run `duet run` on a TAP
# device inside a network namespace of their own (documentation addresses:
# duet 192.0.2.2/24 + 2001:db8:77::2/64, the kernel .1 / ::1). It defines
# ns, dev, out, pid, cleanup (on EXIT) and fail, and tapns_start.
#
#   . "$here/tapns.sh"
#   tapns_start PREFIX DUET_BINARY [duet run options after --addr ...]
#
# tapns_start skips (exit 77) when no namespace can be created, starts duet
# in it with its output in $out/run.txt and a capture in $out/run.pcap,
# waits for the TAP device and gives the kernel its addresses.
ns=
dev=
out=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill -TERM $pid 2>/dev/null && wait $pid 2>/dev/null
  [ -n "$ns" ] && ip netns del $ns 2>/dev/null
  rm -rf "$out"
}
trap cleanup EXIT
# DUET_KEEP=DIR (debugging): the output and capture are copied to DIR, not removed.
if [ -n "${DUET_KEEP:-}" ]; then
  cleanup() {
    [ -n "$pid" ] && kill -TERM $pid 2>/dev/null && wait $pid 2>/dev/null
    [ -n "$ns" ] && ip netns del $ns 2>/dev/null
    rm -rf "$DUET_KEEP" && cp -r "$out" "$DUET_KEEP" && rm -rf "$out"
  }
fi
fail() { echo "FAIL: $*"; echo "--- duet run output:"; cat "$out/run.txt"; exit 1; }

tapns_start() {
  local prefix=$1 duet=$2 i
  shift 2
  ns=duet-$prefix-$$
  dev=d${prefix:0:1}$$
  dev=${dev:0:15}
  ip netns add $ns || { ns=; echo "skip: cannot create a namespace"; exit 77; }
  ip netns exec $ns "$duet" run --tap $dev --addr 192.0.2.2/24 --addr 2001:db8:77::2/64 \
    "$@" --pcap "$out/run.pcap" >"$out/run.txt" 2>&1 &
  pid=$!
  for i in $(seq 50); do ip -n $ns link show $dev >/dev/null 2>&1 && break; sleep 0.1; done
  ip -n $ns addr add 192.0.2.1/24 dev $dev || fail "kernel IPv4 address"
  ip -n $ns addr add 2001:db8:77::1/64 dev $dev nodad || fail "kernel IPv6 address"
  ip -n $ns link set $dev up || fail "link up"
}
