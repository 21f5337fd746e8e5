/* duet — IPv6 input (RFC 8200): header checks, the destination filter, and
 * the extension header dispatch loop (options RFC 8200 §4.2, Routing RFC
 * 5095, fragments RFC 8200 §4.5 with RFC 6946 and RFC 7112), then delivery
 * to the upper-layer table. */
#include "net/ip6_internal.h"

#include "net/mld6.h"
#include "net/nd6.h"

#include <duet/addr.h>
#include <duet/link.h>
#include <duet/byteorder.h>
#include <duet/wire/errors.h>
#include <duet/wire/icmp6.h>
#include <duet/wire/ip6.h>
#include <duet/wire/ip6_ext.h>

#include <string.h>

/* The longest extension header chain followed (FreeBSD's ip6_hdrnestlimit
 * is 15; the chain after a Fragment header restarts nothing). */
#define IP6_IN_MAX_EXT 16
#define IP6_IN_MAX_REASS 2 /* a fragmented datagram inside a fragmented one */

/* A handler's answer when it is finished with the packet (delivered, queued
 * for reassembly, or dropped). Values 0..255 are the next header. */
#define IP6_IN_DONE (-1)

/* One packet on its way through the chain. Offsets count from the IPv6
 * header, which stays at pkt->head until delivery. */
struct ip6_walk {
	struct duet_pkt *pkt;
	struct ip6_rx_info info;
	uint32_t off;        /* the header being processed */
	uint32_t nh_ptr;     /* the byte that named it (Parameter Problem pointer) */
	unsigned n_ext;      /* extension headers seen */
	unsigned n_reass;    /* reassemblies this packet went through */
	bool is_restart;     /* the walk starts over on a reassembled datagram */
};

/* Reports a Parameter Problem about w's packet and drops it. */
static int ip6_in_param_problem(struct duet_stack *stack, struct ip6_walk *w, uint8_t code,
				uint32_t pointer, enum duet_counter reason)
{
	icmp6_send_error(stack, w->pkt, &w->info, DUET_ICMP6_PARAM_PROBLEM, code, pointer);
	stack_drop(stack, w->pkt, reason);
	return IP6_IN_DONE;
}

/* A cursor over the rest of the packet from w->off (empty if w->off lies
 * beyond the data: never a wrapped length). */
static void ip6_in_cursor(const struct ip6_walk *w, struct duet_cur *c)
{
	uint32_t off = w->off <= w->pkt->len ? w->off : w->pkt->len;

	duet_cur_init(c, duet_pkt_data(w->pkt) + off, w->pkt->len - off);
}

/* Applies one unrecognised option's action bits (RFC 8200 §4.2). Returns 0
 * to skip it, or IP6_IN_DONE when the packet was discarded. */
static int ip6_in_opt_unknown(struct duet_stack *stack, struct ip6_walk *w,
			      const struct duet_ip6_opt *o)
{
	switch (duet_ip6_opt_action(o->type)) {
	case DUET_IP6_OPT_SKIP:
		return 0;
	case DUET_IP6_OPT_DISCARD:
		break;
	case DUET_IP6_OPT_DISCARD_ICMP:
		return ip6_in_param_problem(stack, w, DUET_ICMP6_PP_OPTION,
					    w->off + (uint32_t)o->offset, DUET_CTR_DROP_IP6_OPT_DISCARD);
	case DUET_IP6_OPT_DISCARD_ICMP_UNLESS_MC:
		if (!w->info.is_multicast_dst)
			return ip6_in_param_problem(stack, w, DUET_ICMP6_PP_OPTION,
						    w->off + (uint32_t)o->offset,
						    DUET_CTR_DROP_IP6_OPT_DISCARD);
		break;
	}
	stack_drop(stack, w->pkt, DUET_CTR_DROP_IP6_OPT_DISCARD);
	return IP6_IN_DONE;
}

/* Hop-by-Hop and Destination Options: walks the TLVs; Pad1, PadN and (in
 * Hop-by-Hop) Router Alert are recognised, everything else goes by its
 * action bits. */
static int ip6_in_options(struct duet_stack *stack, struct ip6_walk *w, bool is_hbh)
{
	struct duet_cur c;
	struct duet_ip6_opthdr h;
	struct duet_ip6_opt_iter it;
	struct duet_ip6_opt o;
	int rc;

	ip6_in_cursor(w, &c);
	if (duet_ip6_opthdr_parse(&c, &h) != 0) {
		stack_drop(stack, w->pkt, DUET_CTR_DROP_IP6_BAD_EXT);
		return IP6_IN_DONE;
	}
	duet_ip6_opt_iter_init(&it, &h);
	while ((rc = duet_ip6_opt_next(&it, &o)) == 1) {
		if (o.type == DUET_IP6_OPT_PAD1 || o.type == DUET_IP6_OPT_PADN)
			continue;
		if (is_hbh && o.type == DUET_IP6_OPT_ROUTER_ALERT) {
			/* RFC 2711: value 0 is MLD (RFC 3810 §5 asks for it). */
			w->info.has_mld_router_alert |= o.router_alert == 0;
			continue;
		}
		if (ip6_in_opt_unknown(stack, w, &o) == IP6_IN_DONE)
			return IP6_IN_DONE;
	}
	if (rc < 0) {
		stack_drop(stack, w->pkt, DUET_CTR_DROP_IP6_BAD_EXT);
		return IP6_IN_DONE;
	}
	w->nh_ptr = w->off;
	w->off += (uint32_t)duet_ip6_opthdr_len(&h);
	return h.next_header;
}

/* RFC 8200 §4.1: Hop-by-Hop only right after the IPv6 header. */
static int ip6_in_hbh(struct duet_stack *stack, struct ip6_walk *w)
{
	if (w->n_ext != 0)
		return ip6_in_param_problem(stack, w, DUET_ICMP6_PP_NEXT_HEADER, w->nh_ptr,
					    DUET_CTR_DROP_IP6_HBH_NOT_FIRST);
	return ip6_in_options(stack, w, true);
}

/* Routing header: ignored with Segments Left 0 (RFC 8200 §4.4). A host
 * forwards nothing, so every type with Segments Left > 0 is treated as
 * unrecognised — type 0 included, which must never be processed (RFC 5095
 * §3): Parameter Problem code 0 at the Routing Type. */
static int ip6_in_routing(struct duet_stack *stack, struct ip6_walk *w)
{
	struct duet_cur c;
	struct duet_ip6_rthdr h;

	ip6_in_cursor(w, &c);
	if (duet_ip6_rthdr_parse(&c, &h) != 0) {
		stack_drop(stack, w->pkt, DUET_CTR_DROP_IP6_BAD_EXT);
		return IP6_IN_DONE;
	}
	if (h.segments_left != 0)
		return ip6_in_param_problem(stack, w, DUET_ICMP6_PP_HEADER, w->off + 2,
					    DUET_CTR_DROP_IP6_ROUTING_HDR);
	w->nh_ptr = w->off;
	w->off += (uint32_t)duet_ip6_rthdr_len(&h);
	return h.next_header;
}

/* RFC 7112 §5: does the chain after a first fragment's Fragment header
 * (at c, starting with nh) reach an upper-layer header in this fragment? */
static bool ip6_in_chain_complete(struct duet_cur *c, uint8_t nh)
{
	struct duet_ip6_ext e;
	unsigned n;

	for (n = 0; n < IP6_IN_MAX_EXT; n++) {
		if (nh == DUET_IP6_NH_NONE || nh == DUET_IP6_NH_ESP || !duet_ip6_ext_is_known(nh))
			return duet_cur_left(c) > 0 || nh == DUET_IP6_NH_NONE;
		if (duet_ip6_ext_skip(c, nh, &e) != 0)
			return false;
		nh = e.next_header;
	}
	return false;
}

/* Hands a rejected fragment's Parameter Problem out and frees it (the
 * engine counted the drop). */
static int ip6_in_frag_reject(struct duet_stack *stack, struct ip6_walk *w,
			      enum reass_verdict v, const struct reass_frag *f)
{
	uint8_t code = v == REASS_CHAIN_INCOMPLETE ? DUET_ICMP6_PP_INCOMPLETE_CHAIN
						   : DUET_ICMP6_PP_HEADER;

	icmp6_send_error(stack, w->pkt, &w->info, DUET_ICMP6_PARAM_PROBLEM, code,
			 reass_param_pointer(v, f));
	duet_pkt_free(w->pkt);
	return IP6_IN_DONE;
}

static void ip6_in_frag_describe(const struct ip6_walk *w, const struct duet_ip6_frag_hdr *fh,
				 struct reass_frag *f)
{
	struct duet_cur c;

	memset(f, 0, sizeof(*f));
	f->offset_bytes = (uint32_t)fh->fragment_offset * 8u;
	f->has_more = fh->m;
	f->unfrag_off = 0;
	f->unfrag_len = w->off;
	f->payload_off = w->off + DUET_IP6_FRAG_HDR_LEN;
	f->payload_len = w->pkt->len - f->payload_off;
	f->nh_off = w->nh_ptr;
	f->next_header = fh->next_header;
	if (f->offset_bytes == 0) {
		duet_cur_init(&c, duet_pkt_data(w->pkt) + f->payload_off, f->payload_len);
		f->is_chain_incomplete = !ip6_in_chain_complete(&c, fh->next_header);
	}
}

/* Fragment header: into the reassembly engine; an atomic fragment goes on
 * alone (RFC 6946 §4); a completed datagram continues the walk where the
 * Fragment header was, which the engine removed. */
static int ip6_in_fragment(struct duet_stack *stack, struct ip6_walk *w)
{
	struct ip6_state *st = ip6_state(stack);
	struct duet_cur c;
	struct duet_ip6_frag_hdr fh;
	struct reass_frag f;
	struct reass_key key;
	struct duet_pkt *out = NULL;
	enum reass_verdict v;
	bool is_scoped = ip6_is_scoped(w->info.src) || ip6_is_scoped(w->info.dst);

	ip6_in_cursor(w, &c);
	if (duet_ip6_frag_parse(&c, &fh) != 0) {
		stack_drop(stack, w->pkt, DUET_CTR_DROP_IP6_BAD_EXT);
		return IP6_IN_DONE;
	}
	ip6_in_frag_describe(w, &fh, &f);
	reass_key_v6(&key, w->info.src, w->info.dst, fh.identification,
		     is_scoped ? w->info.ifindex : 0);
	v = reass_input(&st->reass, &key, &f, w->pkt, duet_stack_now(stack), &out);
	switch (v) {
	case REASS_ATOMIC: /* still "fragmented" for RFC 6980 §5 */
		w->info.was_fragmented = true;
		w->nh_ptr = w->off;
		w->off += DUET_IP6_FRAG_HDR_LEN;
		return fh.next_header;
	case REASS_COMPLETE:
		/* The datagram is the FIRST fragment's unfragmentable part and the
		 * whole payload, whatever the fragment that completed it carried
		 * before its Fragment header: walk it again from its IPv6 header
		 * (the Fragment header is gone, RFC 8200 §4.5). */
		w->pkt = out;
		w->info.nh_off = out->head;
		w->info.was_fragmented = true;
		w->off = DUET_IP6_HDR_LEN;
		w->nh_ptr = 6; /* the IPv6 header's Next Header byte */
		w->is_restart = true;
		return duet_pkt_data(out)[6];
	case REASS_HELD:
	case REASS_DROPPED:
		return IP6_IN_DONE;
	default:
		return ip6_in_frag_reject(stack, w, v, &f);
	}
}

/* Delivers to the upper layer, or answers an unknown Next Header with
 * Parameter Problem code 1 pointing at it (RFC 8200 §4). */
static void ip6_in_deliver(struct duet_stack *stack, struct ip6_walk *w, uint8_t nh)
{
	const struct ip6_state *st = ip6_state(stack);
	ip6_upper_fn fn = st->upper[nh];
	bool is_raw = false;

	if (st->raw && duet_pkt_pull(w->pkt, w->off)) { /* No Next Header too, as Linux */
		is_raw = st->raw(stack, w->pkt, &w->info, nh);
		duet_pkt_push(w->pkt, w->off);
	}
	if (nh == DUET_IP6_NH_NONE) { /* RFC 8200 §4.7: nothing follows */
		stack_drop(stack, w->pkt, DUET_CTR_DROP_IP6_NO_NEXT_HEADER);
		return;
	}
	if (!fn && is_raw) { /* a raw socket's protocol: no Parameter Problem (Linux) */
		stack_count_pkt(stack, w->pkt, DUET_CTR_IP6_IN_DELIVERS);
		duet_pkt_free(w->pkt);
		return;
	}
	if (!fn) {
		stack_count_pkt(stack, w->pkt, DUET_CTR_IP6_IN_UNKNOWN_PROTOS);
		ip6_in_param_problem(stack, w, DUET_ICMP6_PP_NEXT_HEADER, w->nh_ptr,
				     DUET_CTR_DROP_IP6_UNKNOWN_NH);
		return;
	}
	if (!duet_pkt_pull(w->pkt, w->off)) {
		stack_drop(stack, w->pkt, DUET_CTR_DROP_IP6_BAD_EXT);
		return;
	}
	stack_count_pkt(stack, w->pkt, DUET_CTR_IP6_IN_DELIVERS);
	fn(stack, w->pkt, &w->info);
}

/* The dispatch loop: each handler returns the next header or IP6_IN_DONE. */
static void ip6_in_walk(struct duet_stack *stack, struct ip6_walk *w, int nh)
{
	while (nh != IP6_IN_DONE) {
		int next;

		switch (nh) {
		case DUET_IP6_NH_HOPOPTS:
			next = ip6_in_hbh(stack, w);
			break;
		case DUET_IP6_NH_DSTOPTS:
			next = ip6_in_options(stack, w, false);
			break;
		case DUET_IP6_NH_ROUTING:
			next = ip6_in_routing(stack, w);
			break;
		case DUET_IP6_NH_FRAGMENT:
			next = ip6_in_fragment(stack, w);
			break;
		default:
			ip6_in_deliver(stack, w, (uint8_t)nh);
			return;
		}
		if (w->is_restart) {
			/* A reassembled datagram is walked from its first header; a
			 * fragment inside a fragment may nest, but only so far. */
			w->is_restart = false;
			w->n_ext = 0;
			if (++w->n_reass > IP6_IN_MAX_REASS) {
				stack_drop(stack, w->pkt, DUET_CTR_DROP_IP6_TOO_MANY_EXT);
				return;
			}
		} else if (next != IP6_IN_DONE && ++w->n_ext > IP6_IN_MAX_EXT) {
			stack_drop(stack, w->pkt, DUET_CTR_DROP_IP6_TOO_MANY_EXT);
			return;
		}
		nh = next;
	}
}

/* RFC 4291 §2.7: a multicast source is invalid; ::1 never comes from a wire
 * (§2.5.3). Weak host model (as Linux): any interface's usable address is
 * ours, but a scoped one only on its own link. */

/* A packet that may be MLD (behind a Hop-by-Hop header, or ICMPv6) passes
 * the group filter whatever its source: a Query for a group joined in
 * INCLUDE mode comes from a router not on the list (RFC 3810 §6.2). */
static bool ip6_may_be_mld(const struct duet_ip6_hdr *h)
{
	return h->next_header == DUET_IP6_NH_HOPOPTS || h->next_header == DUET_IP6_NH_ICMPV6;
}

static enum duet_counter ip6_in_check_addrs(struct duet_stack *stack, struct duet_iface *ifp,
					    const struct duet_ip6_hdr *h)
{
	uint32_t owner;

	if (duet_addr6_is_multicast(h->src) ||
	    (duet_addr6_is_loopback(h->src) && !(ifp->link->flags & DUET_LINK_F_LOOPBACK)))
		return DUET_CTR_DROP_IP6_BAD_SRC;
	if (duet_addr6_is_multicast(h->dst))
		return nd6_is_listening(stack, ifp->ifindex, h->dst) ||
				       mld6_is_member(stack, ifp->ifindex, h->dst,
						      ip6_may_be_mld(h) ? NULL : h->src)
			       ? DUET_CTR__COUNT : DUET_CTR_DROP_IP6_NOT_FOR_US;
	/* RFC 4291 §2.5.3: ::1 must never be accepted from a non-loopback link
	 * (it would reach services bound to localhost). */
	if (duet_addr6_is_loopback(h->dst) && !(ifp->link->flags & DUET_LINK_F_LOOPBACK))
		return DUET_CTR_DROP_IP6_NOT_FOR_US;
	/* On the loopback link, every address of ours arrives (sent to
	 * ourselves), scoped ones included. */
	owner = ifp->link->flags & DUET_LINK_F_LOOPBACK
			? net_local_ifindex(stack, 16, h->dst)
			: net_local_owner(stack, 16, h->dst, ifp->ifindex);
	if (!owner || !nd6_addr_is_usable(stack, owner, h->dst))
		return DUET_CTR_DROP_IP6_NOT_FOR_US;
	return DUET_CTR__COUNT;
}

static enum duet_counter ip6_in_parse_error(int err)
{
	if (err == -DUET_WE_BAD_VERSION)
		return DUET_CTR_DROP_IP6_BAD_VERSION;
	if (err == -DUET_WE_TRUNCATED)
		return DUET_CTR_DROP_IP6_TRUNCATED;
	return DUET_CTR_DROP_IP6_BAD_LENGTH;
}

void ip6_input(struct duet_stack *stack, struct duet_iface *ifp, struct duet_pkt *pkt,
	       const struct duet_eth_hdr *eth)
{
	struct duet_cur c;
	struct duet_ip6_hdr h;
	struct ip6_walk w;
	enum duet_counter why;
	int err;

	stack_count_pkt(stack, pkt, DUET_CTR_IP6_IN_RECEIVES);
	duet_cur_init(&c, duet_pkt_data(pkt), pkt->len);
	err = duet_ip6_parse(&c, &h);
	if (err) {
		stack_count_pkt(stack, pkt, DUET_CTR_IP6_IN_HDR_ERRORS);
		stack_drop(stack, pkt, ip6_in_parse_error(err));
		return;
	}
	duet_pkt_trim(pkt, DUET_IP6_HDR_LEN + h.payload_length); /* link padding */
	why = ip6_in_check_addrs(stack, ifp, &h);
	if (why != DUET_CTR__COUNT) {
		stack_count(stack, why == DUET_CTR_DROP_IP6_BAD_SRC ? DUET_CTR_IP6_IN_HDR_ERRORS
								  : DUET_CTR_IP6_IN_ADDR_ERRORS);
		stack_drop(stack, pkt, why);
		return;
	}
	memset(&w, 0, sizeof(w));
	w.pkt = pkt;
	memcpy(w.info.src, h.src, 16);
	memcpy(w.info.dst, h.dst, 16);
	w.info.hop_limit = h.hop_limit;
	w.info.tclass = h.traffic_class;
	w.info.flow_label = h.flow_label;
	w.info.ifindex = ifp->ifindex;
	w.info.nh_off = pkt->head;
	w.info.is_multicast_dst = duet_addr6_is_multicast(h.dst);
	w.info.is_link_multicast = duet_eth_is_multicast(eth->dst);
	pkt->ifindex = ifp->ifindex;
	w.off = DUET_IP6_HDR_LEN;
	w.nh_ptr = 6; /* the IPv6 header's Next Header */
	ip6_in_walk(stack, &w, h.next_header);
}

void ip6_in_time_exceeded(void *ctx, const struct reass_key *key, struct duet_pkt *first)
{
	struct duet_stack *stack = ctx;
	struct ip6_rx_info info;

	memset(&info, 0, sizeof(info));
	memcpy(info.src, key->src, 16);
	memcpy(info.dst, key->dst, 16);
	info.ifindex = first->ifindex;
	info.nh_off = first->head;
	info.is_multicast_dst = duet_addr6_is_multicast(key->dst);
	if (first->len >= DUET_IP6_HDR_LEN)
		icmp6_send_error(stack, first, &info, DUET_ICMP6_TIME_EXCEEDED,
				 DUET_ICMP6_TE_REASSEMBLY, 0);
	duet_pkt_free(first);
}
