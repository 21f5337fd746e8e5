/* IPv6 input and source selection (N-1, N-6): header checks, the
 * destination filter, extension header order (RFC 8200 §4.1), option action
 * bits (§4.2), the Routing header (§4.4, RFC 5095), unknown Next Header →
 * Parameter Problem code 1, RFC 6724 source selection. */
#include "ip6_fixture.h"

#include <duet/links.h>

#include "net/ip6.h"

/* Injects payload (plen bytes) from src to dst with next header nh and
 * returns the first non-ND frame out (NULL if none). */
static struct duet_pkt *send_pkt(struct fx *x, const uint8_t src[16], const uint8_t dst[16],
				 uint8_t nh, const uint8_t *payload, size_t plen)
{
	uint8_t f[1600];

	fx_inject(x, f, fx_frame(f, src, dst, nh, 64, payload, plen));
	return fx_pop(x);
}

/* Checks p is a Parameter Problem code/pointer to the peer from src. */
static void expect_pp(struct duet_pkt *p, uint8_t code, uint32_t pointer, const uint8_t src[16],
		      const uint8_t dst[16])
{
	const uint8_t *r = fx_expect_icmp(p, DUET_ICMP6_PARAM_PROBLEM, code, src, dst);

	if (r)
		CHECK_EQ(duet_get_be32(r + 4), pointer);
	duet_pkt_free(p);
}

/* An 8-byte Destination Options / HBH header with one 4-byte option of
 * type opt, then an Echo Request; returns the length. */
static size_t opt_then_echo(uint8_t *m, uint8_t opt, const uint8_t src[16],
			    const uint8_t dst[16])
{
	size_t n;

	memset(m, 0, 8);
	m[0] = 58;
	m[2] = opt;
	m[3] = 4;
	n = fx_echo(m + 8, 3, 4, 8);
	fx_icmp_csum(m + 8, n, src, dst);
	return 8 + n;
}

/* Action: a packet with Next Header 253 (unassigned here). Response:
 * Parameter Problem code 1 pointing at the IPv6 Next Header (offset 6),
 * quoting the packet. */
TEST(ip6_unknown_next_header_param_problem)
{
	struct fx x;
	uint8_t m[16] = { 0 };
	struct duet_pkt *p;

	fx_setup(&x);
	p = send_pkt(&x, x.peer_gl, x.gl, 253, m, sizeof(m));
	CHECK(p && p->len == FX_IP6 + 8 + 40 + 16);
	expect_pp(p, 1, 6, x.gl, x.peer_gl);
	CHECK_EQ(fx_ctr(&x, DUET_CTR_IP6_IN_UNKNOWN_PROTOS), 1);
	CHECK_EQ(fx_ctr(&x, DUET_CTR_DROP_IP6_UNKNOWN_NH), 1);
	fx_teardown(&x);
}

/* Action: Destination Options whose Next Header is Hop-by-Hop. Response:
 * Parameter Problem code 1 pointing at that Next Header (offset 40). */
TEST(ip6_hbh_not_first)
{
	struct fx x;
	uint8_t m[16] = { 0 };

	fx_setup(&x);
	m[0] = 0; /* next: Hop-by-Hop */
	m[2] = 1; /* PadN 4 */
	m[3] = 4;
	expect_pp(send_pkt(&x, x.peer_gl, x.gl, 60, m, sizeof(m)), 1, 40, x.gl, x.peer_gl);
	CHECK_EQ(fx_ctr(&x, DUET_CTR_DROP_IP6_HBH_NOT_FIRST), 1);
	fx_teardown(&x);
}

/* Action: unknown options with action bits 00, 01, 10, 11 in Destination
 * Options (unicast) and Hop-by-Hop (to ff02::1). Response: 00 skipped (the
 * echo answered); 01 dropped silently; 10 Parameter Problem code 2 at the
 * option (offset 42) for both; 11 the same for unicast, nothing for
 * multicast. */
TEST(ip6_option_action_bits)
{
	static const uint8_t opts[4] = { 0x1e, 0x5e, 0x9e, 0xde };
	struct fx x;
	uint8_t m[64];
	struct duet_pkt *p;
	unsigned i;

	fx_setup(&x);
	for (i = 0; i < 4; i++) {
		size_t n = opt_then_echo(m, opts[i], x.peer_gl, x.gl);

		p = send_pkt(&x, x.peer_gl, x.gl, 60, m, n);
		if (i == 0)
			fx_expect_icmp(p, DUET_ICMP6_ECHO_REPLY, 0, x.gl, x.peer_gl);
		else if (i == 1)
			CHECK(p == NULL);
		if (i >= 2)
			expect_pp(p, 2, 42, x.gl, x.peer_gl);
		else
			duet_pkt_free(p);
		n = opt_then_echo(m, opts[i], x.peer_ll, x.all_nodes);
		p = send_pkt(&x, x.peer_ll, x.all_nodes, 0, m, n);
		if (i == 0)
			fx_expect_icmp(p, DUET_ICMP6_ECHO_REPLY, 0, x.ll, x.peer_ll);
		else if (i == 2)
			expect_pp(p, 2, 42, x.ll, x.peer_ll);
		else
			CHECK(p == NULL);
		if (i != 2)
			duet_pkt_free(p);
	}
	CHECK_EQ(fx_ctr(&x, DUET_CTR_DROP_IP6_OPT_DISCARD), 6);
	fx_teardown(&x);
}

/* A type-t Routing header with one address and Segments Left sl, then an
 * Echo Request. */
static size_t rh_then_echo(uint8_t *m, uint8_t t, uint8_t sl, const struct fx *x)
{
	size_t n;

	memset(m, 0, 24);
	m[0] = 58;
	m[1] = 2;
	m[2] = t;
	m[3] = sl;
	memcpy(m + 8, x->peer_gl, 16);
	n = fx_echo(m + 24, 3, 4, 8);
	fx_icmp_csum(m + 24, n, x->peer_gl, x->gl);
	return 24 + n;
}

/* Action: Routing header type 0 with Segments Left 1, then 0; an unknown
 * type 253 with Segments Left 1. Response: Parameter Problem code 0 at the
 * Routing Type (offset 42) for both SL 1 cases (RFC 5095: never processed);
 * with SL 0 the header is ignored and the echo answered. */
TEST(ip6_routing_header_type0)
{
	struct fx x;
	uint8_t m[64];
	size_t n;
	struct duet_pkt *p;

	fx_setup(&x);
	n = rh_then_echo(m, 0, 1, &x);
	expect_pp(send_pkt(&x, x.peer_gl, x.gl, 43, m, n), 0, 42, x.gl, x.peer_gl);
	n = rh_then_echo(m, 253, 1, &x);
	expect_pp(send_pkt(&x, x.peer_gl, x.gl, 43, m, n), 0, 42, x.gl, x.peer_gl);
	n = rh_then_echo(m, 0, 0, &x);
	p = send_pkt(&x, x.peer_gl, x.gl, 43, m, n);
	fx_expect_icmp(p, DUET_ICMP6_ECHO_REPLY, 0, x.gl, x.peer_gl);
	duet_pkt_free(p);
	CHECK_EQ(fx_ctr(&x, DUET_CTR_DROP_IP6_ROUTING_HDR), 2);
	fx_teardown(&x);
}

/* Action: packets to an address not ours, from a multicast source, with a
 * bad version, and a valid echo with 20 bytes of link padding. Response:
 * the first three dropped under their counters; the padded one answered
 * with the padding cut. */
TEST(ip6_header_checks_and_padding)
{
	struct fx x;
	uint8_t m[64], f[200], other[16];
	size_t n;
	struct duet_pkt *p;

	fx_setup(&x);
	fx_a6("2001:db8::99", other);
	n = fx_echo(m, 1, 1, 8);
	CHECK(send_pkt(&x, x.peer_gl, other, 58, m, n) == NULL);
	CHECK_EQ(fx_ctr(&x, DUET_CTR_DROP_IP6_NOT_FOR_US), 1);
	CHECK(send_pkt(&x, x.all_nodes, x.gl, 58, m, n) == NULL);
	CHECK_EQ(fx_ctr(&x, DUET_CTR_DROP_IP6_BAD_SRC), 1);
	fx_icmp_csum(m, n, x.peer_gl, x.gl);
	fx_frame(f, x.peer_gl, x.gl, 58, 64, m, n);
	f[FX_ETH] = 0x50;
	fx_inject(&x, f, FX_IP6 + n);
	CHECK_EQ(fx_ctr(&x, DUET_CTR_DROP_IP6_BAD_VERSION), 1);
	f[FX_ETH] = 0x60;
	memset(f + FX_IP6 + n, 0xee, 20);
	fx_inject(&x, f, FX_IP6 + n + 20);
	p = fx_pop(&x);
	fx_expect_icmp(p, DUET_ICMP6_ECHO_REPLY, 0, x.gl, x.peer_gl);
	duet_pkt_free(p);
	fx_teardown(&x);
}

/* Action: No Next Header (59). Response: dropped quietly, counted. */
TEST(ip6_no_next_header)
{
	struct fx x;
	uint8_t m[8] = { 0 };

	fx_setup(&x);
	CHECK(send_pkt(&x, x.peer_gl, x.gl, 59, m, sizeof(m)) == NULL);
	CHECK_EQ(fx_ctr(&x, DUET_CTR_DROP_IP6_NO_NEXT_HEADER), 1);
	fx_teardown(&x);
}

/* Action: source selection for a link-local, a global and two
 * more-specific destinations, with a tentative address that would match
 * best. Response: link-local → fe80::1, global → 2001:db8::1, longest
 * match wins, the tentative address is never chosen (N-6). */
TEST(ip6_source_selection)
{
	struct fx x;
	uint8_t dst[16], out[16], a1[16], a2[16], tent[16];

	fx_setup(&x);
	fx_a6("2001:db8:1::1", a1);
	fx_a6("2001:db8:2::1", a2);
	fx_a6("2001:db8:3::1", tent);
	CHECK_EQ(duet_if_addr_add(x.s, x.eth, AF_INET6, a1, 64, DUET_IFA_F_NODAD), 0);
	CHECK_EQ(duet_if_addr_add(x.s, x.eth, AF_INET6, a2, 64, DUET_IFA_F_NODAD), 0);
	CHECK_EQ(duet_if_addr_add(x.s, x.eth, AF_INET6, tent, 64, 0), 0);
	fx_a6("fe80::99", dst);
	CHECK_EQ(ip6_select_source(x.s, dst, x.eth, out), 0);
	CHECK_MEM(out, x.ll, 16);
	CHECK_EQ(ip6_select_source(x.s, x.peer_gl, 0, out), 0);
	CHECK_MEM(out, x.gl, 16);
	fx_a6("2001:db8:2::99", dst);
	CHECK_EQ(ip6_select_source(x.s, dst, 0, out), 0);
	CHECK_MEM(out, a2, 16);
	fx_a6("2001:db8:3::99", dst);
	CHECK_EQ(ip6_select_source(x.s, dst, x.eth, out), 0);
	CHECK(memcmp(out, tent, 16) != 0);
	CHECK_EQ(ip6_select_source(x.s, x.gl, 0, out), 0); /* rule 1 */
	CHECK_MEM(out, x.gl, 16);
	fx_a6("2001:db9::1", dst);
	CHECK_EQ(ip6_select_source(x.s, dst, 0, out), -EADDRNOTAVAIL); /* no route */
	fx_teardown(&x);
}

/* Action: with ::1 on a loopback interface, an echo request for ::1 arrives
 * on the Ethernet link. Response: dropped, no reply (RFC 4291 §2.5.3: never
 * accepted from a non-loopback link). (Found in review.) */
TEST(ip6_loopback_dst_from_wire)
{
	struct fx x;
	uint8_t m[64], one[16];
	size_t n;

	fx_setup(&x);
	fx_a6("::1", one);
	CHECK_EQ(net_local_ifindex(x.s, 16, one), (uint32_t)duet_stack_ifindex(x.s, "lo"));
	n = fx_echo(m, 1, 1, 8);
	fx_icmp_csum(m, n, x.peer_gl, one);
	CHECK(send_pkt(&x, x.peer_gl, one, 58, m, n) == NULL);
	CHECK_EQ(fx_ctr(&x, DUET_CTR_DROP_IP6_NOT_FOR_US), 1);
	CHECK_EQ(fx_ctr(&x, DUET_CTR_ICMP6_OUT_ECHO_REPLIES), 0);
	fx_teardown(&x);
}
