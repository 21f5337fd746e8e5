/* duet demo — a simulated network: two stacks on an impaired cable, frames
 * built with duet's wire emitters, a transcript of what beta received and
 * what its stack did with each frame. It grows with each issue. */
#include "tools/describe.h"
#include "tools/duet_tool.h"

#include <duet/addr.h>
#include <duet/byteorder.h>
#include <duet/csum.h>
#include <duet/sim.h>
#include <duet/wire/arp.h>
#include <duet/wire/eth.h>
#include <duet/wire/icmp4.h>
#include <duet/wire/icmp6.h>
#include <duet/wire/ip4.h>
#include <duet/wire/ip6.h>
#include <duet/wire/ip6_ext.h>
#include <duet/wire/mld.h>
#include <duet/wire/nd.h>
#include <duet/wire/tcp.h>
#include <duet/wire/udp.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct demo_host {
	const char *name;
	struct duet_stack *stack;
	int ifindex;
	uint8_t mac[6];
	uint8_t ip4[4];
	uint8_t ip6[16];
};

struct demo {
	struct duet_sim *sim;
	struct demo_host alpha, beta;
	unsigned shown;
};

/* ---- frame builders: Ethernet + IP + payload into buf, checksums set ---- */

static size_t put_eth(uint8_t *buf, const struct demo_host *from, const uint8_t dst[6],
		      uint16_t type)
{
	struct duet_eth_hdr e = { .ethertype = type };
	struct duet_wcur w;

	memcpy(e.dst, dst, 6);
	memcpy(e.src, from->mac, 6);
	duet_wcur_init(&w, buf, DUET_ETH_HDR_LEN);
	duet_eth_emit(&e, &w);
	return w.off;
}

static size_t build_arp(uint8_t *buf, const struct demo_host *a, const struct demo_host *b)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, zero[6];
	struct duet_arp_hdr h;
	struct duet_wcur w;
	size_t n = put_eth(buf, a, bcast, DUET_ETHERTYPE_ARP);

	duet_arp_init(&h, DUET_ARP_OP_REQUEST, a->mac, a->ip4, zero, b->ip4);
	duet_wcur_init(&w, buf + n, 64);
	duet_arp_emit(&h, &w);
	return n + w.off;
}

/* IPv4 header + l4 (already built, checksum not yet set) after Ethernet. */
static size_t build_ip4(uint8_t *buf, const struct demo_host *a, const struct demo_host *b,
			uint8_t proto, const uint8_t *l4, size_t l4_len)
{
	struct duet_ip4_hdr h = { .ttl = 64, .protocol = proto, .df = true };
	struct duet_wcur w;
	size_t n = put_eth(buf, a, b->mac, DUET_ETHERTYPE_IPV4);
	uint8_t *seg;
	uint32_t ph;

	h.total_length = (uint16_t)(20 + l4_len);
	h.identification = 0x1c46;
	memcpy(h.src, a->ip4, 4);
	memcpy(h.dst, b->ip4, 4);
	duet_wcur_init(&w, buf + n, 20);
	duet_ip4_emit(&h, &w);
	seg = buf + n + 20;
	memcpy(seg, l4, l4_len);
	ph = duet_csum_pseudo4(a->ip4, b->ip4, (uint16_t)l4_len, proto);
	if (proto == 1)
		duet_icmp4_csum_set(seg, l4_len);
	else if (proto == 17)
		duet_udp_csum_set(seg, l4_len, ph);
	else if (proto == 6)
		duet_tcp_csum_set(seg, l4_len, ph);
	return n + 20 + l4_len;
}

/* IPv6 header (next header nh) + payload after Ethernet; the upper-layer
 * checksum (UDP, TCP, ICMPv6) is set when the payload starts with it. */
static size_t build_ip6(uint8_t *buf, const struct demo_host *a, const uint8_t dst_mac[6],
			const uint8_t dst[16], uint8_t nh, uint8_t hlim, const uint8_t *pl,
			size_t pl_len, uint8_t l4_proto, size_t l4_off)
{
	struct duet_ip6_hdr h = { .next_header = nh, .hop_limit = hlim };
	struct duet_wcur w;
	size_t n = put_eth(buf, a, dst_mac, DUET_ETHERTYPE_IPV6);
	uint8_t *seg;
	size_t seg_len;
	uint32_t ph;

	h.payload_length = (uint16_t)pl_len;
	h.flow_label = 0x12345;
	memcpy(h.src, a->ip6, 16);
	memcpy(h.dst, dst, 16);
	duet_wcur_init(&w, buf + n, 40);
	duet_ip6_emit(&h, &w);
	memcpy(buf + n + 40, pl, pl_len);
	seg = buf + n + 40 + l4_off;
	seg_len = pl_len - l4_off;
	ph = duet_csum_pseudo6(a->ip6, dst, (uint32_t)seg_len, l4_proto);
	if (l4_proto == 17)
		duet_udp_csum_set(seg, seg_len, ph);
	else if (l4_proto == 6)
		duet_tcp_csum_set(seg, seg_len, ph);
	else if (l4_proto == 58)
		duet_icmp6_csum_set(seg, seg_len, ph);
	return n + 40 + pl_len;
}

static size_t build_icmp4_echo(uint8_t *buf, const struct demo_host *a, const struct demo_host *b)
{
	struct duet_icmp4_hdr h = { .type = DUET_ICMP4_ECHO, .identifier = 0x4444,
				    .sequence_number = 1 };
	uint8_t msg[64];
	struct duet_wcur w;

	duet_wcur_init(&w, msg, sizeof msg);
	duet_icmp4_emit(&h, &w);
	memset(msg + w.off, 'p', sizeof msg - w.off);
	return build_ip4(buf, a, b, 1, msg, sizeof msg);
}

static size_t build_udp4(uint8_t *buf, const struct demo_host *a, const struct demo_host *b)
{
	struct duet_udp_hdr h = { .src_port = 40001, .dst_port = 7, .length = 8 + 12 };
	uint8_t seg[20];
	struct duet_wcur w;

	duet_wcur_init(&w, seg, sizeof seg);
	duet_udp_emit(&h, &w);
	memcpy(seg + 8, "hello, beta!", 12);
	return build_ip4(buf, a, b, 17, seg, sizeof seg);
}

static size_t build_echo6(uint8_t *buf, const struct demo_host *a, const struct demo_host *b)
{
	uint8_t msg[8 + 56] = { 128, 0, 0, 0, 0x66, 0x66, 0, 1 };

	memset(msg + 8, 'q', sizeof msg - 8);
	return build_ip6(buf, a, b->mac, b->ip6, 58, 64, msg, sizeof msg, 58, 0);
}

/* Neighbour Solicitation for beta's address, to its solicited-node group,
 * with alpha's link-layer address (RFC 4861 §4.3, §7.2.2). */
static size_t build_ns(uint8_t *buf, const struct demo_host *a, const struct demo_host *b)
{
	struct duet_nd_ns ns = { 0 };
	uint8_t group[16], mac[6], msg[DUET_ND_NS_LEN + 8];
	struct duet_wcur w;

	memcpy(ns.target, b->ip6, 16);
	duet_addr6_solicited_node(b->ip6, group);
	duet_eth_mcast_from_ip6(group, mac);
	duet_wcur_init(&w, msg, sizeof msg);
	duet_nd_ns_emit(&ns, &w);
	duet_nd_opt_lladdr_emit(DUET_ND_OPT_SOURCE_LLADDR, a->mac, 6, &w);
	return build_ip6(buf, a, mac, group, 58, 255, msg, w.off, 58, 0);
}

/* MLDv2 report joining ff02::1:ff00:1, behind a Hop-by-Hop header with a
 * Router Alert, from alpha's link-local address (RFC 3810 §5.2, §5.2.13;
 * RFC 2711). */
static size_t build_mld(uint8_t *buf, const struct demo_host *alpha)
{
	struct demo_host ll = *alpha, *a = &ll;
	static const uint8_t all_mld_routers[16] = { 0xff, 0x02, [15] = 0x16 };
	static const uint8_t ra_value[2] = { 0, 0 }; /* MLD */
	struct duet_ip6_opt ra = { .type = DUET_IP6_OPT_ROUTER_ALERT, .opt_data_len = 2,
				   .data = ra_value };
	struct duet_mld_report rep = { .nr_of_mcast_address_records = 1 };
	struct duet_mld_record rec = { .record_type = DUET_MLD_CHANGE_TO_EXCLUDE };
	uint8_t pl[8 + 8 + DUET_MLD_RECORD_LEN], mac[6];
	struct duet_wcur w;

	memset(ll.ip6, 0, 16);
	ll.ip6[0] = 0xfe;
	ll.ip6[1] = 0x80;
	ll.ip6[15] = alpha->ip6[15];
	duet_addr6_solicited_node(alpha->ip6, rec.multicast_address);
	duet_eth_mcast_from_ip6(all_mld_routers, mac);
	duet_wcur_init(&w, pl, sizeof pl);
	duet_ip6_opthdr_build(58, &ra, 1, &w);
	duet_mld_report_emit(&rep, &w);
	duet_mld_record_emit(&rec, &w);
	return build_ip6(buf, a, mac, all_mld_routers, 0, 1, pl, w.off, 58, 8);
}

static size_t build_syn6(uint8_t *buf, const struct demo_host *a, const struct demo_host *b)
{
	struct duet_tcp_hdr t = { .src_port = 50000, .dst_port = 80, .seq = 0x01020304,
				  .flags = DUET_TCP_SYN, .window = 64800,
				  .has_mss = true, .mss = 1440, .has_sack_permitted = true,
				  .has_timestamps = true, .ts_val = 1000,
				  .has_wscale = true, .wscale = 7 };
	uint8_t seg[60];
	struct duet_wcur w;

	duet_wcur_init(&w, seg, sizeof seg);
	duet_tcp_emit(&t, &w);
	return build_ip6(buf, a, b->mac, b->ip6, 6, 64, seg, w.off, 6, 0);
}

/* A 2,000-byte UDP datagram over IPv6 in two fragments (RFC 8200 §4.5). */
static size_t build_frag6(uint8_t *buf, const struct demo_host *a, const struct demo_host *b,
			  int second)
{
	static uint8_t dgram[2000];
	struct duet_udp_hdr u = { .src_port = 40002, .dst_port = 9, .length = sizeof dgram };
	struct duet_ip6_frag_hdr f = { .next_header = 17, .identification = 0xd0e7 };
	uint8_t pl[8 + 1232];
	size_t off = second ? 1232 : 0, len = second ? sizeof dgram - 1232 : 1232;
	struct duet_wcur w;

	duet_wcur_init(&w, dgram, 8);
	duet_udp_emit(&u, &w);
	memset(dgram + 8, 'f', sizeof dgram - 8);
	duet_udp_csum_set(dgram, sizeof dgram, duet_csum_pseudo6(a->ip6, b->ip6, sizeof dgram, 17));
	f.fragment_offset = (uint16_t)(off / 8);
	f.m = !second;
	duet_wcur_init(&w, pl, 8);
	duet_ip6_frag_emit(&f, &w);
	memcpy(pl + 8, dgram + off, len);
	return build_ip6(buf, a, b->mac, b->ip6, 44, 64, pl, 8 + len, 0, 0);
}

/* ---- the transcript: beta's trace hook ------------------------------- */

static void demo_trace(void *ctx, const struct duet_trace_event *ev)
{
	struct demo *d = ctx;
	char line[256];

	if (ev->kind == DUET_TRACE_RX) {
		describe_frame(ev->data, ev->len, line, sizeof line);
		printf("  %9.3f  %s\n", (double)ev->time_ns / 1e6, line);
		d->shown++;
	} else if (ev->kind == DUET_TRACE_DROP) {
		printf("  %9s  -> %s: %s\n", "", duet_counter_name(ev->counter),
		       duet_counter_desc(ev->counter));
	}
}

static void demo_host_init(struct demo_host *h, const char *name, uint8_t last)
{
	static const uint8_t p6[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	memset(h, 0, sizeof(*h));
	h->name = name;
	h->ip4[0] = 192;
	h->ip4[2] = 2;
	h->ip4[3] = last;
	memcpy(h->ip6, p6, 16);
	h->ip6[15] = last;
}

static int demo_setup(struct demo *d, uint64_t seed, const char *pcap)
{
	struct duet_stack_config cfg;
	struct duet_impair_params imp;
	struct duet_sim_link_opts opts = { 0 };
	struct duet_link *la, *lb;
	int err;

	demo_host_init(&d->alpha, "alpha", 1);
	demo_host_init(&d->beta, "beta", 2);
	err = duet_sim_create(seed, 0, &d->sim);
	if (err)
		return err;
	err = duet_sim_add_stack(d->sim, "alpha", NULL, &d->alpha.stack);
	if (err)
		return err;
	duet_stack_config_init(&cfg);
	cfg.trace = demo_trace;
	cfg.trace_ctx = d;
	err = duet_sim_add_stack(d->sim, "beta", &cfg, &d->beta.stack);
	if (err)
		return err;
	duet_impair_params_init(&imp);
	imp.delay_ns = 2 * DUET_NS_PER_MS;
	imp.jitter_ns = DUET_NS_PER_MS / 2;
	opts.a_to_b = &imp;
	opts.b_to_a = &imp;
	opts.pcap_path = pcap;
	err = duet_sim_connect(d->sim, d->alpha.stack, d->beta.stack, &opts, &d->alpha.ifindex,
			       &d->beta.ifindex);
	if (err)
		return err;
	la = duet_stack_iface_link(d->alpha.stack, (uint32_t)d->alpha.ifindex);
	lb = duet_stack_iface_link(d->beta.stack, (uint32_t)d->beta.ifindex);
	memcpy(d->alpha.mac, la->hwaddr, 6);
	memcpy(d->beta.mac, lb->hwaddr, 6);
	return 0;
}

static void demo_send(struct demo *d, const uint8_t *frame, size_t len)
{
	struct duet_pkt *p = duet_pkt_alloc(duet_stack_pool(d->alpha.stack), DUET_PKT_HEADROOM, len);

	if (!p)
		return;
	memcpy(duet_pkt_data(p), frame, len);
	duet_stack_send_frame(d->alpha.stack, (uint32_t)d->alpha.ifindex, p);
	duet_sim_run_for(d->sim, DUET_NS_PER_MS); /* 1 ms between frames */
}

static void demo_print_host(const struct demo_host *h)
{
	char mac[18], v4[DUET_ADDR4_STRLEN], v6[DUET_ADDR6_STRLEN];

	duet_eth_ntop(h->mac, mac);
	duet_addr4_ntop(h->ip4, v4, sizeof v4);
	duet_addr6_ntop(h->ip6, v6, sizeof v6);
	printf("  %-5s  %s  %s  %s\n", h->name, mac, v4, v6);
}

static void demo_summary(const struct demo *d)
{
	struct duet_link *la = duet_stack_iface_link(d->alpha.stack, (uint32_t)d->alpha.ifindex);
	uint64_t ctr[DUET_CTR__COUNT];
	int i;

	printf("\nbeta's counters (non-zero):\n");
	duet_stack_counters(d->beta.stack, ctr);
	for (i = 0; i < DUET_CTR__COUNT; i++)
		if (ctr[i])
			printf("  %-22s %6llu\n", duet_counter_name((enum duet_counter)i),
			       (unsigned long long)ctr[i]);
	printf("\nalpha's link: %llu frames sent, %llu bytes\n",
	       (unsigned long long)la->stats.tx_frames, (unsigned long long)la->stats.tx_bytes);
}

int tool_demo(int argc, char **argv)
{
	struct demo d;
	const char *pcap = NULL;
	uint64_t seed = 1;
	uint8_t f[1600];
	int i, err;

	memset(&d, 0, sizeof d);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--pcap") == 0 && i + 1 < argc)
			pcap = argv[++i];
		else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else {
			fprintf(stderr, "duet demo: unknown argument '%s' (see duet demo --help)\n", argv[i]);
			return 2;
		}
	}
	err = demo_setup(&d, seed, pcap);
	if (err) {
		fprintf(stderr, "duet demo: setting up the simulation failed: %s\n", strerror(-err));
		duet_sim_destroy(d.sim);
		return 1;
	}
	printf("duet demo (seed %llu): two simulated hosts on one cable, 2 ms +/- 0.5 ms each way\n",
	       (unsigned long long)seed);
	demo_print_host(&d.alpha);
	demo_print_host(&d.beta);
	printf("\nalpha sends frames built with duet's wire emitters; beta's stack receives them:\n"
	       "  %9s  %s\n", "time (ms)", "frame as beta received it, and what beta did");
	demo_send(&d, f, build_arp(f, &d.alpha, &d.beta));
	demo_send(&d, f, build_ns(f, &d.alpha, &d.beta));
	demo_send(&d, f, build_mld(f, &d.alpha));
	demo_send(&d, f, build_icmp4_echo(f, &d.alpha, &d.beta));
	demo_send(&d, f, build_udp4(f, &d.alpha, &d.beta));
	demo_send(&d, f, build_echo6(f, &d.alpha, &d.beta));
	demo_send(&d, f, build_syn6(f, &d.alpha, &d.beta));
	demo_send(&d, f, build_frag6(f, &d.alpha, &d.beta, 0));
	demo_send(&d, f, build_frag6(f, &d.alpha, &d.beta, 1));
	err = duet_sim_run_until_idle(d.sim, 10 * DUET_NS_PER_S);
	demo_summary(&d);
	printf("\nbeta has no network layer yet (issue 3 brings ARP, Neighbour Discovery, ICMP\n"
	       "echo and reassembly): today its stack validates each frame, classifies it by\n"
	       "EtherType, and drops it with a named, counted reason.%s%s\n",
	       pcap ? "\ncapture written to " : "", pcap ? pcap : "");
	duet_sim_destroy(d.sim);
	return err ? 1 : 0;
}
