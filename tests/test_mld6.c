/* MLD on the wire (N-5: RFC 3810 host, MLDv1 compatible; B-5's internal
 * join/leave API): a stack on a virtual clock with a channel link; the
 * Reports it sends are parsed back with the wire parsers, Queries are
 * injected behind a Hop-by-Hop Router Alert. */
#include "nd6_fixture.h"

#include "net/mld6.h"

#include <duet/wire/mld.h>

#include <errno.h>

static const uint8_t router_ll[16] = { 0xfe, 0x80, [15] = 0x99 };
static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };
static const uint8_t mldv2_routers[16] = { 0xff, 0x02, [15] = 0x16 };
static const uint8_t all_routers[16] = { 0xff, 0x02, [15] = 0x02 };
static const uint8_t group[16] = { 0xff, 0x05, [13] = 0x01, [14] = 0x00, [15] = 0x03 };
static int key; /* a listener key, as a socket would be */

/* A Report seen on the wire: the records of one message. */
struct seen_report {
	unsigned nrec;
	uint8_t types[128];
	uint8_t groups[128][16];
};

/* Parses captured frame i as Hop-by-Hop (Router Alert 0) + MLDv2 Report;
 * returns false when it is not one. */
static bool parse_report(const struct fx_frame *fr, struct seen_report *out)
{
	struct duet_cur c;
	struct duet_mld_report r;
	struct duet_mld_record_iter it;
	struct duet_mld_record rec;

	if (fr->ip.next_header != DUET_IP6_NH_HOPOPTS || fr->len < 16 || fr->msg[0] != 58 ||
	    fr->msg[2] != DUET_IP6_OPT_ROUTER_ALERT || fr->msg[4] != 0 || fr->msg[5] != 0 ||
	    fr->msg[8] != DUET_ICMP6_MLD2_REPORT)
		return false;
	duet_cur_init(&c, fr->msg + 8, fr->len - 8);
	if (duet_mld_report_parse(&c, &r) != 0)
		return false;
	memset(out, 0, sizeof(*out));
	duet_mld_record_iter_init(&it, &r);
	while (duet_mld_record_next(&it, &rec) == 1 && out->nrec < 128) {
		out->types[out->nrec] = rec.record_type;
		memcpy(out->groups[out->nrec], rec.multicast_address, 16);
		out->nrec++;
	}
	return true;
}

/* Checks the IPv6 framing RFC 3810 §5 asks of every MLD message. */
static void check_mld_framing(const struct fx_frame *fr, const uint8_t dst[16])
{
	uint8_t mac[6];

	CHECK_EQ(fr->ip.hop_limit, 1);
	CHECK_MEM(fr->ip.dst, dst, 16);
	duet_eth_mcast_from_ip6(dst, mac);
	CHECK_MEM(fr->eth_dst, mac, 6);
	CHECK(duet_addr6_is_linklocal(fr->ip.src) || duet_addr6_is_unspecified(fr->ip.src));
	CHECK_EQ(duet_icmp6_csum_verify(fr->msg + 8, fr->len - 8,
					duet_csum_pseudo6(fr->ip.src, fr->ip.dst,
							  (uint32_t)(fr->len - 8), 58)), 0);
}

/* Injects an MLD message (checksum set here) behind a Hop-by-Hop header
 * carrying a Router Alert when has_ra, and runs the stack. */
static void inject_mld(struct fx *f, const uint8_t src[16], const uint8_t dst[16], uint8_t hop,
		       const uint8_t *msg, size_t len, bool has_ra)
{
	uint8_t p[600] = { 58, 0, DUET_IP6_OPT_ROUTER_ALERT, 2, 0, 0, DUET_IP6_OPT_PADN, 0 };

	if (!has_ra)
		memcpy(p, (const uint8_t[]){ 58, 0, DUET_IP6_OPT_PADN, 4, 0, 0, 0, 0 }, 8);
	memcpy(p + 8, msg, len);
	duet_icmp6_csum_set(p + 8, len, duet_csum_pseudo6(src, dst, (uint32_t)len, 58));
	fx_inject_nh(f, src, dst, hop, DUET_IP6_NH_HOPOPTS, p, len + 8, NULL);
	fx_run_for(f, 0);
}

/* An MLDv2 General Query (v2) or MLDv1 Query (!v2) for g (NULL: general). */
static size_t query(uint8_t *buf, bool is_v2, const uint8_t *g, uint32_t max_resp_ms)
{
	struct duet_mld_query q;
	struct duet_wcur w;

	memset(&q, 0, sizeof(q));
	q.is_v2 = is_v2;
	q.maximum_response_code = is_v2 ? duet_mld_mrc_encode(max_resp_ms) : (uint16_t)max_resp_ms;
	if (g)
		memcpy(q.multicast_address, g, 16);
	q.qrv = is_v2 ? 2 : 0;
	q.qqic = is_v2 ? 125 : 0;
	duet_wcur_init(&w, buf, 64);
	CHECK_EQ(duet_mld_query_emit(&q, &w), 0);
	return w.off;
}

/* The number of captured MLDv2 Reports, their records merged into *all. */
static unsigned reports(const struct fx *f, unsigned from, struct seen_report *all)
{
	struct seen_report one;
	unsigned i, k, n = 0;

	memset(all, 0, sizeof(*all));
	for (i = from; i < f->nout; i++) {
		if (!parse_report(&f->out[i], &one))
			continue;
		check_mld_framing(&f->out[i], mldv2_routers);
		n++;
		for (k = 0; k < one.nrec && all->nrec < 128; k++) {
			all->types[all->nrec] = one.types[k];
			memcpy(all->groups[all->nrec++], one.groups[k], 16);
		}
	}
	return n;
}

static bool has_record(const struct seen_report *r, uint8_t type, const uint8_t g[16])
{
	unsigned i;

	for (i = 0; i < r->nrec; i++)
		if (r->types[i] == type && memcmp(r->groups[i], g, 16) == 0)
			return true;
	return false;
}

/* A stack (autoconf on) settled: link-local address usable, every
 * unsolicited report sent; captures cleared. */
static void setup(struct fx *f)
{
	fx_init(f, 0x55);
	fx_run_for(f, FX_S(5));
	f->nout = 0;
}

/* Action: a new interface gets its link-local address (tentative).
 * Response: before the DAD NS, an MLDv2 Report from :: to ff02::16 with a
 * CHANGE_TO_EXCLUDE {} record for the address's solicited-node group, hop
 * limit 1, Router Alert; repeated once (Robustness 2, RFC 3810 §6.1); the
 * all-nodes group is never reported (§6). When DAD has made the link-local
 * address valid, the state is reported again from it, twice: routers
 * discard reports from :: (RFC 3810 §5.2.13), as Linux's
 * ipv6_mc_dad_complete knows. */
TEST(mld6_solicited_node_reported_before_dad)
{
	struct fx f;
	struct seen_report r;
	uint8_t ll[16], sn[16];
	unsigned i, n_unspec = 0, n_ll = 0;
	int ns;

	fx_init(&f, 0x55);
	fx_run_for(&f, FX_S(5));
	fx_linklocal(&f, ll);
	duet_addr6_solicited_node(ll, sn);
	CHECK_EQ(reports(&f, 0, &r), 4);
	CHECK(has_record(&r, MCAST_TO_EX, sn));
	CHECK(!has_record(&r, MCAST_TO_EX, all_nodes));
	CHECK(parse_report(&f.out[0], &r));
	CHECK(duet_addr6_is_unspecified(f.out[0].ip.src)); /* DAD still running */
	ns = fx_find(&f, DUET_ICMP6_ND_NEIGHBOR_SOLICIT, 0);
	CHECK(ns > 0);
	for (i = 0; i < f.nout; i++) {
		if (!parse_report(&f.out[i], &r))
			continue;
		if (duet_addr6_is_unspecified(f.out[i].ip.src)) {
			CHECK_EQ(n_ll, 0u); /* none from :: once the address is valid */
			n_unspec++;
		} else {
			CHECK_MEM(f.out[i].ip.src, ll, 16);
			CHECK((int)i > ns); /* after DAD */
			CHECK(has_record(&r, MCAST_TO_EX, sn));
			n_ll++;
		}
	}
	CHECK_EQ(n_unspec, 2u);
	CHECK_EQ(n_ll, 2u);
	CHECK(duet_stack_counter(f.s, DUET_CTR_MLD6_OUT_MSGS) >= 2);
	fx_fini(&f);
}

/* Action: a listener joins ff05::1:3; an Echo Request to the group comes
 * before and after. Response: before, dropped as not for us; the join
 * sends TO_EX {ff05::1:3} from the link-local address; after, the request
 * is accepted (answered from a unicast address). Leaving sends TO_IN {}
 * and closes the filter again. */
TEST(mld6_join_reports_and_opens_the_filter)
{
	struct fx f;
	struct seen_report r;
	uint8_t m[16] = { DUET_ICMP6_ECHO_REQUEST, 0, 0, 0, 0, 1, 0, 1 };
	uint64_t drops;

	setup(&f);
	drops = duet_stack_counter(f.s, DUET_CTR_DROP_IP6_NOT_FOR_US);
	fx_inject(&f, router_ll, group, 64, m, sizeof(m), false);
	CHECK_EQ(duet_stack_counter(f.s, DUET_CTR_DROP_IP6_NOT_FOR_US), drops + 1);
	CHECK_EQ(mld6_join(f.s, &key, f.ifx, group), 0);
	CHECK_EQ(mld6_join(f.s, &key, f.ifx, group), -EADDRINUSE);
	fx_run_for(&f, FX_S(3));
	CHECK_EQ(reports(&f, 0, &r), 2);
	CHECK(has_record(&r, MCAST_TO_EX, group));
	CHECK(duet_addr6_is_linklocal(f.out[0].ip.src));
	CHECK(mld6_is_member(f.s, f.ifx, group, router_ll));
	fx_inject(&f, router_ll, group, 64, m, sizeof(m), false);
	CHECK_EQ(duet_stack_counter(f.s, DUET_CTR_ICMP6_IN_ECHOS), 1);
	f.nout = 0;
	CHECK_EQ(mld6_leave(f.s, &key, f.ifx, group), 0);
	CHECK_EQ(mld6_leave(f.s, &key, f.ifx, group), -EADDRNOTAVAIL);
	fx_run_for(&f, FX_S(3));
	CHECK_EQ(reports(&f, 0, &r), 2);
	CHECK(has_record(&r, MCAST_TO_IN, group));
	CHECK(!mld6_is_member(f.s, f.ifx, group, NULL));
	fx_fini(&f);
}

/* Action: an MLDv2 General Query (Maximum Response 2 s) from a link-local
 * router, to a stack with a joined group and a static address besides its
 * link-local one. Response: within 2 s one Current State Report with IS_EX
 * {} for every group listened to: the joined group and both addresses'
 * solicited-node groups (RFC 3810 §6.2 case 1, §6.3). */
TEST(mld6_general_query_answered_with_current_state)
{
	struct fx f;
	struct seen_report r;
	uint8_t q[64], ll[16], sn[16], gl[16];
	size_t n;

	setup(&f);
	fx_a6("2001:db8::77", gl);
	CHECK_EQ(duet_if_addr_add(f.s, f.ifx, AF_INET6, gl, 64, 0), 0); /* with DAD */
	CHECK_EQ(mld6_join(f.s, &key, f.ifx, group), 0);
	fx_run_for(&f, FX_S(3));
	f.nout = 0;
	n = query(q, true, NULL, 2000);
	inject_mld(&f, router_ll, all_nodes, 1, q, n, true);
	CHECK_EQ(duet_stack_counter(f.s, DUET_CTR_MLD6_IN_QUERIES), 1);
	CHECK_EQ(f.nout, 0); /* a random delay first */
	fx_run_for(&f, FX_MS(2001));
	CHECK_EQ(reports(&f, 0, &r), 1);
	fx_linklocal(&f, ll);
	duet_addr6_solicited_node(ll, sn);
	CHECK(has_record(&r, MCAST_IS_EX, group));
	CHECK(has_record(&r, MCAST_IS_EX, sn));
	duet_addr6_solicited_node(gl, sn);
	CHECK(has_record(&r, MCAST_IS_EX, sn));
	CHECK_EQ(duet_stack_counter(f.s, DUET_CTR_MCAST_CURRENT_REPORTS), 1);
	fx_fini(&f);
}

/* Action: Queries that break RFC 3810 §5.1.14: hop limit 255, no Router
 * Alert, a global source; and a truncated one (25 octets). Response:
 * each dropped and counted, nothing answered. */
TEST(mld6_invalid_queries_dropped)
{
	struct fx f;
	uint8_t q[64], global[16];
	size_t n;

	setup(&f);
	fx_a6("2001:db8::99", global);
	n = query(q, true, NULL, 1000);
	inject_mld(&f, router_ll, all_nodes, 255, q, n, true);
	inject_mld(&f, router_ll, all_nodes, 1, q, n, false);
	inject_mld(&f, global, all_nodes, 1, q, n, true);
	CHECK_EQ(duet_stack_counter(f.s, DUET_CTR_DROP_MLD6_INVALID), 3);
	inject_mld(&f, router_ll, all_nodes, 1, q, 25, true);
	CHECK_EQ(duet_stack_counter(f.s, DUET_CTR_DROP_MLD6_MALFORMED), 1);
	fx_run_for(&f, FX_S(2));
	CHECK_EQ(f.nout, 0);
	CHECK_EQ(duet_stack_counter(f.s, DUET_CTR_MLD6_IN_QUERIES), 0);
	fx_fini(&f);
}

/* Action: an MLDv1 Query for the joined group, then a leave. Response:
 * Host Compatibility Mode MLDv1 (RFC 3810 §8.2.1): an MLDv1 Report (131)
 * to the group itself; the leave sends an MLDv1 Done (132) to ff02::2
 * (RFC 2710 §4). */
TEST(mld6_v1_query_switches_to_v1_messages)
{
	struct fx f;
	uint8_t q[64];
	size_t n;
	unsigned i, v1_reports = 0, dones = 0;

	setup(&f);
	CHECK_EQ(mld6_join(f.s, &key, f.ifx, group), 0);
	fx_run_for(&f, FX_S(3));
	f.nout = 0;
	n = query(q, false, group, 1000);
	CHECK_EQ(n, 24);
	inject_mld(&f, router_ll, group, 1, q, n, true);
	fx_run_for(&f, FX_MS(1001));
	CHECK_EQ(mld6_leave(f.s, &key, f.ifx, group), 0);
	fx_run_for(&f, FX_MS(10));
	for (i = 0; i < f.nout; i++) {
		const struct fx_frame *fr = &f.out[i];
		if (fr->len < 32 || fr->ip.next_header != DUET_IP6_NH_HOPOPTS)
			continue;
		if (fr->msg[8] == DUET_ICMP6_MLD_REPORT) {
			check_mld_framing(fr, group);
			CHECK_MEM(fr->msg + 16, group, 16);
			v1_reports++;
		} else if (fr->msg[8] == DUET_ICMP6_MLD_DONE) {
			check_mld_framing(fr, all_routers);
			dones++;
		}
	}
	CHECK_EQ(v1_reports, 1);
	CHECK_EQ(dones, 1);
	fx_fini(&f);
}

/* Action: 100 groups joined, then a General Query. Response: the Current
 * State Report does not fit one 1,500-octet link MTU: it is split into
 * Reports of at most 1,452 octets of MLD (RFC 3810 §5.2.15), together
 * carrying every group once. */
TEST(mld6_report_split_to_the_link_mtu)
{
	struct fx f;
	struct seen_report r;
	uint8_t q[64], g[16];
	unsigned i, nrep, found = 0;
	size_t n;

	setup(&f);
	for (i = 0; i < 100; i++) {
		memcpy(g, group, 16);
		g[14] = (uint8_t)i;
		CHECK_EQ(mld6_join(f.s, &key, f.ifx, g), 0);
	}
	fx_run_for(&f, FX_S(3));
	f.nout = 0;
	n = query(q, true, NULL, 1000);
	inject_mld(&f, router_ll, all_nodes, 1, q, n, true);
	fx_run_for(&f, FX_MS(1001));
	nrep = reports(&f, 0, &r);
	CHECK_EQ(nrep, 2);
	for (i = 0; i < f.nout; i++)
		CHECK(f.out[i].ip.payload_length <= 1460);
	for (i = 0; i < r.nrec; i++)
		found += r.groups[i][0] == 0xff && r.groups[i][1] == 0x05;
	CHECK_EQ(found, 100);
	fx_fini(&f);
}

/* Action: another listener's MLDv1 Report for a group we listen to, in
 * MLDv2 mode. Response: counted and ignored (an MLDv2 host never
 * suppresses its reports, RFC 3810 §6.1); an MLDv2 Report to ff02::16, a
 * group hosts do not join, is not for us. */
TEST(mld6_other_reports_ignored)
{
	struct fx f;
	uint8_t m[24] = { DUET_ICMP6_MLD_REPORT }, m2[8] = { DUET_ICMP6_MLD2_REPORT };
	uint64_t drops;

	setup(&f);
	CHECK_EQ(mld6_join(f.s, &key, f.ifx, group), 0);
	fx_run_for(&f, FX_S(3));
	f.nout = 0;
	memcpy(m + 8, group, 16);
	inject_mld(&f, router_ll, group, 1, m, sizeof(m), true);
	CHECK_EQ(duet_stack_counter(f.s, DUET_CTR_MLD6_IN_REPORTS), 1);
	drops = duet_stack_counter(f.s, DUET_CTR_DROP_IP6_NOT_FOR_US);
	inject_mld(&f, router_ll, mldv2_routers, 1, m2, sizeof(m2), true);
	CHECK_EQ(duet_stack_counter(f.s, DUET_CTR_DROP_IP6_NOT_FOR_US), drops + 1);
	CHECK_EQ(f.nout, 0);
	fx_fini(&f);
}

/* Action: an MLDv1 Query for the joined group (Maximum Response Delay
 * 1 s); before our random delay runs out another host's MLDv1 Report for
 * the group arrives. Response: our Report is suppressed (RFC 2710 §4, as
 * RFC 3810 §8.2.2 asks in MLDv1 compatibility mode): none is sent. */
TEST(mld6_v1_report_suppressed_by_another_hosts)
{
	struct fx f;
	uint8_t q[64], rep[24] = { DUET_ICMP6_MLD_REPORT };
	unsigned i;
	size_t n;

	setup(&f);
	CHECK_EQ(mld6_join(f.s, &key, f.ifx, group), 0);
	fx_run_for(&f, FX_S(3));
	f.nout = 0;
	n = query(q, false, group, 1000);
	inject_mld(&f, router_ll, group, 1, q, n, true);
	CHECK_EQ(f.nout, 0);
	memcpy(rep + 8, group, 16);
	inject_mld(&f, router_ll, group, 1, rep, sizeof(rep), true);
	fx_run_for(&f, FX_MS(1500));
	for (i = 0; i < f.nout; i++) /* Router Solicitations may still go */
		CHECK(f.out[i].ip.next_header != DUET_IP6_NH_HOPOPTS);
	CHECK_EQ(duet_stack_counter(f.s, DUET_CTR_MCAST_V1_SUPPRESSED), 1);
	CHECK_EQ(duet_stack_counter(f.s, DUET_CTR_MCAST_V1_REPORTS), 0);
	fx_fini(&f);
}
