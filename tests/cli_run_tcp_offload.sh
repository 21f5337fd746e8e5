#!/usr/bin/env bash
# T-2 and L-1 through the TAP's virtio-net offload (duet run --tap-offload):
# the kernel hands duet TCP segments of up to 64 KiB (TSO) with checksums
# left partial, which the link completes, and duet hands the kernel
# super-segments of its own for it to cut (gso_size = the MSS). Linux
# AF_INET and AF_INET6 clients echo 64 MiB each through duet's echo
# service and get every byte back (tests/tcp_interop.py compares them);
# duet's counters show super-segments both ways (far fewer frames and
# segments than 1,448-byte ones would take) and no bad checksum. No tshark
# check here: kernel-side captures show the partial checksums.
# Skipped (77) without root, ip(8), /usr/bin/python3 or /dev/net/tun.
set -u
duet=$1
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 77; }
command -v ip >/dev/null || { echo "skip: needs ip"; exit 77; }
[ -x $py ] || { echo "skip: needs $py"; exit 77; }
[ -w /dev/net/tun ] || { echo "skip: no /dev/net/tun"; exit 77; }
. "$here/tapns.sh"
tapns_start tof "$duet" --tap-offload --echo tcp:7
sleep 2.5   # DAD for 2001:db8:77::2
for dst in 192.0.2.2 2001:db8:77::2; do
  ip netns exec $ns timeout 120 $py "$here/tcp_interop.py" echo $dst 7 $((64 * 1024 * 1024)) \
    >"$out/echo.txt" 2>&1 || { cat "$out/echo.txt"; fail "64 MiB echo to $dst through the offloading TAP"; }
  echo "ok   echo_64M_$dst (T-2, L-1)"
done
kill -USR1 $pid; sleep 0.5
grep -q "DROP_TCP_BAD_CHECKSUM" "$out/run.txt" && fail "segments with a bad checksum after completing the partial ones"
# Segments beyond the 1500-octet MTU came in (the kernel's TSO): fewer
# frames than 128 MiB of 1448-byte segments would take.
rx=$(sed -n 's/^ *LINK_RX_FRAMES *\([0-9]*\).*/\1/p' "$out/run.txt" | head -1)
[ -n "$rx" ] || fail "no LINK_RX_FRAMES counter in duet's output"
[ "$rx" -lt 80000 ] || fail "$rx frames for 128 MiB: no segmentation offload seen"
echo "ok   tso_frames ($rx frames for 128 MiB in, L-1)"
segs=$(sed -n 's/^ *TCP_OUT_SEGS *\([0-9]*\).*/\1/p' "$out/run.txt" | head -1)
[ -n "$segs" ] && [ "$segs" -lt 60000 ] || fail "${segs:-no} TCP segments sent for 128 MiB: no super-segments out"
echo "ok   tso_out ($segs TCP segments for 128 MiB out, T-2)"
