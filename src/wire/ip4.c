/* duet — IPv4 header parse/emit and option walking (RFC 791, RFC 1122
 * §3.2.1, RFC 2474, RFC 3168, RFC 2113). */
#include <duet/wire/ip4.h>
#include <duet/wire/errors.h>
#include <duet/byteorder.h>
#include <duet/csum.h>

#include <string.h>

#define IP4_FLAG_RESERVED 0x8000u
#define IP4_FLAG_DF       0x4000u
#define IP4_FLAG_MF       0x2000u
#define IP4_FRAG_MASK     0x1fffu

/* Fills h from the 20 fixed bytes at p (no checks). */
static void ip4_read_fixed(const uint8_t *p, struct duet_ip4_hdr *h)
{
	uint16_t ff = duet_get_be16(p + 6);

	h->version = p[0] >> 4;
	h->ihl = p[0] & 0x0f;
	h->dscp = p[1] >> 2;
	h->ecn = p[1] & 0x03;
	h->total_length = duet_get_be16(p + 2);
	h->identification = duet_get_be16(p + 4);
	h->df = (ff & IP4_FLAG_DF) != 0;
	h->mf = (ff & IP4_FLAG_MF) != 0;
	h->fragment_offset = ff & IP4_FRAG_MASK;
	h->ttl = p[8];
	h->protocol = p[9];
	h->header_checksum = duet_get_be16(p + 10);
	memcpy(h->src, p + 12, 4);
	memcpy(h->dst, p + 16, 4);
}

/* The header checksum of the hlen-byte header at p (hlen a multiple of 4,
 * at most 60), as duet_csum would compute it: big-endian 32-bit words
 * summed in 64 bits (2^16 = 1 mod 0xffff), folded with end-around carry.
 * Every datagram in and out pays this, so it avoids the general kernel's
 * call and set-up. */
static uint16_t ip4_hdr_csum(const uint8_t *p, size_t hlen)
{
	uint64_t s = (uint64_t)duet_get_be32(p) + duet_get_be32(p + 4) + duet_get_be32(p + 8) +
		     duet_get_be32(p + 12) + duet_get_be32(p + 16);
	size_t i;

	for (i = DUET_IP4_HDR_LEN; i < hlen; i += 4) /* options */
		s += duet_get_be32(p + i);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Checks version and IHL against what c holds; returns the header length in
 * bytes, or a negative reason. Consumes nothing. */
static int ip4_check_hdr(const struct duet_cur *c)
{
	const uint8_t *p = duet_cur_peek(c, DUET_IP4_HDR_LEN);
	size_t hlen;

	if (!p)
		return -DUET_WE_TRUNCATED;
	if (p[0] >> 4 != 4)
		return -DUET_WE_BAD_VERSION;
	hlen = (size_t)(p[0] & 0x0f) * 4;
	if (hlen < DUET_IP4_HDR_LEN || !duet_cur_peek(c, hlen))
		return -DUET_WE_BAD_HDR_LEN;
	return (int)hlen;
}

int duet_ip4_parse(struct duet_cur *c, struct duet_ip4_hdr *h)
{
	int hlen = ip4_check_hdr(c);
	const uint8_t *p;
	uint16_t total;

	if (hlen < 0)
		return hlen;
	p = duet_cur_peek(c, (size_t)hlen);
	total = duet_get_be16(p + 2);
	/* RFC 1122 §3.2.1.2: a header that does not verify is discarded. */
	if (total < hlen || !duet_cur_peek(c, total))
		return -DUET_WE_BAD_LENGTH;
	if (ip4_hdr_csum(p, (size_t)hlen) != 0)
		return -DUET_WE_BAD_CHECKSUM;
	/* RFC 791 §3.1: bit 0 of Flags is reserved and must be zero. */
	if (duet_get_be16(p + 6) & IP4_FLAG_RESERVED)
		return -DUET_WE_BAD_FIELD;
	ip4_read_fixed(p, h);
	h->options = p + DUET_IP4_HDR_LEN;
	h->options_len = (size_t)hlen - DUET_IP4_HDR_LEN;
	duet_cur_take(c, (size_t)hlen);
	duet_cur_limit(c, (size_t)total - (size_t)hlen);
	return 0;
}

int duet_ip4_parse_quoted(struct duet_cur *c, struct duet_ip4_hdr *h)
{
	int hlen = ip4_check_hdr(c);
	const uint8_t *p;

	if (hlen < 0)
		return hlen;
	p = duet_cur_take(c, (size_t)hlen);
	ip4_read_fixed(p, h);
	h->options = p + DUET_IP4_HDR_LEN;
	h->options_len = (size_t)hlen - DUET_IP4_HDR_LEN;
	/* The quote may be cut short (usual) or padded: keep what is real. */
	if (h->total_length >= hlen)
		duet_cur_limit(c, (size_t)h->total_length - (size_t)hlen);
	return 0;
}

size_t duet_ip4_len(const struct duet_ip4_hdr *h)
{
	return DUET_IP4_HDR_LEN + ((h->options_len + 3) & ~(size_t)3);
}

int duet_ip4_emit(const struct duet_ip4_hdr *h, struct duet_wcur *w)
{
	size_t hlen;
	uint8_t *p;
	uint16_t ff;

	if (h->options_len > DUET_IP4_MAX_OPT_LEN || h->dscp > 63 || h->ecn > 3 ||
	    h->fragment_offset > IP4_FRAG_MASK)
		return -DUET_WE_TOO_BIG;
	hlen = duet_ip4_len(h);
	if (h->total_length < hlen)
		return -DUET_WE_BAD_LENGTH;
	p = duet_wcur_take(w, hlen);
	if (!p)
		return -DUET_WE_NOSPACE;
	ff = (uint16_t)((h->df ? IP4_FLAG_DF : 0u) | (h->mf ? IP4_FLAG_MF : 0u) |
			h->fragment_offset);
	p[0] = (uint8_t)(4u << 4 | hlen / 4);
	p[1] = (uint8_t)(h->dscp << 2 | h->ecn);
	duet_put_be16(p + 2, h->total_length);
	duet_put_be16(p + 4, h->identification);
	duet_put_be16(p + 6, ff);
	p[8] = h->ttl;
	p[9] = h->protocol;
	duet_put_be16(p + 10, 0);
	memcpy(p + 12, h->src, 4);
	memcpy(p + 16, h->dst, 4);
	/* RFC 791 §3.1: the padding after the options is zero (EOL). */
	memset(p + DUET_IP4_HDR_LEN, 0, hlen - DUET_IP4_HDR_LEN);
	if (h->options_len)
		memcpy(p + DUET_IP4_HDR_LEN, h->options, h->options_len);
	duet_put_be16(p + 10, ip4_hdr_csum(p, hlen));
	return 0;
}

bool duet_ip4_is_fragment(const struct duet_ip4_hdr *h)
{
	return h->mf || h->fragment_offset != 0;
}

void duet_ip4_opt_iter_init(struct duet_ip4_opt_iter *it, const struct duet_ip4_hdr *h)
{
	duet_cur_init(&it->cur, h->options, h->options_len);
}

/* Type-specific checks of a TLV option whose length is already known to fit
 * (RFC 791 §3.1, RFC 2113 §2.1). Fills the pointer and TS fields. */
static int ip4_opt_check(struct duet_ip4_opt *o)
{
	switch (o->type) {
	case DUET_IP4_OPT_RR:
	case DUET_IP4_OPT_LSRR:
	case DUET_IP4_OPT_SSRR:
		if (o->length < 3)
			return -DUET_WE_BAD_OPT_LEN;
		o->pointer = o->data[0];
		/* "The smallest legal value for the pointer is 4." */
		if (o->pointer < 4)
			return -DUET_WE_BAD_OPTION;
		return 0;
	case DUET_IP4_OPT_TS:
		if (o->length < 4)
			return -DUET_WE_BAD_OPT_LEN;
		o->pointer = o->data[0];
		o->oflw = o->data[1] >> 4;
		o->flg = o->data[1] & 0x0f;
		/* "The smallest legal value is 5"; flags 0, 1 and 3 are defined. */
		if (o->pointer < 5)
			return -DUET_WE_BAD_OPTION;
		if (o->flg != DUET_IP4_TS_ONLY && o->flg != DUET_IP4_TS_ADDR &&
		    o->flg != DUET_IP4_TS_PRESPEC)
			return -DUET_WE_BAD_OPTION;
		return 0;
	case DUET_IP4_OPT_RA:
	case DUET_IP4_OPT_SID:
		return o->length == 4 ? 0 : -DUET_WE_BAD_OPT_LEN;
	default:
		return 0;
	}
}

int duet_ip4_opt_next(struct duet_ip4_opt_iter *it, struct duet_ip4_opt *o)
{
	struct duet_cur c = it->cur;
	const uint8_t *p = duet_cur_take(&c, 1);
	const uint8_t *lp;
	int err;

	if (!p || p[0] == DUET_IP4_OPT_EOL)
		return 0;
	memset(o, 0, sizeof *o);
	o->type = p[0];
	o->offset = it->cur.off;
	o->length = 1;
	if (o->type == DUET_IP4_OPT_NOP) {
		it->cur = c;
		return 1;
	}
	lp = duet_cur_take(&c, 1);
	if (!lp)
		return -DUET_WE_OPT_TRUNCATED;
	o->length = lp[0];
	if (o->length < 2)
		return -DUET_WE_BAD_OPT_LEN;
	o->data_len = (size_t)o->length - 2;
	o->data = duet_cur_take(&c, o->data_len);
	if (!o->data)
		return -DUET_WE_OPT_TRUNCATED;
	err = ip4_opt_check(o);
	if (err)
		return err;
	it->cur = c;
	return 1;
}
