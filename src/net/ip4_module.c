/* duet — the IPv4 protocol module (RFC 791, RFC 826, RFC 792, RFC 1122): its
 * state's life cycle, interface and address hooks, the upper-layer table. */
#include "net/ip4_internal.h"

#include "net/igmp4.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

void ip4_set_raw(struct duet_stack *stack, ip4_raw_fn fn)
{
	struct ip4_state *st = ip4_state_of(stack);

	if (st)
		st->raw = fn;
}

void ip4_set_upper(struct duet_stack *stack, uint8_t proto, ip4_upper_fn fn)
{
	struct ip4_state *st = ip4_state_of(stack);

	if (st)
		st->upper[proto] = fn;
}

/* The engines IPv4 uses: reassembly (Time Exceeded on timeout), path MTU
 * cache, ICMP error token bucket. */
static int ip4_init_engines(struct duet_stack *stack, struct ip4_state *st)
{
	struct reass_config rc;
	struct pmtu_config pc;
	struct ratelimit_config lc;
	int err;

	reass_config_init(&rc);
	rc.time_exceeded = ip4_reass_time_exceeded;
	rc.ctx = stack;
	err = reass_init(&st->reass, stack, &rc);
	if (err)
		return err;
	st->has_reass = true;
	pmtu_config_init(&pc);
	err = pmtu_init(&st->pmtu, stack, &pc);
	if (err)
		return err;
	st->has_pmtu = true;
	ratelimit_config_init(&lc);
	return ratelimit_init(&st->icmp_rl, stack, &lc, duet_stack_now(stack));
}

static int ip4_init(struct duet_stack *stack)
{
	struct ip4_state *st = calloc(1, sizeof(*st));
	int err;

	if (!st)
		return -ENOMEM;
	stack->net->proto_state[NET_PROTO_IP4] = st;
	duet_pktq_init(&st->local_q, IP4_LOCAL_QUEUE_LIMIT);
	duet_timer_init(&st->local_timer, ip4_local_timer, stack);
	err = ip4_init_engines(stack, st);
	if (!err)
		err = arp_init(stack);
	if (err)
		return err;
	st->has_arp = true;
	st->upper[DUET_IP4_PROTO_ICMP] = icmp4_input;
	stack_set_proto(stack, STACK_PROTO_ARP, arp_rcv);
	stack_set_proto(stack, STACK_PROTO_IPV4, ip4_rcv);
	return igmp4_init(stack);
}

/* Undoes ip4_init, also a partial one. */
static void ip4_fini(struct duet_stack *stack)
{
	struct ip4_state *st = ip4_state_of(stack);

	if (!st)
		return;
	igmp4_fini(stack);
	stack_set_proto(stack, STACK_PROTO_ARP, NULL);
	stack_set_proto(stack, STACK_PROTO_IPV4, NULL);
	duet_tw_cancel(&stack->timers, &st->local_timer);
	duet_pktq_purge(&st->local_q);
	if (st->has_arp)
		neigh_fini(&stack->net->arp);
	if (st->has_reass)
		reass_fini(&st->reass);
	if (st->has_pmtu)
		pmtu_fini(&st->pmtu);
	free(st);
	stack->net->proto_state[NET_PROTO_IP4] = NULL;
}

/* A new or departing interface starts with no ARP entries. */
static void ip4_iface_changed(struct duet_stack *stack, uint32_t ifindex)
{
	struct ip4_state *st = ip4_state_of(stack);

	if (st && st->has_arp)
		neigh_flush_iface(&stack->net->arp, ifindex);
}

/* ... and a departing one with no group memberships. */
static void ip4_iface_removed(struct duet_stack *stack, uint32_t ifindex)
{
	igmp4_iface_removed(stack, ifindex);
	ip4_iface_changed(stack, ifindex);
}

static void ip4_addr_added(struct duet_stack *stack, uint32_t ifindex, uint8_t addr_len,
			   struct net_addr *a)
{
	if (addr_len == 4)
		arp_announce(stack, ifindex, a->addr);
}

static int ip4_echo_send(struct duet_stack *stack, const uint8_t *dst, uint32_t oif, uint16_t id,
			 uint16_t seq, uint32_t data_len)
{
	return icmp4_echo_send(stack, dst, oif, id, seq, data_len);
}

const struct net_proto ip4_proto = {
	.name = "ipv4",
	.init = ip4_init,
	.fini = ip4_fini,
	.iface_added = ip4_iface_changed,
	.iface_removed = ip4_iface_removed,
	.addr_added = ip4_addr_added,
	.family = AF_INET,
	.echo_send = ip4_echo_send,
};
