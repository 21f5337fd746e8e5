/* ICMPv6 (N-2, F-3): echo answered from the address asked (RFC 4443 §4.2),
 * multicast echo answered from a unicast source, bad checksums counted, no
 * error about an error or a multicast (§2.4(e)), the rate limit (§2.4(f)),
 * Packet Too Big lowering the path MTU but never below 1280 (RFC 8201),
 * errors about our packets handed to the transport that sent them with
 * Linux's errno (N-2), RFC 6437 flow labels on echo requests (N-1). */
#include "ip6_fixture.h"

#include "net/ip6.h"

/* Action: Echo Request from the peer's global address to ours, 100 bytes.
 * Response: Echo Reply from our address, same id, seq and data, valid
 * checksum. */
TEST(icmp6_echo_request_answered)
{
	struct fx x;
	uint8_t m[200], f[300];
	size_t n;
	struct duet_pkt *p;
	const uint8_t *r;

	fx_setup(&x);
	n = fx_echo(m, 0x1234, 7, 100);
	fx_icmp_csum(m, n, x.peer_gl, x.gl);
	fx_inject(&x, f, fx_frame(f, x.peer_gl, x.gl, 58, 64, m, n));
	p = fx_pop(&x);
	r = fx_expect_icmp(p, DUET_ICMP6_ECHO_REPLY, 0, x.gl, x.peer_gl);
	if (r) {
		CHECK_EQ(p->len, FX_IP6 + n);
		CHECK_MEM(r + 4, m + 4, n - 4);
		CHECK_EQ(duet_pkt_data(p)[FX_ETH + 7], 64);
		CHECK_MEM(duet_pkt_data(p), fx_peer_mac, 6);
	}
	duet_pkt_free(p);
	CHECK_EQ(fx_ctr(&x, DUET_CTR_ICMP6_IN_ECHOS), 1);
	CHECK_EQ(fx_ctr(&x, DUET_CTR_ICMP6_OUT_ECHO_REPLIES), 1);
	fx_teardown(&x);
}

/* Action: Echo Request to ff02::1 from fe80::2. Response: a reply from
 * our link-local address (Linux answers multicast echo). */
TEST(icmp6_echo_multicast_answered_from_unicast)
{
	struct fx x;
	uint8_t m[64], f[200];
	size_t n;
	struct duet_pkt *p;

	fx_setup(&x);
	n = fx_echo(m, 1, 1, 16);
	fx_icmp_csum(m, n, x.peer_ll, x.all_nodes);
	fx_inject(&x, f, fx_frame(f, x.peer_ll, x.all_nodes, 58, 1, m, n));
	p = fx_pop(&x);
	fx_expect_icmp(p, DUET_ICMP6_ECHO_REPLY, 0, x.ll, x.peer_ll);
	duet_pkt_free(p);
	fx_teardown(&x);
}

/* Action: Echo Request with a wrong checksum. Response: nothing; counted. */
TEST(icmp6_bad_checksum_dropped)
{
	struct fx x;
	uint8_t m[64], f[200];
	size_t n;

	fx_setup(&x);
	n = fx_echo(m, 1, 1, 16);
	fx_icmp_csum(m, n, x.peer_gl, x.gl);
	m[10] ^= 0xff;
	fx_inject(&x, f, fx_frame(f, x.peer_gl, x.gl, 58, 64, m, n));
	CHECK(fx_pop(&x) == NULL);
	CHECK_EQ(fx_ctr(&x, DUET_CTR_DROP_ICMP6_BAD_CHECKSUM), 1);
	CHECK_EQ(fx_ctr(&x, DUET_CTR_ICMP6_IN_ERRORS), 1);
	fx_teardown(&x);
}

/* Action: an ICMPv6 error (Destination Unreachable) carried behind an
 * unknown Destination Option with action 10. Response: no Parameter Problem
 * — never an error about an error (§2.4(e.1)); counted suppressed. */
TEST(icmp6_no_error_about_error)
{
	struct fx x;
	uint8_t m[64], f[200];

	fx_setup(&x);
	memset(m, 0, sizeof(m));
	m[0] = 58;         /* Destination Options, next: ICMPv6 */
	m[2] = 0x80;       /* unknown option, action 10 */
	m[3] = 4;
	m[8] = DUET_ICMP6_DST_UNREACH;
	fx_icmp_csum(m + 8, 48, x.peer_gl, x.gl);
	fx_inject(&x, f, fx_frame(f, x.peer_gl, x.gl, 60, 64, m, 56));
	CHECK(fx_pop(&x) == NULL);
	CHECK_EQ(fx_ctr(&x, DUET_CTR_ICMP6_ERR_SUPPRESSED), 1);
	CHECK_EQ(fx_ctr(&x, DUET_CTR_DROP_IP6_OPT_DISCARD), 1);
	fx_teardown(&x);
}

/* Action: 60 packets with an unknown Next Header at once. Response: 50
 * Parameter Problems (the burst), the rest rate limited; after a second,
 * errors flow again. */
TEST(icmp6_error_rate_limited)
{
	struct fx x;
	uint8_t m[8] = { 0 }, f[100];
	size_t n;
	unsigned i, sent = 0;
	struct duet_pkt *p;

	fx_setup(&x);
	n = fx_frame(f, x.peer_gl, x.gl, 253, 64, m, sizeof(m));
	for (i = 0; i < 60; i++)
		CHECK_EQ(duet_chanlink_inject(x.link, f, n), 0);
	duet_stack_poll(x.s);
	while ((p = fx_pop(&x)) != NULL) {
		sent++;
		duet_pkt_free(p);
	}
	CHECK_EQ(sent, 50);
	CHECK_EQ(fx_ctr(&x, DUET_CTR_ICMP_RATELIMITED), 10);
	fx_advance_ms(&x, 1000);
	fx_inject(&x, f, n);
	p = fx_pop(&x);
	fx_expect_icmp(p, DUET_ICMP6_PARAM_PROBLEM, 1, x.gl, x.peer_gl);
	duet_pkt_free(p);
	fx_teardown(&x);
}

/* Sends a 1400-byte echo request and returns the reply frames' count and
 * the largest frame. */
static unsigned echo_1400(struct fx *x, size_t *largest)
{
	uint8_t m[1500], f[1600];
	size_t n = fx_echo(m, 9, 9, 1392);
	struct duet_pkt *p;
	unsigned frames = 0;

	*largest = 0;
	fx_icmp_csum(m, n, x->peer_gl, x->gl);
	fx_inject(x, f, fx_frame(f, x->peer_gl, x->gl, 58, 64, m, n));
	while ((p = fx_pop(x)) != NULL) {
		frames++;
		if (p->len - FX_ETH > *largest)
			*largest = p->len - FX_ETH;
		duet_pkt_free(p);
	}
	return frames;
}

/* Action: the peer reports Packet Too Big MTU 1300 for our reply, then
 * asks again; then a PTB with MTU 1000. Response: the next reply comes in
 * fragments of at most 1300 bytes; the second PTB is clamped to 1280. */
TEST(icmp6_ptb_lowers_path_mtu)
{
	struct fx x;
	uint8_t m[1400], f[1500];
	size_t largest;

	fx_setup(&x);
	CHECK_EQ(echo_1400(&x, &largest), 1);
	CHECK_EQ(largest, 1440);
	memset(m, 0, sizeof(m));
	m[0] = DUET_ICMP6_PACKET_TOO_BIG;
	duet_put_be32(m + 4, 1300);
	m[8] = 0x60; /* the quoted reply: IPv6 header from us to the peer */
	duet_put_be16(m + 8 + 4, 1400);
	m[8 + 6] = 58;
	m[8 + 7] = 64;
	memcpy(m + 8 + 8, x.gl, 16);
	memcpy(m + 8 + 24, x.peer_gl, 16);
	fx_icmp_csum(m, 1048, x.peer_gl, x.gl);
	fx_inject(&x, f, fx_frame(f, x.peer_gl, x.gl, 58, 64, m, 1048));
	CHECK_EQ(fx_ctr(&x, DUET_CTR_PMTU_LOWERED), 1);
	CHECK_EQ(echo_1400(&x, &largest), 2);
	CHECK(largest <= 1300);
	duet_put_be32(m + 4, 1000);
	duet_put_be16(m + 2, 0);
	fx_icmp_csum(m, 1048, x.peer_gl, x.gl);
	fx_inject(&x, f, fx_frame(f, x.peer_gl, x.gl, 58, 64, m, 1048));
	CHECK_EQ(fx_ctr(&x, DUET_CTR_PMTU_CLAMPED), 1);
	CHECK_EQ(echo_1400(&x, &largest), 2);
	CHECK(largest <= 1280);
	CHECK(largest > 1200);
	fx_teardown(&x);
}

static unsigned replies_seen;
static void on_reply(void *ctx, const struct duet_echo_reply *r)
{
	(void)ctx;
	if (r->family == AF_INET6 && r->id == 5 && r->seq == 6 && r->data_len == 3000)
		replies_seen++;
}

/* Action: duet_echo_send() 3000 bytes to the peer; the peer's reply comes
 * back. Response: the request leaves in 3 fragments; the reply reaches the
 * echo handler. */
TEST(icmp6_echo_send_and_reply)
{
	struct fx x;
	static uint8_t m[3100], f[3200], fr[1600];
	size_t n;
	unsigned frames = 0;
	struct duet_pkt *p;

	fx_setup(&x);
	duet_echo_set_handler(x.s, on_reply, NULL);
	CHECK_EQ(duet_echo_send(x.s, AF_INET6, x.peer_gl, 0, 5, 6, 3000), 0);
	CHECK_EQ(duet_echo_send(x.s, AF_INET6, x.peer_ll, 0, 5, 6, 10), -EINVAL);
	duet_stack_poll(x.s);
	while ((p = fx_pop(&x)) != NULL) {
		frames++;
		CHECK_EQ(duet_pkt_data(p)[FX_ETH + 6], 44);
		duet_pkt_free(p);
	}
	CHECK_EQ(frames, 3);
	n = fx_echo(m, 5, 6, 3000);
	m[0] = DUET_ICMP6_ECHO_REPLY;
	fx_icmp_csum(m, n, x.peer_gl, x.gl);
	/* The reply arrives in two fragments (1504 + the rest). */
	memset(fr, 0, 8);
	fr[0] = 58;
	duet_put_be16(fr + 2, 1); /* offset 0, M */
	duet_put_be32(fr + 4, 77);
	memcpy(fr + 8, m, 1504);
	fx_inject(&x, f, fx_frame(f, x.peer_gl, x.gl, 44, 64, fr, 8 + 1504));
	duet_put_be16(fr + 2, 1504); /* offset 188 units, last */
	memcpy(fr + 8, m + 1504, n - 1504);
	fx_inject(&x, f, fx_frame(f, x.peer_gl, x.gl, 44, 64, fr, 8 + n - 1504));
	CHECK_EQ(replies_seen, 1);
	fx_teardown(&x);
}

/* What the fake UDP transport below was told. */
static struct net_icmp_err seen_err;
static uint8_t seen_l4[8];
static unsigned n_seen;

static void fake_udp_err(struct duet_stack *stack, const struct net_icmp_err *e)
{
	(void)stack;
	seen_err = *e;
	memcpy(seen_l4, e->l4, e->l4_len < 8 ? e->l4_len : 8);
	n_seen++;
}

/* Injects an ICMPv6 error (type, code, word) from the peer quoting a UDP
 * packet src:5000 → peer_gl:53, behind a Destination Options header when
 * has_dst_opts. */
static void inject_udp_error(struct fx *x, uint8_t type, uint8_t code, uint32_t word,
			     const uint8_t src[16], bool has_dst_opts)
{
	uint8_t m[200], f[300];
	size_t q = 8, ext = has_dst_opts ? 8 : 0;

	memset(m, 0, sizeof(m));
	m[0] = type;
	m[1] = code;
	duet_put_be32(m + 4, word);
	m[q] = 0x60;
	duet_put_be16(m + q + 4, (uint16_t)(ext + 8 + 4));
	m[q + 6] = has_dst_opts ? 60 : 17;
	m[q + 7] = 64;
	memcpy(m + q + 8, src, 16);
	memcpy(m + q + 24, x->peer_gl, 16);
	if (has_dst_opts) {
		m[q + 40] = 17;
		m[q + 42] = 1; /* PadN, 4 octets */
		m[q + 43] = 4;
	}
	duet_put_be16(m + q + 40 + ext, 5000);
	duet_put_be16(m + q + 42 + ext, 53);
	duet_put_be16(m + q + 44 + ext, 12);
	fx_icmp_csum(m, q + 40 + ext + 12, x->peer_gl, x->gl);
	fx_inject(x, f, fx_frame(f, x->peer_gl, x->gl, 58, 64, m, q + 40 + ext + 12));
}

/* Action: Port Unreachable quoting a UDP packet of ours, with a UDP error
 * handler attached. Response: the handler learns ECONNREFUSED (as Linux's
 * icmpv6_err_convert), protocol 17 and the quoted ports; nothing is sent
 * back; an extension header in the quote is walked over. */
TEST(icmp6_error_reaches_the_transport)
{
	struct fx x;

	fx_setup(&x);
	net_set_err_handler(x.s, 17, fake_udp_err);
	n_seen = 0;
	inject_udp_error(&x, DUET_ICMP6_DST_UNREACH, 4, 0, x.gl, false);
	CHECK_EQ(n_seen, 1);
	CHECK_EQ(seen_err.family, AF_INET6);
	CHECK_EQ(seen_err.err, ECONNREFUSED);
	CHECK_EQ(seen_err.proto, 17);
	CHECK_MEM(seen_err.src, x.gl, 16);
	CHECK_MEM(seen_err.dst, x.peer_gl, 16);
	CHECK_MEM(seen_err.from, x.peer_gl, 16);
	CHECK_EQ(seen_err.ifindex, x.eth);
	CHECK_EQ(duet_get_be16(seen_l4), 5000);
	CHECK_EQ(duet_get_be16(seen_l4 + 2), 53);
	inject_udp_error(&x, DUET_ICMP6_DST_UNREACH, 0, 0, x.gl, true);
	CHECK_EQ(n_seen, 2);
	CHECK_EQ(seen_err.err, ENETUNREACH);
	CHECK_EQ(duet_get_be16(seen_l4 + 2), 53);
	inject_udp_error(&x, DUET_ICMP6_TIME_EXCEEDED, 0, 0, x.gl, false);
	CHECK_EQ(seen_err.err, EHOSTUNREACH);
	inject_udp_error(&x, DUET_ICMP6_PARAM_PROBLEM, 1, 40, x.gl, false);
	CHECK_EQ(seen_err.err, EPROTO);
	CHECK_EQ(seen_err.pointer, 40);
	CHECK_EQ(n_seen, 4);
	CHECK_EQ(fx_ctr(&x, DUET_CTR_DROP_ICMP6_ERROR_CONSUMED), 0);
	CHECK(fx_pop(&x) == NULL);
	fx_teardown(&x);
}

/* Action: Packet Too Big (MTU 1300) quoting our UDP packet. Response: the
 * path MTU falls to 1300 and the transport learns EMSGSIZE with the MTU
 * (F-3: what IPV6_RECVPATHMTU and TCP's MSS will follow). */
TEST(icmp6_packet_too_big_reaches_the_transport)
{
	struct fx x;

	fx_setup(&x);
	net_set_err_handler(x.s, 17, fake_udp_err);
	n_seen = 0;
	inject_udp_error(&x, DUET_ICMP6_PACKET_TOO_BIG, 0, 1300, x.gl, false);
	CHECK_EQ(n_seen, 1);
	CHECK_EQ(seen_err.err, EMSGSIZE);
	CHECK_EQ(seen_err.mtu, 1300);
	CHECK_EQ(fx_ctr(&x, DUET_CTR_PMTU_LOWERED), 1);
	fx_teardown(&x);
}

/* Action: errors quoting a packet that is not ours (source 2001:db8::99),
 * and one of ours with no handler for its protocol. Response: the first is
 * dropped as a bad quote and reaches no handler; the second is counted as
 * consumed. */
TEST(icmp6_error_not_ours_or_unhandled)
{
	struct fx x;
	uint8_t other[16];

	fx_setup(&x);
	fx_a6("2001:db8::99", other);
	net_set_err_handler(x.s, 17, fake_udp_err);
	n_seen = 0;
	inject_udp_error(&x, DUET_ICMP6_DST_UNREACH, 4, 0, other, false);
	CHECK_EQ(n_seen, 0);
	CHECK_EQ(fx_ctr(&x, DUET_CTR_DROP_ICMP6_BAD_QUOTE), 1);
	net_set_err_handler(x.s, 17, NULL);
	inject_udp_error(&x, DUET_ICMP6_DST_UNREACH, 4, 0, x.gl, false);
	CHECK_EQ(n_seen, 0);
	CHECK_EQ(fx_ctr(&x, DUET_CTR_DROP_ICMP6_ERROR_CONSUMED), 1);
	fx_teardown(&x);
}

/* The flow label of the next output frame (NULL frame: fails). */
static uint32_t pop_flow_label(struct fx *x)
{
	struct duet_pkt *p = fx_pop(x);
	uint32_t label = 0xffffffffu;

	CHECK(p != NULL);
	if (p) {
		label = duet_get_be32(duet_pkt_data(p) + FX_ETH) & 0xfffffu;
		duet_pkt_free(p);
	}
	return label;
}

/* Action: echo requests with Identifier 5 (twice), 6, and to another
 * destination; an echo request from the peer. Response: the requests carry
 * RFC 6437 flow labels: non-zero, the same for one flow, different for
 * another Identifier or destination; the echo reply goes unlabelled (0),
 * as Linux sends it. */
TEST(icmp6_echo_requests_carry_flow_labels)
{
	struct fx x;
	uint8_t m[64], f[128], other[16];
	uint32_t a, b, c, d;
	size_t n;

	fx_setup(&x);
	fx_a6("2001:db8::3", other);
	CHECK_EQ(duet_echo_send(x.s, AF_INET6, x.peer_gl, 0, 5, 1, 8), 0);
	duet_stack_poll(x.s);
	a = pop_flow_label(&x);
	CHECK_EQ(duet_echo_send(x.s, AF_INET6, x.peer_gl, 0, 5, 2, 8), 0);
	duet_stack_poll(x.s);
	b = pop_flow_label(&x);
	CHECK_EQ(duet_echo_send(x.s, AF_INET6, x.peer_gl, 0, 6, 1, 8), 0);
	duet_stack_poll(x.s);
	c = pop_flow_label(&x);
	CHECK(a != 0 && a <= 0xfffffu);
	CHECK_EQ(a, b);
	CHECK(c != a && c != 0);
	d = ip6_flow_label(x.s, x.gl, other, 58, 5, NULL);
	CHECK(d != a && d != 0);
	n = fx_echo(m, 9, 1, 8);
	fx_icmp_csum(m, n, x.peer_gl, x.gl);
	fx_inject(&x, f, fx_frame(f, x.peer_gl, x.gl, 58, 64, m, n));
	CHECK_EQ(pop_flow_label(&x), 0);
	fx_teardown(&x);
}
