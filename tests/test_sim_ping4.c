/* IPv4 ping between two simulated stacks (N-8 echo, F-1 fragmentation, F-2
 * reassembly, L-1 in-memory link): duet_echo_send with 56, 1472, 1473
 * (fragmented), 8000 and 65,507 data bytes over a perfect link and one
 * losing 5% of frames, each ping retried (bounded) until a reply comes; the
 * same seed gives the same transcript. */
#include "check.h"

#include <duet/net.h>
#include <duet/sim.h>

#include <stdio.h>
#include <sys/socket.h>

static const uint8_t ip_a[4] = { 192, 0, 2, 1 };
static const uint8_t ip_b[4] = { 192, 0, 2, 2 };
static const uint32_t sizes[] = { 56, 1472, 1473, 8000, 65507 };

struct run {
	uint64_t hash;          /* FNV-1a over every traced frame and its time */
	unsigned replies, attempts[5];
	struct duet_echo_reply last;
	bool is_bad;            /* a reply with a wrong id or length */
	uint32_t want_len;
	uint16_t want_seq;
};

static void on_trace(void *ctx, const struct duet_trace_event *ev)
{
	struct run *r = ctx;
	uint32_t i;

	r->hash = (r->hash ^ ev->time_ns ^ ev->kind) * 0x100000001b3ull;
	for (i = 0; i < ev->len; i++)
		r->hash = (r->hash ^ ev->data[i]) * 0x100000001b3ull;
}

static void on_echo(void *ctx, const struct duet_echo_reply *rep)
{
	struct run *r = ctx;

	if (rep->seq != r->want_seq)
		return; /* a late reply to an earlier try */
	if (rep->id != 0x4444 || rep->data_len != r->want_len || rep->family != AF_INET ||
	    memcmp(rep->from, ip_b, 4) != 0)
		r->is_bad = true;
	r->last = *rep;
	r->replies++;
}

/* Pings b from a with every size, retrying each up to max_tries times. */
static struct run run_pings(uint64_t seed, uint32_t loss_ppm, unsigned max_tries)
{
	struct duet_stack_config cfg;
	struct duet_impair_params imp;
	struct duet_sim_link_opts opts = { 0 };
	struct duet_stack *a, *b;
	struct duet_sim *sim;
	struct run r;
	int ia, ib;
	unsigned s;

	memset(&r, 0, sizeof(r));
	r.hash = 0xcbf29ce484222325ull;
	CHECK_EQ(duet_sim_create(seed, 0, &sim), 0);
	duet_stack_config_init(&cfg);
	cfg.trace = on_trace;
	cfg.trace_ctx = &r;
	CHECK_EQ(duet_sim_add_stack(sim, "a", &cfg, &a), 0);
	CHECK_EQ(duet_sim_add_stack(sim, "b", NULL, &b), 0);
	duet_impair_params_init(&imp);
	imp.loss_ppm = loss_ppm;
	imp.delay_ns = DUET_NS_PER_MS;
	opts.a_to_b = &imp;
	opts.b_to_a = &imp;
	CHECK_EQ(duet_sim_connect(sim, a, b, &opts, &ia, &ib), 0);
	CHECK_EQ(duet_if_addr_add(a, (uint32_t)ia, AF_INET, ip_a, 24, 0), 0);
	CHECK_EQ(duet_if_addr_add(b, (uint32_t)ib, AF_INET, ip_b, 24, 0), 0);
	duet_echo_set_handler(a, on_echo, &r);
	for (s = 0; s < 5; s++) {
		unsigned before = r.replies, t;
		r.want_len = sizes[s];
		for (t = 0; t < max_tries && r.replies == before; t++) {
			r.want_seq++;
			CHECK_EQ(duet_echo_send(a, AF_INET, ip_b, 0, 0x4444, r.want_seq, sizes[s]), 0);
			duet_sim_run_for(sim, 100 * DUET_NS_PER_MS);
		}
		r.attempts[s] = t;
		CHECK(r.replies == before + 1);
	}
	duet_sim_destroy(sim);
	return r;
}

/* Action: one ping of each size over a perfect link. Response: each
 * answered at the first try, with the right id, seq and length. */
TEST(sim_ping4_all_sizes)
{
	struct run r = run_pings(7, 0, 3);
	unsigned s;

	CHECK_EQ(r.replies, 5);
	CHECK(!r.is_bad);
	for (s = 0; s < 5; s++)
		CHECK_EQ(r.attempts[s], 1);
	CHECK_EQ(r.last.data_len, 65507);
	CHECK_EQ(r.last.hop_limit, 64);
}

/* Action: the same over a link losing 5% of frames each way. Response:
 * every size eventually answered within the bound; the same seed gives the
 * same transcript, another seed a different one. */
TEST(sim_ping4_lossy_deterministic)
{
	struct run r1 = run_pings(99, 50000, 400), r2 = run_pings(99, 50000, 400);
	struct run r3 = run_pings(1234, 50000, 400);
	unsigned s, tries = 0;

	CHECK_EQ(r1.replies, 5);
	CHECK(!r1.is_bad);
	CHECK(r1.hash == r2.hash);
	CHECK_MEM(r1.attempts, r2.attempts, sizeof(r1.attempts));
	CHECK(r1.hash != r3.hash);
	for (s = 0; s < 5; s++)
		tries += r1.attempts[s];
	CHECK(tries > 5); /* this seed loses frames: retries were needed */
	printf("tries per size (seed 99): %u %u %u %u %u\n", r1.attempts[0], r1.attempts[1],
	       r1.attempts[2], r1.attempts[3], r1.attempts[4]);
}
