/* duet — what the TCP files share (tcp.c: sockets, tables, timers and
 * options; tcp_input.c: segment arrival; tcp_output.c: segments out and
 * retransmission; tcp_cc.c: congestion control; tcp_buf.c: the byte
 * rings). Not a public header.
 *
 * One connection is one struct tcp_sock: the socket (struct sock, first)
 * and its control block (RFC 9293 §3.3.1's TCB). Sequence numbers are
 * compared modulo 2^32 (tcp_lt ...). Send data waits in a ring from
 * snd_base (the first byte not acknowledged) on; received data in a ring
 * whose free space is the window, out-of-order data already in place
 * with its ranges remembered (rcv_ooo, bounded). */
#ifndef DUET_TRANSPORT_TCP_INTERNAL_H
#define DUET_TRANSPORT_TCP_INTERNAL_H

#include "socket/sock_api.h"
#include "net/ip4.h"
#include "net/ip6.h"
#include "net/net.h"
#include "transport/tcp.h"

#include <duet/wire/tcp.h>

#include <netinet/tcp.h>

/* Connection states, numbered as Linux's tcp_info.tcpi_state. */
enum tcp_cstate {
	TCPS_ESTABLISHED = 1,
	TCPS_SYN_SENT = 2,
	TCPS_SYN_RECEIVED = 3,
	TCPS_FIN_WAIT_1 = 4,
	TCPS_FIN_WAIT_2 = 5,
	TCPS_TIME_WAIT = 6,
	TCPS_CLOSED = 7,
	TCPS_CLOSE_WAIT = 8,
	TCPS_LAST_ACK = 9,
	TCPS_LISTEN = 10,
	TCPS_CLOSING = 11,
};

static inline bool tcp_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool tcp_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline bool tcp_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline bool tcp_ge(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }
static inline uint32_t tcp_max_seq(uint32_t a, uint32_t b) { return tcp_gt(a, b) ? a : b; }
static inline uint32_t tcp_min_seq(uint32_t a, uint32_t b) { return tcp_lt(a, b) ? a : b; }

/* A ring of bytes that grows (doubling) up to max as it fills; no buffer
 * while it has never held data (tcp_buf.c). */
struct tcp_ring {
	uint8_t *buf;
	uint32_t cap;     /* bytes allocated (a power of two), 0: none */
	uint32_t head;    /* offset of the first byte */
	uint32_t len;     /* bytes held from head */
	uint32_t max;     /* the most it may grow to */
};

/* Rings start at this size; empty small ones wait in a per-stack cache
 * for the next connection that needs one. */
#define TCP_RING_MIN 4096u
#define TCP_RING_CACHE_MAX 256u

struct tcp_ring_cache {
	uint8_t *bufs[TCP_RING_CACHE_MAX];
	uint32_t n;
};

/* Makes room for end bytes from the head (a small ring from the cache).
 * Returns 0 or -ENOMEM (beyond max too). */
int tcp_ring_reserve(struct tcp_ring *r, uint32_t end, struct tcp_ring_cache *c);
/* Copies n bytes to the ring at off from the head (within reserve). */
void tcp_ring_write(struct tcp_ring *r, uint32_t off, const uint8_t *p, uint32_t n);
/* Copies n bytes at off from the head out to p. */
void tcp_ring_read(const struct tcp_ring *r, uint32_t off, uint8_t *p, uint32_t n);
/* Appends up to n bytes gathered from msg's buffers (from the start);
 * returns how many fit. */
uint32_t tcp_ring_append_iov(struct tcp_ring *r, const struct msghdr *msg, uint32_t n,
			     struct tcp_ring_cache *c);
/* Copies up to n bytes from the head into msg's buffers; returns the count. */
uint32_t tcp_ring_read_iov(const struct tcp_ring *r, struct msghdr *msg, uint32_t n);
/* Drops n bytes from the head. */
void tcp_ring_consume(struct tcp_ring *r, uint32_t n);
/* Gives the buffer back (a small one to the cache c, which may be NULL):
 * an idle connection holds no buffer. */
void tcp_ring_free(struct tcp_ring *r, struct tcp_ring_cache *c);
void tcp_ring_cache_drain(struct tcp_ring_cache *c);

/* Out-of-order ranges kept per connection (RFC 2018 reports up to 4): as
 * many as a lossy path leaves in a 1 MiB window, since a segment that
 * would open one more is dropped and must come again. */
#define TCP_OOO_MAX 128u
/* SACKed ranges the sender remembers above snd_una. */
#define TCP_SACK_MAX 128u
/* Empty range blocks a stack keeps for the next connection that loses. */
#define TCP_RANGES_CACHE_MAX 64u

struct tcp_range {
	uint32_t start, end; /* [start, end) */
};

/* What a connection knows of holes, only while there are some: its
 * out-of-order ranges (receiver) and the peer's SACK scoreboard (sender).
 * Allocated when the first range appears, given back when both are empty,
 * so an idle or loss-free connection carries a pointer, not the arrays. */
struct tcp_ranges {
	struct tcp_range ooo[TCP_OOO_MAX];     /* received above rcv_nxt, newest first */
	struct tcp_range sacked[TCP_SACK_MAX]; /* sorted */
	struct tcp_ranges *next;               /* in the stack's cache */
};

/* Congestion control algorithms (TCP_CONGESTION). */
enum tcp_cc_algo {
	TCP_CC_CUBIC,
	TCP_CC_NEWRENO,
};

struct tcp_sock;

/* The knobs (net.ipv4.tcp_* and ours; socket/sysctl.c names them). All
 * uint32_t so the sysctl table can reach each by offset. */
struct tcp_knobs {
	uint32_t syn_retries;       /* tcp_syn_retries: 6 */
	uint32_t synack_retries;    /* tcp_synack_retries: 5 */
	uint32_t retries2;          /* tcp_retries2: 15 */
	uint32_t max_syn_backlog;   /* half-open connections per listener: 1024 */
	uint32_t somaxconn;         /* backlog cap: 4096 */
	uint32_t syncookies;        /* when the SYN queue is full: 1 */
	uint32_t sack, timestamps, window_scaling; /* offered in our SYNs: 1 */
	uint32_t fin_timeout_ms;    /* tcp_fin_timeout: 60 s */
	uint32_t time_wait_ms;      /* 2 MSL: 60 s, as Linux */
	uint32_t keepidle_s, keepintvl_s, keepcnt; /* 7200, 75, 9 */
	uint32_t min_rto_ms, max_rto_ms, init_rto_ms; /* 200, 120000, 1000 */
	uint32_t delack_ms;         /* 40 */
	uint32_t rmem_default, wmem_default; /* SO_RCVBUF / SO_SNDBUF of new
				     * TCP sockets, the rings' limits: 1 MiB */
	uint32_t max_orphans;       /* closed connections still finishing: 65536 */
	uint32_t default_cc;        /* enum tcp_cc_algo: CUBIC */
	uint32_t rfc5961;           /* challenge ACKs: 1 */
	uint32_t challenge_ack_limit; /* per second: 1000 (RFC 5961 §7) */
	uint32_t invalid_ratelimit_ms; /* challenge ACKs per connection: one per 500 ms */
};

struct tcp_stats {
	uint64_t retrans_segs;
};

/* Bind table buckets: enough that ephemeral ports rarely share one
 * (connect's port search walks a bucket per candidate); listeners are few. */
#define TCP_BHASH_N 8192u
#define TCP_LHASH_N 256u

/* The module's per-stack state. */
struct tcp_state {
	struct tcp_sock **ehash;     /* connections by 4-tuple [ehash_mask + 1] */
	uint32_t ehash_mask;
	uint32_t n_conns;            /* in ehash */
	struct tcp_sock *bhash[TCP_BHASH_N]; /* sockets holding a port, by port (bind table) */
	struct tcp_sock *lhash[TCP_LHASH_N]; /* listeners, by port */
	struct tcp_knobs k;
	uint32_t n_orphans;
	uint32_t port_hint;          /* RFC 6056 algorithm 3's next_ephemeral */
	uint64_t chal_second;        /* challenge ACK rate limit window */
	uint32_t chal_count;
	uint64_t cookie_secret_time;
	struct tcp_ring_cache rings;
	struct tcp_ranges *ranges_cache;
	uint32_t n_ranges_cache;
};

static inline struct tcp_state *tcp_state_of(const struct duet_stack *stack)
{
	return (struct tcp_state *)stack->sock->tcp;
}

struct tcp_sock {
	struct sock sk;            /* first: a struct sock * is a struct tcp_sock * */
	uint8_t state;             /* enum tcp_cstate */
	uint8_t cc_algo;
	uint8_t snd_wscale, rcv_wscale;
	bool is_ts, is_sack, is_ws; /* options both ends agreed */
	bool is_nodelay, is_cork, is_quickack;
	bool is_fin_queued;        /* the application closed its side */
	bool is_fin_rcvd;
	bool is_in_recovery;       /* fast recovery (RFC 6675 / RFC 6582) */
	bool is_ack_now;           /* an ACK is owed at once */
	bool is_rtt_timing;        /* rtt_seq is being timed (no timestamps) */
	bool is_persist;           /* the retransmission timer is the persist one */
	bool is_cookie;            /* made from a SYN cookie: no options beyond MSS */
	bool is_accepted_queue;    /* on its listener's accept queue */
	bool is_orphan;            /* the application closed it */
	bool is_reset;             /* ended by a reset or timeout */
	bool is_connect_pending;   /* connect() said EINPROGRESS; the outcome
				    * not yet told to a connect() call */
	uint8_t dupacks;
	uint8_t backoff;           /* RTO doublings */
	uint8_t n_retries;         /* retransmissions of the same data / SYN */
	uint8_t n_keep_probes;
	uint8_t n_ooo, n_sack;     /* ranges in rg */
	uint8_t n_delack;          /* full segments received since the last ACK */

	uint32_t iss, irs;
	uint32_t snd_una, snd_nxt, snd_max; /* snd_max: the highest sent + 1 */
	uint32_t snd_base;         /* sequence number of the send ring's head */
	uint32_t snd_wnd, max_snd_wnd;
	uint32_t snd_wl1, snd_wl2;
	uint32_t rcv_nxt;
	uint32_t rcv_adv;          /* right edge of the window last advertised */
	uint32_t ts_recent, last_ack_sent;
	uint64_t ts_recent_ns;     /* when ts_recent was taken (RFC 7323 §5.5) */
	uint32_t ts_offset;        /* our TSval = clock in ms + offset */
	uint16_t mss;              /* what we send: min(peer's, path MTU's) - options */
	uint16_t peer_mss;
	uint16_t advmss;           /* what we advertise */
	uint16_t user_mss;         /* TCP_MAXSEG, 0: none */
	uint32_t gso_max;          /* the route's link cuts super-segments up to
				    * this (IP packet) size; 0: it does not */

	/* RTT (RFC 6298), µs. */
	uint32_t srtt_us, rttvar_us, rto_us, min_rtt_us;
	uint32_t rtt_seq;
	uint64_t rtt_start_ns;

	/* Congestion control (tcp_cc.c). */
	uint32_t cwnd, ssthresh;   /* bytes */
	uint32_t recover;          /* RFC 6582 / 6675 RecoveryPoint */
	uint32_t rxt_next;         /* RFC 6675: the next hole to retransmit */
	uint32_t bytes_acked;      /* congestion avoidance's byte counter */
	uint32_t prior_cwnd;
	struct {
		uint64_t epoch_ns;     /* start of the current epoch, 0: none */
		uint32_t w_max;        /* bytes */
		uint32_t w_est;        /* Reno-friendly estimate, bytes */
		uint32_t k_ms;         /* K */
		uint32_t cwnd_prior;
	} cubic;

	struct tcp_ring sndq, rcvq;
	struct tcp_ranges *rg;     /* NULL while n_ooo and n_sack are 0 */

	uint32_t keepidle_s, keepintvl_s, keepcnt;
	uint32_t user_timeout_ms;
	uint32_t syn_retries;
	int linger2_s;             /* TCP_LINGER2: FIN_WAIT_2 time, -1 none */
	uint64_t last_rcv_ns;      /* the last segment from the peer (keepalive) */
	uint64_t first_rexmit_ns;  /* TCP_USER_TIMEOUT's start */
	uint64_t last_oow_ack_ns;  /* the last ACK to an unacceptable segment */
	uint64_t last_timeout_ns;  /* the last retransmission timeout */
	uint64_t last_chal_ns;     /* the last challenge ACK (RFC 5961 §7) */
	int soft_error;            /* an ICMP error seen while retrying */

	struct duet_timer rexmt;   /* retransmission, persist, SYN */
	uint64_t rexmt_at;         /* its deadline, 0: none (the timer may be
				    * armed earlier: it then moves on) */
	struct duet_timer delack;
	uint64_t delack_at;        /* the delayed ACK's deadline, 0: none owed */
	struct duet_timer slow;    /* keepalive, FIN_WAIT_2, TIME_WAIT */

	struct tcp_sock *ehash_next, *bhash_next, *lhash_next;
	struct tcp_sock **bhash_pprev; /* O(1) removal: many connections share a port */

	/* A listener: its queues; a connection made by one: its listener. */
	struct tcp_sock *listener;
	struct tcp_sock *q_next;   /* on the listener's accept queue or SYN list */
	struct tcp_sock *acceptq_head, *acceptq_tail;
	uint32_t n_acceptq, n_synq, backlog;

	/* A-7 on TCP: what the last segment carried (IPV6_PKTOPTIONS). */
	uint8_t last_hlim, last_tclass;
	uint32_t last_ifindex;
	uint8_t last_dst[16];
	uint32_t last_flow;

	struct tcp_stats st;
	uint32_t total_retrans, lost_out;
	uint64_t last_data_sent_ns, last_data_recv_ns, last_ack_recv_ns;
};

static inline struct tcp_sock *tcp_sk(const struct sock *s)
{
	return (struct tcp_sock *)(uintptr_t)s;
}

/* A segment as it arrived (tcp_input.c hands it around). */
struct tcp_seg {
	struct duet_tcp_hdr h;
	const uint8_t *data;
	uint32_t len;              /* data bytes */
	uint8_t src[16], dst[16];  /* v4-mapped for IPv4 */
	uint32_t ifindex;
	uint8_t hops, tclass;
	uint32_t flow;
	bool is_v4;
};

/* tcp.c */
void tcp_set_state(struct tcp_sock *tp, uint8_t state);
/* Ends a connection: unhashed, timers off; freed at once if orphaned,
 * else it waits for close(). err (positive, 0: none) goes to SO_ERROR. */
void tcp_done(struct tcp_sock *tp, int err);
void tcp_ehash_add(struct tcp_sock *tp);
void tcp_ehash_del(struct tcp_sock *tp);
struct tcp_sock *tcp_ehash_find(struct duet_stack *stack, const uint8_t laddr[16], uint16_t lport,
				const uint8_t faddr[16], uint16_t fport);
struct tcp_sock *tcp_listener_find(struct duet_stack *stack, const uint8_t laddr[16],
				   uint16_t lport, bool is_v4, uint32_t ifindex);
void tcp_bhash_add(struct tcp_sock *tp);
/* A connection of listener lp for a SYN (state SYN_RECEIVED, hashed); NULL
 * when out of memory. */
struct tcp_sock *tcp_child_new(struct tcp_sock *lp, const struct tcp_seg *sg);
/* Moves a child of its listener from the SYN list to the accept queue. */
void tcp_child_ready(struct tcp_sock *tp);
uint32_t tcp_isn(struct duet_stack *stack, const uint8_t laddr[16], uint16_t lport,
		 const uint8_t faddr[16], uint16_t fport);
void tcp_arm_slow(struct tcp_sock *tp, uint64_t after_ns);
/* Ring r of tp became empty: freed now (small: to the cache) or, a big
 * one, once it stayed empty TCP_RING_IDLE_NS (the slow timer). */
void tcp_ring_idle(struct tcp_sock *tp, struct tcp_ring *r);
#define TCP_RING_IDLE_NS 200000000ull
void tcp_arm_keepalive(struct tcp_sock *tp);
/* The window scale that lets a window of space bytes be advertised. */
uint8_t tcp_wscale_for(uint32_t space);
/* Our timestamp clock (ms). */
uint32_t tcp_ts_now(const struct tcp_sock *tp);
/* The MSS we can send to the peer with the path MTU to it now. */
uint16_t tcp_path_mss(struct tcp_sock *tp);
/* The largest window the receive ring lets us advertise. */
uint32_t tcp_rcv_space(const struct tcp_sock *tp);
/* The connection's range block, allocated (from the cache) if it has
 * none; NULL when out of memory. */
struct tcp_ranges *tcp_ranges_get(struct tcp_sock *tp);
/* Gives the block back once neither ranges nor scoreboard hold anything. */
void tcp_ranges_put_if_empty(struct tcp_sock *tp);
/* RFC 5961 §7: may a challenge ACK be sent now? */
bool tcp_challenge_ok(struct tcp_sock *tp);
void tcp_wake(struct tcp_sock *tp);

/* tcp_input.c */
void tcp6_input(struct duet_stack *stack, struct duet_pkt *pkt, const struct ip6_rx_info *info);
void tcp4_input(struct duet_stack *stack, struct duet_pkt *pkt, const struct ip4_rx_info *info);
void tcp_err(struct duet_stack *stack, const struct net_icmp_err *e);
/* A segment for a synchronized connection (SYN-RECEIVED on). */
void tcp_established_input(struct tcp_sock *tp, const struct tcp_seg *sg);

/* tcp_output.c */
/* Sends what the windows allow, the ACK owed, the FIN queued. */
void tcp_output(struct tcp_sock *tp);
/* Sends one segment with no data (flags; SYN / SYN-ACK carry options). */
int tcp_send_ctl(struct tcp_sock *tp, uint32_t seq, uint16_t flags);
void tcp_send_ack(struct tcp_sock *tp);
/* The most data a segment may carry now: the MSS less the SACK blocks
 * its ACK reports (as Linux's tcp_current_mss), so header and data fit
 * the MTU the MSS was made for. */
uint32_t tcp_send_mss(const struct tcp_sock *tp);
/* Sends (again) len bytes of data from seq. */
void tcp_xmit_data(struct tcp_sock *tp, uint32_t seq, uint32_t len);
/* A reset answering seg, which had no connection (RFC 9293 §3.10.7.1). */
void tcp_send_reset_for(struct duet_stack *stack, const struct tcp_seg *sg);
void tcp_send_reset(struct tcp_sock *tp);
/* A SYN-ACK from a SYN cookie (no state kept). */
void tcp_send_cookie_synack(struct duet_stack *stack, struct tcp_sock *lp, const struct tcp_seg *sg,
			    uint32_t isn, uint16_t mss);
void tcp_rexmt_fire(struct duet_timer *t, void *arg);
void tcp_delack_fire(struct duet_timer *t, void *arg);
/* Arms (or stops, nothing in flight) the retransmission timer. */
void tcp_rearm_rexmt(struct tcp_sock *tp);
/* The RTO now with backoff, ns. */
uint64_t tcp_rto_ns(const struct tcp_sock *tp);
void tcp_rtt_sample(struct tcp_sock *tp, uint32_t rtt_us);

/* tcp_cc.c */
void tcp_cc_init(struct tcp_sock *tp);
/* acked bytes newly acknowledged outside recovery. */
void tcp_cc_on_ack(struct tcp_sock *tp, uint32_t acked);
/* Loss detected by duplicate ACKs / SACK: sets ssthresh and cwnd. */
void tcp_cc_on_loss(struct tcp_sock *tp);
void tcp_cc_on_rto(struct tcp_sock *tp);
void tcp_cc_on_recovery_end(struct tcp_sock *tp);
const char *tcp_cc_name(uint8_t algo);
int tcp_cc_by_name(const char *name, size_t len);
/* Bytes in flight as RFC 6675's pipe (SACK) or RFC 6582 counts them. */
uint32_t tcp_pipe(const struct tcp_sock *tp);
/* Bytes the scoreboard holds as SACKed. */
uint32_t tcp_sacked_bytes(const struct tcp_sock *tp);

#endif
