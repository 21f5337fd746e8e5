#!/usr/bin/env bash
# DS-1 .. DS-6 in `duet demo`: the dual-stack scenarios all behave as
# expected, show IPv4 peers as ::ffff:a.b.c.d on AF_INET6 sockets, and the
# transcript is the same for the same seed; over TCP too (T-2: DS-1, DS-3,
# DS-6 with listeners, the refused IPv6 client getting ECONNREFUSED). (The examples/ds_*.c programs
# are ctest cases of their own: example_ds_*.)
set -u
duet=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$duet" demo --seed 3 >"$out/a.txt" || { cat "$out/a.txt"; echo "demo failed"; exit 1; }
need() { grep -q -- "$1" "$out/a.txt" || { cat "$out/a.txt"; echo "missing: $1"; exit 1; }; }
need "6 of 6 dual-stack scenarios as expected"
need "DS-1  server \[::ffff:192.0.2.1\]:5001 V6ONLY=0 <- v4host 192.0.2.2:[0-9]* appears as ::ffff:192.0.2.2"
need "DS-1  v6host's connected socket: Connection refused"
need "DS-2 .*::ffff:192.0.2.2 port [0-9]* flowinfo 0 scope 0"
need "DS-3  server \[::\]:5003 V6ONLY=0 *<- v6host \[2001:db8::2\]:[0-9]* appears as 2001:db8::2"
need "DS-3  v4host <- answer from 192.0.2.1:5003"
need "DS-4  \[::\]:5005 V6ONLY=0 then 0.0.0.0:5005 *-> ok, Address already in use"
need "DS-5  V6ONLY=1: connect \[::ffff:192.0.2.2\]:5007 -> Network is unreachable"
need "DS-6  poll(): 2 readable"
need "3 of 3 TCP dual-stack scenarios as expected"
need "DS-1  server \[::ffff:192.0.2.1\]:6001 V6ONLY=0 <- v4host 192.0.2.2:[0-9]* accepted, appears as ::ffff:192.0.2.2"
need "DS-1  server \[::ffff:192.0.2.1\]:6001 V6ONLY=0 x- v6host \[2001:db8::2\]:[0-9]*: Connection refused"
need "DS-3  server \[::\]:6002 V6ONLY=0 *<- v4host 192.0.2.2:[0-9]* accepted, appears as ::ffff:192.0.2.2"
need "DS-6  poll() on both listeners: 2 readable"
grep -q "NOT AS EXPECTED" "$out/a.txt" && { cat "$out/a.txt"; echo "a scenario went wrong"; exit 1; }
"$duet" demo --seed 3 >"$out/b.txt" && cmp -s "$out/a.txt" "$out/b.txt" \
  || { echo "demo is not deterministic"; exit 1; }
echo "1 passed, 0 failed"
