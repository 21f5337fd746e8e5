/* duet tests — raw sockets between two simulated stacks (SPEC R-1..R-10,
 * B-9, A-4 on raw sockets): what goes on the wire (Next Header, payload,
 * checksums, fragments, IPv4 headers) and what a reader gets. */
#include "sock_fixture.h"

#include <duet/byteorder.h>
#include <duet/csum.h>
#include <duet/wire/icmp6.h>

#include <netinet/icmp6.h>
#include <netinet/in.h>

#define RAW_MAX 16

struct rt {
	struct sk x;
	struct {
		uint8_t b[2048];
		uint32_t len;
	} raw[RAW_MAX];
	unsigned nraw;
	unsigned b_icmp_err;   /* ICMPv6 errors B sent */
};

static void rt_hook_a(struct sf_tap *tap, const struct sf_frame *fr)
{
	struct rt *t = tap->ctx;

	sk_hook_a(tap, fr);
	if (fr->ev->kind == DUET_TRACE_TX && (fr->is_ip6 || fr->is_ip4) && t->nraw < RAW_MAX &&
	    fr->ev->len <= sizeof(t->raw[0].b) && !(fr->is_ip6 && fr->upper == IPPROTO_ICMPV6 &&
						    fr->l4 && fr->l4[0] >= 133 && fr->l4[0] <= 143)) {
		memcpy(t->raw[t->nraw].b, fr->ev->data, fr->ev->len);
		t->raw[t->nraw].len = fr->ev->len;
		t->nraw++;
	}
}

static void rt_hook_b(struct sf_tap *tap, const struct sf_frame *fr)
{
	struct rt *t = tap->ctx;

	sk_hook_b(tap, fr);
	if (fr->ev->kind == DUET_TRACE_TX && fr->is_ip6 && fr->upper == IPPROTO_ICMPV6 && fr->l4 &&
	    fr->l4[0] < 128)
		t->b_icmp_err++;
}

static void rt_setup(struct rt *t)
{
	memset(t, 0, sizeof(*t));
	sk_setup(&t->x);
	t->x.tap_a.hook = rt_hook_a;
	t->x.tap_a.ctx = t;
	t->x.tap_b.hook = rt_hook_b;
	t->x.tap_b.ctx = t;
}

static ssize_t rt_sendto(struct duet_stack *s, int fd, const void *buf, size_t n, const char *addr)
{
	struct sockaddr_storage ss;
	socklen_t l = sk_sa(addr, 0, &ss);

	return duet_sendto(s, fd, buf, n, 0, (struct sockaddr *)&ss, l);
}

static ssize_t rt_recv(struct duet_stack *s, int fd, void *buf, size_t n, char *from)
{
	struct sockaddr_storage ss;
	socklen_t l = sizeof(ss);
	ssize_t r = duet_recvfrom(s, fd, buf, n, MSG_DONTWAIT, (struct sockaddr *)&ss, &l);

	if (r >= 0 && from) {
		if (ss.ss_family == AF_INET6) {
			CHECK_EQ(((struct sockaddr_in6 *)&ss)->sin6_port, 0);
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, from, 64);
		} else {
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, from, 64);
		}
	}
	return r;
}

/* The next message of an ICMPv6 raw socket that is not Neighbour
 * Discovery (which it also sees, R-9). */
static ssize_t rt_recv_icmp(struct duet_stack *s, int fd, uint8_t *buf, size_t n)
{
	ssize_t r;

	do
		r = rt_recv(s, fd, buf, n, NULL);
	while (r > 0 && buf[0] >= ND_ROUTER_SOLICIT && buf[0] <= ND_REDIRECT);
	return r;
}

static int raw6(struct duet_stack *s, int proto)
{
	int fd = duet_socket(s, AF_INET6, SOCK_RAW, proto);

	CHECK(fd >= 3);
	return fd;
}

/* The IPv6 frame A sent last: its Next Header (after a Fragment header)
 * and payload. */
static const uint8_t *rt_last6(const struct rt *t, uint8_t *nh, uint32_t *plen)
{
	unsigned i;

	for (i = t->nraw; i-- > 0;) {
		const uint8_t *ip = t->raw[i].b + DUET_ETH_HDR_LEN;
		if ((ip[0] >> 4) != 6)
			continue;
		*nh = ip[6];
		*plen = duet_get_be16(ip + 4);
		return ip + 40;
	}
	return NULL;
}

/* protocol 0 sends Next Header 255 and receives only
 * it; a protocol filters input by the upper-layer protocol; the IPv6
 * header is added on output and stripped on input; the payload crosses
 * byte for byte. B-9: raw sockets need superuser. */
TEST(raw6_protocols)
{
	struct rt t;
	char buf[64], from[64];
	const uint8_t *p;
	uint8_t nh = 0;
	uint32_t pl = 0;
	int a0, b0, b200, budp;

	rt_setup(&t);
	a0 = raw6(t.x.a, 0);
	b0 = raw6(t.x.b, 0);
	b200 = raw6(t.x.b, 200);
	budp = raw6(t.x.b, IPPROTO_UDP);
	CHECK_EQ(sk_getint(t.x.a, a0, SOL_SOCKET, SO_TYPE), SOCK_RAW);
	CHECK_EQ(rt_sendto(t.x.a, a0, "\x01\x02raw", 5, "fd00::2"), 5);
	sk_run(&t.x);
	p = rt_last6(&t, &nh, &pl);
	CHECK(p && nh == 255 && pl == 5);
	CHECK_MEM(p, "\x01\x02raw", 5);
	CHECK_EQ(rt_recv(t.x.b, b0, buf, sizeof(buf), from), 5);
	CHECK_MEM(buf, "\x01\x02raw", 5);
	CHECK_STR(from, "fd00::1");
	CHECK_EQ(rt_recv(t.x.b, b200, buf, sizeof(buf), NULL), -1);
	CHECK_EQ(errno, EAGAIN);
	/* A UDP datagram: the UDP raw socket sees it from the UDP header on;
	 * the protocol-0 one does not. */
	{
		int u = duet_socket(t.x.a, AF_INET6, SOCK_DGRAM, 0);
		CHECK_EQ(sk_sendto(t.x.a, u, "udp!", "fd00::2", 4444), 4);
		sk_run(&t.x);
		CHECK_EQ(rt_recv(t.x.b, budp, buf, sizeof(buf), NULL), 12);
		CHECK_EQ(duet_get_be16((uint8_t *)buf + 2), 4444);
		CHECK_MEM(buf + 8, "udp!", 4);
		CHECK_EQ(rt_recv(t.x.b, b0, buf, sizeof(buf), NULL), -1);
	}
	/* An unknown protocol taken by a raw socket is no error; once nobody
	 * takes it, B answers Parameter Problem. */
	{
		int a200 = raw6(t.x.a, 200);
		t.b_icmp_err = 0;
		CHECK_EQ(rt_sendto(t.x.a, a200, "x", 1, "fd00::2"), 1);
		sk_run(&t.x);
		CHECK_EQ(rt_recv(t.x.b, b200, buf, sizeof(buf), NULL), 1);
		CHECK_EQ(t.b_icmp_err, 0u);
		CHECK_EQ(duet_close(t.x.b, b200), 0);
		CHECK_EQ(rt_sendto(t.x.a, a200, "x", 1, "fd00::2"), 1);
		sk_run(&t.x);
		CHECK_EQ(t.b_icmp_err, 1u);
	}
	{
		struct duet_cred cr = { 1000, 1000 };
		duet_set_cred(t.x.a, &cr);
		CHECK_EQ(duet_socket(t.x.a, AF_INET6, SOCK_RAW, 200), -1);
		CHECK_EQ(errno, EPERM);
		CHECK_EQ(duet_socket(t.x.a, AF_INET, SOCK_RAW, IPPROTO_ICMP), -1);
		CHECK_EQ(errno, EPERM);
	}
	CHECK(duet_stack_counter(t.x.b, DUET_CTR_RAW_IN_DELIVERS) >= 3);
	sk_teardown(&t.x);
}

/* bind() filters by local address; connect() fixes the peer (send
 * and recv then need no address) and filters by it. A-4 on raw sockets:
 * a Destination Options header given as ancillary data is on the wire
 * and comes back as ancillary data, not in the payload. */
TEST(raw6_bind_connect_ancillary)
{
	struct rt t;
	uint8_t b22[16], ctl[256];
	char buf[64];
	int bb, bc, a, a2;
	struct iovec iov;
	struct msghdr msg;
	struct cmsghdr *c;

	rt_setup(&t);
	sf_a6("fd00::22", b22);
	CHECK_EQ(duet_if_addr_add(t.x.b, (uint32_t)t.x.if_b, AF_INET6, b22, 64, DUET_IFA_F_NODAD), 0);
	bb = raw6(t.x.b, 200);
	CHECK_EQ(sk_bind(t.x.b, bb, "fd00::22", 0), 0);
	bc = raw6(t.x.b, 200);
	CHECK_EQ(sk_connect(t.x.b, bc, "fd00::9", 0), 0); /* nobody there */
	a = raw6(t.x.a, 200);
	CHECK_EQ(rt_sendto(t.x.a, a, "to2", 3, "fd00::2"), 3);
	CHECK_EQ(rt_sendto(t.x.a, a, "to22", 4, "fd00::22"), 4);
	sk_run(&t.x);
	CHECK_EQ(rt_recv(t.x.b, bb, buf, sizeof(buf), NULL), 4); /* only the one to fd00::22 */
	CHECK_MEM(buf, "to22", 4);
	CHECK_EQ(rt_recv(t.x.b, bb, buf, sizeof(buf), NULL), -1);
	CHECK_EQ(rt_recv(t.x.b, bc, buf, sizeof(buf), NULL), -1); /* not from its peer */
	/* Bound to a group: only datagrams to that group (review finding). */
	{
		int bg = raw6(t.x.b, 200);
		struct sockaddr_in6 g;
		memset(&g, 0, sizeof(g));
		g.sin6_family = AF_INET6;
		CHECK_EQ(inet_pton(AF_INET6, "ff02::1", &g.sin6_addr), 1);
		g.sin6_scope_id = (uint32_t)t.x.if_b;
		CHECK_EQ(duet_bind(t.x.b, bg, (struct sockaddr *)&g, sizeof(g)), 0);
		CHECK_EQ(rt_sendto(t.x.a, a, "uni", 3, "fd00::2"), 3);
		sk_run(&t.x);
		CHECK_EQ(rt_recv(t.x.b, bg, buf, sizeof(buf), NULL), -1);
		CHECK_EQ(rt_recv(t.x.b, bb, buf, sizeof(buf), NULL), -1); /* to fd00::2, not ::22 */
		CHECK_EQ(duet_close(t.x.b, bg), 0);
	}
	/* Connected on A's side: send() and recv(). */
	a2 = raw6(t.x.a, 200);
	CHECK_EQ(sk_connect(t.x.a, a2, "fd00::22", 0), 0);
	CHECK_EQ(duet_send(t.x.a, a2, "conn", 4, 0), 4);
	sk_run(&t.x);
	CHECK_EQ(duet_recv(t.x.b, bb, buf, sizeof(buf), MSG_DONTWAIT), 4);
	CHECK_EQ(rt_sendto(t.x.b, bb, "back", 4, "fd00::1"), 4);
	sk_run(&t.x);
	CHECK_EQ(duet_recv(t.x.a, a2, buf, sizeof(buf), MSG_DONTWAIT), 4);
	CHECK_MEM(buf, "back", 4);
	/* Ancillary Destination Options out, and back in. */
	CHECK_EQ(sk_setint(t.x.b, bb, IPPROTO_IPV6, IPV6_RECVDSTOPTS, 1), 0);
	{
		uint8_t d[8] = { 0, 0, 0x1e, 4, 5, 6, 7, 8 };
		uint8_t cb[64];
		struct cmsghdr h;
		memset(cb, 0, sizeof(cb));
		h.cmsg_len = CMSG_LEN(8);
		h.cmsg_level = IPPROTO_IPV6;
		h.cmsg_type = IPV6_DSTOPTS;
		memcpy(cb, &h, sizeof(h));
		memcpy(cb + CMSG_LEN(0), d, 8);
		memset(&msg, 0, sizeof(msg));
		iov.iov_base = "opt";
		iov.iov_len = 3;
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cb;
		msg.msg_controllen = CMSG_SPACE(8);
		CHECK_EQ(duet_sendmsg(t.x.a, a2, &msg, 0), 3);
	}
	sk_run(&t.x);
	{
		uint8_t nh = 0;
		uint32_t pl = 0;
		const uint8_t *p = rt_last6(&t, &nh, &pl);
		CHECK(p && nh == 60 && p[0] == 200 && pl == 11);
		CHECK_MEM(p + 8, "opt", 3);
	}
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl;
	msg.msg_controllen = sizeof(ctl);
	CHECK_EQ(duet_recvmsg(t.x.b, bb, &msg, MSG_DONTWAIT), 3);
	CHECK_MEM(buf, "opt", 3);
	c = CMSG_FIRSTHDR(&msg);
	CHECK(c && c->cmsg_type == IPV6_DSTOPTS && c->cmsg_len == CMSG_LEN(8));
	CHECK_EQ(CMSG_DATA(c)[0], 200);
	sk_teardown(&t.x);
}

/* output beyond the path MTU is fragmented (EMSGSIZE with
 * IPV6_DONTFRAG), input is reassembled: the reader gets the whole
 * payload, never a Fragment header. */
TEST(raw6_fragments)
{
	struct rt t;
	static uint8_t big[3000], got[4000];
	unsigned i, nfrag = 0;
	int a, b;

	rt_setup(&t);
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	a = raw6(t.x.a, 200);
	b = raw6(t.x.b, 200);
	CHECK_EQ(rt_sendto(t.x.a, a, big, sizeof(big), "fd00::2"), (ssize_t)sizeof(big));
	sk_run(&t.x);
	for (i = 0; i < t.nraw; i++)
		nfrag += t.raw[i].b[DUET_ETH_HDR_LEN + 6] == 44;
	CHECK_EQ(nfrag, 3u);
	CHECK_EQ(rt_recv(t.x.b, b, got, sizeof(got), NULL), (ssize_t)sizeof(big));
	CHECK_MEM(got, big, sizeof(big));
	CHECK_EQ(sk_setint(t.x.a, a, IPPROTO_IPV6, IPV6_DONTFRAG, 1), 0);
	CHECK_EQ(rt_sendto(t.x.a, a, big, sizeof(big), "fd00::2"), -1);
	CHECK_EQ(errno, EMSGSIZE);
	sk_teardown(&t.x);
}

/* an ICMPv6 raw socket: the stack fills the checksum of what it
 * sends (whatever the application put there) and verifies what it
 * receives (a bad one is dropped and counted); it sees the messages the
 * stack answers itself (echo requests, Neighbour Solicitations), as
 * ICMP6_FILTER lets it. */
TEST(raw6_icmp6)
{
	struct rt t;
	uint8_t req[12] = { 128, 0, 0xde, 0xad, 0x12, 0x34, 0, 1, 'p', 'i', 'n', 'g' }, buf[64];
	uint8_t a6[16], b6[16];
	struct icmp6_filter f;
	const uint8_t *p;
	uint8_t nh = 0;
	uint32_t pl = 0;
	int a, b, nd;
	unsigned seen_ns = 0;

	rt_setup(&t);
	sf_a6("fd00::1", a6);
	sf_a6("fd00::2", b6);
	a = raw6(t.x.a, IPPROTO_ICMPV6);
	b = raw6(t.x.b, IPPROTO_ICMPV6);
	nd = raw6(t.x.b, IPPROTO_ICMPV6);
	ICMP6_FILTER_SETBLOCKALL(&f);
	ICMP6_FILTER_SETPASS(ND_NEIGHBOR_SOLICIT, &f);
	CHECK_EQ(duet_setsockopt(t.x.b, nd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)), 0);
	CHECK_EQ(sk_setint(t.x.a, a, IPPROTO_IPV6, IPV6_CHECKSUM, 2), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(rt_sendto(t.x.a, a, req, sizeof(req), "fd00::2"), (ssize_t)sizeof(req));
	sk_run(&t.x);
	p = rt_last6(&t, &nh, &pl);
	CHECK(p && nh == IPPROTO_ICMPV6 && pl == sizeof(req));
	CHECK_EQ(duet_icmp6_csum_verify(p, pl, duet_csum_pseudo6(a6, b6, pl, IPPROTO_ICMPV6)), 0);
	/* B's stack answered; A's raw socket has the reply, B's the request. */
	CHECK_EQ(rt_recv_icmp(t.x.a, a, buf, sizeof(buf)), (ssize_t)sizeof(req));
	CHECK_EQ(buf[0], 129);
	CHECK_MEM(buf + 4, req + 4, 8);
	CHECK_EQ(rt_recv_icmp(t.x.b, b, buf, sizeof(buf)), (ssize_t)sizeof(req));
	CHECK_EQ(buf[0], 128);
	CHECK_EQ(rt_recv_icmp(t.x.b, b, buf, sizeof(buf)), -1);
	/* The filtered socket saw only B's incoming solicitations. */
	while (rt_recv(t.x.b, nd, buf, sizeof(buf), NULL) > 0) {
		CHECK_EQ(buf[0], ND_NEIGHBOR_SOLICIT);
		seen_ns++;
	}
	CHECK(seen_ns >= 1);
	CHECK(duet_stack_counter(t.x.b, DUET_CTR_RAW_FILTERED) >= 1);
	/* A corrupted checksum from A's side: no raw socket sees it. */
	{
		struct duet_ip6_hdr ih;
		uint8_t bad[12];
		memcpy(bad, req, sizeof(bad));
		duet_icmp6_csum_set(bad, sizeof(bad), duet_csum_pseudo6(a6, b6, sizeof(bad),
									  IPPROTO_ICMPV6));
		bad[3] ^= 0x40;
		memset(&ih, 0, sizeof(ih));
		ih.next_header = IPPROTO_ICMPV6;
		ih.hop_limit = 64;
		ih.payload_length = sizeof(bad);
		memcpy(ih.src, a6, 16);
		memcpy(ih.dst, b6, 16);
		CHECK_EQ(sf_send_ip6(t.x.a, (uint32_t)t.x.if_a, sf_mac(t.x.b, (uint32_t)t.x.if_b), &ih,
				     NULL, bad, sizeof(bad)),
			 0);
		sk_run(&t.x);
		CHECK_EQ(rt_recv_icmp(t.x.b, b, buf, sizeof(buf)), -1);
		CHECK(duet_stack_counter(t.x.b, DUET_CTR_DROP_RAW_BAD_CHECKSUM) >= 1);
	}
	sk_teardown(&t.x);
}

/* IPV6_CHECKSUM on another protocol: the stack writes the checksum
 * at the offset on output, verifies it on input (bad and short payloads
 * dropped and counted), and refuses a send too short for it. */
TEST(raw6_ipv6_checksum)
{
	struct rt t;
	uint8_t msg[10] = { 1, 2, 3, 4, 0, 0, 7, 8, 9, 10 }, buf[64], a6[16], b6[16];
	const uint8_t *p;
	uint8_t nh = 0;
	uint32_t pl = 0;
	int a, b;

	rt_setup(&t);
	sf_a6("fd00::1", a6);
	sf_a6("fd00::2", b6);
	a = raw6(t.x.a, 200);
	b = raw6(t.x.b, 200);
	CHECK_EQ(sk_setint(t.x.a, a, IPPROTO_IPV6, IPV6_CHECKSUM, 4), 0);
	CHECK_EQ(sk_setint(t.x.b, b, IPPROTO_IPV6, IPV6_CHECKSUM, 4), 0);
	CHECK_EQ(sk_setint(t.x.a, a, IPPROTO_IPV6, IPV6_CHECKSUM, 5), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(rt_sendto(t.x.a, a, msg, sizeof(msg), "fd00::2"), (ssize_t)sizeof(msg));
	sk_run(&t.x);
	p = rt_last6(&t, &nh, &pl);
	CHECK(p && nh == 200 && pl == sizeof(msg));
	CHECK_EQ(duet_csum_fold(duet_csum_partial(p, pl, duet_csum_pseudo6(a6, b6, pl, 200))), 0);
	CHECK(p[4] != 0 || p[5] != 0);
	CHECK_EQ(rt_recv(t.x.b, b, buf, sizeof(buf), NULL), (ssize_t)sizeof(msg));
	CHECK_EQ(rt_sendto(t.x.a, a, msg, 5, "fd00::2"), -1);
	CHECK_EQ(errno, EINVAL);
	/* Without the option on A: the zero field does not verify at B;
	 * a 3-octet payload is too short for B's offset. */
	CHECK_EQ(sk_setint(t.x.a, a, IPPROTO_IPV6, IPV6_CHECKSUM, -1), 0);
	CHECK_EQ(rt_sendto(t.x.a, a, msg, sizeof(msg), "fd00::2"), (ssize_t)sizeof(msg));
	CHECK_EQ(rt_sendto(t.x.a, a, msg, 3, "fd00::2"), 3);
	sk_run(&t.x);
	CHECK_EQ(rt_recv(t.x.b, b, buf, sizeof(buf), NULL), -1);
	CHECK_EQ(duet_stack_counter(t.x.b, DUET_CTR_DROP_RAW_BAD_CHECKSUM), 1u);
	CHECK_EQ(duet_stack_counter(t.x.b, DUET_CTR_DROP_RAW_SHORT), 1u);
	sk_teardown(&t.x);
}

/* IPv4 raw sockets read whole datagrams, header included; without
 * IP_HDRINCL the stack adds the header (ICMP's checksum is the
 * application's, as on Linux); with it the application's header goes out
 * with its TTL, TOS, Identification and protocol. */
TEST(raw4_hdrincl)
{
	struct rt t;
	uint8_t req[8] = { 8, 0, 0, 0, 0x43, 0x21, 0, 1 }, buf[128], h[24];
	uint16_t c;
	int a, b, b200, one = 1;
	unsigned i;
	const uint8_t *ip = NULL;

	rt_setup(&t);
	a = duet_socket(t.x.a, AF_INET, SOCK_RAW, IPPROTO_ICMP);
	b = duet_socket(t.x.b, AF_INET, SOCK_RAW, IPPROTO_ICMP);
	b200 = duet_socket(t.x.b, AF_INET, SOCK_RAW, 200);
	CHECK(a >= 3 && b >= 3 && b200 >= 3);
	c = duet_csum(req, sizeof(req));
	duet_put_be16(req + 2, c);
	CHECK_EQ(rt_sendto(t.x.a, a, req, sizeof(req), "10.0.0.2"), 8);
	sk_run(&t.x);
	/* A's socket reads B's reply, B's the request, IPv4 header first. */
	CHECK_EQ(rt_recv(t.x.a, a, buf, sizeof(buf), NULL), 28);
	CHECK_EQ(buf[0], 0x45);
	CHECK_EQ(buf[9], IPPROTO_ICMP);
	CHECK_EQ(buf[20], 0); /* echo reply */
	CHECK_EQ(rt_recv(t.x.b, b, buf, sizeof(buf), NULL), 28);
	CHECK_EQ(buf[20], 8);
	/* IP_HDRINCL: our own header. */
	CHECK_EQ(duet_setsockopt(t.x.a, a, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)), 0);
	memset(h, 0, sizeof(h));
	h[0] = 0x45;
	h[1] = 0x10;
	h[4] = 0x42, h[5] = 0x42;
	h[8] = 7;
	h[9] = 200;
	memcpy(h + 12, ((const uint8_t[]){ 10, 0, 0, 1 }), 4);
	memcpy(h + 16, ((const uint8_t[]){ 10, 0, 0, 2 }), 4);
	memcpy(h + 20, "hdri", 4);
	t.nraw = 0;
	CHECK_EQ(rt_sendto(t.x.a, a, h, sizeof(h), "10.0.0.2"), 24);
	sk_run(&t.x);
	for (i = 0; i < t.nraw; i++)
		if (t.raw[i].b[DUET_ETH_HDR_LEN] == 0x45)
			ip = t.raw[i].b + DUET_ETH_HDR_LEN;
	CHECK(ip != NULL);
	CHECK_EQ(ip[1], 0x10);
	CHECK_EQ(duet_get_be16(ip + 4), 0x4242);
	CHECK_EQ(ip[8], 7);
	CHECK_EQ(ip[9], 200);
	CHECK_EQ(duet_get_be16(ip + 2), 24);
	CHECK_EQ(duet_csum(ip, 20), 0);
	CHECK_EQ(rt_recv(t.x.b, b200, buf, sizeof(buf), NULL), 24);
	CHECK_MEM(buf + 20, "hdri", 4);
	/* Broadcast needs SO_BROADCAST; an IP_HDRINCL datagram over the MTU
	 * is EMSGSIZE, never fragmented (Linux). */
	{
		static uint8_t big[1600];
		memcpy(big, h, 20);
		duet_put_be16(big + 2, sizeof(big));
		CHECK_EQ(rt_sendto(t.x.a, a, big, sizeof(big), "10.0.0.2"), -1);
		CHECK_EQ(errno, EMSGSIZE);
		CHECK_EQ(duet_setsockopt(t.x.a, a, IPPROTO_IP, IP_HDRINCL, &(int){ 0 }, sizeof(int)),
			 0);
		CHECK_EQ(rt_sendto(t.x.a, a, req, sizeof(req), "10.0.0.255"), -1);
		CHECK_EQ(errno, EACCES);
		CHECK_EQ(duet_setsockopt(t.x.a, a, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)), 0);
		CHECK_EQ(rt_sendto(t.x.a, a, req, sizeof(req), "10.0.0.255"), 8);
		CHECK_EQ(duet_setsockopt(t.x.a, a, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)), 0);
	}
	/* A header that is not IPv4, or longer than the datagram: EINVAL. */
	h[0] = 0x65;
	CHECK_EQ(rt_sendto(t.x.a, a, h, sizeof(h), "10.0.0.2"), -1);
	CHECK_EQ(errno, EINVAL);
	h[0] = 0x4f;
	CHECK_EQ(rt_sendto(t.x.a, a, h, sizeof(h), "10.0.0.2"), -1);
	CHECK_EQ(errno, EINVAL);
	sk_teardown(&t.x);
}

/* B-4 on raw sockets: a multicast datagram to a group this host joined on
 * the outgoing interface is also delivered to the local raw sockets of
 * its protocol (hop limit 0: only to them), unless IPV6_MULTICAST_LOOP is
 * off. */
TEST(raw6_multicast_loop)
{
	struct rt t;
	struct ipv6_mreq mr;
	char buf[64];
	int tx, rx, zero = 0;

	rt_setup(&t);
	tx = raw6(t.x.a, 200);
	rx = raw6(t.x.a, 200);
	memset(&mr, 0, sizeof(mr));
	CHECK_EQ(inet_pton(AF_INET6, "ff02::1:9", &mr.ipv6mr_multiaddr), 1);
	mr.ipv6mr_interface = (unsigned)t.x.if_a;
	CHECK_EQ(duet_setsockopt(t.x.a, rx, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)), 0);
	CHECK_EQ(sk_setint(t.x.a, tx, IPPROTO_IPV6, IPV6_MULTICAST_IF, t.x.if_a), 0);
	CHECK_EQ(sk_setint(t.x.a, tx, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 0), 0);
	CHECK_EQ(rt_sendto(t.x.a, tx, "loop", 4, "ff02::1:9"), 4);
	CHECK_EQ(rt_recv(t.x.a, rx, buf, sizeof(buf), NULL), 4);
	CHECK_MEM(buf, "loop", 4);
	CHECK_EQ(rt_recv(t.x.a, tx, buf, sizeof(buf), NULL), 4); /* the sender's own, as Linux */
	CHECK_EQ(sk_setint(t.x.a, tx, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, zero), 0);
	CHECK_EQ(rt_sendto(t.x.a, tx, "none", 4, "ff02::1:9"), 4);
	CHECK_EQ(rt_recv(t.x.a, rx, buf, sizeof(buf), NULL), -1);
	CHECK_EQ(errno, EAGAIN);
	sk_teardown(&t.x);
}
