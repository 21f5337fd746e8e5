/* duet — IPv4 output (RFC 791 §3.2, RFC 1122 §3.3): route lookup, source
 * selection, header construction, source fragmentation beyond the path MTU,
 * next-hop resolution through ARP (RFC 826), broadcast and multicast mapping
 * (RFC 1112 §6.4), and local delivery to our own addresses.
 *
 * Policy:
 * - Identification (RFC 6864, RFC 7739 §5.3): a keyed hash of (source,
 *   destination, protocol) under the stack's secret picks one of 2,048
 *   counters and an offset; the ID is counter + offset, the counter then
 *   steps by one. IDs towards one destination thus advance by one from an
 *   unguessable start, and an off-path observer learns nothing about other
 *   destinations' traffic. Every datagram gets one (DF or not).
 * - duet sends only the IP options a caller gives (IGMP's Router Alert,
 *   RFC 2113), all of the copied class (RFC 791 §3.1): every fragment
 *   repeats them, with 8-byte-aligned data.
 * - Datagrams to one of our own addresses never reach a link: they are
 *   queued and input from a timer inside the next poll pass (as Linux
 *   routes them over lo). */
#include "net/ip4_internal.h"

#include <duet/addr.h>
#include <duet/wire/eth.h>
#include <duet/wire/ip4.h>

#include <errno.h>
#include <string.h>

static const uint8_t eth_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* Where a datagram goes after the route lookup. */
struct ip4_hop {
	uint32_t ifindex;
	uint8_t nexthop[4];
	uint32_t mtu;              /* the route's, else the interface's */
	bool is_bcast, is_mcast;
};

/* Sends a whole IPv4 datagram to its next hop. Takes pkt. */
static int ip4_send_l2(struct duet_stack *stack, const struct ip4_hop *hop, struct duet_pkt *pkt,
		       const uint8_t dst[4])
{
	struct duet_iface *dif = stack_iface(stack, hop->ifindex);
	uint8_t mac[6];

	pkt->ifindex = hop->ifindex;
	if (!dif) {
		stack_drop(stack, pkt, DUET_CTR_DROP_TX_NO_IFACE);
		return -ENODEV;
	}
	if (hop->is_bcast)
		return ether_output(stack, hop->ifindex, pkt, eth_bcast, DUET_ETHERTYPE_IPV4);
	if (hop->is_mcast) {
		duet_eth_mcast_from_ip4(dst, mac); /* RFC 1112 §6.4 */
		return ether_output(stack, hop->ifindex, pkt, mac, DUET_ETHERTYPE_IPV4);
	}
	/* No resolution on a loopback link or one without broadcast. */
	if ((dif->link->flags & DUET_LINK_F_LOOPBACK) || !(dif->link->flags & DUET_LINK_F_BROADCAST))
		return ether_output(stack, hop->ifindex, pkt, dif->link->hwaddr, DUET_ETHERTYPE_IPV4);
	return neigh_resolve(&stack->net->arp, hop->ifindex, hop->nexthop, pkt);
}

/* The route lookup. The limited broadcast and multicast need no route when
 * an interface is given. Returns 0 or -ENETUNREACH. */
static int ip4_route(struct duet_stack *stack, const struct ip4_out *o, struct ip4_hop *hop)
{
	const struct route *r = route_lookup(&stack->net->rt4, o->dst, o->oif, duet_stack_now(stack));
	bool is_group = duet_addr4_is_broadcast(o->dst) || duet_addr4_is_multicast(o->dst);
	struct net_if *ifp;

	memset(hop, 0, sizeof(*hop));
	if (!r && !(is_group && o->oif))
		return -ENETUNREACH;
	hop->ifindex = r ? r->ifindex : o->oif;
	ifp = net_if_get(stack, hop->ifindex);
	if (!ifp)
		return -ENETUNREACH;
	memcpy(hop->nexthop, r && r->has_gateway ? r->gateway : o->dst, 4);
	hop->mtu = r && r->mtu && r->mtu < ifp->mtu ? r->mtu : ifp->mtu;
	hop->is_mcast = duet_addr4_is_multicast(o->dst);
	hop->is_bcast = duet_addr4_is_broadcast(o->dst) ||
			ip4_is_directed_bcast(stack, hop->ifindex, o->dst);
	return 0;
}

int ip4_dst_mtu(struct duet_stack *stack, const uint8_t dst[4], uint32_t oif, uint32_t *mtu)
{
	struct ip4_out o;
	struct ip4_hop hop;
	struct pmtu_dest dest;
	uint32_t local = net_local_ifindex(stack, 4, dst);

	if (local || duet_addr4_is_loopback(dst)) {
		struct net_if *ifp = net_if_get(stack, stack->net->lo_ifindex ? stack->net->lo_ifindex
									 : local);
		*mtu = ifp ? ifp->mtu : 65535u;
		return 0;
	}
	memset(&o, 0, sizeof(o));
	memcpy(o.dst, dst, 4);
	o.oif = oif;
	if (ip4_route(stack, &o, &hop) != 0)
		return -ENETUNREACH;
	pmtu_dest_v4(&dest, dst);
	*mtu = pmtu_get(&ip4_state_of(stack)->pmtu, &dest, hop.mtu, duet_stack_now(stack));
	return 0;
}

uint32_t ip4_dst_gso_max(struct duet_stack *stack, const uint8_t dst[4], uint32_t oif)
{
	const struct duet_iface *dif;
	struct ip4_out o;
	struct ip4_hop hop;

	if (net_local_ifindex(stack, 4, dst) || duet_addr4_is_loopback(dst))
		return 0;
	memset(&o, 0, sizeof(o));
	memcpy(o.dst, dst, 4);
	o.oif = oif;
	if (ip4_route(stack, &o, &hop) != 0)
		return 0;
	dif = stack_iface(stack, hop.ifindex);
	return dif ? dif->link->gso_max : 0;
}

int ip4_select_source(struct duet_stack *stack, const uint8_t dst[4], uint32_t oif, uint8_t out[4])
{
	const struct route *r = route_lookup(&stack->net->rt4, dst, oif, duet_stack_now(stack));
	struct net_if *ifp = net_if_get(stack, r ? r->ifindex : oif);
	const uint8_t *target = r && r->has_gateway ? r->gateway : dst;
	const struct net_addr *first = NULL;
	unsigned i;

	for (i = 0; ifp && i < DUET_IFA_MAX; i++) {
		const struct net_addr *a = &ifp->a4[i];
		if (!a->is_used)
			continue;
		if (duet_addr_prefix_eq(a->addr, target, a->plen)) {
			memcpy(out, a->addr, 4);
			return 0;
		}
		if (!first)
			first = a;
	}
	if (!first)
		return -EADDRNOTAVAIL;
	memcpy(out, first->addr, 4);
	return 0;
}

/* The Identification for a datagram (see the policy at the top). */
static uint16_t ip4_next_id(struct duet_stack *stack, const uint8_t src[4], const uint8_t dst[4],
			    uint8_t protocol, struct net_hash_memo *memo)
{
	struct ip4_state *st = ip4_state_of(stack);
	uint8_t key[9];
	uint64_t hv;

	memcpy(key, src, 4);
	memcpy(key + 4, dst, 4);
	key[8] = protocol;
	hv = net_keyed_hash_memo(stack, memo, key, sizeof(key));
	return (uint16_t)((uint16_t)(hv >> 32) + st->id_ctr[hv & (IP4_ID_BUCKETS - 1)]++);
}

/* Prepends the header h, options included (total_length set here from
 * pkt), to pkt. */
static int ip4_push_header(struct duet_pkt *pkt, struct duet_ip4_hdr *h)
{
	struct duet_wcur w;
	uint32_t hlen = (uint32_t)duet_ip4_len(h);
	uint8_t *p = duet_pkt_push(pkt, hlen);

	if (!p)
		return -ENOBUFS;
	h->total_length = (uint16_t)pkt->len;
	duet_wcur_init(&w, p, hlen);
	return duet_ip4_emit(h, &w) == 0 ? 0 : -EINVAL;
}

/* RFC 791 §3.2 fragmentation: data in 8-byte multiples up to the MTU, MF on
 * all but the last. Takes pkt (the upper-layer message). */
static int ip4_fragment(struct duet_stack *stack, struct duet_pkt *pkt, struct duet_ip4_hdr *h,
			const struct ip4_hop *hop, uint32_t mtu)
{
	uint32_t chunk, off, n;

	/* RFC 791: every IPv4 link carries 68 octets; a smaller configured MTU
	 * must not make the loop below step by zero. */
	if (mtu < 68)
		mtu = 68;
	chunk = (mtu - (uint32_t)duet_ip4_len(h)) & ~7u;

	for (off = 0; off < pkt->len; off += n) {
		struct duet_pkt *f;
		n = pkt->len - off < chunk ? pkt->len - off : chunk;
		f = duet_pkt_alloc(stack->pool, DUET_PKT_HEADROOM, n);
		if (!f) {
			stack_add_if(stack, hop->ifindex, DUET_CTR_IP4_FRAG_FAILS, 1);
			stack_drop(stack, pkt, DUET_CTR_DROP_IP4_NO_BUFFER);
			return -ENOBUFS;
		}
		memcpy(duet_pkt_data(f), duet_pkt_data(pkt) + off, n);
		h->mf = off + n < pkt->len;
		h->fragment_offset = (uint16_t)(off / 8u);
		ip4_push_header(f, h);
		stack_add_if(stack, hop->ifindex, DUET_CTR_IP4_FRAG_CREATES, 1);
		ip4_send_l2(stack, hop, f, h->dst);
	}
	stack_add_if(stack, hop->ifindex, DUET_CTR_IP4_FRAG_OKS, 1);
	duet_pkt_free(pkt);
	return 0;
}

static void ip4_hdr_init(struct duet_stack *stack, const struct ip4_out *o, const uint8_t src[4],
			 int ttl, struct duet_ip4_hdr *h)
{
	memset(h, 0, sizeof(*h));
	h->dscp = o->tos >> 2;
	h->ecn = o->tos & 3u;
	h->df = o->is_dontfrag;
	h->ttl = (uint8_t)ttl;
	h->protocol = o->protocol;
	memcpy(h->src, src, 4);
	memcpy(h->dst, o->dst, 4);
	h->options = o->options;
	h->options_len = o->options ? o->options_len : 0;
	h->identification = o->is_id_given ? o->id
					   : ip4_next_id(stack, src, o->dst, o->protocol, o->id_memo);
}

/* Datagrams to ourselves: no route, no MTU, straight to input — arriving
 * on the loopback interface when there is one (as on Linux). */
static int ip4_output_local(struct duet_stack *stack, struct duet_pkt *pkt,
			    const struct ip4_out *o, uint32_t ifindex)
{
	struct duet_ip4_hdr h;
	const uint8_t *src = duet_addr4_is_unspecified(o->src) ? o->dst : o->src;

	ip4_hdr_init(stack, o, src, o->ttl < 0 ? 64 : o->ttl, &h);
	if (ip4_push_header(pkt, &h) != 0) {
		stack_drop(stack, pkt, DUET_CTR_DROP_IP4_NO_BUFFER);
		return -ENOBUFS;
	}
	ip4_local_enqueue(stack, pkt, ifindex);
	return 0;
}

/* Chooses the source: o->src if it is ours (or given, 0.0.0.0 included),
 * else the selected one. */
static int ip4_out_source(struct duet_stack *stack, const struct ip4_out *o,
			  const struct ip4_hop *hop, uint8_t src[4])
{
	if (o->is_src_given && duet_addr4_is_unspecified(o->src)) {
		memset(src, 0, 4);
		return 0;
	}
	if (!duet_addr4_is_unspecified(o->src)) {
		memcpy(src, o->src, 4);
		return net_local_ifindex(stack, 4, src) ? 0 : -EADDRNOTAVAIL;
	}
	return ip4_select_source(stack, o->dst, hop->ifindex, src);
}

int ip4_output(struct duet_stack *stack, struct duet_pkt *pkt, const struct ip4_out *o)
{
	struct ip4_state *st = ip4_state_of(stack);
	struct duet_ip4_hdr h;
	struct pmtu_dest dest;
	struct ip4_hop hop;
	uint8_t src[4];
	uint32_t local = net_local_ifindex(stack, 4, o->dst), mtu;
	uint32_t hlen = DUET_IP4_HDR_LEN + (o->options ? (o->options_len + 3u) & ~3u : 0u);
	int err;

	stack_count(stack, DUET_CTR_IP4_OUT_REQUESTS);
	if (pkt->len > 65535u - hlen) {
		stack_drop(stack, pkt, DUET_CTR_DROP_IP4_DONTFRAG);
		return -EMSGSIZE;
	}
	pkt = net_pkt_writable(stack, pkt, hlen + DUET_ETH_HDR_LEN);
	if (!pkt) {
		stack_count(stack, DUET_CTR_DROP_IP4_NO_BUFFER);
		return -ENOBUFS;
	}
	if (local)
		return ip4_output_local(stack, pkt, o,
					stack->net->lo_ifindex ? stack->net->lo_ifindex : local);
	if (ip4_route(stack, o, &hop) != 0) {
		stack_count(stack, DUET_CTR_IP4_OUT_NO_ROUTES);
		stack_drop(stack, pkt, DUET_CTR_DROP_IP4_NO_ROUTE);
		return -ENETUNREACH;
	}
	if (ip4_out_source(stack, o, &hop, src) != 0) {
		stack_drop(stack, pkt, DUET_CTR_DROP_IP4_NO_SOURCE);
		return -EADDRNOTAVAIL;
	}
	ip4_hdr_init(stack, o, src,
		     o->ttl >= 0 ? o->ttl : hop.is_mcast ? 1 : net_if_get(stack, hop.ifindex)->ttl, &h);
	pmtu_dest_v4(&dest, o->dst);
	mtu = pmtu_get(&st->pmtu, &dest, hop.mtu, duet_stack_now(stack));
	if (pkt->len + hlen <= mtu || pkt->gso_size) { /* a super-segment: the link cuts it */
		err = ip4_push_header(pkt, &h);
		if (err) {
			stack_drop(stack, pkt, DUET_CTR_DROP_IP4_NO_BUFFER);
			return err;
		}
		return ip4_send_l2(stack, &hop, pkt, o->dst);
	}
	if (o->is_dontfrag) {
		stack_add_if(stack, hop.ifindex, DUET_CTR_IP4_FRAG_FAILS, 1);
		stack_drop(stack, pkt, DUET_CTR_DROP_IP4_DONTFRAG);
		return -EMSGSIZE;
	}
	return ip4_fragment(stack, pkt, &h, &hop, mtu);
}
