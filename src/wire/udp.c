/* duet — UDP header parse/emit and checksums (RFC 768, RFC 8200 §8.1). */
#include <duet/wire/udp.h>
#include <duet/wire/errors.h>
#include <duet/byteorder.h>
#include <duet/csum.h>

int duet_udp_parse(struct duet_cur *c, struct duet_udp_hdr *h)
{
	const uint8_t *p = duet_cur_peek(c, DUET_UDP_HDR_LEN);
	uint16_t length;

	if (!p)
		return -DUET_WE_TRUNCATED;
	length = duet_get_be16(p + 4);
	/* RFC 768: Length counts header and data, so it is at least 8. */
	if (length < DUET_UDP_HDR_LEN || !duet_cur_peek(c, length))
		return -DUET_WE_BAD_LENGTH;
	h->src_port = duet_get_be16(p);
	h->dst_port = duet_get_be16(p + 2);
	h->length = length;
	h->checksum = duet_get_be16(p + 6);
	duet_cur_take(c, DUET_UDP_HDR_LEN);
	duet_cur_limit(c, (size_t)length - DUET_UDP_HDR_LEN);
	return 0;
}

size_t duet_udp_len(const struct duet_udp_hdr *h)
{
	(void)h;
	return DUET_UDP_HDR_LEN;
}

int duet_udp_emit(const struct duet_udp_hdr *h, struct duet_wcur *w)
{
	uint8_t *p;

	if (h->length < DUET_UDP_HDR_LEN)
		return -DUET_WE_BAD_LENGTH;
	p = duet_wcur_take(w, DUET_UDP_HDR_LEN);
	if (!p)
		return -DUET_WE_NOSPACE;
	duet_put_be16(p, h->src_port);
	duet_put_be16(p + 2, h->dst_port);
	duet_put_be16(p + 4, h->length);
	duet_put_be16(p + 6, h->checksum);
	return 0;
}

bool duet_udp_has_csum(const struct duet_udp_hdr *h)
{
	return h->checksum != 0;
}

bool duet_udp_csum_ok(const uint8_t *seg, size_t len, uint32_t pseudo_sum)
{
	struct duet_cur c;
	const uint8_t *p;

	duet_cur_init(&c, seg, len);
	p = duet_cur_peek(&c, DUET_UDP_HDR_LEN);
	/* RFC 8200 §8.1: a zero checksum is discarded over IPv6; over IPv4 the
	 * caller skips this call for it (duet_udp_has_csum). */
	if (!p || duet_get_be16(p + 6) == 0)
		return false;
	return duet_csum_fold(duet_csum_partial(seg, len, pseudo_sum)) == 0;
}

int duet_udp_csum_set(uint8_t *seg, size_t len, uint32_t pseudo_sum)
{
	struct duet_cur c;
	uint16_t sum;

	duet_cur_init(&c, seg, len);
	if (!duet_cur_peek(&c, DUET_UDP_HDR_LEN))
		return -DUET_WE_TRUNCATED;
	duet_put_be16(seg + 6, 0);
	sum = duet_csum_fold(duet_csum_partial(seg, len, pseudo_sum));
	/* RFC 768: "If the computed checksum is zero, it is transmitted as all
	 * ones"; zero would read as "no checksum". */
	duet_put_be16(seg + 6, sum ? sum : 0xffff);
	return 0;
}
