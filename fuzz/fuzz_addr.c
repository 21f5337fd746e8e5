/* Fuzz target: address text (RFC 4291 §2.2, RFC 5952, RFC 4007 §11). Whatever
 * parses must format, re-parse to the same address and zone, and format the
 * same again; strict IPv4 text is its own canonical form; results agree with
 * glibc's inet_pton (and inet_ntop outside the RFC 5952 §5 prefixes where
 * they differ on purpose). */
#include <duet/addr.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ::/96, ::ffff:0:0:0/96 and 64:ff9b::/96: glibc's dotted/hex choice
 * differs from duet's there (see duet_addr6_ntop). */
static int fuzz_glibc_differs(const uint8_t a[16])
{
	static const uint8_t zero[12];
	static const uint8_t xlat[12] = { [8] = 0xff, [9] = 0xff };
	static const uint8_t nat64[12] = { 0x00, 0x64, 0xff, 0x9b };

	return !memcmp(a, zero, 12) || !memcmp(a, xlat, 12) || !memcmp(a, nat64, 12);
}

static void fuzz_addr6(const char *s)
{
	uint8_t a[16], b[16], g[16];
	char zone[DUET_ADDR_ZONE_MAX + 1], zone2[DUET_ADDR_ZONE_MAX + 1];
	char t1[DUET_ADDR6_ZSTRLEN], t2[DUET_ADDR6_ZSTRLEN], gt[INET6_ADDRSTRLEN];
	int r = duet_addr6_pton_zone(s, a, zone, sizeof zone);

	/* Without a zone, duet and glibc accept exactly the same texts. */
	if (!strchr(s, '%') && (r == 0) != (inet_pton(AF_INET6, s, g) == 1))
		abort();
	if (r != 0)
		return;
	if (!strchr(s, '%') && memcmp(a, g, 16) != 0)
		abort();
	if (duet_addr6_ntop_zone(a, zone, t1, sizeof t1) < 0)
		abort();
	if (duet_addr6_pton_zone(t1, b, zone2, sizeof zone2) != 0 || memcmp(a, b, 16) != 0 ||
	    strcmp(zone, zone2) != 0)
		abort();
	if (duet_addr6_ntop_zone(b, zone2, t2, sizeof t2) < 0 || strcmp(t1, t2) != 0)
		abort();
	if (!fuzz_glibc_differs(a)) {
		if (duet_addr6_ntop(a, t2, sizeof t2) < 0 || !inet_ntop(AF_INET6, a, gt, sizeof gt) ||
		    strcmp(t2, gt) != 0)
			abort();
	}
	/* The classifiers must not misbehave on any address. */
	(void)duet_addr6_scope(a);
	(void)duet_addr6_mcast_flags(a);
	duet_addr6_solicited_node(a, b);
	if (!duet_addr6_is_solicited_node(b))
		abort();
}

static void fuzz_addr4(const char *s)
{
	uint8_t a[4], g[4];
	char t[DUET_ADDR4_STRLEN];
	int r = duet_addr4_pton(s, a);

	if ((r == 0) != (inet_pton(AF_INET, s, g) == 1))
		abort();
	if (r != 0)
		return;
	/* Strict dotted quads have one spelling: formatting gives the input. */
	if (memcmp(a, g, 4) != 0 || duet_addr4_ntop(a, t, sizeof t) < 0 || strcmp(s, t) != 0)
		abort();
}

static void fuzz_prefixes(const uint8_t *data, size_t size)
{
	uint8_t a[16] = { 0 }, b[16] = { 0 };
	unsigned n, plen;

	if (size < 33)
		return;
	memcpy(a, data, 16);
	memcpy(b, data + 16, 16);
	plen = data[32] % 129;
	n = duet_addr_common_prefix_len(a, b, 16);
	if (n > 128 || duet_addr_prefix_eq(a, b, plen) != (plen <= n))
		abort();
	duet_addr_prefix_mask(a, 16, plen);
	if (duet_addr_common_prefix_len(a, b, 16) < (plen < n ? plen : n))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[128];
	size_t n = size < sizeof s - 1 ? size : sizeof s - 1;

	memcpy(s, data, n);
	s[n] = '\0'; /* text ends at the first NUL byte, as C strings do */
	fuzz_addr6(s);
	fuzz_addr4(s);
	fuzz_prefixes(data, size);
	return 0;
}
