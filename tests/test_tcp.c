/* duet tests — TCP between two simulated stacks (T-2, S-1, DS-1..DS-6,
 * the handshake both ways and families, data, half-close,
 * close, and what goes on the wire. */
#include "sock_fixture.h"

#include "transport/tcp_internal.h"

#include <duet/byteorder.h>
#include <duet/csum.h>
#include <duet/wire/icmp6.h>
#include <duet/wire/ip6.h>

#include <fcntl.h>
#include <netinet/tcp.h>

/* A listener on B at addr:port (AF_INET6 when addr has a colon). */
static int tcp_listener(struct sk *x, const char *addr, uint16_t port, int v6only)
{
	int fam = strchr(addr, ':') ? AF_INET6 : AF_INET;
	int fd = duet_socket(x->b, fam, SOCK_STREAM, 0);

	CHECK(fd >= 3);
	if (fam == AF_INET6 && v6only >= 0)
		CHECK_EQ(sk_setint(x->b, fd, IPPROTO_IPV6, IPV6_V6ONLY, v6only), 0);
	CHECK_EQ(sk_bind(x->b, fd, addr, port), 0);
	CHECK_EQ(duet_listen(x->b, fd, 16), 0);
	return fd;
}

/* A connects to addr:port; returns the connected descriptor. */
static int tcp_connect_a(struct sk *x, int fam, const char *addr, uint16_t port)
{
	int fd = duet_socket(x->a, fam, SOCK_STREAM, 0);

	CHECK(fd >= 3);
	CHECK_EQ(sk_connect(x->a, fd, addr, port), -1);
	CHECK_EQ(errno, EINPROGRESS);
	sk_run(x);
	return fd;
}

static void tcp_send_all(struct sk *x, struct duet_stack *st, int fd, const char *m)
{
	CHECK_EQ(duet_send(st, fd, m, strlen(m), 0), (ssize_t)strlen(m));
	sk_run(x);
}

/* T-2, S-1, DS-3, DS-2: a dual-stack listener on :: accepts an IPv6 and
 * an IPv4 client; the IPv4 one shows as ::ffff:10.0.0.1; data both ways;
 * an orderly close gives end of file to each side. */
TEST(tcp_dual_stack_echo_and_close)
{
	struct sk x;
	int fam[2] = { AF_INET6, AF_INET };
	const char *dst[2] = { "fd00::2", "10.0.0.2" };
	const char *peer[2] = { "fd00::1", "::ffff:10.0.0.1" };
	int i, lfd;

	sk_setup(&x);
	lfd = tcp_listener(&x, "::", 80, 0);
	for (i = 0; i < 2; i++) {
		struct sockaddr_in6 from;
		socklen_t len = sizeof(from);
		char buf[64], text[64];
		int c = tcp_connect_a(&x, fam[i], dst[i], 80), s;

		s = duet_accept(x.b, lfd, (struct sockaddr *)&from, &len);
		CHECK(s >= 3);
		CHECK_EQ(len, sizeof(from));
		CHECK_EQ(from.sin6_family, AF_INET6);
		inet_ntop(AF_INET6, &from.sin6_addr, text, sizeof(text));
		CHECK_STR(text, peer[i]);
		tcp_send_all(&x, x.a, c, "hello");
		CHECK_EQ(duet_recv(x.b, s, buf, sizeof(buf), MSG_DONTWAIT), 5);
		CHECK_MEM(buf, "hello", 5);
		tcp_send_all(&x, x.b, s, "world!");
		CHECK_EQ(duet_recv(x.a, c, buf, sizeof(buf), MSG_DONTWAIT), 6);
		CHECK_MEM(buf, "world!", 6);
		/* Half-close: A's FIN, B still sends. */
		CHECK_EQ(duet_shutdown(x.a, c, SHUT_WR), 0);
		sk_run(&x);
		CHECK_EQ(duet_recv(x.b, s, buf, sizeof(buf), MSG_DONTWAIT), 0);
		tcp_send_all(&x, x.b, s, "late");
		CHECK_EQ(duet_recv(x.a, c, buf, sizeof(buf), MSG_DONTWAIT), 4);
		CHECK_EQ(duet_close(x.b, s), 0);
		sk_run(&x);
		CHECK_EQ(duet_recv(x.a, c, buf, sizeof(buf), MSG_DONTWAIT), 0);
		CHECK_EQ(duet_close(x.a, c), 0);
		sk_run(&x);
	}
	CHECK_EQ(duet_stack_counter(x.b, DUET_CTR_TCP_PASSIVE_OPENS), 2);
	CHECK_EQ(duet_stack_counter(x.a, DUET_CTR_TCP_ACTIVE_OPENS), 2);
	CHECK_EQ(duet_stack_counter(x.a, DUET_CTR_TCP_OUT_RSTS), 0);
	CHECK_EQ(duet_stack_counter(x.b, DUET_CTR_TCP_OUT_RSTS), 0);
	CHECK_EQ(duet_close(x.b, lfd), 0);
	sk_teardown(&x);
}

/* A 4 MB transfer on a clean link arrives whole, in order. */
TEST(tcp_bulk_transfer_clean)
{
	struct sk x;
	static uint8_t out[4 << 20], in[4 << 20];
	size_t sent = 0, got = 0, i;
	int lfd, c, s, rounds = 0;

	for (i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 2654435761u >> 24);
	sk_setup(&x);
	lfd = tcp_listener(&x, "::", 5001, 0);
	c = tcp_connect_a(&x, AF_INET6, "fd00::2", 5001);
	s = duet_accept(x.b, lfd, NULL, NULL);
	CHECK(s >= 3);
	while (got < sizeof(in) && rounds++ < 100000) {
		if (sent < sizeof(out)) {
			ssize_t n = duet_send(x.a, c, out + sent, sizeof(out) - sent, MSG_DONTWAIT);
			if (n > 0)
				sent += (size_t)n;
		}
		duet_sim_run_for(x.sim, SF_MS(1));
		for (;;) {
			ssize_t n = duet_recv(x.b, s, in + got, sizeof(in) - got, MSG_DONTWAIT);
			if (n <= 0)
				break;
			got += (size_t)n;
		}
	}
	CHECK_EQ(got, sizeof(in));
	CHECK(memcmp(in, out, sizeof(in)) == 0);
	{
		struct tcp_info ti;
		socklen_t len = sizeof(ti);
		CHECK_EQ(duet_getsockopt(x.a, c, IPPROTO_TCP, TCP_INFO, &ti, &len), 0);
		CHECK_EQ(ti.tcpi_state, TCP_ESTABLISHED);
		CHECK(ti.tcpi_options & 7);
		fprintf(stderr, "rounds %d rtt %u cwnd %u mss %u retrans %u\n", rounds, ti.tcpi_rtt,
			ti.tcpi_snd_cwnd, ti.tcpi_snd_mss, ti.tcpi_total_retrans);
	}
	sk_teardown(&x);
}

/* T-2 (memory): an idle established connection holds no buffers — the
 * rings exist only while they hold data, and small ones are reused from
 * the stack's cache. */
TEST(tcp_idle_connection_holds_no_buffers)
{
	struct sk x;
	char buf[64];
	int lfd, c, s, i;

	sk_setup(&x);
	lfd = tcp_listener(&x, "::", 81, 0);
	c = tcp_connect_a(&x, AF_INET6, "fd00::2", 81);
	s = duet_accept(x.b, lfd, NULL, NULL);
	CHECK(s >= 3);
	for (i = 0; i < 3; i++) {
		tcp_send_all(&x, x.a, c, "request");
		CHECK_EQ(duet_recv(x.b, s, buf, sizeof(buf), MSG_DONTWAIT), 7);
		tcp_send_all(&x, x.b, s, "reply");
		CHECK_EQ(duet_recv(x.a, c, buf, sizeof(buf), MSG_DONTWAIT), 5);
	}
	duet_sim_run_for(x.sim, SF_MS(500)); /* delayed ACKs out */
	{
		const struct tcp_sock *ta = tcp_sk(sock_get(x.a, c)), *tb = tcp_sk(sock_get(x.b, s));
		CHECK_EQ(ta->sndq.cap, 0);
		CHECK_EQ(ta->rcvq.cap, 0);
		CHECK_EQ(tb->sndq.cap, 0);
		CHECK_EQ(tb->rcvq.cap, 0);
		CHECK_EQ(ta->state, TCPS_ESTABLISHED);
	}
	sk_teardown(&x);
}

/* T-2 (path MTU, RFC 8201 for TCP): a Packet Too Big quoting a sequence
 * number not in flight is not taken by TCP (RFC 5927 §4.1; counted
 * TCP_ICMP_IGNORED) — the destination's path MTU, which IPv6 keeps for
 * every socket, still falls, and TCP's next segment refused by IPv6
 * output (DF) brings its MSS down; one quoting a segment in flight lowers
 * the MSS at once to what 1300 octets allow (1300 - 40 - 20 - 12 for
 * timestamps) and resends. Every byte arrives. (Linux takes no PMTU from
 * a quote TCP refuses: duet's path MTU cache is the network layer's.) */
TEST(tcp_packet_too_big_lowers_mss)
{
	static uint8_t out[200000], in[200000];
	struct sk x;
	struct duet_ip6_hdr q, ih;
	struct duet_wcur w;
	uint8_t pl[8 + 40 + 20], a6[16], b6[16];
	size_t got = 0, i;
	int lfd, c, s, k;

	for (i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 7u);
	sk_setup(&x);
	sf_a6("fd00::1", a6);
	sf_a6("fd00::2", b6);
	lfd = tcp_listener(&x, "::", 82, 0);
	c = tcp_connect_a(&x, AF_INET6, "fd00::2", 82);
	s = duet_accept(x.b, lfd, NULL, NULL);
	CHECK(s >= 3);
	CHECK_EQ(tcp_sk(sock_get(x.a, c))->mss, 1500 - 60 - 12);
	CHECK_EQ(duet_send(x.a, c, out, sizeof(out), MSG_DONTWAIT), (ssize_t)sizeof(out));
	{
		const struct tcp_sock *ta = tcp_sk(sock_get(x.a, c));
		memset(&q, 0, sizeof(q));
		q.next_header = IPPROTO_TCP;
		q.hop_limit = 64;
		q.payload_length = 1440;
		memcpy(q.src, a6, 16);
		memcpy(q.dst, b6, 16);
		memset(pl, 0, sizeof(pl));
		pl[0] = DUET_ICMP6_PACKET_TOO_BIG;
		duet_put_be32(pl + 4, 1300);
		duet_wcur_init(&w, pl + 8, 40);
		CHECK_EQ(duet_ip6_emit(&q, &w), 0);
		duet_put_be16(pl + 48, ta->sk.lport);
		duet_put_be16(pl + 50, 82);
		memset(&ih, 0, sizeof(ih));
		ih.next_header = IPPROTO_ICMPV6;
		ih.hop_limit = 64;
		ih.payload_length = sizeof(pl);
		memcpy(ih.src, b6, 16);
		memcpy(ih.dst, a6, 16);
		for (k = 0; k < 2; k++) {
			/* RFC 5927 §4.1: first a quote of a sequence number not in
			 * flight, which TCP does not take. */
			duet_put_be32(pl + 52, k ? ta->snd_una : ta->snd_una - 100000);
			pl[2] = pl[3] = 0;
			duet_icmp6_csum_set(pl, sizeof(pl),
					    duet_csum_pseudo6(b6, a6, sizeof(pl), IPPROTO_ICMPV6));
			CHECK_EQ(sf_send_ip6(x.b, (uint32_t)x.if_b, sf_mac(x.a, (uint32_t)x.if_a), &ih,
					     NULL, pl, sizeof(pl)), 0);
			duet_sim_run_for(x.sim, 1000);
			CHECK_EQ(duet_stack_counter(x.a, DUET_CTR_TCP_ICMP_IGNORED), 1);
		}
	}
	CHECK_EQ(tcp_sk(sock_get(x.a, c))->mss, 1300 - 60 - 12);
	x.n = 0;
	while (got < sizeof(in)) {
		ssize_t n;
		duet_sim_run_for(x.sim, SF_MS(5));
		while ((n = duet_recv(x.b, s, in + got, sizeof(in) - got, MSG_DONTWAIT)) > 0)
			got += (size_t)n;
		if (duet_sim_now(x.sim) > SF_MS(60000))
			break;
	}
	CHECK_EQ(got, sizeof(in));
	CHECK(memcmp(in, out, sizeof(in)) == 0);
	/* Segments already built at the old size are refused by IPv6 output
	 * (DF) and sent again at the new one; none reached the wire. */
	CHECK(duet_stack_counter(x.a, DUET_CTR_TCP_ICMP_ERRORS) == 1);
	sk_teardown(&x);
}
