/* Wire tests for UDP (SPEC T-1 wire format: checksum optional on IPv4,
 * mandatory on IPv6; L-1 captures): captured datagram, round trips, every
 * truncation and inconsistent length rejected, checksum rules. */
#include "check.h"

#include <duet/wire/udp.h>
#include <duet/wire/ip4.h>
#include <duet/wire/errors.h>
#include <duet/byteorder.h>
#include <duet/csum.h>

/* A DNS-port datagram captured from Linux 6.x on a veth link:
 * 192.168.7.1:40000 -> 192.168.7.2:53, data "duet\n", checksum 0x0021. */
static const char *dgram_hex =
	"45 00 00 21 4b 9c 40 00 40 11 5f dc c0 a8 07 01 c0 a8 07 02"
	"9c 40 00 35 00 0d 00 21 64 75 65 74 0a";

TEST(udp_parse_captured_datagram)
{
	uint8_t f[64];
	size_t n = check_hex(dgram_hex, f, sizeof f);
	struct duet_cur c;
	struct duet_ip4_hdr ip;
	struct duet_udp_hdr h;
	uint32_t ps;

	duet_cur_init(&c, f, n);
	CHECK_EQ(duet_ip4_parse(&c, &ip), 0);
	CHECK_EQ(duet_udp_parse(&c, &h), 0);
	CHECK_EQ(h.src_port, 40000);
	CHECK_EQ(h.dst_port, 53);
	CHECK_EQ(h.length, 13);
	CHECK_EQ(h.checksum, 0x0021);
	CHECK(duet_udp_has_csum(&h));
	CHECK_EQ(duet_cur_left(&c), 5);
	CHECK_MEM(duet_cur_peek(&c, 5), "duet\n", 5);
	ps = duet_csum_pseudo4(ip.src, ip.dst, h.length, DUET_IP4_PROTO_UDP);
	CHECK(duet_udp_csum_ok(f + 20, 13, ps));
	CHECK_EQ(duet_udp_csum_set(f + 20, 13, ps), 0);
	CHECK_EQ(duet_get_be16(f + 26), 0x0021);
	f[32] ^= 0x20;
	CHECK(!duet_udp_csum_ok(f + 20, 13, ps));
}

TEST(udp_every_truncation_rejected)
{
	uint8_t f[64];
	size_t n = check_hex(dgram_hex, f, sizeof f) - 20, i;
	const uint8_t *u = f + 20;

	for (i = 0; i < n; i++) {
		struct duet_cur c;
		struct duet_udp_hdr h;
		duet_cur_init(&c, u, i);
		CHECK_EQ(duet_udp_parse(&c, &h), i < 8 ? -DUET_WE_TRUNCATED : -DUET_WE_BAD_LENGTH);
		CHECK_EQ(c.off, 0);
		CHECK_EQ(c.len, i);
	}
}

TEST(udp_inconsistent_length_rejected)
{
	uint8_t f[64];
	size_t n = check_hex(dgram_hex, f, sizeof f) - 20;
	uint8_t *u = f + 20;
	uint16_t len;

	for (len = 0; len < 8; len++) {
		struct duet_cur c;
		struct duet_udp_hdr h;
		duet_put_be16(u + 4, len);
		duet_cur_init(&c, u, n);
		CHECK_EQ(duet_udp_parse(&c, &h), -DUET_WE_BAD_LENGTH);
		CHECK_EQ(c.off, 0);
	}
	for (len = 14; len != 0; len = (uint16_t)(len * 2)) {
		struct duet_cur c;
		struct duet_udp_hdr h;
		duet_put_be16(u + 4, len);
		duet_cur_init(&c, u, n);
		CHECK_EQ(duet_udp_parse(&c, &h), -DUET_WE_BAD_LENGTH);
	}
}

TEST(udp_length_cuts_padding)
{
	uint8_t f[64] = { 0 };
	size_t n = check_hex(dgram_hex, f, sizeof f) - 20;
	struct duet_cur c;
	struct duet_udp_hdr h;

	duet_cur_init(&c, f + 20, n + 7);
	CHECK_EQ(duet_udp_parse(&c, &h), 0);
	CHECK_EQ(duet_cur_left(&c), 5);
	/* Length 8: an empty datagram, all the rest cut. */
	duet_put_be16(f + 24, 8);
	duet_cur_init(&c, f + 20, n);
	CHECK_EQ(duet_udp_parse(&c, &h), 0);
	CHECK_EQ(duet_cur_left(&c), 0);
}

TEST(udp_zero_checksum_rules)
{
	uint8_t f[64];
	size_t n = check_hex(dgram_hex, f, sizeof f);
	struct duet_cur c;
	struct duet_ip4_hdr ip;
	struct duet_udp_hdr h;
	uint32_t ps;

	duet_put_be16(f + 26, 0); /* sender opted out (IPv4 only) */
	duet_cur_init(&c, f, n);
	CHECK_EQ(duet_ip4_parse(&c, &ip), 0);
	CHECK_EQ(duet_udp_parse(&c, &h), 0);
	ps = duet_csum_pseudo4(ip.src, ip.dst, h.length, DUET_IP4_PROTO_UDP);
	/* IPv4: no checksum means accept; IPv6 (RFC 8200 §8.1): discard. */
	CHECK(!duet_udp_has_csum(&h));
	CHECK(!duet_udp_csum_ok(f + 20, 13, ps));
}

TEST(udp_computed_zero_sent_as_ffff)
{
	/* Ports 0, length 10, data 0xfff5: the sum is 0xffff, so the computed
	 * checksum is 0 and must go out as 0xffff (RFC 768). */
	struct duet_udp_hdr h = { .length = 10 };
	uint8_t seg[10];
	struct duet_wcur w;

	duet_wcur_init(&w, seg, sizeof seg);
	CHECK_EQ(duet_udp_emit(&h, &w), 0);
	seg[8] = 0xff;
	seg[9] = 0xf5;
	CHECK_EQ(duet_udp_csum_set(seg, sizeof seg, 0), 0);
	CHECK_EQ(duet_get_be16(seg + 6), 0xffff);
	CHECK(duet_udp_csum_ok(seg, sizeof seg, 0));
}

TEST(udp_round_trip_ipv6_checksum)
{
	static const uint8_t src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	struct duet_udp_hdr h = { .src_port = 546, .dst_port = 547, .length = 11 }, g;
	uint8_t seg[11];
	struct duet_wcur w;
	struct duet_cur c;
	uint32_t ps = duet_csum_pseudo6(src, dst, h.length, 17);

	duet_wcur_init(&w, seg, sizeof seg);
	CHECK_EQ(duet_udp_len(&h), 8);
	CHECK_EQ(duet_udp_emit(&h, &w), 0);
	CHECK_EQ(w.off, 8);
	CHECK_EQ(duet_wcur_put(&w, "abc", 3), 0);
	CHECK_EQ(duet_udp_csum_set(seg, sizeof seg, ps), 0);
	CHECK(duet_udp_csum_ok(seg, sizeof seg, ps));
	duet_cur_init(&c, seg, sizeof seg);
	CHECK_EQ(duet_udp_parse(&c, &g), 0);
	CHECK_EQ(g.src_port, 546);
	CHECK_EQ(g.dst_port, 547);
	CHECK_EQ(g.length, 11);
	CHECK(duet_udp_has_csum(&g));
	CHECK(!duet_udp_csum_ok(seg, 7, ps));
	CHECK_EQ(duet_udp_csum_set(seg, 7, ps), -DUET_WE_TRUNCATED);
}

TEST(udp_emit_nospace_and_bad_length)
{
	struct duet_udp_hdr h = { .src_port = 1, .dst_port = 2, .length = 8 };
	uint8_t buf[8];
	size_t cap;

	for (cap = 0; cap < 8; cap++) {
		struct duet_wcur w;
		memset(buf, 0xa5, sizeof buf);
		duet_wcur_init(&w, buf, cap);
		CHECK_EQ(duet_udp_emit(&h, &w), -DUET_WE_NOSPACE);
		CHECK_EQ(w.off, 0);
		CHECK_EQ(buf[0], 0xa5);
	}
	h.length = 7;
	{
		struct duet_wcur w;
		duet_wcur_init(&w, buf, sizeof buf);
		CHECK_EQ(duet_udp_emit(&h, &w), -DUET_WE_BAD_LENGTH);
		CHECK_EQ(w.off, 0);
	}
}
