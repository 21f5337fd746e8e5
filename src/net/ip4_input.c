/* duet — IPv4 input (RFC 791 §3.2, RFC 1122 §3.2.1, §3.3.4.2 weak host
 * model, §3.3.6 link-layer broadcasts): header checks, options, the
 * destination filter, reassembly, upper-layer demultiplexing, and the local
 * delivery of datagrams a stack sends to its own addresses.
 *
 * Policy:
 * - The TTL is not checked: a host is the final destination (RFC 1122
 *   §3.2.1.7 binds only forwarders).
 * - Options are validated with the wire iterator; a malformed one draws a
 *   Parameter Problem pointing at it (RFC 1122 §3.2.2.5). Record Route,
 *   Timestamp and the source routes are accepted and not processed: duet
 *   neither records into them nor hands a reversed route to transports
 *   (RFC 1122 §3.2.1.8 (c) is not implemented).
 * - Destinations accepted: any address of any interface (weak host model,
 *   as Linux), 255.255.255.255, the directed broadcast of an address of the
 *   arrival interface, 224.0.0.1 (all-systems) and the groups joined on the
 *   arrival interface whose source filter lets the source through (IGMP,
 *   RFC 3376 §3.2) — IGMP itself whatever its source, as Linux's
 *   ip_check_mc_rcv: a Query comes from a router the filter may exclude.
 *   Everything else is dropped: a host does not forward. */
#include "net/ip4_internal.h"

#include "net/igmp4.h"

#include <duet/addr.h>
#include <duet/wire/errors.h>
#include <duet/wire/icmp4.h>
#include <duet/wire/igmp.h>

#include <string.h>

static const uint8_t ip4_all_systems[4] = { 224, 0, 0, 1 };

static enum duet_counter ip4_parse_drop(int err)
{
	if (err == -DUET_WE_BAD_CHECKSUM)
		return DUET_CTR_DROP_IP4_BAD_CHECKSUM;
	if (err == -DUET_WE_BAD_FIELD)
		return DUET_CTR_DROP_IP4_BAD_FIELD;
	return DUET_CTR_DROP_IP4_MALFORMED;
}

/* True when dst is the directed broadcast of one of ifindex's addresses. */
bool ip4_is_directed_bcast(struct duet_stack *stack, uint32_t ifindex, const uint8_t dst[4])
{
	struct net_if *ifp;
	unsigned i;

	if (!ip4_may_be_directed_bcast(dst))
		return false;
	ifp = net_if_get(stack, ifindex);
	for (i = 0; ifp && i < DUET_IFA_MAX; i++)
		if (ifp->a4[i].is_used &&
		    duet_addr4_is_directed_broadcast(dst, ifp->a4[i].addr, ifp->a4[i].plen))
			return true;
	return false;
}

/* RFC 1122 §3.2.1.3: a source that does not name one host (broadcast,
 * multicast, class E, our subnet's broadcast) or a loopback source off the
 * loopback link is discarded (Linux's martian check). */
static bool ip4_src_is_bad(struct duet_stack *stack, uint32_t ifindex, const uint8_t src[4])
{
	const struct duet_iface *dif = stack_iface(stack, ifindex);
	bool is_lo = dif && (dif->link->flags & DUET_LINK_F_LOOPBACK);

	return duet_addr4_is_multicast(src) || src[0] >= 240 ||
	       (duet_addr4_is_loopback(src) && !is_lo) ||
	       ip4_is_directed_bcast(stack, ifindex, src);
}

void ip4_rx_info_fill(struct duet_stack *stack, const struct duet_ip4_hdr *h, uint32_t nh_off,
		      uint32_t ifindex, struct ip4_rx_info *info)
{
	memset(info, 0, sizeof(*info));
	memcpy(info->src, h->src, 4);
	memcpy(info->dst, h->dst, 4);
	info->ttl = h->ttl;
	info->tos = (uint8_t)(h->dscp << 2 | h->ecn);
	info->ifindex = ifindex;
	info->nh_off = nh_off;
	info->is_broadcast_dst = duet_addr4_is_broadcast(h->dst) ||
				 ip4_is_directed_bcast(stack, ifindex, h->dst);
	info->is_multicast_dst = duet_addr4_is_multicast(h->dst);
}

static bool ip4_dst_is_ours(struct duet_stack *stack, const struct ip4_rx_info *info,
			    uint8_t protocol)
{
	const struct duet_iface *dif = stack_iface(stack, info->ifindex);

	/* RFC 1122 §3.2.1.3 (g): 127/8 never arrives from a wire (it would reach
	 * services bound to localhost). */
	if (duet_addr4_is_loopback(info->dst))
		return dif && (dif->link->flags & DUET_LINK_F_LOOPBACK); /* all of 127/8, as Linux */
	if (info->is_broadcast_dst)
		return true;
	if (info->is_multicast_dst)
		return memcmp(info->dst, ip4_all_systems, 4) == 0 ||
		       igmp4_is_member(stack, info->ifindex, info->dst,
				       protocol == DUET_IGMP_PROTO ? NULL : info->src);
	return net_local_ifindex(stack, 4, info->dst) != 0;
}

/* Walks the options. Returns 0, or -1 with *pointer at the bad option's
 * octet from the start of the header (RFC 1122 §3.2.2.5). */
static int ip4_options_check(const struct duet_ip4_hdr *h, uint32_t *pointer, bool *is_srr)
{
	struct duet_ip4_opt_iter it;
	struct duet_ip4_opt o;
	int r;

	*is_srr = false;
	duet_ip4_opt_iter_init(&it, h);
	while ((r = duet_ip4_opt_next(&it, &o)) > 0)
		*is_srr |= o.type == DUET_IP4_OPT_LSRR || o.type == DUET_IP4_OPT_SSRR;
	if (r == 0)
		return 0;
	*pointer = DUET_IP4_HDR_LEN + (uint32_t)it.cur.off;
	return -1;
}

/* Hands a whole datagram (data at its header) to its upper layer. */
static void ip4_deliver(struct duet_stack *stack, struct duet_pkt *pkt,
			const struct duet_ip4_hdr *h, const struct ip4_rx_info *info)
{
	const struct ip4_state *st = ip4_state_of(stack);
	ip4_upper_fn fn = st->upper[h->protocol];
	bool is_raw = st->raw && st->raw(stack, pkt, info, h->protocol);

	if (!fn && is_raw) { /* a raw socket's protocol: no error (Linux) */
		stack_count_pkt(stack, pkt, DUET_CTR_IP4_IN_DELIVERS);
		duet_pkt_free(pkt);
		return;
	}
	if (!fn) {
		stack_count_pkt(stack, pkt, DUET_CTR_IP4_IN_UNKNOWN_PROTOS);
		/* RFC 1122 §3.2.2.1: protocol unreachable. */
		icmp4_send_error(stack, pkt, info, DUET_ICMP4_DEST_UNREACH,
				 DUET_ICMP4_UNREACH_PROTOCOL, 0);
		stack_drop(stack, pkt, DUET_CTR_DROP_IP4_UNKNOWN_PROTO);
		return;
	}
	duet_pkt_pull(pkt, (uint32_t)h->ihl * 4u);
	stack_count_pkt(stack, pkt, DUET_CTR_IP4_IN_DELIVERS);
	fn(stack, pkt, info);
}

/* A datagram the reassembly engine completed: its header was rewritten
 * (Total Length, offsets, checksum), so it parses as an unfragmented one. */
static void ip4_input_reassembled(struct duet_stack *stack, struct duet_pkt *pkt)
{
	struct duet_ip4_hdr h;
	struct ip4_rx_info info;
	struct duet_cur c;

	duet_cur_init(&c, duet_pkt_data(pkt), pkt->len);
	if (duet_ip4_parse(&c, &h) != 0) {
		stack_drop(stack, pkt, DUET_CTR_DROP_IP4_MALFORMED);
		return;
	}
	ip4_rx_info_fill(stack, &h, pkt->head, pkt->ifindex, &info);
	ip4_deliver(stack, pkt, &h, &info);
}

/* Feeds a fragment to the reassembly engine (RFC 791 §3.2, RFC 815). */
static void ip4_reass(struct duet_stack *stack, struct duet_pkt *pkt,
		      const struct duet_ip4_hdr *h, const struct ip4_rx_info *info)
{
	struct ip4_state *st = ip4_state_of(stack);
	uint32_t hlen = (uint32_t)h->ihl * 4u;
	struct reass_frag f;
	struct reass_key key;
	struct duet_pkt *out = NULL;

	memset(&f, 0, sizeof(f));
	reass_key_v4(&key, h->src, h->dst, h->protocol, h->identification);
	f.offset_bytes = (uint32_t)h->fragment_offset * 8u;
	f.has_more = h->mf;
	f.unfrag_len = hlen;
	f.payload_off = hlen;
	f.payload_len = h->total_length - hlen;
	switch (reass_input(&st->reass, &key, &f, pkt, duet_stack_now(stack), &out)) {
	case REASS_COMPLETE:
		ip4_input_reassembled(stack, out);
		return;
	case REASS_ATOMIC:
		ip4_deliver(stack, pkt, h, info);
		return;
	case REASS_HELD:
	case REASS_DROPPED:
		return;
	default:
		/* Rejected: counted by the engine; IPv4 has no ICMP for it. */
		duet_pkt_free(pkt);
		return;
	}
}

/* The checks every datagram passes before options, reassembly and
 * delivery. Returns the drop reason, or DUET_CTR__COUNT to go on. */
static enum duet_counter ip4_check_addrs(struct duet_stack *stack, const struct duet_ip4_hdr *h,
					 const struct ip4_rx_info *info, bool is_l2_bcast)
{
	if (ip4_src_is_bad(stack, info->ifindex, h->src))
		return DUET_CTR_DROP_IP4_BAD_SRC;
	/* RFC 1122 §3.2.1.3 (a): "this host" (0/8) is a source only while a
	 * host learns its address, and then only towards a broadcast (DHCP);
	 * anything else from it is answered nowhere sensible. */
	if (h->src[0] == 0 && !info->is_broadcast_dst)
		return DUET_CTR_DROP_IP4_BAD_SRC;
	if (!ip4_dst_is_ours(stack, info, h->protocol))
		return DUET_CTR_DROP_IP4_NOT_FOR_US;
	/* RFC 1122 §3.3.6: a link-layer broadcast (or group) frame must carry
	 * an IP broadcast or multicast destination; a host SHOULD discard
	 * others. This also keeps ICMP errors from answering such frames. */
	if (is_l2_bcast && !info->is_broadcast_dst && !info->is_multicast_dst)
		return DUET_CTR_DROP_IP4_L2_BCAST_UNICAST;
	return DUET_CTR__COUNT;
}

/* Processes one datagram (data at its IPv4 header) received on ifindex.
 * Takes pkt. */
static void ip4_input_datagram(struct duet_stack *stack, struct duet_pkt *pkt, uint32_t ifindex,
			       bool is_l2_bcast)
{
	struct duet_ip4_hdr h;
	struct ip4_rx_info info;
	struct duet_cur c;
	enum duet_counter why;
	uint32_t pointer;
	bool is_srr = false;
	int err;

	stack_count_pkt(stack, pkt, DUET_CTR_IP4_IN_RECEIVES);
	duet_cur_init(&c, duet_pkt_data(pkt), pkt->len);
	err = duet_ip4_parse(&c, &h);
	if (err) {
		stack_count_pkt(stack, pkt, DUET_CTR_IP4_IN_HDR_ERRORS);
		stack_drop(stack, pkt, ip4_parse_drop(err));
		return;
	}
	duet_pkt_trim(pkt, h.total_length); /* Ethernet padding */
	ip4_rx_info_fill(stack, &h, pkt->head, ifindex, &info);
	why = ip4_check_addrs(stack, &h, &info, is_l2_bcast);
	if (why != DUET_CTR__COUNT) {
		stack_count_pkt(stack, pkt, DUET_CTR_IP4_IN_ADDR_ERRORS);
		stack_drop(stack, pkt, why);
		return;
	}
	if (h.options_len && ip4_options_check(&h, &pointer, &is_srr) != 0) {
		stack_count_pkt(stack, pkt, DUET_CTR_IP4_IN_HDR_ERRORS);
		icmp4_send_error(stack, pkt, &info, DUET_ICMP4_PARAM_PROBLEM,
				 DUET_ICMP4_PARAMPROB_POINTER, pointer);
		stack_drop(stack, pkt, DUET_CTR_DROP_IP4_BAD_OPTION);
		return;
	}
	/* Source-routed datagrams are refused, as Linux does by default
	 * (accept_source_route=0): duet does not reverse routes (RFC 1122
	 * §3.2.1.8 (c) is then moot) and a host is no relay for them. */
	if (is_srr) {
		stack_drop(stack, pkt, DUET_CTR_DROP_IP4_SOURCE_ROUTE);
		return;
	}
	if (duet_ip4_is_fragment(&h))
		ip4_reass(stack, pkt, &h, &info);
	else
		ip4_deliver(stack, pkt, &h, &info);
}

void ip4_rcv(struct duet_stack *stack, struct duet_iface *ifp, struct duet_pkt *pkt,
	     const struct duet_eth_hdr *eth)
{
	ip4_input_datagram(stack, pkt, ifp->ifindex, duet_eth_is_multicast(eth->dst));
}

void ip4_local_enqueue(struct duet_stack *stack, struct duet_pkt *pkt, uint32_t ifindex)
{
	struct ip4_state *st = ip4_state_of(stack);
	uint64_t now = duet_stack_now(stack);

	pkt->ifindex = ifindex;
	pkt->time_ns = now;
	if (duet_pktq_push(&st->local_q, pkt) != 0) {
		stack_drop(stack, pkt, DUET_CTR_DROP_IP4_LOCAL_QUEUE_FULL);
		return;
	}
	stack_count(stack, DUET_CTR_IP4_OUT_LOCAL);
	if (!st->local_timer.is_armed)
		duet_tw_arm(&stack->timers, &st->local_timer, now);
}

void ip4_local_timer(struct duet_timer *timer, void *arg)
{
	struct duet_stack *stack = arg;
	struct ip4_state *st = ip4_state_of(stack);
	uint32_t budget = st->local_q.len;

	(void)timer;
	/* Only what was queued before this run: what its processing queues
	 * (a reply to ourselves) runs when the timer fires again. */
	for (; budget; budget--) {
		struct duet_pkt *pkt = duet_pktq_pop(&st->local_q);
		ip4_input_datagram(stack, pkt, pkt->ifindex, false);
	}
	if (st->local_q.len && !st->local_timer.is_armed)
		duet_tw_arm(&stack->timers, &st->local_timer, duet_stack_now(stack));
}

void ip4_reass_time_exceeded(void *ctx, const struct reass_key *key, struct duet_pkt *first)
{
	struct duet_stack *stack = ctx;
	struct duet_ip4_hdr h;
	struct ip4_rx_info info;
	struct duet_cur c;

	(void)key;
	duet_cur_init(&c, duet_pkt_data(first), first->len);
	if (duet_ip4_parse_quoted(&c, &h) == 0) {
		ip4_rx_info_fill(stack, &h, first->head, first->ifindex, &info);
		icmp4_send_error(stack, first, &info, DUET_ICMP4_TIME_EXCEEDED,
				 DUET_ICMP4_TIMXCEED_REASS, 0);
	}
	duet_pkt_free(first);
}
