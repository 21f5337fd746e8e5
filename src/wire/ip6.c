/* duet — IPv6 fixed header parse/emit (RFC 8200 §3). */
#include <duet/wire/ip6.h>
#include <duet/wire/errors.h>
#include <duet/byteorder.h>

#include <string.h>

int duet_ip6_parse(struct duet_cur *c, struct duet_ip6_hdr *h)
{
	struct duet_cur save = *c;
	const uint8_t *p = duet_cur_take(c, DUET_IP6_HDR_LEN);
	uint32_t w0;

	if (!p)
		return -DUET_WE_TRUNCATED;
	w0 = duet_get_be32(p);
	if (w0 >> 28 != 6) {
		*c = save;
		return -DUET_WE_BAD_VERSION;
	}
	h->traffic_class = (uint8_t)(w0 >> 20);
	h->flow_label = w0 & 0xfffff;
	h->payload_length = duet_get_be16(p + 4);
	h->next_header = p[6];
	h->hop_limit = p[7];
	memcpy(h->src, p + 8, 16);
	memcpy(h->dst, p + 24, 16);
	/* A zero Payload Length announces a jumbogram (RFC 2675), which duet
	 * does not carry; a length beyond the data is a truncated packet. The
	 * bytes after Payload Length are link padding and are cut. */
	if (h->payload_length == 0 || duet_cur_limit(c, h->payload_length) != 0) {
		*c = save;
		return -DUET_WE_BAD_LENGTH;
	}
	return 0;
}

size_t duet_ip6_len(const struct duet_ip6_hdr *h)
{
	(void)h;
	return DUET_IP6_HDR_LEN;
}

int duet_ip6_emit(const struct duet_ip6_hdr *h, struct duet_wcur *w)
{
	uint8_t *p;

	if (h->flow_label > 0xfffff)
		return -DUET_WE_TOO_BIG;
	p = duet_wcur_take(w, DUET_IP6_HDR_LEN);
	if (!p)
		return -DUET_WE_NOSPACE;
	duet_put_be32(p, 6u << 28 | (uint32_t)h->traffic_class << 20 | h->flow_label);
	duet_put_be16(p + 4, h->payload_length);
	p[6] = h->next_header;
	p[7] = h->hop_limit;
	memcpy(p + 8, h->src, 16);
	memcpy(p + 24, h->dst, 16);
	return 0;
}
