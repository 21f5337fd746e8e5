/* duet — the advanced IPv6 API (RFC 3542, with the RFC 2292 spellings) and
 * IPv4's ancillary data: what recvmsg reports about a datagram (A-1, A-3,
 * ), what sendmsg takes with one (A-2..A-4, A-6, A-9), and the
 * sticky options.
 *
 * Objects are read and written with memcpy: an application's control
 * buffer need not be aligned. Received extension headers are not copied
 * when the datagram arrives: the IP header and what follows stay in the
 * packet buffer in front of the data, and are walked again here when (and
 * only when) a recvmsg asks for them. Sent ones are not copied either: the
 * output path reads them from the caller's control buffer or the sticky
 * copy. Where duet differs from Linux, docs/FEATURES.md says so. */
#include "socket/sock_api.h"

#include "net/ip4.h"
#include "net/net.h"
#include "net/route.h"

#include <duet/addr.h>
#include <duet/byteorder.h>

#include <errno.h>
#include <stdlib.h>

#define SOCK_NH_HOPOPTS 0
#define SOCK_NH_ROUTING 43
#define SOCK_NH_AH 51
#define SOCK_NH_DSTOPTS 60
#define SOCK_EXT_MAX 2040u /* Linux's limit for a sticky header (8 * 255) */

/* --- recvmsg ------------------------------------------------------------- */

struct sock_cbuf {
	struct msghdr *msg;
	size_t used;
};

/* Linux's put_cmsg: a header and len bytes; cut (MSG_CTRUNC) to what is
 * left of the buffer. */
static void sock_put_cmsg(struct sock_cbuf *cb, int level, int type, const void *data,
			  size_t len)
{
	struct msghdr *msg = cb->msg;
	size_t left = msg->msg_controllen > cb->used ? msg->msg_controllen - cb->used : 0;
	size_t cmlen = CMSG_LEN(len), space = CMSG_SPACE(len);
	uint8_t *p = (uint8_t *)msg->msg_control + cb->used;
	struct cmsghdr h;

	if (!msg->msg_control || left < sizeof(h)) {
		msg->msg_flags |= MSG_CTRUNC;
		return;
	}
	if (left < cmlen) {
		msg->msg_flags |= MSG_CTRUNC;
		cmlen = left;
	}
	memset(&h, 0, sizeof(h));
	h.cmsg_len = cmlen;
	h.cmsg_level = level;
	h.cmsg_type = type;
	memcpy(p, &h, sizeof(h));
	memcpy(p + CMSG_LEN(0), data, cmlen - CMSG_LEN(0));
	cb->used += space < left ? space : left;
}

static void sock_put_int(struct sock_cbuf *cb, int level, int type, int v)
{
	sock_put_cmsg(cb, level, type, &v, sizeof(v));
}

/* The extension headers of a received IPv6 packet, walked in the order
 * they came (RFC 3542 §8: each as one object, Destination Options as
 * often as they appear). rfc2292 reports instead what Linux's RFC 2292
 * options do: the last Destination Options before a Routing header, the
 * Routing header, the last one after it. */
static void sock_put_ext(struct sock_cbuf *cb, uint32_t rx, const uint8_t *ip, uint32_t end)
{
	const uint8_t *dst0 = NULL, *dst1 = NULL, *rt = NULL, *hbh = NULL;
	uint8_t nh = ip[6];
	uint32_t off = 40;

	while (off + 2 <= end) {
		const uint8_t *p = ip + off;
		uint32_t len = nh == SOCK_NH_AH ? (p[1] + 2u) * 4u : (p[1] + 1u) * 8u;

		if (nh != SOCK_NH_HOPOPTS && nh != SOCK_NH_ROUTING && nh != SOCK_NH_DSTOPTS &&
		    nh != SOCK_NH_AH)
			break;
		if (len > end - off)
			break;
		if (nh == SOCK_NH_HOPOPTS && off == 40) {
			hbh = p;
			if (rx & SOCK_RX_HOPOPTS)
				sock_put_cmsg(cb, IPPROTO_IPV6, IPV6_HOPOPTS, p, len);
		} else if (nh == SOCK_NH_DSTOPTS) {
			if (rt)
				dst1 = p;
			else
				dst0 = p;
			if (rx & SOCK_RX_DSTOPTS)
				sock_put_cmsg(cb, IPPROTO_IPV6, IPV6_DSTOPTS, p, len);
		} else if (nh == SOCK_NH_ROUTING) {
			rt = p;
			if (rx & SOCK_RX_RTHDR)
				sock_put_cmsg(cb, IPPROTO_IPV6, IPV6_RTHDR, p, len);
		}
		nh = p[0];
		off += len;
	}
	if (!(rx & (SOCK_RX_2292HOPOPTS | SOCK_RX_2292DSTOPTS | SOCK_RX_2292RTHDR)))
		return;
	if (!rt) { /* with no Routing header a lone one is "after" it (Linux's dst1) */
		dst1 = dst0;
		dst0 = NULL;
	}
	if ((rx & SOCK_RX_2292HOPOPTS) && hbh)
		sock_put_cmsg(cb, IPPROTO_IPV6, IPV6_2292HOPOPTS, hbh, (hbh[1] + 1u) * 8u);
	if ((rx & SOCK_RX_2292DSTOPTS) && dst0)
		sock_put_cmsg(cb, IPPROTO_IPV6, IPV6_2292DSTOPTS, dst0, (dst0[1] + 1u) * 8u);
	if ((rx & SOCK_RX_2292RTHDR) && rt)
		sock_put_cmsg(cb, IPPROTO_IPV6, IPV6_2292RTHDR, rt, (rt[1] + 1u) * 8u);
	if ((rx & SOCK_RX_2292DSTOPTS) && dst1)
		sock_put_cmsg(cb, IPPROTO_IPV6, IPV6_2292DSTOPTS, dst1, (dst1[1] + 1u) * 8u);
}

static void sock_recv_ip6(struct sock_cbuf *cb, uint32_t rx, const struct duet_pkt *pkt,
			  const struct sock_meta *m)
{
	const uint8_t *ip = m->hdr_len ? pkt->buf + pkt->head - m->hdr_len : NULL;
	struct in6_pktinfo pi;

	memcpy(&pi.ipi6_addr, m->dst, 16);
	pi.ipi6_ifindex = m->ifindex;
	if (rx & SOCK_RX_PKTINFO)
		sock_put_cmsg(cb, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof(pi));
	if (m->is_v4)
		return; /* Linux: only IPV6_PKTINFO (v4-mapped) of these for IPv4 */
	if (rx & SOCK_RX_HOPLIMIT)
		sock_put_int(cb, IPPROTO_IPV6, IPV6_HOPLIMIT, m->hop_limit);
	if (rx & SOCK_RX_TCLASS)
		sock_put_int(cb, IPPROTO_IPV6, IPV6_TCLASS, m->tclass);
	if (rx & SOCK_RX_FLOWINFO) {
		uint8_t fi[4];
		duet_put_be32(fi, (uint32_t)m->tclass << 20 | (m->flow_label & 0xfffffu));
		sock_put_cmsg(cb, IPPROTO_IPV6, DUET_IPV6_FLOWINFO, fi, 4);
	}
	if (ip && m->hdr_len >= 40u + m->ulp_len &&
	    (rx & (SOCK_RX_HOPOPTS | SOCK_RX_DSTOPTS | SOCK_RX_RTHDR)))
		sock_put_ext(cb, rx & ~(uint32_t)(SOCK_RX_2292HOPOPTS | SOCK_RX_2292DSTOPTS |
						  SOCK_RX_2292RTHDR),
			     ip, m->hdr_len - m->ulp_len);
	if (rx & SOCK_RX_2292PKTINFO)
		sock_put_cmsg(cb, IPPROTO_IPV6, IPV6_2292PKTINFO, &pi, sizeof(pi));
	if (rx & SOCK_RX_2292HOPLIMIT)
		sock_put_int(cb, IPPROTO_IPV6, IPV6_2292HOPLIMIT, m->hop_limit);
	if (ip && m->hdr_len >= 40u + m->ulp_len &&
	    (rx & (SOCK_RX_2292HOPOPTS | SOCK_RX_2292DSTOPTS | SOCK_RX_2292RTHDR)))
		sock_put_ext(cb, rx & (SOCK_RX_2292HOPOPTS | SOCK_RX_2292DSTOPTS | SOCK_RX_2292RTHDR),
			     ip, m->hdr_len - m->ulp_len);
}

/* IP_PKTINFO's ipi_spec_dst: the address a reply would come from, as
 * Linux's fib_compute_spec_dst — the destination when it is ours, else
 * the arrival interface's address towards the sender. */
static void sock_spec_dst(struct sock *s, const struct sock_meta *m, uint8_t out[4])
{
	const uint8_t *d = m->dst + 12;

	if (!duet_addr4_is_multicast(d) && !duet_addr4_is_broadcast(d) &&
	    net_local_ifindex(s->stack, 4, d)) {
		memcpy(out, d, 4);
		return;
	}
	if (ip4_select_source(s->stack, m->src + 12, m->ifindex, out) != 0)
		memset(out, 0, 4);
}

static void sock_recv_ip4(struct sock_cbuf *cb, struct sock *s, uint32_t rx,
			  const struct sock_meta *m)
{
	if (rx & SOCK_RX_IP_PKTINFO) {
		struct in_pktinfo pi;
		memset(&pi, 0, sizeof(pi));
		pi.ipi_ifindex = (int)m->ifindex;
		sock_spec_dst(s, m, (uint8_t *)&pi.ipi_spec_dst);
		memcpy(&pi.ipi_addr, m->dst + 12, 4);
		sock_put_cmsg(cb, IPPROTO_IP, IP_PKTINFO, &pi, sizeof(pi));
	}
	if (rx & SOCK_RX_IP_TTL)
		sock_put_int(cb, IPPROTO_IP, IP_TTL, m->hop_limit);
	if (rx & SOCK_RX_IP_TOS)
		sock_put_cmsg(cb, IPPROTO_IP, IP_TOS, &m->tclass, 1); /* one octet, as Linux */
}

void sock_cmsg_recv(struct sock *s, struct duet_pkt *pkt, const struct sock_meta *m,
		    struct msghdr *msg)
{
	struct sock_cbuf cb = { msg, 0 };
	uint32_t rx = s->rxopt;

	if (s->family == AF_INET6)
		sock_recv_ip6(&cb, rx, pkt, m);
	if (m->is_v4)
		sock_recv_ip4(&cb, s, rx, m);
	msg->msg_controllen = cb.used;
}

void sock_path_mtu_notice(struct sock *s, const uint8_t dst[16], uint32_t scope, uint32_t mtu)
{
	if (!(s->rxopt & SOCK_RX_PATHMTU))
		return;
	memcpy(s->rxpmtu.dst, dst, 16);
	s->rxpmtu.scope = sock_addr_needs_zone(dst) ? scope : 0;
	s->rxpmtu.mtu = mtu;
	s->rxpmtu.is_pending = true;
	sock_wake(s);
}

ssize_t sock_path_mtu_recv(struct sock *s, struct msghdr *msg, int flags)
{
	struct sock_cbuf cb = { msg, 0 };
	struct ip6_mtuinfo mi;

	memset(&mi, 0, sizeof(mi));
	mi.ip6m_addr.sin6_family = AF_INET6;
	memcpy(mi.ip6m_addr.sin6_addr.s6_addr, s->rxpmtu.dst, 16);
	mi.ip6m_addr.sin6_scope_id = s->rxpmtu.scope;
	mi.ip6m_mtu = s->rxpmtu.mtu;
	msg->msg_flags = 0;
	if (msg->msg_name)
		msg->msg_namelen = sock_sa_out(s, s->rxpmtu.dst, 0, s->rxpmtu.scope, msg->msg_name,
					       msg->msg_namelen);
	else
		msg->msg_namelen = 0;
	sock_put_cmsg(&cb, IPPROTO_IPV6, IPV6_PATHMTU, &mi, sizeof(mi));
	msg->msg_controllen = cb.used;
	if (!(flags & MSG_PEEK)) {
		s->rxpmtu.is_pending = false;
		sock_wake(s);
	}
	return 0;
}

/* --- sendmsg ------------------------------------------------------------- */

static bool sock_is_super(const struct sock *s)
{
	return s->cred.uid == 0;
}

/* An options header (Hop-by-Hop, Destination) or Routing header in len
 * bytes at p: at least 8, its Hdr Ext Len inside len. Returns its length
 * or -EINVAL. */
static int sock_ext_len(const uint8_t *p, size_t len)
{
	size_t n;

	if (len < 2)
		return -EINVAL;
	n = (p[1] + 1u) * 8u;
	return n <= len ? (int)n : -EINVAL;
}

/* A Routing header an application may send: Type 0 (RFC 2460 §4.4, the
 * type RFC 3542's inet6_rth_* build) or Type 2 (RFC 6275 §6.4), with at
 * least one address and Segments Left equal to their number. */
static int sock_rthdr_ok(const uint8_t *p, size_t len)
{
	int n = sock_ext_len(p, len);

	if (n < 0 || n < 8)
		return -EINVAL;
	if (p[2] == 0 && p[1] >= 2 && !(p[1] & 1) && p[3] == p[1] / 2)
		return n;
	if (p[2] == 2 && p[1] == 2 && p[3] == 1)
		return n;
	return -EINVAL;
}

static int sock_cm_int(const uint8_t *d, size_t dlen, int lo, int hi, int *out)
{
	int v;

	if (dlen != sizeof(int))
		return -EINVAL;
	memcpy(&v, d, sizeof(v));
	if (v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

/* IPV6_PKTINFO's checks (Linux's ip6_datagram_send_ctl): a known
 * interface; a link-local source only with one; a source of ours. */
static int sock_check_pktinfo(struct sock *s, const struct in6_pktinfo *pi, uint32_t oif)
{
	const uint8_t *a = pi->ipi6_addr.s6_addr;

	if (pi->ipi6_ifindex && !stack_iface(s->stack, pi->ipi6_ifindex))
		return -ENODEV;
	if (sock_addr_is_any6(a))
		return 0;
	if (duet_addr6_is_linklocal(a) && !pi->ipi6_ifindex && !oif)
		return -EINVAL;
	if (duet_addr6_is_multicast(a) ||
	    !net_local_owner(s->stack, 16, a, pi->ipi6_ifindex ? pi->ipi6_ifindex : oif))
		return -EINVAL;
	return 0;
}

/* IPV6_NEXTHOP's sockaddr_in6 (FreeBSD's checks; Linux has no such
 * option): superuser, an IPv6 unicast address. */
static int sock_nexthop_in(const struct sock *s, const uint8_t *d, size_t dlen,
			   struct sock_txopt *tx)
{
	struct sockaddr_in6 sa;

	if (!sock_is_super(s))
		return -EPERM;
	if (dlen < sizeof(struct sockaddr))
		return -EINVAL;
	memset(&sa, 0, sizeof(sa));
	memcpy(&sa, d, dlen < sizeof(sa) ? dlen : sizeof(sa));
	if (sa.sin6_family != AF_INET6)
		return -EAFNOSUPPORT;
	if (dlen < sizeof(sa) || sock_addr_is_any6(sa.sin6_addr.s6_addr) ||
	    duet_addr6_is_multicast(sa.sin6_addr.s6_addr) ||
	    sock_addr_is_v4(sa.sin6_addr.s6_addr))
		return -EINVAL;
	memcpy(tx->nexthop, sa.sin6_addr.s6_addr, 16);
	tx->nexthop_scope = sa.sin6_scope_id;
	tx->has |= SOCK_TX_NEXTHOP;
	return 0;
}

/* The cmsg headers of a control buffer, walked as Linux's
 * for_each_cmsghdr with CMSG_OK: a header that does not fit ends the walk;
 * one whose length is short or runs past the buffer is EINVAL. */
struct sock_cwalk {
	const uint8_t *base;
	size_t len, off;
};

static int sock_cwalk_next(struct sock_cwalk *w, struct cmsghdr *h, const uint8_t **data,
			   size_t *dlen)
{
	if (w->off >= w->len || w->len - w->off < sizeof(*h))
		return 0;
	memcpy(h, w->base + w->off, sizeof(*h));
	if (h->cmsg_len < sizeof(*h) || h->cmsg_len > w->len - w->off)
		return -EINVAL;
	*data = w->base + w->off + CMSG_LEN(0);
	*dlen = h->cmsg_len - CMSG_LEN(0);
	w->off += CMSG_ALIGN(h->cmsg_len);
	return 1;
}

/* One SOL_IPV6 object for an IPv6 destination. seen: a bit per type met so
 * far (bit 63: an IPV6_PKTINFO), for the once-only objects and the RFC 2292 order
 * state (a Destination Options header before a Routing header is the
 * latter's, as in Linux). */
static int sock_cm_ip6(struct sock *s, int type, const uint8_t *d, size_t dlen,
		       struct sock_txopt *tx, uint64_t *seen)
{
	struct in6_pktinfo pi;
	int n, v;

	switch (type) {
	case IPV6_PKTINFO:
	case IPV6_2292PKTINFO:
		if (dlen < sizeof(pi))
			return -EINVAL;
		memcpy(&pi, d, sizeof(pi));
		n = sock_check_pktinfo(s, &pi, tx->ifindex);
		if (n)
			return n;
		/* The object replaces a sticky IPV6_PKTINFO whole (:: and 0:
		 * "choose"), as every ancillary object replaces its sticky twin. */
		tx->ifindex = pi.ipi6_ifindex;
		memcpy(tx->src, pi.ipi6_addr.s6_addr, 16);
		tx->has |= SOCK_TX_PKTINFO;
		return 0;
	case IPV6_HOPLIMIT:
	case IPV6_2292HOPLIMIT:
		if ((n = sock_cm_int(d, dlen, -1, 255, &v)) != 0)
			return n;
		tx->hlim = v;
		tx->has |= SOCK_TX_HOPLIMIT;
		return 0;
	case IPV6_TCLASS:
		if ((n = sock_cm_int(d, dlen, -1, 255, &v)) != 0)
			return n;
		tx->tclass = v;
		tx->has |= SOCK_TX_TCLASS;
		return 0;
	case IPV6_DONTFRAG:
		if ((n = sock_cm_int(d, dlen, 0, 1, &v)) != 0)
			return n;
		tx->dontfrag = v;
		tx->has |= SOCK_TX_DONTFRAG;
		return 0;
	case DUET_IPV6_USE_MIN_MTU:
		if ((n = sock_cm_int(d, dlen, -1, 1, &v)) != 0)
			return n;
		tx->minmtu = v;
		tx->has |= SOCK_TX_MINMTU;
		return 0;
	case IPV6_NEXTHOP:
		return sock_nexthop_in(s, d, dlen, tx);
	case IPV6_HOPOPTS:
	case IPV6_2292HOPOPTS:
	case IPV6_DSTOPTS:
	case IPV6_RTHDRDSTOPTS:
	case IPV6_2292DSTOPTS: {
		int slot = type == IPV6_HOPOPTS || type == IPV6_2292HOPOPTS ? IP6_EXT_HOPOPTS
			   : type == IPV6_RTHDRDSTOPTS			  ? IP6_EXT_DSTOPTS_RT
									  : IP6_EXT_DSTOPTS;
		if ((n = sock_ext_len(d, dlen)) < 0)
			return n;
		if (!sock_is_super(s))
			return -EPERM; /* Linux: CAP_NET_RAW */
		if ((slot == IP6_EXT_HOPOPTS || type == IPV6_2292DSTOPTS) && (*seen & (1ull << type)))
			return -EINVAL; /* once per call, as Linux */
		*seen |= 1ull << type;
		tx->ext[slot].data = d;
		tx->ext[slot].len = (uint16_t)n;
		tx->has |= SOCK_TX_EXT;
		return 0;
	}
	case IPV6_RTHDR:
	case IPV6_2292RTHDR:
		if ((n = sock_rthdr_ok(d, dlen)) < 0)
			return n;
		tx->ext[IP6_EXT_RTHDR].data = d;
		tx->ext[IP6_EXT_RTHDR].len = (uint16_t)n;
		tx->has |= SOCK_TX_EXT;
		if (type == IPV6_2292RTHDR && (*seen & (1ull << IPV6_2292DSTOPTS)) &&
		    tx->ext[IP6_EXT_DSTOPTS].data) { /* once: Linux's dst1opt test */
			tx->ext[IP6_EXT_DSTOPTS_RT] = tx->ext[IP6_EXT_DSTOPTS];
			tx->ext[IP6_EXT_DSTOPTS].data = NULL;
		}
		return 0;
	default:
		return -EINVAL;
	}
}

/* One SOL_IP object for an IPv4 destination (Linux's ip_cmsg_send). */
static int sock_cm_ip4(int type, const uint8_t *d, size_t dlen, struct sock_txopt *tx)
{
	struct in_pktinfo pi;
	int n, v;

	switch (type) {
	case IP_PKTINFO:
		if (dlen != sizeof(pi))
			return -EINVAL;
		memcpy(&pi, d, sizeof(pi));
		tx->ifindex4 = (uint32_t)pi.ipi_ifindex;
		memcpy(tx->src4, &pi.ipi_spec_dst, 4);
		tx->has |= SOCK_TX_IP_PKTINFO;
		return 0;
	case IP_TTL:
		if ((n = sock_cm_int(d, dlen, 1, 255, &v)) != 0)
			return n;
		tx->ttl4 = v;
		tx->has |= SOCK_TX_IP_TTL;
		return 0;
	case IP_TOS:
		if (dlen == 1)
			v = d[0];
		else if ((n = sock_cm_int(d, dlen, 0, 255, &v)) != 0)
			return n;
		tx->tos4 = v;
		tx->has |= SOCK_TX_IP_TOS;
		return 0;
	default:
		return -EINVAL;
	}
}

/* An IPv6 socket's IPV6_PKTINFO for an IPv4 destination: a v4-mapped
 * source (Linux's ip_cmsg_send with allow_ipv6). */
static int sock_cm_pktinfo_v4(const uint8_t *d, size_t dlen, struct sock_txopt *tx)
{
	struct in6_pktinfo pi;

	if (dlen < sizeof(pi))
		return -EINVAL;
	memcpy(&pi, d, sizeof(pi));
	if (!sock_addr_is_v4(pi.ipi6_addr.s6_addr))
		return -EINVAL;
	tx->ifindex4 = pi.ipi6_ifindex;
	memcpy(tx->src4, pi.ipi6_addr.s6_addr + 12, 4);
	tx->has |= SOCK_TX_IP_PKTINFO;
	return 0;
}

/* A sticky IPV6_PKTINFO no ancillary object replaced is checked now. */
static int sock_check_sticky(struct sock *s, const struct sock_txopt *tx, bool is_v4)
{
	struct in6_pktinfo pi;

	if (is_v4 || !(tx->has & SOCK_TX_PKTINFO))
		return 0;
	memcpy(pi.ipi6_addr.s6_addr, tx->src, 16);
	pi.ipi6_ifindex = tx->ifindex;
	return sock_check_pktinfo(s, &pi, 0);
}

/* The sticky options, or none. Without them only what is read without a
 * has bit is set: the rest of tx stays unwritten (every datagram passes
 * here). */
static void sock_txopt_init(const struct sock *s, struct sock_txopt *tx)
{
	unsigned i;

	if (s->sticky) {
		*tx = s->sticky->o;
		return;
	}
	tx->has = 0;
	tx->ifindex = 0;
	tx->hlim = tx->tclass = -1;
	for (i = 0; i < IP6_EXT__COUNT; i++)
		tx->ext[i].data = NULL;
}

int sock_cmsg_send(struct sock *s, const struct msghdr *msg, const uint8_t dst[16],
		   struct sock_txopt *tx)
{
	bool is_v4 = sock_addr_is_v4(dst);
	struct sock_cwalk w;
	const uint8_t *d;
	struct cmsghdr h;
	uint64_t seen = 0;
	size_t dlen;
	int r, err;

	sock_txopt_init(s, tx);
	if (!msg->msg_controllen)
		return sock_check_sticky(s, tx, is_v4);
	if (!msg->msg_control)
		return -EFAULT;
	if (msg->msg_controllen > INT32_MAX)
		return -ENOBUFS;
	w.base = msg->msg_control;
	w.len = msg->msg_controllen;
	w.off = 0;
	/* Ancillary data replaces the sticky ones per option (RFC 3542 §6,
	 * FreeBSD's ip6_setpktopts); the IPv6 ones a call gives start
	 * from the sticky values, copied above. */
	while ((r = sock_cwalk_next(&w, &h, &d, &dlen)) > 0) {
		if (h.cmsg_level == SOL_SOCKET) {
			if (h.cmsg_type == SCM_RIGHTS || h.cmsg_type == SCM_CREDENTIALS)
				continue; /* Linux ignores them on IP sockets */
			return -EINVAL;
		}
		if (h.cmsg_level == IPPROTO_UDP && s->type == SOCK_DGRAM)
			return -EINVAL; /* Linux's UDP_SEGMENT: duet has no UDP GSO */
		if (s->family == AF_INET6 && !is_v4 && h.cmsg_level == IPPROTO_IPV6)
			err = sock_cm_ip6(s, h.cmsg_type, d, dlen, tx, &seen);
		else if (s->family == AF_INET6 && is_v4 && h.cmsg_level == IPPROTO_IPV6 &&
			 h.cmsg_type == IPV6_PKTINFO)
			err = sock_cm_pktinfo_v4(d, dlen, tx);
		else if (is_v4 && h.cmsg_level == IPPROTO_IP)
			err = sock_cm_ip4(h.cmsg_type, d, dlen, tx);
		else
			continue; /* another level, or the other family's: ignored, as Linux */
		if (err)
			return err;
		if (h.cmsg_level == IPPROTO_IPV6 &&
		    (h.cmsg_type == IPV6_PKTINFO || h.cmsg_type == IPV6_2292PKTINFO))
			seen |= 1ull << 63;
	}
	if (r < 0)
		return r;
	return seen & (1ull << 63) ? 0 : sock_check_sticky(s, tx, is_v4);
}

/* --- sticky options ------------------------------------------------------ */

void sock_sticky_free(struct sock *s)
{
	unsigned i;

	if (!s->sticky)
		return;
	for (i = 0; i < IP6_EXT__COUNT; i++)
		free(s->sticky->ext_own[i]);
	free(s->sticky);
	s->sticky = NULL;
}

static struct sock_sticky *sock_sticky_get(struct sock *s)
{
	if (!s->sticky) {
		s->sticky = calloc(1, sizeof(*s->sticky));
		if (!s->sticky)
			return NULL;
		s->sticky->o.hlim = s->sticky->o.tclass = -1;
	}
	return s->sticky;
}

/* Replaces one sticky extension header with len bytes at p (0: removes it). */
static int sock_sticky_ext(struct sock *s, unsigned slot, const uint8_t *p, size_t len)
{
	struct sock_sticky *st = sock_sticky_get(s);
	uint8_t *copy = NULL;

	if (!st)
		return -ENOMEM;
	if (len) {
		copy = malloc(len);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, p, len);
	}
	free(st->ext_own[slot]);
	st->ext_own[slot] = copy;
	st->o.ext[slot].data = copy;
	st->o.ext[slot].len = (uint16_t)len;
	st->o.has |= SOCK_TX_EXT; /* a hint: kept set once a header was */
	return 0;
}

/* IPV6_HOPOPTS, IPV6_DSTOPTS, IPV6_RTHDRDSTOPTS, IPV6_RTHDR as sticky
 * options (RFC 3542 §6.1): a whole header, or a zero length to remove it
 * (Linux's ipv6_set_opt_hdr: 8..2040 octets, a multiple of 8, its own
 * length inside them). */
static int sock_set_ext(struct sock *s, int name, const uint8_t *val, socklen_t len)
{
	unsigned slot = name == IPV6_HOPOPTS	   ? IP6_EXT_HOPOPTS
			: name == IPV6_RTHDRDSTOPTS ? IP6_EXT_DSTOPTS_RT
			: name == IPV6_RTHDR	   ? IP6_EXT_RTHDR
						   : IP6_EXT_DSTOPTS;
	int n = 0;

	if (name != IPV6_RTHDR && !sock_is_super(s))
		return -EPERM;
	if (len) {
		if (len < 8 || (len & 7) || len > SOCK_EXT_MAX)
			return -EINVAL;
		n = name == IPV6_RTHDR ? sock_rthdr_ok(val, len) : sock_ext_len(val, len);
		if (n < 0)
			return n;
	}
	return sock_sticky_ext(s, slot, val, (size_t)n);
}

/* IPV6_PKTOPTIONS (RFC 2292 §5): one buffer of ancillary objects that
 * replaces every sticky option; a zero length clears them all; a buffer
 * with a bad object changes nothing. */
static int sock_set_pktoptions(struct sock *s, const void *val, socklen_t len)
{
	struct sock_sticky *st, *old = s->sticky;
	struct sock_txopt tx;
	struct msghdr msg;
	unsigned i;
	int err;

	if (!len) {
		sock_sticky_free(s);
		return 0;
	}
	memset(&msg, 0, sizeof(msg));
	msg.msg_control = (void *)val;
	msg.msg_controllen = len;
	s->sticky = NULL; /* parsed from nothing; a bad buffer keeps the old ones */
	err = sock_cmsg_send(s, &msg, (const uint8_t[16]){ 0x20 }, &tx);
	s->sticky = old;
	if (err)
		return err;
	sock_sticky_free(s);
	if (!(st = sock_sticky_get(s)))
		return -ENOMEM;
	st->o = tx;
	for (i = 0; i < IP6_EXT__COUNT; i++) {
		st->o.ext[i].data = NULL;
		if (tx.ext[i].data && (err = sock_sticky_ext(s, i, tx.ext[i].data, tx.ext[i].len))) {
			sock_sticky_free(s);
			return err;
		}
	}
	return 0;
}

/* Sticky IPV6_PKTINFO (RFC 3542 §6.1), as Linux: a whole in6_pktinfo
 * (a zero length is EINVAL), an interface no other than the bound one;
 * the rest is checked when a datagram leaves, as the addresses may have
 * changed by then. ipi6_addr :: with ipi6_ifindex 0 is "none". */
static int sock_set_sticky_pktinfo(struct sock *s, const void *val, socklen_t len)
{
	struct sock_sticky *st;
	struct in6_pktinfo pi;

	if (len < (socklen_t)sizeof(pi))
		return -EINVAL;
	memcpy(&pi, val, sizeof(pi));
	if (pi.ipi6_ifindex && s->lscope && pi.ipi6_ifindex != s->lscope)
		return -EINVAL;
	if (!(st = sock_sticky_get(s)))
		return -ENOMEM;
	memcpy(st->o.src, pi.ipi6_addr.s6_addr, 16);
	st->o.ifindex = pi.ipi6_ifindex;
	if (pi.ipi6_ifindex || !sock_addr_is_any6(pi.ipi6_addr.s6_addr))
		st->o.has |= SOCK_TX_PKTINFO;
	else
		st->o.has &= ~(uint32_t)SOCK_TX_PKTINFO;
	return 0;
}

static int sock_set_sticky_nexthop(struct sock *s, const void *val, socklen_t len)
{
	struct sock_sticky *st;
	struct sock_txopt tx;
	int err;

	if (len == 0) {
		if (!sock_is_super(s))
			return -EPERM;
		if (s->sticky)
			s->sticky->o.has &= ~(uint32_t)SOCK_TX_NEXTHOP;
		return 0;
	}
	memset(&tx, 0, sizeof(tx));
	if ((err = sock_nexthop_in(s, val, len, &tx)) != 0)
		return err;
	if (!(st = sock_sticky_get(s)))
		return -ENOMEM;
	memcpy(st->o.nexthop, tx.nexthop, 16);
	st->o.nexthop_scope = tx.nexthop_scope;
	st->o.has |= SOCK_TX_NEXTHOP;
	return 0;
}

/* The receive switch an option name sets, 0: none. */
static uint32_t sock_rx_bit6(int name)
{
	switch (name) {
	case IPV6_RECVPKTINFO: return SOCK_RX_PKTINFO;
	case IPV6_RECVHOPLIMIT: return SOCK_RX_HOPLIMIT;
	case IPV6_RECVTCLASS: return SOCK_RX_TCLASS;
	case IPV6_RECVHOPOPTS: return SOCK_RX_HOPOPTS;
	case IPV6_RECVDSTOPTS: return SOCK_RX_DSTOPTS;
	case IPV6_RECVRTHDR: return SOCK_RX_RTHDR;
	case IPV6_RECVPATHMTU: return SOCK_RX_PATHMTU;
	case DUET_IPV6_FLOWINFO: return SOCK_RX_FLOWINFO;
	case IPV6_2292PKTINFO: return SOCK_RX_2292PKTINFO;
	case IPV6_2292HOPLIMIT: return SOCK_RX_2292HOPLIMIT;
	case IPV6_2292HOPOPTS: return SOCK_RX_2292HOPOPTS;
	case IPV6_2292DSTOPTS: return SOCK_RX_2292DSTOPTS;
	case IPV6_2292RTHDR: return SOCK_RX_2292RTHDR;
	default: return 0;
	}
}

int sock_set_adv6(struct sock *s, int name, const void *val, socklen_t len)
{
	uint32_t bit = sock_rx_bit6(name);
	int v = 0;

	switch (name) {
	case IPV6_HOPOPTS:
	case IPV6_DSTOPTS:
	case IPV6_RTHDRDSTOPTS:
	case IPV6_RTHDR:
		return sock_set_ext(s, name, val, len);
	case IPV6_2292PKTOPTIONS:
		return sock_set_pktoptions(s, val, len);
	case IPV6_PKTINFO:
		return sock_set_sticky_pktinfo(s, val, len);
	case IPV6_NEXTHOP:
		return sock_set_sticky_nexthop(s, val, len);
	default:
		break;
	}
	if (!bit && name != IPV6_DONTFRAG && name != DUET_IPV6_USE_MIN_MTU)
		return -ENOPROTOOPT;
	if (len < (socklen_t)sizeof(int))
		return -EINVAL;
	memcpy(&v, val, sizeof(v));
	if (name == IPV6_DONTFRAG) {
		s->dontfrag = v != 0;
		return 0;
	}
	if (name == DUET_IPV6_USE_MIN_MTU) {
		if (v < -1 || v > 1)
			return -EINVAL;
		s->use_min_mtu = (int8_t)v;
		return 0;
	}
	if (v)
		s->rxopt |= bit;
	else
		s->rxopt &= ~bit;
	return 0;
}

/* A sticky extension header out (RFC 3542 §6.1: the whole header, or a
 * zero length when none is set). */
static int sock_get_ext(const struct sock *s, unsigned slot, void *val, socklen_t *len)
{
	const struct ip6_ext_buf *e = s->sticky ? &s->sticky->o.ext[slot] : NULL;

	return sock_out_buf(e ? e->data : NULL, e && e->data ? e->len : 0, val, len);
}

int sock_get_adv6(struct sock *s, int name, void *val, socklen_t *len)
{
	uint32_t bit = sock_rx_bit6(name);

	switch (name) {
	case IPV6_HOPOPTS: return sock_get_ext(s, IP6_EXT_HOPOPTS, val, len);
	case IPV6_DSTOPTS: return sock_get_ext(s, IP6_EXT_DSTOPTS, val, len);
	case IPV6_RTHDRDSTOPTS: return sock_get_ext(s, IP6_EXT_DSTOPTS_RT, val, len);
	case IPV6_RTHDR: return sock_get_ext(s, IP6_EXT_RTHDR, val, len);
	case IPV6_PKTINFO: {
		struct in6_pktinfo pi;
		memset(&pi, 0, sizeof(pi));
		if (s->sticky && (s->sticky->o.has & SOCK_TX_PKTINFO)) {
			memcpy(pi.ipi6_addr.s6_addr, s->sticky->o.src, 16);
			pi.ipi6_ifindex = s->sticky->o.ifindex;
		}
		return sock_out_buf(&pi, sizeof(pi), val, len);
	}
	case IPV6_NEXTHOP: {
		struct sockaddr_in6 sa;
		if (!s->sticky || !(s->sticky->o.has & SOCK_TX_NEXTHOP)) {
			*len = 0;
			return 0;
		}
		memset(&sa, 0, sizeof(sa));
		sa.sin6_family = AF_INET6;
		memcpy(sa.sin6_addr.s6_addr, s->sticky->o.nexthop, 16);
		sa.sin6_scope_id = s->sticky->o.nexthop_scope;
		return sock_out_buf(&sa, sizeof(sa), val, len);
	}
	case IPV6_PATHMTU: { /* RFC 3542 §11.4, connected sockets (Linux: ENOTCONN) */
		struct ip6_mtuinfo mi;
		uint32_t mtu;
		int err;
		if (*len < (socklen_t)sizeof(mi))
			return -EINVAL;
		if (!s->is_connected)
			return -ENOTCONN;
		memset(&mi, 0, sizeof(mi));
		if (sock_addr_is_v4(s->faddr))
			return -ENOTCONN; /* no IPv6 path */
		if ((err = ip6_dst_mtu(s->stack, s->faddr, s->fscope ? s->fscope : s->lscope,
				       &mtu)) != 0)
			return err;
		mi.ip6m_addr.sin6_family = AF_INET6;
		memcpy(mi.ip6m_addr.sin6_addr.s6_addr, s->faddr, 16);
		mi.ip6m_addr.sin6_port = htons(s->fport);
		mi.ip6m_addr.sin6_scope_id = s->fscope;
		mi.ip6m_mtu = mtu;
		memcpy(val, &mi, sizeof(mi));
		*len = sizeof(mi);
		return 0;
	}
	case IPV6_DONTFRAG: return sock_out_int(s->dontfrag, val, len);
	case DUET_IPV6_USE_MIN_MTU: return sock_out_int(s->use_min_mtu, val, len);
	default:
		if (!bit)
			return -ENOPROTOOPT;
		return sock_out_int((s->rxopt & bit) != 0, val, len);
	}
}

static uint32_t sock_rx_bit4(int name)
{
	switch (name) {
	case IP_PKTINFO: return SOCK_RX_IP_PKTINFO;
	case IP_RECVTTL: return SOCK_RX_IP_TTL;
	case IP_RECVTOS: return SOCK_RX_IP_TOS;
	default: return 0;
	}
}

int sock_set_adv4(struct sock *s, int name, int v)
{
	uint32_t bit = sock_rx_bit4(name);

	if (!bit)
		return -ENOPROTOOPT;
	if (v)
		s->rxopt |= bit;
	else
		s->rxopt &= ~bit;
	return 0;
}

int sock_get_adv4(const struct sock *s, int name, int *v)
{
	uint32_t bit = sock_rx_bit4(name);

	if (!bit)
		return -ENOPROTOOPT;
	*v = (s->rxopt & bit) != 0;
	return 0;
}
