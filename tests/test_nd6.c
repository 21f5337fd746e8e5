/* Neighbour Discovery through the wire (N-3: RFC 4861 NS/NA, resolution,
 * RA parameters, default routes, on-link prefixes, Redirect; validation of
 * every message, F-2: fragmented ND dropped per RFC 6980; N-7 routes from
 * RAs): a stack on a virtual clock with a channel link. */
#include "nd6_fixture.h"

static const uint8_t peer_ll[16] = { 0xfe, 0x80, [15] = 0x02 };
static const uint8_t router_ll[16] = { 0xfe, 0x80, [15] = 0x01 };
static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };
static const uint8_t unspec[16];

/* A stack with 2001:db8::1/64 (no DAD) and a usable link-local address. */
static void setup(struct fx *f, uint8_t addr[16])
{
	fx_init(f, 0x33);
	fx_a6("2001:db8::1", addr);
	CHECK_EQ(duet_if_addr_add(f->s, f->ifx, AF_INET6, addr, 64, DUET_IFA_F_NODAD), 0);
	fx_run_for(f, FX_S(3));
	f->nout = 0;
}

/* Action: an NS for our address from a link-local neighbour with SLLA.
 * Response: a solicited NA (S=1, O=1, R=0) with TLLA to the neighbour's
 * MAC, hop limit 255, from the target; the neighbour cached (RFC 4861
 * §7.2.3, §7.2.4). */
TEST(nd6_ns_for_our_address_answered)
{
	struct fx f;
	uint8_t addr[16], sn[16], msg[64];
	struct neigh_info ni;
	const struct fx_frame *na;
	size_t n;

	setup(&f, addr);
	duet_addr6_solicited_node(addr, sn);
	n = fx_ns(msg, addr, true);
	fx_inject(&f, peer_ll, sn, 255, msg, n, false);
	CHECK_EQ(f.nout, 1);
	na = &f.out[0];
	CHECK_EQ(na->msg[0], DUET_ICMP6_ND_NEIGHBOR_ADVERT);
	CHECK_EQ(na->msg[4], 0x60);                     /* R=0 S=1 O=1 */
	CHECK_MEM(na->msg + 8, addr, 16);
	CHECK_EQ(na->msg[24], DUET_ND_OPT_TARGET_LLADDR);
	CHECK_MEM(na->msg + 26, fx_mac, 6);
	CHECK_MEM(na->ip.src, addr, 16);
	CHECK_MEM(na->ip.dst, peer_ll, 16);
	CHECK_EQ(na->ip.hop_limit, 255);
	CHECK_MEM(na->eth_dst, fx_peer_mac, 6);
	CHECK_EQ(neigh_lookup(&f.s->net->nd, f.ifx, peer_ll, &ni), 0);
	CHECK_MEM(ni.lladdr, fx_peer_mac, 6);
	fx_fini(&f);
}

/* Action: an NS from :: for our (usable) address: another node's DAD.
 * Response: an NA to all-nodes with S=0 (RFC 4861 §7.2.4). */
TEST(nd6_dad_ns_for_our_address_answered_to_all_nodes)
{
	struct fx f;
	uint8_t addr[16], sn[16], msg[64];
	size_t n;

	setup(&f, addr);
	duet_addr6_solicited_node(addr, sn);
	n = fx_ns(msg, addr, false);
	fx_inject(&f, unspec, sn, 255, msg, n, false);
	CHECK_EQ(f.nout, 1);
	CHECK_EQ(f.out[0].msg[0], DUET_ICMP6_ND_NEIGHBOR_ADVERT);
	CHECK_EQ(f.out[0].msg[4], 0x20);                /* S=0 O=1 */
	CHECK_MEM(f.out[0].ip.dst, all_nodes, 16);
	fx_fini(&f);
}

/* Injects msg and checks it was dropped for reason with nothing sent. */
static void expect_drop(struct fx *f, const uint8_t src[16], const uint8_t dst[16], uint8_t hop,
			const uint8_t *msg, size_t n, bool is_frag, enum duet_counter reason)
{
	uint64_t before = duet_stack_counter(f->s, reason);

	f->nout = 0;
	fx_inject(f, src, dst, hop, msg, n, is_frag);
	if (duet_stack_counter(f->s, reason) != before + 1 || f->nout != 0)
		check_fail(__FILE__, __LINE__, "%s not counted, or %u frames sent",
			   duet_counter_name(reason), f->nout);
}

/* Action: invalid NS/NA/RA/RS: hop limit 254, code 1, a zero-length option,
 * an atomic fragment, a multicast target, DAD NS to a unicast destination
 * or with SLLA, a solicited NA to a multicast destination, an RA from a
 * global address, an RS. Response: each dropped with its counter, no reply
 * (RFC 4861 §6.1, §7.1; RFC 6980 §5). */
TEST(nd6_invalid_messages_dropped)
{
	struct fx f;
	uint8_t addr[16], sn[16], mc[16], msg[64], bad[64], global[16];
	struct duet_nd_ra ra = { .router_lifetime = 1800 };
	size_t n;

	setup(&f, addr);
	duet_addr6_solicited_node(addr, sn);
	n = fx_ns(msg, addr, true);
	expect_drop(&f, peer_ll, sn, 254, msg, n, false, DUET_CTR_DROP_ND6_BAD_HOP_LIMIT);
	memcpy(bad, msg, n);
	bad[1] = 1;
	expect_drop(&f, peer_ll, sn, 255, bad, n, false, DUET_CTR_DROP_ND6_BAD_CODE);
	memcpy(bad, msg, n);
	bad[25] = 0;                                     /* option Length 0 */
	expect_drop(&f, peer_ll, sn, 255, bad, n, false, DUET_CTR_DROP_ND6_BAD_OPTION);
	expect_drop(&f, peer_ll, sn, 255, msg, n, true, DUET_CTR_DROP_ND6_FRAGMENTED);
	expect_drop(&f, peer_ll, sn, 255, msg, n - 4, false, DUET_CTR_DROP_ND6_BAD_OPTION);
	fx_a6("ff02::1:2", mc);
	n = fx_ns(msg, mc, true);
	expect_drop(&f, peer_ll, sn, 255, msg, n, false, DUET_CTR_DROP_ND6_MCAST_TARGET);
	n = fx_ns(msg, addr, false);
	expect_drop(&f, unspec, addr, 255, msg, n, false, DUET_CTR_DROP_ND6_DAD_BAD_DST);
	n = fx_ns(msg, addr, true);
	expect_drop(&f, unspec, sn, 255, msg, n, false, DUET_CTR_DROP_ND6_DAD_SLLA);
	n = fx_na(msg, peer_ll, false, true, true);
	expect_drop(&f, peer_ll, all_nodes, 255, msg, n, false,
		    DUET_CTR_DROP_ND6_NA_MCAST_SOLICITED);
	fx_a6("2001:db8::99", global);
	n = fx_ra(msg, &ra, 0, NULL);
	expect_drop(&f, global, all_nodes, 255, msg, n, false, DUET_CTR_DROP_ND6_NOT_LINKLOCAL);
	expect_drop(&f, router_ll, all_nodes, 255, msg, n, true, DUET_CTR_DROP_ND6_FRAGMENTED);
	memset(msg, 0, 8);
	msg[0] = DUET_ICMP6_ND_ROUTER_SOLICIT;
	expect_drop(&f, peer_ll, all_nodes, 255, msg, 8, false, DUET_CTR_DROP_ND6_RS_HOST);
	CHECK_EQ(duet_stack_counter(f.s, DUET_CTR_ND6_RA_ACCEPTED), 0);
	fx_fini(&f);
}

/* Action: an echo to a link-local neighbour not in the cache, then its
 * solicited NA. Response: a multicast NS with SLLA from our link-local
 * address to the solicited-node group; after the NA the queued echo leaves
 * to the neighbour's MAC (RFC 4861 §7.2.2, §7.2.5). */
TEST(nd6_resolution_through_ns_na)
{
	struct fx f;
	uint8_t addr[16], ll[16], sn[16], msg[64];
	const struct fx_frame *ns;
	int i;
	size_t n;

	setup(&f, addr);
	fx_linklocal(&f, ll);
	CHECK_EQ(duet_echo_send(f.s, AF_INET6, peer_ll, f.ifx, 1, 1, 8), 0);
	fx_run_for(&f, 0);
	i = fx_find(&f, DUET_ICMP6_ND_NEIGHBOR_SOLICIT, 0);
	CHECK(i >= 0);
	if (i < 0)
		return;
	ns = &f.out[i];
	duet_addr6_solicited_node(peer_ll, sn);
	CHECK_MEM(ns->ip.dst, sn, 16);
	CHECK_MEM(ns->ip.src, ll, 16);
	CHECK_MEM(ns->msg + 8, peer_ll, 16);
	CHECK_EQ(ns->msg[24], DUET_ND_OPT_SOURCE_LLADDR);
	CHECK_EQ(fx_count_type(&f, DUET_ICMP6_ECHO_REQUEST), 0);
	n = fx_na(msg, peer_ll, false, true, true);
	fx_inject(&f, peer_ll, ll, 255, msg, n, false);
	i = fx_find(&f, DUET_ICMP6_ECHO_REQUEST, 0);
	CHECK(i >= 0);
	if (i >= 0)
		CHECK_MEM(f.out[i].eth_dst, fx_peer_mac, 6);
	fx_fini(&f);
}

/* Action: an RA with Cur Hop Limit 42, Reachable Time 20 s, Retrans Timer
 * 2 s, MTU 1400, Router Lifetime 1800 s, SLLA, an on-link prefix.
 * Response: hop limit, MTU, ReachableTime in [10, 30] s; ::/0 via the
 * router expiring in 1800 s; the prefix on-link with its valid lifetime;
 * the router cached as a router; no more RSs (RFC 4861 §6.3.4, §6.3.7). */
TEST(nd6_ra_sets_parameters_and_routes)
{
	struct fx f;
	struct duet_nd_ra ra = { .cur_hop_limit = 42, .router_lifetime = 1800,
				 .reachable_time = 20000, .retrans_timer = 2000 };
	struct duet_nd_prefix_info pi = { .prefix_length = 64, .l = true,
					  .valid_lifetime = 3600, .preferred_lifetime = 1800 };
	uint8_t msg[256], dst[16], onlink[16];
	const struct route *r;
	struct neigh_info ni;
	uint64_t now, rt;
	size_t n;

	fx_init(&f, 0x33);
	fx_a6("2001:db8:9::", pi.prefix);
	fx_a6("2001:db8:9::5", onlink);
	fx_a6("2001:4860::8888", dst);
	n = fx_ra(msg, &ra, 1400, &pi);
	fx_inject(&f, router_ll, all_nodes, 255, msg, n, false);
	now = duet_stack_now(f.s);
	CHECK_EQ(duet_stack_counter(f.s, DUET_CTR_ND6_RA_ACCEPTED), 1);
	CHECK_EQ(net_if_get(f.s, f.ifx)->hop_limit, 42);
	CHECK_EQ(net_if_get(f.s, f.ifx)->mtu, 1400);
	rt = neigh_reachable_time_ns(&f.s->net->nd, f.ifx);
	CHECK(rt >= FX_S(10) && rt <= FX_S(30));
	r = route_lookup(&f.s->net->rt6, dst, 0, now);
	CHECK(r && r->plen == 0 && r->has_gateway && r->origin == ROUTE_RA);
	if (r) {
		CHECK_MEM(r->gateway, router_ll, 16);
		CHECK_EQ(r->expires_ns, now + FX_S(1800));
		CHECK_EQ(r->metric, ND6_DEFAULT_ROUTE_METRIC);
	}
	r = route_lookup(&f.s->net->rt6, onlink, 0, now);
	CHECK(r && r->plen == 64 && !r->has_gateway);
	if (r)
		CHECK_EQ(r->expires_ns, now + FX_S(3600));
	CHECK_EQ(neigh_lookup(&f.s->net->nd, f.ifx, router_ll, &ni), 0);
	CHECK(ni.is_router);
	CHECK_MEM(ni.lladdr, fx_peer_mac, 6);
	f.nout = 0;
	fx_run_for(&f, FX_S(12));
	CHECK_EQ(fx_count_type(&f, DUET_ICMP6_ND_ROUTER_SOLICIT), 0);
	CHECK(route_lookup(&f.s->net->rt6, dst, 0, now + FX_S(1801)) == NULL); /* expired */
	fx_fini(&f);
}

/* Action: an RA with Router Lifetime 0 after one with 1800 s. Response: the
 * default route is gone (RFC 4861 §6.3.4). */
TEST(nd6_ra_lifetime_zero_removes_default_route)
{
	struct fx f;
	struct duet_nd_ra ra = { .router_lifetime = 1800 };
	uint8_t msg[256], dst[16];
	size_t n;

	fx_init(&f, 0x33);
	fx_a6("2001:4860::8888", dst);
	n = fx_ra(msg, &ra, 0, NULL);
	fx_inject(&f, router_ll, all_nodes, 255, msg, n, false);
	CHECK(route_lookup(&f.s->net->rt6, dst, 0, duet_stack_now(f.s)) != NULL);
	ra.router_lifetime = 0;
	n = fx_ra(msg, &ra, 0, NULL);
	fx_inject(&f, router_ll, all_nodes, 255, msg, n, false);
	CHECK(route_lookup(&f.s->net->rt6, dst, 0, duet_stack_now(f.s)) == NULL);
	fx_fini(&f);
}

/* Builds a Redirect for destination via target with a TLLA. */
static size_t redirect_msg(uint8_t *buf, const uint8_t target[16], const uint8_t dest[16])
{
	struct duet_nd_redirect rd;
	struct duet_wcur w;

	memset(&rd, 0, sizeof(rd));
	memcpy(rd.target, target, 16);
	memcpy(rd.destination, dest, 16);
	duet_wcur_init(&w, buf, 256);
	CHECK_EQ(duet_nd_redirect_emit(&rd, &w), 0);
	CHECK_EQ(duet_nd_opt_lladdr_emit(DUET_ND_OPT_TARGET_LLADDR, fx_peer_mac, 6, &w), 0);
	return w.off;
}

/* Action: a Redirect from a node that is not our router, then one from the
 * router naming a better first hop. Response: the first dropped; the second
 * installs a host route to the destination via the target and caches the
 * target's TLLA (RFC 4861 §8.1, §8.3). */
TEST(nd6_redirect_installs_host_route)
{
	struct fx f;
	struct duet_nd_ra ra = { .router_lifetime = 1800 };
	uint8_t addr[16], ll[16], msg[256], dest[16];
	const struct route *r;
	struct neigh_info ni;
	size_t n;

	setup(&f, addr);
	fx_linklocal(&f, ll);
	fx_a6("2001:4860::8888", dest);
	n = fx_ra(msg, &ra, 0, NULL);
	fx_inject(&f, router_ll, all_nodes, 255, msg, n, false);
	n = redirect_msg(msg, peer_ll, dest);
	expect_drop(&f, peer_ll, ll, 255, msg, n, false, DUET_CTR_DROP_ND6_REDIRECT_INVALID);
	fx_inject(&f, router_ll, ll, 255, msg, n, false);
	CHECK_EQ(duet_stack_counter(f.s, DUET_CTR_ND6_REDIRECT_ACCEPTED), 1);
	r = route_lookup(&f.s->net->rt6, dest, 0, duet_stack_now(f.s));
	CHECK(r && r->plen == 128 && r->has_gateway);
	if (r)
		CHECK_MEM(r->gateway, peer_ll, 16);
	CHECK_EQ(neigh_lookup(&f.s->net->nd, f.ifx, peer_ll, &ni), 0);
	CHECK(ni.is_router);
	CHECK_MEM(ni.lladdr, fx_peer_mac, 6);
	fx_fini(&f);
}

/* Action: an NA with R=0 from a router we have a default route through.
 * Response: the router leaves the Default Router List (RFC 4861 §7.2.5). */
TEST(nd6_na_router_flag_cleared_removes_default_route)
{
	struct fx f;
	struct duet_nd_ra ra = { .router_lifetime = 1800 };
	uint8_t addr[16], ll[16], msg[256], dst[16];
	size_t n;

	setup(&f, addr);
	fx_linklocal(&f, ll);
	fx_a6("2001:4860::8888", dst);
	n = fx_ra(msg, &ra, 0, NULL);
	fx_inject(&f, router_ll, all_nodes, 255, msg, n, false);
	CHECK(route_lookup(&f.s->net->rt6, dst, 0, duet_stack_now(f.s)) != NULL);
	n = fx_na(msg, router_ll, false, false, true);
	fx_inject(&f, router_ll, ll, 255, msg, n, false);
	CHECK(route_lookup(&f.s->net->rt6, dst, 0, duet_stack_now(f.s)) == NULL);
	fx_fini(&f);
}
