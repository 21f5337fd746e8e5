/* duet — TCP congestion control, per socket (TCP_CONGESTION): NewReno
 * (RFC 5681 with RFC 3465's byte counting, L = 2 SMSS; RFC 6582's
 * recovery) and CUBIC (RFC 9438: C = 0.4, beta = 0.7, fast convergence,
 * the Reno-friendly region), and the pipe of RFC 6675 §4 that both use
 * during recovery. Windows are in bytes. */
#include "transport/tcp_internal.h"

#include <duet/clock.h>

#include <strings.h>

#define CUBIC_BETA_NUM 7u     /* beta_cubic = 0.7 */
#define CUBIC_BETA_DEN 10u

const char *tcp_cc_name(uint8_t algo)
{
	return algo == TCP_CC_NEWRENO ? "reno" : "cubic";
}

int tcp_cc_by_name(const char *name, size_t len)
{
	if (len == 5 && strncasecmp(name, "cubic", 5) == 0)
		return TCP_CC_CUBIC;
	if ((len == 4 && strncasecmp(name, "reno", 4) == 0) ||
	    (len == 7 && strncasecmp(name, "newreno", 7) == 0))
		return TCP_CC_NEWRENO;
	return -1;
}

void tcp_cc_init(struct tcp_sock *tp)
{
	/* RFC 6928's initial window: 10 segments (as Linux). */
	tp->cwnd = 10u * tp->mss;
	tp->ssthresh = UINT32_MAX / 2;
	tp->bytes_acked = 0;
	memset(&tp->cubic, 0, sizeof(tp->cubic));
}

uint32_t tcp_sacked_bytes(const struct tcp_sock *tp)
{
	uint32_t i, n = 0;

	for (i = 0; i < tp->n_sack; i++)
		n += tp->rg->sacked[i].end - tp->rg->sacked[i].start;
	return n;
}

uint32_t tcp_pipe(const struct tcp_sock *tp)
{
	uint32_t out = tp->snd_nxt - tp->snd_una, sacked = 0, lost = 0, i;

	if (!tp->is_sack || !tp->n_sack) {
		uint32_t infl = tp->is_in_recovery ? (uint32_t)tp->dupacks * tp->mss : 0;
		return out > infl ? out - infl : 0;
	}
	for (i = 0; i < tp->n_sack; i++) {
		const struct tcp_range *r = &tp->rg->sacked[i];
		if (tcp_le(r->end, tp->snd_nxt))
			sacked += r->end - r->start;
		else if (tcp_lt(r->start, tp->snd_nxt))
			sacked += tp->snd_nxt - r->start;
	}
	if (tp->is_in_recovery) {
		/* Holes below the highest SACKed byte not retransmitted yet are
		 * lost (RFC 6675 IsLost, taken as FACK does), not in flight. */
		uint32_t from = tcp_max_seq(tp->rxt_next, tp->snd_una);
		uint32_t prev = tp->snd_una;
		for (i = 0; i < tp->n_sack; i++) {
			uint32_t a = tcp_max_seq(prev, from), b = tp->rg->sacked[i].start;
			if (tcp_gt(b, tp->snd_nxt))
				b = tp->snd_nxt;
			if (tcp_lt(a, b))
				lost += b - a;
			prev = tp->rg->sacked[i].end;
		}
	}
	return out > sacked + lost ? out - sacked - lost : 0;
}

static uint32_t tcp_flight(const struct tcp_sock *tp)
{
	uint32_t f = tp->snd_max - tp->snd_una;
	uint32_t s = tcp_sacked_bytes(tp);

	return f > s ? f - s : 0;
}

/* The cube root of x >= 0 (Newton's method; no libm). */
static double tcp_cbrt(double x)
{
	double y = x > 1 ? x / 3 : 1;
	int i;

	if (x <= 0)
		return 0;
	for (i = 0; i < 60; i++) {
		double ny = y - (y * y * y - x) / (3 * y * y);
		if (ny == y)
			break;
		y = ny;
	}
	return y;
}

static void tcp_cubic_ack(struct tcp_sock *tp, uint32_t acked)
{
	const double c = 0.4, beta = 0.7;
	uint64_t now = duet_stack_now(tp->sk.stack);
	double mss = tp->mss, cwnd = tp->cwnd, t, target, w_cubic;
	uint32_t rtt_us = tp->srtt_us ? tp->srtt_us : 100000;

	if (!tp->cubic.epoch_ns) {
		tp->cubic.epoch_ns = now ? now : 1;
		if (tp->cubic.w_max < tp->cwnd) {
			tp->cubic.k_ms = 0;
			tp->cubic.w_max = tp->cwnd;
		} else {
			tp->cubic.k_ms = (uint32_t)(tcp_cbrt((tp->cubic.w_max - cwnd) / mss / c) * 1000);
		}
		tp->cubic.w_est = tp->cwnd;
	}
	/* t + RTT: where the window should be one round from now (§4.2). */
	t = (double)(now - tp->cubic.epoch_ns) / 1e9 + rtt_us / 1e6 - tp->cubic.k_ms / 1000.0;
	w_cubic = c * t * t * t * mss + tp->cubic.w_max;
	/* §4.3: the Reno-friendly estimate, alpha = 3(1-beta)/(1+beta). */
	tp->cubic.w_est += (uint32_t)(3.0 * (1 - beta) / (1 + beta) * mss * acked / cwnd);
	if (w_cubic < tp->cubic.w_est) {
		if (tp->cubic.w_est > tp->cwnd)
			tp->cwnd = tp->cubic.w_est;
		return;
	}
	target = w_cubic;
	if (target < cwnd)
		target = cwnd;
	if (target > 1.5 * cwnd)
		target = 1.5 * cwnd;
	tp->bytes_acked += (uint32_t)((target - cwnd) / cwnd * acked);
	if (tp->bytes_acked >= tp->mss) {
		tp->cwnd += tp->bytes_acked - tp->bytes_acked % tp->mss;
		tp->bytes_acked %= tp->mss;
	}
}

void tcp_cc_on_ack(struct tcp_sock *tp, uint32_t acked)
{
	uint32_t cap = 1u << 30;

	if (tp->cwnd < tp->ssthresh) {
		/* Slow start, RFC 3465 with L = 2 SMSS. */
		tp->cwnd += acked < 2u * tp->mss ? acked : 2u * tp->mss;
		if (tp->cwnd > tp->ssthresh && tp->ssthresh != UINT32_MAX / 2)
			tp->cwnd = tp->ssthresh;
	} else if (tp->cc_algo == TCP_CC_CUBIC) {
		tcp_cubic_ack(tp, acked);
	} else {
		tp->bytes_acked += acked;
		if (tp->bytes_acked >= tp->cwnd) {
			tp->bytes_acked -= tp->cwnd;
			tp->cwnd += tp->mss;
		}
	}
	if (tp->cwnd > cap)
		tp->cwnd = cap;
}

void tcp_cc_on_loss(struct tcp_sock *tp)
{
	uint32_t flight = tcp_flight(tp), floor = 2u * tp->mss;

	tp->prior_cwnd = tp->cwnd;
	if (tp->cc_algo == TCP_CC_CUBIC) {
		/* §4.6 fast convergence, §4.5 multiplicative decrease. */
		if (tp->cwnd < tp->cubic.w_max)
			tp->cubic.w_max = (uint32_t)((uint64_t)tp->cwnd * (CUBIC_BETA_DEN + CUBIC_BETA_NUM) /
						     (2 * CUBIC_BETA_DEN));
		else
			tp->cubic.w_max = tp->cwnd;
		tp->ssthresh = (uint32_t)((uint64_t)tp->cwnd * CUBIC_BETA_NUM / CUBIC_BETA_DEN);
		tp->cubic.epoch_ns = 0;
	} else {
		tp->ssthresh = flight / 2; /* RFC 5681 (4) */
	}
	if (tp->ssthresh < floor)
		tp->ssthresh = floor;
	tp->cwnd = tp->ssthresh;
	tp->bytes_acked = 0;
}

void tcp_cc_on_rto(struct tcp_sock *tp)
{
	uint32_t flight = tcp_flight(tp), floor = 2u * tp->mss;

	if (tp->backoff == 0) { /* only the first timeout sets ssthresh (RFC 5681 §3.1) */
		if (tp->cc_algo == TCP_CC_CUBIC) {
			tp->cubic.w_max = tp->cwnd;
			tp->ssthresh = (uint32_t)((uint64_t)tp->cwnd * CUBIC_BETA_NUM / CUBIC_BETA_DEN);
		} else {
			tp->ssthresh = flight / 2;
		}
		if (tp->ssthresh < floor)
			tp->ssthresh = floor;
	}
	tp->cubic.epoch_ns = 0;
	tp->cwnd = tp->mss; /* the loss window */
	tp->bytes_acked = 0;
}

void tcp_cc_on_recovery_end(struct tcp_sock *tp)
{
	/* RFC 6582 §3.2 (5): deflate to ssthresh. */
	if (tp->cwnd > tp->ssthresh)
		tp->cwnd = tp->ssthresh;
	tp->bytes_acked = 0;
}
