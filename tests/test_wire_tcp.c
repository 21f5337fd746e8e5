/* Wire tests for TCP headers and options (SPEC T-2 wire format: MSS, window
 * scaling, SACK, timestamps; L-1 captures): captured Linux segments, round
 * trips, every truncation and malformed option rejected, checksums. */
#include "check.h"

#include <duet/wire/tcp.h>
#include <duet/wire/ip4.h>
#include <duet/wire/errors.h>
#include <duet/byteorder.h>
#include <duet/csum.h>

/* A SYN captured from Linux 6.x on a veth link, IPv4 header first:
 * 192.168.7.1:44198 -> 192.168.7.2:80, MSS 1460, SACK-Permitted, TSval
 * 0x0e84abb9, Window Scale 10, checksum 0xc06b. */
static const char *syn_hex =
	"45 00 00 3c 9c bd 40 00 40 06 0e ab c0 a8 07 01 c0 a8 07 02"
	"ac a6 00 50 9f 14 f7 03 00 00 00 00 a0 02 fa f0 c0 6b 00 00"
	"02 04 05 b4 04 02 08 0a 0e 84 ab b9 00 00 00 00 01 03 03 0a";

/* TCP headers of a Linux SYN-ACK and the final ACK over loopback (the
 * loopback device leaves the checksum partial, so only the header is used). */
static const char *synack_hex =
	"1f 90 ce 26 97 a4 19 56 bc f7 af c4 a0 12 ff cb fe 30 00 00"
	"02 04 ff d7 04 02 08 0a c8 1f ef 9d af 6e d9 bb 01 03 03 0a";
static const char *ack_hex =
	"ce 26 1f 90 bc f7 af c4 97 a4 19 57 80 10 00 40 fe 28 00 00"
	"01 01 08 0a af 6e d9 bb c8 1f ef 9d";

/* Parses the TCP segment of the captured SYN; returns its length. */
static size_t syn_segment(uint8_t *f, size_t cap, struct duet_ip4_hdr *ip, struct duet_cur *c)
{
	size_t n = check_hex(syn_hex, f, cap);

	duet_cur_init(c, f, n);
	CHECK_EQ(duet_ip4_parse(c, ip), 0);
	return duet_cur_left(c);
}

TEST(tcp_parse_linux_syn)
{
	uint8_t f[64];
	struct duet_ip4_hdr ip;
	struct duet_cur c;
	struct duet_tcp_hdr h;
	size_t len = syn_segment(f, sizeof f, &ip, &c);

	CHECK_EQ(len, 40);
	CHECK_EQ(duet_tcp_parse(&c, &h), 0);
	CHECK_EQ(h.src_port, 44198);
	CHECK_EQ(h.dst_port, 80);
	CHECK_EQ(h.seq, 0x9f14f703u);
	CHECK_EQ(h.ack, 0);
	CHECK_EQ(h.data_offset, 10);
	CHECK_EQ(h.flags, DUET_TCP_SYN);
	CHECK_EQ(h.window, 64240);
	CHECK_EQ(h.checksum, 0xc06b);
	CHECK(h.has_mss && h.mss == 1460);
	CHECK(h.has_sack_permitted);
	CHECK(h.has_timestamps && h.ts_val == 0x0e84abb9u && h.ts_ecr == 0);
	CHECK(h.has_wscale && h.wscale == 10);
	CHECK_EQ(h.sack_count, 0);
	CHECK(!h.has_user_timeout);
	CHECK_EQ(h.unknown_options, 0);
	CHECK_EQ(duet_cur_left(&c), 0);
	CHECK_EQ(duet_tcp_seg_len(&h, 0), 1);
}

TEST(tcp_linux_syn_checksum)
{
	uint8_t f[64];
	struct duet_ip4_hdr ip;
	struct duet_cur c;
	size_t len = syn_segment(f, sizeof f, &ip, &c);
	uint8_t *seg = f + 20;
	uint32_t ps = duet_csum_pseudo4(ip.src, ip.dst, (uint16_t)len, DUET_IP4_PROTO_TCP);

	CHECK(duet_tcp_csum_ok(seg, len, ps));
	CHECK_EQ(duet_tcp_csum_set(seg, len, ps), 0);
	CHECK_EQ(duet_get_be16(seg + 16), 0xc06b);
	seg[39] ^= 1;
	CHECK(!duet_tcp_csum_ok(seg, len, ps));
	seg[39] ^= 1;
	/* The pseudo header counts: another destination fails. */
	ip.dst[3] = 3;
	CHECK(!duet_tcp_csum_ok(seg, len, duet_csum_pseudo4(ip.src, ip.dst, (uint16_t)len, 6)));
	CHECK(!duet_tcp_csum_ok(seg, 19, ps));
	CHECK_EQ(duet_tcp_csum_set(seg, 19, ps), -DUET_WE_TRUNCATED);
}

TEST(tcp_emit_reproduces_linux_syn)
{
	uint8_t f[64], out[64];
	struct duet_ip4_hdr ip;
	struct duet_cur c;
	struct duet_tcp_hdr h;
	struct duet_wcur w;

	syn_segment(f, sizeof f, &ip, &c);
	CHECK_EQ(duet_tcp_parse(&c, &h), 0);
	CHECK_EQ(duet_tcp_len(&h), 40);
	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_tcp_emit(&h, &w), 0);
	CHECK_EQ(w.off, 40);
	/* duet's canonical option layout is Linux's: byte for byte. */
	CHECK_MEM(out, f + 20, 40);
}

TEST(tcp_parse_linux_synack_and_ack)
{
	uint8_t f[64];
	size_t n = check_hex(synack_hex, f, sizeof f);
	struct duet_cur c;
	struct duet_tcp_hdr h;

	duet_cur_init(&c, f, n);
	CHECK_EQ(duet_tcp_parse(&c, &h), 0);
	CHECK_EQ(h.flags, DUET_TCP_SYN | DUET_TCP_ACK);
	CHECK_EQ(h.ack, 0xbcf7afc4u);
	CHECK_EQ(h.mss, 65495);
	CHECK_EQ(h.ts_ecr, 0xaf6ed9bbu);
	CHECK_EQ(h.wscale, 10);
	n = check_hex(ack_hex, f, sizeof f);
	duet_cur_init(&c, f, n);
	CHECK_EQ(duet_tcp_parse(&c, &h), 0);
	CHECK_EQ(h.data_offset, 8);
	CHECK_EQ(h.flags, DUET_TCP_ACK);
	CHECK_EQ(h.window, 64);
	CHECK(!h.has_mss && !h.has_sack_permitted && !h.has_wscale);
	CHECK(h.has_timestamps && h.ts_val == 0xaf6ed9bbu && h.ts_ecr == 0xc81fef9du);
}

TEST(tcp_every_truncation_rejected)
{
	const char *vecs[] = { synack_hex, ack_hex };
	uint8_t f[64];
	size_t v, n, len;

	for (v = 0; v < 2; v++) {
		len = check_hex(vecs[v], f, sizeof f);
		for (n = 0; n < len; n++) {
			struct duet_cur c;
			struct duet_tcp_hdr h;
			duet_cur_init(&c, f, n);
			CHECK_EQ(duet_tcp_parse(&c, &h),
				 n < 20 ? -DUET_WE_TRUNCATED : -DUET_WE_BAD_HDR_LEN);
			CHECK_EQ(c.off, 0);
		}
	}
}

TEST(tcp_data_offset_below_five_rejected)
{
	uint8_t f[64];
	size_t n = check_hex(ack_hex, f, sizeof f);
	uint8_t doff;

	for (doff = 0; doff < 5; doff++) {
		struct duet_cur c;
		struct duet_tcp_hdr h;
		f[12] = (uint8_t)(doff << 4);
		duet_cur_init(&c, f, n);
		CHECK_EQ(duet_tcp_parse(&c, &h), -DUET_WE_BAD_HDR_LEN);
		CHECK_EQ(c.off, 0);
	}
}

/* Parses a 20-byte header followed by the given option bytes (padded to 4
 * with EOL) and returns the result. */
static int parse_opts(const uint8_t *opts, size_t olen, struct duet_tcp_hdr *h)
{
	uint8_t seg[60] = { 0 };
	size_t hlen = 20 + ((olen + 3) & ~(size_t)3);
	struct duet_cur c;
	int r;

	seg[12] = (uint8_t)(hlen / 4 << 4);
	memcpy(seg + 20, opts, olen);
	duet_cur_init(&c, seg, hlen);
	r = duet_tcp_parse(&c, h);
	CHECK_EQ(c.off, r == 0 ? hlen : 0);
	return r;
}

TEST(tcp_malformed_options_rejected)
{
	static const struct {
		uint8_t o[40];
		size_t len;
		int err;
	} cases[] = {
		{ { 2, 0, 5, 0xb4 }, 4, -DUET_WE_BAD_OPT_LEN },      /* length 0 */
		{ { 30, 1, 0, 0 }, 4, -DUET_WE_BAD_OPT_LEN },        /* length 1 */
		{ { 2, 5, 5, 0xb4, 0 }, 5, -DUET_WE_BAD_OPT_LEN },   /* MSS length 5 */
		{ { 2, 3, 5 }, 3, -DUET_WE_BAD_OPT_LEN },            /* MSS length 3 */
		{ { 3, 4, 7, 0 }, 4, -DUET_WE_BAD_OPT_LEN },         /* WS length 4 */
		{ { 4, 3, 0, 0 }, 4, -DUET_WE_BAD_OPT_LEN },         /* SACK-perm length 3 */
		{ { 8, 8, 0, 0, 0, 0, 0, 0 }, 8, -DUET_WE_BAD_OPT_LEN }, /* TS length 8 */
		{ { 28, 3, 0 }, 3, -DUET_WE_BAD_OPT_LEN },           /* UTO length 3 */
		{ { 5, 2, 0, 0 }, 4, -DUET_WE_BAD_OPT_LEN },         /* SACK, no block */
		{ { 5, 9, 0 }, 12, -DUET_WE_BAD_OPT_LEN },           /* SACK 2+7 */
		{ { 5, 42 }, 40, -DUET_WE_BAD_OPT_LEN },             /* SACK 5 blocks */
		{ { 1, 1, 1, 2 }, 4, -DUET_WE_OPT_TRUNCATED },       /* no length octet */
		{ { 1, 1, 8, 10, 0, 0, 0, 0 }, 8, -DUET_WE_OPT_TRUNCATED }, /* TS past header */
		{ { 30, 12, 0, 0 }, 4, -DUET_WE_OPT_TRUNCATED },     /* unknown past header */
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct duet_tcp_hdr h;
		CHECK_EQ(parse_opts(cases[i].o, cases[i].len, &h), cases[i].err);
	}
}

TEST(tcp_unknown_options_skipped_and_eol_ends)
{
	/* TCP-AO-like kind 29 (len 6), MD5 kind 19 (len 18), kind 254 (len 2),
	 * MSS, EOL, then bytes that would be malformed but are padding. */
	static const uint8_t o[36] = {
		29, 6, 1, 2, 3, 4,
		19, 18, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		254, 2,
		2, 4, 0x05, 0x78,
		0, 2, 0, 8, 1, 0,
	};
	struct duet_tcp_hdr h;

	CHECK_EQ(parse_opts(o, sizeof o, &h), 0);
	CHECK_EQ(h.unknown_options, 3);
	CHECK(h.has_mss && h.mss == 1400);
}

TEST(tcp_repeated_option_last_wins)
{
	static const uint8_t o[8] = { 2, 4, 0x05, 0xb4, 2, 4, 0x02, 0x18 };
	struct duet_tcp_hdr h;

	CHECK_EQ(parse_opts(o, sizeof o, &h), 0);
	CHECK_EQ(h.mss, 536);
}

TEST(tcp_sack_blocks_round_trip)
{
	struct duet_tcp_hdr h = { .src_port = 80, .dst_port = 44198, .seq = 1, .ack = 1000,
				  .flags = DUET_TCP_ACK, .window = 501,
				  .has_timestamps = true, .ts_val = 7, .ts_ecr = 8,
				  .sack_count = 3,
				  .sack = { { 2000, 3000 }, { 4000, 5000 }, { 0xfffffff0u, 16 } } }, g;
	uint8_t buf[60];
	struct duet_wcur w;
	struct duet_cur c;
	size_t i;

	CHECK_EQ(duet_tcp_len(&h), 60);
	duet_wcur_init(&w, buf, sizeof buf);
	CHECK_EQ(duet_tcp_emit(&h, &w), 0);
	CHECK_EQ(buf[12] >> 4, 15);
	CHECK_EQ(buf[20], DUET_TCP_OPT_NOP);
	CHECK_EQ(buf[22], DUET_TCP_OPT_TS);
	CHECK_EQ(buf[32], DUET_TCP_OPT_NOP);
	CHECK_EQ(buf[34], DUET_TCP_OPT_SACK);
	CHECK_EQ(buf[35], 26);
	duet_cur_init(&c, buf, w.off);
	CHECK_EQ(duet_tcp_parse(&c, &g), 0);
	CHECK_EQ(g.sack_count, 3);
	for (i = 0; i < 3; i++) {
		CHECK_EQ(g.sack[i].left_edge, h.sack[i].left_edge);
		CHECK_EQ(g.sack[i].right_edge, h.sack[i].right_edge);
	}
	CHECK(g.has_timestamps && g.ts_val == 7 && g.ts_ecr == 8);
	CHECK(!g.has_sack_permitted && !g.has_mss);
	/* Adding MSS pushes the options past 40 bytes. */
	h.has_mss = true;
	duet_wcur_init(&w, buf, sizeof buf);
	CHECK_EQ(duet_tcp_emit(&h, &w), -DUET_WE_TOO_BIG);
	CHECK_EQ(w.off, 0);
}

TEST(tcp_four_sack_blocks_and_uto_round_trip)
{
	struct duet_tcp_hdr h = { .flags = DUET_TCP_ACK | DUET_TCP_AE | DUET_TCP_CWR |
				  DUET_TCP_ECE | DUET_TCP_URG | DUET_TCP_PSH | DUET_TCP_FIN,
				  .urgent_pointer = 9, .sack_count = 4,
				  .sack = { { 1, 2 }, { 3, 4 }, { 5, 6 }, { 7, 8 } } }, g;
	uint8_t buf[60];
	struct duet_wcur w;
	struct duet_cur c;

	duet_wcur_init(&w, buf, sizeof buf);
	CHECK_EQ(duet_tcp_emit(&h, &w), 0);
	CHECK_EQ(w.off, 56);
	CHECK_EQ(buf[12], 0xe1); /* data offset 14, AE */
	CHECK_EQ(buf[13], 0xf9);
	duet_cur_init(&c, buf, w.off);
	CHECK_EQ(duet_tcp_parse(&c, &g), 0);
	CHECK_EQ(g.flags, h.flags);
	CHECK_EQ(g.sack_count, 4);
	CHECK_EQ(g.sack[3].right_edge, 8);
	CHECK_EQ(g.urgent_pointer, 9);
	CHECK_EQ(duet_tcp_seg_len(&g, 10), 11);

	memset(&h, 0, sizeof h);
	h.flags = DUET_TCP_SYN;
	h.has_user_timeout = true;
	h.uto_granularity = true;
	h.user_timeout = 0x7fff;
	h.has_sack_permitted = true;
	h.has_wscale = true;
	h.wscale = 14;
	duet_wcur_init(&w, buf, sizeof buf);
	CHECK_EQ(duet_tcp_emit(&h, &w), 0);
	CHECK_EQ(w.off, 32); /* NOP NOP SACKP, NOP WS, UTO */
	duet_cur_init(&c, buf, w.off);
	CHECK_EQ(duet_tcp_parse(&c, &g), 0);
	CHECK(g.has_user_timeout && g.uto_granularity && g.user_timeout == 0x7fff);
	CHECK(g.has_sack_permitted && g.has_wscale && g.wscale == 14);
}

TEST(tcp_reserved_bits_ignored)
{
	uint8_t f[64];
	size_t n = check_hex(ack_hex, f, sizeof f);
	struct duet_cur c;
	struct duet_tcp_hdr h;

	f[12] |= 0x0f; /* 3 reserved bits + AE */
	duet_cur_init(&c, f, n);
	CHECK_EQ(duet_tcp_parse(&c, &h), 0);
	CHECK_EQ(h.flags, DUET_TCP_ACK | DUET_TCP_AE);
}

TEST(tcp_emit_nospace_every_size)
{
	uint8_t f[64], buf[40];
	struct duet_ip4_hdr ip;
	struct duet_cur c;
	struct duet_tcp_hdr h;
	size_t cap;

	syn_segment(f, sizeof f, &ip, &c);
	CHECK_EQ(duet_tcp_parse(&c, &h), 0);
	for (cap = 0; cap < 40; cap++) {
		struct duet_wcur w;
		memset(buf, 0xa5, sizeof buf);
		duet_wcur_init(&w, buf, cap);
		CHECK_EQ(duet_tcp_emit(&h, &w), -DUET_WE_NOSPACE);
		CHECK_EQ(w.off, 0);
		CHECK_EQ(buf[0], 0xa5);
	}
}

TEST(tcp_emit_limits)
{
	struct duet_tcp_hdr h = { 0 };
	uint8_t buf[60];
	struct duet_wcur w;

	duet_wcur_init(&w, buf, sizeof buf);
	h.sack_count = 5;
	CHECK_EQ(duet_tcp_emit(&h, &w), -DUET_WE_TOO_BIG);
	h.sack_count = 0;
	h.flags = 0x200;
	CHECK_EQ(duet_tcp_emit(&h, &w), -DUET_WE_TOO_BIG);
	h.flags = 0;
	h.has_user_timeout = true;
	h.user_timeout = 0x8000;
	CHECK_EQ(duet_tcp_emit(&h, &w), -DUET_WE_TOO_BIG);
	CHECK_EQ(w.off, 0);
	h.has_user_timeout = false;
	CHECK_EQ(duet_tcp_emit(&h, &w), 0);
	CHECK_EQ(w.off, 20);
	CHECK_EQ(buf[12], 0x50);
}

TEST(tcp_checksum_ipv6_round_trip)
{
	static const uint8_t src[16] = { 0xfe, 0x80, [15] = 1 };
	static const uint8_t dst[16] = { 0xfe, 0x80, [15] = 2 };
	struct duet_tcp_hdr h = { .src_port = 1, .dst_port = 2, .flags = DUET_TCP_RST };
	uint8_t seg[25] = { 0 };
	struct duet_wcur w;
	uint32_t ps = duet_csum_pseudo6(src, dst, sizeof seg, DUET_IP4_PROTO_TCP);

	duet_wcur_init(&w, seg, sizeof seg);
	CHECK_EQ(duet_tcp_emit(&h, &w), 0);
	memcpy(seg + 20, "hello", 5); /* odd length */
	CHECK_EQ(duet_tcp_csum_set(seg, sizeof seg, ps), 0);
	CHECK(duet_tcp_csum_ok(seg, sizeof seg, ps));
	CHECK(!duet_tcp_csum_ok(seg, sizeof seg - 1, ps));
}
