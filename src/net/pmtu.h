/* duet — the path MTU cache: per-destination MTUs learnt from ICMPv6 Packet
 * Too Big (RFC 8201) and ICMPv4 Fragmentation Needed (RFC 1191), which only
 * lower an entry, never below the minimum, and age out after 10 minutes.
 *
 * Entries live in a fixed array (max_entries) under a hash table keyed with
 * the stack's SipHash secret, so an off-path sender cannot aim collisions;
 * when the cache is full the oldest entry gives way. Ageing is checked when
 * an entry is read or the cache written: no timers. */
#ifndef DUET_NET_PMTU_H
#define DUET_NET_PMTU_H

#include <stdbool.h>
#include <stdint.h>

struct duet_stack;

#define PMTU_FAMILY_IPV4 4u
#define PMTU_FAMILY_IPV6 6u
#define PMTU_IPV6_MIN 1280u   /* RFC 8200 §5 */
#define PMTU_IPV4_MIN 68u     /* RFC 791 §3.2, RFC 1191 §3 */

/* A destination. Build it with pmtu_dest_v6/v4 (every other byte zero). */
struct pmtu_dest {
	uint8_t family;          /* PMTU_FAMILY_* */
	uint8_t pad_[3];
	uint32_t zone;           /* interface for scoped destinations, else 0 */
	uint8_t addr[16];        /* IPv4: the first 4 bytes */
};

/* Told when a destination's path MTU was lowered (the hook for
 * IPV6_RECVPATHMTU, RFC 3542 §11.3), with the new value. Must not call back
 * into the cache. */
typedef void (*pmtu_change_fn)(void *ctx, const struct pmtu_dest *dest, uint32_t mtu);

struct pmtu_config {
	uint32_t max_entries;    /* destinations cached (1024) */
	uint64_t expire_ms;      /* age of an entry since it was last lowered (600,000) */
	pmtu_change_fn changed;  /* NULL: none */
	void *ctx;
};

struct pmtu_entry {
	struct pmtu_dest dest;
	uint64_t expires_ns;
	uint32_t mtu;
	uint32_t bucket;
	int32_t hnext;           /* hash chain; -1 ends it */
	int32_t older, newer;    /* by last update; free list in newer */
};

struct pmtu_cache {
	struct duet_stack *stack;
	struct pmtu_config cfg;
	struct pmtu_entry *entries;  /* [max_entries] */
	int32_t *buckets;            /* [bucket_mask + 1] */
	uint32_t bucket_mask;
	int32_t free_head;
	int32_t oldest, newest;
	uint32_t count;
};

/* Defaults: 1024 entries, 10 minutes (RFC 8201 §4 and RFC 1191 §6.3
 * recommend trying a larger MTU no sooner than 10 minutes after a PTB). */
void pmtu_config_init(struct pmtu_config *cfg);

/* Starts a cache on stack (counters and secret). Returns 0, -EINVAL (zero
 * or over 1,048,576 entries, zero expiry) or -ENOMEM. */
int pmtu_init(struct pmtu_cache *c, struct duet_stack *stack, const struct pmtu_config *cfg);

/* Frees the cache's tables. */
void pmtu_fini(struct pmtu_cache *c);

void pmtu_dest_v6(struct pmtu_dest *d, const uint8_t addr[16], uint32_t zone);
void pmtu_dest_v4(struct pmtu_dest *d, const uint8_t addr[4]);

/* The largest RFC 1191 §7 plateau below len (68 at least): the estimate for a
 * Fragmentation Needed without a Next-Hop MTU (RFC 1191 §5). */
uint32_t pmtu_plateau_below(uint32_t len);

/* Applies a Packet Too Big / Fragmentation Needed reporting mtu for dest.
 * IPv6: below 1280 counts as 1280 (RFC 8201 §4; duet never sends atomic
 * fragments instead, RFC 8021). IPv4: mtu 0 (a router predating RFC 1191)
 * becomes the plateau below quoted_len, the Total Length of the datagram
 * the message quotes (RFC 1191 §5); below 68 counts as 68. The entry is only
 * ever lowered (RFC 8201 §4, RFC 1191 §6.3: never raised by a message); a
 * value equal to the entry restarts its age, a higher one is ignored until
 * the entry ages out. Returns 1 when the path MTU was created or lowered
 * (the change hook ran), 0 when ignored, -EINVAL for a bad family. */
int pmtu_update(struct pmtu_cache *c, const struct pmtu_dest *dest, uint32_t mtu,
		uint32_t quoted_len, uint64_t now_ns);

/* The MTU to use towards dest over a link of link_mtu: min(entry, link_mtu),
 * or link_mtu when there is no live entry (an expired one is removed). */
uint32_t pmtu_get(struct pmtu_cache *c, const struct pmtu_dest *dest, uint32_t link_mtu,
		  uint64_t now_ns);

/* Entries held (expired ones not yet removed included). */
uint32_t pmtu_count(const struct pmtu_cache *c);

#endif
