/* Timer wheel (foundation for every protocol timer: N-3, F-2, T-2): exact
 * firing times, order, O(1) cancel, big jumps of virtual time, callbacks that
 * re-arm, and a randomized comparison against a brute-force reference. */
#include "check.h"

#include "base/timer_wheel.h"

#include <duet/clock.h>
#include <duet/random.h>

#define US 1000ull

struct fire_log {
	struct duet_timer_wheel *tw;
	uint64_t at[64];
	int who[64];
	int n;
};

struct tmr {
	struct duet_timer t;
	struct fire_log *log;
	int id;
	uint64_t rearm_ns; /* when non-zero, the callback re-arms this far ahead once */
};

static void tmr_fire(struct duet_timer *t, void *arg)
{
	struct tmr *m = arg;
	struct fire_log *log = m->log;

	(void)t;
	if (log->n < 64) {
		log->at[log->n] = log->tw->now_tick * DUET_TW_TICK_NS;
		log->who[log->n] = m->id;
		log->n++;
	}
	if (m->rearm_ns) {
		uint64_t d = m->rearm_ns;
		m->rearm_ns = 0;
		duet_tw_arm(log->tw, &m->t, log->tw->now_tick * DUET_TW_TICK_NS + d);
	}
}

static void tmr_setup(struct tmr *m, struct fire_log *log, int id)
{
	duet_timer_init(&m->t, tmr_fire, m);
	m->log = log;
	m->id = id;
	m->rearm_ns = 0;
}

TEST(timer_fires_at_exact_time_in_order)
{
	struct duet_timer_wheel tw;
	struct fire_log log = { .tw = &tw };
	struct tmr a, b, c, d;

	duet_tw_init(&tw, 0);
	tmr_setup(&a, &log, 1);
	tmr_setup(&b, &log, 2);
	tmr_setup(&c, &log, 3);
	tmr_setup(&d, &log, 4);
	duet_tw_arm(&tw, &a.t, 60 * DUET_NS_PER_S);      /* reassembly-like */
	duet_tw_arm(&tw, &b.t, 200 * DUET_NS_PER_MS);    /* RTO-like */
	duet_tw_arm(&tw, &c.t, 200 * DUET_NS_PER_MS);    /* same tick: arming order */
	duet_tw_arm(&tw, &d.t, 37 * US);
	CHECK_EQ(tw.count, 4);
	CHECK(duet_tw_next_expiry(&tw) <= 37 * US);
	CHECK_EQ(duet_tw_advance(&tw, 10 * DUET_NS_PER_S), 3);
	CHECK_EQ(log.n, 3);
	CHECK_EQ(log.who[0], 4);
	CHECK_EQ(log.at[0], 37 * US);
	CHECK_EQ(log.who[1], 2);
	CHECK_EQ(log.who[2], 3);
	CHECK_EQ(log.at[1], 200 * DUET_NS_PER_MS);
	CHECK_EQ(log.at[2], 200 * DUET_NS_PER_MS);
	CHECK_EQ(duet_tw_advance(&tw, 60 * DUET_NS_PER_S - 1), 0);
	CHECK_EQ(duet_tw_advance(&tw, 60 * DUET_NS_PER_S), 1);
	CHECK_EQ(log.at[3], 60 * DUET_NS_PER_S);
	CHECK_EQ(tw.count, 0);
	CHECK_EQ(duet_tw_next_expiry(&tw), DUET_TIME_NEVER);
}

TEST(timer_cancel_and_rearm)
{
	struct duet_timer_wheel tw;
	struct fire_log log = { .tw = &tw };
	struct tmr a, b;

	duet_tw_init(&tw, 5 * DUET_NS_PER_S);
	tmr_setup(&a, &log, 1);
	tmr_setup(&b, &log, 2);
	duet_tw_arm(&tw, &a.t, 6 * DUET_NS_PER_S);
	duet_tw_arm(&tw, &b.t, 7 * DUET_NS_PER_S);
	duet_tw_cancel(&tw, &a.t);
	duet_tw_cancel(&tw, &a.t); /* twice is harmless */
	duet_tw_arm(&tw, &b.t, 5 * DUET_NS_PER_S + 3 * US); /* re-arm earlier */
	CHECK_EQ(tw.count, 1);
	CHECK_EQ(duet_tw_advance(&tw, 100 * DUET_NS_PER_S), 1);
	CHECK_EQ(log.who[0], 2);
	CHECK_EQ(log.at[0], 5 * DUET_NS_PER_S + 3 * US);
	CHECK_EQ(tw.pending[0] | tw.pending[1] | tw.pending[2] | tw.pending[3], 0);
}

TEST(timer_past_expiry_fires_next_advance)
{
	struct duet_timer_wheel tw;
	struct fire_log log = { .tw = &tw };
	struct tmr a;

	duet_tw_init(&tw, DUET_NS_PER_S);
	tmr_setup(&a, &log, 1);
	duet_tw_arm(&tw, &a.t, 0);
	CHECK_EQ(duet_tw_next_expiry(&tw), DUET_NS_PER_S);
	CHECK_EQ(duet_tw_advance(&tw, DUET_NS_PER_S), 1);
}

TEST(timer_callback_rearms_within_one_advance)
{
	struct duet_timer_wheel tw;
	struct fire_log log = { .tw = &tw };
	struct tmr a;

	duet_tw_init(&tw, 0);
	tmr_setup(&a, &log, 1);
	a.rearm_ns = 3 * DUET_NS_PER_S;
	duet_tw_arm(&tw, &a.t, DUET_NS_PER_S);
	CHECK_EQ(duet_tw_advance(&tw, 3600 * DUET_NS_PER_S), 2);
	CHECK_EQ(log.at[0], DUET_NS_PER_S);
	CHECK_EQ(log.at[1], 4 * DUET_NS_PER_S);
}

TEST(timer_far_future_is_clamped_not_lost)
{
	struct duet_timer_wheel tw;
	struct fire_log log = { .tw = &tw };
	struct tmr a;

	duet_tw_init(&tw, 0);
	tmr_setup(&a, &log, 1);
	duet_tw_arm(&tw, &a.t, UINT64_MAX - 5);
	CHECK_EQ(tw.count, 1);
	CHECK(duet_tw_next_expiry(&tw) != DUET_TIME_NEVER);
	duet_tw_cancel(&tw, &a.t);
	CHECK_EQ(tw.count, 0);
}

/* Random arms, cancels and advances against a brute-force reference: every
 * timer must fire exactly once, at its expiry tick, never early or late. */
#define RND_N 400
static struct rnd_state {
	struct duet_timer_wheel tw;
	struct duet_timer t[RND_N];
	uint64_t expect[RND_N];   /* 0 = not armed */
	int bad;
	int fired;
} rs;

static void rnd_fire(struct duet_timer *t, void *arg)
{
	int i = (int)(intptr_t)arg;
	(void)t;
	if (rs.expect[i] == 0 || rs.tw.now_tick != rs.expect[i])
		rs.bad++;
	rs.expect[i] = 0;
	rs.fired++;
}

TEST(timer_random_against_reference)
{
	struct duet_rng rng;
	uint64_t now = 0;
	int step, i;

	duet_rng_seed(&rng, 42);
	duet_tw_init(&rs.tw, 0);
	for (i = 0; i < RND_N; i++)
		duet_timer_init(&rs.t[i], rnd_fire, (void *)(intptr_t)i);
	for (step = 0; step < 20000; step++) {
		uint32_t op = duet_rng_below(&rng, 10);
		i = (int)duet_rng_below(&rng, RND_N);
		if (op < 5) {
			/* Delays spread over every level: µs to days. */
			uint64_t d = duet_rng_next(&rng) >> duet_rng_below(&rng, 64);
			d %= 5 * 86400 * DUET_NS_PER_S;
			duet_tw_arm(&rs.tw, &rs.t[i], now + d);
			rs.expect[i] = (now + d + DUET_TW_TICK_NS - 1) / DUET_TW_TICK_NS;
		} else if (op < 7) {
			duet_tw_cancel(&rs.tw, &rs.t[i]);
			rs.expect[i] = 0;
		} else {
			uint64_t next = duet_tw_next_expiry(&rs.tw), min = UINT64_MAX;
			int k;
			for (k = 0; k < RND_N; k++)
				if (rs.expect[k] && rs.expect[k] < min)
					min = rs.expect[k];
			if (min != UINT64_MAX && next > min * DUET_TW_TICK_NS)
				rs.bad++; /* the deadline must never be late */
			now += duet_rng_next(&rng) % (op == 9 ? 86400 * DUET_NS_PER_S : 50 * DUET_NS_PER_MS);
			duet_tw_advance(&rs.tw, now);
			for (k = 0; k < RND_N; k++)
				if (rs.expect[k] && rs.expect[k] * DUET_TW_TICK_NS <= now - now % DUET_TW_TICK_NS)
					rs.bad++; /* due but not fired */
		}
	}
	CHECK_EQ(rs.bad, 0);
	CHECK(rs.fired > 1000);
}
