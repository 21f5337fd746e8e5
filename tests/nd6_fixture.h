/* duet tests — the Neighbour Discovery script fixture shared by test_nd6.c
 * and test_addrconf.c: one stack on a virtual clock with a channel link,
 * ND frames built with the wire emitters and injected, every frame the
 * stack sends captured (time, Ethernet, IPv6 header, ICMPv6 message). */
#ifndef DUET_TEST_ND6_FIXTURE_H
#define DUET_TEST_ND6_FIXTURE_H

#include "check.h"

#include "net/nd6_internal.h"

#include <duet/addr.h>
#include <duet/chanlink.h>
#include <duet/clock.h>
#include <duet/csum.h>
#include <duet/net.h>
#include <duet/wire/eth.h>
#include <duet/wire/icmp6.h>
#include <duet/wire/ip6.h>
#include <duet/wire/ip6_ext.h>
#include <duet/wire/nd.h>

#include <sys/socket.h>

#define FX_T0_NS DUET_NS_PER_S
#define FX_MAX_FRAMES 64
#define FX_S(s) ((uint64_t)(s) * DUET_NS_PER_S)
#define FX_MS(ms) ((uint64_t)(ms) * DUET_NS_PER_MS)

static const uint8_t fx_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t fx_peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

struct fx_frame {
	uint64_t time_ns;
	uint8_t eth_dst[6];
	struct duet_ip6_hdr ip;
	uint8_t msg[1600];         /* what follows the IPv6 header */
	size_t len;
};

struct fx {
	struct duet_vclock vc;
	struct duet_stack *s;
	struct duet_link *link;
	uint32_t ifx;
	struct fx_frame out[FX_MAX_FRAMES];
	unsigned nout;
};

static inline void fx_a6(const char *text, uint8_t out[16])
{
	CHECK_EQ(duet_addr6_pton(text, out), 0);
}

/* A stack whose secret is secret_byte repeated, with eth0 on a channel link. */
static inline void fx_init(struct fx *f, uint8_t secret_byte)
{
	struct duet_stack_config cfg;
	int ifx;

	memset(f, 0, sizeof(*f));
	duet_vclock_init(&f->vc, FX_T0_NS);
	duet_stack_config_init(&cfg);
	cfg.clock = &f->vc.clock;
	cfg.has_secret = true;
	memset(cfg.secret, secret_byte, sizeof(cfg.secret));
	CHECK_EQ(duet_stack_create(&cfg, &f->s), 0);
	CHECK_EQ(duet_chanlink_create(fx_mac, 1500, 256, &f->link), 0);
	ifx = duet_stack_add_link(f->s, f->link, "eth0");
	CHECK(ifx > 0);
	f->ifx = (uint32_t)ifx;
}

static inline void fx_fini(struct fx *f)
{
	duet_stack_destroy(f->s);
}

/* Records every frame the link transmitted (IPv6 + ICMPv6 ones parsed). */
static inline void fx_collect(struct fx *f)
{
	struct duet_pkt *p;

	while ((p = duet_chanlink_pop(f->link)) != NULL) {
		struct fx_frame *fr = &f->out[f->nout < FX_MAX_FRAMES ? f->nout : FX_MAX_FRAMES - 1];
		struct duet_eth_hdr eh;
		struct duet_cur c;

		memset(fr, 0, sizeof(*fr));
		fr->time_ns = duet_stack_now(f->s);
		duet_cur_init(&c, duet_pkt_data(p), p->len);
		if (duet_eth_parse(&c, &eh) == 0 && eh.ethertype == DUET_ETHERTYPE_IPV6 &&
		    duet_ip6_parse(&c, &fr->ip) == 0) {
			memcpy(fr->eth_dst, eh.dst, 6);
			fr->len = duet_cur_left(&c) < sizeof(fr->msg) ? duet_cur_left(&c)
								      : sizeof(fr->msg);
			memcpy(fr->msg, duet_cur_take(&c, fr->len), fr->len);
		}
		if (f->nout < FX_MAX_FRAMES)
			f->nout++;
		duet_pkt_free(p);
	}
}

/* Runs the stack until t_ns (absolute), collecting frames as they leave. */
static inline void fx_run_until(struct fx *f, uint64_t t_ns)
{
	unsigned guard;

	for (guard = 0; guard < 100000; guard++) {
		uint64_t next = duet_stack_poll(f->s);
		fx_collect(f);
		if (next > t_ns)
			break;
		if (next > duet_stack_now(f->s))
			duet_vclock_set(&f->vc, next);
	}
	duet_vclock_set(&f->vc, t_ns);
	duet_stack_poll(f->s);
	fx_collect(f);
}

static inline void fx_run_for(struct fx *f, uint64_t d_ns)
{
	fx_run_until(f, duet_stack_now(f->s) + d_ns);
}

/* Injects one IPv6 packet whose Next Header is nh, carrying payload (len
 * octets) from src to dst; with frag, behind a Fragment header (offset in
 * 8-octet units, M flag; nh is then the fragment's). */
static inline void fx_inject_nh(struct fx *f, const uint8_t src[16], const uint8_t dst[16],
				uint8_t hop, uint8_t nh, const uint8_t *payload, size_t len,
				const struct duet_ip6_frag_hdr *frag)
{
	uint8_t frame[1600];
	struct duet_eth_hdr eh;
	struct duet_ip6_hdr ih;
	struct duet_wcur w;

	memset(&eh, 0, sizeof(eh));
	if (duet_addr6_is_multicast(dst))
		duet_eth_mcast_from_ip6(dst, eh.dst);
	else
		memcpy(eh.dst, fx_mac, 6);
	memcpy(eh.src, fx_peer_mac, 6);
	eh.ethertype = DUET_ETHERTYPE_IPV6;
	memset(&ih, 0, sizeof(ih));
	ih.payload_length = (uint16_t)(len + (frag ? 8 : 0));
	ih.next_header = frag ? DUET_IP6_NH_FRAGMENT : nh;
	ih.hop_limit = hop;
	memcpy(ih.src, src, 16);
	memcpy(ih.dst, dst, 16);
	duet_wcur_init(&w, frame, sizeof(frame));
	CHECK_EQ(duet_eth_emit(&eh, &w), 0);
	CHECK_EQ(duet_ip6_emit(&ih, &w), 0);
	if (frag)
		CHECK_EQ(duet_ip6_frag_emit(frag, &w), 0);
	CHECK_EQ(duet_wcur_put(&w, payload, len), 0);
	CHECK_EQ(duet_chanlink_inject(f->link, frame, w.off), 0);
}

/* The same for an ICMPv6 message (payload). */
static inline void fx_inject_raw(struct fx *f, const uint8_t src[16], const uint8_t dst[16],
				 uint8_t hop, const uint8_t *payload, size_t len,
				 const struct duet_ip6_frag_hdr *frag)
{
	fx_inject_nh(f, src, dst, hop, DUET_IP6_NH_ICMPV6, payload, len, frag);
}

/* Injects an ICMPv6 message (checksum filled here) from src to dst with the
 * given hop limit, and runs the stack; is_frag sends it in two fragments
 * (the first 16 octets, then the rest). */
static inline void fx_inject(struct fx *f, const uint8_t src[16], const uint8_t dst[16],
			     uint8_t hop, const uint8_t *msg, size_t len, bool is_frag)
{
	struct duet_ip6_frag_hdr fh;
	uint8_t m[512];

	memcpy(m, msg, len);
	duet_icmp6_csum_set(m, len, duet_csum_pseudo6(src, dst, (uint32_t)len, 58));
	if (!is_frag) {
		fx_inject_raw(f, src, dst, hop, m, len, NULL);
	} else {
		memset(&fh, 0, sizeof(fh));
		fh.next_header = DUET_IP6_NH_ICMPV6;
		fh.identification = 77;
		fh.m = true;
		fx_inject_raw(f, src, dst, hop, m, 16, &fh);
		fh.m = false;
		fh.fragment_offset = 2;
		fx_inject_raw(f, src, dst, hop, m + 16, len - 16, &fh);
	}
	fx_run_for(f, 0);
}

/* An NS message for target, with an SLLA (the peer's MAC) when has_slla. */
static inline size_t fx_ns(uint8_t *buf, const uint8_t target[16], bool has_slla)
{
	struct duet_nd_ns ns;
	struct duet_wcur w;

	memset(&ns, 0, sizeof(ns));
	memcpy(ns.target, target, 16);
	duet_wcur_init(&w, buf, 256);
	CHECK_EQ(duet_nd_ns_emit(&ns, &w), 0);
	if (has_slla)
		CHECK_EQ(duet_nd_opt_lladdr_emit(DUET_ND_OPT_SOURCE_LLADDR, fx_peer_mac, 6, &w), 0);
	return w.off;
}

/* An NA message for target with flags and a TLLA (the peer's MAC). */
static inline size_t fx_na(uint8_t *buf, const uint8_t target[16], bool r, bool s, bool o)
{
	struct duet_nd_na na;
	struct duet_wcur w;

	memset(&na, 0, sizeof(na));
	na.r = r;
	na.s = s;
	na.o = o;
	memcpy(na.target, target, 16);
	duet_wcur_init(&w, buf, 256);
	CHECK_EQ(duet_nd_na_emit(&na, &w), 0);
	CHECK_EQ(duet_nd_opt_lladdr_emit(DUET_ND_OPT_TARGET_LLADDR, fx_peer_mac, 6, &w), 0);
	return w.off;
}

/* An RA with SLLA, optionally an MTU option and one Prefix Information. */
static inline size_t fx_ra(uint8_t *buf, const struct duet_nd_ra *ra, uint32_t mtu,
			   const struct duet_nd_prefix_info *pi)
{
	struct duet_wcur w;

	duet_wcur_init(&w, buf, 256);
	CHECK_EQ(duet_nd_ra_emit(ra, &w), 0);
	CHECK_EQ(duet_nd_opt_lladdr_emit(DUET_ND_OPT_SOURCE_LLADDR, fx_peer_mac, 6, &w), 0);
	if (mtu)
		CHECK_EQ(duet_nd_opt_mtu_emit(mtu, &w), 0);
	if (pi)
		CHECK_EQ(duet_nd_opt_prefix_emit(pi, &w), 0);
	return w.off;
}

/* How many captured frames carry ICMPv6 type. */
static inline unsigned fx_count_type(const struct fx *f, uint8_t type)
{
	unsigned i, n = 0;

	for (i = 0; i < f->nout; i++)
		n += f->out[i].len > 0 && f->out[i].msg[0] == type;
	return n;
}

/* The index of the first captured frame of type at or after from, or -1. */
static inline int fx_find(const struct fx *f, uint8_t type, unsigned from)
{
	unsigned i;

	for (i = from; i < f->nout; i++)
		if (f->out[i].len > 0 && f->out[i].msg[0] == type)
			return (int)i;
	return -1;
}

/* The interface's IPv6 addresses in slot order, and their count. */
static inline int fx_addrs6(const struct fx *f, struct duet_ifaddr *out, int n)
{
	struct duet_ifaddr all[2 * DUET_IFA_MAX];
	int i, k = 0, total = duet_if_addrs(f->s, f->ifx, all, 2 * DUET_IFA_MAX);

	for (i = 0; i < total && k < n; i++)
		if (all[i].family == AF_INET6)
			out[k++] = all[i];
	return k;
}

/* The first link-local address of the interface (fails the test if none). */
static inline void fx_linklocal(const struct fx *f, uint8_t out[16])
{
	struct duet_ifaddr a[DUET_IFA_MAX];
	int i, n = fx_addrs6(f, a, DUET_IFA_MAX);

	for (i = 0; i < n; i++)
		if (duet_addr6_is_linklocal(a[i].addr)) {
			memcpy(out, a[i].addr, 16);
			return;
		}
	CHECK(!"no link-local address");
}

#endif
