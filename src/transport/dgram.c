/* duet — the way out every datagram socket shares (UDP, raw IPv6 and
 * IPv4): the outgoing interface in A-9's order, the source, IPV6_NEXTHOP,
 * the Routing header's first hop, hop limit and traffic class from the
 * advanced API over the basic one (DS-8 for v4-mapped destinations), and
 * the hand-off to IPv4 or IPv6 output. Each protocol builds its own
 * header and checksum between dgram_prepare and dgram_emit. */
#include "transport/dgram.h"

#include "net/ip4.h"
#include "net/ip4_internal.h"
#include "net/ip6.h"
#include "net/net.h"
#include "net/route.h"

#include <duet/addr.h>

#include <errno.h>
#include <sys/uio.h>

/* An IPv6 source towards dst (no route needed: IPV6_NEXTHOP's case): the
 * bound address, else RFC 6724's choice on oif. */
static int dgram_source6(const struct sock *s, const uint8_t dst[16], uint32_t oif,
			 uint8_t src[16])
{
	if (!sock_addr_is_v4(s->laddr) && !sock_addr_is_any6(s->laddr) &&
	    !duet_addr6_is_multicast(s->laddr)) {
		memcpy(src, s->laddr, 16);
		return 0;
	}
	return ip6_select_source(s->stack, dst, oif, src) ? -EADDRNOTAVAIL : 0;
}

bool dgram_is_bcast4(struct duet_stack *stack, const uint8_t dst[4], uint32_t oif)
{
	const struct route *r;

	if (duet_addr4_is_broadcast(dst))
		return true;
	if (!ip4_may_be_directed_bcast(dst))
		return false;
	r = route_lookup(&stack->net->rt4, dst, oif, duet_stack_now(stack));
	return r && ip4_is_directed_bcast(stack, r->ifindex, dst);
}

int dgram_route_source(const struct sock *s, const uint8_t dst[16], uint32_t oif, uint8_t src[16])
{
	struct duet_stack *stack = s->stack;
	uint64_t now = duet_stack_now(stack);

	if (sock_addr_is_v4(dst)) {
		uint8_t v4[4];
		if (!duet_addr4_is_multicast(dst + 12) && !duet_addr4_is_broadcast(dst + 12) &&
		    !route_lookup(&stack->net->rt4, dst + 12, oif, now) &&
		    !net_local_route(stack, 4, dst + 12))
			return -ENETUNREACH;
		if (sock_addr_is_v4(s->laddr) && !sock_addr_is_any4(s->laddr) &&
		    !duet_addr4_is_multicast(s->laddr + 12)) {
			memcpy(src, s->laddr, 16);
			return 0;
		}
		if (ip4_select_source(stack, dst + 12, oif, v4) != 0)
			return -EADDRNOTAVAIL;
		sock_addr_map4(src, v4);
		return 0;
	}
	if (!duet_addr6_is_multicast(dst) && !sock_addr_needs_zone(dst) &&
	    !route_lookup(&stack->net->rt6, dst, oif, now) && !net_local_route(stack, 16, dst))
		return -ENETUNREACH;
	return dgram_source6(s, dst, oif, src);
}

/* The outgoing interface, in A-9's order: IPV6_PKTINFO / IP_PKTINFO
 * (tx: the call's ancillary data over the sticky option), then for a
 * group IPV6_MULTICAST_IF (the basic API), then the destination's zone
 * (the socket address), the bound interface, the default multicast
 * interface. For IPv4 groups the bound interface keeps Linux's place
 * before IP_MULTICAST_IF. */
static uint32_t dgram_oif(const struct sock *s, const uint8_t dst[16], uint32_t scope,
			const struct sock_txopt *tx)
{
	bool is_v4 = sock_addr_is_v4(dst);
	bool is_group = is_v4 ? duet_addr4_is_multicast(dst + 12) : duet_addr6_is_multicast(dst);

	if (!is_v4 && (tx->has & SOCK_TX_PKTINFO) && tx->ifindex)
		return tx->ifindex;
	if (is_v4 && (tx->has & SOCK_TX_IP_PKTINFO) && tx->ifindex4)
		return tx->ifindex4;
	if (!is_v4 && is_group && s->mc_ifindex)
		return s->mc_ifindex;
	if (scope && !is_v4 && sock_addr_needs_zone(dst))
		return scope; /* Linux: sin6_scope_id counts for scoped addresses only */
	if (s->lscope)
		return s->lscope;
	return is_group ? sock_mc_oif(s, dst) : 0;
}

/* IPV6_NEXTHOP (RFC 3542 §6.4): a neighbour on the outgoing interface —
 * a link-local address in its zone, or one a route without a gateway
 * leads to — else EHOSTUNREACH. Sets *oif to its interface. */
static int dgram_nexthop(const struct sock *s, const struct sock_txopt *tx, uint32_t *oif)
{
	struct duet_stack *stack = s->stack;
	const struct route *r;

	if (sock_addr_needs_zone(tx->nexthop)) {
		uint32_t zone = tx->nexthop_scope ? tx->nexthop_scope : *oif;
		if (!zone || !stack_iface(stack, zone) || (*oif && *oif != zone))
			return -EHOSTUNREACH;
		*oif = zone;
		return 0;
	}
	if (net_local_ifindex(stack, 16, tx->nexthop))
		return -EHOSTUNREACH; /* ourselves: no neighbour */
	r = route_lookup(&stack->net->rt6, tx->nexthop, *oif, duet_stack_now(stack));
	if (!r || r->has_gateway || (*oif && r->ifindex != *oif) || !stack_iface(stack, r->ifindex))
		return -EHOSTUNREACH;
	*oif = r->ifindex;
	return 0;
}

/* The source an IP_PKTINFO / v4-mapped IPV6_PKTINFO names: ours, else
 * EINVAL (Linux's ip_route_output_key answer). */
static int dgram_src4_given(const struct sock *s, const struct sock_txopt *tx, uint8_t src[16])
{
	const uint8_t *a = tx->src4;

	if (!(tx->has & SOCK_TX_IP_PKTINFO) || !(a[0] | a[1] | a[2] | a[3]))
		return 0;
	if (duet_addr4_is_multicast(a) ||
	    (!net_local_ifindex(s->stack, 4, a) &&
	     !(duet_addr4_is_loopback(a) && s->stack->net->lo_ifindex)))
		return -EINVAL;
	sock_addr_map4(src, a);
	return 1;
}

/* A Routing header as the application gave it (RFC 3542 §7: the hops
 * before the destination) becomes the one on the wire (RFC 8200 §4.4):
 * the packet goes to the first hop, and the header lists the others and
 * the final destination last, as Linux's ipv6_push_rthdr0 does. */
static void dgram_rthdr_wire(const struct ip6_ext_buf *e, const uint8_t final[16], uint8_t *wire,
			   uint8_t first[16])
{
	uint32_t n = e->data[1] / 2u;

	memcpy(wire, e->data, 8);
	memcpy(first, e->data + 8, 16);
	memcpy(wire + 8, e->data + 8 + 16, (n - 1u) * 16u);
	memcpy(wire + 8 + (n - 1u) * 16u, final, 16);
}

/* SO_DONTROUTE / MSG_DONTROUTE: only on-link destinations (Linux: a
 * route of link scope), else ENETUNREACH. */
static int dgram_check_onlink(const struct sock *s, const uint8_t dst[16], uint32_t oif)
{
	bool is_v4 = sock_addr_is_v4(dst);
	const struct route *r = route_lookup(is_v4 ? &s->stack->net->rt4 : &s->stack->net->rt6,
					     is_v4 ? dst + 12 : dst, oif,
					     duet_stack_now(s->stack));

	if (!is_v4 && (duet_addr6_is_multicast(dst) || sock_addr_needs_zone(dst)))
		return 0;
	if (net_local_route(s->stack, is_v4 ? 4 : 16, is_v4 ? dst + 12 : dst))
		return 0; /* our own addresses are on-link */
	return r && !r->has_gateway ? 0 : -ENETUNREACH;
}

/* The advanced API's part of an IPv6 datagram's way out (A-2..A-4, A-6,
 * the source IPV6_PKTINFO names, the next hop, the Routing
 * header's first hop, the fragmentation switches. */
static int dgram_out_ip6(struct sock *s, const struct sock_txopt *tx, struct dgram_out *o,
			 bool *has_src)
{
	int err;
	unsigned i;

	*has_src = false;
	if ((tx->has & SOCK_TX_PKTINFO) && !sock_addr_is_any6(tx->src)) {
		memcpy(o->src, tx->src, 16);
		*has_src = true;
	}
	if ((tx->has & SOCK_TX_NEXTHOP) && !o->is_group) {
		if ((err = dgram_nexthop(s, tx, &o->oif)) != 0)
			return err;
		o->nexthop = tx->nexthop;
	}
	if (tx->has & SOCK_TX_EXT) /* else none: the common case, nothing to look at */
		for (i = 0; i < IP6_EXT__COUNT; i++)
			o->has_ext |= tx->ext[i].data != NULL;
	if (!o->has_ext)
		goto out;
	for (i = 0; i < IP6_EXT__COUNT; i++)
		o->ext[i] = tx->ext[i];
	if (o->ext[IP6_EXT_RTHDR].data) {
		dgram_rthdr_wire(&o->ext[IP6_EXT_RTHDR], o->final, o->rt_wire, o->first);
		o->ext[IP6_EXT_RTHDR].data = o->rt_wire;
		o->dst = o->first;
	}
out:
	o->is_dontfrag = tx->has & SOCK_TX_DONTFRAG ? tx->dontfrag != 0 : s->dontfrag != 0;
	{
		int m = tx->has & SOCK_TX_MINMTU ? tx->minmtu : s->use_min_mtu;
		o->is_min_mtu = m > 0 || (m < 0 && o->is_group);
	}
	return 0;
}

int dgram_prepare(struct sock *s, const struct sock_txopt *tx, const uint8_t dst[16],
		  uint16_t port, uint32_t scope, int flags, struct dgram_out *o)
{
	bool has_src = false;
	int err = 0;

	/* Field by field: most of *o (ext, first, rt_wire) is written only
	 * when a header needs it, and this runs for every datagram. */
	o->nexthop = NULL;
	o->has_ext = o->is_dontfrag = o->is_min_mtu = false;
	memcpy(o->final, dst, 16);
	o->dst = o->final;
	o->is_v4 = sock_addr_is_v4(dst);
	o->is_group = o->is_v4 ? duet_addr4_is_multicast(dst + 12) : duet_addr6_is_multicast(dst);
	o->oif = dgram_oif(s, dst, scope, tx);
	if (s->lscope && o->oif != s->lscope && !o->is_v4 && (tx->has & SOCK_TX_PKTINFO) &&
	    tx->ifindex)
		return -EINVAL; /* bound to another interface (Linux) */
	if (o->is_v4) {
		int r = dgram_src4_given(s, tx, o->src);
		if (r < 0)
			return r;
		has_src = r > 0;
	} else if ((err = dgram_out_ip6(s, tx, o, &has_src)) != 0) {
		return err;
	}
	if (has_src)
		; /* the advanced API chose it */
	else if (s->is_connected && memcmp(dst, s->faddr, 16) == 0 && port == s->fport &&
		 !(tx->has & (SOCK_TX_PKTINFO | SOCK_TX_IP_PKTINFO | SOCK_TX_NEXTHOP)) &&
		 o->dst == o->final)
		memcpy(o->src, s->saddr, 16);
	else if (o->nexthop)
		err = dgram_source6(s, o->dst, o->oif, o->src);
	else
		err = dgram_route_source(s, o->dst, o->oif, o->src);
	if (err)
		return err;
	if ((flags & MSG_DONTROUTE || s->is_dontroute) && !o->nexthop &&
	    (err = dgram_check_onlink(s, o->dst, o->oif)))
		return err;
	if (o->is_group && !o->oif && !o->is_v4)
		return -ENETUNREACH; /* no multicast interface at all */
	if (o->is_v4) {
		o->hops = tx->has & SOCK_TX_IP_TTL ? tx->ttl4 : sock_out_hops(s, dst);
		o->tclass = (uint8_t)(tx->has & SOCK_TX_IP_TOS ? tx->tos4 : sock_out_tclass(s, dst));
	} else {
		o->hops = (tx->has & SOCK_TX_HOPLIMIT) && tx->hlim >= 0 ? tx->hlim
								       : sock_out_hops(s, dst);
		o->tclass = (uint8_t)((tx->has & SOCK_TX_TCLASS) && tx->tclass >= 0
					      ? tx->tclass
					      : sock_out_tclass(s, dst));
	}
	return 0;
}

int dgram_emit(struct sock *s, struct duet_pkt *pkt, const struct dgram_out *o, uint8_t proto,
	       uint32_t flow_key)
{
	int err;

	if (o->is_v4) {
		struct ip4_out q;
		memset(&q, 0, sizeof(q));
		memcpy(q.src, o->src + 12, 4);
		memcpy(q.dst, o->dst + 12, 4);
		q.protocol = proto;
		q.ttl = o->hops;
		q.tos = o->tclass;
		q.oif = o->oif;
		q.id_memo = &s->out_memo;
		return ip4_output(s->stack, pkt, &q);
	} else {
		struct ip6_out q;
		memset(&q, 0, sizeof(q));
		memcpy(q.src, o->src, 16);
		memcpy(q.dst, o->dst, 16);
		q.next_header = proto;
		q.hop_limit = o->hops;
		q.tclass = o->tclass;
		q.is_flow_label_auto = true; /* RFC 6437, as Linux's auto_flowlabels */
		q.flow_key = flow_key;
		q.flow_memo = &s->out_memo;
		q.oif = o->oif;
		q.is_dontfrag = o->is_dontfrag;
		q.is_min_mtu = o->is_min_mtu;
		q.nexthop = o->nexthop;
		if (o->has_ext)
			memcpy(q.ext, o->ext, sizeof(q.ext));
		err = ip6_output(s->stack, pkt, &q);
	}
	if (err == -EMSGSIZE && o->is_dontfrag) {
		uint32_t mtu; /* RFC 3542 §11.2: the application learns the MTU */
		if (ip6_dst_mtu(s->stack, o->dst, o->oif, &mtu) == 0)
			sock_path_mtu_notice(s, o->final, o->oif, mtu);
	}
	return err;
}
