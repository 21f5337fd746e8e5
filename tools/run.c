/* duet run — the stack on a real TAP device until SIGINT/SIGTERM; counters
 * on SIGUSR1 and at exit. With --echo udp:PORT, a dual-stack UDP echo
 * service (T-1): one AF_INET6 socket with IPV6_V6ONLY off bound to [::]:PORT
 * answers IPv4 peers as ::ffff:a.b.c.d (DS-2, DS-3) and IPv6 peers alike,
 * served by a thread of its own through the thread-safe socket API. With
 * --announce GROUP, the same socket also sends one datagram a second to
 * GROUP on the echo port out of the TAP device (multicast from duet to the
 * kernel's members, with the default multicast hop limit / TTL). */
#include "tools/duet_tool.h"
#include "tools/tapnet.h"

#include <duet/addr.h>
#include <duet/socket.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUN_MAX_JOINS 8
#define RUN_ANNOUNCE_NS 1000000000ull

struct run_echo {
	struct duet_stack *stack;
	int fd;
	unsigned port;
	atomic_int stop;
	unsigned long long echoed, failed;
	const struct tapnet_addr *announce; /* groups to announce to */
	int n_announce;
	unsigned long long announced, announce_failed;
};

static uint64_t run_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* One datagram to each --announce group, from the echo socket (so from the
 * echo port), to the echo port. IPv4 groups go as ::ffff:a.b.c.d: real IPv4
 * on the wire (DS-3) with the socket's IP_MULTICAST_IF and TTL. */
static void run_announce(struct run_echo *e)
{
	char msg[64];
	int i, len;

	len = snprintf(msg, sizeof(msg), "duet announce %llu port %u", e->announced, e->port);
	for (i = 0; i < e->n_announce; i++) {
		struct sockaddr_in6 to;

		memset(&to, 0, sizeof(to));
		to.sin6_family = AF_INET6;
		to.sin6_port = htons((uint16_t)e->port);
		if (e->announce[i].family == AF_INET6) {
			memcpy(&to.sin6_addr, e->announce[i].addr, 16);
		} else {
			to.sin6_addr.s6_addr[10] = 0xff;
			to.sin6_addr.s6_addr[11] = 0xff;
			memcpy(&to.sin6_addr.s6_addr[12], e->announce[i].addr, 4);
		}
		if (duet_sendto(e->stack, e->fd, msg, (size_t)len, 0, (struct sockaddr *)&to,
				sizeof(to)) == len)
			e->announced++;
		else if (e->announce_failed++ == 0)
			fprintf(stderr, "duet run: announcement to group #%d: %s\n", i + 1,
				strerror(errno));
	}
}

static int run_parse_uint(const char *text, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!*text)
		return -1;
	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Receives with a 200 ms SO_RCVTIMEO so the stop flag is seen promptly;
 * every loop iteration is bounded by that timeout. */
static void *run_echo_main(void *arg)
{
	struct run_echo *e = arg;
	unsigned char buf[65536];
	uint64_t next_announce = run_now_ns();

	while (!atomic_load(&e->stop)) {
		struct sockaddr_in6 from;
		socklen_t flen = sizeof(from);
		ssize_t n;

		if (e->n_announce && run_now_ns() >= next_announce) {
			run_announce(e);
			next_announce = run_now_ns() + RUN_ANNOUNCE_NS;
		}
		n = duet_recvfrom(e->stack, e->fd, buf, sizeof(buf), 0,
					  (struct sockaddr *)&from, &flen);

		if (n < 0)
			continue; /* EAGAIN (timeout) or a reported ICMP error */
		/* B-1: the peer comes back as a sockaddr_in6 (v4-mapped for
		 * IPv4, DS-2) and goes out again as the family it came in (DS-3). */
		if (duet_sendto(e->stack, e->fd, buf, (size_t)n, 0, (struct sockaddr *)&from,
				flen) == n)
			e->echoed++;
		else
			e->failed++;
	}
	return NULL;
}

static int run_echo_open(struct run_echo *e, uint32_t ifindex, int hops,
			 const struct tapnet_addr *joins, int n_joins)
{
	struct sockaddr_in6 sa;
	struct timeval tv = { 0, 200000 };
	int off = 0, i;

	e->fd = duet_socket(e->stack, AF_INET6, SOCK_DGRAM, 0);
	if (e->fd < 0)
		return fprintf(stderr, "duet run: echo socket: %s\n", strerror(errno)), -1;
	if (duet_setsockopt(e->stack, e->fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) ||
	    duet_setsockopt(e->stack, e->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return fprintf(stderr, "duet run: echo socket options: %s\n", strerror(errno)), -1;
	/* L-2: a hop limit the socket sets is the one its IPv6 replies carry. */
	if (hops >= 0 && duet_setsockopt(e->stack, e->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops,
					 sizeof(hops)))
		return fprintf(stderr, "duet run: IPV6_UNICAST_HOPS: %s\n", strerror(errno)), -1;
	/* Announcements leave by the TAP device (B-5 and its IPv4 twin). */
	if (e->n_announce) {
		struct ip_mreqn m;

		memset(&m, 0, sizeof(m));
		m.imr_ifindex = (int)ifindex;
		if (duet_setsockopt(e->stack, e->fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex,
				    sizeof(ifindex)) ||
		    duet_setsockopt(e->stack, e->fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof(m)))
			return fprintf(stderr, "duet run: multicast interface: %s\n",
				       strerror(errno)),
			       -1;
	}
	for (i = 0; i < n_joins; i++) {
		int err;

		if (joins[i].family == AF_INET6) {
			struct ipv6_mreq m;

			memset(&m, 0, sizeof(m));
			memcpy(&m.ipv6mr_multiaddr, joins[i].addr, 16);
			m.ipv6mr_interface = ifindex;
			err = duet_setsockopt(e->stack, e->fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m,
					      sizeof(m));
		} else {
			struct ip_mreqn m;

			memset(&m, 0, sizeof(m));
			memcpy(&m.imr_multiaddr, joins[i].addr, 4);
			m.imr_ifindex = (int)ifindex;
			err = duet_setsockopt(e->stack, e->fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m,
					      sizeof(m));
		}
		if (err)
			return fprintf(stderr, "duet run: --join #%d: %s\n", i + 1, strerror(errno)),
			       -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin6_family = AF_INET6;
	sa.sin6_addr = in6addr_any;
	sa.sin6_port = htons((uint16_t)e->port);
	if (duet_bind(e->stack, e->fd, (struct sockaddr *)&sa, sizeof(sa)))
		return fprintf(stderr, "duet run: echo bind [::]:%u: %s\n", e->port, strerror(errno)),
		       -1;
	return 0;
}

int tool_run(int argc, char **argv)
{
	struct tapnet_opts o;
	struct tapnet n;
	struct run_echo echo;
	struct tapnet_addr joins[RUN_MAX_JOINS], announce[RUN_MAX_JOINS];
	pthread_t echo_thread;
	int echo_running = 0, n_joins = 0, n_announce = 0, hops = -1;
	sigset_t set;
	int i, sig, err;

	memset(&o, 0, sizeof(o));
	memset(&echo, 0, sizeof(echo));
	echo.fd = -1;
	for (i = 1; i < argc; i++) {
		const char *opt = argv[i];
		unsigned long v;
		int r;

		if (!strcmp(opt, "--echo") || !strcmp(opt, "--echo-hops") || !strcmp(opt, "--join") ||
		    !strcmp(opt, "--announce")) {
			const char *val;

			if (i + 1 >= argc) {
				fprintf(stderr, "duet run: %s needs a value\n", opt);
				return 2;
			}
			val = argv[++i];
			if (!strcmp(opt, "--echo")) {
				if (strncmp(val, "udp:", 4) || run_parse_uint(val + 4, 65535, &v) ||
				    v == 0) {
					fprintf(stderr, "duet run: --echo takes udp:PORT, not '%s'\n",
						val);
					return 2;
				}
				echo.port = (unsigned)v;
			} else if (!strcmp(opt, "--echo-hops")) {
				if (run_parse_uint(val, 255, &v)) {
					fprintf(stderr, "duet run: --echo-hops takes 0..255, not '%s'\n",
						val);
					return 2;
				}
				hops = (int)v;
			} else {
				int is_join = !strcmp(opt, "--join");
				struct tapnet_addr *g = is_join ? &joins[n_joins] : &announce[n_announce];

				if ((is_join ? n_joins : n_announce) == RUN_MAX_JOINS) {
					fprintf(stderr, "duet run: too many %s\n", opt);
					return 2;
				}
				if (tapnet_parse_cidr(val, g) ||
				    (g->family == AF_INET6 ? g->addr[0] != 0xff
							   : (g->addr[0] & 0xf0) != 0xe0)) {
					fprintf(stderr, "duet run: %s: not a multicast group: %s\n", opt,
						val);
					return 2;
				}
				if (is_join)
					n_joins++;
				else
					n_announce++;
			}
			continue;
		}
		r = tapnet_parse_opt(&o, argc, argv, &i);
		if (r < 0)
			return 2;
		if (r == 0) {
			fprintf(stderr, "duet run: unknown argument '%s' (see duet run --help)\n", argv[i]);
			return 2;
		}
	}
	if (!echo.port && (hops >= 0 || n_joins || n_announce)) {
		fprintf(stderr, "duet run: --echo-hops, --join and --announce need --echo udp:PORT\n");
		return 2;
	}
	echo.announce = announce;
	echo.n_announce = n_announce;
	/* Signals go to this thread only: the runtime thread inherits the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	err = tapnet_start(&o, &n);
	if (err)
		return 1;
	if (echo.port) {
		echo.stack = duet_host_stack(n.host);
		if (run_echo_open(&echo, n.ifindex, hops, joins, n_joins) ||
		    (err = pthread_create(&echo_thread, NULL, run_echo_main, &echo)) != 0) {
			if (err)
				fprintf(stderr, "duet run: echo thread: %s\n", strerror(err));
			if (echo.fd >= 0)
				duet_close(echo.stack, echo.fd);
			tapnet_stop(&n);
			return 1;
		}
		echo_running = 1;
	}
	printf("duet run: %s is interface %u; SIGUSR1 prints counters, SIGINT/SIGTERM stop\n",
	       o.tap, n.ifindex);
	if (echo_running)
		printf("duet run: echo udp:%u on [::] (IPv4 and IPv6)\n", echo.port);
	fflush(stdout);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGUSR1) {
			printf("duet run: counters\n");
			tapnet_print_counters(&n, stdout);
			continue;
		}
		break;
	}
	printf("duet run: stopping (%s); counters\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
	if (echo_running) {
		atomic_store(&echo.stop, 1);
		pthread_join(echo_thread, NULL);
		duet_close(echo.stack, echo.fd);
		printf("duet run: echo udp:%u: %llu datagrams echoed, %llu failed\n", echo.port,
		       echo.echoed, echo.failed);
		if (n_announce)
			printf("duet run: %llu announcements sent, %llu failed\n", echo.announced,
			       echo.announce_failed);
	}
	tapnet_print_counters(&n, stdout);
	tapnet_stop(&n);
	return 0;
}
