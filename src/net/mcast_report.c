/* duet — the multicast listener protocol for MLDv2 (RFC 3810 §6, §8, §9)
 * and IGMPv3 (RFC 3376 §5, §7, §8): State Change Reports and their
 * retransmissions, responses to General, Multicast Address Specific and
 * Multicast Address and Source Specific Queries, Host Compatibility Mode
 * with MLDv1 (RFC 2710 §4) and IGMPv1/v2 (RFC 1112, RFC 2236 §3) behaviour.
 * See mcast.h for the contract; section numbers are RFC 3810's, whose
 * RFC 3376 counterparts say the same for IGMP.
 *
 * Deliberate choices:
 *  - one Retransmission Timer per interface sends the pending State Change
 *    records of all its groups together (as Linux's mr_ifc_timer); each
 *    group keeps its own counters, so each change still goes out
 *    [Robustness Variable] times;
 *  - a filter mode change clears the sources' retransmission state: the
 *    TO_IN / TO_EX records that follow carry the whole state (Linux does
 *    the same in ip_mc_add_src / ip6_mc_add_src);
 *  - a Source Retransmission Counter goes down when its source is sent in
 *    an ALLOW or BLOCK record (§6.3, Table 4), so source changes made while
 *    Filter Mode Change records are pending follow them (§6.1);
 *  - when a bounded list would overflow (Retransmission List, recorded
 *    queried sources) the engine falls back to the group's whole state:
 *    TO_IN / TO_EX, or a Multicast Address Specific response — never less
 *    information than the RFC asks for (counted MCAST_SOURCES_OVERFLOW);
 *  - in compatibility mode every query, newer versions' included, is
 *    answered the older way, per group and without sources ("using only
 *    the MLDv1 protocol", §8.2.1); source filters only decide whether a
 *    group is listened to at all (any state but INCLUDE {});
 *  - in compatibility mode the host never hears other hosts' reports (the
 *    protocol module does not pass them), so it is always the last
 *    reporter and always sends Done / Leave Group (RFC 2710 §4 and RFC 2236
 *    §3 allow either; RFC 3810 §8.2.2 makes suppression a MAY). */
#include <errno.h>
#include <string.h>

#include <duet/clock.h>
#include <duet/random.h>

#include "core/stack_internal.h"
#include "net/mcast_internal.h"

/* ---- time ---- */

/* Time inside a timer callback: the wheel's, set to the timer's expiry. */
static uint64_t mcast_wheel_now(const struct mcast_table *t)
{
	return t->stack->timers.now_tick * DUET_TW_TICK_NS;
}

static uint64_t mcast_due_ns(const struct duet_timer *timer)
{
	return timer->expires_tick * DUET_TW_TICK_NS;
}

/* A random delay in µs steps: (0, max_ms] or, with is_zero_ok, [0, max_ms].
 * The bound is under 2^34 µs, so the modulo bias (under 2^-30) does not
 * matter. */
static uint64_t mcast_delay_ns(struct mcast_table *t, uint64_t max_ms, bool is_zero_ok)
{
	uint64_t max_us = max_ms * 1000u, r = duet_rng_next(&t->stack->rng);

	if (is_zero_ok)
		return r % (max_us + 1) * 1000u;
	return (1 + (max_us ? r % max_us : 0)) * 1000u;
}

static void mcast_arm(struct mcast_table *t, struct duet_timer *timer, uint64_t when_ns)
{
	duet_tw_arm(&t->stack->timers, timer, when_ns);
}

/* ---- sending ---- */

static void mcast_rec(struct mcast_table *t, uint32_t *n, uint8_t type,
		      const struct mcast_group *g, const uint8_t *src, uint16_t nsrc)
{
	struct mcast_record *r = &t->records[(*n)++];

	r->type = type;
	memset(r->group, 0, sizeof(r->group));
	memcpy(r->group, g->addr, t->cfg.addr_len);
	r->nsrc = nsrc;
	r->sources = src;
}

/* A Current State Record for g's whole state (§6.3 rules 1 and 2). */
static void mcast_rec_state(struct mcast_table *t, uint32_t *n, const struct mcast_group *g)
{
	mcast_rec(t, n, g->mode == MCAST_MODE_INCLUDE ? MCAST_IS_IN : MCAST_IS_EX, g, g->src, g->nsrc);
}

static void mcast_send(struct mcast_table *t, const struct mcast_iface *ifp, uint32_t n,
		       enum duet_counter counter)
{
	if (!n)
		return;
	stack_count(t->stack, counter);
	t->ops.send_report(t->ctx, ifp->ifindex, t->newest, t->records, n);
}

static void mcast_send_v1(struct mcast_table *t, const struct mcast_group *g, uint8_t type)
{
	stack_count(t->stack, type == MCAST_V1_DONE ? DUET_CTR_MCAST_V1_DONES
						    : DUET_CTR_MCAST_V1_REPORTS);
	t->ops.send_v1(t->ctx, g->ifp->ifindex, g->ifp->version, type, g->addr);
}

/* ---- interfaces ---- */

static void mcast_gq_fire(struct duet_timer *timer, void *arg);
static void mcast_report_fire(struct duet_timer *timer, void *arg);
static void mcast_compat_fire(struct duet_timer *timer, void *arg);

static void mcast_iface_defaults(struct mcast_table *t, struct mcast_iface *ifp)
{
	ifp->version = t->newest;
	ifp->robustness = t->cfg.robustness;
	ifp->qi_s = t->cfg.query_interval_s;
	ifp->qri_ms = t->cfg.query_response_ms;
}

void mcast_iface_setup(struct mcast_table *t, struct mcast_iface *ifp, uint32_t ifindex)
{
	ifp->table = t;
	ifp->ifindex = ifindex;
	ifp->head = ifp->tail = NULL;
	duet_timer_init(&ifp->gq_timer, mcast_gq_fire, ifp);
	duet_timer_init(&ifp->report_timer, mcast_report_fire, ifp);
	duet_timer_init(&ifp->compat_timer[0], mcast_compat_fire, ifp);
	duet_timer_init(&ifp->compat_timer[1], mcast_compat_fire, ifp);
	mcast_iface_defaults(t, ifp);
}

void mcast_iface_reset(struct mcast_table *t, struct mcast_iface *ifp)
{
	struct duet_timer_wheel *tw = &t->stack->timers;

	duet_tw_cancel(tw, &ifp->gq_timer);
	duet_tw_cancel(tw, &ifp->report_timer);
	duet_tw_cancel(tw, &ifp->compat_timer[0]);
	duet_tw_cancel(tw, &ifp->compat_timer[1]);
	mcast_iface_defaults(t, ifp);
}

/* True if the interface has a record to report (§6.2: "checks whether it
 * has any per-interface listening state record to report on"). */
static bool mcast_iface_has_state(const struct mcast_table *t, const struct mcast_iface *ifp)
{
	const struct mcast_group *g;

	for (g = ifp->head; g; g = g->if_next)
		if (mcast_group_is_listening(g) && mcast_is_reportable(t, g->addr))
			return true;
	return false;
}

/* ---- state changes (§6.1) ---- */

/* Gives src retransmission state: "When a source is included in the list,
 * its counter is set to [Robustness Variable]". Returns false when the
 * Retransmission List is full. */
static bool mcast_rtx_mark(struct mcast_table *t, struct mcast_group *g, const uint8_t *src)
{
	uint32_t alen = t->cfg.addr_len, i;

	for (i = 0; i < g->nrtx; i++)
		if (memcmp(g->rtx + (size_t)i * alen, src, alen) == 0)
			break;
	if (i == g->nrtx) {
		if (g->nrtx >= 2 * t->cfg.max_sources)
			return false;
		memcpy(g->rtx + (size_t)i * alen, src, alen);
		g->nrtx++;
	}
	g->rtx_cnt[i] = g->ifp->robustness;
	return true;
}

/* Same filter mode: the sources that changed are the symmetric difference
 * of the old and new lists — ALLOW(B-A), BLOCK(A-B) in INCLUDE mode,
 * ALLOW(A-B), BLOCK(B-A) in EXCLUDE mode (Table 1); which record each goes
 * in is decided at sending time from the current state (Table 4). Returns
 * the number of sources marked, or -1 when the list overflowed. */
static int mcast_rtx_diff(struct mcast_table *t, struct mcast_group *g,
			  const struct mcast_filter *nw)
{
	uint32_t alen = t->cfg.addr_len, i;
	int n = 0;

	for (i = 0; i < g->nsrc; i++) {
		const uint8_t *s = g->src + (size_t)i * alen;
		if (mcast_src_has(t, nw->src, nw->nsrc, s))
			continue;
		if (!mcast_rtx_mark(t, g, s))
			return -1;
		n++;
	}
	for (i = 0; i < nw->nsrc; i++) {
		const uint8_t *s = nw->src + (size_t)i * alen;
		if (mcast_src_has(t, g->src, g->nsrc, s))
			continue;
		if (!mcast_rtx_mark(t, g, s))
			return -1;
		n++;
	}
	return n;
}

/* Compatibility mode: a record appearing is a join (Report at once, then
 * repeated: RFC 2710 §4, RFC 2236 §3), disappearing a leave (Done / Leave
 * Group; IGMPv1 has none, RFC 1112 App. I). Source lists are ignored. */
static void mcast_v1_change(struct mcast_table *t, struct mcast_group *g,
			    const struct mcast_filter *nw)
{
	bool was = mcast_group_is_listening(g);
	bool is = nw->mode == MCAST_MODE_EXCLUDE || nw->nsrc > 0;
	uint64_t now = duet_stack_now(t->stack);

	if (was == is)
		return;
	if (is) {
		g->is_v1_done_pending = false;
		g->v1_reports = g->ifp->robustness;
		mcast_arm(t, &g->timer, now);
		return;
	}
	g->v1_reports = 0;
	if (t->cfg.addr_len == 4 && g->ifp->version == 1) {
		duet_tw_cancel(&t->stack->timers, &g->timer);
		return;
	}
	g->is_v1_done_pending = true;
	mcast_arm(t, &g->timer, now);
}

void mcast_report_change(struct mcast_table *t, struct mcast_group *g,
			 const struct mcast_filter *nw)
{
	struct mcast_iface *ifp = g->ifp;
	int n;

	if (!mcast_is_reportable(t, g->addr))
		return;
	if (ifp->version < t->newest) {
		mcast_v1_change(t, g, nw);
		return;
	}
	if (g->mode != nw->mode) {
		/* "When the filter-mode changes, the counter is set to
		 * [Robustness Variable]." */
		g->filter_rtx = ifp->robustness;
		g->nrtx = 0;
	} else if ((n = mcast_rtx_diff(t, g, nw)) == 0) {
		return;
	} else if (n < 0) {
		stack_count(t->stack, DUET_CTR_MCAST_SOURCES_OVERFLOW);
		g->filter_rtx = ifp->robustness;
		g->nrtx = 0;
	}
	/* "A change of per-interface state causes the node to immediately
	 * transmit a State Change Report", merged with what is pending. */
	mcast_arm(t, &ifp->report_timer, duet_stack_now(t->stack));
}

int mcast_iface_restate(struct mcast_table *t, uint32_t ifindex)
{
	struct mcast_iface *ifp;
	struct mcast_group *g;
	uint64_t now = duet_stack_now(t->stack);
	bool is_any = false;

	if (ifindex < 1 || ifindex > t->max_ifindex)
		return -EINVAL;
	ifp = &t->ifaces[ifindex];
	for (g = ifp->head; g; g = g->if_next) {
		if (!mcast_group_is_listening(g) || !mcast_is_reportable(t, g->addr))
			continue;
		if (ifp->version < t->newest) {
			g->is_v1_done_pending = false;
			g->v1_reports = ifp->robustness;
			mcast_arm(t, &g->timer, now);
			continue;
		}
		/* The whole state, as after a filter mode change: TO_IN or TO_EX
		 * with the current sources, [Robustness Variable] times. */
		g->filter_rtx = ifp->robustness;
		g->nrtx = 0;
		is_any = true;
	}
	if (is_any)
		mcast_arm(t, &ifp->report_timer, now);
	return 0;
}

/* Moves the sources of the Retransmission List that must be forwarded to
 * the front (ALLOW), those that must be blocked after them (BLOCK): in
 * INCLUDE mode the listed ones are forwarded, in EXCLUDE mode blocked
 * (Table 4). Returns the number forwarded. */
static uint16_t mcast_rtx_partition(struct mcast_table *t, struct mcast_group *g)
{
	uint32_t alen = t->cfg.addr_len, i, front = 0;
	uint8_t tmp[16], cnt;

	for (i = 0; i < g->nrtx; i++) {
		uint8_t *s = g->rtx + (size_t)i * alen, *f = g->rtx + (size_t)front * alen;
		bool is_listed = mcast_src_has(t, g->src, g->nsrc, s);

		if (is_listed != (g->mode == MCAST_MODE_INCLUDE))
			continue;
		if (i != front) {
			memcpy(tmp, f, alen);
			memcpy(f, s, alen);
			memcpy(s, tmp, alen);
			cnt = g->rtx_cnt[front];
			g->rtx_cnt[front] = g->rtx_cnt[i];
			g->rtx_cnt[i] = cnt;
		}
		front++;
	}
	return (uint16_t)front;
}

/* The records of one State Change Report: TO_IN / TO_EX with the current
 * state while the Filter Mode Retransmission Counter is above zero, else
 * ALLOW and BLOCK from the Retransmission List, each omitted when empty
 * (§6.1, §6.3 rule 4). */
static uint32_t mcast_change_records(struct mcast_table *t, struct mcast_iface *ifp)
{
	uint32_t alen = t->cfg.addr_len, n = 0;
	struct mcast_group *g;

	for (g = ifp->head; g; g = g->if_next) {
		uint16_t nallow;

		if (g->filter_rtx) {
			mcast_rec(t, &n, g->mode == MCAST_MODE_INCLUDE ? MCAST_TO_IN : MCAST_TO_EX, g,
				  g->src, g->nsrc);
			continue;
		}
		if (!g->nrtx)
			continue;
		nallow = mcast_rtx_partition(t, g);
		if (nallow)
			mcast_rec(t, &n, MCAST_ALLOW, g, g->rtx, nallow);
		if (g->nrtx > nallow)
			mcast_rec(t, &n, MCAST_BLOCK, g, g->rtx + (size_t)nallow * alen,
				  (uint16_t)(g->nrtx - nallow));
	}
	return n;
}

/* After a report: counters of what it carried go down by one; sources at
 * zero leave the Retransmission List; entries left with nothing are freed.
 * Returns true if more reports are due. */
static bool mcast_change_sent(struct mcast_table *t, struct mcast_iface *ifp)
{
	uint32_t alen = t->cfg.addr_len, i, kept;
	struct mcast_group *g, *next;
	bool is_pending = false;

	for (g = ifp->head; g; g = next) {
		next = g->if_next;
		if (g->filter_rtx) {
			g->filter_rtx--;
		} else {
			for (i = kept = 0; i < g->nrtx; i++) {
				if (--g->rtx_cnt[i] == 0)
					continue;
				memmove(g->rtx + (size_t)kept * alen, g->rtx + (size_t)i * alen, alen);
				g->rtx_cnt[kept++] = g->rtx_cnt[i];
			}
			g->nrtx = (uint16_t)kept;
		}
		is_pending |= g->filter_rtx || g->nrtx;
		mcast_group_release_if_idle(t, g);
	}
	return is_pending;
}

/* The Retransmission Timer: "[Robustness Variable] - 1 retransmissions are
 * scheduled ... at intervals chosen at random from the range (0,
 * [Unsolicited Report Interval])" (§6.1). */
static void mcast_report_fire(struct duet_timer *timer, void *arg)
{
	struct mcast_iface *ifp = arg;
	struct mcast_table *t = ifp->table;

	(void)timer;
	mcast_send(t, ifp, mcast_change_records(t, ifp), DUET_CTR_MCAST_CHANGE_REPORTS);
	if (mcast_change_sent(t, ifp))
		mcast_arm(t, &ifp->report_timer,
			  mcast_wheel_now(t) + mcast_delay_ns(t, t->cfg.unsolicited_ms, false));
}

/* ---- responses (§6.3) ---- */

/* The Interface Timer: "one Current State Record is sent for each
 * multicast address for which the specified interface has listening
 * state". */
static void mcast_gq_fire(struct duet_timer *timer, void *arg)
{
	struct mcast_iface *ifp = arg;
	struct mcast_table *t = ifp->table;
	const struct mcast_group *g;
	uint32_t n = 0;

	(void)timer;
	for (g = ifp->head; g; g = g->if_next)
		if (mcast_group_is_listening(g) && mcast_is_reportable(t, g->addr))
			mcast_rec_state(t, &n, g);
	mcast_send(t, ifp, n, DUET_CTR_MCAST_CURRENT_REPORTS);
}

/* A Multicast Address Timer: with no recorded sources the whole state;
 * with sources B, IS_IN(A*B) for INCLUDE(A) and IS_IN(B-A) for EXCLUDE(A),
 * nothing if empty (Table 3); "if, and only if, the interface has listening
 * state". The recorded sources are cleared. */
static void mcast_v2_response(struct mcast_table *t, struct mcast_group *g)
{
	uint32_t n = 0;

	if (!mcast_group_is_listening(g) || !mcast_is_reportable(t, g->addr)) {
		g->nq = 0;
		return;
	}
	if (!g->nq) {
		mcast_rec_state(t, &n, g);
	} else {
		mcast_src_keep(t, g->q, &g->nq, g->src, g->nsrc, g->mode == MCAST_MODE_INCLUDE);
		if (g->nq)
			mcast_rec(t, &n, MCAST_IS_IN, g, g->q, g->nq);
	}
	mcast_send(t, g->ifp, n, DUET_CTR_MCAST_CURRENT_REPORTS);
	g->nq = 0;
}

/* Compatibility mode: the report delay timer sends a Report (a response or
 * one of the unsolicited repeats, at random in [0, Unsolicited Report
 * Interval]), or the Done / Leave Group a leave scheduled. */
static void mcast_v1_timer(struct mcast_table *t, struct mcast_group *g)
{
	if (g->is_v1_done_pending) {
		g->is_v1_done_pending = false;
		mcast_send_v1(t, g, MCAST_V1_DONE);
		mcast_group_release_if_idle(t, g);
		return;
	}
	if (!mcast_group_is_listening(g) || !mcast_is_reportable(t, g->addr))
		return;
	mcast_send_v1(t, g, MCAST_V1_REPORT);
	if (g->v1_reports)
		g->v1_reports--;
	if (g->v1_reports)
		mcast_arm(t, &g->timer,
			  mcast_wheel_now(t) + mcast_delay_ns(t, t->cfg.v1_unsolicited_ms, true));
}

void mcast_group_timer_fire(struct duet_timer *timer, void *arg)
{
	struct mcast_group *g = arg;
	struct mcast_table *t = g->ifp->table;

	(void)timer;
	if (g->ifp->version < t->newest)
		mcast_v1_timer(t, g);
	else
		mcast_v2_response(t, g);
}

/* ---- Host Compatibility Mode (§8.2.1; RFC 3376 §7.2.1) ---- */

/* The lowest version whose Older Version Querier Present timer runs. */
static uint8_t mcast_compat_version(const struct mcast_table *t, const struct mcast_iface *ifp)
{
	if (ifp->compat_timer[0].is_armed)
		return 1;
	if (ifp->compat_timer[1].is_armed)
		return 2;
	return t->newest;
}

/* "Whenever a host changes its compatibility mode, it cancels all its
 * pending responses and retransmission timers." */
static void mcast_cancel_pending(struct mcast_table *t, struct mcast_iface *ifp)
{
	struct duet_timer_wheel *tw = &t->stack->timers;
	struct mcast_group *g, *next;

	duet_tw_cancel(tw, &ifp->gq_timer);
	duet_tw_cancel(tw, &ifp->report_timer);
	for (g = ifp->head; g; g = next) {
		next = g->if_next;
		duet_tw_cancel(tw, &g->timer);
		g->filter_rtx = g->v1_reports = 0;
		g->nrtx = g->nq = 0;
		g->is_v1_done_pending = false;
		mcast_group_release_if_idle(t, g);
	}
}

static void mcast_set_version(struct mcast_table *t, struct mcast_iface *ifp, uint8_t version)
{
	if (version == ifp->version)
		return;
	stack_count(t->stack, version < ifp->version ? DUET_CTR_MCAST_COMPAT_ENTERED
						     : DUET_CTR_MCAST_COMPAT_EXPIRED);
	ifp->version = version;
	mcast_cancel_pending(t, ifp);
}

/* "If the Older Version Querier Present timer expires, the host switches
 * back to Host Compatibility Mode of MLDv2" (or IGMPv2 while an IGMPv2
 * querier is still present). */
static void mcast_compat_fire(struct duet_timer *timer, void *arg)
{
	struct mcast_iface *ifp = arg;

	(void)timer;
	mcast_set_version(ifp->table, ifp, mcast_compat_version(ifp->table, ifp));
}

/* An older version's query: MLDv1 any Query (§8.2.1); IGMPv1 any Query,
 * IGMPv2 a General Query (RFC 3376 §7.2.1). The timer runs the Older
 * Version Querier Present Timeout: "[Robustness Variable] times [Query
 * Interval] plus [Query Response Interval]" (§9.12, RFC 3376 §8.12). */
static void mcast_compat_heard(struct mcast_table *t, struct mcast_iface *ifp, uint8_t version,
			       bool is_general, uint64_t now)
{
	uint64_t timeout = ifp->robustness * (uint64_t)ifp->qi_s * DUET_NS_PER_S +
			   ifp->qri_ms * DUET_NS_PER_MS;

	if (version == 2 && !is_general)
		return;
	mcast_arm(t, &ifp->compat_timer[version - 1], now + timeout);
	mcast_set_version(t, ifp, mcast_compat_version(t, ifp));
}

/* ---- queries (§6.2) ---- */

static uint32_t mcast_query_max_ms(const struct mcast_table *t, const struct mcast_query *q)
{
	return t->cfg.addr_len == 4 && q->version == 1 ? MCAST_IGMPV1_MAX_RESP_MS : q->max_resp_ms;
}

/* Learns the querier's variables: a non-zero QRV becomes the Robustness
 * Variable (§9.1, §5.1.8), a non-zero QQIC the Query Interval (§9.2,
 * §5.1.9); a General Query's Maximum Response Delay is the Query Response
 * Interval (§9.3), used for the Older Version Querier Present Timeout. */
static void mcast_query_learn(struct mcast_table *t, struct mcast_iface *ifp,
			      const struct mcast_query *q, bool is_general)
{
	uint32_t max_ms = mcast_query_max_ms(t, q);

	if (q->version == t->newest && q->qrv)
		ifp->robustness = q->qrv <= MCAST_MAX_ROBUSTNESS ? q->qrv : MCAST_MAX_ROBUSTNESS;
	if (q->version == t->newest && q->qqi_s)
		ifp->qi_s = q->qqi_s;
	if (is_general && max_ms)
		ifp->qri_ms = max_ms;
}

/* True if g listens to one of the queried sources ("has a per-interface
 * listening state record that corresponds to the queried multicast address
 * (and source)"). */
static bool mcast_query_matches(const struct mcast_table *t, const struct mcast_group *g,
				const struct mcast_query *q)
{
	uint32_t i;

	for (i = 0; i < q->nsrc; i++) {
		bool is_listed = mcast_src_has(t, g->src, g->nsrc,
					       q->sources + (size_t)i * t->cfg.addr_len);
		if (is_listed == (g->mode == MCAST_MODE_INCLUDE))
			return true;
	}
	return false;
}

/* Adds the queried sources to g's recorded list; on overflow the list is
 * dropped, which makes the response a Multicast Address Specific one. */
static void mcast_query_record(struct mcast_table *t, struct mcast_group *g,
			       const struct mcast_query *q)
{
	uint32_t i;

	for (i = 0; i < q->nsrc; i++) {
		if (mcast_src_add(t, g->q, &g->nq, t->cfg.max_sources,
				  q->sources + (size_t)i * t->cfg.addr_len)) {
			stack_count(t->stack, DUET_CTR_MCAST_SOURCES_OVERFLOW);
			g->nq = 0;
			return;
		}
	}
}

/* Rules 3-5 of §6.2 for a (source-)specific query whose response is due at
 * due_ns (rule 1 was checked by the caller). */
static void mcast_query_specific(struct mcast_table *t, struct mcast_group *g,
				 const struct mcast_query *q, bool has_sources, uint64_t due_ns)
{
	if (!g->timer.is_armed) {
		/* 3: no pending response: schedule one, recording the sources. */
		g->nq = 0;
		if (has_sources)
			mcast_query_record(t, g, q);
	} else {
		/* "scheduled to be sent at the earliest of the remaining time
		 * for the pending report and the selected delay". */
		if (mcast_due_ns(&g->timer) < due_ns)
			due_ns = mcast_due_ns(&g->timer);
		if (!has_sources || !g->nq)
			g->nq = 0;                       /* 4: the whole state */
		else
			mcast_query_record(t, g, q);     /* 5: augment the list */
	}
	mcast_arm(t, &g->timer, due_ns);
}

static void mcast_v2_query(struct mcast_table *t, struct mcast_iface *ifp,
			   const struct mcast_query *q, bool is_general, uint64_t now)
{
	uint64_t due = now + mcast_delay_ns(t, mcast_query_max_ms(t, q), false);
	bool is_gq_sooner = ifp->gq_timer.is_armed && mcast_due_ns(&ifp->gq_timer) <= due;
	bool has_sources = q->version == t->newest && q->nsrc > 0;
	struct mcast_group *g;

	if (is_general) {
		/* 1: a General Query response due sooner covers it; 2: else the
		 * Interface Timer, replacing a pending one. */
		if (mcast_iface_has_state(t, ifp) && !is_gq_sooner)
			mcast_arm(t, &ifp->gq_timer, due);
		return;
	}
	g = mcast_group_find(t, ifp->ifindex, q->group);
	if (!g || !mcast_group_is_listening(g) || !mcast_is_reportable(t, g->addr) ||
	    (has_sources && !mcast_query_matches(t, g, q)) || is_gq_sooner)
		return;
	mcast_query_specific(t, g, q, has_sources, due);
}

/* Compatibility mode (RFC 2710 §4, RFC 2236 §3): a timer per group, "reset
 * to the new random value only if the requested Maximum Response Delay is
 * less than the remaining value of the running timer"; delays in [0, Max
 * Response Delay], zero meaning now. */
static void mcast_v1_schedule(struct mcast_table *t, struct mcast_group *g, uint32_t max_ms,
			      uint64_t now)
{
	if (!mcast_group_is_listening(g) || !mcast_is_reportable(t, g->addr))
		return;
	if (g->timer.is_armed) {
		uint64_t due = mcast_due_ns(&g->timer);
		if (due <= now || due - now <= max_ms * DUET_NS_PER_MS)
			return;
	}
	mcast_arm(t, &g->timer, now + mcast_delay_ns(t, max_ms, true));
}

static void mcast_v1_query(struct mcast_table *t, struct mcast_iface *ifp,
			   const struct mcast_query *q, bool is_general, uint64_t now)
{
	uint32_t max_ms = mcast_query_max_ms(t, q);
	struct mcast_group *g;

	if (!is_general) {
		g = mcast_group_find(t, ifp->ifindex, q->group);
		if (g)
			mcast_v1_schedule(t, g, max_ms, now);
		return;
	}
	for (g = ifp->head; g; g = g->if_next)
		mcast_v1_schedule(t, g, max_ms, now);
}

static void mcast_query_count(struct mcast_table *t, const struct mcast_query *q, bool is_general)
{
	enum duet_counter c = DUET_CTR_MCAST_GROUP_QUERIES;

	if (is_general)
		c = DUET_CTR_MCAST_GENERAL_QUERIES;
	else if (q->version == t->newest && q->nsrc)
		c = DUET_CTR_MCAST_SOURCE_QUERIES;
	stack_count(t->stack, c);
}

int mcast_input_query(struct mcast_table *t, uint32_t ifindex, const struct mcast_query *q)
{
	struct mcast_iface *ifp;
	uint64_t now;
	bool is_general;

	if (ifindex < 1 || ifindex > t->max_ifindex || !q || q->version < 1 ||
	    q->version > t->newest || (q->nsrc && !q->sources))
		return -EINVAL;
	is_general = mcast_is_zero(t, q->group);
	if (!is_general && !mcast_is_multicast(t, q->group))
		return -EINVAL;
	ifp = &t->ifaces[ifindex];
	now = duet_stack_now(t->stack);
	mcast_query_count(t, q, is_general);
	mcast_query_learn(t, ifp, q, is_general);
	if (q->version < t->newest)
		mcast_compat_heard(t, ifp, q->version, is_general, now);
	if (ifp->version < t->newest)
		mcast_v1_query(t, ifp, q, is_general, now);
	else
		mcast_v2_query(t, ifp, q, is_general, now);
	return 0;
}

bool mcast_input_v1_report(struct mcast_table *t, uint32_t ifindex, const uint8_t *group)
{
	struct mcast_group *g;

	if (ifindex < 1 || ifindex > t->max_ifindex || t->ifaces[ifindex].version == t->newest)
		return false;
	g = mcast_group_find(t, ifindex, group);
	if (!g || g->is_v1_done_pending || !g->timer.is_armed)
		return false;
	/* RFC 2710 §4, RFC 2236 §3: stop the timer, send no Report for it. */
	duet_tw_cancel(&t->stack->timers, &g->timer);
	g->v1_reports = 0;
	stack_count(t->stack, DUET_CTR_MCAST_V1_SUPPRESSED);
	return true;
}

int mcast_iface_info(const struct mcast_table *t, uint32_t ifindex, struct mcast_iface_info *out)
{
	const struct mcast_iface *ifp;
	uint32_t i;

	if (ifindex < 1 || ifindex > t->max_ifindex)
		return -EINVAL;
	ifp = &t->ifaces[ifindex];
	*out = (struct mcast_iface_info){
		.version = ifp->version, .robustness = ifp->robustness,
		.query_interval_s = ifp->qi_s, .query_response_ms = ifp->qri_ms,
		.general_due_ns = ifp->gq_timer.is_armed ? mcast_due_ns(&ifp->gq_timer)
							 : DUET_TIME_NEVER,
		.report_due_ns = ifp->report_timer.is_armed ? mcast_due_ns(&ifp->report_timer)
							    : DUET_TIME_NEVER,
		.compat_until_ns = DUET_TIME_NEVER,
	};
	for (i = 0; i < 2; i++) {
		uint64_t until = mcast_due_ns(&ifp->compat_timer[i]);
		if (ifp->compat_timer[i].is_armed &&
		    (out->compat_until_ns == DUET_TIME_NEVER || until > out->compat_until_ns))
			out->compat_until_ns = until;
	}
	return 0;
}
