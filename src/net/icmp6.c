/* duet — ICMPv6 (RFC 4443): input with checksum verification, echo
 * (§4), Packet Too Big into the path MTU cache (RFC 8201), ND hand-off
 * (RFC 4861), and error generation with the §2.4 rules and rate limit. */
#include "net/ip6_internal.h"

#include "net/mld6.h"
#include "net/nd6.h"

#include <duet/addr.h>
#include <duet/byteorder.h>
#include <duet/csum.h>
#include <duet/wire/icmp6.h>
#include <duet/wire/ip6.h>
#include <duet/wire/ip6_ext.h>

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

/* RFC 4443 §2.4(c): an error fits the minimum MTU. */
#define ICMP6_ERR_MAX_QUOTE (DUET_IP6_MIN_MTU - DUET_IP6_HDR_LEN - DUET_ICMP6_HDR_LEN)
#define ICMP6_ECHO_MAX_DATA 65527u /* 65,535 - the ICMPv6 header */

/* Computes the checksum of the message in pkt and sends it from src to dst;
 * is_flow labels it as a flow keyed by its Identifier (RFC 6437: echo
 * requests; replies and errors go unlabelled, as Linux sends them with
 * flowlabel_reflect off). */
static int icmp6_send(struct duet_stack *stack, struct duet_pkt *pkt, const uint8_t src[16],
		      const uint8_t dst[16], uint32_t oif, bool is_flow)
{
	struct ip6_out o;

	memset(&o, 0, sizeof(o));
	o.is_flow_label_auto = is_flow;
	o.flow_key = is_flow ? duet_get_be16(duet_pkt_data(pkt) + 4) : 0;
	memcpy(o.src, src, 16);
	memcpy(o.dst, dst, 16);
	o.next_header = DUET_IP6_NH_ICMPV6;
	o.hop_limit = -1;
	o.oif = oif;
	duet_icmp6_csum_set(duet_pkt_data(pkt), pkt->len,
			    duet_csum_pseudo6(src, dst, pkt->len, DUET_IP6_NH_ICMPV6));
	stack_count(stack, DUET_CTR_ICMP6_OUT_MSGS);
	return ip6_output(stack, pkt, &o);
}

/* The interface to name for a reply to dst: needed for scoped addresses. */
static uint32_t icmp6_reply_oif(const uint8_t dst[16], uint32_t ifindex)
{
	return ip6_is_scoped(dst) || duet_addr6_is_multicast(dst) ? ifindex : 0;
}

/* RFC 4443 §4.2: the reply carries the request's identifier, sequence and
 * data, from the address the request was sent to — or, for a multicast
 * request (answered, as Linux does), from a unicast address of ours. */
static void icmp6_echo_reply(struct duet_stack *stack, struct duet_pkt *req,
			     const struct ip6_rx_info *info)
{
	struct duet_pkt *rep;
	uint8_t src[16];
	uint32_t oif = icmp6_reply_oif(info->src, info->ifindex);

	if (duet_addr6_is_unspecified(info->src)) {
		stack_drop(stack, req, DUET_CTR_DROP_ICMP6_ECHO_NO_SRC);
		return;
	}
	if (!info->is_multicast_dst)
		memcpy(src, info->dst, 16);
	else if (ip6_select_source(stack, info->src, info->ifindex, src) != 0) {
		stack_drop(stack, req, DUET_CTR_DROP_ICMP6_ECHO_NO_SRC);
		return;
	}
	rep = duet_pkt_alloc(stack->pool, DUET_PKT_HEADROOM, req->len);
	if (!rep) {
		stack_drop(stack, req, DUET_CTR_DROP_ICMP6_ECHO_NO_SRC);
		return;
	}
	memcpy(duet_pkt_data(rep), duet_pkt_data(req), req->len);
	duet_pkt_data(rep)[0] = DUET_ICMP6_ECHO_REPLY;
	duet_put_be16(duet_pkt_data(rep) + 2, 0);
	duet_pkt_free(req);
	stack_count(stack, DUET_CTR_ICMP6_OUT_ECHO_REPLIES);
	icmp6_send(stack, rep, src, info->src, oif, false);
}

static void icmp6_echo_reply_in(struct duet_stack *stack, struct duet_pkt *pkt,
				const struct ip6_rx_info *info, const struct duet_icmp6_hdr *h)
{
	struct duet_echo_reply r;

	memset(&r, 0, sizeof(r));
	r.family = AF_INET6;
	memcpy(r.from, info->src, 16);
	r.ifindex = info->ifindex;
	r.id = h->identifier;
	r.seq = h->sequence_number;
	r.hop_limit = info->hop_limit;
	r.data_len = pkt->len - DUET_ICMP6_HDR_LEN;
	r.time_ns = pkt->time_ns;
	duet_pkt_free(pkt);
	net_echo_reply(stack, &r);
}

/* Walks a quoted packet's extension headers to its upper layer: returns 0
 * with *nh and *off (from q) set, or -1 (an unknown or truncated header, or
 * a later fragment, which has no upper-layer header). */
static int icmp6_quote_upper(const uint8_t *q, size_t len, uint8_t *nh, size_t *off)
{
	struct duet_cur c;
	struct duet_ip6_ext e;
	unsigned n;

	if (len < DUET_IP6_HDR_LEN)
		return -1;
	*nh = q[6];
	duet_cur_init(&c, q + DUET_IP6_HDR_LEN, len - DUET_IP6_HDR_LEN);
	for (n = 0; n < 16 && duet_ip6_ext_is_known(*nh); n++) {
		if (duet_ip6_ext_skip(&c, *nh, &e) != 0)
			return -1;
		if (*nh == DUET_IP6_NH_FRAGMENT && (duet_get_be16(e.data + 2) & 0xfff8u) != 0)
			return -1;
		*nh = e.next_header;
	}
	if (duet_ip6_ext_is_known(*nh))
		return -1;
	*off = DUET_IP6_HDR_LEN + c.off;
	return 0;
}

/* The errno Linux gives each error (icmpv6_err_convert). */
static int icmp6_err_errno(uint8_t type, uint8_t code)
{
	static const int unreach[] = { ENETUNREACH, EACCES, EHOSTUNREACH, EHOSTUNREACH,
				       ECONNREFUSED, EACCES, EACCES };

	if (type == DUET_ICMP6_DST_UNREACH)
		return code < sizeof(unreach) / sizeof(unreach[0]) ? unreach[code] : EPROTO;
	if (type == DUET_ICMP6_PACKET_TOO_BIG)
		return EMSGSIZE;
	if (type == DUET_ICMP6_TIME_EXCEEDED)
		return EHOSTUNREACH;
	return EPROTO; /* Parameter Problem */
}

/* Hands an error about a packet of ours (its quote checked by the caller)
 * to the transport that sent it; the message ends here either way. */
static void icmp6_err_notify(struct duet_stack *stack, struct duet_pkt *pkt,
			     const struct ip6_rx_info *info, const struct duet_icmp6_hdr *h)
{
	const uint8_t *q = duet_pkt_data(pkt) + DUET_ICMP6_HDR_LEN;
	size_t qlen = pkt->len - DUET_ICMP6_HDR_LEN, off;
	struct net_icmp_err e;

	memset(&e, 0, sizeof(e));
	if (icmp6_quote_upper(q, qlen, &e.proto, &off) == 0) {
		e.family = AF_INET6;
		e.type = h->type;
		e.code = h->code;
		e.mtu = h->mtu;
		e.pointer = h->pointer;
		e.err = icmp6_err_errno(h->type, h->code);
		e.ifindex = info->ifindex;
		memcpy(e.from, info->src, 16);
		memcpy(e.src, q + 8, 16);
		memcpy(e.dst, q + 24, 16);
		e.l4 = q + off;
		e.l4_len = (uint32_t)(qlen - off);
		if (net_icmp_err_deliver(stack, &e)) {
			duet_pkt_free(pkt);
			return;
		}
	}
	stack_drop(stack, pkt, DUET_CTR_DROP_ICMP6_ERROR_CONSUMED);
}

/* An error must quote a packet we sent: an IPv6 header whose source is one
 * of our addresses (RFC 4443 §2.4(d) asks no more; RFC 5927 §4.1). */
static bool icmp6_quote_is_ours(struct duet_stack *stack, struct duet_pkt *pkt)
{
	const uint8_t *q = duet_pkt_data(pkt) + DUET_ICMP6_HDR_LEN;

	return pkt->len >= DUET_ICMP6_HDR_LEN + DUET_IP6_HDR_LEN && (q[0] >> 4) == 6 &&
	       net_local_ifindex(stack, 16, q + 8);
}

/* RFC 8201 §4: lower the path MTU of the quoted packet's destination —
 * only for a packet we sent — then tell its transport. */
static void icmp6_ptb_in(struct duet_stack *stack, struct duet_pkt *pkt,
			 const struct ip6_rx_info *info, const struct duet_icmp6_hdr *h)
{
	const uint8_t *q = duet_pkt_data(pkt) + DUET_ICMP6_HDR_LEN;
	struct pmtu_dest d;

	stack_count_pkt(stack, pkt, DUET_CTR_ICMP6_IN_PKT_TOO_BIGS);
	if (!icmp6_quote_is_ours(stack, pkt)) {
		stack_drop(stack, pkt, DUET_CTR_DROP_ICMP6_BAD_QUOTE);
		return;
	}
	pmtu_dest_v6(&d, q + 24, ip6_is_scoped(q + 24) ? info->ifindex : 0);
	pmtu_update(&ip6_state(stack)->pmtu, &d, h->mtu, 0, duet_stack_now(stack));
	icmp6_err_notify(stack, pkt, info, h);
}

/* Destination Unreachable, Time Exceeded, Parameter Problem: counted, and
 * handed to the transport that sent the quoted packet (N-2). */
static void icmp6_error_in(struct duet_stack *stack, struct duet_pkt *pkt,
			   const struct ip6_rx_info *info, const struct duet_icmp6_hdr *h)
{
	if (h->type == DUET_ICMP6_DST_UNREACH)
		stack_count_pkt(stack, pkt, DUET_CTR_ICMP6_IN_DEST_UNREACHS);
	else if (h->type == DUET_ICMP6_TIME_EXCEEDED)
		stack_count_pkt(stack, pkt, DUET_CTR_ICMP6_IN_TIME_EXCEEDS);
	else if (h->type == DUET_ICMP6_PARAM_PROBLEM)
		stack_count_pkt(stack, pkt, DUET_CTR_ICMP6_IN_PARM_PROBLEMS);
	if (!icmp6_quote_is_ours(stack, pkt)) {
		stack_drop(stack, pkt, DUET_CTR_DROP_ICMP6_BAD_QUOTE);
		return;
	}
	icmp6_err_notify(stack, pkt, info, h);
}

void icmp6_input(struct duet_stack *stack, struct duet_pkt *pkt, const struct ip6_rx_info *info)
{
	struct duet_cur c;
	struct duet_icmp6_hdr h;

	stack_count_pkt(stack, pkt, DUET_CTR_ICMP6_IN_MSGS);
	if (duet_icmp6_csum_verify(duet_pkt_data(pkt), pkt->len,
				   duet_csum_pseudo6(info->src, info->dst, pkt->len,
						     DUET_IP6_NH_ICMPV6)) != 0) {
		stack_count_pkt(stack, pkt, DUET_CTR_ICMP6_IN_ERRORS);
		stack_drop(stack, pkt, DUET_CTR_DROP_ICMP6_BAD_CHECKSUM);
		return;
	}
	duet_cur_init(&c, duet_pkt_data(pkt), pkt->len);
	if (duet_icmp6_parse(&c, &h) != 0) {
		stack_count_pkt(stack, pkt, DUET_CTR_ICMP6_IN_ERRORS);
		stack_drop(stack, pkt, DUET_CTR_DROP_ICMP6_MALFORMED);
		return;
	}
	if (h.type == DUET_ICMP6_ECHO_REQUEST) {
		stack_count_pkt(stack, pkt, DUET_CTR_ICMP6_IN_ECHOS);
		icmp6_echo_reply(stack, pkt, info);
	} else if (h.type == DUET_ICMP6_ECHO_REPLY) {
		stack_count_pkt(stack, pkt, DUET_CTR_ICMP6_IN_ECHO_REPLIES);
		icmp6_echo_reply_in(stack, pkt, info, &h);
	} else if (h.type >= DUET_ICMP6_ND_ROUTER_SOLICIT && h.type <= DUET_ICMP6_ND_REDIRECT) {
		nd6_input(stack, pkt, info);
	} else if (h.type == DUET_ICMP6_MLD_QUERY || h.type == DUET_ICMP6_MLD_REPORT ||
		   h.type == DUET_ICMP6_MLD_DONE || h.type == DUET_ICMP6_MLD2_REPORT) {
		mld6_input(stack, pkt, info, h.type);
	} else if (h.type == DUET_ICMP6_PACKET_TOO_BIG) {
		icmp6_ptb_in(stack, pkt, info, &h);
	} else if (duet_icmp6_is_error(h.type)) {
		icmp6_error_in(stack, pkt, info, &h);
	} else {
		stack_drop(stack, pkt, DUET_CTR_DROP_ICMP6_NO_HANDLER); /* §2.4(b) */
	}
}

/* RFC 4443 §2.4(e.1): is the quoted packet an ICMPv6 error or a Redirect? */
static bool icmp6_quotes_error(const uint8_t *q, size_t len)
{
	uint8_t nh;
	size_t off;

	if (icmp6_quote_upper(q, len, &nh, &off) != 0 || nh != DUET_IP6_NH_ICMPV6 || off >= len)
		return false;
	return duet_icmp6_is_error(q[off]) || q[off] == DUET_ICMP6_ND_REDIRECT;
}

/* RFC 4443 §2.4(e): the cases where no error may be sent. */
static bool icmp6_error_allowed(const struct duet_pkt *pkt, const struct ip6_rx_info *info,
				uint8_t type, uint8_t code)
{
	bool is_exempt = type == DUET_ICMP6_PACKET_TOO_BIG ||
			 (type == DUET_ICMP6_PARAM_PROBLEM && code == DUET_ICMP6_PP_OPTION);
	const uint8_t *q = pkt->buf + info->nh_off;
	size_t len = pkt->head + pkt->len - info->nh_off;

	if (duet_addr6_is_unspecified(info->src) || duet_addr6_is_multicast(info->src))
		return false; /* e.6: not a single node */
	if ((info->is_multicast_dst || info->is_link_multicast) && !is_exempt)
		return false; /* e.2, e.3 */
	return !icmp6_quotes_error(q, len); /* e.1 */
}

void icmp6_send_error(struct duet_stack *stack, const struct duet_pkt *pkt,
		      const struct ip6_rx_info *info, uint8_t type, uint8_t code,
		      uint32_t param)
{
	size_t len = pkt->head + pkt->len - info->nh_off;
	struct duet_icmp6_hdr h;
	struct duet_wcur w;
	struct duet_pkt *e;
	uint8_t src[16];
	uint32_t owner;

	if (!icmp6_error_allowed(pkt, info, type, code)) {
		stack_count(stack, DUET_CTR_ICMP6_ERR_SUPPRESSED);
		return;
	}
	if (!ratelimit_allow(&ip6_state(stack)->icmp_rl, duet_stack_now(stack)))
		return; /* counted ICMP_RATELIMITED: §2.4(f) */
	/* The address the packet was sent to when it is ours and usable (never
	 * a tentative or duplicate one, RFC 4862 §5.4), else selected. */
	owner = net_local_owner(stack, 16, info->dst, info->ifindex);
	if (info->is_multicast_dst || !owner || !nd6_addr_is_usable(stack, owner, info->dst)) {
		if (ip6_select_source(stack, info->src, info->ifindex, src) != 0)
			return;
	} else {
		memcpy(src, info->dst, 16);
	}
	if (len > ICMP6_ERR_MAX_QUOTE)
		len = ICMP6_ERR_MAX_QUOTE; /* §2.4(c) */
	e = duet_pkt_alloc(stack->pool, DUET_PKT_HEADROOM, DUET_ICMP6_HDR_LEN + len);
	if (!e)
		return;
	memset(&h, 0, sizeof(h));
	h.type = type;
	h.code = code;
	h.body = param;
	h.mtu = type == DUET_ICMP6_PACKET_TOO_BIG ? param : 0;
	h.pointer = type == DUET_ICMP6_PARAM_PROBLEM ? param : 0;
	duet_wcur_init(&w, duet_pkt_data(e), DUET_ICMP6_HDR_LEN);
	duet_icmp6_emit(&h, &w);
	memcpy(duet_pkt_data(e) + DUET_ICMP6_HDR_LEN, pkt->buf + info->nh_off, len);
	stack_count(stack, DUET_CTR_ICMP6_OUT_ERRORS);
	icmp6_send(stack, e, src, info->src, icmp6_reply_oif(info->src, info->ifindex), false);
}

int icmp6_echo_send(struct duet_stack *stack, const uint8_t *dst, uint32_t oif, uint16_t id,
		    uint16_t seq, uint32_t data_len)
{
	struct duet_icmp6_hdr h;
	struct duet_wcur w;
	struct duet_pkt *pkt;
	uint8_t src[16];
	uint8_t *d;
	uint32_t i;
	int err;

	if (data_len > ICMP6_ECHO_MAX_DATA)
		return -EINVAL;
	if ((ip6_is_scoped(dst) || duet_addr6_is_multicast(dst)) && !oif)
		return -EINVAL;
	err = ip6_select_source(stack, dst, oif, src);
	if (err)
		return err;
	pkt = duet_pkt_alloc(stack->pool, DUET_PKT_HEADROOM, DUET_ICMP6_HDR_LEN + data_len);
	if (!pkt)
		return -ENOBUFS;
	memset(&h, 0, sizeof(h));
	h.type = DUET_ICMP6_ECHO_REQUEST;
	h.identifier = id;
	h.sequence_number = seq;
	d = duet_pkt_data(pkt);
	duet_wcur_init(&w, d, DUET_ICMP6_HDR_LEN);
	duet_icmp6_emit(&h, &w);
	for (i = 0; i < data_len; i++)
		d[DUET_ICMP6_HDR_LEN + i] = (uint8_t)i; /* the pattern */
	stack_count(stack, DUET_CTR_ICMP6_OUT_ECHOS);
	return icmp6_send(stack, pkt, src, dst, oif, true);
}
