/* Per-interface counters (S-4, RFC 4293 ipIfStatsTable style): a stack
 * with two channel links; what arrives on each is counted on it, drops
 * carry their interface, and the stack-wide counter is the sum. */
#include "check.h"

#include <duet/addr.h>
#include <duet/byteorder.h>
#include <duet/chanlink.h>
#include <duet/clock.h>
#include <duet/csum.h>
#include <duet/net.h>
#include <duet/wire/icmp6.h>

#include <errno.h>
#include <sys/socket.h>

static const uint8_t mac0[6] = { 0x02, 0, 0, 0, 0, 0x10 };
static const uint8_t mac1[6] = { 0x02, 0, 0, 0, 0, 0x11 };
static const uint8_t peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x99 };

/* Ethernet + IPv6 + an Echo Request from src to dst (hop limit 64); with
 * is_bad the version nibble is 4. Returns the frame length. */
static size_t echo_frame(uint8_t *f, const uint8_t mac[6], const char *src, const char *dst,
			 bool is_bad)
{
	uint8_t s[16], d[16], *m = f + 54;

	CHECK_EQ(duet_addr6_pton(src, s), 0);
	CHECK_EQ(duet_addr6_pton(dst, d), 0);
	memcpy(f, mac, 6);
	memcpy(f + 6, peer_mac, 6);
	duet_put_be16(f + 12, 0x86dd);
	memset(f + 14, 0, 40);
	f[14] = is_bad ? 0x40 : 0x60;
	duet_put_be16(f + 18, 16);
	f[20] = 58;
	f[21] = 64;
	memcpy(f + 22, s, 16);
	memcpy(f + 38, d, 16);
	memset(m, 0, 16);
	m[0] = DUET_ICMP6_ECHO_REQUEST;
	duet_icmp6_csum_set(m, 16, duet_csum_pseudo6(s, d, 16, 58));
	return 70;
}

/* Action: two echo requests arrive on eth0, one malformed packet on eth1;
 * then counters are asked for an unknown interface. Response: eth0 counts
 * 2 IPv6 InReceives and 2 Echo Requests, eth1 1 InReceive, 1 InHdrError
 * and the drop reason; the stack-wide values are the sums; link frames
 * are counted where they arrive; -ENODEV for the unknown interface. */
TEST(if_counters_split_by_interface)
{
	struct duet_vclock vc;
	struct duet_stack_config cfg;
	struct duet_stack *s;
	struct duet_link *l0, *l1;
	uint64_t all[DUET_CTR__COUNT];
	uint8_t f[128], a[16];
	uint32_t e0, e1;
	size_t n;

	duet_vclock_init(&vc, DUET_NS_PER_S);
	duet_stack_config_init(&cfg);
	cfg.clock = &vc.clock;
	cfg.is_ipv6_autoconf_off = true;
	CHECK_EQ(duet_stack_create(&cfg, &s), 0);
	CHECK_EQ(duet_chanlink_create(mac0, 1500, 64, &l0), 0);
	CHECK_EQ(duet_chanlink_create(mac1, 1500, 64, &l1), 0);
	e0 = (uint32_t)duet_stack_add_link(s, l0, "eth0");
	e1 = (uint32_t)duet_stack_add_link(s, l1, "eth1");
	CHECK_EQ(duet_addr6_pton("2001:db8::1", a), 0);
	CHECK_EQ(duet_if_addr_add(s, e0, AF_INET6, a, 64, DUET_IFA_F_NODAD), 0);
	duet_stack_poll(s);
	n = echo_frame(f, mac0, "2001:db8::2", "2001:db8::1", false);
	CHECK_EQ(duet_chanlink_inject(l0, f, n), 0);
	CHECK_EQ(duet_chanlink_inject(l0, f, n), 0);
	n = echo_frame(f, mac1, "2001:db8::2", "2001:db8::1", true);
	CHECK_EQ(duet_chanlink_inject(l1, f, n), 0);
	duet_stack_poll(s);
	CHECK_EQ(duet_if_counter(s, e0, DUET_CTR_IP6_IN_RECEIVES), 2);
	CHECK_EQ(duet_if_counter(s, e0, DUET_CTR_ICMP6_IN_ECHOS), 2);
	CHECK_EQ(duet_if_counter(s, e0, DUET_CTR_IP6_IN_HDR_ERRORS), 0);
	CHECK_EQ(duet_if_counter(s, e1, DUET_CTR_IP6_IN_RECEIVES), 1);
	CHECK_EQ(duet_if_counter(s, e1, DUET_CTR_IP6_IN_HDR_ERRORS), 1);
	CHECK_EQ(duet_if_counter(s, e1, DUET_CTR_DROP_IP6_BAD_VERSION), 1);
	CHECK_EQ(duet_if_counter(s, e1, DUET_CTR_ICMP6_IN_ECHOS), 0);
	CHECK_EQ(duet_stack_counter(s, DUET_CTR_IP6_IN_RECEIVES), 3);
	CHECK_EQ(duet_if_counter(s, e0, DUET_CTR_LINK_RX_FRAMES), 2);
	CHECK_EQ(duet_if_counter(s, e1, DUET_CTR_LINK_RX_FRAMES), 1);
	CHECK(duet_if_counter(s, e1, DUET_CTR_LINK_TX_FRAMES) <
	      duet_stack_counter(s, DUET_CTR_LINK_TX_FRAMES)); /* the replies left on eth0 */
	CHECK_EQ(duet_if_counters(s, e1, all), 0);
	CHECK_EQ(all[DUET_CTR_IP6_IN_HDR_ERRORS], 1);
	CHECK_EQ(duet_if_counters(s, 77, all), -ENODEV);
	CHECK_EQ(duet_if_counter(s, 77, DUET_CTR_IP6_IN_RECEIVES), 0);
	duet_stack_destroy(s);
}
