/* The simulation (S-2, L-1): stacks over impaired in-memory links under one
 * virtual clock; the same seed gives the same frames at the same times, a
 * different seed different ones; idle detection and time limits. */
#include "check.h"

#include <duet/sim.h>
#include <duet/wire/eth.h>

#include <errno.h>

struct transcript {
	uint64_t hash;
	unsigned events;
	unsigned rx_b;
};

static void tr_trace(void *ctx, const struct duet_trace_event *ev)
{
	struct transcript *t = ctx;
	uint64_t h = t->hash ^ ev->time_ns ^ ((uint64_t)ev->kind << 56) ^ ev->len;
	uint32_t i;

	for (i = 0; i < ev->len; i++)
		h = (h ^ ev->data[i]) * 0x100000001b3ull;
	t->hash = h;
	t->events++;
}

/* A sends 500 numbered frames to B over a link with loss, duplication,
 * reordering, corruption and jitter; returns B's transcript. */
static struct transcript run_lossy(uint64_t seed)
{
	struct duet_sim *sim;
	struct duet_stack *a, *b;
	struct duet_stack_config cfg;
	struct duet_impair_params imp;
	struct duet_sim_link_opts opts = { 0 };
	struct transcript t = { 0 };
	int ia, ib, i;
	struct duet_link *la;

	CHECK_EQ(duet_sim_create(seed, 0, &sim), 0);
	duet_stack_config_init(&cfg);
	cfg.is_ipv6_autoconf_off = true; /* only the test's frames on the wire */
	CHECK_EQ(duet_sim_add_stack(sim, "a", &cfg, &a), 0);
	cfg.trace = tr_trace;
	cfg.trace_ctx = &t;
	CHECK_EQ(duet_sim_add_stack(sim, "b", &cfg, &b), 0);
	duet_impair_params_init(&imp);
	imp.loss_ppm = 50000;
	imp.dup_ppm = 20000;
	imp.reorder_ppm = 50000;
	imp.reorder_delay_ns = 3 * DUET_NS_PER_MS;
	imp.corrupt_ppm = 10000;
	imp.delay_ns = 5 * DUET_NS_PER_MS;
	imp.jitter_ns = DUET_NS_PER_MS;
	opts.a_to_b = &imp;
	CHECK_EQ(duet_sim_connect(sim, a, b, &opts, &ia, &ib), 0);
	la = duet_stack_iface_link(a, (uint32_t)ia);
	for (i = 0; i < 500; i++) {
		struct duet_pkt *p = duet_pkt_alloc(duet_stack_pool(a), DUET_PKT_HEADROOM, 100);
		uint8_t *d = duet_pkt_data(p);
		memset(d, 0, 100);
		memset(d, 0xff, 6);
		memcpy(d + 6, la->hwaddr, 6);
		d[12] = 0x88;
		d[13] = 0xb5; /* local experimental EtherType */
		d[14] = (uint8_t)(i >> 8);
		d[15] = (uint8_t)i;
		CHECK_EQ(duet_stack_send_frame(a, (uint32_t)ia, p), 0);
		duet_sim_run_for(sim, 100 * 1000); /* 100 µs between frames */
	}
	CHECK_EQ(duet_sim_run_until_idle(sim, DUET_NS_PER_S), 0);
	t.rx_b = (unsigned)duet_stack_counter(b, DUET_CTR_LINK_RX_FRAMES);
	duet_sim_destroy(sim);
	return t;
}

TEST(sim_same_seed_same_packets)
{
	struct transcript t1 = run_lossy(1234), t2 = run_lossy(1234), t3 = run_lossy(99);

	CHECK(t1.events > 0);
	CHECK(t1.hash == t2.hash);
	CHECK_EQ(t1.events, t2.events);
	CHECK(t1.hash != t3.hash);
	/* 5% loss, 2% duplication of 500 frames: a band around 485. */
	CHECK(t1.rx_b > 440 && t1.rx_b < 520);
}

TEST(sim_idle_and_limit)
{
	struct duet_sim *sim;
	struct duet_stack *a, *b;
	struct duet_impair_params imp;
	struct duet_sim_link_opts opts = { 0 };
	struct duet_stack_config cfg;
	struct duet_pkt *p;
	int ia, ib;

	CHECK_EQ(duet_sim_create(1, 1000, &sim), 0);
	duet_stack_config_init(&cfg);
	cfg.is_ipv6_autoconf_off = true; /* nothing scheduled but the test's frame */
	CHECK_EQ(duet_sim_add_stack(sim, "a", &cfg, &a), 0);
	CHECK_EQ(duet_sim_add_stack(sim, "b", &cfg, &b), 0);
	CHECK_EQ(duet_sim_connect(sim, a, a, NULL, NULL, NULL), -EINVAL);
	duet_impair_params_init(&imp);
	imp.delay_ns = 10 * DUET_NS_PER_MS;
	opts.a_to_b = &imp;
	CHECK_EQ(duet_sim_connect(sim, a, b, &opts, &ia, &ib), 0);
	CHECK_EQ(duet_sim_run_until_idle(sim, DUET_NS_PER_S), 0);
	p = duet_pkt_alloc(duet_stack_pool(a), DUET_PKT_HEADROOM, 60);
	memset(duet_pkt_data(p), 0xff, 60);
	CHECK_EQ(duet_stack_send_frame(a, (uint32_t)ia, p), 0);
	/* Not delivered within 5 ms: the clock stops at the limit. */
	CHECK_EQ(duet_sim_run_until_idle(sim, 5 * DUET_NS_PER_MS), -ETIMEDOUT);
	CHECK_EQ(duet_sim_now(sim), 1000 + 5 * DUET_NS_PER_MS);
	CHECK_EQ(duet_stack_counter(b, DUET_CTR_LINK_RX_FRAMES), 0);
	CHECK_EQ(duet_sim_run_until_idle(sim, DUET_NS_PER_S), 0);
	CHECK_EQ(duet_sim_now(sim), 1000 + 10 * DUET_NS_PER_MS);
	CHECK_EQ(duet_stack_counter(b, DUET_CTR_LINK_RX_FRAMES), 1);
	duet_sim_destroy(sim);
}
