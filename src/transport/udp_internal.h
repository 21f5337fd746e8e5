/* duet — what udp.c and udp_output.c share. Not a public header. */
#ifndef DUET_TRANSPORT_UDP_INTERNAL_H
#define DUET_TRANSPORT_UDP_INTERNAL_H

#include "socket/sock_api.h"
#include "transport/udp.h"

/* Port table buckets (a power of two), chained by sock.hash_next. */
#define UDP_BUCKETS 1024u

struct udp_state {
	struct sock *buckets[UDP_BUCKETS];
};

static inline struct udp_state *udp_state_of(const struct duet_stack *stack)
{
	return (struct udp_state *)stack->sock->udp;
}

/* Binds s to an ephemeral port on its family's wildcard if it is not
 * bound yet. Returns 0 or -EAGAIN (the range is full). */
int udp_autobind(struct sock *s);

/* Hands a datagram (data at its payload, metadata filled) to the socket(s)
 * it is for: to one for unicast, to every matching one for a group
 * (is_group). nh_off: where its IP header sits in pkt->buf. Returns false,
 * pkt untouched, when no socket takes it. */
bool udp_input_meta(struct duet_stack *stack, struct duet_pkt *pkt, const struct sock_meta *m,
		    uint32_t nh_off, bool is_group);

/* The proto sendmsg hook (udp_output.c). */
ssize_t udp_sendmsg(struct sock *s, const struct msghdr *msg, size_t len, const uint8_t *addr,
		    uint16_t port, uint32_t scope, int flags, const struct sock_txopt *tx);

#endif
