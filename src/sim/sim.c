/* duet — the deterministic simulation: a virtual clock, stacks polled in a
 * fixed order, time advanced to the earliest deadline. */
#include <duet/sim.h>

#include "core/stack_internal.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIM_MAX_STACKS 64
#define SIM_MAX_SPINS 10000000ull /* passes at one instant before -ELOOP */

struct duet_sim {
	struct duet_vclock vc;
	uint64_t seed;
	struct duet_stack *stacks[SIM_MAX_STACKS];
	uint64_t due[SIM_MAX_STACKS];  /* each stack's deadline after the last pass */
	unsigned n_stacks;
	unsigned n_links;
};

int duet_sim_create(uint64_t seed, uint64_t start_ns, struct duet_sim **out)
{
	struct duet_sim *sim = calloc(1, sizeof(*sim));

	if (!sim)
		return -ENOMEM;
	duet_vclock_init(&sim->vc, start_ns);
	sim->seed = seed;
	*out = sim;
	return 0;
}

void duet_sim_destroy(struct duet_sim *sim)
{
	unsigned i;

	if (!sim)
		return;
	for (i = 0; i < sim->n_stacks; i++)
		duet_stack_destroy(sim->stacks[i]);
	free(sim);
}

const struct duet_clock *duet_sim_clock(const struct duet_sim *sim)
{
	return &sim->vc.clock;
}

uint64_t duet_sim_now(const struct duet_sim *sim)
{
	return sim->vc.now_ns;
}

/* A different, reproducible seed for each thing the simulation makes. */
static uint64_t sim_derive_seed(const struct duet_sim *sim, uint64_t what, uint64_t index)
{
	uint64_t x = sim->seed ^ (what << 48) ^ (index * 0x9e3779b97f4a7c15ull);
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ull;
	return x ^ (x >> 29);
}

int duet_sim_add_stack(struct duet_sim *sim, const char *name,
		       const struct duet_stack_config *cfg, struct duet_stack **out)
{
	struct duet_stack_config c;
	int err;

	if (sim->n_stacks == SIM_MAX_STACKS)
		return -ENOSPC;
	if (cfg)
		c = *cfg;
	else
		duet_stack_config_init(&c);
	c.name = name;
	c.clock = &sim->vc.clock;
	c.seed = sim_derive_seed(sim, 1, sim->n_stacks);
	c.has_secret = false;
	err = duet_stack_create(&c, out);
	if (err)
		return err;
	sim->stacks[sim->n_stacks++] = *out;
	return 0;
}

static int sim_attach(struct duet_stack *stack, struct duet_link *link, const char *name,
		      int *ifindex)
{
	int idx = duet_stack_add_link(stack, link, name);

	if (idx < 0) {
		duet_link_destroy(link);
		return idx;
	}
	if (ifindex)
		*ifindex = idx;
	return 0;
}

int duet_sim_connect(struct duet_sim *sim, struct duet_stack *a, struct duet_stack *b,
		     const struct duet_sim_link_opts *opts, int *ifindex_a, int *ifindex_b)
{
	static const struct duet_sim_link_opts none;
	struct duet_memlink_config mc;
	struct duet_link *la, *lb, *wrapped;
	char name_a[16], name_b[16];
	int err;

	if (!a || !b || a == b)
		return -EINVAL;
	if (!opts)
		opts = &none;
	duet_memlink_config_init(&mc);
	mc.clock = &sim->vc.clock;
	if (opts->mtu)
		mc.mtu = opts->mtu;
	mc.mac_seed = sim_derive_seed(sim, 2, sim->n_links);
	mc.a_to_b = opts->a_to_b;
	mc.b_to_a = opts->b_to_a;
	mc.seed_a_to_b = sim_derive_seed(sim, 3, sim->n_links);
	mc.seed_b_to_a = sim_derive_seed(sim, 4, sim->n_links);
	err = duet_memlink_pair(&mc, &la, &lb);
	if (err)
		return err;
	sim->n_links++;
	if (opts->pcap_path) {
		err = duet_pcap_wrap(la, opts->pcap_path, &sim->vc.clock, &wrapped);
		if (err) {
			duet_link_destroy(la);
			duet_link_destroy(lb);
			return err;
		}
		la = wrapped;
	}
	snprintf(name_a, sizeof(name_a), "eth%u", sim->n_links - 1);
	snprintf(name_b, sizeof(name_b), "eth%u", sim->n_links - 1);
	err = sim_attach(a, la, opts->name_a ? opts->name_a : name_a, ifindex_a);
	if (err) {
		duet_link_destroy(lb);
		return err;
	}
	return sim_attach(b, lb, opts->name_b ? opts->name_b : name_b, ifindex_b);
}

/* Polls every stack once, in creation order; returns the earliest deadline. */
/* One pass: polls the stacks (all of them, or only those with something
 * due now), then returns the earliest deadline of all. */
static uint64_t sim_poll_all(struct duet_sim *sim, bool is_all)
{
	uint64_t next = DUET_TIME_NEVER;
	unsigned i;

	for (i = 0; i < sim->n_stacks; i++)
		if (is_all || sim->due[i] <= sim->vc.now_ns)
			stack_poll_once(sim->stacks[i]);
	/* Deadlines after every poll: a stack polled early may have been handed
	 * work by one polled later. */
	for (i = 0; i < sim->n_stacks; i++) {
		sim->due[i] = duet_stack_next_deadline(sim->stacks[i]);
		if (sim->due[i] < next)
			next = sim->due[i];
	}
	return next;
}

/* Processes every event up to limit_ns. Returns 0 when nothing at all is
 * scheduled any more, -ETIMEDOUT when the next event lies past the limit,
 * -ELOOP when work keeps coming without time moving (a livelock: a bug). */
static int sim_run(struct duet_sim *sim, uint64_t limit_ns)
{
	uint64_t spins = 0;
	bool is_first = true;

	/* The first pass polls every stack: the application may have handed
	 * any of them work since the last run. Later passes poll only the
	 * stacks with something due (nothing else acts between passes, and a
	 * deadline in the future means a poll now would do nothing). */
	for (;;) {
		uint64_t next = sim_poll_all(sim, is_first);

		is_first = false;
		if (next == DUET_TIME_NEVER)
			return 0;
		if (next > limit_ns)
			return -ETIMEDOUT;
		spins = next > sim->vc.now_ns ? 0 : spins + 1;
		if (spins > SIM_MAX_SPINS)
			return -ELOOP;
		duet_vclock_set(&sim->vc, next);
	}
}

int duet_sim_run_until_idle(struct duet_sim *sim, uint64_t max_ns)
{
	uint64_t limit = sim->vc.now_ns + max_ns;
	int err = sim_run(sim, limit);

	if (err == -ETIMEDOUT)
		duet_vclock_set(&sim->vc, limit);
	return err;
}

void duet_sim_run_for(struct duet_sim *sim, uint64_t duration_ns)
{
	uint64_t limit = sim->vc.now_ns + duration_ns;

	/* sim_run has handled every event due at or before limit (and what
	 * the application left queued): nothing is due at limit itself, so
	 * moving the clock needs no further poll. */
	sim_run(sim, limit);
	duet_vclock_set(&sim->vc, limit);
}
