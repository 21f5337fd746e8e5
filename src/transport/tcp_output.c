/* duet — TCP output: segments built straight from the send ring into one
 * pool packet each (the only copy), options per RFC 7323 / RFC 2018,
 * the window we advertise (never shrunk, RFC 9293 §3.8.6), Nagle and
 * TCP_CORK, SACK-based loss recovery (RFC 6675: holes first, then new
 * data, while the pipe is below cwnd), go-back-N after a timeout skipping
 * what the peer SACKed, the retransmission timer (RFC 6298 with backoff),
 * zero-window probes, delayed ACKs, and the state-less replies (resets,
 * SYN-cookie SYN-ACKs). */
#include "transport/tcp_internal.h"

#include "net/ip4.h"
#include "net/ip6.h"

#include <duet/byteorder.h>
#include <duet/csum.h>
#include <duet/cursor.h>

#include <errno.h>

/* When output found no packet buffer with nothing in flight. */
#define TCP_NOBUFS_RETRY_NS 1000000ull

/* --- one segment ------------------------------------------------------- */

struct tcp_route {
	const uint8_t *src, *dst;   /* 16 bytes, v4-mapped for IPv4 */
	uint32_t oif;
	int hops;                   /* -1: the default */
	uint8_t tclass;
	struct net_hash_memo *memo;
};

/* Sends header h and len bytes of ring from off (ring may be NULL when
 * len is 0). Returns 0 or a negative errno. */
static int tcp_emit(struct duet_stack *stack, const struct tcp_route *rt,
		    const struct duet_tcp_hdr *h, const struct tcp_ring *ring, uint32_t off,
		    uint32_t len, uint16_t gso_size)
{
	bool is_v4 = sock_addr_is_v4(rt->dst);
	size_t hlen = duet_tcp_len(h);
	struct duet_pkt *pkt = duet_pkt_alloc(stack->pool, DUET_PKT_HEADROOM, hlen + len);
	struct duet_wcur w;
	uint8_t *seg;
	uint32_t pseudo;

	if (!pkt) {
		stack_count(stack, DUET_CTR_DROP_TX_NO_BUFFER);
		return -ENOBUFS;
	}
	seg = duet_pkt_data(pkt);
	duet_wcur_init(&w, seg, hlen);
	if (duet_tcp_emit(h, &w) != 0) {
		duet_pkt_free(pkt);
		return -EINVAL;
	}
	if (len)
		tcp_ring_read(ring, off, seg + hlen, len);
	pseudo = is_v4 ? duet_csum_pseudo4(rt->src + 12, rt->dst + 12, (uint16_t)(hlen + len),
					   IPPROTO_TCP)
		       : duet_csum_pseudo6(rt->src, rt->dst, (uint32_t)(hlen + len), IPPROTO_TCP);
	if (gso_size) {
		/* A super-segment the link cuts into gso_size pieces: the
		 * checksum is left partial, the pseudo-header's sum in its
		 * field (each piece's is completed when it is cut). */
		pkt->gso_size = gso_size;
		duet_put_be16(seg + 16, (uint16_t)~duet_csum_fold(pseudo));
	} else {
		duet_tcp_csum_set(seg, hlen + len, pseudo);
	}
	if (is_v4) {
		struct ip4_out q;
		memset(&q, 0, sizeof(q));
		memcpy(q.src, rt->src + 12, 4);
		memcpy(q.dst, rt->dst + 12, 4);
		q.protocol = IPPROTO_TCP;
		q.ttl = rt->hops;
		q.tos = rt->tclass;
		q.oif = rt->oif;
		q.is_dontfrag = true; /* path MTU discovery (RFC 1191) */
		q.id_memo = rt->memo;
		return ip4_output(stack, pkt, &q);
	} else {
		struct ip6_out q;
		memset(&q, 0, sizeof(q));
		memcpy(q.src, rt->src, 16);
		memcpy(q.dst, rt->dst, 16);
		q.next_header = IPPROTO_TCP;
		q.hop_limit = rt->hops;
		q.tclass = rt->tclass;
		q.is_flow_label_auto = true;
		q.flow_key = (uint32_t)h->src_port << 16 | h->dst_port;
		q.flow_memo = rt->memo;
		q.oif = rt->oif;
		q.is_dontfrag = true; /* TCP never fragments: it sizes segments (RFC 8201) */
		return ip6_output(stack, pkt, &q);
	}
}

/* The window field to send, and the right edge it advertises
 * (RFC 7323 §2.3: scaled, never shrinking the edge already offered). */
static uint16_t tcp_window_field(struct tcp_sock *tp, bool is_syn)
{
	uint32_t space = tcp_rcv_space(tp), win;
	uint8_t shift = is_syn || !tp->is_ws ? 0 : tp->rcv_wscale;

	if (tp->sk.is_shut_rd && tp->is_orphan)
		space = tp->rcvq.max; /* nobody reads: the data is dropped anyway */
	win = space >> shift;
	if (win > 65535u)
		win = 65535u;
	if (tcp_lt(tp->rcv_nxt + (win << shift), tp->rcv_adv)) {
		/* Space shrank (the buffer made smaller, or the scaled field
		 * rounding down): keep the edge offered as far as the field
		 * can say without passing it. Rounded down, the window may
		 * seem to shrink by less than one scaling unit (RFC 7323
		 * §2.4); rounded up, it would offer bytes beyond the buffer,
		 * a little more each time, and never close. */
		uint32_t keep = tp->rcv_adv - tp->rcv_nxt;
		win = keep >> shift;
		return (uint16_t)(win > 65535u ? 65535u : win);
	}
	if (tcp_gt(tp->rcv_nxt + (win << shift), tp->rcv_adv))
		tp->rcv_adv = tp->rcv_nxt + (win << shift);
	return (uint16_t)win;
}

static void tcp_route_of(struct tcp_sock *tp, struct tcp_route *rt)
{
	struct sock *s = &tp->sk;

	rt->src = s->laddr;
	rt->dst = s->faddr;
	rt->oif = s->fscope ? s->fscope : s->lscope;
	rt->hops = sock_out_hops(s, s->faddr);
	rt->tclass = sock_out_tclass(s, s->faddr);
	rt->memo = &s->out_memo;
}

/* Sends one segment of the connection: seq, len bytes of the send ring
 * from seq, flags. */
static int tcp_xmit(struct tcp_sock *tp, uint32_t seq, uint32_t len, uint16_t flags)
{
	struct duet_stack *stack = tp->sk.stack;
	struct tcp_state *ts = tcp_state_of(stack);
	struct duet_tcp_hdr h;
	struct tcp_route rt;
	bool is_syn = (flags & DUET_TCP_SYN) != 0;
	int err;

	memset(&h, 0, sizeof(h));
	h.src_port = tp->sk.lport;
	h.dst_port = tp->sk.fport;
	h.seq = seq;
	h.flags = flags;
	if (tp->state != TCPS_SYN_SENT || !is_syn)
		h.flags |= DUET_TCP_ACK;
	if (flags & DUET_TCP_RST)
		h.flags = flags; /* as given */
	h.ack = h.flags & DUET_TCP_ACK ? tp->rcv_nxt : 0;
	h.window = flags & DUET_TCP_RST ? 0 : tcp_window_field(tp, is_syn);
	if (is_syn) {
		bool is_synack = tp->state == TCPS_SYN_RECEIVED;
		h.has_mss = true;
		h.mss = tp->advmss;
		h.has_sack_permitted = is_synack ? tp->is_sack : ts->k.sack;
		h.has_timestamps = is_synack ? tp->is_ts : ts->k.timestamps;
		h.has_wscale = is_synack ? tp->is_ws : ts->k.window_scaling;
		h.wscale = tp->rcv_wscale;
		h.ts_val = tcp_ts_now(tp);
		h.ts_ecr = is_synack ? tp->ts_recent : 0;
	} else if (!(flags & DUET_TCP_RST) || tp->is_ts) {
		if (tp->is_ts) {
			h.has_timestamps = true;
			h.ts_val = tcp_ts_now(tp);
			h.ts_ecr = tp->ts_recent;
		}
		if (tp->is_sack && tp->n_ooo && !(flags & DUET_TCP_RST)) {
			/* RFC 2018 §4: the newest block first, then the others. */
			uint32_t i, max = tp->is_ts ? 3u : 4u;
			for (i = 0; i < tp->n_ooo && i < max; i++) {
				h.sack[i].left_edge = tp->rg->ooo[i].start;
				h.sack[i].right_edge = tp->rg->ooo[i].end;
			}
			h.sack_count = (uint8_t)i;
			/* Never beyond the MTU: blocks go before data does. */
			while (h.sack_count &&
			       duet_tcp_len(&h) + len > DUET_TCP_HDR_LEN + (tp->is_ts ? 12u : 0u) + tp->mss)
				h.sack_count--;
		}
	}
	tcp_route_of(tp, &rt);
	err = tcp_emit(stack, &rt, &h, &tp->sndq, seq - tp->snd_base, len,
		       len > tcp_send_mss(tp) ? (uint16_t)tcp_send_mss(tp) : 0);
	if (err == -EMSGSIZE && len) {
		/* The path MTU is lower than the segment: whoever lowered it
		 * (a Packet Too Big for another connection to the same
		 * destination, one whose quote we did not take), the MSS
		 * follows it. */
		uint16_t mss = tcp_path_mss(tp);
		if (mss < tp->mss)
			tp->mss = mss;
	}
	if (h.flags & DUET_TCP_ACK) {
		tp->last_ack_sent = tp->rcv_nxt;
		tp->n_delack = 0;
		tp->is_ack_now = false;
		tp->delack_at = 0; /* the timer, if armed, finds nothing to do */
	}
	if (h.flags & DUET_TCP_RST)
		stack_count(stack, DUET_CTR_TCP_OUT_RSTS);
	if (tcp_lt(seq, tp->snd_max) && (len || (flags & (DUET_TCP_SYN | DUET_TCP_FIN)))) {
		stack_count(stack, DUET_CTR_TCP_RETRANS_SEGS);
		tp->total_retrans++;
	} else {
		stack_count(stack, DUET_CTR_TCP_OUT_SEGS);
	}
	if (len)
		tp->last_data_sent_ns = duet_stack_now(stack);
	return err;
}

uint32_t tcp_send_mss(const struct tcp_sock *tp)
{
	uint32_t n = tp->is_sack ? tp->n_ooo : 0, max = tp->is_ts ? 3u : 4u;

	if (n > max)
		n = max;
	return n ? tp->mss - (4u + 8u * n) : tp->mss; /* NOP, NOP, kind, length, blocks */
}

int tcp_send_ctl(struct tcp_sock *tp, uint32_t seq, uint16_t flags)
{
	return tcp_xmit(tp, seq, 0, flags);
}

void tcp_xmit_data(struct tcp_sock *tp, uint32_t seq, uint32_t len)
{
	tcp_xmit(tp, seq, len, DUET_TCP_ACK);
}

void tcp_send_ack(struct tcp_sock *tp)
{
	/* snd_max, not snd_nxt: after a timeout snd_nxt walks back over data
	 * the peer may hold already, and an ACK numbered there is old to it,
	 * dropped unread and answered with an ACK old to us in turn: two
	 * ends retransmitting that way never learn each other's ACKs. As
	 * BSD's tcp_output does for segments without data; but not past the
	 * peer's window (a probe byte it refused), as Linux's
	 * tcp_acceptable_seq. */
	uint32_t seq = tp->snd_max, wnd_end = tp->snd_una + tp->snd_wnd;

	tcp_xmit(tp, tcp_gt(seq, wnd_end) ? wnd_end : seq, 0, DUET_TCP_ACK);
}

void tcp_send_reset(struct tcp_sock *tp)
{
	if (tp->state == TCPS_CLOSED || tp->state == TCPS_LISTEN || tp->state == TCPS_SYN_SENT)
		return;
	tcp_xmit(tp, tp->snd_max, 0, DUET_TCP_RST | DUET_TCP_ACK);
}

/* The route of a reply to sg: its addresses swapped. */
static void tcp_route_reply(const struct tcp_seg *sg, struct tcp_route *rt)
{
	rt->src = sg->dst;
	rt->dst = sg->src;
	rt->oif = !sg->is_v4 && sock_addr_needs_zone(sg->src) ? sg->ifindex : 0;
	rt->hops = -1;
	rt->tclass = 0;
	rt->memo = NULL;
}

void tcp_send_reset_for(struct duet_stack *stack, const struct tcp_seg *sg)
{
	struct duet_tcp_hdr h;
	struct tcp_route rt;

	if (sg->h.flags & DUET_TCP_RST)
		return; /* never a reset for a reset */
	memset(&h, 0, sizeof(h));
	h.src_port = sg->h.dst_port;
	h.dst_port = sg->h.src_port;
	if (sg->h.flags & DUET_TCP_ACK) {
		h.seq = sg->h.ack;
		h.flags = DUET_TCP_RST;
	} else {
		h.seq = 0;
		h.ack = sg->h.seq + duet_tcp_seg_len(&sg->h, sg->len);
		h.flags = DUET_TCP_RST | DUET_TCP_ACK;
	}
	tcp_route_reply(sg, &rt);
	stack_count(stack, DUET_CTR_TCP_OUT_RSTS);
	tcp_emit(stack, &rt, &h, NULL, 0, 0, 0);
}

void tcp_send_cookie_synack(struct duet_stack *stack, struct tcp_sock *lp, const struct tcp_seg *sg,
			    uint32_t isn, uint16_t mss)
{
	struct duet_tcp_hdr h;
	struct tcp_route rt;
	uint32_t win = lp->sk.rcvbuf < 65535u ? lp->sk.rcvbuf : 65535u;

	memset(&h, 0, sizeof(h));
	h.src_port = sg->h.dst_port;
	h.dst_port = sg->h.src_port;
	h.seq = isn;
	h.ack = sg->h.seq + 1;
	h.flags = DUET_TCP_SYN | DUET_TCP_ACK;
	h.window = (uint16_t)win;
	h.has_mss = true;
	h.mss = mss;
	tcp_route_reply(sg, &rt);
	rt.hops = sock_out_hops(&lp->sk, sg->src);
	rt.tclass = sock_out_tclass(&lp->sk, sg->src);
	stack_count(stack, DUET_CTR_TCP_SYNCOOKIES_SENT);
	stack_count(stack, DUET_CTR_TCP_OUT_SEGS);
	tcp_emit(stack, &rt, &h, NULL, 0, 0, 0);
}

/* --- timers ------------------------------------------------------------- */

uint64_t tcp_rto_ns(const struct tcp_sock *tp)
{
	const struct tcp_knobs *k = &tcp_state_of(tp->sk.stack)->k;
	uint64_t rto = (uint64_t)tp->rto_us * 1000u << (tp->backoff < 16 ? tp->backoff : 16);
	uint64_t max = (uint64_t)k->max_rto_ms * 1000000u;

	return rto > max ? max : rto;
}

void tcp_rtt_sample(struct tcp_sock *tp, uint32_t rtt_us)
{
	const struct tcp_knobs *k = &tcp_state_of(tp->sk.stack)->k;
	uint32_t rto;

	if (!rtt_us)
		rtt_us = 1;
	if (!tp->min_rtt_us || rtt_us < tp->min_rtt_us)
		tp->min_rtt_us = rtt_us;
	if (!tp->srtt_us) { /* RFC 6298 §2.2 */
		tp->srtt_us = rtt_us;
		tp->rttvar_us = rtt_us / 2;
	} else { /* §2.3: alpha 1/8, beta 1/4 */
		uint32_t d = tp->srtt_us > rtt_us ? tp->srtt_us - rtt_us : rtt_us - tp->srtt_us;
		tp->rttvar_us = (3u * tp->rttvar_us + d) / 4u;
		tp->srtt_us = (7u * tp->srtt_us + rtt_us) / 8u;
	}
	rto = tp->srtt_us + (4u * tp->rttvar_us > 1000u ? 4u * tp->rttvar_us : 1000u);
	if (rto < k->min_rto_ms * 1000u)
		rto = k->min_rto_ms * 1000u; /* Linux's 200 ms, not RFC 6298's 1 s (docs/FEATURES.md) */
	if (rto > k->max_rto_ms * 1000u)
		rto = k->max_rto_ms * 1000u;
	tp->rto_us = rto;
}

/* Sets the retransmission deadline to at (0: none). The wheel is touched
 * only when the deadline comes earlier than the armed timer: a later one
 * (every ACK pushes it back) waits until the timer fires and moves on,
 * since a wheel operation per segment was a tenth of a round trip. */
static void tcp_rexmt_set(struct tcp_sock *tp, uint64_t at)
{
	tp->rexmt_at = at;
	if (at && (!tp->rexmt.is_armed || tp->rexmt.expires_tick * DUET_TW_TICK_NS > at))
		duet_tw_arm(&tp->sk.stack->timers, &tp->rexmt, at);
}

void tcp_rearm_rexmt(struct tcp_sock *tp)
{
	struct duet_stack *stack = tp->sk.stack;
	bool is_outstanding = tp->snd_max != tp->snd_una;
	bool is_waiting = tp->sndq.len && !tp->snd_wnd && tp->state >= TCPS_ESTABLISHED;

	if (!is_outstanding && !is_waiting) {
		tcp_rexmt_set(tp, 0);
		tp->is_persist = false;
		return;
	}
	if (!is_outstanding && is_waiting) {
		/* Zero window with data to send: the persist timer. */
		if (!tp->rexmt_at || !tp->is_persist) {
			tp->is_persist = true;
			tcp_rexmt_set(tp, duet_stack_now(stack) + tcp_rto_ns(tp));
		}
		return;
	}
	tp->is_persist = false;
	tcp_rexmt_set(tp, duet_stack_now(stack) + tcp_rto_ns(tp));
}

static bool tcp_gives_up(struct tcp_sock *tp, uint32_t limit)
{
	uint64_t now = duet_stack_now(tp->sk.stack);

	if (tp->user_timeout_ms && tp->first_rexmit_ns &&
	    now - tp->first_rexmit_ns >= (uint64_t)tp->user_timeout_ms * 1000000u)
		return true;
	return tp->n_retries >= limit;
}

void tcp_rexmt_fire(struct duet_timer *t, void *arg)
{
	struct tcp_sock *tp = arg;
	struct duet_stack *stack = tp->sk.stack;
	const struct tcp_knobs *k = &tcp_state_of(stack)->k;
	uint64_t now = duet_stack_now(stack);
	(void)t;

	if (!tp->rexmt_at)
		return; /* stopped since it was armed */
	if (now < tp->rexmt_at) {
		duet_tw_arm(&stack->timers, &tp->rexmt, tp->rexmt_at); /* pushed back since */
		return;
	}
	tp->rexmt_at = 0;

	if (tp->is_persist) {
		/* RFC 9293 §3.8.6.1: probe the zero window with one byte; the
		 * connection stays as long as the peer answers. */
		tp->is_persist = false;
		if (tp->sndq.len && tp->snd_nxt == tp->snd_una) {
			stack_count(stack, DUET_CTR_TCP_ZERO_WINDOW_PROBES);
			tcp_xmit(tp, tp->snd_nxt, 1, DUET_TCP_ACK);
			tp->snd_nxt++;
			tp->snd_max = tcp_max_seq(tp->snd_max, tp->snd_nxt);
		}
		if (tp->backoff < 16)
			tp->backoff++;
		tcp_rearm_rexmt(tp);
		return;
	}
	if (tp->snd_max == tp->snd_una) {
		/* Nothing in flight: output stopped for want of a buffer. */
		tcp_output(tp);
		return;
	}
	stack_count(stack, DUET_CTR_TCP_TIMEOUTS);
	if (!tp->first_rexmit_ns)
		tp->first_rexmit_ns = duet_stack_now(stack);
	if (tp->state == TCPS_SYN_SENT || tp->state == TCPS_SYN_RECEIVED) {
		uint32_t limit = tp->state == TCPS_SYN_SENT ? tp->syn_retries : k->synack_retries;
		if (tcp_gives_up(tp, limit)) {
			stack_count(stack, DUET_CTR_TCP_ATTEMPT_FAILS);
			tcp_done(tp, tp->soft_error ? tp->soft_error : ETIMEDOUT);
			return;
		}
		tp->n_retries++;
		if (tp->backoff < 16)
			tp->backoff++;
		tcp_send_ctl(tp, tp->iss, DUET_TCP_SYN);
		tcp_rearm_rexmt(tp);
		return;
	}
	/* A zero window the peer keeps answering is not a dead peer: an ACK
	 * since the last timeout (not since the last data sent, which a FIN
	 * or a connection that never sent data leaves at 0, so that a dead
	 * peer was retried for ever). */
	if (!tp->snd_wnd && tp->last_ack_recv_ns > tp->last_timeout_ns)
		tp->n_retries = 0;
	tp->last_timeout_ns = duet_stack_now(stack);
	if (tcp_gives_up(tp, k->retries2)) {
		stack_count(stack, DUET_CTR_TCP_ABORT_TIMEOUT);
		if (tp->state == TCPS_ESTABLISHED || tp->state == TCPS_CLOSE_WAIT)
			stack_count(stack, DUET_CTR_TCP_ESTAB_RESETS);
		tcp_send_reset(tp);
		tcp_done(tp, tp->soft_error ? tp->soft_error : ETIMEDOUT);
		return;
	}
	tp->n_retries++;
	if (!tp->snd_wnd && tcp_lt(tp->snd_una, tp->snd_base + tp->sndq.len)) {
		/* The window is shut with data out (a probe's byte): going back
		 * to SND.UNA would send nothing. Probe again with the first
		 * byte (RFC 9293 §3.8.6.1), backing off, no congestion response. */
		stack_count(stack, DUET_CTR_TCP_ZERO_WINDOW_PROBES);
		tcp_xmit_data(tp, tp->snd_una, 1);
		if (tp->backoff < 16)
			tp->backoff++;
		tcp_rearm_rexmt(tp);
		return;
	}
	/* RFC 6298 §5.5-5.7, RFC 5681 §3.1, RFC 6675 §5.1. */
	tcp_cc_on_rto(tp);
	if (tp->backoff < 16)
		tp->backoff++;
	tp->is_in_recovery = false;
	tp->recover = tp->snd_max;
	tp->dupacks = 0;
	tp->is_rtt_timing = false; /* Karn */
	tp->snd_nxt = tp->snd_una;
	tp->rxt_next = tp->snd_una;
	tcp_output(tp);
	if (tp->snd_nxt == tp->snd_una && !tp->snd_wnd && tp->sndq.len) {
		/* What is outstanding lies beyond a window now closed: the
		 * retransmission becomes a zero-window probe (RFC 9293
		 * §3.8.6.1: keep retransmitting though the window is zero),
		 * else a lost window update would leave both ends waiting. */
		stack_count(stack, DUET_CTR_TCP_ZERO_WINDOW_PROBES);
		tcp_xmit(tp, tp->snd_una, 1, DUET_TCP_ACK);
		tp->snd_nxt = tp->snd_una + 1;
	}
	tcp_rearm_rexmt(tp);
}

void tcp_delack_fire(struct duet_timer *t, void *arg)
{
	struct tcp_sock *tp = arg;
	uint64_t now = duet_stack_now(tp->sk.stack);
	(void)t;

	if (!tp->delack_at || tp->state == TCPS_CLOSED || tp->state == TCPS_LISTEN)
		return;
	if (now < tp->delack_at) { /* a later ACK is owed than the one armed */
		duet_tw_arm(&tp->sk.stack->timers, &tp->delack, tp->delack_at);
		return;
	}
	tp->delack_at = 0;
	tp->is_ack_now = true;
	tcp_output(tp);
}

/* --- the output loop ----------------------------------------------------- */

/* The most data one segment built now may carry: one MSS, or for a link
 * that cuts super-segments itself (TSO) as many as fit its limit — new
 * data only, outside recovery (retransmissions stay one segment each). */
static uint32_t tcp_seg_cap(const struct tcp_sock *tp, uint32_t smss, bool is_rexmit)
{
	uint32_t hdrs = (sock_addr_is_v4(tp->sk.faddr) ? 20u : 40u) + DUET_TCP_MAX_HDR_LEN, cap;

	if (!tp->gso_max || is_rexmit || tp->is_in_recovery || tp->gso_max <= hdrs + smss)
		return smss;
	cap = tp->gso_max - hdrs;
	return cap - cap % smss;
}

/* The SACKed range holding seq, or NULL. */
static const struct tcp_range *tcp_sacked_at(const struct tcp_sock *tp, uint32_t seq)
{
	uint32_t i;

	for (i = 0; i < tp->n_sack; i++)
		if (tcp_ge(seq, tp->rg->sacked[i].start) && tcp_lt(seq, tp->rg->sacked[i].end))
			return &tp->rg->sacked[i];
	return NULL;
}

/* The first SACKed range starting after seq, or NULL. */
static const struct tcp_range *tcp_sacked_after(const struct tcp_sock *tp, uint32_t seq)
{
	uint32_t i;

	for (i = 0; i < tp->n_sack; i++)
		if (tcp_gt(tp->rg->sacked[i].start, seq))
			return &tp->rg->sacked[i];
	return NULL;
}

/* RFC 6675 NextSeg (1): the next lost hole at or after rxt_next, below
 * the highest SACKed byte; its length (0: none) and start. */
static uint32_t tcp_next_hole(struct tcp_sock *tp, uint32_t *seq)
{
	uint32_t s = tcp_max_seq(tp->rxt_next, tp->snd_una), high;
	const struct tcp_range *r, *nx;

	if (!tp->n_sack)
		return 0;
	high = tp->rg->sacked[tp->n_sack - 1].end;
	while ((r = tcp_sacked_at(tp, s)) != NULL)
		s = r->end;
	if (tcp_ge(s, high) || tcp_ge(s, tp->snd_max))
		return 0;
	nx = tcp_sacked_after(tp, s);
	*seq = s;
	{
		uint32_t end = nx ? nx->start : high;
		uint32_t n = end - s;
		uint32_t smss = tcp_send_mss(tp);
		return n < smss ? n : smss;
	}
}

void tcp_output(struct tcp_sock *tp)
{
	struct duet_stack *stack = tp->sk.stack;
	uint32_t data_end, wnd_end, pipe, smss = tcp_send_mss(tp);
	bool is_sent = false, is_nobufs = false;

	switch (tp->state) {
	case TCPS_ESTABLISHED:
	case TCPS_CLOSE_WAIT:
	case TCPS_FIN_WAIT_1:
	case TCPS_CLOSING:
	case TCPS_LAST_ACK:
		break;
	case TCPS_FIN_WAIT_2:
	case TCPS_TIME_WAIT:
	case TCPS_SYN_RECEIVED:
		if (tp->is_ack_now)
			tcp_send_ack(tp);
		return;
	default:
		return;
	}
	data_end = tp->snd_base + tp->sndq.len;
	wnd_end = tp->snd_una + tp->snd_wnd;

	/* Recovery with SACK: the holes first (RFC 6675 §5 (C)). */
	if (tp->is_in_recovery && tp->is_sack) {
		uint32_t seq, n;
		while (tcp_pipe(tp) + tp->mss <= tp->cwnd && (n = tcp_next_hole(tp, &seq)) != 0) {
			if (tcp_gt(seq + n, data_end))
				n = data_end - seq;
			if (!n)
				break;
			if (tcp_xmit(tp, seq, n, DUET_TCP_ACK) == -ENOBUFS)
				break;
			tp->rxt_next = seq + n;
			is_sent = true;
		}
	}

	for (;;) {
		uint32_t len = 0;
		const struct tcp_range *r;
		bool is_fin, is_rexmit = tcp_lt(tp->snd_nxt, tp->snd_max);
		uint16_t flags = DUET_TCP_ACK;

		/* After a timeout snd_nxt walks the sent data again: what the
		 * peer SACKed is not sent twice. */
		if (is_rexmit && (r = tcp_sacked_at(tp, tp->snd_nxt)) != NULL) {
			tp->snd_nxt = r->end;
			continue;
		}
		if (tcp_lt(tp->snd_nxt, data_end)) {
			len = data_end - tp->snd_nxt;
			if (len > tcp_seg_cap(tp, smss, is_rexmit))
				len = tcp_seg_cap(tp, smss, is_rexmit);
			if (is_rexmit && (r = tcp_sacked_after(tp, tp->snd_nxt)) != NULL &&
			    tcp_lt(r->start, tp->snd_nxt + len))
				len = r->start - tp->snd_nxt;
		}
		/* The peer's window. */
		if (tcp_gt(tp->snd_nxt + len, wnd_end))
			len = tcp_gt(wnd_end, tp->snd_nxt) ? wnd_end - tp->snd_nxt : 0;
		is_fin = tp->is_fin_queued && tp->snd_nxt + len == data_end &&
			 tcp_le(tp->snd_nxt + len, wnd_end);
		if (!len && !is_fin)
			break;
		if (!len && is_fin && tcp_ge(tp->snd_nxt, data_end + 1))
			break; /* the FIN is out */
		/* Congestion window (whole segments; one may always go when
		 * nothing is in flight). */
		pipe = tcp_pipe(tp);
		if (len > smss) {
			/* A super-segment: as many whole segments as cwnd allows
			 * (all the bytes left, when they fit). */
			uint32_t room = tp->cwnd > pipe ? tp->cwnd - pipe : 0;
			if (len > room)
				len = room - room % smss;
			else if (tp->snd_nxt + len != data_end)
				len -= len % smss;
			if (len < smss)
				len = smss;
			is_fin = tp->is_fin_queued && tp->snd_nxt + len == data_end;
		}
		if (pipe && pipe + (len ? len : 1) > tp->cwnd)
			break;
		/* Nagle (RFC 9293 §3.7.4) and TCP_CORK: a small segment waits
		 * while data is unacknowledged, unless it carries the FIN or
		 * the application has closed its side (a corked orphan behind
		 * a small window would wait for ever). */
		if (len < smss && !is_fin && !is_rexmit && !tp->is_fin_queued &&
		    (tp->is_cork || (!tp->is_nodelay && tp->snd_max != tp->snd_una)))
			break; /* (Linux pushes with TCP_NAGLE_OFF at close) */
		if (is_fin)
			flags |= DUET_TCP_FIN;
		else if (len && tp->snd_nxt + len == data_end)
			flags |= DUET_TCP_PSH;
		{
			int err = tcp_xmit(tp, tp->snd_nxt, len, flags);
			if (err == -ENOBUFS) {
				is_nobufs = true;
				break;
			}
			if (err == -EMSGSIZE && len > tcp_send_mss(tp)) {
				/* The path MTU fell under us (tcp_xmit took the new
				 * MSS): the same bytes again, smaller. */
				smss = tcp_send_mss(tp);
				continue;
			}
		}
		if (!is_rexmit && !tp->is_rtt_timing && len) {
			tp->is_rtt_timing = true;
			tp->rtt_seq = tp->snd_nxt;
			tp->rtt_start_ns = duet_stack_now(stack);
		}
		tp->snd_nxt += len + (is_fin ? 1u : 0u);
		if (tcp_gt(tp->snd_nxt, tp->snd_max))
			tp->snd_max = tp->snd_nxt;
		is_sent = true;
		if (is_fin)
			break;
	}
	if (!is_sent && tp->is_ack_now)
		tcp_send_ack(tp);
	if (is_nobufs && tp->snd_max == tp->snd_una) {
		/* No buffer and nothing in flight to clock us: try again soon. */
		tp->is_persist = false;
		tcp_rexmt_set(tp, 0);
		tcp_rexmt_set(tp, duet_stack_now(stack) + TCP_NOBUFS_RETRY_NS);
		return;
	}
	if (!tp->rexmt_at || tp->is_persist != (tp->snd_max == tp->snd_una))
		tcp_rearm_rexmt(tp);
}
