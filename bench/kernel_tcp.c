/* The Linux kernel's half of the TCP request/response benchmark: one-byte
 * round trips over one kernel TCP connection with TCP_NODELAY at both
 * ends, to set beside bench_tcp's tcp_rr_per_s (bench/tcp.sh runs it
 * between two network namespaces joined by a veth pair). Not a bench_*
 * program: it does not link with duet and is not built by CMake.
 *
 *   kernel_tcp [-6] [-s] rr-server PORT [MAX_SECONDS]
 *   kernel_tcp [-6] [-s] rr-client ADDR PORT SECONDS
 *
 * rr-server accepts one connection and echoes every byte back until the
 * peer closes, or MAX_SECONDS (default 30) pass whatever happens; it
 * prints `kernel tcp_rr_echoed=N`. rr-client connects (retrying for up to
 * 5 s while the server starts), keeps one byte outstanding for SECONDS
 * and prints `kernel tcp_rr_per_s=N round_trips=N seconds=S cpu_s=C
 * mean_rtt_us=U ...`. cpu_s (both modes) is the process's own CPU time
 * (user + system, getrusage) over the round trips: what the kernel's
 * sockets cost that process, softirq work done in its context included.
 *
 * -s (spin): receive with MSG_DONTWAIT in a loop instead of sleeping in
 * the kernel, as a poll-mode stack does: no wake-up latency, one CPU
 * kept busy per process. Without it both ends block in recv.
 *
 * Exit status: 0 on success, 1 if no round trip completed, 2 on usage or
 * system errors. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define KT_POLL_MS 100 /* blocking receives return this often */
#define KT_DEFAULT_MAX_S 30

static int kt_family = AF_INET;
static int kt_spin;

static int64_t kt_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* CPU time of this process (user + system), seconds. */
static double kt_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

static _Noreturn void kt_die(const char *what)
{
	fprintf(stderr, "kernel_tcp: %s: %s\n", what, strerror(errno));
	exit(2);
}

static long kt_number(const char *s, const char *what, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "kernel_tcp: bad %s '%s' (%ld..%ld)\n", what, s, min, max);
		exit(2);
	}
	return v;
}

static socklen_t kt_sockaddr(struct sockaddr_storage *ss, const char *addr, const char *port)
{
	uint16_t p = (uint16_t)kt_number(port, "port", 1, 65535);

	memset(ss, 0, sizeof(*ss));
	if (kt_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(p);
		s6->sin6_addr = in6addr_any;
		if (addr && inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1)
			goto bad;
		return sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(p);
		s4->sin_addr.s_addr = htonl(INADDR_ANY);
		if (addr && inet_pton(AF_INET, addr, &s4->sin_addr) != 1)
			goto bad;
		return sizeof(*s4);
	}
bad:
	fprintf(stderr, "kernel_tcp: '%s' is not an address of the family (use -6 for IPv6)\n", addr);
	exit(2);
}

/* TCP_NODELAY, and blocking receives that return every KT_POLL_MS. */
static void kt_tune(int fd)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = KT_POLL_MS * 1000 };
	int one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		kt_die("TCP_NODELAY");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		kt_die("SO_RCVTIMEO");
}

/* One byte into b; 1, 0 at end of stream, -1 nothing yet (timeout / spin). */
static int kt_recv1(int fd, char *b)
{
	ssize_t n = recv(fd, b, 1, kt_spin ? MSG_DONTWAIT : 0);

	if (n == 1)
		return 1;
	if (n == 0)
		return 0;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return -1;
	kt_die("recv");
}

static int kt_rr_server(const char *port, long max_s)
{
	struct sockaddr_storage ss;
	socklen_t len = kt_sockaddr(&ss, NULL, port);
	int64_t end = kt_now_ns() + max_s * 1000000000LL;
	uint64_t echoed = 0;
	int one = 1, lfd, fd, r;
	struct timeval tv = { .tv_sec = 0, .tv_usec = KT_POLL_MS * 1000 };
	double c0;
	char b;

	lfd = socket(kt_family, SOCK_STREAM, 0);
	if (lfd < 0)
		kt_die("socket");
	if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		kt_die("SO_REUSEADDR");
	if (kt_family == AF_INET6 && setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)))
		kt_die("IPV6_V6ONLY");
	if (setsockopt(lfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		kt_die("SO_RCVTIMEO");
	if (bind(lfd, (struct sockaddr *)&ss, len) || listen(lfd, 4))
		kt_die("bind/listen");
	fprintf(stderr, "kernel_tcp: rr-server port %s ready\n", port);
	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd >= 0)
			break;
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			kt_die("accept");
		if (kt_now_ns() > end) {
			fprintf(stderr, "kernel_tcp: rr-server: no client\n");
			return 1;
		}
	}
	kt_tune(fd);
	c0 = kt_cpu_s();
	while (kt_now_ns() < end) {
		r = kt_recv1(fd, &b);
		if (r == 0)
			break;
		if (r < 0)
			continue;
		if (send(fd, &b, 1, 0) != 1)
			kt_die("send");
		echoed++;
	}
	printf("kernel tcp_rr_echoed=%" PRIu64 " cpu_s=%.3f\n", echoed, kt_cpu_s() - c0);
	close(fd);
	close(lfd);
	return echoed ? 0 : 1;
}

static int kt_rr_client(const char *addr, const char *port, long seconds)
{
	struct sockaddr_storage ss;
	socklen_t len = kt_sockaddr(&ss, addr, port);
	int64_t t0, t, stop, give_up = kt_now_ns() + 5000000000LL;
	uint64_t trips = 0;
	double c0;
	int fd, r;
	char b = 'r';

	for (;;) {
		fd = socket(kt_family, SOCK_STREAM, 0);
		if (fd < 0)
			kt_die("socket");
		if (connect(fd, (struct sockaddr *)&ss, len) == 0)
			break;
		if (errno != ECONNREFUSED || kt_now_ns() > give_up)
			kt_die("connect");
		close(fd);
		usleep(20000);
	}
	kt_tune(fd);
	c0 = kt_cpu_s();
	t0 = kt_now_ns();
	stop = t0 + seconds * 1000000000LL;
	do {
		if (send(fd, &b, 1, 0) != 1)
			kt_die("send");
		while ((r = kt_recv1(fd, &b)) < 0)
			if (kt_now_ns() > stop + 1000000000LL) {
				fprintf(stderr, "kernel_tcp: no answer\n");
				return 1;
			}
		if (r == 0) {
			fprintf(stderr, "kernel_tcp: the server closed\n");
			return 1;
		}
		trips++;
		t = kt_now_ns();
	} while (t < stop);
	c0 = kt_cpu_s() - c0;
	close(fd);
	printf("kernel tcp_rr_per_s=%.0f round_trips=%" PRIu64 " seconds=%.3f cpu_s=%.3f mean_rtt_us=%.2f"
	       " spin=%d family=%s\n",
	       (double)trips * 1e9 / (double)(t - t0), trips, (double)(t - t0) / 1e9, c0,
	       (double)(t - t0) / 1e3 / (double)trips, kt_spin,
	       kt_family == AF_INET6 ? "ipv6" : "ipv4");
	return trips ? 0 : 1;
}

static _Noreturn void kt_usage(void)
{
	fprintf(stderr, "usage: kernel_tcp [-6] [-s] rr-server PORT [MAX_SECONDS]\n"
			"       kernel_tcp [-6] [-s] rr-client ADDR PORT SECONDS\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-6"))
			kt_family = AF_INET6;
		else if (!strcmp(argv[i], "-s"))
			kt_spin = 1;
		else
			kt_usage();
	}
	if (i < argc && !strcmp(argv[i], "rr-server") && (argc - i == 2 || argc - i == 3))
		return kt_rr_server(argv[i + 1],
				    argc - i == 3 ? kt_number(argv[i + 2], "seconds", 1, 3600)
						  : KT_DEFAULT_MAX_S);
	if (i < argc && !strcmp(argv[i], "rr-client") && argc - i == 4)
		return kt_rr_client(argv[i + 1], argv[i + 2], kt_number(argv[i + 3], "seconds", 1, 3600));
	kt_usage();
}
