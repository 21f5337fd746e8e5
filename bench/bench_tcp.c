/* Benchmark of TCP through duet's public socket API: two stacks A
 * (10.0.0.1/24, fd00::1/64) and B (10.0.0.2/24, fd00::2/64) in one process,
 * joined by the simulation's perfect in-memory link (include/duet/sim.h),
 * checksums computed in software (the simulated link offloads nothing).
 * One thread runs both stacks and the link; every figure is per second of
 * wall time (CLOCK_MONOTONIC), not of the virtual clock. Each run() is
 * duet_sim_run_for(sim, STEP_NS) of virtual time: the wire has no delay,
 * so one step carries whatever the windows allow across and back.
 *
 *   bulk:  one connection A -> B, link MTU 1500 or 9000. A hands the
 *          socket as much as it takes (duet_send, MSG_DONTWAIT, 256 KiB per
 *          call), one step, B drains (duet_recv into a 256 KiB buffer); the
 *          figure is payload RECEIVED per second, in Gbit/s (10^9 bits).
 *          DUET_BENCH_VERIFY=1 also checks every byte received (slower).
 *   rr:    one connection, TCP_NODELAY both ends, one byte outstanding: A
 *          sends, step, B receives and echoes, step, A receives; round
 *          trips per second.
 *   scale: N connections established at once between A and B (IPv4, to
 *          SCALE_PORTS listener ports on B so that no 4-tuple space runs
 *          out of ephemeral ports), grown stage by stage (default 1,000,
 *          10,000, 100,000; DUET_BENCH_SCALE="1000,10000" changes it).
 *          At each stage:
 *            - memory of the connections added in that stage while idle
 *              (established, accepted, never used): malloc's bytes in use
 *              (mallinfo2 uordblks + hblkhd) before and after, divided by
 *              the endpoints added (two per connection), with the packet
 *              pools' slab growth (duet_pool_stats) shown apart;
 *            - one round trip on each connection added, then the
 *              memory again ("after traffic": each byte ring now holds a
 *              buffer, which it keeps while idle);
 *            - one-byte round trips for DUET_BENCH_SCALE_SECONDS on
 *              connections picked at random among all N ("all") and among
 *              a fixed 1,000 ("hot"), in trials of 1,024: ns per round
 *              trip and ns per TCP segment, the medians over the trials
 *              (with the fastest and slowest trial's ns per segment);
 *              segments = both stacks' TCP_OUT_SEGS + TCP_RETRANS_SEGS
 *              over a trial (delayed ACKs that fire count as segments, so
 *              segs_per_rr is printed too).
 *
 * DUET_BENCH_SECONDS (default 2) is the length of each bulk / rr test;
 * scale's round-trip runs last DUET_BENCH_SCALE_SECONDS (default 1) each.
 * DUET_BENCH_ONLY=bulk1500, bulk9000, bulk6, rr4, rr6 or scale runs one
 * test alone (for profiling); a comma-separated list runs those. DUET_BENCH_STEP_NS changes the step.
 * Output, one line per figure, key=value pairs (bench/tcp.sh reads them):
 *   duet tcp_bulk_gbps_mtu1500=G bytes=N seconds=S cpu_s=C gbps_per_cpu=G ...
 *   duet tcp_rr_per_s=N round_trips=N seconds=S cpu_s=C rr_per_cpu_s=N ...
 * (cpu_s: the process's CPU time over the timed loop; the per-CPU rates
 * say what one fully used core would do, whatever the machine's load.)
 *   duet tcp_scale n=N mem_per_endpoint=B ... ns_per_seg_all=X ... */
#include <duet/counters.h>
#include <duet/net.h>
#include <duet/pkt.h>
#include <duet/sim.h>
#include <duet/socket.h>
#include <duet/stack.h>
#include <duet/sysctl.h>

#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STEP_NS 1000ull        /* virtual ns per run() step */
#define BULK_CHUNK (256u << 10)
#define BULK_PORT 5001
#define RR_PORT 5002
#define SCALE_PORT0 6000
#define SCALE_PORTS 32         /* listener ports of the scale test */
#define SCALE_BATCH 256        /* connects per step while setting up */
#define SCALE_HOT 1000         /* the fixed subset of the "hot" runs */
#define SCALE_MAX (1u << 20)

struct bench {
	struct duet_sim *sim;
	struct duet_stack *a, *b;
	int if_a, if_b;
};

static uint64_t step_ns = STEP_NS;

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static struct bench *dump_on_die;

static void dump_counters(struct bench *x)
{
	int i;

	for (i = 0; i < DUET_CTR__COUNT; i++) {
		uint64_t a = duet_stack_counter(x->a, (enum duet_counter)i);
		uint64_t b = duet_stack_counter(x->b, (enum duet_counter)i);
		if (a || b)
			fprintf(stderr, "  %-28s A=%llu B=%llu\n", duet_counter_name((enum duet_counter)i),
				(unsigned long long)a, (unsigned long long)b);
	}
}

/* CPU time of this process (user + system), seconds: on a shared machine
 * the wall-clock rates depend on how much of a core the scheduler gave. */
static double cpu_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void die(const char *what, long v)
{
	if (dump_on_die)
		dump_counters(dump_on_die);
	fprintf(stderr, "bench_tcp: %s: %ld (errno %d %s)\n", what, v, errno, strerror(errno));
	exit(1);
}

static void run(struct bench *x)
{
	duet_sim_run_for(x->sim, step_ns);
}

static void setup(struct bench *x, uint32_t mtu)
{
	struct duet_stack_config cfg;
	struct duet_sim_link_opts opts;
	uint8_t a6[16], b6[16], a4[4] = { 10, 0, 0, 1 }, b4[4] = { 10, 0, 0, 2 };
	int r;

	memset(x, 0, sizeof(*x));
	if ((r = duet_sim_create(7, 0, &x->sim)) != 0)
		die("duet_sim_create", r);
	duet_stack_config_init(&cfg);
	cfg.is_ipv6_autoconf_off = true;
	if ((r = duet_sim_add_stack(x->sim, "A", &cfg, &x->a)) != 0)
		die("duet_sim_add_stack A", r);
	if ((r = duet_sim_add_stack(x->sim, "B", &cfg, &x->b)) != 0)
		die("duet_sim_add_stack B", r);
	memset(&opts, 0, sizeof(opts));
	opts.mtu = mtu;
	if ((r = duet_sim_connect(x->sim, x->a, x->b, &opts, &x->if_a, &x->if_b)) != 0)
		die("duet_sim_connect", r);
	inet_pton(AF_INET6, "fd00::1", a6);
	inet_pton(AF_INET6, "fd00::2", b6);
	if ((r = duet_if_addr_add(x->a, (uint32_t)x->if_a, AF_INET6, a6, 64, DUET_IFA_F_NODAD)) ||
	    (r = duet_if_addr_add(x->b, (uint32_t)x->if_b, AF_INET6, b6, 64, DUET_IFA_F_NODAD)) ||
	    (r = duet_if_addr_add(x->a, (uint32_t)x->if_a, AF_INET, a4, 24, 0)) ||
	    (r = duet_if_addr_add(x->b, (uint32_t)x->if_b, AF_INET, b4, 24, 0)))
		die("duet_if_addr_add", r);
	duet_sim_run_for(x->sim, 10000000ull);
}

static socklen_t sa(int fam, const char *addr, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (fam == AF_INET6) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;
		s->sin6_family = AF_INET6;
		s->sin6_port = htons(port);
		inet_pton(AF_INET6, addr, &s->sin6_addr);
		return sizeof(*s);
	} else {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;
		s->sin_family = AF_INET;
		s->sin_port = htons(port);
		inet_pton(AF_INET, addr, &s->sin_addr);
		return sizeof(*s);
	}
}

static void setint(struct duet_stack *st, int fd, int level, int name, int v)
{
	if (duet_setsockopt(st, fd, level, name, &v, sizeof(v)) != 0)
		die("duet_setsockopt", name);
}

static int listener(struct bench *x, int fam, uint16_t port, int backlog, int nodelay)
{
	struct sockaddr_storage ss;
	socklen_t n = sa(fam, fam == AF_INET6 ? "::" : "0.0.0.0", port, &ss);
	int fd = duet_socket(x->b, fam, SOCK_STREAM, 0);

	if (fd < 0)
		die("duet_socket listener", errno);
	setint(x->b, fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (nodelay)
		setint(x->b, fd, IPPROTO_TCP, TCP_NODELAY, 1);
	if (duet_bind(x->b, fd, (struct sockaddr *)&ss, n) != 0)
		die("duet_bind listener", errno);
	if (duet_listen(x->b, fd, backlog) != 0)
		die("duet_listen", errno);
	return fd;
}

/* A connects to B's port (non-blocking connect); returns A's descriptor. */
static int connect_start(struct bench *x, int fam, uint16_t port, int nodelay)
{
	struct sockaddr_storage ss;
	socklen_t n = sa(fam, fam == AF_INET6 ? "fd00::2" : "10.0.0.2", port, &ss);
	int fd = duet_socket(x->a, fam, SOCK_STREAM, 0);

	if (fd < 0)
		die("duet_socket client", errno);
	if (nodelay)
		setint(x->a, fd, IPPROTO_TCP, TCP_NODELAY, 1);
	if (duet_connect(x->a, fd, (struct sockaddr *)&ss, n) == 0 || errno == EINPROGRESS)
		return fd;
	die("duet_connect", errno);
	return -1;
}

/* One connection A -> B: *c A's end, *s B's (accepted). */
static void connect_pair(struct bench *x, int fam, uint16_t port, int nodelay, int *c, int *s)
{
	int lfd = listener(x, fam, port, 16, nodelay), i;

	*c = connect_start(x, fam, port, nodelay);
	for (i = 0; i < 1000; i++) {
		run(x);
		*s = duet_accept(x->b, lfd, NULL, NULL);
		if (*s >= 0)
			break;
	}
	if (*s < 0)
		die("duet_accept", errno);
	duet_close(x->b, lfd);
}

static uint64_t ctr2(struct bench *x, enum duet_counter c)
{
	return duet_stack_counter(x->a, c) + duet_stack_counter(x->b, c);
}

/* --- bulk ---------------------------------------------------------------- */

static uint8_t bulk_out[2 * BULK_CHUNK], bulk_in[BULK_CHUNK];

static void bulk(uint32_t mtu, int fam, double secs, int verify)
{
	struct bench x;
	uint64_t sent = 0, got = 0, segs0, rex0, bad = 0;
	double t0, t, c0;
	int c, s;
	uint32_t i;

	for (i = 0; i < BULK_CHUNK; i++)
		bulk_out[i] = bulk_out[i + BULK_CHUNK] = (uint8_t)(i * 2654435761u >> 24);
	setup(&x, mtu);
	connect_pair(&x, fam, BULK_PORT, 0, &c, &s);
	segs0 = ctr2(&x, DUET_CTR_TCP_OUT_SEGS);
	rex0 = ctr2(&x, DUET_CTR_TCP_RETRANS_SEGS);
	c0 = cpu_s();
	t0 = now_s();
	do {
		for (i = 0; i < 16; i++) {
			for (;;) {
				/* The pattern repeats every BULK_CHUNK bytes. */
				ssize_t n = duet_send(x.a, c, bulk_out + sent % BULK_CHUNK, BULK_CHUNK,
						      MSG_DONTWAIT);
				if (n <= 0)
					break;
				sent += (uint64_t)n;
			}
			run(&x);
			for (;;) {
				ssize_t n = duet_recv(x.b, s, bulk_in, sizeof(bulk_in), MSG_DONTWAIT);
				if (n <= 0)
					break;
				if (verify && memcmp(bulk_in, bulk_out + got % BULK_CHUNK, (size_t)n))
					bad++;
				got += (uint64_t)n;
			}
		}
		t = now_s() - t0;
	} while (t < secs);
	c0 = cpu_s() - c0;
	printf("duet tcp_bulk_gbps%s_mtu%u=%.3f bytes=%llu seconds=%.3f cpu_s=%.3f gbps_per_cpu=%.3f "
	       "segments=%llu retrans=%llu verified=%d bad_chunks=%llu\n",
	       fam == AF_INET6 ? "_v6" : "", mtu, (double)got * 8 / t / 1e9, (unsigned long long)got, t,
	       c0, (double)got * 8 / c0 / 1e9,
	       (unsigned long long)(ctr2(&x, DUET_CTR_TCP_OUT_SEGS) - segs0),
	       (unsigned long long)(ctr2(&x, DUET_CTR_TCP_RETRANS_SEGS) - rex0), verify,
	       (unsigned long long)bad);
	fflush(stdout);
	if (bad)
		die("bulk: data differs", (long)bad);
	duet_sim_destroy(x.sim);
}

/* --- rr ------------------------------------------------------------------ */

/* One round trip on (c, s); 1 if it completed. */
static int rr_once(struct bench *x, int c, int s)
{
	char b = 'r';

	if (duet_send(x->a, c, &b, 1, MSG_DONTWAIT) != 1)
		die("rr send A", errno);
	run(x);
	if (duet_recv(x->b, s, &b, 1, MSG_DONTWAIT) != 1)
		return 0;
	if (duet_send(x->b, s, &b, 1, MSG_DONTWAIT) != 1)
		die("rr send B", errno);
	run(x);
	return duet_recv(x->a, c, &b, 1, MSG_DONTWAIT) == 1;
}

static void rr(int fam, double secs)
{
	struct bench x;
	long trips = 0, fails = 0;
	uint64_t segs0;
	double t0, t, c0;
	int c, s, i;

	setup(&x, 1500);
	connect_pair(&x, fam, RR_PORT, 1, &c, &s);
	for (i = 0; i < 3; i++)
		rr_once(&x, c, s);
	segs0 = ctr2(&x, DUET_CTR_TCP_OUT_SEGS) + ctr2(&x, DUET_CTR_TCP_RETRANS_SEGS);
	c0 = cpu_s();
	t0 = now_s();
	do {
		for (i = 0; i < 64; i++) {
			if (rr_once(&x, c, s))
				trips++;
			else
				fails++;
		}
		t = now_s() - t0;
	} while (t < secs);
	c0 = cpu_s() - c0;
	printf("duet tcp_rr_per_s%s=%.0f round_trips=%ld failed=%ld seconds=%.3f cpu_s=%.3f "
	       "rr_per_cpu_s=%.0f segments=%llu payload=1\n",
	       fam == AF_INET6 ? "_v6" : "", (double)trips / t, trips, fails, t, c0, (double)trips / c0,
	       (unsigned long long)(ctr2(&x, DUET_CTR_TCP_OUT_SEGS) + ctr2(&x, DUET_CTR_TCP_RETRANS_SEGS) -
				    segs0));
	fflush(stdout);
	duet_sim_destroy(x.sim);
}

/* --- scale --------------------------------------------------------------- */

struct scale {
	struct bench x;
	int lfd[SCALE_PORTS];
	int *cfd, *sfd;           /* connection i: A's and B's descriptors */
	int32_t *by_port;         /* [SCALE_PORTS][65536]: connection of (listener, A's port) */
	uint32_t n;               /* established and paired */
};

static size_t heap_bytes(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

static size_t pool_bytes(struct bench *x)
{
	struct duet_pool_stats a, b;
	duet_pool_stats(duet_stack_pool(x->a), &a);
	duet_pool_stats(duet_stack_pool(x->b), &b);
	return a.mem_bytes + b.mem_bytes;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)((rng_state >> 11) % n);
}

static uint16_t local_port(struct duet_stack *st, int fd, int peer)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int r = peer ? duet_getpeername(st, fd, (struct sockaddr *)&sin, &len)
		     : duet_getsockname(st, fd, (struct sockaddr *)&sin, &len);

	if (r != 0)
		die("getsockname", errno);
	return ntohs(sin.sin_port);
}

/* Accepts what the listeners hold, pairing each with A's descriptor. */
static void scale_accept(struct scale *sc, uint32_t *n_pending)
{
	int l;

	for (l = 0; l < SCALE_PORTS; l++) {
		for (;;) {
			int s = duet_accept(sc->x.b, sc->lfd[l], NULL, NULL), idx;
			uint16_t p;
			if (s < 0)
				break;
			p = local_port(sc->x.b, s, 1);
			idx = sc->by_port[(size_t)l * 65536 + p];
			if (idx < 0)
				die("scale: accepted an unknown connection", p);
			sc->sfd[idx] = s;
			sc->by_port[(size_t)l * 65536 + p] = -1;
			(*n_pending)--;
		}
	}
}

/* Grows the set to n connections. */
static void scale_grow(struct scale *sc, uint32_t n)
{
	uint32_t pending = 0, i = sc->n, spins = 0;

	while (i < n || pending) {
		uint32_t k;
		for (k = 0; k < SCALE_BATCH && i < n; k++, i++) {
			int l = (int)(i % SCALE_PORTS), c = connect_start(&sc->x, AF_INET,
									   (uint16_t)(SCALE_PORT0 + l), 1);
			uint16_t p = local_port(sc->x.a, c, 0);
			if (sc->by_port[(size_t)l * 65536 + p] >= 0)
				die("scale: port reused", p);
			sc->by_port[(size_t)l * 65536 + p] = (int32_t)i;
			sc->cfd[i] = c;
			sc->sfd[i] = -1;
			pending++;
		}
		run(&sc->x);
		scale_accept(sc, &pending);
		if (pending && k == 0 && ++spins > 3000000) /* 3 s virtual: SYNs resent */
			die("scale: connections not established", (long)pending);
	}
	sc->n = n;
}

struct rr_fig {
	double ns_per_rr, ns_per_seg, segs_per_rr; /* medians over the trials */
	double ns_per_seg_min, ns_per_seg_max;
	long trips, fails;
	int trials;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

#define SCALE_TRIAL_RR 1024    /* round trips per timed trial */
#define SCALE_TRIALS_MAX 4096

/* Round trips on connections picked at random among the first `among`,
 * in trials of SCALE_TRIAL_RR for secs: the figures are the trials'
 * medians, so that a trial the shared machine preempted counts little. */
static void scale_rr(struct scale *sc, uint32_t among, double secs, struct rr_fig *f)
{
	static double rr_ns[SCALE_TRIALS_MAX], seg_ns[SCALE_TRIALS_MAX], spr[SCALE_TRIALS_MAX];
	double t_start = now_s();
	int n = 0, i;

	f->trips = f->fails = 0;
	do {
		uint64_t segs0 = ctr2(&sc->x, DUET_CTR_TCP_OUT_SEGS) +
				 ctr2(&sc->x, DUET_CTR_TCP_RETRANS_SEGS), segs;
		double t0 = now_s(), t;
		for (i = 0; i < SCALE_TRIAL_RR; i++) {
			uint32_t k = rnd(among);
			if (rr_once(&sc->x, sc->cfd[k], sc->sfd[k]))
				f->trips++;
			else
				f->fails++;
		}
		t = now_s() - t0;
		segs = ctr2(&sc->x, DUET_CTR_TCP_OUT_SEGS) + ctr2(&sc->x, DUET_CTR_TCP_RETRANS_SEGS) - segs0;
		rr_ns[n] = t * 1e9 / SCALE_TRIAL_RR;
		seg_ns[n] = t * 1e9 / (double)(segs ? segs : 1);
		spr[n] = (double)segs / SCALE_TRIAL_RR;
		n++;
	} while (n < SCALE_TRIALS_MAX && (n < 5 || now_s() - t_start < secs));
	qsort(rr_ns, (size_t)n, sizeof(double), cmp_double);
	qsort(seg_ns, (size_t)n, sizeof(double), cmp_double);
	qsort(spr, (size_t)n, sizeof(double), cmp_double);
	f->ns_per_rr = rr_ns[n / 2];
	f->ns_per_seg = seg_ns[n / 2];
	f->segs_per_rr = spr[n / 2];
	f->ns_per_seg_min = seg_ns[0];
	f->ns_per_seg_max = seg_ns[n - 1];
	f->trials = n;
}

static void scale(const char *stages, double secs)
{
	struct scale sc;
	uint32_t want[16], n_st = 0, max = 0, st, i;
	const char *p = stages;
	size_t h0, h1, p0, p1;

	while (*p && n_st < 16) {
		char *end;
		unsigned long v = strtoul(p, &end, 10);
		if (end == p || v == 0 || v > SCALE_MAX / 2)
			die("DUET_BENCH_SCALE: bad stage", (long)v);
		want[n_st++] = (uint32_t)v;
		if (v > max)
			max = (uint32_t)v;
		p = *end == ',' ? end + 1 : end;
	}
	memset(&sc, 0, sizeof(sc));
	setup(&sc.x, 1500);
	dump_on_die = &sc.x;
	/* Room for everything, allocated before the baseline. */
	sc.cfd = malloc(sizeof(int) * max);
	sc.sfd = malloc(sizeof(int) * max);
	sc.by_port = malloc(sizeof(int32_t) * SCALE_PORTS * 65536);
	if (!sc.cfd || !sc.sfd || !sc.by_port)
		die("malloc", 0);
	memset(sc.by_port, 0xff, sizeof(int32_t) * SCALE_PORTS * 65536);
	if (duet_sysctl_set(sc.x.a, "net.duet.sockets.max", max + 64) ||
	    duet_sysctl_set(sc.x.b, "net.duet.sockets.max", max + 64))
		die("net.duet.sockets.max", max);
	for (i = 0; i < SCALE_PORTS; i++)
		sc.lfd[i] = listener(&sc.x, AF_INET, (uint16_t)(SCALE_PORT0 + i), 4096, 1);
	{
		/* One connection first, so that ARP is done before the SYNs
		 * come in batches (the neighbour queue holds few). */
		int c, s;
		connect_pair(&sc.x, AF_INET, RR_PORT, 1, &c, &s);
		rr_once(&sc.x, c, s);
		duet_close(sc.x.a, c);
		duet_close(sc.x.b, s);
		duet_sim_run_for(sc.x.sim, 200000000ull);
	}
	for (st = 0; st < n_st; st++) {
		struct rr_fig all, hot;
		uint32_t first = sc.n, added = want[st] > sc.n ? want[st] - sc.n : 0;
		size_t h2, p2;
		long wfails = 0;
		double t0;

		run(&sc.x);
		h0 = heap_bytes();
		p0 = pool_bytes(&sc.x);
		t0 = now_s();
		scale_grow(&sc, first + added);
		t0 = now_s() - t0;
		h1 = heap_bytes();
		p1 = pool_bytes(&sc.x);
		/* One round trip on each new connection (their rings get their
		 * buffers), then the delayed ACKs out. */
		for (i = first; i < sc.n; i++)
			if (!rr_once(&sc.x, sc.cfd[i], sc.sfd[i]))
				wfails++;
		duet_sim_run_for(sc.x.sim, 100000000ull);
		h2 = heap_bytes();
		p2 = pool_bytes(&sc.x);
		scale_rr(&sc, sc.n, secs, &all);
		scale_rr(&sc, sc.n < SCALE_HOT ? sc.n : SCALE_HOT, secs, &hot);
		printf("duet tcp_scale n=%u added=%u setup_us_per_conn=%.2f mem_per_endpoint=%.0f "
		       "mem_per_endpoint_after_traffic=%.0f pool_growth=%zu,%zu ns_per_rr_all=%.0f "
		       "ns_per_seg_all=%.0f ns_per_seg_all_range=%.0f-%.0f segs_per_rr_all=%.2f "
		       "ns_per_rr_hot=%.0f ns_per_seg_hot=%.0f ns_per_seg_hot_range=%.0f-%.0f "
		       "segs_per_rr_hot=%.2f trials=%d,%d trips=%ld failed=%ld\n",
		       sc.n, added, added ? t0 * 1e6 / added : 0.0,
		       /* Signed: an allocator without mallinfo2 (ASan's) reports 0. */
		       added ? ((double)h1 - (double)h0 - ((double)p1 - (double)p0)) / (2.0 * added) : 0.0,
		       added ? ((double)h2 - (double)h0 - ((double)p2 - (double)p0)) / (2.0 * added) : 0.0,
		       p1 - p0, p2 - p1,
		       all.ns_per_rr, all.ns_per_seg, all.ns_per_seg_min, all.ns_per_seg_max,
		       all.segs_per_rr, hot.ns_per_rr, hot.ns_per_seg, hot.ns_per_seg_min,
		       hot.ns_per_seg_max, hot.segs_per_rr, all.trials, hot.trials,
		       all.trips + hot.trips, all.fails + hot.fails + wfails);
		fflush(stdout);
	}
	fflush(stdout);
	duet_sim_destroy(sc.x.sim);
	free(sc.cfd);
	free(sc.sfd);
	free(sc.by_port);
}

/* Is test in the comma-separated list (NULL: every test)? */
static int wanted(const char *list, const char *test)
{
	size_t n = strlen(test);
	const char *p = list;

	if (!list)
		return 1;
	while ((p = strstr(p, test)) != NULL) {
		if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return 1;
		p += n;
	}
	return 0;
}

int main(void)
{
	const char *env = getenv("DUET_BENCH_SECONDS"), *only, *stages;
	double secs = env && *env ? atof(env) : 2.0, ssecs;
	int verify;

	if (secs <= 0)
		secs = 2.0;
	env = getenv("DUET_BENCH_SCALE_SECONDS");
	ssecs = env && *env ? atof(env) : 1.0;
	if (ssecs <= 0)
		ssecs = 1.0;
	env = getenv("DUET_BENCH_STEP_NS");
	if (env && *env)
		step_ns = strtoull(env, NULL, 10);
	env = getenv("DUET_BENCH_VERIFY");
	verify = env && *env == '1';
	stages = getenv("DUET_BENCH_SCALE");
	if (!stages || !*stages)
		stages = "1000,10000,100000";
	only = getenv("DUET_BENCH_ONLY");
	if (only && !*only)
		only = NULL;
	if (wanted(only, "bulk1500"))
		bulk(1500, AF_INET, secs, verify);
	if (wanted(only, "bulk9000"))
		bulk(9000, AF_INET, secs, verify);
	if (wanted(only, "bulk6"))
		bulk(1500, AF_INET6, secs, verify);
	if (wanted(only, "rr4"))
		rr(AF_INET, secs);
	if (wanted(only, "rr6"))
		rr(AF_INET6, secs);
	if (wanted(only, "scale"))
		scale(stages, ssecs);
	return 0;
}
