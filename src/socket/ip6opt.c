/* duet — RFC 3542 §10 Hop-by-Hop / Destination option builders and parsers
 * and §7 Type 0 Routing header functions (SPEC A-5), with the octet helpers
 * the RFC 2292 functions in ip6opt2292.c share. Options follow RFC 8200
 * §4.2 (TLVs, Pad1 and PadN), the Routing header RFC 2460 §4.4. */
#include "socket/ip6opt_internal.h"

#include <limits.h>
#include <string.h>

/* Offsets in a Type 0 Routing header (RFC 2460 §4.4). */
enum {
	RT0_HDR_EXT_LEN = 1,
	RT0_ROUTING_TYPE = 2,
	RT0_SEGMENTS_LEFT = 3,
};

/* The most RFC 3542 allows in one Type 0 header (§7.1). */
#define RTH_MAX_SEGMENTS 127

/* Largest offset duet_inet6_opt_append takes: it plus padding, type,
 * length and data must still fit in an int. */
#define OPT_OFFSET_MAX (INT_MAX - 7 - 2 - 255)

/* --- shared helpers ------------------------------------------------------------ */

void ip6opt_pad_write(uint8_t *p, size_t npad)
{
	if (npad == 0)
		return;
	if (npad == 1) {
		p[0] = DUET_IP6OPT_PAD1;
		return;
	}
	p[0] = DUET_IP6OPT_PADN;
	p[1] = (uint8_t)(npad - 2);
	memset(p + 2, 0, npad - 2);
}

size_t ip6opt_tlv_len(const uint8_t *p, size_t avail)
{
	size_t n;

	if (avail == 0)
		return 0;
	if (p[0] == DUET_IP6OPT_PAD1)
		return 1;
	if (avail < 2)
		return 0; /* the length octet would be past the end */
	n = 2u + p[1];
	return n <= avail ? n : 0;
}

int ip6opt_rt0_count(const uint8_t *rh)
{
	if (rh[RT0_ROUTING_TYPE] != DUET_IPV6_RTHDR_TYPE_0 || rh[RT0_HDR_EXT_LEN] % 2 != 0)
		return -1;
	return rh[RT0_HDR_EXT_LEN] / 2;
}

void ip6opt_rt0_reverse(const uint8_t *in, uint8_t *out, int n)
{
	uint8_t tmp[IP6OPT_ADDR_BYTES];
	uint8_t *a = out + IP6OPT_RT0_HDR_BYTES;
	int i;

	memmove(out, in, IP6OPT_RT0_HDR_BYTES + IP6OPT_ADDR_BYTES * (size_t)n);
	for (i = 0; i < n / 2; i++) {
		uint8_t *x = a + IP6OPT_ADDR_BYTES * (size_t)i;
		uint8_t *y = a + IP6OPT_ADDR_BYTES * (size_t)(n - 1 - i);

		memcpy(tmp, x, sizeof(tmp));
		memcpy(x, y, sizeof(tmp));
		memcpy(y, tmp, sizeof(tmp));
	}
	/* §7.4: Segments Left becomes the number of segments. */
	out[RT0_SEGMENTS_LEFT] = (uint8_t)n;
}

/* --- §10: options ---------------------------------------------------------------- */

int duet_inet6_opt_init(void *extbuf, socklen_t extlen)
{
	if (extbuf) {
		/* §10.1: extlen a positive multiple of 8; and Hdr Ext Len, one
		 * octet, cannot describe more than 2048 octets. */
		if (extlen == 0 || extlen % 8 != 0 || extlen > DUET_IP6OPT_HDR_MAX_BYTES)
			return -1;
		((uint8_t *)extbuf)[1] = (uint8_t)(extlen / 8 - 1);
	}
	return (int)IP6OPT_HDR_BYTES;
}

static int opt_align_ok(uint8_t align, socklen_t len)
{
	/* §10.2: 1, 2, 4 or 8, and not more than len. */
	return (align == 1 || align == 2 || align == 4 || align == 8) && align <= len;
}

int duet_inet6_opt_append(void *extbuf, socklen_t extlen, int offset, uint8_t type,
			  socklen_t len, uint8_t align, void **databufp)
{
	size_t start, npad, end;
	uint8_t *p;

	if (offset < (int)IP6OPT_HDR_BYTES || offset > OPT_OFFSET_MAX)
		return -1;
	/* §10.2: types 0 and 1 are Pad1 and PadN; len fits one octet. */
	if (type == DUET_IP6OPT_PAD1 || type == DUET_IP6OPT_PADN || len > 255)
		return -1;
	if (!opt_align_ok(align, len))
		return -1;
	start = (size_t)offset;
	/* The data, after the type and length octets, starts at a multiple
	 * of align: pad before the option as little as that takes. */
	npad = (align - (start + 2) % align) % align;
	end = start + npad + 2 + len;
	if (!extbuf)
		return (int)end;
	if (end > extlen || !databufp)
		return -1;
	p = (uint8_t *)extbuf + start;
	ip6opt_pad_write(p, npad);
	p += npad;
	p[0] = type;
	p[1] = (uint8_t)len;
	*databufp = p + 2;
	return (int)end;
}

int duet_inet6_opt_finish(void *extbuf, socklen_t extlen, int offset)
{
	size_t npad;

	if (offset < (int)IP6OPT_HDR_BYTES || offset > INT_MAX - 7)
		return -1;
	/* §10.3: pad the header to a multiple of 8 octets. */
	npad = (8 - (size_t)offset % 8) % 8;
	if (extbuf) {
		if ((size_t)offset + npad > extlen)
			return -1;
		ip6opt_pad_write((uint8_t *)extbuf + offset, npad);
	}
	return offset + (int)npad;
}

int duet_inet6_opt_set_val(void *databuf, int offset, const void *val, socklen_t vallen)
{
	memcpy((uint8_t *)databuf + offset, val, vallen);
	return (int)((unsigned)offset + vallen);
}

/* Where a walk from offset starts (0: the first option), or 0 when offset
 * is not one a walk can take. */
static size_t opt_walk_start(int offset)
{
	if (offset == 0)
		return IP6OPT_HDR_BYTES;
	if (offset < (int)IP6OPT_HDR_BYTES)
		return 0;
	return (size_t)offset;
}

/* A walk stops at extlen, and at INT_MAX so that offsets stay ints. */
static size_t opt_walk_limit(socklen_t extlen)
{
	return extlen > INT_MAX ? (size_t)INT_MAX : (size_t)extlen;
}

int duet_inet6_opt_next(void *extbuf, socklen_t extlen, int offset, uint8_t *typep,
			socklen_t *lenp, void **databufp)
{
	uint8_t *b = extbuf;
	size_t off = opt_walk_start(offset), lim = opt_walk_limit(extlen), n;

	if (!b || off == 0)
		return -1;
	while (off < lim) {
		n = ip6opt_tlv_len(b + off, lim - off);
		if (n == 0)
			return -1; /* §10.5: malformed */
		if (b[off] != DUET_IP6OPT_PAD1 && b[off] != DUET_IP6OPT_PADN) {
			*typep = b[off];
			*lenp = b[off + 1];
			*databufp = b + off + 2;
			return (int)(off + n);
		}
		off += n; /* §10.5: padding is not returned */
	}
	return -1;
}

int duet_inet6_opt_find(void *extbuf, socklen_t extlen, int offset, uint8_t type,
			socklen_t *lenp, void **databufp)
{
	uint8_t *b = extbuf;
	size_t off = opt_walk_start(offset), lim = opt_walk_limit(extlen), n;

	if (!b || off == 0)
		return -1;
	while (off < lim) {
		n = ip6opt_tlv_len(b + off, lim - off);
		if (n == 0)
			return -1; /* §10.6: malformed */
		if (b[off] == type) {
			*lenp = n == 1 ? 0 : b[off + 1];
			*databufp = b + off + (n == 1 ? 1 : 2);
			return (int)(off + n);
		}
		off += n;
	}
	return -1;
}

int duet_inet6_opt_get_val(const void *databuf, int offset, void *val, socklen_t vallen)
{
	memcpy(val, (const uint8_t *)databuf + offset, vallen);
	return (int)((unsigned)offset + vallen);
}

/* --- §7: Routing header ------------------------------------------------------------ */

socklen_t duet_inet6_rth_space(int type, int segments)
{
	/* §7.1: type 0 holds 0..127 segments; 0 means unsupported. */
	if (type != DUET_IPV6_RTHDR_TYPE_0 || segments < 0 || segments > RTH_MAX_SEGMENTS)
		return 0;
	return (socklen_t)(IP6OPT_RT0_HDR_BYTES + IP6OPT_ADDR_BYTES * (unsigned)segments);
}

void *duet_inet6_rth_init(void *bp, socklen_t bp_len, int type, int segments)
{
	socklen_t len = duet_inet6_rth_space(type, segments);
	uint8_t *b = bp;

	if (!b || len == 0 || len > bp_len)
		return NULL;
	memset(b, 0, len);
	b[RT0_HDR_EXT_LEN] = (uint8_t)(2 * segments);
	b[RT0_ROUTING_TYPE] = (uint8_t)type;
	return bp; /* §7.2: Segments Left 0, counted up by add */
}

int duet_inet6_rth_add(void *bp, const struct in6_addr *addr)
{
	uint8_t *b = bp;
	int n = ip6opt_rt0_count(b);

	/* §7.3: Segments Left counts the addresses added so far. */
	if (n < 0 || b[RT0_SEGMENTS_LEFT] >= n)
		return -1;
	memcpy(b + IP6OPT_RT0_HDR_BYTES + IP6OPT_ADDR_BYTES * b[RT0_SEGMENTS_LEFT], addr,
	       IP6OPT_ADDR_BYTES);
	b[RT0_SEGMENTS_LEFT]++;
	return 0;
}

int duet_inet6_rth_reverse(const void *in, void *out)
{
	int n = ip6opt_rt0_count(in);

	if (n < 0)
		return -1;
	ip6opt_rt0_reverse(in, out, n);
	return 0;
}

int duet_inet6_rth_segments(const void *bp)
{
	return ip6opt_rt0_count(bp);
}

struct in6_addr *duet_inet6_rth_getaddr(const void *bp, int index)
{
	const uint8_t *b = bp;
	int n = ip6opt_rt0_count(b);

	if (n < 0 || index < 0 || index >= n)
		return NULL;
	/* The RFC's signature hands back a writable pointer into bp. */
	return (struct in6_addr *)(uintptr_t)(b + IP6OPT_RT0_HDR_BYTES +
					      IP6OPT_ADDR_BYTES * (size_t)index);
}
