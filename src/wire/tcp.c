/* duet — TCP header and option parse/emit, checksums (RFC 9293 §3.1-3.2,
 * RFC 7323, RFC 2018, RFC 5482). */
#include <duet/wire/tcp.h>
#include <duet/wire/errors.h>
#include <duet/byteorder.h>
#include <duet/csum.h>

#include <string.h>

/* The fixed length of a known option kind; 0 for variable or unknown. */
static size_t tcp_opt_fixed_len(uint8_t kind)
{
	switch (kind) {
	case DUET_TCP_OPT_MSS:
	case DUET_TCP_OPT_UTO:
		return 4;
	case DUET_TCP_OPT_WSCALE:
		return 3;
	case DUET_TCP_OPT_SACK_PERM:
		return 2;
	case DUET_TCP_OPT_TS:
		return 10;
	default:
		return 0;
	}
}

/* Stores option kind with its body b (n bytes, length already checked). */
static void tcp_opt_store(uint8_t kind, const uint8_t *b, size_t n, struct duet_tcp_hdr *h)
{
	size_t i;

	switch (kind) {
	case DUET_TCP_OPT_MSS:
		h->has_mss = true;
		h->mss = duet_get_be16(b);
		break;
	case DUET_TCP_OPT_WSCALE:
		h->has_wscale = true;
		h->wscale = b[0];
		break;
	case DUET_TCP_OPT_SACK_PERM:
		h->has_sack_permitted = true;
		break;
	case DUET_TCP_OPT_SACK:
		h->sack_count = (uint8_t)(n / 8);
		for (i = 0; i < h->sack_count; i++) {
			h->sack[i].left_edge = duet_get_be32(b + 8 * i);
			h->sack[i].right_edge = duet_get_be32(b + 8 * i + 4);
		}
		break;
	case DUET_TCP_OPT_TS:
		h->has_timestamps = true;
		h->ts_val = duet_get_be32(b);
		h->ts_ecr = duet_get_be32(b + 4);
		break;
	case DUET_TCP_OPT_UTO:
		h->has_user_timeout = true;
		h->uto_granularity = (b[0] & 0x80) != 0;
		h->user_timeout = duet_get_be16(b) & 0x7fff;
		break;
	default:
		if (h->unknown_options < UINT8_MAX)
			h->unknown_options++;
		break;
	}
}

/* Reads one option from oc. Returns 1 (go on), 0 (end of list) or a
 * negative reason. RFC 9293 §3.1: an option's length counts its kind and
 * length octets; an illegal length must not be trusted. */
static int tcp_opt_next(struct duet_cur *oc, struct duet_tcp_hdr *h)
{
	const uint8_t *k = duet_cur_take(oc, 1);
	const uint8_t *lp, *body;
	size_t len, fixed;

	if (!k || k[0] == DUET_TCP_OPT_EOL)
		return 0;
	if (k[0] == DUET_TCP_OPT_NOP)
		return 1;
	lp = duet_cur_take(oc, 1);
	if (!lp)
		return -DUET_WE_OPT_TRUNCATED;
	len = lp[0];
	if (len < 2)
		return -DUET_WE_BAD_OPT_LEN;
	fixed = tcp_opt_fixed_len(k[0]);
	if (fixed && len != fixed)
		return -DUET_WE_BAD_OPT_LEN;
	/* RFC 2018 §3: 2 + 8n bytes; n <= 4 also fits the 40-byte area. */
	if (k[0] == DUET_TCP_OPT_SACK &&
	    ((len - 2) % 8 != 0 || len < 10 || len > 2 + 8 * DUET_TCP_MAX_SACK))
		return -DUET_WE_BAD_OPT_LEN;
	body = duet_cur_take(oc, len - 2);
	if (!body)
		return -DUET_WE_OPT_TRUNCATED;
	tcp_opt_store(k[0], body, len - 2, h);
	return 1;
}

/* Fills h's fixed fields from the 20 bytes at p. */
static void tcp_read_fixed(const uint8_t *p, struct duet_tcp_hdr *h)
{
	uint16_t word = duet_get_be16(p + 12);

	h->src_port = duet_get_be16(p);
	h->dst_port = duet_get_be16(p + 2);
	h->seq = duet_get_be32(p + 4);
	h->ack = duet_get_be32(p + 8);
	h->data_offset = (uint8_t)(word >> 12);
	h->flags = word & DUET_TCP_FLAGS_MASK;
	h->window = duet_get_be16(p + 14);
	h->checksum = duet_get_be16(p + 16);
	h->urgent_pointer = duet_get_be16(p + 18);
}

int duet_tcp_parse(struct duet_cur *c, struct duet_tcp_hdr *h)
{
	const uint8_t *p = duet_cur_peek(c, DUET_TCP_HDR_LEN);
	struct duet_cur oc;
	size_t hlen;
	int r;

	if (!p)
		return -DUET_WE_TRUNCATED;
	hlen = (size_t)(p[12] >> 4) * 4;
	if (hlen < DUET_TCP_HDR_LEN || !duet_cur_peek(c, hlen))
		return -DUET_WE_BAD_HDR_LEN;
	memset(h, 0, sizeof *h);
	tcp_read_fixed(p, h);
	duet_cur_init(&oc, p + DUET_TCP_HDR_LEN, hlen - DUET_TCP_HDR_LEN);
	while ((r = tcp_opt_next(&oc, h)) > 0)
		;
	if (r < 0)
		return r;
	duet_cur_take(c, hlen);
	return 0;
}

/* Bytes of options (with their alignment NOPs) h emits. */
static size_t tcp_opts_len(const struct duet_tcp_hdr *h)
{
	size_t n = 0;

	if (h->has_mss)
		n += 4;
	if (h->has_timestamps)
		n += 12;
	else if (h->has_sack_permitted)
		n += 4;
	if (h->has_wscale)
		n += 4;
	if (h->has_user_timeout)
		n += 4;
	if (h->sack_count)
		n += 4 + 8 * (size_t)h->sack_count;
	return n;
}

size_t duet_tcp_len(const struct duet_tcp_hdr *h)
{
	return DUET_TCP_HDR_LEN + tcp_opts_len(h);
}

/* Writes the options at p (tcp_opts_len(h) bytes, each group 4-aligned). */
static void tcp_opts_write(const struct duet_tcp_hdr *h, uint8_t *p)
{
	size_t i;

	if (h->has_mss) {
		p[0] = DUET_TCP_OPT_MSS;
		p[1] = 4;
		duet_put_be16(p + 2, h->mss);
		p += 4;
	}
	if (h->has_timestamps) {
		if (h->has_sack_permitted) {
			p[0] = DUET_TCP_OPT_SACK_PERM;
			p[1] = 2;
		} else {
			p[0] = p[1] = DUET_TCP_OPT_NOP;
		}
		p[2] = DUET_TCP_OPT_TS;
		p[3] = 10;
		duet_put_be32(p + 4, h->ts_val);
		duet_put_be32(p + 8, h->ts_ecr);
		p += 12;
	} else if (h->has_sack_permitted) {
		p[0] = p[1] = DUET_TCP_OPT_NOP;
		p[2] = DUET_TCP_OPT_SACK_PERM;
		p[3] = 2;
		p += 4;
	}
	if (h->has_wscale) {
		p[0] = DUET_TCP_OPT_NOP;
		p[1] = DUET_TCP_OPT_WSCALE;
		p[2] = 3;
		p[3] = h->wscale;
		p += 4;
	}
	if (h->has_user_timeout) {
		p[0] = DUET_TCP_OPT_UTO;
		p[1] = 4;
		duet_put_be16(p + 2, (uint16_t)((h->uto_granularity ? 0x8000u : 0u) |
						h->user_timeout));
		p += 4;
	}
	if (h->sack_count) {
		p[0] = p[1] = DUET_TCP_OPT_NOP;
		p[2] = DUET_TCP_OPT_SACK;
		p[3] = (uint8_t)(2 + 8 * h->sack_count);
		for (i = 0; i < h->sack_count; i++) {
			duet_put_be32(p + 4 + 8 * i, h->sack[i].left_edge);
			duet_put_be32(p + 8 + 8 * i, h->sack[i].right_edge);
		}
	}
}

int duet_tcp_emit(const struct duet_tcp_hdr *h, struct duet_wcur *w)
{
	size_t hlen;
	uint8_t *p;

	if (h->sack_count > DUET_TCP_MAX_SACK || h->flags > DUET_TCP_FLAGS_MASK ||
	    (h->has_user_timeout && h->user_timeout > 0x7fff))
		return -DUET_WE_TOO_BIG;
	hlen = duet_tcp_len(h);
	if (hlen > DUET_TCP_MAX_HDR_LEN)
		return -DUET_WE_TOO_BIG;
	p = duet_wcur_take(w, hlen);
	if (!p)
		return -DUET_WE_NOSPACE;
	duet_put_be16(p, h->src_port);
	duet_put_be16(p + 2, h->dst_port);
	duet_put_be32(p + 4, h->seq);
	duet_put_be32(p + 8, h->ack);
	/* RFC 9293 §3.1: reserved bits "must be zero in generated segments". */
	duet_put_be16(p + 12, (uint16_t)((hlen / 4) << 12 | h->flags));
	duet_put_be16(p + 14, h->window);
	duet_put_be16(p + 16, h->checksum);
	duet_put_be16(p + 18, h->urgent_pointer);
	tcp_opts_write(h, p + DUET_TCP_HDR_LEN);
	return 0;
}

bool duet_tcp_csum_ok(const uint8_t *seg, size_t len, uint32_t pseudo_sum)
{
	struct duet_cur c;

	duet_cur_init(&c, seg, len);
	if (!duet_cur_peek(&c, DUET_TCP_HDR_LEN))
		return false;
	return duet_csum_fold(duet_csum_partial(seg, len, pseudo_sum)) == 0;
}

int duet_tcp_csum_set(uint8_t *seg, size_t len, uint32_t pseudo_sum)
{
	struct duet_cur c;

	duet_cur_init(&c, seg, len);
	if (!duet_cur_peek(&c, DUET_TCP_HDR_LEN))
		return -DUET_WE_TRUNCATED;
	duet_put_be16(seg + 16, 0);
	duet_put_be16(seg + 16, duet_csum_fold(duet_csum_partial(seg, len, pseudo_sum)));
	return 0;
}

uint32_t duet_tcp_seg_len(const struct duet_tcp_hdr *h, size_t data_len)
{
	return (uint32_t)data_len + ((h->flags & DUET_TCP_SYN) ? 1u : 0u) +
	       ((h->flags & DUET_TCP_FIN) ? 1u : 0u);
}
