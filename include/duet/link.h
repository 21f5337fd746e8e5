/* duet — the link interface: what every driver (loopback, in-memory pair,
 * TAP, and wrappers such as impairment and pcap capture) offers the stack.
 *
 * Frames are Ethernet II frames on every link (the loopback too, with zero
 * addresses), without FCS. The stack hands a link a batch of frames with
 * transmit(); the link hands received frames up one at a time through the
 * rx hook the stack installed when it attached the link, allocating their
 * buffers from rx.pool. Time-driven work (delayed delivery, reading a
 * device) happens in poll(), which the stack calls from duet_stack_poll();
 * next_deadline() says when poll() next has work. */
#ifndef DUET_LINK_H
#define DUET_LINK_H

#include <stdint.h>

#include <duet/pkt.h>

struct duet_link;
struct duet_clock;

/* Link flags. */
#define DUET_LINK_F_BROADCAST     0x01u /* Ethernet broadcast works */
#define DUET_LINK_F_MULTICAST     0x02u /* multicast frames are carried */
#define DUET_LINK_F_LOOPBACK      0x04u /* frames come back to the sender */
#define DUET_LINK_F_TX_CSUM       0x08u /* the link fills transport checksums */
#define DUET_LINK_F_RX_CSUM_OK    0x10u /* the link verified transport checksums */

/* Ethernet II header bytes (no 802.1Q tag): MTU + this = largest frame. */
#define DUET_ETH_HLEN 14u

struct duet_link_stats {
	uint64_t tx_frames, tx_bytes;   /* accepted by transmit() */
	uint64_t rx_frames, rx_bytes;   /* handed up through rx */
	uint64_t tx_drops;              /* refused: oversize, queue full, device error */
	uint64_t rx_drops;              /* lost on receive: no buffer, device error */
	/* Impairment model (links that have one): */
	uint64_t imp_lost, imp_duplicated, imp_reordered, imp_corrupted;
	uint64_t imp_rate_drops;        /* queue full behind the rate limit */
};

struct duet_link_ops {
	/* Takes ownership of the n frames in pkts (each pkt's data is one whole
	 * frame) and sends them or queues them. Frames it cannot take are freed
	 * and counted in stats.tx_drops. Returns how many were accepted. */
	unsigned (*transmit)(struct duet_link *link, struct duet_pkt **pkts, unsigned n);
	/* Does the time-driven work due at now_ns: delivering delayed frames,
	 * draining a device. May call the rx hook. NULL if the link has none. */
	void (*poll)(struct duet_link *link, uint64_t now_ns);
	/* Earliest time poll() has work; DUET_TIME_NEVER when idle. NULL = never. */
	uint64_t (*next_deadline)(const struct duet_link *link);
	/* Releases the link and every frame it still holds. */
	void (*destroy)(struct duet_link *link);
	/* Called by duet_link_attach() once link->rx is set, so a wrapper can
	 * pass the receive pool down to the link it wraps. NULL = nothing to do. */
	void (*attached)(struct duet_link *link);
};

/* Where a link delivers received frames. The link allocates each frame from
 * pool, fills it and passes ownership to deliver(). */
struct duet_link_rx {
	void (*deliver)(void *ctx, struct duet_pkt *pkt);
	void *ctx;
	struct duet_pool *pool;
};

struct duet_link {
	const struct duet_link_ops *ops;
	char name[16];
	uint32_t mtu;                 /* largest IP packet, without the Ethernet header */
	uint32_t flags;               /* DUET_LINK_F_* */
	uint8_t hwaddr[6];            /* this end's MAC address */
	uint32_t gso_max;             /* 0; or the largest TCP super-segment (IP
				       * packet) the link cuts itself (TSO): frames
				       * with pkt->gso_size may pass the MTU */
	struct duet_link_rx rx;       /* installed by duet_link_attach() */
	struct duet_link_stats stats;
	void *impl;                   /* driver's private state */
};

/* Installs the rx hook; the stack calls this when it takes the link. */
static inline void duet_link_attach(struct duet_link *link, const struct duet_link_rx *rx)
{
	link->rx = *rx;
	if (link->ops->attached)
		link->ops->attached(link);
}

/* Sends a batch (see duet_link_ops.transmit). */
static inline unsigned duet_link_transmit(struct duet_link *link, struct duet_pkt **pkts,
					  unsigned n)
{
	return link->ops->transmit(link, pkts, n);
}

/* Runs the link's due work. */
static inline void duet_link_poll(struct duet_link *link, uint64_t now_ns)
{
	if (link->ops->poll)
		link->ops->poll(link, now_ns);
}

/* When the link next needs poll(). */
static inline uint64_t duet_link_next_deadline(const struct duet_link *link)
{
	return link->ops->next_deadline ? link->ops->next_deadline(link) : UINT64_MAX;
}

/* Destroys a link (NULL allowed). */
static inline void duet_link_destroy(struct duet_link *link)
{
	if (link)
		link->ops->destroy(link);
}

/* Driver side: hands one received frame up to the attached rx hook, counting
 * it; without a hook the frame is freed and counted in rx_drops. */
void duet_link_deliver(struct duet_link *link, struct duet_pkt *pkt);

/* Driver side: copies len bytes into a frame from the attached rx pool and
 * delivers it (counted in rx_drops if the pool is exhausted). */
void duet_link_deliver_bytes(struct duet_link *link, const uint8_t *frame, uint32_t len,
			     uint64_t now_ns);

#endif
