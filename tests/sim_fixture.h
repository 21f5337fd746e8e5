/* duet tests — helpers for simulation tests of the network layer: a trace
 * tap per stack (a transcript hash, every frame parsed down to its IPv6 or
 * IPv4 header, a per-test hook), frames built with the wire emitters and
 * queued on an interface, interface address look-ups, an echo collector
 * and a bounded ping-until-answered loop on the virtual clock. */
#ifndef DUET_TEST_SIM_FIXTURE_H
#define DUET_TEST_SIM_FIXTURE_H

#include "check.h"

#include <duet/addr.h>
#include <duet/csum.h>
#include <duet/net.h>
#include <duet/sim.h>
#include <duet/wire/eth.h>
#include <duet/wire/icmp6.h>
#include <duet/wire/ip4.h>
#include <duet/wire/ip6.h>
#include <duet/wire/ip6_ext.h>
#include <duet/wire/nd.h>

#include <stdbool.h>
#include <sys/socket.h>

#define SF_MS(ms) ((uint64_t)(ms) * DUET_NS_PER_MS)
#define SF_S(s) ((uint64_t)(s) * DUET_NS_PER_S)

/* One traced event; RX and TX frames parsed as far as they go (DROP
 * events are left to the hook: see sf_tap_fn). */
struct sf_frame {
	const struct duet_trace_event *ev;
	struct duet_eth_hdr eth;
	bool is_ip6, is_ip4;
	struct duet_ip6_hdr ip6;     /* is_ip6 */
	uint8_t ip4_ttl;             /* is_ip4 */
	uint8_t upper;               /* upper-layer protocol (after a Fragment header) */
	bool is_frag;                /* carried a Fragment header */
	uint16_t frag_offset;        /* in 8-octet units */
	const uint8_t *l4;           /* the upper-layer bytes in this frame */
	size_t l4_len;
};

struct sf_tap;
typedef void (*sf_hook_fn)(struct sf_tap *tap, const struct sf_frame *fr);

/* Installed as a stack's trace: hashes every event (FNV-1a over time, kind,
 * interface and bytes) and hands every parsed frame to hook. */
struct sf_tap {
	uint64_t hash;
	uint64_t events;
	sf_hook_fn hook;             /* NULL: none */
	void *ctx;                   /* the test's */
};

static inline void sf_tap_init(struct sf_tap *t, sf_hook_fn hook, void *ctx)
{
	memset(t, 0, sizeof(*t));
	t->hash = 0xcbf29ce484222325ull;
	t->hook = hook;
	t->ctx = ctx;
}

/* Parses the IPv6 header and a Fragment header right after it. */
static inline void sf_parse_ip6(struct duet_cur *c, struct sf_frame *fr)
{
	struct duet_ip6_frag_hdr fh;

	if (duet_ip6_parse(c, &fr->ip6) != 0)
		return;
	fr->is_ip6 = true;
	fr->upper = fr->ip6.next_header;
	if (fr->upper == DUET_IP6_NH_FRAGMENT && duet_ip6_frag_parse(c, &fh) == 0) {
		fr->is_frag = true;
		fr->upper = fh.next_header;
		fr->frag_offset = fh.fragment_offset;
	}
	fr->l4_len = duet_cur_left(c);
	fr->l4 = duet_cur_take(c, fr->l4_len);
}

static inline void sf_tap_fn(void *ctx, const struct duet_trace_event *ev)
{
	struct sf_tap *t = ctx;
	struct sf_frame fr;
	struct duet_ip4_hdr h4;
	struct duet_cur c;
	uint64_t h = (t->hash ^ ev->time_ns ^ ((uint64_t)ev->kind << 56) ^
		      ((uint64_t)ev->ifindex << 40)) * 0x100000001b3ull;
	uint32_t i;

	for (i = 0; i < ev->len; i++)
		h = (h ^ ev->data[i]) * 0x100000001b3ull;
	t->hash = h;
	t->events++;
	if (!t->hook)
		return;
	memset(&fr, 0, sizeof(fr));
	fr.ev = ev;
	duet_cur_init(&c, ev->data, ev->len);
	/* A dropped packet is traced as the dropping layer held it (an IPv6
	 * drop from its IPv6 header): only RX and TX events are whole frames. */
	if (ev->kind != DUET_TRACE_DROP && duet_eth_parse(&c, &fr.eth) == 0) {
		if (fr.eth.ethertype == DUET_ETHERTYPE_IPV6) {
			sf_parse_ip6(&c, &fr);
		} else if (fr.eth.ethertype == DUET_ETHERTYPE_IPV4 &&
			   duet_ip4_parse(&c, &h4) == 0) {
			fr.is_ip4 = true;
			fr.ip4_ttl = h4.ttl;
			fr.upper = h4.protocol;
		}
	}
	t->hook(t, &fr);
}

/* A stack in sim whose trace goes to tap (NULL: none). */
static inline struct duet_stack *sf_add_stack(struct duet_sim *sim, const char *name,
					      struct sf_tap *tap, bool is_autoconf_off)
{
	struct duet_stack_config cfg;
	struct duet_stack *s = NULL;

	duet_stack_config_init(&cfg);
	cfg.is_ipv6_autoconf_off = is_autoconf_off;
	if (tap) {
		cfg.trace = sf_tap_fn;
		cfg.trace_ctx = tap;
	}
	CHECK_EQ(duet_sim_add_stack(sim, name, &cfg, &s), 0);
	return s;
}

static inline void sf_a6(const char *text, uint8_t out[16])
{
	CHECK_EQ(duet_addr6_pton(text, out), 0);
}

/* The interface's MAC address. */
static inline const uint8_t *sf_mac(struct duet_stack *s, uint32_t ifindex)
{
	return duet_stack_iface_link(s, ifindex)->hwaddr;
}

/* The interface's first IPv6 address in prefix/plen (any flags): true and
 * *out filled, or false (*out zeroed). */
static inline bool sf_addr6_in(const struct duet_stack *s, uint32_t ifindex,
			       const uint8_t prefix[16], unsigned plen, struct duet_ifaddr *out)
{
	struct duet_ifaddr all[2 * DUET_IFA_MAX];
	int i, n = duet_if_addrs(s, ifindex, all, 2 * DUET_IFA_MAX);

	memset(out, 0, sizeof(*out));
	for (i = 0; i < n && i < 2 * DUET_IFA_MAX; i++)
		if (all[i].family == AF_INET6 && duet_addr_prefix_eq(all[i].addr, prefix, plen)) {
			*out = all[i];
			return true;
		}
	return false;
}

/* The interface's link-local address once DAD passed: true and out, or false. */
static inline bool sf_linklocal(const struct duet_stack *s, uint32_t ifindex, uint8_t out[16])
{
	static const uint8_t ll[16] = { 0xfe, 0x80 };
	struct duet_ifaddr a;

	if (!sf_addr6_in(s, ifindex, ll, 64, &a) ||
	    (a.flags & (DUET_IFA_F_TENTATIVE | DUET_IFA_F_DUPLICATE)))
		return false;
	memcpy(out, a.addr, 16);
	return true;
}

/* True when the low 64 bits of addr are the modified EUI-64 of mac
 * (RFC 4291 Appendix A). */
static inline bool sf_is_eui64(const uint8_t addr[16], const uint8_t mac[6])
{
	const uint8_t eui[8] = { (uint8_t)(mac[0] ^ 0x02), mac[1], mac[2], 0xff, 0xfe,
				 mac[3], mac[4], mac[5] };

	return memcmp(addr + 8, eui, 8) == 0;
}

/* Queues one Ethernet + IPv6 frame (a Fragment header when frag) carrying
 * len bytes of payload on ifindex, from the interface's MAC to dst_mac. */
static inline int sf_send_ip6(struct duet_stack *s, uint32_t ifindex, const uint8_t dst_mac[6],
			      const struct duet_ip6_hdr *ih, const struct duet_ip6_frag_hdr *frag,
			      const uint8_t *payload, size_t len)
{
	size_t total = DUET_ETH_HDR_LEN + DUET_IP6_HDR_LEN + (frag ? 8 : 0) + len;
	struct duet_pkt *p = duet_pkt_alloc(duet_stack_pool(s), DUET_PKT_HEADROOM, total);
	struct duet_eth_hdr eh;
	struct duet_wcur w;

	if (!p)
		return -1;
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.dst, dst_mac, 6);
	memcpy(eh.src, sf_mac(s, ifindex), 6);
	eh.ethertype = DUET_ETHERTYPE_IPV6;
	duet_wcur_init(&w, duet_pkt_data(p), total);
	if (duet_eth_emit(&eh, &w) != 0 || duet_ip6_emit(ih, &w) != 0 ||
	    (frag && duet_ip6_frag_emit(frag, &w) != 0) || duet_wcur_put(&w, payload, len) != 0) {
		duet_pkt_free(p);
		return -1;
	}
	return duet_stack_send_frame(s, ifindex, p);
}

/* Replies collected by an echo handler: those with want_id and want_seq. */
struct sf_echo {
	uint16_t want_id, want_seq;
	unsigned replies;            /* matching replies */
	unsigned others;             /* late replies to earlier tries */
	struct duet_echo_reply last; /* the last matching one */
};

static inline void sf_echo_fn(void *ctx, const struct duet_echo_reply *rep)
{
	struct sf_echo *e = ctx;

	if (rep->id != e->want_id || rep->seq != e->want_seq) {
		e->others++;
		return;
	}
	e->last = *rep;
	e->replies++;
}

/* Sends echo requests of data_len bytes from s to dst (a new sequence
 * number each try), waiting wait_ns of virtual time after each, until one
 * is answered or max_tries were sent. Returns the tries used, or 0 when
 * none was answered. The echo handler of s must be sf_echo_fn with e. */
static inline unsigned sf_ping(struct duet_sim *sim, struct duet_stack *s, struct sf_echo *e,
			       int family, const uint8_t *dst, uint32_t oif, uint32_t data_len,
			       unsigned max_tries, uint64_t wait_ns)
{
	unsigned t, before = e->replies;

	for (t = 1; t <= max_tries; t++) {
		e->want_seq++;
		CHECK_EQ(duet_echo_send(s, family, dst, oif, e->want_id, e->want_seq, data_len), 0);
		duet_sim_run_for(sim, wait_ns);
		if (e->replies != before)
			return t;
	}
	return 0;
}

#endif
