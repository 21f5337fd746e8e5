/* duet tests — the IPv6 script fixture shared by test_ip6.c, test_icmp6.c
 * and test_ip6_frag.c: one stack on a virtual clock with a channel link
 * (eth0: fe80::1, 2001:db8::1, MTU 1500), a peer (fe80::2, 2001:db8::2)
 * whose neighbour entries are seeded through its Neighbour Solicitations,
 * frame builders and matchers for what comes out. */
#ifndef DUET_TESTS_IP6_FIXTURE_H
#define DUET_TESTS_IP6_FIXTURE_H

#include "check.h"

#include "net/net.h"

#include <duet/addr.h>
#include <duet/byteorder.h>
#include <duet/chanlink.h>
#include <duet/clock.h>
#include <duet/csum.h>
#include <duet/net.h>
#include <duet/wire/icmp6.h>

#include <errno.h>
#include <sys/socket.h>

#define FX_ETH 14u
#define FX_IP6 (FX_ETH + 40u)      /* offset of what follows the IPv6 header */

static const uint8_t fx_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t fx_peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

struct fx {
	struct duet_vclock vc;
	struct duet_stack *s;
	struct duet_link *link;
	uint32_t eth;
	uint8_t ll[16], gl[16], peer_ll[16], peer_gl[16], all_nodes[16];
};

static inline void fx_a6(const char *t, uint8_t out[16])
{
	CHECK_EQ(duet_addr6_pton(t, out), 0);
}

/* Builds eth + IPv6 header (+ payload) into f; returns the frame length. */
static inline size_t fx_frame(uint8_t *f, const uint8_t src[16], const uint8_t dst[16],
			      uint8_t nh, uint8_t hop, const uint8_t *payload, size_t plen)
{
	if (dst[0] == 0xff)
		duet_eth_mcast_from_ip6(dst, f);
	else
		memcpy(f, fx_mac, 6);
	memcpy(f + 6, fx_peer_mac, 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	memset(f + FX_ETH, 0, 40);
	f[FX_ETH] = 0x60;
	duet_put_be16(f + FX_ETH + 4, (uint16_t)plen);
	f[FX_ETH + 6] = nh;
	f[FX_ETH + 7] = hop;
	memcpy(f + FX_ETH + 8, src, 16);
	memcpy(f + FX_ETH + 24, dst, 16);
	memcpy(f + FX_IP6, payload, plen);
	return FX_IP6 + plen;
}

/* Sets the ICMPv6 checksum of msg (len bytes) between src and dst. */
static inline void fx_icmp_csum(uint8_t *msg, size_t len, const uint8_t src[16],
				const uint8_t dst[16])
{
	duet_icmp6_csum_set(msg, len, duet_csum_pseudo6(src, dst, (uint32_t)len, 58));
}

/* An Echo Request message with data_len bytes of pattern into m. */
static inline size_t fx_echo(uint8_t *m, uint16_t id, uint16_t seq, size_t data_len)
{
	size_t i;

	memset(m, 0, 8);
	m[0] = DUET_ICMP6_ECHO_REQUEST;
	duet_put_be16(m + 4, id);
	duet_put_be16(m + 6, seq);
	for (i = 0; i < data_len; i++)
		m[8 + i] = (uint8_t)(i * 7);
	return 8 + data_len;
}

static inline void fx_inject(struct fx *x, const uint8_t *f, size_t len)
{
	CHECK_EQ(duet_chanlink_inject(x->link, f, len), 0);
	duet_stack_poll(x->s);
}

static inline void fx_drain(struct fx *x)
{
	struct duet_pkt *p;

	while ((p = duet_chanlink_pop(x->link)) != NULL)
		duet_pkt_free(p);
}

/* The peer solicits our address `ours` from `from` with its MAC: the stack
 * learns the peer (a STALE entry, RFC 4861 §7.2.3) and answers (drained). */
static inline void fx_seed_peer(struct fx *x, const uint8_t from[16], const uint8_t ours[16])
{
	uint8_t m[32], f[128], sn[16];

	memset(m, 0, sizeof(m));
	m[0] = DUET_ICMP6_ND_NEIGHBOR_SOLICIT;
	memcpy(m + 8, ours, 16);
	m[24] = 1; /* Source Link-Layer Address option */
	m[25] = 1;
	memcpy(m + 26, fx_peer_mac, 6);
	duet_addr6_solicited_node(ours, sn);
	fx_icmp_csum(m, 32, from, sn);
	fx_inject(x, f, fx_frame(f, from, sn, 58, 255, m, 32));
	fx_drain(x);
}

static inline void fx_setup(struct fx *x)
{
	struct duet_stack_config cfg;
	int ifi;

	memset(x, 0, sizeof(*x));
	duet_vclock_init(&x->vc, 1000000000ull);
	duet_stack_config_init(&cfg);
	cfg.clock = &x->vc.clock;
	CHECK_EQ(duet_stack_create(&cfg, &x->s), 0);
	CHECK_EQ(duet_chanlink_create(fx_mac, 1500, 256, &x->link), 0);
	ifi = duet_stack_add_link(x->s, x->link, "eth0");
	CHECK(ifi > 0);
	x->eth = (uint32_t)ifi;
	fx_a6("fe80::1", x->ll);
	fx_a6("2001:db8::1", x->gl);
	fx_a6("fe80::2", x->peer_ll);
	fx_a6("2001:db8::2", x->peer_gl);
	fx_a6("ff02::1", x->all_nodes);
	CHECK_EQ(duet_if_addr_add(x->s, x->eth, AF_INET6, x->ll, 64, DUET_IFA_F_NODAD), 0);
	CHECK_EQ(duet_if_addr_add(x->s, x->eth, AF_INET6, x->gl, 64, DUET_IFA_F_NODAD), 0);
	duet_stack_poll(x->s);
	fx_drain(x);
	fx_seed_peer(x, x->peer_gl, x->gl);
	fx_seed_peer(x, x->peer_ll, x->ll);
}

static inline void fx_teardown(struct fx *x)
{
	fx_drain(x);
	duet_stack_destroy(x->s);
}

static inline uint64_t fx_ctr(const struct fx *x, enum duet_counter id)
{
	return duet_stack_counter(x->s, id);
}

/* Moves the clock to now + ms and polls. */
static inline void fx_advance_ms(struct fx *x, uint64_t ms)
{
	duet_vclock_set(&x->vc, x->vc.now_ns + ms * 1000000ull);
	duet_stack_poll(x->s);
}

/* True for an MLD Report or Done behind an 8-octet Hop-by-Hop header (the
 * stack reports its solicited-node groups, RFC 3810 §6). */
static inline bool fx_is_mld_report(const uint8_t *d, size_t len)
{
	return len > FX_IP6 + 8 && d[FX_ETH + 6] == 0 && d[FX_IP6] == 58 &&
	       (d[FX_IP6 + 8] == DUET_ICMP6_MLD2_REPORT || d[FX_IP6 + 8] == DUET_ICMP6_MLD_REPORT ||
		d[FX_IP6 + 8] == DUET_ICMP6_MLD_DONE);
}

/* Pops the next output frame that is not ND (types 133-137) nor an MLD
 * report, or NULL. */
static inline struct duet_pkt *fx_pop(struct fx *x)
{
	struct duet_pkt *p;

	while ((p = duet_chanlink_pop(x->link)) != NULL) {
		const uint8_t *d = duet_pkt_data(p);
		if (!(p->len > FX_IP6 && d[FX_ETH + 6] == 58 && d[FX_IP6] >= 133 &&
		      d[FX_IP6] <= 137) && !fx_is_mld_report(d, p->len))
			return p;
		duet_pkt_free(p);
	}
	return NULL;
}

/* Checks that p is an ICMPv6 message of type/code from src to dst with a
 * correct checksum; returns a pointer to the ICMPv6 header. */
static inline const uint8_t *fx_expect_icmp(struct duet_pkt *p, uint8_t type, uint8_t code,
					    const uint8_t src[16], const uint8_t dst[16])
{
	const uint8_t *d;
	size_t len;

	CHECK(p != NULL);
	if (!p)
		return NULL;
	d = duet_pkt_data(p);
	len = p->len - FX_IP6;
	CHECK_EQ(d[FX_ETH] >> 4, 6);
	CHECK_EQ(d[FX_ETH + 6], 58);
	CHECK_EQ(duet_get_be16(d + FX_ETH + 4), len);
	CHECK_MEM(d + FX_ETH + 8, src, 16);
	CHECK_MEM(d + FX_ETH + 24, dst, 16);
	CHECK_EQ(d[FX_IP6], type);
	CHECK_EQ(d[FX_IP6 + 1], code);
	CHECK_EQ(duet_icmp6_csum_verify(d + FX_IP6, len,
					duet_csum_pseudo6(src, dst, (uint32_t)len, 58)), 0);
	return d + FX_IP6;
}

#endif
