/* duet tests — the advanced IPv6 API on UDP sockets between two simulated
 * stacks (SPEC ): ancillary
 * data on sendmsg and recvmsg, sticky options, conflict order, with
 * asserts on the wire (header order and bytes, hop limits, interfaces,
 * next hops) and on the API (values, errno, MSG_CTRUNC). */
#include "sock_fixture.h"

#include <duet/byteorder.h>
#include <duet/csum.h>
#include <duet/ip6opt.h>
#include <duet/net.h>
#include <duet/wire/udp.h>

#include <netinet/in.h>

#define RAW_MAX 16

/* Raw frames A sent, with their interface. */
struct adv {
	struct sk x;
	int if_a2, if_b2;           /* a second cable (conflict tests) */
	struct {
		uint8_t b[2048];
		uint32_t len, ifindex;
		uint8_t upper;
	} raw[RAW_MAX];
	unsigned nraw;
};

/* The protocol after a frame's Hop-by-Hop, Routing and Destination
 * Options headers (44 for a fragment). */
static uint8_t adv_upper(const uint8_t *b, uint32_t len)
{
	uint32_t off = DUET_ETH_HDR_LEN + 40;
	uint8_t nh = b[DUET_ETH_HDR_LEN + 6];

	while ((nh == 0 || nh == 43 || nh == 60) && off + 2 <= len) {
		nh = b[off];
		off += (b[off + 1] + 1u) * 8u;
	}
	return nh;
}

static void adv_hook_a(struct sf_tap *tap, const struct sf_frame *fr)
{
	struct adv *t = tap->ctx;

	sk_hook_a(tap, fr); /* struct sk first: the fixture's own record */
	if (fr->ev->kind == DUET_TRACE_TX && fr->is_ip6 &&
	    (adv_upper(fr->ev->data, fr->ev->len) == IPPROTO_UDP ||
	     adv_upper(fr->ev->data, fr->ev->len) == 44) &&
	    t->nraw < RAW_MAX &&
	    fr->ev->len <= sizeof(t->raw[0].b)) {
		memcpy(t->raw[t->nraw].b, fr->ev->data, fr->ev->len);
		t->raw[t->nraw].len = fr->ev->len;
		t->raw[t->nraw].ifindex = fr->ev->ifindex;
		t->raw[t->nraw].upper = fr->upper;
		t->nraw++;
	}
}

static void adv_setup(struct adv *t, bool two_links)
{
	memset(t, 0, sizeof(*t));
	sk_setup(&t->x);
	t->x.tap_a.hook = adv_hook_a;
	t->x.tap_a.ctx = t;
	if (two_links) {
		uint8_t a2[16], b2[16];
		CHECK_EQ(duet_sim_connect(t->x.sim, t->x.a, t->x.b, NULL, &t->if_a2, &t->if_b2), 0);
		sf_a6("fd01::1", a2);
		sf_a6("fd01::2", b2);
		CHECK_EQ(duet_if_addr_add(t->x.a, (uint32_t)t->if_a2, AF_INET6, a2, 64,
					  DUET_IFA_F_NODAD),
			 0);
		CHECK_EQ(duet_if_addr_add(t->x.b, (uint32_t)t->if_b2, AF_INET6, b2, 64,
					  DUET_IFA_F_NODAD),
			 0);
		duet_sim_run_for(t->x.sim, SF_MS(10));
	}
	t->nraw = 0;
}

/* The last UDP-carrying IPv6 frame A sent (after any extension headers),
 * or NULL. */
static const uint8_t *adv_last(const struct adv *t, uint32_t *len, uint32_t *ifindex)
{
	unsigned i;

	for (i = t->nraw; i-- > 0;) {
		*len = t->raw[i].len;
		if (ifindex)
			*ifindex = t->raw[i].ifindex;
		return t->raw[i].b;
	}
	return NULL;
}

/* A control buffer being filled with objects. */
struct cbuf {
	uint8_t b[4096];
	size_t len;
};

static void cb_add(struct cbuf *c, int level, int type, const void *data, size_t len)
{
	struct cmsghdr h;

	memset(&h, 0, sizeof(h));
	h.cmsg_len = CMSG_LEN(len);
	h.cmsg_level = level;
	h.cmsg_type = type;
	memcpy(c->b + c->len, &h, sizeof(h));
	memcpy(c->b + c->len + CMSG_LEN(0), data, len);
	c->len += CMSG_SPACE(len);
}

static void cb_int(struct cbuf *c, int level, int type, int v)
{
	cb_add(c, level, type, &v, sizeof(v));
}

/* sendmsg of text to addr:port with control (NULL: none). */
static ssize_t adv_send(struct duet_stack *s, int fd, const char *text, size_t n, const char *addr,
			uint16_t port, uint32_t scope, const void *ctl, size_t ctl_len)
{
	struct sockaddr_storage ss;
	struct iovec iov = { (void *)text, n };
	struct msghdr msg;

	memset(&msg, 0, sizeof(msg));
	if (addr) {
		msg.msg_namelen = sk_sa(addr, port, &ss);
		if (ss.ss_family == AF_INET6)
			((struct sockaddr_in6 *)&ss)->sin6_scope_id = scope;
		msg.msg_name = &ss;
	}
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = (void *)ctl;
	msg.msg_controllen = ctl_len;
	return duet_sendmsg(s, fd, &msg, 0);
}

/* recvmsg into buf with a control buffer of cap bytes at ctl. */
static ssize_t adv_recv(struct duet_stack *s, int fd, char *buf, size_t n, void *ctl, size_t cap,
			size_t *ctl_len, int *flags)
{
	struct iovec iov = { buf, n };
	struct msghdr msg;
	ssize_t r;

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl;
	msg.msg_controllen = cap;
	r = duet_recvmsg(s, fd, &msg, MSG_DONTWAIT);
	*ctl_len = msg.msg_controllen;
	*flags = msg.msg_flags;
	return r;
}

/* The k-th object of a received control buffer (copied out: the buffer is
 * ours and aligned, but read it as an application must). */
static const struct cmsghdr *cm_at(const uint8_t *ctl, size_t len, unsigned k)
{
	struct msghdr m;
	struct cmsghdr *c;

	memset(&m, 0, sizeof(m));
	m.msg_control = (void *)ctl;
	m.msg_controllen = len;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (k-- == 0)
			return c;
	return NULL;
}

static int cm_int(const struct cmsghdr *c)
{
	int v;

	memcpy(&v, CMSG_DATA(c), sizeof(v));
	return v;
}

static int udp6_socket(struct duet_stack *s, uint16_t port)
{
	int fd = duet_socket(s, AF_INET6, SOCK_DGRAM, 0);

	CHECK(fd >= 3);
	if (port)
		CHECK_EQ(sk_bind(s, fd, "::", port), 0);
	return fd;
}

/* IPV6_RECVPKTINFO, RECVHOPLIMIT, RECVTCLASS and
 * IPV6_FLOWINFO report the datagram's destination, arrival interface,
 * hop limit, traffic class and flow label, in Linux's order; the RFC
 * 2292 spellings come as their own types. */
TEST(adv_recv_pktinfo_hoplimit_tclass)
{
	struct adv t;
	uint8_t ctl[512], b6[16];
	size_t cl;
	char buf[64];
	int flags, srv, cli;
	const struct cmsghdr *c;
	struct in6_pktinfo pi;
	uint32_t fi;

	adv_setup(&t, false);
	srv = udp6_socket(t.x.b, 7000);
	cli = udp6_socket(t.x.a, 0);
	CHECK_EQ(sk_setint(t.x.b, srv, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1), 0);
	CHECK_EQ(sk_setint(t.x.b, srv, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1), 0);
	CHECK_EQ(sk_setint(t.x.b, srv, IPPROTO_IPV6, IPV6_RECVTCLASS, 1), 0);
	CHECK_EQ(sk_setint(t.x.b, srv, IPPROTO_IPV6, DUET_IPV6_FLOWINFO, 1), 0);
	CHECK_EQ(sk_setint(t.x.b, srv, IPPROTO_IPV6, IPV6_2292HOPLIMIT, 1), 0);
	CHECK_EQ(sk_getint(t.x.b, srv, IPPROTO_IPV6, IPV6_RECVPKTINFO), 1); /* */
	CHECK_EQ(sk_getint(t.x.b, srv, IPPROTO_IPV6, IPV6_2292HOPLIMIT), 1);
	CHECK_EQ(sk_getint(t.x.b, srv, IPPROTO_IPV6, IPV6_RECVRTHDR), 0);
	CHECK_EQ(sk_setint(t.x.a, cli, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 9), 0);
	CHECK_EQ(sk_setint(t.x.a, cli, IPPROTO_IPV6, IPV6_TCLASS, 0xb8), 0);
	CHECK_EQ(sk_sendto(t.x.a, cli, "hello", "fd00::2", 7000), 5);
	sk_run(&t.x);
	CHECK_EQ(adv_recv(t.x.b, srv, buf, sizeof(buf), ctl, sizeof(ctl), &cl, &flags), 5);
	CHECK_EQ(flags & MSG_CTRUNC, 0);
	CHECK_EQ(cl, CMSG_SPACE(sizeof(pi)) + 3 * CMSG_SPACE(sizeof(int)) + CMSG_SPACE(4));
	c = cm_at(ctl, cl, 0);
	CHECK(c && c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO);
	CHECK_EQ(c->cmsg_len, CMSG_LEN(sizeof(pi)));
	memcpy(&pi, CMSG_DATA(c), sizeof(pi));
	sf_a6("fd00::2", b6);
	CHECK_MEM(pi.ipi6_addr.s6_addr, b6, 16);
	CHECK_EQ(pi.ipi6_ifindex, (unsigned)t.x.if_b);
	c = cm_at(ctl, cl, 1);
	CHECK(c && c->cmsg_type == IPV6_HOPLIMIT && cm_int(c) == 9);
	c = cm_at(ctl, cl, 2);
	CHECK(c && c->cmsg_type == IPV6_TCLASS && cm_int(c) == 0xb8);
	c = cm_at(ctl, cl, 3);
	CHECK(c && c->cmsg_type == DUET_IPV6_FLOWINFO && c->cmsg_len == CMSG_LEN(4));
	memcpy(&fi, CMSG_DATA(c), 4);
	fi = ntohl(fi);
	CHECK_EQ(fi >> 20, 0xb8u);
	CHECK_EQ(fi & 0xfffffu, sk_last_tx(&t.x, IPPROTO_UDP)->flow);
	c = cm_at(ctl, cl, 4);
	CHECK(c && c->cmsg_type == IPV6_2292HOPLIMIT && cm_int(c) == 9);
	CHECK(!cm_at(ctl, cl, 5));

	/* Switched off: nothing. */
	CHECK_EQ(sk_setint(t.x.b, srv, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 0), 0);
	CHECK_EQ(sk_setint(t.x.b, srv, IPPROTO_IPV6, IPV6_RECVTCLASS, 0), 0);
	CHECK_EQ(sk_setint(t.x.b, srv, IPPROTO_IPV6, DUET_IPV6_FLOWINFO, 0), 0);
	CHECK_EQ(sk_setint(t.x.b, srv, IPPROTO_IPV6, IPV6_2292HOPLIMIT, 0), 0);
	CHECK_EQ(sk_setint(t.x.b, srv, IPPROTO_IPV6, IPV6_RECVPKTINFO, 0), 0);
	CHECK_EQ(sk_setint(t.x.b, srv, IPPROTO_IPV6, IPV6_2292PKTINFO, 1), 0);
	CHECK_EQ(sk_sendto(t.x.a, cli, "again", "fd00::2", 7000), 5);
	sk_run(&t.x);
	CHECK_EQ(adv_recv(t.x.b, srv, buf, sizeof(buf), ctl, sizeof(ctl), &cl, &flags), 5);
	CHECK_EQ(cl, CMSG_SPACE(sizeof(pi)));
	c = cm_at(ctl, cl, 0);
	CHECK(c && c->cmsg_type == IPV6_2292PKTINFO);
	sk_teardown(&t.x);
}

/* A-1 for IPv4 on both families: an AF_INET6 socket gets IPV6_PKTINFO with
 * the v4-mapped destination (and, as Linux, no IPV6_HOPLIMIT); IP_PKTINFO,
 * IP_RECVTTL and IP_RECVTOS give in_pktinfo, the TTL (an int) and the TOS
 * (one octet) on AF_INET and AF_INET6 sockets alike. */
TEST(adv_recv_ipv4)
{
	struct adv t;
	uint8_t ctl[512];
	size_t cl;
	char buf[64];
	int flags, srv6, srv4, cli, v;
	const struct cmsghdr *c;
	struct in6_pktinfo pi6;
	struct in_pktinfo pi4;

	adv_setup(&t, false);
	srv6 = udp6_socket(t.x.b, 7001);
	srv4 = duet_socket(t.x.b, AF_INET, SOCK_DGRAM, 0);
	CHECK_EQ(sk_bind(t.x.b, srv4, "0.0.0.0", 7002), 0);
	cli = duet_socket(t.x.a, AF_INET, SOCK_DGRAM, 0);
	CHECK_EQ(sk_setint(t.x.b, srv6, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1), 0);
	CHECK_EQ(sk_setint(t.x.b, srv6, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1), 0);
	CHECK_EQ(sk_setint(t.x.b, srv6, IPPROTO_IP, IP_RECVTTL, 1), 0);
	CHECK_EQ(sk_setint(t.x.b, srv4, IPPROTO_IP, IP_PKTINFO, 1), 0);
	CHECK_EQ(sk_setint(t.x.b, srv4, IPPROTO_IP, IP_RECVTTL, 1), 0);
	CHECK_EQ(sk_setint(t.x.b, srv4, IPPROTO_IP, IP_RECVTOS, 1), 0);
	CHECK_EQ(sk_getint(t.x.b, srv4, IPPROTO_IP, IP_RECVTOS), 1); /* */
	CHECK_EQ(sk_setint(t.x.a, cli, IPPROTO_IP, IP_TTL, 33), 0);
	CHECK_EQ(sk_setint(t.x.a, cli, IPPROTO_IP, IP_TOS, 0x20), 0);
	CHECK_EQ(sk_sendto(t.x.a, cli, "v4", "10.0.0.2", 7001), 2);
	CHECK_EQ(sk_sendto(t.x.a, cli, "v4", "10.0.0.2", 7002), 2);
	sk_run(&t.x);

	CHECK_EQ(adv_recv(t.x.b, srv6, buf, sizeof(buf), ctl, sizeof(ctl), &cl, &flags), 2);
	CHECK_EQ(cl, CMSG_SPACE(sizeof(pi6)) + CMSG_SPACE(sizeof(int)));
	c = cm_at(ctl, cl, 0);
	CHECK(c && c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO);
	memcpy(&pi6, CMSG_DATA(c), sizeof(pi6));
	CHECK(IN6_IS_ADDR_V4MAPPED(&pi6.ipi6_addr));
	CHECK_MEM(pi6.ipi6_addr.s6_addr + 12, ((const uint8_t[]){ 10, 0, 0, 2 }), 4);
	CHECK_EQ(pi6.ipi6_ifindex, (unsigned)t.x.if_b);
	c = cm_at(ctl, cl, 1);
	CHECK(c && c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL && cm_int(c) == 33);

	CHECK_EQ(adv_recv(t.x.b, srv4, buf, sizeof(buf), ctl, sizeof(ctl), &cl, &flags), 2);
	CHECK_EQ(cl, CMSG_SPACE(sizeof(pi4)) + CMSG_SPACE(sizeof(int)) + CMSG_SPACE(1));
	c = cm_at(ctl, cl, 0);
	CHECK(c && c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO);
	memcpy(&pi4, CMSG_DATA(c), sizeof(pi4));
	CHECK_EQ(pi4.ipi_ifindex, t.x.if_b);
	CHECK_MEM(&pi4.ipi_addr, ((const uint8_t[]){ 10, 0, 0, 2 }), 4);
	CHECK_MEM(&pi4.ipi_spec_dst, ((const uint8_t[]){ 10, 0, 0, 2 }), 4);
	c = cm_at(ctl, cl, 1);
	CHECK(c && c->cmsg_type == IP_TTL && cm_int(c) == 33);
	c = cm_at(ctl, cl, 2);
	CHECK(c && c->cmsg_type == IP_TOS && c->cmsg_len == CMSG_LEN(1) && *CMSG_DATA(c) == 0x20);

	/* IP_TTL / IP_TOS as ancillary data override the socket's (IPv4). */
	{
		struct cbuf cb;
		const struct sk_frame *f;
		memset(&cb, 0, sizeof(cb));
		cb_int(&cb, IPPROTO_IP, IP_TTL, 5);
		cb_int(&cb, IPPROTO_IP, IP_TOS, 0x48);
		CHECK_EQ(adv_send(t.x.a, cli, "x", 1, "10.0.0.2", 7002, 0, cb.b, cb.len), 1);
		sk_run(&t.x);
		f = sk_last_tx(&t.x, IPPROTO_UDP);
		CHECK(f && f->is_ip4 && f->hop_limit == 5 && f->tclass == 0x48);
		memset(&cb, 0, sizeof(cb));
		cb_int(&cb, IPPROTO_IP, IP_TTL, 0);
		CHECK_EQ(adv_send(t.x.a, cli, "x", 1, "10.0.0.2", 7002, 0, cb.b, cb.len), -1);
		CHECK_EQ(errno, EINVAL);
		v = 0;
		memset(&cb, 0, sizeof(cb));
		memset(&pi4, 0, sizeof(pi4));
		memcpy(&pi4.ipi_spec_dst, ((const uint8_t[]){ 10, 0, 0, 9 }), 4);
		cb_add(&cb, IPPROTO_IP, IP_PKTINFO, &pi4, sizeof(pi4));
		CHECK_EQ(adv_send(t.x.a, cli, "x", 1, "10.0.0.2", 7002, 0, cb.b, cb.len), -1);
		CHECK_EQ(errno, EINVAL); /* not our address */
		(void)v;
	}
	sk_teardown(&t.x);
}

/* An options header with one skippable option (type 0x1e: act 00) of n
 * data octets, aligned to al, built with the RFC 3542 helpers. */
static int build_opts(uint8_t *buf, size_t cap, uint8_t fill, int n, int al)
{
	int off = duet_inet6_opt_init(NULL, 0);
	void *db;
	uint8_t data[16];

	off = duet_inet6_opt_append(NULL, 0, off, 0x1e, (socklen_t)n, (uint8_t)al, NULL);
	off = duet_inet6_opt_finish(NULL, 0, off);
	CHECK(off > 0 && (size_t)off <= cap);
	CHECK_EQ(duet_inet6_opt_init(buf, (socklen_t)off), 2);
	memset(data, fill, sizeof(data));
	CHECK(duet_inet6_opt_append(buf, (socklen_t)off, 2, 0x1e, (socklen_t)n, (uint8_t)al, &db) > 0);
	duet_inet6_opt_set_val(db, 0, data, n);
	duet_inet6_opt_finish(buf, (socklen_t)off,
			      duet_inet6_opt_append(NULL, 0, 2, 0x1e, (socklen_t)n, (uint8_t)al, NULL));
	buf[0] = 0;
	return off;
}

/* Hop-by-Hop and Destination options given as ancillary data leave in
 * RFC 8200 order whatever order the objects came in, byte for byte, and
 * the receiver gets each back as ancillary data (and in the RFC 2292
 * spellings). */
TEST(adv_ext_headers_roundtrip)
{
	struct adv t;
	uint8_t hbh[64], dst[64], ctl[1024];
	int nh = 0, nd = 0, srv, cli, flags;
	struct cbuf cb;
	const uint8_t *f;
	uint32_t len;
	size_t cl;
	char buf[64];
	const struct cmsghdr *c;

	adv_setup(&t, false);
	nh = build_opts(hbh, sizeof(hbh), 0xaa, 4, 4);
	nd = build_opts(dst, sizeof(dst), 0xbb, 8, 8);
	CHECK_EQ(nh, 8);
	CHECK_EQ(nd, 16);
	srv = udp6_socket(t.x.b, 7003);
	cli = udp6_socket(t.x.a, 0);
	CHECK_EQ(sk_setint(t.x.b, srv, IPPROTO_IPV6, IPV6_RECVHOPOPTS, 1), 0);
	CHECK_EQ(sk_setint(t.x.b, srv, IPPROTO_IPV6, IPV6_RECVDSTOPTS, 1), 0);
	CHECK_EQ(sk_setint(t.x.b, srv, IPPROTO_IPV6, IPV6_2292DSTOPTS, 1), 0);
	memset(&cb, 0, sizeof(cb));
	cb_add(&cb, IPPROTO_IPV6, IPV6_DSTOPTS, dst, (size_t)nd); /* out of order on purpose */
	cb_add(&cb, IPPROTO_IPV6, IPV6_HOPOPTS, hbh, (size_t)nh);
	CHECK_EQ(adv_send(t.x.a, cli, "ext", 3, "fd00::2", 7003, 0, cb.b, cb.len), 3);
	sk_run(&t.x);
	f = adv_last(&t, &len, NULL);
	CHECK(f != NULL);
	f += DUET_ETH_HDR_LEN;
	CHECK_EQ(f[6], 0);                /* IPv6 -> Hop-by-Hop */
	CHECK_EQ(f[40], 60);              /* -> Destination Options */
	CHECK_MEM(f + 41, hbh + 1, 7);
	CHECK_EQ(f[48], IPPROTO_UDP);     /* -> UDP */
	CHECK_MEM(f + 49, dst + 1, 15);
	CHECK_EQ(duet_get_be16(f + 4), 8 + 16 + 8 + 3);

	CHECK_EQ(adv_recv(t.x.b, srv, buf, sizeof(buf), ctl, sizeof(ctl), &cl, &flags), 3);
	CHECK_EQ(flags & MSG_CTRUNC, 0);
	c = cm_at(ctl, cl, 0);
	CHECK(c && c->cmsg_type == IPV6_HOPOPTS && c->cmsg_len == CMSG_LEN(8));
	CHECK_EQ(CMSG_DATA(c)[0], 60);
	CHECK_MEM(CMSG_DATA(c) + 1, hbh + 1, 7);
	c = cm_at(ctl, cl, 1);
	CHECK(c && c->cmsg_type == IPV6_DSTOPTS && c->cmsg_len == CMSG_LEN(16));
	CHECK_EQ(CMSG_DATA(c)[0], IPPROTO_UDP);
	CHECK_MEM(CMSG_DATA(c) + 1, dst + 1, 15);
	c = cm_at(ctl, cl, 2);
	CHECK(c && c->cmsg_type == IPV6_2292DSTOPTS && c->cmsg_len == CMSG_LEN(16));
	CHECK(!cm_at(ctl, cl, 3));
	/* The received header parses back with the RFC 3542 helpers. */
	{
		c = cm_at(ctl, cl, 1);
		uint8_t type = 0;
		socklen_t olen = 0;
		void *db;
		int off = duet_inet6_opt_next((void *)CMSG_DATA(c), 16, 0, &type, &olen, &db);
		CHECK(off > 0 && type == 0x1e && olen == 8);
		CHECK_EQ(((uint8_t *)db)[7], 0xbb);
	}

	/* MSG_CTRUNC: room for the first object only, then none at all. */
	CHECK_EQ(adv_send(t.x.a, cli, "ext", 3, "fd00::2", 7003, 0, cb.b, cb.len), 3);
	CHECK_EQ(adv_send(t.x.a, cli, "ext", 3, "fd00::2", 7003, 0, cb.b, cb.len), 3);
	sk_run(&t.x);
	CHECK_EQ(adv_recv(t.x.b, srv, buf, sizeof(buf), ctl, CMSG_SPACE(8) + 20, &cl, &flags), 3);
	CHECK(flags & MSG_CTRUNC);
	CHECK_EQ(cl, CMSG_SPACE(8) + 20);
	c = cm_at(ctl, cl, 0);
	CHECK(c && c->cmsg_type == IPV6_HOPOPTS);
	{
		struct cmsghdr h2;
		memcpy(&h2, ctl + CMSG_SPACE(8), sizeof(h2));
		CHECK_EQ(h2.cmsg_len, 20u); /* cut, as Linux's put_cmsg */
		CHECK_EQ(h2.cmsg_type, IPV6_DSTOPTS);
	}
	CHECK_EQ(adv_recv(t.x.b, srv, buf, sizeof(buf), NULL, 0, &cl, &flags), 3);
	CHECK(flags & MSG_CTRUNC);
	CHECK_EQ(cl, 0u);

	/* Privileged (Linux: CAP_NET_RAW): EPERM for others. */
	{
		struct duet_cred cr = { 1000, 1000 };
		int u;
		duet_set_cred(t.x.a, &cr);
		u = udp6_socket(t.x.a, 0);
		CHECK_EQ(adv_send(t.x.a, u, "ext", 3, "fd00::2", 7003, 0, cb.b, cb.len), -1);
		CHECK_EQ(errno, EPERM);
		CHECK_EQ(duet_setsockopt(t.x.a, u, IPPROTO_IPV6, IPV6_HOPOPTS, hbh, (socklen_t)nh), -1);
		CHECK_EQ(errno, EPERM);
		CHECK_EQ(adv_send(t.x.a, u, "ok", 2, "fd00::2", 7003, 0, NULL, 0), 2);
	}
	sk_teardown(&t.x);
}

/* Builds Ethernet-less IPv6 payload: HBH, DST, Routing (Segments Left 0),
 * DST, UDP to port with data "rt"; returns its length. */
static size_t build_rx_chain(uint8_t *p, const uint8_t src[16], const uint8_t dst[16],
			     uint16_t port, const uint8_t rt_addr[16])
{
	size_t off = 0, udp_off;
	uint32_t sum;

	/* Hop-by-Hop: PadN x6 */
	memcpy(p + off, (const uint8_t[]){ 60, 0, 1, 4, 0, 0, 0, 0 }, 8);
	off += 8;
	/* Destination (before the Routing header): option 0x1e, 4 octets */
	memcpy(p + off, (const uint8_t[]){ 43, 0, 0x1e, 4, 1, 2, 3, 4 }, 8);
	off += 8;
	/* Routing Type 0, Segments Left 0, one address */
	memcpy(p + off, (const uint8_t[]){ 60, 2, 0, 0, 0, 0, 0, 0 }, 8);
	memcpy(p + off + 8, rt_addr, 16);
	off += 24;
	/* Destination (final): PadN */
	memcpy(p + off, (const uint8_t[]){ IPPROTO_UDP, 0, 1, 4, 0, 0, 0, 0 }, 8);
	off += 8;
	udp_off = off;
	duet_put_be16(p + off, 4000);
	duet_put_be16(p + off + 2, port);
	duet_put_be16(p + off + 4, 10);
	duet_put_be16(p + off + 6, 0);
	p[off + 8] = 'r';
	p[off + 9] = 't';
	off += 10;
	sum = duet_csum_pseudo6(src, dst, 10, IPPROTO_UDP);
	duet_udp_csum_set(p + udp_off, 10, sum);
	return off;
}

/* A-4 on input: every extension header of a received datagram comes back,
 * in the order it came, Destination Options as often as they appear; the
 * RFC 2292 options give the one before the Routing header, the Routing
 * header, the one after. */
TEST(adv_recv_ext_chain)
{
	struct adv t;
	uint8_t pl[256], ctl[1024], a6[16], b6[16], rt[16];
	struct duet_ip6_hdr ih;
	size_t n, cl;
	int srv, flags;
	char buf[16];
	const struct cmsghdr *c;

	adv_setup(&t, false);
	srv = udp6_socket(t.x.b, 7004);
	CHECK_EQ(sk_setint(t.x.b, srv, IPPROTO_IPV6, IPV6_RECVHOPOPTS, 1), 0);
	CHECK_EQ(sk_setint(t.x.b, srv, IPPROTO_IPV6, IPV6_RECVDSTOPTS, 1), 0);
	CHECK_EQ(sk_setint(t.x.b, srv, IPPROTO_IPV6, IPV6_RECVRTHDR, 1), 0);
	sf_a6("fd00::1", a6);
	sf_a6("fd00::2", b6);
	sf_a6("fd00::77", rt);
	n = build_rx_chain(pl, a6, b6, 7004, rt);
	memset(&ih, 0, sizeof(ih));
	ih.next_header = 0;
	ih.hop_limit = 64;
	ih.payload_length = (uint16_t)n;
	memcpy(ih.src, a6, 16);
	memcpy(ih.dst, b6, 16);
	CHECK_EQ(sf_send_ip6(t.x.a, (uint32_t)t.x.if_a, sf_mac(t.x.b, (uint32_t)t.x.if_b), &ih, NULL,
			     pl, n),
		 0);
	sk_run(&t.x);
	CHECK_EQ(adv_recv(t.x.b, srv, buf, sizeof(buf), ctl, sizeof(ctl), &cl, &flags), 2);
	c = cm_at(ctl, cl, 0);
	CHECK(c && c->cmsg_type == IPV6_HOPOPTS && c->cmsg_len == CMSG_LEN(8));
	CHECK_MEM(CMSG_DATA(c), pl, 8);
	c = cm_at(ctl, cl, 1);
	CHECK(c && c->cmsg_type == IPV6_DSTOPTS && c->cmsg_len == CMSG_LEN(8));
	CHECK_MEM(CMSG_DATA(c), pl + 8, 8);
	c = cm_at(ctl, cl, 2);
	CHECK(c && c->cmsg_type == IPV6_RTHDR && c->cmsg_len == CMSG_LEN(24));
	CHECK_MEM(CMSG_DATA(c), pl + 16, 24);
	CHECK_EQ(duet_inet6_rth_segments(CMSG_DATA(c)), 1);
	CHECK_MEM(duet_inet6_rth_getaddr(CMSG_DATA(c), 0), rt, 16);
	c = cm_at(ctl, cl, 3);
	CHECK(c && c->cmsg_type == IPV6_DSTOPTS && c->cmsg_len == CMSG_LEN(8));
	CHECK_MEM(CMSG_DATA(c), pl + 40, 8);
	CHECK(!cm_at(ctl, cl, 4));

	/* The RFC 2292 switches instead. */
	CHECK_EQ(sk_setint(t.x.b, srv, IPPROTO_IPV6, IPV6_RECVHOPOPTS, 0), 0);
	CHECK_EQ(sk_setint(t.x.b, srv, IPPROTO_IPV6, IPV6_RECVDSTOPTS, 0), 0);
	CHECK_EQ(sk_setint(t.x.b, srv, IPPROTO_IPV6, IPV6_RECVRTHDR, 0), 0);
	CHECK_EQ(sk_setint(t.x.b, srv, IPPROTO_IPV6, IPV6_2292HOPOPTS, 1), 0);
	CHECK_EQ(sk_setint(t.x.b, srv, IPPROTO_IPV6, IPV6_2292DSTOPTS, 1), 0);
	CHECK_EQ(sk_setint(t.x.b, srv, IPPROTO_IPV6, IPV6_2292RTHDR, 1), 0);
	CHECK_EQ(sf_send_ip6(t.x.a, (uint32_t)t.x.if_a, sf_mac(t.x.b, (uint32_t)t.x.if_b), &ih, NULL,
			     pl, n),
		 0);
	sk_run(&t.x);
	CHECK_EQ(adv_recv(t.x.b, srv, buf, sizeof(buf), ctl, sizeof(ctl), &cl, &flags), 2);
	c = cm_at(ctl, cl, 0);
	CHECK(c && c->cmsg_type == IPV6_2292HOPOPTS);
	c = cm_at(ctl, cl, 1);
	CHECK(c && c->cmsg_type == IPV6_2292DSTOPTS && CMSG_DATA(c)[2] == 0x1e);
	c = cm_at(ctl, cl, 2);
	CHECK(c && c->cmsg_type == IPV6_2292RTHDR);
	c = cm_at(ctl, cl, 3);
	CHECK(c && c->cmsg_type == IPV6_2292DSTOPTS && CMSG_DATA(c)[2] == 1);
	CHECK(!cm_at(ctl, cl, 4));
	sk_teardown(&t.x);
}

/* A-4 output with a Routing header (RFC 3542 §7): the application lists
 * the hops before the destination; the packet leaves for the first one,
 * with the header listing the rest and the destination last, Segments
 * Left as given, after the Routing header's Destination Options; the
 * UDP checksum covers the final destination (RFC 8200 §8.1). */
TEST(adv_send_rthdr)
{
	struct adv t;
	uint8_t rth[64], dro[8] = { 43, 0, 1, 4, 0, 0, 0, 0 }, hop1[16], hop2[16], fin[16], a6[16];
	struct cbuf cb;
	const uint8_t *f;
	uint32_t len;
	int cli, n;

	adv_setup(&t, false);
	cli = udp6_socket(t.x.a, 0);
	sf_a6("fd00::2", hop1);
	sf_a6("2001:db8::2", hop2);
	sf_a6("2001:db8::99", fin);
	sf_a6("fd00::1", a6);
	n = (int)duet_inet6_rth_space(DUET_IPV6_RTHDR_TYPE_0, 2);
	CHECK_EQ(n, 40);
	CHECK(duet_inet6_rth_init(rth, sizeof(rth), DUET_IPV6_RTHDR_TYPE_0, 2) != NULL);
	CHECK_EQ(duet_inet6_rth_add(rth, (const struct in6_addr *)hop1), 0);
	CHECK_EQ(duet_inet6_rth_add(rth, (const struct in6_addr *)hop2), 0);
	memset(&cb, 0, sizeof(cb));
	cb_add(&cb, IPPROTO_IPV6, IPV6_RTHDR, rth, (size_t)n);
	cb_add(&cb, IPPROTO_IPV6, IPV6_RTHDRDSTOPTS, dro, sizeof(dro));
	CHECK_EQ(adv_send(t.x.a, cli, "via", 3, "2001:db8::99", 9, 0, cb.b, cb.len), 3);
	sk_run(&t.x);
	f = adv_last(&t, &len, NULL);
	CHECK(f != NULL);
	f += DUET_ETH_HDR_LEN;
	CHECK_MEM(f + 24, hop1, 16);          /* to the first hop */
	CHECK_EQ(f[6], 60);                   /* IPv6 -> DST (for the route) */
	CHECK_EQ(f[40], 43);                  /* -> Routing */
	CHECK_EQ(f[48], IPPROTO_UDP);
	CHECK_EQ(f[49], 4);                   /* two addresses */
	CHECK_EQ(f[50], 0);                   /* Type 0 */
	CHECK_EQ(f[51], 2);                   /* Segments Left */
	CHECK_MEM(f + 56, hop2, 16);
	CHECK_MEM(f + 72, fin, 16);           /* the destination last */
	CHECK(duet_udp_csum_ok(f + 88, 11, duet_csum_pseudo6(a6, fin, 11, IPPROTO_UDP)));

	/* RFC 2292 order: a Destination Options header before the Routing
	 * header is the latter's; a second Routing header object (the last
	 * wins) does not lose it (Linux's dst1opt test). */
	memset(&cb, 0, sizeof(cb));
	cb_add(&cb, IPPROTO_IPV6, IPV6_2292DSTOPTS, dro, sizeof(dro));
	cb_add(&cb, IPPROTO_IPV6, IPV6_2292RTHDR, rth, (size_t)n);
	cb_add(&cb, IPPROTO_IPV6, IPV6_2292RTHDR, rth, (size_t)n);
	t.nraw = 0;
	CHECK_EQ(adv_send(t.x.a, cli, "via", 3, "2001:db8::99", 9, 0, cb.b, cb.len), 3);
	sk_run(&t.x);
	f = adv_last(&t, &len, NULL);
	CHECK(f != NULL);
	CHECK_EQ(f[DUET_ETH_HDR_LEN + 6], 60); /* DST before the Routing header */
	CHECK_EQ(f[DUET_ETH_HDR_LEN + 40], 43);
	/* Bad routing headers: odd length, Segments Left other than the
	 * number of addresses, an unknown type. */
	rth[3] = 1;
	memset(&cb, 0, sizeof(cb));
	cb_add(&cb, IPPROTO_IPV6, IPV6_RTHDR, rth, (size_t)n);
	CHECK_EQ(adv_send(t.x.a, cli, "via", 3, "2001:db8::99", 9, 0, cb.b, cb.len), -1);
	CHECK_EQ(errno, EINVAL);
	rth[3] = 2;
	rth[2] = 5;
	memset(&cb, 0, sizeof(cb));
	cb_add(&cb, IPPROTO_IPV6, IPV6_RTHDR, rth, (size_t)n);
	CHECK_EQ(adv_send(t.x.a, cli, "via", 3, "2001:db8::99", 9, 0, cb.b, cb.len), -1);
	CHECK_EQ(errno, EINVAL);
	rth[2] = 0;
	memset(&cb, 0, sizeof(cb)); /* no address at all (found by fuzz/fuzz_cmsg.c) */
	cb_add(&cb, IPPROTO_IPV6, IPV6_RTHDR, (const uint8_t[]){ 0, 0, 0, 0, 0, 0, 0, 0 }, 8);
	CHECK_EQ(adv_send(t.x.a, cli, "via", 3, "2001:db8::99", 9, 0, cb.b, cb.len), -1);
	CHECK_EQ(errno, EINVAL);
	memset(&cb, 0, sizeof(cb));
	cb_add(&cb, IPPROTO_IPV6, IPV6_RTHDR, rth, (size_t)n - 8); /* Hdr Ext Len beyond the object */
	CHECK_EQ(adv_send(t.x.a, cli, "via", 3, "2001:db8::99", 9, 0, cb.b, cb.len), -1);
	CHECK_EQ(errno, EINVAL);
	/* Sticky, then read back. */
	{
		uint8_t back[64];
		socklen_t bl = sizeof(back);
		CHECK_EQ(duet_setsockopt(t.x.a, cli, IPPROTO_IPV6, IPV6_RTHDR, rth, (socklen_t)n), 0);
		CHECK_EQ(duet_getsockopt(t.x.a, cli, IPPROTO_IPV6, IPV6_RTHDR, back, &bl), 0);
		CHECK_EQ(bl, (socklen_t)n);
		CHECK_MEM(back, rth, (size_t)n);
		CHECK_EQ(duet_setsockopt(t.x.a, cli, IPPROTO_IPV6, IPV6_RTHDR, NULL, 0), 0);
		bl = sizeof(back);
		CHECK_EQ(duet_getsockopt(t.x.a, cli, IPPROTO_IPV6, IPV6_RTHDR, back, &bl), 0);
		CHECK_EQ(bl, 0);
	}
	sk_teardown(&t.x);
}

/* IPV6_PKTINFO chooses the source (one of ours, else EINVAL) and
 * the interface (a known one, else ENODEV), per packet and sticky. */
TEST(adv_send_pktinfo)
{
	struct adv t;
	uint8_t a11[16], bad[16];
	struct in6_pktinfo pi;
	struct cbuf cb;
	const struct sk_frame *f;
	int cli;
	socklen_t pl;

	adv_setup(&t, false);
	sf_a6("fd00::11", a11);
	sf_a6("fd00::99", bad);
	CHECK_EQ(duet_if_addr_add(t.x.a, (uint32_t)t.x.if_a, AF_INET6, a11, 64, DUET_IFA_F_NODAD), 0);
	cli = udp6_socket(t.x.a, 0);
	memset(&pi, 0, sizeof(pi));
	memcpy(pi.ipi6_addr.s6_addr, a11, 16);
	memset(&cb, 0, sizeof(cb));
	cb_add(&cb, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof(pi));
	CHECK_EQ(adv_send(t.x.a, cli, "src", 3, "fd00::2", 9, 0, cb.b, cb.len), 3);
	sk_run(&t.x);
	f = sk_last_tx(&t.x, IPPROTO_UDP);
	CHECK(f && memcmp(f->src, a11, 16) == 0);
	memcpy(pi.ipi6_addr.s6_addr, bad, 16);
	memset(&cb, 0, sizeof(cb));
	cb_add(&cb, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof(pi));
	CHECK_EQ(adv_send(t.x.a, cli, "src", 3, "fd00::2", 9, 0, cb.b, cb.len), -1);
	CHECK_EQ(errno, EINVAL);
	memset(&pi, 0, sizeof(pi));
	pi.ipi6_ifindex = 77;
	memset(&cb, 0, sizeof(cb));
	cb_add(&cb, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof(pi));
	CHECK_EQ(adv_send(t.x.a, cli, "src", 3, "fd00::2", 9, 0, cb.b, cb.len), -1);
	CHECK_EQ(errno, ENODEV);
	/* Short object. */
	memset(&cb, 0, sizeof(cb));
	cb_add(&cb, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof(pi) - 1);
	CHECK_EQ(adv_send(t.x.a, cli, "src", 3, "fd00::2", 9, 0, cb.b, cb.len), -1);
	CHECK_EQ(errno, EINVAL);
	/* Sticky: applies to later datagrams, read back. */
	memset(&pi, 0, sizeof(pi));
	memcpy(pi.ipi6_addr.s6_addr, a11, 16);
	pi.ipi6_ifindex = (unsigned)t.x.if_a;
	CHECK_EQ(duet_setsockopt(t.x.a, cli, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof(pi)), 0);
	t.x.n = 0;
	CHECK_EQ(sk_sendto(t.x.a, cli, "sticky", "fd00::2", 9), 6);
	sk_run(&t.x);
	f = sk_last_tx(&t.x, IPPROTO_UDP);
	CHECK(f && memcmp(f->src, a11, 16) == 0);
	memset(&pi, 0, sizeof(pi));
	pl = sizeof(pi);
	CHECK_EQ(duet_getsockopt(t.x.a, cli, IPPROTO_IPV6, IPV6_PKTINFO, &pi, &pl), 0);
	CHECK_EQ(pl, sizeof(pi));
	CHECK_MEM(pi.ipi6_addr.s6_addr, a11, 16);
	CHECK_EQ(pi.ipi6_ifindex, (unsigned)t.x.if_a);
	CHECK_EQ(duet_setsockopt(t.x.a, cli, IPPROTO_IPV6, IPV6_PKTINFO, &pi, 0), -1);
	CHECK_EQ(errno, EINVAL); /* Linux: a zero length is not "remove" */
	/* A sticky source that is no longer ours fails at send time. */
	CHECK_EQ(duet_if_addr_del(t.x.a, (uint32_t)t.x.if_a, AF_INET6, a11), 0);
	CHECK_EQ(sk_sendto(t.x.a, cli, "gone", "fd00::2", 9), -1);
	CHECK_EQ(errno, EINVAL);
	memset(&pi, 0, sizeof(pi));
	CHECK_EQ(duet_setsockopt(t.x.a, cli, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof(pi)), 0);
	CHECK_EQ(sk_sendto(t.x.a, cli, "ok", "fd00::2", 9), 2);
	sk_teardown(&t.x);
}

/* the outgoing interface of a multicast datagram from ancillary
 * IPV6_PKTINFO, else sticky IPV6_PKTINFO, else IPV6_MULTICAST_IF, else
 * sin6_scope_id; the hop limit from ancillary IPV6_HOPLIMIT, else the
 * sticky one (IPV6_PKTOPTIONS), else IPV6_MULTICAST_HOPS. */
TEST(adv_conflict_order)
{
	struct adv t;
	struct in6_pktinfo pi;
	struct cbuf cb, sticky;
	const uint8_t *f;
	uint32_t len, oif;
	int cli;

	adv_setup(&t, true);
	cli = udp6_socket(t.x.a, 0);
	/* 4: the socket address alone. */
	CHECK_EQ(adv_send(t.x.a, cli, "m", 1, "ff02::1:7", 9, (uint32_t)t.x.if_a, NULL, 0), 1);
	sk_run(&t.x);
	f = adv_last(&t, &len, &oif);
	CHECK(f && oif == (uint32_t)t.x.if_a);
	CHECK_EQ(f[DUET_ETH_HDR_LEN + 7], 1); /* multicast hops default */
	/* 3 over 4: IPV6_MULTICAST_IF. */
	CHECK_EQ(sk_setint(t.x.a, cli, IPPROTO_IPV6, IPV6_MULTICAST_IF, t.if_a2), 0);
	CHECK_EQ(sk_setint(t.x.a, cli, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 3), 0);
	CHECK_EQ(adv_send(t.x.a, cli, "m", 1, "ff02::1:7", 9, (uint32_t)t.x.if_a, NULL, 0), 1);
	sk_run(&t.x);
	f = adv_last(&t, &len, &oif);
	CHECK(f && oif == (uint32_t)t.if_a2);
	CHECK_EQ(f[DUET_ETH_HDR_LEN + 7], 3);
	/* 2 over 3: sticky IPV6_PKTINFO and hop limit (IPV6_PKTOPTIONS). */
	memset(&pi, 0, sizeof(pi));
	pi.ipi6_ifindex = (unsigned)t.x.if_a;
	memset(&sticky, 0, sizeof(sticky));
	cb_add(&sticky, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof(pi));
	cb_int(&sticky, IPPROTO_IPV6, IPV6_HOPLIMIT, 17);
	CHECK_EQ(duet_setsockopt(t.x.a, cli, IPPROTO_IPV6, IPV6_2292PKTOPTIONS, sticky.b,
				 (socklen_t)sticky.len),
		 0);
	CHECK_EQ(adv_send(t.x.a, cli, "m", 1, "ff02::1:7", 9, (uint32_t)t.if_a2, NULL, 0), 1);
	sk_run(&t.x);
	f = adv_last(&t, &len, &oif);
	CHECK(f && oif == (uint32_t)t.x.if_a);
	CHECK_EQ(f[DUET_ETH_HDR_LEN + 7], 17);
	/* A bad IPV6_PKTOPTIONS buffer changes nothing. */
	memset(&cb, 0, sizeof(cb));
	cb_int(&cb, IPPROTO_IPV6, IPV6_HOPLIMIT, 500);
	CHECK_EQ(duet_setsockopt(t.x.a, cli, IPPROTO_IPV6, IPV6_2292PKTOPTIONS, cb.b,
				 (socklen_t)cb.len),
		 -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(adv_send(t.x.a, cli, "m", 1, "ff02::1:7", 9, (uint32_t)t.if_a2, NULL, 0), 1);
	sk_run(&t.x);
	f = adv_last(&t, &len, &oif);
	CHECK(f && oif == (uint32_t)t.x.if_a);
	CHECK_EQ(f[DUET_ETH_HDR_LEN + 7], 17);
	/* 1 over 2: ancillary data. */
	pi.ipi6_ifindex = (unsigned)t.if_a2;
	memset(&cb, 0, sizeof(cb));
	cb_add(&cb, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof(pi));
	cb_int(&cb, IPPROTO_IPV6, IPV6_HOPLIMIT, 29);
	CHECK_EQ(adv_send(t.x.a, cli, "m", 1, "ff02::1:7", 9, (uint32_t)t.x.if_a, cb.b, cb.len), 1);
	sk_run(&t.x);
	f = adv_last(&t, &len, &oif);
	CHECK(f && oif == (uint32_t)t.if_a2);
	CHECK_EQ(f[DUET_ETH_HDR_LEN + 7], 29);
	/* Ancillary data replaces sticky options one by one: a call with
	 * only a hop limit keeps the sticky interface. */
	memset(&cb, 0, sizeof(cb));
	cb_int(&cb, IPPROTO_IPV6, IPV6_HOPLIMIT, 30);
	CHECK_EQ(adv_send(t.x.a, cli, "m", 1, "ff02::1:7", 9, 0, cb.b, cb.len), 1);
	sk_run(&t.x);
	f = adv_last(&t, &len, &oif);
	CHECK(f && oif == (uint32_t)t.x.if_a);
	CHECK_EQ(f[DUET_ETH_HDR_LEN + 7], 30);
	/* -1 is "the socket's". */
	memset(&cb, 0, sizeof(cb));
	cb_int(&cb, IPPROTO_IPV6, IPV6_HOPLIMIT, -1);
	CHECK_EQ(adv_send(t.x.a, cli, "m", 1, "ff02::1:7", 9, 0, cb.b, cb.len), 1);
	sk_run(&t.x);
	f = adv_last(&t, &len, &oif);
	CHECK_EQ(f[DUET_ETH_HDR_LEN + 7], 3);
	/* a zero-length IPV6_PKTOPTIONS clears every sticky option. */
	CHECK_EQ(duet_setsockopt(t.x.a, cli, IPPROTO_IPV6, IPV6_2292PKTOPTIONS, NULL, 0), 0);
	CHECK_EQ(adv_send(t.x.a, cli, "m", 1, "ff02::1:7", 9, (uint32_t)t.x.if_a, NULL, 0), 1);
	sk_run(&t.x);
	f = adv_last(&t, &len, &oif);
	CHECK(f && oif == (uint32_t)t.if_a2);
	CHECK_EQ(f[DUET_ETH_HDR_LEN + 7], 3);
	sk_teardown(&t.x);
}

/* IPV6_NEXTHOP hands the datagram to an on-link neighbour whatever
 * the routing table says; equal to the destination it is SO_DONTROUTE;
 * not on-link: EHOSTUNREACH; multicast or unspecified: EINVAL; not
 * AF_INET6: EAFNOSUPPORT; superuser only. */
TEST(adv_nexthop)
{
	struct adv t;
	struct sockaddr_in6 nh;
	struct cbuf cb;
	const uint8_t *f;
	uint8_t far[16];
	uint32_t len;
	int cli;
	socklen_t nl;

	adv_setup(&t, false);
	cli = udp6_socket(t.x.a, 0);
	sf_a6("2001:db8:5::5", far);
	memset(&nh, 0, sizeof(nh));
	nh.sin6_family = AF_INET6;
	CHECK_EQ(inet_pton(AF_INET6, "fd00::2", &nh.sin6_addr), 1);
	/* No route to 2001:db8:5::/48: ENETUNREACH without a next hop. */
	CHECK_EQ(sk_sendto(t.x.a, cli, "far", "2001:db8:5::5", 9), -1);
	CHECK_EQ(errno, ENETUNREACH);
	memset(&cb, 0, sizeof(cb));
	cb_add(&cb, IPPROTO_IPV6, IPV6_NEXTHOP, &nh, sizeof(nh));
	CHECK_EQ(adv_send(t.x.a, cli, "far", 3, "2001:db8:5::5", 9, 0, cb.b, cb.len), 3);
	sk_run(&t.x);
	f = adv_last(&t, &len, NULL);
	CHECK(f != NULL);
	CHECK_MEM(f, sf_mac(t.x.b, (uint32_t)t.x.if_b), 6); /* to B's MAC */
	CHECK_MEM(f + DUET_ETH_HDR_LEN + 24, far, 16);        /* for the far address */
	/* Equal to the destination: direct. */
	CHECK_EQ(adv_send(t.x.a, cli, "near", 4, "fd00::2", 9, 0, cb.b, cb.len), 4);
	/* A bound source stays the source with a next hop (review finding). */
	{
		uint8_t a11[16];
		int bs = udp6_socket(t.x.a, 0);
		sf_a6("fd00::11", a11);
		CHECK_EQ(duet_if_addr_add(t.x.a, (uint32_t)t.x.if_a, AF_INET6, a11, 64,
					  DUET_IFA_F_NODAD),
			 0);
		CHECK_EQ(sk_bind(t.x.a, bs, "fd00::11", 0), 0);
		t.nraw = 0;
		CHECK_EQ(adv_send(t.x.a, bs, "far", 3, "2001:db8:5::5", 9, 0, cb.b, cb.len), 3);
		sk_run(&t.x);
		f = adv_last(&t, &len, NULL);
		CHECK(f && memcmp(f + DUET_ETH_HDR_LEN + 8, a11, 16) == 0);
	}
	/* Not a neighbour. */
	CHECK_EQ(inet_pton(AF_INET6, "2001:db8:6::1", &nh.sin6_addr), 1);
	memset(&cb, 0, sizeof(cb));
	cb_add(&cb, IPPROTO_IPV6, IPV6_NEXTHOP, &nh, sizeof(nh));
	CHECK_EQ(adv_send(t.x.a, cli, "far", 3, "2001:db8:5::5", 9, 0, cb.b, cb.len), -1);
	CHECK_EQ(errno, EHOSTUNREACH);
	/* Multicast, wrong family, short. */
	CHECK_EQ(inet_pton(AF_INET6, "ff02::1", &nh.sin6_addr), 1);
	memset(&cb, 0, sizeof(cb));
	cb_add(&cb, IPPROTO_IPV6, IPV6_NEXTHOP, &nh, sizeof(nh));
	CHECK_EQ(adv_send(t.x.a, cli, "far", 3, "2001:db8:5::5", 9, 0, cb.b, cb.len), -1);
	CHECK_EQ(errno, EINVAL);
	nh.sin6_family = AF_INET;
	memset(&cb, 0, sizeof(cb));
	cb_add(&cb, IPPROTO_IPV6, IPV6_NEXTHOP, &nh, sizeof(nh));
	CHECK_EQ(adv_send(t.x.a, cli, "far", 3, "2001:db8:5::5", 9, 0, cb.b, cb.len), -1);
	CHECK_EQ(errno, EAFNOSUPPORT);
	/* A link-local next hop in its zone, as a sticky option. */
	nh.sin6_family = AF_INET6;
	CHECK_EQ(inet_pton(AF_INET6, "fe80::2", &nh.sin6_addr), 1);
	CHECK_EQ(duet_if_addr_add(t.x.b, (uint32_t)t.x.if_b, AF_INET6, nh.sin6_addr.s6_addr, 64,
				  DUET_IFA_F_NODAD),
		 0);
	nh.sin6_scope_id = (uint32_t)t.x.if_a;
	CHECK_EQ(duet_setsockopt(t.x.a, cli, IPPROTO_IPV6, IPV6_NEXTHOP, &nh, sizeof(nh)), 0);
	t.nraw = 0;
	CHECK_EQ(sk_sendto(t.x.a, cli, "far", "2001:db8:5::5", 9), 3);
	sk_run(&t.x);
	f = adv_last(&t, &len, NULL);
	CHECK(f != NULL);
	CHECK_MEM(f, sf_mac(t.x.b, (uint32_t)t.x.if_b), 6);
	{
		struct sockaddr_in6 back;
		nl = sizeof(back);
		CHECK_EQ(duet_getsockopt(t.x.a, cli, IPPROTO_IPV6, IPV6_NEXTHOP, &back, &nl), 0);
		CHECK_EQ(nl, sizeof(back));
		CHECK_MEM(&back.sin6_addr, &nh.sin6_addr, 16);
		CHECK_EQ(back.sin6_scope_id, (uint32_t)t.x.if_a);
	}
	CHECK_EQ(duet_setsockopt(t.x.a, cli, IPPROTO_IPV6, IPV6_NEXTHOP, NULL, 0), 0);
	CHECK_EQ(sk_sendto(t.x.a, cli, "far", "2001:db8:5::5", 9), -1);
	CHECK_EQ(errno, ENETUNREACH);
	{
		struct duet_cred cr = { 1000, 1000 };
		int u;
		duet_set_cred(t.x.a, &cr);
		u = udp6_socket(t.x.a, 0);
		CHECK_EQ(duet_setsockopt(t.x.a, u, IPPROTO_IPV6, IPV6_NEXTHOP, &nh, sizeof(nh)), -1);
		CHECK_EQ(errno, EPERM);
	}
	sk_teardown(&t.x);
}

/* IPV6_DONTFRAG (socket option and ancillary) turns fragmentation
 * into EMSGSIZE; DUET_IPV6_USE_MIN_MTU 1 fragments for 1280 octets, and
 * -1 (the default) does so for multicast only. */
TEST(adv_dontfrag_minmtu)
{
	struct adv t;
	static char big[1400];
	struct cbuf cb;
	const uint8_t *f;
	uint32_t len;
	int cli;

	adv_setup(&t, false);
	memset(big, 'x', sizeof(big));
	cli = udp6_socket(t.x.a, 0);
	CHECK_EQ(sk_getint(t.x.a, cli, IPPROTO_IPV6, DUET_IPV6_USE_MIN_MTU), -1);
	CHECK_EQ(sk_getint(t.x.a, cli, IPPROTO_IPV6, IPV6_DONTFRAG), 0);
	/* 1400 fits a 1500 link whole. */
	CHECK_EQ(adv_send(t.x.a, cli, big, sizeof(big), "fd00::2", 9, 0, NULL, 0), 1400);
	sk_run(&t.x);
	f = adv_last(&t, &len, NULL);
	CHECK(f && f[DUET_ETH_HDR_LEN + 6] == IPPROTO_UDP && len == 14 + 40 + 8 + 1400);
	/* Minimum MTU: two fragments of at most 1280. */
	CHECK_EQ(sk_setint(t.x.a, cli, IPPROTO_IPV6, DUET_IPV6_USE_MIN_MTU, 1), 0);
	CHECK_EQ(sk_getint(t.x.a, cli, IPPROTO_IPV6, DUET_IPV6_USE_MIN_MTU), 1);
	CHECK_EQ(sk_setint(t.x.a, cli, IPPROTO_IPV6, DUET_IPV6_USE_MIN_MTU, 2), -1);
	CHECK_EQ(errno, EINVAL);
	t.nraw = 0;
	CHECK_EQ(adv_send(t.x.a, cli, big, sizeof(big), "fd00::2", 9, 0, NULL, 0), 1400);
	sk_run(&t.x);
	CHECK_EQ(t.nraw, 2u);
	CHECK_EQ(t.raw[0].b[DUET_ETH_HDR_LEN + 6], 44);
	CHECK(t.raw[0].len - DUET_ETH_HDR_LEN <= 1280);
	/* Ancillary DUET_IPV6_USE_MIN_MTU 0 overrides the option for one
	 * datagram: it leaves whole. */
	memset(&cb, 0, sizeof(cb));
	cb_int(&cb, IPPROTO_IPV6, DUET_IPV6_USE_MIN_MTU, 0);
	t.nraw = 0;
	CHECK_EQ(adv_send(t.x.a, cli, big, sizeof(big), "fd00::2", 9, 0, cb.b, cb.len), 1400);
	sk_run(&t.x);
	CHECK_EQ(t.nraw, 1u);
	memset(&cb, 0, sizeof(cb));
	cb_int(&cb, IPPROTO_IPV6, DUET_IPV6_USE_MIN_MTU, 2);
	CHECK_EQ(adv_send(t.x.a, cli, big, sizeof(big), "fd00::2", 9, 0, cb.b, cb.len), -1);
	CHECK_EQ(errno, EINVAL);
	/* ... and with IPV6_DONTFRAG: EMSGSIZE, nothing sent. */
	CHECK_EQ(sk_setint(t.x.a, cli, IPPROTO_IPV6, IPV6_DONTFRAG, 1), 0);
	CHECK_EQ(sk_getint(t.x.a, cli, IPPROTO_IPV6, IPV6_DONTFRAG), 1);
	t.nraw = 0;
	CHECK_EQ(adv_send(t.x.a, cli, big, sizeof(big), "fd00::2", 9, 0, NULL, 0), -1);
	CHECK_EQ(errno, EMSGSIZE);
	CHECK_EQ(t.nraw, 0u);
	/* Ancillary IPV6_DONTFRAG 0 overrides the socket's for one datagram. */
	memset(&cb, 0, sizeof(cb));
	cb_int(&cb, IPPROTO_IPV6, IPV6_DONTFRAG, 0);
	CHECK_EQ(adv_send(t.x.a, cli, big, sizeof(big), "fd00::2", 9, 0, cb.b, cb.len), 1400);
	memset(&cb, 0, sizeof(cb));
	cb_int(&cb, IPPROTO_IPV6, IPV6_DONTFRAG, 2);
	CHECK_EQ(adv_send(t.x.a, cli, big, sizeof(big), "fd00::2", 9, 0, cb.b, cb.len), -1);
	CHECK_EQ(errno, EINVAL);
	/* Default -1: multicast at 1280. */
	CHECK_EQ(sk_setint(t.x.a, cli, IPPROTO_IPV6, IPV6_DONTFRAG, 0), 0);
	CHECK_EQ(sk_setint(t.x.a, cli, IPPROTO_IPV6, DUET_IPV6_USE_MIN_MTU, -1), 0);
	sk_run(&t.x);
	t.nraw = 0;
	CHECK_EQ(adv_send(t.x.a, cli, big, sizeof(big), "ff02::1:9", 9, (uint32_t)t.x.if_a, NULL, 0),
		 1400);
	sk_run(&t.x);
	CHECK_EQ(t.nraw, 2u);
	CHECK_EQ(t.raw[0].b[DUET_ETH_HDR_LEN + 6], 44);
	sk_teardown(&t.x);
}

/* Bad ancillary objects (lengths, levels, types, alignment): the errno
 * Linux gives, nothing sent, and the socket still works. */
TEST(adv_bad_cmsgs)
{
	struct adv t;
	uint8_t raw[256], *mis = raw + 1;
	struct cmsghdr h;
	struct cbuf cb;
	int cli, v = 5;

	adv_setup(&t, false);
	cli = udp6_socket(t.x.a, 0);
	/* cmsg_len below the header. */
	memset(&h, 0, sizeof(h));
	h.cmsg_len = sizeof(h) - 1;
	h.cmsg_level = IPPROTO_IPV6;
	h.cmsg_type = IPV6_HOPLIMIT;
	memcpy(raw, &h, sizeof(h));
	CHECK_EQ(adv_send(t.x.a, cli, "x", 1, "fd00::2", 9, 0, raw, CMSG_SPACE(sizeof(int))), -1);
	CHECK_EQ(errno, EINVAL);
	/* cmsg_len past the buffer. */
	h.cmsg_len = CMSG_LEN(sizeof(int)) + 8;
	memcpy(raw, &h, sizeof(h));
	CHECK_EQ(adv_send(t.x.a, cli, "x", 1, "fd00::2", 9, 0, raw, CMSG_SPACE(sizeof(int))), -1);
	CHECK_EQ(errno, EINVAL);
	/* A buffer shorter than a header holds no object: ignored (Linux). */
	CHECK_EQ(adv_send(t.x.a, cli, "x", 1, "fd00::2", 9, 0, raw, sizeof(h) - 1), 1);
	/* A length with no buffer. */
	CHECK_EQ(adv_send(t.x.a, cli, "x", 1, "fd00::2", 9, 0, NULL, 64), -1);
	CHECK_EQ(errno, EFAULT);
	/* Wrong data sizes and values. */
	memset(&cb, 0, sizeof(cb));
	cb_add(&cb, IPPROTO_IPV6, IPV6_HOPLIMIT, &v, 2);
	CHECK_EQ(adv_send(t.x.a, cli, "x", 1, "fd00::2", 9, 0, cb.b, cb.len), -1);
	CHECK_EQ(errno, EINVAL);
	memset(&cb, 0, sizeof(cb));
	cb_int(&cb, IPPROTO_IPV6, IPV6_HOPLIMIT, 256);
	CHECK_EQ(adv_send(t.x.a, cli, "x", 1, "fd00::2", 9, 0, cb.b, cb.len), -1);
	CHECK_EQ(errno, EINVAL);
	memset(&cb, 0, sizeof(cb));
	cb_int(&cb, IPPROTO_IPV6, IPV6_TCLASS, -2);
	CHECK_EQ(adv_send(t.x.a, cli, "x", 1, "fd00::2", 9, 0, cb.b, cb.len), -1);
	CHECK_EQ(errno, EINVAL);
	/* An unknown IPv6 type; an options header whose length runs past
	 * its object; the same header twice. */
	memset(&cb, 0, sizeof(cb));
	cb_int(&cb, IPPROTO_IPV6, 200, 1);
	CHECK_EQ(adv_send(t.x.a, cli, "x", 1, "fd00::2", 9, 0, cb.b, cb.len), -1);
	CHECK_EQ(errno, EINVAL);
	memset(&cb, 0, sizeof(cb));
	cb_add(&cb, IPPROTO_IPV6, IPV6_HOPOPTS, (const uint8_t[]){ 0, 1, 1, 4, 0, 0, 0, 0 }, 8);
	CHECK_EQ(adv_send(t.x.a, cli, "x", 1, "fd00::2", 9, 0, cb.b, cb.len), -1);
	CHECK_EQ(errno, EINVAL);
	memset(&cb, 0, sizeof(cb));
	cb_add(&cb, IPPROTO_IPV6, IPV6_HOPOPTS, (const uint8_t[]){ 0, 0, 1, 4, 0, 0, 0, 0 }, 8);
	cb_add(&cb, IPPROTO_IPV6, IPV6_HOPOPTS, (const uint8_t[]){ 0, 0, 1, 4, 0, 0, 0, 0 }, 8);
	CHECK_EQ(adv_send(t.x.a, cli, "x", 1, "fd00::2", 9, 0, cb.b, cb.len), -1);
	CHECK_EQ(errno, EINVAL);
	/* SOL_SOCKET objects other than SCM_RIGHTS/CREDENTIALS, and IPPROTO_UDP
	 * ones (Linux's UDP_SEGMENT; duet has no UDP GSO): EINVAL; other
	 * levels, and IPv4 ones to an IPv6 destination: ignored. */
	memset(&cb, 0, sizeof(cb));
	cb_int(&cb, SOL_SOCKET, 99, 1);
	CHECK_EQ(adv_send(t.x.a, cli, "x", 1, "fd00::2", 9, 0, cb.b, cb.len), -1);
	CHECK_EQ(errno, EINVAL);
	memset(&cb, 0, sizeof(cb));
	cb_int(&cb, IPPROTO_UDP, 103, 1400);
	CHECK_EQ(adv_send(t.x.a, cli, "x", 1, "fd00::2", 9, 0, cb.b, cb.len), -1);
	CHECK_EQ(errno, EINVAL);
	memset(&cb, 0, sizeof(cb));
	cb_int(&cb, IPPROTO_TCP, 1, 1);
	cb_int(&cb, IPPROTO_IP, IP_TTL, 0);
	CHECK_EQ(adv_send(t.x.a, cli, "x", 1, "fd00::2", 9, 0, cb.b, cb.len), 1);
	/* A misaligned control buffer works. */
	memset(&cb, 0, sizeof(cb));
	cb_int(&cb, IPPROTO_IPV6, IPV6_HOPLIMIT, 42);
	memcpy(mis, cb.b, cb.len);
	t.x.n = 0;
	CHECK_EQ(adv_send(t.x.a, cli, "x", 1, "fd00::2", 9, 0, mis, cb.len), 1);
	sk_run(&t.x);
	CHECK(sk_last_tx(&t.x, IPPROTO_UDP) && sk_last_tx(&t.x, IPPROTO_UDP)->hop_limit == 42);
	/* Bad sticky headers. */
	CHECK_EQ(duet_setsockopt(t.x.a, cli, IPPROTO_IPV6, IPV6_DSTOPTS,
				 (const uint8_t[]){ 0, 0, 1, 4, 0, 0, 0, 0 }, 6),
		 -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(duet_setsockopt(t.x.a, cli, IPPROTO_IPV6, IPV6_DSTOPTS,
				 (const uint8_t[]){ 0, 1, 1, 4, 0, 0, 0, 0 }, 8),
		 -1);
	CHECK_EQ(errno, EINVAL);
	/* And the socket still sends. */
	CHECK_EQ(sk_sendto(t.x.a, cli, "fine", "fd00::2", 9), 4);
	sk_teardown(&t.x);
}

/* A-4 sticky: IPV6_DSTOPTS set once leaves with every datagram, and a
 * zero length removes it (RFC 3542 §6.1); getsockopt returns it. */
TEST(adv_sticky_ext)
{
	struct adv t;
	uint8_t d[8] = { 0, 0, 0x1e, 4, 9, 9, 9, 9 }, back[16];
	socklen_t bl = sizeof(back);
	const uint8_t *f;
	uint32_t len;
	int cli;

	adv_setup(&t, false);
	cli = udp6_socket(t.x.a, 0);
	CHECK_EQ(duet_setsockopt(t.x.a, cli, IPPROTO_IPV6, IPV6_DSTOPTS, d, sizeof(d)), 0);
	CHECK_EQ(duet_getsockopt(t.x.a, cli, IPPROTO_IPV6, IPV6_DSTOPTS, back, &bl), 0);
	CHECK_EQ(bl, 8);
	CHECK_MEM(back, d, 8);
	CHECK_EQ(sk_sendto(t.x.a, cli, "a", "fd00::2", 9), 1);
	CHECK_EQ(sk_sendto(t.x.a, cli, "b", "fd00::2", 9), 1);
	sk_run(&t.x);
	CHECK_EQ(t.nraw, 2u);
	f = adv_last(&t, &len, NULL) + DUET_ETH_HDR_LEN;
	CHECK_EQ(f[6], 60);
	CHECK_MEM(f + 42, d + 2, 6);
	CHECK_EQ(duet_setsockopt(t.x.a, cli, IPPROTO_IPV6, IPV6_DSTOPTS, NULL, 0), 0);
	CHECK_EQ(sk_sendto(t.x.a, cli, "c", "fd00::2", 9), 1);
	sk_run(&t.x);
	f = adv_last(&t, &len, NULL) + DUET_ETH_HDR_LEN;
	CHECK_EQ(f[6], IPPROTO_UDP);
	sk_teardown(&t.x);
}


/* a Packet Too Big about a datagram of a socket with
 * IPV6_RECVPATHMTU gives one recvmsg with no data, the destination as
 * the name and an IPV6_PATHMTU object (RFC 3542 §11.3), before any
 * queued datagram; getsockopt IPV6_PATHMTU of the connected socket says
 * the same (§11.4); unconnected: ENOTCONN; an IPV6_DONTFRAG send too
 * big for the path gives a notice too (§11.2). */
TEST(adv_recvpathmtu)
{
	struct adv t;
	static char big[1400];
	uint8_t pl[8 + 40 + 8], a6[16], b6[16], ctl[256];
	struct duet_ip6_hdr ih, q;
	struct duet_wcur w;
	struct sockaddr_in6 from;
	struct ip6_mtuinfo mi;
	struct iovec iov;
	struct msghdr msg;
	const struct cmsghdr *c;
	socklen_t ml = sizeof(mi);
	char buf[64];
	int cli, un;

	adv_setup(&t, false);
	sf_a6("fd00::1", a6);
	sf_a6("fd00::2", b6);
	udp6_socket(t.x.b, 7010);
	cli = udp6_socket(t.x.a, 0);
	CHECK_EQ(sk_connect(t.x.a, cli, "fd00::2", 7010), 0);
	CHECK_EQ(sk_setint(t.x.a, cli, IPPROTO_IPV6, IPV6_RECVPATHMTU, 1), 0);
	CHECK_EQ(duet_getsockopt(t.x.a, cli, IPPROTO_IPV6, IPV6_PATHMTU, &mi, &ml), 0);
	CHECK_EQ(mi.ip6m_mtu, 1500u);
	CHECK_MEM(&mi.ip6m_addr.sin6_addr, b6, 16);
	ml = sizeof(mi) - 1;
	CHECK_EQ(duet_getsockopt(t.x.a, cli, IPPROTO_IPV6, IPV6_PATHMTU, &mi, &ml), -1);
	CHECK_EQ(errno, EINVAL);
	un = udp6_socket(t.x.a, 0);
	ml = sizeof(mi);
	CHECK_EQ(duet_getsockopt(t.x.a, un, IPPROTO_IPV6, IPV6_PATHMTU, &mi, &ml), -1);
	CHECK_EQ(errno, ENOTCONN);
	CHECK_EQ(duet_send(t.x.a, cli, "q", 1, 0), 1);
	sk_run(&t.x);
	/* B answers (the peer is the "router"): Packet Too Big, MTU 1300,
	 * quoting A's header and UDP header. */
	memset(&q, 0, sizeof(q));
	q.next_header = IPPROTO_UDP;
	q.hop_limit = 64;
	q.payload_length = 9;
	memcpy(q.src, a6, 16);
	memcpy(q.dst, b6, 16);
	memset(pl, 0, sizeof(pl));
	pl[0] = DUET_ICMP6_PACKET_TOO_BIG;
	duet_put_be32(pl + 4, 1300);
	duet_wcur_init(&w, pl + 8, 40);
	CHECK_EQ(duet_ip6_emit(&q, &w), 0);
	memset(pl + 48, 0, 8);
	{
		struct sockaddr_in6 me;
		socklen_t sl = sizeof(me);
		CHECK_EQ(duet_getsockname(t.x.a, cli, (struct sockaddr *)&me, &sl), 0);
		memcpy(pl + 48, &me.sin6_port, 2);
	}
	duet_put_be16(pl + 50, 7010);
	memset(&ih, 0, sizeof(ih));
	ih.next_header = IPPROTO_ICMPV6;
	ih.hop_limit = 64;
	ih.payload_length = sizeof(pl);
	memcpy(ih.src, b6, 16);
	memcpy(ih.dst, a6, 16);
	duet_icmp6_csum_set(pl, sizeof(pl), duet_csum_pseudo6(b6, a6, sizeof(pl), IPPROTO_ICMPV6));
	CHECK_EQ(sf_send_ip6(t.x.b, (uint32_t)t.x.if_b, sf_mac(t.x.a, (uint32_t)t.x.if_a), &ih, NULL,
			     pl, sizeof(pl)),
		 0);
	sk_run(&t.x);
	CHECK(duet_poll(t.x.a, &(struct pollfd){ .fd = cli, .events = POLLIN }, 1, 0) == 1);
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_name = &from;
	msg.msg_namelen = sizeof(from);
	msg.msg_control = ctl;
	msg.msg_controllen = sizeof(ctl);
	CHECK_EQ(duet_recvmsg(t.x.a, cli, &msg, MSG_DONTWAIT), 0);
	CHECK_EQ(msg.msg_namelen, sizeof(from));
	CHECK_MEM(&from.sin6_addr, b6, 16);
	c = cm_at(ctl, msg.msg_controllen, 0);
	CHECK(c && c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PATHMTU &&
	      c->cmsg_len == CMSG_LEN(sizeof(mi)));
	memcpy(&mi, CMSG_DATA(c), sizeof(mi));
	CHECK_EQ(mi.ip6m_mtu, 1300u);
	CHECK_MEM(&mi.ip6m_addr.sin6_addr, b6, 16);
	CHECK_EQ(duet_recvmsg(t.x.a, cli, &msg, MSG_DONTWAIT), -1); /* read once */
	CHECK_EQ(errno, EAGAIN);
	CHECK_EQ(duet_poll(t.x.a, &(struct pollfd){ .fd = cli, .events = POLLIN }, 1, 0), 0);
	ml = sizeof(mi);
	CHECK_EQ(duet_getsockopt(t.x.a, cli, IPPROTO_IPV6, IPV6_PATHMTU, &mi, &ml), 0);
	CHECK_EQ(mi.ip6m_mtu, 1300u);
	/* DONTFRAG over the new path MTU: EMSGSIZE and a notice. */
	memset(big, 'y', sizeof(big));
	CHECK_EQ(sk_setint(t.x.a, cli, IPPROTO_IPV6, IPV6_DONTFRAG, 1), 0);
	CHECK_EQ(duet_send(t.x.a, cli, big, sizeof(big), 0), -1);
	CHECK_EQ(errno, EMSGSIZE);
	msg.msg_controllen = sizeof(ctl);
	msg.msg_namelen = sizeof(from);
	CHECK_EQ(duet_recvmsg(t.x.a, cli, &msg, MSG_DONTWAIT), 0);
	c = cm_at(ctl, msg.msg_controllen, 0);
	CHECK(c && c->cmsg_type == IPV6_PATHMTU);
	memcpy(&mi, CMSG_DATA(c), sizeof(mi));
	CHECK_EQ(mi.ip6m_mtu, 1300u);
	/* A notice pending while the switch is off: recv and poll agree. */
	CHECK_EQ(duet_send(t.x.a, cli, big, sizeof(big), 0), -1);
	CHECK_EQ(sk_setint(t.x.a, cli, IPPROTO_IPV6, IPV6_RECVPATHMTU, 0), 0);
	CHECK_EQ(duet_poll(t.x.a, &(struct pollfd){ .fd = cli, .events = POLLIN }, 1, 0), 0);
	CHECK_EQ(duet_recvmsg(t.x.a, cli, &msg, MSG_DONTWAIT), -1);
	CHECK_EQ(errno, EAGAIN);
	sk_teardown(&t.x);
}

/* A-4 bad input: a datagram whose Destination Options header is malformed
 * (an option running past the header) or carries an unknown option whose
 * action says discard never reaches a socket asking for its headers; it
 * is counted, and the socket still gets the next good one. */
TEST(adv_recv_malformed_ext_dropped)
{
	struct adv t;
	uint8_t pl[64], ctl[256], a6[16], b6[16];
	struct duet_ip6_hdr ih;
	size_t n, cl;
	int srv, flags;
	char buf[16];
	static const uint8_t bad[3][8] = {
		{ IPPROTO_UDP, 0, 0x1e, 10, 1, 2, 3, 4 }, /* option longer than the header */
		{ IPPROTO_UDP, 0, 0x5e, 4, 1, 2, 3, 4 },  /* unknown, action 01: discard */
		{ IPPROTO_UDP, 0, 1, 4, 0, 0, 0, 0 },     /* good: PadN */
	};
	unsigned k;

	adv_setup(&t, false);
	srv = udp6_socket(t.x.b, 7020);
	CHECK_EQ(sk_setint(t.x.b, srv, IPPROTO_IPV6, IPV6_RECVDSTOPTS, 1), 0);
	sf_a6("fd00::1", a6);
	sf_a6("fd00::2", b6);
	for (k = 0; k < 3; k++) {
		memcpy(pl, bad[k], 8);
		duet_put_be16(pl + 8, 4000);
		duet_put_be16(pl + 10, 7020);
		duet_put_be16(pl + 12, 10);
		duet_put_be16(pl + 14, 0);
		pl[16] = 'o', pl[17] = 'k';
		n = 18;
		duet_udp_csum_set(pl + 8, 10, duet_csum_pseudo6(a6, b6, 10, IPPROTO_UDP));
		memset(&ih, 0, sizeof(ih));
		ih.next_header = 60;
		ih.hop_limit = 64;
		ih.payload_length = (uint16_t)n;
		memcpy(ih.src, a6, 16);
		memcpy(ih.dst, b6, 16);
		CHECK_EQ(sf_send_ip6(t.x.a, (uint32_t)t.x.if_a, sf_mac(t.x.b, (uint32_t)t.x.if_b), &ih,
				     NULL, pl, n),
			 0);
		sk_run(&t.x);
	}
	CHECK_EQ(duet_stack_counter(t.x.b, DUET_CTR_DROP_IP6_BAD_EXT), 1u);
	CHECK_EQ(duet_stack_counter(t.x.b, DUET_CTR_DROP_IP6_OPT_DISCARD), 1u);
	CHECK_EQ(adv_recv(t.x.b, srv, buf, sizeof(buf), ctl, sizeof(ctl), &cl, &flags), 2);
	CHECK(cm_at(ctl, cl, 0) && cm_at(ctl, cl, 0)->cmsg_type == IPV6_DSTOPTS);
	CHECK_MEM(CMSG_DATA(cm_at(ctl, cl, 0)), bad[2], 8);
	CHECK_EQ(adv_recv(t.x.b, srv, buf, sizeof(buf), ctl, sizeof(ctl), &cl, &flags), -1);
	CHECK_EQ(errno, EAGAIN);
	sk_teardown(&t.x);
}
