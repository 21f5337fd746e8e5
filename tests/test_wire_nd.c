/* Wire tests for Neighbour Discovery (RFC 4861, RFC 4191, RFC 8106) — SPEC
 * N-3 (all messages validated: lengths, options; DAD probes from ::),
 * L-1 (what a Linux peer sends): captured Linux RS / NS / NA, RA and
 * Redirect vectors checked with tshark, every emitter rebuilding them byte
 * for byte, every truncation and every inconsistent option length
 * rejected. */
#include "check.h"

#include <duet/wire/nd.h>
#include <duet/wire/icmp6.h>
#include <duet/wire/ip6.h>
#include <duet/wire/errors.h>
#include <duet/csum.h>

static const uint8_t addr_a[16] = { 0xfe, 0x80, [11] = 0xff, 0xfe, 0x00, 0x00, 0x0a };
static const uint8_t addr_b[16] = { 0xfe, 0x80, [11] = 0xff, 0xfe, 0x00, 0x00, 0x0b };
static const uint8_t all_routers[16] = { 0xff, 0x02, [15] = 2 };
static const uint8_t snma_a[16] = { 0xff, 0x02, [11] = 1, 0xff, 0x00, 0x00, 0x0a };
static const uint8_t unspec[16];
static const uint8_t router[16] = { 0xfe, 0x80, [15] = 1 };
static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
static const uint8_t host_gua[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, [14] = 0x01 };

/* Linux router solicitation on link up, b -> ff02::2, with its SLLA. */
static const char *rs_hex = "85 00 7b 18 00 00 00 00 01 01 02 00 00 00 00 0b";

/* Linux DAD probe :: -> ff02::1:ff00:a for fe80::ff:fe00:a with an RFC 7527
 * Nonce option (type 14). */
static const char *ns_dad_hex =
	"87 00 3e ee 00 00 00 00 fe 80 00 00 00 00 00 00"
	"00 00 00 ff fe 00 00 0a 0e 01 ca 91 41 04 24 86";

/* Linux address resolution b -> ff02::1:ff00:a, and a's solicited reply. */
static const char *ns_hex =
	"87 00 7c 73 00 00 00 00 fe 80 00 00 00 00 00 00"
	"00 00 00 ff fe 00 00 0a 01 01 02 00 00 00 00 0b";
static const char *na_hex =
	"88 00 1a f8 60 00 00 00 fe 80 00 00 00 00 00 00"
	"00 00 00 ff fe 00 00 0a 02 01 02 00 00 00 00 0a";

/* A radvd-style RA fe80::1 -> ff02::1: hop limit 64, Prf high, lifetime
 * 1800; SLLA, MTU 1500, PIO 2001:db8:1::/64 L+A, RDNSS 2001:db8:1::53,
 * RIO 2001:db8:2::/48 Prf low (decoded and checksum-checked by tshark). */
static const char *ra_hex =
	"86 00 5e 5a 40 08 07 08 00 00 00 00 00 00 00 00"
	"01 01 02 00 00 00 00 01 05 01 00 00 00 00 05 dc"
	"03 04 40 c0 00 01 51 80 00 00 38 40 00 00 00 00"
	"20 01 0d b8 00 01 00 00 00 00 00 00 00 00 00 00"
	"19 03 00 00 00 00 02 58 20 01 0d b8 00 01 00 00"
	"00 00 00 00 00 00 00 53 18 02 30 18 00 00 0e 10"
	"20 01 0d b8 00 02 00 00";

/* A Redirect fe80::1 -> 2001:db8:1::100: 2001:db8:9::1 is reached through
 * fe80::2; TLLA and the redirected echo request (checked by tshark). */
static const char *redirect_hex =
	"89 00 ad f4 00 00 00 00 fe 80 00 00 00 00 00 00"
	"00 00 00 00 00 00 00 02 20 01 0d b8 00 09 00 00"
	"00 00 00 00 00 00 00 01 02 01 02 00 00 00 00 02"
	"04 07 00 00 00 00 00 00 60 00 00 00 00 08 3a 40"
	"20 01 0d b8 00 01 00 00 00 00 00 00 00 00 01 00"
	"20 01 0d b8 00 09 00 00 00 00 00 00 00 00 00 01"
	"80 00 f0 0d 00 07 00 01";

static int verify(const uint8_t *m, size_t n, const uint8_t *src, const uint8_t *dst)
{
	return duet_icmp6_csum_verify(m, n, duet_csum_pseudo6(src, dst, (uint32_t)n,
							      DUET_IP6_NH_ICMPV6));
}

static void set_csum(uint8_t *m, size_t n, const uint8_t *src, const uint8_t *dst)
{
	duet_icmp6_csum_set(m, n, duet_csum_pseudo6(src, dst, (uint32_t)n, DUET_IP6_NH_ICMPV6));
}

/* Parses any ND message by its type; returns the parser's result and its
 * option area length. */
static int parse_any(struct duet_cur *c, uint8_t type, size_t *opts_len)
{
	struct duet_nd_rs rs;
	struct duet_nd_ra ra;
	struct duet_nd_ns ns;
	struct duet_nd_na na;
	struct duet_nd_redirect rd;
	int r;

	switch (type) {
	case DUET_ICMP6_ND_ROUTER_SOLICIT:
		r = duet_nd_rs_parse(c, &rs);
		*opts_len = rs.options_len;
		return r;
	case DUET_ICMP6_ND_ROUTER_ADVERT:
		r = duet_nd_ra_parse(c, &ra);
		*opts_len = ra.options_len;
		return r;
	case DUET_ICMP6_ND_NEIGHBOR_SOLICIT:
		r = duet_nd_ns_parse(c, &ns);
		*opts_len = ns.options_len;
		return r;
	case DUET_ICMP6_ND_NEIGHBOR_ADVERT:
		r = duet_nd_na_parse(c, &na);
		*opts_len = na.options_len;
		return r;
	default:
		r = duet_nd_redirect_parse(c, &rd);
		*opts_len = rd.options_len;
		return r;
	}
}

TEST(nd_rs_linux_vector)
{
	uint8_t m[64], mac[6];
	size_t n = check_hex(rs_hex, m, sizeof m);
	static const uint8_t want_mac[6] = { 2, 0, 0, 0, 0, 0x0b };
	struct duet_cur c;
	struct duet_nd_rs rs;
	struct duet_nd_opt_iter it;
	struct duet_nd_opt o;

	CHECK_EQ(verify(m, n, addr_b, all_routers), 0);
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_nd_rs_parse(&c, &rs), 0);
	CHECK_EQ(duet_cur_left(&c), 0);
	CHECK_EQ(rs.options_len, 8);
	duet_nd_opt_iter_init(&it, rs.options, rs.options_len);
	CHECK_EQ(duet_nd_opt_next(&it, &o), 1);
	CHECK_EQ(o.type, DUET_ND_OPT_SOURCE_LLADDR);
	CHECK_EQ(o.length, 1);
	CHECK_EQ(o.u.lladdr.len, 6);
	CHECK_EQ(duet_nd_opt_eth_addr(&o, mac), 0);
	CHECK_MEM(mac, want_mac, 6);
	CHECK_EQ(duet_nd_opt_next(&it, &o), 0);
}

TEST(nd_ns_dad_from_unspecified)
{
	uint8_t m[64], mac[6];
	size_t n = check_hex(ns_dad_hex, m, sizeof m);
	struct duet_cur c;
	struct duet_nd_ns ns;
	struct duet_nd_opt_iter it;
	struct duet_nd_opt o;

	CHECK_EQ(verify(m, n, unspec, snma_a), 0);
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_nd_ns_parse(&c, &ns), 0);
	CHECK_MEM(ns.target, addr_a, 16);
	duet_nd_opt_iter_init(&it, ns.options, ns.options_len);
	CHECK_EQ(duet_nd_opt_next(&it, &o), 1);
	CHECK_EQ(o.type, DUET_ND_OPT_NONCE); /* unknown to the decoder: returned raw */
	CHECK_EQ(o.data_len, 6);
	CHECK_EQ(o.data[0], 0xca);
	CHECK_EQ(duet_nd_opt_eth_addr(&o, mac), -DUET_WE_BAD_TYPE);
	CHECK_EQ(duet_nd_opt_next(&it, &o), 0);
}

TEST(nd_ns_na_resolution_vectors)
{
	uint8_t m[64], mac[6];
	size_t n = check_hex(ns_hex, m, sizeof m);
	struct duet_cur c;
	struct duet_nd_ns ns;
	struct duet_nd_na na;
	struct duet_nd_opt_iter it;
	struct duet_nd_opt o;

	CHECK_EQ(verify(m, n, addr_b, snma_a), 0);
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_nd_ns_parse(&c, &ns), 0);
	CHECK_MEM(ns.target, addr_a, 16);
	n = check_hex(na_hex, m, sizeof m);
	CHECK_EQ(verify(m, n, addr_a, addr_b), 0);
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_nd_na_parse(&c, &na), 0);
	CHECK(!na.r && na.s && na.o);
	CHECK_MEM(na.target, addr_a, 16);
	duet_nd_opt_iter_init(&it, na.options, na.options_len);
	CHECK_EQ(duet_nd_opt_next(&it, &o), 1);
	CHECK_EQ(o.type, DUET_ND_OPT_TARGET_LLADDR);
	CHECK_EQ(duet_nd_opt_eth_addr(&o, mac), 0);
	CHECK_EQ(mac[5], 0x0a);
}

TEST(nd_ra_vector)
{
	uint8_t m[128];
	size_t n = check_hex(ra_hex, m, sizeof m);
	static const uint8_t p1[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01 };
	static const uint8_t p2[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x02 };
	struct duet_cur c;
	struct duet_nd_ra ra;
	struct duet_nd_opt_iter it;
	struct duet_nd_opt o;

	CHECK_EQ(verify(m, n, router, all_nodes), 0);
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_nd_ra_parse(&c, &ra), 0);
	CHECK_EQ(ra.cur_hop_limit, 64);
	CHECK(!ra.m && !ra.o);
	CHECK_EQ(ra.prf, DUET_ND_PRF_HIGH);
	CHECK_EQ(ra.router_lifetime, 1800);
	CHECK_EQ(ra.reachable_time, 0);
	CHECK_EQ(ra.retrans_timer, 0);
	CHECK_EQ(ra.options_len, 88);
	duet_nd_opt_iter_init(&it, ra.options, ra.options_len);
	CHECK_EQ(duet_nd_opt_next(&it, &o), 1);
	CHECK_EQ(o.type, DUET_ND_OPT_SOURCE_LLADDR);
	CHECK_EQ(duet_nd_opt_next(&it, &o), 1);
	CHECK_EQ(o.type, DUET_ND_OPT_MTU);
	CHECK_EQ(o.u.mtu, 1500);
	CHECK_EQ(duet_nd_opt_next(&it, &o), 1);
	CHECK_EQ(o.type, DUET_ND_OPT_PREFIX_INFO);
	CHECK_EQ(o.u.prefix.prefix_length, 64);
	CHECK(o.u.prefix.l && o.u.prefix.a);
	CHECK_EQ(o.u.prefix.valid_lifetime, 86400);
	CHECK_EQ(o.u.prefix.preferred_lifetime, 14400);
	CHECK_MEM(o.u.prefix.prefix, p1, 16);
	CHECK_EQ(duet_nd_opt_next(&it, &o), 1);
	CHECK_EQ(o.type, DUET_ND_OPT_RDNSS);
	CHECK_EQ(o.u.rdnss.lifetime, 600);
	CHECK_EQ(o.u.rdnss.n_addresses, 1);
	CHECK_EQ(o.u.rdnss.addresses[15], 0x53);
	CHECK_EQ(duet_nd_opt_next(&it, &o), 1);
	CHECK_EQ(o.type, DUET_ND_OPT_ROUTE_INFO);
	CHECK_EQ(o.u.route.prefix_length, 48);
	CHECK_EQ(o.u.route.prf, DUET_ND_PRF_LOW);
	CHECK_EQ(o.u.route.route_lifetime, 3600);
	CHECK_MEM(o.u.route.prefix, p2, 16);
	CHECK_EQ(duet_nd_opt_next(&it, &o), 0);
}

TEST(nd_redirect_vector)
{
	uint8_t m[128];
	size_t n = check_hex(redirect_hex, m, sizeof m);
	struct duet_cur c, inner;
	struct duet_nd_redirect rd;
	struct duet_nd_opt_iter it;
	struct duet_nd_opt o;
	struct duet_ip6_hdr ip;

	CHECK_EQ(verify(m, n, router, host_gua), 0);
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_nd_redirect_parse(&c, &rd), 0);
	CHECK_EQ(rd.target[15], 2);
	CHECK_EQ(rd.destination[5], 9);
	duet_nd_opt_iter_init(&it, rd.options, rd.options_len);
	CHECK_EQ(duet_nd_opt_next(&it, &o), 1);
	CHECK_EQ(o.type, DUET_ND_OPT_TARGET_LLADDR);
	CHECK_EQ(duet_nd_opt_next(&it, &o), 1);
	CHECK_EQ(o.type, DUET_ND_OPT_REDIRECTED);
	CHECK_EQ(o.u.redirected.len, 48);
	duet_cur_init(&inner, o.u.redirected.packet, o.u.redirected.len);
	CHECK_EQ(duet_ip6_parse(&inner, &ip), 0);
	CHECK_MEM(ip.dst, rd.destination, 16);
	CHECK_EQ(duet_nd_opt_next(&it, &o), 0);
}

/* Action: duet builds the RA with its emitters. Response: the vector, byte
 * for byte, checksum included. */
TEST(nd_ra_built_matches_vector)
{
	uint8_t want[128], m[128];
	size_t n = check_hex(ra_hex, want, sizeof want);
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	static const uint8_t dns[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, [15] = 0x53 };
	struct duet_nd_ra ra = { .cur_hop_limit = 64, .prf = DUET_ND_PRF_HIGH,
				 .router_lifetime = 1800 };
	struct duet_nd_prefix_info pi = { .prefix_length = 64, .l = true, .a = true,
					  .valid_lifetime = 86400, .preferred_lifetime = 14400,
					  .prefix = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01 } };
	struct duet_nd_rdnss rdnss = { .lifetime = 600, .addresses = dns, .n_addresses = 1 };
	struct duet_nd_route_info ri = { .prefix_length = 48, .prf = DUET_ND_PRF_LOW,
					 .route_lifetime = 3600,
					 .prefix = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x02 } };
	struct duet_wcur w;

	duet_wcur_init(&w, m, sizeof m);
	CHECK_EQ(duet_nd_ra_emit(&ra, &w), 0);
	CHECK_EQ(w.off, duet_nd_ra_len(&ra));
	CHECK_EQ(duet_nd_opt_lladdr_emit(DUET_ND_OPT_SOURCE_LLADDR, mac, 6, &w), 0);
	CHECK_EQ(duet_nd_opt_mtu_emit(1500, &w), 0);
	CHECK_EQ(duet_nd_opt_prefix_emit(&pi, &w), 0);
	CHECK_EQ(duet_nd_opt_rdnss_emit(&rdnss, &w), 0);
	CHECK_EQ(duet_nd_opt_route_emit(&ri, &w), 0);
	CHECK_EQ(w.off, n);
	set_csum(m, w.off, router, all_nodes);
	CHECK_MEM(m, want, n);
}

TEST(nd_redirect_built_matches_vector)
{
	uint8_t want[128], m[128];
	size_t n = check_hex(redirect_hex, want, sizeof want);
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 2 };
	struct duet_nd_redirect rd = { .target = { 0xfe, 0x80, [15] = 2 },
				       .destination = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x09,
							[15] = 1 } };
	struct duet_wcur w;

	duet_wcur_init(&w, m, sizeof m);
	CHECK_EQ(duet_nd_redirect_emit(&rd, &w), 0);
	CHECK_EQ(duet_nd_opt_lladdr_emit(DUET_ND_OPT_TARGET_LLADDR, mac, 6, &w), 0);
	CHECK_EQ(duet_nd_opt_redirected_emit(want + 56, 48, &w), 0);
	CHECK_EQ(w.off, n);
	set_csum(m, w.off, router, host_gua);
	CHECK_MEM(m, want, n);
}

TEST(nd_rs_ns_na_built_match_linux)
{
	uint8_t want[64], m[64];
	static const uint8_t mac_a[6] = { 2, 0, 0, 0, 0, 0x0a }, mac_b[6] = { 2, 0, 0, 0, 0, 0x0b };
	size_t n;
	struct duet_nd_rs rs = { 0 };
	struct duet_nd_ns ns;
	struct duet_nd_na na = { .s = true, .o = true };
	struct duet_wcur w;

	n = check_hex(rs_hex, want, sizeof want);
	duet_wcur_init(&w, m, sizeof m);
	CHECK_EQ(duet_nd_rs_emit(&rs, &w), 0);
	CHECK_EQ(duet_nd_opt_lladdr_emit(DUET_ND_OPT_SOURCE_LLADDR, mac_b, 6, &w), 0);
	set_csum(m, w.off, addr_b, all_routers);
	CHECK_EQ(w.off, n);
	CHECK_MEM(m, want, n);

	n = check_hex(ns_dad_hex, want, sizeof want);
	memcpy(ns.target, addr_a, 16);
	duet_wcur_init(&w, m, sizeof m);
	CHECK_EQ(duet_nd_ns_emit(&ns, &w), 0);
	CHECK_EQ(duet_nd_opt_raw_emit(DUET_ND_OPT_NONCE, want + 26, 6, &w), 0);
	set_csum(m, w.off, unspec, snma_a);
	CHECK_EQ(w.off, n);
	CHECK_MEM(m, want, n);

	n = check_hex(na_hex, want, sizeof want);
	memcpy(na.target, addr_a, 16);
	duet_wcur_init(&w, m, sizeof m);
	CHECK_EQ(duet_nd_na_emit(&na, &w), 0);
	CHECK_EQ(duet_nd_opt_lladdr_emit(DUET_ND_OPT_TARGET_LLADDR, mac_a, 6, &w), 0);
	set_csum(m, w.off, addr_a, addr_b);
	CHECK_EQ(w.off, n);
	CHECK_MEM(m, want, n);
}

/* Every truncation: rejected with a named reason and the cursor unchanged,
 * except at an option boundary, where the shorter message is well formed
 * (ND has no length field: the checksum and IPv6 Payload Length catch it). */
TEST(nd_truncations_rejected)
{
	const char *vectors[6] = { rs_hex, ns_dad_hex, ns_hex, na_hex, ra_hex, redirect_hex };
	static const size_t fixed[6] = { 8, 24, 24, 24, 16, 40 };
	size_t v;

	for (v = 0; v < 6; v++) {
		uint8_t m[128];
		size_t len = check_hex(vectors[v], m, sizeof m), n, boundary = fixed[v];
		for (n = 0; n < len; n++) {
			struct duet_cur c;
			size_t opts_len = 0;
			int r;
			duet_cur_init(&c, m, n);
			r = parse_any(&c, m[0], &opts_len);
			if (n == boundary) {
				CHECK_EQ(r, 0);
				CHECK_EQ(opts_len, n - fixed[v]);
				boundary += (size_t)m[n + 1] * 8;
				continue;
			}
			CHECK_EQ(r, n < fixed[v] ? -DUET_WE_TRUNCATED : -DUET_WE_OPT_TRUNCATED);
			CHECK_EQ(c.off, 0);
		}
	}
}

/* Action: an option of Length 0 anywhere. Response: the whole message is
 * rejected (RFC 4861 §4.6). */
TEST(nd_zero_length_option_rejects_message)
{
	uint8_t m[128];
	size_t n = check_hex(ra_hex, m, sizeof m);
	struct duet_cur c;
	struct duet_nd_ra ra;

	m[16 + 8 + 1] = 0; /* the MTU option */
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_nd_ra_parse(&c, &ra), -DUET_WE_BAD_OPT_LEN);
	CHECK_EQ(c.off, 0);
	n = check_hex(rs_hex, m, sizeof m);
	m[9] = 0;
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_nd_rs_parse(&c, &(struct duet_nd_rs){ 0 }), -DUET_WE_BAD_OPT_LEN);
}

/* Each option after an RA's fixed part, with a length or field its type
 * does not allow. */
TEST(nd_inconsistent_option_lengths_rejected)
{
	static const struct { const char *hex; int err; } cases[] = {
		/* PIO with Length 3 */
		{ "03 03 40 c0 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
		  -DUET_WE_BAD_OPT_LEN },
		/* PIO with Prefix Length 129 */
		{ "03 04 81 c0 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
		  "00 00 00 00 00 00 00 00", -DUET_WE_BAD_FIELD },
		/* MTU with Length 2 */
		{ "05 02 00 00 00 00 05 dc 00 00 00 00 00 00 00 00", -DUET_WE_BAD_OPT_LEN },
		/* RIO Length 4 */
		{ "18 04 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
		  "00 00 00 00 00 00 00 00", -DUET_WE_BAD_OPT_LEN },
		/* RIO Length 1 with a /1 prefix; Length 2 with a /65 */
		{ "18 01 01 00 00 00 00 00", -DUET_WE_BAD_OPT_LEN },
		{ "18 02 41 00 00 00 00 00 00 00 00 00 00 00 00 00", -DUET_WE_BAD_OPT_LEN },
		/* RIO Length 3 with Prefix Length 200 */
		{ "18 03 c8 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
		  -DUET_WE_BAD_FIELD },
		/* RDNSS Length 2 (no room for an address) and 4 (half an address) */
		{ "19 02 00 00 00 00 00 00 00 00 00 00 00 00 00 00", -DUET_WE_BAD_OPT_LEN },
		{ "19 04 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
		  "00 00 00 00 00 00 00 00", -DUET_WE_BAD_OPT_LEN },
		/* an SLLA whose Length runs past the message */
		{ "01 02 02 00 00 00 00 01", -DUET_WE_OPT_TRUNCATED },
		/* a lone octet after the options */
		{ "01 01 02 00 00 00 00 01 01", -DUET_WE_OPT_TRUNCATED },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t m[64] = { DUET_ICMP6_ND_ROUTER_ADVERT };
		size_t n = 16 + check_hex(cases[i].hex, m + 16, sizeof m - 16);
		struct duet_cur c;
		struct duet_nd_ra ra;
		struct duet_nd_opt_iter it;
		struct duet_nd_opt o;
		duet_cur_init(&c, m, n);
		CHECK_EQ(duet_nd_ra_parse(&c, &ra), cases[i].err);
		CHECK_EQ(c.off, 0);
		duet_nd_opt_iter_init(&it, m + 16, n - 16);
		CHECK_EQ(duet_nd_opt_next(&it, &o), cases[i].err == -DUET_WE_OPT_TRUNCATED &&
			 n == 25 ? 1 : cases[i].err);
	}
}

TEST(nd_bad_code_and_type_rejected)
{
	uint8_t m[64];
	size_t n = check_hex(rs_hex, m, sizeof m);
	struct duet_cur c;
	struct duet_nd_ns ns;

	m[1] = 1;
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_nd_rs_parse(&c, &(struct duet_nd_rs){ 0 }), -DUET_WE_BAD_CODE);
	CHECK_EQ(c.off, 0);
	n = check_hex(na_hex, m, sizeof m);
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_nd_ns_parse(&c, &ns), -DUET_WE_BAD_TYPE);
	CHECK_EQ(duet_nd_rs_parse(&c, &(struct duet_nd_rs){ 0 }), -DUET_WE_BAD_TYPE);
	CHECK_EQ(duet_nd_ra_parse(&c, &(struct duet_nd_ra){ 0 }), -DUET_WE_BAD_TYPE);
	CHECK_EQ(duet_nd_redirect_parse(&c, &(struct duet_nd_redirect){ 0 }), -DUET_WE_TRUNCATED);
	CHECK_EQ(c.off, 0);
}

TEST(nd_unknown_option_skipped)
{
	uint8_t m[64] = { DUET_ICMP6_ND_NEIGHBOR_ADVERT, 0, 0, 0, 0x20, [24] = 200, 2,
			  [40] = 2, 1, 2, 0, 0, 0, 0, 9 };
	struct duet_cur c;
	struct duet_nd_na na;
	struct duet_nd_opt_iter it;
	struct duet_nd_opt o;

	duet_cur_init(&c, m, 48);
	CHECK_EQ(duet_nd_na_parse(&c, &na), 0);
	CHECK(na.o && !na.s && !na.r);
	duet_nd_opt_iter_init(&it, na.options, na.options_len);
	CHECK_EQ(duet_nd_opt_next(&it, &o), 1);
	CHECK_EQ(o.type, 200);
	CHECK_EQ(o.data_len, 14);
	CHECK_EQ(duet_nd_opt_next(&it, &o), 1);
	CHECK_EQ(o.type, DUET_ND_OPT_TARGET_LLADDR);
	CHECK_EQ(o.data[5], 9);
	CHECK_EQ(duet_nd_opt_next(&it, &o), 0);
}

/* The bits of a prefix past its length are ignored on input and cleared on
 * output (RFC 4861 §4.6.2, RFC 4191 §2.3). */
TEST(nd_prefix_bits_masked)
{
	uint8_t opt[32] = { 3, 4, 60, 0x80 }, out[32];
	struct duet_nd_opt_iter it;
	struct duet_nd_opt o;
	struct duet_wcur w;
	size_t i;

	for (i = 16; i < 32; i++)
		opt[i] = 0xff;
	duet_nd_opt_iter_init(&it, opt, sizeof opt);
	CHECK_EQ(duet_nd_opt_next(&it, &o), 1);
	CHECK_EQ(o.u.prefix.prefix[6], 0xff);
	CHECK_EQ(o.u.prefix.prefix[7], 0xf0);
	CHECK_EQ(o.u.prefix.prefix[8], 0);
	CHECK(o.u.prefix.l && !o.u.prefix.a);
	o.u.prefix.prefix[15] = 0xff;
	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_nd_opt_emit(&o, &w), 0);
	CHECK_EQ(out[16 + 7], 0xf0);
	CHECK_EQ(out[31], 0);
}

TEST(nd_route_info_lengths)
{
	static const uint8_t plens[4] = { 0, 1, 64, 65 };
	static const size_t want[4] = { 8, 16, 16, 24 };
	size_t i;

	for (i = 0; i < 4; i++) {
		struct duet_nd_route_info ri = { .prefix_length = plens[i], .prf = 1,
						 .route_lifetime = 0xffffffff };
		uint8_t out[32];
		struct duet_wcur w;
		struct duet_nd_opt_iter it;
		struct duet_nd_opt o;
		memset(ri.prefix, 0xff, 16);
		duet_wcur_init(&w, out, sizeof out);
		CHECK_EQ(duet_nd_opt_route_emit(&ri, &w), 0);
		CHECK_EQ(w.off, want[i]);
		duet_nd_opt_iter_init(&it, out, w.off);
		CHECK_EQ(duet_nd_opt_next(&it, &o), 1);
		CHECK_EQ(o.u.route.prefix_length, plens[i]);
		CHECK_EQ(o.u.route.prf, 1);
		CHECK_EQ(o.u.route.route_lifetime, 0xffffffff);
		CHECK_EQ(duet_nd_opt_len(&o), want[i]);
	}
}

/* Each option of the RA vector re-emitted through duet_nd_opt_emit()
 * comes out as it went in. */
TEST(nd_options_round_trip)
{
	uint8_t m[128], out[128];
	size_t n = check_hex(ra_hex, m, sizeof m);
	struct duet_nd_opt_iter it;
	struct duet_nd_opt o;
	struct duet_wcur w;

	duet_nd_opt_iter_init(&it, m + 16, n - 16);
	duet_wcur_init(&w, out, sizeof out);
	while (duet_nd_opt_next(&it, &o) > 0) {
		size_t before = w.off;
		CHECK_EQ(duet_nd_opt_emit(&o, &w), 0);
		CHECK_EQ(w.off - before, duet_nd_opt_len(&o));
	}
	CHECK_EQ(w.off, n - 16);
	CHECK_MEM(out, m + 16, n - 16);
}

TEST(nd_emit_errors)
{
	static const uint8_t big[2048];
	struct duet_nd_ra ra = { .prf = 4 };
	struct duet_nd_prefix_info pi = { .prefix_length = 129 };
	struct duet_nd_route_info ri = { .prf = 4 };
	struct duet_nd_rdnss rd = { .addresses = big, .n_addresses = 128 };
	struct duet_nd_ns ns = { 0 };
	struct duet_nd_na na = { 0 };
	struct duet_nd_redirect rdr = { 0 };
	uint8_t out[64];
	struct duet_wcur w;

	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_nd_ra_emit(&ra, &w), -DUET_WE_TOO_BIG);
	CHECK_EQ(duet_nd_opt_prefix_emit(&pi, &w), -DUET_WE_TOO_BIG);
	CHECK_EQ(duet_nd_opt_route_emit(&ri, &w), -DUET_WE_TOO_BIG);
	CHECK_EQ(duet_nd_opt_rdnss_emit(&rd, &w), -DUET_WE_TOO_BIG);
	CHECK_EQ(duet_nd_opt_lladdr_emit(1, big, 2039, &w), -DUET_WE_TOO_BIG);
	CHECK_EQ(duet_nd_opt_redirected_emit(big, 2040, &w), -DUET_WE_TOO_BIG);
	CHECK_EQ(w.off, 0);
	duet_wcur_init(&w, out, 7);
	CHECK_EQ(duet_nd_rs_emit(&(struct duet_nd_rs){ 0 }, &w), -DUET_WE_NOSPACE);
	CHECK_EQ(duet_nd_opt_mtu_emit(1280, &w), -DUET_WE_NOSPACE);
	CHECK_EQ(duet_nd_opt_lladdr_emit(1, big, 6, &w), -DUET_WE_NOSPACE);
	duet_wcur_init(&w, out, 15);
	CHECK_EQ(duet_nd_ra_emit(&(struct duet_nd_ra){ 0 }, &w), -DUET_WE_NOSPACE);
	duet_wcur_init(&w, out, 23);
	CHECK_EQ(duet_nd_ns_emit(&ns, &w), -DUET_WE_NOSPACE);
	CHECK_EQ(duet_nd_na_emit(&na, &w), -DUET_WE_NOSPACE);
	CHECK_EQ(duet_nd_opt_route_emit(&(struct duet_nd_route_info){ .prefix_length = 65 }, &w),
		 -DUET_WE_NOSPACE);
	CHECK_EQ(duet_nd_opt_rdnss_emit(&(struct duet_nd_rdnss){ .addresses = big,
								 .n_addresses = 1 }, &w),
		 -DUET_WE_NOSPACE);
	duet_wcur_init(&w, out, 31);
	CHECK_EQ(duet_nd_opt_prefix_emit(&(struct duet_nd_prefix_info){ 0 }, &w), -DUET_WE_NOSPACE);
	duet_wcur_init(&w, out, 39);
	CHECK_EQ(duet_nd_redirect_emit(&rdr, &w), -DUET_WE_NOSPACE);
	CHECK_EQ(w.off, 0);
	CHECK_EQ(duet_nd_rs_len(NULL) + duet_nd_ns_len(NULL) + duet_nd_na_len(NULL) +
		 duet_nd_redirect_len(NULL), 8 + 24 + 24 + 40);
}
