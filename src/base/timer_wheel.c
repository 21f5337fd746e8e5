/* duet — hierarchical timer wheel (Varghese & Lauck, with placement by the
 * highest differing bit group so that time may jump). */
#include "base/timer_wheel.h"

#include <duet/clock.h>

#define TW_MASK (DUET_TW_SLOTS - 1)
#define TW_MAX_TICK ((1ull << (DUET_TW_BITS * DUET_TW_LEVELS)) - 1)

static void tw_list_init(struct duet_tw_node *h)
{
	h->prev = h->next = h;
}

static bool tw_list_empty(const struct duet_tw_node *h)
{
	return h->next == h;
}

static void tw_list_append(struct duet_tw_node *h, struct duet_tw_node *n)
{
	n->prev = h->prev;
	n->next = h;
	h->prev->next = n;
	h->prev = n;
}

static void tw_list_unlink(struct duet_tw_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n->next = n;
}

/* Moves every node of src to the end of dst. */
static void tw_list_splice(struct duet_tw_node *dst, struct duet_tw_node *src)
{
	if (tw_list_empty(src))
		return;
	src->next->prev = dst->prev;
	dst->prev->next = src->next;
	src->prev->next = dst;
	dst->prev = src->prev;
	tw_list_init(src);
}

void duet_tw_init(struct duet_timer_wheel *tw, uint64_t now_ns)
{
	unsigned l, s;

	tw->now_tick = now_ns / DUET_TW_TICK_NS;
	tw->count = 0;
	tw->levels = 0;
	for (l = 0; l < DUET_TW_LEVELS; l++) {
		tw->pending[l] = 0;
		for (s = 0; s < DUET_TW_SLOTS; s++)
			tw_list_init(&tw->slots[l][s]);
	}
	tw_list_init(&tw->expired);
}

void duet_timer_init(struct duet_timer *t, duet_timer_fn fn, void *arg)
{
	tw_list_init(&t->node);
	t->expires_tick = 0;
	t->fn = fn;
	t->arg = arg;
	t->is_armed = false;
}

static void tw_clear_pending(struct duet_timer_wheel *tw, unsigned level, unsigned slot)
{
	tw->pending[level] &= ~(1ull << slot);
	if (!tw->pending[level])
		tw->levels &= ~(1u << level);
}

/* Puts an armed timer in the list its expiry and the wheel's time call for. */
static void tw_place(struct duet_timer_wheel *tw, struct duet_timer *t)
{
	uint64_t diff;
	unsigned level, slot;

	if (t->expires_tick <= tw->now_tick) {
		t->level = DUET_TW_LEVELS;
		tw_list_append(&tw->expired, &t->node);
		return;
	}
	diff = t->expires_tick ^ tw->now_tick;
	level = (unsigned)(63 - __builtin_clzll(diff)) / DUET_TW_BITS;
	slot = (unsigned)(t->expires_tick >> (level * DUET_TW_BITS)) & TW_MASK;
	t->level = (uint8_t)level;
	t->slot = (uint8_t)slot;
	tw_list_append(&tw->slots[level][slot], &t->node);
	tw->pending[level] |= 1ull << slot;
	tw->levels |= 1u << level;
}

/* Takes t out of its list, clearing the slot's pending bit if it empties. */
static void tw_unlink(struct duet_timer_wheel *tw, struct duet_timer *t)
{
	tw_list_unlink(&t->node);
	if (t->level < DUET_TW_LEVELS && tw_list_empty(&tw->slots[t->level][t->slot]))
		tw_clear_pending(tw, t->level, t->slot);
}

void duet_tw_arm(struct duet_timer_wheel *tw, struct duet_timer *t, uint64_t expires_ns)
{
	uint64_t tick = expires_ns / DUET_TW_TICK_NS + (expires_ns % DUET_TW_TICK_NS != 0);

	if (t->is_armed)
		tw_unlink(tw, t);
	else
		tw->count++;
	if (tick > TW_MAX_TICK)
		tick = TW_MAX_TICK;
	t->expires_tick = tick;
	t->is_armed = true;
	tw_place(tw, t);
}

void duet_tw_cancel(struct duet_timer_wheel *tw, struct duet_timer *t)
{
	if (!t->is_armed)
		return;
	tw_unlink(tw, t);
	t->is_armed = false;
	tw->count--;
}

/* Moves the wheel's time to tick (no later than the next expiry), emptying
 * every slot that time passes into a list and placing its timers again. */
static void tw_move_to(struct duet_timer_wheel *tw, uint64_t tick)
{
	struct duet_tw_node moving;
	unsigned l;

	tw_list_init(&moving);
	for (l = 0; l < DUET_TW_LEVELS; l++) {
		unsigned shift = l * DUET_TW_BITS;
		uint64_t from = tw->now_tick >> shift, to = tick >> shift;
		uint64_t passed;
		if (from == to)
			break; /* higher groups did not change either */
		/* The slots from + 1 .. to (all of them past a full turn), as a
		 * rotated run of bits: no per-slot loop. */
		if (to - from >= DUET_TW_SLOTS) {
			passed = ~0ull;
		} else {
			unsigned r = (unsigned)((from + 1) & TW_MASK);
			uint64_t run = (1ull << (to - from)) - 1;
			passed = r ? run << r | run >> (DUET_TW_SLOTS - r) : run;
		}
		for (passed &= tw->pending[l]; passed; passed &= passed - 1) {
			unsigned slot = (unsigned)__builtin_ctzll(passed);
			tw_list_splice(&moving, &tw->slots[l][slot]);
			tw_clear_pending(tw, l, slot);
		}
	}
	tw->now_tick = tick;
	while (!tw_list_empty(&moving)) {
		struct duet_timer *t = (struct duet_timer *)(void *)moving.next;
		tw_list_unlink(&t->node);
		tw_place(tw, t);
	}
}

/* Lower bound of the next expiry, in ticks (exact for level 0). */
static uint64_t tw_next_tick(const struct duet_timer_wheel *tw)
{
	uint32_t levels = tw->levels;

	if (!tw_list_empty(&tw->expired))
		return tw->now_tick;
	for (; levels; levels &= levels - 1) {
		unsigned l = (unsigned)__builtin_ctz(levels);
		unsigned shift = l * DUET_TW_BITS;
		unsigned cur = (unsigned)(tw->now_tick >> shift) & TW_MASK;
		uint64_t above;
		unsigned slot;
		/* Every timer of level l sits in a slot after the current one. */
		above = cur == TW_MASK ? 0 : tw->pending[l] & ~((2ull << cur) - 1);
		if (!above)
			continue;
		slot = (unsigned)__builtin_ctzll(above);
		return ((tw->now_tick >> (shift + DUET_TW_BITS)) << (shift + DUET_TW_BITS)) |
		       ((uint64_t)slot << shift);
	}
	return UINT64_MAX;
}

uint64_t duet_tw_next_expiry(const struct duet_timer_wheel *tw)
{
	uint64_t tick = tw_next_tick(tw);

	return tick == UINT64_MAX ? DUET_TIME_NEVER : tick * DUET_TW_TICK_NS;
}

unsigned duet_tw_advance(struct duet_timer_wheel *tw, uint64_t now_ns)
{
	uint64_t target = now_ns / DUET_TW_TICK_NS;
	unsigned fired = 0;

	if (target > TW_MAX_TICK)
		target = TW_MAX_TICK;
	for (;;) {
		while (!tw_list_empty(&tw->expired)) {
			struct duet_timer *t = (struct duet_timer *)(void *)tw->expired.next;
			tw_list_unlink(&t->node);
			t->is_armed = false;
			tw->count--;
			t->fn(t, t->arg);
			fired++;
		}
		{
			uint64_t next = tw_next_tick(tw);
			if (next > target)
				break;
			tw_move_to(tw, next);
		}
	}
	if (target > tw->now_tick)
		tw_move_to(tw, target);
	return fired;
}
