/* Shared by the ds_*.c examples: a simulated network of three hosts.
 *
 *        v4host 10.0.0.2 ----cable---- server 10.0.0.1 (if 1)
 *                                      server fd00::1  (if 2) ----cable---- v6host fd00::2
 *
 * "server" is dual-stack (an IPv4 and an IPv6 address), "v4host" has only
 * an IPv4 address, "v6host" only an IPv6 address. Plus small helpers to
 * build, print and exchange socket addresses. */
#ifndef DUET_EXAMPLES_DS_NET_H
#define DUET_EXAMPLES_DS_NET_H

#include <duet/net.h>
#include <duet/sim.h>
#include <duet/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

struct ds_net {
	struct duet_sim *sim;
	struct duet_stack *server, *v4host, *v6host;
};

static inline int ds_addr(struct duet_stack *s, int ifindex, const char *text)
{
	uint8_t a[16];
	int fam = strchr(text, ':') ? AF_INET6 : AF_INET;

	if (inet_pton(fam, text, a) != 1)
		return -EINVAL;
	return duet_if_addr_add(s, (uint32_t)ifindex, fam, a, fam == AF_INET ? 24 : 64,
				fam == AF_INET6 ? DUET_IFA_F_NODAD : 0);
}

static inline int ds_net_setup(struct ds_net *n)
{
	struct duet_stack_config cfg;
	int s4, c4, s6, c6;

	memset(n, 0, sizeof(*n));
	duet_stack_config_init(&cfg);
	cfg.is_ipv6_autoconf_off = true; /* only the addresses we give */
	if (duet_sim_create(1, 0, &n->sim) || duet_sim_add_stack(n->sim, "server", &cfg, &n->server) ||
	    duet_sim_add_stack(n->sim, "v4host", &cfg, &n->v4host) ||
	    duet_sim_add_stack(n->sim, "v6host", &cfg, &n->v6host) ||
	    duet_sim_connect(n->sim, n->server, n->v4host, NULL, &s4, &c4) ||
	    duet_sim_connect(n->sim, n->server, n->v6host, NULL, &s6, &c6) ||
	    ds_addr(n->server, s4, "10.0.0.1") || ds_addr(n->v4host, c4, "10.0.0.2") ||
	    ds_addr(n->server, s6, "fd00::1") || ds_addr(n->v6host, c6, "fd00::2"))
		return -1;
	duet_sim_run_for(n->sim, 10 * DUET_NS_PER_MS);
	return 0;
}

/* Lets the frames cross the cables. */
static inline void ds_run(struct ds_net *n)
{
	duet_sim_run_for(n->sim, 50 * DUET_NS_PER_MS);
}

/* "fd00::1" / "::ffff:10.0.0.1" -> sockaddr_in6, "10.0.0.1" -> sockaddr_in. */
static inline socklen_t ds_sa(const char *text, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(text, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		inet_pton(AF_INET6, text, &a->sin6_addr);
		return sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		inet_pton(AF_INET, text, &a->sin_addr);
		return sizeof(*a);
	}
}

static inline int ds_bind(struct duet_stack *s, int fd, const char *text, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len = ds_sa(text, port, &ss);

	return duet_bind(s, fd, (struct sockaddr *)&ss, len);
}

static inline int ds_connect(struct duet_stack *s, int fd, const char *text, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len = ds_sa(text, port, &ss);

	return duet_connect(s, fd, (struct sockaddr *)&ss, len);
}

static inline ssize_t ds_sendto(struct duet_stack *s, int fd, const char *msg, const char *text,
				uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len = ds_sa(text, port, &ss);

	return duet_sendto(s, fd, msg, strlen(msg), 0, (struct sockaddr *)&ss, len);
}

/* A sockaddr as "[addr]:port" or "addr:port". */
static inline const char *ds_ntop(const struct sockaddr_storage *ss, char *out, size_t cap)
{
	char a[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof a);
		snprintf(out, cap, "[%s]:%u", a, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof a);
		snprintf(out, cap, "%s:%u", a, ntohs(s4->sin_port));
	}
	return out;
}

/* Receives one datagram without waiting; the sender's address, as the
 * server's socket shows it, goes to from. Returns recvfrom's value. */
static inline ssize_t ds_recv(struct duet_stack *s, int fd, char *buf, size_t cap, char *from,
			      size_t from_cap)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	ssize_t r = duet_recvfrom(s, fd, buf, cap - 1, MSG_DONTWAIT, (struct sockaddr *)&ss, &len);

	if (r >= 0) {
		buf[r] = '\0';
		ds_ntop(&ss, from, from_cap);
	}
	return r;
}

#endif
