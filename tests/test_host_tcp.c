/* duet tests — TCP under the host runtime (S-2, S-1, T-2): blocking
 * accept, connect, send and recv across application threads over the
 * stack's loopback (::1 and 127.0.0.1), a transfer larger than both
 * buffers so senders block for room, MSG_WAITALL, SO_RCVTIMEO on accept,
 * and a non-blocking connect finished under poll. */
#include "check.h"

#include <duet/host.h>
#include <duet/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#define XFER (8u << 20) /* bytes each way: several times the 1 MiB buffers */

static socklen_t lo_sa(int fam, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (fam == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		a->sin6_addr = in6addr_loopback;
		return sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof(*a);
	}
}

static uint8_t pattern(size_t i)
{
	return (uint8_t)((i * 131u) ^ (i >> 9));
}

struct srv_job {
	struct duet_stack *s;
	int lfd;
	size_t got;
	int bad, err;
};

/* The server: accept (blocking), read everything with MSG_WAITALL in big
 * pieces, check it, send it back, close. */
static void *srv_thread(void *arg)
{
	struct srv_job *j = arg;
	static uint8_t buf[1 << 16];
	int c = duet_accept(j->s, j->lfd, NULL, NULL);
	size_t i;

	if (c < 0) {
		j->err = errno;
		return NULL;
	}
	while (j->got < XFER) {
		size_t want = XFER - j->got < sizeof(buf) ? XFER - j->got : sizeof(buf);
		ssize_t n = duet_recv(j->s, c, buf, want, MSG_WAITALL);
		if (n <= 0) {
			j->err = n < 0 ? errno : EPIPE;
			break;
		}
		for (i = 0; i < (size_t)n; i++)
			j->bad += buf[i] != pattern(j->got + i);
		if (duet_send(j->s, c, buf, (size_t)n, 0) != n) {
			j->err = errno;
			break;
		}
		j->got += (size_t)n;
	}
	duet_close(j->s, c);
	return NULL;
}

/* S-2, T-2: blocking connect / accept / send / recv between two threads,
 * both families through lo; everything arrives, in order, both ways. */
TEST(host_tcp_blocking_transfer_both_families)
{
	static uint8_t out[XFER], back[XFER];
	struct duet_host *h;
	struct duet_stack *s;
	int fam[2] = { AF_INET6, AF_INET }, k;
	size_t i;

	for (i = 0; i < XFER; i++)
		out[i] = pattern(i);
	CHECK_EQ(duet_host_create(NULL, &h), 0);
	s = duet_host_stack(h);
	CHECK_EQ(duet_host_start(h), 0);
	for (k = 0; k < 2; k++) {
		struct sockaddr_storage ss;
		socklen_t len = lo_sa(fam[k], (uint16_t)(6100 + k), &ss);
		struct srv_job j = { s, -1, 0, 0, 0 };
		pthread_t t;
		size_t sent = 0, got = 0;
		int c;

		j.lfd = duet_socket(s, fam[k], SOCK_STREAM, 0);
		CHECK(j.lfd >= 3);
		CHECK_EQ(duet_bind(s, j.lfd, (struct sockaddr *)&ss, len), 0);
		CHECK_EQ(duet_listen(s, j.lfd, 4), 0);
		CHECK_EQ(pthread_create(&t, NULL, srv_thread, &j), 0);
		c = duet_socket(s, fam[k], SOCK_STREAM, 0);
		CHECK_EQ(duet_connect(s, c, (struct sockaddr *)&ss, len), 0);
		/* Interleave: send a piece (blocking for room), read what came back. */
		while (got < XFER) {
			if (sent < XFER) {
				size_t n = XFER - sent < 300000 ? XFER - sent : 300000;
				ssize_t r = duet_send(s, c, out + sent, n, 0);
				CHECK_EQ(r, (ssize_t)n);
				if (r <= 0)
					break;
				sent += (size_t)r;
			}
			for (;;) {
				ssize_t r = duet_recv(s, c, back + got, XFER - got,
						      sent < XFER ? MSG_DONTWAIT : 0);
				if (r <= 0)
					break;
				got += (size_t)r;
			}
		}
		CHECK_EQ(got, (size_t)XFER);
		CHECK(memcmp(out, back, XFER) == 0);
		CHECK_EQ(pthread_join(t, NULL), 0);
		CHECK_EQ(j.err, 0);
		CHECK_EQ(j.bad, 0);
		CHECK_EQ(j.got, (size_t)XFER);
		/* The server closed: end of file. */
		CHECK_EQ(duet_recv(s, c, back, 16, 0), 0);
		CHECK_EQ(duet_close(s, c), 0);
		CHECK_EQ(duet_close(s, j.lfd), 0);
	}
	/* The window we offered always fitted the ring behind it. */
	CHECK_EQ(duet_stack_counter(s, DUET_CTR_DROP_TCP_RCVBUF), 0);
	duet_host_stop(h);
	duet_host_destroy(h);
}

/* S-1, S-2: SO_RCVTIMEO bounds a blocking accept (EAGAIN); a
 * non-blocking connect gives EINPROGRESS, and poll reports it writable
 * once the handshake is done, with SO_ERROR 0. */
TEST(host_tcp_accept_timeout_and_nonblocking_connect)
{
	struct duet_host *h;
	struct duet_stack *s;
	struct sockaddr_storage ss;
	struct timeval tv = { 0, 100000 };
	struct pollfd p;
	socklen_t len, elen = sizeof(int);
	int lfd, c, a, err = -1;

	CHECK_EQ(duet_host_create(NULL, &h), 0);
	s = duet_host_stack(h);
	CHECK_EQ(duet_host_start(h), 0);
	len = lo_sa(AF_INET6, 6200, &ss);
	lfd = duet_socket(s, AF_INET6, SOCK_STREAM, 0);
	CHECK_EQ(duet_bind(s, lfd, (struct sockaddr *)&ss, len), 0);
	CHECK_EQ(duet_listen(s, lfd, 4), 0);
	CHECK_EQ(duet_setsockopt(s, lfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	CHECK_EQ(duet_accept(s, lfd, NULL, NULL), -1);
	CHECK_EQ(errno, EAGAIN);
	c = duet_socket(s, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK_EQ(duet_connect(s, c, (struct sockaddr *)&ss, len), -1);
	CHECK(errno == EINPROGRESS);
	p.fd = c;
	p.events = POLLOUT;
	CHECK_EQ(duet_poll(s, &p, 1, 2000), 1);
	CHECK(p.revents & POLLOUT);
	CHECK_EQ(duet_getsockopt(s, c, SOL_SOCKET, SO_ERROR, &err, &elen), 0);
	CHECK_EQ(err, 0);
	a = duet_accept4(s, lfd, NULL, NULL, SOCK_NONBLOCK);
	CHECK(a >= 3);
	CHECK_EQ(duet_recv(s, a, &err, 1, 0), -1);
	CHECK_EQ(errno, EAGAIN); /* accept4's SOCK_NONBLOCK */
	CHECK_EQ(duet_close(s, a), 0);
	CHECK_EQ(duet_close(s, c), 0);
	CHECK_EQ(duet_close(s, lfd), 0);
	duet_host_stop(h);
	duet_host_destroy(h);
}

struct slow_job {
	struct duet_stack *s;
	int lfd;
	size_t got;
};

/* Accepts, waits 300 ms, then reads to the end. */
static void *slow_reader(void *arg)
{
	struct slow_job *j = arg;
	static uint8_t buf[1 << 16];
	struct timespec ts = { 0, 300000000 };
	int c = duet_accept(j->s, j->lfd, NULL, NULL);
	ssize_t n;

	if (c < 0)
		return NULL;
	nanosleep(&ts, NULL);
	while ((n = duet_recv(j->s, c, buf, sizeof(buf), 0)) > 0)
		j->got += (size_t)n;
	duet_close(j->s, c);
	return NULL;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* S-1: SO_LINGER with a time makes a blocking close wait until the peer
 * has acknowledged everything (here: until a slow reader has taken more
 * than its receive buffer holds); the data all arrives. */
TEST(host_tcp_so_linger_waits_for_the_peer)
{
	static uint8_t out[2u << 20];
	struct duet_host *h;
	struct duet_stack *s;
	struct sockaddr_storage ss;
	struct linger lg = { 1, 10 };
	struct slow_job j;
	pthread_t t;
	socklen_t len;
	uint64_t t0, dt;
	int c;

	CHECK_EQ(duet_host_create(NULL, &h), 0);
	s = duet_host_stack(h);
	CHECK_EQ(duet_host_start(h), 0);
	len = lo_sa(AF_INET, 6300, &ss);
	memset(&j, 0, sizeof(j));
	j.s = s;
	j.lfd = duet_socket(s, AF_INET, SOCK_STREAM, 0);
	CHECK_EQ(duet_bind(s, j.lfd, (struct sockaddr *)&ss, len), 0);
	CHECK_EQ(duet_listen(s, j.lfd, 4), 0);
	CHECK_EQ(pthread_create(&t, NULL, slow_reader, &j), 0);
	c = duet_socket(s, AF_INET, SOCK_STREAM, 0);
	CHECK_EQ(duet_connect(s, c, (struct sockaddr *)&ss, len), 0);
	CHECK_EQ(duet_send(s, c, out, sizeof(out), 0), (ssize_t)sizeof(out));
	CHECK_EQ(duet_setsockopt(s, c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
	t0 = mono_ms();
	CHECK_EQ(duet_close(s, c), 0);
	dt = mono_ms() - t0;
	CHECK_EQ(pthread_join(t, NULL), 0);
	CHECK_EQ(j.got, sizeof(out));
	CHECK(dt >= 100); /* it waited for the reader */
	CHECK(dt < 10000);
	CHECK_EQ(duet_close(s, j.lfd), 0);
	duet_host_stop(h);
	duet_host_destroy(h);
}
