/* duet — ICMPv6 header parse/emit, code checks and checksum (RFC 4443,
 * RFC 4884, RFC 6554, RFC 7112, RFC 8754, RFC 8883). */
#include <duet/wire/icmp6.h>
#include <duet/wire/errors.h>
#include <duet/byteorder.h>
#include <duet/csum.h>

#include <string.h>

/* Highest code defined for each error type (IANA registry). Informational
 * types and unknown error types are not checked: RFC 4443 §2.4 (a) and (b)
 * pass unknown error types up and drop only unknown informational ones,
 * which the net layer does. */
static bool icmp6_code_ok(uint8_t type, uint8_t code)
{
	switch (type) {
	case DUET_ICMP6_DST_UNREACH:
		return code <= DUET_ICMP6_DU_HEADERS_TOO_LONG;
	case DUET_ICMP6_PACKET_TOO_BIG:
		return code == 0;
	case DUET_ICMP6_TIME_EXCEEDED:
		return code <= DUET_ICMP6_TE_REASSEMBLY;
	case DUET_ICMP6_PARAM_PROBLEM:
		return code <= DUET_ICMP6_PP_OPTION_TOO_BIG;
	default:
		return true;
	}
}

int duet_icmp6_parse(struct duet_cur *c, struct duet_icmp6_hdr *h)
{
	const uint8_t *p = duet_cur_peek(c, DUET_ICMP6_HDR_LEN);

	if (!p)
		return -DUET_WE_TRUNCATED;
	if (!icmp6_code_ok(p[0], p[1]))
		return -DUET_WE_BAD_CODE;
	duet_cur_take(c, DUET_ICMP6_HDR_LEN);
	memset(h, 0, sizeof *h);
	h->type = p[0];
	h->code = p[1];
	h->checksum = duet_get_be16(p + 2);
	h->body = duet_get_be32(p + 4);
	switch (h->type) {
	case DUET_ICMP6_ECHO_REQUEST:
	case DUET_ICMP6_ECHO_REPLY:
		h->identifier = (uint16_t)(h->body >> 16);
		h->sequence_number = (uint16_t)h->body;
		break;
	case DUET_ICMP6_PACKET_TOO_BIG:
		h->mtu = h->body;
		break;
	case DUET_ICMP6_PARAM_PROBLEM:
		h->pointer = h->body;
		break;
	default:
		break;
	}
	return 0;
}

size_t duet_icmp6_len(const struct duet_icmp6_hdr *h)
{
	(void)h;
	return DUET_ICMP6_HDR_LEN;
}

int duet_icmp6_emit(const struct duet_icmp6_hdr *h, struct duet_wcur *w)
{
	uint8_t *p = duet_wcur_take(w, DUET_ICMP6_HDR_LEN);
	uint32_t body = h->body;

	if (!p)
		return -DUET_WE_NOSPACE;
	switch (h->type) {
	case DUET_ICMP6_ECHO_REQUEST:
	case DUET_ICMP6_ECHO_REPLY:
		body = (uint32_t)h->identifier << 16 | h->sequence_number;
		break;
	case DUET_ICMP6_PACKET_TOO_BIG:
		body = h->mtu;
		break;
	case DUET_ICMP6_PARAM_PROBLEM:
		body = h->pointer;
		break;
	default:
		break;
	}
	p[0] = h->type;
	p[1] = h->code;
	duet_put_be16(p + 2, h->checksum);
	duet_put_be32(p + 4, body);
	return 0;
}

bool duet_icmp6_is_error(uint8_t type)
{
	return type < 128;
}

int duet_icmp6_csum_set(uint8_t *msg, size_t len, uint32_t pseudo_sum)
{
	if (len < 4)
		return -DUET_WE_TRUNCATED;
	duet_put_be16(msg + 2, 0);
	duet_put_be16(msg + 2, duet_csum_fold(duet_csum_partial(msg, len, pseudo_sum)));
	return 0;
}

int duet_icmp6_csum_verify(const uint8_t *msg, size_t len, uint32_t pseudo_sum)
{
	if (len < 4)
		return -DUET_WE_TRUNCATED;
	if (duet_csum_fold(duet_csum_partial(msg, len, pseudo_sum)) != 0)
		return -DUET_WE_BAD_CHECKSUM;
	return 0;
}

int duet_icmp6_invoking(const struct duet_icmp6_hdr *h, const struct duet_cur *rest,
			struct duet_cur *invoking)
{
	size_t words;

	if (!duet_icmp6_is_error(h->type))
		return -DUET_WE_BAD_TYPE;
	*invoking = *rest;
	/* RFC 4884 §4 (ICMPv6): the fifth octet of Destination Unreachable
	 * and Time Exceeded is the original datagram's length in 64-bit words;
	 * 0 means the whole rest is the invoking packet (RFC 4443). */
	if (h->type != DUET_ICMP6_DST_UNREACH && h->type != DUET_ICMP6_TIME_EXCEEDED)
		return 0;
	words = h->body >> 24;
	if (words && duet_cur_limit(invoking, words * 8) != 0)
		return -DUET_WE_BAD_LENGTH;
	return 0;
}
