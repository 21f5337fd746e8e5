/* duet — injected clocks. The core never reads the system clock: it asks the
 * clock it was given. Simulations use a virtual clock they advance; the host
 * runtime uses CLOCK_MONOTONIC. Times are nanoseconds. */
#ifndef DUET_CLOCK_H
#define DUET_CLOCK_H

#include <stdint.h>

#define DUET_NS_PER_MS 1000000ull
#define DUET_NS_PER_S 1000000000ull
#define DUET_TIME_NEVER UINT64_MAX

struct duet_clock {
	/* Returns the current time in ns; must never go backwards. */
	uint64_t (*now_ns)(const struct duet_clock *clock);
};

/* Current time of clock. */
static inline uint64_t duet_clock_now(const struct duet_clock *clock)
{
	return clock->now_ns(clock);
}

/* A virtual clock: time moves only when its owner sets it. */
struct duet_vclock {
	struct duet_clock clock;
	uint64_t now_ns;
};

/* Starts a virtual clock at start_ns. */
void duet_vclock_init(struct duet_vclock *vc, uint64_t start_ns);

/* Moves a virtual clock forward to t_ns (never backwards: earlier is ignored). */
void duet_vclock_set(struct duet_vclock *vc, uint64_t t_ns);

/* The host's CLOCK_MONOTONIC (a shared constant object; nothing to free). */
const struct duet_clock *duet_clock_monotonic(void);

#endif
