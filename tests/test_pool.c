/* Packet buffers and the pool (foundation of every layer; "pool exhaustion"
 * in the Done-when list): headroom push/pull, tail put/trim, references,
 * copies, size classes, the memory cap as a clean NULL, queues. */
#include "check.h"

#include <duet/pkt.h>

#include <errno.h>

static struct duet_pool *mkpool(size_t cap)
{
	struct duet_pool_config cfg;
	struct duet_pool *pool = NULL;

	duet_pool_config_init(&cfg);
	if (cap)
		cfg.mem_cap_bytes = cap;
	CHECK_EQ(duet_pool_create(&cfg, &pool), 0);
	return pool;
}

TEST(pool_push_pull_put_trim)
{
	struct duet_pool *pool = mkpool(0);
	struct duet_pkt *p = duet_pkt_alloc(pool, 64, 10);
	uint8_t *d;

	CHECK(p != NULL);
	CHECK_EQ(duet_pkt_headroom(p), 64);
	CHECK_EQ(p->len, 10);
	memset(duet_pkt_data(p), 0xab, 10);
	d = duet_pkt_push(p, 14);
	CHECK(d == duet_pkt_data(p));
	CHECK_EQ(p->len, 24);
	CHECK(duet_pkt_push(p, 51) == NULL); /* only 50 left: unchanged */
	CHECK_EQ(p->len, 24);
	CHECK(duet_pkt_pull(p, 14) != NULL);
	CHECK_EQ(duet_pkt_data(p)[0], 0xab);
	CHECK(duet_pkt_pull(p, 11) == NULL);
	CHECK(duet_pkt_put(p, 5) != NULL);
	CHECK_EQ(p->len, 15);
	CHECK(duet_pkt_put(p, duet_pkt_tailroom(p) + 1) == NULL);
	CHECK_EQ(duet_pkt_trim(p, 3), 0);
	CHECK_EQ(duet_pkt_trim(p, 4), -1);
	duet_pkt_free(p);
	duet_pool_destroy(pool);
}

TEST(pool_refs_and_copy)
{
	struct duet_pool *pool = mkpool(0);
	struct duet_pool_stats st;
	struct duet_pkt *p = duet_pkt_alloc(pool, 0, 100), *c;

	memset(duet_pkt_data(p), 7, 100);
	p->ifindex = 3;
	duet_pkt_ref(p);
	duet_pkt_free(p);
	duet_pool_stats(pool, &st);
	CHECK_EQ(st.in_use, 1); /* one reference left */
	c = duet_pkt_copy(pool, p, 32);
	CHECK(c != NULL);
	CHECK_EQ(c->len, 100);
	CHECK_EQ(c->ifindex, 3);
	CHECK_EQ(duet_pkt_headroom(c), 32);
	CHECK_EQ(duet_pkt_data(c)[99], 7);
	duet_pkt_free(p);
	duet_pkt_free(c);
	duet_pkt_free(NULL);
	duet_pool_stats(pool, &st);
	CHECK_EQ(st.in_use, 0);
	duet_pool_destroy(pool);
}

TEST(pool_size_classes_and_limits)
{
	struct duet_pool *pool = mkpool(0);
	struct duet_pkt *small = duet_pkt_alloc(pool, DUET_PKT_HEADROOM, 1514);
	struct duet_pkt *mid = duet_pkt_alloc(pool, DUET_PKT_HEADROOM, 9000);
	struct duet_pkt *big = duet_pkt_alloc(pool, 0, DUET_PKT_MAX_DATA);
	struct duet_pool_stats st;

	CHECK(small && mid && big);
	CHECK(small->cap < mid->cap && mid->cap < big->cap);
	CHECK(duet_pkt_alloc(pool, 1, DUET_PKT_MAX_DATA) == NULL);
	duet_pool_stats(pool, &st);
	CHECK_EQ(st.alloc_failures, 1);
	duet_pkt_free(small);
	duet_pkt_free(mid);
	duet_pkt_free(big);
	duet_pool_destroy(pool);
}

/* The cap is a hard limit: allocation fails cleanly, and freed buffers are
 * reused (no growth past the cap, no corruption). */
TEST(pool_exhaustion_returns_null_then_recovers)
{
	struct duet_pool *pool = mkpool(200000); /* three slabs of 32 small buffers */
	struct duet_pkt *held[200];
	struct duet_pool_stats st;
	int n = 0, i;

	while (n < 200 && (held[n] = duet_pkt_alloc(pool, 0, 1500)) != NULL) {
		memset(duet_pkt_data(held[n]), n, 1500);
		n++;
	}
	CHECK_EQ(n, 96);
	duet_pool_stats(pool, &st);
	CHECK(st.mem_bytes <= st.mem_cap_bytes);
	CHECK_EQ(st.alloc_failures, 1);
	for (i = 0; i < n; i++)
		CHECK_EQ(duet_pkt_data(held[i])[1499], (uint8_t)i); /* nothing overwritten */
	duet_pkt_free(held[5]);
	held[5] = duet_pkt_alloc(pool, 0, 1500);
	CHECK(held[5] != NULL);
	for (i = 0; i < n; i++)
		duet_pkt_free(held[i]);
	duet_pool_stats(pool, &st);
	CHECK_EQ(st.in_use, 0);
	duet_pool_destroy(pool);
}

TEST(pool_config_rejected)
{
	struct duet_pool_config cfg;
	struct duet_pool *pool;

	duet_pool_config_init(&cfg);
	cfg.mem_cap_bytes = 100;
	CHECK_EQ(duet_pool_create(&cfg, &pool), -EINVAL);
}

TEST(pktq_bounded_fifo)
{
	struct duet_pool *pool = mkpool(0);
	struct duet_pktq q;
	struct duet_pkt *a = duet_pkt_alloc(pool, 0, 1), *b = duet_pkt_alloc(pool, 0, 1);
	struct duet_pkt *c = duet_pkt_alloc(pool, 0, 1);

	duet_pktq_init(&q, 2);
	CHECK_EQ(duet_pktq_push(&q, a), 0);
	CHECK_EQ(duet_pktq_push(&q, b), 0);
	CHECK_EQ(duet_pktq_push(&q, c), -1);
	CHECK(duet_pktq_pop(&q) == a);
	duet_pkt_free(a);
	duet_pkt_free(c);
	duet_pktq_purge(&q);
	CHECK_EQ(q.len, 0);
	CHECK(duet_pktq_pop(&q) == NULL);
	duet_pool_destroy(pool);
}

/* Action (AddressSanitizer builds): a packet of 16 data bytes; 8 more put;
 * trimmed to 4; freed. Response: the byte past the data is poisoned at
 * every step and the put bytes are not; after the free the whole buffer
 * is, so reads past a packet's data or after its free are reported even
 * inside the pool's slab. Skipped in builds without ASan. */
TEST(pool_tailroom_and_free_buffers_poisoned_under_asan)
{
#ifdef DUET_PKT_ASAN
	struct duet_pool *pool = mkpool(0);
	struct duet_pkt *p = duet_pkt_alloc(pool, 64, 16);
	uint8_t *d;

	CHECK(p != NULL);
	d = duet_pkt_data(p);
	CHECK(!__asan_address_is_poisoned(d + 15));
	CHECK(__asan_address_is_poisoned(d + 16));
	CHECK(!__asan_address_is_poisoned(d - 64)); /* headroom stays usable */
	CHECK(duet_pkt_put(p, 8) != NULL);
	CHECK(!__asan_address_is_poisoned(d + 23));
	CHECK(__asan_address_is_poisoned(d + 24));
	CHECK_EQ(duet_pkt_trim(p, 4), 0);
	CHECK(__asan_address_is_poisoned(d + 8));
	duet_pkt_free(p);
	CHECK(__asan_address_is_poisoned(d));
	duet_pool_destroy(pool);
#else
	check_skip("not an AddressSanitizer build");
#endif
}
