/* duet — getaddrinfo() over a hosts table with glibc's semantics (DS-9):
 * RFC 3493 §6.1 flags (AI_PASSIVE, AI_CANONNAME, AI_NUMERICHOST,
 * AI_NUMERICSERV, AI_V4MAPPED, AI_ALL, AI_ADDRCONFIG), POSIX's EAI_* codes,
 * and where those leave room, what glibc 2.36's sysdeps/posix/getaddrinfo.c
 * does: the order of its checks, its socket type table, inet_aton() forms,
 * strtoul() ports, RFC 4007 §11 zones, the untranslated gai_strerror() texts.
 * No DNS, no files: names come from a struct duet_hosts. */
#include "socket/resolv_internal.h"

#include <duet/addr.h>
#include <duet/net.h>
#include <duet/stack.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* glibc's former AI_IDN_ALLOW_UNASSIGNED and AI_IDN_USE_STD3_ASCII_RULES,
 * still accepted and ignored. */
#define GAI_DEPRECATED_IDN 0x300
#define GAI_FLAGS (AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_ADDRCONFIG | AI_V4MAPPED | \
		   AI_IDN | AI_CANONIDN | GAI_DEPRECATED_IDN | AI_NUMERICSERV | AI_ALL)

/* glibc's socket type / protocol table, in its order (the first match wins).
 * SOCK_RAW takes any protocol and no service. */
static const struct gai_proto {
	int socktype, protocol;
	bool is_raw;       /* any protocol, no service */
	bool is_default;   /* returned when hints give neither type nor protocol */
	const char *name;  /* its protocol in the services table */
} gai_protos[] = {
	{ SOCK_STREAM, IPPROTO_TCP, false, true, "tcp" },
	{ SOCK_DGRAM, IPPROTO_UDP, false, true, "udp" },
	{ SOCK_DCCP, IPPROTO_DCCP, false, false, "dccp" },
	{ SOCK_DGRAM, IPPROTO_UDPLITE, false, false, "udplite" },
	{ SOCK_STREAM, IPPROTO_SCTP, false, false, "sctp" },
	{ SOCK_SEQPACKET, IPPROTO_SCTP, false, false, "sctp" },
	{ SOCK_RAW, 0, true, true, "raw" },
};
#define GAI_NPROTOS (sizeof(gai_protos) / sizeof(gai_protos[0]))

#define GAI_TCP 0x1u
#define GAI_UDP 0x2u

/* Well-known services, names and aliases as in Debian's /etc/services
 * (netbase), sorted by strcmp() for bsearch(). */
static const struct gai_servent {
	const char *name;
	uint16_t port;
	uint8_t protos;    /* GAI_TCP | GAI_UDP */
} gai_services[] = {
	{ "bootpc", 68, GAI_UDP },       { "bootps", 67, GAI_UDP },
	{ "daytime", 13, GAI_TCP | GAI_UDP }, { "discard", 9, GAI_TCP | GAI_UDP },
	{ "domain", 53, GAI_TCP | GAI_UDP }, { "echo", 7, GAI_TCP | GAI_UDP },
	{ "ftp", 21, GAI_TCP },          { "ftp-data", 20, GAI_TCP },
	{ "http", 80, GAI_TCP },         { "https", 443, GAI_TCP | GAI_UDP },
	{ "imap", 143, GAI_TCP },        { "imap2", 143, GAI_TCP },
	{ "imaps", 993, GAI_TCP },       { "ldap", 389, GAI_TCP | GAI_UDP },
	{ "mail", 25, GAI_TCP },         { "ntp", 123, GAI_UDP },
	{ "null", 9, GAI_TCP | GAI_UDP }, { "pop3", 110, GAI_TCP },
	{ "pop3s", 995, GAI_TCP },       { "sink", 9, GAI_TCP | GAI_UDP },
	{ "smtp", 25, GAI_TCP },         { "snmp", 161, GAI_TCP | GAI_UDP },
	{ "ssh", 22, GAI_TCP },          { "submission", 587, GAI_TCP },
	{ "syslog", 514, GAI_UDP },      { "telnet", 23, GAI_TCP },
	{ "tftp", 69, GAI_UDP },         { "time", 37, GAI_TCP | GAI_UDP },
	{ "timserver", 37, GAI_TCP | GAI_UDP }, { "www", 80, GAI_TCP },
};

/* The service argument, parsed. */
struct gai_service {
	const char *name;
	bool is_present;   /* neither NULL nor "" */
	bool is_numeric;   /* else looked up by name */
	uint16_t port;     /* numeric: host order */
};

/* One socket type, protocol and port (network order) to return. */
struct gai_st {
	int socktype, protocol;
	uint16_t port;
};

struct gai_addr {
	int family;
	uint8_t addr[16];
	uint32_t scope_id;
};

/* The addresses to return and the canonical name they came with. */
struct gai_list {
	struct gai_addr *v;
	size_t n;
	struct gai_addr local[2];
	const char *canon;
};

/* A result entry and its socket address in one allocation; the first also
 * holds the canonical name. */
struct gai_node {
	struct addrinfo ai;
	union {
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
	} sa;
	char canon[];
};

static int gai_servent_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct gai_servent *)elem)->name);
}

static const struct gai_servent *gai_getserv(const char *name, const char *proto)
{
	const struct gai_servent *s = bsearch(name, gai_services,
					      sizeof(gai_services) / sizeof(gai_services[0]),
					      sizeof(gai_services[0]), gai_servent_cmp);
	unsigned bit = strcmp(proto, "tcp") == 0 ? GAI_TCP : strcmp(proto, "udp") == 0 ? GAI_UDP : 0;

	return s && (s->protos & bit) ? s : NULL;
}

static bool gai_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* strtoul(s, &end, 10) in the C locale; returns end. */
static const char *gai_strtoul(const char *s, unsigned long *out)
{
	const char *p = s;
	unsigned long v = 0;
	bool is_neg = false, is_over = false;

	while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		p++;
	if (*p == '+' || *p == '-')
		is_neg = *p++ == '-';
	if (!gai_is_digit(*p)) {
		*out = 0;
		return s;
	}
	for (; gai_is_digit(*p); p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (ULONG_MAX - d) / 10)
			is_over = true;
		else
			v = v * 10 + d;
	}
	*out = is_over ? ULONG_MAX : is_neg ? -v : v;
	return p;
}

/* glibc: a service strtoul() reads wholly is a number, converted to int,
 * then to a 16-bit port; a negative int is looked up as a name. */
static int gai_parse_service(const char *service, int flags, struct gai_service *svc)
{
	unsigned long v;
	uint32_t as_int;

	memset(svc, 0, sizeof(*svc));
	if (!service || !service[0])
		return 0;
	svc->name = service;
	svc->is_present = true;
	if (*gai_strtoul(service, &v) != '\0')
		return flags & AI_NUMERICSERV ? EAI_NONAME : 0;
	as_int = (uint32_t)v; /* the low 32 bits, glibc's (int) conversion */
	svc->is_numeric = as_int <= INT32_MAX;
	svc->port = (uint16_t)as_int;
	return 0;
}

static bool gai_proto_match(const struct gai_proto *p, const struct addrinfo *req)
{
	return (req->ai_socktype == 0 || req->ai_socktype == p->socktype) &&
	       (req->ai_protocol == 0 || p->is_raw || req->ai_protocol == p->protocol);
}

static struct gai_st gai_st_make(const struct gai_proto *p, const struct addrinfo *req,
				 uint16_t port_host)
{
	return (struct gai_st){ p->socktype, p->is_raw ? req->ai_protocol : p->protocol,
				htons(port_host) };
}

/* The socket types to return (glibc's get_servtuples). */
static int gai_servtuples(const struct gai_service *svc, const struct addrinfo *req,
			  struct gai_st st[GAI_NPROTOS], size_t *n)
{
	const struct gai_proto *tp = NULL;
	const struct gai_servent *se;
	size_t i;

	*n = 0;
	if (req->ai_socktype || req->ai_protocol) {
		for (i = 0; i < GAI_NPROTOS && !tp; i++)
			if (gai_proto_match(&gai_protos[i], req))
				tp = &gai_protos[i];
		if (!tp)
			return req->ai_socktype ? EAI_SOCKTYPE : EAI_SERVICE;
	}
	if (svc->is_present && tp && tp->is_raw)
		return EAI_SERVICE;
	if (!svc->is_present || svc->is_numeric) {
		if (tp)
			st[(*n)++] = gai_st_make(tp, req, svc->port);
		for (i = 0; i < GAI_NPROTOS && !tp; i++)
			if (gai_protos[i].is_default)
				st[(*n)++] = gai_st_make(&gai_protos[i], req, svc->port);
		return 0;
	}
	for (i = 0; i < GAI_NPROTOS; i++) {
		const struct gai_proto *p = tp ? tp : &gai_protos[i];

		if (p->is_raw)
			continue;
		se = gai_getserv(svc->name, p->name);
		if (se)
			st[(*n)++] = gai_st_make(p, req, se->port);
		if (tp)
			break;
	}
	return *n ? 0 : EAI_SERVICE;
}

/* A part of an inet_aton() address: strtoul(p, &end, 0) from a digit;
 * returns end, *v above 0xffffffff when it does not fit. */
static const char *gai_aton_part(const char *p, uint64_t *v)
{
	unsigned base = 10;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    (gai_is_digit(p[2]) || ((p[2] | 0x20) >= 'a' && (p[2] | 0x20) <= 'f'))) {
		base = 16;
		p += 2;
	} else if (p[0] == '0') {
		base = 8;
	}
	for (*v = 0;; p++) {
		unsigned d;

		if (gai_is_digit(*p))
			d = (unsigned)(*p - '0');
		else if ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'f')
			d = (unsigned)((*p | 0x20) - 'a' + 10);
		else
			break;
		if (d >= base)
			break;
		if (*v <= 0xffffffffu)
			*v = *v * base + d;
	}
	return p;
}

/* glibc's __inet_aton_exact: "a.b.c.d", "a.b.c" (c 16 bits), "a.b" (b 24
 * bits), "a" (32 bits), each part decimal, 0x hex or 0 octal, nothing after. */
static bool gai_aton_exact(const char *s, uint8_t out[4])
{
	static const uint32_t max[4] = { 0xffffffffu, 0xffffffu, 0xffffu, 0xffu };
	uint32_t w = 0;
	uint64_t v;
	unsigned n = 0;

	for (;;) {
		if (!gai_is_digit(*s))
			return false;
		s = gai_aton_part(s, &v);
		if (v > 0xffffffffu)
			return false;
		if (*s != '.')
			break;
		if (n > 2 || v > 0xff)
			return false;
		w |= (uint32_t)v << (24 - 8 * n++);
		s++;
	}
	if (*s || v > max[n])
		return false;
	w |= (uint32_t)v;
	out[0] = (uint8_t)(w >> 24);
	out[1] = (uint8_t)(w >> 16);
	out[2] = (uint8_t)(w >> 8);
	out[3] = (uint8_t)w;
	return true;
}

/* The zone of a numeric IPv6 node (glibc's __inet6_scopeid_pton): an
 * interface name of stack for link-local unicast and interface/link-local
 * multicast, else a decimal number up to 2^32 - 1 (RFC 4007 §11.2). */
static int gai_zone(const struct duet_stack *stack, const uint8_t a[16], const char *zone,
		    uint32_t *scope_id)
{
	uint64_t v = 0;
	int idx;

	if (stack && (duet_addr6_is_linklocal(a) ||
		      (duet_addr6_is_multicast(a) && ((a[1] & 0x0f) == DUET_SCOPE_INTERFACE ||
						      (a[1] & 0x0f) == DUET_SCOPE_LINK)))) {
		idx = duet_stack_ifindex(stack, zone);
		if (idx > 0) {
			*scope_id = (uint32_t)idx;
			return 0;
		}
	}
	if (!gai_is_digit(*zone))
		return EAI_NONAME;
	for (; gai_is_digit(*zone); zone++)
		if (v <= UINT32_MAX)
			v = v * 10 + (uint64_t)(*zone - '0');
	if (*zone || v > UINT32_MAX)
		return EAI_NONAME;
	*scope_id = (uint32_t)v;
	return 0;
}

static void gai_list_add(struct gai_list *l, int family, const uint8_t *addr, uint32_t scope_id)
{
	struct gai_addr *a = &l->v[l->n++];

	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(a->addr, addr, family == AF_INET ? 4 : 16);
	a->scope_id = scope_id;
}

/* A numeric node (glibc's text_to_binary_address): 1 when it was one (the
 * address in l), 0 when not, or an EAI_* code. */
static int gai_numeric(const struct duet_stack *stack, const char *node,
		       const struct addrinfo *req, struct gai_list *l)
{
	const char *pct = strchr(node, '%');
	size_t len = pct ? (size_t)(pct - node) : strlen(node);
	char buf[DUET_ADDR6_STRLEN];
	uint8_t a[16], m[16];
	uint32_t scope_id = 0;
	int r;

	if (gai_aton_exact(node, a)) {
		if (req->ai_family == AF_INET6 && !(req->ai_flags & AI_V4MAPPED))
			return EAI_ADDRFAMILY;
		duet_addr6_set_v4mapped(m, a);
		if (req->ai_family == AF_INET6)
			gai_list_add(l, AF_INET6, m, 0);
		else
			gai_list_add(l, AF_INET, a, 0);
		return 1;
	}
	if (len >= sizeof(buf))
		return 0;
	memcpy(buf, node, len);
	buf[len] = '\0';
	if (duet_addr6_pton(buf, a) < 0)
		return 0;
	/* An IPv4-mapped address asked for as AF_INET is its IPv4 address. */
	if (req->ai_family == AF_INET && !duet_addr6_is_v4mapped(a))
		return EAI_ADDRFAMILY;
	if (pct && (r = gai_zone(stack, a, pct + 1, &scope_id)) != 0)
		return r;
	if (req->ai_family == AF_INET)
		gai_list_add(l, AF_INET, a + 12, 0);
	else
		gai_list_add(l, AF_INET6, a, scope_id);
	return 1;
}

/* node NULL: the wildcard or loopback addresses, for AF_UNSPEC in the order
 * glibc's RFC 6724 sort gives them on Linux (0.0.0.0 first, by rule 5, for
 * the wildcard; ::1 first, by rule 6, for the loopback). */
static void gai_local(const struct addrinfo *req, struct gai_list *l)
{
	static const uint8_t any[16], lo6[16] = { [15] = 1 }, lo4[4] = { 127, 0, 0, 1 };
	bool is_passive = req->ai_flags & AI_PASSIVE;

	if (req->ai_family != AF_INET6 && is_passive)
		gai_list_add(l, AF_INET, any, 0);
	if (req->ai_family != AF_INET)
		gai_list_add(l, AF_INET6, is_passive ? any : lo6, 0);
	if (req->ai_family != AF_INET6 && !is_passive)
		gai_list_add(l, AF_INET, lo4, 0);
}

static bool gai_is_localhost(const char *s)
{
	static const char lh[] = "localhost";
	size_t i;

	for (i = 0; i < sizeof(lh); i++)
		if ((s[i] >= 'A' && s[i] <= 'Z' ? s[i] | 0x20 : s[i]) != lh[i])
			return false;
	return true;
}

/* Appends the addresses of one family of a name, in table order (IPv4 ones
 * mapped when map is set). */
static void gai_table_pick(const struct duet_hosts *hosts, uint32_t first,
			   const struct resolv_host *builtin, size_t n_builtin, int family,
			   bool is_mapped, struct gai_list *l)
{
	uint32_t b = first;
	size_t i;

	for (i = 0; builtin ? i < n_builtin : b != RESOLV_NONE; i++) {
		const struct resolv_host *e = builtin ? &builtin[i] : resolv_hosts_entry(hosts, b);
		uint8_t m[16];

		if (!builtin)
			b = resolv_hosts_next(hosts, b);
		if (family != AF_UNSPEC && e->family != family)
			continue;
		if (!l->canon)
			l->canon = builtin ? "localhost" : resolv_hosts_canon(hosts, e);
		if (is_mapped) {
			duet_addr6_set_v4mapped(m, e->addr);
			gai_list_add(l, AF_INET6, m, 0);
		} else {
			gai_list_add(l, e->family, e->addr, e->scope_id);
		}
	}
}

/* A name from the table, or the built-in localhost, selected by family
 * (RFC 3493 §6.1 for AI_V4MAPPED and AI_ALL). */
static int gai_table(const struct duet_hosts *hosts, const char *node, const struct addrinfo *req,
		     struct gai_list *l)
{
	static const struct resolv_host localhost[2] = {
		{ .family = AF_INET6, .addr = { [15] = 1 } },
		{ .family = AF_INET, .addr = { 127, 0, 0, 1 } },
	};
	uint32_t first = resolv_hosts_first(hosts, node), b;
	const struct resolv_host *builtin = NULL;
	size_t n = 0, n6 = 0;

	if (first == RESOLV_NONE && !gai_is_localhost(node))
		return EAI_NONAME;
	if (first == RESOLV_NONE) {
		builtin = localhost;
		n = 2;
		n6 = 1;
	}
	for (b = first; b != RESOLV_NONE; b = resolv_hosts_next(hosts, b), n++)
		n6 += resolv_hosts_entry(hosts, b)->family == AF_INET6;
	if (n > 2) {
		l->v = malloc(n * sizeof(*l->v));
		if (!l->v)
			return EAI_MEMORY;
	}
	if (req->ai_family != AF_INET6) {
		gai_table_pick(hosts, first, builtin, n, req->ai_family, false, l);
	} else {
		gai_table_pick(hosts, first, builtin, n, AF_INET6, false, l);
		if ((req->ai_flags & AI_V4MAPPED) && ((req->ai_flags & AI_ALL) || n6 == 0))
			gai_table_pick(hosts, first, builtin, n, AF_INET, true, l);
	}
	return l->n ? 0 : EAI_NONAME;
}

/* Which families the stack has addresses of, by glibc's rule (__check_pf):
 * any address but 127.0.0.1 and ::1 counts. */
static int gai_seen(const struct duet_stack *stack, bool *is_v4, bool *is_v6)
{
	static const uint8_t lo6[16] = { [15] = 1 }, lo4[4] = { 127, 0, 0, 1 };
	struct duet_ifaddr local[32], *v = local;
	size_t cap = 32;
	int n, i;

	*is_v4 = *is_v6 = true; /* no stack: no filtering */
	if (!stack)
		return 0;
	n = duet_if_addrs(stack, 0, local, cap);
	if (n > 32) {
		cap = (size_t)n;
		v = malloc(cap * sizeof(*v));
		if (!v)
			return EAI_MEMORY;
		n = duet_if_addrs(stack, 0, v, cap);
	}
	if (n > (int)cap)
		n = (int)cap;
	*is_v4 = *is_v6 = false;
	for (i = 0; i < n; i++) {
		if (v[i].family == AF_INET && memcmp(v[i].addr, lo4, 4) != 0)
			*is_v4 = true;
		if (v[i].family == AF_INET6 && memcmp(v[i].addr, lo6, 16) != 0)
			*is_v6 = true;
	}
	if (v != local)
		free(v);
	return 0;
}

static int gai_addrconfig(const struct duet_stack *stack, struct addrinfo *req)
{
	bool is_v4, is_v6;
	int r = gai_seen(stack, &is_v4, &is_v6);

	if (r)
		return r;
	if (req->ai_family == AF_UNSPEC && (is_v4 || is_v6)) {
		if (is_v4 != is_v6)
			req->ai_family = is_v4 ? AF_INET : AF_INET6;
	} else if ((req->ai_family == AF_INET && !is_v4) || (req->ai_family == AF_INET6 && !is_v6)) {
		return EAI_NONAME;
	}
	return 0;
}

static bool gai_is_ascii(const char *s)
{
	for (; *s; s++)
		if ((uint8_t)*s >= 0x80)
			return false;
	return true;
}

static int gai_build(const struct addrinfo *req, const struct gai_list *l, const struct gai_st *st,
		     size_t nst, const char *canon, struct addrinfo **res)
{
	struct addrinfo *head = NULL, **tail = &head;
	size_t i, j;

	for (i = 0; i < l->n; i++) {
		const struct gai_addr *a = &l->v[i];

		for (j = 0; j < nst; j++) {
			size_t extra = canon && !head ? strlen(canon) + 1 : 0;
			struct gai_node *n = calloc(1, sizeof(*n) + extra);

			if (!n) {
				duet_freeaddrinfo(head);
				return EAI_MEMORY;
			}
			n->ai.ai_flags = req->ai_flags;
			n->ai.ai_family = a->family;
			n->ai.ai_socktype = st[j].socktype;
			n->ai.ai_protocol = st[j].protocol;
			n->ai.ai_addr = (struct sockaddr *)&n->sa;
			if (a->family == AF_INET6) {
				n->ai.ai_addrlen = sizeof(n->sa.v6);
				n->sa.v6.sin6_family = AF_INET6;
				n->sa.v6.sin6_port = st[j].port;
				memcpy(n->sa.v6.sin6_addr.s6_addr, a->addr, 16);
				n->sa.v6.sin6_scope_id = a->scope_id;
			} else {
				n->ai.ai_addrlen = sizeof(n->sa.v4);
				n->sa.v4.sin_family = AF_INET;
				n->sa.v4.sin_port = st[j].port;
				memcpy(&n->sa.v4.sin_addr.s_addr, a->addr, 4);
			}
			if (extra) {
				memcpy(n->canon, canon, extra);
				n->ai.ai_canonname = n->canon;
			}
			*tail = &n->ai;
			tail = &n->ai.ai_next;
		}
	}
	*res = head;
	return 0;
}

/* The addresses of node (glibc's gaih_inet after the service). */
static int gai_node_addrs(const struct duet_hosts *hosts, const struct duet_stack *stack,
			  const char *node, const struct addrinfo *req, struct gai_list *l)
{
	int r;

	if (!node) {
		gai_local(req, l);
		return 0;
	}
	if ((req->ai_flags & AI_IDN) && !gai_is_ascii(node))
		return EAI_IDN_ENCODE; /* as glibc without libidn2 */
	r = gai_numeric(stack, node, req, l);
	if (r == 1) {
		l->canon = node;
		return 0;
	}
	if (r)
		return r;
	if (req->ai_flags & AI_NUMERICHOST)
		return EAI_NONAME;
	return gai_table(hosts, node, req, l);
}

int duet_getaddrinfo(const struct duet_hosts *hosts, const struct duet_stack *stack,
		     const char *node, const char *service, const struct addrinfo *hints,
		     struct addrinfo **res)
{
	struct addrinfo req = { .ai_flags = AI_V4MAPPED | AI_ADDRCONFIG, .ai_family = AF_UNSPEC };
	struct gai_st st[GAI_NPROTOS];
	struct gai_service svc;
	struct gai_list l;
	size_t nst;
	int r;

	if (!res) {
		errno = EINVAL;
		return EAI_SYSTEM;
	}
	if (node && strcmp(node, "*") == 0)
		node = NULL;
	if (service && strcmp(service, "*") == 0)
		service = NULL;
	if (!node && !service)
		return EAI_NONAME;
	if (hints)
		req = *hints;
	if ((req.ai_flags & ~GAI_FLAGS) || ((req.ai_flags & AI_CANONNAME) && !node))
		return EAI_BADFLAGS;
	if (req.ai_family != AF_UNSPEC && req.ai_family != AF_INET && req.ai_family != AF_INET6)
		return EAI_FAMILY;
	if ((req.ai_flags & AI_ADDRCONFIG) && (r = gai_addrconfig(stack, &req)) != 0)
		return r;
	r = gai_parse_service(service, req.ai_flags, &svc);
	if (!r)
		r = gai_servtuples(&svc, &req, st, &nst);
	if (r)
		return r;
	memset(&l, 0, sizeof(l));
	l.v = l.local;
	r = gai_node_addrs(hosts, stack, node, &req, &l);
	if (!r)
		r = gai_build(&req, &l, st, nst, req.ai_flags & AI_CANONNAME ? l.canon : NULL, res);
	if (l.v != l.local)
		free(l.v);
	return r;
}

void duet_freeaddrinfo(struct addrinfo *res)
{
	while (res) {
		struct addrinfo *next = res->ai_next;

		free(res); /* the struct gai_node it begins */
		res = next;
	}
}

const char *duet_gai_strerror(int code)
{
	/* glibc's sysdeps/posix/gai_strerror-strs.h, untranslated. */
	switch (code) {
	case EAI_ADDRFAMILY: return "Address family for hostname not supported";
	case EAI_AGAIN: return "Temporary failure in name resolution";
	case EAI_BADFLAGS: return "Bad value for ai_flags";
	case EAI_FAIL: return "Non-recoverable failure in name resolution";
	case EAI_FAMILY: return "ai_family not supported";
	case EAI_MEMORY: return "Memory allocation failure";
	case EAI_NODATA: return "No address associated with hostname";
	case EAI_NONAME: return "Name or service not known";
	case EAI_SERVICE: return "Servname not supported for ai_socktype";
	case EAI_SOCKTYPE: return "ai_socktype not supported";
	case EAI_SYSTEM: return "System error";
	case EAI_INPROGRESS: return "Processing request in progress";
	case EAI_CANCELED: return "Request canceled";
	case EAI_NOTCANCELED: return "Request not canceled";
	case EAI_ALLDONE: return "All requests done";
	case EAI_INTR: return "Interrupted by a signal";
	case EAI_IDN_ENCODE: return "Parameter string not correctly encoded";
	default: return "Unknown error";
	}
}
