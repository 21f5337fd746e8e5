/* duet — the MLD host (RFC 3810, MLDv1 compatible per §8; RFC 2710): the
 * IPv6 side of the multicast listener engine (net/mcast.h). It parses
 * received Queries into the engine, turns the engine's requests into MLDv2
 * Reports and MLDv1 Reports/Dones on the wire, joins the solicited-node
 * group of every interface address (RFC 4861 §7.2.1, RFC 4862 §5.4.2) and
 * keeps the memberships that the input filter consults. Part of the IPv6
 * module: ip6_proto.c starts and stops it. */
#ifndef DUET_NET_MLD6_H
#define DUET_NET_MLD6_H

#include <stdbool.h>
#include <stdint.h>

#include <duet/pkt.h>

#include "net/ip6.h"
#include "net/mcast.h"

struct duet_stack;
struct net_addr;

/* Sets up the engine for the stack (state in net->proto_state[NET_PROTO_MLD6]).
 * Returns 0 or a negative errno (-ENOMEM). */
int mld6_init(struct duet_stack *stack);

/* Stops every timer and frees the state, sending nothing. Safe when init
 * never ran or failed. */
void mld6_fini(struct duet_stack *stack);

/* The engine's table, for the socket layer and tests (NULL before init). */
struct mcast_table *mld6_table(const struct duet_stack *stack);

/* MLD input for ICMPv6 types 130, 131, 132 and 143 (after the checksum was
 * verified by icmp6_input); owns pkt. */
void mld6_input(struct duet_stack *stack, struct duet_pkt *pkt, const struct ip6_rx_info *info,
		uint8_t type);

/* The internal join/leave API for sockets (key: the socket, compared as a
 * pointer). As mcast_join / mcast_leave / mcast_set_filter / mcast_leave_all
 * (same returns); reports go on the wire from the next poll. */
int mld6_join(struct duet_stack *stack, const void *key, uint32_t ifindex, const uint8_t group[16]);
int mld6_leave(struct duet_stack *stack, const void *key, uint32_t ifindex,
	       const uint8_t group[16]);
int mld6_set_filter(struct duet_stack *stack, const void *key, uint32_t ifindex,
		    const uint8_t group[16], enum mcast_mode mode, const uint8_t *sources,
		    uint32_t nsrc);
uint32_t mld6_leave_all(struct duet_stack *stack, const void *key);

/* Input filter: does ifindex listen to group for packets from src (NULL:
 * any)? All-nodes always; others as the merged interface state says. */
bool mld6_is_member(const struct duet_stack *stack, uint32_t ifindex, const uint8_t group[16],
		    const uint8_t *src);

/* Address hooks: an interface address joins its solicited-node group (on
 * links that are not loopback) and leaves it when it goes. */
void mld6_addr_added(struct duet_stack *stack, uint32_t ifindex, struct net_addr *a);
void mld6_addr_removed(struct duet_stack *stack, uint32_t ifindex, struct net_addr *a);

/* Address a became usable (DAD done, or given without DAD). If it is the
 * interface's first valid link-local address, the interface's whole MLD
 * state is reported again from it: what was sent from :: before is
 * discarded by routers (RFC 3810 §5.2.13; Linux's ipv6_mc_dad_complete). */
void mld6_addr_valid(struct duet_stack *stack, uint32_t ifindex, struct net_addr *a);

/* The interface went away: forget its memberships, sending nothing. */
void mld6_iface_removed(struct duet_stack *stack, uint32_t ifindex);

#endif
