/* Fuzz target: the ICMPv4 parser, checksums and quoted-datagram helper; a
 * parsed header must re-emit and re-parse to an equal struct, and emitting
 * that again must give the same bytes. */
#include <duet/wire/icmp4.h>
#include <duet/wire/errors.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t icmp4_buf[65536];

static void icmp4_same(const struct duet_icmp4_hdr *a, const struct duet_icmp4_hdr *b)
{
	if (a->type != b->type || a->code != b->code || a->checksum != b->checksum ||
	    a->identifier != b->identifier || a->sequence_number != b->sequence_number ||
	    a->pointer != b->pointer || a->next_hop_mtu != b->next_hop_mtu ||
	    memcmp(a->gateway, b->gateway, 4))
		abort();
}

static void icmp4_check_quote(const struct duet_icmp4_hdr *h, struct duet_cur c)
{
	struct duet_cur before = c, l4;
	struct duet_ip4_hdr ip;
	int r = duet_icmp4_quoted(h, &c, &ip, &l4);

	if (r != 0) {
		if (c.off != before.off || c.len != before.len)
			abort();
		return;
	}
	if (duet_cur_left(&l4) < 8 &&
	    !(ip.total_length >= ip.ihl * 4 && duet_cur_left(&l4) == ip.total_length - ip.ihl * 4u))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct duet_cur c;
	struct duet_icmp4_hdr h, g;
	struct duet_wcur w;
	uint8_t out1[8], out2[8];

	(void)duet_icmp4_csum_ok(data, size);
	duet_cur_init(&c, data, size);
	if (duet_icmp4_parse(&c, &h) != 0) {
		if (c.off != 0)
			abort();
		return 0;
	}
	icmp4_check_quote(&h, c);
	duet_wcur_init(&w, out1, sizeof out1);
	if (duet_icmp4_emit(&h, &w) != 0 || w.off != duet_icmp4_len(&h))
		abort();
	duet_cur_init(&c, out1, sizeof out1);
	if (duet_icmp4_parse(&c, &g) != 0)
		abort();
	icmp4_same(&h, &g);
	duet_wcur_init(&w, out2, sizeof out2);
	if (duet_icmp4_emit(&g, &w) != 0 || memcmp(out1, out2, 8) != 0)
		abort();
	/* A checksum set in place verifies. */
	if (size <= sizeof icmp4_buf) {
		memcpy(icmp4_buf, data, size);
		if (duet_icmp4_csum_set(icmp4_buf, size) != 0 ||
		    !duet_icmp4_csum_ok(icmp4_buf, size))
			abort();
	}
	return 0;
}
