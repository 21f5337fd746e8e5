/* Wire tests for ICMPv4 (SPEC N-8 echo and errors; T-1 port unreachable
 * reaching UDP): captured messages, per-type rest of header, code ranges,
 * checksums, the quoted datagram of errors, truncations. */
#include "check.h"

#include <duet/wire/icmp4.h>
#include <duet/wire/ip4.h>
#include <duet/wire/udp.h>
#include <duet/wire/errors.h>
#include <duet/byteorder.h>

/* An echo request sent by a Linux 6.x ping socket on a veth link (id
 * 0xb1f5, seq 1, 40 data bytes 0x10..0x37), IPv4 header first. */
static const char *echo_hex =
	"45 00 00 44 a9 65 40 00 40 01 02 00 c0 a8 07 01 c0 a8 07 02"
	"08 00 87 36 b1 f5 00 01 10 11 12 13 14 15 16 17 18 19 1a 1b"
	"1c 1d 1e 1f 20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f"
	"30 31 32 33 34 35 36 37";

/* The port unreachable Linux sent for a UDP datagram "hello duet\n" to
 * 127.0.0.1:9999 (loopback: the quoted UDP checksum is a partial sum). */
static const char *unreach_hex =
	"45 c0 00 43 e8 b5 00 00 40 01 93 42 7f 00 00 01 7f 00 00 01"
	"03 03 f5 05 00 00 00 00"
	"45 00 00 27 91 ef 40 00 40 11 aa d4 7f 00 00 01 7f 00 00 01"
	"ca d1 27 0f 00 13 fe 26 68 65 6c 6c 6f 20 64 75 65 74 0a";

/* Parses the IPv4 header of vector hex into f; leaves c on the ICMP message. */
static size_t icmp_msg(const char *hex, uint8_t *f, size_t cap, struct duet_cur *c)
{
	size_t n = check_hex(hex, f, cap);
	struct duet_ip4_hdr ip;

	duet_cur_init(c, f, n);
	CHECK_EQ(duet_ip4_parse(c, &ip), 0);
	CHECK_EQ(ip.protocol, DUET_IP4_PROTO_ICMP);
	return duet_cur_left(c);
}

TEST(icmp4_parse_captured_echo)
{
	uint8_t f[96];
	struct duet_cur c;
	struct duet_icmp4_hdr h;
	size_t len = icmp_msg(echo_hex, f, sizeof f, &c);
	uint8_t *msg = f + 20;

	CHECK_EQ(len, 48);
	CHECK(duet_icmp4_csum_ok(msg, len));
	CHECK_EQ(duet_icmp4_parse(&c, &h), 0);
	CHECK_EQ(h.type, DUET_ICMP4_ECHO);
	CHECK_EQ(h.code, 0);
	CHECK_EQ(h.checksum, 0x8736);
	CHECK_EQ(h.identifier, 0xb1f5);
	CHECK_EQ(h.sequence_number, 1);
	CHECK_EQ(h.rest, 0xb1f50001u);
	CHECK(!duet_icmp4_is_error(h.type));
	CHECK_EQ(duet_cur_left(&c), 40);
	CHECK_EQ(duet_icmp4_csum_set(msg, len), 0);
	CHECK_EQ(duet_get_be16(msg + 2), 0x8736);
	msg[47] ^= 0xff;
	CHECK(!duet_icmp4_csum_ok(msg, len));
}

TEST(icmp4_echo_reply_built_from_request)
{
	uint8_t f[96], out[48];
	struct duet_cur c;
	struct duet_icmp4_hdr h;
	struct duet_wcur w;
	size_t len = icmp_msg(echo_hex, f, sizeof f, &c);

	CHECK_EQ(duet_icmp4_parse(&c, &h), 0);
	h.type = DUET_ICMP4_ECHO_REPLY;
	h.checksum = 0;
	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_icmp4_emit(&h, &w), 0);
	CHECK_EQ(duet_icmp4_len(&h), 8);
	CHECK_EQ(duet_wcur_put(&w, duet_cur_peek(&c, 40), 40), 0);
	CHECK_EQ(duet_icmp4_csum_set(out, len), 0);
	CHECK(duet_icmp4_csum_ok(out, len));
	/* RFC 1624: type 8 -> 0 changes the checksum by 0x0800. */
	CHECK_EQ(duet_get_be16(out + 2), 0x8f36);
	CHECK_MEM(out + 4, f + 24, 44);
}

TEST(icmp4_port_unreachable_quote)
{
	uint8_t f[96];
	struct duet_cur c, l4;
	struct duet_icmp4_hdr h;
	struct duet_ip4_hdr ip;
	struct duet_udp_hdr u;
	size_t len = icmp_msg(unreach_hex, f, sizeof f, &c);

	CHECK_EQ(len, 47);
	CHECK(duet_icmp4_csum_ok(f + 20, len));
	CHECK_EQ(duet_icmp4_parse(&c, &h), 0);
	CHECK_EQ(h.type, DUET_ICMP4_DEST_UNREACH);
	CHECK_EQ(h.code, DUET_ICMP4_UNREACH_PORT);
	CHECK_EQ(h.next_hop_mtu, 0);
	CHECK(duet_icmp4_is_error(h.type));
	CHECK_EQ(duet_icmp4_quoted(&h, &c, &ip, &l4), 0);
	CHECK_EQ(duet_cur_left(&c), 0);
	CHECK_EQ(ip.protocol, DUET_IP4_PROTO_UDP);
	CHECK_EQ(ip.identification, 0x91ef);
	CHECK_EQ(ip.total_length, 39);
	CHECK_EQ(duet_cur_left(&l4), 19);
	CHECK_EQ(duet_udp_parse(&l4, &u), 0);
	CHECK_EQ(u.src_port, 51921);
	CHECK_EQ(u.dst_port, 9999);
}

TEST(icmp4_quote_truncations_rejected)
{
	uint8_t f[96];
	struct duet_cur c;
	size_t len = icmp_msg(unreach_hex, f, sizeof f, &c), n;
	const uint8_t *msg = f + 20;

	/* Header (8) + quoted IP header (20) + 8 bytes are the minimum. */
	for (n = 0; n < len; n++) {
		struct duet_cur m, l4;
		struct duet_icmp4_hdr h;
		struct duet_ip4_hdr ip;
		int r;
		duet_cur_init(&m, msg, n);
		r = duet_icmp4_parse(&m, &h);
		if (n < 8) {
			CHECK_EQ(r, -DUET_WE_TRUNCATED);
			CHECK_EQ(m.off, 0);
			continue;
		}
		CHECK_EQ(r, 0);
		r = duet_icmp4_quoted(&h, &m, &ip, &l4);
		if (n < 8 + 20 + 8) {
			CHECK_EQ(r, -DUET_WE_TRUNCATED);
			CHECK_EQ(m.off, 8);
		} else {
			CHECK_EQ(r, 0);
			CHECK_EQ(duet_cur_left(&l4), n - 28);
		}
	}
}

TEST(icmp4_quote_short_datagram_and_bad_header)
{
	/* Time Exceeded quoting a 24-byte datagram: only 4 data bytes exist. */
	uint8_t m[32] = { DUET_ICMP4_TIME_EXCEEDED, 0, 0, 0, 0, 0, 0, 0,
			  0x45, 0, 0, 24, [16] = 1, [17] = 17 };
	struct duet_cur c, l4;
	struct duet_icmp4_hdr h;
	struct duet_ip4_hdr ip;

	duet_cur_init(&c, m, sizeof m);
	CHECK_EQ(duet_icmp4_parse(&c, &h), 0);
	CHECK_EQ(duet_icmp4_quoted(&h, &c, &ip, &l4), 0);
	CHECK_EQ(duet_cur_left(&l4), 4);
	duet_cur_init(&c, m, 31);
	CHECK_EQ(duet_icmp4_parse(&c, &h), 0);
	CHECK_EQ(duet_icmp4_quoted(&h, &c, &ip, &l4), -DUET_WE_TRUNCATED);
	m[8] = 0x65;
	duet_cur_init(&c, m, sizeof m);
	CHECK_EQ(duet_icmp4_parse(&c, &h), 0);
	CHECK_EQ(duet_icmp4_quoted(&h, &c, &ip, &l4), -DUET_WE_BAD_VERSION);
	m[8] = 0x43;
	CHECK_EQ(duet_icmp4_quoted(&h, &c, &ip, &l4), -DUET_WE_BAD_HDR_LEN);
	CHECK_EQ(c.off, 8);
	/* Only errors quote a datagram. */
	m[0] = DUET_ICMP4_ECHO_REPLY;
	duet_cur_init(&c, m, sizeof m);
	CHECK_EQ(duet_icmp4_parse(&c, &h), 0);
	CHECK_EQ(duet_icmp4_quoted(&h, &c, &ip, &l4), -DUET_WE_BAD_TYPE);
}

TEST(icmp4_rest_of_header_per_type)
{
	struct duet_icmp4_hdr need = { .type = DUET_ICMP4_DEST_UNREACH,
				       .code = DUET_ICMP4_UNREACH_NEEDFRAG, .next_hop_mtu = 1400 };
	struct duet_icmp4_hdr pp = { .type = DUET_ICMP4_PARAM_PROBLEM, .pointer = 9 };
	struct duet_icmp4_hdr rd = { .type = DUET_ICMP4_REDIRECT, .code = 1,
				     .gateway = { 10, 0, 0, 254 } };
	struct duet_icmp4_hdr ra = { .type = DUET_ICMP4_ROUTER_ADVERT, .code = 16,
				     .rest = 0x01020708u };
	struct duet_icmp4_hdr tx = { .type = DUET_ICMP4_TIME_EXCEEDED, .code = 1,
				     .rest = 0xffffffffu };
	const struct duet_icmp4_hdr *hs[] = { &need, &pp, &rd, &ra, &tx };
	static const uint8_t want[5][8] = {
		{ 3, 4, 0, 0, 0, 0, 0x05, 0x78 },
		{ 12, 0, 0, 0, 9, 0, 0, 0 },
		{ 5, 1, 0, 0, 10, 0, 0, 254 },
		{ 9, 16, 0, 0, 1, 2, 7, 8 },
		{ 11, 1, 0, 0, 0, 0, 0, 0 },
	};
	size_t i;

	for (i = 0; i < 5; i++) {
		uint8_t buf[8];
		struct duet_wcur w;
		struct duet_cur c;
		struct duet_icmp4_hdr g;
		duet_wcur_init(&w, buf, sizeof buf);
		CHECK_EQ(duet_icmp4_emit(hs[i], &w), 0);
		CHECK_MEM(buf, want[i], 8);
		duet_cur_init(&c, buf, sizeof buf);
		CHECK_EQ(duet_icmp4_parse(&c, &g), 0);
		CHECK_EQ(g.type, hs[i]->type);
		CHECK_EQ(g.code, hs[i]->code);
		CHECK_EQ(g.next_hop_mtu, hs[i]->next_hop_mtu);
		CHECK_EQ(g.pointer, hs[i]->pointer);
		CHECK_MEM(g.gateway, hs[i]->gateway, 4);
		CHECK_EQ(g.rest, duet_get_be32(want[i] + 4));
	}
}

TEST(icmp4_code_ranges_checked)
{
	static const struct { uint8_t type, code; int err; } cases[] = {
		{ 0, 0, 0 }, { 0, 1, -DUET_WE_BAD_CODE },
		{ 3, 15, 0 }, { 3, 16, -DUET_WE_BAD_CODE },
		{ 4, 0, 0 }, { 4, 1, -DUET_WE_BAD_CODE },
		{ 5, 3, 0 }, { 5, 4, -DUET_WE_BAD_CODE },
		{ 8, 0, 0 }, { 8, 8, -DUET_WE_BAD_CODE },
		{ 9, 0, 0 }, { 9, 16, 0 }, { 9, 1, -DUET_WE_BAD_CODE },
		{ 10, 1, -DUET_WE_BAD_CODE },
		{ 11, 1, 0 }, { 11, 2, -DUET_WE_BAD_CODE },
		{ 12, 2, 0 }, { 12, 3, -DUET_WE_BAD_CODE },
		{ 13, 1, -DUET_WE_BAD_CODE }, { 18, 1, -DUET_WE_BAD_CODE },
		{ 42, 7, 0 }, { 255, 255, 0 }, /* unknown types: caller discards */
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t m[8] = { cases[i].type, cases[i].code };
		struct duet_icmp4_hdr h = { .type = cases[i].type, .code = cases[i].code };
		struct duet_cur c;
		struct duet_wcur w;
		uint8_t out[8];
		duet_cur_init(&c, m, sizeof m);
		CHECK_EQ(duet_icmp4_parse(&c, &h), cases[i].err);
		CHECK_EQ(c.off, cases[i].err ? 0 : 8);
		h.type = cases[i].type;
		h.code = cases[i].code;
		duet_wcur_init(&w, out, sizeof out);
		CHECK_EQ(duet_icmp4_emit(&h, &w), cases[i].err);
	}
}

TEST(icmp4_truncations_and_nospace)
{
	uint8_t f[96], buf[8];
	struct duet_cur c;
	struct duet_icmp4_hdr h = { .type = DUET_ICMP4_ECHO, .identifier = 1 };
	size_t n;

	CHECK_EQ(icmp_msg(echo_hex, f, sizeof f, &c), 48);
	for (n = 0; n < 8; n++) {
		struct duet_cur m;
		struct duet_wcur w;
		struct duet_icmp4_hdr g;
		duet_cur_init(&m, f + 20, n);
		CHECK_EQ(duet_icmp4_parse(&m, &g), -DUET_WE_TRUNCATED);
		CHECK_EQ(m.off, 0);
		CHECK(!duet_icmp4_csum_ok(f + 20, n));
		CHECK_EQ(duet_icmp4_csum_set(buf, n), -DUET_WE_TRUNCATED);
		memset(buf, 0xa5, sizeof buf);
		duet_wcur_init(&w, buf, n);
		CHECK_EQ(duet_icmp4_emit(&h, &w), -DUET_WE_NOSPACE);
		CHECK_EQ(w.off, 0);
		CHECK_EQ(buf[0], 0xa5);
	}
}
