/* duet — IPv6 output (RFC 8200): route, source, header, source
 * fragmentation beyond the path MTU (§4.5, RFC 8201) with unpredictable
 * Identifications (RFC 7739), then the neighbour cache (RFC 4861). */
#include "net/ip6_internal.h"

#include "net/nd6.h"

#include <duet/addr.h>
#include <duet/byteorder.h>
#include <duet/wire/ip6.h>
#include <duet/wire/ip6_ext.h>

#include <errno.h>
#include <string.h>

/* Where a packet goes: interface, next hop, and the route's MTU. */
struct ip6_hop {
	uint32_t ifindex;
	uint8_t nexthop[16];
	uint32_t route_mtu;   /* 0: the interface's */
};

uint32_t ip6_out_path_mtu(struct duet_stack *stack, const struct net_if *ifp,
			  const uint8_t dst[16], uint32_t zone)
{
	struct pmtu_dest d;

	pmtu_dest_v6(&d, dst, zone);
	return pmtu_get(&ip6_state(stack)->pmtu, &d, ifp->mtu, duet_stack_now(stack));
}

/* Our own addresses go through the loopback interface; scoped
 * destinations are on-link on the interface given (RFC 4007 §6); others
 * follow the routing table. */
static int ip6_out_route(struct duet_stack *stack, const struct ip6_out *o, struct ip6_hop *hop)
{
	const struct route *r;
	uint32_t lo = net_local_route(stack, 16, o->dst);

	memset(hop, 0, sizeof(*hop));
	if (lo) { /* one of our addresses: through the loopback (Linux's local table) */
		hop->ifindex = lo;
		memcpy(hop->nexthop, o->dst, 16);
		return 0;
	}
	if (o->nexthop && !duet_addr6_is_multicast(o->dst)) { /* the caller checked it is on-link */
		if (!o->oif || !net_if_get(stack, o->oif))
			return -EINVAL;
		hop->ifindex = o->oif;
		memcpy(hop->nexthop, o->nexthop, 16);
		return 0;
	}
	if (ip6_is_scoped(o->dst) || duet_addr6_is_multicast(o->dst)) {
		if (!o->oif)
			return -EINVAL;
		hop->ifindex = o->oif;
		memcpy(hop->nexthop, o->dst, 16);
		return net_if_get(stack, o->oif) ? 0 : -ENETUNREACH;
	}
	r = route_lookup(&stack->net->rt6, o->dst, o->oif, duet_stack_now(stack));
	if (!r || !net_if_get(stack, r->ifindex))
		return -ENETUNREACH;
	hop->ifindex = r->ifindex;
	memcpy(hop->nexthop, r->has_gateway ? r->gateway : o->dst, 16);
	hop->route_mtu = r->mtu;
	return 0;
}

/* The MTU towards dst over hop: the path MTU cache's, the route's (never
 * below 1280, RFC 8200 §5) or the interface's. */
static uint32_t ip6_out_hop_mtu(struct duet_stack *stack, const struct net_if *ifp,
				const uint8_t dst[16], const struct ip6_hop *hop)
{
	uint32_t m = ip6_out_path_mtu(stack, ifp, dst, ip6_is_scoped(dst) ? hop->ifindex : 0);

	if (hop->route_mtu && hop->route_mtu < m)
		m = hop->route_mtu < DUET_IP6_MIN_MTU ? DUET_IP6_MIN_MTU : hop->route_mtu;
	return m;
}

int ip6_dst_mtu(struct duet_stack *stack, const uint8_t dst[16], uint32_t oif, uint32_t *mtu)
{
	struct ip6_out o;
	struct ip6_hop hop;
	int err;

	memset(&o, 0, sizeof(o));
	memcpy(o.dst, dst, 16);
	o.oif = oif;
	if ((err = ip6_out_route(stack, &o, &hop)) != 0)
		return err;
	*mtu = ip6_out_hop_mtu(stack, net_if_get(stack, hop.ifindex), dst, &hop);
	return 0;
}

uint32_t ip6_dst_gso_max(struct duet_stack *stack, const uint8_t dst[16], uint32_t oif)
{
	const struct duet_iface *dif;
	struct ip6_out o;
	struct ip6_hop hop;

	memset(&o, 0, sizeof(o));
	memcpy(o.dst, dst, 16);
	o.oif = oif;
	if (ip6_out_route(stack, &o, &hop) != 0)
		return 0;
	dif = stack_iface(stack, hop.ifindex);
	return dif ? dif->link->gso_max : 0;
}

uint32_t ip6_flow_label(const struct duet_stack *stack, const uint8_t src[16],
			const uint8_t dst[16], uint8_t next_header, uint32_t flow_key,
			struct net_hash_memo *memo)
{
	uint8_t key[37];
	uint32_t label;

	memcpy(key, src, 16);
	memcpy(key + 16, dst, 16);
	key[32] = next_header;
	duet_put_be32(key + 33, flow_key);
	label = (uint32_t)net_keyed_hash_memo(stack, memo, key, sizeof(key)) & 0xfffffu;
	return label ? label : 1u;
}

/* RFC 7739 §5.3: a keyed hash of the addresses plus a counter kept per
 * hash slot — unpredictable off-path, distinct for back-to-back packets. */
static uint32_t ip6_out_frag_id(struct duet_stack *stack, const uint8_t src[16],
				const uint8_t dst[16])
{
	struct ip6_state *st = ip6_state(stack);
	uint8_t key[32];
	uint64_t h;

	memcpy(key, src, 16);
	memcpy(key + 16, dst, 16);
	h = duet_stack_keyed_hash(stack, key, sizeof(key));
	return (uint32_t)(h >> 32) + ++st->frag_ctr[h % IP6_FRAG_ID_SLOTS];
}

/* Writes the IPv6 header in front of pkt's data. */
static int ip6_out_push_hdr(struct duet_pkt *pkt, const struct duet_ip6_hdr *h)
{
	struct duet_wcur w;
	uint8_t *p = duet_pkt_push(pkt, DUET_IP6_HDR_LEN);

	if (!p)
		return -ENOBUFS;
	duet_wcur_init(&w, p, DUET_IP6_HDR_LEN);
	return duet_ip6_emit(h, &w) == 0 ? 0 : -EINVAL;
}

/* Pushes one extension header in front of pkt's data: its Next Header is
 * *nh, and *nh becomes type. Absent headers push nothing. */
static int ip6_out_push_ext(struct duet_pkt *pkt, const struct ip6_ext_buf *e, uint8_t type,
			    uint8_t *nh)
{
	uint8_t *p;

	if (!e->data)
		return 0;
	p = duet_pkt_push(pkt, e->len);
	if (!p)
		return -ENOBUFS;
	memcpy(p, e->data, e->len);
	p[0] = *nh;
	*nh = type;
	return 0;
}

/* Pushes the unfragmentable extension headers (RFC 8200 §4.1 order:
 * Hop-by-Hop, Destination Options, Routing), the first of them named by
 * *nh on return; *nh names what follows them on entry. */
static int ip6_out_push_unfrag(struct duet_pkt *pkt, const struct ip6_out *o, uint8_t *nh)
{
	int err = ip6_out_push_ext(pkt, &o->ext[IP6_EXT_RTHDR], DUET_IP6_NH_ROUTING, nh);

	if (!err)
		err = ip6_out_push_ext(pkt, &o->ext[IP6_EXT_DSTOPTS_RT], DUET_IP6_NH_DSTOPTS, nh);
	if (!err)
		err = ip6_out_push_ext(pkt, &o->ext[IP6_EXT_HOPOPTS], DUET_IP6_NH_HOPOPTS, nh);
	return err;
}

/* The octets of the unfragmentable extension headers. */
static uint32_t ip6_out_unfrag_len(const struct ip6_out *o)
{
	return (o->ext[IP6_EXT_HOPOPTS].data ? o->ext[IP6_EXT_HOPOPTS].len : 0u) +
	       (o->ext[IP6_EXT_DSTOPTS_RT].data ? o->ext[IP6_EXT_DSTOPTS_RT].len : 0u) +
	       (o->ext[IP6_EXT_RTHDR].data ? o->ext[IP6_EXT_RTHDR].len : 0u);
}

/* The unfragmentable headers, then the IPv6 header (h's Next Header names
 * the fragmentable part; its payload length is set here). */
static int ip6_out_push_all(struct duet_pkt *pkt, const struct ip6_out *o,
			    struct duet_ip6_hdr h)
{
	int err = ip6_out_push_unfrag(pkt, o, &h.next_header);

	if (err)
		return err;
	h.payload_length = (uint16_t)pkt->len;
	return ip6_out_push_hdr(pkt, &h);
}

/* One fragment: header, unfragmentable headers, Fragment header, len
 * bytes of the fragmentable part from data. */
static struct duet_pkt *ip6_out_frag_build(struct duet_stack *stack, const struct ip6_out *o,
					   struct duet_ip6_hdr h, const uint8_t *data,
					   uint32_t off, uint32_t len, bool is_last, uint32_t id)
{
	uint32_t room = DUET_PKT_HEADROOM + ip6_out_unfrag_len(o);
	struct duet_ip6_frag_hdr fh;
	struct duet_pkt *f;
	struct duet_wcur w;

	/* A fragment for a 64 KiB link (lo) leaves less headroom: the headers
	 * still fit in what is left of the largest buffer. */
	if (room + DUET_IP6_FRAG_HDR_LEN + len > DUET_PKT_MAX_DATA)
		room = DUET_PKT_MAX_DATA - DUET_IP6_FRAG_HDR_LEN - len;
	f = duet_pkt_alloc(stack->pool, room, DUET_IP6_FRAG_HDR_LEN + len);
	if (!f)
		return NULL;
	memset(&fh, 0, sizeof(fh));
	fh.next_header = h.next_header;
	fh.fragment_offset = (uint16_t)(off / 8u);
	fh.m = !is_last;
	fh.identification = id;
	duet_wcur_init(&w, duet_pkt_data(f), DUET_IP6_FRAG_HDR_LEN);
	duet_ip6_frag_emit(&fh, &w);
	memcpy(duet_pkt_data(f) + DUET_IP6_FRAG_HDR_LEN, data + off, len);
	h.next_header = DUET_IP6_NH_FRAGMENT;
	if (ip6_out_push_all(f, o, h) != 0) {
		stack_drop(stack, f, DUET_CTR_DROP_IP6_OUT_NO_BUFFER);
		return NULL;
	}
	return f;
}

/* RFC 8200 §4.5: the fragmentable part (pkt: the final Destination Options
 * header, if any, and the upper-layer message) is cut so that every
 * fragment but the last carries a multiple of 8 octets; each fragment
 * repeats the unfragmentable part. Takes pkt. */
static int ip6_out_fragment(struct duet_stack *stack, struct duet_pkt *pkt, const struct ip6_out *o,
			    const struct duet_ip6_hdr *h, const struct ip6_hop *hop, uint32_t mtu)
{
	uint32_t chunk, id = ip6_out_frag_id(stack, h->src, h->dst), off;
	uint32_t fixed = DUET_IP6_HDR_LEN + ip6_out_unfrag_len(o) + DUET_IP6_FRAG_HDR_LEN;
	int err = 0;

	/* RFC 8200 §5: IPv6 links carry 1280 octets; a smaller configured MTU
	 * must not make the loop below step by zero (or wrap). */
	if (mtu < 1280)
		mtu = 1280;
	if (mtu < fixed + 8u) { /* the unfragmentable part alone fills the MTU */
		stack_add_if(stack, hop->ifindex, DUET_CTR_IP6_FRAG_FAILS, 1);
		stack_drop(stack, pkt, DUET_CTR_DROP_IP6_OUT_TOO_BIG);
		return -EMSGSIZE;
	}
	chunk = (mtu - fixed) & ~7u;

	for (off = 0; off < pkt->len && !err; off += chunk) {
		uint32_t len = pkt->len - off < chunk ? pkt->len - off : chunk;
		struct duet_pkt *f = ip6_out_frag_build(stack, o, *h, duet_pkt_data(pkt), off, len,
							off + len == pkt->len, id);

		if (!f) {
			err = -ENOBUFS;
			break;
		}
		stack_add_if(stack, hop->ifindex, DUET_CTR_IP6_FRAG_CREATES, 1);
		err = nd6_output(stack, hop->ifindex, hop->nexthop, f);
	}
	if (err == -ENOBUFS) {
		stack_add_if(stack, hop->ifindex, DUET_CTR_IP6_FRAG_FAILS, 1);
		stack_drop(stack, pkt, DUET_CTR_DROP_IP6_OUT_NO_BUFFER);
		return err;
	}
	stack_add_if(stack, hop->ifindex, DUET_CTR_IP6_FRAG_OKS, 1);
	duet_pkt_free(pkt); /* every byte went out in the fragments */
	return err;
}

/* The header fields from o, with the default hop limit (RFC 4861 §6.3.2
 * Cur Hop Limit; 1 for multicast, RFC 3542 §6.3; 255 for ND, RFC 4861). */
static void ip6_out_header(const struct ip6_out *o, const struct net_if *ifp,
			   struct duet_ip6_hdr *h)
{
	memset(h, 0, sizeof(*h));
	h->traffic_class = o->tclass;
	h->flow_label = o->flow_label & 0xfffffu;
	h->next_header = o->next_header;
	if (o->hop_limit >= 0)
		h->hop_limit = (uint8_t)o->hop_limit;
	else
		h->hop_limit = o->is_nd ? 255 : duet_addr6_is_multicast(o->dst) ? 1 : ifp->hop_limit;
	memcpy(h->src, o->src, 16);
	memcpy(h->dst, o->dst, 16);
}

/* Source and MTU, then one packet or fragments. Takes pkt. */
static int ip6_out_send(struct duet_stack *stack, struct duet_pkt *pkt, const struct ip6_out *o,
			const struct ip6_hop *hop)
{
	const struct net_if *ifp = net_if_get(stack, hop->ifindex);
	struct duet_ip6_hdr h;
	uint32_t mtu;
	int err;

	ip6_out_header(o, ifp, &h);
	if (!o->is_nd && !o->is_src_given && duet_addr6_is_unspecified(h.src) &&
	    ip6_select_source(stack, o->dst, hop->ifindex, h.src) != 0) {
		stack_drop(stack, pkt, DUET_CTR_DROP_IP6_OUT_NO_SOURCE);
		return -EADDRNOTAVAIL;
	}
	if (!h.flow_label && o->is_flow_label_auto)
		h.flow_label = ip6_flow_label(stack, h.src, h.dst, o->next_header, o->flow_key,
					      o->flow_memo);
	/* The final Destination Options lead the fragmentable part. */
	if (ip6_out_push_ext(pkt, &o->ext[IP6_EXT_DSTOPTS], DUET_IP6_NH_DSTOPTS,
			     &h.next_header) != 0) {
		stack_drop(stack, pkt, DUET_CTR_DROP_IP6_OUT_NO_BUFFER);
		return -ENOBUFS;
	}
	mtu = ip6_out_hop_mtu(stack, ifp, o->dst, hop);
	if (o->is_min_mtu && mtu > DUET_IP6_MIN_MTU)
		mtu = DUET_IP6_MIN_MTU;
	if (DUET_IP6_HDR_LEN + ip6_out_unfrag_len(o) + pkt->len <= mtu || pkt->gso_size) {
		err = ip6_out_push_all(pkt, o, h);
		if (err) {
			stack_drop(stack, pkt, DUET_CTR_DROP_IP6_OUT_NO_BUFFER);
			return err;
		}
		return nd6_output(stack, hop->ifindex, hop->nexthop, pkt);
	}
	if (o->is_nd || o->is_dontfrag) { /* RFC 6980: ND is never fragmented */
		stack_add_if(stack, hop->ifindex, DUET_CTR_IP6_FRAG_FAILS, 1);
		stack_drop(stack, pkt, DUET_CTR_DROP_IP6_OUT_TOO_BIG);
		return -EMSGSIZE;
	}
	return ip6_out_fragment(stack, pkt, o, &h, hop, mtu);
}

/* The extension headers' total length, or -EINVAL when one is malformed
 * (not a multiple of 8, or its Hdr Ext Len disagreeing). */
static int ip6_out_ext_len(const struct ip6_out *o)
{
	int total = 0;
	unsigned i;

	for (i = 0; i < IP6_EXT__COUNT; i++) {
		const struct ip6_ext_buf *e = &o->ext[i];
		if (!e->data)
			continue;
		if (e->len < 8 || e->len % 8 || (e->data[1] + 1u) * 8u != e->len)
			return -EINVAL;
		total += e->len;
	}
	return total;
}

int ip6_output(struct duet_stack *stack, struct duet_pkt *pkt, const struct ip6_out *o)
{
	struct ip6_hop hop;
	int err, ext_len;

	stack_count(stack, DUET_CTR_IP6_OUT_REQUESTS);
	ext_len = ip6_out_ext_len(o);
	if (ext_len < 0) {
		stack_drop(stack, pkt, DUET_CTR_DROP_IP6_OUT_BAD_EXT);
		return -EINVAL;
	}
	if (pkt->len + (uint32_t)ext_len > 65535u) {
		stack_count(stack, DUET_CTR_IP6_FRAG_FAILS);
		stack_drop(stack, pkt, DUET_CTR_DROP_IP6_OUT_TOO_BIG);
		return -EMSGSIZE;
	}
	/* The headers are pushed in front: never into a shared packet (one a
	 * transport still holds for retransmission, say). */
	pkt = net_pkt_writable(stack, pkt, DUET_IP6_HDR_LEN + DUET_ETH_HDR_LEN + (uint32_t)ext_len);
	if (!pkt) {
		stack_count(stack, DUET_CTR_DROP_IP6_OUT_NO_BUFFER);
		return -ENOBUFS;
	}
	err = ip6_out_route(stack, o, &hop);
	if (err) {
		if (err != -EINVAL)
			stack_count(stack, DUET_CTR_IP6_OUT_NO_ROUTES);
		stack_drop(stack, pkt, err == -EINVAL ? DUET_CTR_DROP_IP6_OUT_SCOPE
						      : DUET_CTR_DROP_IP6_OUT_NO_ROUTE);
		return err;
	}
	pkt->ifindex = hop.ifindex;
	return ip6_out_send(stack, pkt, o, &hop);
}
