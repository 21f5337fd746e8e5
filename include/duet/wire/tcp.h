/* duet — TCP headers, options and checksums (RFC 9293 §3.1; options from
 * RFC 9293 §3.2 (MSS), RFC 7323 (Window Scale, Timestamps), RFC 2018 (SACK),
 * RFC 5482 (User Timeout); the AE bit from RFC 3540 / AccECN).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Source Port          |       Destination Port        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        Sequence Number                        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Acknowledgment Number                      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Data |     |A|C|E|U|A|P|R|S|F|                               |
 *  | Offset| Rsv |E|W|C|R|C|S|S|Y|I|            Window             |
 *  |       |     | |R|E|G|K|H|T|N|N|                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |           Checksum            |         Urgent Pointer        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                           [Options]                           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *  Options: EOL (0), NOP (1), MSS (2, len 4), Window Scale (3, len 3),
 *  SACK-Permitted (4, len 2), SACK (5, len 2+8n), Timestamps (8, len 10),
 *  User Timeout (28, len 4: G bit + 15-bit timeout). */
#ifndef DUET_WIRE_TCP_H
#define DUET_WIRE_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <duet/cursor.h>

#define DUET_TCP_HDR_LEN 20u       /* without options */
#define DUET_TCP_MAX_HDR_LEN 60u   /* data offset 15 */
#define DUET_TCP_MAX_OPT_LEN 40u
#define DUET_TCP_MAX_SACK 4u       /* blocks in one SACK option */

/* Control bits, as they sit in the low 9 bits of header bytes 12-13. */
#define DUET_TCP_FIN 0x001u
#define DUET_TCP_SYN 0x002u
#define DUET_TCP_RST 0x004u
#define DUET_TCP_PSH 0x008u
#define DUET_TCP_ACK 0x010u
#define DUET_TCP_URG 0x020u
#define DUET_TCP_ECE 0x040u
#define DUET_TCP_CWR 0x080u
#define DUET_TCP_AE  0x100u        /* formerly NS (RFC 3540, historic) */
#define DUET_TCP_FLAGS_MASK 0x1ffu

/* Option kinds. */
#define DUET_TCP_OPT_EOL       0u
#define DUET_TCP_OPT_NOP       1u
#define DUET_TCP_OPT_MSS       2u
#define DUET_TCP_OPT_WSCALE    3u
#define DUET_TCP_OPT_SACK_PERM 4u
#define DUET_TCP_OPT_SACK      5u
#define DUET_TCP_OPT_TS        8u
#define DUET_TCP_OPT_UTO       28u

/* One SACK block (RFC 2018 §3): [left_edge, right_edge) in sequence space. */
struct duet_tcp_sack_block {
	uint32_t left_edge;
	uint32_t right_edge;
};

struct duet_tcp_hdr {
	uint16_t src_port;          /* Source Port */
	uint16_t dst_port;          /* Destination Port */
	uint32_t seq;               /* Sequence Number (SEG.SEQ) */
	uint32_t ack;               /* Acknowledgment Number (SEG.ACK) */
	uint8_t data_offset;        /* header length in 32-bit words (parse: as
				     * received; emit computes it) */
	uint16_t flags;             /* control bits, DUET_TCP_FIN ... DUET_TCP_AE;
				     * the 3 reserved bits are ignored on receipt
				     * and sent as zero (RFC 9293 §3.1) */
	uint16_t window;            /* Window (SEG.WND, unscaled) */
	uint16_t checksum;          /* as received; emit writes it as given */
	uint16_t urgent_pointer;    /* Urgent Pointer (SEG.UP) */

	/* Options. When one appears several times, the last one counts. */
	bool has_mss;
	uint16_t mss;               /* Maximum Segment Size */
	bool has_wscale;
	uint8_t wscale;             /* Window Scale shift.cnt as received: the
				     * clamp to 14 (RFC 7323 §2.3) is the
				     * consumer's */
	bool has_sack_permitted;
	uint8_t sack_count;         /* SACK blocks present, 0..4 */
	struct duet_tcp_sack_block sack[DUET_TCP_MAX_SACK];
	bool has_timestamps;
	uint32_t ts_val;            /* TSval */
	uint32_t ts_ecr;            /* TSecr */
	bool has_user_timeout;
	bool uto_granularity;       /* G: the timeout is in minutes, else seconds */
	uint16_t user_timeout;      /* 15 bits */
	uint8_t unknown_options;    /* options of other kinds, skipped (parse only) */
};

/* Parses a TCP header and its options from c, consuming the header; the
 * segment data stays in c (the IP layer has already cut c to the datagram).
 * The checksum is not verified here: see duet_tcp_csum_ok(). Returns 0 or,
 * with c unchanged:
 *   -DUET_WE_TRUNCATED     fewer than 20 bytes
 *   -DUET_WE_BAD_HDR_LEN   data offset < 5 or the header runs past the data
 *   -DUET_WE_OPT_TRUNCATED an option's length octet or body runs past the
 *                          header
 *   -DUET_WE_BAD_OPT_LEN   an option length < 2, or not the fixed length of
 *                          a known kind (SACK: 2 + 8n, n = 1..4) */
int duet_tcp_parse(struct duet_cur *c, struct duet_tcp_hdr *h);

/* Header length h takes on the wire, options and padding included (may
 * exceed 60, which duet_tcp_emit() then refuses). */
size_t duet_tcp_len(const struct duet_tcp_hdr *h);

/* Writes the header and the options h has, in a canonical order laid out
 * like Linux's (MSS; SACK-Permitted + Timestamps, or NOP NOP + either;
 * NOP + Window Scale; User Timeout; NOP NOP + SACK), every option group
 * 4-byte aligned with NOPs, and the data offset computed. unknown_options
 * is ignored. The checksum field is written as h->checksum (normally 0,
 * then duet_tcp_csum_set() once the data is in place). Returns 0 or, with
 * nothing written, -DUET_WE_NOSPACE or -DUET_WE_TOO_BIG (options beyond 40
 * bytes, sack_count > 4, flags beyond 9 bits, user_timeout > 0x7fff). */
int duet_tcp_emit(const struct duet_tcp_hdr *h, struct duet_wcur *w);

/* True when the checksum of the complete segment at seg (len bytes, header
 * first; not modified) verifies with the pseudo-header running sum
 * (duet_csum_pseudo4/6 with the TCP length). False when len < 20. */
bool duet_tcp_csum_ok(const uint8_t *seg, size_t len, uint32_t pseudo_sum);

/* Computes and stores the checksum of the complete segment at seg (len
 * bytes, in place). Returns 0, or -DUET_WE_TRUNCATED (nothing written) when
 * len < 20. */
int duet_tcp_csum_set(uint8_t *seg, size_t len, uint32_t pseudo_sum);

/* Sequence-space length of a segment (RFC 9293 §3.4): data bytes plus one
 * each for SYN and FIN. */
uint32_t duet_tcp_seg_len(const struct duet_tcp_hdr *h, size_t data_len);

#endif
