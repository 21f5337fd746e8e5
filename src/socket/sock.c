/* duet — the socket layer's core (S-1, S-2, B-9): the per-stack descriptor
 * table, socket creation and close, addresses in and out of sockaddr form
 * (v4-mapped for AF_INET6 sockets, DS-1, DS-2, DS-5), bind / connect /
 * shutdown / names, fcntl, credentials, and the receive queue every
 * datagram protocol shares. Calls take the host lock when a runtime drives
 * the stack (sock_enter / sock_leave). */
#include "socket/sock.h"
#include "socket/sock_api.h"
#include "transport/raw.h"
#include "transport/tcp.h"
#include "transport/udp.h"
#include "net/net.h"

#include <duet/addr.h>
#include <duet/clock.h>

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdlib.h>

/* Linux's defaults (net.core.rmem_default / rmem_max ...) and minimums
 * (SOCK_MIN_RCVBUF / SOCK_MIN_SNDBUF on x86-64). */
#define SOCK_RMEM_DEFAULT 212992u
#define SOCK_MIN_RCVBUF 2304u
#define SOCK_MIN_SNDBUF 4608u
/* What one queued datagram costs beyond its bytes (Linux charges the
 * sk_buff's truesize: about this much for a small datagram). */
#define SOCK_RX_OVERHEAD 256u

int sock_init(struct duet_stack *stack)
{
	struct sock_state *ss = calloc(1, sizeof(*ss));
	int err;

	if (!ss)
		return -ENOMEM;
	stack->sock = ss;
	ss->max_sockets = 1024;
	ss->port_first = 49152;    /* RFC 6335 §6 dynamic ports */
	ss->port_last = 65535;
	ss->port_hifirst = 49152;  /* FreeBSD's defaults */
	ss->port_hilast = 65535;
	ss->port_lowfirst = 1023;
	ss->port_lowlast = 600;
	ss->reserved_high = 1023;
	ss->mc_hops6 = 1;          /* RFC 3493 §5.2 */
	ss->mc_ttl4 = 1;           /* RFC 1112 §6.1 */
	ss->rmem_default = ss->wmem_default = SOCK_RMEM_DEFAULT;
	ss->rmem_max = ss->wmem_max = SOCK_RMEM_DEFAULT;
	if ((err = udp_init(stack)) != 0)
		return err;
	if ((err = tcp_init(stack)) != 0)
		return err;
	return raw_init(stack);
}

void sock_fini(struct duet_stack *stack)
{
	struct sock_state *ss = stack->sock;
	uint32_t i;

	if (!ss)
		return;
	for (i = 0; i < ss->cap; i++)
		if (ss->fds[i])
			sock_destroy(ss->fds[i]);
	raw_fini(stack);
	tcp_fini(stack);
	udp_fini(stack);
	free(ss->fds);
	free(ss);
	stack->sock = NULL;
}

struct sock *sock_get(struct duet_stack *stack, int fd)
{
	struct sock_state *ss = stack->sock;
	uint32_t i = (uint32_t)fd - SOCK_FD_BASE;

	return fd >= SOCK_FD_BASE && i < ss->cap ? ss->fds[i] : NULL;
}

/* The lowest free descriptor slot, growing the table (by doubling, up to
 * net.duet.sockets.max). Returns the slot or -EMFILE / -ENOBUFS. */
static int sock_slot(struct sock_state *ss)
{
	uint32_t i, cap;
	struct sock **fds;

	/* Every slot below first_free is taken: the search starts there, so
	 * opening N sockets in a row is O(N), not O(N^2). */
	for (i = ss->first_free; i < ss->cap; i++)
		if (!ss->fds[i]) {
			ss->first_free = i;
			return i < ss->max_sockets ? (int)i : -EMFILE;
		}
	ss->first_free = ss->cap;
	if (ss->cap >= ss->max_sockets)
		return -EMFILE;
	cap = ss->cap ? ss->cap * 2 : 16;
	if (cap > ss->max_sockets)
		cap = ss->max_sockets;
	fds = realloc(ss->fds, cap * sizeof(*fds));
	if (!fds)
		return -ENOBUFS;
	memset(fds + ss->cap, 0, (cap - ss->cap) * sizeof(*fds));
	ss->fds = fds;
	i = ss->cap;
	ss->cap = cap;
	return (int)i;
}

void sock_addr_wildcard(const struct sock *s, uint8_t out[16])
{
	static const uint8_t any4[4];

	if (s->family == AF_INET)
		sock_addr_map4(out, any4);
	else
		memset(out, 0, 16);
}

struct sock *sock_alloc(struct duet_stack *stack, const struct sock_proto *proto, int family,
			int type, int protocol, const struct sock *parent)
{
	struct sock_state *ss = stack->sock;
	struct sock *s = calloc(1, proto->obj_size ? proto->obj_size : sizeof(*s));

	if (!s)
		return NULL;
	if (parent) {
		/* A connection a listener made inherits its options (as
		 * Linux's sk_clone_lock); what belongs to one socket alone
		 * starts afresh. */
		*s = *parent;
		s->mships = NULL;
		s->n_mships = s->cap_mships = 0;
		s->sticky = NULL;
		s->so_error = 0;
		s->is_bound = s->is_connected = false;
		s->is_shut_rd = s->is_shut_wr = false;
		s->rx_bytes = 0;
		s->hash_next = NULL;
		s->is_kept = false;
		s->rxpmtu.is_pending = false;
		memset(&s->out_memo, 0, sizeof(s->out_memo));
		s->fd = -1;
		s->evfd = -1;
		s->is_evfd_set = false;
		duet_pktq_init(&s->rxq, UINT32_MAX);
		return s;
	}
	s->stack = stack;
	s->proto = proto;
	s->fd = -1;
	s->family = family;
	s->type = type;
	s->protocol = protocol;
	s->csum_off = type == SOCK_RAW && family == AF_INET6 && protocol == IPPROTO_ICMPV6 ? 2 : -1;
	s->is_hdrincl = type == SOCK_RAW && family == AF_INET && protocol == 255;
	s->cred = ss->cred;
	s->is_v6only = family == AF_INET6 && ss->bindv6only; /* DS-7 */
	s->is_mc_loop6 = s->is_mc_loop4 = true;               /* B-4 */
	s->rcvbuf = ss->rmem_default; /* Linux reports the default undoubled */
	s->sndbuf = ss->wmem_default;
	s->uc_hops = s->mc_hops = s->tclass = -1;
	s->use_min_mtu = -1;
	s->ttl = s->mc_ttl = -1;
	s->tos = 0;
	s->evfd = -1;
	sock_addr_wildcard(s, s->laddr);
	duet_pktq_init(&s->rxq, UINT32_MAX);
	return s;
}

int sock_install(struct sock *s)
{
	struct sock_state *ss = s->stack->sock;
	int slot = sock_slot(ss);

	if (slot < 0)
		return slot;
	s->fd = slot + SOCK_FD_BASE;
	ss->fds[slot] = s;
	ss->n_open++;
	return s->fd;
}

static int sock_create(struct duet_stack *stack, int domain, int type, int protocol)
{
	struct sock_state *ss = stack->sock;
	int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	const struct sock_proto *proto;
	struct sock *s;
	int fd;

	if (domain != AF_INET && domain != AF_INET6)
		return -EAFNOSUPPORT;
	if (type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC | 0xf))
		return -EINVAL;
	if (base == SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT; /* Linux: no SCTP here either */
	if (base != SOCK_DGRAM && base != SOCK_RAW && base != SOCK_STREAM)
		return -EINVAL;
	if (base == SOCK_DGRAM && protocol != 0 && protocol != IPPROTO_UDP)
		return -EPROTONOSUPPORT;
	if (base == SOCK_STREAM && protocol != 0 && protocol != IPPROTO_TCP)
		return -EPROTONOSUPPORT;
	if (base == SOCK_RAW) {
		if (protocol < 0 || protocol > 255)
			return -EINVAL;
		if (domain == AF_INET && protocol == 0)
			return -EPROTONOSUPPORT; /* Linux; IPv6's 0 is R-2's Next Header 255 */
		if (ss->cred.uid != 0)
			return -EPERM; /* B-9 (Linux: CAP_NET_RAW) */
	}
	proto = base == SOCK_RAW ? &raw_proto : base == SOCK_STREAM ? &tcp_proto : &udp_proto;
	s = sock_alloc(stack, proto, domain, base,
		       base == SOCK_RAW ? protocol : proto->protocol, NULL);
	if (!s)
		return -ENOBUFS;
	fd = sock_install(s);
	if (fd < 0) {
		sock_free(s);
		return fd;
	}
	s->is_nonblock = (type & SOCK_NONBLOCK) != 0;
	s->is_cloexec = (type & SOCK_CLOEXEC) != 0;
	if (base == SOCK_RAW)
		raw_hash(s);
	if (proto->obj_size)
		tcp_sock_init(s);
	return fd;
}

void sock_free(struct sock *s)
{
	duet_pktq_purge(&s->rxq);
	free(s->mships);
	sock_sticky_free(s);
	free(s);
}

void sock_destroy(struct sock *s)
{
	struct duet_stack *stack = s->stack;
	struct sock_state *ss = stack->sock;

	sock_mc_leave_all(s);
	if (s->evfd >= 0 && stack->rt)
		stack->rt->evfd_close(stack->rt->ctx, s->evfd);
	s->evfd = -1;
	if (s->fd >= 0) {
		uint32_t slot = (uint32_t)(s->fd - SOCK_FD_BASE);
		ss->fds[slot] = NULL;
		ss->n_open--;
		if (slot < ss->first_free)
			ss->first_free = slot;
	}
	s->fd = -1;
	s->proto->close(s);
	if (!s->is_kept)
		sock_free(s);
	if (stack->rt) /* a thread blocked on this descriptor sees it gone (EBADF) */
		stack->rt->notify(stack->rt->ctx);
}

/* Do two bound addresses overlap under the dual-stack rules? :: with
 * V6ONLY=0 covers every IPv6 and IPv4 address, :: with V6ONLY=1 every
 * IPv6 one, ::ffff:0.0.0.0 (0.0.0.0) every IPv4 one (DS-4). */
bool sock_addr_overlap(const uint8_t *a, bool a_v6only, const uint8_t *b, bool b_v6only)
{
	bool a4 = sock_addr_is_v4(a), b4 = sock_addr_is_v4(b);

	if (a4 && b4)
		return sock_addr_is_any4(a) || sock_addr_is_any4(b) || memcmp(a, b, 16) == 0;
	if (!a4 && !b4)
		return sock_addr_is_any6(a) || sock_addr_is_any6(b) || memcmp(a, b, 16) == 0;
	if (a4)
		return sock_addr_is_any6(b) && !b_v6only;
	return sock_addr_is_any6(a) && !a_v6only;
}

/* The ephemeral range of s (B-7). */
void sock_port_range(const struct sock *s, uint16_t *lo, uint16_t *hi)
{
	const struct sock_state *ss = s->stack->sock;
	uint16_t a, b;

	switch (s->portrange) {
	case DUET_IPV6_PORTRANGE_HIGH: a = ss->port_hifirst, b = ss->port_hilast; break;
	case DUET_IPV6_PORTRANGE_LOW: a = ss->port_lowfirst, b = ss->port_lowlast; break;
	default: a = ss->port_first, b = ss->port_last; break;
	}
	*lo = a < b ? a : b; /* FreeBSD's low range runs downwards */
	*hi = a < b ? b : a;
}

/* --- sockaddr in and out --------------------------------------------- */

int sock_sa_in(const struct sock *s, const struct sockaddr *sa, socklen_t len, bool is_bind,
	       struct sock_sa *out)
{
	memset(out, 0, sizeof(*out));
	if (!sa)
		return -EFAULT;
	if (len < (socklen_t)sizeof(sa_family_t))
		return -EINVAL;
	if (sa->sa_family == AF_INET6 && s->family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;
		if (len < 24) /* SIN6_LEN_RFC2133: sin6_scope_id optional */
			return -EINVAL;
		memcpy(out->addr, &a->sin6_addr, 16);
		out->port = ntohs(a->sin6_port);
		out->scope = len >= (socklen_t)sizeof(*a) ? a->sin6_scope_id : 0;
		return 0;
	}
	if (sa->sa_family == AF_INET || (sa->sa_family == AF_UNSPEC && s->family == AF_INET)) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)sa;
		if (len < (socklen_t)sizeof(*a))
			return -EINVAL;
		/* Linux binds AF_UNSPEC only as INADDR_ANY (compatibility). */
		if (sa->sa_family == AF_UNSPEC && is_bind && a->sin_addr.s_addr != htonl(INADDR_ANY))
			return -EAFNOSUPPORT;
		if (s->family == AF_INET6 && is_bind)
			return len < 24 ? -EINVAL : -EAFNOSUPPORT; /* inet6_bind */
		sock_addr_map4(out->addr, (const uint8_t *)&a->sin_addr);
		out->port = ntohs(a->sin_port);
		out->is_v4_given = true;
		return 0;
	}
	return -EAFNOSUPPORT;
}

socklen_t sock_sa_out(const struct sock *s, const uint8_t addr[16], uint16_t port, uint32_t scope,
		      struct sockaddr *sa, socklen_t cap)
{
	struct sockaddr_storage tmp;
	socklen_t n;

	memset(&tmp, 0, sizeof(tmp));
	if (s->family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&tmp;
		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		memcpy(&a->sin_addr, addr + 12, 4);
		n = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&tmp;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		memcpy(&a->sin6_addr, addr, 16);
		/* DS-2: v4-mapped peers carry no flow info and no zone. */
		if (!sock_addr_is_v4(addr) && sock_addr_needs_zone(addr))
			a->sin6_scope_id = scope;
		n = sizeof(*a);
	}
	if (sa && cap > 0)
		memcpy(sa, &tmp, cap < n ? cap : n);
	return n;
}

/* --- the calls --------------------------------------------------------- */

int sock_ret(int r)
{
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r;
}

int duet_set_cred(struct duet_stack *stack, const struct duet_cred *cred)
{
	sock_enter(stack);
	stack->sock->cred = *cred;
	sock_leave(stack);
	return 0;
}

void duet_get_cred(struct duet_stack *stack, struct duet_cred *cred)
{
	sock_enter(stack);
	*cred = stack->sock->cred;
	sock_leave(stack);
}

int duet_socket(struct duet_stack *stack, int domain, int type, int protocol)
{
	int r;

	sock_enter(stack);
	r = sock_create(stack, domain, type, protocol);
	sock_leave(stack);
	return sock_ret(r);
}

int duet_close(struct duet_stack *stack, int fd)
{
	struct sock *s;
	int r = -EBADF;

	sock_enter(stack);
	s = sock_get(stack, fd);
	if (s && s->linger.l_onoff && s->linger.l_linger > 0 && !s->is_nonblock &&
	    s->proto->linger && s->proto->linger(s, true)) {
		/* SO_LINGER: a blocking close waits (at most l_linger seconds)
		 * for the peer to acknowledge everything, as Linux's tcp_close. */
		uint64_t deadline = duet_stack_now(stack) + (uint64_t)s->linger.l_linger * DUET_NS_PER_S;
		while ((s = sock_get(stack, fd)) != NULL && s->proto->linger(s, false) &&
		       sock_wait(stack, deadline) == 0)
			;
	}
	if (s) {
		sock_destroy(s);
		r = 0;
	}
	sock_leave(stack);
	return sock_ret(r);
}

/* The checks of a local address every protocol shares: family rules
 * (DS-1, DS-5), zones, that it is ours (or a group, or a wildcard). */
static int sock_check_local(struct sock *s, struct sock_sa *a)
{
	struct duet_stack *stack = s->stack;
	bool is_v4 = sock_addr_is_v4(a->addr);

	if (s->family == AF_INET6 && is_v4 && s->is_v6only)
		return -EINVAL; /* DS-5 */
	if (is_v4) {
		const uint8_t *v4 = a->addr + 12;
		if (sock_addr_is_any4(a->addr) || duet_addr4_is_multicast(v4) ||
		    duet_addr4_is_broadcast(v4))
			return 0;
		if (duet_addr4_is_loopback(v4) && stack->net->lo_ifindex)
			return 0; /* all of 127/8 is ours, as on Linux */
		return net_local_ifindex(stack, 4, v4) ? 0 : -EADDRNOTAVAIL;
	}
	if (sock_addr_is_any6(a->addr))
		return 0;
	if (sock_addr_needs_zone(a->addr)) {
		if (!a->scope)
			return -EINVAL; /* Linux: a link-local bind needs its zone */
		if (!stack_iface(stack, a->scope))
			return -ENODEV;
	}
	if (duet_addr6_is_multicast(a->addr))
		return 0;
	return net_local_owner(stack, 16, a->addr, a->scope) ? 0 : -EADDRNOTAVAIL;
}

static int sock_bind(struct sock *s, const struct sockaddr *sa, socklen_t len)
{
	struct sock_state *ss = s->stack->sock;
	struct sock_sa a;
	int err = sock_sa_in(s, sa, len, true, &a);

	if (err)
		return err;
	if (s->is_bound)
		return -EINVAL;
	err = sock_check_local(s, &a);
	if (err)
		return err;
	if (a.port && a.port <= ss->reserved_high && s->cred.uid != 0)
		return -EACCES; /* B-9 */
	if (sock_addr_is_v4(a.addr) || !sock_addr_needs_zone(a.addr))
		a.scope = 0;
	err = s->proto->bind(s, a.addr, a.port, a.scope);
	if (!err) {
		s->is_bound = true;
		s->is_addr_user = !sock_addr_is_any6(a.addr) && !sock_addr_is_any4(a.addr);
		s->is_port_user = a.port != 0;
	}
	return err;
}

int duet_bind(struct duet_stack *stack, int fd, const struct sockaddr *addr, socklen_t len)
{
	struct sock *s;
	int r;

	sock_enter(stack);
	s = sock_get(stack, fd);
	r = s ? sock_bind(s, addr, len) : -EBADF;
	sock_leave(stack);
	return sock_ret(r);
}

static int sock_connect(struct sock *s, const struct sockaddr *sa, socklen_t len)
{
	struct sock_sa a;
	int err;

	if (sa && len >= (socklen_t)sizeof(sa_family_t) && sa->sa_family == AF_UNSPEC)
		return s->proto->disconnect(s); /* inet_dgram_connect */
	err = sock_sa_in(s, sa, len, false, &a);
	if (err)
		return err;
	if (s->family == AF_INET6 && sock_addr_is_v4(a.addr) && s->is_v6only)
		return a.is_v4_given ? -EAFNOSUPPORT : -ENETUNREACH; /* DS-5 */
	if (s->family == AF_INET6 && !a.is_v4_given && sock_addr_is_any6(a.addr))
		a.addr[15] = 1;  /* Linux: connecting to :: means ::1 */
	if (sock_addr_is_any4(a.addr))
		a.addr[12] = 127, a.addr[15] = 1; /* and 0.0.0.0 the loopback */
	if (!sock_addr_is_v4(a.addr) && sock_addr_needs_zone(a.addr)) {
		if (!a.scope && !s->lscope)
			return -EINVAL;
		if (a.scope && !stack_iface(s->stack, a.scope))
			return -ENODEV;
	} else {
		a.scope = 0;
	}
	return s->proto->connect(s, a.addr, a.port, a.scope);
}

/* A blocking stream connect waits for the handshake (SO_SNDTIMEO bounds
 * it, as Linux: then EINPROGRESS). */
static int sock_connect_wait(struct duet_stack *stack, int fd, const struct sockaddr *sa,
			     socklen_t len)
{
	struct sock *s = sock_get(stack, fd);
	uint64_t deadline;
	int r;

	if (!s)
		return -EBADF;
	r = sock_connect(s, sa, len);
	if (r != -EINPROGRESS || s->is_nonblock || !s->proto->connect_done)
		return r;
	deadline = sock_deadline(stack, s->sndtimeo_ns);
	for (;;) {
		s = sock_get(stack, fd);
		if (!s)
			return -EBADF;
		r = s->proto->connect_done(s);
		if (r != -EINPROGRESS)
			return r;
		if (sock_wait(stack, deadline))
			return -EINPROGRESS;
	}
}

int duet_connect(struct duet_stack *stack, int fd, const struct sockaddr *addr, socklen_t len)
{
	int r;

	sock_enter(stack);
	r = sock_connect_wait(stack, fd, addr, len);
	sock_leave(stack);
	return sock_ret(r);
}

static int sock_listen(struct sock *s, int backlog)
{
	if (!s->proto->listen)
		return -EOPNOTSUPP;
	return s->proto->listen(s, backlog);
}

int duet_listen(struct duet_stack *stack, int fd, int backlog)
{
	struct sock *s;
	int r;

	sock_enter(stack);
	s = sock_get(stack, fd);
	r = s ? sock_listen(s, backlog) : -EBADF;
	sock_leave(stack);
	return sock_ret(r);
}

static int sock_accept(struct duet_stack *stack, int fd, struct sockaddr *addr, socklen_t *len,
		       int flags)
{
	uint64_t deadline = 0;
	bool is_first = true;
	struct sock *s, *c;
	int r;

	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	for (;;) {
		s = sock_get(stack, fd);
		if (!s)
			return -EBADF;
		if (!s->proto->accept)
			return -EOPNOTSUPP;
		if (addr && !len)
			return -EFAULT;
		if (len && (int)*len < 0)
			return -EINVAL;
		r = s->proto->accept(s, &c);
		if (r != -EAGAIN || s->is_nonblock)
			break;
		if (is_first) {
			deadline = sock_deadline(stack, s->rcvtimeo_ns);
			is_first = false;
		}
		if (sock_wait(stack, deadline))
			return -EAGAIN;
	}
	if (r)
		return r;
	r = sock_install(c);
	if (r < 0) {
		sock_destroy(c); /* no descriptor: the connection is reset (Linux: EMFILE too) */
		return r;
	}
	c->is_nonblock = (flags & SOCK_NONBLOCK) != 0;
	c->is_cloexec = (flags & SOCK_CLOEXEC) != 0;
	if (addr)
		*len = sock_sa_out(c, c->faddr, c->fport, c->fscope, addr, *len);
	else if (len)
		*len = sock_sa_out(c, c->faddr, c->fport, c->fscope, NULL, 0);
	return r;
}

int duet_accept4(struct duet_stack *stack, int fd, struct sockaddr *addr, socklen_t *len,
		 int flags)
{
	int r;

	sock_enter(stack);
	r = sock_accept(stack, fd, addr, len, flags);
	sock_leave(stack);
	return sock_ret(r);
}

int duet_accept(struct duet_stack *stack, int fd, struct sockaddr *addr, socklen_t *len)
{
	return duet_accept4(stack, fd, addr, len, 0);
}

static int sock_shutdown(struct sock *s, int how)
{
	if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
		return -EINVAL;
	if (s->proto->shutdown)
		return s->proto->shutdown(s, how);
	/* Linux shuts a datagram socket down even when it is not connected,
	 * but reports ENOTCONN then. */
	if (how != SHUT_WR)
		s->is_shut_rd = true;
	if (how != SHUT_RD)
		s->is_shut_wr = true;
	sock_wake(s);
	return s->is_connected ? 0 : -ENOTCONN;
}

int duet_shutdown(struct duet_stack *stack, int fd, int how)
{
	struct sock *s;
	int r;

	sock_enter(stack);
	s = sock_get(stack, fd);
	r = s ? sock_shutdown(s, how) : -EBADF;
	sock_leave(stack);
	return sock_ret(r);
}

static int sock_name(struct duet_stack *stack, int fd, struct sockaddr *sa, socklen_t *len,
		     bool is_peer)
{
	struct sock *s = sock_get(stack, fd);
	socklen_t cap;

	if (!s)
		return -EBADF;
	if (!len)
		return -EFAULT;
	if ((int)*len < 0)
		return -EINVAL;
	if (is_peer && !s->is_connected)
		return -ENOTCONN;
	cap = *len;
	if (is_peer)
		*len = sock_sa_out(s, s->faddr, s->fport, s->fscope, sa, cap);
	else
		*len = sock_sa_out(s, s->laddr, s->lport, s->lscope, sa, cap);
	return 0;
}

int duet_getsockname(struct duet_stack *stack, int fd, struct sockaddr *addr, socklen_t *len)
{
	int r;

	sock_enter(stack);
	r = sock_name(stack, fd, addr, len, false);
	sock_leave(stack);
	return sock_ret(r);
}

int duet_getpeername(struct duet_stack *stack, int fd, struct sockaddr *addr, socklen_t *len)
{
	int r;

	sock_enter(stack);
	r = sock_name(stack, fd, addr, len, true);
	sock_leave(stack);
	return sock_ret(r);
}

static int sock_fcntl(struct sock *s, int cmd, long arg)
{
	switch (cmd) {
	case F_GETFL:
		return O_RDWR | (s->is_nonblock ? O_NONBLOCK : 0);
	case F_SETFL:
		s->is_nonblock = (arg & O_NONBLOCK) != 0;
		return 0;
	case F_GETFD:
		return s->is_cloexec ? FD_CLOEXEC : 0;
	case F_SETFD:
		s->is_cloexec = (arg & FD_CLOEXEC) != 0;
		return 0;
	default:
		return -EINVAL;
	}
}

int duet_fcntl(struct duet_stack *stack, int fd, int cmd, ...)
{
	struct sock *s;
	va_list ap;
	long arg = 0;
	int r;

	if (cmd == F_SETFL || cmd == F_SETFD) {
		va_start(ap, cmd);
		arg = va_arg(ap, long);
		va_end(ap);
	}
	sock_enter(stack);
	s = sock_get(stack, fd);
	r = s ? sock_fcntl(s, cmd, arg) : -EBADF;
	sock_leave(stack);
	return sock_ret(r);
}

unsigned duet_if_nametoindex(struct duet_stack *stack, const char *name)
{
	int r;

	sock_enter(stack);
	r = name ? duet_stack_ifindex(stack, name) : -ENODEV;
	sock_leave(stack);
	if (r < 0) {
		errno = ENODEV;
		return 0;
	}
	return (unsigned)r;
}

char *duet_if_indextoname(struct duet_stack *stack, unsigned ifindex, char *buf)
{
	const struct duet_iface *ifp;

	sock_enter(stack);
	ifp = stack_iface(stack, ifindex);
	if (ifp) {
		memcpy(buf, ifp->name, IF_NAMESIZE);
		buf[IF_NAMESIZE - 1] = '\0';
	}
	sock_leave(stack);
	if (!ifp) {
		errno = ENXIO;
		return NULL;
	}
	return buf;
}

/* --- the receive queue, errors and wake-ups --------------------------- */

/* A private copy of a datagram that keeps the headers from nh_off (the
 * hdr_len bytes before the data) for the advanced API's ancillary data. */
static struct duet_pkt *sock_rx_copy(struct sock *s, const struct duet_pkt *pkt,
				     uint32_t *hdr_lenp)
{
	uint32_t hdr_len = *hdr_lenp;
	struct duet_pkt *c;

	if ((size_t)DUET_PKT_HEADROOM + hdr_len + pkt->len > DUET_PKT_MAX_DATA)
		hdr_len = *hdr_lenp = 0; /* a huge datagram keeps its data only */
	c = duet_pkt_alloc(s->stack->pool, DUET_PKT_HEADROOM + hdr_len, pkt->len);
	if (!c)
		return NULL;
	memcpy(c->buf + c->head - hdr_len, pkt->buf + pkt->head - hdr_len, hdr_len + pkt->len);
	c->ifindex = pkt->ifindex;
	c->time_ns = pkt->time_ns;
	return c;
}

bool sock_rx_enqueue(struct sock *s, struct duet_pkt *pkt, const struct sock_meta *meta,
		     uint32_t nh_off)
{
	uint32_t cost = pkt->len + SOCK_RX_OVERHEAD;
	struct sock_meta m = *meta;

	/* As Linux: a datagram is refused once the queue holds rcvbuf bytes. */
	if (s->is_shut_rd || s->rx_bytes > s->rcvbuf) { /* as Linux's sk_rmem_alloc test */
		stack_drop(s->stack, pkt, DUET_CTR_DROP_UDP_RCVBUF);
		return false;
	}
	m.hdr_len = nh_off < pkt->head ? pkt->head - nh_off : 0;
	if (nh_off < sizeof(m) || pkt->refcnt != 1) {
		/* The metadata lives below the IP header, which needs room and
		 * a buffer of our own (a shared one is copied once). */
		struct duet_pkt *c = sock_rx_copy(s, pkt, &m.hdr_len);
		duet_pkt_free(pkt);
		if (!c) {
			stack_count(s->stack, DUET_CTR_DROP_TX_NO_BUFFER);
			return false;
		}
		pkt = c;
	}
	memcpy(pkt->buf, &m, sizeof(m));
	duet_pktq_push(&s->rxq, pkt);
	s->rx_bytes += cost;
	if (s->rxq.len == 1)
		sock_wake(s);
	return true;
}

struct duet_pkt *sock_rx_pop(struct sock *s, struct sock_meta *meta, bool is_peek)
{
	struct duet_pkt *pkt = s->rxq.head;

	if (!pkt)
		return NULL;
	memcpy(meta, pkt->buf, sizeof(*meta));
	if (is_peek)
		return pkt;
	duet_pktq_pop(&s->rxq);
	s->rx_bytes -= pkt->len + SOCK_RX_OVERHEAD;
	if (!s->rxq.len)
		sock_wake(s);
	return pkt;
}

void sock_set_error(struct sock *s, int err)
{
	s->so_error = err;
	sock_wake(s);
}

short sock_poll_events(const struct sock *s)
{
	short ev = 0;

	if (s->proto->poll)
		return s->proto->poll(s);
	if (s->rxq.len || s->is_shut_rd ||
	    (s->rxpmtu.is_pending && (s->rxopt & SOCK_RX_PATHMTU))) /* what recv would return */
		ev |= POLLIN | POLLRDNORM;
	if (s->so_error)
		ev |= POLLERR;
	if (s->is_shut_rd && s->is_shut_wr)
		ev |= POLLHUP;
	ev |= POLLOUT | POLLWRNORM; /* datagrams never wait for room (Linux: even after SHUT_WR) */
	return ev;
}

void sock_wake(struct sock *s)
{
	const struct stack_runtime *rt = s->stack->rt;

	if (!rt)
		return;
	rt->notify(rt->ctx);
	if (s->evfd >= 0) {
		bool is_ready = (sock_poll_events(s) & (POLLIN | POLLERR)) != 0;
		if (is_ready != s->is_evfd_set) {
			rt->evfd_set(rt->ctx, s->evfd, is_ready);
			s->is_evfd_set = is_ready;
		}
	}
}

int duet_socket_eventfd(struct duet_stack *stack, int fd)
{
	struct sock *s;
	int r;

	sock_enter(stack);
	s = sock_get(stack, fd);
	if (!s)
		r = -EBADF;
	else if (!stack->rt)
		r = -EOPNOTSUPP;
	else if (s->evfd >= 0)
		r = s->evfd;
	else {
		r = stack->rt->evfd_open(stack->rt->ctx);
		if (r >= 0) {
			s->evfd = r;
			s->is_evfd_set = false;
			sock_wake(s);
		}
	}
	sock_leave(stack);
	return sock_ret(r);
}
