/* duet — the BSD socket API (S-1, S-2) over a duet stack: descriptors,
 * bind/connect/listen/accept/send/recv, socket options, poll/select, for
 * TCP (SOCK_STREAM), UDP and raw sockets over IPv4 and IPv6 with
 * dual-stack AF_INET6 sockets (DS-1..DS-8) and the basic IPv6 options of
 * RFC 3493 (B-1..B-9).
 *
 * Stream sockets (TCP, RFC 9293) as Linux's: connect() on a blocking
 * socket waits for the handshake (ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH;
 * bounded by SO_SNDTIMEO: then EINPROGRESS), on a non-blocking one (or in
 * simulation) returns EINPROGRESS and poll() reports POLLOUT when it is
 * done, SO_ERROR its outcome; a second connect gives EALREADY while it
 * runs, EISCONN once connected. send() queues what the send buffer takes
 * (a blocking socket waits until all is queued; EPIPE after SHUT_WR or a
 * reset, ECONNRESET when the peer reset, EPIPE on a socket never
 * connected, as Linux), MSG_MORE holds a partial segment back; recv()
 * returns what has arrived (MSG_WAITALL: all of len unless end of stream,
 * an error or a timeout), 0 at the end of the stream, ENOTCONN on a socket
 * never connected. Ancillary data is refused on send (EINVAL, A-8) and
 * never returned; msg_name is left empty. close() finishes the connection
 * in the background (FIN, then FIN-WAIT / TIME-WAIT without a
 * descriptor), or resets it when data was left unread or SO_LINGER is on
 * with a zero time. IPPROTO_TCP options: TCP_NODELAY, TCP_CORK, TCP_MAXSEG,
 * TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT, TCP_SYNCNT, TCP_LINGER2,
 * TCP_QUICKACK, TCP_USER_TIMEOUT, TCP_CONGESTION ("cubic", "reno"),
 * TCP_INFO (struct tcp_info, read only). The stack-wide TCP knobs are
 * sysctls (include/duet/sysctl.h, `duet sysctl`).
 *
 * Types, constants and option numbers are the host's own (<sys/socket.h>,
 * <netinet/in.h>, <poll.h>, <fcntl.h>): struct sockaddr_in6, struct msghdr,
 * struct ipv6_mreq, IPV6_V6ONLY, SO_REUSEADDR, POLLIN, O_NONBLOCK ... Names
 * the host lacks have DUET_ constants below, chosen not to collide with any
 * Linux value.
 *
 * Every call takes the stack it works on (the socket table belongs to the
 * stack: many stacks live in one process, STYLE.md 1) and returns -1 with
 * errno set to the value Linux gives, or the documented result. Descriptors
 * are small integers local to their stack, from 3 up, the lowest free one
 * first (as a process with stdin/out/err open); they are not OS file
 * descriptors.
 *
 * Two ways to drive it (S-2):
 *  - Simulation and embedding (a stack created with duet_stack_create or
 *    duet_sim_add_stack): single-threaded. No call blocks: one that would
 *    wait returns -1 EAGAIN whatever O_NONBLOCK says, and the caller
 *    advances time (duet_sim_run_for, duet_stack_poll) and calls again.
 *    duet_poll() with a timeout returns at once.
 *  - The host runtime (include/duet/host.h): every call is thread-safe
 *    (it takes the host lock itself) and blocking sockets block, bounded by
 *    SO_RCVTIMEO / SO_SNDTIMEO (EAGAIN when they expire) or by duet_poll()'s
 *    timeout. To wait on duet sockets together with the application's own
 *    file descriptors, duet_socket_eventfd() gives a socket an OS eventfd
 *    that is readable exactly while the socket is (level-triggered POLLIN or
 *    POLLERR): put it in the application's poll/epoll set.
 *
 * The advanced IPv6 API (RFC 3542: ancillary data, sticky options) and raw
 * sockets are documented option by option in docs/man/duet-ip6.7.
 * SOCK_SEQPACKET is refused with ESOCKTNOSUPPORT. */
#ifndef DUET_SOCKET_H
#define DUET_SOCKET_H

#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <duet/stack.h>

/* IPV6_PORTRANGE (FreeBSD's <netinet6/in6.h>; B-7) and its values; the
 * option lives at IPPROTO_IPV6 and takes an int. Linux has no such option:
 * the number is far above Linux's IPv6 option numbers. */
#define DUET_IPV6_PORTRANGE 0x4475
#define DUET_IPV6_PORTRANGE_DEFAULT 0  /* net.inet.ip.portrange.first .. last */
#define DUET_IPV6_PORTRANGE_HIGH 1     /* net.inet.ip.portrange.hifirst .. hilast */
#define DUET_IPV6_PORTRANGE_LOW 2      /* net.inet.ip.portrange.lowfirst .. lowlast (superuser) */
/* IP_PORTRANGE: the same for AF_INET sockets, at IPPROTO_IP. */
#define DUET_IP_PORTRANGE 0x4476
/* IPV6_BINDV6ONLY: the KAME name of IPV6_V6ONLY (B-8), same semantics. */
#define DUET_IPV6_BINDV6ONLY 0x4477
/* IPV6_USE_MIN_MTU (RFC 3542 §11.1), which Linux lacks: an int, -1 (the
 * default: path MTU discovery for unicast, 1280 octets for multicast), 0
 * (path MTU discovery always), 1 (1280 octets always). Also an ancillary
 * object of that type at IPPROTO_IPV6. */
#define DUET_IPV6_USE_MIN_MTU 0x4478
/* Linux's IPV6_FLOWINFO (linux/in6.h; glibc lacks it): an int receive
 * switch; the ancillary object is the packet's traffic class and flow
 * label as a 32-bit big-endian word (version bits zero). */
#define DUET_IPV6_FLOWINFO 11

/* Credentials new sockets carry (B-9). */
struct duet_cred {
	uid_t uid;   /* 0: superuser */
	gid_t gid;
};

/* Sets the credentials that sockets created from now on by this stack's
 * callers carry (the default is uid 0, gid 0: the embedding application is
 * the superuser of its own stack). A socket keeps its creator's credentials
 * for life. Returns 0. Thread-safe in the host runtime. */
int duet_set_cred(struct duet_stack *stack, const struct duet_cred *cred);

/* The credentials new sockets get. */
void duet_get_cred(struct duet_stack *stack, struct duet_cred *cred);

/* Creates a socket. domain AF_INET or AF_INET6; type SOCK_DGRAM or SOCK_RAW,
 * optionally or'ed with SOCK_NONBLOCK and SOCK_CLOEXEC (accepted and
 * ignored); protocol 0 or IPPROTO_UDP for SOCK_DGRAM, 0..255 for SOCK_RAW
 * an IPv6 raw socket of protocol 0 speaks Next Header 255; IPv4
 * needs a protocol; IPPROTO_RAW there implies IP_HDRINCL and receives
 * nothing). Returns the descriptor, or -1 with EAFNOSUPPORT (another
 * domain), ESOCKTNOSUPPORT (SOCK_STREAM: not yet), EINVAL (unknown type or
 * flags, a raw protocol above 255), EPROTONOSUPPORT (another protocol),
 * EPERM (SOCK_RAW without superuser, B-9), EMFILE
 * (the table of net.duet.sockets.max is full) or ENOBUFS. The V6ONLY
 * default of an AF_INET6 socket is copied from net.inet6.ip6.bindv6only
 * now (DS-7). */
int duet_socket(struct duet_stack *stack, int domain, int type, int protocol);

/* Closes a socket: drops its queued datagrams, leaves its multicast groups
 * (B-5), frees its port. Returns 0, or -1 EBADF. */
int duet_close(struct duet_stack *stack, int fd);

/* Binds to a local address and port (port 0: an ephemeral port from the
 * socket's range, B-7). AF_INET6 sockets take sockaddr_in6 (a v4-mapped
 * address binds to that IPv4 address, DS-1; a scoped address needs
 * sin6_scope_id); AF_INET sockets take sockaddr_in. Errors as Linux:
 * EBADF (not an open descriptor), EINVAL (already bound, short length,
 * a v4-mapped address on a V6ONLY socket, DS-5),
 * EAFNOSUPPORT (wrong family), EADDRNOTAVAIL (not a local address, or an
 * unknown zone), EADDRINUSE (the port is taken under the sharing rules of
 * DS-4 and SO_REUSEADDR/SO_REUSEPORT), EACCES (a port below
 * net.inet.ip.portrange.reservedhigh + 1 without superuser, B-9). */
int duet_bind(struct duet_stack *stack, int fd, const struct sockaddr *addr, socklen_t len);

/* Connects a datagram socket: fixes the peer, binds an ephemeral port and
 * a source address if unbound. AF_UNSPEC dissolves the association.
 * Errors: EBADF, EINVAL (bad length), EAFNOSUPPORT, ENETUNREACH (a
 * v4-mapped address on a V6ONLY socket, DS-5; no route), EADDRNOTAVAIL
 * (no source address), EAGAIN (no ephemeral port left).
 * A stream socket starts the handshake (the ephemeral port by RFC 6056
 * §3.3.3: one local port serves many peers); see the top of this file
 * for how it completes. More errors for it: EINPROGRESS, EALREADY,
 * EISCONN, ECONNREFUSED, ETIMEDOUT, EADDRNOTAVAIL (no unused 4-tuple);
 * AF_UNSPEC aborts the connection (a reset) as Linux. */
int duet_connect(struct duet_stack *stack, int fd, const struct sockaddr *addr, socklen_t len);

/* Stream (TCP) sockets only: on a datagram socket they fail with
 * EOPNOTSUPP, as on Linux.
 * duet_listen: binds an ephemeral port if unbound and starts accepting
 * connections; backlog bounds the connections waiting for accept (capped
 * at net.core.somaxconn, 4096; <= 0 means 1 as Linux's minimum is 0
 * pending + 1). Errors: EBADF, EOPNOTSUPP, EINVAL (connected or
 * connecting), EADDRINUSE.
 * duet_accept / duet_accept4: takes one established connection, its peer
 * written to addr (*len in: room, out: the full length; v4-mapped on an
 * AF_INET6 socket, DS-2); the new descriptor is blocking unless flags has
 * SOCK_NONBLOCK. Blocks while none is ready, unless non-blocking
 * (EAGAIN) or SO_RCVTIMEO expires (EAGAIN). Errors: EBADF, EINVAL (not
 * listening, bad flags), EFAULT (addr without len), EMFILE, EOPNOTSUPP. */
int duet_listen(struct duet_stack *stack, int fd, int backlog);
int duet_accept(struct duet_stack *stack, int fd, struct sockaddr *addr, socklen_t *len);
int duet_accept4(struct duet_stack *stack, int fd, struct sockaddr *addr, socklen_t *len,
		 int flags);

/* Sends one datagram (flags: MSG_DONTWAIT, MSG_DONTROUTE; others EOPNOTSUPP
 * as Linux for MSG_OOB on UDP, or ignored as Linux ignores them). To an
 * AF_INET6 socket's v4-mapped destination the datagram goes as IPv4, with
 * its hop limit and traffic class as TTL and TOS (DS-8). Returns the
 * bytes sent, or -1: EBADF, EDESTADDRREQ (unconnected without an address),
 * EISCONN is not used (a connected UDP socket may send elsewhere, as Linux),
 * EINVAL, EAFNOSUPPORT, EMSGSIZE (over 65,507 / 65,527 bytes, or over the
 * path MTU with IPV6_DONTFRAG), ENETUNREACH, EHOSTUNREACH,
 * EACCES (broadcast without SO_BROADCAST), EPIPE (after SHUT_WR), ENOBUFS,
 * or a pending ICMP error (ECONNREFUSED ...) of a connected socket.
 * duet_sendmsg takes ancillary data (RFC 3542 §6; IPv4: IP_PKTINFO,
 * IP_TTL, IP_TOS) in msg_control, read without alignment needs: each
 * object overrides the socket's sticky option of its kind for this
 * datagram; a malformed object is EINVAL, an unknown interface
 * ENODEV, a privileged one without superuser EPERM, a next hop that is
 * not on-link EHOSTUNREACH, and the socket stays as it was. */
ssize_t duet_send(struct duet_stack *stack, int fd, const void *buf, size_t len, int flags);
ssize_t duet_sendto(struct duet_stack *stack, int fd, const void *buf, size_t len, int flags,
		    const struct sockaddr *to, socklen_t tolen);
ssize_t duet_sendmsg(struct duet_stack *stack, int fd, const struct msghdr *msg, int flags);

/* Receives one datagram (flags: MSG_DONTWAIT, MSG_PEEK, MSG_TRUNC: return
 * the datagram's whole length). A datagram longer than the buffer is cut
 * (the rest discarded, MSG_TRUNC in msg_flags). The source appears in the
 * socket's family: IPv4 peers of an AF_INET6 socket as ::ffff:a.b.c.d,
 * flowinfo 0, scope 0 (DS-2). Returns the bytes copied (or the whole length
 * with MSG_TRUNC), 0 after SHUT_RD with nothing queued, or -1: EBADF,
 * EAGAIN (nothing queued: non-blocking, simulation, or SO_RCVTIMEO
 * expired), EINVAL, or a pending ICMP error (ECONNREFUSED, EHOSTUNREACH,
 * EMSGSIZE ..., reported once, then cleared).
 * duet_recvmsg also writes the ancillary data the socket's receive
 * switches ask for into msg_control (the host's CMSG_* layout, no
 * alignment needed), sets msg_controllen to the bytes written, and
 * MSG_CTRUNC in msg_flags when they did not all fit. */
ssize_t duet_recv(struct duet_stack *stack, int fd, void *buf, size_t len, int flags);
ssize_t duet_recvfrom(struct duet_stack *stack, int fd, void *buf, size_t len, int flags,
		      struct sockaddr *from, socklen_t *fromlen);
ssize_t duet_recvmsg(struct duet_stack *stack, int fd, struct msghdr *msg, int flags);

/* SHUT_RD, SHUT_WR, SHUT_RDWR. On a TCP connection SHUT_WR sends the FIN
 * once the queued data is out (the peer reads end of stream; this side
 * still receives); SHUT_RD makes recv return 0; on a listener SHUT_RD
 * stops listening and resets the connections not accepted. Returns 0 or
 * -1: EBADF, EINVAL (how), ENOTCONN (a datagram socket that is not
 * connected, a stream socket never connected, as Linux). */
int duet_shutdown(struct duet_stack *stack, int fd, int how);

/* The local / peer address in the socket's family. *len in: the buffer's
 * size; out: the address's size (the copy is cut to the buffer). Returns 0
 * or -1: EBADF, EINVAL (len NULL or negative), ENOTCONN (getpeername,
 * unconnected). */
int duet_getsockname(struct duet_stack *stack, int fd, struct sockaddr *addr, socklen_t *len);
int duet_getpeername(struct duet_stack *stack, int fd, struct sockaddr *addr, socklen_t *len);

/* Socket options (docs/FEATURES.md lists each with its values):
 *  SOL_SOCKET: SO_REUSEADDR, SO_REUSEPORT, SO_RCVBUF, SO_SNDBUF (doubled
 *    and bounded as Linux: min 2,304 / 4,608, max net.core.rmem_max /
 *    wmem_max times two), SO_RCVTIMEO, SO_SNDTIMEO (struct timeval),
 *    SO_ERROR (get: reads and clears), SO_TYPE, SO_DOMAIN, SO_PROTOCOL (get
 *    only), SO_BROADCAST, SO_DONTROUTE.
 *  IPPROTO_IPV6 (AF_INET6 sockets): IPV6_V6ONLY / DUET_IPV6_BINDV6ONLY,
 *    IPV6_UNICAST_HOPS, IPV6_MULTICAST_HOPS, IPV6_MULTICAST_IF,
 *    IPV6_MULTICAST_LOOP, IPV6_JOIN_GROUP / IPV6_ADD_MEMBERSHIP,
 *    IPV6_LEAVE_GROUP / IPV6_DROP_MEMBERSHIP, IPV6_TCLASS, DUET_IPV6_PORTRANGE.
 *    The advanced API (RFC 3542; docs/man/duet-ip6.7): the receive
 *    switches IPV6_RECVPKTINFO, IPV6_RECVHOPLIMIT, IPV6_RECVTCLASS,
 *    IPV6_RECVHOPOPTS, IPV6_RECVDSTOPTS, IPV6_RECVRTHDR, IPV6_RECVPATHMTU,
 *    IPV6_FLOWINFO and the RFC 2292 ones (IPV6_2292PKTINFO,
 *    IPV6_2292HOPLIMIT, IPV6_2292HOPOPTS, IPV6_2292DSTOPTS,
 *    IPV6_2292RTHDR); the sticky options IPV6_PKTINFO (struct
 *    in6_pktinfo), IPV6_NEXTHOP (struct sockaddr_in6, superuser; a zero
 *    length removes it), IPV6_HOPOPTS / IPV6_DSTOPTS / IPV6_RTHDRDSTOPTS
 *    (whole headers, superuser) and IPV6_RTHDR (Type 0 or 2), each
 *    removed by a zero length, and IPV6_2292PKTOPTIONS (a buffer of
 *    ancillary objects replacing them all; zero length clears them);
 *    IPV6_DONTFRAG, DUET_IPV6_USE_MIN_MTU.
 *  IPPROTO_IP (AF_INET sockets, and AF_INET6 ones for their v4-mapped
 *    traffic, as Linux): IP_TTL, IP_TOS, IP_MULTICAST_IF (struct in_addr or
 *    ip_mreqn), IP_MULTICAST_TTL, IP_MULTICAST_LOOP, IP_ADD_MEMBERSHIP /
 *    IP_DROP_MEMBERSHIP (ip_mreq or ip_mreqn), DUET_IP_PORTRANGE, and the
 *    receive switches IP_PKTINFO, IP_RECVTTL, IP_RECVTOS.
 * Errors as Linux: EBADF, EFAULT (NULL value with a length), EINVAL (short
 * length, value out of range, V6ONLY after bind), ENOPROTOOPT (unknown
 * option or level, an IPv6 option on an AF_INET socket), ENODEV / ENXIO
 * (unknown interface), EADDRNOTAVAIL (leaving a group not joined), EADDRINUSE
 * (joining twice), EACCES (DUET_IPV6_PORTRANGE_LOW without superuser),
 * EPERM (a privileged option without superuser). */
int duet_setsockopt(struct duet_stack *stack, int fd, int level, int name, const void *val,
		    socklen_t len);
int duet_getsockopt(struct duet_stack *stack, int fd, int level, int name, void *val,
		    socklen_t *len);

/* F_GETFL (O_RDWR, plus O_NONBLOCK when set), F_SETFL (O_NONBLOCK; other
 * flags ignored as Linux ignores them), F_GETFD / F_SETFD (FD_CLOEXEC kept,
 * meaningless here). Returns the value, 0, or -1: EBADF, EINVAL (cmd). */
int duet_fcntl(struct duet_stack *stack, int fd, int cmd, ...);

/* Waits until one of the sockets is ready (POLLIN: a datagram or an error
 * queued, or SHUT_RD; POLLOUT: room to send; POLLERR: an ICMP error pending;
 * POLLNVAL for a descriptor that is not open; negative fds are skipped) or
 * timeout_ms passes (-1: forever; in simulation it returns at once).
 * Returns how many entries have revents set, or -1: EINVAL (nfds above
 * net.duet.sockets.max), EFAULT (fds NULL with nfds > 0). */
int duet_poll(struct duet_stack *stack, struct pollfd *fds, nfds_t nfds, int timeout_ms);

/* select(2) over duet descriptors (below FD_SETSIZE): the same readiness
 * as duet_poll. The sets are updated in place; timeout NULL waits forever.
 * Returns the number of ready bits, or -1: EBADF (a descriptor in a set is
 * not open), EINVAL (nfds negative or above FD_SETSIZE, bad timeout). */
int duet_select(struct duet_stack *stack, int nfds, fd_set *rd, fd_set *wr, fd_set *ex,
		struct timeval *timeout);

/* Host runtime only: an OS eventfd (owned by the socket, closed with it)
 * that is readable while the socket is readable or has an error pending, so
 * an application can wait on it beside its own descriptors. Returns the
 * eventfd, or -1: EBADF, EOPNOTSUPP (a stack not driven by the host
 * runtime), or eventfd(2)'s error. */
int duet_socket_eventfd(struct duet_stack *stack, int fd);

/* Interface index of a name / name of an index, on this stack (RFC 3493
 * §4). nametoindex returns 0 (errno ENODEV) for an unknown name;
 * indextoname copies at most IF_NAMESIZE bytes and returns buf, or NULL
 * with errno ENXIO. */
unsigned duet_if_nametoindex(struct duet_stack *stack, const char *name);
char *duet_if_indextoname(struct duet_stack *stack, unsigned ifindex, char *buf);

#endif
