/* duet tests — TCP under attack, in simulation (T-2: listen backlog with
 * SYN-flood protection, SYN cookies, RFC 5961; S-1; DS-3): a SYN flood
 * from spoofed IPv6 and IPv4 sources at a listener while one of its
 * connections transfers and a legitimate client connects, and blind
 * in-window attacks (RSTs, SYNs, data, ACKs with guessed sequence numbers)
 * on running transfers.
 *
 * Three stacks: A (the clients, fd00::1, 10.0.0.1) and B (the server,
 * fd00::2, 10.0.0.2) on a 50 Mbit/s cable with 2 ms of delay each way; M,
 * the attacker, on a second cable to B (2001:db8:ffff::/64,
 * 198.51.100.0/24), which B uses as its default router, so SYN-ACKs to the
 * spoofed sources go to M and die there. The flood has its own cable on
 * purpose: what is measured is what the flood does to B's TCP (SYN queue,
 * memory, input queue, timers), not to a shared link's bandwidth. */
#include "sock_fixture.h"

#include "transport/tcp_internal.h"

#include <duet/wire/tcp.h>

#include <fcntl.h>
#include <netinet/tcp.h>

/* Under AddressSanitizer every packet costs several times more: the flood
 * and the transfers are scaled down (to a fifth), keeping their shape (the
 * SYN queue still overflows twenty times over, the transfer still runs
 * through the whole flood). */
#if defined(__SANITIZE_ADDRESS__)
#define FL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FL_ASAN 1
#endif
#endif
#ifdef FL_ASAN
#define FL_SCALE 5u
#else
#define FL_SCALE 1u
#endif

#define FL_SYNS (100000u / FL_SCALE)
#define FL_SYNS_PER_MS 40u                   /* 40,000 SYN/s */
#define FL_BYTES ((12u << 20) / FL_SCALE)    /* about 2 s at 50 Mbit/s */
#define FL_LEGIT_BYTES (64u << 10)

struct fl_net {
	struct duet_sim *sim;
	struct duet_stack *a, *b, *m;
	int ia, ib;             /* the A-B cable */
	int im, ib2;            /* the M-B cable */
	int im2, ia2;           /* the M-A cable (blind attacks on A) */
};

static uint64_t fl_rand(uint64_t *s)
{
	/* xorshift64*: the attacker's own deterministic guesses */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static void fl_setup(struct fl_net *n, bool is_m_to_a)
{
	struct duet_impair_params imp;
	struct duet_sim_link_opts ab, mb;
	uint8_t a6[16], b6[16], m6[16], b26[16], any6[16] = { 0 };
	uint8_t a4[4] = { 10, 0, 0, 1 }, b4[4] = { 10, 0, 0, 2 };
	uint8_t m4[4] = { 198, 51, 100, 1 }, b24[4] = { 198, 51, 100, 2 }, any4[4] = { 0 };

	memset(n, 0, sizeof(*n));
	CHECK_EQ(duet_sim_create(11, 0, &n->sim), 0);
	n->a = sf_add_stack(n->sim, "A", NULL, true);
	n->b = sf_add_stack(n->sim, "B", NULL, true);
	n->m = sf_add_stack(n->sim, "M", NULL, true);
	duet_impair_params_init(&imp);
	imp.rate_bps = 50000000;
	imp.rate_queue_frames = 128;
	imp.delay_ns = SF_MS(2);
	imp.capacity_frames = 4096;
	memset(&ab, 0, sizeof(ab));
	ab.a_to_b = ab.b_to_a = &imp;
	CHECK_EQ(duet_sim_connect(n->sim, n->a, n->b, &ab, &n->ia, &n->ib), 0);
	memset(&mb, 0, sizeof(mb));
	CHECK_EQ(duet_sim_connect(n->sim, n->m, n->b, &mb, &n->im, &n->ib2), 0);
	sf_a6("fd00::1", a6);
	sf_a6("fd00::2", b6);
	sf_a6("2001:db8:ffff::1", m6);
	sf_a6("2001:db8:ffff::2", b26);
	CHECK_EQ(duet_if_addr_add(n->a, (uint32_t)n->ia, AF_INET6, a6, 64, DUET_IFA_F_NODAD), 0);
	CHECK_EQ(duet_if_addr_add(n->b, (uint32_t)n->ib, AF_INET6, b6, 64, DUET_IFA_F_NODAD), 0);
	CHECK_EQ(duet_if_addr_add(n->a, (uint32_t)n->ia, AF_INET, a4, 24, 0), 0);
	CHECK_EQ(duet_if_addr_add(n->b, (uint32_t)n->ib, AF_INET, b4, 24, 0), 0);
	CHECK_EQ(duet_if_addr_add(n->m, (uint32_t)n->im, AF_INET6, m6, 64, DUET_IFA_F_NODAD), 0);
	CHECK_EQ(duet_if_addr_add(n->b, (uint32_t)n->ib2, AF_INET6, b26, 64, DUET_IFA_F_NODAD), 0);
	CHECK_EQ(duet_if_addr_add(n->m, (uint32_t)n->im, AF_INET, m4, 24, 0), 0);
	CHECK_EQ(duet_if_addr_add(n->b, (uint32_t)n->ib2, AF_INET, b24, 24, 0), 0);
	CHECK_EQ(duet_route_add(n->b, AF_INET6, any6, 0, m6, (uint32_t)n->ib2, 0), 0);
	CHECK_EQ(duet_route_add(n->b, AF_INET, any4, 0, m4, (uint32_t)n->ib2, 0), 0);
	if (is_m_to_a) {
		uint8_t m36[16], a36[16];
		CHECK_EQ(duet_sim_connect(n->sim, n->m, n->a, &mb, &n->im2, &n->ia2), 0);
		sf_a6("2001:db8:eeee::1", m36);
		sf_a6("2001:db8:eeee::2", a36);
		CHECK_EQ(duet_if_addr_add(n->m, (uint32_t)n->im2, AF_INET6, m36, 64, DUET_IFA_F_NODAD), 0);
		CHECK_EQ(duet_if_addr_add(n->a, (uint32_t)n->ia2, AF_INET6, a36, 64, DUET_IFA_F_NODAD), 0);
	}
	duet_sim_run_for(n->sim, SF_MS(10));
}

/* Sends a forged TCP segment from M out of interface ifx to the stack
 * whose MAC is mac: src and dst are 16-byte addresses, v4-mapped for IPv4. */
static void fl_forge(struct fl_net *n, int ifx, const uint8_t mac[6], const uint8_t src[16],
		     const uint8_t dst[16], const struct duet_tcp_hdr *h, const uint8_t *data,
		     size_t len)
{
	bool is_v4 = memcmp(src, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0;
	uint8_t seg[1500];
	struct duet_wcur w;
	size_t hl, total;
	struct duet_pkt *p;
	struct duet_eth_hdr eh;

	duet_wcur_init(&w, seg, sizeof(seg));
	CHECK_EQ(duet_tcp_emit(h, &w), 0);
	hl = w.off;
	if (len)
		memcpy(seg + hl, data, len);
	duet_tcp_csum_set(seg, hl + len,
			  is_v4 ? duet_csum_pseudo4(src + 12, dst + 12, (uint16_t)(hl + len), IPPROTO_TCP)
				: duet_csum_pseudo6(src, dst, (uint32_t)(hl + len), IPPROTO_TCP));
	total = DUET_ETH_HDR_LEN + (is_v4 ? 20u : DUET_IP6_HDR_LEN) + hl + len;
	p = duet_pkt_alloc(duet_stack_pool(n->m), DUET_PKT_HEADROOM, total);
	CHECK(p != NULL);
	if (!p)
		return;
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.dst, mac, 6);
	memcpy(eh.src, sf_mac(n->m, (uint32_t)ifx), 6);
	eh.ethertype = is_v4 ? DUET_ETHERTYPE_IPV4 : DUET_ETHERTYPE_IPV6;
	duet_wcur_init(&w, duet_pkt_data(p), total);
	CHECK_EQ(duet_eth_emit(&eh, &w), 0);
	if (is_v4) {
		struct duet_ip4_hdr ih;
		memset(&ih, 0, sizeof(ih));
		ih.total_length = (uint16_t)(20 + hl + len);
		ih.identification = (uint16_t)h->seq;
		ih.ttl = 64;
		ih.protocol = IPPROTO_TCP;
		memcpy(ih.src, src + 12, 4);
		memcpy(ih.dst, dst + 12, 4);
		CHECK_EQ(duet_ip4_emit(&ih, &w), 0);
	} else {
		struct duet_ip6_hdr ih;
		memset(&ih, 0, sizeof(ih));
		ih.payload_length = (uint16_t)(hl + len);
		ih.next_header = IPPROTO_TCP;
		ih.hop_limit = 64;
		memcpy(ih.src, src, 16);
		memcpy(ih.dst, dst, 16);
		CHECK_EQ(duet_ip6_emit(&ih, &w), 0);
	}
	CHECK_EQ(duet_wcur_put(&w, seg, hl + len), 0);
	CHECK_EQ(duet_stack_send_frame(n->m, (uint32_t)ifx, p), 0);
}

static void fl_nonblock(struct duet_stack *s, int fd)
{
	CHECK_EQ(duet_fcntl(s, fd, F_SETFL, O_NONBLOCK), 0);
}

static struct tcp_sock *fl_tp(struct duet_stack *s, int fd)
{
	return tcp_sk(sock_get(s, fd));
}

/* A listener on B, [::]:port, dual-stack. */
static int fl_listen(struct fl_net *n, uint16_t port, int backlog)
{
	int fd = duet_socket(n->b, AF_INET6, SOCK_STREAM, 0);

	CHECK(fd >= 3);
	CHECK_EQ(sk_setint(n->b, fd, IPPROTO_IPV6, IPV6_V6ONLY, 0), 0);
	CHECK_EQ(sk_bind(n->b, fd, "::", port), 0);
	CHECK_EQ(duet_listen(n->b, fd, backlog), 0);
	fl_nonblock(n->b, fd);
	return fd;
}

/* A connects to addr:port; returns its descriptor (the handshake runs in
 * the next steps of the simulation). */
static int fl_connect(struct fl_net *n, const char *addr, uint16_t port)
{
	int fd = duet_socket(n->a, strchr(addr, ':') ? AF_INET6 : AF_INET, SOCK_STREAM, 0);

	CHECK(fd >= 3);
	fl_nonblock(n->a, fd);
	CHECK_EQ(sk_connect(n->a, fd, addr, port), -1);
	CHECK_EQ(errno, EINPROGRESS);
	return fd;
}

static int fl_accept_wait(struct fl_net *n, int lfd)
{
	int i, s = -1;

	for (i = 0; i < 200 && s < 0; i++) {
		duet_sim_run_for(n->sim, SF_MS(1));
		s = duet_accept(n->b, lfd, NULL, NULL);
	}
	CHECK(s >= 3);
	if (s >= 0)
		fl_nonblock(n->b, s);
	return s;
}

/* One transfer, from A's descriptor c to B's s, of the bytes of out. */
struct fl_xfer {
	int c, s;
	const uint8_t *out;
	uint8_t *in;
	size_t total, sent, got;
};

static void fl_xfer_step(struct fl_net *n, struct fl_xfer *x)
{
	ssize_t r;

	if (x->sent < x->total) {
		r = duet_send(n->a, x->c, x->out + x->sent, x->total - x->sent, MSG_DONTWAIT);
		if (r > 0)
			x->sent += (size_t)r;
	}
	while (x->got < x->total &&
	       (r = duet_recv(n->b, x->s, x->in + x->got, x->total - x->got, MSG_DONTWAIT)) > 0)
		x->got += (size_t)r;
}

static void fl_pattern(uint8_t *p, size_t n, uint32_t salt)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)((i + salt) * 2654435761u >> 24);
}

/* The virtual time a clean transfer of FL_BYTES takes on the A-B cable. */
static uint64_t fl_clean_transfer_ns(const uint8_t *out, uint8_t *in)
{
	struct fl_net n;
	struct fl_xfer x;
	uint64_t t0;
	int lfd, i;

	fl_setup(&n, false);
	lfd = fl_listen(&n, 80, 1024);
	memset(&x, 0, sizeof(x));
	x.c = fl_connect(&n, "fd00::2", 80);
	x.s = fl_accept_wait(&n, lfd);
	x.out = out;
	x.in = in;
	x.total = FL_BYTES;
	t0 = duet_sim_now(n.sim);
	for (i = 0; i < 100000 && x.got < x.total; i++) {
		fl_xfer_step(&n, &x);
		duet_sim_run_for(n.sim, SF_MS(1));
		fl_xfer_step(&n, &x);
	}
	CHECK_EQ(x.got, x.total);
	CHECK(memcmp(in, out, x.total) == 0);
	t0 = duet_sim_now(n.sim) - t0;
	duet_sim_destroy(n.sim);
	return t0;
}

/* The i-th spoofed SYN: even ones from 2001:db8:1xxx::/36 to B's IPv6
 * address on M's cable, odd ones from 100.64.0.0/10 to its IPv4 address;
 * random ports and ISNs, options like Linux's (MSS, SACK-permitted,
 * timestamps, window scale) on every other pair. */
static void fl_spoofed_syn(struct fl_net *n, uint32_t i, uint64_t *rng)
{
	static const uint8_t b6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, [15] = 2 };
	static const uint8_t b4[16] = { [10] = 0xff, [11] = 0xff, 198, 51, 100, 2 };
	uint8_t src[16];
	struct duet_tcp_hdr h;
	uint64_t r = fl_rand(rng);

	memset(src, 0, sizeof(src));
	if (i & 1) {
		src[10] = src[11] = 0xff;
		src[12] = 100;
		src[13] = (uint8_t)(64 + (r & 63));
		src[14] = (uint8_t)(r >> 8);
		src[15] = (uint8_t)(r >> 16 | 1);
	} else {
		uint64_t r2 = fl_rand(rng);
		src[0] = 0x20, src[1] = 0x01, src[2] = 0x0d, src[3] = 0xb8;
		src[4] = (uint8_t)(0x10 | (r & 0x0f));
		memcpy(src + 5, &r2, 8);
		src[15] = (uint8_t)(r >> 8 | 1);
	}
	memset(&h, 0, sizeof(h));
	h.src_port = (uint16_t)(1024 + (r >> 24) % 64512);
	h.dst_port = 80;
	h.seq = (uint32_t)(r >> 32);
	h.flags = DUET_TCP_SYN;
	h.window = 64240;
	if (i & 2) {
		h.has_mss = true;
		h.mss = 1460;
		h.has_sack_permitted = h.has_timestamps = h.has_wscale = true;
		h.ts_val = (uint32_t)r;
		h.wscale = 7;
	}
	fl_forge(n, n->im, sf_mac(n->b, (uint32_t)n->ib2), src, (i & 1) ? b4 : b6, &h, NULL, 0);
}

/* T-2 (listen backlog with SYN-flood protection, SYN cookies), S-1,
 * DS-3: 100,000 SYNs from spoofed IPv6 and IPv4 sources (40,000 a second)
 * hit B's dual-stack listener on [::]:80 while one of its connections
 * transfers 12 MB from A over IPv6. The transfer completes with at least
 * half the throughput it has on the clean cable; the SYN queue never holds
 * more than max_syn_backlog half-open connections and SYN cookies are sent
 * exactly from the moment it is full; B's packet memory stays bounded; a
 * legitimate IPv4 client connecting mid-flood gets through (by cookie) and
 * transfers 64 KB intact; afterwards every half-open connection expires
 * after its SYN-ACK retries and B is left with just the real connections. */
TEST(tcp_syn_flood_spoofed_with_transfer)
{
	static uint8_t out[FL_BYTES], in[FL_BYTES], lout[FL_LEGIT_BYTES], lin[FL_LEGIT_BYTES];
	struct fl_net n;
	struct fl_xfer x, lx;
	struct duet_pool_stats ps;
	struct tcp_sock *lp;
	uint64_t rng = 0x5eed5eed5eedull, t0, t_clean, t_flood = 0, legit_t0 = 0, legit_ns = 0;
	uint32_t syns = 0, max_synq = 0, max_conns = 0, limit, synq_at_first_cookie = 0;
	size_t max_in_use = 0, mem_before;
	uint64_t opens0, cookies0, fails0, rexmit0;
	int lfd, i, legit_state = 0;

	fl_pattern(out, sizeof(out), 1);
	fl_pattern(lout, sizeof(lout), 7);
	t_clean = fl_clean_transfer_ns(out, in);
	memset(in, 0, sizeof(in));

	fl_setup(&n, false);
	limit = tcp_knobs_of(n.b)->max_syn_backlog;
	CHECK_EQ(limit, 1024);
	lfd = fl_listen(&n, 80, 1024);
	lp = fl_tp(n.b, lfd);
	memset(&x, 0, sizeof(x));
	memset(&lx, 0, sizeof(lx));
	x.c = fl_connect(&n, "fd00::2", 80);
	x.s = fl_accept_wait(&n, lfd);
	x.out = out;
	x.in = in;
	x.total = FL_BYTES;
	lx.out = lout;
	lx.in = lin;
	lx.total = FL_LEGIT_BYTES;
	duet_pool_stats(duet_stack_pool(n.b), &ps);
	mem_before = ps.mem_bytes;
	opens0 = duet_stack_counter(n.b, DUET_CTR_TCP_PASSIVE_OPENS);
	cookies0 = duet_stack_counter(n.b, DUET_CTR_TCP_SYNCOOKIES_SENT);
	fails0 = duet_stack_counter(n.b, DUET_CTR_TCP_ATTEMPT_FAILS);
	rexmit0 = duet_stack_counter(n.b, DUET_CTR_TCP_RETRANS_SEGS);
	t0 = duet_sim_now(n.sim);
	for (i = 0; i < 200000 && (syns < FL_SYNS || x.got < x.total || legit_state < 3); i++) {
		uint32_t k;
		for (k = 0; k < FL_SYNS_PER_MS && syns < FL_SYNS; k++, syns++)
			fl_spoofed_syn(&n, syns, &rng);
		fl_xfer_step(&n, &x);
		if (legit_state == 1 && (lx.s = duet_accept(n.b, lfd, NULL, NULL)) >= 0) {
			fl_nonblock(n.b, lx.s);
			legit_state = 2;
		}
		if (legit_state == 2) {
			fl_xfer_step(&n, &lx);
			if (lx.got == lx.total) {
				legit_state = 3;
				legit_ns = duet_sim_now(n.sim) - legit_t0;
			}
		}
		duet_sim_run_for(n.sim, SF_MS(1));
		fl_xfer_step(&n, &x);
		if (x.got == x.total && !t_flood)
			t_flood = duet_sim_now(n.sim) - t0;
		if (!legit_state && syns >= FL_SYNS / 2) {
			/* A real client, mid-flood, when the SYN queue is full. */
			lx.c = fl_connect(&n, "10.0.0.2", 80);
			legit_t0 = duet_sim_now(n.sim);
			legit_state = 1;
		}
		/* The SYN queue and B's memory, every millisecond. */
		if (lp->n_synq > max_synq)
			max_synq = lp->n_synq;
		if (tcp_state_of(n.b)->n_conns > max_conns)
			max_conns = tcp_state_of(n.b)->n_conns;
		if (duet_stack_counter(n.b, DUET_CTR_TCP_SYNCOOKIES_SENT) != cookies0 &&
		    !synq_at_first_cookie)
			synq_at_first_cookie = lp->n_synq;
		duet_pool_stats(duet_stack_pool(n.b), &ps);
		if (ps.in_use > max_in_use)
			max_in_use = ps.in_use;
	}
	CHECK_EQ(syns, FL_SYNS);
	CHECK_EQ(x.got, x.total);
	CHECK(memcmp(in, out, x.total) == 0);
	CHECK(t_flood > 0);
	fprintf(stderr,
		"flood: %u SYNs; transfer of %u bytes: clean %.3f s (%.1f Mbit/s), under flood %.3f s "
		"(%.1f Mbit/s, %.0f%%)\n",
		syns, FL_BYTES, (double)t_clean / 1e9, FL_BYTES * 8.0 / ((double)t_clean / 1e9) / 1e6,
		(double)t_flood / 1e9, FL_BYTES * 8.0 / ((double)t_flood / 1e9) / 1e6,
		100.0 * (double)t_clean / (double)(t_flood ? t_flood : 1));
	/* At least half the clean throughput. */
	CHECK(t_flood <= 2 * t_clean);

	/* The SYN queue: full, never beyond its limit; cookies only once full. */
	fprintf(stderr,
		"synq max %u (limit %u) at first cookie %u; connections max %u; cookies sent %llu, "
		"synq full %llu, cookies accepted %llu; pool in use max %zu, slab bytes %zu -> %zu\n",
		max_synq, limit, synq_at_first_cookie, max_conns,
		(unsigned long long)(duet_stack_counter(n.b, DUET_CTR_TCP_SYNCOOKIES_SENT) - cookies0),
		(unsigned long long)duet_stack_counter(n.b, DUET_CTR_TCP_SYNQ_FULL),
		(unsigned long long)duet_stack_counter(n.b, DUET_CTR_TCP_SYNCOOKIES_RECV), max_in_use,
		mem_before, ps.mem_bytes);
	CHECK_EQ(max_synq, limit);
	CHECK_EQ(synq_at_first_cookie, limit);
	CHECK(max_conns <= limit + 2); /* the half-open ones, the transfer, the legitimate client */
	/* Every SYN beyond the queue got a cookie (the legitimate one too). */
	CHECK_EQ(duet_stack_counter(n.b, DUET_CTR_TCP_PASSIVE_OPENS) - opens0, limit + 1);
	CHECK_EQ(duet_stack_counter(n.b, DUET_CTR_TCP_SYNCOOKIES_SENT) - cookies0,
		 FL_SYNS - limit + 1);
	CHECK_EQ(duet_stack_counter(n.b, DUET_CTR_TCP_SYNQ_FULL),
		 duet_stack_counter(n.b, DUET_CTR_TCP_SYNCOOKIES_SENT) - cookies0);
	/* Bounded memory: a few hundred packets at most in flight, slabs of
	 * at most 8 MiB (the pool cap is 64 MiB). */
	CHECK(max_in_use < 512);
	CHECK(ps.mem_bytes <= 8u << 20);

	/* The legitimate client: through by cookie, its data intact. */
	CHECK_EQ(legit_state, 3);
	CHECK_EQ(duet_stack_counter(n.b, DUET_CTR_TCP_SYNCOOKIES_RECV), 1);
	CHECK(memcmp(lin, lout, sizeof(lin)) == 0);
	CHECK(fl_tp(n.b, lx.s)->is_cookie);
	fprintf(stderr, "legitimate client: connected and sent %u bytes in %.1f ms\n",
		FL_LEGIT_BYTES, (double)legit_ns / 1e6);
	CHECK(legit_ns < SF_S(1));

	/* Afterwards: the half-open connections give up after their SYN-ACK
	 * retries (1 + 2 + 4 + 8 + 16 + 32 s with tcp_synack_retries 5). */
	CHECK(lp->n_synq > 0);
	duet_sim_run_for(n.sim, SF_S(70));
	CHECK_EQ(lp->n_synq, 0);
	CHECK_EQ(duet_stack_counter(n.b, DUET_CTR_TCP_ATTEMPT_FAILS) - fails0, limit);
	CHECK(duet_stack_counter(n.b, DUET_CTR_TCP_RETRANS_SEGS) - rexmit0 >=
	      (uint64_t)limit * tcp_knobs_of(n.b)->synack_retries);
	CHECK_EQ(tcp_state_of(n.b)->n_conns, 2);
	CHECK_EQ(fl_tp(n.b, x.s)->state, TCPS_ESTABLISHED);
	CHECK_EQ(fl_tp(n.b, lx.s)->state, TCPS_ESTABLISHED);
	duet_pool_stats(duet_stack_pool(n.b), &ps);
	CHECK_EQ(ps.in_use, 0);
	duet_sim_destroy(n.sim);
}

/* --- blind in-window attacks (RFC 5961) ------------------------------- */

#define BL_EACH (1000u / FL_SCALE)         /* per kind, per connection end */
#define BL_BYTES ((4u << 20) / FL_SCALE)

/* One end of a connection under attack: its stack and descriptor, and how
 * M reaches it. */
struct bl_end {
	struct duet_stack *st;
	int fd;
	int m_if;
	const uint8_t *mac;
};

/* A segment "from the peer" of end e, with the right 4-tuple and the
 * given sequence and acknowledgment numbers. */
static void bl_inject(struct fl_net *n, const struct bl_end *e, uint16_t flags, uint32_t seq,
		      uint32_t ack, uint16_t window, const uint8_t *data, size_t len)
{
	struct tcp_sock *tp = fl_tp(e->st, e->fd);
	struct duet_tcp_hdr h;

	memset(&h, 0, sizeof(h));
	h.src_port = tp->sk.fport;
	h.dst_port = tp->sk.lport;
	h.seq = seq;
	h.ack = ack;
	h.flags = flags;
	h.window = window;
	fl_forge(n, e->m_if, e->mac, tp->sk.faddr, tp->sk.laddr, &h, data, len);
}

/* The blind attacker's i-th guess at end e: a RST (half with ACK), a SYN,
 * 100 bytes of data with ACK, or a bare ACK, with random numbers. */
static void bl_guess(struct fl_net *n, const struct bl_end *e, uint32_t i, uint64_t *rng)
{
	static const uint8_t junk[100] = { [0 ... 99] = 0xee };
	uint64_t r = fl_rand(rng), r2 = fl_rand(rng);
	uint32_t seq = (uint32_t)r, ack = (uint32_t)(r >> 32);

	switch (i % 4) {
	case 0: bl_inject(n, e, (uint16_t)(DUET_TCP_RST | (r2 & 1 ? DUET_TCP_ACK : 0)), seq, ack, 0, NULL, 0); break;
	case 1: bl_inject(n, e, DUET_TCP_SYN, seq, 0, 65535, NULL, 0); break;
	case 2: bl_inject(n, e, DUET_TCP_ACK | DUET_TCP_PSH, seq, ack, (uint16_t)r2, junk, sizeof(junk)); break;
	default: bl_inject(n, e, DUET_TCP_ACK, seq, ack, (uint16_t)r2, NULL, 0); break;
	}
}

/* Not blind: a RST or a SYN in the window of end e but not at RCV.NXT,
 * which RFC 5961 §3.2 / §4.2 answer with a challenge ACK only. */
static void bl_in_window(struct fl_net *n, const struct bl_end *e, bool is_syn, uint64_t *rng)
{
	struct tcp_sock *tp = fl_tp(e->st, e->fd);
	uint32_t wnd = tp->rcv_adv - tp->rcv_nxt;
	uint32_t seq = tp->rcv_nxt + 1 + (uint32_t)(fl_rand(rng) % (wnd > 2 ? wnd - 1 : 1));

	bl_inject(n, e, is_syn ? DUET_TCP_SYN : DUET_TCP_RST, seq, 0, 65535, NULL, 0);
}

struct bl_ctr {
	uint64_t v[DUET_CTR__COUNT];
};

static uint64_t bl_d(const struct bl_ctr *c0, struct duet_stack *s, enum duet_counter id)
{
	return duet_stack_counter(s, id) - c0->v[id];
}

static void bl_xfer_step(struct duet_stack *tx, struct duet_stack *rx, struct fl_xfer *x)
{
	ssize_t r;

	if (x->sent < x->total) {
		r = duet_send(tx, x->c, x->out + x->sent, x->total - x->sent, MSG_DONTWAIT);
		if (r > 0)
			x->sent += (size_t)r;
	}
	while (x->got < x->total &&
	       (r = duet_recv(rx, x->s, x->in + x->got, x->total - x->got, MSG_DONTWAIT)) > 0)
		x->got += (size_t)r;
}

/* T-2 (RFC 5961), S-1: two transfers run, 4 MB from A to B over IPv6 and
 * 4 MB from B to A over IPv4, while M, off the path, injects at both ends
 * of both connections segments with the right 4-tuple and guessed
 * sequence numbers: 1,000 each of RSTs, SYNs, data segments and bare ACKs
 * per end (16,000 in all), plus every 20 ms a RST and a SYN placed inside
 * the window but not at RCV.NXT. No connection is reset or stalled, the
 * data arrives byte for byte, nobody sends a reset; the counters show the
 * out-of-window RSTs ignored (§3.2), the other guesses dropped as out of
 * window (each answered with an ACK), and the in-window RSTs and SYNs
 * answered with challenge ACKs within the rate limit (§3.2, §4.2, §7);
 * the ACKs the victims send back make the senders retransmit nothing
 * (RFC 6675 §2's duplicate ACKs carry new SACK information). */
TEST(tcp_blind_injection_rfc5961)
{
	static uint8_t out1[BL_BYTES], in1[BL_BYTES], out2[BL_BYTES], in2[BL_BYTES];
	struct fl_net n;
	struct fl_xfer x1, x2;
	struct bl_end ends[4];
	struct bl_ctr ca, cb;
	uint64_t rng = 0xb11dull, t0, secs;
	uint32_t guesses = 0, targeted = 0, e;
	int l6, l4, i;

	fl_pattern(out1, sizeof(out1), 3);
	fl_pattern(out2, sizeof(out2), 5);
	fl_setup(&n, true);
	memset(&x1, 0, sizeof(x1));
	memset(&x2, 0, sizeof(x2));
	l6 = fl_listen(&n, 80, 16);
	x1.c = fl_connect(&n, "fd00::2", 80);
	x1.s = fl_accept_wait(&n, l6);
	/* The IPv4 one the other way: A listens, B connects. */
	l4 = duet_socket(n.a, AF_INET, SOCK_STREAM, 0);
	CHECK_EQ(sk_bind(n.a, l4, "0.0.0.0", 81), 0);
	CHECK_EQ(duet_listen(n.a, l4, 16), 0);
	fl_nonblock(n.a, l4);
	x2.c = duet_socket(n.b, AF_INET, SOCK_STREAM, 0);
	fl_nonblock(n.b, x2.c);
	CHECK_EQ(sk_connect(n.b, x2.c, "10.0.0.1", 81), -1);
	for (i = 0; i < 200 && (x2.s = duet_accept(n.a, l4, NULL, NULL)) < 0; i++)
		duet_sim_run_for(n.sim, SF_MS(1));
	CHECK(x2.s >= 3);
	fl_nonblock(n.a, x2.s);
	x1.out = out1, x1.in = in1, x1.total = BL_BYTES;
	x2.out = out2, x2.in = in2, x2.total = BL_BYTES;
	ends[0] = (struct bl_end){ n.a, x1.c, n.im2, sf_mac(n.a, (uint32_t)n.ia2) };
	ends[1] = (struct bl_end){ n.b, x1.s, n.im, sf_mac(n.b, (uint32_t)n.ib2) };
	ends[2] = (struct bl_end){ n.b, x2.c, n.im, sf_mac(n.b, (uint32_t)n.ib2) };
	ends[3] = (struct bl_end){ n.a, x2.s, n.im2, sf_mac(n.a, (uint32_t)n.ia2) };
	duet_stack_counters(n.a, ca.v);
	duet_stack_counters(n.b, cb.v);
	t0 = duet_sim_now(n.sim);
	for (i = 0; i < 100000 && (x1.got < x1.total || x2.got < x2.total || guesses < 4 * 4 * BL_EACH);
	     i++) {
		uint32_t k;
		for (k = 0; k < 16 && guesses < 4 * 4 * BL_EACH; k++, guesses++)
			bl_guess(&n, &ends[guesses % 4], guesses / 4, &rng);
		if (i % 20 == 10 && x1.got < x1.total && x2.got < x2.total)
			for (e = 0; e < 4; e++, targeted++) {
				bl_in_window(&n, &ends[e], false, &rng);
				bl_in_window(&n, &ends[e], true, &rng);
			}
		bl_xfer_step(n.a, n.b, &x1);
		bl_xfer_step(n.b, n.a, &x2);
		duet_sim_run_for(n.sim, SF_MS(1));
		bl_xfer_step(n.a, n.b, &x1);
		bl_xfer_step(n.b, n.a, &x2);
	}
	secs = (duet_sim_now(n.sim) - t0) / DUET_NS_PER_S + 1;
	fprintf(stderr,
		"blind: %u guesses, %u in-window RST+SYN pairs, %.3f s; A: rst ignored %llu, out of "
		"window %llu, challenge %llu (+%llu limited), bad ack %llu; B: rst ignored %llu, out "
		"of window %llu, challenge %llu (+%llu limited), bad ack %llu\n",
		guesses, targeted, (double)(duet_sim_now(n.sim) - t0) / 1e9,
		(unsigned long long)bl_d(&ca, n.a, DUET_CTR_TCP_RST_IGNORED),
		(unsigned long long)bl_d(&ca, n.a, DUET_CTR_DROP_TCP_OUT_OF_WINDOW),
		(unsigned long long)bl_d(&ca, n.a, DUET_CTR_TCP_CHALLENGE_ACKS),
		(unsigned long long)bl_d(&ca, n.a, DUET_CTR_TCP_CHALLENGE_LIMITED),
		(unsigned long long)bl_d(&ca, n.a, DUET_CTR_DROP_TCP_BAD_ACK),
		(unsigned long long)bl_d(&cb, n.b, DUET_CTR_TCP_RST_IGNORED),
		(unsigned long long)bl_d(&cb, n.b, DUET_CTR_DROP_TCP_OUT_OF_WINDOW),
		(unsigned long long)bl_d(&cb, n.b, DUET_CTR_TCP_CHALLENGE_ACKS),
		(unsigned long long)bl_d(&cb, n.b, DUET_CTR_TCP_CHALLENGE_LIMITED),
		(unsigned long long)bl_d(&cb, n.b, DUET_CTR_DROP_TCP_BAD_ACK));
	fprintf(stderr, "blind: fast retransmits A %llu, B %llu; retransmitted segments A %llu, B %llu\n",
		(unsigned long long)bl_d(&ca, n.a, DUET_CTR_TCP_FAST_RETRANS),
		(unsigned long long)bl_d(&cb, n.b, DUET_CTR_TCP_FAST_RETRANS),
		(unsigned long long)bl_d(&ca, n.a, DUET_CTR_TCP_RETRANS_SEGS),
		(unsigned long long)bl_d(&cb, n.b, DUET_CTR_TCP_RETRANS_SEGS));
	CHECK_EQ(x1.got, x1.total);
	CHECK_EQ(x2.got, x2.total);
	CHECK(memcmp(in1, out1, sizeof(in1)) == 0);
	CHECK(memcmp(in2, out2, sizeof(in2)) == 0);
	CHECK(targeted >= 8);
	for (e = 0; e < 4; e++)
		CHECK_EQ(fl_tp(ends[e].st, ends[e].fd)->state, TCPS_ESTABLISHED);
	CHECK_EQ(bl_d(&ca, n.a, DUET_CTR_TCP_ESTAB_RESETS), 0);
	CHECK_EQ(bl_d(&cb, n.b, DUET_CTR_TCP_ESTAB_RESETS), 0);
	CHECK_EQ(bl_d(&ca, n.a, DUET_CTR_TCP_OUT_RSTS), 0);
	CHECK_EQ(bl_d(&cb, n.b, DUET_CTR_TCP_OUT_RSTS), 0);
	/* Every guess reached TCP, at each stack half of them. */
	CHECK(bl_d(&ca, n.a, DUET_CTR_TCP_IN_SEGS) >= 2 * 4 * BL_EACH);
	CHECK(bl_d(&cb, n.b, DUET_CTR_TCP_IN_SEGS) >= 2 * 4 * BL_EACH);
	/* Random RSTs fall outside the window (a 1 MiB window is 1/4096 of
	 * the sequence space): ignored. The SYNs, data and ACKs the same:
	 * dropped, each answered with an ACK. */
	CHECK(bl_d(&ca, n.a, DUET_CTR_TCP_RST_IGNORED) >= 2 * BL_EACH * 99 / 100);
	CHECK(bl_d(&cb, n.b, DUET_CTR_TCP_RST_IGNORED) >= 2 * BL_EACH * 99 / 100);
	CHECK(bl_d(&ca, n.a, DUET_CTR_DROP_TCP_OUT_OF_WINDOW) >= 3 * 2 * BL_EACH * 99 / 100);
	CHECK(bl_d(&cb, n.b, DUET_CTR_DROP_TCP_OUT_OF_WINDOW) >= 3 * 2 * BL_EACH * 99 / 100);
	/* In-window RSTs and SYNs: a challenge ACK each (or its rate limit). */
	CHECK(bl_d(&ca, n.a, DUET_CTR_TCP_CHALLENGE_ACKS) +
		      bl_d(&ca, n.a, DUET_CTR_TCP_CHALLENGE_LIMITED) >= targeted);
	CHECK(bl_d(&cb, n.b, DUET_CTR_TCP_CHALLENGE_ACKS) +
		      bl_d(&cb, n.b, DUET_CTR_TCP_CHALLENGE_LIMITED) >= targeted);
	/* The ACKs answering the spoofed segments repeat the cumulative ACK
	 * without new SACK information: with SACK they are no duplicate
	 * ACKs (RFC 6675 §2) and start no recovery. Unattacked, these
	 * transfers fast-retransmit 3 times each (the rate queue's drops). */
	CHECK(bl_d(&ca, n.a, DUET_CTR_TCP_FAST_RETRANS) <= 10);
	CHECK(bl_d(&cb, n.b, DUET_CTR_TCP_FAST_RETRANS) <= 10);
	CHECK(bl_d(&ca, n.a, DUET_CTR_TCP_CHALLENGE_ACKS) <=
	      secs * tcp_knobs_of(n.a)->challenge_ack_limit);
	CHECK(bl_d(&cb, n.b, DUET_CTR_TCP_CHALLENGE_ACKS) <=
	      secs * tcp_knobs_of(n.b)->challenge_ack_limit);
	duet_sim_destroy(n.sim);
}

/* One run of the challenge ACK side channel: A's connection V to B and
 * M's own connection W to B; within one second M sends 1,500 in-window
 * SYNs on W and, when is_hit, 500 spoofed in-window SYNs at V (guesses
 * that hit). Returns how many segments M receives on W from B: its
 * challenge ACKs. */
static uint64_t bl_side_channel_run(bool is_hit)
{
	struct fl_net n;
	struct bl_end v, w;
	uint64_t rng = 0x51de, before, t;
	int lfd, vc, vs, wc, ws, i;

	fl_setup(&n, false);
	lfd = fl_listen(&n, 80, 16);
	vc = fl_connect(&n, "fd00::2", 80);
	vs = fl_accept_wait(&n, lfd);
	wc = duet_socket(n.m, AF_INET, SOCK_STREAM, 0);
	fl_nonblock(n.m, wc);
	CHECK_EQ(sk_connect(n.m, wc, "198.51.100.2", 80), -1);
	ws = fl_accept_wait(&n, lfd);
	CHECK(vc >= 3 && wc >= 3);
	v = (struct bl_end){ n.b, vs, n.im, sf_mac(n.b, (uint32_t)n.ib2) };
	w = (struct bl_end){ n.b, ws, n.im, sf_mac(n.b, (uint32_t)n.ib2) };
	/* Start on a second boundary: the stack-wide budget is per second. */
	t = duet_sim_now(n.sim);
	duet_sim_run_for(n.sim, SF_S(1) - t % SF_S(1) + SF_MS(1));
	before = duet_stack_counter(n.m, DUET_CTR_TCP_IN_SEGS);
	for (i = 0; i < 500; i++) {
		int k;
		for (k = 0; k < 3; k++)
			bl_in_window(&n, &w, true, &rng);
		if (is_hit)
			bl_in_window(&n, &v, true, &rng);
		duet_sim_run_for(n.sim, SF_MS(1));
	}
	duet_sim_run_for(n.sim, SF_MS(100));
	CHECK_EQ(fl_tp(n.b, vs)->state, TCPS_ESTABLISHED);
	CHECK_EQ(fl_tp(n.b, ws)->state, TCPS_ESTABLISHED);
	before = duet_stack_counter(n.m, DUET_CTR_TCP_IN_SEGS) - before;
	duet_sim_destroy(n.sim);
	return before;
}

/* T-2 (RFC 5961 §7, CVE-2016-5696): the challenge ACKs an attacker gets
 * on its own connection do not depend on whether its spoofed segments at
 * another connection landed in that one's window: the rate limit is per
 * connection before it is stack-wide, so exhausting it on one connection
 * tells nothing about the others. */
TEST(tcp_challenge_ack_no_side_channel)
{
	uint64_t miss = bl_side_channel_run(false), hit = bl_side_channel_run(true);

	fprintf(stderr, "challenge ACKs on the attacker's connection: %llu without hits, %llu with\n",
		(unsigned long long)miss, (unsigned long long)hit);
	CHECK(miss > 0);
	CHECK_EQ(hit, miss);
}
