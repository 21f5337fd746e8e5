/* duet — the impairment engine (seeded loss, duplication, reordering, delay,
 * jitter, corruption, rate limit, MTU; frames in flight in a time-ordered
 * heap) and the wrapper that applies it to any link (L-1). */
#include "link/impair_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <duet/byteorder.h>
#include <duet/clock.h>
#include <duet/wire/eth.h>

#define IMPAIR_PPM_MAX 1000000u
#define IMPAIR_MTU_MIN 68u
#define IMPAIR_MTU_MAX 65536u
#define IMPAIR_RATE_MIN_BPS 1000u

/* ---- parameters ---------------------------------------------------------- */

void duet_impair_params_init(struct duet_impair_params *p)
{
	memset(p, 0, sizeof(*p));
	p->capacity_frames = 1024;
	p->rate_queue_frames = 64;
}

int duet_impair_params_validate(const struct duet_impair_params *p)
{
	if (!p)
		return -EINVAL;
	if (p->loss_ppm > IMPAIR_PPM_MAX || p->dup_ppm > IMPAIR_PPM_MAX ||
	    p->reorder_ppm > IMPAIR_PPM_MAX || p->corrupt_ppm > IMPAIR_PPM_MAX)
		return -EINVAL;
	if (p->delay_ns > DUET_IMPAIR_MAX_DELAY_NS || p->jitter_ns > DUET_IMPAIR_MAX_DELAY_NS ||
	    p->jitter_ns >= UINT32_MAX || p->reorder_delay_ns > DUET_IMPAIR_MAX_DELAY_NS)
		return -EINVAL;
	if (p->reorder_ppm && !p->reorder_delay_ns)
		return -EINVAL;
	if (p->rate_bps && (p->rate_bps < IMPAIR_RATE_MIN_BPS || !p->rate_queue_frames))
		return -EINVAL;
	if (p->rate_queue_frames > DUET_IMPAIR_MAX_FRAMES)
		return -EINVAL;
	if (p->mtu && (p->mtu < IMPAIR_MTU_MIN || p->mtu > IMPAIR_MTU_MAX))
		return -EINVAL;
	if (!p->capacity_frames || p->capacity_frames > DUET_IMPAIR_MAX_FRAMES)
		return -EINVAL;
	return 0;
}

int impair_frame_fits(const uint8_t *data, uint32_t len, uint32_t mtu)
{
	uint32_t max = mtu + DUET_ETH_HDR_LEN;

	if (len < DUET_ETH_HDR_LEN)
		return 0;
	if (duet_get_be16(data + 12) == DUET_ETHERTYPE_VLAN)
		max += DUET_ETH_VLAN_HDR_LEN - DUET_ETH_HDR_LEN;
	return len <= max;
}

/* ---- engine lifetime --------------------------------------------------------- */

int impair_init(struct impair *imp, const struct duet_impair_params *p, uint64_t seed,
		uint32_t link_mtu, struct duet_link_stats *st, uint64_t *drops)
{
	memset(imp, 0, sizeof(*imp));
	if (p) {
		if (duet_impair_params_validate(p) != 0)
			return -EINVAL;
		imp->p = *p;
	} else {
		duet_impair_params_init(&imp->p);
	}
	imp->mtu = link_mtu;
	if (imp->p.mtu && imp->p.mtu < link_mtu)
		imp->mtu = imp->p.mtu;
	duet_rng_seed(&imp->rng, seed);
	imp->st = st;
	imp->drops = drops;
	imp->heap = calloc(imp->p.capacity_frames, sizeof(*imp->heap));
	imp->fifo = calloc(imp->p.capacity_frames, sizeof(*imp->fifo));
	if (imp->p.rate_bps)
		imp->ring = calloc(imp->p.rate_queue_frames, sizeof(*imp->ring));
	if (!imp->heap || !imp->fifo || (imp->p.rate_bps && !imp->ring)) {
		free(imp->heap);
		free(imp->fifo);
		free(imp->ring);
		memset(imp, 0, sizeof(*imp));
		return -ENOMEM;
	}
	return 0;
}

void impair_fini(struct impair *imp)
{
	uint32_t i;

	for (i = 0; i < imp->heap_len; i++)
		duet_pkt_free(imp->heap[i].pkt);
	for (i = 0; i < imp->fifo_len; i++)
		duet_pkt_free(imp->fifo[(imp->fifo_head + i) % imp->p.capacity_frames].pkt);
	free(imp->heap);
	free(imp->fifo);
	free(imp->ring);
	memset(imp, 0, sizeof(*imp));
}

/* ---- the heap of frames in flight -------------------------------------------- */

static int impair_slot_before(const struct impair_slot *a, const struct impair_slot *b)
{
	return a->due_ns < b->due_ns || (a->due_ns == b->due_ns && a->seq < b->seq);
}

static void impair_heap_swap(struct impair *imp, uint32_t i, uint32_t j)
{
	struct impair_slot t = imp->heap[i];
	imp->heap[i] = imp->heap[j];
	imp->heap[j] = t;
}

static const struct impair_slot *impair_fifo_tail(const struct impair *imp)
{
	return &imp->fifo[(imp->fifo_head + imp->fifo_len - 1) % imp->p.capacity_frames];
}

/* Puts a slot in flight (s->seq is the largest so far); returns 0, or -1
 * when capacity_frames are in flight already. */
static int impair_heap_push(struct impair *imp, const struct impair_slot *s)
{
	uint32_t i = imp->heap_len;

	if (impair_in_flight(imp) == imp->p.capacity_frames)
		return -1;
	/* Not earlier than the FIFO's last: appending keeps the FIFO sorted
	 * by (due, seq). */
	if (!imp->fifo_len || s->due_ns >= impair_fifo_tail(imp)->due_ns) {
		imp->fifo[(imp->fifo_head + imp->fifo_len++) % imp->p.capacity_frames] = *s;
		return 0;
	}
	imp->heap[imp->heap_len++] = *s;
	while (i > 0) {
		uint32_t parent = (i - 1) / 2;
		if (!impair_slot_before(&imp->heap[i], &imp->heap[parent]))
			break;
		impair_heap_swap(imp, i, parent);
		i = parent;
	}
	return 0;
}

/* The earliest slot in flight, or NULL. */
static const struct impair_slot *impair_first(const struct impair *imp)
{
	const struct impair_slot *f = imp->fifo_len ? &imp->fifo[imp->fifo_head] : NULL;

	if (!imp->heap_len)
		return f;
	return f && impair_slot_before(f, &imp->heap[0]) ? f : &imp->heap[0];
}

/* Removes the earliest slot in flight into *s (there must be one). */
static void impair_heap_pop(struct impair *imp, struct impair_slot *s)
{
	uint32_t i = 0;

	if (imp->fifo_len && impair_first(imp) == &imp->fifo[imp->fifo_head]) {
		*s = imp->fifo[imp->fifo_head];
		imp->fifo_head = (imp->fifo_head + 1) % imp->p.capacity_frames;
		imp->fifo_len--;
		return;
	}
	*s = imp->heap[0];
	imp->heap[0] = imp->heap[--imp->heap_len];
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < imp->heap_len && impair_slot_before(&imp->heap[l], &imp->heap[m]))
			m = l;
		if (r < imp->heap_len && impair_slot_before(&imp->heap[r], &imp->heap[m]))
			m = r;
		if (m == i)
			break;
		impair_heap_swap(imp, i, m);
		i = m;
	}
}

uint64_t impair_next_deadline(const struct impair *imp)
{
	const struct impair_slot *f = impair_first(imp);

	return f ? f->due_ns : DUET_TIME_NEVER;
}

/* ---- the model ------------------------------------------------------------------ */

/* Rate limit: returns when the frame has been serialised, or 0 if the queue
 * behind the serialiser is full. Frames leave the queue when their
 * serialisation ends; a frame being serialised still counts. */
static uint64_t impair_serialise(struct impair *imp, uint32_t len, uint64_t now_ns)
{
	uint32_t cap = imp->p.rate_queue_frames;
	uint64_t start, end, bits_ns;

	while (imp->ring_len && imp->ring[imp->ring_head] <= now_ns) {
		imp->ring_head = (imp->ring_head + 1) % cap;
		imp->ring_len--;
	}
	if (imp->ring_len == cap)
		return 0;
	start = imp->busy_until_ns > now_ns ? imp->busy_until_ns : now_ns;
	bits_ns = (uint64_t)len * 8u * DUET_NS_PER_S;
	end = start + (bits_ns + imp->p.rate_bps - 1) / imp->p.rate_bps;
	imp->ring[(imp->ring_head + imp->ring_len) % cap] = end;
	imp->ring_len++;
	imp->busy_until_ns = end;
	return end;
}

/* Draws one copy's fate (corruption, jitter, reordering) and puts it in
 * flight. Returns 0, or -1 (pkt freed, drop counted) if the heap is full. */
static int impair_launch(struct impair *imp, struct duet_pkt *pkt, uint64_t depart_ns)
{
	struct impair_slot s = { .due_ns = depart_ns + imp->p.delay_ns, .pkt = pkt,
				 .flip_bit = IMPAIR_NO_FLIP };

	if (duet_rng_chance_ppm(&imp->rng, imp->p.corrupt_ppm)) {
		s.flip_bit = duet_rng_below(&imp->rng, pkt->len * 8u);
		imp->st->imp_corrupted++;
	}
	if (imp->p.jitter_ns)
		s.due_ns += duet_rng_below(&imp->rng, (uint32_t)imp->p.jitter_ns + 1u);
	if (duet_rng_chance_ppm(&imp->rng, imp->p.reorder_ppm)) {
		s.due_ns += imp->p.reorder_delay_ns;
		imp->st->imp_reordered++;
	}
	s.seq = imp->seq++;
	if (impair_heap_push(imp, &s) != 0) {
		(*imp->drops)++;
		duet_pkt_free(pkt);
		return -1;
	}
	return 0;
}

int impair_submit(struct impair *imp, struct duet_pkt *pkt, uint64_t now_ns)
{
	uint64_t depart_ns = now_ns;
	struct duet_pkt *dup;
	int is_dup;

	if (!impair_frame_fits(duet_pkt_data(pkt), pkt->len, imp->mtu))
		goto refuse;
	if (imp->p.rate_bps) {
		depart_ns = impair_serialise(imp, pkt->len, now_ns);
		if (!depart_ns) {
			imp->st->imp_rate_drops++;
			duet_pkt_free(pkt);
			return 0;
		}
	}
	if (duet_rng_chance_ppm(&imp->rng, imp->p.loss_ppm)) {
		imp->st->imp_lost++;
		duet_pkt_free(pkt);
		return 1;
	}
	is_dup = duet_rng_chance_ppm(&imp->rng, imp->p.dup_ppm);
	/* The duplicate is a buffer of its own: links queue frames through
	 * pkt->next, so one buffer must never be in flight twice. */
	dup = is_dup ? duet_pkt_copy(pkt->pool, pkt, pkt->head) : NULL;
	if (impair_launch(imp, pkt, depart_ns) != 0) {
		duet_pkt_free(dup);
		return 0;
	}
	if (is_dup && !dup)
		(*imp->drops)++;
	if (dup) {
		imp->st->imp_duplicated++;
		impair_launch(imp, dup, depart_ns);
	}
	return 1;
refuse:
	(*imp->drops)++;
	duet_pkt_free(pkt);
	return 0;
}

/* Flips bit `bit` of pkt's data, copying a shared buffer first (into its own
 * pool). Returns the packet to deliver, or NULL (dropped, counted). */
static struct duet_pkt *impair_corrupt(struct impair *imp, struct duet_pkt *pkt, uint32_t bit)
{
	if (pkt->refcnt > 1) {
		struct duet_pkt *c = duet_pkt_copy(pkt->pool, pkt, pkt->head);
		duet_pkt_free(pkt);
		if (!c) {
			(*imp->drops)++;
			return NULL;
		}
		pkt = c;
	}
	duet_pkt_data(pkt)[bit / 8] ^= (uint8_t)(0x80u >> (bit % 8));
	return pkt;
}

void impair_deliver_due(struct impair *imp, uint64_t now_ns, impair_out_fn out, void *ctx)
{
	uint64_t seq_end = imp->seq;
	const struct impair_slot *f;
	struct impair_slot s;

	/* A frame submitted at or before now_ns by out() itself arrives no
	 * earlier than now_ns with a larger sequence number, so stopping at the
	 * first such frame keeps the order and bounds the loop. */

	while ((f = impair_first(imp)) != NULL && f->due_ns <= now_ns && f->seq < seq_end) {
		impair_heap_pop(imp, &s);
		if (s.flip_bit != IMPAIR_NO_FLIP) {
			s.pkt = impair_corrupt(imp, s.pkt, s.flip_bit);
			if (!s.pkt)
				continue;
		}
		out(ctx, s.pkt, s.due_ns);
	}
}

/* ---- the wrapper ----------------------------------------------------------------- */

struct impair_wrap {
	struct duet_link link;
	struct duet_link *inner;
	const struct duet_clock *clock;
	struct impair tx, rx;
	int has_tx, has_rx;
};

static struct impair_wrap *impair_wrap_of(const struct duet_link *link)
{
	return link->impl;
}

/* The inner link allocates received frames from the wrapper's pool. */
static void impair_wrap_attached(struct duet_link *link)
{
	struct impair_wrap *w = impair_wrap_of(link);

	w->inner->rx.pool = link->rx.pool;
	if (w->inner->ops->attached)
		w->inner->ops->attached(w->inner);
}

/* Hands one frame to the inner link, counting it in the wrapper's stats. */
static int impair_wrap_forward(struct impair_wrap *w, struct duet_pkt *pkt)
{
	uint32_t len = pkt->len;

	if (duet_link_transmit(w->inner, &pkt, 1) != 1) {
		w->link.stats.tx_drops++;
		return 0;
	}
	w->link.stats.tx_frames++;
	w->link.stats.tx_bytes += len;
	return 1;
}

static unsigned impair_wrap_transmit(struct duet_link *link, struct duet_pkt **pkts,
				     unsigned n)
{
	struct impair_wrap *w = impair_wrap_of(link);
	uint64_t now_ns = duet_clock_now(w->clock);
	unsigned i, accepted = 0;

	for (i = 0; i < n; i++) {
		uint32_t len = pkts[i]->len;
		if (!w->has_tx) {
			accepted += (unsigned)impair_wrap_forward(w, pkts[i]);
		} else if (impair_submit(&w->tx, pkts[i], now_ns)) {
			link->stats.tx_frames++;
			link->stats.tx_bytes += len;
			accepted++;
		}
	}
	return accepted;
}

/* A frame the tx model lets through goes to the inner link. */
static void impair_wrap_tx_out(void *ctx, struct duet_pkt *pkt, uint64_t due_ns)
{
	struct impair_wrap *w = ctx;

	(void)due_ns;
	if (duet_link_transmit(w->inner, &pkt, 1) != 1)
		w->link.stats.tx_drops++;
}

/* A received frame the rx model lets through goes up. */
static void impair_wrap_rx_out(void *ctx, struct duet_pkt *pkt, uint64_t due_ns)
{
	struct impair_wrap *w = ctx;

	pkt->time_ns = due_ns;
	duet_link_deliver(&w->link, pkt);
}

/* The rx hook installed on the inner link. */
static void impair_wrap_rx_hook(void *ctx, struct duet_pkt *pkt)
{
	struct impair_wrap *w = ctx;

	if (!w->has_rx)
		duet_link_deliver(&w->link, pkt);
	else
		impair_submit(&w->rx, pkt, duet_clock_now(w->clock));
}

static void impair_wrap_poll(struct duet_link *link, uint64_t now_ns)
{
	struct impair_wrap *w = impair_wrap_of(link);

	if (w->has_tx)
		impair_deliver_due(&w->tx, now_ns, impair_wrap_tx_out, w);
	duet_link_poll(w->inner, now_ns);
	if (w->has_rx)
		impair_deliver_due(&w->rx, now_ns, impair_wrap_rx_out, w);
}

static uint64_t impair_wrap_next_deadline(const struct duet_link *link)
{
	const struct impair_wrap *w = impair_wrap_of(link);
	uint64_t t = duet_link_next_deadline(w->inner), u;

	if (w->has_tx && (u = impair_next_deadline(&w->tx)) < t)
		t = u;
	if (w->has_rx && (u = impair_next_deadline(&w->rx)) < t)
		t = u;
	return t;
}

static void impair_wrap_destroy(struct duet_link *link)
{
	struct impair_wrap *w = impair_wrap_of(link);

	if (w->has_tx)
		impair_fini(&w->tx);
	if (w->has_rx)
		impair_fini(&w->rx);
	duet_link_destroy(w->inner);
	free(w);
}

static const struct duet_link_ops impair_wrap_ops = {
	.transmit = impair_wrap_transmit,
	.poll = impair_wrap_poll,
	.next_deadline = impair_wrap_next_deadline,
	.destroy = impair_wrap_destroy,
	.attached = impair_wrap_attached,
};

/* Sets up the engines of w; returns 0 or a negative errno (nothing held). */
static int impair_wrap_init_engines(struct impair_wrap *w,
				    const struct duet_impair_params *tx,
				    const struct duet_impair_params *rx, uint64_t seed)
{
	int err;

	if ((tx && duet_impair_params_validate(tx)) || (rx && duet_impair_params_validate(rx)))
		return -EINVAL;
	if (tx) {
		err = impair_init(&w->tx, tx, seed, w->inner->mtu, &w->link.stats,
				  &w->link.stats.tx_drops);
		if (err)
			return err;
		w->has_tx = 1;
	}
	if (rx) {
		err = impair_init(&w->rx, rx, seed ^ 0x5278u, w->inner->mtu, &w->link.stats,
				  &w->link.stats.rx_drops);
		if (err) {
			if (w->has_tx)
				impair_fini(&w->tx);
			return err;
		}
		w->has_rx = 1;
	}
	return 0;
}

int duet_impair_wrap(struct duet_link *inner, const struct duet_impair_params *tx,
		     const struct duet_impair_params *rx, uint64_t seed,
		     const struct duet_clock *clock, struct duet_link **out)
{
	struct impair_wrap *w;
	struct duet_link_rx hook;
	int err;

	if (!inner || !clock || !out)
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->inner = inner;
	w->clock = clock;
	err = impair_wrap_init_engines(w, tx, rx, seed);
	if (err) {
		free(w);
		return err;
	}
	w->link.ops = &impair_wrap_ops;
	memcpy(w->link.name, inner->name, sizeof(w->link.name));
	w->link.mtu = w->has_tx ? w->tx.mtu : inner->mtu;
	w->link.flags = inner->flags;
	memcpy(w->link.hwaddr, inner->hwaddr, sizeof(w->link.hwaddr));
	w->link.impl = w;
	hook.deliver = impair_wrap_rx_hook;
	hook.ctx = w;
	hook.pool = NULL;
	duet_link_attach(inner, &hook);
	*out = &w->link;
	return 0;
}
