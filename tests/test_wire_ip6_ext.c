/* Wire tests for IPv6 extension headers (RFC 8200 §4) — SPEC N-1 (header
 * chain, option action bits, Routing type 0 never processed), N-5 (the
 * Router Alert MLD needs), F-2 (Fragment header): captured and RFC vectors,
 * RFC 8200 Appendix A padding byte for byte, round trips, every truncation
 * rejected with the cursor unchanged, inconsistent lengths rejected. */
#include "check.h"

#include <duet/wire/ip6_ext.h>
#include <duet/wire/ip6.h>
#include <duet/wire/errors.h>

/* The Hop-by-Hop header of Linux's MLDv2 reports: Router Alert (MLD) then
 * PadN with no data. */
static const char *hbh_linux_hex = "3a 00 05 02 00 00 01 00";

/* The same from a Linux bridge's MLD querier: Router Alert, Pad1, Pad1. */
static const char *hbh_bridge_hex = "3a 00 05 02 00 00 00 00";

/* A header chain after an IPv6 header whose Next Header is 0: Hop-by-Hop ->
 * Destination Options (Tunnel Encapsulation Limit) -> Routing type 2 ->
 * Fragment (atomic) -> AH (Payload Len 4: 24 octets) -> ICMPv6 echo. */
static const char *chain_hex =
	"3c 00 05 02 00 00 01 00"
	"2b 00 04 01 04 01 01 00"
	"2c 02 02 01 00 00 00 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 12 34"
	"33 00 00 00 de ad be ef"
	"3a 04 00 00 00 00 01 00 00 00 00 01 aa aa aa aa aa aa aa aa aa aa aa aa"
	"80 00 00 00 00 01 00 01";

/* The two Fragment headers of a 1600-octet UDP datagram Linux fragmented
 * (first: offset 0, M set; second: offset 1448, M clear). */
static const char *frag_first_hex = "11 00 00 01 cf 0a b3 fb";
static const char *frag_second_hex = "11 00 05 a8 cf 0a b3 fb";

TEST(ip6_ext_hbh_linux_router_alert)
{
	uint8_t p[8];
	size_t n = check_hex(hbh_linux_hex, p, sizeof p);
	struct duet_cur c;
	struct duet_ip6_opthdr h;
	struct duet_ip6_opt_iter it;
	struct duet_ip6_opt o;

	duet_cur_init(&c, p, n);
	CHECK_EQ(duet_ip6_opthdr_parse(&c, &h), 0);
	CHECK_EQ(h.next_header, DUET_IP6_NH_ICMPV6);
	CHECK_EQ(h.hdr_ext_len, 0);
	CHECK_EQ(h.options_len, 6);
	CHECK_EQ(c.off, 8);
	duet_ip6_opt_iter_init(&it, &h);
	CHECK_EQ(duet_ip6_opt_next(&it, &o), 1);
	CHECK_EQ(o.type, DUET_IP6_OPT_ROUTER_ALERT);
	CHECK_EQ(o.opt_data_len, 2);
	CHECK_EQ(o.router_alert, DUET_IP6_RTALERT_MLD);
	CHECK_EQ(o.offset, 2);
	CHECK_EQ(duet_ip6_opt_next(&it, &o), 1);
	CHECK_EQ(o.type, DUET_IP6_OPT_PADN);
	CHECK_EQ(o.opt_data_len, 0);
	CHECK_EQ(o.offset, 6);
	CHECK_EQ(o.note, 0);
	CHECK_EQ(duet_ip6_opt_next(&it, &o), 0);
}

TEST(ip6_ext_hbh_bridge_pad1)
{
	uint8_t p[8];
	size_t n = check_hex(hbh_bridge_hex, p, sizeof p);
	struct duet_cur c;
	struct duet_ip6_opthdr h;
	struct duet_ip6_opt_iter it;
	struct duet_ip6_opt o;

	duet_cur_init(&c, p, n);
	CHECK_EQ(duet_ip6_opthdr_parse(&c, &h), 0);
	duet_ip6_opt_iter_init(&it, &h);
	CHECK_EQ(duet_ip6_opt_next(&it, &o), 1);
	CHECK_EQ(o.type, DUET_IP6_OPT_ROUTER_ALERT);
	CHECK_EQ(duet_ip6_opt_next(&it, &o), 1);
	CHECK_EQ(o.type, DUET_IP6_OPT_PAD1);
	CHECK_EQ(o.offset, 6);
	CHECK_EQ(duet_ip6_opt_next(&it, &o), 1);
	CHECK_EQ(o.type, DUET_IP6_OPT_PAD1);
	CHECK_EQ(o.offset, 7);
	CHECK_EQ(duet_ip6_opt_next(&it, &o), 0);
}

/* Action: duet builds the Hop-by-Hop header of an MLD report. Response: the
 * very bytes Linux sends (Router Alert at 2n+0, PadN to 8). */
TEST(ip6_ext_build_router_alert_like_linux)
{
	static const uint8_t ra_val[2] = { 0, 0 };
	struct duet_ip6_opt ra = { .type = DUET_IP6_OPT_ROUTER_ALERT, .opt_data_len = 2,
				   .data = ra_val };
	uint8_t want[8], out[16];
	struct duet_wcur w;

	check_hex(hbh_linux_hex, want, sizeof want);
	CHECK_EQ(duet_ip6_opthdr_build_len(&ra, 1), 8);
	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_ip6_opthdr_build(DUET_IP6_NH_ICMPV6, &ra, 1, &w), 0);
	CHECK_EQ(w.off, 8);
	CHECK_MEM(out, want, 8);
}

/* RFC 8200 Appendix A: option X (4- and 8-octet fields, 8n+2) and option Y
 * (1-, 2- and 4-octet fields, 4n+3), alone and together. */
static const uint8_t app_x_data[12] = { 0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22,
					0x22, 0x22, 0x22, 0x22 };
static const uint8_t app_y_data[7] = { 0x01, 0x02, 0x02, 0x04, 0x04, 0x04, 0x04 };
#define APP_X { .type = 0x1e, .opt_data_len = 12, .data = app_x_data, .align_n = 8, .align_y = 2 }
#define APP_Y { .type = 0x1f, .opt_data_len = 7, .data = app_y_data, .align_n = 4, .align_y = 3 }

static void build_expect(const struct duet_ip6_opt *opts, size_t n, const char *hex)
{
	uint8_t want[64], out[64];
	size_t len = check_hex(hex, want, sizeof want);
	struct duet_wcur w;

	CHECK_EQ(duet_ip6_opthdr_build_len(opts, n), len);
	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_ip6_opthdr_build(0x3b, opts, n, &w), 0);
	CHECK_EQ(w.off, len);
	CHECK_MEM(out, want, len);
}

TEST(ip6_ext_appendix_a_option_x)
{
	const struct duet_ip6_opt x[1] = { APP_X };
	build_expect(x, 1, "3b 01 1e 0c 11 11 11 11 22 22 22 22 22 22 22 22");
}

TEST(ip6_ext_appendix_a_option_y)
{
	const struct duet_ip6_opt y[1] = { APP_Y };
	build_expect(y, 1, "3b 01 00 1f 07 01 02 02 04 04 04 04 01 02 00 00");
}

TEST(ip6_ext_appendix_a_options_x_and_y)
{
	const struct duet_ip6_opt xy[2] = { APP_X, APP_Y };
	build_expect(xy, 2,
		     "3b 03 1e 0c 11 11 11 11 22 22 22 22 22 22 22 22"
		     "01 01 00 1f 07 01 02 02 04 04 04 04 01 02 00 00");
}

TEST(ip6_ext_build_tunnel_limit_and_jumbo)
{
	static const uint8_t tel[1] = { 4 };
	static const uint8_t jumbo[4] = { 0x00, 0x01, 0x00, 0x00 };
	const struct duet_ip6_opt t[1] = { { .type = DUET_IP6_OPT_TUNNEL_LIMIT,
					     .opt_data_len = 1, .data = tel } };
	const struct duet_ip6_opt j[2] = { { .type = DUET_IP6_OPT_TUNNEL_LIMIT,
					     .opt_data_len = 1, .data = tel },
					   { .type = DUET_IP6_OPT_JUMBO, .opt_data_len = 4,
					     .data = jumbo } };

	/* RFC 2473 §5.1 layout as Linux writes it: limit, then PadN(1). */
	build_expect(t, 1, "3b 00 04 01 04 01 01 00");
	/* Jumbo at 4n+2: after TEL (ends at 5) pad 1 to 6 → Pad1, jumbo at 6. */
	build_expect(j, 2, "3b 01 04 01 04 00 c2 04 00 01 00 00 01 02 00 00");
}

TEST(ip6_ext_build_rejects_bad_alignment_and_size)
{
	static const uint8_t big[255];
	struct duet_ip6_opt o = { .type = 0x1e, .opt_data_len = 4, .data = big,
				  .align_n = 3, .align_y = 0 };
	struct duet_ip6_opt many[9];
	uint8_t out[4096];
	struct duet_wcur w;
	size_t i;

	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_ip6_opthdr_build(0, &o, 1, &w), -DUET_WE_BAD_FIELD);
	o.align_n = 4;
	o.align_y = 4;
	CHECK_EQ(duet_ip6_opthdr_build(0, &o, 1, &w), -DUET_WE_BAD_FIELD);
	CHECK_EQ(duet_ip6_opthdr_build_len(&o, 1), 0);
	for (i = 0; i < 9; i++)
		many[i] = (struct duet_ip6_opt){ .type = 0x1e, .opt_data_len = 255, .data = big };
	CHECK_EQ(duet_ip6_opthdr_build(0, many, 9, &w), -DUET_WE_TOO_BIG);
	CHECK_EQ(w.off, 0);
	CHECK_EQ(duet_ip6_opthdr_build(0, many, 7, &w), 0);
	CHECK_EQ(w.off, 1808); /* 2 + 7 * 257 = 1801, padded to 1808 */
}

TEST(ip6_ext_build_nospace)
{
	const struct duet_ip6_opt xy[2] = { APP_X, APP_Y };
	uint8_t out[32];
	struct duet_wcur w;

	duet_wcur_init(&w, out, 31);
	CHECK_EQ(duet_ip6_opthdr_build(0, xy, 2, &w), -DUET_WE_NOSPACE);
	CHECK_EQ(w.off, 0);
}

/* Action: PadN whose data octets are not zero. Response: returned with the
 * BAD_PADDING note, and the walk goes on (the caller decides). */
TEST(ip6_ext_padn_nonzero_noted)
{
	uint8_t p[8] = { 0x3a, 0x00, 0x01, 0x02, 0x00, 0x07, 0x01, 0x00 };
	struct duet_cur c;
	struct duet_ip6_opthdr h;
	struct duet_ip6_opt_iter it;
	struct duet_ip6_opt o;

	duet_cur_init(&c, p, sizeof p);
	CHECK_EQ(duet_ip6_opthdr_parse(&c, &h), 0);
	duet_ip6_opt_iter_init(&it, &h);
	CHECK_EQ(duet_ip6_opt_next(&it, &o), 1);
	CHECK_EQ(o.type, DUET_IP6_OPT_PADN);
	CHECK_EQ(o.note, -DUET_WE_BAD_PADDING);
	CHECK_EQ(duet_ip6_opt_next(&it, &o), 1);
	CHECK_EQ(o.note, 0);
	CHECK_EQ(duet_ip6_opt_next(&it, &o), 0);
}

TEST(ip6_ext_option_errors)
{
	/* Router Alert of 3 octets; an option running past the header; a Jumbo
	 * of 2; a Tunnel Limit of 2; an unknown type with its action bits. */
	static const uint8_t ra3[8] = { 0, 0, 0x05, 0x03, 0, 0, 0, 0 };
	static const uint8_t overrun[8] = { 0, 0, 0x01, 0x00, 0x3e, 0x05, 0, 0 };
	static const uint8_t jumbo2[8] = { 0, 0, 0xc2, 0x02, 0, 0, 0, 0 };
	static const uint8_t tel2[8] = { 0, 0, 0x04, 0x02, 0, 0, 0, 0 };
	static const uint8_t lone_type[8] = { 0, 0, 0x01, 0x03, 0, 0, 0, 0x9e };
	const uint8_t *bad[5] = { ra3, overrun, jumbo2, tel2, lone_type };
	const int want[5] = { -DUET_WE_BAD_OPT_LEN, -DUET_WE_OPT_TRUNCATED,
			      -DUET_WE_BAD_OPT_LEN, -DUET_WE_BAD_OPT_LEN,
			      -DUET_WE_OPT_TRUNCATED };
	size_t i;

	for (i = 0; i < 5; i++) {
		struct duet_cur c;
		struct duet_ip6_opthdr h;
		struct duet_ip6_opt_iter it;
		struct duet_ip6_opt o;
		int r;
		duet_cur_init(&c, bad[i], 8);
		CHECK_EQ(duet_ip6_opthdr_parse(&c, &h), 0);
		duet_ip6_opt_iter_init(&it, &h);
		while ((r = duet_ip6_opt_next(&it, &o)) > 0)
			;
		CHECK_EQ(r, want[i]);
		/* the error repeats: the iterator did not move past it */
		CHECK_EQ(duet_ip6_opt_next(&it, &o), want[i]);
	}
}

TEST(ip6_ext_unknown_option_returned_with_action)
{
	uint8_t p[8] = { 0x3a, 0x00, 0xde, 0x02, 0xab, 0xcd, 0x01, 0x00 };
	struct duet_cur c;
	struct duet_ip6_opthdr h;
	struct duet_ip6_opt_iter it;
	struct duet_ip6_opt o;

	duet_cur_init(&c, p, sizeof p);
	CHECK_EQ(duet_ip6_opthdr_parse(&c, &h), 0);
	duet_ip6_opt_iter_init(&it, &h);
	CHECK_EQ(duet_ip6_opt_next(&it, &o), 1);
	CHECK_EQ(o.type, 0xde);
	CHECK_EQ(o.opt_data_len, 2);
	CHECK_EQ(o.data[0], 0xab);
	CHECK_EQ(duet_ip6_opt_action(o.type), DUET_IP6_OPT_DISCARD_ICMP_UNLESS_MC);
	CHECK(!duet_ip6_opt_may_change(o.type));
}

TEST(ip6_ext_option_action_bits)
{
	CHECK_EQ(duet_ip6_opt_action(DUET_IP6_OPT_PAD1), DUET_IP6_OPT_SKIP);
	CHECK_EQ(duet_ip6_opt_action(DUET_IP6_OPT_ROUTER_ALERT), DUET_IP6_OPT_SKIP);
	CHECK_EQ(duet_ip6_opt_action(0x3e), DUET_IP6_OPT_SKIP);
	CHECK_EQ(duet_ip6_opt_action(0x7e), DUET_IP6_OPT_DISCARD);
	CHECK_EQ(duet_ip6_opt_action(0xbe), DUET_IP6_OPT_DISCARD_ICMP);
	CHECK_EQ(duet_ip6_opt_action(DUET_IP6_OPT_JUMBO), DUET_IP6_OPT_DISCARD_ICMP_UNLESS_MC);
	CHECK(duet_ip6_opt_may_change(0x26)); /* Quick-Start, RFC 4782 */
	CHECK(duet_ip6_opt_may_change(0x3e));
	CHECK(!duet_ip6_opt_may_change(DUET_IP6_OPT_JUMBO));
}

TEST(ip6_ext_opthdr_truncations_rejected)
{
	const struct duet_ip6_opt xy[2] = { APP_X, APP_Y };
	uint8_t p[32];
	struct duet_wcur w;
	size_t n;

	duet_wcur_init(&w, p, sizeof p);
	CHECK_EQ(duet_ip6_opthdr_build(0x3b, xy, 2, &w), 0);
	for (n = 0; n < sizeof p; n++) {
		struct duet_cur c;
		struct duet_ip6_opthdr h;
		duet_cur_init(&c, p, n);
		CHECK_EQ(duet_ip6_opthdr_parse(&c, &h), n < 8 ? -DUET_WE_TRUNCATED : -DUET_WE_BAD_LENGTH);
		CHECK_EQ(c.off, 0);
		CHECK_EQ(c.len, n);
	}
}

TEST(ip6_ext_opthdr_round_trip_and_emit_errors)
{
	uint8_t p[8], out[16];
	size_t n = check_hex(hbh_linux_hex, p, sizeof p);
	struct duet_cur c;
	struct duet_ip6_opthdr h;
	struct duet_wcur w;

	duet_cur_init(&c, p, n);
	CHECK_EQ(duet_ip6_opthdr_parse(&c, &h), 0);
	CHECK_EQ(duet_ip6_opthdr_len(&h), 8);
	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_ip6_opthdr_emit(&h, &w), 0);
	CHECK_MEM(out, p, 8);
	duet_wcur_init(&w, out, 7);
	CHECK_EQ(duet_ip6_opthdr_emit(&h, &w), -DUET_WE_NOSPACE);
	h.options_len = 7;
	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_ip6_opthdr_emit(&h, &w), -DUET_WE_BAD_LENGTH);
	h.options_len = 2046 + 8;
	CHECK_EQ(duet_ip6_opthdr_emit(&h, &w), -DUET_WE_TOO_BIG);
	CHECK_EQ(w.off, 0);
}

TEST(ip6_ext_chain_walk)
{
	uint8_t p[128];
	size_t n = check_hex(chain_hex, p, sizeof p);
	static const size_t lens[5] = { 8, 8, 24, 8, 24 };
	static const uint8_t types[6] = { 0, 60, 43, 44, 51, 58 };
	struct duet_cur c;
	struct duet_ip6_ext e;
	uint8_t nh = DUET_IP6_NH_HOPOPTS;
	size_t i;

	duet_cur_init(&c, p, n);
	for (i = 0; i < 5; i++) {
		CHECK_EQ(nh, types[i]);
		CHECK(duet_ip6_ext_is_known(nh));
		CHECK_EQ(duet_ip6_ext_skip(&c, nh, &e), 0);
		CHECK_EQ(e.len, lens[i]);
		CHECK(e.data == p + c.off - e.len);
		nh = e.next_header;
	}
	CHECK_EQ(nh, DUET_IP6_NH_ICMPV6);
	CHECK(!duet_ip6_ext_is_known(nh));
	CHECK_EQ(duet_cur_left(&c), 8);
	CHECK_EQ(duet_ip6_ext_skip(&c, nh, &e), -DUET_WE_BAD_TYPE);
	CHECK_EQ(duet_ip6_ext_skip(&c, DUET_IP6_NH_ESP, &e), -DUET_WE_BAD_TYPE);
	CHECK_EQ(duet_ip6_ext_skip(&c, DUET_IP6_NH_NONE, &e), -DUET_WE_BAD_TYPE);
	CHECK_EQ(c.off, n - 8);
}

/* Every cut of the chain fails in the header it cuts, cursor unchanged. */
TEST(ip6_ext_chain_truncations_rejected)
{
	uint8_t p[128];
	size_t len = check_hex(chain_hex, p, sizeof p) - 8, n;

	for (n = 0; n < len; n++) {
		struct duet_cur c;
		struct duet_ip6_ext e;
		uint8_t nh = DUET_IP6_NH_HOPOPTS;
		size_t before;
		int r;
		duet_cur_init(&c, p, n);
		for (;;) {
			before = c.off;
			r = duet_ip6_ext_skip(&c, nh, &e);
			if (r)
				break;
			nh = e.next_header;
		}
		CHECK(r == -DUET_WE_TRUNCATED || r == -DUET_WE_BAD_LENGTH);
		CHECK_EQ(c.off, before);
	}
}

TEST(ip6_ext_ah_length_checked)
{
	/* Payload Len 3: (3 + 2) * 4 = 20 octets, not a multiple of 8. */
	uint8_t p[24] = { 0x3a, 0x03 };
	struct duet_cur c;
	struct duet_ip6_ext e;

	duet_cur_init(&c, p, sizeof p);
	CHECK_EQ(duet_ip6_ext_skip(&c, DUET_IP6_NH_AH, &e), -DUET_WE_BAD_HDR_LEN);
	CHECK_EQ(c.off, 0);
	p[1] = 4;
	CHECK_EQ(duet_ip6_ext_skip(&c, DUET_IP6_NH_AH, &e), 0);
	CHECK_EQ(e.len, 24);
	/* Uniform-format headers of RFC 6564 / RFC 7045 are skipped too. */
	CHECK(duet_ip6_ext_is_known(135));
	CHECK(duet_ip6_ext_is_known(253));
	CHECK(!duet_ip6_ext_is_known(DUET_IP6_NH_ESP));
}

TEST(ip6_ext_fragment_vectors)
{
	uint8_t p[8];
	struct duet_cur c;
	struct duet_ip6_frag_hdr h;

	check_hex(frag_first_hex, p, sizeof p);
	duet_cur_init(&c, p, sizeof p);
	CHECK_EQ(duet_ip6_frag_parse(&c, &h), 0);
	CHECK_EQ(h.next_header, DUET_IP6_NH_UDP);
	CHECK_EQ(h.fragment_offset, 0);
	CHECK(h.m);
	CHECK_EQ(h.identification, 0xcf0ab3fb);
	CHECK(!duet_ip6_frag_is_atomic(&h));
	check_hex(frag_second_hex, p, sizeof p);
	duet_cur_init(&c, p, sizeof p);
	CHECK_EQ(duet_ip6_frag_parse(&c, &h), 0);
	CHECK_EQ(h.fragment_offset * 8, 1448);
	CHECK(!h.m);
	CHECK_EQ(h.res, 0);
	CHECK(!duet_ip6_frag_is_atomic(&h));
	CHECK_EQ(duet_ip6_frag_len(&h), 8);
}

TEST(ip6_ext_fragment_round_trip_and_truncations)
{
	struct duet_ip6_frag_hdr h = { .next_header = 58, .reserved = 0x5a,
				       .fragment_offset = 0x1fff, .res = 3, .m = true,
				       .identification = 0x01020304 }, g;
	uint8_t out[8];
	struct duet_wcur w;
	struct duet_cur c;
	size_t n;

	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_ip6_frag_emit(&h, &w), 0);
	CHECK_EQ(out[2], 0xff);
	CHECK_EQ(out[3], 0xff);
	duet_cur_init(&c, out, sizeof out);
	CHECK_EQ(duet_ip6_frag_parse(&c, &g), 0);
	CHECK(g.next_header == 58 && g.reserved == 0x5a && g.fragment_offset == 0x1fff);
	CHECK(g.res == 3 && g.m && g.identification == 0x01020304);
	for (n = 0; n < 8; n++) {
		duet_cur_init(&c, out, n);
		CHECK_EQ(duet_ip6_frag_parse(&c, &g), -DUET_WE_TRUNCATED);
		CHECK_EQ(c.off, 0);
	}
	h.fragment_offset = 0x2000;
	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_ip6_frag_emit(&h, &w), -DUET_WE_TOO_BIG);
	h.fragment_offset = 0;
	h.res = 4;
	CHECK_EQ(duet_ip6_frag_emit(&h, &w), -DUET_WE_TOO_BIG);
	h.res = 0;
	duet_wcur_init(&w, out, 7);
	CHECK_EQ(duet_ip6_frag_emit(&h, &w), -DUET_WE_NOSPACE);
	CHECK_EQ(w.off, 0);
	h.m = false;
	CHECK(duet_ip6_frag_is_atomic(&h));
}

TEST(ip6_ext_routing_type2)
{
	uint8_t p[128], home[16], out[24];
	size_t n = check_hex(chain_hex, p, sizeof p);
	struct duet_cur c;
	struct duet_ip6_rthdr h;
	struct duet_wcur w;

	duet_cur_init(&c, p + 16, n - 16);
	CHECK_EQ(duet_ip6_rthdr_parse(&c, &h), 0);
	CHECK_EQ(c.off, 24);
	CHECK_EQ(h.routing_type, DUET_IP6_RT_TYPE2);
	CHECK_EQ(h.segments_left, 1);
	CHECK_EQ(h.data_len, 20);
	CHECK(!h.is_deprecated);
	CHECK_EQ(duet_ip6_rthdr_len(&h), 24);
	CHECK_EQ(duet_ip6_rt2_parse(&h, home), 0);
	CHECK_EQ(home[0], 0x20);
	CHECK_EQ(home[15], 0x34);
	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_ip6_rt2_emit(DUET_IP6_NH_FRAGMENT, home, &w), 0);
	CHECK_MEM(out, p + 16, 24);
	duet_wcur_init(&w, out, 23);
	CHECK_EQ(duet_ip6_rt2_emit(DUET_IP6_NH_FRAGMENT, home, &w), -DUET_WE_NOSPACE);
	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_ip6_rthdr_emit(&h, &w), 0);
	CHECK_MEM(out, p + 16, 24);
	h.segments_left = 2;
	CHECK_EQ(duet_ip6_rt2_parse(&h, home), -DUET_WE_BAD_FIELD);
	h.hdr_ext_len = 4;
	CHECK_EQ(duet_ip6_rt2_parse(&h, home), -DUET_WE_BAD_HDR_LEN);
	h.routing_type = 0;
	CHECK_EQ(duet_ip6_rt2_parse(&h, home), -DUET_WE_BAD_TYPE);
}

/* Action: a Routing header type 0 with two addresses (RFC 5095 attack
 * shape). Response: parsed, marked deprecated; the addresses are readable
 * for tests; a Segments Left beyond them is malformed. */
TEST(ip6_ext_routing_type0_deprecated)
{
	uint8_t addrs[32] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1, [16] = 0x20, 0x01, 0x0d, 0xb8,
			      [31] = 2 };
	uint8_t out[40];
	struct duet_wcur w;
	struct duet_cur c;
	struct duet_ip6_rthdr h;
	struct duet_ip6_rt0 r;
	size_t n;

	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_ip6_rt0_emit(DUET_IP6_NH_ICMPV6, 2, addrs, 2, &w), 0);
	CHECK_EQ(w.off, 40);
	CHECK_EQ(out[1], 4);
	duet_cur_init(&c, out, w.off);
	CHECK_EQ(duet_ip6_rthdr_parse(&c, &h), 0);
	CHECK(h.is_deprecated);
	CHECK_EQ(duet_ip6_rt0_parse(&h, &r), 0);
	CHECK_EQ(r.n_addresses, 2);
	CHECK_MEM(r.addresses, addrs, 32);
	h.segments_left = 3;
	CHECK_EQ(duet_ip6_rt0_parse(&h, &r), -DUET_WE_BAD_FIELD);
	h.hdr_ext_len = 3;
	CHECK_EQ(duet_ip6_rt0_parse(&h, &r), -DUET_WE_BAD_HDR_LEN);
	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_ip6_rt0_emit(0, 3, addrs, 2, &w), -DUET_WE_TOO_BIG);
	CHECK_EQ(duet_ip6_rt0_emit(0, 0, addrs, 128, &w), -DUET_WE_TOO_BIG);
	for (n = 0; n < 40; n++) {
		duet_cur_init(&c, out, n);
		CHECK_EQ(duet_ip6_rthdr_parse(&c, &h), n < 8 ? -DUET_WE_TRUNCATED : -DUET_WE_BAD_LENGTH);
		CHECK_EQ(c.off, 0);
	}
}

/* RFC 8754 §2: an SRH with two segments and one 6-octet TLV area (PadN TLV
 * type 4, RFC 8754 §2.1.1.2). */
TEST(ip6_ext_routing_srh)
{
	uint8_t segs[32] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0xa, [16] = 0x20, 0x01, 0x0d, 0xb8,
			     [31] = 0xb };
	uint8_t tlv[8] = { 0x04, 0x06 };
	struct duet_ip6_srh s = { .last_entry = 1, .flags = 0, .tag = 0x1234, .segment_list = segs,
				  .tlvs = tlv, .tlvs_len = 8 }, g;
	uint8_t out[64];
	struct duet_wcur w;
	struct duet_cur c;
	struct duet_ip6_rthdr h;

	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_ip6_srh_emit(DUET_IP6_NH_ICMPV6, 1, &s, &w), 0);
	CHECK_EQ(w.off, 48);
	CHECK_EQ(out[1], 5);
	duet_cur_init(&c, out, w.off);
	CHECK_EQ(duet_ip6_rthdr_parse(&c, &h), 0);
	CHECK_EQ(h.routing_type, DUET_IP6_RT_SRH);
	CHECK_EQ(duet_ip6_srh_parse(&h, &g), 0);
	CHECK_EQ(g.last_entry, 1);
	CHECK_EQ(g.tag, 0x1234);
	CHECK_MEM(g.segment_list, segs, 32);
	CHECK_EQ(g.tlvs_len, 8);
	CHECK_EQ(g.tlvs[0], 4);
	h.segments_left = 3;
	CHECK_EQ(duet_ip6_srh_parse(&h, &g), -DUET_WE_BAD_FIELD);
	out[4] = 2; /* Last Entry 2: three segments do not fit in 44 octets */
	duet_cur_init(&c, out, 48);
	CHECK_EQ(duet_ip6_rthdr_parse(&c, &h), 0);
	CHECK_EQ(duet_ip6_srh_parse(&h, &g), -DUET_WE_BAD_LENGTH);
	CHECK_EQ(duet_ip6_rt0_parse(&h, &(struct duet_ip6_rt0){ 0 }), -DUET_WE_BAD_TYPE);
	s.tlvs_len = 6; /* 46 octets: not a multiple of 8 */
	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_ip6_srh_emit(DUET_IP6_NH_ICMPV6, 1, &s, &w), -DUET_WE_BAD_LENGTH);
	CHECK_EQ(w.off, 0);
}

TEST(ip6_ext_rthdr_emit_errors)
{
	static const uint8_t data[2044];
	struct duet_ip6_rthdr h = { .routing_type = 253, .data = data, .data_len = 12 };
	uint8_t out[16];
	struct duet_wcur w;

	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_ip6_rthdr_emit(&h, &w), 0);
	CHECK_EQ(out[1], 1);
	h.data_len = 10;
	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_ip6_rthdr_emit(&h, &w), -DUET_WE_BAD_LENGTH);
	h.data_len = 2044 + 8;
	CHECK_EQ(duet_ip6_rthdr_emit(&h, &w), -DUET_WE_TOO_BIG);
	h.data_len = 2044;
	CHECK_EQ(duet_ip6_rthdr_emit(&h, &w), -DUET_WE_NOSPACE);
	CHECK_EQ(w.off, 0);
}
