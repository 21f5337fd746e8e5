/* duet tests — ancillary data in the differential tables: a control
 * buffer built from a line of text, and a received one written back as
 * text, so one table line describes what both stacks are given and must
 * return.
 *
 * An object is "LEVEL.TYPE=KIND:VALUE", objects separated by spaces.
 * LEVEL: v6 (IPPROTO_IPV6), ip (IPPROTO_IP), sol (SOL_SOCKET) or a number;
 * TYPE a number. KIND:VALUE:
 *   i:N            an int            b:N      one octet
 *   pi6:ADDR@IFX   in6_pktinfo       pi4:IFX@SPEC   in_pktinfo (send side)
 *   sa6:ADDR%IFX   sockaddr_in6      hex:HEX  raw octets
 * IFX "M" is the host's main interface. A "/N" suffix sets cmsg_len to
 * CMSG_LEN(N) whatever the data (a malformed object). Received objects
 * are written the same way (IP_PKTINFO as pi4:IFX@SPEC@ADDR), and as
 * "cut:N" with N the data octets when cmsg_len says less than the
 * type's size. */
#include "sockdiff.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

static int sd_cm_level(const char *t, const char **end)
{
	char *e;
	long v;

	if (strncmp(t, "v6.", 3) == 0)
		return *end = t + 3, IPPROTO_IPV6;
	if (strncmp(t, "ip.", 3) == 0)
		return *end = t + 3, IPPROTO_IP;
	if (strncmp(t, "sol.", 4) == 0)
		return *end = t + 4, SOL_SOCKET;
	v = strtol(t, &e, 10);
	if (*e != '.')
		abort(); /* a table typo */
	*end = e + 1;
	return (int)v;
}

static unsigned sd_cm_ifx(const char *t, unsigned main_ifx)
{
	return t[0] == 'M' ? main_ifx : (unsigned)strtoul(t, NULL, 10);
}

static size_t sd_cm_hex(const char *t, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (t[0] && t[1] && t[0] != ' ' && n < cap) {
		char b[3] = { t[0], t[1], 0 };
		out[n++] = (uint8_t)strtoul(b, NULL, 16);
		t += 2;
	}
	return n;
}

/* The data of one object from "KIND:VALUE" (up to a space or '/'). */
static size_t sd_cm_data(const char *kv, uint8_t *d, size_t cap, unsigned main_ifx)
{
	char v[128], *at;
	size_t n = strcspn(kv, " /");
	const char *colon = memchr(kv, ':', n);

	if (!colon || n >= sizeof(v))
		abort(); /* a table typo */
	memcpy(v, colon + 1, n - (size_t)(colon + 1 - kv));
	v[n - (size_t)(colon + 1 - kv)] = '\0';
	if (strncmp(kv, "i:", 2) == 0) {
		int x = (int)strtol(v, NULL, 0);
		memcpy(d, &x, sizeof(x));
		return sizeof(x);
	}
	if (strncmp(kv, "b:", 2) == 0) {
		d[0] = (uint8_t)strtol(v, NULL, 0);
		return 1;
	}
	if (strncmp(kv, "pi6:", 4) == 0) {
		struct in6_pktinfo pi;
		memset(&pi, 0, sizeof(pi));
		at = strchr(v, '@');
		if (!at)
			abort();
		*at = '\0';
		if (inet_pton(AF_INET6, v, &pi.ipi6_addr) != 1)
			abort();
		pi.ipi6_ifindex = sd_cm_ifx(at + 1, main_ifx);
		memcpy(d, &pi, sizeof(pi));
		return sizeof(pi);
	}
	if (strncmp(kv, "pi4:", 4) == 0) {
		struct in_pktinfo pi;
		memset(&pi, 0, sizeof(pi));
		at = strchr(v, '@');
		if (!at)
			abort();
		*at = '\0';
		pi.ipi_ifindex = (int)sd_cm_ifx(v, main_ifx);
		if (inet_pton(AF_INET, at + 1, &pi.ipi_spec_dst) != 1)
			abort();
		memcpy(d, &pi, sizeof(pi));
		return sizeof(pi);
	}
	if (strncmp(kv, "sa6:", 4) == 0) {
		struct sockaddr_in6 sa;
		memset(&sa, 0, sizeof(sa));
		sa.sin6_family = AF_INET6;
		at = strchr(v, '%');
		if (at) {
			*at = '\0';
			sa.sin6_scope_id = sd_cm_ifx(at + 1, main_ifx);
		}
		if (inet_pton(AF_INET6, v, &sa.sin6_addr) != 1)
			abort();
		memcpy(d, &sa, sizeof(sa));
		return sizeof(sa);
	}
	if (strncmp(kv, "hex:", 4) == 0)
		return sd_cm_hex(kv + 4, d, cap);
	abort();
}

size_t sd_cm_build(const char *spec, unsigned main_ifx, uint8_t *buf, size_t cap)
{
	size_t len = 0;
	const char *t = spec;

	memset(buf, 0, cap);
	while (t && *t) {
		struct cmsghdr h;
		uint8_t d[512];
		const char *p;
		size_t n;

		while (*t == ' ')
			t++;
		if (!*t)
			break;
		memset(&h, 0, sizeof(h));
		h.cmsg_level = sd_cm_level(t, &p);
		h.cmsg_type = (int)strtol(p, (char **)&p, 10);
		if (*p++ != '=')
			abort();
		n = sd_cm_data(p, d, sizeof(d), main_ifx);
		h.cmsg_len = CMSG_LEN(n);
		p += strcspn(p, " /");
		if (*p == '/')
			h.cmsg_len = CMSG_LEN(strtoul(p + 1, (char **)&p, 10));
		if (len + CMSG_SPACE(n) > cap)
			abort();
		memcpy(buf + len, &h, sizeof(h));
		memcpy(buf + len + CMSG_LEN(0), d, n);
		len += CMSG_SPACE(n);
		t = p;
	}
	return len;
}

/* The size a received object of this kind has, 0: shown as hex. */
static size_t sd_cm_size(int level, int type)
{
	if (level == IPPROTO_IPV6 && (type == IPV6_PKTINFO || type == IPV6_2292PKTINFO))
		return sizeof(struct in6_pktinfo);
	if (level == IPPROTO_IPV6 && (type == IPV6_HOPLIMIT || type == IPV6_2292HOPLIMIT ||
				      type == IPV6_TCLASS))
		return sizeof(int);
	if (level == IPPROTO_IP && type == IP_PKTINFO)
		return sizeof(struct in_pktinfo);
	if (level == IPPROTO_IP && type == IP_TTL)
		return sizeof(int);
	if (level == IPPROTO_IP && type == IP_TOS)
		return 1;
	if (level == IPPROTO_IPV6 && type == IPV6_PATHMTU)
		return sizeof(struct ip6_mtuinfo);
	return 0;
}

static void sd_cm_ifx_out(unsigned ifx, unsigned main_ifx, char *out, size_t n)
{
	if (ifx == main_ifx)
		snprintf(out, n, "M");
	else
		snprintf(out, n, "%u", ifx);
}

void sd_cm_format(const uint8_t *ctl, size_t len, unsigned main_ifx, char *out, size_t n)
{
	size_t off = 0, k = 0;

	out[0] = '\0';
	while (off + sizeof(struct cmsghdr) <= len && k + 1 < n) {
		struct cmsghdr h;
		const uint8_t *d = ctl + off + CMSG_LEN(0);
		size_t dlen, want;
		char v[256], a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], ix[16];
		const char *lv;

		memcpy(&h, ctl + off, sizeof(h));
		if (h.cmsg_len < sizeof(h) || h.cmsg_len > len - off)
			break;
		dlen = h.cmsg_len - CMSG_LEN(0);
		want = sd_cm_size(h.cmsg_level, h.cmsg_type);
		lv = h.cmsg_level == IPPROTO_IPV6 ? "v6" : h.cmsg_level == IPPROTO_IP ? "ip" : "?";
		if (want && dlen < want) {
			snprintf(v, sizeof(v), "cut:%zu", dlen);
		} else if (want == sizeof(struct in6_pktinfo) && h.cmsg_level == IPPROTO_IPV6 &&
			   h.cmsg_type != IPV6_PATHMTU) {
			struct in6_pktinfo pi;
			memcpy(&pi, d, sizeof(pi));
			inet_ntop(AF_INET6, &pi.ipi6_addr, a, sizeof(a));
			sd_cm_ifx_out(pi.ipi6_ifindex, main_ifx, ix, sizeof(ix));
			snprintf(v, sizeof(v), "pi6:%s@%s", a, ix);
		} else if (h.cmsg_level == IPPROTO_IP && h.cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, d, sizeof(pi));
			inet_ntop(AF_INET, &pi.ipi_spec_dst, a, sizeof(a));
			inet_ntop(AF_INET, &pi.ipi_addr, b, sizeof(b));
			sd_cm_ifx_out((unsigned)pi.ipi_ifindex, main_ifx, ix, sizeof(ix));
			snprintf(v, sizeof(v), "pi4:%s@%s@%s", ix, a, b);
		} else if (want == sizeof(int)) {
			int x;
			memcpy(&x, d, sizeof(x));
			snprintf(v, sizeof(v), "i:%d", x);
		} else if (want == 1) {
			snprintf(v, sizeof(v), "b:%u", d[0]);
		} else if (want == sizeof(struct ip6_mtuinfo)) {
			struct ip6_mtuinfo mi;
			memcpy(&mi, d, sizeof(mi));
			inet_ntop(AF_INET6, &mi.ip6m_addr.sin6_addr, a, sizeof(a));
			snprintf(v, sizeof(v), "mtu:%s/%u", a, mi.ip6m_mtu);
		} else {
			size_t i, m = 0;
			m += (size_t)snprintf(v, sizeof(v), "hex:");
			for (i = 0; i < dlen && m + 3 < sizeof(v); i++)
				m += (size_t)snprintf(v + m, sizeof(v) - m, "%02x", d[i]);
		}
		k += (size_t)snprintf(out + k, n - k, "%s%s.%d=%s", k ? " " : "", lv, h.cmsg_type, v);
		off += CMSG_ALIGN(h.cmsg_len);
	}
}
