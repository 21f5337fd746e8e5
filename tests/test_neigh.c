/* The neighbour cache engine (N-3 RFC 4861 §7.2-§7.3 and Appendix C, N-8
 * the ARP cache): every reachability transition on a virtual clock, packet
 * queues while resolving, failure handed back as unreachable, table limit
 * and eviction, interface flush, randomised ReachableTime, a 10,000-entry
 * hash table. Fake ops record what the engine asks the protocol side to do. */
#include "check.h"

#include <duet/clock.h>
#include <duet/stack.h>

#include "core/stack_internal.h"
#include "net/neigh.h"

#include <errno.h>

#define T0_NS DUET_NS_PER_S     /* the virtual clock starts at 1 s */
#define MAX_CALLS 64

static const uint8_t ll1[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t ll2[6] = { 0x02, 0, 0, 0, 0, 0x02 };

struct solicit_call {
	uint64_t time_ns;
	uint32_t ifindex;
	uint8_t target[16];
	bool is_unicast;
	uint8_t lladdr[6];
};

struct fixture {
	struct duet_vclock vc;
	struct duet_stack *stack;
	struct neigh_table nt;
	uint8_t alen;
	struct solicit_call sol[MAX_CALLS];
	uint32_t nsol;
	uint32_t out_tag[MAX_CALLS];
	uint8_t out_ll[MAX_CALLS][6];
	uint32_t nout;
	uint32_t unreach_tag[MAX_CALLS];
	uint32_t unreach_ifindex[MAX_CALLS];
	uint32_t nunreach;
	uint32_t nrouter_lost;
};

static uint32_t pkt_tag(struct duet_pkt *pkt)
{
	uint32_t tag;

	memcpy(&tag, duet_pkt_data(pkt), sizeof(tag));
	return tag;
}

static void fx_solicit(void *ctx, uint32_t ifindex, const uint8_t *target,
		       const uint8_t *unicast_lladdr)
{
	struct fixture *fx = ctx;
	struct solicit_call *c;

	if (fx->nsol == MAX_CALLS)
		return;
	c = &fx->sol[fx->nsol++];
	c->time_ns = duet_stack_now(fx->stack);
	c->ifindex = ifindex;
	memcpy(c->target, target, fx->alen);
	c->is_unicast = unicast_lladdr != NULL;
	if (unicast_lladdr)
		memcpy(c->lladdr, unicast_lladdr, 6);
}

static void fx_unreachable(void *ctx, struct duet_pkt *pkt)
{
	struct fixture *fx = ctx;

	if (fx->nunreach < MAX_CALLS) {
		fx->unreach_tag[fx->nunreach] = pkt_tag(pkt);
		fx->unreach_ifindex[fx->nunreach++] = pkt->ifindex;
	}
	duet_pkt_free(pkt);
}

static void fx_output(void *ctx, uint32_t ifindex, struct duet_pkt *pkt, const uint8_t lladdr[6])
{
	struct fixture *fx = ctx;

	(void)ifindex;
	if (fx->nout < MAX_CALLS) {
		fx->out_tag[fx->nout] = pkt_tag(pkt);
		memcpy(fx->out_ll[fx->nout++], lladdr, 6);
	}
	duet_pkt_free(pkt);
}

static void fx_router_lost(void *ctx, uint32_t ifindex, const uint8_t *addr)
{
	struct fixture *fx = ctx;

	(void)ifindex;
	(void)addr;
	fx->nrouter_lost++;
}

static const struct neigh_ops fx_ops = {
	.solicit = fx_solicit,
	.unreachable = fx_unreachable,
	.output = fx_output,
	.router_lost = fx_router_lost,
};

static void fx_setup_cfg(struct fixture *fx, const struct neigh_config *ncfg, uint64_t seed)
{
	struct duet_stack_config cfg;

	memset(fx, 0, sizeof(*fx));
	duet_vclock_init(&fx->vc, T0_NS);
	duet_stack_config_init(&cfg);
	cfg.clock = &fx->vc.clock;
	cfg.seed = seed;
	CHECK_EQ(duet_stack_create(&cfg, &fx->stack), 0);
	fx->alen = ncfg->addr_len;
	CHECK_EQ(neigh_init(&fx->nt, fx->stack, ncfg, &fx_ops, fx), 0);
}

static void fx_setup(struct fixture *fx, uint8_t alen)
{
	struct neigh_config ncfg;

	neigh_config_init(&ncfg, alen);
	fx_setup_cfg(fx, &ncfg, 1);
}

static void fx_teardown(struct fixture *fx)
{
	struct duet_pool_stats st;

	neigh_fini(&fx->nt);
	duet_pool_stats(duet_stack_pool(fx->stack), &st);
	CHECK_EQ(st.in_use, 0); /* nothing leaked */
	duet_stack_destroy(fx->stack);
}

/* Moves the virtual clock to T0 + ms and runs the stack. */
static void fx_at(struct fixture *fx, uint64_t ms)
{
	duet_vclock_set(&fx->vc, T0_NS + ms * DUET_NS_PER_MS);
	duet_stack_poll(fx->stack);
}

/* Moves the virtual clock to T0 + ns and runs the stack. */
static void fx_at_ns(struct fixture *fx, uint64_t ns)
{
	duet_vclock_set(&fx->vc, T0_NS + ns);
	duet_stack_poll(fx->stack);
}

static uint64_t ctr(struct fixture *fx, enum duet_counter id)
{
	return duet_stack_counter(fx->stack, id);
}

/* fe80::n or 192.0.2.n, by the table's address length. */
static const uint8_t *addr_n(struct fixture *fx, uint32_t n)
{
	static uint8_t a[8][16];
	static unsigned next;
	uint8_t *p = a[next++ % 8];

	memset(p, 0, 16);
	if (fx->alen == 4) {
		p[0] = 192; p[1] = 0; p[2] = 2; p[3] = (uint8_t)n;
	} else {
		p[0] = 0xfe; p[1] = 0x80;
		p[12] = (uint8_t)(n >> 24); p[13] = (uint8_t)(n >> 16);
		p[14] = (uint8_t)(n >> 8); p[15] = (uint8_t)n;
	}
	return p;
}

/* Sends a 4-byte packet carrying tag towards addr on interface 1. */
static int fx_send(struct fixture *fx, const uint8_t *addr, uint32_t tag)
{
	struct duet_pkt *pkt = duet_pkt_alloc(duet_stack_pool(fx->stack), 64, sizeof(tag));

	CHECK(pkt != NULL);
	memcpy(duet_pkt_data(pkt), &tag, sizeof(tag));
	return neigh_resolve(&fx->nt, 1, addr, pkt);
}

static enum neigh_state fx_state(struct fixture *fx, const uint8_t *addr)
{
	struct neigh_info info;

	CHECK_EQ(neigh_lookup(&fx->nt, 1, addr, &info), 0);
	return info.state;
}

static struct neigh_info fx_info(struct fixture *fx, const uint8_t *addr)
{
	struct neigh_info info;

	memset(&info, 0, sizeof(info));
	CHECK_EQ(neigh_lookup(&fx->nt, 1, addr, &info), 0);
	return info;
}

static int fx_na(struct fixture *fx, const uint8_t *addr, const uint8_t *ll, unsigned flags)
{
	return neigh_update(&fx->nt, 1, addr, ll, NEIGH_UPD_ADVERT | flags);
}

/* An NS with a Source Link-Layer Address option from addr (§7.2.3). */
static int fx_ns(struct fixture *fx, const uint8_t *addr, const uint8_t *ll)
{
	return neigh_update(&fx->nt, 1, addr, ll, 0);
}

/* Brings addr to state with link-layer address ll1 at the current time
 * (INCOMPLETE: one packet queued, tag 99). */
static void fx_make(struct fixture *fx, const uint8_t *addr, enum neigh_state state)
{
	uint64_t now_ms = (duet_stack_now(fx->stack) - T0_NS) / DUET_NS_PER_MS;

	if (state == NEIGH_INCOMPLETE) {
		CHECK_EQ(fx_send(fx, addr, 99), 0);
		CHECK_EQ(fx_state(fx, addr), NEIGH_INCOMPLETE);
		return;
	}
	CHECK_EQ(fx_ns(fx, addr, ll1), 0);
	if (state == NEIGH_REACHABLE)
		CHECK_EQ(neigh_confirm(&fx->nt, 1, addr), 0);
	if (state == NEIGH_DELAY || state == NEIGH_PROBE)
		CHECK_EQ(fx_send(fx, addr, 98), 0);
	if (state == NEIGH_PROBE)
		fx_at(fx, now_ms + NEIGH_DELAY_FIRST_PROBE_MS);
	CHECK_EQ(fx_state(fx, addr), state);
}

/* ---- address resolution (§7.2.2) ---- */

/* Action: three packets to an unknown neighbour, then a solicited NA with a
 * Target Link-Layer Address option. Response: one multicast NS at once, the
 * packets wait in the INCOMPLETE entry, the NA makes it REACHABLE and the
 * packets leave in order to the advertised address. */
TEST(neigh_incomplete_to_reachable_on_solicited_na_flushes_queue_in_order)
{
	struct fixture fx;
	const uint8_t *a;
	struct neigh_info info;

	fx_setup(&fx, 16);
	a = addr_n(&fx, 1);
	CHECK_EQ(fx_send(&fx, a, 1), 0);
	CHECK_EQ(fx_send(&fx, a, 2), 0);
	CHECK_EQ(fx_send(&fx, a, 3), 0);
	CHECK_EQ(fx.nsol, 1);
	CHECK(!fx.sol[0].is_unicast);
	CHECK_MEM(fx.sol[0].target, a, 16);
	CHECK_EQ(fx.nout, 0);
	info = fx_info(&fx, a);
	CHECK_EQ(info.state, NEIGH_INCOMPLETE);
	CHECK_EQ(info.queued, 3);
	CHECK_EQ(info.probes, 1);
	CHECK(!info.has_lladdr);
	fx_at(&fx, 500);
	CHECK_EQ(fx_na(&fx, a, ll2, NEIGH_UPD_SOLICITED), 0);
	CHECK_EQ(fx.nout, 3);
	CHECK_EQ(fx.out_tag[0], 1);
	CHECK_EQ(fx.out_tag[1], 2);
	CHECK_EQ(fx.out_tag[2], 3);
	CHECK_MEM(fx.out_ll[2], ll2, 6);
	info = fx_info(&fx, a);
	CHECK_EQ(info.state, NEIGH_REACHABLE);
	CHECK_EQ(info.queued, 0);
	CHECK_MEM(info.lladdr, ll2, 6);
	CHECK_EQ(ctr(&fx, DUET_CTR_NEIGH_RESOLVED), 1);
	CHECK_EQ(ctr(&fx, DUET_CTR_NEIGH_SOLICIT_MCAST), 1);
	fx_at(&fx, 5000);
	CHECK_EQ(fx.nsol, 1); /* no retransmission after resolution */
	CHECK_EQ(fx_send(&fx, a, 4), 0);
	CHECK_EQ(fx.nout, 4);  /* REACHABLE: sent at once */
	fx_teardown(&fx);
}

/* Action: two packets to a neighbour that never answers. Response: multicast
 * NS at 0, 1 and 2 s (RetransTimer apart, MAX_MULTICAST_SOLICIT in all); at
 * 3 s the entry is deleted and both packets are handed to unreachable() in
 * order, with their interface. */
TEST(neigh_incomplete_retransmits_then_fails_to_unreachable)
{
	struct fixture fx;
	const uint8_t *a;
	uint32_t i;

	fx_setup(&fx, 16);
	a = addr_n(&fx, 2);
	CHECK_EQ(fx_send(&fx, a, 1), 0);
	CHECK_EQ(fx_send(&fx, a, 2), 0);
	for (i = 250; i < 3000; i += 250)
		fx_at(&fx, i);
	fx_at(&fx, 2999);
	CHECK_EQ(fx.nsol, 3);
	for (i = 0; i < 3; i++) {
		CHECK_EQ(fx.sol[i].time_ns, T0_NS + i * DUET_NS_PER_S);
		CHECK(!fx.sol[i].is_unicast);
	}
	CHECK_EQ(fx_info(&fx, a).probes, 3);
	CHECK_EQ(fx.nunreach, 0);
	fx_at(&fx, 3000);
	CHECK_EQ(neigh_lookup(&fx.nt, 1, a, &(struct neigh_info){ 0 }), -ENOENT);
	CHECK_EQ(fx.nunreach, 2);
	CHECK_EQ(fx.unreach_tag[0], 1);
	CHECK_EQ(fx.unreach_tag[1], 2);
	CHECK_EQ(fx.unreach_ifindex[0], 1);
	CHECK_EQ(ctr(&fx, DUET_CTR_NEIGH_RES_FAILED), 1);
	CHECK_EQ(ctr(&fx, DUET_CTR_NEIGH_UNREACHABLE), 2);
	CHECK_EQ(ctr(&fx, DUET_CTR_NEIGH_SOLICIT_MCAST), 3);
	fx_at(&fx, 10000);
	CHECK_EQ(fx.nsol, 3);
	CHECK_EQ(fx.nt.count, 0);
	fx_teardown(&fx);
}

/* Action: two packets more than the default queue holds to an unresolved
 * neighbour. Response: each arrival beyond the limit replaces the oldest
 * (§7.2.2), counted as DROP_NEIGH_QUEUE_FULL; the NA releases the newest
 * ones, in order. */
TEST(neigh_incomplete_queue_overflow_drops_oldest)
{
	struct fixture fx;
	const uint8_t *a;
	uint32_t i, n = NEIGH_DEFAULT_QUEUE_LIMIT;

	fx_setup(&fx, 16);
	a = addr_n(&fx, 3);
	for (i = 1; i <= n + 2; i++)
		CHECK_EQ(fx_send(&fx, a, i), 0);
	CHECK_EQ(fx_info(&fx, a).queued, n);
	CHECK_EQ(ctr(&fx, DUET_CTR_DROP_NEIGH_QUEUE_FULL), 2);
	CHECK_EQ(fx.nsol, 1); /* packets to an INCOMPLETE entry solicit no more */
	CHECK_EQ(fx_na(&fx, a, ll1, NEIGH_UPD_SOLICITED | NEIGH_UPD_OVERRIDE), 0);
	CHECK_EQ(fx.nout, n);
	CHECK_EQ(fx.out_tag[0], 3);
	CHECK_EQ(fx.out_tag[1], 4);
	CHECK_EQ(fx.out_tag[n - 1], n + 2);
	fx_teardown(&fx);
}

/* Action: a configured queue limit of 1. Response: the newest packet is the
 * one kept. */
TEST(neigh_incomplete_queue_limit_knob)
{
	struct fixture fx;
	struct neigh_config cfg;
	const uint8_t *a;

	neigh_config_init(&cfg, 16);
	cfg.queue_limit = 1;
	fx_setup_cfg(&fx, &cfg, 1);
	a = addr_n(&fx, 3);
	CHECK_EQ(fx_send(&fx, a, 1), 0);
	CHECK_EQ(fx_send(&fx, a, 2), 0);
	CHECK_EQ(ctr(&fx, DUET_CTR_DROP_NEIGH_QUEUE_FULL), 1);
	CHECK_EQ(fx_na(&fx, a, ll1, NEIGH_UPD_SOLICITED), 0);
	CHECK_EQ(fx.nout, 1);
	CHECK_EQ(fx.out_tag[0], 2);
	fx_teardown(&fx);
}

/* ---- NUD (§7.3) ---- */

/* Action: a REACHABLE entry is left alone. Response: it turns STALE exactly
 * ReachableTime after the confirmation, not a millisecond before. */
TEST(neigh_reachable_to_stale_after_reachable_time)
{
	struct fixture fx;
	const uint8_t *a;
	uint64_t rt;

	fx_setup(&fx, 16);
	a = addr_n(&fx, 4);
	fx_make(&fx, a, NEIGH_INCOMPLETE);
	CHECK_EQ(fx_na(&fx, a, ll1, NEIGH_UPD_SOLICITED), 0);
	rt = neigh_reachable_time_ns(&fx.nt, 1);
	CHECK(rt >= 15 * DUET_NS_PER_S && rt <= 45 * DUET_NS_PER_S);
	CHECK_EQ(fx_info(&fx, a).expires_ns, T0_NS + rt);
	fx_at_ns(&fx, rt - DUET_NS_PER_MS);
	CHECK_EQ(fx_state(&fx, a), NEIGH_REACHABLE);
	fx_at_ns(&fx, rt);
	CHECK_EQ(fx_state(&fx, a), NEIGH_STALE);
	CHECK_EQ(fx_info(&fx, a).expires_ns, DUET_TIME_NEVER);
	fx_at_ns(&fx, 10 * rt);
	CHECK_EQ(fx_state(&fx, a), NEIGH_STALE); /* STALE keeps no timer */
	CHECK_EQ(fx.nsol, 1);
	fx_teardown(&fx);
}

/* Action: an upper-layer confirmation 100 ms before a REACHABLE entry would
 * go STALE. Response: it stays REACHABLE until ReachableTime after that
 * confirmation. */
TEST(neigh_reachable_confirm_extends_reachable_time)
{
	struct fixture fx;
	const uint8_t *a;
	uint64_t rt, ms100 = 100 * DUET_NS_PER_MS;

	fx_setup(&fx, 16);
	a = addr_n(&fx, 5);
	fx_make(&fx, a, NEIGH_REACHABLE);
	rt = neigh_reachable_time_ns(&fx.nt, 1);
	fx_at_ns(&fx, rt - ms100);
	CHECK_EQ(neigh_confirm(&fx.nt, 1, a), 0);
	fx_at_ns(&fx, rt + ms100);
	CHECK_EQ(fx_state(&fx, a), NEIGH_REACHABLE);
	fx_at_ns(&fx, 2 * rt - ms100 - 1000);
	CHECK_EQ(fx_state(&fx, a), NEIGH_REACHABLE);
	fx_at_ns(&fx, 2 * rt - ms100);
	CHECK_EQ(fx_state(&fx, a), NEIGH_STALE);
	fx_teardown(&fx);
}

/* Action: a packet to a STALE neighbour, no confirmation for 5 s, then a
 * solicited NA without a Target Link-Layer Address option. Response: the
 * packet leaves at once, DELAY; after DELAY_FIRST_PROBE_TIME a unicast NS
 * to the cached address, PROBE; the NA makes it REACHABLE (§7.2.5: the
 * option may be omitted in answer to a unicast NS). */
TEST(neigh_stale_send_to_delay_to_probe_to_reachable)
{
	struct fixture fx;
	const uint8_t *a;

	fx_setup(&fx, 16);
	a = addr_n(&fx, 6);
	fx_make(&fx, a, NEIGH_STALE);
	CHECK_EQ(fx.nsol, 0);
	CHECK_EQ(fx_send(&fx, a, 7), 0);
	CHECK_EQ(fx.nout, 1);
	CHECK_MEM(fx.out_ll[0], ll1, 6);
	CHECK_EQ(fx_state(&fx, a), NEIGH_DELAY);
	CHECK_EQ(fx_send(&fx, a, 8), 0);   /* DELAY: sent, no new timer */
	CHECK_EQ(fx.nout, 2);
	fx_at(&fx, 4999);
	CHECK_EQ(fx_state(&fx, a), NEIGH_DELAY);
	fx_at(&fx, 5000);
	CHECK_EQ(fx_state(&fx, a), NEIGH_PROBE);
	CHECK_EQ(fx.nsol, 1);
	CHECK(fx.sol[0].is_unicast);
	CHECK_MEM(fx.sol[0].lladdr, ll1, 6);
	CHECK_EQ(fx.sol[0].time_ns, T0_NS + 5 * DUET_NS_PER_S);
	CHECK_EQ(fx_send(&fx, a, 9), 0);   /* PROBE: still sent on the cached address */
	CHECK_EQ(fx.nout, 3);
	fx_at(&fx, 5500);
	CHECK_EQ(fx_na(&fx, a, NULL, NEIGH_UPD_SOLICITED), 0);
	CHECK_EQ(fx_state(&fx, a), NEIGH_REACHABLE);
	fx_at(&fx, 9000);
	CHECK_EQ(fx.nsol, 1);
	CHECK_EQ(ctr(&fx, DUET_CTR_NEIGH_SOLICIT_UCAST), 1);
	fx_teardown(&fx);
}

/* Action: a neighbour in PROBE never answers. Response: unicast NS at 5, 6
 * and 7 s (MAX_UNICAST_SOLICIT), the entry is deleted at 8 s; nothing was
 * queued, so nothing is unreachable. */
TEST(neigh_probe_removed_after_max_unicast_solicit)
{
	struct fixture fx;
	const uint8_t *a;
	uint32_t i;

	fx_setup(&fx, 16);
	a = addr_n(&fx, 7);
	fx_make(&fx, a, NEIGH_PROBE);
	for (i = 5000; i <= 7999; i += 500)
		fx_at(&fx, i);
	fx_at(&fx, 7999);
	CHECK_EQ(fx.nsol, 3);
	for (i = 0; i < 3; i++) {
		CHECK(fx.sol[i].is_unicast);
		CHECK_EQ(fx.sol[i].time_ns, T0_NS + (5 + i) * DUET_NS_PER_S);
	}
	CHECK_EQ(fx_info(&fx, a).probes, 3);
	fx_at(&fx, 8000);
	CHECK_EQ(neigh_lookup(&fx.nt, 1, a, &(struct neigh_info){ 0 }), -ENOENT);
	CHECK_EQ(ctr(&fx, DUET_CTR_NEIGH_NUD_FAILED), 1);
	CHECK_EQ(fx.nunreach, 0);
	/* The next packet starts resolution afresh. */
	CHECK_EQ(fx_send(&fx, a, 1), 0);
	CHECK_EQ(fx_state(&fx, a), NEIGH_INCOMPLETE);
	CHECK(!fx.sol[3].is_unicast);
	fx_teardown(&fx);
}

/* Action: an upper-layer confirmation (§7.3.1) in DELAY. Response:
 * REACHABLE, and no probe is sent when the delay would have expired. */
TEST(neigh_delay_upper_layer_confirm_to_reachable)
{
	struct fixture fx;
	const uint8_t *a;

	fx_setup(&fx, 16);
	a = addr_n(&fx, 8);
	fx_make(&fx, a, NEIGH_DELAY);
	fx_at(&fx, 1000);
	CHECK_EQ(neigh_confirm(&fx.nt, 1, a), 0);
	CHECK_EQ(fx_state(&fx, a), NEIGH_REACHABLE);
	fx_at(&fx, 6000);
	CHECK_EQ(fx.nsol, 0);
	CHECK_EQ(fx_state(&fx, a), NEIGH_REACHABLE);
	fx_teardown(&fx);
}

/* Action: upper-layer confirmation in STALE and PROBE; in INCOMPLETE and for
 * an unknown address. Response: REACHABLE for the first two (probing
 * stops); -ENOENT and no change for the others. */
TEST(neigh_appc_known_upper_layer_confirm_to_reachable)
{
	struct fixture fx;
	const uint8_t *a, *b, *c;

	fx_setup(&fx, 16);
	a = addr_n(&fx, 9);
	b = addr_n(&fx, 10);
	c = addr_n(&fx, 11);
	fx_make(&fx, a, NEIGH_STALE);
	fx_make(&fx, b, NEIGH_PROBE);
	fx_make(&fx, c, NEIGH_INCOMPLETE);
	CHECK_EQ(neigh_confirm(&fx.nt, 1, a), 0);
	CHECK_EQ(neigh_confirm(&fx.nt, 1, b), 0);
	CHECK_EQ(neigh_confirm(&fx.nt, 1, c), -ENOENT);
	CHECK_EQ(neigh_confirm(&fx.nt, 1, addr_n(&fx, 12)), -ENOENT);
	CHECK_EQ(fx_state(&fx, a), NEIGH_REACHABLE);
	CHECK_EQ(fx_state(&fx, b), NEIGH_REACHABLE);
	CHECK_EQ(fx_state(&fx, c), NEIGH_INCOMPLETE);
	fx_teardown(&fx);
}

/* ---- Appendix C: Neighbour Advertisements ---- */

/* Action: an unsolicited NA (Solicited=0, Override=0 and =1) with a link-
 * layer address for an INCOMPLETE entry. Response: address recorded, STALE,
 * queued packets sent, and since they were sent while STALE: DELAY. */
TEST(neigh_appc_incomplete_na_unsolicited_to_stale)
{
	struct fixture fx;
	const uint8_t *a, *b;

	fx_setup(&fx, 16);
	a = addr_n(&fx, 20);
	b = addr_n(&fx, 21);
	fx_make(&fx, a, NEIGH_INCOMPLETE);
	fx_make(&fx, b, NEIGH_INCOMPLETE);
	CHECK_EQ(fx_na(&fx, a, ll1, 0), 0);
	CHECK_EQ(fx_na(&fx, b, ll2, NEIGH_UPD_OVERRIDE), 0);
	CHECK_EQ(fx.nout, 2);
	CHECK_MEM(fx.out_ll[1], ll2, 6);
	CHECK_EQ(fx_state(&fx, a), NEIGH_DELAY);
	CHECK_EQ(fx_state(&fx, b), NEIGH_DELAY);
	fx_teardown(&fx);
}

/* Action: solicited NAs with Override=0 and Override=1 for INCOMPLETE
 * entries, with the Router flag. Response: REACHABLE, IsRouter set. */
TEST(neigh_appc_incomplete_na_solicited_to_reachable)
{
	struct fixture fx;
	const uint8_t *a, *b;

	fx_setup(&fx, 16);
	a = addr_n(&fx, 22);
	b = addr_n(&fx, 23);
	fx_make(&fx, a, NEIGH_INCOMPLETE);
	fx_make(&fx, b, NEIGH_INCOMPLETE);
	CHECK_EQ(fx_na(&fx, a, ll1, NEIGH_UPD_SOLICITED | NEIGH_UPD_ROUTER), 0);
	CHECK_EQ(fx_na(&fx, b, ll1, NEIGH_UPD_SOLICITED | NEIGH_UPD_OVERRIDE), 0);
	CHECK_EQ(fx_state(&fx, a), NEIGH_REACHABLE);
	CHECK_EQ(fx_state(&fx, b), NEIGH_REACHABLE);
	CHECK(fx_info(&fx, a).is_router);
	CHECK(!fx_info(&fx, b).is_router);
	CHECK_EQ(fx.nout, 2);
	fx_teardown(&fx);
}

/* Action: an NA without a Target Link-Layer Address option for an
 * INCOMPLETE entry. Response: silently discarded (§7.2.5); the entry keeps
 * resolving. */
TEST(neigh_appc_incomplete_na_without_tlla_ignored)
{
	struct fixture fx;
	const uint8_t *a;

	fx_setup(&fx, 16);
	a = addr_n(&fx, 24);
	fx_make(&fx, a, NEIGH_INCOMPLETE);
	CHECK_EQ(fx_na(&fx, a, NULL, NEIGH_UPD_SOLICITED | NEIGH_UPD_OVERRIDE), 0);
	CHECK_EQ(fx_state(&fx, a), NEIGH_INCOMPLETE);
	CHECK_EQ(fx_info(&fx, a).queued, 1);
	CHECK_EQ(fx.nout, 0);
	fx_at(&fx, 1000);
	CHECK_EQ(fx.nsol, 2);
	fx_teardown(&fx);
}

/* Action: an NA for an address with no entry. Response: discarded, no entry
 * created (§7.2.5). */
TEST(neigh_appc_none_na_creates_nothing)
{
	struct fixture fx;
	const uint8_t *a;

	fx_setup(&fx, 16);
	a = addr_n(&fx, 25);
	CHECK_EQ(fx_na(&fx, a, ll1, NEIGH_UPD_SOLICITED | NEIGH_UPD_OVERRIDE), -ENOENT);
	CHECK_EQ(fx.nt.count, 0);
	fx_teardown(&fx);
}

/* Action: NA Solicited=1, Override=0 with the cached address, in STALE, DELAY
 * and PROBE. Response: REACHABLE. */
TEST(neigh_appc_known_na_solicited_same_lladdr_to_reachable)
{
	static const enum neigh_state from[] = { NEIGH_STALE, NEIGH_DELAY, NEIGH_PROBE };
	struct fixture fx;
	uint32_t i;

	for (i = 0; i < 3; i++) {
		const uint8_t *a;
		fx_setup(&fx, 16);
		a = addr_n(&fx, 30);
		fx_make(&fx, a, from[i]);
		CHECK_EQ(fx_na(&fx, a, ll1, NEIGH_UPD_SOLICITED), 0);
		CHECK_EQ(fx_state(&fx, a), NEIGH_REACHABLE);
		fx_teardown(&fx);
	}
}

/* Action: NA without a link-layer address, Solicited=0, any Override, in
 * each known state, first with R=1, then R=0. Response: state unchanged,
 * IsRouter updated each time; TRUE -> FALSE reports the router lost. */
TEST(neigh_appc_known_na_without_tlla_updates_isrouter_only)
{
	static const enum neigh_state from[] = { NEIGH_REACHABLE, NEIGH_STALE, NEIGH_DELAY,
						 NEIGH_PROBE };
	struct fixture fx;
	uint32_t i;

	for (i = 0; i < 4; i++) {
		const uint8_t *a;
		fx_setup(&fx, 16);
		a = addr_n(&fx, 31);
		fx_make(&fx, a, from[i]);
		CHECK_EQ(fx_na(&fx, a, NULL, NEIGH_UPD_ROUTER | NEIGH_UPD_OVERRIDE), 0);
		CHECK_EQ(fx_state(&fx, a), from[i]);
		CHECK(fx_info(&fx, a).is_router);
		CHECK_EQ(fx_na(&fx, a, NULL, 0), 0);
		CHECK_EQ(fx_state(&fx, a), from[i]);
		CHECK(!fx_info(&fx, a).is_router);
		CHECK_EQ(fx.nrouter_lost, 1);
		CHECK_MEM(fx_info(&fx, a).lladdr, ll1, 6);
		fx_teardown(&fx);
	}
}

/* Action: NA Solicited=1 (and =0), Override=0, with a different address, in
 * REACHABLE. Response: STALE, cached address kept (§7.2.5 "a."). */
TEST(neigh_appc_reachable_na_no_override_different_lladdr_to_stale)
{
	struct fixture fx;
	const uint8_t *a, *b;

	fx_setup(&fx, 16);
	a = addr_n(&fx, 32);
	b = addr_n(&fx, 33);
	fx_make(&fx, a, NEIGH_REACHABLE);
	fx_make(&fx, b, NEIGH_REACHABLE);
	CHECK_EQ(fx_na(&fx, a, ll2, NEIGH_UPD_SOLICITED | NEIGH_UPD_ROUTER), 0);
	CHECK_EQ(fx_na(&fx, b, ll2, 0), 0);
	CHECK_EQ(fx_state(&fx, a), NEIGH_STALE);
	CHECK_EQ(fx_state(&fx, b), NEIGH_STALE);
	CHECK_MEM(fx_info(&fx, a).lladdr, ll1, 6);
	CHECK(!fx_info(&fx, a).is_router); /* "do not update the entry in any other way" */
	CHECK_EQ(ctr(&fx, DUET_CTR_NEIGH_LLADDR_CHANGED), 0);
	fx_teardown(&fx);
}

/* Action: NA Solicited=1, Override=0, different address, in STALE, DELAY or
 * PROBE. Response: ignored, state and address unchanged (§7.2.5 "b."). */
TEST(neigh_appc_stale_delay_probe_na_no_override_different_lladdr_unchanged)
{
	static const enum neigh_state from[] = { NEIGH_STALE, NEIGH_DELAY, NEIGH_PROBE };
	struct fixture fx;
	uint32_t i;

	for (i = 0; i < 3; i++) {
		const uint8_t *a;
		fx_setup(&fx, 16);
		a = addr_n(&fx, 34);
		fx_make(&fx, a, from[i]);
		CHECK_EQ(fx_na(&fx, a, ll2, NEIGH_UPD_SOLICITED | NEIGH_UPD_ROUTER), 0);
		CHECK_EQ(fx_state(&fx, a), from[i]);
		CHECK_MEM(fx_info(&fx, a).lladdr, ll1, 6);
		CHECK(!fx_info(&fx, a).is_router);
		fx_teardown(&fx);
	}
}

/* Action: NA Solicited=1, Override=1 with a new address, in every known
 * state. Response: address recorded, REACHABLE. */
TEST(neigh_appc_known_na_solicited_override_to_reachable)
{
	static const enum neigh_state from[] = { NEIGH_REACHABLE, NEIGH_STALE, NEIGH_DELAY,
						 NEIGH_PROBE };
	struct fixture fx;
	uint32_t i;

	for (i = 0; i < 4; i++) {
		const uint8_t *a;
		fx_setup(&fx, 16);
		a = addr_n(&fx, 35);
		fx_make(&fx, a, from[i]);
		CHECK_EQ(fx_na(&fx, a, ll2, NEIGH_UPD_SOLICITED | NEIGH_UPD_OVERRIDE), 0);
		CHECK_EQ(fx_state(&fx, a), NEIGH_REACHABLE);
		CHECK_MEM(fx_info(&fx, a).lladdr, ll2, 6);
		CHECK_EQ(ctr(&fx, DUET_CTR_NEIGH_LLADDR_CHANGED), 1);
		fx_teardown(&fx);
	}
}

/* Action: NA Solicited=0, Override=0 (same address), and Solicited=0,
 * Override=1 with the same address, in every known state. Response:
 * unchanged. */
TEST(neigh_appc_known_na_unsolicited_same_lladdr_unchanged)
{
	static const enum neigh_state from[] = { NEIGH_REACHABLE, NEIGH_STALE, NEIGH_DELAY,
						 NEIGH_PROBE };
	struct fixture fx;
	uint32_t i;

	for (i = 0; i < 4; i++) {
		const uint8_t *a;
		fx_setup(&fx, 16);
		a = addr_n(&fx, 36);
		fx_make(&fx, a, from[i]);
		CHECK_EQ(fx_na(&fx, a, ll1, 0), 0);
		CHECK_EQ(fx_state(&fx, a), from[i]);
		CHECK_EQ(fx_na(&fx, a, ll1, NEIGH_UPD_OVERRIDE), 0);
		CHECK_EQ(fx_state(&fx, a), from[i]);
		CHECK_MEM(fx_info(&fx, a).lladdr, ll1, 6);
		fx_teardown(&fx);
	}
}

/* Action: NA Solicited=0, Override=1 with a different address, in every
 * known state. Response: new address recorded, STALE (a DELAY timer is
 * cancelled: no probe follows). */
TEST(neigh_appc_known_na_unsolicited_override_different_lladdr_to_stale)
{
	static const enum neigh_state from[] = { NEIGH_REACHABLE, NEIGH_STALE, NEIGH_DELAY,
						 NEIGH_PROBE };
	struct fixture fx;
	uint32_t i;

	for (i = 0; i < 4; i++) {
		const uint8_t *a;
		uint32_t nsol;
		fx_setup(&fx, 16);
		a = addr_n(&fx, 37);
		fx_make(&fx, a, from[i]);
		nsol = fx.nsol;
		CHECK_EQ(fx_na(&fx, a, ll2, NEIGH_UPD_OVERRIDE), 0);
		CHECK_EQ(fx_state(&fx, a), NEIGH_STALE);
		CHECK_MEM(fx_info(&fx, a).lladdr, ll2, 6);
		fx_at(&fx, 60000);
		CHECK_EQ(fx.nsol, nsol);
		CHECK_EQ(fx_state(&fx, a), NEIGH_STALE);
		fx_teardown(&fx);
	}
}

/* ---- Appendix C: unsolicited information (NS, RS, RA, Redirect) ---- */

/* Action: an NS with a Source Link-Layer Address option from an unknown
 * address. Response: a STALE entry with that address, IsRouter FALSE
 * (§7.2.3); no solicitation. An NS without the option creates nothing. */
TEST(neigh_appc_none_ns_slla_creates_stale)
{
	struct fixture fx;
	const uint8_t *a;
	struct neigh_info info;

	fx_setup(&fx, 16);
	a = addr_n(&fx, 40);
	CHECK_EQ(fx_ns(&fx, addr_n(&fx, 41), NULL), -ENOENT);
	CHECK_EQ(fx_ns(&fx, a, ll1), 0);
	info = fx_info(&fx, a);
	CHECK_EQ(info.state, NEIGH_STALE);
	CHECK_MEM(info.lladdr, ll1, 6);
	CHECK(!info.is_router);
	CHECK_EQ(fx.nsol, 0);
	CHECK_EQ(fx.nt.count, 1);
	fx_teardown(&fx);
}

/* Action: an NS with a link-layer address for an INCOMPLETE entry, then one
 * without for another INCOMPLETE entry. Response: the first records it,
 * sends the queued packet and (sent while STALE) goes DELAY; the second is
 * unchanged. */
TEST(neigh_appc_incomplete_ns_slla_to_stale_sends_queued)
{
	struct fixture fx;
	const uint8_t *a, *b;

	fx_setup(&fx, 16);
	a = addr_n(&fx, 42);
	b = addr_n(&fx, 43);
	fx_make(&fx, a, NEIGH_INCOMPLETE);
	fx_make(&fx, b, NEIGH_INCOMPLETE);
	CHECK_EQ(fx_ns(&fx, a, ll1), 0);
	CHECK_EQ(fx_ns(&fx, b, NULL), 0);
	CHECK_EQ(fx.nout, 1);
	CHECK_EQ(fx.out_tag[0], 99);
	CHECK_EQ(fx_state(&fx, a), NEIGH_DELAY);
	CHECK_EQ(fx_state(&fx, b), NEIGH_INCOMPLETE);
	CHECK_EQ(ctr(&fx, DUET_CTR_NEIGH_RESOLVED), 1);
	fx_teardown(&fx);
}

/* Action: unsolicited information with a different address in every known
 * state; with the same address. Response: address updated and STALE; the
 * same address leaves the entry unchanged. */
TEST(neigh_appc_known_ns_different_lladdr_to_stale_same_unchanged)
{
	static const enum neigh_state from[] = { NEIGH_REACHABLE, NEIGH_STALE, NEIGH_DELAY,
						 NEIGH_PROBE };
	struct fixture fx;
	uint32_t i;

	for (i = 0; i < 4; i++) {
		const uint8_t *a;
		fx_setup(&fx, 16);
		a = addr_n(&fx, 44);
		fx_make(&fx, a, from[i]);
		CHECK_EQ(fx_ns(&fx, a, ll1), 0);
		CHECK_EQ(fx_state(&fx, a), from[i]);
		CHECK_EQ(fx_ns(&fx, a, ll2), 0);
		CHECK_EQ(fx_state(&fx, a), NEIGH_STALE);
		CHECK_MEM(fx_info(&fx, a).lladdr, ll2, 6);
		fx_teardown(&fx);
	}
}

/* Action: an RA (IsRouter stated TRUE) from an unknown router, one from a
 * known host entry, a Redirect naming a router target; then an NS from the
 * router and an NA with R=0. Response: RA/Redirect create STALE router
 * entries or set IsRouter on existing ones (§6.3.4, §8.3); the NS leaves
 * IsRouter alone; an NA clearing it reports the router lost (§7.2.5). */
TEST(neigh_appc_isrouter_changes_from_ra_redirect_na)
{
	const unsigned ra = NEIGH_UPD_SET_ROUTER | NEIGH_UPD_ROUTER;
	struct fixture fx;
	const uint8_t *r1, *r2, *r3;

	fx_setup(&fx, 16);
	r1 = addr_n(&fx, 50);
	r2 = addr_n(&fx, 51);
	r3 = addr_n(&fx, 52);
	CHECK_EQ(neigh_update(&fx.nt, 1, r1, ll1, ra), 0);
	CHECK_EQ(fx_info(&fx, r1).state, NEIGH_STALE);
	CHECK(fx_info(&fx, r1).is_router);
	fx_make(&fx, r2, NEIGH_REACHABLE);
	CHECK(!fx_info(&fx, r2).is_router);
	CHECK_EQ(neigh_update(&fx.nt, 1, r2, ll1, ra), 0);
	CHECK(fx_info(&fx, r2).is_router);
	CHECK_EQ(fx_state(&fx, r2), NEIGH_REACHABLE); /* same address: unchanged */
	CHECK_EQ(neigh_update(&fx.nt, 1, r3, ll2, ra), 0); /* Redirect, target a router */
	CHECK(fx_info(&fx, r3).is_router);
	CHECK_EQ(fx_ns(&fx, r1, ll1), 0);
	CHECK(fx_info(&fx, r1).is_router);
	CHECK_EQ(fx_na(&fx, r1, ll1, NEIGH_UPD_SOLICITED), 0);
	CHECK(!fx_info(&fx, r1).is_router);
	CHECK_EQ(fx.nrouter_lost, 1);
	CHECK_EQ(fx_na(&fx, r2, ll1, NEIGH_UPD_SOLICITED | NEIGH_UPD_ROUTER), 0);
	CHECK_EQ(fx.nrouter_lost, 1);
	/* An RA without SLLA marks even an INCOMPLETE entry (§6.3.4); the NA
	 * resolving it with R=0 loses the router. */
	r1 = addr_n(&fx, 53);
	fx_make(&fx, r1, NEIGH_INCOMPLETE);
	CHECK_EQ(neigh_update(&fx.nt, 1, r1, NULL, ra), 0);
	CHECK(fx_info(&fx, r1).is_router);
	CHECK_EQ(fx_state(&fx, r1), NEIGH_INCOMPLETE);
	CHECK_EQ(fx_na(&fx, r1, ll2, NEIGH_UPD_SOLICITED), 0);
	CHECK_EQ(fx_state(&fx, r1), NEIGH_REACHABLE);
	CHECK_EQ(fx.nrouter_lost, 2);
	fx_teardown(&fx);
}

/* ---- ARP (N-8): the same machine with 4-byte addresses ---- */

/* Action: packets to 192.0.2.1 on an ARP table, an ARP reply unicast to us;
 * then a request for our address from 192.0.2.2 and a gratuitous ARP from
 * 192.0.2.3 and from 192.0.2.1 with a new address. Response: broadcast
 * request, REACHABLE on the reply with the queue flushed; the request
 * creates a STALE entry (RFC 826 "Am I the target?"); the gratuitous ARP
 * creates nothing but updates the existing entry (RFC 826 merge, RFC 5227
 * announcements), which goes STALE. */
TEST(neigh_arp_cache_resolves_and_merges)
{
	struct fixture fx;
	const uint8_t *a, *b, *c;

	fx_setup(&fx, 4);
	a = addr_n(&fx, 1);
	b = addr_n(&fx, 2);
	c = addr_n(&fx, 3);
	CHECK_EQ(fx_send(&fx, a, 1), 0);
	CHECK_EQ(fx_send(&fx, a, 2), 0);
	CHECK_EQ(fx.nsol, 1);
	CHECK(!fx.sol[0].is_unicast);
	CHECK_MEM(fx.sol[0].target, a, 4);
	CHECK_EQ(neigh_update_arp(&fx.nt, 1, a, ll1, true, true), 0);
	CHECK_EQ(fx_state(&fx, a), NEIGH_REACHABLE);
	CHECK_EQ(fx.nout, 2);
	CHECK_EQ(neigh_update_arp(&fx.nt, 1, b, ll2, true, false), 0);
	CHECK_EQ(fx_state(&fx, b), NEIGH_STALE);
	CHECK_EQ(neigh_update_arp(&fx.nt, 1, c, ll2, false, false), -ENOENT);
	CHECK_EQ(neigh_lookup(&fx.nt, 1, c, &(struct neigh_info){ 0 }), -ENOENT);
	CHECK_EQ(neigh_update_arp(&fx.nt, 1, c, ll2, false, true), -ENOENT); /* unsolicited reply */
	CHECK_EQ(neigh_update_arp(&fx.nt, 1, a, ll2, false, false), 0);
	CHECK_EQ(fx_state(&fx, a), NEIGH_STALE);
	CHECK_MEM(fx_info(&fx, a).lladdr, ll2, 6);
	CHECK_EQ(fx.nt.count, 2);
	fx_teardown(&fx);
}

/* Action: an ARP entry goes through NUD: STALE, a packet, 5 s, no replies.
 * Response: unicast ARP requests to the cached address at 5, 6, 7 s, removed
 * at 8 s; a later broadcast resolution that fails returns the packet as
 * unreachable. */
TEST(neigh_arp_nud_probe_and_failure)
{
	struct fixture fx;
	const uint8_t *a;
	uint32_t i;

	fx_setup(&fx, 4);
	a = addr_n(&fx, 9);
	CHECK_EQ(neigh_update_arp(&fx.nt, 1, a, ll1, true, false), 0);
	CHECK_EQ(fx_send(&fx, a, 1), 0);
	for (i = 1; i <= 8; i++)
		fx_at(&fx, i * 1000);
	CHECK_EQ(fx.nsol, 3);
	CHECK(fx.sol[2].is_unicast);
	CHECK_MEM(fx.sol[2].lladdr, ll1, 6);
	CHECK_EQ(fx.nt.count, 0);
	CHECK_EQ(fx_send(&fx, a, 2), 0);
	for (i = 9; i <= 11; i++)
		fx_at(&fx, i * 1000);
	CHECK_EQ(fx.nsol, 6);
	CHECK_EQ(fx.nunreach, 1);
	CHECK_EQ(fx.unreach_tag[0], 2);
	fx_teardown(&fx);
}

/* Action: an ARP table and an ND table in one stack. Response: independent
 * entries; each table's failures stay its own. */
TEST(neigh_arp_and_nd_tables_coexist)
{
	struct fixture fx;
	struct neigh_table nd;
	struct neigh_config cfg;
	struct neigh_info info;
	uint8_t a6[16] = { 0xfe, 0x80 };

	fx_setup(&fx, 4);
	neigh_config_init(&cfg, 16);
	CHECK_EQ(neigh_init(&nd, fx.stack, &cfg, &fx_ops, &fx), 0);
	CHECK_EQ(neigh_update(&nd, 1, a6, ll2, 0), 0);
	CHECK_EQ(neigh_update_arp(&fx.nt, 1, addr_n(&fx, 1), ll1, true, false), 0);
	CHECK_EQ(neigh_lookup(&nd, 1, a6, &info), 0);
	CHECK_MEM(info.lladdr, ll2, 6);
	CHECK_EQ(nd.count, 1);
	CHECK_EQ(fx.nt.count, 1);
	neigh_fini(&nd);
	fx_teardown(&fx);
}

/* ---- table limit, flush, lifetime ---- */

/* Action: a table of 4 entries filled with STALE entries a, b, c, d; b is
 * used (DELAY); two new neighbours arrive. Response: the oldest STALE
 * entries, a then c, are evicted (NEIGH_EVICTED); b, d and the new ones
 * stay. */
TEST(neigh_table_full_evicts_oldest_stale)
{
	struct fixture fx;
	struct neigh_config cfg;
	const uint8_t *a[6];
	uint32_t i;

	neigh_config_init(&cfg, 16);
	cfg.max_entries = 4;
	fx_setup_cfg(&fx, &cfg, 1);
	for (i = 0; i < 6; i++)
		a[i] = addr_n(&fx, 60 + i);
	for (i = 0; i < 4; i++)
		CHECK_EQ(fx_ns(&fx, a[i], ll1), 0);
	CHECK_EQ(fx_send(&fx, a[1], 1), 0);
	CHECK_EQ(fx_send(&fx, a[4], 2), 0);    /* resolution needs an entry */
	CHECK_EQ(fx_ns(&fx, a[5], ll2), 0);    /* so does received information */
	CHECK_EQ(ctr(&fx, DUET_CTR_NEIGH_EVICTED), 2);
	CHECK_EQ(neigh_lookup(&fx.nt, 1, a[0], &(struct neigh_info){ 0 }), -ENOENT);
	CHECK_EQ(neigh_lookup(&fx.nt, 1, a[2], &(struct neigh_info){ 0 }), -ENOENT);
	CHECK_EQ(fx_state(&fx, a[1]), NEIGH_DELAY);
	CHECK_EQ(fx_state(&fx, a[3]), NEIGH_STALE);
	CHECK_EQ(fx_state(&fx, a[4]), NEIGH_INCOMPLETE);
	CHECK_EQ(fx_state(&fx, a[5]), NEIGH_STALE);
	CHECK_EQ(fx.nt.count, 4);
	fx_teardown(&fx);
}

/* Action: a table of 2 entries, both resolving; a third neighbour gets a
 * packet and sends an NS. Response: no STALE entry to evict: the creation is
 * refused (NEIGH_TABLE_FULL), the packet dropped (DROP_NEIGH_TABLE_FULL),
 * -ENOBUFS; entries in use are kept. */
TEST(neigh_table_full_refuses_without_stale)
{
	struct fixture fx;
	struct neigh_config cfg;

	neigh_config_init(&cfg, 16);
	cfg.max_entries = 2;
	fx_setup_cfg(&fx, &cfg, 1);
	CHECK_EQ(fx_send(&fx, addr_n(&fx, 70), 1), 0);
	CHECK_EQ(fx_send(&fx, addr_n(&fx, 71), 2), 0);
	CHECK_EQ(fx_send(&fx, addr_n(&fx, 72), 3), -ENOBUFS);
	CHECK_EQ(fx_ns(&fx, addr_n(&fx, 73), ll1), -ENOBUFS);
	CHECK_EQ(ctr(&fx, DUET_CTR_NEIGH_TABLE_FULL), 2);
	CHECK_EQ(ctr(&fx, DUET_CTR_DROP_NEIGH_TABLE_FULL), 1);
	CHECK_EQ(fx.nt.count, 2);
	CHECK_EQ(fx_state(&fx, addr_n(&fx, 70)), NEIGH_INCOMPLETE);
	fx_teardown(&fx);
}

/* Action: entries on interfaces 1 and 2, two packets queued on one on
 * interface 1; interface 1 goes away. Response: its entries are removed,
 * the queued packets dropped as DROP_NEIGH_FLUSHED (not unreachable), their
 * timers never fire; interface 2's entry stays. */
TEST(neigh_flush_iface_drops_queued_and_timers)
{
	struct fixture fx;
	struct neigh_info info;
	const uint8_t *a, *b;

	fx_setup(&fx, 16);
	a = addr_n(&fx, 80);
	b = addr_n(&fx, 81);
	CHECK_EQ(fx_send(&fx, a, 1), 0);
	CHECK_EQ(fx_send(&fx, a, 2), 0);
	fx_make(&fx, b, NEIGH_DELAY);
	CHECK_EQ(neigh_update(&fx.nt, 2, a, ll2, 0), 0);
	CHECK_EQ(neigh_flush_iface(&fx.nt, 1), 2);
	CHECK_EQ(ctr(&fx, DUET_CTR_DROP_NEIGH_FLUSHED), 2);
	CHECK_EQ(fx.nt.count, 1);
	CHECK_EQ(neigh_lookup(&fx.nt, 1, a, &info), -ENOENT);
	CHECK_EQ(neigh_lookup(&fx.nt, 2, a, &info), 0);
	fx_at(&fx, 30000);
	CHECK_EQ(fx.nsol, 1);     /* only the first NS, before the flush */
	CHECK_EQ(fx.nunreach, 0);
	CHECK_EQ(neigh_flush_iface(&fx.nt, 1), 0);
	fx_teardown(&fx);
}

/* Action: the table is finalised with packets queued and timers armed.
 * Response: packets freed (DROP_NEIGH_FLUSHED), timers cancelled (the stack
 * polls on without firing them), nothing leaks. */
TEST(neigh_fini_frees_queued_packets)
{
	struct fixture fx;

	fx_setup(&fx, 16);
	CHECK_EQ(fx_send(&fx, addr_n(&fx, 90), 1), 0);
	CHECK_EQ(fx_send(&fx, addr_n(&fx, 91), 2), 0);
	fx_make(&fx, addr_n(&fx, 92), NEIGH_DELAY);
	neigh_fini(&fx.nt);
	CHECK_EQ(ctr(&fx, DUET_CTR_DROP_NEIGH_FLUSHED), 2);
	CHECK_EQ(fx.stack->timers.count, 0);
	fx_at(&fx, 10000);
	CHECK_EQ(fx.nsol, 2);
	fx_teardown(&fx); /* a second fini is harmless */
}

/* ---- parameters ---- */

/* Action: ReachableTime drawn under 200 seeds, twice under one seed, and
 * after an RA sets BaseReachableTime to 10 s. Response: always within
 * [0.5, 1.5] x base (RFC 4861 §6.3.2), not constant across seeds, equal
 * under equal seeds; the new base gives a value in [5, 15] s. */
TEST(neigh_reachable_time_randomised_within_bounds_and_seeded)
{
	struct fixture fx, fy;
	uint64_t lo = UINT64_MAX, hi = 0, rt, rt2;
	uint64_t seed;

	for (seed = 1; seed <= 200; seed++) {
		struct neigh_config cfg;
		neigh_config_init(&cfg, 16);
		fx_setup_cfg(&fx, &cfg, seed);
		rt = neigh_reachable_time_ns(&fx.nt, 1);
		CHECK(rt >= 15 * DUET_NS_PER_S && rt <= 45 * DUET_NS_PER_S);
		CHECK_EQ(neigh_reachable_time_ns(&fx.nt, 1), rt); /* stable until redrawn */
		lo = rt < lo ? rt : lo;
		hi = rt > hi ? rt : hi;
		fx_teardown(&fx);
	}
	CHECK(hi - lo > 10 * DUET_NS_PER_S);
	{
		struct neigh_config cfg;
		neigh_config_init(&cfg, 4);
		fx_setup_cfg(&fx, &cfg, 77);
		fx_setup_cfg(&fy, &cfg, 77);
	}
	rt = neigh_reachable_time_ns(&fx.nt, 3);
	rt2 = neigh_reachable_time_ns(&fy.nt, 3);
	CHECK_EQ(rt, rt2);
	CHECK_EQ(neigh_set_base_reachable(&fx.nt, 3, 10000), 0);
	rt = neigh_reachable_time_ns(&fx.nt, 3);
	CHECK(rt >= 5 * DUET_NS_PER_S && rt <= 15 * DUET_NS_PER_S);
	CHECK_EQ(neigh_set_base_reachable(&fx.nt, 3, 0), -EINVAL);
	CHECK_EQ(neigh_set_base_reachable(&fx.nt, 3, 3600001), -EINVAL);
	CHECK_EQ(neigh_reachable_time_ns(&fx.nt, 0), 0);
	fx_teardown(&fx);
	fx_teardown(&fy);
}

/* Action: an RA sets RetransTimer to 250 ms on interface 1. Response:
 * multicast solicitations there go out every 250 ms, failing at 750 ms. */
TEST(neigh_retrans_timer_from_ra)
{
	struct fixture fx;
	const uint8_t *a;

	fx_setup(&fx, 16);
	a = addr_n(&fx, 95);
	CHECK_EQ(neigh_set_retrans(&fx.nt, 1, 250), 0);
	CHECK_EQ(neigh_set_retrans(&fx.nt, 1, 0), -EINVAL);
	CHECK_EQ(fx_send(&fx, a, 1), 0);
	fx_at(&fx, 250);
	fx_at(&fx, 500);
	CHECK_EQ(fx.nsol, 3);
	CHECK_EQ(fx.sol[2].time_ns, T0_NS + 500 * DUET_NS_PER_MS);
	fx_at(&fx, 749);
	CHECK_EQ(fx.nunreach, 0);
	fx_at(&fx, 750);
	CHECK_EQ(fx.nunreach, 1);
	fx_teardown(&fx);
}

/* Action: bad configurations and arguments. Response: -EINVAL, and a
 * packet for an invalid interface is dropped and counted. */
TEST(neigh_rejects_bad_config_and_ifindex)
{
	struct fixture fx;
	struct neigh_config cfg;
	struct neigh_table t;
	struct neigh_ops ops = fx_ops;

	fx_setup(&fx, 16);
	neigh_config_init(&cfg, 6);
	CHECK_EQ(neigh_init(&t, fx.stack, &cfg, &fx_ops, &fx), -EINVAL);
	neigh_config_init(&cfg, 16);
	cfg.max_entries = 0;
	CHECK_EQ(neigh_init(&t, fx.stack, &cfg, &fx_ops, &fx), -EINVAL);
	neigh_config_init(&cfg, 16);
	cfg.queue_limit = 0;
	CHECK_EQ(neigh_init(&t, fx.stack, &cfg, &fx_ops, &fx), -EINVAL);
	neigh_config_init(&cfg, 16);
	cfg.max_unicast_solicit = 0;
	CHECK_EQ(neigh_init(&t, fx.stack, &cfg, &fx_ops, &fx), -EINVAL);
	neigh_config_init(&cfg, 16);
	ops.output = NULL;
	CHECK_EQ(neigh_init(&t, fx.stack, &cfg, &ops, &fx), -EINVAL);
	CHECK_EQ(neigh_update(&fx.nt, 0, addr_n(&fx, 1), ll1, 0), -EINVAL);
	CHECK_EQ(neigh_update(&fx.nt, 1000, addr_n(&fx, 1), ll1, 0), -EINVAL);
	{
		struct duet_pkt *pkt = duet_pkt_alloc(duet_stack_pool(fx.stack), 64, 4);
		CHECK_EQ(neigh_resolve(&fx.nt, 0, addr_n(&fx, 1), pkt), -EINVAL);
	}
	CHECK_EQ(ctr(&fx, DUET_CTR_DROP_NEIGH_BAD_IFINDEX), 1);
	CHECK_STR(neigh_state_name(NEIGH_PROBE), "PROBE");
	CHECK_STR(neigh_state_name((enum neigh_state)42), "?");
	fx_teardown(&fx);
}

/* ---- the hash table ---- */

static int count_entries(void *arg, const struct neigh_info *info)
{
	uint32_t *n = arg;

	(void)info;
	(*n)++;
	return 0;
}

/* Action: 10,000 neighbours on two interfaces (the same addresses on both
 * for half of them), then half deleted. Response: every lookup finds its
 * own entry, the hash chains stay short (no linear scans), deleted ones are
 * gone, the dump walks each entry once. */
TEST(neigh_hash_10000_entries_lookup_each)
{
	struct fixture fx;
	struct neigh_config cfg;
	struct neigh_stats st;
	struct neigh_info info;
	uint32_t i, n = 0, bad = 0;
	uint8_t ll[6] = { 0x02 };

	neigh_config_init(&cfg, 16);
	cfg.max_entries = 10000;
	fx_setup_cfg(&fx, &cfg, 1);
	for (i = 0; i < 10000; i++) {
		memcpy(ll + 2, &i, 4);
		if (neigh_update(&fx.nt, 1 + (i & 1), addr_n(&fx, i / 2), ll, 0) != 0)
			bad++;
	}
	CHECK_EQ(bad, 0);
	neigh_stats(&fx.nt, &st);
	CHECK_EQ(st.entries, 10000);
	CHECK_EQ(st.buckets, 16384);
	CHECK(st.longest_chain <= 12);
	for (i = 0; i < 10000; i++) {
		memcpy(ll + 2, &i, 4);
		if (neigh_lookup(&fx.nt, 1 + (i & 1), addr_n(&fx, i / 2), &info) != 0 ||
		    memcmp(info.lladdr, ll, 6) != 0 || info.state != NEIGH_STALE)
			bad++;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(neigh_lookup(&fx.nt, 1, addr_n(&fx, 5000), &info), -ENOENT);
	for (i = 0; i < 10000; i += 2)
		CHECK_EQ(neigh_delete(&fx.nt, 1, addr_n(&fx, i / 2)), 0);
	for (i = 0; i < 10000; i++)
		if ((neigh_lookup(&fx.nt, 1 + (i & 1), addr_n(&fx, i / 2), &info) == 0) != (i & 1))
			bad++;
	CHECK_EQ(bad, 0);
	CHECK_EQ(neigh_walk(&fx.nt, count_entries, &n), 5000);
	CHECK_EQ(n, 5000);
	CHECK_EQ(ctr(&fx, DUET_CTR_NEIGH_EVICTED), 0);
	fx_teardown(&fx);
}
