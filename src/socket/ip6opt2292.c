/* duet — the obsolete RFC 2292 ancillary-data builders and parsers (SPEC
 * §6 Hop-by-Hop / Destination options (inet6_option_*) and §8 Type 0
 * Routing header (inet6_rthdr_*), on the host's struct cmsghdr. The
 * Routing header is RFC 2460's layout, without RFC 1883's Strict/Loose Bit
 * Map (see duet/ip6opt.h). */
#include "socket/ip6opt_internal.h"

#include <limits.h>
#include <stdbool.h>
#include <string.h>

/* RFC 2292 §8.1: 1..23 addresses (RFC 1883's 24-bit bit map). */
#define RTHDR_MAX_SEGMENTS 23

/* Offsets in a Type 0 Routing header (RFC 2460 §4.4). */
enum {
	RTHDR_HDR_EXT_LEN = 1,
	RTHDR_SEGMENTS_LEFT = 3,
};

/* --- §6: options ------------------------------------------------------------------ */

static bool option_type_ok(int type)
{
	return type == IPV6_HOPOPTS || type == IPV6_DSTOPTS || type == DUET_IPV6_2292HOPOPTS ||
	       type == DUET_IPV6_2292DSTOPTS;
}

static bool option_cmsg_ok(const struct cmsghdr *cmsg)
{
	return cmsg && cmsg->cmsg_level == IPPROTO_IPV6 && option_type_ok(cmsg->cmsg_type);
}

int duet_inet6_option_space(int nbytes)
{
	size_t n;

	if (nbytes < 0)
		return 0;
	/* §6.3.1: room for Next Header and Hdr Ext Len, padded to 8. */
	n = ((size_t)nbytes + IP6OPT_HDR_BYTES + 7) & ~(size_t)7;
	n = CMSG_SPACE(n);
	return n > INT_MAX ? 0 : (int)n;
}

int duet_inet6_option_init(void *bp, struct cmsghdr **cmsgp, int type)
{
	struct cmsghdr *cmsg = bp;

	/* §6.3.2: type is IPV6_HOPOPTS or IPV6_DSTOPTS. */
	if (!bp || !cmsgp || !option_type_ok(type))
		return -1;
	cmsg->cmsg_len = CMSG_LEN(0);
	cmsg->cmsg_level = IPPROTO_IPV6;
	cmsg->cmsg_type = type;
	*cmsgp = cmsg;
	return 0;
}

/* The octets of the header an object under construction holds (0 before
 * its first option), or -1 when cmsg is not such an object: every append
 * leaves a header of a multiple of 8 octets that its Hdr Ext Len
 * describes. */
static long option_built_len(const struct cmsghdr *cmsg)
{
	const uint8_t *data;
	size_t n;

	if (!option_cmsg_ok(cmsg) || cmsg->cmsg_len < CMSG_LEN(0))
		return -1;
	n = cmsg->cmsg_len - CMSG_LEN(0);
	if (n == 0)
		return 0;
	data = CMSG_DATA(cmsg);
	if (n % 8 != 0 || n > DUET_IP6OPT_HDR_MAX_BYTES || data[1] != n / 8 - 1)
		return -1;
	return (long)n;
}

/* Reserves optlen octets for an option whose type octet must sit at
 * multx * n + plusy, with the least padding before it, then pads the header
 * to a multiple of 8 and updates Hdr Ext Len and cmsg_len (§6.3.3, §6.3.4).
 * Returns the reserved octets, or NULL with the object unchanged. */
static uint8_t *option_reserve(struct cmsghdr *cmsg, size_t optlen, int multx, int plusy)
{
	long built = option_built_len(cmsg);
	size_t start, npad, end, total;
	uint8_t *data;

	if (built < 0 || (multx != 1 && multx != 2 && multx != 4 && multx != 8))
		return NULL;
	if (plusy < 0 || plusy > 7)
		return NULL;
	start = built ? (size_t)built : IP6OPT_HDR_BYTES;
	npad = ((size_t)plusy + (size_t)multx - start % (size_t)multx) % (size_t)multx;
	end = start + npad + optlen;
	total = (end + 7) & ~(size_t)7;
	if (total > DUET_IP6OPT_HDR_MAX_BYTES)
		return NULL;
	data = CMSG_DATA(cmsg);
	if (built == 0)
		data[0] = 0; /* Next Header: the kernel's to fill in */
	ip6opt_pad_write(data + start, npad);
	ip6opt_pad_write(data + end, total - end);
	data[1] = (uint8_t)(total / 8 - 1);
	cmsg->cmsg_len = CMSG_LEN(total);
	return data + start + npad;
}

int duet_inet6_option_append(struct cmsghdr *cmsg, const uint8_t *typep, int multx, int plusy)
{
	uint8_t opt[2 + 255];
	size_t len;
	uint8_t *p;

	/* §6.3.3: the type is 2..255; 0 and 1 are Pad1 and PadN. */
	if (!typep || typep[0] == DUET_IP6OPT_PAD1 || typep[0] == DUET_IP6OPT_PADN)
		return -1;
	len = 2u + typep[1];
	memcpy(opt, typep, len); /* typep may lie in the object itself */
	p = option_reserve(cmsg, len, multx, plusy);
	if (!p)
		return -1;
	memcpy(p, opt, len);
	return 0;
}

uint8_t *duet_inet6_option_alloc(struct cmsghdr *cmsg, int datalen, int multx, int plusy)
{
	/* §6.3.4: a whole option, type and length octets included. */
	if (datalen < 2 || datalen > 2 + 255)
		return NULL;
	return option_reserve(cmsg, (size_t)datalen, multx, plusy);
}

/* The header of a received object: sets *hdr and *len and returns 0, or
 * returns -1 when cmsg is not an options object or cmsg_len does not cover
 * the header its Hdr Ext Len describes. */
static int option_hdr(const struct cmsghdr *cmsg, uint8_t **hdr, size_t *len)
{
	uint8_t *data;

	if (!option_cmsg_ok(cmsg) || cmsg->cmsg_len < CMSG_LEN(IP6OPT_HDR_BYTES))
		return -1;
	data = CMSG_DATA((struct cmsghdr *)(uintptr_t)cmsg);
	*len = ((size_t)data[1] + 1) * 8;
	if (cmsg->cmsg_len < CMSG_LEN(*len))
		return -1;
	*hdr = data;
	return 0;
}

/* The offset of the option after cur (the first one for cur NULL), or -1
 * when cur is not inside the header's options or the option at cur runs
 * past the end. */
static long option_after(const uint8_t *hdr, size_t len, const uint8_t *cur)
{
	uintptr_t at = (uintptr_t)cur, base = (uintptr_t)hdr;
	size_t off, n;

	if (!cur)
		return (long)IP6OPT_HDR_BYTES;
	if (at < base + IP6OPT_HDR_BYTES || at >= base + len)
		return -1;
	off = at - base;
	n = ip6opt_tlv_len(hdr + off, len - off);
	return n ? (long)(off + n) : -1;
}

int duet_inet6_option_next(const struct cmsghdr *cmsg, uint8_t **tptrp)
{
	uint8_t *hdr;
	size_t len;
	long off;

	if (!tptrp || option_hdr(cmsg, &hdr, &len) < 0)
		return -1;
	off = option_after(hdr, len, *tptrp);
	if (off < 0)
		return -1; /* *tptrp stays at the bad option: an error */
	if ((size_t)off >= len) {
		*tptrp = NULL; /* §6.3.5: none left */
		return -1;
	}
	*tptrp = hdr + off;
	return ip6opt_tlv_len(hdr + off, len - (size_t)off) ? 0 : -1;
}

int duet_inet6_option_find(const struct cmsghdr *cmsg, uint8_t **tptrp, int type)
{
	uint8_t *hdr;
	size_t len, n;
	long off;

	if (!tptrp || option_hdr(cmsg, &hdr, &len) < 0)
		return -1;
	off = option_after(hdr, len, *tptrp);
	if (off < 0)
		return -1;
	for (; (size_t)off < len; off += (long)n) {
		n = ip6opt_tlv_len(hdr + off, len - (size_t)off);
		if (n == 0 || hdr[off] == type) {
			*tptrp = hdr + off; /* §6.3.6: found, or the error's place */
			return n ? 0 : -1;
		}
	}
	*tptrp = NULL; /* §6.3.6: not found */
	return -1;
}

/* --- §8: Routing header ------------------------------------------------------------ */

/* The address count of a valid object (min_n..23 addresses, cmsg_len
 * covering them), or -1. Sets *rh to its Routing header. */
static int rthdr_check(const struct cmsghdr *cmsg, int min_n, uint8_t **rh)
{
	uint8_t *data;
	int n;

	if (!cmsg || cmsg->cmsg_level != IPPROTO_IPV6 ||
	    (cmsg->cmsg_type != IPV6_RTHDR && cmsg->cmsg_type != DUET_IPV6_2292RTHDR))
		return -1;
	if (cmsg->cmsg_len < CMSG_LEN(IP6OPT_RT0_HDR_BYTES))
		return -1;
	data = CMSG_DATA((struct cmsghdr *)(uintptr_t)cmsg);
	n = ip6opt_rt0_count(data);
	if (n < min_n || n > RTHDR_MAX_SEGMENTS)
		return -1;
	if (cmsg->cmsg_len < CMSG_LEN(IP6OPT_RT0_HDR_BYTES + IP6OPT_ADDR_BYTES * (size_t)n))
		return -1;
	*rh = data;
	return n;
}

size_t duet_inet6_rthdr_space(int type, int segments)
{
	if (type != DUET_IPV6_RTHDR_TYPE_0 || segments < 1 || segments > RTHDR_MAX_SEGMENTS)
		return 0;
	return CMSG_SPACE(IP6OPT_RT0_HDR_BYTES + IP6OPT_ADDR_BYTES * (size_t)segments);
}

struct cmsghdr *duet_inet6_rthdr_init(void *bp, int type)
{
	struct cmsghdr *cmsg = bp;

	if (!bp || type != DUET_IPV6_RTHDR_TYPE_0)
		return NULL;
	cmsg->cmsg_len = CMSG_LEN(IP6OPT_RT0_HDR_BYTES);
	cmsg->cmsg_level = IPPROTO_IPV6;
	cmsg->cmsg_type = IPV6_RTHDR;
	/* Routing Type 0 and every other field 0: no address yet. */
	memset(CMSG_DATA(cmsg), 0, IP6OPT_RT0_HDR_BYTES);
	return cmsg;
}

int duet_inet6_rthdr_add(struct cmsghdr *cmsg, const struct in6_addr *addr, unsigned int flags)
{
	uint8_t *rh;
	int n = rthdr_check(cmsg, 0, &rh);

	/* RFC 2460 has no Strict/Loose Bit Map: only loose hops exist. */
	if (n < 0 || !addr || flags != DUET_IPV6_RTHDR_LOOSE)
		return -1;
	if (n == RTHDR_MAX_SEGMENTS || rh[RTHDR_SEGMENTS_LEFT] != n)
		return -1;
	memcpy(rh + IP6OPT_RT0_HDR_BYTES + IP6OPT_ADDR_BYTES * (size_t)n, addr, IP6OPT_ADDR_BYTES);
	rh[RTHDR_HDR_EXT_LEN] = (uint8_t)(rh[RTHDR_HDR_EXT_LEN] + 2);
	rh[RTHDR_SEGMENTS_LEFT] = (uint8_t)(n + 1);
	cmsg->cmsg_len = CMSG_LEN(IP6OPT_RT0_HDR_BYTES + IP6OPT_ADDR_BYTES * (size_t)(n + 1));
	return 0;
}

int duet_inet6_rthdr_lasthop(struct cmsghdr *cmsg, unsigned int flags)
{
	uint8_t *rh;

	if (rthdr_check(cmsg, 1, &rh) < 0 || flags != DUET_IPV6_RTHDR_LOOSE)
		return -1;
	return 0;
}

int duet_inet6_rthdr_reverse(const struct cmsghdr *in, struct cmsghdr *out)
{
	uint8_t *rh;
	int n = rthdr_check(in, 1, &rh);
	size_t len;

	if (n < 0 || !out)
		return -1;
	len = CMSG_LEN(IP6OPT_RT0_HDR_BYTES + IP6OPT_ADDR_BYTES * (size_t)n);
	memmove(out, in, len); /* the cmsghdr, the header and the addresses */
	out->cmsg_len = len;
	ip6opt_rt0_reverse(CMSG_DATA(out), CMSG_DATA(out), n);
	return 0;
}

int duet_inet6_rthdr_segments(const struct cmsghdr *cmsg)
{
	uint8_t *rh;

	return rthdr_check(cmsg, 1, &rh);
}

struct in6_addr *duet_inet6_rthdr_getaddr(struct cmsghdr *cmsg, int index)
{
	uint8_t *rh;
	int n = rthdr_check(cmsg, 1, &rh);

	/* §8.7: index counts from 1. */
	if (n < 0 || index < 1 || index > n)
		return NULL;
	return (struct in6_addr *)(uintptr_t)(rh + IP6OPT_RT0_HDR_BYTES +
					      IP6OPT_ADDR_BYTES * (size_t)(index - 1));
}

int duet_inet6_rthdr_getflags(const struct cmsghdr *cmsg, int index)
{
	uint8_t *rh;
	int n = rthdr_check(cmsg, 1, &rh);

	/* §8.8: index 0..segments, one flag per hop including the last. */
	if (n < 0 || index < 0 || index > n)
		return -1;
	return (int)DUET_IPV6_RTHDR_LOOSE;
}
