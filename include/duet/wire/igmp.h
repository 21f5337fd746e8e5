/* duet — Internet Group Management Protocol messages: IGMPv1 (RFC 1112
 * App. I), IGMPv2 (RFC 2236 §2) and IGMPv3 Query and Report (RFC 3376 §4),
 * with the Max Resp Code and QQIC encoding (RFC 3376 §4.1.1, §4.1.7). RFC
 * 3376 is now obsoleted by RFC 9776 (STD 100); section numbers here are
 * RFC 3376's. IGMP is IPv4 Protocol 2; its checksum covers the whole
 * message (the IP payload) and no pseudo-header (§4.1.2).
 *
 * IGMPv1 / IGMPv2 message — 8 octets (RFC 2236 §2; in IGMPv1 the first
 * octet is Version 1 and Type 1 or 2, the second unused):
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      Type     | Max Resp Time |           Checksum            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         Group Address                         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * IGMPv3 Membership Query (0x11), 12 octets or more (RFC 3376 §4.1):
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Type = 0x11  | Max Resp Code |           Checksum            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         Group Address                         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | Resv  |S| QRV |     QQIC      |     Number of Sources (N)     |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                   Source Address [1..N] (32 each)             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * IGMPv3 Membership Report (0x22) (RFC 3376 §4.2) and one Group Record:
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Type = 0x22  |    Reserved   |           Checksum            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |           Reserved            |  Number of Group Records (M)  |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                      Group Record [1..M]                      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Record Type  |  Aux Data Len |     Number of Sources (N)     |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       Multicast Address                       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                   Source Address [1..N] (32 each)             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |           Auxiliary Data (Aux Data Len 32-bit words)          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Parsers take the message from its Type octet in a cursor that the IPv4
 * layer limited to the datagram's payload (the query version depends on its
 * length, §7.1); verify the checksum first with duet_igmp_csum_ok().
 * Source lists, records and auxiliary data are pointers into the message,
 * not copies. */
#ifndef DUET_WIRE_IGMP_H
#define DUET_WIRE_IGMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <duet/cursor.h>

#define DUET_IGMP_PROTO 2u            /* IPv4 Protocol number (RFC 1112 App. I) */

#define DUET_IGMP_V2_LEN 8u           /* IGMPv1/v2 messages, the shortest IGMP */
#define DUET_IGMP_V3_QUERY_LEN 12u    /* without sources */
#define DUET_IGMP_V3_REPORT_LEN 8u    /* without records */
#define DUET_IGMP_RECORD_LEN 8u       /* without sources and aux data */

/* Message types (RFC 3376 §4, RFC 2236 §2, RFC 1112 App. I). */
#define DUET_IGMP_QUERY      0x11u    /* Membership Query, every version */
#define DUET_IGMP_V1_REPORT  0x12u
#define DUET_IGMP_V2_REPORT  0x16u
#define DUET_IGMP_V2_LEAVE   0x17u    /* Leave Group */
#define DUET_IGMP_V3_REPORT  0x22u

/* Group Record types (RFC 3376 §4.2.12). */
#define DUET_IGMP_MODE_IS_INCLUDE    1u
#define DUET_IGMP_MODE_IS_EXCLUDE    2u
#define DUET_IGMP_CHANGE_TO_INCLUDE  3u
#define DUET_IGMP_CHANGE_TO_EXCLUDE  4u
#define DUET_IGMP_ALLOW_NEW_SOURCES  5u
#define DUET_IGMP_BLOCK_OLD_SOURCES  6u

/* The largest value the exponential code expresses (0x1f << 10). */
#define DUET_IGMP_CODE_MAX 31744u

/* A Membership Query, any version. */
struct duet_igmp_query {
	uint8_t version;                /* 1, 2 or 3, told apart as RFC 3376 §7.1 says */
	uint8_t max_resp_code;          /* v1: 0; v2: Max Resp Time in 1/10 s;
					 * v3: see duet_igmp_code_decode() (1/10 s) */
	uint8_t group_address[4];       /* 0.0.0.0 for a General Query */
	/* IGMPv3 only, 0 for v1/v2: */
	bool s;                         /* Suppress Router-Side Processing */
	uint8_t qrv;                    /* Querier's Robustness Variable, 3 bits */
	uint8_t qqic;                   /* see duet_igmp_code_decode() (seconds) */
	uint16_t number_of_sources;
	const uint8_t *sources;         /* number_of_sources * 4 octets */
};

/* Parses a Query (type 0x11) from c. Exactly 8 octets is IGMPv1 (Max Resp
 * Code 0) or IGMPv2; 12 or more IGMPv3, whose additional data after the
 * sources stays in c (§4.1.10: ignored). Returns 0, or with the cursor
 * unchanged -DUET_WE_TRUNCATED (under 8 octets), -DUET_WE_BAD_TYPE, or
 * -DUET_WE_BAD_LENGTH (9-11 octets, which §7.1 says "MUST be silently
 * ignored", or sources running past the message). */
int duet_igmp_query_parse(struct duet_cur *c, struct duet_igmp_query *q);

/* Length of q on the wire: 8 (v1, v2), or 12 + 4 * number_of_sources. */
size_t duet_igmp_query_len(const struct duet_igmp_query *q);

/* Writes q (Checksum 0), sources copied for v3; version 1 writes Max Resp
 * Code 0 (RFC 1112's unused octet). Returns 0, or with nothing written
 * -DUET_WE_NOSPACE, -DUET_WE_BAD_VERSION (not 1-3) or -DUET_WE_TOO_BIG
 * (qrv > 7). */
int duet_igmp_query_emit(const struct duet_igmp_query *q, struct duet_wcur *w);

/* An IGMPv1 Report (0x12), IGMPv2 Report (0x16) or Leave Group (0x17). */
struct duet_igmp_v2 {
	uint8_t type;
	uint8_t max_resp_time;          /* 0 in Reports and Leaves */
	uint8_t group_address[4];
};

/* Parses a Report or Leave Group from c (8 octets; anything after stays in
 * c, which RFC 2236 §2.5 says to ignore). Returns 0, or -DUET_WE_TRUNCATED /
 * -DUET_WE_BAD_TYPE (cursor unchanged). Queries go to
 * duet_igmp_query_parse(). */
int duet_igmp_v2_parse(struct duet_cur *c, struct duet_igmp_v2 *m);

/* Length on the wire: always 8. */
size_t duet_igmp_v2_len(const struct duet_igmp_v2 *m);

/* Writes m (Checksum 0). Returns 0 or -DUET_WE_NOSPACE. */
int duet_igmp_v2_emit(const struct duet_igmp_v2 *m, struct duet_wcur *w);

/* An IGMPv3 Membership Report. */
struct duet_igmp_report {
	uint16_t number_of_group_records;
	const uint8_t *records;  /* the M records */
	size_t records_len;      /* their total length */
};

/* Parses an IGMPv3 Report (0x22) from c, checking that its M records fit;
 * octets after them stay in c. After success, iterating the records cannot
 * fail. Returns 0, or with the cursor unchanged -DUET_WE_TRUNCATED (under 8
 * octets), -DUET_WE_BAD_TYPE, or -DUET_WE_BAD_LENGTH (a record runs past
 * the message). */
int duet_igmp_report_parse(struct duet_cur *c, struct duet_igmp_report *r);

/* Length of the Report's header: 8 (records are emitted separately). */
size_t duet_igmp_report_len(const struct duet_igmp_report *r);

/* Writes the 8-octet Report header (Checksum 0); append the
 * number_of_group_records records with duet_igmp_record_emit(). Returns 0
 * or -DUET_WE_NOSPACE. */
int duet_igmp_report_emit(const struct duet_igmp_report *r, struct duet_wcur *w);

/* One Group Record. */
struct duet_igmp_record {
	uint8_t record_type;
	uint8_t aux_data_len;           /* in 32-bit words */
	uint16_t number_of_sources;
	uint8_t multicast_address[4];
	const uint8_t *sources;         /* number_of_sources * 4 octets */
	const uint8_t *aux_data;        /* aux_data_len * 4 octets */
};

struct duet_igmp_record_iter {
	struct duet_cur c;
	uint16_t left;  /* records still to return */
};

/* Starts iterating the records of a parsed report (its memory must stay
 * valid meanwhile). */
void duet_igmp_record_iter_init(struct duet_igmp_record_iter *it,
				const struct duet_igmp_report *r);

/* Returns the next record in *rec: 1, 0 after the last, or
 * -DUET_WE_BAD_LENGTH when it runs past the report (ends the walk). Record
 * types outside 1-6 are returned too (their length is known): the caller
 * ignores them (§4.2.12; see duet_igmp_record_type_is_known()). */
int duet_igmp_record_next(struct duet_igmp_record_iter *it, struct duet_igmp_record *rec);

/* True for the record types RFC 3376 §4.2.12 defines (1-6). */
bool duet_igmp_record_type_is_known(uint8_t record_type);

/* Length of rec on the wire: 8 + 4 * sources + 4 * aux words. */
size_t duet_igmp_record_len(const struct duet_igmp_record *rec);

/* Writes rec, sources and aux data copied. Returns 0 or -DUET_WE_NOSPACE. */
int duet_igmp_record_emit(const struct duet_igmp_record *rec, struct duet_wcur *w);

/* Max Resp Code (in 1/10 s) and QQIC (in s) -> their value (RFC 3376
 * §4.1.1, §4.1.7): below 128 the code is the value; above, a 3-bit
 * exponent and 4-bit mantissa: (mant | 0x10) << (exp + 3). The format of
 * MLDv2's QQIC (RFC 3810 §5.1.9). */
uint32_t duet_igmp_code_decode(uint8_t code);

/* The code for a value, exact below 128, otherwise rounded down;
 * saturates at DUET_IGMP_CODE_MAX. */
uint8_t duet_igmp_code_encode(uint32_t value);

/* True when the checksum of the complete message at msg (len octets, the
 * whole IP payload; not modified) verifies. False when len < 8. */
bool duet_igmp_csum_ok(const uint8_t *msg, size_t len);

/* Computes and stores the checksum of the complete message at msg (len
 * octets, in place). Returns 0, or -DUET_WE_TRUNCATED (nothing written)
 * when len < 8. */
int duet_igmp_csum_set(uint8_t *msg, size_t len);

#endif
