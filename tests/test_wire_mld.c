/* Wire tests for MLD (RFC 2710, RFC 3810) — SPEC N-5 (MLDv2 host, MLDv1
 * compatible), L-1 (what Linux sends): the MLDv2 reports Linux sends on
 * link up and on source-specific joins, a Linux bridge querier's
 * group-and-source query, MLDv1 messages checked with tshark; round trips,
 * every truncation rejected, inconsistent counts rejected, the exponential
 * codes exhaustively. */
#include "check.h"

#include <duet/wire/mld.h>
#include <duet/wire/icmp6.h>
#include <duet/wire/ip6.h>
#include <duet/wire/errors.h>
#include <duet/csum.h>

static const uint8_t addr_b[16] = { 0xfe, 0x80, [11] = 0xff, 0xfe, 0x00, 0x00, 0x0b };
static const uint8_t addr_a[16] = { 0xfe, 0x80, [11] = 0xff, 0xfe, 0x00, 0x00, 0x0a };
static const uint8_t addr_c[16] = { 0xfe, 0x80, [11] = 0xff, 0xfe, 0x00, 0x00, 0x0c };
static const uint8_t unspec[16];
static const uint8_t all_mldv2_routers[16] = { 0xff, 0x02, [15] = 0x16 };
static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
static const uint8_t router[16] = { 0xfe, 0x80, [15] = 1 };
static const uint8_t group_ssm[16] = { 0xff, 0x3e, [12] = 0x80, 0x00, 0x00, 0x01 };

/* Linux on link up, b -> ff02::16: CHANGE_TO_EXCLUDE {} for its
 * solicited-node group ff02::1:ff00:b. */
static const char *report_linkup_hex =
	"8f 00 71 f3 00 00 00 01 04 00 00 00 ff 02 00 00"
	"00 00 00 00 00 00 00 01 ff 00 00 0b";

/* A Linux bridge coming up, from :: (before DAD): two records. */
static const char *report_two_hex =
	"8f 00 6b fc 00 00 00 02 04 00 00 00 ff 02 00 00"
	"00 00 00 00 00 00 00 01 ff 00 00 0c 04 00 00 00"
	"ff 02 00 00 00 00 00 00 00 00 00 00 00 00 00 6a";

/* Linux after two MCAST_JOIN_SOURCE_GROUPs, a -> ff02::16: ALLOW_NEW_SOURCES
 * {2001:db8::1, 2001:db8::2} for ff3e::8000:1. */
static const char *report_sources_hex =
	"8f 00 94 2c 00 00 00 01 05 00 00 02 ff 3e 00 00"
	"00 00 00 00 00 00 00 00 80 00 00 01 20 01 0d b8"
	"00 00 00 00 00 00 00 00 00 00 00 01 20 01 0d b8"
	"00 00 00 00 00 00 00 00 00 00 00 02";

/* The Linux bridge querier, c -> ff3e::8000:1: a Multicast Address and
 * Source Specific Query, MRC 1000 ms, QRV 2, QQIC 2, two sources. */
static const char *query_gss_hex =
	"82 00 20 1a 03 e8 00 00 ff 3e 00 00 00 00 00 00"
	"00 00 00 00 80 00 00 01 02 02 00 02 20 01 0d b8"
	"00 00 00 00 00 00 00 00 00 00 00 02 20 01 0d b8"
	"00 00 00 00 00 00 00 00 00 00 00 01";

/* MLDv2 General Query fe80::1 -> ff02::1 (MRC 10000, QRV 2, QQIC 125). */
static const char *query_v2_general_hex =
	"82 00 56 96 27 10 00 00 00 00 00 00 00 00 00 00"
	"00 00 00 00 00 00 00 00 02 7d 00 00";

/* MLDv1 General Query fe80::1 -> ff02::1, Maximum Response Delay 10 s. */
static const char *query_v1_hex =
	"82 00 59 17 27 10 00 00 00 00 00 00 00 00 00 00"
	"00 00 00 00 00 00 00 00";

/* MLDv1 Report b -> ff05::1:3 and Done b -> ff02::2 for ff05::1:3. */
static const char *v1_report_hex =
	"83 00 81 0d 00 00 00 00 ff 05 00 00 00 00 00 00 00 00 00 00 00 01 00 03";
static const char *v1_done_hex =
	"84 00 80 12 00 00 00 00 ff 05 00 00 00 00 00 00 00 00 00 00 00 01 00 03";

static int verify(const uint8_t *m, size_t n, const uint8_t *src, const uint8_t *dst)
{
	return duet_icmp6_csum_verify(m, n, duet_csum_pseudo6(src, dst, (uint32_t)n,
							      DUET_IP6_NH_ICMPV6));
}

TEST(mld_report_linux_linkup)
{
	uint8_t m[64];
	size_t n = check_hex(report_linkup_hex, m, sizeof m);
	static const uint8_t snma_b[16] = { 0xff, 0x02, [11] = 1, 0xff, 0, 0, 0x0b };
	struct duet_cur c;
	struct duet_mld_report r;
	struct duet_mld_record_iter it;
	struct duet_mld_record rec;

	CHECK_EQ(verify(m, n, addr_b, all_mldv2_routers), 0);
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_mld_report_parse(&c, &r), 0);
	CHECK_EQ(duet_cur_left(&c), 0);
	CHECK_EQ(r.nr_of_mcast_address_records, 1);
	CHECK_EQ(r.records_len, 20);
	duet_mld_record_iter_init(&it, &r);
	CHECK_EQ(duet_mld_record_next(&it, &rec), 1);
	CHECK_EQ(rec.record_type, DUET_MLD_CHANGE_TO_EXCLUDE);
	CHECK_EQ(rec.aux_data_len, 0);
	CHECK_EQ(rec.number_of_sources, 0);
	CHECK_MEM(rec.multicast_address, snma_b, 16);
	CHECK_EQ(duet_mld_record_next(&it, &rec), 0);
}

TEST(mld_report_two_records_from_unspecified)
{
	uint8_t m[64];
	size_t n = check_hex(report_two_hex, m, sizeof m);
	struct duet_cur c;
	struct duet_mld_report r;
	struct duet_mld_record_iter it;
	struct duet_mld_record rec;

	CHECK_EQ(verify(m, n, unspec, all_mldv2_routers), 0);
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_mld_report_parse(&c, &r), 0);
	CHECK_EQ(r.nr_of_mcast_address_records, 2);
	duet_mld_record_iter_init(&it, &r);
	CHECK_EQ(duet_mld_record_next(&it, &rec), 1);
	CHECK_EQ(rec.multicast_address[15], 0x0c);
	CHECK_EQ(duet_mld_record_next(&it, &rec), 1);
	CHECK_EQ(rec.multicast_address[15], 0x6a); /* ff02::6a, all-snoopers */
	CHECK_EQ(duet_mld_record_next(&it, &rec), 0);
}

TEST(mld_report_with_sources)
{
	uint8_t m[80];
	size_t n = check_hex(report_sources_hex, m, sizeof m);
	struct duet_cur c;
	struct duet_mld_report r;
	struct duet_mld_record_iter it;
	struct duet_mld_record rec;

	CHECK_EQ(verify(m, n, addr_a, all_mldv2_routers), 0);
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_mld_report_parse(&c, &r), 0);
	duet_mld_record_iter_init(&it, &r);
	CHECK_EQ(duet_mld_record_next(&it, &rec), 1);
	CHECK_EQ(rec.record_type, DUET_MLD_ALLOW_NEW_SOURCES);
	CHECK(duet_mld_record_type_is_known(rec.record_type));
	CHECK_EQ(rec.number_of_sources, 2);
	CHECK_MEM(rec.multicast_address, group_ssm, 16);
	CHECK_EQ(rec.sources[15], 1);
	CHECK_EQ(rec.sources[31], 2);
	CHECK_EQ(duet_mld_record_len(&rec), 52);
}

/* Action: duet builds the report with its emitters. Response: Linux's bytes
 * and checksum. */
TEST(mld_report_built_matches_linux)
{
	uint8_t want[80], m[80];
	size_t n = check_hex(report_sources_hex, want, sizeof want);
	struct duet_mld_report r = { .nr_of_mcast_address_records = 1 };
	struct duet_mld_record rec = { .record_type = DUET_MLD_ALLOW_NEW_SOURCES,
				       .number_of_sources = 2, .sources = want + 28 };
	struct duet_wcur w;

	memcpy(rec.multicast_address, group_ssm, 16);
	duet_wcur_init(&w, m, sizeof m);
	CHECK_EQ(duet_mld_report_emit(&r, &w), 0);
	CHECK_EQ(w.off, duet_mld_report_len(&r));
	CHECK_EQ(duet_mld_record_emit(&rec, &w), 0);
	CHECK_EQ(w.off, n);
	duet_icmp6_csum_set(m, n, duet_csum_pseudo6(addr_a, all_mldv2_routers, (uint32_t)n,
						    DUET_IP6_NH_ICMPV6));
	CHECK_MEM(m, want, n);
}

/* A report's length is fixed by its counts: every truncation is rejected. */
TEST(mld_report_truncations_rejected)
{
	const char *vectors[3] = { report_linkup_hex, report_two_hex, report_sources_hex };
	size_t v;

	for (v = 0; v < 3; v++) {
		uint8_t m[80];
		size_t len = check_hex(vectors[v], m, sizeof m), n;
		for (n = 0; n < len; n++) {
			struct duet_cur c;
			struct duet_mld_report r;
			duet_cur_init(&c, m, n);
			CHECK_EQ(duet_mld_report_parse(&c, &r),
				 n < 8 ? -DUET_WE_TRUNCATED : -DUET_WE_BAD_LENGTH);
			CHECK_EQ(c.off, 0);
		}
	}
}

TEST(mld_report_inconsistent_counts_rejected)
{
	uint8_t m[80];
	size_t n = check_hex(report_sources_hex, m, sizeof m);
	struct duet_cur c;
	struct duet_mld_report r;

	m[7] = 2; /* two records announced, one present */
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_mld_report_parse(&c, &r), -DUET_WE_BAD_LENGTH);
	m[7] = 1;
	m[11] = 3; /* three sources announced, two present */
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_mld_report_parse(&c, &r), -DUET_WE_BAD_LENGTH);
	m[11] = 2;
	m[9] = 1; /* one word of aux data announced, none present */
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_mld_report_parse(&c, &r), -DUET_WE_BAD_LENGTH);
	CHECK_EQ(c.off, 0);
	m[9] = 0;
	m[0] = DUET_ICMP6_MLD_REPORT;
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_mld_report_parse(&c, &r), -DUET_WE_BAD_TYPE);
}

/* Aux data and an unknown record type: returned, lengths honoured; octets
 * after the counted records stay in the cursor. */
TEST(mld_report_aux_data_and_unknown_type)
{
	uint8_t aux[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct duet_mld_report r = { .nr_of_mcast_address_records = 2 };
	struct duet_mld_record a = { .record_type = 7, .aux_data_len = 2, .aux_data = aux,
				     .multicast_address = { 0xff, 0x05, [15] = 1 } };
	struct duet_mld_record b = { .record_type = DUET_MLD_MODE_IS_INCLUDE,
				     .multicast_address = { 0xff, 0x05, [15] = 2 } }, g;
	uint8_t m[128];
	struct duet_wcur w;
	struct duet_cur c;
	struct duet_mld_report pr;
	struct duet_mld_record_iter it;

	duet_wcur_init(&w, m, sizeof m);
	CHECK_EQ(duet_mld_report_emit(&r, &w), 0);
	CHECK_EQ(duet_mld_record_emit(&a, &w), 0);
	CHECK_EQ(duet_mld_record_emit(&b, &w), 0);
	CHECK_EQ(duet_wcur_put(&w, "xx", 2), 0);
	duet_cur_init(&c, m, w.off);
	CHECK_EQ(duet_mld_report_parse(&c, &pr), 0);
	CHECK_EQ(pr.records_len, 28 + 20);
	CHECK_EQ(duet_cur_left(&c), 2);
	duet_mld_record_iter_init(&it, &pr);
	CHECK_EQ(duet_mld_record_next(&it, &g), 1);
	CHECK_EQ(g.record_type, 7);
	CHECK(!duet_mld_record_type_is_known(g.record_type));
	CHECK_MEM(g.aux_data, aux, 8);
	CHECK_EQ(duet_mld_record_next(&it, &g), 1);
	CHECK_EQ(g.record_type, DUET_MLD_MODE_IS_INCLUDE);
	CHECK_EQ(g.multicast_address[15], 2);
	CHECK_EQ(duet_mld_record_next(&it, &g), 0);
}

TEST(mld_query_bridge_group_and_source)
{
	uint8_t m[80];
	size_t n = check_hex(query_gss_hex, m, sizeof m);
	struct duet_cur c;
	struct duet_mld_query q;

	CHECK_EQ(verify(m, n, addr_c, group_ssm), 0);
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_mld_query_parse(&c, &q), 0);
	CHECK(q.is_v2);
	CHECK_EQ(q.maximum_response_code, 1000);
	CHECK_EQ(duet_mld_mrc_decode(q.maximum_response_code), 1000);
	CHECK_MEM(q.multicast_address, group_ssm, 16);
	CHECK(!q.s);
	CHECK_EQ(q.qrv, 2);
	CHECK_EQ(q.qqic, 2);
	CHECK_EQ(q.number_of_sources, 2);
	CHECK_EQ(q.sources[15], 2);
	CHECK_EQ(q.sources[31], 1);
	CHECK_EQ(duet_cur_left(&c), 0);
	CHECK_EQ(duet_mld_query_len(&q), n);
}

TEST(mld_query_versions_by_length)
{
	uint8_t m[64];
	size_t n = check_hex(query_v2_general_hex, m, sizeof m);
	struct duet_cur c;
	struct duet_mld_query q;

	CHECK_EQ(verify(m, n, router, all_nodes), 0);
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_mld_query_parse(&c, &q), 0);
	CHECK(q.is_v2);
	CHECK_EQ(duet_mld_mrc_decode(q.maximum_response_code), 10000);
	CHECK_EQ(duet_mld_qqic_decode(q.qqic), 125);
	CHECK_EQ(q.number_of_sources, 0);
	n = check_hex(query_v1_hex, m, sizeof m);
	CHECK_EQ(verify(m, n, router, all_nodes), 0);
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_mld_query_parse(&c, &q), 0);
	CHECK(!q.is_v2);
	CHECK_EQ(q.maximum_response_code, 10000);
	CHECK_EQ(q.qrv, 0);
	CHECK(q.sources == NULL);
	/* RFC 3810 §8.1: 25 to 27 octets is neither version. */
	for (n = 25; n < 28; n++) {
		duet_cur_init(&c, m, n);
		CHECK_EQ(duet_mld_query_parse(&c, &q), -DUET_WE_BAD_LENGTH);
		CHECK_EQ(c.off, 0);
	}
	/* Additional data after the sources stays (RFC 3810 §5.1.12). */
	n = check_hex(query_v2_general_hex, m, sizeof m);
	duet_cur_init(&c, m, n + 4);
	CHECK_EQ(duet_mld_query_parse(&c, &q), 0);
	CHECK_EQ(duet_cur_left(&c), 4);
}

/* Every truncation of the group-and-source query: under 24 truncated; at
 * exactly 24 the length alone makes it a well-formed MLDv1 Query (RFC 3810
 * §8.1; the checksum and IPv6 length catch a cut); above, the source count
 * disagrees. */
TEST(mld_query_truncations_rejected)
{
	uint8_t m[80];
	size_t len = check_hex(query_gss_hex, m, sizeof m), n;

	for (n = 0; n < len; n++) {
		struct duet_cur c;
		struct duet_mld_query q;
		int r;
		duet_cur_init(&c, m, n);
		r = duet_mld_query_parse(&c, &q);
		if (n == 24) {
			CHECK_EQ(r, 0);
			CHECK(!q.is_v2);
			continue;
		}
		CHECK_EQ(r, n < 24 ? -DUET_WE_TRUNCATED : -DUET_WE_BAD_LENGTH);
		CHECK_EQ(c.off, 0);
	}
	m[0] = DUET_ICMP6_MLD_REPORT;
	{
		struct duet_cur c;
		struct duet_mld_query q;
		duet_cur_init(&c, m, len);
		CHECK_EQ(duet_mld_query_parse(&c, &q), -DUET_WE_BAD_TYPE);
	}
}

TEST(mld_query_round_trips)
{
	const char *vectors[3] = { query_gss_hex, query_v2_general_hex, query_v1_hex };
	size_t v;

	for (v = 0; v < 3; v++) {
		uint8_t m[80], out[80];
		size_t n = check_hex(vectors[v], m, sizeof m);
		struct duet_cur c;
		struct duet_mld_query q;
		struct duet_wcur w;
		duet_cur_init(&c, m, n);
		CHECK_EQ(duet_mld_query_parse(&c, &q), 0);
		duet_wcur_init(&w, out, sizeof out);
		CHECK_EQ(duet_mld_query_emit(&q, &w), 0);
		CHECK_EQ(w.off, n);
		m[2] = m[3] = 0; /* emit leaves the checksum 0 */
		CHECK_MEM(out, m, n);
	}
}

TEST(mld_query_emit_s_flag_and_errors)
{
	struct duet_mld_query q = { .is_v2 = true, .s = true, .qrv = 7, .qqic = 0xff };
	uint8_t out[28];
	struct duet_wcur w;

	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_mld_query_emit(&q, &w), 0);
	CHECK_EQ(out[24], 0x0f);
	CHECK_EQ(out[25], 0xff);
	q.qrv = 8;
	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_mld_query_emit(&q, &w), -DUET_WE_TOO_BIG);
	q.qrv = 2;
	duet_wcur_init(&w, out, 27);
	CHECK_EQ(duet_mld_query_emit(&q, &w), -DUET_WE_NOSPACE);
	q.is_v2 = false;
	CHECK_EQ(duet_mld_query_emit(&q, &w), 0);
	CHECK_EQ(w.off, 24);
}

TEST(mld_v1_report_and_done)
{
	const char *vectors[2] = { v1_report_hex, v1_done_hex };
	static const uint8_t all_routers[16] = { 0xff, 0x02, [15] = 2 };
	size_t v, n;

	for (v = 0; v < 2; v++) {
		uint8_t m[32], out[24];
		size_t len = check_hex(vectors[v], m, sizeof m);
		struct duet_cur c;
		struct duet_mld_v1 g;
		struct duet_wcur w;
		CHECK_EQ(verify(m, len, addr_b, v == 0 ? m + 8 : all_routers), 0);
		duet_cur_init(&c, m, len);
		CHECK_EQ(duet_mld_v1_parse(&c, &g), 0);
		CHECK_EQ(g.type, v == 0 ? DUET_ICMP6_MLD_REPORT : DUET_ICMP6_MLD_DONE);
		CHECK_EQ(g.maximum_response_delay, 0);
		CHECK_EQ(g.multicast_address[15], 3);
		CHECK_EQ(duet_mld_v1_len(&g), 24);
		duet_wcur_init(&w, out, sizeof out);
		CHECK_EQ(duet_mld_v1_emit(&g, &w), 0);
		duet_icmp6_csum_set(out, 24, duet_csum_pseudo6(addr_b, v == 0 ? m + 8 : all_routers,
							       24, DUET_IP6_NH_ICMPV6));
		CHECK_MEM(out, m, 24);
		for (n = 0; n < len; n++) {
			duet_cur_init(&c, m, n);
			CHECK_EQ(duet_mld_v1_parse(&c, &g), -DUET_WE_TRUNCATED);
			CHECK_EQ(c.off, 0);
		}
		duet_wcur_init(&w, out, 23);
		CHECK_EQ(duet_mld_v1_emit(&g, &w), -DUET_WE_NOSPACE);
	}
	{
		uint8_t m[32];
		size_t len = check_hex(query_v1_hex, m, sizeof m);
		struct duet_cur c;
		struct duet_mld_v1 g;
		duet_cur_init(&c, m, len);
		CHECK_EQ(duet_mld_v1_parse(&c, &g), -DUET_WE_BAD_TYPE);
	}
}

TEST(mld_report_emit_nospace)
{
	struct duet_mld_report r = { .nr_of_mcast_address_records = 1 };
	struct duet_mld_record rec = { .record_type = 1, .number_of_sources = 1,
				       .sources = group_ssm };
	uint8_t out[36];
	struct duet_wcur w;

	duet_wcur_init(&w, out, 7);
	CHECK_EQ(duet_mld_report_emit(&r, &w), -DUET_WE_NOSPACE);
	duet_wcur_init(&w, out, 35);
	CHECK_EQ(duet_mld_record_emit(&rec, &w), -DUET_WE_NOSPACE);
	CHECK_EQ(w.off, 0);
	duet_wcur_init(&w, out, 36);
	CHECK_EQ(duet_mld_record_emit(&rec, &w), 0);
}

/* RFC 3810 §5.1.3 / §5.1.9: every code decodes and re-encodes to itself;
 * encoding rounds down and saturates. */
TEST(mld_exponential_codes)
{
	uint32_t code, prev = 0;

	for (code = 0; code <= 0xffff; code++) {
		uint32_t ms = duet_mld_mrc_decode((uint16_t)code);
		CHECK_EQ(duet_mld_mrc_encode(ms), code);
		CHECK(ms >= prev);
		prev = ms;
	}
	prev = 0;
	for (code = 0; code <= 0xff; code++) {
		uint32_t s = duet_mld_qqic_decode((uint8_t)code);
		CHECK_EQ(duet_mld_qqic_encode(s), code);
		CHECK(s >= prev);
		prev = s;
	}
	CHECK_EQ(duet_mld_mrc_decode(0x7fff), 32767);
	CHECK_EQ(duet_mld_mrc_decode(0x8000), 32768);
	CHECK_EQ(duet_mld_mrc_decode(0xffff), DUET_MLD_MRC_MAX_MS);
	CHECK_EQ(duet_mld_mrc_encode(DUET_MLD_MRC_MAX_MS + 1), 0xffff);
	CHECK_EQ(duet_mld_mrc_encode(0xffffffff), 0xffff);
	CHECK_EQ(duet_mld_mrc_decode(duet_mld_mrc_encode(32769)), 32768);
	CHECK_EQ(duet_mld_mrc_decode(duet_mld_mrc_encode(100015)), 100000); /* 0x186a << 4 */
	CHECK_EQ(duet_mld_qqic_decode(0x80), 128);
	CHECK_EQ(duet_mld_qqic_decode(0xff), DUET_MLD_QQIC_MAX_S);
	CHECK_EQ(duet_mld_qqic_encode(DUET_MLD_QQIC_MAX_S + 1000), 0xff);
	CHECK_EQ(duet_mld_qqic_decode(duet_mld_qqic_encode(200)), 200);
	CHECK_EQ(duet_mld_qqic_decode(duet_mld_qqic_encode(201)), 200);
}
