/* duet tests — two stacks on one simulated cable for socket tests: A has
 * 10.0.0.1/24 and fd00::1/64, B 10.0.0.2/24 and fd00::2/64 (no DAD, no
 * autoconf), both with lo. Every frame A sends or receives is parsed by
 * the sim fixture's tap and kept (the last SK_MAX) for wire assertions,
 * plus small helpers to build sockaddrs and to send and receive. */
#ifndef DUET_TEST_SOCK_FIXTURE_H
#define DUET_TEST_SOCK_FIXTURE_H

#include "sim_fixture.h"

#include <duet/socket.h>
#include <duet/sysctl.h>

#include <arpa/inet.h>
#include <errno.h>

#define SK_MAX 64

struct sk_frame {
	bool is_ip6, is_ip4, is_tx;
	uint8_t hop_limit, tclass, upper;  /* TTL / TOS for IPv4 */
	uint32_t flow;                     /* IPv6 flow label; IPv4 Identification */
	uint8_t src[16], dst[16];          /* IPv4: first 4 bytes */
	uint8_t l4[64];
	size_t l4_len;
};

struct sk {
	struct duet_sim *sim;
	struct duet_stack *a, *b;
	int if_a, if_b;
	struct sf_tap tap_a, tap_b;
	struct sk_frame fr[SK_MAX];       /* A's frames */
	unsigned n;
	struct sk_frame frb[SK_MAX];      /* B's transmitted frames */
	unsigned nb;
};

static inline void sk_keep(struct sk_frame *f, const struct sf_frame *fr)
{
	memset(f, 0, sizeof(*f));
	f->is_tx = fr->ev->kind == DUET_TRACE_TX;
	f->is_ip6 = fr->is_ip6;
	f->is_ip4 = fr->is_ip4;
	f->upper = fr->upper;
	if (fr->is_ip6) {
		f->hop_limit = fr->ip6.hop_limit;
		f->tclass = fr->ip6.traffic_class;
		f->flow = fr->ip6.flow_label;
		memcpy(f->src, fr->ip6.src, 16);
		memcpy(f->dst, fr->ip6.dst, 16);
	} else if (fr->is_ip4) {
		const uint8_t *ip = fr->ev->data + DUET_ETH_HDR_LEN;
		f->hop_limit = ip[8];
		f->tclass = ip[1];
		f->flow = (uint32_t)ip[4] << 8 | ip[5];
		memcpy(f->src, ip + 12, 4);
		memcpy(f->dst, ip + 16, 4);
	}
	f->l4_len = fr->l4_len < sizeof(f->l4) ? fr->l4_len : sizeof(f->l4);
	if (fr->l4)
		memcpy(f->l4, fr->l4, f->l4_len);
}

static inline void sk_hook_a(struct sf_tap *tap, const struct sf_frame *fr)
{
	struct sk *x = tap->ctx;

	if ((fr->is_ip6 || fr->is_ip4) && x->n < SK_MAX && fr->ev->kind != DUET_TRACE_DROP)
		sk_keep(&x->fr[x->n++], fr);
}

static inline void sk_hook_b(struct sf_tap *tap, const struct sf_frame *fr)
{
	struct sk *x = tap->ctx;

	if ((fr->is_ip6 || fr->is_ip4) && x->nb < SK_MAX && fr->ev->kind == DUET_TRACE_TX)
		sk_keep(&x->frb[x->nb++], fr);
}

static inline void sk_setup(struct sk *x)
{
	uint8_t a6[16], b6[16], a4[4] = { 10, 0, 0, 1 }, b4[4] = { 10, 0, 0, 2 };

	memset(x, 0, sizeof(*x));
	CHECK_EQ(duet_sim_create(7, 0, &x->sim), 0);
	sf_tap_init(&x->tap_a, sk_hook_a, x);
	sf_tap_init(&x->tap_b, sk_hook_b, x);
	x->a = sf_add_stack(x->sim, "A", &x->tap_a, true);
	x->b = sf_add_stack(x->sim, "B", &x->tap_b, true);
	CHECK_EQ(duet_sim_connect(x->sim, x->a, x->b, NULL, &x->if_a, &x->if_b), 0);
	sf_a6("fd00::1", a6);
	sf_a6("fd00::2", b6);
	CHECK_EQ(duet_if_addr_add(x->a, (uint32_t)x->if_a, AF_INET6, a6, 64, DUET_IFA_F_NODAD), 0);
	CHECK_EQ(duet_if_addr_add(x->b, (uint32_t)x->if_b, AF_INET6, b6, 64, DUET_IFA_F_NODAD), 0);
	CHECK_EQ(duet_if_addr_add(x->a, (uint32_t)x->if_a, AF_INET, a4, 24, 0), 0);
	CHECK_EQ(duet_if_addr_add(x->b, (uint32_t)x->if_b, AF_INET, b4, 24, 0), 0);
	duet_sim_run_for(x->sim, SF_MS(10));
	x->n = x->nb = 0;
}

static inline void sk_teardown(struct sk *x)
{
	duet_sim_destroy(x->sim);
}

static inline void sk_run(struct sk *x)
{
	duet_sim_run_for(x->sim, SF_MS(50));
}

/* "fd00::2" / "::ffff:10.0.0.2" -> sockaddr_in6; "10.0.0.2" -> sockaddr_in. */
static inline socklen_t sk_sa(const char *addr, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		CHECK_EQ(inet_pton(AF_INET6, addr, &a->sin6_addr), 1);
		return sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		CHECK_EQ(inet_pton(AF_INET, addr, &a->sin_addr), 1);
		return sizeof(*a);
	}
}

static inline int sk_bind(struct duet_stack *s, int fd, const char *addr, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t n = sk_sa(addr, port, &ss);

	return duet_bind(s, fd, (struct sockaddr *)&ss, n);
}

static inline int sk_connect(struct duet_stack *s, int fd, const char *addr, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t n = sk_sa(addr, port, &ss);

	return duet_connect(s, fd, (struct sockaddr *)&ss, n);
}

static inline ssize_t sk_sendto(struct duet_stack *s, int fd, const char *msg, const char *addr,
				uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t n = sk_sa(addr, port, &ss);

	return duet_sendto(s, fd, msg, strlen(msg), 0, (struct sockaddr *)&ss, n);
}

static inline int sk_setint(struct duet_stack *s, int fd, int level, int name, int v)
{
	return duet_setsockopt(s, fd, level, name, &v, sizeof(v));
}

static inline int sk_getint(struct duet_stack *s, int fd, int level, int name)
{
	int v = -12345;
	socklen_t len = sizeof(v);

	CHECK_EQ(duet_getsockopt(s, fd, level, name, &v, &len), 0);
	return v;
}

/* Receives one datagram; the source, as text, to from (may be NULL).
 * Returns recvfrom's value. */
static inline ssize_t sk_recv(struct duet_stack *s, int fd, char *buf, size_t cap, char *from,
			      uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	ssize_t r = duet_recvfrom(s, fd, buf, cap - 1, MSG_DONTWAIT, (struct sockaddr *)&ss, &len);

	if (r < 0)
		return r;
	buf[r] = '\0';
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		if (from)
			inet_ntop(AF_INET6, &a->sin6_addr, from, INET6_ADDRSTRLEN);
		if (port)
			*port = ntohs(a->sin6_port);
		CHECK_EQ(len, sizeof(*a));
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		if (from)
			inet_ntop(AF_INET, &a->sin_addr, from, INET6_ADDRSTRLEN);
		if (port)
			*port = ntohs(a->sin_port);
		CHECK_EQ(len, sizeof(*a));
	}
	return r;
}

/* The last frame A sent with upper-layer protocol upper, or NULL. */
static inline const struct sk_frame *sk_last_tx(const struct sk *x, uint8_t upper)
{
	unsigned i;

	for (i = x->n; i-- > 0;)
		if (x->fr[i].is_tx && x->fr[i].upper == upper)
			return &x->fr[i];
	return NULL;
}

#endif
