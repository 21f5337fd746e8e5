/* duet tests — differential cases, part 3: the advanced IPv6 API (A-1,
 * ) and IPv4's ancillary data on UDP
 * sockets: what recvmsg reports, what sendmsg takes and refuses, sticky
 * options and their lengths. Expected results are Linux's; where duet
 * follows RFC 3542 or the seed instead, the step says why. */
#include "sockdiff.h"

#include <duet/socket.h>

#include <errno.h>
#include <netinet/icmp6.h>

#define DGRAM SOCK_DGRAM
#define V6 IPPROTO_IPV6
#define V4 IPPROTO_IP

#define SD_WHY_RTHDR0 "duet sends Type 0 Routing headers, the type RFC 3542's inet6_rth_* " \
	"build (Linux refuses them since RFC 5095)"
#define SD_WHY_GETPKTINFO "A-11: duet's getsockopt returns the sticky IPV6_PKTINFO " \
	"(Linux has no getsockopt for it)"
#define SD_WHY_NEXTHOP "A-6: duet implements IPV6_NEXTHOP (RFC 3542 6.4, FreeBSD's " \
	"checks); Linux has no such option"

const struct sd_case sd_cases_adv[] = {
/* the receive switches and what recvmsg gives, in Linux's
 * order; MSG_CTRUNC and msg_controllen when the buffer is short. */
{ "a1_recv_pktinfo_hoplimit_tclass", "A-1 A-3 A-10 A-11", (const struct sd_step[]){
	SOCKET(0, AF_INET6, DGRAM, 0, OK),
	BIND(0, "[::]:6001", OK),
	SETI(0, V6, IPV6_RECVPKTINFO, 1, OK),
	SETI(0, V6, IPV6_RECVHOPLIMIT, 1, OK),
	SETI(0, V6, IPV6_RECVTCLASS, 1, OK),
	GETI(0, V6, IPV6_RECVPKTINFO, VAL(1)),
	GETI(0, V6, IPV6_RECVHOPLIMIT, VAL(1)),
	GETI(0, V6, IPV6_RECVTCLASS, VAL(1)),
	GETI(0, V6, IPV6_RECVHOPOPTS, VAL(0)),
	SOCKET_PEER(1, AF_INET6, DGRAM, 0, OK),
	SETI(1, V6, IPV6_UNICAST_HOPS, 7, OK),
	SETI(1, V6, IPV6_TCLASS, 0x20, OK),
	SENDTO(1, "one", "[fd00::1]:6001", OK),
	SENDTO(1, "two", "[fd00::1]:6001", OK),
	SENDTO(1, "three", "[fd00::1]:6001", OK),
	SENDTO(1, "four", "[fd00::1]:6001", OK),
	SETTLE,
	RECVMSG(0, 512, DATA_CMFL("one", "v6.50=pi6:fd00::1@M v6.52=i:7 v6.67=i:32", 0, 88)),
	RECVMSG(0, 48, DATA_CMFL("two", "v6.50=pi6:fd00::1@M", MSG_CTRUNC, 40)),
	RECVMSG(0, 8, DATA_CMFL("three", "", MSG_CTRUNC, 0)),
	RECVMSG(0, 0, DATA_CMFL("four", "", MSG_CTRUNC, 0)),
	END } },

/* the RFC 2292 spellings are switches of their own, reported
 * under their own types after the RFC 3542 ones. */
{ "a1_recv_rfc2292_spellings", "A-1 A-3", (const struct sd_step[]){
	SOCKET(0, AF_INET6, DGRAM, 0, OK),
	BIND(0, "[::]:6003", OK),
	SETI(0, V6, IPV6_2292PKTINFO, 1, OK),
	SETI(0, V6, IPV6_2292HOPLIMIT, 1, OK),
	SETI(0, V6, IPV6_RECVHOPLIMIT, 1, OK),
	GETI(0, V6, IPV6_2292PKTINFO, VAL(1)),
	GETI(0, V6, IPV6_RECVPKTINFO, VAL(0)),
	SOCKET_PEER(1, AF_INET6, DGRAM, 0, OK),
	SENDTO(1, "x", "[fd00::1]:6003", OK),
	SETTLE,
	RECVMSG(0, 512, DATA_CM("x", "v6.52=i:64 v6.2=pi6:fd00::1@M v6.8=i:64")),
	END } },

/* A-1 for IPv4: an AF_INET6 socket gets IPV6_PKTINFO with the v4-mapped
 * destination and no IPV6_HOPLIMIT; the IPv4 switches give IP_TTL on it,
 * and IP_PKTINFO / IP_TTL / IP_TOS (one octet) on an AF_INET socket. */
{ "a1_recv_ipv4", "A-1", (const struct sd_step[]){
	SOCKET(0, AF_INET6, DGRAM, 0, OK),
	BIND(0, "[::]:6004", OK),
	SETI(0, V6, IPV6_RECVPKTINFO, 1, OK),
	SETI(0, V6, IPV6_RECVHOPLIMIT, 1, OK),
	SETI(0, V4, IP_RECVTTL, 1, OK),
	SOCKET(2, AF_INET, DGRAM, 0, OK),
	BIND(2, "0.0.0.0:6005", OK),
	SETI(2, V4, IP_PKTINFO, 1, OK),
	SETI(2, V4, IP_RECVTTL, 1, OK),
	SETI(2, V4, IP_RECVTOS, 1, OK),
	GETI(2, V4, IP_PKTINFO, VAL(1)),
	GETI(2, V4, IP_RECVTOS, VAL(1)),
	SOCKET_PEER(1, AF_INET, DGRAM, 0, OK),
	SETI(1, V4, IP_TOS, 0x28, OK),
	SENDTO(1, "a", "10.0.0.1:6004", OK),
	SENDTO(1, "b", "10.0.0.1:6005", OK),
	SETTLE,
	RECVMSG(0, 512, DATA_CM("a", "v6.50=pi6:::ffff:10.0.0.1@M ip.2=i:64")),
	RECVMSG(2, 512, DATA_CM("b", "ip.8=pi4:M@10.0.0.1@10.0.0.1 ip.2=i:64 ip.1=b:40")),
	END } },

/* a hop limit and traffic class given as ancillary data
 * override the socket's for one datagram (-1: the socket's). */
{ "a3_send_hoplimit_tclass", "A-3 A-10 A-9", (const struct sd_step[]){
	SOCKET_PEER(1, AF_INET6, DGRAM, 0, OK),
	BIND(1, "[::]:6006", OK),
	SETI(1, V6, IPV6_RECVHOPLIMIT, 1, OK),
	SETI(1, V6, IPV6_RECVTCLASS, 1, OK),
	SOCKET(0, AF_INET6, DGRAM, 0, OK),
	SETI(0, V6, IPV6_UNICAST_HOPS, 20, OK),
	SENDMSG(0, "a", "[fd00::2]:6006", "v6.52=i:9 v6.67=i:40", OK),
	SENDMSG(0, "b", "[fd00::2]:6006", "v6.52=i:-1", OK),
	SENDMSG(0, "c", "[fd00::2]:6006", "v6.8=i:3", OK),
	SETTLE,
	RECVMSG(1, 512, DATA_CM("a", "v6.52=i:9 v6.67=i:40")),
	RECVMSG(1, 512, DATA_CM("b", "v6.52=i:20 v6.67=i:0")),
	RECVMSG(1, 512, DATA_CM("c", "v6.52=i:3 v6.67=i:0")),
	END } },

/* A-4 both ways on both stacks: a Hop-by-Hop and a Destination Options
 * header given as ancillary data (in the wrong order) reach the other
 * host's IPV6_RECVHOPOPTS / IPV6_RECVDSTOPTS socket as they were sent,
 * in RFC 8200 order, Next Header octets filled in; the RFC 2292 switch
 * reports the Destination Options header as its own type. */
{ "a4_ext_headers_across", "A-4", (const struct sd_step[]){
	SOCKET(0, AF_INET6, DGRAM, 0, OK),
	BIND(0, "[::]:6011", OK),
	SETI(0, V6, IPV6_RECVHOPOPTS, 1, OK),
	SETI(0, V6, IPV6_RECVDSTOPTS, 1, OK),
	SETI(0, V6, IPV6_2292DSTOPTS, 1, OK),
	SOCKET_PEER(1, AF_INET6, DGRAM, 0, OK),
	SENDMSG(1, "x", "[fd00::1]:6011",
		"v6.59=hex:00011e0a0102030405060708090a0100 v6.54=hex:00001e04aabbccdd", OK),
	SETTLE,
	RECVMSG(0, 512, DATA_CM("x", "v6.54=hex:3c001e04aabbccdd "
		"v6.59=hex:11011e0a0102030405060708090a0100 "
		"v6.4=hex:11011e0a0102030405060708090a0100")),
	END } },

/* A-9's last step: sin6_scope_id names the interface of scoped
 * destinations only; on a global one it is ignored (Linux). */
{ "a9_scope_id_global", "A-9", (const struct sd_step[]){
	SOCKET_PEER(1, AF_INET6, DGRAM, 0, OK),
	BIND(1, "[::]:6012", OK),
	SOCKET(0, AF_INET6, DGRAM, 0, OK),
	SENDTO(0, "g", "[fd00::2%77]:6012", OK),
	SETTLE,
	RECVFROM(1, DATA("g")),
	END } },

/* Bad ancillary objects: the errno Linux gives; objects of other levels
 * (and IPv4 ones to an IPv6 destination) are ignored; a buffer too short
 * for a header holds none; the socket still works after each. */
{ "a2_bad_cmsgs", "A-2 A-3 A-4", (const struct sd_step[]){
	SOCKET(0, AF_INET6, DGRAM, 0, OK),
	SENDMSG(0, "x", "[fd00::2]:6007", "v6.52=i:7/2", ERR(EINVAL)),
	SENDMSG(0, "x", "[fd00::2]:6007", "v6.52=i:256", ERR(EINVAL)),
	SENDMSG(0, "x", "[fd00::2]:6007", "v6.52=i:-2", ERR(EINVAL)),
	SENDMSG(0, "x", "[fd00::2]:6007", "v6.67=i:-2", ERR(EINVAL)),
	SENDMSG(0, "x", "[fd00::2]:6007", "v6.62=i:2", ERR(EINVAL)),
	SENDMSG(0, "x", "[fd00::2]:6007", "v6.200=i:1", ERR(EINVAL)),
	SENDMSG(0, "x", "[fd00::2]:6007", "v6.52=i:7", ERR(EINVAL), LEN(19)),
	SENDMSG(0, "x", "[fd00::2]:6007", "v6.52=i:7", OK, LEN(15)),
	SENDMSG(0, "x", "[fd00::2]:6007", "sol.99=i:1", ERR(EINVAL)),
	SENDMSG(0, "x", "[fd00::2]:6007", "17.1=i:1", ERR(EINVAL)),
	SENDMSG(0, "x", "[fd00::2]:6007", "6.1=i:1 ip.2=i:0", OK),
	SENDMSG(0, "x", "[fd00::2]:6007", "v6.50=pi6:fd00::99@0", ERR(EINVAL)),
	SENDMSG(0, "x", "[fd00::2]:6007", "v6.50=pi6:::@77", ERR(ENODEV)),
	SENDMSG(0, "x", "[fd00::2]:6007", "v6.50=pi6:::@0/19", ERR(EINVAL)),
	SENDMSG(0, "x", "[fd00::2]:6007", "v6.50=pi6:fd00::1@M", OK),
	SENDMSG(0, "x", "[fd00::2]:6007", "v6.54=hex:0001010400000000", ERR(EINVAL)),
	SENDMSG(0, "x", "[fd00::2]:6007", "v6.54=hex:0000010400000000 v6.54=hex:0000010400000000",
		ERR(EINVAL)),
	SENDMSG(0, "x", "[fd00::2]:6007", "v6.54=hex:0000010400000000", OK),
	SENDMSG(0, "x", "[fd00::2]:6007", "v6.59=hex:0000010400000000", OK),
	SENDMSG(0, "x", "[fd00::2]:6007", "v6.57=hex:00020002000000000000000000000000000000000000000a",
		ERR(EINVAL)),
	SENDMSG(0, "x", "[fd00::2]:6007", "v6.57=hex:00020101000000000000000000000000000000000000000a",
		ERR(EINVAL)),
	SENDMSG(0, "x", "[fd00::3]:6007", "v6.57=hex:0002000100000000fd000000000000000000000000000002",
		ERR(EINVAL), DUET_DIFFERS(SD_WHY_RTHDR0, OK)),
	SENDMSG(0, "x", "[fd00::2]:6007", "v6.9=sa6:fd00::2", ERR(EINVAL),
		DUET_DIFFERS(SD_WHY_NEXTHOP, OK)),
	SENDTO(0, "ok", "[fd00::2]:6007", OK),
	END } },

/* IPv4 ancillary data to a v4-mapped or IPv4 destination: IP_TTL 1..255
 * and IP_TOS as an int or an octet; IPV6_PKTINFO must then be
 * v4-mapped; IPv6 objects other than it are ignored. */
{ "a2_send_ipv4_cmsgs", "A-2 DS-8", (const struct sd_step[]){
	SOCKET_PEER(1, AF_INET, DGRAM, 0, OK),
	BIND(1, "0.0.0.0:6008", OK),
	SETI(1, V4, IP_RECVTTL, 1, OK),
	SETI(1, V4, IP_RECVTOS, 1, OK),
	SOCKET(0, AF_INET6, DGRAM, 0, OK),
	SENDMSG(0, "a", "[::ffff:10.0.0.2]:6008", "ip.2=i:9 ip.1=b:32", OK),
	SENDMSG(0, "x", "[::ffff:10.0.0.2]:6008", "ip.2=i:0", ERR(EINVAL)),
	SENDMSG(0, "x", "[::ffff:10.0.0.2]:6008", "ip.1=i:256", ERR(EINVAL)),
	SENDMSG(0, "x", "[::ffff:10.0.0.2]:6008", "ip.99=i:1", ERR(EINVAL)),
	SENDMSG(0, "x", "[::ffff:10.0.0.2]:6008", "v6.50=pi6:fd00::1@0", ERR(EINVAL)),
	SENDMSG(0, "b", "[::ffff:10.0.0.2]:6008", "v6.52=i:300 v6.50=pi6:::ffff:10.0.0.1@0", OK),
	SOCKET(2, AF_INET, DGRAM, 0, OK),
	SENDMSG(2, "c", "10.0.0.2:6008", "ip.2=i:4 v6.52=i:300", OK),
	SETTLE,
	RECVMSG(1, 512, DATA_CM("a", "ip.2=i:9 ip.1=b:32")),
	RECVMSG(1, 512, DATA_CM("b", "ip.2=i:64 ip.1=b:0")),
	RECVMSG(1, 512, DATA_CM("c", "ip.2=i:4 ip.1=b:0")),
	END } },

/* sticky extension headers — a whole header in, the same
 * bytes out, a zero length removes it; lengths not a multiple of 8, or
 * shorter than the header says, are EINVAL. */
{ "a4_sticky_headers", "A-4 A-11", (const struct sd_step[]){
	SOCKET(0, AF_INET6, DGRAM, 0, OK),
	GETBUF(0, V6, IPV6_HOPOPTS, HEXVAL("")),
	SETBUF(0, V6, IPV6_HOPOPTS, "hex:0000010400000000", OK),
	GETBUF(0, V6, IPV6_HOPOPTS, HEXVAL("0000010400000000")),
	SETBUF(0, V6, IPV6_DSTOPTS, "hex:00011e0a01020304050607080900010000000000", ERR(EINVAL)),
	SETBUF(0, V6, IPV6_DSTOPTS, "hex:00011e0a0102030405060708090a0100", OK),
	GETBUF(0, V6, IPV6_DSTOPTS, HEXVAL("00011e0a0102030405060708090a0100")),
	SETBUF(0, V6, IPV6_RTHDRDSTOPTS, "hex:0001010400000000", ERR(EINVAL)),
	SETBUF(0, V6, IPV6_RTHDRDSTOPTS, "hex:000001040000", ERR(EINVAL)),
	SETBUF(0, V6, IPV6_RTHDRDSTOPTS, "hex:0000010400000000", OK),
	GETBUF(0, V6, IPV6_RTHDRDSTOPTS, HEXVAL("0000010400000000")),
	GETBUF(0, V6, IPV6_HOPOPTS, HEXVAL("0000"), LEN(2)),
	SETBUF(0, V6, IPV6_HOPOPTS, "hex:", OK),
	GETBUF(0, V6, IPV6_HOPOPTS, HEXVAL("")),
	SENDTO(0, "ok", "[fd00::2]:6009", OK),
	END } },

/* IPV6_DONTFRAG, IPV6_RECVPATHMTU and IPV6_FLOWINFO as
 * switches; IPV6_PKTINFO sticky (getsockopt: duet only). */
{ "a10_switches", "A-10 A-11", (const struct sd_step[]){
	SOCKET(0, AF_INET6, DGRAM, 0, OK),
	GETI(0, V6, IPV6_DONTFRAG, VAL(0)),
	SETI(0, V6, IPV6_DONTFRAG, 1, OK),
	GETI(0, V6, IPV6_DONTFRAG, VAL(1)),
	SETI(0, V6, IPV6_DONTFRAG, 0, OK),
	GETI(0, V6, IPV6_DONTFRAG, VAL(0)),
	SETI(0, V6, IPV6_RECVPATHMTU, 1, OK),
	GETI(0, V6, IPV6_RECVPATHMTU, VAL(1)),
	SETI(0, V6, DUET_IPV6_FLOWINFO, 1, OK),
	GETI(0, V6, DUET_IPV6_FLOWINFO, VAL(1)),
	SETI(0, V6, IPV6_RECVRTHDR, 1, OK),
	GETI(0, V6, IPV6_RECVRTHDR, VAL(1)),
	SETI(0, V6, IPV6_RECVDSTOPTS, 1, OK),
	GETI(0, V6, IPV6_RECVDSTOPTS, VAL(1)),
	SETI(0, V6, IPV6_2292RTHDR, 1, OK),
	GETI(0, V6, IPV6_2292RTHDR, VAL(1)),
	SETI(0, V6, IPV6_RECVPKTINFO, 1, ERR(EINVAL), LEN(2)),
	SETBUF(0, V6, IPV6_PKTINFO, "hex:", ERR(EINVAL)),
	SETBUF(0, V6, IPV6_PKTINFO, "hex:fd000000000000000000000000000001", ERR(EINVAL)),
	SETBUF(0, V6, IPV6_PKTINFO, "hex:fd00000000000000000000000000000100000000", OK),
	GETBUF(0, V6, IPV6_PKTINFO, ERR(ENOPROTOOPT),
	       DUET_DIFFERS(SD_WHY_GETPKTINFO, HEXVAL("fd00000000000000000000000000000100000000"))),
	SENDTO(0, "ok", "[fd00::2]:6010", OK),
	SETBUF(0, V6, IPV6_2292PKTOPTIONS, "v6.52=i:5", OK),
	SETBUF(0, V6, IPV6_2292PKTOPTIONS, "v6.52=i:500", ERR(EINVAL)),
	GETBUF(0, V6, IPV6_2292PKTOPTIONS, ERR(ENOPROTOOPT)),
	SETBUF(0, V6, IPV6_2292PKTOPTIONS, "hex:", OK),
	END } },
/* raw sockets: what socket() takes, IPV6_CHECKSUM
 * (-1 by default, even offsets, odd EINVAL, refused at IPPROTO_IPV6 on
 * ICMPv6 whose offset is 2), ICMP6_FILTER only on ICMPv6 raw sockets,
 * IP_HDRINCL on IPv4 ones. */
{ "r_raw_options", "R-2 R-7 R-8 R-10 A-10", (const struct sd_step[]){
	SOCKET(0, AF_INET6, SOCK_RAW, IPPROTO_ICMPV6, OK),
	GETI(0, SOL_SOCKET, SO_TYPE, VAL(SOCK_RAW)),
	GETI(0, SOL_SOCKET, SO_PROTOCOL, VAL(IPPROTO_ICMPV6)),
	GETI(0, V6, IPV6_CHECKSUM, VAL(2)),
	SETI(0, V6, IPV6_CHECKSUM, 4, ERR(EINVAL)),
	SETI(0, V6, IPV6_CHECKSUM, -1, ERR(EINVAL)),
	GETI(0, V6, IPV6_CHECKSUM, VAL(2)),
	GETBUF(0, IPPROTO_ICMPV6, ICMP6_FILTER, HEXVAL("0000000000000000000000000000000000000000000000000000000000000000")),
	SETBUF(0, IPPROTO_ICMPV6, ICMP6_FILTER, "hex:ffffffffffffffff0000000000000000ffffffffffffffffffffffffffffffff", OK),
	GETBUF(0, IPPROTO_ICMPV6, ICMP6_FILTER, HEXVAL("ffffffffffffffff0000000000000000ffffffffffffffffffffffffffffffff")),
	SOCKET(1, AF_INET6, SOCK_RAW, 253, OK),
	GETI(1, V6, IPV6_CHECKSUM, VAL(-1)),
	SETI(1, V6, IPV6_CHECKSUM, 3, ERR(EINVAL)),
	SETI(1, V6, IPV6_CHECKSUM, 6, OK),
	GETI(1, V6, IPV6_CHECKSUM, VAL(6)),
	SETI(1, V6, IPV6_CHECKSUM, -5, OK),
	GETI(1, V6, IPV6_CHECKSUM, VAL(-1)),
	SETI(1, V6, IPV6_CHECKSUM, 0, OK),
	GETI(1, V6, IPV6_CHECKSUM, VAL(0)),
	SETBUF(1, IPPROTO_ICMPV6, ICMP6_FILTER, "hex:ffffffff", ERR(EOPNOTSUPP)),
	SOCKET(2, AF_INET6, DGRAM, 0, OK),
	SETI(2, V6, IPV6_CHECKSUM, 2, ERR(ENOPROTOOPT)),
	SETBUF(2, IPPROTO_ICMPV6, ICMP6_FILTER, "hex:ffffffff", ERR(ENOPROTOOPT)),
	SOCKET(3, AF_INET, SOCK_RAW, IPPROTO_ICMP, OK),
	GETI(3, V4, IP_HDRINCL, VAL(0)),
	SETI(3, V4, IP_HDRINCL, 1, OK),
	GETI(3, V4, IP_HDRINCL, VAL(1)),
	SOCKET(4, AF_INET, SOCK_RAW, IPPROTO_RAW, OK),
	GETI(4, V4, IP_HDRINCL, VAL(1)),
	SOCKET(5, AF_INET, SOCK_RAW, 0, ERR(EPROTONOSUPPORT)),
	SOCKET(5, AF_INET6, SOCK_RAW, 300, ERR(EINVAL)),
	SOCKET(5, AF_INET6, SOCK_RAW, 0, ERR(EPROTONOSUPPORT),
	       DUET_DIFFERS("R-2: protocol 0 on an IPv6 raw socket means Next Header 255 (the seed)", OK)),
	END } },

/* an ICMPv6 raw socket sends an echo request
 * (the stack fills the checksum) and reads the reply from the upper-layer
 * header on, source and hop limit as recvmsg reports them; the peer's own
 * stack answers it. */
{ "r_icmp6_echo", "R-1 R-3 R-4 R-7 R-9 A-3", (const struct sd_step[]){
	SOCKET(0, AF_INET6, SOCK_RAW, IPPROTO_ICMPV6, OK),
	SETI(0, V6, IPV6_RECVHOPLIMIT, 1, OK),
	SETBUF(0, IPPROTO_ICMPV6, ICMP6_FILTER, "hex:" "ffffffffffffffffffffffffffffffff" "fdffffff" "ffffffffffffffffffffffff", OK),
	SENDMSG(0, "hex:800000001234000170696e67", "[fd00::2]:0", NULL, OK),
	SETTLE,
	RECVMSG(0, 512, DATA_CM("hex:8100????1234000170696e67", "v6.52=i:64")),
	END } },
{ NULL, NULL, NULL, NULL, NULL }
};
