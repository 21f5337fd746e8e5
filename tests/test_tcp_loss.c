/* duet tests — TCP bulk transfers over impaired simulated links (T-2,
 * S-1): loss from 0.1 % to 20 %, reordering, duplication, corruption,
 * delay and a rate-limited bottleneck, the same impairment in both
 * directions (data and ACKs), over IPv6 and IPv4 (an AF_INET6 dual-stack
 * listener accepting AF_INET clients too), CUBIC and NewReno, with and
 * without SACK. Every transfer is checked byte for byte against a
 * generated pattern and by a hash of each side's stream, and must finish
 * within a simulated time computed from the link (a PFTK-style throughput
 * model, see lt_bound_ns). Each case prints one line of figures: sim
 * time, goodput, the sender's tcpi_total_retrans and stack counters.
 *
 * Beyond the bulk cases: a reader that stops into a zero window (persist
 * probes, for longer than tcp_retries2 too, then the window reopening)
 * and both ends sending at once. After every transfer lt_check_invariants
 * asserts what must hold whatever the link does (no segment beyond the
 * MTU, no data beyond the receive buffer, no connection given up).
 *
 * Everything runs on the simulation's virtual clock with fixed seeds, so
 * the figures are the same on every run (LT_SEED=n explores others,
 * LT_ONLY=name runs some cases, LT_COUNTERS=1 dumps all counters). */
#include "sim_fixture.h"

#include "transport/tcp.h"
#include "transport/tcp_internal.h"

#include <duet/socket.h>
#include <duet/stack.h>

#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>

/* Under AddressSanitizer (the build-asan tree runs this same binary) the
 * bulk transfers are scaled down (LT_SCALE: 100 MB becomes 25 MB) so the
 * whole program stays well within a few minutes; the impairments, the
 * zero-window cases (which need their 4 MB to fill the buffer) and the way
 * bounds are computed stay the same. Detected as include/duet/pkt.h does. */
#if defined(__SANITIZE_ADDRESS__)
#define LT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LT_ASAN 1
#endif
#endif
#ifdef LT_ASAN
#define LT_SCALE 4u
#else
#define LT_SCALE 1u
#endif

#define LT_MB (1000u * 1000u)
#define LT_CHUNK (64u * 1024u)
#define LT_STEP_NS SF_MS(1)

/* ---- the pattern and the hash ------------------------------------------ */

static uint64_t lt_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* The stream's bytes [off, off + n): byte o is byte o % 8 of mix(seed ^ o / 8). */
static void lt_pattern(uint64_t seed, uint64_t off, uint8_t *p, uint32_t n)
{
	uint64_t w = lt_mix(seed ^ (off >> 3));
	uint32_t i;

	for (i = 0; i < n; i++, off++) {
		if (!(off & 7u))
			w = lt_mix(seed ^ (off >> 3));
		p[i] = (uint8_t)(w >> ((off & 7u) * 8u));
	}
}

/* FNV-1a, 64 bits. */
static uint64_t lt_hash(uint64_t h, const uint8_t *p, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* ---- two stacks on an impaired cable ------------------------------------ */

struct lt_net {
	struct duet_sim *sim;
	struct duet_stack *a, *b;
	int if_a, if_b;
	int lfd, sfd;                /* B's listener, and the connection it accepted (-1: not yet) */
};

/* The same impairment for a link direction: ppm values, delays in ms, a
 * rate in Mbit/s (0: unlimited) with a queue of queue frames. */
struct lt_imp {
	uint32_t loss, dup, reorder, corrupt;  /* ppm */
	uint32_t delay_ms, jitter_ms;
	uint32_t rate_mbps, queue;
};

static void lt_params(const struct lt_imp *m, struct duet_impair_params *p)
{
	duet_impair_params_init(p);
	p->loss_ppm = m->loss;
	p->dup_ppm = m->dup;
	p->reorder_ppm = m->reorder;
	p->reorder_delay_ns = m->reorder ? SF_MS(5) : 0;
	p->corrupt_ppm = m->corrupt;
	p->delay_ns = SF_MS(m->delay_ms);
	p->jitter_ns = SF_MS(m->jitter_ms);
	p->rate_bps = (uint64_t)m->rate_mbps * 1000000u;
	p->rate_queue_frames = m->queue ? m->queue : 64;
	p->capacity_frames = 8192;
	CHECK_EQ(duet_impair_params_validate(p), 0);
}

/* A: 10.0.0.1/24, fd00::1/64; B: 10.0.0.2/24, fd00::2/64; the cable
 * impaired by m in both directions; SACK on or off on both stacks. */
static void lt_setup(struct lt_net *x, uint64_t seed, const struct lt_imp *m, bool is_sack)
{
	uint8_t a6[16], b6[16], a4[4] = { 10, 0, 0, 1 }, b4[4] = { 10, 0, 0, 2 };
	struct duet_impair_params ab, ba;
	struct duet_sim_link_opts o;

	memset(x, 0, sizeof(*x));
	lt_params(m, &ab);
	lt_params(m, &ba);
	memset(&o, 0, sizeof(o));
	o.a_to_b = &ab;
	o.b_to_a = &ba;
	CHECK_EQ(duet_sim_create(seed, 0, &x->sim), 0);
	x->a = sf_add_stack(x->sim, "A", NULL, true);
	x->b = sf_add_stack(x->sim, "B", NULL, true);
	CHECK_EQ(duet_sim_connect(x->sim, x->a, x->b, &o, &x->if_a, &x->if_b), 0);
	sf_a6("fd00::1", a6);
	sf_a6("fd00::2", b6);
	CHECK_EQ(duet_if_addr_add(x->a, (uint32_t)x->if_a, AF_INET6, a6, 64, DUET_IFA_F_NODAD), 0);
	CHECK_EQ(duet_if_addr_add(x->b, (uint32_t)x->if_b, AF_INET6, b6, 64, DUET_IFA_F_NODAD), 0);
	CHECK_EQ(duet_if_addr_add(x->a, (uint32_t)x->if_a, AF_INET, a4, 24, 0), 0);
	CHECK_EQ(duet_if_addr_add(x->b, (uint32_t)x->if_b, AF_INET, b4, 24, 0), 0);
	tcp_knobs_of(x->a)->sack = is_sack;
	tcp_knobs_of(x->b)->sack = is_sack;
	duet_sim_run_for(x->sim, SF_MS(10));
}

static int lt_setcc(struct duet_stack *st, int fd, const char *cc)
{
	return duet_setsockopt(st, fd, IPPROTO_TCP, TCP_CONGESTION, cc, (socklen_t)strlen(cc));
}

/* A connection from A (family fam) to B's dual-stack listener on [::]:port
 * (x->lfd), both with congestion control cc; the handshake may need SYN
 * retransmissions on a lossy link. Returns A's descriptor once A is
 * established; B accepts (x->sfd) when the handshake's last ACK, or data
 * carrying it, arrives, which lt_pump waits for (as an application, A
 * sends at once: the ACK alone may be lost until B gives up). */
static int lt_connect(struct lt_net *x, int fam, uint16_t port, const char *cc)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int lfd = duet_socket(x->b, AF_INET6, SOCK_STREAM, 0), v = 0, c;
	uint64_t t0 = duet_sim_now(x->sim);

	CHECK(lfd >= 3);
	CHECK_EQ(duet_setsockopt(x->b, lfd, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof(v)), 0);
	memset(&ss, 0, sizeof(ss));
	{
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		CHECK_EQ(duet_bind(x->b, lfd, (struct sockaddr *)a, sizeof(*a)), 0);
	}
	CHECK_EQ(lt_setcc(x->b, lfd, cc), 0);
	CHECK_EQ(duet_listen(x->b, lfd, 8), 0);
	c = duet_socket(x->a, fam, SOCK_STREAM, 0);
	CHECK(c >= 3);
	CHECK_EQ(lt_setcc(x->a, c, cc), 0);
	memset(&ss, 0, sizeof(ss));
	if (fam == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		sf_a6("fd00::2", a->sin6_addr.s6_addr);
		sl = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		a->sin_addr.s_addr = htonl(0x0a000002u);
		sl = sizeof(*a);
	}
	CHECK_EQ(duet_connect(x->a, c, (struct sockaddr *)&ss, sl), -1);
	CHECK_EQ(errno, EINPROGRESS);
	x->lfd = lfd;
	x->sfd = -1;
	/* Up to two minutes: SYN retransmissions back off from 1 s. */
	while (duet_sim_now(x->sim) - t0 < SF_S(120)) {
		struct tcp_info ti;
		socklen_t len = sizeof(ti);
		duet_sim_run_for(x->sim, SF_MS(10));
		CHECK_EQ(duet_getsockopt(x->a, c, IPPROTO_TCP, TCP_INFO, &ti, &len), 0);
		if (ti.tcpi_state == TCP_ESTABLISHED)
			return c;
	}
	CHECK(!"A's connect completes");
	return -1;
}

/* ---- one direction of a transfer ----------------------------------------- */

struct lt_flow {
	struct duet_stack *tx, *rx;
	int tx_fd, rx_fd;
	uint64_t seed, total, sent, got;
	uint64_t h_tx, h_rx;
	bool is_shut, is_eof, is_bad, is_paused;
	uint64_t bad_off, done_ns;
	uint64_t pause_at;           /* the reader stops once it has this many bytes (0: never) */
	uint64_t pause_ns;           /* ... for this long */
	uint64_t paused_since, resumed_ns;
	uint64_t paused_got, paused_sent; /* at the end of the pause */
	uint64_t fresh_ns;           /* when data sent after the pause first arrived */
	uint64_t fresh64_ns;         /* ... and when 64 KiB of it had */
	int tx_err, rx_err;
	uint8_t pend[LT_CHUNK];      /* generated, not yet taken by send() */
	uint32_t pend_pos, pend_len;
	uint8_t in[LT_CHUNK], want[LT_CHUNK];
};

static void lt_flow_init(struct lt_flow *f, struct duet_stack *tx, int tx_fd,
			 struct duet_stack *rx, int rx_fd, uint64_t total, uint64_t seed)
{
	memset(f, 0, sizeof(*f));
	f->tx = tx, f->tx_fd = tx_fd, f->rx = rx, f->rx_fd = rx_fd;
	f->total = total;
	f->seed = seed;
	f->h_tx = f->h_rx = 0xcbf29ce484222325ull;
}

/* Hands the sender what its buffer takes; SHUT_WR after the last byte. */
static void lt_flow_send(struct lt_flow *f)
{
	while (f->tx_fd >= 0 && f->sent < f->total && !f->tx_err) {
		ssize_t n;
		if (f->pend_pos == f->pend_len) {
			uint64_t left = f->total - f->sent;
			f->pend_len = left < LT_CHUNK ? (uint32_t)left : LT_CHUNK;
			f->pend_pos = 0;
			lt_pattern(f->seed, f->sent, f->pend, f->pend_len);
		}
		n = duet_send(f->tx, f->tx_fd, f->pend + f->pend_pos, f->pend_len - f->pend_pos,
			      MSG_DONTWAIT);
		if (n < 0) {
			if (errno != EAGAIN)
				f->tx_err = errno;
			return;
		}
		f->h_tx = lt_hash(f->h_tx, f->pend + f->pend_pos, (uint32_t)n);
		f->pend_pos += (uint32_t)n;
		f->sent += (uint64_t)n;
	}
	if (f->tx_fd >= 0 && f->sent == f->total && !f->is_shut) {
		f->is_shut = true;
		CHECK_EQ(duet_shutdown(f->tx, f->tx_fd, SHUT_WR), 0);
	}
}

/* Reads what has arrived, checking it against the pattern. */
static void lt_flow_pause(struct lt_flow *f, uint64_t now);

static void lt_flow_recv(struct lt_flow *f, uint64_t now)
{
	for (;;) {
		ssize_t n;
		lt_flow_pause(f, now);
		if (f->rx_fd < 0 || f->is_paused || f->is_eof || f->rx_err)
			return;
		n = duet_recv(f->rx, f->rx_fd, f->in, sizeof(f->in), MSG_DONTWAIT);
		if (n == 0) {
			f->is_eof = true;
			f->done_ns = now;
			return;
		}
		if (n < 0) {
			if (errno != EAGAIN)
				f->rx_err = errno;
			return;
		}
		if (f->got + (uint64_t)n > f->total) {
			f->is_bad = true; /* more than was sent */
			f->bad_off = f->got;
			n = (ssize_t)(f->total - f->got);
		}
		lt_pattern(f->seed, f->got, f->want, (uint32_t)n);
		if (!f->is_bad && memcmp(f->in, f->want, (size_t)n) != 0) {
			uint32_t i = 0;
			while (f->in[i] == f->want[i])
				i++;
			f->is_bad = true;
			f->bad_off = f->got + i;
		}
		f->h_rx = lt_hash(f->h_rx, f->in, (uint32_t)n);
		f->got += (uint64_t)n;
		/* Beyond what the full buffer (1 MiB) held when the reader
		 * resumed: sent after the window reopened. */
		if (f->resumed_ns && !f->fresh_ns && f->got > f->paused_got + (1u << 20))
			f->fresh_ns = now;
		if (f->resumed_ns && !f->fresh64_ns && f->got > f->paused_got + (1u << 20) + LT_CHUNK)
			f->fresh64_ns = now;
	}
}

static bool lt_flow_done(const struct lt_flow *f)
{
	return f->is_eof || f->tx_err || f->rx_err;
}

/* The reader's pause: it begins once pause_at bytes are in, ends pause_ns later. */
static void lt_flow_pause(struct lt_flow *f, uint64_t now)
{
	if (f->pause_at && !f->is_paused && !f->paused_since && f->got >= f->pause_at) {
		f->is_paused = true;
		f->paused_since = now;
	}
	if (f->is_paused && now - f->paused_since >= f->pause_ns) {
		f->is_paused = false;
		f->resumed_ns = now;
		f->paused_got = f->got;
		f->paused_sent = f->sent;
	}
}

/* B's side of the connection, once accepted: its flows get the descriptor. */
static void lt_accept(struct lt_net *x, struct lt_flow *const *f, size_t n)
{
	size_t i;

	if (x->sfd >= 0)
		return;
	x->sfd = duet_accept(x->b, x->lfd, NULL, NULL);
	if (x->sfd < 0)
		return;
	for (i = 0; i < n; i++) {
		if (f[i]->rx == x->b)
			f[i]->rx_fd = x->sfd;
		if (f[i]->tx == x->b)
			f[i]->tx_fd = x->sfd;
	}
}

/* Moves the flows until all are done or bound_ns of simulated time passed
 * since t0: the senders fill their buffers, the clock steps 1 ms, the
 * readers drain theirs. */
static void lt_pump(struct lt_net *x, struct lt_flow *const *f, size_t n, uint64_t t0,
		    uint64_t bound_ns)
{
	for (;;) {
		size_t i, done = 0;
		uint64_t now;
		for (i = 0; i < n; i++)
			done += lt_flow_done(f[i]);
		if (done == n || duet_sim_now(x->sim) - t0 >= bound_ns)
			return;
		lt_accept(x, f, n);
		for (i = 0; i < n; i++)
			lt_flow_send(f[i]);
		duet_sim_run_for(x->sim, LT_STEP_NS);
		now = duet_sim_now(x->sim);
		for (i = 0; i < n; i++)
			lt_flow_recv(f[i], now);
	}
}

static void lt_flow_check(const struct lt_flow *f, const char *name)
{
	if (f->is_bad)
		fprintf(stderr, "  %s: data differs at offset %llu\n", name,
			(unsigned long long)f->bad_off);
	if (f->tx_err || f->rx_err)
		fprintf(stderr, "  %s: send errno %d, recv errno %d\n", name, f->tx_err, f->rx_err);
	CHECK_EQ(f->tx_err, 0);
	CHECK_EQ(f->rx_err, 0);
	CHECK(!f->is_bad);
	CHECK(f->is_eof);
	CHECK_EQ(f->sent, f->total);
	CHECK_EQ(f->got, f->total);
	CHECK(f->h_tx == f->h_rx);
}

/* ---- the time bound --------------------------------------------------------- */

static double lt_sqrt(double x)
{
	double y = x > 1 ? x : 1;
	int i;

	if (x <= 0)
		return 0;
	for (i = 0; i < 100; i++)
		y = 0.5 * (y + x / y);
	return y;
}

/* A generous bound on the simulated time to move bytes over m, ns: the
 * rate the slowest of four limits allows — the link rate, one receive
 * buffer (1 MiB) per round trip, the loss model of Padhye et al.
 * (SIGCOMM 1998: RTT sqrt(2bp/3) + RTO min(1, 3 sqrt(3bp/8)) p (1 + 32p^2)
 * seconds per segment, b = 2 with delayed ACKs) with p the chance a data
 * segment or its ACK is spoiled (lost or corrupted) plus the chance it is
 * reordered (each reordering is a spurious fast retransmit: the duplicate
 * threshold is fixed at 3, there is no RACK or DSACK undo) and RTO at its
 * 200 ms floor plus the RTT, and under jitter about three segments per
 * jitter interval (segments sent closer than that are reordered, which
 * halves the window until they are not) — taken four times over, plus
 * 20 s for the handshake and the first timeouts. */
static uint64_t lt_bound_ns(const struct lt_imp *m, uint64_t bytes)
{
	double mss = 1400, rtt = (2.0 * m->delay_ms + m->jitter_ms) / 1000 + 0.001;
	double keep = (1 - m->loss / 1e6) * (1 - m->corrupt / 1e6);
	double p = 1 - keep * (0.5 + 0.5 * keep) + m->reorder / 1e6, rto = 0.2 + rtt, b = 2;
	double rate = (1 << 20) / rtt, t;

	if (m->rate_mbps && m->rate_mbps * 1e6 / 8 < rate)
		rate = m->rate_mbps * 1e6 / 8 * 0.9;
	if (m->jitter_ms && 3 * mss / (m->jitter_ms / 1000.0) < rate)
		rate = 3 * mss / (m->jitter_ms / 1000.0);
	if (m->reorder)
		rto += 0.005; /* the reorder hold lengthens some round trips */
	if (p > 0) {
		double q = 3 * lt_sqrt(3 * b * p / 8);
		double spp = rtt * lt_sqrt(2 * b * p / 3) + rto * (q < 1 ? q : 1) * p * (1 + 32 * p * p);
		if (mss / spp < rate)
			rate = mss / spp;
	}
	t = 4.0 * (double)bytes / rate + 20;
	return (uint64_t)(t * 1e9);
}

/* ---- a case ----------------------------------------------------------------- */

struct lt_case {
	const char *name;
	int fam;                 /* the client's: AF_INET6 or AF_INET (v4-mapped at B) */
	const char *cc;
	bool is_sack;
	uint64_t bytes;          /* before LT_SCALE */
	struct lt_imp m;
	uint64_t seed;
};

/* One line of figures for the flow tx -> rx (the link counters are those
 * of tx's end: its direction). */
static void lt_print(const char *name, struct duet_stack *tx, int tx_fd, uint32_t tx_if,
		     struct duet_stack *rx, uint64_t bytes, uint64_t t_ns, uint64_t bound_ns)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	double s = (double)t_ns / 1e9;
	const struct duet_link *l = duet_stack_iface_link(tx, tx_if);

	memset(&ti, 0, sizeof(ti));
	CHECK_EQ(duet_getsockopt(tx, tx_fd, IPPROTO_TCP, TCP_INFO, &ti, &len), 0);
	fprintf(stderr,
		"%-30s %6.2f MB %8.3f s (bound %5.0f s) %7.2f Mbit/s | total_retrans %5u "
		"RETRANS_SEGS %5llu TIMEOUTS %4llu FAST_RETRANS %4llu ZERO_WINDOW_PROBES %3llu | rx "
		"OOO_QUEUED %5llu OOO_FULL %4llu BAD_CSUM %4llu | link lost %4llu corrupt %4llu "
		"dup %4llu reord %4llu ratedrop %4llu | sack %d\n",
		name, (double)bytes / LT_MB, s, (double)bound_ns / 1e9,
		s > 0 ? (double)bytes * 8 / s / 1e6 : 0.0, ti.tcpi_total_retrans,
		(unsigned long long)duet_stack_counter(tx, DUET_CTR_TCP_RETRANS_SEGS),
		(unsigned long long)duet_stack_counter(tx, DUET_CTR_TCP_TIMEOUTS),
		(unsigned long long)duet_stack_counter(tx, DUET_CTR_TCP_FAST_RETRANS),
		(unsigned long long)duet_stack_counter(tx, DUET_CTR_TCP_ZERO_WINDOW_PROBES),
		(unsigned long long)duet_stack_counter(rx, DUET_CTR_TCP_OOO_QUEUED),
		(unsigned long long)duet_stack_counter(rx, DUET_CTR_DROP_TCP_OOO_FULL),
		(unsigned long long)duet_stack_counter(rx, DUET_CTR_DROP_TCP_BAD_CHECKSUM),
		(unsigned long long)l->stats.imp_lost, (unsigned long long)l->stats.imp_corrupted,
		(unsigned long long)l->stats.imp_duplicated, (unsigned long long)l->stats.imp_reordered,
		(unsigned long long)l->stats.imp_rate_drops, (ti.tcpi_options & 2) != 0);
}

/* How a case moves its data beyond one bulk transfer A -> B. */
struct lt_mode {
	bool is_bidir;           /* B sends as many bytes back at the same time */
	uint64_t pause_at;       /* B stops reading after this many bytes (0: never) ... */
	uint64_t pause_ns;       /* ... for this long */
};

static bool lt_is_clean(const struct lt_imp *m)
{
	return !m->loss && !m->dup && !m->reorder && !m->corrupt && !m->jitter_ms && !m->rate_mbps;
}

static void lt_check_cc(struct duet_stack *st, int fd, const char *want)
{
	char cc[16];
	socklen_t cl = sizeof(cc);

	memset(cc, 0, sizeof(cc));
	CHECK_EQ(duet_getsockopt(st, fd, IPPROTO_TCP, TCP_CONGESTION, cc, &cl), 0);
	CHECK_STR(cc, want);
}

/* LT_COUNTERS=1: every counter either stack has (debugging). */
static void lt_dump_counters(const struct lt_net *x)
{
	uint64_t ca[DUET_CTR__COUNT], cb[DUET_CTR__COUNT];
	int k;

	if (!getenv("LT_COUNTERS"))
		return;
	duet_stack_counters(x->a, ca);
	duet_stack_counters(x->b, cb);
	for (k = 0; k < DUET_CTR__COUNT; k++)
		if (ca[k] || cb[k])
			fprintf(stderr, "  %-28s A %10llu B %10llu\n",
				duet_counter_name((enum duet_counter)k), (unsigned long long)ca[k],
				(unsigned long long)cb[k]);
}

/* What holds after every transfer, whatever the link did. */
static void lt_check_invariants(const struct lt_net *x, const struct lt_case *c)
{
	int i;

	if (lt_is_clean(&c->m)) {
		/* Nothing lost: nothing resent, by either end. */
		CHECK_EQ(duet_stack_counter(x->a, DUET_CTR_TCP_RETRANS_SEGS), 0);
		CHECK_EQ(duet_stack_counter(x->b, DUET_CTR_TCP_RETRANS_SEGS), 0);
		CHECK_EQ(duet_stack_counter(x->a, DUET_CTR_TCP_TIMEOUTS), 0);
	}
	for (i = 0; i < 2; i++) {
		struct duet_stack *st = i ? x->b : x->a;
		/* Segments fit the MTU, SACK blocks and all. */
		CHECK_EQ(duet_stack_counter(st, DUET_CTR_DROP_IP6_OUT_TOO_BIG), 0);
		CHECK_EQ(duet_stack_counter(st, DUET_CTR_DROP_IP4_DONTFRAG), 0);
		/* A receiver offers no window it cannot hold, and keeps every
		 * out-of-order segment inside it. */
		CHECK_EQ(duet_stack_counter(st, DUET_CTR_DROP_TCP_RCVBUF), 0);
		CHECK_EQ(duet_stack_counter(st, DUET_CTR_DROP_TCP_OOO_FULL), 0);
		/* No connection gave up, none was reset. */
		CHECK_EQ(duet_stack_counter(st, DUET_CTR_TCP_ABORT_TIMEOUT), 0);
		CHECK_EQ(duet_stack_counter(st, DUET_CTR_TCP_ESTAB_RESETS), 0);
	}
	if (c->is_sack && c->m.reorder && !c->m.loss && !c->m.corrupt && !c->m.rate_mbps) {
		/* Nothing lost: with SACK each resent segment needs a segment
		 * of A's held back (a spurious fast retransmit), no more. */
		const struct duet_link *l = duet_stack_iface_link(x->a, (uint32_t)x->if_a);
		CHECK(duet_stack_counter(x->a, DUET_CTR_TCP_RETRANS_SEGS) <= l->stats.imp_reordered);
	}
}

/* After a transfer whose reader paused into a zero window. */
static void lt_check_pause(const struct lt_net *x, const struct lt_flow *f, const char *name,
			   uint64_t t0)
{
	/* The window closed and the sender probed it; the reader stopped
	 * where it meant to and resumed. */
	CHECK(duet_stack_counter(x->a, DUET_CTR_TCP_ZERO_WINDOW_PROBES) > 0);
	CHECK(f->resumed_ns != 0);
	CHECK(f->paused_got >= f->pause_at);
	CHECK(f->paused_got < f->pause_at + LT_CHUNK);
	/* Each 64 KiB the reader takes sends a window update: one gets
	 * through, and the sender goes on at once, not at its next
	 * (backed-off) timeout; then it grows from one segment with
	 * timeouts of one RTO, not the probes' backoff. */
	CHECK(f->fresh_ns && f->fresh_ns - f->resumed_ns <= SF_S(2));
	CHECK(f->fresh64_ns && f->fresh64_ns - f->resumed_ns <= SF_S(4));
	fprintf(stderr, "  %s: reader paused at %.3f s for %.0f s with %llu bytes read; "
		"new data %.3f s after it resumed, 64 KiB after %.3f s\n",
		name, (double)(f->paused_since - t0) / 1e9, (double)f->pause_ns / 1e9,
		(unsigned long long)f->paused_got,
		f->fresh_ns ? (double)(f->fresh_ns - f->resumed_ns) / 1e9 : -1.0,
		f->fresh64_ns ? (double)(f->fresh64_ns - f->resumed_ns) / 1e9 : -1.0);
}

/* Closes both ends and runs until nothing is left (FINs through,
 * TIME-WAIT over) before destroying the simulation: destroying it with
 * frames in flight from A's pool to B frees them after A's pool (a use
 * after free in duet_sim_destroy's teardown, outside TCP). */
static void lt_teardown(struct lt_net *x, int cfd)
{
	if (x->sfd >= 0)
		CHECK_EQ(duet_close(x->b, x->sfd), 0);
	if (cfd >= 0)
		CHECK_EQ(duet_close(x->a, cfd), 0);
	CHECK_EQ(duet_sim_run_until_idle(x->sim, SF_S(900)), 0);
	duet_sim_destroy(x->sim);
}

/* The transfers c and mode describe; the data exact, within the bound. */
static void lt_run_mode(const struct lt_case *c, const struct lt_mode *mode)
{
	static struct lt_flow f[2];
	struct lt_flow *fs[2] = { &f[0], &f[1] };
	size_t n = mode->is_bidir ? 2 : 1, i;
	struct lt_net x;
	uint64_t bytes = mode->pause_ns ? c->bytes : c->bytes / LT_SCALE, t0, seed;
	/* A lost window update after a pause waits for the next probe. */
	uint64_t bound = lt_bound_ns(&c->m, bytes * n) + (mode->pause_ns ? mode->pause_ns + SF_S(120) : 0);
	const char *only = getenv("LT_ONLY");
	int cfd;

	if (only && !strstr(c->name, only))
		return; /* LT_ONLY=part-of-a-name runs matching cases only (debugging) */
	/* LT_SEED=n runs every case with other seeds (exploring; the
	 * figures in the report are those of the default 0). */
	seed = c->seed + (getenv("LT_SEED") ? 1000u * strtoull(getenv("LT_SEED"), NULL, 10) : 0u);
	lt_setup(&x, seed, &c->m, c->is_sack);
	cfd = lt_connect(&x, c->fam, 5001, c->cc);
	if (cfd < 0) {
		lt_teardown(&x, cfd);
		return;
	}
	{
		struct tcp_info ti;
		socklen_t len = sizeof(ti);
		CHECK_EQ(duet_getsockopt(x.a, cfd, IPPROTO_TCP, TCP_INFO, &ti, &len), 0);
		CHECK_EQ((ti.tcpi_options & 2) != 0, c->is_sack);
		lt_check_cc(x.a, cfd, c->cc);
	}
	/* B's side comes from the accept queue inside lt_pump (-1 until then). */
	lt_flow_init(&f[0], x.a, cfd, x.b, -1, bytes, seed * 31 + 7);
	f[0].pause_at = mode->pause_at;
	f[0].pause_ns = mode->pause_ns;
	if (mode->is_bidir)
		lt_flow_init(&f[1], x.b, -1, x.a, cfd, bytes, seed * 37 + 5);
	t0 = duet_sim_now(x.sim);
	lt_pump(&x, fs, n, t0, bound);
	CHECK(x.sfd >= 3);
	CHECK_EQ(duet_close(x.b, x.lfd), 0);
	if (x.sfd < 0) {
		lt_teardown(&x, cfd);
		return;
	}
	/* The accepted connection has the listener's congestion control. */
	lt_check_cc(x.b, x.sfd, c->cc);
	for (i = 0; i < n; i++) {
		char name[64];
		bool is_ab = i == 0;
		snprintf(name, sizeof(name), "%s%s", c->name, !mode->is_bidir ? "" : is_ab ? " A>B" : " B>A");
		lt_flow_check(&f[i], name);
		if (!f[i].is_eof)
			fprintf(stderr, "  %s: %llu of %llu bytes after %.1f s\n", name,
				(unsigned long long)f[i].got, (unsigned long long)bytes,
				(double)(duet_sim_now(x.sim) - t0) / 1e9);
		lt_print(name, is_ab ? x.a : x.b, is_ab ? cfd : x.sfd,
			 (uint32_t)(is_ab ? x.if_a : x.if_b), is_ab ? x.b : x.a, bytes,
			 (f[i].is_eof ? f[i].done_ns : duet_sim_now(x.sim)) - t0, bound);
		CHECK(f[i].is_eof && f[i].done_ns - t0 <= bound);
	}
	lt_dump_counters(&x);
	lt_check_invariants(&x, c);
	if (mode->pause_ns)
		lt_check_pause(&x, &f[0], c->name, t0);
	lt_teardown(&x, cfd);
}

static void lt_run(const struct lt_case *c)
{
	static const struct lt_mode bulk;

	lt_run_mode(c, &bulk);
}

#define V6 AF_INET6
#define V4 AF_INET

/* T-2, S-1: clean links with delay, and light loss, the largest
 * transfers: 100 MB over IPv6 with CUBIC and SACK on a clean 10 ms
 * link, 100 MB over IPv4 (a v4 client to the dual-stack listener) with
 * NewReno on 0.1 % loss, and 0.1 % loss without SACK. */
TEST(tcp_loss_clean_and_light)
{
	static const struct lt_case cs[] = {
		{ "clean-v6-cubic-sack-100M", V6, "cubic", true, 100 * LT_MB,
		  { .delay_ms = 10 }, 11 },
		{ "0.1%-v4-reno-sack-100M", V4, "reno", true, 100 * LT_MB,
		  { .loss = 1000, .delay_ms = 10 }, 12 },
		{ "0.1%-v6-cubic-nosack-20M", V6, "cubic", false, 20 * LT_MB,
		  { .loss = 1000, .delay_ms = 20 }, 13 },
	};
	size_t i;

	for (i = 0; i < sizeof(cs) / sizeof(cs[0]); i++)
		lt_run(&cs[i]);
}

/* T-2 (SACK recovery, RTO, NewReno, CUBIC), S-1: 1 %, 5 % and 20 %
 * random loss of data and ACKs, both families, both algorithms, with and
 * without SACK. */
TEST(tcp_loss_random)
{
	static const struct lt_case cs[] = {
		{ "1%-v6-cubic-sack-10M", V6, "cubic", true, 10 * LT_MB,
		  { .loss = 10000, .delay_ms = 20 }, 21 },
		{ "1%-v4-reno-nosack-10M", V4, "reno", false, 10 * LT_MB,
		  { .loss = 10000, .delay_ms = 20 }, 22 },
		{ "1%-v4-cubic-sack-10M", V4, "cubic", true, 10 * LT_MB,
		  { .loss = 10000, .delay_ms = 20 }, 23 },
		{ "5%-v6-reno-sack-4M", V6, "reno", true, 4 * LT_MB,
		  { .loss = 50000, .delay_ms = 15 }, 24 },
		{ "5%-v4-cubic-nosack-2M", V4, "cubic", false, 2 * LT_MB,
		  { .loss = 50000, .delay_ms = 15 }, 25 },
		{ "20%-v6-cubic-sack-1M", V6, "cubic", true, 1 * LT_MB,
		  { .loss = 200000, .delay_ms = 10 }, 26 },
		{ "20%-v4-reno-nosack-1M", V4, "reno", false, 1 * LT_MB,
		  { .loss = 200000, .delay_ms = 10 }, 27 },
	};
	size_t i;

	for (i = 0; i < sizeof(cs) / sizeof(cs[0]); i++)
		lt_run(&cs[i]);
}

/* T-2, S-1: reordering (frames held back 5 ms), duplication, corruption
 * (one flipped bit: the checksum must catch it), jitter, and all at once
 * on a 50 ms path. */
TEST(tcp_loss_reorder_dup_corrupt)
{
	static const struct lt_case cs[] = {
		{ "reorder2%-v6-cubic-sack-20M", V6, "cubic", true, 20 * LT_MB,
		  { .reorder = 20000, .delay_ms = 10 }, 31 },
		{ "reorder2%-v4-reno-nosack-10M", V4, "reno", false, 10 * LT_MB,
		  { .reorder = 20000, .delay_ms = 10 }, 32 },
		{ "dup2%-v4-reno-sack-20M", V4, "reno", true, 20 * LT_MB,
		  { .dup = 20000, .delay_ms = 10 }, 33 },
		{ "corrupt1%-v6-cubic-nosack-10M", V6, "cubic", false, 10 * LT_MB,
		  { .corrupt = 10000, .delay_ms = 10 }, 34 },
		{ "jitter-v6-reno-sack-10M", V6, "reno", true, 10 * LT_MB,
		  { .delay_ms = 20, .jitter_ms = 10 }, 35 },
		{ "mixed-50ms-v4-cubic-sack-10M", V4, "cubic", true, 10 * LT_MB,
		  { .loss = 10000, .dup = 10000, .reorder = 10000, .corrupt = 5000,
		    .delay_ms = 50, .jitter_ms = 5 }, 36 },
		{ "mixed-50ms-v6-reno-nosack-5M", V6, "reno", false, 5 * LT_MB,
		  { .loss = 10000, .dup = 10000, .reorder = 10000, .corrupt = 5000,
		    .delay_ms = 50, .jitter_ms = 5 }, 37 },
	};
	size_t i;

	for (i = 0; i < sizeof(cs) / sizeof(cs[0]); i++)
		lt_run(&cs[i]);
}

/* T-2 (congestion control proper), S-1: a 50 Mbit/s bottleneck with a
 * 64-frame queue and 15 ms each way: the losses are the queue's, which
 * CUBIC and NewReno must share out without collapsing. */
TEST(tcp_loss_bottleneck)
{
	static const struct lt_case cs[] = {
		{ "50Mbit-v6-cubic-sack-50M", V6, "cubic", true, 50 * LT_MB,
		  { .delay_ms = 15, .rate_mbps = 50, .queue = 64 }, 41 },
		{ "50Mbit-v4-reno-sack-20M", V4, "reno", true, 20 * LT_MB,
		  { .delay_ms = 15, .rate_mbps = 50, .queue = 64 }, 42 },
		{ "50Mbit-v6-reno-nosack-20M", V6, "reno", false, 20 * LT_MB,
		  { .delay_ms = 15, .rate_mbps = 50, .queue = 64 }, 43 },
	};
	size_t i;

	for (i = 0; i < sizeof(cs) / sizeof(cs[0]); i++)
		lt_run(&cs[i]);
}

/* T-2 (the persist timer, RFC 9293 3.8.6.1; the window reopening after a
 * zero window), S-1: the reader stops for 30 s after 1 MB while the sender
 * has 4 MB to send, on a lossy link (probes, their ACKs and the window
 * update may be lost): the window closes, the sender probes it with
 * backoff without giving up, and the transfer completes exactly once the
 * reader resumes. */
TEST(tcp_loss_zero_window)
{
	static const struct lt_case cs[] = {
		{ "zerowin-1%-v6-cubic-sack-4M", V6, "cubic", true, 4 * LT_MB,
		  { .loss = 10000, .delay_ms = 10 }, 51 },
		{ "zerowin-5%-v4-reno-nosack-4M", V4, "reno", false, 4 * LT_MB,
		  { .loss = 50000, .delay_ms = 20 }, 52 },
		/* A seed where the ACK of the first segment after the window
		 * reopens is lost: the timeout must not keep the probes' backoff. */
		{ "zerowin-5%-v4-reno-nosack-4M-b", V4, "reno", false, 4 * LT_MB,
		  { .loss = 50000, .delay_ms = 20 }, 22052 },
	};
	static const struct lt_mode mode = { .pause_at = 1 * LT_MB, .pause_ns = SF_S(30) };
	/* Longer than tcp_retries2 (15) backed-off timeouts take (about 15
	 * minutes): answered probes must not count as retries. */
	static const struct lt_case longer = { "zerowin-16min-2%-v6-reno-sack-4M", V6, "reno", true,
					       4 * LT_MB, { .loss = 20000, .delay_ms = 10 }, 53 };
	static const struct lt_mode long_mode = { .pause_at = 1 * LT_MB, .pause_ns = SF_S(960) };
	size_t i;

	for (i = 0; i < sizeof(cs) / sizeof(cs[0]); i++)
		lt_run_mode(&cs[i], &mode);
	lt_run_mode(&longer, &long_mode);
}

/* T-2, S-1: both ends send at once on one connection (data and ACKs share
 * segments both ways), over loss and reordering. */
TEST(tcp_loss_bidirectional)
{
	static const struct lt_case cs[] = {
		{ "bidir-1%-v6-cubic-sack-10M", V6, "cubic", true, 10 * LT_MB,
		  { .loss = 10000, .delay_ms = 20 }, 61 },
		{ "bidir-mixed-v4-reno-nosack-5M", V4, "reno", false, 5 * LT_MB,
		  { .loss = 10000, .reorder = 10000, .dup = 10000, .corrupt = 5000,
		    .delay_ms = 20 }, 62 },
		/* A seed where both ends time out and go back over data the
		 * other holds already: their ACKs must still be read. */
		{ "bidir-mixed-v4-reno-nosack-5M-b", V4, "reno", false, 5 * LT_MB,
		  { .loss = 10000, .reorder = 10000, .dup = 10000, .corrupt = 5000,
		    .delay_ms = 20 }, 92062 },
		{ "bidir-clean-v4-cubic-sack-50M", V4, "cubic", true, 50 * LT_MB,
		  { .delay_ms = 5 }, 63 },
	};
	static const struct lt_mode mode = { .is_bidir = true };
	size_t i;

	for (i = 0; i < sizeof(cs) / sizeof(cs[0]); i++)
		lt_run_mode(&cs[i], &mode);
}
