/* duet — IPv6 extension headers (RFC 8200 §4, uniform format RFC 6564):
 * Hop-by-Hop and Destination Options with their option TLVs (RFC 8200 §4.2,
 * Router Alert RFC 2711, Jumbo Payload RFC 2675, Tunnel Encapsulation Limit
 * RFC 2473), Routing (types 0 RFC 5095, 2 RFC 6275, 4 RFC 8754), Fragment,
 * and a length-only skip for walking a header chain (AH RFC 4302).
 *
 * Hop-by-Hop / Destination Options header (RFC 8200 §4.3, §4.6):
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Next Header  |  Hdr Ext Len  |                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 *  .                            Options                            .
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  Hdr Ext Len: in 8-octet units, not counting the first 8 octets.
 *
 * Option (RFC 8200 §4.2), Pad1 being the single octet 0:
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+- - - - - - - - -
 *  |  Option Type  |  Opt Data Len |  Option Data
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+- - - - - - - - -
 *
 * Routing header (RFC 8200 §4.4):
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Next Header  |  Hdr Ext Len  |  Routing Type | Segments Left |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  .                       type-specific data                      .
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Segment Routing Header, type 4 (RFC 8754 §2), after the first word:
 *  |  Last Entry   |     Flags     |              Tag              |
 *  |            Segment List[0..Last Entry] (128 bits each)        |
 *  //         Optional Type Length Value objects (variable)       //
 *
 * Fragment header (RFC 8200 §4.5):
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         Identification                        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Everything variable (option areas, routing data) is kept as a pointer
 * into the packet, never copied: it lives as long as the packet buffer. */
#ifndef DUET_WIRE_IP6_EXT_H
#define DUET_WIRE_IP6_EXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <duet/cursor.h>

#define DUET_IP6_EXT_MAX_LEN 2048u   /* (255 + 1) * 8 */
#define DUET_IP6_FRAG_HDR_LEN 8u

/* Option types (IANA "Destination Options and Hop-by-Hop Options"). */
#define DUET_IP6_OPT_PAD1          0x00u
#define DUET_IP6_OPT_PADN          0x01u
#define DUET_IP6_OPT_TUNNEL_LIMIT  0x04u  /* RFC 2473 §5.1, 1 octet */
#define DUET_IP6_OPT_ROUTER_ALERT  0x05u  /* RFC 2711, 2 octets, 2n+0 */
#define DUET_IP6_OPT_JUMBO         0xc2u  /* RFC 2675, 4 octets, 4n+2 */

/* Router Alert values (RFC 2711 §2.1). */
#define DUET_IP6_RTALERT_MLD 0u

/* Routing types. */
#define DUET_IP6_RT_TYPE0 0u  /* deprecated, RFC 5095 */
#define DUET_IP6_RT_TYPE2 2u  /* Mobile IPv6, RFC 6275 §6.4 */
#define DUET_IP6_RT_SRH   4u  /* Segment Routing, RFC 8754 */

/* What a node does with an option type it does not recognise: the two
 * high-order bits of the type (RFC 8200 §4.2). */
enum duet_ip6_opt_action {
	DUET_IP6_OPT_SKIP = 0,                  /* 00: skip over it */
	DUET_IP6_OPT_DISCARD = 1,               /* 01: discard the packet */
	DUET_IP6_OPT_DISCARD_ICMP = 2,          /* 10: discard, Parameter Problem code 2 */
	DUET_IP6_OPT_DISCARD_ICMP_UNLESS_MC = 3 /* 11: same, unless dst is multicast */
};

/* ---- Generic chain walking ------------------------------------------ */

/* One extension header as a length-only skip sees it. */
struct duet_ip6_ext {
	uint8_t next_header;  /* of the header that follows */
	const uint8_t *data;  /* the whole header, first octet included */
	size_t len;           /* its length in octets */
};

/* True for the Next Header values duet_ip6_ext_skip() knows the length of:
 * 0, 43, 44, 60 and the other uniform-format headers of RFC 7045 / RFC 6564
 * (135, 139, 140, 253, 254, in 8-octet units) and AH (51, 4-octet units).
 * ESP (50) is not: nothing after it can be read. */
bool duet_ip6_ext_is_known(uint8_t type);

/* Skips one extension header of the given type at c (the type came from the
 * previous header's Next Header field), filling e. Returns 0 with the header
 * consumed, or (cursor unchanged) -DUET_WE_BAD_TYPE when type is not a known
 * extension header (ESP, No Next Header and upper layers included),
 * -DUET_WE_TRUNCATED when fewer than 8 octets are left, -DUET_WE_BAD_LENGTH
 * when its length field runs past the data, -DUET_WE_BAD_HDR_LEN for an AH
 * whose length is not a multiple of 8 octets (RFC 4302 §2.2). */
int duet_ip6_ext_skip(struct duet_cur *c, uint8_t type, struct duet_ip6_ext *e);

/* ---- Hop-by-Hop and Destination Options headers --------------------- */

struct duet_ip6_opthdr {
	uint8_t next_header;
	uint8_t hdr_ext_len;
	const uint8_t *options; /* the option area, after the first 2 octets */
	size_t options_len;     /* (hdr_ext_len + 1) * 8 - 2 */
};

/* Parses a Hop-by-Hop or Destination Options header (same format) from c
 * and consumes it; options are not checked here: walk them with
 * duet_ip6_opt_next(). Returns 0, -DUET_WE_TRUNCATED (under 8 octets) or
 * -DUET_WE_BAD_LENGTH (Hdr Ext Len runs past the data), cursor unchanged. */
int duet_ip6_opthdr_parse(struct duet_cur *c, struct duet_ip6_opthdr *h);

/* On-wire length of h: options_len + 2. */
size_t duet_ip6_opthdr_len(const struct duet_ip6_opthdr *h);

/* Writes h with its option area copied as is; Hdr Ext Len is computed from
 * options_len. Returns 0, -DUET_WE_NOSPACE (nothing written),
 * -DUET_WE_BAD_LENGTH when options_len + 2 is not a positive multiple of 8,
 * or -DUET_WE_TOO_BIG past 2048 octets. */
int duet_ip6_opthdr_emit(const struct duet_ip6_opthdr *h, struct duet_wcur *w);

/* One option. The iterator fills every field but align_*; emitters read
 * type, opt_data_len, data and align_*. */
struct duet_ip6_opt {
	uint8_t type;          /* Option Type */
	uint8_t opt_data_len;  /* Opt Data Len (0 for Pad1) */
	const uint8_t *data;   /* Option Data, opt_data_len octets */
	size_t offset;         /* of the type octet from the header's start: the
				* Parameter Problem pointer (RFC 4443 §3.4) */
	int note;              /* 0, or -DUET_WE_BAD_PADDING for a PadN holding
				* non-zero octets: information only, the caller
				* decides (RFC 8200 §4.2 says "zero-valued") */
	/* Decoded for the recognised types, 0 otherwise: */
	uint16_t router_alert;          /* Router Alert value */
	uint32_t jumbo_payload_length;  /* Jumbo Payload Length */
	uint8_t tunnel_encap_limit;     /* Tunnel Encapsulation Limit */
	/* Emit only: alignment requirement align_n * k + align_y of the type
	 * octet (RFC 8200 §4.2, Appendix A). align_n 0 means "the type's own"
	 * (see duet_ip6_opt_align()). align_n must be 1, 2, 4 or 8. */
	uint8_t align_n;
	uint8_t align_y;
};

/* Iterates the options of one header. */
struct duet_ip6_opt_iter {
	struct duet_cur c;
	size_t base;  /* offset of the option area in the header (2) */
};

/* Starts iterating h's options (h must stay valid meanwhile). */
void duet_ip6_opt_iter_init(struct duet_ip6_opt_iter *it, const struct duet_ip6_opthdr *h);

/* Returns the next option in *o: 1, or 0 at the end of the area, or a
 * negative reason that ends the walk: -DUET_WE_OPT_TRUNCATED (the option
 * runs past the header), -DUET_WE_BAD_OPT_LEN (Router Alert not 2, Jumbo
 * Payload not 4, Tunnel Encapsulation Limit not 1 octets). Pad1 and PadN are
 * returned like any option; unknown types are returned with their data so
 * the caller applies duet_ip6_opt_action(). */
int duet_ip6_opt_next(struct duet_ip6_opt_iter *it, struct duet_ip6_opt *o);

/* The action bits of an option type (RFC 8200 §4.2). */
enum duet_ip6_opt_action duet_ip6_opt_action(uint8_t type);

/* True when the option's data may change en route (third-highest bit of the
 * type, RFC 8200 §4.2): it then counts as zero for AH. */
bool duet_ip6_opt_may_change(uint8_t type);

/* The alignment requirement n*k + y of a recognised type's Option Type octet
 * (Router Alert 2n+0, Jumbo 4n+2); 1n+0 for the others. */
void duet_ip6_opt_align(uint8_t type, uint8_t *n, uint8_t *y);

/* Length of the header duet_ip6_opthdr_build() would write for these
 * options, or 0 when build would fail for any reason but NOSPACE. */
size_t duet_ip6_opthdr_build_len(const struct duet_ip6_opt *opts, size_t n_opts);

/* Writes a whole Hop-by-Hop / Destination Options header holding opts in
 * order, inserting Pad1/PadN before each option to meet its alignment and
 * at the end to reach a multiple of 8 octets (RFC 8200 §4.2, Appendix A).
 * Options of type Pad1 in opts are written as the single octet 0. Returns 0,
 * -DUET_WE_NOSPACE (nothing written), -DUET_WE_TOO_BIG when the header
 * would exceed 2048 octets, or -DUET_WE_BAD_FIELD when an alignment is not
 * n = 1, 2, 4 or 8 with y < n. */
int duet_ip6_opthdr_build(uint8_t next_header, const struct duet_ip6_opt *opts,
			  size_t n_opts, struct duet_wcur *w);

/* ---- Routing header ---------------------------------------------------- */

struct duet_ip6_rthdr {
	uint8_t next_header;
	uint8_t hdr_ext_len;
	uint8_t routing_type;
	uint8_t segments_left;
	const uint8_t *data;  /* type-specific data, after the first 4 octets */
	size_t data_len;      /* hdr_ext_len * 8 + 4 */
	bool is_deprecated;   /* type 0: must never be processed (RFC 5095 §3) */
};

/* Parses the generic Routing header from c and consumes it. The
 * type-specific data is decoded by the duet_ip6_rt*_parse() functions, which
 * the caller uses only when Segments Left is not 0 (RFC 8200 §4.4: with 0
 * the header is ignored whatever its type). Returns 0, -DUET_WE_TRUNCATED or
 * -DUET_WE_BAD_LENGTH (cursor unchanged). */
int duet_ip6_rthdr_parse(struct duet_cur *c, struct duet_ip6_rthdr *h);

/* On-wire length of h: data_len + 4. */
size_t duet_ip6_rthdr_len(const struct duet_ip6_rthdr *h);

/* Writes h with its data copied; Hdr Ext Len is computed from data_len.
 * Returns 0, -DUET_WE_NOSPACE, -DUET_WE_BAD_LENGTH (data_len + 4 not a
 * multiple of 8) or -DUET_WE_TOO_BIG (past 2048 octets). */
int duet_ip6_rthdr_emit(const struct duet_ip6_rthdr *h, struct duet_wcur *w);

/* Type 0 data (RFC 2460 §4.4, deprecated by RFC 5095): 4 reserved octets
 * and n addresses. */
struct duet_ip6_rt0 {
	const uint8_t *addresses; /* n_addresses * 16 octets */
	size_t n_addresses;
};

/* Decodes a type 0 header. Returns 0, -DUET_WE_BAD_TYPE (another type),
 * -DUET_WE_BAD_HDR_LEN (odd Hdr Ext Len) or -DUET_WE_BAD_FIELD (Segments
 * Left larger than the number of addresses). */
int duet_ip6_rt0_parse(const struct duet_ip6_rthdr *h, struct duet_ip6_rt0 *r);

/* Writes a type 0 header — for tests: duet never sends one (RFC 5095 §3).
 * addresses holds n * 16 octets. Returns 0, -DUET_WE_NOSPACE or
 * -DUET_WE_TOO_BIG (n > 127 or segments_left > n). */
int duet_ip6_rt0_emit(uint8_t next_header, uint8_t segments_left,
		      const uint8_t *addresses, size_t n, struct duet_wcur *w);

/* Decodes a type 2 header (RFC 6275 §6.4): copies its Home Address. Returns
 * 0, -DUET_WE_BAD_TYPE (another type), -DUET_WE_BAD_HDR_LEN (Hdr Ext Len
 * not 2) or -DUET_WE_BAD_FIELD (Segments Left above 1). */
int duet_ip6_rt2_parse(const struct duet_ip6_rthdr *h, uint8_t home_address[16]);

/* Writes a type 2 header with Segments Left 1 (24 octets). Returns 0 or
 * -DUET_WE_NOSPACE. */
int duet_ip6_rt2_emit(uint8_t next_header, const uint8_t home_address[16],
		      struct duet_wcur *w);

/* Type 4 data, the Segment Routing Header (RFC 8754 §2). */
struct duet_ip6_srh {
	uint8_t last_entry;
	uint8_t flags;
	uint16_t tag;
	const uint8_t *segment_list; /* (last_entry + 1) * 16 octets */
	const uint8_t *tlvs;         /* the TLV area after the list */
	size_t tlvs_len;
};

/* Decodes a type 4 header. Returns 0, -DUET_WE_BAD_TYPE (another type),
 * -DUET_WE_BAD_LENGTH (the Segment List runs past the header) or
 * -DUET_WE_BAD_FIELD (Segments Left > Last Entry + 1, RFC 8754 §4.3.1). */
int duet_ip6_srh_parse(const struct duet_ip6_rthdr *h, struct duet_ip6_srh *s);

/* Writes a Segment Routing Header from s (list and TLVs copied). Returns 0,
 * -DUET_WE_NOSPACE, -DUET_WE_BAD_LENGTH (header not a multiple of 8 octets)
 * or -DUET_WE_TOO_BIG (past 2048 octets). */
int duet_ip6_srh_emit(uint8_t next_header, uint8_t segments_left,
		      const struct duet_ip6_srh *s, struct duet_wcur *w);

/* ---- Fragment header --------------------------------------------------- */

struct duet_ip6_frag_hdr {
	uint8_t next_header;
	uint8_t reserved;
	uint16_t fragment_offset; /* 13 bits, in 8-octet units */
	uint8_t res;              /* 2 bits */
	bool m;                   /* more fragments */
	uint32_t identification;
};

/* Parses a Fragment header from c and consumes it. Returns 0 or
 * -DUET_WE_TRUNCATED (cursor unchanged). */
int duet_ip6_frag_parse(struct duet_cur *c, struct duet_ip6_frag_hdr *h);

/* On-wire length: always 8. */
size_t duet_ip6_frag_len(const struct duet_ip6_frag_hdr *h);

/* Writes h. Returns 0, -DUET_WE_NOSPACE, or -DUET_WE_TOO_BIG when
 * fragment_offset > 8191 or res > 3. */
int duet_ip6_frag_emit(const struct duet_ip6_frag_hdr *h, struct duet_wcur *w);

/* True for an atomic fragment: offset 0 and M clear (RFC 6946 §4). */
bool duet_ip6_frag_is_atomic(const struct duet_ip6_frag_hdr *h);

#endif
