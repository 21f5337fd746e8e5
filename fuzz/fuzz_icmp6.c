/* Fuzz target: the ICMPv6 header parser, checksum and quoted-packet helper.
 * A parsed header must re-emit to the same 8 octets and re-parse to an
 * equal struct; a checksum set in place must verify; a rejected input must
 * leave the cursor unchanged. */
#include <duet/wire/icmp6.h>
#include <duet/wire/ip6.h>
#include <duet/wire/errors.h>
#include <duet/csum.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int icmp6_equal(const struct duet_icmp6_hdr *a, const struct duet_icmp6_hdr *b)
{
	return a->type == b->type && a->code == b->code && a->checksum == b->checksum &&
	       a->body == b->body && a->identifier == b->identifier &&
	       a->sequence_number == b->sequence_number && a->mtu == b->mtu &&
	       a->pointer == b->pointer;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t src[16] = { 0xfe, 0x80, [15] = 1 };
	static const uint8_t dst[16] = { 0xff, 0x02, [15] = 1 };
	struct duet_cur c, save, inv;
	struct duet_icmp6_hdr h, g;
	struct duet_wcur w;
	uint8_t out[8], *msg;
	uint32_t ps;

	duet_cur_init(&c, data, size);
	save = c;
	if (duet_icmp6_parse(&c, &h) != 0) {
		if (memcmp(&c, &save, sizeof c) != 0)
			abort();
		return 0;
	}
	duet_wcur_init(&w, out, sizeof out);
	if (duet_icmp6_emit(&h, &w) != 0 || w.off != 8 || memcmp(out, data, 8) != 0)
		abort();
	duet_cur_init(&save, out, sizeof out);
	if (duet_icmp6_parse(&save, &g) != 0 || !icmp6_equal(&h, &g))
		abort();
	if (duet_icmp6_invoking(&h, &c, &inv) == 0) {
		if (!duet_icmp6_is_error(h.type) || inv.data + inv.len > data + size ||
		    inv.off != c.off)
			abort();
	} else if (duet_icmp6_is_error(h.type) && h.type != DUET_ICMP6_DST_UNREACH &&
		   h.type != DUET_ICMP6_TIME_EXCEEDED) {
		abort();
	}
	msg = malloc(size);
	if (!msg)
		return 0;
	memcpy(msg, data, size);
	ps = duet_csum_pseudo6(src, dst, (uint32_t)size, DUET_IP6_NH_ICMPV6);
	if (duet_icmp6_csum_set(msg, size, ps) != 0 || duet_icmp6_csum_verify(msg, size, ps) != 0)
		abort();
	free(msg);
	return 0;
}
