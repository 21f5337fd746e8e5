/* The Linux kernel's half of the UDP benchmark: 64-byte datagrams over the
 * kernel's own sockets, to set beside duet's figures (bench/udp.sh runs it
 * between two network namespaces joined by a veth pair). Not a bench_*
 * program: it does not link with duet and is not built by CMake.
 *
 *   kernel_udp [-6] [-s] [-b BATCH] [-r RCVBUF] recv PORT [MAX_SECONDS]
 *   kernel_udp [-6] send ADDR PORT SECONDS BATCH
 *   kernel_udp [-6] [-s] rr-server PORT [MAX_SECONDS]
 *   kernel_udp [-6] [-s] rr-client ADDR PORT SECONDS
 *
 * recv counts the datagrams it receives (recvmmsg, BATCH at a time, default
 * 64) and prints `kernel udp_stream_dps=N ...`: datagrams received per
 * second between the first and the last one received. That, not what the
 * sender managed to hand to its socket, is the stream figure. It stops 1 s
 * after the last datagram, or after MAX_SECONDS (default 30) whatever
 * happens. send hands SECONDS worth of BATCH-sized sendmmsg batches to a
 * connected socket and prints `kernel udp_stream_sent=N ...`.
 *
 * rr-client keeps one 64-byte request outstanding at a time and prints
 * `kernel udp_rr_per_s=N ...`; a request unanswered for 100 ms is sent
 * again (counted as a timeout). rr-server echoes every datagram back; it
 * stops 1 s after the last request, or after MAX_SECONDS (default 30).
 * Every mode thus ends within its SECONDS plus a timeout, peer or no peer.
 *
 * -s (spin): receive with MSG_DONTWAIT in a loop instead of sleeping in
 * the kernel, as a poll-mode stack does; no wake-up latency, one CPU kept
 * busy. Time bounds as without it.
 *
 * Each datagram carries a 64-bit sequence number in its first 8 bytes, so
 * recv also reports how many of those sent it never saw (lost=) and
 * rr-client can tell a late reply from the one it waits for.
 *
 * Exit status: 0 on success, 1 if nothing was received / no round trip was
 * completed, 2 on usage or system errors. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define KU_PAYLOAD 64
#define KU_BATCH_MAX 1024
#define KU_POLL_MS 100     /* every blocking receive returns this often */
#define KU_IDLE_NS 1000000000LL /* receivers stop this long after the last datagram */
#define KU_RR_RETRY_NS (KU_POLL_MS * 1000000LL)
#define KU_DEFAULT_MAX_S 30

static int ku_family = AF_INET;
static unsigned ku_recv_batch = 64;
static int ku_rcvbuf; /* 0: the system's default */
static int ku_spin;   /* MSG_DONTWAIT: poll instead of sleeping */

static int64_t ku_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void ku_put_seq(unsigned char *p, uint64_t seq)
{
	memcpy(p, &seq, sizeof(seq));
}

static uint64_t ku_get_seq(const unsigned char *p)
{
	uint64_t seq;

	memcpy(&seq, p, sizeof(seq));
	return seq;
}

static const char *ku_family_name(void)
{
	return ku_family == AF_INET6 ? "ipv6" : "ipv4";
}

static _Noreturn void ku_die(const char *what)
{
	fprintf(stderr, "kernel_udp: %s: %s\n", what, strerror(errno));
	exit(2);
}

static long ku_number(const char *s, const char *what, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "kernel_udp: bad %s '%s' (%ld..%ld)\n", what, s, min, max);
		exit(2);
	}
	return v;
}

/* ADDR and PORT (ADDR NULL: the wildcard address) in the chosen family. */
static socklen_t ku_sockaddr(struct sockaddr_storage *ss, const char *addr, const char *port)
{
	uint16_t p = (uint16_t)ku_number(port, "port", 1, 65535);

	memset(ss, 0, sizeof(*ss));
	if (ku_family == AF_INET6) {
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
	fprintf(stderr, "kernel_udp: '%s' is not an %s address (use -6 for IPv6)\n", addr,
		ku_family_name());
	exit(2);
}

/* A UDP socket whose blocking receives return every KU_POLL_MS, bound to
 * PORT (bind_port) or connected to ADDR PORT. */
static int ku_socket(const char *addr, const char *port, int bind_it)
{
	struct sockaddr_storage ss;
	socklen_t len = ku_sockaddr(&ss, bind_it ? NULL : addr, port);
	struct timeval tv = { .tv_sec = 0, .tv_usec = KU_POLL_MS * 1000 };
	int one = 1;
	int fd = socket(ku_family, SOCK_DGRAM, 0);

	if (fd < 0)
		ku_die("socket");
	if (ku_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)))
		ku_die("IPV6_V6ONLY");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		ku_die("SO_RCVTIMEO");
	if (ku_rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &ku_rcvbuf, sizeof(ku_rcvbuf)) &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &ku_rcvbuf, sizeof(ku_rcvbuf)))
		ku_die("SO_RCVBUF");
	if (bind_it) {
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
			ku_die("SO_REUSEADDR");
		if (bind(fd, (struct sockaddr *)&ss, len))
			ku_die("bind");
	} else if (connect(fd, (struct sockaddr *)&ss, len)) {
		ku_die("connect");
	}
	return fd;
}

static int ku_rcvbuf_actual(int fd)
{
	int v = 0;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len))
		return -1;
	return v;
}

static int ku_recv(const char *port, long max_s)
{
	static unsigned char bufs[KU_BATCH_MAX][KU_PAYLOAD + 64];
	static struct mmsghdr msgs[KU_BATCH_MAX];
	static struct iovec iov[KU_BATCH_MAX];
	int fd = ku_socket(NULL, port, 1);
	int64_t start = ku_now_ns(), deadline = start + max_s * 1000000000LL;
	int64_t first = 0, last = 0;
	uint64_t count = 0, first_n = 0, bytes = 0, short_dgrams = 0, seq_max = 0, calls = 0;
	int seen = 0;

	for (unsigned i = 0; i < ku_recv_batch; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	/* Ready: bench/udp.sh waits for this line before starting the sender. */
	fprintf(stderr, "kernel_udp: recv %s port %s ready\n", ku_family_name(), port);
	for (;;) {
		/* MSG_WAITFORONE: block (at most KU_POLL_MS) for the first, then
		 * take whatever else is queued, up to the batch. */
		int n = recvmmsg(fd, msgs, ku_recv_batch, ku_spin ? MSG_DONTWAIT : MSG_WAITFORONE,
				 NULL);
		int64_t now = ku_now_ns();

		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			ku_die("recvmmsg");
		if (n > 0) {
			if (!seen) {
				first = now;
				first_n = (uint64_t)n;
				seen = 1;
			}
			last = now;
			calls++;
			for (int i = 0; i < n; i++) {
				unsigned len = msgs[i].msg_len;

				count++;
				bytes += len;
				if (len < 8) {
					short_dgrams++;
					continue;
				}
				uint64_t s = ku_get_seq(bufs[i]);
				if (s + 1 > seq_max)
					seq_max = s + 1;
			}
		}
		if (now >= deadline || (seen && now - last >= KU_IDLE_NS))
			break;
	}
	/* The first batch is taken as the start: datagrams in it arrived
	 * before `first`, so leave them out of the rate. */
	double secs = (double)(last - first) / 1e9;
	double dps = secs > 0 ? (double)(count - first_n) / secs : 0;
	printf("kernel udp_stream_dps=%.0f received=%" PRIu64 " seconds=%.3f lost=%" PRIu64
	       " bytes=%" PRIu64 " recvmmsg_calls=%" PRIu64 " batch=%u rcvbuf=%d spin=%d family=%s\n",
	       dps, count, secs, seq_max > count ? seq_max - count : 0, bytes, calls,
	       ku_recv_batch, ku_rcvbuf_actual(fd), ku_spin, ku_family_name());
	if (short_dgrams)
		fprintf(stderr, "kernel_udp: %" PRIu64 " datagrams shorter than 8 bytes\n",
			short_dgrams);
	close(fd);
	return count ? 0 : 1;
}

static int ku_send(const char *addr, const char *port, long seconds, long batch)
{
	static unsigned char bufs[KU_BATCH_MAX][KU_PAYLOAD];
	static struct mmsghdr msgs[KU_BATCH_MAX];
	static struct iovec iov[KU_BATCH_MAX];
	int fd = ku_socket(addr, port, 0);
	int64_t start = ku_now_ns(), end = start + seconds * 1000000000LL, now = start;
	uint64_t seq = 0, calls = 0, errors = 0;
	int last_errno = 0;

	for (long i = 0; i < batch; i++) {
		memset(bufs[i], 0x5a, KU_PAYLOAD);
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = KU_PAYLOAD;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (now < end) {
		for (long i = 0; i < batch; i++)
			ku_put_seq(bufs[i], seq + (uint64_t)i);
		int n = sendmmsg(fd, msgs, (unsigned)batch, 0);

		calls++;
		if (n > 0) {
			seq += (uint64_t)n;
		} else if (n < 0) {
			/* ECONNREFUSED: an ICMP port unreachable from a receiver
			 * not (yet / any more) listening; ENOBUFS: a full device
			 * queue. Count them and go on until the time is up. */
			if (errno != ECONNREFUSED && errno != ENOBUFS && errno != EAGAIN &&
			    errno != EINTR)
				ku_die("sendmmsg");
			errors++;
			last_errno = errno;
		}
		now = ku_now_ns();
	}
	double secs = (double)(now - start) / 1e9;
	printf("kernel udp_stream_sent=%" PRIu64 " sent_per_s=%.0f seconds=%.3f sendmmsg_calls=%" PRIu64
	       " send_errors=%" PRIu64 " batch=%ld family=%s\n",
	       seq, secs > 0 ? (double)seq / secs : 0, secs, calls, errors, batch, ku_family_name());
	if (errors)
		fprintf(stderr, "kernel_udp: %" PRIu64 " sendmmsg calls failed, last: %s\n", errors,
			strerror(last_errno));
	close(fd);
	return seq ? 0 : 1;
}

static int ku_rr_server(const char *port, long max_s)
{
	unsigned char buf[KU_PAYLOAD + 64];
	int fd = ku_socket(NULL, port, 1);
	int64_t deadline = ku_now_ns() + max_s * 1000000000LL, last = 0;
	uint64_t echoed = 0;

	fprintf(stderr, "kernel_udp: rr-server %s port %s ready\n", ku_family_name(), port);
	for (;;) {
		struct sockaddr_storage from;
		socklen_t fromlen = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), ku_spin ? MSG_DONTWAIT : 0,
				     (struct sockaddr *)&from, &fromlen);
		int64_t now = ku_now_ns();

		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			ku_die("recvfrom");
		if (n >= 0) {
			if (sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, fromlen) < 0 &&
			    errno != ENOBUFS && errno != ECONNREFUSED && errno != EINTR)
				ku_die("sendto");
			echoed++;
			last = now;
		}
		if (now >= deadline || (last && now - last >= KU_IDLE_NS))
			break;
	}
	printf("kernel udp_rr_echoed=%" PRIu64 " family=%s\n", echoed, ku_family_name());
	close(fd);
	return echoed ? 0 : 1;
}

static int ku_rr_client(const char *addr, const char *port, long seconds)
{
	unsigned char req[KU_PAYLOAD], rsp[KU_PAYLOAD + 64];
	int fd = ku_socket(addr, port, 0);
	int64_t start = ku_now_ns(), end = start + seconds * 1000000000LL, now = start;
	uint64_t seq = 0, done = 0, timeouts = 0, stale = 0, refused = 0;

	memset(req, 0xa5, sizeof(req));
	while (now < end) {
		ku_put_seq(req, seq);
		if (send(fd, req, sizeof(req), 0) < 0) {
			if (errno != ECONNREFUSED && errno != ENOBUFS && errno != EINTR)
				ku_die("send");
			refused++;
		}
		int64_t sent_at = ku_now_ns();
		int answered = 0;

		/* Wait for this request's reply; at most KU_RR_RETRY_NS, and
		 * never past the end by more than one KU_POLL_MS. */
		while (!answered) {
			ssize_t n = recv(fd, rsp, sizeof(rsp), ku_spin ? MSG_DONTWAIT : 0);

			now = ku_now_ns();
			if (n < 0) {
				if (errno == ECONNREFUSED) {
					/* No server (yet): pause a poll interval, not a spin. */
					refused++;
					struct timespec ts = { 0, KU_POLL_MS * 1000000L };
					nanosleep(&ts, NULL);
					now = ku_now_ns();
					break;
				}
				if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
					ku_die("recv");
			} else if (n >= 8 && ku_get_seq(rsp) == seq) {
				answered = 1;
				break;
			} else {
				stale++; /* a late reply to a request already retried */
			}
			if (now - sent_at >= KU_RR_RETRY_NS) {
				timeouts++;
				break;
			}
			if (now >= end)
				break; /* time is up: the last request is not a timeout */
		}
		seq++;
		if (answered && now <= end)
			done++;
	}
	double secs = (double)(now - start) / 1e9;
	double rate = secs > 0 ? (double)done / secs : 0;
	printf("kernel udp_rr_per_s=%.0f round_trips=%" PRIu64 " seconds=%.3f mean_rtt_us=%.2f"
	       " timeouts=%" PRIu64 " stale=%" PRIu64 " refused=%" PRIu64 " spin=%d family=%s\n",
	       rate, done, secs, done ? secs * 1e6 / (double)done : 0.0, timeouts, stale, refused,
	       ku_spin, ku_family_name());
	close(fd);
	return done ? 0 : 1;
}

static void ku_usage(void)
{
	fprintf(stderr,
		"usage: kernel_udp [-6] [-s] [-b BATCH] [-r RCVBUF] recv PORT [MAX_SECONDS]\n"
		"       kernel_udp [-6] send ADDR PORT SECONDS BATCH\n"
		"       kernel_udp [-6] [-s] rr-server PORT [MAX_SECONDS]\n"
		"       kernel_udp [-6] [-s] rr-client ADDR PORT SECONDS\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int opt;

	while ((opt = getopt(argc, argv, "+6sb:r:")) != -1) {
		switch (opt) {
		case '6':
			ku_family = AF_INET6;
			break;
		case 's':
			ku_spin = 1;
			break;
		case 'b':
			ku_recv_batch = (unsigned)ku_number(optarg, "batch", 1, KU_BATCH_MAX);
			break;
		case 'r':
			ku_rcvbuf = (int)ku_number(optarg, "receive buffer", 1, 1L << 30);
			break;
		default:
			ku_usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		ku_usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	const char *mode = argv[0];
	long max_s = KU_DEFAULT_MAX_S;

	if (!strcmp(mode, "recv") && (argc == 2 || argc == 3)) {
		if (argc == 3)
			max_s = ku_number(argv[2], "seconds", 1, 86400);
		return ku_recv(argv[1], max_s);
	}
	if (!strcmp(mode, "send") && argc == 5)
		return ku_send(argv[1], argv[2], ku_number(argv[3], "seconds", 1, 86400),
			       ku_number(argv[4], "batch", 1, KU_BATCH_MAX));
	if (!strcmp(mode, "rr-server") && (argc == 2 || argc == 3)) {
		if (argc == 3)
			max_s = ku_number(argv[2], "seconds", 1, 86400);
		return ku_rr_server(argv[1], max_s);
	}
	if (!strcmp(mode, "rr-client") && argc == 4)
		return ku_rr_client(argv[1], argv[2], ku_number(argv[3], "seconds", 1, 86400));
	ku_usage();
	return 2;
}
