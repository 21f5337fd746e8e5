/* duet — the IGMP host (RFC 3376, IGMPv1/v2 compatible per §7; RFC 2236,
 * RFC 1112): Query input into the listener engine (net/mcast.c), IGMPv3
 * Reports to 224.0.0.22 split to the link MTU (§4.2.16), IGMPv2 Reports to
 * the group and Leave Groups to 224.0.0.2, IGMPv1 Reports; every message
 * with TTL 1, TOS 0xc0 and a Router Alert option (§4), from the
 * interface's address or 0.0.0.0 (§4.2.13).
 *
 * Policy:
 * - Every IGMP message is received only with TTL 1 (§4; RFC 2236 §2, RFC
 *   1112 App. I send nothing else): others are dropped as invalid.
 * - A Router Alert is not required on input: IGMPv1 queriers never send
 *   one and Linux accepts Queries without it.
 * - General Queries must go to 224.0.0.1 or to one of our unicast
 *   addresses (§4.1.12 makes a host accept those); one sent to another
 *   group is ignored (§9.1). Group-specific Queries arrive only to groups
 *   we listen to, 224.0.0.1 or our addresses: the IPv4 input filter sees
 *   to that.
 * - Loopback links carry no IGMP (Linux's lo has no MULTICAST flag): the
 *   memberships exist there, the reports are not sent.
 * - Like Linux, Reports and Leaves carry DF and the Router Alert in every
 *   version (RFC 1112 predates RFC 2113, RFC 2236 §2 asks for it). */
#include "net/igmp4.h"

#include "net/ip4_internal.h"

#include <duet/addr.h>
#include <duet/link.h>
#include <duet/wire/igmp.h>
#include <duet/wire/ip4.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* §4: "IP Precedence of Internetwork Control (e.g., Type of Service
 * 0xc0)", what Linux sends. */
#define IGMP4_TOS 0xc0u
/* RFC 791: every IPv4 link carries 68 octets. */
#define IGMP4_MIN_MTU 68u

struct igmp4_state {
	struct mcast_table table;
	bool has_table;
};

/* Router Alert, value 0: "Router shall examine packet" (RFC 2113 §2.1). */
static const uint8_t igmp4_router_alert[4] = { DUET_IP4_OPT_RA, 4, 0, 0 };
static const uint8_t igmp4_all_systems[4] = { 224, 0, 0, 1 };  /* RFC 1112 §4 */
static const uint8_t igmp4_all_routers[4] = { 224, 0, 0, 2 };  /* RFC 2236 §3: Leave */
static const uint8_t igmp4_v3_routers[4] = { 224, 0, 0, 22 };  /* RFC 3376 §4.2.14 */

static struct igmp4_state *igmp4_state(const struct duet_stack *stack)
{
	return stack->net ? (struct igmp4_state *)stack->net->proto_state[NET_PROTO_IGMP4] : NULL;
}

struct mcast_table *igmp4_table(const struct duet_stack *stack)
{
	struct igmp4_state *st = igmp4_state(stack);

	return st && st->has_table ? &st->table : NULL;
}

/* §4.2.13: "a valid IP source address for the destination subnet" — the
 * interface's first (primary) address, as Linux — or 0.0.0.0 "by a system
 * that has not yet acquired an IP address". */
static void igmp4_source(struct duet_stack *stack, uint32_t ifindex, uint8_t src[4])
{
	const struct net_if *ifp = net_if_get(stack, ifindex);
	unsigned i;

	memset(src, 0, 4);
	for (i = 0; ifp && i < DUET_IFA_MAX; i++) {
		if (ifp->a4[i].is_used) {
			memcpy(src, ifp->a4[i].addr, 4);
			return;
		}
	}
}

/* False on loopback links (see the policy above). */
static bool igmp4_iface_reports(const struct duet_stack *stack, uint32_t ifindex)
{
	const struct duet_iface *ifp = stack_iface(stack, ifindex);

	return ifp && !(ifp->link->flags & DUET_LINK_F_LOOPBACK);
}

/* Checksums and sends one IGMP message (pkt's data) on ifindex. Takes pkt. */
static void igmp4_send(struct duet_stack *stack, uint32_t ifindex, struct duet_pkt *pkt,
		       const uint8_t dst[4])
{
	struct ip4_out o;

	memset(&o, 0, sizeof(o));
	igmp4_source(stack, ifindex, o.src);
	memcpy(o.dst, dst, 4);
	o.protocol = DUET_IGMP_PROTO;
	o.ttl = 1;
	o.tos = IGMP4_TOS;
	o.oif = ifindex;
	o.is_dontfrag = true;
	o.is_src_given = true;
	o.options = igmp4_router_alert;
	o.options_len = sizeof(igmp4_router_alert);
	duet_igmp_csum_set(duet_pkt_data(pkt), pkt->len);
	if (ip4_output(stack, pkt, &o) == 0)
		stack_count(stack, DUET_CTR_IGMP4_OUT_MSGS);
	else
		stack_count(stack, DUET_CTR_IGMP4_OUT_FAILED); /* ip4_output counted the drop */
}

/* One IGMPv3 Report being filled. */
struct igmp4_report {
	struct duet_stack *stack;
	uint32_t ifindex;
	uint32_t limit;          /* octets of IGMP message the link carries */
	struct duet_pkt *pkt;
	struct duet_wcur w;
	uint16_t nrec;
};

static bool igmp4_report_begin(struct igmp4_report *r)
{
	r->pkt = duet_pkt_alloc(r->stack->pool, DUET_PKT_HEADROOM, r->limit);
	if (!r->pkt) {
		stack_count(r->stack, DUET_CTR_IGMP4_OUT_FAILED);
		return false;
	}
	duet_wcur_init(&r->w, duet_pkt_data(r->pkt), r->limit);
	r->w.off = DUET_IGMP_V3_REPORT_LEN; /* the header is written by flush */
	r->nrec = 0;
	return true;
}

static void igmp4_report_flush(struct igmp4_report *r)
{
	struct duet_igmp_report h = { .number_of_group_records = r->nrec };
	struct duet_wcur hw;

	if (!r->pkt)
		return;
	duet_wcur_init(&hw, duet_pkt_data(r->pkt), DUET_IGMP_V3_REPORT_LEN);
	duet_igmp_report_emit(&h, &hw);
	duet_pkt_trim(r->pkt, (uint32_t)r->w.off);
	igmp4_send(r->stack, r->ifindex, r->pkt, igmp4_v3_routers);
	r->pkt = NULL;
}

/* How many sources fit in the message after one more record header, or -1
 * when not even the header does. */
static long igmp4_report_room(const struct igmp4_report *r)
{
	size_t left = r->limit - r->w.off;

	return left < DUET_IGMP_RECORD_LEN ? -1 : (long)((left - DUET_IGMP_RECORD_LEN) / 4u);
}

/* Appends one engine record. §4.2.16: a record too big for one message is
 * split over several, "each containing a different subset of the source
 * addresses", unless it is MODE_IS_EXCLUDE or CHANGE_TO_EXCLUDE_MODE: then
 * it carries "as many source addresses as can fit, and the remaining
 * source addresses are not reported". Returns false when out of buffers.
 * (The link's 44 octets at least hold a header, a record and a source.) */
static bool igmp4_report_add(struct igmp4_report *r, const struct mcast_record *mr)
{
	struct duet_igmp_record rec = { .record_type = mr->type };
	bool is_exclude = mr->type == MCAST_IS_EX || mr->type == MCAST_TO_EX;
	const uint8_t *src = mr->sources;
	uint32_t left = mr->nsrc;
	long room;

	memcpy(rec.multicast_address, mr->group, 4);
	for (;;) {
		if (!r->pkt && !igmp4_report_begin(r))
			return false;
		room = igmp4_report_room(r);
		if (r->nrec > 0 && (room < 0 || (room == 0 && left > 0))) {
			igmp4_report_flush(r); /* the record starts a new message */
			continue;
		}
		rec.number_of_sources = (uint16_t)(left < (uint32_t)room ? left : (uint32_t)room);
		rec.sources = src;
		duet_igmp_record_emit(&rec, &r->w); /* fits: checked above */
		r->nrec++;
		src += (size_t)rec.number_of_sources * 4u;
		left -= rec.number_of_sources;
		if (left == 0 || is_exclude)
			return true;
		igmp4_report_flush(r);
	}
}

/* mcast op: the records as IGMPv3 Reports to 224.0.0.22. */
static void igmp4_op_send_report(void *ctx, uint32_t ifindex, uint8_t version,
				 const struct mcast_record *records, uint32_t n)
{
	struct duet_stack *stack = ctx;
	const struct net_if *ifp = net_if_get(stack, ifindex);
	struct igmp4_report r;
	uint32_t i;

	(void)version;
	if (!ifp || !igmp4_iface_reports(stack, ifindex))
		return;
	memset(&r, 0, sizeof(r));
	r.stack = stack;
	r.ifindex = ifindex;
	r.limit = (ifp->mtu > IGMP4_MIN_MTU ? ifp->mtu : IGMP4_MIN_MTU) - DUET_IP4_HDR_LEN -
		  (uint32_t)sizeof(igmp4_router_alert);
	for (i = 0; i < n; i++)
		if (!igmp4_report_add(&r, &records[i]))
			return;
	igmp4_report_flush(&r);
}

/* mcast op: an IGMPv1 Report (RFC 1112 App. I), an IGMPv2 Report (to the
 * group) or Leave Group (to 224.0.0.2, RFC 2236 §3). */
static void igmp4_op_send_v1(void *ctx, uint32_t ifindex, uint8_t version, uint8_t type,
			     const uint8_t *group)
{
	struct duet_stack *stack = ctx;
	struct duet_igmp_v2 m;
	struct duet_pkt *pkt;
	struct duet_wcur w;

	if (!igmp4_iface_reports(stack, ifindex))
		return;
	pkt = duet_pkt_alloc(stack->pool, DUET_PKT_HEADROOM, DUET_IGMP_V2_LEN);
	if (!pkt) {
		stack_count(stack, DUET_CTR_IGMP4_OUT_FAILED);
		return;
	}
	memset(&m, 0, sizeof(m));
	m.type = type == MCAST_V1_DONE ? DUET_IGMP_V2_LEAVE
		 : version == 1	       ? DUET_IGMP_V1_REPORT
				       : DUET_IGMP_V2_REPORT;
	memcpy(m.group_address, group, 4);
	duet_wcur_init(&w, duet_pkt_data(pkt), DUET_IGMP_V2_LEN);
	duet_igmp_v2_emit(&m, &w);
	igmp4_send(stack, ifindex, pkt, type == MCAST_V1_DONE ? igmp4_all_routers : group);
}

static bool igmp4_is_zero(const uint8_t a[4])
{
	return (a[0] | a[1] | a[2] | a[3]) == 0;
}

/* The Query into the engine: version by length and Max Resp Code (§7.1),
 * the delay in 1/10 s (§4.1.1; RFC 2236 §2.2), QRV and QQIC (§4.1.6,
 * §4.1.7) for IGMPv3. Takes pkt. */
static void igmp4_query_in(struct duet_stack *stack, struct duet_pkt *pkt,
			   const struct ip4_rx_info *info)
{
	struct duet_igmp_query mq;
	struct mcast_query q;
	struct duet_cur c;

	duet_cur_init(&c, duet_pkt_data(pkt), pkt->len);
	if (duet_igmp_query_parse(&c, &mq) != 0 ||
	    (!igmp4_is_zero(mq.group_address) && !duet_addr4_is_multicast(mq.group_address))) {
		stack_drop(stack, pkt, DUET_CTR_DROP_IGMP4_MALFORMED);
		return;
	}
	/* §9.1: "Hosts SHOULD ignore v1, v2 or v3 General Queries sent to a
	 * multicast address other than 224.0.0.1". */
	if (igmp4_is_zero(mq.group_address) && info->is_multicast_dst &&
	    memcmp(info->dst, igmp4_all_systems, 4) != 0) {
		stack_drop(stack, pkt, DUET_CTR_DROP_IGMP4_INVALID);
		return;
	}
	memset(&q, 0, sizeof(q));
	q.version = mq.version;
	memcpy(q.group, mq.group_address, 4);
	q.max_resp_ms = (mq.version == 3 ? duet_igmp_code_decode(mq.max_resp_code)
					 : mq.max_resp_code) * 100u;
	q.qrv = mq.qrv;
	q.qqi_s = mq.version == 3 ? duet_igmp_code_decode(mq.qqic) : 0;
	q.nsrc = mq.number_of_sources;
	q.sources = mq.sources;
	if (mcast_input_query(&igmp4_state(stack)->table, info->ifindex, &q) != 0) {
		stack_drop(stack, pkt, DUET_CTR_DROP_IGMP4_MALFORMED);
		return;
	}
	stack_count(stack, DUET_CTR_IGMP4_IN_QUERIES);
	duet_pkt_free(pkt);
}

/* Other hosts' Reports and Leaves: an IGMPv3 host never suppresses its own
 * (§5.1); in IGMPv1/v2 mode another host's Report does (RFC 2236 §3). Takes
 * pkt. */
static void igmp4_report_in(struct duet_stack *stack, struct duet_pkt *pkt,
			    const struct ip4_rx_info *info, uint8_t type)
{
	struct duet_igmp_v2 m;
	struct duet_cur c;

	stack_count(stack, DUET_CTR_IGMP4_IN_REPORTS);
	if (type == DUET_IGMP_V1_REPORT || type == DUET_IGMP_V2_REPORT) {
		duet_cur_init(&c, duet_pkt_data(pkt), pkt->len);
		if (duet_igmp_v2_parse(&c, &m) != 0 || !duet_addr4_is_multicast(m.group_address)) {
			stack_drop(stack, pkt, DUET_CTR_DROP_IGMP4_MALFORMED);
			return;
		}
		mcast_input_v1_report(&igmp4_state(stack)->table, info->ifindex, m.group_address);
	}
	duet_pkt_free(pkt);
}

void igmp4_input(struct duet_stack *stack, struct duet_pkt *pkt, const struct ip4_rx_info *info)
{
	const uint8_t *m = duet_pkt_data(pkt);
	uint8_t type;

	if (!igmp4_table(stack)) {
		stack_drop(stack, pkt, DUET_CTR_DROP_IP4_UNKNOWN_PROTO);
		return;
	}
	if (pkt->len < DUET_IGMP_V2_LEN) {
		stack_drop(stack, pkt, DUET_CTR_DROP_IGMP4_MALFORMED);
		return;
	}
	if (!duet_igmp_csum_ok(m, pkt->len)) {
		stack_drop(stack, pkt, DUET_CTR_DROP_IGMP4_BAD_CHECKSUM);
		return;
	}
	type = m[0];
	/* §4: "Unrecognized message types MUST be silently ignored" (counted). */
	if (type != DUET_IGMP_QUERY && type != DUET_IGMP_V1_REPORT &&
	    type != DUET_IGMP_V2_REPORT && type != DUET_IGMP_V2_LEAVE &&
	    type != DUET_IGMP_V3_REPORT) {
		stack_drop(stack, pkt, DUET_CTR_DROP_IGMP4_UNKNOWN_TYPE);
		return;
	}
	if (info->ttl != 1) {
		stack_drop(stack, pkt, DUET_CTR_DROP_IGMP4_INVALID);
		return;
	}
	if (type == DUET_IGMP_QUERY)
		igmp4_query_in(stack, pkt, info);
	else
		igmp4_report_in(stack, pkt, info, type);
}

int igmp4_join(struct duet_stack *stack, const void *key, uint32_t ifindex,
	       const uint8_t group[4])
{
	struct mcast_table *t = igmp4_table(stack);

	return t ? mcast_join(t, key, ifindex, group) : -ENODEV;
}

int igmp4_leave(struct duet_stack *stack, const void *key, uint32_t ifindex,
		const uint8_t group[4])
{
	struct mcast_table *t = igmp4_table(stack);

	return t ? mcast_leave(t, key, ifindex, group) : -ENODEV;
}

int igmp4_set_filter(struct duet_stack *stack, const void *key, uint32_t ifindex,
		     const uint8_t group[4], enum mcast_mode mode, const uint8_t *sources,
		     uint32_t nsrc)
{
	struct mcast_table *t = igmp4_table(stack);

	return t ? mcast_set_filter(t, key, ifindex, group, mode, sources, nsrc) : -ENODEV;
}

uint32_t igmp4_leave_all(struct duet_stack *stack, const void *key)
{
	struct mcast_table *t = igmp4_table(stack);

	return t ? mcast_leave_all(t, key) : 0;
}

bool igmp4_is_member(const struct duet_stack *stack, uint32_t ifindex, const uint8_t group[4],
		     const uint8_t *src)
{
	struct mcast_table *t = igmp4_table(stack);

	return t && mcast_is_member(t, ifindex, group, src);
}

void igmp4_iface_removed(struct duet_stack *stack, uint32_t ifindex)
{
	struct mcast_table *t = igmp4_table(stack);

	if (t)
		mcast_flush_iface(t, ifindex);
}

int igmp4_init(struct duet_stack *stack)
{
	struct igmp4_state *st = calloc(1, sizeof(*st));
	struct mcast_config cfg;
	struct mcast_ops ops = { .send_report = igmp4_op_send_report,
				 .send_v1 = igmp4_op_send_v1 };
	int err;

	if (!st)
		return -ENOMEM;
	stack->net->proto_state[NET_PROTO_IGMP4] = st;
	mcast_config_init(&cfg, 4);
	err = mcast_init(&st->table, stack, &cfg, &ops, stack);
	st->has_table = err == 0;
	if (!err)
		ip4_set_upper(stack, DUET_IGMP_PROTO, igmp4_input);
	return err;
}

void igmp4_fini(struct duet_stack *stack)
{
	struct igmp4_state *st = igmp4_state(stack);

	if (!st)
		return;
	ip4_set_upper(stack, DUET_IGMP_PROTO, NULL);
	if (st->has_table)
		mcast_fini(&st->table);
	free(st);
	stack->net->proto_state[NET_PROTO_IGMP4] = NULL;
}
