/* duet — Internet checksum (RFC 1071) and incremental update (RFC 1624). */
#include <duet/csum.h>
#include <duet/byteorder.h>
#include <string.h>

static uint32_t csum_reduce(uint64_t s)
{
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

uint32_t duet_csum_partial(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;
	uint64_t s = sum;

	while (len >= 2) {
		s += duet_get_be16(p);
		p += 2;
		len -= 2;
	}
	if (len)
		s += (uint32_t)p[0] << 8;
	return csum_reduce(s);
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
	uint64_t s = duet_csum_partial(src, 16, 0);
	s += duet_csum_partial(dst, 16, 0);
	s += upper_len >> 16;
	s += upper_len & 0xffff;
	s += next_header;
	return csum_reduce(s);
}

uint32_t duet_csum_pseudo4(const uint8_t src[4], const uint8_t dst[4],
			   uint16_t upper_len, uint8_t protocol)
{
	uint64_t s = duet_csum_partial(src, 4, 0);
	s += duet_csum_partial(dst, 4, 0);
	s += upper_len;
	s += protocol;
	return csum_reduce(s);
}

uint16_t duet_csum_update16(uint16_t old_csum, uint16_t old_word, uint16_t new_word)
{
	/* HC' = ~(~HC + ~m + m') */
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
