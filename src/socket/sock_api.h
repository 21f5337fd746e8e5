/* duet — what the socket layer's files share among themselves: locking
 * around each public call, descriptor lookup, sockaddr conversion, the
 * receive queue's pop. Not a public header. */
#ifndef DUET_SOCKET_SOCK_API_H
#define DUET_SOCKET_SOCK_API_H

#include "socket/sock.h"

/* A destination or local address taken from a sockaddr. */
struct sock_sa {
	uint8_t addr[16];      /* v4-mapped for IPv4 */
	uint16_t port;         /* host order */
	uint32_t scope;
	bool is_v4_given;      /* it came as a sockaddr_in */
};

/* Takes the host lock when a runtime drives the stack. */
static inline void sock_enter(struct duet_stack *stack)
{
	if (stack->rt)
		stack->rt->lock(stack->rt->ctx);
}

static inline void sock_leave(struct duet_stack *stack)
{
	if (stack->rt)
		stack->rt->unlock(stack->rt->ctx);
}

/* Sleeps until woken or deadline. Returns 0 to look again, or -EAGAIN:
 * nothing to wait with (simulation) or the deadline passed. */
int sock_wait(struct duet_stack *stack, uint64_t deadline_ns);

/* The deadline timeo_ns (SO_RCVTIMEO / SO_SNDTIMEO, 0: none) from now. */
uint64_t sock_deadline(struct duet_stack *stack, uint64_t timeo_ns);

/* r < 0: errno = -r, -1; else r. */
int sock_ret(int r);

/* The open socket behind fd, or NULL. */
struct sock *sock_get(struct duet_stack *stack, int fd);

/* Closes and frees s. */
void sock_destroy(struct sock *s);

/* Reads a sockaddr given to bind (is_bind), connect or sendto by a socket
 * of s's family (an AF_INET6 socket also takes a sockaddr_in outside bind,
 * as Linux). Returns 0, -EFAULT, -EINVAL (short) or -EAFNOSUPPORT. */
int sock_sa_in(const struct sock *s, const struct sockaddr *sa, socklen_t len, bool is_bind,
	       struct sock_sa *out);

/* Writes addr/port in s's family to sa (cut to cap bytes); returns the
 * full length. */
socklen_t sock_sa_out(const struct sock *s, const uint8_t addr[16], uint16_t port, uint32_t scope,
		      struct sockaddr *sa, socklen_t cap);

/* getsockopt's copy out, as Linux's: at most *len bytes of src (size
 * bytes) to val, *len set to what was copied. Return 0. */
int sock_out_buf(const void *src, socklen_t size, void *val, socklen_t *len);
int sock_out_int(int v, void *val, socklen_t *len);

/* Takes the first queued datagram (or, with is_peek, looks at it) and its
 * metadata; NULL when none. */
struct duet_pkt *sock_rx_pop(struct sock *s, struct sock_meta *meta, bool is_peek);

#endif
