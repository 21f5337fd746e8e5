/* The multicast listener engine (N-5 MLDv2 host, RFC 3810, MLDv1
 * compatible; B-5 memberships per interface, EADDRINUSE / EADDRNOTAVAIL;
 * the same engine for IGMPv3, RFC 3376, with IGMPv1/v2 compatibility):
 * State Change Reports and their retransmissions, the RFC 3810 §4.2 filter
 * merge, answers to the three kinds of query and their §6.2 combination
 * rules, learned QRV/QQIC, compatibility modes, limits, determinism under
 * a seed. Fake ops print each report as "TO_EX(G1){S1,S2} ALLOW(G2){S3}"
 * (groups and sources named by their last byte) on a virtual clock. */
#include "check.h"

#include <duet/clock.h>
#include <duet/stack.h>

#include "core/stack_internal.h"
#include "net/mcast.h"

#include <errno.h>
#include <stdio.h>

#define T0_NS DUET_NS_PER_S     /* the virtual clock starts at 1 s */
#define MAX_CALLS 64
#define MS DUET_NS_PER_MS

struct call {
	uint64_t t_ns;
	uint32_t ifindex;
	uint8_t version;
	char str[160];
	uint8_t group[16];              /* first record's group */
	uint8_t src[2][16];             /* and its first two sources */
};

struct fixture {
	struct duet_vclock vc;
	struct duet_stack *stack;
	struct mcast_table mt;
	uint8_t alen;
	struct call rep[MAX_CALLS];     /* send_report */
	uint32_t nrep;
	struct call v1[MAX_CALLS];      /* send_v1 */
	uint32_t nv1;
};

static int k1, k2, k3;              /* listener keys (sockets) */
#define K1 ((const void *)&k1)
#define K2 ((const void *)&k2)
#define K3 ((const void *)&k3)

/* Appends "<tag><last bytes, sorted>" for n addresses to s. */
static void fmt_addrs(char *s, size_t cap, const uint8_t *a, uint32_t n, uint8_t alen)
{
	uint32_t v[64], i, j, m = n < 64 ? n : 64;

	for (i = 0; i < m; i++) {
		uint32_t x = a[(size_t)i * alen + alen - 1];
		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	for (i = 0; i < m; i++)
		snprintf(s + strlen(s), cap - strlen(s), "%sS%u", i ? "," : "", v[i]);
}

static void fx_send_report(void *ctx, uint32_t ifindex, uint8_t version,
			   const struct mcast_record *r, uint32_t n)
{
	struct fixture *fx = ctx;
	struct call *c;
	uint32_t i;

	if (fx->nrep == MAX_CALLS)
		return;
	c = &fx->rep[fx->nrep++];
	memset(c, 0, sizeof(*c));
	c->t_ns = duet_stack_now(fx->stack);
	c->ifindex = ifindex;
	c->version = version;
	memcpy(c->group, r[0].group, 16);
	memcpy(c->src, r[0].sources, (r[0].nsrc < 2 ? r[0].nsrc : 2) * (size_t)fx->alen);
	for (i = 0; i < n; i++) {
		snprintf(c->str + strlen(c->str), sizeof(c->str) - strlen(c->str), "%s%s(G%u){",
			 i ? " " : "", mcast_record_name(r[i].type), r[i].group[fx->alen - 1]);
		fmt_addrs(c->str, sizeof(c->str), r[i].sources, r[i].nsrc, fx->alen);
		snprintf(c->str + strlen(c->str), sizeof(c->str) - strlen(c->str), "}");
	}
}

static void fx_send_v1(void *ctx, uint32_t ifindex, uint8_t version, uint8_t type,
		       const uint8_t *group)
{
	struct fixture *fx = ctx;
	struct call *c;

	if (fx->nv1 == MAX_CALLS)
		return;
	c = &fx->v1[fx->nv1++];
	memset(c, 0, sizeof(*c));
	c->t_ns = duet_stack_now(fx->stack);
	c->ifindex = ifindex;
	c->version = version;
	memcpy(c->group, group, fx->alen);
	snprintf(c->str, sizeof(c->str), "%s(G%u)", type == MCAST_V1_DONE ? "DONE" : "REPORT",
		 group[fx->alen - 1]);
}

static const struct mcast_ops fx_ops = { .send_report = fx_send_report, .send_v1 = fx_send_v1 };

static void fx_setup_cfg(struct fixture *fx, const struct mcast_config *mcfg, uint64_t seed)
{
	struct duet_stack_config cfg;

	memset(fx, 0, sizeof(*fx));
	duet_vclock_init(&fx->vc, T0_NS);
	duet_stack_config_init(&cfg);
	cfg.clock = &fx->vc.clock;
	cfg.seed = seed;
	CHECK_EQ(duet_stack_create(&cfg, &fx->stack), 0);
	fx->alen = mcfg->addr_len;
	CHECK_EQ(mcast_init(&fx->mt, fx->stack, mcfg, &fx_ops, fx), 0);
}

static void fx_setup(struct fixture *fx, uint8_t alen)
{
	struct mcast_config mcfg;

	mcast_config_init(&mcfg, alen);
	fx_setup_cfg(fx, &mcfg, 1);
}

static void fx_teardown(struct fixture *fx)
{
	mcast_fini(&fx->mt);
	CHECK_EQ(fx->stack->timers.count, 0); /* nothing left armed */
	duet_stack_destroy(fx->stack);
}

/* Runs the stack at every deadline up to T0 + ms, then at T0 + ms. */
static void fx_run(struct fixture *fx, uint64_t ms)
{
	uint64_t target = T0_NS + ms * MS, next;

	while ((next = duet_stack_next_deadline(fx->stack)) <= target) {
		duet_vclock_set(&fx->vc, next);
		duet_stack_poll(fx->stack);
	}
	duet_vclock_set(&fx->vc, target);
	duet_stack_poll(fx->stack);
}

static uint64_t ctr(struct fixture *fx, enum duet_counter id)
{
	return duet_stack_counter(fx->stack, id);
}

/* Group n: ff0e::n (global scope) or 239.1.1.n; source n: 2001:db8::n or
 * 10.0.0.n; a few rotating buffers, so several may be used at once. */
static const uint8_t *addr(struct fixture *fx, bool is_group, uint32_t n)
{
	static uint8_t a[16][16];
	static unsigned next;
	uint8_t *p = a[next++ % 16];

	memset(p, 0, 16);
	if (fx->alen == 4) {
		p[0] = is_group ? 239 : 10; p[1] = is_group ? 1 : 0; p[2] = is_group ? 1 : 0;
		p[3] = (uint8_t)n;
	} else {
		p[0] = is_group ? 0xff : 0x20; p[1] = is_group ? 0x0e : 0x01;
		if (!is_group) { p[2] = 0x0d; p[3] = 0xb8; }
		p[15] = (uint8_t)n;
	}
	return p;
}
#define G(n) addr(fx, true, (n))
#define S(n) addr(fx, false, (n))

/* Up to four sources packed for set_filter. */
static const uint8_t *srcs(struct fixture *fx, uint32_t n, const uint32_t *ids)
{
	static uint8_t buf[4 * 16];
	uint32_t i;

	for (i = 0; i < n; i++)
		memcpy(buf + (size_t)i * fx->alen, S(ids[i]), fx->alen);
	return buf;
}

static int fx_filter(struct fixture *fx, const void *key, uint32_t g, enum mcast_mode mode,
		     uint32_t n, uint32_t a, uint32_t b, uint32_t c)
{
	uint32_t ids[3] = { a, b, c };

	return mcast_set_filter(&fx->mt, key, 1, G(g), mode, srcs(fx, n, ids), n);
}

/* A query on interface 1: group 0 = General Query. */
static void fx_query(struct fixture *fx, uint8_t version, uint32_t g, uint32_t max_ms,
		     uint32_t n, uint32_t a, uint32_t b, uint32_t c)
{
	uint32_t ids[3] = { a, b, c };
	struct mcast_query q;

	memset(&q, 0, sizeof(q));
	q.version = version;
	if (g)
		memcpy(q.group, G(g), fx->alen);
	q.max_resp_ms = max_ms;
	q.nsrc = (uint16_t)n;
	q.sources = srcs(fx, n, ids);
	CHECK_EQ(mcast_input_query(&fx->mt, 1, &q), 0);
}

static struct mcast_group_info fx_info(struct fixture *fx, uint32_t g)
{
	struct mcast_group_info info;

	memset(&info, 0, sizeof(info));
	CHECK_EQ(mcast_lookup(&fx->mt, 1, G(g), &info), 0);
	return info;
}

static struct mcast_iface_info fx_iface(struct fixture *fx)
{
	struct mcast_iface_info info;

	memset(&info, 0, sizeof(info));
	CHECK_EQ(mcast_iface_info(&fx->mt, 1, &info), 0);
	return info;
}

/* Report i was sent in (from_ms, to_ms]. */
static void check_rep_time(struct fixture *fx, uint32_t i, uint64_t from_ms, uint64_t to_ms)
{
	CHECK(fx->rep[i].t_ns > T0_NS + from_ms * MS);
	CHECK(fx->rep[i].t_ns <= T0_NS + to_ms * MS);
}

/* ---- state changes (RFC 3810 §6.1) ---- */

/* Action: a socket joins G1 (any source). Response: a State Change Report
 * TO_EX(G1){} at once, sent [Robustness Variable] = 2 times in all, the
 * retransmission within the 1 s Unsolicited Report Interval; nothing more. */
TEST(mcast_join_sends_to_ex_robustness_times_within_unsolicited_interval)
{
	struct fixture fxs, *fx = &fxs;

	fx_setup(fx, 16);
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, G(1)), 0);
	fx_run(fx, 0);
	CHECK_EQ(fx->nrep, 1);
	CHECK_STR(fx->rep[0].str, "TO_EX(G1){}");
	CHECK_EQ(fx->rep[0].t_ns, T0_NS);
	CHECK_EQ(fx->rep[0].version, 2);
	CHECK_EQ(fx->rep[0].ifindex, 1);
	CHECK_EQ(fx_info(fx, 1).filter_rtx, 1);
	CHECK(fx_iface(fx).report_due_ns <= T0_NS + 1000 * MS);
	fx_run(fx, 60000);
	CHECK_EQ(fx->nrep, 2);
	CHECK_STR(fx->rep[1].str, "TO_EX(G1){}");
	check_rep_time(fx, 1, 0, 1000);
	CHECK_EQ(fx_info(fx, 1).filter_rtx, 0);
	CHECK_EQ(fx_iface(fx).report_due_ns, DUET_TIME_NEVER);
	CHECK_EQ(ctr(fx, DUET_CTR_MCAST_CHANGE_REPORTS), 2);
	CHECK(mcast_is_member(&fx->mt, 1, G(1), NULL));
	CHECK(mcast_is_member(&fx->mt, 1, G(1), S(9)));
	CHECK(!mcast_is_member(&fx->mt, 2, G(1), NULL)); /* per interface (B-5) */
	fx_teardown(fx);
}

/* Action: the only listener leaves. Response: TO_IN(G1){} twice; the entry
 * stays, without listeners and not a member, until the retransmission is
 * sent, then goes; leaving again is EADDRNOTAVAIL (B-5). */
TEST(mcast_leave_sends_to_in_then_forgets_group)
{
	struct fixture fxs, *fx = &fxs;

	fx_setup(fx, 16);
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, G(1)), 0);
	fx_run(fx, 5000);
	CHECK_EQ(mcast_leave(&fx->mt, K1, 1, G(1)), 0);
	fx_run(fx, 5000);
	CHECK_EQ(fx->nrep, 3);
	CHECK_STR(fx->rep[2].str, "TO_IN(G1){}");
	CHECK_EQ(fx->rep[2].t_ns, T0_NS + 5000 * MS);
	CHECK_EQ(fx_info(fx, 1).nlisteners, 0);
	CHECK(!mcast_is_member(&fx->mt, 1, G(1), NULL));
	fx_run(fx, 10000);
	CHECK_EQ(fx->nrep, 4);
	CHECK_STR(fx->rep[3].str, "TO_IN(G1){}");
	check_rep_time(fx, 3, 5000, 6000);
	CHECK_EQ(mcast_lookup(&fx->mt, 1, G(1), &(struct mcast_group_info){ 0 }), -ENOENT);
	CHECK_EQ(mcast_leave(&fx->mt, K1, 1, G(1)), -EADDRNOTAVAIL);
	CHECK_EQ(fx->mt.ngroups, 0);
	CHECK_EQ(fx->mt.nlisteners, 0);
	fx_teardown(fx);
}

/* Runs to the next multiple of 10 s and returns the reports sent since
 * report first, as "A | B" (each retransmission is a separate entry). */
static const char *fx_reports_since(struct fixture *fx, uint32_t first)
{
	static char s[512];
	uint32_t i;

	s[0] = 0;
	for (i = first; i < fx->nrep; i++)
		snprintf(s + strlen(s), sizeof(s) - strlen(s), "%s%s", i > first ? " | " : "",
			 fx->rep[i].str);
	return s;
}

static void fx_settle(struct fixture *fx, uint64_t *ms)
{
	*ms += 10000;
	fx_run(fx, *ms);
}

/* Action: L1 EXCLUDE{S1,S2}, then L2 INCLUDE{S2,S3}, then L1 leaves.
 * Response: TO_EX{S1,S2}; the merge is EXCLUDE({S1,S2} - {S2,S3}) =
 * EXCLUDE{S1}, so ALLOW{S2}; then INCLUDE{S2,S3}: TO_IN{S2,S3}. */
TEST(mcast_merge_exclude_and_include_listeners)
{
	struct fixture fxs, *fx = &fxs;
	uint64_t ms = 0;
	uint32_t n;

	fx_setup(fx, 16);
	CHECK_EQ(fx_filter(fx, K1, 1, MCAST_MODE_EXCLUDE, 2, 1, 2, 0), 0);
	fx_settle(fx, &ms);
	CHECK_STR(fx_reports_since(fx, 0), "TO_EX(G1){S1,S2} | TO_EX(G1){S1,S2}");
	n = fx->nrep;
	CHECK_EQ(fx_filter(fx, K2, 1, MCAST_MODE_INCLUDE, 2, 2, 3, 0), 0);
	fx_settle(fx, &ms);
	CHECK_STR(fx_reports_since(fx, n), "ALLOW(G1){S2} | ALLOW(G1){S2}");
	CHECK_EQ(fx_info(fx, 1).mode, MCAST_MODE_EXCLUDE);
	CHECK_EQ(fx_info(fx, 1).nsrc, 1);
	CHECK(!mcast_is_member(&fx->mt, 1, G(1), S(1)));
	CHECK(mcast_is_member(&fx->mt, 1, G(1), S(2)));
	CHECK(mcast_is_member(&fx->mt, 1, G(1), S(3)));
	n = fx->nrep;
	CHECK_EQ(mcast_leave(&fx->mt, K1, 1, G(1)), 0);
	fx_settle(fx, &ms);
	CHECK_STR(fx_reports_since(fx, n), "TO_IN(G1){S2,S3} | TO_IN(G1){S2,S3}");
	CHECK(!mcast_is_member(&fx->mt, 1, G(1), S(4)));
	fx_teardown(fx);
}

/* Action: L1 INCLUDE{S1,S2}, L2 INCLUDE{S2,S3}, L1 leaves, L2 leaves.
 * Response: from the non-existent INCLUDE{} state a join in INCLUDE mode is
 * ALLOW{S1,S2} (Table 1); the union adds S3: ALLOW{S3}; L1 gone: BLOCK{S1};
 * L2 gone: BLOCK{S2,S3}, after which the entry is freed. */
TEST(mcast_merge_include_and_include_listeners)
{
	struct fixture fxs, *fx = &fxs;
	uint64_t ms = 0;
	uint32_t n = 0;

	fx_setup(fx, 16);
	CHECK_EQ(fx_filter(fx, K1, 1, MCAST_MODE_INCLUDE, 2, 1, 2, 0), 0);
	fx_settle(fx, &ms);
	CHECK_STR(fx_reports_since(fx, n), "ALLOW(G1){S1,S2} | ALLOW(G1){S1,S2}");
	n = fx->nrep;
	CHECK_EQ(fx_filter(fx, K2, 1, MCAST_MODE_INCLUDE, 2, 2, 3, 0), 0);
	fx_settle(fx, &ms);
	CHECK_STR(fx_reports_since(fx, n), "ALLOW(G1){S3} | ALLOW(G1){S3}");
	CHECK(mcast_is_member(&fx->mt, 1, G(1), S(1)));
	CHECK(!mcast_is_member(&fx->mt, 1, G(1), S(4)));
	n = fx->nrep;
	CHECK_EQ(mcast_leave(&fx->mt, K1, 1, G(1)), 0);
	fx_settle(fx, &ms);
	CHECK_STR(fx_reports_since(fx, n), "BLOCK(G1){S1} | BLOCK(G1){S1}");
	n = fx->nrep;
	CHECK_EQ(mcast_leave(&fx->mt, K2, 1, G(1)), 0);
	fx_settle(fx, &ms);
	CHECK_STR(fx_reports_since(fx, n), "BLOCK(G1){S2,S3} | BLOCK(G1){S2,S3}");
	CHECK_EQ(fx->mt.ngroups, 0);
	fx_teardown(fx);
}

/* Action: L1 EXCLUDE{S1,S2}, L2 EXCLUDE{S2,S3}, L2 leaves. Response: the
 * intersection EXCLUDE{S2} unblocks S1: ALLOW{S1}; without L2 the state is
 * EXCLUDE{S1,S2} again: BLOCK{S1}. */
TEST(mcast_merge_exclude_and_exclude_listeners)
{
	struct fixture fxs, *fx = &fxs;
	uint64_t ms = 0;
	uint32_t n;

	fx_setup(fx, 16);
	CHECK_EQ(fx_filter(fx, K1, 1, MCAST_MODE_EXCLUDE, 2, 1, 2, 0), 0);
	fx_settle(fx, &ms);
	n = fx->nrep;
	CHECK_EQ(fx_filter(fx, K2, 1, MCAST_MODE_EXCLUDE, 2, 2, 3, 0), 0);
	fx_settle(fx, &ms);
	CHECK_STR(fx_reports_since(fx, n), "ALLOW(G1){S1} | ALLOW(G1){S1}");
	CHECK(mcast_is_member(&fx->mt, 1, G(1), S(1)));
	CHECK(!mcast_is_member(&fx->mt, 1, G(1), S(2)));
	CHECK(mcast_is_member(&fx->mt, 1, G(1), S(3)));
	n = fx->nrep;
	CHECK_EQ(mcast_leave(&fx->mt, K2, 1, G(1)), 0);
	fx_settle(fx, &ms);
	CHECK_STR(fx_reports_since(fx, n), "BLOCK(G1){S1} | BLOCK(G1){S1}");
	fx_teardown(fx);
}

/* Action: INCLUDE{S1}, then — its retransmission pending — INCLUDE{S1,S2};
 * later INCLUDE{S2} then, pending, INCLUDE{S3}. Response: each change is
 * sent at once, merged with the pending report; a source stays in ALLOW /
 * BLOCK records until it was sent [Robustness Variable] times: S1 twice,
 * S2 twice (the third report carries S2 alone); then S2 and S3 swap places
 * and go out together twice. */
TEST(mcast_change_during_retransmission_merges_per_source)
{
	struct fixture fxs, *fx = &fxs;
	uint32_t n;

	fx_setup(fx, 16);
	CHECK_EQ(fx_filter(fx, K1, 1, MCAST_MODE_INCLUDE, 1, 1, 0, 0), 0);
	fx_run(fx, 0);
	CHECK_EQ(fx_filter(fx, K1, 1, MCAST_MODE_INCLUDE, 2, 1, 2, 0), 0);
	fx_run(fx, 0);
	CHECK_EQ(fx->nrep, 2);
	fx_run(fx, 10000);
	CHECK_STR(fx_reports_since(fx, 0),
		  "ALLOW(G1){S1} | ALLOW(G1){S1,S2} | ALLOW(G1){S2}");
	check_rep_time(fx, 2, 0, 1000);
	n = fx->nrep;
	CHECK_EQ(fx_filter(fx, K1, 1, MCAST_MODE_INCLUDE, 1, 2, 0, 0), 0);
	fx_run(fx, 10000);
	CHECK_EQ(fx_filter(fx, K1, 1, MCAST_MODE_INCLUDE, 1, 3, 0, 0), 0);
	fx_run(fx, 20000);
	CHECK_STR(fx_reports_since(fx, n),
		  "BLOCK(G1){S1} | ALLOW(G1){S3} BLOCK(G1){S1,S2} | ALLOW(G1){S3} BLOCK(G1){S2}");
	CHECK_EQ(fx_info(fx, 1).nrtx, 0);
	fx_teardown(fx);
}

/* Action: a join (EXCLUDE{}) and, its retransmission pending, EXCLUDE{S1}.
 * Response: the filter mode change is reported twice with the current state
 * (TO_EX{} then TO_EX{S1}); the source change scheduled meanwhile follows as
 * BLOCK{S1}, twice (RFC 3810 §6.1 "then the next State Change Report will
 * include Source List Change Records"). */
TEST(mcast_mode_change_then_source_change_pending)
{
	struct fixture fxs, *fx = &fxs;

	fx_setup(fx, 16);
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, G(1)), 0);
	fx_run(fx, 0);
	CHECK_EQ(fx_filter(fx, K1, 1, MCAST_MODE_EXCLUDE, 1, 1, 0, 0), 0);
	fx_run(fx, 10000);
	CHECK_STR(fx_reports_since(fx, 0),
		  "TO_EX(G1){} | TO_EX(G1){S1} | BLOCK(G1){S1} | BLOCK(G1){S1}");
	CHECK_EQ(fx->rep[1].t_ns, T0_NS);
	check_rep_time(fx, 3, 0, 2000);
	fx_teardown(fx);
}

/* Action: joins of ff02::1 (all-nodes) and ff01::5 (interface-local), a
 * General Query. Response: no report and no response scheduled (RFC 3810
 * §6: never reported); ff02::1 is listened to on every interface even
 * without a join; a later join of G1 reports G1 alone. */
TEST(mcast_all_nodes_and_node_local_never_reported)
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
	static const uint8_t if_local[16] = { 0xff, 0x01, [15] = 5 };
	struct fixture fxs, *fx = &fxs;

	fx_setup(fx, 16);
	CHECK(mcast_is_member(&fx->mt, 3, all_nodes, S(1)));
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, all_nodes), 0);
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, if_local), 0);
	fx_run(fx, 5000);
	fx_query(fx, 2, 0, 1000, 0, 0, 0, 0);
	CHECK_EQ(fx_iface(fx).general_due_ns, DUET_TIME_NEVER);
	fx_query(fx, 2, 0, 1000, 0, 0, 0, 0);
	fx_run(fx, 10000);
	CHECK_EQ(fx->nrep, 0);
	CHECK(mcast_is_member(&fx->mt, 1, if_local, NULL));
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, G(1)), 0);
	fx_run(fx, 20000);
	fx_query(fx, 2, 0, 1000, 0, 0, 0, 0);
	fx_run(fx, 30000);
	CHECK_EQ(fx->nrep, 3);
	CHECK_STR(fx->rep[2].str, "IS_EX(G1){}");
	CHECK_EQ(mcast_leave(&fx->mt, K1, 1, all_nodes), 0);
	fx_run(fx, 40000);
	CHECK_EQ(fx->nrep, 3);
	fx_teardown(fx);
}

/* ---- queries (RFC 3810 §6.2, §6.3) ---- */

/* Action: three groups in different states, a General Query with a 10 s
 * Maximum Response Delay. Response: nothing at once; one Current State
 * Report within 10 s with a record for every group; nothing afterwards. */
TEST(mcast_general_query_answered_once_with_every_group)
{
	struct fixture fxs, *fx = &fxs;

	fx_setup(fx, 16);
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, G(1)), 0);
	CHECK_EQ(fx_filter(fx, K1, 2, MCAST_MODE_EXCLUDE, 1, 1, 0, 0), 0);
	CHECK_EQ(fx_filter(fx, K2, 3, MCAST_MODE_INCLUDE, 1, 2, 0, 0), 0);
	fx_run(fx, 5000);
	CHECK_EQ(fx->nrep, 2);
	CHECK_STR(fx->rep[0].str, "TO_EX(G1){} TO_EX(G2){S1} ALLOW(G3){S2}");
	fx_query(fx, 2, 0, 10000, 0, 0, 0, 0);
	fx_run(fx, 5000);
	CHECK_EQ(fx->nrep, 2);
	fx_run(fx, 60000);
	CHECK_EQ(fx->nrep, 3);
	CHECK_STR(fx->rep[2].str, "IS_EX(G1){} IS_EX(G2){S1} IS_IN(G3){S2}");
	check_rep_time(fx, 2, 5000, 15000);
	CHECK_EQ(ctr(fx, DUET_CTR_MCAST_CURRENT_REPORTS), 1);
	CHECK_EQ(ctr(fx, DUET_CTR_MCAST_GENERAL_QUERIES), 1);
	fx_teardown(fx);
}

/* Action: a General Query (10 s), then one with 1 ms; later one with 1 ms
 * then one with 10 s. Response: rule 2 — the second replaces the pending
 * response (answer within 1 ms); rule 1 — a pending response due sooner
 * stays, the 10 s query adds nothing. One report each time. */
TEST(mcast_general_query_rules_sooner_pending_wins)
{
	struct fixture fxs, *fx = &fxs;
	uint64_t due;

	fx_setup(fx, 16);
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, G(1)), 0);
	fx_run(fx, 5000);
	fx_query(fx, 2, 0, 10000, 0, 0, 0, 0);
	CHECK(fx_iface(fx).general_due_ns > T0_NS + 5001 * MS); /* seed 1 */
	fx_query(fx, 2, 0, 1, 0, 0, 0, 0);
	CHECK(fx_iface(fx).general_due_ns <= T0_NS + 5001 * MS);
	fx_run(fx, 20000);
	CHECK_EQ(fx->nrep, 3);
	check_rep_time(fx, 2, 5000, 5001);
	fx_query(fx, 2, 0, 1, 0, 0, 0, 0);
	due = fx_iface(fx).general_due_ns;
	fx_query(fx, 2, 0, 10000, 0, 0, 0, 0);
	CHECK_EQ(fx_iface(fx).general_due_ns, due);
	fx_run(fx, 40000);
	CHECK_EQ(fx->nrep, 4);
	check_rep_time(fx, 3, 20000, 20001);
	fx_teardown(fx);
}

/* Action: a Multicast Address Specific Query for G2, then one for G3,
 * which nobody joined. Response: within 1 s one report with G2's whole
 * state IS_EX{S1}; nothing for G3. */
TEST(mcast_group_specific_query_reports_that_group)
{
	struct fixture fxs, *fx = &fxs;

	fx_setup(fx, 16);
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, G(1)), 0);
	CHECK_EQ(fx_filter(fx, K1, 2, MCAST_MODE_EXCLUDE, 1, 1, 0, 0), 0);
	fx_run(fx, 5000);
	fx_query(fx, 2, 2, 1000, 0, 0, 0, 0);
	CHECK(fx_info(fx, 2).response_due_ns <= T0_NS + 6000 * MS);
	CHECK_EQ(fx_info(fx, 1).response_due_ns, DUET_TIME_NEVER);
	fx_query(fx, 2, 3, 1000, 0, 0, 0, 0);
	fx_run(fx, 20000);
	CHECK_EQ(fx->nrep, 3);
	CHECK_STR(fx->rep[2].str, "IS_EX(G2){S1}");
	check_rep_time(fx, 2, 5000, 6000);
	CHECK_EQ(ctr(fx, DUET_CTR_MCAST_GROUP_QUERIES), 2);
	fx_teardown(fx);
}

/* Action: Multicast Address and Source Specific Queries: G1 INCLUDE{S1,S2}
 * asked for {S2,S3}; G2 EXCLUDE{S1} asked for {S1,S3}; then G2 for {S1}
 * and G1 for {S3} (nothing listened). Response: IS_IN(A*B) = IS_IN{S2},
 * IS_IN(B-A) = IS_IN{S3} (Table 3); the last two schedule nothing. */
TEST(mcast_group_and_source_specific_query_table_3)
{
	struct fixture fxs, *fx = &fxs;

	fx_setup(fx, 16);
	CHECK_EQ(fx_filter(fx, K1, 1, MCAST_MODE_INCLUDE, 2, 1, 2, 0), 0);
	CHECK_EQ(fx_filter(fx, K1, 2, MCAST_MODE_EXCLUDE, 1, 1, 0, 0), 0);
	fx_run(fx, 5000);
	fx_query(fx, 2, 1, 1000, 2, 2, 3, 0);
	CHECK_EQ(fx_info(fx, 1).nqueried, 2);
	fx_run(fx, 10000);
	fx_query(fx, 2, 2, 1000, 2, 1, 3, 0);
	fx_run(fx, 20000);
	CHECK_STR(fx_reports_since(fx, 2), "IS_IN(G1){S2} | IS_IN(G2){S3}");
	CHECK_EQ(fx_info(fx, 1).nqueried, 0);
	fx_query(fx, 2, 2, 1000, 1, 1, 0, 0);
	fx_query(fx, 2, 1, 1000, 1, 3, 0, 0);
	CHECK_EQ(fx_info(fx, 1).response_due_ns, DUET_TIME_NEVER);
	CHECK_EQ(fx_info(fx, 2).response_due_ns, DUET_TIME_NEVER);
	fx_run(fx, 30000);
	CHECK_EQ(fx->nrep, 4);
	CHECK_EQ(ctr(fx, DUET_CTR_MCAST_SOURCE_QUERIES), 4);
	fx_teardown(fx);
}

/* Action: on G1 EXCLUDE{}: two source-specific queries ({S1}, {S2}); a
 * source-specific then a group-specific one; a group-specific then a
 * source-specific one; a General Query (1 ms) then a group-specific one.
 * Response: rule 5 — one IS_IN{S1,S2} at the earlier time; rule 4 — the
 * whole state, twice; rule 1 — the General Query's response alone. */
TEST(mcast_specific_query_pending_combination_rules)
{
	struct fixture fxs, *fx = &fxs;
	uint64_t due;

	fx_setup(fx, 16);
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, G(1)), 0);
	fx_run(fx, 5000);
	fx_query(fx, 2, 1, 5000, 1, 1, 0, 0);
	due = fx_info(fx, 1).response_due_ns;
	fx_query(fx, 2, 1, 5000, 1, 2, 0, 0);
	CHECK(fx_info(fx, 1).response_due_ns <= due);
	CHECK_EQ(fx_info(fx, 1).nqueried, 2);
	fx_run(fx, 20000);
	fx_query(fx, 2, 1, 5000, 1, 1, 0, 0);
	fx_query(fx, 2, 1, 5000, 0, 0, 0, 0);
	CHECK_EQ(fx_info(fx, 1).nqueried, 0);
	fx_run(fx, 30000);
	fx_query(fx, 2, 1, 5000, 0, 0, 0, 0);
	fx_query(fx, 2, 1, 5000, 1, 1, 0, 0);
	CHECK_EQ(fx_info(fx, 1).nqueried, 0);
	fx_run(fx, 40000);
	fx_query(fx, 2, 0, 1, 0, 0, 0, 0);
	fx_query(fx, 2, 1, 10000, 0, 0, 0, 0);
	CHECK_EQ(fx_info(fx, 1).response_due_ns, DUET_TIME_NEVER);
	fx_run(fx, 60000);
	CHECK_STR(fx_reports_since(fx, 2),
		  "IS_IN(G1){S1,S2} | IS_EX(G1){} | IS_EX(G1){} | IS_EX(G1){}");
	check_rep_time(fx, 5, 40000, 40001);
	fx_teardown(fx);
}

/* Action: a General Query with QRV 3 and QQIC 60 s, then a join. Response:
 * the interface adopts Robustness 3 and Query Interval 60 s (RFC 3810
 * §9.1, §9.2): TO_EX is sent three times, each retransmission within 1 s
 * of the one before; a QRV of 0 changes nothing. */
TEST(mcast_qrv_and_qqic_learned)
{
	struct fixture fxs, *fx = &fxs;
	struct mcast_query q;

	fx_setup(fx, 16);
	memset(&q, 0, sizeof(q));
	q.version = 2;
	q.max_resp_ms = 2000;
	q.qrv = 3;
	q.qqi_s = 60;
	CHECK_EQ(mcast_input_query(&fx->mt, 1, &q), 0);
	CHECK_EQ(fx_iface(fx).robustness, 3);
	CHECK_EQ(fx_iface(fx).query_interval_s, 60);
	CHECK_EQ(fx_iface(fx).query_response_ms, 2000);
	q.qrv = 0;
	q.qqi_s = 0;
	CHECK_EQ(mcast_input_query(&fx->mt, 1, &q), 0);
	CHECK_EQ(fx_iface(fx).robustness, 3);
	CHECK_EQ(fx_iface(fx).query_interval_s, 60);
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, G(1)), 0);
	fx_run(fx, 10000);
	CHECK_STR(fx_reports_since(fx, 0), "TO_EX(G1){} | TO_EX(G1){} | TO_EX(G1){}");
	CHECK(fx->rep[2].t_ns - fx->rep[1].t_ns <= 1000 * MS);
	fx_query(fx, 1, 0, 1000, 0, 0, 0, 0);
	/* Older Version Querier Present Timeout: 3 x 60 s + 1 s. */
	CHECK_EQ(fx_iface(fx).compat_until_ns, T0_NS + (10000 + 181000) * MS);
	fx_teardown(fx);
}

/* ---- compatibility (RFC 3810 §8.2.1, RFC 3376 §7.2.1) ---- */

/* Action: a join, and before its retransmission an MLDv1 General Query;
 * then a second join, a leave, a filter change; the querier goes silent.
 * Response: MLDv1 mode: the pending TO_EX retransmission is cancelled, G1
 * is answered with a v1 Report within 10 s; G2's join sends a Report at
 * once and once more within 10 s, its leave a Done; source filters change
 * nothing; after 2 x 125 s + 10 s the interface is MLDv2 again. */
TEST(mcast_mldv1_querier_sets_v1_mode_then_back_to_v2)
{
	struct fixture fxs, *fx = &fxs;

	fx_setup(fx, 16);
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, G(1)), 0);
	fx_run(fx, 0);
	fx_query(fx, 1, 0, 10000, 0, 0, 0, 0);
	CHECK_EQ(fx_iface(fx).version, 1);
	CHECK_EQ(fx_iface(fx).report_due_ns, DUET_TIME_NEVER);
	CHECK_EQ(ctr(fx, DUET_CTR_MCAST_COMPAT_ENTERED), 1);
	fx_run(fx, 20000);
	CHECK_EQ(fx->nrep, 1);
	CHECK_EQ(fx->nv1, 1);
	CHECK_STR(fx->v1[0].str, "REPORT(G1)");
	CHECK_EQ(fx->v1[0].version, 1);
	CHECK(fx->v1[0].t_ns <= T0_NS + 10000 * MS);
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, G(2)), 0);
	fx_run(fx, 20000);
	CHECK_EQ(fx->nv1, 2);
	CHECK_EQ(fx->v1[1].t_ns, T0_NS + 20000 * MS);
	fx_run(fx, 40000);
	CHECK_EQ(fx->nv1, 3);
	CHECK_STR(fx->v1[2].str, "REPORT(G2)");
	CHECK(fx->v1[2].t_ns <= T0_NS + 30000 * MS);
	CHECK_EQ(mcast_leave(&fx->mt, K1, 1, G(2)), 0);
	CHECK_EQ(fx_filter(fx, K1, 1, MCAST_MODE_INCLUDE, 1, 1, 0, 0), 0);
	fx_run(fx, 40000);
	CHECK_EQ(fx->nv1, 4);
	CHECK_STR(fx->v1[3].str, "DONE(G2)");
	CHECK_EQ(mcast_lookup(&fx->mt, 1, G(2), &(struct mcast_group_info){ 0 }), -ENOENT);
	CHECK_EQ(fx_iface(fx).compat_until_ns, T0_NS + 260000 * MS);
	fx_run(fx, 259999);
	CHECK_EQ(fx_iface(fx).version, 1);
	fx_run(fx, 260000);
	CHECK_EQ(fx_iface(fx).version, 2);
	CHECK_EQ(ctr(fx, DUET_CTR_MCAST_COMPAT_EXPIRED), 1);
	CHECK_EQ(fx->nv1, 4);
	CHECK_EQ(fx->nrep, 1);
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, G(3)), 0);
	fx_run(fx, 260000);
	CHECK_STR(fx->rep[1].str, "TO_EX(G3){}");
	fx_teardown(fx);
}

/* Action: in MLDv1 mode, General Queries of 10 s then 20 s, then a
 * group-specific one of 1 ms. Response: a running delay timer is reset only
 * when the new Maximum Response Delay is below its remaining time (RFC 2710
 * §4): the 20 s query keeps it, the 1 ms one pulls it in. */
TEST(mcast_v1_query_resets_timer_only_if_sooner)
{
	struct fixture fxs, *fx = &fxs;
	uint64_t due;

	fx_setup(fx, 16);
	fx_query(fx, 1, 0, 10000, 0, 0, 0, 0);
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, G(1)), 0);
	fx_run(fx, 20000);
	CHECK_EQ(fx->nv1, 2);
	fx_query(fx, 1, 0, 10000, 0, 0, 0, 0);
	due = fx_info(fx, 1).response_due_ns;
	CHECK(due > T0_NS + 20001 * MS && due <= T0_NS + 30000 * MS); /* seed 1 */
	fx_query(fx, 1, 0, 20000, 0, 0, 0, 0);
	CHECK_EQ(fx_info(fx, 1).response_due_ns, due);
	fx_query(fx, 1, 1, 1, 0, 0, 0, 0);
	CHECK(fx_info(fx, 1).response_due_ns <= T0_NS + 20001 * MS);
	fx_run(fx, 40000);
	CHECK_EQ(fx->nv1, 3);
	CHECK(fx->v1[2].t_ns <= T0_NS + 20001 * MS);
	CHECK_EQ(ctr(fx, DUET_CTR_MCAST_V1_REPORTS), 3);
	fx_teardown(fx);
}

/* Action: IGMPv3 with 4-byte groups: a join with a source filter, the
 * all-systems group, a General Query. Response: version 3 reports whose
 * records carry 239.1.1.1 and 10.0.0.1 as 4-byte addresses; 224.0.0.1 is
 * never reported but always listened to (RFC 3376 §5). */
TEST(mcast_igmpv3_four_byte_groups)
{
	static const uint8_t all_systems[4] = { 224, 0, 0, 1 };
	static const uint8_t g1[4] = { 239, 1, 1, 1 }, s1[4] = { 10, 0, 0, 1 };
	struct fixture fxs, *fx = &fxs;

	fx_setup(fx, 4);
	CHECK(mcast_is_member(&fx->mt, 1, all_systems, NULL));
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, all_systems), 0);
	CHECK_EQ(fx_filter(fx, K1, 1, MCAST_MODE_EXCLUDE, 1, 1, 0, 0), 0);
	fx_run(fx, 5000);
	CHECK_STR(fx_reports_since(fx, 0), "TO_EX(G1){S1} | TO_EX(G1){S1}");
	CHECK_EQ(fx->rep[0].version, 3);
	CHECK_MEM(fx->rep[0].group, g1, 4);
	CHECK_MEM(fx->rep[0].src[0], s1, 4);
	CHECK(!mcast_is_member(&fx->mt, 1, g1, s1));
	CHECK(mcast_is_member(&fx->mt, 1, g1, S(2)));
	fx_query(fx, 3, 0, 1000, 0, 0, 0, 0);
	fx_run(fx, 10000);
	CHECK_EQ(fx->nrep, 3);
	CHECK_STR(fx->rep[2].str, "IS_EX(G1){S1}");
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, (const uint8_t[4]){ 10, 0, 0, 1 }), -EINVAL);
	fx_teardown(fx);
}

/* Joins the v1 messages sent since message first as "A | B". */
static const char *fx_v1_since(struct fixture *fx, uint32_t first)
{
	static char s[512];
	uint32_t i;

	s[0] = 0;
	for (i = first; i < fx->nv1; i++)
		snprintf(s + strlen(s), sizeof(s) - strlen(s), "%s%s/%u", i > first ? " | " : "",
			 fx->v1[i].str, fx->v1[i].version);
	return s;
}

/* Action: an IGMPv2 General Query, a join and a leave; an IGMPv1 Query
 * (whose Max Resp is read as 10 s), a join and a leave; both queriers
 * silent. Response: IGMPv2 mode: v2 Reports, Leave Group; IGMPv1 mode: v1
 * Reports and no leave message; the v2 querier's timer runs out first (no
 * change while the v1 querier is present), then IGMPv3 again. */
TEST(mcast_igmpv2_then_igmpv1_querier)
{
	struct fixture fxs, *fx = &fxs;

	fx_setup(fx, 4);
	fx_query(fx, 2, 0, 1000, 0, 0, 0, 0);
	CHECK_EQ(fx_iface(fx).version, 2);
	CHECK_EQ(fx_iface(fx).compat_until_ns, T0_NS + 251000 * MS);
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, G(1)), 0);
	fx_run(fx, 20000);
	fx_query(fx, 2, 9, 1000, 0, 0, 0, 0);   /* group-specific: no refresh */
	CHECK_EQ(fx_iface(fx).compat_until_ns, T0_NS + 251000 * MS);
	CHECK_EQ(mcast_leave(&fx->mt, K1, 1, G(1)), 0);
	fx_run(fx, 20000);
	CHECK_STR(fx_v1_since(fx, 0), "REPORT(G1)/2 | REPORT(G1)/2 | DONE(G1)/2");
	fx_query(fx, 1, 0, 100, 0, 0, 0, 0);
	CHECK_EQ(fx_iface(fx).version, 1);
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, G(2)), 0);
	fx_run(fx, 20000);
	CHECK_EQ(fx->nv1, 4);
	fx_query(fx, 1, 0, 100, 0, 0, 0, 0);
	CHECK(fx_info(fx, 2).response_due_ns <= T0_NS + 30000 * MS);
	fx_run(fx, 40000);
	CHECK_EQ(mcast_leave(&fx->mt, K1, 1, G(2)), 0);
	fx_run(fx, 50000);
	CHECK_STR(fx_v1_since(fx, 3), "REPORT(G2)/1 | REPORT(G2)/1");
	CHECK_EQ(fx->mt.ngroups, 0);
	/* The v1 querier, last heard at 20 s: present until 20 s + 2 x 125 s
	 * + 10 s; the v2 one until 251 s. */
	CHECK_EQ(fx_iface(fx).compat_until_ns, T0_NS + 280000 * MS);
	fx_run(fx, 279999);
	CHECK_EQ(fx_iface(fx).version, 1);
	fx_run(fx, 280000);
	CHECK_EQ(fx_iface(fx).version, 3);
	CHECK_EQ(ctr(fx, DUET_CTR_MCAST_COMPAT_ENTERED), 2);
	CHECK_EQ(ctr(fx, DUET_CTR_MCAST_COMPAT_EXPIRED), 1);
	CHECK_EQ(fx->nrep, 0);
	fx_teardown(fx);
}

/* ---- limits and errors ---- */

/* Action: tables of 2 groups, 3 listeners, 2 per group, 2 sources, filled
 * past each bound. Response: -ENOBUFS each time, counted, nothing changed;
 * a union over the source bound is refused too. */
TEST(mcast_limits_groups_listeners_sources)
{
	struct fixture fxs, *fx = &fxs;
	struct mcast_config cfg;

	mcast_config_init(&cfg, 16);
	cfg.max_groups = 2;
	cfg.max_listeners = 3;
	cfg.max_listeners_per_group = 2;
	cfg.max_sources = 2;
	fx_setup_cfg(fx, &cfg, 1);
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, G(1)), 0);
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, G(2)), 0);
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, G(3)), -ENOBUFS);
	CHECK_EQ(ctr(fx, DUET_CTR_MCAST_LIMIT_GROUPS), 1);
	CHECK_EQ(mcast_join(&fx->mt, K2, 1, G(1)), 0);
	CHECK_EQ(mcast_join(&fx->mt, K3, 1, G(1)), -ENOBUFS);
	CHECK_EQ(mcast_join(&fx->mt, K2, 1, G(2)), -ENOBUFS);
	CHECK_EQ(ctr(fx, DUET_CTR_MCAST_LIMIT_LISTENERS), 2);
	CHECK_EQ(fx_filter(fx, K1, 1, MCAST_MODE_INCLUDE, 3, 1, 2, 3), -ENOBUFS);
	CHECK_EQ(fx_filter(fx, K1, 1, MCAST_MODE_INCLUDE, 2, 1, 2, 0), 0);
	CHECK_EQ(fx_filter(fx, K2, 1, MCAST_MODE_INCLUDE, 1, 3, 0, 0), -ENOBUFS);
	CHECK_EQ(ctr(fx, DUET_CTR_MCAST_LIMIT_SOURCES), 2);
	CHECK_EQ(fx_info(fx, 1).mode, MCAST_MODE_EXCLUDE);   /* K2 still EXCLUDE{} */
	CHECK_EQ(fx_info(fx, 1).nsrc, 0);
	CHECK_EQ(fx_filter(fx, K2, 1, MCAST_MODE_INCLUDE, 1, 2, 0, 0), 0);
	CHECK_EQ(fx_info(fx, 1).mode, MCAST_MODE_INCLUDE);
	CHECK_EQ(fx_info(fx, 1).nsrc, 2);
	CHECK_EQ(fx->mt.nlisteners, 3);
	fx_teardown(fx);
}

/* Action: bad arguments. Response: EINVAL for interface 0 or out of range,
 * a unicast group, a bad mode, a bad query or configuration; EADDRINUSE for
 * a second join by the same socket; EADDRNOTAVAIL for leaving a group not
 * joined (B-5). */
TEST(mcast_errors)
{
	static const uint8_t unicast[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct fixture fxs, *fx = &fxs;
	struct mcast_config cfg;
	struct mcast_table t;
	struct mcast_query q;

	fx_setup(fx, 16);
	CHECK_EQ(mcast_join(&fx->mt, K1, 0, G(1)), -EINVAL);
	CHECK_EQ(mcast_join(&fx->mt, K1, 33, G(1)), -EINVAL);
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, unicast), -EINVAL);
	CHECK_EQ(mcast_set_filter(&fx->mt, K1, 1, G(1), (enum mcast_mode)7, NULL, 0), -EINVAL);
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, G(1)), 0);
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, G(1)), -EADDRINUSE);
	CHECK_EQ(mcast_join(&fx->mt, K1, 2, G(1)), 0);   /* another interface */
	CHECK_EQ(mcast_leave(&fx->mt, K2, 1, G(1)), -EADDRNOTAVAIL);
	CHECK_EQ(mcast_leave(&fx->mt, K1, 1, G(2)), -EADDRNOTAVAIL);
	memset(&q, 0, sizeof(q));
	q.version = 3;
	CHECK_EQ(mcast_input_query(&fx->mt, 1, &q), -EINVAL);
	q.version = 2;
	memcpy(q.group, unicast, 16);
	CHECK_EQ(mcast_input_query(&fx->mt, 1, &q), -EINVAL);
	CHECK_EQ(mcast_input_query(&fx->mt, 0, &q), -EINVAL);
	mcast_config_init(&cfg, 8);
	CHECK_EQ(mcast_init(&t, fx->stack, &cfg, &fx_ops, NULL), -EINVAL);
	mcast_config_init(&cfg, 16);
	cfg.robustness = 0;
	CHECK_EQ(mcast_init(&t, fx->stack, &cfg, &fx_ops, NULL), -EINVAL);
	mcast_config_init(&cfg, 16);
	CHECK_EQ(mcast_init(&t, fx->stack, &cfg, &(struct mcast_ops){ 0 }, NULL), -EINVAL);
	fx_teardown(fx);
}

/* Action: with 2 sources per list (a Retransmission List of 4), INCLUDE
 * {S1,S2} -> {S3,S4} -> {S5,S6} at one instant; then a source-specific
 * query naming 3 sources. Response: the third change overflows the list:
 * the whole state goes out as TO_IN{S5,S6}, twice; the query's sources do
 * not fit either: the response is the whole state IS_IN{S5,S6}. */
TEST(mcast_bounded_lists_fall_back_to_whole_state)
{
	struct fixture fxs, *fx = &fxs;
	struct mcast_config cfg;

	mcast_config_init(&cfg, 16);
	cfg.max_sources = 2;
	fx_setup_cfg(fx, &cfg, 1);
	CHECK_EQ(fx_filter(fx, K1, 1, MCAST_MODE_INCLUDE, 2, 1, 2, 0), 0);
	fx_run(fx, 0);
	CHECK_EQ(fx_filter(fx, K1, 1, MCAST_MODE_INCLUDE, 2, 3, 4, 0), 0);
	fx_run(fx, 0);
	CHECK_EQ(fx_filter(fx, K1, 1, MCAST_MODE_INCLUDE, 2, 5, 6, 0), 0);
	fx_run(fx, 10000);
	CHECK_STR(fx_reports_since(fx, 0), "ALLOW(G1){S1,S2} | ALLOW(G1){S3,S4} BLOCK(G1){S1,S2}"
		  " | TO_IN(G1){S5,S6} | TO_IN(G1){S5,S6}");
	fx_query(fx, 2, 1, 1000, 3, 5, 6, 7);
	fx_run(fx, 20000);
	CHECK_EQ(fx->nrep, 5);
	CHECK_STR(fx->rep[4].str, "IS_IN(G1){S5,S6}");
	CHECK_EQ(ctr(fx, DUET_CTR_MCAST_SOURCES_OVERFLOW), 2);
	fx_teardown(fx);
}

/* ---- determinism, ownership, dumps ---- */

/* Joins, a query and a leave; returns the number of reports, their times in
 * out. */
static uint32_t schedule_for_seed(uint64_t seed, uint64_t *out)
{
	struct fixture fxs, *fx = &fxs;
	struct mcast_config cfg;
	uint32_t i, n;

	mcast_config_init(&cfg, 16);
	fx_setup_cfg(fx, &cfg, seed);
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, G(1)), 0);
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, G(2)), 0);
	fx_run(fx, 3000);
	fx_query(fx, 2, 0, 10000, 0, 0, 0, 0);
	fx_run(fx, 15000);
	fx_query(fx, 2, 2, 5000, 0, 0, 0, 0);
	fx_run(fx, 20000);
	CHECK_EQ(mcast_leave(&fx->mt, K1, 1, G(1)), 0);
	fx_run(fx, 30000);
	n = fx->nrep;
	for (i = 0; i < n; i++)
		out[i] = fx->rep[i].t_ns;
	fx_teardown(fx);
	return n;
}

/* Action: the same script under seed 7 twice, and under seed 8. Response:
 * identical schedules for the same seed; a different one for seed 8. */
TEST(mcast_same_seed_same_schedule)
{
	uint64_t a[MAX_CALLS], b[MAX_CALLS], c[MAX_CALLS];
	uint32_t na = schedule_for_seed(7, a), nb = schedule_for_seed(7, b);
	uint32_t nc = schedule_for_seed(8, c);

	CHECK_EQ(na, 6);
	CHECK_EQ(na, nb);
	CHECK_MEM(a, b, na * sizeof(a[0]));
	CHECK_EQ(nc, na);
	CHECK(memcmp(a, c, na * sizeof(a[0])) != 0);
}

/* Action: K1 in G1 and G2, K2 in G2; K1 closes; then the interface goes.
 * Response: K1's memberships end (TO_IN(G1){} only: G2 still has K2); the
 * flush forgets both entries, cancels the pending retransmission and sends
 * nothing more. */
TEST(mcast_leave_all_and_flush_iface)
{
	struct fixture fxs, *fx = &fxs;

	fx_setup(fx, 16);
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, G(1)), 0);
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, G(2)), 0);
	CHECK_EQ(mcast_join(&fx->mt, K2, 1, G(2)), 0);
	fx_run(fx, 5000);
	CHECK_EQ(mcast_leave_all(&fx->mt, K1), 2);
	fx_run(fx, 5000);
	CHECK_EQ(fx->nrep, 3);
	CHECK_STR(fx->rep[2].str, "TO_IN(G1){}");
	CHECK_EQ(fx_info(fx, 2).nlisteners, 1);
	CHECK_EQ(mcast_flush_iface(&fx->mt, 1), 2);
	CHECK_EQ(fx_iface(fx).report_due_ns, DUET_TIME_NEVER);
	fx_run(fx, 20000);
	CHECK_EQ(fx->nrep, 3);
	CHECK_EQ(fx->mt.ngroups, 0);
	CHECK_EQ(fx->mt.nlisteners, 0);
	CHECK_EQ(fx->stack->timers.count, 0);
	CHECK_EQ(mcast_join(&fx->mt, K2, 1, G(2)), 0); /* the slots are reusable */
	fx_teardown(fx);
}

static int count_entry(void *arg, const struct mcast_group_info *info)
{
	uint32_t *n = arg;

	(*n)++;
	return info->nlisteners == 0; /* never: every entry has a listener */
}

static int stop_at_first(void *arg, const struct mcast_group_info *info)
{
	(void)arg;
	(void)info;
	return 1;
}

/* Action: three entries on two interfaces, walked. Response: every entry
 * visited once, in a fixed order; returning nonzero stops the walk. */
TEST(mcast_walk_visits_every_entry)
{
	struct fixture fxs, *fx = &fxs;
	uint32_t seen = 0;

	fx_setup(fx, 16);
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, G(1)), 0);
	CHECK_EQ(mcast_join(&fx->mt, K1, 1, G(2)), 0);
	CHECK_EQ(mcast_join(&fx->mt, K1, 2, G(1)), 0);
	CHECK_EQ(mcast_walk(&fx->mt, count_entry, &seen), 3);
	CHECK_EQ(seen, 3);
	CHECK_EQ(mcast_walk(&fx->mt, stop_at_first, NULL), 1);
	fx_teardown(fx);
}
