/* duet — IPv6 extension headers: chain skip, Hop-by-Hop/Destination options,
 * Routing (types 0, 2, 4) and Fragment (RFC 8200 §4, RFC 6564, RFC 5095,
 * RFC 6275 §6.4, RFC 8754, RFC 2711, RFC 2675, RFC 2473, RFC 4302). */
#include <duet/wire/ip6_ext.h>
#include <duet/wire/ip6.h>
#include <duet/wire/errors.h>
#include <duet/byteorder.h>

#include <string.h>

/* ---- Generic chain walking ------------------------------------------ */

bool duet_ip6_ext_is_known(uint8_t type)
{
	switch (type) {
	case DUET_IP6_NH_HOPOPTS:
	case DUET_IP6_NH_ROUTING:
	case DUET_IP6_NH_FRAGMENT:
	case DUET_IP6_NH_AH:
	case DUET_IP6_NH_DSTOPTS:
	case 135: /* Mobility, RFC 6275 */
	case 139: /* HIP, RFC 7401 */
	case 140: /* Shim6, RFC 5533 */
	case 253: /* experimentation, RFC 3692 */
	case 254:
		return true;
	default:
		return false;
	}
}

/* Length in octets of the extension header of this type whose first octets
 * are p; -DUET_WE_BAD_HDR_LEN when the length field is inconsistent. */
static long ext_hdr_len(uint8_t type, const uint8_t *p)
{
	long len;

	switch (type) {
	case DUET_IP6_NH_FRAGMENT:
		return DUET_IP6_FRAG_HDR_LEN; /* fixed: its second octet is Reserved */
	case DUET_IP6_NH_AH:
		/* Payload Len counts 4-octet units minus 2; in IPv6 the header
		 * must be a multiple of 8 octets (RFC 4302 §2.2). */
		len = ((long)p[1] + 2) * 4;
		return len % 8 ? -DUET_WE_BAD_HDR_LEN : len;
	default:
		return ((long)p[1] + 1) * 8; /* RFC 6564 uniform format */
	}
}

int duet_ip6_ext_skip(struct duet_cur *c, uint8_t type, struct duet_ip6_ext *e)
{
	const uint8_t *p;
	long len;

	if (!duet_ip6_ext_is_known(type))
		return -DUET_WE_BAD_TYPE;
	p = duet_cur_peek(c, 8);
	if (!p)
		return -DUET_WE_TRUNCATED;
	len = ext_hdr_len(type, p);
	if (len < 0)
		return (int)len;
	p = duet_cur_take(c, (size_t)len);
	if (!p)
		return -DUET_WE_BAD_LENGTH;
	e->next_header = p[0];
	e->data = p;
	e->len = (size_t)len;
	return 0;
}

/* Takes a uniform-format header ((octet 1 + 1) * 8 octets) from c. */
static const uint8_t *ext_take_uniform(struct duet_cur *c, int *err)
{
	const uint8_t *p = duet_cur_peek(c, 8);

	if (!p) {
		*err = -DUET_WE_TRUNCATED;
		return NULL;
	}
	p = duet_cur_take(c, ((size_t)p[1] + 1) * 8);
	if (!p)
		*err = -DUET_WE_BAD_LENGTH;
	return p;
}

/* Checks that a header of hdr_len octets can be written and returns its
 * Hdr Ext Len value through *hel. */
static int ext_check_len(size_t hdr_len, uint8_t *hel)
{
	if (hdr_len > DUET_IP6_EXT_MAX_LEN)
		return -DUET_WE_TOO_BIG;
	if (hdr_len < 8 || hdr_len % 8)
		return -DUET_WE_BAD_LENGTH;
	*hel = (uint8_t)(hdr_len / 8 - 1);
	return 0;
}

/* ---- Hop-by-Hop and Destination Options headers --------------------- */

int duet_ip6_opthdr_parse(struct duet_cur *c, struct duet_ip6_opthdr *h)
{
	int err = 0;
	const uint8_t *p = ext_take_uniform(c, &err);

	if (!p)
		return err;
	h->next_header = p[0];
	h->hdr_ext_len = p[1];
	h->options = p + 2;
	h->options_len = ((size_t)p[1] + 1) * 8 - 2;
	return 0;
}

size_t duet_ip6_opthdr_len(const struct duet_ip6_opthdr *h)
{
	return h->options_len + 2;
}

int duet_ip6_opthdr_emit(const struct duet_ip6_opthdr *h, struct duet_wcur *w)
{
	uint8_t hel;
	uint8_t *p;
	int err = ext_check_len(h->options_len + 2, &hel);

	if (err)
		return err;
	p = duet_wcur_take(w, h->options_len + 2);
	if (!p)
		return -DUET_WE_NOSPACE;
	p[0] = h->next_header;
	p[1] = hel;
	memcpy(p + 2, h->options, h->options_len);
	return 0;
}

void duet_ip6_opt_iter_init(struct duet_ip6_opt_iter *it, const struct duet_ip6_opthdr *h)
{
	duet_cur_init(&it->c, h->options, h->options_len);
	it->base = 2;
}

/* Checks the length of a recognised option and decodes its value. */
static int opt_decode(struct duet_ip6_opt *o)
{
	size_t i;

	switch (o->type) {
	case DUET_IP6_OPT_PADN:
		for (i = 0; i < o->opt_data_len; i++)
			if (o->data[i])
				o->note = -DUET_WE_BAD_PADDING;
		return 0;
	case DUET_IP6_OPT_ROUTER_ALERT:
		if (o->opt_data_len != 2)
			return -DUET_WE_BAD_OPT_LEN;
		o->router_alert = duet_get_be16(o->data);
		return 0;
	case DUET_IP6_OPT_JUMBO:
		if (o->opt_data_len != 4)
			return -DUET_WE_BAD_OPT_LEN;
		o->jumbo_payload_length = duet_get_be32(o->data);
		return 0;
	case DUET_IP6_OPT_TUNNEL_LIMIT:
		if (o->opt_data_len != 1)
			return -DUET_WE_BAD_OPT_LEN;
		o->tunnel_encap_limit = o->data[0];
		return 0;
	default:
		return 0;
	}
}

int duet_ip6_opt_next(struct duet_ip6_opt_iter *it, struct duet_ip6_opt *o)
{
	struct duet_cur save = it->c;
	const uint8_t *p;
	int err;

	memset(o, 0, sizeof *o);
	o->offset = it->base + it->c.off;
	p = duet_cur_take(&it->c, 1);
	if (!p)
		return 0;
	o->type = p[0];
	if (o->type == DUET_IP6_OPT_PAD1)
		return 1;
	p = duet_cur_take(&it->c, 1);
	if (!p || !(o->data = duet_cur_take(&it->c, p[0]))) {
		it->c = save;
		return -DUET_WE_OPT_TRUNCATED;
	}
	o->opt_data_len = p[0];
	err = opt_decode(o);
	if (err) {
		it->c = save;
		return err;
	}
	return 1;
}

enum duet_ip6_opt_action duet_ip6_opt_action(uint8_t type)
{
	return (enum duet_ip6_opt_action)(type >> 6);
}

bool duet_ip6_opt_may_change(uint8_t type)
{
	return type & 0x20;
}

void duet_ip6_opt_align(uint8_t type, uint8_t *n, uint8_t *y)
{
	switch (type) {
	case DUET_IP6_OPT_ROUTER_ALERT: /* RFC 2711 §2.1 */
		*n = 2;
		*y = 0;
		break;
	case DUET_IP6_OPT_JUMBO: /* RFC 2675 §2 */
		*n = 4;
		*y = 2;
		break;
	default:
		*n = 1;
		*y = 0;
		break;
	}
}

/* Writes pad octets of padding at out (when out is not NULL): Pad1 for one,
 * PadN otherwise (RFC 8200 §4.2). */
static void opt_write_pad(uint8_t *out, size_t pad)
{
	if (!out || pad == 0)
		return;
	if (pad == 1) {
		out[0] = DUET_IP6_OPT_PAD1;
		return;
	}
	out[0] = DUET_IP6_OPT_PADN;
	out[1] = (uint8_t)(pad - 2);
	memset(out + 2, 0, pad - 2);
}

/* Lays the options out from offset 2 on, writing them into out unless it is
 * NULL. Returns the header length, or a negative reason. */
static long opthdr_layout(const struct duet_ip6_opt *opts, size_t n_opts, uint8_t *out)
{
	size_t off = 2, i, pad;
	uint8_t an, ay;

	for (i = 0; i < n_opts; i++) {
		const struct duet_ip6_opt *o = &opts[i];
		if (o->type == DUET_IP6_OPT_PAD1) {
			if (out)
				out[off] = DUET_IP6_OPT_PAD1;
			off++;
			continue;
		}
		an = o->align_n;
		ay = o->align_y;
		if (an == 0)
			duet_ip6_opt_align(o->type, &an, &ay);
		if ((an != 1 && an != 2 && an != 4 && an != 8) || ay >= an)
			return -DUET_WE_BAD_FIELD;
		pad = (ay + an - off % an) % an;
		if (off + pad + 2 + o->opt_data_len > DUET_IP6_EXT_MAX_LEN)
			return -DUET_WE_TOO_BIG;
		opt_write_pad(out ? out + off : NULL, pad);
		off += pad;
		if (out) {
			out[off] = o->type;
			out[off + 1] = o->opt_data_len;
			if (o->opt_data_len)
				memcpy(out + off + 2, o->data, o->opt_data_len);
		}
		off += 2 + (size_t)o->opt_data_len;
	}
	pad = (8 - off % 8) % 8;
	if (off + pad > DUET_IP6_EXT_MAX_LEN)
		return -DUET_WE_TOO_BIG;
	opt_write_pad(out ? out + off : NULL, pad);
	return (long)(off + pad);
}

size_t duet_ip6_opthdr_build_len(const struct duet_ip6_opt *opts, size_t n_opts)
{
	long len = opthdr_layout(opts, n_opts, NULL);
	return len < 0 ? 0 : (size_t)len;
}

int duet_ip6_opthdr_build(uint8_t next_header, const struct duet_ip6_opt *opts,
			  size_t n_opts, struct duet_wcur *w)
{
	long len = opthdr_layout(opts, n_opts, NULL);
	uint8_t *p;

	if (len < 0)
		return (int)len;
	p = duet_wcur_take(w, (size_t)len);
	if (!p)
		return -DUET_WE_NOSPACE;
	opthdr_layout(opts, n_opts, p);
	p[0] = next_header;
	p[1] = (uint8_t)(len / 8 - 1);
	return 0;
}

/* ---- Routing header ---------------------------------------------------- */

int duet_ip6_rthdr_parse(struct duet_cur *c, struct duet_ip6_rthdr *h)
{
	int err = 0;
	const uint8_t *p = ext_take_uniform(c, &err);

	if (!p)
		return err;
	h->next_header = p[0];
	h->hdr_ext_len = p[1];
	h->routing_type = p[2];
	h->segments_left = p[3];
	h->data = p + 4;
	h->data_len = (size_t)p[1] * 8 + 4;
	h->is_deprecated = h->routing_type == DUET_IP6_RT_TYPE0;
	return 0;
}

size_t duet_ip6_rthdr_len(const struct duet_ip6_rthdr *h)
{
	return h->data_len + 4;
}

/* Reserves a Routing header of hdr_len octets at w and writes its first
 * word. Returns the header or NULL with *err set. */
static uint8_t *rthdr_start(uint8_t next_header, uint8_t type, uint8_t segments_left,
			    size_t hdr_len, struct duet_wcur *w, int *err)
{
	uint8_t hel;
	uint8_t *p;

	*err = ext_check_len(hdr_len, &hel);
	if (*err)
		return NULL;
	p = duet_wcur_take(w, hdr_len);
	if (!p) {
		*err = -DUET_WE_NOSPACE;
		return NULL;
	}
	p[0] = next_header;
	p[1] = hel;
	p[2] = type;
	p[3] = segments_left;
	return p;
}

int duet_ip6_rthdr_emit(const struct duet_ip6_rthdr *h, struct duet_wcur *w)
{
	int err;
	uint8_t *p = rthdr_start(h->next_header, h->routing_type, h->segments_left,
				 h->data_len + 4, w, &err);

	if (!p)
		return err;
	memcpy(p + 4, h->data, h->data_len);
	return 0;
}

int duet_ip6_rt0_parse(const struct duet_ip6_rthdr *h, struct duet_ip6_rt0 *r)
{
	if (h->routing_type != DUET_IP6_RT_TYPE0)
		return -DUET_WE_BAD_TYPE;
	if (h->hdr_ext_len % 2)
		return -DUET_WE_BAD_HDR_LEN;
	r->n_addresses = h->hdr_ext_len / 2u;
	r->addresses = h->data + 4;
	if (h->segments_left > r->n_addresses)
		return -DUET_WE_BAD_FIELD;
	return 0;
}

int duet_ip6_rt0_emit(uint8_t next_header, uint8_t segments_left,
		      const uint8_t *addresses, size_t n, struct duet_wcur *w)
{
	int err;
	uint8_t *p;

	if (n > 127 || segments_left > n)
		return -DUET_WE_TOO_BIG;
	p = rthdr_start(next_header, DUET_IP6_RT_TYPE0, segments_left, 8 + 16 * n, w, &err);
	if (!p)
		return err;
	memset(p + 4, 0, 4);
	if (n)
		memcpy(p + 8, addresses, 16 * n);
	return 0;
}

int duet_ip6_rt2_parse(const struct duet_ip6_rthdr *h, uint8_t home_address[16])
{
	if (h->routing_type != DUET_IP6_RT_TYPE2)
		return -DUET_WE_BAD_TYPE;
	if (h->hdr_ext_len != 2)
		return -DUET_WE_BAD_HDR_LEN;
	if (h->segments_left > 1)
		return -DUET_WE_BAD_FIELD;
	memcpy(home_address, h->data + 4, 16);
	return 0;
}

int duet_ip6_rt2_emit(uint8_t next_header, const uint8_t home_address[16],
		      struct duet_wcur *w)
{
	int err;
	uint8_t *p = rthdr_start(next_header, DUET_IP6_RT_TYPE2, 1, 24, w, &err);

	if (!p)
		return err;
	memset(p + 4, 0, 4);
	memcpy(p + 8, home_address, 16);
	return 0;
}

int duet_ip6_srh_parse(const struct duet_ip6_rthdr *h, struct duet_ip6_srh *s)
{
	struct duet_cur c;
	const uint8_t *p;

	if (h->routing_type != DUET_IP6_RT_SRH)
		return -DUET_WE_BAD_TYPE;
	duet_cur_init(&c, h->data, h->data_len);
	p = duet_cur_take(&c, 4);
	if (!p)
		return -DUET_WE_BAD_LENGTH;
	s->last_entry = p[0];
	s->flags = p[1];
	s->tag = duet_get_be16(p + 2);
	s->segment_list = duet_cur_take(&c, ((size_t)s->last_entry + 1) * 16);
	if (!s->segment_list)
		return -DUET_WE_BAD_LENGTH;
	s->tlvs = c.data + c.off;
	s->tlvs_len = duet_cur_left(&c);
	if (h->segments_left > (unsigned)s->last_entry + 1)
		return -DUET_WE_BAD_FIELD;
	return 0;
}

int duet_ip6_srh_emit(uint8_t next_header, uint8_t segments_left,
		      const struct duet_ip6_srh *s, struct duet_wcur *w)
{
	size_t list_len = ((size_t)s->last_entry + 1) * 16;
	int err;
	uint8_t *p = rthdr_start(next_header, DUET_IP6_RT_SRH, segments_left,
				 8 + list_len + s->tlvs_len, w, &err);

	if (!p)
		return err;
	p[4] = s->last_entry;
	p[5] = s->flags;
	duet_put_be16(p + 6, s->tag);
	memcpy(p + 8, s->segment_list, list_len);
	if (s->tlvs_len)
		memcpy(p + 8 + list_len, s->tlvs, s->tlvs_len);
	return 0;
}

/* ---- Fragment header --------------------------------------------------- */

int duet_ip6_frag_parse(struct duet_cur *c, struct duet_ip6_frag_hdr *h)
{
	const uint8_t *p = duet_cur_take(c, DUET_IP6_FRAG_HDR_LEN);
	uint16_t w1;

	if (!p)
		return -DUET_WE_TRUNCATED;
	h->next_header = p[0];
	h->reserved = p[1];
	w1 = duet_get_be16(p + 2);
	h->fragment_offset = w1 >> 3;
	h->res = (w1 >> 1) & 3;
	h->m = w1 & 1;
	h->identification = duet_get_be32(p + 4);
	return 0;
}

size_t duet_ip6_frag_len(const struct duet_ip6_frag_hdr *h)
{
	(void)h;
	return DUET_IP6_FRAG_HDR_LEN;
}

int duet_ip6_frag_emit(const struct duet_ip6_frag_hdr *h, struct duet_wcur *w)
{
	uint8_t *p;

	if (h->fragment_offset > 0x1fff || h->res > 3)
		return -DUET_WE_TOO_BIG;
	p = duet_wcur_take(w, DUET_IP6_FRAG_HDR_LEN);
	if (!p)
		return -DUET_WE_NOSPACE;
	p[0] = h->next_header;
	p[1] = h->reserved;
	duet_put_be16(p + 2, (uint16_t)(h->fragment_offset << 3 | h->res << 1 | (h->m ? 1u : 0u)));
	duet_put_be32(p + 4, h->identification);
	return 0;
}

bool duet_ip6_frag_is_atomic(const struct duet_ip6_frag_hdr *h)
{
	return h->fragment_offset == 0 && !h->m;
}
