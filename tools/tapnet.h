/* duet — the command-line tools' shared set-up: a host runtime on a TAP
 * device with addresses, gateways and an optional capture. */
#ifndef DUET_TOOL_TAPNET_H
#define DUET_TOOL_TAPNET_H

#include <stdint.h>
#include <stdio.h>

#include <duet/host.h>
#include <duet/links.h>

#define TAPNET_MAX_ADDRS 16
#define TAPNET_MAX_GWS 4
#define TAPNET_MAX_SYSCTLS 32

struct tapnet_addr {
	int family;
	uint8_t addr[16];
	unsigned plen;
};

struct tapnet_opts {
	const char *tap;
	const char *pcap;
	struct tapnet_addr addrs[TAPNET_MAX_ADDRS];
	int n_addrs;
	struct tapnet_addr gws[TAPNET_MAX_GWS];
	int n_gws;
	const char *sysctls[TAPNET_MAX_SYSCTLS]; /* "name=value", applied first */
	int n_sysctls;
	/* --impair-tx / --impair-rx: duet's impairment model between the
	 * stack and the TAP device (after the capture, which records what
	 * crossed the wire), seeded with --impair-seed (default 1). */
	struct duet_impair_params imp_tx, imp_rx;
	int has_imp_tx, has_imp_rx;
	unsigned long long imp_seed;
	int is_offload;            /* --tap-offload: DUET_TAP_F_OFFLOAD */
};

struct tapnet {
	struct duet_host *host;
	uint32_t ifindex;
};

/* Takes --tap IF, --addr CIDR, --gateway ADDR, --pcap FILE, --sysctl
 * NAME=VALUE, --impair-tx SPEC, --impair-rx SPEC, --impair-seed N, the flag
 * --tap-offload at argv[*i]
 * (advancing *i past its value). Returns 1 if taken, 0 if not one of these,
 * -1 after printing an error. */
int tapnet_parse_opt(struct tapnet_opts *o, int argc, char **argv, int *i);

/* Opens the TAP device (created if missing) and brings it up, wraps it in a
 * capture and then the impairment model when asked, starts a host runtime on it, adds the addresses (IPv6
 * ones with DAD) and default routes via the gateways. Prints what failed.
 * Returns 0 or a negative errno. */
int tapnet_start(const struct tapnet_opts *o, struct tapnet *n);

/* Stops the runtime and frees everything. */
void tapnet_stop(struct tapnet *n);

/* Prints every non-zero counter of the stack (takes the host lock). */
void tapnet_print_counters(struct tapnet *n, FILE *out);

/* Parses "addr" or "addr/plen" of either family into a; plen defaults to
 * the full length. Returns 0 or -EINVAL. */
int tapnet_parse_cidr(const char *text, struct tapnet_addr *a);

/* Parses an impairment model, KEY=VALUE[,KEY=VALUE...]: loss, dup,
 * reorder, corrupt (N% or parts per million), delay, jitter, reorder-delay
 * (N[ns|us|ms|s], ms by default), rate (bits/s with k, M, G), queue, mtu,
 * capacity. Unnamed fields keep duet_impair_params_init's values; reorder
 * without reorder-delay holds frames back 1 ms. Returns 0 or -1 (also for
 * a model duet_impair_params_validate refuses). */
int tapnet_parse_impair(const char *spec, struct duet_impair_params *p);

/* Waits (at most 4 s) until no address of family on the TAP interface is
 * tentative and one is usable: IPv6 addresses go through DAD first, and a
 * tool's first packet should not leave from :: or be refused. */
void tapnet_wait_address(struct tapnet *n, int family);

/* An interface given by name or by index on stack s; 0 if there is none
 * such (or text is NULL or empty). */
uint32_t tapnet_ifindex(struct duet_stack *s, const char *text);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t tapnet_now_ns(void);

#endif
