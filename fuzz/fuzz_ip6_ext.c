/* Fuzz target: an IPv6 extension header chain. The first input octet is the
 * type of the first header (as an IPv6 Next Header), the rest the chain.
 * Each header is parsed by its own parser and by the generic skip (same
 * length); whatever parses re-emits to the same octets and re-parses to an
 * equal header; option areas are walked, rebuilt with the aligning builder
 * and walked again to the same options; a rejected header leaves the cursor
 * unchanged. */
#include <duet/wire/ip6_ext.h>
#include <duet/wire/ip6.h>
#include <duet/wire/errors.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_OPTS 1024

static struct duet_ip6_opt opts_a[MAX_OPTS], opts_b[MAX_OPTS];
static uint8_t out[4096];

static void require(int cond)
{
	if (!cond)
		abort();
}

/* Walks h's options into opts (padding left out); returns the count, or -1
 * when the walk ended on an error. */
static int opts_collect(const struct duet_ip6_opthdr *h, struct duet_ip6_opt *opts)
{
	struct duet_ip6_opt_iter it;
	struct duet_ip6_opt o;
	int n = 0, r;

	duet_ip6_opt_iter_init(&it, h);
	while ((r = duet_ip6_opt_next(&it, &o)) > 0) {
		require(o.offset >= 2 && o.offset + (o.type ? 2u + o.opt_data_len : 1u) <=
			h->options_len + 2);
		if (o.type == DUET_IP6_OPT_PAD1 || o.type == DUET_IP6_OPT_PADN)
			continue;
		opts[n++] = o;
	}
	if (r < 0) {
		/* The iterator does not move past an error. */
		require(duet_ip6_opt_next(&it, &o) == r);
		return -1;
	}
	return n;
}

static void check_opthdr(const struct duet_cur *at)
{
	struct duet_cur c = *at;
	struct duet_ip6_opthdr h, g;
	struct duet_wcur w;
	int n, m, i;

	if (duet_ip6_opthdr_parse(&c, &h) != 0) {
		require(c.off == at->off && c.len == at->len);
		return;
	}
	duet_wcur_init(&w, out, sizeof out);
	require(duet_ip6_opthdr_emit(&h, &w) == 0 && w.off == duet_ip6_opthdr_len(&h));
	require(memcmp(out, at->data + at->off, w.off) == 0);
	n = opts_collect(&h, opts_a);
	if (n < 0)
		return;
	duet_wcur_init(&w, out, sizeof out);
	if (duet_ip6_opthdr_build(h.next_header, opts_a, (size_t)n, &w) != 0)
		return; /* alignment padding may push it past 2048 octets */
	require(w.off == duet_ip6_opthdr_build_len(opts_a, (size_t)n) && w.off % 8 == 0);
	duet_cur_init(&c, out, w.off);
	require(duet_ip6_opthdr_parse(&c, &g) == 0 && g.next_header == h.next_header);
	m = opts_collect(&g, opts_b);
	require(m == n);
	for (i = 0; i < n; i++) {
		uint8_t an, ay;
		require(opts_a[i].type == opts_b[i].type);
		require(opts_a[i].opt_data_len == opts_b[i].opt_data_len);
		require(memcmp(opts_a[i].data, opts_b[i].data, opts_a[i].opt_data_len) == 0);
		duet_ip6_opt_align(opts_b[i].type, &an, &ay);
		require(opts_b[i].offset % an == ay);
	}
}

static void check_rthdr_types(const struct duet_ip6_rthdr *h, const uint8_t *raw)
{
	struct duet_ip6_rt0 r0, r0b;
	struct duet_ip6_srh s;
	struct duet_ip6_rthdr g;
	uint8_t home[16], home2[16];
	struct duet_wcur w;
	struct duet_cur c;

	if (duet_ip6_rt0_parse(h, &r0) == 0) {
		duet_wcur_init(&w, out, sizeof out);
		require(duet_ip6_rt0_emit(h->next_header, h->segments_left, r0.addresses,
					  r0.n_addresses, &w) == 0);
		duet_cur_init(&c, out, w.off);
		require(duet_ip6_rthdr_parse(&c, &g) == 0 && g.is_deprecated);
		require(duet_ip6_rt0_parse(&g, &r0b) == 0 && r0b.n_addresses == r0.n_addresses);
		require(memcmp(r0b.addresses, r0.addresses, 16 * r0.n_addresses) == 0);
	}
	if (duet_ip6_rt2_parse(h, home) == 0) {
		duet_wcur_init(&w, out, sizeof out);
		require(duet_ip6_rt2_emit(h->next_header, home, &w) == 0 && w.off == 24);
		duet_cur_init(&c, out, w.off);
		require(duet_ip6_rthdr_parse(&c, &g) == 0 && duet_ip6_rt2_parse(&g, home2) == 0);
		require(memcmp(home, home2, 16) == 0);
	}
	if (duet_ip6_srh_parse(h, &s) == 0) {
		duet_wcur_init(&w, out, sizeof out);
		require(duet_ip6_srh_emit(h->next_header, h->segments_left, &s, &w) == 0);
		require(w.off == duet_ip6_rthdr_len(h) && memcmp(out, raw, w.off) == 0);
	}
}

static void check_rthdr(const struct duet_cur *at)
{
	struct duet_cur c = *at;
	struct duet_ip6_rthdr h, g;
	struct duet_wcur w;

	if (duet_ip6_rthdr_parse(&c, &h) != 0) {
		require(c.off == at->off && c.len == at->len);
		return;
	}
	require(h.is_deprecated == (h.routing_type == 0));
	duet_wcur_init(&w, out, sizeof out);
	require(duet_ip6_rthdr_emit(&h, &w) == 0 && w.off == duet_ip6_rthdr_len(&h));
	require(memcmp(out, at->data + at->off, w.off) == 0);
	duet_cur_init(&c, out, w.off);
	require(duet_ip6_rthdr_parse(&c, &g) == 0 && g.routing_type == h.routing_type &&
		g.segments_left == h.segments_left && g.data_len == h.data_len);
	check_rthdr_types(&h, at->data + at->off);
}

static void check_frag(const struct duet_cur *at)
{
	struct duet_cur c = *at;
	struct duet_ip6_frag_hdr h, g;
	struct duet_wcur w;

	if (duet_ip6_frag_parse(&c, &h) != 0) {
		require(c.off == at->off);
		return;
	}
	duet_wcur_init(&w, out, sizeof out);
	require(duet_ip6_frag_emit(&h, &w) == 0 && w.off == 8);
	require(memcmp(out, at->data + at->off, 8) == 0);
	duet_cur_init(&c, out, 8);
	require(duet_ip6_frag_parse(&c, &g) == 0 && g.fragment_offset == h.fragment_offset &&
		g.m == h.m && g.res == h.res && g.identification == h.identification &&
		g.next_header == h.next_header && g.reserved == h.reserved);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct duet_cur c;
	struct duet_ip6_ext e;
	uint8_t type;
	int depth;

	if (size < 1)
		return 0;
	type = data[0];
	duet_cur_init(&c, data + 1, size - 1);
	for (depth = 0; depth < 32; depth++) {
		struct duet_cur before = c;
		size_t specific = (size_t)-1;
		struct duet_cur probe = c;
		if (type == DUET_IP6_NH_HOPOPTS || type == DUET_IP6_NH_DSTOPTS) {
			struct duet_ip6_opthdr h;
			check_opthdr(&c);
			if (duet_ip6_opthdr_parse(&probe, &h) == 0)
				specific = duet_ip6_opthdr_len(&h);
		} else if (type == DUET_IP6_NH_ROUTING) {
			struct duet_ip6_rthdr h;
			check_rthdr(&c);
			if (duet_ip6_rthdr_parse(&probe, &h) == 0)
				specific = duet_ip6_rthdr_len(&h);
		} else if (type == DUET_IP6_NH_FRAGMENT) {
			struct duet_ip6_frag_hdr h;
			check_frag(&c);
			if (duet_ip6_frag_parse(&probe, &h) == 0)
				specific = 8;
		}
		if (duet_ip6_ext_skip(&c, type, &e) != 0) {
			require(c.off == before.off && c.len == before.len);
			require(specific == (size_t)-1);
			break;
		}
		require(specific == (size_t)-1 || specific == e.len);
		require(e.data == before.data + before.off && c.off == before.off + e.len);
		type = e.next_header;
	}
	return 0;
}
