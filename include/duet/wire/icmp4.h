/* duet — ICMPv4 message headers and checksums (RFC 792, RFC 1122 §3.2.2,
 * RFC 1191 Fragmentation Needed MTU, RFC 950 address mask, RFC 1256 router
 * discovery codes).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Type      |     Code      |          Checksum             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |           rest of header (meaning depends on the type)        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     data (echo data; or, for errors, the original IP header   |
 *  |     and at least the first 64 bits of its data)  ...          |
 *
 *  rest of header:
 *    Echo, Timestamp, Information, Address Mask (+replies):
 *        Identifier (16) | Sequence Number (16)
 *    Destination Unreachable: unused (16) | Next-Hop MTU (16, code 4)
 *    Parameter Problem:  Pointer (8) | unused (24)
 *    Redirect:           Gateway Internet Address (32)
 *    Time Exceeded, Source Quench: unused (32) */
#ifndef DUET_WIRE_ICMP4_H
#define DUET_WIRE_ICMP4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <duet/cursor.h>
#include <duet/wire/ip4.h>

#define DUET_ICMP4_HDR_LEN 8u

#define DUET_ICMP4_ECHO_REPLY        0u
#define DUET_ICMP4_DEST_UNREACH      3u
#define DUET_ICMP4_SOURCE_QUENCH     4u
#define DUET_ICMP4_REDIRECT          5u
#define DUET_ICMP4_ECHO              8u
#define DUET_ICMP4_ROUTER_ADVERT     9u
#define DUET_ICMP4_ROUTER_SOLICIT    10u
#define DUET_ICMP4_TIME_EXCEEDED     11u
#define DUET_ICMP4_PARAM_PROBLEM     12u
#define DUET_ICMP4_TIMESTAMP         13u
#define DUET_ICMP4_TIMESTAMP_REPLY   14u
#define DUET_ICMP4_INFO_REQUEST      15u
#define DUET_ICMP4_INFO_REPLY        16u
#define DUET_ICMP4_ADDR_MASK         17u
#define DUET_ICMP4_ADDR_MASK_REPLY   18u

/* Destination Unreachable codes (RFC 792, RFC 1122 §3.2.2.1, RFC 1812 §5.2.7.1). */
#define DUET_ICMP4_UNREACH_NET        0u
#define DUET_ICMP4_UNREACH_HOST       1u
#define DUET_ICMP4_UNREACH_PROTOCOL   2u
#define DUET_ICMP4_UNREACH_PORT       3u
#define DUET_ICMP4_UNREACH_NEEDFRAG   4u   /* carries the next-hop MTU (RFC 1191) */
#define DUET_ICMP4_UNREACH_SRCFAIL    5u
#define DUET_ICMP4_UNREACH_ADMIN      13u
#define DUET_ICMP4_UNREACH_MAX_CODE   15u

/* Time Exceeded codes. */
#define DUET_ICMP4_TIMXCEED_INTRANS   0u   /* TTL exceeded in transit */
#define DUET_ICMP4_TIMXCEED_REASS     1u   /* fragment reassembly time exceeded */

/* Parameter Problem codes (RFC 792, RFC 1122 §3.2.2.5, RFC 1108). */
#define DUET_ICMP4_PARAMPROB_POINTER  0u
#define DUET_ICMP4_PARAMPROB_OPTABSENT 1u
#define DUET_ICMP4_PARAMPROB_LENGTH   2u

struct duet_icmp4_hdr {
	uint8_t type;
	uint8_t code;
	uint16_t checksum;         /* as received; see duet_icmp4_csum_set() */
	uint16_t identifier;       /* echo/timestamp/info/mask types, else 0 */
	uint16_t sequence_number;  /* echo/timestamp/info/mask types, else 0 */
	uint8_t pointer;           /* Parameter Problem, else 0 */
	uint16_t next_hop_mtu;     /* Destination Unreachable code 4, else 0 */
	uint8_t gateway[4];        /* Redirect: Gateway Internet Address, else 0 */
	uint32_t rest;             /* parse: the 4 rest-of-header bytes raw;
				    * emit: written as is for the types not
				    * listed above (router advert, unknown) */
};

/* Parses the 8-byte ICMP header from c, consuming it (the message data stays
 * in c) and interpreting the rest of the header per type; unused bytes are
 * ignored (RFC 1122 §3.2.2). Unknown types parse (the caller discards them
 * silently, RFC 1122 §3.2.2). The checksum is not verified here: see
 * duet_icmp4_csum_ok(). Returns 0 or, with c unchanged,
 * -DUET_WE_TRUNCATED or -DUET_WE_BAD_CODE (a code not defined for a known
 * type). */
int duet_icmp4_parse(struct duet_cur *c, struct duet_icmp4_hdr *h);

/* Header length: 8. */
size_t duet_icmp4_len(const struct duet_icmp4_hdr *h);

/* Writes the 8-byte header at w, the rest of header built from the typed
 * fields (unused bytes zero) for the types that have them and from h->rest
 * for the others; the checksum field is written as h->checksum (normally 0,
 * then duet_icmp4_csum_set() once the data is in place). Returns 0 or, with
 * nothing written, -DUET_WE_NOSPACE or -DUET_WE_BAD_CODE. */
int duet_icmp4_emit(const struct duet_icmp4_hdr *h, struct duet_wcur *w);

/* True for the error types: Destination Unreachable, Source Quench,
 * Redirect, Time Exceeded, Parameter Problem. */
bool duet_icmp4_is_error(uint8_t type);

/* True when the checksum of the complete message at msg (len bytes, header
 * first; not modified) verifies. False when len < 8. */
bool duet_icmp4_csum_ok(const uint8_t *msg, size_t len);

/* Computes and stores the checksum of the complete message at msg (len
 * bytes, in place). Returns 0, or -DUET_WE_TRUNCATED (nothing written) when
 * len < 8. */
int duet_icmp4_csum_set(uint8_t *msg, size_t len);

/* For an error message h whose data is c (as left by duet_icmp4_parse),
 * parses the quoted IPv4 header into *ip (see duet_ip4_parse_quoted) and
 * sets *l4 to the quoted data that follows it: at least the first 8 bytes of
 * the original datagram's payload (RFC 792; fewer only when Total Length
 * says the datagram was shorter), more when the sender quoted more (RFC
 * 1812 §4.3.2.3). c is consumed; *l4 and ip->options point into c's buffer.
 * Returns 0 or, with c unchanged, -DUET_WE_BAD_TYPE (not an error type),
 * -DUET_WE_TRUNCATED (the quote is too short), -DUET_WE_BAD_VERSION or
 * -DUET_WE_BAD_HDR_LEN. */
int duet_icmp4_quoted(const struct duet_icmp4_hdr *h, struct duet_cur *c,
		      struct duet_ip4_hdr *ip, struct duet_cur *l4);

#endif
