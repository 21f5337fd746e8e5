/* TAP interop tests against the Linux kernel (SPEC L-1, S-2 host runtime): a
 * TAP device moved into a network namespace made for the test, addresses
 * from the documentation ranges only; ARP and ICMPv6 echo (with neighbour
 * discovery) built by hand, answered by the kernel, captured and checked by
 * tshark; the host runtime's thread reading the TAP descriptor through
 * epoll. Needs root and `ip netns`; otherwise every case is skipped. */
#include "check.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <duet/byteorder.h>
#include <duet/host.h>
#include <duet/clock.h>
#include <duet/csum.h>
#include <duet/cursor.h>
#include <duet/links.h>
#include <duet/pkt.h>
#include <duet/wire/eth.h>

#define RXQ_MAX 256u
#define WAIT_MS 4000u

static const uint8_t k_ip4[4] = { 192, 0, 2, 1 };   /* the kernel (RFC 5737) */
static const uint8_t d_ip4[4] = { 192, 0, 2, 2 };   /* duet */
static const uint8_t k_ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x77, [15] = 1 }; /* RFC 3849 */
static const uint8_t d_ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x77, [15] = 2 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

struct fx {
	char ns[32], dev[16], pcap[512];
	int has_ns;
	struct duet_pool *pool;
	struct duet_link *tap;  /* owned by link */
	struct duet_link *link; /* the capture wrapper */
	uint8_t mac[6], kmac[6];
	unsigned ns_answered;   /* neighbour solicitations for us, answered */
	struct duet_pkt *rxq[RXQ_MAX];
	unsigned rxq_len;
};

/* Runs a shell command quietly; returns its exit status (-1: not run). */
static int sh(const char *fmt, const char *a, const char *b)
{
	char cmd[512];
	int st;

	snprintf(cmd, sizeof cmd, fmt, a, b);
	st = system(cmd);
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Runs cmd; returns its exit status and counts its stdout lines. */
static int run_cmd(const char *cmd, int *lines)
{
	FILE *p = popen(cmd, "r");
	int ch, st;

	*lines = 0;
	if (!p)
		return -1;
	while ((ch = fgetc(p)) != EOF) {
		if (ch == '\n')
			(*lines)++;
		fputc(ch, stdout); /* anything printed is shown */
	}
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void rx_hook(void *ctx, struct duet_pkt *pkt)
{
	struct fx *f = ctx;

	if (f->rxq_len == RXQ_MAX) {
		duet_pkt_free(pkt);
		return;
	}
	f->rxq[f->rxq_len++] = pkt;
}

/* Closes the capture and the TAP device (which the kernel then deletes). */
static void fx_close_link(struct fx *f)
{
	if (f->link)
		duet_link_destroy(f->link); /* owns the TAP */
	else if (f->tap)
		duet_link_destroy(f->tap);
	f->link = f->tap = NULL;
}

/* Deletes the namespace, closes the device and the capture. Safe on a
 * partly set up fixture. */
static void fx_teardown(struct fx *f)
{
	unsigned i;

	for (i = 0; i < f->rxq_len; i++)
		duet_pkt_free(f->rxq[i]);
	f->rxq_len = 0;
	fx_close_link(f);
	if (f->has_ns)
		sh("ip netns del %s >/dev/null 2>&1%s", f->ns, "");
	f->has_ns = 0;
	duet_pool_destroy(f->pool);
	f->pool = NULL;
}

/* Gives the kernel side its documentation addresses inside the namespace. */
static int fx_config_kernel(struct fx *f)
{
	if (sh("ip link set %s netns %s", f->dev, f->ns) != 0)
		return -1;
	if (sh("ip -n %s addr add 192.0.2.1/24 dev %s", f->ns, f->dev) != 0 ||
	    sh("ip -n %s addr add 2001:db8:77::1/64 dev %s nodad", f->ns, f->dev) != 0 ||
	    sh("ip -n %s link set %s up", f->ns, f->dev) != 0)
		return -1;
	return 0;
}

/* Sets up namespace, TAP, capture. Returns 0, 1 (skipped, cleaned up) or
 * -1 (failed, cleaned up). */
static int fx_setup(struct fx *f, const char *tag)
{
	struct duet_pool_config pc;
	struct duet_link_rx rx = { .deliver = rx_hook, .ctx = f };
	const char *dir = getenv("DUET_BINARY_DIR");
	int err;

	memset(f, 0, sizeof(*f));
	if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) != 0 ||
	    sh("command -v ip >/dev/null 2>&1%s%s", "", "") != 0) {
		check_skip("needs root, /dev/net/tun and ip(8)");
		return 1;
	}
	snprintf(f->ns, sizeof f->ns, "duet-t-%d-%s", (int)getpid(), tag);
	snprintf(f->dev, sizeof f->dev, "dt%d%s", (int)getpid() % 1000000, tag);
	if (sh("ip netns add %s >/dev/null 2>&1%s", f->ns, "") != 0) {
		check_skip("cannot create a network namespace");
		return 1;
	}
	f->has_ns = 1;
	duet_pool_config_init(&pc);
	CHECK_EQ(duet_pool_create(&pc, &f->pool), 0);
	err = duet_tap_open(f->dev, &f->tap);
	if (err == -EPERM || err == -EACCES || err == -ENODEV) {
		fx_teardown(f);
		check_skip("TAP devices unavailable here");
		return 1;
	}
	CHECK_EQ(err, 0);
	if (err) {
		fx_teardown(f);
		return -1;
	}
	CHECK_STR(f->tap->name, f->dev);
	CHECK(duet_tap_fd(f->tap) >= 0);
	duet_mac_from_seed(0xd7e7, f->tap->hwaddr);
	memcpy(f->mac, f->tap->hwaddr, 6);
	snprintf(f->pcap, sizeof f->pcap, "%s/duet-interop-%s-%d.pcap", dir ? dir : "/tmp", tag,
		 (int)getpid());
	CHECK_EQ(duet_pcap_wrap(f->tap, f->pcap, duet_clock_monotonic(), &f->link), 0);
	if (!f->link || fx_config_kernel(f) != 0) {
		CHECK(!"kernel side setup failed");
		fx_teardown(f);
		return -1;
	}
	rx.pool = f->pool;
	duet_link_attach(f->link, &rx);
	return 0;
}

/* Transmits a frame built in buf. */
static void fx_send(struct fx *f, const uint8_t *buf, size_t len)
{
	struct duet_pkt *p = duet_pkt_alloc(f->pool, DUET_PKT_HEADROOM, len);

	memcpy(duet_pkt_data(p), buf, len);
	CHECK_EQ(duet_link_transmit(f->link, &p, 1), 1);
}

/* Called per received frame; returns 1 when the awaited frame came. */
typedef int (*match_fn)(struct fx *f, const uint8_t *d, size_t len);

/* Polls the device (bounded in time and rounds) until match says done.
 * Returns 0 or -ETIMEDOUT. */
static int fx_wait(struct fx *f, match_fn match)
{
	const struct duet_clock *clk = duet_clock_monotonic();
	uint64_t end = duet_clock_now(clk) + WAIT_MS * DUET_NS_PER_MS;
	struct pollfd pfd = { .fd = duet_tap_fd(f->tap), .events = POLLIN };
	unsigned round, i;
	int done = 0;

	for (round = 0; round < 1000 && !done && duet_clock_now(clk) < end; round++) {
		poll(&pfd, 1, 50);
		duet_link_poll(f->link, duet_clock_now(clk));
		for (i = 0; i < f->rxq_len; i++) {
			struct duet_pkt *p = f->rxq[i];
			if (!done)
				done = match(f, duet_pkt_data(p), p->len);
			duet_pkt_free(p);
		}
		f->rxq_len = 0;
	}
	return done ? 0 : -ETIMEDOUT;
}

/* An ARP request (RFC 826): who has 192.0.2.1? tell 192.0.2.2. */
static size_t mk_arp_request(const struct fx *f, uint8_t *b)
{
	memcpy(b, bcast, 6);
	memcpy(b + 6, f->mac, 6);
	duet_put_be16(b + 12, DUET_ETHERTYPE_ARP);
	duet_put_be16(b + 14, 1);
	duet_put_be16(b + 16, DUET_ETHERTYPE_IPV4);
	b[18] = 6;
	b[19] = 4;
	duet_put_be16(b + 20, 1);
	memcpy(b + 22, f->mac, 6);
	memcpy(b + 28, d_ip4, 4);
	memset(b + 32, 0, 6);
	memcpy(b + 38, k_ip4, 4);
	return 42;
}

/* The kernel's ARP reply to us: checks every field, learns its MAC. */
static int match_arp_reply(struct fx *f, const uint8_t *d, size_t len)
{
	struct duet_cur c;
	struct duet_eth_hdr h;
	const uint8_t *a;

	duet_cur_init(&c, d, len);
	if (duet_eth_parse(&c, &h) != 0 || h.ethertype != DUET_ETHERTYPE_ARP)
		return 0;
	a = duet_cur_take(&c, 28);
	if (!a || duet_get_be16(a + 6) != 2 || memcmp(a + 14, k_ip4, 4) != 0)
		return 0;
	CHECK_MEM(h.dst, f->mac, 6);
	CHECK_EQ(duet_get_be16(a), 1);
	CHECK_EQ(duet_get_be16(a + 2), DUET_ETHERTYPE_IPV4);
	CHECK(a[4] == 6 && a[5] == 4);
	CHECK_MEM(a + 8, h.src, 6);  /* sender hardware address = frame source */
	CHECK_MEM(a + 18, f->mac, 6);
	CHECK_MEM(a + 24, d_ip4, 4);
	CHECK(!duet_eth_is_multicast(h.src));
	memcpy(f->kmac, h.src, 6);
	return 1;
}

/* ARP exchange; returns 0 once the kernel's MAC is known. */
static int fx_arp(struct fx *f)
{
	uint8_t b[64];

	fx_send(f, b, mk_arp_request(f, b));
	return fx_wait(f, match_arp_reply);
}

/* Tshark reads the capture, decodes every recorded frame, and flags nothing
 * malformed and no bad checksum; `want` must match at least one frame. */
static void fx_check_capture(struct fx *f, uint64_t nframes, const char *want)
{
	char cmd[1400];
	int lines;

	if (sh("command -v tshark >/dev/null 2>&1%s%s", "", "") != 0) {
		printf("  tshark not installed: capture %s not checked\n", f->pcap);
		return;
	}
	snprintf(cmd, sizeof cmd, "tshark -n -r '%s' 2>/dev/null >/dev/null; "
		 "tshark -n -r '%s' 2>/dev/null | wc -l | grep -qx '%llu'", f->pcap, f->pcap,
		 (unsigned long long)nframes);
	CHECK_EQ(run_cmd(cmd, &lines), 0);
	snprintf(cmd, sizeof cmd,
		 "tshark -n -r '%s' -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE "
		 "-o udp.check_checksum:TRUE -Y '_ws.malformed || _ws.expert.severity >= \"Error\" "
		 "|| ip.checksum.status == \"Bad\" || tcp.checksum.status == \"Bad\" "
		 "|| udp.checksum.status == \"Bad\" || icmp.checksum.status == \"Bad\" "
		 "|| icmpv6.checksum.status == \"Bad\"' 2>/dev/null", f->pcap);
	CHECK_EQ(run_cmd(cmd, &lines), 0);
	CHECK_EQ(lines, 0);
	snprintf(cmd, sizeof cmd, "tshark -n -r '%s' -Y '%s' 2>/dev/null | grep -q .", f->pcap,
		 want);
	CHECK_EQ(run_cmd(cmd, &lines), 0);
}

/* Removes the capture unless DUET_KEEP_PCAP is set (then says where it is). */
static void fx_remove_capture(const struct fx *f)
{
	if (getenv("DUET_KEEP_PCAP"))
		printf("  capture kept: %s\n", f->pcap);
	else
		unlink(f->pcap);
}

/* Frames recorded by the capture wrapper: everything sent and received. */
static uint64_t fx_recorded(const struct fx *f)
{
	const struct duet_link_stats *s = &f->link->stats;

	return s->tx_frames + s->tx_drops + s->rx_frames + s->rx_drops;
}

/* Action: duet asks, by ARP, who has 192.0.2.1. Response: the kernel's
 * reply to our MAC with its own; the capture is clean. */
TEST(interop_tap_arp)
{
	struct duet_link *l = NULL;
	struct fx f;
	uint64_t n;

	if (fx_setup(&f, "a") != 0)
		return;
	CHECK_EQ(duet_tap_open("a-name-far-too-long-for-linux", &l), -EINVAL);
	CHECK_EQ(duet_tap_fd(f.link), -1); /* the wrapper is not the TAP */
	CHECK_EQ(fx_arp(&f), 0);
	CHECK(f.tap->stats.rx_frames >= 1);
	CHECK_EQ(f.tap->stats.tx_drops, 0);
	n = fx_recorded(&f);
	fx_close_link(&f);
	fx_check_capture(&f, n, "arp.opcode == 2 && arp.src.proto_ipv4 == 192.0.2.1");
	fx_teardown(&f);
	fx_remove_capture(&f);
}

/* An IPv6 header (RFC 8200); returns 40. */
static size_t put_ip6(uint8_t *p, const uint8_t src[16], const uint8_t dst[16],
		      uint16_t plen, uint8_t hop_limit)
{
	duet_put_be32(p, 0x60000000u);
	duet_put_be16(p + 4, plen);
	p[6] = 58; /* ICMPv6 */
	p[7] = hop_limit;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
	return 40;
}

/* Fills the ICMPv6 checksum of the message ic (len bytes) from src to dst. */
static void icmp6_set_csum(uint8_t *ic, size_t len, const uint8_t src[16], const uint8_t dst[16])
{
	duet_put_be16(ic + 2, 0);
	duet_put_be16(ic + 2, duet_csum_fold(duet_csum_partial(ic, len,
			duet_csum_pseudo6(src, dst, (uint32_t)len, 58))));
}

#define ECHO_ID 0xd0e7u
#define ECHO_SEQ 1u
#define ECHO_DATA 32u

/* An ICMPv6 echo request (RFC 4443 §4.1) 2001:db8:77::2 -> ::1. */
static size_t mk_echo6(const struct fx *f, uint8_t *b)
{
	uint8_t *ic = b + 14 + 40;
	unsigned k;

	memcpy(b, f->kmac, 6);
	memcpy(b + 6, f->mac, 6);
	duet_put_be16(b + 12, DUET_ETHERTYPE_IPV6);
	put_ip6(b + 14, d_ip6, k_ip6, 8 + ECHO_DATA, 64);
	ic[0] = 128;
	ic[1] = 0;
	duet_put_be16(ic + 4, ECHO_ID);
	duet_put_be16(ic + 6, ECHO_SEQ);
	for (k = 0; k < ECHO_DATA; k++)
		ic[8 + k] = (uint8_t)(0xa0 + k);
	icmp6_set_csum(ic, 8 + ECHO_DATA, d_ip6, k_ip6);
	return 14 + 40 + 8 + ECHO_DATA;
}

/* A solicited neighbour advertisement (RFC 4861 §4.4, §7.2.4) for our
 * address to the soliciting node, with our link-layer address. */
static size_t mk_na(const struct fx *f, const uint8_t to_ip[16], const uint8_t to_mac[6],
		    uint8_t *b)
{
	uint8_t *ic = b + 14 + 40;

	memcpy(b, to_mac, 6);
	memcpy(b + 6, f->mac, 6);
	duet_put_be16(b + 12, DUET_ETHERTYPE_IPV6);
	put_ip6(b + 14, d_ip6, to_ip, 32, 255); /* §7.1.2: hop limit 255 */
	memset(ic, 0, 32);
	ic[0] = 136;
	duet_put_be32(ic + 4, 0x60000000u); /* Solicited, Override */
	memcpy(ic + 8, d_ip6, 16);
	ic[24] = 2;                          /* target link-layer address */
	ic[25] = 1;
	memcpy(ic + 26, f->mac, 6);
	icmp6_set_csum(ic, 32, d_ip6, to_ip);
	return 14 + 40 + 32;
}

/* Parses an IPv6 + ICMPv6 frame: returns the ICMPv6 message and its length
 * (checksum verified), the IPv6 header in *ip6, or NULL. */
static const uint8_t *parse_icmp6(const uint8_t *d, size_t len, struct duet_eth_hdr *h,
				  const uint8_t **ip6, size_t *icmp_len)
{
	struct duet_cur c;
	const uint8_t *ic;
	uint16_t plen;

	duet_cur_init(&c, d, len);
	if (duet_eth_parse(&c, h) != 0 || h->ethertype != DUET_ETHERTYPE_IPV6)
		return NULL;
	*ip6 = duet_cur_take(&c, 40);
	if (!*ip6 || (*ip6)[0] >> 4 != 6 || (*ip6)[6] != 58)
		return NULL;
	plen = duet_get_be16(*ip6 + 4);
	ic = duet_cur_take(&c, plen);
	if (!ic || plen < 8)
		return NULL;
	CHECK_EQ(duet_csum_fold(duet_csum_partial(ic, plen,
		 duet_csum_pseudo6(*ip6 + 8, *ip6 + 24, plen, 58))), 0);
	*icmp_len = plen;
	return ic;
}

/* Answers the kernel's solicitation for our address; returns 1 when the
 * echo reply came back intact. */
static int match_echo_reply(struct fx *f, const uint8_t *d, size_t len)
{
	struct duet_eth_hdr h;
	const uint8_t *ip6, *ic;
	size_t n;
	unsigned k;

	ic = parse_icmp6(d, len, &h, &ip6, &n);
	if (!ic)
		return 0;
	if (ic[0] == 135 && n >= 24 && memcmp(ic + 8, d_ip6, 16) == 0) {
		uint8_t b[128];
		CHECK_EQ(ip6[7], 255);
		if (memcmp(ip6 + 8, (const uint8_t[16]){ 0 }, 16) != 0) {
			fx_send(f, b, mk_na(f, ip6 + 8, h.src, b));
			f->ns_answered++;
		}
		return 0;
	}
	if (ic[0] != 129 || memcmp(ip6 + 8, k_ip6, 16) != 0 || memcmp(ip6 + 24, d_ip6, 16) != 0)
		return 0;
	CHECK_MEM(h.dst, f->mac, 6);
	CHECK_MEM(h.src, f->kmac, 6);
	CHECK_EQ(ic[1], 0);
	CHECK_EQ(n, 8 + ECHO_DATA);
	CHECK_EQ(duet_get_be16(ic + 4), ECHO_ID);
	CHECK_EQ(duet_get_be16(ic + 6), ECHO_SEQ);
	for (k = 0; k < ECHO_DATA && 8 + k < n; k++)
		CHECK_EQ(ic[8 + k], 0xa0 + k);
	return 1;
}

/* Action: after ARP, an ICMPv6 echo request to 2001:db8:77::1; the kernel
 * solicits our address and we advertise it. Response: the echo reply with
 * our identifier, sequence and data, its checksum verified; the capture is
 * clean and holds the reply. */
TEST(interop_tap_icmp6_echo_with_nd)
{
	uint8_t b[256];
	struct fx f;
	uint64_t n;

	if (fx_setup(&f, "e") != 0)
		return;
	CHECK_EQ(fx_arp(&f), 0);
	fx_send(&f, b, mk_echo6(&f, b));
	CHECK_EQ(fx_wait(&f, match_echo_reply), 0);
	CHECK(f.ns_answered >= 1);
	printf("  tap %s: rx %llu frames, tx %llu frames, %u NS answered\n", f.dev,
	       (unsigned long long)f.tap->stats.rx_frames,
	       (unsigned long long)f.tap->stats.tx_frames, f.ns_answered);
	n = fx_recorded(&f);
	fx_close_link(&f);
	fx_check_capture(&f, n, "icmpv6.type == 129 && ipv6.src == 2001:db8:77::1");
	fx_teardown(&f);
	fx_remove_capture(&f);
}

/* Action: the kernel pings 192.0.2.2 (duet) and so broadcasts ARP requests.
 * Response: the host runtime's thread, woken by epoll on the TAP descriptor,
 * reads them into its stack, which counts them as ARP frames. */
TEST(interop_host_runtime_reads_tap)
{
	struct duet_host *h = NULL;
	struct fx f;
	uint64_t arp = 0;
	int idx, i;

	if (fx_setup(&f, "h") != 0)
		return;
	CHECK_EQ(duet_host_create(NULL, &h), 0);
	idx = duet_host_add_link(h, f.link, NULL, duet_tap_fd(f.tap));
	CHECK(idx > 0);
	f.link = f.tap = NULL; /* the host's stack owns them now */
	CHECK_EQ(duet_host_start(h), 0);
	/* Any datagram to 192.0.2.2 makes the kernel resolve it (bash's /dev/udp
	 * needs no other tool). */
	sh("ip netns exec %s bash -c 'for i in 1 2 3; do echo duet > /dev/udp/192.0.2.2/9; "
	   "sleep 0.2; done' >/dev/null 2>&1%s", f.ns, "");
	for (i = 0; i < 3000 && arp == 0; i++) {
		duet_host_lock(h);
		arp = duet_stack_counter(duet_host_stack(h), DUET_CTR_ETH_RX_ARP);
		duet_host_unlock(h);
		if (!arp)
			usleep(1000);
	}
	CHECK(arp >= 1);
	CHECK(duet_host_polls(h) >= 2);
	duet_host_destroy(h);
	fx_teardown(&f);
	fx_remove_capture(&f);
}
