/* duet — ICMPv4 (RFC 792, RFC 1122 §3.2.2, RFC 1191): echo replies, echo
 * requests for duet_echo_send, error messages with the RFC 1122 rules and a
 * token bucket, Fragmentation Needed into the path MTU cache.
 *
 * Policy:
 * - Echo Requests to a broadcast or multicast address are ignored, as Linux
 *   does by default (icmp_echo_ignore_broadcasts=1; answering is optional,
 *   RFC 1122 §3.2.2.6). Replies carry the request's data, identifier,
 *   sequence number and TOS, from the address the request was sent to. The
 *   request's IP options are not returned (duet sends no options).
 * - Errors quote the datagram up to 576 bytes in all, as Linux (RFC 1812
 *   §4.3.2.3; RFC 792's minimum is the header and 8 bytes), with TOS 0xc0
 *   (precedence Internetwork Control, RFC 1812 §4.3.2.5).
 * - Received errors are checked to quote a datagram we sent; until the
 *   transport layer takes them, only Fragmentation Needed has an effect. */
#include "net/ip4_internal.h"

#include <duet/addr.h>
#include <duet/wire/icmp4.h>
#include <duet/wire/ip4.h>

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#define ICMP4_ECHO_MAX_DATA 65507u /* 65,535 - 20 - 8 */
#define ICMP4_ERROR_TOS 0xc0u

/* RFC 1122 §3.2.2: no error about an ICMP error (or an unknown ICMP type,
 * as Linux), a broadcast or multicast, a non-first fragment, or a datagram
 * whose source does not name one host. q is the quoted datagram. */
static bool icmp4_error_allowed(const struct ip4_rx_info *info, const struct duet_ip4_hdr *ip,
				const struct duet_cur *l4)
{
	const uint8_t *t;

	if (info->is_broadcast_dst || info->is_multicast_dst || ip->fragment_offset != 0)
		return false;
	if (duet_addr4_is_unspecified(ip->src) || duet_addr4_is_multicast(ip->src) ||
	    ip->src[0] >= 240)
		return false;
	if (ip->protocol != DUET_IP4_PROTO_ICMP)
		return true;
	t = duet_cur_peek(l4, 1);
	return t && !duet_icmp4_is_error(t[0]) && t[0] <= DUET_ICMP4_ADDR_MASK_REPLY;
}

static void icmp4_count_out_error(struct duet_stack *stack, uint8_t type)
{
	stack_count(stack, DUET_CTR_ICMP4_OUT_MSGS);
	stack_count(stack, DUET_CTR_ICMP4_OUT_ERRORS);
	if (type == DUET_ICMP4_DEST_UNREACH)
		stack_count(stack, DUET_CTR_ICMP4_OUT_DEST_UNREACHS);
	else if (type == DUET_ICMP4_TIME_EXCEEDED)
		stack_count(stack, DUET_CTR_ICMP4_OUT_TIME_EXCDS);
	else if (type == DUET_ICMP4_PARAM_PROBLEM)
		stack_count(stack, DUET_CTR_ICMP4_OUT_PARM_PROBS);
}

/* Builds the error message quoting qlen bytes at q; NULL without buffers. */
static struct duet_pkt *icmp4_build_error(struct duet_stack *stack, const uint8_t *q, size_t qlen,
					  uint8_t type, uint8_t code, uint32_t param)
{
	struct duet_pkt *pkt = duet_pkt_alloc(stack->pool, DUET_PKT_HEADROOM,
					      DUET_ICMP4_HDR_LEN + qlen);
	struct duet_icmp4_hdr h;
	struct duet_wcur w;

	if (!pkt)
		return NULL;
	memset(&h, 0, sizeof(h));
	h.type = type;
	h.code = code;
	if (type == DUET_ICMP4_PARAM_PROBLEM)
		h.pointer = (uint8_t)param;
	if (type == DUET_ICMP4_DEST_UNREACH && code == DUET_ICMP4_UNREACH_NEEDFRAG)
		h.next_hop_mtu = (uint16_t)param;
	duet_wcur_init(&w, duet_pkt_data(pkt), pkt->len);
	duet_icmp4_emit(&h, &w);
	duet_wcur_put(&w, q, qlen);
	duet_icmp4_csum_set(duet_pkt_data(pkt), pkt->len);
	return pkt;
}

void icmp4_send_error(struct duet_stack *stack, const struct duet_pkt *pkt,
		      const struct ip4_rx_info *info, uint8_t type, uint8_t code, uint32_t param)
{
	const uint8_t *q = pkt->buf + info->nh_off;
	size_t avail = info->nh_off <= pkt->head + pkt->len ? pkt->head + pkt->len - info->nh_off : 0;
	size_t max = ICMP4_ERROR_MAX_LEN - DUET_IP4_HDR_LEN - DUET_ICMP4_HDR_LEN;
	struct duet_ip4_hdr ip;
	struct duet_cur c;
	struct duet_pkt *out;
	struct ip4_out o;

	duet_cur_init(&c, q, avail);
	if (duet_ip4_parse_quoted(&c, &ip) != 0 || !icmp4_error_allowed(info, &ip, &c)) {
		stack_count(stack, DUET_CTR_ICMP4_ERR_SUPPRESSED);
		return;
	}
	if (!ratelimit_allow(&ip4_state_of(stack)->icmp_rl, duet_stack_now(stack)))
		return;
	if (ip.total_length < avail)
		avail = ip.total_length;
	out = icmp4_build_error(stack, q, avail < max ? avail : max, type, code, param);
	if (!out) {
		stack_count(stack, DUET_CTR_DROP_IP4_NO_BUFFER);
		return;
	}
	memset(&o, 0, sizeof(o));
	/* From the address the datagram was sent to when it is ours. */
	if (net_local_ifindex(stack, 4, ip.dst))
		memcpy(o.src, ip.dst, 4);
	memcpy(o.dst, ip.src, 4);
	o.protocol = DUET_IP4_PROTO_ICMP;
	o.ttl = -1;
	o.tos = ICMP4_ERROR_TOS;
	icmp4_count_out_error(stack, type);
	ip4_output(stack, out, &o);
}

static void icmp4_echo_input(struct duet_stack *stack, struct duet_pkt *pkt,
			     const struct ip4_rx_info *info)
{
	struct ip4_out o;
	uint8_t *d;

	stack_count_pkt(stack, pkt, DUET_CTR_ICMP4_IN_ECHOS);
	if (info->is_broadcast_dst || info->is_multicast_dst) {
		stack_drop(stack, pkt, DUET_CTR_DROP_ICMP4_BCAST_ECHO);
		return;
	}
	if (pkt->refcnt > 1) {
		struct duet_pkt *c = duet_pkt_copy(stack->pool, pkt, DUET_PKT_HEADROOM);
		duet_pkt_free(pkt);
		if (!c) {
			stack_count(stack, DUET_CTR_DROP_IP4_NO_BUFFER);
			return;
		}
		pkt = c;
	}
	/* RFC 792: same message, type 0, checksum again; id, seq, data kept. */
	d = duet_pkt_data(pkt);
	d[0] = DUET_ICMP4_ECHO_REPLY;
	d[1] = 0;
	duet_icmp4_csum_set(d, pkt->len);
	memset(&o, 0, sizeof(o));
	memcpy(o.src, info->dst, 4);
	memcpy(o.dst, info->src, 4);
	o.protocol = DUET_IP4_PROTO_ICMP;
	o.ttl = -1;
	o.tos = info->tos;
	stack_count(stack, DUET_CTR_ICMP4_OUT_MSGS);
	stack_count(stack, DUET_CTR_ICMP4_OUT_ECHO_REPS);
	ip4_output(stack, pkt, &o);
}

static void icmp4_echo_reply_input(struct duet_stack *stack, struct duet_pkt *pkt,
				   const struct duet_icmp4_hdr *h, const struct ip4_rx_info *info)
{
	struct duet_echo_reply r;

	stack_count_pkt(stack, pkt, DUET_CTR_ICMP4_IN_ECHO_REPS);
	memset(&r, 0, sizeof(r));
	r.family = AF_INET;
	memcpy(r.from, info->src, 4);
	r.ifindex = info->ifindex;
	r.id = h->identifier;
	r.seq = h->sequence_number;
	r.hop_limit = info->ttl;
	r.data_len = pkt->len - DUET_ICMP4_HDR_LEN;
	r.time_ns = pkt->time_ns;
	net_echo_reply(stack, &r);
	duet_pkt_free(pkt);
}

/* The errno Linux gives each error (icmp_err_convert). */
static int icmp4_err_errno(uint8_t type, uint8_t code)
{
	static const int unreach[] = { ENETUNREACH, EHOSTUNREACH, ENOPROTOOPT, ECONNREFUSED,
				       EMSGSIZE, EOPNOTSUPP, ENETUNREACH, EHOSTDOWN, ENONET,
				       ENETUNREACH, EHOSTUNREACH, ENETUNREACH, EHOSTUNREACH,
				       EHOSTUNREACH, EHOSTUNREACH, EHOSTUNREACH };

	if (type == DUET_ICMP4_DEST_UNREACH)
		return code < sizeof(unreach) / sizeof(unreach[0]) ? unreach[code] : EHOSTUNREACH;
	if (type == DUET_ICMP4_TIME_EXCEEDED)
		return EHOSTUNREACH;
	return EPROTO; /* Parameter Problem */
}

/* Hands the error to the transport that sent the quoted datagram (RFC 1122
 * §3.2.2.1: the first 8 octets of its header identify the socket). Returns
 * true if one took it. */
static bool icmp4_err_notify(struct duet_stack *stack, const struct duet_icmp4_hdr *h,
			     const struct ip4_rx_info *info, const struct duet_ip4_hdr *ip,
			     struct duet_cur *l4)
{
	struct net_icmp_err e;

	if (ip->fragment_offset != 0) /* a later fragment: no transport header */
		return false;
	memset(&e, 0, sizeof(e));
	e.family = AF_INET;
	e.type = h->type;
	e.code = h->code;
	e.mtu = h->type == DUET_ICMP4_DEST_UNREACH && h->code == DUET_ICMP4_UNREACH_NEEDFRAG
			? h->next_hop_mtu : 0;
	e.pointer = h->pointer;
	e.err = icmp4_err_errno(h->type, h->code);
	e.ifindex = info->ifindex;
	memcpy(e.from, info->src, 4);
	memcpy(e.src, ip->src, 4);
	memcpy(e.dst, ip->dst, 4);
	e.proto = ip->protocol;
	e.l4_len = (uint32_t)duet_cur_left(l4);
	e.l4 = duet_cur_take(l4, e.l4_len);
	return net_icmp_err_deliver(stack, &e);
}

/* An error about a datagram of ours: Fragmentation Needed lowers the path
 * MTU (RFC 1191 §5, RFC 1122 §3.2.2.1); every error then goes to the
 * transport that sent it. c holds the message data (the quote). */
static void icmp4_error_input(struct duet_stack *stack, struct duet_pkt *pkt,
			      const struct duet_icmp4_hdr *h, struct duet_cur *c,
			      const struct ip4_rx_info *info)
{
	struct duet_ip4_hdr ip;
	struct duet_cur l4;
	struct pmtu_dest d;

	if (duet_icmp4_quoted(h, c, &ip, &l4) != 0 || !net_local_ifindex(stack, 4, ip.src)) {
		stack_drop(stack, pkt, DUET_CTR_DROP_ICMP4_BAD_QUOTE);
		return;
	}
	if (h->type == DUET_ICMP4_DEST_UNREACH && h->code == DUET_ICMP4_UNREACH_NEEDFRAG) {
		stack_count_pkt(stack, pkt, DUET_CTR_ICMP4_IN_FRAG_NEEDED);
		pmtu_dest_v4(&d, ip.dst);
		pmtu_update(&ip4_state_of(stack)->pmtu, &d, h->next_hop_mtu, ip.total_length,
			    duet_stack_now(stack));
	}
	if (icmp4_err_notify(stack, h, info, &ip, &l4))
		duet_pkt_free(pkt);
	else
		stack_drop(stack, pkt, DUET_CTR_DROP_ICMP4_ERROR_CONSUMED);
}

static enum duet_counter icmp4_error_counter(uint8_t type)
{
	switch (type) {
	case DUET_ICMP4_DEST_UNREACH:
		return DUET_CTR_ICMP4_IN_DEST_UNREACHS;
	case DUET_ICMP4_TIME_EXCEEDED:
		return DUET_CTR_ICMP4_IN_TIME_EXCDS;
	case DUET_ICMP4_PARAM_PROBLEM:
		return DUET_CTR_ICMP4_IN_PARM_PROBS;
	default:
		return DUET_CTR__COUNT;
	}
}

void icmp4_input(struct duet_stack *stack, struct duet_pkt *pkt, const struct ip4_rx_info *info)
{
	struct duet_icmp4_hdr h;
	struct duet_cur c;
	enum duet_counter err_ctr;

	stack_count_pkt(stack, pkt, DUET_CTR_ICMP4_IN_MSGS);
	if (!duet_icmp4_csum_ok(duet_pkt_data(pkt), pkt->len)) {
		stack_count_pkt(stack, pkt, DUET_CTR_ICMP4_IN_ERRORS);
		stack_drop(stack, pkt, pkt->len < DUET_ICMP4_HDR_LEN ? DUET_CTR_DROP_ICMP4_MALFORMED
								    : DUET_CTR_DROP_ICMP4_BAD_CHECKSUM);
		return;
	}
	duet_cur_init(&c, duet_pkt_data(pkt), pkt->len);
	if (duet_icmp4_parse(&c, &h) != 0) {
		stack_count_pkt(stack, pkt, DUET_CTR_ICMP4_IN_ERRORS);
		stack_drop(stack, pkt, DUET_CTR_DROP_ICMP4_MALFORMED);
		return;
	}
	if (h.type == DUET_ICMP4_ECHO) {
		icmp4_echo_input(stack, pkt, info);
		return;
	}
	if (h.type == DUET_ICMP4_ECHO_REPLY) {
		icmp4_echo_reply_input(stack, pkt, &h, info);
		return;
	}
	err_ctr = icmp4_error_counter(h.type);
	if (err_ctr == DUET_CTR__COUNT) {
		/* RFC 1122 §3.2.2: unknown (and unhandled) types are discarded. */
		stack_drop(stack, pkt, DUET_CTR_DROP_ICMP4_UNHANDLED_TYPE);
		return;
	}
	stack_count(stack, err_ctr);
	icmp4_error_input(stack, pkt, &h, &c, info);
}

int icmp4_echo_send(struct duet_stack *stack, const uint8_t *dst, uint32_t oif, uint16_t id,
		    uint16_t seq, uint32_t data_len)
{
	uint32_t len = DUET_ICMP4_HDR_LEN + data_len, i;
	struct duet_icmp4_hdr h;
	struct duet_pkt *pkt;
	struct duet_wcur w;
	struct ip4_out o;
	uint8_t *d;

	if (data_len > ICMP4_ECHO_MAX_DATA)
		return -EINVAL;
	pkt = duet_pkt_alloc(stack->pool, len + DUET_PKT_HEADROOM <= DUET_PKT_MAX_DATA
					 ? DUET_PKT_HEADROOM : DUET_PKT_MAX_DATA - len, len);
	if (!pkt) {
		stack_count(stack, DUET_CTR_DROP_IP4_NO_BUFFER);
		return -ENOBUFS;
	}
	memset(&h, 0, sizeof(h));
	h.type = DUET_ICMP4_ECHO;
	h.identifier = id;
	h.sequence_number = seq;
	d = duet_pkt_data(pkt);
	duet_wcur_init(&w, d, len);
	duet_icmp4_emit(&h, &w);
	for (i = 0; i < data_len; i++) /* ping's pattern: 0x00, 0x01, ... */
		d[DUET_ICMP4_HDR_LEN + i] = (uint8_t)i;
	duet_icmp4_csum_set(d, len);
	memset(&o, 0, sizeof(o));
	memcpy(o.dst, dst, 4);
	o.protocol = DUET_IP4_PROTO_ICMP;
	o.ttl = -1;
	o.oif = oif;
	stack_count(stack, DUET_CTR_ICMP4_OUT_MSGS);
	stack_count(stack, DUET_CTR_ICMP4_OUT_ECHOS);
	return ip4_output(stack, pkt, &o);
}
