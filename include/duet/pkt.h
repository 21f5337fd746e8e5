/* duet — packet buffers and the per-stack packet pool.
 *
 * A packet is one contiguous buffer: a small header (struct duet_pkt) followed
 * by `cap` bytes, of which [head, head + len) hold data. Headroom before the
 * data lets each layer prepend its header without copying. Buffers come from
 * a pool of a few size classes, carved from slabs allocated when the pool
 * grows; the pool never exceeds its memory cap: when it would, allocation
 * fails (NULL) and the caller counts a drop. No malloc on the hot path once
 * the pool is warm.
 *
 * Ownership: whoever holds a pointer to a packet holds one reference and must
 * pass it on or release it with duet_pkt_free(). A packet with more than one
 * reference is shared and must not be written. Keep offsets, not pointers,
 * across calls that may free the packet. */
#ifndef DUET_PKT_H
#define DUET_PKT_H

#include <stddef.h>
#include <stdint.h>

struct duet_pool;

/* Under AddressSanitizer the bytes of a buffer past its data (tailroom) and
 * whole free buffers are poisoned, so a read past a packet's data or of a
 * freed packet is reported even though it stays inside the pool's slab. */
#if defined(__SANITIZE_ADDRESS__)
#define DUET_PKT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DUET_PKT_ASAN 1
#endif
#endif
#ifdef DUET_PKT_ASAN
#include <sanitizer/asan_interface.h>
#define DUET_PKT_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define DUET_PKT_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define DUET_PKT_POISON(p, n) ((void)(p), (void)(n))
#define DUET_PKT_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

struct duet_pkt {
	struct duet_pkt *next;   /* queue link: belongs to the current holder */
	struct duet_pool *pool;  /* where the buffer returns */
	uint32_t cap;            /* bytes in buf */
	uint32_t head;           /* offset of the first data byte in buf */
	uint32_t len;            /* data bytes */
	uint32_t refcnt;
	uint32_t ifindex;        /* arrival or departure interface, 0 = none */
	uint8_t cls;             /* size class (pool internal) */
	uint8_t pad_;
	uint16_t gso_size;       /* 0, or a TCP super-segment for a link with
				  * segmentation offload (duet_link.gso_max):
				  * the MSS the link cuts it into */
	uint64_t time_ns;        /* arrival time, set by the receiver */
	uint8_t buf[];
};

/* Headroom every layer may count on when it allocates for output: enough
 * for Ethernet + 802.1Q + IPv6 + a few extension headers + TCP. */
#define DUET_PKT_HEADROOM 192u

/* The largest data size a packet can hold (an IPv6 datagram of 65,535
 * payload bytes with its header and an Ethernet header, plus headroom). */
#define DUET_PKT_MAX_DATA 65664u

struct duet_pool_config {
	size_t mem_cap_bytes;     /* total bytes of slabs the pool may hold */
};

struct duet_pool_stats {
	size_t mem_bytes;         /* bytes of slabs allocated so far */
	size_t mem_cap_bytes;
	size_t in_use;            /* packets allocated and not yet freed */
	uint64_t allocs;          /* successful allocations */
	uint64_t alloc_failures;  /* allocations refused by the cap or size */
};

/* Default: 64 MiB. */
void duet_pool_config_init(struct duet_pool_config *cfg);

/* Creates a pool. Returns 0, -EINVAL (cap smaller than one slab) or -ENOMEM. */
int duet_pool_create(const struct duet_pool_config *cfg, struct duet_pool **out);

/* Frees the pool and its slabs. Packets still in use become invalid; call
 * duet_pool_stats() first to find leaks (tests assert in_use == 0). */
void duet_pool_destroy(struct duet_pool *pool);

/* Fills *st with the pool's current figures. */
void duet_pool_stats(const struct duet_pool *pool, struct duet_pool_stats *st);

/* Allocates a packet with `headroom` free bytes before the data and `len`
 * data bytes (uninitialised), refcnt 1. Returns NULL if headroom + len >
 * DUET_PKT_MAX_DATA or the memory cap is reached. */
struct duet_pkt *duet_pkt_alloc(struct duet_pool *pool, size_t headroom, size_t len);

/* Takes one more reference; returns pkt. */
struct duet_pkt *duet_pkt_ref(struct duet_pkt *pkt);

/* Releases one reference; the buffer returns to its pool with the last.
 * NULL is allowed. */
void duet_pkt_free(struct duet_pkt *pkt);

/* Allocates a private copy of pkt's data (with `headroom`) from pool, metadata
 * (ifindex, time) included. Returns NULL on exhaustion. */
struct duet_pkt *duet_pkt_copy(struct duet_pool *pool, const struct duet_pkt *pkt,
			       size_t headroom);

/* Frees every packet of a singly linked list (through ->next). */
void duet_pkt_free_list(struct duet_pkt *head);

/* Returns a pointer to the first data byte. */
static inline uint8_t *duet_pkt_data(struct duet_pkt *pkt)
{
	return pkt->buf + pkt->head;
}

/* Bytes free before the data. */
static inline uint32_t duet_pkt_headroom(const struct duet_pkt *pkt)
{
	return pkt->head;
}

/* Bytes free after the data. */
static inline uint32_t duet_pkt_tailroom(const struct duet_pkt *pkt)
{
	return pkt->cap - pkt->head - pkt->len;
}

/* Prepends n bytes (to be written by the caller) and returns a pointer to
 * them, or NULL (packet unchanged) if the headroom is short. */
static inline uint8_t *duet_pkt_push(struct duet_pkt *pkt, uint32_t n)
{
	if (n > pkt->head)
		return NULL;
	pkt->head -= n;
	pkt->len += n;
	return pkt->buf + pkt->head;
}

/* Removes n bytes from the front and returns a pointer to the new first data
 * byte, or NULL (packet unchanged) if fewer than n bytes are there. */
static inline uint8_t *duet_pkt_pull(struct duet_pkt *pkt, uint32_t n)
{
	if (n > pkt->len)
		return NULL;
	pkt->head += n;
	pkt->len -= n;
	return pkt->buf + pkt->head;
}

/* Appends n bytes (to be written by the caller) and returns a pointer to
 * them, or NULL (packet unchanged) if the tailroom is short. */
static inline uint8_t *duet_pkt_put(struct duet_pkt *pkt, uint32_t n)
{
	uint8_t *p;
	if (n > duet_pkt_tailroom(pkt))
		return NULL;
	p = pkt->buf + pkt->head + pkt->len;
	pkt->len += n;
	DUET_PKT_UNPOISON(p, n);
	return p;
}

/* Cuts the data to len bytes. Returns 0, or -1 if len is longer than the data. */
static inline int duet_pkt_trim(struct duet_pkt *pkt, uint32_t len)
{
	if (len > pkt->len)
		return -1;
	DUET_PKT_POISON(pkt->buf + pkt->head + len, pkt->len - len);
	pkt->len = len;
	return 0;
}

/* A FIFO of packets linked through ->next, with a bound on its length. */
struct duet_pktq {
	struct duet_pkt *head;
	struct duet_pkt *tail;
	uint32_t len;
	uint32_t limit;           /* 0 = unbounded */
};

/* Starts an empty queue holding at most limit packets (0: no limit). */
static inline void duet_pktq_init(struct duet_pktq *q, uint32_t limit)
{
	q->head = q->tail = NULL;
	q->len = 0;
	q->limit = limit;
}

/* Appends pkt (ownership moves to the queue). Returns 0, or -1 if the queue
 * is full (ownership stays with the caller, who drops and counts it). */
static inline int duet_pktq_push(struct duet_pktq *q, struct duet_pkt *pkt)
{
	if (q->limit && q->len >= q->limit)
		return -1;
	pkt->next = NULL;
	if (q->tail)
		q->tail->next = pkt;
	else
		q->head = pkt;
	q->tail = pkt;
	q->len++;
	return 0;
}

/* Removes and returns the first packet (ownership to the caller), or NULL. */
static inline struct duet_pkt *duet_pktq_pop(struct duet_pktq *q)
{
	struct duet_pkt *pkt = q->head;
	if (!pkt)
		return NULL;
	q->head = pkt->next;
	if (!q->head)
		q->tail = NULL;
	q->len--;
	pkt->next = NULL;
	return pkt;
}

/* Frees every queued packet. */
static inline void duet_pktq_purge(struct duet_pktq *q)
{
	duet_pkt_free_list(q->head);
	q->head = q->tail = NULL;
	q->len = 0;
}

#endif
