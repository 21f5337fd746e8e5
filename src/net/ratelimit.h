/* duet — the ICMP error rate limiter: a token bucket (RFC 4443 §2.4(f),
 * RFC 1812 §4.3.2.8), driven by the time its caller passes (the stack's
 * clock), never the system's. */
#ifndef DUET_NET_RATELIMIT_H
#define DUET_NET_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct duet_stack;

struct ratelimit_config {
	uint32_t rate_per_s;     /* tokens added per second (1000); 0 = no limit */
	uint32_t burst;          /* bucket size in tokens (50), at least 1 */
};

struct ratelimit {
	struct duet_stack *stack;
	uint32_t rate_per_s;
	uint32_t burst;
	uint64_t credit;         /* tokens × 10^9: each ns adds rate_per_s */
	uint64_t last_ns;        /* when credit was last brought up to date */
};

/* Defaults as Linux's net.ipv4.icmp_msgs_per_sec = 1000 and
 * net.ipv4.icmp_msgs_burst = 50, the host-wide limit Linux applies to
 * ICMPv4 and ICMPv6 errors alike (its per-destination
 * net.ipv6.icmp.ratelimit = 1000 ms is a second, finer limit). */
void ratelimit_config_init(struct ratelimit_config *cfg);

/* Starts a full bucket at now_ns; counts refusals on stack. Returns 0 or
 * -EINVAL (burst 0). */
int ratelimit_init(struct ratelimit *rl, struct duet_stack *stack,
		   const struct ratelimit_config *cfg, uint64_t now_ns);

/* Takes one token if there is one: true means send. Refusals count
 * ICMP_RATELIMITED. Time before the last call adds nothing. */
bool ratelimit_allow(struct ratelimit *rl, uint64_t now_ns);

/* Changes the rate (0: no limit) and the bucket size (at least 1) of a
 * running limiter; the credit held is kept, up to the new bucket. */
void ratelimit_set(struct ratelimit *rl, uint32_t rate_per_s, uint32_t burst);

#endif
