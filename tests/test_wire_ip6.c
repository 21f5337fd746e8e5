/* Wire tests for the IPv6 fixed header (RFC 8200 §3) — SPEC L-1 (frames
 * from a Linux peer), N-1 (RFC 8200 input checks), F-2 (fragments):
 * captured vectors, round trips, every truncation rejected, jumbograms and
 * bad versions rejected, link padding cut. */
#include "check.h"

#include <duet/wire/ip6.h>
#include <duet/wire/errors.h>

/* An ICMPv6 echo request as Linux sent it over a veth pair (flow label set
 * by the kernel's auto flow labels), fe80::ff:fe00:b -> fe80::ff:fe00:a. */
static const char *echo_hex =
	"60 0e 93 dd 00 1a 3a 40 fe 80 00 00 00 00 00 00"
	"00 00 00 ff fe 00 00 0b fe 80 00 00 00 00 00 00"
	"00 00 00 ff fe 00 00 0a 80 00 eb 29 12 34 00 01"
	"64 75 65 74 2d 65 63 68 6f 2d 70 61 79 6c 6f 61"
	"64 21";

/* An MLDv2 report Linux sends on link up: Hop-by-Hop Router Alert first. */
static const char *mld_report_hex =
	"60 00 00 00 00 24 00 01 fe 80 00 00 00 00 00 00"
	"00 00 00 ff fe 00 00 0b ff 02 00 00 00 00 00 00"
	"00 00 00 00 00 00 00 16 3a 00 05 02 00 00 01 00"
	"8f 00 71 f3 00 00 00 01 04 00 00 00 ff 02 00 00"
	"00 00 00 00 00 00 00 01 ff 00 00 0b";

TEST(ip6_parse_echo_vector)
{
	uint8_t p[128];
	size_t n = check_hex(echo_hex, p, sizeof p);
	static const uint8_t src[16] = { 0xfe, 0x80, [11] = 0xff, 0xfe, 0, 0, 0x0b };
	struct duet_cur c;
	struct duet_ip6_hdr h;

	duet_cur_init(&c, p, n);
	CHECK_EQ(duet_ip6_parse(&c, &h), 0);
	CHECK_EQ(h.traffic_class, 0);
	CHECK_EQ(h.flow_label, 0xe93dd);
	CHECK_EQ(h.payload_length, 26);
	CHECK_EQ(h.next_header, DUET_IP6_NH_ICMPV6);
	CHECK_EQ(h.hop_limit, 64);
	CHECK_MEM(h.src, src, 16);
	CHECK_EQ(h.dst[15], 0x0a);
	CHECK_EQ(c.off, 40);
	CHECK_EQ(duet_cur_left(&c), 26);
	CHECK_EQ(duet_ip6_len(&h), 40);
}

TEST(ip6_parse_mld_report_hbh_vector)
{
	uint8_t p[128];
	size_t n = check_hex(mld_report_hex, p, sizeof p);
	struct duet_cur c;
	struct duet_ip6_hdr h;

	duet_cur_init(&c, p, n);
	CHECK_EQ(duet_ip6_parse(&c, &h), 0);
	CHECK_EQ(h.next_header, DUET_IP6_NH_HOPOPTS);
	CHECK_EQ(h.hop_limit, 1);
	CHECK_EQ(h.payload_length, 36);
	CHECK_EQ(duet_cur_left(&c), 36);
}

/* Action: an Ethernet frame padded to its 60-octet minimum carries a short
 * IPv6 packet. Response: the cursor stops at Payload Length. */
TEST(ip6_link_padding_cut)
{
	uint8_t p[128] = { 0 };
	size_t n = check_hex(echo_hex, p, sizeof p);
	struct duet_cur c;
	struct duet_ip6_hdr h;

	duet_cur_init(&c, p, n + 12);
	CHECK_EQ(duet_ip6_parse(&c, &h), 0);
	CHECK_EQ(duet_cur_left(&c), 26);
	CHECK_EQ(c.len, n);
}

TEST(ip6_truncations_rejected)
{
	uint8_t p[128];
	size_t len = check_hex(echo_hex, p, sizeof p), n;

	for (n = 0; n < len; n++) {
		struct duet_cur c;
		struct duet_ip6_hdr h;
		duet_cur_init(&c, p, n);
		CHECK_EQ(duet_ip6_parse(&c, &h), n < 40 ? -DUET_WE_TRUNCATED : -DUET_WE_BAD_LENGTH);
		CHECK_EQ(c.off, 0);
		CHECK_EQ(c.len, n);
	}
}

TEST(ip6_bad_version_rejected)
{
	uint8_t p[128];
	size_t n = check_hex(echo_hex, p, sizeof p);
	unsigned v;

	for (v = 0; v < 16; v++) {
		struct duet_cur c;
		struct duet_ip6_hdr h;
		if (v == 6)
			continue;
		p[0] = (uint8_t)(v << 4 | (p[0] & 0x0f));
		duet_cur_init(&c, p, n);
		CHECK_EQ(duet_ip6_parse(&c, &h), -DUET_WE_BAD_VERSION);
		CHECK_EQ(c.off, 0);
	}
}

/* Action: Payload Length 0 (a jumbogram, RFC 2675). Response: rejected,
 * duet carries no jumbograms. */
TEST(ip6_jumbogram_rejected)
{
	uint8_t p[128];
	size_t n = check_hex(echo_hex, p, sizeof p);
	struct duet_cur c;
	struct duet_ip6_hdr h;

	p[4] = 0;
	p[5] = 0;
	duet_cur_init(&c, p, n);
	CHECK_EQ(duet_ip6_parse(&c, &h), -DUET_WE_BAD_LENGTH);
	CHECK_EQ(c.off, 0);
	CHECK_EQ(c.len, n);
}

TEST(ip6_payload_length_inconsistent_rejected)
{
	uint8_t p[128];
	size_t n = check_hex(echo_hex, p, sizeof p);
	struct duet_cur c;
	struct duet_ip6_hdr h;

	p[5] = 27; /* one more than the data */
	duet_cur_init(&c, p, n);
	CHECK_EQ(duet_ip6_parse(&c, &h), -DUET_WE_BAD_LENGTH);
	p[4] = 0xff;
	p[5] = 0xff;
	duet_cur_init(&c, p, n);
	CHECK_EQ(duet_ip6_parse(&c, &h), -DUET_WE_BAD_LENGTH);
	p[4] = 0;
	p[5] = 25; /* shorter is fine: the rest is padding */
	duet_cur_init(&c, p, n);
	CHECK_EQ(duet_ip6_parse(&c, &h), 0);
	CHECK_EQ(duet_cur_left(&c), 25);
}

TEST(ip6_round_trip_vector)
{
	uint8_t p[128], out[40];
	size_t n = check_hex(mld_report_hex, p, sizeof p);
	struct duet_cur c;
	struct duet_ip6_hdr h, g;
	struct duet_wcur w;

	duet_cur_init(&c, p, n);
	CHECK_EQ(duet_ip6_parse(&c, &h), 0);
	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_ip6_emit(&h, &w), 0);
	CHECK_EQ(w.off, 40);
	CHECK_MEM(out, p, 40);
	n = check_hex(echo_hex, p, sizeof p);
	duet_cur_init(&c, p, n);
	CHECK_EQ(duet_ip6_parse(&c, &h), 0);
	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_ip6_emit(&h, &w), 0);
	CHECK_MEM(out, p, 40);
	duet_cur_init(&c, p, n);
	CHECK_EQ(duet_ip6_parse(&c, &g), 0);
	CHECK_EQ(g.flow_label, h.flow_label);
}

TEST(ip6_emit_fields_round_trip)
{
	struct duet_ip6_hdr h = { .traffic_class = 0xb8, .flow_label = 0xfffff,
				  .payload_length = 8, .next_header = DUET_IP6_NH_UDP,
				  .hop_limit = 255, .src = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
				  .dst = { 0xff, 0x02, [15] = 1 } }, g;
	uint8_t buf[48] = { 0 };
	struct duet_wcur w;
	struct duet_cur c;

	duet_wcur_init(&w, buf, sizeof buf);
	CHECK_EQ(duet_ip6_emit(&h, &w), 0);
	CHECK_EQ(buf[0], 0x6b); /* version 6, traffic class 0xb8 (DSCP EF) */
	CHECK_EQ(buf[1], 0x8f);
	CHECK_EQ(buf[2], 0xff);
	CHECK_EQ(buf[3], 0xff);
	duet_cur_init(&c, buf, sizeof buf);
	CHECK_EQ(duet_ip6_parse(&c, &g), 0);
	CHECK_EQ(g.traffic_class, 0xb8);
	CHECK_EQ(g.flow_label, 0xfffff);
	CHECK_EQ(g.payload_length, 8);
	CHECK_EQ(g.next_header, DUET_IP6_NH_UDP);
	CHECK_EQ(g.hop_limit, 255);
	CHECK_MEM(g.src, h.src, 16);
	CHECK_MEM(g.dst, h.dst, 16);
}

TEST(ip6_emit_nospace_and_bad_flow_label)
{
	struct duet_ip6_hdr h = { .payload_length = 8, .hop_limit = 64 };
	uint8_t buf[40];
	struct duet_wcur w;

	duet_wcur_init(&w, buf, 39);
	CHECK_EQ(duet_ip6_emit(&h, &w), -DUET_WE_NOSPACE);
	CHECK_EQ(w.off, 0);
	h.flow_label = 0x100000;
	duet_wcur_init(&w, buf, sizeof buf);
	CHECK_EQ(duet_ip6_emit(&h, &w), -DUET_WE_TOO_BIG);
	CHECK_EQ(w.off, 0);
}
