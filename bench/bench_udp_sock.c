/* Benchmark of UDP through duet's public socket API: two stacks in one
 * process, joined by the simulation's in-memory link (include/duet/sim.h),
 * 64-byte payloads, over IPv4 and IPv6. Everything runs on one thread: the
 * sender's stack, the link and the receiver's stack are all driven by the
 * simulation, and the figures are per second of wall time (CLOCK_MONOTONIC),
 * not of the virtual clock.
 *   stream: batches of BATCH datagrams sent from A with duet_sendto, the
 *           simulation advanced (see run()), B drained with duet_recvfrom
 *           (MSG_DONTWAIT); the figure is datagrams RECEIVED per second.
 *   rr:     one 64-byte request outstanding: A sends, the simulation runs,
 *           B receives and echoes, the simulation runs, A receives; round
 *           trips per second.
 * Length of each test: DUET_BENCH_SECONDS (default 3); DUET_BENCH_ONLY=stream4,
 * rr4, stream6 or rr6 runs that test alone (for profiling). Output, one line per
 * test in the form bench/udp.sh reads, e.g.
 *   duet udp_stream_dps=N sent=N received=N lost=N seconds=S batch=B
 *   duet udp_rr_per_s=N round_trips=N seconds=S
 * and the _v6 names for IPv6. */
#include <duet/net.h>
#include <duet/sim.h>
#include <duet/socket.h>
#include <duet/stack.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAYLOAD 64
#define BATCH 256
#define PORT_B 5001
#define PORT_A 5002
#define STEP_NS 1000ull /* virtual ns per run() step */
#define IDLE_MAX_NS 1000000000ull /* bound on one run_until_idle, virtual */

struct bench {
	struct duet_sim *sim;
	struct duet_stack *a, *b;
	int if_a, if_b;
};

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void die(const char *what, long v)
{
	fprintf(stderr, "bench_udp_sock: %s: %ld\n", what, v);
	exit(1);
}

/* Advances the simulation: by default in steps of STEP_NS of virtual time
 * (the perfect wire delivers at once, so one step carries a batch across and
 * through B); with DUET_BENCH_UNTIL_IDLE=1, until idle, which jumps the
 * virtual clock to the next armed timer and makes the timer wheel turn. */
static uint64_t step_ns = STEP_NS;
static int until_idle;

static void run(struct bench *x)
{
	int r;

	if (!until_idle) {
		duet_sim_run_for(x->sim, step_ns);
		return;
	}
	r = duet_sim_run_until_idle(x->sim, IDLE_MAX_NS);

	if (r != 0 && r != -ETIMEDOUT)
		die("duet_sim_run_until_idle", r);
}

static void setup(struct bench *x)
{
	struct duet_stack_config cfg;
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
	if ((r = duet_sim_connect(x->sim, x->a, x->b, NULL, &x->if_a, &x->if_b)) != 0)
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

struct pair {
	int fa, fb;
	struct sockaddr_storage to_b, to_a;
	socklen_t lb, la;
};

static void open_pair(struct bench *x, int fam, struct pair *p)
{
	struct sockaddr_storage ss;
	socklen_t n;
	const char *ia = fam == AF_INET6 ? "fd00::1" : "10.0.0.1";
	const char *ib = fam == AF_INET6 ? "fd00::2" : "10.0.0.2";

	p->fa = duet_socket(x->a, fam, SOCK_DGRAM, 0);
	p->fb = duet_socket(x->b, fam, SOCK_DGRAM, 0);
	if (p->fa < 0 || p->fb < 0)
		die("duet_socket", p->fa < 0 ? p->fa : p->fb);
	n = sa(fam, ia, PORT_A, &ss);
	if (duet_bind(x->a, p->fa, (struct sockaddr *)&ss, n) != 0)
		die("duet_bind A", errno);
	n = sa(fam, ib, PORT_B, &ss);
	if (duet_bind(x->b, p->fb, (struct sockaddr *)&ss, n) != 0)
		die("duet_bind B", errno);
	p->lb = sa(fam, ib, PORT_B, &p->to_b);
	p->la = sa(fam, ia, PORT_A, &p->to_a);
}

static long drain(struct bench *x, struct duet_stack *s, int fd)
{
	char buf[2048];
	long n = 0;

	(void)x;
	while (duet_recvfrom(s, fd, buf, sizeof(buf), MSG_DONTWAIT, NULL, NULL) >= 0)
		n++;
	return n;
}

/* A few datagrams each way first, so ARP / neighbour discovery is done. */
static void warm(struct bench *x, struct pair *p)
{
	char msg[PAYLOAD] = { 0 };
	int i;

	for (i = 0; i < 3; i++) {
		duet_sendto(x->a, p->fa, msg, sizeof(msg), MSG_DONTWAIT, (struct sockaddr *)&p->to_b, p->lb);
		duet_sendto(x->b, p->fb, msg, sizeof(msg), MSG_DONTWAIT, (struct sockaddr *)&p->to_a, p->la);
		run(x);
	}
	drain(x, x->a, p->fa);
	drain(x, x->b, p->fb);
}

static void stream(struct bench *x, int fam, double secs)
{
	struct pair p;
	char msg[PAYLOAD];
	long sent = 0, recvd = 0, send_err = 0;
	double t0, t;
	int i;

	memset(msg, 'x', sizeof(msg));
	open_pair(x, fam, &p);
	warm(x, &p);
	t0 = now_s();
	do {
		for (i = 0; i < BATCH; i++) {
			if (duet_sendto(x->a, p.fa, msg, sizeof(msg), MSG_DONTWAIT,
					(struct sockaddr *)&p.to_b, p.lb) == (ssize_t)sizeof(msg))
				sent++;
			else
				send_err++;
		}
		run(x);
		recvd += drain(x, x->b, p.fb);
		t = now_s() - t0;
	} while (t < secs);
	printf("duet udp_stream_dps%s=%.0f sent=%ld received=%ld lost=%ld send_errors=%ld seconds=%.3f batch=%d payload=%d\n",
	       fam == AF_INET6 ? "_v6" : "", (double)recvd / t, sent, recvd, sent - recvd, send_err, t,
	       BATCH, PAYLOAD);
	fflush(stdout);
	duet_close(x->a, p.fa);
	duet_close(x->b, p.fb);
}

static void rr(struct bench *x, int fam, double secs)
{
	struct pair p;
	char msg[PAYLOAD], buf[2048];
	struct sockaddr_storage from;
	socklen_t fl;
	long trips = 0, fails = 0;
	ssize_t r;
	double t0, t;
	int i;

	memset(msg, 'r', sizeof(msg));
	open_pair(x, fam, &p);
	warm(x, &p);
	t0 = now_s();
	do {
		for (i = 0; i < 64; i++) {
			if (duet_sendto(x->a, p.fa, msg, sizeof(msg), MSG_DONTWAIT,
					(struct sockaddr *)&p.to_b, p.lb) != (ssize_t)sizeof(msg))
				die("rr sendto A", errno);
			run(x);
			fl = sizeof(from);
			r = duet_recvfrom(x->b, p.fb, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
			if (r != PAYLOAD) {
				fails++;
				continue;
			}
			if (duet_sendto(x->b, p.fb, buf, (size_t)r, MSG_DONTWAIT, (struct sockaddr *)&from, fl) != r)
				die("rr sendto B", errno);
			run(x);
			r = duet_recvfrom(x->a, p.fa, buf, sizeof(buf), MSG_DONTWAIT, NULL, NULL);
			if (r == PAYLOAD)
				trips++;
			else
				fails++;
		}
		t = now_s() - t0;
	} while (t < secs);
	printf("duet udp_rr_per_s%s=%.0f round_trips=%ld failed=%ld seconds=%.3f payload=%d\n",
	       fam == AF_INET6 ? "_v6" : "", (double)trips / t, trips, fails, t, PAYLOAD);
	fflush(stdout);
	duet_close(x->a, p.fa);
	duet_close(x->b, p.fb);
}

int main(void)
{
	struct bench x;
	const char *env = getenv("DUET_BENCH_SECONDS"), *only;
	double secs = env && *env ? atof(env) : 3.0;

	if (secs <= 0)
		secs = 3.0;
	env = getenv("DUET_BENCH_UNTIL_IDLE");
	until_idle = env && *env == '1';
	env = getenv("DUET_BENCH_STEP_NS");
	if (env && *env)
		step_ns = strtoull(env, NULL, 10);
	only = getenv("DUET_BENCH_ONLY");
	setup(&x);
	if (!only || !strcmp(only, "stream4"))
		stream(&x, AF_INET, secs);
	if (!only || !strcmp(only, "rr4"))
		rr(&x, AF_INET, secs);
	if (!only || !strcmp(only, "stream6"))
		stream(&x, AF_INET6, secs);
	if (!only || !strcmp(only, "rr6"))
		rr(&x, AF_INET6, secs);
	duet_sim_destroy(x.sim);
	return 0;
}
