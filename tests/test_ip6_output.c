/* IPv6 output with extension headers (N-1: RFC 8200 §4.1 order on output;
 * F-1: fragments repeat the unfragmentable part, §4.5): ip6_output driven
 * directly on the IPv6 script fixture. */
#include "ip6_fixture.h"

#include "net/ip6.h"

#include <duet/wire/ip6.h>

static const uint8_t hbh[8] = { 0, 0, 5, 2, 0, 0, 1, 0 };           /* Router Alert */
static const uint8_t dst_rt[8] = { 0, 0, 1, 4, 0, 0, 0, 0 };        /* PadN */
static const uint8_t rthdr[8] = { 0, 0, 253, 0, 0, 0, 0, 0 };       /* experimental, SL 0 */
static const uint8_t dst_fin[16] = { 0, 1, 1, 12, 0 };              /* PadN, 16 octets */

/* A UDP-numbered payload of len pattern octets to the peer, with exts. */
static int send_payload(struct fx *x, size_t len, const struct ip6_ext_buf *ext)
{
	struct duet_pkt *p = duet_pkt_alloc(duet_stack_pool(x->s), DUET_PKT_HEADROOM, len);
	struct ip6_out o;
	size_t i;

	CHECK(p != NULL);
	for (i = 0; i < len; i++)
		duet_pkt_data(p)[i] = (uint8_t)(i * 13);
	memset(&o, 0, sizeof(o));
	memcpy(o.dst, x->peer_gl, 16);
	o.next_header = DUET_IP6_NH_UDP;
	o.hop_limit = -1;
	memcpy(o.ext, ext, sizeof(o.ext));
	return ip6_output(x->s, p, &o);
}

/* Action: a packet with all four extension headers given. Response: one
 * packet, IPv6 → Hop-by-Hop → Destination Options → Routing →
 * Destination Options → UDP (RFC 8200 §4.1), each header copied as given
 * with its Next Header filled in, payload length covering all. */
TEST(ip6_out_ext_headers_in_rfc8200_order)
{
	struct fx x;
	struct ip6_ext_buf ext[IP6_EXT__COUNT] = {
		[IP6_EXT_HOPOPTS] = { hbh, 8 }, [IP6_EXT_DSTOPTS_RT] = { dst_rt, 8 },
		[IP6_EXT_RTHDR] = { rthdr, 8 }, [IP6_EXT_DSTOPTS] = { dst_fin, 16 } };
	struct duet_pkt *p;
	const uint8_t *d;

	fx_setup(&x);
	CHECK_EQ(send_payload(&x, 100, ext), 0);
	duet_stack_poll(x.s);
	p = fx_pop(&x);
	CHECK(p != NULL);
	if (p) {
		d = duet_pkt_data(p);
		CHECK_EQ(p->len, FX_IP6 + 8 + 8 + 8 + 16 + 100);
		CHECK_EQ(duet_get_be16(d + FX_ETH + 4), 8 + 8 + 8 + 16 + 100);
		CHECK_EQ(d[FX_ETH + 6], DUET_IP6_NH_HOPOPTS);
		CHECK_EQ(d[FX_IP6], DUET_IP6_NH_DSTOPTS);
		CHECK_MEM(d + FX_IP6 + 1, hbh + 1, 7);
		CHECK_EQ(d[FX_IP6 + 8], DUET_IP6_NH_ROUTING);
		CHECK_MEM(d + FX_IP6 + 9, dst_rt + 1, 7);
		CHECK_EQ(d[FX_IP6 + 16], DUET_IP6_NH_DSTOPTS);
		CHECK_MEM(d + FX_IP6 + 17, rthdr + 1, 7);
		CHECK_EQ(d[FX_IP6 + 24], DUET_IP6_NH_UDP);
		CHECK_MEM(d + FX_IP6 + 25, dst_fin + 1, 15);
		CHECK_EQ(d[FX_IP6 + 40], 0);
		CHECK_EQ(d[FX_IP6 + 41], 13);
		duet_pkt_free(p);
	}
	fx_teardown(&x);
}

/* Action: 3,000 octets with a Hop-by-Hop and a final Destination Options
 * header over a 1,500-octet MTU. Response: fragments of at most 1,500
 * octets, each IPv6 → Hop-by-Hop → Fragment (the unfragmentable part
 * repeated, RFC 8200 §4.5); the first fragment's data starts with the
 * Destination Options header (part of the fragmentable part); offsets
 * run contiguously to 16 + 3,000 octets. */
TEST(ip6_out_fragments_repeat_the_unfragmentable_part)
{
	struct fx x;
	struct ip6_ext_buf ext[IP6_EXT__COUNT] = {
		[IP6_EXT_HOPOPTS] = { hbh, 8 }, [IP6_EXT_DSTOPTS] = { dst_fin, 16 } };
	struct duet_pkt *p;
	uint32_t next_off = 0, frames = 0, id = 0;
	bool saw_last = false;

	fx_setup(&x);
	CHECK_EQ(send_payload(&x, 3000, ext), 0);
	duet_stack_poll(x.s);
	while ((p = fx_pop(&x)) != NULL) {
		const uint8_t *d = duet_pkt_data(p);
		uint16_t fo = duet_get_be16(d + FX_IP6 + 8 + 2);
		uint32_t data_len = p->len - FX_IP6 - 8 - 8;

		CHECK(p->len - FX_ETH <= 1500);
		CHECK_EQ(d[FX_ETH + 6], DUET_IP6_NH_HOPOPTS);
		CHECK_EQ(d[FX_IP6], DUET_IP6_NH_FRAGMENT);
		CHECK_EQ(d[FX_IP6 + 8], DUET_IP6_NH_DSTOPTS);
		CHECK_EQ((uint32_t)(fo & 0xfff8u), next_off);
		if (frames == 0) {
			id = duet_get_be32(d + FX_IP6 + 12);
			CHECK_EQ(d[FX_IP6 + 16], DUET_IP6_NH_UDP);
			CHECK_MEM(d + FX_IP6 + 17, dst_fin + 1, 15);
		}
		CHECK_EQ(duet_get_be32(d + FX_IP6 + 12), id);
		saw_last = (fo & 1u) == 0;
		next_off += data_len;
		frames++;
		duet_pkt_free(p);
	}
	CHECK_EQ(frames, 3);
	CHECK(saw_last);
	CHECK_EQ(next_off, 16 + 3000);
	fx_teardown(&x);
}

/* Action: extension header buffers of 12 octets, and of 8 octets whose Hdr
 * Ext Len says 16. Response: -EINVAL, counted DROP_IP6_OUT_BAD_EXT, nothing
 * sent. */
TEST(ip6_out_malformed_ext_buffer_refused)
{
	struct fx x;
	static const uint8_t bad_len[8] = { 0, 1, 1, 4, 0, 0, 0, 0 };
	uint8_t twelve[12] = { 0 };
	struct ip6_ext_buf a[IP6_EXT__COUNT] = { [IP6_EXT_HOPOPTS] = { twelve, 12 } };
	struct ip6_ext_buf b[IP6_EXT__COUNT] = { [IP6_EXT_DSTOPTS] = { bad_len, 8 } };

	fx_setup(&x);
	CHECK_EQ(send_payload(&x, 10, a), -EINVAL);
	CHECK_EQ(send_payload(&x, 10, b), -EINVAL);
	CHECK_EQ(fx_ctr(&x, DUET_CTR_DROP_IP6_OUT_BAD_EXT), 2);
	duet_stack_poll(x.s);
	CHECK(fx_pop(&x) == NULL);
	fx_teardown(&x);
}
