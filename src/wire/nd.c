/* duet — Neighbour Discovery message and option parse/emit (RFC 4861 §4,
 * RFC 4191 §2, RFC 8106 §5.1, RFC 2464 §6). */
#include <duet/wire/nd.h>
#include <duet/wire/icmp6.h>
#include <duet/wire/errors.h>
#include <duet/byteorder.h>

#include <string.h>

#define ND_OPT_MAX_LEN (255u * 8u)

/* Clears the bits of p past plen: they are reserved, set to zero by the
 * sender and ignored by the receiver (RFC 4861 §4.6.2, RFC 4191 §2.3). */
static void nd_prefix_mask(uint8_t p[16], uint8_t plen)
{
	size_t i;

	for (i = 0; i < 16; i++) {
		unsigned bits = plen > i * 8 ? plen - (unsigned)i * 8 : 0;
		if (bits < 8)
			p[i] &= (uint8_t)(0xff00u >> bits);
	}
}

/* ---- Options ----------------------------------------------------------- */

static int nd_opt_decode_prefix(struct duet_nd_opt *o)
{
	struct duet_nd_prefix_info *pi = &o->u.prefix;
	const uint8_t *d = o->data;

	if (o->length != 4)
		return -DUET_WE_BAD_OPT_LEN;
	if (d[0] > 128)
		return -DUET_WE_BAD_FIELD;
	pi->prefix_length = d[0];
	pi->l = d[1] & 0x80;
	pi->a = d[1] & 0x40;
	pi->valid_lifetime = duet_get_be32(d + 2);
	pi->preferred_lifetime = duet_get_be32(d + 6);
	memcpy(pi->prefix, d + 14, 16);
	nd_prefix_mask(pi->prefix, pi->prefix_length);
	return 0;
}

static int nd_opt_decode_route(struct duet_nd_opt *o)
{
	struct duet_nd_route_info *ri = &o->u.route;
	const uint8_t *d = o->data;
	size_t n;

	/* RFC 4191 §2.3: Length 1, 2 or 3; above 64 bits it must be 3, above
	 * 0 it must be 2 or 3. */
	if (o->length > 3 || (d[0] > 64 && o->length < 3) || (d[0] > 0 && o->length < 2))
		return -DUET_WE_BAD_OPT_LEN;
	if (d[0] > 128)
		return -DUET_WE_BAD_FIELD;
	ri->prefix_length = d[0];
	ri->prf = (d[1] >> 3) & 3;
	ri->route_lifetime = duet_get_be32(d + 2);
	n = o->data_len - 6;
	memcpy(ri->prefix, d + 6, n);
	nd_prefix_mask(ri->prefix, ri->prefix_length);
	return 0;
}

/* Checks the length of a recognised option and decodes it into o->u. */
static int nd_opt_decode(struct duet_nd_opt *o)
{
	switch (o->type) {
	case DUET_ND_OPT_SOURCE_LLADDR:
	case DUET_ND_OPT_TARGET_LLADDR:
		o->u.lladdr.addr = o->data;
		o->u.lladdr.len = o->data_len;
		return 0;
	case DUET_ND_OPT_PREFIX_INFO:
		return nd_opt_decode_prefix(o);
	case DUET_ND_OPT_REDIRECTED:
		o->u.redirected.packet = o->data + 6;
		o->u.redirected.len = o->data_len - 6;
		return 0;
	case DUET_ND_OPT_MTU:
		if (o->length != 1)
			return -DUET_WE_BAD_OPT_LEN;
		o->u.mtu = duet_get_be32(o->data + 2);
		return 0;
	case DUET_ND_OPT_ROUTE_INFO:
		return nd_opt_decode_route(o);
	case DUET_ND_OPT_RDNSS:
		if (o->length < 3 || o->length % 2 == 0)
			return -DUET_WE_BAD_OPT_LEN;
		o->u.rdnss.lifetime = duet_get_be32(o->data + 2);
		o->u.rdnss.addresses = o->data + 6;
		o->u.rdnss.n_addresses = (o->length - 1u) / 2u;
		return 0;
	default:
		return 0;
	}
}

void duet_nd_opt_iter_init(struct duet_nd_opt_iter *it, const uint8_t *options, size_t len)
{
	duet_cur_init(&it->c, options, len);
}

int duet_nd_opt_next(struct duet_nd_opt_iter *it, struct duet_nd_opt *o)
{
	const uint8_t *p;
	int err;

	memset(o, 0, sizeof *o);
	if (duet_cur_left(&it->c) == 0)
		return 0;
	p = duet_cur_peek(&it->c, 2);
	if (!p)
		return -DUET_WE_OPT_TRUNCATED;
	/* RFC 4861 §4.6: a Length of 0 is invalid and the packet discarded. */
	if (p[1] == 0)
		return -DUET_WE_BAD_OPT_LEN;
	if (!duet_cur_peek(&it->c, (size_t)p[1] * 8))
		return -DUET_WE_OPT_TRUNCATED;
	o->type = p[0];
	o->length = p[1];
	o->data = p + 2;
	o->data_len = (size_t)p[1] * 8 - 2;
	err = nd_opt_decode(o);
	if (err)
		return err;
	duet_cur_take(&it->c, (size_t)p[1] * 8);
	return 1;
}

int duet_nd_opt_eth_addr(const struct duet_nd_opt *o, uint8_t mac[6])
{
	if (o->type != DUET_ND_OPT_SOURCE_LLADDR && o->type != DUET_ND_OPT_TARGET_LLADDR)
		return -DUET_WE_BAD_TYPE;
	if (o->length != 1)
		return -DUET_WE_BAD_OPT_LEN;
	memcpy(mac, o->data, 6);
	return 0;
}

/* Octets after Type and Length that o's emitter writes before padding. */
static size_t nd_opt_body_len(const struct duet_nd_opt *o)
{
	const struct duet_nd_route_info *ri = &o->u.route;

	switch (o->type) {
	case DUET_ND_OPT_PREFIX_INFO:
		return 30;
	case DUET_ND_OPT_REDIRECTED:
		return 6 + o->u.redirected.len;
	case DUET_ND_OPT_MTU:
		return 6;
	case DUET_ND_OPT_ROUTE_INFO:
		return 6u + (ri->prefix_length == 0 ? 0u : ri->prefix_length <= 64 ? 8u : 16u);
	case DUET_ND_OPT_RDNSS:
		return 6 + 16 * o->u.rdnss.n_addresses;
	default:
		return o->data_len;
	}
}

static size_t nd_opt_total(size_t body_len)
{
	return (2 + body_len + 7) / 8 * 8;
}

size_t duet_nd_opt_len(const struct duet_nd_opt *o)
{
	size_t body = nd_opt_body_len(o);

	if ((o->type == DUET_ND_OPT_PREFIX_INFO && o->u.prefix.prefix_length > 128) ||
	    (o->type == DUET_ND_OPT_ROUTE_INFO &&
	     (o->u.route.prefix_length > 128 || o->u.route.prf > 3)))
		return 0;
	if (body > ND_OPT_MAX_LEN || nd_opt_total(body) > ND_OPT_MAX_LEN)
		return 0;
	return nd_opt_total(body);
}

/* Reserves an option of this type whose body (after Type and Length) is
 * body_len octets, zero-filled and padded; writes Type and Length. */
static uint8_t *nd_opt_start(uint8_t type, size_t body_len, struct duet_wcur *w, int *err)
{
	size_t total;
	uint8_t *p;

	if (body_len > ND_OPT_MAX_LEN || (total = nd_opt_total(body_len)) > ND_OPT_MAX_LEN) {
		*err = -DUET_WE_TOO_BIG;
		return NULL;
	}
	p = duet_wcur_take(w, total);
	if (!p) {
		*err = -DUET_WE_NOSPACE;
		return NULL;
	}
	memset(p, 0, total);
	p[0] = type;
	p[1] = (uint8_t)(total / 8);
	return p;
}

int duet_nd_opt_raw_emit(uint8_t type, const uint8_t *data, size_t len, struct duet_wcur *w)
{
	int err;
	uint8_t *p = nd_opt_start(type, len, w, &err);

	if (!p)
		return err;
	if (len)
		memcpy(p + 2, data, len);
	return 0;
}

int duet_nd_opt_lladdr_emit(uint8_t type, const uint8_t *lladdr, size_t len,
			    struct duet_wcur *w)
{
	return duet_nd_opt_raw_emit(type, lladdr, len, w);
}

int duet_nd_opt_prefix_emit(const struct duet_nd_prefix_info *pi, struct duet_wcur *w)
{
	int err;
	uint8_t *p;

	if (pi->prefix_length > 128)
		return -DUET_WE_TOO_BIG;
	p = nd_opt_start(DUET_ND_OPT_PREFIX_INFO, 30, w, &err);
	if (!p)
		return err;
	p[2] = pi->prefix_length;
	p[3] = (uint8_t)((pi->l ? 0x80u : 0u) | (pi->a ? 0x40u : 0u));
	duet_put_be32(p + 4, pi->valid_lifetime);
	duet_put_be32(p + 8, pi->preferred_lifetime);
	memcpy(p + 16, pi->prefix, 16);
	nd_prefix_mask(p + 16, pi->prefix_length);
	return 0;
}

int duet_nd_opt_redirected_emit(const uint8_t *packet, size_t len, struct duet_wcur *w)
{
	int err;
	uint8_t *p = nd_opt_start(DUET_ND_OPT_REDIRECTED, 6 + len, w, &err);

	if (!p)
		return err;
	if (len)
		memcpy(p + 8, packet, len);
	return 0;
}

int duet_nd_opt_mtu_emit(uint32_t mtu, struct duet_wcur *w)
{
	int err;
	uint8_t *p = nd_opt_start(DUET_ND_OPT_MTU, 6, w, &err);

	if (!p)
		return err;
	duet_put_be32(p + 4, mtu);
	return 0;
}

int duet_nd_opt_route_emit(const struct duet_nd_route_info *ri, struct duet_wcur *w)
{
	struct duet_nd_opt o = { .type = DUET_ND_OPT_ROUTE_INFO, .u.route = *ri };
	size_t body = nd_opt_body_len(&o);
	uint8_t prefix[16];
	int err;
	uint8_t *p;

	if (ri->prefix_length > 128 || ri->prf > 3)
		return -DUET_WE_TOO_BIG;
	p = nd_opt_start(DUET_ND_OPT_ROUTE_INFO, body, w, &err);
	if (!p)
		return err;
	p[2] = ri->prefix_length;
	p[3] = (uint8_t)(ri->prf << 3);
	duet_put_be32(p + 4, ri->route_lifetime);
	memcpy(prefix, ri->prefix, 16);
	nd_prefix_mask(prefix, ri->prefix_length);
	memcpy(p + 8, prefix, body - 6);
	return 0;
}

int duet_nd_opt_rdnss_emit(const struct duet_nd_rdnss *r, struct duet_wcur *w)
{
	int err;
	uint8_t *p;

	if (r->n_addresses > 127)
		return -DUET_WE_TOO_BIG;
	p = nd_opt_start(DUET_ND_OPT_RDNSS, 6 + 16 * r->n_addresses, w, &err);
	if (!p)
		return err;
	duet_put_be32(p + 4, r->lifetime);
	if (r->n_addresses)
		memcpy(p + 8, r->addresses, 16 * r->n_addresses);
	return 0;
}

int duet_nd_opt_emit(const struct duet_nd_opt *o, struct duet_wcur *w)
{
	switch (o->type) {
	case DUET_ND_OPT_PREFIX_INFO:
		return duet_nd_opt_prefix_emit(&o->u.prefix, w);
	case DUET_ND_OPT_REDIRECTED:
		return duet_nd_opt_redirected_emit(o->u.redirected.packet, o->u.redirected.len, w);
	case DUET_ND_OPT_MTU:
		return duet_nd_opt_mtu_emit(o->u.mtu, w);
	case DUET_ND_OPT_ROUTE_INFO:
		return duet_nd_opt_route_emit(&o->u.route, w);
	case DUET_ND_OPT_RDNSS:
		return duet_nd_opt_rdnss_emit(&o->u.rdnss, w);
	default:
		return duet_nd_opt_raw_emit(o->type, o->data, o->data_len, w);
	}
}

/* ---- Messages ---------------------------------------------------------- */

/* Walks an option area once so that later walks cannot fail. */
static int nd_opts_check(const uint8_t *options, size_t len)
{
	struct duet_nd_opt_iter it;
	struct duet_nd_opt o;
	int r;

	duet_nd_opt_iter_init(&it, options, len);
	while ((r = duet_nd_opt_next(&it, &o)) > 0)
		;
	return r;
}

/* Takes a whole ND message of this type whose fixed part is fixed octets:
 * returns the fixed part and sets *opts / *opts_len to the option area, or
 * returns NULL with *err set and c unchanged. */
static const uint8_t *nd_msg_take(struct duet_cur *c, uint8_t type, size_t fixed,
				  const uint8_t **opts, size_t *opts_len, int *err)
{
	const uint8_t *p = duet_cur_peek(c, fixed);

	if (!p) {
		*err = -DUET_WE_TRUNCATED;
		return NULL;
	}
	if (p[0] != type) {
		*err = -DUET_WE_BAD_TYPE;
		return NULL;
	}
	if (p[1] != 0) {
		*err = -DUET_WE_BAD_CODE;
		return NULL;
	}
	*opts = p + fixed;
	*opts_len = duet_cur_left(c) - fixed;
	*err = nd_opts_check(*opts, *opts_len);
	if (*err)
		return NULL;
	duet_cur_take(c, fixed + *opts_len);
	return p;
}

int duet_nd_rs_parse(struct duet_cur *c, struct duet_nd_rs *m)
{
	int err;

	if (!nd_msg_take(c, DUET_ICMP6_ND_ROUTER_SOLICIT, DUET_ND_RS_LEN, &m->options,
			 &m->options_len, &err))
		return err;
	return 0;
}

int duet_nd_ra_parse(struct duet_cur *c, struct duet_nd_ra *m)
{
	int err;
	const uint8_t *p = nd_msg_take(c, DUET_ICMP6_ND_ROUTER_ADVERT, DUET_ND_RA_LEN,
				       &m->options, &m->options_len, &err);

	if (!p)
		return err;
	m->cur_hop_limit = p[4];
	m->m = p[5] & 0x80;
	m->o = p[5] & 0x40;
	m->prf = (p[5] >> 3) & 3;
	m->router_lifetime = duet_get_be16(p + 6);
	m->reachable_time = duet_get_be32(p + 8);
	m->retrans_timer = duet_get_be32(p + 12);
	return 0;
}

int duet_nd_ns_parse(struct duet_cur *c, struct duet_nd_ns *m)
{
	int err;
	const uint8_t *p = nd_msg_take(c, DUET_ICMP6_ND_NEIGHBOR_SOLICIT, DUET_ND_NS_LEN,
				       &m->options, &m->options_len, &err);

	if (!p)
		return err;
	memcpy(m->target, p + 8, 16);
	return 0;
}

int duet_nd_na_parse(struct duet_cur *c, struct duet_nd_na *m)
{
	int err;
	const uint8_t *p = nd_msg_take(c, DUET_ICMP6_ND_NEIGHBOR_ADVERT, DUET_ND_NA_LEN,
				       &m->options, &m->options_len, &err);

	if (!p)
		return err;
	m->r = p[4] & 0x80;
	m->s = p[4] & 0x40;
	m->o = p[4] & 0x20;
	memcpy(m->target, p + 8, 16);
	return 0;
}

int duet_nd_redirect_parse(struct duet_cur *c, struct duet_nd_redirect *m)
{
	int err;
	const uint8_t *p = nd_msg_take(c, DUET_ICMP6_ND_REDIRECT, DUET_ND_REDIRECT_LEN,
				       &m->options, &m->options_len, &err);

	if (!p)
		return err;
	memcpy(m->target, p + 8, 16);
	memcpy(m->destination, p + 24, 16);
	return 0;
}

size_t duet_nd_rs_len(const struct duet_nd_rs *m)
{
	(void)m;
	return DUET_ND_RS_LEN;
}

size_t duet_nd_ra_len(const struct duet_nd_ra *m)
{
	(void)m;
	return DUET_ND_RA_LEN;
}

size_t duet_nd_ns_len(const struct duet_nd_ns *m)
{
	(void)m;
	return DUET_ND_NS_LEN;
}

size_t duet_nd_na_len(const struct duet_nd_na *m)
{
	(void)m;
	return DUET_ND_NA_LEN;
}

size_t duet_nd_redirect_len(const struct duet_nd_redirect *m)
{
	(void)m;
	return DUET_ND_REDIRECT_LEN;
}

/* Reserves a zeroed fixed part of len octets and writes its Type. */
static uint8_t *nd_msg_start(uint8_t type, size_t len, struct duet_wcur *w)
{
	uint8_t *p = duet_wcur_take(w, len);

	if (p) {
		memset(p, 0, len);
		p[0] = type;
	}
	return p;
}

int duet_nd_rs_emit(const struct duet_nd_rs *m, struct duet_wcur *w)
{
	(void)m;
	return nd_msg_start(DUET_ICMP6_ND_ROUTER_SOLICIT, DUET_ND_RS_LEN, w) ? 0 : -DUET_WE_NOSPACE;
}

int duet_nd_ra_emit(const struct duet_nd_ra *m, struct duet_wcur *w)
{
	uint8_t *p;

	if (m->prf > 3)
		return -DUET_WE_TOO_BIG;
	p = nd_msg_start(DUET_ICMP6_ND_ROUTER_ADVERT, DUET_ND_RA_LEN, w);
	if (!p)
		return -DUET_WE_NOSPACE;
	p[4] = m->cur_hop_limit;
	p[5] = (uint8_t)((m->m ? 0x80u : 0u) | (m->o ? 0x40u : 0u) | (unsigned)m->prf << 3);
	duet_put_be16(p + 6, m->router_lifetime);
	duet_put_be32(p + 8, m->reachable_time);
	duet_put_be32(p + 12, m->retrans_timer);
	return 0;
}

int duet_nd_ns_emit(const struct duet_nd_ns *m, struct duet_wcur *w)
{
	uint8_t *p = nd_msg_start(DUET_ICMP6_ND_NEIGHBOR_SOLICIT, DUET_ND_NS_LEN, w);

	if (!p)
		return -DUET_WE_NOSPACE;
	memcpy(p + 8, m->target, 16);
	return 0;
}

int duet_nd_na_emit(const struct duet_nd_na *m, struct duet_wcur *w)
{
	uint8_t *p = nd_msg_start(DUET_ICMP6_ND_NEIGHBOR_ADVERT, DUET_ND_NA_LEN, w);

	if (!p)
		return -DUET_WE_NOSPACE;
	p[4] = (uint8_t)((m->r ? 0x80u : 0u) | (m->s ? 0x40u : 0u) | (m->o ? 0x20u : 0u));
	memcpy(p + 8, m->target, 16);
	return 0;
}

int duet_nd_redirect_emit(const struct duet_nd_redirect *m, struct duet_wcur *w)
{
	uint8_t *p = nd_msg_start(DUET_ICMP6_ND_REDIRECT, DUET_ND_REDIRECT_LEN, w);

	if (!p)
		return -DUET_WE_NOSPACE;
	memcpy(p + 8, m->target, 16);
	memcpy(p + 24, m->destination, 16);
	return 0;
}
