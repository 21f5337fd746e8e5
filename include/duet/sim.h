/* duet — the deterministic simulation: several stacks and in-memory links in
 * one process under one virtual clock. Everything runs on the caller's thread;
 * the same seed and the same calls give the same packets, byte for byte, at
 * the same virtual times. */
#ifndef DUET_SIM_H
#define DUET_SIM_H

#include <stdint.h>

#include <duet/links.h>
#include <duet/stack.h>

struct duet_sim;

/* Options of one simulated cable between two stacks. */
struct duet_sim_link_opts {
	const struct duet_impair_params *a_to_b;  /* NULL: a perfect wire */
	const struct duet_impair_params *b_to_a;
	uint32_t mtu;                             /* 0: 1500 */
	const char *name_a, *name_b;              /* interface names; NULL: "ethN" */
	const char *pcap_path;                    /* capture at a's end; NULL: none */
};

/* Creates an empty simulation whose clock starts at start_ns; seed drives
 * every stack's and link's generator (each derives its own from it).
 * Returns 0 or -ENOMEM. */
int duet_sim_create(uint64_t seed, uint64_t start_ns, struct duet_sim **out);

/* Destroys the simulation and every stack (and link) it created. */
void duet_sim_destroy(struct duet_sim *sim);

/* The virtual clock, and its time. */
const struct duet_clock *duet_sim_clock(const struct duet_sim *sim);
uint64_t duet_sim_now(const struct duet_sim *sim);

/* Creates a stack named name inside the simulation. cfg may be NULL (the
 * defaults); its clock and seed are replaced by the simulation's (the seed
 * derived from the simulation's seed and the stack's position). The
 * simulation owns the stack. Returns 0, -ENOSPC (64 stacks at most) or the
 * stack's creation error. */
int duet_sim_add_stack(struct duet_sim *sim, const char *name,
		       const struct duet_stack_config *cfg, struct duet_stack **out);

/* Connects two of the simulation's stacks with an in-memory link pair (MACs
 * derived from the seed), attaching one end to each; opts may be NULL.
 * Writes the new interface indexes to *ifindex_a / *ifindex_b (either may be
 * NULL). Returns 0, -EINVAL, -ENOMEM, or an interface or pcap error. */
int duet_sim_connect(struct duet_sim *sim, struct duet_stack *a, struct duet_stack *b,
		     const struct duet_sim_link_opts *opts, int *ifindex_a, int *ifindex_b);

/* Runs until nothing is scheduled anywhere (no frame queued or in flight, no
 * timer armed) or until max_ns of virtual time have passed. Returns 0 when
 * idle, -ETIMEDOUT at the limit (the clock then stands at the limit), or
 * -ELOOP if work kept coming for 10,000,000 passes without time moving (a
 * livelock, which is a bug somewhere). */
int duet_sim_run_until_idle(struct duet_sim *sim, uint64_t max_ns);

/* Runs for exactly duration_ns of virtual time, processing every event in
 * it; the clock then stands at the end. */
void duet_sim_run_for(struct duet_sim *sim, uint64_t duration_ns);

#endif
