/* duet traceroute6 — the path to an IPv6 destination from a duet stack on
 * a TAP device, printed as traceroute6(8) prints it. ICMPv6 echo probes
 * with increasing hop limits go out of a raw socket of the public socket
 * API (duet/socket.h); the routers on the way answer Time Exceeded, the
 * destination an Echo Reply (or Destination Unreachable), all on the same
 * socket. */
#include "tools/duet_tool.h"
#include "tools/tapnet.h"

#include <duet/addr.h>
#include <duet/byteorder.h>
#include <duet/net.h>
#include <duet/socket.h>

#include <errno.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TRACE_DATA 16u            /* echo data: 40 + 8 + 16 = 64-byte probes */
#define TRACE_CTL_MAX 256
#define TRACE_MAX_QUERIES 10

struct trace_opts {
	int max_hops, nqueries;
	double wait_s;
	const char *ifname;          /* -I */
	const char *dst_text;
	struct tapnet_addr dst;
	char zone[32];
};

struct trace_run {
	struct duet_stack *stack;
	int fd;
	uint16_t id, seq;
	uint32_t oif;                /* -I's interface, 0 none */
	struct sockaddr_in6 to;
};

enum trace_kind { TRACE_NONE, TRACE_HOP, TRACE_REACHED, TRACE_UNREACH };

/* What came back for one probe. */
struct trace_answer {
	enum trace_kind kind;
	uint8_t code;                /* Destination Unreachable's code */
	struct sockaddr_in6 from;
	uint8_t to[16];              /* the address it was sent to (IPV6_PKTINFO) */
	bool has_to;
	double ms;
};

static int trace_parse_dest(char *arg, struct trace_opts *t)
{
	char *pct = strchr(arg, '%');

	t->dst_text = arg;
	if (pct) {
		snprintf(t->zone, sizeof(t->zone), "%s", pct + 1);
		*pct = 0;
	}
	if (tapnet_parse_cidr(arg, &t->dst) != 0 || t->dst.family != AF_INET6 ||
	    t->dst.plen != 128)
		return fprintf(stderr, "duet traceroute6: not an IPv6 address: %s\n", arg), -1;
	if (pct)
		*pct = '%';
	return 0;
}

/* -m -q -w -I and their values. */
static int trace_parse_valued(char opt, const char *v, struct trace_opts *t)
{
	char *end;
	long n;

	if (opt == 'I') {
		t->ifname = v;
		return 0;
	}
	if (opt == 'w') {
		t->wait_s = strtod(v, &end);
		if (*end || end == v || t->wait_s <= 0.0 || t->wait_s > 60.0)
			return fprintf(stderr, "duet traceroute6: -w: 0 to 60 seconds\n"), -1;
		return 0;
	}
	n = strtol(v, &end, 10);
	if (*end || end == v)
		return fprintf(stderr, "duet traceroute6: bad number: %s\n", v), -1;
	if (opt == 'm' && (n < 1 || n > 255))
		return fprintf(stderr, "duet traceroute6: -m: 1 to 255\n"), -1;
	if (opt == 'q' && (n < 1 || n > TRACE_MAX_QUERIES))
		return fprintf(stderr, "duet traceroute6: -q: 1 to %d\n", TRACE_MAX_QUERIES), -1;
	if (opt == 'm')
		t->max_hops = (int)n;
	else
		t->nqueries = (int)n;
	return 0;
}

static int trace_parse(int argc, char **argv, struct trace_opts *t, struct tapnet_opts *o)
{
	int i, r;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if ((r = tapnet_parse_opt(o, argc, argv, &i)) != 0) {
			if (r < 0)
				return -1;
		} else if (a[0] == '-' && a[1] && strchr("mqwI", a[1]) && !a[2] && i + 1 < argc) {
			if (trace_parse_valued(a[1], argv[++i], t) != 0)
				return -1;
		} else if (a[0] != '-' && !t->dst.family) {
			if (trace_parse_dest(argv[i], t) != 0)
				return -1;
		} else {
			return fprintf(stderr, "duet traceroute6: unknown argument '%s'\n", a), -1;
		}
	}
	if (!t->dst.family)
		return fprintf(stderr, "duet traceroute6: no destination\n"), -1;
	return 0;
}

/* The raw socket: only Echo Reply and the errors pass its filter (it also
 * sees the Neighbour Discovery the stack handles); every answer comes with
 * the address it was sent to. */
static int trace_open(struct trace_run *r, const struct trace_opts *t)
{
	struct icmp6_filter f;
	int on = 1;
	uint32_t zone = 0;

	if (t->ifname && !(r->oif = tapnet_ifindex(r->stack, t->ifname)))
		return fprintf(stderr, "duet traceroute6: -I: no interface %s\n", t->ifname), -1;
	if (t->zone[0] && !(zone = tapnet_ifindex(r->stack, t->zone)))
		return fprintf(stderr, "duet traceroute6: unknown zone %s\n", t->zone), -1;
	memset(&r->to, 0, sizeof(r->to));
	r->to.sin6_family = AF_INET6;
	memcpy(&r->to.sin6_addr, t->dst.addr, 16);
	if (duet_addr6_is_linklocal(t->dst.addr))
		r->to.sin6_scope_id = zone ? zone : r->oif;
	r->fd = duet_socket(r->stack, AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	if (r->fd < 0)
		return fprintf(stderr, "duet traceroute6: socket: %s\n", strerror(errno)), -1;
	ICMP6_FILTER_SETBLOCKALL(&f);
	ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
	ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &f);
	ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &f);
	if (duet_setsockopt(r->stack, r->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)) ||
	    duet_setsockopt(r->stack, r->fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on)))
		return fprintf(stderr, "duet traceroute6: setsockopt: %s\n", strerror(errno)), -1;
	return 0;
}

static void trace_cmsg(struct cmsghdr *c, int type, const void *val, size_t len)
{
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = type;
	c->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(c), val, len);
}

/* One probe: an echo request whose hop limit (and, with -I, outgoing
 * interface) ride as ancillary data on its sendmsg, so the socket keeps
 * no per-hop state. The stack writes the ICMPv6 checksum. */
static int trace_send(struct trace_run *r, int hops, uint64_t *t_sent)
{
	uint8_t pkt[8 + TRACE_DATA], ctl[TRACE_CTL_MAX];
	struct iovec iov = { pkt, sizeof(pkt) };
	struct in6_pktinfo pi;
	struct cmsghdr *c;
	struct msghdr msg;
	uint32_t i;

	memset(pkt, 0, sizeof(pkt));
	pkt[0] = ICMP6_ECHO_REQUEST;
	duet_put_be16(pkt + 4, r->id);
	duet_put_be16(pkt + 6, ++r->seq);
	for (i = 0; i < TRACE_DATA; i++)
		pkt[8 + i] = (uint8_t)(0x40 + i);
	memset(&msg, 0, sizeof(msg));
	memset(ctl, 0, sizeof(ctl));
	msg.msg_name = &r->to;
	msg.msg_namelen = sizeof(r->to);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl;
	msg.msg_controllen = CMSG_SPACE(sizeof(hops)) + (r->oif ? CMSG_SPACE(sizeof(pi)) : 0);
	c = CMSG_FIRSTHDR(&msg);
	trace_cmsg(c, IPV6_HOPLIMIT, &hops, sizeof(hops));
	if (r->oif) {
		memset(&pi, 0, sizeof(pi));
		pi.ipi6_ifindex = r->oif;
		trace_cmsg(CMSG_NXTHDR(&msg, c), IPV6_PKTINFO, &pi, sizeof(pi));
	}
	*t_sent = tapnet_now_ns();
	if (duet_sendmsg(r->stack, r->fd, &msg, 0) < 0) {
		fprintf(stderr, "duet traceroute6: sendmsg: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* The sequence of our echo request an error quotes (the invoking packet's
 * IPv6 header, maybe a fragment header, then the echo), -1 if not ours. */
static int trace_quoted_seq(const struct trace_run *r, const uint8_t *m, size_t len)
{
	const uint8_t *q = m + 8;
	size_t qlen = len - 8, off = 40;
	uint8_t nh;

	if (len < 8 || qlen < 40)
		return -1;
	nh = q[6];
	if (nh == 44 && qlen >= off + 8)
		nh = q[off], off += 8;
	if (nh != IPPROTO_ICMPV6 || qlen < off + 8 || q[off] != ICMP6_ECHO_REQUEST ||
	    duet_get_be16(q + off + 4) != r->id)
		return -1;
	return duet_get_be16(q + off + 6);
}

/* Classifies a message: the answer to probe seq, or TRACE_NONE. */
static enum trace_kind trace_classify(const struct trace_run *r, const uint8_t *m, size_t len,
				      uint16_t seq)
{
	if (len < 8)
		return TRACE_NONE;
	if (m[0] == ICMP6_ECHO_REPLY)
		return duet_get_be16(m + 4) == r->id && duet_get_be16(m + 6) == seq ? TRACE_REACHED
										 : TRACE_NONE;
	if (trace_quoted_seq(r, m, len) != seq)
		return TRACE_NONE;
	return m[0] == ICMP6_TIME_EXCEEDED ? TRACE_HOP : TRACE_UNREACH;
}

static void trace_pktinfo(struct msghdr *msg, struct trace_answer *a)
{
	struct cmsghdr *c;
	struct in6_pktinfo pi;

	for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c))
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(pi))) {
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			memcpy(a->to, &pi.ipi6_addr, 16);
			a->has_to = true;
		}
}

/* Reads one queued message; fills a when it answers probe seq. Returns 1
 * (answered), 0 (something else), -1 (nothing queued). */
static int trace_recv(struct trace_run *r, uint16_t seq, struct trace_answer *a)
{
	uint8_t buf[1280], ctl[TRACE_CTL_MAX];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr msg;
	enum trace_kind k;
	ssize_t n;

	memset(&msg, 0, sizeof(msg));
	msg.msg_name = &a->from;
	msg.msg_namelen = sizeof(a->from);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl;
	msg.msg_controllen = sizeof(ctl);
	n = duet_recvmsg(r->stack, r->fd, &msg, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? -1 : 0;
	k = trace_classify(r, buf, (size_t)n, seq);
	if (k == TRACE_NONE)
		return 0;
	a->kind = k;
	a->code = buf[1];
	a->has_to = false;
	trace_pktinfo(&msg, a);
	return 1;
}

/* Sends one probe and waits (at most -w) for its answer. */
static void trace_probe(struct trace_run *r, int hops, double wait_s, struct trace_answer *a)
{
	struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
	uint64_t t0, now, deadline;
	int got;

	memset(a, 0, sizeof(*a));
	if (trace_send(r, hops, &t0) != 0)
		return;
	deadline = t0 + (uint64_t)(wait_s * 1e9);
	while ((now = tapnet_now_ns()) < deadline) {
		if (duet_poll(r->stack, &pfd, 1, (int)((deadline - now + 999999) / 1000000)) <= 0)
			continue;
		while ((got = trace_recv(r, r->seq, a)) == 0)
			;
		if (got == 1) {
			a->ms = (double)(tapnet_now_ns() - t0) / 1e6;
			return;
		}
	}
	a->kind = TRACE_NONE;
}

static void trace_ntop(struct duet_stack *s, const struct sockaddr_in6 *sa, char *out, size_t len)
{
	char a[DUET_ADDR6_STRLEN], name[IF_NAMESIZE];

	duet_addr6_ntop(sa->sin6_addr.s6_addr, a, sizeof(a));
	if (sa->sin6_scope_id && duet_if_indextoname(s, sa->sin6_scope_id, name))
		snprintf(out, len, "%s%%%s", a, name);
	else
		snprintf(out, len, "%s", a);
}

/* traceroute6(8)'s annotation of a Destination Unreachable code. */
static const char *trace_unreach_mark(uint8_t code)
{
	static const char *const marks[] = { " !N", " !X", " !S", " !H", "", " !X", " !X" };

	return code < 7 ? marks[code] : " !?";
}

/* Prints one hop's line: each new answering address, then the times;
 * after them the addresses the answers were sent to (IPV6_PKTINFO). */
static void trace_print_hop(struct trace_run *r, int hops, const struct trace_answer *a, int n)
{
	const struct sockaddr_in6 *last = NULL;
	const uint8_t *last_to = NULL;
	char text[DUET_ADDR6_STRLEN + IF_NAMESIZE + 2];
	int i;

	printf("%2d ", hops);
	for (i = 0; i < n; i++) {
		if (a[i].kind == TRACE_NONE) {
			printf(" *");
			continue;
		}
		if (!last || memcmp(&last->sin6_addr, &a[i].from.sin6_addr, 16) != 0) {
			trace_ntop(r->stack, &a[i].from, text, sizeof(text));
			printf(" %s", text);
			last = &a[i].from;
		}
		printf("  %.3f ms%s", a[i].ms,
		       a[i].kind == TRACE_UNREACH ? trace_unreach_mark(a[i].code) : "");
	}
	for (i = 0; i < n; i++)
		if (a[i].has_to && (!last_to || memcmp(last_to, a[i].to, 16) != 0)) {
			duet_addr6_ntop(a[i].to, text, sizeof(text));
			printf("  (to %s)", text);
			last_to = a[i].to;
		}
	printf("\n");
	fflush(stdout);
}

/* Walks the hop limits up; returns 0 once the destination answered. */
static int trace_loop(struct trace_run *r, const struct trace_opts *t)
{
	struct trace_answer a[TRACE_MAX_QUERIES];
	int hops, q, is_done, is_reached;

	printf("traceroute6 to %s (%s), %d hops max, %u byte packets\n", t->dst_text,
	       t->dst_text, t->max_hops, 40u + 8u + TRACE_DATA);
	for (hops = 1; hops <= t->max_hops; hops++) {
		is_done = is_reached = 0;
		for (q = 0; q < t->nqueries; q++) {
			trace_probe(r, hops, t->wait_s, &a[q]);
			is_reached |= a[q].kind == TRACE_REACHED;
			is_done |= a[q].kind == TRACE_REACHED || a[q].kind == TRACE_UNREACH;
		}
		trace_print_hop(r, hops, a, t->nqueries);
		if (is_done)
			return is_reached ? 0 : 1;
	}
	return 1;
}

int tool_traceroute6(int argc, char **argv)
{
	struct trace_opts t = { .max_hops = 30, .nqueries = 3, .wait_s = 5.0 };
	struct trace_run r;
	struct tapnet_opts o;
	struct tapnet n;
	int rc = 1;

	memset(&o, 0, sizeof(o));
	if (trace_parse(argc, argv, &t, &o) != 0)
		return 2;
	if (tapnet_start(&o, &n) != 0)
		return 1;
	memset(&r, 0, sizeof(r));
	r.stack = duet_host_stack(n.host);
	r.id = (uint16_t)tapnet_now_ns();
	r.fd = -1;
	if (trace_open(&r, &t) == 0) {
		tapnet_wait_address(&n, AF_INET6);
		rc = trace_loop(&r, &t);
	}
	if (r.fd >= 0)
		duet_close(r.stack, r.fd);
	tapnet_stop(&n);
	return rc;
}
