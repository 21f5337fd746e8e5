/* duet — Ethernet II and 802.1Q parse/emit (IEEE 802.3, 802.1Q; RFC 2464 and
 * RFC 1112 multicast mappings). */
#include <duet/wire/eth.h>
#include <duet/wire/errors.h>
#include <duet/byteorder.h>

#include <stdio.h>
#include <string.h>

int duet_eth_parse(struct duet_cur *c, struct duet_eth_hdr *h)
{
	struct duet_cur save = *c;
	const uint8_t *p = duet_cur_take(c, DUET_ETH_HDR_LEN);

	if (!p)
		return -DUET_WE_TRUNCATED;
	memcpy(h->dst, p, 6);
	memcpy(h->src, p + 6, 6);
	h->ethertype = duet_get_be16(p + 12);
	h->has_vlan = false;
	h->pcp = 0;
	h->dei = false;
	h->vid = 0;
	if (h->ethertype == DUET_ETHERTYPE_VLAN) {
		const uint8_t *t = duet_cur_take(c, 4);
		uint16_t tci;
		if (!t) {
			*c = save;
			return -DUET_WE_TRUNCATED;
		}
		tci = duet_get_be16(t);
		h->has_vlan = true;
		h->pcp = (uint8_t)(tci >> 13);
		h->dei = (tci >> 12) & 1;
		h->vid = tci & 0x0fff;
		h->ethertype = duet_get_be16(t + 2);
	}
	/* Values below 0x0600 are 802.3 lengths (LLC frames), and a second tag
	 * would be QinQ: neither is carried by duet. */
	if (h->ethertype < 0x0600 || h->ethertype == DUET_ETHERTYPE_VLAN ||
	    h->ethertype == 0x88a8) {
		*c = save;
		return -DUET_WE_BAD_TYPE;
	}
	return 0;
}

size_t duet_eth_len(const struct duet_eth_hdr *h)
{
	return h->has_vlan ? DUET_ETH_VLAN_HDR_LEN : DUET_ETH_HDR_LEN;
}

int duet_eth_emit(const struct duet_eth_hdr *h, struct duet_wcur *w)
{
	uint8_t *p;

	if (h->has_vlan && (h->vid > 0x0fff || h->pcp > 7))
		return -DUET_WE_TOO_BIG;
	p = duet_wcur_take(w, duet_eth_len(h));
	if (!p)
		return -DUET_WE_NOSPACE;
	memcpy(p, h->dst, 6);
	memcpy(p + 6, h->src, 6);
	if (h->has_vlan) {
		duet_put_be16(p + 12, DUET_ETHERTYPE_VLAN);
		duet_put_be16(p + 14, (uint16_t)(h->pcp << 13 | (h->dei ? 1u : 0u) << 12 | h->vid));
		p += 4;
	}
	duet_put_be16(p + 12, h->ethertype);
	return 0;
}

bool duet_eth_is_broadcast(const uint8_t mac[6])
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	return memcmp(mac, bcast, 6) == 0;
}

bool duet_eth_is_multicast(const uint8_t mac[6])
{
	return mac[0] & 1;
}

void duet_eth_mcast_from_ip6(const uint8_t group[16], uint8_t mac[6])
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, group + 12, 4);
}

void duet_eth_mcast_from_ip4(const uint8_t group[4], uint8_t mac[6])
{
	mac[0] = 0x01;
	mac[1] = 0x00;
	mac[2] = 0x5e;
	mac[3] = group[1] & 0x7f;
	mac[4] = group[2];
	mac[5] = group[3];
}

void duet_eth_ntop(const uint8_t mac[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
}
