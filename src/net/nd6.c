/* duet — IPv6 Neighbour Discovery messages and neighbour cache glue (RFC 4861
 * §4, §6.1, §7; RFC 4862 §5.4.3 DAD input; RFC 6980 no fragmented ND). */
#include "net/nd6_internal.h"

#include <duet/addr.h>
#include <duet/csum.h>
#include <duet/wire/errors.h>
#include <duet/wire/eth.h>
#include <duet/wire/icmp6.h>
#include <duet/wire/ip6.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ND6_PROTO_ICMP6 58u
#define ND6_OPT_LL_LEN 8u        /* an Ethernet link-layer address option */

static const uint8_t nd6_all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };
static const uint8_t nd6_all_routers[16] = { 0xff, 0x02, [15] = 0x02 };
static const uint8_t nd6_unspec[16];

/* --- link-layer output ---------------------------------------------------- */

/* neigh op: a resolved packet leaves towards lladdr. */
static void nd6_op_output(void *ctx, uint32_t ifindex, struct duet_pkt *pkt,
			  const uint8_t lladdr[6])
{
	ether_output(ctx, ifindex, pkt, lladdr, DUET_ETHERTYPE_IPV6);
}

/* neigh op: resolution failed; ICMPv6 address unreachable to the source
 * (RFC 4861 §7.2.2), quoting the packet (its IPv6 header at the data). */
static void nd6_op_unreachable(void *ctx, struct duet_pkt *pkt)
{
	struct duet_stack *stack = ctx;
	struct ip6_rx_info info;
	struct duet_ip6_hdr h;
	struct duet_cur c;

	duet_cur_init(&c, duet_pkt_data(pkt), pkt->len);
	if (duet_ip6_parse(&c, &h) == 0) {
		memset(&info, 0, sizeof(info));
		memcpy(info.src, h.src, 16);
		memcpy(info.dst, h.dst, 16);
		info.hop_limit = h.hop_limit;
		info.ifindex = pkt->ifindex;
		info.nh_off = pkt->head;
		icmp6_send_error(stack, pkt, &info, DUET_ICMP6_DST_UNREACH, DUET_ICMP6_DU_ADDR, 0);
	}
	duet_pkt_free(pkt);
}

/* neigh op: a router became a host (NA with R=0): it leaves the Default
 * Router List (RFC 4861 §7.2.5), i.e. its default route goes. */
static void nd6_op_router_lost(void *ctx, uint32_t ifindex, const uint8_t *addr)
{
	struct duet_stack *stack = ctx;

	route_del(&stack->net->rt6, nd6_unspec, 0, ifindex, addr);
}

int nd6_output(struct duet_stack *stack, uint32_t ifindex, const uint8_t nexthop[16],
	       struct duet_pkt *pkt)
{
	struct duet_iface *dif = stack_iface(stack, ifindex);
	uint8_t mac[6];

	if (!dif) {
		stack_drop(stack, pkt, DUET_CTR_DROP_TX_NO_IFACE);
		return -ENODEV;
	}
	if (duet_addr6_is_multicast(nexthop)) {
		duet_eth_mcast_from_ip6(nexthop, mac); /* RFC 2464 §7 */
		return ether_output(stack, ifindex, pkt, mac, DUET_ETHERTYPE_IPV6);
	}
	/* A loopback link resolves nothing: frames go to its own address. */
	if (dif->link->flags & DUET_LINK_F_LOOPBACK)
		return ether_output(stack, ifindex, pkt, dif->link->hwaddr, DUET_ETHERTYPE_IPV6);
	return neigh_resolve(&stack->net->nd, ifindex, nexthop, pkt);
}

/* --- sending ND messages -------------------------------------------------- */

/* A packet for an ND message of len octets, or NULL (counted). */
static struct duet_pkt *nd6_alloc(struct duet_stack *stack, size_t len)
{
	struct duet_pkt *pkt = duet_pkt_alloc(stack->pool, DUET_PKT_HEADROOM, len);

	if (!pkt)
		stack_count(stack, DUET_CTR_ND6_TX_FAILED);
	return pkt;
}

/* Checksums the message in pkt and sends it from src to dst on ifindex with
 * hop limit 255 (RFC 4861 §6.1, §7.1: receivers check it). Takes pkt. */
static void nd6_xmit(struct duet_stack *stack, uint32_t ifindex, const uint8_t src[16],
		     const uint8_t dst[16], struct duet_pkt *pkt)
{
	struct ip6_out o;

	memset(&o, 0, sizeof(o));
	memcpy(o.src, src, 16);
	memcpy(o.dst, dst, 16);
	o.next_header = ND6_PROTO_ICMP6;
	o.hop_limit = 255;
	o.oif = ifindex;
	o.is_nd = true;
	o.is_dontfrag = true;
	duet_icmp6_csum_set(duet_pkt_data(pkt), pkt->len,
			    duet_csum_pseudo6(src, dst, pkt->len, ND6_PROTO_ICMP6));
	if (ip6_output(stack, pkt, &o) != 0)
		stack_count(stack, DUET_CTR_ND6_TX_FAILED);
}

/* Appends an Ethernet link-layer address option of type to w. */
static void nd6_put_lladdr(struct duet_stack *stack, uint32_t ifindex, uint8_t type,
			   struct duet_wcur *w)
{
	duet_nd_opt_lladdr_emit(type, stack_iface(stack, ifindex)->link->hwaddr, 6, w);
}

void nd6_send_ns(struct duet_stack *stack, uint32_t ifindex, const uint8_t src[16],
		 const uint8_t dst[16], const uint8_t target[16])
{
	/* RFC 4861 §4.3: no SLLA when the source is unspecified (DAD). */
	bool has_slla = !duet_addr6_is_unspecified(src);
	size_t len = DUET_ND_NS_LEN + (has_slla ? ND6_OPT_LL_LEN : 0);
	struct duet_pkt *pkt = nd6_alloc(stack, len);
	struct duet_nd_ns ns;
	struct duet_wcur w;

	if (!pkt)
		return;
	memset(&ns, 0, sizeof(ns));
	memcpy(ns.target, target, 16);
	duet_wcur_init(&w, duet_pkt_data(pkt), len);
	duet_nd_ns_emit(&ns, &w);
	if (has_slla)
		nd6_put_lladdr(stack, ifindex, DUET_ND_OPT_SOURCE_LLADDR, &w);
	stack_count(stack, DUET_CTR_ND6_TX_NS);
	nd6_xmit(stack, ifindex, src, dst, pkt);
}

/* Sends an NA for our address target to dst, with TLLA (RFC 4861 §7.2.4). */
static void nd6_send_na(struct duet_stack *stack, uint32_t ifindex, const uint8_t target[16],
			const uint8_t dst[16], bool is_solicited)
{
	size_t len = DUET_ND_NA_LEN + ND6_OPT_LL_LEN;
	struct duet_pkt *pkt = nd6_alloc(stack, len);
	struct duet_nd_na na;
	struct duet_wcur w;

	if (!pkt)
		return;
	memset(&na, 0, sizeof(na));
	na.s = is_solicited;
	na.o = true;   /* duet has no anycast addresses: always override */
	memcpy(na.target, target, 16);
	duet_wcur_init(&w, duet_pkt_data(pkt), len);
	duet_nd_na_emit(&na, &w);
	nd6_put_lladdr(stack, ifindex, DUET_ND_OPT_TARGET_LLADDR, &w);
	stack_count(stack, DUET_CTR_ND6_TX_NA);
	nd6_xmit(stack, ifindex, target, dst, pkt);
}

void nd6_send_rs(struct duet_stack *stack, uint32_t ifindex, const uint8_t src[16])
{
	/* RFC 4861 §4.1: no SLLA from the unspecified address. */
	bool has_slla = !duet_addr6_is_unspecified(src);
	size_t len = DUET_ND_RS_LEN + (has_slla ? ND6_OPT_LL_LEN : 0);
	struct duet_pkt *pkt = nd6_alloc(stack, len);
	struct duet_nd_rs rs;
	struct duet_wcur w;

	if (!pkt)
		return;
	memset(&rs, 0, sizeof(rs));
	duet_wcur_init(&w, duet_pkt_data(pkt), len);
	duet_nd_rs_emit(&rs, &w);
	if (has_slla)
		nd6_put_lladdr(stack, ifindex, DUET_ND_OPT_SOURCE_LLADDR, &w);
	stack_count(stack, DUET_CTR_ND6_TX_RS);
	nd6_xmit(stack, ifindex, src, nd6_all_routers, pkt);
}

/* neigh op: solicit target, multicast to its solicited-node group or as a
 * unicast probe (RFC 4861 §7.2.2, §7.3.3), from an address of ifindex. */
static void nd6_op_solicit(void *ctx, uint32_t ifindex, const uint8_t *target,
			   const uint8_t *unicast_lladdr)
{
	struct duet_stack *stack = ctx;
	uint8_t src[16], dst[16];

	if (ip6_select_source(stack, target, ifindex, src) != 0) {
		stack_count(stack, DUET_CTR_ND6_TX_FAILED);
		return;
	}
	if (unicast_lladdr)
		memcpy(dst, target, 16);
	else
		duet_addr6_solicited_node(target, dst);
	nd6_send_ns(stack, ifindex, src, dst, target);
}

bool nd6_linklocal(struct duet_stack *stack, uint32_t ifindex, uint8_t out[16])
{
	struct net_if *ifp = net_if_get(stack, ifindex);
	unsigned i;

	for (i = 0; ifp && i < DUET_IFA_MAX; i++) {
		const struct net_addr *a = &ifp->a6[i];
		if (a->is_used && duet_addr6_is_linklocal(a->addr) &&
		    !(a->flags & (DUET_IFA_F_TENTATIVE | DUET_IFA_F_DUPLICATE))) {
			memcpy(out, a->addr, 16);
			return true;
		}
	}
	return false;
}

/* --- input ---------------------------------------------------------------- */

int nd6_opts_scan(const uint8_t *options, size_t len, struct nd6_opts *out)
{
	struct duet_nd_opt_iter it;
	struct duet_nd_opt o;
	int r;

	memset(out, 0, sizeof(*out));
	duet_nd_opt_iter_init(&it, options, len);
	while ((r = duet_nd_opt_next(&it, &o)) == 1) {
		bool is_src = o.type == DUET_ND_OPT_SOURCE_LLADDR;
		if (!is_src && o.type != DUET_ND_OPT_TARGET_LLADDR)
			continue; /* §4.6: others are the caller's or ignored */
		if (duet_nd_opt_eth_addr(&o, is_src ? out->slla : out->tlla) != 0)
			return -EINVAL;
		if (is_src)
			out->has_slla = true;
		else
			out->has_tlla = true;
	}
	return r == 0 ? 0 : -EINVAL;
}

enum duet_counter nd6_parse_drop(int err)
{
	return err == -DUET_WE_TRUNCATED ? DUET_CTR_DROP_ND6_TRUNCATED : DUET_CTR_DROP_ND6_BAD_OPTION;
}

/* An NS from :: or an NA for one of our tentative addresses: DAD failure.
 * Returns true when target was such an address (the message is consumed). */
static bool nd6_dad_check(struct duet_stack *stack, uint32_t ifindex, struct net_addr *a)
{
	if (!a || (a->flags & (DUET_IFA_F_TENTATIVE | DUET_IFA_F_DUPLICATE)) !=
		  DUET_IFA_F_TENTATIVE)
		return false;
	addrconf_dad_failed(stack, ifindex, a);
	return true;
}

/* Checks an NS against RFC 4861 §7.1.1 beyond hop limit and code. Returns
 * 0 or the drop reason. */
static int nd6_ns_check(const struct duet_nd_ns *ns, const struct ip6_rx_info *info,
			const struct nd6_opts *opts, int scan_err)
{
	bool is_dad = duet_addr6_is_unspecified(info->src);

	if (duet_addr6_is_multicast(ns->target))
		return DUET_CTR_DROP_ND6_MCAST_TARGET;
	if (scan_err)
		return DUET_CTR_DROP_ND6_BAD_OPTION;
	if (is_dad && !duet_addr6_is_solicited_node(info->dst))
		return DUET_CTR_DROP_ND6_DAD_BAD_DST;
	if (is_dad && opts->has_slla)
		return DUET_CTR_DROP_ND6_DAD_SLLA;
	return 0;
}

/* Neighbour Solicitation (RFC 4861 §7.2.3; RFC 4862 §5.4.3). */
static void nd6_ns_input(struct duet_stack *stack, struct duet_pkt *pkt,
			 const struct ip6_rx_info *info)
{
	bool is_dad = duet_addr6_is_unspecified(info->src);
	struct net_if *ifp = net_if_get(stack, info->ifindex);
	struct duet_nd_ns ns;
	struct nd6_opts opts;
	struct net_addr *a;
	struct duet_cur c;
	uint8_t target[16];
	int reason, err;

	duet_cur_init(&c, duet_pkt_data(pkt), pkt->len);
	err = duet_nd_ns_parse(&c, &ns);
	if (err) {
		stack_drop(stack, pkt, nd6_parse_drop(err));
		return;
	}
	reason = nd6_ns_check(&ns, info, &opts, nd6_opts_scan(ns.options, ns.options_len, &opts));
	if (reason) {
		stack_drop(stack, pkt, (enum duet_counter)reason);
		return;
	}
	a = net_if_find_addr(ifp, 16, ns.target);
	if (!a) {
		stack_drop(stack, pkt, DUET_CTR_DROP_ND6_NOT_OUR_TARGET);
		return;
	}
	if (is_dad && nd6_dad_check(stack, info->ifindex, a)) {
		duet_pkt_free(pkt);
		return;
	}
	if (a->flags & (DUET_IFA_F_TENTATIVE | DUET_IFA_F_DUPLICATE)) {
		stack_drop(stack, pkt, DUET_CTR_DROP_ND6_TENTATIVE_TARGET);
		return;
	}
	if (!is_dad && opts.has_slla)
		neigh_update(&stack->net->nd, info->ifindex, info->src, opts.slla, 0);
	memcpy(target, ns.target, 16);
	duet_pkt_free(pkt);
	/* §7.2.4: to the soliciting node, or to all-nodes with S=0 for DAD. */
	nd6_send_na(stack, info->ifindex, target, is_dad ? nd6_all_nodes : info->src, !is_dad);
}

/* Neighbour Advertisement (RFC 4861 §7.1.2, §7.2.5; RFC 4862 §5.4.4). */
static void nd6_na_input(struct duet_stack *stack, struct duet_pkt *pkt,
			 const struct ip6_rx_info *info)
{
	struct net_if *ifp = net_if_get(stack, info->ifindex);
	struct duet_nd_na na;
	struct nd6_opts opts;
	struct net_addr *a;
	struct duet_cur c;
	unsigned flags;
	int err;

	duet_cur_init(&c, duet_pkt_data(pkt), pkt->len);
	err = duet_nd_na_parse(&c, &na);
	if (err) {
		stack_drop(stack, pkt, nd6_parse_drop(err));
		return;
	}
	if (duet_addr6_is_multicast(na.target)) {
		stack_drop(stack, pkt, DUET_CTR_DROP_ND6_MCAST_TARGET);
		return;
	}
	if (info->is_multicast_dst && na.s) {
		stack_drop(stack, pkt, DUET_CTR_DROP_ND6_NA_MCAST_SOLICITED);
		return;
	}
	if (nd6_opts_scan(na.options, na.options_len, &opts) != 0) {
		stack_drop(stack, pkt, DUET_CTR_DROP_ND6_BAD_OPTION);
		return;
	}
	a = net_if_find_addr(ifp, 16, na.target);
	/* RFC 4862 §5.4.5: an address DAD found duplicate is not assigned to
	 * us; an NA for it is about its owner (RFC 4861 §7.2.5). */
	if (a && !(a->flags & DUET_IFA_F_DUPLICATE)) {
		if (!nd6_dad_check(stack, info->ifindex, a))
			stack_count(stack, DUET_CTR_ND6_NA_FOR_OUR_ADDR);
		duet_pkt_free(pkt);
		return;
	}
	flags = NEIGH_UPD_ADVERT | (na.s ? NEIGH_UPD_SOLICITED : 0) |
		(na.o ? NEIGH_UPD_OVERRIDE : 0) | (na.r ? NEIGH_UPD_ROUTER : 0);
	if (neigh_update(&stack->net->nd, info->ifindex, na.target,
			 opts.has_tlla ? opts.tlla : NULL, flags) == -ENOENT) {
		stack_drop(stack, pkt, DUET_CTR_DROP_ND6_NA_UNSOLICITED);
		return;
	}
	duet_pkt_free(pkt);
}

/* The checks every ND message passes first (RFC 4861 §6.1, §7.1, §8.1;
 * RFC 6980 §5). Returns 0 or the drop reason. */
static int nd6_common_check(struct duet_stack *stack, const struct duet_pkt *pkt,
			    const struct ip6_rx_info *info)
{
	const struct nd6_if *nif = nd6_if_get(stack, info->ifindex);

	if (!nif || !nif->is_up || !net_if_get(stack, info->ifindex))
		return DUET_CTR_DROP_ND6_NO_IFACE;
	if (info->was_fragmented)
		return DUET_CTR_DROP_ND6_FRAGMENTED;
	if (info->hop_limit != 255)
		return DUET_CTR_DROP_ND6_BAD_HOP_LIMIT;
	if (pkt->len < DUET_ICMP6_HDR_LEN)
		return DUET_CTR_DROP_ND6_TRUNCATED;
	if (duet_pkt_data((struct duet_pkt *)pkt)[1] != 0)
		return DUET_CTR_DROP_ND6_BAD_CODE;
	return 0;
}

void nd6_input(struct duet_stack *stack, struct duet_pkt *pkt, const struct ip6_rx_info *info)
{
	int reason = nd6_common_check(stack, pkt, info);

	stack_count(stack, DUET_CTR_ND6_RX);
	if (reason) {
		stack_drop(stack, pkt, (enum duet_counter)reason);
		return;
	}
	switch (duet_pkt_data(pkt)[0]) {
	case DUET_ICMP6_ND_NEIGHBOR_SOLICIT:
		nd6_ns_input(stack, pkt, info);
		break;
	case DUET_ICMP6_ND_NEIGHBOR_ADVERT:
		nd6_na_input(stack, pkt, info);
		break;
	case DUET_ICMP6_ND_ROUTER_ADVERT:
		nd6_ra_input(stack, pkt, info);
		break;
	case DUET_ICMP6_ND_REDIRECT:
		nd6_redirect_input(stack, pkt, info);
		break;
	default: /* RS: a host silently discards it (§6.2.6) */
		stack_drop(stack, pkt, DUET_CTR_DROP_ND6_RS_HOST);
		break;
	}
}

/* --- queries -------------------------------------------------------------- */

bool nd6_is_listening(struct duet_stack *stack, uint32_t ifindex, const uint8_t group[16])
{
	struct net_if *ifp = net_if_get(stack, ifindex);
	uint8_t sn[16];
	unsigned i;

	if (!ifp)
		return false;
	if (memcmp(group, nd6_all_nodes, 16) == 0)
		return true;
	if (!duet_addr6_is_solicited_node(group))
		return false;
	/* RFC 4862 §5.4.2: tentative addresses' groups are joined for DAD. */
	for (i = 0; i < DUET_IFA_MAX; i++) {
		if (!ifp->a6[i].is_used || (ifp->a6[i].flags & DUET_IFA_F_DUPLICATE))
			continue;
		duet_addr6_solicited_node(ifp->a6[i].addr, sn);
		if (memcmp(sn, group, 16) == 0)
			return true;
	}
	return false;
}

bool nd6_addr_is_usable(struct duet_stack *stack, uint32_t ifindex, const uint8_t addr[16])
{
	struct net_if *ifp = net_if_get(stack, ifindex);
	const struct net_addr *a = ifp ? net_if_find_addr(ifp, 16, addr) : NULL;

	return a && !(a->flags & (DUET_IFA_F_TENTATIVE | DUET_IFA_F_DUPLICATE));
}

void nd6_confirm(struct duet_stack *stack, uint32_t ifindex, const uint8_t addr[16])
{
	neigh_confirm(&stack->net->nd, ifindex, addr);
}

/* --- module life ---------------------------------------------------------- */

int nd6_init(struct duet_stack *stack)
{
	static const struct neigh_ops ops = {
		.solicit = nd6_op_solicit,
		.unreachable = nd6_op_unreachable,
		.output = nd6_op_output,
		.router_lost = nd6_op_router_lost,
	};
	struct nd6_state *st = calloc(1, sizeof(*st));
	struct neigh_config cfg;
	int err;

	if (!st)
		return -ENOMEM;
	st->max_ifindex = stack->max_ifaces;
	st->ifs = calloc((size_t)st->max_ifindex + 1, sizeof(*st->ifs));
	if (!st->ifs) {
		free(st);
		return -ENOMEM;
	}
	neigh_config_init(&cfg, 16);
	err = neigh_init(&stack->net->nd, stack, &cfg, &ops, stack);
	if (err) {
		free(st->ifs);
		free(st);
		return err;
	}
	stack->net->proto_state[NET_PROTO_ND6] = st;
	return 0;
}

void nd6_fini(struct duet_stack *stack)
{
	struct nd6_state *st = nd6_state(stack);
	uint32_t i;

	if (!st)
		return;
	for (i = 1; i <= st->max_ifindex; i++)
		addrconf_iface_down(stack, i);
	neigh_fini(&stack->net->nd);
	free(st->ifs);
	free(st);
	stack->net->proto_state[NET_PROTO_ND6] = NULL;
}

void nd6_iface_added(struct duet_stack *stack, uint32_t ifindex)
{
	addrconf_iface_up(stack, ifindex);
}

void nd6_iface_removed(struct duet_stack *stack, uint32_t ifindex)
{
	if (!nd6_state(stack))
		return;
	addrconf_iface_down(stack, ifindex);
	neigh_flush_iface(&stack->net->nd, ifindex);
}

void nd6_addr_added(struct duet_stack *stack, uint32_t ifindex, struct net_addr *a)
{
	addrconf_addr_added(stack, ifindex, a);
}

void nd6_addr_removed(struct duet_stack *stack, uint32_t ifindex, struct net_addr *a)
{
	addrconf_addr_removed(stack, ifindex, a);
}
