/* duet — IPv4-mapped address helpers (RFC 4291 §2.5.5.2) and the hosts
 * table behind duet_getaddrinfo() (hosts(5) text, DS-9). The resolver
 * itself is in resolv_gai.c. */
#include "socket/resolv_internal.h"

#include <duet/addr.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* --- IPv4-mapped helpers ------------------------------------------------------ */

void duet_in6_set_v4mapped(struct in6_addr *out, const struct in_addr *in)
{
	uint8_t a4[4];

	memcpy(a4, &in->s_addr, 4); /* first: in may point into out */
	duet_addr6_set_v4mapped(out->s6_addr, a4);
}

bool duet_in6_is_v4mapped(const struct in6_addr *a)
{
	return duet_addr6_is_v4mapped(a->s6_addr);
}

int duet_in6_get_v4(const struct in6_addr *a, struct in_addr *out)
{
	uint8_t a4[4];

	if (duet_addr6_get_v4mapped(a->s6_addr, a4) < 0)
		return -EINVAL;
	memcpy(&out->s_addr, a4, 4);
	return 0;
}

void duet_sockaddr_v4_to_v6(const struct sockaddr_in *in, struct sockaddr_in6 *out)
{
	struct in_addr a = in->sin_addr;
	in_port_t port = in->sin_port;

	/* DS-2: port kept, flowinfo 0, scope id 0. */
	memset(out, 0, sizeof(*out));
	out->sin6_family = AF_INET6;
	out->sin6_port = port;
	duet_in6_set_v4mapped(&out->sin6_addr, &a);
}

int duet_sockaddr_v6_to_v4(const struct sockaddr_in6 *in, struct sockaddr_in *out)
{
	struct in_addr a;
	in_port_t port = in->sin6_port;

	if (duet_in6_get_v4(&in->sin6_addr, &a) < 0)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	out->sin_port = port;
	out->sin_addr = a;
	return 0;
}

/* --- the hosts table ------------------------------------------------------------ */

/* A table is four arrays and an index: entries (one per address), names
 * (one per distinct name, case-folded), bindings (name -> entry, chained per
 * name in insertion order) and the text of the names; an open-addressing
 * hash of the names finds a name's first binding in O(1). */
struct hosts_name {
	uint32_t text;          /* offset in strings of the first spelling */
	uint32_t hash;          /* of the ASCII-lowercased name */
	uint32_t first, last;   /* its bindings, RESOLV_NONE if none */
};

struct duet_hosts {
	struct resolv_host *entries;
	uint32_t n_entries, cap_entries;
	struct hosts_name *names;
	uint32_t n_names, cap_names;
	struct resolv_bind *binds;
	uint32_t n_binds, cap_binds;
	char *strings;
	uint32_t n_strings, cap_strings;
	uint32_t *slots;        /* name index + 1; 0 = empty; n_slots a power of two */
	uint32_t n_slots;
};

/* How far a table has grown: what a failed load rolls back to. */
struct hosts_mark {
	uint32_t n_entries, n_names, n_binds, n_strings;
};

static char hosts_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* FNV-1a over the lowercased bytes. */
static uint32_t hosts_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (uint8_t)hosts_lower(s[i])) * 16777619u;
	return h;
}

static bool hosts_name_eq(const struct duet_hosts *h, const struct hosts_name *n,
			  const char *s, size_t len)
{
	const char *t = h->strings + n->text;
	size_t i;

	for (i = 0; i < len; i++)
		if (t[i] == '\0' || hosts_lower(t[i]) != hosts_lower(s[i]))
			return false;
	return t[len] == '\0';
}

static uint32_t hosts_find(const struct duet_hosts *h, const char *s, size_t len, uint32_t hash)
{
	uint32_t mask = h->n_slots - 1, i;

	if (h->n_slots == 0)
		return RESOLV_NONE;
	for (i = hash & mask; h->slots[i]; i = (i + 1) & mask) {
		const struct hosts_name *n = &h->names[h->slots[i] - 1];

		if (n->hash == hash && hosts_name_eq(h, n, s, len))
			return h->slots[i] - 1;
	}
	return RESOLV_NONE;
}

static void hosts_slot_insert(struct duet_hosts *h, uint32_t idx)
{
	uint32_t mask = h->n_slots - 1, i;

	for (i = h->names[idx].hash & mask; h->slots[i]; i = (i + 1) & mask)
		;
	h->slots[i] = idx + 1;
}

/* Rebuilds the index from names [0, n_names) into n_slots slots. */
static void hosts_reindex(struct duet_hosts *h)
{
	uint32_t i;

	memset(h->slots, 0, (size_t)h->n_slots * sizeof(*h->slots));
	for (i = 0; i < h->n_names; i++)
		hosts_slot_insert(h, i);
}

/* Grows an array to hold need elements of elem bytes (doubling). */
static int hosts_reserve(void **arr, uint32_t *cap, uint64_t need, size_t elem)
{
	uint64_t ncap = *cap ? *cap : 16;
	void *p;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	if (ncap > UINT32_MAX)
		ncap = UINT32_MAX;
	p = realloc(*arr, (size_t)ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = (uint32_t)ncap;
	return 0;
}

/* Makes room for one more entry with n names of text_bytes bytes in all, so
 * that hosts_insert cannot fail half-way. */
static int hosts_reserve_all(struct duet_hosts *h, unsigned n, uint64_t text_bytes)
{
	uint64_t slots = h->n_slots ? h->n_slots : 16;
	uint32_t *ns;
	int r;

	if (h->n_entries >= DUET_HOSTS_MAX_ADDRS || h->n_strings + text_bytes > UINT32_MAX)
		return -ENOSPC;
	r = hosts_reserve((void **)&h->entries, &h->cap_entries, h->n_entries + 1ull,
			  sizeof(*h->entries));
	if (!r)
		r = hosts_reserve((void **)&h->names, &h->cap_names, (uint64_t)h->n_names + n,
				  sizeof(*h->names));
	if (!r)
		r = hosts_reserve((void **)&h->binds, &h->cap_binds, (uint64_t)h->n_binds + n,
				  sizeof(*h->binds));
	if (!r)
		r = hosts_reserve((void **)&h->strings, &h->cap_strings, h->n_strings + text_bytes, 1);
	if (r)
		return r;
	while (slots < 2 * ((uint64_t)h->n_names + n)) /* load factor at most 1/2 */
		slots *= 2;
	if (slots == h->n_slots)
		return 0;
	ns = malloc((size_t)slots * sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	free(h->slots);
	h->slots = ns;
	h->n_slots = (uint32_t)slots;
	hosts_reindex(h);
	return 0;
}

static uint32_t hosts_text_add(struct duet_hosts *h, const char *s, size_t len)
{
	uint32_t off = h->n_strings;

	memcpy(h->strings + off, s, len);
	h->strings[off + len] = '\0';
	h->n_strings += (uint32_t)(len + 1);
	return off;
}

/* Binds names[0..n) (lens[i] bytes each, validated) to a new entry for
 * addr; names[0] is its canonical name. */
static int hosts_insert(struct duet_hosts *h, int family, const uint8_t *addr, uint32_t scope_id,
			const char *const *names, const size_t *lens, unsigned n)
{
	uint64_t text = lens[0] + 1;
	struct resolv_host *e;
	uint32_t ei;
	unsigned i;
	int r;

	for (i = 0; i < n; i++)
		text += lens[i] + 1;
	r = hosts_reserve_all(h, n, text);
	if (r)
		return r;
	ei = h->n_entries++;
	e = &h->entries[ei];
	memset(e, 0, sizeof(*e));
	e->family = family;
	memcpy(e->addr, addr, family == AF_INET ? 4 : 16);
	e->scope_id = scope_id;
	for (i = 0; i < n; i++) {
		uint32_t hash = hosts_hash(names[i], lens[i]);
		uint32_t ni = hosts_find(h, names[i], lens[i], hash);
		struct hosts_name *nm;

		if (ni == RESOLV_NONE) {
			ni = h->n_names++;
			nm = &h->names[ni];
			nm->text = hosts_text_add(h, names[i], lens[i]);
			nm->hash = hash;
			nm->first = nm->last = RESOLV_NONE;
			hosts_slot_insert(h, ni);
		}
		nm = &h->names[ni];
		if (i == 0) /* the canonical name as spelt on this line */
			e->canon = strncmp(h->strings + nm->text, names[0], lens[0]) == 0 &&
						   h->strings[nm->text + lens[0]] == '\0'
					   ? nm->text
					   : hosts_text_add(h, names[0], lens[0]);
		if (nm->last != RESOLV_NONE && h->binds[nm->last].entry == ei)
			continue; /* the same name twice on a line */
		h->binds[h->n_binds] = (struct resolv_bind){ .entry = ei, .next = RESOLV_NONE };
		if (nm->last == RESOLV_NONE)
			nm->first = h->n_binds;
		else
			h->binds[nm->last].next = h->n_binds;
		nm->last = h->n_binds++;
	}
	return 0;
}

static struct hosts_mark hosts_mark_get(const struct duet_hosts *h)
{
	return (struct hosts_mark){ h->n_entries, h->n_names, h->n_binds, h->n_strings };
}

/* Undoes everything added since m: bindings are chained in ascending order,
 * so each older name's chain is cut before the first newer binding. */
static void hosts_rollback(struct duet_hosts *h, struct hosts_mark m)
{
	uint32_t i, b;

	h->n_entries = m.n_entries;
	h->n_names = m.n_names;
	h->n_binds = m.n_binds;
	h->n_strings = m.n_strings;
	for (i = 0; i < h->n_names; i++) {
		struct hosts_name *nm = &h->names[i];

		if (nm->last < m.n_binds)
			continue;
		for (b = nm->first; h->binds[b].next < m.n_binds; b = h->binds[b].next)
			;
		h->binds[b].next = RESOLV_NONE;
		nm->last = b;
	}
	if (h->n_slots)
		hosts_reindex(h);
}

int duet_hosts_create(struct duet_hosts **out)
{
	struct duet_hosts *h = calloc(1, sizeof(*h));

	if (!h)
		return -ENOMEM;
	*out = h;
	return 0;
}

void duet_hosts_destroy(struct duet_hosts *h)
{
	if (!h)
		return;
	free(h->entries);
	free(h->names);
	free(h->binds);
	free(h->strings);
	free(h->slots);
	free(h);
}

size_t duet_hosts_count(const struct duet_hosts *h)
{
	return h ? h->n_entries : 0;
}

/* A name: 1..DUET_HOSTS_NAME_MAX bytes 0x21-0x7e. */
static bool hosts_name_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > DUET_HOSTS_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if ((uint8_t)s[i] < 0x21 || (uint8_t)s[i] > 0x7e)
			return false;
	return true;
}

/* Addresses that take a zone (RFC 4007 §6): link-local unicast, interface-
 * and link-local multicast. */
static bool hosts_is_scoped(const uint8_t a[16])
{
	return duet_addr6_is_linklocal(a) ||
	       (duet_addr6_is_multicast(a) && (a[1] & 0x0f) <= DUET_SCOPE_LINK);
}

static int hosts_add_one(struct duet_hosts *h, const char *name, int family, const uint8_t *a,
			 uint32_t scope_id)
{
	size_t len;

	if (!h || !name || !a)
		return -EINVAL;
	len = strlen(name);
	if (!hosts_name_valid(name, len))
		return -EINVAL;
	return hosts_insert(h, family, a, scope_id, &name, &len, 1);
}

int duet_hosts_add(struct duet_hosts *h, const char *name, int family, const void *addr)
{
	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	return hosts_add_one(h, name, family, addr, 0);
}

int duet_hosts_add_scoped(struct duet_hosts *h, const char *name, const struct in6_addr *addr,
			  uint32_t scope_id)
{
	if (addr && scope_id && !hosts_is_scoped(addr->s6_addr))
		return -EINVAL;
	return hosts_add_one(h, name, AF_INET6, addr ? addr->s6_addr : NULL, scope_id);
}

/* Parses a hosts-line address token ("%zone" numeric, on scoped addresses
 * only). Returns the family or -EINVAL. */
static int hosts_parse_addr(const char *tok, size_t len, uint8_t a[16], uint32_t *scope_id)
{
	char buf[DUET_ADDR6_ZSTRLEN], zone[DUET_ADDR_ZONE_MAX + 1];

	*scope_id = 0;
	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, tok, len);
	buf[len] = '\0';
	if (duet_addr4_pton(buf, a) == 0)
		return AF_INET;
	if (duet_addr6_pton_zone(buf, a, zone, sizeof(zone)) < 0)
		return -EINVAL;
	if (zone[0] && (duet_addr_zone_index(zone, scope_id) < 0 ||
			(*scope_id && !hosts_is_scoped(a))))
		return -EINVAL;
	return AF_INET6;
}

static bool hosts_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Parses and adds the line at *p (up to '\n' or the end), moving *p past
 * it. Returns 1 (an address added), 0 (nothing on the line) or an error. */
static int hosts_load_line(struct duet_hosts *h, const char **p)
{
	const char *tok[DUET_HOSTS_LINE_NAMES + 1];
	size_t len[DUET_HOSTS_LINE_NAMES + 1];
	const char *s = *p;
	unsigned n = 0, i;
	bool is_full = false;
	uint32_t scope_id;
	uint8_t a[16];
	int family, r;

	while (*s && *s != '\n' && *s != '#') {
		const char *t;

		while (hosts_is_blank(*s))
			s++;
		for (t = s; *s && *s != '\n' && *s != '#' && !hosts_is_blank(*s); s++)
			;
		if (s == t)
			continue;
		if (n == DUET_HOSTS_LINE_NAMES + 1)
			is_full = true;
		else {
			tok[n] = t;
			len[n++] = (size_t)(s - t);
		}
	}
	while (*s && *s != '\n')
		s++; /* the comment */
	*p = *s ? s + 1 : s;
	if (n == 0)
		return 0;
	if (n == 1 || is_full)
		return -EINVAL;
	family = hosts_parse_addr(tok[0], len[0], a, &scope_id);
	if (family < 0)
		return family;
	for (i = 1; i < n; i++)
		if (!hosts_name_valid(tok[i], len[i]))
			return -EINVAL;
	r = hosts_insert(h, family, a, scope_id, tok + 1, len + 1, n - 1);
	return r < 0 ? r : 1;
}

int duet_hosts_load(struct duet_hosts *h, const char *text, unsigned *bad_line)
{
	struct hosts_mark m;
	const char *p = text;
	unsigned line = 0;
	int count = 0, r;

	if (bad_line)
		*bad_line = 0;
	if (!h || !text)
		return -EINVAL;
	m = hosts_mark_get(h);
	while (*p) {
		line++;
		r = hosts_load_line(h, &p);
		if (r < 0) {
			hosts_rollback(h, m);
			if (bad_line)
				*bad_line = line;
			return r;
		}
		count += r;
	}
	return count;
}

uint32_t resolv_hosts_first(const struct duet_hosts *h, const char *name)
{
	size_t len = strlen(name);
	uint32_t ni;

	if (!h || len > DUET_HOSTS_NAME_MAX)
		return RESOLV_NONE;
	ni = hosts_find(h, name, len, hosts_hash(name, len));
	return ni == RESOLV_NONE ? RESOLV_NONE : h->names[ni].first;
}

uint32_t resolv_hosts_next(const struct duet_hosts *h, uint32_t bind)
{
	return h->binds[bind].next;
}

const struct resolv_host *resolv_hosts_entry(const struct duet_hosts *h, uint32_t bind)
{
	return &h->entries[h->binds[bind].entry];
}

const char *resolv_hosts_canon(const struct duet_hosts *h, const struct resolv_host *e)
{
	return h->strings + e->canon;
}
