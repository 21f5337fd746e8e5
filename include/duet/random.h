/* duet — random sources. A seeded deterministic generator (xoshiro256**,
 * seeded through splitmix64) for everything that only needs to look random
 * and must repeat under the same seed in simulation; SipHash-2-4 keyed with a
 * per-stack secret for values an off-path attacker must not predict (ISNs,
 * ephemeral ports, flow labels, interface identifiers: RFC 6528, 6056, 6437,
 * 7217). */
#ifndef DUET_RANDOM_H
#define DUET_RANDOM_H

#include <stddef.h>
#include <stdint.h>

struct duet_rng {
	uint64_t s[4];
};

/* Seeds the generator; the same seed gives the same sequence everywhere. */
void duet_rng_seed(struct duet_rng *rng, uint64_t seed);

/* Next 64 random bits. */
uint64_t duet_rng_next(struct duet_rng *rng);

/* A uniform value in [0, bound) without modulo bias; bound 0 returns 0. */
uint32_t duet_rng_below(struct duet_rng *rng, uint32_t bound);

/* True with probability ppm / 1,000,000. */
int duet_rng_chance_ppm(struct duet_rng *rng, uint32_t ppm);

/* Fills n bytes at buf. */
void duet_rng_fill(struct duet_rng *rng, void *buf, size_t n);

/* SipHash-2-4 of len bytes at data under a 128-bit key: the PRF for values
 * an outsider must not predict (flow labels, IPv4 Identification, stable
 * interface identifiers, initial sequence numbers). */
uint64_t duet_siphash24(const uint8_t key[16], const void *data, size_t len);

/* SipHash-1-3 of len bytes at data under a 128-bit key: the cheaper variant
 * for hash-table indexes, where the goal is only that an outsider cannot
 * aim many keys at one bucket (Linux's hsiphash on 64-bit hosts makes the
 * same choice). */
uint64_t duet_siphash13(const uint8_t key[16], const void *data, size_t len);

/* Fills n bytes from the operating system's entropy (getrandom). Returns 0 or
 * a negative errno. Host runtime only: the core never calls it. */
int duet_random_os(void *buf, size_t n);

#endif
