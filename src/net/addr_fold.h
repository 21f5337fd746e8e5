/* duet — address compare and the index of the small direct-mapped caches
 * in front of the network layer's keyed hash tables (route.c, net.c,
 * neigh.c): an unkeyed fold of an address. An attacker who picks colliding addresses only causes cache
 * misses — the keyed table behind the cache still answers in O(1) — so the
 * fold may be cheap. */
#ifndef DUET_NET_ADDR_FOLD_H
#define DUET_NET_ADDR_FOLD_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* a == b for addresses of addr_len bytes (4 or 16): fixed-size loads the
 * compiler inlines, where memcmp with a run-time length is a library call. */
static inline bool net_addr_eq(const uint8_t *a, const uint8_t *b, unsigned addr_len)
{
	uint64_t x[2], y[2];
	uint32_t u, v;

	if (addr_len == 4) {
		memcpy(&u, a, 4);
		memcpy(&v, b, 4);
		return u == v;
	}
	memcpy(x, a, 16);
	memcpy(y, b, 16);
	return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
}

/* A bits-bit index (bits 1..31) for the addr_len-byte address a (4 or 16)
 * and a small extra key (an interface index, say). */
static inline uint32_t net_addr_fold(const uint8_t *a, unsigned addr_len, uint32_t extra,
				     unsigned bits)
{
	const uint8_t *w = a + addr_len - 4;
	uint32_t x = (uint32_t)w[0] << 24 | (uint32_t)w[1] << 16 | (uint32_t)w[2] << 8 | w[3];

	if (addr_len == 16) /* the low interface-identifier and subnet bytes */
		x ^= (uint32_t)a[11] << 16 | (uint32_t)a[7] << 8 | a[6];
	x ^= extra * 0x85ebca6bu;
	return (x * 0x9e3779b1u) >> (32 - bits);
}

#endif
