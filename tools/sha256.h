/* duet — SHA-256 (FIPS 180-4) for the tools' transfer checks: a small
 * self-contained implementation, streaming (init / update / final). */
#ifndef DUET_TOOL_SHA256_H
#define DUET_TOOL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_BYTES 32

struct sha256 {
	uint32_t h[8];
	uint64_t total_bytes; /* message length so far */
	uint8_t block[64];    /* the partial block */
	size_t fill;          /* bytes in block */
};

void sha256_init(struct sha256 *c);
/* Hashes len more bytes of the message. */
void sha256_update(struct sha256 *c, const void *data, size_t len);
/* Pads, writes the digest to out and leaves c to be initialised again. */
void sha256_final(struct sha256 *c, uint8_t out[SHA256_DIGEST_BYTES]);
/* The digest as 64 lowercase hex digits and a NUL into hex[65]. */
void sha256_hex(const uint8_t d[SHA256_DIGEST_BYTES], char hex[65]);

#endif
