/* duet — the IPv6 fixed header (RFC 8200 §3). Address tests live in
 * <duet/addr.h>.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Version| Traffic Class |           Flow Label                  |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Payload Length        |  Next Header  |   Hop Limit   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                                                               |
 *  +                         Source Address (128)                  +
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                                                               |
 *  +                      Destination Address (128)                +
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * duet carries no jumbograms (RFC 2675): a Payload Length of 0 is rejected,
 * so a Jumbo Payload option can never describe a packet duet accepts. */
#ifndef DUET_WIRE_IP6_H
#define DUET_WIRE_IP6_H

#include <stddef.h>
#include <stdint.h>

#include <duet/cursor.h>

#define DUET_IP6_HDR_LEN 40u
#define DUET_IP6_ADDR_LEN 16u
#define DUET_IP6_MIN_MTU 1280u /* RFC 8200 §5 */

/* Next Header values (IANA "Assigned Internet Protocol Numbers"). */
#define DUET_IP6_NH_HOPOPTS   0u   /* Hop-by-Hop Options, RFC 8200 §4.3 */
#define DUET_IP6_NH_TCP       6u
#define DUET_IP6_NH_UDP       17u
#define DUET_IP6_NH_ROUTING   43u  /* RFC 8200 §4.4 */
#define DUET_IP6_NH_FRAGMENT  44u  /* RFC 8200 §4.5 */
#define DUET_IP6_NH_ESP       50u  /* RFC 4303 */
#define DUET_IP6_NH_AH        51u  /* RFC 4302 */
#define DUET_IP6_NH_ICMPV6    58u  /* RFC 4443 */
#define DUET_IP6_NH_NONE      59u  /* No Next Header, RFC 8200 §4.7 */
#define DUET_IP6_NH_DSTOPTS   60u  /* Destination Options, RFC 8200 §4.6 */

struct duet_ip6_hdr {
	/* Version is always 6: checked by parse, written by emit. */
	uint8_t traffic_class;
	uint32_t flow_label;     /* 20 bits */
	uint16_t payload_length; /* bytes after this header, extension headers included */
	uint8_t next_header;
	uint8_t hop_limit;
	uint8_t src[16];
	uint8_t dst[16];
};

/* Parses an IPv6 header from c. On success the header is consumed and c is
 * limited to the Payload Length bytes that follow (link padding is cut).
 * Returns 0, or (cursor unchanged) -DUET_WE_TRUNCATED (under 40 bytes),
 * -DUET_WE_BAD_VERSION, or -DUET_WE_BAD_LENGTH when Payload Length is 0 (a
 * jumbogram: not carried) or larger than the bytes that follow. */
int duet_ip6_parse(struct duet_cur *c, struct duet_ip6_hdr *h);

/* Header length h takes on the wire: always 40. */
size_t duet_ip6_len(const struct duet_ip6_hdr *h);

/* Writes h (version 6) at w. payload_length is written as given: the caller
 * sets it to the bytes it will append. Returns 0, -DUET_WE_NOSPACE (nothing
 * written), or -DUET_WE_TOO_BIG when flow_label exceeds 20 bits. */
int duet_ip6_emit(const struct duet_ip6_hdr *h, struct duet_wcur *w);

#endif
