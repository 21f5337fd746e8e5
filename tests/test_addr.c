/* Tests for address text and classes (foundation, issue 2; DS-9's v4-mapped
 * helpers; the RFC 6724 scopes N-6 builds on): RFC 4291 §2.2 text forms,
 * RFC 5952 canonical output, RFC 4007 §11 zones, strict IPv4 dotted quads,
 * RFC 4291 / RFC 7346 / RFC 6724 classes and scopes; compared with glibc
 * where the RFCs and glibc agree. */
#include "check.h"

#include <duet/addr.h>
#include <duet/random.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>

/* Parses a 32-hex-digit (or "xx xx ..." spaced) address for the tables. */
static void hex16(const char *hex, uint8_t a[16])
{
	size_t n = check_hex(hex, a, 16);
	CHECK_EQ(n, 16);
}

/* Expects s to parse (duet and glibc alike) to the address text canon
 * formats to, and to format exactly as canon. */
static void expect_canon(const char *s, const char *canon)
{
	uint8_t a[16], g[16];
	char out[DUET_ADDR6_STRLEN];
	int r = duet_addr6_pton(s, a);

	if (r != 0) {
		check_fail(__FILE__, __LINE__, "\"%s\" did not parse (%d)", s, r);
		return;
	}
	CHECK_EQ(inet_pton(AF_INET6, s, g), 1);
	CHECK_MEM(a, g, 16);
	CHECK_EQ(duet_addr6_ntop(a, out, sizeof out), (long long)strlen(canon));
	if (strcmp(out, canon) != 0)
		check_fail(__FILE__, __LINE__, "\"%s\" formats as \"%s\", want \"%s\"", s, out,
			   canon);
}

TEST(addr6_rfc5952_examples)
{
	/* §2.1: eight spellings of one address. */
	static const char *const same[] = {
		"2001:db8:0:0:1:0:0:1", "2001:0db8:0:0:1:0:0:1", "2001:db8::1:0:0:1",
		"2001:db8::0:1:0:0:1", "2001:0db8::1:0:0:1", "2001:db8:0:0:1::1",
		"2001:db8:0000:0:1::1", "2001:DB8:0:0:1::1",
	};
	size_t i;

	for (i = 0; i < sizeof same / sizeof same[0]; i++)
		expect_canon(same[i], "2001:db8::1:0:0:1");
	expect_canon("2001:db8:aaaa:bbbb:cccc:dddd:eeee:0001",
		     "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1");       /* §4.1 leading zeros */
	expect_canon("2001:0db8::0001", "2001:db8::1");            /* §4.1 */
	expect_canon("2001:db8:0:0:0:0:2:1", "2001:db8::2:1");     /* §4.2.1 longest */
	expect_canon("2001:db8::0:1", "2001:db8::1");              /* §4.2.1 all of it */
	expect_canon("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"); /* §4.2.2 one group */
	expect_canon("2001:0:0:1:0:0:0:1", "2001:0:0:1::1");       /* §4.2.3 longest */
	expect_canon("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"); /* §4.2.3 first tie */
	expect_canon("2001:DB8:0:0:0:0:0:ABCD", "2001:db8::abcd"); /* §4.3 lowercase */
	expect_canon("0:0:0:0:0:ffff:192.0.2.1", "::ffff:192.0.2.1"); /* §5 */
	expect_canon("::ffff:c000:201", "::ffff:192.0.2.1");
	expect_canon("0:0:0:0:0:0:0:0", "::");
	expect_canon("0:0:0:0:0:0:0:1", "::1");
	expect_canon("1:0:0:0:0:0:0:0", "1::");
	expect_canon("1:0:0:0:0:0:0:1", "1::1");
	expect_canon("0:1:0:1:0:1:0:1", "0:1:0:1:0:1:0:1");
	expect_canon("0:0:1:0:0:1:0:0", "::1:0:0:1:0:0");
	expect_canon("1:0:0:2:0:0:0:3", "1:0:0:2::3");
	expect_canon("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		     "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

TEST(addr6_embedded_ipv4_forms)
{
	/* RFC 5952 §5: mixed notation under well-known IPv4-embedding prefixes;
	 * compression applies to the hex part only. glibc's inet_ntop differs:
	 * it prints the deprecated IPv4-compatible form "::1.2.3.4" and prints
	 * IPv4-translated and NAT64 addresses in hex. */
	expect_canon("::ffff:0.0.0.0", "::ffff:0.0.0.0");
	expect_canon("::ffff:255.255.255.255", "::ffff:255.255.255.255");
	{
		uint8_t a[16];
		char out[DUET_ADDR6_STRLEN];
		static const struct { const char *in, *out; } t[] = {
			{ "::ffff:0:1.2.3.4", "::ffff:0:1.2.3.4" },  /* RFC 2765 translated */
			{ "0:0:0:0:ffff:0:102:304", "::ffff:0:1.2.3.4" },
			{ "64:ff9b::1.2.3.4", "64:ff9b::1.2.3.4" },  /* RFC 6052 NAT64 */
			{ "64:ff9b:0:0:0:0:c000:221", "64:ff9b::192.0.2.33" },
			{ "::1.2.3.4", "::102:304" }, /* IPv4-compatible: hex */
			{ "::0.0.0.1", "::1" },
			{ "64:ff9b:1::1.2.3.4", "64:ff9b:1::102:304" }, /* not well-known */
		};
		size_t i;

		for (i = 0; i < sizeof t / sizeof t[0]; i++) {
			CHECK_EQ(duet_addr6_pton(t[i].in, a), 0);
			CHECK(duet_addr6_ntop(a, out, sizeof out) > 0);
			CHECK_STR(out, t[i].out);
		}
	}
}

TEST(addr6_rfc4291_text_forms)
{
	/* RFC 4291 §2.2: preferred, compressed and mixed forms. */
	static const struct { const char *text, *hex; } t[] = {
		{ "ABCD:EF01:2345:6789:ABCD:EF01:2345:6789", "abcdef0123456789abcdef0123456789" },
		{ "2001:DB8:0:0:8:800:200C:417A", "20010db80000000000080800200c417a" },
		{ "2001:DB8::8:800:200C:417A", "20010db80000000000080800200c417a" },
		{ "FF01:0:0:0:0:0:0:101", "ff010000000000000000000000000101" },
		{ "FF01::101", "ff010000000000000000000000000101" },
		{ "0:0:0:0:0:0:0:1", "00000000000000000000000000000001" },
		{ "::1", "00000000000000000000000000000001" },
		{ "0:0:0:0:0:0:0:0", "00000000000000000000000000000000" },
		{ "::", "00000000000000000000000000000000" },
		{ "0:0:0:0:0:0:13.1.68.3", "0000000000000000000000000d014403" },
		{ "0:0:0:0:0:FFFF:129.144.52.38", "00000000000000000000ffff81903426" },
		{ "::13.1.68.3", "0000000000000000000000000d014403" },
		{ "::FFFF:129.144.52.38", "00000000000000000000ffff81903426" },
		{ "1:2:3:4:5:6:7::", "00010002000300040005000600070000" },
		{ "::2:3:4:5:6:7:8", "00000002000300040005000600070008" },
		{ "1::8", "00010000000000000000000000000008" },
		{ "1:2:3:4:5:6::8", "00010002000300040005000600000008" },
		{ "1:2:3:4:5:6:1.2.3.4", "00010002000300040005000601020304" },
		{ "1::6:1.2.3.4", "00010000000000000000000601020304" },
		{ "1:2:3:4:5::1.2.3.4", "00010002000300040005000001020304" },
		{ "0000:0000:0000:0000:0000:0000:0000:0000", "00000000000000000000000000000000" },
		{ "fe80::1:2", "fe800000000000000000000000010002" },
		{ "aBcD::eF", "abcd00000000000000000000000000ef" },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		uint8_t want[16], got[16], g[16];
		hex16(t[i].hex, want);
		CHECK_EQ(duet_addr6_pton(t[i].text, got), 0);
		CHECK_MEM(got, want, 16);
		CHECK_EQ(inet_pton(AF_INET6, t[i].text, g), 1);
		CHECK_MEM(g, want, 16);
	}
}

TEST(addr6_invalid_strings)
{
	static const char *const bad[] = {
		"", ":", ":::", "::::", "1::2::3", "1::2::", "::1::", "12345::", "::12345",
		"1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", ":1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:",
		":1::2", "1::2:", "1:::2", "1:2:3:4:5:6:7::8", "::1:2:3:4:5:6:7:8",
		"1:2:3:4:5:6:7:8::", "::0:0:0:0:0:0:0:0", "g::", "::g", "::-1", "-1::",
		"+1::", "0x1::", " ::1", "::1 ", ":: 1", "[::1]", "::1/128", "::1%eth0",
		"1.2.3.4", "::ffff:1.2.3", "::ffff:1.2.3.4.5", "::ffff:1.2.3.256",
		"::ffff:01.2.3.4", "::ffff:1.2.3.04", "::ffff:1..3.4", "::ffff:.1.2.3",
		"::ffff:1.2.3.", "::1.2.3.4:5", "::1.2.3.4::", "1.2.3.4::", "::a.2.3.4",
		"1:2:3:4:5:6:7:1.2.3.4", "1:2:3:4:5:6:7:8:1.2.3.4", "::ffff:1.2.3.4:1.2.3.4",
		"1:2:3:4:5::6:1.2.3.4", "::ffff:0x1.2.3.4", "::1:", "1:", ":1", "1",
		"fffff::1", "::1:fffff", "1:2:3:4:5:6:7:8%", "::%", "%eth0", "::1.2.3.4%",
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t a[16], g[16];
		memset(a, 0xa5, 16);
		if (duet_addr6_pton(bad[i], a) != -EINVAL)
			check_fail(__FILE__, __LINE__, "\"%s\" was accepted", bad[i]);
		CHECK_EQ(a[0] & a[15], 0xa5); /* unchanged */
		/* glibc rejects every one of them too. */
		if (inet_pton(AF_INET6, bad[i], g) != 0)
			check_fail(__FILE__, __LINE__, "glibc accepts \"%s\"", bad[i]);
	}
}

/* A random address with runs of zero groups, so that compression varies. */
static void random_addr6(struct duet_rng *rng, uint8_t a[16])
{
	int i;

	duet_rng_fill(rng, a, 16);
	for (i = 0; i < 8; i++) {
		uint32_t pick = duet_rng_below(rng, 4);
		if (pick == 0)
			a[2 * i] = a[2 * i + 1] = 0;
		else if (pick == 1)
			a[2 * i] = 0; /* a short group */
	}
	if (duet_rng_below(rng, 8) == 0)
		memset(a, 0, 10 + duet_rng_below(rng, 3)); /* toward the v4 prefixes */
}

/* True where RFC 5952 §5 (as duet reads it) and glibc's inet_ntop differ:
 * ::/96 (glibc prints dotted), ::ffff:0:0:0/96 and 64:ff9b::/96 (duet does). */
static bool glibc_formats_differently(const uint8_t a[16])
{
	static const uint8_t zero[12];
	static const uint8_t xlat[12] = { [8] = 0xff, [9] = 0xff };
	static const uint8_t nat64[12] = { 0x00, 0x64, 0xff, 0x9b };

	return memcmp(a, zero, 12) == 0 || memcmp(a, xlat, 12) == 0 ||
	       memcmp(a, nat64, 12) == 0;
}

TEST(addr6_round_trip_and_glibc)
{
	struct duet_rng rng;
	int i, same = 0;

	duet_rng_seed(&rng, 5952);
	for (i = 0; i < 20000; i++) {
		uint8_t a[16], b[16];
		char out[DUET_ADDR6_STRLEN], gout[INET6_ADDRSTRLEN];
		int n;

		random_addr6(&rng, a);
		n = duet_addr6_ntop(a, out, sizeof out);
		CHECK(n > 0 && n < DUET_ADDR6_STRLEN);
		CHECK_EQ(duet_addr6_pton(out, b), 0);
		CHECK_MEM(a, b, 16);
		CHECK_EQ(inet_pton(AF_INET6, out, b), 1);
		CHECK_MEM(a, b, 16);
		if (glibc_formats_differently(a))
			continue;
		CHECK(inet_ntop(AF_INET6, a, gout, sizeof gout) != NULL);
		CHECK_STR(out, gout);
		same++;
	}
	CHECK(same > 15000);
}

/* Formats with every buffer size below and at the need; a canary after the
 * buffer must survive and short buffers give -ENOSPC and "". */
static void check_no_overrun(int (*fmt)(const void *, char *, size_t), const void *a)
{
	char full[128], buf[130];
	int len = fmt(a, full, sizeof full);
	size_t size;

	CHECK(len > 0);
	for (size = 0; size <= (size_t)len + 1; size++) {
		int r;
		memset(buf, '#', sizeof buf);
		r = fmt(a, buf, size);
		CHECK_EQ(buf[size], '#');
		if (size <= (size_t)len) {
			CHECK_EQ(r, -ENOSPC);
			if (size)
				CHECK_EQ(buf[0], '\0');
		} else {
			CHECK_EQ(r, len);
			CHECK_STR(buf, full);
		}
	}
}

static int fmt6(const void *a, char *buf, size_t size)
{
	return duet_addr6_ntop(a, buf, size);
}

static int fmt6_zone(const void *a, char *buf, size_t size)
{
	return duet_addr6_ntop_zone(a, "eth0.100", buf, size);
}

static int fmt4(const void *a, char *buf, size_t size)
{
	return duet_addr4_ntop(a, buf, size);
}

TEST(addr_format_never_overruns)
{
	static const char *const texts[] = {
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::ffff:255.255.255.255",
		"::", "2001:db8::1", "::ffff:0:255.255.255.255",
	};
	const uint8_t v4[4] = { 255, 255, 255, 255 }, v4b[4] = { 1, 0, 0, 1 };
	size_t i;

	for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		uint8_t a[16];
		CHECK_EQ(duet_addr6_pton(texts[i], a), 0);
		check_no_overrun(fmt6, a);
		check_no_overrun(fmt6_zone, a);
	}
	check_no_overrun(fmt4, v4);
	check_no_overrun(fmt4, v4b);
	{
		/* The longest outputs fit the documented sizes. */
		uint8_t a[16];
		char b6[DUET_ADDR6_STRLEN], bz[DUET_ADDR6_ZSTRLEN];
		char zone[DUET_ADDR_ZONE_MAX + 1];

		memset(zone, 'z', DUET_ADDR_ZONE_MAX);
		zone[DUET_ADDR_ZONE_MAX] = '\0';
		CHECK_EQ(duet_addr6_pton("::ffff:0:255.255.255.255", a), 0);
		CHECK_EQ(duet_addr6_ntop(a, b6, sizeof b6), 24);
		memset(a, 0xff, 16);
		CHECK_EQ(duet_addr6_ntop(a, b6, sizeof b6), 39);
		CHECK_EQ(duet_addr6_ntop_zone(a, zone, bz, sizeof bz), 40 + DUET_ADDR_ZONE_MAX);
	}
}

TEST(addr6_zones)
{
	uint8_t a[16], want[16];
	char zone[DUET_ADDR_ZONE_MAX + 1], out[DUET_ADDR6_ZSTRLEN], longz[64];
	uint32_t idx;

	hex16("fe800000000000000000000000000001", want);
	CHECK_EQ(duet_addr6_pton_zone("fe80::1%eth0", a, zone, sizeof zone), 0);
	CHECK_MEM(a, want, 16);
	CHECK_STR(zone, "eth0");
	CHECK_EQ(duet_addr_zone_index(zone, &idx), -EINVAL); /* a name */
	CHECK_EQ(duet_addr6_ntop_zone(a, zone, out, sizeof out), 12);
	CHECK_STR(out, "fe80::1%eth0");
	CHECK_EQ(duet_addr6_pton_zone("FE80:0:0:0:0:0:0:1%2", a, zone, sizeof zone), 0);
	CHECK_STR(zone, "2");
	CHECK_EQ(duet_addr_zone_index(zone, &idx), 0);
	CHECK_EQ(idx, 2);
	CHECK_EQ(duet_addr_zone_index("4294967295", &idx), 0);
	CHECK_EQ(idx, 4294967295u);
	CHECK_EQ(duet_addr_zone_index("4294967296", &idx), -EINVAL);
	CHECK_EQ(duet_addr_zone_index("02", &idx), -EINVAL);
	CHECK_EQ(duet_addr_zone_index("", &idx), -EINVAL);
	CHECK_EQ(duet_addr6_pton_zone("ff02::1%en0", a, zone, sizeof zone), 0);
	CHECK_EQ(duet_addr6_pton_zone("::ffff:1.2.3.4%3", a, zone, sizeof zone), 0);
	CHECK_STR(zone, "3");
	/* No zone in the text: an empty zone. */
	CHECK_EQ(duet_addr6_pton_zone("fe80::1", a, zone, sizeof zone), 0);
	CHECK_STR(zone, "");
	CHECK_EQ(duet_addr6_ntop_zone(a, zone, out, sizeof out), 7);
	/* Malformed zones. */
	CHECK_EQ(duet_addr6_pton_zone("fe80::1%", a, zone, sizeof zone), -EINVAL);
	CHECK_EQ(duet_addr6_pton_zone("fe80::1%eth0%1", a, zone, sizeof zone), -EINVAL);
	CHECK_EQ(duet_addr6_pton_zone("fe80::1%eth 0", a, zone, sizeof zone), -EINVAL);
	CHECK_EQ(duet_addr6_pton_zone("fe80::1%eth0/64", a, zone, sizeof zone), -EINVAL);
	CHECK_EQ(duet_addr6_pton_zone("fe80::1%\x7f", a, zone, sizeof zone), -EINVAL);
	CHECK_EQ(duet_addr6_pton_zone("%eth0", a, zone, sizeof zone), -EINVAL);
	CHECK_EQ(duet_addr6_pton_zone("fe80::1::%eth0", a, zone, sizeof zone), -EINVAL);
	CHECK_EQ(duet_addr6_pton_zone("fe80::1%eth0", a, NULL, 0), -EINVAL);
	CHECK_EQ(duet_addr6_ntop_zone(a, "bad zone", out, sizeof out), -EINVAL);
	/* Longest zone accepted; one more is malformed; a short buffer is ENOSPC. */
	strcpy(longz, "fe80::1%");
	memset(longz + 8, 'x', DUET_ADDR_ZONE_MAX);
	longz[8 + DUET_ADDR_ZONE_MAX] = '\0';
	CHECK_EQ(duet_addr6_pton_zone(longz, a, zone, sizeof zone), 0);
	CHECK_EQ(strlen(zone), DUET_ADDR_ZONE_MAX);
	memset(zone, '#', sizeof zone);
	CHECK_EQ(duet_addr6_pton_zone(longz, a, zone, 8), -ENOSPC);
	CHECK_EQ(zone[0], '#');
	strcat(longz, "x");
	CHECK_EQ(duet_addr6_pton_zone(longz, a, zone, sizeof zone), -EINVAL);
}

TEST(addr4_strict_dotted_quad)
{
	static const struct { const char *text; uint8_t a[4]; } good[] = {
		{ "0.0.0.0", { 0, 0, 0, 0 } },         { "255.255.255.255", { 255, 255, 255, 255 } },
		{ "192.0.2.1", { 192, 0, 2, 1 } },     { "10.0.0.255", { 10, 0, 0, 255 } },
		{ "1.20.100.0", { 1, 20, 100, 0 } },   { "127.0.0.1", { 127, 0, 0, 1 } },
	};
	static const char *const bad[] = {
		"", "1.2.3.4.5", "01.2.3.4", "1.2.3", "1.2.3.", "1.2.3.4.", ".1.2.3", ".1.2.3.4",
		"256.1.1.1", "1.2.3.256", "0x1.2.3.4", "1.2.3.0x4", "127.1", "2130706433",
		"1..2.3", "1.2.3.4 ", " 1.2.3.4", "1.2.3.-4", "+1.2.3.4", "00.1.2.3",
		"1.2.3.00", "1.2.3.4/24", "1.2.3.1000", "1234.1.1.1", "1.2.3.a", "0377.0.0.1",
		"1.2.3.4%eth0", "1.2.3.4:80", "::1", "999.999.999.999",
	};
	size_t i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		uint8_t a[4], g[4];
		char out[DUET_ADDR4_STRLEN];
		CHECK_EQ(duet_addr4_pton(good[i].text, a), 0);
		CHECK_MEM(a, good[i].a, 4);
		CHECK_EQ(inet_pton(AF_INET, good[i].text, g), 1);
		CHECK_MEM(g, a, 4);
		CHECK_EQ(duet_addr4_ntop(a, out, sizeof out), (long long)strlen(good[i].text));
		CHECK_STR(out, good[i].text);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t a[4] = { 9, 9, 9, 9 }, g[4];
		if (duet_addr4_pton(bad[i], a) != -EINVAL)
			check_fail(__FILE__, __LINE__, "\"%s\" was accepted", bad[i]);
		CHECK_EQ(a[0], 9);
		if (inet_pton(AF_INET, bad[i], g) != 0)
			check_fail(__FILE__, __LINE__, "glibc accepts \"%s\"", bad[i]);
	}
}

TEST(addr4_round_trip_and_glibc)
{
	struct duet_rng rng;
	int i;

	duet_rng_seed(&rng, 791);
	for (i = 0; i < 20000; i++) {
		uint8_t a[4], b[4];
		char out[DUET_ADDR4_STRLEN], gout[INET_ADDRSTRLEN];
		duet_rng_fill(&rng, a, 4);
		if (i & 1)
			a[duet_rng_below(&rng, 4)] = (uint8_t)duet_rng_below(&rng, 12);
		CHECK(duet_addr4_ntop(a, out, sizeof out) > 0);
		CHECK(inet_ntop(AF_INET, a, gout, sizeof gout) != NULL);
		CHECK_STR(out, gout);
		CHECK_EQ(duet_addr4_pton(out, b), 0);
		CHECK_MEM(a, b, 4);
	}
}

TEST(addr6_v4mapped_conversions)
{
	const uint8_t v4[4] = { 192, 0, 2, 1 };
	uint8_t a[16], want[16], back[4] = { 0 };

	hex16("00000000000000000000ffffc0000201", want);
	duet_addr6_set_v4mapped(a, v4);
	CHECK_MEM(a, want, 16);
	CHECK(duet_addr6_is_v4mapped(a));
	CHECK_EQ(duet_addr6_get_v4mapped(a, back), 0);
	CHECK_MEM(back, v4, 4);
	a[9] = 1;
	CHECK(!duet_addr6_is_v4mapped(a));
	CHECK_EQ(duet_addr6_get_v4mapped(a, back), -EINVAL);
	/* In place: the IPv4 address already sits in the low bytes. */
	memcpy(a + 12, v4, 4);
	duet_addr6_set_v4mapped(a, a + 12);
	CHECK_MEM(a, want, 16);
	CHECK_EQ(duet_addr6_pton("::ffff:0:c000:201", a), 0); /* translated, not mapped */
	CHECK(!duet_addr6_is_v4mapped(a));
}

/* One row of the IPv6 class table; scope6724 is duet_addr6_scope. */
struct class6_row {
	const char *text;
	bool unspec, loop, ll, sl, ula, mcast;
	int mscope, scope6724;
};

TEST(addr6_classes_and_scopes)
{
	static const struct class6_row t[] = {
		{ "::", 1, 0, 0, 0, 0, 0, -EINVAL, DUET_SCOPE_GLOBAL },
		{ "::1", 0, 1, 0, 0, 0, 0, -EINVAL, DUET_SCOPE_LINK },
		{ "::2", 0, 0, 0, 0, 0, 0, -EINVAL, DUET_SCOPE_GLOBAL },
		{ "fe80::1", 0, 0, 1, 0, 0, 0, -EINVAL, DUET_SCOPE_LINK },
		{ "febf:ffff::1", 0, 0, 1, 0, 0, 0, -EINVAL, DUET_SCOPE_LINK },
		{ "fec0::1", 0, 0, 0, 1, 0, 0, -EINVAL, DUET_SCOPE_SITE },
		{ "fe7f::1", 0, 0, 0, 0, 0, 0, -EINVAL, DUET_SCOPE_GLOBAL },
		{ "fc00::1", 0, 0, 0, 0, 1, 0, -EINVAL, DUET_SCOPE_GLOBAL },
		{ "fd12:3456::1", 0, 0, 0, 0, 1, 0, -EINVAL, DUET_SCOPE_GLOBAL },
		{ "2001:db8::1", 0, 0, 0, 0, 0, 0, -EINVAL, DUET_SCOPE_GLOBAL },
		{ "ff01::1", 0, 0, 0, 0, 0, 1, DUET_SCOPE_INTERFACE, DUET_SCOPE_INTERFACE },
		{ "ff02::1", 0, 0, 0, 0, 0, 1, DUET_SCOPE_LINK, DUET_SCOPE_LINK },
		{ "ff03::1", 0, 0, 0, 0, 0, 1, DUET_SCOPE_REALM, DUET_SCOPE_REALM },
		{ "ff04::1", 0, 0, 0, 0, 0, 1, DUET_SCOPE_ADMIN, DUET_SCOPE_ADMIN },
		{ "ff05::2", 0, 0, 0, 0, 0, 1, DUET_SCOPE_SITE, DUET_SCOPE_SITE },
		{ "ff08::1", 0, 0, 0, 0, 0, 1, DUET_SCOPE_ORG, DUET_SCOPE_ORG },
		{ "ff0e::101", 0, 0, 0, 0, 0, 1, DUET_SCOPE_GLOBAL, DUET_SCOPE_GLOBAL },
		{ "ff3e:40:2001:db8::1", 0, 0, 0, 0, 0, 1, DUET_SCOPE_GLOBAL, DUET_SCOPE_GLOBAL },
		{ "ff12::1:2", 0, 0, 0, 0, 0, 1, DUET_SCOPE_LINK, DUET_SCOPE_LINK },
		{ "ff00::", 0, 0, 0, 0, 0, 1, 0, 0 },
		{ "::ffff:127.0.0.1", 0, 0, 0, 0, 0, 0, -EINVAL, DUET_SCOPE_LINK },
		{ "::ffff:169.254.1.2", 0, 0, 0, 0, 0, 0, -EINVAL, DUET_SCOPE_LINK },
		{ "::ffff:10.1.2.3", 0, 0, 0, 0, 0, 0, -EINVAL, DUET_SCOPE_GLOBAL },
		{ "::ffff:192.0.2.1", 0, 0, 0, 0, 0, 0, -EINVAL, DUET_SCOPE_GLOBAL },
		{ "::ffff:224.0.0.1", 0, 0, 0, 0, 0, 0, -EINVAL, DUET_SCOPE_GLOBAL },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		uint8_t a[16];
		CHECK_EQ(duet_addr6_pton(t[i].text, a), 0);
		if (duet_addr6_is_unspecified(a) != t[i].unspec ||
		    duet_addr6_is_loopback(a) != t[i].loop ||
		    duet_addr6_is_linklocal(a) != t[i].ll ||
		    duet_addr6_is_sitelocal(a) != t[i].sl || duet_addr6_is_ula(a) != t[i].ula ||
		    duet_addr6_is_multicast(a) != t[i].mcast ||
		    duet_addr6_mcast_scope(a) != t[i].mscope ||
		    duet_addr6_scope(a) != t[i].scope6724)
			check_fail(__FILE__, __LINE__, "classes of %s", t[i].text);
		CHECK_EQ(duet_addr6_mcast_flags(a) >= 0, t[i].mcast);
	}
	{
		uint8_t a[16];
		CHECK_EQ(duet_addr6_pton("ff3e:40:2001:db8::1", a), 0);
		CHECK_EQ(duet_addr6_mcast_flags(a), 0x3); /* P and T (RFC 3306) */
	}
}

TEST(addr6_solicited_node)
{
	/* RFC 4291 §2.7.1: 4037::01:800:200E:8C6C -> FF02::1:FF0E:8C6C. */
	uint8_t a[16], s[16], want[16];

	CHECK_EQ(duet_addr6_pton("4037::01:800:200E:8C6C", a), 0);
	CHECK_EQ(duet_addr6_pton("FF02::1:FF0E:8C6C", want), 0);
	duet_addr6_solicited_node(a, s);
	CHECK_MEM(s, want, 16);
	CHECK(duet_addr6_is_solicited_node(s));
	CHECK(!duet_addr6_is_solicited_node(a));
	CHECK_EQ(duet_addr6_scope(s), DUET_SCOPE_LINK);
	duet_addr6_solicited_node(a, a); /* in place */
	CHECK_MEM(a, want, 16);
	CHECK_EQ(duet_addr6_pton("ff02::1:fe0e:8c6c", a), 0);
	CHECK(!duet_addr6_is_solicited_node(a));
}

TEST(addr4_classes)
{
	static const struct {
		uint8_t a[4];
		bool unspec, loop, priv, ll, mcast, bcast;
	} t[] = {
		{ { 0, 0, 0, 0 }, 1, 0, 0, 0, 0, 0 },
		{ { 127, 0, 0, 1 }, 0, 1, 0, 0, 0, 0 },
		{ { 127, 255, 255, 254 }, 0, 1, 0, 0, 0, 0 },
		{ { 10, 0, 0, 1 }, 0, 0, 1, 0, 0, 0 },
		{ { 172, 16, 0, 1 }, 0, 0, 1, 0, 0, 0 },
		{ { 172, 31, 255, 255 }, 0, 0, 1, 0, 0, 0 },
		{ { 172, 32, 0, 1 }, 0, 0, 0, 0, 0, 0 },
		{ { 172, 15, 0, 1 }, 0, 0, 0, 0, 0, 0 },
		{ { 192, 168, 1, 1 }, 0, 0, 1, 0, 0, 0 },
		{ { 192, 169, 1, 1 }, 0, 0, 0, 0, 0, 0 },
		{ { 169, 254, 7, 8 }, 0, 0, 0, 1, 0, 0 },
		{ { 169, 253, 7, 8 }, 0, 0, 0, 0, 0, 0 },
		{ { 224, 0, 0, 1 }, 0, 0, 0, 0, 1, 0 },
		{ { 239, 255, 255, 255 }, 0, 0, 0, 0, 1, 0 },
		{ { 240, 0, 0, 1 }, 0, 0, 0, 0, 0, 0 },
		{ { 255, 255, 255, 255 }, 0, 0, 0, 0, 0, 1 },
		{ { 192, 0, 2, 255 }, 0, 0, 0, 0, 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		const uint8_t *a = t[i].a;
		if (duet_addr4_is_unspecified(a) != t[i].unspec ||
		    duet_addr4_is_loopback(a) != t[i].loop ||
		    duet_addr4_is_private(a) != t[i].priv ||
		    duet_addr4_is_linklocal(a) != t[i].ll ||
		    duet_addr4_is_multicast(a) != t[i].mcast ||
		    duet_addr4_is_broadcast(a) != t[i].bcast)
			check_fail(__FILE__, __LINE__, "classes of %u.%u.%u.%u", a[0], a[1], a[2],
				   a[3]);
	}
}

TEST(addr4_directed_broadcast)
{
	const uint8_t net[4] = { 192, 0, 2, 0 };
	const uint8_t b24[4] = { 192, 0, 2, 255 }, b25[4] = { 192, 0, 2, 127 };
	const uint8_t h[4] = { 192, 0, 2, 254 }, other[4] = { 192, 0, 3, 255 };
	const uint8_t b30[4] = { 192, 0, 2, 3 };

	CHECK(duet_addr4_is_directed_broadcast(b24, net, 24));
	CHECK(!duet_addr4_is_directed_broadcast(b24, net, 25));
	CHECK(duet_addr4_is_directed_broadcast(b25, net, 25));
	CHECK(!duet_addr4_is_directed_broadcast(h, net, 24));
	CHECK(!duet_addr4_is_directed_broadcast(other, net, 24));
	CHECK(duet_addr4_is_directed_broadcast(other, net, 23));
	CHECK(duet_addr4_is_directed_broadcast(b30, net, 30));
	CHECK(!duet_addr4_is_directed_broadcast(b30, net, 31)); /* RFC 3021 */
	CHECK(!duet_addr4_is_directed_broadcast(net, net, 32));
}

TEST(addr_prefixes)
{
	uint8_t a[16], b[16], m[16], want[16];
	unsigned plen;

	CHECK_EQ(duet_addr6_pton("2001:db8:1:2::1", a), 0);
	CHECK_EQ(duet_addr6_pton("2001:db8:1:3::1", b), 0);
	CHECK_EQ(duet_addr_common_prefix_len(a, b, 16), 63);
	CHECK_EQ(duet_addr_common_prefix_len(a, a, 16), 128);
	CHECK_EQ(duet_addr_common_prefix_len(a, b, 0), 0);
	for (plen = 0; plen <= 128; plen++)
		CHECK_EQ(duet_addr_prefix_eq(a, b, plen), plen <= 63);
	memcpy(m, a, 16);
	duet_addr_prefix_mask(m, 16, 60);
	CHECK_EQ(duet_addr6_pton("2001:db8:1::", want), 0);
	CHECK_MEM(m, want, 16);
	duet_addr_prefix_mask(m, 16, 128);
	CHECK_MEM(m, want, 16);
	duet_addr_prefix_mask(m, 16, 0);
	CHECK(duet_addr6_is_unspecified(m));
	{
		const uint8_t x[4] = { 10, 1, 0x80, 0 }, y[4] = { 10, 1, 0xc0, 0 };
		uint8_t z[4] = { 10, 1, 0xff, 0xff };
		CHECK_EQ(duet_addr_common_prefix_len(x, y, 4), 17);
		CHECK(duet_addr_prefix_eq(x, y, 17));
		CHECK(!duet_addr_prefix_eq(x, y, 18));
		duet_addr_prefix_mask(z, 4, 17);
		CHECK_MEM(z, x, 4);
	}
}

TEST(addr_prefix_len_random)
{
	struct duet_rng rng;
	int i;

	duet_rng_seed(&rng, 6724);
	for (i = 0; i < 5000; i++) {
		uint8_t a[16], b[16];
		unsigned n = duet_rng_below(&rng, 129), k;
		duet_rng_fill(&rng, a, 16);
		memcpy(b, a, 16);
		if (n < 128)
			b[n / 8] ^= (uint8_t)(0x80 >> (n % 8)); /* first difference at bit n */
		CHECK_EQ(duet_addr_common_prefix_len(a, b, 16), n);
		k = duet_rng_below(&rng, 129);
		CHECK_EQ(duet_addr_prefix_eq(a, b, k), k <= n);
	}
}
