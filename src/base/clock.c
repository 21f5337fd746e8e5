/* duet — virtual and monotonic clocks. */
#include <duet/clock.h>

#include <time.h>

static uint64_t vclock_now(const struct duet_clock *clock)
{
	const struct duet_vclock *vc = (const struct duet_vclock *)(const void *)clock;
	return vc->now_ns;
}

void duet_vclock_init(struct duet_vclock *vc, uint64_t start_ns)
{
	vc->clock.now_ns = vclock_now;
	vc->now_ns = start_ns;
}

void duet_vclock_set(struct duet_vclock *vc, uint64_t t_ns)
{
	if (t_ns > vc->now_ns)
		vc->now_ns = t_ns;
}

static uint64_t monotonic_now(const struct duet_clock *clock)
{
	struct timespec ts;

	(void)clock;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * DUET_NS_PER_S + (uint64_t)ts.tv_nsec;
}

static const struct duet_clock monotonic_clock = { monotonic_now };

const struct duet_clock *duet_clock_monotonic(void)
{
	return &monotonic_clock;
}
