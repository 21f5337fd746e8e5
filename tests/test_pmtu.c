/* The path MTU cache (F-3): Packet Too Big lowers the per-destination MTU,
 * never below 1280 (RFC 8201 §4) or, for IPv4, 68 with the RFC 1191 plateaus
 * for a missing Next-Hop MTU; increases are ignored; entries age out after
 * 10 minutes; the cache is bounded; the change hook runs on each lowering. */
#include "check.h"

#include <duet/stack.h>

#include "core/stack_internal.h"
#include "net/pmtu.h"

#include <errno.h>

#define T0 1000u
#define MIN DUET_NS_PER_S * 60u

static const uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t b6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
static const uint8_t ll6[16] = { 0xfe, 0x80, [15] = 1 };
static const uint8_t a4[4] = { 192, 0, 2, 1 };

struct fx {
	struct duet_vclock vc;
	struct duet_stack *stack;
	struct pmtu_cache c;
	int changes;
	uint32_t last_mtu;
};

static void fx_changed(void *ctx, const struct pmtu_dest *dest, uint32_t mtu)
{
	struct fx *fx = ctx;

	(void)dest;
	fx->changes++;
	fx->last_mtu = mtu;
}

static void fx_setup_cfg(struct fx *fx, struct pmtu_config *cfg)
{
	struct duet_stack_config scfg;

	memset(fx, 0, sizeof(*fx));
	duet_vclock_init(&fx->vc, T0);
	duet_stack_config_init(&scfg);
	scfg.clock = &fx->vc.clock;
	CHECK_EQ(duet_stack_create(&scfg, &fx->stack), 0);
	cfg->changed = fx_changed;
	cfg->ctx = fx;
	CHECK_EQ(pmtu_init(&fx->c, fx->stack, cfg), 0);
}

static void fx_setup(struct fx *fx)
{
	struct pmtu_config cfg;

	pmtu_config_init(&cfg);
	fx_setup_cfg(fx, &cfg);
}

static void fx_teardown(struct fx *fx)
{
	pmtu_fini(&fx->c);
	duet_stack_destroy(fx->stack);
}

static uint64_t ctr(const struct fx *fx, enum duet_counter id)
{
	return duet_stack_counter(fx->stack, id);
}

/* F-3. Action: a PTB of 1400 for a destination. Response: the path MTU is
 * 1400 over a 1500 link, the link's own over a smaller link; the hook ran. */
TEST(pmtu_v6_lowering)
{
	struct fx fx;
	struct pmtu_dest d;

	fx_setup(&fx);
	pmtu_dest_v6(&d, a6, 0);
	CHECK_EQ(pmtu_get(&fx.c, &d, 1500, T0), 1500);
	CHECK_EQ(pmtu_update(&fx.c, &d, 1400, 0, T0), 1);
	CHECK_EQ(pmtu_get(&fx.c, &d, 1500, T0), 1400);
	CHECK_EQ(pmtu_get(&fx.c, &d, 1300, T0), 1300);
	CHECK_EQ(fx.changes, 1);
	CHECK_EQ(fx.last_mtu, 1400);
	CHECK_EQ(pmtu_update(&fx.c, &d, 1300, 0, T0), 1);
	CHECK_EQ(pmtu_get(&fx.c, &d, 1500, T0), 1300);
	CHECK_EQ(ctr(&fx, DUET_CTR_PMTU_LOWERED), 2);
	CHECK_EQ(pmtu_count(&fx.c), 1);
	fx_teardown(&fx);
}

/* F-3 (RFC 8201 §4). Action: PTBs of 1000 and 0. Response: recorded as
 * 1280, the IPv6 minimum link MTU, and counted as clamped. */
TEST(pmtu_v6_clamped_to_1280)
{
	struct fx fx;
	struct pmtu_dest d;

	fx_setup(&fx);
	pmtu_dest_v6(&d, a6, 0);
	CHECK_EQ(pmtu_update(&fx.c, &d, 1000, 0, T0), 1);
	CHECK_EQ(pmtu_get(&fx.c, &d, 1500, T0), 1280);
	CHECK_EQ(fx.last_mtu, 1280);
	CHECK_EQ(pmtu_update(&fx.c, &d, 0, 0, T0), 0); /* 1280 again: nothing new */
	CHECK_EQ(ctr(&fx, DUET_CTR_PMTU_CLAMPED), 2);
	CHECK_EQ(pmtu_get(&fx.c, &d, 1500, T0), 1280);
	fx_teardown(&fx);
}

/* F-3 (RFC 8201 §4: a PTB never raises the estimate). Action: 1400, then
 * 1450, then 1300. Response: 1450 is ignored; 1300 lowers. */
TEST(pmtu_v6_ignores_increase)
{
	struct fx fx;
	struct pmtu_dest d;

	fx_setup(&fx);
	pmtu_dest_v6(&d, a6, 0);
	CHECK_EQ(pmtu_update(&fx.c, &d, 1400, 0, T0), 1);
	CHECK_EQ(pmtu_update(&fx.c, &d, 1450, 0, T0), 0);
	CHECK_EQ(pmtu_get(&fx.c, &d, 1500, T0), 1400);
	CHECK_EQ(ctr(&fx, DUET_CTR_PMTU_IGNORED), 1);
	CHECK_EQ(fx.changes, 1);
	CHECK_EQ(pmtu_update(&fx.c, &d, 1300, 0, T0), 1);
	CHECK_EQ(pmtu_get(&fx.c, &d, 1500, T0), 1300);
	fx_teardown(&fx);
}

/* F-3. Action: a PTB, then reads just before and at 10 minutes. Response:
 * the entry holds until 10 minutes, then ages out and the link MTU comes
 * back; a larger value is accepted afterwards. */
TEST(pmtu_ages_out_after_10_minutes)
{
	struct fx fx;
	struct pmtu_dest d;

	fx_setup(&fx);
	pmtu_dest_v6(&d, a6, 0);
	CHECK_EQ(pmtu_update(&fx.c, &d, 1400, 0, T0), 1);
	CHECK_EQ(pmtu_get(&fx.c, &d, 1500, T0 + 10 * MIN - 1), 1400);
	CHECK_EQ(pmtu_get(&fx.c, &d, 1500, T0 + 10 * MIN), 1500);
	CHECK_EQ(ctr(&fx, DUET_CTR_PMTU_EXPIRED), 1);
	CHECK_EQ(pmtu_count(&fx.c), 0);
	CHECK_EQ(pmtu_update(&fx.c, &d, 1450, 0, T0 + 10 * MIN), 1);
	CHECK_EQ(pmtu_get(&fx.c, &d, 1500, T0 + 10 * MIN), 1450);
	fx_teardown(&fx);
}

/* Action: PTB 1400 at 0, the same 1400 at 5 minutes. Response: the second
 * restarts the age (the path still says 1400): the entry lives until 15
 * minutes. Another entry that aged out meanwhile goes when the cache is
 * next written. */
TEST(pmtu_same_value_restarts_age)
{
	struct fx fx;
	struct pmtu_dest d, e;

	fx_setup(&fx);
	pmtu_dest_v6(&d, a6, 0);
	pmtu_dest_v6(&e, b6, 0);
	CHECK_EQ(pmtu_update(&fx.c, &e, 1300, 0, T0), 1);
	CHECK_EQ(pmtu_update(&fx.c, &d, 1400, 0, T0), 1);
	CHECK_EQ(pmtu_update(&fx.c, &d, 1400, 0, T0 + 5 * MIN), 0);
	CHECK_EQ(pmtu_get(&fx.c, &d, 1500, T0 + 10 * MIN), 1400);
	CHECK_EQ(pmtu_count(&fx.c), 2);
	CHECK_EQ(pmtu_update(&fx.c, &e, 1300, 0, T0 + 10 * MIN), 1); /* aged out: anew */
	CHECK_EQ(ctr(&fx, DUET_CTR_PMTU_EXPIRED), 1);
	CHECK_EQ(pmtu_get(&fx.c, &d, 1500, T0 + 15 * MIN - 1), 1400);
	CHECK_EQ(pmtu_get(&fx.c, &d, 1500, T0 + 15 * MIN), 1500);
	fx_teardown(&fx);
}

/* Action: expire_ms set to 1 s. Response: entries age out after 1 s. */
TEST(pmtu_expiry_knob)
{
	struct pmtu_config cfg;
	struct fx fx;
	struct pmtu_dest d;

	pmtu_config_init(&cfg);
	cfg.expire_ms = 1000;
	fx_setup_cfg(&fx, &cfg);
	pmtu_dest_v6(&d, a6, 0);
	CHECK_EQ(pmtu_update(&fx.c, &d, 1400, 0, T0), 1);
	CHECK_EQ(pmtu_get(&fx.c, &d, 1500, T0 + DUET_NS_PER_S - 1), 1400);
	CHECK_EQ(pmtu_get(&fx.c, &d, 1500, T0 + DUET_NS_PER_S), 1500);
	fx_teardown(&fx);
}

/* F-3, IPv4 (RFC 1191). Action: Fragmentation Needed with a Next-Hop MTU of
 * 40; one with none (0) quoting a 1500-byte datagram; then quoting 1492.
 * Response: 68 (the floor); 1492 and 1006, the plateaus below. */
TEST(pmtu_v4_floor_and_plateaus)
{
	struct fx fx;
	struct pmtu_dest d;

	fx_setup(&fx);
	pmtu_dest_v4(&d, a4);
	CHECK_EQ(pmtu_update(&fx.c, &d, 40, 1500, T0), 1);
	CHECK_EQ(pmtu_get(&fx.c, &d, 1500, T0), 68);
	CHECK_EQ(ctr(&fx, DUET_CTR_PMTU_CLAMPED), 1);
	CHECK_EQ(pmtu_get(&fx.c, &d, 1500, T0 + 10 * MIN), 1500);
	CHECK_EQ(pmtu_update(&fx.c, &d, 0, 1500, T0 + 10 * MIN), 1);
	CHECK_EQ(pmtu_get(&fx.c, &d, 1500, T0 + 10 * MIN), 1492);
	CHECK_EQ(pmtu_update(&fx.c, &d, 0, 1492, T0 + 10 * MIN), 1);
	CHECK_EQ(pmtu_get(&fx.c, &d, 1500, T0 + 10 * MIN), 1006);
	fx_teardown(&fx);
}

/* RFC 1191 §7: the plateau strictly below a length, 68 at the bottom. */
TEST(pmtu_plateau_table)
{
	CHECK_EQ(pmtu_plateau_below(65536), 65535);
	CHECK_EQ(pmtu_plateau_below(65535), 32000);
	CHECK_EQ(pmtu_plateau_below(9000), 8166);
	CHECK_EQ(pmtu_plateau_below(1500), 1492);
	CHECK_EQ(pmtu_plateau_below(576), 508);
	CHECK_EQ(pmtu_plateau_below(297), 296);
	CHECK_EQ(pmtu_plateau_below(69), 68);
	CHECK_EQ(pmtu_plateau_below(68), 68);
	CHECK_EQ(pmtu_plateau_below(0), 68);
}

/* Action: PTBs for two destinations, for one link-local address in two
 * zones, and for an IPv4 address. Response: each entry is its own. */
TEST(pmtu_per_destination_and_zone)
{
	struct fx fx;
	struct pmtu_dest d1, d2, z1, z2, v4;

	fx_setup(&fx);
	pmtu_dest_v6(&d1, a6, 0);
	pmtu_dest_v6(&d2, b6, 0);
	pmtu_dest_v6(&z1, ll6, 1);
	pmtu_dest_v6(&z2, ll6, 2);
	pmtu_dest_v4(&v4, a4);
	CHECK_EQ(pmtu_update(&fx.c, &d1, 1400, 0, T0), 1);
	CHECK_EQ(pmtu_update(&fx.c, &z1, 1300, 0, T0), 1);
	CHECK_EQ(pmtu_update(&fx.c, &v4, 1000, 0, T0), 1);
	CHECK_EQ(pmtu_get(&fx.c, &d1, 1500, T0), 1400);
	CHECK_EQ(pmtu_get(&fx.c, &d2, 1500, T0), 1500);
	CHECK_EQ(pmtu_get(&fx.c, &z1, 1500, T0), 1300);
	CHECK_EQ(pmtu_get(&fx.c, &z2, 1500, T0), 1500);
	CHECK_EQ(pmtu_get(&fx.c, &v4, 1500, T0), 1000);
	CHECK_EQ(pmtu_count(&fx.c), 3);
	fx_teardown(&fx);
}

/* Action: a cache of 4 entries; 4 destinations, the first lowered again,
 * then a fifth. Response: the least recently set (the second) gives way. */
TEST(pmtu_bounded_size_evicts_oldest)
{
	struct pmtu_config cfg;
	struct pmtu_dest d[5];
	struct fx fx;
	uint8_t addr[16];
	int i;

	pmtu_config_init(&cfg);
	cfg.max_entries = 4;
	fx_setup_cfg(&fx, &cfg);
	memcpy(addr, a6, 16);
	for (i = 0; i < 5; i++) {
		addr[15] = (uint8_t)(10 + i);
		pmtu_dest_v6(&d[i], addr, 0);
	}
	for (i = 0; i < 4; i++)
		CHECK_EQ(pmtu_update(&fx.c, &d[i], 1400, 0, T0), 1);
	CHECK_EQ(pmtu_update(&fx.c, &d[0], 1350, 0, T0 + 1), 1);
	CHECK_EQ(pmtu_update(&fx.c, &d[4], 1300, 0, T0 + 2), 1);
	CHECK_EQ(pmtu_count(&fx.c), 4);
	CHECK_EQ(ctr(&fx, DUET_CTR_PMTU_EVICTED), 1);
	CHECK_EQ(pmtu_get(&fx.c, &d[1], 1500, T0 + 2), 1500);
	CHECK_EQ(pmtu_get(&fx.c, &d[0], 1500, T0 + 2), 1350);
	CHECK_EQ(pmtu_get(&fx.c, &d[4], 1500, T0 + 2), 1300);
	fx_teardown(&fx);
}

/* Action: many destinations through a small cache, many times. Response:
 * never more entries than the bound, lookups stay right. */
TEST(pmtu_churn)
{
	struct pmtu_config cfg;
	struct fx fx;
	uint8_t addr[16];
	uint32_t i, bad = 0;

	pmtu_config_init(&cfg);
	cfg.max_entries = 64;
	fx_setup_cfg(&fx, &cfg);
	memcpy(addr, a6, 16);
	for (i = 0; i < 20000; i++) {
		struct pmtu_dest d;

		addr[14] = (uint8_t)(i >> 8);
		addr[15] = (uint8_t)i;
		pmtu_dest_v6(&d, addr, 0);
		pmtu_update(&fx.c, &d, 1280 + i % 200, 0, T0 + i);
		bad += pmtu_get(&fx.c, &d, 1500, T0 + i) != 1280 + i % 200;
		bad += pmtu_count(&fx.c) > 64;
	}
	CHECK_EQ(bad, 0);
	fx_teardown(&fx);
}

TEST(pmtu_rejects_bad_values)
{
	struct duet_stack_config scfg;
	struct duet_stack *s;
	struct pmtu_config cfg;
	struct pmtu_cache c;
	struct pmtu_dest d;

	duet_stack_config_init(&scfg);
	CHECK_EQ(duet_stack_create(&scfg, &s), 0);
	pmtu_config_init(&cfg);
	cfg.max_entries = 0;
	CHECK_EQ(pmtu_init(&c, s, &cfg), -EINVAL);
	pmtu_config_init(&cfg);
	cfg.expire_ms = 0;
	CHECK_EQ(pmtu_init(&c, s, &cfg), -EINVAL);
	pmtu_config_init(&cfg);
	CHECK_EQ(pmtu_init(&c, s, &cfg), 0);
	memset(&d, 0, sizeof(d));
	d.family = 5;
	CHECK_EQ(pmtu_update(&c, &d, 1400, 0, T0), -EINVAL);
	pmtu_fini(&c);
	duet_stack_destroy(s);
}
