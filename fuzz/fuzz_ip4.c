/* Fuzz target: the IPv4 parser and option walker (and the quoted-header
 * parser); a parsed header must re-emit to the same bytes (the checksum up
 * to its two one's-complement zeros) and re-parse to an equal struct. */
#include <duet/wire/ip4.h>
#include <duet/wire/errors.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t ip4_buf[65536];

static void ip4_same(const struct duet_ip4_hdr *a, const struct duet_ip4_hdr *b)
{
	if (a->version != b->version || a->ihl != b->ihl || a->dscp != b->dscp ||
	    a->ecn != b->ecn || a->total_length != b->total_length ||
	    a->identification != b->identification || a->df != b->df || a->mf != b->mf ||
	    a->fragment_offset != b->fragment_offset || a->ttl != b->ttl ||
	    a->protocol != b->protocol || memcmp(a->src, b->src, 4) ||
	    memcmp(a->dst, b->dst, 4) || a->options_len != b->options_len ||
	    (a->options_len && memcmp(a->options, b->options, a->options_len)))
		abort();
}

/* Walks every option; the walk must end (each step consumes bytes) and an
 * error must leave the iterator inside the area. */
static void ip4_walk(const struct duet_ip4_hdr *h)
{
	struct duet_ip4_opt_iter it;
	struct duet_ip4_opt o;
	size_t steps = 0, last = 0;
	int r;

	duet_ip4_opt_iter_init(&it, h);
	while ((r = duet_ip4_opt_next(&it, &o)) == 1) {
		if (o.offset + o.length > h->options_len || it.cur.off <= last)
			abort();
		if (o.data_len && o.data + o.data_len > h->options + h->options_len)
			abort();
		last = it.cur.off;
		if (++steps > DUET_IP4_MAX_OPT_LEN)
			abort();
	}
	if (r < 0 && it.cur.off >= h->options_len)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct duet_cur c;
	struct duet_ip4_hdr h, g;
	struct duet_wcur w;
	size_t hlen, plen;

	duet_cur_init(&c, data, size);
	if (duet_ip4_parse_quoted(&c, &h) == 0)
		ip4_walk(&h);
	duet_cur_init(&c, data, size);
	if (duet_ip4_parse(&c, &h) != 0) {
		if (c.off != 0)
			abort();
		return 0;
	}
	ip4_walk(&h);
	hlen = c.off;
	plen = duet_cur_left(&c);
	if (hlen != duet_ip4_len(&h) || hlen + plen != h.total_length)
		abort();
	duet_wcur_init(&w, ip4_buf, sizeof ip4_buf);
	if (duet_ip4_emit(&h, &w) != 0 || w.off != hlen)
		abort();
	if (memcmp(ip4_buf, data, 10) != 0 || memcmp(ip4_buf + 12, data + 12, hlen - 12) != 0)
		abort();
	if (plen)
		memcpy(ip4_buf + hlen, duet_cur_peek(&c, plen), plen);
	duet_cur_init(&c, ip4_buf, hlen + plen);
	if (duet_ip4_parse(&c, &g) != 0 || duet_cur_left(&c) != plen)
		abort();
	ip4_same(&h, &g);
	return 0;
}
