/* duet — ICMPv6 message header, codes and checksum (RFC 4443; codes from
 * RFC 6554, RFC 7112, RFC 8754, RFC 8883; RFC 4884 original-datagram length).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Type      |     Code      |          Checksum             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  first word of the Message Body, per type:                    |
 *  |   Echo (128, 129):      Identifier      |  Sequence Number    |
 *  |   Packet Too Big (2):   MTU                                   |
 *  |   Parameter Problem (4): Pointer                              |
 *  |   Dest. Unreachable (1), Time Exceeded (3):                   |
 *  |                 Length (RFC 4884) |         Unused            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  rest of the Message Body (the invoking packet for errors)    |
 *
 * Messages are built zero-copy: emit the 8-octet header, append the body,
 * then fill the checksum of the whole message in place with
 * duet_icmp6_csum_set(). */
#ifndef DUET_WIRE_ICMP6_H
#define DUET_WIRE_ICMP6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <duet/cursor.h>

#define DUET_ICMP6_HDR_LEN 8u

/* Types (IANA "ICMPv6 Parameters"). */
#define DUET_ICMP6_DST_UNREACH      1u
#define DUET_ICMP6_PACKET_TOO_BIG   2u
#define DUET_ICMP6_TIME_EXCEEDED    3u
#define DUET_ICMP6_PARAM_PROBLEM    4u
#define DUET_ICMP6_ECHO_REQUEST     128u
#define DUET_ICMP6_ECHO_REPLY       129u
#define DUET_ICMP6_MLD_QUERY        130u  /* RFC 2710, RFC 3810 */
#define DUET_ICMP6_MLD_REPORT       131u  /* MLDv1 */
#define DUET_ICMP6_MLD_DONE         132u  /* MLDv1 */
#define DUET_ICMP6_ND_ROUTER_SOLICIT   133u  /* RFC 4861 */
#define DUET_ICMP6_ND_ROUTER_ADVERT    134u
#define DUET_ICMP6_ND_NEIGHBOR_SOLICIT 135u
#define DUET_ICMP6_ND_NEIGHBOR_ADVERT  136u
#define DUET_ICMP6_ND_REDIRECT         137u
#define DUET_ICMP6_MLD2_REPORT      143u  /* RFC 3810 */

/* Destination Unreachable codes. */
#define DUET_ICMP6_DU_NO_ROUTE        0u
#define DUET_ICMP6_DU_ADMIN           1u
#define DUET_ICMP6_DU_BEYOND_SCOPE    2u
#define DUET_ICMP6_DU_ADDR            3u
#define DUET_ICMP6_DU_PORT            4u
#define DUET_ICMP6_DU_POLICY          5u
#define DUET_ICMP6_DU_REJECT_ROUTE    6u
#define DUET_ICMP6_DU_SRH_ERROR       7u  /* RFC 6554 */
#define DUET_ICMP6_DU_HEADERS_TOO_LONG 8u /* RFC 8883 */

/* Time Exceeded codes. */
#define DUET_ICMP6_TE_HOP_LIMIT       0u
#define DUET_ICMP6_TE_REASSEMBLY      1u

/* Parameter Problem codes. */
#define DUET_ICMP6_PP_HEADER          0u
#define DUET_ICMP6_PP_NEXT_HEADER     1u
#define DUET_ICMP6_PP_OPTION          2u
#define DUET_ICMP6_PP_INCOMPLETE_CHAIN 3u /* RFC 7112 */
#define DUET_ICMP6_PP_SR_UPPER_LAYER  4u  /* RFC 8754 */
#define DUET_ICMP6_PP_OPTION_TOO_BIG  10u /* RFC 8883, last code (5-10) */

struct duet_icmp6_hdr {
	uint8_t type;
	uint8_t code;
	uint16_t checksum;
	uint32_t body;            /* first word of the Message Body, raw */
	/* The same word decoded for the types that define it (else 0); emit
	 * writes these for their types and body for all others. */
	uint16_t identifier;      /* Echo Request / Reply */
	uint16_t sequence_number; /* Echo Request / Reply */
	uint32_t mtu;             /* Packet Too Big */
	uint32_t pointer;         /* Parameter Problem */
};

/* Parses the 8-octet ICMPv6 header from c and consumes it; the rest of the
 * message stays in c. Informational types duet does not know parse too.
 * Returns 0, or (cursor unchanged) -DUET_WE_TRUNCATED or -DUET_WE_BAD_CODE
 * for a code not defined for an error type (Destination Unreachable 0-8,
 * Packet Too Big 0, Time Exceeded 0-1, Parameter Problem 0-10). The
 * checksum is not verified here: see duet_icmp6_csum_verify(). */
int duet_icmp6_parse(struct duet_cur *c, struct duet_icmp6_hdr *h);

/* Header length: always 8. */
size_t duet_icmp6_len(const struct duet_icmp6_hdr *h);

/* Writes the 8-octet header (checksum as given, normally 0 until
 * duet_icmp6_csum_set()). Returns 0 or -DUET_WE_NOSPACE (nothing written). */
int duet_icmp6_emit(const struct duet_icmp6_hdr *h, struct duet_wcur *w);

/* True for error messages (type < 128, RFC 4443 §2.1). */
bool duet_icmp6_is_error(uint8_t type);

/* Fills the Checksum of the complete message msg[0 .. len) in place.
 * pseudo_sum is duet_csum_pseudo6(src, dst, len, DUET_IP6_NH_ICMPV6).
 * Returns 0 or -DUET_WE_TRUNCATED when len < 4. */
int duet_icmp6_csum_set(uint8_t *msg, size_t len, uint32_t pseudo_sum);

/* Verifies the checksum of the complete message msg[0 .. len) against
 * pseudo_sum (as for duet_icmp6_csum_set()). Returns 0, -DUET_WE_TRUNCATED
 * when len < 4, or -DUET_WE_BAD_CHECKSUM. */
int duet_icmp6_csum_verify(const uint8_t *msg, size_t len, uint32_t pseudo_sum);

/* The invoking packet quoted by an error message: given h and rest (the
 * cursor duet_icmp6_parse() left), sets *invoking to the quoted bytes
 * (pointing into the message). For Destination Unreachable and Time
 * Exceeded carrying an RFC 4884 Length, only that many 8-octet words are
 * the invoking packet (ICMP extensions follow). Returns 0,
 * -DUET_WE_BAD_TYPE for an informational message, or -DUET_WE_BAD_LENGTH
 * when the RFC 4884 Length runs past the message. */
int duet_icmp6_invoking(const struct duet_icmp6_hdr *h, const struct duet_cur *rest,
			struct duet_cur *invoking);

#endif
