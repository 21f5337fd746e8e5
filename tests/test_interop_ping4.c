/* IPv4 ping interop against the Linux kernel (N-8 ARP and ICMPv4 echo, F-1
 * and F-2 fragmentation both ways, S-2 host runtime): duet's host runtime on
 * a TAP device moved into a network namespace the test creates (kernel
 * 192.0.2.1/24, duet 192.0.2.2/24, RFC 5737). The kernel pings duet (56 and
 * 3000 bytes), duet pings the kernel, and the kernel's ARP cache must hold
 * duet's MAC. Needs root, /dev/net/tun, ip(8) and ping(8); else skipped. */
#include "check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <duet/host.h>
#include <duet/links.h>
#include <duet/net.h>

static const uint8_t k_ip4[4] = { 192, 0, 2, 1 };
static const uint8_t d_ip4[4] = { 192, 0, 2, 2 };

struct fx {
	char ns[32], dev[16];
	bool has_ns;
	struct duet_host *host;
	uint32_t ifindex;
	unsigned replies;       /* written by the runtime thread under the lock */
	uint32_t reply_len;
};

/* Runs a shell command; returns its exit status (-1: not run). */
static int sh(const char *fmt, const char *a, const char *b)
{
	char cmd[512];
	int st;

	snprintf(cmd, sizeof cmd, fmt, a, b);
	st = system(cmd);
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void on_echo(void *ctx, const struct duet_echo_reply *r)
{
	struct fx *f = ctx;

	if (r->family == AF_INET && memcmp(r->from, k_ip4, 4) == 0 && r->id == 0x7777) {
		f->replies++;
		f->reply_len = r->data_len;
	}
}

static void fx_teardown(struct fx *f)
{
	duet_host_destroy(f->host); /* closes the TAP: the kernel deletes it */
	f->host = NULL;
	if (f->has_ns)
		sh("ip netns del %s >/dev/null 2>&1%s", f->ns, "");
	f->has_ns = false;
}

/* Moves the TAP into the namespace and configures the kernel's side. */
static int fx_config_kernel(struct fx *f)
{
	if (sh("ip link set %s netns %s", f->dev, f->ns) != 0 ||
	    sh("ip -n %s addr add 192.0.2.1/24 dev %s", f->ns, f->dev) != 0 ||
	    sh("ip -n %s link set %s up", f->ns, f->dev) != 0)
		return -1;
	return 0;
}

/* Namespace, TAP, host runtime with 192.0.2.2/24. Returns 0, 1 (skipped)
 * or -1 (failed); cleaned up unless 0. */
static int fx_setup(struct fx *f)
{
	struct duet_link *tap = NULL;
	int err, idx;

	memset(f, 0, sizeof(*f));
	if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) != 0 ||
	    sh("command -v ip >/dev/null 2>&1 && command -v ping >/dev/null 2>&1%s%s", "", "")) {
		check_skip("needs root, /dev/net/tun, ip(8) and ping(8)");
		return 1;
	}
	snprintf(f->ns, sizeof f->ns, "duet-p4-%d", (int)getpid());
	snprintf(f->dev, sizeof f->dev, "dp4%d", (int)getpid() % 1000000);
	if (sh("ip netns add %s >/dev/null 2>&1%s", f->ns, "") != 0) {
		check_skip("cannot create a network namespace");
		return 1;
	}
	f->has_ns = true;
	err = duet_tap_open(f->dev, &tap);
	if (err == -EPERM || err == -EACCES || err == -ENODEV) {
		fx_teardown(f);
		check_skip("TAP devices unavailable here");
		return 1;
	}
	CHECK_EQ(err, 0);
	if (err || duet_host_create(NULL, &f->host) != 0) {
		duet_link_destroy(tap);
		fx_teardown(f);
		return -1;
	}
	duet_mac_from_seed(0x4444, tap->hwaddr);
	idx = duet_host_add_link(f->host, tap, NULL, duet_tap_fd(tap));
	CHECK(idx > 0);
	if (idx <= 0 || fx_config_kernel(f) != 0) {
		CHECK(!"setup failed");
		fx_teardown(f);
		return -1;
	}
	f->ifindex = (uint32_t)idx;
	duet_host_lock(f->host);
	CHECK_EQ(duet_if_addr_add(duet_host_stack(f->host), f->ifindex, AF_INET, d_ip4, 24, 0), 0);
	duet_echo_set_handler(duet_host_stack(f->host), on_echo, f);
	duet_host_unlock(f->host);
	CHECK_EQ(duet_host_start(f->host), 0);
	return 0;
}

/* Sends one echo request of len bytes to the kernel; waits (at most 3 s)
 * for its reply. Returns true when it came. */
static bool fx_ping_kernel(struct fx *f, uint16_t seq, uint32_t len)
{
	unsigned before, i, now = 0;

	duet_host_lock(f->host);
	before = f->replies;
	CHECK_EQ(duet_echo_send(duet_host_stack(f->host), AF_INET, k_ip4, 0, 0x7777, seq, len), 0);
	duet_host_unlock(f->host);
	duet_host_wake(f->host);
	for (i = 0; i < 300; i++) {
		usleep(10000);
		duet_host_lock(f->host);
		now = f->replies;
		duet_host_unlock(f->host);
		if (now > before)
			return f->reply_len == len;
	}
	return false;
}

/* Reads `ip -n NS neigh show 192.0.2.2`; true when REACHABLE or STALE. */
static bool fx_kernel_knows_duet(const struct fx *f)
{
	char cmd[128], line[256];
	bool ok = false;
	FILE *p;

	snprintf(cmd, sizeof cmd, "ip -n %s neigh show 192.0.2.2", f->ns);
	p = popen(cmd, "r");
	if (!p)
		return false;
	while (fgets(line, sizeof line, p)) {
		printf("kernel neigh: %s", line);
		ok |= strstr(line, "REACHABLE") != NULL || strstr(line, "STALE") != NULL ||
		      strstr(line, "DELAY") != NULL;
	}
	pclose(p);
	return ok;
}

/* Action: the kernel pings duet (3 × 56 bytes, then 3 × 3000 bytes:
 * fragmented both ways); duet pings the kernel (56 and 3000 bytes).
 * Response: every ping succeeds; the kernel holds duet in its ARP cache. */
TEST(interop_ping4_both_ways)
{
	struct fx f;

	if (fx_setup(&f) != 0)
		return;
	CHECK_EQ(sh("ip netns exec %s ping -c 3 -i 0.2 -W 2 192.0.2.2 >/dev/null%s", f.ns, ""), 0);
	CHECK_EQ(sh("ip netns exec %s ping -c 3 -i 0.2 -W 2 -s 3000 192.0.2.2 >/dev/null%s", f.ns,
		    ""), 0);
	CHECK(fx_ping_kernel(&f, 1, 56));
	CHECK(fx_ping_kernel(&f, 2, 3000));
	CHECK(fx_kernel_knows_duet(&f));
	duet_host_lock(f.host);
	CHECK(duet_stack_counter(duet_host_stack(f.host), DUET_CTR_ICMP4_OUT_ECHO_REPS) >= 6);
	CHECK(duet_stack_counter(duet_host_stack(f.host), DUET_CTR_REASM_OKS) >= 4);
	duet_host_unlock(f.host);
	fx_teardown(&f);
}
