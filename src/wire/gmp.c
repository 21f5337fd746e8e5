/* duet — the report and record layout MLDv2 (RFC 3810 §5.2) and IGMPv3
 * (RFC 3376 §4.2) share, parametrised by the address length. */
#include "wire/gmp.h"

#include <duet/byteorder.h>
#include <duet/wire/errors.h>

#include <string.h>

#define GMP_REPORT_LEN 8u

int gmp_record_take(struct duet_cur *c, size_t addr_len, struct gmp_record *rec)
{
	struct duet_cur save = *c;
	const uint8_t *p = duet_cur_take(c, 4 + addr_len);

	if (!p)
		return -DUET_WE_BAD_LENGTH;
	rec->record_type = p[0];
	rec->aux_data_len = p[1];
	rec->number_of_sources = duet_get_be16(p + 2);
	rec->address = p + 4;
	rec->sources = duet_cur_take(c, (size_t)rec->number_of_sources * addr_len);
	rec->aux_data = rec->sources ? duet_cur_take(c, (size_t)rec->aux_data_len * 4) : NULL;
	if (!rec->aux_data) {
		*c = save;
		return -DUET_WE_BAD_LENGTH;
	}
	return 1;
}

size_t gmp_record_len(size_t addr_len, uint16_t nsrc, uint8_t aux)
{
	return 4 + addr_len + (size_t)nsrc * addr_len + (size_t)aux * 4;
}

int gmp_record_put(const struct gmp_record *rec, size_t addr_len, struct duet_wcur *w)
{
	size_t src_len = (size_t)rec->number_of_sources * addr_len;
	uint8_t *p = duet_wcur_take(w, gmp_record_len(addr_len, rec->number_of_sources,
						      rec->aux_data_len));

	if (!p)
		return -DUET_WE_NOSPACE;
	p[0] = rec->record_type;
	p[1] = rec->aux_data_len;
	duet_put_be16(p + 2, rec->number_of_sources);
	memcpy(p + 4, rec->address, addr_len);
	if (src_len)
		memcpy(p + 4 + addr_len, rec->sources, src_len);
	if (rec->aux_data_len)
		memcpy(p + 4 + addr_len + src_len, rec->aux_data, (size_t)rec->aux_data_len * 4);
	return 0;
}

int gmp_report_parse(struct duet_cur *c, uint8_t type, size_t addr_len, uint16_t *count,
		     const uint8_t **records, size_t *records_len)
{
	const uint8_t *p = duet_cur_peek(c, GMP_REPORT_LEN);
	struct gmp_record rec;
	struct duet_cur rc;
	uint16_t i;
	int n;

	if (!p)
		return -DUET_WE_TRUNCATED;
	if (p[0] != type)
		return -DUET_WE_BAD_TYPE;
	*count = duet_get_be16(p + 6);
	duet_cur_init(&rc, p + GMP_REPORT_LEN, duet_cur_left(c) - GMP_REPORT_LEN);
	for (i = 0; i < *count; i++) {
		n = gmp_record_take(&rc, addr_len, &rec);
		if (n < 0)
			return n;
	}
	*records = p + GMP_REPORT_LEN;
	*records_len = rc.off;
	duet_cur_take(c, GMP_REPORT_LEN + rc.off);
	return 0;
}

int gmp_report_put(uint8_t type, uint16_t count, struct duet_wcur *w)
{
	uint8_t *p = duet_wcur_take(w, GMP_REPORT_LEN);

	if (!p)
		return -DUET_WE_NOSPACE;
	memset(p, 0, GMP_REPORT_LEN);
	p[0] = type;
	duet_put_be16(p + 6, count);
	return 0;
}
