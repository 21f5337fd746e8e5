/* duet — the IPv6 module (RFC 8200): its state (upper-layer table,
 * reassembly, path MTU cache, ICMPv6 rate limiter), life and hooks, which
 * hand interfaces and addresses on to Neighbour Discovery (RFC 4861). */
#include "net/ip6_internal.h"

#include "net/mld6.h"
#include "net/nd6.h"

#include <duet/wire/ip6.h>

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

void ip6_set_raw(struct duet_stack *stack, ip6_raw_fn fn)
{
	ip6_state(stack)->raw = fn;
}

void ip6_set_upper(struct duet_stack *stack, uint8_t proto, ip6_upper_fn fn)
{
	ip6_state(stack)->upper[proto] = fn;
}

/* Tears down whatever ip6_proto_init set up, in reverse (safe after a
 * partial init, and when init never ran). */
static void ip6_proto_fini(struct duet_stack *stack)
{
	struct ip6_state *st = ip6_state(stack);

	if (!st)
		return;
	mld6_fini(stack);
	if (st->has_nd)
		nd6_fini(stack);
	stack_set_proto(stack, STACK_PROTO_IPV6, NULL);
	if (st->has_reass)
		reass_fini(&st->reass);
	if (st->has_pmtu)
		pmtu_fini(&st->pmtu);
	free(st);
	stack->net->proto_state[NET_PROTO_IP6] = NULL;
}

static int ip6_proto_init(struct duet_stack *stack)
{
	struct ip6_state *st = calloc(1, sizeof(*st));
	struct reass_config rc;
	struct pmtu_config pc;
	struct ratelimit_config lc;
	int err;

	if (!st)
		return -ENOMEM;
	stack->net->proto_state[NET_PROTO_IP6] = st;
	reass_config_init(&rc);
	rc.time_exceeded = ip6_in_time_exceeded;
	rc.ctx = stack;
	err = reass_init(&st->reass, stack, &rc);
	st->has_reass = err == 0;
	pmtu_config_init(&pc);
	if (!err)
		err = pmtu_init(&st->pmtu, stack, &pc);
	st->has_pmtu = st->has_reass && err == 0;
	ratelimit_config_init(&lc);
	if (!err)
		err = ratelimit_init(&st->icmp_rl, stack, &lc, duet_stack_now(stack));
	if (err)
		return err;
	st->upper[DUET_IP6_NH_ICMPV6] = icmp6_input;
	stack_set_proto(stack, STACK_PROTO_IPV6, ip6_input);
	err = nd6_init(stack);
	st->has_nd = err == 0;
	if (!err)
		err = mld6_init(stack);
	return err;
}

static void ip6_proto_iface_added(struct duet_stack *stack, uint32_t ifindex)
{
	nd6_iface_added(stack, ifindex);
}

static void ip6_proto_iface_removed(struct duet_stack *stack, uint32_t ifindex)
{
	mld6_iface_removed(stack, ifindex);
	nd6_iface_removed(stack, ifindex);
}

static void ip6_proto_addr_added(struct duet_stack *stack, uint32_t ifindex, uint8_t addr_len,
				 struct net_addr *a)
{
	if (addr_len != 16)
		return;
	mld6_addr_added(stack, ifindex, a); /* before DAD's NS: RFC 4862 §5.4.2 */
	nd6_addr_added(stack, ifindex, a);
}

static void ip6_proto_addr_removed(struct duet_stack *stack, uint32_t ifindex, uint8_t addr_len,
				   struct net_addr *a)
{
	if (addr_len != 16)
		return;
	nd6_addr_removed(stack, ifindex, a);
	mld6_addr_removed(stack, ifindex, a);
}

const struct net_proto ip6_proto = {
	.name = "ipv6",
	.init = ip6_proto_init,
	.fini = ip6_proto_fini,
	.iface_added = ip6_proto_iface_added,
	.iface_removed = ip6_proto_iface_removed,
	.addr_added = ip6_proto_addr_added,
	.addr_removed = ip6_proto_addr_removed,
	.family = AF_INET6,
	.echo_send = icmp6_echo_send,
};
