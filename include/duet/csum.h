/* duet — the Internet checksum (RFC 1071), incremental update (RFC 1624) and
 * the IPv4/IPv6 pseudo-header sums used by ICMPv6, UDP and TCP.
 *
 * A checksum is computed as a running 32-bit one's-complement sum
 * ("partial"), then folded and complemented into the 16-bit field value.
 * Sums of several pieces chain: duet_csum_partial(b, lb, duet_csum_partial(a,
 * la, 0)) — every piece but the last must have an even length. */
#ifndef DUET_CSUM_H
#define DUET_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* Adds len bytes at data (as big-endian 16-bit words, an odd last byte padded
 * with zero) to the running sum and returns the new running sum, reduced to
 * 0..0xffff (0 only when sum and every byte are 0). Reads only
 * data[0 .. len); any length, any alignment. Uses an AVX2 kernel when the
 * CPU has one, else a portable one; both give the same result. */
uint32_t duet_csum_partial(const void *data, size_t len, uint32_t sum);

/* duet_csum_partial() computed by the portable (plain C, 64-bit words) kernel
 * only, whatever the CPU offers: the same result, for tests and benchmarks. */
uint32_t duet_csum_partial_portable(const void *data, size_t len, uint32_t sum);

/* Names the kernel duet_csum_partial() uses for long buffers on this CPU:
 * "avx2" or "portable" (a static string, not to be freed). */
const char *duet_csum_impl(void);

/* Folds a running sum to 16 bits and complements it: the value to store in
 * a checksum field (host order; write it with duet_put_be16). A packet whose
 * sum over all bytes, checksum field included, folds to 0 verifies. */
uint16_t duet_csum_fold(uint32_t sum);

/* Checksum of one buffer: duet_csum_fold(duet_csum_partial(data, len, 0)). */
uint16_t duet_csum(const void *data, size_t len);

/* Running sum of the IPv6 pseudo-header (RFC 8200 §8.1): source, destination,
 * upper-layer packet length, next header. */
uint32_t duet_csum_pseudo6(const uint8_t src[16], const uint8_t dst[16],
			   uint32_t upper_len, uint8_t next_header);

/* Running sum of the IPv4 pseudo-header (RFC 768, RFC 9293 §3.1). */
uint32_t duet_csum_pseudo4(const uint8_t src[4], const uint8_t dst[4],
			   uint16_t upper_len, uint8_t protocol);

/* RFC 1624 eqn. 3: the new checksum field value when one 16-bit word of the
 * covered data changes from old_word to new_word (all host order). */
uint16_t duet_csum_update16(uint16_t old_csum, uint16_t old_word, uint16_t new_word);

/* RFC 1624 for a 32-bit field (two words), e.g. an IPv4 address or a TCP
 * sequence number. */
uint16_t duet_csum_update32(uint16_t old_csum, uint32_t old_val, uint32_t new_val);

#endif
