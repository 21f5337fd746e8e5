#!/usr/bin/env bash
# The manual page docs/man/duet-ip6.7 renders with groff and man without a
# warning, and documents every option of the advanced API and raw sockets
# that include/duet/socket.h and the code accept (A-1..A-11, R-1..R-10):
# each name below must appear in it. Skipped (77) without groff.
set -u
here=$(cd "$(dirname "$0")" && pwd)
page=$here/../docs/man/duet-ip6.7
command -v groff >/dev/null || { echo "skip: needs groff"; exit 77; }
w=$(groff -man -Tutf8 -ww "$page" 2>&1 >/dev/null)
[ -z "$w" ] || { echo "FAIL: groff warnings: $w"; exit 1; }
if command -v man >/dev/null; then
  w=$(man --warnings -l "$page" 2>&1 >/dev/null)
  [ -z "$w" ] || { echo "FAIL: man warnings: $w"; exit 1; }
fi
missing=
for opt in IPV6_RECVPKTINFO IPV6_RECVHOPLIMIT IPV6_RECVTCLASS IPV6_RECVHOPOPTS \
  IPV6_RECVDSTOPTS IPV6_RECVRTHDR IPV6_RECVPATHMTU IPV6_PATHMTU IPV6_PKTINFO IPV6_HOPLIMIT \
  IPV6_TCLASS IPV6_HOPOPTS IPV6_DSTOPTS IPV6_RTHDRDSTOPTS IPV6_RTHDR IPV6_NEXTHOP \
  IPV6_DONTFRAG DUET_IPV6_USE_MIN_MTU DUET_IPV6_FLOWINFO IPV6_2292PKTINFO IPV6_2292HOPLIMIT \
  IPV6_2292HOPOPTS IPV6_2292DSTOPTS IPV6_2292RTHDR IPV6_2292PKTOPTIONS IPV6_CHECKSUM \
  ICMP6_FILTER IP_HDRINCL IP_PKTINFO IP_RECVTTL IP_RECVTOS IPV6_UNICAST_HOPS \
  IPV6_MULTICAST_IF IPV6_MULTICAST_HOPS IPV6_MULTICAST_LOOP IPV6_JOIN_GROUP IPV6_V6ONLY \
  DUET_IPV6_BINDV6ONLY DUET_IPV6_PORTRANGE IPV6_RECVERR MSG_CTRUNC duet_inet6_opt_init \
  duet_inet6_rth_add duet_inet6_option_append duet_inet6_rthdr_add; do
  grep -q "$opt" "$page" || missing="$missing $opt"
done
[ -z "$missing" ] || { echo "FAIL: not documented:$missing"; exit 1; }
echo "ok: docs/man/duet-ip6.7 renders cleanly and names every option"
