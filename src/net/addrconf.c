/* duet — IPv6 stateless address autoconfiguration: link-local and SLAAC
 * addresses with stable-privacy interface identifiers, Duplicate Address
 * Detection, lifetimes, Router Solicitation on start (RFC 4862, RFC 7217,
 * RFC 4861 §6.3.7). */
#include "net/nd6_internal.h"
#include "net/mld6.h"

#include <duet/addr.h>
#include <duet/clock.h>

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

static const uint8_t addrconf_ll_prefix[16] = { 0xfe, 0x80 };
static const uint8_t addrconf_unspec[16];

/* A random delay in [0, max_ms] ms from the stack's generator. */
static uint64_t addrconf_jitter_ns(struct duet_stack *stack, uint32_t max_ms)
{
	return (uint64_t)duet_rng_below(&stack->rng, max_ms + 1) * DUET_NS_PER_MS;
}

static struct nd6_addr *addrconf_state(struct duet_stack *stack, uint32_t ifindex,
				       const struct net_addr *a)
{
	struct nd6_if *nif = nd6_if_get(stack, ifindex);
	struct net_if *ifp = net_if_get(stack, ifindex);

	if (!nif || !nif->is_up || !ifp || a < ifp->a6 || a >= ifp->a6 + DUET_IFA_MAX)
		return NULL;
	return &nif->addrs[a - ifp->a6];
}

/* The net_addr an nd6_addr shadows (NULL once the slot is free). */
static struct net_addr *addrconf_net_addr(struct nd6_addr *na)
{
	struct net_if *ifp = net_if_get(na->nif->stack, na->nif->ifindex);

	return ifp && ifp->a6[na->slot].is_used ? &ifp->a6[na->slot] : NULL;
}

/* --- RFC 7217 interface identifiers ---------------------------------------- */

/* RFC 5453 reserved IIDs: zero, subnet anycast, the proxy-MIPv6 range. */
static bool addrconf_iid_reserved(uint64_t iid)
{
	return iid == 0 || iid >= 0xfdffffffffffff80ull ||
	       (iid >> 16) == 0x02005efffe00ull;
}

/* RFC 7217 §5: RID = F(Prefix, Net_Iface, Network_ID, DAD_Counter, secret
 * key), with F = SipHash-2-4 under the stack's secret; Net_Iface is the
 * interface name (stable across restarts); no Network_ID. Never EUI-64. */
static void addrconf_make_addr(struct duet_stack *stack, uint32_t ifindex,
			       const uint8_t prefix[16], uint8_t dad_counter, uint8_t out[16])
{
	const struct duet_iface *dif = stack_iface(stack, ifindex);
	uint8_t in[8 + sizeof(dif->name) + 2];
	uint64_t iid;
	unsigned i;

	memset(in, 0, sizeof(in));
	memcpy(in, prefix, 8);
	memcpy(in + 8, dif->name, sizeof(dif->name));
	in[8 + sizeof(dif->name)] = dad_counter;
	do { /* the last byte salts a reserved result away (p ~ 2^-57) */
		iid = duet_stack_keyed_hash(stack, in, sizeof(in));
		in[sizeof(in) - 1]++;
	} while (addrconf_iid_reserved(iid));
	memcpy(out, prefix, 8);
	for (i = 0; i < 8; i++)
		out[8 + i] = (uint8_t)(iid >> (56 - 8 * i));
}

/* --- lifetimes ----------------------------------------------------------- */

/* Arms the address's lifetime timer at its next event: deprecation, then
 * removal (RFC 4862 §5.5.4). */
static void addrconf_life_arm(struct duet_stack *stack, struct nd6_addr *na,
			      const struct net_addr *a)
{
	uint64_t at = DUET_TIME_NEVER;

	if (a->preferred_until_ns && !(a->flags & DUET_IFA_F_DEPRECATED))
		at = a->preferred_until_ns;
	if (a->valid_until_ns && a->valid_until_ns < at)
		at = a->valid_until_ns;
	duet_tw_cancel(&stack->timers, &na->life_timer);
	if (at != DUET_TIME_NEVER)
		duet_tw_arm(&stack->timers, &na->life_timer, at);
}

static void addrconf_life_fire(struct duet_timer *t, void *arg)
{
	struct nd6_addr *na = arg;
	struct duet_stack *stack = na->nif->stack;
	struct net_addr *a = addrconf_net_addr(na);
	uint64_t now = duet_stack_now(stack);

	(void)t;
	if (!a)
		return;
	if (a->valid_until_ns && now >= a->valid_until_ns) {
		stack_count(stack, DUET_CTR_ADDRCONF_EXPIRED);
		duet_if_addr_del(stack, na->nif->ifindex, AF_INET6, a->addr);
		return;
	}
	if (a->preferred_until_ns && now >= a->preferred_until_ns &&
	    !(a->flags & DUET_IFA_F_DEPRECATED)) {
		a->flags |= DUET_IFA_F_DEPRECATED;
		stack_count(stack, DUET_CTR_ADDRCONF_DEPRECATED);
	}
	addrconf_life_arm(stack, na, a);
}

/* Absolute end of a lifetime of s seconds from now (0: infinite). */
static uint64_t addrconf_until(struct duet_stack *stack, uint32_t s)
{
	uint64_t t = duet_stack_now(stack) + (uint64_t)s * DUET_NS_PER_S;

	return s == ND6_INFINITE ? 0 : t ? t : 1;
}

/* Sets both lifetimes (absolute ns, 0 = infinite) and re-arms the timer. */
static void addrconf_set_life(struct duet_stack *stack, uint32_t ifindex, struct net_addr *a,
			      uint64_t valid_until, uint64_t pref_until)
{
	struct nd6_addr *na = addrconf_state(stack, ifindex, a);

	a->valid_until_ns = valid_until;
	a->preferred_until_ns = pref_until;
	if (pref_until && pref_until <= duet_stack_now(stack)) {
		if (!(a->flags & DUET_IFA_F_DEPRECATED))
			stack_count(stack, DUET_CTR_ADDRCONF_DEPRECATED);
		a->flags |= DUET_IFA_F_DEPRECATED;
	} else {
		a->flags &= ~DUET_IFA_F_DEPRECATED;
	}
	if (na)
		addrconf_life_arm(stack, na, a);
}

/* --- forming addresses ---------------------------------------------------- */

/* Forms and adds prefix::IID (a /64) of the given kind, trying the next DAD
 * counters while the address is taken (up to IDGEN_RETRIES, RFC 7217 §6).
 * Returns 0 or a negative errno. */
static int addrconf_add_auto(struct duet_stack *stack, uint32_t ifindex, const uint8_t prefix[16],
			     enum nd6_addr_kind kind, uint8_t counter, uint64_t valid_until,
			     uint64_t pref_until)
{
	struct net_if *ifp = net_if_get(stack, ifindex);
	uint32_t flags = kind == ND6_ADDR_SLAAC ? DUET_IFA_F_AUTOCONF : 0;
	uint8_t addr[16];
	struct nd6_addr *na;
	struct net_addr *a;
	int err = -EADDRINUSE;

	for (; counter <= ND6_IDGEN_RETRIES; counter++) {
		addrconf_make_addr(stack, ifindex, prefix, counter, addr);
		err = duet_if_addr_add(stack, ifindex, AF_INET6, addr, 64, flags);
		if (err != -EEXIST && err != -EADDRINUSE)
			break;
	}
	if (err)
		return err;
	a = net_if_find_addr(ifp, 16, addr);
	na = addrconf_state(stack, ifindex, a);
	if (na) {
		na->kind = (uint8_t)kind;
		na->dad_counter = counter;
	}
	if (valid_until || pref_until)
		addrconf_set_life(stack, ifindex, a, valid_until, pref_until);
	return 0;
}

/* --- DAD (RFC 4862 §5.4) ---------------------------------------------------- */

static void addrconf_dad_fire(struct duet_timer *t, void *arg)
{
	struct nd6_addr *na = arg;
	struct duet_stack *stack = na->nif->stack;
	struct net_addr *a = addrconf_net_addr(na);
	uint8_t group[16];

	(void)t;
	if (!a || !na->is_dad_running)
		return;
	if (na->dad_sent < ND6_DUP_ADDR_DETECT_TRANSMITS) {
		/* §5.4.2: from ::, to the solicited-node group, no SLLA. */
		duet_addr6_solicited_node(a->addr, group);
		nd6_send_ns(stack, na->nif->ifindex, addrconf_unspec, group, a->addr);
		na->dad_sent++;
		duet_tw_arm(&stack->timers, &na->dad_timer,
			    duet_stack_now(stack) + (uint64_t)na->nif->retrans_ms * DUET_NS_PER_MS);
		return;
	}
	/* §5.4.3: no conflict within RetransTimer: the address is usable. */
	na->is_dad_running = false;
	a->flags &= ~DUET_IFA_F_TENTATIVE;
	stack_count(stack, DUET_CTR_ADDRCONF_DAD_SUCCEEDED);
	mld6_addr_valid(stack, na->nif->ifindex, a);
}

void addrconf_dad_failed(struct duet_stack *stack, uint32_t ifindex, struct net_addr *a)
{
	struct nd6_addr *na = addrconf_state(stack, ifindex, a);
	uint8_t prefix[16] = { 0 };

	stack_count(stack, DUET_CTR_ADDRCONF_DAD_FAILED);
	/* §5.4.5: the address is not used; it stays listed as duplicate. */
	a->flags |= DUET_IFA_F_DUPLICATE;
	if (!na)
		return;
	na->is_dad_running = false;
	duet_tw_cancel(&stack->timers, &na->dad_timer);
	if (na->kind == ND6_ADDR_MANUAL || na->dad_counter >= ND6_IDGEN_RETRIES)
		return;
	/* RFC 7217 §6: generate the next identifier with DAD_Counter + 1. */
	memcpy(prefix, a->addr, 8);
	stack_count(stack, DUET_CTR_ADDRCONF_IID_RETRY);
	addrconf_add_auto(stack, ifindex, prefix, (enum nd6_addr_kind)na->kind,
			  (uint8_t)(na->dad_counter + 1), a->valid_until_ns, a->preferred_until_ns);
}

void addrconf_addr_added(struct duet_stack *stack, uint32_t ifindex, struct net_addr *a)
{
	struct nd6_addr *na = addrconf_state(stack, ifindex, a);
	const struct duet_iface *dif = stack_iface(stack, ifindex);

	if (!na || !dif)
		return;
	duet_tw_cancel(&stack->timers, &na->dad_timer);
	duet_tw_cancel(&stack->timers, &na->life_timer);
	na->kind = ND6_ADDR_MANUAL;
	na->dad_counter = 0;
	na->dad_sent = 0;
	na->is_dad_running = false;
	if (!(a->flags & DUET_IFA_F_TENTATIVE))
		return;
	if (dif->link->flags & DUET_LINK_F_LOOPBACK) { /* nothing to collide with */
		a->flags &= ~DUET_IFA_F_TENTATIVE;
		return;
	}
	/* §5.4.2: the first NS after a random delay (MAX_RTR_SOLICITATION_DELAY). */
	na->is_dad_running = true;
	stack_count(stack, DUET_CTR_ADDRCONF_DAD_STARTED);
	duet_tw_arm(&stack->timers, &na->dad_timer,
		    duet_stack_now(stack) +
			    addrconf_jitter_ns(stack, ND6_MAX_RTR_SOLICITATION_DELAY_MS));
}

void addrconf_addr_removed(struct duet_stack *stack, uint32_t ifindex, struct net_addr *a)
{
	struct nd6_addr *na = addrconf_state(stack, ifindex, a);

	if (!na)
		return;
	duet_tw_cancel(&stack->timers, &na->dad_timer);
	duet_tw_cancel(&stack->timers, &na->life_timer);
	na->is_dad_running = false;
}

/* --- SLAAC (RFC 4862 §5.5.3) ------------------------------------------------ */

/* §5.5.3 e): the new valid lifetime of an existing address (absolute ns). */
static uint64_t addrconf_valid_2h(struct duet_stack *stack, const struct net_addr *a,
				  uint32_t valid_s)
{
	uint64_t now = duet_stack_now(stack);
	uint64_t remaining_s = a->valid_until_ns == 0 ? UINT64_MAX
			     : a->valid_until_ns > now ? (a->valid_until_ns - now) / DUET_NS_PER_S
						       : 0;

	if (valid_s == ND6_INFINITE || valid_s > ND6_TWO_HOURS_S || valid_s > remaining_s)
		return addrconf_until(stack, valid_s);
	if (remaining_s <= ND6_TWO_HOURS_S)
		return a->valid_until_ns;     /* protection against a short-lifetime DoS */
	return addrconf_until(stack, ND6_TWO_HOURS_S);
}

/* Updates every address formed from the prefix; returns how many there are. */
static unsigned addrconf_prefix_update(struct duet_stack *stack, uint32_t ifindex,
				       const struct duet_nd_prefix_info *pi)
{
	struct net_if *ifp = net_if_get(stack, ifindex);
	unsigned i, n = 0;

	for (i = 0; i < DUET_IFA_MAX; i++) {
		struct net_addr *a = &ifp->a6[i];
		if (!a->is_used || !(a->flags & DUET_IFA_F_AUTOCONF) || a->plen != 64 ||
		    !duet_addr_prefix_eq(a->addr, pi->prefix, 64))
			continue;
		n++;
		addrconf_set_life(stack, ifindex, a, addrconf_valid_2h(stack, a, pi->valid_lifetime),
				  addrconf_until(stack, pi->preferred_lifetime));
	}
	return n;
}

void addrconf_prefix_rcv(struct duet_stack *stack, uint32_t ifindex,
			 const struct duet_nd_prefix_info *pi)
{
	/* b) not link-local; c) preferred <= valid; d) a /64 for a 64-bit IID. */
	if (duet_addr6_is_linklocal(pi->prefix) || pi->preferred_lifetime > pi->valid_lifetime ||
	    pi->prefix_length != 64 || !net_if_get(stack, ifindex)) {
		stack_count(stack, DUET_CTR_ADDRCONF_PREFIX_IGNORED);
		return;
	}
	if (addrconf_prefix_update(stack, ifindex, pi) > 0 || pi->valid_lifetime == 0)
		return;
	if (addrconf_add_auto(stack, ifindex, pi->prefix, ND6_ADDR_SLAAC, 0,
			      addrconf_until(stack, pi->valid_lifetime),
			      addrconf_until(stack, pi->preferred_lifetime)) == 0)
		stack_count(stack, DUET_CTR_ADDRCONF_SLAAC_ADDED);
}

/* --- interface life and Router Solicitation --------------------------------- */

/* RFC 4861 §6.3.7: up to MAX_RTR_SOLICITATIONS, RTR_SOLICITATION_INTERVAL
 * apart; from the link-local address with SLLA once it is usable, else
 * from :: without SLLA. */
static void addrconf_rs_fire(struct duet_timer *t, void *arg)
{
	struct nd6_if *nif = arg;
	uint8_t src[16];

	(void)t;
	if (!nd6_linklocal(nif->stack, nif->ifindex, src))
		memset(src, 0, sizeof(src));
	nd6_send_rs(nif->stack, nif->ifindex, src);
	if (++nif->rs_sent < ND6_MAX_RTR_SOLICITATIONS)
		duet_tw_arm(&nif->stack->timers, &nif->rs_timer,
			    duet_stack_now(nif->stack) +
				    (uint64_t)ND6_RTR_SOLICITATION_INTERVAL_MS * DUET_NS_PER_MS);
}

void addrconf_iface_up(struct duet_stack *stack, uint32_t ifindex)
{
	struct nd6_if *nif = nd6_if_get(stack, ifindex);
	const struct duet_iface *dif = stack_iface(stack, ifindex);
	unsigned i;

	if (!nif || !dif)
		return;
	memset(nif, 0, sizeof(*nif));
	nif->stack = stack;
	nif->ifindex = ifindex;
	nif->retrans_ms = NEIGH_RETRANS_MS;
	duet_timer_init(&nif->rs_timer, addrconf_rs_fire, nif);
	for (i = 0; i < DUET_IFA_MAX; i++) {
		nif->addrs[i].nif = nif;
		nif->addrs[i].slot = (uint8_t)i;
		duet_timer_init(&nif->addrs[i].dad_timer, addrconf_dad_fire, &nif->addrs[i]);
		duet_timer_init(&nif->addrs[i].life_timer, addrconf_life_fire, &nif->addrs[i]);
	}
	nif->is_up = true;
	if (dif->link->flags & DUET_LINK_F_LOOPBACK)
		return; /* no link-local address, no routers on a loopback link */
	if (stack->is_ipv6_autoconf_off)
		return; /* the embedder configures addresses itself */
	/* RFC 4862 §5.3: the link-local address fe80::/64 + a stable IID. */
	addrconf_add_auto(stack, ifindex, addrconf_ll_prefix, ND6_ADDR_LINKLOCAL, 0, 0, 0);
	duet_tw_arm(&stack->timers, &nif->rs_timer,
		    duet_stack_now(stack) +
			    addrconf_jitter_ns(stack, ND6_MAX_RTR_SOLICITATION_DELAY_MS));
}

void addrconf_iface_down(struct duet_stack *stack, uint32_t ifindex)
{
	struct nd6_if *nif = nd6_if_get(stack, ifindex);
	unsigned i;

	if (!nif || !nif->is_up)
		return;
	duet_tw_cancel(&stack->timers, &nif->rs_timer);
	for (i = 0; i < DUET_IFA_MAX; i++) {
		duet_tw_cancel(&stack->timers, &nif->addrs[i].dad_timer);
		duet_tw_cancel(&stack->timers, &nif->addrs[i].life_timer);
	}
	nif->is_up = false;
}
