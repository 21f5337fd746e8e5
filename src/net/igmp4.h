/* duet — the IGMP host (RFC 3376, IGMPv1/v2 compatible per §7; RFC 2236,
 * RFC 1112): the IPv4 side of the multicast listener engine (net/mcast.h),
 * the twin of mld6.h. It validates received Queries and hands them to the
 * engine, turns the engine's requests into IGMPv3 Reports and IGMPv1/v2
 * Reports and Leave Groups on the wire, and keeps the memberships that the
 * IPv4 input filter consults. Part of the IPv4 module: ip4_module.c starts
 * and stops it. */
#ifndef DUET_NET_IGMP4_H
#define DUET_NET_IGMP4_H

#include <stdbool.h>
#include <stdint.h>

#include <duet/pkt.h>

#include "net/ip4.h"
#include "net/mcast.h"

struct duet_stack;

/* Sets up the engine for the stack (state in
 * net->proto_state[NET_PROTO_IGMP4]) and attaches igmp4_input to IPv4
 * Protocol 2. Call after the IPv4 module's own state exists. Returns 0 or a
 * negative errno (-ENOMEM). */
int igmp4_init(struct duet_stack *stack);

/* Detaches the input, stops every timer and frees the state, sending
 * nothing. Safe when init never ran or failed. */
void igmp4_fini(struct duet_stack *stack);

/* The engine's table, for the socket layer and tests (NULL before init). */
struct mcast_table *igmp4_table(const struct duet_stack *stack);

/* The upper-layer handler for IPv4 Protocol 2 (pkt's data at the IGMP
 * message, limited to the datagram); owns pkt. */
void igmp4_input(struct duet_stack *stack, struct duet_pkt *pkt, const struct ip4_rx_info *info);

/* The internal join/leave API for sockets (key: the socket, compared as a
 * pointer; sources: nsrc 4-octet addresses, packed). As mcast_join /
 * mcast_leave / mcast_set_filter / mcast_leave_all (same returns; -ENODEV
 * before init); reports go on the wire from the next poll. */
int igmp4_join(struct duet_stack *stack, const void *key, uint32_t ifindex,
	       const uint8_t group[4]);
int igmp4_leave(struct duet_stack *stack, const void *key, uint32_t ifindex,
		const uint8_t group[4]);
int igmp4_set_filter(struct duet_stack *stack, const void *key, uint32_t ifindex,
		     const uint8_t group[4], enum mcast_mode mode, const uint8_t *sources,
		     uint32_t nsrc);
uint32_t igmp4_leave_all(struct duet_stack *stack, const void *key);

/* Input filter: does ifindex listen to group for datagrams from src (NULL:
 * any)? 224.0.0.1 always (RFC 3376 §5); others as the merged interface
 * state says. */
bool igmp4_is_member(const struct duet_stack *stack, uint32_t ifindex, const uint8_t group[4],
		     const uint8_t *src);

/* The interface went away: forget its memberships, sending nothing. */
void igmp4_iface_removed(struct duet_stack *stack, uint32_t ifindex);

#endif
