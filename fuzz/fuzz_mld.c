/* Fuzz target: MLD messages. Type 130 goes to the Query parser (v1 or v2 by
 * length), 131/132 to the MLDv1 parser, 143 to the MLDv2 Report parser and
 * its record walk. Whatever parses re-emits and re-parses to equal fields,
 * sources, records and aux data; a rejected input leaves the cursor
 * unchanged. The first two octets also drive the exponential-code
 * invariants. */
#include <duet/wire/mld.h>
#include <duet/wire/icmp6.h>
#include <duet/wire/errors.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[140000];

static void require(int cond)
{
	if (!cond)
		abort();
}

static void check_query(const uint8_t *data, size_t size)
{
	struct duet_cur c, save;
	struct duet_mld_query a, b;
	struct duet_wcur w;

	duet_cur_init(&c, data, size);
	save = c;
	if (duet_mld_query_parse(&c, &a) != 0) {
		require(memcmp(&c, &save, sizeof c) == 0);
		return;
	}
	require(c.off == duet_mld_query_len(&a));
	duet_wcur_init(&w, out, sizeof out);
	require(duet_mld_query_emit(&a, &w) == 0 && w.off == duet_mld_query_len(&a));
	duet_cur_init(&c, out, w.off);
	require(duet_mld_query_parse(&c, &b) == 0);
	require(a.is_v2 == b.is_v2 && a.maximum_response_code == b.maximum_response_code &&
		memcmp(a.multicast_address, b.multicast_address, 16) == 0 && a.s == b.s &&
		a.qrv == b.qrv && a.qqic == b.qqic && a.number_of_sources == b.number_of_sources);
	require(a.number_of_sources == 0 ||
		memcmp(a.sources, b.sources, 16u * a.number_of_sources) == 0);
}

static void check_v1(const uint8_t *data, size_t size)
{
	struct duet_cur c, save;
	struct duet_mld_v1 a, b;
	struct duet_wcur w;

	duet_cur_init(&c, data, size);
	save = c;
	if (duet_mld_v1_parse(&c, &a) != 0) {
		require(memcmp(&c, &save, sizeof c) == 0);
		return;
	}
	duet_wcur_init(&w, out, sizeof out);
	require(duet_mld_v1_emit(&a, &w) == 0 && w.off == 24);
	duet_cur_init(&c, out, w.off);
	require(duet_mld_v1_parse(&c, &b) == 0 && a.type == b.type &&
		a.maximum_response_delay == b.maximum_response_delay &&
		memcmp(a.multicast_address, b.multicast_address, 16) == 0);
}

static void record_same(const struct duet_mld_record *a, const struct duet_mld_record *b)
{
	require(a->record_type == b->record_type && a->aux_data_len == b->aux_data_len &&
		a->number_of_sources == b->number_of_sources &&
		memcmp(a->multicast_address, b->multicast_address, 16) == 0);
	require(memcmp(a->sources, b->sources, 16u * a->number_of_sources) == 0);
	require(memcmp(a->aux_data, b->aux_data, 4u * a->aux_data_len) == 0);
}

static void check_report(const uint8_t *data, size_t size)
{
	struct duet_cur c, save;
	struct duet_mld_report a, b;
	struct duet_mld_record_iter ia, ib;
	struct duet_mld_record ra, rb;
	struct duet_wcur w;
	int r;

	duet_cur_init(&c, data, size);
	save = c;
	if (duet_mld_report_parse(&c, &a) != 0) {
		require(memcmp(&c, &save, sizeof c) == 0);
		return;
	}
	require(c.off == 8 + a.records_len);
	duet_wcur_init(&w, out, sizeof out);
	require(duet_mld_report_emit(&a, &w) == 0 && w.off == duet_mld_report_len(&a));
	duet_mld_record_iter_init(&ia, &a);
	while ((r = duet_mld_record_next(&ia, &ra)) > 0)
		require(duet_mld_record_emit(&ra, &w) == 0);
	require(r == 0 && w.off == 8 + a.records_len);
	duet_cur_init(&c, out, w.off);
	require(duet_mld_report_parse(&c, &b) == 0);
	require(b.nr_of_mcast_address_records == a.nr_of_mcast_address_records &&
		b.records_len == a.records_len);
	duet_mld_record_iter_init(&ia, &a);
	duet_mld_record_iter_init(&ib, &b);
	while ((r = duet_mld_record_next(&ia, &ra)) > 0) {
		require(duet_mld_record_next(&ib, &rb) == 1);
		record_same(&ra, &rb);
	}
	require(r == 0 && duet_mld_record_next(&ib, &rb) == 0);
}

static void check_codes(const uint8_t *data, size_t size)
{
	uint16_t code;

	if (size < 2)
		return;
	code = (uint16_t)(data[0] << 8 | data[1]);
	require(duet_mld_mrc_encode(duet_mld_mrc_decode(code)) == code);
	require(duet_mld_qqic_encode(duet_mld_qqic_decode(data[1])) == data[1]);
	require(duet_mld_mrc_decode(duet_mld_mrc_encode((uint32_t)code << 8)) <= (uint32_t)code << 8);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	check_codes(data, size);
	switch (data[0]) {
	case DUET_ICMP6_MLD_QUERY:
		check_query(data, size);
		break;
	case DUET_ICMP6_MLD2_REPORT:
		check_report(data, size);
		break;
	default:
		check_v1(data, size);
		break;
	}
	return 0;
}
