/* duet run — the stack on a real TAP device until SIGINT/SIGTERM; counters
 * on SIGUSR1 and at exit. With --echo udp:PORT, a dual-stack UDP echo
 * service (T-1): one AF_INET6 socket with IPV6_V6ONLY off bound to [::]:PORT
 * answers IPv4 peers as ::ffff:a.b.c.d (DS-2, DS-3) and IPv6 peers alike,
 * served by a thread of its own through the thread-safe socket API. With
 * --announce GROUP, the same socket also sends one datagram a second to
 * GROUP on the echo port out of the TAP device (multicast from duet to the
 * kernel's members, with the default multicast hop limit / TTL). With
 * --echo-adv, the echo socket turns on the advanced API's receive switches
 * (RFC 3542) and prints one "adv" line per recvmsg:
 * what the stack says about each datagram, or a path MTU notice. With
 * --echo-hopopts / --echo-dstopts HEX, its replies carry those headers as
 * sticky options. With --echo raw6:PROTO[:OFFSET], the echo socket
 * is a raw IPv6 socket of that protocol instead, with
 * IPV6_CHECKSUM at OFFSET: the stack verifies what it reads and
 * computes what it sends. With --echo / --discard / --chargen tcp:PORT, TCP
 * services of those kinds (run_tcp.c); with --tcp-send / --tcp-recv, one
 * transfer to or from a TCP server, after which the run ends. */
#include "tools/duet_tool.h"
#include "tools/run_tcp.h"
#include "tools/tapnet.h"

#include <duet/addr.h>
#include <duet/socket.h>

#include <arpa/inet.h>
#include <ctype.h>
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
/* An extension header's largest size: (Hdr Ext Len 255 + 1) * 8 octets. */
#define RUN_EXT_MAX 2048
/* Room for every ancillary object one datagram can bring: a few small ones
 * plus a Hop-by-Hop, a Routing and two Destination Options headers. */
#define RUN_CTL_MAX (4 * (RUN_EXT_MAX + 64) + 512)

/* A sticky extension header from the command line (--echo-hopopts ...). */
struct run_ext {
	uint8_t bytes[RUN_EXT_MAX];
	size_t len; /* 0: not given */
};

struct run_echo {
	struct duet_stack *stack;
	int fd;
	unsigned port;
	int raw_proto;                        /* --echo raw6:PROTO, -1: UDP */
	int raw_csum;                         /* its IPV6_CHECKSUM offset, -1: none */
	atomic_int stop;
	unsigned long long echoed, failed;
	const struct tapnet_addr *announce; /* groups to announce to */
	int n_announce;
	unsigned long long announced, announce_failed;
	int adv;                              /* --echo-adv */
	const struct run_ext *hopopts, *dstopts; /* sticky, or len 0 */
	unsigned long long notices;           /* path MTU notices printed */
};

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

/* HEX (two digits an octet, either case) into a whole extension header:
 * a length that is a multiple of 8 and agrees with its Hdr Ext Len, so a
 * typo is caught here with a message rather than as EINVAL later. */
static int run_parse_ext(const char *opt, const char *hex, struct run_ext *x)
{
	size_t n = strlen(hex), i;

	if (n % 2 || n / 2 > RUN_EXT_MAX || n / 2 < 8 || (n / 2) % 8) {
		fprintf(stderr, "duet run: %s takes 8 to %d octets in hex, a multiple of 8\n", opt,
			RUN_EXT_MAX);
		return -1;
	}
	for (i = 0; i < n; i += 2) {
		char two[3] = { hex[i], hex[i + 1], 0 };

		if (!isxdigit((unsigned char)two[0]) || !isxdigit((unsigned char)two[1])) {
			fprintf(stderr, "duet run: %s: '%s' is not hex\n", opt, hex);
			return -1;
		}
		x->bytes[i / 2] = (uint8_t)strtoul(two, NULL, 16);
	}
	x->len = n / 2;
	if ((x->bytes[1] + 1u) * 8u != x->len) {
		fprintf(stderr, "duet run: %s: Hdr Ext Len %u says %u octets, %zu given\n", opt,
			x->bytes[1], (x->bytes[1] + 1u) * 8u, x->len);
		return -1;
	}
	return 0;
}

static void run_put_hex(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		printf("%02x", p[i]);
}

/* An IPv6 address with its zone (as %INDEX) when it has one. */
static void run_put_addr6(const struct in6_addr *a, uint32_t scope)
{
	char text[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, a, text, sizeof(text));
	printf("%s", text);
	if (scope)
		printf("%%%u", scope);
}

/* One line per recvmsg, the objects in the order the stack wrote them (so
 * a test sees the order of the extension headers, RFC 3542 §8). Returns
 * whether it was a path MTU notice (A-10: no data, one IPV6_PATHMTU), which
 * is not echoed. stdout is locked so the line stays whole beside the main
 * thread's counters, and flushed so a test reading the output sees it now. */
static int run_adv_print(struct msghdr *msg, const struct sockaddr_in6 *from, ssize_t n)
{
	struct cmsghdr *c;
	int notice = 0;

	flockfile(stdout);
	for (c = CMSG_FIRSTHDR(msg); n == 0 && c; c = CMSG_NXTHDR(msg, c)) {
		struct ip6_mtuinfo mi;

		if (c->cmsg_level != IPPROTO_IPV6 || c->cmsg_type != IPV6_PATHMTU ||
		    c->cmsg_len < CMSG_LEN(sizeof(mi)))
			continue;
		memcpy(&mi, CMSG_DATA(c), sizeof(mi));
		printf("adv pathmtu ");
		run_put_addr6(&mi.ip6m_addr.sin6_addr, mi.ip6m_addr.sin6_scope_id);
		printf(" %u\n", mi.ip6m_mtu);
		notice = 1;
	}
	if (!notice) {
		printf("adv from [");
		run_put_addr6(&from->sin6_addr, from->sin6_scope_id);
		printf("]:%u len %zd", ntohs(from->sin6_port), n);
		for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
			const uint8_t *d = CMSG_DATA(c);
			size_t dl = c->cmsg_len - CMSG_LEN(0);
			int v;

			if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
			    dl >= sizeof(struct in6_pktinfo)) {
				struct in6_pktinfo pi;

				memcpy(&pi, d, sizeof(pi));
				printf(" pktinfo ");
				run_put_addr6(&pi.ipi6_addr, 0);
				printf("%%%u", pi.ipi6_ifindex);
			} else if (c->cmsg_level == IPPROTO_IPV6 &&
				   (c->cmsg_type == IPV6_HOPLIMIT || c->cmsg_type == IPV6_TCLASS) &&
				   dl >= sizeof(int)) {
				memcpy(&v, d, sizeof(v));
				printf(" %s %d", c->cmsg_type == IPV6_HOPLIMIT ? "hoplimit" : "tclass", v);
			} else {
				const char *name = NULL;

				if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPOPTS)
					name = "hopopts";
				else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_DSTOPTS)
					name = "dstopts";
				else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RTHDR)
					name = "rthdr";
				/* Anything else is shown raw rather than hidden. */
				if (name)
					printf(" %s ", name);
				else
					printf(" cmsg %d/%d ", c->cmsg_level, c->cmsg_type);
				run_put_hex(d, dl);
			}
		}
		if (msg->msg_flags & MSG_CTRUNC)
			printf(" ctrunc");
		printf("\n");
	}
	fflush(stdout);
	funlockfile(stdout);
	return notice;
}

/* Receives with a 200 ms SO_RCVTIMEO so the stop flag is seen promptly;
 * every loop iteration is bounded by that timeout. */
static void *run_echo_main(void *arg)
{
	struct run_echo *e = arg;
	unsigned char buf[65536], ctl[RUN_CTL_MAX];
	uint64_t next_announce = tapnet_now_ns();

	while (!atomic_load(&e->stop)) {
		struct sockaddr_in6 from;
		socklen_t flen = sizeof(from);
		ssize_t n;

		if (e->n_announce && tapnet_now_ns() >= next_announce) {
			run_announce(e);
			next_announce = tapnet_now_ns() + RUN_ANNOUNCE_NS;
		}
		if (e->adv) {
			struct iovec iov = { buf, sizeof(buf) };
			struct msghdr msg;

			memset(&msg, 0, sizeof(msg));
			msg.msg_name = &from;
			msg.msg_namelen = flen;
			msg.msg_iov = &iov;
			msg.msg_iovlen = 1;
			msg.msg_control = ctl;
			msg.msg_controllen = sizeof(ctl);
			n = duet_recvmsg(e->stack, e->fd, &msg, 0);
			if (n < 0)
				continue;
			flen = msg.msg_namelen;
			if (run_adv_print(&msg, &from, n)) {
				e->notices++;
				continue; /* a notice, not a datagram: nothing to echo */
			}
		} else {
			n = duet_recvfrom(e->stack, e->fd, buf, sizeof(buf), 0,
					  (struct sockaddr *)&from, &flen);
		}
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

	e->fd = e->raw_proto >= 0 ? duet_socket(e->stack, AF_INET6, SOCK_RAW, e->raw_proto)
				  : duet_socket(e->stack, AF_INET6, SOCK_DGRAM, 0);
	if (e->fd < 0)
		return fprintf(stderr, "duet run: echo socket: %s\n", strerror(errno)), -1;
	if (e->raw_csum >= 0 && duet_setsockopt(e->stack, e->fd, IPPROTO_IPV6, IPV6_CHECKSUM,
						&e->raw_csum, sizeof(e->raw_csum)))
		return fprintf(stderr, "duet run: IPV6_CHECKSUM %d: %s\n", e->raw_csum,
			       strerror(errno)),
		       -1;
	if (duet_setsockopt(e->stack, e->fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) ||
	    duet_setsockopt(e->stack, e->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return fprintf(stderr, "duet run: echo socket options: %s\n", strerror(errno)), -1;
	/* L-2: a hop limit the socket sets is the one its IPv6 replies carry. */
	if (hops >= 0 && duet_setsockopt(e->stack, e->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops,
					 sizeof(hops)))
		return fprintf(stderr, "duet run: IPV6_UNICAST_HOPS: %s\n", strerror(errno)), -1;
	if (e->adv) {
		static const int rx[] = { IPV6_RECVPKTINFO, IPV6_RECVHOPLIMIT, IPV6_RECVTCLASS,
					  IPV6_RECVHOPOPTS, IPV6_RECVDSTOPTS, IPV6_RECVRTHDR,
					  IPV6_RECVPATHMTU };
		int on = 1;
		size_t k;

		for (k = 0; k < sizeof(rx) / sizeof(rx[0]); k++)
			if (duet_setsockopt(e->stack, e->fd, IPPROTO_IPV6, rx[k], &on, sizeof(on)))
				return fprintf(stderr, "duet run: --echo-adv: option %d: %s\n", rx[k],
					       strerror(errno)),
				       -1;
	}
	/* A-4 sticky: whole headers; the stack writes their Next Header octet. */
	if (e->hopopts->len && duet_setsockopt(e->stack, e->fd, IPPROTO_IPV6, IPV6_HOPOPTS,
						e->hopopts->bytes, (socklen_t)e->hopopts->len))
		return fprintf(stderr, "duet run: IPV6_HOPOPTS: %s\n", strerror(errno)), -1;
	if (e->dstopts->len && duet_setsockopt(e->stack, e->fd, IPPROTO_IPV6, IPV6_DSTOPTS,
						e->dstopts->bytes, (socklen_t)e->dstopts->len))
		return fprintf(stderr, "duet run: IPV6_DSTOPTS: %s\n", strerror(errno)), -1;
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
	sa.sin6_port = e->raw_proto >= 0 ? 0 : htons((uint16_t)e->port);
	if (duet_bind(e->stack, e->fd, (struct sockaddr *)&sa, sizeof(sa)))
		return fprintf(stderr, "duet run: echo bind [::]:%u: %s\n", e->port, strerror(errno)),
		       -1;
	return 0;
}

/* --tcp-send / --tcp-recv: one transfer on a thread of its own, which
 * tells the main thread (SIGUSR2) when it is over. */
struct run_xfer {
	struct duet_stack *stack;
	struct tapnet *n;
	struct run_tcp_xfer x;
	pthread_t main;
	atomic_int stop, done;
	int rc;
};

static void *run_xfer_main(void *arg)
{
	struct run_xfer *r = arg;
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	/* An IPv6 source address is usable only after DAD. */
	if (r->x.family == AF_INET6 && memcmp(r->x.addr, mapped, 12))
		tapnet_wait_address(r->n, AF_INET6);
	r->rc = run_tcp_xfer(r->stack, &r->x, &r->stop);
	atomic_store(&r->done, 1);
	pthread_kill(r->main, SIGUSR2);
	return NULL;
}

int tool_run(int argc, char **argv)
{
	struct tapnet_opts o;
	struct tapnet n;
	struct run_echo echo;
	struct tapnet_addr joins[RUN_MAX_JOINS], announce[RUN_MAX_JOINS];
	static struct run_ext hopopts, dstopts; /* 2 KiB each: off the stack */
	struct run_tcp tcp;
	struct run_xfer xfer;
	pthread_t echo_thread, tcp_thread, xfer_thread;
	int has_tcp = 0, tcp_running = 0, has_xfer = 0, xfer_running = 0, rc = 0, tcp_v6only = 0;
	int echo_running = 0, n_joins = 0, n_announce = 0, hops = -1;
	sigset_t set;
	int i, sig, err;

	memset(&o, 0, sizeof(o));
	memset(&echo, 0, sizeof(echo));
	memset(&tcp, 0, sizeof(tcp));
	memset(&xfer, 0, sizeof(xfer));
	echo.fd = -1;
	echo.raw_proto = echo.raw_csum = -1;
	echo.hopopts = &hopopts;
	echo.dstopts = &dstopts;
	for (i = 1; i < argc; i++) {
		const char *opt = argv[i];
		unsigned long v;
		int r;

		if (!strcmp(opt, "--echo-adv")) {
			echo.adv = 1;
			continue;
		}
		if ((!strcmp(opt, "--echo") || !strcmp(opt, "--discard") || !strcmp(opt, "--chargen")) &&
		    i + 1 < argc &&
		    (!strncmp(argv[i + 1], "tcp:", 4) || !strncmp(argv[i + 1], "tcp6:", 5) ||
		     strcmp(opt, "--echo"))) {
			enum run_tcp_kind k = !strcmp(opt, "--echo")      ? RUN_TCP_ECHO
					      : !strcmp(opt, "--discard") ? RUN_TCP_DISCARD
									  : RUN_TCP_CHARGEN;

			if (run_tcp_parse_service(&tcp, k, opt, argv[++i]))
				return 2;
			has_tcp = 1;
			continue;
		}
		if (!strcmp(opt, "--tcp-v6only")) {
			tcp_v6only = 1;
			continue;
		}
		if (!strcmp(opt, "--tcp-send") || !strcmp(opt, "--tcp-recv")) {
			if (i + 1 >= argc || has_xfer) {
				fprintf(stderr, "duet run: %s\n",
					has_xfer ? "one --tcp-send or --tcp-recv at a time"
						 : "--tcp-send / --tcp-recv need a value");
				return 2;
			}
			if (run_tcp_parse_xfer(opt, argv[++i], !strcmp(opt, "--tcp-send"), &xfer.x))
				return 2;
			has_xfer = 1;
			continue;
		}
		if (!strcmp(opt, "--echo") || !strcmp(opt, "--echo-hops") || !strcmp(opt, "--join") ||
		    !strcmp(opt, "--announce") || !strcmp(opt, "--echo-hopopts") ||
		    !strcmp(opt, "--echo-dstopts")) {
			const char *val;

			if (i + 1 >= argc) {
				fprintf(stderr, "duet run: %s needs a value\n", opt);
				return 2;
			}
			val = argv[++i];
			if (!strcmp(opt, "--echo") && !strncmp(val, "raw6:", 5)) {
				char pr[8] = "", cs[8] = "";
				if (sscanf(val + 5, "%7[0-9]:%7[0-9]", pr, cs) < 1 ||
				    run_parse_uint(pr, 255, &v) || v == 0 || v == IPPROTO_UDP) {
					fprintf(stderr, "duet run: --echo takes raw6:PROTO[:OFFSET] "
							"(PROTO 1..255, not UDP), not '%s'\n", val);
					return 2;
				}
				echo.raw_proto = (int)v;
				if (cs[0] && run_parse_uint(cs, 65534, &v) == 0)
					echo.raw_csum = (int)v;
				else if (cs[0])
					return fprintf(stderr, "duet run: bad offset in '%s'\n", val), 2;
				echo.port = 0xffffu; /* "an echo service": raw sockets have no port */
			} else if (!strcmp(opt, "--echo")) {
				if (strncmp(val, "udp:", 4) || run_parse_uint(val + 4, 65535, &v) ||
				    v == 0) {
					fprintf(stderr, "duet run: --echo takes udp:PORT or tcp:PORT, not '%s'\n",
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
			} else if (!strcmp(opt, "--echo-hopopts") || !strcmp(opt, "--echo-dstopts")) {
				if (run_parse_ext(opt, val,
						  !strcmp(opt, "--echo-hopopts") ? &hopopts : &dstopts))
					return 2;
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
	if (!echo.port && (hops >= 0 || n_joins || n_announce || echo.adv || hopopts.len ||
			   dstopts.len)) {
		fprintf(stderr, "duet run: --echo-hops, --echo-adv, --echo-hopopts, --echo-dstopts, "
				"--join and --announce need --echo udp:PORT\n");
		return 2;
	}
	if (tcp_v6only && (!has_xfer || xfer.x.family != AF_INET6)) {
		fprintf(stderr, "duet run: --tcp-v6only needs --tcp-send / --tcp-recv to [IPv6]\n");
		return 2;
	}
	xfer.x.is_v6only = tcp_v6only;
	echo.announce = announce;
	echo.n_announce = n_announce;
	/* Signals go to this thread only: the runtime thread inherits the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2); /* the transfer thread's "done" */
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
	if (has_tcp) {
		tcp.stack = duet_host_stack(n.host);
		if (run_tcp_open(&tcp) ||
		    (err = pthread_create(&tcp_thread, NULL, run_tcp_main, &tcp)) != 0) {
			if (err)
				fprintf(stderr, "duet run: tcp thread: %s\n", strerror(err));
			run_tcp_close(&tcp);
			rc = 1;
			goto stop;
		}
		tcp_running = 1;
	}
	printf("duet run: %s is interface %u; SIGUSR1 prints counters, SIGINT/SIGTERM stop\n",
	       o.tap, n.ifindex);
	if (has_xfer) {
		xfer.stack = duet_host_stack(n.host);
		xfer.main = pthread_self();
		xfer.n = &n;
		if ((err = pthread_create(&xfer_thread, NULL, run_xfer_main, &xfer)) != 0) {
			fprintf(stderr, "duet run: transfer thread: %s\n", strerror(err));
			rc = 1;
			goto stop;
		}
		xfer_running = 1;
	}
	if (echo_running && echo.raw_proto >= 0)
		printf("duet run: echo raw6:%d on [::] (IPV6_CHECKSUM %d)\n", echo.raw_proto,
		       echo.raw_csum);
	else if (echo_running)
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
		if (sig == SIGUSR2 && !atomic_load(&xfer.done))
			continue;
		break;
	}
	printf("duet run: stopping (%s); counters\n",
	       sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "transfer done");
stop:
	if (xfer_running) {
		atomic_store(&xfer.stop, 1);
		pthread_join(xfer_thread, NULL);
		rc = xfer.rc;
	}
	if (tcp_running) {
		atomic_store(&tcp.stop, 1);
		pthread_join(tcp_thread, NULL);
		run_tcp_close(&tcp);
	}
	if (echo_running) {
		atomic_store(&echo.stop, 1);
		pthread_join(echo_thread, NULL);
		duet_close(echo.stack, echo.fd);
		if (echo.raw_proto >= 0)
			printf("duet run: echo raw6:%d: %llu datagrams echoed, %llu failed\n",
			       echo.raw_proto, echo.echoed, echo.failed);
		else
			printf("duet run: echo udp:%u: %llu datagrams echoed, %llu failed\n",
			       echo.port, echo.echoed, echo.failed);
		if (echo.adv)
			printf("duet run: %llu path MTU notices\n", echo.notices);
		if (n_announce)
			printf("duet run: %llu announcements sent, %llu failed\n", echo.announced,
			       echo.announce_failed);
	}
	tapnet_print_counters(&n, stdout);
	tapnet_stop(&n);
	return rc;
}
