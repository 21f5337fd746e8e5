/* duet — the data calls of the socket API (S-1, S-2): send / sendto /
 * sendmsg, recv / recvfrom / recvmsg with MSG_PEEK, MSG_TRUNC and
 * MSG_DONTWAIT, and poll / select. In simulation nothing waits; under the
 * host runtime blocking sockets sleep on the runtime's condition until
 * woken or until SO_RCVTIMEO / the poll timeout. */
#include "socket/sock_api.h"

#include <duet/addr.h>
#include <duet/clock.h>

#include <errno.h>
#include <limits.h>
#include <sys/uio.h>

#define SOCK_IOV_MAX 1024 /* Linux's UIO_MAXIOV */

int sock_wait(struct duet_stack *stack, uint64_t deadline_ns)
{
	if (!stack->rt)
		return -EAGAIN;
	return stack->rt->wait(stack->rt->ctx, deadline_ns) == -ETIMEDOUT ? -EAGAIN : 0;
}

uint64_t sock_deadline(struct duet_stack *stack, uint64_t timeo_ns)
{
	return timeo_ns ? duet_stack_now(stack) + timeo_ns : DUET_TIME_NEVER;
}

static int sock_check_msg(const struct msghdr *msg, size_t *total)
{
	size_t i, n = 0;

	if (!msg)
		return -EFAULT;
	if (msg->msg_iovlen > SOCK_IOV_MAX)
		return -EMSGSIZE;
	if (msg->msg_iovlen && !msg->msg_iov)
		return -EFAULT;
	for (i = 0; i < (size_t)msg->msg_iovlen; i++) {
		if (msg->msg_iov[i].iov_len && !msg->msg_iov[i].iov_base)
			return -EFAULT;
		if (msg->msg_iov[i].iov_len > (size_t)SSIZE_MAX - n)
			return -EINVAL;
		n += msg->msg_iov[i].iov_len;
	}
	*total = n;
	return 0;
}

/* The destination of a send: none (the peer), or the address given, read
 * as Linux's udp_sendmsg / udpv6_sendmsg do. */
static int sock_send_dst(const struct sock *s, const struct msghdr *msg, struct sock_sa *a,
			 bool *has)
{
	const struct sockaddr *sa = msg->msg_name;

	*has = false;
	if (!sa || !msg->msg_namelen)
		return 0;
	if (msg->msg_namelen < (socklen_t)sizeof(sa_family_t))
		return -EINVAL;
	if (s->family == AF_INET6) {
		if (sa->sa_family == AF_UNSPEC)
			return 0;
		if (sa->sa_family != AF_INET6 && sa->sa_family != AF_INET)
			return -EINVAL;
	}
	*has = true;
	return sock_sa_in(s, sa, msg->msg_namelen, false, a);
}

/* rest: msg's buffers without their first done bytes (in iov). */
static void sock_iov_rest(const struct msghdr *msg, size_t done, struct msghdr *rest,
			  struct iovec *iov)
{
	size_t i, skip = done;

	rest->msg_iov = iov;
	rest->msg_iovlen = 0;
	for (i = 0; i < (size_t)msg->msg_iovlen; i++) {
		const struct iovec *v = &msg->msg_iov[i];
		if (skip >= v->iov_len) {
			skip -= v->iov_len;
			continue;
		}
		iov[rest->msg_iovlen].iov_base = (uint8_t *)v->iov_base + skip;
		iov[rest->msg_iovlen++].iov_len = v->iov_len - skip;
		skip = 0;
	}
}

/* A stream send (TCP): no destination (EISCONN for one, as Linux, unless
 * it is the peer's), no ancillary data (A-8: EINVAL), and a blocking
 * socket waits for room until every byte is queued, SO_SNDTIMEO expires
 * or an error ends it (then what was queued is returned, as Linux). */
static ssize_t sock_send_stream(struct duet_stack *stack, int fd, const struct msghdr *msg,
				int flags)
{
	struct iovec iov_rest[SOCK_IOV_MAX];
	struct msghdr rest;
	uint64_t deadline = 0;
	bool is_first = true;
	size_t len, done = 0;
	struct sock *s = sock_get(stack, fd);
	int err = sock_check_msg(msg, &len);

	if (!s)
		return -EBADF;
	if (err)
		return err;
	if (msg->msg_controllen)
		return -EINVAL; /* */
	if (flags & MSG_OOB)
		return -EOPNOTSUPP; /* no urgent data (docs/FEATURES.md) */
	rest = *msg;
	for (;;) {
		ssize_t r = s->proto->sendmsg(s, &rest, len - done, NULL, 0, 0, flags, NULL);

		if (r > 0)
			done += (size_t)r;
		if (done == len || (r < 0 && r != -EAGAIN))
			return done ? (ssize_t)done : r;
		if (s->is_nonblock || (flags & MSG_DONTWAIT))
			return done ? (ssize_t)done : -EAGAIN;
		if (is_first) {
			deadline = sock_deadline(stack, s->sndtimeo_ns);
			is_first = false;
		}
		if (r > 0)
			sock_iov_rest(msg, done, &rest, iov_rest);
		if (sock_wait(stack, deadline))
			return done ? (ssize_t)done : -EAGAIN;
		s = sock_get(stack, fd);
		if (!s)
			return done ? (ssize_t)done : -EBADF;
	}
}

static ssize_t sock_sendmsg(struct sock *s, const struct msghdr *msg, int flags)
{
	struct sock_txopt tx;
	struct sock_sa a;
	size_t len;
	bool has;
	int err = sock_check_msg(msg, &len);

	if (err)
		return err;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	err = sock_send_dst(s, msg, &a, &has);
	if (err)
		return err;
	if (s->is_shut_wr)
		return -EPIPE;
	if (s->so_error) {
		err = s->so_error;
		s->so_error = 0;
		sock_wake(s);
		return -err;
	}
	if (has || s->is_connected) { /* else EDESTADDRREQ, before the control data */
		err = sock_cmsg_send(s, msg, has ? a.addr : s->faddr, &tx);
		if (err)
			return err;
	} else {
		tx.has = 0; /* EDESTADDRREQ follows: nothing else is read */
		tx.ifindex = 0;
	}
	if (has && !a.is_v4_given && sock_addr_needs_zone(a.addr) && !duet_addr6_is_multicast(a.addr) &&
	    !a.scope && !s->lscope && !tx.ifindex)
		return -EINVAL; /* a link-local peer needs its zone */
	return s->proto->sendmsg(s, msg, len, has ? a.addr : NULL, a.port, a.scope, flags, &tx);
}

ssize_t duet_sendmsg(struct duet_stack *stack, int fd, const struct msghdr *msg, int flags)
{
	struct sock *s;
	ssize_t r;

	sock_enter(stack);
	s = sock_get(stack, fd);
	if (s && s->type == SOCK_STREAM)
		r = sock_send_stream(stack, fd, msg, flags);
	else
		r = s ? sock_sendmsg(s, msg, flags) : -EBADF;
	sock_leave(stack);
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

ssize_t duet_sendto(struct duet_stack *stack, int fd, const void *buf, size_t len, int flags,
		    const struct sockaddr *to, socklen_t tolen)
{
	struct iovec iov = { (void *)buf, len };
	struct msghdr msg;

	memset(&msg, 0, sizeof(msg));
	msg.msg_name = (void *)to;
	msg.msg_namelen = to ? tolen : 0;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	return duet_sendmsg(stack, fd, &msg, flags);
}

ssize_t duet_send(struct duet_stack *stack, int fd, const void *buf, size_t len, int flags)
{
	return duet_sendto(stack, fd, buf, len, flags, NULL, 0);
}

/* Copies a datagram out to the caller's buffers; returns the bytes copied. */
static size_t sock_copy_out(const struct duet_pkt *pkt, struct msghdr *msg)
{
	const uint8_t *data = pkt->buf + pkt->head;
	size_t i, off = 0;

	for (i = 0; off < pkt->len && i < (size_t)msg->msg_iovlen; i++) {
		size_t n = msg->msg_iov[i].iov_len;
		if (n > pkt->len - off)
			n = pkt->len - off;
		memcpy(msg->msg_iov[i].iov_base, data + off, n);
		off += n;
	}
	return off;
}

/* One attempt: a pending error, a datagram, end of file, or -EAGAIN. */
static ssize_t sock_recv_once(struct sock *s, struct msghdr *msg, int flags)
{
	struct sock_meta m;
	struct duet_pkt *pkt;
	size_t n, full;

	if (s->so_error) {
		int err = s->so_error;
		s->so_error = 0;
		sock_wake(s);
		return -err;
	}
	if (s->rxpmtu.is_pending && (s->rxopt & SOCK_RX_PATHMTU))
		return sock_path_mtu_recv(s, msg, flags);
	pkt = sock_rx_pop(s, &m, (flags & MSG_PEEK) != 0);
	if (!pkt)
		return s->is_shut_rd ? 0 : -EAGAIN;
	full = pkt->len;
	n = sock_copy_out(pkt, msg);
	msg->msg_flags = n < full ? MSG_TRUNC : 0;
	if (msg->msg_name) {
		socklen_t cap = msg->msg_namelen;
		msg->msg_namelen = sock_sa_out(s, m.src, m.sport, m.ifindex, msg->msg_name, cap);
	} else {
		msg->msg_namelen = 0;
	}
	if (s->rxopt)
		sock_cmsg_recv(s, pkt, &m, msg);
	else
		msg->msg_controllen = 0;
	if (!(flags & MSG_PEEK))
		duet_pkt_free(pkt);
	return (ssize_t)(flags & MSG_TRUNC ? full : n);
}

/* A stream receive (TCP): no name, no control data; a blocking
 * socket waits for data, and with MSG_WAITALL for all of len (or end of
 * stream, an error, a signal of SO_RCVTIMEO). */
static ssize_t sock_recv_stream(struct duet_stack *stack, int fd, struct msghdr *msg, size_t len,
				int flags)
{
	struct iovec iov_rest[SOCK_IOV_MAX];
	struct msghdr rest;
	uint64_t deadline = 0;
	bool is_first = true;
	size_t done = 0;
	struct sock *s;

	msg->msg_namelen = 0;
	msg->msg_controllen = 0;
	msg->msg_flags = 0;
	if (flags & MSG_OOB)
		return -EINVAL; /* Linux: no urgent data waiting */
	rest = *msg;
	for (;;) {
		ssize_t r;

		s = sock_get(stack, fd);
		if (!s)
			return done ? (ssize_t)done : -EBADF;
		r = s->proto->recvmsg(s, &rest, len - done, flags);
		if (r > 0)
			done += (size_t)r;
		if (r == 0 || (r < 0 && r != -EAGAIN) || done == len || (flags & MSG_PEEK) ||
		    (done && !(flags & MSG_WAITALL)))
			return done ? (ssize_t)done : r;
		if (s->is_nonblock || (flags & MSG_DONTWAIT))
			return done ? (ssize_t)done : -EAGAIN;
		if (is_first) {
			deadline = sock_deadline(stack, s->rcvtimeo_ns);
			is_first = false;
		}
		if (r > 0)
			sock_iov_rest(msg, done, &rest, iov_rest);
		if (sock_wait(stack, deadline))
			return done ? (ssize_t)done : -EAGAIN;
	}
}

static ssize_t sock_recvmsg(struct duet_stack *stack, int fd, struct msghdr *msg, int flags)
{
	uint64_t deadline = 0;
	bool is_first = true;
	size_t len;
	ssize_t r;
	int err = sock_check_msg(msg, &len);

	if (err)
		return sock_get(stack, fd) ? err : -EBADF;
	for (;;) {
		struct sock *s = sock_get(stack, fd);
		if (!s)
			return -EBADF;
		if (flags & MSG_ERRQUEUE)
			return -EAGAIN; /* errors go to SO_ERROR: no error queue (docs/FEATURES.md) */
		if (s->proto->recvmsg)
			return sock_recv_stream(stack, fd, msg, len, flags);
		r = sock_recv_once(s, msg, flags);
		if (r != -EAGAIN || s->is_nonblock || (flags & MSG_DONTWAIT))
			return r;
		if (is_first) {
			deadline = sock_deadline(stack, s->rcvtimeo_ns);
			is_first = false;
		}
		if (sock_wait(stack, deadline))
			return -EAGAIN;
	}
}

ssize_t duet_recvmsg(struct duet_stack *stack, int fd, struct msghdr *msg, int flags)
{
	ssize_t r;

	sock_enter(stack);
	r = sock_recvmsg(stack, fd, msg, flags);
	sock_leave(stack);
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

ssize_t duet_recvfrom(struct duet_stack *stack, int fd, void *buf, size_t len, int flags,
		      struct sockaddr *from, socklen_t *fromlen)
{
	struct iovec iov = { buf, len };
	struct msghdr msg;
	ssize_t r;

	if (from && !fromlen) {
		errno = EFAULT;
		return -1;
	}
	memset(&msg, 0, sizeof(msg));
	msg.msg_name = from;
	msg.msg_namelen = from ? *fromlen : 0;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	r = duet_recvmsg(stack, fd, &msg, flags);
	if (r >= 0 && from)
		*fromlen = msg.msg_namelen;
	return r;
}

ssize_t duet_recv(struct duet_stack *stack, int fd, void *buf, size_t len, int flags)
{
	return duet_recvfrom(stack, fd, buf, len, flags, NULL, NULL);
}

/* --- poll and select ----------------------------------------------------- */

static int sock_poll_scan(struct duet_stack *stack, struct pollfd *fds, nfds_t nfds)
{
	int n = 0;
	nfds_t i;

	for (i = 0; i < nfds; i++) {
		const struct sock *s;
		fds[i].revents = 0;
		if (fds[i].fd < 0)
			continue;
		s = sock_get(stack, fds[i].fd);
		if (!s)
			fds[i].revents = POLLNVAL;
		else
			fds[i].revents = (short)(sock_poll_events(s) &
						 (fds[i].events | POLLERR | POLLHUP));
		if (fds[i].revents)
			n++;
	}
	return n;
}

static int sock_poll(struct duet_stack *stack, struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
	uint64_t deadline = timeout_ms < 0 ? DUET_TIME_NEVER
					   : duet_stack_now(stack) +
						     (uint64_t)timeout_ms * 1000000ull;
	int n;

	if (nfds > stack->sock->max_sockets + 64u)
		return -EINVAL;
	if (nfds && !fds)
		return -EFAULT;
	for (;;) {
		n = sock_poll_scan(stack, fds, nfds);
		if (n || timeout_ms == 0 || sock_wait(stack, deadline))
			return n ? n : sock_poll_scan(stack, fds, nfds);
	}
}

int duet_poll(struct duet_stack *stack, struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
	int r;

	sock_enter(stack);
	r = sock_poll(stack, fds, nfds, timeout_ms);
	sock_leave(stack);
	return sock_ret(r);
}

/* One pass of select over the three sets (in: the asked-for bits; out:
 * the ready ones). Returns the count or -EBADF. */
static int sock_select_scan(struct duet_stack *stack, int nfds, const fd_set *in_rd,
			    const fd_set *in_wr, const fd_set *in_ex, fd_set *rd, fd_set *wr,
			    fd_set *ex)
{
	int fd, n = 0;

	for (fd = 0; fd < nfds; fd++) {
		bool r = in_rd && FD_ISSET(fd, in_rd), w = in_wr && FD_ISSET(fd, in_wr);
		bool x = in_ex && FD_ISSET(fd, in_ex);
		const struct sock *s;
		short ev;

		if (!r && !w && !x)
			continue;
		s = sock_get(stack, fd);
		if (!s)
			return -EBADF;
		ev = sock_poll_events(s);
		if (r && (ev & (POLLIN | POLLHUP | POLLERR)))
			FD_SET(fd, rd), n++;
		if (w && (ev & (POLLOUT | POLLERR)))
			FD_SET(fd, wr), n++;
		(void)ex; /* no out-of-band data on datagram sockets */
	}
	return n;
}

static void sock_fd_zero3(fd_set *a, fd_set *b, fd_set *c)
{
	FD_ZERO(a);
	FD_ZERO(b);
	FD_ZERO(c);
}

static int sock_select(struct duet_stack *stack, int nfds, fd_set *rd, fd_set *wr, fd_set *ex,
		       struct timeval *tv)
{
	fd_set in_rd, in_wr, in_ex, o_rd, o_wr, o_ex;
	uint64_t deadline = DUET_TIME_NEVER;
	int n;

	if (nfds < 0 || nfds > FD_SETSIZE)
		return -EINVAL;
	if (tv && (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000))
		return -EINVAL;
	if (tv)
		deadline = duet_stack_now(stack) + (uint64_t)tv->tv_sec * 1000000000ull +
			   (uint64_t)tv->tv_usec * 1000ull;
	FD_ZERO(&in_rd);
	FD_ZERO(&in_wr);
	FD_ZERO(&in_ex);
	if (rd)
		in_rd = *rd;
	if (wr)
		in_wr = *wr;
	if (ex)
		in_ex = *ex;
	for (;;) {
		sock_fd_zero3(&o_rd, &o_wr, &o_ex);
		n = sock_select_scan(stack, nfds, rd ? &in_rd : NULL, wr ? &in_wr : NULL,
				     ex ? &in_ex : NULL, &o_rd, &o_wr, &o_ex);
		if (n < 0)
			return n;
		if (n || (tv && !tv->tv_sec && !tv->tv_usec))
			break;
		if (sock_wait(stack, deadline)) {
			sock_fd_zero3(&o_rd, &o_wr, &o_ex);
			n = sock_select_scan(stack, nfds, rd ? &in_rd : NULL, wr ? &in_wr : NULL,
					     ex ? &in_ex : NULL, &o_rd, &o_wr, &o_ex);
			if (n < 0)
				return n;
			break;
		}
	}
	if (rd)
		*rd = o_rd;
	if (wr)
		*wr = o_wr;
	if (ex)
		*ex = o_ex;
	return n;
}

int duet_select(struct duet_stack *stack, int nfds, fd_set *rd, fd_set *wr, fd_set *ex,
		struct timeval *timeout)
{
	int r;

	sock_enter(stack);
	r = sock_select(stack, nfds, rd, wr, ex, timeout);
	sock_leave(stack);
	return sock_ret(r);
}
