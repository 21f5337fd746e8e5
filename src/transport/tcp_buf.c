/* duet — TCP's byte rings: a send ring (the application's bytes from the
 * first unacknowledged one) and a receive ring (bytes not yet read, then
 * out-of-order bytes in their places). A ring has no buffer until it first
 * holds data and grows by doubling up to its maximum, so an idle
 * connection costs no buffer memory and a bulk one a buffer the size its
 * window needs. One copy in, one copy out. */
#include "transport/tcp_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/uio.h>

int tcp_ring_reserve(struct tcp_ring *r, uint32_t end, struct tcp_ring_cache *c)
{
	uint32_t cap;
	uint8_t *nb;

	if (end <= r->cap)
		return 0;
	if (end > r->max)
		return -ENOMEM;
	if (!r->cap && end <= TCP_RING_MIN && c->n) {
		/* The common small ring: from the stack's cache, no malloc. */
		r->buf = c->bufs[--c->n];
		r->cap = TCP_RING_MIN;
		r->head = 0;
		return 0;
	}
	cap = r->cap ? r->cap : TCP_RING_MIN;
	while (cap < end)
		cap *= 2;
	nb = malloc(cap);
	if (!nb)
		return -ENOMEM;
	if (r->buf) {
		/* Unwrap: everything up to the old capacity may be in use
		 * (out-of-order bytes past len included). */
		uint32_t first = r->cap - r->head;
		memcpy(nb, r->buf + r->head, first);
		memcpy(nb + first, r->buf, r->head);
		free(r->buf);
	}
	r->buf = nb;
	r->cap = cap;
	r->head = 0;
	return 0;
}

void tcp_ring_write(struct tcp_ring *r, uint32_t off, const uint8_t *p, uint32_t n)
{
	uint32_t pos = (r->head + off) & (r->cap - 1);
	uint32_t first = r->cap - pos < n ? r->cap - pos : n;

	memcpy(r->buf + pos, p, first);
	if (n > first)
		memcpy(r->buf, p + first, n - first);
}

void tcp_ring_read(const struct tcp_ring *r, uint32_t off, uint8_t *p, uint32_t n)
{
	uint32_t pos = (r->head + off) & (r->cap - 1);
	uint32_t first = r->cap - pos < n ? r->cap - pos : n;

	memcpy(p, r->buf + pos, first);
	if (n > first)
		memcpy(p + first, r->buf, n - first);
}

uint32_t tcp_ring_append_iov(struct tcp_ring *r, const struct msghdr *msg, uint32_t n,
			     struct tcp_ring_cache *c)
{
	uint32_t room = r->max > r->len ? r->max - r->len : 0, done = 0;
	size_t i;

	if (n > room)
		n = room;
	if (!n || tcp_ring_reserve(r, r->len + n, c) != 0) {
		/* Grow as far as memory allows: fall back to what is there. */
		if (!n || r->cap <= r->len)
			return 0;
		n = r->cap - r->len;
	}
	for (i = 0; done < n && i < (size_t)msg->msg_iovlen; i++) {
		uint32_t k = msg->msg_iov[i].iov_len < n - done ? (uint32_t)msg->msg_iov[i].iov_len
								 : n - done;
		tcp_ring_write(r, r->len + done, msg->msg_iov[i].iov_base, k);
		done += k;
	}
	r->len += done;
	return done;
}

uint32_t tcp_ring_read_iov(const struct tcp_ring *r, struct msghdr *msg, uint32_t n)
{
	uint32_t done = 0;
	size_t i;

	if (n > r->len)
		n = r->len;
	for (i = 0; done < n && i < (size_t)msg->msg_iovlen; i++) {
		uint32_t k = msg->msg_iov[i].iov_len < n - done ? (uint32_t)msg->msg_iov[i].iov_len
								 : n - done;
		tcp_ring_read(r, done, msg->msg_iov[i].iov_base, k);
		done += k;
	}
	return done;
}

void tcp_ring_consume(struct tcp_ring *r, uint32_t n)
{
	if (n > r->len)
		n = r->len;
	r->len -= n;
	if (r->cap)
		r->head = (r->head + n) & (r->cap - 1);
}

void tcp_ring_free(struct tcp_ring *r, struct tcp_ring_cache *c)
{
	if (r->cap == TCP_RING_MIN && c && c->n < TCP_RING_CACHE_MAX)
		c->bufs[c->n++] = r->buf;
	else
		free(r->buf);
	r->buf = NULL;
	r->cap = r->head = r->len = 0;
}

void tcp_ring_cache_drain(struct tcp_ring_cache *c)
{
	while (c->n)
		free(c->bufs[--c->n]);
}
