/* duet demo — a simulated network: two dual-stack hosts on an impaired
 * cable come up (DAD, Router Solicitations, gratuitous ARP) and ping each
 * other over IPv4 and IPv6, fragmented echoes included; the transcript shows
 * every frame each host received and what its stack did with it. Then the
 * seed Q&A's dual-stack servers (DS-1 .. DS-6) over UDP between an
 * IPv4-only, an IPv6-only and a dual-stack host: who reached whom and how
 * each peer's address appears; then the same servers over TCP (an IPv4
 * client to a v4-mapped-bound listener, the IPv6 client refused; a
 * wildcard listener serving both; two listeners under poll). It grows
 * with each issue. */
#include "tools/describe.h"
#include "tools/duet_tool.h"

#include <duet/addr.h>
#include <duet/net.h>
#include <duet/sim.h>
#include <duet/socket.h>
#include <duet/wire/eth.h>

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <sys/select.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct demo_host {
	const char *name;
	struct duet_stack *stack;
	int ifindex;
	uint8_t ip4[4];
	uint8_t ip6[16];
};

struct demo {
	struct duet_sim *sim;
	struct demo_host alpha, beta;
	unsigned replies;
};

/* Each host's trace hook: the frames it received, and its drops. */
static void demo_trace(void *ctx, const struct duet_trace_event *ev)
{
	const struct demo_host *h = ctx;
	char line[300];

	if (ev->kind == DUET_TRACE_RX) {
		describe_frame(ev->data, ev->len, line, sizeof line);
		printf("  %9.3f  %-5s <- %s\n", (double)ev->time_ns / 1e6, h->name, line);
	} else if (ev->kind == DUET_TRACE_DROP) {
		printf("  %9s  %-5s    dropped: %s\n", "", h->name, duet_counter_name(ev->counter));
	}
}

static void demo_on_reply(void *ctx, const struct duet_echo_reply *r)
{
	struct demo *d = ctx;
	char from[DUET_ADDR6_STRLEN];

	if (r->family == AF_INET)
		duet_addr4_ntop(r->from, from, sizeof from);
	else
		duet_addr6_ntop(r->from, from, sizeof from);
	printf("  %9.3f  alpha: echo reply from %s, seq %u, %u data bytes, hop limit %u\n",
	       (double)r->time_ns / 1e6, from, r->seq, r->data_len, r->hop_limit);
	d->replies++;
}

static int demo_add_host(struct demo *d, struct demo_host *h, const char *name, uint8_t last)
{
	struct duet_stack_config cfg;

	memset(h, 0, sizeof(*h));
	h->name = name;
	duet_addr4_pton("192.0.2.0", h->ip4);
	h->ip4[3] = last;
	duet_addr6_pton("2001:db8::", h->ip6);
	h->ip6[15] = last;
	duet_stack_config_init(&cfg);
	cfg.trace = demo_trace;
	cfg.trace_ctx = h;
	return duet_sim_add_stack(d->sim, name, &cfg, &h->stack);
}

static int demo_addresses(struct demo_host *h)
{
	int err = duet_if_addr_add(h->stack, (uint32_t)h->ifindex, AF_INET, h->ip4, 24, 0);

	return err ? err : duet_if_addr_add(h->stack, (uint32_t)h->ifindex, AF_INET6, h->ip6, 64, 0);
}

static int demo_setup(struct demo *d, uint64_t seed, const char *pcap)
{
	struct duet_impair_params imp;
	struct duet_sim_link_opts opts = { 0 };
	int err;

	err = duet_sim_create(seed, 0, &d->sim);
	if (!err)
		err = demo_add_host(d, &d->alpha, "alpha", 1);
	if (!err)
		err = demo_add_host(d, &d->beta, "beta", 2);
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
	if (!err)
		err = demo_addresses(&d->alpha);
	if (!err)
		err = demo_addresses(&d->beta);
	duet_echo_set_handler(d->alpha.stack, demo_on_reply, d);
	return err;
}

static void demo_print_host(const struct demo_host *h)
{
	struct duet_link *l = duet_stack_iface_link(h->stack, (uint32_t)h->ifindex);
	char mac[18], v4[DUET_ADDR4_STRLEN], v6[DUET_ADDR6_STRLEN];

	duet_eth_ntop(l->hwaddr, mac);
	duet_addr4_ntop(h->ip4, v4, sizeof v4);
	duet_addr6_ntop(h->ip6, v6, sizeof v6);
	printf("  %-5s  %s  %s/24  %s/64\n", h->name, mac, v4, v6);
}

/* alpha pings beta once and lets the network settle for 100 ms. */
static void demo_ping(struct demo *d, int family, uint16_t seq, uint32_t size)
{
	const void *dst = family == AF_INET ? (const void *)d->beta.ip4 : (const void *)d->beta.ip6;
	int err;

	printf("\n  alpha pings beta over %s with %u data bytes:\n",
	       family == AF_INET ? "IPv4" : "IPv6", size);
	err = duet_echo_send(d->alpha.stack, family, dst, 0, 0xd0e7, seq, size);
	if (err)
		printf("  alpha: sending failed: %s\n", strerror(-err));
	duet_sim_run_for(d->sim, 100 * DUET_NS_PER_MS);
}

static void demo_summary(const struct demo *d)
{
	uint64_t ctr[DUET_CTR__COUNT];
	int i;

	printf("\nbeta's counters (non-zero):\n");
	duet_stack_counters(d->beta.stack, ctr);
	for (i = 0; i < DUET_CTR__COUNT; i++)
		if (ctr[i])
			printf("  %-26s %6llu\n", duet_counter_name((enum duet_counter)i),
			       (unsigned long long)ctr[i]);
}

/* --- The seed Q&A's dual-stack servers (DS-1 .. DS-6), over UDP. ---------
 * A second simulation: the dual-stack host "server" (192.0.2.1 on one cable,
 * 2001:db8::1 on another), the IPv4-only "v4host" (192.0.2.2) and the
 * IPv6-only "v6host" (2001:db8::2). */

struct ds_demo {
	struct duet_sim *sim;
	struct duet_stack *srv, *v4, *v6;
	unsigned ok, total;
};

static int ds_addr(struct duet_stack *s, int ifindex, const char *text)
{
	uint8_t a[16];
	int fam = strchr(text, ':') ? AF_INET6 : AF_INET;

	if (inet_pton(fam, text, a) != 1)
		return -EINVAL;
	return duet_if_addr_add(s, (uint32_t)ifindex, fam, a, fam == AF_INET ? 24 : 64,
				fam == AF_INET6 ? DUET_IFA_F_NODAD : 0);
}

static int ds_setup(struct ds_demo *x, uint64_t seed)
{
	struct duet_stack_config cfg;
	int s4, c4, s6, c6, err;

	duet_stack_config_init(&cfg);
	cfg.is_ipv6_autoconf_off = true;
	err = duet_sim_create(seed, 0, &x->sim);
	if (!err)
		err = duet_sim_add_stack(x->sim, "server", &cfg, &x->srv);
	if (!err)
		err = duet_sim_add_stack(x->sim, "v4host", &cfg, &x->v4);
	if (!err)
		err = duet_sim_add_stack(x->sim, "v6host", &cfg, &x->v6);
	if (!err)
		err = duet_sim_connect(x->sim, x->srv, x->v4, NULL, &s4, &c4);
	if (!err)
		err = duet_sim_connect(x->sim, x->srv, x->v6, NULL, &s6, &c6);
	if (!err)
		err = ds_addr(x->srv, s4, "192.0.2.1");
	if (!err)
		err = ds_addr(x->v4, c4, "192.0.2.2");
	if (!err)
		err = ds_addr(x->srv, s6, "2001:db8::1");
	if (!err)
		err = ds_addr(x->v6, c6, "2001:db8::2");
	if (!err)
		duet_sim_run_for(x->sim, 10 * DUET_NS_PER_MS);
	return err;
}

static void ds_run(struct ds_demo *x)
{
	duet_sim_run_for(x->sim, 50 * DUET_NS_PER_MS);
}

static socklen_t ds_sa(const char *text, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(text, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		inet_pton(AF_INET6, text, &a->sin6_addr);
		return sizeof(*a);
	}
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	a4->sin_family = AF_INET;
	a4->sin_port = htons(port);
	inet_pton(AF_INET, text, &a4->sin_addr);
	return sizeof(*a4);
}

static int ds_bind(struct duet_stack *s, int fd, const char *text, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len = ds_sa(text, port, &ss);

	return duet_bind(s, fd, (struct sockaddr *)&ss, len) ? -errno : 0;
}

static int ds_connect(struct duet_stack *s, int fd, const char *text, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len = ds_sa(text, port, &ss);

	return duet_connect(s, fd, (struct sockaddr *)&ss, len) ? -errno : 0;
}

static void ds_sendto(struct duet_stack *s, int fd, const char *text, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len = ds_sa(text, port, &ss);

	duet_sendto(s, fd, "hi", 2, 0, (struct sockaddr *)&ss, len);
}

/* "addr" and "addr:port" / "[addr]:port" of a sockaddr. */
static void ds_ntop(const struct sockaddr_storage *ss, char *addr, char *full)
{
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
		inet_ntop(AF_INET6, &a->sin6_addr, addr, INET6_ADDRSTRLEN);
		sprintf(full, "[%s]:%u", addr, ntohs(a->sin6_port));
	} else {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &a->sin_addr, addr, INET6_ADDRSTRLEN);
		sprintf(full, "%s:%u", addr, ntohs(a->sin_port));
	}
}

/* A client socket's address: its port, and its host's only address. */
static void ds_local(struct duet_stack *s, int fd, char *full)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	unsigned port;

	memset(&ss, 0, sizeof ss);
	duet_getsockname(s, fd, (struct sockaddr *)&ss, &len);
	if (ss.ss_family == AF_INET6) {
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		sprintf(full, "[2001:db8::2]:%u", port);
	} else {
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		sprintf(full, "192.0.2.2:%u", port);
	}
}

static void ds_verdict(struct ds_demo *x, const char *id, int ok)
{
	x->total++;
	x->ok += ok ? 1u : 0u;
	printf("%-4s  %s\n\n", id, ok ? "as expected" : "NOT AS EXPECTED");
}

/* One datagram waiting on the server's fd: prints "<- client ... appears as
 * ..." and returns 1 if it came and appears as expect (NULL: must not come). */
static int ds_expect(struct ds_demo *x, const char *id, const char *server, int fd,
		     const char *client, struct duet_stack *cs, int cfd, const char *expect)
{
	struct sockaddr_storage from;
	socklen_t len = sizeof from;
	char buf[16], addr[INET6_ADDRSTRLEN], full[80], local[80];
	ssize_t r = duet_recvfrom(x->srv, fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from,
				  &len);

	ds_local(cs, cfd, local);
	if (r < 0) {
		printf("%-4s  server %-30s x- %s %s did not reach it\n", id, server, client, local);
		return expect == NULL;
	}
	ds_ntop(&from, addr, full);
	printf("%-4s  server %-30s <- %s %s appears as %s\n", id, server, client, local, addr);
	return expect != NULL && strcmp(addr, expect) == 0;
}

static int ds_sock6(struct ds_demo *x, int v6only)
{
	int fd = duet_socket(x->srv, AF_INET6, SOCK_DGRAM, 0);

	duet_setsockopt(x->srv, fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
	return fd;
}

/* DS-1: bound to ::ffff:192.0.2.1 with V6ONLY=0 — IPv4 only. */
static void ds1(struct ds_demo *x)
{
	char buf[8];
	int srv = ds_sock6(x, 0), c4, c6, ok;

	ok = ds_bind(x->srv, srv, "::ffff:192.0.2.1", 5001) == 0;
	c4 = duet_socket(x->v4, AF_INET, SOCK_DGRAM, 0);
	ds_sendto(x->v4, c4, "192.0.2.1", 5001);
	ds_run(x);
	ok &= ds_expect(x, "DS-1", "[::ffff:192.0.2.1]:5001 V6ONLY=0", srv, "v4host", x->v4, c4,
			"::ffff:192.0.2.2");
	c6 = duet_socket(x->v6, AF_INET6, SOCK_DGRAM, 0);
	ds_connect(x->v6, c6, "2001:db8::1", 5001);
	duet_send(x->v6, c6, "hi", 2, 0);
	ds_run(x);
	ok &= ds_expect(x, "DS-1", "[::ffff:192.0.2.1]:5001 V6ONLY=0", srv, "v6host", x->v6, c6,
			NULL);
	ok &= duet_recv(x->v6, c6, buf, sizeof buf, MSG_DONTWAIT) < 0 && errno == ECONNREFUSED;
	printf("DS-1  v6host's connected socket: %s\n", strerror(errno));
	duet_close(x->srv, srv);
	duet_close(x->v4, c4);
	duet_close(x->v6, c6);
	ds_verdict(x, "DS-1", ok);
}

/* DS-2: an IPv4 peer on an AF_INET6 socket: ::ffff:a.b.c.d, its port,
 * flowinfo 0, scope 0 — from recvfrom and from getpeername. */
static void ds2(struct ds_demo *x)
{
	struct sockaddr_in6 from, peer;
	socklen_t len = sizeof from, plen = sizeof peer;
	char a1[INET6_ADDRSTRLEN], a2[INET6_ADDRSTRLEN], local[80], buf[8];
	int srv = ds_sock6(x, 0), c4, ok;

	ok = ds_bind(x->srv, srv, "::", 5002) == 0;
	c4 = duet_socket(x->v4, AF_INET, SOCK_DGRAM, 0);
	ds_sendto(x->v4, c4, "192.0.2.1", 5002);
	ds_run(x);
	ds_local(x->v4, c4, local);
	memset(&from, 0xaa, sizeof from);
	ok &= duet_recvfrom(x->srv, srv, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from,
			    &len) == 2;
	inet_ntop(AF_INET6, &from.sin6_addr, a1, sizeof a1);
	printf("DS-2  server [::]:5002 recvfrom: v4host %s is family AF_INET6, %s port %u "
	       "flowinfo %u scope %u\n", local, a1, ntohs(from.sin6_port),
	       (unsigned)from.sin6_flowinfo, (unsigned)from.sin6_scope_id);
	/* Connect back to the address as shown; getpeername shows it the same. */
	ok &= duet_connect(x->srv, srv, (struct sockaddr *)&from, len) == 0;
	memset(&peer, 0, sizeof peer);
	ok &= duet_getpeername(x->srv, srv, (struct sockaddr *)&peer, &plen) == 0;
	inet_ntop(AF_INET6, &peer.sin6_addr, a2, sizeof a2);
	printf("DS-2  server [::]:5002 getpeername after connect: [%s]:%u\n", a2,
	       ntohs(peer.sin6_port));
	ok &= len == sizeof from && from.sin6_family == AF_INET6 &&
	      strcmp(a1, "::ffff:192.0.2.2") == 0 && from.sin6_flowinfo == 0 &&
	      from.sin6_scope_id == 0 && strcmp(a2, a1) == 0 && peer.sin6_port == from.sin6_port;
	duet_close(x->srv, srv);
	duet_close(x->v4, c4);
	ds_verdict(x, "DS-2", ok);
}

/* DS-3: :: with V6ONLY=0 serves both; the answers reach both clients. */
static void ds3(struct ds_demo *x)
{
	struct sockaddr_storage from, back;
	socklen_t len, blen;
	char buf[8], addr[INET6_ADDRSTRLEN], full[80];
	struct duet_stack *cs[2] = { x->v4, x->v6 };
	const char *name[2] = { "v4host", "v6host" }, *dst[2] = { "192.0.2.1", "2001:db8::1" };
	const char *expect[2] = { "::ffff:192.0.2.2", "2001:db8::2" };
	int srv = ds_sock6(x, 0), i, ok;

	ok = ds_bind(x->srv, srv, "::", 5003) == 0;
	for (i = 0; i < 2; i++) {
		int c = duet_socket(cs[i], i ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);

		ds_sendto(cs[i], c, dst[i], 5003);
		ds_run(x);
		len = sizeof from;
		memset(&from, 0, sizeof from);
		ok &= duet_recvfrom(x->srv, srv, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT,
				    (struct sockaddr *)&from, &len) == 2;
		ok &= ds_expect(x, "DS-3", "[::]:5003 V6ONLY=0", srv, name[i], cs[i], c, expect[i]);
		duet_sendto(x->srv, srv, "ok", 2, 0, (struct sockaddr *)&from, len);
		ds_run(x);
		blen = sizeof back;
		memset(&back, 0, sizeof back);
		ok &= duet_recvfrom(cs[i], c, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&back,
				    &blen) == 2;
		ds_ntop(&back, addr, full);
		printf("DS-3  %s <- answer from %s (the server as %s sees it)\n", name[i], full, name[i]);
		duet_close(cs[i], c);
	}
	duet_close(x->srv, srv);
	ds_verdict(x, "DS-3", ok);
}

/* DS-4: V6ONLY=1 [::]:P shares P with 0.0.0.0:P; V6ONLY=0 does not, in
 * either order. */
static void ds4(struct ds_demo *x)
{
	int a, b, e1, e2, ok;

	a = ds_sock6(x, 1);
	b = duet_socket(x->srv, AF_INET, SOCK_DGRAM, 0);
	e1 = ds_bind(x->srv, a, "::", 5004);
	e2 = ds_bind(x->srv, b, "0.0.0.0", 5004);
	printf("DS-4  [::]:5004 V6ONLY=1 then 0.0.0.0:5004      -> %s, %s\n", e1 ? strerror(-e1) : "ok",
	       e2 ? strerror(-e2) : "ok");
	ok = e1 == 0 && e2 == 0;
	duet_close(x->srv, a);
	duet_close(x->srv, b);
	a = ds_sock6(x, 0);
	b = duet_socket(x->srv, AF_INET, SOCK_DGRAM, 0);
	e1 = ds_bind(x->srv, a, "::", 5005);
	e2 = ds_bind(x->srv, b, "0.0.0.0", 5005);
	printf("DS-4  [::]:5005 V6ONLY=0 then 0.0.0.0:5005      -> %s, %s\n", e1 ? strerror(-e1) : "ok",
	       e2 ? strerror(-e2) : "ok");
	ok &= e1 == 0 && e2 == -EADDRINUSE;
	duet_close(x->srv, a);
	duet_close(x->srv, b);
	a = ds_sock6(x, 0);
	b = duet_socket(x->srv, AF_INET, SOCK_DGRAM, 0);
	e2 = ds_bind(x->srv, b, "0.0.0.0", 5006);
	e1 = ds_bind(x->srv, a, "::", 5006);
	printf("DS-4  0.0.0.0:5006 then [::]:5006 V6ONLY=0      -> %s, %s\n", e2 ? strerror(-e2) : "ok",
	       e1 ? strerror(-e1) : "ok");
	ok &= e2 == 0 && e1 == -EADDRINUSE;
	duet_close(x->srv, a);
	duet_close(x->srv, b);
	ds_verdict(x, "DS-4", ok);
}

/* DS-5: a V6ONLY=1 socket refuses v4-mapped addresses; V6ONLY is fixed
 * once bound. */
static void ds5(struct ds_demo *x)
{
	int s = ds_sock6(x, 1), e1, e2, e3, zero = 0, ok;

	e1 = ds_bind(x->srv, s, "::ffff:192.0.2.1", 5007);
	e2 = ds_connect(x->srv, s, "::ffff:192.0.2.2", 5007);
	ds_bind(x->srv, s, "::", 5007);
	e3 = duet_setsockopt(x->srv, s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero) ? -errno : 0;
	printf("DS-5  V6ONLY=1: bind [::ffff:192.0.2.1]:5007 -> %s\n", strerror(-e1));
	printf("DS-5  V6ONLY=1: connect [::ffff:192.0.2.2]:5007 -> %s\n", strerror(-e2));
	printf("DS-5  V6ONLY=1, bound [::]:5007: set V6ONLY=0 -> %s\n", strerror(-e3));
	ok = e1 == -EINVAL && e2 == -ENETUNREACH && e3 == -EINVAL;
	duet_close(x->srv, s);
	ds_verdict(x, "DS-5", ok);
}

/* DS-6: [::ffff:192.0.2.1]:P and [2001:db8::1]:P, both clients send; select()
 * and poll() find each socket readable with only its own family. */
static void ds6(struct ds_demo *x)
{
	struct timeval now = { 0, 0 };
	struct pollfd pfd[2];
	fd_set rd;
	int a = ds_sock6(x, 0), b = ds_sock6(x, 0), c4, c6, n, ok, round;

	ok = ds_bind(x->srv, a, "::ffff:192.0.2.1", 5008) == 0;
	ok &= ds_bind(x->srv, b, "2001:db8::1", 5008) == 0;
	c4 = duet_socket(x->v4, AF_INET, SOCK_DGRAM, 0);
	c6 = duet_socket(x->v6, AF_INET6, SOCK_DGRAM, 0);
	for (round = 0; round < 2; round++) {
		ds_sendto(x->v4, c4, "192.0.2.1", 5008);
		ds_sendto(x->v6, c6, "2001:db8::1", 5008);
		ds_run(x);
		if (round == 0) {
			FD_ZERO(&rd);
			FD_SET(a, &rd);
			FD_SET(b, &rd);
			n = duet_select(x->srv, (a > b ? a : b) + 1, &rd, NULL, NULL, &now);
			printf("DS-6  select(): %d readable\n", n);
			ok &= n == 2 && FD_ISSET(a, &rd) && FD_ISSET(b, &rd);
		} else {
			pfd[0] = (struct pollfd){ .fd = a, .events = POLLIN };
			pfd[1] = (struct pollfd){ .fd = b, .events = POLLIN };
			n = duet_poll(x->srv, pfd, 2, 0);
			printf("DS-6  poll(): %d readable\n", n);
			ok &= n == 2 && (pfd[0].revents & POLLIN) && (pfd[1].revents & POLLIN);
		}
		ok &= ds_expect(x, "DS-6", "[::ffff:192.0.2.1]:5008", a, "v4host", x->v4, c4,
				"::ffff:192.0.2.2");
		ok &= ds_expect(x, "DS-6", "[::ffff:192.0.2.1]:5008", a, "v6host", x->v6, c6, NULL);
		ok &= ds_expect(x, "DS-6", "[2001:db8::1]:5008", b, "v6host", x->v6, c6,
				"2001:db8::2");
		ok &= ds_expect(x, "DS-6", "[2001:db8::1]:5008", b, "v4host", x->v4, c4, NULL);
	}
	duet_close(x->srv, a);
	duet_close(x->srv, b);
	duet_close(x->v4, c4);
	duet_close(x->v6, c6);
	ds_verdict(x, "DS-6", ok);
}

/* --- the seed Q&A over TCP ------------------------------------------------ */

static int ds_stream6(struct ds_demo *x, int v6only)
{
	int fd = duet_socket(x->srv, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);

	duet_setsockopt(x->srv, fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
	return fd;
}

/* A client of cs connects to dst:port (non-blocking, the simulation runs
 * the handshake). Returns the descriptor; *err: 0 or the connect's errno
 * as SO_ERROR reported it. */
static int ds_tcp_connect(struct ds_demo *x, struct duet_stack *cs, const char *dst, uint16_t port,
			  int *err)
{
	int fam = strchr(dst, ':') ? AF_INET6 : AF_INET;
	int fd = duet_socket(cs, fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
	socklen_t len = sizeof *err;

	*err = ds_connect(cs, fd, dst, port);
	if (*err == -EINPROGRESS) {
		ds_run(x);
		duet_getsockopt(cs, fd, SOL_SOCKET, SO_ERROR, err, &len);
	}
	return fd;
}

/* Accepts one connection on lfd: prints how the client appears and returns
 * 1 if it appears as expect and echoes a message back (NULL: none must come). */
static int ds_tcp_expect(struct ds_demo *x, const char *id, const char *server, int lfd,
			 const char *client, struct duet_stack *cs, int cfd, int cerr,
			 const char *expect)
{
	struct sockaddr_storage from;
	socklen_t len = sizeof from;
	char buf[16], addr[INET6_ADDRSTRLEN], full[80], local[80];
	int s = duet_accept(x->srv, lfd, (struct sockaddr *)&from, &len), ok;

	ds_local(cs, cfd, local);
	if (s < 0) {
		printf("%-4s  server %-30s x- %s %s: %s\n", id, server, client, local,
		       cerr ? strerror(cerr) : "not accepted");
		return expect == NULL && cerr == ECONNREFUSED;
	}
	ds_ntop(&from, addr, full);
	printf("%-4s  server %-30s <- %s %s accepted, appears as %s\n", id, server, client, local,
	       addr);
	ok = expect != NULL && strcmp(addr, expect) == 0 && cerr == 0;
	/* A line each way over the connection. */
	ok &= duet_send(cs, cfd, "hello", 5, 0) == 5;
	ds_run(x);
	ok &= duet_recv(x->srv, s, buf, sizeof buf, 0) == 5;
	ok &= duet_send(x->srv, s, buf, 5, 0) == 5;
	ds_run(x);
	ok &= duet_recv(cs, cfd, buf, sizeof buf, 0) == 5 && memcmp(buf, "hello", 5) == 0;
	printf("%-4s  %s %s echoed \"hello\" %s\n", id, client, local, ok ? "back" : "NOT back");
	duet_close(x->srv, s);
	return ok;
}

/* DS-1 over TCP: a listener on [::ffff:192.0.2.1] serves the IPv4 client;
 * the IPv6 client is refused (a reset: ECONNREFUSED). */
static void ds1_tcp(struct ds_demo *x)
{
	int lfd = ds_stream6(x, 0), c4, c6, e4, e6, ok;
	const char *name = "[::ffff:192.0.2.1]:6001 V6ONLY=0";

	ok = ds_bind(x->srv, lfd, "::ffff:192.0.2.1", 6001) == 0 && duet_listen(x->srv, lfd, 8) == 0;
	c4 = ds_tcp_connect(x, x->v4, "192.0.2.1", 6001, &e4);
	ok &= ds_tcp_expect(x, "DS-1", name, lfd, "v4host", x->v4, c4, e4, "::ffff:192.0.2.2");
	c6 = ds_tcp_connect(x, x->v6, "2001:db8::1", 6001, &e6);
	ok &= ds_tcp_expect(x, "DS-1", name, lfd, "v6host", x->v6, c6, e6, NULL);
	duet_close(x->srv, lfd);
	duet_close(x->v4, c4);
	duet_close(x->v6, c6);
	ds_run(x);
	ds_verdict(x, "DS-1", ok);
}

/* DS-3 over TCP: [::]:6002 with V6ONLY=0 accepts both clients, the IPv4
 * one as ::ffff:192.0.2.2 (DS-2). */
static void ds3_tcp(struct ds_demo *x)
{
	int lfd = ds_stream6(x, 0), c4, c6, e4, e6, ok;
	const char *name = "[::]:6002 V6ONLY=0";

	ok = ds_bind(x->srv, lfd, "::", 6002) == 0 && duet_listen(x->srv, lfd, 8) == 0;
	c4 = ds_tcp_connect(x, x->v4, "192.0.2.1", 6002, &e4);
	ok &= ds_tcp_expect(x, "DS-3", name, lfd, "v4host", x->v4, c4, e4, "::ffff:192.0.2.2");
	c6 = ds_tcp_connect(x, x->v6, "2001:db8::1", 6002, &e6);
	ok &= ds_tcp_expect(x, "DS-3", name, lfd, "v6host", x->v6, c6, e6, "2001:db8::2");
	duet_close(x->srv, lfd);
	duet_close(x->v4, c4);
	duet_close(x->v6, c6);
	ds_run(x);
	ds_verdict(x, "DS-3", ok);
}

/* DS-6 over TCP: [::ffff:192.0.2.1]:6003 and [2001:db8::1]:6003 listen on
 * one port; under poll() each becomes readable with only its own family's
 * client. */
static void ds6_tcp(struct ds_demo *x)
{
	struct pollfd pfd[2];
	int a = ds_stream6(x, 0), b = ds_stream6(x, 0), c4, c6, e4, e6, n, ok;

	ok = ds_bind(x->srv, a, "::ffff:192.0.2.1", 6003) == 0 && duet_listen(x->srv, a, 8) == 0;
	ok &= ds_bind(x->srv, b, "2001:db8::1", 6003) == 0 && duet_listen(x->srv, b, 8) == 0;
	c4 = ds_tcp_connect(x, x->v4, "192.0.2.1", 6003, &e4);
	c6 = ds_tcp_connect(x, x->v6, "2001:db8::1", 6003, &e6);
	pfd[0] = (struct pollfd){ .fd = a, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = b, .events = POLLIN };
	n = duet_poll(x->srv, pfd, 2, 0);
	printf("DS-6  poll() on both listeners: %d readable\n", n);
	ok &= n == 2 && (pfd[0].revents & POLLIN) && (pfd[1].revents & POLLIN);
	ok &= ds_tcp_expect(x, "DS-6", "[::ffff:192.0.2.1]:6003", a, "v4host", x->v4, c4, e4,
			    "::ffff:192.0.2.2");
	ok &= ds_tcp_expect(x, "DS-6", "[2001:db8::1]:6003", b, "v6host", x->v6, c6, e6,
			    "2001:db8::2");
	n = duet_poll(x->srv, pfd, 2, 0);
	ok &= n == 0; /* each had only its own client */
	duet_close(x->srv, a);
	duet_close(x->srv, b);
	duet_close(x->v4, c4);
	duet_close(x->v6, c6);
	ds_run(x);
	ds_verdict(x, "DS-6", ok);
}

/* Plays the TCP scenarios; returns how many behaved as expected (of 3). */
static unsigned demo_dual_stack_tcp(uint64_t seed)
{
	struct ds_demo x;

	memset(&x, 0, sizeof x);
	printf("\nthe same dual-stack servers over TCP (DS-1, DS-3, DS-6, T-2)\n\n");
	if (ds_setup(&x, seed)) {
		printf("  setting up the dual-stack network failed\n");
		duet_sim_destroy(x.sim);
		return 0;
	}
	ds1_tcp(&x);
	ds3_tcp(&x);
	ds6_tcp(&x);
	duet_sim_destroy(x.sim);
	printf("%u of %u TCP dual-stack scenarios as expected.\n", x.ok, x.total);
	return x.ok;
}

/* Plays DS-1 .. DS-6; returns how many behaved as expected (of 6). */
static unsigned demo_dual_stack(uint64_t seed)
{
	struct ds_demo x;

	memset(&x, 0, sizeof x);
	printf("\ndual-stack servers over UDP (DS-1 .. DS-6): server 192.0.2.1 + 2001:db8::1,\n"
	       "v4host 192.0.2.2 (IPv4 only), v6host 2001:db8::2 (IPv6 only)\n\n");
	if (ds_setup(&x, seed)) {
		printf("  setting up the dual-stack network failed\n");
		duet_sim_destroy(x.sim);
		return 0;
	}
	ds1(&x);
	ds2(&x);
	ds3(&x);
	ds4(&x);
	ds5(&x);
	ds6(&x);
	duet_sim_destroy(x.sim);
	printf("%u of %u dual-stack scenarios as expected.\n", x.ok, x.total);
	return x.ok;
}

int tool_demo(int argc, char **argv)
{
	struct demo d;
	const char *pcap = NULL;
	uint64_t seed = 1;
	unsigned ds_ok, tcp_ok;
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
	printf("duet demo (seed %llu): two dual-stack hosts on one cable, 2 ms +/- 0.5 ms each way\n",
	       (unsigned long long)seed);
	err = demo_setup(&d, seed, pcap);
	if (err) {
		fprintf(stderr, "duet demo: setting up the simulation failed: %s\n", strerror(-err));
		duet_sim_destroy(d.sim);
		return 1;
	}
	demo_print_host(&d.alpha);
	demo_print_host(&d.beta);
	printf("\n  %9s  frames as each host received them\n"
	       "\n  the interfaces come up: MLD reports for the solicited-node groups,\n"
	       "  duplicate address detection, router solicitation, gratuitous ARP (3 s):\n",
	       "time (ms)");
	duet_sim_run_for(d.sim, 3 * DUET_NS_PER_S);
	demo_ping(&d, AF_INET, 1, 56);
	demo_ping(&d, AF_INET6, 2, 56);
	demo_ping(&d, AF_INET, 3, 3000);
	demo_ping(&d, AF_INET6, 4, 3000);
	demo_summary(&d);
	printf("\n%u of 4 echo requests answered.\n", d.replies);
	if (pcap)
		printf("capture written to %s\n", pcap);
	duet_sim_destroy(d.sim);
	ds_ok = demo_dual_stack(seed);
	tcp_ok = demo_dual_stack_tcp(seed);
	return d.replies == 4 && ds_ok == 6 && tcp_ok == 3 ? 0 : 1;
}
