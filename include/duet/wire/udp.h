/* duet — UDP headers and checksums (RFC 768; RFC 8200 §8.1 for IPv6).
 *
 *   0      7 8     15 16    23 24    31
 *  +--------+--------+--------+--------+
 *  |     Source      |   Destination   |
 *  |      Port       |      Port       |
 *  +--------+--------+--------+--------+
 *  |     Length      |    Checksum     |
 *  +--------+--------+--------+--------+
 *  |          data octets ...
 *  +---------------- ...
 *
 * Checksum rules: the checksum covers a pseudo header (duet_csum_pseudo4 or
 * duet_csum_pseudo6 with the UDP length), the header and the data. A computed
 * value of 0 is sent as 0xffff (RFC 768). A zero field means "no checksum"
 * over IPv4 (accept without verifying) but is invalid over IPv6, where the
 * checksum is mandatory (RFC 8200 §8.1): the receiver must discard it. The
 * caller applies the rule with duet_udp_has_csum():
 *
 *   IPv4: ok = !duet_udp_has_csum(&h) || duet_udp_csum_ok(seg, len, ps4);
 *   IPv6: ok = duet_udp_csum_ok(seg, len, ps6);   (rejects a zero field) */
#ifndef DUET_WIRE_UDP_H
#define DUET_WIRE_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <duet/cursor.h>

#define DUET_UDP_HDR_LEN 8u

struct duet_udp_hdr {
	uint16_t src_port;   /* Source Port (0: none) */
	uint16_t dst_port;   /* Destination Port */
	uint16_t length;     /* header + data, bytes */
	uint16_t checksum;   /* as received; emit writes it as given */
};

/* Parses a UDP header from c, consuming it and limiting c to the data the
 * Length field covers (cutting IP or link padding). The checksum is not
 * verified here: see duet_udp_csum_ok(). Returns 0 or, with c unchanged,
 * -DUET_WE_TRUNCATED (fewer than 8 bytes) or -DUET_WE_BAD_LENGTH (Length < 8
 * or more than c holds). */
int duet_udp_parse(struct duet_cur *c, struct duet_udp_hdr *h);

/* Header length: 8. */
size_t duet_udp_len(const struct duet_udp_hdr *h);

/* Writes h at w, fields as given (normally checksum 0, then
 * duet_udp_csum_set() once the data is in place; leave it 0 to send none
 * over IPv4). Returns 0 or, with nothing written, -DUET_WE_NOSPACE or
 * -DUET_WE_BAD_LENGTH (length < 8). */
int duet_udp_emit(const struct duet_udp_hdr *h, struct duet_wcur *w);

/* True when the datagram carries a checksum (the field is not zero). */
bool duet_udp_has_csum(const struct duet_udp_hdr *h);

/* Verifies the checksum of the complete datagram at seg (len bytes, header
 * first; not modified) given the pseudo-header running sum. A zero checksum
 * field never verifies (senders transmit a computed 0 as 0xffff), which is
 * the IPv6 rule. False when len < 8. */
bool duet_udp_csum_ok(const uint8_t *seg, size_t len, uint32_t pseudo_sum);

/* Computes and stores the checksum of the complete datagram at seg (len
 * bytes, written in place) given the pseudo-header running sum; a result of
 * 0 is stored as 0xffff. Returns 0, or -DUET_WE_TRUNCATED (nothing written)
 * when len < 8. */
int duet_udp_csum_set(uint8_t *seg, size_t len, uint32_t pseudo_sum);

#endif
