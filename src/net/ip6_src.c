/* duet — IPv6 source address selection (RFC 6724 §5, rules 1, 2, 3, 6 and 8
 * with the default policy table of §2.1) among the usable addresses of the
 * outgoing interface (RFC 4862 §5.4: never a tentative one). */
#include "net/ip6_internal.h"

#include "net/nd6.h"

#include <duet/addr.h>

#include <errno.h>
#include <string.h>

/* RFC 6724 §2.1 default policy table: prefix, length, label. */
static const struct {
	uint8_t prefix[16];
	uint8_t plen;
	uint8_t label;
} ip6_src_policy[] = {
	{ { [15] = 1 }, 128, 0 },                        /* ::1/128 */
	{ { 0 }, 0, 1 },                                 /* ::/0 */
	{ { [10] = 0xff, [11] = 0xff }, 96, 4 },         /* ::ffff:0:0/96 */
	{ { 0x20, 0x02 }, 16, 2 },                       /* 2002::/16 */
	{ { 0x20, 0x01, 0, 0 }, 32, 5 },                 /* 2001::/32 */
	{ { 0xfc }, 7, 13 },                             /* fc00::/7 */
	{ { 0 }, 96, 3 },                                /* ::/96 */
	{ { 0xfe, 0xc0 }, 10, 11 },                      /* fec0::/10 */
	{ { 0x3f, 0xfe }, 16, 12 },                      /* 3ffe::/16 */
};

/* The label of the longest matching policy prefix. */
static uint8_t ip6_src_label(const uint8_t a[16])
{
	size_t i;
	int best_len = -1;
	uint8_t label = 1;

	for (i = 0; i < sizeof(ip6_src_policy) / sizeof(ip6_src_policy[0]); i++)
		if ((int)ip6_src_policy[i].plen > best_len &&
		    duet_addr_prefix_eq(a, ip6_src_policy[i].prefix, ip6_src_policy[i].plen)) {
			best_len = ip6_src_policy[i].plen;
			label = ip6_src_policy[i].label;
		}
	return label;
}

static bool ip6_src_is_deprecated(const struct duet_stack *stack, const struct net_addr *a)
{
	return (a->flags & DUET_IFA_F_DEPRECATED) ||
	       (a->preferred_until_ns && a->preferred_until_ns <= duet_stack_now(stack));
}

/* RFC 6724 §5: true when candidate a is preferred to b as a source for dst. */
static bool ip6_src_better(const struct duet_stack *stack, const struct net_addr *a,
			   const struct net_addr *b, const uint8_t dst[16])
{
	int sa = duet_addr6_scope(a->addr), sb = duet_addr6_scope(b->addr);
	int sd = duet_addr6_scope(dst);
	bool da = ip6_src_is_deprecated(stack, a), db = ip6_src_is_deprecated(stack, b);
	uint8_t ld = ip6_src_label(dst), la = ip6_src_label(a->addr), lb = ip6_src_label(b->addr);

	/* Rule 1: the destination itself. */
	if (memcmp(a->addr, dst, 16) == 0 || memcmp(b->addr, dst, 16) == 0)
		return memcmp(a->addr, dst, 16) == 0;
	/* Rule 2: appropriate scope. */
	if (sa < sb)
		return sa >= sd;
	if (sb < sa)
		return sb < sd;
	/* Rule 3: avoid deprecated addresses. */
	if (da != db)
		return !da;
	/* Rule 6: matching label. */
	if ((la == ld) != (lb == ld))
		return la == ld;
	/* Rule 8: longest matching prefix. */
	return duet_addr_common_prefix_len(a->addr, dst, 16) >
	       duet_addr_common_prefix_len(b->addr, dst, 16);
}

int ip6_select_source(struct duet_stack *stack, const uint8_t dst[16], uint32_t oif,
		      uint8_t out[16])
{
	const struct net_addr *best = NULL;
	const struct net_if *ifp;
	/* Sent through lo, a link-local destination of ours is in any zone. */
	uint32_t owner = net_local_owner(stack, 16, dst,
					 oif == stack->net->lo_ifindex ? 0 : oif);
	unsigned i;

	/* RFC 6724 §5 Rule 1: a usable address of ours is its own source. */
	if (owner && nd6_addr_is_usable(stack, owner, dst) &&
	    (!oif || oif == owner || oif == stack->net->lo_ifindex)) {
		memcpy(out, dst, 16);
		return 0;
	}
	if (!oif) {
		const struct route *r = route_lookup(&stack->net->rt6, dst, 0,
						     duet_stack_now(stack));
		if (!r)
			return -EADDRNOTAVAIL;
		oif = r->ifindex;
	}
	ifp = net_if_get(stack, oif);
	if (!ifp)
		return -EADDRNOTAVAIL;
	for (i = 0; i < DUET_IFA_MAX; i++) {
		const struct net_addr *a = &ifp->a6[i];

		if (!a->is_used || !nd6_addr_is_usable(stack, oif, a->addr))
			continue;
		if (!best || ip6_src_better(stack, a, best, dst))
			best = a;
	}
	if (!best)
		return -EADDRNOTAVAIL;
	memcpy(out, best->addr, 16);
	return 0;
}
