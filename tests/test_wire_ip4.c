/* Wire tests for IPv4 headers and options (SPEC N-8 header checks; the wire
 * format under L-1, T-1, T-2): RFC and captured vectors, round trips, every
 * truncation and inconsistent length rejected, option walking. */
#include "check.h"

#include <duet/wire/ip4.h>
#include <duet/wire/errors.h>
#include <duet/byteorder.h>
#include <duet/csum.h>

/* The classic header-checksum example: UDP, 192.168.0.1 -> 192.168.0.199,
 * checksum 0xb861. Total Length 115, so 95 data bytes follow. */
static const char *classic_hex =
	"45 00 00 73 00 00 40 00 40 11 b8 61 c0 a8 00 01 c0 a8 00 c7";

/* A TCP SYN captured from Linux 6.x on a veth link (MSS 1460, SACK-Permitted,
 * Timestamps, Window Scale 10). */
static const char *syn_hex =
	"45 00 00 3c 9c bd 40 00 40 06 0e ab c0 a8 07 01 c0 a8 07 02"
	"ac a6 00 50 9f 14 f7 03 00 00 00 00 a0 02 fa f0 c0 6b 00 00"
	"02 04 05 b4 04 02 08 0a 0e 84 ab b9 00 00 00 00 01 03 03 0a";

/* An IGMPv2 report for 224.0.0.251 with the Router Alert option, as Linux
 * sends it (IHL 6, TTL 1, DSCP CS6). */
static const char *igmp_ra_hex =
	"46 c0 00 20 00 00 40 00 01 02 3b 73 c0 a8 07 01 e0 00 00 fb 94 04 00 00"
	"16 00 09 04 e0 00 00 fb";

/* Rewrites the header checksum of the header at p (hlen bytes). */
static void fix_csum(uint8_t *p, size_t hlen)
{
	duet_put_be16(p + 10, 0);
	duet_put_be16(p + 10, duet_csum(p, hlen));
}

TEST(ip4_parse_classic_checksum_b861)
{
	uint8_t f[115] = { 0 };
	struct duet_cur c;
	struct duet_ip4_hdr h;

	check_hex(classic_hex, f, sizeof f);
	duet_cur_init(&c, f, sizeof f);
	CHECK_EQ(duet_ip4_parse(&c, &h), 0);
	CHECK_EQ(h.version, 4);
	CHECK_EQ(h.ihl, 5);
	CHECK_EQ(h.total_length, 115);
	CHECK(h.df && !h.mf);
	CHECK_EQ(h.fragment_offset, 0);
	CHECK_EQ(h.ttl, 64);
	CHECK_EQ(h.protocol, DUET_IP4_PROTO_UDP);
	CHECK_EQ(h.header_checksum, 0xb861);
	CHECK_EQ(h.src[3], 1);
	CHECK_EQ(h.dst[3], 0xc7);
	CHECK_EQ(h.options_len, 0);
	CHECK(!duet_ip4_is_fragment(&h));
	CHECK_EQ(c.off, 20);
	CHECK_EQ(duet_cur_left(&c), 95);
}

TEST(ip4_emit_classic_checksum_b861)
{
	struct duet_ip4_hdr h = { .total_length = 115, .df = true, .ttl = 64,
				  .protocol = DUET_IP4_PROTO_UDP,
				  .src = { 192, 168, 0, 1 }, .dst = { 192, 168, 0, 199 } };
	uint8_t want[20], buf[20];
	struct duet_wcur w;

	check_hex(classic_hex, want, sizeof want);
	duet_wcur_init(&w, buf, sizeof buf);
	CHECK_EQ(duet_ip4_len(&h), 20);
	CHECK_EQ(duet_ip4_emit(&h, &w), 0);
	CHECK_EQ(w.off, 20);
	CHECK_MEM(buf, want, 20);
}

TEST(ip4_parse_captured_syn_and_emit_identical)
{
	uint8_t f[64], out[64];
	size_t n = check_hex(syn_hex, f, sizeof f);
	struct duet_cur c;
	struct duet_ip4_hdr h;
	struct duet_wcur w;

	duet_cur_init(&c, f, n);
	CHECK_EQ(duet_ip4_parse(&c, &h), 0);
	CHECK_EQ(h.identification, 0x9cbd);
	CHECK_EQ(h.protocol, DUET_IP4_PROTO_TCP);
	CHECK_EQ(duet_cur_left(&c), 40);
	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_ip4_emit(&h, &w), 0);
	CHECK_MEM(out, f, 20);
}

TEST(ip4_router_alert_vector)
{
	uint8_t f[64], out[64];
	size_t n = check_hex(igmp_ra_hex, f, sizeof f);
	struct duet_cur c;
	struct duet_ip4_hdr h;
	struct duet_ip4_opt_iter it;
	struct duet_ip4_opt o;
	struct duet_wcur w;

	duet_cur_init(&c, f, n);
	CHECK_EQ(duet_ip4_parse(&c, &h), 0);
	CHECK_EQ(h.ihl, 6);
	CHECK_EQ(h.dscp, 48);
	CHECK_EQ(h.ecn, 0);
	CHECK_EQ(h.ttl, 1);
	CHECK_EQ(h.options_len, 4);
	CHECK(h.options == f + 20);
	CHECK_EQ(duet_cur_left(&c), 8);
	duet_ip4_opt_iter_init(&it, &h);
	CHECK_EQ(duet_ip4_opt_next(&it, &o), 1);
	CHECK_EQ(o.type, DUET_IP4_OPT_RA);
	CHECK_EQ(o.length, 4);
	CHECK_EQ(o.data_len, 2);
	CHECK(DUET_IP4_OPT_IS_COPIED(o.type));
	CHECK_EQ(duet_ip4_opt_next(&it, &o), 0);
	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_ip4_emit(&h, &w), 0);
	CHECK_EQ(w.off, 24);
	CHECK_MEM(out, f, 24);
}

TEST(ip4_every_truncation_rejected)
{
	const char *vecs[] = { syn_hex, igmp_ra_hex };
	size_t v, n, len;
	uint8_t f[64];

	for (v = 0; v < 2; v++) {
		len = check_hex(vecs[v], f, sizeof f);
		for (n = 0; n < len; n++) {
			struct duet_cur c;
			struct duet_ip4_hdr h;
			int want = n < 20 ? -DUET_WE_TRUNCATED :
				   n < (size_t)(f[0] & 15) * 4 ? -DUET_WE_BAD_HDR_LEN :
				   -DUET_WE_BAD_LENGTH;
			duet_cur_init(&c, f, n);
			CHECK_EQ(duet_ip4_parse(&c, &h), want);
			CHECK_EQ(c.off, 0);
			CHECK_EQ(c.len, n);
		}
	}
}

TEST(ip4_trailing_link_padding_cut)
{
	uint8_t f[60] = { 0 };
	struct duet_cur c;
	struct duet_ip4_hdr h;

	CHECK_EQ(check_hex(igmp_ra_hex, f, sizeof f), 32);
	/* 32 bytes of datagram padded to Ethernet's 46-byte minimum payload. */
	duet_cur_init(&c, f, 46);
	CHECK_EQ(duet_ip4_parse(&c, &h), 0);
	CHECK_EQ(duet_cur_left(&c), 8);
	CHECK_EQ(c.len, 32);
}

TEST(ip4_bad_version_and_ihl)
{
	uint8_t f[64];
	size_t n = check_hex(syn_hex, f, sizeof f);
	struct duet_cur c;
	struct duet_ip4_hdr h;

	f[0] = 0x65;
	duet_cur_init(&c, f, n);
	CHECK_EQ(duet_ip4_parse(&c, &h), -DUET_WE_BAD_VERSION);
	f[0] = 0x44;
	fix_csum(f, 20);
	CHECK_EQ(duet_ip4_parse(&c, &h), -DUET_WE_BAD_HDR_LEN);
	f[0] = 0x40;
	CHECK_EQ(duet_ip4_parse(&c, &h), -DUET_WE_BAD_HDR_LEN);
	/* IHL 15 claims 60 bytes: fits in the 60 here, then Total Length 60 is
	 * fine but the checksum (over 60 bytes) is not. */
	f[0] = 0x4f;
	CHECK_EQ(duet_ip4_parse(&c, &h), -DUET_WE_BAD_CHECKSUM);
	duet_cur_init(&c, f, 59);
	CHECK_EQ(duet_ip4_parse(&c, &h), -DUET_WE_BAD_HDR_LEN);
	CHECK_EQ(c.off, 0);
}

TEST(ip4_inconsistent_total_length_rejected)
{
	uint8_t f[64];
	size_t n = check_hex(igmp_ra_hex, f, sizeof f);
	struct duet_cur c;
	struct duet_ip4_hdr h;
	uint16_t tl;

	for (tl = 0; tl < 24; tl++) {
		duet_put_be16(f + 2, tl);
		fix_csum(f, 24);
		duet_cur_init(&c, f, n);
		CHECK_EQ(duet_ip4_parse(&c, &h), -DUET_WE_BAD_LENGTH);
		CHECK_EQ(c.off, 0);
	}
	duet_put_be16(f + 2, 24); /* header only: no data */
	fix_csum(f, 24);
	duet_cur_init(&c, f, n);
	CHECK_EQ(duet_ip4_parse(&c, &h), 0);
	CHECK_EQ(duet_cur_left(&c), 0);
	duet_put_be16(f + 2, (uint16_t)(n + 1));
	fix_csum(f, 24);
	duet_cur_init(&c, f, n);
	CHECK_EQ(duet_ip4_parse(&c, &h), -DUET_WE_BAD_LENGTH);
	duet_put_be16(f + 2, 0xffff);
	fix_csum(f, 24);
	CHECK_EQ(duet_ip4_parse(&c, &h), -DUET_WE_BAD_LENGTH);
}

TEST(ip4_bad_checksum_rejected)
{
	uint8_t f[64];
	size_t n = check_hex(syn_hex, f, sizeof f), i;

	for (i = 0; i < 20; i++) {
		struct duet_cur c;
		struct duet_ip4_hdr h;
		int r;
		if (i == 0 || i == 2 || i == 3)
			continue; /* these change version/IHL/length checks instead */
		f[i] ^= 0x10;
		duet_cur_init(&c, f, n);
		r = duet_ip4_parse(&c, &h);
		CHECK_EQ(r, -DUET_WE_BAD_CHECKSUM);
		CHECK_EQ(c.off, 0);
		f[i] ^= 0x10;
	}
}

TEST(ip4_reserved_flag_rejected)
{
	uint8_t f[64];
	size_t n = check_hex(syn_hex, f, sizeof f);
	struct duet_cur c;
	struct duet_ip4_hdr h;

	f[6] |= 0x80;
	fix_csum(f, 20);
	duet_cur_init(&c, f, n);
	CHECK_EQ(duet_ip4_parse(&c, &h), -DUET_WE_BAD_FIELD);
	CHECK_EQ(c.off, 0);
}

TEST(ip4_fragment_fields_round_trip)
{
	static const uint8_t opts[3] = { DUET_IP4_OPT_NOP, DUET_IP4_OPT_NOP, DUET_IP4_OPT_NOP };
	struct duet_ip4_hdr h = { .dscp = 46, .ecn = 3, .total_length = 1500,
				  .identification = 0xbeef, .mf = true,
				  .fragment_offset = 8191, .ttl = 255, .protocol = 17,
				  .src = { 10, 0, 0, 1 }, .dst = { 10, 0, 0, 2 },
				  .options = opts, .options_len = 3 }, g;
	uint8_t buf[1500] = { 0 };
	struct duet_wcur w;
	struct duet_cur c;

	duet_wcur_init(&w, buf, sizeof buf);
	CHECK_EQ(duet_ip4_len(&h), 24);
	CHECK_EQ(duet_ip4_emit(&h, &w), 0);
	CHECK_EQ(w.off, 24);
	CHECK_EQ(buf[0], 0x46);
	CHECK_EQ(buf[23], 0); /* padded with EOL */
	CHECK_EQ(duet_csum(buf, 24), 0);
	duet_cur_init(&c, buf, sizeof buf);
	CHECK_EQ(duet_ip4_parse(&c, &g), 0);
	CHECK_EQ(g.dscp, 46);
	CHECK_EQ(g.ecn, 3);
	CHECK(g.mf && !g.df);
	CHECK_EQ(g.fragment_offset, 8191);
	CHECK_EQ(g.identification, 0xbeef);
	CHECK_EQ(g.ttl, 255);
	CHECK_EQ(g.options_len, 4);
	CHECK_MEM(g.options, opts, 3);
	CHECK(duet_ip4_is_fragment(&g));
	CHECK_EQ(duet_cur_left(&c), 1500 - 24);
}

TEST(ip4_emit_nospace_every_size)
{
	static const uint8_t opts[4] = { DUET_IP4_OPT_RA, 4, 0, 0 };
	struct duet_ip4_hdr h = { .total_length = 24, .ttl = 1, .protocol = 2,
				  .options = opts, .options_len = 4 };
	uint8_t buf[24];
	size_t cap;

	for (cap = 0; cap < 24; cap++) {
		struct duet_wcur w;
		memset(buf, 0xa5, sizeof buf);
		duet_wcur_init(&w, buf, cap);
		CHECK_EQ(duet_ip4_emit(&h, &w), -DUET_WE_NOSPACE);
		CHECK_EQ(w.off, 0);
		CHECK_EQ(buf[0], 0xa5);
	}
}

TEST(ip4_emit_field_limits)
{
	uint8_t opts[44] = { 0 };
	struct duet_ip4_hdr h = { .total_length = 20 };
	uint8_t buf[64];
	struct duet_wcur w;

	duet_wcur_init(&w, buf, sizeof buf);
	h.dscp = 64;
	CHECK_EQ(duet_ip4_emit(&h, &w), -DUET_WE_TOO_BIG);
	h.dscp = 0;
	h.ecn = 4;
	CHECK_EQ(duet_ip4_emit(&h, &w), -DUET_WE_TOO_BIG);
	h.ecn = 0;
	h.fragment_offset = 8192;
	CHECK_EQ(duet_ip4_emit(&h, &w), -DUET_WE_TOO_BIG);
	h.fragment_offset = 0;
	h.options = opts;
	h.options_len = 41;
	CHECK_EQ(duet_ip4_emit(&h, &w), -DUET_WE_TOO_BIG);
	h.options_len = 40;
	CHECK_EQ(duet_ip4_emit(&h, &w), -DUET_WE_BAD_LENGTH); /* 60 > 20 */
	CHECK_EQ(w.off, 0);
	h.total_length = 60;
	CHECK_EQ(duet_ip4_emit(&h, &w), 0);
	CHECK_EQ(buf[0], 0x4f);
}

TEST(ip4_quoted_header_parse)
{
	uint8_t f[64];
	size_t n = check_hex(syn_hex, f, sizeof f);
	struct duet_cur c;
	struct duet_ip4_hdr h;

	/* An ICMP error quotes the header and 8 data bytes only. */
	duet_cur_init(&c, f, 28);
	CHECK_EQ(duet_ip4_parse(&c, &h), -DUET_WE_BAD_LENGTH);
	CHECK_EQ(duet_ip4_parse_quoted(&c, &h), 0);
	CHECK_EQ(h.total_length, 60);
	CHECK_EQ(duet_cur_left(&c), 8);
	/* A quote holding more than Total Length is cut to it. */
	duet_cur_init(&c, f, n);
	duet_put_be16(f + 2, 30);
	CHECK_EQ(duet_ip4_parse_quoted(&c, &h), 0);
	CHECK_EQ(duet_cur_left(&c), 10);
	duet_cur_init(&c, f, 19);
	CHECK_EQ(duet_ip4_parse_quoted(&c, &h), -DUET_WE_TRUNCATED);
	f[0] = 0x60;
	duet_cur_init(&c, f, n);
	CHECK_EQ(duet_ip4_parse_quoted(&c, &h), -DUET_WE_BAD_VERSION);
	CHECK_EQ(c.off, 0);
}

/* Walks the options in area (len bytes); returns the last result and counts
 * the options seen. */
static int walk(const uint8_t *area, size_t len, int *count, struct duet_ip4_opt_iter *it)
{
	struct duet_ip4_hdr h = { .options = area, .options_len = len };
	struct duet_ip4_opt o;
	int r;

	*count = 0;
	duet_ip4_opt_iter_init(it, &h);
	while ((r = duet_ip4_opt_next(it, &o)) == 1)
		(*count)++;
	return r;
}

TEST(ip4_options_valid_walk)
{
	/* NOP, Record Route (3 slots, one used), Timestamp (addr+ts, one pair),
	 * LSRR (1 address), EOL, padding. */
	static const uint8_t area[40] = {
		1,
		7, 15, 8, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
		68, 12, 5, 0x21, 0, 0, 0, 0, 0, 0, 0, 0,
		131, 7, 4, 10, 0, 0, 9,
		0, 0, 0, 0, 0,
	};
	struct duet_ip4_hdr h = { .options = area, .options_len = sizeof area };
	struct duet_ip4_opt_iter it;
	struct duet_ip4_opt o;

	duet_ip4_opt_iter_init(&it, &h);
	CHECK_EQ(duet_ip4_opt_next(&it, &o), 1);
	CHECK_EQ(o.type, DUET_IP4_OPT_NOP);
	CHECK_EQ(o.length, 1);
	CHECK_EQ(duet_ip4_opt_next(&it, &o), 1);
	CHECK_EQ(o.type, DUET_IP4_OPT_RR);
	CHECK_EQ(o.offset, 1);
	CHECK_EQ(o.pointer, 8);
	CHECK_EQ(o.data_len, 13);
	CHECK(!DUET_IP4_OPT_IS_COPIED(o.type));
	CHECK_EQ(duet_ip4_opt_next(&it, &o), 1);
	CHECK_EQ(o.type, DUET_IP4_OPT_TS);
	CHECK_EQ(o.pointer, 5);
	CHECK_EQ(o.oflw, 2);
	CHECK_EQ(o.flg, DUET_IP4_TS_ADDR);
	CHECK_EQ(duet_ip4_opt_next(&it, &o), 1);
	CHECK_EQ(o.type, DUET_IP4_OPT_LSRR);
	CHECK_EQ(o.offset, 28);
	CHECK_EQ(o.data[1], 10);
	CHECK_EQ(duet_ip4_opt_next(&it, &o), 0);
	CHECK_EQ(duet_ip4_opt_next(&it, &o), 0);
}

TEST(ip4_options_after_eol_ignored_and_unknown_skipped)
{
	static const uint8_t a[8] = { 0x19, 3, 0xaa, 0, 0xff, 0xff, 0xff, 0xff };
	struct duet_ip4_opt_iter it;
	int n;

	CHECK_EQ(walk(a, sizeof a, &n, &it), 0);
	CHECK_EQ(n, 1);
	CHECK_EQ(walk(a, 0, &n, &it), 0);
	CHECK_EQ(n, 0);
}

TEST(ip4_options_malformed_rejected)
{
	static const struct {
		uint8_t a[8];
		size_t len;
		int err;
		size_t at; /* offset of the bad option */
	} cases[] = {
		{ { 7 }, 1, -DUET_WE_OPT_TRUNCATED, 0 },             /* no length octet */
		{ { 1, 7, 1 }, 3, -DUET_WE_BAD_OPT_LEN, 1 },        /* length < 2 */
		{ { 0x19, 0 }, 2, -DUET_WE_BAD_OPT_LEN, 0 },        /* length 0 */
		{ { 7, 12, 4, 0 }, 8, -DUET_WE_OPT_TRUNCATED, 0 },  /* past the area */
		{ { 1, 1, 7, 2 }, 4, -DUET_WE_BAD_OPT_LEN, 2 },     /* RR without pointer */
		{ { 7, 7, 3, 0, 0, 0, 0 }, 8, -DUET_WE_BAD_OPTION, 0 }, /* RR pointer 3 */
		{ { 137, 3, 0 }, 4, -DUET_WE_BAD_OPTION, 0 },       /* SSRR pointer 0 */
		{ { 131, 3, 1 }, 4, -DUET_WE_BAD_OPTION, 0 },       /* LSRR pointer 1 */
		{ { 68, 3, 5 }, 4, -DUET_WE_BAD_OPT_LEN, 0 },       /* TS too short */
		{ { 68, 4, 4, 0 }, 4, -DUET_WE_BAD_OPTION, 0 },     /* TS pointer 4 */
		{ { 68, 8, 5, 2 }, 8, -DUET_WE_BAD_OPTION, 0 },     /* TS flag 2 */
		{ { 148, 6, 0, 0, 0, 0 }, 8, -DUET_WE_BAD_OPT_LEN, 0 }, /* RA length 6 */
		{ { 148, 2 }, 4, -DUET_WE_BAD_OPT_LEN, 0 },         /* RA length 2 */
		{ { 1, 1, 1, 136, 3, 0 }, 8, -DUET_WE_BAD_OPT_LEN, 3 }, /* SID length 3 */
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct duet_ip4_opt_iter it;
		int n;
		CHECK_EQ(walk(cases[i].a, cases[i].len, &n, &it), cases[i].err);
		CHECK_EQ(it.cur.off, cases[i].at);
	}
}

TEST(ip4_option_every_truncation_rejected)
{
	/* Each valid option cut short anywhere is rejected (never read past). */
	static const uint8_t opts[][12] = {
		{ 7, 11, 4, 1, 2, 3, 4, 5, 6, 7, 8 },
		{ 68, 12, 5, 0x01, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ 148, 4, 0, 0 },
	};
	static const size_t lens[] = { 11, 12, 4 };
	size_t i, n;

	for (i = 0; i < 3; i++) {
		struct duet_ip4_opt_iter it;
		int cnt;
		CHECK_EQ(walk(opts[i], lens[i], &cnt, &it), 0);
		CHECK_EQ(cnt, 1);
		for (n = 1; n < lens[i]; n++) {
			CHECK_EQ(walk(opts[i], n, &cnt, &it), -DUET_WE_OPT_TRUNCATED);
			CHECK_EQ(it.cur.off, 0);
		}
	}
}
