/* duet — xoshiro256** (seeded by splitmix64) and SipHash-2-4. */
#include <duet/random.h>

#include <errno.h>
#include <string.h>
#include <sys/random.h>

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rotl64(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void duet_rng_seed(struct duet_rng *rng, uint64_t seed)
{
	int i;
	for (i = 0; i < 4; i++)
		rng->s[i] = splitmix64(&seed);
}

uint64_t duet_rng_next(struct duet_rng *rng)
{
	uint64_t *s = rng->s;
	uint64_t result = rotl64(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl64(s[3], 45);
	return result;
}

uint32_t duet_rng_below(struct duet_rng *rng, uint32_t bound)
{
	/* Lemire's multiply-shift with rejection of the biased low range. */
	uint64_t m;
	uint32_t low, threshold;

	if (bound == 0)
		return 0;
	m = (uint64_t)(uint32_t)duet_rng_next(rng) * bound;
	low = (uint32_t)m;
	if (low < bound) {
		threshold = (uint32_t)-bound % bound;
		while (low < threshold) {
			m = (uint64_t)(uint32_t)duet_rng_next(rng) * bound;
			low = (uint32_t)m;
		}
	}
	return (uint32_t)(m >> 32);
}

int duet_rng_chance_ppm(struct duet_rng *rng, uint32_t ppm)
{
	if (ppm == 0)
		return 0;
	return duet_rng_below(rng, 1000000) < ppm;
}

void duet_rng_fill(struct duet_rng *rng, void *buf, size_t n)
{
	uint8_t *p = buf;
	while (n) {
		uint64_t v = duet_rng_next(rng);
		size_t k = n < 8 ? n : 8;
		memcpy(p, &v, k);
		p += k;
		n -= k;
	}
}

/* n (0..8) little-endian bytes at p as a number: one unaligned load. */
static inline uint64_t sip_le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	memcpy(&v, p, n);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v); /* p[0] lands in the low byte */
#endif
	return v;
}

static inline uint64_t sip_le64(const uint8_t *p)
{
	return sip_le(p, 8);
}

#define SIPROUND(v0, v1, v2, v3) do { \
	v0 += v1; v1 = rotl64(v1, 13); v1 ^= v0; v0 = rotl64(v0, 32); \
	v2 += v3; v3 = rotl64(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = rotl64(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = rotl64(v1, 17); v1 ^= v2; v2 = rotl64(v2, 32); \
} while (0)

/* SipHash-c-d: c rounds per 8-byte block, d to finish. */
static inline uint64_t sip_hash(const uint8_t key[16], const void *data, size_t len, int c, int d)
{
	const uint8_t *p = data;
	uint64_t k0 = sip_le64(key), k1 = sip_le64(key + 8);
	uint64_t v0 = 0x736f6d6570736575ull ^ k0;
	uint64_t v1 = 0x646f72616e646f6dull ^ k1;
	uint64_t v2 = 0x6c7967656e657261ull ^ k0;
	uint64_t v3 = 0x7465646279746573ull ^ k1;
	uint64_t b = (uint64_t)len << 56, m;
	size_t i, left = len & 7, end = len - left;
	int r;

	for (i = 0; i < end; i += 8) {
		m = sip_le64(p + i);
		v3 ^= m;
		for (r = 0; r < c; r++)
			SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	b |= sip_le(p + end, left);
	v3 ^= b;
	for (r = 0; r < c; r++)
		SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	for (r = 0; r < d; r++)
		SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t duet_siphash24(const uint8_t key[16], const void *data, size_t len)
{
	return sip_hash(key, data, len, 2, 4);
}

uint64_t duet_siphash13(const uint8_t key[16], const void *data, size_t len)
{
	return sip_hash(key, data, len, 1, 3);
}

int duet_random_os(void *buf, size_t n)
{
	uint8_t *p = buf;
	while (n) {
		ssize_t r = getrandom(p, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}
