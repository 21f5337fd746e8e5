/* duet — ARP for IPv4 over Ethernet (RFC 826, RFC 1122 §2.3.2, RFC 5227):
 * packet reception, replies for our addresses, the cache through the shared
 * neighbour engine (net->arp), requests and probes for it, gratuitous
 * announcements.
 *
 * Policy (as Linux with its defaults, arp_ignore=0 and arp_announce=0):
 * - A request for any of our addresses, on any interface, is answered
 *   unicast to the sender's hardware address (weak host model).
 * - A request from 0.0.0.0 (an RFC 5227 probe) is answered, target 0.0.0.0,
 *   and never enters the cache.
 * - A packet whose sender claims one of our addresses is dropped and
 *   counted: duet does not defend addresses (RFC 5227 §2.4 not implemented).
 * - One announcement (RFC 5227 §3) is sent when an address is added. */
#include "net/ip4_internal.h"

#include <duet/addr.h>
#include <duet/wire/arp.h>

#include <string.h>

static const uint8_t arp_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t arp_zero_mac[6];

/* Builds and queues one ARP packet from ifindex's MAC to eth_dst. */
static void arp_send(struct duet_stack *stack, uint32_t ifindex, uint16_t op,
		     const uint8_t eth_dst[6], const uint8_t spa[4], const uint8_t tha[6],
		     const uint8_t tpa[4])
{
	struct duet_iface *dif = stack_iface(stack, ifindex);
	struct duet_pkt *pkt;
	struct duet_arp_hdr a;
	struct duet_wcur w;

	if (!dif)
		return;
	pkt = duet_pkt_alloc(stack->pool, DUET_PKT_HEADROOM, DUET_ARP_LEN);
	if (!pkt) {
		stack_count(stack, DUET_CTR_DROP_TX_NO_BUFFER);
		return;
	}
	duet_arp_init(&a, op, dif->link->hwaddr, spa, tha, tpa);
	duet_wcur_init(&w, duet_pkt_data(pkt), DUET_ARP_LEN);
	duet_arp_emit(&a, &w);
	ether_output(stack, ifindex, pkt, eth_dst, DUET_ETHERTYPE_ARP);
}

/* neigh op: a broadcast request, or a unicast probe to unicast_lladdr. The
 * sender address is the interface's on target's prefix (0.0.0.0 if none). */
static void arp_solicit(void *ctx, uint32_t ifindex, const uint8_t *target,
			const uint8_t *unicast_lladdr)
{
	struct duet_stack *stack = ctx;
	uint8_t spa[4] = { 0 };

	if (ip4_select_source(stack, target, ifindex, spa) != 0)
		memset(spa, 0, sizeof(spa));
	stack_count(stack, DUET_CTR_ARP_OUT_REQUESTS);
	arp_send(stack, ifindex, DUET_ARP_OP_REQUEST, unicast_lladdr ? unicast_lladdr : arp_bcast,
		 spa, arp_zero_mac, target);
}

/* neigh op: resolution failed. RFC 1122 §2.3.2.2: tell the source (one of
 * ours: the error goes through local delivery) with host unreachable. */
static void arp_unreachable(void *ctx, struct duet_pkt *pkt)
{
	struct duet_stack *stack = ctx;
	struct duet_ip4_hdr h;
	struct ip4_rx_info info;
	struct duet_cur c;

	duet_cur_init(&c, duet_pkt_data(pkt), pkt->len);
	if (duet_ip4_parse_quoted(&c, &h) == 0) {
		ip4_rx_info_fill(stack, &h, pkt->head, pkt->ifindex, &info);
		icmp4_send_error(stack, pkt, &info, DUET_ICMP4_DEST_UNREACH,
				 DUET_ICMP4_UNREACH_HOST, 0);
	}
	stack_drop(stack, pkt, DUET_CTR_DROP_IP4_HOST_UNREACH);
}

/* neigh op: a resolved datagram leaves in an Ethernet frame. */
static void arp_output(void *ctx, uint32_t ifindex, struct duet_pkt *pkt, const uint8_t lladdr[6])
{
	ether_output(ctx, ifindex, pkt, lladdr, DUET_ETHERTYPE_IPV4);
}

int arp_init(struct duet_stack *stack)
{
	static const struct neigh_ops ops = {
		.solicit = arp_solicit,
		.unreachable = arp_unreachable,
		.output = arp_output,
	};
	struct neigh_config cfg;

	neigh_config_init(&cfg, 4);
	cfg.queue_limit = IP4_ARP_QUEUE_LIMIT;
	return neigh_init(&stack->net->arp, stack, &cfg, &ops, stack);
}

void arp_announce(struct duet_stack *stack, uint32_t ifindex, const uint8_t addr[4])
{
	struct duet_iface *dif = stack_iface(stack, ifindex);

	if (!dif || (dif->link->flags & DUET_LINK_F_LOOPBACK) ||
	    !(dif->link->flags & DUET_LINK_F_BROADCAST))
		return;
	/* RFC 5227 §3: an ARP Request with sender and target both addr. */
	stack_count(stack, DUET_CTR_ARP_OUT_ANNOUNCES);
	arp_send(stack, ifindex, DUET_ARP_OP_REQUEST, arp_bcast, addr, arp_zero_mac, addr);
}

/* Addresses no ARP sender or target may carry. */
static bool arp_addrs_bad(const struct duet_arp_hdr *a)
{
	return duet_eth_is_multicast(a->sha) || duet_addr4_is_multicast(a->spa) ||
	       duet_addr4_is_broadcast(a->spa) || duet_addr4_is_multicast(a->tpa);
}

void arp_rcv(struct duet_stack *stack, struct duet_iface *ifp, struct duet_pkt *pkt,
	     const struct duet_eth_hdr *eth)
{
	struct duet_arp_hdr a;
	struct duet_cur c;
	bool is_target_us, is_probe;

	(void)eth;
	duet_cur_init(&c, duet_pkt_data(pkt), pkt->len);
	if (duet_arp_parse(&c, &a) != 0) {
		stack_drop(stack, pkt, DUET_CTR_DROP_ARP_MALFORMED);
		return;
	}
	stack_count(stack, a.op == DUET_ARP_OP_REQUEST ? DUET_CTR_ARP_IN_REQUESTS
						       : DUET_CTR_ARP_IN_REPLIES);
	if (arp_addrs_bad(&a)) {
		stack_drop(stack, pkt, DUET_CTR_DROP_ARP_BAD_ADDR);
		return;
	}
	is_probe = duet_addr4_is_unspecified(a.spa);
	if (!is_probe && net_local_ifindex(stack, 4, a.spa)) {
		stack_drop(stack, pkt, DUET_CTR_DROP_ARP_SPA_OURS);
		return;
	}
	is_target_us = net_local_ifindex(stack, 4, a.tpa) != 0;
	/* RFC 826: merge the sender first (a probe has nothing to merge). */
	if (!is_probe)
		neigh_update_arp(&stack->net->arp, ifp->ifindex, a.spa, a.sha,
				 is_target_us && a.op == DUET_ARP_OP_REQUEST,
				 is_target_us && a.op == DUET_ARP_OP_REPLY);
	/* "Am I the target protocol address?" and a request: reply. */
	if (is_target_us && a.op == DUET_ARP_OP_REQUEST) {
		stack_count(stack, DUET_CTR_ARP_OUT_REPLIES);
		arp_send(stack, ifp->ifindex, DUET_ARP_OP_REPLY, a.sha, a.tpa, a.sha, a.spa);
	}
	duet_pkt_free(pkt);
}
