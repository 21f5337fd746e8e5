/* duet — state shared by the Neighbour Discovery files (nd6.c messages and
 * the cache glue, nd6_ra.c Router Advertisements and Redirects, addrconf.c
 * link-local / SLAAC addresses and DAD; RFC 4861, RFC 4862, RFC 7217). */
#ifndef DUET_NET_ND6_INTERNAL_H
#define DUET_NET_ND6_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <duet/net.h>
#include <duet/wire/nd.h>

#include "net/nd6.h"
#include "net/net.h"

/* The IPv6 ND module keeps its state in net->proto_state[NET_PROTO_ND6]
 * (slot 3; net.h lists slots 0..2 and leaves 3 free). */
#define NET_PROTO_ND6 3

/* RFC 4861 §10 host constants, RFC 4862 §5.1, RFC 7217 §7. */
#define ND6_MAX_RTR_SOLICITATION_DELAY_MS 1000u
#define ND6_RTR_SOLICITATION_INTERVAL_MS 4000u
#define ND6_MAX_RTR_SOLICITATIONS 3u
#define ND6_DUP_ADDR_DETECT_TRANSMITS 1u
#define ND6_IDGEN_RETRIES 3u
#define ND6_DEFAULT_ROUTE_METRIC 1024u   /* Linux's metric for RA default routes */
#define ND6_MIN_MTU 1280u
#define ND6_TWO_HOURS_S 7200u            /* RFC 4862 §5.5.3 e) */
#define ND6_INFINITE 0xffffffffu

/* How an address came to be: decides whether a DAD failure regenerates it. */
enum nd6_addr_kind {
	ND6_ADDR_MANUAL,      /* duet_if_addr_add by the user */
	ND6_ADDR_LINKLOCAL,   /* formed on interface up (RFC 4862 §5.3) */
	ND6_ADDR_SLAAC,       /* formed from a Prefix Information option */
};

/* Per-address ND state, parallel to net_if.a6[] (same index). */
struct nd6_addr {
	struct nd6_if *nif;
	uint8_t slot;                 /* index in a6[] */
	uint8_t kind;                 /* enum nd6_addr_kind */
	uint8_t dad_counter;          /* RFC 7217 DAD_Counter of its IID */
	uint8_t dad_sent;             /* DAD solicitations sent */
	bool is_dad_running;
	struct duet_timer dad_timer;
	struct duet_timer life_timer; /* preferred then valid lifetime */
};

/* Per-interface ND state. */
struct nd6_if {
	struct duet_stack *stack;
	uint32_t ifindex;
	bool is_up;
	uint8_t rs_sent;
	uint32_t retrans_ms;          /* RetransTimer (RA), for DAD */
	struct duet_timer rs_timer;
	struct nd6_addr addrs[DUET_IFA_MAX];
};

struct nd6_state {
	struct nd6_if *ifs;           /* [max_ifaces + 1], by ifindex */
	uint32_t max_ifindex;
};

/* The module's state, or NULL before nd6_init. */
static inline struct nd6_state *nd6_state(const struct duet_stack *stack)
{
	return stack->net ? (struct nd6_state *)stack->net->proto_state[NET_PROTO_ND6] : NULL;
}

/* The interface's ND state, or NULL (bad index, module not up). */
static inline struct nd6_if *nd6_if_get(const struct duet_stack *stack, uint32_t ifindex)
{
	struct nd6_state *st = nd6_state(stack);

	return st && ifindex && ifindex <= st->max_ifindex ? &st->ifs[ifindex] : NULL;
}

/* Link-layer address options found in a message. */
struct nd6_opts {
	bool has_slla, has_tlla;
	uint8_t slla[6], tlla[6];
};

/* Checks every option of an ND message (RFC 4861 §6.1, §7.1: length > 0,
 * within the message, well-formed; Ethernet link-layer addresses are 6
 * octets) and collects the link-layer addresses. Returns 0 or -EINVAL. */
int nd6_opts_scan(const uint8_t *options, size_t len, struct nd6_opts *out);

/* The drop reason for a message parser's error: truncated, or a bad option
 * (the parsers walk the options too, RFC 4861 §4.6). */
enum duet_counter nd6_parse_drop(int err);

/* --- nd6.c: sending ----------------------------------------------------- */

/* Sends a Neighbour Solicitation for target on ifindex from src (:: for DAD:
 * no SLLA then) to dst (the solicited-node group or a unicast probe). */
void nd6_send_ns(struct duet_stack *stack, uint32_t ifindex, const uint8_t src[16],
		 const uint8_t dst[16], const uint8_t target[16]);

/* Sends a Router Solicitation to all-routers from src (:: means no SLLA). */
void nd6_send_rs(struct duet_stack *stack, uint32_t ifindex, const uint8_t src[16]);

/* The usable link-local address of ifindex into out: true, or false (none). */
bool nd6_linklocal(struct duet_stack *stack, uint32_t ifindex, uint8_t out[16]);

/* --- nd6_ra.c ----------------------------------------------------------- */

/* Processes a validated-on-entry RA / Redirect (pkt data at ICMPv6 header;
 * takes pkt). */
void nd6_ra_input(struct duet_stack *stack, struct duet_pkt *pkt, const struct ip6_rx_info *info);
void nd6_redirect_input(struct duet_stack *stack, struct duet_pkt *pkt,
			const struct ip6_rx_info *info);

/* --- addrconf.c --------------------------------------------------------- */

/* Interface life: form the link-local address, start Router Solicitation. */
void addrconf_iface_up(struct duet_stack *stack, uint32_t ifindex);
void addrconf_iface_down(struct duet_stack *stack, uint32_t ifindex);

/* Address life: start DAD for a tentative address; cancel its timers. */
void addrconf_addr_added(struct duet_stack *stack, uint32_t ifindex, struct net_addr *a);
void addrconf_addr_removed(struct duet_stack *stack, uint32_t ifindex, struct net_addr *a);

/* An NS from :: or an NA named a tentative address of ours: DAD failed
 * (RFC 4862 §5.4.5). */
void addrconf_dad_failed(struct duet_stack *stack, uint32_t ifindex, struct net_addr *a);

/* A Prefix Information option with the A flag (RFC 4862 §5.5.3). */
void addrconf_prefix_rcv(struct duet_stack *stack, uint32_t ifindex,
			 const struct duet_nd_prefix_info *pi);

#endif
