/* The differential socket tables (sockdiff_cases*.c: DS-1..DS-8, B-1..B-6,
 * S-1, T-1) run on the Linux kernel's own sockets: each case in a forked
 * child that enters a new network namespace A ("lo" up, veth0 with
 * 10.0.0.1/24 and fd00::1/64 nodad) whose veth peer veth1 sits in a second
 * namespace B (10.0.0.2/24, fd00::2/64): the peer host. This is the proof
 * that the tables' expected values are Linux's; test_sockdiff_duet runs the
 * same tables on duet.
 *
 * Needs root and unshare(CLONE_NEWNET); without them every case is skipped
 * and the program exits 77 (ctest: "Skipped", never "Passed").
 * SOCKDIFF_CASE=substring selects cases. */
#include "check.h"
#include "sockdiff.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LX_SETTLE_MS 30
#define LX_CASE_TIMEOUT_S 20

struct lx_ctx {
	int ns[2];          /* namespace descriptors: this host (A), the peer (B) */
	unsigned ifindex[2];
};

/* Runs `ip args...` in the current namespace; 0 when it exits 0. */
static int lx_ip(const char *const *args)
{
	char *argv[16];
	pid_t pid;
	int i, st, devnull;

	argv[0] = (char *)"ip";
	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = (char *)args[i];
	argv[i + 1] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0)
			dup2(devnull, 1);
		execvp("ip", argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

#define LX_IP(...) lx_ip((const char *const[]){ __VA_ARGS__, NULL })

static int lx_enter(const struct lx_ctx *lx, int host)
{
	return setns(lx->ns[host], CLONE_NEWNET);
}

/* Waits (bounded) until the interface is running. */
static int lx_wait_running(const char *name)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), i, ok = 0;

	if (fd < 0)
		return -1;
	for (i = 0; i < 400 && !ok; i++) {
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
		if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_RUNNING))
			ok = 1;
		else
			usleep(5000);
	}
	close(fd);
	return ok ? 0 : -1;
}

/* Builds namespaces A and B joined by veth0 / veth1; the process ends in A. */
static int lx_setup(struct lx_ctx *lx)
{
	char peer_ns[64];

	if (unshare(CLONE_NEWNET) != 0)
		return -1;
	lx->ns[0] = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (lx->ns[0] < 0 || unshare(CLONE_NEWNET) != 0)
		return -1;
	lx->ns[1] = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (lx->ns[1] < 0 || LX_IP("link", "set", "lo", "up") != 0 || lx_enter(lx, 0) != 0)
		return -1;
	snprintf(peer_ns, sizeof(peer_ns), "/proc/%d/fd/%d", (int)getpid(), lx->ns[1]);
	/* Indexes of their own: a veth whose peer's index equals its own looks
	 * like a non-stacked device to linkwatch, whose carrier event then
	 * waits up to a second instead of being handled at once. */
	if (LX_IP("link", "set", "lo", "up") != 0 ||
	    LX_IP("link", "add", "veth0", "index", "10", "type", "veth", "peer", "name", "veth1",
		  "index", "20", "netns", peer_ns) != 0 ||
	    LX_IP("addr", "add", "10.0.0.1/24", "dev", "veth0") != 0 ||
	    LX_IP("-6", "addr", "add", "fd00::1/64", "dev", "veth0", "nodad") != 0 ||
	    LX_IP("link", "set", "veth0", "up") != 0 || lx_enter(lx, 1) != 0 ||
	    LX_IP("addr", "add", "10.0.0.2/24", "dev", "veth1") != 0 ||
	    LX_IP("-6", "addr", "add", "fd00::2/64", "dev", "veth1", "nodad") != 0 ||
	    LX_IP("link", "set", "veth1", "up") != 0 || lx_wait_running("veth1") != 0)
		return -1;
	lx->ifindex[1] = if_nametoindex("veth1");
	if (lx_enter(lx, 0) != 0 || lx_wait_running("veth0") != 0)
		return -1;
	lx->ifindex[0] = if_nametoindex("veth0");
	return lx->ifindex[0] && lx->ifindex[1] ? 0 : -1;
}

/* ---- the backend: libc calls; sockets of the peer are created in B ------- */

static int lx_socket(void *ctx, int host, int domain, int type, int protocol)
{
	struct lx_ctx *lx = ctx;
	int fd, e;

	if (host && lx_enter(lx, 1) != 0)
		return -1;
	fd = socket(domain, type, protocol);
	e = errno;
	if (host && lx_enter(lx, 0) != 0)
		abort();
	errno = e;
	return fd;
}

static int lx_close(void *ctx, int host, int fd)
{
	(void)ctx; (void)host;
	return close(fd);
}

static int lx_bind(void *ctx, int host, int fd, const struct sockaddr *sa, socklen_t len)
{
	(void)ctx; (void)host;
	return bind(fd, sa, len);
}

static int lx_connect(void *ctx, int host, int fd, const struct sockaddr *sa, socklen_t len)
{
	(void)ctx; (void)host;
	return connect(fd, sa, len);
}

static int lx_listen(void *ctx, int host, int fd, int backlog)
{
	(void)ctx; (void)host;
	return listen(fd, backlog);
}

static int lx_accept(void *ctx, int host, int fd, struct sockaddr *sa, socklen_t *len)
{
	(void)ctx; (void)host;
	return accept4(fd, sa, len, SOCK_NONBLOCK);
}

static int lx_setsockopt(void *ctx, int host, int fd, int level, int name, const void *val,
			 socklen_t len)
{
	(void)ctx; (void)host;
	return setsockopt(fd, level, name, val, len);
}

static int lx_getsockopt(void *ctx, int host, int fd, int level, int name, void *val,
			 socklen_t *len)
{
	(void)ctx; (void)host;
	return getsockopt(fd, level, name, val, len);
}

static int lx_getsockname(void *ctx, int host, int fd, struct sockaddr *sa, socklen_t *len)
{
	(void)ctx; (void)host;
	return getsockname(fd, sa, len);
}

static int lx_getpeername(void *ctx, int host, int fd, struct sockaddr *sa, socklen_t *len)
{
	(void)ctx; (void)host;
	return getpeername(fd, sa, len);
}

static ssize_t lx_sendto(void *ctx, int host, int fd, const void *buf, size_t len, int flags,
			 const struct sockaddr *to, socklen_t tolen)
{
	(void)ctx; (void)host;
	return to ? sendto(fd, buf, len, flags, to, tolen) : send(fd, buf, len, flags);
}

/* A receive that would wait fails with EAGAIN, as on a simulated duet
 * stack: when the socket is not readable the kernel is asked with
 * MSG_DONTWAIT; when it is (data, an error, SHUT_RD) the call is made as
 * given, and cannot block. */
static ssize_t lx_recvfrom(void *ctx, int host, int fd, void *buf, size_t len, int flags,
			   struct sockaddr *from, socklen_t *fromlen)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	(void)ctx; (void)host;
	if (poll(&pfd, 1, 0) != 1 || !(pfd.revents & (POLLIN | POLLERR | POLLHUP)))
		flags |= MSG_DONTWAIT;
	return from ? recvfrom(fd, buf, len, flags, from, fromlen) : recv(fd, buf, len, flags);
}

static ssize_t lx_sendmsg(void *ctx, int host, int fd, const struct msghdr *msg, int flags)
{
	(void)ctx; (void)host;
	return sendmsg(fd, msg, flags);
}

static ssize_t lx_recvmsg(void *ctx, int host, int fd, struct msghdr *msg, int flags)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	(void)ctx; (void)host;
	if (poll(&pfd, 1, 0) != 1 || !(pfd.revents & (POLLIN | POLLERR | POLLHUP)))
		flags |= MSG_DONTWAIT;
	return recvmsg(fd, msg, flags);
}

static int lx_shutdown(void *ctx, int host, int fd, int how)
{
	(void)ctx; (void)host;
	return shutdown(fd, how);
}

static int lx_fcntl(void *ctx, int host, int fd, int cmd, int arg)
{
	(void)ctx; (void)host;
	return fcntl(fd, cmd, arg);
}

static int lx_poll(void *ctx, int host, struct pollfd *pfd)
{
	(void)ctx; (void)host;
	return poll(pfd, 1, 0);
}

static void lx_settle(void *ctx)
{
	struct timespec ts = { 0, LX_SETTLE_MS * 1000000L };

	(void)ctx;
	nanosleep(&ts, NULL);
}

/* net.ipv6.bindv6only of namespace A (the knob is per namespace). */
static int lx_set_bindv6only(void *ctx, int value)
{
	int fd = open("/proc/sys/net/ipv6/bindv6only", O_WRONLY | O_CLOEXEC);
	char c = value ? '1' : '0';
	ssize_t n;

	(void)ctx;
	if (fd < 0)
		return -1;
	n = write(fd, &c, 1);
	close(fd);
	return n == 1 ? 0 : -1;
}

static unsigned lx_main_ifindex(void *ctx, int host)
{
	return ((struct lx_ctx *)ctx)->ifindex[host];
}

/* In the child: sets up the namespaces and runs one case. Exit status: the
 * mismatch count (at most 100), 120 when the namespaces failed. */
static void lx_child(const struct sd_case *c)
{
	struct lx_ctx lx = { { -1, -1 }, { 0, 0 } };
	struct sd_backend be = {
		.name = "linux", .ctx = &lx, .socket = lx_socket, .close = lx_close,
		.bind = lx_bind, .connect = lx_connect, .listen = lx_listen, .accept = lx_accept,
		.setsockopt = lx_setsockopt, .getsockopt = lx_getsockopt,
		.getsockname = lx_getsockname, .getpeername = lx_getpeername,
		.sendto = lx_sendto, .recvfrom = lx_recvfrom, .shutdown = lx_shutdown,
		.sendmsg = lx_sendmsg, .recvmsg = lx_recvmsg,
		.fcntl = lx_fcntl, .poll = lx_poll, .settle = lx_settle,
		.set_bindv6only = lx_set_bindv6only, .main_ifindex = lx_main_ifindex,
	};
	int n;

	signal(SIGPIPE, SIG_IGN);      /* send after SHUT_WR: EPIPE, not a signal */
	alarm(LX_CASE_TIMEOUT_S);      /* every case bounded */
	if (lx_setup(&lx) != 0) {
		fprintf(stdout, "  linux: namespace setup failed: %s\n", strerror(errno));
		fflush(stdout);
		_exit(120);
	}
	n = sd_run_case(&be, c, stdout);
	fflush(stdout);
	_exit(n > 100 ? 100 : n);
}

/* 0: the child ran the case with n mismatches in *n; -1: it failed. */
static int lx_run_in_child(const struct sd_case *c, int *n)
{
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		lx_child(c);
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	if (WIFSIGNALED(st)) {
		printf("  linux: %s: child killed by signal %d\n", c->name, WTERMSIG(st));
		return -1;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) == 120)
		return -1;
	*n = WEXITSTATUS(st);
	return 0;
}

/* Whether namespaces can be made here: root, unshare and ip(8) working. */
static const char *lx_unavailable(void)
{
	static const struct sd_step none[] = { END };
	static const struct sd_case probe = { "probe", "", none, NULL, NULL };
	int n;

	if (geteuid() != 0)
		return "not root";
	if (lx_run_in_child(&probe, &n) != 0 || n != 0)
		return "unshare(CLONE_NEWNET) or ip(8) veth setup failed";
	return NULL;
}

static int lx_ran, lx_failed, lx_skipped;

static void lx_case(const struct sd_case *c, void *arg)
{
	int n = 0;

	(void)arg;
	if (c->skip_linux) {
		printf("  skip %s [%s]: linux: %s\n", c->name, c->spec, c->skip_linux);
		lx_skipped++;
		return;
	}
	lx_ran++;
	if (lx_run_in_child(c, &n) != 0) {
		check_fail(__FILE__, __LINE__, "%s: the Linux child failed", c->name);
		lx_failed++;
	} else if (n) {
		check_fail(__FILE__, __LINE__, "%s [%s]: %d mismatch(es) on Linux", c->name,
			   c->spec, n);
		lx_failed++;
	} else {
		printf("  ok   %s [%s]\n", c->name, c->spec);
	}
}

/* DS-1..DS-8, B-1..B-6, S-1, T-1: every table case agrees with Linux. */
TEST(sockdiff_linux)
{
	const char *why = lx_unavailable();

	if (why) {
		check_skip(why);
		return;
	}
	sd_for_each_case(getenv("SOCKDIFF_CASE"), lx_case, NULL);
	printf("  linux: %d cases run, %d failed, %d skipped (duet only)\n", lx_ran, lx_failed,
	       lx_skipped);
}
