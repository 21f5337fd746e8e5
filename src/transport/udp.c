/* duet — UDP (RFC 768, RFC 8200 §8.1, RFC 1122 §4.1): the port table with
 * dual-stack sharing (DS-1, DS-3, DS-4, DS-6), ephemeral ports (RFC 6056
 * §3.3.1 from a keyed starting point, B-7), input demultiplexing by best
 * match as Linux scores it (connected > bound address > wildcard; an
 * AF_INET socket before a dual-stack one for IPv4), delivery of multicast
 * and broadcast to every matching socket, and ICMP errors reported to
 * connected sockets (T-1). Output lives in udp_output.c. */
#include "transport/udp_internal.h"

#include "transport/dgram.h"

#include "net/ip4.h"
#include "net/ip6.h"
#include "net/mld6.h"
#include "net/net.h"

#include <duet/addr.h>
#include <duet/byteorder.h>
#include <duet/csum.h>
#include <duet/wire/icmp4.h>
#include <duet/wire/icmp6.h>
#include <duet/wire/udp.h>

#include <errno.h>
#include <stdlib.h>

static inline struct sock **udp_bucket(struct udp_state *u, uint16_t port)
{
	return &u->buckets[port & (UDP_BUCKETS - 1)];
}

/* --- binding ------------------------------------------------------------ */

/* Would s bound to addr/scope clash with t on the same port? SO_REUSEADDR
 * on both, or SO_REUSEPORT on both with one owner, share (Linux's
 * udp_lib_lport_inuse); sockets bound to different interfaces never clash. */
static bool udp_conflict(const struct sock *s, const uint8_t *addr, uint32_t scope,
			 const struct sock *t)
{
	if (s->is_reuseaddr && t->is_reuseaddr)
		return false;
	if (s->is_reuseport && t->is_reuseport && s->cred.uid == t->cred.uid)
		return false;
	if (scope && t->lscope && scope != t->lscope)
		return false;
	return sock_addr_overlap(addr, s->is_v6only, t->laddr, t->is_v6only);
}

static bool udp_port_free(struct udp_state *u, const struct sock *s, const uint8_t *addr,
			  uint32_t scope, uint16_t port)
{
	const struct sock *t;

	for (t = *udp_bucket(u, port); t; t = t->hash_next)
		if (t != s && t->lport == port && udp_conflict(s, addr, scope, t))
			return false;
	return true;
}

/* RFC 6056 §3.3.1-style: a random starting point in the range, then the
 * next free port; -EAGAIN when the range is full (Linux's answer). */
static int udp_pick_port(struct udp_state *u, const struct sock *s, const uint8_t *addr,
			 uint32_t scope, uint16_t *port)
{
	uint16_t lo, hi;
	uint32_t n, i, start;

	sock_port_range(s, &lo, &hi);
	n = (uint32_t)hi - lo + 1;
	start = (uint32_t)(duet_stack_random(s->stack) % n);
	for (i = 0; i < n; i++) {
		uint16_t p = (uint16_t)(lo + (start + i) % n);
		if (udp_port_free(u, s, addr, scope, p)) {
			*port = p;
			return 0;
		}
	}
	return -EAGAIN;
}

static void udp_hash(struct udp_state *u, struct sock *s)
{
	struct sock **b = udp_bucket(u, s->lport);

	s->hash_next = *b;
	*b = s;
}

static void udp_unhash(struct udp_state *u, struct sock *s)
{
	struct sock **pp;

	if (!s->lport)
		return;
	for (pp = udp_bucket(u, s->lport); *pp; pp = &(*pp)->hash_next)
		if (*pp == s) {
			*pp = s->hash_next;
			break;
		}
	s->hash_next = NULL;
}

static int udp_bind(struct sock *s, const uint8_t addr[16], uint16_t port, uint32_t scope)
{
	struct udp_state *u = udp_state_of(s->stack);
	int err = 0;

	if (!port)
		err = udp_pick_port(u, s, addr, scope, &port);
	else if (!udp_port_free(u, s, addr, scope, port))
		err = -EADDRINUSE;
	if (err)
		return err;
	memcpy(s->laddr, addr, 16);
	s->lport = port;
	s->lscope = scope;
	udp_hash(u, s);
	return 0;
}

int udp_autobind(struct sock *s)
{
	uint8_t any[16];
	int err;

	if (s->is_bound)
		return 0;
	sock_addr_wildcard(s, any);
	err = udp_bind(s, any, 0, s->lscope);
	if (!err)
		s->is_bound = true;
	return err;
}

static int udp_connect(struct sock *s, const uint8_t addr[16], uint16_t port, uint32_t scope)
{
	bool is_v4 = sock_addr_is_v4(addr);
	uint8_t src[16];
	int err;

	/* A socket bound to one family's address cannot talk to the other. */
	if (s->is_addr_user && sock_addr_is_v4(s->laddr) != is_v4)
		return -ENETUNREACH;
	err = dgram_route_source(s, addr, scope ? scope : s->lscope, src);
	if (err)
		return err;
	err = udp_autobind(s);
	if (err)
		return err;
	if (!s->is_addr_user && !sock_addr_is_any6(src))
		memcpy(s->laddr, src, 16); /* as Linux: the source becomes the bound address */
	memcpy(s->saddr, src, 16);
	memcpy(s->faddr, addr, 16);
	s->fport = port;
	s->fscope = scope;
	s->is_connected = true;
	return 0;
}

static int udp_disconnect(struct sock *s)
{
	struct udp_state *u = udp_state_of(s->stack);

	s->is_connected = false;
	memset(s->faddr, 0, 16);
	s->fport = 0;
	s->fscope = 0;
	if (!s->is_addr_user)
		sock_addr_wildcard(s, s->laddr);
	if (!s->is_port_user && s->is_bound) {
		udp_unhash(u, s);
		s->lport = 0;
		s->is_bound = false;
	}
	return 0;
}

static void udp_close(struct sock *s)
{
	udp_unhash(udp_state_of(s->stack), s);
}

const struct sock_proto udp_proto = {
	.type = SOCK_DGRAM,
	.protocol = IPPROTO_UDP,
	.bind = udp_bind,
	.connect = udp_connect,
	.disconnect = udp_disconnect,
	.sendmsg = udp_sendmsg,
	.close = udp_close,
};

/* --- input ---------------------------------------------------------------- */

/* How well t matches a datagram (0: not at all), as Linux's compute_score:
 * a family check, then +4 for each of bound address, connected peer and
 * bound interface that match; +1 for an AF_INET socket taking IPv4. */
static int udp_score(const struct sock *t, const struct sock_meta *m)
{
	int score = 1;

	if (m->is_v4) {
		if (!sock_addr_is_v4(t->laddr) && !(sock_addr_is_any6(t->laddr) && !t->is_v6only))
			return 0;
		if (t->family == AF_INET)
			score++;
	} else if (sock_addr_is_v4(t->laddr)) {
		return 0; /* DS-1: a v4-mapped binding never sees IPv6 */
	}
	if (!sock_addr_is_any6(t->laddr) && !sock_addr_is_any4(t->laddr)) {
		if (memcmp(t->laddr, m->dst, 16) != 0)
			return 0;
		score += 4;
	}
	if (t->is_connected) {
		if (memcmp(t->faddr, m->src, 16) != 0 || t->fport != m->sport)
			return 0;
		score += 4;
	}
	if (t->lscope) {
		if (t->lscope != m->ifindex)
			return 0;
		score += 4;
	}
	return score;
}

/* The one socket a unicast datagram goes to: the best score; among equal
 * SO_REUSEPORT sockets one chosen by a hash of the 4-tuple. */
static struct sock *udp_lookup(struct duet_stack *stack, const struct sock_meta *m)
{
	struct udp_state *u = udp_state_of(stack);
	struct sock *t, *best = NULL;
	int best_score = 0, n_same = 0, score;

	for (t = *udp_bucket(u, m->dport); t; t = t->hash_next) {
		if (t->lport != m->dport)
			continue;
		score = udp_score(t, m);
		if (score > best_score) {
			best = t, best_score = score, n_same = 1;
		} else if (score && score == best_score && best->is_reuseport && t->is_reuseport) {
			n_same++;
		}
	}
	if (n_same > 1) {
		uint8_t key[36];
		uint32_t pick;
		memcpy(key, m->src, 16);
		memcpy(key + 16, m->dst, 16);
		memcpy(key + 32, &m->sport, 2);
		memcpy(key + 34, &m->dport, 2);
		pick = (uint32_t)(duet_stack_keyed_hash(stack, key, sizeof(key)) % (uint32_t)n_same);
		for (t = best; t; t = t->hash_next)
			if (t->lport == m->dport && t->is_reuseport && udp_score(t, m) == best_score &&
			    pick-- == 0)
				return t;
	}
	return best;
}

static void udp_deliver(struct duet_stack *stack, struct sock *s, struct duet_pkt *pkt,
			const struct sock_meta *m, uint32_t nh_off)
{
	if (sock_rx_enqueue(s, pkt, m, nh_off))
		stack_count(stack, DUET_CTR_UDP_IN_DATAGRAMS);
}

/* Multicast and broadcast go to every matching socket (Linux's
 * __udp4_lib_mcast_deliver; with IP_MULTICAST_ALL on, its default, any
 * socket on the port whose interface joined the group). Returns false
 * when none matched (pkt then still ours). */
static bool udp_deliver_group(struct duet_stack *stack, struct duet_pkt *pkt,
			      const struct sock_meta *m, uint32_t nh_off)
{
	struct udp_state *u = udp_state_of(stack);
	struct sock *t, *last = NULL;

	for (t = *udp_bucket(u, m->dport); t; t = t->hash_next) {
		if (t->lport != m->dport || !udp_score(t, m))
			continue;
		if (last) {
			struct duet_pkt *ref = duet_pkt_ref(pkt);
			udp_deliver(stack, last, ref, m, nh_off);
		}
		last = t;
	}
	if (!last)
		return false;
	udp_deliver(stack, last, pkt, m, nh_off);
	return true;
}

bool udp_input_meta(struct duet_stack *stack, struct duet_pkt *pkt, const struct sock_meta *m,
		    uint32_t nh_off, bool is_group)
{
	struct sock *s;

	if (is_group)
		return udp_deliver_group(stack, pkt, m, nh_off);
	s = udp_lookup(stack, m);
	if (!s)
		return false;
	udp_deliver(stack, s, pkt, m, nh_off);
	return true;
}

/* Parses and checks the header: 0 with the data left in pkt, or the drop
 * counter. */
static int udp_check(struct duet_pkt *pkt, uint32_t pseudo, bool is_v6, struct duet_udp_hdr *h)
{
	struct duet_cur c;
	const uint8_t *seg = duet_pkt_data(pkt);

	duet_cur_init(&c, seg, pkt->len);
	if (duet_udp_parse(&c, h) != 0)
		return DUET_CTR_DROP_UDP_MALFORMED;
	if (is_v6 && !duet_udp_has_csum(h))
		return DUET_CTR_DROP_UDP6_ZERO_CSUM;
	if ((is_v6 || duet_udp_has_csum(h)) && !duet_udp_csum_ok(seg, h->length, pseudo))
		return DUET_CTR_DROP_UDP_BAD_CHECKSUM;
	duet_pkt_trim(pkt, h->length); /* cut link padding */
	duet_pkt_pull(pkt, DUET_UDP_HDR_LEN);
	return 0;
}

static void udp6_input(struct duet_stack *stack, struct duet_pkt *pkt,
		       const struct ip6_rx_info *info)
{
	struct duet_udp_hdr h;
	struct sock_meta m;
	int ctr = udp_check(pkt, duet_csum_pseudo6(info->src, info->dst, pkt->len, IPPROTO_UDP),
			    true, &h);

	if (ctr) {
		stack_drop(stack, pkt, (enum duet_counter)ctr);
		return;
	}
	memset(&m, 0, sizeof(m));
	memcpy(m.src, info->src, 16);
	memcpy(m.dst, info->dst, 16);
	m.ifindex = info->ifindex;
	m.flow_label = info->flow_label;
	m.sport = h.src_port;
	m.dport = h.dst_port;
	m.hop_limit = info->hop_limit;
	m.tclass = info->tclass;
	m.ulp_len = DUET_UDP_HDR_LEN;
	if (udp_input_meta(stack, pkt, &m, info->nh_off, info->is_multicast_dst))
		return;
	stack_count_pkt(stack, pkt, DUET_CTR_UDP_NO_PORTS);
	/* RFC 4443 §3.1 code 4 (never for a multicast destination, §2.4(e.3));
	 * the error quotes the packet, whose headers are still in the buffer. */
	if (!info->is_multicast_dst)
		icmp6_send_error(stack, pkt, info, DUET_ICMP6_DST_UNREACH, DUET_ICMP6_DU_PORT, 0);
	duet_pkt_free(pkt);
}

static void udp4_input(struct duet_stack *stack, struct duet_pkt *pkt,
		       const struct ip4_rx_info *info)
{
	bool is_group = info->is_multicast_dst || info->is_broadcast_dst;
	struct duet_udp_hdr h;
	struct sock_meta m;
	int ctr = udp_check(pkt,
			    duet_csum_pseudo4(info->src, info->dst, (uint16_t)pkt->len, IPPROTO_UDP),
			    false, &h);

	if (ctr) {
		stack_drop(stack, pkt, (enum duet_counter)ctr);
		return;
	}
	memset(&m, 0, sizeof(m));
	sock_addr_map4(m.src, info->src);
	sock_addr_map4(m.dst, info->dst);
	m.ifindex = info->ifindex;
	m.sport = h.src_port;
	m.dport = h.dst_port;
	m.hop_limit = info->ttl;
	m.tclass = info->tos;
	m.is_v4 = 1;
	m.ulp_len = DUET_UDP_HDR_LEN;
	if (udp_input_meta(stack, pkt, &m, info->nh_off, is_group))
		return;
	stack_count_pkt(stack, pkt, DUET_CTR_UDP_NO_PORTS);
	if (!is_group) /* RFC 1122 §4.1.3.1 */
		icmp4_send_error(stack, pkt, info, DUET_ICMP4_DEST_UNREACH,
				 DUET_ICMP4_UNREACH_PORT, 0);
	duet_pkt_free(pkt);
}

/* --- ICMP errors ------------------------------------------------------- */

/* Is the error "hard" — reported to a connected socket without IP_RECVERR
 * (Linux's icmp_err_convert / icmpv6_err_convert fatal flags)? */
static bool udp_err_is_fatal(const struct net_icmp_err *e)
{
	if (e->family == AF_INET) {
		if (e->type == DUET_ICMP4_DEST_UNREACH)
			return e->code == 2 || e->code == 3 || (e->code >= 5 && e->code <= 10) ||
			       e->code >= 13;
		return e->type == 12; /* Parameter Problem */
	}
	if (e->type == DUET_ICMP6_DST_UNREACH)
		return e->code == 1 || e->code == 4 || e->code == 5 || e->code == 6;
	return e->type == 4; /* Parameter Problem */
}

static void udp_err(struct duet_stack *stack, const struct net_icmp_err *e)
{
	struct sock_meta m;
	struct sock *s;

	if (e->l4_len < 4) {
		stack_count(stack, DUET_CTR_UDP_ICMP_IGNORED);
		return;
	}
	/* The quoted datagram is ours: find its socket as if the peer had
	 * answered (src and dst swapped). */
	memset(&m, 0, sizeof(m));
	m.is_v4 = e->family == AF_INET;
	if (m.is_v4) {
		sock_addr_map4(m.dst, e->src);
		sock_addr_map4(m.src, e->dst);
	} else {
		memcpy(m.dst, e->src, 16);
		memcpy(m.src, e->dst, 16);
	}
	m.dport = duet_get_be16(e->l4);
	m.sport = duet_get_be16(e->l4 + 2);
	m.ifindex = e->ifindex;
	s = udp_lookup(stack, &m);
	if (s && e->family == AF_INET6 && e->type == DUET_ICMP6_PACKET_TOO_BIG &&
	    (s->rxopt & SOCK_RX_PATHMTU)) {
		uint32_t mtu; /* what the path MTU became (RFC 8201 keeps 1280 at least) */
		if (ip6_dst_mtu(stack, e->dst, sock_addr_needs_zone(e->dst) ? e->ifindex : 0, &mtu))
			mtu = e->mtu;
		sock_path_mtu_notice(s, e->dst, e->ifindex, mtu); /* RFC 3542 §11.3 */
	}
	if (!s || !(s->is_recverr || (s->is_connected && udp_err_is_fatal(e)))) {
		stack_count(stack, DUET_CTR_UDP_ICMP_IGNORED);
		return;
	}
	stack_count(stack, DUET_CTR_UDP_ICMP_ERRORS);
	sock_set_error(s, e->err);
}

int udp_init(struct duet_stack *stack)
{
	struct udp_state *u = calloc(1, sizeof(*u));

	if (!u)
		return -ENOMEM;
	stack->sock->udp = u;
	ip6_set_upper(stack, IPPROTO_UDP, udp6_input);
	ip4_set_upper(stack, IPPROTO_UDP, udp4_input);
	net_set_err_handler(stack, IPPROTO_UDP, udp_err);
	return 0;
}

void udp_fini(struct duet_stack *stack)
{
	if (stack->sock) {
		free(stack->sock->udp);
		stack->sock->udp = NULL;
	}
}
