/* duet ping — ICMP / ICMPv6 echo from a duet stack on a TAP device, printed
 * as ping(8) prints it. */
#include "tools/duet_tool.h"
#include "tools/tapnet.h"

#include <duet/addr.h>
#include <duet/net.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

struct ping_state {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint16_t id;
	int got_seq;                 /* last reply's sequence, -1 none */
	struct duet_echo_reply last;
};

/* Runs on the stack's thread, with the host lock held. */
static void ping_on_reply(void *ctx, const struct duet_echo_reply *r)
{
	struct ping_state *ps = ctx;

	if (r->id != ps->id)
		return;
	pthread_mutex_lock(&ps->mu);
	ps->last = *r;
	ps->got_seq = r->seq;
	pthread_cond_broadcast(&ps->cv);
	pthread_mutex_unlock(&ps->mu);
}

struct ping_opts {
	int family;                  /* 0: from the destination */
	uint32_t size, count;
	double interval_s;
	struct tapnet_addr dst;
	char zone[32];
};

static int ping_parse(int argc, char **argv, struct ping_opts *p, struct tapnet_opts *o)
{
	int i, r;

	for (i = 1; i < argc; i++) {
		if ((r = tapnet_parse_opt(o, argc, argv, &i)) != 0) {
			if (r < 0)
				return -1;
		} else if (!strcmp(argv[i], "-4") || !strcmp(argv[i], "-6")) {
			p->family = argv[i][1] == '4' ? AF_INET : AF_INET6;
		} else if ((!strcmp(argv[i], "-s") || !strcmp(argv[i], "-c") ||
			    !strcmp(argv[i], "-i")) && i + 1 < argc) {
			char opt = argv[i][1];
			const char *v = argv[++i];
			if (opt == 's')
				p->size = (uint32_t)strtoul(v, NULL, 10);
			else if (opt == 'c')
				p->count = (uint32_t)strtoul(v, NULL, 10);
			else
				p->interval_s = strtod(v, NULL);
		} else if (argv[i][0] != '-' && !p->dst.family) {
			char *pct = strchr(argv[i], '%');
			if (pct) {
				snprintf(p->zone, sizeof(p->zone), "%s", pct + 1);
				*pct = 0;
			}
			if (tapnet_parse_cidr(argv[i], &p->dst) != 0 || p->dst.plen % 32)
				return fprintf(stderr, "duet ping: not an address: %s\n", argv[i]), -1;
		} else {
			return fprintf(stderr, "duet ping: unknown argument '%s'\n", argv[i]), -1;
		}
	}
	if (!p->dst.family)
		return fprintf(stderr, "duet ping: no destination\n"), -1;
	if (p->family && p->family != p->dst.family)
		return fprintf(stderr, "duet ping: the destination is not of that family\n"), -1;
	return 0;
}

/* Waits (at most 4 s) until the interface has a usable (not tentative)
 * address of the family: IPv6 addresses go through DAD first. */
static void ping_wait_address(struct tapnet *n, int family)
{
	struct duet_ifaddr a[32];
	int i, k, cnt;

	for (i = 0; i < 400; i++) {
		duet_host_lock(n->host);
		cnt = duet_if_addrs(duet_host_stack(n->host), n->ifindex, a, 32);
		duet_host_unlock(n->host);
		for (k = 0; k < cnt && k < 32; k++)
			if (a[k].family == family && !(a[k].flags & DUET_IFA_F_TENTATIVE))
				return;
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
}

/* Sends one request and waits for its reply; prints the line. Returns 1 if
 * answered. */
static int ping_one(struct tapnet *n, struct ping_state *ps, const struct ping_opts *p,
		    uint32_t oif, uint16_t seq)
{
	uint64_t t0 = duet_clock_now(duet_clock_monotonic()), deadline;
	char from[DUET_ADDR6_STRLEN];
	int err, ok;

	duet_host_lock(n->host);
	err = duet_echo_send(duet_host_stack(n->host), p->dst.family, p->dst.addr, oif, ps->id, seq,
			     p->size);
	duet_host_unlock(n->host);
	duet_host_wake(n->host);
	if (err) {
		printf("send: %s\n", strerror(-err));
		return 0;
	}
	deadline = t0 + (uint64_t)(p->interval_s * 1e9);
	pthread_mutex_lock(&ps->mu);
	while (ps->got_seq != seq) {
		struct timespec until = { (time_t)(deadline / DUET_NS_PER_S),
					  (long)(deadline % DUET_NS_PER_S) };
		if (pthread_cond_timedwait(&ps->cv, &ps->mu, &until) == ETIMEDOUT)
			break;
	}
	ok = ps->got_seq == seq;
	pthread_mutex_unlock(&ps->mu);
	if (!ok)
		return 0;
	if (ps->last.family == AF_INET)
		duet_addr4_ntop(ps->last.from, from, sizeof(from));
	else
		duet_addr6_ntop(ps->last.from, from, sizeof(from));
	printf("%u bytes from %s: icmp_seq=%u ttl=%u time=%.3f ms\n", ps->last.data_len + 8, from,
	       seq, ps->last.hop_limit, (double)(ps->last.time_ns - t0) / 1e6);
	return 1;
}

int tool_ping(int argc, char **argv)
{
	struct ping_opts p = { .size = 56, .count = 4, .interval_s = 1.0 };
	struct ping_state ps;
	struct tapnet_opts o;
	struct tapnet n;
	uint32_t oif = 0, seq, received = 0;

	memset(&o, 0, sizeof(o));
	if (ping_parse(argc, argv, &p, &o) != 0)
		return 2;
	if (tapnet_start(&o, &n) != 0)
		return 1;
	if (p.zone[0])
		oif = strcmp(p.zone, o.tap) == 0 ? n.ifindex : (uint32_t)strtoul(p.zone, NULL, 10);
	pthread_mutex_init(&ps.mu, NULL);
	{
		/* Deadlines are CLOCK_MONOTONIC times: the condition waits on it. */
		pthread_condattr_t ca;
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&ps.cv, &ca);
		pthread_condattr_destroy(&ca);
	}
	ps.id = (uint16_t)duet_clock_now(duet_clock_monotonic());
	ps.got_seq = -1;
	duet_host_lock(n.host);
	duet_echo_set_handler(duet_host_stack(n.host), ping_on_reply, &ps);
	duet_host_unlock(n.host);
	ping_wait_address(&n, p.dst.family);
	printf("PING %s: %u data bytes\n", argv[argc - 1], p.size);
	for (seq = 1; seq <= p.count; seq++)
		received += (uint32_t)ping_one(&n, &ps, &p, oif, (uint16_t)seq);
	printf("--- ping statistics ---\n%u packets transmitted, %u received, %u%% packet loss\n",
	       p.count, received, p.count ? 100 * (p.count - received) / p.count : 0);
	tapnet_stop(&n);
	pthread_cond_destroy(&ps.cv);
	pthread_mutex_destroy(&ps.mu);
	return received ? 0 : 1;
}
