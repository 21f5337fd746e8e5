/* duet — the IPv6 module's internal interface (RFC 8200): what upper layers
 * and the ND/ICMPv6 parts call. Implemented by ip6_input.c / ip6_output.c. */
#ifndef DUET_NET_IP6_H
#define DUET_NET_IP6_H

#include <stdbool.h>
#include <stdint.h>

#include <duet/pkt.h>

#include "net/hash_memo.h"

struct duet_stack;

/* What an upper-layer handler learns about a received packet. */
struct ip6_rx_info {
	uint8_t src[16], dst[16];
	uint8_t hop_limit;
	uint8_t tclass;
	uint32_t flow_label;
	uint32_t ifindex;          /* arrival interface */
	uint32_t nh_off;           /* offset in pkt->buf of the IPv6 header (for
				    * ICMP errors quoting the packet) */
	bool is_multicast_dst;
	bool was_fragmented;       /* arrived in fragments (RFC 6980 checks) */
	bool is_link_multicast;    /* link-layer multicast or broadcast frame
				    * (RFC 4443 §2.4(e.3)) */
	bool has_mld_router_alert; /* a Hop-by-Hop Router Alert with value 0
				    * (MLD, RFC 2711) came with the packet */
};

/* An upper-layer input handler: pkt's data starts at the upper-layer header;
 * the handler owns pkt. */
typedef void (*ip6_upper_fn)(struct duet_stack *stack, struct duet_pkt *pkt,
			     const struct ip6_rx_info *info);

/* Attaches the handler for one upper-layer protocol (58 ICMPv6, 17 UDP, 6
 * TCP, ...). Unattached protocols are answered with Parameter Problem code
 * 1 (RFC 8200 §4). */
void ip6_set_upper(struct duet_stack *stack, uint8_t proto, ip6_upper_fn fn);

/* The raw sockets' tap (transport/raw.c): offered every packet for us
 * whose upper-layer protocol is nh, before its handler, pkt's data at the
 * upper-layer header (the extension headers before it, reassembled). It
 * copies what it wants and does not take pkt; true when a raw socket took
 * a copy (an unknown Next Header is then no error). */
typedef bool (*ip6_raw_fn)(struct duet_stack *stack, struct duet_pkt *pkt,
			   const struct ip6_rx_info *info, uint8_t nh);
void ip6_set_raw(struct duet_stack *stack, ip6_raw_fn fn);

/* The extension headers an output may carry, in RFC 8200 §4.1 order: the
 * first three form the unfragmentable part (repeated in every fragment),
 * the last leads the fragmentable part. */
enum ip6_out_ext {
	IP6_EXT_HOPOPTS,      /* Hop-by-Hop Options */
	IP6_EXT_DSTOPTS_RT,   /* Destination Options for the routing header's hops */
	IP6_EXT_RTHDR,        /* Routing header: dst is then its first hop (§4.4) */
	IP6_EXT_DSTOPTS,      /* Destination Options for the final destination */
	IP6_EXT__COUNT
};

/* One whole extension header, its Next Header octet (the first) filled in
 * by ip6_output; its Hdr Ext Len must say len: (len / 8) - 1. */
struct ip6_ext_buf {
	const uint8_t *data;  /* NULL: absent */
	uint16_t len;         /* a multiple of 8, at least 8 */
};

/* How to send one packet. */
struct ip6_out {
	uint8_t src[16];        /* all zero: selected by ip6_select_source() */
	uint8_t dst[16];
	uint8_t next_header;    /* of the payload */
	int hop_limit;          /* -1: 255 for ND, else the interface's (unicast) or 1 (multicast) */
	uint8_t tclass;
	uint32_t flow_label;    /* 0: none, or with is_flow_label_auto ... */
	bool is_flow_label_auto; /* ... ip6_flow_label() of the addresses,
				  * next header and flow_key (RFC 6437) */
	uint32_t flow_key;      /* what tells this flow from others between the
				 * same addresses: ports, an echo identifier */
	struct net_hash_memo *flow_memo; /* the sender's memo for the automatic
				 * label's hash (not owned); NULL: none */
	uint32_t oif;           /* 0: from the route; required for link-local and multicast */
	bool is_dontfrag;       /* EMSGSIZE rather than fragmenting */
	bool is_min_mtu;        /* fragment for 1280 octets whatever the path
				 * MTU (RFC 3542 §11.1 IPV6_USE_MIN_MTU) */
	const uint8_t *nexthop; /* the neighbour to hand it to, on oif (RFC
				 * 3542 §6.4 IPV6_NEXTHOP; not owned); NULL:
				 * the route's */
	bool is_nd;             /* an ND message: hop limit 255, never fragmented */
	bool is_src_given;      /* src is used as given, even :: (MLD before a
				 * link-local address is usable, RFC 3810 §5.2.13) */
	struct ip6_ext_buf ext[IP6_EXT__COUNT]; /* extension headers to carry */
};

/* Sends pkt — its data is the upper-layer message, checksum already set,
 * with at least DUET_PKT_HEADROOM of headroom — as an IPv6 packet: route
 * lookup, fragmentation beyond the path MTU (RFC 8200 §4.5), next-hop
 * resolution through the neighbour cache. The extension headers in o->ext
 * are placed in RFC 8200 order; fragments repeat the unfragmentable ones.
 * Takes pkt in every case. A zero src is selected, except for ND (is_nd)
 * and is_src_given, whose checksum already covers the source it was given
 * (:: for DAD, RFC 4862 §5.4.2). Returns 0, -ENETUNREACH, -EHOSTUNREACH,
 * -EADDRNOTAVAIL, -EMSGSIZE, -ENOBUFS, or -EINVAL for a link-local or
 * multicast dst without oif, or a malformed extension header buffer. */
int ip6_output(struct duet_stack *stack, struct duet_pkt *pkt, const struct ip6_out *o);

/* RFC 6437 §3: a flow label for a flow — a keyed hash (the stack's
 * secret) of its addresses, next header and flow_key, 20 bits, never 0
 * (unlabelled): stable for the flow, unpredictable off-path (RFC 7098).
 * memo (may be NULL) saves the hash for the next packet of the flow. */
uint32_t ip6_flow_label(const struct duet_stack *stack, const uint8_t src[16],
			const uint8_t dst[16], uint8_t next_header, uint32_t flow_key,
			struct net_hash_memo *memo);

/* The MTU a packet to dst (on oif, 0: the route's) would get: the path
 * MTU cache's, the route's or the interface's. Returns 0 with *mtu set,
 * or -ENETUNREACH / -EINVAL as ip6_output would. */
int ip6_dst_mtu(struct duet_stack *stack, const uint8_t dst[16], uint32_t oif, uint32_t *mtu);

/* The largest TCP super-segment the link to dst (on oif, 0: the route's)
 * cuts itself (duet_link.gso_max); 0: none, or no route. */
uint32_t ip6_dst_gso_max(struct duet_stack *stack, const uint8_t dst[16], uint32_t oif);

/* Chooses a source address for dst (RFC 6724 §5, default policy), on oif if
 * non-zero. Returns 0 with out set, or -EADDRNOTAVAIL. */
int ip6_select_source(struct duet_stack *stack, const uint8_t dst[16], uint32_t oif,
		      uint8_t out[16]);

/* Sends an ICMPv6 error about the packet quoted (its IPv6 header at
 * pkt->buf + info->nh_off), applying RFC 4443 §2.4 (no error about an error,
 * about a multicast destination unless PTB / param problem code 2, rate
 * limit). Does not take pkt. */
void icmp6_send_error(struct duet_stack *stack, const struct duet_pkt *pkt,
		      const struct ip6_rx_info *info, uint8_t type, uint8_t code,
		      uint32_t param);

#endif
