/* Fragment reassembly (F-2), IPv6 and IPv4, one edge case a test in the
 * manner of FreeBSD's frag6 regress tests: orders and permutations,
 * duplicates, overlaps (RFC 5722), bad lengths and sizes (RFC 8200 §4.5),
 * inconsistent last fragments, atomic fragments (RFC 6946), incomplete
 * header chains (RFC 7112), the 60 s timeout and its Time Exceeded, the
 * per-datagram limit, the memory cap under a flood, many queues. The engine
 * runs on a stack with a virtual clock; every test ends with no packet held. */
#include "check.h"

#include <duet/byteorder.h>
#include <duet/csum.h>
#include <duet/random.h>
#include <duet/stack.h>

#include "core/stack_internal.h"
#include "net/reass.h"

#include <errno.h>

#define T0 1000u
#define SEC DUET_NS_PER_S
#define POOL_BUF 2048u   /* the pool's smallest buffer: every test fragment fits */

static const uint8_t src6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t dst6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
static const uint8_t src4[4] = { 192, 0, 2, 1 };
static const uint8_t dst4[4] = { 192, 0, 2, 2 };

struct fx {
	struct duet_vclock vc;
	struct duet_stack *stack;
	struct reass r;
	int te_calls;              /* Time Exceeded callbacks */
	uint8_t te_family;
	uint32_t te_len;
	uint8_t te_first_byte;
	struct duet_pkt *done;     /* the last reassembled datagram */
};

static void fx_time_exceeded(void *ctx, const struct reass_key *key, struct duet_pkt *first)
{
	struct fx *fx = ctx;

	fx->te_calls++;
	fx->te_family = key->family;
	fx->te_len = first->len;
	fx->te_first_byte = duet_pkt_data(first)[0];
	duet_pkt_free(first);
}

/* A stack on a virtual clock and an engine with cfg (NULL: the defaults). */
static void fx_setup(struct fx *fx, const struct reass_config *cfg_in)
{
	struct duet_stack_config scfg;
	struct reass_config cfg;

	memset(fx, 0, sizeof(*fx));
	duet_vclock_init(&fx->vc, T0);
	duet_stack_config_init(&scfg);
	scfg.clock = &fx->vc.clock;
	CHECK_EQ(duet_stack_create(&scfg, &fx->stack), 0);
	if (cfg_in)
		cfg = *cfg_in;
	else
		reass_config_init(&cfg);
	cfg.time_exceeded = fx_time_exceeded;
	cfg.ctx = fx;
	CHECK_EQ(reass_init(&fx->r, fx->stack, &cfg), 0);
}

static void fx_teardown(struct fx *fx)
{
	struct duet_pool_stats st;

	duet_pkt_free(fx->done);
	reass_fini(&fx->r);
	duet_pool_stats(duet_stack_pool(fx->stack), &st);
	CHECK_EQ(st.in_use, 0); /* nothing leaked */
	duet_stack_destroy(fx->stack);
}

static void fx_advance(struct fx *fx, uint64_t ns)
{
	duet_vclock_set(&fx->vc, fx->vc.now_ns + ns);
	duet_stack_poll(fx->stack);
}

static uint64_t ctr(const struct fx *fx, enum duet_counter id)
{
	return duet_stack_counter(fx->stack, id);
}

/* Byte i of datagram id's fragmentable part. */
static uint8_t pat(uint32_t id, uint32_t i)
{
	return (uint8_t)(i * 13u + (i >> 8) + id);
}

/* Writes bytes [off, off + len) of datagram id at d. */
static void fill(uint8_t *d, uint32_t id, uint32_t off, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		d[i] = pat(id, off + i);
}

/* An IPv6 fragment: header, ext_len bytes of Destination Options (0 or 8),
 * Fragment header, bytes [off, off + len) of datagram id. */
static struct duet_pkt *mk6(struct fx *fx, uint32_t id, uint32_t off, uint32_t len, bool more,
			    uint32_t ext_len, struct reass_frag *f)
{
	uint32_t hl = 40 + ext_len;
	struct duet_pkt *p = duet_pkt_alloc(duet_stack_pool(fx->stack), 64, hl + 8 + len);
	uint8_t *d = duet_pkt_data(p);

	memset(d, 0, hl + 8);
	d[0] = 0x60;
	duet_put_be16(d + 4, (uint16_t)(ext_len + 8 + len));
	d[6] = ext_len ? 60 : 44;
	d[7] = 64;
	memcpy(d + 8, src6, 16);
	memcpy(d + 24, dst6, 16);
	if (ext_len) {
		d[40] = 44;          /* Destination Options, PadN below */
		d[42] = 1;
		d[43] = 4;
	}
	d[hl] = 17;
	duet_put_be16(d + hl + 2, (uint16_t)(off | (more ? 1u : 0u)));
	duet_put_be32(d + hl + 4, id);
	fill(d + hl + 8, id, off, len);
	*f = (struct reass_frag){ .offset_bytes = off, .has_more = more, .unfrag_len = hl,
				  .payload_off = hl + 8, .payload_len = len,
				  .nh_off = ext_len ? 40 : 6, .next_header = 17 };
	p->ifindex = 1;
	p->time_ns = fx->vc.now_ns;
	return p;
}

/* An IPv4 fragment: 20-byte header, bytes [off, off + len) of datagram id. */
static struct duet_pkt *mk4(struct fx *fx, uint16_t id, uint8_t proto, uint32_t off, uint32_t len,
			    bool more, struct reass_frag *f)
{
	struct duet_pkt *p = duet_pkt_alloc(duet_stack_pool(fx->stack), 64, 20 + len);
	uint8_t *d = duet_pkt_data(p);

	memset(d, 0, 20);
	d[0] = 0x45;
	duet_put_be16(d + 2, (uint16_t)(20 + len));
	duet_put_be16(d + 4, id);
	duet_put_be16(d + 6, (uint16_t)((more ? 0x2000u : 0u) | (off / 8)));
	d[8] = 64;
	d[9] = proto;
	memcpy(d + 12, src4, 4);
	memcpy(d + 16, dst4, 4);
	duet_put_be16(d + 10, duet_csum(d, 20));
	fill(d + 20, id, off, len);
	*f = (struct reass_frag){ .offset_bytes = off, .has_more = more, .unfrag_len = 20,
				  .payload_off = 20, .payload_len = len };
	p->ifindex = 1;
	return p;
}

/* Feeds p; keeps a completed datagram in fx->done, frees what comes back. */
static enum reass_verdict feed(struct fx *fx, const struct reass_key *key,
			       const struct reass_frag *f, struct duet_pkt *p)
{
	struct duet_pkt *out = NULL;
	enum reass_verdict v = reass_input(&fx->r, key, f, p, fx->vc.now_ns, &out);

	if (v == REASS_COMPLETE) {
		duet_pkt_free(fx->done);
		fx->done = out;
	} else {
		CHECK(out == NULL);
	}
	if (v == REASS_ATOMIC || v == REASS_BAD_LENGTH || v == REASS_TOO_BIG ||
	    v == REASS_CHAIN_INCOMPLETE)
		duet_pkt_free(p);
	return v;
}

/* Sends an IPv6 fragment (ext_len bytes of options, the RFC 7112 flag as
 * given); *ptr, when asked for, gets the Parameter Problem pointer. */
static enum reass_verdict send6x(struct fx *fx, uint32_t id, uint32_t off, uint32_t len,
				 bool more, uint32_t ext_len, bool is_chain_incomplete,
				 uint32_t *ptr)
{
	struct reass_frag f;
	struct reass_key key;
	struct duet_pkt *p = mk6(fx, id, off, len, more, ext_len, &f);
	enum reass_verdict v;

	f.is_chain_incomplete = is_chain_incomplete;
	reass_key_v6(&key, src6, dst6, id, 0);
	v = feed(fx, &key, &f, p);
	if (ptr)
		*ptr = reass_param_pointer(v, &f);
	return v;
}

static enum reass_verdict send6(struct fx *fx, uint32_t id, uint32_t off, uint32_t len, bool more)
{
	return send6x(fx, id, off, len, more, 0, false, NULL);
}

static enum reass_verdict send4(struct fx *fx, uint16_t id, uint8_t proto, uint32_t off,
				uint32_t len, bool more)
{
	struct reass_frag f;
	struct reass_key key;
	struct duet_pkt *p = mk4(fx, id, proto, off, len, more, &f);

	reass_key_v4(&key, src4, dst4, proto, id);
	return feed(fx, &key, &f, p);
}

/* Bytes of o past hl that are not datagram id's. */
static uint32_t payload_bad(const struct duet_pkt *o, uint32_t hl, uint32_t id, uint32_t total)
{
	uint32_t i, bad = 0;

	for (i = 0; i < total && hl + i < o->len; i++)
		bad += o->buf[o->head + hl + i] != pat(id, i);
	return bad;
}

/* Checks fx->done as IPv6 datagram id (ext_len bytes of options kept) of
 * total fragmentable bytes, and frees it. */
static void check_dgram6(struct fx *fx, uint32_t id, uint32_t ext_len, uint32_t total)
{
	struct duet_pkt *o = fx->done;
	const uint8_t *d = o ? duet_pkt_data(o) : NULL;
	uint32_t hl = 40 + ext_len;

	CHECK(o != NULL);
	if (!o)
		return;
	CHECK_EQ(o->len, hl + total);
	CHECK_EQ(duet_get_be16(d + 4), ext_len + total);
	CHECK_EQ(d[ext_len ? 40 : 6], 17); /* the Fragment header's Next Header */
	CHECK_MEM(d + 8, src6, 16);
	CHECK_EQ(payload_bad(o, hl, id, total), 0);
	CHECK_EQ(o->ifindex, 1);
	duet_pkt_free(o);
	fx->done = NULL;
}

static void check_dgram4(struct fx *fx, uint16_t id, uint8_t proto, uint32_t total)
{
	struct duet_pkt *o = fx->done;
	const uint8_t *d = o ? duet_pkt_data(o) : NULL;

	CHECK(o != NULL);
	if (!o)
		return;
	CHECK_EQ(o->len, 20 + total);
	CHECK_EQ(duet_get_be16(d + 2), 20 + total);
	CHECK_EQ(duet_get_be16(d + 4), id);
	CHECK_EQ(duet_get_be16(d + 6), 0); /* MF and offset cleared */
	CHECK_EQ(d[9], proto);
	CHECK_EQ(duet_csum(d, 20), 0);     /* header checksum recomputed */
	CHECK_EQ(payload_bad(o, 20, id, total), 0);
	duet_pkt_free(o);
	fx->done = NULL;
}

/* F-2. Action: the three fragments of a 3,000-byte datagram in order; then
 * another's, last first. Response: held, held, then one datagram: Payload
 * Length 3,000, Fragment header gone (Next Header 17), payload intact;
 * nothing left held, no timer left. */
TEST(ip6_reass_in_order_and_reverse)
{
	struct fx fx;

	fx_setup(&fx, NULL);
	CHECK_EQ(send6(&fx, 1, 0, 1232, true), REASS_HELD);
	CHECK_EQ(send6(&fx, 1, 1232, 1232, true), REASS_HELD);
	CHECK_EQ(reass_queue_count(&fx.r), 1);
	CHECK_EQ(send6(&fx, 1, 2464, 536, false), REASS_COMPLETE);
	check_dgram6(&fx, 1, 0, 3000);
	CHECK_EQ(send6(&fx, 2, 2464, 536, false), REASS_HELD);
	CHECK_EQ(send6(&fx, 2, 1232, 1232, true), REASS_HELD);
	CHECK_EQ(send6(&fx, 2, 0, 1232, true), REASS_COMPLETE);
	check_dgram6(&fx, 2, 0, 3000);
	CHECK_EQ(ctr(&fx, DUET_CTR_REASM_REQDS), 6);
	CHECK_EQ(ctr(&fx, DUET_CTR_REASM_OKS), 2);
	CHECK_EQ(ctr(&fx, DUET_CTR_REASM_FAILS), 0);
	CHECK_EQ(reass_queue_count(&fx.r), 0);
	CHECK_EQ(reass_mem_bytes(&fx.r), 0);
	CHECK_EQ(duet_stack_next_deadline(fx.stack), DUET_TIME_NEVER); /* timer cancelled */
	fx_teardown(&fx);
}

/* F-2 (FreeBSD frag6_permute). Action: four fragments in each of the 24
 * orders, one datagram per order. Response: every one reassembles, on its
 * fourth fragment. */
TEST(ip6_reass_permute_4)
{
	static const uint32_t off[4] = { 0, 1232, 2464, 3696 }, len[4] = { 1232, 1232, 1232, 304 };
	struct fx fx;
	uint32_t n, k, id = 100;

	fx_setup(&fx, NULL);
	for (n = 0; n < 256; n++) { /* n's four 2-bit digits: an order when all differ */
		uint32_t o[4] = { n & 3, (n >> 2) & 3, (n >> 4) & 3, (n >> 6) & 3 };

		if (((1u << o[0]) | (1u << o[1]) | (1u << o[2]) | (1u << o[3])) != 15)
			continue;
		for (k = 0; k < 4; k++)
			CHECK_EQ(send6(&fx, id, off[o[k]], len[o[k]], o[k] != 3),
				 k == 3 ? REASS_COMPLETE : REASS_HELD);
		check_dgram6(&fx, id++, 0, 4000);
	}
	CHECK_EQ(ctr(&fx, DUET_CTR_REASM_OKS), 24);
	CHECK_EQ(reass_queue_count(&fx.r), 0);
	fx_teardown(&fx);
}

/* Action: the first fragment twice, then the last. Response: the exact
 * duplicate is dropped alone (RFC 8200 §4.5 allows it; Linux does it) and
 * the datagram still reassembles. */
TEST(ip6_reass_duplicate_fragment)
{
	struct fx fx;

	fx_setup(&fx, NULL);
	CHECK_EQ(send6(&fx, 3, 0, 1232, true), REASS_HELD);
	CHECK_EQ(send6(&fx, 3, 0, 1232, true), REASS_DROPPED);
	CHECK_EQ(ctr(&fx, DUET_CTR_DROP_REASM_DUPLICATE), 1);
	CHECK_EQ(send6(&fx, 3, 1232, 100, false), REASS_COMPLETE);
	check_dgram6(&fx, 3, 0, 1332);
	CHECK_EQ(ctr(&fx, DUET_CTR_REASM_FAILS), 0);
	fx_teardown(&fx);
}

/* Action: [0,24) then [0,16), inside it (Linux would call it a duplicate),
 * then the rest. Response: an overlap: both dropped, the datagram discarded
 * and the rest with it (RFC 5722 §4). */
TEST(ip6_reass_overlap_head)
{
	struct fx fx;

	fx_setup(&fx, NULL);
	CHECK_EQ(send6(&fx, 4, 0, 24, true), REASS_HELD);
	CHECK_EQ(send6(&fx, 4, 0, 16, true), REASS_DROPPED);
	CHECK_EQ(ctr(&fx, DUET_CTR_DROP_REASM_OVERLAP), 2);
	CHECK_EQ(ctr(&fx, DUET_CTR_REASM_FAILS), 1);
	CHECK_EQ(reass_mem_bytes(&fx.r), 0);
	CHECK_EQ(send6(&fx, 4, 24, 8, false), REASS_DROPPED);
	CHECK_EQ(ctr(&fx, DUET_CTR_DROP_REASM_DISCARDED), 1);
	CHECK(fx.done == NULL);
	fx_teardown(&fx);
}

/* Action: [0,16) and the last [24,40) held, then another last [32,40).
 * Response: overlap at the tail: the datagram is discarded; [16,24) after it
 * is discarded too. */
TEST(ip6_reass_overlap_tail)
{
	struct fx fx;

	fx_setup(&fx, NULL);
	CHECK_EQ(send6(&fx, 5, 0, 16, true), REASS_HELD);
	CHECK_EQ(send6(&fx, 5, 24, 16, false), REASS_HELD);
	CHECK_EQ(send6(&fx, 5, 32, 8, false), REASS_DROPPED);
	CHECK_EQ(ctr(&fx, DUET_CTR_DROP_REASM_OVERLAP), 3);
	CHECK_EQ(send6(&fx, 5, 16, 8, true), REASS_DROPPED);
	CHECK_EQ(ctr(&fx, DUET_CTR_DROP_REASM_DISCARDED), 1);
	fx_teardown(&fx);
}

/* Action: [0,16), [16,32), the last [48,64), then [24,40) across the middle
 * fragment's tail. Response: overlap: all four dropped. Also: a fragment with
 * a held one's exact range but another M flag is an overlap, not a duplicate. */
TEST(ip6_reass_overlap_middle)
{
	struct fx fx;

	fx_setup(&fx, NULL);
	CHECK_EQ(send6(&fx, 6, 0, 16, true), REASS_HELD);
	CHECK_EQ(send6(&fx, 6, 16, 16, true), REASS_HELD);
	CHECK_EQ(send6(&fx, 6, 48, 16, false), REASS_HELD);
	CHECK_EQ(send6(&fx, 6, 24, 16, true), REASS_DROPPED);
	CHECK_EQ(ctr(&fx, DUET_CTR_DROP_REASM_OVERLAP), 4);
	CHECK_EQ(send6(&fx, 7, 8, 16, true), REASS_HELD);
	CHECK_EQ(send6(&fx, 7, 8, 16, false), REASS_DROPPED);
	CHECK_EQ(ctr(&fx, DUET_CTR_DROP_REASM_OVERLAP), 6);
	fx_teardown(&fx);
}

/* Action: an overlap, then every missing fragment, then 60 s, then the
 * datagram once more. Response: the missing fragments are discarded (RFC
 * 5722 §4: "including those not yet received"), no Time Exceeded at the
 * timeout (discarded silently), and afterwards the same key reassembles. */
TEST(ip6_reass_fragment_after_overlap_discarded)
{
	struct fx fx;

	fx_setup(&fx, NULL);
	CHECK_EQ(send6(&fx, 8, 0, 16, true), REASS_HELD);
	CHECK_EQ(send6(&fx, 8, 8, 16, true), REASS_DROPPED);
	CHECK_EQ(send6(&fx, 8, 16, 16, true), REASS_DROPPED);
	CHECK_EQ(send6(&fx, 8, 0, 16, true), REASS_DROPPED);
	CHECK_EQ(send6(&fx, 8, 32, 8, false), REASS_DROPPED);
	CHECK_EQ(ctr(&fx, DUET_CTR_DROP_REASM_DISCARDED), 3);
	CHECK(fx.done == NULL);
	CHECK_EQ(reass_queue_count(&fx.r), 1);
	fx_advance(&fx, 60 * SEC);
	CHECK_EQ(reass_queue_count(&fx.r), 0);
	CHECK_EQ(fx.te_calls, 0);
	CHECK_EQ(ctr(&fx, DUET_CTR_REASM_FAILS), 1);
	CHECK_EQ(send6(&fx, 8, 0, 16, true), REASS_HELD);
	CHECK_EQ(send6(&fx, 8, 16, 8, false), REASS_COMPLETE);
	check_dgram6(&fx, 8, 0, 24);
	fx_teardown(&fx);
}

/* FreeBSD frag6_zerofirst. Action: a first fragment with M set and no
 * payload. Response: rejected as a bad length, returned to the caller for
 * Parameter Problem code 0 pointing at Payload Length (4); nothing queued. */
TEST(ip6_reass_zero_length_first_fragment)
{
	struct fx fx;
	uint32_t ptr;

	fx_setup(&fx, NULL);
	CHECK_EQ(send6x(&fx, 9, 0, 0, true, 0, false, &ptr), REASS_BAD_LENGTH);
	CHECK_EQ(ptr, 4);
	CHECK_EQ(ctr(&fx, DUET_CTR_DROP_REASM_BAD_LENGTH), 1);
	CHECK_EQ(ctr(&fx, DUET_CTR_REASM_FAILS), 1);
	CHECK_EQ(reass_queue_count(&fx.r), 0);
	fx_teardown(&fx);
}

/* Action: [0,16), then a middle fragment of 5 bytes with M set, then a last
 * fragment of 5 bytes. Response: the middle one is rejected alone (Parameter
 * Problem code 0 at Payload Length); the queue is untouched and a last
 * fragment of any length completes it. */
TEST(ip6_reass_non_multiple_of_8_middle)
{
	struct fx fx;
	uint32_t ptr;

	fx_setup(&fx, NULL);
	CHECK_EQ(send6(&fx, 10, 0, 16, true), REASS_HELD);
	CHECK_EQ(send6x(&fx, 10, 16, 5, true, 0, false, &ptr), REASS_BAD_LENGTH);
	CHECK_EQ(ptr, 4);
	CHECK_EQ(ctr(&fx, DUET_CTR_DROP_REASM_BAD_LENGTH), 1);
	CHECK_EQ(send6(&fx, 10, 16, 5, false), REASS_COMPLETE);
	check_dgram6(&fx, 10, 0, 21);
	fx_teardown(&fx);
}

/* Action: a last fragment at offset 65,528 with 16 bytes; one with 7 bytes;
 * with 8 bytes of Destination Options before the Fragment header, one at
 * 65,520 with 8 bytes. Response: 65,544 and 65,536 are too big: Parameter
 * Problem code 0 pointing at the Fragment Offset (42, and 50 past the
 * options); exactly 65,535 is held. */
TEST(ip6_reass_beyond_65535)
{
	struct fx fx;
	uint32_t ptr;

	fx_setup(&fx, NULL);
	CHECK_EQ(send6x(&fx, 11, 65528, 16, false, 0, false, &ptr), REASS_TOO_BIG);
	CHECK_EQ(ptr, 42);
	CHECK_EQ(send6(&fx, 11, 65528, 7, false), REASS_HELD);
	CHECK_EQ(send6x(&fx, 12, 65520, 8, false, 8, false, &ptr), REASS_TOO_BIG);
	CHECK_EQ(ptr, 50);
	CHECK_EQ(ctr(&fx, DUET_CTR_DROP_REASM_TOO_BIG), 2);
	fx_teardown(&fx);
}

/* Action: a 65,535-byte payload in 54 fragments. Response: reassembled. */
TEST(ip6_reass_largest_datagram)
{
	struct fx fx;
	uint32_t off;

	fx_setup(&fx, NULL);
	for (off = 0; off + 1232 < 65535; off += 1232)
		CHECK_EQ(send6(&fx, 13, off, 1232, true), REASS_HELD);
	CHECK_EQ(send6(&fx, 13, off, 65535 - off, false), REASS_COMPLETE);
	check_dgram6(&fx, 13, 0, 65535);
	fx_teardown(&fx);
}

/* Action: a first fragment with a Destination Options header before the
 * Fragment header, and a last fragment without it. Response: the datagram
 * keeps the first fragment's options, whose Next Header becomes 17. */
TEST(ip6_reass_unfragmentable_part_from_first)
{
	struct fx fx;

	fx_setup(&fx, NULL);
	CHECK_EQ(send6(&fx, 14, 16, 8, false), REASS_HELD);
	CHECK_EQ(send6x(&fx, 14, 0, 16, true, 8, false, NULL), REASS_COMPLETE);
	CHECK_EQ(duet_pkt_data(fx.done)[6], 60);
	check_dgram6(&fx, 14, 8, 24);
	fx_teardown(&fx);
}

/* Action: a last fragment [16,24), then (a) another last [24,32); on fresh
 * datagrams (b) data [24,32) past a last [16,24) and (c) a last [8,16)
 * ending before held data [16,32). Response: each discards its datagram;
 * later fragments of (a) are discarded. */
TEST(ip6_reass_inconsistent_last)
{
	struct fx fx;

	fx_setup(&fx, NULL);
	CHECK_EQ(send6(&fx, 15, 16, 8, false), REASS_HELD);
	CHECK_EQ(send6(&fx, 15, 24, 8, false), REASS_DROPPED);
	CHECK_EQ(send6(&fx, 15, 0, 16, true), REASS_DROPPED);
	CHECK_EQ(ctr(&fx, DUET_CTR_DROP_REASM_DISCARDED), 1);
	CHECK_EQ(send6(&fx, 16, 16, 8, false), REASS_HELD);
	CHECK_EQ(send6(&fx, 16, 24, 8, true), REASS_DROPPED);
	CHECK_EQ(send6(&fx, 17, 16, 16, true), REASS_HELD);
	CHECK_EQ(send6(&fx, 17, 8, 8, false), REASS_DROPPED);
	CHECK_EQ(ctr(&fx, DUET_CTR_DROP_REASM_INCONSISTENT_LAST), 6);
	CHECK_EQ(ctr(&fx, DUET_CTR_REASM_FAILS), 3);
	fx_teardown(&fx);
}

/* FreeBSD frag6_03. Action: an atomic fragment (offset 0, M 0), alone and
 * with a queue of the same key open. Response: handed back to be processed
 * alone (RFC 6946 §4), never queued; the open queue still completes. */
TEST(ip6_reass_atomic_fragment)
{
	struct fx fx;

	fx_setup(&fx, NULL);
	CHECK_EQ(send6(&fx, 18, 0, 100, false), REASS_ATOMIC);
	CHECK_EQ(reass_queue_count(&fx.r), 0);
	CHECK_EQ(ctr(&fx, DUET_CTR_REASM_ATOMIC), 1);
	CHECK_EQ(ctr(&fx, DUET_CTR_REASM_REQDS), 0);
	CHECK_EQ(send6(&fx, 19, 0, 8, true), REASS_HELD);
	CHECK_EQ(send6(&fx, 19, 0, 8, false), REASS_ATOMIC);
	CHECK_EQ(send6(&fx, 19, 8, 8, false), REASS_COMPLETE);
	check_dgram6(&fx, 19, 0, 16);
	fx_teardown(&fx);
}

/* Action: a first fragment the caller flags as not holding the whole header
 * chain; the flag on a non-first fragment. Response: the first is rejected
 * for Parameter Problem code 3 with Pointer 0 (RFC 7112 §5, RFC 8200 §4.5);
 * on a later fragment the flag means nothing. */
TEST(ip6_reass_chain_incomplete_flag)
{
	struct fx fx;
	uint32_t ptr;

	fx_setup(&fx, NULL);
	CHECK_EQ(send6x(&fx, 20, 0, 8, true, 0, true, &ptr), REASS_CHAIN_INCOMPLETE);
	CHECK_EQ(ptr, 0);
	CHECK_EQ(ctr(&fx, DUET_CTR_DROP_REASM_CHAIN_INCOMPLETE), 1);
	CHECK_EQ(send6x(&fx, 20, 8, 8, false, 0, true, NULL), REASS_HELD);
	fx_teardown(&fx);
}

/* Action: the first and last fragments, then 60 s without the middle; the
 * test keeps a reference to the first. Response: nothing at 59.999 s; at
 * 60 s both are dropped and the callback gets the first fragment from its
 * IPv6 header on, for Time Exceeded code 1 — a copy, as it is shared. */
TEST(ip6_reass_timeout_with_first_fragment)
{
	struct fx fx;
	struct reass_frag f;
	struct reass_key key;
	struct duet_pkt *p;

	fx_setup(&fx, NULL);
	reass_key_v6(&key, src6, dst6, 21, 0);
	p = duet_pkt_ref(mk6(&fx, 21, 0, 8, true, 0, &f));
	CHECK_EQ(feed(&fx, &key, &f, p), REASS_HELD);
	CHECK_EQ(send6(&fx, 21, 16, 8, false), REASS_HELD);
	fx_advance(&fx, 60 * SEC - 1000000);
	CHECK_EQ(fx.te_calls, 0);
	CHECK_EQ(reass_queue_count(&fx.r), 1);
	fx_advance(&fx, 1000000);
	CHECK_EQ(fx.te_calls, 1);
	CHECK_EQ(fx.te_family, REASS_FAMILY_IPV6);
	CHECK_EQ(fx.te_len, 40 + 8 + 8);
	CHECK_EQ(fx.te_first_byte, 0x60);
	CHECK(p->refcnt == 1 && p->head == 64 && p->len == 56); /* untouched */
	duet_pkt_free(p);
	CHECK_EQ(ctr(&fx, DUET_CTR_DROP_REASM_TIMEOUT), 2);
	CHECK_EQ(ctr(&fx, DUET_CTR_REASM_FAILS), 1);
	CHECK_EQ(reass_queue_count(&fx.r), 0);
	CHECK_EQ(reass_mem_bytes(&fx.r), 0);
	fx_teardown(&fx);
}

/* Action: only a non-first fragment, then 60 s. Response: dropped at the
 * timeout, and no Time Exceeded (the first fragment never came). */
TEST(ip6_reass_timeout_without_first_fragment)
{
	struct fx fx;

	fx_setup(&fx, NULL);
	CHECK_EQ(send6(&fx, 22, 8, 8, false), REASS_HELD);
	fx_advance(&fx, 60 * SEC);
	CHECK_EQ(fx.te_calls, 0);
	CHECK_EQ(ctr(&fx, DUET_CTR_DROP_REASM_TIMEOUT), 1);
	CHECK_EQ(reass_queue_count(&fx.r), 0);
	fx_teardown(&fx);
}

/* Action: a datagram in 64 fragments; another with a 65th fragment.
 * Response: 64 reassemble (the default limit, as FreeBSD's
 * maxfragsperpacket); the 65th discards its datagram, and the rest after. */
TEST(ip6_reass_per_datagram_limit)
{
	struct fx fx;
	uint32_t i;

	fx_setup(&fx, NULL);
	for (i = 0; i < 63; i++)
		CHECK_EQ(send6(&fx, 24, i * 8, 8, true), REASS_HELD);
	CHECK_EQ(send6(&fx, 24, 63 * 8, 8, false), REASS_COMPLETE);
	check_dgram6(&fx, 24, 0, 512);
	for (i = 0; i < 64; i++)
		CHECK_EQ(send6(&fx, 25, i * 8, 8, true), REASS_HELD);
	CHECK_EQ(send6(&fx, 25, 64 * 8, 8, true), REASS_DROPPED);
	CHECK_EQ(ctr(&fx, DUET_CTR_DROP_REASM_TOO_MANY_FRAGS), 65);
	CHECK_EQ(send6(&fx, 25, 65 * 8, 8, false), REASS_DROPPED);
	CHECK_EQ(ctr(&fx, DUET_CTR_DROP_REASM_DISCARDED), 1);
	CHECK_EQ(reass_mem_bytes(&fx.r), 0);
	fx_teardown(&fx);
}

/* Action: 100,000 random fragments (random Identification, offset, length,
 * M), then a legitimate 3,000-byte datagram, then the engine is finished.
 * Response: held memory never passes the 4 MiB cap — by the engine's count
 * and by the pool's buffers in use — the oldest queues give way, the
 * datagram reassembles, and finishing frees every held fragment. */
TEST(ip6_reass_memory_cap_flood)
{
	struct reass_config cfg;
	struct duet_pool_stats st;
	struct duet_rng rng;
	struct fx fx;
	uint32_t i, over = 0, pool_over = 0;

	reass_config_init(&cfg);
	cfg.max_queues = 8192; /* let memory, not queue slots, be the bound */
	fx_setup(&fx, &cfg);
	duet_rng_seed(&rng, 42);
	for (i = 0; i < 100000; i++) {
		uint32_t id = (uint32_t)duet_rng_next(&rng) | 0x80000000u;
		uint32_t off = duet_rng_below(&rng, 2048) * 8;
		uint32_t len = (duet_rng_below(&rng, 154) + 1) * 8;

		send6(&fx, id, off, len, duet_rng_below(&rng, 8) != 0);
		over += reass_mem_bytes(&fx.r) > cfg.mem_cap_bytes;
		duet_pool_stats(duet_stack_pool(fx.stack), &st);
		pool_over += st.in_use * POOL_BUF > cfg.mem_cap_bytes;
	}
	CHECK_EQ(over, 0);
	CHECK_EQ(pool_over, 0);
	CHECK(ctr(&fx, DUET_CTR_DROP_REASM_EVICTED) > 0);
	CHECK(reass_queue_count(&fx.r) > 1000);
	duet_pkt_free(fx.done);
	fx.done = NULL;
	CHECK_EQ(send6(&fx, 26, 0, 1232, true), REASS_HELD);
	CHECK_EQ(send6(&fx, 26, 1232, 1232, true), REASS_HELD);
	CHECK_EQ(send6(&fx, 26, 2464, 536, false), REASS_COMPLETE);
	check_dgram6(&fx, 26, 0, 3000);
	CHECK_EQ(ctr(&fx, DUET_CTR_REASM_REQDS) + ctr(&fx, DUET_CTR_REASM_ATOMIC), 100003);
	duet_pool_stats(duet_stack_pool(fx.stack), &st);
	CHECK(st.mem_bytes <= cfg.mem_cap_bytes + (256u << 10));
	reass_fini(&fx.r); /* frees the 2,000-odd held fragments, not as drops */
	CHECK_EQ(duet_stack_next_deadline(fx.stack), DUET_TIME_NEVER);
	CHECK_EQ(ctr(&fx, DUET_CTR_DROP_REASM_TIMEOUT), 0);
	fx_teardown(&fx); /* finds no packet in use; a second reass_fini is harmless */
}

/* Action: with room for 2 queues, a third datagram starts. Response: the
 * oldest queue is evicted (its fragments counted), the other completes. */
TEST(ip6_reass_queue_limit_evicts_oldest)
{
	struct reass_config cfg;
	struct fx fx;

	reass_config_init(&cfg);
	cfg.max_queues = 2;
	fx_setup(&fx, &cfg);
	CHECK_EQ(send6(&fx, 27, 0, 8, true), REASS_HELD);
	CHECK_EQ(send6(&fx, 28, 0, 8, true), REASS_HELD);
	CHECK_EQ(send6(&fx, 29, 0, 8, true), REASS_HELD);
	CHECK_EQ(ctr(&fx, DUET_CTR_DROP_REASM_EVICTED), 1);
	CHECK_EQ(reass_queue_count(&fx.r), 2);
	CHECK_EQ(send6(&fx, 28, 8, 8, false), REASS_COMPLETE);
	check_dgram6(&fx, 28, 0, 16);
	CHECK_EQ(send6(&fx, 27, 8, 8, false), REASS_HELD); /* a new queue */
	fx_teardown(&fx);
}

/* Action: 500 IPv6 and 500 IPv4 datagrams with the same Identifications,
 * interleaved: every first fragment, then every last, then every middle.
 * Response: 1,000 queues at once, none confused, all reassemble. */
TEST(reass_many_concurrent_queues)
{
	struct fx fx;
	uint32_t i, bad = 0;

	fx_setup(&fx, NULL);
	for (i = 0; i < 500; i++) {
		bad += send6(&fx, 1000 + i, 0, 16, true) != REASS_HELD;
		bad += send4(&fx, (uint16_t)(1000 + i), 17, 0, 16, true) != REASS_HELD;
	}
	CHECK_EQ(reass_queue_count(&fx.r), 1000);
	for (i = 0; i < 500; i++) {
		bad += send6(&fx, 1000 + i, 32, 8, false) != REASS_HELD;
		bad += send4(&fx, (uint16_t)(1000 + i), 17, 32, 8, false) != REASS_HELD;
	}
	for (i = 0; i < 500; i++) {
		bad += send6(&fx, 1000 + i, 16, 16, true) != REASS_COMPLETE;
		check_dgram6(&fx, 1000 + i, 0, 40);
		bad += send4(&fx, (uint16_t)(1000 + i), 17, 16, 16, true) != REASS_COMPLETE;
		check_dgram4(&fx, (uint16_t)(1000 + i), 17, 40);
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(ctr(&fx, DUET_CTR_REASM_OKS), 1000);
	CHECK_EQ(ctr(&fx, DUET_CTR_DROP_REASM_EVICTED), 0);
	CHECK_EQ(reass_queue_count(&fx.r), 0);
	fx_teardown(&fx);
}

/* Action: an IPv4 datagram in three fragments, in order and reversed.
 * Response: Total Length, MF/offset cleared, a valid header checksum. */
TEST(ip4_reass_in_order_and_reverse)
{
	struct fx fx;

	fx_setup(&fx, NULL);
	CHECK_EQ(send4(&fx, 1, 17, 0, 1480, true), REASS_HELD);
	CHECK_EQ(send4(&fx, 1, 17, 1480, 1480, true), REASS_HELD);
	CHECK_EQ(send4(&fx, 1, 17, 2960, 40, false), REASS_COMPLETE);
	check_dgram4(&fx, 1, 17, 3000);
	CHECK_EQ(send4(&fx, 2, 6, 2960, 40, false), REASS_HELD);
	CHECK_EQ(send4(&fx, 2, 6, 1480, 1480, true), REASS_HELD);
	CHECK_EQ(send4(&fx, 2, 6, 0, 1480, true), REASS_COMPLETE);
	check_dgram4(&fx, 2, 6, 3000);
	fx_teardown(&fx);
}

/* Action: two datagrams with one Identification, protocols 17 and 6,
 * interleaved. Response: two queues (RFC 791: the protocol is part of the
 * key), both reassemble. */
TEST(ip4_reass_protocol_in_key)
{
	struct fx fx;

	fx_setup(&fx, NULL);
	CHECK_EQ(send4(&fx, 3, 17, 0, 16, true), REASS_HELD);
	CHECK_EQ(send4(&fx, 3, 6, 0, 16, true), REASS_HELD);
	CHECK_EQ(reass_queue_count(&fx.r), 2);
	CHECK_EQ(send4(&fx, 3, 6, 16, 4, false), REASS_COMPLETE);
	check_dgram4(&fx, 3, 6, 20);
	CHECK_EQ(send4(&fx, 3, 17, 16, 4, false), REASS_COMPLETE);
	check_dgram4(&fx, 3, 17, 20);
	fx_teardown(&fx);
}

/* Action: IPv4 fragments overlapping; one past 65,535 with its header; one
 * ending exactly there. Response: the overlap discards the datagram (as
 * Linux since 4.19); too big is rejected; 65,535 is held. */
TEST(ip4_reass_overlap_and_too_big)
{
	struct fx fx;

	fx_setup(&fx, NULL);
	CHECK_EQ(send4(&fx, 4, 17, 0, 16, true), REASS_HELD);
	CHECK_EQ(send4(&fx, 4, 17, 8, 16, true), REASS_DROPPED);
	CHECK_EQ(ctr(&fx, DUET_CTR_DROP_REASM_OVERLAP), 2);
	CHECK_EQ(send4(&fx, 5, 17, 65512, 24, false), REASS_TOO_BIG);
	CHECK_EQ(send4(&fx, 5, 17, 65512, 3, false), REASS_HELD);
	fx_teardown(&fx);
}

/* Action: an IPv4 first fragment alone for 60 s. Response: the callback
 * gets it (itself, not shared) from its IPv4 header on, for ICMPv4 Time
 * Exceeded code 1 (RFC 792). */
TEST(ip4_reass_timeout_time_exceeded)
{
	struct fx fx;

	fx_setup(&fx, NULL);
	CHECK_EQ(send4(&fx, 6, 17, 0, 8, true), REASS_HELD);
	fx_advance(&fx, 60 * SEC);
	CHECK_EQ(fx.te_calls, 1);
	CHECK_EQ(fx.te_family, REASS_FAMILY_IPV4);
	CHECK_EQ(fx.te_len, 28);
	CHECK_EQ(fx.te_first_byte, 0x45);
	fx_teardown(&fx);
}

/* Zero knobs, and more fragments than 65,536 bytes could hold distinct. */
TEST(reass_config_rejects_bad_values)
{
	struct reass_config cfg;
	struct reass r;
	struct fx fx;
	int i;

	fx_setup(&fx, NULL);
	for (i = 0; i < 4; i++) {
		reass_config_init(&cfg);
		cfg.max_frags = i == 0 ? 0 : i == 1 ? 9000 : cfg.max_frags;
		cfg.max_queues = i == 2 ? 0 : cfg.max_queues;
		cfg.timeout_ms = i == 3 ? 0 : cfg.timeout_ms;
		CHECK_EQ(reass_init(&r, fx.stack, &cfg), -EINVAL);
	}
	fx_teardown(&fx);
}
