/* duet — what MLDv2 (RFC 3810 §5.2) and IGMPv3 (RFC 3376 §4.2) Reports
 * share on the wire: an 8-octet report header (type, reserved, count at
 * octet 6) and Address/Group Records that differ only in the address
 * length (16 or 4). wire/mld.c and wire/igmp.c wrap these. Not public. */
#ifndef DUET_WIRE_GMP_H
#define DUET_WIRE_GMP_H

#include <stddef.h>
#include <stdint.h>

#include <duet/cursor.h>

/* One record, its variable parts pointing into the message. */
struct gmp_record {
	uint8_t record_type;
	uint8_t aux_data_len;        /* 32-bit words */
	uint16_t number_of_sources;
	const uint8_t *address;      /* addr_len octets */
	const uint8_t *sources;      /* number_of_sources * addr_len octets */
	const uint8_t *aux_data;     /* aux_data_len * 4 octets */
};

/* Takes one record from c. Returns 1, or -DUET_WE_BAD_LENGTH with c
 * unchanged. */
int gmp_record_take(struct duet_cur *c, size_t addr_len, struct gmp_record *rec);

/* Octets of a record with nsrc sources and aux words of auxiliary data. */
size_t gmp_record_len(size_t addr_len, uint16_t nsrc, uint8_t aux);

/* Writes rec. Returns 0 or -DUET_WE_NOSPACE (nothing written). */
int gmp_record_put(const struct gmp_record *rec, size_t addr_len, struct duet_wcur *w);

/* Parses a report of type from c: its count and the records' extent,
 * every record checked (addr_len); consumes header and records. Returns 0,
 * -DUET_WE_TRUNCATED, -DUET_WE_BAD_TYPE or -DUET_WE_BAD_LENGTH. */
int gmp_report_parse(struct duet_cur *c, uint8_t type, size_t addr_len, uint16_t *count,
		     const uint8_t **records, size_t *records_len);

/* Writes a report header of type with count records. */
int gmp_report_put(uint8_t type, uint16_t count, struct duet_wcur *w);

#endif
