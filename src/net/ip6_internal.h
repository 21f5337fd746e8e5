/* duet — what the IPv6 module's own files share (ip6_proto.c, ip6_input.c,
 * ip6_output.c, ip6_src.c, icmp6.c): its per-stack state and entry points.
 * Not for other modules: they use net/ip6.h. */
#ifndef DUET_NET_IP6_INTERNAL_H
#define DUET_NET_IP6_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "net/ip6.h"
#include "net/net.h"
#include "net/pmtu.h"
#include "net/ratelimit.h"
#include "net/reass.h"

#define IP6_FRAG_ID_SLOTS 256u   /* per-destination-hash Identification counters */

/* The IPv6 module's state: net->proto_state[NET_PROTO_IP6]. */
struct ip6_state {
	ip6_upper_fn upper[256];         /* by Next Header */
	ip6_raw_fn raw;                  /* the raw sockets' tap, NULL: none */
	struct reass reass;
	struct pmtu_cache pmtu;
	struct ratelimit icmp_rl;        /* ICMPv6 errors, RFC 4443 §2.4(f) */
	uint32_t frag_ctr[IP6_FRAG_ID_SLOTS]; /* RFC 7739 §5.3 counters */
	bool has_reass, has_pmtu, has_nd;
};

static inline struct ip6_state *ip6_state(const struct duet_stack *stack)
{
	return (struct ip6_state *)stack->net->proto_state[NET_PROTO_IP6];
}

/* Ethernet input for EtherType IPv6 (ip6_input.c); owns pkt. */
void ip6_input(struct duet_stack *stack, struct duet_iface *ifp, struct duet_pkt *pkt,
	       const struct duet_eth_hdr *eth);

/* Reassembly timeout callback (ip6_input.c): Time Exceeded code 1. */
void ip6_in_time_exceeded(void *ctx, const struct reass_key *key, struct duet_pkt *first);

/* The path MTU towards dst (zone for scoped dst) over ifp (ip6_output.c). */
uint32_t ip6_out_path_mtu(struct duet_stack *stack, const struct net_if *ifp,
			  const uint8_t dst[16], uint32_t zone);

/* ICMPv6 input, the upper-layer handler for 58 (icmp6.c); owns pkt. */
void icmp6_input(struct duet_stack *stack, struct duet_pkt *pkt, const struct ip6_rx_info *info);

/* duet_echo_send for AF_INET6 (icmp6.c). */
int icmp6_echo_send(struct duet_stack *stack, const uint8_t *dst, uint32_t oif, uint16_t id,
		    uint16_t seq, uint32_t data_len);

/* True for addresses that need a zone (RFC 4007 §6): link-local unicast,
 * interface- and link-local multicast. */
static inline bool ip6_is_scoped(const uint8_t a[16])
{
	return (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||
	       (a[0] == 0xff && (a[1] & 0x0f) <= 2);
}

#endif
