/* duet — TCP input (RFC 9293 §3.10.7): checks (checksum, header,
 * addresses), the connection lookup (4-tuple hash, then listeners), the
 * LISTEN and SYN-SENT cases, SYN cookies when the SYN queue is full, and
 * for synchronized states in order: PAWS (RFC 7323 §5), the window test,
 * RST and SYN with RFC 5961's challenge ACKs, the ACK (RFC 5961 §5 range,
 * RTT, congestion control, SACK scoreboard, fast recovery), the window
 * update, data into the receive ring (out of order in place, bounded),
 * and the FIN. ICMP errors: path MTU and hard errors (RFC 5927 checks). */
#include "transport/tcp_internal.h"

#include "net/ip4.h"
#include "net/ip6.h"
#include "net/net.h"

#include <duet/byteorder.h>
#include <duet/clock.h>
#include <duet/csum.h>
#include <duet/cursor.h>
#include <duet/wire/icmp4.h>
#include <duet/wire/icmp6.h>

#include <errno.h>

/* --- SYN cookies ------------------------------------------------------- */

/* MSS values a cookie can carry (3 bits), as Linux's msstab plus jumbo. */
static const uint16_t tcp_cookie_mss[8] = { 536, 1200, 1220, 1360, 1440, 1460, 4312, 8960 };

/* The cookie: bits 31-27 a 64-second counter, 26-24 the MSS index,
 * 23-0 a keyed hash of them, the 4-tuple and the peer's ISN. */
static uint32_t tcp_cookie_make(struct duet_stack *stack, const struct tcp_seg *sg, uint32_t t,
				uint32_t mss_idx, uint32_t peer_isn)
{
	uint8_t key[48];
	uint32_t h;

	memcpy(key, sg->src, 16);
	memcpy(key + 16, sg->dst, 16);
	memcpy(key + 32, &sg->h.src_port, 2);
	memcpy(key + 34, &sg->h.dst_port, 2);
	memcpy(key + 36, &t, 4);
	memcpy(key + 40, &mss_idx, 4);
	memcpy(key + 44, &peer_isn, 4);
	h = (uint32_t)duet_stack_keyed_hash(stack, key, sizeof(key));
	return (t & 31u) << 27 | (mss_idx & 7u) << 24 | (h & 0xffffffu);
}

static uint32_t tcp_cookie_clock(struct duet_stack *stack)
{
	return (uint32_t)(duet_stack_now(stack) / 64000000000ull);
}

/* Is ack - 1 a cookie we sent in the last two minutes? Its MSS to mss. */
static bool tcp_cookie_check(struct duet_stack *stack, const struct tcp_seg *sg, uint16_t *mss)
{
	uint32_t cookie = sg->h.ack - 1, now = tcp_cookie_clock(stack), i;

	for (i = 0; i < 2; i++) {
		uint32_t t = now - i;
		uint32_t idx = (cookie >> 24) & 7u;
		if (((cookie >> 27) & 31u) != (t & 31u))
			continue;
		if (tcp_cookie_make(stack, sg, t, idx, sg->h.seq - 1) == cookie) {
			*mss = tcp_cookie_mss[idx];
			return true;
		}
	}
	return false;
}

/* --- helpers ------------------------------------------------------------- */

/* Takes the options of a SYN (RFC 7323 §2.2, §3.2; RFC 2018 §2). */
static void tcp_syn_options(struct tcp_sock *tp, const struct tcp_seg *sg)
{
	const struct tcp_knobs *k = &tcp_state_of(tp->sk.stack)->k;

	tp->peer_mss = sg->h.has_mss && sg->h.mss ? sg->h.mss : 536;
	tp->is_ws = k->window_scaling && sg->h.has_wscale;
	tp->snd_wscale = tp->is_ws ? (sg->h.wscale > 14 ? 14 : sg->h.wscale) : 0;
	if (!tp->is_ws)
		tp->rcv_wscale = 0;
	tp->is_ts = k->timestamps && sg->h.has_timestamps;
	if (tp->is_ts) {
		tp->ts_recent = sg->h.ts_val;
		tp->ts_recent_ns = duet_stack_now(tp->sk.stack);
	}
	tp->is_sack = k->sack && sg->h.has_sack_permitted;
}

/* what IPV6_PKTOPTIONS will report; kept only while a receive
 * switch is on, as Linux keeps the segment only then (np->rxopt.all). */
static void tcp_record_pktopts(struct tcp_sock *tp, const struct tcp_seg *sg)
{
	if (!tp->sk.rxopt)
		return;
	tp->last_hlim = sg->hops;
	tp->last_tclass = sg->tclass;
	tp->last_ifindex = sg->ifindex;
	tp->last_flow = sg->flow;
	memcpy(tp->last_dst, sg->dst, 16);
}

/* The handshake is over with its SYN (or SYN-ACK) retransmitted, so no
 * RTT was measured (Karn): RFC 6298 §5.7 wants an RTO of at least 3 s
 * once data transmission begins (Linux's TCP_TIMEOUT_FALLBACK). */
static void tcp_rto_after_syn_rexmit(struct tcp_sock *tp)
{
	if (!tp->srtt_us && tp->rto_us < 3000000u)
		tp->rto_us = 3000000u;
}

/* A challenge ACK (RFC 5961 §3.2, §4.2, §5.2), rate limited (§7). */
static void tcp_challenge(struct tcp_sock *tp)
{
	if (tcp_state_of(tp->sk.stack)->k.rfc5961 && !tcp_challenge_ok(tp))
		return;
	tcp_send_ack(tp);
}

/* Sets up the sequence space of a new passive connection and sends the
 * SYN-ACK. */
static void tcp_passive_start(struct tcp_sock *tp, const struct tcp_seg *sg)
{
	struct sock *s = &tp->sk;

	tp->irs = sg->h.seq;
	tp->rcv_nxt = tp->rcv_adv = tp->last_ack_sent = sg->h.seq + 1;
	tp->iss = tcp_isn(s->stack, s->laddr, s->lport, s->faddr, s->fport);
	tp->snd_una = tp->iss;
	tp->snd_base = tp->iss + 1;
	tp->ts_offset = (uint32_t)duet_stack_keyed_hash(s->stack, &tp->iss, sizeof(tp->iss));
	tp->rcvq.max = s->rcvbuf;
	tp->rcv_wscale = tcp_wscale_for(s->rcvbuf);
	tcp_syn_options(tp, sg);
	tp->snd_wnd = sg->h.window; /* never scaled in a SYN (RFC 7323 §2.2) */
	tp->snd_wl1 = sg->h.seq;
	tp->snd_wl2 = 0;
	tp->mss = tcp_path_mss(tp);
	{
		bool ts = tp->is_ts;
		tp->is_ts = false;
		tp->advmss = tcp_path_mss(tp); /* what fits our MTU, options aside */
		tp->is_ts = ts;
	}
	tcp_cc_init(tp);
	tp->last_rcv_ns = duet_stack_now(s->stack);
	tcp_record_pktopts(tp, sg);
	tp->recover = tp->iss;
	tp->rtt_start_ns = duet_stack_now(s->stack);
	tp->snd_nxt = tp->snd_max = tp->iss; /* the first SYN-ACK is no retransmission */
	tcp_send_ctl(tp, tp->iss, DUET_TCP_SYN);
	tp->snd_nxt = tp->snd_max = tp->iss + 1;
	tcp_rearm_rexmt(tp);
}

/* --- LISTEN (§3.10.7.2) ------------------------------------------------ */

static void tcp_listen_input(struct tcp_sock *lp, const struct tcp_seg *sg)
{
	struct duet_stack *stack = lp->sk.stack;
	struct tcp_state *ts = tcp_state_of(stack);
	struct tcp_sock *tp;
	uint16_t mss;

	if (sg->h.flags & DUET_TCP_RST)
		return;
	if (sg->h.flags & DUET_TCP_ACK) {
		/* The third segment of a handshake we kept no state for? */
		if (!(sg->h.flags & DUET_TCP_SYN) && ts->k.syncookies &&
		    tcp_cookie_check(stack, sg, &mss)) {
			if (lp->n_acceptq > lp->backlog) {
				stack_count(stack, DUET_CTR_TCP_LISTEN_OVERFLOWS);
				return;
			}
			tp = tcp_child_new(lp, sg);
			if (!tp)
				return;
			tp->is_cookie = true;
			tp->irs = sg->h.seq - 1;
			tp->rcv_nxt = tp->last_ack_sent = sg->h.seq;
			tp->iss = sg->h.ack - 1;
			tp->snd_una = tp->snd_nxt = tp->snd_max = tp->snd_base = sg->h.ack;
			tp->ts_offset = (uint32_t)duet_stack_keyed_hash(stack, &tp->iss, sizeof(tp->iss));
			tp->rcvq.max = tp->sk.rcvbuf < 65535u ? tp->sk.rcvbuf : 65535u;
			tp->rcv_adv = tp->rcv_nxt + tp->rcvq.max;
			tp->peer_mss = mss;
			tp->snd_wnd = sg->h.window;
			tp->max_snd_wnd = tp->snd_wnd;
			tp->snd_wl1 = sg->h.seq;
			tp->snd_wl2 = sg->h.ack;
			tp->mss = tcp_path_mss(tp);
			tp->advmss = tp->mss;
			tcp_cc_init(tp);
			tp->last_rcv_ns = duet_stack_now(stack);
			stack_count(stack, DUET_CTR_TCP_SYNCOOKIES_RECV);
			stack_count(stack, DUET_CTR_TCP_PASSIVE_OPENS);
			tcp_set_state(tp, TCPS_ESTABLISHED);
			tcp_child_ready(tp);
			tcp_arm_keepalive(tp);
			if (sg->len || (sg->h.flags & DUET_TCP_FIN))
				tcp_established_input(tp, sg); /* the data the ACK carried */
			return;
		}
		if (!(sg->h.flags & DUET_TCP_SYN) && ts->k.syncookies)
			stack_count(stack, DUET_CTR_TCP_SYNCOOKIES_FAILED);
		tcp_send_reset_for(stack, sg);
		return;
	}
	if (!(sg->h.flags & DUET_TCP_SYN))
		return;
	if (lp->n_acceptq > lp->backlog) {
		/* Linux drops the SYN while the accept queue is full: the
		 * client retries once the application catches up. */
		stack_count(stack, DUET_CTR_TCP_LISTEN_OVERFLOWS);
		return;
	}
	if (lp->n_synq >= ts->k.max_syn_backlog || lp->n_synq > 2 * lp->backlog + 8) {
		uint32_t idx = 0, i, want = sg->h.has_mss ? sg->h.mss : 536;
		stack_count(stack, DUET_CTR_TCP_SYNQ_FULL);
		if (!ts->k.syncookies)
			return;
		for (i = 0; i < 8; i++)
			if (tcp_cookie_mss[i] <= want)
				idx = i;
		{
			/* Our own MTU bounds the MSS too. */
			uint32_t mtu = 1500;
			if (sg->is_v4 ? ip4_dst_mtu(stack, sg->src + 12, 0, &mtu)
				      : ip6_dst_mtu(stack, sg->src,
						    sock_addr_needs_zone(sg->src) ? sg->ifindex : 0, &mtu))
				mtu = 1280;
			while (idx && tcp_cookie_mss[idx] + (sg->is_v4 ? 40u : 60u) > mtu)
				idx--;
		}
		tcp_send_cookie_synack(stack, lp, sg,
				       tcp_cookie_make(stack, sg, tcp_cookie_clock(stack), idx, sg->h.seq),
				       tcp_cookie_mss[idx]);
		return;
	}
	tp = tcp_child_new(lp, sg);
	if (!tp)
		return;
	stack_count(stack, DUET_CTR_TCP_PASSIVE_OPENS);
	tcp_passive_start(tp, sg);
}

/* --- SYN-SENT (§3.10.7.3) ------------------------------------------------ */

static void tcp_syn_sent_input(struct tcp_sock *tp, const struct tcp_seg *sg)
{
	struct duet_stack *stack = tp->sk.stack;
	uint16_t fl = sg->h.flags;
	bool is_ack_ok = false;

	if (fl & DUET_TCP_ACK) {
		if (tcp_le(sg->h.ack, tp->iss) || tcp_gt(sg->h.ack, tp->snd_max)) {
			if (!(fl & DUET_TCP_RST))
				tcp_send_reset_for(stack, sg);
			return;
		}
		is_ack_ok = true;
	}
	if (fl & DUET_TCP_RST) {
		if (is_ack_ok) { /* RFC 5961 §3.2 allows no more for SYN-SENT */
			stack_count(stack, DUET_CTR_TCP_ATTEMPT_FAILS);
			tcp_done(tp, ECONNREFUSED);
		}
		return;
	}
	if (!(fl & DUET_TCP_SYN))
		return;
	tp->irs = sg->h.seq;
	tp->rcv_nxt = tp->rcv_adv = tp->last_ack_sent = sg->h.seq + 1;
	tp->rcvq.max = tp->sk.rcvbuf;
	tcp_syn_options(tp, sg);
	tp->mss = tcp_path_mss(tp);
	tcp_record_pktopts(tp, sg);
	tp->last_rcv_ns = duet_stack_now(stack);
	if (is_ack_ok) {
		if (tp->is_rtt_timing || tp->n_retries == 0) {
			tcp_rtt_sample(tp, (uint32_t)((duet_stack_now(stack) - tp->rtt_start_ns) / 1000u));
			tp->is_rtt_timing = false;
		} else {
			tcp_rto_after_syn_rexmit(tp);
		}
		tp->snd_una = sg->h.ack;
		tp->snd_wnd = sg->h.window; /* a SYN's window is never scaled */
		tp->max_snd_wnd = tp->snd_wnd;
		tp->snd_wl1 = sg->h.seq;
		tp->snd_wl2 = sg->h.ack;
		tp->backoff = 0;
		tp->n_retries = 0;
		tp->first_rexmit_ns = 0;
		tcp_cc_init(tp);
		tcp_set_state(tp, TCPS_ESTABLISHED);
		tcp_arm_keepalive(tp);
		tcp_rearm_rexmt(tp);
		tp->is_ack_now = true;
		tcp_output(tp);
		return;
	}
	/* Simultaneous open: SYN-RECEIVED, our SYN again with an ACK. */
	tp->snd_wnd = sg->h.window;
	tp->snd_wl1 = sg->h.seq;
	tp->state = TCPS_SYN_RECEIVED;
	tcp_send_ctl(tp, tp->iss, DUET_TCP_SYN);
}

/* --- synchronized states (§3.10.7.4) -------------------------------------- */

/* Takes out of v[0..n) every range overlapping or touching [*start,
 * *end), widening it to cover them; returns how many are left. */
static uint32_t tcp_range_absorb(struct tcp_range *v, uint32_t n, uint32_t *start, uint32_t *end)
{
	uint32_t i;

	for (i = 0; i < n;) {
		if (tcp_le(v[i].start, *end) && tcp_ge(v[i].end, *start)) {
			*start = tcp_min_seq(*start, v[i].start);
			*end = tcp_max_seq(*end, v[i].end);
			memmove(&v[i], &v[i + 1], (n - i - 1) * sizeof(*v));
			n--;
		} else {
			i++;
		}
	}
	return n;
}

/* Adds a received block to the scoreboard (sorted, merged, bounded). */
static void tcp_sack_add(struct tcp_sock *tp, uint32_t start, uint32_t end)
{
	struct tcp_range *v;
	uint32_t i, j, n = tp->n_sack;

	if (tcp_le(start, tp->snd_una))
		start = tp->snd_una;
	if (tcp_gt(end, tp->snd_max))
		end = tp->snd_max;
	if (!tcp_lt(start, end) || !tcp_ranges_get(tp))
		return; /* nothing new, or no memory: the block is SACKed again */
	v = tp->rg->sacked;
	n = tcp_range_absorb(v, n, &start, &end);
	for (i = 0; i < n && tcp_lt(v[i].start, start); i++)
		;
	if (n == TCP_SACK_MAX) {
		if (i == n) {
			tp->n_sack = (uint8_t)n;
			return; /* the highest would be lost: keep what we have */
		}
		n--; /* drop the highest range: it will be SACKed again */
	}
	for (j = n; j > i; j--)
		v[j] = v[j - 1];
	v[i].start = start;
	v[i].end = end;
	tp->n_sack = (uint8_t)(n + 1);
}

static void tcp_sack_trim(struct tcp_sock *tp)
{
	uint32_t i = 0, n = tp->n_sack;

	if (!n)
		return;
	while (i < n && tcp_le(tp->rg->sacked[i].end, tp->snd_una))
		i++;
	if (i) {
		memmove(tp->rg->sacked, tp->rg->sacked + i, (n - i) * sizeof(tp->rg->sacked[0]));
		n -= i;
	}
	if (n && tcp_lt(tp->rg->sacked[0].start, tp->snd_una))
		tp->rg->sacked[0].start = tp->snd_una;
	tp->n_sack = (uint8_t)n;
	tcp_ranges_put_if_empty(tp);
}

/* Our FIN's sequence number is acknowledged. */
static bool tcp_fin_acked(const struct tcp_sock *tp)
{
	return tp->is_fin_queued && tp->snd_una == tp->snd_base + tp->sndq.len + 1;
}

static void tcp_enter_time_wait(struct tcp_sock *tp)
{
	struct duet_stack *stack = tp->sk.stack;

	tp->state = TCPS_TIME_WAIT;
	duet_tw_cancel(&stack->timers, &tp->rexmt);
	tp->rexmt_at = 0;
	duet_tw_cancel(&stack->timers, &tp->delack);
	tp->delack_at = 0;
	tcp_arm_slow(tp, (uint64_t)tcp_state_of(stack)->k.time_wait_ms * 1000000ull);
	tcp_wake(tp);
}

/* Processes the ACK field. Returns false when the segment is to be
 * dropped (after any reply). */
static bool tcp_ack_input(struct tcp_sock *tp, const struct tcp_seg *sg)
{
	struct duet_stack *stack = tp->sk.stack;
	uint32_t ack = sg->h.ack, i, sacked_before;
	uint32_t wnd = (uint32_t)sg->h.window << tp->snd_wscale;

	if (tp->state == TCPS_SYN_RECEIVED) {
		if (tcp_le(ack, tp->snd_una) || tcp_gt(ack, tp->snd_max)) {
			tcp_send_reset_for(stack, sg);
			return false;
		}
		if (tp->listener && tp->listener->n_acceptq > tp->listener->backlog) {
			/* No room to queue it: the ACK is dropped and the
			 * connection stays half-open, its SYN-ACK sent again
			 * later (Linux with tcp_abort_on_overflow 0). */
			stack_count(stack, DUET_CTR_TCP_LISTEN_OVERFLOWS);
			return false;
		}
		tp->snd_wnd = wnd;
		tp->max_snd_wnd = wnd;
		tp->snd_wl1 = sg->h.seq;
		tp->snd_wl2 = ack;
		if (tp->n_retries == 0)
			tcp_rtt_sample(tp, (uint32_t)((duet_stack_now(stack) - tp->rtt_start_ns) / 1000u));
		else
			tcp_rto_after_syn_rexmit(tp);
		tp->snd_una = ack;
		tp->n_retries = 0;
		tp->backoff = 0;
		tp->first_rexmit_ns = 0;
		tcp_set_state(tp, TCPS_ESTABLISHED);
		if (tp->is_fin_queued)
			tp->state = TCPS_FIN_WAIT_1; /* closed in SYN-RECEIVED: the FIN goes now */
		tcp_child_ready(tp);
		tcp_arm_keepalive(tp);
		tcp_rearm_rexmt(tp);
	}
	/* RFC 5961 §5.2: only ACKs within what we sent and one window back. */
	if (tcp_gt(ack, tp->snd_max)) {
		stack_count(stack, DUET_CTR_DROP_TCP_BAD_ACK);
		tcp_challenge(tp);
		return false;
	}
	if (tcp_lt(ack, tp->snd_una - tp->max_snd_wnd) && tcp_state_of(stack)->k.rfc5961) {
		stack_count(stack, DUET_CTR_DROP_TCP_BAD_ACK);
		tcp_challenge(tp);
		return false;
	}
	tp->last_ack_recv_ns = duet_stack_now(stack);
	sacked_before = tp->is_sack ? tcp_sacked_bytes(tp) : 0;
	if (tp->is_sack)
		for (i = 0; i < sg->h.sack_count; i++)
			if (tcp_lt(sg->h.sack[i].left_edge, sg->h.sack[i].right_edge) &&
			    tcp_gt(sg->h.sack[i].right_edge, ack))
				tcp_sack_add(tp, sg->h.sack[i].left_edge, sg->h.sack[i].right_edge);

	if (tcp_gt(ack, tp->snd_una)) {
		uint32_t acked = ack - tp->snd_una;
		uint32_t data_end = tp->snd_base + tp->sndq.len;
		uint32_t upto = tcp_lt(ack, data_end) ? ack : data_end;

		if (tp->is_rtt_timing && tcp_gt(ack, tp->rtt_seq)) {
			tcp_rtt_sample(tp, (uint32_t)((duet_stack_now(stack) - tp->rtt_start_ns) / 1000u));
			tp->is_rtt_timing = false;
		}
		if (tcp_gt(upto, tp->snd_base)) {
			tcp_ring_consume(&tp->sndq, upto - tp->snd_base);
			if (!tp->sndq.len) /* all acknowledged: no buffer while idle */
				tcp_ring_idle(tp, &tp->sndq);
			tp->snd_base = upto;
		}
		tp->snd_una = ack;
		if (tcp_lt(tp->snd_nxt, ack))
			tp->snd_nxt = ack;
		tcp_sack_trim(tp);
		tp->backoff = 0;
		tp->n_retries = 0;
		tp->first_rexmit_ns = 0;
		tp->soft_error = 0;
		if (tp->is_in_recovery) {
			if (tcp_ge(ack, tp->recover)) {
				tp->is_in_recovery = false;
				tcp_cc_on_recovery_end(tp);
			} else if (!tp->is_sack || !tp->n_sack) {
				/* RFC 6582 §3.2 (5): without SACK a partial ACK
				 * retransmits the next hole at once. With SACK the
				 * scoreboard tells what is lost (RFC 6675): an ACK
				 * leaving nothing SACKed above it shows no hole, only
				 * data still on its way (reordering, an ACK burst). */
				uint32_t smss = tcp_send_mss(tp);
				uint32_t n = tp->snd_max - ack < smss ? tp->snd_max - ack : smss;
				uint32_t de = tp->snd_base + tp->sndq.len;
				if (tcp_gt(ack + n, de))
					n = de - ack;
				if (n && !tp->is_sack) {
					tcp_xmit_data(tp, ack, n);
					tp->rxt_next = ack + n;
				}
				/* ... and deflates the window by the amount newly
				 * acknowledged, adding back one SMSS: the inflation
				 * the duplicate ACKs gave stays, less the segments
				 * this ACK covered (else the ACK clock stops). */
				{
					uint32_t d = (uint32_t)tp->dupacks + 1u, a = acked / tp->mss;
					d = d > a ? d - a : 0;
					tp->dupacks = (uint8_t)(d < 255u ? d : 255u);
				}
			}
		} else {
			tcp_cc_on_ack(tp, acked);
		}
		tp->dupacks = tp->is_in_recovery ? tp->dupacks : 0;
		tcp_rearm_rexmt(tp);
		tcp_wake(tp); /* room to write */
	} else if (ack == tp->snd_una && !sg->len && !(sg->h.flags & DUET_TCP_FIN) &&
		   tp->snd_max != tp->snd_una && wnd == tp->snd_wnd && wnd &&
		   (!tp->is_sack || tcp_sacked_bytes(tp) > sacked_before)) {
		/* A duplicate ACK (RFC 5681 §2; with SACK, RFC 6675 §2: only
		 * one that SACKs data not SACKed before, so the ACKs a
		 * receiver sends for old or spoofed out-of-window segments
		 * start no recovery); not with a zero window, whose ACKs
		 * answer our probes and tell of no loss. */
		if (tp->dupacks < 255)
			tp->dupacks++;
		if (!tp->is_in_recovery &&
		    (tp->dupacks == 3 || (tp->is_sack && tcp_sacked_bytes(tp) > 3u * tp->mss)) &&
		    tcp_ge(ack, tp->recover)) {
			/* Fast retransmit and recovery (RFC 6675 §5, RFC 6582
			 * §3.2: not for losses of the window a timeout resent). */
			uint32_t de = tp->snd_base + tp->sndq.len;
			uint32_t n = tp->snd_max - tp->snd_una;
			stack_count(stack, DUET_CTR_TCP_FAST_RETRANS);
			tp->is_in_recovery = true;
			tp->recover = tp->snd_max;
			tcp_cc_on_loss(tp);
			if (n > tcp_send_mss(tp))
				n = tcp_send_mss(tp);
			if (tcp_gt(tp->snd_una + n, de))
				n = de - tp->snd_una;
			if (n) /* the first hole goes at once, whatever the pipe */
				tcp_xmit_data(tp, tp->snd_una, n);
			tp->rxt_next = tp->snd_una + n;
		}
	}
	/* The send window (§3.10.7.4, "If SND.UNA =< SEG.ACK =< SND.NXT"). */
	if (tcp_lt(tp->snd_wl1, sg->h.seq) ||
	    (tp->snd_wl1 == sg->h.seq && tcp_le(tp->snd_wl2, ack))) {
		if (!tp->snd_wnd && wnd && tcp_gt(tp->snd_nxt, tp->snd_una) && !tp->is_in_recovery)
			/* The window reopens: what went out while it was shut
			 * (zero-window probes) was not taken; it goes again
			 * with what follows, now, not at the next timeout
			 * (in flight it would hold the window of one segment
			 * a timeout leaves). */
			tp->snd_nxt = tp->snd_una;
		if (!tp->snd_wnd && wnd && tp->backoff) {
			/* The probes were answered: their backoff measured the
			 * closed window, not the path; the data now sent times
			 * out after one RTO again (as Linux's tcp_ack_probe). */
			tp->snd_wnd = wnd;
			tp->backoff = 0;
			tp->n_retries = 0;
			tcp_rearm_rexmt(tp);
		}
		tp->snd_wnd = wnd;
		if (wnd > tp->max_snd_wnd)
			tp->max_snd_wnd = wnd;
		tp->snd_wl1 = sg->h.seq;
		tp->snd_wl2 = ack;
	}
	switch (tp->state) {
	case TCPS_FIN_WAIT_1:
		if (tcp_fin_acked(tp)) {
			tp->state = TCPS_FIN_WAIT_2;
			if (tp->is_orphan)
				tcp_arm_slow(tp, (uint64_t)(tp->linger2_s > 0
								    ? (uint32_t)tp->linger2_s * 1000u
								    : tcp_state_of(stack)->k.fin_timeout_ms) *
							 1000000ull);
			tcp_wake(tp);
		}
		break;
	case TCPS_CLOSING:
		if (tcp_fin_acked(tp))
			tcp_enter_time_wait(tp);
		break;
	case TCPS_LAST_ACK:
		if (tcp_fin_acked(tp)) {
			tcp_done(tp, 0);
			return false;
		}
		break;
	default:
		break;
	}
	return true;
}

/* Out-of-order bytes [seq, seq+len) kept in place; the range list gains
 * or grows a range, the newest first (RFC 2018 §4). */
static bool tcp_ooo_add(struct tcp_sock *tp, uint32_t seq, uint32_t len)
{
	uint32_t start = seq, end = seq + len, n = tp->n_ooo;
	struct tcp_range *v;

	if (!tcp_ranges_get(tp))
		return false;
	v = tp->rg->ooo;
	n = tcp_range_absorb(v, n, &start, &end);
	memmove(&v[1], &v[0], n * sizeof(*v));
	v[0].start = start;
	v[0].end = end;
	tp->n_ooo = (uint8_t)(n + 1);
	return true;
}

/* rcv_nxt moved: ranges it reached are in order now. */
static void tcp_ooo_advance(struct tcp_sock *tp)
{
	bool is_moved = tp->n_ooo != 0;

	while (is_moved) {
		uint32_t i;
		is_moved = false;
		for (i = 0; i < tp->n_ooo; i++) {
			struct tcp_range *r = &tp->rg->ooo[i];
			if (tcp_le(r->start, tp->rcv_nxt)) {
				if (tcp_gt(r->end, tp->rcv_nxt)) {
					tp->rcvq.len += r->end - tp->rcv_nxt;
					tp->rcv_nxt = r->end;
				}
				memmove(r, r + 1, (tp->n_ooo - i - 1) * sizeof(*r));
				tp->n_ooo--;
				is_moved = true;
				break;
			}
		}
	}
	tcp_ranges_put_if_empty(tp);
}

/* Data of an acceptable segment, trimmed to the window already. */
static void tcp_data_input(struct tcp_sock *tp, uint32_t seq, const uint8_t *data, uint32_t len)
{
	struct duet_stack *stack = tp->sk.stack;
	uint32_t off, had_ooo = tp->n_ooo;

	if (tcp_lt(seq, tp->rcv_nxt)) { /* an old part (the window test let it in) */
		uint32_t skip = tp->rcv_nxt - seq;
		if (skip >= len) {
			tp->is_ack_now = true;
			return;
		}
		seq += skip, data += skip, len -= skip;
	}
	off = tp->rcvq.len + (seq - tp->rcv_nxt);
	if (off + len > tp->rcvq.max)
		len = off < tp->rcvq.max ? tp->rcvq.max - off : 0;
	if (!len || tcp_ring_reserve(&tp->rcvq, off + len, &tcp_state_of(stack)->rings) != 0) {
		stack_count(stack, DUET_CTR_DROP_TCP_RCVBUF);
		tp->is_ack_now = true;
		return;
	}
	if (seq != tp->rcv_nxt) {
		if (tp->n_ooo >= TCP_OOO_MAX) {
			/* Still keep it if it joins a range we have. */
			uint32_t i;
			bool joins = false;
			for (i = 0; i < tp->n_ooo; i++)
				if (tcp_le(tp->rg->ooo[i].start, seq + len) && tcp_ge(tp->rg->ooo[i].end, seq))
					joins = true;
			if (!joins) {
				stack_count(stack, DUET_CTR_DROP_TCP_OOO_FULL);
				tp->is_ack_now = true;
				return;
			}
		}
		tcp_ring_write(&tp->rcvq, off, data, len);
		if (!tcp_ooo_add(tp, seq, len)) {
			stack_count(stack, DUET_CTR_DROP_TCP_OOO_FULL); /* no memory for ranges */
			tp->is_ack_now = true;
			return;
		}
		stack_count(stack, DUET_CTR_TCP_OOO_QUEUED);
		tp->is_ack_now = true; /* a duplicate ACK with SACK at once (RFC 5681 §4.2) */
		return;
	}
	tcp_ring_write(&tp->rcvq, off, data, len);
	tp->rcvq.len += len;
	tp->rcv_nxt += len;
	if (had_ooo) {
		tcp_ooo_advance(tp);
		tp->is_ack_now = true; /* a hole filled: tell at once */
	}
	tp->last_data_recv_ns = duet_stack_now(stack);
	tcp_wake(tp);
	/* Delayed ACK (RFC 9293 §3.8.6.3): every second full segment, or
	 * within delack_ms. */
	if (++tp->n_delack >= 2 || tp->is_quickack)
		tp->is_ack_now = true;
	else if (!tp->delack_at) {
		/* As the retransmission timer: a deadline, and the wheel only
		 * when the timer is not armed early enough already (an ACK
		 * sent clears the deadline, not the timer). */
		tp->delack_at = duet_stack_now(stack) +
				(uint64_t)tcp_state_of(stack)->k.delack_ms * 1000000ull;
		if (!tp->delack.is_armed || tp->delack.expires_tick * DUET_TW_TICK_NS > tp->delack_at)
			duet_tw_arm(&stack->timers, &tp->delack, tp->delack_at);
	}
}

static void tcp_fin_input(struct tcp_sock *tp)
{
	tp->rcv_nxt++;
	tp->is_fin_rcvd = true;
	tp->is_ack_now = true;
	switch (tp->state) {
	case TCPS_SYN_RECEIVED:
	case TCPS_ESTABLISHED:
		tp->state = TCPS_CLOSE_WAIT;
		break;
	case TCPS_FIN_WAIT_1:
		if (tcp_fin_acked(tp))
			tcp_enter_time_wait(tp);
		else
			tp->state = TCPS_CLOSING;
		break;
	case TCPS_FIN_WAIT_2:
		tcp_enter_time_wait(tp);
		break;
	default:
		break;
	}
	tcp_wake(tp);
}

void tcp_established_input(struct tcp_sock *tp, const struct tcp_seg *sg)
{
	struct duet_stack *stack = tp->sk.stack;
	const struct duet_tcp_hdr *h = &sg->h;
	uint32_t seq = h->seq, len = sg->len;
	uint32_t wnd = tp->rcv_adv - tp->rcv_nxt;
	const uint8_t *data = sg->data;
	bool is_fin = (h->flags & DUET_TCP_FIN) != 0, ok;

	if (tcp_lt(tp->rcv_adv, tp->rcv_nxt))
		wnd = 0;
	tp->last_rcv_ns = duet_stack_now(stack);
	tp->n_keep_probes = 0;

	/* PAWS (RFC 7323 §5.3): an older timestamp than the last one kept. */
	if (tp->is_ts && h->has_timestamps && !(h->flags & DUET_TCP_RST) &&
	    tcp_lt(h->ts_val, tp->ts_recent) &&
	    duet_stack_now(stack) - tp->ts_recent_ns < 24ull * 86400 * 1000000000ull) {
		stack_count(stack, DUET_CTR_DROP_TCP_PAWS);
		tcp_send_ack(tp);
		return;
	}

	/* SYN-RECEIVED and the peer's SYN again (SEG.SEQ = IRS, just left of
	 * the window, which would only draw an ACK): a retransmitted SYN gets
	 * our SYN-ACK again, its first having been lost; in a simultaneous
	 * open the peer's SYN-ACK of our SYN completes the handshake (RFC 9293
	 * §3.5 Figure 8 line 6; Linux's tcp_validate_incoming lets it pass). */
	if (tp->state == TCPS_SYN_RECEIVED && (h->flags & DUET_TCP_SYN) && seq == tp->irs &&
	    !(h->flags & DUET_TCP_RST) && !len && !is_fin) {
		struct tcp_seg ack;
		if (!(h->flags & DUET_TCP_ACK)) {
			tcp_send_ctl(tp, tp->iss, DUET_TCP_SYN);
			if (tp->n_retries < 255)
				tp->n_retries++; /* a retransmission: no RTT sample (Karn) */
			return;
		}
		if (h->ack == tp->snd_nxt) {
			ack = *sg;
			ack.h.flags &= (uint16_t)~DUET_TCP_SYN;
			ack.h.seq = tp->irs + 1;
			tcp_established_input(tp, &ack);
			return;
		}
	}

	/* The window test (§3.10.7.4 first), as Linux's tcp_sequence: from
	 * the left edge last acknowledged to the right edge offered, both
	 * ends in (a zero-window probe, an ACK sent at the edge pass; old
	 * data is acknowledged again below). */
	ok = !tcp_lt(seq + len, tp->last_ack_sent) && !tcp_gt(seq, tp->rcv_nxt + wnd);
	if (!ok) {
		uint64_t now = duet_stack_now(stack);
		if (h->flags & DUET_TCP_RST) {
			stack_count(stack, DUET_CTR_TCP_RST_IGNORED);
			return;
		}
		stack_count(stack, DUET_CTR_DROP_TCP_OUT_OF_WINDOW);
		if (tp->state == TCPS_TIME_WAIT && is_fin && seq + len == tp->rcv_nxt - 1) {
			/* The peer's FIN again: our last ACK was lost. */
			tcp_arm_slow(tp, (uint64_t)tcp_state_of(stack)->k.time_wait_ms * 1000000ull);
		}
		/* An ACK answers it; one answering a bare ACK or a SYN at most
		 * once per half second (Linux's tcp_oow_rate_limited): two
		 * ends that each find the other's ACK unacceptable must not
		 * trade them for ever. Data never loops so. */
		if ((len || is_fin) && !(h->flags & DUET_TCP_SYN)) {
			tcp_send_ack(tp);
		} else if (!tp->last_oow_ack_ns ||
			   now - tp->last_oow_ack_ns >=
				   (uint64_t)tcp_state_of(stack)->k.invalid_ratelimit_ms * 1000000ull) {
			tp->last_oow_ack_ns = now;
			tcp_send_ack(tp);
		}
		return;
	}
	/* Trim to the window; what is cut off (all of a zero-window probe)
	 * is acknowledged at once, so the sender learns the window
	 * (RFC 9293 §3.8.6.1, §3.10.7.4). */
	if (len && tcp_gt(seq + len, tp->rcv_nxt + wnd)) {
		len = tcp_gt(tp->rcv_nxt + wnd, seq) ? tp->rcv_nxt + wnd - seq : 0;
		is_fin = false;
		tp->is_ack_now = true;
	}

	/* RST (§3.10.7.4 second, RFC 5961 §3.2). */
	if (h->flags & DUET_TCP_RST) {
		if (seq != tp->rcv_nxt && tcp_state_of(stack)->k.rfc5961) {
			tcp_challenge(tp);
			return;
		}
		if (tp->state == TCPS_SYN_RECEIVED && tp->listener) {
			tcp_done(tp, 0); /* back to LISTEN: the child goes */
			return;
		}
		if (tp->state == TCPS_ESTABLISHED || tp->state == TCPS_CLOSE_WAIT ||
		    tp->state == TCPS_FIN_WAIT_1 || tp->state == TCPS_FIN_WAIT_2)
			stack_count(stack, DUET_CTR_TCP_ESTAB_RESETS);
		if (tp->state == TCPS_SYN_RECEIVED)
			stack_count(stack, DUET_CTR_TCP_ATTEMPT_FAILS);
		switch (tp->state) {
		case TCPS_CLOSING:
		case TCPS_LAST_ACK:
		case TCPS_TIME_WAIT:
			tcp_done(tp, 0);
			break;
		case TCPS_SYN_RECEIVED:
			tcp_done(tp, ECONNREFUSED);
			break;
		case TCPS_CLOSE_WAIT:
			tcp_done(tp, EPIPE); /* as Linux's tcp_reset: the FIN told the end */
			break;
		default:
			tcp_done(tp, ECONNRESET);
			break;
		}
		return;
	}
	/* SYN (fourth, RFC 5961 §4). */
	if (h->flags & DUET_TCP_SYN) {
		tcp_challenge(tp);
		return;
	}
	if (!(h->flags & DUET_TCP_ACK))
		return;
	/* RFC 7323 §4.3: keep the timestamp of the segment at the left edge. */
	if (tp->is_ts && h->has_timestamps && tcp_le(seq, tp->last_ack_sent) &&
	    tcp_ge(h->ts_val, tp->ts_recent)) {
		tp->ts_recent = h->ts_val;
		tp->ts_recent_ns = duet_stack_now(stack);
	}
	if (!tcp_ack_input(tp, sg))
		return;
	if (tp->state == TCPS_CLOSED)
		return;
	tcp_record_pktopts(tp, sg);

	/* Data (seventh). */
	if (len) {
		switch (tp->state) {
		case TCPS_ESTABLISHED:
		case TCPS_FIN_WAIT_1:
		case TCPS_FIN_WAIT_2:
			if ((tp->is_orphan || tp->sk.is_shut_rd) && tp->state != TCPS_ESTABLISHED) {
				/* Closing, and nobody will read it: Linux resets
				 * (TCPAbortOnData; RFC 1122 §4.2.2.13). SHUT_RD alone
				 * in ESTABLISHED still queues, as Linux. */
				if (tcp_gt(seq + len, tp->rcv_nxt)) {
					stack_count(stack, DUET_CTR_TCP_ABORT_ON_CLOSE);
					tcp_send_reset(tp);
					tcp_done(tp, 0);
					return;
				}
				break;
			}
			tcp_data_input(tp, seq, data, len);
			break;
		default:
			break; /* after the peer's FIN: ignored */
		}
	}
	/* FIN (eighth), in order only: one above data not yet here is
	 * dropped, and the peer sends it again. */
	if (is_fin && seq + len == tp->rcv_nxt && tp->state != TCPS_TIME_WAIT &&
	    tp->state != TCPS_CLOSE_WAIT && tp->state != TCPS_CLOSING && tp->state != TCPS_LAST_ACK)
		tcp_fin_input(tp);
	else if (is_fin && tp->state == TCPS_TIME_WAIT)
		tp->is_ack_now = true;
	else if (is_fin && tcp_gt(seq + len, tp->rcv_nxt))
		tp->is_ack_now = true;
	tcp_output(tp);
}

/* --- demultiplexing ------------------------------------------------------- */

static void tcp_input(struct duet_stack *stack, struct duet_pkt *pkt, struct tcp_seg *sg,
		      uint32_t pseudo)
{
	struct duet_cur c;
	const uint8_t *seg = duet_pkt_data(pkt);
	struct tcp_sock *tp;

	duet_cur_init(&c, seg, pkt->len);
	if (duet_tcp_parse(&c, &sg->h) != 0) {
		stack_drop(stack, pkt, DUET_CTR_DROP_TCP_MALFORMED);
		return;
	}
	if (!duet_tcp_csum_ok(seg, pkt->len, pseudo)) {
		stack_drop(stack, pkt, DUET_CTR_DROP_TCP_BAD_CHECKSUM);
		return;
	}
	stack_count(stack, DUET_CTR_TCP_IN_SEGS);
	sg->data = seg + (size_t)sg->h.data_offset * 4;
	sg->len = pkt->len - (uint32_t)sg->h.data_offset * 4;

	tp = tcp_ehash_find(stack, sg->dst, sg->h.dst_port, sg->src, sg->h.src_port);
	if (tp && tp->state == TCPS_TIME_WAIT && (sg->h.flags & DUET_TCP_SYN) &&
	    !(sg->h.flags & (DUET_TCP_ACK | DUET_TCP_RST)) &&
	    !(tp->is_ts && sg->h.has_timestamps && tcp_lt(sg->h.ts_val, tp->ts_recent)) &&
	    (tcp_gt(sg->h.seq, tp->rcv_nxt) ||
	     (tp->is_ts && sg->h.has_timestamps && tcp_gt(sg->h.ts_val, tp->ts_recent)))) {
		/* RFC 6191 / RFC 1122 §4.2.2.13: a new incarnation may take
		 * over a connection in TIME-WAIT, unless its timestamp fails
		 * PAWS (an old duplicate SYN; Linux checks paws_reject too). */
		tcp_done(tp, 0);
		tp = NULL;
	}
	if (!tp) {
		struct tcp_sock *lp = tcp_listener_find(stack, sg->dst, sg->h.dst_port, sg->is_v4,
							 sg->ifindex);
		if (lp)
			tcp_listen_input(lp, sg);
		else {
			stack_count(stack, DUET_CTR_TCP_NO_SOCKET);
			tcp_send_reset_for(stack, sg);
		}
	} else if (tp->state == TCPS_SYN_SENT) {
		tcp_syn_sent_input(tp, sg);
	} else {
		tcp_established_input(tp, sg);
	}
	duet_pkt_free(pkt);
}

void tcp6_input(struct duet_stack *stack, struct duet_pkt *pkt, const struct ip6_rx_info *info)
{
	struct tcp_seg sg;

	if (info->is_multicast_dst) {
		stack_drop(stack, pkt, DUET_CTR_DROP_TCP_MALFORMED);
		return;
	}
	memcpy(sg.src, info->src, 16);
	memcpy(sg.dst, info->dst, 16);
	sg.ifindex = info->ifindex;
	sg.hops = info->hop_limit;
	sg.tclass = info->tclass;
	sg.flow = info->flow_label;
	sg.is_v4 = false;
	tcp_input(stack, pkt, &sg, duet_csum_pseudo6(info->src, info->dst, pkt->len, IPPROTO_TCP));
}

void tcp4_input(struct duet_stack *stack, struct duet_pkt *pkt, const struct ip4_rx_info *info)
{
	struct tcp_seg sg;

	if (info->is_multicast_dst || info->is_broadcast_dst) {
		stack_drop(stack, pkt, DUET_CTR_DROP_TCP_MALFORMED);
		return;
	}
	sock_addr_map4(sg.src, info->src);
	sock_addr_map4(sg.dst, info->dst);
	sg.ifindex = info->ifindex;
	sg.hops = info->ttl;
	sg.tclass = info->tos;
	sg.flow = 0;
	sg.is_v4 = true;
	tcp_input(stack, pkt, &sg,
		  duet_csum_pseudo4(info->src, info->dst, (uint16_t)pkt->len, IPPROTO_TCP));
}

/* --- ICMP errors ---------------------------------------------------------- */

void tcp_err(struct duet_stack *stack, const struct net_icmp_err *e)
{
	uint8_t src[16], dst[16];
	struct tcp_sock *tp;
	uint32_t seq;
	bool is_pmtu;

	if (e->l4_len < 8) {
		stack_count(stack, DUET_CTR_TCP_ICMP_IGNORED);
		return;
	}
	if (e->family == AF_INET) {
		sock_addr_map4(src, e->src);
		sock_addr_map4(dst, e->dst);
	} else {
		memcpy(src, e->src, 16);
		memcpy(dst, e->dst, 16);
	}
	tp = tcp_ehash_find(stack, src, duet_get_be16(e->l4), dst, duet_get_be16(e->l4 + 2));
	seq = duet_get_be32(e->l4 + 4);
	/* RFC 5927 §4.1: the quoted sequence number must be in flight. */
	if (!tp || tp->state == TCPS_TIME_WAIT || tcp_lt(seq, tp->snd_una) ||
	    tcp_ge(seq, tp->snd_max + (tp->snd_max == tp->snd_una ? 1u : 0u))) {
		stack_count(stack, DUET_CTR_TCP_ICMP_IGNORED);
		return;
	}
	stack_count(stack, DUET_CTR_TCP_ICMP_ERRORS);
	is_pmtu = e->family == AF_INET6 ? e->type == DUET_ICMP6_PACKET_TOO_BIG
					: e->type == DUET_ICMP4_DEST_UNREACH && e->code == 4;
	if (is_pmtu) {
		uint16_t mss = tcp_path_mss(tp);
		if (mss < tp->mss) {
			/* RFC 1191 / 8201: smaller segments, and what was too
			 * big goes again now. */
			tp->mss = mss;
			if (tp->cwnd < tp->mss)
				tp->cwnd = tp->mss;
			tp->snd_nxt = tp->snd_una;
			tcp_output(tp);
		}
		return;
	}
	if (tp->state == TCPS_SYN_SENT && e->err &&
	    (e->family == AF_INET6 ? e->type == DUET_ICMP6_DST_UNREACH && e->code == 4
				   : e->type == DUET_ICMP4_DEST_UNREACH &&
					     (e->code == 2 || e->code == 3))) {
		/* RFC 1122 §4.2.3.9: a hard error aborts a connection attempt. */
		stack_count(stack, DUET_CTR_TCP_ATTEMPT_FAILS);
		tcp_done(tp, e->err);
		return;
	}
	tp->soft_error = e->err; /* reported if the connection times out */
	if (tp->sk.is_recverr)
		sock_set_error(&tp->sk, e->err);
}
