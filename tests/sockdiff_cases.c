/* duet tests — differential cases, part 1: dual-stack semantics (DS-1..DS-8,
 * seed 000) and UDP over both families (T-1, S-1). Expected values are
 * Linux's (test_sockdiff_linux proves them); see sockdiff.h for the
 * notation. Host 0 is 10.0.0.1 / fd00::1 (plus loopback), the peer 10.0.0.2
 * / fd00::2. */
#include "sockdiff.h"

#include <errno.h>
#include <fcntl.h>

#define DGRAM SOCK_DGRAM

#define SD_WHY_AUTOBIND "Linux gives an unbound socket its port before it checks a send's or " \
	"connect's arguments, so a call failing with EDESTADDRREQ / EINVAL leaves it bound; " \
	"duet binds only once the arguments are valid"
#define SD_WHY_ZONE "Linux keeps the interface of a failed bind to a scoped address " \
	"(sk_bound_dev_if is set before the address is checked); duet leaves the socket unbound"

const struct sd_case sd_cases_ds[] = {
/* DS-1: bound to ::ffff:10.0.0.1 with V6ONLY 0, the socket gets IPv4
 * datagrams for 10.0.0.1 and nothing else: not IPv4 for 127.0.0.1, and an
 * IPv6 client to the same port finds no socket (its connected socket learns
 * ECONNREFUSED from the port unreachable). */
{ "ds1_mapped_bind_gets_ipv4_only", "DS-1 DS-2", (const struct sd_step[]){
	SOCKET(0, AF_INET6, DGRAM, 0, OK),
	SETI(0, IPPROTO_IPV6, IPV6_V6ONLY, 0, OK),
	BIND(0, "[::ffff:10.0.0.1]:5000", OK),
	SOCKNAME(0, ADDR("[::ffff:10.0.0.1]:5000")),
	SOCKET_PEER(1, AF_INET, DGRAM, 0, OK),
	BIND(1, "10.0.0.2:6000", OK),
	SENDTO(1, "four", "10.0.0.1:5000", OK),
	SOCKET_PEER(2, AF_INET6, DGRAM, 0, OK),
	CONNECT(2, "[fd00::1]:5000", OK),
	SEND(2, "six", OK),
	SOCKET(3, AF_INET, DGRAM, 0, OK),
	SENDTO(3, "lo", "127.0.0.1:5000", OK),
	SETTLE,
	RECVFROM(0, DATA_FROM("four", "[::ffff:10.0.0.2]:6000")),
	RECVFROM(0, ERR(EAGAIN)),
	RECV(2, ERR(ECONNREFUSED)),
	END } },

/* DS-1: the IPv6 side of a v4-mapped socket: it can neither connect nor
 * send to a real IPv6 address, nor be reached on ::1. */
{ "ds1_mapped_bind_no_ipv6_peer", "DS-1", (const struct sd_step[]){
	SOCKET(0, AF_INET6, DGRAM, 0, OK),
	BIND(0, "[::ffff:127.0.0.1]:5001", OK),
	SENDTO(0, "x", "[::1]:5002", ERR(EAFNOSUPPORT)),
	SENDTO(0, "x", "[::ffff:127.0.0.1]:5002", OK),
	SOCKET(1, AF_INET6, DGRAM, 0, OK),
	SENDTO(1, "y", "[::1]:5001", OK),
	SETTLE,
	RECV(0, ERR(EAGAIN)),
	END } },

/* DS-2: an IPv4 peer as seen by an AF_INET6 socket on ::, in recvfrom and
 * getpeername (port set, flowinfo 0, scope 0); the reply reaches it as
 * IPv4. */
{ "ds2_ipv4_peer_appears_mapped", "DS-2 DS-3 T-1", (const struct sd_step[]){
	SOCKET(0, AF_INET6, DGRAM, 0, OK),
	BIND(0, "[::]:5001", OK),
	SOCKET_PEER(1, AF_INET, DGRAM, 0, OK),
	BIND(1, "10.0.0.2:6001", OK),
	SENDTO(1, "hello", "10.0.0.1:5001", OK),
	SETTLE,
	SOCKET(2, AF_INET, DGRAM, 0, OK),
	SENDTO(2, "local", "127.0.0.1:5001", OK),
	SETTLE,
	RECVFROM(0, DATA_FROM("hello", "[::ffff:10.0.0.2]:6001")),
	RECVFROM(0, DATA_FROM("local", "[::ffff:127.0.0.1]:*")),
	CONNECT(0, "[::ffff:10.0.0.2]:6001", OK),
	PEERNAME(0, ADDR("[::ffff:10.0.0.2]:6001")),
	SOCKNAME(0, ADDR("[::ffff:10.0.0.1]:5001")),
	SEND(0, "back", OK),
	SETTLE,
	RECVFROM(1, DATA_FROM("back", "10.0.0.1:5001")),
	END } },

/* DS-3: :: with V6ONLY 0 serves both families, remote and loopback. */
{ "ds3_wildcard_serves_both", "DS-3 DS-2 T-1", (const struct sd_step[]){
	SOCKET(0, AF_INET6, DGRAM, 0, OK),
	SETI(0, IPPROTO_IPV6, IPV6_V6ONLY, 0, OK),
	GETI(0, IPPROTO_IPV6, IPV6_V6ONLY, VAL(0)),
	BIND(0, "[::]:5002", OK),
	SOCKNAME(0, ADDR("[::]:5002")),
	SOCKET_PEER(1, AF_INET, DGRAM, 0, OK),
	BIND(1, "10.0.0.2:6002", OK),
	SENDTO(1, "v4", "10.0.0.1:5002", OK),
	SETTLE,
	RECVFROM(0, DATA_FROM("v4", "[::ffff:10.0.0.2]:6002")),
	SOCKET_PEER(2, AF_INET6, DGRAM, 0, OK),
	SENDTO(2, "v6", "[fd00::1]:5002", OK),
	SETTLE,
	RECVFROM(0, DATA_FROM("v6", "[fd00::2]:*")),
	SOCKET(3, AF_INET, DGRAM, 0, OK),
	SENDTO(3, "l4", "127.0.0.1:5002", OK),
	SOCKET(4, AF_INET6, DGRAM, 0, OK),
	SENDTO(4, "l6", "[::1]:5002", OK),
	SETTLE,
	RECVFROM(0, DATA_FROM("l4", "[::ffff:127.0.0.1]:*")),
	RECVFROM(0, DATA_FROM("l6", "[::1]:*")),
	SENDTO(0, "r4", "[::ffff:10.0.0.2]:6002", OK),
	SETTLE,
	RECVFROM(1, DATA_FROM("r4", "10.0.0.1:5002")),
	END } },

/* DS-4: V6ONLY 1 on :: and AF_INET on 0.0.0.0 share a port, in either
 * order, and each gets its own family's datagrams. */
{ "ds4_v6only_coexists_with_v4", "DS-4", (const struct sd_step[]){
	SOCKET(0, AF_INET6, DGRAM, 0, OK),
	SETI(0, IPPROTO_IPV6, IPV6_V6ONLY, 1, OK),
	BIND(0, "[::]:5003", OK),
	SOCKET(1, AF_INET, DGRAM, 0, OK),
	BIND(1, "0.0.0.0:5003", OK),
	SOCKET(2, AF_INET, DGRAM, 0, OK),
	SENDTO(2, "4", "127.0.0.1:5003", OK),
	SOCKET(3, AF_INET6, DGRAM, 0, OK),
	SENDTO(3, "6", "[::1]:5003", OK),
	SETTLE,
	RECVFROM(1, DATA_FROM("4", "127.0.0.1:*")),
	RECVFROM(0, DATA_FROM("6", "[::1]:*")),
	RECVFROM(0, ERR(EAGAIN)),
	RECVFROM(1, ERR(EAGAIN)),
	SOCKET(4, AF_INET, DGRAM, 0, OK),
	BIND(4, "0.0.0.0:5004", OK),
	SOCKET(5, AF_INET6, DGRAM, 0, OK),
	SETI(5, IPPROTO_IPV6, IPV6_V6ONLY, 1, OK),
	BIND(5, "[::]:5004", OK),
	END } },

/* DS-4: with V6ONLY 0 the wildcard takes the IPv4 port too: EADDRINUSE in
 * either order, against 0.0.0.0 or a specific IPv4 address. */
{ "ds4_dual_conflicts_with_v4", "DS-4", (const struct sd_step[]){
	SOCKET(0, AF_INET6, DGRAM, 0, OK),
	SETI(0, IPPROTO_IPV6, IPV6_V6ONLY, 0, OK),
	BIND(0, "[::]:5005", OK),
	SOCKET(1, AF_INET, DGRAM, 0, OK),
	BIND(1, "0.0.0.0:5005", ERR(EADDRINUSE)),
	BIND(1, "127.0.0.1:5005", ERR(EADDRINUSE)),
	BIND(1, "10.0.0.1:5005", ERR(EADDRINUSE)),
	SOCKET(2, AF_INET6, DGRAM, 0, OK),
	SETI(2, IPPROTO_IPV6, IPV6_V6ONLY, 1, OK),
	BIND(2, "[::]:5005", ERR(EADDRINUSE)),
	BIND(2, "[::1]:5005", ERR(EADDRINUSE)),
	SOCKET(3, AF_INET, DGRAM, 0, OK),
	BIND(3, "0.0.0.0:5006", OK),
	SOCKET(4, AF_INET6, DGRAM, 0, OK),
	BIND(4, "[::]:5006", ERR(EADDRINUSE)),
	BIND(4, "[::ffff:10.0.0.1]:5006", ERR(EADDRINUSE)),
	SOCKET(5, AF_INET, DGRAM, 0, OK),
	BIND(5, "127.0.0.1:5007", OK),
	SOCKET(6, AF_INET6, DGRAM, 0, OK),
	BIND(6, "[::]:5007", ERR(EADDRINUSE)),
	BIND(6, "[::ffff:127.0.0.1]:5007", ERR(EADDRINUSE)),
	BIND(6, "[::1]:5007", OK),
	END } },

/* DS-5: a V6ONLY socket refuses v4-mapped addresses; V6ONLY is frozen once
 * the socket has a port (bound, or connected). */
{ "ds5_v6only_refuses_mapped", "DS-5", (const struct sd_step[]){
	SOCKET(0, AF_INET6, DGRAM, 0, OK),
	SETI(0, IPPROTO_IPV6, IPV6_V6ONLY, 1, OK),
	GETI(0, IPPROTO_IPV6, IPV6_V6ONLY, VAL(1)),
	BIND(0, "[::ffff:10.0.0.1]:5008", ERR(EINVAL)),
	BIND(0, "[::ffff:0.0.0.0]:5008", ERR(EINVAL)),
	CONNECT(0, "[::ffff:127.0.0.1]:5008", ERR(ENETUNREACH)),
	CONNECT(0, "127.0.0.1:5008", ERR(EAFNOSUPPORT)),
	SENDTO(0, "x", "[::ffff:127.0.0.1]:5008", ERR(ENETUNREACH)),
	SOCKET(1, AF_INET6, DGRAM, 0, OK),
	BIND(1, "[::]:5009", OK),
	SETI(1, IPPROTO_IPV6, IPV6_V6ONLY, 1, ERR(EINVAL)),
	GETI(1, IPPROTO_IPV6, IPV6_V6ONLY, VAL(0)),
	SOCKET(2, AF_INET6, DGRAM, 0, OK),
	CONNECT(2, "[::1]:5010", OK),
	SETI(2, IPPROTO_IPV6, IPV6_V6ONLY, 1, ERR(EINVAL)),
	SOCKET(3, AF_INET6, DGRAM, 0, OK),
	SETI(3, IPPROTO_IPV6, IPV6_V6ONLY, 1, OK),
	SETI(3, IPPROTO_IPV6, IPV6_V6ONLY, 0, OK),
	GETI(3, IPPROTO_IPV6, IPV6_V6ONLY, VAL(0)),
	SETI(3, IPPROTO_IPV6, IPV6_V6ONLY, 5, OK),
	GETI(3, IPPROTO_IPV6, IPV6_V6ONLY, VAL(1)),
	SETI(3, IPPROTO_IPV6, IPV6_V6ONLY, 0, ERR(EINVAL), LEN(2)),
	GETI(3, IPPROTO_IPV6, IPV6_V6ONLY, VAL(1)),
	END } },

/* DS-6 (seed 000's select() server): one port, a v4-mapped socket and an
 * IPv6-address socket; poll shows each only its family's datagram. */
{ "ds6_two_sockets_one_port", "DS-6 DS-1 DS-2", (const struct sd_step[]){
	SOCKET(0, AF_INET6, DGRAM, 0, OK),
	SETI(0, IPPROTO_IPV6, IPV6_V6ONLY, 0, OK),
	BIND(0, "[::ffff:10.0.0.1]:5011", OK),
	SOCKET(1, AF_INET6, DGRAM, 0, OK),
	BIND(1, "[fd00::1]:5011", OK),
	POLL(0, POLLIN, REVENTS(0)),
	POLL(1, POLLIN, REVENTS(0)),
	SOCKET_PEER(2, AF_INET, DGRAM, 0, OK),
	SENDTO(2, "v4", "10.0.0.1:5011", OK),
	SETTLE,
	POLL(0, POLLIN, REVENTS(POLLIN)),
	POLL(1, POLLIN, REVENTS(0)),
	SOCKET_PEER(3, AF_INET6, DGRAM, 0, OK),
	SENDTO(3, "v6", "[fd00::1]:5011", OK),
	SETTLE,
	POLL(1, POLLIN, REVENTS(POLLIN)),
	RECVFROM(0, DATA_FROM("v4", "[::ffff:10.0.0.2]:*")),
	RECVFROM(1, DATA_FROM("v6", "[fd00::2]:*")),
	RECVFROM(0, ERR(EAGAIN)),
	RECVFROM(1, ERR(EAGAIN)),
	POLL(0, POLLIN, REVENTS(0)),
	POLL(1, POLLIN, REVENTS(0)),
	SOCKET(4, AF_INET6, DGRAM, 0, OK),
	BIND(4, "[::]:5011", ERR(EADDRINUSE)),
	END } },

/* DS-7: the V6ONLY default is copied from the knob when the socket is
 * created (Linux: net.ipv6.bindv6only of the namespace; duet:
 * net.inet6.ip6.bindv6only); AF_INET sockets have no such option. */
{ "ds7_v6only_default_from_knob", "DS-7 DS-4", (const struct sd_step[]){
	SOCKET(0, AF_INET6, DGRAM, 0, OK),
	GETI(0, IPPROTO_IPV6, IPV6_V6ONLY, VAL(0)),
	BINDV6ONLY_KNOB(1),
	SOCKET(1, AF_INET6, DGRAM, 0, OK),
	GETI(1, IPPROTO_IPV6, IPV6_V6ONLY, VAL(1)),
	GETI(0, IPPROTO_IPV6, IPV6_V6ONLY, VAL(0)),
	BIND(1, "[::]:5012", OK),
	SOCKET(2, AF_INET, DGRAM, 0, OK),
	BIND(2, "0.0.0.0:5012", OK),
	BINDV6ONLY_KNOB(0),
	GETI(1, IPPROTO_IPV6, IPV6_V6ONLY, VAL(1)),
	SOCKET(3, AF_INET6, DGRAM, 0, OK),
	GETI(3, IPPROTO_IPV6, IPV6_V6ONLY, VAL(0)),
	GETI(2, IPPROTO_IPV6, IPV6_V6ONLY, ERR(EOPNOTSUPP)),
	SETI(2, IPPROTO_IPV6, IPV6_V6ONLY, 1, ERR(ENOPROTOOPT)),
	END } },

/* DS-8: an AF_INET6 socket connected to a v4-mapped address keeps its
 * IPv6 hop limit and traffic class, and has IPv4 TTL / TOS of its own
 * (Linux sends the IPv4 datagram with IP_TTL / IP_TOS). */
{ "ds8_mapped_destination_options", "DS-8 B-1", (const struct sd_step[]){
	SOCKET(0, AF_INET6, DGRAM, 0, OK),
	SETI(0, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 7, OK),
	SETI(0, IPPROTO_IPV6, IPV6_TCLASS, 0x20, OK),
	CONNECT(0, "[::ffff:127.0.0.1]:5013", OK),
	SOCKNAME(0, ADDR("[::ffff:127.0.0.1]:*")),
	GETI(0, IPPROTO_IPV6, IPV6_UNICAST_HOPS, VAL(7)),
	GETI(0, IPPROTO_IPV6, IPV6_TCLASS, VAL(0x20)),
	GETI(0, IPPROTO_IP, IP_TTL, VAL(64)),
	GETI(0, IPPROTO_IP, IP_TOS, VAL(0)),
	SETI(0, IPPROTO_IP, IP_TTL, 9, OK),
	GETI(0, IPPROTO_IP, IP_TTL, VAL(9)),
	GETI(0, IPPROTO_IPV6, IPV6_UNICAST_HOPS, VAL(7)),
	SEND(0, "x", OK),
	END } },

/* T-1: unconnected datagrams both ways over both families; an unbound
 * sender gets an ephemeral port on the wildcard. */
{ "t1_unconnected_both_families", "T-1 S-1", (const struct sd_step[]){
	SOCKET(0, AF_INET, DGRAM, 0, OK),
	BIND(0, "127.0.0.1:5020", OK),
	SOCKET(1, AF_INET, DGRAM, 0, OK),
	SOCKNAME(1, ADDR("0.0.0.0:0")),
	SENDTO(1, "a", "127.0.0.1:5020", OK),
	SOCKNAME(1, ADDR("0.0.0.0:*")),
	SETTLE,
	RECVFROM(0, DATA_FROM("a", "127.0.0.1:*")),
	SOCKET(2, AF_INET6, DGRAM, 0, OK),
	BIND(2, "[::1]:5020", OK),
	SOCKET(3, AF_INET6, DGRAM, 0, OK),
	SOCKNAME(3, ADDR("[::]:0")),
	SENDTO(3, "b", "[::1]:5020", OK),
	SOCKNAME(3, ADDR("[::]:*")),
	SETTLE,
	RECVFROM(2, DATA_FROM("b", "[::1]:*")),
	SOCKET_PEER(4, AF_INET6, DGRAM, 0, OK),
	BIND(4, "[fd00::2]:6020", OK),
	SOCKET(5, AF_INET6, DGRAM, 0, OK),
	SENDTO(5, "d", "[fd00::2]:6020", OK),
	SOCKET(6, AF_INET, DGRAM, 0, OK),
	SENDTO(6, "e", "[::ffff:10.0.0.2]:6021", ERR(EAFNOSUPPORT)),
	SETTLE,
	RECVFROM(4, DATA_FROM("d", "[fd00::1]:*")),
	END } },

/* T-1: a socket bound to ::1 sending off the host: Linux takes the
 * datagram (and its output drops it: a loopback source never leaves). */
{ "t1_loopback_source_outward", "T-1", (const struct sd_step[]){
	SOCKET(0, AF_INET6, DGRAM, 0, OK),
	BIND(0, "[::1]:5026", OK),
	SOCKET_PEER(1, AF_INET6, DGRAM, 0, OK),
	BIND(1, "[fd00::2]:6026", OK),
	SENDTO(0, "c", "[fd00::2]:6026", OK),
	SETTLE,
	RECV(1, ERR(EAGAIN)),
	END } },

/* T-1: a connected socket takes datagrams from its peer only, may still
 * send elsewhere with sendto (no EISCONN), and AF_UNSPEC dissolves the
 * association (an implicit port is given back; an explicit one stays). */
{ "t1_connected_filter_and_unspec", "T-1 S-1", (const struct sd_step[]){
	SOCKET(0, AF_INET, DGRAM, 0, OK),
	BIND(0, "127.0.0.1:5021", OK),
	SOCKET(1, AF_INET, DGRAM, 0, OK),
	BIND(1, "127.0.0.1:5022", OK),
	CONNECT(1, "127.0.0.1:5021", OK),
	PEERNAME(1, ADDR("127.0.0.1:5021")),
	SEND(1, "to0", OK),
	SOCKET(2, AF_INET, DGRAM, 0, OK),
	SENDTO(2, "stranger", "127.0.0.1:5022", OK),
	SENDTO(0, "from0", "127.0.0.1:5022", OK),
	SETTLE,
	RECVFROM(0, DATA_FROM("to0", "127.0.0.1:5022")),
	RECVFROM(1, DATA_FROM("from0", "127.0.0.1:5021")),
	RECVFROM(1, ERR(EAGAIN)),
	SENDTO(1, "else", "127.0.0.1:5023", OK),
	CONNECT(1, "unspec", OK, LEN(2)),
	PEERNAME(1, ERR(ENOTCONN)),
	SOCKNAME(1, ADDR("127.0.0.1:5022")),
	SEND(1, "x", ERR(EDESTADDRREQ)),
	SOCKET(3, AF_INET6, DGRAM, 0, OK),
	CONNECT(3, "[::1]:5024", OK),
	PEERNAME(3, ADDR("[::1]:5024")),
	SOCKNAME(3, ADDR("[::1]:*")),
	CONNECT(3, "unspec", OK),
	PEERNAME(3, ERR(ENOTCONN)),
	SOCKNAME(3, ADDR("[::]:0")),
	CONNECT(3, "unspec", OK),
	CONNECT(3, "unspec", ERR(EINVAL), LEN(1)),
	END } },

/* T-1: an AF_INET6 socket given a sockaddr_in talks IPv4 (Linux treats it
 * as the v4-mapped address); AF_UNSPEC as a sendto address means none. */
{ "t1_v6_socket_v4_sockaddr", "T-1 DS-2", (const struct sd_step[]){
	SOCKET(0, AF_INET, DGRAM, 0, OK),
	BIND(0, "127.0.0.1:5025", OK),
	SOCKET(1, AF_INET6, DGRAM, 0, OK),
	SENDTO(1, "a", "127.0.0.1:5025", OK),
	SENDTO(1, "b", "unspec", ERR(EDESTADDRREQ)),
	CONNECT(1, "127.0.0.1:5025", OK),
	PEERNAME(1, ADDR("[::ffff:127.0.0.1]:5025")),
	SEND(1, "d", OK),
	SOCKET(2, AF_INET6, DGRAM, 0, OK),
	BIND(2, "[::1]:5026", OK),
	SOCKET(3, AF_INET6, DGRAM, 0, OK),
	CONNECT(3, "[::1]:5026", OK),
	SENDTO(3, "u", "unspec", OK),
	SETTLE,
	RECVFROM(0, DATA_FROM("a", "127.0.0.1:*")),
	RECVFROM(0, DATA_FROM("d", "127.0.0.1:*")),
	RECVFROM(2, DATA_FROM("u", "[::1]:*")),
	END } },

/* T-1: sendto with an AF_UNSPEC address on an AF_INET6 socket connected
 * to an IPv4 peer. */
{ "t1_unspec_sendto_mapped_peer", "T-1 DS-2", (const struct sd_step[]){
	SOCKET(0, AF_INET, DGRAM, 0, OK),
	BIND(0, "127.0.0.1:5027", OK),
	SOCKET(1, AF_INET6, DGRAM, 0, OK),
	CONNECT(1, "[::ffff:127.0.0.1]:5027", OK),
	SENDTO(1, "c", "unspec", ERR(ENETUNREACH),
	       DUET_DIFFERS("Linux routes the v4-mapped peer as IPv6 when sendto's address is "
			    "AF_UNSPEC (udpv6_sendmsg skips its v4-mapped test); duet sends to "
			    "the peer as send() does", OK)),
	END } },

/* T-1: ICMP port unreachable on a connected socket: POLLERR, then the next
 * recv fails once with ECONNREFUSED (IPv4 loopback). */
{ "t1_refused_v4_recv", "T-1", (const struct sd_step[]){
	SOCKET(0, AF_INET, DGRAM, 0, OK),
	CONNECT(0, "127.0.0.1:5999", OK),
	POLL(0, POLLIN | POLLOUT, REVENTS(POLLOUT)),
	SEND(0, "x", OK),
	SETTLE,
	POLL(0, POLLIN | POLLOUT, REVENTS(POLLOUT | POLLERR)),
	RECV(0, ERR(ECONNREFUSED)),
	RECV(0, ERR(EAGAIN)),
	POLL(0, POLLIN | POLLOUT, REVENTS(POLLOUT)),
	END } },

/* T-1: ICMPv6 port unreachable: the next send reports it, once. */
{ "t1_refused_v6_send", "T-1", (const struct sd_step[]){
	SOCKET(0, AF_INET6, DGRAM, 0, OK),
	CONNECT(0, "[::1]:5999", OK),
	SEND(0, "x", OK),
	SETTLE,
	SEND(0, "y", ERR(ECONNREFUSED)),
	SEND(0, "z", OK),
	END } },

/* T-1, DS-8: a v4-mapped destination's ICMPv4 error, read with SO_ERROR
 * (which clears it); the same from the peer over the link, both families. */
{ "t1_refused_so_error_and_peer", "T-1 DS-8 S-1", (const struct sd_step[]){
	SOCKET(0, AF_INET6, DGRAM, 0, OK),
	CONNECT(0, "[::ffff:127.0.0.1]:5999", OK),
	SEND(0, "x", OK),
	SETTLE,
	GETI(0, SOL_SOCKET, SO_ERROR, VAL(ECONNREFUSED)),
	GETI(0, SOL_SOCKET, SO_ERROR, VAL(0)),
	RECV(0, ERR(EAGAIN)),
	SOCKET(1, AF_INET, DGRAM, 0, OK),
	CONNECT(1, "10.0.0.2:5999", OK),
	SEND(1, "x", OK),
	SOCKET(2, AF_INET6, DGRAM, 0, OK),
	CONNECT(2, "[fd00::2]:5999", OK),
	SEND(2, "x", OK),
	SETTLE,
	RECV(1, ERR(ECONNREFUSED)),
	RECV(2, ERR(ECONNREFUSED)),
	END } },

/* T-1: an unconnected socket is told of no ICMP error. */
{ "t1_unconnected_no_error", "T-1", (const struct sd_step[]){
	SOCKET(0, AF_INET, DGRAM, 0, OK),
	SENDTO(0, "x", "127.0.0.1:5999", OK),
	SOCKET(1, AF_INET6, DGRAM, 0, OK),
	SENDTO(1, "x", "[::1]:5999", OK),
	SETTLE,
	RECV(0, ERR(EAGAIN)),
	RECV(1, ERR(EAGAIN)),
	GETI(0, SOL_SOCKET, SO_ERROR, VAL(0)),
	GETI(1, SOL_SOCKET, SO_ERROR, VAL(0)),
	END } },

/* S-1: O_NONBLOCK, SOCK_NONBLOCK and MSG_DONTWAIT on an empty socket. */
{ "s1_nonblocking_empty", "S-1 T-1", (const struct sd_step[]){
	SOCKET(0, AF_INET6, DGRAM, 0, OK),
	GETFL(0, VAL(O_RDWR)),
	SETFL(0, O_NONBLOCK, OK),
	GETFL(0, VAL(O_RDWR | O_NONBLOCK)),
	RECV(0, ERR(EAGAIN)),
	BIND(0, "[::1]:5030", OK),
	RECVFROM(0, ERR(EAGAIN)),
	SETFL(0, 0, OK),
	GETFL(0, VAL(O_RDWR)),
	RECV(0, ERR(EAGAIN), FLAGS(MSG_DONTWAIT)),
	SOCKET(1, AF_INET, DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, OK),
	GETFL(1, VAL(O_RDWR | O_NONBLOCK)),
	RECV(1, ERR(EAGAIN)),
	POLL(1, POLLIN | POLLOUT, REVENTS(POLLOUT)),
	END } },

/* S-1: a datagram cut to the buffer (the rest lost), MSG_TRUNC giving the
 * whole length, MSG_PEEK leaving it queued; a zero-length datagram. */
{ "s1_trunc_peek_empty_datagram", "S-1 T-1", (const struct sd_step[]){
	SOCKET(0, AF_INET, DGRAM, 0, OK),
	BIND(0, "127.0.0.1:5031", OK),
	SOCKET(1, AF_INET, DGRAM, 0, OK),
	SENDTO(1, "hello world", "127.0.0.1:5031", OK),
	SENDTO(1, "hello world", "127.0.0.1:5031", OK),
	SENDTO(1, "hello world", "127.0.0.1:5031", OK),
	SENDTO(1, "", "127.0.0.1:5031", OK),
	SETTLE,
	RECV(0, DATA("hello world"), FLAGS(MSG_PEEK)),
	RECV(0, DATA("hello"), LEN(5)),
	RECV(0, DATA_RET("hel", 11), LEN(3), FLAGS(MSG_TRUNC | MSG_PEEK)),
	RECV(0, DATA_RET("hello", 11), LEN(5), FLAGS(MSG_TRUNC)),
	RECV(0, DATA("hello world")),
	POLL(0, POLLIN, REVENTS(POLLIN)),
	RECVFROM(0, DATA_FROM("", "127.0.0.1:*")),
	RECV(0, ERR(EAGAIN)),
	END } },

/* S-1: datagram size limits: 65,507 bytes over IPv4, 65,527 over IPv6. */
{ "s1_datagram_size_limits", "S-1 T-1", (const struct sd_step[]){
	SOCKET(0, AF_INET, DGRAM, 0, OK),
	SENDN(0, 65507, "127.0.0.1:5032", OK),
	SENDN(0, 65508, "127.0.0.1:5032", ERR(EMSGSIZE)),
	SOCKET(1, AF_INET6, DGRAM, 0, OK),
	SENDN(1, 65527, "[::1]:5032", OK),
	SENDN(1, 65528, "[::1]:5032", ERR(EMSGSIZE)),
	SENDN(1, 65508, "[::ffff:127.0.0.1]:5032", ERR(EMSGSIZE)),
	END } },

/* S-1: shutdown: ENOTCONN unconnected, EINVAL for a bad how; after SHUT_WR
 * sends fail with EPIPE; after SHUT_RD an empty socket reads 0 at once. */
{ "s1_shutdown", "S-1 T-1", (const struct sd_step[]){
	SOCKET(0, AF_INET, DGRAM, 0, OK),
	SHUTDOWN(0, 5, ERR(EINVAL)),
	SHUTDOWN(0, SHUT_RD, ERR(ENOTCONN)),
	SOCKET(1, AF_INET, DGRAM, 0, OK),
	BIND(1, "127.0.0.1:5033", OK),
	SOCKET(2, AF_INET6, DGRAM, 0, OK),
	CONNECT(2, "[::ffff:127.0.0.1]:5033", OK),
	SHUTDOWN(2, SHUT_WR, OK),
	SEND(2, "x", ERR(EPIPE)),
	SENDTO(2, "x", "[::ffff:127.0.0.1]:5033", ERR(EPIPE)),
	POLL(2, POLLIN | POLLOUT, REVENTS(POLLOUT)),
	SHUTDOWN(2, SHUT_RD, OK),
	POLL(2, POLLIN | POLLOUT, REVENTS(POLLIN | POLLOUT | POLLHUP)),
	RECV(2, RET(0)),
	END } },

/* S-1: errors of send / sendto / connect arguments. Any send or connect,
 * even one that fails, gives an unbound socket its port (Linux binds
 * before it looks at the address). */
{ "s1_send_connect_errors", "S-1 T-1", (const struct sd_step[]){
	SOCKET(0, AF_INET, DGRAM, 0, OK),
	SEND(0, "x", ERR(EDESTADDRREQ)),
	SOCKNAME(0, ADDR("0.0.0.0:*"), DUET_DIFFERS(SD_WHY_AUTOBIND, ADDR("0.0.0.0:0"))),
	CONNECT(0, "127.0.0.1:9", ERR(EINVAL), LEN(8)),
	CONNECT(0, "192.0.2.1:9", ERR(ENETUNREACH)),
	SENDTO(0, "x", "127.0.0.1:9", ERR(EINVAL), LEN(8)),
	SENDTO(0, "x", "127.0.0.1:0", ERR(EINVAL)),
	SENDTO(0, "x", "127.0.0.1:9", ERR(EOPNOTSUPP), FLAGS(MSG_OOB)),
	SENDTO(0, "x", "192.0.2.1:9", ERR(ENETUNREACH)),
	SOCKET(1, AF_INET6, DGRAM, 0, OK),
	CONNECT(1, "[fe80::1]:9", ERR(EINVAL)),
	SOCKNAME(1, ADDR("[::]:*"), DUET_DIFFERS(SD_WHY_AUTOBIND, ADDR("[::]:0"))),
	CONNECT(1, "[::1]:9", ERR(EINVAL), LEN(20)),
	CONNECT(1, "[2001:db8::1]:9", ERR(ENETUNREACH)),
	SENDTO(1, "x", "[2001:db8::1]:9", ERR(ENETUNREACH)),
	SOCKET(2, AF_INET6, DGRAM, 0, OK),
	SENDTO(2, "x", "[2001:db8::1]:9", ERR(ENETUNREACH)),
	SOCKNAME(2, ADDR("[::]:*")),
	SEND(1, "x", ERR(EDESTADDRREQ)),
	SENDTO(1, "x", "[::1]:0", ERR(EINVAL)),
	END } },

/* S-1: errors of bind arguments, AF_INET and AF_INET6. */
{ "s1_bind_errors", "S-1 DS-1", (const struct sd_step[]){
	SOCKET(0, AF_INET, DGRAM, 0, OK),
	BIND(0, "127.0.0.1:5034", ERR(EINVAL), LEN(8)),
	BIND(0, "[::1]:5034", ERR(EAFNOSUPPORT)),
	BIND(0, "10.0.0.77:5034", ERR(EADDRNOTAVAIL)),
	BIND(0, "127.0.0.1:5034", OK),
	BIND(0, "127.0.0.1:5035", ERR(EINVAL)),
	SOCKET(1, AF_INET, DGRAM, 0, OK),
	BIND(1, "127.0.0.1:5034", ERR(EADDRINUSE)),
	BIND(1, "127.0.0.2:5034", OK),
	SOCKET(2, AF_INET6, DGRAM, 0, OK),
	BIND(2, "[::1]:5034", ERR(EINVAL), LEN(20)),
	BIND(2, "127.0.0.1:5034", ERR(EINVAL)),
	BIND(2, "[::1]:5034", ERR(EAFNOSUPPORT), FAM(AF_INET)),
	BIND(2, "[fd00::77]:5034", ERR(EADDRNOTAVAIL)),
	BIND(2, "[::ffff:10.0.0.77]:5034", ERR(EADDRNOTAVAIL)),
	BIND(2, "[fe80::1]:5034", ERR(EINVAL)),
	BIND(2, "[::ffff:127.0.0.1]:5034", ERR(EADDRINUSE)),
	BIND(2, "[::1]:5034", OK),
	SOCKNAME(2, ADDR("[::1]:5034")),
	END } },

/* S-1: a bind to a scoped address that fails (no such address, no such
 * zone) leaves the socket tied to the zone's interface on Linux: ::1 is
 * then out of its reach, fd00::1 (on that interface) is not. */
{ "s1_failed_scoped_bind", "S-1", (const struct sd_step[]){
	SOCKET(0, AF_INET6, DGRAM, 0, OK),
	BIND(0, "[fe80::1%main]:5035", ERR(EADDRNOTAVAIL)),
	BIND(0, "[fd00::1]:5035", OK),
	SOCKNAME(0, ADDR("[fd00::1]:5035")),
	SOCKET(1, AF_INET6, DGRAM, 0, OK),
	BIND(1, "[fe80::1%main]:5036", ERR(EADDRNOTAVAIL)),
	BIND(1, "[::1]:5036", ERR(EADDRNOTAVAIL), DUET_DIFFERS(SD_WHY_ZONE, OK)),
	SOCKET(2, AF_INET6, DGRAM, 0, OK),
	BIND(2, "[fe80::1%999]:5037", ERR(ENODEV)),
	BIND(2, "[::1]:5037", ERR(ENODEV), DUET_DIFFERS(SD_WHY_ZONE, OK)),
	END } },

/* S-1: SO_BROADCAST guards sends to a broadcast address (the /24's). */
{ "s1_broadcast_needs_option", "S-1", (const struct sd_step[]){
	SOCKET(0, AF_INET, DGRAM, 0, OK),
	GETI(0, SOL_SOCKET, SO_BROADCAST, VAL(0)),
	SENDTO(0, "b", "10.0.0.255:5036", ERR(EACCES)),
	SETI(0, SOL_SOCKET, SO_BROADCAST, 1, OK),
	GETI(0, SOL_SOCKET, SO_BROADCAST, VAL(1)),
	SENDTO(0, "b", "10.0.0.255:5036", OK),
	SOCKET(1, AF_INET6, DGRAM, 0, OK),
	SENDTO(1, "b", "[::ffff:10.0.0.255]:5036", ERR(EACCES)),
	END } },

/* S-1: UDP has no listen / accept. */
{ "s1_listen_accept_udp", "S-1", (const struct sd_step[]){
	SOCKET(0, AF_INET6, DGRAM, 0, OK),
	LISTEN(0, ERR(EOPNOTSUPP)),
	ACCEPT(0, ERR(EOPNOTSUPP)),
	BIND(0, "[::]:5037", OK),
	LISTEN(0, ERR(EOPNOTSUPP)),
	SOCKET(1, AF_INET, DGRAM, 0, OK),
	LISTEN(1, ERR(EOPNOTSUPP)),
	ACCEPT(1, ERR(EOPNOTSUPP)),
	END } },

/* S-1: every call on a closed descriptor fails with EBADF; poll says
 * POLLNVAL. */
{ "s1_ebadf_closed", "S-1", (const struct sd_step[]){
	SOCKET(0, AF_INET, DGRAM, 0, OK),
	CLOSE(0, OK),
	CLOSE(0, ERR(EBADF)),
	BIND(0, "127.0.0.1:5038", ERR(EBADF)),
	CONNECT(0, "127.0.0.1:5038", ERR(EBADF)),
	SEND(0, "x", ERR(EBADF)),
	SENDTO(0, "x", "127.0.0.1:5038", ERR(EBADF)),
	RECV(0, ERR(EBADF)),
	RECVFROM(0, ERR(EBADF)),
	SETI(0, SOL_SOCKET, SO_REUSEADDR, 1, ERR(EBADF)),
	GETI(0, SOL_SOCKET, SO_TYPE, ERR(EBADF)),
	SOCKNAME(0, ERR(EBADF)),
	PEERNAME(0, ERR(EBADF)),
	SHUTDOWN(0, SHUT_RDWR, ERR(EBADF)),
	SETFL(0, O_NONBLOCK, ERR(EBADF)),
	GETFL(0, ERR(EBADF)),
	LISTEN(0, ERR(EBADF)),
	ACCEPT(0, ERR(EBADF)),
	POLL(0, POLLIN, REVENTS(POLLNVAL)),
	END } },

/* S-1: the same on a descriptor never opened. */
{ "s1_ebadf_never_opened", "S-1", (const struct sd_step[]){
	CLOSE(SD_NEVER, ERR(EBADF)),
	BIND(SD_NEVER, "[::]:5039", ERR(EBADF)),
	CONNECT(SD_NEVER, "[::1]:5039", ERR(EBADF)),
	SEND(SD_NEVER, "x", ERR(EBADF)),
	SENDTO(SD_NEVER, "x", "[::1]:5039", ERR(EBADF)),
	RECVFROM(SD_NEVER, ERR(EBADF)),
	SETI(SD_NEVER, IPPROTO_IPV6, IPV6_V6ONLY, 1, ERR(EBADF)),
	GETI(SD_NEVER, IPPROTO_IPV6, IPV6_V6ONLY, ERR(EBADF)),
	SOCKNAME(SD_NEVER, ERR(EBADF)),
	SHUTDOWN(SD_NEVER, SHUT_WR, ERR(EBADF)),
	GETFL(SD_NEVER, ERR(EBADF)),
	POLL(SD_NEVER, POLLIN | POLLOUT, REVENTS(POLLNVAL)),
	END } },

/* S-1: socket() arguments; SO_TYPE / SO_DOMAIN / SO_PROTOCOL. */
{ "s1_socket_types", "S-1 B-6", (const struct sd_step[]){
	SOCKET(0, AF_INET6, SOCK_STREAM, 0, OK),
	GETI(0, SOL_SOCKET, SO_TYPE, VAL(SOCK_STREAM)),
	GETI(0, SOL_SOCKET, SO_PROTOCOL, VAL(IPPROTO_TCP)),
	GETI(0, SOL_SOCKET, SO_ACCEPTCONN, VAL(0)),
	SOCKET(4, AF_INET, SOCK_STREAM, IPPROTO_UDP, ERR(EPROTONOSUPPORT)),
	SOCKET(1, AF_INET, SOCK_RAW, IPPROTO_UDP, OK),
	SOCKET(2, 12345, DGRAM, 0, ERR(EAFNOSUPPORT)),
	SOCKET(2, AF_INET, 99, 0, ERR(EINVAL)),
	SOCKET(2, AF_INET, DGRAM, IPPROTO_TCP, ERR(EPROTONOSUPPORT)),
	SOCKET(2, AF_INET6, DGRAM, IPPROTO_UDP, OK),
	GETI(2, SOL_SOCKET, SO_TYPE, VAL(SOCK_DGRAM)),
	GETI(2, SOL_SOCKET, SO_DOMAIN, VAL(AF_INET6)),
	GETI(2, SOL_SOCKET, SO_PROTOCOL, VAL(IPPROTO_UDP)),
	SETI(2, SOL_SOCKET, SO_TYPE, SOCK_DGRAM, ERR(ENOPROTOOPT)),
	SOCKET(3, AF_INET, DGRAM, 0, OK),
	GETI(3, SOL_SOCKET, SO_DOMAIN, VAL(AF_INET)),
	GETI(3, SOL_SOCKET, SO_PROTOCOL, VAL(IPPROTO_UDP)),
	END } },

{ NULL, NULL, NULL, NULL, NULL },
};
