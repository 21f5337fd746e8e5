/* duet — the neighbour cache engine for ARP and ND: the RFC 4861 §7.2-§7.3
 * and Appendix C reachability state machine, also run for IPv4 (RFC 826,
 * RFC 1122 §2.3.2, RFC 5227), with bounded queues for packets awaiting
 * resolution. See neigh.h for the contract.
 *
 * Where Appendix C (a summary) and the text of §7.2.5 differ, the text
 * governs, as in Linux and the KAME stacks:
 *  - a solicited NA without a Target Link-Layer Address option confirms a
 *    known entry (REACHABLE): a unicast NUD probe's answer may omit it
 *    (§7.2.4), and NUD could never succeed otherwise;
 *  - an NA with Override clear and a different link-layer address turns a
 *    REACHABLE entry STALE whatever its Solicited flag (§7.2.5 "a."). */
#include "net/neigh.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <duet/clock.h>

#include "core/stack_internal.h"
#include "net/addr_fold.h"

struct neigh_entry {
	struct neigh_entry *hnext;                /* hash chain, or the free list */
	struct neigh_entry *lru_prev, *lru_next;  /* the STALE list, oldest first */
	struct neigh_table *table;
	struct duet_timer timer;                  /* the state's one timer */
	struct duet_pktq pending;                 /* packets awaiting resolution */
	uint64_t confirmed_ns;                    /* last reachability confirmation */
	uint32_t ifindex;
	uint8_t addr[16];
	uint8_t lladdr[6];
	uint8_t state;                            /* enum neigh_state */
	uint8_t probes;                           /* solicitations sent in this phase */
	bool is_used;
	bool is_router;
};

/* ---- the store: a fixed array, a free list, SipHash-keyed buckets ---- */

static bool neigh_ifindex_ok(const struct neigh_table *t, uint32_t ifindex)
{
	return ifindex >= 1 && ifindex <= t->max_ifindex;
}

static uint32_t neigh_hash(const struct neigh_table *t, uint32_t ifindex, const uint8_t *addr)
{
	uint8_t key[4 + 16];

	memcpy(key, &ifindex, 4);
	memcpy(key + 4, addr, t->cfg.addr_len);
	return (uint32_t)stack_table_hash(t->stack, key, 4u + t->cfg.addr_len) &
	       t->bucket_mask;
}

static struct neigh_entry *neigh_find(const struct neigh_table *t, uint32_t ifindex,
				      const uint8_t *addr)
{
	struct neigh_entry *e;

	if (!neigh_ifindex_ok(t, ifindex))
		return NULL;
	for (e = t->buckets[neigh_hash(t, ifindex, addr)]; e; e = e->hnext)
		if (e->ifindex == ifindex && net_addr_eq(e->addr, addr, t->cfg.addr_len))
			return e;
	return NULL;
}

/* neigh_find through the hint cache: O(1) either way, but a hit costs a
 * fold and a compare instead of the keyed hash. */
static struct neigh_entry *neigh_find_hinted(struct neigh_table *t, uint32_t ifindex,
					     const uint8_t *addr)
{
	struct neigh_entry **h =
		&t->hint[net_addr_fold(addr, t->cfg.addr_len, ifindex, NEIGH_HINT_BITS)];
	struct neigh_entry *e = *h;

	if (e && e->is_used && e->ifindex == ifindex &&
	    net_addr_eq(e->addr, addr, t->cfg.addr_len))
		return e;
	e = neigh_find(t, ifindex, addr);
	if (e)
		*h = e;
	return e;
}

static void neigh_lru_del(struct neigh_table *t, struct neigh_entry *e)
{
	if (e->lru_prev)
		e->lru_prev->lru_next = e->lru_next;
	else
		t->stale_oldest = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	else
		t->stale_newest = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
}

static void neigh_lru_add(struct neigh_table *t, struct neigh_entry *e)
{
	e->lru_next = NULL;
	e->lru_prev = t->stale_newest;
	if (t->stale_newest)
		t->stale_newest->lru_next = e;
	else
		t->stale_oldest = e;
	t->stale_newest = e;
}

/* Returns e to the free list: unhashed, timer cancelled, off the STALE list.
 * Its queue must be empty. */
static void neigh_free(struct neigh_table *t, struct neigh_entry *e)
{
	struct neigh_entry **pp = &t->buckets[neigh_hash(t, e->ifindex, e->addr)];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	duet_tw_cancel(&t->stack->timers, &e->timer);
	if (e->state == NEIGH_STALE)
		neigh_lru_del(t, e);
	e->is_used = false; /* a hint still naming e fails its check */
	e->hnext = t->free_list;
	t->free_list = e;
	t->count--;
}

/* Removes e, dropping whatever it still queues. */
static void neigh_destroy(struct neigh_table *t, struct neigh_entry *e)
{
	struct duet_pkt *pkt;

	while ((pkt = duet_pktq_pop(&e->pending)))
		stack_drop(t->stack, pkt, DUET_CTR_DROP_NEIGH_FLUSHED);
	neigh_free(t, e);
}

/* A new INCOMPLETE entry without link-layer address. When the table is
 * full, the entry STALE the longest is evicted (an unused, unverified one:
 * Linux's forced GC reclaims the same kind); entries in use (INCOMPLETE,
 * REACHABLE, DELAY, PROBE) are never evicted, so if none is STALE the
 * creation is refused. Returns NULL then. */
static struct neigh_entry *neigh_alloc(struct neigh_table *t, uint32_t ifindex,
				       const uint8_t *addr)
{
	struct neigh_entry *e = t->free_list;
	uint32_t b;

	if (!e) {
		if (!t->stale_oldest) {
			stack_count(t->stack, DUET_CTR_NEIGH_TABLE_FULL);
			return NULL;
		}
		stack_count(t->stack, DUET_CTR_NEIGH_EVICTED);
		neigh_destroy(t, t->stale_oldest);
		e = t->free_list;
	}
	t->free_list = e->hnext;
	e->ifindex = ifindex;
	memcpy(e->addr, addr, t->cfg.addr_len);
	memset(e->lladdr, 0, sizeof(e->lladdr));
	e->state = NEIGH_INCOMPLETE;
	e->probes = 0;
	e->is_router = false;
	e->confirmed_ns = 0;
	e->is_used = true;
	b = neigh_hash(t, ifindex, addr);
	e->hnext = t->buckets[b];
	t->buckets[b] = e;
	t->count++;
	return e;
}

/* ---- timing: RFC 4861 §6.3.2 ReachableTime, per interface ---- */

static uint64_t neigh_reachable_ns(struct neigh_table *t, uint32_t ifindex, uint64_t now)
{
	struct neigh_parms *p = &t->parms[ifindex];
	uint64_t lo_us;
	uint32_t span_us;

	if (p->reachable_ns && now < p->recompute_at_ns)
		return p->reachable_ns;
	/* Uniform in [MIN_RANDOM_FACTOR, MAX_RANDOM_FACTOR] = [0.5, 1.5] times
	 * BaseReachableTime, drawn again "at least every few hours". The base
	 * is at most 3,600,000 ms, so span_us + 1 fits 32 bits. */
	lo_us = p->base_reachable_ms * 500ull;
	span_us = p->base_reachable_ms * 1000u;
	p->reachable_ns = (lo_us + duet_rng_below(&t->stack->rng, span_us + 1)) * 1000u;
	p->recompute_at_ns = now + NEIGH_RECOMPUTE_REACHABLE_NS;
	return p->reachable_ns;
}

static uint64_t neigh_retrans_ns(const struct neigh_table *t, uint32_t ifindex)
{
	return t->parms[ifindex].retrans_ms * DUET_NS_PER_MS;
}

/* Time inside a timer callback: the wheel's, set to the timer's expiry, so
 * that timers chained from callbacks keep exact periods however late the
 * poll came. */
static uint64_t neigh_wheel_now(const struct neigh_table *t)
{
	return t->stack->timers.now_tick * DUET_TW_TICK_NS;
}

/* ---- entering a state (RFC 4861 §7.3.2, §7.3.3) ---- */

/* Moves e to state at time now and sets the state's timer. INCOMPLETE and
 * PROBE are armed by neigh_solicit(), which sends their first message.
 * REACHABLE again only records the confirmation: its timer checks the last
 * confirmation when it fires, so frequent confirmations cost no timer work. */
static void neigh_enter(struct neigh_table *t, struct neigh_entry *e, enum neigh_state state,
			uint64_t now)
{
	struct duet_timer_wheel *tw = &t->stack->timers;

	if (state == NEIGH_REACHABLE)
		e->confirmed_ns = now;
	if (state == NEIGH_REACHABLE && e->state == NEIGH_REACHABLE)
		return;
	if (e->state == NEIGH_STALE)
		neigh_lru_del(t, e);
	e->state = (uint8_t)state;
	e->probes = 0;
	switch (state) {
	case NEIGH_INCOMPLETE:
	case NEIGH_PROBE:
		break;
	case NEIGH_REACHABLE:
		duet_tw_arm(tw, &e->timer, now + neigh_reachable_ns(t, e->ifindex, now));
		break;
	case NEIGH_STALE:
		/* No timer: STALE entries stay until used, updated or evicted. */
		duet_tw_cancel(tw, &e->timer);
		neigh_lru_add(t, e);
		break;
	case NEIGH_DELAY:
		duet_tw_arm(tw, &e->timer, now + t->cfg.delay_first_probe_ms * DUET_NS_PER_MS);
		break;
	}
}

/* Sends one solicitation and arms the retransmit timer: multicast while
 * INCOMPLETE (§7.2.2), unicast to the cached address in PROBE (§7.3.3). */
static void neigh_solicit(struct neigh_table *t, struct neigh_entry *e, uint64_t now)
{
	bool is_unicast = e->state == NEIGH_PROBE;
	uint8_t target[16], ll[6];
	uint32_t ifindex = e->ifindex;

	e->probes++;
	duet_tw_arm(&t->stack->timers, &e->timer, now + neigh_retrans_ns(t, ifindex));
	stack_count(t->stack, is_unicast ? DUET_CTR_NEIGH_SOLICIT_UCAST : DUET_CTR_NEIGH_SOLICIT_MCAST);
	memcpy(target, e->addr, t->cfg.addr_len);
	memcpy(ll, e->lladdr, sizeof(ll));
	t->ops.solicit(t->ctx, ifindex, target, is_unicast ? ll : NULL);
}

static void neigh_set_lladdr(struct neigh_table *t, struct neigh_entry *e, const uint8_t *lladdr)
{
	if (e->state != NEIGH_INCOMPLETE)
		stack_count(t->stack, DUET_CTR_NEIGH_LLADDR_CHANGED);
	memcpy(e->lladdr, lladdr, sizeof(e->lladdr));
}

/* ---- sending ---- */

/* Sends pkt to e's cached address. "The first time a node sends a packet to
 * a neighbor whose entry is STALE, the sender changes the state to DELAY"
 * (§7.3.3). */
static void neigh_xmit(struct neigh_table *t, struct neigh_entry *e, struct duet_pkt *pkt,
		       uint64_t now)
{
	uint8_t ll[6];
	uint32_t ifindex = e->ifindex;

	memcpy(ll, e->lladdr, sizeof(ll));
	if (e->state == NEIGH_STALE)
		neigh_enter(t, e, NEIGH_DELAY, now);
	t->ops.output(t->ctx, ifindex, pkt, ll);
}

/* Resolution succeeded: sends the queued packets in arrival order (§7.2.2:
 * "transmit any queued packets"). The queue is detached first, so output()
 * may call back into the table. */
static void neigh_send_pending(struct neigh_table *t, struct neigh_entry *e, uint64_t now)
{
	struct duet_pktq q = e->pending;
	struct duet_pkt *pkt;
	uint32_t ifindex = e->ifindex;
	uint8_t ll[6];

	if (!q.len)
		return;
	duet_pktq_init(&e->pending, t->cfg.queue_limit);
	memcpy(ll, e->lladdr, sizeof(ll));
	if (e->state == NEIGH_STALE)
		neigh_enter(t, e, NEIGH_DELAY, now);
	while ((pkt = duet_pktq_pop(&q)))
		t->ops.output(t->ctx, ifindex, pkt, ll);
}

/* Queues pkt on an INCOMPLETE entry. "If the queue overflows, the new
 * arrival SHOULD replace the oldest entry" (§7.2.2); Linux drops the oldest
 * too (__neigh_event_send). */
static void neigh_queue(struct neigh_table *t, struct neigh_entry *e, struct duet_pkt *pkt)
{
	if (e->pending.len >= t->cfg.queue_limit)
		stack_drop(t->stack, duet_pktq_pop(&e->pending), DUET_CTR_DROP_NEIGH_QUEUE_FULL);
	pkt->ifindex = e->ifindex;
	duet_pktq_push(&e->pending, pkt);
}

/* Resolution or NUD failed: the entry is deleted and each queued packet is
 * handed back for an ICMP destination unreachable (§7.2.2, §7.3.3). */
static void neigh_fail(struct neigh_table *t, struct neigh_entry *e)
{
	struct duet_pktq q = e->pending;
	struct duet_pkt *pkt;

	duet_pktq_init(&e->pending, t->cfg.queue_limit);
	neigh_free(t, e);
	while ((pkt = duet_pktq_pop(&q))) {
		stack_count(t->stack, DUET_CTR_NEIGH_UNREACHABLE);
		t->ops.unreachable(t->ctx, pkt);
	}
}

/* ---- timer events (Appendix C) ---- */

/* INCOMPLETE, retransmit timeout: fewer than MAX_MULTICAST_SOLICIT sent:
 * retransmit NS, INCOMPLETE; else discard entry, send ICMP error. */
static void neigh_ev_incomplete_timeout(struct neigh_table *t, struct neigh_entry *e, uint64_t now)
{
	if (e->probes < t->cfg.max_multicast_solicit) {
		neigh_solicit(t, e, now);
		return;
	}
	stack_count(t->stack, DUET_CTR_NEIGH_RES_FAILED);
	neigh_fail(t, e);
}

/* REACHABLE, "timeout, more than N seconds since reachability confirm.":
 * STALE. A later confirmation moved the deadline: wait for it. */
static void neigh_ev_reachable_timeout(struct neigh_table *t, struct neigh_entry *e, uint64_t now)
{
	uint64_t deadline = e->confirmed_ns + neigh_reachable_ns(t, e->ifindex, now);

	if (deadline > now)
		duet_tw_arm(&t->stack->timers, &e->timer, deadline);
	else
		neigh_enter(t, e, NEIGH_STALE, now);
}

/* DELAY, delay timeout: send unicast NS probe, start retransmit timer, PROBE. */
static void neigh_ev_delay_timeout(struct neigh_table *t, struct neigh_entry *e, uint64_t now)
{
	neigh_enter(t, e, NEIGH_PROBE, now);
	neigh_solicit(t, e, now);
}

/* PROBE, retransmit timeout: fewer than MAX_UNICAST_SOLICIT sent:
 * retransmit NS, PROBE; else discard entry. */
static void neigh_ev_probe_timeout(struct neigh_table *t, struct neigh_entry *e, uint64_t now)
{
	if (e->probes < t->cfg.max_unicast_solicit) {
		neigh_solicit(t, e, now);
		return;
	}
	stack_count(t->stack, DUET_CTR_NEIGH_NUD_FAILED);
	neigh_fail(t, e);
}

static void neigh_timer_fire(struct duet_timer *timer, void *arg)
{
	struct neigh_entry *e = arg;
	struct neigh_table *t = e->table;
	uint64_t now = neigh_wheel_now(t);

	(void)timer;
	switch ((enum neigh_state)e->state) {
	case NEIGH_INCOMPLETE:
		neigh_ev_incomplete_timeout(t, e, now);
		break;
	case NEIGH_REACHABLE:
		neigh_ev_reachable_timeout(t, e, now);
		break;
	case NEIGH_DELAY:
		neigh_ev_delay_timeout(t, e, now);
		break;
	case NEIGH_PROBE:
		neigh_ev_probe_timeout(t, e, now);
		break;
	case NEIGH_STALE:
		break;
	}
}

/* ---- received information (Appendix C) ---- */

/* What to report once the entry's update is complete: IsRouter went from
 * TRUE to FALSE (§7.2.5), noted with copies of the key, since callbacks may
 * change the table. */
struct neigh_lost {
	bool is_lost;
	uint32_t ifindex;
	uint8_t addr[16];
};

static void neigh_lost_note(const struct neigh_table *t, const struct neigh_entry *e,
			    bool was_router, struct neigh_lost *lost)
{
	lost->is_lost = was_router && !e->is_router;
	lost->ifindex = e->ifindex;
	memcpy(lost->addr, e->addr, t->cfg.addr_len);
}

static void neigh_lost_report(struct neigh_table *t, const struct neigh_lost *lost)
{
	if (lost->is_lost && t->ops.router_lost)
		t->ops.router_lost(t->ctx, lost->ifindex, lost->addr);
}

/* No entry; NS, RS, RA, Redirect with a link-layer address: create entry,
 * STALE (§7.2.3, §6.2.6, §6.3.4, §8.3). A created entry's IsRouter is FALSE
 * unless the message says otherwise (§7.2.3). An NA never creates one:
 * "If no entry exists, the advertisement SHOULD be silently discarded"
 * (§7.2.5). */
static int neigh_ev_info_new(struct neigh_table *t, uint32_t ifindex, const uint8_t *addr,
			     const uint8_t *lladdr, unsigned flags, uint64_t now)
{
	struct neigh_entry *e;

	if ((flags & (NEIGH_UPD_ADVERT | NEIGH_UPD_NO_CREATE)) || !lladdr)
		return -ENOENT;
	e = neigh_alloc(t, ifindex, addr);
	if (!e)
		return -ENOBUFS;
	memcpy(e->lladdr, lladdr, sizeof(e->lladdr));
	e->is_router = (flags & NEIGH_UPD_SET_ROUTER) && (flags & NEIGH_UPD_ROUTER);
	neigh_enter(t, e, NEIGH_STALE, now);
	return 0;
}

/* INCOMPLETE; NA: record link-layer address, send queued packets;
 * Solicited=1: REACHABLE, Solicited=0: STALE; IsRouter from the R flag.
 * Without a Target Link-Layer Address option the NA "SHOULD [be] silently
 * discard[ed]" (§7.2.5). */
static int neigh_ev_na_incomplete(struct neigh_table *t, struct neigh_entry *e,
				  const uint8_t *lladdr, unsigned flags, uint64_t now)
{
	bool was_router = e->is_router;   /* an RA without SLLA may have set it */
	struct neigh_lost lost;

	if (!lladdr)
		return 0;
	neigh_set_lladdr(t, e, lladdr);
	e->is_router = flags & NEIGH_UPD_ROUTER;
	neigh_lost_note(t, e, was_router, &lost);
	stack_count(t->stack, DUET_CTR_NEIGH_RESOLVED);
	neigh_enter(t, e, (flags & NEIGH_UPD_SOLICITED) ? NEIGH_REACHABLE : NEIGH_STALE, now);
	neigh_send_pending(t, e, now);
	neigh_lost_report(t, &lost);
	return 0;
}

/* !INCOMPLETE; NA (§7.2.5):
 *   Override=0, different link-layer address: REACHABLE -> STALE, nothing
 *     else changes; in other states the NA is ignored ("MUST NOT update");
 *   otherwise: record a different address (Override=1); Solicited=1:
 *     REACHABLE; Solicited=0 and address changed: STALE; else unchanged;
 *     IsRouter from the R flag (TRUE -> FALSE: the router is lost). */
static int neigh_ev_na_known(struct neigh_table *t, struct neigh_entry *e,
			     const uint8_t *lladdr, unsigned flags, uint64_t now)
{
	bool is_new_ll = lladdr && memcmp(lladdr, e->lladdr, sizeof(e->lladdr)) != 0;
	bool was_router = e->is_router;
	struct neigh_lost lost;

	if (is_new_ll && !(flags & NEIGH_UPD_OVERRIDE)) {
		if (e->state == NEIGH_REACHABLE)
			neigh_enter(t, e, NEIGH_STALE, now);
		return 0;
	}
	if (is_new_ll)
		neigh_set_lladdr(t, e, lladdr);
	if (flags & NEIGH_UPD_SOLICITED)
		neigh_enter(t, e, NEIGH_REACHABLE, now);
	else if (is_new_ll)
		neigh_enter(t, e, NEIGH_STALE, now);
	e->is_router = flags & NEIGH_UPD_ROUTER;
	neigh_lost_note(t, e, was_router, &lost);
	neigh_lost_report(t, &lost);
	return 0;
}

/* An entry exists; NS, RS, RA, Redirect (unsolicited information):
 *   INCOMPLETE, link-layer address: record it, send queued packets, STALE;
 *   !INCOMPLETE, different link-layer address: update it, STALE;
 *   same address, or none: unchanged.
 * IsRouter changes only when the message states it (RA, Redirect). */
static int neigh_ev_info_known(struct neigh_table *t, struct neigh_entry *e,
			       const uint8_t *lladdr, unsigned flags, uint64_t now)
{
	bool was_router = e->is_router;
	struct neigh_lost lost;

	if (flags & NEIGH_UPD_SET_ROUTER)
		e->is_router = flags & NEIGH_UPD_ROUTER;
	neigh_lost_note(t, e, was_router, &lost);
	if (lladdr && e->state == NEIGH_INCOMPLETE) {
		neigh_set_lladdr(t, e, lladdr);
		stack_count(t->stack, DUET_CTR_NEIGH_RESOLVED);
		neigh_enter(t, e, NEIGH_STALE, now);
		neigh_send_pending(t, e, now);
	} else if (lladdr && memcmp(lladdr, e->lladdr, sizeof(e->lladdr)) != 0) {
		neigh_set_lladdr(t, e, lladdr);
		neigh_enter(t, e, NEIGH_STALE, now);
	}
	neigh_lost_report(t, &lost);
	return 0;
}

/* ---- the API ---- */

void neigh_config_init(struct neigh_config *cfg, uint8_t addr_len)
{
	*cfg = (struct neigh_config){
		.addr_len = addr_len, .max_entries = NEIGH_DEFAULT_MAX_ENTRIES,
		.queue_limit = NEIGH_DEFAULT_QUEUE_LIMIT, .retrans_ms = NEIGH_RETRANS_MS,
		.base_reachable_ms = NEIGH_BASE_REACHABLE_MS,
		.delay_first_probe_ms = NEIGH_DELAY_FIRST_PROBE_MS,
		.max_multicast_solicit = NEIGH_MAX_MULTICAST_SOLICIT,
		.max_unicast_solicit = NEIGH_MAX_UNICAST_SOLICIT,
	};
}

static bool neigh_config_ok(const struct neigh_config *cfg)
{
	return (cfg->addr_len == 4 || cfg->addr_len == 16) && cfg->max_entries >= 1 &&
	       cfg->max_entries <= NEIGH_MAX_ENTRIES_LIMIT && cfg->queue_limit >= 1 &&
	       cfg->base_reachable_ms >= 1 &&
	       cfg->base_reachable_ms <= NEIGH_MAX_BASE_REACHABLE_MS && cfg->retrans_ms >= 1 &&
	       cfg->delay_first_probe_ms >= 1 && cfg->max_multicast_solicit >= 1 &&
	       cfg->max_unicast_solicit >= 1;
}

static void neigh_parms_reset(struct neigh_table *t, uint32_t ifindex)
{
	t->parms[ifindex] = (struct neigh_parms){ .base_reachable_ms = t->cfg.base_reachable_ms,
						  .retrans_ms = t->cfg.retrans_ms };
}

/* Chains every entry onto the free list, lowest index first. */
static void neigh_init_entries(struct neigh_table *t)
{
	uint32_t i = t->cfg.max_entries;

	while (i--) {
		struct neigh_entry *e = &t->entries[i];
		e->table = t;
		duet_timer_init(&e->timer, neigh_timer_fire, e);
		duet_pktq_init(&e->pending, t->cfg.queue_limit);
		e->hnext = t->free_list;
		t->free_list = e;
	}
}

int neigh_init(struct neigh_table *table, struct duet_stack *stack,
	       const struct neigh_config *cfg, const struct neigh_ops *ops, void *ctx)
{
	uint32_t nbuckets = 16, i;

	memset(table, 0, sizeof(*table));
	if (!stack || !cfg || !ops || !ops->solicit || !ops->unreachable || !ops->output ||
	    !neigh_config_ok(cfg))
		return -EINVAL;
	while (nbuckets < cfg->max_entries)
		nbuckets <<= 1;
	table->stack = stack;
	table->cfg = *cfg;
	table->ops = *ops;
	table->ctx = ctx;
	table->max_ifindex = stack->max_ifaces;
	table->entries = calloc(cfg->max_entries, sizeof(*table->entries));
	table->buckets = calloc(nbuckets, sizeof(*table->buckets));
	table->parms = calloc((size_t)table->max_ifindex + 1, sizeof(*table->parms));
	if (!table->entries || !table->buckets || !table->parms) {
		neigh_fini(table);
		return -ENOMEM;
	}
	table->bucket_mask = nbuckets - 1;
	for (i = 0; i <= table->max_ifindex; i++)
		neigh_parms_reset(table, i);
	neigh_init_entries(table);
	return 0;
}

void neigh_fini(struct neigh_table *table)
{
	uint32_t i;

	for (i = 0; table->entries && i < table->cfg.max_entries; i++)
		if (table->entries[i].is_used)
			neigh_destroy(table, &table->entries[i]);
	free(table->entries);
	free(table->buckets);
	free(table->parms);
	memset(table, 0, sizeof(*table));
}

int neigh_resolve(struct neigh_table *table, uint32_t ifindex, const uint8_t *addr,
		  struct duet_pkt *pkt)
{
	uint64_t now = duet_stack_now(table->stack);
	struct neigh_entry *e;

	if (!neigh_ifindex_ok(table, ifindex)) {
		stack_drop(table->stack, pkt, DUET_CTR_DROP_NEIGH_BAD_IFINDEX);
		return -EINVAL;
	}
	e = neigh_find_hinted(table, ifindex, addr);
	if (e && e->state == NEIGH_INCOMPLETE) {
		neigh_queue(table, e, pkt);
		return 0;
	}
	if (e) {
		neigh_xmit(table, e, pkt, now);
		return 0;
	}
	/* No entry, packet to send: create entry, queue the packet, send
	 * multicast NS, start retransmit timer: INCOMPLETE (§7.2.2). */
	e = neigh_alloc(table, ifindex, addr);
	if (!e) {
		stack_drop(table->stack, pkt, DUET_CTR_DROP_NEIGH_TABLE_FULL);
		return -ENOBUFS;
	}
	neigh_queue(table, e, pkt);
	neigh_solicit(table, e, now);
	return 0;
}

int neigh_update(struct neigh_table *table, uint32_t ifindex, const uint8_t *addr,
		 const uint8_t *lladdr, unsigned flags)
{
	uint64_t now = duet_stack_now(table->stack);
	struct neigh_entry *e;

	if (!neigh_ifindex_ok(table, ifindex))
		return -EINVAL;
	e = neigh_find(table, ifindex, addr);
	if (!e)
		return neigh_ev_info_new(table, ifindex, addr, lladdr, flags, now);
	if (!(flags & NEIGH_UPD_ADVERT))
		return neigh_ev_info_known(table, e, lladdr, flags, now);
	if (e->state == NEIGH_INCOMPLETE)
		return neigh_ev_na_incomplete(table, e, lladdr, flags, now);
	return neigh_ev_na_known(table, e, lladdr, flags, now);
}

/* RFC 826's merge: an existing entry for the sender is always updated; a new
 * one is made only when we are the target. A reply unicast to us confirms
 * reachability (Linux arp_process: NUD_REACHABLE with override). An
 * unsolicited reply never creates an entry, as in Linux with arp_accept=0,
 * against cache poisoning (RFC 826 would add it). */
int neigh_update_arp(struct neigh_table *table, uint32_t ifindex, const uint8_t *spa,
		     const uint8_t sha[6], bool is_target_us, bool is_reply_to_us)
{
	unsigned flags;

	if (is_reply_to_us)
		flags = NEIGH_UPD_ADVERT | NEIGH_UPD_SOLICITED | NEIGH_UPD_OVERRIDE;
	else if (is_target_us)
		flags = 0;
	else
		flags = NEIGH_UPD_NO_CREATE;
	return neigh_update(table, ifindex, spa, sha, flags);
}

/* !INCOMPLETE; upper-layer reachability confirmation: REACHABLE (§7.3.1). */
int neigh_confirm(struct neigh_table *table, uint32_t ifindex, const uint8_t *addr)
{
	struct neigh_entry *e = neigh_find(table, ifindex, addr);

	if (!e || e->state == NEIGH_INCOMPLETE)
		return -ENOENT;
	neigh_enter(table, e, NEIGH_REACHABLE, duet_stack_now(table->stack));
	return 0;
}

static void neigh_fill_info(const struct neigh_table *t, const struct neigh_entry *e,
			    struct neigh_info *out)
{
	memset(out, 0, sizeof(*out));
	out->ifindex = e->ifindex;
	memcpy(out->addr, e->addr, t->cfg.addr_len);
	out->state = (enum neigh_state)e->state;
	out->has_lladdr = e->state != NEIGH_INCOMPLETE;
	memcpy(out->lladdr, e->lladdr, sizeof(out->lladdr));
	out->is_router = e->is_router;
	out->probes = e->probes;
	out->queued = e->pending.len;
	if (e->state == NEIGH_REACHABLE && t->parms[e->ifindex].reachable_ns)
		out->expires_ns = e->confirmed_ns + t->parms[e->ifindex].reachable_ns;
	else if (e->timer.is_armed)
		out->expires_ns = e->timer.expires_tick * DUET_TW_TICK_NS;
	else
		out->expires_ns = DUET_TIME_NEVER;
}

int neigh_lookup(const struct neigh_table *table, uint32_t ifindex, const uint8_t *addr,
		 struct neigh_info *out)
{
	const struct neigh_entry *e = neigh_find(table, ifindex, addr);

	if (!e)
		return -ENOENT;
	neigh_fill_info(table, e, out);
	return 0;
}

int neigh_delete(struct neigh_table *table, uint32_t ifindex, const uint8_t *addr)
{
	struct neigh_entry *e = neigh_find(table, ifindex, addr);

	if (!e)
		return -ENOENT;
	neigh_destroy(table, e);
	return 0;
}

uint32_t neigh_flush_iface(struct neigh_table *table, uint32_t ifindex)
{
	uint32_t i, n = 0;

	if (!neigh_ifindex_ok(table, ifindex))
		return 0;
	for (i = 0; i < table->cfg.max_entries; i++) {
		struct neigh_entry *e = &table->entries[i];
		if (e->is_used && e->ifindex == ifindex) {
			neigh_destroy(table, e);
			n++;
		}
	}
	neigh_parms_reset(table, ifindex);
	return n;
}

uint32_t neigh_walk(const struct neigh_table *table,
		    int (*fn)(void *arg, const struct neigh_info *info), void *arg)
{
	struct neigh_info info;
	uint32_t i, n = 0;

	for (i = 0; i < table->cfg.max_entries; i++) {
		if (!table->entries[i].is_used)
			continue;
		neigh_fill_info(table, &table->entries[i], &info);
		n++;
		if (fn(arg, &info))
			break;
	}
	return n;
}

/* RA Reachable Time (§6.3.4): "If the new value differs from the previous
 * value, the host SHOULD re-compute a new random ReachableTime value." */
int neigh_set_base_reachable(struct neigh_table *table, uint32_t ifindex, uint32_t ms)
{
	struct neigh_parms *p;

	if (!neigh_ifindex_ok(table, ifindex) || ms == 0 || ms > NEIGH_MAX_BASE_REACHABLE_MS)
		return -EINVAL;
	p = &table->parms[ifindex];
	if (p->base_reachable_ms != ms) {
		p->base_reachable_ms = ms;
		p->reachable_ns = 0;
	}
	return 0;
}

int neigh_set_retrans(struct neigh_table *table, uint32_t ifindex, uint32_t ms)
{
	if (!neigh_ifindex_ok(table, ifindex) || ms == 0)
		return -EINVAL;
	table->parms[ifindex].retrans_ms = ms;
	return 0;
}

uint64_t neigh_reachable_time_ns(struct neigh_table *table, uint32_t ifindex)
{
	if (!neigh_ifindex_ok(table, ifindex))
		return 0;
	return neigh_reachable_ns(table, ifindex, duet_stack_now(table->stack));
}

void neigh_stats(const struct neigh_table *table, struct neigh_stats *out)
{
	uint32_t b;

	memset(out, 0, sizeof(*out));
	out->entries = table->count;
	out->buckets = table->bucket_mask + 1;
	for (b = 0; b <= table->bucket_mask; b++) {
		const struct neigh_entry *e;
		uint32_t len = 0;
		for (e = table->buckets[b]; e; e = e->hnext)
			len++;
		if (len > out->longest_chain)
			out->longest_chain = len;
	}
}

const char *neigh_state_name(enum neigh_state state)
{
	static const char *const names[] = {
		[NEIGH_INCOMPLETE] = "INCOMPLETE", [NEIGH_REACHABLE] = "REACHABLE",
		[NEIGH_STALE] = "STALE",           [NEIGH_DELAY] = "DELAY",
		[NEIGH_PROBE] = "PROBE",
	};

	return (unsigned)state < sizeof(names) / sizeof(names[0]) ? names[state] : "?";
}
