/* Tests for DS-9: the IPv4-mapped helpers on host types (the
 * IN6ADDR_SETV4MAPPED job of seed 000), the hosts table (add, hosts(5)
 * text, bad lines rejected whole), and duet_getaddrinfo(): every flag,
 * every error code, and a differential part that compares it entry by
 * entry with the host's glibc getaddrinfo() on numeric hosts and services
 * only (glibc is never handed a name it would look up: non-numeric nodes
 * always carry AI_NUMERICHOST, non-numeric services AI_NUMERICSERV). */
#include "check.h"

#include <duet/addr.h>
#include <duet/chanlink.h>
#include <duet/links.h>
#include <duet/net.h>
#include <duet/resolv.h>
#include <duet/stack.h>

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

/* --- helpers ------------------------------------------------------------------- */

static struct in6_addr in6(const char *s)
{
	struct in6_addr a;

	CHECK_EQ(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

static struct in_addr in4(const char *s)
{
	struct in_addr a;

	CHECK_EQ(inet_pton(AF_INET, s, &a), 1);
	return a;
}

/* The text of an entry: "f=10 st=1 pr=6 [::1]:80%0 canon". */
static void ai_str(const struct addrinfo *ai, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0, scope = 0;

	if (ai->ai_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)ai->ai_addr;

		inet_ntop(AF_INET6, &s->sin6_addr, a, sizeof(a));
		port = ntohs(s->sin6_port);
		scope = s->sin6_scope_id;
	} else if (ai->ai_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)ai->ai_addr;

		inet_ntop(AF_INET, &s->sin_addr, a, sizeof(a));
		port = ntohs(s->sin_port);
	}
	snprintf(buf, size, "f=%d st=%d pr=%d [%s]:%u%%%u %s", ai->ai_family, ai->ai_socktype,
		 ai->ai_protocol, a, port, scope, ai->ai_canonname ? ai->ai_canonname : "-");
}

/* Runs duet_getaddrinfo and renders the list as "entry | entry | ..." (or
 * "EAI n") into out. */
static int gai(const struct duet_hosts *h, const struct duet_stack *s, const char *node,
	       const char *svc, int family, int socktype, int flags, char *out, size_t size)
{
	struct addrinfo hints = { .ai_flags = flags, .ai_family = family, .ai_socktype = socktype };
	struct addrinfo *res = NULL, *p;
	size_t len = 0;
	int r = duet_getaddrinfo(h, s, node, svc, &hints, &res);

	out[0] = '\0';
	if (r) {
		snprintf(out, size, "EAI %d", r);
		return r;
	}
	for (p = res; p; p = p->ai_next) {
		char one[160];

		ai_str(p, one, sizeof(one));
		len += (size_t)snprintf(out + len, size - len, "%s%s", len ? " | " : "", one);
		if (len >= size)
			break;
	}
	duet_freeaddrinfo(res);
	return 0;
}

#define EXPECT_GAI(h, s, node, svc, fam, st, fl, want) do { \
	char got_[2048]; \
	gai((h), (s), (node), (svc), (fam), (st), (fl), got_, sizeof(got_)); \
	CHECK_STR(got_, (want)); \
} while (0)

/* A stack with "lo" (127.0.0.1, ::1) and "eth0" with no address yet (no
 * IPv6 autoconfiguration, so no link-local address either). */
static struct duet_stack *mk_stack(int *eth)
{
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x09 };
	struct duet_stack_config cfg;
	struct duet_stack *s = NULL;
	struct duet_link *l;

	duet_stack_config_init(&cfg);
	cfg.is_ipv6_autoconf_off = true;
	CHECK_EQ(duet_stack_create(&cfg, &s), 0);
	CHECK_EQ(duet_chanlink_create(mac, 1500, 64, &l), 0);
	*eth = duet_stack_add_link(s, l, "eth0");
	CHECK(*eth > 0);
	return s;
}

/* --- DS-9: IPv4-mapped helpers ---------------------------------------------------- */

TEST(ds9_in6_v4mapped_both_ways)
{
	struct in6_addr a6, g6, one = in6("::1");
	struct in_addr a4 = in4("192.0.2.33"), back = in4("1.1.1.1"), keep = back;

	duet_in6_set_v4mapped(&a6, &a4);
	g6 = in6("::ffff:192.0.2.33");
	CHECK_MEM(&a6, &g6, 16);
	CHECK(duet_in6_is_v4mapped(&a6));
	CHECK(IN6_IS_ADDR_V4MAPPED(&a6));
	CHECK_EQ(duet_in6_get_v4(&a6, &back), 0);
	CHECK_EQ(back.s_addr, a4.s_addr);
	/* Not mapped: ::1, ::192.0.2.33 (IPv4-compatible), ::ffff:0:192.0.2.33 (translated). */
	CHECK(!duet_in6_is_v4mapped(&one));
	CHECK_EQ(duet_in6_get_v4(&one, &keep), -EINVAL);
	CHECK_EQ(keep.s_addr, in4("1.1.1.1").s_addr);
	g6 = in6("::192.0.2.33");
	CHECK(!duet_in6_is_v4mapped(&g6));
	g6 = in6("::ffff:0:192.0.2.33");
	CHECK(!duet_in6_is_v4mapped(&g6));
	/* In place: the IPv4 address read from inside the IPv6 one. */
	memset(&a6, 0xaa, sizeof(a6));
	memcpy(&a6.s6_addr[12], &a4, 4);
	duet_in6_set_v4mapped(&a6, (const struct in_addr *)(const void *)&a6.s6_addr[12]);
	g6 = in6("::ffff:192.0.2.33");
	CHECK_MEM(&a6, &g6, 16);
}

/* Action: the seed's ConvertToV4MappedAddressIfNeeded, in place in a
 * sockaddr_storage, and back. Response: port kept, flowinfo 0, scope 0
 * (DS-2); a non-mapped address does not convert back. */
TEST(ds9_sockaddr_v4_v6_in_place)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss, keep;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss, s6;
	struct in6_addr want = in6("::ffff:37.77.56.75");

	memset(&ss, 0x55, sizeof(ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(5000);
	sin->sin_addr = in4("37.77.56.75");
	duet_sockaddr_v4_to_v6(sin, sin6);
	CHECK_EQ(sin6->sin6_family, AF_INET6);
	CHECK_EQ(ntohs(sin6->sin6_port), 5000);
	CHECK_EQ(sin6->sin6_flowinfo, 0);
	CHECK_EQ(sin6->sin6_scope_id, 0);
	CHECK_MEM(&sin6->sin6_addr, &want, 16);
	sin6->sin6_flowinfo = htonl(7);
	sin6->sin6_scope_id = 3; /* dropped */
	CHECK_EQ(duet_sockaddr_v6_to_v4(sin6, sin), 0);
	CHECK_EQ(sin->sin_family, AF_INET);
	CHECK_EQ(ntohs(sin->sin_port), 5000);
	CHECK_EQ(sin->sin_addr.s_addr, in4("37.77.56.75").s_addr);
	CHECK_MEM(sin->sin_zero, "\0\0\0\0\0\0\0\0", 8);

	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_addr = in6("2a00:8640:1::224:36ff:feef:1d89");
	memset(&keep, 0x11, sizeof(keep));
	CHECK_EQ(duet_sockaddr_v6_to_v4(&s6, &keep), -EINVAL);
	CHECK_EQ(keep.sin_port, 0x1111);
}

/* --- DS-9: the hosts table --------------------------------------------------------- */

TEST(ds9_hosts_add_and_errors)
{
	struct duet_hosts *h = NULL;
	struct in_addr a4 = in4("192.0.2.1"), b4 = in4("192.0.2.2");
	struct in6_addr a6 = in6("2001:db8::1"), ll = in6("fe80::1"), mc = in6("ff02::fb");
	char name[DUET_HOSTS_NAME_MAX + 2];

	CHECK_EQ(duet_hosts_create(&h), 0);
	CHECK_EQ(duet_hosts_add(h, "Host.Example", AF_INET, &a4), 0);
	CHECK_EQ(duet_hosts_add(h, "host.example", AF_INET6, &a6), 0);
	CHECK_EQ(duet_hosts_add(h, "HOST.EXAMPLE", AF_INET, &b4), 0);
	CHECK_EQ(duet_hosts_add(h, "host.example", AF_INET, &a4), 0); /* duplicates kept */
	CHECK_EQ(duet_hosts_count(h), 4);
	/* Insertion order, names case-insensitive, each address's canonical name as given. */
	EXPECT_GAI(h, NULL, "hOsT.eXaMpLe", NULL, AF_UNSPEC, SOCK_STREAM, AI_CANONNAME,
		   "f=2 st=1 pr=6 [192.0.2.1]:0%0 Host.Example | f=10 st=1 pr=6 [2001:db8::1]:0%0 - | "
		   "f=2 st=1 pr=6 [192.0.2.2]:0%0 - | f=2 st=1 pr=6 [192.0.2.1]:0%0 -");
	EXPECT_GAI(h, NULL, "host.example", NULL, AF_INET6, SOCK_STREAM, AI_CANONNAME,
		   "f=10 st=1 pr=6 [2001:db8::1]:0%0 host.example");

	CHECK_EQ(duet_hosts_add(NULL, "x", AF_INET, &a4), -EINVAL);
	CHECK_EQ(duet_hosts_add(h, NULL, AF_INET, &a4), -EINVAL);
	CHECK_EQ(duet_hosts_add(h, "x", AF_INET, NULL), -EINVAL);
	CHECK_EQ(duet_hosts_add(h, "", AF_INET, &a4), -EINVAL);
	CHECK_EQ(duet_hosts_add(h, "a b", AF_INET, &a4), -EINVAL);
	CHECK_EQ(duet_hosts_add(h, "a\tb", AF_INET, &a4), -EINVAL);
	CHECK_EQ(duet_hosts_add(h, "caf\xc3\xa9", AF_INET, &a4), -EINVAL);
	CHECK_EQ(duet_hosts_add(h, "x", AF_UNIX, &a4), -EAFNOSUPPORT);
	memset(name, 'a', sizeof(name));
	name[DUET_HOSTS_NAME_MAX] = '\0';
	CHECK_EQ(duet_hosts_add(h, name, AF_INET, &a4), 0);
	name[DUET_HOSTS_NAME_MAX] = 'a';
	name[DUET_HOSTS_NAME_MAX + 1] = '\0';
	CHECK_EQ(duet_hosts_add(h, name, AF_INET, &a4), -EINVAL);
	CHECK_EQ(duet_hosts_count(h), 5);

	/* Zones only on the addresses that take one. */
	CHECK_EQ(duet_hosts_add_scoped(h, "peer", &ll, 4), 0);
	CHECK_EQ(duet_hosts_add_scoped(h, "mdns", &mc, 4), 0);
	CHECK_EQ(duet_hosts_add_scoped(h, "peer", &a6, 4), -EINVAL);
	CHECK_EQ(duet_hosts_add_scoped(h, "peer", &a6, 0), 0);
	EXPECT_GAI(h, NULL, "peer", "22", AF_INET6, SOCK_STREAM, 0,
		   "f=10 st=1 pr=6 [fe80::1]:22%4 - | f=10 st=1 pr=6 [2001:db8::1]:22%0 -");
	duet_hosts_destroy(h);
	duet_hosts_destroy(NULL);
}

static const char hosts_text[] =
	"# /etc/hosts\n"
	"127.0.0.1\tlocalhost\n"
	"::1     localhost ip6-localhost ip6-loopback\r\n"
	"\n"
	"   # indented comment\n"
	"192.0.2.10  www.example.org www   # the web server\n"
	"2001:db8::10 www.example.org\n"
	"fe80::10%3 router rtr\n"
	"192.0.2.11\tmail.example.org mail\tmx\n"
	"0.0.0.0 ads.example.net\n"
	"::ffff:192.0.2.99 mapped.example\n"
	"198.51.100.1 dup dup DUP\n"
	"\t\n"
	"203.0.113.7 last.example"; /* no final newline */

/* Action: a hosts file with comments, aliases, tabs, CRLF, a zone and no
 * final newline. Response: every line's addresses, aliases leading to the
 * canonical name, the table's localhost replacing the built-in one. */
TEST(ds9_hosts_load_format)
{
	struct duet_hosts *h = NULL;
	unsigned bad = 99;

	CHECK_EQ(duet_hosts_create(&h), 0);
	CHECK_EQ(duet_hosts_load(h, hosts_text, &bad), 10);
	CHECK_EQ(bad, 0);
	CHECK_EQ(duet_hosts_count(h), 10);
	EXPECT_GAI(h, NULL, "www", "80", AF_UNSPEC, SOCK_STREAM, AI_CANONNAME,
		   "f=2 st=1 pr=6 [192.0.2.10]:80%0 www.example.org");
	EXPECT_GAI(h, NULL, "WWW.example.org", "80", AF_UNSPEC, SOCK_STREAM, 0,
		   "f=2 st=1 pr=6 [192.0.2.10]:80%0 - | f=10 st=1 pr=6 [2001:db8::10]:80%0 -");
	EXPECT_GAI(h, NULL, "rtr", NULL, AF_UNSPEC, SOCK_DGRAM, AI_CANONNAME,
		   "f=10 st=2 pr=17 [fe80::10]:0%3 router");
	EXPECT_GAI(h, NULL, "mx", NULL, AF_INET, SOCK_DGRAM, AI_CANONNAME,
		   "f=2 st=2 pr=17 [192.0.2.11]:0%0 mail.example.org");
	EXPECT_GAI(h, NULL, "ads.example.net", NULL, AF_INET, SOCK_DGRAM, 0,
		   "f=2 st=2 pr=17 [0.0.0.0]:0%0 -");
	EXPECT_GAI(h, NULL, "dup", NULL, AF_INET, SOCK_DGRAM, 0, "f=2 st=2 pr=17 [198.51.100.1]:0%0 -");
	EXPECT_GAI(h, NULL, "last.example", NULL, AF_INET, SOCK_DGRAM, 0,
		   "f=2 st=2 pr=17 [203.0.113.7]:0%0 -");
	/* The table's localhost: its order (no RFC 6724 sort), not the built-in one. */
	EXPECT_GAI(h, NULL, "localhost", NULL, AF_UNSPEC, SOCK_STREAM, AI_CANONNAME,
		   "f=2 st=1 pr=6 [127.0.0.1]:0%0 localhost | f=10 st=1 pr=6 [::1]:0%0 -");
	EXPECT_GAI(h, NULL, "ip6-loopback", NULL, AF_INET, SOCK_STREAM, 0, "EAI -2");
	/* Comments are not names. */
	EXPECT_GAI(h, NULL, "the", NULL, AF_UNSPEC, SOCK_STREAM, 0, "EAI -2");
	EXPECT_GAI(h, NULL, "#", NULL, AF_UNSPEC, SOCK_STREAM, 0, "EAI -2");
	CHECK_EQ(duet_hosts_load(h, "", &bad), 0);
	CHECK_EQ(duet_hosts_load(h, "# only\n\n", NULL), 0);
	CHECK_EQ(duet_hosts_load(NULL, "", &bad), -EINVAL);
	CHECK_EQ(duet_hosts_load(h, NULL, &bad), -EINVAL);
	duet_hosts_destroy(h);
}

/* Action: texts whose last line is bad, after good lines that add new
 * names and extend old ones. Response: -EINVAL, the line number, and the
 * table exactly as before. */
TEST(ds9_hosts_load_bad_lines_rejected)
{
	static const char *const bad_lines[] = {
		"192.0.2.1",                 /* no name */
		"192.0.2.1   # comment",     /* no name before the comment */
		"192.0.2 short",             /* inet_aton forms are not hosts(5) forms */
		"0x7f.0.0.1 hex",
		"01.2.3.4 leading-zero",
		"256.0.0.1 big",
		"::g bad6",
		"1:2:3:4:5:6:7:8:9 long6",
		"fe80::1%eth0 name-zone",    /* interface names: no stack here */
		"fe80::1%03 zero-zone",
		"fe80::1% empty-zone",
		"2001:db8::1%2 global-zone", /* RFC 4007: a zone on a global address */
		"192.0.2.1%2 zone4",
		"[::1] brackets",
		"192.0.2.1 na\001me",
		"192.0.2.1 caf\xc3\xa9",
		"host.example 192.0.2.1",    /* fields swapped */
	};
	struct duet_hosts *h = NULL;
	char text[512], many[2048];
	unsigned bad, i;
	int len;

	CHECK_EQ(duet_hosts_create(&h), 0);
	CHECK_EQ(duet_hosts_load(h, "192.0.2.1 old\n", NULL), 1);
	for (i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++) {
		snprintf(text, sizeof(text), "# good first\n2001:db8::2 old\n198.51.100.2 new\n%s\n",
			 bad_lines[i]);
		bad = 0;
		if (duet_hosts_load(h, text, &bad) != -EINVAL || bad != 4)
			check_fail(__FILE__, __LINE__, "line \"%s\" not rejected (line %u)",
				   bad_lines[i], bad);
		CHECK_EQ(duet_hosts_count(h), 1);
		EXPECT_GAI(h, NULL, "old", NULL, AF_UNSPEC, SOCK_STREAM, 0,
			   "f=2 st=1 pr=6 [192.0.2.1]:0%0 -");
		EXPECT_GAI(h, NULL, "new", NULL, AF_UNSPEC, SOCK_STREAM, 0, "EAI -2");
	}
	/* A line of DUET_HOSTS_LINE_NAMES names is fine, one more is not. */
	len = snprintf(many, sizeof(many), "192.0.2.5");
	for (i = 0; i < DUET_HOSTS_LINE_NAMES; i++)
		len += snprintf(many + len, sizeof(many) - (size_t)len, " n%u", i);
	CHECK_EQ(duet_hosts_load(h, many, &bad), 1);
	EXPECT_GAI(h, NULL, "n31", NULL, AF_INET, SOCK_STREAM, AI_CANONNAME,
		   "f=2 st=1 pr=6 [192.0.2.5]:0%0 n0");
	snprintf(many + len, sizeof(many) - (size_t)len, " n%u", i);
	CHECK_EQ(duet_hosts_load(h, many, &bad), -EINVAL);
	CHECK_EQ(bad, 1);
	CHECK_EQ(duet_hosts_count(h), 2);
	/* The table still grows normally after rollbacks. */
	CHECK_EQ(duet_hosts_load(h, "2001:db8::2 old\n", &bad), 1);
	EXPECT_GAI(h, NULL, "old", NULL, AF_UNSPEC, SOCK_STREAM, 0,
		   "f=2 st=1 pr=6 [192.0.2.1]:0%0 - | f=10 st=1 pr=6 [2001:db8::2]:0%0 -");
	duet_hosts_destroy(h);
}

/* Action: 20,000 names (the index grows many times), then 300 addresses
 * for one name. Response: each found, in insertion order. */
TEST(ds9_hosts_many)
{
	struct duet_hosts *h = NULL;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL, *p;
	char name[32];
	unsigned i, n;

	CHECK_EQ(duet_hosts_create(&h), 0);
	for (i = 0; i < 20000; i++) {
		struct in_addr a = { htonl(0x0a000000u + i) };

		snprintf(name, sizeof(name), "h%u.example", i);
		CHECK_EQ(duet_hosts_add(h, name, AF_INET, &a), 0);
	}
	for (i = 0; i < 300; i++) {
		struct in6_addr a = in6("2001:db8::");

		a.s6_addr[14] = (uint8_t)(i >> 8);
		a.s6_addr[15] = (uint8_t)i;
		CHECK_EQ(duet_hosts_add(h, "H777.example", AF_INET6, &a), 0);
	}
	for (i = 0; i < 20000; i += 997) {
		snprintf(name, sizeof(name), "H%u.EXAMPLE", i);
		CHECK_EQ(duet_getaddrinfo(h, NULL, name, NULL, &hints, &res), 0);
		CHECK_EQ(ntohl(((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr),
			 0x0a000000u + i);
		duet_freeaddrinfo(res);
	}
	CHECK_EQ(duet_getaddrinfo(h, NULL, "h777.example", NULL, &hints, &res), 0);
	n = 0;
	for (p = res; p; p = p->ai_next, n++) {
		if (n == 0) {
			CHECK_EQ(p->ai_family, AF_INET);
			continue;
		}
		CHECK_EQ(p->ai_family, AF_INET6);
		CHECK_EQ(((struct sockaddr_in6 *)p->ai_addr)->sin6_addr.s6_addr[15], (n - 1) & 0xff);
	}
	CHECK_EQ(n, 301);
	duet_freeaddrinfo(res);
	CHECK_EQ(duet_getaddrinfo(h, NULL, "h20000.example", NULL, &hints, &res), EAI_NONAME);
	duet_hosts_destroy(h);
}

/* --- DS-9: getaddrinfo flags --------------------------------------------------------- */

static struct duet_hosts *mk_hosts(void)
{
	struct duet_hosts *h = NULL;

	CHECK_EQ(duet_hosts_create(&h), 0);
	CHECK_EQ(duet_hosts_load(h,
				 "192.0.2.1 dual.example dual\n"
				 "2001:db8::1 dual.example dual\n"
				 "192.0.2.2 dual.example dual\n"
				 "192.0.2.3 v4only.example v4only\n"
				 "2001:db8::3 v6only.example v6only\n",
				 NULL),
		 5);
	return h;
}

/* Action: each family with AI_V4MAPPED and AI_ALL. Response: RFC 3493 §6.1
 * (and glibc): mapped IPv4 only without an IPv6 answer, or with AI_ALL
 * after the IPv6 ones; the flags ignored for other families. */
TEST(ds9_gai_v4mapped_all)
{
	struct duet_hosts *h = mk_hosts();

	EXPECT_GAI(h, NULL, "dual", NULL, AF_UNSPEC, SOCK_STREAM, AI_V4MAPPED | AI_ALL,
		   "f=2 st=1 pr=6 [192.0.2.1]:0%0 - | f=10 st=1 pr=6 [2001:db8::1]:0%0 - | "
		   "f=2 st=1 pr=6 [192.0.2.2]:0%0 -");
	EXPECT_GAI(h, NULL, "dual", NULL, AF_INET, SOCK_STREAM, AI_V4MAPPED | AI_ALL,
		   "f=2 st=1 pr=6 [192.0.2.1]:0%0 - | f=2 st=1 pr=6 [192.0.2.2]:0%0 -");
	EXPECT_GAI(h, NULL, "dual", NULL, AF_INET6, SOCK_STREAM, 0,
		   "f=10 st=1 pr=6 [2001:db8::1]:0%0 -");
	EXPECT_GAI(h, NULL, "dual", NULL, AF_INET6, SOCK_STREAM, AI_V4MAPPED,
		   "f=10 st=1 pr=6 [2001:db8::1]:0%0 -");
	EXPECT_GAI(h, NULL, "dual", NULL, AF_INET6, SOCK_STREAM, AI_ALL,
		   "f=10 st=1 pr=6 [2001:db8::1]:0%0 -");
	EXPECT_GAI(h, NULL, "dual", NULL, AF_INET6, SOCK_STREAM, AI_V4MAPPED | AI_ALL | AI_CANONNAME,
		   "f=10 st=1 pr=6 [2001:db8::1]:0%0 dual.example | "
		   "f=10 st=1 pr=6 [::ffff:192.0.2.1]:0%0 - | f=10 st=1 pr=6 [::ffff:192.0.2.2]:0%0 -");
	EXPECT_GAI(h, NULL, "v4only", NULL, AF_INET6, SOCK_STREAM, 0, "EAI -2");
	EXPECT_GAI(h, NULL, "v4only", NULL, AF_INET6, SOCK_STREAM, AI_V4MAPPED | AI_CANONNAME,
		   "f=10 st=1 pr=6 [::ffff:192.0.2.3]:0%0 v4only.example");
	EXPECT_GAI(h, NULL, "v4only", NULL, AF_INET6, SOCK_STREAM, AI_V4MAPPED | AI_ALL,
		   "f=10 st=1 pr=6 [::ffff:192.0.2.3]:0%0 -");
	EXPECT_GAI(h, NULL, "v6only", NULL, AF_INET, SOCK_STREAM, AI_V4MAPPED, "EAI -2");
	/* Numeric: an IPv4 address for AF_INET6 needs AI_V4MAPPED. */
	EXPECT_GAI(h, NULL, "192.0.2.7", NULL, AF_INET6, SOCK_STREAM, 0, "EAI -9");
	EXPECT_GAI(h, NULL, "192.0.2.7", NULL, AF_INET6, SOCK_STREAM, AI_V4MAPPED,
		   "f=10 st=1 pr=6 [::ffff:192.0.2.7]:0%0 -");
	EXPECT_GAI(h, NULL, "::ffff:192.0.2.7", NULL, AF_INET, SOCK_STREAM, 0,
		   "f=2 st=1 pr=6 [192.0.2.7]:0%0 -");
	duet_hosts_destroy(h);
}

/* Action: NULL node with and without AI_PASSIVE; names with AI_PASSIVE.
 * Response: wildcard or loopback, 0.0.0.0 / ::1 first as glibc on Linux
 * sorts them; AI_PASSIVE does nothing to a node. */
TEST(ds9_gai_passive)
{
	struct duet_hosts *h = mk_hosts();

	EXPECT_GAI(h, NULL, NULL, "80", AF_UNSPEC, SOCK_STREAM, AI_PASSIVE,
		   "f=2 st=1 pr=6 [0.0.0.0]:80%0 - | f=10 st=1 pr=6 [::]:80%0 -");
	EXPECT_GAI(h, NULL, NULL, "80", AF_UNSPEC, SOCK_STREAM, 0,
		   "f=10 st=1 pr=6 [::1]:80%0 - | f=2 st=1 pr=6 [127.0.0.1]:80%0 -");
	EXPECT_GAI(h, NULL, NULL, "80", AF_INET6, SOCK_STREAM, AI_PASSIVE | AI_V4MAPPED,
		   "f=10 st=1 pr=6 [::]:80%0 -");
	EXPECT_GAI(h, NULL, NULL, "80", AF_INET, SOCK_STREAM, AI_PASSIVE, "f=2 st=1 pr=6 [0.0.0.0]:80%0 -");
	EXPECT_GAI(h, NULL, NULL, "80", AF_INET, SOCK_STREAM, 0, "f=2 st=1 pr=6 [127.0.0.1]:80%0 -");
	EXPECT_GAI(h, NULL, "*", "80", AF_INET6, SOCK_STREAM, 0, "f=10 st=1 pr=6 [::1]:80%0 -");
	EXPECT_GAI(h, NULL, "v6only", "80", AF_UNSPEC, SOCK_STREAM, AI_PASSIVE,
		   "f=10 st=1 pr=6 [2001:db8::3]:80%0 -");
	EXPECT_GAI(h, NULL, "::1", "*", AF_UNSPEC, SOCK_STREAM, AI_PASSIVE, "f=10 st=1 pr=6 [::1]:0%0 -");
	duet_hosts_destroy(h);
}

/* Action: AI_CANONNAME on names, aliases, numbers, localhost. Response: the
 * canonical name on the first entry only; the text itself for numbers. */
TEST(ds9_gai_canonname)
{
	struct duet_hosts *h = mk_hosts();

	EXPECT_GAI(h, NULL, "dual", "7", AF_UNSPEC, 0, AI_CANONNAME,
		   "f=2 st=1 pr=6 [192.0.2.1]:7%0 dual.example | f=2 st=2 pr=17 [192.0.2.1]:7%0 - | "
		   "f=2 st=3 pr=0 [192.0.2.1]:7%0 - | f=10 st=1 pr=6 [2001:db8::1]:7%0 - | "
		   "f=10 st=2 pr=17 [2001:db8::1]:7%0 - | f=10 st=3 pr=0 [2001:db8::1]:7%0 - | "
		   "f=2 st=1 pr=6 [192.0.2.2]:7%0 - | f=2 st=2 pr=17 [192.0.2.2]:7%0 - | "
		   "f=2 st=3 pr=0 [192.0.2.2]:7%0 -");
	EXPECT_GAI(h, NULL, "127.1", NULL, AF_UNSPEC, SOCK_STREAM, AI_CANONNAME,
		   "f=2 st=1 pr=6 [127.0.0.1]:0%0 127.1");
	EXPECT_GAI(NULL, NULL, "LocalHost", NULL, AF_UNSPEC, SOCK_STREAM, AI_CANONNAME,
		   "f=10 st=1 pr=6 [::1]:0%0 localhost | f=2 st=1 pr=6 [127.0.0.1]:0%0 -");
	EXPECT_GAI(h, NULL, "v4only", NULL, AF_UNSPEC, SOCK_STREAM, AI_CANONNAME | AI_CANONIDN,
		   "f=2 st=1 pr=6 [192.0.2.3]:0%0 v4only.example");
	EXPECT_GAI(h, NULL, NULL, "7", AF_UNSPEC, SOCK_STREAM, AI_CANONNAME, "EAI -1");
	duet_hosts_destroy(h);
}

/* Action: the built-in localhost with every family. Response: ::1 and
 * 127.0.0.1 as a standard /etc/hosts gives them, IPv6 first. */
TEST(ds9_gai_localhost_builtin)
{
	struct duet_hosts *h = mk_hosts();

	EXPECT_GAI(h, NULL, "localhost", "22", AF_UNSPEC, SOCK_STREAM, 0,
		   "f=10 st=1 pr=6 [::1]:22%0 - | f=2 st=1 pr=6 [127.0.0.1]:22%0 -");
	EXPECT_GAI(NULL, NULL, "localhost", "22", AF_INET, SOCK_STREAM, 0,
		   "f=2 st=1 pr=6 [127.0.0.1]:22%0 -");
	EXPECT_GAI(NULL, NULL, "localhost", "22", AF_INET6, SOCK_STREAM, AI_V4MAPPED | AI_ALL,
		   "f=10 st=1 pr=6 [::1]:22%0 - | f=10 st=1 pr=6 [::ffff:127.0.0.1]:22%0 -");
	EXPECT_GAI(NULL, NULL, "localhost", "22", AF_UNSPEC, SOCK_STREAM, AI_NUMERICHOST, "EAI -2");
	EXPECT_GAI(NULL, NULL, "localhost.", "22", AF_UNSPEC, SOCK_STREAM, 0, "EAI -2");
	EXPECT_GAI(NULL, NULL, "dual", "22", AF_UNSPEC, SOCK_STREAM, 0, "EAI -2");
	duet_hosts_destroy(h);
}

/* Action: AI_ADDRCONFIG as the stack gains addresses. Response: glibc's
 * rule: 127.0.0.1 and ::1 do not count; with neither family AF_UNSPEC is
 * not filtered but AF_INET / AF_INET6 are EAI_NONAME; with one family
 * AF_UNSPEC narrows to it (numbers included); NULL stack: no filtering. */
TEST(ds9_gai_addrconfig)
{
	struct duet_hosts *h = mk_hosts();
	const uint8_t v4[4] = { 192, 0, 2, 100 }, lo2[4] = { 127, 0, 0, 2 };
	uint8_t v6[16];
	int eth;
	struct duet_stack *s = mk_stack(&eth);
	const int ac = AI_ADDRCONFIG;

	EXPECT_GAI(h, s, "dual", NULL, AF_UNSPEC, SOCK_STREAM, ac,
		   "f=2 st=1 pr=6 [192.0.2.1]:0%0 - | f=10 st=1 pr=6 [2001:db8::1]:0%0 - | "
		   "f=2 st=1 pr=6 [192.0.2.2]:0%0 -");
	EXPECT_GAI(h, s, "dual", NULL, AF_INET, SOCK_STREAM, ac, "EAI -2");
	EXPECT_GAI(h, s, "::1", NULL, AF_INET6, SOCK_STREAM, ac, "EAI -2");
	EXPECT_GAI(h, s, NULL, "1", AF_UNSPEC, SOCK_STREAM, ac | AI_PASSIVE,
		   "f=2 st=1 pr=6 [0.0.0.0]:1%0 - | f=10 st=1 pr=6 [::]:1%0 -");

	CHECK_EQ(duet_if_addr_add(s, (uint32_t)eth, AF_INET, v4, 24, 0), 0);
	EXPECT_GAI(h, s, "dual", NULL, AF_UNSPEC, SOCK_STREAM, ac,
		   "f=2 st=1 pr=6 [192.0.2.1]:0%0 - | f=2 st=1 pr=6 [192.0.2.2]:0%0 -");
	EXPECT_GAI(h, s, "v6only", NULL, AF_UNSPEC, SOCK_STREAM, ac, "EAI -2");
	EXPECT_GAI(h, s, "dual", NULL, AF_INET6, SOCK_STREAM, ac | AI_V4MAPPED, "EAI -2");
	EXPECT_GAI(h, s, "::1", NULL, AF_UNSPEC, SOCK_STREAM, ac, "EAI -9");
	EXPECT_GAI(h, s, "::ffff:192.0.2.9", NULL, AF_UNSPEC, SOCK_STREAM, ac,
		   "f=2 st=1 pr=6 [192.0.2.9]:0%0 -");
	EXPECT_GAI(h, s, NULL, "1", AF_UNSPEC, SOCK_STREAM, ac | AI_PASSIVE,
		   "f=2 st=1 pr=6 [0.0.0.0]:1%0 -");
	/* Without the flag, or without a stack: everything. */
	EXPECT_GAI(h, s, "v6only", NULL, AF_UNSPEC, SOCK_STREAM, 0,
		   "f=10 st=1 pr=6 [2001:db8::3]:0%0 -");
	EXPECT_GAI(h, NULL, "v6only", NULL, AF_UNSPEC, SOCK_STREAM, ac,
		   "f=10 st=1 pr=6 [2001:db8::3]:0%0 -");

	CHECK_EQ(duet_addr6_pton("2001:db8:1::100", v6), 0);
	CHECK_EQ(duet_if_addr_add(s, (uint32_t)eth, AF_INET6, v6, 64, DUET_IFA_F_NODAD), 0);
	EXPECT_GAI(h, s, "dual", NULL, AF_INET6, SOCK_STREAM, ac, "f=10 st=1 pr=6 [2001:db8::1]:0%0 -");
	EXPECT_GAI(h, s, "dual", NULL, AF_UNSPEC, SOCK_STREAM, ac,
		   "f=2 st=1 pr=6 [192.0.2.1]:0%0 - | f=10 st=1 pr=6 [2001:db8::1]:0%0 - | "
		   "f=2 st=1 pr=6 [192.0.2.2]:0%0 -");
	/* Only IPv6 left: AF_UNSPEC narrows to AF_INET6. */
	CHECK_EQ(duet_if_addr_del(s, (uint32_t)eth, AF_INET, v4), 0);
	EXPECT_GAI(h, s, "dual", NULL, AF_UNSPEC, SOCK_STREAM, ac, "f=10 st=1 pr=6 [2001:db8::1]:0%0 -");
	EXPECT_GAI(h, s, "v4only", NULL, AF_UNSPEC, SOCK_STREAM, ac, "EAI -2");
	EXPECT_GAI(h, s, "v4only", NULL, AF_INET6, SOCK_STREAM, ac | AI_V4MAPPED,
		   "f=10 st=1 pr=6 [::ffff:192.0.2.3]:0%0 -");
	/* 127.0.0.2 counts as IPv4 for glibc (only 127.0.0.1 is skipped). */
	CHECK_EQ(duet_if_addr_add(s, 1, AF_INET, lo2, 32, 0), 0);
	EXPECT_GAI(h, s, "v4only", NULL, AF_INET, SOCK_STREAM, ac, "f=2 st=1 pr=6 [192.0.2.3]:0%0 -");
	duet_stack_destroy(s);
	duet_hosts_destroy(h);
}

/* Action: hints NULL. Response: AI_V4MAPPED | AI_ADDRCONFIG, AF_UNSPEC, every
 * socket type (glibc's default hints). */
TEST(ds9_gai_null_hints)
{
	struct addrinfo *res = NULL, *p;
	int eth, n = 0;
	struct duet_stack *s = mk_stack(&eth);
	const uint8_t v4[4] = { 192, 0, 2, 100 };

	CHECK_EQ(duet_if_addr_add(s, (uint32_t)eth, AF_INET, v4, 24, 0), 0);
	CHECK_EQ(duet_getaddrinfo(NULL, s, "localhost", "echo", NULL, &res), 0);
	for (p = res; p; p = p->ai_next, n++) {
		CHECK_EQ(p->ai_flags, AI_V4MAPPED | AI_ADDRCONFIG);
		CHECK_EQ(p->ai_family, AF_INET); /* narrowed: no IPv6 on the stack */
		CHECK_EQ(p->ai_socktype, n == 0 ? SOCK_STREAM : SOCK_DGRAM);
		CHECK_EQ(ntohs(((struct sockaddr_in *)p->ai_addr)->sin_port), 7);
	}
	CHECK_EQ(n, 2);
	duet_freeaddrinfo(res);
	duet_stack_destroy(s);
}

/* Action: zones on numeric nodes. Response: interface names of the stack on
 * link-local unicast and interface/link-local multicast; decimal indexes
 * anywhere; anything else EAI_NONAME. */
TEST(ds9_gai_zones)
{
	int eth;
	struct duet_stack *s = mk_stack(&eth);
	char want[128];

	snprintf(want, sizeof(want), "f=10 st=1 pr=6 [fe80::1]:0%%%d -", eth);
	EXPECT_GAI(NULL, s, "fe80::1%eth0", NULL, AF_UNSPEC, SOCK_STREAM, AI_NUMERICHOST, want);
	snprintf(want, sizeof(want), "f=10 st=1 pr=6 [ff02::1]:0%%%d -", eth);
	EXPECT_GAI(NULL, s, "ff02::1%eth0", NULL, AF_UNSPEC, SOCK_STREAM, 0, want);
	EXPECT_GAI(NULL, s, "ff01::1%lo", NULL, AF_UNSPEC, SOCK_STREAM, 0,
		   "f=10 st=1 pr=6 [ff01::1]:0%1 -");
	EXPECT_GAI(NULL, s, "2001:db8::1%eth0", NULL, AF_UNSPEC, SOCK_STREAM, 0, "EAI -2");
	EXPECT_GAI(NULL, s, "ff05::1%eth0", NULL, AF_UNSPEC, SOCK_STREAM, 0, "EAI -2");
	EXPECT_GAI(NULL, NULL, "fe80::1%eth0", NULL, AF_UNSPEC, SOCK_STREAM, 0, "EAI -2");
	EXPECT_GAI(NULL, s, "fe80::1%wlan9", NULL, AF_UNSPEC, SOCK_STREAM, 0, "EAI -2");
	EXPECT_GAI(NULL, s, "2001:db8::1%4294967295", NULL, AF_UNSPEC, SOCK_STREAM, 0,
		   "f=10 st=1 pr=6 [2001:db8::1]:0%4294967295 -");
	EXPECT_GAI(NULL, s, "fe80::1%0009", NULL, AF_UNSPEC, SOCK_STREAM, 0,
		   "f=10 st=1 pr=6 [fe80::1]:0%9 -");
	/* The zone of a mapped address asked for as AF_INET is checked, then dropped. */
	EXPECT_GAI(NULL, s, "::ffff:192.0.2.1%7", NULL, AF_INET, SOCK_STREAM, 0,
		   "f=2 st=1 pr=6 [192.0.2.1]:0%0 -");
	EXPECT_GAI(NULL, s, "::ffff:192.0.2.1%x", NULL, AF_INET, SOCK_STREAM, 0, "EAI -2");
	duet_stack_destroy(s);
}

/* Action: named services. Response: the built-in table's ports and
 * protocols; EAI_SERVICE for an unknown name or a missing protocol;
 * EAI_NONAME under AI_NUMERICSERV. */
TEST(ds9_gai_services)
{
	static const struct { const char *name; unsigned port; bool is_tcp, is_udp; } known[] = {
		{ "bootpc", 68, false, true }, { "bootps", 67, false, true },
		{ "daytime", 13, true, true }, { "discard", 9, true, true },
		{ "domain", 53, true, true }, { "echo", 7, true, true },
		{ "ftp", 21, true, false }, { "ftp-data", 20, true, false },
		{ "http", 80, true, false }, { "https", 443, true, true },
		{ "imap", 143, true, false }, { "imap2", 143, true, false },
		{ "imaps", 993, true, false }, { "ldap", 389, true, true },
		{ "mail", 25, true, false }, { "ntp", 123, false, true },
		{ "null", 9, true, true }, { "pop3", 110, true, false },
		{ "pop3s", 995, true, false }, { "sink", 9, true, true },
		{ "smtp", 25, true, false }, { "snmp", 161, true, true },
		{ "ssh", 22, true, false }, { "submission", 587, true, false },
		{ "syslog", 514, false, true }, { "telnet", 23, true, false },
		{ "tftp", 69, false, true }, { "time", 37, true, true },
		{ "timserver", 37, true, true }, { "www", 80, true, false },
	};
	char want[256];
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		const char *t = "f=10 st=1 pr=6 [::1]:%u%%0 -", *u = "f=10 st=2 pr=17 [::1]:%u%%0 -";
		char tw[64], uw[64];

		snprintf(tw, sizeof(tw), t, known[i].port);
		snprintf(uw, sizeof(uw), u, known[i].port);
		snprintf(want, sizeof(want), "%s%s%s", known[i].is_tcp ? tw : "",
			 known[i].is_tcp && known[i].is_udp ? " | " : "", known[i].is_udp ? uw : "");
		EXPECT_GAI(NULL, NULL, "::1", known[i].name, AF_INET6, 0, 0, want);
		EXPECT_GAI(NULL, NULL, "::1", known[i].name, AF_INET6, SOCK_STREAM, 0,
			   known[i].is_tcp ? tw : "EAI -8");
		EXPECT_GAI(NULL, NULL, "::1", known[i].name, AF_INET6, SOCK_DGRAM, 0,
			   known[i].is_udp ? uw : "EAI -8");
	}
	EXPECT_GAI(NULL, NULL, "::1", "HTTP", AF_INET6, 0, 0, "EAI -8"); /* case matters */
	EXPECT_GAI(NULL, NULL, "::1", "gopher", AF_INET6, 0, 0, "EAI -8");
	EXPECT_GAI(NULL, NULL, "::1", "http", AF_INET6, 0, AI_NUMERICSERV, "EAI -2");
	EXPECT_GAI(NULL, NULL, "::1", "http", AF_INET6, SOCK_RAW, 0, "EAI -8");
	EXPECT_GAI(NULL, NULL, "::1", "http", AF_INET6, SOCK_SEQPACKET, 0, "EAI -8");
	/* Numbers glibc reads as negative ints are looked up as names. */
	EXPECT_GAI(NULL, NULL, "::1", "-1", AF_INET6, SOCK_STREAM, AI_NUMERICSERV, "EAI -8");
	EXPECT_GAI(NULL, NULL, "::1", "4294967295", AF_INET6, SOCK_STREAM, 0, "EAI -8");
	EXPECT_GAI(NULL, NULL, "::1", "2147483648", AF_INET6, SOCK_STREAM, 0, "EAI -8");
	EXPECT_GAI(NULL, NULL, "::1", "18446744073709551616", AF_INET6, SOCK_STREAM, 0, "EAI -8");
	EXPECT_GAI(NULL, NULL, "::1", "2147483647", AF_INET6, SOCK_STREAM, 0,
		   "f=10 st=1 pr=6 [::1]:65535%0 -");
	EXPECT_GAI(NULL, NULL, "::1", "65537", AF_INET6, SOCK_STREAM, 0, "f=10 st=1 pr=6 [::1]:1%0 -");
}

/* Action: every way to fail. Response: the EAI_* code glibc gives, *res
 * untouched. EAI_MEMORY (an allocation failing) is not provoked here. */
TEST(ds9_gai_error_codes)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = (struct addrinfo *)&hints;

	EXPECT_GAI(NULL, NULL, NULL, NULL, AF_UNSPEC, 0, 0, "EAI -2");           /* EAI_NONAME */
	EXPECT_GAI(NULL, NULL, "*", "*", AF_UNSPEC, 0, 0, "EAI -2");
	EXPECT_GAI(NULL, NULL, "nowhere", "1", AF_UNSPEC, 0, 0, "EAI -2");
	EXPECT_GAI(NULL, NULL, "nowhere", "1", AF_UNSPEC, 0, AI_NUMERICHOST, "EAI -2");
	EXPECT_GAI(NULL, NULL, "::1", "x", AF_UNSPEC, 0, AI_NUMERICSERV, "EAI -2");
	EXPECT_GAI(NULL, NULL, "::1", "1", AF_UNSPEC, 0, 0x800, "EAI -1");      /* EAI_BADFLAGS */
	EXPECT_GAI(NULL, NULL, NULL, "1", AF_UNSPEC, 0, AI_CANONNAME, "EAI -1");
	EXPECT_GAI(NULL, NULL, "::1", "1", AF_UNIX, 0, 0, "EAI -6");            /* EAI_FAMILY */
	EXPECT_GAI(NULL, NULL, "::1", "x", 99, 0, AI_NUMERICSERV, "EAI -6");
	EXPECT_GAI(NULL, NULL, "::1", "1", AF_UNSPEC, 99, 0, "EAI -7");         /* EAI_SOCKTYPE */
	EXPECT_GAI(NULL, NULL, "::1", "1", AF_UNSPEC, SOCK_RAW, 0, "EAI -8");   /* EAI_SERVICE */
	EXPECT_GAI(NULL, NULL, "::1", "nosuch", AF_UNSPEC, 0, 0, "EAI -8");
	EXPECT_GAI(NULL, NULL, "::1", NULL, AF_INET, 0, 0, "EAI -9");           /* EAI_ADDRFAMILY */
	EXPECT_GAI(NULL, NULL, "caf\xc3\xa9", NULL, AF_UNSPEC, 0, AI_IDN, "EAI -105");
	EXPECT_GAI(NULL, NULL, "caf\xc3\xa9", NULL, AF_UNSPEC, 0, 0, "EAI -2");
	EXPECT_GAI(NULL, NULL, "localhost", NULL, AF_UNSPEC, SOCK_STREAM, AI_IDN,
		   "f=10 st=1 pr=6 [::1]:0%0 - | f=2 st=1 pr=6 [127.0.0.1]:0%0 -");
	CHECK_EQ(duet_getaddrinfo(NULL, NULL, "nowhere", NULL, &hints, &res), EAI_NONAME);
	CHECK(res == (struct addrinfo *)&hints);
	errno = 0;
	CHECK_EQ(duet_getaddrinfo(NULL, NULL, "::1", NULL, &hints, NULL), EAI_SYSTEM);
	CHECK_EQ(errno, EINVAL);
}

/* Action: unlink the second entry and free it alone, then the rest.
 * Response: ASan sees no leak or double free (entries are allocated one
 * by one, as glibc's). */
TEST(ds9_freeaddrinfo_tail)
{
	struct addrinfo hints = { .ai_flags = AI_CANONNAME }, *res = NULL, *second;

	CHECK_EQ(duet_getaddrinfo(NULL, NULL, "localhost", "9", &hints, &res), 0);
	second = res->ai_next;
	res->ai_next = second->ai_next;
	second->ai_next = NULL;
	duet_freeaddrinfo(second);
	CHECK_STR(res->ai_canonname, "localhost");
	duet_freeaddrinfo(res);
	duet_freeaddrinfo(NULL);
}

/* --- DS-9: differential against the host's glibc ------------------------------------ */

TEST(ds9_gai_strerror_matches_glibc)
{
	int i;

	for (i = -200; i <= 5; i++)
		CHECK_STR(duet_gai_strerror(i), gai_strerror(i));
}

struct diff {
	const struct duet_stack *stack;
	unsigned calls, failures, answers; /* answers: calls both answered with entries */
};

static int ai_cmp(const void *a, const void *b)
{
	const struct addrinfo *x = *(const struct addrinfo *const *)a;
	const struct addrinfo *y = *(const struct addrinfo *const *)b;

	if (x->ai_family != y->ai_family)
		return x->ai_family - y->ai_family;
	if (x->ai_socktype != y->ai_socktype)
		return x->ai_socktype - y->ai_socktype;
	return x->ai_protocol - y->ai_protocol;
}

static size_t ai_vec(struct addrinfo *r, struct addrinfo **v, size_t cap)
{
	size_t n = 0;

	for (; r && n < cap; r = r->ai_next)
		v[n++] = r;
	return n;
}

static bool ai_same(const struct addrinfo *g, const struct addrinfo *d)
{
	if (g->ai_family != d->ai_family || g->ai_socktype != d->ai_socktype ||
	    g->ai_protocol != d->ai_protocol || g->ai_flags != d->ai_flags ||
	    g->ai_addrlen != d->ai_addrlen || !g->ai_addr || !d->ai_addr)
		return false;
	if (memcmp(g->ai_addr, d->ai_addr, g->ai_addrlen) != 0)
		return false;
	if (!g->ai_canonname || !d->ai_canonname)
		return g->ai_canonname == d->ai_canonname;
	return strcmp(g->ai_canonname, d->ai_canonname) == 0;
}

/* Compares one call of both. is_unordered: compare as multisets (the NULL
 * node for AF_UNSPEC, whose order glibc's RFC 6724 sort takes from the
 * host's routes; duet's order is checked by ds9_gai_passive). */
static void diff_one(struct diff *df, const char *node, const char *svc, int fam, int st, int pr,
		     int flags)
{
	struct addrinfo hints = { .ai_flags = flags, .ai_family = fam, .ai_socktype = st,
				  .ai_protocol = pr };
	struct addrinfo *g = NULL, *d = NULL, *gv[64], *dv[64];
	int eg = getaddrinfo(node, svc, &hints, &g);
	int ed = duet_getaddrinfo(NULL, df->stack, node, svc, &hints, &d);
	size_t ng = eg ? 0 : ai_vec(g, gv, 64), nd = ed ? 0 : ai_vec(d, dv, 64), i;
	bool is_same = eg == ed && ng == nd;

	df->calls++;
	df->answers += is_same && eg == 0;
	if (is_same && (!node || strcmp(node, "*") == 0) && fam == AF_UNSPEC) {
		qsort(gv, ng, sizeof(gv[0]), ai_cmp);
		qsort(dv, nd, sizeof(dv[0]), ai_cmp);
	}
	for (i = 0; is_same && i < ng; i++)
		is_same = ai_same(gv[i], dv[i]);
	if (!is_same && df->failures++ < 20) {
		char a[160] = "", b[160] = "";

		if (ng)
			ai_str(gv[i ? i - 1 : 0], a, sizeof(a));
		if (nd)
			ai_str(dv[i ? i - 1 : 0], b, sizeof(b));
		check_fail(__FILE__, __LINE__,
			   "node=%s svc=%s fam=%d st=%d pr=%d flags=%#x: glibc %d (%zu: %s), "
			   "duet %d (%zu: %s)",
			   node ? node : "NULL", svc ? svc : "NULL", fam, st, pr, (unsigned)flags, eg,
			   ng, a, ed, nd, b);
	}
	if (g)
		freeaddrinfo(g);
	duet_freeaddrinfo(d);
}

/* Whether glibc takes node as a number (so never looks it up). */
static bool glibc_is_numeric_node(const char *node)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST, .ai_socktype = SOCK_STREAM }, *r;

	if (!node || strcmp(node, "*") == 0)
		return true;
	if (getaddrinfo(node, NULL, &hints, &r) != 0)
		return false;
	freeaddrinfo(r);
	return true;
}

/* 1: glibc reads the service as a port; 0: not a number (AI_NUMERICSERV
 * keeps glibc from looking it up); -1: a number glibc looks up as a name
 * even under AI_NUMERICSERV (not for the differential). */
static int glibc_service_kind(const char *svc)
{
	char *end;
	unsigned long v;

	if (!svc || !svc[0] || strcmp(svc, "*") == 0)
		return 1;
	v = strtoul(svc, &end, 10);
	if (*end)
		return 0;
	return (uint32_t)v <= INT32_MAX ? 1 : -1;
}

static const char *const diff_nodes[] = {
	NULL, "*", "::1", "127.0.0.1", "::ffff:10.0.0.1", "2001:db8::1", "::", "0.0.0.0",
	"127.1", "10.1.2", "0x7f.0.0.1", "0X7F000001", "010.0.0.1", "4294967295", "0",
	"1::2:3:4:5:6:7", "::ffff:0:10.0.0.1", "::10.0.0.1", "FE80::A", "fe80::1%1", "fe80::1%0",
	"2001:db8::1%7", "2001:db8::1%007", "ff02::1%3", "::ffff:10.0.0.1%4",
	/* not numbers: always with AI_NUMERICHOST */
	"", " 127.0.0.1", "127.0.0.1 ", "1.2.3.4.5", "256.0.0.1", "1.2.3.256", "0x100000000",
	"4294967296", "08.0.0.1", "0x", "1..2.3", "::1%", "::1%x", "::1%+1", "::1%-1",
	"::1%4294967296", "fe80::1%nosuchif0", ":::", "1:2:3:4:5:6:7:8:9", "12345::",
	"::ffff:1.2.3", "::1.2.3.04", "[::1]", "1.2.3.4%5", "localhost", "example.invalid",
	"::1/128",
};

static const char *const diff_services[] = {
	NULL, "", "*", "0", "80", "65535", "65536", "65537", " 80", "\t80", "+80", "-0",
	"4294967296", "2147483647", "80 ", "0x50", "http", "8O", "-", "+",
};

static const int diff_families[] = { AF_UNSPEC, AF_INET, AF_INET6, AF_UNIX, 99 };

static const struct { int st, pr; } diff_types[] = {
	{ 0, 0 }, { SOCK_STREAM, 0 }, { SOCK_DGRAM, 0 }, { SOCK_RAW, 0 },
	{ 0, IPPROTO_TCP }, { 0, IPPROTO_UDP }, { 0, IPPROTO_SCTP }, { 0, 99 },
	{ SOCK_STREAM, IPPROTO_UDP }, { SOCK_STREAM, IPPROTO_SCTP }, { SOCK_SEQPACKET, 0 },
	{ SOCK_DCCP, 0 }, { SOCK_DGRAM, IPPROTO_UDPLITE }, { SOCK_RAW, IPPROTO_ICMPV6 },
	{ 99, 0 }, { -1, 0 }, { 0, -1 },
};

/* The six flags that do not depend on the host, every combination. */
static int diff_flags(unsigned bits)
{
	static const int f[] = { AI_PASSIVE, AI_CANONNAME, AI_NUMERICHOST, AI_NUMERICSERV,
				 AI_V4MAPPED, AI_ALL };
	int flags = 0;
	unsigned i;

	for (i = 0; i < 6; i++)
		if (bits & (1u << i))
			flags |= f[i];
	return flags;
}

static void diff_grid(struct diff *df, int extra_flags)
{
	size_t n, s, f, t;
	unsigned bits;

	/* Every node, family and flag combination, one service. */
	for (n = 0; n < sizeof(diff_nodes) / sizeof(diff_nodes[0]); n++) {
		int force = glibc_is_numeric_node(diff_nodes[n]) ? 0 : AI_NUMERICHOST;

		for (f = 0; f < sizeof(diff_families) / sizeof(diff_families[0]); f++)
			for (bits = 0; bits < 64; bits++)
				diff_one(df, diff_nodes[n], "80", diff_families[f], 0, 0,
					 diff_flags(bits) | force | extra_flags);
	}
	/* Every service, socket type and protocol, on a few nodes. */
	for (n = 0; n < 5; n++)
		for (s = 0; s < sizeof(diff_services) / sizeof(diff_services[0]); s++) {
			int kind = glibc_service_kind(diff_services[s]);
			static const int fl[] = { 0, AI_PASSIVE, AI_NUMERICSERV, AI_CANONNAME,
						  AI_V4MAPPED | AI_ALL };

			if (kind < 0)
				continue;
			for (f = 0; f < 3; f++)
				for (t = 0; t < sizeof(diff_types) / sizeof(diff_types[0]); t++)
					for (bits = 0; bits < sizeof(fl) / sizeof(fl[0]); bits++)
						diff_one(df, diff_nodes[n], diff_services[s],
							 diff_families[f], diff_types[t].st,
							 diff_types[t].pr,
							 fl[bits] | extra_flags |
								 (kind ? 0 : AI_NUMERICSERV));
		}
}

/* Action: numeric hosts and services, every flag but AI_ADDRCONFIG, every
 * family, socket type and protocol, good and bad text. Response: the same
 * codes and the same entries as glibc: family, socket type, protocol,
 * flags, the whole socket address (port, address, scope id, zeroed
 * padding) and the canonical name. */
TEST(ds9_gai_differential_glibc)
{
	static const int odd_flags[] = { 0x800, 0x1000, 0x40000000, AI_IDN, AI_CANONIDN, 0x100,
					 0x200, 0x300 | AI_IDN | AI_CANONIDN };
	struct diff df = { 0 };
	size_t i, n;

	diff_grid(&df, 0);
	for (i = 0; i < sizeof(odd_flags) / sizeof(odd_flags[0]); i++)
		for (n = 0; n < 5; n++)
			diff_one(&df, diff_nodes[n], "80", AF_UNSPEC, 0, 0, odd_flags[i]);
	printf("  %u calls, %u with entries\n", df.calls, df.answers);
	CHECK(df.calls > 20000 && df.answers > 5000);
	CHECK_EQ(df.failures, 0);
}

/* Action: the same grid with AI_ADDRCONFIG, against a duet stack given the
 * families the host has (glibc counts every address but 127.0.0.1 and ::1,
 * read here from getifaddrs(), the same netlink dump). Response: as glibc.
 * Skipped when the host's interfaces cannot be read. */
TEST(ds9_gai_differential_glibc_addrconfig)
{
	struct ifaddrs *ifs, *p;
	bool is_v4 = false, is_v6 = false;
	struct diff df = { 0 };
	int eth;
	struct duet_stack *s;

	if (getifaddrs(&ifs) != 0) {
		check_skip("getifaddrs failed: glibc then assumes both families");
		return;
	}
	for (p = ifs; p; p = p->ifa_next) {
		if (!p->ifa_addr)
			continue;
		if (p->ifa_addr->sa_family == AF_INET)
			is_v4 |= ((struct sockaddr_in *)p->ifa_addr)->sin_addr.s_addr !=
				 htonl(INADDR_LOOPBACK);
		if (p->ifa_addr->sa_family == AF_INET6)
			is_v6 |= !IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)p->ifa_addr)->sin6_addr);
	}
	freeifaddrs(ifs);
	s = mk_stack(&eth);
	if (is_v4)
		CHECK_EQ(duet_if_addr_add(s, (uint32_t)eth, AF_INET,
					  (const uint8_t[]){ 192, 0, 2, 1 }, 24, 0), 0);
	if (is_v6) {
		uint8_t a[16];

		CHECK_EQ(duet_addr6_pton("2001:db8::1", a), 0);
		CHECK_EQ(duet_if_addr_add(s, (uint32_t)eth, AF_INET6, a, 64, DUET_IFA_F_NODAD), 0);
	}
	printf("  host families: IPv4 %s, IPv6 %s\n", is_v4 ? "yes" : "no", is_v6 ? "yes" : "no");
	df.stack = s;
	diff_grid(&df, AI_ADDRCONFIG);
	CHECK_EQ(df.failures, 0);
	duet_stack_destroy(s);
}
