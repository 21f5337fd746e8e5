/* duet — the loopback link (L-1): frames transmitted are queued and handed
 * back through the rx hook by the next poll(), never from transmit(). */
#include <duet/links.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <duet/clock.h>

#include "link/impair_internal.h"

#define LOOPBACK_MTU_MIN 68u
#define LOOPBACK_MTU_MAX 65536u

struct loopback {
	struct duet_link link;
	struct duet_pktq queue;
};

static struct loopback *loopback_of(const struct duet_link *link)
{
	return link->impl;
}

void duet_loopback_config_init(struct duet_loopback_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mtu = 65536;
	cfg->queue_frames = 1024;
}

static unsigned loopback_transmit(struct duet_link *link, struct duet_pkt **pkts, unsigned n)
{
	struct loopback *lo = loopback_of(link);
	unsigned i, accepted = 0;

	for (i = 0; i < n; i++) {
		struct duet_pkt *pkt = pkts[i];
		uint32_t len = pkt->len;
		if (!impair_frame_fits(duet_pkt_data(pkt), len, link->mtu) ||
		    duet_pktq_push(&lo->queue, pkt) != 0) {
			link->stats.tx_drops++;
			duet_pkt_free(pkt);
			continue;
		}
		link->stats.tx_frames++;
		link->stats.tx_bytes += len;
		accepted++;
	}
	return accepted;
}

/* Delivers the frames queued when the call began; frames the stack sends
 * while handling them wait for the next poll (no unbounded loop). */
static void loopback_poll(struct duet_link *link, uint64_t now_ns)
{
	struct loopback *lo = loopback_of(link);
	uint32_t n = lo->queue.len;

	while (n--) {
		struct duet_pkt *pkt = duet_pktq_pop(&lo->queue);
		if (pkt->refcnt > 1) {
			/* Shared with the sender (e.g. kept for retransmission):
			 * input must get a buffer of its own. */
			struct duet_pkt *c = link->rx.pool ?
				duet_pkt_copy(link->rx.pool, pkt, DUET_PKT_HEADROOM) : NULL;
			duet_pkt_free(pkt);
			if (!c) {
				link->stats.rx_drops++;
				continue;
			}
			pkt = c;
		}
		pkt->time_ns = now_ns;
		duet_link_deliver(link, pkt);
	}
}

static uint64_t loopback_next_deadline(const struct duet_link *link)
{
	return loopback_of(link)->queue.len ? 0 : DUET_TIME_NEVER;
}

static void loopback_destroy(struct duet_link *link)
{
	struct loopback *lo = loopback_of(link);

	duet_pktq_purge(&lo->queue);
	free(lo);
}

static const struct duet_link_ops loopback_ops = {
	.transmit = loopback_transmit,
	.poll = loopback_poll,
	.next_deadline = loopback_next_deadline,
	.destroy = loopback_destroy,
};

int duet_loopback_create(const struct duet_loopback_config *cfg, struct duet_link **out)
{
	struct duet_loopback_config def;
	struct loopback *lo;

	if (!cfg) {
		duet_loopback_config_init(&def);
		cfg = &def;
	}
	if (!out || cfg->mtu < LOOPBACK_MTU_MIN || cfg->mtu > LOOPBACK_MTU_MAX ||
	    !cfg->queue_frames)
		return -EINVAL;
	lo = calloc(1, sizeof(*lo));
	if (!lo)
		return -ENOMEM;
	duet_pktq_init(&lo->queue, cfg->queue_frames);
	lo->link.ops = &loopback_ops;
	strcpy(lo->link.name, "lo");
	lo->link.mtu = cfg->mtu;
	lo->link.flags = DUET_LINK_F_LOOPBACK | DUET_LINK_F_MULTICAST | DUET_LINK_F_BROADCAST;
	lo->link.impl = lo;
	*out = &lo->link;
	return 0;
}
