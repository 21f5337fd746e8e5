/* duet — routing table with longest-prefix match by hashed prefix lengths
 * (RFC 4861 §5.2 next-hop determination, RFC 4191 more-specific routes). */
#include "net/route.h"

#include "core/stack_internal.h"
#include "net/addr_fold.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct route_slot {
	struct route r;
	struct route_slot *next;  /* bucket chain, or free list */
	uint64_t seq;
};

#define ROUTE_CACHE_BITS 6
#define ROUTE_CACHE_SLOTS (1u << ROUTE_CACHE_BITS)

/* One remembered answer: valid while gen equals the table's. */
struct route_cache_ent {
	uint8_t dst[16];
	uint32_t oif;
	uint64_t gen;                 /* 0: empty (the table's starts at 1) */
	const struct route_slot *s;   /* NULL: no route */
};

int route_table_init(struct route_table *t, struct duet_stack *stack, uint8_t addr_len,
		     uint32_t max_routes)
{
	uint32_t i;

	memset(t, 0, sizeof(*t));
	if ((addr_len != 4 && addr_len != 16) || max_routes == 0 || max_routes > (1u << 20))
		return -EINVAL;
	t->stack = stack;
	t->addr_len = addr_len;
	t->max_routes = max_routes;
	for (t->nbuckets = 16; t->nbuckets < max_routes; t->nbuckets <<= 1)
		;
	t->gen = 1;
	t->slots = calloc(max_routes, sizeof(*t->slots));
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	t->cache = calloc(ROUTE_CACHE_SLOTS, sizeof(*t->cache));
	if (!t->slots || !t->buckets || !t->cache) {
		route_table_fini(t);
		return -ENOMEM;
	}
	for (i = 0; i < max_routes; i++) {
		t->slots[i].next = t->free;
		t->free = &t->slots[i];
	}
	return 0;
}

void route_table_fini(struct route_table *t)
{
	free(t->slots);
	free(t->buckets);
	free(t->cache);
	t->slots = NULL;
	t->buckets = NULL;
	t->cache = NULL;
	t->count = 0;
}

/* Copies the first plen bits of a into out (addr_len bytes), zeroing the rest. */
static void route_mask(const struct route_table *t, const uint8_t *a, uint8_t plen, uint8_t *out)
{
	unsigned full = plen / 8u, i;

	memset(out, 0, 16);
	memcpy(out, a, full);
	if (plen % 8u)
		out[full] = (uint8_t)(a[full] & (0xff00u >> (plen % 8u)));
	for (i = t->addr_len; i < 16; i++)
		out[i] = 0;
}

static uint32_t route_bucket(const struct route_table *t, const uint8_t *masked, uint8_t plen)
{
	uint8_t key[17];

	key[0] = plen;
	memcpy(key + 1, masked, t->addr_len);
	return (uint32_t)stack_table_hash(t->stack, key, 1u + t->addr_len) & (t->nbuckets - 1);
}

static void route_plen_ref(struct route_table *t, uint8_t plen, int delta)
{
	t->plen_count[plen] = (uint32_t)((int)t->plen_count[plen] + delta);
	if (t->plen_count[plen])
		t->plen_bits[plen / 64] |= 1ull << (plen % 64);
	else
		t->plen_bits[plen / 64] &= ~(1ull << (plen % 64));
}

static bool route_same(const struct route_table *t, const struct route *a, const struct route *b)
{
	return a->plen == b->plen && a->ifindex == b->ifindex &&
	       a->has_gateway == b->has_gateway &&
	       memcmp(a->prefix, b->prefix, t->addr_len) == 0 &&
	       (!a->has_gateway || memcmp(a->gateway, b->gateway, t->addr_len) == 0);
}

int route_add(struct route_table *t, const struct route *r)
{
	uint8_t masked[16];
	struct route_slot *s;
	uint32_t b;

	if (r->plen > t->addr_len * 8u || r->ifindex == 0)
		return -EINVAL;
	route_mask(t, r->prefix, r->plen, masked);
	if (!net_addr_eq(masked, r->prefix, t->addr_len))
		return -EINVAL;
	b = route_bucket(t, masked, r->plen);
	for (s = t->buckets[b]; s; s = s->next)
		if (route_same(t, &s->r, r))
			return -EEXIST;
	if (!t->free)
		return -ENOSPC;
	s = t->free;
	t->free = s->next;
	s->r = *r;
	memcpy(s->r.prefix, masked, 16);
	s->seq = t->next_seq++;
	s->next = t->buckets[b];
	t->buckets[b] = s;
	t->count++;
	t->gen++;
	route_plen_ref(t, r->plen, +1);
	return 0;
}

/* Unlinks the slot at *pp from its bucket and frees it. */
static void route_remove_at(struct route_table *t, struct route_slot **pp)
{
	struct route_slot *s = *pp;

	*pp = s->next;
	route_plen_ref(t, s->r.plen, -1);
	memset(s, 0, sizeof(*s));
	s->next = t->free;
	t->free = s;
	t->count--;
	t->gen++;
}

int route_del(struct route_table *t, const uint8_t *prefix, uint8_t plen, uint32_t ifindex,
	      const uint8_t *gateway)
{
	uint8_t masked[16];
	struct route_slot **pp;

	if (plen > t->addr_len * 8u)
		return -ESRCH;
	route_mask(t, prefix, plen, masked);
	for (pp = &t->buckets[route_bucket(t, masked, plen)]; *pp; pp = &(*pp)->next) {
		const struct route *r = &(*pp)->r;
		if (r->plen != plen || memcmp(r->prefix, masked, t->addr_len) != 0 ||
		    (ifindex && r->ifindex != ifindex) ||
		    (gateway && (!r->has_gateway || memcmp(r->gateway, gateway, t->addr_len) != 0)))
			continue;
		route_remove_at(t, pp);
		return 0;
	}
	return -ESRCH;
}

/* The longest prefix length present that is <= p, or -1. */
static int route_plen_at_or_below(const struct route_table *t, int p)
{
	while (p >= 0) {
		uint64_t w = t->plen_bits[p / 64] & (~0ull >> (63 - p % 64));
		if (w)
			return (p / 64) * 64 + 63 - __builtin_clzll(w);
		p = (p / 64) * 64 - 1;
	}
	return -1;
}

static bool route_better(const struct route_slot *a, const struct route_slot *best)
{
	return !best || a->r.metric < best->r.metric ||
	       (a->r.metric == best->r.metric && a->seq < best->seq);
}

static const struct route_slot *route_lookup_table(const struct route_table *t, const uint8_t *dst,
						   uint32_t oif, uint64_t now_ns)
{
	int p = route_plen_at_or_below(t, t->addr_len * 8);

	for (; p >= 0; p = route_plen_at_or_below(t, p - 1)) {
		const struct route_slot *s, *best = NULL;
		uint8_t masked[16];
		route_mask(t, dst, (uint8_t)p, masked);
		for (s = t->buckets[route_bucket(t, masked, (uint8_t)p)]; s; s = s->next) {
			if (s->r.plen != p || !net_addr_eq(s->r.prefix, masked, t->addr_len) ||
			    (oif && s->r.ifindex != oif) ||
			    (s->r.expires_ns && s->r.expires_ns <= now_ns))
				continue;
			if (route_better(s, best))
				best = s;
		}
		if (best)
			return best;
	}
	return NULL;
}

/* The cache slot for (dst, oif) (see route.h). */
static struct route_cache_ent *route_cache_slot(const struct route_table *t, const uint8_t *dst,
						uint32_t oif)
{
	return &t->cache[net_addr_fold(dst, t->addr_len, oif, ROUTE_CACHE_BITS)];
}

const struct route *route_lookup(const struct route_table *t, const uint8_t *dst, uint32_t oif,
				 uint64_t now_ns)
{
	struct route_cache_ent *c = route_cache_slot(t, dst, oif);
	const struct route_slot *s;

	if (c->gen == t->gen && c->oif == oif && net_addr_eq(c->dst, dst, t->addr_len) &&
	    (!c->s || !c->s->r.expires_ns || c->s->r.expires_ns > now_ns))
		return c->s ? &c->s->r : NULL;
	s = route_lookup_table(t, dst, oif, now_ns);
	memcpy(c->dst, dst, t->addr_len);
	c->oif = oif;
	c->gen = t->gen;
	c->s = s;
	return s ? &s->r : NULL;
}

/* Removes every route for which drop(r, arg) is true; returns how many. */
static uint32_t route_remove_if(struct route_table *t,
				bool (*drop)(const struct route *r, const void *arg),
				const void *arg)
{
	uint32_t b, n = 0;

	for (b = 0; b < t->nbuckets; b++) {
		struct route_slot **pp = &t->buckets[b];
		while (*pp) {
			if (drop(&(*pp)->r, arg)) {
				route_remove_at(t, pp);
				n++;
			} else {
				pp = &(*pp)->next;
			}
		}
	}
	return n;
}

static bool route_on_iface(const struct route *r, const void *arg)
{
	return r->ifindex == *(const uint32_t *)arg;
}

static bool route_expired(const struct route *r, const void *arg)
{
	return r->expires_ns && r->expires_ns <= *(const uint64_t *)arg;
}

uint32_t route_flush_iface(struct route_table *t, uint32_t ifindex)
{
	return route_remove_if(t, route_on_iface, &ifindex);
}

uint32_t route_expire(struct route_table *t, uint64_t now_ns)
{
	return route_remove_if(t, route_expired, &now_ns);
}

uint32_t route_walk(const struct route_table *t, int (*fn)(const struct route *r, void *arg),
		    void *arg)
{
	uint32_t n = 0, i;
	int p;

	for (p = route_plen_at_or_below(t, t->addr_len * 8); p >= 0;
	     p = route_plen_at_or_below(t, p - 1)) {
		for (i = 0; i < t->max_routes; i++) {
			const struct route_slot *s = &t->slots[i];
			if (!s->r.ifindex || s->r.plen != p)
				continue;
			n++;
			if (fn(&s->r, arg))
				return n;
		}
	}
	return n;
}
