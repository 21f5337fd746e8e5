/* duet — the stack instance: interfaces, packet pool, timers, counters, clock
 * and random source, with no global state (many stacks per process).
 *
 * The core does no I/O of its own and reads no system clock: frames arrive
 * from links (duet_stack_add_link), time comes from the injected clock, and
 * everything happens inside duet_stack_poll(), which the caller (the
 * simulation or the host runtime) runs whenever duet_stack_next_deadline()
 * says there is work. Single-threaded: one caller at a time. */
#ifndef DUET_STACK_H
#define DUET_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <duet/clock.h>
#include <duet/counters.h>
#include <duet/link.h>
#include <duet/pkt.h>

struct duet_stack;

enum duet_trace_kind {
	DUET_TRACE_RX,    /* a frame arrived on an interface (before any check) */
	DUET_TRACE_TX,    /* a frame was handed to an interface's link */
	DUET_TRACE_DROP,  /* a frame was dropped; counter says why */
};

struct duet_trace_event {
	enum duet_trace_kind kind;
	uint64_t time_ns;
	uint32_t ifindex;
	enum duet_counter counter;  /* DROP: the reason; otherwise unused */
	const uint8_t *data;        /* the frame (valid during the call only) */
	uint32_t len;
};

/* Called for every traced event, synchronously, from inside the stack: it
 * must not call back into the stack. */
typedef void (*duet_trace_fn)(void *ctx, const struct duet_trace_event *ev);

struct duet_stack_config {
	const char *name;                 /* shown in traces; copied */
	const struct duet_clock *clock;   /* not owned; NULL = CLOCK_MONOTONIC */
	uint64_t seed;                    /* seeds the deterministic generator */
	bool has_secret;                  /* secret below given (else derived from seed) */
	uint8_t secret[16];               /* SipHash key for unpredictable values */
	size_t mem_cap_bytes;             /* packet pool cap (default 64 MiB) */
	uint32_t max_ifaces;              /* interfaces, "lo" included (default 32, at most 1024) */
	uint32_t rx_queue_limit;          /* frames waiting for input (default 4096) */
	uint32_t tx_queue_limit;          /* frames waiting per interface (default 1024) */
	uint32_t tx_batch;                /* frames per link transmit call (default 64) */
	duet_trace_fn trace;              /* NULL = no tracing */
	void *trace_ctx;
	bool is_ipv6_autoconf_off;        /* new interfaces get no link-local address,
					   * no DAD of it and send no Router
					   * Solicitations (Linux: addr_gen_mode none);
					   * addresses are configured by the caller */
	bool is_loopback_off;             /* no "lo" interface is created (see below) */
};

/* Fills cfg with the defaults above (seed 1, monotonic clock). */
void duet_stack_config_init(struct duet_stack_config *cfg);

/* Creates a stack. Unless cfg->is_loopback_off, its first interface
 * (index 1, as on Linux) is "lo": a loopback link (MTU 65,536) with ::1/128
 * and 127.0.0.1/8; packets to any of the stack's own addresses then go
 * through it instead of leaving on a link (N-7). Returns 0, -EINVAL for an out-of-range value (zero queue
 * limits, max_ifaces 0 or > 1024, a pool cap under 64 KiB) or -ENOMEM. */
int duet_stack_create(const struct duet_stack_config *cfg, struct duet_stack **out);

/* Destroys the stack, its interfaces (and their links) and every packet it
 * holds. NULL is allowed. */
void duet_stack_destroy(struct duet_stack *stack);

/* The stack's name ("" if none was given). */
const char *duet_stack_name(const struct duet_stack *stack);

/* The stack's clock and its current time. */
const struct duet_clock *duet_stack_clock(const struct duet_stack *stack);
uint64_t duet_stack_now(const struct duet_stack *stack);

/* The stack's packet pool, for callers that build frames to send. */
struct duet_pool *duet_stack_pool(struct duet_stack *stack);

/* Takes ownership of link and makes it an interface named name (copied; at
 * most 15 characters; NULL = the link's own name). Returns the new interface
 * index (>= 1), -EINVAL (bad name or link), -EEXIST (name in use) or -ENOSPC
 * (max_ifaces reached; the link is then not taken). */
int duet_stack_add_link(struct duet_stack *stack, struct duet_link *link, const char *name);

/* Removes an interface, destroying its link and its queued frames. Returns 0
 * or -ENODEV. */
int duet_stack_remove_iface(struct duet_stack *stack, uint32_t ifindex);

/* Interface index of name, or -ENODEV. */
int duet_stack_ifindex(const struct duet_stack *stack, const char *name);

/* The link behind an interface (still owned by the stack), or NULL. */
struct duet_link *duet_stack_iface_link(struct duet_stack *stack, uint32_t ifindex);

/* Queues one whole Ethernet frame for transmission on an interface; the stack
 * takes ownership of pkt in every case. Returns 0, or -ENODEV, -EMSGSIZE
 * (larger than the link MTU + Ethernet header) or -ENOBUFS (queue full), each
 * also counted as a drop. Frames leave in batches from duet_stack_poll(). */
int duet_stack_send_frame(struct duet_stack *stack, uint32_t ifindex, struct duet_pkt *pkt);

/* Does all work due now: polls the links, processes the frames they
 * delivered, fires due timers, transmits queued frames. Returns the next
 * deadline (as duet_stack_next_deadline). */
uint64_t duet_stack_poll(struct duet_stack *stack);

/* When duet_stack_poll() next has work: now if frames are waiting, else the
 * earliest timer or link deadline, DUET_TIME_NEVER when idle. */
uint64_t duet_stack_next_deadline(const struct duet_stack *stack);

/* A counter's value. */
uint64_t duet_stack_counter(const struct duet_stack *stack, enum duet_counter id);

/* Copies all counters (DUET_CTR__COUNT values, in list order) to out. */
void duet_stack_counters(const struct duet_stack *stack, uint64_t out[DUET_CTR__COUNT]);

/* One interface's share of the counters (S-4, RFC 4293 ipIfStatsTable
 * style): every drop reason, link frames and bytes, and the IP and ICMP
 * counters bumped with a packet whose interface is known (input: where it
 * arrived; fragmentation: where it leaves). Stack-wide counters are the
 * sums plus what has no interface. Copies DUET_CTR__COUNT values to out;
 * returns 0 or -ENODEV. */
int duet_if_counters(const struct duet_stack *stack, uint32_t ifindex,
		     uint64_t out[DUET_CTR__COUNT]);

/* One counter of one interface (0 for an unknown interface or id). */
uint64_t duet_if_counter(const struct duet_stack *stack, uint32_t ifindex, enum duet_counter id);

/* The stack's deterministic random generator (seeded from the config). */
uint64_t duet_stack_random(struct duet_stack *stack);

/* SipHash-2-4 of data under the stack's secret: for values an off-path
 * attacker must not predict (ISNs, ephemeral ports, flow labels, IIDs). */
uint64_t duet_stack_keyed_hash(const struct duet_stack *stack, const void *data, size_t len);

#endif
