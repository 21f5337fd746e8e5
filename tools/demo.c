/* duet demo — a simulated network: two dual-stack hosts on an impaired
 * cable come up (DAD, Router Solicitations, gratuitous ARP) and ping each
 * other over IPv4 and IPv6, fragmented echoes included; the transcript shows
 * every frame each host received and what its stack did with it. It grows
 * with each issue. */
#include "tools/describe.h"
#include "tools/duet_tool.h"

#include <duet/addr.h>
#include <duet/net.h>
#include <duet/sim.h>
#include <duet/wire/eth.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct demo_host {
	const char *name;
	struct duet_stack *stack;
	int ifindex;
	uint8_t ip4[4];
	uint8_t ip6[16];
};

struct demo {
	struct duet_sim *sim;
	struct demo_host alpha, beta;
	unsigned replies;
};

/* Each host's trace hook: the frames it received, and its drops. */
static void demo_trace(void *ctx, const struct duet_trace_event *ev)
{
	const struct demo_host *h = ctx;
	char line[300];

	if (ev->kind == DUET_TRACE_RX) {
		describe_frame(ev->data, ev->len, line, sizeof line);
		printf("  %9.3f  %-5s <- %s\n", (double)ev->time_ns / 1e6, h->name, line);
	} else if (ev->kind == DUET_TRACE_DROP) {
		printf("  %9s  %-5s    dropped: %s\n", "", h->name, duet_counter_name(ev->counter));
	}
}

static void demo_on_reply(void *ctx, const struct duet_echo_reply *r)
{
	struct demo *d = ctx;
	char from[DUET_ADDR6_STRLEN];

	if (r->family == AF_INET)
		duet_addr4_ntop(r->from, from, sizeof from);
	else
		duet_addr6_ntop(r->from, from, sizeof from);
	printf("  %9.3f  alpha: echo reply from %s, seq %u, %u data bytes, hop limit %u\n",
	       (double)r->time_ns / 1e6, from, r->seq, r->data_len, r->hop_limit);
	d->replies++;
}

static int demo_add_host(struct demo *d, struct demo_host *h, const char *name, uint8_t last)
{
	struct duet_stack_config cfg;

	memset(h, 0, sizeof(*h));
	h->name = name;
	duet_addr4_pton("192.0.2.0", h->ip4);
	h->ip4[3] = last;
	duet_addr6_pton("2001:db8::", h->ip6);
	h->ip6[15] = last;
	duet_stack_config_init(&cfg);
	cfg.trace = demo_trace;
	cfg.trace_ctx = h;
	return duet_sim_add_stack(d->sim, name, &cfg, &h->stack);
}

static int demo_addresses(struct demo_host *h)
{
	int err = duet_if_addr_add(h->stack, (uint32_t)h->ifindex, AF_INET, h->ip4, 24, 0);

	return err ? err : duet_if_addr_add(h->stack, (uint32_t)h->ifindex, AF_INET6, h->ip6, 64, 0);
}

static int demo_setup(struct demo *d, uint64_t seed, const char *pcap)
{
	struct duet_impair_params imp;
	struct duet_sim_link_opts opts = { 0 };
	int err;

	err = duet_sim_create(seed, 0, &d->sim);
	if (!err)
		err = demo_add_host(d, &d->alpha, "alpha", 1);
	if (!err)
		err = demo_add_host(d, &d->beta, "beta", 2);
	if (err)
		return err;
	duet_impair_params_init(&imp);
	imp.delay_ns = 2 * DUET_NS_PER_MS;
	imp.jitter_ns = DUET_NS_PER_MS / 2;
	opts.a_to_b = &imp;
	opts.b_to_a = &imp;
	opts.pcap_path = pcap;
	err = duet_sim_connect(d->sim, d->alpha.stack, d->beta.stack, &opts, &d->alpha.ifindex,
			       &d->beta.ifindex);
	if (!err)
		err = demo_addresses(&d->alpha);
	if (!err)
		err = demo_addresses(&d->beta);
	duet_echo_set_handler(d->alpha.stack, demo_on_reply, d);
	return err;
}

static void demo_print_host(const struct demo_host *h)
{
	struct duet_link *l = duet_stack_iface_link(h->stack, (uint32_t)h->ifindex);
	char mac[18], v4[DUET_ADDR4_STRLEN], v6[DUET_ADDR6_STRLEN];

	duet_eth_ntop(l->hwaddr, mac);
	duet_addr4_ntop(h->ip4, v4, sizeof v4);
	duet_addr6_ntop(h->ip6, v6, sizeof v6);
	printf("  %-5s  %s  %s/24  %s/64\n", h->name, mac, v4, v6);
}

/* alpha pings beta once and lets the network settle for 100 ms. */
static void demo_ping(struct demo *d, int family, uint16_t seq, uint32_t size)
{
	const void *dst = family == AF_INET ? (const void *)d->beta.ip4 : (const void *)d->beta.ip6;
	int err;

	printf("\n  alpha pings beta over %s with %u data bytes:\n",
	       family == AF_INET ? "IPv4" : "IPv6", size);
	err = duet_echo_send(d->alpha.stack, family, dst, 0, 0xd0e7, seq, size);
	if (err)
		printf("  alpha: sending failed: %s\n", strerror(-err));
	duet_sim_run_for(d->sim, 100 * DUET_NS_PER_MS);
}

static void demo_summary(const struct demo *d)
{
	uint64_t ctr[DUET_CTR__COUNT];
	int i;

	printf("\nbeta's counters (non-zero):\n");
	duet_stack_counters(d->beta.stack, ctr);
	for (i = 0; i < DUET_CTR__COUNT; i++)
		if (ctr[i])
			printf("  %-26s %6llu\n", duet_counter_name((enum duet_counter)i),
			       (unsigned long long)ctr[i]);
}

int tool_demo(int argc, char **argv)
{
	struct demo d;
	const char *pcap = NULL;
	uint64_t seed = 1;
	int i, err;

	memset(&d, 0, sizeof d);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--pcap") == 0 && i + 1 < argc)
			pcap = argv[++i];
		else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else {
			fprintf(stderr, "duet demo: unknown argument '%s' (see duet demo --help)\n", argv[i]);
			return 2;
		}
	}
	printf("duet demo (seed %llu): two dual-stack hosts on one cable, 2 ms +/- 0.5 ms each way\n",
	       (unsigned long long)seed);
	err = demo_setup(&d, seed, pcap);
	if (err) {
		fprintf(stderr, "duet demo: setting up the simulation failed: %s\n", strerror(-err));
		duet_sim_destroy(d.sim);
		return 1;
	}
	demo_print_host(&d.alpha);
	demo_print_host(&d.beta);
	printf("\n  %9s  frames as each host received them\n"
	       "\n  the interfaces come up: MLD reports for the solicited-node groups,\n"
	       "  duplicate address detection, router solicitation, gratuitous ARP (3 s):\n",
	       "time (ms)");
	duet_sim_run_for(d.sim, 3 * DUET_NS_PER_S);
	demo_ping(&d, AF_INET, 1, 56);
	demo_ping(&d, AF_INET6, 2, 56);
	demo_ping(&d, AF_INET, 3, 3000);
	demo_ping(&d, AF_INET6, 4, 3000);
	demo_summary(&d);
	printf("\n%u of 4 echo requests answered.\n", d.replies);
	if (pcap)
		printf("capture written to %s\n", pcap);
	duet_sim_destroy(d.sim);
	return d.replies == 4 ? 0 : 1;
}
