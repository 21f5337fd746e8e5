/* Address autoconfiguration through the wire (N-4: RFC 4862 link-local and
 * SLAAC addresses with DAD, RFC 7217 stable-privacy identifiers; N-3 RFC
 * 4861 §6.3.7 Router Solicitation): a stack on a virtual clock with a
 * channel link; frames injected and captured. */
#include "nd6_fixture.h"

static const uint8_t router_ll[16] = { 0xfe, 0x80, [15] = 0x01 };
static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };

/* Action: an interface is added. Response: one fe80::/64 address, tentative,
 * whose identifier is not the EUI-64 of the MAC (RFC 7217 §5). */
TEST(addrconf_linklocal_formed_on_iface_add)
{
	struct fx f;
	struct duet_ifaddr a[4];

	fx_init(&f, 0x11);
	CHECK_EQ(fx_addrs6(&f, a, 4), 1);
	CHECK(duet_addr6_is_linklocal(a[0].addr));
	CHECK_EQ(a[0].plen, 64);
	CHECK(a[0].flags & DUET_IFA_F_TENTATIVE);
	CHECK(!(a[0].addr[11] == 0xff && a[0].addr[12] == 0xfe)); /* not EUI-64 */
	CHECK(!nd6_addr_is_usable(f.s, f.ifx, a[0].addr));
	fx_fini(&f);
}

/* Action: two stacks with the same secret, a third with another. Response:
 * the same link-local address twice (stable), a different one with the
 * other secret (RFC 7217 §5). */
TEST(addrconf_linklocal_stable_per_secret)
{
	struct fx f1, f2, f3;
	uint8_t a1[16], a2[16], a3[16];

	fx_init(&f1, 0x11);
	fx_init(&f2, 0x11);
	fx_init(&f3, 0x22);
	fx_linklocal(&f1, a1);
	fx_linklocal(&f2, a2);
	fx_linklocal(&f3, a3);
	CHECK_MEM(a1, a2, 16);
	CHECK(memcmp(a1, a3, 16) != 0);
	fx_fini(&f1);
	fx_fini(&f2);
	fx_fini(&f3);
}

/* Action: time passes with no other node. Response: one NS from :: to the
 * solicited-node group, hop limit 255, no options, within 1 s; the address
 * becomes usable RetransTimer (1 s) after it (RFC 4862 §5.4.2, §5.4.3). */
TEST(addrconf_dad_ns_then_usable)
{
	struct fx f;
	uint8_t ll[16], sn[16], mac[6];
	const struct fx_frame *ns;
	int i;

	fx_init(&f, 0x11);
	fx_linklocal(&f, ll);
	duet_addr6_solicited_node(ll, sn);
	fx_run_for(&f, FX_MS(1000));
	i = fx_find(&f, DUET_ICMP6_ND_NEIGHBOR_SOLICIT, 0);
	CHECK(i >= 0);
	if (i < 0)
		return;
	ns = &f.out[i];
	CHECK(ns->time_ns >= FX_T0_NS && ns->time_ns <= FX_T0_NS + FX_MS(1000));
	CHECK(duet_addr6_is_unspecified(ns->ip.src));
	CHECK_MEM(ns->ip.dst, sn, 16);
	CHECK_EQ(ns->ip.hop_limit, 255);
	CHECK_EQ(ns->len, DUET_ND_NS_LEN);          /* no SLLA from :: */
	CHECK_MEM(ns->msg + 8, ll, 16);
	duet_eth_mcast_from_ip6(sn, mac);
	CHECK_MEM(ns->eth_dst, mac, 6);
	CHECK(nd6_is_listening(f.s, f.ifx, sn));
	fx_run_until(&f, ns->time_ns + FX_MS(999));
	CHECK(!nd6_addr_is_usable(f.s, f.ifx, ll));
	fx_run_until(&f, ns->time_ns + FX_MS(1001));
	CHECK(nd6_addr_is_usable(f.s, f.ifx, ll));
	CHECK_EQ(duet_stack_counter(f.s, DUET_CTR_ADDRCONF_DAD_SUCCEEDED), 1);
	CHECK_EQ(fx_count_type(&f, DUET_ICMP6_ND_NEIGHBOR_SOLICIT), 1);
	fx_fini(&f);
}

/* Sends the conflict for the tentative address ll: an NA from its owner or
 * an NS from :: (another node doing DAD). */
static void conflict(struct fx *f, const uint8_t ll[16], bool by_ns)
{
	uint8_t msg[64], sn[16];
	size_t n;

	duet_addr6_solicited_node(ll, sn);
	if (by_ns) {
		n = fx_ns(msg, ll, false);
		fx_inject(f, (const uint8_t[16]){ 0 }, sn, 255, msg, n, false);
	} else {
		n = fx_na(msg, ll, false, false, true);
		fx_inject(f, router_ll, all_nodes, 255, msg, n, false);
	}
}

/* The conflict, checked: the old address is duplicate, a new one formed
 * with the next DAD counter (RFC 7217 §6) is tentative. */
static void check_conflict(bool by_ns)
{
	struct fx f;
	uint8_t ll[16];
	struct duet_ifaddr a[4];

	fx_init(&f, 0x11);
	fx_linklocal(&f, ll);
	fx_run_for(&f, FX_MS(500));
	conflict(&f, ll, by_ns);
	CHECK_EQ(duet_stack_counter(f.s, DUET_CTR_ADDRCONF_DAD_FAILED), 1);
	CHECK_EQ(duet_stack_counter(f.s, DUET_CTR_ADDRCONF_IID_RETRY), 1);
	CHECK_EQ(fx_addrs6(&f, a, 4), 2);
	CHECK_MEM(a[0].addr, ll, 16);
	CHECK(a[0].flags & DUET_IFA_F_DUPLICATE);
	CHECK(duet_addr6_is_linklocal(a[1].addr));
	CHECK(memcmp(a[1].addr, ll, 16) != 0);
	CHECK(a[1].flags & DUET_IFA_F_TENTATIVE);
	fx_run_for(&f, FX_S(3));
	CHECK(!nd6_addr_is_usable(f.s, f.ifx, ll));
	CHECK(nd6_addr_is_usable(f.s, f.ifx, a[1].addr));
	fx_fini(&f);
}

/* Action: an NA for the tentative link-local address arrives. Response:
 * DAD fails (RFC 4862 §5.4.4), a new identifier is tried and passes. */
TEST(addrconf_dad_conflict_by_na)
{
	check_conflict(false);
}

/* Action: an NS from :: for the tentative address arrives (another node is
 * doing DAD). Response: as for an NA (RFC 4862 §5.4.3). */
TEST(addrconf_dad_conflict_by_ns)
{
	check_conflict(true);
}

/* Action: every identifier tried collides. Response: IDGEN_RETRIES (3) new
 * identifiers, then no more: four duplicate addresses (RFC 7217 §6). */
TEST(addrconf_dad_retries_exhausted)
{
	struct fx f;
	struct duet_ifaddr a[8];
	int i, n;

	fx_init(&f, 0x11);
	for (i = 0; i < 5; i++) {
		n = fx_addrs6(&f, a, 8);
		conflict(&f, a[n - 1].addr, i % 2 == 0);
	}
	n = fx_addrs6(&f, a, 8);
	CHECK_EQ(n, 4);
	for (i = 0; i < n; i++)
		CHECK(a[i].flags & DUET_IFA_F_DUPLICATE);
	CHECK_EQ(duet_stack_counter(f.s, DUET_CTR_ADDRCONF_IID_RETRY), 3);
	fx_fini(&f);
}

/* Action: an RA with an autonomous /64 prefix (preferred 100 s, valid
 * 200 s). Response: a tentative AUTOCONF address from that prefix, usable
 * after DAD, deprecated at 100 s, removed at 200 s (RFC 4862 §5.5.3, §5.5.4). */
TEST(addrconf_slaac_address_lifetimes)
{
	struct fx f;
	struct duet_nd_ra ra = { .cur_hop_limit = 64, .router_lifetime = 1800 };
	struct duet_nd_prefix_info pi = { .prefix_length = 64, .l = true, .a = true,
					  .valid_lifetime = 200, .preferred_lifetime = 100 };
	struct duet_ifaddr a[4];
	uint8_t msg[256];
	uint64_t t_ra;
	size_t n;

	fx_init(&f, 0x11);
	fx_run_for(&f, FX_S(3));
	fx_a6("2001:db8:1::", pi.prefix);
	n = fx_ra(msg, &ra, 0, &pi);
	t_ra = duet_stack_now(f.s);
	fx_inject(&f, router_ll, all_nodes, 255, msg, n, false);
	CHECK_EQ(fx_addrs6(&f, a, 4), 2);
	CHECK(duet_addr_prefix_eq(a[1].addr, pi.prefix, 64));
	CHECK_EQ(a[1].flags & (DUET_IFA_F_AUTOCONF | DUET_IFA_F_TENTATIVE),
		 DUET_IFA_F_AUTOCONF | DUET_IFA_F_TENTATIVE);
	CHECK_EQ(duet_stack_counter(f.s, DUET_CTR_ADDRCONF_SLAAC_ADDED), 1);
	fx_run_for(&f, FX_S(3));
	CHECK(nd6_addr_is_usable(f.s, f.ifx, a[1].addr));
	fx_run_until(&f, t_ra + FX_S(100) - 1);
	fx_addrs6(&f, a, 4);
	CHECK(!(a[1].flags & DUET_IFA_F_DEPRECATED));
	fx_run_until(&f, t_ra + FX_S(100));
	fx_addrs6(&f, a, 4);
	CHECK(a[1].flags & DUET_IFA_F_DEPRECATED);
	fx_run_until(&f, t_ra + FX_S(200));
	CHECK_EQ(fx_addrs6(&f, a, 4), 1);
	CHECK_EQ(duet_stack_counter(f.s, DUET_CTR_ADDRCONF_EXPIRED), 1);
	fx_fini(&f);
}

/* Action: RAs shorten the valid lifetime of a SLAAC address. Response: the
 * two-hour rule (RFC 4862 §5.5.3 e): 10000 s → 7200 s, then unchanged. */
TEST(addrconf_slaac_two_hour_rule)
{
	struct fx f;
	struct duet_nd_ra ra = { .router_lifetime = 1800 };
	struct duet_nd_prefix_info pi = { .prefix_length = 64, .a = true,
					  .valid_lifetime = 10000, .preferred_lifetime = 60 };
	struct net_if *ifp;
	struct net_addr *sa = NULL;
	uint8_t msg[256];
	uint64_t t;
	size_t n;
	unsigned i;

	fx_init(&f, 0x11);
	fx_a6("2001:db8:2::", pi.prefix);
	n = fx_ra(msg, &ra, 0, &pi);
	fx_inject(&f, router_ll, all_nodes, 255, msg, n, false);
	ifp = net_if_get(f.s, f.ifx);
	for (i = 0; i < DUET_IFA_MAX; i++)
		if (ifp->a6[i].is_used && (ifp->a6[i].flags & DUET_IFA_F_AUTOCONF))
			sa = &ifp->a6[i];
	CHECK(sa != NULL);
	if (!sa)
		return;
	t = duet_stack_now(f.s);
	CHECK_EQ(sa->valid_until_ns, t + FX_S(10000));
	pi.valid_lifetime = 60;
	n = fx_ra(msg, &ra, 0, &pi);
	fx_inject(&f, router_ll, all_nodes, 255, msg, n, false);
	CHECK_EQ(sa->valid_until_ns, t + FX_S(7200));
	fx_run_for(&f, FX_S(10));
	fx_inject(&f, router_ll, all_nodes, 255, msg, n, false);
	CHECK_EQ(sa->valid_until_ns, t + FX_S(7200));
	fx_fini(&f);
}

/* Action: Prefix Information a host must not use: a /48, preferred above
 * valid, the link-local prefix. Response: no address, counted. */
TEST(addrconf_slaac_prefix_ignored)
{
	struct fx f;
	struct duet_nd_ra ra = { .router_lifetime = 0 };
	struct duet_nd_prefix_info pi = { .prefix_length = 48, .a = true,
					  .valid_lifetime = 100, .preferred_lifetime = 50 };
	struct duet_ifaddr a[4];
	uint8_t msg[256];
	size_t n;

	fx_init(&f, 0x11);
	fx_a6("2001:db8:3::", pi.prefix);
	n = fx_ra(msg, &ra, 0, &pi);
	fx_inject(&f, router_ll, all_nodes, 255, msg, n, false);
	pi.prefix_length = 64;
	pi.preferred_lifetime = 200;
	n = fx_ra(msg, &ra, 0, &pi);
	fx_inject(&f, router_ll, all_nodes, 255, msg, n, false);
	fx_a6("fe80::", pi.prefix);
	pi.preferred_lifetime = 50;
	n = fx_ra(msg, &ra, 0, &pi);
	fx_inject(&f, router_ll, all_nodes, 255, msg, n, false);
	CHECK_EQ(fx_addrs6(&f, a, 4), 1);
	CHECK_EQ(duet_stack_counter(f.s, DUET_CTR_ADDRCONF_PREFIX_IGNORED), 3);
	fx_fini(&f);
}

/* Action: the interface comes up and no router answers. Response: three RSs
 * to ff02::2, hop limit 255, 4 s apart, the first within 1 s from :: without
 * SLLA, the later ones from the usable link-local address with SLLA (RFC
 * 4861 §6.3.7, §4.1). */
TEST(addrconf_rs_on_start)
{
	struct fx f;
	uint8_t ll[16], all_routers[16];
	int i0, i1, i2;

	fx_init(&f, 0x11);
	fx_a6("ff02::2", all_routers);
	fx_linklocal(&f, ll);
	fx_run_for(&f, FX_S(20));
	CHECK_EQ(fx_count_type(&f, DUET_ICMP6_ND_ROUTER_SOLICIT), 3);
	i0 = fx_find(&f, DUET_ICMP6_ND_ROUTER_SOLICIT, 0);
	i1 = fx_find(&f, DUET_ICMP6_ND_ROUTER_SOLICIT, (unsigned)i0 + 1);
	i2 = fx_find(&f, DUET_ICMP6_ND_ROUTER_SOLICIT, (unsigned)i1 + 1);
	CHECK(i0 >= 0 && i1 > i0 && i2 > i1);
	if (i2 < 0)
		return;
	CHECK(f.out[i0].time_ns <= FX_T0_NS + FX_MS(1000));
	CHECK(duet_addr6_is_unspecified(f.out[i0].ip.src));
	CHECK_EQ(f.out[i0].len, DUET_ND_RS_LEN);
	CHECK_EQ(f.out[i1].time_ns - f.out[i0].time_ns, FX_S(4));
	CHECK_EQ(f.out[i2].time_ns - f.out[i1].time_ns, FX_S(4));
	CHECK_MEM(f.out[i1].ip.src, ll, 16);
	CHECK_EQ(f.out[i1].len, DUET_ND_RS_LEN + 8);
	CHECK_EQ(f.out[i1].msg[8], DUET_ND_OPT_SOURCE_LLADDR);
	CHECK_MEM(f.out[i1].msg + 10, fx_mac, 6);
	CHECK_MEM(f.out[i2].ip.dst, all_routers, 16);
	CHECK_EQ(f.out[i2].ip.hop_limit, 255);
	fx_fini(&f);
}
