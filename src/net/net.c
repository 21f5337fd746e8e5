/* duet — the network layer's core: per-interface IP state, interface
 * addresses with their connected routes (RFC 4861 §5.1 on-link prefixes),
 * the O(1) local address table, and the protocol module list. */
#include "net/net.h"
#include "net/addr_fold.h"

#include <duet/addr.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define NET_MAX_ROUTES 4096u
#define NET_CONNECTED_METRIC 256u /* Linux's metric for IPv6 prefix routes */

/* The protocol modules, in initialisation order (NULL-terminated). */
static const struct net_proto *const net_protos[] = {
	&ip4_proto,
	&ip6_proto,
	NULL
};

static uint32_t net_local_bucket(const struct duet_stack *stack, uint8_t len, const uint8_t *addr)
{
	return (uint32_t)stack_table_hash(stack, addr, len) & (stack->net->n_local_buckets - 1);
}

uint32_t net_local_route(const struct duet_stack *stack, uint8_t addr_len, const uint8_t *dst)
{
	uint32_t lo = stack->net->lo_ifindex;
	uint32_t owner = lo ? net_local_ifindex(stack, addr_len, dst) : 0;
	const struct net_addr *a = owner ? net_if_find_addr(net_if_get(stack, owner), addr_len, dst)
					 : NULL;

	/* RFC 4862 §5.4.5: an address DAD found duplicate is not assigned to
	 * us — it is another node's, reached over the link. */
	return a && !(a->flags & DUET_IFA_F_DUPLICATE) ? lo : 0;
}

/* Every datagram asks about its source and destination, often more than
 * once on its way through: a small cache of recent answers (positive and
 * negative) in front of the keyed table, flushed by any change to it. */
uint32_t net_local_ifindex(const struct duet_stack *stack, uint8_t addr_len, const uint8_t *addr)
{
	struct net_state *net = stack->net;
	struct net_local_cached *c =
		&net->local_cache[net_addr_fold(addr, addr_len, 0, NET_LOCAL_CACHE_BITS)];
	const struct net_local *e;

	if (c->gen == net->local_gen && c->family_len == addr_len &&
	    net_addr_eq(c->addr, addr, addr_len))
		return c->ifindex;
	for (e = net->local_buckets[net_local_bucket(stack, addr_len, addr)]; e; e = e->next)
		if (e->family_len == addr_len && net_addr_eq(e->addr, addr, addr_len))
			break;
	memcpy(c->addr, addr, addr_len);
	c->family_len = addr_len;
	c->ifindex = e ? e->ifindex : 0;
	c->gen = net->local_gen;
	return c->ifindex;
}

/* Link-local unicast addresses belong to a zone (RFC 4007 §6): the same
 * one may sit on several interfaces. */
static bool net_local_is_scoped(uint8_t addr_len, const uint8_t *addr)
{
	return addr_len == 16 && duet_addr6_is_linklocal(addr);
}

uint32_t net_local_owner(const struct duet_stack *stack, uint8_t addr_len, const uint8_t *addr,
			 uint32_t zone)
{
	const struct net_local *e;

	if (!zone || !net_local_is_scoped(addr_len, addr))
		return net_local_ifindex(stack, addr_len, addr);
	for (e = stack->net->local_buckets[net_local_bucket(stack, addr_len, addr)]; e; e = e->next)
		if (e->family_len == addr_len && e->ifindex == zone &&
		    net_addr_eq(e->addr, addr, addr_len))
			return zone;
	return 0;
}

static int net_local_insert(struct duet_stack *stack, uint8_t len, const uint8_t *addr,
			    uint32_t ifindex)
{
	struct net_state *net = stack->net;
	struct net_local *e = net->locals_free;
	uint32_t b = net_local_bucket(stack, len, addr);

	if (!e)
		return -ENOSPC;
	net->locals_free = e->next;
	e->family_len = len;
	memcpy(e->addr, addr, len);
	e->ifindex = ifindex;
	e->next = net->local_buckets[b];
	net->local_buckets[b] = e;
	net->local_gen++;
	return 0;
}

static void net_local_remove(struct duet_stack *stack, uint8_t len, const uint8_t *addr,
			     uint32_t ifindex)
{
	struct net_state *net = stack->net;
	struct net_local **pp = &net->local_buckets[net_local_bucket(stack, len, addr)];

	for (; *pp; pp = &(*pp)->next) {
		struct net_local *e = *pp;
		if (e->family_len != len || e->ifindex != ifindex || memcmp(e->addr, addr, len) != 0)
			continue;
		*pp = e->next;
		memset(e, 0, sizeof(*e));
		e->next = net->locals_free;
		net->locals_free = e;
		net->local_gen++;
		return;
	}
}

static int net_alloc(struct duet_stack *stack)
{
	struct net_state *net = calloc(1, sizeof(*net));
	uint32_t i;

	if (!net)
		return -ENOMEM;
	stack->net = net;
	net->def_hop_limit = 64; /* the IANA-recommended default, as Linux */
	net->def_ttl = 64;
	net->local_gen = 1;
	net->n_locals = (stack->max_ifaces + 1u) * DUET_IFA_MAX * 2u;
	for (net->n_local_buckets = 16; net->n_local_buckets < net->n_locals;)
		net->n_local_buckets <<= 1;
	net->ifs = calloc(stack->max_ifaces + 1u, sizeof(*net->ifs));
	net->locals = calloc(net->n_locals, sizeof(*net->locals));
	net->local_buckets = calloc(net->n_local_buckets, sizeof(*net->local_buckets));
	if (!net->ifs || !net->locals || !net->local_buckets)
		return -ENOMEM;
	for (i = 0; i < net->n_locals; i++) {
		net->locals[i].next = net->locals_free;
		net->locals_free = &net->locals[i];
	}
	if (route_table_init(&net->rt4, stack, 4, NET_MAX_ROUTES) != 0 ||
	    route_table_init(&net->rt6, stack, 16, NET_MAX_ROUTES) != 0)
		return -ENOMEM;
	return 0;
}

int net_init(struct duet_stack *stack)
{
	int err = net_alloc(stack);
	size_t i;

	for (i = 0; !err && net_protos[i]; i++)
		if (net_protos[i]->init)
			err = net_protos[i]->init(stack);
	return err;
}

void net_fini(struct duet_stack *stack)
{
	struct net_state *net = stack->net;
	size_t n = 0;
	uint32_t i;

	if (!net)
		return;
	while (net_protos[n])
		n++;
	while (n--)
		if (net_protos[n]->fini)
			net_protos[n]->fini(stack);
	route_table_fini(&net->rt4);
	route_table_fini(&net->rt6);
	for (i = 0; net->ifs && i <= stack->max_ifaces; i++)
		free(net->ifs[i]);
	free(net->ifs);
	free(net->locals);
	free(net->local_buckets);
	free(net);
	stack->net = NULL;
}

int net_iface_added(struct duet_stack *stack, uint32_t ifindex)
{
	struct net_if *ifp = calloc(1, sizeof(*ifp));
	struct duet_iface *dif = stack_iface(stack, ifindex);
	size_t i;

	if (!ifp || !dif) {
		free(ifp);
		return -ENOMEM;
	}
	ifp->ifindex = ifindex;
	ifp->mtu = dif->link->mtu;
	if ((dif->link->flags & DUET_LINK_F_LOOPBACK) && !stack->net->lo_ifindex)
		stack->net->lo_ifindex = ifindex;
	ifp->hop_limit = stack->net->def_hop_limit;
	ifp->ttl = stack->net->def_ttl;
	stack->net->ifs[ifindex] = ifp;
	for (i = 0; net_protos[i]; i++)
		if (net_protos[i]->iface_added)
			net_protos[i]->iface_added(stack, ifindex);
	return 0;
}

void net_iface_removed(struct duet_stack *stack, uint32_t ifindex)
{
	struct net_if *ifp = net_if_get(stack, ifindex);
	size_t i;

	if (!ifp)
		return;
	for (i = 0; i < DUET_IFA_MAX; i++) {
		if (ifp->a4[i].is_used)
			duet_if_addr_del(stack, ifindex, AF_INET, ifp->a4[i].addr);
		if (ifp->a6[i].is_used)
			duet_if_addr_del(stack, ifindex, AF_INET6, ifp->a6[i].addr);
	}
	for (i = 0; net_protos[i]; i++)
		if (net_protos[i]->iface_removed)
			net_protos[i]->iface_removed(stack, ifindex);
	if (stack->net->lo_ifindex == ifindex)
		stack->net->lo_ifindex = 0;
	route_flush_iface(&stack->net->rt4, ifindex);
	route_flush_iface(&stack->net->rt6, ifindex);
	free(ifp);
	stack->net->ifs[ifindex] = NULL;
}

struct net_addr *net_if_find_addr(struct net_if *ifp, uint8_t addr_len, const uint8_t *addr)
{
	struct net_addr *set = addr_len == 4 ? ifp->a4 : ifp->a6;
	unsigned i;

	for (i = 0; i < DUET_IFA_MAX; i++)
		if (set[i].is_used && memcmp(set[i].addr, addr, addr_len) == 0)
			return &set[i];
	return NULL;
}

/* Address bytes for a family, or 0 for an unknown family. */
static uint8_t net_family_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

/* Addresses an interface may not carry (RFC 4291 §2.5.2, §2.7; RFC 1122
 * §3.2.1.3; ::1 and 127/8 only on a loopback link). */
static bool net_addr_forbidden(const struct duet_iface *dif, uint8_t len, const uint8_t *a)
{
	bool is_lo = dif->link->flags & DUET_LINK_F_LOOPBACK;

	if (len == 16)
		return duet_addr6_is_unspecified(a) || duet_addr6_is_multicast(a) ||
		       duet_addr6_is_v4mapped(a) || (duet_addr6_is_loopback(a) && !is_lo);
	return duet_addr4_is_unspecified(a) || duet_addr4_is_multicast(a) ||
	       duet_addr4_is_broadcast(a) || (duet_addr4_is_loopback(a) && !is_lo);
}

/* The connected route of addr/plen on ifindex (none for host prefixes). */
static int net_connected_route(struct duet_stack *stack, uint32_t ifindex, uint8_t len,
			       const uint8_t *addr, uint8_t plen, bool add)
{
	struct route_table *t = len == 4 ? &stack->net->rt4 : &stack->net->rt6;
	struct route r;
	int err;

	if (plen == len * 8u)
		return 0;
	memset(&r, 0, sizeof(r));
	memcpy(r.prefix, addr, len);
	duet_addr_prefix_mask(r.prefix, len, plen);
	if (!add)
		return route_del(t, r.prefix, plen, ifindex, NULL);
	r.plen = plen;
	r.ifindex = ifindex;
	r.metric = len == 16 ? NET_CONNECTED_METRIC : 0;
	r.origin = ROUTE_CONNECTED;
	err = route_add(t, &r);
	return err == -EEXIST ? 0 : err; /* a second address on the same prefix */
}

static void net_notify_addr(struct duet_stack *stack, uint32_t ifindex, uint8_t len,
			    struct net_addr *a, bool added)
{
	size_t i;

	for (i = 0; net_protos[i]; i++) {
		if (added && net_protos[i]->addr_added)
			net_protos[i]->addr_added(stack, ifindex, len, a);
		if (!added && net_protos[i]->addr_removed)
			net_protos[i]->addr_removed(stack, ifindex, len, a);
	}
}

int duet_if_addr_add(struct duet_stack *stack, uint32_t ifindex, int family, const void *addr,
		     unsigned plen, uint32_t flags)
{
	uint8_t len = net_family_len(family);
	struct net_if *ifp = net_if_get(stack, ifindex);
	struct net_addr *set, *a = NULL;
	unsigned i;
	int err;

	if (!ifp)
		return -ENODEV;
	if (!len)
		return -EAFNOSUPPORT;
	if (plen > len * 8u || net_addr_forbidden(stack_iface(stack, ifindex), len, addr))
		return -EINVAL;
	if (net_if_find_addr(ifp, len, addr))
		return -EEXIST;
	if (net_local_owner(stack, len, addr, ifindex)) /* a link-local one: per zone */
		return -EADDRINUSE;
	set = len == 4 ? ifp->a4 : ifp->a6;
	for (i = 0; i < DUET_IFA_MAX && !a; i++)
		if (!set[i].is_used)
			a = &set[i];
	if (!a)
		return -ENOSPC;
	err = net_connected_route(stack, ifindex, len, addr, (uint8_t)plen, true);
	if (!err)
		err = net_local_insert(stack, len, addr, ifindex);
	if (err)
		return err;
	memset(a, 0, sizeof(*a));
	memcpy(a->addr, addr, len);
	a->plen = (uint8_t)plen;
	a->flags = flags & (DUET_IFA_F_NODAD | DUET_IFA_F_AUTOCONF);
	/* RFC 4862 §5.4: an IPv6 address is tentative until DAD succeeds. */
	if (len == 16 && !(flags & DUET_IFA_F_NODAD))
		a->flags |= DUET_IFA_F_TENTATIVE;
	a->is_used = true;
	net_notify_addr(stack, ifindex, len, a, true);
	return 0;
}

/* True if another address of ifp shares a's prefix (so the route stays). */
static bool net_prefix_shared(const struct net_if *ifp, uint8_t len, const struct net_addr *a)
{
	const struct net_addr *set = len == 4 ? ifp->a4 : ifp->a6;
	unsigned i;

	for (i = 0; i < DUET_IFA_MAX; i++)
		if (&set[i] != a && set[i].is_used && set[i].plen == a->plen &&
		    duet_addr_prefix_eq(set[i].addr, a->addr, a->plen))
			return true;
	return false;
}

int duet_if_addr_del(struct duet_stack *stack, uint32_t ifindex, int family, const void *addr)
{
	uint8_t len = net_family_len(family);
	struct net_if *ifp = net_if_get(stack, ifindex);
	struct net_addr *a;

	if (!ifp)
		return -ENODEV;
	if (!len)
		return -EAFNOSUPPORT;
	a = net_if_find_addr(ifp, len, addr);
	if (!a)
		return -EADDRNOTAVAIL;
	net_notify_addr(stack, ifindex, len, a, false);
	if (!net_prefix_shared(ifp, len, a))
		net_connected_route(stack, ifindex, len, a->addr, a->plen, false);
	net_local_remove(stack, len, a->addr, ifindex);
	memset(a, 0, sizeof(*a));
	return 0;
}

/* Appends ifp's addresses to out (up to n), returning how many ifp has. */
static int net_if_list(const struct net_if *ifp, struct duet_ifaddr *out, size_t n, size_t at)
{
	int count = 0;
	unsigned i, f;

	for (f = 0; f < 2; f++) {
		const struct net_addr *set = f ? ifp->a6 : ifp->a4;
		for (i = 0; i < DUET_IFA_MAX; i++) {
			struct duet_ifaddr *o;
			if (!set[i].is_used)
				continue;
			if (at + (size_t)count < n) {
				o = &out[at + (size_t)count];
				memset(o, 0, sizeof(*o));
				o->family = f ? AF_INET6 : AF_INET;
				o->ifindex = ifp->ifindex;
				memcpy(o->addr, set[i].addr, f ? 16 : 4);
				o->plen = set[i].plen;
				o->flags = set[i].flags;
			}
			count++;
		}
	}
	return count;
}

int duet_if_addrs(const struct duet_stack *stack, uint32_t ifindex, struct duet_ifaddr *out,
		  size_t n)
{
	uint32_t i;
	int count = 0;

	if (ifindex)
		return net_if_get(stack, ifindex) ? net_if_list(net_if_get(stack, ifindex), out, n, 0)
						  : -ENODEV;
	for (i = 1; i <= stack->max_ifaces; i++)
		if (net_if_get(stack, i))
			count += net_if_list(net_if_get(stack, i), out, n, (size_t)count);
	return count;
}

void duet_echo_set_handler(struct duet_stack *stack, duet_echo_fn fn, void *ctx)
{
	stack->net->echo_fn = fn;
	stack->net->echo_ctx = ctx;
}

void net_set_err_handler(struct duet_stack *stack, uint8_t proto, net_err_fn fn)
{
	stack->net->err_fn[proto] = fn;
}

bool net_icmp_err_deliver(struct duet_stack *stack, const struct net_icmp_err *e)
{
	net_err_fn fn = stack->net->err_fn[e->proto];

	if (!fn)
		return false;
	fn(stack, e);
	return true;
}

void net_echo_reply(struct duet_stack *stack, const struct duet_echo_reply *reply)
{
	if (stack->net->echo_fn)
		stack->net->echo_fn(stack->net->echo_ctx, reply);
}

int duet_echo_send(struct duet_stack *stack, int family, const void *dst, uint32_t oif,
		   uint16_t id, uint16_t seq, uint32_t data_len)
{
	size_t i;

	for (i = 0; net_protos[i]; i++)
		if (net_protos[i]->family == family && net_protos[i]->echo_send)
			return net_protos[i]->echo_send(stack, dst, oif, id, seq, data_len);
	return -EAFNOSUPPORT;
}

int duet_route_add(struct duet_stack *stack, int family, const void *prefix, unsigned plen,
		   const void *gateway, uint32_t ifindex, uint32_t metric)
{
	uint8_t len = net_family_len(family);
	struct route r;

	if (!len)
		return -EAFNOSUPPORT;
	if (!net_if_get(stack, ifindex))
		return -ENODEV;
	if (plen > len * 8u)
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	memcpy(r.prefix, prefix, len);
	r.plen = (uint8_t)plen;
	r.has_gateway = gateway != NULL;
	if (gateway)
		memcpy(r.gateway, gateway, len);
	r.ifindex = ifindex;
	r.metric = metric;
	r.origin = ROUTE_STATIC;
	return route_add(len == 4 ? &stack->net->rt4 : &stack->net->rt6, &r);
}

int duet_route_del(struct duet_stack *stack, int family, const void *prefix, unsigned plen,
		   const void *gateway, uint32_t ifindex)
{
	uint8_t len = net_family_len(family);

	if (!len)
		return -EAFNOSUPPORT;
	return route_del(len == 4 ? &stack->net->rt4 : &stack->net->rt6, prefix, (uint8_t)plen,
			 ifindex, gateway);
}

struct duet_pkt *net_pkt_writable(struct duet_stack *stack, struct duet_pkt *pkt, uint32_t need)
{
	struct duet_pkt *c;
	uint32_t room;

	if (pkt->refcnt == 1 && duet_pkt_headroom(pkt) >= need)
		return pkt;
	room = pkt->len + DUET_PKT_HEADROOM <= DUET_PKT_MAX_DATA ? DUET_PKT_HEADROOM
								 : DUET_PKT_MAX_DATA - pkt->len;
	c = room >= need ? duet_pkt_copy(stack->pool, pkt, room) : NULL;
	duet_pkt_free(pkt);
	return c;
}
