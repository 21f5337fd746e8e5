/* Wire tests for Ethernet II and 802.1Q (L-1 framing): vectors, round trips,
 * every truncation rejected. */
#include "check.h"

#include <duet/wire/eth.h>
#include <duet/wire/errors.h>

/* An ICMPv6 echo frame's first bytes as captured from a Linux TAP peer. */
static const char *eth_frame_hex =
	"33 33 00 00 00 01  02 00 5e 10 00 01  86 dd  60 00 00 00";

TEST(eth_parse_vector)
{
	uint8_t f[64];
	size_t n = check_hex(eth_frame_hex, f, sizeof f);
	struct duet_cur c;
	struct duet_eth_hdr h;

	duet_cur_init(&c, f, n);
	CHECK_EQ(duet_eth_parse(&c, &h), 0);
	CHECK_EQ(h.ethertype, DUET_ETHERTYPE_IPV6);
	CHECK(!h.has_vlan);
	CHECK(duet_eth_is_multicast(h.dst));
	CHECK(!duet_eth_is_broadcast(h.dst));
	CHECK_EQ(duet_cur_left(&c), n - 14);
}

TEST(eth_vlan_round_trip)
{
	struct duet_eth_hdr h = { .dst = { 1, 2, 3, 4, 5, 6 }, .src = { 2, 0, 0, 0, 0, 9 },
				  .has_vlan = true, .pcp = 5, .dei = true, .vid = 100,
				  .ethertype = DUET_ETHERTYPE_IPV4 }, g;
	uint8_t buf[32];
	struct duet_wcur w;
	struct duet_cur c;

	duet_wcur_init(&w, buf, sizeof buf);
	CHECK_EQ(duet_eth_emit(&h, &w), 0);
	CHECK_EQ(w.off, 18);
	CHECK_EQ(buf[12], 0x81);
	CHECK_EQ(buf[14], 0xb0); /* pcp 5, dei 1, vid 100 = 0xb064 */
	CHECK_EQ(buf[15], 0x64);
	duet_cur_init(&c, buf, w.off);
	CHECK_EQ(duet_eth_parse(&c, &g), 0);
	CHECK(g.has_vlan && g.pcp == 5 && g.dei && g.vid == 100);
	CHECK_EQ(g.ethertype, DUET_ETHERTYPE_IPV4);
	CHECK_MEM(g.src, h.src, 6);
}

TEST(eth_truncations_rejected)
{
	uint8_t f[18] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1,
			  0x81, 0x00, 0x00, 0x05, 0x08, 0x06 };
	size_t n;

	for (n = 0; n < sizeof f; n++) {
		struct duet_cur c;
		struct duet_eth_hdr h;
		duet_cur_init(&c, f, n);
		CHECK_EQ(duet_eth_parse(&c, &h), -DUET_WE_TRUNCATED);
		CHECK_EQ(c.off, 0);
	}
}

TEST(eth_llc_and_qinq_rejected)
{
	uint8_t f[22] = { 0 };
	struct duet_cur c;
	struct duet_eth_hdr h;

	f[12] = 0x00; f[13] = 0x2e; /* an 802.3 length */
	duet_cur_init(&c, f, sizeof f);
	CHECK_EQ(duet_eth_parse(&c, &h), -DUET_WE_BAD_TYPE);
	f[12] = 0x81; f[13] = 0x00; f[16] = 0x81; f[17] = 0x00; /* tag in a tag */
	duet_cur_init(&c, f, sizeof f);
	CHECK_EQ(duet_eth_parse(&c, &h), -DUET_WE_BAD_TYPE);
}

TEST(eth_emit_nospace_and_bad_vid)
{
	struct duet_eth_hdr h = { .ethertype = DUET_ETHERTYPE_IPV6 };
	uint8_t buf[13];
	struct duet_wcur w;

	duet_wcur_init(&w, buf, sizeof buf);
	CHECK_EQ(duet_eth_emit(&h, &w), -DUET_WE_NOSPACE);
	CHECK_EQ(w.off, 0);
	h.has_vlan = true;
	h.vid = 4096;
	duet_wcur_init(&w, buf, sizeof buf);
	CHECK_EQ(duet_eth_emit(&h, &w), -DUET_WE_TOO_BIG);
}

TEST(eth_multicast_mappings)
{
	const uint8_t g6[16] = { 0xff, 0x02, [11] = 1, [12] = 0xff, 0x12, 0x34, 0x56 };
	const uint8_t g4[4] = { 224, 129, 2, 3 };
	uint8_t mac[6];
	char s[18];

	duet_eth_mcast_from_ip6(g6, mac);
	duet_eth_ntop(mac, s);
	CHECK_STR(s, "33:33:ff:12:34:56");
	duet_eth_mcast_from_ip4(g4, mac);
	duet_eth_ntop(mac, s);
	CHECK_STR(s, "01:00:5e:01:02:03");
}
