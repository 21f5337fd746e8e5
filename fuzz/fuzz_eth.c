/* Fuzz target: the Ethernet parser; a parsed header must re-emit to the same
 * bytes. */
#include <duet/wire/eth.h>
#include <duet/wire/errors.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct duet_cur c;
	struct duet_eth_hdr h;
	uint8_t out[18];
	struct duet_wcur w;

	duet_cur_init(&c, data, size);
	if (duet_eth_parse(&c, &h) != 0)
		return 0;
	duet_wcur_init(&w, out, sizeof out);
	if (duet_eth_emit(&h, &w) != 0 || w.off != c.off)
		abort();
	/* The DEI/PCP/VID split must round-trip exactly. */
	if (memcmp(out, data, w.off) != 0)
		abort();
	return 0;
}
