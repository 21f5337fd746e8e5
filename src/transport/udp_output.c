/* duet — UDP output (RFC 768, RFC 8200 §8.1): one datagram per send,
 * copied once from the caller's buffers into a pool packet, checksummed,
 * and handed to IPv4 for v4-mapped destinations (DS-8: the socket's hop
 * limit and traffic class become TTL and TOS) or to IPv6; multicast copies
 * to local members when IPV6_MULTICAST_LOOP / IP_MULTICAST_LOOP say so
 * (B-2, B-4). */
#include "transport/udp_internal.h"

#include "transport/dgram.h"

#include "net/ip4.h"
#include "net/ip4_internal.h"
#include "net/ip6.h"
#include "net/mld6.h"
#include "net/igmp4.h"
#include "net/net.h"

#include <duet/addr.h>
#include <duet/byteorder.h>
#include <duet/csum.h>
#include <duet/wire/udp.h>

#include <errno.h>
#include <sys/uio.h>

/* The largest payloads (RFC 768 over IPv4's 65,535-byte datagram; IPv6
 * without jumbograms). */
#define UDP4_MAX_PAYLOAD 65507u
#define UDP6_MAX_PAYLOAD 65527u

/* A multicast datagram's copy to the local members of its group on oif
 * (RFC 1112 §6.1, RFC 3493 §5.2): delivered now, as if it had arrived. */
static void udp_loop_group(struct sock *s, const struct duet_pkt *pkt, const uint8_t src[16],
			   const uint8_t dst[16], uint32_t oif, int hops, uint8_t tclass)
{
	struct duet_stack *stack = s->stack;
	bool is_v4 = sock_addr_is_v4(dst);
	struct duet_pkt *c;
	struct sock_meta m;

	if (is_v4 ? !s->is_mc_loop4 || !igmp4_is_member(stack, oif, dst + 12, src + 12)
		  : !s->is_mc_loop6 || !mld6_is_member(stack, oif, dst, src))
		return;
	c = duet_pkt_copy(stack->pool, pkt, DUET_PKT_HEADROOM);
	if (!c) {
		stack_count(stack, DUET_CTR_DROP_TX_NO_BUFFER);
		return;
	}
	memset(&m, 0, sizeof(m));
	memcpy(m.src, src, 16);
	memcpy(m.dst, dst, 16);
	m.ifindex = oif;
	m.sport = s->lport;
	m.dport = duet_get_be16(duet_pkt_data(c) + 2);
	m.hop_limit = (uint8_t)(hops < 0 ? 1 : hops);
	m.tclass = tclass;
	m.is_v4 = is_v4;
	duet_pkt_pull(c, DUET_UDP_HDR_LEN);
	if (!udp_input_meta(stack, c, &m, c->head, true))
		duet_pkt_free(c);
}

ssize_t udp_sendmsg(struct sock *s, const struct msghdr *msg, size_t len, const uint8_t *addr,
		    uint16_t port, uint32_t scope, int flags, const struct sock_txopt *tx)
{
	struct duet_stack *stack = s->stack;
	uint8_t dst[16];
	bool is_v4;
	struct duet_pkt *pkt;
	struct dgram_out o;
	uint8_t *seg;
	int err;

	if (!addr) {
		if (!s->is_connected)
			return -EDESTADDRREQ;
		addr = s->faddr, port = s->fport, scope = s->fscope;
	} else if (!port) {
		return -EINVAL;
	}
	memcpy(dst, addr, 16);
	is_v4 = sock_addr_is_v4(dst);
	if (s->family == AF_INET6 && is_v4 && s->is_v6only)
		return -ENETUNREACH; /* DS-5 */
	if (s->is_addr_user && sock_addr_is_v4(s->laddr) != is_v4)
		return is_v4 ? -ENETUNREACH : -EAFNOSUPPORT; /* as Linux */
	if (len > (is_v4 ? UDP4_MAX_PAYLOAD : UDP6_MAX_PAYLOAD))
		return -EMSGSIZE;
	if (is_v4 && !duet_addr4_is_multicast(dst + 12) && !s->is_broadcast &&
	    dgram_is_bcast4(stack, dst + 12, scope))
		return -EACCES; /* SO_BROADCAST off */
	err = udp_autobind(s);
	if (err)
		return err;
	if ((err = dgram_prepare(s, tx, dst, port, scope, flags, &o)) != 0)
		return err;

	/* The largest datagrams leave less than the usual headroom: IP and
	 * Ethernet headers still fit, fragments are built apart. */
	pkt = duet_pkt_alloc(stack->pool,
			     DUET_PKT_HEADROOM + DUET_UDP_HDR_LEN + len <= DUET_PKT_MAX_DATA
				     ? DUET_PKT_HEADROOM
				     : DUET_PKT_MAX_DATA - DUET_UDP_HDR_LEN - len,
			     DUET_UDP_HDR_LEN + len);
	if (!pkt)
		return -ENOBUFS;
	seg = duet_pkt_data(pkt);
	duet_put_be16(seg, s->lport);
	duet_put_be16(seg + 2, port);
	duet_put_be16(seg + 4, (uint16_t)(DUET_UDP_HDR_LEN + len));
	duet_put_be16(seg + 6, 0);
	dgram_copy_iov(seg + DUET_UDP_HDR_LEN, msg, len);
	/* The pseudo-header names the final destination (RFC 8200 §8.1). */
	duet_udp_csum_set(seg, DUET_UDP_HDR_LEN + len,
			  is_v4 ? duet_csum_pseudo4(o.src + 12, dst + 12,
						    (uint16_t)(DUET_UDP_HDR_LEN + len), IPPROTO_UDP)
				: duet_csum_pseudo6(o.src, dst, (uint32_t)(DUET_UDP_HDR_LEN + len),
						    IPPROTO_UDP));
	if (o.is_group && o.oif)
		udp_loop_group(s, pkt, o.src, dst, o.oif, o.hops, o.tclass);
	if (o.is_group && o.hops == 0) {
		duet_pkt_free(pkt); /* B-2: hop limit 0 stays on this host */
		return (ssize_t)len;
	}
	err = dgram_emit(s, pkt, &o, IPPROTO_UDP, (uint32_t)s->lport << 16 | port);
	if (err)
		return err;
	stack_count(stack, DUET_CTR_UDP_OUT_DATAGRAMS);
	return (ssize_t)len;
}
