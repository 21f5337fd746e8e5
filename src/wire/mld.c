/* duet — MLDv1 (RFC 2710) and MLDv2 (RFC 3810) message parse/emit and the
 * exponential code encodings. */
#include <duet/wire/mld.h>
#include <duet/wire/icmp6.h>
#include <duet/wire/errors.h>
#include <duet/byteorder.h>

#include <string.h>

#include "wire/gmp.h"

/* ---- Queries ----------------------------------------------------------- */

int duet_mld_query_parse(struct duet_cur *c, struct duet_mld_query *q)
{
	struct duet_cur save = *c;
	size_t left = duet_cur_left(c);
	const uint8_t *p = duet_cur_peek(c, DUET_MLD_V1_LEN);

	if (!p)
		return -DUET_WE_TRUNCATED;
	if (p[0] != DUET_ICMP6_MLD_QUERY)
		return -DUET_WE_BAD_TYPE;
	/* RFC 3810 §8.1: the version is told by the length alone; 25 to 27
	 * octets is neither and the query is ignored. */
	if (left > DUET_MLD_V1_LEN && left < DUET_MLD_V2_QUERY_LEN)
		return -DUET_WE_BAD_LENGTH;
	memset(q, 0, sizeof *q);
	q->maximum_response_code = duet_get_be16(p + 4);
	memcpy(q->multicast_address, p + 8, 16);
	if (left == DUET_MLD_V1_LEN) {
		duet_cur_take(c, DUET_MLD_V1_LEN);
		return 0;
	}
	p = duet_cur_take(c, DUET_MLD_V2_QUERY_LEN);
	q->is_v2 = true;
	q->s = p[24] & 0x08;
	q->qrv = p[24] & 0x07;
	q->qqic = p[25];
	q->number_of_sources = duet_get_be16(p + 26);
	q->sources = duet_cur_take(c, (size_t)q->number_of_sources * 16);
	if (!q->sources) {
		*c = save;
		return -DUET_WE_BAD_LENGTH;
	}
	return 0;
}

size_t duet_mld_query_len(const struct duet_mld_query *q)
{
	if (!q->is_v2)
		return DUET_MLD_V1_LEN;
	return DUET_MLD_V2_QUERY_LEN + (size_t)q->number_of_sources * 16;
}

int duet_mld_query_emit(const struct duet_mld_query *q, struct duet_wcur *w)
{
	size_t len = duet_mld_query_len(q);
	uint8_t *p;

	if (q->qrv > 7)
		return -DUET_WE_TOO_BIG;
	p = duet_wcur_take(w, len);
	if (!p)
		return -DUET_WE_NOSPACE;
	memset(p, 0, DUET_MLD_V1_LEN);
	p[0] = DUET_ICMP6_MLD_QUERY;
	duet_put_be16(p + 4, q->maximum_response_code);
	memcpy(p + 8, q->multicast_address, 16);
	if (!q->is_v2)
		return 0;
	p[24] = (uint8_t)((q->s ? 0x08u : 0u) | q->qrv);
	p[25] = q->qqic;
	duet_put_be16(p + 26, q->number_of_sources);
	if (q->number_of_sources)
		memcpy(p + 28, q->sources, (size_t)q->number_of_sources * 16);
	return 0;
}

/* ---- MLDv1 Report and Done -------------------------------------------- */

int duet_mld_v1_parse(struct duet_cur *c, struct duet_mld_v1 *m)
{
	const uint8_t *p = duet_cur_peek(c, DUET_MLD_V1_LEN);

	if (!p)
		return -DUET_WE_TRUNCATED;
	if (p[0] != DUET_ICMP6_MLD_REPORT && p[0] != DUET_ICMP6_MLD_DONE)
		return -DUET_WE_BAD_TYPE;
	duet_cur_take(c, DUET_MLD_V1_LEN);
	m->type = p[0];
	m->maximum_response_delay = duet_get_be16(p + 4);
	memcpy(m->multicast_address, p + 8, 16);
	return 0;
}

size_t duet_mld_v1_len(const struct duet_mld_v1 *m)
{
	(void)m;
	return DUET_MLD_V1_LEN;
}

int duet_mld_v1_emit(const struct duet_mld_v1 *m, struct duet_wcur *w)
{
	uint8_t *p = duet_wcur_take(w, DUET_MLD_V1_LEN);

	if (!p)
		return -DUET_WE_NOSPACE;
	memset(p, 0, DUET_MLD_V1_LEN);
	p[0] = m->type;
	duet_put_be16(p + 4, m->maximum_response_delay);
	memcpy(p + 8, m->multicast_address, 16);
	return 0;
}

/* ---- MLDv2 Report and its records ------------------------------------- */

void duet_mld_record_iter_init(struct duet_mld_record_iter *it, const struct duet_mld_report *r)
{
	duet_cur_init(&it->c, r->records, r->records_len);
	it->left = r->nr_of_mcast_address_records;
}

int duet_mld_record_next(struct duet_mld_record_iter *it, struct duet_mld_record *rec)
{
	struct gmp_record g;
	int n;

	if (it->left == 0)
		return 0;
	n = gmp_record_take(&it->c, 16, &g);
	if (n < 0)
		return n;
	rec->record_type = g.record_type;
	rec->aux_data_len = g.aux_data_len;
	rec->number_of_sources = g.number_of_sources;
	memcpy(rec->multicast_address, g.address, 16);
	rec->sources = g.sources;
	rec->aux_data = g.aux_data;
	it->left--;
	return 1;
}

bool duet_mld_record_type_is_known(uint8_t record_type)
{
	return record_type >= DUET_MLD_MODE_IS_INCLUDE && record_type <= DUET_MLD_BLOCK_OLD_SOURCES;
}

int duet_mld_report_parse(struct duet_cur *c, struct duet_mld_report *r)
{
	return gmp_report_parse(c, DUET_ICMP6_MLD2_REPORT, 16, &r->nr_of_mcast_address_records, &r->records,
				&r->records_len);
}

size_t duet_mld_report_len(const struct duet_mld_report *r)
{
	(void)r;
	return DUET_MLD_V2_REPORT_LEN;
}

int duet_mld_report_emit(const struct duet_mld_report *r, struct duet_wcur *w)
{
	return gmp_report_put(DUET_ICMP6_MLD2_REPORT, r->nr_of_mcast_address_records, w);
}

size_t duet_mld_record_len(const struct duet_mld_record *rec)
{
	return gmp_record_len(16, rec->number_of_sources, rec->aux_data_len);
}

int duet_mld_record_emit(const struct duet_mld_record *rec, struct duet_wcur *w)
{
	struct gmp_record g = { rec->record_type, rec->aux_data_len, rec->number_of_sources,
				rec->multicast_address, rec->sources, rec->aux_data };

	return gmp_record_put(&g, 16, w);
}

/* ---- Exponential codes (RFC 3810 §5.1.3, §5.1.9) ----------------------- */

/* Decodes |1|exp|mant| with mant_bits of mantissa: (mant | 1 << mant_bits)
 * << (exp + 3). */
static uint32_t mld_exp_decode(uint32_t code, unsigned mant_bits)
{
	uint32_t mant = code & ((1u << mant_bits) - 1);
	uint32_t exp = (code >> mant_bits) & 7;
	return (mant | 1u << mant_bits) << (exp + 3);
}

/* Encodes value (at least 1 << (mant_bits + 3)) as |1|exp|mant|, rounding
 * down and saturating. */
static uint32_t mld_exp_encode(uint32_t value, unsigned mant_bits)
{
	uint32_t top = (2u << mant_bits) - 1; /* the largest mant | 1 << mant_bits */
	uint32_t exp;

	for (exp = 0; exp < 7 && (value >> (exp + 3)) > top; exp++)
		;
	if ((value >> (exp + 3)) > top)
		return 1u << (mant_bits + 3) | 7u << mant_bits | (top & ((1u << mant_bits) - 1));
	return 1u << (mant_bits + 3) | exp << mant_bits |
	       ((value >> (exp + 3)) & ((1u << mant_bits) - 1));
}

uint32_t duet_mld_mrc_decode(uint16_t code)
{
	return code < 0x8000 ? code : mld_exp_decode(code, 12);
}

uint16_t duet_mld_mrc_encode(uint32_t ms)
{
	return (uint16_t)(ms < 0x8000 ? ms : mld_exp_encode(ms, 12));
}

uint32_t duet_mld_qqic_decode(uint8_t code)
{
	return code < 0x80 ? code : mld_exp_decode(code, 4);
}

uint8_t duet_mld_qqic_encode(uint32_t seconds)
{
	return (uint8_t)(seconds < 0x80 ? seconds : mld_exp_encode(seconds, 4));
}
