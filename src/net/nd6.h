/* duet — Neighbour Discovery's internal interface (RFC 4861, RFC 4862,
 * RFC 7217): what the IPv6 core calls. Implemented by nd6.c (messages, the
 * neighbour cache glue, Router Advertisements: default routes and on-link
 * prefixes go into the routing table) and addrconf.c (link-local and SLAAC
 * addresses, DAD). */
#ifndef DUET_NET_ND6_H
#define DUET_NET_ND6_H

#include <stdbool.h>
#include <stdint.h>

#include <duet/pkt.h>

#include "net/ip6.h"

struct duet_stack;
struct net_addr;

/* Module life, called from the IPv6 module's hooks (ip6_proto). */
int nd6_init(struct duet_stack *stack);
void nd6_fini(struct duet_stack *stack);
void nd6_iface_added(struct duet_stack *stack, uint32_t ifindex);
void nd6_iface_removed(struct duet_stack *stack, uint32_t ifindex);
void nd6_addr_added(struct duet_stack *stack, uint32_t ifindex, struct net_addr *a);
void nd6_addr_removed(struct duet_stack *stack, uint32_t ifindex, struct net_addr *a);

/* Sends a whole IPv6 packet (pkt's data starts at the IPv6 header) to the
 * on-link next hop nexthop on ifindex: resolved through the neighbour cache
 * (queued while INCOMPLETE), Ethernet header added. Multicast next hops map
 * to 33:33:xx (RFC 2464 §7). Takes pkt. Returns 0 or a negative errno. */
int nd6_output(struct duet_stack *stack, uint32_t ifindex, const uint8_t nexthop[16],
	       struct duet_pkt *pkt);

/* ICMPv6 types 133..137 come here after the checksum verified; pkt's data
 * starts at the ICMPv6 header; takes pkt. Validates per RFC 4861 §6.1/§7.1
 * (hop limit 255, code 0, lengths, options; never a fragmented message,
 * RFC 6980). */
void nd6_input(struct duet_stack *stack, struct duet_pkt *pkt, const struct ip6_rx_info *info);

/* True when the interface listens to the multicast group (all-nodes, the
 * solicited-node groups of its addresses, and — once MLD lands — joined
 * groups). */
bool nd6_is_listening(struct duet_stack *stack, uint32_t ifindex, const uint8_t group[16]);

/* True when addr is one of ifindex's addresses usable as a source or a
 * destination (not tentative, not duplicate; RFC 4862 §5.4). */
bool nd6_addr_is_usable(struct duet_stack *stack, uint32_t ifindex, const uint8_t addr[16]);

/* Upper-layer reachability confirmation (RFC 4861 §7.3.1), e.g. TCP ACKs. */
void nd6_confirm(struct duet_stack *stack, uint32_t ifindex, const uint8_t addr[16]);

#endif
