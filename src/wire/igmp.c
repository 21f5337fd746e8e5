/* duet — IGMPv1 (RFC 1112 App. I), IGMPv2 (RFC 2236) and IGMPv3 (RFC 3376)
 * message parse/emit; the exponential code and the checksum are shared with
 * MLDv2's QQIC and ICMPv4. */
#include <duet/wire/igmp.h>
#include <duet/wire/icmp4.h>
#include <duet/wire/mld.h>
#include <duet/wire/errors.h>
#include <duet/byteorder.h>

#include <string.h>

#include "wire/gmp.h"

/* ---- Queries (RFC 3376 §4.1, §7.1) -------------------------------------- */

int duet_igmp_query_parse(struct duet_cur *c, struct duet_igmp_query *q)
{
	struct duet_cur save = *c;
	size_t left = duet_cur_left(c);
	const uint8_t *p = duet_cur_peek(c, DUET_IGMP_V2_LEN);

	if (!p)
		return -DUET_WE_TRUNCATED;
	if (p[0] != DUET_IGMP_QUERY)
		return -DUET_WE_BAD_TYPE;
	/* §7.1: "Query messages that do not match any of the above conditions
	 * (e.g., a Query of length 10 octets) MUST be silently ignored." */
	if (left > DUET_IGMP_V2_LEN && left < DUET_IGMP_V3_QUERY_LEN)
		return -DUET_WE_BAD_LENGTH;
	memset(q, 0, sizeof *q);
	q->max_resp_code = p[1];
	memcpy(q->group_address, p + 4, 4);
	if (left == DUET_IGMP_V2_LEN) {
		/* IGMPv1: Max Resp Code 0; IGMPv2: non-zero. */
		q->version = p[1] ? 2 : 1;
		duet_cur_take(c, DUET_IGMP_V2_LEN);
		return 0;
	}
	p = duet_cur_take(c, DUET_IGMP_V3_QUERY_LEN);
	q->version = 3;
	q->s = p[8] & 0x08;
	q->qrv = p[8] & 0x07;
	q->qqic = p[9];
	q->number_of_sources = duet_get_be16(p + 10);
	q->sources = duet_cur_take(c, (size_t)q->number_of_sources * 4);
	if (!q->sources) {
		*c = save;
		return -DUET_WE_BAD_LENGTH;
	}
	return 0;
}

size_t duet_igmp_query_len(const struct duet_igmp_query *q)
{
	if (q->version < 3)
		return DUET_IGMP_V2_LEN;
	return DUET_IGMP_V3_QUERY_LEN + (size_t)q->number_of_sources * 4;
}

int duet_igmp_query_emit(const struct duet_igmp_query *q, struct duet_wcur *w)
{
	uint8_t *p;

	if (q->version < 1 || q->version > 3)
		return -DUET_WE_BAD_VERSION;
	if (q->qrv > 7)
		return -DUET_WE_TOO_BIG;
	p = duet_wcur_take(w, duet_igmp_query_len(q));
	if (!p)
		return -DUET_WE_NOSPACE;
	memset(p, 0, DUET_IGMP_V2_LEN);
	p[0] = DUET_IGMP_QUERY;
	p[1] = q->version == 1 ? 0 : q->max_resp_code;
	memcpy(p + 4, q->group_address, 4);
	if (q->version < 3)
		return 0;
	p[8] = (uint8_t)((q->s ? 0x08u : 0u) | q->qrv);
	p[9] = q->qqic;
	duet_put_be16(p + 10, q->number_of_sources);
	if (q->number_of_sources)
		memcpy(p + 12, q->sources, (size_t)q->number_of_sources * 4);
	return 0;
}

/* ---- IGMPv1/v2 Reports and Leave Group (RFC 2236 §2) -------------------- */

int duet_igmp_v2_parse(struct duet_cur *c, struct duet_igmp_v2 *m)
{
	const uint8_t *p = duet_cur_peek(c, DUET_IGMP_V2_LEN);

	if (!p)
		return -DUET_WE_TRUNCATED;
	if (p[0] != DUET_IGMP_V1_REPORT && p[0] != DUET_IGMP_V2_REPORT &&
	    p[0] != DUET_IGMP_V2_LEAVE)
		return -DUET_WE_BAD_TYPE;
	duet_cur_take(c, DUET_IGMP_V2_LEN);
	m->type = p[0];
	m->max_resp_time = p[1];
	memcpy(m->group_address, p + 4, 4);
	return 0;
}

size_t duet_igmp_v2_len(const struct duet_igmp_v2 *m)
{
	(void)m;
	return DUET_IGMP_V2_LEN;
}

int duet_igmp_v2_emit(const struct duet_igmp_v2 *m, struct duet_wcur *w)
{
	uint8_t *p = duet_wcur_take(w, DUET_IGMP_V2_LEN);

	if (!p)
		return -DUET_WE_NOSPACE;
	p[0] = m->type;
	p[1] = m->max_resp_time;
	duet_put_be16(p + 2, 0);
	memcpy(p + 4, m->group_address, 4);
	return 0;
}

/* ---- IGMPv3 Reports and their Group Records (RFC 3376 §4.2) ------------- */

void duet_igmp_record_iter_init(struct duet_igmp_record_iter *it,
				const struct duet_igmp_report *r)
{
	duet_cur_init(&it->c, r->records, r->records_len);
	it->left = r->number_of_group_records;
}

int duet_igmp_record_next(struct duet_igmp_record_iter *it, struct duet_igmp_record *rec)
{
	struct gmp_record g;
	int n;

	if (it->left == 0)
		return 0;
	n = gmp_record_take(&it->c, 4, &g);
	if (n < 0)
		return n;
	rec->record_type = g.record_type;
	rec->aux_data_len = g.aux_data_len;
	rec->number_of_sources = g.number_of_sources;
	memcpy(rec->multicast_address, g.address, 4);
	rec->sources = g.sources;
	rec->aux_data = g.aux_data;
	it->left--;
	return 1;
}

bool duet_igmp_record_type_is_known(uint8_t record_type)
{
	return record_type >= DUET_IGMP_MODE_IS_INCLUDE &&
	       record_type <= DUET_IGMP_BLOCK_OLD_SOURCES;
}

int duet_igmp_report_parse(struct duet_cur *c, struct duet_igmp_report *r)
{
	return gmp_report_parse(c, DUET_IGMP_V3_REPORT, 4, &r->number_of_group_records, &r->records,
				&r->records_len);
}

size_t duet_igmp_report_len(const struct duet_igmp_report *r)
{
	(void)r;
	return DUET_IGMP_V3_REPORT_LEN;
}

int duet_igmp_report_emit(const struct duet_igmp_report *r, struct duet_wcur *w)
{
	return gmp_report_put(DUET_IGMP_V3_REPORT, r->number_of_group_records, w);
}

size_t duet_igmp_record_len(const struct duet_igmp_record *rec)
{
	return gmp_record_len(4, rec->number_of_sources, rec->aux_data_len);
}

int duet_igmp_record_emit(const struct duet_igmp_record *rec, struct duet_wcur *w)
{
	struct gmp_record g = { rec->record_type, rec->aux_data_len, rec->number_of_sources,
				rec->multicast_address, rec->sources, rec->aux_data };

	return gmp_record_put(&g, 4, w);
}

/* ---- Codes and checksum ------------------------------------------------- */

/* RFC 3376 §4.1.1 / §4.1.7 define the 8-bit floating-point format that RFC
 * 3810 §5.1.9 later took for MLDv2's QQIC: one implementation serves all. */
uint32_t duet_igmp_code_decode(uint8_t code)
{
	return duet_mld_qqic_decode(code);
}

uint8_t duet_igmp_code_encode(uint32_t value)
{
	return duet_mld_qqic_encode(value);
}

/* §4.1.2: "the 16-bit one's complement of the one's complement sum of the
 * whole IGMP message (the entire IP payload)", in the place ICMPv4 has it. */
bool duet_igmp_csum_ok(const uint8_t *msg, size_t len)
{
	return duet_icmp4_csum_ok(msg, len);
}

int duet_igmp_csum_set(uint8_t *msg, size_t len)
{
	return duet_icmp4_csum_set(msg, len);
}
