/* duet tests — TCP state scripts (T-2, S-1, A-7, A-8): one stack on a
 * virtual clock behind a channel link, the test playing the peer. It
 * injects hand-built segments (any flags, sequence numbers, window,
 * options, payload) over IPv6 or IPv4 and checks every segment the stack
 * sends, as packetdrill does: RFC 9293's state transitions, reset rules,
 * RFC 5961, PAWS, the timers, the listen queues and SYN cookies, the
 * options of the handshake, and what the socket calls see. The peer
 * answers the stack's Neighbour Solicitations and ARP requests itself. */
#include "check.h"

#include "transport/tcp_internal.h"

#include <duet/addr.h>
#include <duet/byteorder.h>
#include <duet/chanlink.h>
#include <duet/clock.h>
#include <duet/csum.h>
#include <duet/net.h>
#include <duet/socket.h>
#include <duet/wire/arp.h>
#include <duet/wire/eth.h>
#include <duet/wire/icmp4.h>
#include <duet/wire/icmp6.h>
#include <duet/wire/ip4.h>
#include <duet/wire/ip6.h>
#include <duet/wire/tcp.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

/* --- the harness ------------------------------------------------------- */

#define TS_MAX_SEGS 512u
#define TS_T0_NS DUET_NS_PER_S
#define TS_PEER_ISS 1000000u       /* the peer's initial sequence number */
#define TS_LPORT 8080u             /* the stack's listening port */
#define TS_PPORT 40000u            /* the peer's port */

static const uint8_t ts_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t ts_peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

/* One segment the stack sent. */
struct ts_seg {
	uint64_t t_ms;               /* virtual time since the start */
	bool is_v4;
	struct duet_tcp_hdr h;
	uint8_t data[2048];
	uint32_t len;                /* data bytes */
	uint8_t hlim, tclass;
	bool is_csum_ok;
};

struct ts {
	struct duet_vclock vc;
	struct duet_stack *s;
	struct duet_link *link;
	uint32_t eth;
	bool is_v4;                  /* the peer talks IPv4 */
	uint8_t us[16], peer[16];    /* v4-mapped when is_v4 */
	uint16_t lport, pport;       /* the stack's port, the peer's */
	uint8_t hlim, tclass;        /* of what the peer sends */
	bool is_ts;                  /* the peer sends timestamps */
	uint32_t peer_tsval_base;    /* peer's TSval = this + ms since start */
	uint32_t last_tsval;         /* the stack's last TSval seen */
	uint8_t wscale;              /* the stack's shift the peer applies */
	/* Sequence state as the peer sees it. */
	uint32_t snd_nxt;            /* the peer's next sequence number */
	uint32_t rcv_nxt;            /* the next the stack will send */
	uint32_t iss;                /* the stack's ISS */
	struct ts_seg *seg;          /* [TS_MAX_SEGS] */
	unsigned n, rd;
	unsigned n_ns, n_arp;        /* resolutions answered */
	unsigned n_other;            /* other IP frames (ICMP errors ...) */
};

static uint64_t ts_now_ms(const struct ts *x)
{
	return (x->vc.now_ns - TS_T0_NS) / DUET_NS_PER_MS;
}

static uint64_t ts_ctr(const struct ts *x, enum duet_counter id)
{
	return duet_stack_counter(x->s, id);
}

static void ts_inject_frame(struct ts *x, const uint8_t *f, size_t len)
{
	CHECK_EQ(duet_chanlink_inject(x->link, f, len), 0);
}

static size_t ts_eth(uint8_t *f, uint16_t type, const uint8_t dst[6])
{
	struct duet_eth_hdr h;
	struct duet_wcur w;

	memset(&h, 0, sizeof(h));
	memcpy(h.dst, dst, 6);
	memcpy(h.src, ts_peer_mac, 6);
	h.ethertype = type;
	duet_wcur_init(&w, f, DUET_ETH_HDR_LEN);
	CHECK_EQ(duet_eth_emit(&h, &w), 0);
	return DUET_ETH_HDR_LEN;
}

/* An IPv6 datagram from src to dst carrying next header nh. */
static void ts_inject_ip6(struct ts *x, const uint8_t src[16], const uint8_t dst[16], uint8_t nh,
			  uint8_t hlim, uint8_t tclass, const uint8_t *l4, size_t len)
{
	uint8_t f[2200];
	struct duet_ip6_hdr ih;
	struct duet_wcur w;
	size_t n = ts_eth(f, DUET_ETHERTYPE_IPV6, ts_mac);

	memset(&ih, 0, sizeof(ih));
	ih.traffic_class = tclass;
	ih.payload_length = (uint16_t)len;
	ih.next_header = nh;
	ih.hop_limit = hlim;
	memcpy(ih.src, src, 16);
	memcpy(ih.dst, dst, 16);
	duet_wcur_init(&w, f + n, sizeof(f) - n);
	CHECK_EQ(duet_ip6_emit(&ih, &w), 0);
	memcpy(f + n + w.off, l4, len);
	ts_inject_frame(x, f, n + w.off + len);
}

static void ts_inject_ip4(struct ts *x, const uint8_t src[4], const uint8_t dst[4], uint8_t proto,
			  uint8_t ttl, uint8_t tos, const uint8_t *l4, size_t len)
{
	uint8_t f[2200];
	struct duet_ip4_hdr ih;
	struct duet_wcur w;
	size_t n = ts_eth(f, DUET_ETHERTYPE_IPV4, ts_mac);

	memset(&ih, 0, sizeof(ih));
	ih.ttl = ttl;
	ih.dscp = tos >> 2;
	ih.ecn = tos & 3;
	ih.protocol = proto;
	ih.df = true;
	memcpy(ih.src, src, 4);
	memcpy(ih.dst, dst, 4);
	ih.total_length = (uint16_t)(duet_ip4_len(&ih) + len);
	duet_wcur_init(&w, f + n, sizeof(f) - n);
	CHECK_EQ(duet_ip4_emit(&ih, &w), 0);
	memcpy(f + n + w.off, l4, len);
	ts_inject_frame(x, f, n + w.off + len);
}

/* The peer answers a Neighbour Solicitation for its address. */
static void ts_answer_ns(struct ts *x, const struct duet_ip6_hdr *ih, const uint8_t *m, size_t len)
{
	uint8_t na[32];

	if (len < 24 || memcmp(m + 8, x->peer, 16) != 0 || sock_addr_is_v4(x->peer))
		return;
	memset(na, 0, sizeof(na));
	na[0] = 136;
	na[4] = 0x60; /* Solicited, Override */
	memcpy(na + 8, x->peer, 16);
	na[24] = 2; /* Target Link-Layer Address */
	na[25] = 1;
	memcpy(na + 26, ts_peer_mac, 6);
	duet_icmp6_csum_set(na, sizeof(na), duet_csum_pseudo6(x->peer, ih->src, sizeof(na), 58));
	ts_inject_ip6(x, x->peer, ih->src, 58, 255, 0, na, sizeof(na));
	x->n_ns++;
}

static void ts_answer_arp(struct ts *x, struct duet_cur *c)
{
	struct duet_arp_hdr a, r;
	uint8_t f[64];
	struct duet_wcur w;
	size_t n;

	if (duet_arp_parse(c, &a) != 0 || a.op != DUET_ARP_OP_REQUEST ||
	    memcmp(a.tpa, x->peer + 12, 4) != 0)
		return;
	n = ts_eth(f, DUET_ETHERTYPE_ARP, a.sha);
	duet_arp_init(&r, DUET_ARP_OP_REPLY, ts_peer_mac, a.tpa, a.sha, a.spa);
	duet_wcur_init(&w, f + n, DUET_ARP_LEN);
	CHECK_EQ(duet_arp_emit(&r, &w), 0);
	ts_inject_frame(x, f, n + DUET_ARP_LEN);
	x->n_arp++;
}

static void ts_keep_tcp(struct ts *x, bool is_v4, const uint8_t *src, const uint8_t *dst,
			uint8_t hlim, uint8_t tclass, const uint8_t *l4, size_t len)
{
	struct ts_seg *g;
	struct duet_cur c;
	uint32_t pseudo = is_v4 ? duet_csum_pseudo4(src, dst, (uint16_t)len, 6)
				: duet_csum_pseudo6(src, dst, (uint32_t)len, 6);

	if (x->n >= TS_MAX_SEGS) {
		check_fail(__FILE__, __LINE__, "more than %u segments", TS_MAX_SEGS);
		return;
	}
	g = &x->seg[x->n];
	memset(g, 0, sizeof(*g));
	duet_cur_init(&c, l4, len);
	if (duet_tcp_parse(&c, &g->h) != 0) {
		check_fail(__FILE__, __LINE__, "the stack sent a malformed TCP segment");
		return;
	}
	g->len = (uint32_t)duet_cur_left(&c);
	if (g->len > sizeof(g->data)) {
		check_fail(__FILE__, __LINE__, "segment of %u bytes", g->len);
		return;
	}
	memcpy(g->data, duet_cur_take(&c, g->len), g->len);
	g->is_csum_ok = duet_tcp_csum_ok(l4, len, pseudo);
	CHECK(g->is_csum_ok);
	g->t_ms = ts_now_ms(x);
	g->is_v4 = is_v4;
	g->hlim = hlim;
	g->tclass = tclass;
	if (g->h.has_timestamps)
		x->last_tsval = g->h.ts_val;
	x->n++;
}

/* Takes every frame the stack sent: TCP segments are kept, resolutions
 * answered, the rest counted. */
static void ts_pump(struct ts *x)
{
	struct duet_pkt *p;

	while ((p = duet_chanlink_pop(x->link)) != NULL) {
		struct duet_cur c;
		struct duet_eth_hdr eh;

		duet_cur_init(&c, duet_pkt_data(p), p->len);
		if (duet_eth_parse(&c, &eh) == 0) {
			if (eh.ethertype == DUET_ETHERTYPE_IPV6) {
				struct duet_ip6_hdr ih;
				if (duet_ip6_parse(&c, &ih) == 0) {
					size_t n = duet_cur_left(&c);
					const uint8_t *l4 = duet_cur_take(&c, n);
					if (ih.next_header == 6)
						ts_keep_tcp(x, false, ih.src, ih.dst, ih.hop_limit,
							    ih.traffic_class, l4, n);
					else if (ih.next_header == 58 && n > 0 && l4[0] == 135)
						ts_answer_ns(x, &ih, l4, n);
					else if (ih.next_header == 58 && n > 0 && l4[0] < 128)
						x->n_other++;
				}
			} else if (eh.ethertype == DUET_ETHERTYPE_IPV4) {
				struct duet_ip4_hdr ih;
				if (duet_ip4_parse(&c, &ih) == 0) {
					size_t n = duet_cur_left(&c);
					const uint8_t *l4 = duet_cur_take(&c, n);
					if (ih.protocol == 6)
						ts_keep_tcp(x, true, ih.src, ih.dst, ih.ttl,
							    (uint8_t)(ih.dscp << 2 | ih.ecn), l4, n);
					else
						x->n_other++;
				}
			} else if (eh.ethertype == DUET_ETHERTYPE_ARP) {
				ts_answer_arp(x, &c);
			}
		}
		duet_pkt_free(p);
	}
}

static unsigned ts_pending(const struct ts *x)
{
	return x->n - x->rd;
}

/* Runs the stack to absolute virtual time t_ns, timer by timer, the peer
 * answering resolutions on the way. */
static void ts_run_to(struct ts *x, uint64_t t_ns)
{
	unsigned guard;

	for (guard = 0; guard < 1000000; guard++) {
		uint64_t d;
		duet_stack_poll(x->s);
		ts_pump(x);
		d = duet_stack_next_deadline(x->s);
		if (d > t_ns)
			break;
		if (d > x->vc.now_ns)
			duet_vclock_set(&x->vc, d);
		else if (!duet_chanlink_pending(x->link) && guard > 100000)
			break;
	}
	duet_vclock_set(&x->vc, t_ns);
	for (guard = 0; guard < 8; guard++) {
		duet_stack_poll(x->s);
		ts_pump(x);
	}
}

/* Runs the stack until it sends a segment or max_ms pass; true when one
 * came (the clock stays at its sending). */
static bool ts_wait_seg(struct ts *x, uint64_t max_ms)
{
	uint64_t end = x->vc.now_ns + max_ms * DUET_NS_PER_MS;
	unsigned guard;

	for (guard = 0; guard < 1000000 && !ts_pending(x); guard++) {
		uint64_t d;
		duet_stack_poll(x->s);
		ts_pump(x);
		if (ts_pending(x))
			break;
		d = duet_stack_next_deadline(x->s);
		if (d > end)
			break;
		if (d > x->vc.now_ns)
			duet_vclock_set(&x->vc, d);
	}
	if (!ts_pending(x))
		ts_run_to(x, end);
	return ts_pending(x) != 0;
}

static void ts_run_ms(struct ts *x, uint64_t ms)
{
	ts_run_to(x, x->vc.now_ns + ms * DUET_NS_PER_MS);
}

/* Lets what was injected be processed (no time passes). */
static void ts_settle(struct ts *x)
{
	ts_run_to(x, x->vc.now_ns);
}

static void ts_setup(struct ts *x, bool is_v4)
{
	struct duet_stack_config cfg;
	uint8_t us6[16], us4[4] = { 10, 0, 0, 1 };
	int ifi;

	memset(x, 0, sizeof(*x));
	x->seg = calloc(TS_MAX_SEGS, sizeof(*x->seg));
	CHECK(x->seg != NULL);
	duet_vclock_init(&x->vc, TS_T0_NS);
	duet_stack_config_init(&cfg);
	cfg.clock = &x->vc.clock;
	cfg.is_ipv6_autoconf_off = true;
	CHECK_EQ(duet_stack_create(&cfg, &x->s), 0);
	CHECK_EQ(duet_chanlink_create(ts_mac, 1500, 1024, &x->link), 0);
	ifi = duet_stack_add_link(x->s, x->link, "eth0");
	CHECK(ifi > 0);
	x->eth = (uint32_t)ifi;
	CHECK_EQ(duet_addr6_pton("fd00::1", us6), 0);
	CHECK_EQ(duet_if_addr_add(x->s, x->eth, AF_INET6, us6, 64, DUET_IFA_F_NODAD), 0);
	CHECK_EQ(duet_if_addr_add(x->s, x->eth, AF_INET, us4, 24, 0), 0);
	x->is_v4 = is_v4;
	if (is_v4) {
		CHECK_EQ(duet_addr6_pton("::ffff:10.0.0.1", x->us), 0);
		CHECK_EQ(duet_addr6_pton("::ffff:10.0.0.2", x->peer), 0);
	} else {
		memcpy(x->us, us6, 16);
		CHECK_EQ(duet_addr6_pton("fd00::2", x->peer), 0);
	}
	x->lport = TS_LPORT;
	x->pport = TS_PPORT;
	x->hlim = 64;
	x->peer_tsval_base = 500000;
	x->snd_nxt = TS_PEER_ISS;
	ts_settle(x);
	x->n = x->rd = 0;
}

static void ts_teardown(struct ts *x)
{
	ts_pump(x);
	duet_stack_destroy(x->s);
	free(x->seg);
}

/* A header from the peer to the stack: its ports, flags, seq, ack, a
 * 65535 window, timestamps when the peer uses them. */
static struct duet_tcp_hdr ts_hdr(const struct ts *x, uint16_t flags, uint32_t seq, uint32_t ack)
{
	struct duet_tcp_hdr h;

	memset(&h, 0, sizeof(h));
	h.src_port = x->pport;
	h.dst_port = x->lport;
	h.flags = flags;
	h.seq = seq;
	h.ack = flags & DUET_TCP_ACK ? ack : 0;
	h.window = 65535;
	if (x->is_ts) {
		h.has_timestamps = true;
		h.ts_val = x->peer_tsval_base + (uint32_t)ts_now_ms(x);
		h.ts_ecr = x->last_tsval;
	}
	return h;
}

/* Sends h with len bytes of data from the peer (not processed until the
 * next run or settle). */
static void ts_put(struct ts *x, const struct duet_tcp_hdr *h, const void *data, size_t len)
{
	uint8_t seg[2048];
	struct duet_wcur w;
	size_t hl = duet_tcp_len(h);

	CHECK(hl + len <= sizeof(seg));
	duet_wcur_init(&w, seg, hl);
	CHECK_EQ(duet_tcp_emit(h, &w), 0);
	if (len)
		memcpy(seg + hl, data, len);
	if (x->is_v4) {
		duet_tcp_csum_set(seg, hl + len,
				  duet_csum_pseudo4(x->peer + 12, x->us + 12, (uint16_t)(hl + len), 6));
		ts_inject_ip4(x, x->peer + 12, x->us + 12, 6, x->hlim, x->tclass, seg, hl + len);
	} else {
		duet_tcp_csum_set(seg, hl + len,
				  duet_csum_pseudo6(x->peer, x->us, (uint32_t)(hl + len), 6));
		ts_inject_ip6(x, x->peer, x->us, 6, x->hlim, x->tclass, seg, hl + len);
	}
}

/* Sends and lets the stack process it. */
static void ts_send(struct ts *x, const struct duet_tcp_hdr *h, const void *data, size_t len)
{
	ts_put(x, h, data, len);
	ts_settle(x);
}

/* A segment from the peer in sequence: seq = snd_nxt, ack = rcv_nxt;
 * snd_nxt moves by its length. */
static void ts_send_seq(struct ts *x, uint16_t flags, const void *data, size_t len)
{
	struct duet_tcp_hdr h = ts_hdr(x, flags, x->snd_nxt, x->rcv_nxt);

	ts_send(x, &h, data, len);
	x->snd_nxt += (uint32_t)len + (flags & DUET_TCP_SYN ? 1u : 0u) + (flags & DUET_TCP_FIN ? 1u : 0u);
}

/* The next segment the stack sent that the test has not looked at, or NULL. */
static const struct ts_seg *ts_next(struct ts *x)
{
	return x->rd < x->n ? &x->seg[x->rd++] : NULL;
}

static const char *ts_flags_str(uint16_t f, char *b)
{
	snprintf(b, 40, "%s%s%s%s%s", f & DUET_TCP_SYN ? "S" : "", f & DUET_TCP_FIN ? "F" : "",
		 f & DUET_TCP_RST ? "R" : "", f & DUET_TCP_PSH ? "P" : "", f & DUET_TCP_ACK ? "." : "");
	return b;
}

/* Checks that the next segment has flags, seq and ack (ack only when ACK
 * is among flags); PSH in flags asks for a data segment with PSH, PSH
 * absent allows either. Returns it (NULL when none came). */
static const struct ts_seg *ts_expect_at(struct ts *x, int line, uint16_t flags, uint32_t seq,
					 uint32_t ack)
{
	const struct ts_seg *g = ts_next(x);
	char a[40], b[40];

	if (!g) {
		check_fail(__FILE__, line, "expected a segment [%s] seq %u ack %u, none came",
			   ts_flags_str(flags, a), seq, ack);
		return NULL;
	}
	if ((g->h.flags & ~DUET_TCP_PSH) != (flags & ~DUET_TCP_PSH) || g->h.seq != seq ||
	    ((flags & DUET_TCP_ACK) && g->h.ack != ack) ||
	    ((flags & DUET_TCP_PSH) && (!g->len || !(g->h.flags & DUET_TCP_PSH))))
		check_fail(__FILE__, line, "expected [%s] seq %u ack %u, got [%s] seq %u ack %u len %u",
			   ts_flags_str(flags, a), seq, ack, ts_flags_str(g->h.flags, b), g->h.seq,
			   g->h.ack, g->len);
	return g;
}
#define ts_expect(x, fl, seq, ack) ts_expect_at((x), __LINE__, (fl), (seq), (ack))

static void ts_expect_none_at(struct ts *x, int line)
{
	const struct ts_seg *g;
	char a[40];

	while ((g = ts_next(x)) != NULL)
		check_fail(__FILE__, line, "unexpected segment [%s] seq %u ack %u len %u at %llu ms",
			   ts_flags_str(g->h.flags, a), g->h.seq, g->h.ack, g->len,
			   (unsigned long long)g->t_ms);
}
#define ts_expect_none(x) ts_expect_none_at((x), __LINE__)

/* An ACK from the stack acknowledging everything the peer sent. */
#define ts_expect_ack(x) ts_expect((x), DUET_TCP_ACK, (x)->rcv_nxt, (x)->snd_nxt)

static int ts_family(const struct ts *x)
{
	return x->is_v4 ? AF_INET : AF_INET6;
}

static socklen_t ts_sa(const struct ts *x, const uint8_t a[16], uint16_t port,
		       struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (x->is_v4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, a + 12, 4);
		return sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, a, 16);
		return sizeof(*s6);
	}
}

static int ts_setint(struct ts *x, int fd, int level, int name, int v)
{
	return duet_setsockopt(x->s, fd, level, name, &v, sizeof(v));
}

static int ts_getint(struct ts *x, int fd, int level, int name)
{
	int v = -12345;
	socklen_t len = sizeof(v);

	CHECK_EQ(duet_getsockopt(x->s, fd, level, name, &v, &len), 0);
	return v;
}

static int ts_so_error(struct ts *x, int fd)
{
	return ts_getint(x, fd, SOL_SOCKET, SO_ERROR);
}

static short ts_revents(struct ts *x, int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	CHECK(duet_poll(x->s, &p, 1, 0) >= 0);
	return p.revents;
}

static struct tcp_info ts_info(struct ts *x, int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	CHECK_EQ(duet_getsockopt(x->s, fd, IPPROTO_TCP, TCP_INFO, &ti, &len), 0);
	return ti;
}

static uint8_t ts_state(struct ts *x, int fd)
{
	return ts_info(x, fd).tcpi_state;
}

/* A listener on the stack's wildcard of the family, port lport. */
static int ts_listen(struct ts *x, int backlog)
{
	struct sockaddr_storage ss;
	static const uint8_t any[16];
	int fd = duet_socket(x->s, ts_family(x), SOCK_STREAM | SOCK_NONBLOCK, 0);
	socklen_t n = ts_sa(x, any, x->lport, &ss);

	CHECK(fd >= 0);
	CHECK_EQ(ts_setint(x, fd, SOL_SOCKET, SO_REUSEADDR, 1), 0);
	CHECK_EQ(duet_bind(x->s, fd, (struct sockaddr *)&ss, n), 0);
	CHECK_EQ(duet_listen(x->s, fd, backlog), 0);
	return fd;
}

/* What the peer offers in its SYN. */
struct ts_synopt {
	bool is_none;                /* no options at all */
	uint16_t mss;                /* 0: 1460 */
	int wscale;                  /* -1: none, else the shift */
	bool no_sack, no_ts;
};

static void ts_syn_options(struct ts *x, struct duet_tcp_hdr *h, const struct ts_synopt *o)
{
	struct ts_synopt def = { .wscale = 7 };

	if (!o)
		o = &def;
	x->is_ts = false;
	h->has_timestamps = false;
	if (o->is_none)
		return;
	h->has_mss = true;
	h->mss = o->mss ? o->mss : 1460;
	if (o->wscale >= 0) {
		h->has_wscale = true;
		h->wscale = (uint8_t)o->wscale;
	}
	h->has_sack_permitted = !o->no_sack;
	if (!o->no_ts) {
		h->has_timestamps = true;
		h->ts_val = x->peer_tsval_base + (uint32_t)ts_now_ms(x);
		h->ts_ecr = (h->flags & DUET_TCP_ACK) ? x->last_tsval : 0;
	}
}

/* The peer's SYN to the listener (options o, NULL: MSS 1460, WS 7, SACK,
 * TS); checks the SYN-ACK and returns it. */
static const struct ts_seg *ts_peer_syn(struct ts *x, const struct ts_synopt *o, int line)
{
	struct duet_tcp_hdr h = ts_hdr(x, DUET_TCP_SYN, x->snd_nxt, 0);
	const struct ts_seg *g;

	h.window = 65535;
	ts_syn_options(x, &h, o);
	ts_send(x, &h, NULL, 0);
	x->snd_nxt++;
	g = ts_next(x);
	if (!g) {
		check_fail(__FILE__, line, "no SYN-ACK");
		return NULL;
	}
	if (g->h.flags != (DUET_TCP_SYN | DUET_TCP_ACK) || g->h.ack != x->snd_nxt)
		check_fail(__FILE__, line, "not a SYN-ACK for the SYN: flags %#x ack %u", g->h.flags,
			   g->h.ack);
	x->iss = g->h.seq;
	x->rcv_nxt = g->h.seq + 1;
	x->is_ts = h.has_timestamps && g->h.has_timestamps;
	x->wscale = g->h.has_wscale && h.has_wscale ? g->h.wscale : 0;
	return g;
}

/* A passive open by the peer (options o) completed and accepted: returns
 * the descriptor (non-blocking), *lfd the listener. */
static int ts_passive_at(struct ts *x, int *lfd, const struct ts_synopt *o, int line)
{
	int fd;

	*lfd = ts_listen(x, 16);
	ts_peer_syn(x, o, line);
	ts_send_seq(x, DUET_TCP_ACK, NULL, 0);
	if (ts_pending(x))
		check_fail(__FILE__, line, "a segment answered the handshake's ACK");
	fd = duet_accept4(x->s, *lfd, NULL, NULL, SOCK_NONBLOCK);
	if (fd < 0)
		check_fail(__FILE__, line, "accept: %d", errno);
	return fd;
}
#define ts_passive(x, lfd, o) ts_passive_at((x), (lfd), (o), __LINE__)

/* An active open of the stack to the peer: returns the descriptor once
 * connect() returned EINPROGRESS; the SYN checked and consumed. */
static int ts_connect_start_at(struct ts *x, int line)
{
	struct sockaddr_storage ss;
	socklen_t n = ts_sa(x, x->peer, x->pport, &ss);
	int fd = duet_socket(x->s, ts_family(x), SOCK_STREAM | SOCK_NONBLOCK, 0);
	const struct ts_seg *g;

	CHECK(fd >= 0);
	CHECK_EQ(duet_connect(x->s, fd, (struct sockaddr *)&ss, n), -1);
	CHECK_EQ(errno, EINPROGRESS);
	ts_settle(x);
	g = ts_next(x);
	if (!g || g->h.flags != DUET_TCP_SYN) {
		check_fail(__FILE__, line, "no SYN from connect");
		return fd;
	}
	x->iss = g->h.seq;
	x->rcv_nxt = g->h.seq + 1;
	x->lport = g->h.src_port; /* the stack's ephemeral port */
	CHECK_EQ(g->h.dst_port, x->pport);
	return fd;
}
#define ts_connect_start(x) ts_connect_start_at((x), __LINE__)

/* An active open completed by the peer's SYN-ACK (o's options). */
static int ts_active_at(struct ts *x, const struct ts_synopt *o, int line)
{
	int fd = ts_connect_start_at(x, line);
	struct duet_tcp_hdr h = ts_hdr(x, DUET_TCP_SYN | DUET_TCP_ACK, x->snd_nxt, x->rcv_nxt);
	const struct ts_seg *syn = &x->seg[x->rd - 1];

	ts_syn_options(x, &h, o);
	ts_send(x, &h, NULL, 0);
	x->snd_nxt++;
	x->is_ts = h.has_timestamps && syn->h.has_timestamps;
	x->wscale = h.has_wscale && syn->h.has_wscale ? syn->h.wscale : 0;
	ts_expect_at(x, line, DUET_TCP_ACK, x->rcv_nxt, x->snd_nxt);
	return fd;
}
#define ts_active(x, o) ts_active_at((x), (o), __LINE__)

static ssize_t ts_read(struct ts *x, int fd, void *buf, size_t cap)
{
	return duet_recv(x->s, fd, buf, cap, MSG_DONTWAIT);
}

/* --- opening ----------------------------------------------------------- */

/* T-2, S-1: passive open over each family. Action: SYN (MSS 1460, WS 7,
 * SACK-permitted, TS) to a listener, then the ACK. Response: a SYN-ACK
 * acknowledging the SYN with MSS (the MTU's), WS, SACK-permitted and TS
 * echoing the peer's TSval, an unscaled window; nothing to accept before
 * the ACK (SYN-RECEIVED), an ESTABLISHED connection after it. */
TEST(tcp_passive_open_listen_synrcvd_established)
{
	int fam;

	for (fam = 0; fam < 2; fam++) {
		struct ts x;
		struct duet_tcp_hdr h;
		const struct ts_seg *g;
		int lfd, fd;

		ts_setup(&x, fam == 1);
		lfd = ts_listen(&x, 16);
		CHECK_EQ(ts_state(&x, lfd), TCP_LISTEN);
		h = ts_hdr(&x, DUET_TCP_SYN, x.snd_nxt, 0);
		ts_syn_options(&x, &h, NULL);
		ts_send(&x, &h, NULL, 0);
		x.snd_nxt++;
		g = ts_expect(&x, DUET_TCP_SYN | DUET_TCP_ACK, x.seg[0].h.seq, x.snd_nxt);
		ts_expect_none(&x);
		if (!g)
			continue;
		x.iss = g->h.seq;
		x.rcv_nxt = x.iss + 1;
		CHECK(g->is_v4 == (fam == 1));
		CHECK(g->h.has_mss);
		CHECK_EQ(g->h.mss, fam ? 1460 : 1440);
		CHECK(g->h.has_wscale);
		CHECK_EQ(g->h.wscale, 5); /* 1 MiB receive buffer */
		CHECK(g->h.has_sack_permitted);
		CHECK(g->h.has_timestamps);
		CHECK_EQ(g->h.ts_ecr, h.ts_val);
		CHECK_EQ(g->h.window, 65535); /* a SYN's window is never scaled */
		CHECK_EQ(g->len, 0);
		x.is_ts = true;
		x.wscale = 5;
		CHECK_EQ(duet_accept(x.s, lfd, NULL, NULL), -1);
		CHECK_EQ(errno, EAGAIN);
		CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_PASSIVE_OPENS), 1);
		ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
		ts_expect_none(&x);
		fd = duet_accept4(x.s, lfd, NULL, NULL, SOCK_NONBLOCK);
		CHECK(fd >= 0);
		CHECK_EQ(ts_state(&x, fd), TCP_ESTABLISHED);
		CHECK_EQ(ts_info(&x, fd).tcpi_options & 7, 7);
		/* Data both ways, sequence numbers right after the SYNs. */
		ts_send_seq(&x, DUET_TCP_ACK | DUET_TCP_PSH, "ping", 4);
		{
			char buf[16];
			CHECK_EQ(ts_read(&x, fd, buf, sizeof(buf)), 4);
			CHECK_MEM(buf, "ping", 4);
		}
		/* Reading opens the window beyond the SYN-ACK's 65535 (unscaled)
		 * by more than 2 MSS: a window update (RFC 9293 §3.8.6.2.2), the
		 * whole 1 MiB buffer scaled by 5, which also acknowledges "ping". */
		ts_settle(&x);
		g = ts_expect_ack(&x);
		if (g)
			CHECK_EQ(g->h.window, (1u << 20) >> 5);
		CHECK_EQ(duet_send(x.s, fd, "pong", 4, 0), 4);
		ts_settle(&x);
		g = ts_expect(&x, DUET_TCP_ACK | DUET_TCP_PSH, x.rcv_nxt, x.snd_nxt);
		if (g) {
			CHECK_EQ(g->len, 4);
			CHECK_MEM(g->data, "pong", 4);
			CHECK(g->h.flags & DUET_TCP_PSH);
		}
		x.rcv_nxt += 4;
		ts_expect_none(&x);
		duet_close(x.s, fd);
		duet_close(x.s, lfd);
		ts_teardown(&x);
	}
}

/* T-2: the SYN-ACK is sent again on the retransmission timer (1 s, then
 * doubling) while the ACK does not come, and at once for the peer's
 * retransmitted SYN (RFC 9293 §3.10.7.4 on a duplicate SYN in
 * SYN-RECEIVED; Linux's tcp_check_req). A late ACK still completes it. */
TEST(tcp_synack_retransmission)
{
	struct ts x;
	struct duet_tcp_hdr h;
	int lfd, fd;

	ts_setup(&x, false);
	lfd = ts_listen(&x, 16);
	ts_peer_syn(&x, NULL, __LINE__);
	ts_run_ms(&x, 999);
	ts_expect_none(&x);
	ts_run_ms(&x, 2);
	{
		/* The same options again, a fresh TSval, the same TSecr. */
		const struct ts_seg *g = ts_expect(&x, DUET_TCP_SYN | DUET_TCP_ACK, x.iss, x.snd_nxt);
		if (g) {
			CHECK(g->h.has_mss && g->h.has_wscale && g->h.has_sack_permitted &&
			      g->h.has_timestamps);
			CHECK_EQ(g->h.mss, x.seg[0].h.mss);
			CHECK_EQ(g->h.ts_ecr, x.seg[0].h.ts_ecr);
			CHECK_EQ(g->h.ts_val - x.seg[0].h.ts_val, 1000);
		}
	}
	ts_run_ms(&x, 1998);
	ts_expect_none(&x);
	ts_run_ms(&x, 2);
	ts_expect(&x, DUET_TCP_SYN | DUET_TCP_ACK, x.iss, x.snd_nxt);
	/* The peer's SYN again (its own retransmission): the SYN-ACK again. */
	h = ts_hdr(&x, DUET_TCP_SYN, TS_PEER_ISS, 0);
	ts_syn_options(&x, &h, NULL);
	x.is_ts = true;
	ts_send(&x, &h, NULL, 0);
	ts_expect(&x, DUET_TCP_SYN | DUET_TCP_ACK, x.iss, x.snd_nxt);
	ts_expect_none(&x);
	ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
	ts_expect_none(&x);
	fd = duet_accept(x.s, lfd, NULL, NULL);
	CHECK(fd >= 0);
	CHECK_EQ(ts_state(&x, fd), TCP_ESTABLISHED);
	CHECK_EQ(ts_info(&x, fd).tcpi_rto, 3000000); /* RFC 6298 §5.7 */
	ts_teardown(&x);
}

/* T-2: the SYN-ACK retries end (net.ipv4.tcp_synack_retries, 5): after
 * the last the half-open connection goes, and the late ACK is answered
 * with a reset. */
TEST(tcp_synack_retries_exhausted)
{
	struct ts x;
	unsigned n = 0;
	const struct ts_seg *g;
	int lfd;

	ts_setup(&x, false);
	lfd = ts_listen(&x, 16);
	ts_peer_syn(&x, NULL, __LINE__);
	ts_run_ms(&x, 100000);
	while ((g = ts_next(&x)) != NULL) {
		CHECK_EQ(g->h.flags, DUET_TCP_SYN | DUET_TCP_ACK);
		n++;
	}
	CHECK_EQ(n, 5);
	ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
	ts_expect(&x, DUET_TCP_RST, x.rcv_nxt, 0);
	CHECK_EQ(duet_accept(x.s, lfd, NULL, NULL), -1);
	ts_teardown(&x);
}

/* T-2, S-1: active open over each family. Action: connect(). Response: a
 * SYN with MSS, SACK-permitted, TS (TSecr 0) and WS 5; the SYN-ACK gets
 * the ACK, connect completes (POLLOUT, SO_ERROR 0, ESTABLISHED). */
TEST(tcp_active_open_synsent_established)
{
	int fam;

	for (fam = 0; fam < 2; fam++) {
		struct ts x;
		const struct ts_seg *syn;
		int fd;

		ts_setup(&x, fam == 1);
		fd = ts_connect_start(&x);
		syn = &x.seg[0];
		CHECK(syn->h.has_mss);
		CHECK_EQ(syn->h.mss, fam ? 1460 : 1440);
		CHECK(syn->h.has_sack_permitted);
		CHECK(syn->h.has_timestamps);
		CHECK_EQ(syn->h.ts_ecr, 0);
		CHECK(syn->h.has_wscale);
		CHECK_EQ(syn->h.wscale, 5);
		CHECK_EQ(syn->h.window, 65535);
		CHECK_EQ(ts_state(&x, fd), TCP_SYN_SENT);
		CHECK_EQ(ts_revents(&x, fd, POLLOUT) & POLLOUT, 0);
		{
			struct duet_tcp_hdr h = ts_hdr(&x, DUET_TCP_SYN | DUET_TCP_ACK, x.snd_nxt, x.rcv_nxt);
			ts_syn_options(&x, &h, NULL);
			ts_send(&x, &h, NULL, 0);
			x.snd_nxt++;
			x.is_ts = true;
			x.wscale = 5;
		}
		{
			const struct ts_seg *g = ts_expect_ack(&x);
			if (g) {
				CHECK(g->h.has_timestamps);
				CHECK_EQ(g->h.ts_ecr, x.peer_tsval_base);
			}
		}
		ts_expect_none(&x);
		CHECK_EQ(ts_revents(&x, fd, POLLOUT) & POLLOUT, POLLOUT);
		CHECK_EQ(ts_so_error(&x, fd), 0);
		CHECK_EQ(ts_state(&x, fd), TCP_ESTABLISHED);
		CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_ACTIVE_OPENS), 1);
		duet_close(x.s, fd);
		ts_teardown(&x);
	}
}

/* T-2: simultaneous open (RFC 9293 §3.5 Figure 8). Action: connect(),
 * then the peer's own SYN crossing ours, then its SYN-ACK. Response: a
 * SYN-ACK (our ISS again, acknowledging the peer's SYN: SYN-RECEIVED),
 * and on the peer's SYN-ACK the connection is ESTABLISHED (as Linux,
 * which lets that SYN-ACK through its RFC 5961 SYN check). */
TEST(tcp_simultaneous_open)
{
	int fam;

	for (fam = 0; fam < 2; fam++) {
		struct ts x;
		struct duet_tcp_hdr h;
		int fd;

		ts_setup(&x, fam == 1);
		fd = ts_connect_start(&x);
		h = ts_hdr(&x, DUET_TCP_SYN, x.snd_nxt, 0);
		ts_syn_options(&x, &h, NULL);
		ts_send(&x, &h, NULL, 0);
		ts_expect(&x, DUET_TCP_SYN | DUET_TCP_ACK, x.iss, x.snd_nxt + 1);
		CHECK_EQ(ts_state(&x, fd), TCP_SYN_RECV);
		h = ts_hdr(&x, DUET_TCP_SYN | DUET_TCP_ACK, x.snd_nxt, x.rcv_nxt);
		ts_syn_options(&x, &h, NULL);
		x.is_ts = true;
		ts_send(&x, &h, NULL, 0);
		x.snd_nxt++;
		CHECK_EQ(ts_state(&x, fd), TCP_ESTABLISHED);
		CHECK_EQ(ts_so_error(&x, fd), 0);
		/* Data flows. */
		ts_send_seq(&x, DUET_TCP_ACK | DUET_TCP_PSH, "abc", 3);
		{
			char buf[8];
			CHECK_EQ(ts_read(&x, fd, buf, sizeof(buf)), 3);
		}
		duet_close(x.s, fd);
		ts_teardown(&x);
	}
}

/* --- closing ----------------------------------------------------------- */

/* T-2, S-1: active close over each family. Action: shutdown(SHUT_WR) on
 * an established connection, the peer's ACK, then its FIN. Response: our
 * FIN (FIN-WAIT-1), FIN-WAIT-2 on its ACK, the FIN acknowledged and
 * TIME-WAIT, CLOSED 2 MSL (60 s) later; then the 4-tuple is free: a
 * segment to it is answered with a reset. */
TEST(tcp_active_close_fin_wait_time_wait)
{
	int fam;

	for (fam = 0; fam < 2; fam++) {
		struct ts x;
		int lfd, fd;
		char buf[8];

		ts_setup(&x, fam == 1);
		fd = ts_passive(&x, &lfd, NULL);
		CHECK_EQ(duet_shutdown(x.s, fd, SHUT_WR), 0);
		ts_settle(&x);
		ts_expect(&x, DUET_TCP_FIN | DUET_TCP_ACK, x.rcv_nxt, x.snd_nxt);
		x.rcv_nxt++;
		CHECK_EQ(ts_state(&x, fd), TCP_FIN_WAIT1);
		ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
		ts_expect_none(&x);
		CHECK_EQ(ts_state(&x, fd), TCP_FIN_WAIT2);
		ts_send_seq(&x, DUET_TCP_FIN | DUET_TCP_ACK, NULL, 0);
		ts_expect_ack(&x);
		CHECK_EQ(ts_state(&x, fd), TCP_TIME_WAIT);
		CHECK_EQ(ts_read(&x, fd, buf, sizeof(buf)), 0);
		ts_run_ms(&x, 59900);
		CHECK_EQ(ts_state(&x, fd), TCP_TIME_WAIT);
		ts_expect_none(&x);
		ts_run_ms(&x, 200);
		CHECK_EQ(ts_state(&x, fd), TCP_CLOSE);
		ts_expect_none(&x);
		duet_close(x.s, fd);
		duet_close(x.s, lfd);
		/* No listener, no connection: a reset. */
		ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
		ts_expect(&x, DUET_TCP_RST, x.rcv_nxt, 0);
		ts_teardown(&x);
	}
}

/* T-2: the same with close(): the orphaned connection still finishes
 * (FIN-WAIT-2 until the peer's FIN, TIME-WAIT, gone after 60 s). */
TEST(tcp_active_close_orphan_time_wait)
{
	struct ts x;
	int lfd, fd;

	ts_setup(&x, false);
	fd = ts_passive(&x, &lfd, NULL);
	duet_close(x.s, lfd);
	CHECK_EQ(duet_close(x.s, fd), 0);
	ts_settle(&x);
	ts_expect(&x, DUET_TCP_FIN | DUET_TCP_ACK, x.rcv_nxt, x.snd_nxt);
	x.rcv_nxt++;
	ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
	ts_expect_none(&x);
	ts_run_ms(&x, 1000);
	ts_send_seq(&x, DUET_TCP_FIN | DUET_TCP_ACK, NULL, 0);
	ts_expect_ack(&x);
	ts_run_ms(&x, 59000);
	/* Still TIME-WAIT: a duplicate of the peer's FIN is acknowledged. */
	{
		struct duet_tcp_hdr h = ts_hdr(&x, DUET_TCP_FIN | DUET_TCP_ACK, x.snd_nxt - 1, x.rcv_nxt);
		ts_send(&x, &h, NULL, 0);
		ts_expect_ack(&x);
	}
	ts_run_ms(&x, 61000);
	ts_expect_none(&x);
	ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
	ts_expect(&x, DUET_TCP_RST, x.rcv_nxt, 0);
	ts_teardown(&x);
}

/* T-2: TIME-WAIT answers a retransmitted FIN with an ACK and restarts
 * its 2 MSL (RFC 9293 §3.10.7.4, TIME-WAIT: "Acknowledge it, and restart
 * the 2 MSL timeout"). */
TEST(tcp_time_wait_acks_retransmitted_fin)
{
	struct ts x;
	struct duet_tcp_hdr h;
	int lfd, fd;

	ts_setup(&x, false);
	fd = ts_passive(&x, &lfd, NULL);
	CHECK_EQ(duet_shutdown(x.s, fd, SHUT_WR), 0);
	ts_settle(&x);
	ts_expect(&x, DUET_TCP_FIN | DUET_TCP_ACK, x.rcv_nxt, x.snd_nxt);
	x.rcv_nxt++;
	ts_send_seq(&x, DUET_TCP_FIN | DUET_TCP_ACK, NULL, 0);
	ts_expect_ack(&x);
	CHECK_EQ(ts_state(&x, fd), TCP_TIME_WAIT);
	ts_run_ms(&x, 30000);
	h = ts_hdr(&x, DUET_TCP_FIN | DUET_TCP_ACK, x.snd_nxt - 1, x.rcv_nxt);
	ts_send(&x, &h, NULL, 0);
	ts_expect_ack(&x);
	ts_expect_none(&x);
	ts_run_ms(&x, 59000); /* 89 s after the first FIN */
	CHECK_EQ(ts_state(&x, fd), TCP_TIME_WAIT);
	ts_run_ms(&x, 1100);
	CHECK_EQ(ts_state(&x, fd), TCP_CLOSE);
	ts_teardown(&x);
}

/* T-2: TIME-WAIT reuse (RFC 6191, RFC 1122 §4.2.2.13). Action: after the
 * stack closed first, a new SYN on the same 4-tuple with a higher sequence
 * number, then one with a lower one. Response: the new SYN gets a SYN-ACK
 * (a new connection, passive open); an old SYN gets only an ACK of the
 * TIME-WAIT connection. */
TEST(tcp_time_wait_reuse_by_new_syn)
{
	int round;

	for (round = 0; round < 2; round++) {
		struct ts x;
		struct duet_tcp_hdr h;
		const struct ts_seg *g;
		int lfd, fd, fd2;

		ts_setup(&x, false);
		fd = ts_passive(&x, &lfd, NULL);
		CHECK_EQ(duet_close(x.s, fd), 0);
		ts_settle(&x);
		ts_expect(&x, DUET_TCP_FIN | DUET_TCP_ACK, x.rcv_nxt, x.snd_nxt);
		x.rcv_nxt++;
		ts_send_seq(&x, DUET_TCP_FIN | DUET_TCP_ACK, NULL, 0);
		ts_expect_ack(&x);
		/* The new SYNs carry no timestamps: sequence numbers alone
		 * decide. */
		ts_run_ms(&x, 1000);
		if (round == 0) {
			/* Higher: a new incarnation. */
			struct ts_synopt o = { .wscale = 7, .no_ts = true };
			h = ts_hdr(&x, DUET_TCP_SYN, x.snd_nxt + 100000, 0);
			ts_syn_options(&x, &h, &o);
			ts_send(&x, &h, NULL, 0);
			g = ts_expect(&x, DUET_TCP_SYN | DUET_TCP_ACK, x.seg[x.rd].h.seq, x.snd_nxt + 100001);
			if (g) {
				h = ts_hdr(&x, DUET_TCP_ACK, x.snd_nxt + 100001, g->h.seq + 1);
				ts_send(&x, &h, NULL, 0);
				ts_expect_none(&x);
				fd2 = duet_accept(x.s, lfd, NULL, NULL);
				CHECK(fd2 >= 0);
				CHECK_EQ(ts_state(&x, fd2), TCP_ESTABLISHED);
			}
		} else {
			/* Lower: an old duplicate, answered by the TIME-WAIT ACK. */
			struct ts_synopt o = { .wscale = 7, .no_ts = true };
			h = ts_hdr(&x, DUET_TCP_SYN, x.snd_nxt - 100000, 0);
			ts_syn_options(&x, &h, &o);
			ts_send(&x, &h, NULL, 0);
			g = ts_expect(&x, DUET_TCP_ACK, x.rcv_nxt, x.snd_nxt);
			ts_expect_none(&x);
			CHECK_EQ(duet_accept(x.s, lfd, NULL, NULL), -1);
		}
		ts_teardown(&x);
	}
}

/* T-2: simultaneous close. Action: our FIN, then the peer's FIN that
 * does not acknowledge ours, then its ACK. Response: the peer's FIN
 * acknowledged (CLOSING), TIME-WAIT on the ACK of ours. */
TEST(tcp_simultaneous_close_closing)
{
	int fam;

	for (fam = 0; fam < 2; fam++) {
		struct ts x;
		struct duet_tcp_hdr h;
		int lfd, fd;

		ts_setup(&x, fam == 1);
		fd = ts_passive(&x, &lfd, NULL);
		CHECK_EQ(duet_shutdown(x.s, fd, SHUT_WR), 0);
		ts_settle(&x);
		ts_expect(&x, DUET_TCP_FIN | DUET_TCP_ACK, x.rcv_nxt, x.snd_nxt);
		h = ts_hdr(&x, DUET_TCP_FIN | DUET_TCP_ACK, x.snd_nxt, x.rcv_nxt); /* ours not acked */
		ts_send(&x, &h, NULL, 0);
		x.snd_nxt++;
		x.rcv_nxt++;
		ts_expect_ack(&x);
		CHECK_EQ(ts_state(&x, fd), TCP_CLOSING);
		ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
		ts_expect_none(&x);
		CHECK_EQ(ts_state(&x, fd), TCP_TIME_WAIT);
		ts_run_ms(&x, 61000);
		CHECK_EQ(ts_state(&x, fd), TCP_CLOSE);
		ts_teardown(&x);
	}
}

/* T-2, S-1: passive close over each family. Action: the peer's FIN; the
 * application reads end of file, still sends (half-close), closes; the
 * peer acknowledges. Response: the FIN acknowledged at once
 * (CLOSE-WAIT), data, our FIN (LAST-ACK), CLOSED on its ACK. */
TEST(tcp_passive_close_close_wait_last_ack)
{
	int fam;

	for (fam = 0; fam < 2; fam++) {
		struct ts x;
		int lfd, fd;
		char buf[8];

		ts_setup(&x, fam == 1);
		fd = ts_passive(&x, &lfd, NULL);
		ts_send_seq(&x, DUET_TCP_FIN | DUET_TCP_ACK, NULL, 0);
		ts_expect_ack(&x);
		CHECK_EQ(ts_state(&x, fd), TCP_CLOSE_WAIT);
		CHECK_EQ(ts_read(&x, fd, buf, sizeof(buf)), 0);
		CHECK(ts_revents(&x, fd, POLLIN | POLLRDHUP) & POLLRDHUP);
		CHECK_EQ(duet_send(x.s, fd, "bye", 3, 0), 3);
		ts_settle(&x);
		ts_expect(&x, DUET_TCP_ACK | DUET_TCP_PSH, x.rcv_nxt, x.snd_nxt);
		x.rcv_nxt += 3;
		ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
		ts_expect_none(&x);
		CHECK_EQ(duet_shutdown(x.s, fd, SHUT_WR), 0);
		ts_settle(&x);
		ts_expect(&x, DUET_TCP_FIN | DUET_TCP_ACK, x.rcv_nxt, x.snd_nxt);
		x.rcv_nxt++;
		CHECK_EQ(ts_state(&x, fd), TCP_LAST_ACK);
		ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
		ts_expect_none(&x);
		CHECK_EQ(ts_state(&x, fd), TCP_CLOSE);
		CHECK_EQ(ts_so_error(&x, fd), 0);
		duet_close(x.s, fd);
		ts_settle(&x);
		ts_expect_none(&x);
		ts_teardown(&x);
	}
}

/* T-2: FIN and ACK in one segment. Action: our FIN, then the peer's FIN
 * acknowledging it. Response: FIN-WAIT-1 straight to TIME-WAIT, the
 * peer's FIN acknowledged. */
TEST(tcp_fin_ack_together_to_time_wait)
{
	struct ts x;
	int lfd, fd;

	ts_setup(&x, false);
	fd = ts_passive(&x, &lfd, NULL);
	CHECK_EQ(duet_shutdown(x.s, fd, SHUT_WR), 0);
	ts_settle(&x);
	ts_expect(&x, DUET_TCP_FIN | DUET_TCP_ACK, x.rcv_nxt, x.snd_nxt);
	x.rcv_nxt++;
	ts_send_seq(&x, DUET_TCP_FIN | DUET_TCP_ACK, NULL, 0);
	ts_expect_ack(&x);
	ts_expect_none(&x);
	CHECK_EQ(ts_state(&x, fd), TCP_TIME_WAIT);
	ts_teardown(&x);
}

/* T-2, S-1: half-close. Action: shutdown(SHUT_WR), the peer acknowledges
 * the FIN and goes on sending data, then closes. Response: the data is
 * delivered and acknowledged in FIN-WAIT-2, end of file after it; send
 * fails with EPIPE. */
TEST(tcp_half_close_receive_after_fin)
{
	struct ts x;
	int lfd, fd;
	char buf[32];

	ts_setup(&x, true);
	fd = ts_passive(&x, &lfd, NULL);
	CHECK_EQ(duet_shutdown(x.s, fd, SHUT_WR), 0);
	ts_settle(&x);
	ts_expect(&x, DUET_TCP_FIN | DUET_TCP_ACK, x.rcv_nxt, x.snd_nxt);
	x.rcv_nxt++;
	ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
	CHECK_EQ(ts_state(&x, fd), TCP_FIN_WAIT2);
	CHECK_EQ(duet_send(x.s, fd, "x", 1, MSG_NOSIGNAL), -1);
	CHECK_EQ(errno, EPIPE);
	ts_send_seq(&x, DUET_TCP_ACK | DUET_TCP_PSH, "still here", 10);
	ts_send_seq(&x, DUET_TCP_ACK | DUET_TCP_PSH, "and here", 8);
	ts_expect_ack(&x); /* every second segment */
	CHECK_EQ(ts_read(&x, fd, buf, sizeof(buf)), 18);
	CHECK_MEM(buf, "still hereand here", 18);
	ts_send_seq(&x, DUET_TCP_FIN | DUET_TCP_ACK, NULL, 0);
	ts_expect_ack(&x);
	CHECK_EQ(ts_read(&x, fd, buf, sizeof(buf)), 0);
	CHECK_EQ(ts_state(&x, fd), TCP_TIME_WAIT);
	ts_teardown(&x);
}

/* --- resets (RFC 9293 §3.10.7.1, §3.10.7.3) ------------------------------ */

/* T-2: a segment to a closed port, over each family. Action: a SYN, a
 * segment with data and no ACK, a segment with an ACK, a reset. Response:
 * without ACK: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; with ACK:
 * <SEQ=SEG.ACK><CTL=RST>; nothing for a reset. */
TEST(tcp_closed_port_reset_both_forms)
{
	int fam;

	for (fam = 0; fam < 2; fam++) {
		struct ts x;
		struct duet_tcp_hdr h;
		const struct ts_seg *g;

		ts_setup(&x, fam == 1);
		h = ts_hdr(&x, DUET_TCP_SYN, 5000, 0);
		ts_send(&x, &h, NULL, 0);
		g = ts_expect(&x, DUET_TCP_RST | DUET_TCP_ACK, 0, 5001);
		if (g) {
			CHECK_EQ(g->h.src_port, x.lport);
			CHECK_EQ(g->h.dst_port, x.pport);
			CHECK_EQ(g->h.window, 0);
			CHECK_EQ(g->len, 0);
			CHECK(g->is_v4 == (fam == 1));
		}
		h = ts_hdr(&x, DUET_TCP_PSH, 7000, 0);
		ts_send(&x, &h, "12345", 5);
		ts_expect(&x, DUET_TCP_RST | DUET_TCP_ACK, 0, 7005);
		h = ts_hdr(&x, DUET_TCP_FIN, 7000, 0);
		ts_send(&x, &h, "12", 2);
		ts_expect(&x, DUET_TCP_RST | DUET_TCP_ACK, 0, 7003);
		h = ts_hdr(&x, DUET_TCP_ACK | DUET_TCP_PSH, 9000, 123456);
		ts_send(&x, &h, "abc", 3);
		ts_expect(&x, DUET_TCP_RST, 123456, 0);
		h = ts_hdr(&x, DUET_TCP_RST, 9000, 0);
		ts_send(&x, &h, NULL, 0);
		h = ts_hdr(&x, DUET_TCP_RST | DUET_TCP_ACK, 9000, 5);
		ts_send(&x, &h, NULL, 0);
		ts_expect_none(&x);
		CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_NO_SOCKET), 6);
		CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_OUT_RSTS), 4);
		ts_teardown(&x);
	}
}

/* T-2: SYN-SENT and an unacceptable ACK (RFC 9293 §3.10.7.3: SEG.ACK =<
 * ISS or > SND.NXT). Action: a SYN-ACK acknowledging what was never sent,
 * an ACK of the ISS itself. Response: <SEQ=SEG.ACK><CTL=RST> each time,
 * the connection stays in SYN-SENT and completes on the right SYN-ACK. */
TEST(tcp_syn_sent_bad_ack_reset)
{
	struct ts x;
	struct duet_tcp_hdr h;
	int fd;

	ts_setup(&x, false);
	fd = ts_connect_start(&x);
	h = ts_hdr(&x, DUET_TCP_SYN | DUET_TCP_ACK, x.snd_nxt, x.rcv_nxt + 10);
	ts_send(&x, &h, NULL, 0);
	ts_expect(&x, DUET_TCP_RST, x.rcv_nxt + 10, 0);
	h = ts_hdr(&x, DUET_TCP_ACK, x.snd_nxt, x.iss);
	ts_send(&x, &h, NULL, 0);
	ts_expect(&x, DUET_TCP_RST, x.iss, 0);
	/* A reset with a bad ACK is dropped. */
	h = ts_hdr(&x, DUET_TCP_RST | DUET_TCP_ACK, 0, x.rcv_nxt + 10);
	ts_send(&x, &h, NULL, 0);
	/* A reset without ACK is dropped too (§3.10.7.3: "If the ACK bit is off"). */
	h = ts_hdr(&x, DUET_TCP_RST, 0, 0);
	ts_send(&x, &h, NULL, 0);
	ts_expect_none(&x);
	CHECK_EQ(ts_state(&x, fd), TCP_SYN_SENT);
	h = ts_hdr(&x, DUET_TCP_SYN | DUET_TCP_ACK, x.snd_nxt, x.rcv_nxt);
	ts_send(&x, &h, NULL, 0);
	x.snd_nxt++;
	ts_expect_ack(&x);
	CHECK_EQ(ts_state(&x, fd), TCP_ESTABLISHED);
	ts_teardown(&x);
}

/* T-2, S-1: a reset with an acceptable ACK in SYN-SENT refuses the
 * connection, over each family. Response: SO_ERROR ECONNREFUSED (once),
 * poll POLLERR and POLLHUP, CLOSED, nothing sent. */
TEST(tcp_syn_sent_rst_econnrefused)
{
	int fam;

	for (fam = 0; fam < 2; fam++) {
		struct ts x;
		struct duet_tcp_hdr h;
		short ev;
		int fd;

		ts_setup(&x, fam == 1);
		fd = ts_connect_start(&x);
		h = ts_hdr(&x, DUET_TCP_RST | DUET_TCP_ACK, 0, x.rcv_nxt);
		ts_send(&x, &h, NULL, 0);
		ts_expect_none(&x);
		ev = ts_revents(&x, fd, POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM | POLLRDHUP);
		/* As Linux's tcp_poll for a CLOSE socket with an error and both
		 * directions shut. */
		CHECK_EQ(ev, POLLIN | POLLRDNORM | POLLRDHUP | POLLOUT | POLLWRNORM | POLLERR | POLLHUP);
		CHECK_EQ(ts_state(&x, fd), TCP_CLOSE);
		CHECK_EQ(ts_so_error(&x, fd), ECONNREFUSED);
		CHECK_EQ(ts_so_error(&x, fd), 0);
		CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_ATTEMPT_FAILS), 1);
		/* Nothing more is sent: no SYN retransmission. */
		ts_run_ms(&x, 5000);
		ts_expect_none(&x);
		ts_teardown(&x);
	}
}

/* T-2, S-1: connect() to a closed port of a peer, the peer's reset read
 * through recv() after poll: ECONNREFUSED, then 0 (as Linux). */
TEST(tcp_connect_closed_port_econnrefused)
{
	struct ts x;
	struct duet_tcp_hdr h;
	char buf[4];
	int fd;

	ts_setup(&x, true);
	fd = ts_connect_start(&x);
	/* What a closed port answers a SYN with (the first form). */
	h = ts_hdr(&x, DUET_TCP_RST | DUET_TCP_ACK, 0, x.rcv_nxt);
	ts_send(&x, &h, NULL, 0);
	CHECK(ts_revents(&x, fd, POLLOUT) & POLLERR);
	CHECK_EQ(ts_read(&x, fd, buf, sizeof(buf)), -1);
	CHECK_EQ(errno, ECONNREFUSED);
	CHECK_EQ(ts_so_error(&x, fd), 0);
	ts_teardown(&x);
}

/* --- RFC 5961 ------------------------------------------------------------ */

/* T-2: a reset with exactly RCV.NXT ends the connection (RFC 5961 §3.2),
 * over each family. Response: recv ECONNRESET, then end of file; send
 * EPIPE; nothing sent; tcpEstabResets counted. */
TEST(tcp_rst_exact_seq_econnreset)
{
	int fam;

	for (fam = 0; fam < 2; fam++) {
		struct ts x;
		struct duet_tcp_hdr h;
		int fd;
		char buf[4];

		ts_setup(&x, fam == 1);
		fd = ts_active(&x, NULL);
		h = ts_hdr(&x, DUET_TCP_RST, x.snd_nxt, 0);
		ts_send(&x, &h, NULL, 0);
		ts_expect_none(&x);
		CHECK_EQ(ts_state(&x, fd), TCP_CLOSE);
		CHECK(ts_revents(&x, fd, POLLIN) & POLLERR);
		CHECK_EQ(ts_read(&x, fd, buf, sizeof(buf)), -1);
		CHECK_EQ(errno, ECONNRESET);
		CHECK_EQ(ts_read(&x, fd, buf, sizeof(buf)), 0);
		CHECK_EQ(duet_send(x.s, fd, "x", 1, MSG_NOSIGNAL), -1);
		CHECK_EQ(errno, EPIPE);
		CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_ESTAB_RESETS), 1);
		ts_teardown(&x);
	}
}

/* T-2: RFC 5961 §3.2: a reset in the window but not at RCV.NXT gets a
 * challenge ACK (<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>) and the connection
 * lives; one outside the window is dropped silently. */
TEST(tcp_rst_in_window_challenge_ack_out_of_window_ignored)
{
	struct ts x;
	struct duet_tcp_hdr h;
	int fd;
	char buf[8];

	ts_setup(&x, false);
	fd = ts_active(&x, NULL);
	h = ts_hdr(&x, DUET_TCP_RST, x.snd_nxt + 1000, 0);
	ts_send(&x, &h, NULL, 0);
	ts_expect_ack(&x);
	CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_CHALLENGE_ACKS), 1);
	CHECK_EQ(ts_state(&x, fd), TCP_ESTABLISHED);
	ts_run_ms(&x, 600); /* one challenge ACK per connection per 500 ms */
	h = ts_hdr(&x, DUET_TCP_RST | DUET_TCP_ACK, x.snd_nxt + 1, x.rcv_nxt);
	ts_send(&x, &h, NULL, 0);
	ts_expect_ack(&x);
	/* Outside: beyond the window, and before RCV.NXT. */
	h = ts_hdr(&x, DUET_TCP_RST, x.snd_nxt + (1u << 30), 0);
	ts_send(&x, &h, NULL, 0);
	h = ts_hdr(&x, DUET_TCP_RST, x.snd_nxt - 1, 0);
	ts_send(&x, &h, NULL, 0);
	ts_expect_none(&x);
	CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_RST_IGNORED), 2);
	CHECK_EQ(ts_state(&x, fd), TCP_ESTABLISHED);
	ts_send_seq(&x, DUET_TCP_ACK | DUET_TCP_PSH, "alive", 5);
	CHECK_EQ(ts_read(&x, fd, buf, sizeof(buf)), 5);
	ts_teardown(&x);
}

/* T-2: RFC 5961 §4.2: a SYN in ESTABLISHED, in the window or at RCV.NXT,
 * gets a challenge ACK; the connection is not reset. */
TEST(tcp_syn_in_established_challenge_ack)
{
	struct ts x;
	struct duet_tcp_hdr h;
	int fd;

	ts_setup(&x, true);
	fd = ts_active(&x, NULL);
	h = ts_hdr(&x, DUET_TCP_SYN, x.snd_nxt + 500, 0);
	ts_send(&x, &h, NULL, 0);
	ts_expect_ack(&x);
	ts_run_ms(&x, 600); /* one challenge ACK per connection per 500 ms */
	h = ts_hdr(&x, DUET_TCP_SYN, x.snd_nxt, 0);
	ts_send(&x, &h, NULL, 0);
	ts_expect_ack(&x);
	ts_expect_none(&x);
	CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_CHALLENGE_ACKS), 2);
	CHECK_EQ(ts_state(&x, fd), TCP_ESTABLISHED);
	CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_OUT_RSTS), 0);
	ts_teardown(&x);
}

/* T-2: RFC 5961 §5.2: an ACK above SND.MAX is answered with an ACK and
 * the segment (its data too) dropped; an ACK below SND.UNA - MAX.SND.WND
 * likewise. An old ACK inside that range is fine. */
TEST(tcp_ack_above_snd_max_and_too_old_dropped)
{
	struct ts x;
	struct duet_tcp_hdr h;
	struct ts_synopt o = { .wscale = -1 }; /* MAX.SND.WND 65535 */
	int fd;
	char buf[16];

	ts_setup(&x, false);
	fd = ts_active(&x, &o);
	h = ts_hdr(&x, DUET_TCP_ACK | DUET_TCP_PSH, x.snd_nxt, x.rcv_nxt + 10);
	ts_send(&x, &h, "unsent", 6);
	ts_expect_ack(&x);
	CHECK_EQ(ts_read(&x, fd, buf, sizeof(buf)), -1);
	CHECK_EQ(errno, EAGAIN);
	CHECK_EQ(ts_ctr(&x, DUET_CTR_DROP_TCP_BAD_ACK), 1);
	ts_run_ms(&x, 600); /* one challenge ACK per connection per 500 ms */
	h = ts_hdr(&x, DUET_TCP_ACK | DUET_TCP_PSH, x.snd_nxt, x.rcv_nxt - 70000);
	ts_send(&x, &h, "tooold", 6);
	ts_expect_ack(&x);
	CHECK_EQ(ts_read(&x, fd, buf, sizeof(buf)), -1);
	CHECK_EQ(ts_ctr(&x, DUET_CTR_DROP_TCP_BAD_ACK), 2);
	/* Old but within MAX.SND.WND: the data is taken. */
	h = ts_hdr(&x, DUET_TCP_ACK | DUET_TCP_PSH, x.snd_nxt, x.rcv_nxt - 1000);
	ts_send(&x, &h, "fine", 4);
	x.snd_nxt += 4;
	CHECK_EQ(ts_read(&x, fd, buf, sizeof(buf)), 4);
	CHECK_EQ(ts_state(&x, fd), TCP_ESTABLISHED);
	ts_teardown(&x);
}

/* T-2: RFC 5961 §7: challenge ACKs are limited per connection (one per
 * 500 ms, Linux's tcp_invalid_ratelimit) and to challenge_ack_limit
 * (1000) per second stack-wide; the rest are counted
 * (DUET_CTR_TCP_CHALLENGE_LIMITED); the next second allows more. The
 * per-connection limit is turned off to reach the stack-wide one with
 * one connection. */
TEST(tcp_challenge_ack_rate_limit)
{
	struct ts x;
	unsigned i, acks = 0;
	int fd;

	ts_setup(&x, false);
	fd = ts_active(&x, NULL);
	{
		struct duet_tcp_hdr h = ts_hdr(&x, DUET_TCP_RST, x.snd_nxt + 1, 0);
		ts_send(&x, &h, NULL, 0);
		ts_expect_ack(&x);
		h = ts_hdr(&x, DUET_TCP_RST, x.snd_nxt + 2, 0);
		ts_send(&x, &h, NULL, 0);
		ts_expect_none(&x); /* the same connection within 500 ms */
		CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_CHALLENGE_LIMITED), 1);
		ts_run_ms(&x, 1000);
	}
	tcp_knobs_of(x.s)->invalid_ratelimit_ms = 0;
	CHECK_EQ(tcp_knobs_of(x.s)->challenge_ack_limit, 1000);
	for (i = 0; i < 1010; i++) {
		struct duet_tcp_hdr h = ts_hdr(&x, DUET_TCP_RST, x.snd_nxt + 1 + i, 0);
		ts_put(&x, &h, NULL, 0);
		if (i % 64 == 63 || i == 1009) {
			ts_settle(&x);
			while (ts_next(&x))
				acks++;
			x.n = x.rd = 0;
		}
	}
	CHECK_EQ(acks, 1000);
	CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_CHALLENGE_ACKS), 1001);
	CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_CHALLENGE_LIMITED), 11);
	CHECK_EQ(ts_state(&x, fd), TCP_ESTABLISHED);
	ts_run_ms(&x, 1000);
	{
		struct duet_tcp_hdr h = ts_hdr(&x, DUET_TCP_RST, x.snd_nxt + 1, 0);
		ts_send(&x, &h, NULL, 0);
		ts_expect_ack(&x);
	}
	ts_teardown(&x);
}

/* --- PAWS ---------------------------------------------------------------- */

/* T-2: RFC 7323 §5.3: a segment with a TSval older than TS.Recent is
 * dropped (DUET_CTR_DROP_TCP_PAWS) and answered with an ACK; its data is
 * not delivered. */
TEST(tcp_paws_old_timestamp_dropped)
{
	struct ts x;
	struct duet_tcp_hdr h;
	int fd;
	char buf[16];

	ts_setup(&x, false);
	fd = ts_active(&x, NULL);
	ts_run_ms(&x, 100);
	ts_send_seq(&x, DUET_TCP_ACK | DUET_TCP_PSH, "new", 3);
	CHECK_EQ(ts_read(&x, fd, buf, sizeof(buf)), 3);
	ts_run_ms(&x, 100); /* the delayed ACK */
	ts_expect_ack(&x);
	h = ts_hdr(&x, DUET_TCP_ACK | DUET_TCP_PSH, x.snd_nxt, x.rcv_nxt);
	h.ts_val -= 1000;
	ts_send(&x, &h, "old", 3);
	ts_expect_ack(&x);
	ts_expect_none(&x);
	CHECK_EQ(ts_read(&x, fd, buf, sizeof(buf)), -1);
	CHECK_EQ(ts_ctr(&x, DUET_CTR_DROP_TCP_PAWS), 1);
	/* The same bytes with a current timestamp are taken. */
	ts_send_seq(&x, DUET_TCP_ACK | DUET_TCP_PSH, "cur", 3);
	CHECK_EQ(ts_read(&x, fd, buf, sizeof(buf)), 3);
	CHECK_MEM(buf, "cur", 3);
	ts_teardown(&x);
}

/* --- timers ---------------------------------------------------------------- */

/* T-2, S-1: SYN retries (TCP_SYNCNT 3): the SYN again after 1, 2 and 4 s
 * (RFC 6298 §5.5 backoff from the 1 s initial RTO), then after 8 more
 * seconds the attempt ends with ETIMEDOUT and nothing more is sent. */
TEST(tcp_syn_retries_then_etimedout)
{
	struct ts x;
	const struct ts_seg *g;
	uint64_t want[3] = { 1000, 3000, 7000 };
	int fd, i;

	ts_setup(&x, false);
	fd = duet_socket(x.s, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK_EQ(ts_setint(&x, fd, IPPROTO_TCP, TCP_SYNCNT, 3), 0);
	CHECK_EQ(ts_getint(&x, fd, IPPROTO_TCP, TCP_SYNCNT), 3);
	{
		struct sockaddr_storage ss;
		socklen_t n = ts_sa(&x, x.peer, x.pport, &ss);
		CHECK_EQ(duet_connect(x.s, fd, (struct sockaddr *)&ss, n), -1);
	}
	ts_settle(&x);
	g = ts_next(&x);
	CHECK(g && g->h.flags == DUET_TCP_SYN);
	x.iss = g ? g->h.seq : 0;
	ts_run_ms(&x, 14900);
	for (i = 0; i < 3; i++) {
		g = ts_expect(&x, DUET_TCP_SYN, x.iss, 0);
		if (g) {
			CHECK_EQ(g->t_ms, want[i]);
			CHECK(g->h.has_mss && g->h.has_wscale && g->h.has_sack_permitted &&
			      g->h.has_timestamps);
		}
	}
	ts_expect_none(&x);
	CHECK_EQ(ts_state(&x, fd), TCP_SYN_SENT);
	CHECK_EQ(ts_info(&x, fd).tcpi_retransmits, 3);
	ts_run_ms(&x, 200);
	ts_expect_none(&x);
	CHECK_EQ(ts_state(&x, fd), TCP_CLOSE);
	CHECK(ts_revents(&x, fd, POLLOUT) & POLLERR);
	CHECK_EQ(ts_so_error(&x, fd), ETIMEDOUT);
	ts_run_ms(&x, 60000);
	ts_expect_none(&x);
	ts_teardown(&x);
}

/* T-2: retransmission with backoff (RFC 6298 §5.5): with a 100 ms RTT
 * measured on the handshake the RTO is 300 ms (SRTT + 4 RTTVAR); unacked
 * data goes again after 300, 600, 1200, 2400 ms, each the first
 * unacknowledged segment; TCP_INFO counts the retransmissions; the ACK
 * stops it and resets the backoff. */
TEST(tcp_retransmission_backoff_doubles)
{
	struct ts x;
	const struct ts_seg *g;
	struct tcp_info ti;
	uint64_t t0, gap[4] = { 300, 600, 1200, 2400 }, t;
	int lfd, fd, i;

	ts_setup(&x, false);
	lfd = ts_listen(&x, 4);
	ts_peer_syn(&x, NULL, __LINE__);
	ts_run_ms(&x, 100);
	ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
	fd = duet_accept(x.s, lfd, NULL, NULL);
	CHECK(fd >= 0);
	ti = ts_info(&x, fd);
	CHECK_EQ(ti.tcpi_rtt, 100000);
	CHECK_EQ(ti.tcpi_rto, 300000);
	CHECK_EQ(duet_send(x.s, fd, "data", 4, 0), 4);
	ts_settle(&x);
	t0 = ts_now_ms(&x);
	ts_expect(&x, DUET_TCP_ACK | DUET_TCP_PSH, x.rcv_nxt, x.snd_nxt);
	ts_run_ms(&x, 4600);
	t = t0;
	for (i = 0; i < 4; i++) {
		g = ts_expect(&x, DUET_TCP_ACK | DUET_TCP_PSH, x.rcv_nxt, x.snd_nxt);
		t += gap[i];
		if (g) {
			CHECK_EQ(g->t_ms, t);
			CHECK_EQ(g->len, 4);
		}
	}
	ts_expect_none(&x);
	ti = ts_info(&x, fd);
	CHECK_EQ(ti.tcpi_retransmits, 4);
	CHECK_EQ(ti.tcpi_backoff, 4);
	CHECK_EQ(ti.tcpi_total_retrans, 4);
	CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_TIMEOUTS), 4);
	x.rcv_nxt += 4;
	ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
	ti = ts_info(&x, fd);
	CHECK_EQ(ti.tcpi_retransmits, 0);
	CHECK_EQ(ti.tcpi_backoff, 0);
	CHECK_EQ(ti.tcpi_unacked, 0);
	ts_run_ms(&x, 10000);
	ts_expect_none(&x);
	ts_teardown(&x);
}

/* T-2, S-1: keepalive (SO_KEEPALIVE, TCP_KEEPIDLE 10, TCP_KEEPINTVL 2,
 * TCP_KEEPCNT 3) unanswered: probes <SEQ=SND.NXT-1><ACK=RCV.NXT> without
 * data at 10, 12, 14 s idle, then at 16 s a reset and ETIMEDOUT. */
TEST(tcp_keepalive_unanswered_etimedout)
{
	struct ts x;
	const struct ts_seg *g;
	uint64_t t0, want[3] = { 10000, 12000, 14000 };
	int lfd, fd, i;
	char buf[4];

	ts_setup(&x, true);
	fd = ts_passive(&x, &lfd, NULL);
	CHECK_EQ(ts_setint(&x, fd, SOL_SOCKET, SO_KEEPALIVE, 1), 0);
	CHECK_EQ(ts_setint(&x, fd, IPPROTO_TCP, TCP_KEEPIDLE, 10), 0);
	CHECK_EQ(ts_setint(&x, fd, IPPROTO_TCP, TCP_KEEPINTVL, 2), 0);
	CHECK_EQ(ts_setint(&x, fd, IPPROTO_TCP, TCP_KEEPCNT, 3), 0);
	CHECK_EQ(ts_getint(&x, fd, SOL_SOCKET, SO_KEEPALIVE), 1);
	CHECK_EQ(ts_getint(&x, fd, IPPROTO_TCP, TCP_KEEPIDLE), 10);
	t0 = ts_now_ms(&x);
	ts_run_ms(&x, 15900);
	for (i = 0; i < 3; i++) {
		g = ts_expect(&x, DUET_TCP_ACK, x.rcv_nxt - 1, x.snd_nxt);
		if (g) {
			CHECK_EQ(g->t_ms - t0, want[i]);
			CHECK_EQ(g->len, 0);
		}
	}
	ts_expect_none(&x);
	CHECK_EQ(ts_state(&x, fd), TCP_ESTABLISHED);
	ts_run_ms(&x, 200);
	ts_expect(&x, DUET_TCP_RST | DUET_TCP_ACK, x.rcv_nxt, x.snd_nxt);
	ts_expect_none(&x);
	CHECK_EQ(ts_state(&x, fd), TCP_CLOSE);
	CHECK_EQ(ts_read(&x, fd, buf, sizeof(buf)), -1);
	CHECK_EQ(errno, ETIMEDOUT);
	CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_KEEPALIVE_PROBES), 3);
	ts_teardown(&x);
}

/* T-2: keepalive answered: each probe's ACK makes the connection live
 * again; the next probe comes KEEPIDLE after it; it never ends. */
TEST(tcp_keepalive_answered_survives)
{
	struct ts x;
	const struct ts_seg *g;
	uint64_t t0;
	int lfd, fd, i;

	ts_setup(&x, false);
	fd = ts_passive(&x, &lfd, NULL);
	CHECK_EQ(ts_setint(&x, fd, IPPROTO_TCP, TCP_KEEPIDLE, 10), 0);
	CHECK_EQ(ts_setint(&x, fd, IPPROTO_TCP, TCP_KEEPINTVL, 2), 0);
	CHECK_EQ(ts_setint(&x, fd, IPPROTO_TCP, TCP_KEEPCNT, 3), 0);
	CHECK_EQ(ts_setint(&x, fd, SOL_SOCKET, SO_KEEPALIVE, 1), 0);
	t0 = ts_now_ms(&x);
	for (i = 0; i < 6; i++) {
		ts_run_ms(&x, 10000);
		g = ts_expect(&x, DUET_TCP_ACK, x.rcv_nxt - 1, x.snd_nxt);
		if (g)
			CHECK_EQ(g->t_ms - t0, (uint64_t)(i + 1) * 10000);
		ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
		ts_expect_none(&x);
	}
	CHECK_EQ(ts_state(&x, fd), TCP_ESTABLISHED);
	CHECK_EQ(ts_so_error(&x, fd), 0);
	ts_teardown(&x);
}

/* T-2: zero-window probing (RFC 9293 §3.8.6.1). Action: the peer
 * advertises a zero window; the application sends; the peer answers every
 * probe, still with a zero window, for more probes than tcp_retries2
 * (15), then opens the window. Response: nothing while the window is
 * shut but probes, their intervals doubling (up to the 120 s maximum RTO);
 * the connection stays; the data follows the window's opening. */
TEST(tcp_zero_window_probes_backoff_survive)
{
	struct ts x;
	struct duet_tcp_hdr h;
	const struct ts_seg *g;
	uint64_t last, prev_gap = 0;
	int lfd, fd, i;
	char msg[100];

	memset(msg, 'z', sizeof(msg));
	ts_setup(&x, false);
	fd = ts_passive(&x, &lfd, NULL);
	h = ts_hdr(&x, DUET_TCP_ACK, x.snd_nxt, x.rcv_nxt);
	h.window = 0;
	ts_send(&x, &h, NULL, 0);
	CHECK_EQ(duet_send(x.s, fd, msg, sizeof(msg), 0), (ssize_t)sizeof(msg));
	ts_settle(&x);
	ts_expect_none(&x);
	last = ts_now_ms(&x);
	for (i = 0; i < 20; i++) {
		uint64_t gap;
		if (!ts_wait_seg(&x, 130000)) {
			check_fail(__FILE__, __LINE__, "probe %d missing", i);
			break;
		}
		g = ts_next(&x);
		CHECK_EQ(g->h.flags & (DUET_TCP_SYN | DUET_TCP_FIN | DUET_TCP_RST), 0);
		CHECK_EQ(g->len, 1);
		CHECK_EQ(g->h.seq, x.rcv_nxt);
		gap = g->t_ms - last;
		if (i == 0)
			CHECK_EQ(gap, 200); /* the RTO: min_rto for a near-zero RTT */
		else if (prev_gap < 60000)
			CHECK_EQ(gap, 2 * prev_gap);
		else
			CHECK(gap >= 60000 && gap <= 120000);
		prev_gap = gap;
		last = g->t_ms;
		/* The probe answered 10 ms later: its byte not taken, the
		 * window still zero. */
		ts_run_ms(&x, 10);
		h = ts_hdr(&x, DUET_TCP_ACK, x.snd_nxt, x.rcv_nxt);
		h.window = 0;
		ts_send(&x, &h, NULL, 0);
		ts_expect_none(&x);
	}
	CHECK_EQ(ts_state(&x, fd), TCP_ESTABLISHED);
	CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_ZERO_WINDOW_PROBES), 20);
	CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_ABORT_TIMEOUT), 0);
	CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_FAST_RETRANS), 0);
	CHECK_EQ(ts_so_error(&x, fd), 0);
	/* The window opens: all 100 bytes arrive, in order. */
	h = ts_hdr(&x, DUET_TCP_ACK, x.snd_nxt, x.rcv_nxt);
	ts_send(&x, &h, NULL, 0);
	{
		uint32_t end = x.rcv_nxt;
		while ((g = ts_next(&x)) != NULL) {
			CHECK_EQ(g->h.seq, end);
			end = g->h.seq + g->len;
		}
		CHECK_EQ(end - x.rcv_nxt, 100);
	}
	ts_teardown(&x);
}

/* T-2: delayed ACK (RFC 9293 §3.8.6.3, RFC 5681 §4.2). Action: one data
 * segment; later two. Response: the lone segment is acknowledged 40 ms
 * later (delack_ms), not before; the second of two at once. */
TEST(tcp_delayed_ack_every_second_segment_or_40ms)
{
	struct ts x;
	const struct ts_seg *g;
	uint64_t t0;
	int lfd, fd;
	char buf[2000], data[1000];

	memset(data, 'd', sizeof(data));
	ts_setup(&x, false);
	fd = ts_passive(&x, &lfd, NULL);
	/* The first read's window update out of the way (see the passive
	 * open test). */
	ts_send_seq(&x, DUET_TCP_ACK, data, 10);
	CHECK_EQ(ts_read(&x, fd, buf, sizeof(buf)), 10);
	ts_settle(&x);
	ts_expect_ack(&x);
	ts_run_ms(&x, 1000);
	ts_expect_none(&x);

	t0 = ts_now_ms(&x);
	ts_send_seq(&x, DUET_TCP_ACK, data, sizeof(data));
	ts_expect_none(&x);
	ts_run_ms(&x, 39);
	ts_expect_none(&x);
	ts_run_ms(&x, 2);
	g = ts_expect_ack(&x);
	if (g)
		CHECK_EQ(g->t_ms - t0, 40);
	ts_send_seq(&x, DUET_TCP_ACK, data, sizeof(data));
	ts_expect_none(&x);
	ts_run_ms(&x, 5);
	ts_send_seq(&x, DUET_TCP_ACK, data, sizeof(data));
	g = ts_expect_ack(&x);
	if (g)
		CHECK_EQ(g->t_ms - t0, 46);
	ts_run_ms(&x, 100);
	ts_expect_none(&x);
	/* An out-of-order segment is acknowledged at once (a duplicate ACK
	 * with SACK, RFC 5681 §4.2). */
	{
		struct duet_tcp_hdr h = ts_hdr(&x, DUET_TCP_ACK, x.snd_nxt + 1000, x.rcv_nxt);
		ts_send(&x, &h, data, 100);
		g = ts_expect_ack(&x);
		if (g) {
			CHECK_EQ(g->h.sack_count, 1);
			CHECK_EQ(g->h.sack[0].left_edge, x.snd_nxt + 1000);
			CHECK_EQ(g->h.sack[0].right_edge, x.snd_nxt + 1100);
		}
	}
	ts_teardown(&x);
}

/* Sends len bytes of application data. */
static void ts_app_send(struct ts *x, int fd, const char *m, size_t len)
{
	CHECK_EQ(duet_send(x->s, fd, m, len, 0), (ssize_t)len);
	ts_settle(x);
}

/* T-2, S-1: Nagle (RFC 9293 §3.7.4) against TCP_NODELAY and TCP_CORK.
 * Nagle: a small segment goes while nothing is in flight; the next small
 * writes wait for its ACK and then go as one. duet's Nagle is RFC 9293's
 * classic one: a small tail also waits behind an unacknowledged full
 * segment (Linux uses Minshall's variant and would send it at once).
 * TCP_NODELAY: each write at once. TCP_CORK: small writes wait even with
 * nothing in flight; a full segment goes; uncorking sends the rest. */
TEST(tcp_nagle_nodelay_cork)
{
	struct ts x;
	const struct ts_seg *g;
	struct ts_synopt o = { .mss = 500, .wscale = 7, .no_ts = true };
	int lfd, fd;
	char big[1200];

	memset(big, 'B', sizeof(big));
	ts_setup(&x, false);
	fd = ts_passive(&x, &lfd, &o);
	CHECK_EQ(ts_getint(&x, fd, IPPROTO_TCP, TCP_MAXSEG), 500);
	/* Nagle */
	ts_app_send(&x, fd, "a", 1);
	g = ts_expect(&x, DUET_TCP_ACK | DUET_TCP_PSH, x.rcv_nxt, x.snd_nxt);
	x.rcv_nxt += 1;
	ts_app_send(&x, fd, "b", 1);
	ts_app_send(&x, fd, "c", 1);
	ts_expect_none(&x);
	ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
	g = ts_expect(&x, DUET_TCP_ACK | DUET_TCP_PSH, x.rcv_nxt, x.snd_nxt);
	if (g) {
		CHECK_EQ(g->len, 2);
		CHECK_MEM(g->data, "bc", 2);
	}
	x.rcv_nxt += 2;
	/* A full segment is not held by Nagle, the small tail is. */
	ts_app_send(&x, fd, big, 600);
	g = ts_expect(&x, DUET_TCP_ACK, x.rcv_nxt, x.snd_nxt);
	if (g)
		CHECK_EQ(g->len, 500);
	ts_expect_none(&x);
	ts_send_seq(&x, DUET_TCP_ACK, NULL, 0); /* acks "bc" only */
	ts_expect_none(&x);
	x.rcv_nxt += 500;
	ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
	g = ts_expect(&x, DUET_TCP_ACK | DUET_TCP_PSH, x.rcv_nxt, x.snd_nxt);
	if (g)
		CHECK_EQ(g->len, 100);
	x.rcv_nxt += 100;
	ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);

	/* TCP_NODELAY */
	CHECK_EQ(ts_setint(&x, fd, IPPROTO_TCP, TCP_NODELAY, 1), 0);
	CHECK_EQ(ts_getint(&x, fd, IPPROTO_TCP, TCP_NODELAY), 1);
	ts_app_send(&x, fd, "d", 1);
	ts_app_send(&x, fd, "e", 1);
	ts_expect(&x, DUET_TCP_ACK | DUET_TCP_PSH, x.rcv_nxt, x.snd_nxt);
	ts_expect(&x, DUET_TCP_ACK | DUET_TCP_PSH, x.rcv_nxt + 1, x.snd_nxt);
	x.rcv_nxt += 2;
	ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
	CHECK_EQ(ts_setint(&x, fd, IPPROTO_TCP, TCP_NODELAY, 0), 0);

	/* TCP_CORK */
	CHECK_EQ(ts_setint(&x, fd, IPPROTO_TCP, TCP_CORK, 1), 0);
	CHECK_EQ(ts_getint(&x, fd, IPPROTO_TCP, TCP_CORK), 1);
	ts_app_send(&x, fd, "f", 1);
	ts_run_ms(&x, 100);
	ts_expect_none(&x);
	ts_app_send(&x, fd, big, 599);
	g = ts_expect(&x, DUET_TCP_ACK, x.rcv_nxt, x.snd_nxt);
	if (g)
		CHECK_EQ(g->len, 500);
	ts_expect_none(&x);
	x.rcv_nxt += 500;
	/* Nothing in flight: still corked. */
	ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
	ts_run_ms(&x, 100);
	ts_expect_none(&x);
	CHECK_EQ(ts_setint(&x, fd, IPPROTO_TCP, TCP_CORK, 0), 0);
	ts_settle(&x);
	g = ts_expect(&x, DUET_TCP_ACK | DUET_TCP_PSH, x.rcv_nxt, x.snd_nxt);
	if (g)
		CHECK_EQ(g->len, 100);
	ts_teardown(&x);
}

/* --- the listen queues ----------------------------------------------------- */

/* T-2, S-1: listen backlog overflow. Action: listen(fd, 1); two
 * handshakes complete (backlog + 1, as Linux), a third SYN comes.
 * Response: no SYN-ACK for it (dropped, TCP_LISTEN_OVERFLOWS counted, the
 * client will retry); once accept() made room its retry is answered. */
TEST(tcp_listen_backlog_overflow_drops_syn)
{
	struct ts x;
	struct duet_tcp_hdr h;
	int lfd, i, fd;

	ts_setup(&x, false);
	lfd = ts_listen(&x, 1);
	for (i = 0; i < 2; i++) {
		x.pport = (uint16_t)(TS_PPORT + i);
		x.snd_nxt = TS_PEER_ISS;
		ts_peer_syn(&x, NULL, __LINE__);
		ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
		ts_expect_none(&x);
	}
	x.pport = TS_PPORT + 2;
	h = ts_hdr(&x, DUET_TCP_SYN, TS_PEER_ISS, 0);
	ts_syn_options(&x, &h, NULL);
	ts_send(&x, &h, NULL, 0);
	ts_expect_none(&x);
	CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_LISTEN_OVERFLOWS), 1);
	CHECK(ts_revents(&x, lfd, POLLIN) & POLLIN);
	fd = duet_accept(x.s, lfd, NULL, NULL);
	CHECK(fd >= 0);
	x.snd_nxt = TS_PEER_ISS;
	ts_peer_syn(&x, NULL, __LINE__);
	ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
	ts_expect_none(&x);
	for (i = 0; i < 2; i++)
		CHECK(duet_accept(x.s, lfd, NULL, NULL) >= 0);
	CHECK_EQ(duet_accept(x.s, lfd, NULL, NULL), -1);
	CHECK_EQ(errno, EAGAIN);
	ts_teardown(&x);
}

/* T-2: SYN cookies. Action: the SYN queue filled (max_syn_backlog 2),
 * then a SYN, its correct third segment (carrying data), another SYN and
 * a wrong third segment. Response: a SYN-ACK carrying a cookie (MSS only:
 * duet encodes no other option in it, unlike Linux which hides them in
 * the timestamp), the right ACK makes an accepted connection with the
 * data, the wrong one gets <SEQ=SEG.ACK><CTL=RST>. */
TEST(tcp_syn_cookies)
{
	struct ts x;
	struct duet_tcp_hdr h;
	const struct ts_seg *g;
	uint32_t cookie = 0;
	int lfd, i, fd;
	char buf[16];

	ts_setup(&x, false);
	tcp_knobs_of(x.s)->max_syn_backlog = 2;
	lfd = ts_listen(&x, 16);
	for (i = 0; i < 2; i++) {
		x.pport = (uint16_t)(TS_PPORT + i);
		x.snd_nxt = TS_PEER_ISS;
		g = ts_peer_syn(&x, NULL, __LINE__);
		if (g)
			CHECK(g->h.has_timestamps);
	}
	CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_SYNQ_FULL), 0);
	x.pport = TS_PPORT + 2;
	x.snd_nxt = 777777;
	h = ts_hdr(&x, DUET_TCP_SYN, x.snd_nxt, 0);
	ts_syn_options(&x, &h, NULL);
	ts_send(&x, &h, NULL, 0);
	x.snd_nxt++;
	g = ts_expect(&x, DUET_TCP_SYN | DUET_TCP_ACK, x.seg[x.rd].h.seq, x.snd_nxt);
	if (g) {
		cookie = g->h.seq;
		CHECK(g->h.has_mss);
		CHECK_EQ(g->h.mss, 1440);
		CHECK(!g->h.has_wscale);
		CHECK(!g->h.has_sack_permitted);
		CHECK(!g->h.has_timestamps);
	}
	CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_SYNQ_FULL), 1);
	CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_SYNCOOKIES_SENT), 1);
	x.is_ts = false;
	x.rcv_nxt = cookie + 1;
	ts_send_seq(&x, DUET_TCP_ACK | DUET_TCP_PSH, "cookie", 6);
	CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_SYNCOOKIES_RECV), 1);
	fd = duet_accept(x.s, lfd, NULL, NULL);
	CHECK(fd >= 0);
	CHECK_EQ(ts_state(&x, fd), TCP_ESTABLISHED);
	CHECK_EQ(ts_read(&x, fd, buf, sizeof(buf)), 6);
	CHECK_MEM(buf, "cookie", 6);
	ts_run_ms(&x, 50);
	ts_expect_ack(&x);
	CHECK_EQ(duet_send(x.s, fd, "ok", 2, 0), 2);
	ts_settle(&x);
	g = ts_expect(&x, DUET_TCP_ACK | DUET_TCP_PSH, x.rcv_nxt, x.snd_nxt);
	if (g)
		CHECK_EQ(g->len, 2);

	/* A wrong cookie. */
	x.pport = TS_PPORT + 3;
	x.snd_nxt = 555555;
	h = ts_hdr(&x, DUET_TCP_SYN, x.snd_nxt, 0);
	ts_syn_options(&x, &h, NULL);
	ts_send(&x, &h, NULL, 0);
	x.snd_nxt++;
	g = ts_next(&x);
	CHECK(g && g->h.flags == (DUET_TCP_SYN | DUET_TCP_ACK));
	x.is_ts = false;
	h = ts_hdr(&x, DUET_TCP_ACK, x.snd_nxt, g ? g->h.seq + 2 : 0);
	ts_send(&x, &h, NULL, 0);
	ts_expect(&x, DUET_TCP_RST, g ? g->h.seq + 2 : 0, 0);
	CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_SYNCOOKIES_FAILED), 1);
	CHECK_EQ(duet_accept(x.s, lfd, NULL, NULL), -1);
	ts_teardown(&x);
}

/* --- aborts ------------------------------------------------------------ */

/* T-2, S-1: SO_LINGER {1, 0}: close() aborts with
 * <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>, nothing after it, and the
 * 4-tuple is free at once. */
TEST(tcp_so_linger_zero_close_resets)
{
	int fam;

	for (fam = 0; fam < 2; fam++) {
		struct ts x;
		struct linger l = { 1, 0 }, r;
		socklen_t len = sizeof(r);
		int lfd, fd;

		ts_setup(&x, fam == 1);
		fd = ts_passive(&x, &lfd, NULL);
		CHECK_EQ(duet_setsockopt(x.s, fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)), 0);
		CHECK_EQ(duet_getsockopt(x.s, fd, SOL_SOCKET, SO_LINGER, &r, &len), 0);
		CHECK_EQ(r.l_onoff, 1);
		CHECK_EQ(r.l_linger, 0);
		ts_app_send(&x, fd, "unacked", 7);
		ts_next(&x);
		CHECK_EQ(duet_close(x.s, fd), 0);
		ts_settle(&x);
		ts_expect(&x, DUET_TCP_RST | DUET_TCP_ACK, x.rcv_nxt + 7, x.snd_nxt);
		ts_run_ms(&x, 5000);
		ts_expect_none(&x);
		ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
		/* The listener answers for the 4-tuple now: no connection. */
		ts_expect(&x, DUET_TCP_RST, x.rcv_nxt, 0);
		ts_teardown(&x);
	}
}

/* T-2: close() with received data never read resets (RFC 9293 §3.10.4,
 * RFC 2525 §2.17), as Linux; TCP_ABORT_ON_CLOSE counted. */
TEST(tcp_close_with_unread_data_resets)
{
	struct ts x;
	int lfd, fd;

	ts_setup(&x, false);
	fd = ts_passive(&x, &lfd, NULL);
	ts_send_seq(&x, DUET_TCP_ACK | DUET_TCP_PSH, "unread", 6);
	CHECK_EQ(duet_close(x.s, fd), 0);
	ts_settle(&x);
	ts_expect(&x, DUET_TCP_RST | DUET_TCP_ACK, x.rcv_nxt, x.snd_nxt);
	ts_expect_none(&x);
	CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_ABORT_ON_CLOSE), 1);
	ts_teardown(&x);
}

/* T-2: the accept queue is full when a handshake's ACK arrives. Action:
 * listen(fd, 1); three SYNs answered while the queue is empty, then their
 * three ACKs. Response: two connections queued (backlog + 1); the third
 * ACK is dropped (TCP_LISTEN_OVERFLOWS, as Linux with tcp_abort_on_overflow
 * 0), that connection stays half-open and its SYN-ACK is sent again; once
 * accept() made room, the peer's ACK of that SYN-ACK completes it. */
TEST(tcp_listen_backlog_overflow_on_ack)
{
	struct ts x;
	uint32_t iss[3];
	int lfd, i;

	ts_setup(&x, false);
	lfd = ts_listen(&x, 1);
	for (i = 0; i < 3; i++) {
		x.pport = (uint16_t)(TS_PPORT + i);
		x.snd_nxt = TS_PEER_ISS;
		ts_peer_syn(&x, NULL, __LINE__);
		iss[i] = x.iss;
	}
	for (i = 0; i < 3; i++) {
		x.pport = (uint16_t)(TS_PPORT + i);
		x.snd_nxt = TS_PEER_ISS + 1;
		x.rcv_nxt = iss[i] + 1;
		ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
		ts_expect_none(&x);
	}
	CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_LISTEN_OVERFLOWS), 1);
	CHECK(duet_accept(x.s, lfd, NULL, NULL) >= 0);
	CHECK(duet_accept(x.s, lfd, NULL, NULL) >= 0);
	CHECK_EQ(duet_accept(x.s, lfd, NULL, NULL), -1);
	/* The third's SYN-ACK again (1 s after it was first sent). */
	ts_run_ms(&x, 1100);
	ts_expect(&x, DUET_TCP_SYN | DUET_TCP_ACK, iss[2], TS_PEER_ISS + 1);
	ts_expect_none(&x);
	ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
	ts_expect_none(&x);
	CHECK(duet_accept(x.s, lfd, NULL, NULL) >= 0);
	ts_teardown(&x);
}

/* --- options --------------------------------------------------------------- */

/* T-2: the SYN-ACK's options follow the SYN's (RFC 7323 §2.2, §3.2; RFC
 * 2018 §2): a SYN without options gets MSS only, and the connection's
 * segments then carry no timestamps, unscaled windows and 536-byte
 * segments (RFC 9293 §3.7.1's default MSS); each option alone is echoed
 * alone. */
TEST(tcp_synack_options_follow_syn)
{
	struct {
		struct ts_synopt o;
		bool ws, sack, ts;
	} c[] = {
		{ { .is_none = true }, false, false, false },
		{ { .wscale = 2, .no_sack = true, .no_ts = true }, true, false, false },
		{ { .wscale = -1, .no_ts = true }, false, true, false },
		{ { .wscale = -1, .no_sack = true }, false, false, true },
		{ { .wscale = 14 }, true, true, true },
	};
	unsigned i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct ts x;
		const struct ts_seg *g;
		struct tcp_info ti;
		int lfd, fd;
		char big[3000];

		memset(big, 'm', sizeof(big));
		ts_setup(&x, i & 1);
		lfd = ts_listen(&x, 4);
		g = ts_peer_syn(&x, &c[i].o, __LINE__);
		if (g) {
			CHECK(g->h.has_mss);
			CHECK_EQ(g->h.has_wscale, c[i].ws);
			CHECK_EQ(g->h.has_sack_permitted, c[i].sack);
			CHECK_EQ(g->h.has_timestamps, c[i].ts);
		}
		ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
		fd = duet_accept(x.s, lfd, NULL, NULL);
		CHECK(fd >= 0);
		ti = ts_info(&x, fd);
		CHECK_EQ(ti.tcpi_options & 7, (c[i].ts ? 1 : 0) | (c[i].sack ? 2 : 0) | (c[i].ws ? 4 : 0));
		if (c[i].ws) {
			CHECK_EQ(ti.tcpi_snd_wscale, c[i].o.wscale);
			CHECK_EQ(ti.tcpi_rcv_wscale, 5);
		}
		ts_app_send(&x, fd, big, sizeof(big));
		g = ts_next(&x);
		if (g) {
			uint32_t mss = c[i].o.is_none ? 536 : 1460;
			if (!(i & 1) && mss > 1440)
				mss = 1440;
			CHECK_EQ(g->len, mss - (c[i].ts ? 12 : 0));
			CHECK_EQ(g->h.has_timestamps, c[i].ts);
			CHECK_EQ(g->h.window, c[i].ws ? (1u << 20) >> 5 : 65535);
		}
		ts_teardown(&x);
	}
}

/* T-2: MSS both ways. The peer's MSS option bounds our segments (536 ->
 * 524 data bytes with timestamps); TCP_MAXSEG set before connect() bounds
 * the MSS we advertise and send (Linux advertises user_mss too), and
 * getsockopt(TCP_MAXSEG) reports the sending MSS once connected;
 * TCP_MAXSEG outside 88..65535 is EINVAL. */
TEST(tcp_maxseg_and_mss_negotiation)
{
	struct ts x;
	struct ts_synopt o = { .mss = 536, .wscale = 7 };
	const struct ts_seg *g;
	char big[3000];
	int lfd, fd, c;

	memset(big, 'q', sizeof(big));
	ts_setup(&x, true);
	fd = ts_passive(&x, &lfd, &o);
	CHECK_EQ(ts_getint(&x, fd, IPPROTO_TCP, TCP_MAXSEG), 524);
	ts_app_send(&x, fd, big, 1500);
	g = ts_next(&x);
	if (g)
		CHECK_EQ(g->len, 524);
	g = ts_next(&x);
	if (g)
		CHECK_EQ(g->len, 524);
	ts_teardown(&x);

	ts_setup(&x, false);
	c = duet_socket(x.s, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK_EQ(ts_setint(&x, c, IPPROTO_TCP, TCP_MAXSEG, 87), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(ts_setint(&x, c, IPPROTO_TCP, TCP_MAXSEG, 65536), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(ts_setint(&x, c, IPPROTO_TCP, TCP_MAXSEG, 1000), 0);
	CHECK_EQ(ts_getint(&x, c, IPPROTO_TCP, TCP_MAXSEG), 1000);
	duet_close(x.s, c);
	ts_teardown(&x);

	/* Set before connect(): the SYN says 1000. */
	ts_setup(&x, false);
	{
		struct sockaddr_storage ss;
		socklen_t n = ts_sa(&x, x.peer, x.pport, &ss);
		struct duet_tcp_hdr h;
		c = duet_socket(x.s, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
		CHECK_EQ(ts_setint(&x, c, IPPROTO_TCP, TCP_MAXSEG, 1000), 0);
		CHECK_EQ(duet_connect(x.s, c, (struct sockaddr *)&ss, n), -1);
		ts_settle(&x);
		g = ts_next(&x);
		if (g) {
			CHECK_EQ(g->h.flags, DUET_TCP_SYN);
			CHECK_EQ(g->h.mss, 1000);
			x.iss = g->h.seq;
			x.rcv_nxt = x.iss + 1;
			x.lport = g->h.src_port;
		}
		h = ts_hdr(&x, DUET_TCP_SYN | DUET_TCP_ACK, x.snd_nxt, x.rcv_nxt);
		ts_syn_options(&x, &h, NULL); /* MSS 1460 from the peer */
		ts_send(&x, &h, NULL, 0);
		x.snd_nxt++;
		x.is_ts = true;
		ts_expect_ack(&x);
		CHECK_EQ(ts_getint(&x, c, IPPROTO_TCP, TCP_MAXSEG), 988);
		ts_app_send(&x, c, big, 2000);
		g = ts_next(&x);
		if (g)
			CHECK_EQ(g->len, 988);
	}
	ts_teardown(&x);
}

/* T-2, S-1: TCP_INFO: state, RTT (a 100 ms handshake), the initial cwnd
 * (10 segments, RFC 6928), the MSS, retransmits after a timeout; state
 * CLOSE after a reset. */
TEST(tcp_info_fields)
{
	struct ts x;
	struct tcp_info ti;
	int fd;

	ts_setup(&x, false);
	fd = ts_connect_start(&x);
	ti = ts_info(&x, fd);
	CHECK_EQ(ti.tcpi_state, TCP_SYN_SENT);
	ts_run_ms(&x, 100);
	{
		struct duet_tcp_hdr h = ts_hdr(&x, DUET_TCP_SYN | DUET_TCP_ACK, x.snd_nxt, x.rcv_nxt);
		ts_syn_options(&x, &h, NULL);
		ts_send(&x, &h, NULL, 0);
		x.snd_nxt++;
		x.is_ts = true;
		ts_expect_ack(&x);
	}
	ti = ts_info(&x, fd);
	CHECK_EQ(ti.tcpi_state, TCP_ESTABLISHED);
	CHECK_EQ(ti.tcpi_rtt, 100000);
	CHECK_EQ(ti.tcpi_rttvar, 50000);
	CHECK_EQ(ti.tcpi_rto, 300000);
	CHECK_EQ(ti.tcpi_snd_mss, 1428);
	CHECK_EQ(ti.tcpi_snd_cwnd, 10);
	CHECK_EQ(ti.tcpi_retransmits, 0);
	CHECK_EQ(ti.tcpi_total_retrans, 0);
	CHECK_EQ(ti.tcpi_options & 7, 7);
	CHECK_EQ(ti.tcpi_snd_wscale, 7);
	CHECK_EQ(ti.tcpi_rcv_wscale, 5);
	ts_app_send(&x, fd, "rexmit", 6);
	ts_next(&x);
	ts_run_ms(&x, 310);
	ts_expect(&x, DUET_TCP_ACK | DUET_TCP_PSH, x.rcv_nxt, x.snd_nxt);
	ti = ts_info(&x, fd);
	CHECK_EQ(ti.tcpi_retransmits, 1);
	CHECK_EQ(ti.tcpi_total_retrans, 1);
	CHECK_EQ(ti.tcpi_unacked, 1);
	CHECK_EQ(ti.tcpi_snd_cwnd, 1); /* RFC 5681 §3.1: the loss window */
	{
		struct duet_tcp_hdr h = ts_hdr(&x, DUET_TCP_RST, x.snd_nxt, 0);
		ts_send(&x, &h, NULL, 0);
	}
	CHECK_EQ(ts_info(&x, fd).tcpi_state, TCP_CLOSE);
	ts_teardown(&x);
}

/* --- A-7, A-8 ---------------------------------------------------------- */

/* A-7: on an AF_INET6 TCP socket with IPV6_RECVPKTINFO, IPV6_RECVHOPLIMIT
 * and IPV6_RECVTCLASS on, getsockopt(IPV6_2292PKTOPTIONS) returns the
 * ancillary objects of the last segment received: its destination address
 * and interface, hop limit and traffic class (Linux's do_ipv6_getsockopt
 * on TCP). */
TEST(tcp_pktoptions_last_segment)
{
	struct ts x;
	uint8_t buf[256];
	socklen_t len = sizeof(buf);
	struct msghdr m;
	struct cmsghdr *c;
	int lfd, fd, seen = 0;
	char data[8];

	ts_setup(&x, false);
	fd = ts_passive(&x, &lfd, NULL);
	CHECK_EQ(ts_setint(&x, fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1), 0);
	CHECK_EQ(ts_setint(&x, fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1), 0);
	CHECK_EQ(ts_setint(&x, fd, IPPROTO_IPV6, IPV6_RECVTCLASS, 1), 0);
	x.hlim = 33;
	x.tclass = 0x28;
	ts_send_seq(&x, DUET_TCP_ACK | DUET_TCP_PSH, "opts", 4);
	x.hlim = 17;
	x.tclass = 0x48;
	ts_send_seq(&x, DUET_TCP_ACK | DUET_TCP_PSH, "last", 4);
	CHECK_EQ(ts_read(&x, fd, data, sizeof(data)), 8);
	CHECK_EQ(duet_getsockopt(x.s, fd, IPPROTO_IPV6, IPV6_2292PKTOPTIONS, buf, &len), 0);
	memset(&m, 0, sizeof(m));
	m.msg_control = buf;
	m.msg_controllen = len;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		CHECK_EQ(c->cmsg_level, IPPROTO_IPV6);
		if (c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			CHECK_MEM(&pi.ipi6_addr, x.us, 16);
			CHECK_EQ(pi.ipi6_ifindex, x.eth);
			seen |= 1;
		} else if (c->cmsg_type == IPV6_HOPLIMIT) {
			int v;
			memcpy(&v, CMSG_DATA(c), sizeof(v));
			CHECK_EQ(v, 17);
			seen |= 2;
		} else if (c->cmsg_type == IPV6_TCLASS) {
			int v;
			memcpy(&v, CMSG_DATA(c), sizeof(v));
			CHECK_EQ(v, 0x48);
			seen |= 4;
		} else {
			check_fail(__FILE__, __LINE__, "unexpected cmsg type %d", c->cmsg_type);
		}
	}
	CHECK_EQ(seen, 7);
	/* An AF_INET socket has no IPv6 options (EOPNOTSUPP, as Linux's
	 * do_ip_getsockopt for another level). */
	{
		int s4 = duet_socket(x.s, AF_INET, SOCK_STREAM, 0);
		len = sizeof(buf);
		CHECK_EQ(duet_getsockopt(x.s, s4, IPPROTO_IPV6, IPV6_2292PKTOPTIONS, buf, &len), -1);
		CHECK_EQ(errno, EOPNOTSUPP);
	}
	ts_teardown(&x);
}

/* A-8: sendmsg with any ancillary data on a TCP socket is EINVAL (nothing
 * sent); recvmsg returns the data with msg_controllen 0 and msg_namelen 0
 * even with receive switches on. */
TEST(tcp_sendmsg_cmsg_einval_recvmsg_no_control)
{
	struct ts x;
	int lfd, fd;
	uint8_t cbuf[CMSG_SPACE(sizeof(int))], rbuf[256];
	char data[16];
	struct sockaddr_in6 from;
	struct iovec iov = { "nope", 4 };
	struct msghdr m;
	struct cmsghdr *c;
	int hl = 5;

	ts_setup(&x, false);
	fd = ts_passive(&x, &lfd, NULL);
	memset(&m, 0, sizeof(m));
	memset(cbuf, 0, sizeof(cbuf));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = cbuf;
	m.msg_controllen = sizeof(cbuf);
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = IPV6_HOPLIMIT;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &hl, sizeof(hl));
	CHECK_EQ(duet_sendmsg(x.s, fd, &m, 0), -1);
	CHECK_EQ(errno, EINVAL);
	ts_settle(&x);
	ts_expect_none(&x);
	/* Without it, the same message goes. */
	m.msg_control = NULL;
	m.msg_controllen = 0;
	CHECK_EQ(duet_sendmsg(x.s, fd, &m, 0), 4);
	ts_settle(&x);
	ts_expect(&x, DUET_TCP_ACK | DUET_TCP_PSH, x.rcv_nxt, x.snd_nxt);
	x.rcv_nxt += 4;

	CHECK_EQ(ts_setint(&x, fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1), 0);
	CHECK_EQ(ts_setint(&x, fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1), 0);
	ts_send_seq(&x, DUET_TCP_ACK | DUET_TCP_PSH, "hello", 5);
	memset(&m, 0, sizeof(m));
	iov.iov_base = data;
	iov.iov_len = sizeof(data);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_name = &from;
	m.msg_namelen = sizeof(from);
	m.msg_control = rbuf;
	m.msg_controllen = sizeof(rbuf);
	CHECK_EQ(duet_recvmsg(x.s, fd, &m, MSG_DONTWAIT), 5);
	CHECK_MEM(data, "hello", 5);
	CHECK_EQ(m.msg_controllen, 0);
	CHECK_EQ(m.msg_namelen, 0);
	CHECK_EQ(m.msg_flags, 0);
	ts_teardown(&x);
}

/* --- more edges -------------------------------------------------------- */

/* T-2: unacceptable segments (RFC 9293 §3.10.7.4 first check): data
 * beyond the window and an old duplicate are answered with an ACK and
 * not delivered (DROP_TCP_OUT_OF_WINDOW); a segment overlapping RCV.NXT
 * delivers only its new part. */
TEST(tcp_out_of_window_segments_acked)
{
	struct ts x;
	struct duet_tcp_hdr h;
	int lfd, fd;
	char buf[32];

	ts_setup(&x, true);
	fd = ts_passive(&x, &lfd, NULL);
	h = ts_hdr(&x, DUET_TCP_ACK, x.snd_nxt + (1u << 24), x.rcv_nxt);
	ts_send(&x, &h, "far", 3);
	ts_expect_ack(&x);
	h = ts_hdr(&x, DUET_TCP_ACK, x.snd_nxt - 10, x.rcv_nxt);
	ts_send(&x, &h, "old", 3);
	ts_expect_ack(&x);
	CHECK_EQ(ts_ctr(&x, DUET_CTR_DROP_TCP_OUT_OF_WINDOW), 2);
	CHECK_EQ(ts_read(&x, fd, buf, sizeof(buf)), -1);
	/* 4 old bytes and 4 new. */
	h = ts_hdr(&x, DUET_TCP_ACK | DUET_TCP_PSH, x.snd_nxt - 4, x.rcv_nxt);
	ts_send(&x, &h, "xxxxnew!", 8);
	x.snd_nxt += 4;
	CHECK_EQ(ts_read(&x, fd, buf, sizeof(buf)), 4);
	CHECK_MEM(buf, "new!", 4);
	ts_teardown(&x);
}

/* T-2: our receive window fills (SO_RCVBUF 2000: a 4000-byte ring, no
 * scaling). Response: the ACKs advertise what is left, then 0; the
 * peer's one-byte probe is answered with an ACK of a zero window and not
 * taken; reading opens the window only once it grew by half the buffer
 * (receiver SWS avoidance, RFC 9293 §3.8.6.2.2), with a window update. */
TEST(tcp_receive_window_fills_and_reopens)
{
	struct ts x;
	const struct ts_seg *g;
	int lfd, fd, i;
	char data[1000], buf[4000];

	memset(data, 'w', sizeof(data));
	ts_setup(&x, false);
	lfd = duet_socket(x.s, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK_EQ(ts_setint(&x, lfd, SOL_SOCKET, SO_RCVBUF, 2000), 0);
	CHECK_EQ(ts_getint(&x, lfd, SOL_SOCKET, SO_RCVBUF), 4000);
	{
		struct sockaddr_storage ss;
		static const uint8_t any[16];
		socklen_t n = ts_sa(&x, any, x.lport, &ss);
		CHECK_EQ(duet_bind(x.s, lfd, (struct sockaddr *)&ss, n), 0);
		CHECK_EQ(duet_listen(x.s, lfd, 4), 0);
	}
	g = ts_peer_syn(&x, NULL, __LINE__);
	if (g) {
		CHECK_EQ(g->h.window, 4000);
		CHECK_EQ(g->h.wscale, 0);
	}
	ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
	fd = duet_accept(x.s, lfd, NULL, NULL);
	CHECK(fd >= 0);
	for (i = 0; i < 4; i++)
		ts_send_seq(&x, DUET_TCP_ACK, data, sizeof(data));
	g = ts_expect_at(&x, __LINE__, DUET_TCP_ACK, x.rcv_nxt, x.snd_nxt - 2000);
	if (g)
		CHECK_EQ(g->h.window, 2000);
	g = ts_expect_ack(&x);
	if (g)
		CHECK_EQ(g->h.window, 0);
	/* The peer probes. */
	{
		struct duet_tcp_hdr h = ts_hdr(&x, DUET_TCP_ACK, x.snd_nxt, x.rcv_nxt);
		ts_send(&x, &h, "p", 1);
		g = ts_expect_ack(&x);
		if (g)
			CHECK_EQ(g->h.window, 0);
	}
	ts_expect_none(&x);
	CHECK_EQ(ts_read(&x, fd, buf, 1000), 1000);
	ts_settle(&x);
	ts_expect_none(&x); /* 1000 is less than half the buffer */
	CHECK_EQ(ts_read(&x, fd, buf, 1000), 1000);
	ts_settle(&x);
	g = ts_expect_ack(&x);
	if (g)
		CHECK_EQ(g->h.window, 2000);
	ts_send_seq(&x, DUET_TCP_ACK, data, sizeof(data));
	CHECK_EQ(ts_read(&x, fd, buf, sizeof(buf)), 3000);
	ts_teardown(&x);
}

/* T-2, S-1: SO_KEEPALIVE and the TCP_KEEP* values set on a listener are
 * inherited by the connections it makes (as Linux). */
TEST(tcp_keepalive_inherited_from_listener)
{
	struct ts x;
	const struct ts_seg *g;
	int lfd, fd;
	uint64_t t0;

	ts_setup(&x, false);
	lfd = ts_listen(&x, 4);
	CHECK_EQ(ts_setint(&x, lfd, SOL_SOCKET, SO_KEEPALIVE, 1), 0);
	CHECK_EQ(ts_setint(&x, lfd, IPPROTO_TCP, TCP_KEEPIDLE, 5), 0);
	ts_peer_syn(&x, NULL, __LINE__);
	ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
	t0 = ts_now_ms(&x);
	fd = duet_accept(x.s, lfd, NULL, NULL);
	CHECK(fd >= 0);
	CHECK_EQ(ts_getint(&x, fd, SOL_SOCKET, SO_KEEPALIVE), 1);
	CHECK_EQ(ts_getint(&x, fd, IPPROTO_TCP, TCP_KEEPIDLE), 5);
	ts_run_ms(&x, 5100);
	g = ts_expect(&x, DUET_TCP_ACK, x.rcv_nxt - 1, x.snd_nxt);
	if (g)
		CHECK_EQ(g->t_ms - t0, 5000);
	ts_teardown(&x);
}

/* T-2, S-1: shutdown(SHUT_RD) in ESTABLISHED: data still arriving is
 * acknowledged and queued, not a reset (Linux resets only in FIN-WAIT-1/2,
 * after close() or SHUT_RD there: RFC 1122 §4.2.2.13). */
TEST(tcp_shut_rd_established_still_receives)
{
	struct ts x;
	int lfd, fd;
	char buf[16];

	ts_setup(&x, false);
	fd = ts_passive(&x, &lfd, NULL);
	CHECK_EQ(duet_shutdown(x.s, fd, SHUT_RD), 0);
	ts_settle(&x);
	ts_expect_none(&x);
	ts_send_seq(&x, DUET_TCP_ACK | DUET_TCP_PSH, "more", 4);
	ts_send_seq(&x, DUET_TCP_ACK | DUET_TCP_PSH, "data", 4);
	ts_expect_ack(&x);
	ts_expect_none(&x);
	CHECK_EQ(ts_state(&x, fd), TCP_ESTABLISHED);
	CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_OUT_RSTS), 0);
	CHECK(ts_read(&x, fd, buf, sizeof(buf)) >= 0);
	/* In FIN-WAIT-2 after SHUT_RD, new data resets (TCPAbortOnData). */
	CHECK_EQ(duet_shutdown(x.s, fd, SHUT_WR), 0);
	ts_settle(&x);
	ts_expect(&x, DUET_TCP_FIN | DUET_TCP_ACK, x.rcv_nxt, x.snd_nxt);
	x.rcv_nxt++;
	ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
	ts_send_seq(&x, DUET_TCP_ACK | DUET_TCP_PSH, "late", 4);
	ts_expect(&x, DUET_TCP_RST | DUET_TCP_ACK, x.rcv_nxt, x.snd_nxt - 4);
	ts_teardown(&x);
}

/* T-2: RFC 6191: in TIME-WAIT a SYN with a lower sequence number but a
 * newer timestamp also opens a new connection; one with a higher
 * sequence number but an older timestamp fails PAWS and only draws the
 * TIME-WAIT ACK (Linux's tcp_timewait_state_process: !paws_reject). */
TEST(tcp_time_wait_reuse_by_timestamp)
{
	struct ts x;
	struct duet_tcp_hdr h;
	const struct ts_seg *g;
	int lfd, fd;

	ts_setup(&x, false);
	fd = ts_passive(&x, &lfd, NULL);
	CHECK_EQ(duet_close(x.s, fd), 0);
	ts_settle(&x);
	ts_expect(&x, DUET_TCP_FIN | DUET_TCP_ACK, x.rcv_nxt, x.snd_nxt);
	x.rcv_nxt++;
	ts_send_seq(&x, DUET_TCP_FIN | DUET_TCP_ACK, NULL, 0);
	ts_expect_ack(&x);
	ts_run_ms(&x, 1000);
	h = ts_hdr(&x, DUET_TCP_SYN, x.snd_nxt + 5000, 0);
	ts_syn_options(&x, &h, NULL);
	h.ts_val -= 100000;
	ts_send(&x, &h, NULL, 0);
	x.is_ts = true;
	ts_expect_ack(&x);
	ts_expect_none(&x);
	CHECK_EQ(ts_ctr(&x, DUET_CTR_DROP_TCP_PAWS), 1);
	h = ts_hdr(&x, DUET_TCP_SYN, x.snd_nxt - 5000, 0);
	ts_syn_options(&x, &h, NULL);
	ts_send(&x, &h, NULL, 0);
	g = ts_next(&x);
	CHECK(g && g->h.flags == (DUET_TCP_SYN | DUET_TCP_ACK));
	if (g)
		CHECK_EQ(g->h.ack, x.snd_nxt - 4999);
	ts_teardown(&x);
}

/* T-2: a window scale above 14 is taken as 14 (RFC 7323 §2.3). */
TEST(tcp_wscale_above_14_clamped)
{
	struct ts x;
	struct ts_synopt o = { .wscale = 15 };
	int lfd, fd;

	ts_setup(&x, false);
	fd = ts_passive(&x, &lfd, &o);
	CHECK_EQ(ts_info(&x, fd).tcpi_snd_wscale, 14);
	ts_teardown(&x);
}

/* T-2: the ACK completing the handshake may carry data (and a FIN): it
 * is delivered with the connection. */
TEST(tcp_handshake_ack_with_data_and_fin)
{
	struct ts x;
	int lfd, fd;
	char buf[16];

	ts_setup(&x, true);
	lfd = ts_listen(&x, 4);
	ts_peer_syn(&x, NULL, __LINE__);
	ts_send_seq(&x, DUET_TCP_ACK | DUET_TCP_PSH | DUET_TCP_FIN, "early", 5);
	ts_expect_ack(&x);
	fd = duet_accept(x.s, lfd, NULL, NULL);
	CHECK(fd >= 0);
	CHECK_EQ(ts_read(&x, fd, buf, sizeof(buf)), 5);
	CHECK_MEM(buf, "early", 5);
	CHECK_EQ(ts_read(&x, fd, buf, sizeof(buf)), 0);
	CHECK_EQ(ts_state(&x, fd), TCP_CLOSE_WAIT);
	ts_teardown(&x);
}

/* T-2: retransmissions end after tcp_retries2 (3 here): the data again
 * 1, 2 and 4 RTOs later (200 ms each), then 8 RTOs on ETIMEDOUT. duet also sends a reset as it
 * gives up (Linux just drops the connection; the reset tells a peer that
 * is still there but unreachable one way). */
TEST(tcp_retries2_etimedout)
{
	struct ts x;
	const struct ts_seg *g;
	unsigned n = 0;
	int lfd, fd;
	char buf[4];

	ts_setup(&x, false);
	tcp_knobs_of(x.s)->retries2 = 3;
	fd = ts_passive(&x, &lfd, NULL);
	ts_app_send(&x, fd, "lost", 4);
	ts_run_ms(&x, 200 + 400 + 800 + 1600 + 100);
	while ((g = ts_next(&x)) != NULL && g->len == 4)
		n++;
	CHECK_EQ(n, 4);
	CHECK(g && (g->h.flags & DUET_TCP_RST));
	ts_expect_none(&x);
	CHECK_EQ(ts_state(&x, fd), TCP_CLOSE);
	CHECK_EQ(ts_read(&x, fd, buf, sizeof(buf)), -1);
	CHECK_EQ(errno, ETIMEDOUT);
	CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_ABORT_TIMEOUT), 1);
	ts_teardown(&x);
}

/* T-2: an orphaned connection in FIN-WAIT-2 whose peer never closes ends
 * after tcp_fin_timeout (60 s, or TCP_LINGER2): later segments get a
 * reset. */
TEST(tcp_fin_wait2_timeout_orphan)
{
	int round;

	for (round = 0; round < 2; round++) {
		struct ts x;
		int lfd, fd;
		uint64_t limit = round ? 5000 : 60000;

		ts_setup(&x, false);
		fd = ts_passive(&x, &lfd, NULL);
		if (round)
			CHECK_EQ(ts_setint(&x, fd, IPPROTO_TCP, TCP_LINGER2, 5), 0);
		CHECK_EQ(duet_close(x.s, fd), 0);
		ts_settle(&x);
		ts_expect(&x, DUET_TCP_FIN | DUET_TCP_ACK, x.rcv_nxt, x.snd_nxt);
		x.rcv_nxt++;
		ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
		ts_run_ms(&x, limit - 100);
		/* Still there: a keepalive-like ACK from the peer draws nothing. */
		ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
		ts_expect_none(&x);
		ts_run_ms(&x, 200);
		ts_send_seq(&x, DUET_TCP_ACK | DUET_TCP_PSH, "hey", 3);
		ts_expect(&x, DUET_TCP_RST, x.rcv_nxt, 0);
		ts_teardown(&x);
	}
}

/* T-2: our FIN is retransmitted like data: in FIN-WAIT-1 and in
 * LAST-ACK, at the RTO and backing off, until acknowledged. */
TEST(tcp_fin_retransmitted)
{
	int round;

	for (round = 0; round < 2; round++) {
		struct ts x;
		const struct ts_seg *g;
		int lfd, fd;
		uint64_t t0;

		ts_setup(&x, round == 1);
		fd = ts_passive(&x, &lfd, NULL);
		if (round) {
			ts_send_seq(&x, DUET_TCP_FIN | DUET_TCP_ACK, NULL, 0);
			ts_expect_ack(&x);
		}
		CHECK_EQ(duet_shutdown(x.s, fd, SHUT_WR), 0);
		ts_settle(&x);
		t0 = ts_now_ms(&x);
		ts_expect(&x, DUET_TCP_FIN | DUET_TCP_ACK, x.rcv_nxt, x.snd_nxt);
		CHECK_EQ(ts_state(&x, fd), round ? TCP_LAST_ACK : TCP_FIN_WAIT1);
		ts_run_ms(&x, 700);
		g = ts_expect(&x, DUET_TCP_FIN | DUET_TCP_ACK, x.rcv_nxt, x.snd_nxt);
		if (g)
			CHECK_EQ(g->t_ms - t0, 200);
		g = ts_expect(&x, DUET_TCP_FIN | DUET_TCP_ACK, x.rcv_nxt, x.snd_nxt);
		if (g)
			CHECK_EQ(g->t_ms - t0, 600);
		ts_expect_none(&x);
		x.rcv_nxt++;
		ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
		CHECK_EQ(ts_state(&x, fd), round ? TCP_CLOSE : TCP_FIN_WAIT2);
		ts_run_ms(&x, 5000);
		ts_expect_none(&x);
		ts_teardown(&x);
	}
}

/* T-2: a reset in SYN-RECEIVED (a passive open) at RCV.NXT ends the
 * half-open connection: the listener returns to waiting (RFC 9293
 * §3.10.7.4), nothing to accept, a late ACK gets a reset. */
TEST(tcp_rst_in_syn_received)
{
	struct ts x;
	struct duet_tcp_hdr h;
	int lfd;

	ts_setup(&x, false);
	lfd = ts_listen(&x, 4);
	ts_peer_syn(&x, NULL, __LINE__);
	h = ts_hdr(&x, DUET_TCP_RST, x.snd_nxt, 0);
	ts_send(&x, &h, NULL, 0);
	ts_expect_none(&x);
	ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
	ts_expect(&x, DUET_TCP_RST, x.rcv_nxt, 0);
	CHECK_EQ(duet_accept(x.s, lfd, NULL, NULL), -1);
	ts_run_ms(&x, 10000);
	ts_expect_none(&x); /* no SYN-ACK retransmission either */
	CHECK_EQ(ts_state(&x, lfd), TCP_LISTEN);
	ts_teardown(&x);
}

/* T-2: timestamps (RFC 7323): our ACKs echo the TSval of the segment
 * that advanced RCV.NXT; PAWS does not apply to a reset (§5.3 R1): one
 * with an old TSval at RCV.NXT still resets. */
TEST(tcp_timestamps_echo_and_paws_rst_exempt)
{
	struct ts x;
	struct duet_tcp_hdr h;
	const struct ts_seg *g;
	int fd;
	uint32_t v;

	ts_setup(&x, true);
	fd = ts_active(&x, NULL);
	ts_run_ms(&x, 500);
	h = ts_hdr(&x, DUET_TCP_ACK | DUET_TCP_PSH, x.snd_nxt, x.rcv_nxt);
	v = h.ts_val;
	ts_send(&x, &h, "one", 3);
	x.snd_nxt += 3;
	ts_run_ms(&x, 50);
	g = ts_expect_ack(&x);
	if (g) {
		CHECK(g->h.has_timestamps);
		CHECK_EQ(g->h.ts_ecr, v);
		CHECK(g->h.ts_val - x.seg[0].h.ts_val >= 500);
	}
	h = ts_hdr(&x, DUET_TCP_RST, x.snd_nxt, 0);
	h.ts_val = v - 100000;
	ts_send(&x, &h, NULL, 0);
	CHECK_EQ(ts_state(&x, fd), TCP_CLOSE);
	CHECK_EQ(ts_so_error(&x, fd), ECONNRESET);
	ts_teardown(&x);
}

/* T-2, S-1: closing a listener resets every connection it made that was
 * not accepted, established or half-open (RFC 9293 §3.10.4). */
TEST(tcp_listener_close_resets_unaccepted)
{
	struct ts x;
	const struct ts_seg *g;
	int lfd, i;
	unsigned rsts = 0;

	ts_setup(&x, false);
	lfd = ts_listen(&x, 4);
	for (i = 0; i < 3; i++) {
		x.pport = (uint16_t)(TS_PPORT + i);
		x.snd_nxt = TS_PEER_ISS;
		ts_peer_syn(&x, NULL, __LINE__);
		if (i < 2)
			ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
	}
	ts_expect_none(&x);
	CHECK_EQ(duet_close(x.s, lfd), 0);
	ts_settle(&x);
	while ((g = ts_next(&x)) != NULL) {
		CHECK(g->h.flags & DUET_TCP_RST);
		rsts++;
	}
	CHECK_EQ(rsts, 3);
	ts_run_ms(&x, 10000);
	ts_expect_none(&x);
	ts_teardown(&x);
}

/* T-2, S-1: a link-local peer (a scoped address, N-6): the handshake,
 * data, the connection's peer address with its zone (sin6_scope_id), and
 * a closed port's reset all go out on the arrival interface. */
TEST(tcp_link_local_peer)
{
	struct ts x;
	struct sockaddr_in6 pa;
	socklen_t pl = sizeof(pa);
	struct duet_tcp_hdr h;
	int lfd, fd;
	char buf[8];

	ts_setup(&x, false);
	CHECK_EQ(duet_addr6_pton("fe80::1", x.us), 0);
	CHECK_EQ(duet_if_addr_add(x.s, x.eth, AF_INET6, x.us, 64, DUET_IFA_F_NODAD), 0);
	CHECK_EQ(duet_addr6_pton("fe80::2", x.peer), 0);
	ts_settle(&x);
	x.n = x.rd = 0;
	fd = ts_passive(&x, &lfd, NULL);
	CHECK_EQ(duet_getpeername(x.s, fd, (struct sockaddr *)&pa, &pl), 0);
	CHECK_MEM(&pa.sin6_addr, x.peer, 16);
	CHECK_EQ(pa.sin6_scope_id, x.eth);
	ts_send_seq(&x, DUET_TCP_ACK | DUET_TCP_PSH, "ll", 2);
	CHECK_EQ(ts_read(&x, fd, buf, sizeof(buf)), 2);
	ts_settle(&x);
	ts_expect_ack(&x); /* the first read's window update */
	ts_app_send(&x, fd, "back", 4);
	ts_expect(&x, DUET_TCP_ACK | DUET_TCP_PSH, x.rcv_nxt, x.snd_nxt);
	x.lport = 9;
	h = ts_hdr(&x, DUET_TCP_SYN, 42, 0);
	ts_send(&x, &h, NULL, 0);
	ts_expect(&x, DUET_TCP_RST | DUET_TCP_ACK, 0, 43);
	ts_teardown(&x);
}

/* T-2: close() in TIME-WAIT with data never read sends no reset (the
 * connection is over; Linux's socket is CLOSED by then): TIME-WAIT runs
 * its course and still acknowledges a retransmitted FIN. */
TEST(tcp_close_in_time_wait_with_unread_data)
{
	struct ts x;
	struct duet_tcp_hdr h;
	int lfd, fd;

	ts_setup(&x, false);
	fd = ts_passive(&x, &lfd, NULL);
	CHECK_EQ(duet_shutdown(x.s, fd, SHUT_WR), 0);
	ts_settle(&x);
	ts_expect(&x, DUET_TCP_FIN | DUET_TCP_ACK, x.rcv_nxt, x.snd_nxt);
	x.rcv_nxt++;
	ts_send_seq(&x, DUET_TCP_ACK | DUET_TCP_PSH | DUET_TCP_FIN, "unread", 6);
	ts_expect_ack(&x);
	CHECK_EQ(ts_state(&x, fd), TCP_TIME_WAIT);
	CHECK_EQ(duet_close(x.s, fd), 0);
	ts_settle(&x);
	ts_expect_none(&x);
	CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_OUT_RSTS), 0);
	ts_run_ms(&x, 1000);
	h = ts_hdr(&x, DUET_TCP_FIN | DUET_TCP_ACK, x.snd_nxt - 1, x.rcv_nxt);
	ts_send(&x, &h, NULL, 0);
	ts_expect_ack(&x);
	ts_run_ms(&x, 61000);
	ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
	ts_expect(&x, DUET_TCP_RST, x.rcv_nxt, 0);
	ts_teardown(&x);
}

/* --- ICMP errors ------------------------------------------------------- */

/* The peer's router reports an ICMP error of type/code about segment g
 * (quoting its IP header and TCP header). */
static void ts_icmp_about(struct ts *x, const struct ts_seg *g, uint8_t type, uint8_t code)
{
	uint8_t m[8 + 40 + 60], tcp[60];
	struct duet_wcur w;
	size_t hl = duet_tcp_len(&g->h), n;

	duet_wcur_init(&w, tcp, sizeof(tcp));
	CHECK_EQ(duet_tcp_emit(&g->h, &w), 0);
	memset(m, 0, 8);
	m[0] = type;
	m[1] = code;
	if (x->is_v4) {
		struct duet_ip4_hdr ih;
		uint8_t router[4] = { 10, 0, 0, 99 };
		memset(&ih, 0, sizeof(ih));
		ih.ttl = 64;
		ih.protocol = 6;
		ih.df = true;
		memcpy(ih.src, x->us + 12, 4);
		memcpy(ih.dst, x->peer + 12, 4);
		ih.total_length = (uint16_t)(20 + hl);
		duet_wcur_init(&w, m + 8, 20);
		CHECK_EQ(duet_ip4_emit(&ih, &w), 0);
		memcpy(m + 28, tcp, hl);
		n = 28 + hl;
		duet_icmp4_csum_set(m, n);
		ts_inject_ip4(x, router, x->us + 12, 1, 64, 0, m, n);
	} else {
		struct duet_ip6_hdr ih;
		uint8_t router[16];
		memset(&ih, 0, sizeof(ih));
		ih.payload_length = (uint16_t)hl;
		ih.next_header = 6;
		ih.hop_limit = 64;
		memcpy(ih.src, x->us, 16);
		memcpy(ih.dst, x->peer, 16);
		duet_wcur_init(&w, m + 8, 40);
		CHECK_EQ(duet_ip6_emit(&ih, &w), 0);
		memcpy(m + 48, tcp, hl);
		n = 48 + hl;
		CHECK_EQ(duet_addr6_pton("fd00::99", router), 0);
		duet_icmp6_csum_set(m, n, duet_csum_pseudo6(router, x->us, (uint32_t)n, 58));
		ts_inject_ip6(x, router, x->us, 58, 64, 0, m, n);
	}
	ts_settle(x);
}

/* T-2, S-1: ICMP errors in SYN-SENT (RFC 1122 §4.2.3.9, RFC 5927). A port
 * unreachable (ICMPv6 1/4, ICMPv4 3/3) is a hard error: the attempt ends
 * at once with ECONNREFUSED. A host unreachable (ICMPv6 1/3) is soft: the
 * SYN goes on being retried and the error is what SO_ERROR reports when
 * the attempt times out (Linux aborts on it at once; duet follows RFC
 * 1122). An error quoting a sequence number not in flight is ignored. */
TEST(tcp_icmp_errors_in_syn_sent)
{
	int fam;

	for (fam = 0; fam < 2; fam++) {
		struct ts x;
		struct ts_seg bad;
		int fd;

		ts_setup(&x, fam == 1);
		fd = ts_connect_start(&x);
		bad = x.seg[0];
		bad.h.seq += 12345;
		ts_icmp_about(&x, &bad, fam ? 3 : 1, fam ? 3 : 4);
		CHECK_EQ(ts_state(&x, fd), TCP_SYN_SENT);
		CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_ICMP_IGNORED), 1);
		ts_icmp_about(&x, &x.seg[0], fam ? 3 : 1, fam ? 3 : 4);
		CHECK_EQ(ts_state(&x, fd), TCP_CLOSE);
		CHECK_EQ(ts_so_error(&x, fd), ECONNREFUSED);
		ts_run_ms(&x, 5000);
		ts_expect_none(&x);
		ts_teardown(&x);
	}
	{
		struct ts x;
		int fd;

		ts_setup(&x, false);
		fd = duet_socket(x.s, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
		CHECK_EQ(ts_setint(&x, fd, IPPROTO_TCP, TCP_SYNCNT, 1), 0);
		{
			struct sockaddr_storage ss;
			socklen_t n = ts_sa(&x, x.peer, x.pport, &ss);
			CHECK_EQ(duet_connect(x.s, fd, (struct sockaddr *)&ss, n), -1);
		}
		ts_settle(&x);
		ts_icmp_about(&x, &x.seg[0], 1, 3);
		CHECK_EQ(ts_state(&x, fd), TCP_SYN_SENT);
		ts_run_ms(&x, 1100);
		ts_expect(&x, DUET_TCP_SYN, x.seg[0].h.seq, 0);
		CHECK_EQ(ts_state(&x, fd), TCP_SYN_SENT);
		ts_run_ms(&x, 2000);
		CHECK_EQ(ts_state(&x, fd), TCP_CLOSE);
		CHECK_EQ(ts_so_error(&x, fd), EHOSTUNREACH);
		ts_teardown(&x);
	}
}

/* S-1: connect() again on a non-blocking socket reports the attempt, as
 * Linux's inet_stream_connect: EALREADY while it runs, then 0 once it
 * succeeded (and EISCONN after that); after a refusal the error once
 * (ECONNREFUSED, or ECONNABORTED when SO_ERROR was read), and only the
 * call after that starts a new attempt. */
TEST(tcp_connect_again_reports_the_attempt)
{
	struct ts x;
	struct sockaddr_storage ss;
	socklen_t n;
	struct duet_tcp_hdr h;
	int fd, round;

	ts_setup(&x, false);
	n = ts_sa(&x, x.peer, x.pport, &ss);
	fd = ts_connect_start(&x);
	CHECK_EQ(duet_connect(x.s, fd, (struct sockaddr *)&ss, n), -1);
	CHECK_EQ(errno, EALREADY);
	h = ts_hdr(&x, DUET_TCP_SYN | DUET_TCP_ACK, x.snd_nxt, x.rcv_nxt);
	ts_send(&x, &h, NULL, 0);
	x.snd_nxt++;
	ts_expect_ack(&x);
	CHECK_EQ(duet_connect(x.s, fd, (struct sockaddr *)&ss, n), 0);
	CHECK_EQ(duet_connect(x.s, fd, (struct sockaddr *)&ss, n), -1);
	CHECK_EQ(errno, EISCONN);
	ts_teardown(&x);

	for (round = 0; round < 2; round++) {
		ts_setup(&x, false);
		n = ts_sa(&x, x.peer, x.pport, &ss);
		fd = ts_connect_start(&x);
		h = ts_hdr(&x, DUET_TCP_RST | DUET_TCP_ACK, 0, x.rcv_nxt);
		ts_send(&x, &h, NULL, 0);
		if (round)
			CHECK_EQ(ts_so_error(&x, fd), ECONNREFUSED);
		CHECK_EQ(duet_connect(x.s, fd, (struct sockaddr *)&ss, n), -1);
		CHECK_EQ(errno, round ? ECONNABORTED : ECONNREFUSED);
		ts_settle(&x);
		ts_expect_none(&x);
		CHECK_EQ(duet_connect(x.s, fd, (struct sockaddr *)&ss, n), -1);
		CHECK_EQ(errno, EINPROGRESS);
		ts_settle(&x);
		ts_expect(&x, DUET_TCP_SYN, x.seg[x.rd].h.seq, 0);
		ts_teardown(&x);
	}
}

/* T-2: zero-window probes that the peer stops answering end the
 * connection after tcp_retries2 of them (3 here; Linux's probe limit is
 * tcp_retries2 too) with ETIMEDOUT. */
TEST(tcp_zero_window_probes_unanswered_give_up)
{
	struct ts x;
	struct duet_tcp_hdr h;
	const struct ts_seg *g;
	unsigned probes = 0;
	int lfd, fd;
	char buf[4];

	ts_setup(&x, false);
	tcp_knobs_of(x.s)->retries2 = 3;
	fd = ts_passive(&x, &lfd, NULL);
	h = ts_hdr(&x, DUET_TCP_ACK, x.snd_nxt, x.rcv_nxt);
	h.window = 0;
	ts_send(&x, &h, NULL, 0);
	ts_app_send(&x, fd, "stuck", 5);
	ts_run_ms(&x, 60000);
	while ((g = ts_next(&x)) != NULL && g->len == 1)
		probes++;
	CHECK_EQ(probes, 4); /* the persist probe, then 3 retries */
	CHECK(g && (g->h.flags & DUET_TCP_RST));
	CHECK_EQ(ts_state(&x, fd), TCP_CLOSE);
	CHECK_EQ(ts_read(&x, fd, buf, sizeof(buf)), -1);
	CHECK_EQ(errno, ETIMEDOUT);
	ts_teardown(&x);
}

/* T-2: RFC 6298 §5.7: when the SYN had to be retransmitted and no RTT
 * could be measured (Karn; no timestamps), the RTO is 3 s once data
 * transmission begins. */
TEST(tcp_rto_three_seconds_after_syn_retransmission)
{
	struct ts x;
	struct ts_synopt o = { .wscale = 7, .no_ts = true };
	struct duet_tcp_hdr h;
	const struct ts_seg *g;
	uint64_t t0;
	int fd;

	ts_setup(&x, false);
	fd = ts_connect_start(&x);
	ts_run_ms(&x, 1100);
	ts_expect(&x, DUET_TCP_SYN, x.iss, 0);
	h = ts_hdr(&x, DUET_TCP_SYN | DUET_TCP_ACK, x.snd_nxt, x.rcv_nxt);
	ts_syn_options(&x, &h, &o);
	ts_send(&x, &h, NULL, 0);
	x.snd_nxt++;
	ts_expect_ack(&x);
	CHECK_EQ(ts_info(&x, fd).tcpi_rto, 3000000);
	ts_app_send(&x, fd, "data", 4);
	t0 = ts_now_ms(&x);
	ts_next(&x);
	ts_run_ms(&x, 3100);
	g = ts_expect(&x, DUET_TCP_ACK | DUET_TCP_PSH, x.rcv_nxt, x.snd_nxt);
	if (g)
		CHECK_EQ(g->t_ms - t0, 3000);
	ts_teardown(&x);
}

/* T-2: Karn's rule on the passive side: a SYN-ACK sent again for the
 * peer's retransmitted SYN is a retransmission, so the ACK that follows
 * gives no RTT sample (which would count from the first SYN-ACK). */
TEST(tcp_synack_resent_for_syn_no_rtt_sample)
{
	struct ts x;
	struct duet_tcp_hdr h;
	int lfd, fd;

	ts_setup(&x, false);
	lfd = ts_listen(&x, 4);
	ts_peer_syn(&x, NULL, __LINE__);
	ts_run_ms(&x, 500);
	h = ts_hdr(&x, DUET_TCP_SYN, TS_PEER_ISS, 0);
	ts_syn_options(&x, &h, NULL);
	x.is_ts = true;
	ts_send(&x, &h, NULL, 0);
	ts_expect(&x, DUET_TCP_SYN | DUET_TCP_ACK, x.iss, x.snd_nxt);
	ts_run_ms(&x, 10);
	ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
	fd = duet_accept(x.s, lfd, NULL, NULL);
	CHECK(fd >= 0);
	CHECK_EQ(ts_info(&x, fd).tcpi_rtt, 0);
	CHECK_EQ(ts_info(&x, fd).tcpi_rto, 3000000);
	ts_teardown(&x);
}

/* T-2: SYN-RECEIVED and an unacceptable ACK (RFC 9293 §3.10.7.4: not
 * SND.UNA < SEG.ACK =< SND.NXT): <SEQ=SEG.ACK><CTL=RST>, and the
 * half-open connection stays for the right ACK. */
TEST(tcp_syn_received_bad_ack_reset)
{
	struct ts x;
	struct duet_tcp_hdr h;
	int lfd;

	ts_setup(&x, true);
	lfd = ts_listen(&x, 4);
	ts_peer_syn(&x, NULL, __LINE__);
	h = ts_hdr(&x, DUET_TCP_ACK, x.snd_nxt, x.rcv_nxt + 5);
	ts_send(&x, &h, NULL, 0);
	ts_expect(&x, DUET_TCP_RST, x.rcv_nxt + 5, 0);
	h = ts_hdr(&x, DUET_TCP_ACK, x.snd_nxt, x.iss);
	ts_send(&x, &h, NULL, 0);
	ts_expect(&x, DUET_TCP_RST, x.iss, 0);
	CHECK_EQ(duet_accept(x.s, lfd, NULL, NULL), -1);
	ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
	ts_expect_none(&x);
	CHECK(duet_accept(x.s, lfd, NULL, NULL) >= 0);
	ts_teardown(&x);
}

/* T-2, S-1: a reset in CLOSE-WAIT (the peer's FIN already in): as Linux's
 * tcp_reset, the error is EPIPE, and recv() still reports the end of the
 * stream (0) the FIN gave; send() fails with EPIPE. In LAST-ACK the reset
 * just ends the connection (RFC 9293 §3.10.7.4: "enter the CLOSED state
 * ... and return"; Linux would set ECONNRESET). */
TEST(tcp_rst_in_close_wait_and_last_ack)
{
	int round;

	for (round = 0; round < 2; round++) {
		struct ts x;
		struct duet_tcp_hdr h;
		int lfd, fd;
		char buf[4];

		ts_setup(&x, false);
		fd = ts_passive(&x, &lfd, NULL);
		ts_send_seq(&x, DUET_TCP_FIN | DUET_TCP_ACK, NULL, 0);
		ts_expect_ack(&x);
		if (round) {
			CHECK_EQ(duet_shutdown(x.s, fd, SHUT_WR), 0);
			ts_settle(&x);
			ts_expect(&x, DUET_TCP_FIN | DUET_TCP_ACK, x.rcv_nxt, x.snd_nxt);
			CHECK_EQ(ts_state(&x, fd), TCP_LAST_ACK);
		}
		h = ts_hdr(&x, DUET_TCP_RST, x.snd_nxt, 0);
		ts_send(&x, &h, NULL, 0);
		ts_expect_none(&x);
		CHECK_EQ(ts_state(&x, fd), TCP_CLOSE);
		CHECK_EQ(ts_read(&x, fd, buf, sizeof(buf)), 0);
		CHECK_EQ(ts_so_error(&x, fd), round ? 0 : EPIPE);
		CHECK_EQ(duet_send(x.s, fd, "x", 1, MSG_NOSIGNAL), -1);
		CHECK_EQ(errno, EPIPE);
		ts_teardown(&x);
	}
}

/* T-2: without SYN cookies (net.ipv4.tcp_syncookies 0) a SYN finding the
 * SYN queue full is dropped (TCP_SYNQ_FULL); listen(fd, 0) still takes
 * one connection (as Linux: the queue is full when it holds more than the
 * backlog). */
TEST(tcp_synq_full_without_cookies_and_backlog_zero)
{
	struct ts x;
	struct duet_tcp_hdr h;
	int lfd, i;

	ts_setup(&x, false);
	tcp_knobs_of(x.s)->max_syn_backlog = 2;
	tcp_knobs_of(x.s)->syncookies = false;
	lfd = ts_listen(&x, 16);
	for (i = 0; i < 3; i++) {
		x.pport = (uint16_t)(TS_PPORT + i);
		h = ts_hdr(&x, DUET_TCP_SYN, TS_PEER_ISS, 0);
		ts_syn_options(&x, &h, NULL);
		ts_send(&x, &h, NULL, 0);
		if (i < 2)
			CHECK(ts_next(&x) != NULL);
	}
	ts_expect_none(&x);
	CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_SYNQ_FULL), 1);
	CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_SYNCOOKIES_SENT), 0);
	duet_close(x.s, lfd);
	ts_teardown(&x);

	ts_setup(&x, false);
	lfd = ts_listen(&x, 0);
	ts_peer_syn(&x, NULL, __LINE__);
	ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
	x.pport = TS_PPORT + 1;
	h = ts_hdr(&x, DUET_TCP_SYN, TS_PEER_ISS, 0);
	ts_syn_options(&x, &h, NULL);
	ts_send(&x, &h, NULL, 0);
	ts_expect_none(&x);
	CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_LISTEN_OVERFLOWS), 1);
	CHECK(duet_accept(x.s, lfd, NULL, NULL) >= 0);
	ts_teardown(&x);
}

/* T-2: Nagle lets the last small segment go with the FIN: a small write
 * waiting behind unacknowledged data leaves at shutdown(SHUT_WR) with the
 * FIN on it. */
TEST(tcp_nagle_releases_with_fin)
{
	struct ts x;
	const struct ts_seg *g;
	int lfd, fd;

	ts_setup(&x, false);
	fd = ts_passive(&x, &lfd, NULL);
	ts_app_send(&x, fd, "a", 1);
	ts_next(&x);
	ts_app_send(&x, fd, "b", 1);
	ts_expect_none(&x);
	CHECK_EQ(duet_shutdown(x.s, fd, SHUT_WR), 0);
	ts_settle(&x);
	g = ts_expect(&x, DUET_TCP_FIN | DUET_TCP_ACK, x.rcv_nxt + 1, x.snd_nxt);
	if (g) {
		CHECK_EQ(g->len, 1);
		CHECK_MEM(g->data, "b", 1);
	}
	ts_teardown(&x);
}

/* T-2, DS-8: an AF_INET6 socket connecting to a v4-mapped address talks
 * real IPv4 (MSS for IPv4 headers, TTL from IPV6_UNICAST_HOPS), and its
 * peer shows as ::ffff:10.0.0.2. */
TEST(tcp_v4_mapped_active_open)
{
	struct ts x;
	struct sockaddr_in6 sa, pa;
	socklen_t pl = sizeof(pa);
	const struct ts_seg *g;
	struct duet_tcp_hdr h;
	int fd;

	ts_setup(&x, true);
	fd = duet_socket(x.s, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK_EQ(ts_setint(&x, fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 9), 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin6_family = AF_INET6;
	sa.sin6_port = htons(x.pport);
	memcpy(&sa.sin6_addr, x.peer, 16);
	CHECK_EQ(duet_connect(x.s, fd, (struct sockaddr *)&sa, sizeof(sa)), -1);
	CHECK_EQ(errno, EINPROGRESS);
	ts_settle(&x);
	g = ts_next(&x);
	CHECK(g != NULL);
	if (!g) {
		ts_teardown(&x);
		return;
	}
	CHECK(g->is_v4);
	CHECK_EQ(g->hlim, 9);
	CHECK_EQ(g->h.mss, 1460);
	x.iss = g->h.seq;
	x.rcv_nxt = x.iss + 1;
	x.lport = g->h.src_port;
	h = ts_hdr(&x, DUET_TCP_SYN | DUET_TCP_ACK, x.snd_nxt, x.rcv_nxt);
	ts_syn_options(&x, &h, NULL);
	ts_send(&x, &h, NULL, 0);
	x.snd_nxt++;
	x.is_ts = true;
	ts_expect_ack(&x);
	CHECK_EQ(duet_getpeername(x.s, fd, (struct sockaddr *)&pa, &pl), 0);
	CHECK_EQ(pa.sin6_family, AF_INET6);
	CHECK_MEM(&pa.sin6_addr, x.peer, 16);
	CHECK_EQ(ntohs(pa.sin6_port), x.pport);
	CHECK_EQ(ts_state(&x, fd), TCP_ESTABLISHED);
	ts_teardown(&x);
}

/* T-2: close() in CLOSE-WAIT: the orphan sends its FIN (LAST-ACK), sends
 * it again until acknowledged, then is gone: the 4-tuple answers with a
 * reset. */
TEST(tcp_passive_close_orphan_last_ack)
{
	struct ts x;
	int lfd, fd;

	ts_setup(&x, true);
	fd = ts_passive(&x, &lfd, NULL);
	duet_close(x.s, lfd);
	ts_send_seq(&x, DUET_TCP_FIN | DUET_TCP_ACK, NULL, 0);
	ts_expect_ack(&x);
	CHECK_EQ(duet_close(x.s, fd), 0);
	ts_settle(&x);
	ts_expect(&x, DUET_TCP_FIN | DUET_TCP_ACK, x.rcv_nxt, x.snd_nxt);
	ts_run_ms(&x, 250);
	ts_expect(&x, DUET_TCP_FIN | DUET_TCP_ACK, x.rcv_nxt, x.snd_nxt);
	x.rcv_nxt++;
	ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
	ts_expect_none(&x);
	ts_run_ms(&x, 5000);
	ts_expect_none(&x);
	ts_send_seq(&x, DUET_TCP_ACK, NULL, 0);
	ts_expect(&x, DUET_TCP_RST, x.rcv_nxt, 0);
	ts_teardown(&x);
}

/* A-7: the RFC 2292 switches (IPV6_2292PKTINFO, IPV6_2292HOPLIMIT) give
 * their own object types in IPV6_2292PKTOPTIONS; with no switch on the
 * buffer is empty. */
TEST(tcp_pktoptions_rfc2292_switches)
{
	struct ts x;
	uint8_t buf[256];
	socklen_t len = sizeof(buf);
	struct msghdr m;
	struct cmsghdr *c;
	int lfd, fd, seen = 0;
	char data[8];

	ts_setup(&x, false);
	fd = ts_passive(&x, &lfd, NULL);
	CHECK_EQ(duet_getsockopt(x.s, fd, IPPROTO_IPV6, IPV6_2292PKTOPTIONS, buf, &len), 0);
	CHECK_EQ(len, 0);
	CHECK_EQ(ts_setint(&x, fd, IPPROTO_IPV6, IPV6_2292PKTINFO, 1), 0);
	CHECK_EQ(ts_setint(&x, fd, IPPROTO_IPV6, IPV6_2292HOPLIMIT, 1), 0);
	x.hlim = 200;
	ts_send_seq(&x, DUET_TCP_ACK | DUET_TCP_PSH, "2292", 4);
	CHECK_EQ(ts_read(&x, fd, data, sizeof(data)), 4);
	len = sizeof(buf);
	CHECK_EQ(duet_getsockopt(x.s, fd, IPPROTO_IPV6, IPV6_2292PKTOPTIONS, buf, &len), 0);
	memset(&m, 0, sizeof(m));
	m.msg_control = buf;
	m.msg_controllen = len;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_type == IPV6_2292PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			CHECK_MEM(&pi.ipi6_addr, x.us, 16);
			CHECK_EQ(pi.ipi6_ifindex, x.eth);
			seen |= 1;
		} else if (c->cmsg_type == IPV6_2292HOPLIMIT) {
			int v;
			memcpy(&v, CMSG_DATA(c), sizeof(v));
			CHECK_EQ(v, 200);
			seen |= 2;
		} else {
			check_fail(__FILE__, __LINE__, "unexpected cmsg type %d", c->cmsg_type);
		}
	}
	CHECK_EQ(seen, 3);
	ts_teardown(&x);
}

/* T-2: a SYN cookie is good for one to two minutes (two 64 s slots): its
 * ACK 60 s later still makes the connection, 200 s later it is refused
 * with a reset. */
TEST(tcp_syn_cookie_expires)
{
	int round;

	for (round = 0; round < 2; round++) {
		struct ts x;
		struct duet_tcp_hdr h;
		const struct ts_seg *g;
		int lfd, i;

		ts_setup(&x, round == 1);
		tcp_knobs_of(x.s)->max_syn_backlog = 1;
		lfd = ts_listen(&x, 16);
		for (i = 0; i < 2; i++) {
			x.pport = (uint16_t)(TS_PPORT + i);
			x.snd_nxt = TS_PEER_ISS;
			g = ts_peer_syn(&x, NULL, __LINE__);
		}
		CHECK_EQ(ts_ctr(&x, DUET_CTR_TCP_SYNCOOKIES_SENT), 1);
		x.is_ts = false;
		/* The first connection's SYN-ACKs go on; forget them. */
		ts_run_ms(&x, round ? 200000 : 60000);
		x.n = x.rd = 0;
		h = ts_hdr(&x, DUET_TCP_ACK, x.snd_nxt, g ? g->h.seq + 1 : 0);
		ts_send(&x, &h, NULL, 0);
		if (round) {
			ts_expect(&x, DUET_TCP_RST, g ? g->h.seq + 1 : 0, 0);
			CHECK_EQ(duet_accept(x.s, lfd, NULL, NULL), -1);
		} else {
			ts_expect_none(&x);
			CHECK(duet_accept(x.s, lfd, NULL, NULL) >= 0);
		}
		ts_teardown(&x);
	}
}
