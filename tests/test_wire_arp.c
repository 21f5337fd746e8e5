/* Wire tests for ARP (SPEC N-8 ARP cache input; L-1 Ethernet framing): a
 * captured request, round trips, every truncation and unsupported
 * hardware/protocol/opcode rejected. */
#include "check.h"

#include <duet/wire/arp.h>
#include <duet/wire/eth.h>
#include <duet/wire/errors.h>

/* A who-has 192.168.7.3 tell 192.168.7.1 broadcast by Linux 6.x on a veth
 * link, Ethernet header included. */
static const char *request_hex =
	"ff ff ff ff ff ff 02 00 5e 10 00 01 08 06"
	"00 01 08 00 06 04 00 01 02 00 5e 10 00 01 c0 a8 07 01"
	"00 00 00 00 00 00 c0 a8 07 03";

TEST(arp_parse_captured_request)
{
	uint8_t f[60] = { 0 };
	struct duet_cur c;
	struct duet_eth_hdr e;
	struct duet_arp_hdr h;
	static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };
	static const uint8_t spa[4] = { 192, 168, 7, 1 }, tpa[4] = { 192, 168, 7, 3 };
	static const uint8_t zero[6] = { 0 };

	check_hex(request_hex, f, sizeof f);
	/* On the wire the frame is padded to 60 bytes: the padding stays. */
	duet_cur_init(&c, f, sizeof f);
	CHECK_EQ(duet_eth_parse(&c, &e), 0);
	CHECK_EQ(e.ethertype, DUET_ETHERTYPE_ARP);
	CHECK_EQ(duet_arp_parse(&c, &h), 0);
	CHECK_EQ(h.hrd, DUET_ARP_HRD_ETHERNET);
	CHECK_EQ(h.pro, DUET_ARP_PRO_IPV4);
	CHECK_EQ(h.hln, 6);
	CHECK_EQ(h.pln, 4);
	CHECK_EQ(h.op, DUET_ARP_OP_REQUEST);
	CHECK_MEM(h.sha, mac, 6);
	CHECK_MEM(h.spa, spa, 4);
	CHECK_MEM(h.tha, zero, 6);
	CHECK_MEM(h.tpa, tpa, 4);
	CHECK_EQ(duet_cur_left(&c), 18);
}

TEST(arp_reply_round_trip)
{
	static const uint8_t sha[6] = { 2, 0, 0x5e, 0x10, 0, 2 }, tha[6] = { 2, 0, 0x5e, 0x10, 0, 1 };
	static const uint8_t spa[4] = { 192, 168, 7, 3 }, tpa[4] = { 192, 168, 7, 1 };
	struct duet_arp_hdr h, g;
	uint8_t buf[28];
	struct duet_wcur w;
	struct duet_cur c;

	duet_arp_init(&h, DUET_ARP_OP_REPLY, sha, spa, tha, tpa);
	CHECK_EQ(duet_arp_len(&h), 28);
	duet_wcur_init(&w, buf, sizeof buf);
	CHECK_EQ(duet_arp_emit(&h, &w), 0);
	CHECK_EQ(w.off, 28);
	CHECK_EQ(buf[7], 2);
	CHECK_EQ(buf[4], 6);
	duet_cur_init(&c, buf, sizeof buf);
	CHECK_EQ(duet_arp_parse(&c, &g), 0);
	CHECK_EQ(g.op, DUET_ARP_OP_REPLY);
	CHECK_MEM(g.sha, sha, 6);
	CHECK_MEM(g.spa, spa, 4);
	CHECK_MEM(g.tha, tha, 6);
	CHECK_MEM(g.tpa, tpa, 4);
}

TEST(arp_emit_reproduces_capture)
{
	uint8_t f[64], out[28];
	size_t n = check_hex(request_hex, f, sizeof f);
	struct duet_cur c;
	struct duet_arp_hdr h;
	struct duet_wcur w;

	duet_cur_init(&c, f + 14, n - 14);
	CHECK_EQ(duet_arp_parse(&c, &h), 0);
	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_arp_emit(&h, &w), 0);
	CHECK_MEM(out, f + 14, 28);
}

TEST(arp_every_truncation_rejected)
{
	uint8_t f[64];
	size_t n = check_hex(request_hex, f, sizeof f) - 14, i;

	for (i = 0; i < n; i++) {
		struct duet_cur c;
		struct duet_arp_hdr h;
		duet_cur_init(&c, f + 14, i);
		CHECK_EQ(duet_arp_parse(&c, &h), -DUET_WE_TRUNCATED);
		CHECK_EQ(c.off, 0);
	}
}

TEST(arp_unsupported_hw_and_op_rejected)
{
	static const struct { size_t at; uint8_t val; int err; } cases[] = {
		{ 1, 6, -DUET_WE_BAD_HW },      /* hrd 6: IEEE 802 */
		{ 0, 1, -DUET_WE_BAD_HW },      /* hrd 0x0101 */
		{ 2, 0x86, -DUET_WE_BAD_HW },   /* pro 0x8600 */
		{ 3, 0xdd, -DUET_WE_BAD_HW },   /* pro 0x08dd */
		{ 4, 8, -DUET_WE_BAD_HW },      /* hln 8 */
		{ 5, 16, -DUET_WE_BAD_HW },     /* pln 16 */
		{ 7, 0, -DUET_WE_BAD_CODE },    /* op 0 */
		{ 7, 3, -DUET_WE_BAD_CODE },    /* op 3: RARP request */
		{ 6, 1, -DUET_WE_BAD_CODE },    /* op 0x0101 */
	};
	uint8_t f[64];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct duet_cur c;
		struct duet_arp_hdr h;
		size_t n = check_hex(request_hex, f, sizeof f) - 14;
		f[14 + cases[i].at] = cases[i].val;
		duet_cur_init(&c, f + 14, n);
		CHECK_EQ(duet_arp_parse(&c, &h), cases[i].err);
		CHECK_EQ(c.off, 0);
	}
}

TEST(arp_emit_refuses_unsupported)
{
	static const uint8_t z6[6] = { 0 }, z4[4] = { 0 };
	struct duet_arp_hdr ok, h;
	uint8_t out[28];
	struct duet_wcur w;
	int i;

	duet_arp_init(&ok, DUET_ARP_OP_REQUEST, z6, z4, z6, z4);
	for (i = 0; i < 5; i++) {
		h = ok;
		switch (i) {
		case 0: h.hrd = 6; break;
		case 1: h.pro = 0x86dd; break;
		case 2: h.hln = 8; break;
		case 3: h.pln = 16; break;
		default: h.op = 3; break;
		}
		duet_wcur_init(&w, out, sizeof out);
		CHECK_EQ(duet_arp_emit(&h, &w), i < 4 ? -DUET_WE_BAD_HW : -DUET_WE_BAD_CODE);
		CHECK_EQ(w.off, 0);
	}
}

TEST(arp_emit_nospace_every_size)
{
	static const uint8_t z6[6] = { 0 }, z4[4] = { 0 };
	struct duet_arp_hdr h;
	uint8_t buf[28];
	size_t cap;

	duet_arp_init(&h, DUET_ARP_OP_REQUEST, z6, z4, z6, z4);
	for (cap = 0; cap < 28; cap++) {
		struct duet_wcur w;
		memset(buf, 0xa5, sizeof buf);
		duet_wcur_init(&w, buf, cap);
		CHECK_EQ(duet_arp_emit(&h, &w), -DUET_WE_NOSPACE);
		CHECK_EQ(w.off, 0);
		CHECK_EQ(buf[0], 0xa5);
	}
}
