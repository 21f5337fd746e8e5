/* duet — ICMP error rate limiting, a token bucket (RFC 4443 §2.4(f)); see
 * net/ratelimit.h. */
#include "net/ratelimit.h"

#include <duet/clock.h>

#include "core/stack_internal.h"

#include <errno.h>

/* One token in credit units: credit grows by rate_per_s a nanosecond, so a
 * token takes 10^9 / rate_per_s ns to come, with no rounding. */
#define RATELIMIT_TOKEN DUET_NS_PER_S

void ratelimit_config_init(struct ratelimit_config *cfg)
{
	cfg->rate_per_s = 1000;
	cfg->burst = 50;
}

int ratelimit_init(struct ratelimit *rl, struct duet_stack *stack,
		   const struct ratelimit_config *cfg, uint64_t now_ns)
{
	if (!stack || !cfg || !cfg->burst)
		return -EINVAL;
	rl->stack = stack;
	rl->rate_per_s = cfg->rate_per_s;
	rl->burst = cfg->burst;
	rl->credit = (uint64_t)cfg->burst * RATELIMIT_TOKEN;
	rl->last_ns = now_ns;
	return 0;
}

/* Adds the credit earned since the last call, up to a full bucket. */
static void ratelimit_refill(struct ratelimit *rl, uint64_t now_ns)
{
	uint64_t cap = (uint64_t)rl->burst * RATELIMIT_TOKEN;
	uint64_t room, dt;

	if (now_ns <= rl->last_ns)
		return;
	dt = now_ns - rl->last_ns;
	rl->last_ns = now_ns;
	room = cap - rl->credit;
	if (dt > room / rl->rate_per_s) /* also keeps dt × rate from overflowing */
		rl->credit = cap;
	else
		rl->credit += dt * rl->rate_per_s;
}

void ratelimit_set(struct ratelimit *rl, uint32_t rate_per_s, uint32_t burst)
{
	uint64_t cap = (uint64_t)burst * RATELIMIT_TOKEN;

	rl->rate_per_s = rate_per_s;
	rl->burst = burst;
	if (rl->credit > cap)
		rl->credit = cap;
}

bool ratelimit_allow(struct ratelimit *rl, uint64_t now_ns)
{
	if (!rl->rate_per_s)
		return true;
	ratelimit_refill(rl, now_ns);
	if (rl->credit >= RATELIMIT_TOKEN) {
		rl->credit -= RATELIMIT_TOKEN;
		return true;
	}
	stack_count(rl->stack, DUET_CTR_ICMP_RATELIMITED);
	return false;
}
