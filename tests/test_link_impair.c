/* Impairment engine and wrapper tests (SPEC L-1): heap order (time, then
 * FIFO), corruption flips one bit without touching shared buffers,
 * duplicates delivered as private copies, the wrapper on both directions,
 * MTU, pool hand-over, determinism, destroy with frames in flight. */
#include "check.h"

#include <errno.h>

#include <duet/byteorder.h>
#include <duet/clock.h>
#include <duet/links.h>
#include <duet/pkt.h>

#include "link/impair_internal.h"

#define LOG_MAX 2048u

static struct {
	unsigned n;
	uint64_t due[LOG_MAX];
	uint32_t seq[LOG_MAX];
	struct duet_pkt *pkt[LOG_MAX]; /* held when is_holding */
	int is_holding;
} lg;

static struct duet_pool *mk_pool(void)
{
	struct duet_pool_config cfg;
	struct duet_pool *pool = NULL;

	duet_pool_config_init(&cfg);
	CHECK_EQ(duet_pool_create(&cfg, &pool), 0);
	return pool;
}

static size_t pool_in_use(struct duet_pool *pool)
{
	struct duet_pool_stats st;

	duet_pool_stats(pool, &st);
	return st.in_use;
}

static struct duet_pkt *mk_frame(struct duet_pool *pool, uint32_t seq, uint32_t len)
{
	struct duet_pkt *p = duet_pkt_alloc(pool, DUET_PKT_HEADROOM, len);
	uint8_t *d = duet_pkt_data(p);
	uint32_t k;

	for (k = 0; k < len; k++)
		d[k] = (uint8_t)(k * 13u);
	duet_put_be16(d + 12, 0x88b5);
	duet_put_be32(d + 14, seq);
	return p;
}

static void lg_record(struct duet_pkt *pkt, uint64_t due_ns)
{
	if (lg.n < LOG_MAX) {
		lg.due[lg.n] = due_ns;
		lg.seq[lg.n] = duet_get_be32(duet_pkt_data(pkt) + 14);
		lg.pkt[lg.n] = lg.is_holding ? pkt : NULL;
		lg.n++;
	}
	if (!lg.is_holding)
		duet_pkt_free(pkt);
}

static void engine_out(void *ctx, struct duet_pkt *pkt, uint64_t due_ns)
{
	(void)ctx;
	lg_record(pkt, due_ns);
}

static void rx_hook(void *ctx, struct duet_pkt *pkt)
{
	(void)ctx;
	lg_record(pkt, pkt->time_ns);
}

static void lg_reset(int is_holding)
{
	memset(&lg, 0, sizeof(lg));
	lg.is_holding = is_holding;
}

static void lg_release(void)
{
	unsigned i;

	for (i = 0; i < lg.n; i++)
		duet_pkt_free(lg.pkt[i]);
	lg.n = 0;
}

/* Action: 1,000 frames with jitter 0..3 ns submitted at 10 times, so many
 * share an arrival time. Response: delivered by arrival time, and in submit
 * order among equal times. */
TEST(impair_heap_orders_by_time_then_fifo)
{
	struct duet_impair_params ip;
	struct duet_link_stats st = { 0 };
	struct duet_pool *pool = mk_pool();
	struct impair imp;
	unsigned i, equal = 0;

	duet_impair_params_init(&ip);
	ip.delay_ns = 100;
	ip.jitter_ns = 3;
	CHECK_EQ(impair_init(&imp, &ip, 5, 1500, &st, &st.tx_drops), 0);
	lg_reset(0);
	for (i = 0; i < 1000; i++)
		CHECK_EQ(impair_submit(&imp, mk_frame(pool, i, 60), i / 100), 1);
	CHECK_EQ(impair_in_flight(&imp), 1000);
	CHECK_EQ(impair_next_deadline(&imp), 100);
	impair_deliver_due(&imp, 1000, engine_out, NULL);
	CHECK_EQ(lg.n, 1000);
	for (i = 1; i < lg.n; i++) {
		CHECK(lg.due[i - 1] <= lg.due[i]);
		if (lg.due[i - 1] == lg.due[i]) {
			CHECK(lg.seq[i - 1] < lg.seq[i]);
			equal++;
		}
	}
	CHECK(equal > 500);
	CHECK(impair_next_deadline(&imp) == DUET_TIME_NEVER);
	impair_fini(&imp);
	CHECK_EQ(pool_in_use(pool), 0);
	duet_pool_destroy(pool);
}

/* Action: corruption 100% on frames the sender still holds. Response: each
 * delivered frame differs from the original in exactly one bit; the
 * sender's buffer is unchanged. */
TEST(impair_corruption_flips_one_bit_copy_on_write)
{
	struct duet_impair_params ip;
	struct duet_link_stats st = { 0 };
	struct duet_pool *pool = mk_pool();
	struct duet_pkt *orig[50];
	uint8_t ref[100];
	struct impair imp;
	unsigned i, k;

	duet_impair_params_init(&ip);
	ip.corrupt_ppm = 1000000;
	CHECK_EQ(impair_init(&imp, &ip, 11, 1500, &st, &st.tx_drops), 0);
	lg_reset(1);
	for (i = 0; i < 50; i++) {
		orig[i] = mk_frame(pool, i, 100);
		CHECK_EQ(impair_submit(&imp, duet_pkt_ref(orig[i]), 0), 1);
	}
	impair_deliver_due(&imp, 0, engine_out, NULL);
	CHECK_EQ(lg.n, 50);
	CHECK_EQ(st.imp_corrupted, 50);
	for (i = 0; i < 50; i++) {
		struct duet_pkt *ok = mk_frame(pool, i, 100);
		unsigned bits = 0;
		memcpy(ref, duet_pkt_data(ok), 100);
		duet_pkt_free(ok);
		CHECK_MEM(duet_pkt_data(orig[i]), ref, 100);
		CHECK(lg.pkt[i] != orig[i]);
		for (k = 0; k < 100; k++)
			bits += (unsigned)__builtin_popcount(duet_pkt_data(lg.pkt[i])[k] ^ ref[k]);
		CHECK_EQ(bits, 1);
		duet_pkt_free(orig[i]);
	}
	lg_release();
	impair_fini(&imp);
	CHECK_EQ(pool_in_use(pool), 0);
	duet_pool_destroy(pool);
}

/* Action: invalid parameters to the wrapper. Response: -EINVAL, and the
 * inner link is left untouched (still usable, still the caller's). */
TEST(impair_wrap_invalid_params)
{
	struct duet_impair_params ip;
	struct duet_vclock vc;
	struct duet_link *lo, *w = NULL;

	duet_vclock_init(&vc, 0);
	CHECK_EQ(duet_loopback_create(NULL, &lo), 0);
	duet_impair_params_init(&ip);
	ip.loss_ppm = 1000001;
	CHECK_EQ(duet_impair_wrap(lo, &ip, NULL, 1, &vc.clock, &w), -EINVAL);
	CHECK_EQ(duet_impair_wrap(lo, NULL, &ip, 1, &vc.clock, &w), -EINVAL);
	CHECK_EQ(duet_impair_wrap(lo, NULL, NULL, 1, NULL, &w), -EINVAL);
	CHECK_EQ(duet_impair_wrap(NULL, NULL, NULL, 1, &vc.clock, &w), -EINVAL);
	CHECK(w == NULL);
	CHECK(lo->rx.deliver == NULL);
	duet_link_destroy(lo);
}

/* Builds a loopback wrapped with tx / rx models and attaches the log. */
static struct duet_link *mk_wrapped_loopback(struct duet_pool *pool, struct duet_vclock *vc,
					     const struct duet_impair_params *tx,
					     const struct duet_impair_params *rx, uint64_t seed,
					     struct duet_link **inner)
{
	struct duet_link_rx hook = { .deliver = rx_hook, .pool = pool };
	struct duet_link *lo, *w = NULL;

	CHECK_EQ(duet_loopback_create(NULL, &lo), 0);
	CHECK_EQ(duet_impair_wrap(lo, tx, rx, seed, &vc->clock, &w), 0);
	duet_link_attach(w, &hook);
	*inner = lo;
	return w;
}

/* Runs the link at each deadline up to limit (bounded). */
static void run_until(struct duet_link *l, struct duet_vclock *vc, uint64_t limit)
{
	unsigned guard;

	for (guard = 0; guard < 100000; guard++) {
		uint64_t t = duet_link_next_deadline(l);
		if (t == DUET_TIME_NEVER || t > limit)
			break;
		if (t < vc->now_ns)
			t = vc->now_ns;
		duet_vclock_set(vc, t);
		duet_link_poll(l, t);
	}
}

/* Action: a wrapped loopback with a 2 ms tx delay. Response: the frame
 * reaches the loopback, and so the stack, 2 ms after it was sent; the
 * wrapper keeps the inner link's name, flags and pool in step. */
TEST(impair_wrap_tx_delay)
{
	struct duet_impair_params ip;
	struct duet_pool *pool = mk_pool();
	struct duet_vclock vc;
	struct duet_link *w, *lo;
	struct duet_pkt *f;

	duet_vclock_init(&vc, 500);
	duet_impair_params_init(&ip);
	ip.delay_ns = 2 * DUET_NS_PER_MS;
	w = mk_wrapped_loopback(pool, &vc, &ip, NULL, 1, &lo);
	lg_reset(0);
	CHECK_STR(w->name, "lo");
	CHECK_EQ(w->flags, lo->flags);
	CHECK_EQ(w->mtu, 65536);
	f = mk_frame(pool, 1, 60);
	CHECK_EQ(duet_link_transmit(w, &f, 1), 1);
	CHECK_EQ(duet_link_next_deadline(w), 500 + 2 * DUET_NS_PER_MS);
	duet_link_poll(w, 500);
	CHECK_EQ(lg.n, 0);
	CHECK_EQ(lo->stats.tx_frames, 0);
	run_until(w, &vc, DUET_NS_PER_S);
	CHECK_EQ(lg.n, 1);
	CHECK_EQ(lg.due[0], 500 + 2 * DUET_NS_PER_MS);
	CHECK(lo->rx.pool == pool);
	CHECK_EQ(w->stats.tx_frames, 1);
	CHECK_EQ(w->stats.rx_frames, 1);
	CHECK_EQ(lo->stats.tx_frames, 1);
	duet_link_destroy(w);
	CHECK_EQ(pool_in_use(pool), 0);
	duet_pool_destroy(pool);
}

/* Action: rx-only model with 100% duplication, and then 100% loss.
 * Response: each received frame goes up twice, as two private buffers; then
 * nothing goes up and imp_lost counts, while transmit is untouched. */
TEST(impair_wrap_rx_direction)
{
	struct duet_impair_params ip;
	struct duet_pool *pool = mk_pool();
	struct duet_vclock vc;
	struct duet_link *w, *lo;
	struct duet_pkt *f;

	duet_vclock_init(&vc, 0);
	duet_impair_params_init(&ip);
	ip.dup_ppm = 1000000;
	w = mk_wrapped_loopback(pool, &vc, NULL, &ip, 1, &lo);
	lg_reset(1);
	f = mk_frame(pool, 9, 60);
	CHECK_EQ(duet_link_transmit(w, &f, 1), 1);
	CHECK_EQ(lo->stats.tx_frames, 1); /* no tx model: straight through */
	run_until(w, &vc, DUET_NS_PER_S);
	CHECK_EQ(lg.n, 2);
	CHECK(lg.pkt[0] != lg.pkt[1]);
	CHECK(lg.pkt[0]->refcnt == 1 && lg.pkt[1]->refcnt == 1);
	CHECK_MEM(duet_pkt_data(lg.pkt[0]), duet_pkt_data(lg.pkt[1]), 60);
	CHECK_EQ(w->stats.imp_duplicated, 1);
	lg_release();
	duet_link_destroy(w);

	duet_impair_params_init(&ip);
	ip.loss_ppm = 1000000;
	w = mk_wrapped_loopback(pool, &vc, NULL, &ip, 1, &lo);
	lg_reset(0);
	f = mk_frame(pool, 10, 60);
	CHECK_EQ(duet_link_transmit(w, &f, 1), 1);
	run_until(w, &vc, DUET_NS_PER_S);
	CHECK_EQ(lg.n, 0);
	CHECK_EQ(w->stats.imp_lost, 1);
	CHECK_EQ(lo->stats.rx_frames, 1);
	duet_link_destroy(w);
	CHECK_EQ(pool_in_use(pool), 0);
	duet_pool_destroy(pool);
}

/* Action: a tx model with MTU 1280 over a link of MTU 65536. Response: the
 * wrapper reports 1280 and refuses larger frames (tx_drops). */
TEST(impair_wrap_mtu)
{
	struct duet_impair_params ip;
	struct duet_pool *pool = mk_pool();
	struct duet_vclock vc;
	struct duet_link *w, *lo;
	struct duet_pkt *f[2];

	duet_vclock_init(&vc, 0);
	duet_impair_params_init(&ip);
	ip.mtu = 1280;
	w = mk_wrapped_loopback(pool, &vc, &ip, NULL, 1, &lo);
	lg_reset(0);
	CHECK_EQ(w->mtu, 1280);
	f[0] = mk_frame(pool, 0, 1294);
	f[1] = mk_frame(pool, 1, 1295);
	CHECK_EQ(duet_link_transmit(w, f, 2), 1);
	CHECK_EQ(w->stats.tx_drops, 1);
	run_until(w, &vc, DUET_NS_PER_S);
	CHECK_EQ(lg.n, 1);
	duet_link_destroy(w);
	CHECK_EQ(pool_in_use(pool), 0);
	duet_pool_destroy(pool);
}

/* Runs 300 frames through a wrapper with both models; fills lg. */
static void wrap_workload(struct duet_pool *pool, uint64_t seed)
{
	struct duet_impair_params tx, rx;
	struct duet_vclock vc;
	struct duet_link *w, *lo;
	unsigned i;

	duet_impair_params_init(&tx);
	tx.loss_ppm = 100000;
	tx.jitter_ns = 20000;
	tx.delay_ns = 10000;
	tx.rate_bps = 500000000;
	duet_impair_params_init(&rx);
	rx.dup_ppm = 100000;
	rx.corrupt_ppm = 100000;
	rx.reorder_ppm = 100000;
	rx.reorder_delay_ns = 30000;
	duet_vclock_init(&vc, 0);
	w = mk_wrapped_loopback(pool, &vc, &tx, &rx, seed, &lo);
	lg_reset(0);
	for (i = 0; i < 300; i++) {
		struct duet_pkt *f = mk_frame(pool, i, 200);
		run_until(w, &vc, (uint64_t)i * 5000);
		duet_vclock_set(&vc, (uint64_t)i * 5000);
		duet_link_transmit(w, &f, 1);
	}
	run_until(w, &vc, DUET_NS_PER_S);
	duet_link_destroy(w);
}

/* Action: the same workload twice with one seed, once with another.
 * Response: the same log (arrival times and sequence) for the same seed. */
TEST(impair_wrap_deterministic)
{
	struct duet_pool *pool = mk_pool();
	static uint64_t due1[LOG_MAX];
	static uint32_t seq1[LOG_MAX];
	unsigned n1;

	wrap_workload(pool, 7);
	n1 = lg.n;
	memcpy(due1, lg.due, sizeof(due1));
	memcpy(seq1, lg.seq, sizeof(seq1));
	CHECK(n1 > 250);
	wrap_workload(pool, 7);
	CHECK_EQ(lg.n, n1);
	CHECK(memcmp(due1, lg.due, sizeof(due1)) == 0);
	CHECK(memcmp(seq1, lg.seq, sizeof(seq1)) == 0);
	wrap_workload(pool, 8);
	CHECK(lg.n != n1 || memcmp(due1, lg.due, sizeof(due1)) != 0);
	CHECK_EQ(pool_in_use(pool), 0);
	duet_pool_destroy(pool);
}

/* Action: destroy the wrapper with frames held both ways. Response: all
 * buffers back in the pool (ASan: nothing leaked). */
TEST(impair_wrap_destroy_with_frames_in_flight)
{
	struct duet_impair_params ip;
	struct duet_pool *pool = mk_pool();
	struct duet_vclock vc;
	struct duet_link *w, *lo;
	unsigned i;

	duet_vclock_init(&vc, 0);
	duet_impair_params_init(&ip);
	ip.delay_ns = DUET_NS_PER_MS;
	ip.dup_ppm = 500000;
	w = mk_wrapped_loopback(pool, &vc, &ip, &ip, 1, &lo);
	lg_reset(0);
	for (i = 0; i < 10; i++) {
		struct duet_pkt *f = mk_frame(pool, i, 60);
		CHECK_EQ(duet_link_transmit(w, &f, 1), 1);
	}
	duet_vclock_set(&vc, DUET_NS_PER_MS);
	duet_link_poll(w, DUET_NS_PER_MS); /* now in the rx model, delayed again */
	CHECK_EQ(lg.n, 0);
	CHECK(pool_in_use(pool) > 0);
	duet_link_destroy(w);
	CHECK_EQ(pool_in_use(pool), 0);
	duet_pool_destroy(pool);
}
