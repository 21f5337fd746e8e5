/* The ICMP error rate limiter (N-2, RFC 4443 §2.4(f)): a token bucket on
 * the stack's virtual clock — the burst, the steady rate, rates that do not
 * divide a second, refill capped at the burst, time going nowhere. */
#include "check.h"

#include <duet/stack.h>

#include "core/stack_internal.h"
#include "net/ratelimit.h"

#include <errno.h>

#define T0 1000u
#define MS DUET_NS_PER_MS

struct fx {
	struct duet_vclock vc;
	struct duet_stack *stack;
	struct ratelimit rl;
};

static void fx_setup(struct fx *fx, uint32_t rate, uint32_t burst)
{
	struct duet_stack_config scfg;
	struct ratelimit_config cfg;

	memset(fx, 0, sizeof(*fx));
	duet_vclock_init(&fx->vc, T0);
	duet_stack_config_init(&scfg);
	scfg.clock = &fx->vc.clock;
	CHECK_EQ(duet_stack_create(&scfg, &fx->stack), 0);
	ratelimit_config_init(&cfg);
	if (rate != UINT32_MAX)
		cfg.rate_per_s = rate;
	if (burst)
		cfg.burst = burst;
	CHECK_EQ(ratelimit_init(&fx->rl, fx->stack, &cfg, duet_stack_now(fx->stack)), 0);
}

static void fx_teardown(struct fx *fx)
{
	duet_stack_destroy(fx->stack);
}

/* Moves the virtual clock by ns and asks once. */
static bool fx_allow_after(struct fx *fx, uint64_t ns)
{
	duet_vclock_set(&fx->vc, fx->vc.now_ns + ns);
	return ratelimit_allow(&fx->rl, duet_stack_now(fx->stack));
}

static uint64_t limited(const struct fx *fx)
{
	return duet_stack_counter(fx->stack, DUET_CTR_ICMP_RATELIMITED);
}

/* N-2. Action: 60 errors at one instant with the defaults (1000/s, burst 50,
 * as Linux's icmp_msgs_per_sec and icmp_msgs_burst). Response: 50 go, 10 are
 * refused and counted. */
TEST(ratelimit_burst)
{
	struct fx fx;
	int i, allowed = 0;

	fx_setup(&fx, UINT32_MAX, 0);
	for (i = 0; i < 60; i++)
		allowed += fx_allow_after(&fx, 0);
	CHECK_EQ(allowed, 50);
	CHECK_EQ(limited(&fx), 10);
	fx_teardown(&fx);
}

/* N-2. Action: the bucket emptied, then an error every 100 µs for 10 s.
 * Response: exactly one in ten goes: 1000 a second. */
TEST(ratelimit_steady_rate)
{
	struct fx fx;
	int i, allowed = 0;

	fx_setup(&fx, UINT32_MAX, 0);
	while (fx_allow_after(&fx, 0))
		;
	for (i = 0; i < 100000; i++)
		allowed += fx_allow_after(&fx, 100000);
	CHECK_EQ(allowed, 10000);
	CHECK_EQ(limited(&fx), 1 + 90000);
	fx_teardown(&fx);
}

/* Action: 3 a second, burst 2, asked every millisecond for 10 s. Response:
 * the burst at once, then 30 more: a token every 333.3 ms, no rounding
 * lost (the bucket never overflows with room for 2). */
TEST(ratelimit_fractional_rate)
{
	struct fx fx;
	int i, allowed = 0;

	fx_setup(&fx, 3, 2);
	allowed += fx_allow_after(&fx, 0);
	for (i = 0; i < 10000; i++)
		allowed += fx_allow_after(&fx, MS);
	CHECK_EQ(allowed, 32);
	fx_teardown(&fx);
}

/* Action: the bucket emptied, an hour idle, then 60 errors at once.
 * Response: the bucket refilled to its burst only: 50 go. */
TEST(ratelimit_refill_capped_at_burst)
{
	struct fx fx;
	int i, allowed = 0;

	fx_setup(&fx, UINT32_MAX, 0);
	while (fx_allow_after(&fx, 0))
		;
	allowed += fx_allow_after(&fx, 3600ull * DUET_NS_PER_S);
	for (i = 1; i < 60; i++)
		allowed += fx_allow_after(&fx, 0);
	CHECK_EQ(allowed, 50);
	fx_teardown(&fx);
}

/* Action: asking with a time before the last call. Response: no credit
 * from it; the bucket goes on from the later time. */
TEST(ratelimit_time_never_runs_back)
{
	struct fx fx;

	fx_setup(&fx, 1000, 1);
	CHECK(ratelimit_allow(&fx.rl, T0 + 10 * MS));
	CHECK(!ratelimit_allow(&fx.rl, T0));
	CHECK(!ratelimit_allow(&fx.rl, T0 + 10 * MS));
	CHECK(ratelimit_allow(&fx.rl, T0 + 11 * MS));
	fx_teardown(&fx);
}

/* Action: rate 0. Response: no limit; nothing counted. */
TEST(ratelimit_rate_zero_disables)
{
	struct fx fx;
	int i, allowed = 0;

	fx_setup(&fx, 0, 0);
	for (i = 0; i < 1000; i++)
		allowed += fx_allow_after(&fx, 0);
	CHECK_EQ(allowed, 1000);
	CHECK_EQ(limited(&fx), 0);
	fx_teardown(&fx);
}

TEST(ratelimit_rejects_zero_burst)
{
	struct duet_stack_config scfg;
	struct ratelimit_config cfg;
	struct duet_stack *s;
	struct ratelimit rl;

	duet_stack_config_init(&scfg);
	CHECK_EQ(duet_stack_create(&scfg, &s), 0);
	ratelimit_config_init(&cfg);
	cfg.burst = 0;
	CHECK_EQ(ratelimit_init(&rl, s, &cfg, 0), -EINVAL);
	duet_stack_destroy(s);
}
