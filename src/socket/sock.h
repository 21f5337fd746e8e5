/* duet — the socket layer's internals: the per-stack descriptor table, the
 * socket object every protocol shares, and the protocol operations table
 * (UDP and raw sockets; TCP plugs in the same way). Not a public header.
 *
 * Addresses inside a socket are always 16 bytes: IPv4 ones v4-mapped
 * (::ffff:a.b.c.d), the IPv4 wildcard as ::ffff:0.0.0.0, the IPv6
 * wildcard as ::. The socket's family only decides how they are shown
 * (sockaddr_in or sockaddr_in6) and which ones it may use (DS-1..DS-8). */
#ifndef DUET_SOCKET_SOCK_H
#define DUET_SOCKET_SOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <duet/pkt.h>
#include <duet/socket.h>

#include "core/stack_internal.h"
#include "net/hash_memo.h"
#include "net/ip6.h"

struct sock;
struct msghdr;

/* IPv4 memberships per socket (Linux's net.ipv4.igmp_max_memberships). */
#define SOCK_MAX_MEMBERSHIPS4 20u

/* One multicast membership of a socket (B-5): group (16 bytes, IPv4
 * v4-mapped) on one interface. */
struct sock_mship {
	uint8_t group[16];
	uint32_t ifindex;
};

/* What a received datagram carries besides its data, stored in the packet
 * buffer below the IP header while the datagram waits in a receive queue
 * (sock_meta_put / sock_meta_get). */
struct sock_meta {
	uint8_t src[16];         /* v4-mapped for IPv4 */
	uint8_t dst[16];
	uint32_t ifindex;
	uint32_t flow_label;
	uint16_t sport, dport;   /* host order */
	uint8_t hop_limit;       /* TTL for IPv4 */
	uint8_t tclass;          /* TOS for IPv4 */
	uint8_t is_v4;
	uint8_t ulp_len;         /* bytes of the upper-layer header before the
				  * data (8 for UDP, 0 for raw) */
	uint32_t hdr_len;        /* bytes from the IP header to the data (IP
				  * header, extension headers, upper-layer
				  * header), 0: not kept (a looped-back copy) */
};

/* Receive switches of the advanced API and of
 * IPv4: bits of sock.rxopt. */
enum {
	SOCK_RX_PKTINFO = 1u << 0,      /* IPV6_RECVPKTINFO */
	SOCK_RX_HOPLIMIT = 1u << 1,     /* IPV6_RECVHOPLIMIT */
	SOCK_RX_TCLASS = 1u << 2,       /* IPV6_RECVTCLASS */
	SOCK_RX_HOPOPTS = 1u << 3,      /* IPV6_RECVHOPOPTS */
	SOCK_RX_DSTOPTS = 1u << 4,      /* IPV6_RECVDSTOPTS */
	SOCK_RX_RTHDR = 1u << 5,        /* IPV6_RECVRTHDR */
	SOCK_RX_PATHMTU = 1u << 6,      /* IPV6_RECVPATHMTU */
	SOCK_RX_FLOWINFO = 1u << 7,     /* IPV6_FLOWINFO (Linux) */
	SOCK_RX_2292PKTINFO = 1u << 8,  /* the RFC 2292 spellings */
	SOCK_RX_2292HOPLIMIT = 1u << 9,
	SOCK_RX_2292HOPOPTS = 1u << 10,
	SOCK_RX_2292DSTOPTS = 1u << 11,
	SOCK_RX_2292RTHDR = 1u << 12,
	SOCK_RX_IP_PKTINFO = 1u << 13,  /* IP_PKTINFO */
	SOCK_RX_IP_TTL = 1u << 14,      /* IP_RECVTTL */
	SOCK_RX_IP_TOS = 1u << 15,      /* IP_RECVTOS */
};

/* What an outgoing datagram was asked to carry by the advanced API (RFC
 * 3542 §6): the socket's sticky options, overridden one by one by the
 * call's ancillary data. has says which fields hold a value; the others
 * may be unwritten, except ifindex, hlim, tclass and ext[].data, which
 * always are. */
enum {
	SOCK_TX_PKTINFO = 1u << 0,      /* src (:: none) and ifindex (0 none) */
	SOCK_TX_HOPLIMIT = 1u << 1,
	SOCK_TX_TCLASS = 1u << 2,
	SOCK_TX_NEXTHOP = 1u << 3,
	SOCK_TX_DONTFRAG = 1u << 4,
	SOCK_TX_IP_PKTINFO = 1u << 5,   /* src4 (0.0.0.0 none), ifindex4 */
	SOCK_TX_IP_TTL = 1u << 6,
	SOCK_TX_IP_TOS = 1u << 7,
	SOCK_TX_MINMTU = 1u << 8,       /* DUET_IPV6_USE_MIN_MTU */
	SOCK_TX_EXT = 1u << 9,          /* some ext[].data may be set (a hint:
					 * without it none is) */
};

struct sock_txopt {
	uint32_t has;
	uint8_t src[16];
	uint32_t ifindex;
	int hlim;                 /* -1: the socket's */
	int tclass;               /* -1: the socket's */
	int dontfrag;
	int minmtu;               /* -1, 0, 1 */
	uint8_t nexthop[16];
	uint32_t nexthop_scope;
	uint8_t src4[4];
	uint32_t ifindex4;
	int ttl4, tos4;
	/* Extension headers (NULL: none), as the application gave them: a
	 * Routing header lists the hops before the destination, which the
	 * output path moves to its end (RFC 3542 §7). */
	struct ip6_ext_buf ext[IP6_EXT__COUNT];
};

/* The sticky options of a socket (allocated when first set). */
struct sock_sticky {
	struct sock_txopt o;
	uint8_t *ext_own[IP6_EXT__COUNT]; /* the buffers behind o.ext */
};

/* A protocol's operations. Every hook gets the socket with the stack
 * single-threaded (the host lock held); errors are negative errnos. */
struct sock_proto {
	int type;                /* SOCK_DGRAM ... */
	int protocol;            /* IPPROTO_UDP ... */
	int (*bind)(struct sock *s, const uint8_t addr[16], uint16_t port, uint32_t scope);
	int (*connect)(struct sock *s, const uint8_t addr[16], uint16_t port, uint32_t scope);
	int (*disconnect)(struct sock *s);
	/* Sends len bytes gathered from iov to addr/port (NULL: the peer),
	 * with the advanced API's options tx (sticky and ancillary merged). */
	ssize_t (*sendmsg)(struct sock *s, const struct msghdr *msg, size_t len,
			   const uint8_t *addr, uint16_t port, uint32_t scope, int flags,
			   const struct sock_txopt *tx);
	/* Unhashes s. A protocol that must outlive the descriptor (a TCP
	 * connection closing) sets s->is_kept, and frees s later with
	 * sock_free(). */
	void (*close)(struct sock *s);
	/* The rest may be NULL (datagram sockets: the socket layer's own). */
	size_t obj_size;         /* bytes to allocate per socket (0: sizeof(struct sock)) */
	int (*listen)(struct sock *s, int backlog);
	/* A connection ready to be accepted (a socket without a descriptor),
	 * or -EAGAIN, -EINVAL (not listening). */
	int (*accept)(struct sock *s, struct sock **child);
	/* Stream receive: bytes copied, 0 at end of stream, -EAGAIN to wait. */
	ssize_t (*recvmsg)(struct sock *s, struct msghdr *msg, size_t len, int flags);
	short (*poll)(const struct sock *s);
	int (*shutdown)(struct sock *s, int how);
	/* Options this protocol answers itself: 1 when it does not. */
	int (*setopt)(struct sock *s, int level, int name, const void *val, socklen_t len);
	int (*getopt)(struct sock *s, int level, int name, void *val, socklen_t *len);
	/* Has a connect() in progress ended: 0 connected, a negative errno,
	 * or -EINPROGRESS (still going). */
	int (*connect_done)(struct sock *s);
	/* SO_LINGER with a time: is_start asks whether close should wait
	 * (and starts the orderly end); then whether it still should. */
	bool (*linger)(struct sock *s, bool is_start);
};

struct sock {
	struct duet_stack *stack;
	const struct sock_proto *proto;
	int fd;
	int family;               /* AF_INET or AF_INET6 */
	int type, protocol;
	struct duet_cred cred;    /* the creator's (B-9) */

	bool is_nonblock, is_cloexec;
	bool is_bound, is_connected;
	bool is_addr_user, is_port_user; /* bind() chose them (kept by disconnect) */
	bool is_shut_rd, is_shut_wr;
	bool is_v6only;
	bool is_reuseaddr, is_reuseport, is_broadcast, is_dontroute;
	bool is_mc_loop6, is_mc_loop4;
	bool is_recverr;          /* IP_RECVERR / IPV6_RECVERR: every error to SO_ERROR */
	bool is_keepalive;        /* SO_KEEPALIVE: kept for TCP (issue 6) */
	struct linger linger;     /* SO_LINGER: kept, closing never waits yet */
	int so_error;             /* a pending asynchronous error (positive errno) */

	uint32_t rcvbuf, sndbuf;  /* bytes, as SO_RCVBUF/SO_SNDBUF report them */
	uint64_t rcvtimeo_ns, sndtimeo_ns; /* 0: wait forever */

	uint8_t laddr[16];        /* bound address (wildcard until bound) */
	uint16_t lport;           /* host order, 0: none */
	uint32_t lscope;          /* the zone of a scoped laddr / the bound interface */
	uint8_t faddr[16];        /* peer of a connected socket */
	uint16_t fport;
	uint32_t fscope;
	uint8_t saddr[16];        /* source chosen at connect time */

	/* Basic IPv6 options (B-1..B-4, B-7) and the IPv4 ones. -1: default. */
	int16_t uc_hops, mc_hops, tclass;
	uint32_t mc_ifindex;      /* IPV6_MULTICAST_IF */
	uint8_t portrange;        /* DUET_IPV6_PORTRANGE_* */
	int16_t ttl, mc_ttl, tos;
	struct net_hash_memo out_memo; /* IPv4 ID / IPv6 flow label hash of the
					 * last peer sent to (net/hash_memo.h) */
	uint32_t mc4_ifindex;     /* IP_MULTICAST_IF */
	uint8_t mc4_addr[4];      /* IP_MULTICAST_IF given by address */

	/* The advanced API (A-1..A-10). */
	uint32_t rxopt;           /* SOCK_RX_* */
	struct sock_sticky *sticky; /* NULL: no sticky option set */
	struct {                  /* IPV6_RECVPATHMTU: the last notice not read */
		bool is_pending;
		uint8_t dst[16];
		uint32_t scope, mtu;
	} rxpmtu;
	/* Raw sockets (R-1..R-10). */
	int32_t csum_off;         /* IPV6_CHECKSUM: offset, -1 none (ICMPv6: 2) */
	uint32_t icmp6_filt[8];   /* ICMP6_FILTER: a set bit blocks the type */
	bool is_hdrincl;          /* IP_HDRINCL (IPv4) */
	int8_t dontfrag;          /* IPV6_DONTFRAG */
	int8_t use_min_mtu;       /* DUET_IPV6_USE_MIN_MTU: -1, 0, 1 */

	struct sock_mship *mships;
	uint32_t n_mships, cap_mships;

	struct duet_pktq rxq;     /* received datagrams (struct sock_meta inside) */
	uint32_t rx_bytes;        /* charged against rcvbuf */

	struct sock *hash_next;   /* the protocol's port table chain */
	bool is_kept;             /* closed by the application, kept by the
				   * protocol until it calls sock_free() */
	int evfd;                 /* duet_socket_eventfd(), -1: none */
	bool is_evfd_set;
};

/* The socket layer's per-stack state. */
struct sock_state {
	struct sock **fds;         /* [cap], by descriptor */
	uint32_t cap;
	uint32_t n_open;
	uint32_t first_free;       /* no free slot below this one */
	struct duet_cred cred;     /* for new sockets */
	void *udp;                 /* the UDP module's state (transport/udp.c) */
	void *raw;                 /* the raw sockets' (transport/raw.c) */
	void *tcp;                 /* TCP's (transport/tcp.c) */
	/* Knobs (S-3; socket/sysctl.c names them). */
	bool bindv6only;
	uint32_t max_sockets;
	uint16_t port_first, port_last, port_hifirst, port_hilast, port_lowfirst, port_lowlast;
	uint16_t reserved_high;    /* ports 1..reserved_high need superuser */
	uint8_t mc_hops6, mc_ttl4; /* default multicast hop limit / TTL */
	uint32_t rmem_default, rmem_max, wmem_default, wmem_max;
};

/* The first descriptor number (0-2 look like stdio; see socket.h). */
#define SOCK_FD_BASE 3

static inline struct sock_state *sock_state_of(const struct duet_stack *stack)
{
	return stack->sock;
}

static inline bool sock_addr_is_v4(const uint8_t a[16])
{
	static const uint8_t pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	return memcmp(a, pfx, 12) == 0;
}

static inline bool sock_addr_is_any6(const uint8_t a[16])
{
	static const uint8_t z[16];
	return memcmp(a, z, 16) == 0;
}

static inline bool sock_addr_is_any4(const uint8_t a[16])
{
	return sock_addr_is_v4(a) && !a[12] && !a[13] && !a[14] && !a[15];
}

/* Does a (non-v4-mapped) address need a zone: link-local unicast, or a
 * multicast group of interface- or link-local scope (RFC 4007 §6)? */
static inline bool sock_addr_needs_zone(const uint8_t a[16])
{
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return true;
	return a[0] == 0xff && (a[1] & 0x0f) <= 2;
}

/* The wildcard of the socket's family, v4-mapped for AF_INET. */
void sock_addr_wildcard(const struct sock *s, uint8_t out[16]);

static inline void sock_addr_map4(uint8_t out[16], const uint8_t v4[4])
{
	memset(out, 0, 10);
	out[10] = out[11] = 0xff;
	memcpy(out + 12, v4, 4);
}

/* Do two bound addresses overlap under the dual-stack rules (DS-4)? ::
 * with V6ONLY=0 covers every IPv6 and IPv4 address, :: with V6ONLY=1
 * every IPv6 one, ::ffff:0.0.0.0 every IPv4 one. */
bool sock_addr_overlap(const uint8_t *a, bool a_v6only, const uint8_t *b, bool b_v6only);

/* The ephemeral port range of s (B-7: IPV6_PORTRANGE), lo <= hi. */
void sock_port_range(const struct sock *s, uint16_t *lo, uint16_t *hi);

/* Socket lifecycle (sock.c). */
int sock_init(struct duet_stack *stack);
void sock_fini(struct duet_stack *stack);

/* A new socket of the given kind without a descriptor (a connection a
 * listener made), inheriting the options of parent (may be NULL).
 * Returns NULL when out of memory. */
struct sock *sock_alloc(struct duet_stack *stack, const struct sock_proto *proto, int family,
			int type, int protocol, const struct sock *parent);

/* Gives s (from sock_alloc) a descriptor. Returns it or -EMFILE / -ENOBUFS. */
int sock_install(struct sock *s);

/* Frees a socket without a descriptor (never installed, or kept past its
 * close). */
void sock_free(struct sock *s);

/* Queues a received datagram on s with its metadata (charged against
 * rcvbuf: a full queue drops it, counted). Takes pkt. Returns true if
 * queued. */
bool sock_rx_enqueue(struct sock *s, struct duet_pkt *pkt, const struct sock_meta *meta,
		     uint32_t nh_off);

/* Records an asynchronous error on s and wakes its waiters. */
void sock_set_error(struct sock *s, int err);

/* The socket's readiness now (POLLIN ...). */
short sock_poll_events(const struct sock *s);

/* Tells waiters and the socket's eventfd that s's readiness may have
 * changed (host runtime); a no-op in simulation. */
void sock_wake(struct sock *s);

/* The hop limit / TTL, traffic class / TOS of an outgoing datagram of s
 * to dst (v4-mapped: IPv4), -1 = the network layer's default (DS-8). */
int sock_out_hops(const struct sock *s, const uint8_t dst[16]);
uint8_t sock_out_tclass(const struct sock *s, const uint8_t dst[16]);

/* The interface a multicast datagram of s to group leaves by (0: none). */
uint32_t sock_mc_oif(const struct sock *s, const uint8_t group[16]);

/* --- the advanced API (socket/sockanc.c) --- */

/* Writes the ancillary data s asked for about a datagram (pkt with its
 * metadata m) into msg's control buffer, as Linux's put_cmsg: what does
 * not fit is cut and MSG_CTRUNC set. Sets msg_controllen to the bytes
 * written. */
void sock_cmsg_recv(struct sock *s, struct duet_pkt *pkt, const struct sock_meta *m,
		    struct msghdr *msg);

/* Reads msg's ancillary data for a datagram to dst (v4-mapped: IPv4)
 * over the socket's sticky options into tx. Returns 0 or a negative
 * errno (EINVAL for a malformed object, EPERM, ENODEV, EAFNOSUPPORT). */
int sock_cmsg_send(struct sock *s, const struct msghdr *msg, const uint8_t dst[16],
		   struct sock_txopt *tx);

/* setsockopt / getsockopt of the advanced IPv6 options (IPPROTO_IPV6).
 * -ENOPROTOOPT: not one of them. */
int sock_set_adv6(struct sock *s, int name, const void *val, socklen_t len);
int sock_get_adv6(struct sock *s, int name, void *val, socklen_t *len);

/* The receive switches of IPPROTO_IP (IP_PKTINFO, IP_RECVTTL, IP_RECVTOS);
 * -ENOPROTOOPT: not one of them. */
int sock_set_adv4(struct sock *s, int name, int v);
int sock_get_adv4(const struct sock *s, int name, int *v);

/* RFC 3542 §11.3: a path MTU notice for a socket with IPV6_RECVPATHMTU
 * (the newest replaces one not read yet), for the next recvmsg. */
void sock_path_mtu_notice(struct sock *s, const uint8_t dst[16], uint32_t scope, uint32_t mtu);

/* recvmsg's answer while a notice is pending: no data, the destination
 * as the name, an IPV6_PATHMTU object (ip6_mtuinfo). Returns 0. */
ssize_t sock_path_mtu_recv(struct sock *s, struct msghdr *msg, int flags);

/* Frees the sticky options (close). */
void sock_sticky_free(struct sock *s);

/* Leaves every group of s (close). */
void sock_mc_leave_all(struct sock *s);

#endif
