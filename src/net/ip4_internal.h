/* duet — the IPv4 module's private state and the functions its files share:
 * ip4_module.c, ip4_input.c, ip4_output.c, arp.c, icmp4.c (RFC 791, RFC 826,
 * RFC 792, RFC 1122). Not a public header. */
#ifndef DUET_NET_IP4_INTERNAL_H
#define DUET_NET_IP4_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <duet/wire/eth.h>
#include <duet/wire/icmp4.h>
#include <duet/wire/ip4.h>

#include "net/ip4.h"
#include "net/net.h"
#include "net/pmtu.h"
#include "net/ratelimit.h"
#include "net/reass.h"

/* Identification counters: RFC 7739 §5.3 keyed buckets (see ip4_next_id). */
#define IP4_ID_BUCKETS 2048u
/* Datagrams to our own addresses waiting for local delivery. */
#define IP4_LOCAL_QUEUE_LIMIT 256u
/* ARP queue per unresolved neighbour: room for a 65,535-byte datagram in
 * 1500-byte fragments (45), as Linux's unres_qlen_bytes (212,992) allows. */
#define IP4_ARP_QUEUE_LIMIT 64u
/* Linux quotes up to 576 bytes of IP datagram in an ICMP error in all
 * (RFC 1812 §4.3.2.3): IP header + ICMP header + quote. */
#define ICMP4_ERROR_MAX_LEN 576u

struct ip4_state {
	ip4_upper_fn upper[256];          /* by IPv4 Protocol */
	ip4_raw_fn raw;                   /* the raw sockets' tap, NULL: none */
	struct reass reass;
	struct pmtu_cache pmtu;
	struct ratelimit icmp_rl;         /* ICMP errors (token bucket) */
	struct duet_pktq local_q;         /* whole datagrams to ourselves */
	struct duet_timer local_timer;    /* drains local_q inside poll */
	uint16_t id_ctr[IP4_ID_BUCKETS];
	bool has_arp, has_reass, has_pmtu;
};

static inline struct ip4_state *ip4_state_of(const struct duet_stack *stack)
{
	return (struct ip4_state *)stack->net->proto_state[NET_PROTO_IP4];
}

/* ip4_input.c: the Ethernet handler for EtherType IPv4 (owns pkt). */
void ip4_rcv(struct duet_stack *stack, struct duet_iface *ifp, struct duet_pkt *pkt,
	     const struct duet_eth_hdr *eth);

/* ip4_input.c: queues a whole datagram (data at its IPv4 header) for input
 * as if received on ifindex; processed from a timer inside the next
 * duet_stack_poll pass. Takes pkt. */
void ip4_local_enqueue(struct duet_stack *stack, struct duet_pkt *pkt, uint32_t ifindex);

/* ip4_input.c: the local queue's timer callback (arg: the stack). */
void ip4_local_timer(struct duet_timer *timer, void *arg);

/* ip4_input.c: reassembly timeout after the first fragment: Time Exceeded
 * code 1 (RFC 792, RFC 1122 §3.3.2). Takes first. */
void ip4_reass_time_exceeded(void *ctx, const struct reass_key *key, struct duet_pkt *first);

/* ip4_input.c: fills *info for the datagram whose parsed header is h and
 * which starts at pkt->buf + nh_off (destination class included). */
void ip4_rx_info_fill(struct duet_stack *stack, const struct duet_ip4_hdr *h, uint32_t nh_off,
		      uint32_t ifindex, struct ip4_rx_info *info);


/* arp.c */
int arp_init(struct duet_stack *stack);
void arp_rcv(struct duet_stack *stack, struct duet_iface *ifp, struct duet_pkt *pkt,
	     const struct duet_eth_hdr *eth);
/* Sends a gratuitous ARP announcing addr on ifindex (RFC 5227 §3). */
void arp_announce(struct duet_stack *stack, uint32_t ifindex, const uint8_t addr[4]);

/* icmp4.c: the upper-layer handler for protocol 1, and the echo sender
 * behind duet_echo_send(AF_INET). */
void icmp4_input(struct duet_stack *stack, struct duet_pkt *pkt, const struct ip4_rx_info *info);
int icmp4_echo_send(struct duet_stack *stack, const uint8_t *dst, uint32_t oif, uint16_t id,
		    uint16_t seq, uint32_t data_len);

/* True when dst is the directed broadcast of an address of ifindex. */
bool ip4_is_directed_bcast(struct duet_stack *stack, uint32_t ifindex, const uint8_t dst[4]);

/* False when dst cannot be any subnet's directed broadcast: one has all
 * host bits set, and a subnet that has one is at most /30 (RFC 3021), so
 * its low two bits are ones. Lets callers skip the lookups before
 * ip4_is_directed_bcast. */
static inline bool ip4_may_be_directed_bcast(const uint8_t dst[4])
{
	return (dst[3] & 3) == 3;
}

#endif
