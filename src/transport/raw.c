/* duet — raw sockets (R-1..R-10): IPv6 ones as the seed manual page and
 * RFC 3542 §3 describe them, IPv4 ones (with IP_HDRINCL) as Linux has
 * them.
 *
 * IPv6: the stack adds the IPv6 header (and the extension headers the
 * advanced API gives) on output and fragments beyond the path MTU;
 * input arrives reassembled, from the upper-layer header on, with the
 * headers before it as ancillary data on request. Protocol 0 means Next
 * Header 255 both ways (R-2: no header-include mode for IPv6). ICMPv6
 * sockets have the checksum computed and verified by the stack,
 * an ICMP6_FILTER, and see the messages the stack handles itself;
 * others may ask for the same with IPV6_CHECKSUM.
 *
 * IPv4: a datagram is read whole, its header included; output gets a
 * header unless IP_HDRINCL (IPPROTO_RAW sockets: always, and they receive
 * nothing), whose header duet takes field by field.
 *
 * Sockets sit in a chain per protocol and family: a packet visits only
 * those of its protocol. Each taker gets its own copy of the packet (the
 * receive queue keeps the metadata below the IP header). */
#include "transport/raw.h"

#include "transport/dgram.h"

#include "net/ip4.h"
#include "net/ip6.h"
#include "net/mld6.h"
#include "net/net.h"

#include <duet/addr.h>
#include <duet/byteorder.h>
#include <duet/csum.h>
#include <duet/wire/icmp6.h>

#include <errno.h>
#include <netinet/icmp6.h>
#include <stdlib.h>

#define RAW_NH_RAW 255u     /* IPPROTO_RAW */
#define RAW_SOL_RAW 255     /* Linux's SOL_RAW level */
#define RAW_MAX_PAYLOAD 65535u

struct raw_state {
	struct sock *v6[256], *v4[256]; /* by protocol, chained by sock.hash_next */
	uint32_t n6, n4;                /* open raw sockets: the taps are set only
					 * while there are some (input pays nothing
					 * otherwise) */
};

static struct raw_state *raw_state_of(const struct duet_stack *stack)
{
	return (struct raw_state *)stack->sock->raw;
}

/* The Next Header / Protocol a socket sends and receives. */
static uint8_t raw_proto_of(const struct sock *s)
{
	return s->protocol ? (uint8_t)s->protocol : (uint8_t)RAW_NH_RAW;
}

static struct sock **raw_chain(struct sock *s)
{
	struct raw_state *r = raw_state_of(s->stack);

	return s->family == AF_INET6 ? &r->v6[raw_proto_of(s)] : &r->v4[raw_proto_of(s)];
}

static bool raw6_input(struct duet_stack *stack, struct duet_pkt *pkt,
		       const struct ip6_rx_info *info, uint8_t nh);
static bool raw4_input(struct duet_stack *stack, struct duet_pkt *pkt,
		       const struct ip4_rx_info *info, uint8_t protocol);

void raw_hash(struct sock *s)
{
	struct raw_state *r = raw_state_of(s->stack);
	struct sock **c = raw_chain(s);

	s->hash_next = *c;
	*c = s;
	if (s->family == AF_INET6 && r->n6++ == 0)
		ip6_set_raw(s->stack, raw6_input);
	if (s->family == AF_INET && r->n4++ == 0)
		ip4_set_raw(s->stack, raw4_input);
}

static void raw_close(struct sock *s)
{
	struct sock **c;

	struct raw_state *r = raw_state_of(s->stack);

	for (c = raw_chain(s); *c; c = &(*c)->hash_next)
		if (*c == s) {
			*c = s->hash_next;
			break;
		}
	if (s->family == AF_INET6 && --r->n6 == 0)
		ip6_set_raw(s->stack, NULL);
	if (s->family == AF_INET && --r->n4 == 0)
		ip4_set_raw(s->stack, NULL);
}

/* bind() only filters by local address (the port means nothing). */
static int raw_bind(struct sock *s, const uint8_t addr[16], uint16_t port, uint32_t scope)
{
	(void)port;
	memcpy(s->laddr, addr, 16);
	s->lscope = scope;
	return 0;
}

/* connect() fixes the peer for send and filters input by it. */
static int raw_connect(struct sock *s, const uint8_t addr[16], uint16_t port, uint32_t scope)
{
	uint8_t src[16];
	int err;

	(void)port;
	if (s->family == AF_INET6 && sock_addr_is_v4(addr))
		return -EAFNOSUPPORT;
	err = dgram_route_source(s, addr, scope ? scope : s->lscope, src);
	if (err)
		return err;
	memcpy(s->faddr, addr, 16);
	s->fport = 0;
	s->fscope = scope;
	memcpy(s->saddr, src, 16);
	s->is_connected = true;
	return 0;
}

static int raw_disconnect(struct sock *s)
{
	memset(s->faddr, 0, 16);
	s->fscope = 0;
	s->is_connected = false;
	return 0;
}

/* The 16-bit checksum at off in a payload of len bytes with pseudo-header
 * sum ps (RFC 8200 §8.1): written on output; on input, whether it
 * verifies. */
static void raw_csum_put(uint8_t *p, size_t len, uint32_t off, uint32_t ps, bool is_udp)
{
	uint16_t c;

	p[off] = p[off + 1] = 0;
	c = duet_csum_fold(duet_csum_partial(p, len, ps));
	if (c == 0 && is_udp)
		c = 0xffff; /* RFC 768: zero means none */
	duet_put_be16(p + off, c);
}

static bool raw_csum_ok(const uint8_t *p, size_t len, uint32_t ps)
{
	return duet_csum_fold(duet_csum_partial(p, len, ps)) == 0;
}

/* A pool packet holding the caller's len bytes (the largest ones leave
 * less headroom: IP and Ethernet headers still fit), or NULL. */
static struct duet_pkt *raw_pkt_from(struct duet_stack *stack, const struct msghdr *msg, size_t len)
{
	struct duet_pkt *pkt = duet_pkt_alloc(stack->pool,
					      DUET_PKT_HEADROOM + len <= DUET_PKT_MAX_DATA
						      ? DUET_PKT_HEADROOM
						      : DUET_PKT_MAX_DATA - len,
					      len);

	if (pkt)
		dgram_copy_iov(duet_pkt_data(pkt), msg, len);
	return pkt;
}

/* IP_HDRINCL: the application's IPv4 header, taken field by field
 * (Linux fills Total Length and the checksum always, the Identification
 * when zero, the source when 0.0.0.0). duet rebuilds the header from the
 * fields, so fragment offsets and flags are not taken; like Linux it never
 * fragments one (EMSGSIZE over the MTU). Unlike Linux the header's
 * destination also routes it, and a source that is not ours is EINVAL. */
static ssize_t raw_send_hdrincl(struct sock *s, const struct msghdr *msg, size_t len)
{
	struct duet_stack *stack = s->stack;
	struct ip4_out o;
	struct duet_pkt *pkt;
	const uint8_t *h;
	uint8_t opts[40];
	size_t ihl;
	int err;

	if (len < 20)
		return -EINVAL;
	if (!(pkt = raw_pkt_from(stack, msg, len)))
		return -ENOBUFS;
	h = duet_pkt_data(pkt);
	ihl = (size_t)(h[0] & 15) * 4u;
	if ((h[0] >> 4) != 4 || ihl < 20 || ihl > len) {
		duet_pkt_free(pkt);
		return -EINVAL;
	}
	memset(&o, 0, sizeof(o));
	memcpy(o.src, h + 12, 4);
	memcpy(o.dst, h + 16, 4);
	o.protocol = h[9];
	o.ttl = h[8];
	o.tos = h[1];
	o.is_dontfrag = true;
	memcpy(opts, h + 20, ihl - 20); /* the new header is written where they are */
	o.options = ihl > 20 ? opts : NULL;
	o.options_len = (uint8_t)(ihl - 20);
	o.is_id_given = (h[4] | h[5]) != 0;
	o.id = duet_get_be16(h + 4);
	o.oif = s->lscope;
	if ((o.src[0] | o.src[1] | o.src[2] | o.src[3]) && !net_local_ifindex(stack, 4, o.src) &&
	    !duet_addr4_is_loopback(o.src)) {
		duet_pkt_free(pkt);
		return -EINVAL;
	}
	duet_pkt_pull(pkt, (uint32_t)ihl);
	err = ip4_output(stack, pkt, &o);
	return err ? err : (ssize_t)len;
}

/* A multicast datagram's copy to the local raw sockets of its protocol
 * when this host is a member of the group on the outgoing interface and
 * IPV6_MULTICAST_LOOP says so (RFC 3493 §5.2), as UDP's: delivered now,
 * as if it had arrived, without extension headers. */
static void raw6_loop_group(struct sock *s, const struct duet_pkt *pkt, const struct dgram_out *o,
			    uint8_t proto)
{
	struct duet_stack *stack = s->stack;
	struct ip6_rx_info info;
	struct duet_pkt *c;

	if (!s->is_mc_loop6 || !mld6_is_member(stack, o->oif, o->final, o->src))
		return;
	c = duet_pkt_copy(stack->pool, pkt, DUET_PKT_HEADROOM);
	if (!c) {
		stack_count(stack, DUET_CTR_DROP_TX_NO_BUFFER);
		return;
	}
	memset(&info, 0, sizeof(info));
	memcpy(info.src, o->src, 16);
	memcpy(info.dst, o->final, 16);
	info.hop_limit = (uint8_t)(o->hops < 0 ? 1 : o->hops);
	info.tclass = o->tclass;
	info.ifindex = o->oif;
	info.nh_off = c->head; /* no IP header kept: no extension headers to report */
	info.is_multicast_dst = true;
	raw6_input(stack, c, &info, proto);
	duet_pkt_free(c);
}

static ssize_t raw_sendmsg(struct sock *s, const struct msghdr *msg, size_t len,
			   const uint8_t *addr, uint16_t port, uint32_t scope, int flags,
			   const struct sock_txopt *tx)
{
	struct duet_stack *stack = s->stack;
	uint8_t dst[16], proto = raw_proto_of(s);
	struct duet_pkt *pkt;
	struct dgram_out o;
	int err;

	if (!addr) {
		if (!s->is_connected)
			return -EDESTADDRREQ;
		addr = s->faddr, scope = s->fscope;
	} else if (s->family == AF_INET6 && port) {
		/* Linux: sin6_port names the protocol of an IPPROTO_RAW socket */
		if (port > 255 || (port != proto && proto != RAW_NH_RAW))
			return -EINVAL;
		proto = (uint8_t)port;
	}
	memcpy(dst, addr, 16);
	if (s->family == AF_INET6 && sock_addr_is_v4(dst))
		return -EAFNOSUPPORT; /* an IPv6 raw socket speaks IPv6 only */
	if (len > RAW_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (s->family == AF_INET && !s->is_broadcast && !duet_addr4_is_multicast(dst + 12) &&
	    dgram_is_bcast4(stack, dst + 12, scope))
		return -EACCES; /* SO_BROADCAST off, as UDP and Linux's raw_sendmsg */
	if (s->family == AF_INET && s->is_hdrincl)
		return raw_send_hdrincl(s, msg, len);
	if (s->csum_off >= 0 && (size_t)s->csum_off + 2 > len)
		return -EINVAL; /* no room for the checksum */
	if ((err = dgram_prepare(s, tx, dst, 0, scope, flags, &o)) != 0)
		return err;
	if (!(pkt = raw_pkt_from(stack, msg, len)))
		return -ENOBUFS;
	if (s->family == AF_INET6 && s->csum_off >= 0) /* over the final destination */
		raw_csum_put(duet_pkt_data(pkt), len, (uint32_t)s->csum_off,
			     duet_csum_pseudo6(o.src, o.final, (uint32_t)len, proto),
			     proto == IPPROTO_UDP);
	if (o.is_group && o.oif && s->family == AF_INET6)
		raw6_loop_group(s, pkt, &o, proto);
	if (o.is_group && o.hops == 0) {
		duet_pkt_free(pkt); /* B-2: hop limit 0 stays on this host */
		return (ssize_t)len;
	}
	err = dgram_emit(s, pkt, &o, proto, 0);
	if (err)
		return err;
	stack_count(stack, DUET_CTR_RAW_OUT_DATAGRAMS);
	return (ssize_t)len;
}

const struct sock_proto raw_proto = {
	.type = SOCK_RAW,
	.protocol = 0,
	.bind = raw_bind,
	.connect = raw_connect,
	.disconnect = raw_disconnect,
	.sendmsg = raw_sendmsg,
	.close = raw_close,
};

/* --- input ---------------------------------------------------------------- */

/* the bound address, the connected peer and the bound interface
 * filter what a raw socket sees. */
static bool raw_wants(const struct sock *s, const struct sock_meta *m)
{
	static const uint8_t any4[16] = { [10] = 0xff, [11] = 0xff };

	if (!sock_addr_is_any6(s->laddr) && memcmp(s->laddr, any4, 16) != 0 &&
	    memcmp(s->laddr, m->dst, 16) != 0)
		return false; /* a bound group too: only what is sent to it (Linux) */
	if (s->is_connected && memcmp(s->faddr, m->src, 16) != 0)
		return false;
	return !s->lscope || s->lscope == m->ifindex;
}

static void raw_deliver(struct duet_stack *stack, struct sock *s, struct duet_pkt *pkt,
			const struct sock_meta *m, uint32_t nh_off)
{
	if (sock_rx_enqueue(s, duet_pkt_ref(pkt), m, nh_off))
		stack_count(stack, DUET_CTR_RAW_IN_DELIVERS);
}

static bool raw6_input(struct duet_stack *stack, struct duet_pkt *pkt,
		       const struct ip6_rx_info *info, uint8_t nh)
{
	struct sock *s = raw_state_of(stack)->v6[nh], *next;
	const uint8_t *p = duet_pkt_data(pkt);
	int csum_ok = -1; /* the checksum (ICMPv6's or IPV6_CHECKSUM's, the same
			   * sum): -1 not yet computed */
	struct sock_meta m;
	bool is_taken = false;

	if (!s)
		return false;
	memset(&m, 0, sizeof(m));
	memcpy(m.src, info->src, 16);
	memcpy(m.dst, info->dst, 16);
	m.ifindex = info->ifindex;
	m.flow_label = info->flow_label;
	m.hop_limit = info->hop_limit;
	m.tclass = info->tclass;
	for (; s; s = next) {
		next = s->hash_next;
		if (!raw_wants(s, &m))
			continue;
		is_taken = true; /* Linux: a socket for it, whatever its checks say */
		if (s->csum_off >= 0 && (size_t)s->csum_off + 2 > pkt->len) {
			stack_count(stack, DUET_CTR_DROP_RAW_SHORT);
			continue;
		}
		if (s->csum_off >= 0 && csum_ok < 0) /* once per packet, whatever the offset */
			csum_ok = raw_csum_ok(p, pkt->len,
					      duet_csum_pseudo6(info->src, info->dst, pkt->len, nh));
		if (s->csum_off >= 0 && !csum_ok) {
			stack_count(stack, DUET_CTR_DROP_RAW_BAD_CHECKSUM);
			continue;
		}
		/* ICMPv6 (csum_off 2: at least 4 octets by now): its filter. */
		if (nh == IPPROTO_ICMPV6 && (s->icmp6_filt[p[0] >> 5] & (1u << (p[0] & 31)))) {
			stack_count(stack, DUET_CTR_RAW_FILTERED);
			continue;
		}
		raw_deliver(stack, s, pkt, &m, info->nh_off);
	}
	return is_taken;
}

static bool raw4_input(struct duet_stack *stack, struct duet_pkt *pkt,
		       const struct ip4_rx_info *info, uint8_t protocol)
{
	struct sock *s = raw_state_of(stack)->v4[protocol], *next;
	struct sock_meta m;
	bool is_taken = false;

	if (!s || protocol == RAW_NH_RAW)
		return false; /* IPPROTO_RAW sockets send only (Linux) */
	memset(&m, 0, sizeof(m));
	sock_addr_map4(m.src, info->src);
	sock_addr_map4(m.dst, info->dst);
	m.ifindex = info->ifindex;
	m.hop_limit = info->ttl;
	m.tclass = info->tos;
	m.is_v4 = 1;
	for (; s; s = next) {
		next = s->hash_next;
		if (raw_wants(s, &m)) {
			is_taken = true;
			raw_deliver(stack, s, pkt, &m, pkt->head);
		}
	}
	return is_taken;
}

/* --- options -------------------------------------------------------------- */

int raw_setopt(struct sock *s, int level, int name, const void *val, socklen_t len)
{
	int v;

	if (level == IPPROTO_ICMPV6 && name == ICMP6_FILTER) {
		if (s->family != AF_INET6 || s->protocol != IPPROTO_ICMPV6)
			return -EOPNOTSUPP; /* Linux */
		if (len > (socklen_t)sizeof(s->icmp6_filt))
			len = sizeof(s->icmp6_filt);
		memcpy(s->icmp6_filt, val, len); /* as Linux: a short one sets its words */
		return 0;
	}
	if ((level == IPPROTO_IPV6 || level == RAW_SOL_RAW) && name == IPV6_CHECKSUM &&
	    s->family == AF_INET6) {
		if (len < (socklen_t)sizeof(int))
			return -EINVAL;
		memcpy(&v, val, sizeof(v));
		if (s->protocol == IPPROTO_ICMPV6)
			return level == IPPROTO_IPV6 ? -EINVAL : (v == 2 ? 0 : -EINVAL); /* */
		if (v > 0 && (v & 1))
			return -EINVAL; /* odd */
		s->csum_off = v < 0 ? -1 : v;
		return 0;
	}
	if (level == IPPROTO_IP && name == IP_HDRINCL && s->family == AF_INET) {
		if (len < 1)
			return -EINVAL;
		v = 0;
		memcpy(&v, val, len < (socklen_t)sizeof(int) ? len : sizeof(int));
		if (s->protocol == RAW_NH_RAW)
			return 0; /* always on */
		s->is_hdrincl = v != 0;
		return 0;
	}
	return 1; /* not a raw socket's */
}

int raw_getopt(struct sock *s, int level, int name, void *val, socklen_t *len)
{
	int v;

	if (level == IPPROTO_ICMPV6 && name == ICMP6_FILTER) {
		if (s->family != AF_INET6 || s->protocol != IPPROTO_ICMPV6)
			return -EOPNOTSUPP;
		return sock_out_buf(s->icmp6_filt, sizeof(s->icmp6_filt), val, len);
	}
	if ((level == IPPROTO_IPV6 || level == RAW_SOL_RAW) && name == IPV6_CHECKSUM &&
	    s->family == AF_INET6)
		v = s->csum_off;
	else if (level == IPPROTO_IP && name == IP_HDRINCL && s->family == AF_INET)
		v = s->is_hdrincl;
	else
		return 1;
	return sock_out_int(v, val, len);
}

/* --- life ----------------------------------------------------------------- */

int raw_init(struct duet_stack *stack)
{
	struct raw_state *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	stack->sock->raw = r;
	return 0;
}

void raw_fini(struct duet_stack *stack)
{
	if (stack->sock) {
		free(stack->sock->raw);
		stack->sock->raw = NULL;
	}
}
