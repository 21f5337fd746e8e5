/* duet — the stack instance: creation, interfaces, the poll loop, counters,
 * drops and traces. */
#include "core/stack_internal.h"
#include "net/net.h"
#include "socket/sock.h"

#include <duet/links.h>
#include <duet/net.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define STACK_MAX_IFACES_LIMIT 1024u
#define STACK_MIN_POOL_BYTES (64u << 10)

void duet_stack_config_init(struct duet_stack_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->seed = 1;
	cfg->mem_cap_bytes = 64u << 20;
	cfg->max_ifaces = 32;
	cfg->rx_queue_limit = 4096;
	cfg->tx_queue_limit = 1024;
	cfg->tx_batch = 64;
}

static int stack_config_check(const struct duet_stack_config *cfg)
{
	if (cfg->mem_cap_bytes < STACK_MIN_POOL_BYTES || cfg->max_ifaces == 0 ||
	    cfg->max_ifaces > STACK_MAX_IFACES_LIMIT || cfg->rx_queue_limit == 0 ||
	    cfg->tx_queue_limit == 0 || cfg->tx_batch == 0 || cfg->tx_batch > 4096)
		return -EINVAL;
	return 0;
}

static void stack_derive_secret(struct duet_stack *stack, const struct duet_stack_config *cfg)
{
	struct duet_rng r;

	if (cfg->has_secret) {
		memcpy(stack->secret, cfg->secret, sizeof(stack->secret));
		return;
	}
	/* A separate generator, so the main sequence does not depend on it. */
	duet_rng_seed(&r, cfg->seed ^ 0x5eed5ec7e7ull);
	duet_rng_fill(&r, stack->secret, sizeof(stack->secret));
}

/* The "lo" interface: ::1/128 and 127.0.0.1/8 (RFC 4291 §2.5.3, RFC 1122
 * §3.2.1.3). Returns 0 or a negative errno. */
static int stack_add_loopback(struct duet_stack *stack)
{
	static const uint8_t lo6[16] = { [15] = 1 };
	static const uint8_t lo4[4] = { 127, 0, 0, 1 };
	struct duet_link *link;
	int err = duet_loopback_create(NULL, &link), ifindex;

	if (err)
		return err;
	ifindex = duet_stack_add_link(stack, link, "lo");
	if (ifindex < 0) {
		duet_link_destroy(link);
		return ifindex;
	}
	err = duet_if_addr_add(stack, (uint32_t)ifindex, AF_INET6, lo6, 128, DUET_IFA_F_NODAD);
	if (!err)
		err = duet_if_addr_add(stack, (uint32_t)ifindex, AF_INET, lo4, 8, 0);
	return err;
}

int duet_stack_create(const struct duet_stack_config *cfg, struct duet_stack **out)
{
	struct duet_pool_config pc;
	struct duet_stack *stack;
	int err;

	if (!cfg || !out)
		return -EINVAL;
	err = stack_config_check(cfg);
	if (err)
		return err;
	stack = calloc(1, sizeof(*stack));
	if (!stack)
		return -ENOMEM;
	if (cfg->name)
		snprintf(stack->name, sizeof(stack->name), "%s", cfg->name);
	stack->clock = cfg->clock ? cfg->clock : duet_clock_monotonic();
	duet_rng_seed(&stack->rng, cfg->seed);
	stack_derive_secret(stack, cfg);
	duet_tw_init(&stack->timers, duet_clock_now(stack->clock));
	duet_pktq_init(&stack->rxq, cfg->rx_queue_limit);
	stack->max_ifaces = cfg->max_ifaces;
	stack->tx_queue_limit = cfg->tx_queue_limit;
	stack->tx_batch = cfg->tx_batch;
	stack->trace = cfg->trace;
	stack->trace_ctx = cfg->trace_ctx;
	stack->is_ipv6_autoconf_off = cfg->is_ipv6_autoconf_off;
	stack->ifaces = calloc(cfg->max_ifaces + 1u, sizeof(*stack->ifaces));
	stack->tx_scratch = calloc(cfg->tx_batch, sizeof(*stack->tx_scratch));
	duet_pool_config_init(&pc);
	pc.mem_cap_bytes = cfg->mem_cap_bytes;
	err = (stack->ifaces && stack->tx_scratch) ? duet_pool_create(&pc, &stack->pool) : -ENOMEM;
	if (!err)
		err = net_init(stack);
	if (!err)
		err = sock_init(stack);
	if (!err && !cfg->is_loopback_off)
		err = stack_add_loopback(stack);
	if (err) {
		duet_stack_destroy(stack);
		return err;
	}
	*out = stack;
	return 0;
}

void duet_stack_destroy(struct duet_stack *stack)
{
	uint32_t i;

	if (!stack)
		return;
	for (i = 1; stack->ifaces && i <= stack->max_ifaces; i++)
		if (stack->ifaces[i])
			duet_stack_remove_iface(stack, i);
	sock_fini(stack);
	net_fini(stack);
	duet_pktq_purge(&stack->rxq);
	duet_pool_destroy(stack->pool);
	free(stack->tx_scratch);
	free(stack->ifaces);
	free(stack);
}

const char *duet_stack_name(const struct duet_stack *stack)
{
	return stack->name;
}

const struct duet_clock *duet_stack_clock(const struct duet_stack *stack)
{
	return stack->clock;
}

uint64_t duet_stack_now(const struct duet_stack *stack)
{
	return duet_clock_now(stack->clock);
}

struct duet_pool *duet_stack_pool(struct duet_stack *stack)
{
	return stack->pool;
}

/* The link's rx hook: frames wait in the input queue until the next poll, so
 * that input never runs inside a link's (or the sender's) call. */
static void stack_link_rx(void *ctx, struct duet_pkt *pkt)
{
	struct duet_iface *ifp = ctx;
	struct duet_stack *stack = ifp->stack;

	pkt->ifindex = ifp->ifindex;
	pkt->time_ns = duet_clock_now(stack->clock);
	stack_count_pkt(stack, pkt, DUET_CTR_LINK_RX_FRAMES);
	stack_add_if(stack, ifp->ifindex, DUET_CTR_LINK_RX_BYTES, pkt->len);
	if (duet_pktq_push(&stack->rxq, pkt) != 0)
		stack_drop(stack, pkt, DUET_CTR_DROP_RX_QUEUE_FULL);
}

static int stack_name_ok(const char *name)
{
	size_t n = strlen(name);
	return n > 0 && n < 16 && !strchr(name, '/') && !strchr(name, ' ');
}

int duet_stack_add_link(struct duet_stack *stack, struct duet_link *link, const char *name)
{
	struct duet_link_rx rx;
	struct duet_iface *ifp;
	uint32_t i, idx = 0;

	if (!link || !link->ops || !link->ops->transmit)
		return -EINVAL;
	if (!name)
		name = link->name;
	if (!stack_name_ok(name))
		return -EINVAL;
	if (duet_stack_ifindex(stack, name) > 0)
		return -EEXIST;
	for (i = 1; i <= stack->max_ifaces && !idx; i++)
		if (!stack->ifaces[i])
			idx = i;
	if (!idx)
		return -ENOSPC;
	ifp = calloc(1, sizeof(*ifp));
	if (!ifp)
		return -ENOMEM;
	ifp->stack = stack;
	ifp->ifindex = idx;
	snprintf(ifp->name, sizeof(ifp->name), "%s", name);
	ifp->link = link;
	duet_pktq_init(&ifp->txq, stack->tx_queue_limit);
	rx.deliver = stack_link_rx;
	rx.ctx = ifp;
	rx.pool = stack->pool;
	stack->ifaces[idx] = ifp;
	if (net_iface_added(stack, idx) != 0) {
		stack->ifaces[idx] = NULL;
		free(ifp);
		return -ENOMEM;
	}
	if (idx > stack->iface_hi)
		stack->iface_hi = idx;
	duet_link_attach(link, &rx);
	return (int)idx;
}

int duet_stack_remove_iface(struct duet_stack *stack, uint32_t ifindex)
{
	struct duet_iface *ifp = stack_iface(stack, ifindex);
	struct duet_pkt *pkt, **pp;

	if (!ifp)
		return -ENODEV;
	net_iface_removed(stack, ifindex);
	/* Frames already received on it are dropped with a reason. */
	for (pp = &stack->rxq.head; (pkt = *pp) != NULL;) {
		if (pkt->ifindex != ifindex) {
			stack->rxq.tail = pkt;
			pp = &pkt->next;
			continue;
		}
		*pp = pkt->next;
		stack->rxq.len--;
		stack_drop(stack, pkt, DUET_CTR_DROP_RX_NO_IFACE);
	}
	if (!stack->rxq.head)
		stack->rxq.tail = NULL;
	duet_pktq_purge(&ifp->txq);
	duet_link_destroy(ifp->link);
	stack->ifaces[ifindex] = NULL;
	free(ifp);
	while (stack->iface_hi && !stack->ifaces[stack->iface_hi])
		stack->iface_hi--;
	return 0;
}

int duet_stack_ifindex(const struct duet_stack *stack, const char *name)
{
	uint32_t i;

	for (i = 1; i <= stack->iface_hi; i++)
		if (stack->ifaces[i] && strcmp(stack->ifaces[i]->name, name) == 0)
			return (int)i;
	return -ENODEV;
}

struct duet_link *duet_stack_iface_link(struct duet_stack *stack, uint32_t ifindex)
{
	struct duet_iface *ifp = stack_iface(stack, ifindex);
	return ifp ? ifp->link : NULL;
}

int duet_stack_send_frame(struct duet_stack *stack, uint32_t ifindex, struct duet_pkt *pkt)
{
	struct duet_iface *ifp = stack_iface(stack, ifindex);

	if (!ifp) {
		stack_drop(stack, pkt, DUET_CTR_DROP_TX_NO_IFACE);
		return -ENODEV;
	}
	if (pkt->len > ifp->link->mtu + DUET_ETH_HDR_LEN &&
	    !(pkt->gso_size && pkt->len <= ifp->link->gso_max + DUET_ETH_HDR_LEN)) {
		stack_drop(stack, pkt, DUET_CTR_DROP_TX_OVERSIZE);
		return -EMSGSIZE;
	}
	pkt->ifindex = ifindex;
	if (duet_pktq_push(&ifp->txq, pkt) != 0) {
		stack_drop(stack, pkt, DUET_CTR_DROP_TX_QUEUE_FULL);
		return -ENOBUFS;
	}
	return 0;
}

/* Hands an interface's queued frames to its link, tx_batch at a time. */
static void stack_flush_tx(struct duet_stack *stack, struct duet_iface *ifp)
{
	while (ifp->txq.len) {
		unsigned n = 0, sent;
		while (n < stack->tx_batch && ifp->txq.len) {
			struct duet_pkt *pkt = duet_pktq_pop(&ifp->txq);
			stack_trace(stack, DUET_TRACE_TX, ifp->ifindex, DUET_CTR_LINK_TX_FRAMES, pkt);
			stack_add_if(stack, ifp->ifindex, DUET_CTR_LINK_TX_FRAMES, 1);
			stack_add_if(stack, ifp->ifindex, DUET_CTR_LINK_TX_BYTES, pkt->len);
			stack->tx_scratch[n++] = pkt;
		}
		sent = duet_link_transmit(ifp->link, stack->tx_scratch, n);
		/* The link freed what it refused; count it here. */
		stack_add_if(stack, ifp->ifindex, DUET_CTR_DROP_TX_LINK, n - sent);
	}
}

void stack_poll_once(struct duet_stack *stack)
{
	uint64_t now = duet_clock_now(stack->clock);
	uint32_t i, budget;

	for (i = 1; i <= stack->iface_hi; i++)
		if (stack->ifaces[i])
			duet_link_poll(stack->ifaces[i]->link, now);
	/* Only what was queued before this pass: frames a loopback delivers
	 * while we run wait for the next poll. */
	for (budget = stack->rxq.len; budget; budget--) {
		struct duet_pkt *pkt = duet_pktq_pop(&stack->rxq);
		struct duet_iface *ifp = stack_iface(stack, pkt->ifindex);
		ether_input(stack, ifp, pkt);
	}
	stack->ctr[DUET_CTR_TIMERS_FIRED] += duet_tw_advance(&stack->timers, now);
	for (i = 1; i <= stack->iface_hi; i++)
		if (stack->ifaces[i] && stack->ifaces[i]->txq.len)
			stack_flush_tx(stack, stack->ifaces[i]);
}

uint64_t duet_stack_poll(struct duet_stack *stack)
{
	stack_poll_once(stack);
	return duet_stack_next_deadline(stack);
}

uint64_t duet_stack_next_deadline(const struct duet_stack *stack)
{
	uint64_t next = duet_tw_next_expiry(&stack->timers);
	uint32_t i;

	if (stack->rxq.len)
		return duet_clock_now(stack->clock);
	for (i = 1; i <= stack->iface_hi; i++) {
		const struct duet_iface *ifp = stack->ifaces[i];
		uint64_t t;
		if (!ifp)
			continue;
		if (ifp->txq.len)
			return duet_clock_now(stack->clock);
		t = duet_link_next_deadline(ifp->link);
		if (t < next)
			next = t;
	}
	return next;
}

uint64_t duet_stack_counter(const struct duet_stack *stack, enum duet_counter id)
{
	return (unsigned)id < DUET_CTR__COUNT ? stack->ctr[id] : 0;
}

int duet_if_counters(const struct duet_stack *stack, uint32_t ifindex,
		     uint64_t out[DUET_CTR__COUNT])
{
	const struct duet_iface *ifp = stack_iface(stack, ifindex);

	if (!ifp)
		return -ENODEV;
	memcpy(out, ifp->ctr, sizeof(ifp->ctr));
	return 0;
}

uint64_t duet_if_counter(const struct duet_stack *stack, uint32_t ifindex, enum duet_counter id)
{
	const struct duet_iface *ifp = stack_iface(stack, ifindex);

	return ifp && (unsigned)id < DUET_CTR__COUNT ? ifp->ctr[id] : 0;
}

void duet_stack_counters(const struct duet_stack *stack, uint64_t out[DUET_CTR__COUNT])
{
	memcpy(out, stack->ctr, sizeof(stack->ctr));
}

uint64_t duet_stack_random(struct duet_stack *stack)
{
	return duet_rng_next(&stack->rng);
}

uint64_t duet_stack_keyed_hash(const struct duet_stack *stack, const void *data, size_t len)
{
	return duet_siphash24(stack->secret, data, len);
}

void stack_trace(struct duet_stack *stack, enum duet_trace_kind kind, uint32_t ifindex,
		 enum duet_counter counter, const struct duet_pkt *pkt)
{
	struct duet_trace_event ev;

	if (!stack->trace)
		return;
	ev.kind = kind;
	ev.time_ns = duet_clock_now(stack->clock);
	ev.ifindex = ifindex;
	ev.counter = counter;
	ev.data = pkt->buf + pkt->head;
	ev.len = pkt->len;
	stack->trace(stack->trace_ctx, &ev);
}

void stack_drop(struct duet_stack *stack, struct duet_pkt *pkt, enum duet_counter reason)
{
	stack_count_pkt(stack, pkt, reason);
	stack_trace(stack, DUET_TRACE_DROP, pkt->ifindex, reason, pkt);
	duet_pkt_free(pkt);
}

void stack_set_proto(struct duet_stack *stack, enum stack_proto proto, stack_proto_fn fn)
{
	stack->proto[proto] = fn;
}
