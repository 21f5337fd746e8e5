/* duet — one-line, tcpdump-like descriptions of frames, decoded with duet's
 * own wire parsers (so the demo's transcript also exercises them). */
#include "tools/describe.h"

#include <duet/addr.h>
#include <duet/wire/arp.h>
#include <duet/wire/errors.h>
#include <duet/wire/eth.h>
#include <duet/wire/icmp4.h>
#include <duet/wire/icmp6.h>
#include <duet/wire/ip4.h>
#include <duet/wire/ip6.h>
#include <duet/wire/ip6_ext.h>
#include <duet/wire/mld.h>
#include <duet/wire/nd.h>
#include <duet/wire/tcp.h>
#include <duet/wire/udp.h>

#include <stdarg.h>
#include <stdio.h>

struct out {
	char *p;
	size_t cap, len;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len >= o->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n < o->cap - o->len ? (size_t)n : o->cap - o->len - 1;
}

static const char *a4(const uint8_t a[4], char buf[DUET_ADDR4_STRLEN])
{
	duet_addr4_ntop(a, buf, DUET_ADDR4_STRLEN);
	return buf;
}

static const char *a6(const uint8_t a[16], char buf[DUET_ADDR6_STRLEN])
{
	duet_addr6_ntop(a, buf, DUET_ADDR6_STRLEN);
	return buf;
}

static void describe_tcp(struct out *o, struct duet_cur *c)
{
	static const char names[] = "FSRPAUEC";
	struct duet_tcp_hdr t;
	char flags[9];
	int i, n = 0, err = duet_tcp_parse(c, &t);

	if (err) {
		put(o, " TCP malformed (%s)", duet_wire_errname(err));
		return;
	}
	for (i = 0; i < 8; i++)
		if (t.flags & (1u << i))
			flags[n++] = names[i];
	flags[n] = 0;
	put(o, " TCP %u > %u [%s] seq %u", t.src_port, t.dst_port, flags, t.seq);
	if (t.flags & DUET_TCP_ACK)
		put(o, " ack %u", t.ack);
	put(o, " win %u", t.window);
	if (t.has_mss)
		put(o, " mss %u", t.mss);
	if (t.has_sack_permitted)
		put(o, " sackOK");
	if (t.has_timestamps)
		put(o, " TS %u/%u", t.ts_val, t.ts_ecr);
	if (t.has_wscale)
		put(o, " wscale %u", t.wscale);
	put(o, " len %zu", duet_cur_left(c));
}

static void describe_l4(struct out *o, uint8_t proto, struct duet_cur *c)
{
	struct duet_udp_hdr u;
	int err;

	switch (proto) {
	case 6:
		describe_tcp(o, c);
		return;
	case 17:
		err = duet_udp_parse(c, &u);
		if (err)
			put(o, " UDP malformed (%s)", duet_wire_errname(err));
		else
			put(o, " UDP %u > %u len %zu", u.src_port, u.dst_port, duet_cur_left(c));
		return;
	default:
		put(o, " proto %u len %zu", proto, duet_cur_left(c));
	}
}

static void describe_icmp4(struct out *o, struct duet_cur *c)
{
	struct duet_icmp4_hdr h;
	int err = duet_icmp4_parse(c, &h);

	if (err) {
		put(o, " ICMP malformed (%s)", duet_wire_errname(err));
		return;
	}
	if (h.type == DUET_ICMP4_ECHO || h.type == DUET_ICMP4_ECHO_REPLY)
		put(o, " ICMP echo %s id %u seq %u len %zu",
		    h.type == DUET_ICMP4_ECHO ? "request" : "reply", h.identifier,
		    h.sequence_number, duet_cur_left(c));
	else
		put(o, " ICMP type %u code %u", h.type, h.code);
}

static void describe_ip4(struct out *o, struct duet_cur *c)
{
	struct duet_ip4_hdr h;
	char s[16], d[16];
	int err = duet_ip4_parse(c, &h);

	if (err) {
		put(o, "IPv4 malformed (%s)", duet_wire_errname(err));
		return;
	}
	put(o, "IPv4 %s > %s ttl %u", a4(h.src, s), a4(h.dst, d), h.ttl);
	if (h.mf || h.fragment_offset) {
		put(o, " frag id %u off %u%s len %zu", h.identification, h.fragment_offset * 8u,
		    h.mf ? "+" : "", duet_cur_left(c));
		return;
	}
	if (h.protocol == 1)
		describe_icmp4(o, c);
	else
		describe_l4(o, h.protocol, c);
}

static void describe_nd_ns(struct out *o, struct duet_cur *c)
{
	struct duet_nd_ns ns;
	char t[DUET_ADDR6_STRLEN];
	int err = duet_nd_ns_parse(c, &ns);

	if (err)
		put(o, " ICMPv6 neighbor solicitation malformed (%s)", duet_wire_errname(err));
	else
		put(o, " ICMPv6 neighbor solicitation, who has %s", a6(ns.target, t));
}

static void describe_nd_na(struct out *o, struct duet_cur *c)
{
	struct duet_nd_na na;
	char t[DUET_ADDR6_STRLEN];
	int err = duet_nd_na_parse(c, &na);

	if (err)
		put(o, " ICMPv6 neighbor advertisement malformed (%s)", duet_wire_errname(err));
	else
		put(o, " ICMPv6 neighbor advertisement, %s is here%s%s", a6(na.target, t),
		    na.s ? " (solicited)" : "", na.o ? " (override)" : "");
}

static void describe_mld2_report(struct out *o, struct duet_cur *c)
{
	struct duet_mld_report r;
	struct duet_mld_record_iter it;
	struct duet_mld_record rec;
	char g[DUET_ADDR6_STRLEN];
	int err = duet_mld_report_parse(c, &r);

	if (err) {
		put(o, " MLDv2 report malformed (%s)", duet_wire_errname(err));
		return;
	}
	put(o, " MLDv2 report, %u record(s):", r.nr_of_mcast_address_records);
	duet_mld_record_iter_init(&it, &r);
	while (duet_mld_record_next(&it, &rec) > 0)
		put(o, " type %u %s", rec.record_type, a6(rec.multicast_address, g));
}

static void describe_icmp6(struct out *o, struct duet_cur *c)
{
	struct duet_icmp6_hdr h;
	struct duet_cur body = *c;
	int err = duet_icmp6_parse(&body, &h);

	if (err) {
		put(o, " ICMPv6 malformed (%s)", duet_wire_errname(err));
		return;
	}
	switch (h.type) {
	case DUET_ICMP6_ECHO_REQUEST:
	case DUET_ICMP6_ECHO_REPLY:
		put(o, " ICMPv6 echo %s id %u seq %u len %zu",
		    h.type == DUET_ICMP6_ECHO_REQUEST ? "request" : "reply", h.identifier,
		    h.sequence_number, duet_cur_left(&body));
		break;
	case DUET_ICMP6_ND_NEIGHBOR_SOLICIT:
		describe_nd_ns(o, c);
		break;
	case DUET_ICMP6_MLD2_REPORT:
		describe_mld2_report(o, c);
		break;
	case DUET_ICMP6_ND_NEIGHBOR_ADVERT:
		describe_nd_na(o, c);
		break;
	case DUET_ICMP6_ND_ROUTER_SOLICIT:
		put(o, " ICMPv6 router solicitation");
		break;
	case DUET_ICMP6_ND_ROUTER_ADVERT:
		put(o, " ICMPv6 router advertisement");
		break;
	default:
		put(o, " ICMPv6 type %u code %u", h.type, h.code);
	}
}

/* Walks the extension header chain, naming each header, then the upper layer. */
static void describe_ip6_next(struct out *o, uint8_t nh, struct duet_cur *c)
{
	int hops;

	for (hops = 0; hops < 16 && duet_ip6_ext_is_known(nh); hops++) {
		struct duet_ip6_ext e;
		int err;
		if (nh == 44) {
			struct duet_ip6_frag_hdr f;
			err = duet_ip6_frag_parse(c, &f);
			if (err) {
				put(o, " frag malformed (%s)", duet_wire_errname(err));
				return;
			}
			put(o, " frag id 0x%08x off %u%s", f.identification, f.fragment_offset * 8u,
			    f.m ? "+" : "");
			if (f.fragment_offset || f.m) {
				put(o, " of proto %u, len %zu", f.next_header, duet_cur_left(c));
				return;
			}
			nh = f.next_header;
			continue;
		}
		err = duet_ip6_ext_skip(c, nh, &e);
		if (err) {
			put(o, " ext %u malformed (%s)", nh, duet_wire_errname(err));
			return;
		}
		put(o, " %s", nh == 0 ? "HBH" : nh == 60 ? "DST" : nh == 43 ? "RH" : "ext");
		nh = e.next_header;
	}
	if (nh == 58)
		describe_icmp6(o, c);
	else
		describe_l4(o, nh, c);
}

static void describe_ip6(struct out *o, struct duet_cur *c)
{
	struct duet_ip6_hdr h;
	char s[46], d[46];
	int err = duet_ip6_parse(c, &h);

	if (err) {
		put(o, "IPv6 malformed (%s)", duet_wire_errname(err));
		return;
	}
	put(o, "IPv6 %s > %s hlim %u", a6(h.src, s), a6(h.dst, d), h.hop_limit);
	if (h.flow_label)
		put(o, " flow 0x%05x", h.flow_label);
	describe_ip6_next(o, h.next_header, c);
}

static void describe_arp(struct out *o, struct duet_cur *c)
{
	struct duet_arp_hdr h;
	char s[16], t[16], mac[18];
	int err = duet_arp_parse(c, &h);

	if (err) {
		put(o, "ARP malformed (%s)", duet_wire_errname(err));
		return;
	}
	if (h.op == DUET_ARP_OP_REQUEST) {
		put(o, "ARP who-has %s tell %s", a4(h.tpa, t), a4(h.spa, s));
	} else {
		duet_eth_ntop(h.sha, mac);
		put(o, "ARP reply %s is-at %s", a4(h.spa, s), mac);
	}
}

size_t describe_frame(const uint8_t *frame, size_t len, char *buf, size_t cap)
{
	struct out o = { buf, cap, 0 };
	struct duet_eth_hdr eth;
	struct duet_cur c;
	int err;

	if (cap == 0)
		return 0;
	buf[0] = 0;
	duet_cur_init(&c, frame, len);
	err = duet_eth_parse(&c, &eth);
	if (err) {
		put(&o, "malformed Ethernet frame (%s), %zu bytes", duet_wire_errname(err), len);
		return o.len;
	}
	if (eth.has_vlan)
		put(&o, "vlan %u ", eth.vid);
	switch (eth.ethertype) {
	case DUET_ETHERTYPE_ARP:
		describe_arp(&o, &c);
		break;
	case DUET_ETHERTYPE_IPV4:
		describe_ip4(&o, &c);
		break;
	case DUET_ETHERTYPE_IPV6:
		describe_ip6(&o, &c);
		break;
	default:
		put(&o, "ethertype 0x%04x, %zu bytes", eth.ethertype, len);
	}
	return o.len;
}
