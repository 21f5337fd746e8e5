/* Tests for the Internet checksum (foundation, issue 2): RFC 1071 sums, the
 * RFC 1624 incremental update and pseudo-header sums (RFC 768, RFC 8200
 * §8.1): vectors, every length and alignment against a reference loop, both
 * kernels. */
#include "check.h"

#include <duet/byteorder.h>
#include <duet/csum.h>
#include <duet/random.h>

#include <stdio.h>
#include <stdlib.h>

/* The reference: one big-endian 16-bit word at a time, then end-around carry
 * folds, exactly as RFC 1071 §4.1 describes. */
static uint32_t ref_partial(const uint8_t *p, size_t len, uint32_t sum)
{
	uint64_t s = sum;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

/* Both entry points must equal the reference for this input. */
static void check_both(const uint8_t *p, size_t len, uint32_t sum)
{
	uint32_t want = ref_partial(p, len, sum);
	uint32_t got = duet_csum_partial(p, len, sum);
	uint32_t got_portable = duet_csum_partial_portable(p, len, sum);

	if (got != want || got_portable != want)
		check_fail(__FILE__, __LINE__, "len %zu sum %#x: %#x / portable %#x, want %#x",
			   len, sum, got, got_portable, want);
}

TEST(csum_rfc1071_example)
{
	/* RFC 1071 §3: the sum of 0001 f203 f4f5 f6f7 is 2ddf0, folded ddf2. */
	static const uint8_t b[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	CHECK_EQ(duet_csum_partial(b, sizeof b, 0), 0xddf2);
	CHECK_EQ(duet_csum_partial_portable(b, sizeof b, 0), 0xddf2);
	CHECK_EQ(duet_csum(b, sizeof b), 0x220d);
	/* Byte-order independence (RFC 1071 §2(B)): swapped bytes, swapped sum. */
	{
		static const uint8_t s[8] = { 0x01, 0x00, 0x03, 0xf2, 0xf5, 0xf4, 0xf7, 0xf6 };
		CHECK_EQ(duet_csum_partial(s, sizeof s, 0), 0xf2dd);
	}
}

TEST(csum_ipv4_header_vector)
{
	uint8_t h[20];
	size_t n = check_hex("45 00 00 73 00 00 40 00 40 11 b8 61 c0 a8 00 01 c0 a8 00 c7",
			     h, sizeof h);

	CHECK_EQ(n, 20);
	CHECK_EQ(duet_csum(h, n), 0); /* a correct header verifies to 0 */
	h[10] = h[11] = 0;
	CHECK_EQ(duet_csum(h, n), 0xb861);
	CHECK_EQ(duet_csum_fold(duet_csum_partial_portable(h, n, 0)), 0xb861);
}

TEST(csum_odd_lengths)
{
	static const uint8_t b[5] = { 0xab, 0x01, 0x02, 0x03, 0xff };

	CHECK_EQ(duet_csum_partial(b, 0, 0), 0);
	CHECK_EQ(duet_csum_partial(b, 1, 0), 0xab00); /* RFC 1071: pad with zero */
	CHECK_EQ(duet_csum_partial(b, 3, 0), 0xab01 + 0x0200);
	CHECK_EQ(duet_csum_partial(b, 5, 0), (0xab01 + 0x0203 + 0xff00 - 0xffff));
	CHECK_EQ(duet_csum_partial(b, 0, 0x1234), 0x1234);
	CHECK_EQ(duet_csum_partial(b, 0, 0x12345), 0x2346);
}

TEST(csum_every_length_and_alignment)
{
	static uint8_t buf[300 + 16 + 8];
	struct duet_rng rng;
	size_t len, align;

	duet_rng_seed(&rng, 1071);
	for (align = 0; align < 16; align++) {
		for (len = 0; len <= 300; len++) {
			duet_rng_fill(&rng, buf, sizeof buf);
			check_both(buf + align, len, 0);
			check_both(buf + align, len, (uint32_t)duet_rng_next(&rng));
		}
	}
}

TEST(csum_carry_heavy_inputs)
{
	/* All-ones data makes every 64-bit and vector lane add carry out. */
	size_t n = 70000, len;
	uint8_t *b = malloc(n);

	CHECK(b != NULL);
	if (!b)
		return;
	memset(b, 0xff, n);
	for (len = 0; len < 4200; len += 7)
		check_both(b + (len & 15), len, 0xffffffffu);
	check_both(b, n, 0);
	check_both(b + 1, n - 1, 0);
	CHECK_EQ(duet_csum_partial(b, n, 0), 0xffff); /* -0: nonzero data */
	memset(b, 0, n);
	CHECK_EQ(duet_csum_partial(b, n, 0), 0); /* +0 only for all-zero data */
	CHECK_EQ(duet_csum(b, n), 0xffff);
	free(b);
}

TEST(csum_long_random_buffers)
{
	size_t n = (1u << 20) + 61;
	uint8_t *b = malloc(n);
	struct duet_rng rng;
	int i;

	CHECK(b != NULL);
	if (!b)
		return;
	duet_rng_seed(&rng, 4242);
	duet_rng_fill(&rng, b, n);
	for (i = 0; i < 40; i++) {
		size_t off = duet_rng_below(&rng, 64);
		size_t len = duet_rng_below(&rng, (uint32_t)(n - off));
		check_both(b + off, len, (uint32_t)duet_rng_next(&rng));
	}
	check_both(b, n, 0);
	free(b);
}

TEST(csum_chaining_pieces)
{
	uint8_t b[1500];
	struct duet_rng rng;
	int i;

	duet_rng_seed(&rng, 7);
	duet_rng_fill(&rng, b, sizeof b);
	for (i = 0; i < 200; i++) {
		/* Every piece but the last even-length, as the header requires. */
		size_t cut1 = duet_rng_below(&rng, 750) * 2;
		size_t cut2 = cut1 + duet_rng_below(&rng, (uint32_t)(sizeof b - cut1) / 2) * 2;
		size_t end = cut2 + duet_rng_below(&rng, (uint32_t)(sizeof b - cut2 + 1));
		uint32_t s = duet_csum_partial(b, cut1, 0);

		s = duet_csum_partial(b + cut1, cut2 - cut1, s);
		s = duet_csum_partial(b + cut2, end - cut2, s);
		CHECK_EQ(duet_csum_fold(s), duet_csum(b, end));
		CHECK_EQ(s, ref_partial(b, end, 0));
	}
}

TEST(csum_beyond_one_chunk)
{
	/* The kernels run over at most 16 MiB at a time (so that no lane can
	 * overflow); longer buffers are summed chunk by chunk. */
	size_t n = (33u << 20) + 4099, off;
	uint8_t *b = malloc(n);
	struct duet_rng rng;

	CHECK(b != NULL);
	if (!b)
		return;
	duet_rng_seed(&rng, 16);
	duet_rng_fill(&rng, b, n);
	for (off = 0; off < 4; off++)
		check_both(b + off, n - off * 3, (uint32_t)off);
	free(b);
}

TEST(csum_simd_and_portable_agree)
{
	size_t n = 65536 + 33, len;
	uint8_t *b = malloc(n);
	struct duet_rng rng;

	printf("  kernel: %s\n", duet_csum_impl());
	if (strcmp(duet_csum_impl(), "portable") == 0)
		check_skip("no SIMD kernel on this CPU: only the portable one ran");
	CHECK(b != NULL);
	if (!b)
		return;
	duet_rng_seed(&rng, 99);
	duet_rng_fill(&rng, b, n);
	for (len = 60; len < n - 32; len = len * 3 / 2 + 1) {
		size_t off = duet_rng_below(&rng, 32);
		CHECK_EQ(duet_csum_partial(b + off, len, 1), duet_csum_partial_portable(b + off, len, 1));
	}
	free(b);
}

TEST(csum_rfc1624_example)
{
	/* RFC 1624 §3/§4: C (sum of the other bytes) = 0xcd7a, m 0x5555 -> 0x3285.
	 * HC = ~(C + m) = 0xdd2f; eqn. 3 gives 0x0000 where eqn. 2 gave -0
	 * (0xffff). */
	CHECK_EQ(duet_csum_fold(0xcd7a + 0x5555), 0xdd2f);
	CHECK_EQ(duet_csum_update16(0xdd2f, 0x5555, 0x3285), 0x0000);
	CHECK_EQ(duet_csum_fold(0xcd7a + 0x3285), 0x0000);
}

/* Rewrites the checksum at b[10..12) over the 40 bytes at b. */
static void put_csum(uint8_t *b)
{
	b[10] = b[11] = 0;
	duet_put_be16(b + 10, duet_csum(b, 40));
}

TEST(csum_rfc1624_update_random)
{
	struct duet_rng rng;
	uint8_t b[40];
	int i;

	duet_rng_seed(&rng, 1624);
	for (i = 0; i < 5000; i++) {
		size_t at = 12 + 2 * duet_rng_below(&rng, 13); /* an even word after the field */
		uint16_t old_csum, c16, c32;
		uint32_t old32, new32;

		duet_rng_fill(&rng, b, sizeof b);
		put_csum(b);
		old_csum = duet_get_be16(b + 10);
		old32 = duet_get_be32(b + at);
		new32 = i % 7 == 0 ? ~old32 : (uint32_t)duet_rng_next(&rng);
		c16 = duet_csum_update16(old_csum, (uint16_t)(old32 >> 16), (uint16_t)(new32 >> 16));
		c32 = duet_csum_update32(old_csum, old32, new32);
		duet_put_be16(b + at, (uint16_t)(new32 >> 16));
		put_csum(b);
		CHECK_EQ(c16, duet_get_be16(b + 10));
		duet_put_be32(b + at, new32);
		put_csum(b);
		CHECK_EQ(c32, duet_get_be16(b + 10));
		CHECK_EQ(duet_csum(b, sizeof b), 0);
	}
}

TEST(csum_pseudo_headers)
{
	struct duet_rng rng;
	uint8_t ph6[40], ph4[12];
	int i;

	duet_rng_seed(&rng, 8200);
	for (i = 0; i < 1000; i++) {
		uint32_t len6 = (uint32_t)duet_rng_next(&rng);
		uint16_t len4 = (uint16_t)duet_rng_next(&rng);
		uint8_t nh = (uint8_t)duet_rng_next(&rng);

		/* RFC 8200 §8.1: src, dst, 32-bit length, 3 zero bytes, next header. */
		duet_rng_fill(&rng, ph6, 32);
		duet_put_be32(ph6 + 32, len6);
		ph6[36] = ph6[37] = ph6[38] = 0;
		ph6[39] = nh;
		CHECK_EQ(duet_csum_pseudo6(ph6, ph6 + 16, len6, nh), ref_partial(ph6, 40, 0));
		/* RFC 768: src, dst, zero, protocol, 16-bit length. */
		duet_rng_fill(&rng, ph4, 8);
		ph4[8] = 0;
		ph4[9] = nh;
		duet_put_be16(ph4 + 10, len4);
		CHECK_EQ(duet_csum_pseudo4(ph4, ph4 + 4, len4, nh), ref_partial(ph4, 12, 0));
	}
}
