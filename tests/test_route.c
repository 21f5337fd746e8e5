/* Routing table (N-7: connected prefixes, default and static routes,
 * per-route MTU; RFC 4861 §5.2 next-hop determination): longest-prefix
 * match against a brute-force reference for both families, metrics,
 * interface restriction (zones), expiry, errors as Linux gives them. */
#include "check.h"

#include "net/route.h"

#include <duet/random.h>
#include <duet/stack.h>

#include <errno.h>

static struct duet_stack *mkstack(void)
{
	struct duet_stack_config cfg;
	struct duet_stack *s = NULL;

	duet_stack_config_init(&cfg);
	CHECK_EQ(duet_stack_create(&cfg, &s), 0);
	return s;
}

static struct route rt6(const char *hex16, uint8_t plen, uint32_t ifindex, uint32_t metric)
{
	struct route r;

	memset(&r, 0, sizeof r);
	check_hex(hex16, r.prefix, 16);
	r.plen = plen;
	r.ifindex = ifindex;
	r.metric = metric;
	r.origin = ROUTE_STATIC;
	return r;
}

TEST(route6_longest_prefix_wins)
{
	struct duet_stack *s = mkstack();
	struct route_table t;
	struct route def = rt6("00000000000000000000000000000000", 0, 1, 1024);
	struct route net = rt6("20010db8000000000000000000000000", 32, 2, 256);
	struct route sub = rt6("20010db8000100000000000000000000", 48, 3, 256);
	struct route host = rt6("20010db8000100000000000000000001", 128, 4, 256);
	uint8_t dst[16];

	CHECK_EQ(route_table_init(&t, s, 16, 64), 0);
	def.has_gateway = true;
	check_hex("fe800000000000000000000000000001", def.gateway, 16);
	CHECK_EQ(route_add(&t, &def), 0);
	CHECK_EQ(route_add(&t, &net), 0);
	CHECK_EQ(route_add(&t, &sub), 0);
	CHECK_EQ(route_add(&t, &host), 0);
	check_hex("20010db8000100000000000000000001", dst, 16);
	CHECK_EQ(route_lookup(&t, dst, 0, 0)->ifindex, 4);
	dst[15] = 2;
	CHECK_EQ(route_lookup(&t, dst, 0, 0)->ifindex, 3);
	dst[5] = 2;
	CHECK_EQ(route_lookup(&t, dst, 0, 0)->ifindex, 2);
	dst[0] = 0x30;
	CHECK_EQ(route_lookup(&t, dst, 0, 0)->ifindex, 1);
	CHECK(route_lookup(&t, dst, 0, 0)->has_gateway);
	route_table_fini(&t);
	duet_stack_destroy(s);
}

/* Action: add, add again, bad prefixes, a full table, delete twice.
 * Response: 0, EEXIST, EINVAL, ENOSPC, 0, ESRCH. */
TEST(route_errors_like_linux)
{
	struct duet_stack *s = mkstack();
	struct route_table t;
	struct route r = rt6("20010db8000000000000000000000000", 64, 1, 0);
	struct route bad = rt6("20010db8000000000000000000000001", 64, 1, 0);
	struct route other = rt6("20010db8000000010000000000000000", 64, 1, 0);

	CHECK_EQ(route_table_init(&t, s, 16, 2), 0);
	CHECK_EQ(route_add(&t, &r), 0);
	CHECK_EQ(route_add(&t, &r), -EEXIST);
	CHECK_EQ(route_add(&t, &bad), -EINVAL);   /* host bits set */
	bad.plen = 129;
	CHECK_EQ(route_add(&t, &bad), -EINVAL);
	r.ifindex = 2;                            /* same prefix, other interface */
	CHECK_EQ(route_add(&t, &r), 0);
	CHECK_EQ(route_add(&t, &other), -ENOSPC);
	CHECK_EQ(route_del(&t, r.prefix, 64, 2, NULL), 0);
	CHECK_EQ(route_del(&t, r.prefix, 64, 2, NULL), -ESRCH);
	CHECK_EQ(route_add(&t, &other), 0);       /* the freed slot is reused */
	CHECK_EQ(t.count, 2);
	route_table_fini(&t);
	CHECK_EQ(route_table_init(&t, s, 8, 2), -EINVAL);
	duet_stack_destroy(s);
}

/* Equal prefixes: lowest metric, then the oldest; a zone (oif) restricts. */
TEST(route_metric_and_interface_restriction)
{
	struct duet_stack *s = mkstack();
	struct route_table t;
	struct route a = rt6("fe800000000000000000000000000000", 64, 1, 256);
	struct route b = rt6("fe800000000000000000000000000000", 64, 2, 256);
	struct route c = rt6("fe800000000000000000000000000000", 64, 3, 100);
	uint8_t dst[16];

	CHECK_EQ(route_table_init(&t, s, 16, 8), 0);
	CHECK_EQ(route_add(&t, &a), 0);
	CHECK_EQ(route_add(&t, &b), 0);
	check_hex("fe800000000000000000000000000099", dst, 16);
	CHECK_EQ(route_lookup(&t, dst, 0, 0)->ifindex, 1); /* oldest of equals */
	CHECK_EQ(route_add(&t, &c), 0);
	CHECK_EQ(route_lookup(&t, dst, 0, 0)->ifindex, 3); /* lower metric */
	CHECK_EQ(route_lookup(&t, dst, 2, 0)->ifindex, 2); /* %2 */
	CHECK(route_lookup(&t, dst, 9, 0) == NULL);
	CHECK_EQ(route_flush_iface(&t, 3), 1);
	CHECK_EQ(route_lookup(&t, dst, 0, 0)->ifindex, 1);
	route_table_fini(&t);
	duet_stack_destroy(s);
}

/* A default route from an RA lives for its Router Lifetime (RFC 4861 §6.3.4). */
TEST(route_ra_default_expires)
{
	struct duet_stack *s = mkstack();
	struct route_table t;
	struct route d = rt6("00000000000000000000000000000000", 0, 1, 1024);
	uint8_t dst[16] = { 0x20, 0x01 };

	CHECK_EQ(route_table_init(&t, s, 16, 8), 0);
	d.origin = ROUTE_RA;
	d.expires_ns = 1800 * DUET_NS_PER_S;
	CHECK_EQ(route_add(&t, &d), 0);
	CHECK(route_lookup(&t, dst, 0, 1799 * DUET_NS_PER_S) != NULL);
	CHECK(route_lookup(&t, dst, 0, 1800 * DUET_NS_PER_S) == NULL);
	CHECK_EQ(route_expire(&t, 1799 * DUET_NS_PER_S), 0);
	CHECK_EQ(route_expire(&t, 1800 * DUET_NS_PER_S), 1);
	CHECK_EQ(t.count, 0);
	route_table_fini(&t);
	duet_stack_destroy(s);
}

/* Test-side masking and matching, written independently of route.c. */
static void route_mask_for_test(uint8_t *a, uint8_t alen, uint8_t plen)
{
	unsigned bit;

	for (bit = plen; bit < alen * 8u; bit++)
		a[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
}

static int prefix_matches_for_test(const uint8_t *prefix, const uint8_t *a, uint8_t plen)
{
	unsigned bit;

	for (bit = 0; bit < plen; bit++)
		if (((prefix[bit / 8] ^ a[bit / 8]) >> (7 - bit % 8)) & 1)
			return 0;
	return 1;
}

static int count_fn(const struct route *r, void *arg)
{
	int *last = arg;

	if (r->plen > *last)
		return 1; /* longest first: never longer than the previous */
	*last = r->plen;
	return 0;
}

/* Random tables and destinations, both families, against a brute-force
 * longest-prefix match over every route. */
static void route_random(uint8_t alen, uint64_t seed)
{
	enum { N = 3000, Q = 20000 };
	static struct route routes[N];
	struct duet_stack *s = mkstack();
	struct route_table t;
	struct duet_rng rng;
	int i, q, added = 0, bad = 0, last = 200;

	duet_rng_seed(&rng, seed);
	CHECK_EQ(route_table_init(&t, s, alen, N), 0);
	for (i = 0; i < N; i++) {
		struct route *r = &routes[i];
		uint8_t plen = (uint8_t)duet_rng_below(&rng, alen * 8u + 1u);
		memset(r, 0, sizeof *r);
		/* Prefixes from a small space so that they nest and collide. */
		r->prefix[0] = (uint8_t)duet_rng_below(&rng, 4);
		r->prefix[1] = (uint8_t)duet_rng_below(&rng, 4);
		r->prefix[alen - 1] = (uint8_t)duet_rng_below(&rng, 256);
		r->plen = plen;
		route_mask_for_test(r->prefix, alen, plen);
		r->ifindex = 1 + duet_rng_below(&rng, 8);
		r->metric = duet_rng_below(&rng, 4);
		if (route_add(&t, r) == 0)
			added++;
		else
			r->ifindex = 0; /* a duplicate: not in the table */
	}
	CHECK_EQ(t.count, (uint32_t)added);
	for (q = 0; q < Q; q++) {
		uint8_t dst[16] = { 0 };
		const struct route *got, *want = NULL;
		dst[0] = (uint8_t)duet_rng_below(&rng, 4);
		dst[1] = (uint8_t)duet_rng_below(&rng, 4);
		dst[alen - 1] = (uint8_t)duet_rng_below(&rng, 256);
		for (i = 0; i < N; i++) {
			const struct route *r = &routes[i];
			if (!r->ifindex || !prefix_matches_for_test(r->prefix, dst, r->plen))
				continue;
			/* Longest, then lowest metric, then first added. */
			if (!want || r->plen > want->plen ||
			    (r->plen == want->plen && r->metric < want->metric))
				want = r;
		}
		got = route_lookup(&t, dst, 0, 0);
		if ((got == NULL) != (want == NULL) ||
		    (got && (got->plen != want->plen || got->metric != want->metric ||
			     got->ifindex != want->ifindex)))
			bad++;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(route_walk(&t, count_fn, &last), (uint32_t)added);
	route_table_fini(&t);
	duet_stack_destroy(s);
}

TEST(route_random_against_bruteforce_v6)
{
	route_random(16, 11);
}

TEST(route_random_against_bruteforce_v4)
{
	route_random(4, 12);
}
