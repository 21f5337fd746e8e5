/* duet — ARP parse/emit for IPv4 over Ethernet (RFC 826). */
#include <duet/wire/arp.h>
#include <duet/wire/errors.h>
#include <duet/byteorder.h>

#include <string.h>

/* Checks the fields duet handles; 0 or a negative reason. */
static int arp_check(uint16_t hrd, uint16_t pro, uint8_t hln, uint8_t pln, uint16_t op)
{
	if (hrd != DUET_ARP_HRD_ETHERNET || pro != DUET_ARP_PRO_IPV4 || hln != 6 || pln != 4)
		return -DUET_WE_BAD_HW;
	if (op != DUET_ARP_OP_REQUEST && op != DUET_ARP_OP_REPLY)
		return -DUET_WE_BAD_CODE;
	return 0;
}

int duet_arp_parse(struct duet_cur *c, struct duet_arp_hdr *h)
{
	const uint8_t *p = duet_cur_peek(c, DUET_ARP_LEN);
	int err;

	if (!p)
		return -DUET_WE_TRUNCATED;
	err = arp_check(duet_get_be16(p), duet_get_be16(p + 2), p[4], p[5],
			duet_get_be16(p + 6));
	if (err)
		return err;
	h->hrd = duet_get_be16(p);
	h->pro = duet_get_be16(p + 2);
	h->hln = p[4];
	h->pln = p[5];
	h->op = duet_get_be16(p + 6);
	memcpy(h->sha, p + 8, 6);
	memcpy(h->spa, p + 14, 4);
	memcpy(h->tha, p + 18, 6);
	memcpy(h->tpa, p + 24, 4);
	duet_cur_take(c, DUET_ARP_LEN);
	return 0;
}

size_t duet_arp_len(const struct duet_arp_hdr *h)
{
	(void)h;
	return DUET_ARP_LEN;
}

int duet_arp_emit(const struct duet_arp_hdr *h, struct duet_wcur *w)
{
	int err = arp_check(h->hrd, h->pro, h->hln, h->pln, h->op);
	uint8_t *p;

	if (err)
		return err;
	p = duet_wcur_take(w, DUET_ARP_LEN);
	if (!p)
		return -DUET_WE_NOSPACE;
	duet_put_be16(p, h->hrd);
	duet_put_be16(p + 2, h->pro);
	p[4] = h->hln;
	p[5] = h->pln;
	duet_put_be16(p + 6, h->op);
	memcpy(p + 8, h->sha, 6);
	memcpy(p + 14, h->spa, 4);
	memcpy(p + 18, h->tha, 6);
	memcpy(p + 24, h->tpa, 4);
	return 0;
}

void duet_arp_init(struct duet_arp_hdr *h, uint16_t op, const uint8_t sha[6],
		   const uint8_t spa[4], const uint8_t tha[6], const uint8_t tpa[4])
{
	h->hrd = DUET_ARP_HRD_ETHERNET;
	h->pro = DUET_ARP_PRO_IPV4;
	h->hln = 6;
	h->pln = 4;
	h->op = op;
	memcpy(h->sha, sha, 6);
	memcpy(h->spa, spa, 4);
	memcpy(h->tha, tha, 6);
	memcpy(h->tpa, tpa, 4);
}
