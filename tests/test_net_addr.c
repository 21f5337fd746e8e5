/* Interface addresses (S-4, N-7): add and remove both families with their
 * connected routes, the O(1) local address table, tentative IPv6 addresses
 * (RFC 4862 §5.4), and the errors Linux gives. */
#include "check.h"

#include "net/net.h"

#include <duet/addr.h>
#include <duet/chanlink.h>
#include <duet/links.h>
#include <duet/net.h>

#include <errno.h>
#include <sys/socket.h>

static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };

static struct duet_stack *mk(int *eth, int *lo)
{
	struct duet_stack_config cfg;
	struct duet_loopback_config lc;
	struct duet_stack *s = NULL;
	struct duet_link *l;

	duet_stack_config_init(&cfg);
	cfg.is_ipv6_autoconf_off = true; /* only the addresses these tests add */
	cfg.is_loopback_off = true;       /* the tests add their own "lo" */
	CHECK_EQ(duet_stack_create(&cfg, &s), 0);
	CHECK_EQ(duet_chanlink_create(mac, 1500, 64, &l), 0);
	*eth = duet_stack_add_link(s, l, "eth0");
	duet_loopback_config_init(&lc);
	CHECK_EQ(duet_loopback_create(&lc, &l), 0);
	*lo = duet_stack_add_link(s, l, "lo");
	return s;
}

static void a6(const char *text, uint8_t out[16])
{
	CHECK_EQ(duet_addr6_pton(text, out), 0);
}

TEST(addr_add_both_families_with_routes)
{
	int eth, lo;
	struct duet_stack *s = mk(&eth, &lo);
	uint8_t v6[16], v4[4] = { 192, 0, 2, 1 }, dst[16];
	struct duet_ifaddr list[4];
	const struct route *r;

	a6("2001:db8::1", v6);
	CHECK_EQ(duet_if_addr_add(s, (uint32_t)eth, AF_INET6, v6, 64, 0), 0);
	CHECK_EQ(duet_if_addr_add(s, (uint32_t)eth, AF_INET, v4, 24, 0), 0);
	CHECK_EQ(net_local_ifindex(s, 16, v6), (uint32_t)eth);
	CHECK_EQ(net_local_ifindex(s, 4, v4), (uint32_t)eth);
	a6("2001:db8::77", dst);
	r = route_lookup(&s->net->rt6, dst, 0, 0);
	CHECK(r && r->ifindex == (uint32_t)eth && !r->has_gateway && r->plen == 64);
	CHECK(route_lookup(&s->net->rt4, (const uint8_t[]){ 192, 0, 2, 200 }, 0, 0) != NULL);
	CHECK_EQ(duet_if_addrs(s, (uint32_t)eth, list, 4), 2);
	CHECK_EQ(list[0].family, AF_INET);
	CHECK_EQ(list[1].family, AF_INET6);
	CHECK(list[1].flags & DUET_IFA_F_TENTATIVE); /* DAD first (RFC 4862) */
	CHECK_EQ(duet_if_addr_del(s, (uint32_t)eth, AF_INET6, v6), 0);
	CHECK(route_lookup(&s->net->rt6, dst, 0, 0) == NULL);
	CHECK_EQ(net_local_ifindex(s, 16, v6), 0);
	duet_stack_destroy(s);
}

/* Action: every kind of bad request. Response: Linux's errno for each. */
TEST(addr_errors)
{
	int eth, lo;
	struct duet_stack *s = mk(&eth, &lo);
	uint8_t v6[16], mc[16], one[16], v4m[16];
	const uint8_t bcast[4] = { 255, 255, 255, 255 };
	unsigned i;

	a6("2001:db8::1", v6);
	a6("ff02::1", mc);
	a6("::1", one);
	a6("::ffff:192.0.2.1", v4m);
	CHECK_EQ(duet_if_addr_add(s, 99, AF_INET6, v6, 64, 0), -ENODEV);
	CHECK_EQ(duet_if_addr_add(s, (uint32_t)eth, 12345, v6, 64, 0), -EAFNOSUPPORT);
	CHECK_EQ(duet_if_addr_add(s, (uint32_t)eth, AF_INET6, v6, 129, 0), -EINVAL);
	CHECK_EQ(duet_if_addr_add(s, (uint32_t)eth, AF_INET6, mc, 64, 0), -EINVAL);
	CHECK_EQ(duet_if_addr_add(s, (uint32_t)eth, AF_INET6, v4m, 96, 0), -EINVAL);
	CHECK_EQ(duet_if_addr_add(s, (uint32_t)eth, AF_INET6, one, 128, 0), -EINVAL);
	CHECK_EQ(duet_if_addr_add(s, (uint32_t)lo, AF_INET6, one, 128, DUET_IFA_F_NODAD), 0);
	CHECK_EQ(duet_if_addr_add(s, (uint32_t)eth, AF_INET, bcast, 32, 0), -EINVAL);
	CHECK_EQ(duet_if_addr_add(s, (uint32_t)eth, AF_INET6, v6, 64, 0), 0);
	CHECK_EQ(duet_if_addr_add(s, (uint32_t)eth, AF_INET6, v6, 64, 0), -EEXIST);
	CHECK_EQ(duet_if_addr_add(s, (uint32_t)lo, AF_INET6, v6, 64, 0), -EADDRINUSE);
	CHECK_EQ(duet_if_addr_del(s, (uint32_t)lo, AF_INET6, v6), -EADDRNOTAVAIL);
	for (i = 2; i <= DUET_IFA_MAX; i++) {
		v6[15] = (uint8_t)i;
		CHECK_EQ(duet_if_addr_add(s, (uint32_t)eth, AF_INET6, v6, 64, 0), 0);
	}
	v6[15] = 200;
	CHECK_EQ(duet_if_addr_add(s, (uint32_t)eth, AF_INET6, v6, 64, 0), -ENOSPC);
	duet_stack_destroy(s);
}

/* Two addresses on one prefix share the connected route: it stays until the
 * last goes; removing the interface removes everything. */
TEST(addr_shared_prefix_and_iface_removal)
{
	int eth, lo;
	struct duet_stack *s = mk(&eth, &lo);
	uint8_t a[16], b[16], dst[16];
	struct duet_ifaddr list[2];

	a6("2001:db8::1", a);
	a6("2001:db8::2", b);
	a6("2001:db8::99", dst);
	CHECK_EQ(duet_if_addr_add(s, (uint32_t)eth, AF_INET6, a, 64, DUET_IFA_F_NODAD), 0);
	CHECK_EQ(duet_if_addr_add(s, (uint32_t)eth, AF_INET6, b, 64, DUET_IFA_F_NODAD), 0);
	CHECK_EQ(duet_if_addr_del(s, (uint32_t)eth, AF_INET6, a), 0);
	CHECK(route_lookup(&s->net->rt6, dst, 0, 0) != NULL);
	CHECK_EQ(duet_if_addrs(s, 0, list, 2), 1);
	CHECK(!(list[0].flags & DUET_IFA_F_TENTATIVE));
	CHECK_EQ(duet_stack_remove_iface(s, (uint32_t)eth), 0);
	CHECK(route_lookup(&s->net->rt6, dst, 0, 0) == NULL);
	CHECK_EQ(net_local_ifindex(s, 16, b), 0);
	CHECK_EQ(duet_if_addrs(s, (uint32_t)eth, list, 2), -ENODEV);
	duet_stack_destroy(s);
}

/* Static routes through the public API (N-7): a default route via a gateway. */
TEST(route_public_api)
{
	int eth, lo;
	struct duet_stack *s = mk(&eth, &lo);
	uint8_t any[16] = { 0 }, gw[16], dst[16];
	const struct route *r;

	a6("fe80::1", gw);
	a6("2001:db8:ffff::1", dst);
	CHECK_EQ(duet_route_add(s, AF_INET6, any, 0, gw, (uint32_t)eth, 1024), 0);
	CHECK_EQ(duet_route_add(s, AF_INET6, any, 0, gw, (uint32_t)eth, 1024), -EEXIST);
	CHECK_EQ(duet_route_add(s, AF_INET6, any, 0, gw, 77, 1024), -ENODEV);
	CHECK_EQ(duet_route_add(s, 999, any, 0, gw, (uint32_t)eth, 1), -EAFNOSUPPORT);
	r = route_lookup(&s->net->rt6, dst, 0, 0);
	CHECK(r && r->has_gateway && memcmp(r->gateway, gw, 16) == 0);
	CHECK_EQ(duet_route_del(s, AF_INET6, any, 0, NULL, 0), 0);
	CHECK_EQ(duet_route_del(s, AF_INET6, any, 0, NULL, 0), -ESRCH);
	duet_stack_destroy(s);
}

/* Action: fe80::1 is added to eth0 and to a second interface; 2001:db8::7
 * to eth0 and then to the second one; fe80::1 is removed from eth0.
 * Response: the link-local address may sit on both (one per zone, RFC 4007
 * §6, as routers use fe80::1 on every link), each zone knowing its own;
 * the global one is refused on the second (-EADDRINUSE); removing fe80::1
 * from eth0 leaves the other zone's. */
TEST(addr_same_link_local_in_two_zones)
{
	int eth, lo, eth1;
	struct duet_stack *s = mk(&eth, &lo);
	struct duet_link *l;
	uint8_t ll[16], gl[16];
	static const uint8_t mac1[6] = { 0x02, 0, 0, 0, 0, 0x77 };

	CHECK_EQ(duet_chanlink_create(mac1, 1500, 64, &l), 0);
	eth1 = duet_stack_add_link(s, l, "eth1");
	CHECK(eth1 > 0);
	a6("fe80::1", ll);
	a6("2001:db8::7", gl);
	CHECK_EQ(duet_if_addr_add(s, (uint32_t)eth, AF_INET6, ll, 64, DUET_IFA_F_NODAD), 0);
	CHECK_EQ(duet_if_addr_add(s, (uint32_t)eth1, AF_INET6, ll, 64, DUET_IFA_F_NODAD), 0);
	CHECK_EQ(duet_if_addr_add(s, (uint32_t)eth, AF_INET6, gl, 64, DUET_IFA_F_NODAD), 0);
	CHECK_EQ(duet_if_addr_add(s, (uint32_t)eth1, AF_INET6, gl, 64, DUET_IFA_F_NODAD), -EADDRINUSE);
	CHECK_EQ(net_local_owner(s, 16, ll, (uint32_t)eth), (uint32_t)eth);
	CHECK_EQ(net_local_owner(s, 16, ll, (uint32_t)eth1), (uint32_t)eth1);
	CHECK_EQ(net_local_owner(s, 16, ll, (uint32_t)lo), 0);
	CHECK_EQ(net_local_owner(s, 16, gl, (uint32_t)eth1), (uint32_t)eth); /* weak host */
	CHECK_EQ(duet_if_addr_del(s, (uint32_t)eth, AF_INET6, ll), 0);
	CHECK_EQ(net_local_owner(s, 16, ll, (uint32_t)eth), 0);
	CHECK_EQ(net_local_owner(s, 16, ll, (uint32_t)eth1), (uint32_t)eth1);
	CHECK_EQ(net_local_ifindex(s, 16, ll), (uint32_t)eth1);
	duet_stack_destroy(s);
}
