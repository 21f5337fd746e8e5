/* duet tests — TCP's receive window across the whole sequence space: a
 * connection whose peer's initial sequence number lands where the window
 * edge computed for our SYN (against rcv_nxt 0) looks just behind rcv_nxt
 * (mod 2^32) still receives data. Before commit dfb3f0a such a connection
 * (about 1 in 4,096 active opens with a 1 MiB buffer) saw a zero window
 * forever and dropped everything the peer sent. ISNs are a keyed hash of
 * the 4-tuple plus a 4 µs clock (RFC 6528, tcp_isn), so the test picks the
 * client port whose ISN from B falls in the middle of that band. */
#include "sock_fixture.h"
#include "transport/tcp_internal.h"

/* The band of B's ISN + 1 (A's rcv_nxt) where A's SYN's edge of 65,535
 * (a SYN's window is not scaled) is behind rcv_nxt while rcv_nxt plus A's
 * scaled window (1 MiB) is not past it: [2^31 + 65535 - 2^20,
 * 2^31 + 65535). Its middle, and how far from it a pick may be (a quarter
 * of the band: 2^18 ticks of 4 µs is about 1 s of clock, far more than
 * passes between the pick and B's SYN-ACK). */
#define BAND_MID (0x80000000u + 65535u - (1u << 19))
#define BAND_SLACK (1u << 18)

static uint32_t dist(uint32_t a, uint32_t b)
{
	uint32_t d = a - b;
	return d < 0x80000000u ? d : (uint32_t)0 - d;
}

TEST(tcp_data_arrives_whatever_the_peer_isn)
{
	struct sk x;
	uint8_t a4[16], b4[16];
	const uint8_t a_raw[4] = { 10, 0, 0, 1 }, b_raw[4] = { 10, 0, 0, 2 };
	uint32_t port, pick = 0;
	char buf[64];
	int lfd, c, s, i;

	sk_setup(&x);
	sock_addr_map4(a4, a_raw);
	sock_addr_map4(b4, b_raw);
	/* A 1 MiB receive buffer (the default): A's window scale is 5. */
	for (port = 1024; port < 65536 && !pick; port++) {
		uint32_t irs = tcp_isn(x.b, b4, 80, a4, (uint16_t)port);
		if (dist(irs + 1, BAND_MID) < BAND_SLACK)
			pick = port;
	}
	CHECK(pick != 0);
	lfd = duet_socket(x.b, AF_INET, SOCK_STREAM, 0);
	CHECK(lfd >= 3);
	CHECK_EQ(sk_bind(x.b, lfd, "10.0.0.2", 80), 0);
	CHECK_EQ(duet_listen(x.b, lfd, 4), 0);
	c = duet_socket(x.a, AF_INET, SOCK_STREAM, 0);
	CHECK(c >= 3);
	CHECK_EQ(sk_bind(x.a, c, "10.0.0.1", (uint16_t)pick), 0);
	CHECK_EQ(sk_connect(x.a, c, "10.0.0.2", 80), -1);
	CHECK_EQ(errno, EINPROGRESS);
	sk_run(&x);
	s = duet_accept(x.b, lfd, NULL, NULL);
	CHECK(s >= 3);
	{
		/* The pick did land in the band (the clock moved little). */
		struct tcp_sock *tp = tcp_sk(x.a->sock->fds[c - SOCK_FD_BASE]);
		CHECK(dist(tp->rcv_nxt, BAND_MID) < 2 * BAND_SLACK);
	}
	/* B -> A is the direction that stalled; A -> B and back again. */
	for (i = 0; i < 3; i++) {
		CHECK_EQ(duet_send(x.b, s, "world", 5, 0), 5);
		sk_run(&x);
		CHECK_EQ(duet_recv(x.a, c, buf, sizeof(buf), MSG_DONTWAIT), 5);
		CHECK_MEM(buf, "world", 5);
		CHECK_EQ(duet_send(x.a, c, "hello", 5, 0), 5);
		sk_run(&x);
		CHECK_EQ(duet_recv(x.b, s, buf, sizeof(buf), MSG_DONTWAIT), 5);
		CHECK_MEM(buf, "hello", 5);
	}
	CHECK_EQ(duet_stack_counter(x.a, DUET_CTR_TCP_RETRANS_SEGS), 0);
	CHECK_EQ(duet_close(x.a, c), 0);
	CHECK_EQ(duet_close(x.b, s), 0);
	CHECK_EQ(duet_close(x.b, lfd), 0);
	sk_run(&x);
	sk_teardown(&x);
}
