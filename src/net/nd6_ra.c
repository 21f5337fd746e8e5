/* duet — Router Advertisement and Redirect processing on a host: default
 * routes, on-link prefixes, link parameters, SLAAC hand-off (RFC 4861 §6.1.2,
 * §6.3.4, §8.1, §8.3; RFC 4862 §5.5.3). */
#include "net/nd6_internal.h"

#include <duet/addr.h>
#include <duet/clock.h>

#include <string.h>

static const uint8_t nd6_ra_zero[16];

/* Absolute expiry of a route lifetime of s seconds (0 = never). */
static uint64_t nd6_ra_expiry(struct duet_stack *stack, uint32_t s)
{
	return s == ND6_INFINITE ? 0 : duet_stack_now(stack) + (uint64_t)s * DUET_NS_PER_S;
}

/* The Default Router List as routes: ::/0 via the router, expiring with the
 * Router Lifetime; lifetime 0 removes it (§6.3.4). */
static void nd6_ra_default_route(struct duet_stack *stack, uint32_t ifindex,
				 const uint8_t router[16], uint16_t lifetime_s)
{
	struct route r;

	route_del(&stack->net->rt6, nd6_ra_zero, 0, ifindex, router);
	if (!lifetime_s)
		return;
	memset(&r, 0, sizeof(r));
	r.has_gateway = true;
	memcpy(r.gateway, router, 16);
	r.ifindex = ifindex;
	r.metric = ND6_DEFAULT_ROUTE_METRIC;
	r.origin = ROUTE_RA;
	r.expires_ns = nd6_ra_expiry(stack, lifetime_s);
	route_add(&stack->net->rt6, &r);
}

/* The Prefix List as routes (§6.3.4): an on-link prefix with its valid
 * lifetime; 0 removes it. An address's connected route of the same prefix
 * already covers it and is left alone. */
static void nd6_ra_onlink(struct duet_stack *stack, uint32_t ifindex,
			  const struct duet_nd_prefix_info *pi)
{
	const struct route *cur = route_lookup(&stack->net->rt6, pi->prefix, ifindex,
					       duet_stack_now(stack));
	struct route r;

	if (duet_addr6_is_linklocal(pi->prefix))
		return; /* §6.3.4: the link-local prefix is silently ignored */
	if (cur && cur->origin == ROUTE_CONNECTED && cur->plen == pi->prefix_length &&
	    !cur->has_gateway)
		return;
	route_del(&stack->net->rt6, pi->prefix, pi->prefix_length, ifindex, NULL);
	if (!pi->valid_lifetime)
		return;
	memset(&r, 0, sizeof(r));
	memcpy(r.prefix, pi->prefix, 16);
	r.plen = pi->prefix_length;
	r.ifindex = ifindex;
	r.metric = 256;
	r.origin = ROUTE_RA;
	r.expires_ns = nd6_ra_expiry(stack, pi->valid_lifetime);
	route_add(&stack->net->rt6, &r);
}

/* The MTU option: accepted between the IPv6 minimum and the link MTU. */
static void nd6_ra_mtu(struct duet_stack *stack, uint32_t ifindex, uint32_t mtu)
{
	struct net_if *ifp = net_if_get(stack, ifindex);
	const struct duet_iface *dif = stack_iface(stack, ifindex);

	if (ifp && dif && mtu >= ND6_MIN_MTU && mtu <= dif->link->mtu)
		ifp->mtu = mtu;
}

/* Applies the options other than link-layer addresses (already checked). */
static void nd6_ra_options(struct duet_stack *stack, uint32_t ifindex,
			   const uint8_t *options, size_t len)
{
	struct duet_nd_opt_iter it;
	struct duet_nd_opt o;

	duet_nd_opt_iter_init(&it, options, len);
	while (duet_nd_opt_next(&it, &o) == 1) {
		if (o.type == DUET_ND_OPT_MTU) {
			nd6_ra_mtu(stack, ifindex, o.u.mtu);
		} else if (o.type == DUET_ND_OPT_PREFIX_INFO) {
			if (o.u.prefix.l)
				nd6_ra_onlink(stack, ifindex, &o.u.prefix);
			if (o.u.prefix.a)
				addrconf_prefix_rcv(stack, ifindex, &o.u.prefix);
		}
	}
}

/* The RA's link parameters (§6.3.4): unspecified (0) fields change nothing. */
static void nd6_ra_params(struct duet_stack *stack, uint32_t ifindex, const struct duet_nd_ra *ra)
{
	struct net_if *ifp = net_if_get(stack, ifindex);
	struct nd6_if *nif = nd6_if_get(stack, ifindex);

	if (ra->cur_hop_limit) {
		ifp->hop_limit = ra->cur_hop_limit;
		ifp->has_ra_hop_limit = true;
	}
	if (ra->reachable_time && ra->reachable_time <= NEIGH_MAX_BASE_REACHABLE_MS)
		neigh_set_base_reachable(&stack->net->nd, ifindex, ra->reachable_time);
	if (ra->retrans_timer && neigh_set_retrans(&stack->net->nd, ifindex,
						   ra->retrans_timer) == 0)
		nif->retrans_ms = ra->retrans_timer;
}

void nd6_ra_input(struct duet_stack *stack, struct duet_pkt *pkt, const struct ip6_rx_info *info)
{
	struct nd6_if *nif = nd6_if_get(stack, info->ifindex);
	struct duet_nd_ra ra;
	struct nd6_opts opts;
	struct duet_cur c;
	int err;

	duet_cur_init(&c, duet_pkt_data(pkt), pkt->len);
	err = duet_nd_ra_parse(&c, &ra);
	if (err) {
		stack_drop(stack, pkt, nd6_parse_drop(err));
		return;
	}
	if (!duet_addr6_is_linklocal(info->src)) { /* §6.1.2 */
		stack_drop(stack, pkt, DUET_CTR_DROP_ND6_NOT_LINKLOCAL);
		return;
	}
	if (nd6_opts_scan(ra.options, ra.options_len, &opts) != 0) {
		stack_drop(stack, pkt, DUET_CTR_DROP_ND6_BAD_OPTION);
		return;
	}
	stack_count(stack, DUET_CTR_ND6_RA_ACCEPTED);
	nd6_ra_params(stack, info->ifindex, &ra);
	/* The router's entry: IsRouter set, SLLA as unsolicited information. */
	neigh_update(&stack->net->nd, info->ifindex, info->src, opts.has_slla ? opts.slla : NULL,
		     NEIGH_UPD_ROUTER | NEIGH_UPD_SET_ROUTER);
	nd6_ra_default_route(stack, info->ifindex, info->src, ra.router_lifetime);
	nd6_ra_options(stack, info->ifindex, ra.options, ra.options_len);
	/* §6.3.7: a valid RA from a router ends the solicitations. */
	if (ra.router_lifetime)
		duet_tw_cancel(&stack->timers, &nif->rs_timer);
	duet_pkt_free(pkt);
}

/* §8.1: the Redirect comes from the current first-hop router for the
 * destination; the target is link-local (a better router) or the
 * destination itself (on-link); the destination is not multicast. */
static bool nd6_redirect_valid(struct duet_stack *stack, const struct duet_nd_redirect *rd,
			       const struct ip6_rx_info *info)
{
	const struct route *r;

	if (duet_addr6_is_multicast(rd->destination))
		return false;
	if (!duet_addr6_is_linklocal(rd->target) && memcmp(rd->target, rd->destination, 16) != 0)
		return false;
	r = route_lookup(&stack->net->rt6, rd->destination, info->ifindex, duet_stack_now(stack));
	return r && r->has_gateway && r->ifindex == info->ifindex &&
	       memcmp(r->gateway, info->src, 16) == 0;
}

/* §8.3: a host route for the destination via the target (or on-link). */
static void nd6_redirect_route(struct duet_stack *stack, uint32_t ifindex,
			       const struct duet_nd_redirect *rd, bool is_onlink)
{
	struct route r;

	route_del(&stack->net->rt6, rd->destination, 128, ifindex, NULL);
	memset(&r, 0, sizeof(r));
	memcpy(r.prefix, rd->destination, 16);
	r.plen = 128;
	r.has_gateway = !is_onlink;
	if (!is_onlink)
		memcpy(r.gateway, rd->target, 16);
	r.ifindex = ifindex;
	r.origin = ROUTE_RA;
	route_add(&stack->net->rt6, &r);
}

void nd6_redirect_input(struct duet_stack *stack, struct duet_pkt *pkt,
			const struct ip6_rx_info *info)
{
	struct duet_nd_redirect rd;
	struct nd6_opts opts;
	struct duet_cur c;
	int err;
	bool is_onlink;

	duet_cur_init(&c, duet_pkt_data(pkt), pkt->len);
	err = duet_nd_redirect_parse(&c, &rd);
	if (err) {
		stack_drop(stack, pkt, nd6_parse_drop(err));
		return;
	}
	if (!duet_addr6_is_linklocal(info->src)) {
		stack_drop(stack, pkt, DUET_CTR_DROP_ND6_NOT_LINKLOCAL);
		return;
	}
	if (nd6_opts_scan(rd.options, rd.options_len, &opts) != 0) {
		stack_drop(stack, pkt, DUET_CTR_DROP_ND6_BAD_OPTION);
		return;
	}
	if (!nd6_redirect_valid(stack, &rd, info)) {
		stack_drop(stack, pkt, DUET_CTR_DROP_ND6_REDIRECT_INVALID);
		return;
	}
	is_onlink = memcmp(rd.target, rd.destination, 16) == 0;
	nd6_redirect_route(stack, info->ifindex, &rd, is_onlink);
	/* §8.3: the target's entry; IsRouter only when target != destination. */
	neigh_update(&stack->net->nd, info->ifindex, rd.target, opts.has_tlla ? opts.tlla : NULL,
		     is_onlink ? 0 : NEIGH_UPD_ROUTER | NEIGH_UPD_SET_ROUTER);
	stack_count(stack, DUET_CTR_ND6_REDIRECT_ACCEPTED);
	duet_pkt_free(pkt);
}
