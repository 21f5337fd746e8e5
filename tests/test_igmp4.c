/* IGMP on the wire — SPEC N-8/IGMPv3 (issue 4: IP_ADD_MEMBERSHIP): the
 * RFC 3376 host, IGMPv1/v2 compatible (RFC 1112, RFC 2236), through its
 * internal join/leave API, on one stack with a virtual clock and a channel
 * link (tests/ip4_fixture.h). The Reports it sends are parsed back with
 * the wire parsers, with the framing RFC 3376 §4 asks of every message
 * checked; Queries are injected from the peer 192.0.2.1 with TTL 1. */
#include "ip4_fixture.h"

#include "net/igmp4.h"

#include <duet/wire/igmp.h>

static const uint8_t group_a[4] = { 239, 1, 2, 3 };
static const uint8_t group_b[4] = { 239, 1, 2, 4 };
static const uint8_t all_systems[4] = { 224, 0, 0, 1 };
static const uint8_t v3_routers[4] = { 224, 0, 0, 22 };
static const uint8_t all_routers[4] = { 224, 0, 0, 2 };
static const uint8_t router_alert[4] = { DUET_IP4_OPT_RA, 4, 0, 0 };
static const uint8_t unspec[4];
static int key, key2; /* listener keys, as sockets would be */

/* The bytes of the join of 239.1.2.3 (tests/test_wire_igmp.c). */
static const char *report_join_hex = "22 00 e8 f9 00 00 00 01 04 00 00 00 ef 01 02 03";
static const char *v2_report_hex = "16 00 f8 fa ef 01 02 03";
static const char *v2_leave_hex = "17 00 f7 fa ef 01 02 03";

/* One IGMP message seen on the wire. */
struct seen {
	struct duet_ip4_hdr ip;   /* options not kept */
	uint8_t eth_dst[6];
	uint8_t msg[1500];
	size_t len;
};

/* The records of the IGMPv3 Reports seen, merged. */
struct seen_report {
	unsigned nrec;
	uint8_t types[256];
	uint8_t groups[256][4];
	uint16_t nsrc[256];
};

/* RFC 3376 §4: TTL 1, TOS 0xc0, a Router Alert; the MAC of the group (RFC
 * 1112 §6.4); a verifying checksum; DF as Linux. */
static void check_framing(const struct duet_eth_hdr *eth, const struct duet_ip4_hdr *ip,
			  const uint8_t *msg, size_t len)
{
	uint8_t mac[6];

	CHECK_EQ(ip->ttl, 1);
	CHECK_EQ(ip->dscp << 2 | ip->ecn, 0xc0);
	CHECK(ip->df);
	CHECK_EQ(ip->ihl, 6);
	CHECK_EQ(ip->options_len, 4);
	CHECK_MEM(ip->options, router_alert, 4);
	duet_eth_mcast_from_ip4(ip->dst, mac);
	CHECK_MEM(eth->dst, mac, 6);
	CHECK(duet_igmp_csum_ok(msg, len));
}

/* Pops the next IGMP message the stack sent (freeing other frames); false
 * when none is waiting. */
static bool next_igmp(struct fx *f, struct seen *s)
{
	struct duet_pkt *p;

	while ((p = fx_pop(f, DUET_ETHERTYPE_IPV4)) != NULL) {
		struct duet_eth_hdr eth;
		struct duet_cur c;
		bool is_igmp = fx_parse_ip4(p, &eth, &s->ip, &c) == 0 &&
			       s->ip.protocol == DUET_IGMP_PROTO;

		if (is_igmp) {
			s->len = duet_cur_left(&c);
			memcpy(s->msg, c.data + c.off, s->len);
			memcpy(s->eth_dst, eth.dst, 6);
			check_framing(&eth, &s->ip, s->msg, s->len);
			s->ip.options = NULL;
		}
		duet_pkt_free(p);
		if (is_igmp)
			return true;
	}
	return false;
}

/* Adds the records of an IGMPv3 Report to *out; false if s is none. */
static bool add_report(const struct seen *s, struct seen_report *out)
{
	struct duet_cur c;
	struct duet_igmp_report r;
	struct duet_igmp_record_iter it;
	struct duet_igmp_record rec;

	duet_cur_init(&c, s->msg, s->len);
	if (duet_igmp_report_parse(&c, &r) != 0)
		return false;
	CHECK_MEM(s->ip.dst, v3_routers, 4);
	duet_igmp_record_iter_init(&it, &r);
	while (duet_igmp_record_next(&it, &rec) == 1 && out->nrec < 256) {
		out->types[out->nrec] = rec.record_type;
		memcpy(out->groups[out->nrec], rec.multicast_address, 4);
		out->nsrc[out->nrec++] = rec.number_of_sources;
	}
	return true;
}

/* Every IGMPv3 Report waiting, records into *all; returns how many. Other
 * IGMP messages fail the check. */
static unsigned reports(struct fx *f, struct seen_report *all)
{
	struct seen s;
	unsigned n = 0;

	memset(all, 0, sizeof(*all));
	while (next_igmp(f, &s)) {
		CHECK(add_report(&s, all));
		n++;
	}
	return n;
}

static bool has_record(const struct seen_report *r, uint8_t type, const uint8_t g[4])
{
	unsigned i;

	for (i = 0; i < r->nrec; i++)
		if (r->types[i] == type && memcmp(r->groups[i], g, 4) == 0)
			return true;
	return false;
}

/* Injects an IGMP message from the peer to dst (checksum set here unless
 * is_bad_csum) with a Router Alert, and polls. */
static void inject_igmp(struct fx *f, const uint8_t dst[4], uint8_t ttl, uint8_t *msg,
			size_t len, bool is_bad_csum)
{
	static uint16_t id = 100;
	struct duet_ip4_hdr h = fx_ip4(DUET_IGMP_PROTO, id++);
	uint8_t mac[6];
	size_t n;

	h.ttl = ttl;
	h.dscp = 0xc0 >> 2;
	h.options = router_alert;
	h.options_len = sizeof(router_alert);
	memcpy(h.dst, dst, 4);
	if (len >= 8) {
		duet_igmp_csum_set(msg, len);
		if (is_bad_csum)
			msg[2] ^= 0x01;
	}
	duet_eth_mcast_from_ip4(dst, mac);
	n = fx_build_ip4(f->frame, duet_addr4_is_multicast(dst) ? mac : fx_mac, &h, msg, len);
	fx_inject(f, f->frame, n);
	fx_poll(f);
}

/* A Query of version 1-3 for g (NULL: general) in buf; returns its length. */
static size_t query(uint8_t *buf, uint8_t version, const uint8_t *g, uint8_t max_resp_code,
		    const uint8_t *sources, uint16_t nsrc)
{
	struct duet_igmp_query q;
	struct duet_wcur w;

	memset(&q, 0, sizeof(q));
	q.version = version;
	q.max_resp_code = max_resp_code;
	if (g)
		memcpy(q.group_address, g, 4);
	q.qrv = version == 3 ? 2 : 0;
	q.qqic = version == 3 ? 125 : 0;
	q.number_of_sources = nsrc;
	q.sources = sources;
	duet_wcur_init(&w, buf, 600);
	CHECK_EQ(duet_igmp_query_emit(&q, &w), 0);
	return w.off;
}

/* A stack with group_a joined and its State Change Reports all sent. */
static void setup_joined(struct fx *f)
{
	fx_setup(f);
	CHECK_EQ(igmp4_join(f->s, &key, f->eth, group_a), 0);
	fx_at_ms(f, 3000);
	fx_drain(f);
}

/* N-8/IGMPv3 (issue 4: IP_ADD_MEMBERSHIP).
 * Action: a listener joins 239.1.2.3 (twice: -EADDRINUSE).
 * Response: at once an IGMPv3 Report to 224.0.0.22 from 192.0.2.2, TTL 1,
 * TOS 0xc0, Router Alert, MAC 01:00:5e:00:00:16, carrying CHANGE_TO_EXCLUDE
 * {} for the group, byte for byte; one retransmission within the
 * Unsolicited Report Interval (1 s, Robustness 2: RFC 3376 §5.1), then
 * silence. */
TEST(igmp4_join_sends_v3_report)
{
	static const uint8_t mac22[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x16 };
	struct fx f;
	struct seen s;
	uint8_t want[16];
	size_t n = check_hex(report_join_hex, want, sizeof(want));

	fx_setup(&f);
	CHECK_EQ(igmp4_join(f.s, &key, f.eth, group_a), 0);
	CHECK_EQ(igmp4_join(f.s, &key, f.eth, group_a), -EADDRINUSE);
	fx_poll(&f);
	CHECK(next_igmp(&f, &s));
	CHECK_MEM(s.ip.dst, v3_routers, 4);
	CHECK_MEM(s.ip.src, fx_ip, 4);
	CHECK_MEM(s.eth_dst, mac22, 6);
	CHECK_EQ(s.len, n);
	CHECK_MEM(s.msg, want, n);
	CHECK(!next_igmp(&f, &s));
	fx_at_ms(&f, 1000);
	CHECK(next_igmp(&f, &s));
	CHECK_MEM(s.msg, want, n);
	fx_at_ms(&f, 10000);
	CHECK(!next_igmp(&f, &s));
	CHECK_EQ(fx_ctr(&f, DUET_CTR_IGMP4_OUT_MSGS), 2);
	CHECK(igmp4_is_member(f.s, f.eth, group_a, NULL));
	fx_teardown(&f);
}

/* N-8/IGMPv3 (issue 4: IP_ADD_MEMBERSHIP).
 * Action: the listener leaves the group (then again: -EADDRNOTAVAIL).
 * Response: CHANGE_TO_INCLUDE {} sent twice (RFC 3376 §5.1); the group no
 * longer passes the input filter. */
TEST(igmp4_leave_sends_to_in)
{
	struct fx f;
	struct seen_report r;

	setup_joined(&f);
	CHECK_EQ(igmp4_leave(f.s, &key, f.eth, group_a), 0);
	CHECK_EQ(igmp4_leave(f.s, &key, f.eth, group_a), -EADDRNOTAVAIL);
	fx_at_ms(&f, 3000);
	fx_at_ms(&f, 6000);
	CHECK_EQ(reports(&f, &r), 2);
	CHECK_EQ(r.nrec, 2);
	CHECK(has_record(&r, MCAST_TO_IN, group_a));
	CHECK_EQ(r.nsrc[0], 0);
	CHECK(!igmp4_is_member(f.s, f.eth, group_a, NULL));
	fx_teardown(&f);
}

/* N-8/IGMPv3 (issue 4: IP_ADD_MEMBERSHIP).
 * Action: 224.0.0.1 is joined too; an IGMPv3 General Query (Max Resp Code
 * 20: 2 s) to 224.0.0.1.
 * Response: nothing at once (a random delay first, §5.2), then within 2 s
 * one Current State Report with MODE_IS_EXCLUDE {} for both joined groups
 * and none for 224.0.0.1, which is never reported (§5). */
TEST(igmp4_general_query_answered_with_current_state)
{
	struct fx f;
	struct seen_report r;
	uint8_t q[64];
	size_t n;

	fx_setup(&f);
	CHECK_EQ(igmp4_join(f.s, &key, f.eth, group_a), 0);
	CHECK_EQ(igmp4_join(f.s, &key, f.eth, group_b), 0);
	CHECK_EQ(igmp4_join(f.s, &key, f.eth, all_systems), 0);
	fx_at_ms(&f, 3000);
	CHECK_EQ(reports(&f, &r), 2);
	CHECK(!has_record(&r, MCAST_TO_EX, all_systems));
	n = query(q, 3, NULL, 20, NULL, 0);
	inject_igmp(&f, all_systems, 1, q, n, false);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_IGMP4_IN_QUERIES), 1);
	CHECK_EQ(reports(&f, &r), 0);
	fx_at_ms(&f, 5001);
	CHECK_EQ(reports(&f, &r), 1);
	CHECK_EQ(r.nrec, 2);
	CHECK(has_record(&r, MCAST_IS_EX, group_a));
	CHECK(has_record(&r, MCAST_IS_EX, group_b));
	CHECK_EQ(fx_ctr(&f, DUET_CTR_MCAST_CURRENT_REPORTS), 1);
	fx_teardown(&f);
}

/* N-8/IGMPv3 (issue 4: IP_ADD_MEMBERSHIP).
 * Action: a Group-Specific Query for 239.1.2.3 sent to it; then, with
 * 239.1.2.4 joined as INCLUDE {10.0.0.1}, a Group-and-Source-Specific
 * Query for it asking about 10.0.0.1 and 10.0.0.9.
 * Response: MODE_IS_EXCLUDE {} for 239.1.2.3 alone; then MODE_IS_INCLUDE
 * {10.0.0.1} for 239.1.2.4 (RFC 3376 §5.2, Table 3) — the Query passes the
 * input filter although its source, the router, is not in the INCLUDE
 * list. */
TEST(igmp4_group_queries_answered)
{
	static const uint8_t s1[4] = { 10, 0, 0, 1 };
	static const uint8_t asked[8] = { 10, 0, 0, 1, 10, 0, 0, 9 };
	struct fx f;
	struct seen s;
	struct seen_report r;
	struct duet_igmp_record_iter it;
	struct duet_igmp_record rec;
	struct duet_igmp_report pr;
	struct duet_cur c;
	uint8_t q[64];
	size_t n;

	setup_joined(&f);
	CHECK_EQ(igmp4_set_filter(f.s, &key2, f.eth, group_b, MCAST_MODE_INCLUDE, s1, 1), 0);
	fx_at_ms(&f, 6000);
	fx_drain(&f);
	n = query(q, 3, group_a, 10, NULL, 0);
	inject_igmp(&f, group_a, 1, q, n, false);
	fx_at_ms(&f, 7001);
	CHECK_EQ(reports(&f, &r), 1);
	CHECK_EQ(r.nrec, 1);
	CHECK(has_record(&r, MCAST_IS_EX, group_a));
	n = query(q, 3, group_b, 10, asked, 2);
	inject_igmp(&f, group_b, 1, q, n, false);
	fx_at_ms(&f, 8002);
	CHECK(next_igmp(&f, &s));
	duet_cur_init(&c, s.msg, s.len);
	CHECK_EQ(duet_igmp_report_parse(&c, &pr), 0);
	duet_igmp_record_iter_init(&it, &pr);
	if (duet_igmp_record_next(&it, &rec) != 1) {
		check_fail(__FILE__, __LINE__, "no record in the report");
		fx_teardown(&f);
		return;
	}
	CHECK_EQ(rec.record_type, MCAST_IS_IN);
	CHECK_MEM(rec.multicast_address, group_b, 4);
	CHECK_EQ(rec.number_of_sources, 1);
	CHECK_MEM(rec.sources, s1, 4);
	CHECK_EQ(duet_igmp_record_next(&it, &rec), 0);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_MCAST_SOURCE_QUERIES), 1);
	fx_teardown(&f);
}

/* N-8/IGMPv3 (issue 4: IP_ADD_MEMBERSHIP).
 * Action: an IGMPv2 General Query (8 octets, Max Resp Time 1 s); then the
 * listener leaves.
 * Response: IGMPv2 Host Compatibility Mode (RFC 3376 §7.2.1): an IGMPv2
 * Report to the group itself within 1 s; the leave sends an IGMPv2 Leave
 * Group to 224.0.0.2 (RFC 2236 §3), both byte for byte and with the §4
 * framing. */
TEST(igmp4_v2_query_switches_to_v2_messages)
{
	struct fx f;
	struct seen s;
	struct mcast_iface_info ii;
	uint8_t q[64], want[8];
	size_t n;

	setup_joined(&f);
	n = query(q, 2, NULL, 10, NULL, 0);
	CHECK_EQ(n, 8);
	inject_igmp(&f, all_systems, 1, q, n, false);
	CHECK_EQ(mcast_iface_info(igmp4_table(f.s), f.eth, &ii), 0);
	CHECK_EQ(ii.version, 2);
	fx_at_ms(&f, 4001);
	CHECK(next_igmp(&f, &s));
	CHECK_MEM(s.ip.dst, group_a, 4);
	check_hex(v2_report_hex, want, sizeof(want));
	CHECK_EQ(s.len, 8);
	CHECK_MEM(s.msg, want, 8);
	CHECK(!next_igmp(&f, &s));
	CHECK_EQ(igmp4_leave(f.s, &key, f.eth, group_a), 0);
	fx_at_ms(&f, 4010);
	CHECK(next_igmp(&f, &s));
	CHECK_MEM(s.ip.dst, all_routers, 4);
	check_hex(v2_leave_hex, want, sizeof(want));
	CHECK_MEM(s.msg, want, 8);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_MCAST_V1_DONES), 1);
	fx_teardown(&f);
}

/* N-8/IGMPv3 (issue 4: IP_ADD_MEMBERSHIP).
 * Action: an IGMPv1 Query (Max Resp Code 0); a new join; a leave.
 * Response: IGMPv1 Host Compatibility Mode: an IGMPv1 Report (0x12) to the
 * group within 10 s (RFC 2236 §4: Max Resp 0 means 10 s); the join is
 * reported with IGMPv1 Reports; the leave sends nothing, IGMPv1 having no
 * Leave (RFC 3376 §7.2.1, RFC 1112 App. I). */
TEST(igmp4_v1_query_switches_to_v1_messages)
{
	struct fx f;
	struct seen s;
	uint8_t q[64];
	size_t n;

	setup_joined(&f);
	n = query(q, 1, NULL, 0, NULL, 0);
	inject_igmp(&f, all_systems, 1, q, n, false);
	fx_at_ms(&f, 13001);
	CHECK(next_igmp(&f, &s));
	CHECK_EQ(s.msg[0], DUET_IGMP_V1_REPORT);
	CHECK_MEM(s.ip.dst, group_a, 4);
	CHECK_MEM(s.msg + 4, group_a, 4);
	CHECK(!next_igmp(&f, &s));
	CHECK_EQ(igmp4_join(f.s, &key, f.eth, group_b), 0);
	fx_poll(&f);
	CHECK(next_igmp(&f, &s));
	CHECK_EQ(s.msg[0], DUET_IGMP_V1_REPORT);
	CHECK_MEM(s.ip.dst, group_b, 4);
	fx_at_ms(&f, 30000);
	fx_drain(&f);
	CHECK_EQ(igmp4_leave(f.s, &key, f.eth, group_a), 0);
	fx_at_ms(&f, 31000);
	CHECK(!next_igmp(&f, &s));
	CHECK_EQ(fx_ctr(&f, DUET_CTR_MCAST_V1_DONES), 0);
	fx_teardown(&f);
}

/* N-8/IGMPv3 (issue 4: IP_ADD_MEMBERSHIP).
 * Action: in IGMPv2 mode, a General Query (Max Resp Time 10 s), and before
 * our delay runs out another host's IGMPv2 Report for the group.
 * Response: our Report is suppressed (RFC 2236 §3): none is sent. */
TEST(igmp4_v2_report_suppressed_by_another_hosts)
{
	struct fx f;
	struct seen s;
	uint8_t q[64], rep[8];
	size_t n;

	setup_joined(&f);
	n = query(q, 2, NULL, 100, NULL, 0);
	inject_igmp(&f, all_systems, 1, q, n, false);
	check_hex(v2_report_hex, rep, sizeof(rep));
	inject_igmp(&f, group_a, 1, rep, sizeof(rep), false);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_IGMP4_IN_REPORTS), 1);
	fx_at_ms(&f, 14000);
	CHECK(!next_igmp(&f, &s));
	CHECK_EQ(fx_ctr(&f, DUET_CTR_MCAST_V1_SUPPRESSED), 1);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_MCAST_V1_REPORTS), 0);
	fx_teardown(&f);
}

/* N-8/IGMPv3 (issue 4: IP_ADD_MEMBERSHIP).
 * Action: broken IGMP messages: a bad checksum; a 10-octet Query (§7.1);
 * a 4-octet message; a Query with TTL 64 (§4); a General Query sent to the
 * joined group instead of 224.0.0.1 (§9.1); a Query for 10.0.0.1, not a
 * group; a DVMRP message (type 0x13).
 * Response: each dropped under its counter; nothing answered, no Query
 * reaches the engine. */
TEST(igmp4_malformed_messages_dropped)
{
	static const uint8_t not_group[4] = { 10, 0, 0, 1 };
	struct fx f;
	struct seen s;
	uint8_t q[64], dvmrp[8] = { 0x13 };
	size_t n;

	setup_joined(&f);
	n = query(q, 3, NULL, 10, NULL, 0);
	inject_igmp(&f, all_systems, 1, q, n, true);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_DROP_IGMP4_BAD_CHECKSUM), 1);
	inject_igmp(&f, all_systems, 1, q, 10, false);
	inject_igmp(&f, all_systems, 1, q, 4, false);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_DROP_IGMP4_MALFORMED), 2);
	n = query(q, 3, NULL, 10, NULL, 0);
	inject_igmp(&f, all_systems, 64, q, n, false);
	inject_igmp(&f, group_a, 1, q, n, false);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_DROP_IGMP4_INVALID), 2);
	n = query(q, 3, not_group, 10, NULL, 0);
	inject_igmp(&f, all_systems, 1, q, n, false);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_DROP_IGMP4_MALFORMED), 3);
	inject_igmp(&f, all_systems, 1, dvmrp, sizeof(dvmrp), false);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_DROP_IGMP4_UNKNOWN_TYPE), 1);
	fx_at_ms(&f, 10000);
	CHECK(!next_igmp(&f, &s));
	CHECK_EQ(fx_ctr(&f, DUET_CTR_IGMP4_IN_QUERIES), 0);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_MCAST_GENERAL_QUERIES), 0);
	fx_teardown(&f);
}

/* Injects an ICMP Echo Request from src to group (Ethernet: the group's
 * MAC) and polls. */
static void inject_echo_to(struct fx *f, const uint8_t src[4], const uint8_t group[4])
{
	struct duet_ip4_hdr h = fx_ip4(DUET_IP4_PROTO_ICMP, 7);
	uint8_t msg[16], mac[6];
	size_t n = fx_build_echo(msg, DUET_ICMP4_ECHO, 1, 1, 8);

	memcpy(h.src, src, 4);
	memcpy(h.dst, group, 4);
	duet_eth_mcast_from_ip4(group, mac);
	fx_inject(f, f->frame, fx_build_ip4(f->frame, mac, &h, msg, n));
	fx_poll(f);
}

/* N-8/IGMPv3 (issue 4: IP_ADD_MEMBERSHIP).
 * Action: datagrams to 239.1.2.3 (MAC 01:00:5e:01:02:03) before and after
 * the join; to 224.0.0.1 without any; after an INCLUDE {192.0.2.1} filter,
 * from 192.0.2.1 and from 192.0.2.7.
 * Response: before the join dropped by IPv4 input as not for us (the
 * Ethernet layer takes the group MAC); after, delivered to ICMP;
 * 224.0.0.1 always delivered; with the filter only 192.0.2.1's pass
 * (RFC 3376 §3.2). */
TEST(igmp4_joined_groups_open_the_input_filter)
{
	static const uint8_t other[4] = { 192, 0, 2, 7 };
	struct fx f;
	uint64_t not_for_us;

	fx_setup(&f);
	not_for_us = fx_ctr(&f, DUET_CTR_DROP_IP4_NOT_FOR_US);
	inject_echo_to(&f, fx_peer_ip, group_a);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_DROP_IP4_NOT_FOR_US), not_for_us + 1);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_DROP_ETH_NOT_FOR_US), 0);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_ICMP4_IN_ECHOS), 0);
	inject_echo_to(&f, fx_peer_ip, all_systems);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_ICMP4_IN_ECHOS), 1);
	CHECK_EQ(igmp4_join(f.s, &key, f.eth, group_a), 0);
	inject_echo_to(&f, fx_peer_ip, group_a);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_ICMP4_IN_ECHOS), 2);
	CHECK_EQ(igmp4_set_filter(f.s, &key, f.eth, group_a, MCAST_MODE_INCLUDE, fx_peer_ip, 1), 0);
	CHECK(igmp4_is_member(f.s, f.eth, group_a, fx_peer_ip));
	CHECK(!igmp4_is_member(f.s, f.eth, group_a, other));
	inject_echo_to(&f, fx_peer_ip, group_a);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_ICMP4_IN_ECHOS), 3);
	inject_echo_to(&f, other, group_a);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_ICMP4_IN_ECHOS), 3);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_DROP_IP4_NOT_FOR_US), not_for_us + 2);
	CHECK(!igmp4_is_member(f.s, f.eth, group_b, NULL));
	CHECK(igmp4_is_member(f.s, f.eth, all_systems, NULL));
	fx_teardown(&f);
}

/* N-8/IGMPv3 (issue 4: IP_ADD_MEMBERSHIP).
 * Action: a join on an interface that has no IPv4 address yet.
 * Response: the Report leaves from 0.0.0.0 (RFC 3376 §4.2.13). */
TEST(igmp4_report_from_unspecified_without_address)
{
	struct fx f;
	struct seen s;

	fx_setup_mtu(&f, 1500, false);
	CHECK_EQ(igmp4_join(f.s, &key, f.eth, group_a), 0);
	fx_poll(&f);
	CHECK(next_igmp(&f, &s));
	CHECK_MEM(s.ip.src, unspec, 4);
	CHECK_MEM(s.ip.dst, v3_routers, 4);
	fx_teardown(&f);
}

/* Fills n source addresses 10.0.<hi>.1, 10.0.<hi>.2, ... */
static void sources(uint8_t *out, unsigned n, uint8_t hi)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		out[4 * i] = 10;
		out[4 * i + 1] = 0;
		out[4 * i + 2] = hi;
		out[4 * i + 3] = (uint8_t)(i + 1);
	}
}

/* N-8/IGMPv3 (issue 4: IP_ADD_MEMBERSHIP).
 * Action: on a 200-octet MTU link (176 octets of IGMP: 40 sources a
 * record), INCLUDE with 64 sources for one group, then EXCLUDE with 64
 * sources for another.
 * Response: the ALLOW_NEW_SOURCES record is split over two Reports (40 +
 * 24 sources); the CHANGE_TO_EXCLUDE record keeps the 40 that fit, in one
 * Report (RFC 3376 §4.2.16); no datagram over the MTU. */
TEST(igmp4_report_split_to_the_link_mtu)
{
	uint8_t src[64 * 4];
	struct fx f;
	struct seen_report r;

	fx_setup_mtu(&f, 200, true);
	sources(src, 64, 1);
	CHECK_EQ(igmp4_set_filter(f.s, &key, f.eth, group_a, MCAST_MODE_INCLUDE, src, 64), 0);
	fx_poll(&f);
	CHECK_EQ(reports(&f, &r), 2);
	CHECK_EQ(r.nrec, 2);
	CHECK_EQ(r.types[0], MCAST_ALLOW);
	CHECK_EQ(r.nsrc[0], 40);
	CHECK_EQ(r.types[1], MCAST_ALLOW);
	CHECK_EQ(r.nsrc[1], 24);
	fx_at_ms(&f, 3000);
	fx_drain(&f);
	sources(src, 64, 2);
	CHECK_EQ(igmp4_set_filter(f.s, &key, f.eth, group_b, MCAST_MODE_EXCLUDE, src, 64), 0);
	fx_poll(&f);
	CHECK_EQ(reports(&f, &r), 1);
	CHECK_EQ(r.nrec, 1);
	CHECK_EQ(r.types[0], MCAST_TO_EX);
	CHECK_EQ(r.nsrc[0], 40);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_DROP_TX_OVERSIZE), 0);
	fx_teardown(&f);
}

/* N-8/IGMPv3 (issue 4: IP_ADD_MEMBERSHIP).
 * Action: 200 groups joined, then a General Query.
 * Response: the Current State Report does not fit one 1,500-octet MTU: two
 * Reports (183 records fit in 1,476 octets), every group once. */
TEST(igmp4_current_state_split_over_reports)
{
	struct fx f;
	struct seen_report r;
	uint8_t q[64], g[4] = { 239, 2, 0, 0 };
	unsigned i;
	size_t n;

	fx_setup(&f);
	for (i = 0; i < 200; i++) {
		g[3] = (uint8_t)i;
		CHECK_EQ(igmp4_join(f.s, &key, f.eth, g), 0);
	}
	fx_at_ms(&f, 3000);
	fx_drain(&f);
	n = query(q, 3, NULL, 10, NULL, 0);
	inject_igmp(&f, all_systems, 1, q, n, false);
	fx_at_ms(&f, 4001);
	CHECK_EQ(reports(&f, &r), 2);
	CHECK_EQ(r.nrec, 200);
	for (i = 0; i < r.nrec; i++)
		CHECK_EQ(r.types[i], MCAST_IS_EX);
	fx_teardown(&f);
}

/* N-8/IGMPv3 (issue 4: IP_ADD_MEMBERSHIP).
 * Action: a key joins two groups and closes (leave_all); another joins,
 * then the interface is removed.
 * Response: leave_all ends both memberships (2); removal forgets the
 * remaining one, sending nothing; joins before init or on a bad interface
 * fail. */
TEST(igmp4_leave_all_and_iface_removal)
{
	struct fx f;
	struct mcast_group_info gi;

	fx_setup(&f);
	CHECK_EQ(igmp4_join(f.s, &key, f.eth, group_a), 0);
	CHECK_EQ(igmp4_join(f.s, &key, f.eth, group_b), 0);
	CHECK_EQ(igmp4_join(f.s, &key2, f.eth, group_b), 0);
	CHECK_EQ(igmp4_leave_all(f.s, &key), 2);
	CHECK(!igmp4_is_member(f.s, f.eth, group_a, NULL));
	CHECK(igmp4_is_member(f.s, f.eth, group_b, NULL));
	CHECK_EQ(igmp4_join(f.s, &key, 999, group_a), -EINVAL);
	CHECK_EQ(igmp4_join(f.s, &key, f.eth, fx_ip), -EINVAL);
	fx_at_ms(&f, 3000);
	fx_drain(&f);
	CHECK_EQ(duet_stack_remove_iface(f.s, f.eth), 0);
	CHECK_EQ(mcast_lookup(igmp4_table(f.s), f.eth, group_b, &gi), -ENOENT);
	CHECK(!igmp4_is_member(f.s, f.eth, group_b, NULL));
	duet_stack_destroy(f.s); /* the link went with the interface */
}

/* N-8/IGMPv3 (issue 4: IP_ADD_MEMBERSHIP).
 * Action: a join on the loopback interface.
 * Response: the membership exists (the input filter opens) but no IGMP
 * message is sent: loopback links carry none, as Linux's lo. */
TEST(igmp4_loopback_sends_nothing)
{
	struct fx f;
	uint64_t changes;
	int lo;

	fx_setup(&f);
	/* IPv6 start-up done: DAD (each clock jump fires one step), then MLD
	 * reporting again from the valid link-local address, and its repeat. */
	fx_at_ms(&f, 10000);
	fx_at_ms(&f, 12000);
	fx_at_ms(&f, 14000);
	changes = fx_ctr(&f, DUET_CTR_MCAST_CHANGE_REPORTS);
	lo = duet_stack_ifindex(f.s, "lo");
	CHECK(lo > 0);
	CHECK_EQ(igmp4_join(f.s, &key, (uint32_t)lo, group_a), 0);
	fx_at_ms(&f, 17000);
	CHECK(igmp4_is_member(f.s, (uint32_t)lo, group_a, NULL));
	CHECK(!igmp4_is_member(f.s, f.eth, group_a, NULL));
	CHECK_EQ(fx_ctr(&f, DUET_CTR_MCAST_CHANGE_REPORTS), changes + 2);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_IGMP4_OUT_MSGS), 0);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_IGMP4_OUT_FAILED), 0);
	fx_teardown(&f);
}
