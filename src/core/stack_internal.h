/* duet — the stack instance's internals, shared by the core and the protocol
 * layers (net, transport, socket). Not a public header. */
#ifndef DUET_STACK_INTERNAL_H
#define DUET_STACK_INTERNAL_H

#include <duet/stack.h>
#include <duet/random.h>
#include <duet/wire/eth.h>

#include "base/timer_wheel.h"

struct net_state;
struct sock_state;

/* How an outer runtime drives a stack from several threads (S-2): the host
 * runtime installs these (host.c); a stack without them is single-threaded
 * and its socket calls never block. All but lock are called with the lock
 * held. */
struct stack_runtime {
	void (*lock)(void *ctx);
	void (*unlock)(void *ctx);       /* and wake the polling thread */
	/* Sleeps (releasing the lock) until notify() or the absolute deadline
	 * on the stack's clock (DUET_TIME_NEVER: none). Returns 0, or
	 * -ETIMEDOUT at the deadline. */
	int (*wait)(void *ctx, uint64_t deadline_ns);
	void (*notify)(void *ctx);       /* some socket's readiness changed */
	/* Per-socket OS eventfds: create (a negative errno on failure), set
	 * readable or not, close. */
	int (*evfd_open)(void *ctx);
	void (*evfd_set)(void *ctx, int fd, bool is_ready);
	void (*evfd_close)(void *ctx, int fd);
	void *ctx;
};

struct duet_iface {
	struct duet_stack *stack;
	uint32_t ifindex;
	char name[16];
	struct duet_link *link;
	struct duet_pktq txq;        /* frames waiting for the next batch */
	uint64_t ctr[DUET_CTR__COUNT]; /* this interface's share of the counters
				      * (RFC 4293 ipIfStatsTable style) */
};

/* A network-layer input handler for one EtherType: pkt's data starts at the
 * Ethernet payload; the handler owns pkt. */
typedef void (*stack_proto_fn)(struct duet_stack *stack, struct duet_iface *ifp,
			       struct duet_pkt *pkt, const struct duet_eth_hdr *eth);

enum stack_proto {
	STACK_PROTO_ARP,
	STACK_PROTO_IPV4,
	STACK_PROTO_IPV6,
	STACK_PROTO__COUNT
};

struct duet_stack {
	char name[32];
	const struct duet_clock *clock;
	struct duet_pool *pool;
	struct duet_rng rng;
	uint8_t secret[16];
	struct duet_timer_wheel timers;
	uint64_t ctr[DUET_CTR__COUNT];
	struct duet_iface **ifaces;   /* [max_ifaces + 1], indexed by ifindex */
	uint32_t max_ifaces;
	uint32_t iface_hi;              /* highest ifindex in use, 0 when none */
	struct duet_pktq rxq;         /* frames delivered by links, not yet processed */
	uint32_t tx_queue_limit;
	uint32_t tx_batch;
	struct duet_pkt **tx_scratch; /* tx_batch entries, for one transmit call */
	stack_proto_fn proto[STACK_PROTO__COUNT];
	duet_trace_fn trace;
	void *trace_ctx;
	struct net_state *net;        /* the network layer (src/net/net.h) */
	struct sock_state *sock;      /* the socket layer (src/socket/sock.h) */
	const struct stack_runtime *rt; /* NULL: single-threaded, never blocks */
	bool is_ipv6_autoconf_off;    /* from the config */
};

/* Bumps a counter. */
static inline void stack_count(struct duet_stack *stack, enum duet_counter id)
{
	stack->ctr[id]++;
}

/* The one way to drop a packet: counts the reason, traces the frame, frees it. */
void stack_drop(struct duet_stack *stack, struct duet_pkt *pkt, enum duet_counter reason);
/* duet_stack_poll without the next-deadline computation (the simulation
 * computes deadlines once, after polling every stack). */
void stack_poll_once(struct duet_stack *stack);

/* Emits a trace event for pkt's current data (no-op without a trace hook). */
void stack_trace(struct duet_stack *stack, enum duet_trace_kind kind, uint32_t ifindex,
		 enum duet_counter counter, const struct duet_pkt *pkt);

/* The interface with index ifindex, or NULL. */
/* The index hash of the stack's hash tables (SipHash-1-3 under the stack's
 * secret): cheap, and still not something an outsider can aim at one
 * bucket. Values an outsider must not predict use duet_stack_keyed_hash. */
static inline uint64_t stack_table_hash(const struct duet_stack *stack, const void *data,
					size_t len)
{
	return duet_siphash13(stack->secret, data, len);
}

static inline struct duet_iface *stack_iface(const struct duet_stack *stack, uint32_t ifindex)
{
	return ifindex && ifindex <= stack->max_ifaces ? stack->ifaces[ifindex] : NULL;
}

/* Adds n to a counter, both stack-wide and for interface ifindex (0, or
 * an interface that is gone: stack-wide only). */
static inline void stack_add_if(struct duet_stack *stack, uint32_t ifindex, enum duet_counter id,
				uint64_t n)
{
	struct duet_iface *ifp = stack_iface(stack, ifindex);

	stack->ctr[id] += n;
	if (ifp)
		ifp->ctr[id] += n;
}

/* Bumps a counter for the packet's interface (pkt->ifindex: where it
 * arrived, or where it leaves once routed) and stack-wide. */
static inline void stack_count_pkt(struct duet_stack *stack, const struct duet_pkt *pkt,
				   enum duet_counter id)
{
	stack_add_if(stack, pkt->ifindex, id, 1);
}

/* Attaches the input handler for one EtherType family (the net layer does
 * this when it initialises). */
void stack_set_proto(struct duet_stack *stack, enum stack_proto proto, stack_proto_fn fn);

/* Installs (or with NULL removes) the runtime hooks (host.c). */
static inline void stack_set_runtime(struct duet_stack *stack, const struct stack_runtime *rt)
{
	stack->rt = rt;
}

/* Ethernet input: validates and demultiplexes one received frame (ether.c). */
void ether_input(struct duet_stack *stack, struct duet_iface *ifp, struct duet_pkt *pkt);

/* Ethernet output: prepends an Ethernet II header (the interface's MAC to
 * dst, ethertype) and queues the frame with duet_stack_send_frame(). Takes
 * pkt in every case. Returns 0, -ENODEV or -ENOBUFS (no headroom: counted
 * DROP_TX_NO_BUFFER), or duet_stack_send_frame()'s error. */
int ether_output(struct duet_stack *stack, uint32_t ifindex, struct duet_pkt *pkt,
		 const uint8_t dst[6], uint16_t ethertype);

#endif
