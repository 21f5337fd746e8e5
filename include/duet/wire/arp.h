/* duet — ARP packets for IPv4 over Ethernet (RFC 826); other hardware or
 * protocol types are rejected.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      Hardware type (hrd)      |      Protocol type (pro)      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |   hln (6)     |   pln (4)     |         Opcode (op)           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Sender hardware address (sha, 6 octets)              |
 *  +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                               | Sender protocol address (spa) |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      spa (cont.)              |  Target hardware addr. (tha)  |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Target protocol address (tpa, 4 octets)              |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ */
#ifndef DUET_WIRE_ARP_H
#define DUET_WIRE_ARP_H

#include <stddef.h>
#include <stdint.h>

#include <duet/cursor.h>

#define DUET_ARP_LEN 28u            /* Ethernet/IPv4 packet */
#define DUET_ARP_HRD_ETHERNET 1u    /* ar$hrd: Ethernet (10Mb) */
#define DUET_ARP_PRO_IPV4 0x0800u   /* ar$pro: an EtherType */
#define DUET_ARP_OP_REQUEST 1u
#define DUET_ARP_OP_REPLY 2u

/* RFC 826 names the fields ar$hrd, ar$pro, ... (hardware type, protocol
 * type, hardware/protocol address lengths, opcode, addresses). */
struct duet_arp_hdr {
	uint16_t hrd;     /* hardware type: 1 */
	uint16_t pro;     /* protocol type: 0x0800 */
	uint8_t hln;      /* hardware address length: 6 */
	uint8_t pln;      /* protocol address length: 4 */
	uint16_t op;      /* DUET_ARP_OP_REQUEST or DUET_ARP_OP_REPLY */
	uint8_t sha[6];   /* sender hardware address */
	uint8_t spa[4];   /* sender protocol address */
	uint8_t tha[6];   /* target hardware address */
	uint8_t tpa[4];   /* target protocol address */
};

/* Parses an ARP packet from c, consuming its 28 bytes; anything after them
 * (Ethernet minimum-frame padding) stays in c, ARP having no length field.
 * Returns 0 or, with c unchanged, -DUET_WE_TRUNCATED, -DUET_WE_BAD_HW
 * (hrd != 1, pro != 0x0800, hln != 6 or pln != 4) or -DUET_WE_BAD_CODE
 * (op neither request nor reply). */
int duet_arp_parse(struct duet_cur *c, struct duet_arp_hdr *h);

/* Length h takes on the wire: 28. */
size_t duet_arp_len(const struct duet_arp_hdr *h);

/* Writes h at w. Returns 0 or, with nothing written, -DUET_WE_NOSPACE,
 * -DUET_WE_BAD_HW or -DUET_WE_BAD_CODE (same rules as parsing). */
int duet_arp_emit(const struct duet_arp_hdr *h, struct duet_wcur *w);

/* Fills h as an Ethernet/IPv4 packet with opcode op and the given addresses
 * (copied). */
void duet_arp_init(struct duet_arp_hdr *h, uint16_t op, const uint8_t sha[6],
		   const uint8_t spa[4], const uint8_t tha[6], const uint8_t tpa[4]);

#endif
