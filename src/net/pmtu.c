/* duet — the path MTU cache (RFC 8201 for IPv6, RFC 1191 for IPv4); see
 * net/pmtu.h. */
#include "net/pmtu.h"

#include <duet/clock.h>
#include <duet/random.h>

#include "core/stack_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PMTU_MAX_ENTRIES (1u << 20)

_Static_assert(sizeof(struct pmtu_dest) == 24, "pmtu_dest is hashed as bytes: no padding");

/* RFC 1191 §7: the plateaus, from the largest. */
static const uint32_t pmtu_plateaus[] = {
	65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68,
};
#define PMTU_NPLATEAUS (sizeof(pmtu_plateaus) / sizeof(pmtu_plateaus[0]))

void pmtu_config_init(struct pmtu_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_entries = 1024;
	cfg->expire_ms = 10 * 60 * 1000;
}

int pmtu_init(struct pmtu_cache *c, struct duet_stack *stack, const struct pmtu_config *cfg)
{
	uint32_t i, nbuckets = 1;

	memset(c, 0, sizeof(*c));
	if (!stack || !cfg || !cfg->max_entries || cfg->max_entries > PMTU_MAX_ENTRIES ||
	    !cfg->expire_ms)
		return -EINVAL;
	while (nbuckets < 2 * cfg->max_entries)
		nbuckets <<= 1;
	c->entries = calloc(cfg->max_entries, sizeof(*c->entries));
	c->buckets = malloc(nbuckets * sizeof(*c->buckets));
	if (!c->entries || !c->buckets) {
		pmtu_fini(c);
		return -ENOMEM;
	}
	c->stack = stack;
	c->cfg = *cfg;
	c->bucket_mask = nbuckets - 1;
	for (i = 0; i < nbuckets; i++)
		c->buckets[i] = -1;
	for (i = 0; i < cfg->max_entries; i++) {
		c->entries[i].newer = i + 1 < cfg->max_entries ? (int32_t)i + 1 : -1;
		c->entries[i].older = c->entries[i].hnext = -1;
	}
	c->free_head = 0;
	c->oldest = c->newest = -1;
	return 0;
}

void pmtu_fini(struct pmtu_cache *c)
{
	free(c->entries);
	free(c->buckets);
	memset(c, 0, sizeof(*c));
}

void pmtu_dest_v6(struct pmtu_dest *d, const uint8_t addr[16], uint32_t zone)
{
	memset(d, 0, sizeof(*d));
	d->family = PMTU_FAMILY_IPV6;
	d->zone = zone;
	memcpy(d->addr, addr, 16);
}

void pmtu_dest_v4(struct pmtu_dest *d, const uint8_t addr[4])
{
	memset(d, 0, sizeof(*d));
	d->family = PMTU_FAMILY_IPV4;
	memcpy(d->addr, addr, 4);
}

uint32_t pmtu_plateau_below(uint32_t len)
{
	size_t i;

	for (i = 0; i < PMTU_NPLATEAUS; i++)
		if (pmtu_plateaus[i] < len)
			return pmtu_plateaus[i];
	return PMTU_IPV4_MIN;
}

/* A copy of dest with the padding zeroed. */
static void pmtu_dest_canon(struct pmtu_dest *out, const struct pmtu_dest *dest)
{
	memset(out, 0, sizeof(*out));
	out->family = dest->family;
	out->zone = dest->zone;
	memcpy(out->addr, dest->addr, 16);
}

static uint32_t pmtu_bucket(const struct pmtu_cache *c, const struct pmtu_dest *dest)
{
	return (uint32_t)stack_table_hash(c->stack, dest, sizeof(*dest)) & c->bucket_mask;
}

static struct pmtu_entry *pmtu_lookup(struct pmtu_cache *c, const struct pmtu_dest *dest,
				      uint32_t bucket)
{
	int32_t i;

	for (i = c->buckets[bucket]; i >= 0; i = c->entries[i].hnext)
		if (memcmp(&c->entries[i].dest, dest, sizeof(*dest)) == 0)
			return &c->entries[i];
	return NULL;
}

static void pmtu_age_unlink(struct pmtu_cache *c, struct pmtu_entry *e)
{
	if (e->older >= 0)
		c->entries[e->older].newer = e->newer;
	else
		c->oldest = e->newer;
	if (e->newer >= 0)
		c->entries[e->newer].older = e->older;
	else
		c->newest = e->older;
}

/* Makes e the newest: entries age out in the order they were last set. */
static void pmtu_age_append(struct pmtu_cache *c, struct pmtu_entry *e)
{
	int32_t i = (int32_t)(e - c->entries);

	e->older = c->newest;
	e->newer = -1;
	if (c->newest >= 0)
		c->entries[c->newest].newer = i;
	else
		c->oldest = i;
	c->newest = i;
}

static void pmtu_remove(struct pmtu_cache *c, struct pmtu_entry *e, enum duet_counter why)
{
	int32_t i = (int32_t)(e - c->entries);
	int32_t *pp = &c->buckets[e->bucket];

	while (*pp != i)
		pp = &c->entries[*pp].hnext;
	*pp = e->hnext;
	pmtu_age_unlink(c, e);
	e->hnext = e->older = -1;
	e->newer = c->free_head;
	c->free_head = i;
	c->count--;
	stack_count(c->stack, why);
}

/* Removes the entries that aged out, oldest first (each once: O(1) amortised). */
static void pmtu_reap(struct pmtu_cache *c, uint64_t now_ns)
{
	while (c->oldest >= 0 && c->entries[c->oldest].expires_ns <= now_ns)
		pmtu_remove(c, &c->entries[c->oldest], DUET_CTR_PMTU_EXPIRED);
}

static struct pmtu_entry *pmtu_new(struct pmtu_cache *c, const struct pmtu_dest *dest,
				   uint32_t bucket)
{
	struct pmtu_entry *e;
	int32_t i;

	if (c->free_head < 0)
		pmtu_remove(c, &c->entries[c->oldest], DUET_CTR_PMTU_EVICTED);
	i = c->free_head;
	e = &c->entries[i];
	c->free_head = e->newer;
	e->dest = *dest;
	e->bucket = bucket;
	e->hnext = c->buckets[bucket];
	c->buckets[bucket] = i;
	pmtu_age_append(c, e);
	c->count++;
	return e;
}

/* The reported MTU as duet takes it: RFC 1191 §5 for a missing IPv4 value,
 * then the family's minimum (RFC 8201 §4, RFC 1191 §3). */
static uint32_t pmtu_effective(struct pmtu_cache *c, uint8_t family, uint32_t mtu,
			       uint32_t quoted_len)
{
	uint32_t min = family == PMTU_FAMILY_IPV6 ? PMTU_IPV6_MIN : PMTU_IPV4_MIN;

	if (family == PMTU_FAMILY_IPV4 && mtu == 0)
		mtu = pmtu_plateau_below(quoted_len);
	if (mtu < min) {
		stack_count(c->stack, DUET_CTR_PMTU_CLAMPED);
		mtu = min;
	}
	return mtu;
}

int pmtu_update(struct pmtu_cache *c, const struct pmtu_dest *dest_in, uint32_t mtu,
		uint32_t quoted_len, uint64_t now_ns)
{
	struct pmtu_dest dest;
	struct pmtu_entry *e;
	uint32_t bucket;

	if (dest_in->family != PMTU_FAMILY_IPV6 && dest_in->family != PMTU_FAMILY_IPV4)
		return -EINVAL;
	pmtu_dest_canon(&dest, dest_in);
	mtu = pmtu_effective(c, dest.family, mtu, quoted_len);
	pmtu_reap(c, now_ns);
	bucket = pmtu_bucket(c, &dest);
	e = pmtu_lookup(c, &dest, bucket);
	if (e && mtu > e->mtu) {
		/* RFC 8201 §4: a PTB never raises the estimate. */
		stack_count(c->stack, DUET_CTR_PMTU_IGNORED);
		return 0;
	}
	if (e && mtu == e->mtu) {
		/* The path still reports this value: the age starts again, as a
		 * larger MTU is to be tried only so long after the last PTB. */
		stack_count(c->stack, DUET_CTR_PMTU_IGNORED);
		e->expires_ns = now_ns + c->cfg.expire_ms * DUET_NS_PER_MS;
		pmtu_age_unlink(c, e);
		pmtu_age_append(c, e);
		return 0;
	}
	if (e) {
		pmtu_age_unlink(c, e);
		pmtu_age_append(c, e);
	} else {
		e = pmtu_new(c, &dest, bucket);
	}
	e->mtu = mtu;
	e->expires_ns = now_ns + c->cfg.expire_ms * DUET_NS_PER_MS;
	stack_count(c->stack, DUET_CTR_PMTU_LOWERED);
	if (c->cfg.changed)
		c->cfg.changed(c->cfg.ctx, &e->dest, mtu);
	return 1;
}

uint32_t pmtu_get(struct pmtu_cache *c, const struct pmtu_dest *dest_in, uint32_t link_mtu,
		  uint64_t now_ns)
{
	struct pmtu_dest dest;
	struct pmtu_entry *e;

	if (!c->count) /* the usual case: no path has reported a smaller MTU */
		return link_mtu;
	pmtu_dest_canon(&dest, dest_in);
	e = pmtu_lookup(c, &dest, pmtu_bucket(c, &dest));
	if (!e)
		return link_mtu;
	if (e->expires_ns <= now_ns) {
		/* RFC 8201 §4: after the timeout the estimate goes back to the
		 * first-hop MTU, and the path is probed again. */
		pmtu_remove(c, e, DUET_CTR_PMTU_EXPIRED);
		return link_mtu;
	}
	return e->mtu < link_mtu ? e->mtu : link_mtu;
}

uint32_t pmtu_count(const struct pmtu_cache *c)
{
	return c->count;
}
