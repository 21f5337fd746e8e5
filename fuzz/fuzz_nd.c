/* Fuzz target: Neighbour Discovery messages and options. Inputs whose first
 * octet is an ND type (133-137) go to that message's parser; any other
 * input is walked as a bare option area. Whatever parses is re-emitted
 * (fixed part, then every option through duet_nd_opt_emit()) and re-parsed
 * to equal fields and options; a rejected input leaves the cursor
 * unchanged. */
#include <duet/wire/nd.h>
#include <duet/wire/icmp6.h>
#include <duet/wire/errors.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[70000];

static void require(int cond)
{
	if (!cond)
		abort();
}

/* The decoded contents two options must share after a round trip. */
static void opt_same(const struct duet_nd_opt *a, const struct duet_nd_opt *b)
{
	require(a->type == b->type);
	switch (a->type) {
	case DUET_ND_OPT_PREFIX_INFO:
		require(a->u.prefix.prefix_length == b->u.prefix.prefix_length &&
			a->u.prefix.l == b->u.prefix.l && a->u.prefix.a == b->u.prefix.a &&
			a->u.prefix.valid_lifetime == b->u.prefix.valid_lifetime &&
			a->u.prefix.preferred_lifetime == b->u.prefix.preferred_lifetime &&
			memcmp(a->u.prefix.prefix, b->u.prefix.prefix, 16) == 0);
		break;
	case DUET_ND_OPT_REDIRECTED:
		require(a->u.redirected.len == b->u.redirected.len &&
			memcmp(a->u.redirected.packet, b->u.redirected.packet, a->u.redirected.len) == 0);
		break;
	case DUET_ND_OPT_MTU:
		require(a->u.mtu == b->u.mtu);
		break;
	case DUET_ND_OPT_ROUTE_INFO:
		require(a->u.route.prefix_length == b->u.route.prefix_length &&
			a->u.route.prf == b->u.route.prf &&
			a->u.route.route_lifetime == b->u.route.route_lifetime &&
			memcmp(a->u.route.prefix, b->u.route.prefix, 16) == 0);
		break;
	case DUET_ND_OPT_RDNSS:
		require(a->u.rdnss.lifetime == b->u.rdnss.lifetime &&
			a->u.rdnss.n_addresses == b->u.rdnss.n_addresses &&
			memcmp(a->u.rdnss.addresses, b->u.rdnss.addresses,
			       16 * a->u.rdnss.n_addresses) == 0);
		break;
	default:
		require(a->data_len == b->data_len && memcmp(a->data, b->data, a->data_len) == 0);
		break;
	}
}

/* Re-emits every option of an area at w; returns 0, or -1 when the area
 * does not walk cleanly. */
static int opts_reemit(const uint8_t *opts, size_t len, struct duet_wcur *w)
{
	struct duet_nd_opt_iter it;
	struct duet_nd_opt o;
	int r;

	duet_nd_opt_iter_init(&it, opts, len);
	while ((r = duet_nd_opt_next(&it, &o)) > 0) {
		size_t before = w->off;
		require(duet_nd_opt_emit(&o, w) == 0);
		require(w->off - before == duet_nd_opt_len(&o) && (w->off - before) % 8 == 0);
	}
	return r < 0 ? -1 : 0;
}

static void opts_compare(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	struct duet_nd_opt_iter ia, ib;
	struct duet_nd_opt oa, ob;
	int ra, rb;

	duet_nd_opt_iter_init(&ia, a, alen);
	duet_nd_opt_iter_init(&ib, b, blen);
	do {
		ra = duet_nd_opt_next(&ia, &oa);
		rb = duet_nd_opt_next(&ib, &ob);
		require(ra == rb && ra >= 0);
		if (ra)
			opt_same(&oa, &ob);
	} while (ra);
}

static void check_options(const uint8_t *data, size_t size)
{
	struct duet_wcur w;

	duet_wcur_init(&w, out, sizeof out);
	if (opts_reemit(data, size, &w) == 0)
		opts_compare(data, size, out, w.off);
}

#define ND_CHECK(kind, a, b, same)                                                       \
	do {                                                                             \
		struct duet_nd_##kind a, b;                                              \
		struct duet_cur c, save;                                                 \
		struct duet_wcur w;                                                      \
		duet_cur_init(&c, data, size);                                           \
		save = c;                                                                \
		if (duet_nd_##kind##_parse(&c, &a) != 0) {                               \
			require(memcmp(&c, &save, sizeof c) == 0);                       \
			return 0;                                                        \
		}                                                                        \
		require(duet_cur_left(&c) == 0);                                         \
		duet_wcur_init(&w, out, sizeof out);                                     \
		require(duet_nd_##kind##_emit(&a, &w) == 0 &&                            \
			w.off == duet_nd_##kind##_len(&a));                              \
		require(opts_reemit(a.options, a.options_len, &w) == 0);                 \
		duet_cur_init(&c, out, w.off);                                           \
		require(duet_nd_##kind##_parse(&c, &b) == 0);                            \
		require(same);                                                           \
		opts_compare(a.options, a.options_len, b.options, b.options_len);        \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	switch (data[0]) {
	case DUET_ICMP6_ND_ROUTER_SOLICIT:
		ND_CHECK(rs, a, b, 1);
		break;
	case DUET_ICMP6_ND_ROUTER_ADVERT:
		ND_CHECK(ra, a, b, a.cur_hop_limit == b.cur_hop_limit && a.m == b.m &&
			 a.o == b.o && a.prf == b.prf && a.router_lifetime == b.router_lifetime &&
			 a.reachable_time == b.reachable_time && a.retrans_timer == b.retrans_timer);
		break;
	case DUET_ICMP6_ND_NEIGHBOR_SOLICIT:
		ND_CHECK(ns, a, b, memcmp(a.target, b.target, 16) == 0);
		break;
	case DUET_ICMP6_ND_NEIGHBOR_ADVERT:
		ND_CHECK(na, a, b, a.r == b.r && a.s == b.s && a.o == b.o &&
			 memcmp(a.target, b.target, 16) == 0);
		break;
	case DUET_ICMP6_ND_REDIRECT:
		ND_CHECK(redirect, a, b, memcmp(a.target, b.target, 16) == 0 &&
			 memcmp(a.destination, b.destination, 16) == 0);
		break;
	default:
		check_options(data, size);
		break;
	}
	return 0;
}
