/* ARP script tests (N-8 the ARP cache; RFC 826 packet reception, RFC 5227
 * probes and announcements, RFC 1122 §2.3.2.2 host unreachable): frames
 * injected through a channel link on a virtual clock, what comes out parsed
 * with the wire parsers. */
#include "ip4_fixture.h"

static const uint8_t zero_mac[6];

/* Pops an ARP frame: the Ethernet header into *eth, the packet into *a. */
static bool pop_arp(struct fx *f, struct duet_eth_hdr *eth, struct duet_arp_hdr *a)
{
	struct duet_pkt *p = fx_pop(f, DUET_ETHERTYPE_ARP);
	struct duet_cur c;
	bool ok;

	if (!p)
		return false;
	duet_cur_init(&c, duet_pkt_data(p), p->len);
	ok = duet_eth_parse(&c, eth) == 0 && duet_arp_parse(&c, a) == 0;
	duet_pkt_free(p);
	return ok;
}

static enum neigh_state peer_state(struct fx *f, bool *found)
{
	struct neigh_info info;

	*found = neigh_lookup(&f->s->net->arp, f->eth, fx_peer_ip, &info) == 0;
	return *found ? info.state : NEIGH_INCOMPLETE;
}

/* Action: a broadcast request for our address. Response: a reply unicast to
 * the asker with our MAC; the asker enters the cache STALE (RFC 826). */
TEST(arp_request_answered)
{
	struct fx f;
	struct duet_eth_hdr eth;
	struct duet_arp_hdr a;
	bool found;

	fx_setup(&f);
	fx_inject_arp(&f, fx_bcast_mac, DUET_ARP_OP_REQUEST, fx_peer_ip, zero_mac, fx_ip);
	fx_poll(&f);
	CHECK(pop_arp(&f, &eth, &a));
	CHECK_MEM(eth.dst, fx_peer_mac, 6);
	CHECK_EQ(a.op, DUET_ARP_OP_REPLY);
	CHECK_MEM(a.sha, fx_mac, 6);
	CHECK_MEM(a.spa, fx_ip, 4);
	CHECK_MEM(a.tha, fx_peer_mac, 6);
	CHECK_MEM(a.tpa, fx_peer_ip, 4);
	CHECK_EQ(peer_state(&f, &found), NEIGH_STALE);
	CHECK(found);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_ARP_OUT_REPLIES), 1);
	fx_teardown(&f);
}

/* Action: a request for another host's address. Response: no reply, no
 * entry created (only existing entries are refreshed, RFC 826 merge). */
TEST(arp_request_for_other_ignored)
{
	struct fx f;
	const uint8_t other[4] = { 192, 0, 2, 77 };
	bool found;

	fx_setup(&f);
	fx_inject_arp(&f, fx_bcast_mac, DUET_ARP_OP_REQUEST, fx_peer_ip, zero_mac, other);
	fx_poll(&f);
	CHECK_EQ(fx_drain(&f), 0);
	peer_state(&f, &found);
	CHECK(!found);
	fx_teardown(&f);
}

/* Action: an RFC 5227 probe (sender 0.0.0.0) for our address. Response: a
 * reply to the prober's MAC, target 0.0.0.0; nothing cached. */
TEST(arp_probe_answered_not_cached)
{
	struct fx f;
	const uint8_t any[4] = { 0 };
	struct duet_eth_hdr eth;
	struct duet_arp_hdr a;
	struct neigh_info info;

	fx_setup(&f);
	fx_inject_arp(&f, fx_bcast_mac, DUET_ARP_OP_REQUEST, any, zero_mac, fx_ip);
	fx_poll(&f);
	CHECK(pop_arp(&f, &eth, &a));
	CHECK_EQ(a.op, DUET_ARP_OP_REPLY);
	CHECK_MEM(eth.dst, fx_peer_mac, 6);
	CHECK_MEM(a.tpa, any, 4);
	CHECK(neigh_lookup(&f.s->net->arp, f.eth, any, &info) != 0);
	fx_teardown(&f);
}

/* Action: an address is added. Response: one gratuitous ARP request,
 * broadcast, sender and target both the address (RFC 5227 §3). */
TEST(arp_gratuitous_on_address_add)
{
	struct fx f;
	const uint8_t second[4] = { 198, 51, 100, 7 };
	struct duet_eth_hdr eth;
	struct duet_arp_hdr a;

	fx_setup(&f);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_ARP_OUT_ANNOUNCES), 1);
	CHECK_EQ(duet_if_addr_add(f.s, f.eth, AF_INET, second, 24, 0), 0);
	fx_poll(&f);
	CHECK(pop_arp(&f, &eth, &a));
	CHECK_MEM(eth.dst, fx_bcast_mac, 6);
	CHECK_EQ(a.op, DUET_ARP_OP_REQUEST);
	CHECK_MEM(a.spa, second, 4);
	CHECK_MEM(a.tpa, second, 4);
	CHECK_MEM(a.tha, zero_mac, 6);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_ARP_OUT_ANNOUNCES), 2);
	fx_teardown(&f);
}

/* Action: an echo request from a peer not in the cache, then its ARP reply.
 * Response: a broadcast request for the peer while the echo reply waits;
 * the reply leaves to the peer's MAC once the ARP reply arrives. */
TEST(arp_resolution_queues_echo_reply)
{
	struct fx f;
	static uint8_t icmp[100];
	struct duet_ip4_hdr h = fx_ip4(DUET_IP4_PROTO_ICMP, 3);
	struct duet_eth_hdr eth;
	struct duet_arp_hdr a;
	struct duet_pkt *p;
	size_t n;
	bool found;

	fx_setup(&f);
	n = fx_build_echo(icmp, DUET_ICMP4_ECHO, 1, 1, 32);
	fx_inject(&f, f.frame, fx_build_ip4(f.frame, fx_mac, &h, icmp, n));
	fx_poll(&f);
	CHECK(pop_arp(&f, &eth, &a));
	CHECK_MEM(eth.dst, fx_bcast_mac, 6);
	CHECK_EQ(a.op, DUET_ARP_OP_REQUEST);
	CHECK_MEM(a.spa, fx_ip, 4);
	CHECK_MEM(a.tpa, fx_peer_ip, 4);
	CHECK(fx_pop(&f, DUET_ETHERTYPE_IPV4) == NULL);
	CHECK_EQ(peer_state(&f, &found), NEIGH_INCOMPLETE);
	fx_inject_arp(&f, fx_mac, DUET_ARP_OP_REPLY, fx_peer_ip, fx_mac, fx_ip);
	fx_poll(&f);
	p = fx_pop(&f, DUET_ETHERTYPE_IPV4);
	CHECK(p != NULL);
	if (p) {
		CHECK_MEM(duet_pkt_data(p), fx_peer_mac, 6);
		CHECK_EQ(duet_pkt_data(p)[14 + 20], DUET_ICMP4_ECHO_REPLY);
		duet_pkt_free(p);
	}
	CHECK_EQ(peer_state(&f, &found), NEIGH_REACHABLE);
	fx_teardown(&f);
}

/* Action: duet_echo_send to a host that never answers ARP. Response: three
 * broadcast requests a second apart, then the datagram is dropped and a
 * host unreachable error reaches us through local delivery. */
TEST(arp_resolution_failure_host_unreachable)
{
	struct fx f;
	const uint8_t silent[4] = { 192, 0, 2, 50 };
	unsigned ms, requests = 0;
	struct duet_eth_hdr eth;
	struct duet_arp_hdr a;

	fx_setup(&f);
	CHECK_EQ(duet_echo_send(f.s, AF_INET, silent, 0, 1, 1, 56), 0);
	for (ms = 0; ms <= 4000; ms += 100) {
		fx_at_ms(&f, ms);
		while (pop_arp(&f, &eth, &a))
			requests += a.op == DUET_ARP_OP_REQUEST && memcmp(a.tpa, silent, 4) == 0;
	}
	CHECK_EQ(requests, 3);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_DROP_IP4_HOST_UNREACH), 1);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_ICMP4_OUT_DEST_UNREACHS), 1);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_ICMP4_IN_DEST_UNREACHS), 1);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_IP4_OUT_LOCAL), 1);
	fx_teardown(&f);
}

/* Action: a valid request, then the same cut to 20 bytes, with hardware
 * type 6, with a multicast sender, and claiming our address. Response: only
 * the first is answered; the others are dropped under their counters. */
TEST(arp_bad_packets_dropped)
{
	struct fx f;
	const uint8_t mcast[4] = { 224, 0, 0, 9 };

	fx_setup(&f);
	fx_inject_arp(&f, fx_bcast_mac, DUET_ARP_OP_REQUEST, fx_peer_ip, zero_mac, fx_ip);
	fx_inject(&f, f.frame, 14 + 20);
	f.frame[15] = 6; /* hrd = 6 */
	fx_inject(&f, f.frame, 14 + DUET_ARP_LEN);
	fx_inject_arp(&f, fx_bcast_mac, DUET_ARP_OP_REQUEST, mcast, zero_mac, fx_ip);
	fx_inject_arp(&f, fx_bcast_mac, DUET_ARP_OP_REQUEST, fx_ip, zero_mac, fx_ip);
	fx_poll(&f);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_DROP_ARP_MALFORMED), 2);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_DROP_ARP_BAD_ADDR), 1);
	CHECK_EQ(fx_ctr(&f, DUET_CTR_DROP_ARP_SPA_OURS), 1);
	CHECK_EQ(fx_drain(&f), 1);
	fx_teardown(&f);
}
