/* duet — ICMPv4 header parse/emit, checksums and quoted-datagram access
 * (RFC 792, RFC 1122 §3.2.2, RFC 1191, RFC 950, RFC 1256). */
#include <duet/wire/icmp4.h>
#include <duet/wire/errors.h>
#include <duet/byteorder.h>
#include <duet/csum.h>

#include <string.h>

/* Highest code defined for each known type (RFC 792; Destination
 * Unreachable codes 6-15 from RFC 1122 §3.2.2.1 and RFC 1812 §5.2.7.1,
 * Parameter Problem 1-2 from RFC 1122 and RFC 1108); -1 for an unknown
 * type. Router Advertisement (code 0 or 16, RFC 1256 and RFC 5944) is
 * handled apart. */
static int icmp4_max_code(uint8_t type)
{
	switch (type) {
	case DUET_ICMP4_DEST_UNREACH:
		return DUET_ICMP4_UNREACH_MAX_CODE;
	case DUET_ICMP4_REDIRECT:
		return 3;
	case DUET_ICMP4_TIME_EXCEEDED:
		return 1;
	case DUET_ICMP4_PARAM_PROBLEM:
		return 2;
	case DUET_ICMP4_ECHO_REPLY:
	case DUET_ICMP4_SOURCE_QUENCH:
	case DUET_ICMP4_ECHO:
	case DUET_ICMP4_ROUTER_SOLICIT:
	case DUET_ICMP4_TIMESTAMP:
	case DUET_ICMP4_TIMESTAMP_REPLY:
	case DUET_ICMP4_INFO_REQUEST:
	case DUET_ICMP4_INFO_REPLY:
	case DUET_ICMP4_ADDR_MASK:
	case DUET_ICMP4_ADDR_MASK_REPLY:
		return 0;
	default:
		return -1;
	}
}

static bool icmp4_code_ok(uint8_t type, uint8_t code)
{
	int max = icmp4_max_code(type);

	if (type == DUET_ICMP4_ROUTER_ADVERT)
		return code == 0 || code == 16;
	return max < 0 || code <= max;
}

/* True for the types whose rest of header is Identifier + Sequence Number. */
static bool icmp4_has_id_seq(uint8_t type)
{
	switch (type) {
	case DUET_ICMP4_ECHO_REPLY:
	case DUET_ICMP4_ECHO:
	case DUET_ICMP4_TIMESTAMP:
	case DUET_ICMP4_TIMESTAMP_REPLY:
	case DUET_ICMP4_INFO_REQUEST:
	case DUET_ICMP4_INFO_REPLY:
	case DUET_ICMP4_ADDR_MASK:
	case DUET_ICMP4_ADDR_MASK_REPLY:
		return true;
	default:
		return false;
	}
}

bool duet_icmp4_is_error(uint8_t type)
{
	return type == DUET_ICMP4_DEST_UNREACH || type == DUET_ICMP4_SOURCE_QUENCH ||
	       type == DUET_ICMP4_REDIRECT || type == DUET_ICMP4_TIME_EXCEEDED ||
	       type == DUET_ICMP4_PARAM_PROBLEM;
}

int duet_icmp4_parse(struct duet_cur *c, struct duet_icmp4_hdr *h)
{
	const uint8_t *p = duet_cur_peek(c, DUET_ICMP4_HDR_LEN);

	if (!p)
		return -DUET_WE_TRUNCATED;
	if (!icmp4_code_ok(p[0], p[1]))
		return -DUET_WE_BAD_CODE;
	memset(h, 0, sizeof *h);
	h->type = p[0];
	h->code = p[1];
	h->checksum = duet_get_be16(p + 2);
	h->rest = duet_get_be32(p + 4);
	if (icmp4_has_id_seq(h->type)) {
		h->identifier = duet_get_be16(p + 4);
		h->sequence_number = duet_get_be16(p + 6);
	} else if (h->type == DUET_ICMP4_PARAM_PROBLEM) {
		h->pointer = p[4];
	} else if (h->type == DUET_ICMP4_DEST_UNREACH &&
		   h->code == DUET_ICMP4_UNREACH_NEEDFRAG) {
		/* RFC 1191 §4: the low-order 16 bits; zero from pre-1191 routers. */
		h->next_hop_mtu = duet_get_be16(p + 6);
	} else if (h->type == DUET_ICMP4_REDIRECT) {
		memcpy(h->gateway, p + 4, 4);
	}
	duet_cur_take(c, DUET_ICMP4_HDR_LEN);
	return 0;
}

size_t duet_icmp4_len(const struct duet_icmp4_hdr *h)
{
	(void)h;
	return DUET_ICMP4_HDR_LEN;
}

/* The rest-of-header bytes h stands for (RFC 792: unused bytes are zero). */
static void icmp4_write_rest(const struct duet_icmp4_hdr *h, uint8_t *r)
{
	memset(r, 0, 4);
	if (icmp4_has_id_seq(h->type)) {
		duet_put_be16(r, h->identifier);
		duet_put_be16(r + 2, h->sequence_number);
	} else if (h->type == DUET_ICMP4_PARAM_PROBLEM) {
		r[0] = h->pointer;
	} else if (h->type == DUET_ICMP4_DEST_UNREACH) {
		if (h->code == DUET_ICMP4_UNREACH_NEEDFRAG)
			duet_put_be16(r + 2, h->next_hop_mtu);
	} else if (h->type == DUET_ICMP4_REDIRECT) {
		memcpy(r, h->gateway, 4);
	} else if (h->type != DUET_ICMP4_SOURCE_QUENCH &&
		   h->type != DUET_ICMP4_TIME_EXCEEDED) {
		duet_put_be32(r, h->rest);
	}
}

int duet_icmp4_emit(const struct duet_icmp4_hdr *h, struct duet_wcur *w)
{
	uint8_t *p;

	if (!icmp4_code_ok(h->type, h->code))
		return -DUET_WE_BAD_CODE;
	p = duet_wcur_take(w, DUET_ICMP4_HDR_LEN);
	if (!p)
		return -DUET_WE_NOSPACE;
	p[0] = h->type;
	p[1] = h->code;
	duet_put_be16(p + 2, h->checksum);
	icmp4_write_rest(h, p + 4);
	return 0;
}

bool duet_icmp4_csum_ok(const uint8_t *msg, size_t len)
{
	struct duet_cur c;

	duet_cur_init(&c, msg, len);
	if (!duet_cur_peek(&c, DUET_ICMP4_HDR_LEN))
		return false;
	/* RFC 792: the checksum covers the whole message, no pseudo header. */
	return duet_csum(msg, len) == 0;
}

int duet_icmp4_csum_set(uint8_t *msg, size_t len)
{
	struct duet_cur c;

	duet_cur_init(&c, msg, len);
	if (!duet_cur_peek(&c, DUET_ICMP4_HDR_LEN))
		return -DUET_WE_TRUNCATED;
	duet_put_be16(msg + 2, 0);
	duet_put_be16(msg + 2, duet_csum(msg, len));
	return 0;
}

int duet_icmp4_quoted(const struct duet_icmp4_hdr *h, struct duet_cur *c,
		      struct duet_ip4_hdr *ip, struct duet_cur *l4)
{
	struct duet_cur q = *c;
	size_t hlen, need = 8;
	int err;

	if (!duet_icmp4_is_error(h->type))
		return -DUET_WE_BAD_TYPE;
	err = duet_ip4_parse_quoted(&q, ip);
	if (err)
		return err;
	hlen = (size_t)ip->ihl * 4;
	/* RFC 792: the IP header plus the first 64 bits of its data, unless
	 * the datagram had fewer. */
	if (ip->total_length >= hlen && ip->total_length - hlen < need)
		need = ip->total_length - hlen;
	if (!duet_cur_peek(&q, need))
		return -DUET_WE_TRUNCATED;
	duet_cur_split(&q, duet_cur_left(&q), l4);
	*c = q;
	return 0;
}
