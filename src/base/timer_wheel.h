/* duet — a hierarchical timer wheel: O(1) arm and cancel, advances over any
 * jump of time in work proportional to the timers it moves (each timer moves
 * down at most DUET_TW_LEVELS times), fires timers in time order.
 *
 * Time is counted in 1 µs ticks. Level L holds the timers whose expiry first
 * differs from "now" in bit group L (6 bits a group, 64 slots a level); as
 * time passes, slots that time reaches are emptied and their timers placed
 * again, lower, or fired. Timers due in the same tick fire in arming order.
 * Timers are intrusive: the wheel never allocates; their owner keeps them
 * alive while armed. */
#ifndef DUET_TIMER_WHEEL_H
#define DUET_TIMER_WHEEL_H

#include <stdbool.h>
#include <stdint.h>

#define DUET_TW_BITS 6
#define DUET_TW_SLOTS (1u << DUET_TW_BITS)
#define DUET_TW_LEVELS 8                    /* 48 bits of µs: 8.9 years */
#define DUET_TW_TICK_NS 1000ull

struct duet_timer;
typedef void (*duet_timer_fn)(struct duet_timer *timer, void *arg);

/* A timer's list links double as sentinel nodes for slot lists. */
struct duet_tw_node {
	struct duet_tw_node *prev, *next;
};

struct duet_timer {
	struct duet_tw_node node;   /* first member: a node is its timer */
	uint64_t expires_tick;
	duet_timer_fn fn;
	void *arg;
	bool is_armed;
	uint8_t level;              /* where it sits: level and slot, */
	uint8_t slot;               /* or level DUET_TW_LEVELS = due list */
};

struct duet_timer_wheel {
	uint64_t now_tick;
	uint64_t pending[DUET_TW_LEVELS];                /* bitmap of non-empty slots */
	uint32_t levels;                                 /* bit l: pending[l] != 0 */
	struct duet_tw_node slots[DUET_TW_LEVELS][DUET_TW_SLOTS];
	struct duet_tw_node expired;                     /* due, not yet fired */
	uint32_t count;                                  /* armed timers */
};

/* Starts an empty wheel whose time is now_ns. */
void duet_tw_init(struct duet_timer_wheel *tw, uint64_t now_ns);

/* Prepares a timer (not armed) that will call fn(timer, arg). */
void duet_timer_init(struct duet_timer *t, duet_timer_fn fn, void *arg);

/* Arms (or re-arms) t to fire at expires_ns (rounded up to the tick; a time
 * already past fires at the next advance). O(1). */
void duet_tw_arm(struct duet_timer_wheel *tw, struct duet_timer *t, uint64_t expires_ns);

/* Disarms t if armed (safe to call on any initialised timer, also from a
 * timer callback). O(1). */
void duet_tw_cancel(struct duet_timer_wheel *tw, struct duet_timer *t);

/* Moves the wheel's time to now_ns and fires, in time order, every timer due
 * by then, each with the wheel's time set to its expiry tick. Callbacks may
 * arm and cancel timers, those of this wheel included. Returns how many fired. */
unsigned duet_tw_advance(struct duet_timer_wheel *tw, uint64_t now_ns);

/* When advance() next has work, in ns: DUET_TIME_NEVER if nothing is armed.
 * Never later than the earliest expiry; for timers more than 64 µs away it
 * may be earlier (the start of the slot holding them), and an advance to it
 * then only moves them closer. O(levels). */
uint64_t duet_tw_next_expiry(const struct duet_timer_wheel *tw);

#endif
