/* duet — fragment reassembly, one engine for IPv6 and IPv4 (RFC 8200 §4.5,
 * RFC 791, RFC 815, RFC 5722, RFC 6946, RFC 7112); see net/reass.h.
 *
 * Policy, with its reasons:
 * - Overlap (RFC 5722 §4, and RFC 8200 §4.5): the whole datagram is
 *   discarded, and the queue stays, empty and "dead", until its timeout, so
 *   that fragments not yet received are discarded too. IPv4 follows the
 *   same rule (as Linux has since 4.19, "ip: discard IPv4 datagrams with
 *   overlapping segments"), though RFC 791 allowed overlaps.
 * - An exact duplicate (same range, same M flag) is dropped alone and the
 *   queue kept: RFC 8200 §4.5 allows it ("an implementation may choose to
 *   detect this case and drop exact duplicate fragments while keeping the
 *   other fragments belonging to the same packet"), as Linux does. Anything
 *   else sharing a byte with a held fragment is an overlap (Linux calls a
 *   fragment contained in a held one a duplicate; duet keeps to the RFC).
 * - A last fragment that disagrees with the data seen (a second last with
 *   another end, data beyond the last, a last ending before held data), and
 *   more than max_frags fragments, discard the datagram as an overlap does.
 * - Per fragment, alone (RFC 8200 §4.5): an empty fragment (FreeBSD's
 *   frag6 answers it as a bad length too) or a non-last one whose length is
 *   not a multiple of 8, a datagram that would exceed 65,535 octets, and
 *   (RFC 7112 §5) a first fragment without the whole header chain.
 * - Memory: the buffers of held fragments count whole (header + capacity,
 *   what they take from the pool). A fragment that would pass the cap first
 *   evicts the oldest queues (creation order, O(1) each); so does a new
 *   datagram when every queue is in use. Without eviction a flood would
 *   hold the cap for a whole timeout and no legitimate datagram could start;
 *   with it, one that completes faster than the flood turns the table over
 *   still gets through. Evicted queues are freed, not kept dead, and send
 *   no Time Exceeded (that is for the timeout only, RFC 8200 §4.5). */
#include "net/reass.h"

#include <duet/byteorder.h>
#include <duet/csum.h>
#include <duet/random.h>

#include "core/stack_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define REASS_IP6_HDR_LEN 40u
#define REASS_IP4_HDR_MIN 20u
#define REASS_IP4_HDR_MAX 60u
#define REASS_IP_MAX_LEN 65535u
#define REASS_MAX_OFFSET 65528u      /* 13-bit offset × 8 */
#define REASS_IP4_DF 0x4000u
#define REASS_MAX_FRAGS 8192u        /* 65,536 / 8: more could never be distinct */
#define REASS_MAX_QUEUES 65536u
#define REASS_NO_REASON DUET_CTR__COUNT

_Static_assert(sizeof(struct reass_key) == 44, "reass_key is hashed as bytes: no padding");

/* How a new fragment relates to those held. */
enum reass_class {
	REASS_CLS_OK,
	REASS_CLS_DUPLICATE,
	REASS_CLS_OVERLAP,
	REASS_CLS_INCONSISTENT,
};

void reass_config_init(struct reass_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->timeout_ms = 60000;
	cfg->max_frags = 64;
	cfg->max_queues = 1024;
	cfg->mem_cap_bytes = (size_t)4 << 20;
}

static void reass_free_tables(struct reass *r)
{
	free(r->queues);
	free(r->ents);
	free(r->buckets);
	memset(r, 0, sizeof(*r));
}

static void reass_expire(struct duet_timer *t, void *arg);

int reass_init(struct reass *r, struct duet_stack *stack, const struct reass_config *cfg)
{
	uint32_t i, nbuckets = 1;

	memset(r, 0, sizeof(*r));
	if (!stack || !cfg || !cfg->timeout_ms || !cfg->max_frags || !cfg->max_queues ||
	    !cfg->mem_cap_bytes || cfg->max_frags > REASS_MAX_FRAGS ||
	    cfg->max_queues > REASS_MAX_QUEUES)
		return -EINVAL;
	while (nbuckets < 2 * cfg->max_queues)
		nbuckets <<= 1;
	r->queues = calloc(cfg->max_queues, sizeof(*r->queues));
	r->ents = calloc((size_t)cfg->max_queues * cfg->max_frags, sizeof(*r->ents));
	r->buckets = malloc(nbuckets * sizeof(*r->buckets));
	if (!r->queues || !r->ents || !r->buckets) {
		reass_free_tables(r);
		return -ENOMEM;
	}
	r->stack = stack;
	r->cfg = *cfg;
	r->bucket_mask = nbuckets - 1;
	for (i = 0; i < nbuckets; i++)
		r->buckets[i] = -1;
	for (i = 0; i < cfg->max_queues; i++) {
		struct reass_queue *q = &r->queues[i];

		q->ents = r->ents + (size_t)i * cfg->max_frags;
		duet_timer_init(&q->timer, reass_expire, r);
		q->newer = i + 1 < cfg->max_queues ? (int32_t)i + 1 : -1;
		q->older = q->hnext = -1;
	}
	r->free_head = 0;
	r->oldest = r->newest = -1;
	return 0;
}

void reass_key_v6(struct reass_key *key, const uint8_t src[16], const uint8_t dst[16],
		  uint32_t id, uint32_t zone)
{
	memset(key, 0, sizeof(*key));
	key->family = REASS_FAMILY_IPV6;
	key->id = id;
	key->zone = zone;
	memcpy(key->src, src, 16);
	memcpy(key->dst, dst, 16);
}

void reass_key_v4(struct reass_key *key, const uint8_t src[4], const uint8_t dst[4],
		  uint8_t protocol, uint16_t id)
{
	memset(key, 0, sizeof(*key));
	key->family = REASS_FAMILY_IPV4;
	key->protocol = protocol;
	key->id = id;
	memcpy(key->src, src, 4);
	memcpy(key->dst, dst, 4);
}

/* A copy of key with the padding zeroed, whatever the caller left there. */
static void reass_key_canon(struct reass_key *out, const struct reass_key *key)
{
	memset(out, 0, sizeof(*out));
	out->family = key->family;
	out->protocol = key->protocol;
	out->id = key->id;
	out->zone = key->zone;
	memcpy(out->src, key->src, 16);
	memcpy(out->dst, key->dst, 16);
}

/* What a packet takes from the pool: its header and whole buffer. */
static size_t reass_truesize(const struct duet_pkt *pkt)
{
	return sizeof(*pkt) + pkt->cap;
}

/* Headroom for a new packet of len bytes: the usual, or what still fits. */
static size_t reass_headroom(size_t len)
{
	return len + DUET_PKT_HEADROOM <= DUET_PKT_MAX_DATA ? DUET_PKT_HEADROOM
							    : DUET_PKT_MAX_DATA - len;
}

/* Bytes of the unfragmentable part that count in the reassembled length
 * field: IPv6's Payload Length leaves out the fixed header (RFC 8200 §3),
 * IPv4's Total Length counts it (RFC 791 §3.1). */
static uint32_t reass_len_base(const struct reass_key *key)
{
	return key->family == REASS_FAMILY_IPV6 ? REASS_IP6_HDR_LEN : 0;
}

/* ---- the table --------------------------------------------------------- */

static uint32_t reass_bucket(const struct reass *r, const struct reass_key *key)
{
	return (uint32_t)stack_table_hash(r->stack, key, sizeof(*key)) & r->bucket_mask;
}

static struct reass_queue *reass_lookup(struct reass *r, const struct reass_key *key,
					uint32_t bucket)
{
	int32_t i;

	for (i = r->buckets[bucket]; i >= 0; i = r->queues[i].hnext)
		if (memcmp(&r->queues[i].key, key, sizeof(*key)) == 0)
			return &r->queues[i];
	return NULL;
}

/* Frees (reason REASS_NO_REASON) or drops under reason every held fragment. */
static void reass_queue_clear(struct reass *r, struct reass_queue *q, enum duet_counter reason)
{
	uint32_t i;

	for (i = 0; i < q->nfrags; i++) {
		if (reason == REASS_NO_REASON)
			duet_pkt_free(q->ents[i].pkt);
		else
			stack_drop(r->stack, q->ents[i].pkt, reason);
		q->ents[i].pkt = NULL;
	}
	r->mem_bytes -= q->mem_bytes;
	q->mem_bytes = 0;
	q->nfrags = 0;
	q->have_bytes = 0;
}

/* Returns an emptied queue to the free list. */
static void reass_queue_release(struct reass *r, struct reass_queue *q)
{
	int32_t i = (int32_t)(q - r->queues);
	int32_t *pp = &r->buckets[q->bucket];

	duet_tw_cancel(&r->stack->timers, &q->timer);
	while (*pp != i)
		pp = &r->queues[*pp].hnext;
	*pp = q->hnext;
	if (q->older >= 0)
		r->queues[q->older].newer = q->newer;
	else
		r->oldest = q->newer;
	if (q->newer >= 0)
		r->queues[q->newer].older = q->older;
	else
		r->newest = q->older;
	q->is_used = false;
	q->hnext = q->older = -1;
	q->newer = r->free_head;
	r->free_head = i;
	r->nqueues--;
}

/* Discards a datagram: its fragments are dropped under reason, the queue
 * stays dead until its timeout to discard the ones still to come (RFC 5722 §4). */
static void reass_queue_kill(struct reass *r, struct reass_queue *q, enum duet_counter reason)
{
	stack_count(r->stack, DUET_CTR_REASM_FAILS);
	reass_queue_clear(r, q, reason);
	q->is_dead = true;
}

/* Frees the oldest-first victim q to make room. */
static void reass_evict(struct reass *r, struct reass_queue *q)
{
	if (!q->is_dead)
		stack_count(r->stack, DUET_CTR_REASM_FAILS);
	reass_queue_clear(r, q, DUET_CTR_DROP_REASM_EVICTED);
	reass_queue_release(r, q);
}

static struct reass_queue *reass_queue_new(struct reass *r, const struct reass_key *key,
					   uint32_t bucket, uint64_t now_ns)
{
	struct reass_queue *q;
	int32_t i;

	if (r->free_head < 0)
		reass_evict(r, &r->queues[r->oldest]);
	i = r->free_head;
	q = &r->queues[i];
	r->free_head = q->newer;
	q->key = *key;
	q->bucket = bucket;
	q->hnext = r->buckets[bucket];
	r->buckets[bucket] = i;
	q->older = r->newest;
	q->newer = -1;
	if (r->newest >= 0)
		r->queues[r->newest].newer = i;
	else
		r->oldest = i;
	r->newest = i;
	q->nfrags = q->have_bytes = q->max_end = q->total_len = 0;
	q->mem_bytes = 0;
	q->unfrag_len = 0;
	q->is_used = true;
	q->has_last = q->is_dead = false;
	r->nqueues++;
	duet_tw_arm(&r->stack->timers, &q->timer, now_ns + r->cfg.timeout_ms * DUET_NS_PER_MS);
	return q;
}

/* Evicts the oldest queues other than keep until need more bytes fit under
 * the cap. Returns false when they cannot. */
static bool reass_make_room(struct reass *r, const struct reass_queue *keep, size_t need)
{
	while (r->mem_bytes + need > r->cfg.mem_cap_bytes) {
		int32_t i = r->oldest;

		if (i >= 0 && &r->queues[i] == keep)
			i = keep->newer;
		if (i < 0)
			return false;
		reass_evict(r, &r->queues[i]);
	}
	return true;
}

/* ---- timeout ------------------------------------------------------------ */

/* A packet whose data is pkt->buf[off, off + len): pkt itself when it is not
 * shared, else a copy (NULL if the pool is exhausted). Takes pkt. */
static struct duet_pkt *reass_view(struct reass *r, struct duet_pkt *pkt, uint32_t off,
				   uint32_t len)
{
	struct duet_pkt *c;

	if (pkt->refcnt == 1) {
		pkt->head = off;
		pkt->len = len;
		return pkt;
	}
	c = duet_pkt_alloc(r->stack->pool, reass_headroom(len), len);
	if (c) {
		memcpy(duet_pkt_data(c), pkt->buf + off, len);
		c->ifindex = pkt->ifindex;
		c->time_ns = pkt->time_ns;
	}
	duet_pkt_free(pkt);
	return c;
}

/* The queue's timer: RFC 8200 §4.5 — when reassembly is not complete within
 * 60 s, the fragments are discarded and, if the first fragment arrived,
 * Time Exceeded code 1 goes to the source (RFC 792 likewise for IPv4). */
static void reass_expire(struct duet_timer *t, void *arg)
{
	struct reass *r = arg;
	struct reass_queue *q = (struct reass_queue *)(void *)
		((char *)t - offsetof(struct reass_queue, timer));
	struct reass_key key = q->key;
	struct duet_pkt *first = NULL;
	const struct reass_ent *e = &q->ents[0];
	uint32_t len = 0;

	if (!q->is_dead) {
		stack_count(r->stack, DUET_CTR_REASM_FAILS);
		if (q->nfrags && e->start == 0) {
			first = duet_pkt_ref(e->pkt);
			len = e->data_off + (e->end - e->start) - q->unfrag_head;
		}
		reass_queue_clear(r, q, DUET_CTR_DROP_REASM_TIMEOUT);
		if (first) /* counted and traced as dropped; now only ours or shared */
			first = reass_view(r, first, q->unfrag_head, len);
	}
	reass_queue_release(r, q);
	if (first && r->cfg.time_exceeded)
		r->cfg.time_exceeded(r->cfg.ctx, &key, first);
	else
		duet_pkt_free(first);
}

/* ---- input -------------------------------------------------------------- */

/* The descriptor describes bytes inside pkt, in the order the headers have. */
static bool reass_frag_ok(const struct reass_key *key, const struct reass_frag *f,
			  const struct duet_pkt *pkt)
{
	uint64_t unfrag_end = (uint64_t)f->unfrag_off + f->unfrag_len;
	uint64_t payload_end = (uint64_t)f->payload_off + f->payload_len;

	if (payload_end > pkt->len || f->payload_off < unfrag_end ||
	    f->offset_bytes % 8 || f->offset_bytes > REASS_MAX_OFFSET)
		return false;
	if (key->family == REASS_FAMILY_IPV6)
		return f->unfrag_len >= REASS_IP6_HDR_LEN && f->nh_off < f->unfrag_len;
	if (key->family == REASS_FAMILY_IPV4)
		return f->unfrag_len >= REASS_IP4_HDR_MIN && f->unfrag_len <= REASS_IP4_HDR_MAX;
	return false;
}

/* The rules a fragment must meet on its own (RFC 8200 §4.5, RFC 7112 §5).
 * Returns REASS_HELD when it does, else the rejection and its counter. */
static enum reass_verdict reass_check_alone(const struct reass_key *key,
					    const struct reass_frag *f,
					    enum duet_counter *reason)
{
	uint64_t len = (uint64_t)f->unfrag_len - reass_len_base(key) + f->offset_bytes +
		       f->payload_len;

	if (f->payload_len == 0 || (f->has_more && f->payload_len % 8)) {
		*reason = DUET_CTR_DROP_REASM_BAD_LENGTH;
		return REASS_BAD_LENGTH;
	}
	if (len > REASS_IP_MAX_LEN) {
		*reason = DUET_CTR_DROP_REASM_TOO_BIG;
		return REASS_TOO_BIG;
	}
	if (f->offset_bytes == 0 && f->is_chain_incomplete) {
		*reason = DUET_CTR_DROP_REASM_CHAIN_INCOMPLETE;
		return REASS_CHAIN_INCOMPLETE;
	}
	return REASS_HELD;
}

/* Where [start, end) goes among the held fragments (*pos, sorted by start),
 * or why it cannot. */
static enum reass_class reass_classify(const struct reass_queue *q, uint32_t start, uint32_t end,
				       bool has_more, uint32_t *pos)
{
	uint32_t lo = 0, hi = q->nfrags;

	if (!has_more && (end < q->max_end || (q->has_last && end != q->total_len)))
		return REASS_CLS_INCONSISTENT;
	if (has_more && q->has_last && end > q->total_len)
		return REASS_CLS_INCONSISTENT;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (q->ents[mid].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < q->nfrags && q->ents[lo].start == start && q->ents[lo].end == end) {
		bool held_more = !(q->has_last && end == q->total_len);

		return held_more == has_more ? REASS_CLS_DUPLICATE : REASS_CLS_OVERLAP;
	}
	if ((lo > 0 && q->ents[lo - 1].end > start) || (lo < q->nfrags && q->ents[lo].start < end))
		return REASS_CLS_OVERLAP;
	*pos = lo;
	return REASS_CLS_OK;
}

static void reass_insert(struct reass *r, struct reass_queue *q, uint32_t pos,
			 const struct reass_frag *f, struct duet_pkt *pkt)
{
	struct reass_ent *e = &q->ents[pos];
	size_t size = reass_truesize(pkt);

	memmove(e + 1, e, (q->nfrags - pos) * sizeof(*e));
	e->pkt = pkt;
	e->start = f->offset_bytes;
	e->end = f->offset_bytes + f->payload_len;
	e->data_off = pkt->head + f->payload_off;
	q->nfrags++;
	q->have_bytes += f->payload_len;
	q->mem_bytes += size;
	r->mem_bytes += size;
	if (e->end > q->max_end)
		q->max_end = e->end;
	if (!f->has_more) {
		q->has_last = true;
		q->total_len = e->end;
	}
	if (f->offset_bytes == 0) {
		/* RFC 8200 §4.5: the Per-Fragment headers come from the first fragment. */
		q->unfrag_head = pkt->head + f->unfrag_off;
		q->unfrag_len = f->unfrag_len;
		q->nh_off = f->nh_off;
		q->next_header = f->next_header;
	}
}

/* Rewrites the reassembled datagram's header fields that fragmentation set. */
static void reass_fix_headers(const struct reass_queue *q, uint8_t *d, uint32_t len)
{
	if (q->key.family == REASS_FAMILY_IPV6) {
		/* RFC 8200 §4.5: Payload Length computed afresh; the Next Header of
		 * the last Per-Fragment header is the Fragment header's. */
		duet_put_be16(d + 4, (uint16_t)(len - REASS_IP6_HDR_LEN));
		d[q->nh_off] = q->next_header;
		return;
	}
	duet_put_be16(d + 2, (uint16_t)len);
	duet_put_be16(d + 6, (uint16_t)(duet_get_be16(d + 6) & REASS_IP4_DF));
	d[10] = d[11] = 0;
	duet_put_be16(d + 10, duet_csum(d, q->unfrag_len));
}

/* The whole datagram in one new packet: one copy of every byte. */
static struct duet_pkt *reass_build(struct reass *r, const struct reass_queue *q)
{
	const struct reass_ent *first = &q->ents[0];
	uint32_t len = q->unfrag_len + q->total_len, i;
	struct duet_pkt *out = duet_pkt_alloc(r->stack->pool, reass_headroom(len), len);
	uint8_t *d;

	if (!out)
		return NULL;
	d = duet_pkt_data(out);
	memcpy(d, first->pkt->buf + q->unfrag_head, q->unfrag_len);
	for (i = 0; i < q->nfrags; i++) {
		const struct reass_ent *e = &q->ents[i];

		memcpy(d + q->unfrag_len + e->start, e->pkt->buf + e->data_off, e->end - e->start);
	}
	reass_fix_headers(q, d, len);
	out->ifindex = first->pkt->ifindex;
	return out;
}

static enum reass_verdict reass_complete(struct reass *r, struct reass_queue *q,
					 uint64_t time_ns, struct duet_pkt **out)
{
	uint64_t len = (uint64_t)q->unfrag_len - reass_len_base(&q->key) + q->total_len;
	struct duet_pkt *pkt;

	if (len > REASS_IP_MAX_LEN) { /* the first fragment's headers made it too big */
		reass_queue_kill(r, q, DUET_CTR_DROP_REASM_TOO_BIG);
		return REASS_DROPPED;
	}
	pkt = reass_build(r, q);
	if (!pkt) {
		stack_count(r->stack, DUET_CTR_REASM_FAILS);
		reass_queue_clear(r, q, DUET_CTR_DROP_REASM_NO_BUFFER);
		reass_queue_release(r, q);
		return REASS_DROPPED;
	}
	pkt->time_ns = time_ns;
	stack_count(r->stack, DUET_CTR_REASM_OKS);
	reass_queue_clear(r, q, REASS_NO_REASON);
	reass_queue_release(r, q);
	*out = pkt;
	return REASS_COMPLETE;
}

/* Adds a fragment that passed the rules of its own to its queue. */
static enum reass_verdict reass_add(struct reass *r, struct reass_queue *q,
				    const struct reass_frag *f, struct duet_pkt *pkt,
				    struct duet_pkt **out)
{
	uint32_t pos = 0;
	enum duet_counter reason = REASS_NO_REASON;

	switch (reass_classify(q, f->offset_bytes, f->offset_bytes + f->payload_len,
			       f->has_more, &pos)) {
	case REASS_CLS_DUPLICATE:
		stack_drop(r->stack, pkt, DUET_CTR_DROP_REASM_DUPLICATE);
		return REASS_DROPPED;
	case REASS_CLS_OVERLAP:
		reason = DUET_CTR_DROP_REASM_OVERLAP;
		break;
	case REASS_CLS_INCONSISTENT:
		reason = DUET_CTR_DROP_REASM_INCONSISTENT_LAST;
		break;
	case REASS_CLS_OK:
		if (q->nfrags >= r->cfg.max_frags)
			reason = DUET_CTR_DROP_REASM_TOO_MANY_FRAGS;
		break;
	}
	if (reason != REASS_NO_REASON) {
		reass_queue_kill(r, q, reason);
		stack_drop(r->stack, pkt, reason);
		return REASS_DROPPED;
	}
	if (!reass_make_room(r, q, reass_truesize(pkt))) {
		stack_count(r->stack, DUET_CTR_REASM_FAILS);
		stack_drop(r->stack, pkt, DUET_CTR_DROP_REASM_MEM_CAP);
		if (!q->nfrags)
			reass_queue_release(r, q);
		return REASS_DROPPED;
	}
	reass_insert(r, q, pos, f, pkt);
	if (!q->has_last || q->have_bytes != q->total_len)
		return REASS_HELD;
	return reass_complete(r, q, pkt->time_ns, out);
}

enum reass_verdict reass_input(struct reass *r, const struct reass_key *key_in,
			       const struct reass_frag *f, struct duet_pkt *pkt,
			       uint64_t now_ns, struct duet_pkt **out)
{
	struct reass_key key;
	struct reass_queue *q;
	enum duet_counter reason;
	enum reass_verdict v;
	uint32_t bucket;

	*out = NULL;
	if (f->offset_bytes == 0 && !f->has_more) {
		/* RFC 6946 §4: atomic fragments are processed in isolation, apart
		 * from (and without disturbing) any queue with the same key. */
		stack_count(r->stack, DUET_CTR_REASM_ATOMIC);
		return REASS_ATOMIC;
	}
	stack_count(r->stack, DUET_CTR_REASM_REQDS);
	reass_key_canon(&key, key_in);
	if (!reass_frag_ok(&key, f, pkt)) {
		stack_count(r->stack, DUET_CTR_REASM_FAILS);
		stack_drop(r->stack, pkt, DUET_CTR_DROP_REASM_BAD_LENGTH);
		return REASS_DROPPED;
	}
	v = reass_check_alone(&key, f, &reason);
	if (v != REASS_HELD) {
		stack_count(r->stack, DUET_CTR_REASM_FAILS);
		stack_count(r->stack, reason);
		stack_trace(r->stack, DUET_TRACE_DROP, pkt->ifindex, reason, pkt);
		return v;
	}
	bucket = reass_bucket(r, &key);
	q = reass_lookup(r, &key, bucket);
	if (q && q->is_dead) {
		stack_drop(r->stack, pkt, DUET_CTR_DROP_REASM_DISCARDED);
		return REASS_DROPPED;
	}
	if (!q)
		q = reass_queue_new(r, &key, bucket, now_ns);
	return reass_add(r, q, f, pkt, out);
}

uint32_t reass_param_pointer(enum reass_verdict v, const struct reass_frag *f)
{
	switch (v) {
	case REASS_BAD_LENGTH:
		return 4; /* the IPv6 header's Payload Length */
	case REASS_TOO_BIG:
		return f->unfrag_len + 2; /* the Fragment header follows the unfragmentable part */
	default:
		return 0; /* RFC 8200 §4.5: code 3 with the Pointer set to zero */
	}
}

size_t reass_mem_bytes(const struct reass *r)
{
	return r->mem_bytes;
}

uint32_t reass_queue_count(const struct reass *r)
{
	return r->nqueues;
}

void reass_fini(struct reass *r)
{
	if (!r->queues)
		return;
	while (r->oldest >= 0) {
		struct reass_queue *q = &r->queues[r->oldest];

		reass_queue_clear(r, q, REASS_NO_REASON);
		reass_queue_release(r, q);
	}
	reass_free_tables(r);
}
