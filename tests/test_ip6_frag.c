/* IPv6 fragmentation and reassembly through the whole input and output
 * paths (F-1, F-2, F-3): fragments in order, reversed, overlapping (RFC
 * 5722), atomic (RFC 6946), a first fragment without the upper-layer header
 * (RFC 7112), the 60 s timeout with Time Exceeded code 1 only when the first
 * fragment arrived (RFC 8200 §4.5), a 3000-byte echo reassembled and its
 * reply fragmented to the MTU. */
#include "ip6_fixture.h"

/* An echo request message of data_len bytes, checksummed, into msg. */
static size_t echo_msg(const struct fx *x, uint8_t *msg, size_t data_len)
{
	size_t n = fx_echo(msg, 0x77, 1, data_len);

	fx_icmp_csum(msg, n, x->peer_gl, x->gl);
	return n;
}

/* Injects bytes [off, off + len) of msg as a fragment (id, M flag). */
static void send_frag(struct fx *x, const uint8_t *msg, size_t off, size_t len, bool more,
		      uint32_t id)
{
	static uint8_t fr[1600], f[1700];

	memset(fr, 0, 8);
	fr[0] = 58;
	duet_put_be16(fr + 2, (uint16_t)(off | (more ? 1u : 0u)));
	duet_put_be32(fr + 4, id);
	memcpy(fr + 8, msg + off, len);
	fx_inject(x, f, fx_frame(f, x->peer_gl, x->gl, 44, 64, fr, 8 + len));
}

/* Pops one echo reply of n message bytes (unfragmented) or fails. */
static void expect_reply(struct fx *x, size_t n)
{
	struct duet_pkt *p = fx_pop(x);

	fx_expect_icmp(p, DUET_ICMP6_ECHO_REPLY, 0, x->gl, x->peer_gl);
	if (p)
		CHECK_EQ(p->len, FX_IP6 + n);
	duet_pkt_free(p);
}

/* Action: a 200-byte echo in three fragments, in order. Response: one
 * reply; REASM_OKS 1. */
TEST(ip6_reass_in_order)
{
	struct fx x;
	uint8_t m[300];
	size_t n;

	fx_setup(&x);
	n = echo_msg(&x, m, 200);
	send_frag(&x, m, 0, 80, true, 1);
	send_frag(&x, m, 80, 80, true, 1);
	CHECK(fx_pop(&x) == NULL);
	send_frag(&x, m, 160, n - 160, false, 1);
	expect_reply(&x, n);
	CHECK_EQ(fx_ctr(&x, DUET_CTR_REASM_OKS), 1);
	fx_teardown(&x);
}

/* Action: the same fragments in reverse order. Response: one reply. */
TEST(ip6_reass_reversed)
{
	struct fx x;
	uint8_t m[300];
	size_t n;

	fx_setup(&x);
	n = echo_msg(&x, m, 200);
	send_frag(&x, m, 160, n - 160, false, 2);
	send_frag(&x, m, 80, 80, true, 2);
	send_frag(&x, m, 0, 80, true, 2);
	expect_reply(&x, n);
	fx_teardown(&x);
}

/* Action: fragments 0-80 and 40-120 overlap, then the rest. Response: the
 * datagram is discarded (RFC 5722): no reply, no error. */
TEST(ip6_reass_overlap_dropped)
{
	struct fx x;
	uint8_t m[300];
	size_t n;

	fx_setup(&x);
	n = echo_msg(&x, m, 200);
	send_frag(&x, m, 0, 80, true, 3);
	send_frag(&x, m, 40, 80, true, 3);
	send_frag(&x, m, 120, n - 120, false, 3);
	CHECK(fx_pop(&x) == NULL);
	CHECK(fx_ctr(&x, DUET_CTR_DROP_REASM_OVERLAP) >= 1);
	fx_teardown(&x);
}

/* Action: an atomic fragment (offset 0, M 0). Response: processed alone:
 * answered; REASM_ATOMIC 1. */
TEST(ip6_reass_atomic)
{
	struct fx x;
	uint8_t m[300];
	size_t n;

	fx_setup(&x);
	n = echo_msg(&x, m, 50);
	send_frag(&x, m, 0, n, false, 4);
	expect_reply(&x, n);
	CHECK_EQ(fx_ctr(&x, DUET_CTR_REASM_ATOMIC), 1);
	fx_teardown(&x);
}

/* Action: a first fragment whose chain ends in a Destination Options
 * header cut by the fragment boundary. Response: Parameter Problem code 3,
 * pointer 0 (RFC 7112 §5). */
TEST(ip6_reass_headerless_first)
{
	struct fx x;
	uint8_t fr[32], f[200];
	struct duet_pkt *p;
	const uint8_t *r;

	fx_setup(&x);
	memset(fr, 0, sizeof(fr));
	fr[0] = 60;                   /* Fragment header: next Destination Options */
	duet_put_be16(fr + 2, 1);     /* offset 0, M */
	duet_put_be32(fr + 4, 5);
	fr[8] = 58;
	fr[9] = 3;                    /* 32 bytes, only 16 present */
	fx_inject(&x, f, fx_frame(f, x.peer_gl, x.gl, 44, 64, fr, 8 + 16));
	p = fx_pop(&x);
	r = fx_expect_icmp(p, DUET_ICMP6_PARAM_PROBLEM, 3, x.gl, x.peer_gl);
	if (r)
		CHECK_EQ(duet_get_be32(r + 4), 0);
	duet_pkt_free(p);
	fx_teardown(&x);
}

/* Action: only a later fragment (id 6), then only a first fragment (id 7);
 * 61 s pass (the peer re-announced at 59 s, as its neighbour entry aged
 * out). Response: one Time Exceeded code 1, for id 7, quoting it. */
TEST(ip6_reass_timeout_time_exceeded)
{
	struct fx x;
	uint8_t m[300];
	struct duet_pkt *p;
	const uint8_t *r;

	fx_setup(&x);
	echo_msg(&x, m, 200);
	send_frag(&x, m, 80, 80, true, 6);
	send_frag(&x, m, 0, 80, true, 7);
	fx_advance_ms(&x, 59000);
	CHECK(fx_pop(&x) == NULL);
	fx_seed_peer(&x, x.peer_gl, x.gl); /* its entry failed NUD meanwhile */
	fx_advance_ms(&x, 2000);
	p = fx_pop(&x);
	r = fx_expect_icmp(p, DUET_ICMP6_TIME_EXCEEDED, 1, x.gl, x.peer_gl);
	if (r)
		CHECK_EQ(duet_get_be32(r + 8 + 40 + 4), 7); /* quoted Identification */
	duet_pkt_free(p);
	CHECK(fx_pop(&x) == NULL);
	fx_teardown(&x);
}

/* Action: a 3000-byte echo in 1448-byte fragments. Response: reassembled
 * and answered in fragments that fit 1500 bytes, 8-byte aligned, one
 * Identification; put together they are the reply with the same data and a
 * valid checksum (F-1). */
TEST(ip6_reass_big_echo_reply_fragmented)
{
	struct fx x;
	static uint8_t m[3100], got[3100];
	size_t n, total = 0, off;
	struct duet_pkt *p;
	uint32_t id = 0;
	unsigned frames = 0;

	fx_setup(&x);
	n = echo_msg(&x, m, 3000);
	for (off = 0; off < n; off += 1448)
		send_frag(&x, m, off, n - off > 1448 ? 1448 : n - off, off + 1448 < n, 8);
	while ((p = fx_pop(&x)) != NULL) {
		const uint8_t *d = duet_pkt_data(p);
		uint16_t fo = duet_get_be16(d + FX_IP6 + 2);
		size_t len = p->len - FX_IP6 - 8;

		CHECK(p->len - FX_ETH <= 1500);
		CHECK_EQ(d[FX_ETH + 6], 44);
		if (frames++ == 0)
			id = duet_get_be32(d + FX_IP6 + 4);
		CHECK_EQ(duet_get_be32(d + FX_IP6 + 4), id);
		CHECK((fo & 1) || len == n - (fo & 0xfff8u));
		CHECK(!(fo & 1) || len % 8 == 0);
		if ((fo & 0xfff8u) + len <= sizeof(got))
			memcpy(got + (fo & 0xfff8u), d + FX_IP6 + 8, len);
		total += len;
		duet_pkt_free(p);
	}
	CHECK_EQ(frames, 3);
	CHECK_EQ(total, n);
	CHECK_EQ(got[0], DUET_ICMP6_ECHO_REPLY);
	CHECK_MEM(got + 4, m + 4, n - 4);
	CHECK_EQ(duet_icmp6_csum_verify(got, n, duet_csum_pseudo6(x.gl, x.peer_gl,
								  (uint32_t)n, 58)), 0);
	CHECK_EQ(fx_ctr(&x, DUET_CTR_IP6_FRAG_OKS), 1);
	CHECK_EQ(fx_ctr(&x, DUET_CTR_IP6_FRAG_CREATES), 3);
	fx_teardown(&x);
}

/* Action: the first fragment (offset 0) carries no extension header; the
 * last one, which completes the datagram, carries a 1,024-byte Hop-by-Hop
 * header before its Fragment header. Response: the datagram is the first
 * fragment's headers plus the payload, walked from its own IPv6 header (the
 * completing fragment's longer chain must not be used as an offset into
 * it): one echo reply, no Parameter Problem, nothing read past the data.
 * (Found in review: the walk used to resume at the completing fragment's
 * offset, 1,064 bytes into a 104-byte datagram.) */
TEST(ip6_reass_completing_fragment_longer_chain)
{
	static uint8_t fr[1200], f[1300];
	struct fx x;
	uint8_t m[100];
	size_t n, hbh = 1024;

	fx_setup(&x);
	n = echo_msg(&x, m, 48); /* 56 message bytes: 16 + 40 */
	send_frag(&x, m, 0, 16, true, 9);
	CHECK(fx_pop(&x) == NULL);
	/* HBH (next: Fragment) with one PadN filling 1,024 bytes, then the
	 * Fragment header (next: ICMPv6, offset 16, M 0), then the rest. */
	memset(fr, 0, sizeof fr);
	fr[0] = 44;
	fr[1] = (uint8_t)(hbh / 8 - 1);
	fr[2] = 1;                       /* PadN of 250, then more PadN */
	fr[3] = 250;
	{
		size_t at = 2 + 2 + 250;
		while (at + 2 <= hbh) {
			size_t left = hbh - at - 2, take = left > 255 ? 255 : left;
			fr[at] = 1;
			fr[at + 1] = (uint8_t)take;
			at += 2 + take;
		}
	}
	fr[hbh] = 58;
	duet_put_be16(fr + hbh + 2, 16);
	duet_put_be32(fr + hbh + 4, 9);
	memcpy(fr + hbh + 8, m + 16, n - 16);
	fx_inject(&x, f, fx_frame(f, x.peer_gl, x.gl, 0, 64, fr, hbh + 8 + (n - 16)));
	expect_reply(&x, n);
	CHECK_EQ(fx_ctr(&x, DUET_CTR_REASM_OKS), 1);
	CHECK_EQ(fx_ctr(&x, DUET_CTR_DROP_IP6_HBH_NOT_FIRST), 0);
	fx_teardown(&x);
}
