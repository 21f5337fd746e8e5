#!/usr/bin/env bash
# Installs, with apt-get, whatever the build, the tests or the fuzzers need and
# this machine lacks. Usage: setup-deps.sh [build|test|fuzz|all] (default all).
# Without root it only reports what is missing; the tests that need a missing
# tool then report themselves skipped.
set -u
what=${1:-all}
need=()
have() { command -v "$1" >/dev/null 2>&1; }
want() { # want COMMAND PACKAGE
  have "$1" || need+=("$2")
}
want cmake cmake
want cc gcc
want make make
case $what in
  test|all)
    want tshark tshark
    want tcpdump tcpdump
    want ip iproute2
    want nft nftables
    want ping iputils-ping
    want groff groff-base
    [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import scapy' 2>/dev/null || need+=(python3-scapy)
    ;;
esac
case $what in
  fuzz|all) want clang clang ;;
esac
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "setup-deps: missing ${need[*]} (not root: not installing)" >&2
  exit 0
fi
echo "setup-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
stamp=/var/lib/apt/periodic/duet-update-stamp
if [ ! -e "$stamp" ] || [ -n "$(find "$stamp" -mmin +360 2>/dev/null)" ]; then
  apt-get update -qq >/dev/null 2>&1 && mkdir -p "$(dirname "$stamp")" && touch "$stamp"
fi
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
  || echo "setup-deps: apt-get install ${need[*]} failed; dependent tests will skip" >&2
exit 0
