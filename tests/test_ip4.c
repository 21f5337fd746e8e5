/* IPv4 host script tests (N-8 header checks, ICMPv4 echo and errors; N-2's
 * IPv4 side: errors rate limited, never about an error; F-1 source
 * fragmentation; F-2 reassembly, overlaps, Time Exceeded; F-3 Fragmentation
 * Needed lowers the path MTU; errors reach the transport that sent the
 * quoted datagram with Linux's errno): frames injected through a channel link on a
 * virtual clock, what comes out parsed with the wire parsers. */
#include "ip4_fixture.h"

#include <duet/links.h>

static uint8_t payload[FX_MAX_FRAME];

/* Injects an echo request of data_len bytes (unfragmented). */
static void inject_echo(struct fx *f, uint16_t id, uint16_t seq, size_t data_len)
{
	struct duet_ip4_hdr h = fx_ip4(DUET_IP4_PROTO_ICMP, id);
	size_t n = fx_build_echo(payload, DUET_ICMP4_ECHO, id, seq, data_len);

	fx_inject(f, f->frame, fx_build_ip4(f->frame, fx_mac, &h, payload, n));
}

/* Action: an echo request of 56 bytes. Response: one echo reply from the
 * address asked, TTL 64, same id, seq and data, both checksums right. */
TEST(ip4_echo_request_answered)
{
	struct fx f;
	struct duet_pkt *p;
	struct duet_eth_hdr eth;
	struct duet_ip4_hdr ip;
	struct duet_icmp4_hdr ic;
	struct duet_cur c;
	size_t n;

	fx_setup(&f);
	fx_seed_peer(&f);
	inject_echo(&f, 0x1234, 7, 56);
	fx_poll(&f);
	p = fx_pop(&f, DUET_ETHERTYPE_IPV4);
	CHECK(p != NULL);
	if (p) {
		CHECK_EQ(fx_parse_ip4(p, &eth, &ip, &c), 0); /* header checksum verified */
		CHECK_MEM(eth.dst, fx_peer_mac, 6);
		CHECK_MEM(eth.src, fx_mac, 6);
		CHECK_MEM(ip.src, fx_ip, 4);
		CHECK_MEM(ip.dst, fx_peer_ip, 4);
		CHECK_EQ(ip.ttl, 64);
		CHECK_EQ(ip.protocol, DUET_IP4_PROTO_ICMP);
		CHECK(duet_icmp4_csum_ok(c.data + c.off, duet_cur_left(&c)));
		CHECK_EQ(duet_cur_left(&c), 64);
		CHECK_EQ(duet_icmp4_parse(&c, &ic), 0);
		CHECK_EQ(ic.type, DUET_ICMP4_ECHO_REPLY);
		CHECK_EQ(ic.code, 0);
		CHECK_EQ(ic.identifier, 0x1234);
		CHECK_EQ(ic.sequence_number, 7);
		n = fx_build_echo(payload, DUET_ICMP4_ECHO, 0x1234, 7, 56);
		CHECK_MEM(c.data + c.off, payload + 8, n - 8);
		duet_pkt_free(p);
	}
	CHECK_EQ(fx_ctr(&f, DUET_CTR_ICMP4_IN_ECHOS), 1);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_ICMP4_OUT_ECHO_REPS), 1);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_IP4_IN_DELIVERS), 1);
	fx_teardown(&f);
}

/* Action: an echo request followed by 10 bytes of Ethernet padding.
 * Response: the padding is trimmed: the reply has the request's length. */
TEST(ip4_ethernet_padding_trimmed)
{
	struct fx f;
	struct duet_ip4_hdr h = fx_ip4(DUET_IP4_PROTO_ICMP, 9);
	struct duet_pkt *p;
	size_t n, len;

	fx_setup(&f);
	fx_seed_peer(&f);
	n = fx_build_echo(payload, DUET_ICMP4_ECHO, 1, 1, 4);
	len = fx_build_ip4(f.frame, fx_mac, &h, payload, n);
	memset(f.frame + len, 0, 10);
	fx_inject(&f, f.frame, len + 10);
	fx_poll(&f);
	p = fx_pop(&f, DUET_ETHERTYPE_IPV4);
	CHECK(p && p->len == len);
	duet_pkt_free(p);
	fx_teardown(&f);
}

/* Action: headers with a bad checksum, version 6, IHL 4, Total Length past
 * the frame, the reserved flag. Response: each dropped under its counter,
 * InHdrErrors 5, nothing sent. */
TEST(ip4_bad_headers_dropped)
{
	struct fx f;
	struct duet_ip4_hdr h = fx_ip4(DUET_IP4_PROTO_ICMP, 1);
	size_t n, len;
	uint8_t *ip = f.frame + 14;

	fx_setup(&f);
	fx_seed_peer(&f);
	n = fx_build_echo(payload, DUET_ICMP4_ECHO, 1, 1, 8);
	len = fx_build_ip4(f.frame, fx_mac, &h, payload, n);
	ip[10] ^= 0xff; /* checksum */
	fx_inject(&f, f.frame, len);
	ip[10] ^= 0xff;
	ip[0] = 0x65; /* version 6 */
	fx_inject(&f, f.frame, len);
	ip[0] = 0x44; /* IHL 4 */
	fx_inject(&f, f.frame, len);
	ip[0] = 0x45;
	fx_inject(&f, f.frame, len - 4); /* Total Length past the frame */
	ip[6] |= 0x80; /* reserved flag: checksum fixed below */
	duet_put_be16(ip + 10, 0);
	duet_put_be16(ip + 10, duet_csum(ip, 20));
	fx_inject(&f, f.frame, len);
	fx_poll(&f);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_DROP_IP4_BAD_CHECKSUM), 1);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_DROP_IP4_MALFORMED), 3);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_DROP_IP4_BAD_FIELD), 1);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_IP4_IN_HDR_ERRORS), 5);
	CHECK_EQ(fx_drain(&f), 0);
	fx_teardown(&f);
}

/* Action: datagrams to another host, from a multicast source, and a
 * unicast datagram in a broadcast frame. Response: dropped, counted. */
TEST(ip4_address_checks)
{
	struct fx f;
	struct duet_ip4_hdr h = fx_ip4(DUET_IP4_PROTO_ICMP, 1);
	size_t n;

	fx_setup(&f);
	fx_seed_peer(&f);
	n = fx_build_echo(payload, DUET_ICMP4_ECHO, 1, 1, 8);
	h.dst[3] = 77;
	fx_inject(&f, f.frame, fx_build_ip4(f.frame, fx_mac, &h, payload, n));
	h = fx_ip4(DUET_IP4_PROTO_ICMP, 2);
	h.src[0] = 224;
	fx_inject(&f, f.frame, fx_build_ip4(f.frame, fx_mac, &h, payload, n));
	h = fx_ip4(DUET_IP4_PROTO_ICMP, 3);
	fx_inject(&f, f.frame, fx_build_ip4(f.frame, fx_bcast_mac, &h, payload, n));
	fx_poll(&f);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_DROP_IP4_NOT_FOR_US), 1);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_DROP_IP4_BAD_SRC), 1);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_DROP_IP4_L2_BCAST_UNICAST), 1);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_IP4_IN_ADDR_ERRORS), 3);
	CHECK_EQ(fx_drain(&f), 0);
	fx_teardown(&f);
}

/* Action: echo requests to 255.255.255.255 and to 192.0.2.255. Response:
 * ignored (Linux icmp_echo_ignore_broadcasts=1). */
TEST(ip4_broadcast_echo_ignored)
{
	struct fx f;
	struct duet_ip4_hdr h = fx_ip4(DUET_IP4_PROTO_ICMP, 1);
	size_t n;

	fx_setup(&f);
	fx_seed_peer(&f);
	n = fx_build_echo(payload, DUET_ICMP4_ECHO, 1, 1, 8);
	memset(h.dst, 255, 4);
	fx_inject(&f, f.frame, fx_build_ip4(f.frame, fx_bcast_mac, &h, payload, n));
	h = fx_ip4(DUET_IP4_PROTO_ICMP, 2);
	h.dst[3] = 255;
	fx_inject(&f, f.frame, fx_build_ip4(f.frame, fx_bcast_mac, &h, payload, n));
	fx_poll(&f);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_DROP_ICMP4_BCAST_ECHO), 2);
	CHECK_EQ(fx_drain(&f), 0);
	fx_teardown(&f);
}

/* Pops an ICMP error; checks type/code; returns the quote in *q. */
static bool pop_icmp_error(struct fx *f, uint8_t type, uint8_t code, struct duet_icmp4_hdr *ic,
			   uint8_t *q, size_t *qlen)
{
	struct duet_pkt *p = fx_pop(f, DUET_ETHERTYPE_IPV4);
	struct duet_eth_hdr eth;
	struct duet_ip4_hdr ip;
	struct duet_cur c;
	bool ok;

	if (!p)
		return false;
	ok = fx_parse_ip4(p, &eth, &ip, &c) == 0 && ip.protocol == DUET_IP4_PROTO_ICMP &&
	     duet_icmp4_csum_ok(c.data + c.off, duet_cur_left(&c)) &&
	     duet_icmp4_parse(&c, ic) == 0 && ic->type == type && ic->code == code;
	CHECK_EQ(ip.dscp << 2, 0xc0);
	*qlen = duet_cur_left(&c);
	memcpy(q, c.data + c.off, *qlen);
	duet_pkt_free(p);
	return ok;
}

/* Action: a datagram of protocol 253 with 30 bytes of data. Response:
 * Destination Unreachable, protocol unreachable, quoting it whole. */
TEST(ip4_unknown_protocol_unreachable)
{
	struct fx f;
	struct duet_ip4_hdr h = fx_ip4(253, 0x4242);
	struct duet_icmp4_hdr ic;
	uint8_t q[600];
	size_t len, qlen = 0;

	fx_setup(&f);
	fx_seed_peer(&f);
	memset(payload, 0x5a, 30);
	len = fx_build_ip4(f.frame, fx_mac, &h, payload, 30);
	fx_inject(&f, f.frame, len);
	fx_poll(&f);
	CHECK(pop_icmp_error(&f, DUET_ICMP4_DEST_UNREACH, DUET_ICMP4_UNREACH_PROTOCOL, &ic, q, &qlen));
	CHECK_EQ(qlen, 50);
	CHECK_MEM(q, f.frame + 14, 50);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_IP4_IN_UNKNOWN_PROTOS), 1);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_ICMP4_OUT_DEST_UNREACHS), 1);
	fx_teardown(&f);
}

/* Action: a Record Route option whose pointer is 2. Response: Parameter
 * Problem pointing at the option (octet 20); the datagram is dropped. */
TEST(ip4_bad_option_parameter_problem)
{
	struct fx f;
	struct duet_ip4_hdr h = fx_ip4(DUET_IP4_PROTO_ICMP, 5);
	static const uint8_t rr[4] = { DUET_IP4_OPT_RR, 3, 2, 0 };
	struct duet_icmp4_hdr ic;
	uint8_t q[600];
	size_t n, qlen = 0;

	fx_setup(&f);
	fx_seed_peer(&f);
	h.options = rr;
	h.options_len = 4;
	n = fx_build_echo(payload, DUET_ICMP4_ECHO, 1, 1, 8);
	fx_inject(&f, f.frame, fx_build_ip4(f.frame, fx_mac, &h, payload, n));
	fx_poll(&f);
	CHECK(pop_icmp_error(&f, DUET_ICMP4_PARAM_PROBLEM, 0, &ic, q, &qlen));
	CHECK_EQ(ic.pointer, 20);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_DROP_IP4_BAD_OPTION), 1);
	fx_teardown(&f);
}

/* Action: echo requests carrying a valid Record Route, then a valid Loose
 * Source Route option. Response: the first is answered (options are
 * accepted); the second dropped as source-routed, as Linux does
 * (accept_source_route=0), with no reply and no error. */
TEST(ip4_source_routed_dropped_record_route_accepted)
{
	struct fx f;
	struct duet_ip4_hdr h = fx_ip4(DUET_IP4_PROTO_ICMP, 6);
	static const uint8_t rr[8] = { DUET_IP4_OPT_RR, 7, 4, 0, 0, 0, 0, DUET_IP4_OPT_EOL };
	static const uint8_t lsrr[8] = { DUET_IP4_OPT_LSRR, 7, 4, 192, 0, 2, 9, DUET_IP4_OPT_EOL };
	size_t n;

	fx_setup(&f);
	fx_seed_peer(&f);
	n = fx_build_echo(payload, DUET_ICMP4_ECHO, 1, 1, 8);
	h.options = rr;
	h.options_len = 8;
	fx_inject(&f, f.frame, fx_build_ip4(f.frame, fx_mac, &h, payload, n));
	fx_poll(&f);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_ICMP4_OUT_ECHO_REPS), 1);
	h = fx_ip4(DUET_IP4_PROTO_ICMP, 7);
	h.options = lsrr;
	h.options_len = 8;
	fx_inject(&f, f.frame, fx_build_ip4(f.frame, fx_mac, &h, payload, n));
	fx_poll(&f);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_DROP_IP4_SOURCE_ROUTE), 1);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_ICMP4_OUT_ECHO_REPS), 1);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_ICMP4_OUT_MSGS), 1);
	fx_teardown(&f);
}

/* Action: the same bad option on an ICMP error and on a non-first
 * fragment. Response: no ICMP error about either (RFC 1122 §3.2.2). */
TEST(icmp4_no_error_about_error_or_fragment)
{
	struct fx f;
	struct duet_ip4_hdr h = fx_ip4(DUET_IP4_PROTO_ICMP, 6);
	static const uint8_t rr[4] = { DUET_IP4_OPT_RR, 3, 2, 0 };
	struct duet_icmp4_hdr ic = { .type = DUET_ICMP4_DEST_UNREACH, .code = 1 };
	struct duet_wcur w;

	fx_setup(&f);
	fx_seed_peer(&f);
	h.options = rr;
	h.options_len = 4;
	duet_wcur_init(&w, payload, 8);
	duet_icmp4_emit(&ic, &w);
	memset(payload + 8, 0, 28);
	duet_icmp4_csum_set(payload, 36);
	fx_inject(&f, f.frame, fx_build_ip4(f.frame, fx_mac, &h, payload, 36));
	h = fx_ip4(253, 7);
	h.options = rr;
	h.options_len = 4;
	h.fragment_offset = 10;
	fx_inject(&f, f.frame, fx_build_ip4(f.frame, fx_mac, &h, payload, 16));
	fx_poll(&f);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_DROP_IP4_BAD_OPTION), 2);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_ICMP4_ERR_SUPPRESSED), 2);
	CHECK_EQ(fx_drain(&f), 0);
	fx_teardown(&f);
}

/* Action: 100 datagrams of an unknown protocol at one instant. Response: 50
 * errors (the burst), 50 refused by the token bucket. */
TEST(icmp4_error_rate_limited)
{
	struct fx f;
	unsigned i, n;

	fx_setup(&f);
	fx_seed_peer(&f);
	memset(payload, 1, 8);
	for (i = 0; i < 100; i++) {
		struct duet_ip4_hdr h = fx_ip4(253, (uint16_t)i);
		fx_inject(&f, f.frame, fx_build_ip4(f.frame, fx_mac, &h, payload, 8));
	}
	fx_poll(&f);
	n = fx_drain(&f);
	CHECK_EQ(n, 50);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_ICMP_RATELIMITED), 50);
	fx_teardown(&f);
}

/* Injects an echo of data_len bytes in fragments of at most frag_data. */
static void inject_echo_frags(struct fx *f, uint16_t id, size_t data_len, size_t frag_data)
{
	size_t n = fx_build_echo(payload, DUET_ICMP4_ECHO, id, 1, data_len), off;
	static uint8_t frame[2000];

	for (off = 0; off < n; off += frag_data) {
		struct duet_ip4_hdr h = fx_ip4(DUET_IP4_PROTO_ICMP, id);
		size_t k = n - off < frag_data ? n - off : frag_data;
		h.fragment_offset = (uint16_t)(off / 8);
		h.mf = off + k < n;
		fx_inject(f, frame, fx_build_ip4(frame, fx_mac, &h, payload + off, k));
	}
}

/* Pops every IPv4 frame and reassembles them into out (offset order as
 * sent); returns the fragment count, checking each fits mtu. */
static unsigned pop_fragments(struct fx *f, uint32_t mtu, uint8_t *out, size_t *total)
{
	struct duet_pkt *p;
	unsigned count = 0;

	*total = 0;
	while ((p = fx_pop(f, DUET_ETHERTYPE_IPV4)) != NULL) {
		struct duet_eth_hdr eth;
		struct duet_ip4_hdr ip;
		struct duet_cur c;
		CHECK_EQ(fx_parse_ip4(p, &eth, &ip, &c), 0);
		CHECK(ip.total_length <= mtu);
		CHECK(!ip.mf || (duet_cur_left(&c) % 8) == 0);
		memcpy(out + ip.fragment_offset * 8u, c.data + c.off, duet_cur_left(&c));
		if (!ip.mf)
			*total = ip.fragment_offset * 8u + duet_cur_left(&c);
		count++;
		duet_pkt_free(p);
	}
	return count;
}

/* Action: an echo request of 3000 data bytes in 3 fragments. Response:
 * reassembled and answered by a reply fragmented to the 1500-byte MTU
 * (1480 + 1480 + 48), carrying the same data. */
TEST(ip4_fragments_reassembled_and_answered)
{
	struct fx f;
	static uint8_t got[70000];
	size_t total;
	unsigned n;

	fx_setup(&f);
	fx_seed_peer(&f);
	inject_echo_frags(&f, 0x77, 3000, 1480);
	fx_poll(&f);
	n = pop_fragments(&f, 1500, got, &total);
	CHECK_EQ(n, 3);
	CHECK_EQ(total, 3008);
	CHECK_EQ(got[0], DUET_ICMP4_ECHO_REPLY);
	CHECK(duet_icmp4_csum_ok(got, total));
	fx_build_echo(payload, DUET_ICMP4_ECHO, 0x77, 1, 3000);
	CHECK_MEM(got + 8, payload + 8, 3000);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_REASM_OKS), 1);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_IP4_FRAG_OKS), 1);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_IP4_FRAG_CREATES), 3);
	fx_teardown(&f);
}

/* Action: two fragments that overlap (RFC 5722 applied to IPv4, as Linux),
 * then the rest. Response: the datagram is discarded, no reply. */
TEST(ip4_overlapping_fragments_dropped)
{
	struct fx f;
	size_t n = fx_build_echo(payload, DUET_ICMP4_ECHO, 9, 1, 2000);
	struct duet_ip4_hdr h = fx_ip4(DUET_IP4_PROTO_ICMP, 9);

	fx_setup(&f);
	fx_seed_peer(&f);
	h.mf = true;
	fx_inject(&f, f.frame, fx_build_ip4(f.frame, fx_mac, &h, payload, 1000));
	h = fx_ip4(DUET_IP4_PROTO_ICMP, 9);
	h.mf = true;
	h.fragment_offset = 992 / 8;
	fx_inject(&f, f.frame, fx_build_ip4(f.frame, fx_mac, &h, payload + 992, 504));
	h = fx_ip4(DUET_IP4_PROTO_ICMP, 9);
	h.fragment_offset = 1496 / 8;
	fx_inject(&f, f.frame, fx_build_ip4(f.frame, fx_mac, &h, payload + 1496, n - 1496));
	fx_poll(&f);
	CHECK(fx_ctr(&f, DUET_CTR_DROP_REASM_OVERLAP) >= 1);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_REASM_OKS), 0);
	CHECK_EQ(fx_drain(&f), 0);
	fx_teardown(&f);
}

/* Action: only the first fragment arrives; 61 s pass. Response: Time
 * Exceeded code 1 quoting it. */
TEST(ip4_reassembly_timeout_time_exceeded)
{
	struct fx f;
	struct duet_ip4_hdr h = fx_ip4(DUET_IP4_PROTO_ICMP, 11);
	struct duet_icmp4_hdr ic;
	uint8_t q[600];
	size_t qlen = 0;

	fx_setup(&f);
	fx_seed_peer(&f);
	fx_build_echo(payload, DUET_ICMP4_ECHO, 11, 1, 2000);
	h.mf = true;
	fx_inject(&f, f.frame, fx_build_ip4(f.frame, fx_mac, &h, payload, 1000));
	fx_poll(&f);
	CHECK_EQ(fx_drain(&f), 0);
	fx_at_ms(&f, 61000);
	CHECK(pop_icmp_error(&f, DUET_ICMP4_TIME_EXCEEDED, DUET_ICMP4_TIMXCEED_REASS, &ic, q, &qlen));
	CHECK(qlen >= 28);
	CHECK_MEM(q, f.frame + 14, 28);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_ICMP4_OUT_TIME_EXCDS), 1);
	fx_teardown(&f);
}

/* Action: a 1400-byte echo is answered whole; a Fragmentation Needed with
 * MTU 1000 quoting the reply arrives; the same echo again. Response: the
 * second reply leaves in fragments of at most 1000 bytes. */
TEST(icmp4_frag_needed_lowers_pmtu)
{
	struct fx f;
	static uint8_t got[70000];
	struct duet_icmp4_hdr ic = { .type = DUET_ICMP4_DEST_UNREACH,
				     .code = DUET_ICMP4_UNREACH_NEEDFRAG, .next_hop_mtu = 1000 };
	struct duet_ip4_hdr h = fx_ip4(DUET_IP4_PROTO_ICMP, 50);
	struct duet_pkt *p;
	struct duet_wcur w;
	size_t total;

	fx_setup(&f);
	fx_seed_peer(&f);
	inject_echo(&f, 1, 1, 1400);
	fx_poll(&f);
	p = fx_pop(&f, DUET_ETHERTYPE_IPV4);
	CHECK(p && p->len == 14 + 20 + 1408);
	if (!p)
		return;
	duet_wcur_init(&w, payload, 8);
	duet_icmp4_emit(&ic, &w);
	memcpy(payload + 8, duet_pkt_data(p) + 14, 28); /* the reply's header + 8 */
	duet_icmp4_csum_set(payload, 36);
	duet_pkt_free(p);
	fx_inject(&f, f.frame, fx_build_ip4(f.frame, fx_mac, &h, payload, 36));
	fx_poll(&f);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_ICMP4_IN_FRAG_NEEDED), 1);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_PMTU_LOWERED), 1);
	inject_echo(&f, 1, 2, 1400);
	fx_poll(&f);
	CHECK_EQ(pop_fragments(&f, 1000, got, &total), 2);
	CHECK_EQ(total, 1408);
	fx_teardown(&f);
}

/* Action: an ICMP message with a bad checksum, and an echo reply. Response:
 * the first dropped (InErrors); the reply reaches the echo handler. */
TEST(icmp4_checksum_and_echo_reply_handler)
{
	struct fx f;
	struct duet_ip4_hdr h = fx_ip4(DUET_IP4_PROTO_ICMP, 60);
	size_t n;

	fx_setup(&f);
	fx_seed_peer(&f);
	n = fx_build_echo(payload, DUET_ICMP4_ECHO_REPLY, 0xbeef, 3, 100);
	payload[2] ^= 1;
	fx_inject(&f, f.frame, fx_build_ip4(f.frame, fx_mac, &h, payload, n));
	payload[2] ^= 1;
	fx_inject(&f, f.frame, fx_build_ip4(f.frame, fx_mac, &h, payload, n));
	fx_poll(&f);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_DROP_ICMP4_BAD_CHECKSUM), 1);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_ICMP4_IN_ERRORS), 1);
	CHECK_EQ(f.nechos, 1);
	CHECK_EQ(f.echo[0].family, AF_INET);
	CHECK_EQ(f.echo[0].id, 0xbeef);
	CHECK_EQ(f.echo[0].seq, 3);
	CHECK_EQ(f.echo[0].data_len, 100);
	CHECK_MEM(f.echo[0].from, fx_peer_ip, 4);
	fx_teardown(&f);
}

/* Action: duet_echo_send to the peer, to ourselves, and with 65,508 bytes.
 * Response: an echo request to the peer's MAC; a reply from ourselves
 * through local delivery; -EINVAL. */
TEST(icmp4_echo_send_out_and_to_self)
{
	struct fx f;
	struct duet_pkt *p;
	struct duet_eth_hdr eth;
	struct duet_ip4_hdr ip;
	struct duet_icmp4_hdr ic;
	struct duet_cur c;

	fx_setup(&f);
	fx_seed_peer(&f);
	CHECK_EQ(duet_echo_send(f.s, AF_INET, fx_peer_ip, 0, 5, 6, 56), 0);
	fx_poll(&f);
	p = fx_pop(&f, DUET_ETHERTYPE_IPV4);
	CHECK(p != NULL);
	if (p) {
		CHECK_EQ(fx_parse_ip4(p, &eth, &ip, &c), 0);
		CHECK_MEM(eth.dst, fx_peer_mac, 6);
		CHECK_EQ(duet_icmp4_parse(&c, &ic), 0);
		CHECK_EQ(ic.type, DUET_ICMP4_ECHO);
		CHECK_EQ(ic.identifier, 5);
		duet_pkt_free(p);
	}
	CHECK_EQ(duet_echo_send(f.s, AF_INET, fx_ip, 0, 8, 9, 3000), 0);
	fx_poll(&f);
	CHECK_EQ(f.nechos, 1);
	CHECK_EQ(f.echo[0].data_len, 3000);
	CHECK_MEM(f.echo[0].from, fx_ip, 4);
	CHECK_EQ(duet_echo_send(f.s, AF_INET, fx_peer_ip, 0, 1, 1, 65508), -EINVAL);
	CHECK_EQ(duet_echo_send(f.s, AF_INET, (const uint8_t[]){ 198, 51, 100, 1 }, 0, 1, 1, 8),
		 -ENETUNREACH);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_IP4_OUT_NO_ROUTES), 1);
	fx_teardown(&f);
}

/* Action: with 127.0.0.1 on a loopback interface, an echo request for
 * 127.0.0.1 arrives on the Ethernet link; then one from 0.0.0.0 to our
 * address. Response: both dropped, no reply (RFC 1122 §3.2.1.3 (g), (a)):
 * a wire never reaches services bound to localhost, and "this host" is no
 * address to answer. (Found in review.) */
TEST(ip4_loopback_dst_and_this_host_src_from_wire)
{
	struct fx f;
	struct duet_ip4_hdr h = fx_ip4(DUET_IP4_PROTO_ICMP, 1);
	const uint8_t lo_addr[4] = { 127, 0, 0, 1 };
	size_t n;

	fx_setup(&f);
	fx_seed_peer(&f);
	CHECK_EQ(net_local_ifindex(f.s, 4, lo_addr), (uint32_t)duet_stack_ifindex(f.s, "lo"));
	n = fx_build_echo(payload, DUET_ICMP4_ECHO, 1, 1, 8);
	memcpy(h.dst, lo_addr, 4);
	fx_inject(&f, f.frame, fx_build_ip4(f.frame, fx_mac, &h, payload, n));
	h = fx_ip4(DUET_IP4_PROTO_ICMP, 2);
	memset(h.src, 0, 4);
	fx_inject(&f, f.frame, fx_build_ip4(f.frame, fx_mac, &h, payload, n));
	fx_poll(&f);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_DROP_IP4_NOT_FOR_US), 1);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_DROP_IP4_BAD_SRC), 1);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_ICMP4_OUT_ECHO_REPS), 0);
	CHECK_EQ(fx_drain(&f), 0);
	fx_teardown(&f);
}

static struct net_icmp_err seen_err;
static uint8_t seen_ports[4];
static unsigned n_seen;

static void fake_udp_err(struct duet_stack *stack, const struct net_icmp_err *e)
{
	(void)stack;
	seen_err = *e;
	if (e->l4_len >= 4)
		memcpy(seen_ports, e->l4, 4);
	n_seen++;
}

/* Injects ICMP type/code (next-hop MTU mtu) from the peer quoting a UDP
 * datagram src:5000 → peer:53 (fragment offset frag_off, in 8 octets). */
static void inject_udp_error(struct fx *f, uint8_t type, uint8_t code, uint16_t mtu,
			     const uint8_t src[4], uint16_t frag_off)
{
	struct duet_icmp4_hdr ic = { .type = type, .code = code, .next_hop_mtu = mtu };
	struct duet_ip4_hdr q = fx_ip4(DUET_IP4_PROTO_UDP, 9);
	struct duet_ip4_hdr h = fx_ip4(DUET_IP4_PROTO_ICMP, 51);
	struct duet_wcur w;

	memcpy(q.src, src, 4);
	memcpy(q.dst, fx_peer_ip, 4);
	q.total_length = 20 + 12;
	q.fragment_offset = frag_off;
	duet_wcur_init(&w, payload, 64);
	CHECK_EQ(duet_icmp4_emit(&ic, &w), 0);
	CHECK_EQ(duet_ip4_emit(&q, &w), 0);
	duet_put_be16(payload + w.off, 5000);
	duet_put_be16(payload + w.off + 2, 53);
	duet_put_be16(payload + w.off + 4, 12);
	duet_put_be16(payload + w.off + 6, 0);
	duet_icmp4_csum_set(payload, w.off + 8);
	fx_inject(f, f->frame, fx_build_ip4(f->frame, fx_mac, &h, payload, w.off + 8));
	fx_poll(f);
}

/* Action: Port Unreachable, Fragmentation Needed (MTU 1000) and Time
 * Exceeded quoting a UDP datagram of ours; then one quoting a later
 * fragment, and one quoting a datagram not ours. Response: the UDP
 * handler learns ECONNREFUSED, EMSGSIZE with the MTU, EHOSTUNREACH (as
 * Linux's icmp_err_convert), with the quoted ports; the later fragment
 * (no UDP header) and the foreign quote reach no handler. */
TEST(icmp4_errors_reach_the_transport)
{
	struct fx f;
	static const uint8_t other[4] = { 192, 0, 2, 77 };

	fx_setup(&f);
	net_set_err_handler(f.s, DUET_IP4_PROTO_UDP, fake_udp_err);
	n_seen = 0;
	inject_udp_error(&f, DUET_ICMP4_DEST_UNREACH, 3, 0, fx_ip, 0);
	CHECK_EQ(n_seen, 1);
	CHECK_EQ(seen_err.family, AF_INET);
	CHECK_EQ(seen_err.err, ECONNREFUSED);
	CHECK_EQ(seen_err.proto, DUET_IP4_PROTO_UDP);
	CHECK_MEM(seen_err.src, fx_ip, 4);
	CHECK_MEM(seen_err.dst, fx_peer_ip, 4);
	CHECK_EQ(duet_get_be16(seen_ports), 5000);
	CHECK_EQ(duet_get_be16(seen_ports + 2), 53);
	inject_udp_error(&f, DUET_ICMP4_DEST_UNREACH, DUET_ICMP4_UNREACH_NEEDFRAG, 1000, fx_ip, 0);
	CHECK_EQ(seen_err.err, EMSGSIZE);
	CHECK_EQ(seen_err.mtu, 1000);
	inject_udp_error(&f, DUET_ICMP4_TIME_EXCEEDED, 0, 0, fx_ip, 0);
	CHECK_EQ(seen_err.err, EHOSTUNREACH);
	CHECK_EQ(n_seen, 3);
	inject_udp_error(&f, DUET_ICMP4_DEST_UNREACH, 3, 0, fx_ip, 10);
	CHECK_EQ(n_seen, 3);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_DROP_ICMP4_ERROR_CONSUMED), 1);
	inject_udp_error(&f, DUET_ICMP4_DEST_UNREACH, 3, 0, other, 0);
	CHECK_EQ(n_seen, 3);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_DROP_ICMP4_BAD_QUOTE), 1);
	fx_teardown(&f);
}
