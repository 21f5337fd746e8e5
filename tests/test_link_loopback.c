/* Loopback link tests (SPEC L-1): delivery in poll() only and in order, no
 * re-entrancy, bounded queue, MTU, shared frames copied, nothing leaked. */
#include "check.h"

#include <errno.h>

#include <duet/byteorder.h>
#include <duet/clock.h>
#include <duet/links.h>
#include <duet/pkt.h>

#define LOG_MAX 64

static struct {
	struct duet_link *link;     /* where the hook may transmit */
	struct duet_pool *pool;
	int is_echo;                /* hook sends one frame back per frame */
	int depth, max_depth;
	unsigned n;
	uint32_t seq[LOG_MAX];
	uint64_t time[LOG_MAX];
	struct duet_pkt *held[LOG_MAX]; /* kept instead of freed when non-NULL */
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

/* A frame of len bytes (>= 18) carrying seq after an Ethernet header. */
static struct duet_pkt *mk_frame(struct duet_pool *pool, uint32_t seq, uint32_t len,
				 uint16_t ethertype)
{
	struct duet_pkt *p = duet_pkt_alloc(pool, DUET_PKT_HEADROOM, len);
	uint8_t *d = duet_pkt_data(p);

	memset(d, 0, len);
	duet_put_be16(d + 12, ethertype);
	duet_put_be32(d + 14, seq);
	return p;
}

static void lg_hook(void *ctx, struct duet_pkt *pkt)
{
	(void)ctx;
	lg.depth++;
	if (lg.depth > lg.max_depth)
		lg.max_depth = lg.depth;
	if (lg.n < LOG_MAX) {
		lg.seq[lg.n] = duet_get_be32(duet_pkt_data(pkt) + 14);
		lg.time[lg.n] = pkt->time_ns;
		if (lg.is_holding)
			lg.held[lg.n] = pkt;
		lg.n++;
	}
	if (lg.is_echo) {
		struct duet_pkt *r = mk_frame(lg.pool, 1000 + duet_get_be32(duet_pkt_data(pkt) + 14),
					      60, 0x88b5);
		duet_link_transmit(lg.link, &r, 1);
	}
	if (!lg.is_holding)
		duet_pkt_free(pkt);
	lg.depth--;
}

static struct duet_link *mk_loopback(struct duet_pool *pool, uint32_t mtu, uint32_t queue)
{
	struct duet_loopback_config cfg;
	struct duet_link *lo = NULL;
	struct duet_link_rx rx = { .deliver = lg_hook, .pool = pool };

	duet_loopback_config_init(&cfg);
	if (mtu)
		cfg.mtu = mtu;
	if (queue)
		cfg.queue_frames = queue;
	CHECK_EQ(duet_loopback_create(&cfg, &lo), 0);
	duet_link_attach(lo, &rx);
	memset(&lg, 0, sizeof(lg));
	lg.link = lo;
	lg.pool = pool;
	return lo;
}

static void check_no_leak(struct duet_pool *pool)
{
	struct duet_pool_stats st;

	duet_pool_stats(pool, &st);
	CHECK_EQ(st.in_use, 0);
}

/* Action: transmit two batches; poll. Response: nothing before poll; then
 * every frame in transmit order, stamped with the poll time. */
TEST(loopback_delivers_in_order_on_poll)
{
	struct duet_pool *pool = mk_pool();
	struct duet_link *lo = mk_loopback(pool, 0, 0);
	struct duet_pkt *b[5];
	unsigned i;

	CHECK_STR(lo->name, "lo");
	CHECK_EQ(lo->mtu, 65536);
	CHECK_EQ(lo->flags, DUET_LINK_F_LOOPBACK | DUET_LINK_F_MULTICAST | DUET_LINK_F_BROADCAST);
	CHECK(duet_link_next_deadline(lo) == DUET_TIME_NEVER);
	for (i = 0; i < 5; i++)
		b[i] = mk_frame(pool, i, 60, 0x88b5);
	CHECK_EQ(duet_link_transmit(lo, b, 5), 5);
	for (i = 0; i < 3; i++)
		b[i] = mk_frame(pool, 5 + i, 100, 0x88b5);
	CHECK_EQ(duet_link_transmit(lo, b, 3), 3);
	CHECK_EQ(lg.n, 0);
	CHECK_EQ(duet_link_next_deadline(lo), 0);
	duet_link_poll(lo, 777);
	CHECK_EQ(lg.n, 8);
	for (i = 0; i < lg.n; i++) {
		CHECK_EQ(lg.seq[i], i);
		CHECK_EQ(lg.time[i], 777);
	}
	CHECK_EQ(lo->stats.tx_frames, 8);
	CHECK_EQ(lo->stats.tx_bytes, 5 * 60 + 3 * 100);
	CHECK_EQ(lo->stats.rx_frames, 8);
	CHECK_EQ(lo->stats.rx_bytes, 5 * 60 + 3 * 100);
	CHECK(duet_link_next_deadline(lo) == DUET_TIME_NEVER);
	duet_link_destroy(lo);
	check_no_leak(pool);
	duet_pool_destroy(pool);
}

/* Action: the rx hook transmits a frame for each frame it receives.
 * Response: the hook never runs inside itself; replies wait for the next
 * poll, so each poll delivers one generation. */
TEST(loopback_no_reentrancy)
{
	struct duet_pool *pool = mk_pool();
	struct duet_link *lo = mk_loopback(pool, 0, 0);
	struct duet_pkt *p = mk_frame(pool, 1, 60, 0x88b5);

	lg.is_echo = 1;
	CHECK_EQ(duet_link_transmit(lo, &p, 1), 1);
	duet_link_poll(lo, 1);
	CHECK_EQ(lg.n, 1);
	CHECK_EQ(duet_link_next_deadline(lo), 0); /* the reply waits */
	duet_link_poll(lo, 2);
	CHECK_EQ(lg.n, 2);
	CHECK_EQ(lg.seq[1], 1001);
	duet_link_poll(lo, 3);
	CHECK_EQ(lg.n, 3);
	CHECK_EQ(lg.seq[2], 2001);
	CHECK_EQ(lg.max_depth, 1);
	duet_link_destroy(lo); /* one reply still queued: freed */
	check_no_leak(pool);
	duet_pool_destroy(pool);
}

/* Action: queue bound 4, six frames. Response: four accepted, two tx_drops. */
TEST(loopback_queue_overflow_counted)
{
	struct duet_pool *pool = mk_pool();
	struct duet_link *lo = mk_loopback(pool, 0, 4);
	struct duet_pkt *b[6];
	unsigned i;

	for (i = 0; i < 6; i++)
		b[i] = mk_frame(pool, i, 60, 0x88b5);
	CHECK_EQ(duet_link_transmit(lo, b, 6), 4);
	CHECK_EQ(lo->stats.tx_drops, 2);
	CHECK_EQ(lo->stats.tx_frames, 4);
	duet_link_poll(lo, 1);
	CHECK_EQ(lg.n, 4);
	CHECK_EQ(lg.seq[3], 3);
	duet_link_destroy(lo);
	check_no_leak(pool);
	duet_pool_destroy(pool);
}

/* Action: MTU 1500; frames of 1514, 1515, a tagged 1518, a tagged 1519 and
 * a 13-byte runt. Response: 1514 and tagged 1518 pass, the rest are dropped. */
TEST(loopback_mtu_enforced)
{
	struct duet_pool *pool = mk_pool();
	struct duet_link *lo = mk_loopback(pool, 1500, 0);
	struct duet_pkt *b[5];

	b[0] = mk_frame(pool, 0, 1514, 0x88b5);
	b[1] = mk_frame(pool, 1, 1515, 0x88b5);
	b[2] = mk_frame(pool, 2, 1518, 0x8100);
	b[3] = mk_frame(pool, 3, 1519, 0x8100);
	b[4] = mk_frame(pool, 4, 18, 0x88b5);
	duet_pkt_trim(b[4], 13);
	CHECK_EQ(duet_link_transmit(lo, b, 5), 2);
	CHECK_EQ(lo->stats.tx_drops, 3);
	duet_link_poll(lo, 1);
	CHECK_EQ(lg.n, 2);
	CHECK_EQ(lg.seq[0], 0);
	CHECK_EQ(lg.seq[1], 2);
	duet_link_destroy(lo);
	check_no_leak(pool);
	duet_pool_destroy(pool);
}

/* Action: the sender keeps a reference to the frame it transmits.
 * Response: input gets a private copy; the sender's buffer is untouched. */
TEST(loopback_shared_frame_copied)
{
	struct duet_pool *pool = mk_pool();
	struct duet_link *lo = mk_loopback(pool, 0, 0);
	struct duet_pkt *p = mk_frame(pool, 42, 60, 0x88b5), *q = p;

	lg.is_holding = 1;
	duet_pkt_ref(p);
	CHECK_EQ(duet_link_transmit(lo, &q, 1), 1);
	duet_link_poll(lo, 5);
	CHECK_EQ(lg.n, 1);
	CHECK(lg.held[0] != p);
	CHECK_EQ(lg.held[0]->refcnt, 1);
	CHECK_EQ(p->refcnt, 1);
	CHECK_MEM(duet_pkt_data(lg.held[0]), duet_pkt_data(p), 60);
	duet_pkt_data(lg.held[0])[20] = 0xee; /* input may write its copy */
	CHECK_EQ(duet_pkt_data(p)[20], 0);
	duet_pkt_free(lg.held[0]);
	duet_pkt_free(p);
	duet_link_destroy(lo);
	check_no_leak(pool);
	duet_pool_destroy(pool);
}

/* Action: poll with no rx hook attached. Response: frames freed, rx_drops. */
TEST(loopback_without_hook_counts_rx_drops)
{
	struct duet_pool *pool = mk_pool();
	struct duet_link *lo = NULL;
	struct duet_pkt *p = mk_frame(pool, 1, 60, 0x88b5);

	CHECK_EQ(duet_loopback_create(NULL, &lo), 0);
	CHECK_EQ(duet_link_transmit(lo, &p, 1), 1);
	duet_link_poll(lo, 1);
	CHECK_EQ(lo->stats.rx_drops, 1);
	duet_link_destroy(lo);
	check_no_leak(pool);
	duet_pool_destroy(pool);
}

/* Action: invalid configurations. Response: -EINVAL. */
TEST(loopback_invalid_config)
{
	struct duet_loopback_config cfg;
	struct duet_link *lo = NULL;

	duet_loopback_config_init(&cfg);
	cfg.mtu = 67;
	CHECK_EQ(duet_loopback_create(&cfg, &lo), -EINVAL);
	cfg.mtu = 65537;
	CHECK_EQ(duet_loopback_create(&cfg, &lo), -EINVAL);
	duet_loopback_config_init(&cfg);
	cfg.queue_frames = 0;
	CHECK_EQ(duet_loopback_create(&cfg, &lo), -EINVAL);
	CHECK_EQ(duet_loopback_create(NULL, NULL), -EINVAL);
	CHECK(lo == NULL);
}
