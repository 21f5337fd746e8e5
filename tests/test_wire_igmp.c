/* Wire tests for IGMP (RFC 1112, RFC 2236, RFC 3376) — SPEC N-8/IGMPv3
 * (issue 4: IP_ADD_MEMBERSHIP): the messages an IGMPv3 host sends and hears
 * (the IGMPv2 and IGMPv3 General Queries are the bytes Linux queriers send;
 * the other vectors were written after RFC 3376 §4 with checksums computed
 * apart); round trips, every truncation rejected, inconsistent counts
 * rejected, versions told apart by length (§7.1), the exponential code
 * exhaustively, the checksum. */
#include "check.h"

#include <duet/wire/igmp.h>
#include <duet/wire/errors.h>

/* Join of 239.1.2.3: CHANGE_TO_EXCLUDE {}. */
static const char *report_join_hex = "22 00 e8 f9 00 00 00 01 04 00 00 00 ef 01 02 03";

/* Two source-specific joins: ALLOW_NEW_SOURCES {10.0.0.1, 10.0.0.2} for
 * 232.1.1.1. */
static const char *report_sources_hex =
	"22 00 db f6 00 00 00 01 05 00 00 02 e8 01 01 01 0a 00 00 01 0a 00 00 02";

/* A General Query answered: IS_EX {} for 239.255.255.250 and 224.0.0.251. */
static const char *report_two_hex =
	"22 00 09 07 00 00 00 02 02 00 00 00 ef ff ff fa 02 00 00 00 e0 00 00 fb";

/* IGMPv3 General Query: Max Resp Code 100 (10 s), QRV 2, QQIC 125. */
static const char *query_v3_general_hex = "11 64 ec 1e 00 00 00 00 02 7d 00 00";

/* IGMPv3 Group-and-Source-Specific Query for 232.1.1.1, 1 s, two sources. */
static const char *query_gss_hex =
	"11 0a ef 70 e8 01 01 01 02 7d 00 02 0a 00 00 01 0a 00 00 02";

/* IGMPv2 General Query (Max Resp Time 10 s) and IGMPv1 Query. */
static const char *query_v2_hex = "11 64 ee 9b 00 00 00 00";
static const char *query_v1_hex = "11 00 ee ff 00 00 00 00";

/* IGMPv2 Report, Leave Group, IGMPv1 Report for 239.1.2.3. */
static const char *v2_report_hex = "16 00 f8 fa ef 01 02 03";
static const char *v2_leave_hex = "17 00 f7 fa ef 01 02 03";
static const char *v1_report_hex = "12 00 fc fa ef 01 02 03";

static const uint8_t group_join[4] = { 239, 1, 2, 3 };
static const uint8_t group_ssm[4] = { 232, 1, 1, 1 };

TEST(igmp_report_join)
{
	uint8_t m[64];
	size_t n = check_hex(report_join_hex, m, sizeof m);
	struct duet_cur c;
	struct duet_igmp_report r;
	struct duet_igmp_record_iter it;
	struct duet_igmp_record rec;

	CHECK(duet_igmp_csum_ok(m, n));
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_igmp_report_parse(&c, &r), 0);
	CHECK_EQ(duet_cur_left(&c), 0);
	CHECK_EQ(r.number_of_group_records, 1);
	CHECK_EQ(r.records_len, 8);
	duet_igmp_record_iter_init(&it, &r);
	CHECK_EQ(duet_igmp_record_next(&it, &rec), 1);
	CHECK_EQ(rec.record_type, DUET_IGMP_CHANGE_TO_EXCLUDE);
	CHECK_EQ(rec.aux_data_len, 0);
	CHECK_EQ(rec.number_of_sources, 0);
	CHECK_MEM(rec.multicast_address, group_join, 4);
	CHECK_EQ(duet_igmp_record_next(&it, &rec), 0);
}

TEST(igmp_report_two_records)
{
	uint8_t m[64];
	size_t n = check_hex(report_two_hex, m, sizeof m);
	struct duet_cur c;
	struct duet_igmp_report r;
	struct duet_igmp_record_iter it;
	struct duet_igmp_record rec;

	CHECK(duet_igmp_csum_ok(m, n));
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_igmp_report_parse(&c, &r), 0);
	CHECK_EQ(r.number_of_group_records, 2);
	duet_igmp_record_iter_init(&it, &r);
	CHECK_EQ(duet_igmp_record_next(&it, &rec), 1);
	CHECK_EQ(rec.record_type, DUET_IGMP_MODE_IS_EXCLUDE);
	CHECK_EQ(rec.multicast_address[3], 0xfa);
	CHECK_EQ(duet_igmp_record_next(&it, &rec), 1);
	CHECK_EQ(rec.multicast_address[3], 0xfb);
	CHECK_EQ(duet_igmp_record_next(&it, &rec), 0);
}

/* Action: the source-specific report built with the emitters. Response:
 * the vector's bytes and checksum; parsed back, the same record. */
TEST(igmp_report_with_sources_round_trip)
{
	uint8_t want[64], m[64];
	size_t n = check_hex(report_sources_hex, want, sizeof want);
	struct duet_igmp_report r = { .number_of_group_records = 1 }, pr;
	struct duet_igmp_record rec = { .record_type = DUET_IGMP_ALLOW_NEW_SOURCES,
					.number_of_sources = 2, .sources = want + 16 }, g;
	struct duet_igmp_record_iter it;
	struct duet_wcur w;
	struct duet_cur c;

	memcpy(rec.multicast_address, group_ssm, 4);
	duet_wcur_init(&w, m, sizeof m);
	CHECK_EQ(duet_igmp_report_emit(&r, &w), 0);
	CHECK_EQ(w.off, duet_igmp_report_len(&r));
	CHECK_EQ(duet_igmp_record_emit(&rec, &w), 0);
	CHECK_EQ(duet_igmp_record_len(&rec), 16);
	CHECK_EQ(w.off, n);
	CHECK_EQ(duet_igmp_csum_set(m, n), 0);
	CHECK_MEM(m, want, n);
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_igmp_report_parse(&c, &pr), 0);
	duet_igmp_record_iter_init(&it, &pr);
	CHECK_EQ(duet_igmp_record_next(&it, &g), 1);
	CHECK(duet_igmp_record_type_is_known(g.record_type));
	CHECK_EQ(g.number_of_sources, 2);
	CHECK_MEM(g.sources, want + 16, 8);
	CHECK_MEM(g.multicast_address, group_ssm, 4);
}

/* A report's length is fixed by its counts: every truncation is rejected,
 * the cursor left where it was. */
TEST(igmp_report_truncations_rejected)
{
	const char *vectors[3] = { report_join_hex, report_two_hex, report_sources_hex };
	size_t v;

	for (v = 0; v < 3; v++) {
		uint8_t m[64];
		size_t len = check_hex(vectors[v], m, sizeof m), n;
		for (n = 0; n < len; n++) {
			struct duet_cur c;
			struct duet_igmp_report r;
			duet_cur_init(&c, m, n);
			CHECK_EQ(duet_igmp_report_parse(&c, &r),
				 n < 8 ? -DUET_WE_TRUNCATED : -DUET_WE_BAD_LENGTH);
			CHECK_EQ(c.off, 0);
		}
	}
}

TEST(igmp_report_inconsistent_counts_rejected)
{
	uint8_t m[64];
	size_t n = check_hex(report_sources_hex, m, sizeof m);
	struct duet_cur c;
	struct duet_igmp_report r;

	m[7] = 2; /* two records announced, one present */
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_igmp_report_parse(&c, &r), -DUET_WE_BAD_LENGTH);
	m[7] = 1;
	m[11] = 3; /* three sources announced, two present */
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_igmp_report_parse(&c, &r), -DUET_WE_BAD_LENGTH);
	m[11] = 2;
	m[9] = 1; /* one word of aux data announced, none present */
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_igmp_report_parse(&c, &r), -DUET_WE_BAD_LENGTH);
	CHECK_EQ(c.off, 0);
	m[9] = 0;
	m[0] = DUET_IGMP_V2_REPORT;
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_igmp_report_parse(&c, &r), -DUET_WE_BAD_TYPE);
}

/* Aux data and an unknown record type: returned, lengths honoured; octets
 * after the counted records stay in the cursor. */
TEST(igmp_report_aux_data_and_unknown_type)
{
	uint8_t aux[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct duet_igmp_report r = { .number_of_group_records = 2 }, pr;
	struct duet_igmp_record a = { .record_type = 7, .aux_data_len = 2, .aux_data = aux,
				      .multicast_address = { 239, 0, 0, 1 } };
	struct duet_igmp_record b = { .record_type = DUET_IGMP_MODE_IS_INCLUDE,
				      .multicast_address = { 239, 0, 0, 2 } }, g;
	struct duet_igmp_record_iter it;
	uint8_t m[64];
	struct duet_wcur w;
	struct duet_cur c;

	duet_wcur_init(&w, m, sizeof m);
	CHECK_EQ(duet_igmp_report_emit(&r, &w), 0);
	CHECK_EQ(duet_igmp_record_emit(&a, &w), 0);
	CHECK_EQ(duet_igmp_record_emit(&b, &w), 0);
	CHECK_EQ(duet_wcur_put(&w, "xx", 2), 0);
	duet_cur_init(&c, m, w.off);
	CHECK_EQ(duet_igmp_report_parse(&c, &pr), 0);
	CHECK_EQ(pr.records_len, 16 + 8);
	CHECK_EQ(duet_cur_left(&c), 2);
	duet_igmp_record_iter_init(&it, &pr);
	CHECK_EQ(duet_igmp_record_next(&it, &g), 1);
	CHECK_EQ(g.record_type, 7);
	CHECK(!duet_igmp_record_type_is_known(g.record_type));
	CHECK_MEM(g.aux_data, aux, 8);
	CHECK_EQ(duet_igmp_record_next(&it, &g), 1);
	CHECK_EQ(g.multicast_address[3], 2);
	CHECK_EQ(duet_igmp_record_next(&it, &g), 0);
}

TEST(igmp_report_emit_nospace)
{
	struct duet_igmp_report r = { .number_of_group_records = 1 };
	struct duet_igmp_record rec = { .record_type = 1, .number_of_sources = 1,
					.sources = group_ssm };
	uint8_t out[12];
	struct duet_wcur w;

	duet_wcur_init(&w, out, 7);
	CHECK_EQ(duet_igmp_report_emit(&r, &w), -DUET_WE_NOSPACE);
	duet_wcur_init(&w, out, 11);
	CHECK_EQ(duet_igmp_record_emit(&rec, &w), -DUET_WE_NOSPACE);
	CHECK_EQ(w.off, 0);
	duet_wcur_init(&w, out, 12);
	CHECK_EQ(duet_igmp_record_emit(&rec, &w), 0);
}

TEST(igmp_query_group_and_source)
{
	uint8_t m[64];
	size_t n = check_hex(query_gss_hex, m, sizeof m);
	struct duet_cur c;
	struct duet_igmp_query q;

	CHECK(duet_igmp_csum_ok(m, n));
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_igmp_query_parse(&c, &q), 0);
	CHECK_EQ(q.version, 3);
	CHECK_EQ(q.max_resp_code, 10);
	CHECK_MEM(q.group_address, group_ssm, 4);
	CHECK(!q.s);
	CHECK_EQ(q.qrv, 2);
	CHECK_EQ(duet_igmp_code_decode(q.qqic), 125);
	CHECK_EQ(q.number_of_sources, 2);
	CHECK_EQ(q.sources[3], 1);
	CHECK_EQ(q.sources[7], 2);
	CHECK_EQ(duet_cur_left(&c), 0);
	CHECK_EQ(duet_igmp_query_len(&q), n);
}

/* RFC 3376 §7.1: 8 octets with Max Resp Code 0 is IGMPv1, non-zero IGMPv2;
 * 12 or more IGMPv3; 9 to 11 octets none, rejected; additional data after
 * the sources stays (§4.1.10). */
TEST(igmp_query_versions_by_length)
{
	uint8_t m[64];
	size_t n = check_hex(query_v3_general_hex, m, sizeof m);
	struct duet_cur c;
	struct duet_igmp_query q;

	CHECK(duet_igmp_csum_ok(m, n));
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_igmp_query_parse(&c, &q), 0);
	CHECK_EQ(q.version, 3);
	CHECK_EQ(duet_igmp_code_decode(q.max_resp_code), 100);
	CHECK_EQ(q.number_of_sources, 0);
	for (n = 9; n < 12; n++) {
		duet_cur_init(&c, m, n);
		CHECK_EQ(duet_igmp_query_parse(&c, &q), -DUET_WE_BAD_LENGTH);
		CHECK_EQ(c.off, 0);
	}
	duet_cur_init(&c, m, 16);
	CHECK_EQ(duet_igmp_query_parse(&c, &q), 0);
	CHECK_EQ(duet_cur_left(&c), 4);
	n = check_hex(query_v2_hex, m, sizeof m);
	CHECK(duet_igmp_csum_ok(m, n));
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_igmp_query_parse(&c, &q), 0);
	CHECK_EQ(q.version, 2);
	CHECK_EQ(q.max_resp_code, 100);
	CHECK(q.sources == NULL);
	n = check_hex(query_v1_hex, m, sizeof m);
	CHECK(duet_igmp_csum_ok(m, n));
	duet_cur_init(&c, m, n);
	CHECK_EQ(duet_igmp_query_parse(&c, &q), 0);
	CHECK_EQ(q.version, 1);
}

/* Every truncation of the group-and-source query: under 8 truncated; at
 * exactly 8 the length alone makes it a well-formed IGMPv2 Query (§7.1;
 * the checksum catches a cut); 9-11 no version; above, the source count
 * disagrees. Another type is refused. */
TEST(igmp_query_truncations_rejected)
{
	uint8_t m[64];
	size_t len = check_hex(query_gss_hex, m, sizeof m), n;
	struct duet_cur c;
	struct duet_igmp_query q;

	for (n = 0; n < len; n++) {
		int r;
		duet_cur_init(&c, m, n);
		r = duet_igmp_query_parse(&c, &q);
		if (n == 8) {
			CHECK_EQ(r, 0);
			CHECK_EQ(q.version, 2);
			continue;
		}
		CHECK_EQ(r, n < 8 ? -DUET_WE_TRUNCATED : -DUET_WE_BAD_LENGTH);
		CHECK_EQ(c.off, 0);
	}
	m[0] = DUET_IGMP_V3_REPORT;
	duet_cur_init(&c, m, len);
	CHECK_EQ(duet_igmp_query_parse(&c, &q), -DUET_WE_BAD_TYPE);
}

TEST(igmp_query_round_trips)
{
	const char *vectors[4] = { query_gss_hex, query_v3_general_hex, query_v2_hex, query_v1_hex };
	size_t v;

	for (v = 0; v < 4; v++) {
		uint8_t m[64], out[64];
		size_t n = check_hex(vectors[v], m, sizeof m);
		struct duet_cur c;
		struct duet_igmp_query q;
		struct duet_wcur w;
		duet_cur_init(&c, m, n);
		CHECK_EQ(duet_igmp_query_parse(&c, &q), 0);
		duet_wcur_init(&w, out, sizeof out);
		CHECK_EQ(duet_igmp_query_emit(&q, &w), 0);
		CHECK_EQ(w.off, n);
		CHECK_EQ(duet_igmp_csum_set(out, n), 0);
		CHECK_MEM(out, m, n);
	}
}

TEST(igmp_query_emit_flags_and_errors)
{
	struct duet_igmp_query q = { .version = 3, .s = true, .qrv = 7, .qqic = 0xff };
	uint8_t out[12];
	struct duet_wcur w;

	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_igmp_query_emit(&q, &w), 0);
	CHECK_EQ(out[8], 0x0f);
	CHECK_EQ(out[9], 0xff);
	q.qrv = 8;
	duet_wcur_init(&w, out, sizeof out);
	CHECK_EQ(duet_igmp_query_emit(&q, &w), -DUET_WE_TOO_BIG);
	q.qrv = 2;
	q.version = 4;
	CHECK_EQ(duet_igmp_query_emit(&q, &w), -DUET_WE_BAD_VERSION);
	q.version = 0;
	CHECK_EQ(duet_igmp_query_emit(&q, &w), -DUET_WE_BAD_VERSION);
	q.version = 3;
	duet_wcur_init(&w, out, 11);
	CHECK_EQ(duet_igmp_query_emit(&q, &w), -DUET_WE_NOSPACE);
	CHECK_EQ(w.off, 0);
	q.version = 1;
	q.max_resp_code = 50; /* IGMPv1 has no such field: written as 0 */
	CHECK_EQ(duet_igmp_query_emit(&q, &w), 0);
	CHECK_EQ(w.off, 8);
	CHECK_EQ(out[1], 0);
}

TEST(igmp_v1_v2_reports_and_leave)
{
	const char *vectors[3] = { v2_report_hex, v2_leave_hex, v1_report_hex };
	const uint8_t types[3] = { DUET_IGMP_V2_REPORT, DUET_IGMP_V2_LEAVE, DUET_IGMP_V1_REPORT };
	size_t v, n;

	for (v = 0; v < 3; v++) {
		uint8_t m[16], out[8];
		size_t len = check_hex(vectors[v], m, sizeof m);
		struct duet_cur c;
		struct duet_igmp_v2 g;
		struct duet_wcur w;
		CHECK(duet_igmp_csum_ok(m, len));
		duet_cur_init(&c, m, len);
		CHECK_EQ(duet_igmp_v2_parse(&c, &g), 0);
		CHECK_EQ(g.type, types[v]);
		CHECK_EQ(g.max_resp_time, 0);
		CHECK_MEM(g.group_address, group_join, 4);
		CHECK_EQ(duet_igmp_v2_len(&g), 8);
		duet_wcur_init(&w, out, sizeof out);
		CHECK_EQ(duet_igmp_v2_emit(&g, &w), 0);
		CHECK_EQ(duet_igmp_csum_set(out, 8), 0);
		CHECK_MEM(out, m, 8);
		for (n = 0; n < len; n++) {
			duet_cur_init(&c, m, n);
			CHECK_EQ(duet_igmp_v2_parse(&c, &g), -DUET_WE_TRUNCATED);
			CHECK_EQ(c.off, 0);
		}
		duet_wcur_init(&w, out, 7);
		CHECK_EQ(duet_igmp_v2_emit(&g, &w), -DUET_WE_NOSPACE);
	}
	{
		/* RFC 2236 §2.5: octets past the first 8 are ignored. */
		uint8_t m[16] = { 0 };
		struct duet_cur c;
		struct duet_igmp_v2 g;
		check_hex(v2_report_hex, m, sizeof m);
		duet_cur_init(&c, m, 12);
		CHECK_EQ(duet_igmp_v2_parse(&c, &g), 0);
		CHECK_EQ(duet_cur_left(&c), 4);
		check_hex(query_v2_hex, m, sizeof m);
		duet_cur_init(&c, m, 8);
		CHECK_EQ(duet_igmp_v2_parse(&c, &g), -DUET_WE_BAD_TYPE);
	}
}

/* The checksum covers the whole message: a flipped bit anywhere fails;
 * under 8 octets nothing verifies or is written. */
TEST(igmp_checksum)
{
	uint8_t m[64];
	size_t n = check_hex(report_sources_hex, m, sizeof m), i;

	for (i = 0; i < n; i++) {
		m[i] ^= 0x10;
		CHECK(!duet_igmp_csum_ok(m, n));
		m[i] ^= 0x10;
	}
	CHECK(duet_igmp_csum_ok(m, n));
	CHECK(!duet_igmp_csum_ok(m, 7));
	CHECK_EQ(duet_igmp_csum_set(m, 7), -DUET_WE_TRUNCATED);
}

/* RFC 3376 §4.1.1 / §4.1.7: every code decodes and re-encodes to itself;
 * encoding rounds down and saturates. */
TEST(igmp_exponential_code)
{
	uint32_t code, prev = 0;

	for (code = 0; code <= 0xff; code++) {
		uint32_t v = duet_igmp_code_decode((uint8_t)code);
		CHECK_EQ(duet_igmp_code_encode(v), code);
		CHECK(v >= prev);
		prev = v;
	}
	CHECK_EQ(duet_igmp_code_decode(127), 127);
	CHECK_EQ(duet_igmp_code_decode(0x80), 128);
	CHECK_EQ(duet_igmp_code_decode(0xff), DUET_IGMP_CODE_MAX);
	CHECK_EQ(duet_igmp_code_encode(DUET_IGMP_CODE_MAX + 1000), 0xff);
	CHECK_EQ(duet_igmp_code_decode(duet_igmp_code_encode(200)), 200);
	CHECK_EQ(duet_igmp_code_decode(duet_igmp_code_encode(201)), 200);
}
