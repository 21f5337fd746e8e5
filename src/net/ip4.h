/* duet — the IPv4 module's internal interface (RFC 791, RFC 1122): what
 * upper layers and the ARP/ICMP parts call. */
#ifndef DUET_NET_IP4_H
#define DUET_NET_IP4_H

#include <stdbool.h>
#include <stdint.h>

#include <duet/pkt.h>

#include "net/hash_memo.h"

struct duet_stack;

/* What an upper-layer handler learns about a received datagram. */
struct ip4_rx_info {
	uint8_t src[4], dst[4];
	uint8_t ttl;
	uint8_t tos;
	uint32_t ifindex;
	uint32_t nh_off;           /* offset in pkt->buf of the IPv4 header */
	bool is_broadcast_dst;
	bool is_multicast_dst;
};

/* An upper-layer input handler: pkt's data starts at the upper-layer header;
 * the handler owns pkt. */
typedef void (*ip4_upper_fn)(struct duet_stack *stack, struct duet_pkt *pkt,
			     const struct ip4_rx_info *info);

/* Attaches the handler for one protocol. Unattached protocols are answered
 * with ICMP Destination Unreachable, protocol unreachable (RFC 1122
 * §3.2.2.1). */
void ip4_set_upper(struct duet_stack *stack, uint8_t proto, ip4_upper_fn fn);

/* The raw sockets' tap (transport/raw.c): offered every datagram for us
 * before its upper layer, pkt's data at the IPv4 header. It copies what
 * it wants and does not take pkt; true when a raw socket took a copy (an
 * unknown protocol is then no error). */
typedef bool (*ip4_raw_fn)(struct duet_stack *stack, struct duet_pkt *pkt,
			   const struct ip4_rx_info *info, uint8_t protocol);
void ip4_set_raw(struct duet_stack *stack, ip4_raw_fn fn);

struct ip4_out {
	uint8_t src[4];          /* 0.0.0.0: the outgoing interface's address */
	uint8_t dst[4];
	uint8_t protocol;
	int ttl;                 /* -1: the interface's (64), multicast 1 */
	uint8_t tos;
	uint32_t oif;            /* 0: from the route */
	bool is_dontfrag;        /* DF set: EMSGSIZE rather than fragmenting */
	bool is_src_given;       /* src is used as given, even 0.0.0.0 (IGMP
				  * before the interface has an address,
				  * RFC 3376 §4.2.13) */
	const uint8_t *options;  /* IP options to carry (not owned), e.g. Router
				  * Alert (RFC 2113); NULL: none. Repeated in
				  * every fragment: only options whose copied
				  * flag is set (RFC 791 §3.1) belong here */
	uint8_t options_len;     /* up to 40 octets, padded to 4 with EOL */
	bool is_id_given;        /* id is used (IP_HDRINCL); else one is
				  * chosen (RFC 6864) */
	uint16_t id;
	struct net_hash_memo *id_memo; /* the sender's memo for the
				  * Identification hash (not owned); NULL: none */
};

/* Sends pkt (the upper-layer message, checksum set, DUET_PKT_HEADROOM of
 * headroom) as an IPv4 datagram: route, fragmentation beyond the path MTU
 * (RFC 791), ARP resolution. Takes pkt in every case. Returns 0,
 * -ENETUNREACH, -EHOSTUNREACH, -EADDRNOTAVAIL, -EMSGSIZE or -ENOBUFS. */
int ip4_output(struct duet_stack *stack, struct duet_pkt *pkt, const struct ip4_out *o);

/* The MTU a datagram to dst (on oif, 0: the route's) would get: the path
 * MTU cache's, the route's or the interface's (loopback's for a local
 * address). Returns 0 with *mtu set, or -ENETUNREACH. */
int ip4_dst_mtu(struct duet_stack *stack, const uint8_t dst[4], uint32_t oif, uint32_t *mtu);

/* The largest TCP super-segment the link to dst (on oif, 0: the route's)
 * cuts itself (duet_link.gso_max); 0: none, local, or no route. */
uint32_t ip4_dst_gso_max(struct duet_stack *stack, const uint8_t dst[4], uint32_t oif);

/* The source address for dst (the outgoing interface's primary address on
 * the route's prefix, else its first). Returns 0 or -EADDRNOTAVAIL. */
int ip4_select_source(struct duet_stack *stack, const uint8_t dst[4], uint32_t oif,
		      uint8_t out[4]);

/* Sends an ICMPv4 error about the datagram quoted (its header at pkt->buf +
 * info->nh_off), per RFC 1122 §3.2.2 (never about an ICMP error, a
 * broadcast/multicast, a non-first fragment; rate limited). Does not take pkt. */
void icmp4_send_error(struct duet_stack *stack, const struct duet_pkt *pkt,
		      const struct ip4_rx_info *info, uint8_t type, uint8_t code,
		      uint32_t param);

#endif
