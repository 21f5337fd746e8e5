/* The stack instance (S-2 deterministic core, S-4 interfaces and counters,
 * L-1 link attachment): configuration checks, interfaces, Ethernet input
 * filtering with a counter per drop reason, batched output, traces, pool
 * exhaustion as a counted drop, deterministic and keyed randomness. */
#include "check.h"

#include <duet/chanlink.h>
#include <duet/stack.h>
#include <duet/wire/eth.h>

#include "core/stack_internal.h"

#include <errno.h>

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };

struct fixture {
	struct duet_vclock vc;
	struct duet_stack *stack;
	struct duet_link *link;
	int ifindex;
	int traces[3];
	enum duet_counter last_drop;
};

static void fx_trace(void *ctx, const struct duet_trace_event *ev)
{
	struct fixture *fx = ctx;
	fx->traces[ev->kind]++;
	if (ev->kind == DUET_TRACE_DROP)
		fx->last_drop = ev->counter;
}

static void fx_setup(struct fixture *fx, size_t mem_cap)
{
	struct duet_stack_config cfg;

	memset(fx, 0, sizeof(*fx));
	duet_vclock_init(&fx->vc, 1000);
	duet_stack_config_init(&cfg);
	cfg.clock = &fx->vc.clock;
	cfg.name = "a";
	cfg.trace = fx_trace;
	cfg.trace_ctx = fx;
	cfg.is_ipv6_autoconf_off = true; /* the core alone: no ND traffic */
	cfg.is_loopback_off = true;       /* eth0 is interface 1 */
	if (mem_cap)
		cfg.mem_cap_bytes = mem_cap;
	CHECK_EQ(duet_stack_create(&cfg, &fx->stack), 0);
	CHECK_EQ(duet_chanlink_create(mac_a, 1500, 64, &fx->link), 0);
	fx->ifindex = duet_stack_add_link(fx->stack, fx->link, "eth0");
	CHECK_EQ(fx->ifindex, 1);
}

static void fx_teardown(struct fixture *fx)
{
	struct duet_pool_stats st;
	struct duet_pkt *p;

	while ((p = duet_chanlink_pop(fx->link)) != NULL)
		duet_pkt_free(p);

	duet_pool_stats(duet_stack_pool(fx->stack), &st);
	CHECK_EQ(st.in_use, 0); /* nothing leaked */
	duet_stack_destroy(fx->stack);
}

/* Builds an Ethernet frame of total length len with the given header. */
static size_t frame(uint8_t *buf, const uint8_t dst[6], const uint8_t src[6], uint16_t type,
		    size_t len)
{
	struct duet_eth_hdr h = { .ethertype = type };
	struct duet_wcur w;

	memcpy(h.dst, dst, 6);
	memcpy(h.src, src, 6);
	memset(buf, 0, len);
	duet_wcur_init(&w, buf, len);
	CHECK_EQ(duet_eth_emit(&h, &w), 0);
	return len;
}

TEST(stack_config_rejects_bad_values)
{
	struct duet_stack_config cfg;
	struct duet_stack *s = NULL;

	duet_stack_config_init(&cfg);
	cfg.rx_queue_limit = 0;
	CHECK_EQ(duet_stack_create(&cfg, &s), -EINVAL);
	duet_stack_config_init(&cfg);
	cfg.max_ifaces = 5000;
	CHECK_EQ(duet_stack_create(&cfg, &s), -EINVAL);
	duet_stack_config_init(&cfg);
	cfg.mem_cap_bytes = 1000;
	CHECK_EQ(duet_stack_create(&cfg, &s), -EINVAL);
	CHECK(s == NULL);
	CHECK_EQ(duet_stack_create(NULL, &s), -EINVAL);
}

/* S-4: interfaces by index and name. */
TEST(stack_interfaces_index_and_name)
{
	struct fixture fx;
	struct duet_link *l2, *l3;

	fx_setup(&fx, 0);
	CHECK_EQ(duet_stack_ifindex(fx.stack, "eth0"), 1);
	CHECK_EQ(duet_stack_ifindex(fx.stack, "nope"), -ENODEV);
	CHECK_EQ(duet_chanlink_create(mac_b, 1500, 8, &l2), 0);
	CHECK_EQ(duet_stack_add_link(fx.stack, l2, "eth0"), -EEXIST);
	CHECK_EQ(duet_stack_add_link(fx.stack, l2, "a-name-far-too-long"), -EINVAL);
	CHECK_EQ(duet_stack_add_link(fx.stack, l2, "eth1"), 2);
	CHECK(duet_stack_iface_link(fx.stack, 2) == l2);
	CHECK_EQ(duet_stack_remove_iface(fx.stack, 2), 0);
	CHECK_EQ(duet_stack_remove_iface(fx.stack, 2), -ENODEV);
	CHECK(duet_stack_iface_link(fx.stack, 2) == NULL);
	CHECK_EQ(duet_chanlink_create(mac_b, 1500, 8, &l3), 0);
	CHECK_EQ(duet_stack_add_link(fx.stack, l3, "eth2"), 2); /* index reused */
	fx_teardown(&fx);
}

TEST(stack_ifaces_limit_is_enospc)
{
	struct duet_stack_config cfg;
	struct duet_stack *s;
	struct duet_link *l1, *l2;

	duet_stack_config_init(&cfg);
	cfg.max_ifaces = 1;
	cfg.is_loopback_off = true; /* "lo" would take the only slot */
	CHECK_EQ(duet_stack_create(&cfg, &s), 0);
	CHECK_EQ(duet_chanlink_create(mac_a, 1500, 8, &l1), 0);
	CHECK_EQ(duet_chanlink_create(mac_b, 1500, 8, &l2), 0);
	CHECK_EQ(duet_stack_add_link(s, l1, "a"), 1);
	CHECK_EQ(duet_stack_add_link(s, l2, "b"), -ENOSPC);
	duet_link_destroy(l2); /* not taken: still the caller's */
	duet_stack_destroy(s);
}

/* Action: frames with every kind of defect arrive (and an ARP frame with a
 * zeroed body, which the ARP module rejects). Response: each is dropped and
 * counted under its own reason; nothing leaks. */
TEST(stack_ether_input_drop_reasons)
{
	struct fixture fx;
	uint8_t f[64];
	const uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x99 };
	const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	fx_setup(&fx, 0);
	CHECK_EQ(duet_chanlink_inject(fx.link, f, frame(f, mac_a, mac_b, 0x86dd, 60) - 50), 0);
	CHECK_EQ(duet_chanlink_inject(fx.link, f, frame(f, other, mac_b, 0x86dd, 60)), 0);
	CHECK_EQ(duet_chanlink_inject(fx.link, f, frame(f, mac_a, mac_a, 0x86dd, 60)), 0);
	CHECK_EQ(duet_chanlink_inject(fx.link, f, frame(f, bcast, mac_b, 0x0806, 60)), 0);
	CHECK_EQ(duet_chanlink_inject(fx.link, f, frame(f, mac_a, mac_b, 0x88cc, 60)), 0);
	frame(f, mac_a, mac_b, 0x8100, 60);
	f[16] = 0x08;
	f[17] = 0x00;
	CHECK_EQ(duet_chanlink_inject(fx.link, f, 60), 0);
	CHECK_EQ(duet_stack_next_deadline(fx.stack), duet_stack_now(fx.stack));
	duet_stack_poll(fx.stack);
	CHECK_EQ(duet_stack_counter(fx.stack, DUET_CTR_LINK_RX_FRAMES), 6);
	CHECK_EQ(duet_stack_counter(fx.stack, DUET_CTR_DROP_ETH_MALFORMED), 1);
	CHECK_EQ(duet_stack_counter(fx.stack, DUET_CTR_DROP_ETH_NOT_FOR_US), 1);
	CHECK_EQ(duet_stack_counter(fx.stack, DUET_CTR_DROP_ETH_SELF_SRC), 1);
	CHECK_EQ(duet_stack_counter(fx.stack, DUET_CTR_ETH_RX_ARP), 1);
	CHECK_EQ(duet_stack_counter(fx.stack, DUET_CTR_DROP_ARP_MALFORMED), 1);
	CHECK_EQ(duet_stack_counter(fx.stack, DUET_CTR_DROP_ETH_NO_PROTO), 1);
	CHECK_EQ(duet_stack_counter(fx.stack, DUET_CTR_DROP_ETH_VLAN), 1);
	CHECK_EQ(fx.traces[DUET_TRACE_RX], 6);
	CHECK_EQ(fx.traces[DUET_TRACE_DROP], 6);
	CHECK_EQ(duet_stack_next_deadline(fx.stack), DUET_TIME_NEVER);
	fx_teardown(&fx);
}

static int proto_calls;
static void test_proto(struct duet_stack *stack, struct duet_iface *ifp, struct duet_pkt *pkt,
		       const struct duet_eth_hdr *eth)
{
	(void)stack;
	(void)ifp;
	CHECK_EQ(eth->ethertype, DUET_ETHERTYPE_IPV6);
	CHECK_EQ(pkt->len, 46); /* the payload: Ethernet header pulled */
	proto_calls++;
	duet_pkt_free(pkt);
}

TEST(stack_ether_dispatches_to_attached_protocol)
{
	struct fixture fx;
	uint8_t f[64];

	fx_setup(&fx, 0);
	stack_set_proto(fx.stack, STACK_PROTO_IPV6, test_proto);
	CHECK_EQ(duet_chanlink_inject(fx.link, f, frame(f, mac_a, mac_b, 0x86dd, 60)), 0);
	duet_stack_poll(fx.stack);
	CHECK_EQ(proto_calls, 1);
	CHECK_EQ(duet_stack_counter(fx.stack, DUET_CTR_ETH_RX_IPV6), 1);
	fx_teardown(&fx);
}

/* Output: frames leave in order at the next poll; oversize and unknown
 * interfaces are errors with counted drops. */
TEST(stack_send_frame_errors_and_order)
{
	struct fixture fx;
	struct duet_pkt *p;
	int i;

	fx_setup(&fx, 0);
	for (i = 0; i < 3; i++) {
		p = duet_pkt_alloc(duet_stack_pool(fx.stack), DUET_PKT_HEADROOM, 60);
		frame(duet_pkt_data(p), mac_b, mac_a, 0x86dd, 60);
		duet_pkt_data(p)[59] = (uint8_t)i;
		CHECK_EQ(duet_stack_send_frame(fx.stack, 1, p), 0);
	}
	p = duet_pkt_alloc(duet_stack_pool(fx.stack), 0, 1515);
	CHECK_EQ(duet_stack_send_frame(fx.stack, 1, p), -EMSGSIZE);
	p = duet_pkt_alloc(duet_stack_pool(fx.stack), 0, 60);
	CHECK_EQ(duet_stack_send_frame(fx.stack, 7, p), -ENODEV);
	CHECK_EQ(duet_chanlink_pending(fx.link), 0);
	duet_stack_poll(fx.stack);
	CHECK_EQ(duet_chanlink_pending(fx.link), 3);
	for (i = 0; i < 3; i++) {
		p = duet_chanlink_pop(fx.link);
		CHECK_EQ(duet_pkt_data(p)[59], i);
		duet_pkt_free(p);
	}
	CHECK_EQ(duet_stack_counter(fx.stack, DUET_CTR_LINK_TX_FRAMES), 3);
	CHECK_EQ(duet_stack_counter(fx.stack, DUET_CTR_DROP_TX_OVERSIZE), 1);
	CHECK_EQ(duet_stack_counter(fx.stack, DUET_CTR_DROP_TX_NO_IFACE), 1);
	CHECK_EQ(fx.traces[DUET_TRACE_TX], 3);
	fx_teardown(&fx);
}

/* The link refusing frames (its queue is full) is counted, not lost silently. */
TEST(stack_link_refusal_counted)
{
	struct fixture fx;
	int i;

	fx_setup(&fx, 0);
	for (i = 0; i < 70; i++) {
		struct duet_pkt *p = duet_pkt_alloc(duet_stack_pool(fx.stack), 0, 60);
		frame(duet_pkt_data(p), mac_b, mac_a, 0x86dd, 60);
		CHECK_EQ(duet_stack_send_frame(fx.stack, 1, p), 0);
	}
	duet_stack_poll(fx.stack);
	CHECK_EQ(duet_chanlink_pending(fx.link), 64);
	CHECK_EQ(duet_stack_counter(fx.stack, DUET_CTR_DROP_TX_LINK), 6);
	while (duet_chanlink_pending(fx.link))
		duet_pkt_free(duet_chanlink_pop(fx.link));
	fx_teardown(&fx);
}

/* Pool exhaustion on receive is a counted drop, never corruption. */
TEST(stack_pool_exhaustion_is_counted)
{
	struct fixture fx;
	uint8_t f[64];
	int i, refused = 0;
	struct duet_pool_stats st;

	fx_setup(&fx, 70000 /* room for one slab of 2 KiB buffers: 32 frames */);
	for (i = 0; i < 40; i++)
		if (duet_chanlink_inject(fx.link, f, frame(f, mac_a, mac_b, 0x88b5, 60)) == -ENOBUFS)
			refused++;
	CHECK(refused > 0);
	CHECK_EQ(fx.link->stats.rx_drops, (uint64_t)refused);
	duet_pool_stats(duet_stack_pool(fx.stack), &st);
	CHECK_EQ(st.alloc_failures, (uint64_t)refused);
	duet_stack_poll(fx.stack);
	CHECK_EQ(duet_stack_counter(fx.stack, DUET_CTR_DROP_ETH_NO_PROTO), 40 - refused);
	/* Buffers came back: a new frame fits again. */
	CHECK_EQ(duet_chanlink_inject(fx.link, f, frame(f, mac_a, mac_b, 0x88b5, 60)), 0);
	duet_stack_poll(fx.stack);
	fx_teardown(&fx);
}

TEST(stack_random_is_seeded_and_keyed)
{
	struct duet_stack_config cfg;
	struct duet_stack *s1, *s2, *s3;
	const char msg[] = "2001:db8::1 -> 2001:db8::2";

	duet_stack_config_init(&cfg);
	cfg.seed = 7;
	CHECK_EQ(duet_stack_create(&cfg, &s1), 0);
	CHECK_EQ(duet_stack_create(&cfg, &s2), 0);
	cfg.seed = 8;
	CHECK_EQ(duet_stack_create(&cfg, &s3), 0);
	CHECK(duet_stack_random(s1) == duet_stack_random(s2));
	CHECK(duet_stack_random(s1) != duet_stack_random(s3));
	CHECK(duet_stack_keyed_hash(s1, msg, sizeof msg) == duet_stack_keyed_hash(s2, msg, sizeof msg));
	CHECK(duet_stack_keyed_hash(s1, msg, sizeof msg) != duet_stack_keyed_hash(s3, msg, sizeof msg));
	duet_stack_destroy(s1);
	duet_stack_destroy(s2);
	duet_stack_destroy(s3);
}

TEST(stack_counter_names)
{
	CHECK_STR(duet_counter_name(DUET_CTR_DROP_ETH_MALFORMED), "DROP_ETH_MALFORMED");
	CHECK_EQ(duet_counter_by_name("LINK_RX_FRAMES"), DUET_CTR_LINK_RX_FRAMES);
	CHECK_EQ(duet_counter_by_name("nope"), -1);
	CHECK(duet_counter_name(DUET_CTR__COUNT) == NULL);
}
