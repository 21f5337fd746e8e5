/* duet — Internet checksum (RFC 1071) with a wide portable loop and an AVX2
 * path chosen at run time, incremental update (RFC 1624), pseudo-headers. */
#include <duet/csum.h>
#include <duet/byteorder.h>

#include <stdbool.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CSUM_HAVE_X86 1
#else
#define CSUM_HAVE_X86 0
#endif

/* The kernels sum the data as native-order words, which RFC 1071 §2(B) allows:
 * the one's-complement sum is byte-order independent up to a final swap.
 * They return a 64-bit value congruent (mod 0xffff) to the native-order sum
 * of 16-bit words, and zero only when every byte is zero. Each call covers at
 * most CSUM_CHUNK_BYTES so that no accumulator can overflow. */
#define CSUM_CHUNK_BYTES ((size_t)16 << 20)

/* Below this many bytes the vector path's set-up costs more than it saves. */
#define CSUM_SIMD_MIN_BYTES 128

/* Folds a 64-bit sum to 16 bits with end-around carry: 0 stays 0, any other
 * value becomes 1..0xffff with the same residue mod 0xffff. */
static uint32_t csum_reduce(uint64_t s)
{
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

static uint64_t csum_load64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

/* Splits a 64-bit accumulator in two 32-bit halves (2^32 = 1 mod 0xffff). */
static uint64_t csum_halves(uint64_t a)
{
	return (a & 0xffffffffu) + (a >> 32);
}

/* The native-order sum of the last len (< 8) bytes, which start at an even
 * offset from the start of the data. Fixed-size loads: a variable-length
 * memcpy would cost a library call. */
static uint64_t csum_tail(const uint8_t *p, size_t len)
{
	uint64_t s = 0;
	uint32_t w32;
	uint16_t w16;

	if (len & 4) {
		memcpy(&w32, p, 4);
		s += w32;
		p += 4;
	}
	if (len & 2) {
		memcpy(&w16, p, 2);
		s += w16;
		p += 2;
	}
	/* RFC 1071 pads an odd last byte with a zero byte after it: the high
	 * byte of a big-endian word, the low byte of a little-endian one. */
	if (len & 1)
		s += __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? p[0] : (uint32_t)p[0] << 8;
	return s;
}

/* Portable kernel: 64-bit native words into four independent accumulators,
 * each with its own carry counter (a carry out of bit 63 is worth 2^64, which
 * is 1 mod 0xffff). */
static uint64_t csum_native_portable(const uint8_t *p, size_t len)
{
	uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0, c0 = 0, c1 = 0, c2 = 0, c3 = 0;
	uint64_t w0, w1, w2, w3;

	for (; len >= 32; p += 32, len -= 32) {
		w0 = csum_load64(p);
		w1 = csum_load64(p + 8);
		w2 = csum_load64(p + 16);
		w3 = csum_load64(p + 24);
		a0 += w0;
		c0 += a0 < w0;
		a1 += w1;
		c1 += a1 < w1;
		a2 += w2;
		c2 += a2 < w2;
		a3 += w3;
		c3 += a3 < w3;
	}
	for (; len >= 8; p += 8, len -= 8) {
		w0 = csum_load64(p);
		a0 += w0;
		c0 += a0 < w0;
	}
	return csum_halves(a0) + csum_halves(a1) + csum_halves(a2) + csum_halves(a3) +
	       c0 + c1 + c2 + c3 + csum_tail(p, len);
}

#if CSUM_HAVE_X86
/* AVX2 kernel: each 32-byte vector is split into its eight 32-bit lanes,
 * added into 64-bit lanes (low and high halves separately), four vectors per
 * iteration into independent accumulators. Lanes cannot overflow within one
 * chunk (at most 2^20 additions below 2^32 each per lane). */
__attribute__((target("avx2")))
static uint64_t csum_native_avx2(const uint8_t *p, size_t len)
{
	const __m256i lo32 = _mm256_set1_epi64x(0xffffffff);
	__m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
	uint64_t lane[4];

	for (; len >= 128; p += 128, len -= 128) {
		__m256i v0 = _mm256_loadu_si256((const __m256i *)(const void *)p);
		__m256i v1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
		__m256i v2 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 64));
		__m256i v3 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 96));
		s0 = _mm256_add_epi64(s0, _mm256_and_si256(v0, lo32));
		s1 = _mm256_add_epi64(s1, _mm256_srli_epi64(v0, 32));
		s2 = _mm256_add_epi64(s2, _mm256_and_si256(v1, lo32));
		s3 = _mm256_add_epi64(s3, _mm256_srli_epi64(v1, 32));
		s0 = _mm256_add_epi64(s0, _mm256_and_si256(v2, lo32));
		s1 = _mm256_add_epi64(s1, _mm256_srli_epi64(v2, 32));
		s2 = _mm256_add_epi64(s2, _mm256_and_si256(v3, lo32));
		s3 = _mm256_add_epi64(s3, _mm256_srli_epi64(v3, 32));
	}
	for (; len >= 32; p += 32, len -= 32) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)p);
		s0 = _mm256_add_epi64(s0, _mm256_and_si256(v, lo32));
		s1 = _mm256_add_epi64(s1, _mm256_srli_epi64(v, 32));
	}
	s0 = _mm256_add_epi64(_mm256_add_epi64(s0, s1), _mm256_add_epi64(s2, s3));
	_mm256_storeu_si256((__m256i *)(void *)lane, s0);
	return csum_halves(lane[0]) + csum_halves(lane[1]) + csum_halves(lane[2]) +
	       csum_halves(lane[3]) + csum_native_portable(p, len);
}

/* True when the CPU runs AVX2. libgcc / compiler-rt fill the CPU model from a
 * high-priority constructor; before that this reads false and the portable
 * kernel (always correct) runs. */
static bool csum_cpu_has_avx2(void)
{
	return __builtin_cpu_supports("avx2");
}
#else
/* No vector kernel on this architecture: never chosen, as the CPU test below
 * is false; it only lets duet_csum_partial read the same everywhere. */
static uint64_t csum_native_avx2(const uint8_t *p, size_t len)
{
	return csum_native_portable(p, len);
}

static bool csum_cpu_has_avx2(void)
{
	return false;
}
#endif

/* Turns a native-order kernel result into the big-endian running sum and
 * adds it to sum. On little-endian hosts the folded native sum is the
 * byte-swapped big-endian sum (RFC 1071 §2(B)). */
static uint32_t csum_finish(uint64_t native, uint32_t sum)
{
	uint32_t f = csum_reduce(native);

	if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)
		f = ((f >> 8) | (f << 8)) & 0xffff;
	return csum_reduce((uint64_t)sum + f);
}

/* Runs kernel over data chunk by chunk and returns the running sum. */
static uint32_t csum_run(uint64_t (*kernel)(const uint8_t *, size_t), const uint8_t *p,
			 size_t len, uint32_t sum)
{
	uint64_t native = 0;

	while (len > CSUM_CHUNK_BYTES) {
		native = csum_reduce(native + kernel(p, CSUM_CHUNK_BYTES));
		p += CSUM_CHUNK_BYTES;
		len -= CSUM_CHUNK_BYTES;
	}
	return csum_finish(native + kernel(p, len), sum);
}

uint32_t duet_csum_partial(const void *data, size_t len, uint32_t sum)
{
	/* Headers and small datagrams: the portable kernel, called directly
	 * (no chunking is needed below CSUM_CHUNK_BYTES). */
	if (len < CSUM_SIMD_MIN_BYTES)
		return csum_finish(csum_native_portable(data, len), sum);
	if (csum_cpu_has_avx2())
		return csum_run(csum_native_avx2, data, len, sum);
	return csum_run(csum_native_portable, data, len, sum);
}

uint32_t duet_csum_partial_portable(const void *data, size_t len, uint32_t sum)
{
	return csum_run(csum_native_portable, data, len, sum);
}

const char *duet_csum_impl(void)
{
	return csum_cpu_has_avx2() ? "avx2" : "portable";
}

uint16_t duet_csum_fold(uint32_t sum)
{
	uint32_t s = csum_reduce(sum);
	return (uint16_t)~s;
}

uint16_t duet_csum(const void *data, size_t len)
{
	return duet_csum_fold(duet_csum_partial(data, len, 0));
}

uint32_t duet_csum_pseudo6(const uint8_t src[16], const uint8_t dst[16],
			   uint32_t upper_len, uint8_t next_header)
{
	uint64_t s = 0;
	unsigned i;

	/* Eight big-endian 32-bit words: their sum cannot overflow 64 bits,
	 * and 2^16 = 1 mod 0xffff lets csum_reduce fold it. */
	for (i = 0; i < 16; i += 4)
		s += (uint64_t)duet_get_be32(src + i) + duet_get_be32(dst + i);
	s += upper_len >> 16;
	s += upper_len & 0xffff;
	s += next_header;
	return csum_reduce(s);
}

uint32_t duet_csum_pseudo4(const uint8_t src[4], const uint8_t dst[4],
			   uint16_t upper_len, uint8_t protocol)
{
	uint64_t s = duet_get_be16(src) + duet_get_be16(src + 2);
	s += duet_get_be16(dst) + duet_get_be16(dst + 2);
	s += upper_len;
	s += protocol;
	return csum_reduce(s);
}

uint16_t duet_csum_update16(uint16_t old_csum, uint16_t old_word, uint16_t new_word)
{
	/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). Unlike eqn. 2 it cannot
	 * produce 0xffff (-0) when the true sum is +0 (RFC 1624 §3). */
	uint32_t s = (uint16_t)~old_csum;
	s += (uint16_t)~old_word;
	s += new_word;
	return (uint16_t)~csum_reduce(s);
}

uint16_t duet_csum_update32(uint16_t old_csum, uint32_t old_val, uint32_t new_val)
{
	uint16_t c = duet_csum_update16(old_csum, (uint16_t)(old_val >> 16),
					(uint16_t)(new_val >> 16));
	return duet_csum_update16(c, (uint16_t)old_val, (uint16_t)new_val);
}
