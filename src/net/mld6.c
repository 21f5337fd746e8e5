/* duet — the MLD host (RFC 3810, MLDv1 compatible per §8; RFC 2710): Query
 * input into the listener engine (net/mcast.c), MLDv2 Reports split to the
 * link MTU (§5.2.15), MLDv1 Reports and Dones, all with a link-local (or
 * ::) source, hop limit 1 and a Hop-by-Hop Router Alert (§5); the
 * solicited-node groups of the interface's addresses. */
#include "net/mld6.h"

#include "net/ip6_internal.h"

#include <duet/addr.h>
#include <duet/csum.h>
#include <duet/link.h>
#include <duet/wire/icmp6.h>
#include <duet/wire/ip6.h>
#include <duet/wire/ip6_ext.h>
#include <duet/wire/mld.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct mld6_state {
	struct mcast_table table;
	bool has_table;
};

/* Hop-by-Hop header with Router Alert value 0 (MLD, RFC 2711) and PadN. */
static const uint8_t mld6_hbh_ra[8] = { 0, 0, DUET_IP6_OPT_ROUTER_ALERT, 2, 0, 0,
					DUET_IP6_OPT_PADN, 0 };
static const uint8_t mld6_all_mldv2_routers[16] = { 0xff, 0x02, [15] = 0x16 }; /* §5.2.14 */
static const uint8_t mld6_all_routers[16] = { 0xff, 0x02, [15] = 0x02 };       /* RFC 2710 §3 */

static struct mld6_state *mld6_state(const struct duet_stack *stack)
{
	return stack->net ? (struct mld6_state *)stack->net->proto_state[NET_PROTO_MLD6] : NULL;
}

struct mcast_table *mld6_table(const struct duet_stack *stack)
{
	struct mld6_state *st = mld6_state(stack);

	return st && st->has_table ? &st->table : NULL;
}

/* RFC 3810 §5.2.13: a valid link-local source, or :: while the interface
 * has none (DAD still running). */
static void mld6_source(struct duet_stack *stack, uint32_t ifindex, uint8_t src[16])
{
	const struct net_if *ifp = net_if_get(stack, ifindex);
	unsigned i;

	memset(src, 0, 16);
	for (i = 0; ifp && i < DUET_IFA_MAX; i++) {
		const struct net_addr *a = &ifp->a6[i];
		if (a->is_used && duet_addr6_is_linklocal(a->addr) &&
		    !(a->flags & (DUET_IFA_F_TENTATIVE | DUET_IFA_F_DUPLICATE))) {
			memcpy(src, a->addr, 16);
			return;
		}
	}
}

/* Checksums and sends one MLD message (pkt's data) on ifindex. Takes pkt. */
static void mld6_send(struct duet_stack *stack, uint32_t ifindex, struct duet_pkt *pkt,
		      const uint8_t dst[16])
{
	struct ip6_out o;

	memset(&o, 0, sizeof(o));
	mld6_source(stack, ifindex, o.src);
	memcpy(o.dst, dst, 16);
	o.next_header = DUET_IP6_NH_ICMPV6;
	o.hop_limit = 1;
	o.oif = ifindex;
	o.is_src_given = true;
	o.ext[IP6_EXT_HOPOPTS].data = mld6_hbh_ra;
	o.ext[IP6_EXT_HOPOPTS].len = sizeof(mld6_hbh_ra);
	duet_icmp6_csum_set(duet_pkt_data(pkt), pkt->len,
			    duet_csum_pseudo6(o.src, dst, pkt->len, DUET_IP6_NH_ICMPV6));
	stack_count(stack, DUET_CTR_ICMP6_OUT_MSGS);
	if (ip6_output(stack, pkt, &o) == 0)
		stack_count(stack, DUET_CTR_MLD6_OUT_MSGS);
	else
		stack_count(stack, DUET_CTR_MLD6_OUT_FAILED); /* ip6_output counted the drop */
}

/* One MLDv2 Report being filled. */
struct mld6_report {
	struct duet_stack *stack;
	uint32_t ifindex;
	uint32_t limit;          /* octets of ICMPv6 message the link carries */
	struct duet_pkt *pkt;
	struct duet_wcur w;
	uint16_t nrec;
};

static bool mld6_report_begin(struct mld6_report *r)
{
	r->pkt = duet_pkt_alloc(r->stack->pool, DUET_PKT_HEADROOM, r->limit);
	if (!r->pkt) {
		stack_count(r->stack, DUET_CTR_MLD6_OUT_FAILED);
		return false;
	}
	duet_wcur_init(&r->w, duet_pkt_data(r->pkt), r->limit);
	r->w.off = DUET_MLD_V2_REPORT_LEN; /* the header is written by flush */
	r->nrec = 0;
	return true;
}

static void mld6_report_flush(struct mld6_report *r)
{
	struct duet_mld_report h = { .nr_of_mcast_address_records = r->nrec };
	struct duet_wcur hw;

	if (!r->pkt)
		return;
	duet_wcur_init(&hw, duet_pkt_data(r->pkt), DUET_MLD_V2_REPORT_LEN);
	duet_mld_report_emit(&h, &hw);
	duet_pkt_trim(r->pkt, (uint32_t)r->w.off);
	mld6_send(r->stack, r->ifindex, r->pkt, mld6_all_mldv2_routers);
	r->pkt = NULL;
}

/* Appends one engine record, splitting its sources over as many messages
 * as needed (RFC 3810 §5.2.15: an EXCLUDE-type record keeps only the
 * sources that fit in one message). Returns false when out of buffers. */
static bool mld6_report_add(struct mld6_report *r, const struct mcast_record *mr)
{
	struct duet_mld_record rec;
	uint32_t left = mr->nsrc, fit;
	const uint8_t *src = mr->sources;
	bool is_first = true;

	memset(&rec, 0, sizeof(rec));
	rec.record_type = mr->type;
	memcpy(rec.multicast_address, mr->group, 16);
	while (is_first || left > 0) {
		if (!r->pkt && !mld6_report_begin(r))
			return false;
		fit = r->limit - (uint32_t)r->w.off >= DUET_MLD_RECORD_LEN
			      ? (r->limit - (uint32_t)r->w.off - DUET_MLD_RECORD_LEN) / 16u : 0u;
		if (r->nrec > 0 && (r->limit - (uint32_t)r->w.off < DUET_MLD_RECORD_LEN ||
				    (fit == 0 && left > 0))) {
			mld6_report_flush(r);
			continue;
		}
		rec.number_of_sources = (uint16_t)(left < fit ? left : fit);
		rec.sources = src;
		duet_mld_record_emit(&rec, &r->w); /* fits: checked above */
		r->nrec++;
		src += (size_t)rec.number_of_sources * 16u;
		left -= rec.number_of_sources;
		is_first = false;
		if (left > 0 && (mr->type == MCAST_IS_EX || mr->type == MCAST_TO_EX))
			break;
		if (left > 0)
			mld6_report_flush(r);
	}
	return true;
}

/* mcast op: the records as MLDv2 Reports to ff02::16. */
static void mld6_op_send_report(void *ctx, uint32_t ifindex, uint8_t version,
				const struct mcast_record *records, uint32_t n)
{
	struct duet_stack *stack = ctx;
	const struct net_if *ifp = net_if_get(stack, ifindex);
	struct mld6_report r;
	uint32_t i;

	(void)version;
	if (!ifp)
		return;
	memset(&r, 0, sizeof(r));
	r.stack = stack;
	r.ifindex = ifindex;
	r.limit = (ifp->mtu > DUET_IP6_MIN_MTU ? ifp->mtu : DUET_IP6_MIN_MTU) - DUET_IP6_HDR_LEN -
		  (uint32_t)sizeof(mld6_hbh_ra);
	for (i = 0; i < n; i++)
		if (!mld6_report_add(&r, &records[i]))
			return;
	mld6_report_flush(&r);
}

/* mcast op: an MLDv1 Report (to the group) or Done (to all-routers). */
static void mld6_op_send_v1(void *ctx, uint32_t ifindex, uint8_t version, uint8_t type,
			    const uint8_t *group)
{
	struct duet_stack *stack = ctx;
	struct duet_mld_v1 m;
	struct duet_pkt *pkt = duet_pkt_alloc(stack->pool, DUET_PKT_HEADROOM, DUET_MLD_V1_LEN);
	struct duet_wcur w;

	(void)version;
	if (!pkt) {
		stack_count(stack, DUET_CTR_MLD6_OUT_FAILED);
		return;
	}
	memset(&m, 0, sizeof(m));
	m.type = type == MCAST_V1_REPORT ? DUET_ICMP6_MLD_REPORT : DUET_ICMP6_MLD_DONE;
	memcpy(m.multicast_address, group, 16);
	duet_wcur_init(&w, duet_pkt_data(pkt), DUET_MLD_V1_LEN);
	duet_mld_v1_emit(&m, &w);
	mld6_send(stack, ifindex, pkt, type == MCAST_V1_REPORT ? group : mld6_all_routers);
}

/* RFC 3810 §5.1.14 / §5.2.14 (and RFC 2710 §3 for MLDv1): a link-local
 * source (:: allowed for reports), hop limit 1, a Router Alert. */
static bool mld6_is_valid(const struct ip6_rx_info *info, uint8_t type)
{
	bool is_src_ok = duet_addr6_is_linklocal(info->src) ||
			 (type != DUET_ICMP6_MLD_QUERY && duet_addr6_is_unspecified(info->src));

	return is_src_ok && info->hop_limit == 1 && info->has_mld_router_alert;
}

static void mld6_query_in(struct duet_stack *stack, struct duet_pkt *pkt,
			  const struct ip6_rx_info *info)
{
	struct duet_cur c;
	struct duet_mld_query mq;
	struct mcast_query q;

	duet_cur_init(&c, duet_pkt_data(pkt), pkt->len);
	if (duet_mld_query_parse(&c, &mq) != 0 ||
	    (!duet_addr6_is_unspecified(mq.multicast_address) &&
	     !duet_addr6_is_multicast(mq.multicast_address))) {
		stack_drop(stack, pkt, DUET_CTR_DROP_MLD6_MALFORMED);
		return;
	}
	memset(&q, 0, sizeof(q));
	q.version = mq.is_v2 ? 2 : 1;
	memcpy(q.group, mq.multicast_address, 16);
	q.max_resp_ms = mq.is_v2 ? duet_mld_mrc_decode(mq.maximum_response_code)
				 : mq.maximum_response_code;
	q.qrv = mq.qrv;
	q.qqi_s = mq.is_v2 ? duet_mld_qqic_decode(mq.qqic) : 0;
	q.nsrc = mq.number_of_sources;
	q.sources = mq.sources;
	if (mcast_input_query(&mld6_state(stack)->table, info->ifindex, &q) != 0) {
		stack_drop(stack, pkt, DUET_CTR_DROP_MLD6_MALFORMED);
		return;
	}
	stack_count(stack, DUET_CTR_MLD6_IN_QUERIES);
	duet_pkt_free(pkt);
}

void mld6_input(struct duet_stack *stack, struct duet_pkt *pkt, const struct ip6_rx_info *info,
		uint8_t type)
{
	if (!mld6_table(stack)) {
		stack_drop(stack, pkt, DUET_CTR_DROP_ICMP6_NO_HANDLER);
		return;
	}
	if (!mld6_is_valid(info, type)) {
		stack_drop(stack, pkt, DUET_CTR_DROP_MLD6_INVALID);
		return;
	}
	if (type == DUET_ICMP6_MLD_QUERY) {
		mld6_query_in(stack, pkt, info);
		return;
	}
	/* Other listeners' Reports and Dones: an MLDv2 host never suppresses
	 * its own (RFC 3810 §6.1); in MLDv1 mode a Report does (RFC 2710 §4). */
	stack_count(stack, DUET_CTR_MLD6_IN_REPORTS);
	if (type == DUET_ICMP6_MLD_REPORT) {
		struct duet_cur c;
		struct duet_mld_v1 m;

		duet_cur_init(&c, duet_pkt_data(pkt), pkt->len);
		if (duet_mld_v1_parse(&c, &m) != 0) {
			stack_drop(stack, pkt, DUET_CTR_DROP_MLD6_MALFORMED);
			return;
		}
		mcast_input_v1_report(&mld6_state(stack)->table, info->ifindex, m.multicast_address);
	}
	duet_pkt_free(pkt);
}

int mld6_join(struct duet_stack *stack, const void *key, uint32_t ifindex, const uint8_t group[16])
{
	struct mcast_table *t = mld6_table(stack);

	return t ? mcast_join(t, key, ifindex, group) : -ENODEV;
}

int mld6_leave(struct duet_stack *stack, const void *key, uint32_t ifindex,
	       const uint8_t group[16])
{
	struct mcast_table *t = mld6_table(stack);

	return t ? mcast_leave(t, key, ifindex, group) : -ENODEV;
}

int mld6_set_filter(struct duet_stack *stack, const void *key, uint32_t ifindex,
		    const uint8_t group[16], enum mcast_mode mode, const uint8_t *sources,
		    uint32_t nsrc)
{
	struct mcast_table *t = mld6_table(stack);

	return t ? mcast_set_filter(t, key, ifindex, group, mode, sources, nsrc) : -ENODEV;
}

uint32_t mld6_leave_all(struct duet_stack *stack, const void *key)
{
	struct mcast_table *t = mld6_table(stack);

	return t ? mcast_leave_all(t, key) : 0;
}

bool mld6_is_member(const struct duet_stack *stack, uint32_t ifindex, const uint8_t group[16],
		    const uint8_t *src)
{
	struct mcast_table *t = mld6_table(stack);

	return t && mcast_is_member(t, ifindex, group, src);
}

/* Loopback links carry no MLD (Linux's lo has no MULTICAST flag). */
static bool mld6_iface_reports(const struct duet_stack *stack, uint32_t ifindex)
{
	const struct duet_iface *ifp = stack_iface(stack, ifindex);

	return ifp && !(ifp->link->flags & DUET_LINK_F_LOOPBACK);
}

void mld6_addr_added(struct duet_stack *stack, uint32_t ifindex, struct net_addr *a)
{
	uint8_t sn[16];

	if (!mld6_iface_reports(stack, ifindex))
		return;
	duet_addr6_solicited_node(a->addr, sn);
	/* A limit reached is counted by the engine; ND still answers for the
	 * address (nd6_is_listening), only the report is missing. */
	(void)mld6_join(stack, a, ifindex, sn);
	mld6_addr_valid(stack, ifindex, a); /* an address given without DAD */
}

void mld6_addr_valid(struct duet_stack *stack, uint32_t ifindex, struct net_addr *a)
{
	const struct net_if *ifp = net_if_get(stack, ifindex);
	struct mcast_table *t = mld6_table(stack);
	unsigned i;

	if (!t || !ifp || !mld6_iface_reports(stack, ifindex) ||
	    !duet_addr6_is_linklocal(a->addr) ||
	    (a->flags & (DUET_IFA_F_TENTATIVE | DUET_IFA_F_DUPLICATE)))
		return;
	for (i = 0; i < DUET_IFA_MAX; i++) {
		const struct net_addr *o = &ifp->a6[i];
		if (o != a && o->is_used && duet_addr6_is_linklocal(o->addr) &&
		    !(o->flags & (DUET_IFA_F_TENTATIVE | DUET_IFA_F_DUPLICATE)))
			return; /* reports already had a valid source */
	}
	(void)mcast_iface_restate(t, ifindex);
}

void mld6_addr_removed(struct duet_stack *stack, uint32_t ifindex, struct net_addr *a)
{
	uint8_t sn[16];

	if (!mld6_iface_reports(stack, ifindex))
		return;
	duet_addr6_solicited_node(a->addr, sn);
	(void)mld6_leave(stack, a, ifindex, sn); /* -EADDRNOTAVAIL if the join had failed */
}

void mld6_iface_removed(struct duet_stack *stack, uint32_t ifindex)
{
	struct mcast_table *t = mld6_table(stack);

	if (t)
		mcast_flush_iface(t, ifindex);
}

int mld6_init(struct duet_stack *stack)
{
	struct mld6_state *st = calloc(1, sizeof(*st));
	struct mcast_config cfg;
	struct mcast_ops ops = { .send_report = mld6_op_send_report,
				 .send_v1 = mld6_op_send_v1 };
	int err;

	if (!st)
		return -ENOMEM;
	stack->net->proto_state[NET_PROTO_MLD6] = st;
	mcast_config_init(&cfg, 16);
	err = mcast_init(&st->table, stack, &cfg, &ops, stack);
	st->has_table = err == 0;
	return err;
}

void mld6_fini(struct duet_stack *stack)
{
	struct mld6_state *st = mld6_state(stack);

	if (!st)
		return;
	if (st->has_table)
		mcast_fini(&st->table);
	free(st);
	stack->net->proto_state[NET_PROTO_MLD6] = NULL;
}
