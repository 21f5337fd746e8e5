/* duet tests — differential cases for stream sockets (S-1, T-2, DS-1..DS-6,
 * what listen, accept, connect, send, recv, shutdown and the TCP
 * options return on duet and on Linux's own sockets. */
#include "sockdiff.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>

#define STREAM SOCK_STREAM

const struct sd_case sd_cases_tcp[] = {

/* S-1: the calls of a stream socket that is neither connected nor listening. */
{ "tcp_unconnected_calls", "S-1 T-2", (const struct sd_step[]){
	SOCKET(0, AF_INET6, STREAM, 0, OK),
	RECV(0, ERR(ENOTCONN)),
	SEND(0, "x", ERR(EPIPE)),
	PEERNAME(0, ERR(ENOTCONN)),
	SHUTDOWN(0, SHUT_RDWR, ERR(ENOTCONN)),
	ACCEPT(0, ERR(EINVAL)),
	GETI(0, SOL_SOCKET, SO_ACCEPTCONN, VAL(0)),
	GETI(0, SOL_SOCKET, SO_ERROR, VAL(0)),
	POLL(0, POLLIN | POLLOUT, REVENTS(POLLIN | POLLOUT | POLLHUP)),
	SOCKET(1, AF_INET, SOCK_DGRAM, 0, OK),
	LISTEN(1, ERR(EOPNOTSUPP)),
	ACCEPT(1, ERR(EOPNOTSUPP)),
	END } },

/* T-2: the TCP-level options, their defaults and their range checks. */
{ "tcp_options", "T-2 S-1", (const struct sd_step[]){
	SOCKET(0, AF_INET6, STREAM, 0, OK),
	GETI(0, IPPROTO_TCP, TCP_NODELAY, VAL(0)),
	SETI(0, IPPROTO_TCP, TCP_NODELAY, 1, OK),
	GETI(0, IPPROTO_TCP, TCP_NODELAY, VAL(1)),
	GETI(0, IPPROTO_TCP, TCP_MAXSEG, VAL(536)),
	SETI(0, IPPROTO_TCP, TCP_MAXSEG, 10, ERR(EINVAL)),
	SETI(0, IPPROTO_TCP, TCP_MAXSEG, 1000, OK),
	GETI(0, IPPROTO_TCP, TCP_KEEPIDLE, VAL(7200)),
	GETI(0, IPPROTO_TCP, TCP_KEEPINTVL, VAL(75)),
	GETI(0, IPPROTO_TCP, TCP_KEEPCNT, VAL(9)),
	SETI(0, IPPROTO_TCP, TCP_KEEPIDLE, 0, ERR(EINVAL)),
	SETI(0, IPPROTO_TCP, TCP_KEEPIDLE, 30, OK),
	GETI(0, IPPROTO_TCP, TCP_KEEPIDLE, VAL(30)),
	SETI(0, IPPROTO_TCP, TCP_KEEPCNT, 0, ERR(EINVAL)),
	GETI(0, IPPROTO_TCP, TCP_SYNCNT, VAL(6)),
	SETI(0, IPPROTO_TCP, TCP_SYNCNT, 0, ERR(EINVAL)),
	GETI(0, IPPROTO_TCP, TCP_LINGER2, VAL(60)),
	SETI(0, IPPROTO_TCP, TCP_USER_TIMEOUT, -1, ERR(EINVAL)),
	SETI(0, IPPROTO_TCP, 9999, 1, ERR(ENOPROTOOPT)),
	SETI(0, SOL_SOCKET, SO_KEEPALIVE, 1, OK),
	GETI(0, SOL_SOCKET, SO_KEEPALIVE, VAL(1)),
	SOCKET(1, AF_INET, STREAM, 0, OK),
	GETI(1, IPPROTO_TCP, TCP_NODELAY, VAL(0)),
	GETI(1, SOL_SOCKET, SO_TYPE, VAL(SOCK_STREAM)),
	END } },

/* S-1: listen binds an ephemeral port; a listener accepts nothing yet,
 * cannot connect, send or receive. */
{ "tcp_listen_then_calls", "S-1 T-2", (const struct sd_step[]){
	SOCKET(0, AF_INET6, STREAM, 0, OK),
	LISTEN(0, OK),
	SOCKNAME(0, ADDR("[::]:*")),
	GETI(0, SOL_SOCKET, SO_ACCEPTCONN, VAL(1)),
	LISTEN(0, OK),
	SETFL(0, O_NONBLOCK, OK),
	ACCEPT(0, ERR(EAGAIN)),
	POLL(0, POLLIN | POLLOUT, REVENTS(0)),
	RECV(0, ERR(ENOTCONN)),
	SEND(0, "x", ERR(EPIPE)),
	CONNECT(0, "[fd00::2]:7", ERR(EISCONN)),
	BIND(0, "[::]:7", ERR(EINVAL)),
	END } },

/* T-2: nobody listens on the peer's port: a reset, ECONNREFUSED, and the
 * socket may try again. */
{ "tcp_connect_refused", "T-2 S-1", (const struct sd_step[]){
	SOCKET(0, AF_INET6, STREAM, 0, OK),
	CONNECT(0, "[fd00::2]:9", ERR(ECONNREFUSED)),
	GETI(0, SOL_SOCKET, SO_ERROR, VAL(0)),
	CONNECT(0, "[fd00::2]:9", ERR(ECONNREFUSED)),
	SOCKET(1, AF_INET, STREAM, 0, OK),
	CONNECT(1, "10.0.0.2:9", ERR(ECONNREFUSED)),
	END } },

/* DS-2, DS-3, S-1: an IPv4 client to a dual-stack listener on the peer:
 * the accepted socket shows ::ffff:10.0.0.1; names, data, half-close. */
{ "tcp_dual_stack_accept", "DS-2 DS-3 S-1 T-2", (const struct sd_step[]){
	SOCKET_PEER(1, AF_INET6, STREAM, 0, OK),
	SETI(1, IPPROTO_IPV6, IPV6_V6ONLY, 0, OK),
	BIND(1, "[::]:7000", OK),
	LISTEN(1, OK),
	SETFL(1, O_NONBLOCK, OK),
	SOCKET(0, AF_INET, STREAM, 0, OK),
	CONNECT(0, "10.0.0.2:7000", OK),
	SETTLE,
	ACCEPT_TO(1, 2, ADDR("[::ffff:10.0.0.1]:*")),
	PEERNAME(0, ADDR("10.0.0.2:7000")),
	SOCKNAME(0, ADDR("10.0.0.1:*")),
	PEERNAME(2, ADDR("[::ffff:10.0.0.1]:*")),
	SOCKNAME(2, ADDR("[::ffff:10.0.0.2]:7000")),
	CONNECT(0, "10.0.0.2:7000", ERR(EISCONN)),
	SEND(0, "hello", OK),
	SETTLE,
	RECV(2, DATA("hello")),
	SETFL(2, O_NONBLOCK, OK),
	RECV(2, ERR(EAGAIN)),
	SHUTDOWN(0, SHUT_WR, OK),
	SETTLE,
	RECV(2, DATA_RET("", 0)),
	SEND(0, "x", ERR(EPIPE)),
	SEND(2, "back", OK),
	SETTLE,
	RECV(0, DATA("back")),
	CLOSE(2, OK),
	SETTLE,
	RECV(0, DATA_RET("", 0)),
	END } },

/* DS-5: a V6ONLY listener refuses IPv4 clients; a V6ONLY socket cannot
 * connect to a v4-mapped address. */
{ "tcp_v6only", "DS-5 DS-4 T-2", (const struct sd_step[]){
	SOCKET_PEER(1, AF_INET6, STREAM, 0, OK),
	SETI(1, IPPROTO_IPV6, IPV6_V6ONLY, 1, OK),
	BIND(1, "[::]:7001", OK),
	LISTEN(1, OK),
	SOCKET(0, AF_INET, STREAM, 0, OK),
	CONNECT(0, "10.0.0.2:7001", ERR(ECONNREFUSED)),
	SOCKET(2, AF_INET6, STREAM, 0, OK),
	SETI(2, IPPROTO_IPV6, IPV6_V6ONLY, 1, OK),
	CONNECT(2, "[::ffff:10.0.0.2]:7001", ERR(ENETUNREACH)),
	/* DS-4: 0.0.0.0 shares the port of a V6ONLY listener. */
	SOCKET_PEER(3, AF_INET, STREAM, 0, OK),
	BIND(3, "0.0.0.0:7001", OK),
	END } },

/* S-1, DS-4: port sharing of stream sockets, as Linux's
 * inet_csk_bind_conflict: SO_REUSEADDR shares a port unless a socket
 * listens on it. */
{ "tcp_bind_reuse", "S-1 DS-4 T-2", (const struct sd_step[]){
	SOCKET(0, AF_INET6, STREAM, 0, OK),
	BIND(0, "[::]:7100", OK),
	SOCKET(1, AF_INET6, STREAM, 0, OK),
	BIND(1, "[::]:7100", ERR(EADDRINUSE)),
	SOCKET(2, AF_INET, STREAM, 0, OK),
	BIND(2, "0.0.0.0:7100", ERR(EADDRINUSE)),
	SOCKET(3, AF_INET6, STREAM, 0, OK),
	SETI(3, SOL_SOCKET, SO_REUSEADDR, 1, OK),
	BIND(3, "[::]:7101", OK),
	SOCKET(4, AF_INET6, STREAM, 0, OK),
	SETI(4, SOL_SOCKET, SO_REUSEADDR, 1, OK),
	BIND(4, "[::]:7101", OK),
	LISTEN(4, OK),
	SOCKET(5, AF_INET6, STREAM, 0, OK),
	SETI(5, SOL_SOCKET, SO_REUSEADDR, 1, OK),
	BIND(5, "[::]:7101", ERR(EADDRINUSE)),
	LISTEN(3, ERR(EADDRINUSE)),
	END } },

/* ancillary data on a stream socket is refused; recvmsg returns none. */
{ "tcp_ancillary", "A-8 T-2", (const struct sd_step[]){
	SOCKET_PEER(1, AF_INET6, STREAM, 0, OK),
	BIND(1, "[::]:7200", OK),
	LISTEN(1, OK),
	SETFL(1, O_NONBLOCK, OK),
	SOCKET(0, AF_INET6, STREAM, 0, OK),
	SETI(0, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, OK),
	CONNECT(0, "[fd00::2]:7200", OK),
	SETTLE,
	ACCEPT_TO(1, 2, ADDR("[fd00::1]:*")),
	SENDMSG(0, "a", NULL, "v6.52=i:9", OK,
		DUET_DIFFERS("A-8: ancillary data on a stream socket is refused; Linux's "
			     "tcp_sendmsg reads SOL_SOCKET objects only and ignores the rest",
			     ERR(EINVAL))),
	SEND(2, "b", OK),
	SETTLE,
	RECVMSG(0, 64, DATA_CMFL("b", "", 0, 0)),
	END } },

{ NULL, NULL, NULL, NULL, NULL },
};
