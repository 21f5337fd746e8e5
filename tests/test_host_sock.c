/* duet tests — the socket API under the host runtime (S-2): calls from
 * application threads while the runtime thread polls, blocking receives
 * woken by arriving datagrams, SO_RCVTIMEO expiry, blocking poll, and a
 * socket's eventfd in the application's own poll(2) set. Traffic stays on
 * the stack's loopback interface. */
#include "check.h"

#include <duet/host.h>
#include <duet/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

struct recv_job {
	struct duet_stack *stack;
	int fd;
	ssize_t r;
	int err;
	char buf[64];
};

static void *recv_thread(void *arg)
{
	struct recv_job *j = arg;

	j->r = duet_recv(j->stack, j->fd, j->buf, sizeof(j->buf) - 1, 0);
	j->err = errno;
	return NULL;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int bind_lo6(struct duet_stack *s, int fd, uint16_t port)
{
	struct sockaddr_in6 a;

	memset(&a, 0, sizeof(a));
	a.sin6_family = AF_INET6;
	a.sin6_port = htons(port);
	a.sin6_addr = in6addr_loopback;
	return duet_bind(s, fd, (struct sockaddr *)&a, sizeof(a));
}

static ssize_t send_lo6(struct duet_stack *s, int fd, uint16_t port, const char *msg)
{
	struct sockaddr_in6 a;

	memset(&a, 0, sizeof(a));
	a.sin6_family = AF_INET6;
	a.sin6_port = htons(port);
	a.sin6_addr = in6addr_loopback;
	return duet_sendto(s, fd, msg, strlen(msg), 0, (struct sockaddr *)&a, sizeof(a));
}

/* S-2: a thread blocked in recv wakes when another thread's datagram
 * arrives through lo. */
TEST(host_blocking_recv_woken_by_datagram)
{
	struct duet_host *h;
	struct duet_stack *s;
	struct recv_job j;
	pthread_t t;
	int srv, cli;

	CHECK_EQ(duet_host_create(NULL, &h), 0);
	s = duet_host_stack(h);
	CHECK_EQ(duet_host_start(h), 0);
	srv = duet_socket(s, AF_INET6, SOCK_DGRAM, 0);
	cli = duet_socket(s, AF_INET6, SOCK_DGRAM, 0);
	CHECK_EQ(bind_lo6(s, srv, 4000), 0);
	memset(&j, 0, sizeof(j));
	j.stack = s;
	j.fd = srv;
	CHECK_EQ(pthread_create(&t, NULL, recv_thread, &j), 0);
	CHECK_EQ(send_lo6(s, cli, 4000, "wake"), 4);
	pthread_join(t, NULL);
	CHECK_EQ(j.r, 4);
	j.buf[4] = '\0';
	CHECK_STR(j.buf, "wake");
	duet_host_destroy(h);
}

/* S-1, S-2: SO_RCVTIMEO bounds a blocking receive (EAGAIN after it);
 * duet_poll with a timeout returns 0 after it. */
TEST(host_rcvtimeo_and_poll_timeout)
{
	struct duet_host *h;
	struct duet_stack *s;
	struct timeval tv = { 0, 100000 };
	struct pollfd p;
	char buf[8];
	uint64_t t0;
	int fd;

	CHECK_EQ(duet_host_create(NULL, &h), 0);
	s = duet_host_stack(h);
	CHECK_EQ(duet_host_start(h), 0);
	fd = duet_socket(s, AF_INET6, SOCK_DGRAM, 0);
	CHECK_EQ(bind_lo6(s, fd, 4001), 0);
	CHECK_EQ(duet_setsockopt(s, fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	t0 = now_ms();
	CHECK_EQ(duet_recv(s, fd, buf, sizeof(buf), 0), -1);
	CHECK_EQ(errno, EAGAIN);
	CHECK(now_ms() - t0 >= 100);
	p.fd = fd;
	p.events = POLLIN;
	t0 = now_ms();
	CHECK_EQ(duet_poll(s, &p, 1, 50), 0);
	CHECK(now_ms() - t0 >= 50);
	duet_host_destroy(h);
}

/* S-2: the socket's eventfd is readable exactly while the socket is. */
TEST(host_socket_eventfd_in_os_poll)
{
	struct duet_host *h;
	struct duet_stack *s;
	struct pollfd p;
	char buf[8];
	int fd, cli, efd;

	CHECK_EQ(duet_host_create(NULL, &h), 0);
	s = duet_host_stack(h);
	CHECK_EQ(duet_host_start(h), 0);
	fd = duet_socket(s, AF_INET6, SOCK_DGRAM, 0);
	cli = duet_socket(s, AF_INET6, SOCK_DGRAM, 0);
	CHECK_EQ(bind_lo6(s, fd, 4002), 0);
	efd = duet_socket_eventfd(s, fd);
	CHECK(efd >= 0);
	p.fd = efd;
	p.events = POLLIN;
	CHECK_EQ(poll(&p, 1, 0), 0);
	CHECK_EQ(send_lo6(s, cli, 4002, "ev"), 2);
	CHECK_EQ(poll(&p, 1, 5000), 1);
	CHECK_EQ(duet_recv(s, fd, buf, sizeof(buf), 0), 2);
	CHECK_EQ(poll(&p, 1, 0), 0);
	duet_host_destroy(h);
}

/* The simulation has no runtime: no eventfd there. */
TEST(sim_stack_has_no_eventfd)
{
	struct duet_stack_config cfg;
	struct duet_stack *s;
	int fd;

	duet_stack_config_init(&cfg);
	CHECK_EQ(duet_stack_create(&cfg, &s), 0);
	fd = duet_socket(s, AF_INET6, SOCK_DGRAM, 0);
	CHECK_EQ(duet_socket_eventfd(s, fd), -1);
	CHECK_EQ(errno, EOPNOTSUPP);
	duet_stack_destroy(s);
}
