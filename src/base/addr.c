/* duet — IPv6/IPv4 address text (RFC 4291 §2.2, RFC 5952, RFC 4007 §11) and
 * classification (RFC 4291, RFC 7346, RFC 6724 §3, RFC 1918, RFC 3927). */
#include <duet/addr.h>
#include <duet/byteorder.h>

#include <errno.h>
#include <string.h>

static const uint8_t addr6_v4mapped_prefix[12] = { [10] = 0xff, [11] = 0xff };
/* RFC 2765 §2.1 IPv4-translated: ::ffff:0:0:0/96. */
static const uint8_t addr6_v4translated_prefix[12] = { [8] = 0xff, [9] = 0xff };
/* RFC 6052 §2.1 well-known NAT64 prefix 64:ff9b::/96. */
static const uint8_t addr6_nat64_prefix[12] = { 0x00, 0x64, 0xff, 0x9b };

static int addr_hex_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Strict dotted quad over exactly len bytes at s (no NUL needed). */
static int addr4_parse(const char *s, size_t len, uint8_t out[4])
{
	uint8_t a[4];
	size_t i = 0;
	int part;

	for (part = 0; part < 4; part++) {
		size_t start = i;
		unsigned v = 0;

		if (part > 0) {
			if (i >= len || s[i] != '.')
				return -EINVAL;
			start = ++i;
		}
		while (i < len && s[i] >= '0' && s[i] <= '9' && i - start < 3)
			v = v * 10 + (unsigned)(s[i++] - '0');
		/* One to three digits; "0" alone but no other leading zero
		 * (which some parsers read as octal). */
		if (i == start || v > 255 || (s[start] == '0' && i - start > 1))
			return -EINVAL;
		a[part] = (uint8_t)v;
	}
	if (i != len)
		return -EINVAL;
	memcpy(out, a, 4);
	return 0;
}

/* Parses one hex group at s[*i ..); returns its value or -1 (not 1-4 hex
 * digits). */
static long addr6_parse_group(const char *s, size_t len, size_t *i)
{
	size_t start = *i;
	long v = 0;
	int d;

	while (*i < len && (d = addr_hex_value(s[*i])) >= 0) {
		if (*i - start == 4)
			return -1;
		v = v << 4 | d;
		(*i)++;
	}
	return *i == start ? -1 : v;
}

/* True when the piece at s[i ..) is a dotted IPv4 tail: hex-class digits
 * followed by a '.'. */
static bool addr6_piece_is_v4(const char *s, size_t len, size_t i)
{
	while (i < len && addr_hex_value(s[i]) >= 0)
		i++;
	return i < len && s[i] == '.';
}

/* Fills 8 groups from the n groups g[] with a "::" at index gap (-1: none). */
static int addr6_expand(const uint16_t g[8], int n, int gap, uint8_t out[16])
{
	int i, k = 0;

	/* RFC 4291 §2.2: "::" stands for one or more groups of zeros. */
	if (gap < 0 ? n != 8 : n > 7)
		return -EINVAL;
	for (i = 0; i < 8; i++) {
		uint16_t v = 0;
		if (gap < 0 || i < gap)
			v = g[k++];
		else if (i >= gap + (8 - n))
			v = g[k++];
		out[2 * i] = (uint8_t)(v >> 8);
		out[2 * i + 1] = (uint8_t)v;
	}
	return 0;
}

/* Parses an IPv6 address over exactly len bytes at s (RFC 4291 §2.2). */
static int addr6_parse(const char *s, size_t len, uint8_t out[16])
{
	uint16_t g[8];
	int n = 0, gap = -1;
	size_t i = 0;

	if (len >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		i = 2;
	}
	while (i < len) {
		long v;
		if (addr6_piece_is_v4(s, len, i)) {
			uint8_t v4[4];
			/* The dotted quad is the last piece and takes two groups. */
			if (n > 6 || addr4_parse(s + i, len - i, v4) != 0)
				return -EINVAL;
			g[n++] = (uint16_t)(v4[0] << 8 | v4[1]);
			g[n++] = (uint16_t)(v4[2] << 8 | v4[3]);
			break;
		}
		v = addr6_parse_group(s, len, &i);
		if (v < 0 || n == 8)
			return -EINVAL;
		g[n++] = (uint16_t)v;
		if (i == len)
			break;
		if (s[i++] != ':' || i == len) /* no trailing single ':' */
			return -EINVAL;
		if (s[i] == ':') {
			if (gap >= 0) /* at most one "::" */
				return -EINVAL;
			gap = n;
			i++;
		}
	}
	return addr6_expand(g, n, gap, out);
}

/* A zone is 1..DUET_ADDR_ZONE_MAX printable ASCII bytes without '%' or '/'
 * (the prefix separator of RFC 4007 §11.7). Returns its length or -EINVAL. */
static int addr_zone_check(const char *zone)
{
	size_t n;

	for (n = 0; zone[n]; n++) {
		unsigned char ch = (unsigned char)zone[n];
		if (n == DUET_ADDR_ZONE_MAX || ch <= 0x20 || ch >= 0x7f || ch == '%' ||
		    ch == '/')
			return -EINVAL;
	}
	return n ? (int)n : -EINVAL;
}

int duet_addr6_pton_zone(const char *s, uint8_t a[16], char *zone, size_t zone_size)
{
	const char *pct = strchr(s, '%');
	size_t alen = pct ? (size_t)(pct - s) : strlen(s);
	uint8_t tmp[16];
	int zlen = 0;

	if (addr6_parse(s, alen, tmp) != 0)
		return -EINVAL;
	if (pct) {
		zlen = addr_zone_check(pct + 1);
		if (zlen < 0 || !zone)
			return -EINVAL;
	}
	if (zone) {
		if ((size_t)zlen >= zone_size)
			return -ENOSPC;
		if (zlen)
			memcpy(zone, pct + 1, (size_t)zlen);
		zone[zlen] = '\0';
	}
	memcpy(a, tmp, 16);
	return 0;
}

int duet_addr6_pton(const char *s, uint8_t a[16])
{
	return duet_addr6_pton_zone(s, a, NULL, 0);
}

int duet_addr4_pton(const char *s, uint8_t a[4])
{
	return addr4_parse(s, strlen(s), a);
}

/* A bounded string writer: keeps writing past the end harmlessly and
 * remembers that it overflowed. */
struct addr_out {
	char *buf;
	size_t size;
	size_t len;
};

static void addr_out_char(struct addr_out *o, char ch)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = ch;
	o->len++;
}

static void addr_out_str(struct addr_out *o, const char *s)
{
	while (*s)
		addr_out_char(o, *s++);
}

static void addr_out_dec(struct addr_out *o, unsigned v)
{
	if (v >= 100)
		addr_out_char(o, (char)('0' + v / 100));
	if (v >= 10)
		addr_out_char(o, (char)('0' + v / 10 % 10));
	addr_out_char(o, (char)('0' + v % 10));
}

static void addr_out_hex(struct addr_out *o, unsigned v)
{
	static const char digits[] = "0123456789abcdef";
	int shift = 12;

	while (shift > 0 && (v >> shift) == 0) /* RFC 5952 §4.1: no leading zeros */
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		addr_out_char(o, digits[(v >> shift) & 0xf]);
}

/* NUL-terminates; returns the length, or -ENOSPC (buf "") on overflow. */
static int addr_out_end(struct addr_out *o)
{
	if (o->len >= o->size) {
		if (o->size)
			o->buf[0] = '\0';
		return -ENOSPC;
	}
	o->buf[o->len] = '\0';
	return (int)o->len;
}

static void addr_out_v4(struct addr_out *o, const uint8_t a[4])
{
	int i;

	for (i = 0; i < 4; i++) {
		if (i)
			addr_out_char(o, '.');
		addr_out_dec(o, a[i]);
	}
}

/* True when a is under a well-known prefix that embeds IPv4 in its low 32
 * bits (RFC 5952 §5). */
static bool addr6_has_embedded_v4(const uint8_t a[16])
{
	return memcmp(a, addr6_v4mapped_prefix, 12) == 0 ||
	       memcmp(a, addr6_v4translated_prefix, 12) == 0 ||
	       memcmp(a, addr6_nat64_prefix, 12) == 0;
}

/* Finds the longest run (>= 2) of zero groups among g[0 .. n), the first of
 * equal runs (RFC 5952 §4.2.1-4.2.3). Returns its start or -1; *run_len. */
static int addr6_longest_zero_run(const uint16_t *g, int n, int *run_len)
{
	int best = -1, best_len = 1, i = 0;

	while (i < n) {
		int j = i;
		while (j < n && g[j] == 0)
			j++;
		if (j - i > best_len) {
			best = i;
			best_len = j - i;
		}
		i = j > i ? j : i + 1;
	}
	*run_len = best_len;
	return best;
}

static void addr6_format(const uint8_t a[16], struct addr_out *o)
{
	bool mixed = addr6_has_embedded_v4(a);
	int n = mixed ? 6 : 8, i, run, run_len;
	uint16_t g[8];

	for (i = 0; i < 8; i++)
		g[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
	run = addr6_longest_zero_run(g, n, &run_len);
	for (i = 0; i < n; i++) {
		if (i == run) {
			addr_out_str(o, "::");
			i += run_len - 1;
			continue;
		}
		if (i > 0 && i != run + run_len)
			addr_out_char(o, ':');
		addr_out_hex(o, g[i]);
	}
	if (mixed) {
		if (run < 0 || run + run_len != n)
			addr_out_char(o, ':');
		addr_out_v4(o, a + 12);
	}
}

int duet_addr6_ntop_zone(const uint8_t a[16], const char *zone, char *buf, size_t size)
{
	struct addr_out o = { buf, size, 0 };

	if (zone && *zone && addr_zone_check(zone) < 0) {
		if (size)
			buf[0] = '\0';
		return -EINVAL;
	}
	addr6_format(a, &o);
	if (zone && *zone) {
		addr_out_char(&o, '%');
		addr_out_str(&o, zone);
	}
	return addr_out_end(&o);
}

int duet_addr6_ntop(const uint8_t a[16], char *buf, size_t size)
{
	return duet_addr6_ntop_zone(a, NULL, buf, size);
}

int duet_addr4_ntop(const uint8_t a[4], char *buf, size_t size)
{
	struct addr_out o = { buf, size, 0 };

	addr_out_v4(&o, a);
	return addr_out_end(&o);
}

int duet_addr_zone_index(const char *zone, uint32_t *index)
{
	uint64_t v = 0;
	size_t i;

	if (zone[0] == '\0' || (zone[0] == '0' && zone[1] != '\0'))
		return -EINVAL;
	for (i = 0; zone[i]; i++) {
		if (zone[i] < '0' || zone[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(zone[i] - '0');
		if (v > UINT32_MAX)
			return -EINVAL;
	}
	*index = (uint32_t)v;
	return 0;
}

void duet_addr6_set_v4mapped(uint8_t a6[16], const uint8_t a4[4])
{
	uint8_t v4[4];

	memcpy(v4, a4, 4); /* a4 may point into a6 */
	memcpy(a6, addr6_v4mapped_prefix, 12);
	memcpy(a6 + 12, v4, 4);
}

bool duet_addr6_is_v4mapped(const uint8_t a[16])
{
	return memcmp(a, addr6_v4mapped_prefix, 12) == 0;
}

int duet_addr6_get_v4mapped(const uint8_t a6[16], uint8_t a4[4])
{
	if (!duet_addr6_is_v4mapped(a6))
		return -EINVAL;
	memmove(a4, a6 + 12, 4);
	return 0;
}

bool duet_addr6_is_unspecified(const uint8_t a[16])
{
	static const uint8_t zero[16];
	return memcmp(a, zero, 16) == 0;
}

bool duet_addr6_is_loopback(const uint8_t a[16])
{
	static const uint8_t one[16] = { [15] = 1 };
	return memcmp(a, one, 16) == 0;
}

bool duet_addr6_is_linklocal(const uint8_t a[16])
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

bool duet_addr6_is_sitelocal(const uint8_t a[16])
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0xc0;
}

bool duet_addr6_is_ula(const uint8_t a[16])
{
	return (a[0] & 0xfe) == 0xfc;
}

bool duet_addr6_is_multicast(const uint8_t a[16])
{
	return a[0] == 0xff;
}

int duet_addr6_mcast_scope(const uint8_t a[16])
{
	return duet_addr6_is_multicast(a) ? a[1] & 0x0f : -EINVAL;
}

int duet_addr6_mcast_flags(const uint8_t a[16])
{
	return duet_addr6_is_multicast(a) ? a[1] >> 4 : -EINVAL;
}

int duet_addr6_scope(const uint8_t a[16])
{
	if (duet_addr6_is_multicast(a))
		return a[1] & 0x0f;
	if (duet_addr6_is_linklocal(a) || duet_addr6_is_loopback(a))
		return DUET_SCOPE_LINK;
	if (duet_addr6_is_sitelocal(a))
		return DUET_SCOPE_SITE;
	/* RFC 6724 §3.2: IPv4 loopback and auto-configuration addresses are
	 * link-local; all other IPv4 addresses, RFC 1918 ones included, are
	 * global. */
	if (duet_addr6_is_v4mapped(a) &&
	    (duet_addr4_is_loopback(a + 12) || duet_addr4_is_linklocal(a + 12)))
		return DUET_SCOPE_LINK;
	return DUET_SCOPE_GLOBAL;
}

void duet_addr6_solicited_node(const uint8_t a[16], uint8_t out[16])
{
	uint8_t low[3] = { a[13], a[14], a[15] };

	memset(out, 0, 16);
	out[0] = 0xff;
	out[1] = 0x02;
	out[11] = 0x01;
	out[12] = 0xff;
	memcpy(out + 13, low, 3);
}

bool duet_addr6_is_solicited_node(const uint8_t a[16])
{
	static const uint8_t prefix[13] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff };
	return memcmp(a, prefix, 13) == 0;
}

bool duet_addr4_is_unspecified(const uint8_t a[4])
{
	return (a[0] | a[1] | a[2] | a[3]) == 0;
}

bool duet_addr4_is_loopback(const uint8_t a[4])
{
	return a[0] == 127;
}

bool duet_addr4_is_private(const uint8_t a[4])
{
	return a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
	       (a[0] == 192 && a[1] == 168);
}

bool duet_addr4_is_linklocal(const uint8_t a[4])
{
	return a[0] == 169 && a[1] == 254;
}

bool duet_addr4_is_multicast(const uint8_t a[4])
{
	return (a[0] & 0xf0) == 0xe0;
}

bool duet_addr4_is_broadcast(const uint8_t a[4])
{
	return (a[0] & a[1] & a[2] & a[3]) == 0xff;
}

bool duet_addr4_is_directed_broadcast(const uint8_t a[4], const uint8_t net[4],
				      unsigned plen)
{
	uint32_t host_bits;

	if (plen > 30 || !duet_addr_prefix_eq(a, net, plen))
		return false;
	host_bits = 0xffffffffu >> plen;
	return (duet_get_be32(a) & host_bits) == host_bits;
}

unsigned duet_addr_common_prefix_len(const uint8_t *a, const uint8_t *b, size_t nbytes)
{
	size_t i;

	for (i = 0; i < nbytes; i++) {
		unsigned x = (unsigned)(a[i] ^ b[i]);
		if (x)
			return (unsigned)(i * 8) + (unsigned)__builtin_clz(x) - 24;
	}
	return (unsigned)(nbytes * 8);
}

bool duet_addr_prefix_eq(const uint8_t *a, const uint8_t *b, unsigned plen)
{
	size_t whole = plen / 8;
	unsigned rest = plen % 8;

	if (memcmp(a, b, whole) != 0)
		return false;
	return rest == 0 || ((a[whole] ^ b[whole]) & (0xff00u >> rest) & 0xff) == 0;
}

void duet_addr_prefix_mask(uint8_t *a, size_t nbytes, unsigned plen)
{
	size_t whole = plen / 8;

	if (whole >= nbytes)
		return;
	a[whole] &= (uint8_t)(0xff00u >> (plen % 8));
	memset(a + whole + 1, 0, nbytes - whole - 1);
}
