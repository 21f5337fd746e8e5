/* The differential socket tables (sockdiff_cases*.c: DS-1..DS-8, B-1..B-8,
 * S-1, T-1) run on duet: each case on a fresh simulation of two stacks on
 * one cable, with the addresses the Linux half has (test_sockdiff_linux):
 * this host "lo" (127.0.0.1/8, ::1) and eth0 10.0.0.1/24, fd00::1/64 (no
 * DAD); the peer 10.0.0.2/24, fd00::2/64. Expected values are Linux's;
 * steps where duet deliberately differs say why (docs/FEATURES.md lists
 * them). SETTLE runs the simulation for 200 ms of virtual time.
 * SOCKDIFF_CASE=substring selects cases. */
#include "check.h"
#include "sim_fixture.h"
#include "sockdiff.h"

#include <duet/socket.h>
#include <duet/sysctl.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

#define DX_SETTLE_MS 200

struct dx_ctx {
	struct duet_sim *sim;
	struct duet_stack *st[2];   /* this host, the peer */
	int ifindex[2];
};

static int dx_socket(void *ctx, int host, int domain, int type, int protocol)
{
	return duet_socket(((struct dx_ctx *)ctx)->st[host], domain, type, protocol);
}

static int dx_close(void *ctx, int host, int fd)
{
	return duet_close(((struct dx_ctx *)ctx)->st[host], fd);
}

static int dx_bind(void *ctx, int host, int fd, const struct sockaddr *sa, socklen_t len)
{
	return duet_bind(((struct dx_ctx *)ctx)->st[host], fd, sa, len);
}

/* A simulated stack never blocks: a blocking stream connect is played as
 * Linux's (the handshake runs, then its outcome). */
static int dx_connect(void *ctx, int host, int fd, const struct sockaddr *sa, socklen_t len)
{
	struct dx_ctx *x = ctx;
	struct duet_stack *st = x->st[host];
	int r = duet_connect(st, fd, sa, len);

	if (r == 0 || errno != EINPROGRESS || (duet_fcntl(st, fd, F_GETFL) & O_NONBLOCK))
		return r;
	duet_sim_run_for(x->sim, SF_MS(DX_SETTLE_MS));
	/* The call after the handshake reports its outcome (0, or the
	 * error), as Linux's inet_stream_connect does. */
	return duet_connect(st, fd, sa, len);
}

static int dx_listen(void *ctx, int host, int fd, int backlog)
{
	return duet_listen(((struct dx_ctx *)ctx)->st[host], fd, backlog);
}

static int dx_accept(void *ctx, int host, int fd, struct sockaddr *sa, socklen_t *len)
{
	return duet_accept(((struct dx_ctx *)ctx)->st[host], fd, sa, len);
}

static int dx_setsockopt(void *ctx, int host, int fd, int level, int name, const void *val,
			 socklen_t len)
{
	return duet_setsockopt(((struct dx_ctx *)ctx)->st[host], fd, level, name, val, len);
}

static int dx_getsockopt(void *ctx, int host, int fd, int level, int name, void *val,
			 socklen_t *len)
{
	return duet_getsockopt(((struct dx_ctx *)ctx)->st[host], fd, level, name, val, len);
}

static int dx_getsockname(void *ctx, int host, int fd, struct sockaddr *sa, socklen_t *len)
{
	return duet_getsockname(((struct dx_ctx *)ctx)->st[host], fd, sa, len);
}

static int dx_getpeername(void *ctx, int host, int fd, struct sockaddr *sa, socklen_t *len)
{
	return duet_getpeername(((struct dx_ctx *)ctx)->st[host], fd, sa, len);
}

static ssize_t dx_sendto(void *ctx, int host, int fd, const void *buf, size_t len, int flags,
			 const struct sockaddr *to, socklen_t tolen)
{
	struct duet_stack *s = ((struct dx_ctx *)ctx)->st[host];

	return to ? duet_sendto(s, fd, buf, len, flags, to, tolen) :
		    duet_send(s, fd, buf, len, flags);
}

static ssize_t dx_recvfrom(void *ctx, int host, int fd, void *buf, size_t len, int flags,
			   struct sockaddr *from, socklen_t *fromlen)
{
	struct duet_stack *s = ((struct dx_ctx *)ctx)->st[host];

	return from ? duet_recvfrom(s, fd, buf, len, flags, from, fromlen) :
		      duet_recv(s, fd, buf, len, flags);
}

static ssize_t dx_sendmsg(void *ctx, int host, int fd, const struct msghdr *msg, int flags)
{
	return duet_sendmsg(((struct dx_ctx *)ctx)->st[host], fd, msg, flags);
}

static ssize_t dx_recvmsg(void *ctx, int host, int fd, struct msghdr *msg, int flags)
{
	return duet_recvmsg(((struct dx_ctx *)ctx)->st[host], fd, msg, flags);
}

static int dx_shutdown(void *ctx, int host, int fd, int how)
{
	return duet_shutdown(((struct dx_ctx *)ctx)->st[host], fd, how);
}

static int dx_fcntl(void *ctx, int host, int fd, int cmd, int arg)
{
	return duet_fcntl(((struct dx_ctx *)ctx)->st[host], fd, cmd, arg);
}

static int dx_poll(void *ctx, int host, struct pollfd *pfd)
{
	return duet_poll(((struct dx_ctx *)ctx)->st[host], pfd, 1, 0);
}

static void dx_settle(void *ctx)
{
	duet_sim_run_for(((struct dx_ctx *)ctx)->sim, SF_MS(DX_SETTLE_MS));
}

static int dx_set_bindv6only(void *ctx, int value)
{
	int r = duet_sysctl_set(((struct dx_ctx *)ctx)->st[0], "net.inet6.ip6.bindv6only", value);

	if (r < 0) {
		errno = -r;
		return -1;
	}
	return 0;
}

static unsigned dx_main_ifindex(void *ctx, int host)
{
	return (unsigned)((struct dx_ctx *)ctx)->ifindex[host];
}

/* The two stacks of one case, as test_sockdiff_linux builds its namespaces. */
static int dx_setup(struct dx_ctx *x)
{
	static const char *const a6[2] = { "fd00::1", "fd00::2" };
	uint8_t addr6[16], addr4[4] = { 10, 0, 0, 1 };
	int h;

	memset(x, 0, sizeof(*x));
	if (duet_sim_create(7, 0, &x->sim) != 0)
		return -1;
	x->st[0] = sf_add_stack(x->sim, "host", NULL, true);
	x->st[1] = sf_add_stack(x->sim, "peer", NULL, true);
	if (duet_sim_connect(x->sim, x->st[0], x->st[1], NULL, &x->ifindex[0], &x->ifindex[1]))
		return -1;
	for (h = 0; h < 2; h++) {
		sf_a6(a6[h], addr6);
		addr4[3] = (uint8_t)(1 + h);
		if (duet_if_addr_add(x->st[h], (uint32_t)x->ifindex[h], AF_INET6, addr6, 64,
				     DUET_IFA_F_NODAD) != 0 ||
		    duet_if_addr_add(x->st[h], (uint32_t)x->ifindex[h], AF_INET, addr4, 24, 0) != 0)
			return -1;
	}
	duet_sim_run_for(x->sim, SF_MS(10));
	return 0;
}

static int dx_ran, dx_failed, dx_skipped;

static void dx_case(const struct sd_case *c, void *arg)
{
	struct dx_ctx x;
	struct sd_backend be = {
		.name = "duet", .is_duet = 1, .ctx = &x, .socket = dx_socket, .close = dx_close,
		.bind = dx_bind, .connect = dx_connect, .listen = dx_listen, .accept = dx_accept,
		.setsockopt = dx_setsockopt, .getsockopt = dx_getsockopt,
		.getsockname = dx_getsockname, .getpeername = dx_getpeername,
		.sendto = dx_sendto, .recvfrom = dx_recvfrom, .shutdown = dx_shutdown,
		.sendmsg = dx_sendmsg, .recvmsg = dx_recvmsg,
		.fcntl = dx_fcntl, .poll = dx_poll, .settle = dx_settle,
		.set_bindv6only = dx_set_bindv6only, .main_ifindex = dx_main_ifindex,
	};
	int n;

	(void)arg;
	if (c->skip_duet) {
		printf("  skip %s [%s]: duet: %s\n", c->name, c->spec, c->skip_duet);
		dx_skipped++;
		return;
	}
	dx_ran++;
	if (dx_setup(&x) != 0) {
		check_fail(__FILE__, __LINE__, "%s: the simulation could not be built", c->name);
		dx_failed++;
		duet_sim_destroy(x.sim);
		return;
	}
	n = sd_run_case(&be, c, stdout);
	duet_sim_destroy(x.sim);
	if (n) {
		check_fail(__FILE__, __LINE__, "%s [%s]: %d mismatch(es) on duet", c->name, c->spec, n);
		dx_failed++;
	} else {
		printf("  ok   %s [%s]\n", c->name, c->spec);
	}
}

/* DS-1..DS-8, B-1..B-8, S-1, T-1: duet agrees with Linux on every table case
 * but the differences the table gives reasons for. */
TEST(sockdiff_duet)
{
	sd_for_each_case(getenv("SOCKDIFF_CASE"), dx_case, NULL);
	printf("  duet: %d cases run, %d failed, %d skipped (Linux only)\n", dx_ran, dx_failed,
	       dx_skipped);
}
