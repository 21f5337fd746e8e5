/* Fuzz target: the ARP parser; a parsed packet must re-emit to the same 28
 * bytes and re-parse to an equal struct. */
#include <duet/wire/arp.h>
#include <duet/wire/errors.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void arp_same(const struct duet_arp_hdr *a, const struct duet_arp_hdr *b)
{
	if (a->hrd != b->hrd || a->pro != b->pro || a->hln != b->hln || a->pln != b->pln ||
	    a->op != b->op || memcmp(a->sha, b->sha, 6) || memcmp(a->spa, b->spa, 4) ||
	    memcmp(a->tha, b->tha, 6) || memcmp(a->tpa, b->tpa, 4))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct duet_cur c;
	struct duet_arp_hdr h, g;
	uint8_t out[DUET_ARP_LEN];
	struct duet_wcur w;

	duet_cur_init(&c, data, size);
	if (duet_arp_parse(&c, &h) != 0) {
		if (c.off != 0)
			abort();
		return 0;
	}
	if (c.off != DUET_ARP_LEN || duet_arp_len(&h) != DUET_ARP_LEN)
		abort();
	duet_wcur_init(&w, out, sizeof out);
	if (duet_arp_emit(&h, &w) != 0 || w.off != DUET_ARP_LEN)
		abort();
	if (memcmp(out, data, DUET_ARP_LEN) != 0)
		abort();
	duet_cur_init(&c, out, sizeof out);
	if (duet_arp_parse(&c, &g) != 0)
		abort();
	arp_same(&h, &g);
	return 0;
}
