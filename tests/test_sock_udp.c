/* duet tests — UDP sockets between two simulated stacks (T-1, S-1, DS-1..
 * DS-8): what the API returns and what goes on the wire. */
#include "sock_fixture.h"

#include "net/ip6.h"

#include <fcntl.h>

/* T-1, S-1: unconnected IPv6 and IPv4 exchanges, the sender's ephemeral
 * port and address as the receiver sees them; the reply comes back. */
TEST(udp_unconnected_both_families)
{
	struct sk x;
	char buf[64], from[64];
	uint16_t port = 0, p2 = 0;
	int fam[2] = { AF_INET6, AF_INET };
	const char *dst[2] = { "fd00::2", "10.0.0.2" }, *src[2] = { "fd00::1", "10.0.0.1" };
	int i;

	sk_setup(&x);
	for (i = 0; i < 2; i++) {
		int srv = duet_socket(x.b, fam[i], SOCK_DGRAM, 0);
		int cli = duet_socket(x.a, fam[i], SOCK_DGRAM, 0);
		CHECK(srv >= 3 && cli >= 3);
		CHECK_EQ(sk_bind(x.b, srv, i ? "0.0.0.0" : "::", 7), 0);
		CHECK_EQ(sk_sendto(x.a, cli, "ping", dst[i], 7), 4);
		sk_run(&x);
		CHECK_EQ(sk_recv(x.b, srv, buf, sizeof(buf), from, &port), 4);
		CHECK_STR(buf, "ping");
		CHECK_STR(from, src[i]);
		CHECK(port >= 49152); /* B-7: the default range */
		CHECK_EQ(sk_sendto(x.b, srv, "pong", src[i], port), 4);
		sk_run(&x);
		CHECK_EQ(sk_recv(x.a, cli, buf, sizeof(buf), from, &p2), 4);
		CHECK_STR(buf, "pong");
		CHECK_EQ(p2, 7);
		CHECK_EQ(duet_close(x.a, cli), 0);
		CHECK_EQ(duet_close(x.b, srv), 0);
	}
	CHECK(duet_stack_counter(x.b, DUET_CTR_UDP_IN_DATAGRAMS) == 2);
	sk_teardown(&x);
}

/* DS-3, DS-2: :: with V6ONLY=0 serves both families; the IPv4 peer is
 * shown as ::ffff:10.0.0.1 with flowinfo 0 and scope 0. */
TEST(ds3_wildcard_serves_both_ds2_mapped_peer)
{
	struct sk x;
	struct sockaddr_in6 from;
	socklen_t len = sizeof(from);
	char buf[64], text[64];
	int srv, c4, c6;

	sk_setup(&x);
	srv = duet_socket(x.b, AF_INET6, SOCK_DGRAM, 0);
	CHECK_EQ(sk_getint(x.b, srv, IPPROTO_IPV6, IPV6_V6ONLY), 0);
	CHECK_EQ(sk_bind(x.b, srv, "::", 5000), 0);
	c4 = duet_socket(x.a, AF_INET, SOCK_DGRAM, 0);
	c6 = duet_socket(x.a, AF_INET6, SOCK_DGRAM, 0);
	CHECK_EQ(sk_sendto(x.a, c4, "four", "10.0.0.2", 5000), 4);
	sk_run(&x);
	memset(&from, 0xaa, sizeof(from));
	CHECK_EQ(duet_recvfrom(x.b, srv, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len), 4);
	CHECK_EQ(len, sizeof(from));
	CHECK_EQ(from.sin6_family, AF_INET6);
	inet_ntop(AF_INET6, &from.sin6_addr, text, sizeof(text));
	CHECK_STR(text, "::ffff:10.0.0.1");
	CHECK_EQ(from.sin6_flowinfo, 0);
	CHECK_EQ(from.sin6_scope_id, 0);
	CHECK_EQ(sk_sendto(x.a, c6, "six", "fd00::2", 5000), 3);
	sk_run(&x);
	CHECK_EQ(sk_recv(x.b, srv, buf, sizeof(buf), text, NULL), 3);
	CHECK_STR(text, "fd00::1");
	/* The reply to the mapped peer leaves as real IPv4 (DS-8). */
	CHECK_EQ(sk_sendto(x.b, srv, "back", "::ffff:10.0.0.1", 5000), 4);
	sk_run(&x);
	CHECK(x.nb > 0 && x.frb[x.nb - 1].is_ip4 && x.frb[x.nb - 1].upper == IPPROTO_UDP);
	sk_teardown(&x);
}

/* DS-1: bound to ::ffff:10.0.0.2 it gets IPv4 for 10.0.0.2 only; an IPv6
 * client cannot reach it (Port Unreachable -> ECONNREFUSED, T-1). */
TEST(ds1_mapped_bind_ipv4_only)
{
	struct sk x;
	char buf[64], text[64];
	int srv, c4, c6;

	sk_setup(&x);
	srv = duet_socket(x.b, AF_INET6, SOCK_DGRAM, 0);
	CHECK_EQ(sk_bind(x.b, srv, "::ffff:10.0.0.2", 6000), 0);
	c4 = duet_socket(x.a, AF_INET, SOCK_DGRAM, 0);
	c6 = duet_socket(x.a, AF_INET6, SOCK_DGRAM, 0);
	CHECK_EQ(sk_connect(x.a, c6, "fd00::2", 6000), 0);
	CHECK_EQ(sk_sendto(x.a, c4, "v4", "10.0.0.2", 6000), 2);
	CHECK_EQ(duet_send(x.a, c6, "v6", 2, 0), 2);
	sk_run(&x);
	CHECK_EQ(sk_recv(x.b, srv, buf, sizeof(buf), text, NULL), 2);
	CHECK_STR(text, "::ffff:10.0.0.1");
	CHECK_EQ(sk_recv(x.b, srv, buf, sizeof(buf), NULL, NULL), -1);
	CHECK_EQ(errno, EAGAIN);
	CHECK_EQ(duet_recv(x.a, c6, buf, sizeof(buf), MSG_DONTWAIT), -1);
	CHECK_EQ(errno, ECONNREFUSED);
	/* Reported once: the socket is usable again. */
	CHECK_EQ(duet_recv(x.a, c6, buf, sizeof(buf), MSG_DONTWAIT), -1);
	CHECK_EQ(errno, EAGAIN);
	CHECK(duet_stack_counter(x.a, DUET_CTR_UDP_ICMP_ERRORS) == 1);
	sk_teardown(&x);
}

/* DS-4: V6ONLY=1 on :: shares port P with 0.0.0.0:P; with V6ONLY=0 the
 * second bind fails with EADDRINUSE, in either order. */
TEST(ds4_port_sharing_rules)
{
	struct sk x;
	int v6, v4, order;

	sk_setup(&x);
	v6 = duet_socket(x.b, AF_INET6, SOCK_DGRAM, 0);
	v4 = duet_socket(x.b, AF_INET, SOCK_DGRAM, 0);
	CHECK_EQ(sk_setint(x.b, v6, IPPROTO_IPV6, IPV6_V6ONLY, 1), 0);
	CHECK_EQ(sk_bind(x.b, v6, "::", 7000), 0);
	CHECK_EQ(sk_bind(x.b, v4, "0.0.0.0", 7000), 0);
	duet_close(x.b, v6);
	duet_close(x.b, v4);
	for (order = 0; order < 2; order++) {
		v6 = duet_socket(x.b, AF_INET6, SOCK_DGRAM, 0);
		v4 = duet_socket(x.b, AF_INET, SOCK_DGRAM, 0);
		if (order == 0) {
			CHECK_EQ(sk_bind(x.b, v6, "::", 7001), 0);
			CHECK_EQ(sk_bind(x.b, v4, "0.0.0.0", 7001), -1);
		} else {
			CHECK_EQ(sk_bind(x.b, v4, "0.0.0.0", 7001), 0);
			CHECK_EQ(sk_bind(x.b, v6, "::", 7001), -1);
		}
		CHECK_EQ(errno, EADDRINUSE);
		duet_close(x.b, v6);
		duet_close(x.b, v4);
	}
	sk_teardown(&x);
}

/* DS-5: a V6ONLY socket refuses v4-mapped addresses (bind EINVAL,
 * connect and sendto ENETUNREACH) and V6ONLY is fixed once bound. */
TEST(ds5_v6only_refuses_mapped)
{
	struct sk x;
	int s;

	sk_setup(&x);
	s = duet_socket(x.a, AF_INET6, SOCK_DGRAM, 0);
	CHECK_EQ(sk_setint(x.a, s, IPPROTO_IPV6, IPV6_V6ONLY, 1), 0);
	CHECK_EQ(sk_bind(x.a, s, "::ffff:10.0.0.1", 0), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(sk_connect(x.a, s, "::ffff:10.0.0.2", 9), -1);
	CHECK_EQ(errno, ENETUNREACH);
	CHECK_EQ(sk_sendto(x.a, s, "x", "::ffff:10.0.0.2", 9), -1);
	CHECK_EQ(errno, ENETUNREACH);
	CHECK_EQ(sk_bind(x.a, s, "::", 0), 0);
	CHECK_EQ(sk_setint(x.a, s, IPPROTO_IPV6, IPV6_V6ONLY, 0), -1);
	CHECK_EQ(errno, EINVAL);
	/* B-8: the KAME spelling is the same option. */
	CHECK_EQ(sk_getint(x.a, s, IPPROTO_IPV6, DUET_IPV6_BINDV6ONLY), 1);
	sk_teardown(&x);
}

/* DS-6: one port, two sockets — v4-mapped and IPv6 address — under poll
 * and select: each sees only its family's datagrams. */
TEST(ds6_two_sockets_one_port_poll_select)
{
	struct sk x;
	struct pollfd p[2];
	fd_set rd;
	struct timeval tv = { 0, 0 };
	char buf[64], text[64];
	int s4, s6, c4, c6;

	sk_setup(&x);
	s4 = duet_socket(x.b, AF_INET6, SOCK_DGRAM, 0);
	s6 = duet_socket(x.b, AF_INET6, SOCK_DGRAM, 0);
	CHECK_EQ(sk_bind(x.b, s4, "::ffff:10.0.0.2", 8000), 0);
	CHECK_EQ(sk_bind(x.b, s6, "fd00::2", 8000), 0);
	c4 = duet_socket(x.a, AF_INET, SOCK_DGRAM, 0);
	c6 = duet_socket(x.a, AF_INET6, SOCK_DGRAM, 0);
	p[0].fd = s4, p[0].events = POLLIN;
	p[1].fd = s6, p[1].events = POLLIN;
	CHECK_EQ(duet_poll(x.b, p, 2, 0), 0);
	CHECK_EQ(sk_sendto(x.a, c6, "six", "fd00::2", 8000), 3);
	sk_run(&x);
	CHECK_EQ(duet_poll(x.b, p, 2, 100), 1);
	CHECK_EQ(p[0].revents, 0);
	CHECK_EQ(p[1].revents, POLLIN);
	CHECK_EQ(sk_recv(x.b, s6, buf, sizeof(buf), text, NULL), 3);
	CHECK_STR(text, "fd00::1");
	CHECK_EQ(sk_sendto(x.a, c4, "four", "10.0.0.2", 8000), 4);
	sk_run(&x);
	FD_ZERO(&rd);
	FD_SET(s4, &rd);
	FD_SET(s6, &rd);
	CHECK_EQ(duet_select(x.b, (s4 > s6 ? s4 : s6) + 1, &rd, NULL, NULL, &tv), 1);
	CHECK(FD_ISSET(s4, &rd) && !FD_ISSET(s6, &rd));
	CHECK_EQ(sk_recv(x.b, s4, buf, sizeof(buf), text, NULL), 4);
	CHECK_STR(text, "::ffff:10.0.0.1");
	sk_teardown(&x);
}

/* DS-7: the V6ONLY default comes from net.inet6.ip6.bindv6only when the
 * socket is created; sockets made before keep theirs. */
TEST(ds7_bindv6only_knob_copied_at_creation)
{
	struct sk x;
	int before, after;

	sk_setup(&x);
	before = duet_socket(x.a, AF_INET6, SOCK_DGRAM, 0);
	CHECK_EQ(duet_sysctl_set(x.a, "net.inet6.ip6.bindv6only", 1), 0);
	after = duet_socket(x.a, AF_INET6, SOCK_DGRAM, 0);
	CHECK_EQ(sk_getint(x.a, before, IPPROTO_IPV6, IPV6_V6ONLY), 0);
	CHECK_EQ(sk_getint(x.a, after, IPPROTO_IPV6, IPV6_V6ONLY), 1);
	CHECK_EQ(sk_bind(x.a, after, "::ffff:10.0.0.1", 0), -1);
	CHECK_EQ(errno, EINVAL);
	sk_teardown(&x);
}

/* DS-8, B-1: to a v4-mapped destination an AF_INET6 socket sends real
 * IPv4, its hop limit and traffic class as TTL and TOS; to IPv6 the hop
 * limit set (or the interface's 64 for -1). */
TEST(ds8_mapped_sends_ipv4_with_ttl_tos_b1_hops)
{
	struct sk x;
	const struct sk_frame *f;
	int s;

	sk_setup(&x);
	s = duet_socket(x.a, AF_INET6, SOCK_DGRAM, 0);
	CHECK_EQ(sk_setint(x.a, s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 17), 0);
	CHECK_EQ(sk_setint(x.a, s, IPPROTO_IPV6, IPV6_TCLASS, 0x28), 0);
	CHECK_EQ(sk_sendto(x.a, s, "m", "::ffff:10.0.0.2", 9), 1);
	sk_run(&x);
	f = sk_last_tx(&x, IPPROTO_UDP);
	CHECK(f && f->is_ip4);
	CHECK(f && f->hop_limit == 17 && f->tclass == 0x28);
	CHECK_EQ(sk_sendto(x.a, s, "m", "fd00::2", 9), 1);
	sk_run(&x);
	f = sk_last_tx(&x, IPPROTO_UDP);
	CHECK(f && f->is_ip6 && f->hop_limit == 17 && f->tclass == 0x28);
	CHECK_EQ(sk_setint(x.a, s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, -1), 0);
	CHECK_EQ(sk_getint(x.a, s, IPPROTO_IPV6, IPV6_UNICAST_HOPS), 64);
	CHECK_EQ(sk_sendto(x.a, s, "m", "fd00::2", 9), 1);
	sk_run(&x);
	f = sk_last_tx(&x, IPPROTO_UDP);
	CHECK(f && f->hop_limit == 64);
	CHECK_EQ(sk_setint(x.a, s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 256), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(sk_setint(x.a, s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, -2), -1);
	CHECK_EQ(errno, EINVAL);
	sk_teardown(&x);
}

/* T-1 (performance design, docs/ARCHITECTURE.md): a socket memoises the
 * keyed hash behind its IPv6 flow label and IPv4 Identification, and that
 * changes nothing on the wire. Action: one socket sends to B port 7, port
 * 8, port 7 again, over IPv6 then IPv4; a second socket sends over IPv4 to
 * the same peer. Response: each IPv6 label is ip6_flow_label() of the
 * packet's own addresses and ports computed afresh (RFC 6437: port 7's
 * label stable, port 8's its own); the IPv4 IDs of the three datagrams and
 * of the other socket's follow each other, one per datagram, as they share
 * the (source, destination, protocol) counter of RFC 7739 §5.3. */
TEST(t1_flow_label_and_ip_id_memo_match_fresh_hash)
{
	static const uint16_t ports[3] = { 7, 8, 7 };
	struct sk x;
	const struct sk_frame *f;
	uint32_t label[3], id[4];
	int s, s2, i;

	sk_setup(&x);
	s = duet_socket(x.a, AF_INET6, SOCK_DGRAM, 0);
	s2 = duet_socket(x.a, AF_INET, SOCK_DGRAM, 0);
	CHECK_EQ(sk_bind(x.a, s, "::", 4000), 0);
	for (i = 0; i < 3; i++) {
		CHECK_EQ(sk_sendto(x.a, s, "m", "fd00::2", ports[i]), 1);
		sk_run(&x);
		f = sk_last_tx(&x, IPPROTO_UDP);
		CHECK(f && f->is_ip6);
		if (!f)
			continue;
		label[i] = f->flow;
		CHECK_EQ(label[i], ip6_flow_label(x.a, f->src, f->dst, IPPROTO_UDP,
						  4000u << 16 | ports[i], NULL));
	}
	CHECK_EQ(label[0], label[2]);
	CHECK(label[0] != label[1]);
	for (i = 0; i < 4; i++) {
		int fd = i < 3 ? s : s2;
		CHECK_EQ(sk_sendto(x.a, fd, "m", i < 3 ? "::ffff:10.0.0.2" : "10.0.0.2",
				   i < 3 ? ports[i] : 7), 1);
		sk_run(&x);
		f = sk_last_tx(&x, IPPROTO_UDP);
		CHECK(f && f->is_ip4);
		id[i] = f ? f->flow : 0;
	}
	for (i = 1; i < 4; i++)
		CHECK_EQ(id[i], (id[i - 1] + 1) & 0xffffu);
	sk_teardown(&x);
}

/* B-2, B-3, B-4, B-5: MLD reports on join, multicast hop limit on the
 * wire, loopback copies, hop limit 0 stays local, memberships end at
 * close. */
TEST(b5_ipv6_multicast_join_send_loop)
{
	struct sk x;
	struct ipv6_mreq mr;
	const struct sk_frame *f;
	char buf[64];
	unsigned i;
	bool has_report = false;
	int rcv, snd;

	sk_setup(&x);
	rcv = duet_socket(x.b, AF_INET6, SOCK_DGRAM, 0);
	CHECK_EQ(sk_bind(x.b, rcv, "::", 9100), 0);
	memset(&mr, 0, sizeof(mr));
	CHECK_EQ(inet_pton(AF_INET6, "ff12::1234", &mr.ipv6mr_multiaddr), 1);
	mr.ipv6mr_interface = (unsigned)x.if_b;
	CHECK_EQ(duet_setsockopt(x.b, rcv, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)), 0);
	CHECK_EQ(duet_setsockopt(x.b, rcv, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)), -1);
	CHECK_EQ(errno, EADDRINUSE);
	sk_run(&x);
	for (i = 0; i < x.nb; i++)
		if (x.frb[i].is_ip6 && x.frb[i].upper == 0 && x.frb[i].l4_len > 8 &&
		    x.frb[i].l4[0] == 58 && x.frb[i].l4[8] == 143)
			has_report = true; /* MLDv2 Report behind the Hop-by-Hop header */
	CHECK(has_report);
	snd = duet_socket(x.a, AF_INET6, SOCK_DGRAM, 0);
	CHECK_EQ(sk_getint(x.a, snd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS), 1);
	CHECK_EQ(sk_setint(x.a, snd, IPPROTO_IPV6, IPV6_MULTICAST_IF, x.if_a), 0);
	CHECK_EQ(sk_setint(x.a, snd, IPPROTO_IPV6, IPV6_MULTICAST_IF, 999), -1);
	CHECK_EQ(errno, ENXIO);
	CHECK_EQ(sk_setint(x.a, snd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 5), 0);
	CHECK_EQ(sk_sendto(x.a, snd, "group", "ff12::1234", 9100), 5);
	sk_run(&x);
	f = sk_last_tx(&x, IPPROTO_UDP);
	CHECK(f && f->is_ip6 && f->hop_limit == 5);
	CHECK_EQ(sk_recv(x.b, rcv, buf, sizeof(buf), NULL, NULL), 5);
	/* B's own sender with loop on gets a copy; with loop off none; hop
	 * limit 0 never leaves. */
	snd = duet_socket(x.b, AF_INET6, SOCK_DGRAM, 0);
	CHECK_EQ(sk_setint(x.b, snd, IPPROTO_IPV6, IPV6_MULTICAST_IF, x.if_b), 0);
	CHECK_EQ(sk_setint(x.b, snd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 0), 0);
	x.nb = 0;
	CHECK_EQ(sk_sendto(x.b, snd, "local", "ff12::1234", 9100), 5);
	sk_run(&x);
	CHECK_EQ(sk_recv(x.b, rcv, buf, sizeof(buf), NULL, NULL), 5);
	CHECK_STR(buf, "local");
	for (i = 0; i < x.nb; i++)
		CHECK(x.frb[i].upper != IPPROTO_UDP);
	CHECK_EQ(sk_setint(x.b, snd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0), 0);
	CHECK_EQ(sk_setint(x.b, snd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 2), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(sk_sendto(x.b, snd, "none", "ff12::1234", 9100), 4);
	sk_run(&x);
	CHECK_EQ(sk_recv(x.b, rcv, buf, sizeof(buf), NULL, NULL), -1);
	CHECK_EQ(errno, EAGAIN);
	/* Leave errors; close ends the membership. */
	CHECK_EQ(duet_setsockopt(x.b, rcv, IPPROTO_IPV6, IPV6_LEAVE_GROUP, &mr, sizeof(mr)), 0);
	CHECK_EQ(duet_setsockopt(x.b, rcv, IPPROTO_IPV6, IPV6_LEAVE_GROUP, &mr, sizeof(mr)), -1);
	CHECK_EQ(errno, EADDRNOTAVAIL);
	CHECK_EQ(inet_pton(AF_INET6, "fd00::5", &mr.ipv6mr_multiaddr), 1);
	CHECK_EQ(duet_setsockopt(x.b, rcv, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)), -1);
	CHECK_EQ(errno, EINVAL);
	sk_teardown(&x);
}

/* B-5 for IPv4 (IP_ADD_MEMBERSHIP): an IGMPv3 report, IP_MULTICAST_TTL
 * on the wire, delivery to the member. */
TEST(b5_ipv4_multicast_igmp_ttl)
{
	struct sk x;
	struct ip_mreqn mr;
	const struct sk_frame *f;
	char buf[64];
	unsigned i;
	bool has_report = false;
	int rcv, snd;

	sk_setup(&x);
	rcv = duet_socket(x.b, AF_INET, SOCK_DGRAM, 0);
	CHECK_EQ(sk_bind(x.b, rcv, "0.0.0.0", 9200), 0);
	memset(&mr, 0, sizeof(mr));
	CHECK_EQ(inet_pton(AF_INET, "239.1.2.3", &mr.imr_multiaddr), 1);
	mr.imr_ifindex = x.if_b;
	CHECK_EQ(duet_setsockopt(x.b, rcv, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)), 0);
	sk_run(&x);
	for (i = 0; i < x.nb; i++)
		if (x.frb[i].is_ip4 && x.frb[i].upper == 2 && x.frb[i].hop_limit == 1 &&
		    x.frb[i].dst[0] == 224 && x.frb[i].dst[3] == 22)
			has_report = true;
	CHECK(has_report);
	snd = duet_socket(x.a, AF_INET, SOCK_DGRAM, 0);
	CHECK_EQ(sk_getint(x.a, snd, IPPROTO_IP, IP_MULTICAST_TTL), 1);
	CHECK_EQ(sk_setint(x.a, snd, IPPROTO_IP, IP_MULTICAST_TTL, 3), 0);
	CHECK_EQ(sk_sendto(x.a, snd, "g4", "239.1.2.3", 9200), 2);
	sk_run(&x);
	f = sk_last_tx(&x, IPPROTO_UDP);
	CHECK(f && f->is_ip4 && f->hop_limit == 3);
	CHECK_EQ(sk_recv(x.b, rcv, buf, sizeof(buf), NULL, NULL), 2);
	sk_teardown(&x);
}

/* B-7, B-9: port ranges, superuser-only ranges and ports. */
TEST(b7_b9_port_ranges_and_privilege)
{
	struct sk x;
	struct duet_cred user = { 1000, 1000 }, root = { 0, 0 };
	struct sockaddr_in6 sa;
	socklen_t len = sizeof(sa);
	int s, u;

	sk_setup(&x);
	CHECK_EQ(duet_sysctl_set(x.a, "net.inet.ip.portrange.hifirst", 60000), 0);
	CHECK_EQ(duet_sysctl_set(x.a, "net.inet.ip.portrange.hilast", 60010), 0);
	s = duet_socket(x.a, AF_INET6, SOCK_DGRAM, 0);
	CHECK_EQ(sk_setint(x.a, s, IPPROTO_IPV6, DUET_IPV6_PORTRANGE, DUET_IPV6_PORTRANGE_HIGH), 0);
	CHECK_EQ(sk_bind(x.a, s, "::", 0), 0);
	CHECK_EQ(duet_getsockname(x.a, s, (struct sockaddr *)&sa, &len), 0);
	CHECK(ntohs(sa.sin6_port) >= 60000 && ntohs(sa.sin6_port) <= 60010);
	CHECK_EQ(duet_set_cred(x.a, &user), 0);
	u = duet_socket(x.a, AF_INET6, SOCK_DGRAM, 0);
	CHECK_EQ(sk_setint(x.a, u, IPPROTO_IPV6, DUET_IPV6_PORTRANGE, DUET_IPV6_PORTRANGE_LOW), -1);
	CHECK_EQ(errno, EACCES);
	CHECK_EQ(sk_bind(x.a, u, "::", 80), -1);
	CHECK_EQ(errno, EACCES);
	CHECK_EQ(sk_bind(x.a, u, "::", 8080), 0);
	CHECK_EQ(duet_set_cred(x.a, &root), 0);
	s = duet_socket(x.a, AF_INET6, SOCK_DGRAM, 0);
	CHECK_EQ(sk_setint(x.a, s, IPPROTO_IPV6, DUET_IPV6_PORTRANGE, DUET_IPV6_PORTRANGE_LOW), 0);
	CHECK_EQ(sk_bind(x.a, s, "::", 0), 0);
	len = sizeof(sa);
	CHECK_EQ(duet_getsockname(x.a, s, (struct sockaddr *)&sa, &len), 0);
	CHECK(ntohs(sa.sin6_port) >= 600 && ntohs(sa.sin6_port) <= 1023);
	sk_teardown(&x);
}

/* S-1 bad input: closed and never-opened descriptors, wrong option
 * lengths and levels, a short buffer (MSG_TRUNC) — each errno as Linux's,
 * and the socket still works afterwards. */
TEST(s1_bad_input_gives_linux_errnos)
{
	struct sk x;
	char buf[4];
	int v = 1, s;
	socklen_t len = 1;
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr msg;

	sk_setup(&x);
	CHECK_EQ(duet_close(x.a, 99), -1);
	CHECK_EQ(errno, EBADF);
	CHECK_EQ(duet_send(x.a, -1, "x", 1, 0), -1);
	CHECK_EQ(errno, EBADF);
	s = duet_socket(x.a, AF_INET6, SOCK_DGRAM, 0);
	CHECK_EQ(duet_close(x.a, s), 0);
	CHECK_EQ(duet_close(x.a, s), -1);
	CHECK_EQ(errno, EBADF);
	CHECK_EQ(duet_socket(x.a, AF_UNIX, SOCK_DGRAM, 0), -1);
	CHECK_EQ(errno, EAFNOSUPPORT);
	CHECK_EQ(duet_socket(x.a, AF_INET6, SOCK_DGRAM, IPPROTO_TCP), -1);
	CHECK_EQ(errno, EPROTONOSUPPORT);
	s = duet_socket(x.a, AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	CHECK_EQ(duet_fcntl(x.a, s, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	CHECK_EQ(duet_setsockopt(x.a, s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &v, 2), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(duet_setsockopt(x.a, s, 999, 1, &v, sizeof(v)), -1);
	CHECK_EQ(errno, ENOPROTOOPT);
	CHECK_EQ(duet_setsockopt(x.a, s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, NULL, 4), -1);
	CHECK_EQ(errno, EFAULT);
	CHECK_EQ(duet_getsockopt(x.a, s, SOL_SOCKET, SO_TYPE, &v, &len), 0);
	CHECK_EQ(len, 1);
	CHECK_EQ(duet_listen(x.a, s, 5), -1);
	CHECK_EQ(errno, EOPNOTSUPP);
	CHECK_EQ(duet_shutdown(x.a, s, SHUT_RD), -1);
	CHECK_EQ(errno, ENOTCONN);
	s = duet_socket(x.b, AF_INET6, SOCK_DGRAM, 0);
	CHECK_EQ(sk_bind(x.b, s, "::", 9300), 0);
	CHECK_EQ(duet_getsockopt(x.b, s, SOL_SOCKET, SO_ERROR, &v, &len), 0);
	v = duet_socket(x.a, AF_INET6, SOCK_DGRAM, 0);
	CHECK_EQ(sk_sendto(x.a, v, "too long", "fd00::2", 9300), 8);
	sk_run(&x);
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	CHECK_EQ(duet_recvmsg(x.b, s, &msg, MSG_PEEK), 4);
	CHECK_EQ(msg.msg_flags, MSG_TRUNC);
	CHECK_EQ(duet_recvmsg(x.b, s, &msg, MSG_TRUNC), 8);
	CHECK_EQ(msg.msg_flags, MSG_TRUNC);
	CHECK_EQ(duet_recvmsg(x.b, s, &msg, MSG_DONTWAIT), -1);
	CHECK_EQ(errno, EAGAIN);
	sk_teardown(&x);
}
