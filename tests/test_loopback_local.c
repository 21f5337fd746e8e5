/* The loopback interface and local delivery (N-7: loopback ::1 and
 * 127.0.0.1; packets to one's own addresses never leave on a link): a stack
 * with "lo" (the default) and eth0 on a channel link, pinging itself. */
#include "check.h"

#include "net/net.h"

#include <duet/addr.h>
#include <duet/chanlink.h>
#include <duet/clock.h>
#include <duet/net.h>

#include <errno.h>
#include <sys/socket.h>

static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };

struct lfx {
	struct duet_vclock vc;
	struct duet_stack *s;
	struct duet_link *link;
	uint32_t eth, lo;
	struct duet_echo_reply last;
	unsigned nreplies;
};

static void on_echo(void *ctx, const struct duet_echo_reply *r)
{
	struct lfx *f = ctx;

	f->last = *r;
	f->nreplies++;
}

static void run(struct lfx *f, uint64_t ns)
{
	uint64_t end = f->vc.now_ns + ns;
	unsigned guard;

	for (guard = 0; guard < 100000; guard++) {
		uint64_t next = duet_stack_poll(f->s);
		if (next > end)
			break;
		if (next > f->vc.now_ns)
			duet_vclock_set(&f->vc, next);
	}
	duet_vclock_set(&f->vc, end);
	duet_stack_poll(f->s);
}

static void drain(struct lfx *f)
{
	struct duet_pkt *p;

	while ((p = duet_chanlink_pop(f->link)) != NULL)
		duet_pkt_free(p);
}

/* eth0 with 2001:db8::1/64, fe80::1/64 and 192.0.2.2/24, settled (its MLD
 * reports sent and drained). */
static void setup(struct lfx *f, bool is_loopback_off)
{
	struct duet_stack_config cfg;
	uint8_t a[16];

	memset(f, 0, sizeof(*f));
	duet_vclock_init(&f->vc, DUET_NS_PER_S);
	duet_stack_config_init(&cfg);
	cfg.clock = &f->vc.clock;
	cfg.is_ipv6_autoconf_off = true;
	cfg.is_loopback_off = is_loopback_off;
	CHECK_EQ(duet_stack_create(&cfg, &f->s), 0);
	CHECK_EQ(duet_chanlink_create(mac, 1500, 256, &f->link), 0);
	f->eth = (uint32_t)duet_stack_add_link(f->s, f->link, "eth0");
	f->lo = is_loopback_off ? 0 : (uint32_t)duet_stack_ifindex(f->s, "lo");
	CHECK_EQ(duet_addr6_pton("2001:db8::1", a), 0);
	CHECK_EQ(duet_if_addr_add(f->s, f->eth, AF_INET6, a, 64, DUET_IFA_F_NODAD), 0);
	CHECK_EQ(duet_addr6_pton("fe80::1", a), 0);
	CHECK_EQ(duet_if_addr_add(f->s, f->eth, AF_INET6, a, 64, DUET_IFA_F_NODAD), 0);
	CHECK_EQ(duet_addr4_pton("192.0.2.2", a), 0);
	CHECK_EQ(duet_if_addr_add(f->s, f->eth, AF_INET, a, 24, 0), 0);
	duet_echo_set_handler(f->s, on_echo, f);
	run(f, 3 * DUET_NS_PER_S);
	drain(f);
}

/* Pings text (oif given) with data_len bytes and runs the stack. */
static void ping(struct lfx *f, int family, const char *text, uint32_t oif, uint32_t data_len)
{
	uint8_t a[16];

	if (family == AF_INET6)
		CHECK_EQ(duet_addr6_pton(text, a), 0);
	else
		CHECK_EQ(duet_addr4_pton(text, a), 0);
	CHECK_EQ(duet_echo_send(f->s, family, a, oif, 7, (uint16_t)f->nreplies, data_len), 0);
	run(f, DUET_NS_PER_MS);
	CHECK_MEM(f->last.from, a, family == AF_INET6 ? 16 : 4);
}

/* Action: a stack is created with the defaults, and one with
 * is_loopback_off. Response: the first has "lo" as interface 1 (as Linux)
 * with ::1/128 and 127.0.0.1/8; the second has no interface at all. */
TEST(loopback_interface_by_default)
{
	struct lfx f;
	struct duet_ifaddr a[4];
	uint8_t one[16] = { [15] = 1 }, lo4[4] = { 127, 0, 0, 1 };

	setup(&f, false);
	CHECK_EQ(f.lo, 1);
	CHECK_EQ(duet_if_addrs(f.s, f.lo, a, 4), 2);
	CHECK_EQ(net_local_ifindex(f.s, 16, one), 1);
	CHECK_EQ(net_local_ifindex(f.s, 4, lo4), 1);
	duet_stack_destroy(f.s);
	setup(&f, true);
	CHECK_EQ(duet_stack_ifindex(f.s, "lo"), -ENODEV);
	CHECK_EQ(f.eth, 1);
	duet_stack_destroy(f.s);
}

/* Action: the stack pings ::1, its global and (zone eth0) link-local
 * addresses, 127.0.0.1, 127.1.2.3, its IPv4 address, and itself with 60,000
 * bytes. Response: every reply comes back from the address pinged, through
 * lo (arrival interface lo), unfragmented (lo's MTU is 65,536); not one
 * frame leaves on eth0. */
TEST(loopback_pings_to_ourselves_never_leave)
{
	struct lfx f;

	setup(&f, false);
	ping(&f, AF_INET6, "::1", 0, 56);
	CHECK_EQ(f.last.ifindex, f.lo);
	ping(&f, AF_INET6, "2001:db8::1", 0, 56);
	CHECK_EQ(f.last.ifindex, f.lo);
	ping(&f, AF_INET6, "fe80::1", f.eth, 56);
	CHECK_EQ(f.last.ifindex, f.lo);
	ping(&f, AF_INET, "127.0.0.1", 0, 56);
	ping(&f, AF_INET, "127.1.2.3", 0, 56);
	CHECK_EQ(f.last.ifindex, f.lo);
	ping(&f, AF_INET, "192.0.2.2", 0, 56);
	CHECK_EQ(f.last.ifindex, f.lo);
	ping(&f, AF_INET6, "2001:db8::1", 0, 60000);
	CHECK_EQ(f.last.data_len, 60000);
	ping(&f, AF_INET, "192.0.2.2", 0, 60000);
	CHECK_EQ(f.last.data_len, 60000);
	CHECK_EQ(f.nreplies, 8);
	CHECK_EQ(duet_stack_counter(f.s, DUET_CTR_IP6_FRAG_CREATES), 0);
	CHECK_EQ(duet_chanlink_pending(f.link), 0);
	duet_stack_destroy(f.s);
}

/* Action: without a loopback interface, the stack pings its own global
 * address. Response: the request follows the routing table onto eth0 (and
 * an NS for ourselves goes first): there is nothing else to carry it; ::1
 * has no source address. */
TEST(loopback_off_own_address_follows_the_route)
{
	struct lfx f;
	uint8_t a[16], one[16] = { [15] = 1 };

	setup(&f, true);
	CHECK_EQ(duet_addr6_pton("2001:db8::1", a), 0);
	CHECK_EQ(duet_echo_send(f.s, AF_INET6, a, 0, 7, 1, 56), 0);
	run(&f, DUET_NS_PER_MS);
	CHECK(duet_chanlink_pending(f.link) > 0);
	CHECK_EQ(f.nreplies, 0);
	CHECK_EQ(duet_echo_send(f.s, AF_INET6, one, 0, 7, 2, 56), -EADDRNOTAVAIL);
	drain(&f);
	duet_stack_destroy(f.s);
}
