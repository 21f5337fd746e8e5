/* duet — the impairment engine shared by the in-memory link pair and the
 * impairment wrapper (L-1): a seeded model applied to frames on submit, and
 * the bounded set of frames in flight ordered by (arrival time, sequence).
 * The model and its order of decisions are described with struct
 * duet_impair_params in duet/links.h. */
#ifndef DUET_LINK_IMPAIR_INTERNAL_H
#define DUET_LINK_IMPAIR_INTERNAL_H

#include <stdint.h>

#include <duet/link.h>
#include <duet/links.h>
#include <duet/random.h>

#define IMPAIR_NO_FLIP UINT32_MAX

/* One frame in flight. */
struct impair_slot {
	uint64_t due_ns;     /* arrival time */
	uint64_t seq;        /* submit order: breaks ties in due_ns */
	struct duet_pkt *pkt;
	uint32_t flip_bit;   /* bit to flip on delivery, or IMPAIR_NO_FLIP */
};

struct impair {
	struct duet_impair_params p;
	uint32_t mtu;                 /* effective MTU checked on submit */
	struct duet_rng rng;
	/* Frames in flight, at most p.capacity_frames in all: a FIFO of those
	 * that arrive no earlier than the FIFO's last (every frame, when the
	 * delay is constant: O(1)), and a min-heap of the others (jitter,
	 * reordering). Delivery takes the earlier head of the two. */
	struct impair_slot *fifo;     /* p.capacity_frames slots, ring */
	uint32_t fifo_head, fifo_len;
	struct impair_slot *heap;     /* p.capacity_frames slots, min-heap */
	uint32_t heap_len;
	uint64_t *ring;               /* serialisation end times (rate limit) */
	uint32_t ring_head, ring_len; /* FIFO inside p.rate_queue_frames slots */
	uint64_t busy_until_ns;       /* when the serialiser is next free */
	uint64_t seq;                 /* next sequence number */
	struct duet_link_stats *st;   /* where imp_* counters go */
	uint64_t *drops;              /* tx_drops or rx_drops of this direction */
};

/* Called for each frame due: takes ownership of pkt, arriving at due_ns.
 * Duplicates are separate buffers (copies from the frame's own pool). */
typedef void (*impair_out_fn)(void *ctx, struct duet_pkt *pkt, uint64_t due_ns);

/* Sets up imp with params p (NULL: no impairment) and its own generator
 * seeded with seed; link_mtu applies unless p->mtu is set and smaller.
 * Counters go to st (imp_*) and *drops (refused frames). Returns 0,
 * -EINVAL (invalid p) or -ENOMEM. */
int impair_init(struct impair *imp, const struct duet_impair_params *p, uint64_t seed,
		uint32_t link_mtu, struct duet_link_stats *st, uint64_t *drops);

/* Frees every frame in flight and the engine's arrays. */
void impair_fini(struct impair *imp);

/* Applies the model to pkt submitted at now_ns (ownership moves to the
 * engine). Returns 1 if the frame was accepted (it may still be lost by the
 * model), 0 if it was refused (oversize, rate queue or heap full) and
 * freed. */
int impair_submit(struct impair *imp, struct duet_pkt *pkt, uint64_t now_ns);

/* Hands every frame due by now_ns that was in flight when the call began to
 * out(), in (arrival time, sequence) order, applying its corruption first.
 * Frames submitted by out() wait for the next call. */
void impair_deliver_due(struct impair *imp, uint64_t now_ns, impair_out_fn out, void *ctx);

/* Earliest arrival time in flight, or DUET_TIME_NEVER. */
uint64_t impair_next_deadline(const struct impair *imp);

/* Frames in flight. */
static inline uint32_t impair_in_flight(const struct impair *imp)
{
	return imp->fifo_len + imp->heap_len;
}

/* True if a frame of len bytes at data fits mtu: at least an Ethernet
 * header, at most mtu + 14 (+4 with an 802.1Q tag). */
int impair_frame_fits(const uint8_t *data, uint32_t len, uint32_t mtu);

#endif
