/* In-memory link pair tests (SPEC L-1): delivery times (delay, serialisation
 * under a rate), impairment rates over 20,000 frames with a fixed seed,
 * determinism, MTU, bounded queues, invalid parameters, receiver pool
 * exhaustion, destroy with frames in flight. */
#include "check.h"

#include <errno.h>
#include <stdio.h>

#include <duet/byteorder.h>
#include <duet/clock.h>
#include <duet/links.h>
#include <duet/pkt.h>

#define FRAME_LEN 64u
#define LOG_MAX 25000u
#define HOLD_MAX 64u

struct rx_entry {
	uint64_t time_ns;
	uint32_t len;
	uint8_t bytes[FRAME_LEN];
};

struct rx_log {
	unsigned n;
	struct rx_entry e[LOG_MAX];
	unsigned corrupted, late, dups;
	uint32_t max_seq;
	int has_max;
	uint8_t seen[LOG_MAX];
	struct duet_pkt *held[HOLD_MAX]; /* frames the receiver does not free */
	unsigned nheld;
	int is_holding;
};

static struct rx_log lg_a, lg_b;

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };

static struct duet_pool *mk_pool(size_t cap)
{
	struct duet_pool_config cfg;
	struct duet_pool *pool = NULL;

	duet_pool_config_init(&cfg);
	if (cap)
		cfg.mem_cap_bytes = cap;
	CHECK_EQ(duet_pool_create(&cfg, &pool), 0);
	return pool;
}

static size_t pool_in_use(struct duet_pool *pool)
{
	struct duet_pool_stats st;

	duet_pool_stats(pool, &st);
	return st.in_use;
}

/* The expected byte k of frame seq (len bytes): A -> B, type 0x88b5, the
 * sequence number twice (one flipped bit cannot hide in both), then a fill. */
static void fill_frame(uint8_t *d, uint32_t seq, uint32_t len)
{
	uint32_t k;

	memcpy(d, mac_b, 6);
	memcpy(d + 6, mac_a, 6);
	duet_put_be16(d + 12, 0x88b5);
	duet_put_be32(d + 14, seq);
	duet_put_be32(d + 18, seq);
	for (k = 22; k < len; k++)
		d[k] = (uint8_t)(seq * 7u + k);
}

static struct duet_pkt *mk_frame(struct duet_pool *pool, uint32_t seq, uint32_t len)
{
	struct duet_pkt *p = duet_pkt_alloc(pool, DUET_PKT_HEADROOM, len);

	if (p)
		fill_frame(duet_pkt_data(p), seq, len);
	return p;
}

/* Classifies a received frame: intact (then dup / late bookkeeping) or corrupted. */
static void rx_classify(struct rx_log *lg, const uint8_t *d, uint32_t len)
{
	uint8_t want[FRAME_LEN];
	uint32_t seq = duet_get_be32(d + 14);

	if (len != FRAME_LEN || seq != duet_get_be32(d + 18) || seq >= LOG_MAX) {
		lg->corrupted++;
		return;
	}
	fill_frame(want, seq, len);
	if (memcmp(want, d, len) != 0) {
		lg->corrupted++;
		return;
	}
	if (lg->seen[seq])
		lg->dups++;
	lg->seen[seq] = 1;
	if (lg->has_max && seq < lg->max_seq)
		lg->late++;
	if (!lg->has_max || seq > lg->max_seq)
		lg->max_seq = seq;
	lg->has_max = 1;
}

static void rx_hook(void *ctx, struct duet_pkt *pkt)
{
	struct rx_log *lg = ctx;

	if (lg->n < LOG_MAX) {
		struct rx_entry *e = &lg->e[lg->n++];
		e->time_ns = pkt->time_ns;
		e->len = pkt->len;
		memcpy(e->bytes, duet_pkt_data(pkt), pkt->len < FRAME_LEN ? pkt->len : FRAME_LEN);
	}
	if (pkt->len >= 22)
		rx_classify(lg, duet_pkt_data(pkt), pkt->len);
	if (lg->is_holding && lg->nheld < HOLD_MAX)
		lg->held[lg->nheld++] = pkt;
	else
		duet_pkt_free(pkt);
}

struct pair {
	struct duet_vclock vc;
	struct duet_pool *pa, *pb;
	struct duet_link *a, *b;
};

/* Creates a pair A -> B impaired by ab (NULL: none) with seed, MTU 1500,
 * B's frames logged in lg. Returns 0 or the constructor's error. */
static int pair_open(struct pair *p, const struct duet_impair_params *ab, uint64_t seed,
		     struct rx_log *lg, size_t b_pool_cap)
{
	struct duet_memlink_config cfg;
	struct duet_link_rx rxa = { .deliver = rx_hook, .ctx = NULL };
	struct duet_link_rx rxb = { .deliver = rx_hook, .ctx = lg };
	int err;

	memset(p, 0, sizeof(*p));
	memset(lg, 0, sizeof(*lg));
	duet_vclock_init(&p->vc, 1000);
	duet_memlink_config_init(&cfg);
	cfg.clock = &p->vc.clock;
	cfg.has_macs = true;
	memcpy(cfg.mac_a, mac_a, 6);
	memcpy(cfg.mac_b, mac_b, 6);
	cfg.a_to_b = ab;
	cfg.seed_a_to_b = seed;
	err = duet_memlink_pair(&cfg, &p->a, &p->b);
	if (err)
		return err;
	p->pa = mk_pool(0);
	p->pb = mk_pool(b_pool_cap);
	rxa.pool = p->pa;
	rxb.pool = p->pb;
	duet_link_attach(p->a, &rxa);
	duet_link_attach(p->b, &rxb);
	return 0;
}

/* Destroys the pair and checks that neither pool leaked. */
static void pair_close(struct pair *p, struct rx_log *lg)
{
	unsigned i;

	for (i = 0; i < lg->nheld; i++)
		duet_pkt_free(lg->held[i]);
	lg->nheld = 0;
	duet_link_destroy(p->a);
	duet_link_destroy(p->b);
	CHECK_EQ(pool_in_use(p->pa), 0);
	CHECK_EQ(pool_in_use(p->pb), 0);
	duet_pool_destroy(p->pa);
	duet_pool_destroy(p->pb);
}

/* Sends one frame A -> B at the current time; returns transmit()'s count. */
static unsigned send_one(struct pair *p, uint32_t seq, uint32_t len)
{
	struct duet_pkt *f = mk_frame(p->pa, seq, len);

	return duet_link_transmit(p->a, &f, 1);
}

/* Advances to t and polls B. */
static void step_to(struct pair *p, uint64_t t)
{
	duet_vclock_set(&p->vc, t);
	duet_link_poll(p->b, t);
}

/* Polls B at each deadline until nothing is in flight (bounded). */
static void drain(struct pair *p)
{
	unsigned guard;

	for (guard = 0; guard < 100000; guard++) {
		uint64_t t = duet_link_next_deadline(p->b);
		if (t == DUET_TIME_NEVER)
			return;
		step_to(p, t > p->vc.now_ns ? t : p->vc.now_ns);
	}
	CHECK(!"drain did not finish");
}

/* n frames A -> B, one every 10 us, B polled at each step, then drained. */
static void run_traffic(struct pair *p, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		step_to(p, 1000 + (uint64_t)i * 10000);
		send_one(p, i, FRAME_LEN);
	}
	drain(p);
}

/* Action: a 5 ms delay, no other impairment. Response: nothing before 5 ms,
 * the frame (B's buffer, time_ns = send + 5 ms) at 5 ms; A's buffer freed. */
TEST(memlink_delivery_after_delay)
{
	struct duet_impair_params ip;
	struct pair p;

	duet_impair_params_init(&ip);
	ip.delay_ns = 5 * DUET_NS_PER_MS;
	CHECK_EQ(pair_open(&p, &ip, 1, &lg_a, 0), 0);
	lg_a.is_holding = 1;
	CHECK_EQ(send_one(&p, 7, FRAME_LEN), 1);
	CHECK_EQ(pool_in_use(p.pa), 1); /* in flight */
	CHECK_EQ(lg_a.n, 0);            /* never inside transmit() */
	CHECK_EQ(duet_link_next_deadline(p.b), 1000 + 5 * DUET_NS_PER_MS);
	CHECK(duet_link_next_deadline(p.a) == DUET_TIME_NEVER);
	step_to(&p, 1000 + 5 * DUET_NS_PER_MS - 1);
	CHECK_EQ(lg_a.n, 0);
	step_to(&p, 1000 + 6 * DUET_NS_PER_MS); /* polled late: time_ns is the arrival */
	CHECK_EQ(lg_a.n, 1);
	CHECK_EQ(lg_a.e[0].time_ns, 1000 + 5 * DUET_NS_PER_MS);
	CHECK_EQ(lg_a.held[0]->pool, p.pb);
	CHECK_EQ(pool_in_use(p.pa), 0);
	CHECK_EQ(pool_in_use(p.pb), 1);
	CHECK_EQ(p.a->stats.tx_frames, 1);
	CHECK_EQ(p.b->stats.rx_frames, 1);
	CHECK_EQ(p.b->stats.rx_bytes, FRAME_LEN);
	pair_close(&p, &lg_a);
}

/* Action: 8 Mbit/s, 1 ms delay, three 1000-byte frames sent at once.
 * Response: serialised one after another (1 ms each), arriving at
 * t0 + 2, 3 and 4 ms. */
TEST(memlink_rate_serialisation_time)
{
	struct duet_impair_params ip;
	struct pair p;
	unsigned i;

	duet_impair_params_init(&ip);
	ip.delay_ns = DUET_NS_PER_MS;
	ip.rate_bps = 8000000;
	CHECK_EQ(pair_open(&p, &ip, 1, &lg_a, 0), 0);
	for (i = 0; i < 3; i++)
		CHECK_EQ(send_one(&p, i, 1000), 1);
	drain(&p);
	CHECK_EQ(lg_a.n, 3);
	for (i = 0; i < 3; i++)
		CHECK_EQ(lg_a.e[i].time_ns, 1000 + (2 + i) * DUET_NS_PER_MS);
	/* 1001 bytes take 1,001,000 ns: rounding up to whole ns is exact here. */
	step_to(&p, 100 * DUET_NS_PER_MS);
	CHECK_EQ(send_one(&p, 3, 1001), 1);
	drain(&p);
	CHECK_EQ(lg_a.e[3].time_ns, 100 * DUET_NS_PER_MS + 1001000 + DUET_NS_PER_MS);
	pair_close(&p, &lg_a);
}

/* Action: rate queue of 2 frames, five sent at once, then five more after
 * the queue drained. Response: 2 + 2 accepted; 6 counted imp_rate_drops. */
TEST(memlink_rate_queue_overflow_counted)
{
	struct duet_impair_params ip;
	struct pair p;
	unsigned i, ok = 0;

	duet_impair_params_init(&ip);
	ip.rate_bps = 8000000;
	ip.rate_queue_frames = 2;
	CHECK_EQ(pair_open(&p, &ip, 1, &lg_a, 0), 0);
	for (i = 0; i < 5; i++)
		ok += send_one(&p, i, 1000);
	CHECK_EQ(ok, 2);
	CHECK_EQ(p.a->stats.imp_rate_drops, 3);
	step_to(&p, 1000 + 2 * DUET_NS_PER_MS); /* both serialised: the queue is empty */
	for (i = 5; i < 10; i++)
		ok += send_one(&p, i, 1000);
	CHECK_EQ(ok, 4);
	CHECK_EQ(p.a->stats.imp_rate_drops, 6);
	CHECK_EQ(p.a->stats.tx_drops, 0);
	drain(&p);
	CHECK_EQ(lg_a.n, 4);
	CHECK_EQ(duet_get_be32(lg_a.e[2].bytes + 14), 5);
	pair_close(&p, &lg_a);
}

/* Action: room for 3 frames in flight, 5 sent. Response: 3 accepted, 2
 * tx_drops; all 3 delivered. */
TEST(memlink_in_flight_bound_counted)
{
	struct duet_impair_params ip;
	struct pair p;
	unsigned i, ok = 0;

	duet_impair_params_init(&ip);
	ip.delay_ns = DUET_NS_PER_MS;
	ip.capacity_frames = 3;
	CHECK_EQ(pair_open(&p, &ip, 1, &lg_a, 0), 0);
	for (i = 0; i < 5; i++)
		ok += send_one(&p, i, FRAME_LEN);
	CHECK_EQ(ok, 3);
	CHECK_EQ(p.a->stats.tx_drops, 2);
	drain(&p);
	CHECK_EQ(lg_a.n, 3);
	pair_close(&p, &lg_a);
}

/* Action: 20,000 frames with 5% loss, 3% duplication, 4% reordering (300 us
 * hold), 2% corruption, 1 ms delay, fixed seed. Response: exact counts for
 * this seed, each within a band around the parameter; the receiver sees
 * exactly what the counters say. */
TEST(memlink_impairment_rates_20000)
{
	struct duet_impair_params ip;
	const unsigned n = 20000;
	struct pair p;
	struct duet_link_stats *st;

	duet_impair_params_init(&ip);
	ip.loss_ppm = 50000;
	ip.dup_ppm = 30000;
	ip.reorder_ppm = 40000;
	ip.reorder_delay_ns = 300000;
	ip.corrupt_ppm = 20000;
	ip.delay_ns = DUET_NS_PER_MS;
	ip.capacity_frames = 4096;
	CHECK_EQ(pair_open(&p, &ip, 20240601, &lg_a, 0), 0);
	run_traffic(&p, n);
	st = &p.a->stats;
	printf("  lost %llu dup %llu reord %llu corrupt %llu | rx %u corrupt %u late %u dups %u\n",
	       (unsigned long long)st->imp_lost, (unsigned long long)st->imp_duplicated,
	       (unsigned long long)st->imp_reordered, (unsigned long long)st->imp_corrupted,
	       lg_a.n, lg_a.corrupted, lg_a.late, lg_a.dups);
	/* Exact for this seed (the generator is fixed)... */
	CHECK_EQ(st->imp_lost, 1009);
	CHECK_EQ(st->imp_duplicated, 565);
	CHECK_EQ(st->imp_reordered, 769);
	CHECK_EQ(st->imp_corrupted, 433);
	CHECK_EQ(lg_a.late, 748);
	CHECK_EQ(lg_a.dups, 547);
	/* ... and within about 3 standard deviations of the parameters: loss of
	 * 20,000, duplication of the ~19,000 kept, reordering and corruption of
	 * the ~19,550 copies. */
	CHECK(st->imp_lost >= 900 && st->imp_lost <= 1100);
	CHECK(st->imp_duplicated >= 500 && st->imp_duplicated <= 700);
	CHECK(st->imp_reordered >= 700 && st->imp_reordered <= 900);
	CHECK(st->imp_corrupted >= 300 && st->imp_corrupted <= 500);
	CHECK_EQ(st->tx_frames, n);
	CHECK_EQ(st->tx_drops, 0);
	CHECK_EQ(lg_a.n, n - st->imp_lost + st->imp_duplicated);
	CHECK_EQ(p.b->stats.rx_frames, lg_a.n);
	CHECK_EQ(lg_a.corrupted, st->imp_corrupted);
	CHECK(lg_a.late <= st->imp_reordered && lg_a.late + 40 >= st->imp_reordered);
	CHECK(lg_a.dups <= st->imp_duplicated && lg_a.dups + 40 >= st->imp_duplicated);
	pair_close(&p, &lg_a);
}

/* Everything at once, with jitter and a rate: the determinism workload. */
static void full_params(struct duet_impair_params *ip)
{
	duet_impair_params_init(ip);
	ip->loss_ppm = 30000;
	ip->dup_ppm = 30000;
	ip->reorder_ppm = 30000;
	ip->reorder_delay_ns = 200000;
	ip->corrupt_ppm = 30000;
	ip->delay_ns = 500000;
	ip->jitter_ns = 50000;
	ip->rate_bps = 100000000;
	ip->capacity_frames = 4096;
}

static int logs_equal(const struct rx_log *x, const struct rx_log *y)
{
	unsigned i;

	if (x->n != y->n)
		return 0;
	for (i = 0; i < x->n; i++)
		if (x->e[i].time_ns != y->e[i].time_ns || x->e[i].len != y->e[i].len ||
		    memcmp(x->e[i].bytes, y->e[i].bytes, sizeof(x->e[i].bytes)) != 0)
			return 0;
	return 1;
}

/* Action: the same 5,000-frame workload twice with one seed, then with
 * another. Response: identical delivery logs (every frame's bytes and
 * time); a different log under the other seed. */
TEST(memlink_deterministic_per_seed)
{
	struct duet_impair_params ip;
	struct pair p;

	full_params(&ip);
	CHECK_EQ(pair_open(&p, &ip, 99, &lg_a, 0), 0);
	run_traffic(&p, 5000);
	pair_close(&p, &lg_a);
	CHECK_EQ(pair_open(&p, &ip, 99, &lg_b, 0), 0);
	run_traffic(&p, 5000);
	pair_close(&p, &lg_b);
	CHECK(lg_a.n > 4500);
	CHECK(logs_equal(&lg_a, &lg_b));
	CHECK_EQ(pair_open(&p, &ip, 100, &lg_b, 0), 0);
	run_traffic(&p, 5000);
	pair_close(&p, &lg_b);
	CHECK(!logs_equal(&lg_a, &lg_b));
}

/* Action: MTU 1500 and a path MTU of 1280 in the model. Response: frames
 * above 1280 + 14 (+4 tagged) are tx_drops; the rest arrive. */
TEST(memlink_mtu_drops)
{
	struct duet_impair_params ip;
	struct pair p;
	struct duet_pkt *f;

	CHECK_EQ(pair_open(&p, NULL, 1, &lg_a, 0), 0);
	CHECK_EQ(p.a->mtu, 1500);
	CHECK_EQ(send_one(&p, 0, 1514), 1);
	CHECK_EQ(send_one(&p, 1, 1515), 0);
	f = mk_frame(p.pa, 2, 1518);
	duet_put_be16(duet_pkt_data(f) + 12, 0x8100);
	CHECK_EQ(duet_link_transmit(p.a, &f, 1), 1);
	CHECK_EQ(p.a->stats.tx_drops, 1);
	drain(&p);
	CHECK_EQ(lg_a.n, 2);
	pair_close(&p, &lg_a);

	duet_impair_params_init(&ip);
	ip.mtu = 1280;
	CHECK_EQ(pair_open(&p, &ip, 1, &lg_a, 0), 0);
	CHECK_EQ(send_one(&p, 0, 1294), 1);
	CHECK_EQ(send_one(&p, 1, 1295), 0);
	CHECK_EQ(p.a->stats.tx_drops, 1);
	drain(&p);
	CHECK_EQ(lg_a.n, 1);
	pair_close(&p, &lg_a);
}

/* Action: invalid parameters and configurations. Response: -EINVAL. */
TEST(memlink_invalid_params_rejected)
{
	struct duet_impair_params ip;
	struct duet_memlink_config cfg;
	struct duet_vclock vc;
	struct duet_link *a = NULL, *b = NULL;

	duet_vclock_init(&vc, 0);
	duet_memlink_config_init(&cfg);
	CHECK_EQ(duet_memlink_pair(&cfg, &a, &b), -EINVAL); /* no clock */
	cfg.clock = &vc.clock;
	cfg.mtu = 67;
	CHECK_EQ(duet_memlink_pair(&cfg, &a, &b), -EINVAL);
	cfg.mtu = 1500;
	cfg.b_to_a = &ip;
#define BAD(field, value) do { \
		duet_impair_params_init(&ip); ip.field = value; \
		CHECK_EQ(duet_impair_params_validate(&ip), -EINVAL); \
		CHECK_EQ(duet_memlink_pair(&cfg, &a, &b), -EINVAL); \
	} while (0)
	BAD(loss_ppm, 1000001);
	BAD(dup_ppm, 2000000);
	BAD(corrupt_ppm, 1000001);
	BAD(reorder_ppm, 1000); /* without reorder_delay_ns */
	BAD(delay_ns, DUET_IMPAIR_MAX_DELAY_NS + 1);
	BAD(jitter_ns, 1ull << 32);
	BAD(reorder_delay_ns, DUET_IMPAIR_MAX_DELAY_NS + 1);
	BAD(rate_bps, 999);
	BAD(mtu, 67);
	BAD(mtu, 65537);
	BAD(capacity_frames, 0);
	BAD(capacity_frames, DUET_IMPAIR_MAX_FRAMES + 1);
	BAD(rate_queue_frames, DUET_IMPAIR_MAX_FRAMES + 1);
#undef BAD
	duet_impair_params_init(&ip);
	ip.rate_bps = 1000000;
	ip.rate_queue_frames = 0;
	CHECK_EQ(duet_impair_params_validate(&ip), -EINVAL);
	CHECK_EQ(duet_impair_params_validate(NULL), -EINVAL);
	duet_impair_params_init(&ip);
	ip.loss_ppm = 1000000;
	CHECK_EQ(duet_impair_params_validate(&ip), 0);
	CHECK(a == NULL && b == NULL);
}

/* Action: the receiver's pool holds 32 frames and the receiver keeps every
 * frame; 40 are sent. Response: 32 delivered, 8 rx_drops; once the frames
 * are released both pools are empty. */
TEST(memlink_receiver_pool_exhaustion)
{
	struct pair p;
	unsigned i;

	CHECK_EQ(pair_open(&p, NULL, 1, &lg_a, 64 + 2048 * 32), 0);
	lg_a.is_holding = 1;
	for (i = 0; i < 40; i++)
		CHECK_EQ(send_one(&p, i, FRAME_LEN), 1);
	drain(&p);
	CHECK_EQ(lg_a.n, 32);
	CHECK_EQ(p.b->stats.rx_frames, 32);
	CHECK_EQ(p.b->stats.rx_drops, 8);
	CHECK_EQ(pool_in_use(p.pa), 0);
	CHECK_EQ(pool_in_use(p.pb), 32);
	pair_close(&p, &lg_a);
}

/* Action: destroy both ends with frames in flight both ways (duplicates
 * included). Response: every buffer back in its pool (ASan: no leak). */
TEST(memlink_destroy_with_frames_in_flight)
{
	struct duet_impair_params ip;
	struct pair p;
	struct duet_pkt *f;
	unsigned i;

	duet_impair_params_init(&ip);
	ip.delay_ns = DUET_NS_PER_S;
	ip.dup_ppm = 500000;
	CHECK_EQ(pair_open(&p, &ip, 3, &lg_a, 0), 0);
	for (i = 0; i < 20; i++) {
		CHECK_EQ(send_one(&p, i, FRAME_LEN), 1);
		f = mk_frame(p.pb, i, FRAME_LEN);
		CHECK_EQ(duet_link_transmit(p.b, &f, 1), 1);
	}
	CHECK(pool_in_use(p.pa) > 20); /* A to B duplicates have buffers of their own */
	CHECK_EQ(pool_in_use(p.pb), 20);
	CHECK_EQ(lg_a.n, 0);
	duet_link_destroy(p.b);
	/* The far end is gone: no carrier. */
	CHECK_EQ(send_one(&p, 99, FRAME_LEN), 0);
	CHECK_EQ(p.a->stats.tx_drops, 1);
	duet_link_destroy(p.a);
	CHECK_EQ(pool_in_use(p.pa), 0);
	CHECK_EQ(pool_in_use(p.pb), 0);
	duet_pool_destroy(p.pa);
	duet_pool_destroy(p.pb);
}

/* Action: MACs derived from a seed; names and flags. Response: two distinct
 * locally administered unicast addresses, the same for the same seed. */
TEST(memlink_macs_names_flags)
{
	struct duet_memlink_config cfg;
	struct duet_vclock vc;
	struct duet_link *a, *b;
	uint8_t m[6];

	duet_vclock_init(&vc, 0);
	duet_memlink_config_init(&cfg);
	cfg.clock = &vc.clock;
	cfg.mac_seed = 42;
	cfg.name_b = "sim-b";
	CHECK_EQ(duet_memlink_pair(&cfg, &a, &b), 0);
	CHECK((a->hwaddr[0] & 3) == 2 && (b->hwaddr[0] & 3) == 2);
	CHECK(memcmp(a->hwaddr, b->hwaddr, 6) != 0);
	duet_mac_from_seed(42, m);
	CHECK_MEM(a->hwaddr, m, 6);
	CHECK_STR(a->name, "mem0a");
	CHECK_STR(b->name, "sim-b");
	CHECK_EQ(a->flags, DUET_LINK_F_BROADCAST | DUET_LINK_F_MULTICAST);
	CHECK_EQ(b->mtu, 1500);
	duet_link_destroy(a);
	duet_link_destroy(b);
}
