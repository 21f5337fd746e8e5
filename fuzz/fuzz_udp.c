/* Fuzz target: the UDP parser and checksums; a parsed header must re-emit
 * to the same bytes and re-parse to an equal struct, and a checksum set in
 * place must verify. */
#include <duet/wire/udp.h>
#include <duet/wire/errors.h>
#include <duet/byteorder.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t udp_buf[65536];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct duet_cur c;
	struct duet_udp_hdr h, g;
	struct duet_wcur w;
	uint32_t ps;

	duet_cur_init(&c, data, size);
	if (duet_udp_parse(&c, &h) != 0) {
		if (c.off != 0)
			abort();
		return 0;
	}
	if (c.off != DUET_UDP_HDR_LEN || duet_cur_left(&c) + DUET_UDP_HDR_LEN != h.length)
		abort();
	duet_wcur_init(&w, udp_buf, sizeof udp_buf);
	if (duet_udp_emit(&h, &w) != 0 || w.off != duet_udp_len(&h) ||
	    memcmp(udp_buf, data, DUET_UDP_HDR_LEN) != 0)
		abort();
	memcpy(udp_buf + 8, duet_cur_peek(&c, h.length - 8u), h.length - 8u);
	duet_cur_init(&c, udp_buf, h.length);
	if (duet_udp_parse(&c, &g) != 0 || g.src_port != h.src_port ||
	    g.dst_port != h.dst_port || g.length != h.length || g.checksum != h.checksum)
		abort();
	/* Whatever the input's checksum, one set in place verifies and is never
	 * zero; a zero field never verifies. */
	ps = size > 16 ? duet_get_be32(data + size - 4) : 0x1234;
	(void)duet_udp_csum_ok(data, h.length, ps);
	if (duet_udp_csum_set(udp_buf, h.length, ps) != 0 ||
	    !duet_udp_csum_ok(udp_buf, h.length, ps) || duet_get_be16(udp_buf + 6) == 0)
		abort();
	duet_put_be16(udp_buf + 6, 0);
	if (duet_udp_csum_ok(udp_buf, h.length, ps))
		abort();
	return 0;
}
