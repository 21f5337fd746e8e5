/* duet — Ethernet input (validate a received frame, filter by destination
 * address, demultiplex by EtherType to the attached network layer) and
 * output (prepend the header, queue the frame). */
#include "core/stack_internal.h"

#include <duet/wire/errors.h>

#include <errno.h>
#include <string.h>

/* Accepts frames for our address, broadcast, and group addresses. Group
 * filtering by joined multicast groups belongs to the multicast layer (MLD,
 * IGMP), which decides per group above this point. */
static int ether_is_for_us(const struct duet_iface *ifp, const struct duet_eth_hdr *eth)
{
	return duet_eth_is_multicast(eth->dst) ||
	       memcmp(eth->dst, ifp->link->hwaddr, DUET_ETH_ADDR_LEN) == 0;
}

static enum stack_proto ether_proto(uint16_t ethertype, enum duet_counter *ctr)
{
	switch (ethertype) {
	case DUET_ETHERTYPE_IPV4:
		*ctr = DUET_CTR_ETH_RX_IPV4;
		return STACK_PROTO_IPV4;
	case DUET_ETHERTYPE_IPV6:
		*ctr = DUET_CTR_ETH_RX_IPV6;
		return STACK_PROTO_IPV6;
	case DUET_ETHERTYPE_ARP:
		*ctr = DUET_CTR_ETH_RX_ARP;
		return STACK_PROTO_ARP;
	default:
		return STACK_PROTO__COUNT;
	}
}

void ether_input(struct duet_stack *stack, struct duet_iface *ifp, struct duet_pkt *pkt)
{
	struct duet_eth_hdr eth;
	struct duet_cur c;
	enum duet_counter ctr = DUET_CTR_DROP_ETH_NO_PROTO;
	enum stack_proto proto;

	stack_trace(stack, DUET_TRACE_RX, pkt->ifindex, DUET_CTR_LINK_RX_FRAMES, pkt);
	if (!ifp) {
		stack_drop(stack, pkt, DUET_CTR_DROP_RX_NO_IFACE);
		return;
	}
	duet_cur_init(&c, duet_pkt_data(pkt), pkt->len);
	if (duet_eth_parse(&c, &eth) != 0) {
		stack_drop(stack, pkt, DUET_CTR_DROP_ETH_MALFORMED);
		return;
	}
	if (eth.has_vlan) {
		stack_count(stack, DUET_CTR_ETH_RX_VLAN);
		stack_drop(stack, pkt, DUET_CTR_DROP_ETH_VLAN);
		return;
	}
	if (!ether_is_for_us(ifp, &eth)) {
		stack_drop(stack, pkt, DUET_CTR_DROP_ETH_NOT_FOR_US);
		return;
	}
	/* A frame carrying our own source address came back to us: a bridge
	 * reflecting it, or a duplicate MAC. The loopback does this by design. */
	if (!(ifp->link->flags & DUET_LINK_F_LOOPBACK) &&
	    memcmp(eth.src, ifp->link->hwaddr, DUET_ETH_ADDR_LEN) == 0) {
		stack_drop(stack, pkt, DUET_CTR_DROP_ETH_SELF_SRC);
		return;
	}
	proto = ether_proto(eth.ethertype, &ctr);
	if (proto == STACK_PROTO__COUNT || !stack->proto[proto]) {
		if (proto != STACK_PROTO__COUNT)
			stack_count(stack, ctr);
		stack_drop(stack, pkt, DUET_CTR_DROP_ETH_NO_PROTO);
		return;
	}
	stack_count(stack, ctr);
	duet_pkt_pull(pkt, (uint32_t)c.off);
	stack->proto[proto](stack, ifp, pkt, &eth);
}

int ether_output(struct duet_stack *stack, uint32_t ifindex, struct duet_pkt *pkt,
		 const uint8_t dst[6], uint16_t ethertype)
{
	struct duet_iface *ifp = stack_iface(stack, ifindex);
	struct duet_eth_hdr eth;
	struct duet_wcur w;
	uint8_t *p;

	if (!ifp) {
		stack_drop(stack, pkt, DUET_CTR_DROP_TX_NO_IFACE);
		return -ENODEV;
	}
	p = duet_pkt_push(pkt, DUET_ETH_HDR_LEN);
	if (!p) {
		stack_drop(stack, pkt, DUET_CTR_DROP_TX_NO_BUFFER);
		return -ENOBUFS;
	}
	memset(&eth, 0, sizeof(eth));
	memcpy(eth.dst, dst, DUET_ETH_ADDR_LEN);
	memcpy(eth.src, ifp->link->hwaddr, DUET_ETH_ADDR_LEN);
	eth.ethertype = ethertype;
	duet_wcur_init(&w, p, DUET_ETH_HDR_LEN);
	duet_eth_emit(&eth, &w);
	return duet_stack_send_frame(stack, ifindex, pkt);
}
