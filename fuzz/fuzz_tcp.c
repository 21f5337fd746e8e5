/* Fuzz target: the TCP parser with options, and checksums; a parsed header
 * must re-emit (unless its canonical layout exceeds 60 bytes) and re-parse
 * to an equal struct, and emitting that again must give the same bytes. */
#include <duet/wire/tcp.h>
#include <duet/wire/errors.h>
#include <duet/byteorder.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t tcp_buf[65536];

static void tcp_same(const struct duet_tcp_hdr *a, const struct duet_tcp_hdr *b)
{
	size_t i;

	if (a->src_port != b->src_port || a->dst_port != b->dst_port || a->seq != b->seq ||
	    a->ack != b->ack || a->flags != b->flags || a->window != b->window ||
	    a->checksum != b->checksum || a->urgent_pointer != b->urgent_pointer ||
	    a->has_mss != b->has_mss || a->mss != b->mss || a->has_wscale != b->has_wscale ||
	    a->wscale != b->wscale || a->has_sack_permitted != b->has_sack_permitted ||
	    a->sack_count != b->sack_count || a->has_timestamps != b->has_timestamps ||
	    a->ts_val != b->ts_val || a->ts_ecr != b->ts_ecr ||
	    a->has_user_timeout != b->has_user_timeout ||
	    a->uto_granularity != b->uto_granularity || a->user_timeout != b->user_timeout)
		abort();
	for (i = 0; i < a->sack_count; i++)
		if (a->sack[i].left_edge != b->sack[i].left_edge ||
		    a->sack[i].right_edge != b->sack[i].right_edge)
			abort();
}

static void tcp_check_csum(const uint8_t *data, size_t size)
{
	uint32_t ps = size > 24 ? duet_get_be32(data + 20) : 0xbeef;

	if (size > sizeof tcp_buf)
		return;
	(void)duet_tcp_csum_ok(data, size, ps);
	memcpy(tcp_buf, data, size);
	if (duet_tcp_csum_set(tcp_buf, size, ps) != 0 || !duet_tcp_csum_ok(tcp_buf, size, ps))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct duet_cur c;
	struct duet_tcp_hdr h, g;
	struct duet_wcur w;
	uint8_t out1[DUET_TCP_MAX_HDR_LEN], out2[DUET_TCP_MAX_HDR_LEN];
	int r;

	duet_cur_init(&c, data, size);
	if (duet_tcp_parse(&c, &h) != 0) {
		if (c.off != 0)
			abort();
		return 0;
	}
	if (c.off != (size_t)h.data_offset * 4)
		abort();
	tcp_check_csum(data, size);
	duet_wcur_init(&w, out1, sizeof out1);
	r = duet_tcp_emit(&h, &w);
	if (r == -DUET_WE_TOO_BIG && duet_tcp_len(&h) > DUET_TCP_MAX_HDR_LEN)
		return 0;
	if (r != 0 || w.off != duet_tcp_len(&h))
		abort();
	duet_cur_init(&c, out1, w.off);
	if (duet_tcp_parse(&c, &g) != 0 || g.unknown_options != 0 ||
	    (size_t)g.data_offset * 4 != w.off)
		abort();
	tcp_same(&h, &g);
	duet_wcur_init(&w, out2, sizeof out2);
	if (duet_tcp_emit(&g, &w) != 0 || memcmp(out1, out2, w.off) != 0)
		abort();
	return 0;
}
