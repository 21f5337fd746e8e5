/* Wire tests for ICMPv6 (RFC 4443) — SPEC N-2 (echo, errors and the packet
 * they quote), L-1 (checksums of frames a Linux peer sent): captured
 * vectors with the kernel's checksums, round trips, code checks, bad
 * checksums and every truncation rejected, RFC 4884 lengths. */
#include "check.h"

#include <duet/wire/icmp6.h>
#include <duet/wire/ip6.h>
#include <duet/wire/errors.h>
#include <duet/csum.h>

/* fe80::ff:fe00:b and fe80::ff:fe00:a, the two ends of a Linux veth pair. */
static const uint8_t addr_b[16] = { 0xfe, 0x80, [11] = 0xff, 0xfe, 0x00, 0x00, 0x0b };
static const uint8_t addr_a[16] = { 0xfe, 0x80, [11] = 0xff, 0xfe, 0x00, 0x00, 0x0a };

/* Echo Request b -> a as Linux sent it (checksum 0xeb29 by the kernel). */
static const char *echo_req_hex =
	"80 00 eb 29 12 34 00 01 64 75 65 74 2d 65 63 68"
	"6f 2d 70 61 79 6c 6f 61 64 21";

/* Linux's Echo Reply a -> b. */
static const char *echo_rep_hex =
	"81 00 ea 29 12 34 00 01 64 75 65 74 2d 65 63 68"
	"6f 2d 70 61 79 6c 6f 61 64 21";

/* Linux's Port Unreachable a -> b for a UDP datagram to port 9999. */
static const char *port_unreach_hex =
	"01 04 b7 a7 00 00 00 00"
	"60 0b b4 e1 00 0d 11 40 fe 80 00 00 00 00 00 00"
	"00 00 00 ff fe 00 00 0b fe 80 00 00 00 00 00 00"
	"00 00 00 ff fe 00 00 0a c4 51 27 0f 00 0d fb 34"
	"68 65 6c 6c 6f";

static uint32_t pseudo(const uint8_t *src, const uint8_t *dst, size_t len)
{
	return duet_csum_pseudo6(src, dst, (uint32_t)len, DUET_IP6_NH_ICMPV6);
}

TEST(icmp6_echo_request_vector)
{
	uint8_t m[64];
	size_t n = check_hex(echo_req_hex, m, sizeof m);
	struct duet_cur c;
	struct duet_icmp6_hdr h;

	CHECK_EQ(duet_icmp6_csum_verify(m, n, pseudo(addr_b, addr_a, n)), 0);
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_icmp6_parse(&c, &h), 0);
	CHECK_EQ(h.type, DUET_ICMP6_ECHO_REQUEST);
	CHECK_EQ(h.code, 0);
	CHECK_EQ(h.checksum, 0xeb29);
	CHECK_EQ(h.identifier, 0x1234);
	CHECK_EQ(h.sequence_number, 1);
	CHECK_EQ(h.body, 0x12340001);
	CHECK(!duet_icmp6_is_error(h.type));
	CHECK_EQ(c.off, 8);
	CHECK_EQ(duet_cur_left(&c), 18);
	CHECK_EQ(duet_icmp6_len(&h), 8);
}

/* Action: duet builds the same Echo Request zero-copy. Response: the
 * checksum Linux computed, 0xeb29. */
TEST(icmp6_echo_request_built_with_known_checksum)
{
	uint8_t want[64], m[64];
	size_t n = check_hex(echo_req_hex, want, sizeof want);
	struct duet_icmp6_hdr h = { .type = DUET_ICMP6_ECHO_REQUEST, .identifier = 0x1234,
				    .sequence_number = 1 };
	struct duet_wcur w;

	duet_wcur_init(&w, m, sizeof m);
	CHECK_EQ(duet_icmp6_emit(&h, &w), 0);
	CHECK_EQ(duet_wcur_put(&w, want + 8, n - 8), 0);
	CHECK_EQ(w.off, n);
	CHECK_EQ(duet_icmp6_csum_set(m, n, pseudo(addr_b, addr_a, n)), 0);
	CHECK_EQ(m[2], 0xeb);
	CHECK_EQ(m[3], 0x29);
	CHECK_MEM(m, want, n);
}

TEST(icmp6_echo_reply_round_trip)
{
	uint8_t m[64], out[8];
	size_t n = check_hex(echo_rep_hex, m, sizeof m);
	struct duet_cur c;
	struct duet_icmp6_hdr h, g;
	struct duet_wcur w;

	CHECK_EQ(duet_icmp6_csum_verify(m, n, pseudo(addr_a, addr_b, n)), 0);
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_icmp6_parse(&c, &h), 0);
	CHECK_EQ(h.type, DUET_ICMP6_ECHO_REPLY);
	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_icmp6_emit(&h, &w), 0);
	CHECK_MEM(out, m, 8);
	duet_cur_init(&c, out, sizeof out);
	CHECK_EQ(duet_icmp6_parse(&c, &g), 0);
	CHECK(g.identifier == h.identifier && g.sequence_number == h.sequence_number);
	CHECK(g.checksum == h.checksum && g.body == h.body);
}

TEST(icmp6_bad_checksums_rejected)
{
	uint8_t m[64];
	size_t n = check_hex(echo_req_hex, m, sizeof m), i;

	/* Any single bit flipped anywhere. */
	for (i = 0; i < n * 8; i++) {
		m[i / 8] ^= (uint8_t)(1u << (i % 8));
		CHECK_EQ(duet_icmp6_csum_verify(m, n, pseudo(addr_b, addr_a, n)),
			 -DUET_WE_BAD_CHECKSUM);
		m[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	/* The right bytes under the wrong pseudo-header. */
	CHECK_EQ(duet_icmp6_csum_verify(m, n, pseudo(addr_a, addr_a, n)), -DUET_WE_BAD_CHECKSUM);
	CHECK_EQ(duet_icmp6_csum_verify(m, n, pseudo(addr_b, addr_a, n + 2)),
		 -DUET_WE_BAD_CHECKSUM);
	CHECK_EQ(duet_icmp6_csum_verify(m, n, duet_csum_pseudo6(addr_b, addr_a, (uint32_t)n, 17)),
		 -DUET_WE_BAD_CHECKSUM);
	CHECK_EQ(duet_icmp6_csum_verify(m, 3, 0), -DUET_WE_TRUNCATED);
	CHECK_EQ(duet_icmp6_csum_set(m, 3, 0), -DUET_WE_TRUNCATED);
}

/* Every truncation: under 8 octets the parser rejects it (cursor
 * unchanged); from 8 on ICMPv6 has no length of its own, and the checksum
 * (with the IPv6 Payload Length in the pseudo-header) rejects it. */
TEST(icmp6_truncations_rejected)
{
	uint8_t m[64];
	size_t len = check_hex(echo_req_hex, m, sizeof m), n;

	for (n = 0; n < len; n++) {
		struct duet_cur c;
		struct duet_icmp6_hdr h;
		duet_cur_init(&c, m, n);
		if (n < 8) {
			CHECK_EQ(duet_icmp6_parse(&c, &h), -DUET_WE_TRUNCATED);
			CHECK_EQ(c.off, 0);
		} else {
			CHECK_EQ(duet_icmp6_parse(&c, &h), 0);
		}
		if (n >= 4)
			CHECK_EQ(duet_icmp6_csum_verify(m, n, pseudo(addr_b, addr_a, n)),
				 -DUET_WE_BAD_CHECKSUM);
	}
}

TEST(icmp6_port_unreachable_vector)
{
	uint8_t m[128];
	size_t n = check_hex(port_unreach_hex, m, sizeof m);
	struct duet_cur c, inv;
	struct duet_icmp6_hdr h;
	struct duet_ip6_hdr ip;

	CHECK_EQ(duet_icmp6_csum_verify(m, n, pseudo(addr_a, addr_b, n)), 0);
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_icmp6_parse(&c, &h), 0);
	CHECK_EQ(h.type, DUET_ICMP6_DST_UNREACH);
	CHECK_EQ(h.code, DUET_ICMP6_DU_PORT);
	CHECK(duet_icmp6_is_error(h.type));
	CHECK_EQ(duet_icmp6_invoking(&h, &c, &inv), 0);
	CHECK_EQ(duet_cur_left(&inv), 53);
	CHECK_EQ(duet_ip6_parse(&inv, &ip), 0);
	CHECK_EQ(ip.next_header, DUET_IP6_NH_UDP);
	CHECK_MEM(ip.src, addr_b, 16);
	CHECK_EQ(inv.data[inv.off + 2], 0x27); /* destination port 9999 */
	CHECK_EQ(inv.data[inv.off + 3], 0x0f);
}

TEST(icmp6_error_codes_checked)
{
	static const struct { uint8_t type, code; int ok; } cases[] = {
		{ DUET_ICMP6_DST_UNREACH, 0, 1 }, { DUET_ICMP6_DST_UNREACH, 7, 1 },
		{ DUET_ICMP6_DST_UNREACH, 8, 1 }, { DUET_ICMP6_DST_UNREACH, 9, 0 },
		{ DUET_ICMP6_PACKET_TOO_BIG, 0, 1 }, { DUET_ICMP6_PACKET_TOO_BIG, 1, 0 },
		{ DUET_ICMP6_TIME_EXCEEDED, 1, 1 }, { DUET_ICMP6_TIME_EXCEEDED, 2, 0 },
		{ DUET_ICMP6_PARAM_PROBLEM, 2, 1 },
		{ DUET_ICMP6_PARAM_PROBLEM, DUET_ICMP6_PP_INCOMPLETE_CHAIN, 1 },
		{ DUET_ICMP6_PARAM_PROBLEM, 10, 1 }, { DUET_ICMP6_PARAM_PROBLEM, 11, 0 },
		{ DUET_ICMP6_PARAM_PROBLEM, 255, 0 },
		/* unknown error type: passed up (RFC 4443 §2.4 (a)) */
		{ 100, 99, 1 }, { 127, 255, 1 },
		/* informational types, known or not, are not code-checked here */
		{ DUET_ICMP6_ECHO_REQUEST, 1, 1 }, { 200, 7, 1 }, { 255, 0, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t m[8] = { cases[i].type, cases[i].code, 0, 0, 0, 0, 0, 0 };
		struct duet_cur c;
		struct duet_icmp6_hdr h;
		duet_cur_init(&c, m, sizeof m);
		CHECK_EQ(duet_icmp6_parse(&c, &h), cases[i].ok ? 0 : -DUET_WE_BAD_CODE);
		CHECK_EQ(c.off, cases[i].ok ? 8u : 0u);
	}
}

TEST(icmp6_ptb_and_param_problem_round_trip)
{
	struct duet_icmp6_hdr ptb = { .type = DUET_ICMP6_PACKET_TOO_BIG, .mtu = 1280 };
	struct duet_icmp6_hdr pp = { .type = DUET_ICMP6_PARAM_PROBLEM,
				     .code = DUET_ICMP6_PP_NEXT_HEADER, .pointer = 40 };
	struct duet_icmp6_hdr g;
	uint8_t out[8];
	struct duet_wcur w;
	struct duet_cur c;
	uint8_t want_ptb[8] = { 2, 0, 0, 0, 0x00, 0x00, 0x05, 0x00 };
	uint8_t want_pp[8] = { 4, 1, 0, 0, 0x00, 0x00, 0x00, 0x28 };

	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_icmp6_emit(&ptb, &w), 0);
	CHECK_MEM(out, want_ptb, 8);
	duet_cur_init(&c, out, sizeof out);
	CHECK_EQ(duet_icmp6_parse(&c, &g), 0);
	CHECK_EQ(g.mtu, 1280);
	CHECK_EQ(g.pointer, 0);
	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_icmp6_emit(&pp, &w), 0);
	CHECK_MEM(out, want_pp, 8);
	duet_cur_init(&c, out, sizeof out);
	CHECK_EQ(duet_icmp6_parse(&c, &g), 0);
	CHECK_EQ(g.pointer, 40);
	CHECK_EQ(g.mtu, 0);
}

/* RFC 4884: Destination Unreachable / Time Exceeded with a Length field
 * quote only that many 64-bit words; the extension structure follows. */
TEST(icmp6_invoking_rfc4884_length)
{
	uint8_t m[8 + 128 + 8] = { DUET_ICMP6_TIME_EXCEEDED, 0, 0, 0, 16 };
	struct duet_cur c, inv;
	struct duet_icmp6_hdr h;

	m[8] = 0x60;
	duet_cur_init(&c, m, sizeof m);
	CHECK_EQ(duet_icmp6_parse(&c, &h), 0);
	CHECK_EQ(duet_icmp6_invoking(&h, &c, &inv), 0);
	CHECK_EQ(duet_cur_left(&inv), 128);
	CHECK_EQ(inv.data[inv.off], 0x60);
	m[4] = 18; /* 144 octets: more than the message holds */
	duet_cur_init(&c, m, sizeof m);
	CHECK_EQ(duet_icmp6_parse(&c, &h), 0);
	CHECK_EQ(duet_icmp6_invoking(&h, &c, &inv), -DUET_WE_BAD_LENGTH);
	/* Packet Too Big has no Length: its word is the MTU. */
	m[0] = DUET_ICMP6_PACKET_TOO_BIG;
	duet_cur_init(&c, m, sizeof m);
	CHECK_EQ(duet_icmp6_parse(&c, &h), 0);
	CHECK_EQ(duet_icmp6_invoking(&h, &c, &inv), 0);
	CHECK_EQ(duet_cur_left(&inv), 136);
	m[0] = DUET_ICMP6_ECHO_REPLY;
	duet_cur_init(&c, m, sizeof m);
	CHECK_EQ(duet_icmp6_parse(&c, &h), 0);
	CHECK_EQ(duet_icmp6_invoking(&h, &c, &inv), -DUET_WE_BAD_TYPE);
}

TEST(icmp6_other_types_keep_body)
{
	/* A Destination Unreachable's unused word and an MLD Query's first
	 * word round-trip through body. */
	uint8_t m[8] = { DUET_ICMP6_MLD_QUERY, 0, 0x12, 0x34, 0x27, 0x10, 0x00, 0x00 };
	uint8_t out[8];
	struct duet_cur c;
	struct duet_icmp6_hdr h;
	struct duet_wcur w;

	duet_cur_init(&c, m, sizeof m);
	CHECK_EQ(duet_icmp6_parse(&c, &h), 0);
	CHECK_EQ(h.body, 0x27100000);
	CHECK_EQ(h.identifier, 0);
	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_icmp6_emit(&h, &w), 0);
	CHECK_MEM(out, m, 8);
}

TEST(icmp6_emit_nospace)
{
	struct duet_icmp6_hdr h = { .type = DUET_ICMP6_ECHO_REQUEST };
	uint8_t out[8];
	struct duet_wcur w;

	duet_wcur_init(&w, out, 7);
	CHECK_EQ(duet_icmp6_emit(&h, &w), -DUET_WE_NOSPACE);
	CHECK_EQ(w.off, 0);
}
