/* duet — UDP output (RFC 768, RFC 8200 §8.1): one datagram per send,
 * copied once from the caller's buffers into a pool packet, checksummed,
 * and handed to IPv4 for v4-mapped destinations (DS-8: the socket's hop
 * limit and traffic class become TTL and TOS) or to IPv6; multicast copies
 * to local members when IPV6_MULTICAST_LOOP / IP_MULTICAST_LOOP say so
 * (B-2, B-4). */
#include "transport/udp_internal.h"

#include "net/ip4.h"
#include "net/ip4_internal.h"
#include "net/ip6.h"
#include "net/mld6.h"
#include "net/igmp4.h"
#include "net/net.h"

#include <duet/addr.h>
#include <duet/byteorder.h>
#include <duet/csum.h>
#include <duet/wire/udp.h>

#include <errno.h>
#include <sys/uio.h>

/* The largest payloads (RFC 768 over IPv4's 65,535-byte datagram; IPv6
 * without jumbograms). */
#define UDP4_MAX_PAYLOAD 65507u
#define UDP6_MAX_PAYLOAD 65527u

int udp_route_source(const struct sock *s, const uint8_t dst[16], uint32_t oif, uint8_t src[16])
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
	if (!sock_addr_is_v4(s->laddr) && !sock_addr_is_any6(s->laddr) &&
	    !duet_addr6_is_multicast(s->laddr)) {
		memcpy(src, s->laddr, 16);
		return 0;
	}
	return ip6_select_source(stack, dst, oif, src) ? -EADDRNOTAVAIL : 0;
}

/* The outgoing interface, in A-9's order: IPV6_PKTINFO / IP_PKTINFO
 * (tx: the call's ancillary data over the sticky option), then for a
 * group IPV6_MULTICAST_IF (the basic API), then the destination's zone
 * (the socket address), the bound interface, the default multicast
 * interface. For IPv4 groups the bound interface keeps Linux's place
 * before IP_MULTICAST_IF. */
static uint32_t udp_oif(const struct sock *s, const uint8_t dst[16], uint32_t scope,
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
	if (scope)
		return scope;
	if (s->lscope)
		return s->lscope;
	return is_group ? sock_mc_oif(s, dst) : 0;
}

/* IPV6_NEXTHOP (RFC 3542 §6.4): a neighbour on the outgoing interface —
 * a link-local address in its zone, or one a route without a gateway
 * leads to — else EHOSTUNREACH. Sets *oif to its interface. */
static int udp_nexthop(const struct sock *s, const struct sock_txopt *tx, uint32_t *oif)
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
static int udp_src4_given(const struct sock *s, const struct sock_txopt *tx, uint8_t src[16])
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
static void udp_rthdr_wire(const struct ip6_ext_buf *e, const uint8_t final[16], uint8_t *wire,
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
static int udp_check_onlink(const struct sock *s, const uint8_t dst[16], uint32_t oif)
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

/* Copies the caller's buffers after the header. */
static void udp_copy_iov(uint8_t *out, const struct msghdr *msg, size_t len)
{
	size_t i, off = 0;

	for (i = 0; off < len && i < (size_t)msg->msg_iovlen; i++) {
		size_t n = msg->msg_iov[i].iov_len;
		if (n > len - off)
			n = len - off;
		memcpy(out + off, msg->msg_iov[i].iov_base, n);
		off += n;
	}
}

/* A multicast datagram's copy to the local members of its group on oif
 * (RFC 1112 §6.1, RFC 3493 §5.2): delivered now, as if it had arrived. */
static void udp_loop_group(struct sock *s, const struct duet_pkt *pkt, const uint8_t src[16],
			   const uint8_t dst[16], uint32_t oif, int hops, uint8_t tclass)
{
	struct duet_stack *stack = s->stack;
	bool is_v4 = sock_addr_is_v4(dst);
	struct duet_pkt *c;
	struct sock_meta m;

	if (is_v4 ? !s->is_mc_loop4 || !igmp4_is_member(stack, oif, dst + 12, src + 12)
		  : !s->is_mc_loop6 || !mld6_is_member(stack, oif, dst, src))
		return;
	c = duet_pkt_copy(stack->pool, pkt, DUET_PKT_HEADROOM);
	if (!c) {
		stack_count(stack, DUET_CTR_DROP_TX_NO_BUFFER);
		return;
	}
	memset(&m, 0, sizeof(m));
	memcpy(m.src, src, 16);
	memcpy(m.dst, dst, 16);
	m.ifindex = oif;
	m.sport = s->lport;
	m.dport = duet_get_be16(duet_pkt_data(c) + 2);
	m.hop_limit = (uint8_t)(hops < 0 ? 1 : hops);
	m.tclass = tclass;
	m.is_v4 = is_v4;
	duet_pkt_pull(c, DUET_UDP_HDR_LEN);
	if (!udp_input_meta(stack, c, &m, c->head, true))
		duet_pkt_free(c);
}

/* How one datagram leaves, once its addresses are chosen. */
struct udp_out {
	const uint8_t *src, *dst;   /* dst: the first hop when a Routing header is carried */
	uint32_t oif;
	int hops;
	uint8_t tclass;
	uint16_t dport;
	bool is_dontfrag, is_min_mtu;
	const uint8_t *nexthop;
	const struct ip6_ext_buf *ext; /* [IP6_EXT__COUNT], NULL: none */
};

static int udp_emit(struct sock *s, struct duet_pkt *pkt, const struct udp_out *u)
{
	if (sock_addr_is_v4(u->dst)) {
		struct ip4_out o;
		memset(&o, 0, sizeof(o));
		memcpy(o.src, u->src + 12, 4);
		memcpy(o.dst, u->dst + 12, 4);
		o.protocol = IPPROTO_UDP;
		o.ttl = u->hops;
		o.tos = u->tclass;
		o.oif = u->oif;
		o.id_memo = &s->out_memo;
		return ip4_output(s->stack, pkt, &o);
	} else {
		struct ip6_out o;
		memset(&o, 0, sizeof(o));
		memcpy(o.src, u->src, 16);
		memcpy(o.dst, u->dst, 16);
		o.next_header = IPPROTO_UDP;
		o.hop_limit = u->hops;
		o.tclass = u->tclass;
		o.is_flow_label_auto = true; /* RFC 6437, as Linux's auto_flowlabels */
		o.flow_key = (uint32_t)s->lport << 16 | u->dport;
		o.flow_memo = &s->out_memo;
		o.oif = u->oif;
		o.is_dontfrag = u->is_dontfrag;
		o.is_min_mtu = u->is_min_mtu;
		o.nexthop = u->nexthop;
		if (u->ext)
			memcpy(o.ext, u->ext, sizeof(o.ext));
		return ip6_output(s->stack, pkt, &o);
	}
}

/* The limited broadcast, or the directed broadcast of the interface the
 * route (or the zone) leads to. */
static bool udp_is_bcast4(struct duet_stack *stack, const uint8_t dst[4], uint32_t oif)
{
	const struct route *r;

	if (duet_addr4_is_broadcast(dst))
		return true;
	if (!ip4_may_be_directed_bcast(dst))
		return false;
	r = route_lookup(&stack->net->rt4, dst, oif, duet_stack_now(stack));
	return r && ip4_is_directed_bcast(stack, r->ifindex, dst);
}

/* The advanced API's part of an IPv6 datagram's way out (A-2..A-4, A-6,
 * the source IPV6_PKTINFO names, the next hop, the Routing
 * header's first hop, the hop limit, traffic class and fragmentation
 * switches. */
static int udp_out_ip6(struct sock *s, const struct sock_txopt *tx, const uint8_t dst[16],
		       struct udp_out *u, uint8_t src[16], uint8_t first[16], uint8_t *rt_wire,
		       struct ip6_ext_buf *ext, bool *has_src)
{
	bool is_group = duet_addr6_is_multicast(dst);
	int err;
	unsigned i;

	*has_src = false;
	if ((tx->has & SOCK_TX_PKTINFO) && !sock_addr_is_any6(tx->src)) {
		memcpy(src, tx->src, 16);
		*has_src = true;
	}
	if ((tx->has & SOCK_TX_NEXTHOP) && !is_group) {
		if ((err = udp_nexthop(s, tx, &u->oif)) != 0)
			return err;
		u->nexthop = tx->nexthop;
	}
	for (i = 0; i < IP6_EXT__COUNT; i++)
		ext[i] = tx->ext[i];
	if (ext[IP6_EXT_RTHDR].data) {
		udp_rthdr_wire(&ext[IP6_EXT_RTHDR], dst, rt_wire, first);
		ext[IP6_EXT_RTHDR].data = rt_wire;
		u->dst = first;
	}
	for (i = 0; i < IP6_EXT__COUNT; i++)
		if (ext[i].data)
			u->ext = ext;
	u->is_dontfrag = tx->has & SOCK_TX_DONTFRAG ? tx->dontfrag != 0 : s->dontfrag != 0;
	u->is_min_mtu = s->use_min_mtu > 0 || (s->use_min_mtu < 0 && is_group);
	return 0;
}

ssize_t udp_sendmsg(struct sock *s, const struct msghdr *msg, size_t len, const uint8_t *addr,
		    uint16_t port, uint32_t scope, int flags, const struct sock_txopt *tx)
{
	struct duet_stack *stack = s->stack;
	uint8_t src[16], dst[16], first[16];
	struct ip6_ext_buf ext[IP6_EXT__COUNT];
	uint8_t rt_wire[2048];
	bool is_v4, is_group, has_src = false;
	struct duet_pkt *pkt;
	struct udp_out u;
	uint8_t *seg;
	int err;

	if (!addr) {
		if (!s->is_connected)
			return -EDESTADDRREQ;
		addr = s->faddr, port = s->fport, scope = s->fscope;
	} else if (!port) {
		return -EINVAL;
	}
	memcpy(dst, addr, 16);
	is_v4 = sock_addr_is_v4(dst);
	if (s->family == AF_INET6 && is_v4 && s->is_v6only)
		return -ENETUNREACH; /* DS-5 */
	if (s->is_addr_user && sock_addr_is_v4(s->laddr) != is_v4)
		return is_v4 ? -ENETUNREACH : -EAFNOSUPPORT; /* as Linux */
	if (len > (is_v4 ? UDP4_MAX_PAYLOAD : UDP6_MAX_PAYLOAD))
		return -EMSGSIZE;
	if (is_v4 && !duet_addr4_is_multicast(dst + 12) && !s->is_broadcast &&
	    udp_is_bcast4(stack, dst + 12, scope))
		return -EACCES; /* SO_BROADCAST off */
	err = udp_autobind(s);
	if (err)
		return err;
	memset(&u, 0, sizeof(u));
	u.dst = dst;
	u.dport = port;
	u.oif = udp_oif(s, dst, scope, tx);
	if (s->lscope && u.oif != s->lscope && !is_v4 && (tx->has & SOCK_TX_PKTINFO) && tx->ifindex)
		return -EINVAL; /* bound to another interface (Linux) */
	is_group = is_v4 ? duet_addr4_is_multicast(dst + 12) : duet_addr6_is_multicast(dst);
	if (is_v4) {
		int r = udp_src4_given(s, tx, src);
		if (r < 0)
			return r;
		has_src = r > 0;
	} else if ((err = udp_out_ip6(s, tx, dst, &u, src, first, rt_wire, ext, &has_src)) != 0) {
		return err;
	}
	if (has_src)
		; /* the advanced API chose it */
	else if (s->is_connected && memcmp(dst, s->faddr, 16) == 0 && port == s->fport &&
		 !(tx->has & (SOCK_TX_PKTINFO | SOCK_TX_IP_PKTINFO | SOCK_TX_NEXTHOP)) &&
		 u.dst == dst)
		memcpy(src, s->saddr, 16);
	else if (u.nexthop)
		err = ip6_select_source(stack, dst, u.oif, src) ? -EADDRNOTAVAIL : 0;
	else
		err = udp_route_source(s, u.dst, u.oif, src);
	if (err)
		return err;
	if ((flags & MSG_DONTROUTE || s->is_dontroute) && !u.nexthop &&
	    (err = udp_check_onlink(s, u.dst, u.oif)))
		return err;
	if (is_group && !u.oif && !is_v4)
		return -ENETUNREACH; /* no multicast interface at all */
	u.src = src;

	/* The largest datagrams leave less than the usual headroom: IP and
	 * Ethernet headers still fit, fragments are built apart. */
	pkt = duet_pkt_alloc(stack->pool,
			     DUET_PKT_HEADROOM + DUET_UDP_HDR_LEN + len <= DUET_PKT_MAX_DATA
				     ? DUET_PKT_HEADROOM
				     : DUET_PKT_MAX_DATA - DUET_UDP_HDR_LEN - len,
			     DUET_UDP_HDR_LEN + len);
	if (!pkt)
		return -ENOBUFS;
	seg = duet_pkt_data(pkt);
	duet_put_be16(seg, s->lport);
	duet_put_be16(seg + 2, port);
	duet_put_be16(seg + 4, (uint16_t)(DUET_UDP_HDR_LEN + len));
	duet_put_be16(seg + 6, 0);
	udp_copy_iov(seg + DUET_UDP_HDR_LEN, msg, len);
	/* The pseudo-header names the final destination (RFC 8200 §8.1). */
	duet_udp_csum_set(seg, DUET_UDP_HDR_LEN + len,
			  is_v4 ? duet_csum_pseudo4(src + 12, dst + 12,
						    (uint16_t)(DUET_UDP_HDR_LEN + len), IPPROTO_UDP)
				: duet_csum_pseudo6(src, dst, (uint32_t)(DUET_UDP_HDR_LEN + len),
						    IPPROTO_UDP));
	if (is_v4) {
		u.hops = tx->has & SOCK_TX_IP_TTL ? tx->ttl4 : sock_out_hops(s, dst);
		u.tclass = (uint8_t)(tx->has & SOCK_TX_IP_TOS ? tx->tos4 : sock_out_tclass(s, dst));
	} else {
		u.hops = (tx->has & SOCK_TX_HOPLIMIT) && tx->hlim >= 0 ? tx->hlim
								       : sock_out_hops(s, dst);
		u.tclass = (uint8_t)((tx->has & SOCK_TX_TCLASS) && tx->tclass >= 0
					     ? tx->tclass
					     : sock_out_tclass(s, dst));
	}
	if (is_group && u.oif)
		udp_loop_group(s, pkt, src, dst, u.oif, u.hops, u.tclass);
	if (is_group && u.hops == 0) {
		duet_pkt_free(pkt); /* B-2: hop limit 0 stays on this host */
		return (ssize_t)len;
	}
	err = udp_emit(s, pkt, &u);
	if (err == -EMSGSIZE && !is_v4 && u.is_dontfrag) {
		uint32_t mtu; /* RFC 3542 §11.2: the application learns the MTU */
		if (ip6_dst_mtu(stack, u.dst, u.oif, &mtu) == 0)
			sock_path_mtu_notice(s, dst, u.oif, mtu);
	}
	if (err)
		return err;
	stack_count(stack, DUET_CTR_UDP_OUT_DATAGRAMS);
	return (ssize_t)len;
}
