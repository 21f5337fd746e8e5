/* duet — socket options (S-1, B-1..B-8, DS-7, DS-8): SOL_SOCKET, the basic
 * IPv6 options of RFC 3493 §5.2 and the IPv4 ones (RFC 1112 §7.1 for
 * multicast), with Linux's lengths, ranges and errnos, and multicast
 * memberships (B-5) through the MLD and IGMP hosts. */
#include "socket/sock_api.h"

#include "net/igmp4.h"
#include "net/mld6.h"
#include "net/net.h"
#include "net/route.h"
#include "transport/raw.h"

#include <duet/addr.h>

#include <errno.h>
#include <stdlib.h>
#include <sys/time.h>

/* --- values the output path asks for ------------------------------------ */

int sock_out_hops(const struct sock *s, const uint8_t dst[16])
{
	const struct sock_state *ss = s->stack->sock;

	if (sock_addr_is_v4(dst)) {
		if (duet_addr4_is_multicast(dst + 12)) {
			if (s->mc_ttl >= 0)
				return s->mc_ttl;
			return s->family == AF_INET6 && s->mc_hops >= 0 ? s->mc_hops : ss->mc_ttl4;
		}
		if (s->family == AF_INET6 && s->uc_hops >= 0)
			return s->uc_hops; /* DS-8: the hop limit becomes the TTL */
		return s->ttl;
	}
	if (duet_addr6_is_multicast(dst))
		return s->mc_hops >= 0 ? s->mc_hops : ss->mc_hops6;
	return s->uc_hops;
}

uint8_t sock_out_tclass(const struct sock *s, const uint8_t dst[16])
{
	if (sock_addr_is_v4(dst))
		return (uint8_t)(s->family == AF_INET6 && s->tclass > 0 ? s->tclass : s->tos);
	return (uint8_t)(s->tclass > 0 ? s->tclass : 0);
}

/* The default multicast interface: the route to the group's prefix, else
 * the first multicast-capable interface that is not a loopback. */
static uint32_t sock_mc_default(struct duet_stack *stack, const uint8_t group[16])
{
	bool is_v4 = sock_addr_is_v4(group);
	const struct route *r = route_lookup(is_v4 ? &stack->net->rt4 : &stack->net->rt6,
					     is_v4 ? group + 12 : group, 0, duet_stack_now(stack));
	uint32_t i;

	if (r && r->plen > 0)
		return r->ifindex;
	for (i = 1; i <= stack->max_ifaces; i++) {
		const struct duet_iface *ifp = stack->ifaces[i];
		if (ifp && (ifp->link->flags & DUET_LINK_F_MULTICAST) &&
		    !(ifp->link->flags & DUET_LINK_F_LOOPBACK))
			return i;
	}
	return r ? r->ifindex : 0;
}

uint32_t sock_mc_oif(const struct sock *s, const uint8_t group[16])
{
	if (sock_addr_is_v4(group)) {
		if (s->mc4_ifindex)
			return s->mc4_ifindex;
		if (s->mc4_addr[0] || s->mc4_addr[1] || s->mc4_addr[2] || s->mc4_addr[3])
			return net_local_ifindex(s->stack, 4, s->mc4_addr);
		if (s->family == AF_INET6 && s->mc_ifindex)
			return s->mc_ifindex;
	} else if (s->mc_ifindex) {
		return s->mc_ifindex;
	}
	return sock_mc_default(s->stack, group);
}

/* --- memberships (B-5) --------------------------------------------------- */

static struct sock_mship *sock_mc_find(struct sock *s, const uint8_t group[16], uint32_t ifindex)
{
	uint32_t i;

	for (i = 0; i < s->n_mships; i++)
		if (memcmp(s->mships[i].group, group, 16) == 0 &&
		    (!ifindex || s->mships[i].ifindex == ifindex))
			return &s->mships[i];
	return NULL;
}

static int sock_mc_engine(struct sock *s, const uint8_t group[16], uint32_t ifindex, bool is_join)
{
	struct duet_stack *stack = s->stack;

	if (sock_addr_is_v4(group))
		return is_join ? igmp4_join(stack, s, ifindex, group + 12)
			       : igmp4_leave(stack, s, ifindex, group + 12);
	return is_join ? mld6_join(stack, s, ifindex, group) : mld6_leave(stack, s, ifindex, group);
}

static int sock_mc_join(struct sock *s, const uint8_t group[16], uint32_t ifindex)
{
	const struct duet_iface *ifp;
	struct sock_mship *m;
	int err;

	if (!ifindex)
		ifindex = sock_mc_default(s->stack, group);
	ifp = stack_iface(s->stack, ifindex);
	if (!ifp)
		return -ENODEV;
	if (!(ifp->link->flags & (DUET_LINK_F_MULTICAST | DUET_LINK_F_LOOPBACK)))
		return -EADDRNOTAVAIL; /* B-6 (FreeBSD in6_joingroup's answer) */
	if (sock_mc_find(s, group, ifindex))
		return -EADDRINUSE;
	if (sock_addr_is_v4(group) && s->n_mships >= SOCK_MAX_MEMBERSHIPS4)
		return -ENOBUFS;
	if (s->n_mships == s->cap_mships) {
		uint32_t cap = s->cap_mships ? s->cap_mships * 2 : 4;
		m = realloc(s->mships, cap * sizeof(*m));
		if (!m)
			return -ENOBUFS;
		s->mships = m;
		s->cap_mships = cap;
	}
	err = sock_mc_engine(s, group, ifindex, true);
	if (err)
		return err == -EINVAL ? -ENODEV : err;
	m = &s->mships[s->n_mships++];
	memcpy(m->group, group, 16);
	m->ifindex = ifindex;
	return 0;
}

static int sock_mc_drop(struct sock *s, const uint8_t group[16], uint32_t ifindex)
{
	struct sock_mship *m = sock_mc_find(s, group, ifindex);

	if (!m)
		return -EADDRNOTAVAIL;
	sock_mc_engine(s, m->group, m->ifindex, false);
	*m = s->mships[--s->n_mships];
	return 0;
}

void sock_mc_leave_all(struct sock *s)
{
	while (s->n_mships)
		sock_mc_drop(s, s->mships[0].group, s->mships[0].ifindex);
}

/* --- setsockopt ------------------------------------------------------------ */

static int sock_timeout_in(const void *val, socklen_t len, uint64_t *out_ns)
{
	struct timeval tv;

	if (len < (socklen_t)sizeof(tv))
		return -EINVAL;
	memcpy(&tv, val, sizeof(tv));
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EDOM;
	if (tv.tv_sec < 0)
		*out_ns = 1; /* Linux: a negative time never waits */
	else
		*out_ns = (uint64_t)tv.tv_sec * 1000000000ull + (uint64_t)tv.tv_usec * 1000ull;
	return 0;
}

static uint32_t sock_buf_size(int v, uint32_t max, uint32_t min)
{
	uint32_t u = (uint32_t)v < max ? (uint32_t)v : max; /* Linux's min_t(u32, ...) */

	u = u < 0x3fffffffu ? u : 0x3fffffffu;
	return 2 * u > min ? 2 * u : min;
}

static int sock_set_sol(struct sock *s, int name, const void *val, socklen_t len)
{
	const struct sock_state *ss = s->stack->sock;
	int v;

	if (len < (socklen_t)sizeof(int))
		return -EINVAL;
	memcpy(&v, val, sizeof(v));
	switch (name) {
	case SO_REUSEADDR: s->is_reuseaddr = v != 0; return 0;
	case SO_REUSEPORT: s->is_reuseport = v != 0; return 0;
	case SO_BROADCAST: s->is_broadcast = v != 0; return 0;
	case SO_DONTROUTE: s->is_dontroute = v != 0; return 0;
	case SO_KEEPALIVE: s->is_keepalive = v != 0; return 0;
	case SO_RCVBUF: s->rcvbuf = sock_buf_size(v, ss->rmem_max, 2304); return 0;
	case SO_SNDBUF: s->sndbuf = sock_buf_size(v, ss->wmem_max, 4608); return 0;
	case SO_RCVTIMEO: return sock_timeout_in(val, len, &s->rcvtimeo_ns);
	case SO_SNDTIMEO: return sock_timeout_in(val, len, &s->sndtimeo_ns);
	case SO_LINGER:
		if (len < (socklen_t)sizeof(struct linger))
			return -EINVAL;
		memcpy(&s->linger, val, sizeof(s->linger));
		s->linger.l_onoff = s->linger.l_onoff != 0;
		return 0;
	default: return -ENOPROTOOPT;
	}
}

static int sock_set_ip6_mreq(struct sock *s, int name, const void *val, socklen_t len)
{
	struct ipv6_mreq mr;

	if (len < (socklen_t)sizeof(mr))
		return -EINVAL;
	memcpy(&mr, val, sizeof(mr));
	if (!duet_addr6_is_multicast(mr.ipv6mr_multiaddr.s6_addr))
		return -EINVAL;
	if (name == IPV6_JOIN_GROUP)
		return sock_mc_join(s, mr.ipv6mr_multiaddr.s6_addr, mr.ipv6mr_interface);
	return sock_mc_drop(s, mr.ipv6mr_multiaddr.s6_addr, mr.ipv6mr_interface);
}

static int sock_set_ip6(struct sock *s, int name, const void *val, socklen_t len)
{
	int v = 0;

	if (s->family != AF_INET6)
		return -ENOPROTOOPT;
	if (name == IPV6_JOIN_GROUP || name == IPV6_LEAVE_GROUP)
		return sock_set_ip6_mreq(s, name, val, len);
	if ((v = sock_set_adv6(s, name, val, len)) != -ENOPROTOOPT)
		return v;
	if (len < (socklen_t)sizeof(int))
		return -EINVAL;
	memcpy(&v, val, sizeof(v));
	switch (name) {
	case IPV6_V6ONLY:
	case DUET_IPV6_BINDV6ONLY: /* B-8 */
		if (s->lport)
			return -EINVAL; /* DS-5: fixed once bound */
		s->is_v6only = v != 0;
		return 0;
	case IPV6_UNICAST_HOPS:
		if (v < -1 || v > 255)
			return -EINVAL;
		s->uc_hops = (int16_t)v;
		return 0;
	case IPV6_MULTICAST_HOPS:
		if (v < -1 || v > 255)
			return -EINVAL;
		s->mc_hops = (int16_t)v;
		return 0;
	case IPV6_MULTICAST_LOOP:
		if (v != 0 && v != 1)
			return -EINVAL;
		s->is_mc_loop6 = v;
		return 0;
	case IPV6_MULTICAST_IF:
		if (v && !stack_iface(s->stack, (uint32_t)v))
			return -ENXIO; /* B-3, the seed's errno (Linux: ENODEV) */
		if (v && s->lscope && s->lscope != (uint32_t)v)
			return -EINVAL;
		s->mc_ifindex = (uint32_t)v;
		return 0;
	case IPV6_TCLASS:
		if (v < -1 || v > 255)
			return -EINVAL;
		s->tclass = (int16_t)(v < 0 ? 0 : v);
		return 0;
	case IPV6_RECVERR:
		s->is_recverr = v != 0;
		return 0;
	case DUET_IPV6_PORTRANGE:
		if (v < DUET_IPV6_PORTRANGE_DEFAULT || v > DUET_IPV6_PORTRANGE_LOW)
			return -EINVAL;
		if (v == DUET_IPV6_PORTRANGE_LOW && s->cred.uid != 0)
			return -EACCES; /* B-7, B-9 */
		s->portrange = (uint8_t)v;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

static int sock_set_ip_mreq(struct sock *s, int name, const void *val, socklen_t len)
{
	struct ip_mreqn mr;
	uint8_t group[16];
	uint32_t ifindex;

	if (len < (socklen_t)sizeof(struct ip_mreq))
		return -EINVAL;
	memset(&mr, 0, sizeof(mr));
	memcpy(&mr, val, len >= (socklen_t)sizeof(mr) ? sizeof(mr) : sizeof(struct ip_mreq));
	if (!duet_addr4_is_multicast((const uint8_t *)&mr.imr_multiaddr))
		return -EINVAL;
	sock_addr_map4(group, (const uint8_t *)&mr.imr_multiaddr);
	ifindex = (uint32_t)mr.imr_ifindex;
	if (!ifindex && mr.imr_address.s_addr) {
		ifindex = net_local_ifindex(s->stack, 4, (const uint8_t *)&mr.imr_address);
		if (!ifindex)
			return name == IP_ADD_MEMBERSHIP ? -ENODEV : -EADDRNOTAVAIL;
	}
	if (name == IP_ADD_MEMBERSHIP)
		return sock_mc_join(s, group, ifindex);
	return sock_mc_drop(s, group, ifindex);
}

static int sock_set_ip_mcif(struct sock *s, const void *val, socklen_t len)
{
	struct ip_mreqn mr;

	memset(&mr, 0, sizeof(mr));
	if (len >= (socklen_t)sizeof(struct ip_mreqn))
		memcpy(&mr, val, sizeof(mr));
	else if (len >= (socklen_t)sizeof(struct ip_mreq))
		memcpy(&mr, val, sizeof(struct ip_mreq));
	else if (len >= (socklen_t)sizeof(struct in_addr))
		memcpy(&mr.imr_address, val, sizeof(struct in_addr));
	else
		return -EINVAL;
	if (len >= (socklen_t)sizeof(struct ip_mreq) && len < (socklen_t)sizeof(struct ip_mreqn))
		mr.imr_address = ((const struct ip_mreq *)val)->imr_interface;
	if (!mr.imr_ifindex && !mr.imr_address.s_addr) {
		s->mc4_ifindex = 0;
		memset(s->mc4_addr, 0, 4);
		return 0;
	}
	if (mr.imr_ifindex && !stack_iface(s->stack, (uint32_t)mr.imr_ifindex))
		return -EADDRNOTAVAIL;
	if (!mr.imr_ifindex && !net_local_ifindex(s->stack, 4, (const uint8_t *)&mr.imr_address))
		return -EADDRNOTAVAIL;
	s->mc4_ifindex = (uint32_t)mr.imr_ifindex;
	memcpy(s->mc4_addr, &mr.imr_address, 4);
	return 0;
}

static int sock_set_ip(struct sock *s, int name, const void *val, socklen_t len)
{
	int v = 0;

	if (name == IP_ADD_MEMBERSHIP || name == IP_DROP_MEMBERSHIP)
		return sock_set_ip_mreq(s, name, val, len);
	if (name == IP_MULTICAST_IF)
		return sock_set_ip_mcif(s, val, len);
	/* Linux takes an int, or a single byte, for these (ip_setsockopt). */
	if (len >= (socklen_t)sizeof(int))
		memcpy(&v, val, sizeof(v));
	else if (len >= 1)
		v = *(const unsigned char *)val;
	switch (name) {
	case IP_TTL:
		if (len < 1 || (v != -1 && (v < 1 || v > 255)))
			return -EINVAL;
		s->ttl = (int16_t)v;
		return 0;
	case IP_TOS:
		s->tos = (int16_t)(v & 0xff);
		return 0;
	case IP_MULTICAST_TTL:
		if (len < 1)
			return -EINVAL;
		if (v == -1)
			v = 1;
		if (v < 0 || v > 255)
			return -EINVAL;
		s->mc_ttl = (int16_t)v;
		return 0;
	case IP_MULTICAST_LOOP:
		if (len < 1)
			return -EINVAL;
		s->is_mc_loop4 = v != 0;
		return 0;
	case IP_RECVERR:
		s->is_recverr = v != 0;
		return 0;
	case IP_PKTINFO:
	case IP_RECVTTL:
	case IP_RECVTOS:
		if (len < 1)
			return -EINVAL;
		return sock_set_adv4(s, name, v);
	case DUET_IP_PORTRANGE:
		if (len < (socklen_t)sizeof(int))
			return -EINVAL;
		if (v < DUET_IPV6_PORTRANGE_DEFAULT || v > DUET_IPV6_PORTRANGE_LOW)
			return -EINVAL;
		if (v == DUET_IPV6_PORTRANGE_LOW && s->cred.uid != 0)
			return -EACCES;
		s->portrange = (uint8_t)v;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

static int sock_setopt(struct sock *s, int level, int name, const void *val, socklen_t len)
{
	static const unsigned char empty[1];

	if (!val && len > 0)
		return -EFAULT;
	if ((int)len < 0)
		return -EINVAL;
	if (!val)
		val = empty; /* a zero length reads nothing */
	if (s->type == SOCK_RAW) {
		int r = raw_setopt(s, level, name, val, len);
		if (r != 1)
			return r;
	}
	if (s->proto->setopt) {
		int r = s->proto->setopt(s, level, name, val, len);
		if (r != 1)
			return r;
	}
	switch (level) {
	case SOL_SOCKET: return sock_set_sol(s, name, val, len);
	case IPPROTO_IPV6: return sock_set_ip6(s, name, val, len);
	case IPPROTO_IP: return sock_set_ip(s, name, val, len);
	default: return -ENOPROTOOPT;
	}
}

int duet_setsockopt(struct duet_stack *stack, int fd, int level, int name, const void *val,
		    socklen_t len)
{
	struct sock *s;
	int r;

	sock_enter(stack);
	s = sock_get(stack, fd);
	r = s ? sock_setopt(s, level, name, val, len) : -EBADF;
	sock_leave(stack);
	return sock_ret(r);
}

/* --- getsockopt -------------------------------------------------------------- */

int sock_out_buf(const void *src, socklen_t size, void *val, socklen_t *len)
{
	socklen_t n = *len < size ? *len : size;

	if (n)
		memcpy(val, src, n);
	*len = n;
	return 0;
}

int sock_out_int(int v, void *val, socklen_t *len)
{
	return sock_out_buf(&v, sizeof(v), val, len);
}

static int sock_out_timeout(uint64_t ns, void *val, socklen_t *len)
{
	struct timeval tv;

	tv.tv_sec = (time_t)(ns == 1 ? 0 : ns / 1000000000ull);
	tv.tv_usec = (suseconds_t)(ns == 1 ? 0 : (ns % 1000000000ull) / 1000ull);
	return sock_out_buf(&tv, sizeof(tv), val, len);
}

static int sock_get_sol(struct sock *s, int name, void *val, socklen_t *len)
{
	int v;

	switch (name) {
	case SO_REUSEADDR: v = s->is_reuseaddr; break;
	case SO_REUSEPORT: v = s->is_reuseport; break;
	case SO_BROADCAST: v = s->is_broadcast; break;
	case SO_DONTROUTE: v = s->is_dontroute; break;
	case SO_KEEPALIVE: v = s->is_keepalive; break;
	case SO_RCVBUF: v = (int)s->rcvbuf; break;
	case SO_SNDBUF: v = (int)s->sndbuf; break;
	case SO_ERROR: v = s->so_error; s->so_error = 0; sock_wake(s); break;
	case SO_TYPE: v = s->type; break;
	case SO_DOMAIN: v = s->family; break;
	case SO_PROTOCOL: v = s->protocol; break;
	case SO_RCVTIMEO: return sock_out_timeout(s->rcvtimeo_ns, val, len);
	case SO_SNDTIMEO: return sock_out_timeout(s->sndtimeo_ns, val, len);
	case SO_LINGER: return sock_out_buf(&s->linger, sizeof(s->linger), val, len);
	default: return -ENOPROTOOPT;
	}
	return sock_out_int(v, val, len);
}

static int sock_get_ip6(struct sock *s, int name, void *val, socklen_t *len)
{
	const struct sock_state *ss = s->stack->sock;
	int v;

	if (s->family != AF_INET6)
		return -ENOPROTOOPT;
	switch (name) {
	case IPV6_V6ONLY:
	case DUET_IPV6_BINDV6ONLY: v = s->is_v6only; break;
	case IPV6_UNICAST_HOPS: v = s->uc_hops >= 0 ? s->uc_hops : s->stack->net->def_hop_limit; break;
	case IPV6_MULTICAST_HOPS: v = s->mc_hops >= 0 ? s->mc_hops : ss->mc_hops6; break;
	case IPV6_MULTICAST_LOOP: v = s->is_mc_loop6; break;
	case IPV6_MULTICAST_IF: v = (int)s->mc_ifindex; break;
	case IPV6_TCLASS: v = s->tclass > 0 ? s->tclass : 0; break;
	case IPV6_RECVERR: v = s->is_recverr; break;
	case DUET_IPV6_PORTRANGE: v = s->portrange; break;
	default: return sock_get_adv6(s, name, val, len);
	}
	return sock_out_int(v, val, len);
}

static int sock_get_ip(struct sock *s, int name, void *val, socklen_t *len)
{
	const struct sock_state *ss = s->stack->sock;
	int v;

	switch (name) {
	case IP_TTL: v = s->ttl >= 0 ? s->ttl : s->stack->net->def_ttl; break;
	case IP_TOS: v = s->tos; break;
	case IP_MULTICAST_TTL: v = s->mc_ttl >= 0 ? s->mc_ttl : ss->mc_ttl4; break;
	case IP_MULTICAST_LOOP: v = s->is_mc_loop4; break;
	case IP_RECVERR: v = s->is_recverr; break;
	case DUET_IP_PORTRANGE: v = s->portrange; break;
	case IP_MULTICAST_IF: return sock_out_buf(s->mc4_addr, 4, val, len);
	default:
		if (sock_get_adv4(s, name, &v) != 0)
			return -ENOPROTOOPT;
	}
	/* Linux answers a one-byte buffer with one byte for small values. */
	if (*len > 0 && *len < (socklen_t)sizeof(int) && v >= 0 && v <= 255) {
		*(unsigned char *)val = (unsigned char)v;
		*len = 1;
		return 0;
	}
	return sock_out_int(v, val, len);
}

static int sock_getopt(struct sock *s, int level, int name, void *val, socklen_t *len)
{
	if (!len)
		return -EFAULT;
	if ((int)*len < 0)
		return -EINVAL;
	if (!val && *len > 0)
		return -EFAULT;
	if (s->type == SOCK_RAW) {
		int r = raw_getopt(s, level, name, val, len);
		if (r != 1)
			return r;
	}
	if (s->proto->getopt) {
		int r = s->proto->getopt(s, level, name, val, len);
		if (r != 1)
			return r;
	}
	if (s->family == AF_INET && level != SOL_SOCKET && level != IPPROTO_IP)
		return -EOPNOTSUPP; /* Linux's ip_getsockopt (setsockopt: ENOPROTOOPT) */
	switch (level) {
	case SOL_SOCKET: return sock_get_sol(s, name, val, len);
	case IPPROTO_IPV6: return sock_get_ip6(s, name, val, len);
	case IPPROTO_IP: return sock_get_ip(s, name, val, len);
	default: return -ENOPROTOOPT;
	}
}

int duet_getsockopt(struct duet_stack *stack, int fd, int level, int name, void *val,
		    socklen_t *len)
{
	struct sock *s;
	int r;

	sock_enter(stack);
	s = sock_get(stack, fd);
	r = s ? sock_getopt(s, level, name, val, len) : -EBADF;
	sock_leave(stack);
	return sock_ret(r);
}
