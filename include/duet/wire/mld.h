/* duet — Multicast Listener Discovery messages: MLDv1 (RFC 2710 §3) and
 * MLDv2 Query and Report (RFC 3810 §5), with the Maximum Response Code and
 * QQIC encodings (RFC 3810 §5.1.3, §5.1.9). RFC 3810 is now obsoleted by
 * RFC 9777 (STD 101); section numbers here are RFC 3810's.
 *
 * MLDv1 Query (130), Report (131), Done (132) — 24 octets:
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Type      |     Code      |          Checksum             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Maximum Response Delay    |          Reserved             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                   Multicast Address (128)                     |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * MLDv2 Query (130), 28 octets or more (RFC 3810 §5.1):
 *  |  Type = 130   |      Code     |           Checksum            |
 *  |    Maximum Response Code      |           Reserved            |
 *  |                   Multicast Address (128)                     |
 *  | Resv  |S| QRV |     QQIC      |     Number of Sources (N)     |
 *  |                 Source Address [1..N] (128 each)              |
 *
 * MLDv2 Report (143) (RFC 3810 §5.2) and one Multicast Address Record:
 *  |  Type = 143   |    Reserved   |           Checksum            |
 *  |           Reserved            |Nr of Mcast Address Records (M)|
 *  |                 Multicast Address Record [1..M]               |
 *
 *  |  Record Type  |  Aux Data Len |     Number of Sources (N)     |
 *  |                   Multicast Address (128)                     |
 *  |                 Source Address [1..N] (128 each)              |
 *  |             Auxiliary Data (Aux Data Len 32-bit words)        |
 *
 * Parsers take the message from its Type octet in a cursor that the IPv6
 * layer limited to the ICMPv6 message (the query version depends on its
 * length), after the checksum was verified. The Code is ignored, as RFC 2710
 * §3 and RFC 3810 §5 ask. Source lists, records and auxiliary data are
 * pointers into the message, not copies. */
#ifndef DUET_WIRE_MLD_H
#define DUET_WIRE_MLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <duet/cursor.h>

#define DUET_MLD_V1_LEN 24u
#define DUET_MLD_V2_QUERY_LEN 28u    /* without sources */
#define DUET_MLD_V2_REPORT_LEN 8u    /* without records */
#define DUET_MLD_RECORD_LEN 20u      /* without sources and aux data */

/* Multicast Address Record types (RFC 3810 §5.2.12). */
#define DUET_MLD_MODE_IS_INCLUDE    1u
#define DUET_MLD_MODE_IS_EXCLUDE    2u
#define DUET_MLD_CHANGE_TO_INCLUDE  3u
#define DUET_MLD_CHANGE_TO_EXCLUDE  4u
#define DUET_MLD_ALLOW_NEW_SOURCES  5u
#define DUET_MLD_BLOCK_OLD_SOURCES  6u

/* Largest values the exponential codes can express. */
#define DUET_MLD_MRC_MAX_MS 8387584u  /* 0x1fff << 10 */
#define DUET_MLD_QQIC_MAX_S 31744u    /* 0x1f << 10 */

/* A Multicast Listener Query, version 1 or 2. */
struct duet_mld_query {
	bool is_v2;                     /* 28 octets or more (RFC 3810 §8.1) */
	uint16_t maximum_response_code; /* v1: Maximum Response Delay in ms;
					 * v2: see duet_mld_mrc_decode() */
	uint8_t multicast_address[16];  /* :: for a General Query */
	/* MLDv2 only, 0 for v1: */
	bool s;                         /* Suppress Router-Side Processing */
	uint8_t qrv;                    /* Querier's Robustness Variable, 3 bits */
	uint8_t qqic;                   /* see duet_mld_qqic_decode() */
	uint16_t number_of_sources;
	const uint8_t *sources;         /* number_of_sources * 16 octets */
};

/* Parses a Query (type 130) from c. A message of exactly 24 octets is an
 * MLDv1 Query; 28 or more an MLDv2 Query whose Additional Data after the
 * sources stays in c (RFC 3810 §5.1.12: ignored). Returns 0, or with the
 * cursor unchanged -DUET_WE_TRUNCATED (under 24 octets), -DUET_WE_BAD_TYPE,
 * or -DUET_WE_BAD_LENGTH (25-27 octets, RFC 3810 §8.1, or sources running
 * past the message). */
int duet_mld_query_parse(struct duet_cur *c, struct duet_mld_query *q);

/* Length of q on the wire: 24 (v1), or 28 + 16 * number_of_sources. */
size_t duet_mld_query_len(const struct duet_mld_query *q);

/* Writes q (Checksum 0), sources copied for v2. Returns 0,
 * -DUET_WE_NOSPACE (nothing written) or -DUET_WE_TOO_BIG (qrv > 7). */
int duet_mld_query_emit(const struct duet_mld_query *q, struct duet_wcur *w);

/* An MLDv1 Report (131) or Done (132). */
struct duet_mld_v1 {
	uint8_t type;
	uint16_t maximum_response_delay; /* 0 in Reports and Dones */
	uint8_t multicast_address[16];
};

/* Parses an MLDv1 Report or Done from c (24 octets; anything after stays in
 * c). Returns 0, or -DUET_WE_TRUNCATED / -DUET_WE_BAD_TYPE (cursor
 * unchanged). Queries go to duet_mld_query_parse(). */
int duet_mld_v1_parse(struct duet_cur *c, struct duet_mld_v1 *m);

/* Length on the wire: always 24. */
size_t duet_mld_v1_len(const struct duet_mld_v1 *m);

/* Writes m (Checksum 0). Returns 0 or -DUET_WE_NOSPACE. */
int duet_mld_v1_emit(const struct duet_mld_v1 *m, struct duet_wcur *w);

/* An MLDv2 Report. */
struct duet_mld_report {
	uint16_t nr_of_mcast_address_records;
	const uint8_t *records;  /* the M records */
	size_t records_len;      /* their total length */
};

/* Parses an MLDv2 Report (143) from c, checking that its M records fit;
 * octets after them stay in c. After success, iterating the records cannot
 * fail. Returns 0, or with the cursor unchanged -DUET_WE_TRUNCATED (under 8
 * octets), -DUET_WE_BAD_TYPE, or -DUET_WE_BAD_LENGTH (a record runs past
 * the message). */
int duet_mld_report_parse(struct duet_cur *c, struct duet_mld_report *r);

/* Length of the Report's header: 8 (records are emitted separately). */
size_t duet_mld_report_len(const struct duet_mld_report *r);

/* Writes the 8-octet Report header (Checksum 0); append the
 * nr_of_mcast_address_records records with duet_mld_record_emit().
 * Returns 0 or -DUET_WE_NOSPACE. */
int duet_mld_report_emit(const struct duet_mld_report *r, struct duet_wcur *w);

/* One Multicast Address Record. */
struct duet_mld_record {
	uint8_t record_type;
	uint8_t aux_data_len;           /* in 32-bit words */
	uint16_t number_of_sources;
	uint8_t multicast_address[16];
	const uint8_t *sources;         /* number_of_sources * 16 octets */
	const uint8_t *aux_data;        /* aux_data_len * 4 octets */
};

struct duet_mld_record_iter {
	struct duet_cur c;
	uint16_t left;  /* records still to return */
};

/* Starts iterating the records of a parsed report (its memory must stay
 * valid meanwhile). */
void duet_mld_record_iter_init(struct duet_mld_record_iter *it, const struct duet_mld_report *r);

/* Returns the next record in *rec: 1, 0 after the last, or
 * -DUET_WE_BAD_LENGTH when it runs past the report (ends the walk). Record
 * types outside 1-6 are returned too (their length is known): the caller
 * ignores them (see duet_mld_record_type_is_known()). */
int duet_mld_record_next(struct duet_mld_record_iter *it, struct duet_mld_record *rec);

/* True for the record types RFC 3810 §5.2.12 defines (1-6). */
bool duet_mld_record_type_is_known(uint8_t record_type);

/* Length of rec on the wire: 20 + 16 * sources + 4 * aux words. */
size_t duet_mld_record_len(const struct duet_mld_record *rec);

/* Writes rec, sources and aux data copied. Returns 0 or -DUET_WE_NOSPACE. */
int duet_mld_record_emit(const struct duet_mld_record *rec, struct duet_wcur *w);

/* Maximum Response Code -> Maximum Response Delay in milliseconds
 * (RFC 3810 §5.1.3): below 32768 the code is the delay; above, a 3-bit
 * exponent and 12-bit mantissa: (mant | 0x1000) << (exp + 3). */
uint32_t duet_mld_mrc_decode(uint16_t code);

/* The code for a delay: exact below 32768 ms, otherwise rounded down to a
 * representable value; saturates at DUET_MLD_MRC_MAX_MS. */
uint16_t duet_mld_mrc_encode(uint32_t ms);

/* QQIC -> Querier's Query Interval in seconds (RFC 3810 §5.1.9): below 128
 * the code is the interval; above, (mant | 0x10) << (exp + 3). */
uint32_t duet_mld_qqic_decode(uint8_t code);

/* The QQIC for an interval, rounded down; saturates at DUET_MLD_QQIC_MAX_S. */
uint8_t duet_mld_qqic_encode(uint32_t seconds);

#endif
