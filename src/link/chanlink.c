/* duet — the channel link (see include/duet/chanlink.h). */
#include <duet/chanlink.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct chanlink {
	struct duet_link link;
	struct duet_pktq txq;
};

static struct chanlink *chanlink_of(const struct duet_link *link)
{
	return (struct chanlink *)link->impl;
}

static unsigned chanlink_transmit(struct duet_link *link, struct duet_pkt **pkts, unsigned n)
{
	struct chanlink *cl = chanlink_of(link);
	unsigned i, ok = 0;

	for (i = 0; i < n; i++) {
		if (pkts[i]->len > link->mtu + DUET_ETH_HLEN || duet_pktq_push(&cl->txq, pkts[i]) != 0) {
			link->stats.tx_drops++;
			duet_pkt_free(pkts[i]);
			continue;
		}
		link->stats.tx_frames++;
		link->stats.tx_bytes += pkts[i]->len;
		ok++;
	}
	return ok;
}

static void chanlink_destroy(struct duet_link *link)
{
	struct chanlink *cl = chanlink_of(link);

	duet_pktq_purge(&cl->txq);
	free(cl);
}

static const struct duet_link_ops chanlink_ops = {
	.transmit = chanlink_transmit,
	.destroy = chanlink_destroy,
};

int duet_chanlink_create(const uint8_t mac[6], uint32_t mtu, uint32_t tx_limit,
			 struct duet_link **out)
{
	struct chanlink *cl;

	if (!mac || !out || mtu < 68 || mtu > 65535 || tx_limit == 0)
		return -EINVAL;
	cl = calloc(1, sizeof(*cl));
	if (!cl)
		return -ENOMEM;
	cl->link.ops = &chanlink_ops;
	snprintf(cl->link.name, sizeof(cl->link.name), "chan0");
	cl->link.mtu = mtu;
	cl->link.flags = DUET_LINK_F_BROADCAST | DUET_LINK_F_MULTICAST;
	memcpy(cl->link.hwaddr, mac, 6);
	cl->link.impl = cl;
	duet_pktq_init(&cl->txq, tx_limit);
	*out = &cl->link;
	return 0;
}

int duet_chanlink_inject(struct duet_link *link, const void *frame, size_t len)
{
	struct duet_pkt *pkt;

	if (!link->rx.deliver || !link->rx.pool)
		return -ENOTCONN;
	pkt = duet_pkt_alloc(link->rx.pool, DUET_PKT_HEADROOM, len);
	if (!pkt) {
		link->stats.rx_drops++;
		return -ENOBUFS;
	}
	memcpy(duet_pkt_data(pkt), frame, len);
	duet_link_deliver(link, pkt);
	return 0;
}

struct duet_pkt *duet_chanlink_pop(struct duet_link *link)
{
	return duet_pktq_pop(&chanlink_of(link)->txq);
}

uint32_t duet_chanlink_pending(const struct duet_link *link)
{
	return chanlink_of(link)->txq.len;
}
