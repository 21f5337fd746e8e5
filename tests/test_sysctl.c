/* Named runtime knobs (S-3): listed with defaults and ranges, read and set
 * by name, bad names and values refused with Linux's errnos and nothing
 * changed, and each set taking effect at once on a running stack (hop
 * limit on the wire, reassembly timeout, ICMPv6 rate limit). */
#include "ip6_fixture.h"

#include <duet/sysctl.h>

/* Action: every knob is listed and read on a fresh stack. Response: each
 * reads back; the defaults are the ones the engines document (TTL and hop
 * limit 64, reassembly 60 s and 4 MiB, 1,000 errors/s with a burst of 50,
 * path MTU entries forgotten after 10 minutes). */
TEST(sysctl_list_and_defaults)
{
	struct fx x;
	const struct duet_sysctl_info *k;
	long long v;
	size_t i;

	fx_setup(&x);
	for (i = 0; (k = duet_sysctl_info(i)) != NULL; i++) {
		CHECK_EQ(duet_sysctl_get(x.s, k->name, &v), 0);
		CHECK(v >= k->min && v <= k->max);
	}
	CHECK_EQ(i, 52);
	CHECK_EQ(duet_sysctl_get(x.s, "net.inet.ip.ttl", &v), 0);
	CHECK_EQ(v, 64);
	CHECK_EQ(duet_sysctl_get(x.s, "net.inet6.ip6.hlim", &v), 0);
	CHECK_EQ(v, 64);
	CHECK_EQ(duet_sysctl_get(x.s, "net.inet6.ip6.reass_timeout_ms", &v), 0);
	CHECK_EQ(v, 60000);
	CHECK_EQ(duet_sysctl_get(x.s, "net.inet6.ip6.reass_mem_bytes", &v), 0);
	CHECK_EQ(v, 4 << 20);
	CHECK_EQ(duet_sysctl_get(x.s, "net.inet6.icmp6.errppslimit", &v), 0);
	CHECK_EQ(v, 1000);
	CHECK_EQ(duet_sysctl_get(x.s, "net.inet6.icmp6.errppslimit_burst", &v), 0);
	CHECK_EQ(v, 50);
	CHECK_EQ(duet_sysctl_get(x.s, "net.inet6.ip6.pmtu_expire_ms", &v), 0);
	CHECK_EQ(v, 600000);
	/* S-3: the socket layer's knobs and their defaults. */
	CHECK_EQ(duet_sysctl_get(x.s, "net.inet6.ip6.bindv6only", &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(duet_sysctl_get(x.s, "net.inet.ip.portrange.first", &v), 0);
	CHECK_EQ(v, 49152);
	CHECK_EQ(duet_sysctl_get(x.s, "net.inet.ip.portrange.lowfirst", &v), 0);
	CHECK_EQ(v, 1023);
	CHECK_EQ(duet_sysctl_get(x.s, "net.inet6.ip6.mcast_hlim", &v), 0);
	CHECK_EQ(v, 1);
	CHECK_EQ(duet_sysctl_get(x.s, "net.core.rmem_default", &v), 0);
	CHECK_EQ(v, 212992);
	/* T-2: TCP's knobs, Linux's defaults where Linux has the knob. */
	CHECK_EQ(duet_sysctl_get(x.s, "net.ipv4.tcp_syn_retries", &v), 0);
	CHECK_EQ(v, 6);
	CHECK_EQ(duet_sysctl_get(x.s, "net.ipv4.tcp_fin_timeout", &v), 0);
	CHECK_EQ(v, 60);
	CHECK_EQ(duet_sysctl_get(x.s, "net.ipv4.tcp_keepalive_time", &v), 0);
	CHECK_EQ(v, 7200);
	CHECK_EQ(duet_sysctl_get(x.s, "net.ipv4.tcp_syncookies", &v), 0);
	CHECK_EQ(v, 1);
	CHECK_EQ(duet_sysctl_set(x.s, "net.ipv4.tcp_fin_timeout", 30), 0);
	CHECK_EQ(duet_sysctl_get(x.s, "net.ipv4.tcp_fin_timeout", &v), 0);
	CHECK_EQ(v, 30);
	CHECK_EQ(duet_sysctl_set(x.s, "net.duet.tcp.congestion", 2), -EINVAL);
	CHECK(duet_sysctl_info(52) == NULL);
	fx_teardown(&x);
}

/* Action: unknown names, values out of range, malformed text. Response:
 * -ENOENT for a name that does not exist, -EINVAL for a bad value (as
 * Linux's sysctl files answer); the knob keeps its value. */
TEST(sysctl_bad_names_and_values_refused)
{
	struct fx x;
	long long v;

	fx_setup(&x);
	CHECK_EQ(duet_sysctl_get(x.s, "net.inet.ip.nope", &v), -ENOENT);
	CHECK_EQ(duet_sysctl_get(x.s, NULL, &v), -ENOENT);
	CHECK_EQ(duet_sysctl_set(x.s, "net.inet.ip.nope", 1), -ENOENT);
	CHECK_EQ(duet_sysctl_set(x.s, "net.inet.ip.ttl", 0), -EINVAL);
	CHECK_EQ(duet_sysctl_set(x.s, "net.inet.ip.ttl", 256), -EINVAL);
	CHECK_EQ(duet_sysctl_set(x.s, "net.inet6.icmp6.errppslimit_burst", 0), -EINVAL);
	CHECK_EQ(duet_sysctl_set_text(x.s, "net.inet.ip.ttl"), -EINVAL);
	CHECK_EQ(duet_sysctl_set_text(x.s, "net.inet.ip.ttl="), -EINVAL);
	CHECK_EQ(duet_sysctl_set_text(x.s, "net.inet.ip.ttl=12x"), -EINVAL);
	CHECK_EQ(duet_sysctl_set_text(x.s, "net.inet.ip.ttl=99999999999999999999999"), -EINVAL);
	CHECK_EQ(duet_sysctl_set_text(x.s, "no.such.knob=1"), -ENOENT);
	CHECK_EQ(duet_sysctl_get(x.s, "net.inet.ip.ttl", &v), 0);
	CHECK_EQ(v, 64);
	CHECK_EQ(duet_sysctl_set_text(x.s, "net.inet.ip.ttl=33"), 0);
	CHECK_EQ(duet_sysctl_get(x.s, "net.inet.ip.ttl", &v), 0);
	CHECK_EQ(v, 33);
	CHECK_EQ(net_if_get(x.s, x.eth)->ttl, 33);
	fx_teardown(&x);
}

/* Action: net.inet6.ip6.hlim set to 33, then an echo request sent; then an
 * interface whose hop limit an RA set (47) and the knob set to 20.
 * Response: the request leaves with hop limit 33; the RA's value is kept
 * (RFC 4861 6.3.4: the router's Cur Hop Limit wins) while the knob reads 20. */
TEST(sysctl_hop_limit_on_the_wire)
{
	struct fx x;
	struct duet_pkt *p;
	struct net_if *ifp;

	fx_setup(&x);
	CHECK_EQ(duet_sysctl_set(x.s, "net.inet6.ip6.hlim", 33), 0);
	CHECK_EQ(duet_echo_send(x.s, AF_INET6, x.peer_gl, 0, 1, 1, 8), 0);
	duet_stack_poll(x.s);
	p = fx_pop(&x);
	CHECK(p != NULL);
	if (p) {
		CHECK_EQ(duet_pkt_data(p)[FX_ETH + 7], 33);
		duet_pkt_free(p);
	}
	ifp = net_if_get(x.s, x.eth);
	ifp->hop_limit = 47; /* as nd6_ra.c records an RA's Cur Hop Limit */
	ifp->has_ra_hop_limit = true;
	CHECK_EQ(duet_sysctl_set(x.s, "net.inet6.ip6.hlim", 20), 0);
	CHECK_EQ(ifp->hop_limit, 47);
	fx_teardown(&x);
}

/* Action: net.inet6.ip6.reass_timeout_ms set to 5,000; the first fragment
 * of an echo request arrives alone. Response: nothing at 4.9 s; Time
 * Exceeded code 1 (RFC 8200 4.5) once 5 s have passed, not 60 s. */
TEST(sysctl_reassembly_timeout_takes_effect)
{
	struct fx x;
	uint8_t m[200], fr[120], f[200];
	struct duet_pkt *p;

	fx_setup(&x);
	CHECK_EQ(duet_sysctl_set(x.s, "net.inet6.ip6.reass_timeout_ms", 5000), 0);
	fx_echo(m, 1, 1, 100);
	memset(fr, 0, 8);
	fr[0] = 58;
	duet_put_be16(fr + 2, 1); /* offset 0, M */
	duet_put_be32(fr + 4, 99);
	memcpy(fr + 8, m, 80);
	fx_inject(&x, f, fx_frame(f, x.peer_gl, x.gl, 44, 64, fr, 88));
	fx_advance_ms(&x, 4900);
	CHECK(fx_pop(&x) == NULL);
	fx_advance_ms(&x, 200);
	p = fx_pop(&x);
	fx_expect_icmp(p, DUET_ICMP6_TIME_EXCEEDED, 1, x.gl, x.peer_gl);
	duet_pkt_free(p);
	fx_teardown(&x);
}

/* Action: net.inet6.icmp6.errppslimit_burst set to 5; 20 packets with an
 * unknown Next Header arrive at once. Response: 5 Parameter Problems, 15
 * rate limited (RFC 4443 2.4(f)). */
TEST(sysctl_icmp6_rate_limit_takes_effect)
{
	struct fx x;
	uint8_t m[8] = { 0 }, f[100];
	struct duet_pkt *p;
	unsigned i, sent = 0;
	size_t n;

	fx_setup(&x);
	CHECK_EQ(duet_sysctl_set(x.s, "net.inet6.icmp6.errppslimit_burst", 5), 0);
	n = fx_frame(f, x.peer_gl, x.gl, 253, 64, m, sizeof(m));
	for (i = 0; i < 20; i++)
		CHECK_EQ(duet_chanlink_inject(x.link, f, n), 0);
	duet_stack_poll(x.s);
	while ((p = fx_pop(&x)) != NULL) {
		sent++;
		duet_pkt_free(p);
	}
	CHECK_EQ(sent, 5);
	CHECK_EQ(fx_ctr(&x, DUET_CTR_ICMP_RATELIMITED), 15);
	fx_teardown(&x);
}
