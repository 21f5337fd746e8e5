/* duet — the output path datagram sockets share (transport/dgram.c):
 * UDP and raw sockets prepare a datagram's addresses and header fields
 * here, build their own header and checksum, and emit it. Not a public
 * header. */
#ifndef DUET_TRANSPORT_DGRAM_H
#define DUET_TRANSPORT_DGRAM_H

#include "socket/sock_api.h"

#include <sys/uio.h>

/* How one datagram leaves. Filled by dgram_prepare; the caller's. first,
 * ext and rt_wire are written only when a header needs them (has_ext). */
struct dgram_out {
	uint8_t src[16];            /* the source (v4-mapped for IPv4) */
	uint8_t final[16];          /* the destination: the checksum's */
	uint8_t first[16];          /* a Routing header's first hop */
	const uint8_t *dst;         /* where it goes first: final or first */
	uint32_t oif;
	int hops;                   /* -1: the network layer's default */
	uint8_t tclass;
	bool is_v4, is_group, is_dontfrag, is_min_mtu, has_ext;
	const uint8_t *nexthop;     /* IPV6_NEXTHOP, NULL: the route's */
	struct ip6_ext_buf ext[IP6_EXT__COUNT];
	uint8_t rt_wire[2048];      /* the Routing header as sent */
};

/* The source s would use towards dst (v4-mapped for IPv4) out of oif (0:
 * the route's): the bound one, else RFC 6724's / the interface's.
 * Returns 0, -ENETUNREACH or -EADDRNOTAVAIL. */
int dgram_route_source(const struct sock *s, const uint8_t dst[16], uint32_t oif,
		       uint8_t src[16]);

/* Is dst (IPv4) the limited broadcast or the directed broadcast of the
 * interface the route (or oif) leads to? */
bool dgram_is_bcast4(struct duet_stack *stack, const uint8_t dst[4], uint32_t oif);

/* Chooses everything but the payload of a datagram of s to dst/port
 * (scope: the sockaddr's) with the advanced API's options tx and the
 * send flags (MSG_DONTROUTE). Returns 0 or a negative errno: EINVAL,
 * ENETUNREACH, EHOSTUNREACH (IPV6_NEXTHOP not on-link), EADDRNOTAVAIL. */
int dgram_prepare(struct sock *s, const struct sock_txopt *tx, const uint8_t dst[16],
		  uint16_t port, uint32_t scope, int flags, struct dgram_out *o);

/* Sends pkt (the upper-layer message of protocol proto, checksum set) as
 * o says; flow_key tells this flow from others for the IPv6 flow label.
 * Takes pkt. An IPV6_DONTFRAG datagram over the path MTU gives EMSGSIZE
 * and an IPV6_RECVPATHMTU notice. Returns 0 or ip4_output's /
 * ip6_output's errno. */
int dgram_emit(struct sock *s, struct duet_pkt *pkt, const struct dgram_out *o, uint8_t proto,
	       uint32_t flow_key);

/* Copies len bytes of msg's buffers to out (inline: one memcpy for the
 * common single buffer). */
static inline void dgram_copy_iov(uint8_t *out, const struct msghdr *msg, size_t len)
{
	size_t i, off = 0;

	for (i = 0; off < len && i < (size_t)msg->msg_iovlen; i++) {
		size_t n = msg->msg_iov[i].iov_len;
		if (n > len - off)
			n = len - off;
		memcpy(out + off, msg->msg_iov[i].iov_base, n);
		off += n;
	}
}

#endif
