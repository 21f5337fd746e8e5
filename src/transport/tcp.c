/* duet — TCP sockets (RFC 9293): the connection tables (a 4-tuple hash of
 * connections, listeners by port, a bind table with Linux's sharing
 * rules under the dual-stack overlap of DS-4), ephemeral ports by RFC
 * 6056 §3.3.3 (a keyed offset per destination, so one local port serves
 * many peers), initial sequence numbers by RFC 6528, the socket calls
 * (connect, listen, accept, send, recv, shutdown, close with SO_LINGER),
 * the TCP-level options and TCP_INFO, and the slow timer (keepalive,
 * FIN-WAIT-2, TIME-WAIT). Segments in: tcp_input.c; out: tcp_output.c. */
#include "transport/tcp_internal.h"

#include "transport/dgram.h"

#include "net/ip4.h"
#include "net/ip6.h"
#include "net/net.h"

#include <duet/addr.h>
#include <duet/clock.h>

#include <errno.h>
#include <stdlib.h>
#include <sys/uio.h>

#define TCP_EHASH_MIN 1024u
#define TCP_DEFAULT_MSS 536u     /* RFC 9293 §3.7.1 without an MSS option */

static inline struct tcp_sock **tcp_bbucket(struct tcp_state *ts, uint16_t port)
{
	return &ts->bhash[port & (TCP_BHASH_N - 1)];
}

/* --- tables -------------------------------------------------------------- */

static uint32_t tcp_ehashfn(const struct duet_stack *stack, const uint8_t laddr[16],
			    uint16_t lport, const uint8_t faddr[16], uint16_t fport)
{
	uint8_t key[36];

	memcpy(key, laddr, 16);
	memcpy(key + 16, faddr, 16);
	memcpy(key + 32, &lport, 2);
	memcpy(key + 34, &fport, 2);
	return (uint32_t)stack_table_hash(stack, key, sizeof(key));
}

static void tcp_ehash_grow(struct tcp_state *ts, struct duet_stack *stack)
{
	uint32_t n = (ts->ehash_mask + 1) * 2, i;
	struct tcp_sock **nh = calloc(n, sizeof(*nh));

	if (!nh)
		return; /* chains just get longer */
	for (i = 0; i <= ts->ehash_mask; i++) {
		struct tcp_sock *tp = ts->ehash[i], *next;
		for (; tp; tp = next) {
			uint32_t h = tcp_ehashfn(stack, tp->sk.laddr, tp->sk.lport, tp->sk.faddr,
						 tp->sk.fport) & (n - 1);
			next = tp->ehash_next;
			tp->ehash_next = nh[h];
			nh[h] = tp;
		}
	}
	free(ts->ehash);
	ts->ehash = nh;
	ts->ehash_mask = n - 1;
}

void tcp_ehash_add(struct tcp_sock *tp)
{
	struct duet_stack *stack = tp->sk.stack;
	struct tcp_state *ts = tcp_state_of(stack);
	uint32_t h;

	if (ts->n_conns >= ts->ehash_mask + 1)
		tcp_ehash_grow(ts, stack);
	h = tcp_ehashfn(stack, tp->sk.laddr, tp->sk.lport, tp->sk.faddr, tp->sk.fport) &
	    ts->ehash_mask;
	tp->ehash_next = ts->ehash[h];
	ts->ehash[h] = tp;
	ts->n_conns++;
}

void tcp_ehash_del(struct tcp_sock *tp)
{
	struct duet_stack *stack = tp->sk.stack;
	struct tcp_state *ts = tcp_state_of(stack);
	uint32_t h = tcp_ehashfn(stack, tp->sk.laddr, tp->sk.lport, tp->sk.faddr, tp->sk.fport) &
		     ts->ehash_mask;
	struct tcp_sock **pp;

	for (pp = &ts->ehash[h]; *pp; pp = &(*pp)->ehash_next)
		if (*pp == tp) {
			*pp = tp->ehash_next;
			tp->ehash_next = NULL;
			ts->n_conns--;
			return;
		}
}

struct tcp_sock *tcp_ehash_find(struct duet_stack *stack, const uint8_t laddr[16], uint16_t lport,
				const uint8_t faddr[16], uint16_t fport)
{
	struct tcp_state *ts = tcp_state_of(stack);
	uint32_t h = tcp_ehashfn(stack, laddr, lport, faddr, fport) & ts->ehash_mask;
	struct tcp_sock *tp;

	for (tp = ts->ehash[h]; tp; tp = tp->ehash_next)
		if (tp->sk.lport == lport && tp->sk.fport == fport &&
		    memcmp(tp->sk.laddr, laddr, 16) == 0 && memcmp(tp->sk.faddr, faddr, 16) == 0)
			return tp;
	return NULL;
}

void tcp_bhash_add(struct tcp_sock *tp)
{
	struct tcp_sock **b = tcp_bbucket(tcp_state_of(tp->sk.stack), tp->sk.lport);

	tp->bhash_next = *b;
	if (*b)
		(*b)->bhash_pprev = &tp->bhash_next;
	*b = tp;
	tp->bhash_pprev = b;
}

static void tcp_bhash_del(struct tcp_sock *tp)
{
	if (!tp->bhash_pprev)
		return;
	*tp->bhash_pprev = tp->bhash_next;
	if (tp->bhash_next)
		tp->bhash_next->bhash_pprev = tp->bhash_pprev;
	tp->bhash_next = NULL;
	tp->bhash_pprev = NULL;
}

static inline struct tcp_sock **tcp_lbucket(struct tcp_state *ts, uint16_t port)
{
	return &ts->lhash[port & (TCP_LHASH_N - 1)];
}

static void tcp_lhash_add(struct tcp_sock *tp)
{
	struct tcp_sock **b = tcp_lbucket(tcp_state_of(tp->sk.stack), tp->sk.lport);

	tp->lhash_next = *b;
	*b = tp;
}

static void tcp_lhash_del(struct tcp_sock *tp)
{
	struct tcp_sock **pp;

	for (pp = tcp_lbucket(tcp_state_of(tp->sk.stack), tp->sk.lport); *pp;
	     pp = &(*pp)->lhash_next)
		if (*pp == tp) {
			*pp = tp->lhash_next;
			break;
		}
	tp->lhash_next = NULL;
}

/* How well listener t matches a SYN to laddr (as udp_score: exact address
 * over wildcard, an AF_INET socket before a dual-stack one for IPv4, a
 * bound interface that matches); 0: not at all. */
static int tcp_listen_score(const struct tcp_sock *t, const uint8_t laddr[16], bool is_v4,
			    uint32_t ifindex)
{
	const struct sock *s = &t->sk;
	int score = 1;

	if (is_v4) {
		if (!sock_addr_is_v4(s->laddr) && !(sock_addr_is_any6(s->laddr) && !s->is_v6only))
			return 0;
		if (s->family == AF_INET)
			score++;
	} else if (sock_addr_is_v4(s->laddr)) {
		return 0; /* DS-1 */
	}
	if (!sock_addr_is_any6(s->laddr) && !sock_addr_is_any4(s->laddr)) {
		if (memcmp(s->laddr, laddr, 16) != 0)
			return 0;
		score += 4;
	}
	if (s->lscope) {
		if (s->lscope != ifindex)
			return 0;
		score += 4;
	}
	return score;
}

struct tcp_sock *tcp_listener_find(struct duet_stack *stack, const uint8_t laddr[16],
				   uint16_t lport, bool is_v4, uint32_t ifindex)
{
	struct tcp_sock *t, *best = NULL;
	int best_score = 0, n_same = 0;

	for (t = *tcp_lbucket(tcp_state_of(stack), lport); t; t = t->lhash_next) {
		int score;
		if (t->state != TCPS_LISTEN || t->sk.lport != lport)
			continue;
		score = tcp_listen_score(t, laddr, is_v4, ifindex);
		if (score > best_score)
			best = t, best_score = score, n_same = 1;
		else if (score && score == best_score && t->sk.is_reuseport)
			n_same++;
	}
	if (n_same > 1) { /* SO_REUSEPORT: spread the SYNs (the caller's hash is per flow) */
		uint32_t pick = (uint32_t)(duet_stack_random(stack) % (uint32_t)n_same);
		for (t = *tcp_lbucket(tcp_state_of(stack), lport); t; t = t->lhash_next)
			if (t->state == TCPS_LISTEN && t->sk.lport == lport && t->sk.is_reuseport &&
			    tcp_listen_score(t, laddr, is_v4, ifindex) == best_score && pick-- == 0)
				return t;
	}
	return best;
}

/* --- binding ------------------------------------------------------------- */

/* Would s bound to addr/scope clash with t on the same port? Linux's
 * inet_csk_bind_conflict: SO_REUSEADDR on both shares unless t listens;
 * SO_REUSEPORT on both with one owner shares; bound interfaces that
 * differ never clash. */
static bool tcp_conflict(const struct sock *s, const uint8_t *addr, uint32_t scope,
			 const struct tcp_sock *t)
{
	if (s->is_reuseaddr && t->sk.is_reuseaddr && t->state != TCPS_LISTEN)
		return false;
	if (s->is_reuseport && t->sk.is_reuseport && s->cred.uid == t->sk.cred.uid)
		return false;
	if (scope && t->sk.lscope && scope != t->sk.lscope)
		return false;
	return sock_addr_overlap(addr, s->is_v6only, t->sk.laddr, t->sk.is_v6only);
}

static bool tcp_port_free(struct tcp_state *ts, const struct sock *s, const uint8_t *addr,
			  uint32_t scope, uint16_t port)
{
	const struct tcp_sock *t;

	for (t = *tcp_bbucket(ts, port); t; t = t->bhash_next)
		if (&t->sk != s && t->sk.lport == port && tcp_conflict(s, addr, scope, t))
			return false;
	return true;
}

static int tcp_bind(struct sock *s, const uint8_t addr[16], uint16_t port, uint32_t scope)
{
	struct tcp_state *ts = tcp_state_of(s->stack);
	uint16_t lo, hi;

	if (tcp_sk(s)->state != TCPS_CLOSED)
		return -EINVAL;
	if (!port) {
		uint32_t n, i, start;
		sock_port_range(s, &lo, &hi);
		n = (uint32_t)hi - lo + 1;
		start = (uint32_t)(duet_stack_random(s->stack) % n);
		for (i = 0; i < n; i++) {
			uint16_t p = (uint16_t)(lo + (start + i) % n);
			if (tcp_port_free(ts, s, addr, scope, p)) {
				port = p;
				break;
			}
		}
		if (!port)
			return -EADDRINUSE; /* Linux's answer for a full range at bind */
	} else if (!tcp_port_free(ts, s, addr, scope, port)) {
		return -EADDRINUSE;
	}
	memcpy(s->laddr, addr, 16);
	s->lport = port;
	s->lscope = scope;
	tcp_bhash_add(tcp_sk(s));
	return 0;
}

/* RFC 6056 §3.3.3 (Algorithm 3): the search starts at a keyed hash of the
 * destination plus a counter, so successive connections to one peer get
 * spread ports and one port serves many peers. A port is usable if no
 * socket bound it alone and the 4-tuple is new. */
static int tcp_connect_port(struct sock *s, const uint8_t src[16], const uint8_t dst[16],
			    uint16_t dport)
{
	struct tcp_state *ts = tcp_state_of(s->stack);
	uint8_t key[34];
	uint16_t lo, hi;
	uint32_t n, i, off;

	sock_port_range(s, &lo, &hi);
	n = (uint32_t)hi - lo + 1;
	memcpy(key, src, 16);
	memcpy(key + 16, dst, 16);
	memcpy(key + 32, &dport, 2);
	off = (uint32_t)duet_stack_keyed_hash(s->stack, key, sizeof(key));
	for (i = 0; i < n; i++) {
		uint16_t p = (uint16_t)(lo + (off + ts->port_hint + i) % n);
		const struct tcp_sock *t;
		bool ok = true;
		for (t = *tcp_bbucket(ts, p); t && ok; t = t->bhash_next)
			if (t->sk.lport == p && (t->state == TCPS_LISTEN || t->state == TCPS_CLOSED) &&
			    sock_addr_overlap(src, s->is_v6only, t->sk.laddr, t->sk.is_v6only))
				ok = false;
		if (!ok || tcp_ehash_find(s->stack, src, p, dst, dport))
			continue;
		ts->port_hint += i + 1;
		s->lport = p;
		return 0;
	}
	return -EADDRNOTAVAIL; /* Linux: no ephemeral port left */
}

/* --- sequence numbers, clocks --------------------------------------------- */

uint32_t tcp_isn(struct duet_stack *stack, const uint8_t laddr[16], uint16_t lport,
		 const uint8_t faddr[16], uint16_t fport)
{
	/* RFC 6528: ISN = M + F(localip, localport, remoteip, remoteport,
	 * secretkey), M a 4 µs clock, F a keyed hash. */
	uint8_t key[36];

	memcpy(key, laddr, 16);
	memcpy(key + 16, faddr, 16);
	memcpy(key + 32, &lport, 2);
	memcpy(key + 34, &fport, 2);
	return (uint32_t)(duet_stack_now(stack) / 4000u) +
	       (uint32_t)duet_stack_keyed_hash(stack, key, sizeof(key));
}

uint8_t tcp_wscale_for(uint32_t space)
{
	uint8_t ws = 0;

	while (ws < 14 && (space >> ws) > 65535u)
		ws++;
	return ws;
}

uint32_t tcp_ts_now(const struct tcp_sock *tp)
{
	return (uint32_t)(duet_stack_now(tp->sk.stack) / 1000000u) + tp->ts_offset;
}

uint16_t tcp_path_mss(struct tcp_sock *tp)
{
	struct sock *s = &tp->sk;
	bool is_v4 = sock_addr_is_v4(s->faddr);
	uint32_t mtu = 1500, mss;
	uint8_t hdr = is_v4 ? 40 : 60;

	if (is_v4 ? ip4_dst_mtu(s->stack, s->faddr + 12, s->fscope, &mtu) != 0
		  : ip6_dst_mtu(s->stack, s->faddr, s->fscope, &mtu) != 0)
		mtu = is_v4 ? 576 : 1280;
	/* A link that cuts super-segments itself (TSO) is asked for them. */
	tp->gso_max = is_v4 ? ip4_dst_gso_max(s->stack, s->faddr + 12, s->fscope)
			    : ip6_dst_gso_max(s->stack, s->faddr, s->fscope);
	if (!is_v4 && mtu < 1280)
		mtu = 1280;
	if (mtu > 65535u)
		mtu = 65535u; /* a loopback's 64 KiB: no jumbograms */
	mss = mtu > hdr + 64u ? mtu - hdr : 64;
	/* A segment and its headers must fit one pool packet. */
	if (mss > DUET_PKT_MAX_DATA - DUET_PKT_HEADROOM - DUET_TCP_MAX_HDR_LEN)
		mss = DUET_PKT_MAX_DATA - DUET_PKT_HEADROOM - DUET_TCP_MAX_HDR_LEN;
	if (tp->peer_mss && mss > tp->peer_mss)
		mss = tp->peer_mss;
	if (tp->user_mss && mss > tp->user_mss)
		mss = tp->user_mss;
	if (tp->is_ts)
		mss -= 12; /* the timestamp option in every segment */
	if (mss < 64)
		mss = 64;
	return (uint16_t)mss;
}

uint32_t tcp_rcv_space(const struct tcp_sock *tp)
{
	uint32_t max = tp->rcvq.max, used = tp->rcvq.len;

	return max > used ? max - used : 0;
}

bool tcp_challenge_ok(struct tcp_sock *tp)
{
	struct tcp_state *ts = tcp_state_of(tp->sk.stack);
	uint64_t now = duet_stack_now(tp->sk.stack), sec = now / 1000000000ull;

	/* Each connection first (Linux's tcp_invalid_ratelimit): with only
	 * the stack-wide budget, an off-path attacker exhausting it on a
	 * connection of its own reads from the challenge ACKs it still gets
	 * whether its spoofed guesses at another connection hit its window
	 * (CVE-2016-5696). */
	if (tp->last_chal_ns &&
	    now - tp->last_chal_ns < (uint64_t)ts->k.invalid_ratelimit_ms * 1000000ull) {
		stack_count(tp->sk.stack, DUET_CTR_TCP_CHALLENGE_LIMITED);
		return false;
	}
	if (sec != ts->chal_second) {
		ts->chal_second = sec;
		ts->chal_count = 0;
	}
	if (ts->chal_count >= ts->k.challenge_ack_limit) {
		stack_count(tp->sk.stack, DUET_CTR_TCP_CHALLENGE_LIMITED);
		return false;
	}
	ts->chal_count++;
	tp->last_chal_ns = now ? now : 1;
	stack_count(tp->sk.stack, DUET_CTR_TCP_CHALLENGE_ACKS);
	return true;
}

struct tcp_ranges *tcp_ranges_get(struct tcp_sock *tp)
{
	struct tcp_state *ts;

	if (tp->rg)
		return tp->rg;
	ts = tcp_state_of(tp->sk.stack);
	if (ts->ranges_cache) {
		tp->rg = ts->ranges_cache;
		ts->ranges_cache = tp->rg->next;
		ts->n_ranges_cache--;
	} else {
		tp->rg = malloc(sizeof(*tp->rg));
	}
	return tp->rg;
}

static void tcp_ranges_free(struct tcp_sock *tp)
{
	struct tcp_state *ts = tcp_state_of(tp->sk.stack);

	if (!tp->rg)
		return;
	if (ts->n_ranges_cache < TCP_RANGES_CACHE_MAX) {
		tp->rg->next = ts->ranges_cache;
		ts->ranges_cache = tp->rg;
		ts->n_ranges_cache++;
	} else {
		free(tp->rg);
	}
	tp->rg = NULL;
	tp->n_ooo = tp->n_sack = 0;
}

void tcp_ranges_put_if_empty(struct tcp_sock *tp)
{
	if (tp->rg && !tp->n_ooo && !tp->n_sack)
		tcp_ranges_free(tp);
}

void tcp_wake(struct tcp_sock *tp)
{
	if (tp->listener && !tp->is_accepted_queue)
		return;
	sock_wake(tp->listener && tp->is_accepted_queue ? &tp->listener->sk : &tp->sk);
}

/* --- life and death ---------------------------------------------------- */

static void tcp_slow_fire(struct duet_timer *t, void *arg);

static void tcp_tp_init(struct tcp_sock *tp)
{
	struct tcp_state *ts = tcp_state_of(tp->sk.stack);

	tp->state = TCPS_CLOSED;
	tp->cc_algo = (uint8_t)ts->k.default_cc;
	tp->mss = TCP_DEFAULT_MSS;
	tp->keepidle_s = ts->k.keepidle_s;
	tp->keepintvl_s = ts->k.keepintvl_s;
	tp->keepcnt = ts->k.keepcnt;
	tp->syn_retries = ts->k.syn_retries;
	tp->linger2_s = -1;
	tp->rto_us = ts->k.init_rto_ms * 1000u;
	duet_timer_init(&tp->rexmt, tcp_rexmt_fire, tp);
	duet_timer_init(&tp->delack, tcp_delack_fire, tp);
	duet_timer_init(&tp->slow, tcp_slow_fire, tp);
}

void tcp_sock_init(struct sock *s)
{
	struct tcp_state *ts = tcp_state_of(s->stack);

	s->rcvbuf = ts->k.rmem_default;
	s->sndbuf = ts->k.wmem_default;
	tcp_tp_init(tcp_sk(s));
}

void tcp_set_state(struct tcp_sock *tp, uint8_t state)
{
	tp->state = state;
	if (state == TCPS_ESTABLISHED || state == TCPS_CLOSE_WAIT)
		tp->sk.is_connected = true;
	tcp_wake(tp);
}

static void tcp_free(struct tcp_sock *tp)
{
	struct tcp_state *ts = tcp_state_of(tp->sk.stack);

	if (tp->is_orphan && ts->n_orphans)
		ts->n_orphans--;
	tcp_ring_free(&tp->sndq, &ts->rings);
	tcp_ring_free(&tp->rcvq, &ts->rings);
	tcp_ranges_free(tp);
	sock_free(&tp->sk);
}

static void tcp_stop_timers(struct tcp_sock *tp)
{
	struct duet_timer_wheel *tw = &tp->sk.stack->timers;

	duet_tw_cancel(tw, &tp->rexmt);
	tp->rexmt_at = 0;
	duet_tw_cancel(tw, &tp->delack);
	tp->delack_at = 0;
	duet_tw_cancel(tw, &tp->slow);
}

/* Takes tp off its listener's lists. */
static void tcp_unlink_listener(struct tcp_sock *tp)
{
	struct tcp_sock *lp = tp->listener, **pp;

	if (!lp)
		return;
	if (tp->is_accepted_queue) {
		struct tcp_sock *prev = NULL;
		for (pp = &lp->acceptq_head; *pp; prev = *pp, pp = &(*pp)->q_next)
			if (*pp == tp) {
				*pp = tp->q_next;
				if (lp->acceptq_tail == tp)
					lp->acceptq_tail = prev;
				lp->n_acceptq--;
				break;
			}
	} else if (lp->n_synq) {
		lp->n_synq--;
	}
	tp->listener = NULL;
	tp->is_accepted_queue = false;
	tp->q_next = NULL;
}

void tcp_done(struct tcp_sock *tp, int err)
{
	struct sock *s = &tp->sk;
	bool was_hashed = tp->state != TCPS_CLOSED && tp->state != TCPS_LISTEN;

	tcp_stop_timers(tp);
	if (was_hashed)
		tcp_ehash_del(tp);
	if (err)
		s->so_error = err;
	tp->is_reset = err != 0;
	tp->state = TCPS_CLOSED;
	s->is_shut_rd = s->is_shut_wr = true;
	if (tp->listener) {
		/* Never accepted: it goes with nobody to tell. */
		tcp_unlink_listener(tp);
		tcp_bhash_del(tp);
		tcp_free(tp);
		return;
	}
	if (tp->is_orphan) {
		tcp_bhash_del(tp);
		tcp_free(tp);
		return;
	}
	sock_wake(s);
}

struct tcp_sock *tcp_child_new(struct tcp_sock *lp, const struct tcp_seg *sg)
{
	struct sock *c = sock_alloc(lp->sk.stack, &tcp_proto, lp->sk.family, SOCK_STREAM,
				    IPPROTO_TCP, &lp->sk);
	struct tcp_sock *tp;

	if (!c)
		return NULL;
	tp = tcp_sk(c);
	tcp_tp_init(tp);
	tp->cc_algo = lp->cc_algo;
	tp->is_nodelay = lp->is_nodelay;
	tp->keepidle_s = lp->keepidle_s;
	tp->keepintvl_s = lp->keepintvl_s;
	tp->keepcnt = lp->keepcnt;
	tp->user_mss = lp->user_mss;
	tp->user_timeout_ms = lp->user_timeout_ms;
	tp->linger2_s = lp->linger2_s;
	memcpy(c->laddr, sg->dst, 16);
	memcpy(c->saddr, sg->dst, 16);
	memcpy(c->faddr, sg->src, 16);
	c->lport = sg->h.dst_port;
	c->fport = sg->h.src_port;
	c->fscope = !sg->is_v4 && sock_addr_needs_zone(sg->src) ? sg->ifindex : 0;
	c->lscope = lp->sk.lscope ? lp->sk.lscope : c->fscope;
	c->is_bound = true;
	tp->listener = lp;
	tp->state = TCPS_SYN_RECEIVED;
	lp->n_synq++;
	tcp_ehash_add(tp);
	tcp_bhash_add(tp);
	return tp;
}

void tcp_child_ready(struct tcp_sock *tp)
{
	struct tcp_sock *lp = tp->listener;

	if (!lp || tp->is_accepted_queue)
		return;
	if (lp->n_synq)
		lp->n_synq--;
	tp->is_accepted_queue = true;
	tp->q_next = NULL;
	if (lp->acceptq_tail)
		lp->acceptq_tail->q_next = tp;
	else
		lp->acceptq_head = tp;
	lp->acceptq_tail = tp;
	lp->n_acceptq++;
	sock_wake(&lp->sk);
}

/* --- the slow timer: keepalive, FIN-WAIT-2, TIME-WAIT ------------------- */

void tcp_arm_slow(struct tcp_sock *tp, uint64_t after_ns)
{
	duet_tw_arm(&tp->sk.stack->timers, &tp->slow, duet_stack_now(tp->sk.stack) + after_ns);
}

void tcp_arm_keepalive(struct tcp_sock *tp)
{
	if (tp->sk.is_keepalive &&
	    (tp->state == TCPS_ESTABLISHED || tp->state == TCPS_CLOSE_WAIT ||
	     tp->state == TCPS_FIN_WAIT_1 || tp->state == TCPS_FIN_WAIT_2))
		tcp_arm_slow(tp, (uint64_t)tp->keepidle_s * 1000000000ull);
}

/* States whose slow timer is keepalive's or free (never the FIN-WAIT-2
 * or TIME-WAIT timeout). */
static bool tcp_slow_is_free(const struct tcp_sock *tp)
{
	return tp->state == TCPS_ESTABLISHED || tp->state == TCPS_CLOSE_WAIT ||
	       tp->state == TCPS_FIN_WAIT_1;
}

void tcp_ring_idle(struct tcp_sock *tp, struct tcp_ring *r)
{
	struct duet_stack *stack = tp->sk.stack;
	uint64_t at = duet_stack_now(stack) + TCP_RING_IDLE_NS;

	if (r->cap <= TCP_RING_MIN || !tcp_slow_is_free(tp)) {
		tcp_ring_free(r, &tcp_state_of(stack)->rings); /* cached, or the end is near */
		return;
	}
	/* A big ring is kept a little: a bulk sender drains and refills it,
	 * and freeing it each time would map and fault it in again. */
	if (!tp->slow.is_armed || tp->slow.expires_tick * DUET_TW_TICK_NS > at)
		duet_tw_arm(&stack->timers, &tp->slow, at);
}

static void tcp_slow_fire(struct duet_timer *t, void *arg)
{
	struct tcp_sock *tp = arg;
	struct duet_stack *stack = tp->sk.stack;
	uint64_t now = duet_stack_now(stack);
	(void)t;

	if (tp->state == TCPS_TIME_WAIT) {
		tcp_done(tp, 0);
		return;
	}
	if (tcp_slow_is_free(tp)) { /* rings idle since they emptied */
		if (tp->sndq.cap && !tp->sndq.len)
			tcp_ring_free(&tp->sndq, &tcp_state_of(stack)->rings);
		if (tp->rcvq.cap && !tp->rcvq.len && !tp->n_ooo)
			tcp_ring_free(&tp->rcvq, &tcp_state_of(stack)->rings);
	}
	if (tp->state == TCPS_FIN_WAIT_2 && tp->is_orphan) {
		tcp_done(tp, 0); /* tcp_fin_timeout: the peer never closed */
		return;
	}
	if (!tp->sk.is_keepalive || tp->state < TCPS_ESTABLISHED)
		return;
	{
		uint64_t idle = now - tp->last_rcv_ns;
		uint64_t keepidle = (uint64_t)tp->keepidle_s * 1000000000ull;
		if (idle < keepidle && tp->n_keep_probes == 0) {
			tcp_arm_slow(tp, keepidle - idle);
			return;
		}
		if (tp->snd_max != tp->snd_una || tp->sndq.len) {
			/* Data in flight: the retransmission timer watches the peer. */
			tp->n_keep_probes = 0;
			tcp_arm_slow(tp, keepidle);
			return;
		}
		if (tp->n_keep_probes >= tp->keepcnt) {
			stack_count(stack, DUET_CTR_TCP_ABORT_TIMEOUT);
			tcp_send_reset(tp);
			tcp_done(tp, ETIMEDOUT);
			return;
		}
		/* RFC 9293 §3.8.4: SEG.SEQ = SND.NXT - 1, no data. */
		tcp_send_ctl(tp, tp->snd_una - 1, DUET_TCP_ACK);
		tp->n_keep_probes++;
		stack_count(stack, DUET_CTR_TCP_KEEPALIVE_PROBES);
		tcp_arm_slow(tp, (uint64_t)tp->keepintvl_s * 1000000000ull);
	}
}

/* --- socket calls --------------------------------------------------------- */

static int tcp_connect(struct sock *s, const uint8_t addr[16], uint16_t port, uint32_t scope)
{
	struct tcp_sock *tp = tcp_sk(s);
	struct tcp_state *ts = tcp_state_of(s->stack);
	bool is_v4 = sock_addr_is_v4(addr);
	uint8_t src[16];
	int err;

	switch (tp->state) {
	case TCPS_CLOSED:
		if (tp->is_connect_pending) {
			/* The attempt failed: this call reports it, the next one
			 * starts again (Linux's inet_stream_connect). */
			int e = s->so_error ? s->so_error : ECONNABORTED;
			tp->is_connect_pending = false;
			s->so_error = 0;
			return -e;
		}
		break;
	case TCPS_SYN_SENT:
	case TCPS_SYN_RECEIVED:
		return -EALREADY;
	default: /* listening, connected: Linux's inet_stream_connect */
		if (tp->is_connect_pending) {
			tp->is_connect_pending = false;
			return 0; /* the first call after the handshake completed */
		}
		return -EISCONN;
	}
	if (tp->is_reset || s->is_shut_wr) {
		/* Linux lets a reset socket connect again; a closed-down one too. */
		tp->is_reset = false;
		s->is_shut_rd = s->is_shut_wr = false;
		s->is_connected = false;
	}
	if (!port)
		return -ECONNREFUSED; /* Linux: port 0 is never listened on */
	if (is_v4 ? duet_addr4_is_multicast(addr + 12) || duet_addr4_is_broadcast(addr + 12)
		  : duet_addr6_is_multicast(addr))
		return -ENETUNREACH;
	if (s->is_addr_user && sock_addr_is_v4(s->laddr) != is_v4)
		return is_v4 ? -ENETUNREACH : -EAFNOSUPPORT;
	err = dgram_route_source(s, addr, scope ? scope : s->lscope, src);
	if (err)
		return err;
	if (!s->lport) {
		if ((err = tcp_connect_port(s, src, addr, port)) != 0)
			return err;
		memcpy(s->laddr, src, 16);
		tcp_bhash_add(tp);
	} else {
		if (!s->is_addr_user)
			memcpy(s->laddr, src, 16);
		if (tcp_ehash_find(s->stack, s->laddr, s->lport, addr, port))
			return -EADDRNOTAVAIL;
	}
	s->is_bound = true;
	memcpy(s->saddr, s->laddr, 16);
	memcpy(s->faddr, addr, 16);
	s->fport = port;
	s->fscope = scope ? scope : (!is_v4 && sock_addr_needs_zone(addr) ? s->lscope : 0);
	tp->iss = tcp_isn(s->stack, s->laddr, s->lport, addr, port);
	tp->snd_una = tp->snd_nxt = tp->snd_max = tp->iss;
	tp->snd_base = tp->iss + 1;
	tp->ts_offset = (uint32_t)duet_stack_keyed_hash(s->stack, &tp->iss, sizeof(tp->iss));
	tp->peer_mss = 0;
	tp->mss = tcp_path_mss(tp);
	tp->advmss = tp->mss;
	tp->n_retries = 0;
	tp->backoff = 0;
	tp->rto_us = ts->k.init_rto_ms * 1000u;
	tp->recover = tp->iss;
	tp->rcvq.max = s->rcvbuf;
	tp->rcv_wscale = tcp_state_of(s->stack)->k.window_scaling ? tcp_wscale_for(s->rcvbuf) : 0;
	tp->state = TCPS_SYN_SENT;
	tcp_ehash_add(tp);
	stack_count(s->stack, DUET_CTR_TCP_ACTIVE_OPENS);
	tp->rtt_start_ns = duet_stack_now(s->stack);
	tcp_send_ctl(tp, tp->iss, DUET_TCP_SYN);
	tp->snd_nxt = tp->snd_max = tp->iss + 1;
	tcp_rearm_rexmt(tp);
	tp->is_connect_pending = true;
	return -EINPROGRESS;
}

static int tcp_connect_done(struct sock *s)
{
	struct tcp_sock *tp = tcp_sk(s);

	if (tp->state == TCPS_SYN_SENT || tp->state == TCPS_SYN_RECEIVED)
		return -EINPROGRESS;
	tp->is_connect_pending = false; /* the blocking connect() tells it */
	if (s->so_error) {
		int err = s->so_error;
		s->so_error = 0;
		return -err;
	}
	return tp->state == TCPS_CLOSED ? -ECONNABORTED : 0;
}

/* A listener stops: every connection not accepted yet, established or
 * half-open, is reset (RFC 9293 §3.10.4). */
static void tcp_listen_stop(struct tcp_sock *tp)
{
	struct tcp_state *ts = tcp_state_of(tp->sk.stack);
	uint32_t i;

	while (tp->acceptq_head) {
		struct tcp_sock *c = tp->acceptq_head;
		tcp_send_reset(c);
		tcp_done(c, 0);
	}
	/* Half-open children are found by their listener pointer. */
	for (i = 0; i <= ts->ehash_mask && tp->n_synq; i++) {
		struct tcp_sock *c = ts->ehash[i], *next;
		for (; c; c = next) {
			next = c->ehash_next;
			if (c->listener == tp) {
				tcp_send_reset(c);
				tcp_done(c, 0);
			}
		}
	}
	tcp_lhash_del(tp);
	tp->state = TCPS_CLOSED;
	sock_wake(&tp->sk);
}

static int tcp_disconnect(struct sock *s)
{
	/* connect(AF_UNSPEC) on a stream socket: Linux aborts the connection
	 * (a reset) and leaves it CLOSED to use again. */
	struct tcp_sock *tp = tcp_sk(s);

	tp->is_connect_pending = false;
	if (tp->state == TCPS_LISTEN) {
		tcp_listen_stop(tp);
		return 0;
	}
	if (tp->state != TCPS_CLOSED) {
		if (tp->state != TCPS_SYN_SENT)
			tcp_send_reset(tp);
		tcp_done(tp, 0);
	}
	return 0;
}

static int tcp_listen(struct sock *s, int backlog)
{
	struct tcp_sock *tp = tcp_sk(s);
	struct tcp_state *ts = tcp_state_of(s->stack);
	int err;

	if (tp->state != TCPS_CLOSED && tp->state != TCPS_LISTEN)
		return -EINVAL;
	if (s->is_connected)
		return -EINVAL; /* once connected, never a listener (Linux: not SS_UNCONNECTED) */
	if (backlog < 0)
		backlog = 0;
	if ((uint32_t)backlog > ts->k.somaxconn)
		backlog = (int)ts->k.somaxconn;
	tp->backlog = (uint32_t)backlog;
	if (tp->state == TCPS_LISTEN)
		return 0;
	tp->is_reset = false; /* after a failed connect */
	s->is_shut_rd = s->is_shut_wr = false;
	s->so_error = 0;
	if (!s->lport) {
		uint8_t any[16];
		sock_addr_wildcard(s, any);
		err = tcp_bind(s, any, 0, s->lscope);
		if (err)
			return err;
		s->is_bound = true;
	} else {
		/* A port shared by SO_REUSEADDR with a socket that now listens
		 * is a clash (Linux checks again at listen). */
		const struct tcp_sock *t;
		for (t = *tcp_lbucket(ts, s->lport); t; t = t->lhash_next)
			if (t != tp && t->sk.lport == s->lport && t->state == TCPS_LISTEN &&
			    tcp_conflict(s, s->laddr, s->lscope, t))
				return -EADDRINUSE;
	}
	tp->state = TCPS_LISTEN;
	tcp_lhash_add(tp);
	return 0;
}

static int tcp_accept(struct sock *s, struct sock **child)
{
	struct tcp_sock *lp = tcp_sk(s), *tp;

	if (lp->state != TCPS_LISTEN)
		return -EINVAL;
	tp = lp->acceptq_head;
	if (!tp)
		return -EAGAIN;
	tcp_unlink_listener(tp);
	*child = &tp->sk;
	sock_wake(s);
	return 0;
}

static ssize_t tcp_sendmsg(struct sock *s, const struct msghdr *msg, size_t len,
			   const uint8_t *addr, uint16_t port, uint32_t scope, int flags,
			   const struct sock_txopt *tx)
{
	struct tcp_sock *tp = tcp_sk(s);
	uint32_t n;
	(void)addr, (void)port, (void)scope, (void)tx;

	if (s->so_error) {
		int err = s->so_error;
		s->so_error = 0;
		return -err;
	}
	if (s->is_shut_wr || tp->is_fin_queued)
		return -EPIPE;
	switch (tp->state) {
	case TCPS_ESTABLISHED:
	case TCPS_CLOSE_WAIT:
		break;
	case TCPS_SYN_SENT:
	case TCPS_SYN_RECEIVED:
		return -EAGAIN; /* wait for the handshake */
	default:
		return -EPIPE; /* Linux: sk_stream_wait_connect, even never connected */
	}
	if (!len)
		return 0;
	tp->sndq.max = s->sndbuf;
	n = tcp_ring_append_iov(&tp->sndq, msg, len > UINT32_MAX / 2 ? UINT32_MAX / 2 : (uint32_t)len,
				&tcp_state_of(s->stack)->rings);
	if (!n)
		return -EAGAIN;
	if (!(flags & MSG_MORE))
		tcp_output(tp);
	return (ssize_t)n;
}

static ssize_t tcp_recvmsg(struct sock *s, struct msghdr *msg, size_t len, int flags)
{
	struct tcp_sock *tp = tcp_sk(s);
	uint32_t n;

	if (tp->state == TCPS_LISTEN)
		return -ENOTCONN;
	if (!tp->rcvq.len) {
		if (tp->is_fin_rcvd)
			return 0; /* the end of the stream before an error (Linux's SOCK_DONE) */
		if (s->so_error) {
			int err = s->so_error;
			s->so_error = 0;
			return -err;
		}
		if (s->is_shut_rd)
			return 0;
		if (tp->state == TCPS_CLOSED)
			return tp->is_reset || s->is_connected ? 0 : -ENOTCONN;
		return -EAGAIN; /* nothing yet (the handshake may still run) */
	}
	if (!len)
		return 0;
	n = tcp_ring_read_iov(&tp->rcvq, msg, len > UINT32_MAX ? UINT32_MAX : (uint32_t)len);
	if (flags & MSG_PEEK)
		return n;
	tcp_ring_consume(&tp->rcvq, n);
	if (!tp->rcvq.len && !tp->n_ooo)
		tcp_ring_idle(tp, &tp->rcvq); /* idle: no buffer */
	/* Receiver SWS avoidance (RFC 9293 §3.8.6.2.2): tell the peer of the
	 * window once it opened by min(half the buffer, 2 MSS) beyond what
	 * was last advertised. */
	if (tp->state == TCPS_ESTABLISHED || tp->state == TCPS_FIN_WAIT_1 ||
	    tp->state == TCPS_FIN_WAIT_2) {
		uint32_t adv_left = tp->rcv_adv - tp->rcv_nxt;
		uint32_t now_wnd = tcp_rcv_space(tp);
		uint32_t step = tp->rcvq.max / 2 < 2u * tp->advmss ? tp->rcvq.max / 2 : 2u * tp->advmss;
		if (now_wnd >= adv_left + step) {
			tp->is_ack_now = true;
			tcp_output(tp);
		}
	}
	return n;
}

static short tcp_poll(const struct sock *s)
{
	const struct tcp_sock *tp = tcp_sk(s);
	short ev = 0;

	if (s->so_error)
		ev |= POLLERR;
	if (tp->state == TCPS_LISTEN)
		return (short)(ev | (tp->acceptq_head ? POLLIN | POLLRDNORM : 0));
	if (tp->state == TCPS_SYN_SENT || tp->state == TCPS_SYN_RECEIVED)
		return ev;
	if (tp->state == TCPS_CLOSED && !s->is_connected && !tp->is_reset)
		return (short)(ev | POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM |
			       POLLHUP); /* as Linux's tcp_poll for a new socket */
	if (tp->rcvq.len || tp->is_fin_rcvd || s->is_shut_rd)
		ev |= POLLIN | POLLRDNORM;
	if (tp->is_fin_rcvd || s->is_shut_rd)
		ev |= POLLRDHUP; /* Linux: RCV_SHUTDOWN, from the peer's FIN or ours */
	if ((s->is_shut_rd && s->is_shut_wr) || tp->state == TCPS_CLOSED)
		ev |= POLLHUP;
	if (s->is_shut_wr || tp->state == TCPS_CLOSED) {
		ev |= POLLOUT | POLLWRNORM; /* a send would not block (it fails) */
	} else if (tp->state == TCPS_ESTABLISHED || tp->state == TCPS_CLOSE_WAIT) {
		/* Writable while a third of the buffer is free (Linux:
		 * sk_stream_wspace >= sk_stream_min_wspace). */
		uint32_t room = s->sndbuf > tp->sndq.len ? s->sndbuf - tp->sndq.len : 0;
		if (room >= s->sndbuf / 3)
			ev |= POLLOUT | POLLWRNORM;
	}
	return ev;
}

/* Queues our FIN and moves to the state after it (RFC 9293 §3.10.4). */
static void tcp_queue_fin(struct tcp_sock *tp)
{
	if (tp->is_fin_queued)
		return;
	switch (tp->state) {
	case TCPS_SYN_RECEIVED:
		/* RFC 9293 §3.10.4: our SYN is not acknowledged yet, so the
		 * FIN waits for ESTABLISHED (tcp_ack_input); FIN-WAIT-1 now
		 * would retransmit the SYN's sequence number as data. */
		tp->is_fin_queued = true;
		return;
	case TCPS_ESTABLISHED:
		tp->state = TCPS_FIN_WAIT_1;
		break;
	case TCPS_CLOSE_WAIT:
		tp->state = TCPS_LAST_ACK;
		break;
	default:
		return;
	}
	tp->is_fin_queued = true;
	tcp_output(tp);
}

static int tcp_shutdown(struct sock *s, int how)
{
	struct tcp_sock *tp = tcp_sk(s);

	switch (tp->state) {
	case TCPS_CLOSED:
		return -ENOTCONN;
	case TCPS_LISTEN:
		if (how == SHUT_WR)
			return -ENOTCONN;
		tcp_listen_stop(tp); /* as Linux */
		return 0;
	case TCPS_SYN_SENT:
		tcp_done(tp, 0);
		s->is_shut_rd = s->is_shut_wr = false;
		tp->is_connect_pending = false; /* Linux: SS_UNCONNECTED again */
		return 0;
	default:
		break;
	}
	if (how != SHUT_WR)
		s->is_shut_rd = true;
	if (how != SHUT_RD) {
		tcp_queue_fin(tp);
		s->is_shut_wr = true;
	}
	sock_wake(s);
	return 0;
}

/* close() with nothing left to finish: the socket layer frees the socket
 * (it is not kept), what TCP holds besides goes here. */
static void tcp_release(struct tcp_sock *tp)
{
	struct tcp_state *ts = tcp_state_of(tp->sk.stack);

	tcp_bhash_del(tp);
	tcp_ring_free(&tp->sndq, &ts->rings);
	tcp_ring_free(&tp->rcvq, &ts->rings);
	tcp_ranges_free(tp);
}

static void tcp_close(struct sock *s)
{
	struct tcp_sock *tp = tcp_sk(s);
	struct tcp_state *ts = tcp_state_of(s->stack);

	switch (tp->state) {
	case TCPS_LISTEN:
		tcp_listen_stop(tp);
		tcp_release(tp);
		return;
	case TCPS_CLOSED:
		tcp_stop_timers(tp);
		tcp_release(tp);
		return;
	case TCPS_SYN_SENT:
		tcp_done(tp, 0);
		tcp_release(tp);
		return;
	default:
		break;
	}
	if (tp->state != TCPS_TIME_WAIT &&
	    (tp->rcvq.len || (s->linger.l_onoff && s->linger.l_linger == 0) ||
	     ts->n_orphans >= ts->k.max_orphans)) {
		/* RFC 9293 §3.10.4 / RFC 2525 §2.17: data the application never
		 * read, or an abortive close: reset. */
		stack_count(s->stack, ts->n_orphans >= ts->k.max_orphans
					      ? DUET_CTR_TCP_ORPHAN_OVERFLOW
					      : DUET_CTR_TCP_ABORT_ON_CLOSE);
		tcp_send_reset(tp);
		tcp_done(tp, 0);
		tcp_release(tp);
		return;
	}
	/* The connection finishes on its own (TIME-WAIT too: it is over, no
	 * reset for what was left unread; Linux's socket is CLOSED by then):
	 * the protocol keeps the socket. */
	s->is_kept = true;
	tp->is_orphan = true;
	ts->n_orphans++;
	s->is_shut_rd = true;
	tcp_queue_fin(tp);
	if (tp->state == TCPS_FIN_WAIT_2) {
		tcp_arm_slow(tp, (uint64_t)(tp->linger2_s > 0 ? (uint32_t)tp->linger2_s * 1000u
							      : ts->k.fin_timeout_ms) *
					 1000000ull);
	}
}

static bool tcp_linger(struct sock *s, bool is_start)
{
	struct tcp_sock *tp = tcp_sk(s);

	if (is_start) {
		if (tp->rcvq.len || (tp->state != TCPS_ESTABLISHED && tp->state != TCPS_CLOSE_WAIT &&
				     tp->state != TCPS_FIN_WAIT_1 && tp->state != TCPS_LAST_ACK &&
				     tp->state != TCPS_CLOSING))
			return false; /* nothing to wait for, or a reset follows */
		tcp_queue_fin(tp);
		s->is_shut_wr = true;
	}
	/* Until our FIN is acknowledged (Linux: FIN-WAIT-1, CLOSING, LAST-ACK). */
	return tp->state == TCPS_FIN_WAIT_1 || tp->state == TCPS_CLOSING ||
	       tp->state == TCPS_LAST_ACK;
}

/* --- options ----------------------------------------------------------- */

static int tcp_get_info(struct tcp_sock *tp, void *val, socklen_t *len)
{
	struct tcp_info ti;
	uint64_t now = duet_stack_now(tp->sk.stack);

	memset(&ti, 0, sizeof(ti));
	ti.tcpi_state = tp->state;
	ti.tcpi_ca_state = tp->is_in_recovery ? 3 /* TCP_CA_Recovery */ : 0;
	ti.tcpi_retransmits = tp->n_retries;
	ti.tcpi_probes = tp->n_keep_probes;
	ti.tcpi_backoff = tp->backoff;
	ti.tcpi_options = (tp->is_ts ? 1 : 0) | (tp->is_sack ? 2 : 0) | (tp->is_ws ? 4 : 0);
	ti.tcpi_snd_wscale = tp->is_ws ? tp->snd_wscale & 15 : 0;
	ti.tcpi_rcv_wscale = tp->is_ws ? tp->rcv_wscale & 15 : 0;
	ti.tcpi_rto = tp->rto_us;
	ti.tcpi_ato = tcp_state_of(tp->sk.stack)->k.delack_ms * 1000u;
	ti.tcpi_snd_mss = tp->mss;
	ti.tcpi_rcv_mss = tp->advmss;
	ti.tcpi_unacked = tp->mss ? (tp->snd_max - tp->snd_una + tp->mss - 1) / tp->mss : 0;
	ti.tcpi_sacked = tp->mss ? tcp_sacked_bytes(tp) / tp->mss : 0;
	ti.tcpi_lost = tp->lost_out;
	ti.tcpi_retrans = tp->is_in_recovery ? 1 : 0;
	ti.tcpi_last_data_sent = (uint32_t)((now - tp->last_data_sent_ns) / 1000000u);
	ti.tcpi_last_data_recv = (uint32_t)((now - tp->last_data_recv_ns) / 1000000u);
	ti.tcpi_last_ack_recv = (uint32_t)((now - tp->last_ack_recv_ns) / 1000000u);
	ti.tcpi_pmtu = tp->mss + (sock_addr_is_v4(tp->sk.faddr) ? 40u : 60u) + (tp->is_ts ? 12u : 0u);
	ti.tcpi_rcv_ssthresh = tcp_rcv_space(tp);
	ti.tcpi_rtt = tp->srtt_us;
	ti.tcpi_rttvar = tp->rttvar_us;
	ti.tcpi_snd_ssthresh = tp->ssthresh == UINT32_MAX / 2 ? 0x7fffffff : tp->ssthresh / (tp->mss ? tp->mss : 1);
	ti.tcpi_snd_cwnd = tp->cwnd / (tp->mss ? tp->mss : 1);
	ti.tcpi_advmss = tp->advmss;
	ti.tcpi_reordering = 3;
	ti.tcpi_rcv_space = tp->rcvq.max;
	ti.tcpi_total_retrans = tp->total_retrans;
	return sock_out_buf(&ti, sizeof(ti), val, len);
}

/* IPV6_PKTOPTIONS on a TCP socket (A-7; Linux's do_ipv6_getsockopt): the
 * ancillary objects of the last segment received, as the receive
 * switches ask for them. */
static int tcp_get_pktoptions(struct tcp_sock *tp, void *val, socklen_t *len)
{
	struct sock *s = &tp->sk;
	uint8_t buf[256];
	struct msghdr m;
	struct cmsghdr *c;
	size_t used = 0;

	memset(buf, 0, sizeof(buf));
	memset(&m, 0, sizeof(m));
	m.msg_control = buf;
	m.msg_controllen = sizeof(buf);
	c = CMSG_FIRSTHDR(&m);
	if (s->rxopt & (SOCK_RX_PKTINFO | SOCK_RX_2292PKTINFO)) {
		struct in6_pktinfo pi;
		memcpy(&pi.ipi6_addr, tp->last_dst, 16);
		pi.ipi6_ifindex = tp->last_ifindex;
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = s->rxopt & SOCK_RX_PKTINFO ? IPV6_PKTINFO : IPV6_2292PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		used += CMSG_SPACE(sizeof(pi));
		c = (struct cmsghdr *)(buf + used);
	}
	if (s->rxopt & (SOCK_RX_HOPLIMIT | SOCK_RX_2292HOPLIMIT)) {
		int v = tp->last_hlim;
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = s->rxopt & SOCK_RX_HOPLIMIT ? IPV6_HOPLIMIT : IPV6_2292HOPLIMIT;
		c->cmsg_len = CMSG_LEN(sizeof(v));
		memcpy(CMSG_DATA(c), &v, sizeof(v));
		used += CMSG_SPACE(sizeof(v));
		c = (struct cmsghdr *)(buf + used);
	}
	if (s->rxopt & SOCK_RX_TCLASS) {
		int v = tp->last_tclass;
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_TCLASS;
		c->cmsg_len = CMSG_LEN(sizeof(v));
		memcpy(CMSG_DATA(c), &v, sizeof(v));
		used += CMSG_SPACE(sizeof(v));
		c = (struct cmsghdr *)(buf + used);
	}
	if (s->rxopt & SOCK_RX_FLOWINFO) {
		uint32_t v = htonl(tp->last_flow);
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = DUET_IPV6_FLOWINFO;
		c->cmsg_len = CMSG_LEN(sizeof(v));
		memcpy(CMSG_DATA(c), &v, sizeof(v));
		used += CMSG_SPACE(sizeof(v));
	}
	return sock_out_buf(buf, (socklen_t)used, val, len);
}

static int tcp_setopt(struct sock *s, int level, int name, const void *val, socklen_t len)
{
	struct tcp_sock *tp = tcp_sk(s);
	int v;

	if (level == SOL_SOCKET) {
		if (name == SO_KEEPALIVE && len >= (socklen_t)sizeof(int)) {
			memcpy(&v, val, sizeof(v));
			s->is_keepalive = v != 0;
			if (v)
				tcp_arm_keepalive(tp);
			return 0;
		}
		return 1;
	}
	if (level != IPPROTO_TCP)
		return 1;
	if (name == TCP_CONGESTION) {
		int a = tcp_cc_by_name(val, strnlen(val, len));
		if (a < 0)
			return -ENOENT; /* Linux: no such algorithm */
		if (a != tp->cc_algo) {
			tp->cc_algo = (uint8_t)a;
			memset(&tp->cubic, 0, sizeof(tp->cubic));
		}
		return 0;
	}
	if (len < (socklen_t)sizeof(int))
		return -EINVAL;
	memcpy(&v, val, sizeof(v));
	switch (name) {
	case TCP_NODELAY:
		tp->is_nodelay = v != 0;
		if (v)
			tcp_output(tp); /* Linux pushes what waits */
		return 0;
	case TCP_CORK:
		tp->is_cork = v != 0;
		if (!v)
			tcp_output(tp);
		return 0;
	case TCP_MAXSEG:
		if (v && (v < 88 || v > 65535))
			return -EINVAL; /* Linux: TCP_MIN_MSS .. MAX_TCP_WINDOW */
		tp->user_mss = (uint16_t)v;
		return 0;
	case TCP_KEEPIDLE:
		if (v < 1 || v > 32767)
			return -EINVAL;
		tp->keepidle_s = (uint32_t)v;
		tcp_arm_keepalive(tp);
		return 0;
	case TCP_KEEPINTVL:
		if (v < 1 || v > 32767)
			return -EINVAL;
		tp->keepintvl_s = (uint32_t)v;
		return 0;
	case TCP_KEEPCNT:
		if (v < 1 || v > 127)
			return -EINVAL;
		tp->keepcnt = (uint32_t)v;
		return 0;
	case TCP_SYNCNT:
		if (v < 1 || v > 127)
			return -EINVAL;
		tp->syn_retries = (uint32_t)v;
		return 0;
	case TCP_LINGER2:
		tp->linger2_s = v < 0 ? -1 : v;
		return 0;
	case TCP_QUICKACK:
		tp->is_quickack = v != 0;
		if (v && tp->delack_at) { /* the ACK owed goes now */
			tp->is_ack_now = true;
			tcp_output(tp);
		}
		return 0;
	case TCP_USER_TIMEOUT:
		if (v < 0)
			return -EINVAL;
		tp->user_timeout_ms = (uint32_t)v;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

static int tcp_getopt(struct sock *s, int level, int name, void *val, socklen_t *len)
{
	struct tcp_sock *tp = tcp_sk(s);
	int v;

	if (level == SOL_SOCKET && name == SO_ACCEPTCONN)
		return sock_out_int(tp->state == TCPS_LISTEN, val, len);
	if (level == IPPROTO_IPV6 && name == IPV6_2292PKTOPTIONS && s->family == AF_INET6)
		return tcp_get_pktoptions(tp, val, len);
	if (level != IPPROTO_TCP)
		return 1;
	switch (name) {
	case TCP_NODELAY: v = tp->is_nodelay; break;
	case TCP_CORK: v = tp->is_cork; break;
	case TCP_MAXSEG:
		v = tp->state == TCPS_CLOSED || tp->state == TCPS_LISTEN
			    ? (tp->user_mss ? tp->user_mss : TCP_DEFAULT_MSS)
			    : tp->mss;
		break;
	case TCP_KEEPIDLE: v = (int)tp->keepidle_s; break;
	case TCP_KEEPINTVL: v = (int)tp->keepintvl_s; break;
	case TCP_KEEPCNT: v = (int)tp->keepcnt; break;
	case TCP_SYNCNT: v = (int)tp->syn_retries; break;
	case TCP_LINGER2:
		v = tp->linger2_s >= 0 ? tp->linger2_s
				       : (int)(tcp_state_of(s->stack)->k.fin_timeout_ms / 1000u);
		break;
	case TCP_QUICKACK: v = tp->is_quickack; break;
	case TCP_USER_TIMEOUT: v = (int)tp->user_timeout_ms; break;
	case TCP_INFO: return tcp_get_info(tp, val, len);
	case TCP_CONGESTION: {
		char name_buf[16];
		memset(name_buf, 0, sizeof(name_buf));
		strncpy(name_buf, tcp_cc_name(tp->cc_algo), sizeof(name_buf) - 1);
		return sock_out_buf(name_buf, sizeof(name_buf), val, len);
	}
	default: return -ENOPROTOOPT;
	}
	return sock_out_int(v, val, len);
}

const struct sock_proto tcp_proto = {
	.type = SOCK_STREAM,
	.protocol = IPPROTO_TCP,
	.bind = tcp_bind,
	.connect = tcp_connect,
	.disconnect = tcp_disconnect,
	.sendmsg = tcp_sendmsg,
	.close = tcp_close,
	.obj_size = sizeof(struct tcp_sock),
	.listen = tcp_listen,
	.accept = tcp_accept,
	.recvmsg = tcp_recvmsg,
	.poll = tcp_poll,
	.shutdown = tcp_shutdown,
	.setopt = tcp_setopt,
	.getopt = tcp_getopt,
	.connect_done = tcp_connect_done,
	.linger = tcp_linger,
};

/* --- module --------------------------------------------------------------- */

static void tcp_knobs_default(struct tcp_knobs *k)
{
	k->syn_retries = 6;
	k->synack_retries = 5;
	k->retries2 = 15;
	k->max_syn_backlog = 1024;
	k->somaxconn = 4096;
	k->syncookies = 1;
	k->sack = k->timestamps = k->window_scaling = 1;
	k->fin_timeout_ms = 60000;
	k->time_wait_ms = 60000;
	k->keepidle_s = 7200;
	k->keepintvl_s = 75;
	k->keepcnt = 9;
	k->min_rto_ms = 200;
	k->max_rto_ms = 120000;
	k->init_rto_ms = 1000;
	k->delack_ms = 40;
	k->rmem_default = 1u << 20;
	k->wmem_default = 1u << 20;
	k->max_orphans = 65536;
	k->default_cc = TCP_CC_CUBIC;
	k->rfc5961 = 1;
	k->challenge_ack_limit = 1000;
	k->invalid_ratelimit_ms = 500;
}

int tcp_init(struct duet_stack *stack)
{
	struct tcp_state *ts = calloc(1, sizeof(*ts));

	if (!ts)
		return -ENOMEM;
	ts->ehash = calloc(TCP_EHASH_MIN, sizeof(*ts->ehash));
	if (!ts->ehash) {
		free(ts);
		return -ENOMEM;
	}
	ts->ehash_mask = TCP_EHASH_MIN - 1;
	tcp_knobs_default(&ts->k);
	stack->sock->tcp = ts;
	ip6_set_upper(stack, IPPROTO_TCP, tcp6_input);
	ip4_set_upper(stack, IPPROTO_TCP, tcp4_input);
	net_set_err_handler(stack, IPPROTO_TCP, tcp_err);
	return 0;
}

void tcp_fini(struct duet_stack *stack)
{
	struct tcp_state *ts = stack->sock ? tcp_state_of(stack) : NULL;
	uint32_t i;

	if (!ts)
		return;
	/* What is left has no descriptor: closing connections, children not
	 * accepted. */
	for (i = 0; i <= ts->ehash_mask; i++) {
		struct tcp_sock *tp = ts->ehash[i], *next;
		for (; tp; tp = next) {
			next = tp->ehash_next;
			tcp_stop_timers(tp);
			tcp_free(tp);
		}
	}
	tcp_ring_cache_drain(&ts->rings);
	while (ts->ranges_cache) {
		struct tcp_ranges *r = ts->ranges_cache;
		ts->ranges_cache = r->next;
		free(r);
	}
	free(ts->ehash);
	free(ts);
	stack->sock->tcp = NULL;
}

struct tcp_knobs *tcp_knobs_of(struct duet_stack *stack)
{
	return &tcp_state_of(stack)->k;
}
