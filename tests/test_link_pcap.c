/* pcap capture tests (SPEC L-1): the file format byte by byte, snaplen,
 * the wrapper recording both directions while running, and the capture
 * read by tshark and tcpdump with no malformed frame or bad checksum. */
#include "check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <duet/byteorder.h>
#include <duet/clock.h>
#include <duet/csum.h>
#include <duet/links.h>
#include <duet/pkt.h>

static const uint8_t mac_a[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x0b };
static const uint8_t ip4_a[4] = { 192, 0, 2, 10 };
static const uint8_t ip4_b[4] = { 192, 0, 2, 11 };
static const uint8_t ip6_a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x0a };
static const uint8_t ip6_b[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x0b };

/* Writes an Ethernet header; returns 14. */
static size_t put_eth(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	duet_put_be16(f + 12, type);
	return 14;
}

/* An ARP request (RFC 826) from A for B's address. */
static size_t mk_arp_request(uint8_t *f)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	size_t n = put_eth(f, bcast, mac_a, 0x0806);
	uint8_t *a = f + n;

	duet_put_be16(a, 1);          /* htype Ethernet */
	duet_put_be16(a + 2, 0x0800); /* ptype IPv4 */
	a[4] = 6;
	a[5] = 4;
	duet_put_be16(a + 6, 1);      /* request */
	memcpy(a + 8, mac_a, 6);
	memcpy(a + 14, ip4_a, 4);
	memset(a + 18, 0, 6);
	memcpy(a + 24, ip4_b, 4);
	return n + 28;
}

/* An IPv6 header (RFC 8200) with hop limit 64; returns 40. */
static size_t put_ip6(uint8_t *p, uint16_t plen, uint8_t nh)
{
	duet_put_be32(p, 0x60000000u);
	duet_put_be16(p + 4, plen);
	p[6] = nh;
	p[7] = 64;
	memcpy(p + 8, ip6_a, 16);
	memcpy(p + 24, ip6_b, 16);
	return 40;
}

/* An ICMPv6 echo request (RFC 4443) A -> B with 16 data bytes. */
static size_t mk_icmp6_echo(uint8_t *f)
{
	size_t n = put_eth(f, mac_b, mac_a, 0x86dd);
	uint8_t *ic = f + n + put_ip6(f + n, 24, 58);
	unsigned k;

	ic[0] = 128;
	ic[1] = 0;
	duet_put_be16(ic + 2, 0);
	duet_put_be16(ic + 4, 0x1234);
	duet_put_be16(ic + 6, 1);
	for (k = 0; k < 16; k++)
		ic[8 + k] = (uint8_t)k;
	duet_put_be16(ic + 2, duet_csum_fold(duet_csum_partial(ic, 24,
					     duet_csum_pseudo6(ip6_a, ip6_b, 24, 58))));
	return n + 40 + 24;
}

/* A UDP datagram (RFC 768) over IPv6 with a checksum, 5 data bytes. */
static size_t mk_udp6(uint8_t *f)
{
	size_t n = put_eth(f, mac_b, mac_a, 0x86dd);
	uint8_t *u = f + n + put_ip6(f + n, 13, 17);

	duet_put_be16(u, 40000);
	duet_put_be16(u + 2, 9); /* discard */
	duet_put_be16(u + 4, 13);
	duet_put_be16(u + 6, 0);
	memcpy(u + 8, "hello", 5);
	duet_put_be16(u + 6, duet_csum_fold(duet_csum_partial(u, 13,
					    duet_csum_pseudo6(ip6_a, ip6_b, 13, 17))));
	return n + 40 + 13;
}

/* An IPv4 header (RFC 791) A -> B with its checksum; returns 20. */
static size_t put_ip4(uint8_t *p, uint16_t total, uint8_t proto)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	duet_put_be16(p + 2, total);
	duet_put_be16(p + 4, 0x4321);
	duet_put_be16(p + 6, 0x4000); /* DF */
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, ip4_a, 4);
	memcpy(p + 16, ip4_b, 4);
	duet_put_be16(p + 10, duet_csum(p, 20));
	return 20;
}

/* An ICMP echo request (RFC 792) over IPv4, 8 data bytes. */
static size_t mk_icmp4_echo(uint8_t *f)
{
	size_t n = put_eth(f, mac_b, mac_a, 0x0800);
	uint8_t *ic = f + n + put_ip4(f + n, 36, 1);

	memset(ic, 0, 16);
	ic[0] = 8;
	duet_put_be16(ic + 4, 0x77);
	duet_put_be16(ic + 6, 3);
	memcpy(ic + 8, "duet-v4!", 8);
	duet_put_be16(ic + 2, duet_csum(ic, 16));
	return n + 36;
}

/* A TCP SYN (RFC 9293) over IPv4 with an MSS option. */
static size_t mk_tcp4_syn(uint8_t *f)
{
	size_t n = put_eth(f, mac_b, mac_a, 0x0800);
	uint8_t *t = f + n + put_ip4(f + n, 44, 6);

	memset(t, 0, 24);
	duet_put_be16(t, 40001);
	duet_put_be16(t + 2, 80);
	duet_put_be32(t + 4, 0x01020304);
	t[12] = 6 << 4;   /* data offset: 24 bytes */
	t[13] = 0x02;     /* SYN */
	duet_put_be16(t + 14, 65535);
	t[20] = 2;        /* MSS */
	t[21] = 4;
	duet_put_be16(t + 22, 1460);
	duet_put_be16(t + 16, duet_csum_fold(duet_csum_partial(t, 24,
					     duet_csum_pseudo4(ip4_a, ip4_b, 24, 6))));
	return n + 44;
}

typedef size_t (*frame_fn)(uint8_t *f);
static const frame_fn frame_makers[] = { mk_arp_request, mk_icmp6_echo, mk_udp6,
					 mk_icmp4_echo, mk_tcp4_syn };
#define NFRAMES (sizeof(frame_makers) / sizeof(frame_makers[0]))

static void tmp_path(char *buf, size_t cap, const char *tag)
{
	const char *dir = getenv("DUET_BINARY_DIR");

	snprintf(buf, cap, "%s/duet-test-%s-%d.pcap", dir ? dir : "/tmp", tag, (int)getpid());
}

/* Reads a whole file (up to cap bytes); returns its length or -1. */
static long slurp(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, cap, f);
	fclose(f);
	return (long)n;
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Runs cmd, keeping up to cap-1 bytes of its stdout; returns the exit
 * status (-1 if it could not run) and the line count in *lines. */
static int run_cmd(const char *cmd, char *out, size_t cap, int *lines)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0;
	int ch, st;

	*lines = 0;
	if (!p)
		return -1;
	while ((ch = fgetc(p)) != EOF) {
		if (ch == '\n')
			(*lines)++;
		if (n + 1 < cap)
			out[n++] = (char)ch;
	}
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int have_tool(const char *name)
{
	char cmd[128], out[8];
	int lines;

	snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", name);
	return run_cmd(cmd, out, sizeof out, &lines) == 0;
}

/* The project guide's check: tshark reads the file, decodes nframes frames,
 * and finds nothing malformed and no bad checksum. */
static void tshark_check(const char *path, int nframes)
{
	static char out[65536];
	char cmd[1024];
	int lines;

	snprintf(cmd, sizeof cmd, "tshark -n -r '%s' 2>/dev/null", path);
	CHECK_EQ(run_cmd(cmd, out, sizeof out, &lines), 0);
	CHECK_EQ(lines, nframes);
	snprintf(cmd, sizeof cmd,
		 "tshark -n -r '%s' -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE "
		 "-o udp.check_checksum:TRUE -Y '_ws.malformed || _ws.expert.severity >= \"Error\" "
		 "|| ip.checksum.status == \"Bad\" || tcp.checksum.status == \"Bad\" "
		 "|| udp.checksum.status == \"Bad\" || icmp.checksum.status == \"Bad\" "
		 "|| icmpv6.checksum.status == \"Bad\"' 2>&1 | grep -v '^Running as user'", path);
	run_cmd(cmd, out, sizeof out, &lines);
	if (lines)
		printf("  tshark flagged:\n%s", out);
	CHECK_EQ(lines, 0);
}

/* tshark and tcpdump read the five frames of pcap_writer_format: protocols
 * as built, nanosecond timestamps, nothing flagged. Skipped without tshark. */
static void decode_check_five(const char *path)
{
	static char out[4096];
	char cmd[1024];
	int lines;

	if (have_tool("tcpdump")) {
		snprintf(cmd, sizeof cmd, "tcpdump -n -r '%s' 2>/dev/null", path);
		CHECK_EQ(run_cmd(cmd, out, sizeof out, &lines), 0);
		CHECK_EQ(lines, (int)NFRAMES);
	}
	if (!have_tool("tshark")) {
		check_skip("tshark not installed: decode check not run");
		return;
	}
	tshark_check(path, (int)NFRAMES);
	snprintf(cmd, sizeof cmd, "tshark -n -r '%s' -T fields -e frame.protocols "
		 "-e frame.time_epoch 2>/dev/null", path);
	CHECK_EQ(run_cmd(cmd, out, sizeof out, &lines), 0);
	CHECK(strstr(out, "eth:ethertype:arp\t3.123456789") != NULL);
	CHECK(strstr(out, "eth:ethertype:ipv6:icmpv6") != NULL);
	CHECK(strstr(out, "\t3.123456790\n") != NULL); /* nanoseconds kept */
	CHECK(strstr(out, "eth:ethertype:ipv6:udp") != NULL);
	CHECK(strstr(out, "eth:ethertype:ip:icmp") != NULL);
	CHECK(strstr(out, "eth:ethertype:ip:tcp") != NULL);
}

/* Action: the standalone writer, five valid frames at set times. Response:
 * the pcap header (ns magic, 2.4, snaplen 262144, Ethernet) and records
 * with seconds, nanoseconds, lengths and bytes as written. */
TEST(pcap_writer_format)
{
	static uint8_t file[8192];
	uint8_t f[NFRAMES][128];
	size_t len[NFRAMES], off = 24;
	struct duet_pcap *pc;
	char path[512];
	unsigned i;
	long n;

	tmp_path(path, sizeof path, "format");
	CHECK_EQ(duet_pcap_open(path, &pc), 0);
	for (i = 0; i < NFRAMES; i++) {
		len[i] = frame_makers[i](f[i]);
		CHECK_EQ(duet_pcap_write(pc, 3 * DUET_NS_PER_S + 123456789u + i, f[i],
					 (uint32_t)len[i]), 0);
	}
	n = slurp(path, file, sizeof file); /* flushed: readable before close */
	CHECK_EQ(duet_pcap_close(pc), 0);
	CHECK_EQ(get_le32(file), 0xa1b23c4du);
	CHECK(file[0] == 0x4d && file[3] == 0xa1);
	CHECK(file[4] == 2 && file[5] == 0 && file[6] == 4 && file[7] == 0);
	CHECK_EQ(get_le32(file + 8), 0);
	CHECK_EQ(get_le32(file + 16), 262144);
	CHECK_EQ(get_le32(file + 20), 1);
	for (i = 0; i < NFRAMES; i++) {
		CHECK_EQ(get_le32(file + off), 3);
		CHECK_EQ(get_le32(file + off + 4), 123456789u + i);
		CHECK_EQ(get_le32(file + off + 8), len[i]);
		CHECK_EQ(get_le32(file + off + 12), len[i]);
		CHECK_MEM(file + off + 16, f[i], len[i]);
		off += 16 + len[i];
	}
	CHECK_EQ(n, (long)off);
	decode_check_five(path);
	unlink(path);
}

/* Action: a 300,000-byte frame. Response: 262,144 bytes stored, the
 * original length kept. */
TEST(pcap_writer_snaplen)
{
	static uint8_t big[300000];
	static uint8_t file[300000];
	struct duet_pcap *pc;
	char path[512];

	tmp_path(path, sizeof path, "snap");
	memset(big, 0xab, sizeof big);
	CHECK_EQ(duet_pcap_open(path, &pc), 0);
	CHECK_EQ(duet_pcap_write(pc, 0, big, sizeof big), 0);
	CHECK_EQ(duet_pcap_close(pc), 0);
	CHECK_EQ(slurp(path, file, sizeof file), 24 + 16 + 262144);
	CHECK_EQ(get_le32(file + 24 + 8), 262144);
	CHECK_EQ(get_le32(file + 24 + 12), 300000);
	unlink(path);
}

/* Action: open in a missing directory; write to a stream that fails.
 * Response: -ENOENT; the write error sticks and close reports it. */
TEST(pcap_writer_errors)
{
	struct duet_pcap *pc = NULL;
	FILE *f;
	uint8_t fr[64];
	size_t n = mk_arp_request(fr);

	CHECK_EQ(duet_pcap_open("/nonexistent-dir-duet/x.pcap", &pc), -ENOENT);
	CHECK_EQ(duet_pcap_open(NULL, &pc), -EINVAL);
	f = fopen("/dev/full", "wb");
	if (!f) {
		check_skip("/dev/full missing");
		return;
	}
	CHECK(duet_pcap_open_file(f, &pc) < 0); /* the header cannot be written */
	CHECK(pc == NULL);
	fclose(f);
	f = fopen("/dev/null", "wb");
	CHECK_EQ(duet_pcap_open_file(f, &pc), 0);
	CHECK_EQ(duet_pcap_write(pc, 0, fr, (uint32_t)n), 0);
	CHECK_EQ(duet_pcap_close(pc), 0);
	CHECK(fputc('x', f) == 'x'); /* the stream was not closed: not owned */
	fclose(f);
}

static struct duet_pkt *rx_last;
static unsigned rx_count;

static void rx_hook(void *ctx, struct duet_pkt *pkt)
{
	(void)ctx;
	rx_count++;
	duet_pkt_free(rx_last);
	rx_last = pkt;
}

/* A memlink pair (B -> A delayed 1 ms) with A wrapped in capture to path;
 * both ends deliver to rx_hook. */
static void mk_captured_pair(struct duet_pool *pool, struct duet_vclock *vc, const char *path,
			     struct duet_link **w, struct duet_link **b)
{
	struct duet_memlink_config cfg;
	struct duet_impair_params ip;
	struct duet_link_rx rx = { .deliver = rx_hook, .pool = pool };
	struct duet_link *a;

	duet_impair_params_init(&ip);
	ip.delay_ns = DUET_NS_PER_MS;
	duet_memlink_config_init(&cfg);
	cfg.clock = &vc->clock;
	cfg.b_to_a = &ip;
	CHECK_EQ(duet_memlink_pair(&cfg, &a, b), 0);
	CHECK_EQ(duet_pcap_wrap(a, path, &vc->clock, w), 0);
	CHECK_STR((*w)->name, a->name);
	CHECK_MEM((*w)->hwaddr, a->hwaddr, 6);
	CHECK_EQ((*w)->mtu, a->mtu);
	duet_link_attach(*w, &rx);
	duet_link_attach(*b, &rx);
}

/* Action: A of a memlink pair wrapped in capture; A sends the ARP request
 * and ICMPv6 echo at 1 s, B sends a UDP datagram at 2 s (arriving after
 * 1 ms). Response: while running, the file holds the three frames, stamped
 * 1 s, 1 s and 2.001 s; traffic passes through unchanged; tshark is happy. */
TEST(pcap_wrap_records_both_directions)
{
	static uint8_t file[4096];
	struct duet_pool_config pcfg;
	struct duet_pool_stats st;
	struct duet_pool *pool;
	struct duet_vclock vc;
	struct duet_link *b, *w;
	struct duet_pkt *p;
	uint8_t f[3][128];
	size_t len[3], off;
	char path[512];
	unsigned i;

	duet_pool_config_init(&pcfg);
	CHECK_EQ(duet_pool_create(&pcfg, &pool), 0);
	duet_vclock_init(&vc, DUET_NS_PER_S);
	tmp_path(path, sizeof path, "wrap");
	mk_captured_pair(pool, &vc, path, &w, &b);
	len[0] = mk_arp_request(f[0]);
	len[1] = mk_icmp6_echo(f[1]);
	len[2] = mk_udp6(f[2]);
	for (i = 0; i < 3; i++) {
		p = duet_pkt_alloc(pool, DUET_PKT_HEADROOM, len[i]);
		memcpy(duet_pkt_data(p), f[i], len[i]);
		if (i == 2)
			duet_vclock_set(&vc, 2 * DUET_NS_PER_S);
		CHECK_EQ(duet_link_transmit(i == 2 ? b : w, &p, 1), 1);
	}
	duet_link_poll(b, vc.now_ns);
	CHECK_EQ(rx_count, 2);
	CHECK(duet_link_next_deadline(w) == 2 * DUET_NS_PER_S + DUET_NS_PER_MS);
	duet_vclock_set(&vc, 2 * DUET_NS_PER_S + DUET_NS_PER_MS);
	duet_link_poll(w, vc.now_ns);
	CHECK_EQ(rx_count, 3);
	CHECK_MEM(duet_pkt_data(rx_last), f[2], len[2]);
	CHECK_EQ(w->stats.tx_frames, 2);
	CHECK_EQ(w->stats.rx_frames, 1);
	CHECK_EQ(slurp(path, file, sizeof file), (long)(24 + 48 + len[0] + len[1] + len[2]));
	off = 24;
	for (i = 0; i < 3; i++) {
		CHECK_EQ(get_le32(file + off), i < 2 ? 1 : 2);
		CHECK_EQ(get_le32(file + off + 4), i < 2 ? 0 : DUET_NS_PER_MS);
		CHECK_EQ(get_le32(file + off + 12), len[i]);
		CHECK_MEM(file + off + 16, f[i], len[i]);
		off += 16 + len[i];
	}
	if (have_tool("tshark"))
		tshark_check(path, 3);
	duet_pkt_free(rx_last);
	rx_last = NULL;
	duet_link_destroy(w);
	duet_link_destroy(b);
	duet_pool_stats(pool, &st);
	CHECK_EQ(st.in_use, 0);
	duet_pool_destroy(pool);
	unlink(path);
}

/* Action: wrap a stream; destroy. Response: the stream stays open (the
 * caller owns it) and holds the header. */
TEST(pcap_wrap_file_not_owned)
{
	struct duet_link *lo, *w = NULL;
	struct duet_vclock vc;
	FILE *f = tmpfile();

	duet_vclock_init(&vc, 0);
	CHECK(f != NULL);
	CHECK_EQ(duet_loopback_create(NULL, &lo), 0);
	CHECK_EQ(duet_pcap_wrap(lo, NULL, &vc.clock, &w), -EINVAL);
	CHECK_EQ(duet_pcap_wrap_file(lo, f, &vc.clock, &w), 0);
	duet_link_destroy(w);
	CHECK_EQ(ftell(f), 24);
	fclose(f);
}
