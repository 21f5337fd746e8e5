/* duet — the driver-side helpers shared by every link. */
#include <duet/link.h>

#include <string.h>

void duet_link_deliver(struct duet_link *link, struct duet_pkt *pkt)
{
	if (!link->rx.deliver) {
		link->stats.rx_drops++;
		duet_pkt_free(pkt);
		return;
	}
	link->stats.rx_frames++;
	link->stats.rx_bytes += pkt->len;
	link->rx.deliver(link->rx.ctx, pkt);
}

void duet_link_deliver_bytes(struct duet_link *link, const uint8_t *frame, uint32_t len,
			     uint64_t now_ns)
{
	struct duet_pkt *pkt = NULL;

	if (link->rx.pool)
		pkt = duet_pkt_alloc(link->rx.pool, DUET_PKT_HEADROOM, len);
	if (!pkt) {
		link->stats.rx_drops++;
		return;
	}
	memcpy(duet_pkt_data(pkt), frame, len);
	pkt->time_ns = now_ns;
	duet_link_deliver(link, pkt);
}
