/* duet — Ethernet II frames (IEEE 802.3 type-interpreted), with one optional
 * IEEE 802.1Q tag. The FCS is not carried: links deliver frames without it.
 *
 *   0                   1
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
 *  +-------------------------------+
 *  |  destination address (6)      |
 *  |  source address (6)           |
 *  |  [TPID 0x8100 | PCP DEI VID]  |  optional 802.1Q tag
 *  |  EtherType (2)                |
 *  +-------------------------------+ */
#ifndef DUET_WIRE_ETH_H
#define DUET_WIRE_ETH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <duet/cursor.h>

#define DUET_ETHERTYPE_IPV4 0x0800u
#define DUET_ETHERTYPE_ARP  0x0806u
#define DUET_ETHERTYPE_VLAN 0x8100u
#define DUET_ETHERTYPE_IPV6 0x86ddu

#define DUET_ETH_ADDR_LEN 6u
#define DUET_ETH_HDR_LEN 14u
#define DUET_ETH_VLAN_HDR_LEN 18u

struct duet_eth_hdr {
	uint8_t dst[6];
	uint8_t src[6];
	bool has_vlan;      /* an 802.1Q tag is present */
	uint8_t pcp;        /* priority code point (3 bits) */
	bool dei;           /* drop eligible indicator */
	uint16_t vid;       /* VLAN identifier (12 bits) */
	uint16_t ethertype; /* of the payload, after any tag */
};

/* Parses an Ethernet header from c (consuming it; the payload stays in c).
 * Returns 0, -DUET_WE_TRUNCATED, or -DUET_WE_BAD_TYPE for an EtherType below
 * 0x0600 (an 802.3 length field: not Ethernet II) or a second (QinQ) tag. */
int duet_eth_parse(struct duet_cur *c, struct duet_eth_hdr *h);

/* Header length h will take on the wire: 14, or 18 with a tag. */
size_t duet_eth_len(const struct duet_eth_hdr *h);

/* Writes h at w. Returns 0 or -DUET_WE_NOSPACE (nothing written), or
 * -DUET_WE_TOO_BIG when vid > 4095 or pcp > 7. */
int duet_eth_emit(const struct duet_eth_hdr *h, struct duet_wcur *w);

/* True for the broadcast address ff:ff:ff:ff:ff:ff. */
bool duet_eth_is_broadcast(const uint8_t mac[6]);

/* True for a group address (I/G bit set), broadcast included. */
bool duet_eth_is_multicast(const uint8_t mac[6]);

/* The MAC address an IPv6 multicast group maps to (RFC 2464 §7: 33:33 + the
 * group's last 32 bits). */
void duet_eth_mcast_from_ip6(const uint8_t group[16], uint8_t mac[6]);

/* The MAC address an IPv4 multicast group maps to (RFC 1112 §6.4:
 * 01:00:5e + the group's low 23 bits). */
void duet_eth_mcast_from_ip4(const uint8_t group[4], uint8_t mac[6]);

/* Formats mac as "aa:bb:cc:dd:ee:ff" into out (at least 18 bytes). */
void duet_eth_ntop(const uint8_t mac[6], char out[18]);

#endif
