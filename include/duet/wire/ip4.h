/* duet — IPv4 headers and their options (RFC 791, RFC 1122 §3.2.1; DSCP/ECN
 * split per RFC 2474 and RFC 3168; Router Alert per RFC 2113).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Version|  IHL  |    DSCP   |ECN|          Total Length         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Identification        |Flags|      Fragment Offset    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Time to Live |    Protocol   |         Header Checksum       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       Source Address                          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Destination Address                        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Options                    |    Padding    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *  Flags: bit 0 reserved (must be zero), bit 1 DF, bit 2 MF. */
#ifndef DUET_WIRE_IP4_H
#define DUET_WIRE_IP4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <duet/cursor.h>

#define DUET_IP4_HDR_LEN 20u      /* without options */
#define DUET_IP4_MAX_HDR_LEN 60u  /* IHL 15 */
#define DUET_IP4_MAX_OPT_LEN 40u

/* Protocol field values this stack handles (IANA "Assigned Internet
 * Protocol Numbers"; shared with IPv6's Next Header). */
#define DUET_IP4_PROTO_ICMP 1u
#define DUET_IP4_PROTO_TCP  6u
#define DUET_IP4_PROTO_UDP  17u

/* Option types (RFC 791 §3.1, RFC 2113). Bit 7 of the type is the "copied"
 * flag: the option is copied into every fragment. */
#define DUET_IP4_OPT_EOL  0u    /* End of Option List */
#define DUET_IP4_OPT_NOP  1u    /* No Operation */
#define DUET_IP4_OPT_RR   7u    /* Record Route */
#define DUET_IP4_OPT_TS   68u   /* Internet Timestamp */
#define DUET_IP4_OPT_SEC  130u  /* Security (RFC 1108) */
#define DUET_IP4_OPT_LSRR 131u  /* Loose Source and Record Route */
#define DUET_IP4_OPT_SID  136u  /* Stream Identifier */
#define DUET_IP4_OPT_SSRR 137u  /* Strict Source and Record Route */
#define DUET_IP4_OPT_RA   148u  /* Router Alert */
#define DUET_IP4_OPT_IS_COPIED(type) (((type) & 0x80u) != 0)

/* Timestamp option flags (RFC 791 §3.1, "flg"). */
#define DUET_IP4_TS_ONLY      0u  /* timestamps only */
#define DUET_IP4_TS_ADDR      1u  /* address + timestamp pairs */
#define DUET_IP4_TS_PRESPEC   3u  /* prespecified addresses */

struct duet_ip4_hdr {
	uint8_t version;           /* 4 (parse: as received; emit writes 4) */
	uint8_t ihl;               /* header length in 32-bit words (parse: as
				    * received; emit computes it from options_len) */
	uint8_t dscp;              /* differentiated services code point (6 bits) */
	uint8_t ecn;               /* explicit congestion notification (2 bits) */
	uint16_t total_length;     /* header + data, bytes */
	uint16_t identification;
	bool df;                   /* Don't Fragment */
	bool mf;                   /* More Fragments */
	uint16_t fragment_offset;  /* in 8-byte units (13 bits) */
	uint8_t ttl;               /* Time to Live */
	uint8_t protocol;
	uint16_t header_checksum;  /* as received; emit computes its own */
	uint8_t src[4];            /* Source Address */
	uint8_t dst[4];            /* Destination Address */
	const uint8_t *options;    /* options area incl. padding, not owned: on
				    * parse, points into the parsed buffer */
	size_t options_len;        /* bytes at options (0..40) */
};

/* Parses an IPv4 header from c. On success the header (options included) is
 * consumed and c is limited to the datagram's data, Total Length cutting any
 * trailing link padding; h->options points into c's buffer, which must
 * outlive its use. Options are not interpreted here: walk them with
 * duet_ip4_opt_next(). Returns 0 or, with c unchanged:
 *   -DUET_WE_TRUNCATED     fewer than 20 bytes
 *   -DUET_WE_BAD_VERSION   version is not 4
 *   -DUET_WE_BAD_HDR_LEN   IHL < 5 or the header runs past the data
 *   -DUET_WE_BAD_LENGTH    Total Length < IHL * 4 or past the data
 *   -DUET_WE_BAD_CHECKSUM  the header checksum does not verify
 *   -DUET_WE_BAD_FIELD     the reserved flag bit is set */
int duet_ip4_parse(struct duet_cur *c, struct duet_ip4_hdr *h);

/* Parses the IPv4 header quoted inside an ICMP error (RFC 792): checks only
 * the version and IHL, not Total Length (the quote is cut short) nor the
 * checksum. Consumes the header; the quoted data stays in c, limited to
 * Total Length when the quote holds more than that. Returns 0,
 * -DUET_WE_TRUNCATED, -DUET_WE_BAD_VERSION or -DUET_WE_BAD_HDR_LEN (c
 * unchanged on error). */
int duet_ip4_parse_quoted(struct duet_cur *c, struct duet_ip4_hdr *h);

/* Header length h takes on the wire: 20 + options_len rounded up to 4. */
size_t duet_ip4_len(const struct duet_ip4_hdr *h);

/* Writes h at w: version 4, IHL from options_len, the options bytes copied
 * and padded with zeros (EOL) to a 4-byte boundary, and the header checksum
 * computed. Options are written as given, not validated. Returns 0, or
 * (nothing written) -DUET_WE_NOSPACE, -DUET_WE_TOO_BIG when options_len > 40,
 * dscp > 63, ecn > 3 or fragment_offset > 8191, or -DUET_WE_BAD_LENGTH when
 * total_length is smaller than the header. */
int duet_ip4_emit(const struct duet_ip4_hdr *h, struct duet_wcur *w);

/* True when the datagram is a fragment (MF set or a non-zero offset). */
bool duet_ip4_is_fragment(const struct duet_ip4_hdr *h);

/* One option found by duet_ip4_opt_next(). Pointers point into the options
 * area (not owned). */
struct duet_ip4_opt {
	uint8_t type;
	uint8_t length;          /* whole option incl. type and length; 1 for NOP */
	size_t offset;           /* of the type octet, from the options area start */
	const uint8_t *data;     /* bytes after type and length (NULL for NOP) */
	size_t data_len;
	uint8_t pointer;         /* RR, LSRR, SSRR, TS: the pointer octet; else 0 */
	uint8_t oflw;            /* TS: overflow count (4 bits); else 0 */
	uint8_t flg;             /* TS: flag (4 bits); else 0 */
};

/* Walks an options area. Initialise with duet_ip4_opt_iter_init(). */
struct duet_ip4_opt_iter {
	struct duet_cur cur;     /* the unread part of the options area */
};

/* Starts walking h's options (the area at h->options, not copied). */
void duet_ip4_opt_iter_init(struct duet_ip4_opt_iter *it, const struct duet_ip4_hdr *h);

/* Moves to the next option and describes it in *o. Returns 1 (an option,
 * NOP included), 0 at the end of the list (EOL or the end of the area; bytes
 * after an EOL are padding and ignored), or a negative reason with the
 * iterator left at the malformed option, whose offset is it->cur.off (for a
 * Parameter Problem pointer, RFC 1122 §3.2.2.5):
 *   -DUET_WE_OPT_TRUNCATED  the length octet or the option runs past the area
 *   -DUET_WE_BAD_OPT_LEN    length < 2, or wrong for the type (RR/LSRR/SSRR
 *                           < 3, TS < 4, Router Alert and Stream ID != 4)
 *   -DUET_WE_BAD_OPTION     RR/LSRR/SSRR pointer < 4, TS pointer < 5, or an
 *                           undefined TS flag */
int duet_ip4_opt_next(struct duet_ip4_opt_iter *it, struct duet_ip4_opt *o);

#endif
