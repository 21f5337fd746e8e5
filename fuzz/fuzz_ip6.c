/* Fuzz target: the IPv6 header parser. A parsed header must re-emit to the
 * same 40 octets and re-parse (with its payload) to an equal struct; a
 * rejected input must leave the cursor unchanged. */
#include <duet/wire/ip6.h>
#include <duet/wire/errors.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int ip6_equal(const struct duet_ip6_hdr *a, const struct duet_ip6_hdr *b)
{
	return a->traffic_class == b->traffic_class && a->flow_label == b->flow_label &&
	       a->payload_length == b->payload_length && a->next_header == b->next_header &&
	       a->hop_limit == b->hop_limit && memcmp(a->src, b->src, 16) == 0 &&
	       memcmp(a->dst, b->dst, 16) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct duet_cur c, save;
	struct duet_ip6_hdr h, g;
	struct duet_wcur w;
	uint8_t *buf;

	duet_cur_init(&c, data, size);
	save = c;
	if (duet_ip6_parse(&c, &h) != 0) {
		if (memcmp(&c, &save, sizeof c) != 0)
			abort();
		return 0;
	}
	if (c.off != 40 || c.len != 40u + h.payload_length || duet_ip6_len(&h) != 40)
		abort();
	buf = malloc(40u + h.payload_length);
	if (!buf)
		return 0;
	duet_wcur_init(&w, buf, 40u + h.payload_length);
	if (duet_ip6_emit(&h, &w) != 0 || w.off != 40 || memcmp(buf, data, 40) != 0)
		abort();
	memcpy(buf + 40, data + 40, h.payload_length);
	duet_cur_init(&c, buf, 40u + h.payload_length);
	if (duet_ip6_parse(&c, &g) != 0 || !ip6_equal(&h, &g) || duet_cur_left(&c) != h.payload_length)
		abort();
	free(buf);
	return 0;
}
