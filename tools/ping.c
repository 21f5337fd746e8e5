/* duet ping — ICMP / ICMPv6 echo from a duet stack on a TAP device, printed
 * as ping(8) prints it. Like a real ping it works through a raw socket of
 * the public socket API (duet/socket.h): it builds the echo requests,
 * matches the replies by identifier and sequence, and reports the ICMP
 * errors that quote its requests. */
#include "tools/duet_tool.h"
#include "tools/tapnet.h"

#include <duet/addr.h>
#include <duet/byteorder.h>
#include <duet/csum.h>
#include <duet/net.h>
#include <duet/socket.h>

#include <errno.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PING_MAX_DATA (65507u - 8u) /* an IPv4 datagram's largest ICMP payload */
#define PING_CTL_MAX 256
#define PING_LAST_WAIT_NS 1000000000ull /* a late reply to the last request still counts */

struct ping_opts {
	int family;                  /* 0: from the destination */
	uint32_t size, count;
	double interval_s;
	int hops;                    /* -t; -1: the stack's default */
	const char *ifname;          /* -I */
	const char *dst_text;
	struct tapnet_addr dst;
	char zone[32];
};

struct ping_run {
	struct duet_stack *stack;
	int fd, family;
	bool is_group;
	uint16_t id;
	uint32_t oif;                /* -I's interface, 0 none */
	struct sockaddr_storage to;
	socklen_t tolen;
	uint32_t size, sent, received, dups, errors;
	uint32_t timed;              /* replies with a round-trip time */
	double tmin, tmax, tsum, tsum2;
	uint8_t seen[65536 / 8];     /* sequences answered, for (DUP!) */
};

static int ping_parse_dest(char *arg, struct ping_opts *p)
{
	char *pct = strchr(arg, '%');

	p->dst_text = arg;
	if (pct) {
		snprintf(p->zone, sizeof(p->zone), "%s", pct + 1);
		*pct = 0;
	}
	if (tapnet_parse_cidr(arg, &p->dst) != 0 || p->dst.plen % 32)
		return fprintf(stderr, "duet ping: not an address: %s\n", arg), -1;
	if (pct)
		*pct = '%'; /* PING's header line shows it as given */
	return 0;
}

/* The options that take a value: -s -c -i -t -I. */
static int ping_parse_valued(char opt, const char *v, struct ping_opts *p)
{
	unsigned long n;
	char *end;

	if (opt == 'I') {
		p->ifname = v;
		return 0;
	}
	if (opt == 'i') {
		p->interval_s = strtod(v, &end);
		if (*end || p->interval_s < 0.0 || p->interval_s > 3600.0)
			return fprintf(stderr, "duet ping: bad interval: %s\n", v), -1;
		return 0;
	}
	n = strtoul(v, &end, 10);
	if (*end || end == v)
		return fprintf(stderr, "duet ping: bad number: %s\n", v), -1;
	if (opt == 's' && n > PING_MAX_DATA)
		return fprintf(stderr, "duet ping: -s: at most %u\n", PING_MAX_DATA), -1;
	if (opt == 't' && (n < 1 || n > 255))
		return fprintf(stderr, "duet ping: -t: 1 to 255\n"), -1;
	if (opt == 's')
		p->size = (uint32_t)n;
	else if (opt == 'c')
		p->count = (uint32_t)n;
	else
		p->hops = (int)n;
	return 0;
}

static int ping_parse(int argc, char **argv, struct ping_opts *p, struct tapnet_opts *o)
{
	int i, r;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if ((r = tapnet_parse_opt(o, argc, argv, &i)) != 0) {
			if (r < 0)
				return -1;
		} else if (!strcmp(a, "-4") || !strcmp(a, "-6")) {
			p->family = a[1] == '4' ? AF_INET : AF_INET6;
		} else if (a[0] == '-' && a[1] && strchr("scitI", a[1]) && !a[2] && i + 1 < argc) {
			if (ping_parse_valued(a[1], argv[++i], p) != 0)
				return -1;
		} else if (a[0] != '-' && !p->dst.family) {
			if (ping_parse_dest(argv[i], p) != 0)
				return -1;
		} else {
			return fprintf(stderr, "duet ping: unknown argument '%s'\n", a), -1;
		}
	}
	if (!p->dst.family)
		return fprintf(stderr, "duet ping: no destination\n"), -1;
	if (p->family && p->family != p->dst.family)
		return fprintf(stderr, "duet ping: the destination is not of that family\n"), -1;
	return 0;
}

/* Fills the destination address (with its zone) from the options. */
static int ping_set_dest(struct ping_run *r, const struct ping_opts *p)
{
	uint32_t zone = p->zone[0] ? tapnet_ifindex(r->stack, p->zone) : r->oif;

	if (p->zone[0] && !zone)
		return fprintf(stderr, "duet ping: unknown zone %s\n", p->zone), -1;
	memset(&r->to, 0, sizeof(r->to));
	if (r->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&r->to;
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, p->dst.addr, 16);
		if (duet_addr6_is_linklocal(p->dst.addr) || duet_addr6_is_multicast(p->dst.addr))
			s6->sin6_scope_id = zone; /* the zone of a scoped destination */
		r->is_group = duet_addr6_is_multicast(p->dst.addr);
		r->tolen = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&r->to;
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, p->dst.addr, 4);
		r->is_group = duet_addr4_is_multicast(p->dst.addr);
		r->tolen = sizeof(*s4);
	}
	return 0;
}

/* ICMPv6: only echo replies and the errors that may quote a request (the
 * socket also sees the Neighbour Discovery and MLD the stack handles). */
static int ping_setup6(struct ping_run *r, int hops)
{
	struct icmp6_filter f;
	int on = 1, oif = (int)r->oif;

	ICMP6_FILTER_SETBLOCKALL(&f);
	ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
	ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &f);
	ICMP6_FILTER_SETPASS(ICMP6_PACKET_TOO_BIG, &f);
	ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &f);
	ICMP6_FILTER_SETPASS(ICMP6_PARAM_PROB, &f);
	if (duet_setsockopt(r->stack, r->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)) ||
	    duet_setsockopt(r->stack, r->fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof(on)))
		return -1;
	if (hops > 0 && duet_setsockopt(r->stack, r->fd, IPPROTO_IPV6,
					r->is_group ? IPV6_MULTICAST_HOPS : IPV6_UNICAST_HOPS,
					&hops, sizeof(hops)))
		return -1;
	if (oif && r->is_group &&
	    duet_setsockopt(r->stack, r->fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &oif, sizeof(oif)))
		return -1;
	return 0;
}

static int ping_setup4(struct ping_run *r, int hops)
{
	struct ip_mreqn m;

	if (hops > 0 && duet_setsockopt(r->stack, r->fd, IPPROTO_IP,
					r->is_group ? IP_MULTICAST_TTL : IP_TTL, &hops, sizeof(hops)))
		return -1;
	if (r->oif && r->is_group) {
		memset(&m, 0, sizeof(m));
		m.imr_ifindex = (int)r->oif;
		if (duet_setsockopt(r->stack, r->fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof(m)))
			return -1;
	}
	return 0;
}

static int ping_open(struct ping_run *r, const struct ping_opts *p)
{
	int err;

	if (p->ifname && !(r->oif = tapnet_ifindex(r->stack, p->ifname)))
		return fprintf(stderr, "duet ping: -I: no interface %s\n", p->ifname), -1;
	if (ping_set_dest(r, p) != 0)
		return -1;
	r->fd = duet_socket(r->stack, r->family, SOCK_RAW,
			    r->family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
	if (r->fd < 0)
		return fprintf(stderr, "duet ping: socket: %s\n", strerror(errno)), -1;
	err = r->family == AF_INET6 ? ping_setup6(r, p->hops) : ping_setup4(r, p->hops);
	if (err)
		return fprintf(stderr, "duet ping: setsockopt: %s\n", strerror(errno)), -1;
	return 0;
}

/* An echo request: the send time in its first 8 data bytes when they fit
 * (so the reply carries it back, as ping(8) does), then a byte pattern.
 * The ICMPv6 checksum is the stack's to write; ICMP's is ours. */
static size_t ping_build(const struct ping_run *r, uint16_t seq, uint8_t *buf)
{
	uint64_t now = tapnet_now_ns();
	uint32_t i;

	buf[0] = r->family == AF_INET6 ? ICMP6_ECHO_REQUEST : 8;
	buf[1] = 0;
	duet_put_be16(buf + 2, 0);
	duet_put_be16(buf + 4, r->id);
	duet_put_be16(buf + 6, seq);
	for (i = 0; i < r->size; i++)
		buf[8 + i] = (uint8_t)i;
	if (r->size >= sizeof(now))
		memcpy(buf + 8, &now, sizeof(now));
	if (r->family == AF_INET)
		duet_put_be16(buf + 2, duet_csum(buf, 8 + r->size));
	return 8 + r->size;
}

/* Sends one request; -I's interface goes as IPV6_PKTINFO / IP_PKTINFO
 * ancillary data on each unicast datagram (multicast: the socket's
 * IPV6_MULTICAST_IF / IP_MULTICAST_IF). */
static int ping_send(struct ping_run *r, uint16_t seq, uint8_t *buf)
{
	uint8_t ctl[PING_CTL_MAX];
	struct iovec iov = { buf, ping_build(r, seq, buf) };
	struct msghdr msg;
	struct cmsghdr *c;

	memset(&msg, 0, sizeof(msg));
	memset(ctl, 0, sizeof(ctl));
	msg.msg_name = &r->to;
	msg.msg_namelen = r->tolen;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (r->oif && !r->is_group) {
		bool is6 = r->family == AF_INET6;
		msg.msg_control = ctl;
		msg.msg_controllen = is6 ? CMSG_SPACE(sizeof(struct in6_pktinfo))
					 : CMSG_SPACE(sizeof(struct in_pktinfo));
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = is6 ? IPPROTO_IPV6 : IPPROTO_IP;
		c->cmsg_type = is6 ? IPV6_PKTINFO : IP_PKTINFO;
		if (is6) {
			struct in6_pktinfo pi = { .ipi6_ifindex = r->oif };
			c->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		} else {
			struct in_pktinfo pi = { .ipi_ifindex = (int)r->oif };
			c->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		}
	}
	if (duet_sendmsg(r->stack, r->fd, &msg, 0) < 0) {
		printf("ping: sendmsg: %s\n", strerror(errno));
		return -1;
	}
	r->sent++;
	return 0;
}

/* The source as ping(8) prints it: a link-local one with its zone. */
static void ping_format_from(const struct ping_run *r, const struct sockaddr_storage *from,
			     char *out, size_t len)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)from;
	char a[DUET_ADDR6_STRLEN], name[IF_NAMESIZE];

	if (from->ss_family == AF_INET) {
		duet_addr4_ntop((const uint8_t *)&((const struct sockaddr_in *)from)->sin_addr, a,
				sizeof(a));
		snprintf(out, len, "%s", a);
		return;
	}
	duet_addr6_ntop(s6->sin6_addr.s6_addr, a, sizeof(a));
	if (s6->sin6_scope_id && duet_if_indextoname(r->stack, s6->sin6_scope_id, name))
		snprintf(out, len, "%s%%%s", a, name);
	else
		snprintf(out, len, "%s", a);
}

static void ping_on_reply(struct ping_run *r, const uint8_t *icmp, size_t len, int hops,
			  const char *from)
{
	uint16_t seq = duet_get_be16(icmp + 6);
	bool is_dup = (r->seen[seq / 8] >> (seq % 8)) & 1;
	char rtt[48] = "";

	r->seen[seq / 8] |= (uint8_t)(1u << (seq % 8));
	if (is_dup)
		r->dups++;
	else
		r->received++;
	if (r->size >= 8 && len >= 16) {
		uint64_t sent;
		double ms;

		memcpy(&sent, icmp + 8, sizeof(sent));
		ms = (double)(tapnet_now_ns() - sent) / 1e6;
		snprintf(rtt, sizeof(rtt), " time=%.3f ms", ms);
		if (!is_dup) {
			r->tmin = r->timed && r->tmin < ms ? r->tmin : ms;
			r->tmax = r->timed && r->tmax > ms ? r->tmax : ms;
			r->tsum += ms;
			r->tsum2 += ms * ms;
			r->timed++;
		}
	}
	printf("%zu bytes from %s: icmp_seq=%u ttl=%d%s%s\n", len, from, seq, hops, rtt,
	       is_dup ? " (DUP!)" : "");
}

/* What ping(8) says for an ICMPv6 error (RFC 4443 §3). */
static const char *ping_error6(uint8_t type, uint8_t code, const uint8_t *icmp, char *buf,
			       size_t len)
{
	static const char *const unreach[] = {
		"No route", "Administratively prohibited", "Beyond scope of source address",
		"Address unreachable", "Port unreachable", "Source address failed ingress/egress policy",
		"Reject route to destination",
	};

	if (type == ICMP6_DST_UNREACH)
		snprintf(buf, len, "Destination unreachable: %s",
			 code < 7 ? unreach[code] : "Unknown code");
	else if (type == ICMP6_PACKET_TOO_BIG)
		snprintf(buf, len, "Packet too big: mtu=%u", (unsigned)duet_get_be32(icmp + 4));
	else if (type == ICMP6_TIME_EXCEEDED)
		snprintf(buf, len, "Time exceeded: %s",
			 code == 0 ? "Hop limit" : "Defragmentation failure");
	else
		snprintf(buf, len, "Parameter problem: code %u pointer %u", code,
			 (unsigned)duet_get_be32(icmp + 4));
	return buf;
}

/* What ping(8) says for an ICMP error (RFC 792). */
static const char *ping_error4(uint8_t type, uint8_t code, const uint8_t *icmp, char *buf,
			       size_t len)
{
	static const char *const unreach[] = {
		"Destination Net Unreachable", "Destination Host Unreachable",
		"Destination Protocol Unreachable", "Destination Port Unreachable",
		"Frag needed and DF set", "Source Route Failed", "Destination Net Unknown",
		"Destination Host Unknown", "Source Host Isolated", "Destination Net Prohibited",
		"Destination Host Prohibited", "Destination Net Unreachable for Type of Service",
		"Destination Host Unreachable for Type of Service", "Packet filtered",
	};

	if (type == 3 && code == 4)
		snprintf(buf, len, "Frag needed and DF set (mtu = %u)",
			 (unsigned)duet_get_be16(icmp + 6));
	else if (type == 3)
		snprintf(buf, len, "%s", code < 14 ? unreach[code] : "Dest Unreachable, Bad Code");
	else if (type == 11)
		snprintf(buf, len, "%s",
			 code == 0 ? "Time to live exceeded" : "Frag reassembly time exceeded");
	else
		snprintf(buf, len, "Parameter problem: pointer = %u", icmp[4]);
	return buf;
}

/* The echo request an ICMP error quotes (after its 8-byte header: the
 * invoking packet's IP header, then our ICMP header), or NULL when it does
 * not quote one of ours. */
static const uint8_t *ping_quoted(const struct ping_run *r, const uint8_t *icmp, size_t len)
{
	const uint8_t *q = icmp + 8;
	size_t qlen = len - 8, off;
	uint8_t nh;

	if (r->family == AF_INET6) {
		if (qlen < 40)
			return NULL;
		nh = q[6], off = 40;
		if (nh == 44 && qlen >= off + 8 && (duet_get_be16(q + off + 2) & 0xfff8) == 0)
			nh = q[off], off += 8; /* the first fragment of a large request */
		if (nh != IPPROTO_ICMPV6 || qlen < off + 8 || q[off] != ICMP6_ECHO_REQUEST)
			return NULL;
	} else {
		if (qlen < 20 || q[9] != IPPROTO_ICMP)
			return NULL;
		off = (size_t)(q[0] & 15) * 4u;
		if (qlen < off + 8 || q[off] != 8)
			return NULL;
	}
	return duet_get_be16(q + off + 4) == r->id ? q + off : NULL;
}

/* Takes one ICMP message (IPv4: header skipped) and prints what it says. */
static void ping_on_icmp(struct ping_run *r, const uint8_t *icmp, size_t len, int hops,
			 const char *from)
{
	bool is6 = r->family == AF_INET6;
	uint8_t type = icmp[0];
	const uint8_t *q;
	char what[96];

	if (type == (is6 ? ICMP6_ECHO_REPLY : 0)) {
		if (len >= 8 && duet_get_be16(icmp + 4) == r->id)
			ping_on_reply(r, icmp, len, hops, from);
		return;
	}
	if (is6 ? type >= 128 : (type != 3 && type != 11 && type != 12))
		return;
	if (len < 8 || !(q = ping_quoted(r, icmp, len)))
		return;
	r->errors++;
	printf("From %s icmp_seq=%u %s\n", from, duet_get_be16(q + 6),
	       is6 ? ping_error6(type, icmp[1], icmp, what, sizeof(what))
		   : ping_error4(type, icmp[1], icmp, what, sizeof(what)));
}

/* The hop limit IPV6_RECVHOPLIMIT gives, -1 if none. */
static int ping_cmsg_hops(struct msghdr *msg)
{
	struct cmsghdr *c;
	int v;

	for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c))
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT &&
		    c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			memcpy(&v, CMSG_DATA(c), sizeof(v));
			return v;
		}
	return -1;
}

/* Reads one datagram, if one is queued, and handles it. Returns 0, or -1
 * with errno (EAGAIN: nothing more). */
static int ping_recv(struct ping_run *r, uint8_t *buf, size_t cap)
{
	uint8_t ctl[PING_CTL_MAX];
	struct sockaddr_storage from;
	struct iovec iov = { buf, cap };
	struct msghdr msg;
	char text[DUET_ADDR6_STRLEN + IF_NAMESIZE + 2];
	const uint8_t *icmp = buf;
	size_t len;
	ssize_t n;
	int hops;

	memset(&msg, 0, sizeof(msg));
	msg.msg_name = &from;
	msg.msg_namelen = sizeof(from);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl;
	msg.msg_controllen = sizeof(ctl);
	n = duet_recvmsg(r->stack, r->fd, &msg, MSG_DONTWAIT);
	if (n < 0)
		return -1;
	len = (size_t)n;
	if (r->family == AF_INET) { /* the whole datagram: skip (and read) its header */
		size_t ihl = len ? (size_t)(buf[0] & 15) * 4u : 0;
		if (len < 20 || ihl < 20 || len < ihl + 8 || duet_csum(buf + ihl, len - ihl) != 0)
			return 0; /* not a whole, valid ICMP message */
		hops = buf[8];
		icmp += ihl, len -= ihl;
	} else {
		if (len < 8)
			return 0;
		hops = ping_cmsg_hops(&msg);
	}
	ping_format_from(r, &from, text, sizeof(text));
	ping_on_icmp(r, icmp, len, hops, text);
	return 0;
}

/* Handles replies until deadline, or (unicast) until every request sent
 * so far is answered when is_early. */
static void ping_wait(struct ping_run *r, uint64_t deadline, bool is_early, uint8_t *buf,
		      size_t cap)
{
	struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
	uint64_t now;

	while ((now = tapnet_now_ns()) < deadline) {
		if (is_early && !r->is_group && r->received + r->errors >= r->sent)
			return;
		if (duet_poll(r->stack, &pfd, 1, (int)((deadline - now + 999999) / 1000000)) <= 0)
			continue;
		while (ping_recv(r, buf, cap) == 0)
			;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			r->errors++; /* a pending error the stack reported (EHOSTUNREACH ...) */
			printf("ping: recvmsg: %s\n", strerror(errno));
		}
	}
}

/* A square root by Newton's method: the tool does not link libm for one
 * mdev figure. */
static double ping_sqrt(double v)
{
	double x = v > 1.0 ? v : 1.0;
	int i;

	if (v <= 0.0)
		return 0.0;
	for (i = 0; i < 64; i++)
		x = (x + v / x) / 2.0;
	return x;
}

static void ping_summary(const struct ping_run *r)
{
	char extra[64] = "";

	if (r->dups)
		snprintf(extra, sizeof(extra), "+%u duplicates, ", r->dups);
	if (r->errors)
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), "+%u errors, ",
			 r->errors);
	printf("--- ping statistics ---\n%u packets transmitted, %u received, %s%u%% packet loss\n",
	       r->sent, r->received, extra,
	       r->sent ? 100 * (r->sent - (r->received < r->sent ? r->received : r->sent)) / r->sent
		       : 0);
	if (r->timed) {
		double avg = r->tsum / r->timed, var = r->tsum2 / r->timed - avg * avg;
		printf("rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms\n", r->tmin, avg, r->tmax,
		       ping_sqrt(var));
	}
}

static void ping_loop(struct ping_run *r, const struct ping_opts *p)
{
	uint64_t gap = (uint64_t)(p->interval_s * 1e9), t0;
	size_t cap = 65536 + 60;
	uint8_t *buf = malloc(cap);
	uint32_t seq;

	if (!buf)
		return;
	for (seq = 1; seq <= p->count; seq++) {
		t0 = tapnet_now_ns();
		ping_send(r, (uint16_t)seq, buf);
		if (seq < p->count)
			ping_wait(r, t0 + gap, false, buf, cap);
		else
			ping_wait(r, t0 + (gap > PING_LAST_WAIT_NS ? gap : PING_LAST_WAIT_NS), true,
				  buf, cap);
	}
	free(buf);
}

int tool_ping(int argc, char **argv)
{
	struct ping_opts p = { .size = 56, .count = 4, .interval_s = 1.0, .hops = -1 };
	struct tapnet_opts o;
	struct tapnet n;
	struct ping_run *r;
	int rc = 1;

	memset(&o, 0, sizeof(o));
	if (ping_parse(argc, argv, &p, &o) != 0)
		return 2;
	r = calloc(1, sizeof(*r));
	if (!r)
		return 1;
	if (tapnet_start(&o, &n) != 0) {
		free(r);
		return 1;
	}
	r->stack = duet_host_stack(n.host);
	r->family = p.dst.family;
	r->size = p.size;
	r->id = (uint16_t)tapnet_now_ns();
	r->fd = -1;
	if (ping_open(r, &p) == 0) {
		tapnet_wait_address(&n, p.dst.family);
		printf("PING %s: %u data bytes\n", p.dst_text, p.size);
		ping_loop(r, &p);
		ping_summary(r);
		rc = r->received ? 0 : 1;
	}
	if (r->fd >= 0)
		duet_close(r->stack, r->fd);
	tapnet_stop(&n);
	free(r);
	return rc;
}
