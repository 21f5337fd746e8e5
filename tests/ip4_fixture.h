/* duet tests — the IPv4 script fixture shared by test_ip4.c and test_arp.c
 * (N-8): one stack on a virtual clock with a channel link (eth0,
 * 192.0.2.2/24, MTU 1500), a peer 192.0.2.1 whose ARP entry is seeded by its
 * own request, builders for Ethernet/ARP/IPv4/ICMP frames (wire emitters)
 * and a pop that skips the IPv6 traffic the stack also sends. */
#ifndef DUET_TESTS_IP4_FIXTURE_H
#define DUET_TESTS_IP4_FIXTURE_H

#include "check.h"

#include "net/net.h"

#include <duet/addr.h>
#include <duet/byteorder.h>
#include <duet/chanlink.h>
#include <duet/clock.h>
#include <duet/csum.h>
#include <duet/net.h>
#include <duet/wire/arp.h>
#include <duet/wire/eth.h>
#include <duet/wire/icmp4.h>
#include <duet/wire/ip4.h>

#include <errno.h>
#include <sys/socket.h>

#define FX_T0_NS DUET_NS_PER_S
#define FX_MAX_FRAME 66000u

static const uint8_t fx_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t fx_peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x99 };
static const uint8_t fx_bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t fx_ip[4] = { 192, 0, 2, 2 };
static const uint8_t fx_peer_ip[4] = { 192, 0, 2, 1 };

struct fx {
	struct duet_vclock vc;
	struct duet_stack *s;
	struct duet_link *link;
	uint32_t eth;
	uint8_t frame[FX_MAX_FRAME];   /* scratch for builders */
	struct duet_echo_reply echo[8];
	unsigned nechos;
};

static inline void fx_echo_fn(void *ctx, const struct duet_echo_reply *r)
{
	struct fx *f = ctx;

	if (f->nechos < 8)
		f->echo[f->nechos] = *r;
	f->nechos++;
}

static inline uint64_t fx_ctr(struct fx *f, enum duet_counter id)
{
	return duet_stack_counter(f->s, id);
}

static inline void fx_poll(struct fx *f)
{
	duet_stack_poll(f->s);
	duet_stack_poll(f->s);
}

/* Moves the clock to T0 + ms and polls. */
static inline void fx_at_ms(struct fx *f, uint64_t ms)
{
	duet_vclock_set(&f->vc, FX_T0_NS + ms * DUET_NS_PER_MS);
	fx_poll(f);
}

/* Pops the next frame of EtherType type, freeing others (IPv6). NULL if none. */
static inline struct duet_pkt *fx_pop(struct fx *f, uint16_t type)
{
	struct duet_pkt *p;

	while ((p = duet_chanlink_pop(f->link)) != NULL) {
		uint8_t *d = duet_pkt_data(p);
		if (p->len >= 14 && duet_get_be16(d + 12) == type)
			return p;
		duet_pkt_free(p);
	}
	return NULL;
}

/* Frees every waiting frame; returns how many were IPv4 or ARP. */
static inline unsigned fx_drain(struct fx *f)
{
	struct duet_pkt *p;
	unsigned n = 0;

	while ((p = duet_chanlink_pop(f->link)) != NULL) {
		uint16_t t = duet_get_be16(duet_pkt_data(p) + 12);
		n += t == DUET_ETHERTYPE_IPV4 || t == DUET_ETHERTYPE_ARP;
		duet_pkt_free(p);
	}
	return n;
}

static inline size_t fx_put_eth(uint8_t *b, const uint8_t dst[6], uint16_t type)
{
	struct duet_eth_hdr h = { .ethertype = type };
	struct duet_wcur w;

	memcpy(h.dst, dst, 6);
	memcpy(h.src, fx_peer_mac, 6);
	duet_wcur_init(&w, b, 14);
	CHECK_EQ(duet_eth_emit(&h, &w), 0);
	return 14;
}

static inline void fx_inject(struct fx *f, const uint8_t *b, size_t len)
{
	CHECK_EQ(duet_chanlink_inject(f->link, b, len), 0);
}

/* An ARP packet from the peer in an Ethernet frame to eth_dst. */
static inline void fx_inject_arp(struct fx *f, const uint8_t eth_dst[6], uint16_t op,
				 const uint8_t spa[4], const uint8_t tha[6], const uint8_t tpa[4])
{
	struct duet_arp_hdr a;
	struct duet_wcur w;
	size_t n = fx_put_eth(f->frame, eth_dst, DUET_ETHERTYPE_ARP);

	duet_arp_init(&a, op, fx_peer_mac, spa, tha, tpa);
	duet_wcur_init(&w, f->frame + n, DUET_ARP_LEN);
	CHECK_EQ(duet_arp_emit(&a, &w), 0);
	fx_inject(f, f->frame, n + DUET_ARP_LEN);
}

/* An IPv4 header template from the peer to us. */
static inline struct duet_ip4_hdr fx_ip4(uint8_t protocol, uint16_t id)
{
	struct duet_ip4_hdr h;

	memset(&h, 0, sizeof(h));
	h.ttl = 64;
	h.protocol = protocol;
	h.identification = id;
	memcpy(h.src, fx_peer_ip, 4);
	memcpy(h.dst, fx_ip, 4);
	return h;
}

/* Writes Ethernet + h (total_length from len) + len payload bytes at b;
 * returns the frame length. */
static inline size_t fx_build_ip4(uint8_t *b, const uint8_t eth_dst[6], struct duet_ip4_hdr *h,
				  const uint8_t *payload, size_t len)
{
	size_t n = fx_put_eth(b, eth_dst, DUET_ETHERTYPE_IPV4);
	struct duet_wcur w;

	h->total_length = (uint16_t)(duet_ip4_len(h) + len);
	duet_wcur_init(&w, b + n, FX_MAX_FRAME - n);
	CHECK_EQ(duet_ip4_emit(h, &w), 0);
	memcpy(b + n + w.off, payload, len);
	return n + w.off + len;
}

/* An ICMP echo request message (id, seq, data_len bytes 0, 1, 2, ...) in b;
 * returns its length. */
static inline size_t fx_build_echo(uint8_t *b, uint8_t type, uint16_t id, uint16_t seq,
				   size_t data_len)
{
	struct duet_icmp4_hdr h = { .type = type, .identifier = id, .sequence_number = seq };
	struct duet_wcur w;
	size_t i;

	duet_wcur_init(&w, b, 8);
	CHECK_EQ(duet_icmp4_emit(&h, &w), 0);
	for (i = 0; i < data_len; i++)
		b[8 + i] = (uint8_t)(i * 7);
	duet_icmp4_csum_set(b, 8 + data_len);
	return 8 + data_len;
}

/* Parses a popped frame as IPv4: the header into *h, the payload into *c. */
static inline int fx_parse_ip4(struct duet_pkt *p, struct duet_eth_hdr *eth,
			       struct duet_ip4_hdr *h, struct duet_cur *c)
{
	duet_cur_init(c, duet_pkt_data(p), p->len);
	if (duet_eth_parse(c, eth) != 0)
		return -1;
	return duet_ip4_parse(c, h);
}

static inline void fx_setup_mtu(struct fx *f, uint32_t mtu, bool with_addr)
{
	struct duet_stack_config cfg;

	memset(f, 0, sizeof(*f));
	duet_vclock_init(&f->vc, FX_T0_NS);
	duet_stack_config_init(&cfg);
	cfg.clock = &f->vc.clock;
	CHECK_EQ(duet_stack_create(&cfg, &f->s), 0);
	CHECK_EQ(duet_chanlink_create(fx_mac, mtu, 1024, &f->link), 0);
	f->eth = (uint32_t)duet_stack_add_link(f->s, f->link, "eth0");
	duet_echo_set_handler(f->s, fx_echo_fn, f);
	if (with_addr)
		CHECK_EQ(duet_if_addr_add(f->s, f->eth, AF_INET, fx_ip, 24, 0), 0);
	fx_poll(f);
	fx_drain(f); /* the announcement, IPv6 start-up traffic */
}

static inline void fx_setup(struct fx *f)
{
	fx_setup_mtu(f, 1500, true);
}

/* The peer asks for us: its entry becomes STALE, replies need no ARP. */
static inline void fx_seed_peer(struct fx *f)
{
	static const uint8_t zero[6];

	fx_inject_arp(f, fx_bcast_mac, DUET_ARP_OP_REQUEST, fx_peer_ip, zero, fx_ip);
	fx_poll(f);
	fx_drain(f);
}

static inline void fx_teardown(struct fx *f)
{
	fx_drain(f);
	duet_stack_destroy(f->s);
}

#endif
