/* duet — the routing table of one address family: connected prefixes,
 * static routes, default routes learned from Router Advertisements (RFC 4861
 * §6.3.4) and more-specific routes (RFC 4191), with longest-prefix match.
 *
 * Routes live in a fixed array sized at init; a hash table keyed (under the
 * stack's secret) by prefix length and masked prefix finds them, and a bitmap
 * of the prefix lengths present lets a lookup probe only those lengths,
 * longest first: at most one probe per length in use, whatever the number
 * of routes. Expired routes are skipped by lookups and removed by
 * route_expire().
 *
 * In front of the table sits a small direct-mapped cache of recent answers
 * (destination, interface) -> route, indexed by an unkeyed fold of the
 * destination: a sender talking to one peer resolves it once rather than
 * once per datagram and per layer. Collisions in the cache only cost a
 * miss (the keyed table answers), so an attacker choosing addresses gains
 * nothing. Every add and removal bumps the table's generation, which
 * invalidates all cached answers; a cached route that has since expired is
 * looked up again. */
#ifndef DUET_NET_ROUTE_H
#define DUET_NET_ROUTE_H

#include <stdbool.h>
#include <stdint.h>

struct duet_stack;

enum route_origin {
	ROUTE_CONNECTED,  /* an interface address's on-link prefix */
	ROUTE_STATIC,     /* configured */
	ROUTE_RA,         /* default router or Route Information from an RA */
};

struct route {
	uint8_t prefix[16];      /* masked to plen; the first addr_len bytes count */
	uint8_t plen;            /* prefix length in bits */
	bool has_gateway;        /* false: the destination is on-link */
	uint8_t gateway[16];
	uint32_t ifindex;        /* outgoing interface */
	uint32_t metric;         /* lower wins among equal prefixes */
	uint32_t mtu;            /* 0: the interface's */
	enum route_origin origin;
	uint64_t expires_ns;     /* 0: never */
};

struct route_slot;
struct route_cache_ent;

struct route_table {
	struct duet_stack *stack;
	uint8_t addr_len;                /* 4 or 16 */
	uint32_t max_routes;
	uint32_t count;
	uint64_t next_seq;               /* insertion order, for ties */
	uint32_t nbuckets;               /* a power of two */
	struct route_slot *slots;        /* [max_routes] */
	struct route_slot *free;         /* free list through slots */
	struct route_slot **buckets;     /* [nbuckets] */
	uint32_t plen_count[129];        /* routes per prefix length */
	uint64_t plen_bits[3];           /* bit p set: some route has length p */
	uint64_t gen;                    /* bumped by every add and removal */
	struct route_cache_ent *cache;   /* [ROUTE_CACHE_SLOTS] */
};

/* Prepares an empty table for addresses of addr_len bytes (4 or 16) holding
 * at most max_routes routes (1 .. 1,048,576). Returns 0, -EINVAL or -ENOMEM. */
int route_table_init(struct route_table *t, struct duet_stack *stack, uint8_t addr_len,
		     uint32_t max_routes);

/* Frees the table's memory. */
void route_table_fini(struct route_table *t);

/* Adds a copy of r. Returns 0; -EINVAL for a prefix length beyond the
 * address, bits set past the prefix length (as Linux does for IPv4), or
 * ifindex 0; -EEXIST when a route with the same prefix, length, interface
 * and gateway exists; -ENOSPC when the table is full. */
int route_add(struct route_table *t, const struct route *r);

/* Removes the route with this prefix and length, on ifindex (0: any) via
 * gateway (NULL: any). Returns 0 or -ESRCH (Linux's answer for a missing
 * route). */
int route_del(struct route_table *t, const uint8_t *prefix, uint8_t plen, uint32_t ifindex,
	      const uint8_t *gateway);

/* The best route to dst at time now: the longest matching prefix; among
 * routes of that prefix, the lowest metric, then the oldest. With oif != 0,
 * only routes through that interface count (a zone or a bound device). NULL
 * when none matches. The pointer is valid until the table changes. */
const struct route *route_lookup(const struct route_table *t, const uint8_t *dst, uint32_t oif,
				 uint64_t now_ns);

/* Removes every route through ifindex; returns how many. */
uint32_t route_flush_iface(struct route_table *t, uint32_t ifindex);

/* Removes every route expired at now_ns; returns how many. */
uint32_t route_expire(struct route_table *t, uint64_t now_ns);

/* Calls fn for every route, longest prefixes first; stops early when fn
 * returns non-zero. Returns the number visited. fn must not change t. */
uint32_t route_walk(const struct route_table *t, int (*fn)(const struct route *r, void *arg),
		    void *arg);

#endif
